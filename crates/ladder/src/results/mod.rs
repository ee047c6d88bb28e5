//! The results document: one versioned JSON file per run, rewritten atomically after every worker process so that
//! a crash or Ctrl-C loses nothing measured. Every report is a pure function of it.

use crate::catalog::{SizeName, Study, Tier};
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub mod runtime;

pub use runtime::{Implementation, Runtime};

pub const SCHEMA: &str = "ladder-results";
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Wrong,
    Failed,
    Timeout,
    Unavailable,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Wrong => "wrong",
            Status::Failed => "failed",
            Status::Timeout => "timeout",
            Status::Unavailable => "unavailable",
        }
    }

    /// Statuses that make `ladder run` exit non-zero.
    pub fn is_fault(self) -> bool {
        matches!(self, Status::Wrong | Status::Failed | Status::Timeout)
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Machine {
    pub cpu_model: String,
    pub cores: usize,
    pub memory_bytes: u64,
    pub os: String,
    pub kernel: String,
    pub arch: String,
}

/// How a cell's implementation was built (recorded for every cell; `toolchain::build` fills it).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct BuildInfo {
    pub kind: String,
    /// The compiler command lines and flags, as run.
    pub commands: Vec<String>,
    pub cflags: Vec<String>,
    pub fast_math: bool,
    /// The C/C++ compiler that ran (its `--version` line); empty when no C compiler was involved.
    #[serde(default)]
    pub compiler: String,
    /// The `-march` the code was built for (`native`), or none (the compiler's default target).
    #[serde(default)]
    pub march: Option<String>,
    /// FMA contraction: `off` (`-ffp-contract=off`) or gcc's default `fast`.
    #[serde(default)]
    pub fp_contract: String,
    /// True when the compiler may have fused multiply-adds (contraction on, and the target has FMA).
    #[serde(default)]
    pub fma: bool,
    /// Built under `ladder run --fair`.
    #[serde(default)]
    pub fair: bool,
    /// Cython's `-a` annotation page, when `--annotate` asked for it.
    #[serde(default)]
    pub annotation: Option<PathBuf>,
    /// How long the build took when it ran (a cached build keeps the time of the run that made it).
    #[serde(default)]
    pub build_ms: Option<u64>,
    /// The wheel the rung's extension was installed from (the Rust rung: built by maturin here, or prebuilt by
    /// the release when `kind` is `prebuilt-wheel`); its name carries the version and the ABI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wheel: Option<String>,
}

/// How a cell is measured. The sample counts and times are per worker process; a cell runs up to
/// `worker_processes` of them, one per round.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TimingPolicy {
    pub min_samples: u32,
    pub max_samples: u32,
    pub min_time_ns: u64,
    pub max_time_ns: u64,
    pub target_sample_ns: u64,
    pub warmup_ns: u64,
    /// Hard limit per worker process.
    pub timeout_ns: u64,
    /// Worker processes per cell (`--processes`), each in its own round. 1 in documents from before rounds.
    #[serde(default = "one")]
    pub worker_processes: u32,
    /// Samples a process keeps taking past `max_time_ns` (a median needs a few; with several processes the
    /// processes supply them).
    #[serde(default = "three")]
    pub samples_floor: u32,
    /// Once a cell's processes have taken this much wall time in all, it runs no more than two of them (0: no
    /// limit), so a cell of 30-second calls does not take the run's whole budget.
    #[serde(default)]
    pub cell_budget_ns: u64,
}

fn one() -> u32 {
    1
}

