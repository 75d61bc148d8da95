//! The solvers that fit a [`Classifier`]: one model, two algorithms.
//!
//! Both minimise the same objective (see [`sparse`]): the summed log loss plus
//! `alpha / 2 · |W|²`, intercepts unpenalised, with L-BFGS and the More–Thuente
//! line search, stopping when the gradient of the mean loss per row is below the
//! tolerance.
//!
//! - [`linfa`]: `linfa-logistic` on the dense rows × terms matrix (f32). The
//!   design's estimator, kept where that matrix is small.
//! - [`sparse`]: the same objective on the sparse rows (CSR and CSC, f32 values,
//!   f64 arithmetic), loss and gradient fused and cached, rows in parallel.
//!
//! [`SolverChoice::Auto`] picks by the size of the dense matrix, like
//! scikit-learn's `solver="auto"`: the model stays the same.

pub mod csr;
pub mod linfa;
pub mod loss;
pub mod sparse;
pub mod vector;

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::model::classifier::{Classifier, ClassifierSettings};
use crate::text::SparseRow;

/// Which solver a fit uses (a setting, stored in the model).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum SolverChoice {
    /// `linfa` while the dense matrix has at most a million cells (rows ×
    /// terms, e.g. 400 drafts with 2,500 terms), `sparse` above.
    #[default]
    Auto,
    /// `linfa-logistic` on the dense matrix.
    Linfa,
    /// L-BFGS on the sparse matrix.
    Sparse,
}

/// The solver that fitted a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Solver {
    Linfa,
    Sparse,
}

impl Solver {
    pub fn name(self) -> &'static str {
        match self {
            Solver::Linfa => "linfa",
            Solver::Sparse => "sparse",
        }
    }
}

/// `auto` fits with `linfa` while the dense matrix has at most this many cells
/// (rows × terms). Measured on the bundled drafts' slices (see README,
/// "Choosing the solver"): below it a dense fit takes well under a tenth of a
/// second, too little for a person to notice; above it the sparse solver is faster,
/// and the gap grows with the matrix.
pub const AUTO_DENSE_CELLS: u64 = 1_000_000;

impl SolverChoice {
    /// The solver for a problem of `rows` × `terms`.
    pub fn resolve(self, rows: usize, terms: usize) -> Solver {
        match self {
            SolverChoice::Linfa => Solver::Linfa,
            SolverChoice::Sparse => Solver::Sparse,
            SolverChoice::Auto => {
                if (rows as u64).saturating_mul(terms as u64) <= AUTO_DENSE_CELLS {
                    Solver::Linfa
                } else {
                    Solver::Sparse
                }
            }
        }
    }
}

/// A training problem in the form its solver takes, built once and fitted one or
/// more times (warm and cold starts).
pub enum Problem {
    Dense(linfa::DenseProblem),
    Sparse(sparse::SparseProblem),
}

/// What a fit did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitReport {
    pub solver: Solver,
    /// L-BFGS iterations, when the solver reports them (`linfa` does not).
    pub iterations: Option<u64>,
    /// Whether the gradient tolerance was reached (unknown for `linfa`).
    pub converged: Option<bool>,
    /// The norm of the mean loss's gradient where the fit stopped (per row,
    /// as the tolerance; unknown for `linfa`). Not stored in the model file.
    #[serde(skip)]
    pub gradient: Option<f64>,
    /// Why a fit that did not reach the tolerance stopped (none for a fit
    /// that did, for `linfa`, and in model files written before it was
    /// recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped: Option<Stopped>,
}

/// Why a fit stopped short of the gradient tolerance.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stopped {
    /// It reached `--max-iterations`.
    IterationCap,
    /// The loss no longer fell (the line search, or argmin's check of the
    /// change in loss, ended it).
    Stalled,
    /// It was as converged as the fit it was asked to match (`stop_at`: the
    /// held-out fit), this gradient norm per row.
    AsConvergedAs { gradient: f64 },
}

/// "1 iteration", "31 iterations".
pub fn iterations(n: u64) -> String {
    format!("{n} iteration{}", if n == 1 { "" } else { "s" })
}

