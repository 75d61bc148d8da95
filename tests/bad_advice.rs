//! Advice files: a bad one names its file (and line); one saved by an editor works.

mod common;

use common::*;

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

#[test]
fn an_advice_file_saved_by_an_editor_works() {
    // A byte-order mark and CRLF line endings, as Notepad writes them.
    let s = Setup::new();
    let advice = std::fs::read_to_string(root().join("data/advice.toml")).unwrap();
    let mut bytes = b"\xef\xbb\xbf".to_vec();
    bytes.extend(advice.replace('\n', "\r\n").into_bytes());
    let path = s.write("advice.toml", bytes);
    let verdicts = s.score_works(
        &s.model,
        &[
            "--advice",
            path.to_str().unwrap(),
            "I bought you flowers, please call me",
        ],
    );
    let sections = verdicts[0]["advice"].to_string();
    assert!(sections.contains("gifting"), "{sections}");
}

#[test]
fn a_missing_advice_file() {
    let s = Setup::new();
    s.advice_fails(&s.path("nope.toml"), &["nope.toml", "cannot read"]);
}

#[test]
fn an_advice_file_with_an_unknown_key_names_its_line() {
    let s = Setup::new();
    let path = s.write(
        "a.toml",
        "[labels.desperate]\ndisplay = \"x\"\ncolour = \"red\"\n",
    );
    s.advice_fails(&path, &["a.toml:3", "colour"]);
}

#[test]
fn an_advice_file_that_is_not_toml_or_not_utf8() {
    let s = Setup::new();
    s.advice_fails(
        &s.write("t.toml", "this is not toml at all\n"),
        &["t.toml:1", "not a valid advice file"],
    );
    s.advice_fails(&s.write("l.toml", b"x\xe9y = 1\n"), &["l.toml", "UTF-8"]);
    s.advice_fails(
        &s.write(
            "d.toml",
            "[labels.desperate]\ndisplay = \"x\"\n[labels.desperate]\ndisplay = \"y\"\n",
        ),
        &["d.toml:3", "duplicate"],
    );
}

#[test]
fn an_advice_entry_with_an_empty_summary() {
    let s = Setup::new();
    let path = s.write(
        "e.toml",
        "[labels.desperate]\n[[labels.desperate.entries]]\nsection = \"A\"\nsummary = \"  \"\n",
    );
    s.advice_fails(&path, &["e.toml", "empty section or summary"]);
}
