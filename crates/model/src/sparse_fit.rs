//! linfa-logistic's binary logistic regression, run on a sparse design matrix with the same
//! arithmetic, so that it gives the very same weights, bit for bit, as
//! `linfa_logistic::LogisticRegression::<f32>` on the dense matrix — in a fraction of the time.
//!
//! linfa-logistic minimises the L2-penalised log-loss with argmin's L-BFGS (memory 10, a
//! More–Thuente line search) over a dense `ndarray` matrix. With 2,000 χ²-selected columns
//! per label, about 98% of that matrix is zero, and almost all of the training time went into
//! multiplying (and, inside `matrixmultiply`, repacking) those zeros. Here the problem, the
//! solver and every elementwise step are linfa-logistic's own (the parameter type below is a
//! copy of its `ArgminParam`, MIT/Apache-2.0, © the linfa developers); only the two products
//! are computed from the non-zeros, in the order the dense code sums them:
//!
//! - `X w` goes through `matrixmultiply::sgemm` (ndarray's `dot` of a matrix with an n × 1
//!   matrix): per row, one fused multiply-add chain over each block of [`KC`] columns, the
//!   blocks' sums added in column order. A zero term of an FMA chain leaves it unchanged.
//! - `Xᵀ r` goes through ndarray's matrix–vector product, whose rows of `Xᵀ` (the columns of
//!   the column-major `X`) are contiguous, so each is `ndarray`'s eightfold unrolled dot
//!   product: eight partial sums by row index modulo 8, combined as
//!   `(p0 + p4) + (p1 + p5) + (p2 + p6) + (p3 + p7)`, then the last `n mod 8` rows in order.
//!   A zero term adds ±0 to a partial sum, which leaves it unchanged.
//!
//! `sgemm` uses fused multiply-adds where the CPU has them (x86-64 with FMA, AArch64); this
//! module always does, so on such machines the two agree exactly (a unit test checks it),
//! and on any machine this one gives the same model everywhere.

use argmin::core::{CostFunction, Executor, Gradient};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::quasinewton::LBFGS;
use argmin_math::{
    ArgminAdd, ArgminDot, ArgminL1Norm, ArgminL2Norm, ArgminMinMax, ArgminMul, ArgminSignum,
    ArgminSub, ArgminZeroLike,
};
use ndarray::{s, Array1, Zip};

use policytag_features::SparseVec;

/// Columns of `A` that `matrixmultiply`'s `sgemm` multiplies per pass (its `S_KC`): each
/// pass's products are summed in one FMA chain, then added to the running result.
pub const KC: usize = 256;

/// The rows of a design matrix restricted to some columns, stored both by row and by column.
#[derive(Debug, Clone)]
pub struct Design {
    n: usize,
    d: usize,
    row_starts: Vec<usize>,
    row_cols: Vec<u32>,
    row_vals: Vec<f32>,
    col_starts: Vec<usize>,
    col_rows: Vec<u32>,
    col_vals: Vec<f32>,
}

