//! Labelled CSV files: the loader that turns a file into texts and labels with
//! precise errors, and the reads of one column or of each record's bytes. The
//! CSV format itself is [`crate::csv_format`]'s. Extra columns are ignored.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::csv_format::{Record, Records, find_columns, read_all, uses_crlf};
use crate::error::{Error, Result};
use crate::files::read_file;

/// A labelled data set loaded from a CSV file.
#[derive(Debug, Clone)]
pub struct Dataset {
    pub path: PathBuf,
    pub texts: Vec<String>,
    /// Label names, sorted; targets index into this.
    pub labels: Vec<String>,
    pub targets: Vec<usize>,
    /// SHA-256 of the file's bytes, in hex.
    pub sha256: String,
    /// The line of the file where each row's record starts.
    pub lines: Vec<u64>,
}

impl Dataset {
    /// Rows read (the texts may have been released after analysis).
    pub fn len(&self) -> usize {
        self.targets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.targets.is_empty()
    }

    /// The file's path as written in reports and model files.
    pub fn data_path_display(&self) -> String {
        self.path.display().to_string()
    }

    /// Number of rows of each label.
    pub fn label_counts(&self) -> BTreeMap<String, usize> {
        let mut counts: BTreeMap<String, usize> =
            self.labels.iter().map(|l| (l.clone(), 0)).collect();
        for &t in &self.targets {
            *counts.get_mut(&self.labels[t]).expect("target in range") += 1;
        }
        counts
    }
}

/// The SHA-256 of some bytes, in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Every row's value of an optional column, in row order; None if the file has
/// no such column.
pub fn read_optional_column(path: &Path, name: &str) -> Result<Option<Vec<String>>> {
    let records = Records::open(path)?;
    let Some(at) = records.headers().iter().position(|h| h == name) else {
        return Ok(None);
    };
    records
        .map(|r| Ok(r?.field(at)?.to_string()))
        .collect::<Result<Vec<_>>>()
        .map(Some)
}

/// A data file's bytes with each record's byte range, for rewriting one row and
/// leaving every other byte as it was.
pub struct RecordSpans {
    pub bytes: Vec<u8>,
    pub headers: Vec<String>,
    /// (start, end) of each record, its line terminator included.
    pub spans: Vec<(usize, usize)>,
    /// Each record's text (the first of the columns asked for).
    pub texts: Vec<String>,
    /// Whether the file's lines end in CRLF.
    pub crlf: bool,
}

/// Reads `path` into [`RecordSpans`]; the columns named (with the option that
/// names each) must be there, and the first holds the text.
pub fn read_record_spans(path: &Path, columns: &[(&str, &str)]) -> Result<RecordSpans> {
    let (bytes, headers, records) = read_all(path)?;
    let text_at = find_columns(path, &headers, columns)?[0];
    let texts = records
        .iter()
        .map(|r| Ok(r.field(text_at)?.to_string()))
        .collect::<Result<Vec<_>>>()?;
    let starts: Vec<usize> = records.iter().map(Record::start).collect();
    let spans = (0..starts.len())
        .map(|i| (starts[i], starts.get(i + 1).copied().unwrap_or(bytes.len())))
        .collect();
    let crlf = uses_crlf(&bytes);
    Ok(RecordSpans {
        bytes,
        headers,
        spans,
        texts,
        crlf,
    })
}

/// Checks, from the header row alone, that `path` has the columns wanted: a
/// quick check before a long read or fit.
pub fn check_columns(path: &Path, wanted: &[(&str, &str)]) -> Result<()> {
    Records::open(path)?.columns(wanted).map(|_| ())
}

/// Loads a labelled CSV file. Every row needs a non-empty text and label, and
/// there must be at least two distinct labels.
pub fn load_labelled(path: &Path, text_column: &str, label_column: &str) -> Result<Dataset> {
    let bytes = read_file(path)?;
    parse_labelled(path, &bytes, text_column, label_column)
}

/// Parses the bytes of a labelled CSV file; `path` names it in errors.
pub fn parse_labelled(
    path: &Path,
    bytes: &[u8],
    text_column: &str,
    label_column: &str,
) -> Result<Dataset> {
    let sha256 = sha256_hex(bytes);
    let mut records = Records::from_bytes(path, bytes)?;
    let columns = records.columns(&[
        (text_column, "--text-column"),
        (label_column, "--label-column"),
    ])?;
    let (text_at, label_at) = (columns[0], columns[1]);

    let mut texts = Vec::new();
    let mut raw_labels = Vec::new();
    let mut lines = Vec::new();
    let mut record = Record::default();
    let mut bad_label: Option<(u64, String)> = None;
    while records.read_into(&mut record)? {
        let line = record.line();
        let text = record.text(text_at, text_column)?;
        let label = record.field(label_at)?.trim();
        if label.is_empty() {
            return Err(Error::at(
                path,
                Some(line),
                format!("the '{label_column}' field is empty"),
            )
            .with_hint("give every row a label, e.g. desperate or composed"));
        }
        // Reported after the whole file is read: a quote left open earlier
        // (which reads later lines into this label) is the error to show.
        if bad_label.is_none()
            && let Some(problem) = crate::terminal::name_problem(label)
        {
            bad_label = Some((line, problem));
        }
        texts.push(text.to_string());
        raw_labels.push(label.to_string());
        lines.push(line);
    }
    if let Some((line, problem)) = bad_label {
        return Err(Error::at(
            path,
            Some(line),
            format!("the '{label_column}' field {problem}"),
        )
        .with_hint("a label is a name such as desperate or composed: remove the character"));
    }
    if texts.is_empty() {
        return Err(Error::at(path, None, "the file has a header but no rows")
            .with_hint("add labelled drafts below the header"));
    }
    let mut labels = raw_labels.clone();
    labels.sort();
    labels.dedup();
    if labels.len() < 2 {
        return Err(Error::at(
            path,
            None,
            format!(
                "every row has the label '{}'; training needs at least two labels",
                labels[0]
            ),
        )
        .with_hint("add examples of another label"));
    }
    let targets = raw_labels
        .iter()
        .map(|l| labels.binary_search(l).expect("label was collected"))
        .collect();
    Ok(Dataset {
        path: path.to_path_buf(),
        texts,
        labels,
        targets,
        sha256,
        lines,
    })
}
