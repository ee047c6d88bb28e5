//! The Benchmarks Game spectral-norm: the largest singular value of the infinite matrix
//! A(i, j) = 1 / ((i + j)(i + j + 1) / 2 + i + 1) truncated to n × n, by ten rounds of the power method on AᵀA.
//!
//! Two paths: [`Mode::Fast`] shares rows out to rayon's threads and runs each row with explicit SIMD (AVX-512F
//! or AVX2+FMA, picked at run time, see [`crate::simd`]); [`Mode::Scalar`] (the `rust-scalar` rung) is one
//! thread of plain Rust.

use rayon::prelude::*;

use crate::SizeError;
use crate::simd::{self, Level};

/// The largest n accepted. Memory is only O(n), but the work is O(n²): n = 100,000 is minutes of work (the
/// Benchmarks Game uses 5,500), so anything larger is taken for a mistake. Every denominator stays far below
/// 2⁵³, exact in an f64.
pub const MAX_N: usize = 100_000;

/// Power-method rounds, as in the Benchmarks Game program.
const ROUNDS: usize = 10;

/// Rows below this size are not worth handing to other threads.
const MIN_ROWS_PER_TASK: usize = 64;

/// What the benchmark reports after the power iterations.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SpectralNorm {
    /// sqrt(vBv / vv), the estimate of the spectral norm.
    pub norm: f64,
    /// u · v
    pub vbv: f64,
    /// v · v
    pub vv: f64,
}

/// Checks a matrix size given by a caller (a Python int).
pub fn checked_n(n: i64) -> Result<usize, SizeError> {
    match usize::try_from(n) {
        Ok(n) if (1..=MAX_N).contains(&n) => Ok(n),
        _ => Err(SizeError(format!(
            "spectral-norm n must be between 1 and {MAX_N}, got {n}"
        ))),
    }
}

/// How the mat-vecs run: the fast path (the best SIMD level found, rows shared out to rayon's threads) or the
/// `rust-scalar` rung's path (one thread, plain Rust with true divisions).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Fast,
    Scalar,
}

/// Runs the power method for an n × n truncation. `n` must be in 1..=MAX_N (see [`checked_n`]).
pub fn spectral_norm(n: usize, mode: Mode) -> SpectralNorm {
    let kernel = match mode {
        Mode::Fast => Kernel::fast(simd::detected()),
        Mode::Scalar => Kernel::SCALAR,
    };
    let mut u = vec![1.0; n];
    let mut v = vec![0.0; n];
    let mut tmp = vec![0.0; n];
    for _ in 0..ROUNDS {
        kernel.mul_atav(&u, &mut v, &mut tmp);
        kernel.mul_atav(&v, &mut u, &mut tmp);
    }
    let vbv: f64 = u.iter().zip(&v).map(|(a, b)| a * b).sum();
    let vv: f64 = v.iter().map(|x| x * x).sum();
    SpectralNorm {
        norm: (vbv / vv).sqrt(),
        vbv,
        vv,
    }
}

/// Row i of A (or Aᵀ) times x.
type RowDot = fn(usize, &[f64]) -> f64;

/// The row functions of one path, and whether rows go to several threads.
#[derive(Clone, Copy)]
struct Kernel {
    a: RowDot,
    at: RowDot,
    parallel: bool,
}

impl Kernel {
    const SCALAR: Kernel = Kernel {
        a: row_dot::<false>,
        at: row_dot::<true>,
        parallel: false,
    };

    fn fast(level: Level) -> Kernel {
        let (a, at): (RowDot, RowDot) = match level {
            #[cfg(target_arch = "x86_64")]
            Level::Avx512 => (x86::row_dot_avx512::<false>, x86::row_dot_avx512::<true>),
            #[cfg(target_arch = "x86_64")]
            Level::Avx2Fma => (x86::row_dot_avx2::<false>, x86::row_dot_avx2::<true>),
            _ => (row_dot::<false>, row_dot::<true>),
        };
        Kernel {
            a,
            at,
            parallel: true,
        }
    }

    /// out = AᵀA x
    fn mul_atav(&self, x: &[f64], out: &mut [f64], tmp: &mut [f64]) {
        self.mul(self.a, x, tmp);
        self.mul(self.at, tmp, out);
    }

