//! Building the sparse solver's matrix: rows appended a chunk at a time into a
//! `sprs` CSR matrix (f32 values, u32 columns), so that the feature rows never
//! all exist at once.

use sprs::CsMatI;

use crate::model::solver::sparse::SparseProblem;
use crate::text::SparseRow;

/// Builds the row-major matrix a chunk of rows at a time, so that the rows
/// themselves need not all be held at once.
pub struct CsrBuilder {
    n_features: usize,
    indptr: Vec<usize>,
    indices: Vec<u32>,
    data: Vec<f32>,
}

impl CsrBuilder {
    pub fn new(n_features: usize) -> Self {
        CsrBuilder {
            n_features,
            indptr: vec![0],
            indices: Vec::new(),
            data: Vec::new(),
        }
    }

    /// Appends rows (each sorted by feature index, as the vectorizer makes them).
    pub fn extend(&mut self, rows: &[SparseRow]) {
        for row in rows {
            for &(j, x) in row {
                self.indices.push(j as u32);
                self.data.push(x as f32);
            }
            self.indptr.push(self.indices.len());
        }
    }

    pub fn rows(&self) -> usize {
        self.indptr.len() - 1
    }

    pub fn nnz(&self) -> usize {
        self.indices.len()
    }

    /// The problem: this matrix (and its column-major copy) with its targets.
    pub fn finish(self, targets: &[usize], n_labels: usize) -> SparseProblem {
        let mut indices = self.indices;
        let mut data = self.data;
        indices.shrink_to_fit();
        data.shrink_to_fit();
        let csr = CsMatI::new(
            (self.indptr.len() - 1, self.n_features),
            self.indptr,
            indices,
            data,
        );
        SparseProblem::from_csr(csr, targets, n_labels)
    }
}
