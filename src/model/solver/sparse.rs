//! The sparse solver: the objective `linfa-logistic` minimises, on the sparse
//! feature rows.
//!
//! Two labels: the sum over rows of the log loss of label 1's logit
//! `z = b + x·w`, plus `alpha / 2 · |w|²` (the intercept is not penalised).
//! Three or more: the sum of the softmax cross-entropy over one logit per label,
//! plus `alpha / 2 · |W|²`. The minimiser is argmin's L-BFGS (memory 10) with the
//! More–Thuente line search, the solver and line search `linfa-logistic` runs.
//!
//! The matrix is kept twice with `sprs`: row-major (CSR) for the logits `X·W`,
//! column-major (CSC) for the gradient `Xᵀ·R`. One evaluation computes the loss
//! and the gradient in one pass over the rows, and caches both, so the line
//! search's request for the gradient at the point whose cost it just asked for
//! costs nothing. Rows and columns are split into blocks of a fixed size, worked
//! on in parallel by rayon and reduced in block order: every sum is taken in the
//! same order whatever the number of threads, so the weights are too.

use std::sync::Mutex;

use argmin::core::{CostFunction, Executor, Gradient, State, TerminationReason, TerminationStatus};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::quasinewton::LBFGS;
use ndarray::{Array1, Array2};

use crate::model::solver::vector::Weights;
use rayon::prelude::*;
use sprs::CsMatI;

use crate::error::{Error, Result};
use crate::model::classifier::Classifier;
use crate::model::solver::csr::CsrBuilder;
use crate::text::SparseRow;

/// Rows per block of the loss pass, and columns per block of the gradient pass.
/// Fixed (never derived from the thread count), so that the order of every sum
/// is fixed too.
const ROW_BLOCK: usize = 2048;
const COLUMN_BLOCK: usize = 1024;

/// The sparse feature matrix and the targets of a fit.
pub struct SparseProblem {
    /// rows × features, row-major.
    csr: CsMatI<f32, u32, usize>,
    /// The same matrix, column-major.
    csc: CsMatI<f32, u32, usize>,
    targets: Vec<u32>,
    n_labels: usize,
}

impl SparseProblem {
    /// The problem of sparse rows (each sorted by feature index).
    pub fn new(rows: &[SparseRow], n_features: usize, targets: &[usize], n_labels: usize) -> Self {
        let mut builder = CsrBuilder::new(n_features);
        builder.extend(rows);
        builder.finish(targets, n_labels)
    }

