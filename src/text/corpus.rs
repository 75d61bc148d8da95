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
use crate::text::analyzer::WordCache;

/// Texts analysed together into one chunk's dictionary.
const CHUNK: usize = 4096;
/// Chunks analysed in parallel before they are merged.
const GROUP: usize = 16;

/// Analysed documents and the terms they use.
#[derive(Debug, Clone, PartialEq)]
pub struct Corpus {
    /// Term id -> term.
    terms: Vec<String>,
    /// Every document's term ids, one after the other, in text order (repeats
    /// included).
    ids: Vec<u32>,
    /// Where each document starts in `ids` (and, last, where the last one ends).
    starts: Vec<usize>,
}

/// One chunk of documents with ids into its own small dictionary.
struct Chunk {
    terms: Vec<String>,
    ids: Vec<u32>,
    lengths: Vec<usize>,
}

/// A chunk's dictionary as it is built: each new term gets the next id, and
/// a string is kept only for a new term.
#[derive(Default)]
struct Interner(FxHashMap<Box<str>, u32>);

impl Interner {
    fn id(&mut self, term: &str) -> u32 {
        if let Some(&id) = self.0.get(term) {
            return id;
        }
        let id = self.0.len() as u32;
        self.0.insert(term.into(), id);
        id
    }

    /// Id -> term.
    fn into_terms(self) -> Vec<String> {
        let mut terms = vec![String::new(); self.0.len()];
        for (term, id) in self.0 {
            terms[id as usize] = term.into();
        }
        terms
    }
}

impl Chunk {
    /// Analyses `texts` and interns their terms into the chunk's own
    /// dictionary, with one [`WordCache`] for the chunk.
    fn analyze<S: AsRef<str>>(analyzer: &Analyzer, texts: &[S]) -> Self {
        let mut cache = WordCache::default();
        let mut local = Interner::default();
        let (mut ids, mut lengths) = (Vec::new(), Vec::new());
        for text in texts {
            let tokens = analyzer.tokenize_with(text.as_ref(), Some(&mut cache));
            let before = ids.len();
            analyzer.for_each_term(&tokens, |term, _| ids.push(local.id(term)));
            lengths.push(ids.len() - before);
        }
        Chunk {
            terms: local.into_terms(),
            ids,
            lengths,
        }
    }

    /// Interns analysed documents into the chunk's own dictionary.
    fn new(documents: impl Iterator<Item = Vec<String>>) -> Self {
        let mut local = Interner::default();
        let (mut ids, mut lengths) = (Vec::new(), Vec::new());
        for document in documents {
            lengths.push(document.len());
            ids.extend(document.iter().map(|term| local.id(term)));
        }
        Chunk {
            terms: local.into_terms(),
            ids,
            lengths,
        }
    }
}

/// Merges chunks, in order, into one corpus.
struct Merger {
    global: FxHashMap<String, u32>,
    terms: Vec<String>,
    ids: Vec<u32>,
    starts: Vec<usize>,
}

impl Default for Merger {
    fn default() -> Self {
        Merger {
            global: FxHashMap::default(),
            terms: Vec::new(),
            ids: Vec::new(),
            starts: vec![0],
        }
    }
}

impl Merger {
    fn add(&mut self, chunk: Chunk) {
        // The chunk's local ids -> global ids; new terms get the next ids.
        let map: Vec<u32> = chunk
            .terms
            .into_iter()
            .map(|term| {
                if let Some(&id) = self.global.get(&term) {
                    return id;
                }
                let id = u32::try_from(self.terms.len()).expect("fewer than 4 billion terms");
                self.terms.push(term.clone());
                self.global.insert(term, id);
                id
            })
            .collect();
        self.ids
            .extend(chunk.ids.iter().map(|&local| map[local as usize]));
        for n in chunk.lengths {
            let end = self.starts.last().copied().unwrap_or(0) + n;
            self.starts.push(end);
        }
    }

    fn finish(mut self) -> Corpus {
        self.ids.shrink_to_fit();
        Corpus {
            terms: self.terms,
            ids: self.ids,
            starts: self.starts,
        }
    }
}

