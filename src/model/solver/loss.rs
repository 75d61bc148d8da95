//! The objective's loss and gradient on the sparse matrix, two ways.
//!
//! - **Two passes** (problems with few rows per feature): one over the rows
//!   (CSR) for each row's logits, loss and residuals, in blocks of
//!   [`ROW_BLOCK`] rows; one over the columns (CSC) for the gradient `Xᵀ·R`,
//!   in blocks of [`COLUMN_BLOCK`] columns.
//! - **One pass** (many rows per feature): each row's residuals are scattered
//!   into its group's gradient as soon as they are known, in [`ROW_GROUPS`]
//!   groups of rows, whose gradients are then added in group order. It reads
//!   the matrix once and keeps no column-major copy, at the cost of one
//!   gradient per group.
//!
//! Blocks and groups are fixed in number or size (never derived from the
//! thread count), worked on in parallel by rayon, and reduced in order: every
//! sum is taken in the same order whatever the number of threads.

use rayon::prelude::*;
use sprs::CsMatI;

use crate::model::solver::sparse::SparseProblem;
use crate::model::solver::vector::{recycle, zeros};

/// Rows per block of the loss pass, and columns per block of the gradient pass.
/// Fixed (never derived from the thread count), so that the order of every sum
/// is fixed too.
const ROW_BLOCK: usize = 2048;
const COLUMN_BLOCK: usize = 1024;

/// `ln(1 + e^z)` without overflow.
#[cfg(test)]
fn softplus(z: f64) -> f64 {
    z.max(0.0) + (-z.abs()).exp().ln_1p()
}

/// [`sigmoid`](crate::model::classifier::sigmoid)`(z)` and `softplus(z)`
/// (`ln(1 + e^z)`, without overflow), to the bit, from one exponential: both
/// take `e^-|z|`. (A NaN comes out a NaN, its sign unspecified.)
#[inline(always)]
fn sigmoid_and_softplus(z: f64) -> (f64, f64) {
    let e = (-z.abs()).exp();
    let sigmoid = if z >= 0.0 {
        1.0 / (1.0 + e)
    } else {
        e / (1.0 + e)
    };
    (sigmoid, z.max(0.0) + e.ln_1p())
}

/// The loss and its gradient at `w` (layout: feature-major, `w[j * k + out]`,
/// the intercepts last): in two passes when the problem keeps its columns,
/// else in one.
pub fn loss_and_gradient(problem: &SparseProblem, alpha: f64, w: &[f64]) -> (f64, Vec<f64>) {
    // The number of outputs as a constant where it is small, so that a row's
    // logits and residuals live in registers.
    match (&problem.csc, problem.outputs()) {
        (Some(csc), 1) => two_passes::<1>(problem, csc, alpha, w),
        (Some(csc), 3) => two_passes::<3>(problem, csc, alpha, w),
        (Some(csc), 4) => two_passes::<4>(problem, csc, alpha, w),
        (Some(csc), 5) => two_passes::<5>(problem, csc, alpha, w),
        (Some(csc), 6) => two_passes::<6>(problem, csc, alpha, w),
        (Some(csc), _) => two_passes::<0>(problem, csc, alpha, w),
        (None, 1) => one_pass::<1>(problem, alpha, w),
        (None, 3) => one_pass::<3>(problem, alpha, w),
        (None, 4) => one_pass::<4>(problem, alpha, w),
        (None, 5) => one_pass::<5>(problem, alpha, w),
        (None, 6) => one_pass::<6>(problem, alpha, w),
        (None, _) => one_pass::<0>(problem, alpha, w),
    }
}

/// The rows of a problem's matrix, as both ways read them.
struct Rows<'a> {
    indptr: &'a [usize],
    indices: &'a [u32],
    data: &'a [f32],
    targets: &'a [u32],
}

