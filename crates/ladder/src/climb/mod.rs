//! `ladder climb -- CMD...`: the user's program, unchanged, on every other runtime found, and with its hot modules
//! compiled by mypyc and Cython in a copy; every attempt's output (stdout and exit code) compared with the
//! baseline run's, wall time measured with repeats, the speedup with its interval. An attempt whose output differs
//! is `wrong`, never a speedup.
//!
//! The program is a script (`python app.py`), a package (`python -m pkg`) or an installed program's entry point
//! (a console script; its modules are found in the folder climb runs in). Stages: [`exec`] runs the program once
//! (captured, timed, killed at the timeout); [`compile`] prepares the compiled copies. The hot modules are found by one profiled run (the `advise` sampler), so climb compiles what
//! the time is spent in, not every file.
//!
//! Times are whole-process wall times (interpreter start-up included: what the user waits for), not the in-process
//! timings of `ladder run`; for a program of a few seconds the difference is a few tens of milliseconds.

pub mod compile;
pub mod exec;

/// The rungs climb can try: runtimes for the unchanged program, compilers for its hot modules.
pub const RUNGS: &[&str] = &[
    "cpython",
    "free-threaded",
    "pypy",
    "graalpy",
    "mypyc",
    "cython",
];

use crate::advise::command::{self, Invocation, Target};
use crate::stats;
use crate::toolchain::discover::{Discovery, Implementation, Runtime};
use anyhow::{Context, Result};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const SCHEMA: &str = "ladder-climb";

#[derive(Debug, Clone, Serialize)]
pub struct Baseline {
    /// The runtime id when ladder discovered the interpreter (`cpython-3.11`), else its path.
    pub runtime: String,
    pub python: command::Interpreter,
    pub exit_code: Option<i32>,
    pub samples_ns: Vec<f64>,
    pub median_ns: Option<f64>,
    pub ci95_ns: Option<[f64; 2]>,
    pub stdout_sha256: String,
    pub stdout_bytes: usize,
    /// False when the baseline's own repeats printed different output: the program is not deterministic, so no
    /// attempt can be checked against it (they are reported as differing, with this said).
    pub deterministic: bool,
    pub note: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Attempt {
    /// A rung id from catalog/rungs.toml.
    pub rung: String,
    pub runtime: String,
    /// ok | wrong | failed | timeout | unavailable
    pub status: String,
    /// None when the program did not run to the end (failed, timeout, unavailable).
    pub output_identical: Option<bool>,
    pub samples_ns: Vec<f64>,
    pub median_ns: Option<f64>,
    pub ci95_ns: Option<[f64; 2]>,
    /// Baseline median over this median; only for `ok` attempts.
    pub speedup: Option<f64>,
    pub speedup_ci95: Option<[f64; 2]>,
    pub reason: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub compiled: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build: Option<crate::toolchain::build::BuildInfo>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Climb {
    pub schema: &'static str,
    pub version: u32,
    pub command: Vec<String>,
    pub repeats: usize,
    pub baseline: Baseline,
    /// The program's own files the time was spent in (from one profiled run), hottest first.
    pub hot_files: Vec<String>,
    pub attempts: Vec<Attempt>,
    /// What the speedup intervals cover: 95% from 7 runs a side, less below (then they are the runs' range).
    pub interval: String,
}

/// Runs a side from which the speedup interval covers 95%: each median's interval at 97.5% (Bonferroni) needs
/// [min, max] of 7 runs (1 - 2/2^7 = 98.4%); 6 give 96.9%.
pub const RUNS_FOR_95: usize = 7;

pub struct Options<'a> {
    pub repeats: usize,
    pub timeout: Duration,
    pub home: &'a Path,
    pub work_dir: &'a Path,
    pub discovery: &'a Discovery,
    /// Pinned packages of the mypyc and Cython rungs (from the catalog).
    pub mypyc_packages: Vec<String>,
    pub cython_packages: Vec<String>,
    /// Only these rungs (None: all).
    pub rungs: Option<Vec<String>>,
}

impl Options<'_> {
    fn wants(&self, rung: &str) -> bool {
        self.rungs
            .as_ref()
            .is_none_or(|r| r.iter().any(|x| x == rung))
    }
}

