//! `score --batch`: every row of a CSV file, streamed in chunks scored on every
//! core and written in input order.

use std::borrow::Cow;
use std::io::Write;
use std::path::Path;

use rayon::prelude::*;

use crate::cmd::score::csv_out::{batch_header, write_csv_row};
use crate::cmd::score::{BATCH_CHUNK_ROWS, Format, ScoredRows, Scorer, write_error};
use crate::dataset::{
    QuoteCounter, csv_error, find_column, multiline_at, read_headers, reader_builder, text_field,
};
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
        let file = std::fs::File::open(path).map_err(|e| Error::io("read", path, &e))?;
        let size = file.metadata().map_or(0, |m| m.len());
        let progress = crate::progress::bytes(size, format!("scoring {}", path.display()));
        let mut reader =
            reader_builder().from_reader(QuoteCounter::new(std::io::BufReader::new(file)));
        let headers = read_headers(path, &mut reader)?;
        let column = find_column(path, &headers, text_column, "--text-column")?;
        if self.format == Format::Csv {
            write_csv_row(out, &batch_header(&headers))?;
        }
        // Many lookups follow: index the vocabulary (loading alone does not).
        self.model.pipeline.vectorizer().build_index();
        let mut chunk: Vec<csv::ByteRecord> = Vec::with_capacity(BATCH_CHUNK_ROWS);
        let mut last_multiline = None;
        loop {
            // Read the next chunk, reusing the records' buffers.
            let mut used = 0;
            let mut stop: Option<Error> = None;
            while used < BATCH_CHUNK_ROWS {
                if chunk.len() == used {
                    chunk.push(csv::ByteRecord::new());
                }
                match reader.read_byte_record(&mut chunk[used]) {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(e) => {
                        stop = Some(csv_error(path, e));
                        break;
                    }
                }
                if let Err(e) = text_field(path, &chunk[used], column, text_column) {
                    stop = Some(e);
                    break;
                }
                last_multiline = multiline_at(&chunk[used]);
                used += 1;
            }
            if used == 0 && stop.is_none() {
                // The end: a quote left open swallowed the last rows into one.
                reader.get_ref().check_closed(path, last_multiline)?;
                break;
            }
            let rows = &chunk[..used];
            let per_thread = rows.len().div_ceil(rayon::current_num_threads()).max(1);
            let scored: Vec<Result<ScoredRows>> = rows
                .par_chunks(per_thread)
                .map(|part| self.score_rows(path, part, column, text_column))
                .collect();
            for part in scored {
                let (bytes, labels) = part?;
                out.write_all(&bytes).map_err(write_error)?;
                for label in labels {
                    seen[label] = true;
                }
            }
            progress.set_position(reader.position().byte());
            if let Some(e) = stop {
                return Err(e);
            }
        }
        Ok(())
    }

    /// Scores rows of a --batch file into their output bytes and labels.
    fn score_rows(
        &self,
        path: &Path,
        rows: &[csv::ByteRecord],
        column: usize,
        text_column: &str,
    ) -> Result<ScoredRows> {
        let mut bytes = Vec::new();
        let mut labels = Vec::with_capacity(rows.len());
        for record in rows {
            let line = record.position().map_or(0, |p| p.line());
            let text = text_field(path, record, column, text_column)?;
            if self.format == Format::Text {
                writeln!(bytes, "── line {line}").map_err(write_error)?;
            }
            let columns: Vec<Cow<str>> = if self.format == Format::Csv {
                record.iter().map(String::from_utf8_lossy).collect()
            } else {
                Vec::new()
            };
            labels.push(self.write(text, Some(line), &columns, &mut bytes)?.0);
        }
        Ok((bytes, labels))
    }
}
