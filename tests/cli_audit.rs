//! `draftcheck audit`: likely label mistakes from out-of-fold probabilities,
//! and duplicate rows.

mod common;

use common::*;

/// 2,000 bundled drafts with the labels of 20 rows flipped (every 100th), and one
/// row repeated (case and punctuation changed) with the other label.
fn noisy(dir: &std::path::Path) -> (std::path::PathBuf, Vec<usize>) {
    let mut reader = csv::Reader::from_path(root().join("data/drafts.csv")).unwrap();
    let path = dir.join("noisy.csv");
    let mut writer = csv::Writer::from_path(&path).unwrap();
    writer.write_record(["text", "label"]).unwrap();
    let mut flipped = Vec::new();
    let mut first = String::new();
    for (i, record) in reader.records().take(2000).enumerate() {
        let record = record.unwrap();
        let mut label = record[1].to_string();
        if i % 100 == 50 {
            label = if label == "desperate" {
                "composed"
            } else {
                "desperate"
            }
            .into();
            flipped.push(i + 1);
        }
        if i == 0 {
            first = record[0].to_string();
        }
        writer.write_record([&record[0], label.as_str()]).unwrap();
    }
    let other = if first.is_empty() { "x" } else { "composed" };
    writer
        .write_record([format!("{}!!", first.to_uppercase()).as_str(), other])
        .unwrap();
    writer.flush().unwrap();
    (path, flipped)
}

#[test]
fn audit_lists_flipped_labels_first_and_finds_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let (data, flipped) = noisy(dir.path());
    let out = assert_works(
        draftcheck_in(dir.path())
            .args(["audit", "--top", "20", "--format", "json", "--data"])
            .arg(&data),
    );
    let findings = json_lines(&out.stdout);
    let labels: Vec<&serde_json::Value> =
        findings.iter().filter(|f| f["kind"] == "label").collect();
    assert_eq!(labels.len(), 20);
    let found = labels
        .iter()
        .filter(|f| flipped.contains(&(f["row"].as_u64().unwrap() as usize)))
        .count();
    assert!(
        found >= 6,
        "only {found} of the 10 flipped rows in the top 10: {labels:?}"
    );
    for f in &labels {
        assert_ne!(f["label"], f["suggested"]);
        assert!(f["probability"].as_f64().unwrap() > 0.5);
        assert!(f["line"].as_u64().unwrap() > f["row"].as_u64().unwrap() - 1);
        assert!(!f["terms"].as_array().unwrap().is_empty());
    }
    // The repeated first row, with a label of its own: a duplicate or a conflict.
    let repeat: Vec<&serde_json::Value> = findings
        .iter()
        .filter(|f| f["kind"] != "label" && f["row"] == 2001)
        .collect();
    assert_eq!(repeat.len(), 1, "{findings:?}");
    assert_eq!(repeat[0]["terms"][0], "row 1");
    let conflict = repeat[0]["label"] != repeat[0]["suggested"];
    assert_eq!(
        repeat[0]["kind"],
        if conflict { "conflict" } else { "duplicate" }
    );
}

#[test]
fn audit_text_names_rows_and_lines() {
    let dir = tempfile::tempdir().unwrap();
    let (data, _) = noisy(dir.path());
    let out = assert_works(
        draftcheck_in(dir.path())
            .args(["audit", "--top", "3", "--repeats", "2", "--data"])
            .arg(&data),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("2001 rows;"), "{text}");
    assert!(text.contains("Likeliest label mistakes first"), "{text}");
    assert!(text.contains("because of:"), "{text}");
    assert!(text.contains("row 2001 (line"), "{text}");
}
