//! Hold-out evaluation and stratified k-fold cross-validation of a [`Trainer`].
//!
//! Documents are analysed once by the caller; each fold fits its own vocabulary
//! and classifier on its training rows only, so nothing leaks from the test rows.

use indicatif::ProgressBar;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::eval::metrics::Report;
use crate::eval::split::{complement, stratified_folds, train_test_split};
use crate::model::{Pipeline, Trainer};
use crate::text::Corpus;

/// A report together with the predictions it was computed from.
pub struct Scored {
    pub report: Report,
    pub truth: Vec<usize>,
    pub probabilities: Vec<Vec<f64>>,
}

/// Scores `rows` of `documents` with a fitted pipeline.
pub fn evaluate(pipeline: &Pipeline, corpus: &Corpus, targets: &[usize], rows: &[usize]) -> Scored {
    let truth: Vec<usize> = rows.iter().map(|&i| targets[i]).collect();
    let map = pipeline.feature_map(corpus);
    let probabilities: Vec<Vec<f64>> = rows
        .par_iter()
        .map(|&i| pipeline.probabilities_ids(&map, corpus.document(i)))
        .collect();
    Scored {
        report: Report::new(pipeline.labels(), &truth, &probabilities),
        truth,
        probabilities,
    }
}

/// Fits on `train` rows and evaluates on `test` rows: the test rows' scores,
/// and the pipeline that scored them.
pub fn fit_and_evaluate(
    trainer: &Trainer,
    data: Labelled,
    train: &[usize],
    test: &[usize],
) -> Result<(Scored, Pipeline)> {
    let Labelled {
        corpus,
        targets,
        labels,
    } = data;
    let y: Vec<usize> = train.iter().map(|&i| targets[i]).collect();
    let pipeline = trainer.fit(corpus, &corpus.select(train), &y, labels)?;
    let scored = evaluate(&pipeline, corpus, targets, test);
    Ok((scored, pipeline))
}

/// The labelled rows a cross-validation works on: their analysed texts, each
/// row's target (an index into `labels`) and the label names.
#[derive(Debug, Clone, Copy)]
pub struct Labelled<'a> {
    pub corpus: &'a Corpus,
    pub targets: &'a [usize],
    pub labels: &'a [String],
}

impl<'a> Labelled<'a> {
    /// The rows of `data`, analysed into `corpus`.
    pub fn of(corpus: &'a Corpus, data: &'a Dataset) -> Self {
        Labelled {
            corpus,
            targets: &data.targets,
            labels: &data.labels,
        }
    }
}

/// Seeded, stratified folds: how many, and the seed of their assignment.
#[derive(Debug, Clone, Copy)]
pub struct Folds {
    pub k: usize,
    pub seed: u64,
}

/// The outcome of a cross-validation: one report per fold and their summary.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CrossValidation {
    /// Number of folds and the seed of their assignment.
    pub k: usize,
    pub seed: u64,
    pub folds: Vec<Report>,
    /// Metrics over all out-of-fold predictions pooled together.
    pub pooled: Report,
    pub accuracy_mean: f64,
    pub accuracy_std: f64,
    pub macro_f1_mean: f64,
    pub macro_f1_std: f64,
    /// Every row's out-of-fold prediction, in row order, when asked for
    /// ([`cross_validate_keeping`]; else empty). Not part of the JSON report:
    /// `evaluate --predictions` writes them to a file.
    #[serde(skip)]
    pub predictions: Vec<OutOfFold>,
}

/// One row's out-of-fold prediction: the fold it was held out of (0-based)
/// and the probabilities the model of that fold gave it.
#[derive(Debug, Clone, Default)]
pub struct OutOfFold {
    pub fold: usize,
    pub probabilities: Vec<f64>,
}

