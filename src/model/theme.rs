//! Themes: what a desperate draft does (`gift`, `letter`, `pressure`), learned
//! from the data's `theme` column. Each theme is a binary logistic regression
//! (the same solvers and settings as the verdict) on the verdict's features,
//! fitted on the rows that have a theme other than `none`; a draft may carry
//! several. The advice a desperate draft gets follows its themes.
//!
//! A theme is chosen when its probability reaches the theme's threshold: the
//! one that maximises F1 on out-of-fold probabilities of the training rows
//! (3 seeded, stratified folds: 5 cost a tenth of a second more on the
//! bundled drafts for the same thresholds within 0.01), since a rare theme's
//! probabilities run low and one half would miss many of its drafts.

use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};

use rayon::prelude::*;

use crate::error::Result;
use crate::eval::split::{complement, stratified_folds};
use crate::model::classifier::{
    CheckedClassifierSettings, Classifier, ClassifierSettings, sigmoid,
};
use crate::text::SparseRow;

/// The themes draftcheck learns, and the advice entry (by id) each selects.
pub const THEMES: [(&str, &str); 3] = [
    ("gift", "gifts"),
    ("letter", "love-letters"),
    ("pressure", "pressure"),
];

/// Fewest rows with, and without, a theme for it to be learned.
pub const MIN_THEME_ROWS: usize = 10;

/// Fitted theme models.
#[derive(Debug, Clone, PartialEq)]
pub struct Themes {
    names: Vec<String>,
    /// One row per theme: its logit's weights over the vocabulary (rows as
    /// read from the model file, never copied).
    weights: Vec<Vec<f64>>,
    intercepts: Array1<f64>,
    /// The probability at which each theme is chosen.
    thresholds: Vec<f64>,
    /// Which of a feature row's columns the themes read.
    columns: ThemeColumns,
}

/// The part of a verdict's feature row that the themes read: every column,
/// or (for a model with ending terms) every column but the ending terms',
/// rescaled to unit length when the rows are.
///
/// What a draft does (a gift, a letter, pressure) is in the whole draft, and
/// the whole draft's terms already hold the ending's: a second copy would
/// weigh the last sentences twice. Leaving them out is not enough on its
/// own: the verdict's rows are scaled to unit length over every column, so
/// the rest would shrink by how much of the row the ending took (a sentence
/// scored alone, all ending, to about 0.7). Rescaling makes a theme's row
/// the one a model without ending terms would give.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ThemeColumns {
    /// Columns left out; empty when none is (then rows are read as they are).
    left_out: Vec<bool>,
    renormalize: bool,
}

impl ThemeColumns {
    /// The columns of a vocabulary `terms` the themes read, for rows scaled
    /// to unit length or not (`normalize`).
    pub fn of(terms: &crate::text::Terms, normalize: bool) -> ThemeColumns {
        // The terms are sorted, so the ending terms, if any, start where
        // their prefix would go: a model without them (the bundled one) is
        // told apart without a pass over its vocabulary.
        let prefix = crate::text::analyzer::ENDING_PREFIX;
        let at = terms.binary_search(prefix).unwrap_or_else(|i| i);
        if at >= terms.len() || !terms.get(at).starts_with(prefix) {
            return ThemeColumns::default();
        }
        let left_out: Vec<bool> = terms
            .iter()
            .map(|term| crate::text::analyzer::ending_base(term).is_some())
            .collect();
        if left_out.iter().any(|&out| out) {
            ThemeColumns {
                left_out,
                renormalize: normalize,
            }
        } else {
            ThemeColumns::default()
        }
    }

    /// The row the themes read.
    pub fn row<'a>(&self, row: &'a SparseRow) -> std::borrow::Cow<'a, SparseRow> {
        if self.left_out.is_empty() {
            return std::borrow::Cow::Borrowed(row);
        }
        let mut kept: SparseRow = row
            .iter()
            .copied()
            .filter(|&(j, _)| !self.left_out.get(j).copied().unwrap_or(false))
            .collect();
        if self.renormalize {
            let norm = kept.iter().map(|(_, x)| x * x).sum::<f64>().sqrt();
            if norm > 0.0 {
                for (_, x) in &mut kept {
                    *x /= norm;
                }
            }
        }
        std::borrow::Cow::Owned(kept)
    }
}

