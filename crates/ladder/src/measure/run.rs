//! `ladder run`'s pipeline: provision and build every planned cell (venv, packages, build), then measure in rounds,
//! round r running the r-th fresh worker process of every cell in an order shuffled for that round (so a drift of
//! the host's speed hits every cell alike); each process is verified, the cell's statistics are recomputed from
//! all its processes, and the results document is rewritten after every process, so nothing measured is lost if
//! the run dies.

use super::plan::{Plan, PlannedCell};
use super::spot;
use super::verify;
use super::worker::{Executor, Exit, Job, WorkerConfig, WorkerEvent};
use crate::catalog::{Benchmark, BuildKind, Catalog, InputKind, Rung, RuntimeSelector};
use crate::catalog::{SizeName, Tier};
use crate::results::{Cell, ProcessRun, Reference, Results, Round, Status, TimingPolicy};
use crate::stats;
use crate::toolchain::build::{self, BuildInfo, BuildRequest};
use crate::toolchain::discover::Runtime;
use crate::toolchain::host::HostSnapshot;
use crate::toolchain::kernels;
use crate::toolchain::venv::{self, Venv};
use anyhow::{Context, Result};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What the run reports while it goes; the terminal shows a progress bar, tests stay quiet.
pub trait Progress {
    /// `total`: the worker processes the run will start at most.
    fn start(&mut self, _total: usize) {}
    /// Provisioning and building a cell, before the rounds.
    fn preparing(&mut self, _cell: &PlannedCell) {}
    /// Round `round` (0 is the first) of `rounds` begins.
    fn round_started(&mut self, _round: u32, _rounds: u32) {}
    /// The `index`-th worker process of the run starts, for `cell`.
    fn cell_started(&mut self, _index: usize, _cell: &PlannedCell) {}
    /// A provisioning or build step that may take a while.
    fn step(&mut self, _message: &str) {}
    fn sample(&mut self, _samples: usize, _expected: u32) {}
    /// A worker process ended; `cell` is the cell with every process so far.
    fn cell_finished(&mut self, _cell: &Cell) {}
    fn finish(&mut self) {}
}

pub struct Quiet;
impl Progress for Quiet {}

/// What a cell's output is checked against (see measure::verify).
#[derive(Debug, Clone)]
pub enum Against {
    /// The reference pinned in benchmark.toml for the cell's size.
    Pinned,
    /// The baseline cell's output at the same n (`label`: `rung on runtime`), at an n with no pinned reference.
    Output {
        value: serde_json::Value,
        label: String,
    },
    /// This is the baseline cell at such an n: its output becomes the reference for the others.
    IsReference,
}

/// The rung whose output is the reference at a custom n (on the baseline runtime).
const BASELINE_RUNG: &str = "cpython";

/// The reference at a custom n, once the baseline cell there has run.
#[derive(Debug, Clone)]
struct CrossRef {
    label: String,
    /// The plan index of the baseline cell, to record who reproduced it.
    cell: usize,
    /// The output, or why the baseline cell gave none that can serve.
    output: Result<serde_json::Value, String>,
}

/// Why a cell could not be measured before its worker started.
#[derive(Clone)]
struct Blocked {
    status: Status,
    reason: String,
    get: Option<String>,
}

/// A cell whose rung is provisioned and built: what each of its worker processes runs.
#[derive(Clone)]
struct Ready {
    job: Job,
    expect_compiled: bool,
    python: String,
    build: Option<BuildInfo>,
}

/// A planned cell across the rounds.
struct Slot {
    /// The cell with every process so far; `None` until its first process ran (or it was found unable to run).
    cell: Option<Cell>,
    /// What its next process runs; `None` once it can run no more (it could not be prepared, or a process
    /// faulted: the first fault is the cell's verdict).
    ready: Option<Ready>,
    /// Wall time its processes have taken.
    spent_ns: u64,
    /// The output of its first process, which the spot check's must differ from.
    first_output: Option<serde_json::Value>,
    /// Its first process's call at the spot-check n, when it made its rung's spot check.
    spot: Option<spot::SpotRun>,
}

/// A rung ready to run on a runtime: the interpreter to start, and its venv when it has one.
#[derive(Clone)]
struct Prepared {
    python: PathBuf,
    venv: Option<Venv>,
    kernels: Option<BuildInfo>,
}

/// A callback after every save of the results document.
pub type SaveHook<'a> = dyn Fn(&Results) -> Result<()> + 'a;

pub struct Runner<'a> {
    pub catalog: &'a Catalog,
    pub executor: &'a dyn Executor,
    pub home: PathBuf,
    pub timing: TimingPolicy,
    pub json_path: Option<PathBuf>,
    /// `--fair`: workers get LADDER_FAIR=1 and compiled rungs are built without FMA contraction.
    pub fair: bool,
    /// `--annotate`: the cython rung keeps its `cython -a` page.
    pub annotate: bool,
    worker: Option<PathBuf>,
    prepared: HashMap<(String, String), Result<Prepared, Blocked>>,
    /// (benchmark, n) -> the baseline's output at a custom n.
    cross_refs: HashMap<(String, u64), CrossRef>,
    /// Called after every save, with the document as it stands (e.g. to rewrite the HTML report).
    pub on_save: Option<&'a SaveHook<'a>>,
}

