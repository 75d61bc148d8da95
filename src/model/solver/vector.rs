//! The sparse solver's parameter vector: the arithmetic argmin's L-BFGS and
//! More–Thuente line search do on it, spread over the cores.
//!
//! Each L-BFGS step does some forty operations on vectors as long as the
//! weights (two dot products and two scaled additions per stored pair, ten
//! pairs), on one core with `ndarray`'s implementations: a third of the time
//! of a large fit (airline_tweets × 100,000, 328,000 weights). Here every
//! operation works on fixed blocks of [`BLOCK`] numbers, in parallel with
//! rayon. A sum (a dot product, a norm) adds each block's partial sum in
//! block order, and each block's own sum in a fixed order, so the result is
//! the same bits whatever the number of threads.
//!
//! Large vectors' buffers are recycled ([`buffer`], [`recycle`]): a step makes
//! and drops some forty vectors, and an evaluation of the loss one gradient
//! per row group, each megabytes long on large data. From the allocator,
//! each would often be memory fresh from the system, which the kernel
//! zeroes at the first write; a recycled buffer has its pages already
//! (airline_tweets × 100,000 trained in 4.3 s instead of 5.2 to 5.4 s, with
//! the same weights to the bit). The list of spares is one for the whole
//! process, shared by every fit running at once: at most [`SPARES`] buffers
//! wait in it, and they are freed whenever a fit ends ([`ReleaseSpares`]), so
//! fits side by side (cross-validation's folds) recycle less than a fit alone.

use std::sync::Mutex;

use argmin_math::{
    ArgminAdd, ArgminDot, ArgminL1Norm, ArgminL2Norm, ArgminMinMax, ArgminMul, ArgminScaledAdd,
    ArgminSignum, ArgminSub, ArgminZeroLike,
};
use rayon::prelude::*;

/// Numbers per block. Fixed, so that the order of every sum is fixed.
pub const BLOCK: usize = 16 * 1024;

/// Below this length, the blocks are worked through on the calling thread
/// (in the same order, so with the same result): a few blocks are not worth
/// handing to other threads, and small fits (the theme models, a coach's
/// few hundred drafts) run many at once.
const PARALLEL_FROM: usize = 4 * BLOCK;

/// Buffers at least this long are recycled; shorter ones come from the
/// allocator and go back to it (small fits run many at once, and small
/// allocations are cheap).
const RECYCLE_FROM: usize = PARALLEL_FROM;

/// Most buffers kept for reuse: more than a step's temporaries and an
/// evaluation's row groups need at once.
const SPARES: usize = 24;

/// Buffers of dropped large vectors, waiting to be reused.
static SPARE_BUFFERS: Mutex<Vec<Vec<f64>>> = Mutex::new(Vec::new());

fn spare_buffers() -> std::sync::MutexGuard<'static, Vec<Vec<f64>>> {
    // A panic while it was held leaves a list of whole buffers: still usable.
    SPARE_BUFFERS.lock().unwrap_or_else(|e| e.into_inner())
}

/// A buffer of `len` numbers whose values are unspecified (every caller
/// writes each one): a recycled one of that length if there is one.
pub(super) fn buffer(len: usize) -> Vec<f64> {
    if len >= RECYCLE_FROM {
        let mut spares = spare_buffers();
        if let Some(at) = spares.iter().position(|b| b.len() == len) {
            return spares.swap_remove(at);
        }
    }
    vec![0.0; len]
}

/// A buffer of `len` zeros (a long one cleared on every core).
pub(super) fn zeros(len: usize) -> Vec<f64> {
    let mut b = buffer(len);
    if len < PARALLEL_FROM {
        b.fill(0.0);
    } else {
        b.par_chunks_mut(BLOCK).for_each(|c| c.fill(0.0));
    }
    b
}

/// Gives a buffer back for reuse (or to the allocator, if short or if
/// [`SPARES`] are waiting already).
pub(super) fn recycle(b: Vec<f64>) {
    if b.len() >= RECYCLE_FROM {
        let mut spares = spare_buffers();
        if spares.len() < SPARES {
            spares.push(b);
        }
    }
}

/// Frees the buffers waiting for reuse (every fit's: the list is shared)
/// when dropped: a fit holds one, declared before its vectors, so that it is
/// dropped after them and the buffers they give back are freed too.
pub(super) struct ReleaseSpares;

impl Drop for ReleaseSpares {
    fn drop(&mut self) {
        let freed = std::mem::take(&mut *spare_buffers());
        drop(freed);
    }
}

