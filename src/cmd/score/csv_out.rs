//! CSV output of `score`: one writer for every row, spreadsheet-safe cells, and
//! the header of a batch.

use std::borrow::Cow;
use std::io::Write;

use crate::cmd::score::Scorer;

use crate::error::{Error, Result};

/// A cell that a spreadsheet would read as a formula (=, +, -, @, tab, CR first)
/// gets a leading apostrophe, so that opening the file runs nothing.
pub fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// Writes one CSV row (quoted as needed, formulas escaped).
pub fn write_csv_row<S: AsRef<str>>(out: &mut impl Write, cells: &[S]) -> Result<()> {
    let failed = |e: csv::Error| Error::new(format!("cannot write the output: {e}"));
    // A small buffer: this runs once per row of a batch.
    let mut writer = crate::csv_format::row_writer(out);
    for cell in cells {
        writer
            .write_field(spreadsheet_safe(cell.as_ref()).as_bytes())
            .map_err(failed)?;
    }
    writer.write_record(None::<&[u8]>).map_err(failed)?;
    writer.flush().map_err(crate::cmd::score::write_error)
}

/// The columns draftcheck adds to a batch CSV.
pub const ADDED_COLUMNS: [&str; 3] = ["label", "probability", "top_terms"];

/// The header of a batch CSV: the input's columns, then [`ADDED_COLUMNS`]. A name
/// the input already has gets the prefix `draftcheck_` (then a number, if that is
/// taken too), so that no name appears twice.
pub fn batch_header(input: &[String]) -> Vec<String> {
    let mut header = input.to_vec();
    for name in ADDED_COLUMNS {
        let mut candidate = name.to_string();
        let mut n = 1;
        while header.contains(&candidate) {
            candidate = if n == 1 {
                format!("draftcheck_{name}")
            } else {
                format!("draftcheck_{name}_{n}")
            };
            n += 1;
        }
        header.push(candidate);
    }
    header
}

impl Scorer<'_> {
    /// One verdict as a CSV row: the input's `columns` (or the draft), then
    /// label, probability and top terms. CSV carries neither advice nor
    /// sentences: only the verdict.
    pub(crate) fn write_csv(
        &self,
        draft: &str,
        columns: &[Cow<str>],
        out: &mut impl Write,
    ) -> Result<(usize, f64)> {
        let pipeline = &self.model.pipeline;
        let verdict = pipeline.score(draft);
        let mut top = String::new();
        for (i, c) in verdict.contributions.iter().take(self.top).enumerate() {
            let separator = if i > 0 { "; " } else { "" };
            let _ = std::fmt::Write::write_fmt(
                &mut top,
                format_args!("{separator}{} ({:+.2})", c.shown(draft), c.weight),
            );
        }
        let probability = format!("{:.4}", verdict.probability());
        let mut cells: Vec<&str> = if columns.is_empty() {
            vec![draft]
        } else {
            columns.iter().map(|c| c.as_ref()).collect()
        };
        cells.push(&pipeline.labels()[verdict.label]);
        cells.push(&probability);
        cells.push(&top);
        write_csv_row(out, &cells)?;
        Ok((verdict.label, verdict.probability()))
    }
}
