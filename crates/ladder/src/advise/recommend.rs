//! The study's decision tree (seeds/000, "Decision Tree: Which Path to Choose"), walked with what was measured
//! and what the hot code looks like:
//!
//! ```text
//! I/O-bound      -> stop: optimise the I/O
//! memory-bound   -> change the data structures, not the runtime
//! CPU-bound      -> on CPython 3.10 or older: upgrade (cpython)
//!                -> vectorizable math: NumPy            -> numeric loops: Numba
//!                -> JSON / dicts on the hot path: stop creating dicts (msgspec, orjson)
//!                -> already annotated: mypyc            -> pure Python, no C extensions: PyPy
//!                -> compiled extension for the hot loop: Cython (with its landmines), Rust via PyO3
//! ```
//!
//! Recommendations come out in the tree's order (that is the ranking: the study orders by effort for the
//! reward), each with its evidence, the expected speedup for the closest benchmark (this machine's latest
//! `ladder run` results when they have the cell, else the study's published figure), the effort (the catalog's
//! "what it costs you") and the landmines the evidence points at.

use super::classify::Verdict;
use super::hotspots::{HotLine, Profile};
use super::traits::{FunctionTraits, ModuleTraits};
use crate::catalog::Catalog;
use crate::results::{Results, Status};
use serde::Serialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Serialize)]
pub struct Recommendation {
    pub rank: u32,
    /// A rung id from catalog/rungs.toml.
    pub rung: String,
    pub title: String,
    pub why: String,
    /// [lo, hi] times faster; None when neither this machine nor the study measured the rung on that benchmark.
    pub expected_speedup: Option<[f64; 2]>,
    /// Where `expected_speedup` comes from: "this machine: <results file> ..." or "study: ...".
    pub source: String,
    /// The benchmarks the program was matched to.
    pub benchmarks: Vec<String>,
    pub effort: String,
    pub landmines: Vec<String>,
}

/// A hot function: name, share of on-CPU samples, its traits, its module's traits, its hottest lines.
pub type Hot<'a> = (
    &'a str,
    f64,
    &'a FunctionTraits,
    &'a ModuleTraits,
    &'a [HotLine],
);

/// The share of the on-CPU samples on lines inside the function's element-wise loops.
fn in_elementwise(h: &Hot) -> f64 {
    h.4.iter()
        .filter(|l| {
            h.2.elementwise
                .iter()
                .any(|r| (r[0]..=r[1]).contains(&l.line))
        })
        .map(|l| l.share)
        .sum()
}

/// What the tree looks at: the verdict, the interpreter, the profile and the traits of the hot functions.
pub struct Evidence<'a> {
    pub verdict: Verdict,
    pub implementation: &'a str,
    /// "3.11.7"
    pub version: &'a str,
    pub profile: Option<&'a Profile>,
    /// The hot functions' traits with their share, hottest first.
    pub hot: Vec<Hot<'a>>,
}

/// The figures behind the expected speedups.
pub struct Figures<'a> {
    pub catalog: &'a Catalog,
    /// This machine's results documents, newest first.
    pub results: Vec<(PathBuf, Results)>,
}

