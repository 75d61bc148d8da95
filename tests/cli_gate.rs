//! Retraining: the promotion gate, the backup of the replaced model, the warm
//! start, and the model card.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use predicates::prelude::*;

/// A folder with data/drafts.csv (a part of the bundled data), data/eval.csv
/// (the bundled evaluation set) and a model trained on them at models/m.json.
struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn new(rows: usize) -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("data")).unwrap();
        std::fs::create_dir_all(dir.path().join("models")).unwrap();
        let project = Project { dir };
        project.write_drafts(rows, false);
        std::fs::copy(root().join("data/eval.csv"), project.path("data/eval.csv")).unwrap();
        project
    }

    fn path(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }

    /// The first `rows` bundled drafts, with most labels flipped if `flip`.
    fn write_drafts(&self, rows: usize, flip: bool) {
        let mut reader = csv::Reader::from_path(root().join("data/drafts.csv")).unwrap();
        let mut writer = csv::Writer::from_path(self.path("data/drafts.csv")).unwrap();
        writer.write_record(["text", "label"]).unwrap();
        for (i, record) in reader.records().take(rows).enumerate() {
            let record = record.unwrap();
            let mut label = record[1].to_string();
            if flip && i % 10 != 0 {
                label = if label == "desperate" {
                    "composed".into()
                } else {
                    "desperate".into()
                };
            }
            writer.write_record([&record[0], label.as_str()]).unwrap();
        }
        writer.flush().unwrap();
    }

    /// `draftcheck train` of models/m.json on the project's data.
    fn train_command(&self) -> assert_cmd::Command {
        let mut cmd = draftcheck_in(self.dir.path());
        cmd.args([
            "train",
            "--model",
            "models/m.json",
            "--max-features",
            "3000",
            "--test-fraction",
            "0",
        ]);
        cmd
    }

    fn train(&self, extra: &[&str]) -> assert_cmd::assert::Assert {
        self.train_command().args(extra).assert()
    }
}

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap()
}

#[test]
fn a_worse_model_is_refused_and_the_old_one_stays() {
    let project = Project::new(600);
    project
        .train(&[])
        .success()
        .stdout(predicate::str::contains("evaluation set data/eval.csv"));
    let model = project.path("models/m.json");
    let good = read(&model);

    project.write_drafts(600, true);
    let mut cmd = project.train_command();
    let stderr = assert_clean_failure(
        &mut cmd,
        1,
        &["worse", "previous model was kept", "--force"],
    );
    assert!(stderr.contains("data/eval.csv"), "{stderr}");
    // It says how far the refusal can be trusted: a model trained on flipped
    // labels loses far more drafts than it gains, beyond chance.
    assert!(stderr.contains("(McNemar's exact test)"), "{stderr}");
    assert!(
        stderr.contains("so the new model is most likely worse"),
        "{stderr}"
    );
    assert_eq!(read(&model), good, "the gate let a worse model through");
    assert!(!project.path("models/m.json.prev").exists());

    // --gate-report lists the drafts the two part on, as many as it counts,
    // each right by one model and wrong by the other.
    let mut cmd = project.train_command();
    cmd.args(["--gate-report", "parted.csv"]);
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("parted.csv lists them"), "{stderr}");
    let counts = stdout
        .split("accuracy; ")
        .nth(1)
        .expect("the gate's line")
        .to_string();
    let number = |s: &str| {
        s.split_whitespace()
            .next()
            .unwrap()
            .parse::<usize>()
            .unwrap()
    };
    let lost = number(&counts);
    let gained = number(counts.split("are wrong now, ").nth(1).unwrap());
    let mut reader = csv::Reader::from_path(project.path("parted.csv")).unwrap();
    assert_eq!(
        reader.headers().unwrap(),
        vec![
            "line",
            "label",
            "previous",
            "new",
            "p_previous",
            "p_new",
            "text"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), lost + gained, "{stdout}");
    assert_eq!(rows.iter().filter(|r| r[2] == r[1]).count(), lost);
    assert_eq!(rows.iter().filter(|r| r[3] == r[1]).count(), gained);
    // (The assertions name lines, not drafts: the set is held out.)
    let eval: Vec<csv::StringRecord> = csv::Reader::from_path(project.path("data/eval.csv"))
        .unwrap()
        .records()
        .map(|r| r.unwrap())
        .collect();
    for r in &rows {
        assert!((r[2] == r[1]) != (r[3] == r[1]), "line {}", &r[0]);
        let at = eval
            .iter()
            .find(|e| e.position().unwrap().line().to_string() == r[0])
            .unwrap_or_else(|| panic!("no draft of the evaluation set starts on line {}", &r[0]));
        assert!(
            at[0] == r[6] && at[1] == r[1],
            "line {} is not that draft",
            &r[0]
        );
    }
    assert_eq!(read(&model), good);
    // It never writes over a file of the run.
    let eval_before = read(&project.path("data/eval.csv"));
    let mut cmd = project.train_command();
    cmd.args(["--gate-report", "data/eval.csv"]);
    assert_clean_failure(
        &mut cmd,
        2,
        &["--gate-report data/eval.csv is a file of this run"],
    );
    assert_eq!(read(&project.path("data/eval.csv")), eval_before);
    // Nor into a folder that is not there: refused before the work.
    let mut cmd = project.train_command();
    cmd.args(["--gate-report", "no/such/parted.csv"]);
    assert_clean_failure(&mut cmd, 2, &["its folder no/such does not exist"]);
    assert_eq!(read(&model), good);

    // --force replaces it, keeping the old one as a backup that restores it.
    project.train(&["--force"]).success().stdout(
        predicate::str::contains("--force replaces").and(predicate::str::contains("m.json.prev")),
    );
    assert_ne!(read(&model), good);
    assert_eq!(read(&project.path("models/m.json.prev")), good);
}

