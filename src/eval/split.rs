//! Seeded, stratified splits of a labelled data set: a train/test split and
//! k folds. Each label's rows are shuffled with a ChaCha RNG seeded from the seed
//! (the same on every platform), so the same data and seed give the same split.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::error::{Error, Result};

/// Row indices of each label, each list shuffled by the seeded RNG.
fn shuffled_by_label(targets: &[usize], n_labels: usize, seed: u64) -> Vec<Vec<usize>> {
    let mut by_label = vec![Vec::new(); n_labels];
    for (i, &t) in targets.iter().enumerate() {
        by_label[t].push(i);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    for rows in &mut by_label {
        rows.shuffle(&mut rng);
    }
    by_label
}

/// Splits rows into (train, test), keeping each label's share in both parts.
/// Every label with at least two rows gets at least one test row and keeps at least
/// one training row. Both lists are sorted.
pub fn train_test_split(
    targets: &[usize],
    n_labels: usize,
    test_fraction: f64,
    seed: u64,
) -> Result<(Vec<usize>, Vec<usize>)> {
    if !(0.0..1.0).contains(&test_fraction) {
        return Err(Error::setting(
            "test_fraction",
            format!("must be at least 0 and below 1, got {test_fraction}"),
        )
        .with_hint("0.2 holds out a fifth of the rows; 0 skips the evaluation"));
    }
    let mut train = Vec::new();
    let mut test = Vec::new();
    for rows in shuffled_by_label(targets, n_labels, seed) {
        let n = rows.len();
        let mut n_test = (n as f64 * test_fraction).round() as usize;
        if test_fraction > 0.0 && n >= 2 {
            n_test = n_test.clamp(1, n - 1);
        } else {
            n_test = n_test.min(n.saturating_sub(1));
        }
        test.extend_from_slice(&rows[..n_test]);
        train.extend_from_slice(&rows[n_test..]);
    }
    train.sort_unstable();
    test.sort_unstable();
    Ok((train, test))
}

/// Assigns every row to one of `k` folds, stratified by label. Returns the test rows
/// of each fold, sorted.
pub fn stratified_folds(
    targets: &[usize],
    n_labels: usize,
    k: usize,
    seed: u64,
) -> Result<Vec<Vec<usize>>> {
    if k < 2 {
        return Err(
            Error::setting("folds", format!("must be at least 2, got {k}"))
                .with_hint("5 is the usual choice"),
        );
    }
    if k > targets.len() {
        return Err(Error::setting(
            "folds",
            format!("{k} is more than the {} rows of the data", targets.len()),
        ));
    }
    let mut folds = vec![Vec::new(); k];
    let mut next = 0;
    for rows in shuffled_by_label(targets, n_labels, seed) {
        // Continue the round-robin across labels so folds stay equal in size.
        for row in rows {
            folds[next % k].push(row);
            next += 1;
        }
    }
    for fold in &mut folds {
        fold.sort_unstable();
    }
    Ok(folds)
}

/// The rows not in `test`, sorted (the training rows of a fold).
pub fn complement(n_rows: usize, test: &[usize]) -> Vec<usize> {
    let mut in_test = vec![false; n_rows];
    for &i in test {
        in_test[i] = true;
    }
    (0..n_rows).filter(|&i| !in_test[i]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets() -> Vec<usize> {
        (0..100).map(|i| if i < 70 { 0 } else { 1 }).collect()
    }

    #[test]
    fn split_is_stratified_seeded_and_complete() {
        let y = targets();
        let (train, test) = train_test_split(&y, 2, 0.2, 7).unwrap();
        assert_eq!(train.len() + test.len(), 100);
        assert_eq!(test.iter().filter(|&&i| y[i] == 0).count(), 14);
        assert_eq!(test.iter().filter(|&&i| y[i] == 1).count(), 6);
        assert_eq!(train_test_split(&y, 2, 0.2, 7).unwrap().1, test);
        assert_ne!(train_test_split(&y, 2, 0.2, 8).unwrap().1, test);
    }

    #[test]
    fn zero_fraction_keeps_everything_for_training() {
        let (train, test) = train_test_split(&targets(), 2, 0.0, 1).unwrap();
        assert_eq!((train.len(), test.len()), (100, 0));
    }

    #[test]
    fn bad_fractions_name_the_setting() {
        for f in [-0.1, 1.0, 1.5, f64::NAN] {
            let e = train_test_split(&targets(), 2, f, 1).unwrap_err();
            assert_eq!(e.setting_field(), Some("test_fraction"));
        }
    }

    #[test]
    fn folds_partition_the_rows_and_are_balanced() {
        let y = targets();
        let folds = stratified_folds(&y, 2, 5, 3).unwrap();
        let mut all: Vec<usize> = folds.concat();
        all.sort_unstable();
        assert_eq!(all, (0..100).collect::<Vec<_>>());
        for fold in &folds {
            assert_eq!(fold.len(), 20);
            assert_eq!(fold.iter().filter(|&&i| y[i] == 1).count(), 6);
        }
        assert_eq!(complement(100, &folds[0]).len(), 80);
        assert!(stratified_folds(&y, 2, 1, 3).is_err());
    }
}