fn three() -> u32 {
    3
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Settings {
    /// The size whose timing policy the run used (the largest named one; `default` for numeric sizes).
    pub size: SizeName,
    /// The sizes `--sizes` asked for, as given after validation (`quick`, `n=200`, ...); empty for a run at one
    /// `--size`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sizes: Vec<String>,
    pub baseline: Option<String>,
    pub timing: TimingPolicy,
    /// `ladder run --fair`: every compiled rung under the same floating-point rules (no fast-math, no FMA
    /// contraction); otherwise best effort, each rung as its experts ship it. Absent in older documents.
    #[serde(default)]
    pub fair: bool,
    /// The run's one random seed (`--seed`): every round's order and the spot checks' n derive from it, so a run
    /// can be repeated exactly.
    #[serde(default)]
    pub seed: u64,
    /// The tiers `--tier` asked for (the baseline is always measured at the study tier); empty in documents from
    /// before tiers, which measured the study tier alone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<Tier>,
}

impl Settings {
    /// The floating-point mode, as the reports print it.
    pub fn mode(&self) -> &'static str {
        if self.fair {
            "fair (every compiled rung without fast-math or FMA contraction: -ffp-contract=off, Taichi fast_math=False)"
        } else {
            "best effort (default FMA contraction of the C compilers, Taichi's fast-math on; the expert tier's builds \
             also use their tool's fast-math switch where the benchmark's checks allow it)"
        }
    }
}

/// What the report card needs to know of a rung without the catalog.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RungInfo {
    pub id: String,
    pub title: String,
    pub study_rung: String,
    pub costs: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BenchmarkInfo {
    pub id: String,
    pub title: String,
    pub work: String,
    pub study: Option<Study>,
    /// rung id -> why it cannot express this benchmark.
    pub not_expressed: BTreeMap<String, String>,
    /// rung id -> why it has no expert implementation of this benchmark (absent in documents before tiers).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub expert_not_expressed: BTreeMap<String, String>,
}

impl From<&crate::catalog::Rung> for RungInfo {
    fn from(r: &crate::catalog::Rung) -> Self {
        Self {
            id: r.id.clone(),
            title: r.title.clone(),
            study_rung: r.study_rung.clone(),
            costs: r.costs.clone(),
        }
    }
}

impl From<&crate::catalog::Benchmark> for BenchmarkInfo {
    fn from(b: &crate::catalog::Benchmark) -> Self {
        Self {
            id: b.id.clone(),
            title: b.title.clone(),
            work: b.work.clone(),
            study: b.study.clone(),
            not_expressed: b.not_expressed.clone(),
            expert_not_expressed: b.expert.not_expressed.clone(),
        }
    }
}

/// How a cell's output was verified.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Reference {
    /// Against the value pinned in benchmark.toml for this size.
    Pinned,
    /// Against the output of `against` (the baseline cell, `rung · runtime`) at the same n, with the benchmark's
    /// own tolerance: n has no pinned reference.
    CrossChecked { against: String, n: u64 },
    /// This cell's output *is* the reference at an n without a pinned one. It counts as verified only once another
    /// rung, an independent implementation, reproduced it (`confirmed_by`); until then it is not plotted.
    Baseline { confirmed_by: Vec<String> },
}

impl Reference {
    /// How the reports say it.
    pub fn describe(&self) -> String {
        match self {
            Reference::Pinned => "pinned".into(),
            Reference::CrossChecked { against, n } => {
                format!("cross-checked against {against} at n={n}")
            }
            Reference::Baseline { confirmed_by } if confirmed_by.is_empty() => {
                "the reference for the others, reproduced by no other rung: unconfirmed".into()
            }
            Reference::Baseline { confirmed_by } => {
                format!(
                    "the reference for the others, reproduced by {}",
                    confirmed_by.join(", ")
                )
            }
        }
    }
}

/// One worker process of a cell: its own start-up, first call, warm-up and samples.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProcessRun {
    /// The round it ran in (0 is the first).
    pub round: u32,
    /// Wall time per call of each sample, in ns.
    pub samples_ns: Vec<f64>,
    /// Calls per sample.
    pub loops: u64,
    pub first_call_ns: Option<u64>,
    /// Median CPU time per call (all threads, and child processes for a multi-process rung).
    pub cpu_ns: Option<f64>,
    pub peak_rss_bytes: Option<u64>,
    /// Wall time of the whole process, start-up and setup included.
    pub process_wall_ns: Option<u64>,
    /// The first call was the process's one sample: it took at least the process's whole time cap, and the
    /// policy asked for one sample per process (docs/measuring.md).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub first_call_sample: bool,
}

