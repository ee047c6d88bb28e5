use super::*;
use crate::catalog::tests::tiny_catalog;
use crate::catalog::{Catalog, SizeName};
use crate::measure::plan::tests::fake_runtime;
use crate::measure::plan::{Selection, ToolPresence, build_plan};
use crate::measure::worker::ProcessOutcome;
use crate::results::{Settings, SpotOutcome};
use crate::toolchain::discover::{Discovery, Implementation};
use serde_json::json;

const RIGHT: [f64; 2] = [-0.16907516382852447, -0.16908760523460595];

/// Replays a scripted worker: what it says depends on the interpreter it was started with. `started` logs each
/// process it was asked for (`python@n`), in order.
struct MockExecutor {
    script: fn(&Job) -> (Vec<WorkerEvent>, Exit),
    started: std::cell::RefCell<Vec<String>>,
}

impl MockExecutor {
    fn new(script: fn(&Job) -> (Vec<WorkerEvent>, Exit)) -> Self {
        MockExecutor {
            script,
            started: Default::default(),
        }
    }

    /// The timed processes started so far (not the spot checks').
    fn timed(&self) -> Vec<String> {
        timed(self.started.borrow().clone())
    }
}

fn timed(started: Vec<String>) -> Vec<String> {
    started
        .into_iter()
        .filter(|s| !s.starts_with("spot"))
        .collect()
}

impl Executor for MockExecutor {
    fn execute(
        &self,
        job: &Job,
        on_event: &mut dyn FnMut(&WorkerEvent),
    ) -> anyhow::Result<ProcessOutcome> {
        // A spot check's process takes one sample with no warm-up.
        let spot = if job.config.max_samples == 1 {
            "spot "
        } else {
            ""
        };
        self.started
            .borrow_mut()
            .push(format!("{spot}{}@{}", job.python.display(), job.config.n));
        let (mut events, exit) = (self.script)(job);
        // Asked for a spot check, the worker makes one call at that n after its samples, as the script would
        // answer at that n.
        if let Some(n) = job.config.spot_n
            && let Some(done) = events
                .iter()
                .position(|e| matches!(e, WorkerEvent::Done { .. }))
        {
            let mut at_n = job.clone();
            at_n.config.n = n;
            let value = (self.script)(&at_n).0.into_iter().find_map(|e| match e {
                WorkerEvent::Output { value } => Some(value),
                _ => None,
            });
            events.insert(
                done,
                WorkerEvent::SpotOutput {
                    n,
                    value,
                    error: None,
                },
            );
        }
        for ev in &events {
            on_event(ev);
        }
        Ok(ProcessOutcome {
            exit,
            wall_ns: 1_000_000,
            cpu_ns: 900_000,
            peak_rss_bytes: 10 << 20,
            stderr_tail: String::new(),
            garbage: vec![],
        })
    }
}

fn good_run(per_call_ns: u64, output: serde_json::Value) -> Vec<WorkerEvent> {
    let mut evs = vec![
        WorkerEvent::Hello {
            implementation: "cpython".into(),
            python: "3.13.0".into(),
            executable: "py".into(),
            pid: 1,
        },
        WorkerEvent::Imported {
            file: Some("/x/baseline.py".into()),
            import_ns: 10,
        },
        WorkerEvent::FirstCall {
            ns: per_call_ns * 2,
            cpu_ns: per_call_ns * 2,
        },
        WorkerEvent::Output { value: output },
    ];
    for i in 0..7 {
        evs.push(WorkerEvent::Sample {
            ns: 2 * (per_call_ns + i * per_call_ns / 100),
            cpu_ns: 2 * per_call_ns,
            loops: 2,
        });
    }
    evs.push(WorkerEvent::Done {
        samples: 7,
        threads: 1,
        children: 0,
        gc_enabled: true,
        gil_enabled: Some(true),
        mismatched_outputs: 0,
    });
    evs
}

fn run_with(script: fn(&Job) -> (Vec<WorkerEvent>, Exit)) -> (Results, tempfile::TempDir) {
    run_in_mode(script, false)
}

