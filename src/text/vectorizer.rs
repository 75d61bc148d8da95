//! Vocabulary and term weighting: from analysed documents to feature vectors.
//!
//! [`VectorizerSettings`] (stored in the model) are fitted on a corpus of analysed
//! documents into a [`Vectorizer`]: the vocabulary (terms in sorted order, so the
//! same data always gives the same feature indices) with each term's document
//! frequency and inverse document frequency. The vectorizer then turns any
//! analysed document into a sparse row of weights.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// How a term's count in a document becomes its weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Weighting {
    /// (1 + ln tf) × idf, with smooth idf = ln((1 + n) / (1 + df)) + 1.
    Tfidf,
    /// The raw count of the term in the document.
    Count,
    /// 1 if the term occurs in the document, else 0.
    Binary,
}

/// Settings of the vocabulary and weighting, as stored in a model file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VectorizerSettings {
    /// Keep terms that occur in at least this many documents.
    pub min_df: usize,
    /// Drop terms that occur in more than this fraction of documents (0 < max_df <= 1).
    pub max_df: f64,
    /// Keep at most this many terms, the most frequent ones (0 = no limit).
    pub max_features: usize,
    /// Term weighting scheme.
    pub weighting: Weighting,
    /// Scale each document's vector to unit Euclidean length.
    pub l2_normalize: bool,
}

impl Default for VectorizerSettings {
    fn default() -> Self {
        VectorizerSettings {
            min_df: 2,
            max_df: 1.0,
            max_features: 0,
            weighting: Weighting::Tfidf,
            l2_normalize: true,
        }
    }
}

impl VectorizerSettings {
    /// Checks the settings that do not depend on the data.
    pub fn validate(&self) -> Result<()> {
        if self.min_df == 0 {
            return Err(Error::usage("--min-df must be at least 1")
                .with_hint("1 keeps every term; 2 drops terms seen in one draft only"));
        }
        if !(self.max_df > 0.0 && self.max_df <= 1.0) {
            return Err(Error::usage(format!(
                "--max-df must be a fraction in (0, 1], got {}",
                self.max_df
            )));
        }
        Ok(())
    }

    /// Builds the vocabulary from analysed documents (each a list of terms).
    pub fn fit<D: AsRef<[String]>>(&self, documents: &[D]) -> Result<Vectorizer> {
        self.validate()?;
        let n_docs = documents.len();
        let mut df: HashMap<&str, (usize, usize)> = HashMap::new(); // term -> (doc freq, total count)
        for doc in documents {
            let mut seen: Vec<&str> = doc.as_ref().iter().map(String::as_str).collect();
            for term in &seen {
                df.entry(term).or_default().1 += 1;
            }
            seen.sort_unstable();
            seen.dedup();
            for term in seen {
                df.entry(term).or_default().0 += 1;
            }
        }
        let max_docs = (self.max_df * n_docs as f64).floor() as usize;
        let mut kept: Vec<(&str, usize, usize)> = df
            .into_iter()
            .filter(|&(_, (d, _))| d >= self.min_df && d <= max_docs.max(1))
            .map(|(term, (d, c))| (term, d, c))
            .collect();
        if self.max_features > 0 && kept.len() > self.max_features {
            // Most frequent first; ties broken by the term itself, so the cut is deterministic.
            kept.sort_unstable_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(b.0)));
            kept.truncate(self.max_features);
        }
        kept.sort_unstable_by(|a, b| a.0.cmp(b.0));
        if kept.is_empty() {
            return Err(Error::new(format!(
                "no term occurs in at least {} of the {} drafts, so the vocabulary is empty",
                self.min_df, n_docs
            ))
            .with_hint("add more drafts, or lower --min-df"));
        }
        let terms: Vec<String> = kept.iter().map(|(t, _, _)| t.to_string()).collect();
        let doc_freq: Vec<usize> = kept.iter().map(|&(_, d, _)| d).collect();
        Ok(Vectorizer::new(self.clone(), terms, doc_freq, n_docs))
    }
}

/// A sparse feature vector: (feature index, weight) pairs in increasing index order.
pub type SparseRow = Vec<(usize, f64)>;

/// A fitted vocabulary with its weighting.
#[derive(Debug, Clone, PartialEq)]
pub struct Vectorizer {
    settings: VectorizerSettings,
    terms: Vec<String>,
    doc_freq: Vec<usize>,
    n_docs: usize,
    idf: Vec<f64>,
    index: HashMap<String, usize>,
}

