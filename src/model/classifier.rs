//! The classifier: L2-regularised logistic regression.
//!
//! [`ClassifierSettings`] (stored in the model) are fitted on feature rows into a
//! [`Classifier`]: a weight matrix and intercepts, by one of the [`solver`]s. Two
//! labels use the binary model (one weight row: the logit of the second label
//! against the first); three or more the multinomial one (one row per label,
//! softmax). Either way the classifier can explain a prediction exactly: each
//! feature's contribution to the predicted label's logit.
//!
//! [`solver`]: crate::model::solver

use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};

use crate::checked::Checked;
use crate::error::{Error, Result};
use crate::model::solver::{FitReport, Problem, SolverChoice};
use crate::text::SparseRow;

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
    /// Which solver fits the model (models written before it existed: auto).
    #[serde(default)]
    pub solver: SolverChoice,
}

impl Default for ClassifierSettings {
    fn default() -> Self {
        ClassifierSettings {
            alpha: 0.01,
            // scikit-learn's cap. A coach's few hundred drafts converge well
            // before it; the bundled 8,665 need 89 (1–2-grams) to 133
            // (1–3-grams; the count moves a lot with the data), and its model
            // is trained with 200 so that it converges; large near-separable
            // data does not converge by 200 either at this alpha. The
            // iterations from 100 to 200 changed no cross-validated accuracy
            // by more than 0.2 points (drafts, sms_spam, airline_tweets) while
            // doubling the time of a large fit (airline_tweets × 1,000,000). A
            // fit stopped by the cap says so.
            max_iterations: 100,
            // Tight: a point whose mean gradient is below it lies within
            // tolerance / (alpha / n) of the optimum per row, so warm and cold
            // starts, and the two solvers, land on the same weights (1e-4, as
            // scikit-learn's, gave the same accuracy but weights 0.4 apart).
            gradient_tolerance: 1e-6,
            solver: SolverChoice::Auto,
        }
    }
}

impl ClassifierSettings {
    /// Checks the settings once; the checked settings are what fits take. An
    /// error names the field (`classifier.alpha`); a command maps it to its
    /// option.
    pub fn check(&self) -> Result<CheckedClassifierSettings> {
        if !(self.alpha.is_finite() && self.alpha > 0.0) {
            return Err(Error::setting(
                "classifier.alpha",
                format!("must be a positive number, got {}", self.alpha),
            )
            .with_hint("larger is a simpler model, smaller a closer fit; 1 is a common start"));
        }
        if self.max_iterations == 0 {
            return Err(Error::setting(
                "classifier.max_iterations",
                "must be at least 1",
            ));
        }
        if !(self.gradient_tolerance.is_finite() && self.gradient_tolerance > 0.0) {
            return Err(Error::setting(
                "classifier.gradient_tolerance",
                format!("must be a positive number, got {}", self.gradient_tolerance),
            ));
        }
        Ok(Checked::new(self.clone()))
    }
}

/// [`ClassifierSettings`] that passed [`ClassifierSettings::check`]: only
/// these fit a classifier.
pub type CheckedClassifierSettings = Checked<ClassifierSettings>;

impl CheckedClassifierSettings {
    /// The problem for these settings' solver: feature rows of `n_features`
    /// columns with targets in `0..n_labels`.
    pub fn problem(
        &self,
        rows: &[SparseRow],
        n_features: usize,
        targets: &[usize],
        n_labels: usize,
    ) -> Result<Problem> {
        let solver = self.solver.resolve(rows.len(), n_features);
        Problem::new(solver, rows, n_features, targets, n_labels)
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
        let problem = self.problem(rows, n_features, targets, n_labels)?;
        Ok(self.fit_problem(&problem, warm_start, None)?.0)
    }

    /// Fits the classifier on a prepared problem.
    pub fn fit_problem(
        &self,
        problem: &Problem,
        warm_start: Option<&Classifier>,
        stop_at: Option<f64>,
    ) -> Result<(Classifier, FitReport)> {
        problem.fit(self, warm_start, stop_at)
    }
}

/// The classifier's outputs (weight rows, logits) for `n_labels` labels: one
/// for two labels (label 1 against label 0), else one per label.
pub fn outputs(n_labels: usize) -> usize {
    if n_labels == 2 { 1 } else { n_labels }
}