fn run_in_mode(
    script: fn(&Job) -> (Vec<WorkerEvent>, Exit),
    fair: bool,
) -> (Results, tempfile::TempDir) {
    let (results, home, _) = run_logged(script, fair, None);
    (results, home)
}

/// A run of the tiny catalog at its quick size (`processes` overrides the size's worker processes), with the
/// processes the executor was asked for, in order.
fn run_logged(
    script: fn(&Job) -> (Vec<WorkerEvent>, Exit),
    fair: bool,
    processes: Option<u32>,
) -> (Results, tempfile::TempDir, Vec<String>) {
    let cat_dir = tiny_catalog();
    let cat = Catalog::load(cat_dir.path()).unwrap();
    let d = Discovery {
        runtimes: vec![
            fake_runtime(Implementation::Cpython, "3.12.1"),
            fake_runtime(Implementation::Cpython, "3.13.0"),
            fake_runtime(Implementation::Pypy, "3.9.16"),
        ],
        skipped: vec![],
    };
    let baseline = d.default_baseline();
    let sel = Selection {
        size: Some(SizeName::Quick),
        ..Default::default()
    };
    let plan = build_plan(
        &cat,
        &d,
        baseline,
        &sel,
        ToolPresence {
            cc: true,
            cargo: true,
            prebuilt_kernels: false,
            programs: vec![],
            headers: vec![],
        },
    );
    let overrides = crate::measure::policy::TimingOverrides {
        processes,
        ..Default::default()
    };
    let timing = crate::measure::policy::timing_for(SizeName::Quick, &overrides).unwrap();
    let settings = Settings {
        sizes: Vec::new(),
        size: SizeName::Quick,
        baseline: baseline.map(|b| b.id.clone()),
        timing: timing.clone(),
        fair,
        seed: 7,
        tiers: vec![],
    };
    let mut results = crate::measure::header::new_results(&cat, &d, baseline, settings, &[]);
    let home = tempfile::tempdir().unwrap();
    let executor = MockExecutor::new(script);
    let mut runner = Runner::new(&cat, &executor, home.path().to_path_buf(), timing);
    let json_path = home.path().join("results.json");
    runner.json_path = Some(json_path.clone());
    runner.fair = fair;
    runner.run(&plan, &mut results, &mut Quiet).unwrap();
    // The document on disk is the same run, complete.
    let on_disk = Results::read(&json_path).unwrap();
    assert_eq!(on_disk.cells.len(), results.cells.len());
    assert!(on_disk.finished_at.is_some());
    let started = executor.started.take();
    (results, home, started)
}

fn cell<'a>(r: &'a Results, rung: &str, runtime: &str) -> &'a Cell {
    r.cells
        .iter()
        .find(|c| c.rung == rung && c.runtime == runtime)
        .unwrap()
}

/// A run where every cell is right: 3.13 (the baseline) takes 100 ms a call, 3.12 110 ms, PyPy 10 ms.
pub(crate) fn speedups_run() -> (Results, tempfile::TempDir) {
    run_with(|job| {
        // 3.13 (the baseline) takes 100 ms a call, 3.12 110 ms, PyPy 10 ms.
        let ms = if job.python.to_string_lossy().ends_with("pypy3.9") {
            10
        } else if job.python.to_string_lossy().ends_with("3.12") {
            110
        } else {
            100
        };
        (
            good_run(ms * 1_000_000, right_at(job.config.n)),
            Exit::Code(0),
        )
    })
}

