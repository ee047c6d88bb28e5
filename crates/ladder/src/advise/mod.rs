//! `ladder advise`: run the user's program, measure where its time goes, and classify it the way the study's
//! decision tree starts (seeds/000: "Profile first ... I/O bound? memory bound? CPU bound?").
//!
//! Stages, each its own module: [`command`] resolves the user's command line to an interpreter and a target,
//! [`profile`] runs it under a small stdlib bootstrap (tracemalloc, GC time) with a hard timeout and wall/CPU/peak
//! RSS from `wait4`, [`classify`] turns the figures into a verdict with the evidence that decided it.
//!
//! With py-spy ([`sampler`], non-blocking reads) sampling the same run, [`hotspots`] turns the stacks into hot
//! functions and lines of the program's own code, [`traits`] reads their source with ruff's parser, [`recommend`]
//! walks the study's decision tree and [`flame`] draws the flame graph.
//!
//! Deviations from DESIGN.md/issue 4, stated so nobody mistakes them: native frames are not unwound (py-spy's
//! `unwind` feature needs libunwind's development files), so "native" time is on-CPU time without the GIL (see
//! [`sampler`]); allocation sites come from short windows of tracemalloc, so they are a sample,
//! and absolute times in the advice are those of the profiled run, and `ladder climb` is the command that measures.

pub mod classify;
pub mod command;
pub mod findings;
pub mod flame;
pub mod hotspots;
pub mod profile;
pub mod recommend;
pub mod regions;
pub mod sampler;
pub mod traits;

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
    /// Wall time the bootstrap spent sampling allocation sites (included in `wall_ns`).
    pub snapshot_ns: u64,
    pub peak_rss_bytes: u64,
    /// The most small-object blocks (pymalloc's, up to 512 bytes) alive at once; None where not measured (PyPy).
    pub peak_live_blocks: Option<u64>,
    /// The allocation sites of the windows sampled: what each window allocated and still held when it closed,
    /// summed over the windows, largest first.
    pub top_allocation_sites: Vec<profile::Site>,
    /// What the sites were sampled from, in words (None when they were not sampled).
    pub allocation_sampling: Option<String>,
    /// The sampling profile (rates, per-thread on-CPU share, native share); None when py-spy could not attach.
    pub profile: Option<hotspots::Profile>,
    /// Why there is no profile, or why it stopped early (e.g. no ptrace permission, with how to allow it).
    pub profiler_error: Option<String>,
    /// The program's hot functions, hottest first, with their source traits.
    pub hotspots: Vec<hotspots::Hotspot>,
    /// Algorithmic findings on the program's lines and, for a memory-bound program, the data-structure change for
    /// its top allocation sites; the hot ones (a share of at least 5%) first, and ranked before any rung.
    pub findings: Vec<findings::Finding>,
    /// The modules the hot functions live in (imports of C extensions, annotation coverage).
    pub modules: Vec<traits::ModuleTraits>,
    /// The decision tree's advice, ranked; empty unless cpu-bound (the verdict's own advice applies then).
    pub recommendations: Vec<recommend::Recommendation>,
    /// Branches of the tree that matched but whose expected speedup is below 1x: slower, so not recommended.
    pub ruled_out: Vec<recommend::Recommendation>,
}

pub const SCHEMA: &str = "ladder-advise";
/// Samples a second: 100 is py-spy's default, dense enough for a few-second program, cheap with non-blocking reads.
pub const SAMPLE_HZ: u64 = 100;

