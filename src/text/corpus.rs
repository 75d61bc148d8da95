//! A corpus: analysed documents as term ids into one dictionary of term strings.
//!
//! Analysis turns each text into terms (stems, n-grams, markers). Kept as
//! strings, 100,000 short texts take some 4.5 million of them (about 250 MB);
//! as 4-byte ids into a dictionary that holds each distinct term once, they take
//! 18 MB, and counting and looking them up becomes integer work. Ids are given in
//! order of first appearance, texts in input order, so the same texts always give
//! the same corpus, whatever the number of threads that analysed them.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::text::Analyzer;

/// Texts analysed in parallel at a time before their terms are given ids.
const CHUNK: usize = 4096;

/// Analysed documents and the terms they use.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Corpus {
    /// Term id -> term.
    terms: Vec<String>,
    /// Each document's terms, in text order (repeats included).
    documents: Vec<Vec<u32>>,
}

impl Corpus {
    /// Analyses every text (on every core, in chunks) and interns its terms.
    pub fn analyze<S: AsRef<str> + Sync>(analyzer: &Analyzer, texts: &[S]) -> Self {
        let mut builder = Builder::default();
        for chunk in texts.chunks(CHUNK) {
            let analysed: Vec<Vec<String>> = chunk
                .par_iter()
                .map(|t| analyzer.analyze(t.as_ref()))
                .collect();
            for terms in analysed {
                builder.push(terms);
            }
        }
        builder.finish()
    }

    /// A corpus of documents already analysed into terms.
    pub fn from_terms<D: AsRef<[String]>>(documents: &[D]) -> Self {
        let mut builder = Builder::default();
        for d in documents {
            builder.push(d.as_ref().to_vec());
        }
        builder.finish()
    }

    /// Term id -> term.
    pub fn terms(&self) -> &[String] {
        &self.terms
    }

    pub fn documents(&self) -> &[Vec<u32>] {
        &self.documents
    }

    pub fn document(&self, i: usize) -> &[u32] {
        &self.documents[i]
    }

    pub fn len(&self) -> usize {
        self.documents.len()
    }

    pub fn is_empty(&self) -> bool {
        self.documents.is_empty()
    }

    /// The documents at `rows`, for a fit on part of the corpus.
    pub fn select(&self, rows: &[usize]) -> Vec<&[u32]> {
        rows.iter().map(|&i| self.documents[i].as_slice()).collect()
    }

    /// Every document, for a fit on the whole corpus.
    pub fn all(&self) -> Vec<&[u32]> {
        self.documents.iter().map(Vec::as_slice).collect()
    }

    /// Bytes the ids take (for the memory budget).
    pub fn bytes(&self) -> u64 {
        let ids: usize = self.documents.iter().map(Vec::len).sum();
        (ids * 4 + self.documents.len() * 24) as u64
            + self.terms.iter().map(|t| t.len() as u64 + 24).sum::<u64>()
    }
}

#[derive(Default)]
struct Builder {
    ids: FxHashMap<String, u32>,
    terms: Vec<String>,
    documents: Vec<Vec<u32>>,
}

impl Builder {
    fn push(&mut self, terms: Vec<String>) {
        let mut document = Vec::with_capacity(terms.len());
        for term in terms {
            let id = match self.ids.get(&term) {
                Some(&id) => id,
                None => {
                    let id = u32::try_from(self.terms.len()).expect("fewer than 4 billion terms");
                    self.terms.push(term.clone());
                    self.ids.insert(term, id);
                    id
                }
            };
            document.push(id);
        }
        document.shrink_to_fit();
        self.documents.push(document);
    }

    fn finish(self) -> Corpus {
        Corpus {
            terms: self.terms,
            documents: self.documents,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::AnalyzerSettings;

    #[test]
    fn terms_are_interned_in_order_of_first_appearance() {
        let docs = vec![
            vec!["b".to_string(), "a".to_string(), "b".to_string()],
            vec!["c".to_string(), "a".to_string()],
        ];
        let corpus = Corpus::from_terms(&docs);
        assert_eq!(corpus.terms(), ["b", "a", "c"]);
        assert_eq!(corpus.documents(), [vec![0, 1, 0], vec![2, 1]]);
    }

    #[test]
    fn analysis_gives_the_same_corpus_on_any_number_of_threads() {
        let analyzer = AnalyzerSettings::default().build().unwrap();
        let texts: Vec<String> = (0..10_000)
            .map(|i| format!("draft {} says hello {} times", i % 97, i % 13))
            .collect();
        let on = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| Corpus::analyze(&analyzer, &texts))
        };
        let one = on(1);
        assert_eq!(one, on(3));
        let expected: Vec<Vec<String>> = texts.iter().map(|t| analyzer.analyze(t)).collect();
        for (document, terms) in one.documents().iter().zip(&expected) {
            let back: Vec<&str> = document
                .iter()
                .map(|&id| one.terms()[id as usize].as_str())
                .collect();
            assert_eq!(back, *terms);
        }
    }
}