/// How a cell's rung did at the run's spot-check n, a small n drawn at random for the run: an implementation whose
/// output does not depend on n passes a check at one pinned n, and fails here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpotCheck {
    pub n: u64,
    pub outcome: SpotOutcome,
    /// What was compared, or why nothing was.
    pub detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SpotOutcome {
    /// Agrees with the baseline's output at that n.
    Agrees,
    /// This is the baseline: its output at that n (which differs from its output at the cell's n) is the reference.
    Reference,
    /// Differs from the baseline's output at that n, or equals its own output at another n: the cell is `wrong`.
    Differs,
    /// The run at that n crashed or timed out: the cell is `failed` or `timeout`.
    Failed,
    /// Not compared: the baseline gave no output at that n.
    NotChecked,
}

/// What else the host was doing over a stretch of the run (a round, or the whole run so far).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct HostState {
    /// The highest 1-minute load average seen (at the start and the end of the stretch): above the number of
    /// cores, processes waited for a CPU.
    pub load_avg_1m: f64,
    /// The share of CPU time the hypervisor gave to other guests (`steal` in /proc/stat), 0 to 1.
    pub steal_share: f64,
    /// The share of CPU time spent idle waiting for I/O (`iowait` in /proc/stat), 0 to 1.
    pub iowait_share: f64,
}

/// One round of a run: the next worker process of every cell still measuring, in an order shuffled for the
/// round, so a drift of the host's speed hits every cell alike.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Round {
    /// 0 is the first round.
    pub index: u32,
    /// The seed the order was shuffled with (derived from the run's `settings.seed`).
    pub seed: u64,
    pub started_at: String,
    /// The cells in the order their processes ran (`benchmark/size/rung/runtime`).
    pub order: Vec<String>,
    /// The host over the round; absent where /proc cannot be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<HostState>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Cell {
    pub benchmark: String,
    pub rung: String,
    /// The effort of the implementation measured: `study` (as the study used the rung) or `expert`. Documents
    /// from before tiers are all `study`.
    #[serde(default)]
    pub tier: Tier,
    /// Runtime id (`cpython-3.13`), or the interpreter family when none was found (`pypy`).
    pub runtime: String,
    pub size: SizeName,
    pub n: u64,
    pub status: Status,
    pub reason: String,
    /// The command that gets a missing tool, for unavailable cells.
    pub get: Option<String>,
    pub verified: bool,
    /// What the check compared, and the first difference when it failed.
    pub check: String,
    /// What the output was checked against: a reference pinned in benchmark.toml, or (at an n given to
    /// `--sizes` that has none) the baseline rung's output at the same n. Absent in documents written before
    /// numeric sizes existed, when every check was against a pinned reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<Reference>,
    /// The rung's run at the run's spot-check n. Absent in documents from before spot checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spot_check: Option<SpotCheck>,
    /// Wall time per call of each sample, in ns (a sample of `loops` calls divided by `loops`): every process's
    /// samples, in the order of `runs`.
    pub samples_ns: Vec<f64>,
    /// Each worker process of the cell, with its own samples. Absent in documents from before rounds, whose
    /// cells ran one process.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub runs: Vec<ProcessRun>,
    pub loops: u64,
    pub median_ns: Option<f64>,
    pub ci95_ns: Option<[f64; 2]>,
    /// The coverage the interval really has (below 0.95 when there were fewer than 6 samples).
    pub ci_level: Option<f64>,
    pub min_ns: Option<f64>,
    pub mad_ns: Option<f64>,
    /// Spread too wide to rank this cell against a close neighbour.
    pub noisy: bool,
    /// Its worker processes disagree far more than their samples do: the host's speed changed during the run.
    #[serde(default)]
    pub unstable: bool,
    pub speedup: Option<f64>,
    pub speedup_ci95: Option<[f64; 2]>,
    pub first_call_ns: Option<u64>,
    pub peak_rss_bytes: Option<u64>,
    /// Median CPU time per call (all threads); above the wall time when a rung used several cores.
    pub cpu_ns: Option<f64>,
    /// Peak number of OS threads in the worker process.
    pub threads: Option<u32>,
    /// Processes that did the work (the worker and its children); above 1 for a multi-process rung, whose
    /// `cpu_ns` then includes its children's CPU time.
    #[serde(default)]
    pub processes: Option<u32>,
    pub gc_enabled: Option<bool>,
    /// Input bytes per second of median wall time, for benchmarks that read an input file (MB/s).
    pub throughput_mb_s: Option<f64>,
    /// What the implementation's `ladder_info()` reported (e.g. which SIMD path ran).
    pub impl_info: Option<serde_json::Value>,
    /// The file the worker imported (a .so for compiled rungs).
    pub module_file: Option<String>,
    pub python: Option<String>,
    pub build: Option<BuildInfo>,
    /// Wall and CPU time of the whole worker process, start-up and setup included.
    pub process_wall_ns: Option<u64>,
    pub process_cpu_ns: Option<u64>,
    /// The end of the worker's stderr, for failed cells.
    pub log: Option<String>,
}

