//! Near-duplicate groups: paragraphs whose character 5-grams overlap above a threshold.
//!
//! Reports repeat boilerplate from year to year and bureau to bureau; labelling one such
//! paragraph labels them all, and uncertainty sampling would otherwise keep picking copies.
//!
//! A paragraph's **shingles** are the set of its character 5-grams, taken over its letters
//! and digits only (white space and punctuation dropped, full-width forms folded, Latin
//! lower-cased, every digit the same: next year's report changes the numbers, not the
//! words); a paragraph shorter than that is one shingle. Two paragraphs are
//! **near-duplicates** when the Jaccard overlap of their shingle sets,
//! `|A ∩ B| / |A ∪ B|`, is at least the threshold ([`GroupParams::threshold`], default
//! 0.7); groups are the connected components of that relation (union-find), and a group's
//! representative is its first paragraph in input order.
//!
//! Two ways to find the pairs, with the same verification, so both give only true pairs:
//!
//! - [`Method::Exact`] (the default): an inverted index over each set's *prefix* — its
//!   rarest shingles, `|A| − ⌈t·|A|⌉ + 1` of them — which two sets with overlap ≥ t must
//!   share (the all-pairs prefix filter). It finds every pair.
//! - [`Method::MinHash`]: 64 min-hashes in 16 bands of 4 rows (locality-sensitive
//!   hashing); candidates are pairs that agree on a whole band. It can miss pairs near the
//!   threshold. The benchmark (`cargo bench -p policytag-annotate --bench groups`) times both.

use policytag_tokenizer::normalize::fold_width;
use rayon::prelude::*;

/// Characters per shingle.
pub const SHINGLE: usize = 5;

/// How pairs are found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Prefix-filtered inverted index: exact.
    Exact,
    /// MinHash with banded LSH: approximate (may miss pairs).
    MinHash,
}

/// Grouping parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GroupParams {
    /// Jaccard overlap of shingle sets at or above which two paragraphs are near-duplicates.
    /// Default 0.7.
    pub threshold: f64,
    /// How pairs are found. Default [`Method::Exact`].
    pub method: Method,
}

impl Default for GroupParams {
    fn default() -> Self {
        GroupParams {
            threshold: 0.7,
            method: Method::Exact,
        }
    }
}

/// The groups of a list of paragraphs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Groups {
    /// Per paragraph, its group: the index of the group's first paragraph.
    pub of: Vec<usize>,
}

impl Groups {
    /// Every paragraph on its own.
    pub fn singletons(n: usize) -> Groups {
        Groups {
            of: (0..n).collect(),
        }
    }

    /// Number of groups.
    pub fn count(&self) -> usize {
        self.of.iter().enumerate().filter(|(i, &g)| *i == g).count()
    }

    /// Members of every group, by representative, in input order (empty for non-representatives).
    pub fn members(&self) -> Vec<Vec<usize>> {
        let mut m = vec![Vec::new(); self.of.len()];
        for (i, &g) in self.of.iter().enumerate() {
            m[g].push(i);
        }
        m
    }
}

/// A 64-bit FNV-1a hash of a run of characters (stable across runs and platforms).
fn hash_chars(cs: &[char]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &c in cs {
        for b in (c as u32).to_le_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// The sorted, de-duplicated shingle hashes of a text (see the module docs).
pub fn shingles(text: &str) -> Vec<u64> {
    let cs: Vec<char> = text
        .chars()
        .map(fold_width)
        .filter(|c| c.is_alphanumeric())
        .map(|c| if c.is_ascii_digit() { '0' } else { c })
        .flat_map(char::to_lowercase)
        .collect();
    let mut out: Vec<u64> = if cs.len() <= SHINGLE {
        vec![hash_chars(&cs)]
    } else {
        cs.windows(SHINGLE).map(hash_chars).collect()
    };
    out.sort_unstable();
    out.dedup();
    out
}

/// Jaccard overlap of two sorted, de-duplicated lists.
pub fn jaccard<T: Ord>(a: &[T], b: &[T]) -> f64 {
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - common;
    if union == 0 {
        1.0
    } else {
        common as f64 / union as f64
    }
}

/// Union-find with path halving; the root is always the smallest index.
struct Dsu(Vec<usize>);

impl Dsu {
    fn find(&mut self, mut x: usize) -> usize {
        while self.0[x] != x {
            self.0[x] = self.0[self.0[x]];
            x = self.0[x];
        }
        x
    }
    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            let (lo, hi) = (ra.min(rb), ra.max(rb));
            self.0[hi] = lo;
        }
    }
}