impl FitReport {
    /// The gradient per row a fit that starts from this one's weights should
    /// stop at (`stop_at` of [`Problem::fit`]): this fit's, if it stopped short
    /// of the tolerance; none if it reached it or its gradient is unknown.
    pub fn stop_at(&self) -> Option<f64> {
        if self.converged == Some(false) {
            self.gradient
        } else {
            None
        }
    }

    /// "sparse solver, 87 iterations" or "linfa solver".
    pub fn to_text(&self) -> String {
        let mut text = format!("{} solver", self.solver.name());
        if let Some(n) = self.iterations {
            text.push_str(&format!(", {}", iterations(n)));
        }
        match (self.stopped, self.converged) {
            (Some(Stopped::IterationCap), _) | (None, Some(false)) => {
                text.push_str(" (stopped before the tolerance: see --max-iterations)")
            }
            (Some(Stopped::Stalled), _) => text.push_str(
                " (stopped before the tolerance, when the loss no longer fell: a looser --tolerance may suit this data)",
            ),
            (Some(Stopped::AsConvergedAs { gradient }), _) => text.push_str(&format!(
                " (stopped as converged as the held-out fit, at a gradient of {gradient:.1e} per row, above the tolerance: see --max-iterations)"
            )),
            (None, _) => {}
        }
        text
    }
}

impl Problem {
    /// Builds the problem for `solver` from feature rows of `n_features` columns
    /// and targets in `0..n_labels`.
    pub fn new(
        solver: Solver,
        rows: &[SparseRow],
        n_features: usize,
        targets: &[usize],
        n_labels: usize,
    ) -> Result<Self> {
        if n_labels < 2 {
            return Err(crate::Error::new("training needs at least two labels"));
        }
        Ok(match solver {
            Solver::Linfa => Problem::Dense(linfa::DenseProblem::new(
                rows, n_features, targets, n_labels,
            )),
            Solver::Sparse => Problem::Sparse(sparse::SparseProblem::new(
                rows, n_features, targets, n_labels,
            )),
        })
    }

    pub fn solver(&self) -> Solver {
        match self {
            Problem::Dense(_) => Solver::Linfa,
            Problem::Sparse(_) => Solver::Sparse,
        }
    }

    fn shape(&self) -> (usize, usize, usize) {
        match self {
            Problem::Dense(p) => (p.n_rows(), p.n_features(), p.n_labels()),
            Problem::Sparse(p) => (p.n_rows(), p.n_features(), p.n_labels()),
        }
    }