fn argv_with(python: &Path, inv: &Invocation, script: Option<&Path>) -> Vec<OsString> {
    let mut v: Vec<OsString> = vec![python.into()];
    v.extend(inv.options.iter().map(OsString::from));
    match (&inv.target, script) {
        (Target::Script(_), Some(s)) => v.push(s.into()),
        (Target::Script(p), None) => v.push(p.into()),
        (Target::Module(m), _) => v.extend([OsString::from("-m"), m.into()]),
        (Target::Code(c), _) => v.extend([OsString::from("-c"), c.into()]),
    }
    v.extend(inv.args.iter().map(OsString::from));
    v
}

fn sha(b: &[u8]) -> String {
    crate::catalog::hex(&Sha256::digest(b))
}

fn ended_reason(o: &exec::Once, timeout: Duration) -> (String, String) {
    match o.ended {
        exec::Exit::TimedOut => (
            "timeout".into(),
            format!("ran longer than --timeout {} s", timeout.as_secs_f64()),
        ),
        exec::Exit::Signal(s) => ("failed".into(), format!("killed by signal {s}")),
        exec::Exit::Code(c) => (
            "failed".into(),
            format!(
                "exited with code {c}: {}",
                o.stderr_tail.lines().last().unwrap_or("(no message)")
            ),
        ),
    }
}

/// Measures one attempt against the baseline's first output: the first run decides identical or not; identical
/// ones are repeated (every repeat must print the same again) and timed.
fn attempt(
    rung: &str,
    runtime: &str,
    argv: &[OsString],
    cwd: &Path,
    env: &[(String, String)],
    reference: &Reference,
    opts: &Options,
) -> Attempt {
    let (base, base_samples, base_deterministic) =
        (reference.first, reference.samples, reference.deterministic);
    let mut a = Attempt::new(rung, runtime, "");
    for i in 0..opts.repeats {
        let o = match exec::run(argv, cwd, env, opts.timeout) {
            Ok(o) => o,
            Err(e) => {
                a.status = "failed".into();
                a.reason = format!("{e:#}");
                return a;
            }
        };
        let same_exit = o.ended == base.ended;
        if !same_exit && o.ended != exec::Exit::Code(0) && i == 0 {
            let (status, reason) = ended_reason(&o, opts.timeout);
            a.status = status;
            a.reason = reason;
            return a;
        }
        if !same_exit || o.stdout != base.stdout {
            a.status = "wrong".into();
            a.output_identical = Some(false);
            a.reason = if !same_exit {
                format!("exit status {:?}, the baseline's {:?}", o.ended, base.ended)
            } else {
                format!(
                    "stdout differs from the baseline's{}: {}",
                    if i > 0 {
                        format!(" on repeat {}", i + 1)
                    } else {
                        String::new()
                    },
                    exec::first_difference(&base.stdout, &o.stdout)
                )
            };
            if !base_deterministic {
                a.reason.push_str(
                    " (the baseline's own runs also differed from each other: the program is not deterministic, \
                     so no speedup can be claimed)",
                );
            }
            a.samples_ns.clear();
            return a;
        }
        a.samples_ns.push(o.wall_ns as f64);
    }
    a.output_identical = Some(true);
    a.status = "ok".into();
    if let Some(s) = stats::summarize(&a.samples_ns) {
        a.median_ns = Some(s.median_ns);
        a.ci95_ns = Some(s.ci95_ns);
    }
    if let Some((sp, ci)) = stats::speedup(base_samples, &a.samples_ns) {
        a.speedup = Some(sp);
        a.speedup_ci95 = Some(ci);
    }
    a
}

/// What every attempt is checked and measured against: the baseline's first run, its timings, and whether its
/// own runs agreed with each other.
struct Reference<'a> {
    first: &'a exec::Once,
    samples: &'a [f64],
    deterministic: bool,
}

