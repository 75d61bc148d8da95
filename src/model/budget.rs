//! The memory budget of training.
//!
//! The largest allocation of a fit is the solver's matrix: for `linfa`, the
//! dense rows × terms matrix (4 bytes a cell); for the sparse solver, the
//! non-zeros in the row-major matrix, and either its column-major copy or the
//! row groups' gradients, whichever way the gradient is taken (see
//! [`gradient_by_rows`]), with L-BFGS's vectors. Training
//! estimates it before allocating and stops with a clear error above the budget,
//! instead of running the machine out of memory. Very large files are checked
//! even before they are read, from their size: analysing the texts takes memory
//! in proportion to them.

use std::path::Path;

use bytesize::ByteSize;

use crate::error::{Error, Result};
use crate::model::solver::loss::ROW_GROUPS;
use crate::model::solver::sparse::gradient_by_rows;

/// The default budget.
pub const DEFAULT_MEMORY_BUDGET: u64 = 2 * 1024 * 1024 * 1024;
/// Bytes of a dense matrix cell (f32).
const DENSE_CELL: u64 = 4;
/// Bytes per non-zero of one copy of the sparse matrix (a 4-byte value and a
/// 4-byte index; the feature rows are built a chunk at a time).
const SPARSE_NONZERO: u64 = 8;
/// Vectors of the parameters' length that a sparse fit holds at once: L-BFGS's
/// ten stored pairs, and about a dozen more for the current point, its
/// gradient, the direction and the line search's trial points. (The spare
/// buffers `solver::vector` recycles add none: a new one is allocated only
/// when no spare is waiting, so live and spare vectors together never
/// outnumber the most that were live at once.)
const SOLVER_VECTORS: u64 = 2 * 10 + 12;
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

/// Bytes of a sparse fit of `rows` × `terms` with `nnz` non-zeros and
/// `n_labels` labels: the row-major matrix; the column-major copy and the
/// residuals (gradient by columns) or the row groups' gradients (by rows);
/// L-BFGS's vectors; the targets and the row and column pointers.
pub fn sparse_bytes(rows: usize, terms: usize, nnz: usize, n_labels: usize) -> u64 {
    let outputs = crate::model::classifier::outputs(n_labels) as u64;
    let (rows_, terms_, nnz_) = (rows as u64, terms as u64, nnz as u64);
    let parameters = (terms_ + 1).saturating_mul(outputs);
    let matrix = nnz_.saturating_mul(SPARSE_NONZERO);
    let gradient = if gradient_by_rows(rows, terms.max(1), outputs as usize) {
        parameters.saturating_mul(ROW_GROUPS as u64 * 8)
    } else {
        matrix
            .saturating_add(terms_ * 8)
            .saturating_add(rows_.saturating_mul(outputs * 8))
    };
    matrix
        .saturating_add(gradient)
        .saturating_add(parameters.saturating_mul(SOLVER_VECTORS * 8))
        .saturating_add(rows_ * 12)
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
pub fn check_sparse(
    rows: usize,
    terms: usize,
    nnz: usize,
    n_labels: usize,
    budget: u64,
) -> Result<()> {
    let need = sparse_bytes(rows, terms, nnz, n_labels);
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
        assert!(check_sparse(100_000, 50_000, 4_000_000, 2, DEFAULT_MEMORY_BUDGET).is_ok());
        let err =
            check_sparse(10_000_000, 50_000, 400_000_000, 2, DEFAULT_MEMORY_BUDGET).unwrap_err();
        assert!(err.to_string().contains("sample of the rows"), "{err}");
    }

    #[test]
    fn the_sparse_estimate_follows_the_way_the_gradient_is_taken() {
        // Few rows per term: a column-major copy of the matrix (8 bytes a
        // non-zero) and the residuals; many rows per term: 8 row groups'
        // gradients instead.
        let by_columns = sparse_bytes(10_000, 40_000, 400_000, 2);
        let by_rows = sparse_bytes(400_000, 40_000, 400_000, 2);
        assert!(!gradient_by_rows(10_000, 40_000, 1) && gradient_by_rows(400_000, 40_000, 1));
        let vectors = (40_001 * SOLVER_VECTORS) * 8;
        assert_eq!(
            by_columns,
            400_000 * 16 + 40_000 * 8 + 10_000 * 8 + vectors + 10_000 * 12
        );
        assert_eq!(
            by_rows,
            400_000 * 8 + 40_001 * 8 * 8 + vectors + 400_000 * 12
        );
        // Three labels: three outputs a term, in the gradients and in L-BFGS.
        let three = sparse_bytes(100_000, 40_000, 400_000, 3);
        assert!(!gradient_by_rows(100_000, 40_000, 3));
        assert_eq!(
            three,
            400_000 * 16 + 40_000 * 8 + 100_000 * 24 + 120_003 * SOLVER_VECTORS * 8 + 100_000 * 12
        );
    }
}
