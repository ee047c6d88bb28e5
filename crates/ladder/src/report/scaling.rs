//! Scaling: how each rung's time grows with the work. For a benchmark measured at several sizes, a least-squares
//! line through (log n, log median time) per rung and runtime; its slope is the exponent (n-body should be near 1
//! in steps, spectral-norm near 2 in N). Only `ok` and verified cells count: a wrong output's time says nothing,
//! and neither does an unconfirmed one (the baseline's output at a custom n that no other rung reproduced).
//!
//! Beside the wall-time exponent, the same fit of the median CPU time: on a busy machine a single-threaded worker
//! waits for a core (CPU time well below wall time), which inflates some wall-time points and bends the fit; the
//! CPU-time fit is not bent by waiting. A point that waited (CPU below 80% of wall time in one process) marks its
//! fit ≈ like a noisy one.

use super::card::{labels, runtime_sort_key};
use crate::results::{Results, Status};

#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    pub benchmark: String,
    pub rung: String,
    pub runtime: String,
    /// `Rung · Runtime`, as the reports show it.
    pub label: String,
    /// (n, median ns), smallest n first.
    pub points: Vec<(f64, f64)>,
    /// The slope of log(time) against log(n); None with fewer than two distinct n.
    pub exponent: Option<f64>,
    /// (n, median CPU ns per call, all threads and child processes), where the cell recorded it.
    pub cpu_points: Vec<(f64, f64)>,
    /// The same slope for the CPU time; None unless every point has a CPU time.
    pub cpu_exponent: Option<f64>,
    /// Some point's interval is below 95% coverage or its spread is wide (the card's ≈): read the exponent as
    /// rough.
    pub shaky: bool,
}

impl Fit {
    /// `1.02`, or `≈ 1.21` when a point is shaky; empty without an exponent.
    pub fn exponent_text(&self) -> String {
        match self.exponent {
            Some(e) => format!("{}{e:.2}", if self.shaky { "≈ " } else { "" }),
            None => String::new(),
        }
    }

    /// The CPU-time exponent, `1.00`, or empty.
    pub fn cpu_exponent_text(&self) -> String {
        self.cpu_exponent
            .map(|e| format!("{e:.2}"))
            .unwrap_or_default()
    }
}

/// The worker waited for a core: CPU time well below wall time in a single process.
fn waited(c: &crate::results::Cell) -> bool {
    matches!((c.cpu_ns, c.median_ns), (Some(cpu), Some(wall)) if wall > 0.0 && cpu / wall < 0.8)
        && c.processes.unwrap_or(1) <= 1
}

/// Least-squares slope of log y against log x.
pub fn log_log_slope(points: &[(f64, f64)]) -> Option<f64> {
    let pts: Vec<(f64, f64)> = points
        .iter()
        .filter(|(x, y)| *x > 0.0 && *y > 0.0)
        .map(|(x, y)| (x.ln(), y.ln()))
        .collect();
    if pts.len() < 2 {
        return None;
    }
    let n = pts.len() as f64;
    let mx = pts.iter().map(|p| p.0).sum::<f64>() / n;
    let my = pts.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = pts.iter().map(|p| (p.0 - mx).powi(2)).sum();
    if sxx <= 0.0 {
        return None;
    }
    let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    Some(sxy / sxx)
}

