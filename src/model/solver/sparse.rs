//! The sparse solver: the objective `linfa-logistic` minimises, on the sparse
//! feature rows.
//!
//! Two labels: the sum over rows of the log loss of label 1's logit
//! `z = b + x·w`, plus `alpha / 2 · |w|²` (the intercept is not penalised).
//! Three or more: the sum of the softmax cross-entropy over one logit per label,
//! plus `alpha / 2 · |W|²`. The minimiser is argmin's L-BFGS (memory 10) with the
//! More–Thuente line search, the solver and line search `linfa-logistic` runs.
//!
//! The matrix is kept with `sprs`, row-major (CSR), and for problems with
//! few rows per feature also column-major (CSC; see [`gradient_by_rows`]):
//! see [`loss`] for the two ways the loss and gradient are computed. One evaluation computes both and caches them, so the line
//! search's request for the gradient at the point whose cost it just asked for
//! costs nothing. Every sum is taken in a fixed order whatever the number of
//! threads, so the weights are too.
//!
//! [`loss`]: crate::model::solver::loss

use std::sync::Mutex;

use argmin::core::{CostFunction, Executor, Gradient, State, TerminationReason, TerminationStatus};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::quasinewton::LBFGS;
use argmin_math::ArgminL2Norm;
use ndarray::{Array1, Array2};

use sprs::CsMatI;

use crate::error::{Error, Result};
use crate::model::classifier::Classifier;
use crate::model::solver::csr::CsrBuilder;
use crate::model::solver::loss::loss_and_gradient;
use crate::model::solver::vector::{ReleaseSpares, Weights};
use crate::text::SparseRow;

/// Whether the gradient of a problem of `rows` × `features` with `outputs`
/// logits a row is gathered in the same pass over the rows as the loss (and
/// no column-major copy is kept, which saves a fifth of the peak memory), or
/// by a second pass over the columns. The pass over the rows pays for one
/// gradient per row group, zeroed and added up (`features × outputs` numbers
/// each); the pass over the columns, for gathering residuals from all over
/// memory once the rows are many. Measured on synthetic problems of 17 terms
/// a row (`cargo bench -- gradient`, and the same at other shapes; one
/// evaluation, by columns against by rows):
///
/// - two labels (one output): by rows is faster from about one row per
///   feature: 100,000 × 62,000 3.1 against 2.3 ms, 1,000,000 × 87,000 33
///   against 23 ms; below, by columns (6,816 × 45,326: 0.5 against 1.0 ms);
/// - three labels: by columns up to about 4.5 rows per feature (100,000 ×
///   100,000: 5.4 against 6.8 ms; 1,000,000 × 250,000: 87 against 95 ms), by
///   rows above (800,000 × 174,590: 62 against 53 ms; 1,000,000 × 174,590,
///   airline_tweets × 1,000,000's shape: 86 against 64 ms; 1,000,000 ×
///   100,000: 94 against 48 ms).
pub fn gradient_by_rows(rows: usize, features: usize, outputs: usize) -> bool {
    if outputs == 1 {
        rows >= features
    } else {
        2 * rows >= 9 * features
    }
}

/// The sparse feature matrix and the targets of a fit.
pub struct SparseProblem {
    /// rows × features, row-major.
    pub(super) csr: CsMatI<f32, u32, usize>,
    /// The same matrix, column-major, when the gradient is taken by columns.
    pub(super) csc: Option<CsMatI<f32, u32, usize>>,
    pub(super) targets: Vec<u32>,
    n_labels: usize,
}

impl SparseProblem {
    /// The problem of sparse rows (each sorted by feature index).
    pub fn new(rows: &[SparseRow], n_features: usize, targets: &[usize], n_labels: usize) -> Self {
        let mut builder = CsrBuilder::new(n_features);
        builder.extend(rows);
        builder.finish(targets, n_labels)
    }

    /// The problem of a CSR matrix (with its column-major copy, if the
    /// gradient is to be taken by columns: see [`gradient_by_rows`]).
    pub fn from_csr(csr: CsMatI<f32, u32, usize>, targets: &[usize], n_labels: usize) -> Self {
        let outputs = crate::model::classifier::outputs(n_labels);
        let by_rows = gradient_by_rows(csr.rows(), csr.cols().max(1), outputs);
        let csc = (!by_rows).then(|| csr.to_csc());
        SparseProblem {
            csr,
            csc,
            targets: targets.iter().map(|&t| t as u32).collect(),
            n_labels,
        }
    }

