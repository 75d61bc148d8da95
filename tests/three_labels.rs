//! The data tools with labels of the user's own, three of them: `audit` finds
//! a flipped label and suggests the right one of three, `suggest` guesses
//! among the three, and `label` offers one key per label.

mod common;

use common::*;

const WORDS: [(&str, [&str; 8]); 3] = [
    (
        "angry",
        [
            "awful", "rude", "late", "worst", "furious", "broken", "terrible", "queue",
        ],
    ),
    (
        "happy",
        [
            "lovely",
            "glad",
            "great",
            "sunny",
            "won",
            "delighted",
            "cheerful",
            "wonderful",
        ],
    ),
    (
        "neutral",
        [
            "meeting", "noon", "monday", "report", "bus", "schedule", "agenda", "tuesday",
        ],
    ),
];

/// Eight rows of each label, four of its words each (no two the same); the happy row at record
/// `FLIPPED` is labelled angry.
const FLIPPED: usize = 14;

fn data() -> String {
    let mut csv = String::from("text,label\n");
    let mut record = 0;
    for i in 0..8 {
        for (label, words) in WORDS {
            record += 1;
            let text: Vec<&str> = (0..4).map(|k| words[(i + 3 * k) % 8]).collect();
            let given = if record == FLIPPED { "angry" } else { label };
            csv.push_str(&format!("the {},{given}\n", text.join(" ")));
        }
    }
    csv
}

#[test]
fn audit_suggest_and_label_work_with_three_labels() {
    let dir = tempfile::tempdir().unwrap();
    let original = data();
    std::fs::write(dir.path().join("data.csv"), &original).unwrap();
    let flipped = original.lines().nth(FLIPPED).unwrap();
    assert!(flipped.ends_with(",angry"));
    assert!(WORDS[1].1.iter().any(|w| flipped.contains(w)));

    // audit: the flipped row first, with the right label of the three. The
    // note on the small data's min_df goes to stderr, so the JSON stays clean.
    let out = assert_works(draftcheck_in(dir.path()).args([
        "audit", "--data", "data.csv", "--top", "1", "--format", "json",
    ]));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("min_df 1"),
        "{out:?}"
    );
    let found: Vec<serde_json::Value> = json_lines(&out.stdout)
        .into_iter()
        .filter(|v| v["kind"] == "label")
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["row"], FLIPPED as u64, "{found:?}");
    assert_eq!(found[0]["label"], "angry");
    assert_eq!(found[0]["suggested"], "happy");

    // Mend it, train a model of the three labels.
    let mended = original.replacen(flipped, &flipped.replace(",angry", ",happy"), 1);
    std::fs::write(dir.path().join("data.csv"), &mended).unwrap();
    assert_works(draftcheck_in(dir.path()).args([
        "train",
        "--test-fraction",
        "0",
        "--data",
        "data.csv",
        "--model",
        "m.json",
    ]));

    // suggest: every guess is one of the three labels.
    std::fs::write(
        dir.path().join("pool.csv"),
        "text\nthe rude bus was late on monday\nlovely sunny agenda\nthe report is at noon\n",
    )
    .unwrap();
    let out = assert_works(draftcheck_in(dir.path()).args([
        "suggest", "--pool", "pool.csv", "--data", "data.csv", "--model", "m.json", "--format",
        "json",
    ]));
    let picks = json_lines(&out.stdout);
    assert_eq!(picks.len(), 3, "{picks:?}");
    for p in &picks {
        assert!(
            ["angry", "happy", "neutral"].contains(&p["label"].as_str().unwrap()),
            "{p:?}"
        );
    }

    // label: one key per label; the third labels a draft neutral.
    let out = assert_works(
        draftcheck_in(dir.path())
            .args([
                "label",
                "--pool",
                "pool.csv",
                "--data",
                "data.csv",
                "--model",
                "m.json",
                "--explore",
                "0",
            ])
            .write_stdin("3\nq\n"),
    );
    let out = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.contains("Keys: 1 angry, 2 happy, 3 neutral, s skip, u undo, q quit"),
        "{out}"
    );
    let after = std::fs::read_to_string(dir.path().join("data.csv")).unwrap();
    assert_eq!(after.lines().count(), mended.lines().count() + 1, "{after}");
    assert!(after.starts_with(&mended));
    assert!(after.ends_with(",neutral\n"), "{after}");
}
