//! Deterministic, label-stratified k-fold assignment.

use sha2::{Digest, Sha256};

/// Assign each example to one of `k` folds. Examples are grouped by their rarest label
/// (label-less examples form a group of their own), ordered inside a group by a seeded
/// hash of their position, and dealt out round-robin, so every fold gets a fair share of
/// each rare label. The same inputs and seed always give the same folds.
pub fn assign(label_sets: &[Vec<usize>], n_labels: usize, k: usize, seed: u64) -> Vec<usize> {
    let mut freq = vec![0usize; n_labels];
    for s in label_sets {
        for &l in s {
            freq[l] += 1;
        }
    }
    let key = |s: &Vec<usize>| -> usize {
        s.iter()
            .copied()
            .min_by_key(|&l| (freq[l], l))
            .map(|l| l + 1)
            .unwrap_or(0)
    };
    let hash = |i: usize| -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(seed.to_le_bytes());
        h.update((i as u64).to_le_bytes());
        h.finalize().into()
    };
    let mut order: Vec<(usize, [u8; 32], usize)> = label_sets
        .iter()
        .enumerate()
        .map(|(i, s)| (key(s), hash(i), i))
        .collect();
    order.sort_unstable();
    let mut fold = vec![0usize; label_sets.len()];
    let mut counter = vec![0usize; n_labels + 1];
    for (g, _, i) in order {
        fold[i] = counter[g] % k;
        counter[g] += 1;
    }
    fold
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balanced_and_deterministic() {
        let sets: Vec<Vec<usize>> = (0..100)
            .map(|i| if i % 10 == 0 { vec![1] } else { vec![0] })
            .collect();
        let f = assign(&sets, 2, 5, 7);
        assert_eq!(f, assign(&sets, 2, 5, 7));
        for k in 0..5 {
            assert_eq!(f.iter().filter(|&&x| x == k).count(), 20);
            // The ten rare examples are spread two per fold.
            assert_eq!((0..100).filter(|&i| i % 10 == 0 && f[i] == k).count(), 2);
        }
        assert_ne!(f, assign(&sets, 2, 5, 8));
    }
}
