//! Reading files: the one place that reads a whole file, and the one that
//! reads it as UTF-8 text, each with an error that names the file. (Writing
//! is in [`crate::atomic`].)

use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};

/// Reads a whole file, with a clear error if it is missing or unreadable.
pub fn read_file(path: &Path) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|mut f| f.read_to_end(&mut bytes))
        .map_err(|e| Error::io("read", path, &e))?;
    Ok(bytes)
}

/// Reads a whole file as UTF-8 text (a byte-order mark dropped).
pub fn read_utf8(path: &Path) -> Result<String> {
    utf8(path, read_file(path)?)
}

/// Decodes bytes read from `path` (a file, or "-" for standard input) as UTF-8
/// text, a byte-order mark dropped.
pub fn utf8(path: &Path, bytes: Vec<u8>) -> Result<String> {
    let mut text = String::from_utf8(bytes).map_err(|e| {
        let line = 1 + e.as_bytes()[..e.utf8_error().valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        Error::at(path, Some(line), "the text is not valid UTF-8")
            .with_hint("save the file as UTF-8 text")
    })?;
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Ok(text)
}

/// A hidden file beside `path` named after it: `.NAME.suffix` (a lock, or a
/// memory of what was done to it).
pub fn hidden_beside(path: &std::path::Path, suffix: &str) -> std::path::PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{suffix}"))
}

/// Whether `a` and `b` name the same file: the same path as given, or paths
/// that resolve to the same file (for files that exist).
pub fn same_file(a: &Path, b: &Path) -> bool {
    a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(a), Ok(b)) if a == b)
}
