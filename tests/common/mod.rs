//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The repository root (where Cargo.toml is).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A `draftcheck` command run from `dir`, with colour and backtraces off.
pub fn draftcheck_in(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_draftcheck"));
    cmd.current_dir(dir)
        .env("NO_COLOR", "1")
        .env("RUST_BACKTRACE", "1");
    cmd
}

/// The small hand-written fixture: 12 desperate and 12 composed drafts, with an
/// id and a note column that training must ignore.
pub fn small_csv() -> PathBuf {
    root().join("tests/fixtures/small.csv")
}

/// A CSV writer at `path` holding the header and the first `rows` rows of the
/// bundled drafts (text, label, theme); the caller may add rows, then flushes.
pub fn first_bundled_drafts(path: &Path, rows: usize) -> csv::Writer<std::fs::File> {
    let mut reader = csv::Reader::from_path(root().join("data/drafts.csv")).unwrap();
    let mut writer = csv::Writer::from_path(path).unwrap();
    writer.write_record(reader.headers().unwrap()).unwrap();
    for record in reader.records().take(rows) {
        writer.write_record(&record.unwrap()).unwrap();
    }
    writer
}

/// Trains a model on the small fixture into `dir/model.json` and returns its path.
pub fn train_small(dir: &Path) -> PathBuf {
    let model = dir.join("model.json");
    draftcheck_in(dir)
        .args(["train", "--test-fraction", "0", "--data"])
        .arg(small_csv())
        .arg("--model")
        .arg(&model)
        .assert()
        .success();
    model
}

/// Runs a command expected to fail: checks the exit code, that stderr is one
/// `error:` line containing every `needle`, and that nothing panicked.
pub fn assert_clean_failure(cmd: &mut Command, code: i32, needles: &[&str]) -> String {
    let output = cmd.output().expect("run draftcheck");
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert_eq!(
        output.status.code(),
        Some(code),
        "exit code; stderr: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    assert!(
        !stderr.contains("RUST_BACKTRACE"),
        "backtrace hint: {stderr}"
    );
    for needle in needles {
        assert!(stderr.contains(needle), "expected {needle:?} in: {stderr}");
    }
    stderr
}

/// Runs a command that must succeed, with nothing alarming on stderr (no
/// panic, backtrace or error); returns its output.
pub fn assert_works(cmd: &mut Command) -> std::process::Output {
    let output = cmd.output().expect("run draftcheck");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "failed ({:?}): {stderr}",
        output.status.code()
    );
    for bad in ["panicked", "internal error", "RUST_BACKTRACE", "error:"] {
        assert!(!stderr.contains(bad), "{bad:?} on stderr: {stderr}");
    }
    output
}

/// Parses JSON lines.
pub fn json_lines(stdout: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

mod setup;
#[allow(unused_imports)]
pub use setup::*;

/// Weight row `i` of a model file's JSON (packed or plain).
pub fn weight_row(model: &serde_json::Value, i: usize) -> Vec<f64> {
    match &model["weights"][i] {
        serde_json::Value::String(text) => draftcheck::model::packed::unpack(text).unwrap(),
        other => serde_json::from_value(other.clone()).unwrap(),
    }
}

/// Replaces weight row `i` of a model file's JSON (written packed).
pub fn set_weight_row(model: &mut serde_json::Value, i: usize, row: &[f64]) {
    model["weights"][i] = draftcheck::model::packed::pack(row).into();
}
