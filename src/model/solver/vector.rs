//! The sparse solver's parameter vector: the arithmetic argmin's L-BFGS and
//! More–Thuente line search do on it, spread over the cores.
//!
//! Each L-BFGS step (memory ten) does some eighty operations on vectors as
//! long as the weights: per stored pair three dot products (`y·s`, `s·q`,
//! `y·r`), two products with a number and two additions or subtractions,
//! plus a few for the scale, the direction, the line search and the new
//! pair. With `ndarray`'s implementations, on one core, they took a third of
//! the time of a large fit (airline_tweets × 100,000, 328,000 weights). Here
//! every operation works on fixed blocks of [`BLOCK`] numbers, in parallel
//! with rayon. A sum (a dot product, a norm) adds each block's partial sum in
//! block order, and each block's own sum in a fixed order, so the result is
//! the same bits whatever the number of threads.
//!
//! A vector's numbers are shared by its copies, and a product with a number
//! is the same numbers at another scale ([`Weights`]), worked out where it
//! is used: the copies and the twenty-odd products with a number cost
//! nothing, and a step makes some twenty-five new vectors (its sums and
//! differences). A buffer also remembers its latest dot products with others
//! ([`Buffer`]): the two-loop recursion takes every stored pair's `y·s`
//! again at each step, ten of its thirty-odd dot products. Both give the
//! same weights to the bit (`sparse`'s tests fit both ways and compare).
//! Measured on the bundled drafts' `train` (2 cores, 2026-12-02, medians of
//! 12 alternated runs): the sharing took about a tenth off its time and CPU,
//! and the remembered products, with the two-label loss's single
//! exponential, about 8% of its CPU.
//!
//! Large vectors' buffers are recycled ([`buffer`], [`recycle`]): a step
//! makes and drops some twenty-five vectors, and an evaluation of the loss
//! one gradient per row group, each megabytes long on large data. From the
//! allocator, each would often be memory fresh from the system, which the
//! kernel zeroes at the first write; a recycled buffer has its pages already
//! (airline_tweets × 100,000 trained in 4.3 s instead of 5.2 to 5.4 s, with
//! the same weights to the bit). The list of spares is one for the whole
//! process, shared by every fit running at once: at most [`SPARES`] buffers
//! wait in it, and they are freed whenever a fit ends ([`ReleaseSpares`]), so
//! fits side by side (cross-validation's folds) recycle less than a fit alone.
//! A buffer goes back only when the last vector sharing it is dropped.

use std::borrow::Cow;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

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

/// A vector's numbers, given back for reuse when the last vector holding
/// them is dropped, with the dot products already taken with them.
///
/// The numbers never change once made, and `id` is this buffer's alone for
/// the life of the process: a dot product found under another buffer's id
/// (and the two scales) is that product.
#[derive(Debug)]
struct Buffer {
    id: u64,
    values: Vec<f64>,
    /// The latest dot products with other buffers (at most [`DOTS_KEPT`]).
    dots: Mutex<Vec<Dot>>,
}

/// A dot product remembered by one of its two buffers.
#[derive(Debug, Clone, Copy)]
struct Dot {
    /// The other buffer's id.
    other: u64,
    /// The scales (as bits) of this buffer's vector and of the other's.
    scales: (u64, u64),
    value: f64,
}

/// Dot products a buffer remembers. The L-BFGS two-loop recursion takes
/// each stored pair's `y·s` again at every step, ten pairs; a stored vector
/// meets about one new vector a step besides (`s·q` or `y·r`), and lives ten
/// steps, so its `y·s` is among its latest sixteen.
const DOTS_KEPT: usize = 16;

/// Vectors shorter than this take their dot products afresh (the product
/// costs less than remembering it).
const REMEMBER_FROM: usize = 1024;

static NEXT_BUFFER_ID: AtomicU64 = AtomicU64::new(0);

