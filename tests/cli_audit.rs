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

#[test]
fn review_relabels_and_drops_with_a_log_and_undo_restores_the_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let (data, _) = noisy(dir.path());
    let before = std::fs::read(&data).unwrap();
    let run = |args: &[&str], keys: &str| {
        let mut cmd = draftcheck_in(dir.path());
        cmd.arg("audit")
            .args(args)
            .arg("--data")
            .arg(&data)
            .write_stdin(keys);
        String::from_utf8(assert_works(&mut cmd).stdout).unwrap()
    };
    // Relabel the first suspect, drop the second, keep the third.
    let out = run(&["--review", "--top", "3"], "r\nd\nk\n");
    assert!(out.contains("3 rows to review"), "{out}");
    assert!(out.contains("relabelled as"), "{out}");
    assert!(out.contains("dropped"), "{out}");
    assert!(out.contains("2 change(s), logged in"), "{out}");
    // Each suspect's certainty reads as `score` writes one: a whole percentage
    // that never rounds a probability short of 1 up to "100%".
    let sure: Vec<&str> = out
        .split("the model says ")
        .skip(1)
        .map(|rest| rest.split_once(" (").unwrap().1.split_once(')').unwrap().0)
        .collect();
    assert_eq!(sure.len(), 3, "{out}");
    for p in &sure {
        let whole = p.strip_suffix('%').and_then(|n| n.parse::<u8>().ok());
        assert!(
            matches!(*p, ">99%" | "<1%") || whole.is_some_and(|n| (1..=99).contains(&n)),
            "{p:?} in {out}"
        );
    }
    let after = std::fs::read(&data).unwrap();
    assert_ne!(after, before);
    let rows = |bytes: &[u8]| csv::Reader::from_reader(bytes).records().count();
    assert_eq!(rows(&after), rows(&before) - 1);
    let log = std::fs::read_to_string(dir.path().join("noisy.csv.audit-log.csv")).unwrap();
    assert_eq!(log.lines().count(), 3, "{log}");
    assert!(log.starts_with("time,row,old_label,new_label,text"));
    // Undo twice: the file is byte for byte what it was.
    let mut cmd = draftcheck_in(dir.path());
    cmd.args(["audit", "--undo", "--data"]).arg(&data);
    assert_works(&mut cmd);
    let mut cmd = draftcheck_in(dir.path());
    cmd.args(["audit", "--undo", "--data"]).arg(&data);
    assert_works(&mut cmd);
    assert_eq!(std::fs::read(&data).unwrap(), before);
    // And nothing is left to undo.
    let mut cmd = draftcheck_in(dir.path());
    cmd.args(["audit", "--undo", "--data"]).arg(&data);
    assert_clean_failure(&mut cmd, 1, &["nothing to undo"]);
    // A log that is not one (edited by hand) is refused, not trusted.
    std::fs::write(
        dir.path().join("noisy.csv.audit-log.csv"),
        "time,row\nx,3\n",
    )
    .unwrap();
    let mut cmd = draftcheck_in(dir.path());
    cmd.args(["audit", "--undo", "--data"]).arg(&data);
    assert_clean_failure(&mut cmd, 1, &["not a review log"]);
    assert_eq!(std::fs::read(&data).unwrap(), before);
    // Nor is an entry whose old label would drive a terminal.
    std::fs::write(
        dir.path().join("noisy.csv.audit-log.csv"),
        "time,row,old_label,new_label,text
x,3,\"desperate\u{1b}[2J\",composed,hi\n",
    )
    .unwrap();
    let mut cmd = draftcheck_in(dir.path());
    cmd.args(["audit", "--undo", "--data"]).arg(&data);
    let stderr = assert_clean_failure(
        &mut cmd,
        1,
        &["old label holds a control", "nothing was undone"],
    );
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
    assert_eq!(std::fs::read(&data).unwrap(), before);
}

/// `--review` writes under `add`'s lock: while another writer holds it, the
/// change waits (the file stays as it was), and lands once it is released.
#[test]
fn review_waits_for_the_lock_that_add_holds() {
    use std::io::{BufRead, BufReader, Write};
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let (data, _) = noisy(dir.path());
    let before = std::fs::read(&data).unwrap();
    // The lock `add` takes (tests/cli_add.rs checks that adds serialise on it).
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.path().join(".noisy.csv.lock"))
        .unwrap();
    lock.lock().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_draftcheck"))
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .args(["-q", "audit", "--review", "--top", "1", "--data"])
        .arg(&data)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    // Wait for the review to start, then ask for the relabel.
    let mut line = String::new();
    while !line.contains("rows to review") {
        line.clear();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "review ended early"
        );
    }
    stdin.write_all(b"r\n").unwrap();
    stdin.flush().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(700));
    assert!(child.try_wait().unwrap().is_none(), "review did not wait");
    assert_eq!(
        std::fs::read(&data).unwrap(),
        before,
        "written under the lock"
    );
    drop(lock);
    drop(stdin);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    assert!(child.wait().unwrap().success(), "{rest}");
    assert!(rest.contains("relabelled as"), "{rest}");
    assert_ne!(std::fs::read(&data).unwrap(), before);
}

