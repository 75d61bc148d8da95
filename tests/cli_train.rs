//! `draftcheck train` end to end on small data.

mod common;

use common::*;

#[test]
fn train_writes_a_self_describing_model_and_reports_the_holdout() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.json");
    let out = assert_works(
        draftcheck_in(dir.path())
            .args(["train", "--seed", "3", "--data"])
            .arg(small_csv())
            .arg("--model")
            .arg(&model),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("read 24 drafts"), "{stdout}");
    assert!(stdout.contains("held-out evaluation"), "{stdout}");
    assert!(stdout.contains("precision"), "{stdout}");
    assert!(stdout.contains("confusion"), "{stdout}");

    let value: serde_json::Value = serde_json::from_slice(&std::fs::read(&model).unwrap()).unwrap();
    assert_eq!(value["format"], "draftcheck-model");
    assert_eq!(value["format_version"], 2);
    assert_eq!(
        value["labels"],
        serde_json::json!(["composed", "desperate"])
    );
    assert_eq!(value["training"]["rows"], 24);
    assert_eq!(value["training"]["label_counts"]["desperate"], 12);
    assert_eq!(value["training"]["data_sha256"].as_str().unwrap().len(), 64);
    assert!(value["training"]["heldout"]["accuracy"].is_number());
    assert_eq!(value["settings"]["analyzer"]["ngram_max"], 2);
    let terms = value["vocabulary"]["terms"].as_array().unwrap();
    assert_eq!(weight_row(&value, 0).len(), terms.len());
    // The note column (always "quux") was ignored.
    assert!(!terms.iter().any(|t| t.as_str().unwrap().contains("quux")));
}

#[test]
fn training_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let read_model = |name: &str| {
        let path = dir.path().join(name);
        draftcheck_in(dir.path())
            .args(["train", "--data"])
            .arg(small_csv())
            .arg("--model")
            .arg(&path)
            .env("SOURCE_DATE_EPOCH", "1700000000")
            .assert()
            .success();
        std::fs::read(path).unwrap()
    };
    assert_eq!(read_model("a.json"), read_model("b.json"));
}

#[test]
fn options_reach_the_model() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.json");
    draftcheck_in(dir.path())
        .args([
            "train",
            "--test-fraction",
            "0",
            "--alpha",
            "0.5",
            "--ngrams",
            "1",
            "--min-df",
            "1",
            "--max-features",
            "10",
            "--max-iterations",
            "50",
            "--weighting",
            "binary",
            "--data",
        ])
        .arg(small_csv())
        .arg("--model")
        .arg(&model)
        .assert()
        .success()
        .stdout(predicates::str::contains("evaluation skipped"));
    let value: serde_json::Value = serde_json::from_slice(&std::fs::read(&model).unwrap()).unwrap();
    let s = &value["settings"];
    assert_eq!(s["classifier"]["alpha"], 0.5);
    assert_eq!(s["classifier"]["max_iterations"], 50);
    assert_eq!(s["analyzer"]["ngram_max"], 1);
    assert_eq!(s["vectorizer"]["weighting"], "binary");
    assert_eq!(value["vocabulary"]["terms"].as_array().unwrap().len(), 10);
    assert!(value["training"]["heldout"].is_null());
}