/// Group `texts` (see the module docs).
pub fn group<S: AsRef<str> + Sync>(texts: &[S], params: GroupParams) -> Groups {
    let sets: Vec<Vec<u64>> = texts.par_iter().map(|t| shingles(t.as_ref())).collect();
    let pairs = match params.method {
        Method::Exact => exact_pairs(&sets, params.threshold),
        Method::MinHash => minhash_pairs(&sets, params.threshold),
    };
    let mut dsu = Dsu((0..texts.len()).collect());
    for (a, b) in pairs {
        dsu.union(a, b);
    }
    Groups {
        of: (0..texts.len()).map(|i| dsu.find(i)).collect(),
    }
}

/// All pairs with overlap ≥ t, by the prefix filter.
fn exact_pairs(sets: &[Vec<u64>], t: f64) -> Vec<(usize, usize)> {
    // Global order of shingles: rarest first (ties by hash), as dense ids.
    let mut all: Vec<u64> = sets.iter().flatten().copied().collect();
    all.par_sort_unstable();
    let mut df: Vec<(u64, u32)> = Vec::new();
    for h in all {
        match df.last_mut() {
            Some((x, c)) if *x == h => *c += 1,
            _ => df.push((h, 1)),
        }
    }
    let mut by_rarity: Vec<usize> = (0..df.len()).collect();
    by_rarity.sort_unstable_by_key(|&k| (df[k].1, df[k].0));
    let mut rank = vec![0u32; df.len()];
    for (r, &k) in by_rarity.iter().enumerate() {
        rank[k] = r as u32;
    }
    let ranked: Vec<Vec<u32>> = sets
        .par_iter()
        .map(|s| {
            let mut v: Vec<u32> = s
                .iter()
                .map(|h| rank[df.binary_search_by_key(h, |e| e.0).expect("counted")])
                .collect();
            v.sort_unstable();
            v
        })
        .collect();
    let prefix = |len: usize| len - ((t * len as f64).ceil() as usize).min(len) + 1;
    // Process sets by size; probe the index with each prefix, then add the prefix.
    let mut order: Vec<usize> = (0..sets.len()).collect();
    order.sort_by_key(|&i| (ranked[i].len(), i));
    let mut index: Vec<Vec<u32>> = vec![Vec::new(); df.len()];
    let mut seen = vec![u32::MAX; sets.len()];
    let mut pairs = Vec::new();
    for (step, &x) in order.iter().enumerate() {
        let xs = &ranked[x];
        let p = prefix(xs.len()).min(xs.len());
        let min_len = (t * xs.len() as f64).ceil() as usize;
        for &tok in &xs[..p] {
            for &y in &index[tok as usize] {
                let y = y as usize;
                if seen[y] == step as u32 || ranked[y].len() < min_len {
                    continue;
                }
                seen[y] = step as u32;
                if jaccard(xs, &ranked[y]) >= t {
                    pairs.push((x.min(y), x.max(y)));
                }
            }
        }
        for &tok in &xs[..p] {
            index[tok as usize].push(x as u32);
        }
    }
    pairs
}

const BANDS: usize = 16;
const ROWS: usize = 4;

/// Candidate pairs by MinHash LSH, kept when their exact overlap is ≥ t.
fn minhash_pairs(sets: &[Vec<u64>], t: f64) -> Vec<(usize, usize)> {
    let seeds: Vec<u64> = (0..(BANDS * ROWS) as u64)
        .map(|i| {
            let mut s = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
            splitmix(&mut s)
        })
        .collect();
    let sigs: Vec<Vec<u64>> = sets
        .par_iter()
        .map(|s| {
            seeds
                .iter()
                .map(|&seed| {
                    s.iter()
                        .map(|&h| {
                            let mut x = h ^ seed;
                            splitmix(&mut x)
                        })
                        .min()
                        .unwrap_or(u64::MAX)
                })
                .collect()
        })
        .collect();
    let mut pairs = Vec::new();
    for b in 0..BANDS {
        let mut keys: Vec<(u64, usize)> = sigs
            .iter()
            .enumerate()
            .map(|(i, sig)| (hash_u64s(&sig[b * ROWS..(b + 1) * ROWS]), i))
            .collect();
        keys.sort_unstable();
        for run in keys.chunk_by(|a, b| a.0 == b.0) {
            for (k, &(_, x)) in run.iter().enumerate() {
                for &(_, y) in &run[k + 1..] {
                    pairs.push((x.min(y), x.max(y)));
                }
            }
        }
    }
    pairs.par_sort_unstable();
    pairs.dedup();
    pairs.retain(|&(a, b)| jaccard(&sets[a], &sets[b]) >= t);
    pairs
}