/// Tests only: every product with a number worked out at once and every dot
/// product taken afresh, as before vectors shared their numbers, so that a
/// test can compare whole fits both ways (`sparse`'s tests). Other tests
/// running meanwhile give the same results either way.
#[cfg(test)]
pub(super) static EAGER: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Tests only: held while [`EAGER`] is set, and by the tests that check how
/// vectors share numbers and remember products (which it turns off).
#[cfg(test)]
pub(super) static EAGER_LOCK: Mutex<()> = Mutex::new(());

#[inline(always)]
fn eager() -> bool {
    #[cfg(test)]
    return EAGER.load(Ordering::SeqCst);
    #[cfg(not(test))]
    false
}

impl Buffer {
    fn new(values: Vec<f64>) -> Buffer {
        Buffer {
            id: NEXT_BUFFER_ID.fetch_add(1, Ordering::Relaxed),
            values,
            dots: Mutex::new(Vec::new()),
        }
    }

    fn dots(&self) -> std::sync::MutexGuard<'_, Vec<Dot>> {
        // A panic while it was held leaves whole entries: still usable.
        self.dots.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn recall(&self, other: u64, scales: (u64, u64)) -> Option<f64> {
        self.dots()
            .iter()
            .find(|d| d.other == other && d.scales == scales)
            .map(|d| d.value)
    }

    fn remember(&self, dot: Dot) {
        let mut dots = self.dots();
        if dots.len() == DOTS_KEPT {
            dots.remove(0);
        }
        dots.push(dot);
    }
}

impl Drop for Buffer {
    fn drop(&mut self) {
        recycle(std::mem::take(&mut self.values));
    }
}

/// A parameter vector (weights, then intercepts; see `sparse`): `scale`
/// times the shared numbers in `data`.
///
/// Copying one (argmin clones the point and the gradient at every step and
/// the objective caches them) shares the numbers, and multiplying one by a
/// number only changes `scale`: the L-BFGS two-loop recursion multiplies a
/// stored vector by a number before each of its twenty additions, and the
/// product is used once. Each element's value is worked out when it is used,
/// as `scale · data[i]`, the same multiplication an eager product would
/// have done, so every result is the same to the bit (a scale of one leaves
/// a number as it is).
#[derive(Debug, Clone)]
pub struct Weights {
    data: Arc<Buffer>,
    scale: f64,
}

impl PartialEq for Weights {
    /// Equal values, element by element.
    fn eq(&self, other: &Weights) -> bool {
        self.len() == other.len()
            && self
                .data
                .values
                .iter()
                .zip(&other.data.values)
                .all(|(&a, &b)| self.scale * a == other.scale * b)
    }
}

impl Default for Weights {
    fn default() -> Self {
        Weights::new(Vec::new())
    }
}

impl Weights {
    /// The vector of these numbers.
    pub fn new(values: Vec<f64>) -> Weights {
        Weights {
            data: Arc::new(Buffer::new(values)),
            scale: 1.0,
        }
    }

    pub fn len(&self) -> usize {
        self.data.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.data.values.is_empty()
    }

    /// Whether `other` is this very vector (the same numbers and scale), a
    /// quick test that never reads the numbers.
    pub fn is(&self, other: &Weights) -> bool {
        Arc::ptr_eq(&self.data, &other.data) && self.scale.to_bits() == other.scale.to_bits()
    }