/// The best accuracy a model file carries for its line of models.
fn best_accuracy(model: &Path) -> f64 {
    let json: serde_json::Value = serde_json::from_slice(&read(model)).unwrap();
    json["training"]["best_eval"]["accuracy"]
        .as_f64()
        .expect("best_eval stored")
}

#[test]
fn small_declines_cannot_add_up_past_the_best_model_so_far() {
    let project = Project::new(500);
    project.train(&[]).success();
    let model = project.path("models/m.json");
    let json: serde_json::Value = serde_json::from_slice(&read(&model)).unwrap();
    let accuracy = json["training"]["eval"]["report"]["accuracy"]
        .as_f64()
        .unwrap();
    // A fresh model is the best of its line.
    assert_eq!(best_accuracy(&model), accuracy);

    // As if an earlier model of this line had scored 0.03 higher on the same
    // set: retraining on the same data gives the same model as the one it
    // replaces (within the gate's tolerance of it), but 0.03 below the best.
    let mut edited = json.clone();
    edited["training"]["best_eval"]["accuracy"] = serde_json::json!(accuracy + 0.03);
    std::fs::write(&model, serde_json::to_vec(&edited).unwrap()).unwrap();
    let before = read(&model);
    let mut cmd = project.train_command();
    let stderr = assert_clean_failure(
        &mut cmd,
        1,
        &[
            "worse than the best model",
            "added up",
            "previous model was kept",
            "--force",
        ],
    );
    assert!(stderr.contains("data/eval.csv"), "{stderr}");
    assert_eq!(read(&model), before, "the gate let the decline through");

    // --force accepts it, and the new model becomes the mark to beat.
    project
        .train(&["--force"])
        .success()
        .stdout(predicate::str::contains(
            "the new model becomes the mark to beat",
        ));
    let json: serde_json::Value = serde_json::from_slice(&read(&model)).unwrap();
    let now = json["training"]["eval"]["report"]["accuracy"]
        .as_f64()
        .unwrap();
    assert_eq!(best_accuracy(&model), now);
    // And the next retrain passes again.
    project.train(&[]).success();
    assert_eq!(best_accuracy(&model), now);
}