#[test]
fn verified_cells_get_statistics_and_speedups() {
    let (r, _home) = speedups_run();
    assert_eq!(r.cells.len(), 3);
    for c in &r.cells {
        assert_eq!(c.status, Status::Ok, "{c:?}");
        assert!(c.verified);
        // Three worker processes (quick's default), each with its own 7 samples, kept apart and pooled.
        assert_eq!(c.runs.len(), 3);
        assert!(c.runs.iter().all(|run| run.samples_ns.len() == 7));
        assert_eq!(c.samples_ns.len(), 21);
        assert_eq!(
            c.runs.iter().map(|run| run.round).collect::<Vec<_>>(),
            [0, 1, 2]
        );
        assert_eq!(c.loops, 2);
    }
    let base = cell(&r, "cpython", "cpython-3.13");
    assert_eq!(base.median_ns, Some(103_000_000.0));
    assert_eq!(base.speedup, Some(1.0));
    assert_eq!(base.first_call_ns, Some(200_000_000));
    assert_eq!(base.peak_rss_bytes, Some(10 << 20));
    assert!(base.ci_level.unwrap() >= 0.95);
    let pypy = cell(&r, "pypy", "pypy-3.9");
    let s = pypy.speedup.unwrap();
    assert!((s - 10.0).abs() < 1e-9, "{s}");
    let [lo, hi] = pypy.speedup_ci95.unwrap();
    assert!(lo <= s && s <= hi);
    assert!(cell(&r, "cpython", "cpython-3.12").speedup.unwrap() < 1.0);
    // Every rung also ran once at the run's spot-check n, recorded, and agreed with the baseline there.
    let spot = r.spot_n["nbody"];
    assert!((500..1000).contains(&spot), "{spot}");
    assert_eq!(
        base.spot_check.as_ref().map(|s| (s.n, s.outcome)),
        Some((spot, SpotOutcome::Reference))
    );
    assert_eq!(
        pypy.spot_check.as_ref().unwrap().detail,
        format!("spot check at n={spot}: agrees with cpython on cpython-3.13")
    );
}

#[test]
fn a_rung_whose_output_does_not_depend_on_n_is_wrong() {
    // PyPy returns the pinned energies at every n; CPython 3.12 is right at the pinned n and off at others.
    let (r, _home, started) = run_logged(
        |job| {
            let py = job.python.to_string_lossy().to_string();
            let out = if py.ends_with("pypy3.9") {
                json!(RIGHT)
            } else if py.ends_with("3.12") && job.config.n != 1000 {
                energies(job.config.n + 1)
            } else {
                right_at(job.config.n)
            };
            (good_run(1_000_000, out), Exit::Code(0))
        },
        false,
        Some(3),
    );
    let spot = r.spot_n["nbody"];
    let pypy = cell(&r, "pypy", "pypy-3.9");
    assert_eq!(pypy.status, Status::Wrong);
    assert!(!pypy.verified);
    assert!(
        pypy.reason.contains("does not depend on n"),
        "{}",
        pypy.reason
    );
    assert_eq!(
        pypy.spot_check.as_ref().unwrap().outcome,
        SpotOutcome::Differs
    );
    let off = cell(&r, "cpython", "cpython-3.12");
    assert_eq!(off.status, Status::Wrong);
    assert!(
        off.reason.starts_with(&format!(
            "spot check at n={spot}: differs from cpython on cpython-3.13"
        )),
        "{}",
        off.reason
    );
    // A cell the spot check found wrong runs no more processes after it; its first process made the check.
    assert_eq!(pypy.runs.len(), 1);
    assert_eq!(started.iter().filter(|s| s.contains("pypy")).count(), 1);
    assert_eq!(cell(&r, "cpython", "cpython-3.13").status, Status::Ok);
}

#[test]
fn wrong_failed_timeout_and_garbage_are_told_apart() {
    let (r, _home) = run_with(|job| {
        if job.python.to_string_lossy().ends_with("pypy3.9") {
            // A wrong answer: energy after off in the 6th decimal.
            (
                good_run(1_000_000, json!([RIGHT[0], -0.169080])),
                Exit::Code(0),
            )
        } else if job.python.to_string_lossy().ends_with("3.12") {
            let mut evs = good_run(1_000_000, json!(RIGHT));
            evs.truncate(3);
            evs.push(WorkerEvent::Error {
                phase: "run".into(),
                kind: "ZeroDivisionError".into(),
                message: "float division by zero".into(),
                traceback: "Traceback:\n  File \"baseline.py\", line 3, in run\nZeroDivisionError"
                    .into(),
            });
            (evs, Exit::Code(1))
        } else {
            let mut evs = good_run(1_000_000, json!(RIGHT));
            evs.truncate(5);
            (evs, Exit::TimedOut)
        }
    });
    let pypy = cell(&r, "pypy", "pypy-3.9");
    assert_eq!(pypy.status, Status::Wrong);
    assert!(!pypy.verified);
    assert!(
        pypy.reason
            .contains("energy_after = -0.169080000, expected -0.169087605 (9 decimals)"),
        "{}",
        pypy.reason
    );
    let failed = cell(&r, "cpython", "cpython-3.12");
    assert_eq!(failed.status, Status::Failed);
    assert!(
        failed
            .reason
            .contains("ZeroDivisionError in run: float division by zero"),
        "{}",
        failed.reason
    );
    assert!(failed.reason.contains("baseline.py"), "{}", failed.reason);
    let timeout = cell(&r, "cpython", "cpython-3.13");
    assert_eq!(timeout.status, Status::Timeout);
    assert_eq!(
        timeout.samples_ns.len(),
        1,
        "samples measured before the kill are kept"
    );
    // No baseline result, so no speedups: never a made-up one.
    assert!(r.cells.iter().all(|c| c.speedup.is_none()));
    assert!(r.cells.iter().all(|c| c.status.is_fault()));
}