impl Vectorizer {
    /// Rebuilds a vectorizer from its parts (as stored in a model file).
    pub fn new(
        settings: VectorizerSettings,
        terms: Vec<String>,
        doc_freq: Vec<usize>,
        n_docs: usize,
    ) -> Self {
        let idf = doc_freq
            .iter()
            .map(|&df| ((1.0 + n_docs as f64) / (1.0 + df as f64)).ln() + 1.0)
            .collect();
        let index = terms
            .iter()
            .enumerate()
            .map(|(i, t)| (t.clone(), i))
            .collect();
        Vectorizer {
            settings,
            terms,
            doc_freq,
            n_docs,
            idf,
            index,
        }
    }

    pub fn settings(&self) -> &VectorizerSettings {
        &self.settings
    }

    /// The vocabulary, in feature-index order.
    pub fn terms(&self) -> &[String] {
        &self.terms
    }

    /// Document frequency of each term in the training corpus.
    pub fn doc_freq(&self) -> &[usize] {
        &self.doc_freq
    }

    /// Number of documents the vocabulary was fitted on.
    pub fn n_docs(&self) -> usize {
        self.n_docs
    }

    pub fn len(&self) -> usize {
        self.terms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Feature index of a term, if it is in the vocabulary.
    pub fn index_of(&self, term: &str) -> Option<usize> {
        self.index.get(term).copied()
    }

    /// Weighted, optionally normalised sparse vector of an analysed document.
    /// Terms outside the vocabulary are ignored.
    pub fn transform(&self, terms: &[String]) -> SparseRow {
        let mut counts: HashMap<usize, usize> = HashMap::new();
        for term in terms {
            if let Some(&i) = self.index.get(term) {
                *counts.entry(i).or_default() += 1;
            }
        }
        let mut row: SparseRow = counts
            .into_iter()
            .map(|(i, tf)| {
                let weight = match self.settings.weighting {
                    Weighting::Tfidf => (1.0 + (tf as f64).ln()) * self.idf[i],
                    Weighting::Count => tf as f64,
                    Weighting::Binary => 1.0,
                };
                (i, weight)
            })
            .collect();
        row.sort_unstable_by_key(|&(i, _)| i);
        if self.settings.l2_normalize {
            let norm = row.iter().map(|(_, w)| w * w).sum::<f64>().sqrt();
            if norm > 0.0 {
                for (_, w) in &mut row {
                    *w /= norm;
                }
            }
        }
        row
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs(texts: &[&str]) -> Vec<Vec<String>> {
        texts
            .iter()
            .map(|t| t.split_whitespace().map(String::from).collect())
            .collect()
    }

    #[test]
    fn vocabulary_is_sorted_and_filtered_by_min_df() {
        let corpus = docs(&["b a c", "a b", "a d"]);
        let settings = VectorizerSettings::default(); // min_df 2
        let v = settings.fit(&corpus).unwrap();
        assert_eq!(v.terms(), ["a", "b"]);
        assert_eq!(v.doc_freq(), [3, 2]);
    }

    #[test]
    fn max_df_drops_terms_in_too_many_documents() {
        let corpus = docs(&["a b", "a b", "a c", "a c"]);
        let settings = VectorizerSettings {
            max_df: 0.75,
            ..VectorizerSettings::default()
        };
        assert_eq!(settings.fit(&corpus).unwrap().terms(), ["b", "c"]);
    }

    #[test]
    fn max_features_keeps_the_most_frequent_terms_deterministically() {
        let corpus = docs(&["a a a b c", "b c d", "d e"]);
        let settings = VectorizerSettings {
            min_df: 1,
            max_features: 2,
            ..VectorizerSettings::default()
        };
        // a: 3, then b, c, d tie on 2: the tie goes to the alphabetically first.
        assert_eq!(settings.fit(&corpus).unwrap().terms(), ["a", "b"]);
    }

    #[test]
    fn tfidf_rows_are_unit_length_and_sublinear() {
        let corpus = docs(&["a a a a b", "a b", "b c", "c"]);
        let settings = VectorizerSettings {
            min_df: 1,
            ..VectorizerSettings::default()
        };
        let v = settings.fit(&corpus).unwrap();
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
            let v = settings.fit(&corpus).unwrap();
            let row = v.transform(&corpus[0]);
            assert_eq!(row, vec![(0, expected[0]), (1, expected[1])]);
        }
    }

    #[test]
    fn unknown_terms_are_ignored_and_empty_vocabulary_is_an_error() {
        let corpus = docs(&["a b", "a c"]);
        let v = VectorizerSettings::default().fit(&corpus).unwrap();
        assert!(v.transform(&docs(&["zzz"])[0]).is_empty());
        let err = VectorizerSettings {
            min_df: 5,
            ..VectorizerSettings::default()
        }
        .fit(&corpus)
        .unwrap_err();
        assert!(err.to_string().contains("min-df"));
    }
}