    fn mul(&self, row: RowDot, x: &[f64], out: &mut [f64]) {
        if self.parallel {
            out.par_iter_mut()
                .with_min_len(MIN_ROWS_PER_TASK)
                .enumerate()
                .for_each(|(i, o)| *o = row(i, x));
        } else {
            for (i, o) in out.iter_mut().enumerate() {
                *o = row(i, x);
            }
        }
    }
}

/// Row i of A (or of Aᵀ) times x, with true divisions. With s = i + j, the denominator of A(i, j) is
/// s(s + 1)/2 + i + 1 and that of Aᵀ(i, j) = A(j, i) is s(s + 1)/2 + j + 1; both are integers far below 2⁵³, so
/// computing them in f64 is exact. Four independent lanes let the compiler vectorise the loop (SSE2) without
/// any explicit SIMD; they change the summation order, well inside the 1e-9 the check allows.
#[inline]
fn row_dot<const TRANSPOSED: bool>(i: usize, x: &[f64]) -> f64 {
    const LANES: usize = 4;
    let fi = i as f64;
    let denominator = |fj: f64| {
        let s = fi + fj;
        let own = if TRANSPOSED { fj } else { fi };
        s * (s + 1.0) * 0.5 + own + 1.0
    };
    let mut acc = [0.0; LANES];
    let mut fj = [0.0, 1.0, 2.0, 3.0];
    let chunks = x.chunks_exact(LANES);
    let tail = chunks.remainder();
    for chunk in chunks {
        for lane in 0..LANES {
            acc[lane] += chunk[lane] / denominator(fj[lane]);
            fj[lane] += LANES as f64;
        }
    }
    let mut sum = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    for (&xj, fj) in tail.iter().zip(fj) {
        sum += xj / denominator(fj);
    }
    sum
}