#[test]
fn outputs_that_drift_after_the_first_call_are_wrong() {
    let (r, _home) = run_with(|_| {
        let mut evs = good_run(1_000_000, json!(RIGHT));
        let last = evs.len() - 1;
        evs[last] = WorkerEvent::Done {
            samples: 7,
            threads: 1,
            children: 0,
            gc_enabled: true,
            gil_enabled: Some(true),
            mismatched_outputs: 3,
        };
        (evs, Exit::Code(0))
    });
    let c = cell(&r, "cpython", "cpython-3.13");
    assert_eq!(c.status, Status::Wrong);
    assert!(c.reason.contains("3 of 7 timed samples"), "{}", c.reason);
}

#[test]
fn a_compiled_rung_that_imported_its_source_is_refused() {
    let tmp = tiny_catalog();
    let cat = Catalog::load(tmp.path()).unwrap();
    let bench = cat.benchmark("nbody").unwrap();
    let d = Discovery {
        runtimes: vec![fake_runtime(Implementation::Cpython, "3.13.0")],
        skipped: vec![],
    };
    let plan = build_plan(
        &cat,
        &d,
        d.default_baseline(),
        &Selection {
            size: Some(SizeName::Quick),
            ..Default::default()
        },
        ToolPresence {
            cc: true,
            cargo: true,
            prebuilt_kernels: false,
            programs: vec![],
            headers: vec![],
        },
    );
    let planned = &plan.cells[0];
    let exec = MockExecutor::new(|_| (good_run(1_000_000, json!(RIGHT)), Exit::Code(0)));
    let job = Job {
        python: "/fake/python".into(),
        worker: "/fake/worker.py".into(),
        config: WorkerConfig {
            module_dir: "/x".into(),
            module: "typed".into(),
            n: 1000,
            data_path: String::new(),
            min_samples: 5,
            max_samples: 10,
            min_time_ns: 0,
            max_time_ns: 0,
            target_sample_ns: 0,
            warmup_ns: 0,
            samples_floor: 3,
            spot_n: None,
            spot_data_path: String::new(),
        },
        env: vec![],
        timeout: Duration::from_secs(1),
    };
    let mut c = Cell::new("nbody", "mypyc", "cpython-3.13", SizeName::Quick, 1000);
    measure_cell(
        &exec,
        &job,
        bench,
        planned,
        &Against::Pinned,
        true,
        &mut c,
        &mut Quiet,
    );
    assert_eq!(c.status, Status::Failed);
    assert!(
        c.reason.contains("not the compiled extension module"),
        "{}",
        c.reason
    );
    let mut c = Cell::new("nbody", "cpython", "cpython-3.13", SizeName::Quick, 1000);
    measure_cell(
        &exec,
        &job,
        bench,
        planned,
        &Against::Pinned,
        false,
        &mut c,
        &mut Quiet,
    );
    assert_eq!(c.status, Status::Ok);
}

#[test]
fn events_files_are_generated_once_and_deterministic() {
    let home = tempfile::tempdir().unwrap();
    let a = ensure_events(home.path(), 200).unwrap();
    let bytes = std::fs::read(&a).unwrap();
    assert_eq!(ensure_events(home.path(), 200).unwrap(), a);
    assert_eq!(
        bytes,
        crate::events::generate(200, crate::events::DEFAULT_SEED)
    );
    let parsed: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(parsed.as_array().unwrap().len(), 200);
}