fn hash_u64s(xs: &[u64]) -> u64 {
    let mut h = 0x243F_6A88_85A3_08D3u64;
    for &x in xs {
        h ^= x;
        h = splitmix(&mut h);
    }
    h
}

fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "2021年，全区新建改扩建幼儿园5所，新增普惠性学位1200个，普惠性幼儿园覆盖率达到百分之九十以上。";
    const B: &str = "2022年，全区新建改扩建幼儿园6所，新增普惠性学位1500个，普惠性幼儿园覆盖率提升到百分之九十以上。";
    const C: &str = "开展校园安全隐患排查整治，组织防溺水专题教育，建立健全校园安全风险防控体系。";

    #[test]
    fn shingles_ignore_spacing_punctuation_and_width() {
        assert_eq!(
            shingles("双减 课后服务，全覆盖"),
            shingles("双减课后服务全覆盖。")
        );
        assert_eq!(shingles("ＡＢＣ１２３"), shingles("abc907"));
        assert_eq!(shingles("ab").len(), 1);
        assert_eq!(shingles("abcdef").len(), 2);
    }

    #[test]
    fn jaccard_of_sorted_sets() {
        assert_eq!(jaccard(&[1, 2, 3], &[2, 3, 4]), 0.5);
        assert_eq!(jaccard::<u32>(&[], &[]), 1.0);
        assert_eq!(jaccard(&[1], &[2]), 0.0);
    }

    #[test]
    fn year_to_year_boilerplate_groups_and_other_text_does_not() {
        let j = jaccard(&shingles(A), &shingles(B));
        assert!(j > 0.7 && j < 1.0, "{j}");
        for method in [Method::Exact, Method::MinHash] {
            let g = group(
                &[C, A, C, B, "无关的一句话"],
                GroupParams {
                    threshold: 0.7,
                    method,
                },
            );
            assert_eq!(g.of, [0, 1, 0, 1, 4], "{method:?}");
            assert_eq!(g.count(), 3);
            assert_eq!(g.members()[1], [1, 3]);
        }
        // Above the pair's overlap, they stay apart.
        let g = group(
            &[A, B],
            GroupParams {
                threshold: j + 0.01,
                method: Method::Exact,
            },
        );
        assert_eq!(g, Groups::singletons(2));
    }

    #[test]
    fn exact_finds_every_pair_a_brute_force_finds() {
        // Variants of a few templates with digits changed, so overlaps spread around t.
        let texts: Vec<String> = (0..120)
            .map(|i| {
                let base = [A, B, C][i % 3];
                base.chars()
                    .enumerate()
                    .map(|(k, c)| {
                        if k % (7 + i % 11) == 0 {
                            char::from_digit((i % 10) as u32, 10).unwrap()
                        } else {
                            c
                        }
                    })
                    .collect()
            })
            .collect();
        let sets: Vec<Vec<u64>> = texts.iter().map(|t| shingles(t)).collect();
        for t in [0.5, 0.7, 0.9] {
            let mut brute = Vec::new();
            for a in 0..sets.len() {
                for b in a + 1..sets.len() {
                    if jaccard(&sets[a], &sets[b]) >= t {
                        brute.push((a, b));
                    }
                }
            }
            let mut got = exact_pairs(&sets, t);
            got.sort_unstable();
            got.dedup();
            assert_eq!(got, brute, "t = {t}");
            assert!(!brute.is_empty());
            let mut mh = minhash_pairs(&sets, t);
            mh.sort_unstable();
            assert!(mh.iter().all(|p| brute.binary_search(p).is_ok()));
        }
    }
}
