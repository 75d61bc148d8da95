//! The one CSV configuration: every CSV reader and writer of draftcheck comes
//! from here (as xsv's `config.rs`).
//!
//! The format: UTF-8, a header row, comma-separated, RFC 4180 quoting (fields
//! with commas, quotes or newlines in double quotes, inner quotes doubled).
//! Every row has as many fields as the header. A UTF-8 byte-order mark and CRLF
//! line endings are accepted.
//!
//! [`Records`] reads a file's header, checks it, and yields its records with
//! their line numbers. The checks a field needs are built in: [`Record::field`]
//! fails with the file and line on a NUL byte or on bytes that are not UTF-8,
//! and the end of the file fails if a quoted field was never closed (which the
//! csv crate would otherwise read silently to the end of the file, swallowing
//! every row after it). [`writer`] is the one writer configuration.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::files::read_file;

fn reader_builder() -> csv::ReaderBuilder {
    let mut builder = csv::ReaderBuilder::new();
    builder.has_headers(true).flexible(false);
    builder
}

/// The records of a CSV source, after its checked header.
pub struct Records<R: Read> {
    path: Arc<Path>,
    reader: csv::Reader<QuoteCounter<R>>,
    headers: Vec<String>,
    /// The line of the last record read if one of its fields spans lines.
    last_multiline: Option<u64>,
}

impl Records<std::io::BufReader<std::fs::File>> {
    /// Opens `path`, streaming.
    pub fn open(path: &Path) -> Result<Self> {
        let file = std::fs::File::open(path).map_err(|e| Error::io("read", path, &e))?;
        Records::new(path, std::io::BufReader::new(file))
    }
}

impl<'a> Records<&'a [u8]> {
    /// Reads the bytes of a file; `path` names it in errors.
    pub fn from_bytes(path: &Path, bytes: &'a [u8]) -> Result<Self> {
        Records::new(path, bytes)
    }
}

impl<R: Read> Records<R> {
    /// Reads and checks the header row of `source`: UTF-8, not empty, no name
    /// twice. `path` names the source in errors.
    pub fn new(path: &Path, source: R) -> Result<Self> {
        let mut reader = reader_builder().from_reader(QuoteCounter::new(source));
        let headers = read_headers(path, &mut reader)?;
        Ok(Records {
            path: Arc::from(path),
            reader,
            headers,
            last_multiline: None,
        })
    }

    /// The column names, in order (a byte-order mark and spaces trimmed).
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// The positions of the columns wanted (each with the option that names
    /// it); every missing one is reported at once, with the columns there are.
    pub fn columns(&self, wanted: &[(&str, &str)]) -> Result<Vec<usize>> {
        find_columns(&self.path, &self.headers, wanted)
    }

    /// Reads the next record into `record` (reusing its buffers): false at the
    /// end of the file, after checking that no quoted field was left open.
    pub fn read_into(&mut self, record: &mut Record) -> Result<bool> {
        match self.reader.read_byte_record(&mut record.inner) {
            Ok(true) => {
                if !Arc::ptr_eq(&record.path, &self.path) {
                    record.path = Arc::clone(&self.path);
                }
                self.last_multiline = record
                    .inner
                    .iter()
                    .any(|f| f.contains(&b'\n'))
                    .then(|| record.line());
                Ok(true)
            }
            Ok(false) => {
                self.reader
                    .get_ref()
                    .check_closed(&self.path, self.last_multiline)?;
                Ok(false)
            }
            Err(e) => Err(csv_error(&self.path, e)),
        }
    }

    /// Bytes of the source read so far.
    pub fn byte_position(&self) -> u64 {
        self.reader.position().byte()
    }
}

impl<R: Read> Iterator for Records<R> {
    type Item = Result<Record>;

    fn next(&mut self) -> Option<Result<Record>> {
        let mut record = Record::default();
        match self.read_into(&mut record) {
            Ok(true) => Some(Ok(record)),
            Ok(false) => None,
            Err(e) => Some(Err(e)),
        }
    }
}