/// A run of the tiny catalog at the given sizes (n-body has only `quick`, n = 1000, pinned).
fn run_sizes_with(
    script: fn(&Job) -> (Vec<WorkerEvent>, Exit),
    sizes: &[crate::measure::plan::RunSize],
) -> Results {
    let cat_dir = tiny_catalog();
    // PyPy gets an implementation of its own, so its agreement confirms the baseline's output (CPython 3.12
    // runs the baseline's own file: its agreement does not).
    let toml = cat_dir.path().join("nbody/benchmark.toml");
    std::fs::copy(
        cat_dir.path().join("nbody/baseline.py"),
        cat_dir.path().join("nbody/pypy_impl.py"),
    )
    .unwrap();
    let text = std::fs::read_to_string(&toml)
        .unwrap()
        .replace("pypy = \"baseline.py\"", "pypy = \"pypy_impl.py\"");
    std::fs::write(&toml, text).unwrap();
    let cat = Catalog::load(cat_dir.path()).unwrap();
    let d = Discovery {
        runtimes: vec![
            fake_runtime(Implementation::Cpython, "3.12.1"),
            fake_runtime(Implementation::Cpython, "3.13.0"),
            fake_runtime(Implementation::Pypy, "3.9.16"),
        ],
        skipped: vec![],
    };
    let baseline = d.default_baseline();
    let plan = crate::measure::plan::build_plan_sizes(
        &cat,
        &d,
        baseline,
        &Selection::default(),
        sizes,
        &ToolPresence::default(),
    );
    let timing = crate::measure::policy::timing_for(SizeName::Quick, &Default::default()).unwrap();
    let settings = Settings {
        sizes: Vec::new(),
        size: SizeName::Quick,
        baseline: baseline.map(|b| b.id.clone()),
        timing: timing.clone(),
        fair: false,
        seed: 7,
        tiers: vec![],
    };
    let mut results = crate::measure::header::new_results(&cat, &d, baseline, settings, &[]);
    let home = tempfile::tempdir().unwrap();
    let executor = MockExecutor::new(script);
    let mut runner = Runner::new(&cat, &executor, home.path().to_path_buf(), timing);
    let saves = std::cell::Cell::new(0usize);
    let hook = |r: &Results| {
        // Every save holds every worker process started so far: Ctrl-C at any point between two processes loses
        // nothing measured.
        let runs: usize = r.cells.iter().map(|c| c.runs.len()).sum();
        assert_eq!(runs, executor.timed().len());
        saves.set(saves.get() + 1);
        Ok(())
    };
    runner.on_save = Some(&hook);
    runner.run(&plan, &mut results, &mut Quiet).unwrap();
    // The first save, one after provisioning, one per process (and per cell found unmeasurable), one after the
    // spot checks, the last.
    assert!(saves.get() >= executor.timed().len() + 4);
    results
}

fn cell_at<'a>(r: &'a Results, rung: &str, runtime: &str, n: u64) -> &'a Cell {
    r.cells
        .iter()
        .find(|c| c.rung == rung && c.runtime == runtime && c.n == n)
        .unwrap()
}

/// The pinned n-body energies at n = 1000 (quick), and energies that depend on n elsewhere: what a right
/// implementation gives at a spot check's n.
fn right_at(n: u64) -> serde_json::Value {
    if n == 1000 { json!(RIGHT) } else { energies(n) }
}

/// n-body energies that depend on n, so a run at one n cannot pass for another.
fn energies(n: u64) -> serde_json::Value {
    json!([-0.169075164, -0.169 - n as f64 * 1e-7])
}

