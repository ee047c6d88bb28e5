//! The worker protocol and the process that runs it: one fresh worker process per cell, JSON lines back, a hard
//! timeout, and the peak RSS and CPU time of the whole process from `wait4`.
//!
//! `Executor` is the seam the tests use: `ProcessExecutor` runs a real interpreter, a mock replays scripted events.

use crate::process::Reaper;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// What the worker is told (it reads this as its one JSON argument).
#[derive(Debug, Clone, Serialize)]
pub struct WorkerConfig {
    pub module_dir: PathBuf,
    pub module: String,
    pub n: u64,
    pub data_path: String,
    pub min_samples: u32,
    pub max_samples: u32,
    pub min_time_ns: u64,
    pub max_time_ns: u64,
    pub target_sample_ns: u64,
    pub warmup_ns: u64,
    /// Samples kept taking past `max_time_ns`.
    pub samples_floor: u32,
    /// After its samples, one untimed call at this n (the run's spot check), with this input file.
    pub spot_n: Option<u64>,
    pub spot_data_path: String,
}

/// One worker run: which interpreter, the worker script, its configuration and environment.
#[derive(Debug, Clone)]
pub struct Job {
    pub python: PathBuf,
    pub worker: PathBuf,
    pub config: WorkerConfig,
    pub env: Vec<(String, String)>,
    pub timeout: Duration,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum WorkerEvent {
    Hello {
        implementation: String,
        python: String,
        executable: String,
        pid: u32,
    },
    Imported {
        file: Option<String>,
        import_ns: u64,
    },
    FirstCall {
        ns: u64,
        cpu_ns: u64,
    },
    Output {
        value: serde_json::Value,
    },
    Sample {
        ns: u64,
        cpu_ns: u64,
        loops: u64,
    },
    Info {
        value: serde_json::Value,
    },
    /// The output of the untimed call at the spot-check n, or the error it raised.
    SpotOutput {
        n: u64,
        value: Option<serde_json::Value>,
        error: Option<String>,
    },
    Done {
        samples: u32,
        threads: u32,
        /// Peak count of live child processes seen between samples (a pool kept across calls).
        #[serde(default)]
        children: u32,
        gc_enabled: bool,
        /// Whether the interpreter ran with the GIL at the end (`sys._is_gil_enabled()`; always on before 3.13).
        #[serde(default)]
        gil_enabled: Option<bool>,
        mismatched_outputs: u32,
    },
    Error {
        phase: String,
        #[serde(rename = "type")]
        kind: String,
        message: String,
        traceback: String,
    },
}

pub use crate::process::Exit;

/// How the process ended, with what only the parent can see.
#[derive(Debug, Clone)]
pub struct ProcessOutcome {
    pub exit: Exit,
    pub wall_ns: u64,
    /// user + system CPU time of the whole worker process.
    pub cpu_ns: u64,
    pub peak_rss_bytes: u64,
    pub stderr_tail: String,
    /// Lines on the protocol channel that were not protocol.
    pub garbage: Vec<String>,
}

pub trait Executor {
    /// Runs the job, handing each event to `on_event` as it arrives.
    fn execute(&self, job: &Job, on_event: &mut dyn FnMut(&WorkerEvent)) -> Result<ProcessOutcome>;
}

pub struct ProcessExecutor;

enum Line {
    Event(WorkerEvent),
    Garbage(String),
}

/// The process group of the worker that is running, so Ctrl-C can take it (and anything it started) down too.
static RUNNING_GROUP: AtomicI32 = AtomicI32::new(0);

extern "C" fn on_interrupt(sig: libc::c_int) {
    let group = RUNNING_GROUP.load(Ordering::SeqCst);
    // SAFETY: kill, signal and raise are async-signal-safe.
    unsafe {
        if group > 0 {
            libc::kill(-group, libc::SIGKILL);
        }
        libc::signal(sig, libc::SIG_DFL);
        libc::raise(sig);
    }
}

/// Installs the Ctrl-C / SIGTERM handler that kills the running worker's process group before ladder exits.
/// Workers run in their own process group (so a timeout can kill everything they started), which keeps the
/// terminal's Ctrl-C from reaching them directly.
pub fn forward_interrupts() {
    // SAFETY: installing a handler that only calls async-signal-safe functions.
    unsafe {
        libc::signal(
            libc::SIGINT,
            on_interrupt as *const () as libc::sighandler_t,
        );
        libc::signal(
            libc::SIGTERM,
            on_interrupt as *const () as libc::sighandler_t,
        );
    }
}

/// Keeps the last `limit` bytes of a stream (a chatty implementation cannot fill memory).
fn read_tail(mut r: impl Read, limit: usize) -> String {
    let mut tail: Vec<u8> = Vec::new();
    let mut buf = [0u8; 8192];
    while let Ok(n) = r.read(&mut buf) {
        if n == 0 {
            break;
        }
        tail.extend_from_slice(&buf[..n]);
        if tail.len() > 2 * limit {
            tail.drain(..tail.len() - limit);
        }
    }
    let start = tail.len().saturating_sub(limit);
    String::from_utf8_lossy(&tail[start..]).into_owned()
}

impl Executor for ProcessExecutor {
    fn execute(&self, job: &Job, on_event: &mut dyn FnMut(&WorkerEvent)) -> Result<ProcessOutcome> {
        let config = serde_json::to_string(&job.config)?;
        let mut cmd = Command::new(&job.python);
        cmd.arg(&job.worker)
            .arg(config)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .env_remove("PYTHONPATH")
            .env_remove("PYTHONHOME")
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .env("PYTHONUNBUFFERED", "1")
            .process_group(0);
        for (k, v) in &job.env {
            cmd.env(k, v);
        }
        let started = Instant::now();
        let mut child = cmd
            .spawn()
            .with_context(|| format!("starting {}", job.python.display()))?;
        let pid = child.id() as libc::pid_t;
        RUNNING_GROUP.store(pid, Ordering::SeqCst);
        let stdout = child.stdout.take().context("worker stdout")?;
        let stderr = child.stderr.take().context("worker stderr")?;

        let (tx, rx) = mpsc::channel::<Line>();
        // The readers are never joined: a grandchild that inherited the pipes could keep them open forever.
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut raw = Vec::new();
            loop {
                raw.clear();
                match reader.read_until(b'\n', &mut raw) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
                let line = String::from_utf8_lossy(&raw);
                let parsed = match serde_json::from_str::<WorkerEvent>(line.trim_end()) {
                    Ok(ev) => Line::Event(ev),
                    Err(_) => Line::Garbage(line.trim_end().to_string()),
                };
                if tx.send(parsed).is_err() {
                    break;
                }
            }
        });
        let (err_tx, err_rx) = mpsc::channel::<String>();
        std::thread::spawn(move || {
            let _ = err_tx.send(read_tail(stderr, 4000));
        });

