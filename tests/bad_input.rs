//! Every bad input of the list ends with a clear one-line error naming the
//! file (and line), a non-zero exit, no panic, and the previous model untouched.

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// A folder holding a good model at `model.json`, whose bytes must survive.
struct Setup {
    dir: tempfile::TempDir,
    model: PathBuf,
    model_bytes: Vec<u8>,
}

impl Setup {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let model = train_small(dir.path());
        let model_bytes = std::fs::read(&model).unwrap();
        Setup {
            dir,
            model,
            model_bytes,
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// `train` on `data` into the existing model: must fail with `needles`.
    fn train_fails(&self, data: &Path, needles: &[&str]) {
        let mut cmd = draftcheck_in(self.dir.path());
        cmd.args(["train", "--data"])
            .arg(data)
            .arg("--model")
            .arg(&self.model);
        let stderr = assert_clean_failure(&mut cmd, 1, needles);
        assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
        self.assert_model_untouched();
    }

    fn assert_model_untouched(&self) {
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
    fn score_fails(&self, model: &Path, needles: &[&str]) {
        let mut cmd = draftcheck_in(self.dir.path());
        cmd.args(["score", "--model"])
            .arg(model)
            .arg("please call me");
        assert_clean_failure(&mut cmd, 1, needles);
    }
}

#[test]
fn missing_data_file() {
    let s = Setup::new();
    s.train_fails(&s.path("nope.csv"), &["nope.csv", "cannot read"]);
}

#[test]
fn empty_data_file() {
    let s = Setup::new();
    s.train_fails(&s.write("empty.csv", ""), &["empty.csv", "empty"]);
}

#[test]
fn header_only() {
    let s = Setup::new();
    s.train_fails(&s.write("h.csv", "text,label\n"), &["h.csv", "no rows"]);
}

#[test]
fn missing_text_column() {
    let s = Setup::new();
    s.train_fails(
        &s.write("c.csv", "body,label\nhi,composed\n"),
        &["c.csv:1", "'text'", "--text-column"],
    );
}

#[test]
fn missing_label_column() {
    let s = Setup::new();
    s.train_fails(
        &s.write("c.csv", "text,mood\nhi,composed\n"),
        &["c.csv:1", "'label'", "--label-column"],
    );
}

#[test]
fn empty_text_field() {
    let s = Setup::new();
    s.train_fails(
        &s.write("e.csv", "text,label\nhello,composed\n  ,desperate\n"),
        &["e.csv:3", "'text' field is empty"],
    );
}

#[test]
fn empty_label_field() {
    let s = Setup::new();
    s.train_fails(
        &s.write("e.csv", "text,label\nhello,composed\nplease,\n"),
        &["e.csv:3", "'label' field is empty"],
    );
}

#[test]
fn ragged_row() {
    let s = Setup::new();
    s.train_fails(
        &s.write(
            "r.csv",
            "text,label\nhello,composed\nhi, it's me,desperate\n",
        ),
        &["r.csv:3", "3 fields", "header has 2", "quote"],
    );
}

#[test]
fn invalid_utf8_names_the_line() {
    let s = Setup::new();
    s.train_fails(
        &s.write(
            "l.csv",
            b"text,label\nhello,composed\ncaf\xe9 tonight?,desperate\n",
        ),
        &["l.csv:3", "UTF-8"],
    );
}

#[test]
fn a_single_label() {
    let s = Setup::new();
    s.train_fails(
        &s.write("one.csv", "text,label\nhi,composed\nbye,composed\n"),
        &["one.csv", "two labels"],
    );
}

#[test]
fn missing_model_file() {
    let s = Setup::new();
    s.score_fails(&s.path("gone.json"), &["gone.json", "cannot read"]);
}

#[test]
fn truncated_model_file() {
    let s = Setup::new();
    let half = &s.model_bytes[..s.model_bytes.len() / 2];
    s.score_fails(
        &s.write("half.json", half),
        &["half.json", "not valid JSON"],
    );
}

#[test]
fn model_file_that_is_not_json() {
    let s = Setup::new();
    s.score_fails(
        &s.write("x.json", "text,label\n"),
        &["x.json", "not a draftcheck model"],
    );
    s.score_fails(
        &s.write("y.json", "{\"hello\": 1}"),
        &["y.json", "not a draftcheck model"],
    );
    s.score_fails(&s.write("z.json", ""), &["z.json", "empty"]);
}

#[test]
fn model_of_another_format_version() {
    let s = Setup::new();
    let mut value: serde_json::Value = serde_json::from_slice(&s.model_bytes).unwrap();
    value["format_version"] = 99.into();
    s.score_fails(
        &s.write("v.json", value.to_string()),
        &["v.json", "version 99", "retrain"],
    );
}

#[test]
fn model_whose_dimensions_do_not_match() {
    let s = Setup::new();
    let base: serde_json::Value = serde_json::from_slice(&s.model_bytes).unwrap();
    let mut short = base.clone();
    short["weights"][0].as_array_mut().unwrap().pop();
    s.score_fails(
        &s.write("w.json", short.to_string()),
        &["w.json", "weight row 0"],
    );
    let mut labels = base.clone();
    labels["labels"] = serde_json::json!(["a", "b", "c"]);
    s.score_fails(
        &s.write("l.json", labels.to_string()),
        &["l.json", "3 labels need 3 weight row"],
    );
    let mut dupes = base.clone();
    dupes["labels"] = serde_json::json!(["a", "a"]);
    s.score_fails(
        &s.write("d.json", dupes.to_string()),
        &["d.json", "not unique"],
    );
    let mut df = base;
    df["vocabulary"]["doc_freq"].as_array_mut().unwrap().pop();
    s.score_fails(
        &s.write("f.json", df.to_string()),
        &["f.json", "document frequencies"],
    );
}

#[test]
fn unknown_format_is_a_usage_error() {
    let s = Setup::new();
    let mut cmd = draftcheck_in(s.dir.path());
    cmd.args(["score", "--format", "xml", "hi"]);
    assert_clean_failure(&mut cmd, 2, &["xml", "--format"]);
}

#[test]
fn alpha_must_be_a_positive_number() {
    let s = Setup::new();
    for (alpha, needle) in [
        ("0", "positive"),
        ("-1", "positive"),
        ("abc", "abc"),
        ("NaN", "positive"),
    ] {
        let mut cmd = draftcheck_in(s.dir.path());
        cmd.args(["train", "--alpha", alpha, "--data"])
            .arg(small_csv())
            .arg("--model")
            .arg(&s.model);
        assert_clean_failure(&mut cmd, 2, &[needle]);
        s.assert_model_untouched();
    }
}

#[test]
fn other_bad_options_are_usage_errors() {
    let s = Setup::new();
    for (args, needle) in [
        (vec!["--ngrams", "3-1"], "3-1"),
        (vec!["--ngrams", "x"], "n-gram"),
        (vec!["--test-fraction", "1.5"], "test-fraction"),
        (vec!["--min-df", "0"], "min-df"),
        (vec!["--language", "klingon"], "klingon"),
    ] {
        let mut cmd = draftcheck_in(s.dir.path());
        cmd.arg("train")
            .args(&args)
            .arg("--data")
            .arg(small_csv())
            .arg("--model")
            .arg(&s.model);
        assert_clean_failure(&mut cmd, 2, &[needle]);
        s.assert_model_untouched();
    }
}

#[test]
fn scoring_an_empty_draft_is_refused() {
    let s = Setup::new();
    let mut cmd = draftcheck_in(s.dir.path());
    cmd.args(["score", "--model"]).arg(&s.model).arg("   ");
    assert_clean_failure(&mut cmd, 2, &["empty"]);
    let mut cmd = draftcheck_in(s.dir.path());
    cmd.args(["score", "--model"]).arg(&s.model).write_stdin("");
    assert_clean_failure(&mut cmd, 2, &["empty"]);
}

#[test]
fn an_unwritable_model_folder_keeps_nothing_half_written() {
    let s = Setup::new();
    let mut cmd = draftcheck_in(s.dir.path());
    cmd.args(["train", "--test-fraction", "0", "--data"])
        .arg(small_csv())
        .arg("--model")
        .arg(s.path("no/such/folder/m.json"));
    assert_clean_failure(&mut cmd, 1, &["no/such/folder"]);
}

#[test]
fn a_bad_advice_file_names_its_line() {
    let s = Setup::new();
    let advice = s.write(
        "advice.toml",
        "[labels.desperate]\ndisplay = \"x\"\n[[labels.desperate.entries]]\nsection = 3\n",
    );
    let mut cmd = draftcheck_in(s.dir.path());
    cmd.args(["score", "--model"])
        .arg(&s.model)
        .arg("--advice")
        .arg(&advice)
        .arg("hi");
    assert_clean_failure(&mut cmd, 1, &["advice.toml:4"]);
}