    /// This problem with the gradient taken by columns, whatever its shape
    /// (for tests and benchmarks that compare the two ways).
    pub fn by_columns(mut self) -> Self {
        self.csc = Some(self.csr.to_csc());
        self
    }

    /// This problem with the gradient taken in the pass over the rows.
    pub fn by_rows(mut self) -> Self {
        self.csc = None;
        self
    }

    pub fn n_rows(&self) -> usize {
        self.csr.rows()
    }

    pub fn n_features(&self) -> usize {
        self.csr.cols()
    }

    pub fn n_labels(&self) -> usize {
        self.n_labels
    }

    /// Bytes the matrix takes: a 4-byte value and a 4-byte index per non-zero,
    /// once or twice (with the column-major copy), plus the pointers.
    pub fn bytes(&self) -> u64 {
        let nnz = self.csr.nnz() as u64;
        let copies = if self.csc.is_some() { 2 } else { 1 };
        nnz * 8 * copies + (self.n_rows() + self.n_features() + 2) as u64 * 8
    }

    /// Outputs per row: one logit for two labels, one per label for more.
    pub(super) fn outputs(&self) -> usize {
        crate::model::classifier::outputs(self.n_labels)
    }
}

/// What a sparse fit did.
#[derive(Debug, Clone, PartialEq)]
pub struct SparseFit {
    pub classifier: Classifier,
    /// L-BFGS iterations.
    pub iterations: u64,
    /// Evaluations of the loss and gradient (each one pass over the rows).
    pub evaluations: u64,
    /// Whether the gradient tolerance was reached (else the iteration cap or
    /// the line search stopped it).
    pub converged: bool,
    /// The Euclidean norm of the summed loss's gradient where it stopped.
    pub gradient_norm: f64,
}

/// Minimises the objective from `init` (zeros if none) and returns the classifier.
/// `tolerance` bounds the Euclidean norm of the gradient of the summed loss.
pub fn fit(
    problem: &SparseProblem,
    alpha: f64,
    tolerance: f64,
    max_iterations: u64,
    init: Option<&Classifier>,
) -> Result<SparseFit> {
    // Dropped last, after the solver's state: frees the recycled buffers.
    let _spares = ReleaseSpares;
    let (d, k) = (problem.n_features(), problem.outputs());
    let mut start = vec![0.0f64; (d + 1) * k];
    if let Some(init) = init {
        for out in 0..k {
            for j in 0..d {
                start[j * k + out] = init.weights()[[out, j]];
            }
            start[d * k + out] = init.intercepts()[out];
        }
    }
    let start = Weights::new(start);
    let objective = Objective {
        problem,
        alpha,
        cache: Mutex::new(None),
        evaluations: Mutex::new(0),
    };
    let fail = |e: argmin::core::Error| {
        Error::new(format!("the sparse logistic regression solver failed: {e}"))
            .with_hint("check the data for unusual rows, or try a larger --alpha")
    };
    let solver = LBFGS::new(MoreThuenteLineSearch::new(), 10)
        .with_tolerance_grad(tolerance)
        .map_err(fail)?;
    let result = Executor::new(objective, solver)
        .configure(|state| state.param(start).max_iters(max_iterations))
        .run()
        .map_err(fail)?;
    let state = result.state();
    let iterations = state.get_iter();
    // The gradient of the last point: the returned one, since every accepted
    // step of the line search lowers the loss.
    let gradient_norm = state.get_gradient().map_or(f64::NAN, |g| g.l2_norm());
    let converged = matches!(
        state.get_termination_status(),
        TerminationStatus::Terminated(TerminationReason::SolverConverged)
    );
    let best = state
        .best_param
        .as_ref()
        .or(state.param.as_ref())
        .ok_or_else(|| Error::new("the sparse solver returned no weights"))?;
    let best = best.values();
    let mut weights = Array2::<f64>::zeros((k, d));
    let mut intercepts = Array1::<f64>::zeros(k);
    for out in 0..k {
        for j in 0..d {
            weights[[out, j]] = best[j * k + out];
        }
        intercepts[out] = best[d * k + out];
    }
    if weights
        .iter()
        .chain(intercepts.iter())
        .any(|w| !w.is_finite())
    {
        return Err(
            Error::new("the sparse solver diverged (weights are not finite)")
                .with_hint("try a larger --alpha"),
        );
    }
    let evaluations = *result
        .problem
        .problem
        .as_ref()
        .map(|o| o.evaluations.lock().expect("not poisoned"))
        .ok_or_else(|| Error::new("the sparse solver lost its problem"))?;
    Ok(SparseFit {
        classifier: Classifier::new(weights, intercepts, problem.n_labels),
        iterations,
        evaluations,
        converged,
        gradient_norm,
    })
}