#[test]
fn a_retrain_keeps_the_replaced_models_settings_unless_given() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.json");
    let train = |extra: &[&str]| {
        let mut cmd = draftcheck_in(dir.path());
        cmd.args(["train", "--test-fraction", "0", "--data"])
            .arg(small_csv())
            .arg("--model")
            .arg(&model)
            .args(extra);
        let out = cmd.assert().success().get_output().stdout.clone();
        let value: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&model).unwrap()).unwrap();
        (String::from_utf8(out).unwrap(), value["settings"].clone())
    };
    let (_, first) = train(&["--ngrams", "1-3", "--alpha", "0.5", "--weighting", "binary"]);
    assert_eq!(first["analyzer"]["ngram_max"], 3);
    // Nothing given: every setting as the model it replaces.
    let (said, kept) = train(&[]);
    assert_eq!(kept, first);
    assert!(
        said.contains(
            "as the model it replaces was trained: --alpha 0.5 --ngrams 1-3 --weighting binary"
        ),
        "{said}"
    );
    // An option given wins; the others are still kept.
    let (_, changed) = train(&["--ngrams", "1-2"]);
    assert_eq!(changed["analyzer"]["ngram_max"], 2);
    assert_eq!(changed["classifier"]["alpha"], 0.5);
    assert_eq!(changed["vectorizer"]["weighting"], "binary");
    // Given at its default value, it still counts as given.
    let (_, defaults) = train(&["--alpha", "0.01", "--weighting", "tfidf"]);
    assert_eq!(defaults["classifier"]["alpha"], 0.01);
    assert_eq!(defaults["vectorizer"]["weighting"], "tfidf");
    // An off switch is kept until its on switch is given.
    let (said, _) = train(&["--no-markers"]);
    assert!(!said.contains("--no-markers"), "{said}");
    let (said, off) = train(&[]);
    assert!(said.contains("--no-markers"), "{said}");
    assert_eq!(off["analyzer"]["markers"], false);
    let (_, on) = train(&["--markers"]);
    assert_eq!(on["analyzer"]["markers"], true);

    let retrain_on = |data: &std::path::Path, extra: &[&str]| {
        let out = draftcheck_in(dir.path())
            .args(["train", "--test-fraction", "0", "--data"])
            .arg(data)
            .arg("--model")
            .arg(&model)
            .args(extra)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let value: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&model).unwrap()).unwrap();
        (String::from_utf8(out).unwrap(), value["settings"].clone())
    };
    // The same bytes under another name: a retrain (settings kept).
    train(&["--ngrams", "1-3", "--alpha", "0.5"]);
    let copy = dir.path().join("copy.csv");
    std::fs::copy(small_csv(), &copy).unwrap();
    let (said, same) = retrain_on(&copy, &[]);
    assert!(
        said.contains("as the model it replaces was trained"),
        "{said}"
    );
    assert_eq!(same["analyzer"]["ngram_max"], 3);
    // Other data (a replacement forced, not a retrain): the defaults.
    let other = dir.path().join("other.csv");
    let mut bytes = std::fs::read(small_csv()).unwrap();
    bytes.extend_from_slice(b"99,\"One more, for other data\",composed,x\n");
    std::fs::write(&other, bytes).unwrap();
    let (said, fresh) = retrain_on(&other, &["--force"]);
    assert!(!said.contains("as the model it replaces"), "{said}");
    assert_eq!(fresh["analyzer"]["ngram_max"], 2);
    assert_eq!(fresh["classifier"]["alpha"], 0.01);
}