/// Fits each of `k` seeded, stratified folds on the other folds' rows and
/// scores it: (the fold's rows, their scores), in fold order. Folds are
/// independent: they are fitted side by side (each fit's own work is parallel
/// too, on the same rayon pool), and the results do not depend on the number
/// of cores. `progress` advances by one per fold.
fn fit_folds(
    trainer: &Trainer,
    data: Labelled,
    Folds { k, seed }: Folds,
    progress: &ProgressBar,
) -> Result<Vec<(Vec<usize>, Scored)>> {
    let folds = stratified_folds(data.targets, data.labels.len(), k, seed)?;
    folds
        .par_iter()
        .enumerate()
        .map(|(f, test)| {
            let train = complement(data.targets.len(), test);
            let (scored, _) = fit_and_evaluate(trainer, data, &train, test).map_err(|e| {
                e.within(format!(
                    "fold {} of {k} ({} training drafts)",
                    f + 1,
                    train.len()
                ))
            })?;
            progress.inc(1);
            Ok((test.clone(), scored))
        })
        .collect()
}

/// Stratified k-fold cross-validation with a seeded fold assignment. `progress`
/// advances by one per fold (pass `ProgressBar::hidden()` for none).
pub fn cross_validate(
    trainer: &Trainer,
    data: Labelled,
    folds: Folds,
    progress: &ProgressBar,
) -> Result<CrossValidation> {
    cross_validate_keeping(trainer, data, folds, progress, false)
}

/// [`cross_validate`], also keeping every row's out-of-fold prediction
/// (`CrossValidation::predictions`) when `keep_predictions`.
pub fn cross_validate_keeping(
    trainer: &Trainer,
    data: Labelled,
    folds: Folds,
    progress: &ProgressBar,
    keep_predictions: bool,
) -> Result<CrossValidation> {
    let (targets, labels, Folds { k, seed }) = (data.targets, data.labels, folds);
    let mut reports = Vec::with_capacity(k);
    let mut truth = Vec::with_capacity(targets.len());
    let mut probabilities = Vec::with_capacity(targets.len());
    let mut predictions = if keep_predictions {
        vec![OutOfFold::default(); targets.len()]
    } else {
        Vec::new()
    };
    for (fold, (rows, result)) in fit_folds(trainer, data, folds, progress)?
        .into_iter()
        .enumerate()
    {
        truth.extend(result.truth.iter().copied());
        if keep_predictions {
            for (&i, p) in rows.iter().zip(&result.probabilities) {
                predictions[i] = OutOfFold {
                    fold,
                    probabilities: p.clone(),
                };
            }
        }
        probabilities.extend(result.probabilities);
        reports.push(result.report);
    }
    let (accuracy_mean, accuracy_std) = mean_std(reports.iter().map(|r| r.accuracy));
    let (macro_f1_mean, macro_f1_std) = mean_std(reports.iter().map(|r| r.macro_f1));
    Ok(CrossValidation {
        k,
        seed,
        pooled: Report::new(labels, &truth, &probabilities),
        folds: reports,
        accuracy_mean,
        accuracy_std,
        macro_f1_mean,
        macro_f1_std,
        predictions,
    })
}

/// Out-of-fold probabilities of every row, in row order: each row scored by the
/// model of the fold it was held out of (the same seeded, stratified folds and
/// fits as [`cross_validate`]).
pub fn out_of_fold(
    trainer: &Trainer,
    data: Labelled,
    folds: Folds,
    progress: &ProgressBar,
) -> Result<Vec<Vec<f64>>> {
    Ok(
        cross_validate_keeping(trainer, data, folds, progress, true)?
            .predictions
            .into_iter()
            .map(|p| p.probabilities)
            .collect(),
    )
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

/// Training-set fractions of a learning curve.
pub const LEARNING_CURVE_FRACTIONS: [f64; 5] = [0.1, 0.25, 0.5, 0.75, 1.0];

/// One point of a learning curve: cross-validated scores when training on a
/// fraction of each training fold.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CurvePoint {
    pub fraction: f64,
    /// Mean number of training rows per fold at this fraction.
    pub train_rows: f64,
    pub accuracy_mean: f64,
    pub accuracy_std: f64,
    pub macro_f1_mean: f64,
    pub macro_f1_std: f64,
}

