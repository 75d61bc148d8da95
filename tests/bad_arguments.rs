//! Bad command lines: usage errors (exit 2) that name the option, and bad
//! drafts given on the command line, in a file or in a batch.

mod common;

use common::*;

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
        ("0", "--alpha must be a positive number"),
        ("-1", "--alpha must be a positive number"),
        ("abc", "abc"),
        ("NaN", "--alpha must be a positive number"),
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
        s.train_is_a_usage_error(&args, needle);
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
fn folds_below_two_or_above_the_rows_are_usage_errors() {
    let s = Setup::new();
    for (folds, needle) in [
        ("1", "at least 2"),
        ("0", "at least 2"),
        ("50", "more than"),
    ] {
        let mut cmd = draftcheck_in(s.dir.path());
        cmd.args(["evaluate", "--folds", folds, "--data"])
            .arg(small_csv());
        assert_clean_failure(&mut cmd, 2, &["--folds", needle]);
    }
}

#[test]
fn more_bad_training_options_are_usage_errors() {
    let s = Setup::new();
    for (args, needle) in [
        (vec!["--max-iterations", "0"], "--max-iterations"),
        (vec!["--tolerance", "0"], "tolerance"),
        (vec!["--max-df", "0"], "--max-df"),
        (vec!["--max-df", "1.5"], "--max-df"),
        (vec!["--max-df", "NaN"], "--max-df"),
        (vec!["--test-fraction", "-0.1"], "--test-fraction"),
        (vec!["--test-fraction", "1"], "--test-fraction"),
        (vec!["--test-fraction", "NaN"], "--test-fraction"),
        (vec!["--alpha", "0.1,1"], "combinations"),
        (vec!["--weighting", "magic"], "magic"),
    ] {
        s.train_is_a_usage_error(&args, needle);
    }
}

#[test]
fn fail_on_an_unknown_label_is_a_usage_error() {
    let s = Setup::new();
    let mut cmd = draftcheck_in(s.dir.path());
    cmd.args(["score", "--fail-on", "hopeful", "--model"])
        .arg(&s.model)
        .arg("hi");
    assert_clean_failure(&mut cmd, 2, &["hopeful", "composed, desperate"]);
}

#[test]
fn conflicting_missing_or_unknown_arguments_are_usage_errors() {
    let s = Setup::new();
    let model = s.model.to_str().unwrap();
    for (args, needle) in [
        (vec!["frobnicate"], "frobnicate"),
        (
            vec!["score", "--model", model, "--file", "x.txt", "hi"],
            "--file",
        ),
        (
            vec!["score", "--model", model, "--top", "abc", "hi"],
            "--top",
        ),
        (vec!["add", "hello"], "--label"),
    ] {
        let mut cmd = draftcheck_in(s.dir.path());
        cmd.args(&args);
        assert_clean_failure(&mut cmd, 2, &[needle]);
    }
    // No command at all: the usage, and exit 2.
    let output = draftcheck_in(s.dir.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let all = [output.stdout, output.stderr].concat();
    let all = String::from_utf8_lossy(&all);
    assert!(all.contains("Usage") && !all.contains("panicked"), "{all}");
}

#[test]
fn an_empty_draft_among_several_is_named() {
    let s = Setup::new();
    let mut cmd = draftcheck_in(s.dir.path());
    cmd.args(["score", "--model"])
        .arg(&s.model)
        .args(["please call me", "\t\n"]);
    let stderr = assert_clean_failure(&mut cmd, 2, &["draft 2 is empty"]);
    assert_eq!(stderr.trim().lines().count(), 1);
}

#[cfg(unix)]
#[test]
fn a_draft_argument_that_is_not_utf8_is_a_usage_error() {
    use std::os::unix::ffi::OsStrExt;
    let s = Setup::new();
    let mut cmd = draftcheck_in(s.dir.path());
    cmd.args(["score", "--model"])
        .arg(&s.model)
        .arg(std::ffi::OsStr::from_bytes(b"caf\xe9"));
    assert_clean_failure(&mut cmd, 2, &["UTF-8"]);
}

#[test]
fn a_draft_file_that_is_not_utf8() {
    let s = Setup::new();
    let draft = s.write("letter.txt", b"Je t'aime, caf\xe9 ce soir?");
    let mut cmd = draftcheck_in(s.dir.path());
    cmd.args(["score", "--model"])
        .arg(&s.model)
        .arg("--file")
        .arg(&draft);
    assert_clean_failure(&mut cmd, 1, &["letter.txt", "UTF-8"]);
}

#[test]
fn a_batch_without_the_text_column_names_the_file() {
    let s = Setup::new();
    let batch = s.write("b.csv", "message\nhello\n");
    let mut cmd = draftcheck_in(s.dir.path());
    cmd.args(["score", "--model"])
        .arg(&s.model)
        .arg("--batch")
        .arg(&batch);
    assert_clean_failure(&mut cmd, 1, &["b.csv:1", "'text'", "--text-column"]);
}

#[test]
fn a_blank_row_in_a_batch_names_its_line() {
    let s = Setup::new();
    let batch = s.write("b.csv", "text\nhello there\n\"  \"\nbye\n");
    let mut cmd = draftcheck_in(s.dir.path());
    cmd.args(["score", "--format", "json", "--model"])
        .arg(&s.model)
        .arg("--batch")
        .arg(&batch);
    assert_clean_failure(&mut cmd, 1, &["b.csv:3", "empty"]);
}

/// `--text-column` is shared with `train` and `suggest`; for `score` it names
/// the column of a `--batch` file, so without one it is a usage error.
#[test]
fn a_text_column_without_a_batch_is_a_usage_error() {
    let s = Setup::new();
    let mut cmd = draftcheck_in(s.dir.path());
    cmd.args(["score", "--text-column", "message", "--model"])
        .arg(&s.model)
        .arg("hi");
    assert_clean_failure(&mut cmd, 2, &["--text-column", "--batch"]);
}