/// A point with its loss and gradient.
type Evaluation = (Weights, f64, Weights);

/// The objective for argmin, with its last evaluation cached.
struct Objective<'a> {
    problem: &'a SparseProblem,
    alpha: f64,
    /// The last point evaluated, with its loss and gradient.
    cache: Mutex<Option<Evaluation>>,
    evaluations: Mutex<u64>,
}

impl Objective<'_> {
    /// Loss and gradient at `w`, from the cache when `w` was the last point.
    fn evaluate(&self, w: &Weights) -> (f64, Weights) {
        let mut cache = self.cache.lock().expect("not poisoned");
        if let Some((point, loss, gradient)) = cache.as_ref()
            && (point.is(w) || point == w)
        {
            return (*loss, gradient.clone());
        }
        let (loss, gradient) = loss_and_gradient(self.problem, self.alpha, &w.values());
        let gradient = Weights::new(gradient);
        *cache = Some((w.clone(), loss, gradient.clone()));
        *self.evaluations.lock().expect("not poisoned") += 1;
        (loss, gradient)
    }
}

impl CostFunction for Objective<'_> {
    type Param = Weights;
    type Output = f64;

    fn cost(&self, w: &Self::Param) -> std::result::Result<f64, argmin::core::Error> {
        Ok(self.evaluate(w).0)
    }
}