impl Attempt {
    fn new(rung: &str, runtime: &str, status: &str) -> Attempt {
        Attempt {
            rung: rung.into(),
            runtime: runtime.into(),
            status: status.into(),
            output_identical: None,
            samples_ns: Vec::new(),
            median_ns: None,
            ci95_ns: None,
            speedup: None,
            speedup_ci95: None,
            reason: String::new(),
            compiled: Vec::new(),
            build: None,
        }
    }
}

fn runtime_rung(r: &Runtime) -> &'static str {
    match (r.implementation, r.free_threaded) {
        (Implementation::Cpython, true) => "free-threaded",
        (Implementation::Cpython, false) => "cpython",
        (Implementation::Pypy, _) => "pypy",
        (Implementation::Graalpy, _) => "graalpy",
        (Implementation::Other, _) => "cpython",
    }
}

/// The discovered runtime the command's interpreter is, if any.
fn find_baseline<'a>(d: &'a Discovery, py: &command::Interpreter) -> Option<&'a Runtime> {
    let exe = Path::new(&py.executable).canonicalize().ok();
    d.runtimes
        .iter()
        .find(|r| exe.is_some() && r.executable.canonicalize().ok() == exe)
        .or_else(|| {
            d.runtimes.iter().find(|r| {
                !r.free_threaded
                    && r.version == py.version
                    && format!("{:?}", r.implementation).eq_ignore_ascii_case(&py.implementation)
            })
        })
}

/// The program's own files where the profiled run spent its on-CPU samples (>= 5%), hottest first.
fn hot_files(inv: &Invocation, opts: &Options) -> Result<Vec<PathBuf>> {
    let run = crate::advise::profile::run_with_output(
        inv,
        opts.work_dir,
        opts.timeout,
        Some(crate::advise::SAMPLE_HZ),
        false,
    )?;
    let Some(samples) = run.samples.as_ref().filter(|s| s.attach_error.is_none()) else {
        return Ok(Vec::new());
    };
    let libs = run
        .report
        .as_ref()
        .map(|r| r.library_paths.clone())
        .unwrap_or_default();
    let cls = crate::advise::hotspots::Classifier {
        library_paths: &libs,
        bootstrap: &run.bootstrap_path,
        code_target: matches!(inv.target, Target::Code(_)),
    };
    let profile = crate::advise::hotspots::build(samples, &cls);
    let mut files: Vec<(String, f64)> = Vec::new();
    for h in &profile.hotspots {
        match files.iter_mut().find(|f| f.0 == h.file) {
            Some(f) => f.1 += h.share,
            None => files.push((h.file.clone(), h.share)),
        }
    }
    files.sort_by(|a, b| b.1.total_cmp(&a.1));
    Ok(files
        .into_iter()
        .filter(|f| f.1 >= 0.05)
        .map(|f| opts.work_dir.join(f.0))
        .filter(|p| p.is_file())
        .collect())
}

/// Checks that where the attempt runs, each compiled module imports as the extension, not as a source file found
/// first (a stale install, a path entry ahead of the copy): the attempt would time the source and call it compiled.
fn compiled_modules_imported(
    inv: &Invocation,
    script: Option<&Path>,
    modules: &[String],
    cwd: &Path,
    env: &[(String, String)],
) -> Result<()> {
    // sys.path[0] as the real run has it: the folder `-m` runs in, or the script's folder.
    const SCRIPT: &str = "import importlib, sys\nsys.path[0] = sys.argv[1]\nfor name in sys.argv[2:]:\n    print(name, importlib.import_module(name).__file__)\n";
    if modules.is_empty() {
        return Ok(());
    }
    let first = match (&inv.target, script) {
        (_, Some(s)) => s.parent().unwrap_or(cwd).to_path_buf(),
        (Target::Script(s), None) => cwd.join(s).parent().unwrap_or(cwd).to_path_buf(),
        _ => cwd.to_path_buf(),
    };
    let mut argv: Vec<OsString> = vec![
        inv.interpreter.path.clone().into(),
        "-c".into(),
        SCRIPT.into(),
        first.into(),
    ];
    argv.extend(modules.iter().map(OsString::from));
    let o = exec::run(&argv, cwd, env, Duration::from_secs(120))
        .context("importing the compiled modules")?;
    if o.ended != exec::Exit::Code(0) {
        anyhow::bail!("the compiled modules do not import: {}", o.stderr_tail);
    }
    for line in String::from_utf8_lossy(&o.stdout).lines() {
        if let Some((name, file)) = line.split_once(' ')
            && !file.ends_with(".so")
        {
            anyhow::bail!(
                "{name} imports from {file}, not the compiled extension: something on the path comes first"
            );
        }
    }
    Ok(())
}

