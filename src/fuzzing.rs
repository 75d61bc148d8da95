//! Entry points shared by the cargo-fuzz targets in fuzz/ and the regression tests
//! in tests/fuzz_regressions.rs.
//!
//! Each function takes arbitrary bytes and runs one loader or the analyzer on them.
//! Errors are expected and ignored; what must never happen is a panic, an abort, an
//! unbounded allocation or a hang. A few invariants the rest of the tool relies on
//! (term spans slice the draft; a loaded model saves to a file that loads again)
//! are asserted, so that breaking them is a finding too.

use std::path::Path;

use crate::advice::AdviceFile;
use crate::csv_format::Records;
use crate::dataset::parse_labelled;
use crate::model::classifier::Classifier;
use crate::model::embedded;
use crate::model::file::ModelFile;
use crate::model::{Contribution, Pipeline, Settings, Verdict};
use crate::text::{AnalyzerSettings, Vectorizer, VectorizerSettings};

/// Drafts scored by every model the fuzzer loads: plain, shouted, punctuation
/// runs, numbers, emoji with modifiers, combining marks, non-Latin scripts.
const DRAFTS: &[&str] = &[
    "",
    "please call me back, I miss you so much!!!",
    "I bought you ROSES and a ring?! 15 times 😭😭 👍🏽",
    "Hope you're well. Take care.",
    "e\u{301}te\u{301} \u{2019}don\u{2019}t\u{2019} ！？ 👨\u{200D}👩\u{200D}👧 ﬁ ẞ İ",
    "Привет, как дела? 你好吗 مرحبا",
];

/// The CSV reader: the labelled loader of `train`/`evaluate` (columns "text" and
/// "label"), then the records of [`Records`], the reader of every command (here
/// as `score --batch` reads them: column "text", every field decoded).
pub fn csv_loader(data: &[u8]) {
    let path = Path::new("fuzz.csv");
    if let Ok(dataset) = parse_labelled(path, data, "text", "label") {
        assert_eq!(dataset.texts.len(), dataset.targets.len());
        assert!(dataset.labels.len() >= 2);
        let counts = dataset.label_counts();
        assert_eq!(counts.values().sum::<usize>(), dataset.len());
    }

    let Ok(records) = Records::from_bytes(path, data) else {
        return;
    };
    let Ok(columns) = records.columns(&[("text", "--text-column")]) else {
        return;
    };
    let n = records.headers().len();
    for record in records {
        let Ok(record) = record else {
            break;
        };
        if record.text(columns[0], "text").is_err() {
            break;
        }
        for i in 0..n {
            let _ = record.field(i);
        }
    }
}

/// The model loader: parse and validate a model file, build its pipeline, score a
/// few drafts, and check that the model saves to a file that loads again.
pub fn model_loader(data: &[u8]) {
    let source = Path::new("fuzz-model.json");
    // The built-in model's compact form, with the input as its body (after
    // the magic and the layout version): damaged counts, header and arrays
    // must be errors, never a panic or an allocation out of bounds.
    let mut compact = embedded::MAGIC.to_vec();
    compact.extend_from_slice(&embedded::VERSION.to_le_bytes());
    compact.extend_from_slice(data);
    let _ = ModelFile::from_compact(source, &compact);
    let Ok(model) = ModelFile::from_slice(source, data) else {
        return;
    };

    let Ok(pipeline) = model.to_pipeline() else {
        return;
    };
    for draft in DRAFTS {
        check_verdict(&pipeline, draft);
    }
    let resaved = ModelFile::new(&pipeline, model.training.clone());
    let json = serde_json::to_vec(&resaved).expect("a model serialises");
    let reloaded = match ModelFile::from_slice(source, &json) {
        Ok(m) => m,
        Err(e) => panic!("a loaded model saved to a file that does not load: {e}"),
    };
    // The file as `train` writes it compacts (as build.rs does the bundled
    // one), and reads back the same to the bit.
    let compact = embedded::encode(&json).expect("a saved model compacts");
    match ModelFile::from_compact(source, &compact) {
        Ok(back) => assert_eq!(
            serde_json::to_string(&back).expect("a model serialises"),
            serde_json::to_string(&reloaded).expect("a model serialises"),
            "a model read back from its compact form differs"
        ),
        Err(e) => panic!("a saved model's compact form does not load: {e}"),
    }
}

/// Scores a draft and checks that the verdict is usable: a label in range, and
/// spans that slice the draft (the score command highlights them).
fn check_verdict(pipeline: &Pipeline, draft: &str) -> Verdict {
    let verdict = pipeline.score(draft);
    assert!(verdict.label < pipeline.labels().len());
    assert_eq!(verdict.probabilities.len(), pipeline.labels().len());
    for contribution in &verdict.contributions {
        for span in &contribution.spans {
            assert!(
                draft.get(span.clone()).is_some(),
                "span {span:?} of '{}' does not slice the draft",
                contribution.term
            );
        }
    }
    verdict
}

