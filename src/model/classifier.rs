//! The classifier: L2-regularised logistic regression from `linfa-logistic`.
//!
//! [`ClassifierSettings`] (stored in the model) are fitted on feature rows into a
//! [`Classifier`]: a weight matrix and intercepts. Two labels use the binary model
//! (`LogisticRegression`, one weight row: the logit of the second label against the
//! first); three or more use the multinomial one (`MultiLogisticRegression`, one
//! row per label, softmax). Either way the classifier can explain a prediction
//! exactly: each feature's contribution to the predicted label's logit.

use linfa::prelude::*;
use linfa_logistic::{LogisticRegression, MultiLogisticRegression};
use ndarray::{Array1, Array2, ShapeBuilder};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::text::SparseRow;

/// The float type the solver works in. f32 halves the memory and the time of the
/// dense matrix products that dominate training; the fitted weights are widened to
/// f64 for storage and scoring. Measured: the same cross-validated accuracy as
/// f64 on the bundled data and on both benchmark data sets (see README).
pub type Real = f32;

/// Solver settings, as stored in a model file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassifierSettings {
    /// L2 penalty strength (scikit-learn's C is 1 / alpha). Must be positive.
    pub alpha: f64,
    /// Most L-BFGS iterations to run.
    pub max_iterations: u64,
    /// Stop when the gradient of the mean loss per row is below this (the solver
    /// sees the summed loss, so its tolerance is this times the number of rows).
    pub gradient_tolerance: f64,
}

impl Default for ClassifierSettings {
    fn default() -> Self {
        ClassifierSettings {
            alpha: 0.01,
            max_iterations: 200,
            gradient_tolerance: 1e-6,
        }
    }
}

impl ClassifierSettings {
    pub fn validate(&self) -> Result<()> {
        if !(self.alpha.is_finite() && self.alpha > 0.0) {
            return Err(Error::usage(format!(
                "--alpha must be a positive number, got {}",
                self.alpha
            ))
            .with_hint("try --alpha 1 (larger = simpler model, smaller = closer fit)"));
        }
        if self.max_iterations == 0 {
            return Err(Error::usage("--max-iterations must be at least 1"));
        }
        if !(self.gradient_tolerance.is_finite() && self.gradient_tolerance > 0.0) {
            return Err(Error::usage(
                "the gradient tolerance must be a positive number",
            ));
        }
        Ok(())
    }

    /// Fits the classifier on sparse rows of `n_features` columns with targets in
    /// `0..n_labels`. `warm_start`, if given, is where the solver starts from (it must
    /// have the same shape as the result).
    pub fn fit(
        &self,
        rows: &[SparseRow],
        n_features: usize,
        targets: &[usize],
        n_labels: usize,
        warm_start: Option<&Classifier>,
    ) -> Result<Classifier> {
        self.fit_problem(
            &Problem::new(rows, n_features, targets, n_labels)?,
            warm_start,
        )
    }

    /// Fits the classifier on a prepared problem.
    pub fn fit_problem(
        &self,
        problem: &Problem,
        warm_start: Option<&Classifier>,
    ) -> Result<Classifier> {
        self.validate()?;
        self.fit_capped(problem, warm_start, self.max_iterations)
    }

    /// The number of solver iterations the fit that gave `result` took: the
    /// smallest iteration cap that reproduces it exactly. (`linfa-logistic` does
    /// not report its iteration count; the solver is deterministic, so a cap at or
    /// above the count gives the same weights and a lower cap does not.) Caps of
    /// 1, 2, 4, ... bracket the count, then a binary search pins it: the extra
    /// fits add up to a few times the cost of the fit itself.
    pub fn iterations(
        &self,
        problem: &Problem,
        warm_start: Option<&Classifier>,
        result: &Classifier,
    ) -> Result<u64> {
        let reproduces = |cap: u64| -> Result<bool> {
            Ok(&self.fit_capped(problem, warm_start, cap)? == result)
        };
        let mut high = 1;
        while high < self.max_iterations && !reproduces(high)? {
            high = (high * 2).min(self.max_iterations);
        }
        let mut low = high / 2; // a cap that does not reproduce (or 0)
        while high - low > 1 {
            let mid = low + (high - low) / 2;
            if reproduces(mid)? {
                high = mid;
            } else {
                low = mid;
            }
        }
        Ok(high)
    }

