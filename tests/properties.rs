//! Property tests: the text pipeline never panics on any Unicode, verdicts are
//! well-formed probability distributions whose explanation adds up, training is
//! deterministic, and a saved model scores exactly as the one in memory.
//!
//! Case counts are kept modest so that `cargo test` stays quick; raise them with
//! `PROPTEST_CASES=...` for a longer run.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use draftcheck::dataset::parse_labelled;
use draftcheck::model::{ModelFile, Pipeline, Settings, TrainingSummary, Verdict};
use draftcheck::text::AnalyzerSettings;
use proptest::prelude::*;

/// Characters chosen to be awkward for segmentation, case mapping and stemming.
fn awkward_char() -> impl Strategy<Value = char> {
    prop_oneof![
        // Any Unicode scalar value at all, control characters included.
        3 => any::<char>(),
        // Plain words and spaces, so that n-grams and stems happen.
        3 => prop::sample::select(" abcdefghijklmnopqrstuvwxyzAEIOUY'-.,".chars().collect::<Vec<_>>()),
        // ASCII and C1 control characters, separators, NUL, BOM.
        1 => prop::sample::select(vec![
            '\0', '\t', '\n', '\r', '\u{0B}', '\u{0C}', '\u{1B}', '\u{7F}', '\u{85}',
            '\u{2028}', '\u{2029}', '\u{FEFF}', '\u{00A0}', '\u{3000}',
        ]),
        // Combining marks (alone, stacked, after anything).
        2 => (0x0300u32..=0x036F).prop_map(|c| char::from_u32(c).unwrap()),
        // Emoji, skin tones, ZWJ, variation selectors, keycaps, flags.
        2 => prop::sample::select(vec![
            '😭', '🥺', '🙂', '👍', '🏽', '🏿', '\u{200D}', '\u{FE0F}', '\u{FE0E}', '\u{20E3}',
            '👨', '👩', '👧', '❤', '🇫', '🇷', '#', '*', '1',
        ]),
        // Right-to-left text and bidi controls.
        2 => prop::sample::select(vec![
            'א', 'ב', 'ש', 'ל', 'ו', 'ם', 'ا', 'ل', 'س', 'م', 'ع', 'ي', 'ك', '\u{200E}', '\u{200F}',
            '\u{202A}', '\u{202B}', '\u{202E}', '\u{2066}', '\u{2069}', '٣',
        ]),
        // Case mapping that changes length, Turkish i, ligatures, CJK, full-width punctuation.
        2 => prop::sample::select(vec![
            'ß', 'İ', 'ı', 'ŉ', 'ﬁ', 'ǅ', 'Σ', 'ς', 'ΐ', '水', '愛', 'の', '！', '？', '!', '?',
            '’', 'ʼ', '‘', '\u{1D400}', 'Ⅻ', '½', '٫',
        ]),
    ]
}

fn awkward_text(max_len: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(awkward_char(), 0..max_len).prop_map(|cs| cs.into_iter().collect())
}

fn analyzer_settings() -> impl Strategy<Value = AnalyzerSettings> {
    (
        prop::sample::select(vec![
            "english",
            "none",
            "arabic",
            "greek",
            "russian",
            "turkish",
            "tamil",
            "french",
            "hungarian",
        ]),
        1usize..=5,
        0usize..=4,
        any::<bool>(),
        0usize..=3,
    )
        .prop_map(|(language, min, extra, markers, ending)| AnalyzerSettings {
            language: language.to_string(),
            ngram_min: min,
            ngram_max: (min + extra).min(5),
            markers,
            ending,
        })
}

