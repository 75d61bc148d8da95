//! `draftcheck score` with the bundled model, and its outputs.

mod common;

use common::*;
use predicates::prelude::*;

fn score_json(dir: &std::path::Path, args: &[&str]) -> Vec<serde_json::Value> {
    let out = assert_works(
        draftcheck_in(dir)
            .args(["score", "--format", "json"])
            .args(args),
    );
    json_lines(&out.stdout)
}

fn sections(verdict: &serde_json::Value) -> Vec<String> {
    verdict["advice"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["section"].as_str().unwrap().to_string())
        .collect()
}

const GIFTS: &str = "Why gifting your ex doesn't work? coz it gives a wrong message";
const LETTERS: &str = "What's wrong with the Love Letters?";
const INSTEAD: &str = "The message you should be giving to your ex";

#[test]
fn the_reference_drafts_get_the_right_verdict_and_advice() {
    let v = score_json(
        &root(),
        &[
            "I bought you a necklace for your birthday, please call me back",
            "I wrote you a long letter about everything I feel, please read it",
            "Congrats on the new job, hope you're doing well",
        ],
    );
    assert_eq!(v.len(), 3);
    assert_eq!(v[0]["label"], "desperate");
    assert_eq!(sections(&v[0])[0], GIFTS);
    assert!(sections(&v[0]).contains(&INSTEAD.to_string()));
    assert_eq!(v[1]["label"], "desperate");
    assert_eq!(sections(&v[1])[0], LETTERS);
    assert!(sections(&v[1]).contains(&INSTEAD.to_string()));
    assert_eq!(v[2]["label"], "composed");
    assert_eq!(sections(&v[2]), vec![INSTEAD.to_string()]);
}

#[test]
fn json_has_every_field_and_the_explanation_is_exact() {
    let v = &score_json(
        &root(),
        &["I miss you so much, please, I sent you flowers!!!"],
    )[0];
    for field in [
        "label",
        "probability",
        "probabilities",
        "borderline",
        "intercept",
        "logit",
        "contributions",
        "advice",
        "model",
    ] {
        assert!(v.get(field).is_some(), "missing {field}: {v}");
    }
    assert_eq!(v["model"], "models/drafts.json");
    let label = v["label"].as_str().unwrap();
    let p = v["probability"].as_f64().unwrap();
    assert_eq!(v["probabilities"][label].as_f64().unwrap(), p);
    let contributions = v["contributions"].as_array().unwrap();
    assert!(contributions.iter().any(|c| c["term"] == "flower"));
    assert!(contributions.iter().any(|c| c["term"] == "!!"));
    let sum: f64 = contributions
        .iter()
        .map(|c| c["weight"].as_f64().unwrap())
        .sum();
    let logit = v["logit"].as_f64().unwrap();
    assert!((v["intercept"].as_f64().unwrap() + sum - logit).abs() < 1e-9);
    assert!((1.0 / (1.0 + (-logit).exp()) - p).abs() < 1e-9);
    assert_eq!(v["borderline"], p < 0.6 || contributions.is_empty());
    for a in v["advice"].as_array().unwrap() {
        assert!(a["summary"].as_str().unwrap().len() > 40);
    }
}

