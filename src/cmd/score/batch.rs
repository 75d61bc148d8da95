//! `score --batch`: every row of a CSV file, streamed in chunks scored on every
//! core and written in input order.

use std::borrow::Cow;
use std::io::Write;
use std::path::Path;

use rayon::prelude::*;

use crate::cmd::score::csv_out::{batch_header, write_csv_row};
use crate::cmd::score::{BATCH_CHUNK_ROWS, Format, ScoredRows, Scorer, write_error};
use crate::csv_format::{Record, Records};
use crate::error::{Error, Result};

impl Scorer<'_> {
    /// Scores each row of a CSV file, streaming, in input order; marks the labels seen.
    ///
    /// Rows are read in chunks of [`BATCH_CHUNK_ROWS`]; each chunk is scored on
    /// every core and written in order before the next is read, so memory stays
    /// flat whatever the size of the file. A bad row stops the run with its line,
    /// after every row before it has been written.
    pub fn batch(
        &self,
        path: &Path,
        text_column: &str,
        out: &mut impl Write,
        seen: &mut [bool],
    ) -> Result<()> {
        let size = std::fs::metadata(path).map_or(0, |m| m.len());
        let mut records = Records::open(path)?;
        let progress = crate::progress::bytes(size, format!("scoring {}", path.display()));
        let column = records.columns(&[(text_column, "--text-column")])?[0];
        if self.format == Format::Csv {
            write_csv_row(out, &batch_header(records.headers()))?;
        }
        // Many lookups follow: index the vocabulary (loading alone does not).
        self.model.pipeline.vectorizer().build_index();
        let mut chunk: Vec<Record> = Vec::with_capacity(BATCH_CHUNK_ROWS);
        loop {
            // Read the next chunk, reusing the records' buffers.
            let mut used = 0;
            let mut stop: Option<Error> = None;
            while used < BATCH_CHUNK_ROWS {
                if chunk.len() == used {
                    chunk.push(Record::default());
                }
                match records.read_into(&mut chunk[used]) {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(e) => {
                        stop = Some(e);
                        break;
                    }
                }
                if let Err(e) = chunk[used].text(column, text_column) {
                    stop = Some(e);
                    break;
                }
                used += 1;
            }
            if used == 0 {
                match stop {
                    Some(e) => return Err(e),
                    None => break,
                }
            }
            let rows = &chunk[..used];
            let per_thread = rows.len().div_ceil(rayon::current_num_threads()).max(1);
            let scored: Vec<Result<ScoredRows>> = rows
                .par_chunks(per_thread)
                .map(|part| self.score_rows(part, column, text_column))
                .collect();
            for part in scored {
                let (bytes, labels) = part?;
                out.write_all(&bytes).map_err(write_error)?;
                for label in labels {
                    seen[label] = true;
                }
            }
            progress.set_position(records.byte_position());
            if let Some(e) = stop {
                return Err(e);
            }
        }
        Ok(())
    }

    /// Scores rows of a --batch file into their output bytes and labels.
    fn score_rows(&self, rows: &[Record], column: usize, text_column: &str) -> Result<ScoredRows> {
        let mut bytes = Vec::new();
        let mut labels = Vec::with_capacity(rows.len());
        for record in rows {
            let line = record.line();
            let text = record.text(column, text_column)?;
            if self.format == Format::Text {
                writeln!(bytes, "── line {line}").map_err(write_error)?;
            }
            let columns: Vec<Cow<str>> = if self.format == Format::Csv {
                record.lossy_fields().collect()
            } else {
                Vec::new()
            };
            labels.push(self.write(text, Some(line), &columns, &mut bytes)?.0);
        }
        Ok((bytes, labels))
    }
}
