//! Labelled CSV files: the one place that configures CSV reading, and the loader
//! that turns a file into texts and labels with precise errors.
//!
//! The format: UTF-8, a header row, comma-separated, RFC 4180 quoting (fields with
//! commas, quotes or newlines in double quotes, inner quotes doubled). Extra
//! columns are ignored. A UTF-8 byte-order mark and CRLF line endings are accepted.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// The CSV reader configuration used everywhere (training data, eval data, batches).
pub fn reader_builder() -> csv::ReaderBuilder {
    let mut builder = csv::ReaderBuilder::new();
    builder.has_headers(true).flexible(false);
    builder
}

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

/// Reads a whole file, with a clear error if it is missing or unreadable.
pub fn read_file(path: &Path) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|mut f| f.read_to_end(&mut bytes))
        .map_err(|e| Error::io("read", path, &e))?;
    Ok(bytes)
}

/// Finds a column by name in a header row.
pub fn find_column(path: &Path, headers: &[String], name: &str, option: &str) -> Result<usize> {
    Ok(find_columns(path, headers, &[(name, option)])?[0])
}

/// Finds several columns by name (each with the option that names it); every
/// missing one is reported at once, with the columns the file has.
pub fn find_columns(
    path: &Path,
    headers: &[String],
    wanted: &[(&str, &str)],
) -> Result<Vec<usize>> {
    let mut found = Vec::with_capacity(wanted.len());
    let mut missing = Vec::new();
    for &(name, option) in wanted {
        match headers.iter().position(|h| h == name) {
            Some(i) => found.push(i),
            None => missing.push((name, option)),
        }
    }
    if missing.is_empty() {
        return Ok(found);
    }
    let names: Vec<String> = missing.iter().map(|(n, _)| format!("'{n}'")).collect();
    let options: Vec<String> = missing.iter().map(|(_, o)| format!("{o} NAME")).collect();
    Err(Error::at(
        path,
        Some(1),
        format!(
            "no column named {} in the header (its columns: {})",
            names.join(" or "),
            headers.join(", ")
        ),
    )
    .with_hint(format!("name the columns with {}", options.join(" and "))))
}

/// Every row's value of an optional column, in row order; None if the file has
/// no such column.
pub fn read_optional_column(path: &Path, name: &str) -> Result<Option<Vec<String>>> {
    let file = std::fs::File::open(path).map_err(|e| Error::io("read", path, &e))?;
    let mut reader = reader_builder().from_reader(std::io::BufReader::new(file));
    let headers = read_headers(path, &mut reader)?;
    let Some(at) = headers.iter().position(|h| h == name) else {
        return Ok(None);
    };
    let mut values = Vec::new();
    let mut record = csv::ByteRecord::new();
    while reader
        .read_byte_record(&mut record)
        .map_err(|e| csv_error(path, e))?
    {
        values.push(field_str(path, &record, at)?.to_string());
    }
    Ok(Some(values))
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
    let bytes = read_file(path)?;
    let mut reader = reader_builder().from_reader(bytes.as_slice());
    let headers = read_headers(path, &mut reader)?;
    let text_at = find_columns(path, &headers, columns)?[0];
    let (mut starts, mut texts) = (Vec::new(), Vec::new());
    let mut record = csv::ByteRecord::new();
    while reader
        .read_byte_record(&mut record)
        .map_err(|e| csv_error(path, e))?
    {
        starts.push(record.position().map_or(0, |p| p.byte()) as usize);
        texts.push(field_str(path, &record, text_at)?.to_string());
    }
    let spans = (0..starts.len())
        .map(|i| (starts[i], starts.get(i + 1).copied().unwrap_or(bytes.len())))
        .collect();
    let crlf = bytes.windows(2).any(|w| w == b"\r\n");
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
    let file = std::fs::File::open(path).map_err(|e| Error::io("read", path, &e))?;
    let mut reader = reader_builder().from_reader(std::io::BufReader::new(file));
    let headers = read_headers(path, &mut reader)?;
    find_columns(path, &headers, wanted).map(|_| ())
}

/// Decodes and checks the header row: UTF-8, not empty, no duplicate names.
pub fn read_headers<R: Read>(path: &Path, reader: &mut csv::Reader<R>) -> Result<Vec<String>> {
    let raw = reader
        .byte_headers()
        .map_err(|e| csv_error(path, e))?
        .clone();
    if raw.is_empty() || (raw.len() == 1 && raw[0].is_empty()) {
        return Err(Error::at(path, None, "the file is empty")
            .with_hint("a data file needs a header row, e.g. text,label, and one row per draft"));
    }
    let mut headers = Vec::with_capacity(raw.len());
    for field in raw.iter() {
        let name = std::str::from_utf8(field).map_err(|_| not_utf8(path, 1))?;
        let name = name.trim_start_matches('\u{feff}').trim().to_string();
        if headers.contains(&name) {
            return Err(Error::at(
                path,
                Some(1),
                format!("the header names column '{name}' twice"),
            )
            .with_hint("give every column a distinct name"));
        }
        headers.push(name);
    }
    Ok(headers)
}

