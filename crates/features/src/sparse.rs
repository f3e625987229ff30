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

/// Several sparse rows in three flat arrays: row `i` is `indices[s..e]` and `values[s..e]`
/// with `s = ends[i - 1]` (0 for the first) and `e = ends[i]`. Reused, it holds a
/// paragraph's rows without an allocation per row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SparseRows {
    /// Column indices of every row, one row after another; strictly increasing within a row
    /// (distinct but in text order in rows from
    /// [`Vectorizer::finish_rows_unordered`](crate::Vectorizer::finish_rows_unordered)).
    pub indices: Vec<u32>,
    /// Values, one per index.
    pub values: Vec<f64>,
    /// Where each row ends in `indices` and `values`.
    pub ends: Vec<usize>,
}

impl SparseRows {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when there is no row.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Remove every row, keeping the memory.
    pub fn clear(&mut self) {
        self.indices.clear();
        self.values.clear();
        self.ends.clear();
    }

    /// Row `i`: its column indices and values.
    pub fn row(&self, i: usize) -> (&[u32], &[f64]) {
        let s = if i == 0 { 0 } else { self.ends[i - 1] };
        let e = self.ends[i];
        (&self.indices[s..e], &self.values[s..e])
    }

    /// Row `i` as a [`SparseVec`].
    pub fn to_vec(&self, i: usize) -> SparseVec {
        let (indices, values) = self.row(i);
        SparseVec {
            indices: indices.to_vec(),
            values: values.to_vec(),
        }
    }

    /// Append a row.
    pub fn push(&mut self, row: &SparseVec) {
        self.indices.extend_from_slice(&row.indices);
        self.values.extend_from_slice(&row.values);
        self.ends.push(self.indices.len());
    }
}