/// A parameter vector (weights, then intercepts; see `sparse`).
#[derive(Debug, PartialEq, Default)]
pub struct Weights(pub Vec<f64>);

impl Clone for Weights {
    fn clone(&self) -> Self {
        self.map(|a| a)
    }
}

impl Drop for Weights {
    fn drop(&mut self) {
        recycle(std::mem::take(&mut self.0));
    }
}

impl Weights {
    pub fn as_slice(&self) -> &[f64] {
        &self.0
    }

    /// `f(a[i])` for every element, in parallel blocks (each element's value
    /// does not depend on how the work is split).
    fn map(&self, f: impl Fn(f64) -> f64 + Sync + Send) -> Weights {
        if self.0.len() < PARALLEL_FROM {
            return Weights(self.0.iter().map(|&a| f(a)).collect());
        }
        let mut out = buffer(self.0.len());
        out.par_chunks_mut(BLOCK)
            .zip(self.0.par_chunks(BLOCK))
            .for_each(|(out, a)| {
                for (o, &a) in out.iter_mut().zip(a) {
                    *o = f(a);
                }
            });
        Weights(out)
    }

    /// `f(a[i], b[i])` for every element, in parallel blocks.
    fn zip_map(&self, other: &Weights, f: impl Fn(f64, f64) -> f64 + Sync + Send) -> Weights {
        assert_eq!(self.0.len(), other.0.len(), "vectors of one length");
        if self.0.len() < PARALLEL_FROM {
            return Weights(
                self.0
                    .iter()
                    .zip(&other.0)
                    .map(|(&a, &b)| f(a, b))
                    .collect(),
            );
        }
        let mut out = buffer(self.0.len());
        out.par_chunks_mut(BLOCK)
            .zip(self.0.par_chunks(BLOCK).zip(other.0.par_chunks(BLOCK)))
            .for_each(|(out, (a, b))| {
                for (o, (&a, &b)) in out.iter_mut().zip(a.iter().zip(b)) {
                    *o = f(a, b);
                }
            });
        Weights(out)
    }

    /// The sum of `f(a[i], b[i])`: each block's sum (four running sums, in
    /// element order), then the blocks' sums in block order.
    fn zip_sum(&self, other: &[f64], f: impl Fn(f64, f64) -> f64 + Sync) -> f64 {
        assert_eq!(self.0.len(), other.len(), "vectors of one length");
        let block_sum = |(a, b): (&[f64], &[f64])| {
            let mut acc = [0.0f64; 4];
            let (a4, b4) = (a.chunks_exact(4), b.chunks_exact(4));
            let (ra, rb) = (a4.remainder(), b4.remainder());
            for (a, b) in a4.zip(b4) {
                for k in 0..4 {
                    acc[k] += f(a[k], b[k]);
                }
            }
            let tail: f64 = ra.iter().zip(rb).map(|(&a, &b)| f(a, b)).sum();
            (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
        };
        if self.0.len() < PARALLEL_FROM {
            return self
                .0
                .chunks(BLOCK)
                .zip(other.chunks(BLOCK))
                .map(block_sum)
                .sum();
        }
        let sums: Vec<f64> = self
            .0
            .par_chunks(BLOCK)
            .zip(other.par_chunks(BLOCK))
            .map(block_sum)
            .collect();
        sums.iter().sum()
    }
}

impl ArgminDot<Weights, f64> for Weights {
    fn dot(&self, other: &Weights) -> f64 {
        self.zip_sum(&other.0, |a, b| a * b)
    }
}

impl ArgminL2Norm<f64> for Weights {
    fn l2_norm(&self) -> f64 {
        self.zip_sum(&self.0, |a, _| a * a).sqrt()
    }
}

impl ArgminL1Norm<f64> for Weights {
    fn l1_norm(&self) -> f64 {
        self.zip_sum(&self.0, |a, _| a.abs())
    }
}

impl ArgminAdd<Weights, Weights> for Weights {
    fn add(&self, other: &Weights) -> Weights {
        self.zip_map(other, |a, b| a + b)
    }
}

impl ArgminAdd<f64, Weights> for Weights {
    fn add(&self, other: &f64) -> Weights {
        let c = *other;
        self.map(|a| a + c)
    }
}

impl ArgminSub<Weights, Weights> for Weights {
    fn sub(&self, other: &Weights) -> Weights {
        self.zip_map(other, |a, b| a - b)
    }
}

impl ArgminSub<f64, Weights> for Weights {
    fn sub(&self, other: &f64) -> Weights {
        let c = *other;
        self.map(|a| a - c)
    }
}

impl ArgminMul<f64, Weights> for Weights {
    fn mul(&self, other: &f64) -> Weights {
        let c = *other;
        self.map(|a| a * c)
    }
}

impl ArgminMul<Weights, Weights> for Weights {
    fn mul(&self, other: &Weights) -> Weights {
        self.zip_map(other, |a, b| a * b)
    }
}

impl ArgminScaledAdd<Weights, f64, Weights> for Weights {
    /// `self + factor · other`.
    fn scaled_add(&self, factor: &f64, other: &Weights) -> Weights {
        let c = *factor;
        self.zip_map(other, |a, b| a + c * b)
    }
}

impl ArgminSignum for Weights {
    fn signum(self) -> Weights {
        self.map(f64::signum)
    }
}

impl ArgminZeroLike for Weights {
    fn zero_like(&self) -> Weights {
        Weights(zeros(self.0.len()))
    }
}

impl ArgminMinMax for Weights {
    fn min(x: &Weights, y: &Weights) -> Weights {
        x.zip_map(y, f64::min)
    }

