//! `audit --review` and `audit --undo`: act on the likely label mistakes, one
//! at a time, with every change logged beside the data and undoable.
//!
//! The data file is rewritten under the same lock as `add`, atomically, and
//! only the bytes of the row changed: every other row stays as it was written.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::atomic::write_atomically;
use crate::cmd::add::lock_data;
use crate::cmd::audit::Finding;
use crate::csv_format::{encode, fields_of, line_end_before_append, read_all};
use crate::dataset::{RecordSpans, read_record_spans};
use crate::error::{Error, Result};
use crate::files::read_file;

/// The log of review changes: `DATA.audit-log.csv` beside the data.
pub fn log_path(data: &Path) -> PathBuf {
    let mut name = data.as_os_str().to_owned();
    name.push(".audit-log.csv");
    PathBuf::from(name)
}

/// The columns of the review log.
const LOG_HEADER: [&str; 5] = ["time", "row", "old_label", "new_label", "text"];

/// One change to a row.
#[derive(Debug, Clone, PartialEq)]
enum Change {
    /// Set the label.
    Relabel(String),
    /// Remove the row.
    Drop,
    /// Put a removed row back (the undo of a drop).
    Insert { text: String, label: String },
}

/// One record, encoded with the file's line ending.
fn encode_row(
    data: &Path,
    rows: &RecordSpans,
    text: &str,
    label: &str,
    old: Option<&[u8]>,
) -> Result<Vec<u8>> {
    // Keep the other cells of the row being relabelled; a new row gets empty ones.
    let mut cells: Vec<String> = match old {
        Some(bytes) => fields_of(data, bytes)?,
        None => vec![String::new(); rows.headers.len()],
    };
    cells.resize(rows.headers.len(), String::new());
    let t = rows
        .headers
        .iter()
        .position(|h| h == "text")
        .expect("checked");
    let l = rows
        .headers
        .iter()
        .position(|h| h == "label")
        .expect("checked");
    cells[t] = text.to_string();
    cells[l] = label.to_string();
    encode([cells], rows.crlf)
}

/// Applies a change to row `row` (1-based) whose text must be `text`, under
/// the lock, atomically.
fn apply(data: &Path, row: usize, text: &str, change: &Change) -> Result<()> {
    let lock = lock_data(data)?;
    let rows = read_record_spans(
        data,
        &[("text", "--text-column"), ("label", "--label-column")],
    )?;
    let stale = || {
        Error::new(format!(
            "{}: row {row} is no longer the draft reviewed",
            data.display()
        ))
        .with_hint("the file changed since the audit: run draftcheck audit again")
    };
    let mut out = Vec::with_capacity(rows.bytes.len() + text.len() + 16);
    match change {
        Change::Insert { text, label } => {
            let at = rows.spans.get(row - 1).map_or(rows.bytes.len(), |s| s.0);
            out.extend_from_slice(&rows.bytes[..at]);
            if at == rows.bytes.len() {
                out.extend_from_slice(line_end_before_append(&rows.bytes, rows.crlf));
            }
            out.extend(encode_row(data, &rows, text, label, None)?);
            out.extend_from_slice(&rows.bytes[at..]);
        }
        _ => {
            let (start, end) = *rows.spans.get(row - 1).ok_or_else(stale)?;
            if rows.texts[row - 1] != text {
                return Err(stale());
            }
            out.extend_from_slice(&rows.bytes[..start]);
            if let Change::Relabel(label) = change {
                let mut encoded =
                    encode_row(data, &rows, text, label, Some(&rows.bytes[start..end]))?;
                if !rows.bytes[start..end].ends_with(b"\n") {
                    // The last row had no line ending: keep it so.
                    while encoded.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
                        encoded.pop();
                    }
                }
                out.extend(encoded);
            }
            out.extend_from_slice(&rows.bytes[end..]);
        }
    }
    write_atomically(data, |w| w.write_all(&out))?;
    drop(lock);
    Ok(())
}

fn append_log(data: &Path, row: usize, old: &str, new: &str, text: &str) -> Result<()> {
    let path = log_path(data);
    let mut bytes = if path.is_file() {
        read_file(&path)?
    } else {
        Vec::new()
    };
    let time = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    let row = row.to_string();
    let entry = [time.as_str(), &row, old, new, text];
    bytes.extend(if bytes.is_empty() {
        encode([LOG_HEADER, entry], false)?
    } else {
        encode([entry], false)?
    });
    write_atomically(&path, |f| f.write_all(&bytes))
}

