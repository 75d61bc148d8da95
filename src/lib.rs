//! draftcheck: does a message to an ex read as desperate or composed?
//!
//! The crate is laid out by unit:
//! - [`text`]: the text pipeline (analysis into terms, vocabulary and tf-idf);
//! - [`model`]: the classifier, the fitted pipeline and the model file format;
//! - [`checked`]: settings that passed their check, which fits take;
//! - [`eval`]: splits, folds, metrics and cross-validation;
//! - [`csv_format`]: the one CSV configuration (every reader and writer);
//! - [`dataset`]: reading labelled CSV files;
//! - [`files`] and [`atomic`]: reading files, and writing them atomically;
//! - [`advice`]: the advice shown with a verdict;
//! - [`progress`]: progress bars and narration (on a terminal, unless --quiet);
//! - [`cmd`]: one module per command of the `draftcheck` binary.

pub mod advice;
pub mod atomic;
pub mod checked;
pub mod cmd;
pub mod csv_format;
pub mod dataset;
pub mod error;
pub mod eval;
pub mod files;
#[doc(hidden)]
pub mod fuzzing;
pub mod model;
pub mod progress;
pub mod revise;
pub mod terminal;
pub mod text;

pub use error::{Error, Result};