impl<'a> Figures<'a> {
    /// Reads every results document under `dir` (newest first by name, which starts with the run's time);
    /// unreadable ones are skipped: they are not this command's input to validate.
    pub fn load(catalog: &'a Catalog, dir: &Path) -> Figures<'a> {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .map(|rd| {
                rd.filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "json"))
                    .collect()
            })
            .unwrap_or_default();
        paths.sort();
        paths.reverse();
        let results = paths
            .into_iter()
            .filter_map(|p| Results::read(&p).ok().map(|r| (p, r)))
            .collect();
        Figures { catalog, results }
    }

    /// Expected speedup of `rung` on `benches`: the newest results document with a verified cell for it, else the
    /// study's figures. `from_minor` (e.g. "3.10") asks for the upgrade's speedup from that CPython instead.
    pub fn expected(
        &self,
        rung: &str,
        benches: &[&str],
        from_minor: Option<&str>,
    ) -> (Option<[f64; 2]>, String) {
        for (path, doc) in &self.results {
            let mut lo = f64::INFINITY;
            let mut hi = 0f64;
            let mut seen: Vec<String> = Vec::new();
            for b in benches {
                // Prefer the study's size; fall back to whatever size the document measured.
                let cells: Vec<_> = doc
                    .cells
                    .iter()
                    .filter(|c| c.benchmark == *b && c.status == Status::Ok && c.verified)
                    .collect();
                let pick = |want_rung: &str, runtime_minor: Option<&str>| {
                    cells
                        .iter()
                        // The study tier: what the rung gives at the effort a first port takes.
                        .filter(|c| c.rung == want_rung && c.tier == crate::catalog::Tier::Study)
                        .filter(|c| {
                            runtime_minor.is_none_or(|m| c.runtime == format!("cpython-{m}"))
                        })
                        .max_by_key(|c| c.size)
                        .copied()
                };
                let cell = match from_minor {
                    Some(m) => pick("cpython", Some(m)),
                    None => pick(rung, None),
                };
                let interval = match from_minor {
                    // Upgrading from `m` to the newest CPython (the document's baseline): 1 / speedup(m).
                    Some(_) => cell
                        .and_then(|c| c.speedup_ci95)
                        .map(|[l, h]| [1.0 / h, 1.0 / l]),
                    None => cell.and_then(|c| c.speedup_ci95),
                };
                if let (Some([l, h]), Some(c)) = (interval, cell) {
                    lo = lo.min(l);
                    hi = hi.max(h);
                    seen.push(format!("{b} {} size", c.size.as_str()));
                }
            }
            if !seen.is_empty() {
                let name = path.file_name().map_or_else(
                    || path.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                );
                return (
                    Some([lo, hi]),
                    format!(
                        "this machine: {name} ({}; 95% intervals against {})",
                        seen.join(", "),
                        doc.baseline.as_deref().unwrap_or("the baseline")
                    ),
                );
            }
        }
        let mut lo = f64::INFINITY;
        let mut hi = 0f64;
        let mut seen = Vec::new();
        for b in benches {
            let Some(study) = self
                .catalog
                .benchmarks
                .iter()
                .find(|x| x.id == *b)
                .and_then(|x| x.study.as_ref())
            else {
                continue;
            };
            let s = match from_minor {
                Some(m) => study
                    .ms
                    .get(&format!("cpython@{m}"))
                    .and_then(|&ms| Some(ms / study.baseline_ms()?)),
                None => study.figure(rung, None).map(|(_, s)| s),
            };
            if let Some(s) = s {
                lo = lo.min(s);
                hi = hi.max(s);
                seen.push(*b);
            }
        }
        if !seen.is_empty() {
            return (
                Some([lo, hi]),
                format!(
                    "study (Apple M4 Pro, against CPython 3.14): {}; no results for it on this machine yet \
                     (`ladder run --bench {} --rung {rung}`)",
                    seen.join(", "),
                    seen.join(","),
                ),
            );
        }
        match STUDY_RANGES.iter().find(|r| r.0 == rung) {
            Some(&(_, lo, hi, what)) => (
                Some([lo, hi]),
                format!("study's decision framework: {what}"),
            ),
            None => (
                None,
                "neither this machine's results nor the study have a figure for it".to_string(),
            ),
        }
    }
}

/// The study's published ranges (seeds/000, "Quick Recommendations by Scenario"), for rungs no benchmark table has.
const STUDY_RANGES: &[(&str, f64, f64, &str)] = &[
    (
        "msgspec",
        5.0,
        6.3,
        "\"JSON/data pipeline: avoid creating dicts, 5-6x\"",
    ),
    (
        "orjson",
        5.0,
        6.3,
        "\"JSON/data pipeline: avoid creating dicts, 5-6x\"",
    ),
    (
        "cpython",
        1.0,
        1.4,
        "\"Any Python code on 3.10: upgrade to 3.11+, 1.4x free\"",
    ),
];

/// NumPy is recommended when at least this share of the on-CPU samples is on lines of element-wise loops.
const VECTOR_SHARE: f64 = 0.2;

fn numeric(t: &FunctionTraits) -> bool {
    t.is_numeric()
}

