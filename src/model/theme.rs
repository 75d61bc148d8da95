//! Themes: what a desperate draft does (`gift`, `letter`, `pressure`), learned
//! from the data's `theme` column. Each theme is a binary logistic regression
//! (the same solvers and settings as the verdict) on the verdict's features,
//! fitted on the rows that have a theme other than `none`; a draft may carry
//! several. The advice a desperate draft gets follows its themes.

use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::model::classifier::{CheckedClassifierSettings, Classifier, sigmoid};
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
    /// One row per theme: its logit's weights over the vocabulary.
    weights: Array2<f64>,
    intercepts: Array1<f64>,
}

/// One theme's probability for a draft, with the terms behind it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThemeScore {
    pub theme: String,
    pub probability: f64,
    /// (feature index, contribution to the theme's logit), strongest first.
    #[serde(skip)]
    pub contributions: Vec<(usize, f64)>,
}

/// Themes as stored in a model file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThemeFile {
    pub names: Vec<String>,
    pub weights: Vec<Vec<f64>>,
    pub intercepts: Vec<f64>,
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
    pub fn fit(
        settings: &CheckedClassifierSettings,
        rows: &[SparseRow],
        n_features: usize,
        themes: &[Vec<String>],
    ) -> Result<Option<Themes>> {
        let mut names = Vec::new();
        let mut weights = Vec::new();
        let mut intercepts = Vec::new();
        for (name, _) in THEMES {
            let targets: Vec<usize> = themes
                .iter()
                .map(|t| usize::from(t.iter().any(|x| x == name)))
                .collect();
            let positive = targets.iter().sum::<usize>();
            if positive < MIN_THEME_ROWS || targets.len() - positive < MIN_THEME_ROWS {
                continue;
            }
            let c: Classifier = settings.fit(rows, n_features, &targets, 2, None)?;
            names.push(name.to_string());
            weights.extend(c.weights().row(0).iter().copied());
            intercepts.push(c.intercepts()[0]);
        }
        if names.is_empty() {
            return Ok(None);
        }
        Ok(Some(Themes {
            weights: Array2::from_shape_vec((names.len(), n_features), weights)
                .expect("one row per theme"),
            intercepts: Array1::from(intercepts),
            names,
        }))
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Every theme's probability for a feature row, with its contributions.
    pub fn score(&self, row: &SparseRow) -> Vec<ThemeScore> {
        self.names
            .iter()
            .enumerate()
            .map(|(k, name)| {
                let mut contributions: Vec<(usize, f64)> = row
                    .iter()
                    .map(|&(j, x)| (j, self.weights[[k, j]] * x))
                    .collect();
                let z = self.intercepts[k] + contributions.iter().map(|(_, c)| c).sum::<f64>();
                contributions.sort_by(|a, b| b.1.total_cmp(&a.1));
                ThemeScore {
                    theme: name.clone(),
                    probability: sigmoid(z),
                    contributions,
                }
            })
            .collect()
    }

    pub fn to_file(&self, rows: usize) -> ThemeFile {
        ThemeFile {
            names: self.names.clone(),
            weights: self
                .weights
                .rows()
                .into_iter()
                .map(|r| r.to_vec())
                .collect(),
            intercepts: self.intercepts.to_vec(),
            rows,
        }
    }

    /// Rebuilds themes from a model file's, checking their shapes against the
    /// vocabulary (`Err` says what is wrong).
    pub fn from_file(file: &ThemeFile, n_features: usize) -> std::result::Result<Themes, String> {
        let n = file.names.len();
        if n == 0 || file.intercepts.len() != n || file.weights.len() != n {
            return Err(format!(
                "its themes have {} names, {} weight rows and {} intercepts",
                n,
                file.weights.len(),
                file.intercepts.len()
            ));
        }
        if file
            .names
            .iter()
            .any(|t| !THEMES.iter().any(|(name, _)| name == t))
        {
            return Err(format!("it has an unknown theme among {:?}", file.names));
        }
        if file.weights.iter().any(|r| r.len() != n_features) {
            return Err(format!(
                "a theme's weights do not have {n_features} entries, one per term"
            ));
        }
        if file
            .weights
            .iter()
            .flatten()
            .chain(&file.intercepts)
            .any(|w| !w.is_finite() || w.abs() > crate::model::file::MAX_WEIGHT)
        {
            return Err("a theme weight is not a finite number of sensible size".into());
        }
        Ok(Themes {
            names: file.names.clone(),
            weights: Array2::from_shape_vec((n, n_features), file.weights.concat())
                .map_err(|e| e.to_string())?,
            intercepts: Array1::from(file.intercepts.clone()),
        })
    }
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
        )
        .unwrap()
        .unwrap();
        // No "letter" rows: that theme is left out.
        assert_eq!(fitted.names(), ["gift", "pressure"]);
        let scores = fitted.score(&vec![(0, 0.8), (2, 0.5)]);
        assert!(scores[0].probability > 0.9, "{scores:?}");
        assert!(scores[1].probability < 0.1, "{scores:?}");
        let back = Themes::from_file(&fitted.to_file(60), 3).unwrap();
        assert_eq!(back, fitted);
        assert!(Themes::from_file(&fitted.to_file(60), 4).is_err());
    }
}