fn not_utf8(path: &Path, line: u64) -> Error {
    Error::at(path, Some(line), "the text is not valid UTF-8")
        .with_hint("save the file as UTF-8 (in a spreadsheet: CSV UTF-8)")
}

/// A CSV parsing error with file and line.
pub fn csv_error(path: &Path, err: csv::Error) -> Error {
    let line = err.position().map(|p| p.line());
    match err.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => Error::at(
            path,
            line,
            format!("this row has {len} fields but the header has {expected_len}"),
        )
        .with_hint("quote fields that contain commas, e.g. \"Hi, it's me\""),
        csv::ErrorKind::Io(e) => Error::io("read", path, e),
        _ => Error::at(path, line, format!("not valid CSV: {err}")),
    }
}

/// Decodes one field as UTF-8, reporting the line if it is not, or if it holds
/// NUL bytes (a binary or UTF-16 file, which no editor writes as text).
pub fn field_str<'a>(path: &Path, record: &'a csv::ByteRecord, column: usize) -> Result<&'a str> {
    let line = record.position().map_or(0, |p| p.line());
    let bytes = record.get(column).unwrap_or_default();
    if bytes.contains(&0) {
        return Err(
            Error::at(path, Some(line), "the field contains a NUL byte (\\0)")
                .with_hint("this looks like a binary or UTF-16 file: save it as CSV UTF-8 text"),
        );
    }
    std::str::from_utf8(bytes).map_err(|_| not_utf8(path, line))
}

/// Counts the double quotes of what a CSV reader reads, to catch a quoted field
/// that is never closed: the csv crate then reads to the end of the file as one
/// field, silently swallowing every row after it.
pub struct QuoteCounter<R> {
    inner: R,
    quotes: u64,
}

impl<R: Read> QuoteCounter<R> {
    pub fn new(inner: R) -> Self {
        QuoteCounter { inner, quotes: 0 }
    }

    /// At the end of the file, fails if the last record ran to the end of the
    /// file inside a quoted field: an odd number of quotes in the file, and a
    /// field of the last record spanning lines (`last_multiline`, its line).
    pub fn check_closed(&self, path: &Path, last_multiline: Option<u64>) -> Result<()> {
        if let (1, Some(line)) = (self.quotes % 2, last_multiline) {
            return Err(Error::at(
                path,
                Some(line),
                "a quoted field opened on this row is never closed, so every line after it was read into it",
            )
            .with_hint("add the closing double quote (\") of that field, or remove the stray one"));
        }
        Ok(())
    }
}

/// The line of `record` if one of its fields spans lines (else None): what
/// [`QuoteCounter::check_closed`] needs to know of the last record.
pub fn multiline_at(record: &csv::ByteRecord) -> Option<u64> {
    record
        .iter()
        .any(|f| f.contains(&b'\n'))
        .then(|| record.position().map_or(0, |p| p.line()))
}

impl<R: Read> Read for QuoteCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.quotes += buf[..n].iter().filter(|&&b| b == b'"').count() as u64;
        Ok(n)
    }
}

/// The text field of a record, which must not be blank.
pub fn text_field<'a>(
    path: &Path,
    record: &'a csv::ByteRecord,
    column: usize,
    name: &str,
) -> Result<&'a str> {
    let text = field_str(path, record, column)?;
    if text.trim().is_empty() {
        let line = record.position().map(|p| p.line());
        return Err(
            Error::at(path, line, format!("the '{name}' field is empty"))
                .with_hint("write the draft's text, or delete the row"),
        );
    }
    Ok(text)
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
    let mut reader = reader_builder().from_reader(QuoteCounter::new(bytes));
    let headers = read_headers(path, &mut reader)?;
    let columns = find_columns(
        path,
        &headers,
        &[
            (text_column, "--text-column"),
            (label_column, "--label-column"),
        ],
    )?;
    let (text_at, label_at) = (columns[0], columns[1]);

    let mut texts = Vec::new();
    let mut raw_labels = Vec::new();
    let mut lines = Vec::new();
    let mut record = csv::ByteRecord::new();
    let mut last_multiline = None;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_error(path, e)),
        }
        last_multiline = multiline_at(&record);
        let line = record.position().map_or(0, |p| p.line());
        let text = text_field(path, &record, text_at, text_column)?;
        let label = field_str(path, &record, label_at)?.trim();
        if label.is_empty() {
            return Err(Error::at(
                path,
                Some(line),
                format!("the '{label_column}' field is empty"),
            )
            .with_hint("give every row a label, e.g. desperate or composed"));
        }
        texts.push(text.to_string());
        raw_labels.push(label.to_string());
        lines.push(line);
    }
    reader.get_ref().check_closed(path, last_multiline)?;
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