/// A run at n = 300 and 600 (no pinned reference) besides the pinned quick size: PyPy gets n = 600 wrong.
pub(crate) fn cross_checked_run() -> Results {
    use crate::measure::plan::RunSize;
    run_sizes_with(
        |job| {
            let py = job.python.to_string_lossy().to_string();
            let out = if py.ends_with("pypy3.9") && job.config.n == 600 {
                // PyPy gets n = 600 wrong in the 9th decimal.
                let mut e = energies(job.config.n);
                e[1] = json!(e[1].as_f64().unwrap() + 2e-9);
                e
            } else if job.config.n == 1000 {
                json!(RIGHT)
            } else {
                energies(job.config.n)
            };
            (good_run(10_000_000, out), Exit::Code(0))
        },
        &[RunSize::N(1000), RunSize::N(300), RunSize::N(600)],
    )
}

#[test]
fn at_a_custom_n_every_rung_is_cross_checked_against_the_baseline() {
    let r = cross_checked_run();
    // n = 1000 is the quick size: pinned, as before.
    let pinned = cell_at(&r, "cpython", "cpython-3.12", 1000);
    assert_eq!(pinned.size, SizeName::Quick);
    assert_eq!(pinned.reference, Some(Reference::Pinned));
    assert!(pinned.verified);
    // n = 300: the baseline (3.13) ran first at that n and is the reference; PyPy's own implementation
    // reproduced it (3.12 agreed too, but runs the same file, so it does not count as a confirmation).
    let at300: Vec<&Cell> = r.cells.iter().filter(|c| c.n == 300).collect();
    assert_eq!(at300[0].runtime, "cpython-3.13");
    let base = cell_at(&r, "cpython", "cpython-3.13", 300);
    assert_eq!(base.size, SizeName::Custom);
    assert_eq!(
        base.reference,
        Some(Reference::Baseline {
            confirmed_by: vec!["pypy on pypy-3.9".into()]
        })
    );
    assert!(base.verified && base.status == Status::Ok);
    let other = cell_at(&r, "cpython", "cpython-3.12", 300);
    assert_eq!(
        other.reference,
        Some(Reference::CrossChecked {
            against: "cpython on cpython-3.13".into(),
            n: 300
        })
    );
    assert!(other.verified && other.status == Status::Ok);
    assert!(other.speedup.is_some());
    // n = 600: PyPy is wrong, and 3.12 (the same file) cannot confirm the reference: unconfirmed.
    let pypy = cell_at(&r, "pypy", "pypy-3.9", 600);
    assert_eq!(pypy.status, Status::Wrong);
    assert!(!pypy.verified);
    assert!(pypy.reason.contains("expected"), "{}", pypy.reason);
    let base600 = cell_at(&r, "cpython", "cpython-3.13", 600);
    assert!(base600.status == Status::Ok && !base600.verified);
}

/// A run at n = 300 and 600 where every other rung disagrees with the baseline at n = 300.
pub(crate) fn unconfirmed_run() -> Results {
    use crate::measure::plan::RunSize;
    run_sizes_with(
        |job| {
            let py = job.python.to_string_lossy().to_string();
            let out = if py.ends_with("3.13") {
                energies(job.config.n)
            } else {
                energies(job.config.n + 1000)
            };
            (good_run(10_000_000, out), Exit::Code(0))
        },
        &[RunSize::N(300), RunSize::N(600)],
    )
}

#[test]
fn an_unconfirmed_reference_is_not_plotted_and_a_failed_one_blocks_the_others() {
    use crate::measure::plan::RunSize;
    let r = unconfirmed_run();
    let base = cell_at(&r, "cpython", "cpython-3.13", 300);
    assert_eq!(base.status, Status::Ok);
    assert!(!base.verified);

    // The baseline crashes at n = 300: nothing else is measured there (it could not be verified), and it
    // says why; n = 600 is unaffected.
    let r = run_sizes_with(
        |job| {
            let py = job.python.to_string_lossy().to_string();
            if py.ends_with("3.13") && job.config.n == 300 {
                return (vec![], Exit::Code(1));
            }
            if !py.ends_with("3.13") && job.config.n == 300 {
                panic!("a cell without a reference was measured");
            }
            (good_run(10_000_000, energies(job.config.n)), Exit::Code(0))
        },
        &[RunSize::N(300), RunSize::N(600)],
    );
    let other = cell_at(&r, "cpython", "cpython-3.12", 300);
    assert_eq!(other.status, Status::Failed);
    assert!(
        other.reason.contains("not measured") && other.reason.contains("cpython on cpython-3.13")
    );
    assert!(other.samples_ns.is_empty());
    assert_eq!(
        cell_at(&r, "cpython", "cpython-3.12", 600).status,
        Status::Ok
    );
}