/// One fit per rung and runtime of `benchmark` that was measured at two or more sizes, in ladder order.
pub fn fits(results: &Results, benchmark: &str) -> Vec<Fit> {
    let mut cells: Vec<_> = results
        .cells
        .iter()
        .filter(|c| {
            c.benchmark == benchmark
                && c.status == Status::Ok
                && c.median_ns.is_some()
                && c.verified
        })
        .collect();
    cells.sort_by_key(|c| (runtime_sort_key(results, c), c.n));
    let mut out: Vec<Fit> = Vec::new();
    for c in cells {
        let point = (c.n as f64, c.median_ns.unwrap_or(f64::NAN));
        let cpu_point = c.cpu_ns.map(|cpu| (c.n as f64, cpu));
        let shaky = c.noisy || c.ci_level.is_some_and(|l| l < 0.95) || waited(c);
        match out.last_mut() {
            Some(f) if f.rung == c.rung_label() && f.runtime == c.runtime => {
                f.points.push(point);
                f.cpu_points.extend(cpu_point);
                f.shaky |= shaky;
            }
            _ => {
                let (rung, runtime) = labels(results, c);
                out.push(Fit {
                    benchmark: benchmark.into(),
                    rung: c.rung_label(),
                    runtime: c.runtime.clone(),
                    label: format!("{rung} · {runtime}"),
                    points: vec![point],
                    exponent: None,
                    cpu_points: cpu_point.into_iter().collect(),
                    cpu_exponent: None,
                    shaky,
                })
            }
        }
    }
    out.retain(|f| f.points.len() >= 2);
    for f in &mut out {
        f.exponent = log_log_slope(&f.points);
        if f.cpu_points.len() == f.points.len() {
            f.cpu_exponent = log_log_slope(&f.cpu_points);
        }
    }
    out
}

/// The scaling of one benchmark measured at two or more sizes.
#[derive(Debug, Clone)]
pub struct Section {
    pub benchmark: String,
    pub title: String,
    /// What n counts (`steps`, `N`, `events`).
    pub work: String,
    /// Empty when no rung has verified points at two sizes (said so, rather than leaving the section out).
    pub fits: Vec<Fit>,
}

/// One section per benchmark measured at two or more sizes, in the order the benchmarks were run.
pub fn sections(results: &Results) -> Vec<Section> {
    results
        .benchmarks
        .iter()
        .filter(|b| super::card::sizes_of(results, &b.id).len() >= 2)
        .map(|b| Section {
            benchmark: b.id.clone(),
            title: b.title.clone(),
            work: b.work.clone(),
            fits: fits(results, &b.id),
        })
        .collect()
}

/// What the reports say under the fits.
pub const NOTE: &str = "least-squares slope of log(median time) against log(n), over the verified points only \
                        (pinned or cross-checked), for the wall time and for the CPU time (which waiting for a \
                        core on a busy machine does not inflate); ≈: some point is itself ≈ (wide spread, few \
                        samples, or CPU below 80% of wall: it waited); an exponent from two points or from a \
                        narrow range of n is rough";

/// `1.2 ms @ 100, 110 ms @ 1000`: the points of a fit.
pub fn points_text(f: &Fit) -> String {
    f.points
        .iter()
        .map(|(n, t)| format!("{} @ {n}", super::format::duration(*t)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `exponent 1.98 (n=100: 1.2 ms, n=1000: 110 ms)`: the fit as a line of text.
pub fn describe(f: &Fit) -> String {
    let points: Vec<String> = f
        .points
        .iter()
        .map(|(n, t)| format!("n={n}: {}", super::format::duration(*t)))
        .collect();
    match f.exponent {
        Some(_) => format!(
            "exponent {}{} ({})",
            f.exponent_text(),
            f.cpu_exponent
                .map(|e| format!(", CPU time {e:.2}"))
                .unwrap_or_default(),
            points.join(", ")
        ),
        None => format!("no exponent ({})", points.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slope_of_known_powers() {
        let square: Vec<(f64, f64)> = [100.0, 400.0, 2000.0]
            .iter()
            .map(|&n| (n, 3.0 * n * n))
            .collect();
        assert!((log_log_slope(&square).unwrap() - 2.0).abs() < 1e-9);
        let linear = [(1000.0, 5.0), (500_000.0, 2500.0)];
        assert!((log_log_slope(&linear).unwrap() - 1.0).abs() < 1e-9);
        assert_eq!(log_log_slope(&[(10.0, 1.0)]), None);
        assert_eq!(log_log_slope(&[(10.0, 1.0), (10.0, 2.0)]), None);
    }
}