impl<'a> Runner<'a> {
    pub fn new(
        catalog: &'a Catalog,
        executor: &'a dyn Executor,
        home: PathBuf,
        timing: TimingPolicy,
    ) -> Runner<'a> {
        Runner {
            catalog,
            executor,
            home,
            timing,
            json_path: None,
            fair: false,
            annotate: false,
            worker: None,
            prepared: HashMap::new(),
            cross_refs: HashMap::new(),
            on_save: None,
        }
    }

    /// Runs every cell of the plan into `results`: provisions and builds them all, then runs the rounds, writing
    /// the document after every worker process.
    pub fn run(
        &mut self,
        plan: &Plan,
        results: &mut Results,
        progress: &mut dyn Progress,
    ) -> Result<()> {
        let rounds = self.timing.worker_processes.max(1);
        self.save(results)?;
        let mut slots = Vec::with_capacity(plan.cells.len());
        for (i, planned) in plan.cells.iter().enumerate() {
            progress.preparing(planned);
            let slot = match self.ready(planned, results, progress) {
                Ok(ready) => Slot {
                    cell: None,
                    ready: Some(ready),
                    spent_ns: 0,
                    first_output: None,
                    spot: None,
                },
                Err(blocked) => {
                    let mut cell = new_cell(planned);
                    cell.status = blocked.status;
                    cell.reason = blocked.reason;
                    cell.get = blocked.get;
                    cell.python = planned.runtime.as_ref().map(|r| r.version.clone());
                    self.record_cross_check(planned, i, &cell, None, &mut slots, results);
                    Slot {
                        cell: Some(cell),
                        ready: None,
                        spent_ns: 0,
                        first_output: None,
                        spot: None,
                    }
                }
            };
            slots.push(slot);
        }
        sync(&slots, results);
        self.save(results)?;
        let runnable = slots.iter().filter(|s| s.ready.is_some()).count();
        progress.start(runnable * rounds as usize);
        let mut started = 0;
        // The first cell of each benchmark, rung and runtime makes their spot check in its first process.
        let mut carriers = std::collections::HashSet::new();
        let mut seen = std::collections::HashSet::new();
        for (i, slot) in slots.iter().enumerate() {
            let p = &plan.cells[i];
            if slot.ready.is_some() && seen.insert((&p.bench, &p.rung, &p.runtime_label)) {
                carriers.insert(i);
            }
        }
        let run_started = HostSnapshot::now();
        for round in 0..rounds {
            let seed = stats::derive_seed(results.settings.seed, u64::from(round));
            let order = self.round_order(plan, &slots, round, seed, results);
            if order.is_empty() {
                break;
            }
            progress.round_started(round, rounds);
            results.rounds.push(Round {
                index: round,
                seed,
                started_at: crate::results::now_rfc3339(),
                order: order.iter().map(|&i| label(&plan.cells[i])).collect(),
                host: None,
            });
            let round_started = HostSnapshot::now();
            for i in order {
                progress.cell_started(started, &plan.cells[i]);
                started += 1;
                let carrier = round == 0 && carriers.contains(&i);
                self.run_process(plan, i, round, carrier, &mut slots, results, progress);
                if let Some(cell) = &slots[i].cell {
                    progress.cell_finished(cell);
                }
                sync(&slots, results);
                self.save(results)?;
            }
            let now = HostSnapshot::now();
            if let Some(last) = results.rounds.last_mut() {
                last.host = round_started.zip(now).map(|(a, b)| a.until(&b));
            }
            results.host = run_started.zip(now).map(|(a, b)| {
                let mut whole = a.until(&b);
                // The run's load is the highest any round saw, not only at its two ends.
                whole.load_avg_1m = results
                    .rounds
                    .iter()
                    .filter_map(|r| r.host.map(|h| h.load_avg_1m))
                    .fold(whole.load_avg_1m, f64::max);
                whole
            });
            if round == 0 {
                self.spot_round(plan, &mut slots, results, progress);
            }
            sync(&slots, results);
            self.save(results)?;
        }
        results.finished_at = Some(crate::results::now_rfc3339());
        self.save(results)?;
        progress.finish();
        Ok(())
    }

    /// The cells whose next process runs in `round`, in the order they run: shuffled with `seed`, except that a
    /// baseline cell at an n without a pinned reference goes first, because the others are checked against its
    /// output. From the third round on, a cell that has used its time budget sits out.
    fn round_order(
        &self,
        plan: &Plan,
        slots: &[Slot],
        round: u32,
        seed: u64,
        results: &Results,
    ) -> Vec<usize> {
        let budget = self.timing.cell_budget_ns;
        let eligible =
            |s: &Slot| s.ready.is_some() && (round < 2 || budget == 0 || s.spent_ns < budget);
        let (mut first, mut rest): (Vec<usize>, Vec<usize>) = (0..slots.len())
            .filter(|&i| eligible(&slots[i]))
            .partition(|&i| {
                plan.cells[i].size == SizeName::Custom
                    && Self::is_baseline_cell(&plan.cells[i], results)
            });
        stats::SplitMix64::new(seed).shuffle(&mut rest);
        first.append(&mut rest);
        first
    }

    /// Runs the next worker process of cell `i` and folds it into the cell; a `spot_carrier` process also makes
    /// its rung's spot check.
    #[allow(clippy::too_many_arguments)]
    fn run_process(
        &mut self,
        plan: &Plan,
        i: usize,
        round: u32,
        spot_carrier: bool,
        slots: &mut [Slot],
        results: &mut Results,
        progress: &mut dyn Progress,
    ) {
        let planned = &plan.cells[i];
        let Some(ready) = slots[i].ready.clone() else {
            return;
        };
        let mut cell = new_cell(planned);
        cell.python = Some(ready.python.clone());
        cell.build = ready.build.clone();
        let against = self.against(planned, results);
        let (Ok(against), Some(bench)) = (against, self.catalog.benchmark(&planned.bench)) else {
            // Not measured: nothing could verify it (its baseline at this n gave no reference).
            let reason = self
                .against(planned, results)
                .err()
                .unwrap_or_else(|| "internal: the plan names something the catalog lacks".into());
            let slot = &mut slots[i];
            slot.ready = None;
            let cell = slot.cell.get_or_insert(cell);
            cell.status = Status::Failed;
            cell.reason = reason;
            return;
        };
        let mut job = ready.job.clone();
        if spot_carrier {
            // This process also makes its rung's spot check, after its samples: no process of its own.
            let n = spot::spot_n(bench, results.settings.seed);
            results.spot_n.insert(bench.id.clone(), n);
            job.config.spot_n = Some(n);
            if bench.input == InputKind::Events {
                match ensure_events(&self.home, n) {
                    Ok(path) => job.config.spot_data_path = path.display().to_string(),
                    Err(_) => job.config.spot_n = None,
                }
            }
        }
        let returned = measure_cell(
            self.executor,
            &job,
            bench,
            planned,
            &against,
            ready.expect_compiled,
            &mut cell,
            progress,
        );
        let slot = &mut slots[i];
        slot.spent_ns += cell.process_wall_ns.unwrap_or(0);
        if cell.status != Status::Ok {
            slot.ready = None;
        }
        slot.spot = returned.spot;
        absorb(&mut slot.cell, cell, round);
        if round == 0
            && let Some(cell) = slots[i].cell.clone()
        {
            slots[i].first_output = returned.output.clone();
            self.record_cross_check(planned, i, &cell, returned.output, slots, results);
        }
    }

    /// Judges each rung still measuring at its benchmark's spot-check n (one call per benchmark, rung and runtime,
    /// whatever the sizes, made by its first worker process, or by a process of its own when that one gave none)
    /// (see measure::spot): a rung that disagrees with the baseline there, or whose output does not depend on n,
    /// is `wrong` and runs no more processes.
    fn spot_round(
        &mut self,
        plan: &Plan,
        slots: &mut [Slot],
        results: &mut Results,
        progress: &mut dyn Progress,
    ) {
        type Key = (String, String, String);
        let key = |p: &PlannedCell| (p.bench.clone(), p.rung.clone(), p.runtime_label.clone());
        let mut groups: Vec<(Key, Vec<usize>)> = Vec::new();
        for (i, slot) in slots.iter().enumerate() {
            if slot.ready.is_none() {
                continue;
            }
            let k = key(&plan.cells[i]);
            match groups.iter_mut().find(|(g, _)| *g == k) {
                Some((_, members)) => members.push(i),
                None => groups.push((k, vec![i])),
            }
        }
        let baseline = results.baseline.clone().unwrap_or_default();
        let is_base = |k: &Key| k.1 == BASELINE_RUNG && k.2 == baseline;
        // The baselines first: the others are judged against their outputs.
        groups.sort_by_key(|(k, _)| !is_base(k));
        let mut outputs: HashMap<Key, spot::SpotRun> = HashMap::new();
        let mut base_outputs: HashMap<String, Result<serde_json::Value, String>> = HashMap::new();
        for (k, members) in &groups {
            let Some(bench) = self.catalog.benchmark(&k.0) else {
                continue;
            };
            let n = spot::spot_n(bench, results.settings.seed);
            results.spot_n.insert(bench.id.clone(), n);
            progress.step(&format!("spot check of {} on {} at n={n}", k.1, k.2));
            // Made by the group's first process already; a process of its own only when that one could not.
            let carried = members.iter().find_map(|&j| slots[j].spot.clone());
            let run = match carried {
                Some(run) => run,
                None => self.spot_run(bench, &plan.cells[members[0]], n, &slots[members[0]]),
            };
            let own: Vec<(u64, &serde_json::Value)> = members
                .iter()
                .filter_map(|&j| slots[j].first_output.as_ref().map(|v| (plan.cells[j].n, v)))
                .collect();
            let label = format!("{BASELINE_RUNG} on {baseline}");
            let against = if is_base(k) {
                spot::Against::IsBaseline
            } else {
                match base_outputs.get(&k.0) {
                    Some(Ok(output)) => spot::Against::Baseline {
                        label: &label,
                        output,
                    },
                    Some(Err(why)) => spot::Against::Missing(why.clone()),
                    None => spot::Against::Missing(format!("no {label} cell ran in this run")),
                }
            };
            let (check, fault) = spot::judge(bench, n, &run, &own, against);
            if is_base(k) {
                let reference = match (&run, &fault) {
                    (spot::SpotRun::Output(v), None) => Ok(v.clone()),
                    _ => Err(format!("{label} gave no reference there")),
                };
                base_outputs.insert(k.0.clone(), reference);
            }
            outputs.insert(k.clone(), run);
            for &j in members {
                let slot = &mut slots[j];
                let Some(cell) = slot.cell.as_mut() else {
                    continue;
                };
                cell.spot_check = Some(check.clone());
                if let Some((status, reason)) = &fault {
                    slot.ready = None;
                    if cell.status == Status::Ok {
                        cell.status = *status;
                        cell.reason = reason.clone();
                        cell.verified = false;
                    }
                }
            }
        }
    }

    /// One process of `planned`'s rung at the spot-check n `n`: its first call and one sample, no warm-up.
    fn spot_run(
        &mut self,
        bench: &Benchmark,
        planned: &PlannedCell,
        n: u64,
        slot: &Slot,
    ) -> spot::SpotRun {
        let fault = |status, reason| spot::SpotRun::Fault { status, reason };
        let Some(ready) = &slot.ready else {
            return fault(Status::Failed, "internal: not ready".into());
        };
        let mut job = ready.job.clone();
        job.config.n = n;
        job.config.min_samples = 1;
        job.config.max_samples = 1;
        job.config.min_time_ns = 0;
        job.config.max_time_ns = 0;
        job.config.warmup_ns = 0;
        job.config.target_sample_ns = 0;
        job.config.samples_floor = 1;
        if bench.input == InputKind::Events {
            match ensure_events(&self.home, n) {
                Ok(path) => job.config.data_path = path.display().to_string(),
                Err(e) => return fault(Status::Failed, format!("{e:#}")),
            }
        }
        let at_n = PlannedCell {
            n,
            size: SizeName::Custom,
            ..planned.clone()
        };
        let mut cell = new_cell(&at_n);
        let output = measure_cell(
            self.executor,
            &job,
            bench,
            &at_n,
            &Against::IsReference,
            ready.expect_compiled,
            &mut cell,
            &mut Quiet,
        )
        .output;
        match (cell.status, output) {
            (Status::Ok, Some(v)) => spot::SpotRun::Output(v),
            (status, _) => fault(status, cell.reason),
        }
    }

    fn save(&self, results: &Results) -> Result<()> {
        if let Some(p) = &self.json_path {
            results.write(p)?;
        }
        match self.on_save {
            Some(f) => f(results),
            None => Ok(()),
        }
    }

    fn is_baseline_cell(planned: &PlannedCell, results: &Results) -> bool {
        planned.rung == BASELINE_RUNG
            && planned.tier == Tier::Study
            && planned
                .runtime
                .as_ref()
                .is_some_and(|r| Some(&r.id) == results.baseline.as_ref())
    }

    /// What `planned` is checked against; `Err` when it is at a custom n whose reference is missing, so it cannot
    /// be verified and is not measured.
    fn against(&self, planned: &PlannedCell, results: &Results) -> Result<Against, String> {
        if planned.size != SizeName::Custom {
            return Ok(Against::Pinned);
        }
        if Self::is_baseline_cell(planned, results) {
            return Ok(Against::IsReference);
        }
        let n = planned.n;
        match self.cross_refs.get(&(planned.bench.clone(), n)) {
            Some(CrossRef {
                label,
                output: Ok(value),
                ..
            }) => Ok(Against::Output {
                value: value.clone(),
                label: label.clone(),
            }),
            Some(CrossRef {
                label,
                output: Err(why),
                ..
            }) => Err(format!(
                "not measured: n={n} has no pinned reference and the baseline {label}, which would be the \
                 reference, {why}"
            )),
            None => Err(format!(
                "not measured: n={n} has no pinned reference and there is no baseline cell ({} on {}) to \
                 cross-check against",
                BASELINE_RUNG,
                results.baseline.as_deref().unwrap_or("no CPython found")
            )),
        }
    }

    /// Keeps the baseline's output at a custom n as the reference, and records on the baseline cell each rung
    /// that reproduced it.
    fn record_cross_check(
        &mut self,
        planned: &PlannedCell,
        index: usize,
        cell: &Cell,
        output: Option<serde_json::Value>,
        slots: &mut [Slot],
        results: &Results,
    ) {
        if planned.size != SizeName::Custom {
            return;
        }
        let key = (planned.bench.clone(), planned.n);
        if Self::is_baseline_cell(planned, results) {
            let label = format!("{} on {}", planned.rung, planned.runtime_label);
            let output = match (cell.status, output) {
                (Status::Ok, Some(v)) => Ok(v),
                (status, _) => Err(format!("is {}: {}", status.as_str(), cell.reason)),
            };
            self.cross_refs.insert(
                key,
                CrossRef {
                    label,
                    cell: index,
                    output,
                },
            );
            return;
        }
        if cell.status != Status::Ok || !cell.verified {
            return;
        }
        // Only another implementation confirms the reference: CPython 3.12 or PyPy running the baseline's own
        // file agreeing with it says little about the code being right.
        let file = |rung: &str, tier: Tier| {
            self.catalog
                .benchmark(&planned.bench)
                .and_then(|b| b.implementation(rung, tier).map(str::to_string))
        };
        if file(&cell.rung, cell.tier).is_none()
            || file(&cell.rung, cell.tier) == file(BASELINE_RUNG, Tier::Study)
        {
            return;
        }
        if let Some(r) = self.cross_refs.get(&key)
            && let Some(base) = slots.get_mut(r.cell).and_then(|s| s.cell.as_mut())
            && let Some(Reference::Baseline { confirmed_by }) = &mut base.reference
        {
            confirmed_by.push(format!("{} on {}", cell.rung, cell.runtime));
            base.verified = true;
        }
    }

    fn worker_path(&mut self) -> Result<PathBuf> {
        if let Some(p) = &self.worker {
            return Ok(p.clone());
        }
        let hash = verify::sha256_hex(crate::catalog::WORKER_PY.as_bytes());
        let path = self.home.join(format!("worker-{}.py", &hash[..12]));
        if !path.is_file() {
            std::fs::write(&path, crate::catalog::WORKER_PY)
                .with_context(|| format!("writing {}", path.display()))?;
        }
        self.worker = Some(path.clone());
        Ok(path)
    }

    /// Provisions and builds a cell's rung, and says what each of its worker processes will run; `Err` when the
    /// cell cannot run here (unavailable, or its build failed).
    fn ready(
        &mut self,
        planned: &PlannedCell,
        results: &mut Results,
        progress: &mut dyn Progress,
    ) -> Result<Ready, Blocked> {
        if let Some((reason, get)) = &planned.unavailable {
            return Err(Blocked {
                status: Status::Unavailable,
                reason: reason.clone(),
                get: get.clone(),
            });
        }
        let failed = |status: Status, e: anyhow::Error| Blocked {
            status,
            reason: format!("{e:#}"),
            get: None,
        };
        let (Some(bench), Some(rung), Some(runtime)) = (
            self.catalog.benchmark(&planned.bench),
            self.catalog.rung(&planned.rung),
            planned.runtime.as_ref(),
        ) else {
            return Err(failed(
                Status::Failed,
                anyhow::anyhow!("internal: the plan names something the catalog lacks"),
            ));
        };
        let prepared = self.prepare(rung, runtime, results, progress)?;
        let impl_file = bench
            .implementation(&rung.id, planned.tier)
            .ok_or_else(|| failed(Status::Failed, anyhow::anyhow!("no implementation file")))?;
        if rung.build != BuildKind::None && rung.build != BuildKind::Maturin {
            progress.step(&format!(
                "building {} for {} ({} tier)",
                rung.id, bench.id, planned.tier
            ));
        }
        let built = build::build(&BuildRequest {
            home: &self.home,
            kind: rung.build,
            rung: &rung.id,
            tier: planned.tier,
            bench,
            impl_file,
            python: &prepared.python,
            venv: prepared.venv.as_ref(),
            packages: &rung.packages,
            fair: self.fair,
            annotate: self.annotate,
            link: &rung.link,
        })
        .map_err(|e| match e.downcast_ref::<build::MissingPythonHeaders>() {
            Some(missing) => Blocked {
                status: Status::Unavailable,
                reason: missing.to_string(),
                get: Some(build::PYTHON_DEV_GET.into()),
            },
            None => failed(
                Status::Failed,
                e.context(format!("building the {} rung", rung.id)),
            ),
        })?;
        let data_path = match bench.input {
            InputKind::None => String::new(),
            InputKind::Events => ensure_events(&self.home, planned.n)
                .map_err(|e| failed(Status::Failed, e))?
                .display()
                .to_string(),
        };
        let worker = self.worker_path().map_err(|e| failed(Status::Failed, e))?;
        let job = Job {
            python: prepared.python.clone(),
            worker,
            config: WorkerConfig {
                module_dir: built.module_dir.clone(),
                module: built.module.clone(),
                n: planned.n,
                data_path,
                min_samples: self.timing.min_samples,
                max_samples: self.timing.max_samples,
                min_time_ns: self.timing.min_time_ns,
                max_time_ns: self.timing.max_time_ns,
                target_sample_ns: self.timing.target_sample_ns,
                warmup_ns: self.timing.warmup_ns,
                samples_floor: self.timing.samples_floor,
                spot_n: None,
                spot_data_path: String::new(),
            },
            env: [
                // Numba's cache key leaves out `fastmath`, so each floating-point mode keeps its own folder:
                // a fair run must never load code compiled with fast-math.
                (
                    "NUMBA_CACHE_DIR".to_string(),
                    self.home
                        .join(if self.fair {
                            "numba-cache-fair"
                        } else {
                            "numba-cache"
                        })
                        .display()
                        .to_string(),
                ),
                // Where JIT rungs (JAX, Taichi) keep their compiled kernels between runs.
                (
                    "LADDER_CACHE_DIR".to_string(),
                    self.home.join("jit-cache").display().to_string(),
                ),
            ]
            .into_iter()
            // Every worker is told the mode, so JIT rungs (Taichi, JAX, Numba) and the Rust kernels follow it too.
            .chain(
                self.fair
                    .then(|| ("LADDER_FAIR".to_string(), "1".to_string())),
            )
            .chain(rung.env.iter().map(|(k, v)| (k.clone(), v.clone())))
            .collect(),
            timeout: Duration::from_nanos(self.timing.timeout_ns),
        };
        Ok(Ready {
            job,
            expect_compiled: built.compiled,
            python: runtime.version.clone(),
            build: Some(prepared.kernels.clone().unwrap_or(built.info.clone())),
        })
    }

    /// Provisions a rung on a runtime once per run: the venv, its pinned packages, the Rust extension.
    fn prepare(
        &mut self,
        rung: &Rung,
        runtime: &Runtime,
        results: &mut Results,
        progress: &mut dyn Progress,
    ) -> Result<Prepared, Blocked> {
        let key = (rung.id.clone(), runtime.id.clone());
        if !self.prepared.contains_key(&key) {
            let outcome = self.provision(rung, runtime, results, progress);
            self.prepared.insert(key.clone(), outcome);
        }
        self.prepared[&key].clone()
    }

    /// A venv or a package that cannot be had makes the rung `unavailable` (with the command that gets it); a
    /// build that fails is `failed`: the tools were there and something is wrong.
    fn provision(
        &mut self,
        rung: &Rung,
        runtime: &Runtime,
        results: &mut Results,
        progress: &mut dyn Progress,
    ) -> Result<Prepared, Blocked> {
        let needs_venv = !rung.packages.is_empty() || rung.build.needs_venv();
        if rung.on != RuntimeSelector::Baseline || !needs_venv {
            return Ok(Prepared {
                python: runtime.executable.clone(),
                venv: None,
                kernels: None,
            });
        }
        let unavailable = |e: anyhow::Error, get: Option<String>| Blocked {
            status: Status::Unavailable,
            reason: format!("{e:#}"),
            get,
        };
        progress.step(&format!(
            "preparing the venv for {} on {}",
            rung.id, runtime.id
        ));
        let venv = venv::ensure_venv(&self.home, runtime)
            .map_err(|e| unavailable(e, Some("apt-get install python3-venv".into())))?;
        if !rung.packages.is_empty() {
            progress.step(&format!("installing {}", rung.packages.join(" ")));
            venv::ensure_packages(&self.home, &venv, &rung.packages).map_err(|e| {
                unavailable(e, Some(venv::pip_command(&venv.python, &rung.packages)))
            })?;
            for p in &rung.packages {
                if let Some((name, version)) = p.split_once("==") {
                    results.tools.insert(name.to_string(), version.to_string());
                }
            }
        }
        let kernels = if rung.build == BuildKind::Maturin {
            progress.step("building the Rust rung with maturin (cargo --release), or installing its prebuilt wheel");
            Some(
                kernels::ensure_kernels(&self.home, &venv, runtime).map_err(|e| {
                    // Missing tools make the rung unavailable; a build that broke is a failure.
                    let missing = e.is::<kernels::NoKernels>();
                    Blocked {
                        status: if missing {
                            Status::Unavailable
                        } else {
                            Status::Failed
                        },
                        reason: format!("{e:#}"),
                        get: missing.then(|| kernels::KERNELS_GET.to_string()),
                    }
                })?,
            )
        } else {
            None
        };
        Ok(Prepared {
            python: venv.python.clone(),
            venv: Some(venv),
            kernels,
        })
    }
}

