//! The report card as data: one row per cell, in ladder order, with the study's figure beside ours. The terminal
//! and Markdown renderers only lay these rows out.

use super::format;
use crate::catalog::{SizeName, Tier};
use crate::results::{Cell, Reference, Results, Status};

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub rung: String,
    /// `study` or `expert`.
    pub tier: String,
    pub runtime: String,
    pub median: String,
    pub speedup: String,
    pub study: String,
    pub first_call: String,
    pub peak_memory: String,
    pub cores: String,
    pub status: String,
    pub costs: String,
    /// The speedup as a number, for bars and sorting (None when not measured).
    pub speedup_value: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct Card {
    pub benchmark: String,
    pub title: String,
    pub size: SizeName,
    pub n: u64,
    pub work: String,
    pub baseline: String,
    pub study_source: Option<String>,
    pub study_baseline: Option<String>,
    pub rows: Vec<Row>,
    /// Numbered notes: why a cell failed or is unavailable, and how to get it.
    pub notes: Vec<String>,
    /// Rungs that cannot express this benchmark, with why.
    pub not_expressed: Vec<(String, String)>,
    /// Rungs with no expert implementation of this benchmark, with why.
    pub no_expert: Vec<(String, String)>,
    /// What each rung's expert tier bought over its study tier on the same runtime, one line per rung
    /// ("Numba @njit: 111x -> 240x with the expert tier, 2 threads").
    pub effort: Vec<String>,
    /// How each measured implementation ran, from its `ladder_info()` (SIMD path, threads, fast-math, ...):
    /// (rung on runtime, "key value, ...").
    pub how_it_ran: Vec<(String, String)>,
    /// Some row is marked ≈ (its interval is below 95% coverage or its spread is wide).
    pub has_shaky: bool,
    /// What the outputs were checked against (pinned, or cross-checked at a custom n); empty when no cell was
    /// verified (e.g. the study's published figures).
    pub verification: String,
    /// Lines about single cells, printed under the verification line: unstable cells, spot checks.
    pub remarks: Vec<String>,
}

impl Card {
    /// `quick`, or `n=300` for a size given as a number.
    pub fn size_label(&self) -> String {
        if self.size == SizeName::Custom {
            format!("n={}", self.n)
        } else {
            self.size.to_string()
        }
    }

    /// The HTML anchor of this card's section.
    pub fn anchor(&self) -> String {
        if self.size == SizeName::Custom {
            format!("{}-n{}", self.benchmark, self.n)
        } else {
            format!("{}-{}", self.benchmark, self.size)
        }
    }
}

/// One sentence on how the cells of a card were verified.
fn verification(cells: &[&Cell], n: u64) -> String {
    let refs: Vec<Reference> = cells
        .iter()
        .filter(|c| c.status == Status::Ok)
        .filter_map(|c| c.reference_or_pinned())
        .collect();
    if refs.is_empty() {
        return String::new();
    }
    if refs.iter().all(|r| *r == Reference::Pinned) {
        return format!(
            "Verified: every ok output against the reference pinned in benchmark.toml for n={n}."
        );
    }
    let against = refs.iter().find_map(|r| match r {
        Reference::CrossChecked { against, .. } => Some(against.clone()),
        _ => None,
    });
    let base = refs.iter().find_map(|r| match r {
        Reference::Baseline { confirmed_by } => Some(confirmed_by.clone()),
        _ => None,
    });
    let mut s = format!("Cross-checked, not pinned: n={n} has no pinned reference, so ");
    match (&against, &base) {
        (Some(a), _) => s.push_str(&format!(
            "every rung's output was checked against that of {a} at the same n, with the benchmark's own tolerance"
        )),
        (None, _) => s.push_str("the baseline's output is the reference and no other rung was checked against it"),
    }
    match base {
        Some(by) if !by.is_empty() => {
            s.push_str(&format!("; that reference was reproduced by {}.", by.join(", ")))
        }
        Some(_) => s.push_str(
            "; no other rung reproduced that reference, so it is unconfirmed and its point is not plotted.",
        ),
        None => s.push('.'),
    }
    s
}

/// The legend for rows marked ≈.
pub const SHAKY_NOTE: &str = "≈: the interval covers less than 95% (fewer than 6 samples; see ci_level in the JSON) or \
                              the spread exceeds ±5%: do not rank such a row against a close neighbour";

