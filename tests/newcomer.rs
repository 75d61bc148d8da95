//! A newcomer's first hour, scripted: an empty folder, a CSV of their own and
//! the README's commands, with nothing set up beforehand.

mod common;

use std::path::Path;

use common::*;

/// Writes `n` bundled drafts (half of each label, from `offset` on) as a CSV
/// with the given header names.
fn write_csv(path: &Path, n: usize, offset: usize, header: [&str; 2]) {
    let mut reader = csv::Reader::from_path(root().join("data/drafts.csv")).unwrap();
    let (mut desperate, mut composed) = (Vec::new(), Vec::new());
    for record in reader.records() {
        let record = record.unwrap();
        let text = record[0].to_string();
        if &record[1] == "desperate" {
            desperate.push(text);
        } else {
            composed.push(text);
        }
    }
    let mut writer = csv::Writer::from_path(path).unwrap();
    writer.write_record(header).unwrap();
    for i in 0..n / 2 {
        writer
            .write_record([desperate[offset + i * 7].as_str(), "desperate"])
            .unwrap();
        writer
            .write_record([composed[offset + i * 7].as_str(), "composed"])
            .unwrap();
    }
    writer.flush().unwrap();
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn a_newcomer_trains_evaluates_and_scores_their_own_thirty_drafts() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let mut cmd = draftcheck_in(dir.path());
        cmd.args(args);
        cmd
    };
    write_csv(&dir.path().join("mine.csv"), 30, 100, ["text", "label"]);

    // Train with every default: no models/ folder yet, 30 drafts.
    assert!(!dir.path().join("models").exists());
    let out = stdout(&assert_works(&mut run(&["train", "--data", "mine.csv"])));
    assert!(dir.path().join("models/drafts.json").is_file());
    assert!(out.contains("created the folder models"), "{out}");
    assert!(
        out.contains("min_df 1"),
        "the small-data default is announced: {out}"
    );
    assert!(out.contains("read 30 drafts from mine.csv"), "{out}");

    // Evaluate, and the learning curve: they run, and say what they found.
    let out = stdout(&assert_works(&mut run(&["evaluate", "--data", "mine.csv"])));
    assert!(
        out.contains("5-fold cross-validation of 30 drafts"),
        "{out}"
    );
    let out = stdout(&assert_works(&mut run(&[
        "evaluate",
        "--data",
        "mine.csv",
        "--learning-curve",
    ])));
    assert!(out.contains("learning curve"), "{out}");
    assert!(
        out.contains("too few drafts to tell")
            || out.contains("still rising")
            || out.contains("flat at the end"),
        "{out}"
    );

    // Score with the model just trained (models/drafts.json in this folder).
    let out = stdout(&assert_works(&mut run(&[
        "score",
        "--format",
        "json",
        "Congratulations on the new job",
    ])));
    let verdict = &json_lines(out.as_bytes())[0];
    assert_eq!(verdict["model"], "models/drafts.json");

    // Training on other data next to that model does not replace it...
    write_csv(&dir.path().join("other.csv"), 30, 300, ["text", "label"]);
    let before = std::fs::read(dir.path().join("models/drafts.json")).unwrap();
    assert_clean_failure(
        &mut run(&["train", "--data", "other.csv"]),
        1,
        &[
            "models/drafts.json was trained on mine.csv (30 drafts)",
            "other.csv",
            "--model models/other.json",
            "--force",
        ],
    );
    assert_eq!(
        std::fs::read(dir.path().join("models/drafts.json")).unwrap(),
        before
    );
    // ... what the hint says works ...
    assert_works(&mut run(&[
        "train",
        "--data",
        "other.csv",
        "--model",
        "models/other.json",
    ]));
    assert_eq!(
        std::fs::read(dir.path().join("models/drafts.json")).unwrap(),
        before
    );
    // Other data named like the model refused: the hint names a free path,
    // not the model it would not replace.
    std::fs::create_dir_all(dir.path().join("coach")).unwrap();
    write_csv(
        &dir.path().join("coach/drafts.csv"),
        30,
        600,
        ["text", "label"],
    );
    let stderr = assert_clean_failure(
        &mut run(&["train", "--data", "coach/drafts.csv"]),
        1,
        &["--model models/drafts-2.json", "--force"],
    );
    assert!(!stderr.contains("--model models/drafts.json"), "{stderr}");
    assert_works(&mut run(&[
        "train",
        "--data",
        "coach/drafts.csv",
        "--model",
        "models/drafts-2.json",
    ]));
    assert_eq!(
        std::fs::read(dir.path().join("models/drafts.json")).unwrap(),
        before
    );
    // ... and retraining on the same, growing file does.
    assert_works(&mut run(&[
        "add",
        "--data",
        "mine.csv",
        "--label",
        "composed",
        "The parcel that came for you is on the shelf by the door.",
    ]));
    assert_works(&mut run(&["train", "--data", "mine.csv"]));
    assert_ne!(
        std::fs::read(dir.path().join("models/drafts.json")).unwrap(),
        before
    );
}

