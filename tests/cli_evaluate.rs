//! `draftcheck evaluate`: seeded, stratified cross-validation.

mod common;

use common::*;

fn evaluate(seed: &str) -> serde_json::Value {
    let out = draftcheck_in(&root())
        .args([
            "evaluate", "--format", "json", "--folds", "3", "--seed", seed, "--data",
        ])
        .arg(small_csv())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn cross_validation_is_repeatable_and_complete() {
    let a = evaluate("1");
    assert_eq!(a, evaluate("1"));
    for field in [
        "accuracy",
        "macro_f1",
        "log_loss",
        "roc_auc",
        "per_class",
        "confusion",
        "folds",
        "fold_reports",
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
    assert_eq!(a["fold_reports"].as_array().unwrap().len(), 3);
    let folds_b = evaluate("2")["fold_reports"].clone();
    assert_ne!(a["fold_reports"], folds_b, "another seed gives other folds");
}

#[test]
fn folds_below_two_are_refused() {
    let mut cmd = draftcheck_in(&root());
    cmd.args(["evaluate", "--folds", "1", "--data"])
        .arg(small_csv());
    assert_clean_failure(&mut cmd, 2, &["--folds"]);
}
