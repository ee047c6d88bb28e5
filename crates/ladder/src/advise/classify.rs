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
/// GC overhead is usually called significant; measured here, the allocation example sits at 40-65%, a numeric
/// loop at 0%.
pub const MEMORY_GC_SHARE: f64 = 0.10;
/// A million small objects alive at once (pymalloc blocks) is a heap whose size is the program's cost: every
/// full collection walks it, and it is what `__slots__`, arrays and generators shrink. Measured here: the numeric
/// examples peak at 40-50 thousand blocks (the interpreter's own), the allocation example at 4 million.
pub const MANY_SMALL_OBJECTS: u64 = 1_000_000;
/// With that many objects alive, this share of the time in the collector already counts: a program that keeps
/// millions of objects for a long computation spends a few percent there, one that only keeps them 0%.
pub const MANY_OBJECTS_GC_SHARE: f64 = 0.02;

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
    /// The most small-object blocks alive at once (None when not measured).
    pub peak_blocks: Option<u64>,
    /// Share of the sampling profiler's reads of the main thread that found it on a CPU or runnable (None without
    /// a profile).
    pub sampled_main_on_cpu: Option<f64>,
}

impl From<&Run> for Figures {
    fn from(r: &Run) -> Figures {
        Figures {
            // The bootstrap's allocation sampling is ladder's time, not the program's.
            wall_ns: r
                .wall_ns
                .saturating_sub(r.report.as_ref().map_or(0, |b| b.snapshot_ns)),
            cpu_ns: r.cpu_ns,
            gc_ns: r.report.as_ref().filter(|b| b.gc_measured).map(|b| b.gc_ns),
            peak_rss_bytes: r.peak_rss_bytes,
            main_sched: r.main_sched,
            memory_bytes: crate::toolchain::host::machine().memory_bytes,
            peak_blocks: r.report.as_ref().and_then(|b| b.peak_blocks),
            sampled_main_on_cpu: None,
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
    // The profiler reads the thread's state as the OS reports it, where runnable counts as running: on a machine
    // so loaded that the scheduler's figures call a busy program idle (measured: 46% with 64% of wall time in the
    // run queue), the samples still show it running. A program that waits is idle by both.
    let busy = match f.sampled_main_on_cpu {
        Some(sampled) => {
            why.push(format!(
                "the profiler found the main thread running or runnable in {:.0}% of its samples",
                sampled * 100.0
            ));
            busy.max(sampled)
        }
        None => busy,
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
            // GC time is wall time and may include run-queue waits of its own: at most all of the time.
            (gc as f64 / runnable).min(1.0) * 100.0,
            MEMORY_GC_SHARE * 100.0
        )),
        None => why.push("GC time not measured (this interpreter has no gc.callbacks)".into()),
    }
    let gc_share = f.gc_ns.map(|g| g as f64 / runnable);
    let gc_heavy = gc_share.is_some_and(|g| g >= MEMORY_GC_SHARE);
    let rss_heavy = f.memory_bytes > 0 && f.peak_rss_bytes * 2 >= f.memory_bytes;
    if rss_heavy {
        why.push(format!(
            "peak RSS {:.0} MiB is half or more of this machine's memory",
            f.peak_rss_bytes as f64 / 1048576.0
        ));
    }
    let many_objects = f.peak_blocks.is_some_and(|b| b >= MANY_SMALL_OBJECTS)
        && gc_share.is_some_and(|g| g >= MANY_OBJECTS_GC_SHARE);
    if let Some(blocks) = f.peak_blocks {
        why.push(format!(
            "at most {} small objects were alive at once (memory-bound from {} million with the collector at {:.0}% \
             or more)",
            count(blocks),
            MANY_SMALL_OBJECTS / 1_000_000,
            MANY_OBJECTS_GC_SHARE * 100.0
        ));
    }
    if gc_heavy || rss_heavy || many_objects {
        why.push("change the data structures (fewer, smaller objects), not the runtime".into());
        return (Verdict::MemoryBound, why);
    }
    (Verdict::CpuBound, why)
}

/// 4042413 as "4.0 million", 43093 as "43 thousand".
fn count(n: u64) -> String {
    if n >= 1_000_000 {
        format!("{:.1} million", n as f64 / 1e6)
    } else if n >= 1_000 {
        format!("{:.0} thousand", n as f64 / 1e3)
    } else {
        n.to_string()
    }
}
