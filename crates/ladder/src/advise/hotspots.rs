//! From raw stacks to the findings: hot functions and lines of the *program's own code* with their share of the
//! samples, per-thread on-CPU share, and native (GIL released) versus Python time.
//!
//! A sample is charged to the innermost frame that is the program's own code (not the standard library, not
//! site-packages, not ladder's bootstrap): that is where a change can be made. The part of a function's samples
//! spent below it in library code (json's decoder, re, a package) is kept as `library_share`, so "json.loads is
//! the hot path" shows up as a user function whose time is mostly in the library.
//!
//! Samples taken while the bootstrap was itself working (its allocation sampling, writing the report) are ladder's overhead and left
//! out of every share.

use super::sampler::{Frame, Samples, StackKey, ThreadTally};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

#[derive(Debug, Clone, Serialize)]
pub struct HotLine {
    pub line: u32,
    pub share: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Hotspot {
    pub function: String,
    pub file: String,
    /// The hottest line of the function.
    pub line: u32,
    /// Share of the program's on-CPU samples charged to this function (innermost own-code frame).
    pub share: f64,
    /// Share of samples where the function was anywhere on the stack.
    pub inclusive_share: f64,
    /// Of `share`, the part spent in library code it called.
    pub library_share: f64,
    pub lines: Vec<HotLine>,
    /// Filled by [`super::traits`].
    pub traits: Vec<String>,
    /// The loop region most of this function's samples were charged to, through the call stack (filled by
    /// [`super::regions`]).
    pub region: Option<super::regions::Region>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_traits: Option<super::traits::FunctionTraits>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ThreadShare {
    pub thread_id: u64,
    pub name: Option<String>,
    pub samples: u64,
    /// Share of this thread's samples on a CPU (the rest: blocked on I/O, sleeping, waiting on a lock).
    pub on_cpu_share: f64,
    pub native_share: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Profile {
    pub rate_hz: u64,
    pub rounds: u64,
    pub failed_reads: u64,
    pub python_version: Option<String>,
    /// On-CPU samples of all threads, bootstrap overhead excluded: the denominator of every share.
    pub active_samples: u64,
    pub idle_samples: u64,
    /// Share of on-CPU samples in native code without the GIL (see the sampler's notes).
    pub native_share: f64,
    /// Share of on-CPU samples whose innermost own-code frame called into library code.
    pub library_share: f64,
    pub threads: Vec<ThreadShare>,
    pub hotspots: Vec<Hotspot>,
    /// Stacks for the flame graph: own and library frames, outermost first, on-CPU samples only.
    #[serde(skip)]
    pub flame: Vec<(Vec<Frame>, u64)>,
}

/// Where a frame's code lives.
pub struct Classifier<'a> {
    pub library_paths: &'a [String],
    pub bootstrap: &'a Path,
    /// The program is `-c CODE`: its frames are in `<string>` (otherwise `<string>` is code some library
    /// exec'd, such as site's `.pth` lines at start-up).
    pub code_target: bool,
}

impl Classifier<'_> {
    pub fn is_bootstrap(&self, f: &Frame) -> bool {
        Path::new(&f.file) == self.bootstrap
            || Path::new(&f.file).file_name() == self.bootstrap.file_name()
    }

    /// Standard library, installed packages, frozen modules and the interpreter's own entry points.
    pub fn is_library(&self, f: &Frame) -> bool {
        // `<frozen importlib._bootstrap>` is the interpreter's; `<string>` (-c CODE) and `<stdin>` are the program.
        (f.file.starts_with('<')
            && !(self.code_target && f.file == "<string>" || f.file == "<stdin>"))
            || f.file.contains("/site-packages/")
            || f.file.contains("/dist-packages/")
            || f.file.contains("/lib_pypy/")
            || self
                .library_paths
                .iter()
                .any(|p| !p.is_empty() && f.file.starts_with(p.as_str()))
    }
}

/// How many hot functions and lines per function are kept.
const TOP_FUNCTIONS: usize = 10;
const TOP_LINES: usize = 5;

/// A function's own samples, those of them spent in library code it called, and its samples per line.
type Own = (u64, u64, BTreeMap<u32, u64>);

pub fn build(samples: &Samples, cls: &Classifier) -> Profile {
    let mut active = 0u64;
    let mut idle = 0u64;
    let mut native = 0u64;
    let mut library = 0u64;
    // (function, file) -> (self samples, library samples, per-line samples)
    let mut own: HashMap<(String, String), Own> = HashMap::new();
    let mut inclusive: HashMap<(String, String), u64> = HashMap::new();
    let mut flame: HashMap<Vec<Frame>, u64> = HashMap::new();
    for (key, &n) in &samples.stacks {
        let StackKey {
            frames,
            active: on_cpu,
            owns_gil,
            ..
        } = key;
        // The bootstrap and runpy frames at the root are how the program was started, not the program.
        let start = frames
            .iter()
            .position(|f| !(cls.is_bootstrap(f) || cls.is_library(f)))
            .unwrap_or(frames.len());
        let body = &frames[start..];
        // The bootstrap working (its SIGPROF handler sampling allocation sites, writing the report) is ladder's time.
        let overhead = body.iter().any(|f| cls.is_bootstrap(f))
            || frames.iter().any(|f| {
                cls.is_bootstrap(f)
                    && matches!(f.function.as_str(), "_write_report" | "_on_gc" | "_on_tick")
            });
        if overhead {
            continue;
        }
        if !on_cpu {
            idle += n;
            continue;
        }
        active += n;
        if !owns_gil {
            native += n;
        }
        if body.is_empty() {
            continue;
        }
        *flame.entry(body.to_vec()).or_insert(0) += n;
        let mut seen = std::collections::HashSet::new();
        for f in body.iter().filter(|f| !cls.is_library(f)) {
            let name = enclosing_function(&f.function);
            if seen.insert((name, &f.file)) {
                *inclusive
                    .entry((name.to_string(), f.file.clone()))
                    .or_insert(0) += n;
            }
        }
        let Some(inner) = body.iter().rposition(|f| !cls.is_library(f)) else {
            continue;
        };
        let f = &body[inner];
        let entry = own
            .entry((enclosing_function(&f.function).to_string(), f.file.clone()))
            .or_insert_with(|| (0, 0, BTreeMap::new()));
        entry.0 += n;
        *entry.2.entry(f.line).or_insert(0) += n;
        if inner + 1 < body.len() {
            entry.1 += n;
            library += n;
        }
    }
    let denom = active.max(1) as f64;
    let mut hotspots: Vec<Hotspot> = own
        .into_iter()
        .map(|((function, file), (s, lib, lines))| {
            let mut lines: Vec<(u32, u64)> = lines.into_iter().collect();
            lines.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            Hotspot {
                inclusive_share: inclusive
                    .get(&(function.clone(), file.clone()))
                    .copied()
                    .unwrap_or(s) as f64
                    / denom,
                line: lines.first().map_or(0, |l| l.0),
                lines: lines
                    .iter()
                    .take(TOP_LINES)
                    .map(|&(line, n)| HotLine {
                        line,
                        share: n as f64 / denom,
                    })
                    .collect(),
                share: s as f64 / denom,
                library_share: lib as f64 / denom,
                function,
                file,
                traits: Vec::new(),
                region: None,
                source_traits: None,
            }
        })
        .collect();
    hotspots.sort_by(|a, b| {
        b.share
            .total_cmp(&a.share)
            .then_with(|| a.function.cmp(&b.function))
    });
    hotspots.truncate(TOP_FUNCTIONS);
    let mut flame: Vec<(Vec<Frame>, u64)> = flame.into_iter().collect();
    flame.sort();
    Profile {
        rate_hz: samples.rate_hz,
        rounds: samples.rounds,
        failed_reads: samples.errors,
        python_version: samples.python_version.clone(),
        active_samples: active,
        idle_samples: idle,
        native_share: native as f64 / denom,
        library_share: library as f64 / denom,
        threads: samples
            .threads
            .iter()
            .map(|(&id, t)| thread_share(id, t))
            .collect(),
        hotspots,
        flame,
    }
}

/// The function a frame's code belongs to in the source: a comprehension or generator expression runs as its own
/// code object before Python 3.12 (`f.<locals>.<listcomp>`, inlined into `f` since PEP 709), and is charged to `f`.
pub fn enclosing_function(name: &str) -> &str {
    let mut name = name;
    while let Some((outer, inner)) = name.rsplit_once(".<locals>.") {
        if matches!(
            inner,
            "<listcomp>" | "<dictcomp>" | "<setcomp>" | "<genexpr>"
        ) {
            name = outer;
        } else {
            break;
        }
    }
    match name {
        "<listcomp>" | "<dictcomp>" | "<setcomp>" | "<genexpr>" => "<module>",
        n => n,
    }
}

impl Profile {
    /// The main thread's on-CPU share of its samples (the thread named MainThread, else the most sampled one).
    pub fn main_on_cpu_share(&self) -> Option<f64> {
        self.threads
            .iter()
            .find(|t| t.name.as_deref() == Some("MainThread"))
            .or_else(|| self.threads.iter().max_by_key(|t| t.samples))
            .filter(|t| t.samples > 0)
            .map(|t| t.on_cpu_share)
    }
}

fn thread_share(id: u64, t: &ThreadTally) -> ThreadShare {
    let n = t.samples.max(1) as f64;
    ThreadShare {
        thread_id: id,
        name: t.name.clone(),
        samples: t.samples,
        on_cpu_share: t.active as f64 / n,
        native_share: t.active_without_gil as f64 / t.active.max(1) as f64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::advise::sampler::StackKey;

    fn fr(function: &str, file: &str, line: u32) -> Frame {
        Frame {
            function: function.into(),
            file: file.into(),
            line,
        }
    }

    #[test]
    fn comprehensions_belong_to_their_function() {
        assert_eq!(enclosing_function("energy.<locals>.<listcomp>"), "energy");
        assert_eq!(
            enclosing_function("A.f.<locals>.g.<locals>.<genexpr>"),
            "A.f.<locals>.g"
        );
        assert_eq!(enclosing_function("<listcomp>"), "<module>");
        assert_eq!(
            enclosing_function("f.<locals>.<lambda>"),
            "f.<locals>.<lambda>"
        );
    }

    #[test]
    fn charges_the_innermost_own_frame_and_skips_the_bootstrap() {
        let boot = Path::new("/tmp/x/ladder_bootstrap.py");
        let libs = vec!["/usr/lib/python3.11".to_string()];
        let cls = Classifier {
            library_paths: &libs,
            bootstrap: boot,
            code_target: false,
        };
        let root = vec![
            fr("<module>", "/tmp/x/ladder_bootstrap.py", 130),
            fr("run_path", "/usr/lib/python3.11/runpy.py", 289),
            fr("<module>", "/home/u/app.py", 20),
            fr("main", "/home/u/app.py", 12),
        ];
        let mut samples = Samples {
            rate_hz: 100,
            rounds: 10,
            ..Samples::default()
        };
        let mut push = |extra: Vec<Frame>, active: bool, n: u64| {
            let mut frames = root.clone();
            frames.extend(extra);
            samples.stacks.insert(
                StackKey {
                    frames,
                    thread: 1,
                    active,
                    owns_gil: true,
                },
                n,
            );
        };
        push(
            vec![fr("decode", "/usr/lib/python3.11/json/decoder.py", 337)],
            true,
            6,
        );
        push(vec![], true, 2);
        push(vec![fr("sleep_a_bit", "/home/u/app.py", 3)], false, 5);
        push(
            vec![fr("_on_gc", "/tmp/x/ladder_bootstrap.py", 40)],
            true,
            7,
        );
        let p = build(&samples, &cls);
        assert_eq!(
            p.active_samples, 8,
            "the bootstrap's own samples are left out"
        );
        assert_eq!(p.idle_samples, 5);
        let main = &p.hotspots[0];
        assert_eq!(main.function, "main");
        assert!((main.share - 1.0).abs() < 1e-9);
        assert!((main.library_share - 0.75).abs() < 1e-9);
        assert_eq!(main.line, 12);
    }
}
