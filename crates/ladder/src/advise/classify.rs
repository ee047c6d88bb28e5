//! The first three branches of the study's decision tree (seeds/000): I/O-bound, memory-bound, CPU-bound,
//! decided from measured figures, with the figures that decided it in words.

use super::profile::Run;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    IoBound,
    MemoryBound,
    CpuBound,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::IoBound => "io-bound",
            Verdict::MemoryBound => "memory-bound",
            Verdict::CpuBound => "cpu-bound",
        }
    }
}

/// Below this share of wall time on a CPU, the program mostly waits (I/O, sleeps, locks).
pub const IO_CPU_SHARE: f64 = 0.5;
/// At or above this share of wall time in the cyclic GC, object churn, not computation, is the cost. 10% is where
/// GC overhead is usually called significant; measured here, the allocation example sits at 13-18% (and varies
/// with machine load), a numeric loop at 0%.
pub const MEMORY_GC_SHARE: f64 = 0.10;

#[derive(Debug, Clone, Default)]
pub struct Figures {
    pub wall_ns: u64,
    pub cpu_ns: u64,
    pub gc_ns: Option<u64>,
    pub peak_rss_bytes: u64,
    /// The main thread's (on-CPU, run-queue wait) ns, when the kernel reports them.
    pub main_sched: Option<(u64, u64)>,
    /// Physical memory of the machine (0 when unknown).
    pub memory_bytes: u64,
}

impl From<&Run> for Figures {
    fn from(r: &Run) -> Figures {
        Figures {
            // The bootstrap's heap snapshots are ladder's time, not the program's.
            wall_ns: r
                .wall_ns
                .saturating_sub(r.report.as_ref().map_or(0, |b| b.snapshot_ns)),
            cpu_ns: r.cpu_ns,
            gc_ns: r.report.as_ref().filter(|b| b.gc_measured).map(|b| b.gc_ns),
            peak_rss_bytes: r.peak_rss_bytes,
            main_sched: r.main_sched,
            memory_bytes: crate::toolchain::host::machine().memory_bytes,
        }
    }
}

pub fn classify(f: &Figures) -> (Verdict, Vec<String>) {
    let wall = f.wall_ns.max(1) as f64;
    let cpu_share = f.cpu_ns as f64 / wall;
    let mut why = vec![format!(
        "process CPU time is {:.0}% of wall time",
        cpu_share * 100.0
    )];
    // The main thread's share of the time it could have run: waiting for a CPU on a busy machine is not I/O.
    let busy = match f.main_sched {
        Some((on_cpu, queued)) => {
            let runnable_or_running = (wall - queued as f64).max(1.0);
            let share = (on_cpu as f64 / runnable_or_running).min(1.0);
            why.push(format!(
                "the main thread was on a CPU {:.0}% of the time it was not waiting for one (it waited {:.0}% of wall \
                 time in the run queue); I/O-bound below {:.0}%",
                share * 100.0,
                queued as f64 / wall * 100.0,
                IO_CPU_SHARE * 100.0
            ));
            share
        }
        None => cpu_share,
    };
    if busy < IO_CPU_SHARE {
        why.push("the program mostly waits: optimise the I/O, not the code (the study: \"Stop. None of this matters.\")".into());
        return (Verdict::IoBound, why);
    }
    // GC time is wall time inside the collector, so it is set against the time the program could run: on a busy
    // machine the run-queue wait inflates wall time and would dilute the GC's share (measured: 18% idle, 10% with
    // the run queue at 80% of wall).
    let runnable = match f.main_sched {
        Some((_, queued)) => (wall - queued as f64).max(1.0),
        None => wall,
    };
    match f.gc_ns {
        Some(gc) => why.push(format!(
            "the cyclic garbage collector took {:.0}% of the time the program was not waiting for a CPU \
             (memory-bound from {:.0}%)",
            gc as f64 / runnable * 100.0,
            MEMORY_GC_SHARE * 100.0
        )),
        None => why.push("GC time not measured (this interpreter has no gc.callbacks)".into()),
    }
    let gc_heavy = f
        .gc_ns
        .is_some_and(|g| g as f64 / runnable >= MEMORY_GC_SHARE);
    let rss_heavy = f.memory_bytes > 0 && f.peak_rss_bytes * 2 >= f.memory_bytes;
    if rss_heavy {
        why.push(format!(
            "peak RSS {:.0} MiB is half or more of this machine's memory",
            f.peak_rss_bytes as f64 / 1048576.0
        ));
    }
    if gc_heavy || rss_heavy {
        why.push("change the data structures (fewer, smaller objects), not the runtime".into());
        return (Verdict::MemoryBound, why);
    }
    (Verdict::CpuBound, why)
}
