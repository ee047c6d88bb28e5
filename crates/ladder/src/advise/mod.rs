//! `ladder advise`: run the user's program, measure where its time goes, and classify it the way the study's
//! decision tree starts (seeds/000: "Profile first ... I/O bound? memory bound? CPU bound?").
//!
//! Stages, each its own module: [`command`] resolves the user's command line to an interpreter and a target,
//! [`profile`] runs it under a small stdlib bootstrap (tracemalloc, GC time) with a hard timeout and wall/CPU/peak
//! RSS from `wait4`, [`classify`] turns the figures into a verdict with the evidence that decided it.
//!
//! Deviation from DESIGN.md/issue 4, stated so nobody mistakes it: this first slice has no sampling profiler
//! (py-spy), no source traits (ruff_python_parser), no recommendations, no flame graph and no `climb`. The
//! verdict here is decided from process CPU time, GC time and memory only.

pub mod classify;
pub mod command;
pub mod profile;

use serde::Serialize;

/// The `--json` document of `ladder advise`.
#[derive(Debug, Clone, Serialize)]
pub struct Advice {
    pub schema: &'static str,
    pub version: u32,
    pub command: Vec<String>,
    pub python: command::Interpreter,
    /// ok | failed (non-zero exit) | timeout
    pub status: String,
    pub exit_code: Option<i32>,
    pub reason: String,
    pub verdict: classify::Verdict,
    /// The figures that decided the verdict, in words.
    pub verdict_why: Vec<String>,
    pub wall_ns: u64,
    pub cpu_ns: u64,
    /// Process CPU time (user + system, all threads) over wall time.
    pub cpu_share: f64,
    /// Main thread (on-CPU ns, run-queue wait ns) from /proc/PID/schedstat.
    pub main_sched_ns: Option<(u64, u64)>,
    pub gc_ns: Option<u64>,
    /// GC time over the program's own wall time (wall time less `snapshot_ns`).
    pub gc_share: Option<f64>,
    /// Wall time the bootstrap spent taking tracemalloc snapshots (included in `wall_ns`).
    pub snapshot_ns: u64,
    pub peak_rss_bytes: u64,
    pub traced_peak_bytes: Option<u64>,
    pub top_allocation_sites: Vec<profile::Site>,
    /// When the sites were read: "largest heap seen" or "exit".
    pub allocation_sites_at: Option<String>,
    /// Empty in this slice: no sampling profiler yet (see the module docs).
    pub hotspots: Vec<serde_json::Value>,
    /// Empty in this slice: no decision-tree recommendations yet (see the module docs).
    pub recommendations: Vec<serde_json::Value>,
}

pub const SCHEMA: &str = "ladder-advise";

/// Runs `argv` (a `python ...` command line) and classifies it.
pub fn advise(
    argv: &[String],
    work_dir: &std::path::Path,
    timeout: std::time::Duration,
) -> anyhow::Result<Advice> {
    let inv = command::resolve(argv)?;
    let run = profile::run(&inv, work_dir, timeout)?;
    let (verdict, verdict_why) = classify::classify(&classify::Figures::from(&run));
    let cpu_share = if run.wall_ns > 0 {
        run.cpu_ns as f64 / run.wall_ns as f64
    } else {
        0.0
    };
    let (status, reason) = match run.exit {
        profile::Exit::Code(0) => ("ok".to_string(), String::new()),
        profile::Exit::Code(c) => (
            "failed".to_string(),
            format!(
                "the program exited with code {c}{}",
                run.report
                    .as_ref()
                    .and_then(|r| r.error.clone())
                    .map(|e| format!(" ({e})"))
                    .unwrap_or_default()
            ),
        ),
        profile::Exit::Signal(s) => (
            "failed".to_string(),
            format!("the program was killed by signal {s}"),
        ),
        profile::Exit::TimedOut => (
            "timeout".to_string(),
            format!(
                "the program ran longer than --timeout {} s and was stopped; the figures cover the time it ran",
                timeout.as_secs_f64()
            ),
        ),
    };
    Ok(Advice {
        schema: SCHEMA,
        version: 1,
        command: argv.to_vec(),
        python: inv.interpreter.clone(),
        status,
        exit_code: match run.exit {
            profile::Exit::Code(c) => Some(c),
            _ => None,
        },
        reason,
        verdict,
        verdict_why,
        wall_ns: run.wall_ns,
        cpu_ns: run.cpu_ns,
        cpu_share,
        main_sched_ns: run.main_sched,
        gc_ns: run
            .report
            .as_ref()
            .filter(|r| r.gc_measured)
            .map(|r| r.gc_ns),
        gc_share: run
            .report
            .as_ref()
            .filter(|r| r.gc_measured && run.wall_ns > r.snapshot_ns)
            .map(|r| r.gc_ns as f64 / (run.wall_ns - r.snapshot_ns) as f64),
        snapshot_ns: run.report.as_ref().map_or(0, |r| r.snapshot_ns),
        peak_rss_bytes: run.peak_rss_bytes,
        traced_peak_bytes: run.report.as_ref().and_then(|r| r.traced_peak_bytes),
        allocation_sites_at: run.report.as_ref().and_then(|r| r.sites_at.clone()),
        top_allocation_sites: run.report.map(|r| r.top_sites).unwrap_or_default(),
        hotspots: Vec::new(),
        recommendations: Vec::new(),
    })
}

/// The terminal summary.
pub fn render(a: &Advice) -> String {
    use crate::report::format::duration;
    let mut s = format!(
        "ladder advise: {} ({} {})\n",
        a.command.join(" "),
        a.python.implementation,
        a.python.version
    );
    if !a.reason.is_empty() {
        s.push_str(&format!("  status: {} — {}\n", a.status, a.reason));
    }
    s.push_str(&format!(
        "  wall {}, CPU {} ({:.0}% of wall), peak RSS {:.1} MiB",
        duration(a.wall_ns as f64),
        duration(a.cpu_ns as f64),
        a.cpu_share * 100.0,
        a.peak_rss_bytes as f64 / 1048576.0
    ));
    if let Some(g) = a.gc_share {
        s.push_str(&format!(", GC {:.0}% of wall", g * 100.0));
    }
    s.push('\n');
    s.push_str(&format!("  verdict: {}\n", a.verdict.as_str()));
    for w in &a.verdict_why {
        s.push_str(&format!("    - {w}\n"));
    }
    if !a.top_allocation_sites.is_empty() {
        s.push_str(&format!(
            "  top allocation sites (tracemalloc, {}):\n",
            match a.allocation_sites_at.as_deref() {
                Some("largest heap seen") => "at the largest heap seen",
                _ => "at exit",
            }
        ));
        for site in a.top_allocation_sites.iter().take(5) {
            s.push_str(&format!(
                "    {:>9.1} KiB {:>8} blocks  {}:{}\n",
                site.size_bytes as f64 / 1024.0,
                site.count,
                site.file,
                site.line
            ));
        }
    }
    s
}

#[cfg(test)]
mod tests;
