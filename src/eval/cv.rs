//! Hold-out evaluation and stratified k-fold cross-validation of a [`Trainer`].
//!
//! Documents are analysed once by the caller; each fold fits its own vocabulary
//! and classifier on its training rows only, so nothing leaks from the test rows.

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::eval::metrics::Report;
use crate::eval::split::{complement, stratified_folds};
use crate::model::{Pipeline, Trainer};

/// A report together with the predictions it was computed from.
pub struct Scored {
    pub report: Report,
    pub truth: Vec<usize>,
    pub probabilities: Vec<Vec<f64>>,
}

/// Scores `rows` of `documents` with a fitted pipeline.
pub fn evaluate(
    pipeline: &Pipeline,
    documents: &[Vec<String>],
    targets: &[usize],
    rows: &[usize],
) -> Scored {
    let truth: Vec<usize> = rows.iter().map(|&i| targets[i]).collect();
    let probabilities: Vec<Vec<f64>> = rows
        .iter()
        .map(|&i| pipeline.probabilities_terms(&documents[i]))
        .collect();
    Scored {
        report: Report::new(pipeline.labels(), &truth, &probabilities),
        truth,
        probabilities,
    }
}

/// Fits on `train` rows and evaluates on `test` rows.
pub fn fit_and_evaluate(
    trainer: &Trainer,
    documents: &[Vec<String>],
    targets: &[usize],
    labels: &[String],
    train: &[usize],
    test: &[usize],
) -> Result<Report> {
    let docs: Vec<&[String]> = train.iter().map(|&i| documents[i].as_slice()).collect();
    let y: Vec<usize> = train.iter().map(|&i| targets[i]).collect();
    let pipeline = trainer.fit(&docs, &y, labels, None)?;
    Ok(evaluate(&pipeline, documents, targets, test).report)
}

/// The outcome of a cross-validation: one report per fold and their summary.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CrossValidation {
    pub folds: Vec<Report>,
    /// Metrics over all out-of-fold predictions pooled together.
    pub pooled: Report,
    pub accuracy_mean: f64,
    pub accuracy_std: f64,
    pub macro_f1_mean: f64,
    pub macro_f1_std: f64,
}

/// Stratified k-fold cross-validation with a seeded fold assignment.
pub fn cross_validate(
    trainer: &Trainer,
    documents: &[Vec<String>],
    targets: &[usize],
    labels: &[String],
    k: usize,
    seed: u64,
) -> Result<CrossValidation> {
    let folds = stratified_folds(targets, labels.len(), k, seed)?;
    let mut reports = Vec::with_capacity(k);
    let mut truth = Vec::with_capacity(targets.len());
    let mut probabilities = Vec::with_capacity(targets.len());
    for test in &folds {
        let train = complement(targets.len(), test);
        let docs: Vec<&[String]> = train.iter().map(|&i| documents[i].as_slice()).collect();
        let y: Vec<usize> = train.iter().map(|&i| targets[i]).collect();
        let pipeline = trainer.fit(&docs, &y, labels, None)?;
        let report = evaluate(&pipeline, documents, targets, test);
        truth.extend(report.truth.iter().copied());
        probabilities.extend(report.probabilities.iter().cloned());
        reports.push(report.report);
    }
    let (accuracy_mean, accuracy_std) = mean_std(reports.iter().map(|r| r.accuracy));
    let (macro_f1_mean, macro_f1_std) = mean_std(reports.iter().map(|r| r.macro_f1));
    Ok(CrossValidation {
        pooled: Report::new(labels, &truth, &probabilities),
        folds: reports,
        accuracy_mean,
        accuracy_std,
        macro_f1_mean,
        macro_f1_std,
    })
}

/// Mean and sample standard deviation.
pub fn mean_std(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let values: Vec<f64> = values.collect();
    let n = values.len() as f64;
    if values.is_empty() {
        return (0.0, 0.0);
    }
    let mean = values.iter().sum::<f64>() / n;
    let var = if values.len() > 1 {
        values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    (mean, var.sqrt())
}
