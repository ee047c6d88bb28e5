//! The plan: which cells a run measures, from the catalog, the flags and the runtimes found. Cells that cannot
//! run here are planned too, as unavailable with the reason and the command that gets what is missing.

use crate::catalog::{Benchmark, BuildKind, Catalog, Rung, RuntimeSelector, SizeName, Tier};
use crate::error::UsageError;
use crate::toolchain::discover::{Discovery, Implementation, Runtime};
use anyhow::Result;

#[derive(Debug, Clone)]
pub struct PlannedCell {
    pub bench: String,
    pub rung: String,
    pub runtime: Option<Runtime>,
    /// The runtime id, or the family that was not found (`pypy`).
    pub runtime_label: String,
    pub size: SizeName,
    pub n: u64,
    /// Which of the rung's implementations: the study's or the expert's.
    pub tier: Tier,
    /// Set when the cell cannot run here: (reason, command that gets it).
    pub unavailable: Option<(String, Option<String>)>,
}

#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub cells: Vec<PlannedCell>,
    /// Things the user asked for that the plan left out, said once before the run (e.g. a size a benchmark lacks).
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub benches: Option<Vec<String>>,
    pub rungs: Option<Vec<String>>,
    pub size: Option<SizeName>,
    /// A number of work units from `--sizes` (overrides `size`): each benchmark runs at this n, as its named size
    /// when one has exactly this n (pinned reference), else as `custom` (cross-checked against the baseline).
    pub n: Option<u64>,
    /// The tiers to measure (`--tier`); empty means both.
    pub tiers: Vec<Tier>,
}

impl Selection {
    fn wants(&self, tier: Tier) -> bool {
        self.tiers.is_empty() || self.tiers.contains(&tier)
    }
}

/// One entry of `--sizes`: a catalog size, or a number of the benchmark's work units (n-body steps,
/// spectral-norm N, pipeline events).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RunSize {
    Named(SizeName),
    N(u64),
}

impl std::fmt::Display for RunSize {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunSize::Named(s) => write!(f, "{s}"),
            RunSize::N(n) => write!(f, "n={n}"),
        }
    }
}

/// The largest n `--sizes` takes: beyond it the events file alone would not fit in memory (and n-body would
/// run for days), so it is surely a typo.
pub const MAX_N: u64 = 1_000_000_000_000;

/// Parses `--sizes` entries: `quick`, `default`, `standard`, or a positive whole number (`_` allowed as a digit
/// separator: `500_000`). Named sizes first, then numbers ascending; duplicates dropped.
pub fn parse_sizes(list: &[String]) -> Result<Vec<RunSize>, UsageError> {
    let mut sizes = Vec::new();
    for raw in list {
        let s = raw.trim();
        if let Some(name) = SizeName::parse(s) {
            sizes.push(RunSize::Named(name));
            continue;
        }
        let digits = s.replace('_', "");
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(UsageError::new(format!(
                "--sizes {raw:?}: not a size; give quick, default, standard or a positive whole number of the \
                 benchmark's work units (n-body steps, spectral-norm N, pipeline events), e.g. --sizes 100,200,400"
            )));
        }
        let n: u64 = match digits.parse() {
            Ok(n) if (1..=MAX_N).contains(&n) => n,
            _ => {
                return Err(UsageError::new(format!(
                    "--sizes {raw}: n must be between 1 and {MAX_N}"
                )));
            }
        };
        sizes.push(RunSize::N(n));
    }
    sizes.sort();
    sizes.dedup();
    if sizes.is_empty() {
        return Err(UsageError::new("--sizes: give at least one size"));
    }
    Ok(sizes)
}