/// Runs `argv` (a `python ...` command line), profiles and classifies it, and walks the decision tree with the
/// expected speedups from `figures`.
pub fn advise(
    argv: &[String],
    work_dir: &std::path::Path,
    timeout: std::time::Duration,
    figures: &recommend::Figures,
) -> anyhow::Result<Advice> {
    let inv = command::resolve(argv)?;
    // py-spy reads CPython's interpreter structures; other interpreters run unsampled, and say so.
    let sample_hz = (inv.interpreter.implementation == "cpython").then_some(SAMPLE_HZ);
    let mut run = profile::run(&inv, work_dir, timeout, sample_hz)?;
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
    let samples = run.samples.take();
    let library_paths = run
        .report
        .as_ref()
        .map(|r| r.library_paths.clone())
        .unwrap_or_default();
    let cls = hotspots::Classifier {
        library_paths: &library_paths,
        bootstrap: &run.bootstrap_path,
        code_target: matches!(inv.target, command::Target::Code(_)),
    };
    let (profile, profiler_error) = match samples {
        Some(s) if s.attach_error.is_none() => {
            (Some(hotspots::build(&s, &cls)), s.stopped_early.clone())
        }
        Some(s) => (None, s.attach_error),
        None => (
            None,
            Some(format!(
                "py-spy samples CPython only; this is {} (run the program with a CPython to get hot spots)",
                inv.interpreter.implementation
            )),
        ),
    };
    let (verdict, verdict_why) = classify::classify(&classify::Figures {
        sampled_main_on_cpu: profile
            .as_ref()
            .and_then(hotspots::Profile::main_on_cpu_share),
        ..classify::Figures::from(&run)
    });
    let mut hot = profile
        .as_ref()
        .map(|p| p.hotspots.clone())
        .unwrap_or_default();
    let mut sources = regions::Sources::new(work_dir, &inv.target);
    for h in &mut hot {
        let i = sources.index(&h.file);
        if let Some(t) = sources.modules[i].function(&h.function, h.line) {
            h.traits = t.labels(&sources.modules[i].traits);
            h.source_traits = Some(t);
        }
    }
    let built = profile
        .as_ref()
        .map(|p| regions::build(p, &cls, &mut sources));
    if let Some(b) = &built {
        for h in &mut hot {
            h.region = b
                .by_hotspot
                .get(&(h.function.clone(), h.file.clone()))
                .map(|&i| b.regions[i].region.clone());
        }
    }
    let findings = findings::collect(
        &mut sources,
        built.as_ref().map(|b| &b.line_shares),
        (verdict == classify::Verdict::MemoryBound)
            .then(|| run.report.as_ref().map(|r| &r.top_sites[..]))
            .flatten()
            .unwrap_or(&[]),
        &cls,
    );
    let module_traits = sources.module_traits();
    // The tree reads the hot regions: a loop with the helpers it calls, where the work is.
    let evidence = recommend::Evidence {
        verdict,
        implementation: &inv.interpreter.implementation,
        version: &inv.interpreter.version,
        profile: profile.as_ref(),
        hot: built
            .as_ref()
            .map(|b| {
                b.regions
                    .iter()
                    .filter_map(|r| {
                        Some((
                            r.region.functions[0].as_str(),
                            r.region.inclusive_share,
                            r.traits.as_ref()?,
                            &module_traits[r.module],
                            &r.lines[..],
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default(),
    };
    let (recommendations, ruled_out) =
        recommend::rule_out_slower(recommend::recommend(&evidence, figures));
    Ok(Advice {
        schema: SCHEMA,
        // 2: `traced_peak_bytes` and `allocation_sites_at` gave way to `peak_live_blocks` and `allocation_sampling`;
        // `findings` and `hotspots[].region` added.
        version: 2,
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
        peak_live_blocks: run.report.as_ref().and_then(|r| r.peak_blocks),
        allocation_sampling: run
            .report
            .as_ref()
            .filter(|r| r.sampled_windows > 0)
            .map(|r| {
                format!(
                    "tracemalloc on in {} windows, {:.0} ms of the {:.0} ms of CPU time",
                    r.sampled_windows,
                    r.sampled_cpu_ns as f64 / 1e6,
                    run.cpu_ns as f64 / 1e6
                )
            }),
        top_allocation_sites: run.report.map(|r| r.top_sites).unwrap_or_default(),
        profile,
        profiler_error,
        hotspots: hot,
        findings,
        modules: module_traits,
        recommendations,
        ruled_out,
    })
}

/// The flame graph of the advice's on-CPU samples, as a self-contained SVG.
pub fn flame_svg(a: &Advice) -> String {
    let title = format!(
        "ladder advise: {} ({} {}), {} on-CPU samples",
        a.command.join(" "),
        a.python.implementation,
        a.python.version,
        a.profile.as_ref().map_or(0, |p| p.active_samples)
    );
    flame::render(&title, a.profile.as_ref().map_or(&[][..], |p| &p.flame[..]))
}

/// A speedup interval for the terminal: "26-37x", "1.0-1.4x".
fn speedup_range(r: [f64; 2]) -> String {
    let f = |x: f64| {
        if x >= 10.0 {
            format!("{x:.0}")
        } else {
            format!("{x:.1}")
        }
    };
    if f(r[0]) == f(r[1]) {
        format!("{}x", f(r[0]))
    } else {
        format!("{}-{}x", f(r[0]), f(r[1]))
    }
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
    if let Some(b) = a.peak_live_blocks {
        s.push_str(&format!(", {b} small objects alive at peak"));
    }
    s.push('\n');
    s.push_str(&format!("  verdict: {}\n", a.verdict.as_str()));
    for w in &a.verdict_why {
        s.push_str(&format!("    - {w}\n"));
    }
    match (&a.profile, &a.profiler_error) {
        (Some(p), stopped) => {
            if let Some(why) = stopped {
                s.push_str(&format!("  {why}\n"));
            }
            s.push_str(&format!(
                "  sampled at {} Hz (py-spy): {} on-CPU and {} idle samples; native code without the GIL {:.0}%, \
                 library code called from the program {:.0}%\n",
                p.rate_hz,
                p.active_samples,
                p.idle_samples,
                p.native_share * 100.0,
                p.library_share * 100.0
            ));
            for t in &p.threads {
                s.push_str(&format!(
                    "    thread {}: on a CPU in {:.0}% of {} samples\n",
                    t.name
                        .clone()
                        .unwrap_or_else(|| format!("{:#x}", t.thread_id)),
                    t.on_cpu_share * 100.0,
                    t.samples
                ));
            }
        }
        (None, Some(e)) => s.push_str(&format!("  no sampling profile: {e}\n")),
        (None, None) => {}
    }
    if !a.hotspots.is_empty() {
        s.push_str(
            "  hot functions (share of on-CPU samples, charged to the program's own code):\n",
        );
        for h in a.hotspots.iter().take(5) {
            let lib = if h.library_share >= 0.01 {
                format!(", {:.0}% in library code it calls", h.library_share * 100.0)
            } else {
                String::new()
            };
            s.push_str(&format!(
                "    {:>4.0}%  {} ({}:{}){lib}\n",
                h.share * 100.0,
                h.function,
                h.file,
                h.line
            ));
            let lines: Vec<String> = h
                .lines
                .iter()
                .take(3)
                .map(|l| format!("line {} {:.0}%", l.line, l.share * 100.0))
                .collect();
            s.push_str(&format!("           hottest lines: {}\n", lines.join(", ")));
            if !h.traits.is_empty() {
                s.push_str(&format!("           traits: {}\n", h.traits.join("; ")));
            }
            if let Some(r) = h
                .region
                .as_ref()
                .filter(|r| r.functions.len() > 1 || r.functions[0] != h.function)
            {
                s.push_str(&format!(
                    "           in the loop at {}:{}-{} ({:.0}% with what it calls: {})\n",
                    r.file,
                    r.first_line,
                    r.last_line,
                    r.inclusive_share * 100.0,
                    r.functions.join(" -> ")
                ));
            }
        }
    }
    let hot_findings: Vec<&findings::Finding> = a
        .findings
        .iter()
        .filter(|f| f.kind == findings::Kind::Memory || f.share >= findings::HOT_SHARE)
        .collect();
    if !hot_findings.is_empty() {
        s.push_str("  fix first (the algorithm and data structures, before any runtime):\n");
        for (i, f) in hot_findings.iter().enumerate() {
            let share = match f.kind {
                findings::Kind::Algorithm => format!("{:.0}% of on-CPU samples", f.share * 100.0),
                findings::Kind::Memory => format!("{:.0}% of sampled bytes", f.share * 100.0),
            };
            s.push_str(&format!(
                "    {}. {}:{} {} ({share})\n       why: {}\n       fix: {}\n",
                i + 1,
                f.file,
                f.line,
                f.pattern,
                f.why,
                f.fix
            ));
        }
    }
    if a.hotspots.is_empty() && a.profile.as_ref().is_some_and(|p| p.active_samples > 0) {
        s.push_str(
            "  no hot function of the program's own: every on-CPU sample was in the standard library or installed \
             packages (see the flame graph, --flame)\n",
        );
    }
    if a.recommendations.is_empty() && a.verdict == classify::Verdict::CpuBound {
        s.push_str(if a.hotspots.is_empty() {
            "  no recommendations: the decision tree needs hot functions of the program's own code, and there are none\n"
        } else {
            "  no recommendations: the hot functions' source could not be read, and the tree branches on it\n"
        });
    }
    if !a.recommendations.is_empty() {
        s.push_str(if hot_findings.is_empty() {
            "  recommendations (the study's decision tree, in its order):\n"
        } else {
            "  then the runtime (the study's decision tree, in its order):\n"
        });
        for r in &a.recommendations {
            s.push_str(&format!(
                "    {}. {} [{}]: {}\n",
                r.rank,
                r.title,
                r.rung,
                r.expected_speedup
                    .map(speedup_range)
                    .unwrap_or_else(|| "no figure".into())
            ));
            s.push_str(&format!("       why: {}\n", r.why));
            s.push_str(&format!("       expected from: {}\n", r.source));
            if !r.effort.is_empty() {
                s.push_str(&format!("       effort: {}\n", r.effort));
            }
            for l in &r.landmines {
                s.push_str(&format!("       landmine: {l}\n"));
            }
        }
    }
    for r in &a.ruled_out {
        s.push_str(&format!(
            "    ruled out: {} [{}], {} expected ({}): slower than now\n",
            r.title,
            r.rung,
            r.expected_speedup.map(speedup_range).unwrap_or_default(),
            r.source
        ));
    }
    let cold = a.findings.len() - hot_findings.len();
    if cold > 0 {
        s.push_str(&format!(
            "  {cold} more finding(s) on lines with little or no time (see --json `findings`)\n"
        ));
    }
    if !a.top_allocation_sites.is_empty() {
        s.push_str(&format!(
            "  top allocation sites (sampled: {}):\n",
            a.allocation_sampling.as_deref().unwrap_or("")
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