impl Corpus {
    /// Analyses every text and interns its terms. Chunks of texts are analysed
    /// on every core, each into its own dictionary; the chunks are then merged in
    /// chunk order (new terms get the next id), so that ids follow first
    /// appearance over the whole corpus, whatever the number of threads.
    pub fn analyze<S: AsRef<str> + Sync>(analyzer: &Analyzer, texts: &[S]) -> Self {
        let mut merger = Merger::default();
        // A bounded number of chunks at a time, so that their dictionaries never
        // all exist at once.
        for group in texts.chunks(CHUNK * GROUP) {
            let chunks: Vec<Chunk> = group
                .par_chunks(CHUNK)
                .map(|c| Chunk::analyze(analyzer, c))
                .collect();
            for chunk in chunks {
                merger.add(chunk);
            }
        }
        merger.finish()
    }

    /// A corpus of documents already analysed into terms.
    pub fn from_terms<D: AsRef<[String]>>(documents: &[D]) -> Self {
        let mut merger = Merger::default();
        for c in documents.chunks(CHUNK) {
            merger.add(Chunk::new(c.iter().map(|d| d.as_ref().to_vec())));
        }
        merger.finish()
    }

    /// Term id -> term.
    pub fn terms(&self) -> &[String] {
        &self.terms
    }

    /// Every document's term ids.
    pub fn documents(&self) -> impl Iterator<Item = &[u32]> {
        self.starts.windows(2).map(|w| &self.ids[w[0]..w[1]])
    }

    pub fn document(&self, i: usize) -> &[u32] {
        &self.ids[self.starts[i]..self.starts[i + 1]]
    }

    pub fn len(&self) -> usize {
        self.starts.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The documents at `rows`, for a fit on part of the corpus.
    pub fn select(&self, rows: &[usize]) -> Vec<&[u32]> {
        rows.iter().map(|&i| self.document(i)).collect()
    }

    /// Every document, for a fit on the whole corpus.
    pub fn all(&self) -> Vec<&[u32]> {
        self.documents().collect()
    }

    /// Term occurrences in all the documents.
    pub fn occurrences(&self) -> usize {
        self.ids.len()
    }
}

/// Each term id of a corpus to its feature index in a vocabulary, if it has one.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureMap(pub(crate) Vec<u32>);

impl FeatureMap {
    /// The feature indices of a document's term ids (repeats kept).
    pub fn features<'a>(&'a self, document: &'a [u32]) -> impl Iterator<Item = usize> + 'a {
        document.iter().filter_map(|&id| {
            let f = self.0[id as usize];
            (f != u32::MAX).then_some(f as usize)
        })
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
        let documents: Vec<&[u32]> = corpus.documents().collect();
        assert_eq!(documents, [&[0, 1, 0][..], &[2, 1][..]]);
    }

    #[test]
    fn analysis_gives_the_same_corpus_on_any_number_of_threads() {
        let plain = AnalyzerSettings {
            language: "none".into(),
            markers: false,
            ngram_min: 2,
            ngram_max: 3,
            ending: 2,
        };
        for settings in [AnalyzerSettings::default(), plain] {
            same_corpus_on_any_number_of_threads(&settings.build().unwrap());
        }
    }

    fn same_corpus_on_any_number_of_threads(analyzer: &Analyzer) {
        // Repeated words in several forms (capitals, typographic apostrophes,
        // a word stemmed to nothing, numbers, emoji, runs of "!"), so that the
        // chunks' word caches are hit in every branch of a word's analysis.
        let forms = [
            "PLEASE call me",
            "please, Call ME!!!",
            "don’t go, don't",
            "ʼʼs and ''s",
            "I called 15 times 🥺🏽",
            "Running runs RAN",
        ];
        let texts: Vec<String> = (0..10_000)
            .map(|i| {
                format!(
                    "draft {} says hello {} times. {}",
                    i % 97,
                    i % 13,
                    forms[i % forms.len()]
                )
            })
            .collect();
        let on = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| Corpus::analyze(analyzer, &texts))
        };
        let one = on(1);
        assert_eq!(one, on(3));
        // The same ids, terms and documents as interning each text's
        // `analyze` (no word cache, no shared buffer).
        let expected: Vec<Vec<String>> = texts.iter().map(|t| analyzer.analyze(t)).collect();
        assert_eq!(one, Corpus::from_terms(&expected));
    }
}
