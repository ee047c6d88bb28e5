//! The sampling profiler: py-spy used as a library, reading the Python stacks of the program ladder started.
//!
//! It runs on its own thread beside the wait loop in [`super::profile`], from the moment the child is spawned:
//! it retries attaching until the interpreter is up (the command may go through a pyenv shim that `exec`s the
//! real interpreter, and the interpreter needs a moment to initialise), then reads every thread's stack at a
//! fixed rate until told to stop.
//!
//! Non-blocking reads (`process_vm_readv`, no ptrace stop): the program is never paused, so the profile costs
//! it nothing measurable, and no ptrace stop can be swallowed by the `wait4` loop that reaps the program (a
//! tracee's stops are reported to every thread of the tracer's process). The price is that a stack read while
//! the program changes it can come back torn; such reads fail and are counted as `errors`, never used.
//!
//! What py-spy without the `unwind` feature cannot see is native frames (it needs libunwind's development
//! files): time in native code is therefore measured as samples where a thread was on a CPU *without holding
//! the GIL* (C code that released it: NumPy's large operations, zlib, sockets), and native code that keeps the
//! GIL is attributed to the Python line that called it. Stated in the output, not hidden.

use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// One Python frame.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Frame {
    pub function: String,
    pub file: String,
    pub line: u32,
}

/// A stack (outermost frame first) with the state of its thread when it was read.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StackKey {
    pub frames: Vec<Frame>,
    pub thread: u64,
    /// The OS said the thread was running (not sleeping or blocked).
    pub active: bool,
    pub owns_gil: bool,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ThreadTally {
    pub name: Option<String>,
    pub samples: u64,
    /// Samples where the thread was on a CPU.
    pub active: u64,
    /// Samples where it was on a CPU without the GIL: native code that released it.
    pub active_without_gil: u64,
}

#[derive(Debug, Clone, Default)]
pub struct Samples {
    pub rate_hz: u64,
    /// Rounds in which every thread's stack was read.
    pub rounds: u64,
    /// Rounds whose read failed (a torn non-blocking read); not used.
    pub errors: u64,
    /// Why no sample could be taken, with what to do about it; None when the profiler attached.
    pub attach_error: Option<String>,
    /// Why sampling stopped before the program ended (the kernel refused reads part-way, e.g. the program made
    /// itself non-dumpable); the samples taken until then are kept.
    pub stopped_early: Option<String>,
    /// The Python version py-spy detected in the process.
    pub python_version: Option<String>,
    pub stacks: HashMap<StackKey, u64>,
    pub threads: BTreeMap<u64, ThreadTally>,
}

/// The running sampler; [`Sampler::finish`] stops it and returns what it collected.
pub struct Sampler {
    stop: Arc<AtomicBool>,
    join: Option<JoinHandle<Samples>>,
    rate_hz: u64,
}

impl Sampler {
    /// Starts sampling `pid` (a child of this process) `rate_hz` times a second.
    pub fn start(pid: i32, rate_hz: u64) -> Sampler {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let join = std::thread::Builder::new()
            .name("ladder-sampler".into())
            .spawn(move || sample(pid, rate_hz.max(1), &flag))
            .ok();
        Sampler {
            stop,
            join,
            rate_hz,
        }
    }

    /// Stops sampling (call it once the program has ended) and returns the samples.
    pub fn finish(mut self) -> Samples {
        self.stop.store(true, Ordering::SeqCst);
        match self.join.take().map(|j| j.join()) {
            Some(Ok(s)) => s,
            _ => Samples {
                rate_hz: self.rate_hz,
                attach_error: Some("the sampling thread could not be started or panicked".into()),
                ..Samples::default()
            },
        }
    }
}

/// How to let ladder read another process's memory when the kernel refuses it.
pub const PTRACE_HELP: &str = "the kernel refused to let ladder read the program's memory (ptrace access). \
Allow it with `sudo sysctl kernel.yama.ptrace_scope=0` (Yama), or run ladder with CAP_SYS_PTRACE \
(in Docker: `docker run --cap-add SYS_PTRACE ...`); everything else was still measured";