pub fn recommend(ev: &Evidence, fig: &Figures) -> Vec<Recommendation> {
    let mut out: Vec<Recommendation> = Vec::new();
    let rung_effort = |id: &str| {
        fig.catalog
            .rungs
            .iter()
            .find(|r| r.id == id)
            .map(|r| (r.title.clone(), r.costs.clone()))
            .unwrap_or_else(|| (id.to_string(), String::new()))
    };
    let mut push =
        |rung: &str, why: String, benches: &[&str], from: Option<&str>, landmines: Vec<String>| {
            let (title, effort) = rung_effort(rung);
            let (expected_speedup, source) = fig.expected(rung, benches, from);
            out.push(Recommendation {
                rank: 0,
                rung: rung.to_string(),
                title,
                why,
                expected_speedup,
                source,
                benchmarks: benches.iter().map(|b| b.to_string()).collect(),
                effort,
                landmines,
            });
        };
    if ev.verdict != Verdict::CpuBound || ev.hot.is_empty() {
        // The tree stops before any rung (the verdict's own advice is the recommendation), or there is no
        // evidence to walk it with (no profile: the interpreter is not CPython, or py-spy could not attach).
        return Vec::new();
    }
    let hot: Vec<_> = ev.hot.iter().filter(|h| h.1 >= 0.05).collect();
    let share_of = |pred: &dyn Fn(&FunctionTraits) -> bool| -> f64 {
        hot.iter().filter(|h| pred(h.2)).map(|h| h.1).sum()
    };
    // Several hot loops of one function are named once, with their shares summed.
    let names = |pred: &dyn Fn(&FunctionTraits) -> bool| -> String {
        let mut by_name: Vec<(&str, f64)> = Vec::new();
        for h in hot.iter().filter(|h| pred(h.2)) {
            match by_name.iter_mut().find(|(n, _)| *n == h.0) {
                Some(e) => e.1 += h.1,
                None => by_name.push((h.0, h.1)),
            }
        }
        by_name
            .iter()
            .map(|(n, s)| format!("{n} ({:.0}%)", s * 100.0))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let c_exts: Vec<String> = {
        let mut v: Vec<String> = hot.iter().flat_map(|h| h.3.c_extensions.clone()).collect();
        v.sort();
        v.dedup();
        v
    };
    let pow_lines: Vec<String> = hot
        .iter()
        .flat_map(|h| {
            h.2.pow_float_exponent
                .iter()
                .map(move |l| format!("{}:{l}", short(&h.3.file)))
        })
        .collect();
    let numeric_share = share_of(&numeric);
    // Only element-wise loops where the time is: the hot lines inside them.
    let vector_share: f64 = hot.iter().map(|h| in_elementwise(h)).sum();
    let json_share = share_of(&|t| !t.json_calls.is_empty());
    let dict_share = share_of(&|t| t.dicts_in_loops + t.objects_in_loops > 0 && !numeric(t));
    let typed: Vec<_> = hot.iter().filter(|h| h.2.fully_annotated()).collect();
    let typed_share: f64 = typed.iter().map(|h| h.1).sum();
    let lib_share = ev.profile.map_or(0.0, |p| p.library_share);

    // 1. Still on CPython 3.10 or older?
    let minor = ev.version.split('.').take(2).collect::<Vec<_>>().join(".");
    let minor_num: u32 = ev
        .version
        .split('.')
        .nth(1)
        .and_then(|m| m.parse().ok())
        .unwrap_or(99);
    if ev.implementation == "cpython" && minor_num <= 10 {
        push(
            "cpython",
            format!(
                "the program runs on CPython {minor}; 3.11 brought the Faster CPython work (the study: \"free 1.4x\")"
            ),
            &["nbody", "spectral-norm"],
            Some(&minor),
            vec![],
        );
    }
    // 2. Vectorizable math -> NumPy.
    if vector_share >= VECTOR_SHARE {
        let lines: Vec<String> = hot
            .iter()
            .filter(|h| in_elementwise(h) > 0.0)
            .flat_map(|h| {
                h.2.elementwise
                    .iter()
                    .map(move |l| format!("{}:{}", short(&h.3.file), l[0]))
            })
            .collect();
        push(
            "numpy",
            format!(
                "{:.0}% of the on-CPU samples are in element-wise arithmetic over lists (loops and comprehensions \
                 at {}): each is one NumPy array operation, with Python only orchestrating",
                vector_share * 100.0,
                lines.join(", ")
            ),
            &["spectral-norm"],
            None,
            vec![
                "conditionals per element and irregular access do not vectorise".into(),
                "whole arrays in memory: O(N^2) for pairwise work".into(),
            ],
        );
    }
    // 3. Numeric loops -> Numba.
    if numeric_share > 0.0 {
        push(
            "numba",
            format!(
                "numeric loops are {:.0}% of the on-CPU samples ({}): @njit compiles them to machine code",
                numeric_share * 100.0,
                names(&numeric)
            ),
            &["nbody", "spectral-norm"],
            None,
            vec![
                "lists of floats must become NumPy arrays; dicts, strings and objects are not supported in @njit".into(),
                "the first call pays the JIT compile (cache=True keeps it)".into(),
            ],
        );
    }
    // 4. JSON and dicts on the hot path: stop creating dicts.
    if json_share > 0.0 || (dict_share > 0.0 && lib_share > 0.2) {
        push(
            "msgspec",
            format!(
                "json.loads/dumps on the hot path ({}){}: the study's pipeline lesson is that building Python dicts \
                 is the cost, so decode straight into typed structs",
                names(&|t| !t.json_calls.is_empty()),
                if lib_share > 0.0 {
                    format!(
                        ", {:.0}% of on-CPU samples inside library code it calls",
                        lib_share * 100.0
                    )
                } else {
                    String::new()
                }
            ),
            &["json-pipeline"],
            None,
            vec!["a schema (Struct) per message type; unknown fields need a policy".into()],
        );
        push(
            "orjson",
            "a drop-in faster json.loads/dumps: the dicts are still built, so expect less than from msgspec".into(),
            &["json-pipeline"],
            None,
            vec!["dumps returns bytes, not str".into()],
        );
    }
    // 5. Already annotated -> mypyc.
    if typed_share > 0.0 {
        let benches: &[&str] = if numeric_share >= dict_share {
            &["nbody", "spectral-norm"]
        } else {
            &["json-pipeline-dicts"]
        };
        let mut landmines = Vec::new();
        let dynamic: Vec<String> = hot.iter().flat_map(|h| h.2.dynamic.clone()).collect();
        if !dynamic.is_empty() {
            landmines.push(format!(
                "dynamic code stays on slow generic paths: {}",
                dynamic.join(", ")
            ));
        }
        landmines.push("compiled modules are CPython-version specific wheels".into());
        push(
            "mypyc",
            format!(
                "the hot functions are fully annotated ({}): mypyc compiles them as they are",
                {
                    let mut v: Vec<&str> = typed.iter().map(|h| h.0).collect();
                    v.dedup();
                    v.join(", ")
                }
            ),
            benches,
            None,
            landmines,
        );
    }
    // 6. Pure Python, no C extensions -> PyPy.
    {
        let benches: &[&str] = if numeric_share >= json_share.max(dict_share) {
            &["nbody", "spectral-norm"]
        } else {
            &["json-pipeline", "json-pipeline-dicts"]
        };
        let mut landmines =
            vec!["PyPy implements Python 3.9 (Debian's pypy3 3.9): newer syntax fails".to_string()];
        if !c_exts.is_empty() {
            landmines.insert(
                0,
                format!(
                    "imports C extensions ({}): under PyPy they go through cpyext, slower or unavailable",
                    c_exts.join(", ")
                ),
            );
        }
        if ev.implementation != "pypy" && (c_exts.is_empty() || numeric_share > 0.5) {
            push(
                "pypy",
                if c_exts.is_empty() {
                    "pure Python with no C extensions on the hot path: PyPy's JIT runs it unchanged"
                        .into()
                } else {
                    "mostly pure-Python loops, but see the landmines".into()
                },
                benches,
                None,
                landmines,
            );
        }
    }
    // 7. Compile the hot loop: Cython, then Rust.
    if numeric_share > 0.0 || dict_share > 0.0 || json_share > 0.0 {
        let benches: &[&str] = if numeric_share >= json_share.max(dict_share) {
            &["nbody", "spectral-norm"]
        } else {
            &["json-pipeline-dicts"]
        };
        let mut landmines = Vec::new();
        if !pow_lines.is_empty() {
            landmines.push(format!(
                "`**` with a float exponent at {}: in Cython this is a slow pow() dispatch (the study: x ** 0.5 is \
                 40x slower than sqrt(x)); use sqrt and multiplies",
                pow_lines.join(", ")
            ));
        }
        let divisions: u32 = hot.iter().map(|h| h.2.divisions_in_loops).sum();
        if divisions > 0 {
            landmines.push(format!(
                "{divisions} division(s) in hot loops: without @cython.cdivision(True) each one gets a zero check"
            ));
        }
        landmines.push(
            "no warning when a line falls back to Python objects: read `cython -a`'s report".into(),
        );
        push(
            "cython",
            if numeric_share >= json_share.max(dict_share) {
                "typed Cython for the hot loop: the study's 99-124x on numeric code, once its landmines are cleared"
                    .into()
            } else {
                "Cython with C-API dict access: the study got 1.6-4.1x on its dict pipeline (\"the bottleneck is \
                 Python dict access\")"
                    .into()
            },
            benches,
            None,
            landmines,
        );
        push(
            "rust",
            "own the hot path in Rust via PyO3 (and, for data pipelines, parse the bytes in Rust so no dicts are built)"
                .into(),
            benches,
            None,
            vec!["a second language and toolchain (maturin)".into()],
        );
    }
    for (i, r) in out.iter_mut().enumerate() {
        r.rank = i as u32 + 1;
    }
    out
}

/// Splits off the recommendations whose whole expected interval is below 1x (slower than what the program runs
/// on now, on the closest benchmark): the tree's branch matched, the measurements say no. They are reported as
/// ruled out, with the figure, not silently dropped.
pub fn rule_out_slower(recs: Vec<Recommendation>) -> (Vec<Recommendation>, Vec<Recommendation>) {
    let (mut keep, out): (Vec<_>, Vec<_>) = recs
        .into_iter()
        .partition(|r| r.expected_speedup.is_none_or(|[_, hi]| hi >= 1.0));
    for (i, r) in keep.iter_mut().enumerate() {
        r.rank = i as u32 + 1;
    }
    (keep, out)
}

/// A path shortened to its file name, for the evidence lines.
fn short(p: &str) -> String {
    Path::new(p)
        .file_name()
        .map_or_else(|| p.to_string(), |n| n.to_string_lossy().into_owned())
}