/// The worker is told the mode: LADDER_FAIR=1 reaches every worker under `--fair` (JIT rungs and the Rust
/// kernels read it), and no worker sees it otherwise.
fn says_fair(job: &Job) -> bool {
    job.env.iter().any(|(k, v)| k == "LADDER_FAIR" && v == "1")
}

#[test]
fn fair_mode_reaches_every_worker_and_the_results() {
    let (r, _home) = run_in_mode(
        |job| {
            if says_fair(job) {
                (good_run(1_000_000, right_at(job.config.n)), Exit::Code(0))
            } else {
                (vec![], Exit::Code(3))
            }
        },
        true,
    );
    let measured: Vec<&Cell> = r
        .cells
        .iter()
        .filter(|c| c.status != Status::Unavailable)
        .collect();
    assert!(!measured.is_empty());
    for c in measured {
        assert_eq!(c.status, Status::Ok, "{c:?}");
    }
    assert!(r.settings.fair);
    assert!(r.settings.mode().starts_with("fair"));

    let (r, _home) = run_in_mode(
        |job| {
            if says_fair(job) {
                (vec![], Exit::Code(3))
            } else {
                (good_run(1_000_000, right_at(job.config.n)), Exit::Code(0))
            }
        },
        false,
    );
    assert!(
        r.cells
            .iter()
            .filter(|c| c.status != Status::Unavailable)
            .all(|c| c.status == Status::Ok)
    );
    assert!(r.settings.mode().starts_with("best effort"));
}

/// `/fake/cpython3.13@1000` for the cell labelled `nbody/quick/cpython/cpython-3.13`.
fn started_as(label: &str) -> String {
    let runtime = label.rsplit('/').next().unwrap();
    format!("/fake/{}@1000", runtime.replace('-', ""))
}

#[test]
fn processes_run_in_rounds_in_the_recorded_shuffled_orders() {
    let script: fn(&Job) -> (Vec<WorkerEvent>, Exit) =
        |job| (good_run(1_000_000, right_at(job.config.n)), Exit::Code(0));
    let (r, _home, started) = run_logged(script, false, Some(4));
    let started = timed(started);
    // Round r runs process r of every cell, in the order recorded for it.
    assert_eq!(r.rounds.len(), 4);
    let recorded: Vec<String> = r
        .rounds
        .iter()
        .flat_map(|round| round.order.iter().map(|l| started_as(l)))
        .collect();
    assert_eq!(started, recorded);
    let mut cells: Vec<String> = r
        .cells
        .iter()
        .map(|c| started_as(&format!("x/{}", c.runtime)))
        .collect();
    cells.sort();
    for (i, round) in r.rounds.iter().enumerate() {
        assert_eq!(round.index, i as u32);
        let mut order: Vec<String> = round.order.iter().map(|l| started_as(l)).collect();
        order.sort();
        assert_eq!(order, cells, "every cell once a round");
    }
    // Shuffled per round from the run's seed: not all rounds alike, and each round's seed is its own.
    assert!(
        r.rounds
            .iter()
            .any(|round| round.order != r.rounds[0].order)
    );
    assert!(r.rounds.windows(2).all(|w| w[0].seed != w[1].seed));
    // The host's state is recorded per round and for the run (from /proc: load average, steal, iowait).
    assert!(r.rounds.iter().all(|round| round.host.is_some()));
    let host = r.host.unwrap();
    assert!((0.0..=1.0).contains(&host.steal_share) && (0.0..=1.0).contains(&host.iowait_share));
    // The same seed gives the same orders.
    let (again, _home, started_again) = run_logged(script, false, Some(4));
    let started_again = timed(started_again);
    assert_eq!(started_again, started);
    assert_eq!(again.rounds[3].order, r.rounds[3].order);
}