/// `quick`, or `n=300` for a size given to `--sizes` as a number (all of which are `custom`).
pub fn size_label(size: SizeName, n: u64) -> String {
    if size == SizeName::Custom {
        format!("n={n}")
    } else {
        size.to_string()
    }
}

impl Cell {
    /// The rung id, with `@expert` for the expert tier: how notes and exports name a cell's implementation.
    pub fn rung_label(&self) -> String {
        match self.tier {
            Tier::Study => self.rung.clone(),
            Tier::Expert => format!("{}@expert", self.rung),
        }
    }

    pub fn size_label(&self) -> String {
        size_label(self.size, self.n)
    }

    /// Each worker process's samples; documents from before rounds hold one process, `samples_ns`.
    pub fn process_samples(&self) -> Vec<Vec<f64>> {
        if self.runs.is_empty() {
            vec![self.samples_ns.clone()]
        } else {
            self.runs.iter().map(|r| r.samples_ns.clone()).collect()
        }
    }

    /// How this cell was verified; documents older than `reference` only ever checked against pinned values.
    /// The threads the implementation said it computed on (`ladder_info()`'s "threads"). The worker's own count
    /// also holds idle pool threads (JAX starts a dozen) and misses a pool shut down before the end, so an
    /// implementation that threads says how many it used.
    pub fn reported_threads(&self) -> Option<u64> {
        self.impl_info
            .as_ref()
            .and_then(|i| i.get("threads"))
            .and_then(|t| t.as_u64())
    }

    /// The reported threads, else the worker's thread count at the end of the cell.
    pub fn working_threads(&self) -> Option<u64> {
        self.reported_threads().or(self.threads.map(u64::from))
    }

    pub fn reference_or_pinned(&self) -> Option<Reference> {
        match &self.reference {
            Some(r) => Some(r.clone()),
            None if self.verified => Some(Reference::Pinned),
            None => None,
        }
    }