#[test]
fn custom_columns_and_three_labels() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("three.csv");
    let mut csv = String::from("message,mood\n");
    let rows = [
        ("what a lovely sunny morning", "happy"),
        ("so glad we won the match", "happy"),
        ("great news about the garden", "happy"),
        ("lovely dinner, great company", "happy"),
        ("the train is late again, awful", "angry"),
        ("awful service, late and rude", "angry"),
        ("this is the worst, so late", "angry"),
        ("rude staff and an awful queue", "angry"),
        ("the meeting is at noon", "neutral"),
        ("the bus leaves at noon on monday", "neutral"),
        ("meeting moved to monday", "neutral"),
        ("the report is due monday at noon", "neutral"),
    ];
    for (t, l) in rows {
        csv.push_str(&format!("\"{t}\",{l}\n"));
    }
    std::fs::write(&data, csv).unwrap();
    let model = dir.path().join("m.json");
    draftcheck_in(dir.path())
        .args([
            "train",
            "--test-fraction",
            "0",
            "--min-df",
            "1",
            "--text-column",
            "message",
            "--label-column",
            "mood",
            "--data",
        ])
        .arg(&data)
        .arg("--model")
        .arg(&model)
        .assert()
        .success();
    let value: serde_json::Value = serde_json::from_slice(&std::fs::read(&model).unwrap()).unwrap();
    assert_eq!(
        value["labels"],
        serde_json::json!(["angry", "happy", "neutral"])
    );
    assert_eq!(value["weights"].as_array().unwrap().len(), 3);
    let out = draftcheck_in(dir.path())
        .args(["score", "--format", "json", "--model"])
        .arg(&model)
        .args(["awful and late", "lovely great morning"])
        .output()
        .unwrap();
    let lines = json_lines(&out.stdout);
    assert_eq!(lines[0]["label"], "angry");
    assert_eq!(lines[1]["label"], "happy");
    for line in &lines {
        let sum: f64 = line["probabilities"]
            .as_object()
            .unwrap()
            .values()
            .map(|p| p.as_f64().unwrap())
            .sum();
        assert!((sum - 1.0).abs() < 1e-9);
    }
}

#[test]
fn quoted_fields_bom_and_crlf_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("quoted.csv");
    let mut csv = String::from("\u{feff}text,label\r\n");
    for i in 0..6 {
        csv.push_str(&format!(
            "\"please, I said \"\"please\"\"\r\ncall me {i}\",desperate\r\n"
        ));
        csv.push_str(&format!("\"all fine here, take care {i}\",composed\r\n"));
    }
    csv.push_str("\r\n");
    std::fs::write(&data, csv).unwrap();
    draftcheck_in(dir.path())
        .args(["train", "--test-fraction", "0", "--data"])
        .arg(&data)
        .arg("--model")
        .arg(dir.path().join("m.json"))
        .assert()
        .success()
        .stdout(predicates::str::contains("read 12 drafts"));
}

/// On the bundled drafts, train fits a temperature on the held-out fit's
/// predictions and stores it; scoring then divides every logit by it, so the
/// probability is the logit's sigmoid and the contributions still add up.
#[test]
fn a_temperature_is_fitted_stored_and_applied() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.json");
    let out = assert_works(
        draftcheck_in(&root())
            .args(["train", "--model"])
            .arg(&model),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("calibration: temperature"), "{stdout}");
    let value: serde_json::Value = serde_json::from_slice(&std::fs::read(&model).unwrap()).unwrap();
    let t = value["temperature"].as_f64().expect("a temperature");
    assert!(t > 0.05 && t < 20.0 && t != 1.0, "{t}");

    let out = assert_works(
        draftcheck_in(&root())
            .args(["score", "--format", "json", "--model"])
            .arg(&model)
            .arg("I still love you, please meet me tonight. I bought you roses."),
    );
    let verdict = &json_lines(&out.stdout)[0];
    let logit = verdict["logit"].as_f64().unwrap();
    let sum: f64 = verdict["intercept"].as_f64().unwrap()
        + verdict["contributions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["weight"].as_f64().unwrap())
            .sum::<f64>();
    assert!((sum - logit).abs() < 1e-9, "{sum} vs {logit}");
    let p = verdict["probability"].as_f64().unwrap();
    assert!(
        (p - 1.0 / (1.0 + (-logit).exp())).abs() < 1e-9,
        "{p} vs {logit}"
    );

    // Without it, the same weights give the untempered logit: T times larger.
    let mut plain = value.clone();
    plain.as_object_mut().unwrap().remove("temperature");
    let plain_path = dir.path().join("plain.json");
    std::fs::write(&plain_path, plain.to_string()).unwrap();
    let out = assert_works(
        draftcheck_in(&root())
            .args(["score", "--format", "json", "--model"])
            .arg(&plain_path)
            .arg("I still love you, please meet me tonight. I bought you roses."),
    );
    let untempered = json_lines(&out.stdout)[0]["logit"].as_f64().unwrap();
    assert!((untempered - logit * t).abs() < 1e-9 * untempered.abs().max(1.0));
}