/// Folds of the out-of-fold probabilities a threshold is chosen on, and
/// their seed.
const THRESHOLD_FOLDS: usize = 3;
const THRESHOLD_SEED: u64 = 42;

/// The gradient tolerance (per row) of the themes' fits, scikit-learn's, or
/// the model's own if that is looser. A theme's probability is only compared with its threshold, a coarse
/// quantity, and the threshold is chosen on the folds' fits: the fit on all
/// rows stops at the same tolerance, so that the probabilities it gives are
/// on the scale the threshold was chosen on (and it takes about a third of
/// the iterations).
const THEME_TOLERANCE: f64 = 1e-4;

/// The threshold of a theme when none was fitted (model files written before
/// thresholds were).
const DEFAULT_THRESHOLD: f64 = 0.5;

/// One theme's probability for a draft, with the terms behind it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThemeScore {
    pub theme: String,
    pub probability: f64,
    /// The probability at which this theme is chosen, and whether it is.
    pub threshold: f64,
    pub chosen: bool,
    /// (feature index, contribution to the theme's logit), strongest first.
    #[serde(skip)]
    pub contributions: Vec<(usize, f64)>,
}

/// Themes as stored in a model file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThemeFile {
    pub names: Vec<String>,
    /// One row per theme, packed (see [`crate::model::packed`]).
    #[serde(with = "crate::model::packed")]
    pub weights: Vec<Vec<f64>>,
    pub intercepts: Vec<f64>,
    /// The probability at which each theme is chosen (files written before
    /// them: one half).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub thresholds: Vec<f64>,
    /// Rows they were fitted on.
    pub rows: usize,
}

/// Parses a `theme` cell: names joined by `;`; `none` and blanks are no theme.
pub fn parse(cell: &str) -> Vec<String> {
    cell.split(';')
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty() && t != "none")
        .collect()
}