/// Cross-validated accuracy and macro-F1 when training on 10%, 25%, 50%, 75% and
/// 100% of each training fold (a stratified, seeded subsample), always scoring the
/// whole test fold. A curve still rising at 100% says more examples would help.
/// `full` is the cross-validation on all the rows: the curve uses its folds (its
/// `k` and `seed`), and it is the 100% point, so it is not fitted again. `progress` advances by one per fit
/// (`k` per fraction below 100%).
pub fn learning_curve(
    trainer: &Trainer,
    data: Labelled,
    full: &CrossValidation,
    progress: &ProgressBar,
) -> Result<Vec<CurvePoint>> {
    let (targets, labels) = (data.targets, data.labels);
    let (k, seed) = (full.k, full.seed);
    let folds = stratified_folds(targets, labels.len(), k, seed)?;
    let mut points = Vec::new();
    for &fraction in &LEARNING_CURVE_FRACTIONS {
        if fraction == 1.0 {
            points.push(CurvePoint {
                fraction,
                train_rows: (targets.len() * (k - 1)) as f64 / k as f64,
                accuracy_mean: full.accuracy_mean,
                accuracy_std: full.accuracy_std,
                macro_f1_mean: full.macro_f1_mean,
                macro_f1_std: full.macro_f1_std,
            });
            continue;
        }
        let mut accuracies = Vec::with_capacity(k);
        let mut f1s = Vec::with_capacity(k);
        let mut sizes = Vec::with_capacity(k);
        for (f, test) in folds.iter().enumerate() {
            let train = complement(targets.len(), test);
            let train: Vec<usize> = {
                let sub_targets: Vec<usize> = train.iter().map(|&i| targets[i]).collect();
                let (keep, _) = train_test_split(
                    &sub_targets,
                    labels.len(),
                    1.0 - fraction,
                    seed.wrapping_add(f as u64),
                )?;
                keep.into_iter().map(|j| train[j]).collect()
            };
            sizes.push(train.len() as f64);
            let (Scored { report, .. }, _) = fit_and_evaluate(trainer, data, &train, test)
                .map_err(|e| {
                    e.within(format!(
                        "learning curve, {:.0}% of fold {} of {k} ({} training drafts)",
                        fraction * 100.0,
                        f + 1,
                        train.len()
                    ))
                })?;
            progress.inc(1);
            accuracies.push(report.accuracy);
            f1s.push(report.macro_f1);
        }
        let (accuracy_mean, accuracy_std) = mean_std(accuracies.into_iter());
        let (macro_f1_mean, macro_f1_std) = mean_std(f1s.into_iter());
        points.push(CurvePoint {
            fraction,
            train_rows: sizes.iter().sum::<f64>() / sizes.len() as f64,
            accuracy_mean,
            accuracy_std,
            macro_f1_mean,
            macro_f1_std,
        });
    }
    Ok(points)
}

/// Scores every row of a labelled data set with a fitted pipeline. The data set's
/// labels must all be labels of the model.
pub fn score_dataset(pipeline: &Pipeline, data: &Dataset) -> Result<Report> {
    let (truth, probabilities) = predict_dataset(pipeline, data)?;
    Ok(Report::new(pipeline.labels(), &truth, &probabilities))
}

/// Every row's true label (as the model's label index), and the
/// probabilities the model predicts for it.
pub type Predictions = (Vec<usize>, Vec<Vec<f64>>);

