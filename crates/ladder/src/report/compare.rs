//! `ladder compare A.json B.json`: two results documents side by side (two machines, or before/after).
//!
//! Cells are matched by benchmark, rung, runtime and size; a cell whose runtime differs (the study ran its
//! compiled rungs on CPython 3.14, this machine perhaps on 3.13) is matched on benchmark, rung and size when that
//! pair is unique on both sides, and the runtime difference is said. For each pair: the ratio of medians (B's time
//! over A's) with a 95% interval (the Bonferroni ratio of the two medians' 97.5% intervals, as for speedups), and
//! a two-sided **Mann-Whitney U test** on the raw samples (exact distribution when there are no ties and
//! n_A x n_B <= 2500, else the normal approximation with tie and continuity corrections). Timing samples are
//! skewed and heavy-tailed, so a rank test is safer than Welch's t. A cell with no samples (the study's published
//! medians) gets the ratio of medians and no test, said as such.
//!
//! Two runs of the same code on the same machine should agree: the comparison counts how many of B's speedups lie
//! inside A's 95% intervals (the baseline's own, 1x by definition, left out), the reproducibility check of
//! docs/measuring.md.

use super::card::labels;
use super::format;
use crate::catalog::SizeName;
use crate::results::{Cell, Results, Status};
use statrs::distribution::ContinuousCDF;
use std::collections::BTreeMap;

pub const ALPHA: f64 = 0.05;

#[derive(Debug, Clone, PartialEq)]
pub struct Test {
    pub u: f64,
    pub p: f64,
    pub method: &'static str,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Faster,
    Slower,
    NoSignificantDifference,
    /// No test possible, with why (no samples, too few samples, a cell not ok).
    Untested(String),
}

#[derive(Debug, Clone)]
pub struct Pair {
    pub benchmark: String,
    pub rung: String,
    pub size: SizeName,
    pub n: u64,
    pub label_a: String,
    pub label_b: String,
    pub median_a: Option<f64>,
    pub median_b: Option<f64>,
    /// B's median time over A's: below 1 means B is faster.
    pub ratio: Option<f64>,
    pub ratio_ci: Option<[f64; 2]>,
    pub test: Option<Test>,
    pub verdict: Verdict,
    /// A's speedup against its baseline with its 95% interval, and B's speedup (`None` for the baseline cells,
    /// whose speedup is 1x by definition, and for cells without one).
    pub speedup_a: Option<(f64, [f64; 2])>,
    pub speedup_b: Option<f64>,
}

#[derive(Debug, Clone, Default)]
pub struct Comparison {
    /// Machine, baseline, runtime and tool differences: said first, because they explain the rest.
    pub differences: Vec<String>,
    pub pairs: Vec<Pair>,
    pub only_a: Vec<String>,
    pub only_b: Vec<String>,
}

impl Comparison {
    /// How many of B's speedups lie inside A's 95% intervals, out of how many pairs have both.
    pub fn speedups_inside(&self) -> (usize, usize) {
        let checked: Vec<bool> = self.pairs.iter().filter_map(Pair::speedup_inside).collect();
        (
            checked.iter().filter(|inside| **inside).count(),
            checked.len(),
        )
    }

    /// The sentence the reports print about it, with the speedups that fell outside; `None` when no pair has
    /// speedups on both sides.
    pub fn speedups_inside_text(&self) -> Option<String> {
        let (inside, total) = self.speedups_inside();
        if total == 0 {
            return None;
        }
        let mut s = format!(
            "Speedups: {inside} of {total} of B's speedups ({:.0}%) lie inside A's 95% intervals.",
            inside as f64 * 100.0 / total as f64
        );
        for p in self
            .pairs
            .iter()
            .filter(|p| p.speedup_inside() == Some(false))
        {
            if let (Some((_, ci)), Some(b)) = (p.speedup_a, p.speedup_b) {
                s.push_str(&format!(
                    "\n  outside: {} ({}) {}: B {}, A's interval [{}, {}]",
                    p.benchmark,
                    p.size_label(),
                    p.label_b,
                    format::ratio(b),
                    format::ratio(ci[0]),
                    format::ratio(ci[1])
                ));
            }
        }
        Some(s)
    }