/// Ladder order: rungs as the catalog orders them, runtimes by version, and a rung's study tier just above its
/// expert tier, so the two read as a pair.
pub(crate) fn runtime_sort_key(results: &Results, cell: &Cell) -> (usize, Vec<u64>, String, Tier) {
    let rank = results
        .rungs
        .iter()
        .position(|r| r.id == cell.rung)
        .unwrap_or(usize::MAX);
    let version = results
        .runtimes
        .iter()
        .find(|r| r.id == cell.runtime)
        .map(|r| {
            r.version
                .split('.')
                .filter_map(|p| p.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    (rank, version, cell.runtime.clone(), cell.tier)
}

/// One card per benchmark and size, in the order the benchmarks were run.
pub fn cards(results: &Results) -> Vec<Card> {
    let mut cards = Vec::new();
    for bench in &results.benchmarks {
        for (size, n) in sizes_of(results, &bench.id) {
            let cells = ordered_cells(results, &bench.id, size, n);
            let mut notes = Vec::new();
            let rows: Vec<Row> = cells
                .iter()
                .map(|c| row(results, bench, c, &mut notes))
                .collect();
            let has_shaky = rows.iter().any(|r| r.median.starts_with('≈'));
            cards.push(Card {
                benchmark: bench.id.clone(),
                title: bench.title.clone(),
                size,
                n,
                verification: verification(&cells, n),
                remarks: cells
                    .iter()
                    .flat_map(|c| remarks(results, c))
                    .chain(cells.iter().filter_map(|c| study_gap(results, bench, c)))
                    .collect(),
                work: bench.work.clone(),
                baseline: results.baseline.clone().unwrap_or_else(|| "none".into()),
                // The study measured one size per benchmark: beside another n its figures mislead.
                study_source: bench
                    .study
                    .as_ref()
                    .filter(|s| size == s.size)
                    .map(|s| s.source.clone()),
                study_baseline: bench
                    .study
                    .as_ref()
                    .filter(|s| size == s.size)
                    .map(|s| s.baseline.clone()),
                rows,
                notes,
                has_shaky,
                not_expressed: bench
                    .not_expressed
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
                no_expert: bench
                    .expert_not_expressed
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
                effort: effort(results, &cells),
                how_it_ran: cells.iter().filter_map(|c| how_it_ran(c)).collect(),
            });
        }
    }
    cards
}

/// What the card says under the table about one cell: its spot check, and that its processes disagreed.
fn remarks(results: &Results, c: &Cell) -> Vec<String> {
    let (rung, runtime) = labels(results, c);
    let mut out = Vec::new();
    if let Some(spot) = &c.spot_check {
        out.push(format!("{rung} on {runtime}: {}", spot.detail));
    }
    if c.unstable && c.status == Status::Ok {
        let medians: Vec<f64> = c
            .runs
            .iter()
            .filter_map(|r| crate::stats::summarize(&r.samples_ns).map(|s| s.median_ns))
            .collect();
        let lo = medians.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = medians.iter().copied().fold(0.0, f64::max);
        out.push(format!(
            "unstable: {rung} on {runtime}: its {} worker processes disagree far more than their samples do \
             (process medians {} to {}): the host's speed changed during the run, so its interval is wide and a \
             rerun will differ",
            c.runs.len(),
            format::duration(lo),
            format::duration(hi)
        ));
    }
    out
}

/// For each expert cell that is ok beside an ok study cell of the same rung and runtime: what the extra effort
/// bought, as the two speedups (wall time) and what the expert ran on.
fn effort(results: &Results, cells: &[&Cell]) -> Vec<String> {
    let mut lines = Vec::new();
    for expert in cells
        .iter()
        .filter(|c| c.tier == Tier::Expert && c.status == Status::Ok)
    {
        let Some(study) = cells.iter().find(|c| {
            c.tier == Tier::Study
                && c.rung == expert.rung
                && c.runtime == expert.runtime
                && c.status == Status::Ok
        }) else {
            continue;
        };
        let (Some(s), Some(e)) = (study.speedup, expert.speedup) else {
            continue;
        };
        let (title, _) = labels(results, study);
        let cores = match (expert.cpu_ns, expert.median_ns, expert.working_threads()) {
            (Some(cpu), Some(wall), Some(t)) if wall > 0.0 && t > 1 => {
                format!(", {t} threads, {:.1} cpu/wall", cpu / wall)
            }
            _ => ", one thread".to_string(),
        };
        lines.push(format!(
            "{title}: {} -> {} with the expert tier ({} the study tier's time{cores})",
            format::ratio(s),
            format::ratio(e),
            format::ratio(e / s),
        ));
    }
    lines
}

/// How far a speedup may be from the study's before the card asks for an explanation (issue 13's target).
pub const STUDY_GAP: f64 = 3.0;

/// For a study-tier cell whose speedup is more than [`STUDY_GAP`] times away from the study's: a line saying so,
/// with the catalog's explanation (`[study.explained]`) or that there is none.
fn study_gap(results: &Results, bench: &crate::results::BenchmarkInfo, c: &Cell) -> Option<String> {
    let ours = c.speedup.filter(|_| c.status == Status::Ok)?;
    let (_, theirs) = study_figure(results, bench, c)?;
    let gap = ours / theirs;
    if (1.0 / STUDY_GAP..=STUDY_GAP).contains(&gap) {
        return None;
    }
    let study = bench.study.as_ref()?;
    let minor = results
        .runtimes
        .iter()
        .find(|r| r.id == c.runtime)
        .map(|r| r.study_key());
    let why = minor
        .and_then(|m| study.explained.get(&format!("{}@{m}", c.rung)))
        .or_else(|| study.explained.get(&c.rung))
        .map(String::as_str)
        .unwrap_or("not explained in the catalog ([study.explained])");
    let (rung, runtime) = labels(results, c);
    Some(format!(
        "{rung} on {runtime}: {} against the study's {}, {} apart: {why}",
        format::ratio(ours),
        format::ratio(theirs),
        format::ratio(if gap > 1.0 { gap } else { 1.0 / gap })
    ))
}

/// A cell's `ladder_info()` as "key value" pairs, for the card; `None` when the implementation gave none.
/// Only short scalar values are shown (a module's path is in the JSON).
fn how_it_ran(c: &Cell) -> Option<(String, String)> {
    let info = c.impl_info.as_ref()?.as_object()?;
    let pairs: Vec<String> = info
        .iter()
        .filter_map(|(key, value)| {
            let text = match value {
                serde_json::Value::String(s) if !s.contains('/') => s.clone(),
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Bool(b) => b.to_string(),
                _ => return None,
            };
            Some(format!("{key} {text}"))
        })
        .collect();
    (!pairs.is_empty()).then(|| {
        (
            format!("{} on {}", c.rung_label(), c.runtime),
            pairs.join(", "),
        )
    })
}

/// The study's figure for this cell's rung (and, for the interpreter rungs, its Python version): (ms, speedup
/// against the study's baseline).
pub(crate) fn study_figure(
    results: &Results,
    bench: &crate::results::BenchmarkInfo,
    c: &Cell,
) -> Option<(f64, f64)> {
    // The study's figures are for its size (usually the default one); another n is other work.
    if bench.study.as_ref().is_none_or(|s| s.size != c.size) {
        return None;
    }
    let minor = results
        .runtimes
        .iter()
        .find(|r| r.id == c.runtime)
        .map(|r| r.study_key());
    let key = if c.rung == "cpython" {
        minor.as_deref()
    } else {
        None
    };
    // The study measured each rung at its own level of effort: its figure stands beside the study tier only.
    if c.tier != Tier::Study {
        return None;
    }
    bench.study.as_ref()?.figure(&c.rung, key)
}

/// The rung's title (with " · expert" for the expert tier) and the runtime's display name of a cell, as the
/// report card shows them.
pub(crate) fn labels(results: &Results, c: &Cell) -> (String, String) {
    let title = results
        .rungs
        .iter()
        .find(|r| r.id == c.rung)
        .map(|r| r.title.clone())
        .unwrap_or_else(|| c.rung.clone());
    (
        match c.tier {
            Tier::Study => title,
            Tier::Expert => format!("{title} · expert"),
        },
        results
            .runtimes
            .iter()
            .find(|r| r.id == c.runtime)
            .map(|r| r.display_name())
            .unwrap_or_else(|| c.runtime.clone()),
    )
}

/// The cells of one benchmark and size, in ladder order (rungs as the catalog orders them, runtimes by version).
/// Sizes go with their n: every numeric size is `custom`.
pub(crate) fn ordered_cells<'a>(
    results: &'a Results,
    bench: &str,
    size: SizeName,
    n: u64,
) -> Vec<&'a Cell> {
    let mut cells: Vec<&Cell> = results
        .cells
        .iter()
        .filter(|c| c.benchmark == bench && c.size == size && c.n == n)
        .collect();
    cells.sort_by_key(|c| runtime_sort_key(results, c));
    cells
}

/// The sizes (with their n) measured for a benchmark, smallest n first.
pub(crate) fn sizes_of(results: &Results, bench: &str) -> Vec<(SizeName, u64)> {
    let mut sizes: Vec<(SizeName, u64)> = results
        .cells
        .iter()
        .filter(|c| c.benchmark == bench)
        .map(|c| (c.size, c.n))
        .collect();
    sizes.sort_by_key(|(s, n)| (*n, *s));
    sizes.dedup();
    sizes
}

fn row(
    results: &Results,
    bench: &crate::results::BenchmarkInfo,
    c: &Cell,
    notes: &mut Vec<String>,
) -> Row {
    let rung = results.rungs.iter().find(|r| r.id == c.rung);
    let runtime = results.runtimes.iter().find(|r| r.id == c.runtime);
    let study = study_figure(results, bench, c)
        .map(|(ms, sp)| format!("{} ({})", format::ratio(sp), format::duration(ms * 1e6)));
    let costs = bench
        .study
        .as_ref()
        .and_then(|s| s.costs.get(&c.rung).cloned())
        .or_else(|| rung.map(|r| r.costs.clone()))
        .unwrap_or_default();
    let status = match (c.status, &c.reference) {
        (Status::Ok, Some(Reference::CrossChecked { .. })) => "ok ✓ cross-checked".to_string(),
        (Status::Ok, Some(Reference::Baseline { confirmed_by })) if !confirmed_by.is_empty() => {
            "ok ✓ reference".to_string()
        }
        (Status::Ok, Some(Reference::Baseline { .. })) => {
            notes.push(format!(
                "{} on {}: its output is the reference at n={} (none is pinned) and no other rung reproduced it: \
                 unconfirmed, so not plotted",
                c.rung_label(),
                c.runtime,
                c.n
            ));
            format!("ok, unconfirmed [{}]", notes.len())
        }
        (Status::Ok, _) => "ok ✓".to_string(),
        (other, _) => {
            let mut note = format!(
                "{} {} on {}: {}",
                c.rung_label(),
                other.as_str(),
                c.runtime,
                c.reason
            );
            if let Some(get) = &c.get {
                note.push_str(&format!(" (get it: {get})"));
            }
            notes.push(note);
            format!("{} [{}]", other.as_str(), notes.len())
        }
    };
    let cores = match (c.cpu_ns, c.median_ns, c.working_threads()) {
        (Some(cpu), Some(wall), Some(t)) if wall > 0.0 => match c.processes {
            Some(p) if p > 1 => format!("{:.1} cpu/wall, {p} proc", cpu / wall),
            _ => format!("{:.1} cpu/wall, {t} thr", cpu / wall),
        },
        _ => String::new(),
    };
    Row {
        rung: rung
            .map(|r| r.title.clone())
            .unwrap_or_else(|| c.rung.clone()),
        tier: c.tier.to_string(),
        runtime: runtime
            .map(|r| r.display_name())
            .unwrap_or_else(|| c.runtime.clone()),
        median: match (c.median_ns, c.ci95_ns) {
            (Some(m), Some(ci)) if c.status == Status::Ok => {
                let shaky = c.noisy || c.unstable || c.ci_level.is_some_and(|l| l < 0.95);
                format!(
                    "{}{}",
                    if shaky { "≈ " } else { "" },
                    format::duration_ci(m, ci)
                )
            }
            _ => String::new(),
        },
        speedup: match (c.speedup, c.speedup_ci95) {
            (Some(s), Some(ci)) => format::ratio_ci(s, ci),
            _ => String::new(),
        },
        study: study.unwrap_or_default(),
        first_call: c
            .first_call_ns
            .map(|n| format::duration(n as f64))
            .unwrap_or_default(),
        peak_memory: c.peak_rss_bytes.map(format::bytes).unwrap_or_default(),
        cores,
        status,
        costs,
        speedup_value: c.speedup,
    }
}

pub const HEADERS: [&str; 11] = [
    "Rung",
    "Tier",
    "Runtime",
    "Median [95% CI]",
    "Speedup",
    "Study",
    "First call",
    "Peak RSS",
    "Cores",
    "Status",
    "What it costs you",
];

impl Row {
    pub fn cells(&self) -> [&str; 11] {
        [
            &self.rung,
            &self.tier,
            &self.runtime,
            &self.median,
            &self.speedup,
            &self.study,
            &self.first_call,
            &self.peak_memory,
            &self.cores,
            &self.status,
            &self.costs,
        ]
    }
}