/// Checks everything a verdict promises, for a pipeline with `n_labels` labels.
fn check_verdict(v: &Verdict, n_labels: usize, text: &str) -> Result<(), TestCaseError> {
    prop_assert_eq!(v.probabilities.len(), n_labels);
    for &p in &v.probabilities {
        prop_assert!((0.0..=1.0).contains(&p), "probability {} for {:?}", p, text);
    }
    let sum: f64 = v.probabilities.iter().sum();
    prop_assert!((sum - 1.0).abs() < 1e-12, "sum {} for {:?}", sum, text);
    prop_assert!(v.label < n_labels);
    // The predicted label is the most probable one.
    for &p in &v.probabilities {
        prop_assert!(p <= v.probability());
    }
    prop_assert!(v.logit.is_finite() && v.intercept.is_finite());
    // intercept + contributions = logit.
    let total = v.intercept + v.contributions.iter().map(|c| c.weight).sum::<f64>();
    prop_assert!(
        (total - v.logit).abs() <= 1e-9 * (1.0 + v.logit.abs()),
        "intercept {} + contributions = {} but logit {}",
        v.intercept,
        total,
        v.logit
    );
    if n_labels == 2 {
        // The logit is the predicted label's log-odds; as label 1 against label 0
        // it gives label 1's probability through the logistic function.
        let z = if v.label == 1 { v.logit } else { -v.logit };
        let p1 = 1.0 / (1.0 + (-z).exp());
        prop_assert!(
            (p1 - v.probabilities[1]).abs() < 1e-9,
            "sigmoid(logit) {} but p1 {}",
            p1,
            v.probabilities[1]
        );
    }
    // Every contribution names a distinct term whose spans point into the text.
    let mut terms: Vec<&str> = v.contributions.iter().map(|c| c.term.as_str()).collect();
    terms.sort_unstable();
    let before = terms.len();
    terms.dedup();
    prop_assert_eq!(before, terms.len(), "a term contributes twice");
    for c in &v.contributions {
        prop_assert!(c.weight.is_finite());
        for span in &c.spans {
            prop_assert!(text.get(span.clone()).is_some(), "bad span {:?}", span);
        }
    }
    Ok(())
}

/// The word pools of the generated training sets.
const POOL_A: &[&str] = &[
    "please", "call", "me", "flowers", "ring", "bought", "you", "miss", "answer", "why", "begging",
    "letter", "roses", "necklace", "tonight",
];
const POOL_B: &[&str] = &[
    "congrats", "hope", "well", "keys", "thanks", "doing", "new", "job", "good", "luck", "weekend",
    "trip", "happy", "for", "the",
];
const POOL_C: &[&str] = &[
    "maybe",
    "later",
    "coffee",
    "sometime",
    "unsure",
    "perhaps",
    "wondering",
    "if",
    "free",
];

/// A tiny labelled data set: `n_labels` labels (each present), rows of 1-8 words
/// drawn mostly from the label's pool, sometimes from any pool.
fn tiny_dataset() -> impl Strategy<Value = (Vec<String>, Vec<usize>, usize)> {
    (2usize..=3)
        .prop_flat_map(|n_labels| {
            let row = (
                0..n_labels,
                prop::collection::vec((any::<bool>(), 0usize..64), 1..8),
            );
            (Just(n_labels), prop::collection::vec(row, 2..12))
        })
        .prop_map(|(n_labels, rows)| {
            let pools = [POOL_A, POOL_B, POOL_C];
            let mut texts = Vec::new();
            let mut targets = Vec::new();
            for (i, (label, words)) in rows.into_iter().enumerate() {
                // The first rows cover every label.
                let label = if i < n_labels { i } else { label };
                let text: Vec<&str> = words
                    .iter()
                    .map(|&(own, k)| {
                        let pool = if own {
                            pools[label]
                        } else {
                            pools[k % n_labels]
                        };
                        pool[k % pool.len()]
                    })
                    .collect();
                texts.push(text.join(" "));
                targets.push(label);
            }
            while targets.len() < n_labels {
                let label = targets.len();
                texts.push(pools[label][0].to_string());
                targets.push(label);
            }
            (texts, targets, n_labels)
        })
}