    pub fn new(benchmark: &str, rung: &str, runtime: &str, size: SizeName, n: u64) -> Cell {
        Cell {
            benchmark: benchmark.into(),
            rung: rung.into(),
            tier: Tier::Study,
            runtime: runtime.into(),
            size,
            n,
            status: Status::Unavailable,
            reason: String::new(),
            get: None,
            verified: false,
            check: String::new(),
            reference: None,
            spot_check: None,
            samples_ns: Vec::new(),
            runs: Vec::new(),
            loops: 0,
            median_ns: None,
            ci95_ns: None,
            ci_level: None,
            min_ns: None,
            mad_ns: None,
            noisy: false,
            unstable: false,
            speedup: None,
            speedup_ci95: None,
            first_call_ns: None,
            peak_rss_bytes: None,
            cpu_ns: None,
            threads: None,
            processes: None,
            gc_enabled: None,
            throughput_mb_s: None,
            impl_info: None,
            module_file: None,
            python: None,
            build: None,
            process_wall_ns: None,
            process_cpu_ns: None,
            log: None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Results {
    pub schema: String,
    pub version: u32,
    pub ladder_version: String,
    /// The ladder that wrote the document: version, commit and built-in catalog (absent in older documents).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ladder_build: Option<LadderBuild>,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub command: Vec<String>,
    pub settings: Settings,
    pub machine: Machine,
    /// The baseline runtime id every speedup is measured against.
    pub baseline: Option<String>,
    pub runtimes: Vec<Runtime>,
    /// Tool -> version (compilers, pinned packages).
    pub tools: BTreeMap<String, String>,
    pub rungs: Vec<RungInfo>,
    pub benchmarks: Vec<BenchmarkInfo>,
    pub cells: Vec<Cell>,
    /// The rounds run so far, in order. Absent in documents from before rounds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rounds: Vec<Round>,
    /// The host over the whole run so far; absent where /proc cannot be read, and in older documents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<HostState>,
    /// Benchmark -> the n its spot checks ran at (drawn from `settings.seed`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub spot_n: BTreeMap<String, u64>,
}

/// What tells one ladder binary from another, so two results can be told apart by the ladder that made them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LadderBuild {
    pub version: String,
    /// The git commit it was built from, or `unknown` (a build from a source tree without .git).
    pub commit: String,
    /// The content hash of the built-in catalog (`--catalog DIR` runs record their command line besides).
    pub catalog: String,
}

impl LadderBuild {
    /// This binary's.
    pub fn this_binary() -> LadderBuild {
        LadderBuild {
            version: env!("CARGO_PKG_VERSION").into(),
            commit: env!("LADDER_COMMIT").into(),
            catalog: crate::catalog::embedded_catalog_hash().into(),
        }
    }

    /// One line: `0.1.0 (commit 1a2b3c4d5e6f, catalog 0123456789abcdef)`.
    pub fn describe(&self) -> String {
        let commit = self.commit.get(..12).unwrap_or(&self.commit);
        format!(
            "{} (commit {commit}, catalog {})",
            self.version, self.catalog
        )
    }
}

impl Results {
    /// The ladder that wrote the document, as `ladder --version` says it (the version alone in older documents).
    pub fn ladder_described(&self) -> String {
        match &self.ladder_build {
            Some(build) => build.describe(),
            None => self.ladder_version.clone(),
        }
    }

    /// Recomputes every speedup against the baseline cell (the `cpython` rung on the baseline runtime) of the
    /// same benchmark, size and n (several numeric sizes are all `custom`).
    pub fn recompute_speedups(&mut self) {
        let baseline = self.baseline.clone();
        let base_samples: BTreeMap<(String, SizeName, u64), Vec<Vec<f64>>> = self
            .cells
            .iter()
            .filter(|c| {
                c.rung == "cpython"
                    && c.tier == Tier::Study
                    && Some(&c.runtime) == baseline.as_ref()
                    && c.status == Status::Ok
            })
            .map(|c| ((c.benchmark.clone(), c.size, c.n), c.process_samples()))
            .collect();
        for cell in &mut self.cells {
            let measured = match base_samples.get(&(cell.benchmark.clone(), cell.size, cell.n)) {
                Some(base) if cell.status == Status::Ok => {
                    crate::stats::speedup_runs(base, &cell.process_samples())
                }
                _ => None,
            };
            cell.speedup = measured.map(|m| m.0);
            cell.speedup_ci95 = measured.map(|m| m.1);
        }
    }

    /// Writes the document atomically (a temporary file renamed over the old one).
    pub fn write(&self, path: &Path) -> Result<()> {
        let tmp = path.with_extension("json.tmp");
        let text = serde_json::to_string_pretty(self)?;
        std::fs::write(&tmp, text).with_context(|| format!("writing {}", tmp.display()))?;
        std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
        Ok(())
    }

    pub fn read(path: &Path) -> Result<Results> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let results: Results = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a ladder results document", path.display()))?;
        if results.schema != SCHEMA || results.version != SCHEMA_VERSION {
            anyhow::bail!(
                "{}: schema {} v{}, this ladder reads {SCHEMA} v{SCHEMA_VERSION}",
                path.display(),
                results.schema,
                results.version
            );
        }
        Ok(results)
    }
}

/// Now, as an RFC 3339 UTC timestamp to the second (`2026-12-04T21:25:07Z`).
pub fn now_rfc3339() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}