/// The events file for `n` events, generated once under `$LADDER_HOME/data`.
pub fn ensure_events(home: &Path, n: u64) -> Result<PathBuf> {
    let dir = home.join("data");
    std::fs::create_dir_all(&dir)?;
    // The generator's own source is part of the name, so a changed generator never reuses an old file.
    let generator = verify::sha256_hex(include_str!("../events.rs").as_bytes());
    let path = dir.join(format!(
        "events-{n}-seed{:x}-{}.json",
        crate::events::DEFAULT_SEED,
        &generator[..12]
    ));
    if !path.is_file() {
        let n = usize::try_from(n).context("event count does not fit this machine")?;
        let bytes = crate::events::generate(n, crate::events::DEFAULT_SEED);
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
        std::fs::rename(&tmp, &path)?;
    }
    Ok(path)
}

/// An empty cell for a planned one.
fn new_cell(planned: &PlannedCell) -> Cell {
    Cell {
        tier: planned.tier,
        ..Cell::new(
            &planned.bench,
            &planned.rung,
            &planned.runtime_label,
            planned.size,
            planned.n,
        )
    }
}

/// `benchmark/size/rung/runtime` (`rung@expert` for the expert tier): how a round's order names a cell.
fn label(planned: &PlannedCell) -> String {
    format!(
        "{}/{}/{}{}/{}",
        planned.bench,
        crate::results::size_label(planned.size, planned.n),
        planned.rung,
        match planned.tier {
            Tier::Study => "",
            Tier::Expert => "@expert",
        },
        planned.runtime_label
    )
}