    /// The values: the numbers themselves at a scale of one, else their
    /// products with the scale.
    pub fn values(&self) -> Cow<'_, [f64]> {
        if self.scale == 1.0 {
            Cow::Borrowed(&self.data.values)
        } else {
            Cow::Owned(self.data.values.iter().map(|&a| self.scale * a).collect())
        }
    }

    /// `f(value[i])` for every element, in parallel blocks (each element's
    /// value does not depend on how the work is split).
    fn map(&self, f: impl Fn(f64) -> f64 + Sync + Send) -> Weights {
        let s = self.scale;
        let data = &self.data.values;
        if data.len() < PARALLEL_FROM {
            return Weights::new(data.iter().map(|&a| f(s * a)).collect());
        }
        let mut out = buffer(data.len());
        out.par_chunks_mut(BLOCK)
            .zip(data.par_chunks(BLOCK))
            .for_each(|(out, a)| {
                for (o, &a) in out.iter_mut().zip(a) {
                    *o = f(s * a);
                }
            });
        Weights::new(out)
    }

    /// `f(self[i], other[i])` (their values) for every element, in parallel
    /// blocks.
    fn zip_map(&self, other: &Weights, f: impl Fn(f64, f64) -> f64 + Sync + Send) -> Weights {
        assert_eq!(self.len(), other.len(), "vectors of one length");
        let (sa, sb) = (self.scale, other.scale);
        let (a, b) = (&self.data.values, &other.data.values);
        if a.len() < PARALLEL_FROM {
            return Weights::new(a.iter().zip(b).map(|(&a, &b)| f(sa * a, sb * b)).collect());
        }
        let mut out = buffer(a.len());
        out.par_chunks_mut(BLOCK)
            .zip(a.par_chunks(BLOCK).zip(b.par_chunks(BLOCK)))
            .for_each(|(out, (a, b))| {
                for (o, (&a, &b)) in out.iter_mut().zip(a.iter().zip(b)) {
                    *o = f(sa * a, sb * b);
                }
            });
        Weights::new(out)
    }

    /// The sum of `f(self[i], other[i])` (their values): each block's sum
    /// (four running sums, in element order), then the blocks' sums in block
    /// order.
    fn zip_sum(&self, other: &Weights, f: impl Fn(f64, f64) -> f64 + Sync) -> f64 {
        assert_eq!(self.len(), other.len(), "vectors of one length");
        let (sa, sb) = (self.scale, other.scale);
        let block_sum = |(a, b): (&[f64], &[f64])| {
            let mut acc = [0.0f64; 4];
            let (a4, b4) = (a.chunks_exact(4), b.chunks_exact(4));
            let (ra, rb) = (a4.remainder(), b4.remainder());
            for (a, b) in a4.zip(b4) {
                for k in 0..4 {
                    acc[k] += f(sa * a[k], sb * b[k]);
                }
            }
            let tail: f64 = ra.iter().zip(rb).map(|(&a, &b)| f(sa * a, sb * b)).sum();
            (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
        };
        let (a, b) = (&self.data.values, &other.data.values);
        if a.len() < PARALLEL_FROM {
            return a.chunks(BLOCK).zip(b.chunks(BLOCK)).map(block_sum).sum();
        }
        let sums: Vec<f64> = a
            .par_chunks(BLOCK)
            .zip(b.par_chunks(BLOCK))
            .map(block_sum)
            .collect();
        sums.iter().sum()
    }
}

impl ArgminDot<Weights, f64> for Weights {
    /// Remembered by both buffers (of long vectors): `a·b` and `b·a` are
    /// the same products (`x·y` is `y·x`) summed in the same order, so a
    /// product recalled is the one that would be taken again, to the bit.
    fn dot(&self, other: &Weights) -> f64 {
        if self.len() < REMEMBER_FROM || eager() {
            return self.zip_sum(other, |a, b| a * b);
        }
        let (a, b) = (self.scale.to_bits(), other.scale.to_bits());
        if let Some(value) = self.data.recall(other.data.id, (a, b)) {
            return value;
        }
        let value = self.zip_sum(other, |a, b| a * b);
        self.data.remember(Dot {
            other: other.data.id,
            scales: (a, b),
            value,
        });
        if !Arc::ptr_eq(&self.data, &other.data) {
            other.data.remember(Dot {
                other: self.data.id,
                scales: (b, a),
                value,
            });
        }
        value
    }
}

impl ArgminL2Norm<f64> for Weights {
    fn l2_norm(&self) -> f64 {
        self.zip_sum(self, |a, _| a * a).sqrt()
    }
}