impl Gradient for Objective<'_> {
    type Param = Weights;
    type Gradient = Weights;

    fn gradient(&self, w: &Self::Param) -> std::result::Result<Weights, argmin::core::Error> {
        Ok(self.evaluate(w).1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::solver::loss::loss_and_gradient;

    /// A small three-label problem with a few features per row.
    fn toy(n_labels: usize) -> (Vec<SparseRow>, Vec<usize>) {
        // Feature y says the label; features 5..12 are noise shared by all.
        (0..60)
            .map(|i| (vec![(i % n_labels, 0.8), (5 + i % 7, 0.6)], i % n_labels))
            .unzip()
    }

    /// The analytic gradient matches central differences of the loss.
    #[test]
    fn the_gradient_is_the_derivative_of_the_loss() {
        for (n_labels, by_columns) in [
            (2, false),
            (3, false),
            (2, true),
            (3, true),
            (5, false),
            (5, true),
            (7, false),
            (7, true),
        ] {
            let (rows, targets) = toy(n_labels);
            let problem = SparseProblem::new(&rows, 12, &targets, n_labels);
            let problem = if by_columns {
                problem.by_columns()
            } else {
                problem.by_rows()
            };
            let k = problem.outputs();
            let w: Vec<f64> = (0..13 * k)
                .map(|i| ((i * 37 % 11) as f64 - 5.0) / 7.0)
                .collect();
            let (_, gradient) = loss_and_gradient(&problem, 0.3, &w);
            for i in 0..w.len() {
                let h = 1e-6;
                let (mut up, mut down) = (w.clone(), w.clone());
                up[i] += h;
                down[i] -= h;
                let numeric = (loss_and_gradient(&problem, 0.3, &up).0
                    - loss_and_gradient(&problem, 0.3, &down).0)
                    / (2.0 * h);
                assert!(
                    (numeric - gradient[i]).abs() < 1e-5 * (1.0 + numeric.abs()),
                    "{n_labels} labels, parameter {i}: {numeric} against {}",
                    gradient[i]
                );
            }
        }
    }

    #[test]
    fn the_fit_separates_the_labels_and_converges() {
        for n_labels in [2, 3] {
            let (rows, targets) = toy(n_labels);
            let problem = SparseProblem::new(&rows, 12, &targets, n_labels);
            let fit = fit(&problem, 0.1, 1e-8, 500, None).unwrap();
            assert!(fit.converged, "{fit:?}");
            assert!(fit.evaluations >= fit.iterations);
            for (row, &y) in rows.iter().zip(&targets) {
                assert_eq!(fit.classifier.predict(row), y);
            }
        }
    }

    /// `f` on a pool of `threads` threads.
    fn on_threads<R: Send>(threads: usize, f: impl FnOnce() -> R + Send) -> R {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(f)
    }

    /// With more parameters than buffers are recycled from (see
    /// `vector::buffer`), the weights are still the same to the bit on any
    /// number of threads and with several fits at once sharing the spare
    /// buffers, both ways of taking the gradient.
    #[test]
    fn recycled_buffers_change_no_weight() {
        let features = 70_000;
        let mut rows = Vec::new();
        let mut targets = Vec::new();
        for i in 0..3000usize {
            let y = i % 2;
            let mut row: SparseRow = (0..8)
                .map(|t| ((i * 7919 + t * 104_729 + y * 31) % features, 0.35))
                .collect();
            row.sort_by_key(|&(j, _)| j);
            row.dedup_by_key(|&mut (j, _)| j);
            rows.push(row);
            targets.push(y);
        }
        let by_columns = SparseProblem::new(&rows, features, &targets, 2).by_columns();
        let by_rows = SparseProblem::new(&rows, features, &targets, 2).by_rows();
        for problem in [&by_columns, &by_rows] {
            let on = |threads| on_threads(threads, || fit(problem, 0.1, 1e-6, 30, None).unwrap());
            let one = on(1);
            assert!(one.iterations > 1);
            assert_eq!(one, on(3));
            let (a, b) = rayon::join(
                || fit(problem, 0.1, 1e-6, 30, None).unwrap(),
                || fit(problem, 0.1, 1e-6, 30, None).unwrap(),
            );
            assert_eq!(one, a);
            assert_eq!(one, b);
        }
    }

    /// The same weights on one thread as on several, to the last bit.
    #[test]
    fn the_weights_do_not_depend_on_the_thread_count() {
        let mut rows = Vec::new();
        let mut targets = Vec::new();
        // Enough rows and columns for several blocks of each.
        for i in 0..5000usize {
            let y = i % 3;
            let mut row: SparseRow = (0..6)
                .map(|t| ((i * 31 + t * 977 + y * 13) % 3000, 0.4))
                .collect();
            row.sort_by_key(|&(j, _)| j);
            row.dedup_by_key(|&mut (j, _)| j);
            rows.push(row);
            targets.push(y);
        }
        let by_columns = SparseProblem::new(&rows, 3000, &targets, 3);
        assert!(
            by_columns.csc.is_some(),
            "5,000 rows of 3,000 features: by columns"
        );
        let by_rows = SparseProblem::new(&rows, 3000, &targets, 3).by_rows();
        for problem in [&by_columns, &by_rows] {
            let on = |threads| on_threads(threads, || fit(problem, 1.0, 1e-6, 50, None).unwrap());
            let one = on(1);
            assert_eq!(one, on(2));
            assert_eq!(one, on(3));
        }
        // The two ways reach the same model (sums in another order: the
        // weights agree closely, not to the bit).
        let (a, b) = (
            fit(&by_columns, 1.0, 1e-8, 500, None).unwrap(),
            fit(&by_rows, 1.0, 1e-8, 500, None).unwrap(),
        );
        let diff = crate::model::warm::max_difference(&a.classifier, &b.classifier);
        assert!(diff < 1e-4, "{diff}");
    }

    /// Whole fits give the same result to the bit with the vectors' shared
    /// numbers, lazy scales and remembered dot products as with every
    /// product worked out at once (`vector::EAGER`): two and three labels,
    /// both ways of taking the gradient, long enough vectors for products
    /// to be remembered and for buffers to be recycled.
    #[test]
    fn shared_vectors_fit_what_eager_arithmetic_fits() {
        use crate::model::solver::vector::{EAGER, EAGER_LOCK};
        use std::sync::atomic::Ordering;
        let _eager = EAGER_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        for (n_labels, features) in [(2, 3000), (3, 3000), (2, 70_000)] {
            let mut rows = Vec::new();
            let mut targets = Vec::new();
            for i in 0..2000usize {
                let y = i % n_labels;
                let mut row: SparseRow = (0..7)
                    .map(|t| {
                        (
                            (i * 7919 + t * 977 + y * 31) % features,
                            0.3 + 0.1 * t as f64,
                        )
                    })
                    .collect();
                row.sort_by_key(|&(j, _)| j);
                row.dedup_by_key(|&mut (j, _)| j);
                rows.push(row);
                targets.push(y);
            }
            let by_columns = SparseProblem::new(&rows, features, &targets, n_labels).by_columns();
            let by_rows = SparseProblem::new(&rows, features, &targets, n_labels).by_rows();
            for problem in [&by_columns, &by_rows] {
                let shared = fit(problem, 0.3, 1e-9, 40, None).unwrap();
                EAGER.store(true, Ordering::SeqCst);
                let eager = fit(problem, 0.3, 1e-9, 40, None);
                EAGER.store(false, Ordering::SeqCst);
                let eager = eager.unwrap();
                assert!(shared.iterations > 5, "{shared:?}");
                assert_eq!(shared, eager, "{n_labels} labels, {features} features");
            }
        }
    }
}