impl Design {
    /// The matrix whose row `i` holds `rows[i]`'s values (as `f32`) at the positions of
    /// `features` (sorted global columns) it has; other columns of a row are dropped.
    pub fn new(rows: &[&SparseVec], features: &[u32]) -> Design {
        let (n, d) = (rows.len(), features.len());
        let mut row_starts = Vec::with_capacity(n + 1);
        let mut row_cols = Vec::new();
        let mut row_vals = Vec::new();
        row_starts.push(0);
        // Global column → local column (features are sorted, so a row's local columns come
        // out sorted too).
        let width = features.last().map_or(0, |&c| c as usize + 1);
        let mut local = vec![u32::MAX; width];
        for (k, &c) in features.iter().enumerate() {
            local[c as usize] = k as u32;
        }
        for r in rows {
            for (c, v) in r.iter() {
                if let Some(&k) = local.get(c as usize) {
                    if k != u32::MAX {
                        row_cols.push(k);
                        row_vals.push(v as f32);
                    }
                }
            }
            row_starts.push(row_cols.len());
        }
        let mut col_starts = vec![0usize; d + 1];
        for &c in &row_cols {
            col_starts[c as usize + 1] += 1;
        }
        for c in 0..d {
            col_starts[c + 1] += col_starts[c];
        }
        let mut next = col_starts[..d].to_vec();
        let mut col_rows = vec![0u32; row_cols.len()];
        let mut col_vals = vec![0f32; row_cols.len()];
        for i in 0..n {
            for k in row_starts[i]..row_starts[i + 1] {
                let slot = &mut next[row_cols[k] as usize];
                col_rows[*slot] = i as u32;
                col_vals[*slot] = row_vals[k];
                *slot += 1;
            }
        }
        Design {
            n,
            d,
            row_starts,
            row_cols,
            row_vals,
            col_starts,
            col_rows,
            col_vals,
        }
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.n
    }

    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.d
    }

    /// Number of stored non-zeros.
    pub fn nnz(&self) -> usize {
        self.row_cols.len()
    }

    /// `X w` as `sgemm` computes it (see the module documentation).
    pub fn x_dot(&self, w: &[f32]) -> Array1<f32> {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("fma") {
            // SAFETY: the CPU has FMA, checked just above.
            return unsafe { self.x_dot_fma(w) };
        }
        self.x_dot_any(w)
    }

    /// [`Design::x_dot`] with the FMA instruction in place of a call to `fmaf` (the same
    /// result: a fused multiply-add rounds once either way).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "fma")]
    unsafe fn x_dot_fma(&self, w: &[f32]) -> Array1<f32> {
        self.x_dot_any(w)
    }

    #[inline(always)]
    fn x_dot_any(&self, w: &[f32]) -> Array1<f32> {
        let mut out = Vec::with_capacity(self.n);
        for i in 0..self.n {
            let (mut c, mut s, mut block) = (0.0f32, 0.0f32, 0usize);
            for k in self.row_starts[i]..self.row_starts[i + 1] {
                let col = self.row_cols[k] as usize;
                if col / KC != block {
                    c = if block == 0 { s } else { c + s };
                    s = 0.0;
                    block = col / KC;
                }
                s = self.row_vals[k].mul_add(w[col], s);
            }
            out.push(if block == 0 { s } else { c + s });
        }
        Array1::from_vec(out)
    }

    /// `Xᵀ r` as ndarray's unrolled dot products compute it (see the module documentation).
    pub fn xt_dot(&self, r: &[f32]) -> Array1<f32> {
        let n8 = (self.n - self.n % 8) as u32;
        (0..self.d)
            .map(|c| {
                let mut p = [0.0f32; 8];
                let (lo, hi) = (self.col_starts[c], self.col_starts[c + 1]);
                let mut k = lo;
                while k < hi && self.col_rows[k] < n8 {
                    let i = self.col_rows[k];
                    p[(i % 8) as usize] += self.col_vals[k] * r[i as usize];
                    k += 1;
                }
                let mut sum = 0.0f32;
                sum += p[0] + p[4];
                sum += p[1] + p[5];
                sum += p[2] + p[6];
                sum += p[3] + p[7];
                for k in k..hi {
                    sum += self.col_vals[k] * r[self.col_rows[k] as usize];
                }
                sum
            })
            .collect()
    }
}

/// linfa-logistic's `ArgminParam` for a vector of `f32` (the operations L-BFGS needs, done as
/// linfa-logistic does them).
#[derive(Debug, Clone, PartialEq, Default)]
struct Param(Array1<f32>);

/// linfa-logistic's `elem_dot`: a sequential sum of products.
fn elem_dot(a: &Array1<f32>, b: &Array1<f32>) -> f32 {
    Zip::from(a).and(b).fold(0.0, |acc, &a, &b| acc + a * b)
}

impl ArgminSub<f32, Param> for Param {
    fn sub(&self, other: &f32) -> Param {
        Param(&self.0 - *other)
    }
}
impl ArgminSub<Param, Param> for Param {
    fn sub(&self, other: &Param) -> Param {
        Param(&self.0 - &other.0)
    }
}
impl ArgminAdd<f32, Param> for Param {
    fn add(&self, other: &f32) -> Param {
        Param(&self.0 + *other)
    }
}
impl ArgminAdd<Param, Param> for Param {
    fn add(&self, other: &Param) -> Param {
        Param(&self.0 + &other.0)
    }
}
impl ArgminDot<Param, f32> for Param {
    fn dot(&self, other: &Param) -> f32 {
        elem_dot(&self.0, &other.0)
    }
}
impl ArgminL1Norm<f32> for Param {
    fn l1_norm(&self) -> f32 {
        // As linfa-logistic has it (the euclidean norm).
        elem_dot(&self.0, &self.0).sqrt()
    }
}
impl ArgminL2Norm<f32> for Param {
    fn l2_norm(&self) -> f32 {
        elem_dot(&self.0, &self.0).sqrt()
    }
}
impl ArgminMul<f32, Param> for Param {
    fn mul(&self, other: &f32) -> Param {
        Param(&self.0 * *other)
    }
}
impl ArgminMul<Param, Param> for Param {
    fn mul(&self, other: &Param) -> Param {
        Param(&self.0 * &other.0)
    }
}
impl ArgminMul<Param, Param> for f32 {
    fn mul(&self, other: &Param) -> Param {
        Param(&other.0 * *self)
    }
}
impl ArgminSignum for Param {
    fn signum(self) -> Param {
        self
    }
}
impl ArgminZeroLike for Param {
    fn zero_like(&self) -> Param {
        Param(Array1::zeros(self.0.raw_dim()))
    }
}
impl ArgminMinMax for Param {
    fn min(x: &Self, y: &Self) -> Param {
        Param(
            x.0.iter()
                .zip(&y.0)
                .map(|(&a, &b)| if a < b { a } else { b })
                .collect(),
        )
    }
    fn max(x: &Self, y: &Self) -> Param {
        Param(
            x.0.iter()
                .zip(&y.0)
                .map(|(&a, &b)| if a > b { a } else { b })
                .collect(),
        )
    }
}