/// One record of a CSV file, with where it is.
#[derive(Debug, Clone)]
pub struct Record {
    inner: csv::ByteRecord,
    /// The file, for errors.
    path: Arc<Path>,
}

impl Default for Record {
    fn default() -> Self {
        Record {
            inner: csv::ByteRecord::new(),
            path: Arc::from(Path::new("")),
        }
    }
}

impl Record {
    /// The line of the file where the record starts.
    pub fn line(&self) -> u64 {
        self.inner.position().map_or(0, |p| p.line())
    }

    /// The byte offset in the file where the record starts.
    pub fn start(&self) -> usize {
        self.inner.position().map_or(0, |p| p.byte()) as usize
    }

    /// Field `column` as text: an error with the file and line if it holds a
    /// NUL byte (a binary or UTF-16 file, which no editor writes as text) or
    /// is not UTF-8. A missing column reads as empty.
    pub fn field(&self, column: usize) -> Result<&str> {
        let bytes = self.inner.get(column).unwrap_or_default();
        if bytes.contains(&0) {
            return Err(Error::at(
                &self.path,
                Some(self.line()),
                "the field contains a NUL byte (\\0)",
            )
            .with_hint("this looks like a binary or UTF-16 file: save it as CSV UTF-8 text"));
        }
        std::str::from_utf8(bytes).map_err(|_| not_utf8(&self.path, self.line()))
    }

    /// The text field `column` (named `name`), which must not be blank.
    pub fn text(&self, column: usize, name: &str) -> Result<&str> {
        let text = self.field(column)?;
        if text.trim().is_empty() {
            return Err(Error::at(
                &self.path,
                Some(self.line()),
                format!("the '{name}' field is empty"),
            )
            .with_hint("write the draft's text, or delete the row"));
        }
        Ok(text)
    }

    /// Every field as text, invalid UTF-8 replaced (for copying columns that
    /// draftcheck does not read into its output).
    pub fn lossy_fields(&self) -> impl Iterator<Item = std::borrow::Cow<'_, str>> {
        self.inner.iter().map(String::from_utf8_lossy)
    }
}

/// Reads all the records of a file: its bytes, its header and its records.
pub fn read_all(path: &Path) -> Result<(Vec<u8>, Vec<String>, Vec<Record>)> {
    let bytes = read_file(path)?;
    let records = Records::from_bytes(path, &bytes)?;
    let headers = records.headers().to_vec();
    let rows = records.collect::<Result<Vec<_>>>()?;
    Ok((bytes, headers, rows))
}

/// The fields of one CSV record on its own (no header), e.g. a row's bytes cut
/// from a file; `path` names the file in errors.
pub fn fields_of(path: &Path, bytes: &[u8]) -> Result<Vec<String>> {
    let mut reader = reader_builder().has_headers(false).from_reader(bytes);
    let mut record = csv::StringRecord::new();
    reader
        .read_record(&mut record)
        .map_err(|e| csv_error(path, e))?;
    Ok(record.iter().map(String::from).collect())
}

/// The one CSV writer configuration: RFC 4180 quoting as needed, and lines
/// ending in `\r\n` if `crlf`, else `\n`.
pub fn writer<W: Write>(out: W, crlf: bool) -> csv::Writer<W> {
    writer_builder(crlf).from_writer(out)
}

/// A [`writer`] (lines ending in `\n`) with a small buffer, for writing one
/// row at a time (as `score --batch` does for each row).
pub fn row_writer<W: Write>(out: W) -> csv::Writer<W> {
    writer_builder(false).buffer_capacity(256).from_writer(out)
}

fn writer_builder(crlf: bool) -> csv::WriterBuilder {
    let mut builder = csv::WriterBuilder::new();
    builder.has_headers(false).terminator(if crlf {
        csv::Terminator::CRLF
    } else {
        csv::Terminator::Any(b'\n')
    });
    builder
}

