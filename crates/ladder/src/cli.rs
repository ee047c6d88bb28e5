//! Command-line parsing and the commands' output. Every decision a test would want to reach lives in the stage
//! modules; this layer resolves flags into their inputs and prints.

use crate::catalog::{Catalog, SizeName, materialize_embedded};
use crate::error::UsageError;
use crate::home::ladder_home;
use crate::measure::plan::{self, Selection, ToolPresence};
use crate::measure::run::{Progress, Runner};
use crate::measure::worker::ProcessExecutor;
use crate::report::results::{
    self, BenchmarkInfo, Cell, Results, RungInfo, Settings, Status, TimingPolicy,
};
use crate::report::{markdown, terminal};
use crate::toolchain::discover::{Discovery, Runtime, SearchPaths, discover};
use crate::toolchain::tools::probe_tools;
use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "ladder",
    version,
    about = "Climb the Python optimization ladder on this machine: every rung measured, every output verified"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run every benchmark on every rung available here, verify every output, print the report card.
    Run(RunArgs),
    /// List the benchmarks and rungs, and which rungs are available here.
    List(CatalogArg),
    /// Show every runtime and tool found (path, version) or missing (with the command that gets it).
    Doctor,
    /// Re-render a results document: terminal by default, or HTML, Markdown, pyperf JSON, CSV.
    Report(crate::report_cli::ReportArgs),
    /// Compare two results documents (two machines, before/after) with a significance test per cell.
    Compare(crate::report_cli::CompareArgs),
    /// Profile your program (`ladder advise -- python app.py ARGS`): I/O-, memory- or CPU-bound, hot spots, ranked rungs.
    Advise(AdviseArgs),
    /// Run your program on every other runtime and with its hot modules compiled, output checked, speedups measured.
    Climb(crate::climb::cli::ClimbArgs),
}

#[derive(Args, Debug)]
pub struct AdviseArgs {
    /// Write the findings as JSON here.
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
    /// Stop the program after this many seconds (what was measured until then is kept).
    #[arg(long, default_value_t = 600.0, value_name = "SECS")]
    pub timeout: f64,
    /// Write the flame graph of the on-CPU samples here (SVG).
    #[arg(long, value_name = "PATH")]
    pub flame: Option<PathBuf>,
    /// The program's command line, after `--`: python [OPTIONS] (SCRIPT | -m MODULE | -c CODE) [ARGS...]
    #[arg(last = true, required = true, value_name = "CMD")]
    pub cmd: Vec<String>,
}

#[derive(Args, Debug)]
pub struct CatalogArg {
    /// Use this catalog folder instead of the built-in one.
    #[arg(long, value_name = "DIR")]
    pub catalog: Option<PathBuf>,
}

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
    /// Write the report card as Markdown here.
    #[arg(long, value_name = "PATH")]
    pub markdown: Option<PathBuf>,
    #[command(flatten)]
    pub outputs: crate::report_cli::Outputs,
    #[command(flatten)]
    pub catalog: CatalogArg,
    /// Hard limit per cell, in seconds (default by size: 120 quick, 900 default, 3600 standard).
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<f64>,
    /// Minimum timed samples per cell.
    #[arg(long, value_name = "N")]
    pub min_samples: Option<u32>,
    /// Maximum timed samples per cell.
    #[arg(long, value_name = "N")]
    pub max_samples: Option<u32>,
    /// Every compiled rung under the same floating-point rules: no fast-math, no FMA contraction
    /// (-ffp-contract=off; Taichi fast_math off). Workers see LADDER_FAIR=1. Default: best effort.
    #[arg(long)]
    pub fair: bool,
    /// Keep the cython rung's `cython -a` annotation (the study's "landmines": yellow lines call into the
    /// interpreter) beside the results, one HTML page per benchmark.
    #[arg(long)]
    pub annotate: bool,
}

/// Entry point for `main`: runs the command and returns its exit code.
pub fn main(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Run(args) => run(args),
        Command::List(args) => list(args),
        Command::Doctor => doctor(),
        Command::Report(args) => crate::report_cli::report(args),
        Command::Compare(args) => crate::report_cli::compare(args),
        Command::Advise(args) => advise(args),
        Command::Climb(args) => crate::climb::cli::run(args),
    }
}