/// A model's [`Predictions`] on `data`, from which [`score_dataset`] counts.
pub fn predict_dataset(pipeline: &Pipeline, data: &Dataset) -> Result<Predictions> {
    let labels = pipeline.labels();
    let mut map = Vec::with_capacity(data.labels.len());
    for label in &data.labels {
        let index = labels.iter().position(|l| l == label).ok_or_else(|| {
            Error::at(
                &data.path,
                None,
                format!(
                    "has the label '{label}', which the model does not know (it knows: {})",
                    labels.join(", ")
                ),
            )
            .with_hint("an evaluation set must use the training data's labels")
        })?;
        map.push(index);
    }
    let analyzer = pipeline.analyzer();
    let truth: Vec<usize> = data.targets.iter().map(|&t| map[t]).collect();
    let probabilities: Vec<Vec<f64>> = data
        .texts
        .iter()
        .map(|t| pipeline.probabilities_terms(&analyzer.analyze(t)))
        .collect();
    Ok((truth, probabilities))
}

/// The trusted evaluation set that goes with a training file: `eval.csv` in the
/// same folder, if it exists and is not the training file itself.
pub fn default_eval_path(data: &Path) -> Option<PathBuf> {
    let candidate = beside(data, "eval.csv");
    (candidate.is_file() && !crate::files::same_file(&candidate, data)).then_some(candidate)
}

/// Accuracy on the rows of one tag of a stress set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TagScore {
    pub tag: String,
    pub rows: usize,
    pub accuracy: f64,
}

/// A stress set's score: the whole report and the accuracy per tag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChallengeScore {
    pub path: String,
    pub report: Report,
    pub tags: Vec<TagScore>,
}

/// The stress set that goes with a training file: `challenge.csv` in the same
/// folder, if it exists.
pub fn default_challenge_path(data: &Path) -> Option<PathBuf> {
    let candidate = beside(data, "challenge.csv");
    candidate.is_file().then_some(candidate)
}

/// The file `name` in the folder of `data`.
fn beside(data: &Path, name: &str) -> PathBuf {
    match data.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.join(name),
        _ => Path::new(".").join(name),
    }
}

/// Scores a stress set (labelled like the training data, with a `tag` column
/// naming the shortcut each row tests; rows without one count as `untagged`).
pub fn score_challenge(
    pipeline: &Pipeline,
    path: &Path,
    text_column: &str,
    label_column: &str,
) -> Result<ChallengeScore> {
    let data = crate::dataset::load_labelled(path, text_column, label_column)
        .map_err(|e| e.for_option("--challenge"))?;
    let (truth, probabilities) = predict_dataset(pipeline, &data)?;
    let report = Report::new(pipeline.labels(), &truth, &probabilities);
    let tags = crate::dataset::read_optional_column(path, "tag")?.unwrap_or_default();
    let mut by_tag: std::collections::BTreeMap<String, (usize, usize)> = Default::default();
    for (i, (&t, p)) in truth.iter().zip(&probabilities).enumerate() {
        let tag = tags
            .get(i)
            .map(|t| t.trim())
            .filter(|t| !t.is_empty())
            .unwrap_or("untagged");
        let entry = by_tag.entry(tag.to_string()).or_default();
        entry.0 += 1;
        entry.1 += usize::from(crate::model::classifier::argmax(p) == t);
    }
    Ok(ChallengeScore {
        path: path.display().to_string(),
        report,
        tags: by_tag
            .into_iter()
            .map(|(tag, (rows, correct))| TagScore {
                tag,
                rows,
                accuracy: correct as f64 / rows as f64,
            })
            .collect(),
    })
}

impl ChallengeScore {
    /// "challenge set PATH (340 drafts): accuracy ..., and by tag: ..."
    pub fn to_text(&self) -> String {
        let mut s = format!(
            "challenge set {} ({} drafts, never trained on): {}\n  by tag:",
            self.path,
            self.report.rows,
            self.report.headline()
        );
        for t in &self.tags {
            s.push_str(&format!(" {} {:.3} ({}),", t.tag, t.accuracy, t.rows));
        }
        s.pop();
        s.push('\n');
        s
    }
}