/// linfa-logistic's `log_logistic`.
fn log_logistic(x: f32) -> f32 {
    if x > 0.0 {
        -(1.0 + (-x).exp()).ln()
    } else {
        x - (1.0 + x.exp()).ln()
    }
}

/// linfa-logistic's `logistic`.
fn logistic(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// The penalised log-loss over a [`Design`] with targets ±1 (linfa-logistic's
/// `LogisticRegressionProblem`, with an intercept as the last parameter).
struct Problem<'a> {
    x: &'a Design,
    target: Array1<f32>,
    alpha: f32,
}

impl Problem<'_> {
    /// `y ⊙ (X w + b)`.
    fn yz(&self, w: &Array1<f32>) -> Array1<f32> {
        let d = self.x.cols();
        let params = w.slice(s![..d]);
        let intercept = w[d];
        let xw = self
            .x
            .x_dot(params.as_slice().expect("contiguous parameters"));
        (xw + intercept) * &self.target
    }
}

impl CostFunction for Problem<'_> {
    type Param = Param;
    type Output = f32;

    fn cost(&self, p: &Param) -> std::result::Result<f32, argmin::core::Error> {
        let w = &p.0;
        let params = w.slice(s![..self.x.cols()]);
        let mut yz = self.yz(w);
        yz.mapv_inplace(log_logistic);
        Ok(-yz.sum() + 0.5 * self.alpha * params.dot(&params))
    }
}

impl Gradient for Problem<'_> {
    type Param = Param;
    type Gradient = Param;

    fn gradient(&self, p: &Param) -> std::result::Result<Param, argmin::core::Error> {
        let w = &p.0;
        let d = self.x.cols();
        let params = w.slice(s![..d]);
        let mut yz = self.yz(w);
        yz.mapv_inplace(logistic);
        yz -= 1.0;
        yz *= &self.target;
        let mut grad = Array1::zeros(w.len());
        grad.slice_mut(s![..d])
            .assign(&(self.x.xt_dot(yz.as_slice().expect("contiguous")) + (&params * self.alpha)));
        grad[d] = yz.sum();
        Ok(Param(grad))
    }
}

/// A fitted binary problem: one weight per column of the [`Design`], the intercept, and
/// whether `true` is linfa-logistic's positive class (the more frequent class, or on a tie
/// the class of the first row).
#[derive(Debug, Clone, PartialEq)]
pub struct Fitted {
    /// One weight per column.
    pub weights: Vec<f32>,
    /// Intercept.
    pub intercept: f32,
    /// `true` is the class the weights favour.
    pub true_is_positive: bool,
}