/// Runs the whole climb; `on_attempt` sees each attempt as it ends (progress, incremental JSON).
pub fn climb(argv: &[String], opts: &Options, mut on_attempt: impl FnMut(&Climb)) -> Result<Climb> {
    let inv = command::resolve(argv)?;
    let base_rt = find_baseline(opts.discovery, &inv.interpreter);
    let base_argv = argv_with(&inv.interpreter.path, &inv, None);
    let mut base_runs = Vec::new();
    for _ in 0..opts.repeats {
        let o = exec::run(&base_argv, opts.work_dir, &[], opts.timeout)
            .context("running the baseline")?;
        let stop = !matches!(o.ended, exec::Exit::Code(_));
        base_runs.push(o);
        if stop {
            break;
        }
    }
    let first = base_runs[0].clone();
    let deterministic = base_runs
        .iter()
        .all(|o| o.stdout == first.stdout && o.ended == first.ended);
    let base_samples: Vec<f64> = base_runs.iter().map(|o| o.wall_ns as f64).collect();
    let summary = stats::summarize(&base_samples);
    let mut note = String::new();
    if !deterministic {
        let other = base_runs
            .iter()
            .find(|o| o.stdout != first.stdout)
            .map(|o| exec::first_difference(&first.stdout, &o.stdout))
            .unwrap_or_else(|| "the exit status changed".into());
        note = format!(
            "the baseline's {} runs did not all print the same output ({other}): the program is not \
             deterministic, so every attempt is compared with the first run and differences are expected",
            base_runs.len()
        );
    }
    let mut result = Climb {
        schema: SCHEMA,
        version: 1,
        command: argv.to_vec(),
        repeats: opts.repeats,
        baseline: Baseline {
            runtime: base_rt.map_or_else(|| inv.interpreter.executable.clone(), |r| r.id.clone()),
            python: inv.interpreter.clone(),
            exit_code: match first.ended {
                exec::Exit::Code(c) => Some(c),
                _ => None,
            },
            median_ns: summary.as_ref().map(|s| s.median_ns),
            ci95_ns: summary.as_ref().map(|s| s.ci95_ns),
            samples_ns: base_samples.clone(),
            stdout_sha256: sha(&first.stdout),
            stdout_bytes: first.stdout.len(),
            deterministic,
            note,
        },
        hot_files: Vec::new(),
        attempts: Vec::new(),
        interval: if opts.repeats >= RUNS_FOR_95 {
            "95% (distribution-free intervals of both medians at 97.5%)".into()
        } else {
            format!(
                "less than 95%: with {} runs a side the interval is the range of the runs ({} give 95%)",
                opts.repeats, RUNS_FOR_95
            )
        },
    };
    if first.ended != exec::Exit::Code(0) {
        let (_, reason) = ended_reason(&first, opts.timeout);
        anyhow::bail!(crate::error::UsageError::new(format!(
            "the program itself fails on its own interpreter ({reason}); climb needs a run that succeeds to compare against"
        )));
    }
    on_attempt(&result);
    let reference = Reference {
        first: &first,
        samples: &base_samples,
        deterministic,
    };
    // 1. The program unchanged on every other runtime.
    for r in &opts.discovery.runtimes {
        if base_rt.is_some_and(|b| b.id == r.id) || !opts.wants(runtime_rung(r)) {
            continue;
        }
        let env: Vec<(String, String)> = if r.free_threaded {
            vec![("PYTHON_GIL".into(), "0".into())]
        } else {
            Vec::new()
        };
        let a = attempt(
            runtime_rung(r),
            &r.id,
            &argv_with(&r.executable, &inv, None),
            opts.work_dir,
            &env,
            &reference,
            opts,
        );
        result.attempts.push(a);
        on_attempt(&result);
        // A CPython built with the experimental JIT runs it once more with the JIT on (the cpython-jit rung).
        if r.jit_available && opts.wants("cpython-jit") {
            let a = attempt(
                "cpython-jit",
                &r.id,
                &argv_with(&r.executable, &inv, None),
                opts.work_dir,
                &[("PYTHON_JIT".into(), "1".into())],
                &reference,
                opts,
            );
            result.attempts.push(a);
            on_attempt(&result);
        }
    }
    // 2. The hot modules compiled, on the baseline interpreter.
    let compilers: Vec<compile::Compiler> = [compile::Compiler::Mypyc, compile::Compiler::Cython]
        .into_iter()
        .filter(|c| opts.wants(c.rung()))
        .collect();
    let hot = match (&inv.target, inv.interpreter.implementation.as_str()) {
        (Target::Script(_) | Target::Module(_), "cpython") if !compilers.is_empty() => {
            hot_files(&inv, opts)
        }
        _ => Ok(Vec::new()),
    };
    result.hot_files = hot
        .as_ref()
        .map(|v| v.iter().map(|p| p.display().to_string()).collect())
        .unwrap_or_default();
    for compiler in compilers {
        let mut a = Attempt::new(compiler.rung(), &result.baseline.runtime, "unavailable");
        let prepared = (|| -> Result<compile::Prepared> {
            let script_path;
            let program = match &inv.target {
                Target::Script(_) if inv.entry_point => compile::Program::Package {
                    folder: opts.work_dir,
                },
                Target::Script(script) => {
                    script_path = opts.work_dir.join(script);
                    compile::Program::Script(&script_path)
                }
                Target::Module(_) => compile::Program::Package {
                    folder: opts.work_dir,
                },
                Target::Code(_) => anyhow::bail!(
                    "climb compiles the modules of a script or a package (python app.py, python -m pkg); -c code \
                     has no module to compile"
                ),
            };
            if inv.interpreter.implementation != "cpython" {
                anyhow::bail!("{} compiles for CPython only", compiler.rung());
            }
            let hot = hot.as_ref().map_err(|e| {
                anyhow::anyhow!("profiling the program to find its hot modules: {e:#}")
            })?;
            if hot.is_empty() {
                anyhow::bail!(
                    "the profiled run found no hot module of the program's own (py-spy saw no samples in its files)"
                );
            }
            let rt = base_rt.with_context(|| {
                format!(
                    "{} is not an interpreter ladder discovered (a venv?), so it has no managed venv for the compiler; \
                     run climb with the base interpreter",
                    inv.interpreter.executable
                )
            })?;
            let venv = crate::toolchain::venv::ensure_venv(opts.home, rt)?;
            let packages = match compiler {
                compile::Compiler::Mypyc => &opts.mypyc_packages,
                compile::Compiler::Cython => &opts.cython_packages,
            };
            crate::toolchain::venv::ensure_packages(opts.home, &venv, packages)?;
            let dest = opts.home.join("climb").join(format!(
                "{}-{}",
                compiler.rung(),
                &sha(format!("{}\u{0}{}", opts.work_dir.display(), argv.join("\u{0}")).as_bytes())
                    [..12]
            ));
            compile::prepare(compiler, &venv, program, hot, &dest)
        })();
        match prepared {
            Err(e) => {
                // A build that ran and failed is a failure (its own context names the error and the log); a
                // precondition that is not met is unavailable, with the whole chain of why.
                if e.to_string().contains(" (log: ") {
                    a.status = "failed".into();
                    a.reason = e.to_string();
                } else {
                    a.reason = format!("{e:#}");
                }
            }
            Ok(p) => {
                // `-m` imports from the folder it runs in first: the copy's, where the compiled modules are. An
                // entry point runs as typed, its modules found through PYTHONPATH before the installed ones.
                let cwd = match (&inv.target, inv.entry_point) {
                    (Target::Module(_), _) => p.root.as_path(),
                    _ => opts.work_dir,
                };
                let argv = if inv.entry_point {
                    base_argv.clone()
                } else {
                    argv_with(&inv.interpreter.path, &inv, p.script.as_deref())
                };
                let mut paths = p.python_path.clone();
                paths.extend(std::env::var_os("PYTHONPATH").map(PathBuf::from));
                let python_path = std::env::join_paths(&paths)
                    .map(|j| j.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let env = [("PYTHONPATH".to_string(), python_path)];
                a = match compiled_modules_imported(
                    &inv,
                    p.script.as_deref(),
                    &p.module_names,
                    cwd,
                    &env,
                ) {
                    Ok(()) => attempt(
                        compiler.rung(),
                        &result.baseline.runtime,
                        &argv,
                        cwd,
                        &env,
                        &reference,
                        opts,
                    ),
                    Err(e) => {
                        let mut a =
                            Attempt::new(compiler.rung(), &result.baseline.runtime, "failed");
                        a.reason = format!("{e:#}");
                        a
                    }
                };
                a.compiled = p.compiled;
                if !p.skipped.is_empty() {
                    a.reason = format!(
                        "{}left as source: {}",
                        if a.reason.is_empty() { "" } else { "; " },
                        p.skipped.join("; ")
                    );
                }
                a.build = Some(p.build);
            }
        }
        result.attempts.push(a);
        on_attempt(&result);
    }
    Ok(result)
}

/// The terminal summary.
pub fn render(c: &Climb) -> String {
    use crate::report::format::duration;
    let mut s = format!(
        "ladder climb: {}\n  baseline {} ({} {}): median {} of {} runs, stdout {} bytes (sha256 {})\n",
        c.command.join(" "),
        c.baseline.runtime,
        c.baseline.python.implementation,
        c.baseline.python.version,
        c.baseline.median_ns.map_or("-".into(), duration),
        c.baseline.samples_ns.len(),
        c.baseline.stdout_bytes,
        &c.baseline.stdout_sha256[..12.min(c.baseline.stdout_sha256.len())]
    );
    if !c.baseline.note.is_empty() {
        s.push_str(&format!("  note: {}\n", c.baseline.note));
    }
    if !c.hot_files.is_empty() {
        s.push_str(&format!(
            "  hot files (profiled): {}\n",
            c.hot_files.join(", ")
        ));
    }
    let mut table = comfy_table::Table::new();
    table.load_preset(comfy_table::presets::NOTHING);
    let interval = if c.repeats >= RUNS_FOR_95 {
        "speedup [95%]"
    } else {
        "speedup [range]"
    };
    table.set_header([
        "rung", "runtime", "status", "output", "median", interval, "notes",
    ]);
    for a in &c.attempts {
        table.add_row([
            a.rung.clone(),
            a.runtime.clone(),
            a.status.clone(),
            match a.output_identical {
                Some(true) => "identical".into(),
                Some(false) => "DIFFERS".into(),
                None => "-".into(),
            },
            a.median_ns.map_or("-".into(), duration),
            match (a.speedup, a.speedup_ci95) {
                (Some(x), Some([lo, hi])) => format!("{x:.2}x [{lo:.2}, {hi:.2}]"),
                _ => "-".into(),
            },
            {
                let mut n = a.reason.clone();
                if !a.compiled.is_empty() {
                    n = format!(
                        "compiled {}{}{n}",
                        a.compiled.join(", "),
                        if n.is_empty() { "" } else { "; " }
                    );
                }
                if n.chars().count() > 110 {
                    n = n.chars().take(107).collect::<String>() + "...";
                }
                n
            },
        ]);
    }
    s.push_str(&format!("{table}\n"));
    if c.repeats < RUNS_FOR_95 {
        s.push_str(&format!("  intervals: {}\n", c.interval));
    }
    s
}
