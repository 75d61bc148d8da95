//! Evaluation: stratified splits and folds, metrics, cross-validation.

pub mod cv;
pub mod metrics;
pub mod plot;
pub mod split;

pub use metrics::Report;