    /// Pairs where B is significantly slower than A by more than `pct` percent.
    pub fn slower_than(&self, pct: f64) -> Vec<&Pair> {
        self.pairs
            .iter()
            .filter(|p| {
                p.verdict == Verdict::Slower && p.ratio.is_some_and(|r| (r - 1.0) * 100.0 > pct)
            })
            .collect()
    }
}

/// Standard normal upper tail.
fn normal_sf(z: f64) -> f64 {
    statrs::distribution::Normal::standard().sf(z)
}

/// P(U <= u) under the null, exactly, for sample sizes m and n without ties: the recursion
/// p(m, n, u) = m/(m+n) p(m-1, n, u-n) + n/(m+n) p(m, n-1, u), in probabilities so nothing overflows.
fn exact_cdf(m: usize, n: usize, u: usize) -> f64 {
    let max_u = m * n;
    // table[i][j] = distribution of U for sizes (i, j), as a vector over u.
    let mut prev_row: Vec<Vec<f64>> = (0..=n).map(|_| vec![1.0]).collect(); // i = 0: U = 0 surely
    for i in 1..=m {
        let mut row: Vec<Vec<f64>> = Vec::with_capacity(n + 1);
        row.push(vec![1.0]); // j = 0
        for j in 1..=n {
            let mut dist = vec![0.0; i * j + 1];
            let w_a = i as f64 / (i + j) as f64;
            let w_b = j as f64 / (i + j) as f64;
            // The largest observation is from sample A (prob i/(i+j)): it beats all j of B.
            for (k, p) in prev_row[j].iter().enumerate() {
                dist[k + j] += w_a * p;
            }
            for (k, p) in row[j - 1].iter().enumerate() {
                dist[k] += w_b * p;
            }
            row.push(dist);
        }
        prev_row = row;
    }
    prev_row[n]
        .iter()
        .take(u.min(max_u) + 1)
        .sum::<f64>()
        .min(1.0)
}