#[test]
fn every_bundled_draft_has_an_exact_explanation() {
    let data = root().join("data/drafts.csv");
    let v = score_json(&root(), &["--batch", data.to_str().unwrap()]);
    let rows = csv::Reader::from_path(&data).unwrap().records().count();
    assert_eq!(v.len(), rows);
    let mut last_line = 0;
    for verdict in &v {
        let sum: f64 = verdict["contributions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["weight"].as_f64().unwrap())
            .sum();
        let logit = verdict["logit"].as_f64().unwrap();
        let gap = (verdict["intercept"].as_f64().unwrap() + sum - logit).abs();
        assert!(gap < 1e-6, "line {}: off by {gap}", verdict["line"]);
        let p = verdict["probability"].as_f64().unwrap();
        assert!((1.0 / (1.0 + (-logit).exp()) - p).abs() < 1e-9);
        assert!(p >= 0.5);
        // Streaming keeps input order.
        let line = verdict["line"].as_u64().unwrap();
        assert!(line > last_line);
        last_line = line;
    }
}

#[test]
fn the_built_in_model_is_used_outside_the_repository() {
    let dir = tempfile::tempdir().unwrap();
    let v = score_json(
        dir.path(),
        &["Thanks for dropping the keys off, all the best"],
    );
    assert_eq!(v[0]["model"], "built-in");
    assert_eq!(v[0]["label"], "composed");
    draftcheck_in(dir.path())
        .args(["score", "Hope the new flat is great"])
        .assert()
        .success()
        .stdout(predicate::str::contains("(model: built-in)"));
}

#[test]
fn text_output_reads_as_a_verdict() {
    draftcheck_in(&root())
        .args([
            "score",
            "--top",
            "3",
            "I bought you a necklace for your birthday, please call me back",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Reads as desperate / materialistic",
        ))
        .stdout(predicate::str::contains("Words that weighed most"))
        .stdout(predicate::str::contains(GIFTS))
        .stdout(predicate::str::contains("\x1b[").not());
}

#[test]
fn stdin_and_file_are_each_one_draft() {
    let dir = tempfile::tempdir().unwrap();
    let model = train_small(dir.path());
    let letter = dir.path().join("letter.txt");
    std::fs::write(
        &letter,
        "I wrote you a letter.\n\nPlease read it, I need you.\n",
    )
    .unwrap();
    let from_file = score_json(
        dir.path(),
        &[
            "--model",
            model.to_str().unwrap(),
            "--file",
            letter.to_str().unwrap(),
        ],
    );
    assert_eq!(from_file.len(), 1);
    let out = draftcheck_in(dir.path())
        .args(["score", "--format", "json", "--model"])
        .arg(&model)
        .write_stdin(std::fs::read_to_string(&letter).unwrap())
        .output()
        .unwrap();
    let from_stdin = json_lines(&out.stdout);
    assert_eq!(from_stdin.len(), 1);
    assert_eq!(from_stdin[0]["logit"], from_file[0]["logit"]);
    assert_eq!(from_stdin[0]["model"], model.to_str().unwrap());
}

#[test]
fn batch_scores_each_row_in_order_with_the_named_column() {
    let dir = tempfile::tempdir().unwrap();
    let model = train_small(dir.path());
    let batch = dir.path().join("batch.csv");
    std::fs::write(&batch, "id,body\n1,\"please, please call me\"\n2,hope the new job is great\n3,\"I bought you roses\"\n").unwrap();
    let v = score_json(
        dir.path(),
        &[
            "--model",
            model.to_str().unwrap(),
            "--batch",
            batch.to_str().unwrap(),
            "--text-column",
            "body",
        ],
    );
    let lines: Vec<u64> = v.iter().map(|x| x["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, vec![2, 3, 4]);
    assert_eq!(v[0]["label"], "desperate");
    assert_eq!(v[1]["label"], "composed");
}

#[test]
fn a_custom_advice_file_is_used_and_labels_without_advice_still_score() {
    let dir = tempfile::tempdir().unwrap();
    let model = train_small(dir.path());
    let advice = dir.path().join("advice.toml");
    std::fs::write(
        &advice,
        "[labels.desperate]\ndisplay = \"too keen\"\n[[labels.desperate.entries]]\nsection = \"Mine\"\nsummary = \"Step back.\"\nalways = true\n",
    )
    .unwrap();
    let args = [
        "--model",
        model.to_str().unwrap(),
        "--advice",
        advice.to_str().unwrap(),
    ];
    let v = score_json(
        dir.path(),
        &[
            &args[..],
            &["please call me, I need you", "hope the new job is great"],
        ]
        .concat(),
    );
    assert_eq!(
        v[0]["advice"],
        serde_json::json!([{"section": "Mine", "summary": "Step back."}])
    );
    assert_eq!(v[1]["label"], "composed");
    assert_eq!(v[1]["advice"], serde_json::json!([]));
    draftcheck_in(dir.path())
        .arg("score")
        .args(args)
        .arg("please call me, I need you")
        .assert()
        .success()
        .stdout(predicate::str::contains("too keen"));
}

#[test]
fn borderline_verdicts_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let model = train_small(dir.path());
    // No known word: the verdict rests on the intercept alone, which says nothing
    // about this draft.
    let v = &score_json(dir.path(), &["--model", model.to_str().unwrap(), "zyx qwv"])[0];
    assert_eq!(v["borderline"], true);
    assert_eq!(v["contributions"], serde_json::json!([]));
    draftcheck_in(dir.path())
        .args(["score", "--model"])
        .arg(&model)
        .arg("zyx qwv")
        .assert()
        .success()
        .stdout(predicate::str::contains("Borderline"));
}

#[test]
fn the_built_in_model_scores_as_the_committed_file_does() {
    // The binary carries models/drafts.json in a compact form (build.rs):
    // every figure of a verdict must be the file's own.
    let dir = tempfile::tempdir().unwrap();
    let drafts = [
        "I bought you a necklace for your birthday, please call me back",
        "Congratulations on the new job, I hope it goes brilliantly",
        "hi",
    ];
    let built_in = score_json(dir.path(), &drafts);
    let model = root().join("models/drafts.json");
    let mut args = vec!["--model", model.to_str().unwrap()];
    args.extend(drafts);
    let from_file = score_json(dir.path(), &args);
    assert_eq!(built_in.len(), drafts.len());
    for (mut a, mut b) in built_in.into_iter().zip(from_file) {
        assert_eq!(a["model"], "built-in");
        a["model"].take();
        b["model"].take();
        assert_eq!(a, b);
    }
    // And every figure `info` prints: the training report, the themes, the
    // strongest terms.
    let info = |args: &[&str]| -> serde_json::Value {
        let out = assert_works(
            draftcheck_in(dir.path())
                .args(["info", "--format", "json", "--top", "40"])
                .args(args),
        );
        let mut v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["model"].take();
        v
    };
    assert_eq!(info(&[]), info(&["--model", model.to_str().unwrap()]));
}
