//! `draftcheck label`: a scripted session on piped input.

mod common;

use common::*;

fn session(dir: &std::path::Path, keys: &str) -> String {
    let mut cmd = draftcheck_in(dir);
    cmd.args([
        "label",
        "--pool",
        "pool.csv",
        "--data",
        "data.csv",
        "--explore",
        "0",
        "--model",
    ])
    .arg(root().join("models/drafts.json"))
    .write_stdin(keys);
    String::from_utf8(assert_works(&mut cmd).stdout).unwrap()
}

#[test]
fn labelling_appends_through_add_and_remembers_what_was_done() {
    let dir = tempfile::tempdir().unwrap();
    let pool = "text\n\
        I bought you a ring. Meet me tonight.\n\
        Your post is on the hall table.\n\
        Happy birthday! Hope the year is a good one.\n";
    std::fs::write(dir.path().join("pool.csv"), pool).unwrap();
    std::fs::write(
        dir.path().join("data.csv"),
        "text,label\nplease call me,desperate\nkeys are with Sam,composed\n",
    )
    .unwrap();
    // Label the first as desperate (2), undo it, label it composed (1), skip
    // the next, quit.
    let out = session(dir.path(), "2\nu\n1\ns\nq\n");
    assert!(
        out.contains("Keys: 1 composed, 2 desperate, s skip, u undo, q quit"),
        "{out}"
    );
    assert!(out.contains("added as 'desperate' (row 3"), "{out}");
    assert!(out.contains("undone"), "{out}");
    assert!(out.contains("added as 'composed' (row 3"), "{out}");
    assert!(out.contains("1 labelled this session"), "{out}");
    let data = std::fs::read_to_string(dir.path().join("data.csv")).unwrap();
    assert_eq!(data.lines().count(), 4, "{data}");
    assert!(data.ends_with(",composed\n"), "{data}");
    // The pool is untouched; what was labelled is remembered beside it.
    assert_eq!(
        std::fs::read_to_string(dir.path().join("pool.csv")).unwrap(),
        pool
    );
    let memory = std::fs::read_to_string(dir.path().join(".pool.csv.labelled")).unwrap();
    assert_eq!(memory.lines().count(), 1);
    // Next time, only the other two are offered.
    let out = session(dir.path(), "q\n");
    assert!(
        out.contains("2 drafts to label (1 already labelled from this pool)"),
        "{out}"
    );
}

#[test]
fn an_unknown_key_says_which_keys_there_are() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pool.csv"), "text\nCall me tonight.\n").unwrap();
    std::fs::write(
        dir.path().join("data.csv"),
        "text,label\nhi,composed\nplease,desperate\n",
    )
    .unwrap();
    let out = session(dir.path(), "7\nq\n");
    assert!(out.contains("  keys: 1 composed, 2 desperate"), "{out}");
    assert!(out.contains("0 labelled this session"), "{out}");
}
