//! Atomic file replacement: write a temporary file in the target's folder, flush it
//! to disk, then rename it over the target. A reader (or a crash) sees the old file
//! or the new one, never a mix; a failed write leaves the old file untouched.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

/// Replaces `path` with whatever `write` produces, atomically.
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let fail = |e: std::io::Error| Error::io("write", path, &e);
    let mut file = tempfile::Builder::new()
        .prefix(".draftcheck-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| {
            Error::io("write", path, &e).with_hint(format!(
                "check that the folder {} exists and is writable",
                dir.display()
            ))
        })?;
    {
        let mut out = std::io::BufWriter::new(file.as_file_mut());
        write(&mut out).map_err(fail)?;
        out.flush().map_err(fail)?;
    }
    file.as_file().sync_all().map_err(fail)?;
    file.persist(path).map_err(|e| fail(e.error))?;
    // Make the rename itself durable; not every platform or file system allows it.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_file_and_leaves_no_temporary_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        std::fs::write(&path, "old").unwrap();
        write_atomically(&path, |w| w.write_all(b"new")).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_failed_write_keeps_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        std::fs::write(&path, "old").unwrap();
        let err = write_atomically(&path, |w| {
            w.write_all(b"half")?;
            Err(std::io::Error::other("disk full"))
        })
        .unwrap_err();
        assert!(err.to_string().contains("disk full"));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_missing_folder_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("no/such/dir/out.txt");
        let err = write_atomically(&path, |w| w.write_all(b"x")).unwrap_err();
        assert!(err.to_string().contains("no/such/dir"));
    }
}