impl<'a> Rows<'a> {
    fn of(problem: &'a SparseProblem) -> Self {
        Rows {
            indptr: problem.csr.indptr().into_raw_storage(),
            indices: problem.csr.indices(),
            data: problem.csr.data(),
            targets: &problem.targets,
        }
    }

    /// Row `i`'s features and values, and its target.
    #[inline]
    fn row(&self, i: usize) -> (&'a [u32], &'a [f32], usize) {
        let (start, end) = (self.indptr[i], self.indptr[i + 1]);
        (
            &self.indices[start..end],
            &self.data[start..end],
            self.targets[i] as usize,
        )
    }

    /// Row `i`'s loss at `w` (whose intercepts are `bias`), leaving its
    /// residuals, d(loss)/d(logit), in `res` (one per output), for `K`
    /// outputs (`K` = 0: any number, `res.len()`).
    #[inline(always)]
    fn loss_and_residuals<const K: usize>(
        &self,
        i: usize,
        w: &[f64],
        bias: &[f64],
        res: &mut [f64],
    ) -> f64 {
        let (cols, vals, y) = self.row(i);
        let row = cols.iter().zip(vals);
        if K == 1 {
            let mut z = bias[0];
            for (&j, &x) in row {
                z += f64::from(x) * w[j as usize];
            }
            let positive = if y == 1 { 1.0 } else { 0.0 };
            let (probability, softplus) = sigmoid_and_softplus(z);
            res[0] = probability - positive;
            return softplus - positive * z;
        }
        if K > 1 {
            // A constant number of logits, so that they live in registers.
            let mut z = [0.0f64; K];
            z.copy_from_slice(bias);
            for (&j, &x) in row {
                let (j, x) = (j as usize * K, f64::from(x));
                let wj: &[f64; K] = w[j..j + K].try_into().expect("K weights");
                for c in 0..K {
                    z[c] += x * wj[c];
                }
            }
            let loss = softmax_residuals(&mut z, y);
            res.copy_from_slice(&z);
            return loss;
        }
        let k = res.len();
        res.copy_from_slice(bias);
        for (&j, &x) in row {
            let (j, x) = (j as usize * k, f64::from(x));
            for (z, &wv) in res.iter_mut().zip(&w[j..j + k]) {
                *z += x * wv;
            }
        }
        softmax_residuals(res, y)
    }
}

/// Row groups of the one pass: a fixed number, so that the order of every
/// sum is fixed whatever the number of threads.
pub const ROW_GROUPS: usize = 8;

/// One pass over the rows: each row's logits, loss and residuals, scattered
/// straight into its group's gradient; the groups' gradients are then added
/// in group order.
fn one_pass<const K: usize>(problem: &SparseProblem, alpha: f64, w: &[f64]) -> (f64, Vec<f64>) {
    let (n, d) = (problem.n_rows(), problem.n_features());
    let k = if K == 0 { problem.outputs() } else { K };
    let rows = Rows::of(problem);
    let bias = &w[d * k..];
    let per_group = n.div_ceil(ROW_GROUPS).max(1);
    let parts: Vec<(f64, Vec<f64>)> = (0..ROW_GROUPS)
        .into_par_iter()
        .map(|g| {
            let mut grad = zeros((d + 1) * k);
            let mut loss = 0.0;
            let mut r = vec![0.0f64; k];
            for i in (g * per_group).min(n)..((g + 1) * per_group).min(n) {
                loss += rows.loss_and_residuals::<K>(i, w, bias, &mut r);
                let (cols, vals, _) = rows.row(i);
                if K > 0 {
                    let rk: &[f64; K] = r[..].try_into().expect("K residuals");
                    for (&j, &x) in cols.iter().zip(vals) {
                        let (j, x) = (j as usize * K, f64::from(x));
                        let gj: &mut [f64; K] = (&mut grad[j..j + K]).try_into().expect("K");
                        for c in 0..K {
                            gj[c] += x * rk[c];
                        }
                    }
                    for c in 0..K {
                        grad[d * K + c] += rk[c];
                    }
                    continue;
                }
                for (&j, &x) in cols.iter().zip(vals) {
                    let (j, x) = (j as usize * k, f64::from(x));
                    for (gv, &rv) in grad[j..j + k].iter_mut().zip(&r) {
                        *gv += x * rv;
                    }
                }
                for (gv, &rv) in grad[d * k..].iter_mut().zip(&r) {
                    *gv += rv;
                }
            }
            (loss, grad)
        })
        .collect();
    let mut loss: f64 = parts.iter().map(|(l, _)| l).sum();
    loss += 0.5 * alpha * w[..d * k].iter().map(|v| v * v).sum::<f64>();
    let mut gradient = zeros((d + 1) * k);
    gradient
        .par_chunks_mut(COLUMN_BLOCK * k)
        .enumerate()
        .for_each(|(b, out)| {
            let first = b * COLUMN_BLOCK * k;
            for (_, part) in &parts {
                for (o, &p) in out.iter_mut().zip(&part[first..]) {
                    *o += p;
                }
            }
            for (o, idx) in out.iter_mut().zip(first..) {
                if idx < d * k {
                    *o += alpha * w[idx];
                }
            }
        });
    for (_, part) in parts {
        recycle(part);
    }
    (loss, gradient)
}

