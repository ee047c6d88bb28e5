//! `ladder run`: its flags, and the run from resolved inputs to the printed card and the files it writes.

use super::outputs::{Outputs, check_output};
use super::progress::TerminalProgress;
use super::{CatalogArg, load_catalog};
use crate::catalog::{SizeName, Tier};
use crate::error::UsageError;
use crate::home::ladder_home;
use crate::measure::header::new_results;
use crate::measure::plan::{self, Selection, ToolPresence};
use crate::measure::policy::{TimingOverrides, timing_for};
use crate::measure::run::Runner;
use crate::measure::worker::ProcessExecutor;
use crate::report::terminal;
use crate::results::{Results, Settings};
use crate::toolchain::discover::{SearchPaths, discover};
use crate::toolchain::tools::probe_tools;
use anyhow::Result;
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct RunArgs {
    /// Benchmarks to run (comma-separated ids; default: all).
    #[arg(long, value_delimiter = ',', value_name = "ID,..")]
    pub bench: Option<Vec<String>>,
    /// Rungs to run (comma-separated ids; default: all). The baseline is always measured, for the speedups.
    #[arg(long, value_delimiter = ',', value_name = "ID,..")]
    pub rung: Option<Vec<String>>,
    /// quick (seconds), default (the study's sizes) or standard (the Benchmarks Game's).
    #[arg(long, default_value = "default", value_name = "SIZE")]
    pub size: String,
    /// Measure every cell at each of these sizes, for the scaling report (overrides --size): named sizes
    /// and/or numbers of work units (n-body steps, spectral-norm N, pipeline events), e.g. 100,200,400. At an n
    /// with no pinned reference every rung is cross-checked against the baseline rung's output at that n.
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "SIZE|N,..",
        allow_hyphen_values = true
    )]
    pub sizes: Option<Vec<String>>,
    /// The runtime every speedup is measured against (a runtime id such as cpython-3.12, or 3.12). Default: the
    /// newest CPython found.
    #[arg(long, value_name = "RUNTIME")]
    pub baseline: Option<String>,
    /// Write the results document here (it is also kept under $LADDER_HOME/results).
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
    #[command(flatten)]
    pub outputs: Outputs,
    #[command(flatten)]
    pub catalog: CatalogArg,
    /// Hard limit per worker process, in seconds (default by size: 120 quick, 900 default, 3600 standard).
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<f64>,
    /// Minimum timed samples per worker process.
    #[arg(long, value_name = "N")]
    pub min_samples: Option<u32>,
    /// Maximum timed samples per worker process.
    #[arg(long, value_name = "N")]
    pub max_samples: Option<u32>,
    /// Worker processes per cell, run in interleaved rounds (default by size: 3 quick, 3 default, 2 standard).
    /// The sample counts and times above are per process.
    #[arg(long, value_name = "N")]
    pub processes: Option<u32>,
    /// The run's random seed (each round's order, the spot checks' n); recorded in the results, so a run can be
    /// repeated exactly. Default: drawn from the clock.
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Which implementations to measure: `study` (each rung as the study used it), `expert` (as its experts
    /// would ship it: threads, SIMD, fast-math where the checks pass) or `all`. The baseline is always measured
    /// at the study tier.
    #[arg(long, default_value = "all", value_name = "TIER")]
    pub tier: String,
    /// Every compiled rung under the same floating-point rules: no fast-math, no FMA contraction
    /// (-ffp-contract=off; Taichi fast_math off). Workers see LADDER_FAIR=1. Default: best effort.
    #[arg(long)]
    pub fair: bool,
    /// Keep the cython rung's `cython -a` annotation (the study's "landmines": yellow lines call into the
    /// interpreter) beside the results, one HTML page per benchmark.
    #[arg(long)]
    pub annotate: bool,
}

/// `--tier`: the tiers it names (`all`: both).
pub fn parse_tier(s: &str) -> Result<Vec<Tier>> {
    match s {
        "all" => Ok(Tier::ALL.to_vec()),
        "study" => Ok(vec![Tier::Study]),
        "expert" => Ok(vec![Tier::Expert]),
        other => Err(UsageError::new(format!(
            "--tier {other}: unknown tier; valid tiers: study, expert, all"
        ))
        .into()),
    }
}

fn parse_size(s: &str) -> Result<SizeName> {
    SizeName::parse(s).ok_or_else(|| {
        UsageError::new(format!(
            "--size {s}: unknown size; valid sizes: quick, default, standard"
        ))
        .into()
    })
}