/// Fit linfa-logistic's binary logistic regression (`alpha`, `max_iterations`,
/// `gradient_tolerance` as its setters take them) on `x` with outcomes `y`, which must hold
/// both classes.
pub fn fit(
    x: &Design,
    y: &[bool],
    alpha: f32,
    max_iterations: u64,
    gradient_tolerance: f32,
) -> std::result::Result<Fitted, String> {
    let first = *y.first().ok_or("no rows")?;
    let same = y.iter().filter(|&&v| v == first).count();
    if same == y.len() {
        return Err("only one class".into());
    }
    // linfa-logistic: the first class seen is +1 unless the other is more frequent.
    let first_positive = same >= y.len() - same;
    let target: Array1<f32> = y
        .iter()
        .map(|&v| {
            if (v == first) == first_positive {
                1.0
            } else {
                -1.0
            }
        })
        .collect();
    let true_is_positive = first == first_positive;
    let d = x.cols();
    let problem = Problem { x, target, alpha };
    let solver = LBFGS::new(MoreThuenteLineSearch::new(), 10)
        .with_tolerance_grad(gradient_tolerance)
        .map_err(|e| e.to_string())?;
    let init = Param(Array1::zeros(d + 1));
    let result = Executor::new(problem, solver)
        .configure(|state| state.param(init).max_iters(max_iterations))
        .run()
        .map_err(|e| e.to_string())?;
    let w = result
        .state
        .best_param
        .map_or_else(|| Array1::zeros(d + 1), |p| p.0);
    Ok(Fitted {
        weights: w.slice(s![..d]).to_vec(),
        intercept: w[d],
        true_is_positive,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use linfa::prelude::*;
    use linfa_logistic::LogisticRegression;
    use ndarray::{Array2, ShapeBuilder};

    /// A deterministic pseudo-random sparse problem: `n` rows over `d` columns, ~`density`
    /// of them non-zero, with an outcome that depends on a few columns.
    fn problem(n: usize, d: usize, density: f64, seed: u64) -> (Vec<SparseVec>, Vec<bool>) {
        let mut s = seed;
        let mut next = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut rows = Vec::new();
        let mut y = Vec::new();
        for _ in 0..n {
            let mut r = SparseVec::default();
            let mut score = 0.0;
            for c in 0..d {
                if next() < density {
                    let v = next();
                    r.indices.push(c as u32);
                    r.values.push(v);
                    if c % 7 == 0 {
                        score += v;
                    }
                }
            }
            rows.push(r);
            y.push(score + 0.3 * next() > 0.4);
        }
        (rows, y)
    }

    fn dense(x: &Design, rows: &[&SparseVec], features: &[u32]) -> Array2<f32> {
        let mut m = Array2::<f32>::zeros((x.rows(), x.cols()).f());
        for (i, r) in rows.iter().enumerate() {
            for (c, v) in r.iter() {
                if let Ok(k) = features.binary_search(&c) {
                    m[[i, k]] = v as f32;
                }
            }
        }
        m
    }

    fn fma_everywhere() -> bool {
        #[cfg(target_arch = "x86_64")]
        {
            std::arch::is_x86_feature_detected!("fma")
                && std::arch::is_x86_feature_detected!("avx2")
        }
        #[cfg(target_arch = "aarch64")]
        {
            true
        }
        #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
        {
            false
        }
    }

    /// The products equal ndarray's dense ones bit for bit (more than one `KC` block of
    /// columns, a row count that is not a multiple of 8).
    #[test]
    fn products_equal_the_dense_ones() {
        if !fma_everywhere() {
            eprintln!(
                "skipped: sgemm uses no fused multiply-add on this CPU, so it rounds differently"
            );
            return;
        }
        let (rows, _) = problem(203, 700, 0.05, 7);
        let refs: Vec<&SparseVec> = rows.iter().collect();
        let features: Vec<u32> = (0..700).filter(|c| c % 5 != 3).collect();
        let x = Design::new(&refs, &features);
        let m = dense(&x, &refs, &features);
        assert!(x.nnz() > 1000);
        let w: Array1<f32> = (0..x.cols())
            .map(|k| ((k * 37 % 101) as f32 - 50.0) / 7.0)
            .collect();
        let col = w.clone().into_shape_with_order((x.cols(), 1)).unwrap();
        let want = m.dot(&col).into_shape_with_order(x.rows()).unwrap();
        assert_eq!(x.x_dot(w.as_slice().unwrap()), want);
        let r: Array1<f32> = (0..x.rows())
            .map(|i| ((i * 13 % 29) as f32 - 14.0) / 3.0)
            .collect();
        assert_eq!(x.xt_dot(r.as_slice().unwrap()), m.t().dot(&r));
    }

    /// The whole fit equals linfa-logistic's on the dense matrix, bit for bit, for either
    /// class being the larger.
    #[test]
    fn fit_equals_linfa_logistic() {
        if !fma_everywhere() {
            eprintln!(
                "skipped: sgemm uses no fused multiply-add on this CPU, so it rounds differently"
            );
            return;
        }
        for (seed, flip) in [(1, false), (2, true)] {
            let (rows, y0) = problem(157, 600, 0.04, seed);
            let y: Vec<bool> = y0.iter().map(|&v| v != flip).collect();
            let refs: Vec<&SparseVec> = rows.iter().collect();
            let features: Vec<u32> = (0..600).collect();
            let x = Design::new(&refs, &features);
            let ours = fit(&x, &y, 0.1, 40, 1e-4).unwrap();
            let targets: Array1<bool> = y.iter().copied().collect();
            let theirs = LogisticRegression::<f32>::default()
                .alpha(0.1)
                .max_iterations(40)
                .gradient_tolerance(1e-4)
                .fit(&Dataset::new(dense(&x, &refs, &features), targets))
                .unwrap();
            assert_eq!(ours.weights, theirs.params().to_vec(), "seed {seed}");
            assert_eq!(ours.intercept, theirs.intercept());
            assert_eq!(ours.true_is_positive, theirs.labels().pos.class);
            assert!(ours.weights.iter().any(|&w| w != 0.0));
        }
        assert!(fit(&Design::new(&[], &[]), &[], 0.1, 40, 1e-4).is_err());
    }
}