#[test]
fn the_gate_reports_both_scores_and_lets_an_equal_model_through() {
    let project = Project::new(500);
    project.train(&[]).success();
    project.train(&[]).success().stdout(
        predicate::str::contains("promotion gate on data/eval.csv: previous model accuracy").and(
            // The same data and settings give the same model: the two
            // part on no draft.
            predicate::str::contains(
                "0 drafts the previous model got right are wrong now, 0 the other way",
            ),
        ),
    );
}

#[test]
fn without_an_evaluation_set_train_says_nothing_protected_the_replacement() {
    let project = Project::new(300);
    std::fs::remove_file(project.path("data/eval.csv")).unwrap();
    // With no model to replace, and then with no set to gate on, there is
    // nothing to list, and --gate-report says so instead of writing.
    project
        .train(&["--gate-report", "parted.csv"])
        .success()
        .stdout(predicate::str::contains(
            "no model was replaced, so no gate ran, and --gate-report wrote nothing",
        ));
    project
        .train(&["--gate-report", "parted.csv"])
        .success()
        .stdout(
            predicate::str::contains("no evaluation set protected this replacement")
                .and(predicate::str::contains("--gate-report wrote nothing")),
        );
    assert!(!project.path("parted.csv").exists());
}

#[test]
fn retraining_with_more_examples_starts_warm_and_matches_a_cold_start() {
    let project = Project::new(700);
    project.train(&[]).success();
    project.write_drafts(750, false);
    // --force: this test is about the warm start, not about the gate (the 50
    // new drafts may cost a draft or two on the evaluation set).
    let out = project
        .train(&["--count-iterations", "--force"])
        .success()
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains("warm start from the previous model"), "{out}");
    assert!(out.contains("iterations saved"), "{out}");
    // The weights of the warm and the cold fit, as the run reports them.
    let within: f64 = out
        .split("weights within ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no weight difference reported: {out}"));
    assert!(
        within <= draftcheck::model::pipeline::WARM_START_TOLERANCE,
        "warm and cold starts disagree: {out}"
    );
    // A cold retrain gives the same predictions on the evaluation set.
    let warm = project.path("models/m.json");
    let cold = project.path("models/cold.json");
    draftcheck_in(project.dir.path())
        .args([
            "train",
            "--model",
            "models/cold.json",
            "--max-features",
            "3000",
            "--test-fraction",
            "0",
        ])
        .assert()
        .success();
    let labels = |model: &Path| -> Vec<String> {
        let out = draftcheck_in(project.dir.path())
            .args([
                "score",
                "--format",
                "json",
                "--batch",
                "data/eval.csv",
                "--model",
            ])
            .arg(model)
            .output()
            .unwrap();
        json_lines(&out.stdout)
            .iter()
            .map(|v| v["label"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(labels(&warm), labels(&cold));
}

#[test]
fn info_shows_the_model_card() {
    let project = Project::new(300);
    project.train(&[]).success();
    draftcheck_in(project.dir.path())
        .args(["info", "--model", "models/m.json"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("labels       composed")
                .and(predicate::str::contains("sha256"))
                .and(predicate::str::contains("top terms for desperate"))
                .and(predicate::str::contains("eval set     accuracy"))
                .and(predicate::str::contains("at most 100 iterations")),
        );
    let out = draftcheck_in(project.dir.path())
        .args(["info", "--format", "json", "--model", "models/m.json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["labels"], serde_json::json!(["composed", "desperate"]));
    let model: serde_json::Value =
        serde_json::from_slice(&std::fs::read(project.dir.path().join("models/m.json")).unwrap())
            .unwrap();
    let terms = model["vocabulary"]["terms"].as_array().unwrap().len();
    assert!(terms > 100 && terms <= 3000, "{terms} terms");
    assert_eq!(v["vocabulary_size"], terms);
    assert_eq!(v["format_version"], 2);
    assert_eq!(v["training"]["rows"], 300);
    assert_eq!(v["top_terms"]["desperate"].as_array().unwrap().len(), 10);
    assert!(v["training"]["data_sha256"].as_str().unwrap().len() == 64);
}
