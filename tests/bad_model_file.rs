//! Bad model files: a clear error naming the file, a non-zero exit, no panic;
//! and a model folder that cannot be written keeps nothing half written.

mod common;

use common::*;

#[test]
fn missing_model_file() {
    let s = Setup::new();
    s.score_fails(&s.path("gone.json"), &["gone.json", "cannot read"]);
}

#[test]
fn truncated_model_file() {
    let s = Setup::new();
    let half = &s.model_bytes[..s.model_bytes.len() / 2];
    s.score_fails(
        &s.write("half.json", half),
        &["half.json", "not valid JSON"],
    );
}

#[test]
fn model_file_that_is_not_json() {
    let s = Setup::new();
    s.score_fails(
        &s.write("x.json", "text,label\n"),
        &["x.json", "not a draftcheck model"],
    );
    s.score_fails(
        &s.write("y.json", "{\"hello\": 1}"),
        &["y.json", "not a draftcheck model"],
    );
    s.score_fails(&s.write("z.json", ""), &["z.json", "empty"]);
}

#[test]
fn a_model_file_with_a_byte_that_is_not_utf8() {
    let s = Setup::new();
    // A damaged model (its header reads): where the bad byte is.
    let mut damaged = s.model_bytes.clone();
    let at = damaged.len() / 2;
    damaged[at] = 0xff;
    s.score_fails(
        &s.write("damaged.json", &damaged),
        &[
            "damaged.json",
            "malformed",
            &format!("not UTF-8 at byte {at}"),
        ],
    );
    // With a byte-order mark, the byte is still counted from the file's start.
    let mut marked = b"\xef\xbb\xbf".to_vec();
    marked.extend_from_slice(&damaged);
    s.score_fails(
        &s.write("marked.json", &marked),
        &["marked.json", &format!("not UTF-8 at byte {}", at + 3)],
    );
    // Not a model at all.
    s.score_fails(
        &s.write("binary.json", b"\x00\xff\xfe binary"),
        &["binary.json", "not a draftcheck model", "not UTF-8"],
    );
}

#[test]
fn model_of_another_format_version() {
    let s = Setup::new();
    let mut value: serde_json::Value = serde_json::from_slice(&s.model_bytes).unwrap();
    value["format_version"] = 99.into();
    s.score_fails(
        &s.write("v.json", value.to_string()),
        &["v.json", "version 99", "retrain"],
    );
}

#[test]
fn model_whose_dimensions_do_not_match() {
    let s = Setup::new();
    let base: serde_json::Value = serde_json::from_slice(&s.model_bytes).unwrap();
    let mut short = base.clone();
    let mut row = weight_row(&short, 0);
    row.pop();
    set_weight_row(&mut short, 0, &row);
    s.score_fails(
        &s.write("w.json", short.to_string()),
        &["w.json", "weight row 0"],
    );
    let mut labels = base.clone();
    labels["labels"] = serde_json::json!(["a", "b", "c"]);
    s.score_fails(
        &s.write("l.json", labels.to_string()),
        &["l.json", "3 labels need 3 weight row"],
    );
    let mut dupes = base.clone();
    dupes["labels"] = serde_json::json!(["a", "a"]);
    s.score_fails(
        &s.write("d.json", dupes.to_string()),
        &["d.json", "not unique"],
    );
    let mut df = base;
    df["vocabulary"]["doc_freq"].as_array_mut().unwrap().pop();
    s.score_fails(
        &s.write("f.json", df.to_string()),
        &["f.json", "document frequencies"],
    );
}

#[test]
fn an_unwritable_model_folder_keeps_nothing_half_written() {
    let s = Setup::new();
    let mut cmd = draftcheck_in(s.dir.path());
    cmd.args(["train", "--test-fraction", "0", "--data"])
        .arg(small_csv())
        .arg("--model")
        .arg(s.path("no/such/folder/m.json"));
    assert_clean_failure(&mut cmd, 1, &["no/such/folder"]);
}

#[test]
fn a_reformatted_model_file_still_loads() {
    // Pretty-printed with CRLF line endings and a trailing blank line.
    let s = Setup::new();
    let value: serde_json::Value = serde_json::from_slice(&s.model_bytes).unwrap();
    let pretty = serde_json::to_string_pretty(&value)
        .unwrap()
        .replace('\n', "\r\n")
        + "\r\n\r\n";
    let path = s.write("pretty.json", pretty);
    let before = s.score_works(&s.model, &["please call me"]);
    let after = s.score_works(&path, &["please call me"]);
    assert_eq!(before[0]["label"], after[0]["label"]);
    let (p, q) = (
        before[0]["probability"].as_f64().unwrap(),
        after[0]["probability"].as_f64().unwrap(),
    );
    assert!((p - q).abs() < 1e-12);
}

#[test]
fn a_model_file_with_a_byte_order_mark_loads() {
    let s = Setup::new();
    let path = s.write(
        "bom.json",
        [b"\xef\xbb\xbf", s.model_bytes.as_slice()].concat(),
    );
    s.score_works(&path, &["please call me"]);
}