#[test]
fn wrong_column_names_are_all_reported_at_once_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    write_csv(&dir.path().join("mine.csv"), 30, 0, ["message", "category"]);
    let mut cmd = draftcheck_in(dir.path());
    cmd.args(["train", "--data", "mine.csv"]);
    assert_clean_failure(
        &mut cmd,
        1,
        &[
            "mine.csv:1: no column named 'text' or 'label'",
            "its columns: message, category",
            "--text-column NAME and --label-column NAME",
        ],
    );
    // Nothing was trained or written.
    assert!(!dir.path().join("models/drafts.json").exists());
    let mut cmd = draftcheck_in(dir.path());
    cmd.args([
        "train",
        "--data",
        "mine.csv",
        "--text-column",
        "message",
        "--label-column",
        "category",
    ]);
    assert_works(&mut cmd);
}

#[test]
fn a_model_folder_that_does_not_exist_is_refused_before_the_work() {
    let dir = tempfile::tempdir().unwrap();
    write_csv(&dir.path().join("mine.csv"), 30, 0, ["text", "label"]);
    let mut cmd = draftcheck_in(dir.path());
    cmd.args(["train", "--data", "mine.csv", "--model", "out/m.json"]);
    assert_clean_failure(
        &mut cmd,
        1,
        &["cannot write out/m.json", "does not exist", "mkdir -p out"],
    );
}

#[test]
fn the_batch_csv_of_a_file_with_a_label_column_has_unique_headers() {
    let dir = tempfile::tempdir().unwrap();
    write_csv(&dir.path().join("mine.csv"), 10, 0, ["text", "label"]);
    let mut cmd = draftcheck_in(dir.path());
    cmd.args(["score", "--batch", "mine.csv", "--format", "csv", "--model"])
        .arg(root().join("models/drafts.json"));
    let out = stdout(&assert_works(&mut cmd));
    let mut reader = csv::Reader::from_reader(out.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "text",
            "label",
            "draftcheck_label",
            "probability",
            "top_terms"
        ]
    );
    // Terms are quoted as the drafts write them, not as stems.
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 10);
    for row in &rows {
        let text = &row[0];
        for term in row[4].split("; ") {
            let written = term.rsplit_once(" (").map_or(term, |(t, _)| t);
            assert!(
                text.contains(written) || written.starts_with('<'),
                "{written:?} is not in {text:?}"
            );
        }
    }
}

#[test]
fn forcing_a_model_of_other_labels_does_not_borrow_its_evaluation_set() {
    // A model trained on drafts (with data/eval.csv recorded), replaced with
    // --force by one of other labels: the old evaluation set does not apply.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("data")).unwrap();
    write_csv(
        &dir.path().join("data/drafts.csv"),
        60,
        0,
        ["text", "label"],
    );
    std::fs::copy(
        root().join("data/eval.csv"),
        dir.path().join("data/eval.csv"),
    )
    .unwrap();
    assert_works(draftcheck_in(dir.path()).args(["train"]));
    let other = dir.path().join("tickets.csv");
    std::fs::write(
        &other,
        "text,label\nmy order never came,complaint\nthanks for the quick refund,praise\n\
         the parcel was late again,complaint\ngreat service today,praise\n",
    )
    .unwrap();
    let out = assert_works(draftcheck_in(dir.path()).args([
        "train",
        "--force",
        "--test-fraction",
        "0",
        "--data",
        "tickets.csv",
    ]));
    let text = stdout(&out);
    assert!(
        text.contains("no evaluation set protected this replacement"),
        "{text}"
    );
}
