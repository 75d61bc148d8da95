//! The dense solver: `linfa-logistic` on the rows × terms matrix.
//!
//! Two labels use `LogisticRegression` (one weight row: label 1 against label 0),
//! three or more `MultiLogisticRegression` (one row per label, softmax). The
//! matrix is f32 and column-major: it halves the memory and the time of the
//! matrix products against f64, at the same accuracy (see README).

use linfa::prelude::*;
use linfa_logistic::{LogisticRegression, MultiLogisticRegression};
use ndarray::{Array1, Array2, ShapeBuilder};

use crate::error::{Error, Result};
use crate::model::classifier::Classifier;
use crate::text::SparseRow;

/// The float type of the dense matrix; weights are widened to f64 afterwards.
pub type Real = f32;

/// The dense feature matrix and the targets.
pub struct DenseProblem {
    dataset: Dataset<Real, usize, ndarray::Ix1>,
    n_features: usize,
    n_labels: usize,
}

impl DenseProblem {
    pub fn new(rows: &[SparseRow], n_features: usize, targets: &[usize], n_labels: usize) -> Self {
        DenseProblem {
            dataset: Dataset::new(dense(rows, n_features), Array1::from(targets.to_vec())),
            n_features,
            n_labels,
        }
    }

    pub fn n_rows(&self) -> usize {
        self.dataset.nsamples()
    }

    pub fn n_features(&self) -> usize {
        self.n_features
    }

    pub fn n_labels(&self) -> usize {
        self.n_labels
    }

    /// Fits with `linfa-logistic`; `tolerance` bounds the gradient of the summed loss.
    pub fn fit(
        &self,
        alpha: f64,
        tolerance: f64,
        max_iterations: u64,
        init: Option<&Classifier>,
    ) -> Result<Classifier> {
        let (n_features, n_labels) = (self.n_features, self.n_labels);
        let tolerance = tolerance as Real;
        let fail = |e: linfa_logistic::error::Error| {
            Error::new(format!("the logistic regression solver failed: {e}"))
                .with_hint("check the data for unusual rows, or try a larger --alpha")
        };
        if n_labels == 2 {
            let mut params = LogisticRegression::<Real>::default()
                .alpha(alpha as Real)
                .max_iterations(max_iterations)
                .gradient_tolerance(tolerance);
            // linfa's positive class is the more frequent label; orient to label 1.
            let positive = majority_label(self.dataset.targets().as_slice().unwrap_or(&[]));
            if let Some(init) = init {
                let sign = if positive == 1 { 1.0 } else { -1.0 };
                let mut p = Array1::zeros(n_features + 1);
                for j in 0..n_features {
                    p[j] = (sign * init.weights()[[0, j]]) as Real;
                }
                p[n_features] = (sign * init.intercepts()[0]) as Real;
                params = params.initial_params(p);
            }
            let fitted = params.fit(&self.dataset).map_err(fail)?;
            debug_assert_eq!(fitted.labels().pos.class, positive);
            let sign = if fitted.labels().pos.class == 1 {
                1.0
            } else {
                -1.0
            };
            let weights = fitted
                .params()
                .mapv(|w| sign * f64::from(w))
                .insert_axis(ndarray::Axis(0));
            let intercept = sign * f64::from(fitted.intercept());
            Ok(Classifier::new(
                weights,
                Array1::from(vec![intercept]),
                n_labels,
            ))
        } else {
            let mut params = MultiLogisticRegression::<Real>::default()
                .alpha(alpha as Real)
                .max_iterations(max_iterations)
                .gradient_tolerance(tolerance);
            if let Some(init) = init {
                let mut p = Array2::zeros((n_features + 1, n_labels));
                for k in 0..n_labels {
                    for j in 0..n_features {
                        p[[j, k]] = init.weights()[[k, j]] as Real;
                    }
                    p[[n_features, k]] = init.intercepts()[k] as Real;
                }
                params = params.initial_params(p);
            }
            let fitted = params.fit(&self.dataset).map_err(fail)?;
            // classes() is sorted, and our targets are 0..n_labels, all present.
            if fitted.classes() != (0..n_labels).collect::<Vec<_>>().as_slice() {
                return Err(Error::new("every label needs at least one training row")
                    .with_hint("add drafts of the missing label, or use fewer --folds"));
            }
            let weights = fitted.params().t().mapv(f64::from);
            Ok(Classifier::new(
                weights,
                fitted.intercept().mapv(f64::from),
                n_labels,
            ))
        }
    }
}

/// linfa's binary model takes the more frequent label as its positive class (the
/// first seen on a tie); which one that is decides the sign of its weights.
fn majority_label(targets: &[usize]) -> usize {
    let ones = targets.iter().filter(|&&t| t == 1).count();
    let zeros = targets.len() - ones;
    match ones.cmp(&zeros) {
        std::cmp::Ordering::Greater => 1,
        std::cmp::Ordering::Less => 0,
        std::cmp::Ordering::Equal => targets.first().copied().unwrap_or(0),
    }
}

/// Sparse rows to the dense matrix `linfa-logistic` works on.
pub fn dense(rows: &[SparseRow], n_features: usize) -> Array2<Real> {
    let mut x = Array2::zeros((rows.len(), n_features).f());
    for (i, row) in rows.iter().enumerate() {
        for &(j, w) in row {
            x[[i, j]] = w as Real;
        }
    }
    x
}
