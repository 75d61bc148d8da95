//! `draftcheck evaluate`: seeded, stratified cross-validation, learning curves,
//! plots, settings search and the trusted evaluation set.

mod common;

use common::*;
use predicates::prelude::*;

/// Evaluates on the 24-row fixture (keeping terms seen once: the learning
/// curve's smallest share is two drafts).
fn evaluate(args: &[&str]) -> serde_json::Value {
    let out = assert_works(
        draftcheck_in(&root())
            .args([
                "evaluate", "--format", "json", "--folds", "3", "--min-df", "1", "--data",
            ])
            .arg(small_csv())
            .args(args),
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn cross_validation_is_repeatable_and_complete() {
    let a = evaluate(&["--seed", "1"]);
    assert_eq!(a, evaluate(&["--seed", "1"]));
    for field in [
        "accuracy",
        "macro_f1",
        "log_loss",
        "roc_auc",
        "per_class",
        "confusion",
        "folds",
        "spread",
    ] {
        assert!(a.get(field).is_some(), "missing {field}");
    }
    let matrix = a["confusion"]["matrix"].as_array().unwrap();
    let total: u64 = matrix
        .iter()
        .flat_map(|r| r.as_array().unwrap())
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(total, 24);
    for label in ["composed", "desperate"] {
        let m = &a["per_class"][label];
        assert_eq!(m["support"], 12);
        assert!(m["precision"].is_number() && m["recall"].is_number() && m["f1"].is_number());
    }
    assert_eq!(a["folds"].as_array().unwrap().len(), 3);
    assert_ne!(
        a["folds"],
        evaluate(&["--seed", "2"])["folds"],
        "another seed gives other folds"
    );
}

#[test]
fn the_learning_curve_has_five_points_and_the_plot_is_an_svg() {
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("curve.svg");
    let v = evaluate(&["--learning-curve", "--plot", svg.to_str().unwrap()]);
    let curve = v["learning_curve"].as_array().unwrap();
    let fractions: Vec<f64> = curve
        .iter()
        .map(|p| p["fraction"].as_f64().unwrap())
        .collect();
    assert_eq!(fractions, vec![0.1, 0.25, 0.5, 0.75, 1.0]);
    let rows: Vec<f64> = curve
        .iter()
        .map(|p| p["train_rows"].as_f64().unwrap())
        .collect();
    assert!(rows.windows(2).all(|w| w[0] < w[1]), "{rows:?}");
    assert_eq!(curve[4]["accuracy_mean"], v["spread"]["accuracy_mean"]);
    let picture = std::fs::read_to_string(&svg).unwrap();
    assert!(picture.starts_with("<svg"));
    assert!(picture.contains("Learning curve") && picture.contains("Confusion matrix"));
    assert!(picture.contains("desperate"));
}

#[test]
fn lists_of_settings_are_searched_and_ranked() {
    let v = evaluate(&["--alpha", "0.1,10", "--ngrams", "1,1-2"]);
    let ranked = v["search"].as_array().unwrap();
    assert_eq!(ranked.len(), 4);
    let f1: Vec<f64> = ranked
        .iter()
        .map(|r| r["macro_f1_mean"].as_f64().unwrap())
        .collect();
    assert!(f1.windows(2).all(|w| w[0] >= w[1]), "not ranked: {f1:?}");
    assert_eq!(ranked[0]["rank"], 1);
    draftcheck_in(&root())
        .args(["evaluate", "--folds", "3", "--alpha", "0.1,10", "--data"])
        .arg(small_csv())
        .assert()
        .success()
        .stdout(predicate::str::contains("2 combinations").and(predicate::str::contains("rank")));
    // The ending column is shown when a combination has ending terms.
    let out = assert_works(
        draftcheck_in(&root())
            .args(["evaluate", "--folds", "3", "--ending", "0,2", "--data"])
            .arg(small_csv()),
    );
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("ngrams  ending  min_df"), "{table}");
    let endings: Vec<&str> = table
        .lines()
        .filter(|l| l.contains("tfidf"))
        .map(|l| l.split_whitespace().nth(3).unwrap())
        .collect();
    assert_eq!(endings.len(), 2, "{table}");
    assert!(endings.contains(&"0") && endings.contains(&"2"), "{table}");
    let v = evaluate(&["--ending", "0,2"]);
    let settings: Vec<u64> = v["search"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["settings"]["analyzer"]["ending"].as_u64().unwrap_or(0))
        .collect();
    assert_eq!(settings.len(), 2);
    assert!(settings.contains(&0) && settings.contains(&2), "{v}");
}

#[test]
fn the_trusted_evaluation_set_is_scored() {
    let v = evaluate(&["--eval", small_csv().to_str().unwrap()]);
    assert_eq!(v["eval"]["report"]["rows"], 24);
    // Beside the bundled data, eval.csv is found by default.
    draftcheck_in(&root())
        .args(["evaluate", "--folds", "2", "--max-features", "300"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "trusted evaluation set data/eval.csv",
        ));
}

#[test]
fn folds_below_two_are_refused() {
    let mut cmd = draftcheck_in(&root());
    cmd.args(["evaluate", "--folds", "1", "--data"])
        .arg(small_csv());
    assert_clean_failure(&mut cmd, 2, &["--folds"]);
}

#[test]
fn predictions_give_every_row_its_out_of_fold_probabilities() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("predictions.csv");
    let v = evaluate(&["--predictions", path.to_str().unwrap()]);
    let mut reader = csv::Reader::from_path(&path).unwrap();
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "row",
            "line",
            "fold",
            "label",
            "predicted",
            "p_composed",
            "p_desperate",
            "text"
        ]
    );
    let mut fixture = csv::Reader::from_path(small_csv()).unwrap();
    let headers = fixture.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|c| c == name).unwrap();
    let (text, label) = (column("text"), column("label"));
    let data: Vec<csv::StringRecord> = fixture.records().map(Result::unwrap).collect();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), data.len());
    let (mut right, mut folds, mut loss) = (0, std::collections::BTreeSet::new(), 0.0);
    for (i, (row, given)) in rows.iter().zip(&data).enumerate() {
        assert_eq!(row[0].parse::<usize>().unwrap(), i + 1);
        assert_eq!(&row[3], &given[label], "row {}: the given label", i + 1);
        assert_eq!(&row[7], &given[text], "row {}: the text", i + 1);
        let p: Vec<f64> = [&row[5], &row[6]].map(|c| c.parse().unwrap()).into();
        assert!((p[0] + p[1] - 1.0).abs() < 1e-5, "{p:?}");
        let argmax = if p[1] > p[0] { "desperate" } else { "composed" };
        assert_eq!(&row[4], argmax);
        right += usize::from(row[3] == row[4]);
        let given = if &row[3] == "composed" { p[0] } else { p[1] };
        loss -= given.clamp(1e-15, 1.0).ln();
        folds.insert(row[2].parse::<usize>().unwrap());
    }
    assert_eq!(folds, (1..=3).collect());
    // The file holds the very predictions the report pools.
    let accuracy = v["accuracy"].as_f64().unwrap();
    assert!((right as f64 / rows.len() as f64 - accuracy).abs() < 1e-12);
    // Written in full: the report's log loss comes back from the file.
    let log_loss = v["log_loss"].as_f64().unwrap();
    assert!(
        (loss / rows.len() as f64 - log_loss).abs() < 1e-9,
        "{loss} against {log_loss}"
    );
    // The data itself is never the output.
    let mut cmd = draftcheck_in(&root());
    cmd.args(["evaluate", "--folds", "3", "--data"])
        .arg(small_csv())
        .arg("--predictions")
        .arg(small_csv());
    assert_clean_failure(&mut cmd, 2, &["--predictions", "is an input of this run"]);
    let mut cmd = draftcheck_in(&root());
    cmd.args([
        "evaluate",
        "--folds",
        "3",
        "--alpha",
        "0.1,1",
        "--predictions",
    ])
    .arg(&path)
    .arg("--data")
    .arg(small_csv());
    assert_clean_failure(&mut cmd, 2, &["--predictions takes one combination"]);
}
