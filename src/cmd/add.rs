//! `draftcheck add`: append one labelled example to a data file, safely.

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};

use crate::atomic::write_atomically;
use crate::cmd::DataArgs;
use crate::csv_format::{Record, Records, encode, line_end_before_append, uses_crlf};
use crate::dataset::read_record_spans;
use crate::error::{Error, Result};
use crate::files::{read_file, read_utf8};

/// Add one labelled draft to the training data.
///
/// The text must not be empty, the label must already be in the file (or pass
/// --new-label), and the draft must not be there already (compared ignoring case
/// and spacing). The file is rewritten atomically under an exclusive lock, so
/// several `add`s at once all land, and an interrupted one leaves the file as it
/// was.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
draftcheck add --label desperate \"I booked us a table for Friday, you have to come\"\n  \
draftcheck add --label composed --file note.txt\n  \
draftcheck add --data mine.csv --label hopeful --new-label \"Fingers crossed for you\"")]
pub struct Args {
    /// The draft's text.
    #[arg(
        value_name = "TEXT",
        required_unless_present = "file",
        conflicts_with = "file"
    )]
    pub text: Option<String>,
    /// Read the draft's text from a file.
    #[arg(long, value_name = "PATH")]
    pub file: Option<PathBuf>,
    /// Its label.
    #[arg(long, value_name = "LABEL")]
    pub label: String,
    /// Allow a label that is not in the file yet.
    #[arg(long)]
    pub new_label: bool,
    /// The labelled CSV file to append to, and its columns.
    #[command(flatten)]
    pub data: DataArgs,
}

/// Case and whitespace folded, for duplicate detection.
pub fn normalize(text: &str) -> String {
    text.split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The lock file that serialises writers of `data` (never replaced, unlike the data
/// file itself, so a lock on it stays meaningful across renames).
pub fn lock_path(data: &Path) -> PathBuf {
    crate::files::hidden_beside(data, "lock")
}

/// Takes the exclusive lock that serialises writers of `data` (add, label,
/// audit --review); it is released when the returned file is dropped.
pub fn lock_data(data: &Path) -> Result<std::fs::File> {
    let lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(lock_path(data))
        .map_err(|e| Error::io("lock", data, &e))?;
    lock.lock().map_err(|e| Error::io("lock", data, &e))?;
    Ok(lock)
}

/// Where an appended draft landed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appended {
    /// Its record number (1-based, header excluded): the number of drafts now.
    pub row: usize,
    /// The line of the file where it starts.
    pub line: u64,
}

/// Appends one labelled draft to `data`, under the lock and atomically: the
/// label must be in the file (or `new_label`), the draft must not be there
/// already (ignoring case and spacing).
pub fn append(
    data: &Path,
    text_column: &str,
    label_column: &str,
    text: &str,
    label: &str,
    new_label: bool,
) -> Result<Appended> {
    if let Some(problem) = crate::terminal::name_problem(label) {
        return Err(Error::usage(format!("the label {problem}")).with_hint(
            "a label is a name such as desperate or composed: remove the character; nothing was added",
        ));
    }
    if !data.is_file() {
        return Err(Error::io(
            "read",
            data,
            &std::io::Error::from(std::io::ErrorKind::NotFound),
        )
        .with_hint(
            "pass the data file with --data PATH, or create it with a header row first, e.g. text,label",
        ));
    }

    let lock = lock_data(data)?;

    let bytes = read_file(data)?;
    let mut records = Records::from_bytes(data, &bytes)?;
    let columns = records.columns(&[
        (text_column, "--text-column"),
        (label_column, "--label-column"),
    ])?;
    let n_columns = records.headers().len();
    let (text_at, label_at) = (columns[0], columns[1]);
    let wanted = normalize(text);
    let mut labels: Vec<String> = Vec::new();
    let mut record = Record::default();
    let mut rows = 0usize;
    while records.read_into(&mut record)? {
        rows += 1;
        if normalize(record.field(text_at)?) == wanted {
            return Err(Error::at(
                data,
                Some(record.line()),
                format!("this draft is already in the file (row {rows})"),
            )
            .with_hint("nothing was added"));
        }
        let existing = record.field(label_at)?.trim();
        if !labels.iter().any(|l| l == existing) {
            labels.push(existing.to_string());
        }
    }
    if !new_label && labels.is_empty() {
        return Err(Error::usage(format!(
            "{} has no drafts yet, so the label '{label}' is new",
            data.display()
        ))
        .with_hint("pass --new-label to add the first draft of a label"));
    }
    if !new_label && !labels.iter().any(|l| l == label) {
        labels.sort();
        return Err(Error::usage(format!(
            "the label '{label}' is not in {} (labels: {})",
            data.display(),
            labels.join(", ")
        ))
        .with_hint("check the spelling, or pass --new-label to start a new one"));
    }

    // The new row, quoted as needed, with the file's own line ending.
    let crlf = uses_crlf(&bytes);
    let mut row = vec![""; n_columns];
    row[text_at] = text;
    row[label_at] = label;
    let encoded = encode([row], crlf)?;
    write_atomically(data, |w| {
        w.write_all(&bytes)?;
        w.write_all(line_end_before_append(&bytes, crlf))?;
        w.write_all(&encoded)
    })?;
    drop(lock);
    let newlines = bytes.iter().filter(|&&b| b == b'\n').count() as u64;
    let line = newlines + if bytes.ends_with(b"\n") { 1 } else { 2 };
    Ok(Appended {
        row: rows + 1,
        line,
    })
}

/// Removes the last draft of `data` if its text is `text` (the undo of an
/// [`append`]), under the lock and atomically. Returns whether it did.
pub fn remove_last(data: &Path, text_column: &str, text: &str) -> Result<bool> {
    let lock = lock_data(data)?;
    let rows = read_record_spans(data, &[(text_column, "--text-column")])?;
    let (Some(&(start, _)), Some(last)) = (rows.spans.last(), rows.texts.last()) else {
        return Ok(false);
    };
    if normalize(last) != normalize(text) {
        return Ok(false);
    }
    write_atomically(data, |w| w.write_all(&rows.bytes[..start]))?;
    drop(lock);
    Ok(true)
}

pub fn run(args: Args) -> Result<i32> {
    let text = match (&args.text, &args.file) {
        (Some(text), _) => text.clone(),
        (None, Some(path)) => read_utf8(path)?,
        (None, None) => unreachable!("clap requires TEXT or --file"),
    };
    let text = text.trim().to_string();
    if text.is_empty() {
        return Err(Error::usage("the draft is empty").with_hint("give the text to add"));
    }
    let label = args.label.trim().to_string();
    if label.is_empty() {
        return Err(Error::usage("the label is empty").with_hint("pass --label LABEL"));
    }
    let appended = append(
        &args.data.data,
        &args.data.text_column,
        &args.data.label_column,
        &text,
        &label,
        args.new_label,
    )?;
    // Rows count records (a draft with line breaks spans several lines).
    let data = args.data.data.display();
    crate::say!(
        "added a '{label}' draft to {data} as row {} (line {}); {} drafts in all. \
         To use it, retrain: draftcheck train --data {data}",
        appended.row,
        appended.line,
        appended.row
    );
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_folds_case_and_spacing() {
        assert_eq!(normalize("  Please\n call  ME "), "please call me");
    }

    #[test]
    fn the_lock_file_sits_beside_the_data() {
        assert_eq!(
            lock_path(Path::new("data/drafts.csv")),
            Path::new("data/.drafts.csv.lock")
        );
    }
}