/// Two-sided Mann-Whitney U test of samples a and b. None when either has fewer than 2 samples.
pub fn mann_whitney(a: &[f64], b: &[f64]) -> Option<Test> {
    let (m, n) = (a.len(), b.len());
    if m < 2 || n < 2 || a.iter().chain(b).any(|x| !x.is_finite()) {
        return None;
    }
    let mut all: Vec<(f64, bool)> = a
        .iter()
        .map(|&x| (x, true))
        .chain(b.iter().map(|&x| (x, false)))
        .collect();
    all.sort_by(|x, y| x.0.total_cmp(&y.0));
    // Mid-ranks for ties, and the tie term of the variance.
    let mut rank_sum_a = 0.0;
    let mut tie_term = 0.0;
    let mut i = 0;
    while i < all.len() {
        let mut j = i;
        while j + 1 < all.len() && all[j + 1].0 == all[i].0 {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        let t = (j - i + 1) as f64;
        tie_term += t * t * t - t;
        rank_sum_a += all[i..=j].iter().filter(|x| x.1).count() as f64 * rank;
        i = j + 1;
    }
    let (mf, nf) = (m as f64, n as f64);
    let u_a = rank_sum_a - mf * (mf + 1.0) / 2.0;
    let u = u_a.min(mf * nf - u_a);
    if tie_term == 0.0 && m * n <= 2500 {
        let p = (2.0 * exact_cdf(m, n, u as usize)).min(1.0);
        return Some(Test {
            u: u_a,
            p,
            method: "Mann-Whitney U, exact",
        });
    }
    let total = mf + nf;
    let var = mf * nf / 12.0 * ((total + 1.0) - tie_term / (total * (total - 1.0)));
    if var <= 0.0 {
        // Every value identical: no evidence of any difference.
        return Some(Test {
            u: u_a,
            p: 1.0,
            method: "Mann-Whitney U, all values tied",
        });
    }
    let z = ((mf * nf / 2.0 - u) - 0.5).max(0.0) / var.sqrt();
    Some(Test {
        u: u_a,
        p: (2.0 * normal_sf(z)).min(1.0),
        method: "Mann-Whitney U, normal approximation",
    })
}

fn label(results: &Results, c: &Cell) -> String {
    let (rung, runtime) = labels(results, c);
    format!("{rung} · {runtime}")
}

fn pair(a_doc: &Results, a: &Cell, b_doc: &Results, b: &Cell) -> Pair {
    let (median_a, median_b) = (a.median_ns, b.median_ns);
    let ratio = match (median_a, median_b) {
        (Some(x), Some(y)) if x > 0.0 && a.status == Status::Ok && b.status == Status::Ok => {
            Some(y / x)
        }
        _ => None,
    };
    // stats::speedup_runs(a, b) is A's median over B's, with its interval; invert it for B's time over A's.
    let ratio_ci = crate::stats::speedup_runs(&a.process_samples(), &b.process_samples())
        .filter(|_| ratio.is_some())
        .map(|(_, [lo, hi])| [1.0 / hi, 1.0 / lo]);
    let test = if ratio.is_some() {
        mann_whitney(&a.samples_ns, &b.samples_ns)
    } else {
        None
    };
    let verdict = if a.status != Status::Ok || b.status != Status::Ok {
        Verdict::Untested(format!(
            "A is {}, B is {}",
            a.status.as_str(),
            b.status.as_str()
        ))
    } else if a.samples_ns.is_empty() || b.samples_ns.is_empty() {
        Verdict::Untested(
            "no raw samples on one side (published medians only): ratio of medians, no test".into(),
        )
    } else {
        match &test {
            None => Verdict::Untested("fewer than 2 samples on one side: no test".into()),
            Some(t) if t.p >= ALPHA => Verdict::NoSignificantDifference,
            Some(_) if ratio.is_some_and(|r| r > 1.0) => Verdict::Slower,
            Some(_) => Verdict::Faster,
        }
    };
    let is_baseline = |doc: &Results, c: &Cell| {
        c.rung == "cpython"
            && c.tier == crate::catalog::Tier::Study
            && doc.baseline.as_ref() == Some(&c.runtime)
    };
    let speedup_a = match (a.speedup, a.speedup_ci95) {
        (Some(sp), Some(ci)) if !is_baseline(a_doc, a) && a.status == Status::Ok => Some((sp, ci)),
        _ => None,
    };
    let speedup_b = b
        .speedup
        .filter(|_| !is_baseline(b_doc, b) && b.status == Status::Ok);
    Pair {
        speedup_a,
        speedup_b,
        benchmark: a.benchmark.clone(),
        rung: a.rung_label(),
        size: a.size,
        n: a.n,
        label_a: label(a_doc, a),
        label_b: label(b_doc, b),
        median_a,
        median_b,
        ratio,
        ratio_ci,
        test,
        verdict,
    }
}

fn differences(a: &Results, b: &Results) -> Vec<String> {
    let mut out = Vec::new();
    let (ma, mb) = (&a.machine, &b.machine);
    let fields = [
        ("CPU", ma.cpu_model.clone(), mb.cpu_model.clone()),
        ("cores", ma.cores.to_string(), mb.cores.to_string()),
        (
            "memory",
            format::bytes(ma.memory_bytes),
            format::bytes(mb.memory_bytes),
        ),
        ("OS", ma.os.clone(), mb.os.clone()),
        ("kernel", ma.kernel.clone(), mb.kernel.clone()),
        ("arch", ma.arch.clone(), mb.arch.clone()),
        (
            "baseline",
            a.baseline.clone().unwrap_or_default(),
            b.baseline.clone().unwrap_or_default(),
        ),
        ("ladder", a.ladder_described(), b.ladder_described()),
    ];
    for (what, x, y) in fields {
        if x != y {
            out.push(format!("{what}: A {x} | B {y}"));
        }
    }
    let runtimes = |r: &Results| -> BTreeMap<String, String> {
        r.runtimes
            .iter()
            .map(|rt| (rt.id.clone(), rt.implementation_version.clone()))
            .collect()
    };
    let tool_diffs = |what: &str,
                      x: BTreeMap<String, String>,
                      y: BTreeMap<String, String>,
                      out: &mut Vec<String>| {
        let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
        for k in keys {
            let (vx, vy) = (x.get(k), y.get(k));
            if vx != vy {
                out.push(format!(
                    "{what} {k}: A {} | B {}",
                    vx.map(String::as_str).unwrap_or("absent"),
                    vy.map(String::as_str).unwrap_or("absent")
                ));
            }
        }
    };
    tool_diffs("runtime", runtimes(a), runtimes(b), &mut out);
    tool_diffs("tool", a.tools.clone(), b.tools.clone(), &mut out);
    out
}

/// Sizes go with their n: every numeric size is `custom`, and the same named size may have another n in another
/// catalog.
type Key = (String, String, String, SizeName, u64);

fn key(c: &Cell) -> Key {
    (
        c.benchmark.clone(),
        c.rung_label(),
        c.runtime.clone(),
        c.size,
        c.n,
    )
}

pub fn compare(a: &Results, b: &Results) -> Comparison {
    let mut cmp = Comparison {
        differences: differences(a, b),
        ..Default::default()
    };
    let b_by_key: BTreeMap<Key, &Cell> = b.cells.iter().map(|c| (key(c), c)).collect();
    let mut used_b: std::collections::BTreeSet<Key> = Default::default();
    let mut left_a: Vec<&Cell> = Vec::new();
    for c in &a.cells {
        match b_by_key.get(&key(c)) {
            Some(bc) => {
                used_b.insert(key(c));
                cmp.pairs.push(pair(a, c, b, bc));
            }
            None => left_a.push(c),
        }
    }
    let left_b: Vec<&Cell> = b
        .cells
        .iter()
        .filter(|c| !used_b.contains(&key(c)))
        .collect();
    // Second pass: the same rung on different runtimes, when that is unambiguous on both sides.
    let loose = |c: &Cell| (c.benchmark.clone(), c.rung_label(), c.size, c.n);
    let mut matched_b: Vec<bool> = vec![false; left_b.len()];
    for c in left_a {
        let same_a = a.cells.iter().filter(|x| loose(x) == loose(c)).count();
        let cands: Vec<usize> = (0..left_b.len())
            .filter(|&i| loose(left_b[i]) == loose(c))
            .collect();
        let same_b = b.cells.iter().filter(|x| loose(x) == loose(c)).count();
        if same_a == 1 && same_b == 1 && cands.len() == 1 && !matched_b[cands[0]] {
            matched_b[cands[0]] = true;
            cmp.pairs.push(pair(a, c, b, left_b[cands[0]]));
        } else {
            cmp.only_a.push(format!(
                "{} {} ({})",
                c.benchmark,
                label(a, c),
                c.size_label()
            ));
        }
    }
    for (i, c) in left_b.iter().enumerate() {
        if !matched_b[i] {
            cmp.only_b.push(format!(
                "{} {} ({})",
                c.benchmark,
                label(b, c),
                c.size_label()
            ));
        }
    }
    cmp
}

impl Pair {
    pub fn size_label(&self) -> String {
        crate::results::size_label(self.size, self.n)
    }

    /// Whether B's speedup lies inside A's 95% interval; `None` when either is missing.
    pub fn speedup_inside(&self) -> Option<bool> {
        let ((_, [lo, hi]), b) = (self.speedup_a?, self.speedup_b?);
        Some(lo <= b && b <= hi)
    }
}

impl Verdict {
    /// The verdict's name in the JSON output.
    pub fn id(&self) -> &'static str {
        match self {
            Verdict::Faster => "faster",
            Verdict::Slower => "slower",
            Verdict::NoSignificantDifference => "no-significant-difference",
            Verdict::Untested(_) => "untested",
        }
    }
}

