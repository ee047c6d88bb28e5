//! Inclusive hot regions: each on-CPU sample charged to the innermost loop of the program's own code on its
//! stack, with the helpers that loop called. Real numeric code puts the arithmetic in a small function called
//! from the loops (the Benchmarks Game's programs are written that way): the sampler charges the time to the
//! helper, whose body has no loop, and the loop that makes it hot is one frame out. The region's traits are the
//! loop's function's with the helpers' read as loop bodies, and the decision tree walks those.
//!
//! A sample with no loop of the program's own on its stack is charged to its innermost own function as a whole.

use super::command::Target;
use super::hotspots::{Classifier, HotLine, Profile, enclosing_function};
use super::traits::{FunctionTraits, ModuleTraits, SourceModule};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// A hot region, as the JSON's `hotspots[].region` and the terminal show it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Region {
    pub file: String,
    pub first_line: u32,
    pub last_line: u32,
    /// The function the loop is in, then the helpers it called in the samples charged here, hottest first.
    pub functions: Vec<String>,
    /// Share of the on-CPU samples charged to the region, its helpers and the library code they call included.
    pub inclusive_share: f64,
}

/// A region with what the decision tree reads: the loop's function's traits with its helpers absorbed, the
/// module's, and the samples per line of the loop's function.
pub struct HotRegion {
    pub region: Region,
    pub traits: Option<FunctionTraits>,
    /// Index into [`Sources::modules`].
    pub module: usize,
    pub lines: Vec<HotLine>,
}

/// The program's source files, read once each; files are resolved against the program's folder.
pub struct Sources<'a> {
    work_dir: &'a Path,
    target: &'a Target,
    pub modules: Vec<SourceModule>,
    /// Each module's file as the profile names it (parallel to `modules`).
    pub names: Vec<String>,
}

impl<'a> Sources<'a> {
    pub fn new(work_dir: &'a Path, target: &'a Target) -> Self {
        Sources {
            work_dir,
            target,
            modules: Vec::new(),
            names: Vec::new(),
        }
    }

    /// The index of `file`'s module, reading it the first time.
    pub fn index(&mut self, file: &str) -> usize {
        let key = self.work_dir.join(file).display().to_string();
        if let Some(i) = self.modules.iter().position(|m| m.traits.file == key) {
            return i;
        }
        self.names.push(file.to_string());
        self.modules.push(match (self.target, file) {
            // `-c CODE`: the source is the command line itself.
            (Target::Code(code), "<string>") => SourceModule::parse(&key, code.clone()),
            _ => SourceModule::read(&self.work_dir.join(file)),
        });
        self.modules.len() - 1
    }

    pub fn module_traits(&self) -> Vec<ModuleTraits> {
        self.modules.iter().map(|m| m.traits.clone()).collect()
    }
}

/// A region's key: its file and the loop's first and last line.
type RegionKey = (String, u32, u32);
/// A function and its file.
type FunctionKey = (String, String);

#[derive(Default)]
struct Tally {
    samples: u64,
    lines: BTreeMap<u32, u64>,
    /// Helpers: (function, file, a line in it) -> samples.
    helpers: BTreeMap<FunctionKey, (u32, u64)>,
    function: String,
    module: usize,
}

/// What [`build`] found: the regions hottest first, which region each hot function's samples went to most, and
/// the on-CPU samples per (file, line) with every own frame's line counted once per sample (for the findings).
pub struct Built {
    pub regions: Vec<HotRegion>,
    /// (function, file) of a hotspot -> index into `regions`.
    pub by_hotspot: HashMap<(String, String), usize>,
    pub line_shares: HashMap<(String, u32), f64>,
}

