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
    let mut builder = tempfile::Builder::new();
    builder.prefix(".draftcheck-").suffix(".tmp");
    // A temporary file is private (0600) by default; the file it becomes should have
    // the usual permissions (0666 less the umask), as any newly created file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut file = builder.tempfile_in(dir).map_err(|e| {
        // tempfile names its own random path in the message: report the OS error.
        let e = e
            .raw_os_error()
            .map_or(e, std::io::Error::from_raw_os_error);
        let folder = if dir == Path::new(".") {
            "the current folder".to_string()
        } else {
            format!("the folder {}", dir.display())
        };
        Error::io("write", path, &e)
            .with_hint(format!("check that {folder} exists and is writable"))
    })?;
    // Replacing a file keeps its permissions.
    if let Ok(meta) = std::fs::metadata(path) {
        file.as_file()
            .set_permissions(meta.permissions())
            .map_err(fail)?;
    }
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
    remove_stale_temporaries(dir);
    Ok(())
}

/// How old a temporary file must be to count as left behind by a killed run.
pub const STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(3600);

/// Deletes the temporary files (`.draftcheck-*.tmp`) that runs killed mid-write
/// left in `dir`: only those older than [`STALE_AFTER`], so that a write still
/// in progress is never touched. Best effort: failures are ignored.
pub fn remove_stale_temporaries(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !(name.starts_with(".draftcheck-") && name.ends_with(".tmp")) {
            continue;
        }
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > STALE_AFTER);
        if stale {
            let _ = std::fs::remove_file(entry.path());
        }
    }
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
    fn temporaries_left_by_killed_runs_are_removed_once_stale() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join(".draftcheck-aaaaaa.tmp");
        let fresh = dir.path().join(".draftcheck-bbbbbb.tmp");
        let other = dir.path().join("notes.tmp");
        for p in [&old, &fresh, &other] {
            std::fs::write(p, "x").unwrap();
        }
        let long_ago = std::time::SystemTime::now() - STALE_AFTER * 2;
        std::fs::File::options()
            .write(true)
            .open(&old)
            .unwrap()
            .set_modified(long_ago)
            .unwrap();
        write_atomically(&dir.path().join("out.txt"), |w| w.write_all(b"new")).unwrap();
        assert!(!old.exists(), "a stale temporary stays");
        assert!(fresh.exists(), "a write in progress would lose its file");
        assert!(other.exists());
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

    #[cfg(unix)]
    #[test]
    fn permissions_are_those_of_a_new_file_or_of_the_file_replaced() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.txt");
        write_atomically(&path, |w| w.write_all(b"x")).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_ne!(
            mode & 0o044,
            0,
            "a new file is readable by others (mode {mode:o})"
        );
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomically(&path, |w| w.write_all(b"y")).unwrap();
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o640
        );
    }

    #[test]
    fn a_missing_folder_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("no/such/dir/out.txt");
        let err = write_atomically(&path, |w| w.write_all(b"x")).unwrap_err();
        assert!(err.to_string().contains("no/such/dir"));
    }
}
