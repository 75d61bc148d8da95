//! `draftcheck add`: appends one labelled draft safely.

mod common;

use std::path::{Path, PathBuf};

use common::*;

fn data_copy(dir: &Path) -> PathBuf {
    let path = dir.join("drafts.csv");
    std::fs::copy(small_csv(), &path).unwrap();
    path
}

fn rows(path: &Path) -> Vec<csv::StringRecord> {
    csv::Reader::from_path(path)
        .unwrap()
        .records()
        .map(|r| r.expect("valid CSV"))
        .collect()
}

#[test]
fn add_appends_a_quoted_row_that_reads_back_whole() {
    let dir = tempfile::tempdir().unwrap();
    let data = data_copy(dir.path());
    let text = "I booked the table, \"our\" table,\nfor Friday";
    draftcheck_in(dir.path())
        .args(["add", "--label", "desperate", "--data"])
        .arg(&data)
        .arg(text)
        .assert()
        .success()
        .stdout(predicates::str::contains("added a 'desperate' draft"));
    let all = rows(&data);
    assert_eq!(all.len(), 25);
    let last = all.last().unwrap();
    // Columns id,text,label,note: the other columns are left empty.
    assert_eq!(&last[1], text);
    assert_eq!(&last[2], "desperate");
    assert_eq!(&last[0], "");
}

#[test]
fn add_reads_a_file_and_keeps_crlf_files_crlf() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("crlf.csv");
    std::fs::write(
        &data,
        "text,label\r\nhello there,composed\r\nplease call,desperate",
    )
    .unwrap();
    let note = dir.path().join("note.txt");
    std::fs::write(&note, "  Thanks for the keys  \n").unwrap();
    draftcheck_in(dir.path())
        .args(["add", "--label", "composed", "--data"])
        .arg(&data)
        .arg("--file")
        .arg(&note)
        .assert()
        .success();
    let bytes = std::fs::read_to_string(&data).unwrap();
    assert_eq!(
        bytes,
        "text,label\r\nhello there,composed\r\nplease call,desperate\r\nThanks for the keys,composed\r\n"
    );
}

#[test]
fn add_refuses_duplicates_unknown_labels_and_empty_text() {
    let dir = tempfile::tempdir().unwrap();
    let data = data_copy(dir.path());
    let before = std::fs::read(&data).unwrap();
    let mut dup = draftcheck_in(dir.path());
    dup.args(["add", "--label", "composed", "--data"])
        .arg(&data)
        .arg("  thanks FOR sending the keys back ");
    assert_clean_failure(&mut dup, 1, &["drafts.csv:19", "already"]);
    let mut unknown = draftcheck_in(dir.path());
    unknown
        .args(["add", "--label", "hopeful", "--data"])
        .arg(&data)
        .arg("fingers crossed");
    assert_clean_failure(&mut unknown, 2, &["'hopeful'", "--new-label"]);
    let mut empty = draftcheck_in(dir.path());
    empty
        .args(["add", "--label", "composed", "--data"])
        .arg(&data)
        .arg(" \n ");
    assert_clean_failure(&mut empty, 2, &["empty"]);
    let mut missing = draftcheck_in(dir.path());
    missing
        .args(["add", "--label", "composed", "--data"])
        .arg(dir.path().join("nope.csv"))
        .arg("hi");
    assert_clean_failure(&mut missing, 1, &["nope.csv"]);
    assert_eq!(
        std::fs::read(&data).unwrap(),
        before,
        "a refused add changed the file"
    );
    draftcheck_in(dir.path())
        .args(["add", "--label", "hopeful", "--new-label", "--data"])
        .arg(&data)
        .arg("fingers crossed")
        .assert()
        .success();
    assert_eq!(rows(&data).len(), 25);
}

#[test]
fn twenty_concurrent_adds_all_land_whole() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("drafts.csv");
    std::fs::copy(root().join("data/drafts.csv"), &data).unwrap();
    let before = rows(&data).len();
    let children: Vec<_> = (0..20)
        .map(|i| {
            std::process::Command::new(env!("CARGO_BIN_EXE_draftcheck"))
                .args(["add", "--label", "composed", "--data"])
                .arg(&data)
                .arg(format!(
                    "Concurrent note {i}, with a comma, \"quotes\"\nand a second line"
                ))
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    let after = rows(&data);
    assert_eq!(after.len(), before + 20);
    for i in 0..20 {
        let text = format!("Concurrent note {i}, with a comma, \"quotes\"\nand a second line");
        assert_eq!(after.iter().filter(|r| r[0] == text).count(), 1, "note {i}");
    }
}

#[test]
fn a_killed_add_leaves_the_old_or_the_new_file() {
    use std::time::Duration;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("big.csv");
    // A file large enough that rewriting it takes a while.
    let mut body = String::from("text,label\n");
    for i in 0..120_000 {
        body.push_str(&format!(
            "\"draft number {i}, still going\",{}\n",
            if i % 2 == 0 { "composed" } else { "desperate" }
        ));
    }
    std::fs::write(&data, &body).unwrap();
    let old = body.into_bytes();
    for (attempt, delay_ms) in [0u64, 2, 5, 10, 20, 40, 80].iter().enumerate() {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_draftcheck"))
            .args(["add", "--label", "composed", "--data"])
            .arg(&data)
            .arg(format!("killed add {attempt}"))
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(*delay_ms));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let now = std::fs::read(&data).unwrap();
        let expected_new = [
            old.as_slice(),
            format!("killed add {attempt},composed\n").as_bytes(),
        ]
        .concat();
        assert!(
            now == old || now == expected_new,
            "attempt {attempt}: the file is neither the old nor the new version"
        );
        // Whichever it is, it parses; the next attempt starts from the old file.
        let _ = rows(&data);
        if now != old {
            std::fs::write(&data, &old).unwrap();
        }
    }
}