/// The plan of a run at several sizes: one `build_plan` per size, with a cell planned twice dropped (`--sizes
/// quick,1000` names n-body's quick size twice). At a custom n the baseline cell runs first, because the others
/// are checked against its output.
pub fn build_plan_sizes(
    catalog: &Catalog,
    discovery: &Discovery,
    baseline: Option<&Runtime>,
    sel: &Selection,
    sizes: &[RunSize],
    tools: &ToolPresence,
) -> Plan {
    let mut plan = Plan::default();
    for size in sizes {
        let one_sel = match size {
            RunSize::Named(s) => Selection {
                size: Some(*s),
                n: None,
                ..sel.clone()
            },
            RunSize::N(n) => Selection {
                n: Some(*n),
                ..sel.clone()
            },
        };
        let mut one = build_plan(catalog, discovery, baseline, &one_sel, tools.clone());
        one.cells.retain(|c| {
            !plan.cells.iter().any(|p| {
                p.bench == c.bench
                    && p.rung == c.rung
                    && p.tier == c.tier
                    && p.runtime_label == c.runtime_label
                    && p.n == c.n
            })
        });
        let is_base = |c: &PlannedCell| {
            c.rung == "cpython"
                && c.tier == Tier::Study
                && baseline.is_some_and(|b| c.runtime.as_ref().is_some_and(|r| r.id == b.id))
        };
        // Stable sort: within a benchmark at a custom n the baseline goes first, the rest keep ladder order.
        let first_of_bench: Vec<String> = one.cells.iter().map(|c| c.bench.clone()).collect();
        one.cells.sort_by_key(|c| {
            (
                first_of_bench.iter().position(|b| *b == c.bench),
                !(c.size == SizeName::Custom && is_base(c)),
            )
        });
        plan.cells.extend(one.cells);
        for note in one.notes {
            if !plan.notes.contains(&note) {
                plan.notes.push(note);
            }
        }
    }
    plan
}

