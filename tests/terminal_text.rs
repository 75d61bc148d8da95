//! Drafts are untrusted: the text views print them without the characters
//! that would drive a terminal (escape sequences, bells, carriage returns,
//! bidirectional overrides), and a label with one is refused.

mod common;

use common::*;

/// A desperate draft carrying an OSC title sequence, a screen clear, a bell, a
/// carriage return and a right-to-left override.
const HOSTILE: &str = "I bought you a necklace.\u{1b}]0;pwned\u{7}\u{1b}[2J Please call me,\r I miss you \u{202E}tonight.";

fn assert_terminal_safe(stdout: &[u8]) -> String {
    let text = String::from_utf8(stdout.to_vec()).unwrap();
    for bad in ['\u{1b}', '\u{7}', '\r', '\u{202E}'] {
        assert!(
            !text.contains(bad),
            "{bad:?} reached the terminal: {text:?}"
        );
    }
    text
}

#[test]
fn score_text_shows_the_draft_without_terminal_controls_and_scores_it_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let model = root().join("models/drafts.json");
    let out = assert_works(
        draftcheck_in(dir.path())
            .args(["score", "--model"])
            .arg(&model)
            .arg(HOSTILE),
    );
    let text = assert_terminal_safe(&out.stdout);
    // The characters are shown, replaced where they were.
    assert!(text.contains("necklace.?]0;pwned??[2J"), "{text}");
    assert!(text.contains("\u{FFFD}tonight"), "{text}");
    // The verdict is the one JSON gives for the draft as written.
    let json = assert_works(
        draftcheck_in(dir.path())
            .args(["score", "--format", "json", "--model"])
            .arg(&model)
            .arg(HOSTILE),
    );
    let verdict = &json_lines(&json.stdout)[0];
    assert_eq!(verdict["label"], "desperate");
    assert!(text.starts_with("Reads as desperate"), "{text}");
}

#[test]
fn audit_text_lists_a_hostile_row_without_terminal_controls() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("hostile.csv");
    let mut writer = first_bundled_drafts(&data, 600);
    // The hostile draft, mislabelled, so that audit lists it.
    writer.write_record([HOSTILE, "composed", "none"]).unwrap();
    writer.flush().unwrap();
    let out = assert_works(
        draftcheck_in(dir.path())
            .args(["audit", "--top", "1000", "--data"])
            .arg(&data),
    );
    let text = assert_terminal_safe(&out.stdout);
    assert!(
        text.contains("row 601 "),
        "the hostile row is listed: {text}"
    );
    assert!(text.contains("?]0;pwned"), "{text}");
}

#[test]
fn a_label_with_a_control_character_is_refused_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("labels.csv");
    std::fs::write(
        &data,
        "text,label\nCall me.,desperate\nKeys are with Sam.,\"composed\u{1b}[2J\"\n",
    )
    .unwrap();
    assert_clean_failure(
        draftcheck_in(dir.path())
            .args(["train", "--data"])
            .arg(&data)
            .arg("--model")
            .arg(dir.path().join("m.json")),
        1,
        &[
            "labels.csv:3:",
            "bidirectional-formatting character (U+001B)",
            "remove the character",
        ],
    );
}

#[test]
fn add_refuses_a_label_with_a_control_character_and_errors_print_safely() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d.csv");
    let before = "text,label\nCall me.,desperate\nKeys are with Sam.,composed\n";
    std::fs::write(&data, before).unwrap();
    let stderr = assert_clean_failure(
        draftcheck_in(dir.path())
            .args([
                "add",
                "--new-label",
                "--label",
                "hopeful\u{1b}[2J",
                "--data",
            ])
            .arg(&data)
            .arg("Fingers crossed for you"),
        2,
        &[
            "bidirectional-formatting character (U+001B)",
            "nothing was added",
        ],
    );
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
    assert_eq!(std::fs::read_to_string(&data).unwrap(), before);
    // An error that quotes the command line (here a missing file's name)
    // shows it as the terminal would, without its escape.
    let stderr = assert_clean_failure(
        draftcheck_in(dir.path()).args(["train", "--data", "gone\u{1b}]0;x\u{7}.csv"]),
        1,
        &["gone?]0;x?.csv"],
    );
    assert!(
        !stderr.contains('\u{1b}') && !stderr.contains('\u{7}'),
        "{stderr:?}"
    );
}

