//! The memory budget of training.
//!
//! `linfa-logistic` fits on a dense feature matrix: rows x terms x 4 bytes (f32).
//! It is by far the largest allocation of a fit, so training estimates it before
//! allocating and stops with a clear error above the budget, instead of running
//! the machine out of memory. Very large files are checked even before they are
//! read: a file with too many rows for even [`MIN_TERMS`] terms fails at once.

use std::path::Path;

use bytesize::ByteSize;

use crate::dataset::{csv_error, read_headers, reader_builder};
use crate::error::{Error, Result};
use crate::model::classifier::Real;

/// The default budget for the feature matrix.
pub const DEFAULT_MEMORY_BUDGET: u64 = 2 * 1024 * 1024 * 1024;
/// The fewest terms a useful model has: the early check assumes at least these.
pub const MIN_TERMS: u64 = 100;
/// Files larger than this have their rows counted before they are read whole.
pub const PRECOUNT_BYTES: u64 = 64 * 1024 * 1024;

/// Bytes of the dense matrix of `rows` x `terms`.
pub fn matrix_bytes(rows: usize, terms: usize) -> u64 {
    (rows as u64)
        .saturating_mul(terms as u64)
        .saturating_mul(std::mem::size_of::<Real>() as u64)
}

fn show(bytes: u64) -> String {
    ByteSize::b(bytes).display().iec().to_string()
}

/// Parses a budget such as `2GiB`, `512 MiB` or `4G` (an option's value parser).
pub fn parse_budget(s: &str) -> std::result::Result<u64, String> {
    let size: ByteSize = s.trim().parse().map_err(|e| {
        format!("'{s}' is not a size ({e}): use a number with a unit, such as 512MiB or 4GiB")
    })?;
    if size.as_u64() == 0 {
        return Err("the memory budget must be more than 0 bytes".into());
    }
    Ok(size.as_u64())
}

/// Fails if a matrix of `rows` x `terms` would exceed `budget`.
pub fn check(rows: usize, terms: usize, budget: u64) -> Result<()> {
    let need = matrix_bytes(rows, terms);
    if need <= budget {
        return Ok(());
    }
    let fits = budget / (rows.max(1) as u64 * std::mem::size_of::<Real>() as u64);
    let mut hint = if fits >= MIN_TERMS {
        format!("pass --max-features {fits} or fewer (the most informative terms are kept)")
    } else {
        "train on fewer rows".to_string()
    };
    hint.push_str(&format!(
        ", or raise --memory-budget above {} if this machine has the memory",
        show(need)
    ));
    Err(Error::new(format!(
        "training on {rows} drafts with {terms} terms needs a {} feature matrix, above the memory budget of {}",
        show(need),
        show(budget)
    ))
    .with_hint(hint))
}

/// Fails if the `rows` drafts of `path` could not be trained on within `budget`
/// even with [`MIN_TERMS`] terms.
pub fn check_rows(path: &Path, rows: usize, budget: u64) -> Result<()> {
    let need = matrix_bytes(rows, MIN_TERMS as usize);
    if need <= budget {
        return Ok(());
    }
    Err(Error::at(path, None, format!(
        "{rows} drafts are too many to train on within the memory budget of {}: even {MIN_TERMS} terms would need {}",
        show(budget),
        show(need)
    ))
    .with_hint(format!(
        "train on a sample of the rows, or raise --memory-budget above {} if this machine has the memory",
        show(need)
    )))
}

/// Before a large file is read whole: counts its rows (streaming, in constant
/// memory) and applies [`check_rows`]. Small files are not counted.
pub fn precheck_file(path: &Path, budget: u64) -> Result<()> {
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if size <= PRECOUNT_BYTES {
        return Ok(());
    }
    let file = std::fs::File::open(path).map_err(|e| Error::io("read", path, &e))?;
    let mut reader = reader_builder().from_reader(std::io::BufReader::new(file));
    read_headers(path, &mut reader)?;
    let mut record = csv::ByteRecord::new();
    let mut rows = 0usize;
    while reader
        .read_byte_record(&mut record)
        .map_err(|e| csv_error(path, e))?
    {
        rows += 1;
        // Stop counting as soon as the answer is known.
        if matrix_bytes(rows, MIN_TERMS as usize) > budget {
            let mut rest = 0usize;
            while reader
                .read_byte_record(&mut record)
                .map_err(|e| csv_error(path, e))?
            {
                rest += 1;
            }
            return check_rows(path, rows + rest, budget);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_parse_with_units() {
        assert_eq!(parse_budget("2GiB"), Ok(2 * 1024 * 1024 * 1024));
        assert_eq!(parse_budget("512 MiB"), Ok(512 * 1024 * 1024));
        assert!(parse_budget("lots").is_err());
        assert!(parse_budget("0").is_err());
    }

    #[test]
    fn the_check_says_how_many_terms_fit() {
        assert!(check(1000, 1000, DEFAULT_MEMORY_BUDGET).is_ok());
        let err = check(100_000, 20_000, DEFAULT_MEMORY_BUDGET).unwrap_err();
        // 2 GiB / (100,000 rows x 4 bytes) = 5,368 terms.
        assert!(err.to_string().contains("--max-features 5368"), "{err}");
        assert!(err.to_string().contains("7.5 GiB"), "{err}");
        let err = check_rows(Path::new("big.csv"), 10_000_000, DEFAULT_MEMORY_BUDGET).unwrap_err();
        assert!(err.to_string().contains("10000000 drafts"), "{err}");
    }
}
