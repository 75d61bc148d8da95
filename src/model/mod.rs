//! The model: the classifier, the fitted pipeline around it, and its file format.

pub mod budget;
pub mod classifier;
pub mod embedded;
pub mod file;
pub mod packed;
pub mod pipeline;
pub mod resolve;
pub mod solver;
pub mod temperature;
pub mod theme;
pub mod warm;

pub use classifier::{Classifier, ClassifierSettings};
pub use file::{ModelFile, TrainingSummary};
pub use pipeline::{Contribution, Pipeline, Settings, Trainer, Verdict};