    /// The problem of a CSR matrix (its column-major copy is made here).
    pub fn from_csr(csr: CsMatI<f32, u32, usize>, targets: &[usize], n_labels: usize) -> Self {
        let csc = csr.to_csc();
        SparseProblem {
            csr,
            csc,
            targets: targets.iter().map(|&t| t as u32).collect(),
            n_labels,
        }
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

    /// Bytes the two copies of the matrix take: (4-byte value + 4-byte column) per
    /// non-zero, twice, plus the row and column pointers.
    pub fn bytes(&self) -> u64 {
        let nnz = self.csr.nnz() as u64;
        nnz * 16 + (self.n_rows() + self.n_features() + 2) as u64 * 8
    }

    /// Outputs per row: one logit for two labels, one per label for more.
    fn outputs(&self) -> usize {
        if self.n_labels == 2 { 1 } else { self.n_labels }
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
    let start = Weights(start);
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
    let converged = matches!(
        state.get_termination_status(),
        TerminationStatus::Terminated(TerminationReason::SolverConverged)
    );
    let best = state
        .best_param
        .as_ref()
        .or(state.param.as_ref())
        .ok_or_else(|| Error::new("the sparse solver returned no weights"))?;
    let best = best.as_slice();
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
            && point == w
        {
            return (*loss, gradient.clone());
        }
        let (loss, gradient) = loss_and_gradient(self.problem, self.alpha, w.as_slice());
        let gradient = Weights(gradient);
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

/// `ln(1 + e^z)` without overflow.
fn softplus(z: f64) -> f64 {
    z.max(0.0) + (-z.abs()).exp().ln_1p()
}

/// The loss and its gradient at `w` (layout: feature-major, `w[j * k + out]`,
/// the intercepts last), in one pass over the rows and one over the columns.
pub fn loss_and_gradient(problem: &SparseProblem, alpha: f64, w: &[f64]) -> (f64, Vec<f64>) {
    // The number of outputs as a constant where it is small, so that a row's
    // logits and residuals live in registers.
    match problem.outputs() {
        1 => passes::<1>(problem, alpha, w),
        3 => passes::<3>(problem, alpha, w),
        4 => passes::<4>(problem, alpha, w),
        5 => passes::<5>(problem, alpha, w),
        6 => passes::<6>(problem, alpha, w),
        _ => passes::<0>(problem, alpha, w),
    }
}

/// [`loss_and_gradient`] for `K` outputs per row (`K` = 0: any number).
fn passes<const K: usize>(problem: &SparseProblem, alpha: f64, w: &[f64]) -> (f64, Vec<f64>) {
    let (n, d) = (problem.n_rows(), problem.n_features());
    let k = if K == 0 { problem.outputs() } else { K };
    let indptr = problem.csr.indptr();
    let indptr = indptr.raw_storage();
    let (indices, data) = (problem.csr.indices(), problem.csr.data());
    let targets = &problem.targets;
    let bias = &w[d * k..];

    // Residuals: d(loss)/d(logit) per row and output.
    let mut residuals = vec![0.0f64; n * k];
    let block_losses: Vec<f64> = residuals
        .par_chunks_mut(ROW_BLOCK * k)
        .enumerate()
        .map(|(block, out)| {
            let first = block * ROW_BLOCK;
            let mut loss = 0.0;
            let mut logits = vec![0.0f64; k];
            for (r, res) in out.chunks_exact_mut(k).enumerate() {
                let i = first + r;
                let (start, end) = (indptr[i], indptr[i + 1]);
                let row = indices[start..end].iter().zip(&data[start..end]);
                let y = targets[i] as usize;
                if K == 1 {
                    let mut z = bias[0];
                    for (&j, &x) in row {
                        z += f64::from(x) * w[j as usize];
                    }
                    let positive = if y == 1 { 1.0 } else { 0.0 };
                    loss += softplus(z) - positive * z;
                    res[0] = crate::model::classifier::sigmoid(z) - positive;
                    continue;
                }
                if K > 1 {
                    let mut z = [0.0f64; K];
                    z.copy_from_slice(bias);
                    for (&j, &x) in row {
                        let (j, x) = (j as usize * K, f64::from(x));
                        let wj: &[f64; K] = w[j..j + K].try_into().expect("K weights");
                        for c in 0..K {
                            z[c] += x * wj[c];
                        }
                    }
                    loss += softmax_residuals(&mut z, y);
                    res.copy_from_slice(&z);
                    continue;
                }
                logits.copy_from_slice(bias);
                for (&j, &x) in row {
                    let (j, x) = (j as usize * k, f64::from(x));
                    for (z, &wv) in logits.iter_mut().zip(&w[j..j + k]) {
                        *z += x * wv;
                    }
                }
                loss += softmax_residuals(&mut logits, y);
                res.copy_from_slice(&logits);
            }
            loss
        })
        .collect();
    let mut loss: f64 = block_losses.iter().sum();
    loss += 0.5 * alpha * w[..d * k].iter().map(|v| v * v).sum::<f64>();

    // Gradient of the weights: Xᵀ·R + alpha·W, column by column.
    let mut gradient = vec![0.0f64; (d + 1) * k];
    let col_ptr = problem.csc.indptr();
    let col_ptr = col_ptr.raw_storage();
    let (rows_of, values) = (problem.csc.indices(), problem.csc.data());
    gradient[..d * k]
        .par_chunks_mut(COLUMN_BLOCK * k)
        .enumerate()
        .for_each(|(block, out)| {
            let first = block * COLUMN_BLOCK;
            for (c, g) in out.chunks_exact_mut(k).enumerate() {
                let j = first + c;
                let (start, end) = (col_ptr[j], col_ptr[j + 1]);
                let column = rows_of[start..end].iter().zip(&values[start..end]);
                if K > 0 {
                    let mut sum = [0.0f64; K];
                    for (&i, &x) in column {
                        let (i, x) = (i as usize * K, f64::from(x));
                        let ri: &[f64; K] = residuals[i..i + K].try_into().expect("K residuals");
                        for c in 0..K {
                            sum[c] += x * ri[c];
                        }
                    }
                    for c in 0..K {
                        g[c] = sum[c] + alpha * w[j * K + c];
                    }
                } else {
                    for (&i, &x) in column {
                        let (i, x) = (i as usize * k, f64::from(x));
                        for (gv, &rv) in g.iter_mut().zip(&residuals[i..i + k]) {
                            *gv += x * rv;
                        }
                    }
                    for (gv, &wv) in g.iter_mut().zip(&w[j * k..j * k + k]) {
                        *gv += alpha * wv;
                    }
                }
            }
        });
    // Gradient of the intercepts: the residuals summed, row by row in order.
    let (_, intercepts) = gradient.split_at_mut(d * k);
    for res in residuals.chunks(k) {
        for (g, r) in intercepts.iter_mut().zip(res) {
            *g += r;
        }
    }
    (loss, gradient)
}

/// Turns a row's logits into its residuals (softmax minus the one-hot target)
/// and returns its loss (log-sum-exp minus the target's logit).
fn softmax_residuals(z: &mut [f64], y: usize) -> f64 {
    let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let z_y = z[y];
    let mut sum = 0.0;
    for v in z.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    for v in z.iter_mut() {
        *v /= sum;
    }
    z[y] -= 1.0;
    max + sum.ln() - z_y
}

#[cfg(test)]
mod tests {
    use super::*;

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
        for n_labels in [2, 3] {
            let (rows, targets) = toy(n_labels);
            let problem = SparseProblem::new(&rows, 12, &targets, n_labels);
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
        let problem = SparseProblem::new(&rows, 3000, &targets, 3);
        let on = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| fit(&problem, 1.0, 1e-6, 50, None).unwrap())
        };
        let one = on(1);
        assert_eq!(one, on(2));
        assert_eq!(one, on(3));
    }
}
