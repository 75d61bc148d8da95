//! The memory budget of training.
//!
//! The largest allocation of a fit is the solver's matrix: for `linfa`, the
//! dense rows × terms matrix (4 bytes a cell); for the sparse solver, the
//! non-zeros, kept as feature rows and twice in the solver (CSR and CSC). Training
//! estimates it before allocating and stops with a clear error above the budget,
//! instead of running the machine out of memory. Very large files are checked
//! even before they are read, from their size: analysing the texts takes memory
//! in proportion to them.

use std::path::Path;

use bytesize::ByteSize;

use crate::error::{Error, Result};

/// The default budget.
pub const DEFAULT_MEMORY_BUDGET: u64 = 2 * 1024 * 1024 * 1024;
/// Bytes of a dense matrix cell (f32).
const DENSE_CELL: u64 = 4;
/// Bytes per non-zero on the sparse path, at most: the solver's CSR and CSC copies (4-byte
/// value and 4-byte index each; the feature rows are built a chunk at a time).
const SPARSE_NONZERO: u64 = 16;
/// Peak memory of training per byte of CSV, measured on sms_spam and
/// airline_tweets replicated to 1 GB (analysed terms, feature rows and the
/// solver's matrix together; see README, "Memory"): about 9 bytes, rounded up.
pub const BYTES_PER_INPUT_BYTE: u64 = 12;

/// Bytes of the dense matrix of `rows` × `terms`.
pub fn matrix_bytes(rows: usize, terms: usize) -> u64 {
    (rows as u64)
        .saturating_mul(terms as u64)
        .saturating_mul(DENSE_CELL)
}

/// Bytes of the sparse path's matrices for `nnz` non-zeros.
pub fn sparse_bytes(rows: usize, terms: usize, nnz: usize) -> u64 {
    (nnz as u64)
        .saturating_mul(SPARSE_NONZERO)
        .saturating_add((rows as u64 + terms as u64) * 16)
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

/// Fails if the dense matrix of `rows` × `terms` (the `linfa` solver) would
/// exceed `budget`.
pub fn check_dense(rows: usize, terms: usize, budget: u64) -> Result<()> {
    let need = matrix_bytes(rows, terms);
    if need <= budget {
        return Ok(());
    }
    let fits = budget / (rows.max(1) as u64 * DENSE_CELL);
    Err(Error::new(format!(
        "training on {rows} drafts with {terms} terms needs a {} dense feature matrix (--solver linfa), above the memory budget of {}",
        show(need),
        show(budget)
    ))
    .with_hint(format!(
        "pass --solver sparse (its matrix holds only the terms each draft has), or --max-features {fits} or fewer, \
         or raise --memory-budget above {}",
        show(need)
    )))
}

/// Fails if the sparse path's matrices for `nnz` non-zeros would exceed `budget`.
pub fn check_sparse(rows: usize, terms: usize, nnz: usize, budget: u64) -> Result<()> {
    let need = sparse_bytes(rows, terms, nnz);
    if need <= budget {
        return Ok(());
    }
    Err(Error::new(format!(
        "training on {rows} drafts ({nnz} term occurrences) needs {} for the sparse feature matrix, above the memory budget of {}",
        show(need),
        show(budget)
    ))
    .with_hint(format!(
        "train on a sample of the rows, or raise --memory-budget above {} if this machine has the memory",
        show(need)
    )))
}

/// Files larger than this are checked against the budget before they are read;
/// smaller ones are read, and checked exactly once their matrix is known.
pub const PRECHECK_BYTES: u64 = 64 * 1024 * 1024;

/// Before a large file is read: fails if training on a CSV of its size would need
/// more than `budget` (about [`BYTES_PER_INPUT_BYTE`] per byte of CSV).
pub fn precheck_file(path: &Path, budget: u64) -> Result<()> {
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let need = size.saturating_mul(BYTES_PER_INPUT_BYTE);
    if size <= PRECHECK_BYTES || need <= budget {
        return Ok(());
    }
    Err(Error::at(path, None, format!(
        "a {} CSV is too large to train on within the memory budget of {}: it would need about {}",
        show(size),
        show(budget),
        show(need)
    ))
    .with_hint(format!(
        "train on a sample of the rows (at most about {} of CSV), or raise --memory-budget above {} if this machine has the memory",
        show(budget / BYTES_PER_INPUT_BYTE),
        show(need)
    )))
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
    fn the_dense_check_says_how_many_terms_fit() {
        assert!(check_dense(1000, 1000, DEFAULT_MEMORY_BUDGET).is_ok());
        let err = check_dense(100_000, 20_000, DEFAULT_MEMORY_BUDGET).unwrap_err();
        // 2 GiB / (100,000 rows x 4 bytes) = 5,368 terms.
        assert!(err.to_string().contains("--max-features 5368"), "{err}");
        assert!(err.to_string().contains("7.5 GiB"), "{err}");
        assert!(err.to_string().contains("--solver sparse"), "{err}");
    }

    #[test]
    fn the_sparse_check_counts_non_zeros_not_cells() {
        // 100,000 drafts of 40 terms among 50,000: 20 GB dense, 128 MB sparse.
        assert!(check_sparse(100_000, 50_000, 4_000_000, DEFAULT_MEMORY_BUDGET).is_ok());
        let err = check_sparse(10_000_000, 50_000, 400_000_000, DEFAULT_MEMORY_BUDGET).unwrap_err();
        assert!(err.to_string().contains("sample of the rows"), "{err}");
    }
}