#[test]
fn a_model_with_numbers_that_are_not_finite() {
    let s = Setup::new();
    s.edited_model_fails(
        "nan.json",
        |v| v["weights"][0] = serde_json::json!(["NaN"]),
        &["malformed"],
    );
    // A packed row whose bits are a NaN.
    s.edited_model_fails(
        "nan-bits.json",
        |v| {
            let n = v["vocabulary"]["terms"].as_array().unwrap().len();
            let mut row = vec![0.5; n];
            row[0] = f64::NAN;
            set_weight_row(v, 0, &row);
        },
        &["not a finite number"],
    );
    // JSON has no infinity: 1e999 is out of range.
    let text = String::from_utf8(s.model_bytes.clone()).unwrap();
    let at = text.find("\"intercepts\":[").unwrap() + "\"intercepts\":[".len();
    let path = s.write("inf.json", format!("{}1e999,{}", &text[..at], &text[at..]));
    s.score_fails(&path, &["inf.json", "out of range"]);
}

#[test]
fn a_model_whose_best_evaluation_accuracy_is_impossible() {
    let s = Setup::new();
    s.edited_model_fails(
        "best.json",
        |v| {
            v["training"]["best_eval"] =
                serde_json::json!({"path": "data/eval.csv", "sha256": "0", "accuracy": 5.0})
        },
        &["best evaluation accuracy is 5", "not between 0 and 1"],
    );
}

#[test]
fn a_model_with_a_broken_vocabulary() {
    let s = Setup::new();
    s.edited_model_fails(
        "unsorted.json",
        |v| {
            v["vocabulary"]["terms"].as_array_mut().unwrap().reverse();
        },
        &["not sorted"],
    );
    s.edited_model_fails(
        "df.json",
        |v| v["vocabulary"]["doc_freq"][0] = 0.into(),
        &["document frequency"],
    );
    s.edited_model_fails(
        "ndocs.json",
        |v| v["vocabulary"]["n_docs"] = 0.into(),
        &["document frequency"],
    );
}

#[test]
fn a_model_with_one_label_or_an_empty_label() {
    let s = Setup::new();
    s.edited_model_fails(
        "one.json",
        |v| v["labels"] = serde_json::json!(["composed"]),
        &["1 label"],
    );
    s.edited_model_fails(
        "empty.json",
        |v| v["labels"] = serde_json::json!(["", "desperate"]),
        &["empty label"],
    );
}

#[test]
fn a_model_with_unknown_or_invalid_settings() {
    let s = Setup::new();
    s.edited_model_fails(
        "unknown.json",
        |v| v["settings"]["analyzer"]["colour"] = "red".into(),
        &["unknown field `colour`"],
    );
    s.edited_model_fails(
        "ngram.json",
        |v| v["settings"]["analyzer"]["ngram_max"] = 9.into(),
        &["analyzer.ngram_min/ngram_max 1-9 is not an n-gram range"],
    );
    s.edited_model_fails(
        "alpha.json",
        |v| v["settings"]["classifier"]["alpha"] = (-1).into(),
        &["classifier.alpha must be a positive number"],
    );
    // A model file's setting is named as the file names it, not as an option.
    let mut value: serde_json::Value = serde_json::from_slice(&s.model_bytes).unwrap();
    value["settings"]["classifier"]["alpha"] = (-1).into();
    let path = s.write("alpha2.json", value.to_string());
    let mut cmd = draftcheck_in(s.dir.path());
    cmd.args(["score", "--model"]).arg(&path).arg("hi");
    let stderr = assert_clean_failure(&mut cmd, 1, &["alpha2.json"]);
    assert!(!stderr.contains("--alpha"), "{stderr}");
    s.edited_model_fails(
        "temperature.json",
        |v| v["temperature"] = (-2.0).into(),
        &["temperature is -2"],
    );
    s.edited_model_fails(
        "lang.json",
        |v| v["settings"]["analyzer"]["language"] = "klingon".into(),
        &["klingon"],
    );
    s.edited_model_fails(
        "ending.json",
        |v| v["settings"]["analyzer"]["ending"] = 99.into(),
        &["analyzer.ending", "99 is too many sentences"],
    );
    s.edited_model_fails(
        "ending2.json",
        |v| v["settings"]["analyzer"]["ending"] = (-1).into(),
        &["expected usize"],
    );
}

#[test]
fn a_model_whose_format_version_is_not_a_number() {
    let s = Setup::new();
    s.edited_model_fails(
        "ver.json",
        |v| v["format_version"] = "1".into(),
        &["format_version"],
    );
    s.score_fails(
        &s.write("arr.json", "[]"),
        &["arr.json", "not a draftcheck model"],
    );
}

/// Format 1 wrote each weight row as an array of numbers: such a file still
/// loads, and scores exactly as the packed one.
#[test]
fn a_model_of_format_1_with_plain_rows_still_loads() {
    let s = Setup::new();
    let mut old: serde_json::Value = serde_json::from_slice(&s.model_bytes).unwrap();
    assert!(old["weights"][0].is_string(), "written packed");
    let row = weight_row(&old, 0);
    old["weights"][0] = serde_json::json!(row);
    old["format_version"] = 1.into();
    let path = s.write("v1.json", old.to_string());
    let score = |model: &std::path::Path| {
        let out = assert_works(
            draftcheck_in(s.dir.path())
                .args(["score", "--format", "json", "--model"])
                .arg(model)
                .arg("please call me, I miss you"),
        );
        json_lines(&out.stdout)[0]["probability"].as_f64().unwrap()
    };
    assert_eq!(score(&path), score(&s.model));
}