pub const JSON_SCHEMA: &str = "ladder-compare";
pub const JSON_VERSION: u32 = 1;

/// The comparison as a machine-readable document (`ladder compare --json`): per matched cell the ratio of
/// medians (B's time over A's), its 95% interval, the test used with its statistic and p-value, and the verdict.
/// Absent values are null, never a made-up number.
pub fn to_json(cmp: &Comparison, name_a: &str, name_b: &str) -> serde_json::Value {
    use serde_json::json;
    let cells: Vec<serde_json::Value> = cmp
        .pairs
        .iter()
        .map(|p| {
            json!({
                "benchmark": p.benchmark,
                "rung": p.rung,
                "size": p.size,
                "n": p.n,
                "a": { "label": p.label_a, "median_ns": p.median_a },
                "b": { "label": p.label_b, "median_ns": p.median_b },
                "ratio": p.ratio,
                "ratio_ci95": p.ratio_ci,
                "test": p.test.as_ref().map(|t| json!({
                    "name": t.method,
                    "u": t.u,
                    "p": t.p,
                    "two_sided": true,
                })),
                "verdict": p.verdict.id(),
                "speedup_a": p.speedup_a.map(|s| s.0),
                "speedup_a_ci95": p.speedup_a.map(|s| s.1),
                "speedup_b": p.speedup_b,
                "speedup_b_inside_a_ci95": p.speedup_inside(),
                "untested_because": match &p.verdict {
                    Verdict::Untested(why) => Some(why.clone()),
                    _ => None,
                },
            })
        })
        .collect();
    json!({
        "schema": JSON_SCHEMA,
        "version": JSON_VERSION,
        "a": name_a,
        "b": name_b,
        "alpha": ALPHA,
        "ratio_is": "B median time / A median time (below 1: B is faster)",
        "differences": cmp.differences,
        "cells": cells,
        "only_a": cmp.only_a,
        "only_b": cmp.only_b,
        "speedups_inside_a_ci95": {
            "inside": cmp.speedups_inside().0,
            "of": cmp.speedups_inside().1,
        },
    })
}

