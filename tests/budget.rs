//! The memory budget of training: estimated before allocating, and for very
//! large files before reading them whole.

mod common;

use std::io::Write;

use common::*;

#[test]
fn a_dense_fit_above_the_budget_stops_with_what_would_fit() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.json");
    let train = |extra: &[&str]| {
        let mut cmd = draftcheck_in(dir.path());
        cmd.args(["train", "--test-fraction", "0", "--solver", "linfa"])
            .args(extra)
            .arg("--data")
            .arg(root().join("data/drafts.csv"))
            .arg("--model")
            .arg(&model);
        cmd
    };
    // 1 MiB / (rows x 4 bytes) terms fit.
    let rows = csv::Reader::from_path(root().join("data/drafts.csv"))
        .unwrap()
        .records()
        .count();
    let fits = (1024 * 1024 / (rows * 4)).to_string();
    assert_clean_failure(
        &mut train(&["--memory-budget", "1MiB"]),
        1,
        &[
            "above the memory budget of 1.0 MiB",
            &format!("--max-features {fits} or fewer"),
            "--solver sparse",
        ],
    );
    assert!(!model.exists());
    // What the hint says works.
    train(&["--memory-budget", "1MiB", "--max-features", &fits])
        .assert()
        .success();
    assert!(model.exists());
}

#[test]
fn a_sparse_fit_above_the_budget_stops_before_allocating() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.json");
    let mut cmd = draftcheck_in(dir.path());
    cmd.args([
        "train",
        "--solver",
        "sparse",
        "--memory-budget",
        "1MiB",
        "--data",
    ])
    .arg(root().join("data/drafts.csv"))
    .arg("--model")
    .arg(&model);
    assert_clean_failure(
        &mut cmd,
        1,
        &[
            "for the sparse feature matrix, above the memory budget of 1.0 MiB",
            "sample of the rows",
        ],
    );
    assert!(!model.exists());
}

#[test]
fn a_file_too_large_for_the_budget_fails_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("big.csv");
    // Just over the size above which files are checked before they are read.
    let limit = draftcheck::model::budget::PRECHECK_BYTES as usize;
    let mut file = std::io::BufWriter::new(std::fs::File::create(&data).unwrap());
    writeln!(file, "text,label").unwrap();
    let row = "hope the new job is going well and the commute is not too long,composed\n";
    for i in 0..limit / 60 + 2 {
        if i % 2 == 0 {
            file.write_all(row.as_bytes()).unwrap();
        } else {
            file.write_all(
                b"\"please call me back tonight, I cannot sleep without you\",desperate\n",
            )
            .unwrap();
        }
    }
    // A quote left open at the end: the file must not be read at all.
    file.write_all(b"\"unclosed,desperate\n").unwrap();
    drop(file);
    let expected = [
        "big.csv",
        "too large to train on",
        "memory budget of 64.0 MiB",
        "sample of the rows",
    ];
    let mut cmd = draftcheck_in(dir.path());
    cmd.args(["train", "--memory-budget", "64MiB", "--data"])
        .arg(&data)
        .arg("--model")
        .arg(dir.path().join("m.json"));
    assert_clean_failure(&mut cmd, 1, &expected);
    let mut cmd = draftcheck_in(dir.path());
    cmd.args(["evaluate", "--memory-budget", "64MiB", "--data"])
        .arg(&data);
    assert_clean_failure(&mut cmd, 1, &expected);
}

#[test]
fn a_budget_needs_a_unit_and_a_size() {
    for bad in ["lots", "0", "-1GiB"] {
        let mut cmd = draftcheck_in(&root());
        cmd.args(["train", &format!("--memory-budget={bad}")]);
        assert_clean_failure(&mut cmd, 2, &["--memory-budget"]);
    }
}
