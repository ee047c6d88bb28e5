//! Statistics for one cell: median, min, MAD, a distribution-free confidence interval for the median, and the
//! speedup against the baseline with its interval.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub n: usize,
    pub median_ns: f64,
    pub min_ns: f64,
    pub max_ns: f64,
    /// Median absolute deviation (unscaled).
    pub mad_ns: f64,
    /// Confidence interval for the median: [lo, hi].
    pub ci95_ns: [f64; 2],
    /// The coverage that interval really has. With fewer than 6 samples no pair of order statistics reaches 95%,
    /// and the interval is [min, max] with the lower coverage said here, never passed off as 95%.
    pub ci_level: f64,
}

pub fn median(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

/// P(X <= k) for X ~ Binomial(n, 1/2), in log space so large n does not underflow.
fn binom_cdf_half(k: usize, n: usize) -> f64 {
    let ln_half_n = -(n as f64) * std::f64::consts::LN_2;
    let mut ln_choose = 0.0f64; // ln C(n, 0)
    let mut sum = 0.0;
    for i in 0..=k.min(n) {
        if i > 0 {
            ln_choose += ((n - i + 1) as f64).ln() - (i as f64).ln();
        }
        sum += (ln_choose + ln_half_n).exp();
    }
    sum.min(1.0)
}

/// The order-statistic interval for the median: the narrowest symmetric [x_(j), x_(n-j+1)] whose coverage is at
/// least `level`, with the coverage it really has.
fn median_ci(sorted: &[f64], level: f64) -> ([f64; 2], f64) {
    let n = sorted.len();
    // Coverage of [x_(j), x_(n+1-j)] (1-based) is 1 - 2 * P(X <= j-1).
    let coverage = |j: usize| 1.0 - 2.0 * binom_cdf_half(j - 1, n);
    let mut best = 1;
    for j in 1..=n.div_ceil(2) {
        if coverage(j) >= level {
            best = j;
        } else {
            break;
        }
    }
    let achieved = coverage(best).max(0.0);
    ([sorted[best - 1], sorted[n - best]], achieved)
}

fn sorted(samples: &[f64]) -> Option<Vec<f64>> {
    if samples.is_empty() || samples.iter().any(|s| !s.is_finite()) {
        return None;
    }
    let mut v = samples.to_vec();
    v.sort_by(f64::total_cmp);
    Some(v)
}

pub fn summarize(samples: &[f64]) -> Option<Summary> {
    let sorted = sorted(samples)?;
    let med = median(&sorted);
    let mut dev: Vec<f64> = sorted.iter().map(|x| (x - med).abs()).collect();
    dev.sort_by(f64::total_cmp);
    let (ci, level) = median_ci(&sorted, 0.95);
    Some(Summary {
        n: sorted.len(),
        median_ns: med,
        min_ns: sorted[0],
        max_ns: sorted[sorted.len() - 1],
        mad_ns: median(&dev),
        ci95_ns: ci,
        ci_level: level,
    })
}

/// Speedup of `cell` over `baseline` (ratio of medians) and its interval: the ratio of the two medians' intervals,
/// each taken at 97.5% so that, by Bonferroni, the ratio's interval covers at least 95%.
/// Returns None when either side has no usable samples.
pub fn speedup(baseline: &[f64], cell: &[f64]) -> Option<(f64, [f64; 2])> {
    let (b, c) = (sorted(baseline)?, sorted(cell)?);
    let (bci, _) = median_ci(&b, 0.975);
    let (cci, _) = median_ci(&c, 0.975);
    Some((median(&b) / median(&c), [bci[0] / cci[1], bci[1] / cci[0]]))
}

/// True when the interval is too wide to rank this cell against a neighbour that differs by less than ~10%:
/// the spread (relative half-width of the interval) exceeds 5%.
pub fn is_noisy(s: &Summary) -> bool {
    (s.ci95_ns[1] - s.ci95_ns[0]) / 2.0 > 0.05 * s.median_ns
}

/// `SplitMix64` (Steele, Lea and Flood 2014): tiny, fast, and fully specified by integer arithmetic.
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..bound` (0 when `bound` is 0), by the multiply-high method.
    pub fn below(&mut self, bound: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(bound)) >> 64) as u64
    }

    /// A number in `lo..=hi`.
    pub fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi.saturating_sub(lo).saturating_add(1))
    }

    /// True with probability `percent / 100`.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// An index into `weights`, drawn in proportion to the weights.
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
        let mut r = self.below(total);
        for (i, &w) in weights.iter().enumerate() {
            let w = u64::from(w);
            if r < w {
                return i;
            }
            r -= w;
        }
        weights.len().saturating_sub(1)
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        let i = usize::try_from(self.below(items.len() as u64)).unwrap_or(0);
        items.get(i).copied().unwrap_or("")
    }

    /// Shuffles `items` in place (Fisher-Yates): the same seed gives the same order on every machine.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = usize::try_from(self.below(i as u64 + 1)).unwrap_or(i);
            items.swap(i, j);
        }
    }
}

/// A seed derived from `seed` and a stream number (a round, a cell), so every use of a run's one recorded seed
/// draws from its own stream.
pub fn derive_seed(seed: u64, stream: u64) -> u64 {
    let mut rng = SplitMix64::new(seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
    rng.next_u64()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_odd_and_even() {
        assert_eq!(median(&[1.0, 2.0, 9.0]), 2.0);
        assert_eq!(median(&[1.0, 2.0, 4.0, 9.0]), 3.0);
        assert!(median(&[]).is_nan());
    }

    #[test]
    fn summary_of_known_samples() {
        let s = summarize(&[5.0, 1.0, 4.0, 2.0, 3.0]).unwrap();
        assert_eq!(s.median_ns, 3.0);
        assert_eq!(s.min_ns, 1.0);
        assert_eq!(s.max_ns, 5.0);
        // deviations 2,2,1,1,0 -> median 1
        assert_eq!(s.mad_ns, 1.0);
        // n = 5 cannot reach 95%: [min, max] at 1 - 2/32 = 93.75%.
        assert_eq!(s.ci95_ns, [1.0, 5.0]);
        assert!((s.ci_level - 0.9375).abs() < 1e-12);
    }

    #[test]
    fn ci_uses_the_textbook_order_statistics() {
        // For n = 20 the 95% interval for the median is [x_(6), x_(15)] (coverage 95.86%).
        let samples: Vec<f64> = (1..=20).map(f64::from).collect();
        let s = summarize(&samples).unwrap();
        assert_eq!(s.ci95_ns, [6.0, 15.0]);
        assert!(s.ci_level >= 0.95 && s.ci_level < 0.96, "{}", s.ci_level);
        // n = 6 is the smallest with a 95% interval: [min, max] at 96.875%.
        let s6 = summarize(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap();
        assert_eq!(s6.ci95_ns, [1.0, 6.0]);
        assert!((s6.ci_level - 0.96875).abs() < 1e-12);
    }

    #[test]
    fn large_samples_do_not_underflow() {
        // 0.5^2000 underflows f64; the interval must still be the textbook one, not collapse to the median.
        let samples: Vec<f64> = (1..=2000).map(f64::from).collect();
        let s = summarize(&samples).unwrap();
        // Normal approximation: j = n/2 - 1.96 * sqrt(n)/2 ~ 956.2 -> order statistics near 956 and 1045.
        assert!((950.0..=960.0).contains(&s.ci95_ns[0]), "{:?}", s.ci95_ns);
        assert!((1040.0..=1050.0).contains(&s.ci95_ns[1]), "{:?}", s.ci95_ns);
        assert!(s.ci_level >= 0.95 && s.ci_level < 0.96);
    }

    #[test]
    fn single_sample_and_bad_input() {
        let s = summarize(&[7.0]).unwrap();
        assert_eq!(s.ci95_ns, [7.0, 7.0]);
        assert_eq!(s.ci_level, 0.0);
        assert!(summarize(&[]).is_none());
        assert!(summarize(&[1.0, f64::NAN]).is_none());
    }

    #[test]
    fn speedup_and_its_interval() {
        let base_samples = [100.0, 110.0, 90.0, 100.0, 105.0, 95.0, 101.0, 99.0];
        let fast_samples = [10.0, 11.0, 9.0, 10.0, 10.5, 9.5, 10.1, 9.9];
        let (s, [lo, hi]) = speedup(&base_samples, &fast_samples).unwrap();
        assert!((s - 10.0).abs() < 1e-9);
        // n = 8 at 97.5%: [x_(1), x_(8)] (coverage 99.2%; [x_(2), x_(7)] has only 93%).
        assert!((lo - 90.0 / 11.0).abs() < 1e-9);
        assert!((hi - 110.0 / 9.0).abs() < 1e-9);
        assert!(lo < s && s < hi);
        assert!(speedup(&base_samples, &[]).is_none());
        let base = summarize(&base_samples).unwrap();
        assert!(is_noisy(&base));
        let tight = summarize(&[100.0, 100.5, 99.5, 100.0, 100.2, 99.8]).unwrap();
        assert!(!is_noisy(&tight));
    }
}