/// The document's cells: every cell that has run or was found unable to, in plan order.
fn sync(slots: &[Slot], results: &mut Results) {
    results.cells = slots.iter().filter_map(|s| s.cell.clone()).collect();
    results.recompute_speedups();
}

/// Folds one worker process (`process`, a cell measured by that process alone) into the cell with the processes
/// before it, and recomputes the cell's figures from all of them. The first fault is the cell's verdict.
fn absorb(cell: &mut Option<Cell>, mut process: Cell, round: u32) {
    let run = ProcessRun {
        round,
        samples_ns: process.samples_ns.clone(),
        loops: process.loops,
        first_call_ns: process.first_call_ns,
        cpu_ns: process.cpu_ns,
        peak_rss_bytes: process.peak_rss_bytes,
        process_wall_ns: process.process_wall_ns,
        // The worker sends such a first call as a one-call sample of the very same nanoseconds.
        first_call_sample: process.samples_ns.len() == 1
            && process.loops == 1
            && process.first_call_ns.map(|f| f as f64) == process.samples_ns.first().copied(),
    };
    // The input's size, from the one process's throughput, to restate it at the cell's median.
    let input_bytes = process
        .throughput_mb_s
        .zip(process.median_ns)
        .map(|(t, m)| t * m / 1e3);
    let cell = match cell {
        None => {
            process.runs = vec![run];
            cell.insert(process)
        }
        Some(cell) => {
            cell.runs.push(run);
            cell.samples_ns.extend_from_slice(&process.samples_ns);
            cell.loops = process.loops;
            cell.threads = cell.threads.max(process.threads);
            cell.processes = cell.processes.max(process.processes);
            if cell.log.is_none() {
                cell.log = process.log;
            }
            if process.status != Status::Ok && cell.status == Status::Ok {
                cell.status = process.status;
                cell.reason = format!("worker process {}: {}", cell.runs.len(), process.reason);
                cell.check = process.check;
                cell.verified = false;
            }
            cell
        }
    };
    summarize_runs(cell, input_bytes);
}