    fn max(x: &Weights, y: &Weights) -> Weights {
        x.zip_map(y, f64::max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vector(n: usize, seed: u64) -> Weights {
        Weights(
            (0..n as u64)
                .map(|i| (((i * 2654435761 + seed) % 1000) as f64 - 500.0) / 97.0)
                .collect(),
        )
    }

    #[test]
    fn operations_are_those_of_plain_arithmetic() {
        // Lengths below, at and across block boundaries.
        for n in [
            0,
            3,
            4,
            5,
            BLOCK,
            BLOCK + 3,
            3 * BLOCK + 7,
            PARALLEL_FROM + 5,
        ] {
            let (a, b) = (vector(n, 1), vector(n, 2));
            let dot: f64 = a.0.iter().zip(&b.0).map(|(x, y)| x * y).sum();
            assert!((a.dot(&b) - dot).abs() <= 1e-9 * (1.0 + dot.abs()), "{n}");
            let l2 = a.0.iter().map(|x| x * x).sum::<f64>().sqrt();
            assert!((a.l2_norm() - l2).abs() <= 1e-9 * (1.0 + l2));
            let l1: f64 = a.0.iter().map(|x| x.abs()).sum();
            assert!((a.l1_norm() - l1).abs() <= 1e-9 * (1.0 + l1));
            let each = |w: Weights, f: &dyn Fn(usize) -> f64| {
                assert_eq!(w.0.len(), n);
                for (i, v) in w.0.iter().enumerate() {
                    assert_eq!(v.to_bits(), f(i).to_bits(), "{n}, element {i}");
                }
            };
            each(ArgminAdd::<Weights, Weights>::add(&a, &b), &|i| {
                a.0[i] + b.0[i]
            });
            each(ArgminSub::<Weights, Weights>::sub(&a, &b), &|i| {
                a.0[i] - b.0[i]
            });
            each(ArgminMul::<Weights, Weights>::mul(&a, &b), &|i| {
                a.0[i] * b.0[i]
            });
            each(ArgminMul::<f64, Weights>::mul(&a, &2.5), &|i| a.0[i] * 2.5);
            each(ArgminAdd::<f64, Weights>::add(&a, &1.5), &|i| a.0[i] + 1.5);
            each(ArgminSub::<f64, Weights>::sub(&a, &1.5), &|i| a.0[i] - 1.5);
            each(a.scaled_add(&-0.5, &b), &|i| a.0[i] + -0.5 * b.0[i]);
            each(a.clone().signum(), &|i| a.0[i].signum());
            each(Weights::max(&a, &b), &|i| a.0[i].max(b.0[i]));
            each(Weights::min(&a, &b), &|i| a.0[i].min(b.0[i]));
            each(a.zero_like(), &|_| 0.0);
        }
    }

    #[test]
    fn sums_do_not_depend_on_the_thread_count() {
        let (a, b) = (vector(5 * BLOCK + 11, 3), vector(5 * BLOCK + 11, 4));
        let on = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| {
                    (
                        a.dot(&b).to_bits(),
                        a.l2_norm().to_bits(),
                        a.l1_norm().to_bits(),
                    )
                })
        };
        assert_eq!(on(1), on(2));
        assert_eq!(on(1), on(5));
    }
}
