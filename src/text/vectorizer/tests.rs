//! Tests of the vocabulary and the weighting.

use super::*;

fn docs(texts: &[&str]) -> Vec<Vec<String>> {
    texts
        .iter()
        .map(|t| t.split_whitespace().map(String::from).collect())
        .collect()
}

/// Fits with alternating labels 0, 1, 0, ...
fn fit(settings: &VectorizerSettings, corpus: &[Vec<String>]) -> Vectorizer {
    let targets: Vec<usize> = (0..corpus.len()).map(|i| i % 2).collect();
    settings.check().unwrap().fit(corpus, &targets, 2).unwrap()
}

#[test]
fn vocabulary_is_sorted_and_filtered_by_min_df() {
    let corpus = docs(&["b a c", "a b", "a d"]);
    let settings = VectorizerSettings {
        min_df: 2,
        ..VectorizerSettings::default()
    };
    let v = fit(&settings, &corpus);
    assert_eq!(*v.terms(), ["a", "b"]);
    assert_eq!(v.doc_freq(), [3, 2]);
}

#[test]
fn max_df_drops_terms_in_too_many_documents() {
    let corpus = docs(&["a b", "a b", "a c", "a c"]);
    let settings = VectorizerSettings {
        min_df: 2,
        max_df: 0.75,
        ..VectorizerSettings::default()
    };
    assert_eq!(*fit(&settings, &corpus).terms(), ["b", "c"]);
}

#[test]
fn max_features_keeps_the_most_frequent_terms_deterministically() {
    let corpus = docs(&["a a a b c", "b c d", "d e"]);
    // a: 3, then b, c, d tie on 2: the tie goes to the alphabetically first.
    assert_eq!(keep_two(Selection::Frequency, &corpus), ["a", "b"]);
}

/// The terms kept when `selection` keeps two.
fn keep_two(selection: Selection, corpus: &[Vec<String>]) -> Vec<String> {
    let settings = VectorizerSettings {
        min_df: 1,
        max_features: 2,
        selection,
        ..VectorizerSettings::default()
    };
    fit(&settings, corpus).terms().to_vec()
}

#[test]
fn chi2_keeps_the_terms_that_depend_on_the_label() {
    // "x" only in label 0, "y" only in label 1, "common" everywhere (and most frequent).
    let corpus = docs(&[
        "x common common",
        "y common common",
        "x common",
        "y common",
        "x common z",
        "y common z",
    ]);
    assert_eq!(keep_two(Selection::Chi2, &corpus), ["x", "y"]);
}

#[test]
fn tfidf_rows_are_unit_length_and_sublinear() {
    let corpus = docs(&["a a a a b", "a b", "b c", "c"]);
    let settings = VectorizerSettings {
        min_df: 1,
        ..VectorizerSettings::default()
    };
    let v = fit(&settings, &corpus);
    let row = v.transform(&corpus[0]);
    let norm: f64 = row.iter().map(|(_, w)| w * w).sum();
    assert!((norm - 1.0).abs() < 1e-12);
    let idf = |df: f64| ((1.0 + 4.0) / (1.0 + df)).ln() + 1.0;
    let (wa, wb) = ((1.0 + 4f64.ln()) * idf(2.0), idf(3.0));
    assert!((row[0].1 / row[1].1 - wa / wb).abs() < 1e-12);
}

#[test]
fn count_and_binary_weighting() {
    let corpus = docs(&["a a b", "a b"]);
    for (weighting, expected) in [
        (Weighting::Count, [2.0, 1.0]),
        (Weighting::Binary, [1.0, 1.0]),
    ] {
        let settings = VectorizerSettings {
            weighting,
            l2_normalize: false,
            ..VectorizerSettings::default()
        };
        let v = fit(&settings, &corpus);
        let row = v.transform(&corpus[0]);
        assert_eq!(row, vec![(0, expected[0]), (1, expected[1])]);
    }
}

#[test]
fn unknown_terms_are_ignored_and_empty_vocabulary_is_an_error() {
    let corpus = docs(&["a b", "a c"]);
    let v = fit(&VectorizerSettings::default(), &corpus);
    assert!(v.transform(&docs(&["zzz"])[0]).is_empty());
    let err = VectorizerSettings {
        min_df: 5,
        ..VectorizerSettings::default()
    }
    .check()
    .unwrap()
    .fit(&corpus, &[0, 1], 2)
    .unwrap_err();
    assert!(err.to_string().contains("min-df"));
}