/// A cell's figures from all its processes.
fn summarize_runs(cell: &mut Cell, input_bytes: Option<f64>) {
    let (summary, unstable) = match stats::summarize_runs(&cell.process_samples()) {
        Some((s, unstable)) => (Some(s), unstable),
        None => (None, false),
    };
    cell.median_ns = summary.as_ref().map(|s| s.median_ns);
    cell.ci95_ns = summary.as_ref().map(|s| s.ci95_ns);
    cell.ci_level = summary.as_ref().map(|s| s.ci_level);
    cell.min_ns = summary.as_ref().map(|s| s.min_ns);
    cell.mad_ns = summary.as_ref().map(|s| s.mad_ns);
    cell.noisy = summary.as_ref().is_some_and(stats::is_noisy);
    cell.unstable = unstable;
    let median_of = |values: Vec<f64>| stats::summarize(&values).map(|s| s.median_ns);
    cell.cpu_ns = median_of(cell.runs.iter().filter_map(|r| r.cpu_ns).collect());
    cell.first_call_ns = median_of(
        cell.runs
            .iter()
            .filter_map(|r| r.first_call_ns.map(|ns| ns as f64))
            .collect(),
    )
    .map(|ns| ns as u64);
    cell.peak_rss_bytes = cell.runs.iter().filter_map(|r| r.peak_rss_bytes).max();
    cell.throughput_mb_s = input_bytes
        .zip(cell.median_ns)
        .map(|(bytes, median)| bytes / median * 1e3);
}

