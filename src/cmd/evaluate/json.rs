//! JSON output of `evaluate`: a cross-validation, or a settings search, as the
//! types below serialise. They are printed through a `serde_json::Value`, so
//! that every object's keys come out sorted.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::dataset::Dataset;
use crate::eval::Report;
use crate::eval::cv::{ChallengeScore, CrossValidation, CurvePoint};
use crate::eval::metrics::{ClassMetrics, Confusion};
use crate::model::Settings;

/// `evaluate --format json` for one combination of settings.
#[derive(Debug, Serialize)]
pub struct EvaluationJson<'a> {
    /// The data file, its rows, and the folds (`k`, `seed`).
    pub data: String,
    pub rows: usize,
    pub k: usize,
    pub seed: u64,
    /// Over all out-of-fold predictions pooled.
    pub accuracy: f64,
    pub macro_f1: f64,
    pub log_loss: f64,
    pub roc_auc: Option<f64>,
    /// The folds' mean and standard deviation.
    pub spread: SpreadJson,
    pub per_class: &'a BTreeMap<String, ClassMetrics>,
    pub confusion: &'a Confusion,
    /// Each fold's report.
    pub folds: &'a [Report],
    pub learning_curve: Option<&'a [CurvePoint]>,
    /// The trusted evaluation set, scored by a model trained on all rows.
    pub eval: Option<TrustedJson<'a>>,
    /// The stress set, by tag.
    pub challenge: Option<&'a ChallengeScore>,
    pub settings: &'a Settings,
}

/// The spread of the folds' scores.
#[derive(Debug, Serialize)]
pub struct SpreadJson {
    pub accuracy_mean: f64,
    pub accuracy_std: f64,
    pub macro_f1_mean: f64,
    pub macro_f1_std: f64,
}

/// A trusted evaluation set's path and report.
#[derive(Debug, Serialize)]
pub struct TrustedJson<'a> {
    pub path: &'a str,
    pub report: &'a Report,
}

/// `evaluate --format json` for several combinations: ranked, best first.
#[derive(Debug, Serialize)]
pub struct SearchJson<'a> {
    pub data: String,
    pub rows: usize,
    pub k: usize,
    pub seed: u64,
    pub search: Vec<RankedJson<'a>>,
}

/// One combination of a search.
#[derive(Debug, Serialize)]
pub struct RankedJson<'a> {
    pub rank: usize,
    /// Macro-F1 on the trusted evaluation set and on the stress set, of a
    /// model trained on all rows (null without them).
    pub eval_macro_f1: Option<f64>,
    pub challenge_macro_f1: Option<f64>,
    pub settings: &'a Settings,
    pub accuracy: f64,
    pub macro_f1: f64,
    pub log_loss: f64,
    /// The folds' spread, as keys of this object.
    #[serde(flatten)]
    pub spread: SpreadJson,
}

/// The spread of a cross-validation's folds.
pub fn spread(cv: &CrossValidation) -> SpreadJson {
    SpreadJson {
        accuracy_mean: cv.accuracy_mean,
        accuracy_std: cv.accuracy_std,
        macro_f1_mean: cv.macro_f1_mean,
        macro_f1_std: cv.macro_f1_std,
    }
}

/// One ranked combination of a search.
pub fn ranked<'a>(
    rank: usize,
    settings: &'a Settings,
    cv: &CrossValidation,
    (eval_macro_f1, challenge_macro_f1): (Option<f64>, Option<f64>),
) -> RankedJson<'a> {
    RankedJson {
        rank,
        eval_macro_f1,
        challenge_macro_f1,
        settings,
        accuracy: cv.pooled.accuracy,
        macro_f1: cv.pooled.macro_f1,
        log_loss: cv.pooled.log_loss,
        spread: spread(cv),
    }
}

/// Where the data came from, for both objects.
pub fn data_of(dataset: &Dataset) -> (String, usize) {
    (dataset.data_path_display(), dataset.len())
}

/// Prints `value` as one line of JSON, keys sorted.
pub fn print(value: &impl Serialize) -> crate::error::Result<()> {
    let value = serde_json::to_value(value).map_err(|e| crate::error::Error::new(e.to_string()))?;
    println!("{value}");
    Ok(())
}