    fn fit_capped(
        &self,
        problem: &Problem,
        warm_start: Option<&Classifier>,
        max_iterations: u64,
    ) -> Result<Classifier> {
        let (n_features, n_labels) = (problem.n_features, problem.n_labels);
        // linfa minimises the summed loss; the tolerance is per row (on the mean
        // loss), as scikit-learn's, so that it means the same for 100 or 100,000 rows.
        let n_rows = problem.dataset.nsamples().max(1);
        let tolerance = (self.gradient_tolerance * n_rows as f64) as Real;
        let fail = |e: linfa_logistic::error::Error| {
            Error::new(format!("the logistic regression solver failed: {e}"))
                .with_hint("check the data for unusual rows, or try a larger --alpha")
        };
        let init = warm_start.filter(|w| w.n_features() == n_features && w.n_labels() == n_labels);
        if n_labels == 2 {
            let mut params = LogisticRegression::<Real>::default()
                .alpha(self.alpha as Real)
                .max_iterations(max_iterations)
                .gradient_tolerance(tolerance);
            // linfa's positive class is the more frequent label; orient to label 1.
            let positive = majority_label(problem.dataset.targets().as_slice().unwrap_or(&[]));
            if let Some(init) = init {
                let sign = if positive == 1 { 1.0 } else { -1.0 };
                let mut p = Array1::zeros(n_features + 1);
                for j in 0..n_features {
                    p[j] = (sign * init.weights[[0, j]]) as Real;
                }
                p[n_features] = (sign * init.intercepts[0]) as Real;
                params = params.initial_params(p);
            }
            let fitted = params.fit(&problem.dataset).map_err(fail)?;
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
                .alpha(self.alpha as Real)
                .max_iterations(max_iterations)
                .gradient_tolerance(tolerance);
            if let Some(init) = init {
                let mut p = Array2::zeros((n_features + 1, n_labels));
                for k in 0..n_labels {
                    for j in 0..n_features {
                        p[[j, k]] = init.weights[[k, j]] as Real;
                    }
                    p[[n_features, k]] = init.intercepts[k] as Real;
                }
                params = params.initial_params(p);
            }
            let fitted = params.fit(&problem.dataset).map_err(fail)?;
            // classes() is sorted, and our targets are 0..n_labels, all present.
            if fitted.classes() != (0..n_labels).collect::<Vec<_>>().as_slice() {
                return Err(Error::new("every label needs at least one training row"));
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

/// A training problem in the form the solver takes: the dense feature matrix and
/// the targets. Built once, it can be fitted several times (warm and cold starts,
/// iteration counts).
pub struct Problem {
    dataset: Dataset<Real, usize, ndarray::Ix1>,
    n_features: usize,
    n_labels: usize,
}

impl Problem {
    pub fn new(
        rows: &[SparseRow],
        n_features: usize,
        targets: &[usize],
        n_labels: usize,
    ) -> Result<Self> {
        if n_labels < 2 {
            return Err(Error::new("training needs at least two labels"));
        }
        Ok(Problem {
            dataset: Dataset::new(dense(rows, n_features), Array1::from(targets.to_vec())),
            n_features,
            n_labels,
        })
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

/// A fitted linear classifier.
#[derive(Debug, Clone, PartialEq)]
pub struct Classifier {
    /// One row per output: 1 for two labels (label 1 against label 0), else one per label.
    weights: Array2<f64>,
    intercepts: Array1<f64>,
    n_labels: usize,
}

/// The exact decomposition of one label's logit for one draft.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// The label explained (the predicted one, usually).
    pub label: usize,
    /// The logit: for two labels ln(p / (1 - p)) of `label`; for more, its softmax input.
    pub logit: f64,
    pub intercept: f64,
    /// (feature index, weight × feature value) for every feature present in the draft.
    pub contributions: Vec<(usize, f64)>,
}

impl Classifier {
    /// Builds a classifier from stored parts. `weights` has one row for two labels and
    /// `n_labels` rows otherwise; `intercepts` one entry per row.
    pub fn new(weights: Array2<f64>, intercepts: Array1<f64>, n_labels: usize) -> Self {
        Classifier {
            weights,
            intercepts,
            n_labels,
        }
    }

    pub fn weights(&self) -> &Array2<f64> {
        &self.weights
    }

    pub fn intercepts(&self) -> &Array1<f64> {
        &self.intercepts
    }

    pub fn n_labels(&self) -> usize {
        self.n_labels
    }

    pub fn n_features(&self) -> usize {
        self.weights.ncols()
    }

    /// Contribution of each feature to each label's logit (one vector per label).
    fn label_weight(&self, label: usize, feature: usize) -> f64 {
        if self.n_labels == 2 {
            let w = self.weights[[0, feature]];
            if label == 1 { w } else { -w }
        } else {
            self.weights[[label, feature]]
        }
    }

    fn label_intercept(&self, label: usize) -> f64 {
        if self.n_labels == 2 {
            let b = self.intercepts[0];
            if label == 1 { b } else { -b }
        } else {
            self.intercepts[label]
        }
    }

    /// Probability of each label for a feature row; they sum to 1.
    pub fn probabilities(&self, row: &SparseRow) -> Vec<f64> {
        if self.n_labels == 2 {
            let z = self.intercepts[0]
                + row
                    .iter()
                    .map(|&(j, x)| self.weights[[0, j]] * x)
                    .sum::<f64>();
            let p1 = sigmoid(z);
            vec![1.0 - p1, p1]
        } else {
            let scores: Vec<f64> = (0..self.n_labels)
                .map(|k| {
                    self.intercepts[k]
                        + row
                            .iter()
                            .map(|&(j, x)| self.weights[[k, j]] * x)
                            .sum::<f64>()
                })
                .collect();
            softmax(&scores)
        }
    }

    /// Index of the most probable label (the first one on an exact tie).
    pub fn predict(&self, row: &SparseRow) -> usize {
        argmax(&self.probabilities(row))
    }

    /// Explains `label`'s logit for a feature row: intercept + sum of contributions
    /// equals the logit (exactly up to floating-point rounding).
    pub fn explain(&self, row: &SparseRow, label: usize) -> Explanation {
        let intercept = self.label_intercept(label);
        let contributions: Vec<(usize, f64)> = row
            .iter()
            .map(|&(j, x)| (j, self.label_weight(label, j) * x))
            .collect();
        let logit = intercept + contributions.iter().map(|(_, c)| c).sum::<f64>();
        Explanation {
            label,
            logit,
            intercept,
            contributions,
        }
    }
}

pub fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

pub fn softmax(scores: &[f64]) -> Vec<f64> {
    let max = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let exps: Vec<f64> = scores.iter().map(|s| (s - max).exp()).collect();
    let sum: f64 = exps.iter().sum();
    exps.into_iter().map(|e| e / sum).collect()
}

/// Index of the largest value; the first one on ties.
pub fn argmax(values: &[f64]) -> usize {
    let mut best = 0;
    for (i, &v) in values.iter().enumerate() {
        if v > values[best] {
            best = i;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two features; label 1 when feature 0 is present, label 0 when feature 1 is.
    fn toy(n_labels: usize) -> (Vec<SparseRow>, Vec<usize>) {
        let mut rows = Vec::new();
        let mut y = Vec::new();
        for i in 0..30 {
            let label = i % n_labels;
            rows.push(vec![(label, 1.0)]);
            y.push(label);
        }
        (rows, y)
    }

    #[test]
    fn binary_fit_learns_the_separating_feature_whatever_the_label_order() {
        for flip in [false, true] {
            let (rows, mut y) = toy(2);
            if flip {
                y.iter_mut().for_each(|t| *t = 1 - *t);
            }
            // Make label 0 the majority, which linfa would treat as its positive class.
            let (mut rows, mut y) = (rows, y);
            rows.push(vec![(if flip { 1 } else { 0 }, 1.0)]);
            y.push(0);
            let c = ClassifierSettings::default()
                .fit(&rows, 2, &y, 2, None)
                .unwrap();
            for (row, &t) in rows.iter().zip(&y) {
                assert_eq!(c.predict(row), t);
            }
        }
    }

    #[test]
    fn multinomial_fit_predicts_each_label() {
        let (rows, y) = toy(3);
        let c = ClassifierSettings::default()
            .fit(&rows, 3, &y, 3, None)
            .unwrap();
        assert_eq!(c.weights().dim(), (3, 3));
        for (row, &t) in rows.iter().zip(&y) {
            assert_eq!(c.predict(row), t);
        }
    }

    #[test]
    fn explanation_adds_up_to_the_logit_and_the_probability() {
        let (rows, y) = toy(2);
        let c = ClassifierSettings::default()
            .fit(&rows, 2, &y, 2, None)
            .unwrap();
        let row = vec![(0, 0.6), (1, 0.8)];
        let p = c.probabilities(&row);
        for (label, &p_label) in p.iter().enumerate() {
            let e = c.explain(&row, label);
            let sum = e.intercept + e.contributions.iter().map(|(_, w)| w).sum::<f64>();
            assert!((sum - e.logit).abs() < 1e-12);
            assert!((sigmoid(e.logit) - p_label).abs() < 1e-12);
        }
    }

    #[test]
    fn bad_alpha_is_a_usage_error() {
        for alpha in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let settings = ClassifierSettings {
                alpha,
                ..ClassifierSettings::default()
            };
            assert_eq!(settings.validate().unwrap_err().exit_code(), 2);
        }
    }
}