/// The sizes of a run: `--sizes` (validated, deduplicated, smallest first) or `--size`.
fn run_sizes(args: &RunArgs) -> Result<Vec<plan::RunSize>> {
    match &args.sizes {
        None => Ok(vec![plan::RunSize::Named(parse_size(&args.size)?)]),
        Some(list) => Ok(plan::parse_sizes(list)?),
    }
}

/// A seed from the clock's nanoseconds and the process id, for a run given no `--seed`.
fn clock_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    crate::stats::derive_seed(nanos, u64::from(std::process::id()))
}

pub fn exec(args: RunArgs) -> Result<ExitCode> {
    let sizes = run_sizes(&args)?;
    // The largest size sets the timing policy (its timeout is the generous one); a numeric size counts as
    // `default`, since ladder cannot know how long an arbitrary n takes.
    let size = sizes
        .iter()
        .map(|s| match s {
            plan::RunSize::Named(n) => *n,
            plan::RunSize::N(_) => SizeName::Default,
        })
        .max()
        .unwrap_or(SizeName::Default);
    let timing = timing_for(
        size,
        &TimingOverrides {
            timeout: args.timeout,
            min_samples: args.min_samples,
            max_samples: args.max_samples,
            processes: args.processes,
        },
    )?;
    let catalog = load_catalog(&args.catalog)?;
    let selection = Selection {
        benches: args.bench.clone(),
        rungs: args.rung.clone(),
        size: Some(size),
        n: None,
        tiers: parse_tier(&args.tier)?,
    };
    plan::validate_selection(&catalog, &selection)?;
    args.outputs.check()?;
    check_output("--json", args.json.as_deref())?;
    let home = ladder_home()?;
    let discovery = discover(&SearchPaths::from_env());
    let baseline = discovery.resolve_baseline(args.baseline.as_deref())?;
    let found_tools = probe_tools();
    let plan = plan::build_plan_sizes(
        &catalog,
        &discovery,
        baseline,
        &selection,
        &sizes,
        &ToolPresence::probe(&found_tools, &catalog),
    );
    for note in &plan.notes {
        eprintln!("note: {note}");
    }
    if plan.cells.is_empty() {
        return Err(UsageError::new("nothing to run: the selection matches no cell").into());
    }
    let settings = Settings {
        size,
        sizes: if args.sizes.is_some() {
            sizes.iter().map(|s| s.to_string()).collect()
        } else {
            Vec::new()
        },
        baseline: baseline.map(|b| b.id.clone()),
        timing: timing.clone(),
        fair: args.fair,
        seed: args.seed.unwrap_or_else(clock_seed),
        tiers: selection.tiers.clone(),
    };
    let mut results = new_results(&catalog, &discovery, baseline, settings, &found_tools);
    let results_dir = home.join("results");
    std::fs::create_dir_all(&results_dir)?;
    let kept = results_dir.join(format!("run-{}.json", results.started_at.replace(':', "")));
    let json_path = args.json.clone().unwrap_or_else(|| kept.clone());
    eprintln!(
        "ladder: {} cells x {} worker processes in interleaved rounds (seed {}), size {}, tier {}, baseline {}, \
         floating point {}; results -> {}",
        plan.cells.len(),
        timing.worker_processes,
        results.settings.seed,
        sizes
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        args.tier,
        baseline.map(|b| b.id.as_str()).unwrap_or("none found"),
        if args.fair { "fair" } else { "best effort" },
        json_path.display()
    );
    crate::measure::worker::forward_interrupts();
    let executor = ProcessExecutor;
    let mut runner = Runner::new(&catalog, &executor, home.clone(), timing);
    runner.json_path = Some(json_path.clone());
    runner.fair = args.fair;
    runner.annotate = args.annotate;
    let html_progress = |r: &Results| args.outputs.write_html_partial(r);
    runner.on_save = Some(&html_progress);
    let mut progress = TerminalProgress::default();
    runner.run(&plan, &mut results, &mut progress)?;
    if args.json.is_some() {
        // Keep a copy where `ladder advise` looks for this machine's latest results.
        let _ = std::fs::copy(&json_path, &kept);
    }
    print!(
        "{}",
        terminal::render_styled(&results, terminal::use_color())
    );
    for page in crate::toolchain::build::keep_annotations(&results, &json_path)? {
        eprintln!("ladder: Cython annotation -> {}", page.display());
    }
    args.outputs.write(&results)?;
    let faults = results.cells.iter().filter(|c| c.status.is_fault()).count();
    Ok(if faults > 0 {
        eprintln!(
            "ladder: {faults} cell(s) wrong, failed or timed out (see the notes under each table)"
        );
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