#[cfg(feature = "advise-profiler")]
fn sample(pid: i32, rate_hz: u64, stop: &AtomicBool) -> Samples {
    use py_spy::config::{Config, LockingStrategy};
    use std::time::Instant;

    let mut out = Samples {
        rate_hz,
        ..Samples::default()
    };
    let config = Config {
        blocking: LockingStrategy::NonBlocking,
        sampling_rate: rate_hz,
        ..Config::default()
    };
    // Attach: until the interpreter is up, py-spy fails to find it; keep trying while the program runs.
    let started = Instant::now();
    let mut spy = loop {
        match py_spy::PythonSpy::new(pid as py_spy::Pid, &config) {
            Ok(s) => break s,
            Err(e) => {
                let text = format!("{e:#}");
                if is_permission_error(&e) {
                    out.attach_error = Some(format!("{PTRACE_HELP} ({text})"));
                    return out;
                }
                if stop.load(Ordering::SeqCst) || !alive(pid) {
                    out.attach_error = Some(format!(
                        "the program ended {:.0} ms after it started, before the sampling profiler could attach \
                         (last attempt: {text})",
                        started.elapsed().as_secs_f64() * 1e3
                    ));
                    return out;
                }
                if started.elapsed() > Duration::from_secs(10) {
                    out.attach_error = Some(format!(
                        "the sampling profiler could not find a Python interpreter in the process after 10 s: {text}"
                    ));
                    return out;
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        }
    };
    out.python_version = Some(spy.version.to_string());
    let period = Duration::from_secs_f64(1.0 / rate_hz as f64);
    let mut next = Instant::now();
    while !stop.load(Ordering::SeqCst) {
        match spy.get_stack_traces() {
            Ok(traces) => {
                out.rounds += 1;
                for t in traces {
                    let tally = out.threads.entry(t.thread_id).or_default();
                    if tally.name.is_none() {
                        tally.name = t.thread_name.clone();
                    }
                    tally.samples += 1;
                    if t.active {
                        tally.active += 1;
                        if !t.owns_gil {
                            tally.active_without_gil += 1;
                        }
                    }
                    // py-spy lists the innermost frame first.
                    let frames = t
                        .frames
                        .iter()
                        .rev()
                        .map(|f| Frame {
                            function: f.name.clone(),
                            file: f.filename.clone(),
                            line: f.line.max(0) as u32,
                        })
                        .collect();
                    *out.stacks
                        .entry(StackKey {
                            frames,
                            thread: t.thread_id,
                            active: t.active,
                            owns_gil: t.owns_gil,
                        })
                        .or_insert(0) += 1;
                }
            }
            Err(e) => {
                if !alive(pid) {
                    break;
                }
                if is_permission_error(&e) {
                    let why = format!("{PTRACE_HELP} ({e:#})");
                    if out.rounds == 0 {
                        out.attach_error = Some(why);
                    } else {
                        out.stopped_early = Some(format!(
                            "sampling stopped after {} rounds: {why}",
                            out.rounds
                        ));
                    }
                    return out;
                }
                out.errors += 1;
            }
        }
        next += period;
        let now = Instant::now();
        if next > now {
            std::thread::sleep(next - now);
        } else {
            // Running late (a busy machine): skip the missed ticks rather than burst.
            next = now;
        }
    }
    out
}

#[cfg(not(feature = "advise-profiler"))]
fn sample(_pid: i32, rate_hz: u64, _stop: &AtomicBool) -> Samples {
    Samples {
        rate_hz,
        attach_error: Some(
            "this ladder was built without the `advise-profiler` feature (py-spy): no hot spots"
                .into(),
        ),
        ..Samples::default()
    }
}

#[cfg(feature = "advise-profiler")]
fn is_permission_error(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::PermissionDenied)
            || {
                let s = c.to_string();
                s.contains("Operation not permitted") || s.contains("Permission denied")
            }
    })
}

/// The process exists and has not exited (a zombie has exited: its stacks are gone).
fn alive(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the command name in parentheses, which may itself contain ") ".
        Ok(s) => s
            .rsplit_once(") ")
            .is_some_and(|(_, rest)| !rest.starts_with('Z') && !rest.starts_with('X')),
        Err(_) => false,
    }
}
