//! Sparse row vectors.

use serde::{Deserialize, Serialize};

/// A sparse vector: strictly increasing column indices with their values.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SparseVec {
    /// Column indices, strictly increasing.
    pub indices: Vec<u32>,
    /// Values, one per index.
    pub values: Vec<f64>,
}

impl SparseVec {
    /// Number of stored entries.
    pub fn nnz(&self) -> usize {
        self.indices.len()
    }

    /// Iterate `(column, value)` pairs.
    pub fn iter(&self) -> impl Iterator<Item = (u32, f64)> + '_ {
        self.indices
            .iter()
            .copied()
            .zip(self.values.iter().copied())
    }

    /// Dot product with a dense vector.
    pub fn dot(&self, dense: &[f64]) -> f64 {
        self.iter().map(|(i, v)| dense[i as usize] * v).sum()
    }

    /// The value at `column` (0 when absent).
    pub fn get(&self, column: u32) -> f64 {
        match self.indices.binary_search(&column) {
            Ok(k) => self.values[k],
            Err(_) => 0.0,
        }
    }
}