/// 3,000 bundled drafts with their themes, where every 25th desperate row
/// with the gift theme has lost it, and every 25th without it has gained it.
/// Returns the path and each changed row with its true theme cell.
fn themes_flipped(dir: &std::path::Path) -> (std::path::PathBuf, Vec<(usize, String)>) {
    let mut reader = csv::Reader::from_path(root().join("data/drafts.csv")).unwrap();
    let path = dir.join("themes.csv");
    let mut writer = csv::Writer::from_path(&path).unwrap();
    writer.write_record(["text", "label", "theme"]).unwrap();
    let (mut with, mut without, mut changed) = (0, 0, Vec::new());
    for (i, record) in reader.records().take(3000).enumerate() {
        let record = record.unwrap();
        let theme = record[2].to_string();
        let mut written = theme.clone();
        let mut themes: Vec<&str> = theme
            .split(';')
            .filter(|t| !t.is_empty() && *t != "none")
            .collect();
        if record[1] == *"desperate" && !themes.is_empty() {
            if themes.contains(&"gift") {
                with += 1;
                if with % 25 == 0 && themes.len() > 1 {
                    themes.retain(|t| *t != "gift");
                    written = themes.join(";");
                    changed.push((i + 1, theme.clone()));
                }
            } else {
                without += 1;
                if without % 25 == 0 {
                    written = format!("gift;{}", themes.join(";"));
                    changed.push((i + 1, theme.clone()));
                }
            }
        }
        writer
            .write_record([&record[0], &record[1], written.as_str()])
            .unwrap();
    }
    writer.flush().unwrap();
    (path, changed)
}

#[test]
fn audit_themes_lists_changed_theme_cells_first_with_the_cell_they_had() {
    let dir = tempfile::tempdir().unwrap();
    let (data, changed) = themes_flipped(dir.path());
    assert!(changed.len() >= 30, "{}", changed.len());
    let out = assert_works(
        draftcheck_in(dir.path())
            .args([
                "audit", "--themes", "--top", "60", "--format", "json", "--data",
            ])
            .arg(&data),
    );
    let findings = json_lines(&out.stdout);
    let themes: Vec<&serde_json::Value> =
        findings.iter().filter(|f| f["kind"] == "theme").collect();
    assert_eq!(themes.len(), 60);
    assert!(
        findings.iter().all(|f| f["kind"] != "label"),
        "{findings:?}"
    );
    // A finding on a changed row that is about the gift theme suggests the
    // cell the row had.
    let mut found = 0;
    for f in &themes {
        let row = f["row"].as_u64().unwrap() as usize;
        // Each theme finding carries the threshold its theme is chosen at.
        let threshold = f["threshold"].as_f64().unwrap();
        assert!(threshold > 0.0 && threshold < 1.0, "{f}");
        if let Some((_, truth)) = changed.iter().find(|(r, _)| *r == row) {
            let gift = |c: &str| c.split(';').any(|t| t == "gift");
            if gift(f["suggested"].as_str().unwrap()) != gift(f["label"].as_str().unwrap()) {
                assert_eq!(f["suggested"], truth.as_str(), "{f}");
                found += 1;
            }
        }
    }
    // 17 of the 60 findings are changed gift cells (at this commit): chance would give
    // about one in seventy (the 40-odd changed gift cells among the theme
    // cells of some 1,400 themed rows).
    assert!(
        found >= 10,
        "only {found} of {} changed rows among 60: {themes:?}",
        changed.len()
    );
    // The text view says which theme a finding adds or drops.
    let out = assert_works(
        draftcheck_in(dir.path())
            .args(["audit", "--themes", "--top", "5", "--data"])
            .arg(&data),
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("with a theme; cells the theme models write otherwise"),
        "{text}"
    );
    assert!(text.contains("Likeliest theme mistakes first"), "{text}");
    assert!(
        text.contains("(adds ") || text.contains("(drops "),
        "{text}"
    );
}

#[test]
fn audit_themes_needs_a_theme_column_and_does_not_review() {
    let dir = tempfile::tempdir().unwrap();
    let (data, _) = noisy(dir.path());
    assert_clean_failure(
        draftcheck_in(dir.path())
            .args(["audit", "--themes", "--data"])
            .arg(&data),
        1,
        &["noisy.csv has no 'theme' column", "leave out --themes"],
    );
    // clap's usage error (exit 2).
    assert_clean_failure(
        draftcheck_in(dir.path())
            .args(["audit", "--themes", "--review", "--data"])
            .arg(&data),
        2,
        &["--review", "cannot be used"],
    );
}