#[test]
fn a_crlf_draft_reads_as_it_did_in_the_text_view() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("crlf.txt");
    std::fs::write(
        &file,
        "I bought you a necklace.\r\nPlease call me tonight.\r\n",
    )
    .unwrap();
    let out = assert_works(
        draftcheck_in(dir.path())
            .args(["score", "--model"])
            .arg(root().join("models/drafts.json"))
            .arg("--file")
            .arg(&file),
    );
    let text = assert_terminal_safe(&out.stdout);
    assert!(text.contains("necklace. Please"), "{text}");
    assert!(!text.contains("necklace.?"), "{text}");
}

#[test]
fn model_and_advice_files_that_would_drive_a_terminal_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut model: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root().join("models/drafts.json")).unwrap()).unwrap();
    let labels = model["labels"].as_array_mut().unwrap();
    let desperate = labels.iter().position(|l| l == "desperate").unwrap();
    labels[desperate] = "desperate\u{1b}]0;pwned\u{7}".into();
    let path = dir.path().join("evil.json");
    std::fs::write(&path, serde_json::to_vec(&model).unwrap()).unwrap();
    let stderr = assert_clean_failure(
        draftcheck_in(dir.path())
            .args(["score", "--model"])
            .arg(&path)
            .arg("I bought you a ring"),
        1,
        &[
            "evil.json",
            "control or bidirectional-formatting character (U+001B)",
        ],
    );
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
    // An advice file whose text holds an escape, written as TOML's \u escape.
    let advice = std::fs::read_to_string(root().join("data/advice.toml")).unwrap();
    let evil = advice.replacen("summary = \"\"\"", "summary = \"\"\"\\u001b[2J", 1);
    assert_ne!(evil, advice, "the advice file has a summary to change");
    let path = dir.path().join("evil.toml");
    std::fs::write(&path, evil).unwrap();
    assert_clean_failure(
        draftcheck_in(dir.path())
            .args(["score", "--advice"])
            .arg(&path)
            .arg("--model")
            .arg(root().join("models/drafts.json"))
            .arg("I bought you a ring"),
        1,
        &["evil.toml", "summary' holds a control", "U+001B"],
    );
}

/// A usage error quotes the command line, which can hold a draft (one that
/// starts with a dash is taken for an option): even where clap would colour its
/// errors, the quoted controls reach the terminal replaced, and the exit code
/// is still clap's 2.
#[test]
fn a_usage_error_quoting_a_hostile_argument_prints_it_safely() {
    let dir = tempfile::tempdir().unwrap();
    // draftcheck with `args`, colours forced as on a terminal.
    let coloured = |args: &[&str]| {
        draftcheck_in(dir.path())
            .env_remove("NO_COLOR")
            .env("CLICOLOR_FORCE", "1")
            .args(args)
            .output()
            .unwrap()
    };
    let out = coloured(&["score", "--call-me\u{1b}]0;pwned\u{7}\u{1b}[2J\u{202E}now"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = assert_terminal_safe(&out.stderr);
    assert!(
        stderr.contains("unexpected argument '--call-me?]0;pwned??[2J\u{FFFD}now'"),
        "{stderr}"
    );
    assert!(stderr.contains("Usage: draftcheck score"), "{stderr}");
    // Help quotes nothing from the command line: it keeps its colours.
    let out = coloured(&["score", "x\u{1b}[2J", "--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(help.contains("\u{1b}[1m"), "{help:?}");
    assert!(!help.contains("[2J"), "{help:?}");
    // Without such a character, clap's own (coloured) error is unchanged.
    let out = coloured(&["score", "--call-me"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("\u{1b}[1m"), "{stderr:?}");
    assert!(stderr.contains("--call-me"), "{stderr:?}");
}