/// What a worker process returned besides its timings.
#[derive(Debug, Default)]
pub struct Returned {
    /// The first call's output, which becomes the reference when the cell `IsReference`.
    pub output: Option<serde_json::Value>,
    /// Its call at the spot-check n, when the job asked for one.
    pub spot: Option<spot::SpotRun>,
}

/// Runs one worker and turns what it said (and how it ended) into the cell's status, samples and statistics.
#[allow(clippy::too_many_arguments)]
pub fn measure_cell(
    executor: &dyn Executor,
    job: &Job,
    bench: &Benchmark,
    planned: &PlannedCell,
    against: &Against,
    expect_compiled: bool,
    cell: &mut Cell,
    progress: &mut dyn Progress,
) -> Returned {
    let mut output = None;
    let mut spot = None;
    let mut error = None;
    let mut done = None;
    let mut gil_enabled = None;
    let mut cpu = Vec::new();
    let min_samples = job.config.min_samples;
    let outcome = executor.execute(job, &mut |ev| match ev {
        WorkerEvent::Hello { python, .. } => cell.python = Some(python.clone()),
        WorkerEvent::Imported { file, .. } => cell.module_file = file.clone(),
        WorkerEvent::FirstCall { ns, .. } => cell.first_call_ns = Some(*ns),
        WorkerEvent::Output { value } => output = Some(value.clone()),
        WorkerEvent::Sample { ns, cpu_ns, loops } => {
            let loops = (*loops).max(1);
            cell.loops = loops;
            cell.samples_ns.push(*ns as f64 / loops as f64);
            cpu.push(*cpu_ns as f64 / loops as f64);
            progress.sample(cell.samples_ns.len(), min_samples);
        }
        WorkerEvent::Info { value } => cell.impl_info = Some(value.clone()),
        WorkerEvent::SpotOutput { n, value, error } => {
            spot = Some(match error {
                None => spot::SpotRun::Output(value.clone().unwrap_or(serde_json::Value::Null)),
                Some(e) => spot::SpotRun::Fault {
                    status: Status::Failed,
                    reason: format!("{e} (at n={n})"),
                },
            })
        }
        WorkerEvent::Done {
            threads,
            children,
            gc_enabled,
            gil_enabled: gil,
            mismatched_outputs,
            samples,
        } => {
            gil_enabled = *gil;
            cell.threads = Some(*threads);
            cell.processes = Some(processes(*children, cell.impl_info.as_ref()));
            cell.gc_enabled = Some(*gc_enabled);
            done = Some((*mismatched_outputs, *samples));
        }
        WorkerEvent::Error {
            phase,
            kind,
            message,
            traceback,
        } => {
            let last = traceback
                .lines()
                .rev()
                .find(|l| l.starts_with("  File"))
                .unwrap_or("")
                .trim();
            error = Some(format!(
                "{kind} in {phase}: {message}{}",
                if last.is_empty() {
                    String::new()
                } else {
                    format!(" ({last})")
                }
            ));
        }
    });
    let summary = stats::summarize(&cell.samples_ns);
    if let Some(s) = &summary {
        cell.median_ns = Some(s.median_ns);
        cell.ci95_ns = Some(s.ci95_ns);
        cell.ci_level = Some(s.ci_level);
        cell.min_ns = Some(s.min_ns);
        cell.mad_ns = Some(s.mad_ns);
        cell.noisy = stats::is_noisy(s);
    }
    cell.cpu_ns = stats::summarize(&cpu).map(|s| s.median_ns);
    if let (Some(median), Ok(meta)) = (cell.median_ns, std::fs::metadata(&job.config.data_path)) {
        // bytes per ns = GB/s; x1000 = MB/s.
        cell.throughput_mb_s = Some(meta.len() as f64 / median * 1e3);
    }
    let (status, reason) = match outcome {
        Err(e) => (Status::Failed, format!("could not run the worker: {e:#}")),
        Ok(out) => {
            cell.peak_rss_bytes = Some(out.peak_rss_bytes);
            cell.process_wall_ns = Some(out.wall_ns);
            cell.process_cpu_ns = Some(out.cpu_ns);
            cell.log = (!out.stderr_tail.trim().is_empty()).then(|| out.stderr_tail.clone());
            judge(
                &out.exit,
                &out.garbage,
                error,
                output.as_ref(),
                done,
                job,
                bench,
                planned,
                against,
                expect_compiled,
                cell,
            )
        }
    };
    let (status, reason) = match gil_came_back(&job.env, gil_enabled) {
        Some(why) if status == Status::Ok => (Status::Failed, why),
        _ => (status, reason),
    };
    cell.status = status;
    cell.reason = reason;
    Returned { output, spot }
}

