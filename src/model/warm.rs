//! Warm starts: how a fit that starts from a previous model's weights compares
//! with one from scratch.

use serde::{Deserialize, Serialize};

use crate::model::classifier::Classifier;

/// Largest weight difference between two fits of the same problem.
pub fn max_difference(a: &Classifier, b: &Classifier) -> f64 {
    a.weights()
        .iter()
        .chain(a.intercepts())
        .zip(b.weights().iter().chain(b.intercepts()))
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

/// How far a warm start may land from a cold one. Both stop once the gradient is
/// below the solver tolerance, so they land near the same optimum but not on the
/// same point; at the default tolerance they differ by about 0.01 on the bundled
/// data (weights of order 1 to 10).
pub const WARM_START_TOLERANCE: f64 = 0.05;

/// What a warm start did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WarmStart {
    /// Solver iterations, when the solver reports them.
    pub iterations: Option<u64>,
    pub seconds: f64,
    /// The cold fit it was compared with, if one was asked for.
    pub cold: Option<ColdStart>,
}

/// A cold fit run beside a warm one, for comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColdStart {
    pub iterations: Option<u64>,
    pub seconds: f64,
    /// Largest absolute difference between the warm and the cold weights.
    pub max_difference: f64,
}