        let mut reaper = Reaper::new(pid, started + job.timeout);
        let mut garbage = Vec::new();
        let mut handle = |line: Line, garbage: &mut Vec<String>| match line {
            Line::Event(ev) => on_event(&ev),
            Line::Garbage(g) => garbage.push(g),
        };
        // Events are handled as they come; the worker's exit is polled alongside, so a worker that has exited is
        // never waited for just because something else still holds its output pipe.
        let reaped = loop {
            match rx.recv_timeout(Duration::from_millis(20)) {
                Ok(line) => {
                    handle(line, &mut garbage);
                    continue;
                }
                Err(mpsc::RecvTimeoutError::Timeout | mpsc::RecvTimeoutError::Disconnected) => {}
            }
            if let Some(reaped) = reaper.poll() {
                break reaped;
            }
        };
        // Anything the worker started and left behind went with it (the reaper kills the group before reaping).
        RUNNING_GROUP.store(0, Ordering::SeqCst);
        // Lines written just before the exit are still in the channel.
        while let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
            handle(line, &mut garbage);
        }
        let stderr_tail = err_rx
            .recv_timeout(Duration::from_secs(1))
            .unwrap_or_default();
        drop(child);
        let wall_ns = started.elapsed().as_nanos() as u64;
        let reaped = reaped.context("waiting for the worker")?;
        Ok(ProcessOutcome {
            exit: reaped.exit,
            wall_ns,
            cpu_ns: reaped.cpu_ns,
            peak_rss_bytes: reaped.peak_rss_bytes,
            stderr_tail,
            garbage,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The real worker on the interpreter running the tests' Python (`python3`), on a module whose calls sleep
    /// 60 ms: the events it sends with a process time cap of 20 ms.
    fn events_of_a_slow_call(min_samples: u32, samples_floor: u32) -> Vec<WorkerEvent> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("slow.py"),
            "import time\n\ndef setup(n, data_path):\n    return n\n\n\
             def run(n):\n    time.sleep(0.06)\n    return [n]\n",
        )
        .unwrap();
        let worker = dir.path().join("worker.py");
        std::fs::write(&worker, crate::catalog::WORKER_PY).unwrap();
        let job = Job {
            python: "python3".into(),
            worker,
            config: WorkerConfig {
                module_dir: dir.path().to_path_buf(),
                module: "slow".into(),
                n: 3,
                data_path: String::new(),
                min_samples,
                max_samples: 10,
                min_time_ns: 20_000_000,
                max_time_ns: 20_000_000,
                target_sample_ns: 0,
                warmup_ns: 0,
                samples_floor,
                spot_n: None,
                spot_data_path: String::new(),
            },
            env: vec![],
            timeout: Duration::from_secs(60),
        };
        let mut events = Vec::new();
        let outcome = ProcessExecutor
            .execute(&job, &mut |e| events.push(e.clone()))
            .unwrap();
        assert_eq!(outcome.exit, Exit::Code(0), "{events:?}");
        events
    }

    fn samples(events: &[WorkerEvent]) -> Vec<u64> {
        events
            .iter()
            .filter_map(|e| match e {
                WorkerEvent::Sample { ns, .. } => Some(*ns),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_first_call_longer_than_the_time_cap_is_the_one_sample_when_one_is_asked_for() {
        if crate::toolchain::tools::which("python3").is_none() {
            eprintln!("skipped: no python3 on PATH");
            return;
        }
        let events = events_of_a_slow_call(1, 1);
        let first = events
            .iter()
            .find_map(|e| match e {
                WorkerEvent::FirstCall { ns, .. } => Some(*ns),
                _ => None,
            })
            .unwrap();
        assert_eq!(samples(&events), [first], "{events:?}");
        // Asked for more than one sample per process, or to keep several past the cap (a lone process), the
        // worker times calls of its own.
        for (min_samples, floor) in [(2, 1), (1, 3)] {
            let own = samples(&events_of_a_slow_call(min_samples, floor));
            assert!(!own.is_empty() && !own.contains(&first), "{own:?}");
            assert!(own.iter().all(|&ns| ns >= 60_000_000));
        }
    }
}
