//! Number formatting for reports: durations, intervals and ratios with no more digits than their interval
//! supports.

/// Picks a unit for a duration in ns: (divisor, suffix).
fn unit(ns: f64) -> (f64, &'static str) {
    match ns.abs() {
        x if x >= 1e9 => (1e9, "s"),
        x if x >= 1e6 => (1e6, "ms"),
        x if x >= 1e3 => (1e3, "µs"),
        _ => (1.0, "ns"),
    }
}

/// Decimal places that show `value` to the precision of `uncertainty` (its first significant digit), at least
/// 2 and at most 4 significant digits of `value` in all.
fn decimals(value: f64, uncertainty: f64) -> usize {
    if value == 0.0 {
        return 0; // a zero has no magnitude to keep digits of (an axis starts at 0 ns)
    }
    let magnitude = value.abs().max(f64::MIN_POSITIVE).log10().floor() as i32; // 1.2 -> 0, 12 -> 1
    let max_decimals = (3 - magnitude).max(0); // 4 significant digits
    let min_decimals = (1 - magnitude).max(0); // 2 significant digits
    let wanted = if uncertainty > 0.0 && uncertainty.is_finite() {
        (-(uncertainty.log10().floor() as i32)).max(0)
    } else {
        max_decimals
    };
    wanted.clamp(min_decimals, max_decimals) as usize
}

/// `1.24 s`: a duration alone (3 significant digits).
pub fn duration(ns: f64) -> String {
    let (div, suffix) = unit(ns);
    let v = ns / div;
    format!("{:.*} {suffix}", decimals(v, v / 100.0), v)
}

/// `1.24 s [1.22, 1.27]`: a median with its interval, to the precision the interval supports.
pub fn duration_ci(median: f64, ci: [f64; 2]) -> String {
    let (div, suffix) = unit(median);
    let (m, lo, hi) = (median / div, ci[0] / div, ci[1] / div);
    let d = decimals(m, (hi - lo) / 2.0);
    format!("{m:.d$} {suffix} [{lo:.d$}, {hi:.d$}]")
}

/// `13.2x [12.9, 13.5]`.
pub fn ratio_ci(value: f64, ci: [f64; 2]) -> String {
    let d = decimals(value, (ci[1] - ci[0]) / 2.0);
    format!("{value:.d$}x [{:.d$}, {:.d$}]", ci[0], ci[1])
}

/// `13x`, `2.4x`, `1.04x`, `0.75x`, `520x`: the study's published style.
pub fn ratio(value: f64) -> String {
    if value >= 10.0 {
        format!("{value:.0}x")
    } else if value >= 2.0 {
        format!("{value:.1}x")
    } else {
        format!("{value:.2}x")
    }
}

pub fn bytes(b: u64) -> String {
    let b = b as f64;
    match b {
        x if x >= 1024.0 * 1024.0 * 1024.0 => format!("{:.1} GiB", x / (1024.0 * 1024.0 * 1024.0)),
        x if x >= 1024.0 * 1024.0 => format!("{:.0} MiB", x / (1024.0 * 1024.0)),
        x => format!("{:.0} KiB", x / 1024.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_is_written_without_digits() {
        // An axis tick at 0 once printed 311 decimals: log10 of the smallest positive double.
        assert_eq!(duration(0.0), "0 ns");
        assert_eq!(duration(2.5e6), "2.50 ms");
    }

    #[test]
    fn digits_follow_the_interval() {
        // A tight interval earns more digits than a wide one.
        assert_eq!(
            duration_ci(1.2434e9, [1.2431e9, 1.2437e9]),
            "1.243 s [1.243, 1.244]"
        );
        assert_eq!(
            duration_ci(1.2434e9, [1.21e9, 1.29e9]),
            "1.24 s [1.21, 1.29]"
        );
        assert_eq!(duration_ci(1.2434e9, [0.9e9, 1.6e9]), "1.2 s [0.9, 1.6]");
        assert_eq!(
            duration_ci(98.4e6, [97.9e6, 99.1e6]),
            "98.4 ms [97.9, 99.1]"
        );
        assert_eq!(
            duration_ci(12_345.0, [12_000.0, 12_700.0]),
            "12.3 µs [12.0, 12.7]"
        );
        assert_eq!(duration_ci(14.05e9, [13.0e9, 15.2e9]), "14 s [13, 15]");
        // No interval: 4 significant digits at most.
        assert_eq!(
            duration_ci(1.2434e9, [1.2434e9, 1.2434e9]),
            "1.243 s [1.243, 1.243]"
        );
    }

    #[test]
    fn plain_values() {
        assert_eq!(duration(1.5e6), "1.50 ms");
        assert_eq!(duration(250.0), "250 ns");
        assert_eq!(ratio(0.7468), "0.75x");
        assert_eq!(ratio(1242.0 / 518.0), "2.4x");
        assert_eq!(ratio(1242.0 / 1200.0), "1.03x");
        assert_eq!(ratio(520.2), "520x");
        assert_eq!(ratio_ci(13.21, [12.9, 13.5]), "13.2x [12.9, 13.5]");
        assert_eq!(bytes(30 * 1024 * 1024), "30 MiB");
    }
}