    /// Fits the classifier, starting from `warm_start` when it has the right
    /// shape. With `stop_at` (a gradient norm per row, above the tolerance),
    /// the fit stops there instead: as converged as another fit whose figures
    /// are reported; it is still `converged` only below the tolerance.
    pub fn fit(
        &self,
        settings: &ClassifierSettings,
        warm_start: Option<&Classifier>,
        stop_at: Option<f64>,
    ) -> Result<(Classifier, FitReport)> {
        let (n_rows, n_features, n_labels) = self.shape();
        let init = warm_start.filter(|w| w.n_features() == n_features && w.n_labels() == n_labels);
        // Both solvers minimise the summed loss; the tolerance is per row (on the
        // mean loss), as scikit-learn's, so that it means the same for 100 or
        // 100,000 rows.
        let per_row = n_rows.max(1) as f64;
        let tolerance = settings.gradient_tolerance * per_row;
        let stop = stop_at.map_or(tolerance, |g| (g * per_row).max(tolerance));
        match self {
            Problem::Dense(p) => {
                let classifier = p.fit(settings.alpha, stop, settings.max_iterations, init)?;
                Ok((
                    classifier,
                    FitReport {
                        solver: Solver::Linfa,
                        iterations: None,
                        converged: None,
                        gradient: None,
                        stopped: None,
                    },
                ))
            }
            Problem::Sparse(p) => {
                let fit = sparse::fit(p, settings.alpha, stop, settings.max_iterations, init)?;
                let converged = fit.converged && fit.gradient_norm < tolerance;
                let stopped = if converged {
                    None
                } else if fit.iterations >= settings.max_iterations {
                    Some(Stopped::IterationCap)
                } else if fit.converged && stop > tolerance && fit.gradient_norm < stop {
                    Some(Stopped::AsConvergedAs {
                        gradient: stop / per_row,
                    })
                } else {
                    Some(Stopped::Stalled)
                };
                Ok((
                    fit.classifier,
                    FitReport {
                        solver: Solver::Sparse,
                        iterations: Some(fit.iterations),
                        converged: Some(converged),
                        gradient: Some(fit.gradient_norm / per_row),
                        stopped,
                    },
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_picks_linfa_up_to_a_million_cells_as_its_help_says() {
        // `--solver auto`'s help gives the threshold in words ("a million
        // cells, e.g. 400 drafts with 2,500 terms"): the two must agree.
        assert_eq!(SolverChoice::Auto.resolve(400, 2_500), Solver::Linfa);
        assert_eq!(SolverChoice::Auto.resolve(401, 2_500), Solver::Sparse);
        assert_eq!(SolverChoice::Auto.resolve(1, 1_000_001), Solver::Sparse);
        assert_eq!(SolverChoice::Linfa.resolve(10_000, 10_000), Solver::Linfa);
        assert_eq!(SolverChoice::Sparse.resolve(2, 2), Solver::Sparse);
    }

    /// A fit stopped by the iteration cap reports its gradient; a warm start
    /// from it with `stop_at` that gradient stops as soon as it is as
    /// converged, and is still not called converged; a `stop_at` below the
    /// tolerance changes nothing.
    #[test]
    fn stop_at_ends_a_fit_once_it_is_as_converged_as_another() {
        // Overlapping noisy features, so that a few iterations do not converge.
        let (rows, targets): (Vec<SparseRow>, Vec<usize>) = (0..300usize)
            .map(|i| {
                let y = i % 3;
                let mut row: SparseRow =
                    vec![(y * 7 + i % 5, 0.7), (21 + i % 13, 0.5), (40 + i % 17, 0.5)];
                row.sort_by_key(|&(j, _)| j);
                (row, if i % 11 == 0 { (y + 1) % 3 } else { y })
            })
            .unzip();
        let problem = Problem::new(Solver::Sparse, &rows, 60, &targets, 3).unwrap();
        let settings = |max_iterations| ClassifierSettings {
            alpha: 0.01,
            max_iterations,
            gradient_tolerance: 1e-9,
            solver: SolverChoice::Sparse,
        };
        let (short, report) = problem.fit(&settings(4), None, None).unwrap();
        assert_eq!(report.converged, Some(false), "{report:?}");
        assert_eq!(report.stopped, Some(Stopped::IterationCap));
        assert!(
            report.to_text().contains("see --max-iterations"),
            "{}",
            report.to_text()
        );
        let g = report.gradient.unwrap();
        assert!(g > 1e-9, "{g}");
        assert_eq!(report.stop_at(), Some(g));
        let (_, full) = problem.fit(&settings(500), Some(&short), None).unwrap();
        let (_, until) = problem.fit(&settings(500), Some(&short), Some(g)).unwrap();
        assert!(until.gradient.unwrap() < g, "{until:?}");
        assert_eq!(
            until.converged,
            Some(false),
            "above the tolerance: {until:?}"
        );
        assert_eq!(until.stopped, Some(Stopped::AsConvergedAs { gradient: g }));
        assert!(
            until.to_text().contains("as converged as the held-out fit"),
            "{}",
            until.to_text()
        );
        assert!(
            until.iterations.unwrap() < full.iterations.unwrap(),
            "{until:?} against {full:?}"
        );
        assert_eq!(full.converged, Some(true), "{full:?}");
        assert_eq!(full.stopped, None);
        assert_eq!(
            full.stop_at(),
            None,
            "a converged fit asks nothing of the next"
        );
        let linfa = FitReport {
            solver: Solver::Linfa,
            iterations: None,
            converged: None,
            gradient: None,
            stopped: None,
        };
        assert_eq!(linfa.stop_at(), None);
        assert_eq!(
            full.to_text(),
            format!("sparse solver, {}", iterations(full.iterations.unwrap()))
        );
        let below = problem
            .fit(&settings(500), Some(&short), Some(1e-12))
            .unwrap();
        assert_eq!(below.1, full);
    }
}