impl Themes {
    /// Fits each theme on `rows` (feature rows) with their themes. Themes with
    /// fewer than [`MIN_THEME_ROWS`] rows on either side are left out; None if
    /// none is left.
    ///
    /// The themes read `columns` of each row (see [`ThemeColumns`]).
    pub fn fit(
        settings: &CheckedClassifierSettings,
        rows: &[SparseRow],
        n_features: usize,
        themes: &[Vec<String>],
        columns: ThemeColumns,
    ) -> Result<Option<Themes>> {
        let read: Vec<std::borrow::Cow<SparseRow>> = rows.iter().map(|r| columns.row(r)).collect();
        let rows: Vec<&SparseRow> = read.iter().map(|r| r.as_ref()).collect();
        // The themes with enough rows on both sides, with their targets.
        let learned: Vec<(&str, Vec<usize>)> = THEMES
            .iter()
            .map(|(name, _)| {
                let targets: Vec<usize> = themes
                    .iter()
                    .map(|t| usize::from(t.iter().any(|x| x == name)))
                    .collect();
                (*name, targets)
            })
            .filter(|(_, targets)| {
                let positive = targets.iter().sum::<usize>();
                positive >= MIN_THEME_ROWS && targets.len() - positive >= MIN_THEME_ROWS
            })
            .collect();
        // Every fit at once, side by side: each theme's on all rows, then its
        // folds' (for the threshold), results in a fixed order.
        let jobs: Vec<(usize, Option<usize>)> = (0..learned.len())
            .flat_map(|t| {
                std::iter::once((t, None)).chain((0..THRESHOLD_FOLDS).map(move |f| (t, Some(f))))
            })
            .collect();
        let folds: Vec<Vec<Vec<usize>>> = learned
            .iter()
            .map(|(_, targets)| stratified_folds(targets, 2, THRESHOLD_FOLDS, THRESHOLD_SEED))
            .collect::<Result<_>>()?;
        // Every fit, on all rows and on the folds, stops at the same looser
        // tolerance (see [`THEME_TOLERANCE`]).
        let loose = ClassifierSettings {
            gradient_tolerance: settings.gradient_tolerance.max(THEME_TOLERANCE),
            ..settings.get().clone()
        }
        .check()?;
        let fitted: Vec<Fitted> = jobs
            .par_iter()
            .map(|&(t, fold)| {
                let targets = &learned[t].1;
                match fold {
                    None => Ok(Fitted::All(fit_on_used_columns(
                        &loose, &rows, n_features, targets,
                    )?)),
                    Some(f) => {
                        let test = &folds[t][f];
                        let train = complement(targets.len(), test);
                        // Borrowed: the fit makes its own compact copy.
                        let train_rows: Vec<&SparseRow> = train.iter().map(|&i| rows[i]).collect();
                        let y: Vec<usize> = train.iter().map(|&i| targets[i]).collect();
                        let c = fit_on_used_columns(&loose, &train_rows, n_features, &y)?;
                        Ok(Fitted::Fold(
                            test.iter()
                                .map(|&i| (c.probabilities(rows[i])[1], targets[i]))
                                .collect(),
                        ))
                    }
                }
            })
            .collect::<Result<_>>()?;
        let mut names = Vec::new();
        let mut weights = Vec::new();
        let mut intercepts = Vec::new();
        let mut thresholds = Vec::new();
        for (t, chunk) in fitted.chunks(THRESHOLD_FOLDS + 1).enumerate() {
            let mut scored = Vec::new();
            for job in chunk {
                match job {
                    Fitted::All(c) => {
                        weights.push(c.weights().row(0).to_vec());
                        intercepts.push(c.intercepts()[0]);
                    }
                    Fitted::Fold(pairs) => scored.extend_from_slice(pairs),
                }
            }
            names.push(learned[t].0.to_string());
            thresholds.push(best_f1_threshold(scored));
        }
        if names.is_empty() {
            return Ok(None);
        }
        Ok(Some(Themes {
            weights,
            intercepts: Array1::from(intercepts),
            thresholds,
            names,
            columns,
        }))
    }

