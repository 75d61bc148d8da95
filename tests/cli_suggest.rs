//! `draftcheck suggest`: unlabelled drafts ranked by how much a label would
//! help, near-duplicates skipped, a share picked at random.

mod common;

use common::*;

#[test]
fn suggestions_put_uncertain_drafts_first_and_skip_repeats() {
    let dir = tempfile::tempdir().unwrap();
    let pool = dir.path().join("pool.csv");
    std::fs::write(
        &pool,
        "id,text\n\
         1,I bought you a necklace for your birthday. Please call me tonight.\n\
         2,Keys are with Sam downstairs.\n\
         3,\"KEYS are with Sam, downstairs!\"\n\
         4,Saw the photos from your trip. Looks amazing.\n\
         5,Happy birthday. I hope the year is kind to you.\n\
         6,Your parcel came here. I can drop it round tonight if you want.\n\
         7,I miss you so much. Please come back to me.\n",
    )
    .unwrap();
    let data = dir.path().join("labelled.csv");
    std::fs::write(
        &data,
        "text,label\nSaw the photos from your trip. Looks amazing!,composed\n",
    )
    .unwrap();
    let out = assert_works(
        draftcheck_in(dir.path())
            .args([
                "suggest",
                "--pool",
                "pool.csv",
                "--n",
                "4",
                "--explore",
                "0.25",
                "--format",
                "json",
            ])
            .arg("--data")
            .arg(&data)
            .arg("--model")
            .arg(root().join("models/drafts.json")),
    );
    let picks = json_lines(&out.stdout);
    assert_eq!(picks.len(), 4);
    let rows: Vec<u64> = picks.iter().map(|p| p["row"].as_u64().unwrap()).collect();
    // Row 3 repeats row 2; row 4 is in the labelled data.
    assert!(!rows.contains(&3) && !rows.contains(&4), "{rows:?}");
    assert_eq!(picks.iter().filter(|p| p["why"] == "explore").count(), 1);
    // The uncertain ones come first, least certain first.
    let certainty: Vec<f64> = picks
        .iter()
        .filter(|p| p["why"] == "uncertain")
        .map(|p| p["probability"].as_f64().unwrap())
        .collect();
    assert!(
        certainty.windows(2).all(|w| w[0] <= w[1] + 1e-12),
        "{certainty:?}"
    );
    for p in &picks {
        assert!(p["text"].as_str().unwrap().len() > 5);
        assert!(p["label"] == "desperate" || p["label"] == "composed");
    }
}

#[test]
fn a_pool_without_the_text_column_names_the_columns_it_has() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pool.csv"), "message\nhi\n").unwrap();
    let mut cmd = draftcheck_in(dir.path());
    cmd.args(["suggest", "--pool", "pool.csv"]);
    assert_clean_failure(
        &mut cmd,
        1,
        &[
            "no column named 'text'",
            "its columns: message",
            "--text-column",
        ],
    );
}
