//! Scripting conventions of `score`: exit codes, `--fail-on`, CSV output.

mod common;

use common::*;

#[test]
fn fail_on_exits_3_only_when_some_draft_gets_that_label() {
    let dir = tempfile::tempdir().unwrap();
    let model = train_small(dir.path());
    let run = |drafts: &[&str]| {
        draftcheck_in(dir.path())
            .args(["score", "--fail-on", "desperate", "--model"])
            .arg(&model)
            .args(drafts)
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(run(&["hope the new job is great"]), Some(0));
    assert_eq!(
        run(&["hope the new job is great", "please call me, I need you"]),
        Some(3)
    );
    let mut unknown = draftcheck_in(dir.path());
    unknown
        .args(["score", "--fail-on", "angry", "--model"])
        .arg(&model)
        .arg("hi");
    assert_clean_failure(&mut unknown, 2, &["angry", "composed, desperate"]);
}

#[test]
fn csv_output_keeps_the_input_columns_and_escapes_formulas() {
    let dir = tempfile::tempdir().unwrap();
    let model = train_small(dir.path());
    let batch = dir.path().join("batch.csv");
    std::fs::write(
        &batch,
        "id,text\n-1,\"=SUM(A1), please call me\"\n2,\"hope the new job is great\"\n",
    )
    .unwrap();
    let out = assert_works(
        draftcheck_in(dir.path())
            .args(["score", "--format", "csv", "--top", "2", "--model"])
            .arg(&model)
            .arg("--batch")
            .arg(&batch),
    );
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    assert_eq!(
        reader.headers().unwrap(),
        vec!["id", "text", "label", "probability", "top_terms"]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[0][0], "'-1");
    assert_eq!(&rows[0][1], "'=SUM(A1), please call me");
    assert_eq!(&rows[0][2], "desperate");
    assert_eq!(&rows[1][2], "composed");
    let p: f64 = rows[1][3].parse().unwrap();
    assert!((0.5..=1.0).contains(&p));
    assert_eq!(rows[1][4].split("; ").count(), 2);
}

#[test]
fn piped_output_has_no_escape_codes() {
    for no_color in [true, false] {
        let mut cmd = draftcheck_in(&root());
        if !no_color {
            cmd.env_remove("NO_COLOR");
        }
        let out = cmd
            .args(["score", "I bought you flowers, please call me"])
            .output()
            .unwrap();
        assert!(out.status.success());
        assert!(!out.stdout.contains(&0x1b), "escape code in piped output");
        assert!(!out.stderr.contains(&0x1b));
    }
}