fn load_catalog(arg: &CatalogArg) -> Result<Catalog> {
    match &arg.catalog {
        Some(dir) => Catalog::load(dir),
        None => {
            let home = ladder_home()?;
            Catalog::load(&materialize_embedded(&home)?).context("loading the built-in catalog")
        }
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

fn resolve_baseline<'a>(
    discovery: &'a Discovery,
    wanted: Option<&str>,
) -> Result<Option<&'a Runtime>> {
    let Some(w) = wanted else {
        return Ok(discovery.default_baseline());
    };
    let valid: Vec<&str> = discovery
        .baseline_candidates()
        .map(|r| r.id.as_str())
        .collect();
    match discovery.find(w) {
        Some(r) if valid.contains(&r.id.as_str()) => Ok(Some(r)),
        Some(r) => Err(UsageError::new(format!(
            "--baseline {w}: {} cannot be the baseline (the compiled rungs build on it and every speedup is \
             against its cpython cell); use a final-release CPython: {}",
            r.id,
            valid.join(", ")
        ))
        .into()),
        None => Err(UsageError::new(format!("--baseline {w}: no such runtime here; use one of: {}", valid.join(", "))).into()),
    }
}

pub fn timing_for(size: SizeName, args: &RunArgs) -> Result<TimingPolicy> {
    let s = 1_000_000_000u64;
    let mut t = match size {
        SizeName::Quick => TimingPolicy {
            min_samples: 5,
            max_samples: 30,
            min_time_ns: s / 2,
            max_time_ns: 5 * s,
            target_sample_ns: 1_000_000,
            warmup_ns: s / 5,
            timeout_ns: 120 * s,
        },
        // A numeric `--sizes` entry: ladder cannot know how long an arbitrary n takes, so the generous policy.
        SizeName::Default | SizeName::Custom => TimingPolicy {
            min_samples: 5,
            max_samples: 50,
            min_time_ns: s,
            max_time_ns: 30 * s,
            target_sample_ns: 1_000_000,
            warmup_ns: s / 2,
            timeout_ns: 900 * s,
        },
        SizeName::Standard => TimingPolicy {
            min_samples: 3,
            max_samples: 20,
            min_time_ns: s,
            max_time_ns: 60 * s,
            target_sample_ns: 1_000_000,
            warmup_ns: s / 2,
            timeout_ns: 3600 * s,
        },
    };
    if let Some(secs) = args.timeout {
        if !(secs.is_finite() && secs > 0.0) {
            return Err(UsageError::new(format!(
                "--timeout {secs}: must be a positive number of seconds"
            ))
            .into());
        }
        t.timeout_ns = (secs * 1e9) as u64;
    }
    if let Some(n) = args.min_samples {
        t.min_samples = n.max(1);
    }
    if let Some(n) = args.max_samples {
        t.max_samples = n.max(1);
    }
    if t.max_samples < t.min_samples {
        return Err(UsageError::new(format!(
            "--max-samples {} is below --min-samples {}",
            t.max_samples, t.min_samples
        ))
        .into());
    }
    Ok(t)
}

