//! The worker protocol and the process that runs it: one fresh worker process per cell, JSON lines back, a hard
//! timeout, and the peak RSS and CPU time of the whole process from `wait4`.
//!
//! `Executor` is the seam the tests use: `ProcessExecutor` runs a real interpreter, a mock replays scripted events.

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Command, Stdio};
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
    Done {
        samples: u32,
        threads: u32,
        gc_enabled: bool,
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

#[derive(Debug, Clone, PartialEq)]
pub enum Exit {
    Code(i32),
    Signal(i32),
    TimedOut,
}

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
            .env("PYTHONUNBUFFERED", "1");
        for (k, v) in &job.env {
            cmd.env(k, v);
        }
        let started = Instant::now();
        let mut child = cmd
            .spawn()
            .with_context(|| format!("starting {}", job.python.display()))?;
        let pid = child.id() as libc::pid_t;
        let stdout = child.stdout.take().context("worker stdout")?;
        let mut stderr = child.stderr.take().context("worker stderr")?;

        let (tx, rx) = mpsc::channel::<Line>();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let parsed = match serde_json::from_str::<WorkerEvent>(&line) {
                    Ok(ev) => Line::Event(ev),
                    Err(_) => Line::Garbage(line),
                };
                if tx.send(parsed).is_err() {
                    break;
                }
            }
        });
        let err_reader = std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = stderr.read_to_end(&mut buf);
            let text = String::from_utf8_lossy(&buf).into_owned();
            let start = text.len().saturating_sub(4000);
            let start = (start..text.len())
                .find(|i| text.is_char_boundary(*i))
                .unwrap_or(text.len());
            text[start..].to_string()
        });

        let deadline = started + job.timeout;
        let mut timed_out = false;
        let mut garbage = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(Line::Event(ev)) => on_event(&ev),
                Ok(Line::Garbage(g)) => garbage.push(g),
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    timed_out = true;
                    // SAFETY: `pid` is our own child, not yet reaped (only wait4 below reaps it).
                    unsafe {
                        libc::kill(pid, libc::SIGKILL);
                    }
                    break;
                }
            }
        }
        let mut status: libc::c_int = 0;
        // SAFETY: rusage is plain data that wait4 fills; `pid` is our unreaped child.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // The worker closed its output; give it until the deadline to exit, then kill it: never hang.
        let rc = loop {
            // SAFETY: as above.
            let rc = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
            if rc != 0 {
                break rc;
            }
            if Instant::now() >= deadline {
                timed_out = true;
                // SAFETY: as above; the blocking wait4 reaps it right after.
                break unsafe {
                    libc::kill(pid, libc::SIGKILL);
                    libc::wait4(pid, &mut status, 0, &mut usage)
                };
            }
            std::thread::sleep(Duration::from_millis(2));
        };
        let wall_ns = started.elapsed().as_nanos() as u64;
        let _ = reader.join();
        let stderr_tail = err_reader.join().unwrap_or_default();
        if rc < 0 {
            return Err(std::io::Error::last_os_error()).context("waiting for the worker");
        }
        let exit = if timed_out {
            Exit::TimedOut
        } else if libc::WIFEXITED(status) {
            Exit::Code(libc::WEXITSTATUS(status))
        } else {
            Exit::Signal(libc::WTERMSIG(status))
        };
        let tv = |t: libc::timeval| t.tv_sec as u64 * 1_000_000_000 + t.tv_usec as u64 * 1_000;
        Ok(ProcessOutcome {
            exit,
            wall_ns,
            cpu_ns: tv(usage.ru_utime) + tv(usage.ru_stime),
            // Linux reports ru_maxrss in KiB.
            peak_rss_bytes: usage.ru_maxrss as u64 * 1024,
            stderr_tail,
            garbage,
        })
    }
}
