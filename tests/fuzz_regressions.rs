//! Replays the fuzz seeds (fuzz/seeds/<target>/) and every input a fuzz run found
//! (tests/fuzz_regressions/<target>/) through the same entry points the cargo-fuzz
//! targets call (`draftcheck::fuzzing`). Each must return without panicking.
//! See CONTRIBUTING.md, "Fuzzing".

use std::path::{Path, PathBuf};

use draftcheck::fuzzing;

/// The repository root (where Cargo.toml is).
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The files of a directory that must exist, sorted; dot files (.gitkeep) skipped.
fn files(dir: &Path) -> Vec<PathBuf> {
    let entries =
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    let mut files: Vec<PathBuf> = entries
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| {
            path.is_file()
                && !path
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    files.sort();
    files
}

/// Runs `target` on every seed and every regression input; returns how many
/// regression inputs there were.
fn replay(target: &str, run: fn(&[u8])) -> usize {
    let seeds = files(&root().join("fuzz/seeds").join(target));
    assert!(!seeds.is_empty(), "no seeds for {target} in fuzz/seeds/");
    let regressions = files(&root().join("tests/fuzz_regressions").join(target));
    for path in seeds.iter().chain(&regressions) {
        let data =
            std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        eprintln!("{target}: {}", path.display());
        run(&data);
    }
    regressions.len()
}

#[test]
fn csv_loader() {
    replay("csv_loader", fuzzing::csv_loader);
}

#[test]
fn model_loader() {
    replay("model_loader", fuzzing::model_loader);
}

#[test]
fn analyzer() {
    replay("analyzer", fuzzing::analyzer);
}

#[test]
fn advice_loader() {
    replay("advice_loader", fuzzing::advice_loader);
}