fn tool_presence(tools: &[crate::toolchain::tools::Tool], catalog: &Catalog) -> ToolPresence {
    let has = |n: &str| tools.iter().any(|t| t.name == n && t.path.is_some());
    ToolPresence {
        cc: has("cc"),
        cargo: has("cargo"),
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

/// The results document's header: everything but the cells.
pub fn new_results(
    catalog: &Catalog,
    discovery: &Discovery,
    baseline: Option<&Runtime>,
    settings: Settings,
    found_tools: &[crate::toolchain::tools::Tool],
) -> Results {
    let tools = found_tools
        .iter()
        .filter_map(|t| Some((t.name.clone(), t.version.clone()?)))
        .collect();
    Results {
        schema: results::SCHEMA.into(),
        version: results::SCHEMA_VERSION,
        ladder_version: env!("CARGO_PKG_VERSION").into(),
        started_at: results::now_rfc3339(),
        finished_at: None,
        command: std::env::args().collect(),
        settings,
        machine: results::machine(),
        baseline: baseline.map(|b| b.id.clone()),
        runtimes: discovery.runtimes.clone(),
        tools,
        rungs: catalog.rungs.iter().map(RungInfo::from).collect(),
        benchmarks: catalog.benchmarks.iter().map(BenchmarkInfo::from).collect(),
        cells: Vec::new(),
    }
}

/// The sizes of a run: `--sizes` (validated, deduplicated, smallest first) or `--size`.
fn run_sizes(args: &RunArgs) -> Result<Vec<plan::RunSize>> {
    match &args.sizes {
        None => Ok(vec![plan::RunSize::Named(parse_size(&args.size)?)]),
        Some(list) => Ok(plan::parse_sizes(list)?),
    }
}

fn run(args: RunArgs) -> Result<ExitCode> {
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
    let timing = timing_for(size, &args)?;
    let catalog = load_catalog(&args.catalog)?;
    let selection = Selection {
        benches: args.bench.clone(),
        rungs: args.rung.clone(),
        size: Some(size),
        n: None,
    };
    plan::validate_selection(&catalog, &selection)?;
    args.outputs.check()?;
    for (flag, path) in [("--json", &args.json), ("--markdown", &args.markdown)] {
        if let Some(dir) = path
            .as_ref()
            .and_then(|p| p.parent())
            .filter(|d| !d.as_os_str().is_empty())
            && !dir.is_dir()
        {
            return Err(UsageError::new(format!(
                "{flag} {}: the folder {} does not exist",
                path.as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default(),
                dir.display()
            ))
            .into());
        }
    }
    let home = ladder_home()?;
    let discovery = discover(&SearchPaths::from_env());
    let baseline = resolve_baseline(&discovery, args.baseline.as_deref())?;
    let found_tools = probe_tools();
    let plan = plan::build_plan_sizes(
        &catalog,
        &discovery,
        baseline,
        &selection,
        &sizes,
        &tool_presence(&found_tools, &catalog),
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
    };
    let mut results = new_results(&catalog, &discovery, baseline, settings, &found_tools);
    let results_dir = home.join("results");
    std::fs::create_dir_all(&results_dir)?;
    let kept = results_dir.join(format!("run-{}.json", results.started_at.replace(':', "")));
    let json_path = args.json.clone().unwrap_or_else(|| kept.clone());
    eprintln!(
        "ladder: {} cells, size {}, baseline {}, floating point {}; results -> {}",
        plan.cells.len(),
        sizes
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .join(", "),
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
    let html_progress = |r: &crate::report::results::Results| args.outputs.write_html_partial(r);
    runner.on_save = Some(&html_progress);
    let mut progress = TerminalProgress::new();
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
    if let Some(md) = &args.markdown {
        std::fs::write(md, markdown::render(&results))
            .with_context(|| format!("writing {}", md.display()))?;
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

fn advise(args: AdviseArgs) -> Result<ExitCode> {
    if !(args.timeout.is_finite() && args.timeout > 0.0) {
        return Err(UsageError::new(format!(
            "--timeout {}: must be a positive number of seconds",
            args.timeout
        ))
        .into());
    }
    let cwd = std::env::current_dir().context("reading the current folder")?;
    let catalog = load_catalog(&CatalogArg { catalog: None })?;
    let figures =
        crate::advise::recommend::Figures::load(&catalog, &ladder_home()?.join("results"));
    let advice = crate::advise::advise(
        &args.cmd,
        &cwd,
        std::time::Duration::from_secs_f64(args.timeout),
        &figures,
    )?;
    eprint!("{}", crate::advise::render(&advice));
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_string_pretty(&advice)?)
            .with_context(|| format!("--json {}: writing", path.display()))?;
    }
    if let Some(path) = &args.flame {
        std::fs::write(path, crate::advise::flame_svg(&advice))
            .with_context(|| format!("--flame {}: writing", path.display()))?;
    }
    Ok(if advice.status == "ok" {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn list(args: CatalogArg) -> Result<ExitCode> {
    let catalog = load_catalog(&args)?;
    let discovery = discover(&SearchPaths::from_env());
    let baseline = discovery.default_baseline();
    println!("Benchmarks:");
    for b in &catalog.benchmarks {
        let sizes: Vec<String> = b
            .sizes
            .iter()
            .map(|s| format!("{} n={}", s.name, s.n))
            .collect();
        println!(
            "  {:<22} {} ({}; {})",
            b.id,
            b.title,
            b.work,
            sizes.join(", ")
        );
    }
    println!("\nRungs (ladder order):");
    let selection = Selection::default();
    let plan = plan::build_plan(
        &catalog,
        &discovery,
        baseline,
        &selection,
        tool_presence(&probe_tools(), &catalog),
    );
    for r in &catalog.rungs {
        let cells: Vec<_> = plan.cells.iter().filter(|c| c.rung == r.id).collect();
        let runtimes: Vec<&str> = {
            let mut v: Vec<&str> = cells
                .iter()
                .filter(|c| c.unavailable.is_none())
                .map(|c| c.runtime_label.as_str())
                .collect();
            v.sort();
            v.dedup();
            v
        };
        let state = match cells.iter().find_map(|c| c.unavailable.as_ref()) {
            Some((reason, get)) if runtimes.is_empty() => format!(
                "unavailable: {reason}{}",
                get.as_ref()
                    .map(|g| format!(" (get it: {g})"))
                    .unwrap_or_default()
            ),
            _ if !r.packages.is_empty() => format!(
                "available on {} (installs {} on first use)",
                runtimes.join(", "),
                r.packages.join(" ")
            ),
            _ => format!("available on {}", runtimes.join(", ")),
        };
        println!("  {:<8} {:<14} {} — {}", r.id, r.title, r.study_rung, state);
        for b in &catalog.benchmarks {
            if let Some(why) = b.not_expressed.get(&r.id) {
                println!("           not for {}: {why}", b.id);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn doctor() -> Result<ExitCode> {
    let discovery = discover(&SearchPaths::from_env());
    println!("Runtimes:");
    if discovery.runtimes.is_empty() {
        println!(
            "  none found (install CPython 3.10+: apt-get install python3, or pyenv install 3.13)"
        );
    }
    let baseline = discovery.default_baseline().map(|b| b.id.clone());
    for r in &discovery.runtimes {
        println!(
            "  {:<15} {:<34} {} (via {}){}",
            r.id,
            r.display_name(),
            r.executable.display(),
            r.found_via,
            if Some(&r.id) == baseline.as_ref() {
                "  <- baseline"
            } else {
                ""
            }
        );
        if !r.has_venv && r.implementation == crate::toolchain::discover::Implementation::Cpython {
            println!(
                "  {:<15} cannot make venvs, so the mypyc, NumPy, Numba, Cython and Rust rungs cannot run on it \
                 (get it: apt-get install python3-venv)",
                ""
            );
        }
    }
    if let (Some(b), Ok(home)) = (discovery.default_baseline(), ladder_home()) {
        let venv = home.join("venvs").join(&b.id);
        let installed =
            std::fs::read_to_string(venv.join("ladder-installed.txt")).unwrap_or_default();
        let pins: Vec<&str> = installed.lines().collect();
        println!(
            "Managed venv for {}: {} ({})",
            b.id,
            venv.display(),
            if pins.is_empty() {
                "nothing installed yet; ladder run installs on first need".to_string()
            } else {
                pins.join(" ")
            }
        );
    }
    if !discovery
        .runtimes
        .iter()
        .any(|r| r.implementation == crate::toolchain::discover::Implementation::Pypy)
    {
        println!("  pypy            missing (get it: apt-get install pypy3)");
    }
    if !discovery.skipped.is_empty() {
        println!("Interpreters found but not used:");
        for s in &discovery.skipped {
            println!("  {}: {}", s.path.display(), s.reason);
        }
    }
    println!("Tools:");
    for t in probe_tools() {
        match (&t.path, &t.version) {
            (Some(p), v) => println!(
                "  {:<6} {} ({}) — for {}",
                t.name,
                v.as_deref().unwrap_or("version unknown"),
                p.display(),
                t.needed_by
            ),
            (None, _) => println!(
                "  {:<6} missing — for {} (get it: {})",
                t.name, t.needed_by, t.get
            ),
        }
    }
    let home = ladder_home()?;
    let catalog = load_catalog(&CatalogArg { catalog: None })?;
    println!("Rungs beyond a bare interpreter:");
    let presence = tool_presence(&probe_tools(), &catalog);
    for line in crate::toolchain::rung_doctor::lines(
        &catalog,
        &discovery,
        discovery.default_baseline(),
        presence,
        &home,
    ) {
        println!("{line}");
    }
    println!(
        "LADDER_HOME: {} (venvs, builds, generated data, results)",
        home.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Progress on stderr: a bar on a terminal, one line per cell otherwise.
struct TerminalProgress {
    bar: Option<indicatif::ProgressBar>,
    total: usize,
    current: String,
    started: std::time::Instant,
}

impl TerminalProgress {
    fn new() -> TerminalProgress {
        TerminalProgress {
            bar: None,
            total: 0,
            current: String::new(),
            started: std::time::Instant::now(),
        }
    }
}

impl Progress for TerminalProgress {
    fn start(&mut self, total: usize) {
        self.total = total;
        if std::io::stderr().is_terminal() {
            let bar = indicatif::ProgressBar::new(total as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "[{elapsed_precise}] {bar:30} {pos}/{len} cells, ~{eta} left  {msg}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar.enable_steady_tick(std::time::Duration::from_millis(200));
            self.bar = Some(bar);
        }
    }

    fn cell_started(&mut self, index: usize, cell: &plan::PlannedCell) {
        self.current = format!("{} · {} · {}", cell.bench, cell.rung, cell.runtime_label);
        match &self.bar {
            Some(bar) => bar.set_message(self.current.clone()),
            None => {
                // A rough estimate: the average cell so far times the cells left.
                let elapsed = self.started.elapsed().as_secs_f64();
                let left = if index > 0 {
                    format!(
                        ", ~{:.0} s left",
                        elapsed / index as f64 * (self.total - index) as f64
                    )
                } else {
                    String::new()
                };
                eprintln!(
                    "[{}/{}, {elapsed:.0} s{left}] {}",
                    index + 1,
                    self.total,
                    self.current
                )
            }
        }
    }

    fn step(&mut self, message: &str) {
        match &self.bar {
            Some(bar) => bar.set_message(format!("{} · {message}", self.current)),
            None => eprintln!("      {message}"),
        }
    }

    fn sample(&mut self, samples: usize, expected: u32) {
        if let Some(bar) = &self.bar {
            bar.set_message(format!("{} · sample {samples}/{expected}+", self.current));
        }
    }

    fn cell_finished(&mut self, cell: &Cell) {
        let line = match cell.status {
            Status::Ok => format!(
                "      ok, median {}",
                cell.median_ns
                    .map(crate::report::format::duration)
                    .unwrap_or_default()
            ),
            other => format!("      {}: {}", other.as_str(), cell.reason),
        };
        match &self.bar {
            Some(bar) => {
                if cell.status != Status::Ok {
                    bar.println(format!("{} -> {}", self.current, line.trim()));
                }
                bar.inc(1);
            }
            None => eprintln!("{line}"),
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        eprintln!(
            "ladder: done in {:.0} s",
            self.started.elapsed().as_secs_f64()
        );
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn default_run_args() -> RunArgs {
        RunArgs {
            bench: None,
            rung: None,
            size: "quick".into(),
            sizes: None,
            outputs: Default::default(),
            baseline: None,
            json: None,
            markdown: None,
            catalog: CatalogArg { catalog: None },
            timeout: None,
            min_samples: None,
            max_samples: None,
            fair: false,
            annotate: false,
        }
    }

    #[test]
    fn timing_flags_are_validated() {
        let mut args = default_run_args();
        assert_eq!(
            timing_for(SizeName::Quick, &args).unwrap().timeout_ns,
            120_000_000_000
        );
        args.timeout = Some(-1.0);
        assert!(crate::error::is_usage(
            &timing_for(SizeName::Quick, &args).unwrap_err()
        ));
        args.timeout = Some(2.5);
        assert_eq!(
            timing_for(SizeName::Quick, &args).unwrap().timeout_ns,
            2_500_000_000
        );
        args.min_samples = Some(10);
        args.max_samples = Some(3);
        let err = timing_for(SizeName::Quick, &args).unwrap_err();
        assert!(format!("{err}").contains("--max-samples 3"), "{err}");
    }
}