#[test]
fn ending_terms_are_trained_kept_on_a_retrain_shown_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.json");
    let train = |extra: &[&str]| {
        let out = assert_works(
            draftcheck_in(dir.path())
                .args(["train", "--test-fraction", "0", "--data"])
                .arg(small_csv())
                .arg("--model")
                .arg(&model)
                .args(extra),
        );
        let value: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&model).unwrap()).unwrap();
        (String::from_utf8(out.stdout).unwrap(), value)
    };
    let (_, first) = train(&["--ending", "2"]);
    assert_eq!(first["settings"]["analyzer"]["ending"], 2);
    let terms: Vec<&str> = first["vocabulary"]["terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert!(terms.contains(&"<end> pleas"), "{terms:?}");
    assert!(terms.contains(&"pleas"), "{terms:?}");
    // A plain retrain keeps it, and says so.
    let (said, again) = train(&[]);
    assert!(said.contains("--ending 2"), "{said}");
    assert_eq!(again["settings"]["analyzer"]["ending"], 2);
    let info = assert_works(
        draftcheck_in(dir.path())
            .arg("info")
            .arg("--model")
            .arg(&model),
    );
    let info = String::from_utf8_lossy(&info.stdout);
    assert!(
        info.contains("ending terms from the last 2 sentences"),
        "{info}"
    );

    // Scoring: an ending term reads as its words, marked as the ending's.
    let out = assert_works(
        draftcheck_in(dir.path())
            .args(["score", "--format", "json", "--model"])
            .arg(&model)
            .arg("Congratulations on the new job. Please call me tonight."),
    );
    let verdict = &json_lines(&out.stdout)[0];
    let ending: Vec<&serde_json::Value> = verdict["contributions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["term"].as_str().unwrap().starts_with("<end> "))
        .collect();
    assert!(!ending.is_empty(), "{verdict}");
    for c in ending {
        assert_eq!(c["ending"], true, "{c}");
        let text = c["text"].as_str().unwrap();
        assert!(
            !text.contains("(at the end)"),
            "{c}: as the draft writes it"
        );
        assert!(
            !text.contains("Congratulations"),
            "{c}: not in the last sentences"
        );
    }
    assert!(
        verdict["contributions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| !c["term"].as_str().unwrap().starts_with("<end> "))
            .all(|c| c.get("ending").is_none()),
        "{verdict}"
    );
    // The text output marks them, for a person reading the list.
    let out = assert_works(
        draftcheck_in(dir.path())
            .env("NO_COLOR", "1")
            .args(["score", "--top", "40", "--model"])
            .arg(&model)
            .arg("Congratulations on the new job. Please call me tonight."),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("(at the end)"), "{text}");
    // A bare "hi" still rests on one known term: "hi" and its ending copy
    // count once.
    let out = assert_works(
        draftcheck_in(dir.path())
            .args(["score", "--format", "json", "--model"])
            .arg(&model)
            .arg("please"),
    );
    assert_eq!(json_lines(&out.stdout)[0]["borderline"], true);

    // Out of range: a clear usage error naming the option.
    assert_clean_failure(
        draftcheck_in(dir.path())
            .args(["train", "--ending", "11", "--data"])
            .arg(small_csv())
            .arg("--model")
            .arg(dir.path().join("other.json")),
        2,
        &["--ending", "11", "0 (none) to 10"],
    );
}

#[test]
fn with_ending_terms_the_themes_learn_nothing_from_them() {
    // The first 400 drafts of the bundled data, which have themes.
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("themed.csv");
    first_bundled_drafts(&data, 400).flush().unwrap();
    let model = dir.path().join("m.json");
    assert_works(
        draftcheck_in(dir.path())
            .args(["train", "--test-fraction", "0", "--ending", "2", "--data"])
            .arg(&data)
            .arg("--model")
            .arg(&model),
    );
    let value: serde_json::Value = serde_json::from_slice(&std::fs::read(&model).unwrap()).unwrap();
    let terms: Vec<&str> = value["vocabulary"]["terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    let file: draftcheck::model::theme::ThemeFile =
        serde_json::from_value(value["themes"].clone()).expect("themes were learned");
    let ending = terms.iter().filter(|t| t.starts_with("<end> ")).count();
    assert!(ending > 100, "{ending} ending terms");
    for row in &file.weights {
        assert_eq!(row.len(), terms.len());
        let (mut learned, mut zero) = (0, 0);
        for (t, w) in terms.iter().zip(row) {
            if t.starts_with("<end> ") {
                assert_eq!(*w, 0.0, "{t}");
                zero += 1;
            } else if *w != 0.0 {
                learned += 1;
            }
        }
        assert!(learned > 100, "{learned} theme weights learned");
        assert_eq!(zero, ending);
    }
    // A desperate draft gets its themes from the model with ending terms too.
    let out = assert_works(
        draftcheck_in(dir.path())
            .args(["score", "--format", "json", "--model"])
            .arg(&model)
            .arg("I bought you a necklace. Please call me."),
    );
    let verdict = &json_lines(&out.stdout)[0];
    assert_eq!(verdict["label"], "desperate", "{verdict}");
    assert!(
        !verdict["themes"].as_array().unwrap().is_empty(),
        "{verdict}"
    );
}

#[test]
fn with_ending_terms_a_drafts_themes_do_not_depend_on_which_sentence_is_last() {
    // With unigrams, two orders of the same sentences have the same terms but
    // different ending terms. The themes read the row without its ending
    // terms, rescaled, so their probabilities must agree; the verdict reads
    // the ending and differs. Scoring with the whole row (ending columns kept,
    // or left out without the rescaling) would make the themes differ too,
    // since the two endings are of different lengths.
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("themed.csv");
    first_bundled_drafts(&data, 400).flush().unwrap();
    let model = dir.path().join("m.json");
    assert_works(
        draftcheck_in(dir.path())
            .args([
                "train",
                "--test-fraction",
                "0",
                "--ngrams",
                "1",
                "--ending",
                "1",
            ])
            .arg("--data")
            .arg(&data)
            .arg("--model")
            .arg(&model),
    );
    let score = |text: &str| {
        let out = assert_works(
            draftcheck_in(dir.path())
                .args(["score", "--format", "json", "--model"])
                .arg(&model)
                .arg(text),
        );
        json_lines(&out.stdout).remove(0)
    };
    let first =
        score("Please call me tonight. I bought you a necklace and had it sent to your office.");
    let second =
        score("I bought you a necklace and had it sent to your office. Please call me tonight.");
    let themes = |v: &serde_json::Value| -> Vec<(String, f64)> {
        v["themes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t["theme"].as_str().unwrap().to_string(),
                    t["probability"].as_f64().unwrap(),
                )
            })
            .collect()
    };
    let (a, b) = (themes(&first), themes(&second));
    assert!(!a.is_empty(), "{first}");
    assert_eq!(a.len(), b.len());
    for ((name, p), (other, q)) in a.iter().zip(&b) {
        assert_eq!(name, other);
        assert!((p - q).abs() < 1e-9, "{name}: {p} against {q}");
    }
    // Some theme is not saturated, so a change of scale would show.
    assert!(a.iter().any(|(_, p)| *p > 0.01 && *p < 0.99), "{a:?}");
    let (p, q) = (
        first["probability"].as_f64().unwrap(),
        second["probability"].as_f64().unwrap(),
    );
    assert!(
        (p - q).abs() > 1e-6,
        "the verdict reads the ending: {p} against {q}"
    );
}