/// A fitted linear classifier.
#[derive(Debug, Clone, PartialEq)]
pub struct Classifier {
    /// One row per output: 1 for two labels (label 1 against label 0), else one per label.
    weights: Array2<f64>,
    intercepts: Array1<f64>,
    n_labels: usize,
    /// Every logit is divided by this (see [`crate::model::temperature`]); 1
    /// for a model without one.
    temperature: f64,
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
            temperature: 1.0,
        }
    }

    /// The same classifier with every logit divided by `temperature` (a
    /// positive, finite number): the same predictions, other probabilities.
    pub fn with_temperature(mut self, temperature: f64) -> Self {
        debug_assert!(temperature.is_finite() && temperature > 0.0);
        self.temperature = temperature;
        self
    }

    /// The temperature the logits are divided by (1: none).
    pub fn temperature(&self) -> f64 {
        self.temperature
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

    /// Contribution of each feature to each label's logit (one vector per
    /// label), the temperature applied.
    fn label_weight(&self, label: usize, feature: usize) -> f64 {
        let w = if self.n_labels == 2 {
            let w = self.weights[[0, feature]];
            if label == 1 { w } else { -w }
        } else {
            self.weights[[label, feature]]
        };
        w / self.temperature
    }

    fn label_intercept(&self, label: usize) -> f64 {
        let b = if self.n_labels == 2 {
            let b = self.intercepts[0];
            if label == 1 { b } else { -b }
        } else {
            self.intercepts[label]
        };
        b / self.temperature
    }

    /// Probability of each label for a feature row; they sum to 1.
    pub fn probabilities(&self, row: &SparseRow) -> Vec<f64> {
        let z = self.logits(row);
        if self.n_labels == 2 {
            let p1 = sigmoid(z[1]);
            vec![1.0 - p1, p1]
        } else {
            softmax(&z)
        }
    }

    /// Each label's logit for a feature row, the temperature applied: the
    /// probabilities are their softmax (for two labels, 0 and the second
    /// label's logit, whose softmax is the logistic).
    pub fn logits(&self, row: &SparseRow) -> Vec<f64> {
        let score = |k: usize| {
            (self.intercepts[k]
                + row
                    .iter()
                    .map(|&(j, x)| self.weights[[k, j]] * x)
                    .sum::<f64>())
                / self.temperature
        };
        if self.n_labels == 2 {
            vec![0.0, score(0)]
        } else {
            (0..self.n_labels).map(score).collect()
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
            assert_predicts_every_row(&rows, &y, 2);
        }
    }

    /// Fits `rows` (of `n_labels` features, as [`toy`]'s) and asserts the
    /// classifier gives every row its label.
    fn assert_predicts_every_row(rows: &[SparseRow], y: &[usize], n_labels: usize) -> Classifier {
        let c = ClassifierSettings::default()
            .check()
            .unwrap()
            .fit(rows, n_labels, y, n_labels, None)
            .unwrap();
        for (row, &t) in rows.iter().zip(y) {
            assert_eq!(c.predict(row), t);
        }
        c
    }

    #[test]
    fn multinomial_fit_predicts_each_label() {
        let (rows, y) = toy(3);
        let c = assert_predicts_every_row(&rows, &y, 3);
        assert_eq!(c.weights().dim(), (3, 3));
    }

    #[test]
    fn explanation_adds_up_to_the_logit_and_the_probability() {
        let (rows, y) = toy(2);
        let c = ClassifierSettings::default()
            .check()
            .unwrap()
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
    fn a_bad_alpha_names_the_field() {
        for alpha in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let settings = ClassifierSettings {
                alpha,
                ..ClassifierSettings::default()
            };
            let e = settings.check().unwrap_err();
            assert_eq!(e.setting_field(), Some("classifier.alpha"));
            assert!(e.message().starts_with("classifier.alpha must be"), "{e}");
            let e = e.for_flags(&[("classifier.alpha", "--alpha")]);
            assert!(e.message().starts_with("--alpha must be"), "{e}");
            assert_eq!(e.exit_code(), 2);
        }
    }
}