pub fn build(profile: &Profile, cls: &Classifier, sources: &mut Sources) -> Built {
    let denom = profile.active_samples.max(1) as f64;
    let mut traits_cache: HashMap<(String, String, u32), Option<FunctionTraits>> = HashMap::new();
    let mut traits_of = |sources: &mut Sources, function: &str, file: &str, line: u32| {
        traits_cache
            .entry((function.to_string(), file.to_string(), line))
            .or_insert_with(|| {
                let i = sources.index(file);
                sources.modules[i].function(function, line)
            })
            .clone()
    };
    // (file, first line, last line) -> tally
    let mut tallies: BTreeMap<RegionKey, Tally> = BTreeMap::new();
    let mut hotspot_regions: HashMap<FunctionKey, BTreeMap<RegionKey, u64>> = HashMap::new();
    let mut line_counts: HashMap<(String, u32), u64> = HashMap::new();
    for (stack, n) in &profile.flame {
        let own: Vec<_> = stack.iter().filter(|f| !cls.is_library(f)).collect();
        let Some(innermost) = own.last() else {
            continue;
        };
        let mut seen = std::collections::HashSet::new();
        for f in &own {
            if seen.insert((f.file.as_str(), f.line)) {
                *line_counts.entry((f.file.clone(), f.line)).or_insert(0) += n;
            }
        }
        // The innermost own frame whose line is inside a loop of its function.
        let mut found = None;
        for (depth, f) in own.iter().enumerate().rev() {
            let name = enclosing_function(&f.function);
            if let Some(t) = traits_of(sources, name, &f.file, f.line)
                && let Some(ext) = t.loop_at(f.line)
            {
                found = Some((depth, ext));
                break;
            }
        }
        let (depth, [first, last]) = match found {
            Some(x) => x,
            None => {
                let name = enclosing_function(&innermost.function);
                let ext = traits_of(sources, name, &innermost.file, innermost.line)
                    .map_or([innermost.line, innermost.line], |t| {
                        [t.first_line, t.last_line]
                    });
                (own.len() - 1, ext)
            }
        };
        let at = own[depth];
        let key = (at.file.clone(), first, last);
        let module = sources.index(&at.file);
        let tally = tallies.entry(key.clone()).or_insert_with(|| Tally {
            function: enclosing_function(&at.function).to_string(),
            module,
            ..Tally::default()
        });
        tally.samples += n;
        *tally.lines.entry(at.line).or_insert(0) += n;
        let mut helpers_seen = std::collections::HashSet::new();
        for h in &own[depth + 1..] {
            let name = enclosing_function(&h.function).to_string();
            // A recursive call of the loop's own function is the loop's work, read already.
            if name == tally.function && h.file == at.file {
                continue;
            }
            if helpers_seen.insert((name.clone(), h.file.clone())) {
                tally
                    .helpers
                    .entry((name, h.file.clone()))
                    .or_insert((h.line, 0))
                    .1 += n;
            }
        }
        *hotspot_regions
            .entry((
                enclosing_function(&innermost.function).to_string(),
                innermost.file.clone(),
            ))
            .or_default()
            .entry(key)
            .or_insert(0) += n;
    }
    let mut keys: Vec<RegionKey> = tallies.keys().cloned().collect();
    keys.sort_by(|a, b| {
        tallies[b]
            .samples
            .cmp(&tallies[a].samples)
            .then_with(|| a.cmp(b))
    });
    let mut regions = Vec::new();
    for key in &keys {
        let t = &tallies[key];
        let mut traits = traits_of(
            sources,
            &t.function,
            &key.0,
            t.lines.keys().next().copied().unwrap_or(key.1),
        );
        let mut helpers: Vec<(&FunctionKey, &(u32, u64))> = t.helpers.iter().collect();
        helpers.sort_by(|a, b| b.1.1.cmp(&a.1.1).then_with(|| a.0.cmp(b.0)));
        for ((name, file), (line, _)) in &helpers {
            let i = sources.index(file);
            if let (Some(tr), Some(h)) = (
                traits.as_mut(),
                sources.modules[i].function_in_loop(name, *line),
            ) {
                tr.absorb(&h);
            }
        }
        let mut lines: Vec<(u32, u64)> = t.lines.iter().map(|(&l, &c)| (l, c)).collect();
        lines.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        regions.push(HotRegion {
            region: Region {
                file: key.0.clone(),
                first_line: key.1,
                last_line: key.2,
                functions: std::iter::once(t.function.clone())
                    .chain(helpers.iter().map(|h| h.0.0.clone()))
                    .collect(),
                inclusive_share: t.samples as f64 / denom,
            },
            traits,
            module: t.module,
            lines: lines
                .into_iter()
                .map(|(line, c)| HotLine {
                    line,
                    share: c as f64 / denom,
                })
                .collect(),
        });
    }
    let by_hotspot = hotspot_regions
        .into_iter()
        .filter_map(|(hot, counts)| {
            let best = counts
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))?
                .0;
            Some((hot, keys.iter().position(|k| *k == best)?))
        })
        .collect();
    Built {
        regions,
        by_hotspot,
        line_shares: line_counts
            .into_iter()
            .map(|(k, c)| (k, c as f64 / denom))
            .collect(),
    }
}
