//! The text pipeline: analysis (words, stems, n-grams, markers) and vectorisation
//! (vocabulary, tf-idf weighting).

pub mod analyzer;
pub mod corpus;
pub mod terms;
pub mod vectorizer;

pub use analyzer::{Analyzer, AnalyzerSettings, Token};
pub use corpus::{Corpus, FeatureMap};
pub use terms::Terms;
pub use vectorizer::{
    CheckedVectorizerSettings, Selection, SparseRow, Vectorizer, VectorizerSettings, Weighting,
};
