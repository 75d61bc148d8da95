//! How many threads the BLAS (BLIS) matrix products of a fit use.
//!
//! The solver's products are the feature matrix times one column per label. With
//! two labels they are matrix-vector products, bound by memory bandwidth, which
//! BLIS runs on one thread whatever it is told. With three or more labels they
//! are thin matrix products, which BLIS splits over threads: on the 2-core
//! benchmark machine, airline_tweets (14,640 rows x 2,000 terms, 3 labels) fitted
//! in 6.6 s on two threads against 15.4 s on one, with the machine otherwise
//! idle; with the other core busy, two threads took 20.8 s against 14.3 s.
//!
//! So a fit that runs alone (`train`) uses every core, and fits that run side by
//! side (cross-validation folds) use one thread each. `BLIS_NUM_THREADS`, when
//! set, wins over both.

/// Threads for the fits that follow: `n` for one fit at a time, 1 when fits run
/// in parallel. Does nothing when `BLIS_NUM_THREADS` is set, or without BLAS.
pub fn set_threads(n: usize) {
    if std::env::var_os("BLIS_NUM_THREADS").is_some() {
        return;
    }
    #[cfg(feature = "blas")]
    {
        unsafe extern "C" {
            /// BLIS's global thread count (`dim_t` is a 64-bit integer in the
            /// default build that blis-src makes).
            fn bli_thread_set_num_threads(n_threads: i64);
        }
        let n = i64::try_from(n.max(1)).unwrap_or(1);
        // SAFETY: BLIS guards its global runtime settings with a mutex; every
        // product reads them when it starts.
        unsafe { bli_thread_set_num_threads(n) };
    }
    #[cfg(not(feature = "blas"))]
    let _ = n;
}

/// Every core, as [`set_threads`] wants it for a fit that runs alone.
pub fn all_cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Runs `work` with one BLAS thread per fit (fits run side by side in it), then
/// gives the fits that follow every core again.
pub fn one_thread_each<T>(work: impl FnOnce() -> T) -> T {
    set_threads(1);
    let result = work();
    set_threads(all_cores());
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ClassifierSettings;
    use crate::text::SparseRow;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// A three-label problem large enough for BLIS to split its products
    /// over threads: 3,000 rows of 400 features, a few present in each.
    fn problem() -> (Vec<SparseRow>, Vec<usize>) {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let (mut rows, mut targets) = (Vec::new(), Vec::new());
        for _ in 0..3000 {
            let label = rng.random_range(0..3);
            let mut row: SparseRow = (0..8)
                .map(|_| {
                    let j = rng.random_range(0..400);
                    // Features below 30 lean towards one label each.
                    let j = if rng.random_bool(0.5) {
                        j % 10 + 10 * label
                    } else {
                        j
                    };
                    (j, 0.35)
                })
                .collect();
            row.sort_by_key(|&(j, _)| j);
            row.dedup_by_key(|&mut (j, _)| j);
            rows.push(row);
            targets.push(label);
        }
        (rows, targets)
    }

    #[test]
    fn the_weights_do_not_depend_on_the_number_of_blas_threads() {
        let (rows, targets) = problem();
        let settings = ClassifierSettings {
            alpha: 1.0,
            ..ClassifierSettings::default()
        };
        let fits: Vec<_> = [1, 2, 1]
            .into_iter()
            .map(|threads| {
                set_threads(threads);
                settings.fit(&rows, 400, &targets, 3, None).unwrap()
            })
            .collect();
        set_threads(1);
        assert_eq!(fits[0], fits[1], "one thread against two");
        assert_eq!(fits[0], fits[2], "and back to one");
        // The fit learned something: feature 0 leans to label 0.
        assert!(fits[0].weights()[[0, 0]] > fits[0].weights()[[1, 0]]);
    }
}
