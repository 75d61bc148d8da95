//! Revision help: each sentence's effect is exact, and each suggested cut is
//! real (scoring what is left gives what it claims).

mod common;

use common::*;
use draftcheck::dataset::load_labelled;
use draftcheck::model::Pipeline;
use draftcheck::model::file::load;
use draftcheck::revise::{sentence_effects, suggest, without};

fn bundled() -> Pipeline {
    load(&root().join("models/drafts.json"))
        .unwrap()
        .into_pipeline()
        .unwrap()
}

/// The logit of `label` for `text`, from a fresh score of it: the verdict's own
/// logit, or minus it for the other label (two labels).
fn rescored_logit(pipeline: &Pipeline, text: &str, label: usize) -> f64 {
    let v = pipeline.score(text);
    assert_eq!(pipeline.labels().len(), 2);
    if v.label == label { v.logit } else { -v.logit }
}

#[test]
fn every_sentence_effect_matches_rescoring_the_draft_without_it() {
    let pipeline = bundled();
    let eval = load_labelled(&root().join("data/eval.csv"), "text", "label").unwrap();
    let mut checked = 0;
    for text in &eval.texts {
        let verdict = pipeline.score(text);
        for effect in sentence_effects(&pipeline, text, &verdict) {
            let rest = without(text, std::slice::from_ref(&effect.range));
            let expected = verdict.logit - rescored_logit(&pipeline, &rest, verdict.label);
            assert!(
                (effect.delta_logit - expected).abs() <= 1e-9,
                "{text:?} without {:?}: {} against {expected}",
                &text[effect.range.clone()],
                effect.delta_logit
            );
            let p = pipeline.score(&rest).probabilities[verdict.label];
            assert!((effect.probability_without - p).abs() <= 1e-12);
            checked += 1;
        }
    }
    assert!(checked > 300, "only {checked} sentences checked");
}

#[test]
fn cuts_flip_most_desperate_drafts_and_every_claim_holds() {
    let pipeline = bundled();
    let desperate = pipeline
        .labels()
        .iter()
        .position(|l| l == "desperate")
        .unwrap();
    let eval = load_labelled(&root().join("data/eval.csv"), "text", "label").unwrap();
    let (mut drafts, mut flipped, mut sizes) = (0, 0, Vec::new());
    for (text, &target) in eval.texts.iter().zip(&eval.targets) {
        if eval.labels[target] != "desperate" {
            continue;
        }
        let verdict = pipeline.score(text);
        if sentence_effects(&pipeline, text, &verdict).len() < 2 {
            continue;
        }
        drafts += 1;
        if verdict.label != desperate {
            continue;
        }
        let Some(cut) = suggest(&pipeline, text, &verdict) else {
            continue;
        };
        // The claim, confirmed by scoring what is left.
        let rest = without(text, &cut.remove);
        let after = pipeline.score(&rest);
        assert_eq!(after.label, cut.label_after, "{text:?} -> {rest:?}");
        assert_ne!(after.label, desperate);
        assert!((after.probability() - cut.probability_after).abs() <= 1e-12);
        assert!(!rest.trim().is_empty(), "a cut never removes everything");
        // Only bytes of the draft are removed: what is left is the draft's text
        // in order.
        let mut at = 0;
        for r in &cut.remove {
            assert!(r.start >= at && r.end <= text.len());
            at = r.end;
        }
        flipped += 1;
        sizes.push(cut.remove.len());
    }
    sizes.sort_unstable();
    let share = flipped as f64 / drafts as f64;
    eprintln!(
        "{flipped} of {drafts} flipped ({share:.3}), median cut {}",
        sizes[sizes.len() / 2]
    );
    assert!(drafts >= 60, "{drafts}");
    assert!(share >= 0.70, "{flipped} of {drafts} flipped");
    assert!(sizes[(sizes.len() - 1) / 2] <= 2, "median {sizes:?}");
}