/// Records encoded as CSV bytes (see [`writer`]).
pub fn encode<I, T>(rows: I, crlf: bool) -> Result<Vec<u8>>
where
    I: IntoIterator<Item = T>,
    T: IntoIterator,
    T::Item: AsRef<[u8]>,
{
    let failed = |e: String| Error::new(format!("cannot encode a CSV row: {e}"));
    let mut w = writer(Vec::new(), crlf);
    for row in rows {
        w.write_record(row).map_err(|e| failed(e.to_string()))?;
    }
    w.into_inner().map_err(|e| failed(e.to_string()))
}

/// What to write after `bytes` (a file's) before a row is appended to them:
/// its line ending if its last line has none, else nothing.
pub fn line_end_before_append(bytes: &[u8], crlf: bool) -> &'static [u8] {
    match (bytes.is_empty() || bytes.ends_with(b"\n"), crlf) {
        (true, _) => b"",
        (false, true) => b"\r\n",
        (false, false) => b"\n",
    }
}

/// Whether the file's lines end in CRLF (so that a row written into it can
/// match them).
pub fn uses_crlf(bytes: &[u8]) -> bool {
    bytes.windows(2).any(|w| w == b"\r\n")
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

/// Decodes and checks the header row: UTF-8, not empty, no duplicate names.
fn read_headers<R: Read>(path: &Path, reader: &mut csv::Reader<R>) -> Result<Vec<String>> {
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
fn csv_error(path: &Path, err: csv::Error) -> Error {
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

/// Counts the double quotes of what the CSV reader reads, to catch a quoted
/// field that is never closed.
struct QuoteCounter<R> {
    inner: R,
    quotes: u64,
}

impl<R: Read> QuoteCounter<R> {
    fn new(inner: R) -> Self {
        QuoteCounter { inner, quotes: 0 }
    }

    /// At the end of the file, fails if the last record ran to the end of the
    /// file inside a quoted field: an odd number of quotes in the file, and a
    /// field of the last record spanning lines (`last_multiline`, its line).
    fn check_closed(&self, path: &Path, last_multiline: Option<u64>) -> Result<()> {
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

impl<R: Read> Read for QuoteCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.quotes += buf[..n].iter().filter(|&&b| b == b'"').count() as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(bytes: &[u8]) -> Result<Vec<Record>> {
        Records::from_bytes(Path::new("t.csv"), bytes)?.collect()
    }

    #[test]
    fn records_carry_their_lines_and_fields() {
        let rows = records(b"text,label\n\"two\nlines\",a\nthree,b\n").unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].line(), rows[1].line()), (2, 4));
        assert_eq!(rows[0].field(0).unwrap(), "two\nlines");
        assert_eq!(rows[1].field(1).unwrap(), "b");
        assert_eq!(rows[1].start(), b"text,label\n\"two\nlines\",a\n".len());
    }

    #[test]
    fn an_unclosed_quote_fails_at_its_line() {
        let e = records(b"text,label\nok,a\nfine,\"never closed\nlost,a\n").unwrap_err();
        let text = e.to_string();
        assert!(text.contains("t.csv:3"), "{text}");
        assert!(text.contains("never closed"), "{text}");
    }

    #[test]
    fn nul_bytes_and_bad_utf8_fail_in_the_field_asked_for() {
        let rows = records(b"text,label,extra\na\0b,x,\xff\n").unwrap();
        assert!(rows[0].field(0).unwrap_err().to_string().contains("NUL"));
        assert!(rows[0].field(2).unwrap_err().to_string().contains("UTF-8"));
        // A column never asked for does not stop the file.
        assert_eq!(rows[0].field(1).unwrap(), "x");
    }

    #[test]
    fn the_writer_quotes_and_keeps_the_line_ending() {
        let bytes = encode([["a,b", "say \"hi\""], ["x", "y"]], true).unwrap();
        assert_eq!(bytes, b"\"a,b\",\"say \"\"hi\"\"\"\r\nx,y\r\n");
        let back = records(&[b"c1,c2\n".as_slice(), &bytes].concat()).unwrap();
        assert_eq!(back[0].field(1).unwrap(), "say \"hi\"");
    }
}
