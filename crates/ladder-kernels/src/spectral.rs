//! The Benchmarks Game spectral-norm: the largest singular value of the infinite matrix
//! A(i, j) = 1 / ((i + j)(i + j + 1) / 2 + i + 1) truncated to n × n, by ten rounds of the power method on AᵀA.
//!
//! Rows are shared out to rayon's threads; each row's dot product runs in four independent lanes so the
//! compiler can vectorise it (the lanes change the summation order, well inside the 1e-9 the check allows).

use rayon::prelude::*;

use crate::SizeError;

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

/// Runs the power method for an n × n truncation. `n` must be in 1..=MAX_N (see [`checked_n`]).
pub fn spectral_norm(n: usize) -> SpectralNorm {
    let mut u = vec![1.0; n];
    let mut v = vec![0.0; n];
    let mut tmp = vec![0.0; n];
    for _ in 0..ROUNDS {
        mul_atav(&u, &mut v, &mut tmp);
        mul_atav(&v, &mut u, &mut tmp);
    }
    let vbv: f64 = u.iter().zip(&v).map(|(a, b)| a * b).sum();
    let vv: f64 = v.iter().map(|x| x * x).sum();
    SpectralNorm {
        norm: (vbv / vv).sqrt(),
        vbv,
        vv,
    }
}

/// out = AᵀA x
fn mul_atav(x: &[f64], out: &mut [f64], tmp: &mut [f64]) {
    mul_a::<false>(x, tmp);
    mul_a::<true>(tmp, out);
}

/// out = A x, or Aᵀ x when `TRANSPOSED`.
fn mul_a<const TRANSPOSED: bool>(x: &[f64], out: &mut [f64]) {
    out.par_iter_mut()
        .with_min_len(MIN_ROWS_PER_TASK)
        .enumerate()
        .for_each(|(i, o)| *o = row_dot::<TRANSPOSED>(i, x));
}

/// Row i of A (or of Aᵀ) times x. With s = i + j, the denominator of A(i, j) is s(s + 1)/2 + i + 1 and that of
/// Aᵀ(i, j) = A(j, i) is s(s + 1)/2 + j + 1; both are integers far below 2⁵³, so computing them in f64 is exact.
/// j is carried as an f64 per lane (no integer conversion in the loop), so the body is plain packed arithmetic;
/// its cost is the divisions (AVX would not help: a 256-bit division takes twice as long as a 128-bit one).
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A(i, j) straight from the definition, in integers.
    fn a(i: usize, j: usize) -> f64 {
        1.0 / ((i + j) * (i + j + 1) / 2 + i + 1) as f64
    }

    #[test]
    fn matrix_entries_match_the_definition() {
        for n in [1, 3, 4, 7, 10] {
            let x: Vec<f64> = (0..n).map(|k| 1.0 + k as f64).collect();
            for i in 0..n {
                let direct: f64 = (0..n).map(|j| a(i, j) * x[j]).sum();
                let direct_t: f64 = (0..n).map(|j| a(j, i) * x[j]).sum();
                assert!((row_dot::<false>(i, &x) - direct).abs() < 1e-12 * direct.abs());
                assert!((row_dot::<true>(i, &x) - direct_t).abs() < 1e-12 * direct_t.abs());
            }
        }
    }

    #[test]
    fn n_100_matches_the_benchmarks_game() {
        let r = spectral_norm(100);
        assert_eq!(format!("{:.9}", r.norm), "1.274219991");
        assert!(r.vbv > 0.0 && r.vv > 0.0);
    }

    #[test]
    fn sizes_are_checked() {
        assert_eq!(checked_n(1).unwrap(), 1);
        assert!(checked_n(0).is_err());
        assert!(checked_n(-5).is_err());
        assert!(checked_n(i64::MAX).is_err());
    }
}