#[test]
fn the_json_revision_is_what_scoring_the_rest_gives() {
    // The README's example of a cut: three sentences, desperate with room to
    // spare (a borderline draft would test the model, not the revision).
    let draft = "Congrats on the job. I sent you flowers at the office. Call me when they arrive.";
    let out = assert_works(draftcheck_in(&root()).args(["score", "--format", "json", draft]));
    let v = &json_lines(&out.stdout)[0];
    assert_eq!(v["label"], "desperate");
    let sentences = v["sentences"].as_array().unwrap();
    assert_eq!(sentences.len(), 3);
    for s in sentences {
        let (start, end) = (
            s["start"].as_u64().unwrap() as usize,
            s["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(s["text"], &draft[start..end]);
    }
    let cut = &v["revision"];
    let ranges: Vec<std::ops::Range<usize>> = cut["remove"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["start"].as_u64().unwrap() as usize..r["end"].as_u64().unwrap() as usize)
        .collect();
    let rest = without(draft, &ranges);
    let out = assert_works(draftcheck_in(&root()).args(["score", "--format", "json", &rest]));
    let after = &json_lines(&out.stdout)[0];
    assert_eq!(after["label"], cut["label_after"]);
    assert!(
        (after["probability"].as_f64().unwrap() - cut["probability_after"].as_f64().unwrap()).abs()
            < 1e-12
    );
}

#[test]
fn a_draft_that_is_one_long_plea_says_no_cut_helps() {
    let draft = "Please come back. Please, I am begging you. Please call me tonight.";
    let out = assert_works(draftcheck_in(&root()).args(["score", draft]));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Reads as desperate"), "{text}");
    assert!(text.contains("Sentences that push it most"), "{text}");
    assert!(
        text.contains("To revise: without") || text.contains("No cut makes it read otherwise"),
        "{text}"
    );
}

#[test]
fn the_html_report_escapes_drafts_and_sums_them_up() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("drafts.csv");
    std::fs::write(
        &data,
        "text,label\n\"<script>alert('hi')</script> I bought you a necklace. Please call me.\",x\n\"Congrats on the new job, hope it goes well.\",y\n",
    )
    .unwrap();
    let out = assert_works(
        draftcheck_in(dir.path())
            .args(["score", "--format", "html", "--batch"])
            .arg(&data),
    );
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(page.starts_with("<!doctype html>"));
    assert!(!page.contains("<script"), "the draft's script is escaped");
    assert!(page.contains("&lt;script&gt;alert(&#39;hi&#39;)&lt;/script&gt;"));
    assert!(
        page.contains("2 drafts</strong>: 1 composed and independent, 1 desperate / materialistic"),
        "{page}"
    );
    // Self-contained: nothing fetched from anywhere.
    for needle in ["http://", "https://", "src=", "<link"] {
        assert!(!page.contains(needle), "{needle}");
    }
}

#[test]
fn sentences_that_push_carry_their_theme() {
    let draft = "Congrats on the job. I sent you flowers at the office. Call me when they arrive, I will be waiting.";
    let out = assert_works(draftcheck_in(&root()).args(["score", "--format", "json", draft]));
    let v = &json_lines(&out.stdout)[0];
    let themes: Vec<&serde_json::Value> = v["sentences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["theme"])
        .collect();
    // The congratulations pushes the other way: no theme; the flowers are a gift.
    assert!(themes[0].is_null(), "{themes:?}");
    assert_eq!(themes[1], "gift", "{themes:?}");
    // The draft's own themes, with the terms behind them.
    let gift = v["themes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["theme"] == "gift")
        .unwrap();
    assert!(gift["probability"].as_f64().unwrap() > 0.5);
    assert!(!gift["terms"].as_array().unwrap().is_empty());
}

/// Each theme is chosen against its own threshold, so a chosen theme can be
/// less probable than one that is not: the advice follows the chosen one.
#[test]
fn advice_follows_the_chosen_themes_not_the_most_probable() {
    use draftcheck::advice::AdviceFile;
    use draftcheck::model::theme::ThemeScore;
    let pipeline = bundled();
    let verdict = pipeline.score("I still love you, please come back to me");
    assert_eq!(pipeline.labels()[verdict.label], "desperate");
    let advice = AdviceFile::embedded();
    let entry = |id: &str| {
        advice.labels["desperate"]
            .entries
            .iter()
            .find(|e| e.id.as_deref() == Some(id))
            .unwrap()
            .summary
            .clone()
    };
    let theme = |name: &str, probability: f64, chosen: bool| ThemeScore {
        theme: name.to_string(),
        probability,
        threshold: if chosen {
            probability - 0.1
        } else {
            probability + 0.1
        },
        chosen,
        contributions: Vec::new(),
    };
    let shown = |scores: &[ThemeScore]| -> String {
        advice
            .select_by_themes(&pipeline, &verdict, scores)
            .unwrap()
            .iter()
            .map(|a| a.summary.clone())
            .collect::<Vec<_>>()
            .join("\n")
    };
    // letter chosen at 0.3, pressure not chosen at 0.6.
    let text = shown(&[theme("letter", 0.3, true), theme("pressure", 0.6, false)]);
    assert!(text.contains(&entry("love-letters")), "{text}");
    assert!(!text.contains(&entry("pressure")), "{text}");
    // None chosen: the most probable one stands in.
    let text = shown(&[theme("letter", 0.3, false), theme("pressure", 0.6, false)]);
    assert!(text.contains(&entry("pressure")), "{text}");
    assert!(!text.contains(&entry("love-letters")), "{text}");
}