fn label_names(n_labels: usize) -> Vec<String> {
    ["composed", "desperate", "hopeful"][..n_labels]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

fn fit(texts: &[String], targets: &[usize], labels: &[String]) -> Pipeline {
    // Tiny generated data sets: keep terms seen once (the default min_df of 2 is
    // for real data sets).
    let mut settings = Settings::default();
    settings.vectorizer.min_df = 1;
    let trainer = settings.check().unwrap();
    let corpus = trainer.analyze_all(texts);
    trainer
        .fit(&corpus, &corpus.all(), targets, labels)
        .unwrap()
}

fn summary(texts: &[String], targets: &[usize], labels: &[String]) -> TrainingSummary {
    let mut label_counts = BTreeMap::new();
    for &t in targets {
        *label_counts.entry(labels[t].clone()).or_insert(0) += 1;
    }
    TrainingSummary {
        data_file: "generated.csv".into(),
        data_sha256: "0".repeat(64),
        rows: texts.len(),
        label_counts,
        heldout: None,
        test_fraction: 0.0,
        seed: 42,
        eval: None,
        fit: None,
        best_eval: None,
    }
}

/// Saves a pipeline the way `train` does (JSON) and loads it back the way `score`
/// does (validated), returning the file's bytes and the loaded pipeline.
fn round_trip(
    pipeline: &Pipeline,
    texts: &[String],
    targets: &[usize],
) -> (Vec<u8>, ModelFile, Pipeline) {
    let file = ModelFile::new(pipeline, summary(texts, targets, pipeline.labels()));
    let bytes = serde_json::to_vec(&file).unwrap();
    let loaded = ModelFile::from_slice(Path::new("roundtrip.json"), &bytes).unwrap();
    let pipeline = loaded.to_pipeline().unwrap();
    (bytes, loaded, pipeline)
}

/// A two-label and a three-label model trained once on the small fixture.
fn fixture_models() -> &'static [Pipeline] {
    static MODELS: OnceLock<Vec<Pipeline>> = OnceLock::new();
    MODELS.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/small.csv");
        let bytes = std::fs::read(&path).unwrap();
        let data = parse_labelled(&path, &bytes, "text", "label").unwrap();
        let two = fit(&data.texts, &data.targets, &data.labels);
        // A third label: every third draft becomes "hopeful".
        let mut labels = data.labels.clone();
        labels.push("hopeful".into());
        let targets: Vec<usize> = data
            .targets
            .iter()
            .enumerate()
            .map(|(i, &t)| if i % 3 == 0 { 2 } else { t })
            .collect();
        let three = fit(&data.texts, &targets, &labels);
        vec![two, three]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The analyzer takes any Unicode with any valid settings: no panic, no empty
    /// term, every span on character boundaries of the text, n-grams within range.
    #[test]
    fn the_analyzer_never_panics(text in awkward_text(80), settings in analyzer_settings()) {
        let analyzer = settings.build().unwrap();
        let tokens = analyzer.tokenize(&text);
        for token in &tokens {
            prop_assert!(!token.term.is_empty());
            prop_assert!(text.get(token.span.clone()).is_some(), "span {:?}", token.span);
        }
        let terms = analyzer.analyze_tokens(&tokens);
        let words = tokens.iter().filter(|t| t.is_word).count();
        let markers = tokens.len() - words;
        let expected: usize = markers
            + (settings.ngram_min..=settings.ngram_max)
                .map(|n| (words + 1).saturating_sub(n))
                .sum::<usize>();
        // The whole draft's terms, then (with `ending`) some of them again as
        // ending terms, each of which repeats a term of the whole draft.
        let (ending, whole): (Vec<&(String, std::ops::Range<usize>)>, Vec<_>) = terms
            .iter()
            .partition(|(t, _)| draftcheck::text::analyzer::ending_base(t).is_some());
        prop_assert_eq!(whole.len(), expected);
        prop_assert!(ending.len() <= whole.len());
        prop_assert!(settings.ending > 0 || ending.is_empty());
        for (term, span) in &ending {
            let base = draftcheck::text::analyzer::ending_base(term).unwrap();
            prop_assert!(whole.iter().any(|(t, s)| t == base && s == span), "{} alone", term);
        }
        for (term, span) in &terms {
            prop_assert!(!term.is_empty());
            prop_assert!(text.get(span.clone()).is_some(), "span {:?}", span);
        }
        let plain: Vec<String> = terms.into_iter().map(|(t, _)| t).collect();
        prop_assert_eq!(analyzer.analyze(&text), plain);
    }

    /// Scoring any Unicode with a trained model (two and three labels) gives
    /// probabilities in [0, 1] that sum to 1, and intercept + contributions = logit.
    #[test]
    fn verdicts_are_distributions_whose_explanation_adds_up(
        text in awkward_text(120),
        words in prop::collection::vec(prop::sample::select([POOL_A, POOL_B].concat()), 0..10),
    ) {
        // Arbitrary text, and the same with known words mixed in so that
        // contributions are not always empty.
        let mixed = format!("{} {text} {}", words.join(" "), words.join(", "));
        for pipeline in fixture_models() {
            for draft in [&text, &mixed] {
                let verdict = pipeline.score(draft);
                check_verdict(&verdict, pipeline.labels().len(), draft)?;
            }
        }
    }

    /// The CSV loader returns a result (never panics) on any bytes.
    #[test]
    fn the_csv_loader_never_panics(
        body in prop::collection::vec(
            prop_oneof![
                3 => any::<u8>(),
                3 => prop::sample::select(b",\"\r\n abcl".to_vec()),
            ],
            0..200,
        ),
        header in prop::sample::select(vec![
            &b"text,label\n"[..], b"\xef\xbb\xbftext,label\r\n", b"label,text,x\n", b"", b"text\n",
        ]),
    ) {
        let bytes = [header, body.as_slice()].concat();
        if let Ok(data) = parse_labelled(Path::new("fuzz.csv"), &bytes, "text", "label") {
            prop_assert!(data.labels.len() >= 2);
            prop_assert_eq!(data.texts.len(), data.targets.len());
            prop_assert!(data.targets.iter().all(|&t| t < data.labels.len()));
            prop_assert!(data.texts.iter().all(|t| !t.trim().is_empty()));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Training twice on the same data gives the very same model (the solver is
    /// deterministic: identical vocabulary, weights and intercepts, bit for bit).
    #[test]
    fn training_is_deterministic((texts, targets, n_labels) in tiny_dataset()) {
        let labels = label_names(n_labels);
        let a = fit(&texts, &targets, &labels);
        let b = fit(&texts, &targets, &labels);
        prop_assert_eq!(a.vectorizer().terms(), b.vectorizer().terms());
        prop_assert_eq!(a.vectorizer().doc_freq(), b.vectorizer().doc_freq());
        prop_assert_eq!(a.classifier(), b.classifier());
        for text in &texts {
            prop_assert_eq!(a.score(text), b.score(text));
        }
    }

    /// A model saved as JSON and loaded back (validated) scores every draft as the
    /// model in memory did, and saving it again gives the same bytes.
    #[test]
    fn saving_and_loading_keeps_every_prediction(
        (texts, targets, n_labels) in tiny_dataset(),
        extra in awkward_text(60),
    ) {
        let labels = label_names(n_labels);
        let pipeline = fit(&texts, &targets, &labels);
        let (bytes, loaded_file, loaded) = round_trip(&pipeline, &texts, &targets);
        prop_assert_eq!(loaded.labels(), pipeline.labels());
        prop_assert_eq!(loaded.settings(), pipeline.settings());
        prop_assert_eq!(loaded.vectorizer().terms(), pipeline.vectorizer().terms());
        let mut drafts = texts.clone();
        drafts.push(extra);
        drafts.push(texts.join(" "));
        for draft in &drafts {
            let before = pipeline.score(draft);
            let after = loaded.score(draft);
            check_verdict(&after, n_labels, draft)?;
            prop_assert_eq!(before.label, after.label);
            for (p, q) in before.probabilities.iter().zip(&after.probabilities) {
                prop_assert!((p - q).abs() <= 1e-12, "{} against {} for {:?}", p, q, draft);
            }
            prop_assert!((before.logit - after.logit).abs() <= 1e-12);
            prop_assert_eq!(before.contributions.len(), after.contributions.len());
        }
        // Written again, the loaded model is still a valid model file.
        let again = serde_json::to_vec(&loaded_file).unwrap();
        prop_assert!(again.len() > bytes.len() / 2);
        prop_assert!(ModelFile::from_slice(Path::new("again.json"), &again).is_ok());
    }
}

/// Floats should survive the JSON round trip exactly: serde_json writes the
/// shortest representation that reads back to the same f64, but without its
/// `float_roundtrip` feature it parses some of them 1 ulp off. Then a loaded model's
/// weights differ from the trained ones in the last bit, and loading and saving a
/// model again changes the file.
#[test]

fn saved_weights_read_back_bit_for_bit() {
    for pipeline in fixture_models() {
        let texts = vec!["x".to_string()];
        let (bytes, file, loaded) = round_trip(pipeline, &texts, &[0]);
        assert_eq!(loaded.classifier(), pipeline.classifier());
        assert_eq!(serde_json::to_vec(&file).unwrap(), bytes, "saved again");
    }
    // The smallest case: one weight.
    let x: f64 = -0.9491336941719056;
    let text = serde_json::to_string(&x).unwrap();
    assert_eq!(serde_json::from_str::<f64>(&text).unwrap(), x, "{text}");
}

/// A 1 MB single word (and 1 MB of other unbroken text) is analysed and scored
/// without panicking, as one term.
#[test]
fn a_one_megabyte_word_is_one_term() {
    const MB: usize = 1 << 20;
    let analyzer = AnalyzerSettings::default().build().unwrap();
    let word = "a".repeat(MB);
    let terms = analyzer.analyze(&word);
    assert_eq!(terms.len(), 1, "one word, no bigram");
    assert!(terms[0].len() >= MB - 8, "the stem keeps the word");

    // Letters with combining marks, a long run of digits, one endless emoji run,
    // right-to-left letters, and a word of capitals.
    let accented = "e\u{301}".repeat(MB / 3);
    let digits = "7".repeat(MB);
    let emoji = "😭".repeat(MB / 4);
    let hebrew = "ש".repeat(MB / 2);
    let shouted = "PLEASE".repeat(MB / 6);
    for (name, text) in [
        ("accented", &accented),
        ("digits", &digits),
        ("emoji", &emoji),
        ("hebrew", &hebrew),
        ("shouted", &shouted),
    ] {
        let tokens = analyzer.tokenize(text);
        assert!(!tokens.is_empty(), "{name}: no token");
        for pipeline in fixture_models() {
            let verdict = pipeline.score(text);
            let n = pipeline.labels().len();
            let sum: f64 = verdict.probabilities.iter().sum();
            assert_eq!(verdict.probabilities.len(), n);
            assert!((sum - 1.0).abs() < 1e-12, "{name}");
        }
    }
    assert_eq!(
        analyzer.analyze(&digits),
        vec!["<num>".to_string()],
        "digits"
    );
    assert!(
        analyzer.analyze(&shouted).contains(&"<caps>".to_string()),
        "capitals"
    );
    // Every emoji is its own marker term.
    assert_eq!(analyzer.analyze(&emoji).len(), MB / 4);
}

/// The JSON of the fixture's two-label model, as `train` writes it.
fn fixture_model_json() -> &'static [u8] {
    static JSON: OnceLock<Vec<u8>> = OnceLock::new();
    JSON.get_or_init(|| {
        let pipeline = &fixture_models()[0];
        let texts = vec!["x".to_string()];
        round_trip(pipeline, &texts, &[0]).0
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// A damaged model file (bytes overwritten, cut short, or a number replaced by
    /// another) is refused with an error or loads into a model that still scores
    /// any draft into a proper distribution: never a panic, never NaN.
    #[test]
    fn a_damaged_model_file_is_refused_or_still_scores(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4),
        cut in prop::option::of(any::<prop::sample::Index>()),
        number in prop::option::of((any::<prop::sample::Index>(), prop::sample::select(vec![
            "0", "-1", "1e308", "-1e308", "1e-320", "18446744073709551616", "3.5", "null", "[]", "\"x\"",
        ]))),
        draft in awkward_text(40),
    ) {
        let mut bytes = fixture_model_json().to_vec();
        if let Some((at, replacement)) = number {
            // Replace the digits of one number in the file.
            let starts: Vec<usize> = (1..bytes.len())
                .filter(|&i| bytes[i].is_ascii_digit() && matches!(bytes[i - 1], b':' | b',' | b'['))
                .collect();
            let start = starts[at.index(starts.len())];
            let end = (start..bytes.len())
                .find(|&i| !matches!(bytes[i], b'0'..=b'9' | b'.' | b'e' | b'E' | b'-' | b'+'))
                .unwrap_or(bytes.len());
            bytes.splice(start..end, replacement.bytes());
        }
        for (at, byte) in edits {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        if let Some(at) = cut {
            bytes.truncate(at.index(bytes.len()));
        }
        let Ok(file) = ModelFile::from_slice(Path::new("damaged.json"), &bytes) else {
            return Ok(());
        };
        let Ok(pipeline) = file.to_pipeline() else {
            return Ok(());
        };
        let text = format!("please call me {draft} thanks for the keys");
        let verdict = pipeline.score(&text);
        check_verdict(&verdict, pipeline.labels().len(), &text)?;
    }
}

/// A model file whose weights are finite but huge passes validation; with
/// `l2_normalize` off, a term counted twice makes its contribution overflow to
/// ±infinity, and two such terms of opposite signs make the logit NaN: the verdict
/// reads "NaN% sure" (JSON: `"weight": null`). Loading should refuse weights that
/// large, or scoring should keep the numbers finite.
#[test]

fn a_model_with_huge_weights_is_refused_or_scores_finite() {
    let mut value: serde_json::Value = serde_json::from_slice(fixture_model_json()).unwrap();
    value["settings"]["vectorizer"]["l2_normalize"] = false.into();
    value["settings"]["vectorizer"]["weighting"] = "count".into();
    let terms: Vec<String> = serde_json::from_value(value["vocabulary"]["terms"].clone()).unwrap();
    let at = |t: &str| terms.iter().position(|x| x == t).unwrap();
    let mut row: Vec<f64> = match &value["weights"][0] {
        serde_json::Value::String(text) => draftcheck::model::packed::unpack(text).unwrap(),
        other => serde_json::from_value(other.clone()).unwrap(),
    };
    row[at("pleas")] = 1e308;
    row[at("call")] = -1e308;
    value["weights"][0] = draftcheck::model::packed::pack(&row).into();
    let bytes = serde_json::to_vec(&value).unwrap();
    let Ok(file) = ModelFile::from_slice(Path::new("huge.json"), &bytes) else {
        return; // refusing such a file is fine
    };
    let verdict = file.to_pipeline().unwrap().score("please please call call");
    for p in &verdict.probabilities {
        assert!((0.0..=1.0).contains(p), "probability {p}");
    }
    assert!(verdict.logit.is_finite(), "logit {}", verdict.logit);
}