#[test]
fn a_faulted_cell_runs_no_more_processes() {
    let (r, _home, started) = run_logged(
        |job| {
            if job.python.to_string_lossy().ends_with("pypy3.9") {
                (vec![], Exit::Code(1))
            } else {
                (good_run(1_000_000, right_at(job.config.n)), Exit::Code(0))
            }
        },
        false,
        Some(3),
    );
    let pypy = cell(&r, "pypy", "pypy-3.9");
    assert_eq!(pypy.status, Status::Failed);
    assert_eq!(pypy.runs.len(), 1);
    assert_eq!(started.iter().filter(|s| s.contains("pypy")).count(), 1);
    assert_eq!(cell(&r, "cpython", "cpython-3.12").runs.len(), 3);
}

/// A run where PyPy's three worker processes run at 10, 13 and 16 ms a call (the host's speed changing between
/// them) while every CPython's processes agree.
pub(crate) fn unstable_run() -> (Results, tempfile::TempDir) {
    use std::sync::atomic::{AtomicU64, Ordering};
    static PYPY_PROCESSES: AtomicU64 = AtomicU64::new(0);
    let (r, home, _) = run_logged(
        |job| {
            let ms = if job.python.to_string_lossy().ends_with("pypy3.9") {
                10 + 3 * (PYPY_PROCESSES.fetch_add(1, Ordering::SeqCst) % 3)
            } else {
                100
            };
            (
                good_run(ms * 1_000_000, right_at(job.config.n)),
                Exit::Code(0),
            )
        },
        false,
        Some(3),
    );
    (r, home)
}

#[test]
fn processes_that_disagree_make_an_unstable_cell_with_a_wide_interval() {
    let (r, _home) = unstable_run();
    let pypy = cell(&r, "pypy", "pypy-3.9");
    assert!(pypy.unstable, "{pypy:?}");
    assert_eq!(pypy.status, Status::Ok);
    let base = cell(&r, "cpython", "cpython-3.13");
    assert!(!base.unstable);
    let width = |c: &Cell| {
        let [lo, hi] = c.speedup_ci95.unwrap();
        hi / lo
    };
    // The interval spans the processes' disagreement: PyPy at 10-16 ms against 103 ms.
    let [lo, hi] = pypy.speedup_ci95.unwrap();
    assert!(lo < 103.0 / 16.0 && hi > 103.0 / 10.0, "[{lo}, {hi}]");
    assert!(width(pypy) > 1.5 * width(cell(&r, "cpython", "cpython-3.12")));
}

#[test]
fn a_rung_whose_first_process_gave_no_spot_check_gets_a_process_for_it() {
    use crate::measure::plan::RunSize;
    // PyPy crashes at n = 300, the cell whose first process would have made its spot check; its cell at n = 1000
    // still runs, and a process of its own makes the check.
    let r = run_sizes_with(
        |job| {
            let py = job.python.to_string_lossy().to_string();
            if py.ends_with("pypy3.9") && job.config.n == 300 {
                return (vec![], Exit::Signal(11));
            }
            (good_run(10_000_000, right_at(job.config.n)), Exit::Code(0))
        },
        &[RunSize::N(300), RunSize::N(1000)],
    );
    assert_eq!(cell_at(&r, "pypy", "pypy-3.9", 300).status, Status::Failed);
    let pypy = cell_at(&r, "pypy", "pypy-3.9", 1000);
    assert_eq!(pypy.status, Status::Ok);
    assert_eq!(
        pypy.spot_check.as_ref().map(|s| s.outcome),
        Some(SpotOutcome::Agrees)
    );
}

#[test]
fn a_rung_that_asks_for_no_gil_fails_when_the_gil_came_back() {
    let no_gil = vec![("PYTHON_GIL".to_string(), "0".to_string())];
    let why = super::gil_came_back(&no_gil, Some(true)).unwrap();
    assert!(why.contains("PYTHON_GIL=0"), "{why}");
    assert!(super::gil_came_back(&no_gil, Some(false)).is_none());
    // An older worker that did not say: nothing to refuse.
    assert!(super::gil_came_back(&no_gil, None).is_none());
    // A rung that does not ask for it off runs with the GIL, as it should.
    assert!(super::gil_came_back(&[], Some(true)).is_none());
}
