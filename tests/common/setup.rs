//! The folder the bad-input tests work in: a good model at `model.json`
//! (trained once per test binary and copied), and what each test runs on it.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::*;

/// The fixture model's bytes, trained once per test binary.
fn fixture_model() -> &'static [u8] {
    static MODEL: OnceLock<Vec<u8>> = OnceLock::new();
    MODEL.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::read(train_small(dir.path())).unwrap()
    })
}

/// A folder holding a good model at `model.json`, whose bytes must survive.
pub struct Setup {
    pub dir: tempfile::TempDir,
    pub model: PathBuf,
    pub model_bytes: Vec<u8>,
}

impl Setup {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let model = dir.path().join("model.json");
        let model_bytes = fixture_model().to_vec();
        std::fs::write(&model, &model_bytes).unwrap();
        Setup {
            dir,
            model,
            model_bytes,
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// `train` on `data` into the existing model: must fail with `needles`.
    pub fn train_fails(&self, data: &Path, needles: &[&str]) {
        let mut cmd = draftcheck_in(self.dir.path());
        // --force: the model there was trained on other data, and this is about
        // the data's own error (the guard has tests of its own, in cli_train).
        cmd.args(["train", "--force", "--data"])
            .arg(data)
            .arg("--model")
            .arg(&self.model);
        let stderr = assert_clean_failure(&mut cmd, 1, needles);
        assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
        self.assert_model_untouched();
    }

    pub fn assert_model_untouched(&self) {
        assert_eq!(
            std::fs::read(&self.model).unwrap(),
            self.model_bytes,
            "the model changed"
        );
        let leftovers: Vec<_> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    }

    /// `score` with a given model file: must fail with `needles`.
    pub fn score_fails(&self, model: &Path, needles: &[&str]) {
        let mut cmd = draftcheck_in(self.dir.path());
        cmd.args(["score", "--model"])
            .arg(model)
            .arg("please call me");
        assert_clean_failure(&mut cmd, 1, needles);
    }

    /// `train` with `args` on the fixture fails as a usage error naming
    /// `needle`, and the model stays as it was.
    pub fn train_is_a_usage_error(&self, args: &[&str], needle: &str) {
        let mut cmd = draftcheck_in(self.dir.path());
        cmd.arg("train")
            .args(args)
            .arg("--data")
            .arg(small_csv())
            .arg("--model")
            .arg(&self.model);
        assert_clean_failure(&mut cmd, 2, &[needle]);
        self.assert_model_untouched();
    }

    /// `train` on `data` into a fresh model `name`; must succeed. Returns the model
    /// file as JSON.
    pub fn train_works(&self, data: &Path, name: &str, extra: &[&str]) -> serde_json::Value {
        let model = self.path(name);
        let mut cmd = draftcheck_in(self.dir.path());
        // These files have a handful of rows: keep terms seen once (the default
        // min_df of 2 is for real data sets).
        cmd.args(["train", "--test-fraction", "0", "--min-df", "1"])
            .args(extra)
            .arg("--data")
            .arg(data)
            .arg("--model")
            .arg(&model);
        assert_works(&mut cmd);
        serde_json::from_slice(&std::fs::read(&model).unwrap()).unwrap()
    }

    /// Scores `drafts` as JSON with `model`; must succeed. Returns one object each.
    pub fn score_works(&self, model: &Path, args: &[&str]) -> Vec<serde_json::Value> {
        let mut cmd = draftcheck_in(self.dir.path());
        cmd.args(["score", "--format", "json", "--model"])
            .arg(model)
            .args(args);
        json_lines(&assert_works(&mut cmd).stdout)
    }

    /// The good model with one edit, written as `name`; scoring with it must fail.
    pub fn edited_model_fails(
        &self,
        name: &str,
        edit: impl FnOnce(&mut serde_json::Value),
        needles: &[&str],
    ) {
        let mut value: serde_json::Value = serde_json::from_slice(&self.model_bytes).unwrap();
        edit(&mut value);
        let path = self.write(name, value.to_string());
        let mut all = vec![name];
        all.extend_from_slice(needles);
        self.score_fails(&path, &all);
    }

    pub fn advice_fails(&self, advice: &Path, needles: &[&str]) {
        let mut cmd = draftcheck_in(self.dir.path());
        cmd.args(["score", "--model"])
            .arg(&self.model)
            .arg("--advice")
            .arg(advice)
            .arg("please call me");
        assert_clean_failure(&mut cmd, 1, needles);
    }
}

pub fn labels_of(model: &serde_json::Value) -> Vec<String> {
    serde_json::from_value(model["labels"].clone()).unwrap()
}

pub fn rows_of(model: &serde_json::Value) -> u64 {
    model["training"]["rows"].as_u64().unwrap()
}

pub const DESPERATE: &str = "desperate";

pub const COMPOSED: &str = "composed";
