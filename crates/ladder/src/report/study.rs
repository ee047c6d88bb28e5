//! The study's own figures (Apple M4 Pro) as a results document, so `ladder compare @study run.json` and
//! `ladder report @study` work like any other run. It is generated from the `[study]` tables of the catalog's
//! benchmark.toml files (the single place those numbers are written down), never measured here: every cell is
//! `ok` with a median and **no samples**, so compare reports a ratio of medians and no significance test.

use crate::catalog::{Catalog, SizeName};
use crate::results::{
    self, BenchmarkInfo, Cell, Machine, Results, RungInfo, Settings, Status, TimingPolicy,
};
use crate::results::{Implementation, Runtime};

/// The name that stands for this document on the command line.
pub const NAME: &str = "@study";

fn runtime(id: &str, version: &str, free_threaded: bool) -> Runtime {
    let implementation = if id.starts_with("pypy") {
        Implementation::Pypy
    } else if id.starts_with("graalpy") {
        Implementation::Graalpy
    } else {
        Implementation::Cpython
    };
    Runtime {
        id: id.into(),
        implementation,
        version: version.into(),
        implementation_version: version.into(),
        executable: Default::default(),
        free_threaded,
        release_level: "final".into(),
        jit_available: false,
        has_venv: false,
        found_via: "the study".into(),
    }
}

/// (runtime id, python version, free-threaded) of a study key's runtime: `cpython@3.14t` -> cpython-3.14t.
fn study_runtime(
    rung: &str,
    version: Option<&str>,
    baseline_version: &str,
) -> (String, String, bool) {
    match (rung, version) {
        (_, Some(v)) => {
            let ft = v.ends_with('t');
            (
                format!("{rung}-{v}"),
                v.trim_end_matches('t').to_string(),
                ft,
            )
        }
        // The study ran its compiled rungs on its baseline CPython; PyPy and GraalPy are their own runtimes.
        ("pypy" | "graalpy", None) => (rung.to_string(), String::new(), false),
        (_, None) => (
            format!("cpython-{baseline_version}"),
            baseline_version.to_string(),
            false,
        ),
    }
}

pub fn results(catalog: &Catalog) -> Results {
    let mut runtimes: Vec<Runtime> = Vec::new();
    let mut cells = Vec::new();
    let mut baseline = None;
    for bench in &catalog.benchmarks {
        let Some(study) = &bench.study else { continue };
        let Some(size) = bench.size(study.size) else {
            continue;
        };
        let base_version = study
            .baseline
            .strip_prefix("CPython ")
            .unwrap_or("3.14")
            .to_string();
        baseline.get_or_insert_with(|| format!("cpython-{base_version}"));
        let base_ms = study.baseline_ms();
        for (key, ms) in &study.ms {
            let (rung, version) = match key.split_once('@') {
                Some((r, v)) => (r, Some(v)),
                None => (key.as_str(), None),
            };
            let (rt_id, version, ft) = study_runtime(rung, version, &base_version);
            if !runtimes.iter().any(|r| r.id == rt_id) {
                runtimes.push(runtime(&rt_id, &version, ft));
            }
            let mut c = Cell::new(&bench.id, rung, &rt_id, study.size, size.n);
            c.status = Status::Ok;
            c.median_ns = Some(ms * 1e6);
            c.speedup = base_ms.map(|b| b / ms);
            c.check = format!("published by the study ({}); not re-verified", study.source);
            c.reason = "the study's published median; no samples".into();
            cells.push(c);
        }
    }
    let mut rungs: Vec<RungInfo> = catalog.rungs.iter().map(RungInfo::from).collect();
    for c in &cells {
        if !rungs.iter().any(|r| r.id == c.rung) {
            rungs.push(RungInfo {
                id: c.rung.clone(),
                title: c.rung.clone(),
                study_rung: "in the study only".into(),
                costs: String::new(),
            });
        }
    }
    let source = catalog
        .benchmarks
        .iter()
        .find_map(|b| b.study.as_ref().map(|s| s.source.clone()))
        .unwrap_or_default();
    Results {
        schema: results::SCHEMA.into(),
        version: results::SCHEMA_VERSION,
        ladder_version: env!("CARGO_PKG_VERSION").into(),
        ladder_build: None,
        started_at: "2026 (the study)".into(),
        finished_at: None,
        command: vec![format!("the study's figures: {source}")],
        settings: Settings {
            tiers: vec![crate::catalog::Tier::Study],
            sizes: Vec::new(),
            size: SizeName::Default,
            baseline: baseline.clone(),
            timing: TimingPolicy {
                min_samples: 0,
                max_samples: 0,
                min_time_ns: 0,
                max_time_ns: 0,
                target_sample_ns: 0,
                warmup_ns: 0,
                timeout_ns: 0,
                worker_processes: 1,
                samples_floor: 0,
                cell_budget_ns: 0,
            },
            fair: false,
            seed: 0,
        },
        machine: Machine {
            cpu_model: "Apple M4 Pro (the study)".into(),
            cores: 0,
            memory_bytes: 0,
            os: "macOS".into(),
            kernel: "unknown".into(),
            arch: "aarch64".into(),
        },
        baseline,
        runtimes,
        tools: Default::default(),
        rungs,
        benchmarks: catalog.benchmarks.iter().map(BenchmarkInfo::from).collect(),
        cells,
        rounds: Vec::new(),
        spot_n: Default::default(),
        host: None,
    }
}