/// Checks `--bench` / `--rung` ids against the catalog, naming the valid ones on a typo.
pub fn validate_selection(catalog: &Catalog, sel: &Selection) -> Result<()> {
    if let Some(benches) = &sel.benches {
        for b in benches {
            if catalog.benchmark(b).is_none() {
                return Err(UsageError::new(format!(
                    "--bench {b}: no such benchmark; valid ids: {}",
                    catalog
                        .benchmarks
                        .iter()
                        .map(|b| b.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
                .into());
            }
        }
    }
    if let Some(rungs) = &sel.rungs {
        for r in rungs {
            if catalog.rung(r).is_none() {
                return Err(UsageError::new(format!(
                    "--rung {r}: no such rung; valid ids: {}",
                    catalog
                        .rungs
                        .iter()
                        .map(|r| r.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
                .into());
            }
        }
    }
    Ok(())
}

fn runtimes_for<'a>(
    rung: &Rung,
    discovery: &'a Discovery,
    baseline: Option<&'a Runtime>,
) -> Vec<&'a Runtime> {
    match rung.on {
        // Free-threaded builds have their own rung (`free-threaded`), so each interpreter is measured once.
        RuntimeSelector::Cpython => discovery
            .runtimes
            .iter()
            .filter(|r| r.implementation == Implementation::Cpython && !r.free_threaded)
            .collect(),
        RuntimeSelector::FreeThreaded => discovery
            .runtimes
            .iter()
            .filter(|r| r.implementation == Implementation::Cpython && r.free_threaded)
            .collect(),
        RuntimeSelector::Jit => discovery
            .runtimes
            .iter()
            .filter(|r| r.implementation == Implementation::Cpython && r.jit_available)
            .collect(),
        RuntimeSelector::Graalpy => discovery
            .runtimes
            .iter()
            .filter(|r| r.implementation == Implementation::Graalpy)
            .collect(),
        RuntimeSelector::Pypy => discovery
            .runtimes
            .iter()
            .filter(|r| r.implementation == Implementation::Pypy)
            .collect(),
        RuntimeSelector::Baseline => match rung.python_req() {
            None => baseline.into_iter().collect(),
            Some(req) => {
                if let Some(b) = baseline.filter(|b| req.matches(&b.version)) {
                    return vec![b];
                }
                // The newest CPython the rung's packages exist for, in its own managed venv.
                discovery
                    .runtimes
                    .iter()
                    .filter(|r| {
                        r.implementation == Implementation::Cpython
                            && !r.free_threaded
                            && r.release_level == "final"
                            && req.matches(&r.version)
                    })
                    .max_by_key(|r| version_key(&r.version))
                    .into_iter()
                    .collect()
            }
        },
    }
}

fn version_key(version: &str) -> Vec<u64> {
    version
        .split('.')
        .map(|p| {
            p.chars()
                .take_while(|c| c.is_ascii_digit())
                .collect::<String>()
                .parse()
                .unwrap_or(0)
        })
        .collect()
}

/// Why no runtime was found for a rung.
fn no_runtime_reason(rung: &Rung, discovery: &Discovery) -> String {
    if let (RuntimeSelector::Baseline, Some(req)) = (rung.on, rung.python.as_deref()) {
        let found: Vec<&str> = discovery
            .runtimes
            .iter()
            .filter(|r| r.implementation == Implementation::Cpython)
            .map(|r| r.version.as_str())
            .collect();
        return format!(
            "{} needs CPython {req} (its packages have no wheels for other versions); CPythons found: {}",
            rung.id,
            if found.is_empty() {
                "none".to_string()
            } else {
                found.join(", ")
            }
        );
    }
    let family = match rung.on {
        RuntimeSelector::Pypy => "PyPy",
        RuntimeSelector::FreeThreaded => "free-threaded CPython (3.13t/3.14t)",
        RuntimeSelector::Jit => {
            "CPython built with the experimental JIT (--enable-experimental-jit)"
        }
        RuntimeSelector::Graalpy => "GraalPy",
        _ => "CPython 3.10+",
    };
    format!("no {family} interpreter found on PATH, in pyenv or in uv's pythons")
}

/// Why a rung cannot run on this machine at all, before anything is provisioned.
fn rung_blocker(
    rung: &Rung,
    runtime: &Runtime,
    tools: &ToolPresence,
) -> Option<(String, Option<String>)> {
    let needs_venv = !rung.packages.is_empty() || rung.build.needs_venv();
    if rung.on == RuntimeSelector::Baseline && needs_venv && !runtime.has_venv {
        return Some((
            format!(
                "{} cannot make venvs (no venv/ensurepip module)",
                runtime.executable.display()
            ),
            Some("apt-get install python3-venv".into()),
        ));
    }
    if let Some(program) = &rung.needs_program
        && !tools.programs.iter().any(|p| p == program)
    {
        return Some((
            rung.missing
                .clone()
                .unwrap_or_else(|| format!("`{program}` was not found on PATH")),
            rung.get.clone(),
        ));
    }
    if let Some(header) = &rung.needs_header
        && !tools.headers.iter().any(|h| h == header)
    {
        return Some((
            rung.missing
                .clone()
                .unwrap_or_else(|| format!("the C/C++ header `{header}` is not installed")),
            rung.get.clone(),
        ));
    }
    if rung.build.needs_cc() && !tools.cc {
        return Some((
            "no C compiler found (cc)".into(),
            Some("apt-get install gcc".into()),
        ));
    }
    if rung.build == BuildKind::Maturin && !tools.cargo && !tools.prebuilt_kernels {
        return Some((
            format!(
                "no Rust toolchain found (cargo), and no prebuilt ladder-kernels wheels ({})",
                crate::toolchain::prebuilt::where_looked()
            ),
            Some(crate::toolchain::kernels::KERNELS_GET.into()),
        ));
    }
    None
}

#[derive(Debug, Clone, Default)]
pub struct ToolPresence {
    pub cc: bool,
    pub cargo: bool,
    /// Prebuilt ladder-kernels wheels were found (the Rust rung without cargo).
    pub prebuilt_kernels: bool,
    /// The rungs' `needs_program`s that were found on PATH.
    pub programs: Vec<String>,
    /// The rungs' `needs_header`s that were found in the compiler's include folders.
    pub headers: Vec<String>,
}

pub fn build_plan(
    catalog: &Catalog,
    discovery: &Discovery,
    baseline: Option<&Runtime>,
    sel: &Selection,
    tools: ToolPresence,
) -> Plan {
    let mut plan = Plan::default();
    let wanted_bench = |b: &Benchmark| sel.benches.as_ref().is_none_or(|l| l.contains(&b.id));
    let wanted_rung = |r: &Rung, bench: &Benchmark| {
        let is_baseline = r.id == "cpython";
        sel.rungs.as_ref().is_none_or(|l| l.contains(&r.id))
            || (is_baseline && bench.implementations.contains_key("cpython"))
    };
    for bench in catalog.benchmarks.iter().filter(|b| wanted_bench(b)) {
        let (size, n) = match sel.n {
            Some(n) => match bench.sizes.iter().find(|s| s.n == n) {
                Some(named) => (named.name, n),
                None => (SizeName::Custom, n),
            },
            None => {
                let size = sel.size.unwrap_or(SizeName::Default);
                match bench.size(size) {
                    Some(sz) => (size, sz.n),
                    None => {
                        plan.notes.push(format!(
                            "{}: has no `{size}` size (it has: {}); skipped",
                            bench.id,
                            bench
                                .sizes
                                .iter()
                                .map(|s| s.name.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ));
                        continue;
                    }
                }
            }
        };
        for rung in catalog.rungs.iter().filter(|r| wanted_rung(r, bench)) {
            if bench.not_expressed.contains_key(&rung.id) {
                continue;
            }
            // The baseline is always measured at the study tier: every speedup is against it.
            let is_baseline = rung.id == "cpython";
            let tiers: Vec<Tier> = Tier::ALL
                .into_iter()
                .filter(|t| bench.implementation(&rung.id, *t).is_some())
                .filter(|t| sel.wants(*t) || (is_baseline && *t == Tier::Study))
                .collect();
            let restrict_cpython =
                is_baseline && sel.rungs.as_ref().is_some_and(|l| !l.contains(&rung.id));
            let runtimes = runtimes_for(rung, discovery, baseline);
            for tier in tiers {
                // A baseline brought in only for the speedups (its rung or tier not asked for) runs only on
                // the baseline runtime.
                let only_baseline = restrict_cpython || (is_baseline && !sel.wants(tier));
                if runtimes.is_empty() {
                    plan.cells.push(PlannedCell {
                        bench: bench.id.clone(),
                        rung: rung.id.clone(),
                        runtime: None,
                        runtime_label: rung.id.clone(),
                        size,
                        n,
                        tier,
                        unavailable: Some((no_runtime_reason(rung, discovery), rung.get.clone())),
                    });
                    continue;
                }
                for rt in &runtimes {
                    if only_baseline && Some(rt.id.as_str()) != baseline.map(|b| b.id.as_str()) {
                        continue;
                    }
                    plan.cells.push(PlannedCell {
                        bench: bench.id.clone(),
                        rung: rung.id.clone(),
                        runtime: Some((*rt).clone()),
                        runtime_label: rt.id.clone(),
                        size,
                        n,
                        tier,
                        unavailable: rung_blocker(rung, rt, &tools),
                    });
                }
            }
        }
    }
    plan
}

#[cfg(test)]
pub(crate) mod tests;

impl ToolPresence {
    /// What the probed tools and the catalog's headers say is present on this machine.
    pub fn probe(tools: &[crate::toolchain::tools::Tool], catalog: &Catalog) -> ToolPresence {
        let has = |n: &str| tools.iter().any(|t| t.name == n && t.path.is_some());
        ToolPresence {
            cc: has("cc"),
            cargo: has("cargo"),
            prebuilt_kernels: crate::toolchain::prebuilt::wheels_dir().is_some(),
            programs: tools
                .iter()
                .filter(|t| t.path.is_some())
                .map(|t| t.name.clone())
                .collect(),
            headers: catalog
                .rungs
                .iter()
                .filter_map(|r| r.needs_header.clone())
                .filter(|h| crate::toolchain::tools::find_header(h).is_some())
                .collect(),
        }
    }
}