/// A rung that asks for the GIL off (`PYTHON_GIL=0` in its env: the free-threaded rung) is measured only when the
/// interpreter really ran without it; an extension module without free-threading support can turn it back on.
fn gil_came_back(env: &[(String, String)], gil_enabled: Option<bool>) -> Option<String> {
    let asked_off = env.iter().any(|(k, v)| k == "PYTHON_GIL" && v == "0");
    (asked_off && gil_enabled == Some(true)).then(|| {
        "the GIL was on when the worker finished, although the rung runs with PYTHON_GIL=0: the interpreter is not \
         free-threaded, or an extension module turned the GIL back on (Python's RuntimeWarning in the log names it)"
            .to_string()
    })
}

/// How many processes did the work: the worker, plus the most children seen alive between samples, or what the
/// implementation's `ladder_info()` says (`"processes"`), for a pool that lives only inside a call.
fn processes(children: u32, info: Option<&serde_json::Value>) -> u32 {
    let reported = info
        .and_then(|v| v.get("processes"))
        .and_then(|p| p.as_u64())
        .and_then(|p| u32::try_from(p).ok())
        .unwrap_or(1);
    reported.max(1 + children)
}

/// Decides a cell's status. The first fault found wins: process, protocol, import, check, determinism.
#[allow(clippy::too_many_arguments)]
fn judge(
    exit: &Exit,
    garbage: &[String],
    error: Option<String>,
    output: Option<&serde_json::Value>,
    done: Option<(u32, u32)>,
    job: &Job,
    bench: &Benchmark,
    planned: &PlannedCell,
    against: &Against,
    expect_compiled: bool,
    cell: &mut Cell,
) -> (Status, String) {
    if *exit == Exit::TimedOut {
        return (
            Status::Timeout,
            format!(
                "no result within the {} s limit (killed); {} samples kept",
                job.timeout.as_secs(),
                cell.samples_ns.len()
            ),
        );
    }
    if let Some(g) = garbage.first() {
        return (
            Status::Failed,
            format!(
                "the worker's protocol channel carried a line that is not protocol: {:?}",
                truncate(g, 120)
            ),
        );
    }
    if let Some(e) = error {
        return (Status::Failed, e);
    }
    match exit {
        Exit::Code(0) => {}
        Exit::Code(c) => return (Status::Failed, format!("the worker exited with code {c}")),
        Exit::Signal(s) => {
            return (
                Status::Failed,
                format!("the worker was killed by signal {s}"),
            );
        }
        Exit::TimedOut => unreachable!("handled above"),
    }
    if expect_compiled
        && !cell
            .module_file
            .as_deref()
            .is_some_and(|f| f.ends_with(".so") || f.ends_with(".pyd"))
    {
        return (
            Status::Failed,
            format!(
                "imported {:?}, not the compiled extension module",
                cell.module_file.as_deref().unwrap_or("nothing")
            ),
        );
    }
    let Some(output) = output else {
        return (Status::Failed, "the worker returned no output".into());
    };
    let expected = match against {
        Against::Pinned => {
            let Some(size) = bench.size(planned.size) else {
                return (Status::Failed, "internal: size missing".into());
            };
            cell.reference = Some(Reference::Pinned);
            verify::Expected::Pinned(size)
        }
        Against::Output { value, label } => {
            cell.reference = Some(Reference::CrossChecked {
                against: label.clone(),
                n: planned.n,
            });
            verify::Expected::Output(value)
        }
        Against::IsReference => {
            // Nothing to compare with yet: check that the output can serve as a reference, and leave the cell
            // unverified until another rung reproduces it (Runner::record_cross_check).
            cell.reference = Some(Reference::Baseline {
                confirmed_by: Vec::new(),
            });
            match verify::reference_shape(bench, output) {
                Ok(detail) => {
                    cell.check =
                        format!("{detail}: the reference at n={} (none pinned)", planned.n);
                }
                Err(e) => {
                    cell.check = e.clone();
                    return (Status::Wrong, e);
                }
            }
            return sampling_verdict(done, cell, "the first call");
        }
    };
    let verdict = match verify::verify_expected(bench, expected, output) {
        Ok(v) => v,
        Err(e) => {
            return (
                Status::Failed,
                format!("the reference could not be read: {e:#}"),
            );
        }
    };
    cell.check = verdict.detail.clone();
    if !verdict.ok {
        return (Status::Wrong, verdict.detail);
    }
    let verdict = sampling_verdict(done, cell, "the verified first call");
    if verdict.0 == Status::Ok {
        cell.verified = true;
    }
    verdict
}

/// The status once the first call's output has been judged: the timed samples must all have returned `first`'s
/// output, and there must be some.
fn sampling_verdict(done: Option<(u32, u32)>, cell: &Cell, first: &str) -> (Status, String) {
    match done {
        None => (
            Status::Failed,
            "the worker stopped before it finished sampling".into(),
        ),
        Some((mismatched, samples)) if mismatched > 0 => (
            Status::Wrong,
            format!(
                "{mismatched} of {samples} timed samples returned an output different from {first}"
            ),
        ),
        Some(_) if cell.samples_ns.is_empty() => (Status::Failed, "no samples".into()),
        Some(_) => (Status::Ok, String::new()),
    }
}

fn truncate(s: &str, n: usize) -> &str {
    &s[..s.floor_char_boundary(n)]
}

#[cfg(test)]
pub(crate) mod tests;