    /// The probability at which each theme is chosen, in [`Themes::names`] order.
    pub fn thresholds(&self) -> &[f64] {
        &self.thresholds
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The same themes, reading `columns` of each row: what a pipeline sets,
    /// from its vocabulary, when the themes are attached to it.
    pub fn with_columns(mut self, columns: ThemeColumns) -> Self {
        self.columns = columns;
        self
    }

    /// Every theme's probability for a feature row of the verdict (the
    /// themes read their [`ThemeColumns`] of it), with its contributions.
    pub fn score(&self, row: &SparseRow) -> Vec<ThemeScore> {
        let row = self.columns.row(row);
        self.names
            .iter()
            .enumerate()
            .map(|(k, name)| {
                let mut contributions: Vec<(usize, f64)> = row
                    .iter()
                    .map(|&(j, x)| (j, self.weights[k][j] * x))
                    .collect();
                let z = self.intercepts[k] + contributions.iter().map(|(_, c)| c).sum::<f64>();
                contributions.sort_by(|a, b| b.1.total_cmp(&a.1));
                let probability = sigmoid(z);
                ThemeScore {
                    theme: name.clone(),
                    probability,
                    threshold: self.thresholds[k],
                    chosen: probability >= self.thresholds[k],
                    contributions,
                }
            })
            .collect()
    }

    pub fn to_file(&self, rows: usize) -> ThemeFile {
        ThemeFile {
            names: self.names.clone(),
            weights: self.weights.clone(),
            intercepts: self.intercepts.to_vec(),
            thresholds: self.thresholds.clone(),
            rows,
        }
    }

    /// Rebuilds themes from a model file's, taking its rows (no copy), after
    /// [`ThemeFile::check`].
    pub fn from_file(file: ThemeFile, n_features: usize) -> std::result::Result<Themes, String> {
        let thresholds = file.check(n_features)?;
        Ok(Themes {
            names: file.names,
            weights: file.weights,
            intercepts: Array1::from(file.intercepts),
            thresholds,
            columns: ThemeColumns::default(),
        })
    }
}

impl ThemeFile {
    /// Checks the themes' shapes against the vocabulary (`Err` says what is
    /// wrong); returns each theme's threshold.
    pub fn check(&self, n_features: usize) -> std::result::Result<Vec<f64>, String> {
        let n = self.names.len();
        if n == 0 || self.intercepts.len() != n || self.weights.len() != n {
            return Err(format!(
                "its themes have {} names, {} weight rows and {} intercepts",
                n,
                self.weights.len(),
                self.intercepts.len()
            ));
        }
        if self
            .names
            .iter()
            .any(|t| !THEMES.iter().any(|(name, _)| name == t))
        {
            return Err(format!("it has an unknown theme among {:?}", self.names));
        }
        if self.weights.iter().any(|r| r.len() != n_features) {
            return Err(format!(
                "a theme's weights do not have {n_features} entries, one per term"
            ));
        }
        if !crate::model::file::all_sensible(&self.weights, &self.intercepts) {
            return Err("a theme weight is not a finite number of sensible size".into());
        }
        let thresholds = if self.thresholds.is_empty() {
            vec![DEFAULT_THRESHOLD; n]
        } else {
            self.thresholds.clone()
        };
        if thresholds.len() != n || thresholds.iter().any(|t| !(*t > 0.0 && *t < 1.0)) {
            return Err(format!(
                "its themes need {n} thresholds between 0 and 1, not {:?}",
                self.thresholds
            ));
        }
        Ok(thresholds)
    }
}

/// A two-label fit on `rows`, solved over only the columns some row uses.
///
/// A theme learns from the desperate rows alone, which use about half of the
/// vocabulary. A column no row uses has a zero gradient at zero (its loss
/// term is empty and its penalty is zero there), so its weight stays exactly
/// zero: the optimum is the same, and the solver's vectors are shorter (the
/// theme fits are most of the time of `train` on the bundled drafts).
fn fit_on_used_columns(
    settings: &CheckedClassifierSettings,
    rows: &[&SparseRow],
    n_features: usize,
    targets: &[usize],
) -> Result<Classifier> {
    let mut used = vec![false; n_features];
    for row in rows {
        for &(j, _) in row.iter() {
            used[j] = true;
        }
    }
    // Old column → new (increasing, so each row stays sorted), and back.
    let columns: Vec<usize> = (0..n_features).filter(|&j| used[j]).collect();
    if columns.is_empty() {
        // No row has a known term: nothing to compact (and a fit needs a column).
        let empty = vec![SparseRow::new(); rows.len()];
        return settings.fit(&empty, n_features, targets, 2, None);
    }
    let mut new_of = vec![usize::MAX; n_features];
    for (new, &old) in columns.iter().enumerate() {
        new_of[old] = new;
    }
    let compact: Vec<SparseRow> = rows
        .iter()
        .map(|row| row.iter().map(|&(j, x)| (new_of[j], x)).collect())
        .collect();
    let fitted = settings.fit(&compact, columns.len(), targets, 2, None)?;
    let mut weights = Array2::<f64>::zeros((1, n_features));
    for (new, &old) in columns.iter().enumerate() {
        weights[[0, old]] = fitted.weights()[[0, new]];
    }
    Ok(Classifier::new(weights, fitted.intercepts().clone(), 2))
}

/// One fit of [`Themes::fit`]: a theme's classifier on all rows, or a fold's
/// out-of-fold (probability, target) pairs.
enum Fitted {
    All(Classifier),
    Fold(Vec<(f64, usize)>),
}

/// The threshold that maximises F1 on (probability, target) pairs (target 1:
/// the row has the theme): the midpoint between the lowest probability chosen
/// and the next below, kept within 0.05 to 0.95.
pub(crate) fn best_f1_threshold(mut scored: Vec<(f64, usize)>) -> f64 {
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let positives = scored.iter().filter(|(_, y)| *y == 1).count();
    let (mut true_positives, mut best, mut best_at) = (0usize, -1.0, 0usize);
    for (i, &(p, y)) in scored.iter().enumerate() {
        true_positives += y;
        // Cut only between distinct probabilities.
        if scored.get(i + 1).is_some_and(|next| next.0 == p) {
            continue;
        }
        let f1 = 2.0 * true_positives as f64 / (i + 1 + positives) as f64;
        if f1 > best {
            (best, best_at) = (f1, i);
        }
    }
    let low = scored[best_at].0;
    let next = scored.get(best_at + 1).map_or(0.0, |s| s.0);
    ((low + next) / 2.0).clamp(0.05, 0.95)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn theme_cells_parse() {
        assert_eq!(parse("gift;Pressure"), ["gift", "pressure"]);
        assert!(parse("none").is_empty());
        assert!(parse(" ").is_empty());
    }

    #[test]
    fn a_fit_on_the_used_columns_is_the_fit_on_all_of_them() {
        // 40 rows over features 1, 4, 5 and 8 of 10: the others are unused.
        let mut rows = Vec::new();
        let mut targets = Vec::new();
        for i in 0..40usize {
            let y = i % 2;
            let mut row = vec![(1, 0.3 + 0.01 * i as f64), (8, 0.2)];
            row.push(if y == 1 { (4, 0.9) } else { (5, 0.7) });
            if i % 7 == 0 {
                row.push(if y == 1 { (5, 0.4) } else { (4, 0.4) });
            }
            row.sort_by_key(|&(j, _)| j);
            rows.push(row);
            targets.push(y);
        }
        let settings = crate::model::ClassifierSettings {
            gradient_tolerance: 1e-9,
            solver: crate::model::solver::SolverChoice::Sparse,
            ..Default::default()
        }
        .check()
        .unwrap();
        let all = settings.fit(&rows, 10, &targets, 2, None).unwrap();
        let used =
            fit_on_used_columns(&settings, &rows.iter().collect::<Vec<_>>(), 10, &targets).unwrap();
        assert_eq!(used.weights().dim(), (1, 10));
        for j in [0, 2, 3, 6, 7, 9] {
            assert_eq!(used.weights()[[0, j]], 0.0, "unused column {j}");
            assert_eq!(all.weights()[[0, j]], 0.0, "unused column {j}");
        }
        for j in [1, 4, 5, 8] {
            let (a, b) = (all.weights()[[0, j]], used.weights()[[0, j]]);
            assert!((a - b).abs() < 1e-6, "column {j}: {a} against {b}");
        }
        assert!(used.weights()[[0, 4]] > 1.0 && used.weights()[[0, 5]] < -1.0);
        assert!((all.intercepts()[0] - used.intercepts()[0]).abs() < 1e-6);
        // Rows with no known term: fitted as they are, the intercept alone.
        let empty: Vec<SparseRow> = vec![Vec::new(); 40];
        let none = fit_on_used_columns(&settings, &empty.iter().collect::<Vec<_>>(), 10, &targets)
            .unwrap();
        assert_eq!(none.weights().dim(), (1, 10));
        assert!(none.weights().iter().all(|&w| w == 0.0));
    }

    #[test]
    fn the_themes_read_a_row_without_its_ending_terms_rescaled() {
        let mut terms = crate::text::Terms::new();
        for t in ["<end> call", "<end> me", "call", "me", "ring"] {
            terms.push(t);
        }
        // Without ending terms, a row is read as it is.
        let mut plain = crate::text::Terms::new();
        plain.push("call");
        assert_eq!(ThemeColumns::of(&plain, true), ThemeColumns::default());
        let row: SparseRow = vec![(0, 0.5), (1, 0.5), (2, 0.5), (4, 0.5)];
        assert_eq!(ThemeColumns::default().row(&row).as_ref(), &row);
        // With them: the ending columns go, and the rest is scaled back to
        // unit length (the row of a model without ending terms).
        let read = ThemeColumns::of(&terms, true).row(&row).into_owned();
        let s = 0.5f64.sqrt();
        assert_eq!(read.len(), 2);
        assert_eq!(read[0].0, 2);
        assert_eq!(read[1].0, 4);
        assert!((read[0].1 - s).abs() < 1e-12 && (read[1].1 - s).abs() < 1e-12);
        // Rows not scaled to unit length are only filtered.
        let read = ThemeColumns::of(&terms, false).row(&row).into_owned();
        assert_eq!(read, vec![(2, 0.5), (4, 0.5)]);
        // A row of ending terms only reads as empty.
        assert!(
            ThemeColumns::of(&terms, true)
                .row(&vec![(0, 1.0)])
                .is_empty()
        );
    }

    #[test]
    fn themes_learn_their_feature() {
        // Feature 0 marks gifts, feature 1 pressure.
        let mut rows = Vec::new();
        let mut themes = Vec::new();
        for i in 0..60 {
            let gift = i % 2 == 0;
            let pressure = i % 3 == 0;
            let mut row = vec![(2, 0.5)];
            if gift {
                row.push((0, 0.8));
            }
            if pressure {
                row.push((1, 0.8));
            }
            row.sort_by_key(|&(j, _)| j);
            rows.push(row);
            let mut t = Vec::new();
            if gift {
                t.push("gift".to_string());
            }
            if pressure {
                t.push("pressure".to_string());
            }
            themes.push(t);
        }
        let fitted = Themes::fit(
            &crate::model::ClassifierSettings::default().check().unwrap(),
            &rows,
            3,
            &themes,
            ThemeColumns::default(),
        )
        .unwrap()
        .unwrap();
        // No "letter" rows: that theme is left out.
        assert_eq!(fitted.names(), ["gift", "pressure"]);
        let scores = fitted.score(&vec![(0, 0.8), (2, 0.5)]);
        assert!(scores[0].probability > 0.9, "{scores:?}");
        assert!(scores[1].probability < 0.1, "{scores:?}");
        assert_eq!(fitted.thresholds().len(), 2);
        let back = Themes::from_file(fitted.to_file(60), 3).unwrap();
        assert_eq!(back, fitted);
        assert!(Themes::from_file(fitted.to_file(60), 4).is_err());
    }

    #[test]
    fn the_threshold_maximises_f1_between_two_probabilities() {
        // Positives at 0.9, 0.4, 0.35; negatives at 0.3, 0.2, 0.1: choosing down
        // to 0.35 gets all three right (F1 1), so the cut is between 0.35 and 0.3.
        let pairs = vec![(0.9, 1), (0.4, 1), (0.35, 1), (0.3, 0), (0.2, 0), (0.1, 0)];
        assert!((best_f1_threshold(pairs) - 0.325).abs() < 1e-12);
        // A negative above the positives: F1 is best past it.
        let pairs = vec![(0.8, 0), (0.6, 1), (0.5, 1), (0.1, 0)];
        assert!((best_f1_threshold(pairs) - 0.3).abs() < 1e-12);
    }

    #[test]
    fn a_theme_file_without_thresholds_chooses_at_one_half() {
        let file = ThemeFile {
            names: vec!["gift".into()],
            weights: vec![vec![1.0, -1.0]],
            intercepts: vec![0.0],
            thresholds: Vec::new(),
            rows: 10,
        };
        let themes = Themes::from_file(file.clone(), 2).unwrap();
        assert_eq!(themes.thresholds(), [0.5]);
        assert!(themes.score(&vec![(0, 0.1)])[0].chosen);
        assert!(!themes.score(&vec![(1, 0.1)])[0].chosen);
        let bad = ThemeFile {
            thresholds: vec![1.5],
            ..file
        };
        assert!(Themes::from_file(bad, 2).is_err());
    }
}