/// The explicit SIMD rows. A division is the costly part of the scalar row (a 512-bit `vdivpd` retires one
/// vector every ~16 cycles), so these take a hardware reciprocal estimate and refine it with FMAs instead: every
/// entry 1/d comes out within ~1e-13 relative of the correctly rounded quotient, four orders of magnitude
/// inside the 1e-9 the check allows, and the same on every run (rows never depend on the thread split).
/// The denominators advance by exact integer additions in f64: from column j to j + L, with s = i + j,
/// d grows by L·s + L(L+1)/2 (+ L for Aᵀ, whose own index is j), and that step grows by L² per step.
#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    /// Safe wrapper: only ever selected (see `Kernel::fast`) when `simd::detected()` found AVX-512F.
    pub fn row_dot_avx512<const TRANSPOSED: bool>(i: usize, x: &[f64]) -> f64 {
        // SAFETY: the CPU has AVX-512F (runtime detection chose this path).
        unsafe { avx512::<TRANSPOSED>(i, x) }
    }

    /// Safe wrapper: only ever selected when `simd::detected()` found AVX2 and FMA.
    pub fn row_dot_avx2<const TRANSPOSED: bool>(i: usize, x: &[f64]) -> f64 {
        // SAFETY: the CPU has AVX2 and FMA (runtime detection chose this path).
        unsafe { avx2::<TRANSPOSED>(i, x) }
    }

    /// Starting denominators for lanes j = 0..lanes and their per-step increments, as plain arrays.
    fn start<const TRANSPOSED: bool, const LANES: usize>(
        i: usize,
        first_j: usize,
        step: usize,
    ) -> ([f64; LANES], [f64; LANES]) {
        let mut d = [0.0; LANES];
        let mut inc = [0.0; LANES];
        let extra = if TRANSPOSED { step as f64 } else { 0.0 };
        for lane in 0..LANES {
            let j = (first_j + lane) as f64;
            let s = i as f64 + j;
            let own = if TRANSPOSED { j } else { i as f64 };
            d[lane] = s * (s + 1.0) * 0.5 + own + 1.0;
            let l = step as f64;
            inc[lane] = l * s + l * (l + 1.0) * 0.5 + extra;
        }
        (d, inc)
    }

    /// The tail of a row (fewer columns than a vector step), with true divisions.
    fn tail<const TRANSPOSED: bool>(i: usize, from: usize, x: &[f64]) -> f64 {
        let fi = i as f64;
        let mut sum = 0.0;
        for (j, &xj) in x.iter().enumerate().skip(from) {
            let fj = j as f64;
            let s = fi + fj;
            let own = if TRANSPOSED { fj } else { fi };
            sum += xj / (s * (s + 1.0) * 0.5 + own + 1.0);
        }
        sum
    }

    /// 16 columns per iteration in two vectors of 8 (two independent chains hide the FMA latency);
    /// reciprocal: `vrcp14pd` (relative error < 2⁻¹⁴) and one cubic refinement r(1 + e + e²), e = 1 - d·r,
    /// which leaves an error below 2⁻⁴².
    #[target_feature(enable = "avx512f")]
    unsafe fn avx512<const TRANSPOSED: bool>(i: usize, x: &[f64]) -> f64 {
        const STEP: usize = 16;
        let n = x.len();
        let (d0, inc0) = start::<TRANSPOSED, 8>(i, 0, STEP);
        let (d1, inc1) = start::<TRANSPOSED, 8>(i, 8, STEP);
        // SAFETY (whole body): loads are of 8 doubles at j and j + 8 with j + 16 <= n.
        unsafe {
            let (mut d0, mut d1) = (_mm512_loadu_pd(d0.as_ptr()), _mm512_loadu_pd(d1.as_ptr()));
            let (mut inc0, mut inc1) = (
                _mm512_loadu_pd(inc0.as_ptr()),
                _mm512_loadu_pd(inc1.as_ptr()),
            );
            let grow = _mm512_set1_pd((STEP * STEP) as f64);
            let one = _mm512_set1_pd(1.0);
            let (mut acc0, mut acc1) = (_mm512_setzero_pd(), _mm512_setzero_pd());
            let recip = |d: __m512d| {
                let r = _mm512_rcp14_pd(d);
                let e = _mm512_fnmadd_pd(d, r, one);
                let p = _mm512_fmadd_pd(e, e, e);
                _mm512_fmadd_pd(r, p, r)
            };
            let mut j = 0;
            while j + STEP <= n {
                let x0 = _mm512_loadu_pd(x.as_ptr().add(j));
                let x1 = _mm512_loadu_pd(x.as_ptr().add(j + 8));
                acc0 = _mm512_fmadd_pd(x0, recip(d0), acc0);
                acc1 = _mm512_fmadd_pd(x1, recip(d1), acc1);
                d0 = _mm512_add_pd(d0, inc0);
                d1 = _mm512_add_pd(d1, inc1);
                inc0 = _mm512_add_pd(inc0, grow);
                inc1 = _mm512_add_pd(inc1, grow);
                j += STEP;
            }
            _mm512_reduce_add_pd(_mm512_add_pd(acc0, acc1)) + tail::<TRANSPOSED>(i, j, x)
        }
    }

    /// 8 columns per iteration in two vectors of 4; reciprocal: `rcpps` on the denominators rounded to f32
    /// (relative error < 1.5·2⁻¹², plus 2⁻²⁴ from the rounding) and two Newton steps r(2 - d·r) in f64, which
    /// leave an error below 2⁻⁴⁵.
    #[target_feature(enable = "avx2,fma")]
    unsafe fn avx2<const TRANSPOSED: bool>(i: usize, x: &[f64]) -> f64 {
        const STEP: usize = 8;
        let n = x.len();
        let (d0, inc0) = start::<TRANSPOSED, 4>(i, 0, STEP);
        let (d1, inc1) = start::<TRANSPOSED, 4>(i, 4, STEP);
        // SAFETY (whole body): loads are of 4 doubles at j and j + 4 with j + 8 <= n.
        unsafe {
            let (mut d0, mut d1) = (_mm256_loadu_pd(d0.as_ptr()), _mm256_loadu_pd(d1.as_ptr()));
            let (mut inc0, mut inc1) = (
                _mm256_loadu_pd(inc0.as_ptr()),
                _mm256_loadu_pd(inc1.as_ptr()),
            );
            let grow = _mm256_set1_pd((STEP * STEP) as f64);
            let one = _mm256_set1_pd(1.0);
            let (mut acc0, mut acc1) = (_mm256_setzero_pd(), _mm256_setzero_pd());
            let recip = |d: __m256d| {
                let mut r = _mm256_cvtps_pd(_mm_rcp_ps(_mm256_cvtpd_ps(d)));
                for _ in 0..2 {
                    let e = _mm256_fnmadd_pd(d, r, one);
                    r = _mm256_fmadd_pd(r, e, r);
                }
                r
            };
            let mut j = 0;
            while j + STEP <= n {
                let x0 = _mm256_loadu_pd(x.as_ptr().add(j));
                let x1 = _mm256_loadu_pd(x.as_ptr().add(j + 4));
                acc0 = _mm256_fmadd_pd(x0, recip(d0), acc0);
                acc1 = _mm256_fmadd_pd(x1, recip(d1), acc1);
                d0 = _mm256_add_pd(d0, inc0);
                d1 = _mm256_add_pd(d1, inc1);
                inc0 = _mm256_add_pd(inc0, grow);
                inc1 = _mm256_add_pd(inc1, grow);
                j += STEP;
            }
            let acc = _mm256_add_pd(acc0, acc1);
            let mut lanes = [0.0; 4];
            _mm256_storeu_pd(lanes.as_mut_ptr(), acc);
            (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]) + tail::<TRANSPOSED>(i, j, x)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A(i, j) straight from the definition, in integers.
    fn a(i: usize, j: usize) -> f64 {
        1.0 / ((i + j) * (i + j + 1) / 2 + i + 1) as f64
    }

    /// Every row function this CPU can run, with its name.
    fn rows() -> Vec<(&'static str, RowDot, RowDot)> {
        let mut rows: Vec<(&'static str, RowDot, RowDot)> =
            vec![("portable", row_dot::<false>, row_dot::<true>)];
        #[cfg(target_arch = "x86_64")]
        {
            if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
                rows.push((
                    "avx2",
                    x86::row_dot_avx2::<false>,
                    x86::row_dot_avx2::<true>,
                ));
            }
            if is_x86_feature_detected!("avx512f") {
                rows.push((
                    "avx512",
                    x86::row_dot_avx512::<false>,
                    x86::row_dot_avx512::<true>,
                ));
            }
        }
        rows
    }

    #[test]
    fn matrix_entries_match_the_definition() {
        // sizes around the vector steps (4, 8, 16) exercise the tails; 300 reaches large denominators
        for (name, a_row, at_row) in rows() {
            for n in [1, 3, 4, 7, 10, 15, 16, 17, 33, 300] {
                let x: Vec<f64> = (0..n).map(|k| 1.0 + (k % 7) as f64).collect();
                for i in (0..n).step_by(1 + n / 20) {
                    let direct: f64 = (0..n).map(|j| a(i, j) * x[j]).sum();
                    let direct_t: f64 = (0..n).map(|j| a(j, i) * x[j]).sum();
                    let (got, got_t) = (a_row(i, &x), at_row(i, &x));
                    assert!(
                        (got - direct).abs() < 1e-12 * direct.abs(),
                        "{name} n={n} i={i}"
                    );
                    assert!(
                        (got_t - direct_t).abs() < 1e-12 * direct_t.abs(),
                        "{name} n={n} i={i} T"
                    );
                }
            }
        }
    }

    #[test]
    fn large_denominators_stay_accurate() {
        // the last rows of the largest n: denominators near 2e10, where the f32 estimate of the AVX2 path is
        // itself rounded
        let n = MAX_N;
        let x = vec![1.0; n];
        for (name, a_row, at_row) in rows() {
            for i in [0, n / 2, n - 1] {
                let direct: f64 = (0..n).map(|j| a(i, j)).sum();
                let direct_t: f64 = (0..n).map(|j| a(j, i)).sum();
                assert!(
                    (a_row(i, &x) - direct).abs() < 1e-12 * direct,
                    "{name} i={i}"
                );
                assert!(
                    (at_row(i, &x) - direct_t).abs() < 1e-12 * direct_t,
                    "{name} i={i} T"
                );
            }
        }
    }

    #[test]
    fn n_100_matches_the_benchmarks_game() {
        for mode in [Mode::Fast, Mode::Scalar] {
            let r = spectral_norm(100, mode);
            assert_eq!(format!("{:.9}", r.norm), "1.274219991", "{mode:?}");
            assert!(r.vbv > 0.0 && r.vv > 0.0);
        }
    }

    #[test]
    fn fast_and_scalar_agree_to_the_check() {
        let (f, s) = (
            spectral_norm(333, Mode::Fast),
            spectral_norm(333, Mode::Scalar),
        );
        for (x, y) in [(f.norm, s.norm), (f.vbv, s.vbv), (f.vv, s.vv)] {
            assert!((x - y).abs() <= 1e-12 * y.abs(), "{x} vs {y}");
        }
    }

    #[test]
    fn sizes_are_checked() {
        assert_eq!(checked_n(1).unwrap(), 1);
        assert!(checked_n(0).is_err());
        assert!(checked_n(-5).is_err());
        assert!(checked_n(i64::MAX).is_err());
    }
}