/// `audit --review`: keep, relabel, drop, skip or quit, for each finding.
pub fn review(data: &Path, findings: &[Finding]) -> Result<i32> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let werr = crate::cmd::write_error;
    let suspects: Vec<&Finding> = findings.iter().filter(|f| f.kind == "label").collect();
    writeln!(
        out,
        "{} rows to review. Keys: k keep, r relabel as suggested, d drop the row, s skip, q quit.",
        suspects.len()
    )
    .map_err(werr)?;
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let (mut changed, mut dropped_before) = (0usize, Vec::<usize>::new());
    for f in suspects {
        // Rows dropped earlier in this review move the later ones up.
        let row = f.row - dropped_before.iter().filter(|&&d| d < f.row).count();
        let flat: String = f.text.split_whitespace().collect::<Vec<_>>().join(" ");
        let finding = format!(
            "\nrow {row} (line {}): labelled {}, the model says {} ({})\n  “{flat}”\n  because of: {}",
            f.line,
            f.label,
            f.suggested,
            crate::cmd::audit::how_sure(f),
            f.terms.join(", ")
        );
        writeln!(out, "{}", crate::terminal::terminal_safe(&finding)).map_err(werr)?;
        let Some(answer) = crate::cmd::ask(&mut out, &mut input, "review> ")? else {
            break;
        };
        match answer.as_str() {
            "q" => break,
            "r" => {
                apply(data, row, &f.text, &Change::Relabel(f.suggested.clone()))?;
                append_log(data, row, &f.label, &f.suggested, &f.text)?;
                writeln!(out, "  relabelled as {}", f.suggested).map_err(werr)?;
                changed += 1;
            }
            "d" => {
                apply(data, row, &f.text, &Change::Drop)?;
                append_log(data, row, &f.label, "", &f.text)?;
                dropped_before.push(f.row);
                writeln!(out, "  dropped").map_err(werr)?;
                changed += 1;
            }
            _ => {}
        }
    }
    writeln!(
        out,
        "\n{changed} change(s), logged in {} (draftcheck audit --undo reverses the last).",
        log_path(data).display()
    )
    .map_err(werr)?;
    Ok(0)
}

/// `audit --undo`: reverses the last logged change and removes it from the log.
pub fn undo(data: &Path) -> Result<i32> {
    let path = log_path(data);
    if !path.is_file() {
        return Err(Error::new(format!(
            "{}: nothing to undo (no {})",
            data.display(),
            path.display()
        ))
        .with_hint("changes are logged by draftcheck audit --review"));
    }
    let (_, headers, records) = read_all(&path)?;
    if headers != LOG_HEADER {
        return Err(Error::at(
            &path,
            Some(1),
            format!(
                "not a review log: its columns are {}, not {}",
                headers.join(","),
                LOG_HEADER.join(",")
            ),
        )
        .with_hint("the log is written by draftcheck audit --review; restore it or remove it"));
    }
    let mut entries = records
        .iter()
        .map(|r| {
            (0..headers.len())
                .map(|i| r.field(i).map(String::from))
                .collect::<Result<Vec<_>>>()
        })
        .collect::<Result<Vec<_>>>()?;
    let Some(last) = entries.pop() else {
        return Err(Error::new(format!("{}: nothing to undo", path.display())));
    };
    let row: usize = last[1].parse().ok().filter(|&r| r >= 1).ok_or_else(|| {
        Error::at(
            &path,
            None,
            "the last entry's row is not a row number (1 or more)",
        )
    })?;
    let (old, new, text) = (&last[2], &last[3], &last[4]);
    if let Some(problem) = crate::terminal::name_problem(old) {
        return Err(Error::at(
            &path,
            None,
            format!("the last entry's old label {problem}"),
        )
        .with_hint("the log was edited by hand: fix that entry, or change the row yourself; nothing was undone"));
    }
    if new.is_empty() {
        apply(
            data,
            row,
            text,
            &Change::Insert {
                text: text.to_string(),
                label: old.to_string(),
            },
        )?;
    } else {
        apply(data, row, text, &Change::Relabel(old.to_string()))?;
    }
    let header = LOG_HEADER.map(String::from).to_vec();
    let rest = encode(std::iter::once(&header).chain(&entries), false)?;
    write_atomically(&path, |f| f.write_all(&rest))?;
    crate::say!(
        "undone: row {row} {} (label {old})",
        if new.is_empty() {
            "put back"
        } else {
            "relabelled back"
        }
    );
    Ok(0)
}