/// The comparison as Markdown (`ladder compare --markdown`): the same content as the terminal.
pub fn render_markdown(cmp: &Comparison, name_a: &str, name_b: &str) -> String {
    let esc = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    let mut s = format!(
        "# ladder compare\n\n- A: `{}`\n- B: `{}`\n\n",
        name_a.replace('`', "'"),
        name_b.replace('`', "'")
    );
    if cmp.differences.is_empty() {
        s.push_str("Same machine, runtimes and tool versions.\n\n");
    } else {
        s.push_str("Differences (read the numbers below with these in mind):\n\n");
        for d in &cmp.differences {
            s.push_str(&format!("- {}\n", esc(d)));
        }
        s.push('\n');
    }
    s.push_str(
        "| Benchmark | A | B | A median | B median | B/A time [95% CI] | p | Test | Verdict |\n",
    );
    s.push_str("|---|---|---|---|---|---|---|---|---|\n");
    for p in &cmp.pairs {
        let method = p.test.as_ref().map(|t| t.method.to_string());
        let cells: Vec<String> = pair_cells(p)
            .iter()
            .chain([&method.unwrap_or_default(), &verdict_text(p)])
            .map(|c| esc(c))
            .collect();
        s.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    s.push_str(&format!(
        "\nTwo-sided test on the raw samples, significant when p < {ALPHA}. B/A below 1x: B is faster.\n"
    ));
    if let Some(text) = cmp.speedups_inside_text() {
        s.push_str(&format!(
            "\n{}\n",
            esc(&text).replace("  outside:", "\n- outside:")
        ));
    }
    for o in &cmp.only_a {
        s.push_str(&format!("\n- only in A: {}", esc(o)));
    }
    for o in &cmp.only_b {
        s.push_str(&format!("\n- only in B: {}", esc(o)));
    }
    if !(cmp.only_a.is_empty() && cmp.only_b.is_empty()) {
        s.push('\n');
    }
    s
}

/// The cells every rendering of a pair shares: benchmark (size), A, B ("same" when equal), both medians, B/A
/// with its interval, and the test's p-value.
fn pair_cells(p: &Pair) -> [String; 7] {
    let ratio = match (p.ratio, p.ratio_ci) {
        (Some(r), Some(ci)) => format::ratio_ci(r, ci),
        (Some(r), None) => format::ratio(r),
        _ => String::new(),
    };
    [
        format!("{} ({})", p.benchmark, p.size_label()),
        p.label_a.clone(),
        if p.label_b == p.label_a {
            "same".into()
        } else {
            p.label_b.clone()
        },
        p.median_a.map(format::duration).unwrap_or_default(),
        p.median_b.map(format::duration).unwrap_or_default(),
        ratio,
        p.test
            .as_ref()
            .map(|t| format!("{:.2e}", t.p))
            .unwrap_or_default(),
    ]
}

fn verdict_text(p: &Pair) -> String {
    match &p.verdict {
        Verdict::Faster => "B faster".into(),
        Verdict::Slower => "B slower".into(),
        Verdict::NoSignificantDifference => "no significant difference".into(),
        Verdict::Untested(why) => format!("not tested: {why}"),
    }
}

/// The comparison as text: differences first, then one line per matched cell.
pub fn render(cmp: &Comparison, name_a: &str, name_b: &str) -> String {
    let mut s = format!("A: {name_a}\nB: {name_b}\n\n");
    if cmp.differences.is_empty() {
        s.push_str("Same machine, runtimes and tool versions.\n\n");
    } else {
        s.push_str("Differences (read the numbers below with these in mind):\n");
        for d in &cmp.differences {
            s.push_str(&format!("  {d}\n"));
        }
        s.push('\n');
    }
    let mut table = comfy_table::Table::new();
    table
        .load_preset(comfy_table::presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(comfy_table::ContentArrangement::Dynamic)
        .set_header([
            "Benchmark",
            "A",
            "B",
            "A median",
            "B median",
            "B/A time [95% CI]",
            "p",
            "Verdict",
        ]);
    for p in &cmp.pairs {
        let mut cells = pair_cells(p).to_vec();
        cells.push(verdict_text(p));
        table.add_row(cells);
    }
    s.push_str(&format!("{table}\n"));
    let methods: std::collections::BTreeSet<&str> = cmp
        .pairs
        .iter()
        .filter_map(|p| p.test.as_ref().map(|t| t.method))
        .collect();
    s.push_str(&format!(
        "Test: two-sided {} on the raw samples, significant when p < {ALPHA}. B/A below 1x: B is faster.\n",
        if methods.is_empty() { "Mann-Whitney U".to_string() } else { methods.into_iter().collect::<Vec<_>>().join(" / ") }
    ));
    if let Some(text) = cmp.speedups_inside_text() {
        s.push_str(&format!("{text}\n"));
    }
    for o in &cmp.only_a {
        s.push_str(&format!("  only in A: {o}\n"));
    }
    for o in &cmp.only_b {
        s.push_str(&format!("  only in B: {o}\n"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_distribution_matches_tables() {
        // m = n = 3: 20 orderings; P(U <= 0) = 1/20, P(U <= 1) = 2/20, P(U <= 2) = 4/20.
        assert!((exact_cdf(3, 3, 0) - 0.05).abs() < 1e-12);
        assert!((exact_cdf(3, 3, 1) - 0.10).abs() < 1e-12);
        assert!((exact_cdf(3, 3, 2) - 0.20).abs() < 1e-12);
        assert!((exact_cdf(4, 5, 20) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn counts_bs_speedups_inside_as_intervals() {
        let (a, _home) = crate::measure::run::tests::speedups_run();
        // The same run again: every speedup lies inside its own interval (the baseline's 1x is left out).
        let cmp = compare(&a, &a);
        assert_eq!(cmp.speedups_inside(), (2, 2));
        let text = cmp.speedups_inside_text().unwrap();
        assert!(
            text.starts_with("Speedups: 2 of 2 of B's speedups (100%) lie inside"),
            "{text}"
        );
        // B's PyPy twice as fast: outside A's interval, and named.
        let mut b = a.clone();
        for c in b.cells.iter_mut().filter(|c| c.rung == "pypy") {
            c.speedup = c.speedup.map(|s| s * 2.0);
        }
        let cmp = compare(&a, &b);
        assert_eq!(cmp.speedups_inside(), (1, 2));
        let text = cmp.speedups_inside_text().unwrap();
        assert!(text.contains("1 of 2 of B's speedups (50%)"), "{text}");
        assert!(text.contains("outside: nbody (quick) PyPy"), "{text}");
        assert!(render(&cmp, "A", "B").contains("1 of 2 of B's speedups"));
        assert!(render_markdown(&cmp, "A", "B").contains("- outside: nbody (quick) PyPy"));
        let json = to_json(&cmp, "A", "B");
        assert_eq!(json["speedups_inside_a_ci95"]["inside"], 1);
        assert_eq!(json["speedups_inside_a_ci95"]["of"], 2);
    }

    #[test]
    fn normal_tail() {
        assert!((normal_sf(1.959_964) - 0.025).abs() < 1e-6);
        assert!((normal_sf(0.0) - 0.5).abs() < 1e-7);
    }
}