/// [`loss_and_gradient`] in two passes, for `K` outputs per row (`K` = 0: any
/// number).
fn two_passes<const K: usize>(
    problem: &SparseProblem,
    csc: &CsMatI<f32, u32, usize>,
    alpha: f64,
    w: &[f64],
) -> (f64, Vec<f64>) {
    let (n, d) = (problem.n_rows(), problem.n_features());
    let k = if K == 0 { problem.outputs() } else { K };
    let rows = Rows::of(problem);
    let bias = &w[d * k..];

    // Residuals: d(loss)/d(logit) per row and output.
    let mut residuals = zeros(n * k);
    let block_losses: Vec<f64> = residuals
        .par_chunks_mut(ROW_BLOCK * k)
        .enumerate()
        .map(|(block, out)| {
            let first = block * ROW_BLOCK;
            let mut loss = 0.0;
            for (r, res) in out.chunks_exact_mut(k).enumerate() {
                loss += rows.loss_and_residuals::<K>(first + r, w, bias, res);
            }
            loss
        })
        .collect();
    let mut loss: f64 = block_losses.iter().sum();
    loss += 0.5 * alpha * w[..d * k].iter().map(|v| v * v).sum::<f64>();

    // Gradient of the weights: Xᵀ·R + alpha·W, column by column.
    let mut gradient = zeros((d + 1) * k);
    let col_ptr = csc.indptr();
    let col_ptr = col_ptr.raw_storage();
    let (rows_of, values) = (csc.indices(), csc.data());
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
    recycle(residuals);
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
    use crate::model::classifier::sigmoid;

    #[test]
    fn one_exponential_gives_the_sigmoid_and_the_softplus_to_the_bit() {
        let mut zs = vec![
            0.0,
            -0.0,
            1e-300,
            -1e-300,
            700.0,
            -700.0,
            800.0,
            -800.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MIN_POSITIVE,
        ];
        // A spread of magnitudes on both sides of zero.
        for i in 0..4000 {
            let z = ((i as f64) * 0.7331).sin() * 10f64.powf((i % 9) as f64 - 4.0);
            zs.push(z);
        }
        for z in zs {
            let (p, s) = sigmoid_and_softplus(z);
            assert_eq!(p.to_bits(), sigmoid(z).to_bits(), "sigmoid({z})");
            assert_eq!(s.to_bits(), softplus(z).to_bits(), "softplus({z})");
        }
        let (p, s) = sigmoid_and_softplus(f64::NAN);
        assert!(p.is_nan() && s.is_nan());
    }
}