impl ArgminL1Norm<f64> for Weights {
    fn l1_norm(&self) -> f64 {
        self.zip_sum(self, |a, _| a.abs())
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
    /// Shares the numbers at a new scale when that gives the product's
    /// values to the bit: at a scale of one (`c · a` is `a · c`), or when
    /// multiplying by one or minus one (exact); else works out the products.
    fn mul(&self, other: &f64) -> Weights {
        let c = *other;
        if !eager() && (self.scale == 1.0 || c == 1.0 || c == -1.0) {
            return Weights {
                data: Arc::clone(&self.data),
                scale: self.scale * c,
            };
        }
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
        Weights::new(zeros(self.len()))
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
        Weights::new(
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
            let (av, bv) = (a.values().to_vec(), b.values().to_vec());
            let dot: f64 = av.iter().zip(&bv).map(|(x, y)| x * y).sum();
            assert!((a.dot(&b) - dot).abs() <= 1e-9 * (1.0 + dot.abs()), "{n}");
            let l2 = av.iter().map(|x| x * x).sum::<f64>().sqrt();
            assert!((a.l2_norm() - l2).abs() <= 1e-9 * (1.0 + l2));
            let l1: f64 = av.iter().map(|x| x.abs()).sum();
            assert!((a.l1_norm() - l1).abs() <= 1e-9 * (1.0 + l1));
            let each = |w: Weights, f: &dyn Fn(usize) -> f64| {
                assert_eq!(w.len(), n);
                for (i, v) in w.values().iter().enumerate() {
                    assert_eq!(v.to_bits(), f(i).to_bits(), "{n}, element {i}");
                }
            };
            each(ArgminAdd::<Weights, Weights>::add(&a, &b), &|i| {
                av[i] + bv[i]
            });
            each(ArgminSub::<Weights, Weights>::sub(&a, &b), &|i| {
                av[i] - bv[i]
            });
            each(ArgminMul::<Weights, Weights>::mul(&a, &b), &|i| {
                av[i] * bv[i]
            });
            each(ArgminMul::<f64, Weights>::mul(&a, &2.5), &|i| av[i] * 2.5);
            each(ArgminAdd::<f64, Weights>::add(&a, &1.5), &|i| av[i] + 1.5);
            each(ArgminSub::<f64, Weights>::sub(&a, &1.5), &|i| av[i] - 1.5);
            each(a.scaled_add(&-0.5, &b), &|i| av[i] + -0.5 * bv[i]);
            each(a.clone().signum(), &|i| av[i].signum());
            each(Weights::max(&a, &b), &|i| av[i].max(bv[i]));
            each(Weights::min(&a, &b), &|i| av[i].min(bv[i]));
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

    /// Same bits, or both not numbers (Rust leaves a NaN's sign and payload
    /// unspecified).
    fn same(a: f64, b: f64) -> bool {
        a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
    }

    fn all_same(w: &Weights, expected: &[f64]) -> bool {
        let v = w.values();
        v.len() == expected.len() && v.iter().zip(expected).all(|(&a, &b)| same(a, b))
    }

    /// A vector with awkward numbers among ordinary ones: zeros of both
    /// signs, infinities, a NaN, subnormals and the largest numbers.
    fn awkward(n: usize, seed: u64) -> Vec<f64> {
        let special = [
            0.0,
            -0.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            f64::MIN_POSITIVE / 3.0,
            -f64::MIN_POSITIVE / 7.0,
            f64::MAX,
            -f64::MAX,
            1e-300,
        ];
        let mut v = vector(n, seed).values().to_vec();
        for (i, x) in v.iter_mut().enumerate() {
            if (i as u64 + seed).is_multiple_of(5) {
                *x = special[(i / 5 + seed as usize) % special.len()];
            }
        }
        v
    }

    #[test]
    fn scaled_vectors_give_the_eager_results_to_the_bit() {
        let _sharing = EAGER_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        for n in [7, 40, BLOCK + 3, PARALLEL_FROM + 5] {
            let (qv, yv, sv) = (awkward(n, 5), awkward(n, 6), vector(n, 7).values().to_vec());
            let (q, y, s) = (
                Weights::new(qv.clone()),
                Weights::new(yv.clone()),
                Weights::new(sv.clone()),
            );
            // The two-loop recursion's steps, each against the same
            // arithmetic on plain numbers: q - y·alpha, r = q·gamma,
            // y·r, r + s·(alpha - beta), the direction -r.
            let (alpha, gamma, ab) = (0.37, 1.9, -0.21);
            let q1 = q.sub(&y.mul(&alpha));
            let q1v: Vec<f64> = (0..n).map(|i| qv[i] - yv[i] * alpha).collect();
            assert!(all_same(&q1, &q1v));
            let r = q1.mul(&gamma);
            assert!(
                Arc::ptr_eq(&r.data, &q1.data),
                "a product shares the numbers"
            );
            assert!(!r.is(&q1), "the same numbers at another scale");
            let rv: Vec<f64> = q1v.iter().map(|a| a * gamma).collect();
            assert!(all_same(&r, &rv));
            let plain_dot = |a: &[f64], b: &[f64]| {
                let block = |(a, b): (&[f64], &[f64])| {
                    let mut acc = [0.0f64; 4];
                    let (a4, b4) = (a.chunks_exact(4), b.chunks_exact(4));
                    let tail: f64 = a4
                        .remainder()
                        .iter()
                        .zip(b4.remainder())
                        .map(|(x, y)| x * y)
                        .sum();
                    for (a, b) in a4.zip(b4) {
                        for k in 0..4 {
                            acc[k] += a[k] * b[k];
                        }
                    }
                    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
                };
                a.chunks(BLOCK).zip(b.chunks(BLOCK)).map(block).sum::<f64>()
            };
            assert!(same(y.dot(&r), plain_dot(&yv, &rv)));
            assert!(same(r.dot(&y), plain_dot(&rv, &yv)));
            let r2 = r.add(&s.mul(&ab));
            let r2v: Vec<f64> = (0..n).map(|i| rv[i] + sv[i] * ab).collect();
            assert!(all_same(&r2, &r2v));
            let d = r.mul(&-1.0);
            let dv: Vec<f64> = rv.iter().map(|a| a * -1.0).collect();
            assert!(all_same(&d, &dv));
            assert!(all_same(
                &q.scaled_add(&0.5, &d),
                &(0..n).map(|i| qv[i] + 0.5 * dv[i]).collect::<Vec<_>>()
            ));
            // A scaled vector scaled again: by one and minus one, shared; by
            // anything else, worked out in the eager order.
            for c in [1.0, -1.0, 0.3, 0.0, -0.0, f64::INFINITY, f64::NAN, 1e-310] {
                let expected: Vec<f64> = rv.iter().map(|a| a * c).collect();
                assert!(all_same(&r.mul(&c), &expected), "r · {c}");
                let from_one: Vec<f64> = qv.iter().map(|a| a * c).collect();
                assert!(all_same(&q.mul(&c), &from_one), "q · {c}");
            }
            // Everything else on scaled operands.
            let (rs, ds) = (r.mul(&0.3), d.mul(&1.7));
            let rsv: Vec<f64> = rv.iter().map(|a| a * 0.3).collect();
            let dsv: Vec<f64> = dv.iter().map(|a| a * 1.7).collect();
            let zip =
                |f: fn(f64, f64) -> f64| (0..n).map(|i| f(rsv[i], dsv[i])).collect::<Vec<_>>();
            assert!(all_same(
                &ArgminMul::<Weights, Weights>::mul(&rs, &ds),
                &zip(|a, b| a * b)
            ));
            assert!(all_same(
                &ArgminSub::<Weights, Weights>::sub(&rs, &ds),
                &zip(|a, b| a - b)
            ));
            assert!(all_same(&Weights::min(&rs, &ds), &zip(f64::min)));
            assert!(all_same(&Weights::max(&rs, &ds), &zip(f64::max)));
            assert!(all_same(
                &r.clone().signum(),
                &rv.iter().map(|a| a.signum()).collect::<Vec<_>>()
            ));
            assert!(all_same(
                &ArgminAdd::<f64, Weights>::add(&r, &1.5),
                &rv.iter().map(|a| a + 1.5).collect::<Vec<_>>()
            ));
            assert!(all_same(
                &ArgminSub::<f64, Weights>::sub(&r, &1.5),
                &rv.iter().map(|a| a - 1.5).collect::<Vec<_>>()
            ));
            assert!(same(rs.dot(&ds), plain_dot(&rsv, &dsv)));
            assert!(same(r.l2_norm(), plain_dot(&rv, &rv).sqrt()));
            let l1: f64 = Weights::new(rv.iter().map(|a| a.abs()).collect())
                .zip_sum(&Weights::new(rv.clone()), |a, _| a);
            assert!(same(d.l1_norm(), l1));
            // Equality is of values: a shared vector at another scale equals
            // its worked-out copy (where no element is a NaN).
            let finite = Weights::new(sv.clone()).mul(&2.5);
            assert_eq!(finite, Weights::new(sv.iter().map(|a| a * 2.5).collect()));
            assert!(r.is(&r.clone()));
            assert!(!r.is(&Weights::new(rv.clone())));
            assert_ne!(finite, Weights::new(sv.clone()));
        }
    }

    #[test]
    fn a_remembered_dot_product_is_the_one_taken_afresh() {
        let _sharing = EAGER_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        // Below and above the length from which buffers are recycled.
        for n in [REMEMBER_FROM + 13, RECYCLE_FROM + 13] {
            let fresh = |x: &Weights, y: &Weights| x.zip_sum(y, |p, q| p * q).to_bits();
            let ones = (1f64.to_bits(), 1f64.to_bits());
            let (a, b) = (vector(n, 9), vector(n, 10));
            let ab = a.dot(&b);
            // Remembered by both buffers, and recalled either way round.
            assert_eq!(a.data.recall(b.data.id, ones), Some(ab));
            assert_eq!(b.data.recall(a.data.id, ones), Some(ab));
            assert_eq!(b.dot(&a).to_bits(), fresh(&b, &a));
            // Other scales on both sides (not powers of two, which would
            // commute with anything) are other products, each remembered
            // under its own scales.
            let (a3, b7) = (a.mul(&0.3), b.mul(&0.7));
            let p = a3.dot(&b7);
            assert_eq!(p.to_bits(), fresh(&a3, &b7));
            assert_ne!(p.to_bits(), ab.to_bits());
            assert_eq!(
                a.data
                    .recall(b.data.id, (0.3f64.to_bits(), 0.7f64.to_bits())),
                Some(p)
            );
            assert_eq!(
                b.data
                    .recall(a.data.id, (0.7f64.to_bits(), 0.3f64.to_bits())),
                Some(p)
            );
            assert_eq!(b7.dot(&a3).to_bits(), fresh(&b7, &a3));
            assert_eq!(a.dot(&b7).to_bits(), fresh(&a, &b7));
            // A vector with itself: remembered once.
            let before = a.data.dots().len();
            assert_eq!(a.dot(&a).to_bits(), fresh(&a, &a));
            assert_eq!(a.data.dots().len(), before + 1);
            assert_eq!(a.dot(&a).to_bits(), fresh(&a, &a));
            // The oldest are forgotten once DOTS_KEPT are held, and taken
            // again when asked.
            let others: Vec<Weights> = (0..DOTS_KEPT as u64).map(|k| vector(n, 20 + k)).collect();
            for o in &others {
                assert_eq!(a.dot(o).to_bits(), fresh(&a, o));
            }
            assert_eq!(a.data.dots().len(), DOTS_KEPT);
            assert_eq!(a.data.recall(b.data.id, ones), None);
            assert_eq!(a.dot(&b).to_bits(), ab.to_bits());
            // A buffer given back and handed out again (long vectors) is a
            // new buffer, with another id and no remembered products.
            let old_id = b.data.id;
            drop((b, b7));
            let c = Weights::new({
                let mut v = buffer(n);
                v.iter_mut()
                    .enumerate()
                    .for_each(|(i, x)| *x = (i % 17) as f64 - 8.0);
                v
            });
            assert_ne!(c.data.id, old_id);
            assert!(c.data.dots().is_empty());
            assert_eq!(a.dot(&c).to_bits(), fresh(&a, &c));
        }
    }
}
