//! Runs the user's program once under the bootstrap (bootstrap.py, embedded), in its own process group with a
//! hard timeout, and collects wall time, CPU time and peak RSS from `wait4` plus the bootstrap's report.
//! The program's stdout and stderr are the user's: they pass through untouched.

use super::command::{Invocation, Target};
use super::sampler::{Sampler, Samples};
/// How the program ended: the same outcomes as a measured worker's.
pub use crate::process::Exit;
use crate::process::Reaper;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BOOTSTRAP: &str = include_str!("bootstrap.py");

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Site {
    pub file: String,
    pub line: u32,
    pub size_bytes: u64,
    pub count: u64,
}

/// What bootstrap.py writes when the program ends.
#[derive(Debug, Clone, Deserialize)]
pub struct BootstrapReport {
    pub exit_code: i32,
    pub error: Option<String>,
    pub gc_ns: u64,
    pub gc_measured: bool,
    /// The most small-object blocks (pymalloc's, up to 512 bytes) alive at once, read at every CPU tick; None
    /// where the interpreter has no tracemalloc (PyPy).
    #[serde(default)]
    pub peak_blocks: Option<u64>,
    pub top_sites: Vec<Site>,
    /// How many windows of tracing the sites were summed over, and the CPU time they covered.
    #[serde(default)]
    pub sampled_windows: u64,
    #[serde(default)]
    pub sampled_cpu_ns: u64,
    /// Time the bootstrap spent sampling allocation sites (its SIGPROF handler): not the program's own time.
    #[serde(default)]
    pub snapshot_ns: u64,
    /// The interpreter's standard library and site-packages folders: frames there are library code.
    #[serde(default)]
    pub library_paths: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Run {
    pub exit: Exit,
    pub wall_ns: u64,
    pub cpu_ns: u64,
    pub peak_rss_bytes: u64,
    /// The main thread's time on a CPU and time waiting for one (runnable, not running), from
    /// /proc/PID/schedstat: on a loaded machine wall time minus CPU time is not time spent blocked, so the
    /// I/O verdict subtracts the run-queue wait. None when the kernel has no schedstat.
    pub main_sched: Option<(u64, u64)>,
    /// None when the program was killed before the bootstrap could write it (timeout, signal).
    pub report: Option<BootstrapReport>,
    /// The sampling profiler's stacks (None when not asked for).
    pub samples: Option<Samples>,
    /// Where the bootstrap was written: its frames are ladder's, not the program's.
    pub bootstrap_path: std::path::PathBuf,
}

/// Runs the program once; with `sample_hz`, py-spy samples its stacks that many times a second meanwhile.
/// The program's stdout and stderr are the user's terminal's.
pub fn run(
    inv: &Invocation,
    work_dir: &Path,
    timeout: Duration,
    sample_hz: Option<u64>,
) -> Result<Run> {
    run_with_output(inv, work_dir, timeout, sample_hz, true)
}

/// [`run`], with the program's stdout and stderr discarded unless `pass_output` (climb's profiling run only looks).
pub fn run_with_output(
    inv: &Invocation,
    work_dir: &Path,
    timeout: Duration,
    sample_hz: Option<u64>,
    pass_output: bool,
) -> Result<Run> {
    // One folder per run: several runs may share this process (tests, climb).
    static RUNS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let scratch = std::env::temp_dir().join(format!(
        "ladder-advise-{}-{}",
        std::process::id(),
        RUNS.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&scratch).with_context(|| format!("creating {}", scratch.display()))?;
    let bootstrap = scratch.join("ladder_bootstrap.py");
    let report_path = scratch.join("report.json");
    std::fs::write(&bootstrap, BOOTSTRAP).context("writing the bootstrap")?;
    let _ = std::fs::remove_file(&report_path);
    let mut cmd = Command::new(&inv.interpreter.path);
    cmd.args(&inv.options).arg(&bootstrap).arg(&report_path);
    match &inv.target {
        Target::Script(p) => cmd.arg(p),
        Target::Module(m) => cmd.args(["-m", m]),
        Target::Code(c) => cmd.args(["-c", c]),
    };
    cmd.args(&inv.args)
        .current_dir(work_dir)
        .stdin(Stdio::null())
        .process_group(0);
    if !pass_output {
        cmd.stdout(Stdio::null()).stderr(Stdio::null());
    }
    let started = Instant::now();
    let child = cmd
        .spawn()
        .with_context(|| format!("starting {}", inv.interpreter.path.display()))?;
    let pid = child.id() as libc::pid_t;
    let sampler = sample_hz.map(|hz| Sampler::start(pid, hz));
    let mut reaper = Reaper::new(pid, started + timeout);
    let mut main_sched = None;
    let ended = loop {
        // Read until the end: the exited program stays a zombie until reaped, and a zombie still has its
        // schedstat.
        if let Some(s) = read_schedstat(pid) {
            main_sched = Some(s);
        }
        match reaper.ended() {
            Ok(false) => std::thread::sleep(Duration::from_millis(10)),
            Ok(true) => break Ok(()),
            Err(e) => break Err(e),
        }
    };
    if ended.is_ok()
        && let Some(s) = read_schedstat(pid)
    {
        main_sched = Some(s);
    }
    let wall_ns = started.elapsed().as_nanos() as u64;
    // Ended: the sampler finds the process gone and stops; join it before the rest of the group is killed.
    let samples = sampler.map(Sampler::finish);
    // Reaping kills anything the program started and left behind.
    let reaped = ended.and_then(|()| reaper.reap());
    drop(child);
    let reaped = reaped.context("waiting for the program")?;
    let report = std::fs::read_to_string(&report_path)
        .ok()
        .and_then(|t| serde_json::from_str::<BootstrapReport>(&t).ok());
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(Run {
        exit: reaped.exit,
        wall_ns,
        cpu_ns: reaped.cpu_ns,
        peak_rss_bytes: reaped.peak_rss_bytes,
        main_sched,
        report,
        samples,
        bootstrap_path: bootstrap,
    })
}

/// (ns on CPU, ns waiting on a run queue) of the process's main thread.
fn read_schedstat(pid: libc::pid_t) -> Option<(u64, u64)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/schedstat")).ok()?;
    let mut f = text.split_whitespace().map(|x| x.parse::<u64>().ok());
    Some((f.next()??, f.next()??))
}