/// The text analyzer. The first two bytes pick the settings (language english or
/// none, markers on or off, ending 0 to 3 sentences, an n-gram range within
/// 1..=5); the rest is the text,
/// decoded as UTF-8 with invalid bytes replaced.
pub fn analyzer(data: &[u8]) {
    let (flags, range, text) = match data {
        [flags, range, text @ ..] => (*flags, *range as usize, text),
        _ => return,
    };
    let max = crate::text::analyzer::MAX_NGRAM;
    let ngram_min = 1 + range % max;
    let ngram_max = ngram_min + (range / max) % (max - ngram_min + 1);
    let settings = AnalyzerSettings {
        language: if flags & 1 == 0 { "english" } else { "none" }.to_string(),
        ngram_min,
        ngram_max,
        markers: flags & 2 == 0,
        ending: (flags as usize >> 2) % 4,
    };
    let analyzer = settings.build().expect("the settings are in range");
    let text = String::from_utf8_lossy(text);
    let tokens = analyzer.tokenize(&text);
    for token in &tokens {
        assert!(
            text.get(token.span.clone()).is_some(),
            "token span {:?} does not slice the text",
            token.span
        );
        assert!(!token.term.is_empty(), "empty term at {:?}", token.span);
    }
    for (term, span) in analyzer.analyze_tokens(&tokens) {
        assert!(
            text.get(span.clone()).is_some(),
            "span {span:?} of '{term}' does not slice the text"
        );
    }
    let terms = analyzer.analyze(&text);
    let count = |tokens: &[crate::text::Token]| {
        let words = tokens.iter().filter(|t| t.is_word).count();
        let ngrams: usize = (ngram_min..=ngram_max)
            .map(|n| (words + 1).saturating_sub(n))
            .sum();
        tokens.len() - words + ngrams
    };
    let (ending_terms, whole_terms): (Vec<&String>, Vec<&String>) = terms
        .iter()
        .partition(|t| crate::text::analyzer::ending_base(t).is_some());
    assert_eq!(whole_terms.len(), count(&tokens));
    // The ending: the tokens from the first of the last `ending` sentences
    // that have a word (none if no sentence has one).
    let mut sentences: Vec<usize> = tokens
        .iter()
        .filter(|t| t.is_word)
        .map(|t| t.sentence)
        .collect();
    sentences.dedup();
    let ending = if settings.ending == 0 || sentences.is_empty() {
        &tokens[tokens.len()..]
    } else {
        match sentences.len().checked_sub(settings.ending) {
            Some(skip) => {
                let first = sentences[skip];
                &tokens[tokens.iter().position(|t| t.sentence == first).unwrap()..]
            }
            // Fewer sentences with a word than the ending: all of the draft.
            None => &tokens[..],
        }
    };
    assert_eq!(ending_terms.len(), count(ending));
    for window in tokens.windows(2) {
        assert!(
            window[0].sentence <= window[1].sentence,
            "sentences out of order"
        );
    }
}

/// The advice loader: parse an advice file (decoded as UTF-8 with invalid bytes
/// replaced), then choose advice for verdicts of a small model whose labels are the
/// file's and whose vocabulary is its cues.
pub fn advice_loader(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Ok(advice) = AdviceFile::parse(Path::new("fuzz-advice.toml"), &text) else {
        return;
    };
    let pipeline = advice_pipeline(&advice);
    for label in pipeline.labels() {
        let _ = advice.display_name(label);
    }
    // Every label, with every term of the vocabulary pushing for it.
    let n_labels = pipeline.labels().len();
    for label in 0..n_labels {
        let verdict = Verdict {
            label,
            probabilities: vec![1.0 / n_labels as f64; n_labels],
            logit: 0.0,
            intercept: 0.0,
            contributions: pipeline
                .vectorizer()
                .terms()
                .iter()
                .map(|term| Contribution {
                    term: term.to_string(),
                    weight: 1.0,
                    spans: Vec::new(),
                })
                .collect(),
        };
        let _ = advice.select(&pipeline, &verdict);
    }
    // Real verdicts: each entry's cues as a draft, and the drafts above.
    let cue_drafts = advice
        .labels
        .values()
        .flat_map(|l| &l.entries)
        .map(|e| e.cues.join(" "));
    for draft in cue_drafts.chain(DRAFTS.iter().map(|d| d.to_string())) {
        let verdict = check_verdict(&pipeline, &draft);
        let _ = advice.select(&pipeline, &verdict);
    }
}

/// A model with the advice file's labels (padded to two) and the analysed terms
/// of its cues as vocabulary, weights alternating in sign.
fn advice_pipeline(advice: &AdviceFile) -> Pipeline {
    let settings = Settings::default();
    let analyzer = settings.analyzer.build().expect("default settings");
    let mut labels: Vec<String> = advice.labels.keys().cloned().collect();
    for extra in ["composed", "desperate"] {
        if labels.len() < 2 && !labels.iter().any(|l| l == extra) {
            labels.push(extra.to_string());
        }
    }
    let mut terms: Vec<String> = advice
        .labels
        .values()
        .flat_map(|l| &l.entries)
        .flat_map(|e| &e.cues)
        .flat_map(|cue| analyzer.analyze(cue))
        .chain(["<caps>", "<num>", "!!", "pleas"].map(String::from))
        .collect();
    terms.sort();
    terms.dedup();
    let rows = if labels.len() == 2 { 1 } else { labels.len() };
    let weights = ndarray::Array2::from_shape_fn((rows, terms.len()), |(k, j)| {
        if (j + k) % 2 == 0 { 1.0 } else { -0.5 }
    });
    let n_terms = terms.len();
    let vectorizer = Vectorizer::new(
        VectorizerSettings::default(),
        terms.into_iter().collect(),
        vec![1; n_terms],
        1,
    );
    let classifier = Classifier::new(weights, ndarray::Array1::zeros(rows), labels.len());
    Pipeline::from_parts(settings, vectorizer, classifier, labels).expect("the parts fit")
}
