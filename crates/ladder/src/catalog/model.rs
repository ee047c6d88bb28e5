//! The catalog's types and their TOML parsing.

use super::check::{Check, CheckFile, Pinned};
use anyhow::Result;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct Catalog {
    pub root: PathBuf,
    pub rungs: Vec<Rung>,
    pub benchmarks: Vec<Benchmark>,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Deserialize, serde::Serialize,
)]
#[serde(rename_all = "lowercase")]
pub enum SizeName {
    Quick,
    #[default]
    Default,
    Standard,
    /// A number of work units given to `--sizes` that is none of the catalog's sizes: it has no pinned
    /// reference, so its cells are cross-checked against the baseline rung (see measure::verify). Not in `ALL`,
    /// so `parse` and benchmark.toml never accept it.
    Custom,
}

impl SizeName {
    pub const ALL: [SizeName; 3] = [SizeName::Quick, SizeName::Default, SizeName::Standard];

    pub fn as_str(self) -> &'static str {
        match self {
            SizeName::Quick => "quick",
            SizeName::Default => "default",
            SizeName::Standard => "standard",
            SizeName::Custom => "custom",
        }
    }

    pub fn parse(s: &str) -> Option<SizeName> {
        SizeName::ALL.into_iter().find(|n| n.as_str() == s)
    }
}

impl fmt::Display for SizeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The effort a cell's implementation was written with (issue 13's two tiers). Part of every cell's identity.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Deserialize, serde::Serialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    /// The rung as the study used it: the approach its code and text describe (one thread unless the tool
    /// threads by itself, idiomatic, the study's level of annotation). The study's figures stand beside this tier
    /// only. Documents written before tiers existed are all this tier.
    #[default]
    Study,
    /// The tool as its experts would ship it for this benchmark: its own parallelism, SIMD, its fast-math switch
    /// where the checks still pass, and the benchmark's `EXPERT.md` ideas, the same in every tool.
    Expert,
}

impl Tier {
    pub const ALL: [Tier; 2] = [Tier::Study, Tier::Expert];

    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Study => "study",
            Tier::Expert => "expert",
        }
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuntimeSelector {
    /// Every CPython 3.10+ found.
    Cpython,
    /// Every PyPy found.
    Pypy,
    /// The baseline CPython, in a venv ladder manages.
    Baseline,
    /// Every free-threaded CPython found (3.13t, 3.14t).
    #[serde(rename = "free-threaded")]
    FreeThreaded,
    /// Every CPython whose build has the experimental JIT compiled in.
    Jit,
    /// Every GraalPy found.
    Graalpy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BuildKind {
    None,
    Mypyc,
    Cython,
    Cc,
    Maturin,
    Pythran,
    /// `python -m nuitka --module`: the plain implementation compiled to a C extension.
    Nuitka,
    /// A C++ CPython extension (the implementation file is the .cpp) compiled against `needs_header`'s library.
    #[serde(rename = "cpp-ext")]
    CppExt,
    /// `codon build -pyext`: the implementation compiled by the Codon compiler from the rung's pinned package,
    /// linked with `cc` against Codon's runtime into a CPython extension.
    Codon,
}

impl BuildKind {
    /// Builds that compile C or C++ (and so need a C compiler and the interpreter's headers).
    pub fn needs_cc(self) -> bool {
        matches!(
            self,
            BuildKind::Cc
                | BuildKind::Cython
                | BuildKind::Mypyc
                | BuildKind::Pythran
                | BuildKind::Nuitka
                | BuildKind::CppExt
                | BuildKind::Codon
        )
    }

    /// Builds that run a tool from the rung's managed venv.
    pub fn needs_venv(self) -> bool {
        matches!(
            self,
            BuildKind::Mypyc
                | BuildKind::Cython
                | BuildKind::Maturin
                | BuildKind::Pythran
                | BuildKind::Nuitka
                | BuildKind::CppExt
                | BuildKind::Codon
        )
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rung {
    pub id: String,
    pub title: String,
    pub study_rung: String,
    pub on: RuntimeSelector,
    #[serde(default)]
    pub packages: Vec<String>,
    pub build: BuildKind,
    pub costs: String,
    /// How to obtain the rung's runtime when it is missing.
    #[serde(default)]
    pub get: Option<String>,
    /// Environment variables the worker runs with (e.g. `PYTHON_JIT = "1"`).
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// A program that must be on PATH (e.g. `codon`); without it the rung is unavailable with `missing`.
    #[serde(default)]
    pub needs_program: Option<String>,
    /// Libraries a `cpp-ext` build links (`-l` names, e.g. `simdjson`).
    #[serde(default)]
    pub link: Vec<String>,
    /// A C/C++ header that must be installed (e.g. `simdjson.h` from libsimdjson-dev); without it the rung is
    /// unavailable with `missing` and `get`.
    #[serde(default)]
    pub needs_header: Option<String>,
    /// Why the rung is unavailable when `needs_program` or `needs_header` is missing: what was tried.
    #[serde(default)]
    pub missing: Option<String>,
    /// Which CPython versions the rung's packages exist for (`"<3.13"`): an `on = "baseline"` rung then runs on
    /// the newest CPython that satisfies it (the baseline when it does). See `python_req`.
    #[serde(default)]
    pub python: Option<String>,
    /// The rung swaps the runtime and runs the plain code (CPython versions, PyPy, free-threaded, Nuitka): it has
    /// one tier, the study's, and a benchmark's `[expert]` table may not name it.
    #[serde(default)]
    pub runtime_swap: bool,
}

impl Rung {
    /// The parsed `python` requirement (validated when the catalog is loaded).
    pub fn python_req(&self) -> Option<super::PythonReq> {
        self.python
            .as_deref()
            .and_then(|p| super::PythonReq::parse(p).ok())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InputKind {
    None,
    Events,
}

#[derive(Debug, Clone)]
pub struct Size {
    pub name: SizeName,
    pub n: u64,
    /// The pinned reference, typed by the benchmark's check.
    pub expect: Pinned,
}

#[derive(Debug, Clone)]
pub struct Benchmark {
    pub id: String,
    pub title: String,
    pub summary: String,
    pub work: String,
    pub dir: PathBuf,
    pub input: InputKind,
    pub check: Check,
    /// The output depends on every multiply and add being rounded on its own (mandelbrot's boundary pixels): every
    /// compiled rung is built without FMA contraction in both modes, as under `--fair`.
    pub exact_rounding: bool,
    pub sizes: Vec<Size>,
    /// rung id -> implementation file name (relative to `dir`).
    pub implementations: BTreeMap<String, String>,
    /// rung id -> extra source files for its build.
    pub sources: BTreeMap<String, Vec<String>>,
    /// rung id -> why the rung cannot express this benchmark.
    pub not_expressed: BTreeMap<String, String>,
    /// The expert tier; `[impl]`, `[sources]` and `[not_expressed]` above are the study tier.
    pub expert: Expert,
    pub study: Option<Study>,
}

/// A benchmark's `[expert]` table: the implementations its experts would ship, and the ideas they may all use.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expert {
    /// A file in the benchmark's folder that describes the algorithm every expert implementation may use, so the
    /// tier compares tools, not algorithms.
    #[serde(default)]
    pub algorithm: Option<String>,
    /// rung id -> expert implementation file.
    #[serde(default, rename = "impl")]
    pub implementations: BTreeMap<String, String>,
    /// rung id -> extra source files of the expert build.
    #[serde(default)]
    pub sources: BTreeMap<String, Vec<String>>,
    /// rung id -> why the rung has no expert implementation of this benchmark.
    #[serde(default)]
    pub not_expressed: BTreeMap<String, String>,
    /// Whether expert builds may use their tool's fast-math switch outside `--fair` (true unless the checks fail
    /// with it: then `algorithm` says so).
    #[serde(default = "yes")]
    pub fast_math: bool,
}

fn yes() -> bool {
    true
}

impl Default for Expert {
    fn default() -> Self {
        Expert {
            algorithm: None,
            implementations: BTreeMap::new(),
            sources: BTreeMap::new(),
            not_expressed: BTreeMap::new(),
            fast_math: true,
        }
    }
}

impl Benchmark {
    pub fn size(&self, name: SizeName) -> Option<&Size> {
        self.sizes.iter().find(|s| s.name == name)
    }

    /// The file implementing a rung at a tier.
    pub fn implementation(&self, rung: &str, tier: Tier) -> Option<&str> {
        match tier {
            Tier::Study => self.implementations.get(rung),
            Tier::Expert => self.expert.implementations.get(rung),
        }
        .map(String::as_str)
    }

    /// The extra source files a rung's build at a tier needs.
    pub fn sources(&self, rung: &str, tier: Tier) -> &[String] {
        match tier {
            Tier::Study => self.sources.get(rung),
            Tier::Expert => self.expert.sources.get(rung),
        }
        .map(Vec::as_slice)
        .unwrap_or_default()
    }
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Study {
    pub source: String,
    pub baseline: String,
    /// The size whose n the study's figures are for (`default` unless said: the study measured the n-body,
    /// spectral-norm and pipeline defaults, and the other Benchmarks Game problems only at their `standard` n).
    #[serde(default)]
    pub size: SizeName,
    /// Key: rung id, or `rung@python-version` for the interpreter rungs.
    pub ms: BTreeMap<String, f64>,
    #[serde(default)]
    pub costs: BTreeMap<String, String>,
    /// Key as in `ms` -> why this machine's speedup for the rung is more than 3x away from the study's, with the
    /// measurement that shows it (the card prints it beside such a row).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub explained: BTreeMap<String, String>,
}

impl Study {
    /// The study's time for the baseline it used ("CPython 3.14" -> key "cpython@3.14").
    pub fn baseline_ms(&self) -> Option<f64> {
        let version = self.baseline.strip_prefix("CPython ")?;
        self.ms.get(&format!("cpython@{version}")).copied()
    }

    /// The study's figure for a rung on a runtime, with its speedup against the study's baseline.
    pub fn figure(&self, rung: &str, python_minor: Option<&str>) -> Option<(f64, f64)> {
        let ms = python_minor
            .and_then(|v| self.ms.get(&format!("{rung}@{v}")))
            .or_else(|| self.ms.get(rung))?;
        Some((*ms, self.baseline_ms()? / ms))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RungsFile {
    rung: Vec<Rung>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BenchmarkFile {
    id: String,
    title: String,
    summary: String,
    work: String,
    input: InputKind,
    check: CheckFile,
    #[serde(default)]
    exact_rounding: bool,
    sizes: BTreeMap<String, SizeFile>,
    #[serde(rename = "impl")]
    implementations: BTreeMap<String, String>,
    #[serde(default)]
    sources: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    not_expressed: BTreeMap<String, String>,
    #[serde(default)]
    expert: Expert,
    study: Option<Study>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SizeFile {
    n: u64,
    expect: toml::Table,
}

fn read_toml<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| crate::error::UsageError::new(format!("{}: {e}", path.display())))?;
    toml::from_str(&text).map_err(|e| {
        crate::error::UsageError::new(format!("{}: {}", path.display(), e.message().trim()))
            .with_detail(e.span().map(|s| {
                let line = text[..s.start].matches('\n').count() + 1;
                format!("at line {line}")
            }))
            .into()
    })
}

pub(super) fn catalog_error(path: &Path, field: &str, what: impl fmt::Display) -> anyhow::Error {
    crate::error::UsageError::new(format!("{}: field `{field}`: {what}", path.display())).into()
}

pub(super) fn parse_rungs(path: &Path) -> Result<Vec<Rung>> {
    let file: RungsFile = read_toml(path)?;
    let mut seen = std::collections::HashSet::new();
    for rung in &file.rung {
        if !valid_id(&rung.id) {
            return Err(catalog_error(
                path,
                "rung.id",
                format!(
                    "{:?} is not an id (lowercase letters, digits, '-')",
                    rung.id
                ),
            ));
        }
        if !seen.insert(rung.id.clone()) {
            return Err(catalog_error(
                path,
                "rung.id",
                format!("{:?} is defined twice", rung.id),
            ));
        }
        if let Some(spec) = &rung.python {
            super::PythonReq::parse(spec).map_err(|e| {
                catalog_error(path, "rung.python", format!("rung {:?}: {e}", rung.id))
            })?;
        }
        if rung.on != RuntimeSelector::Baseline
            && (!rung.packages.is_empty() || rung.build != BuildKind::None)
        {
            return Err(catalog_error(
                path,
                "rung.on",
                format!(
                    "rung {:?} needs packages or a build, which only `on = \"baseline\"` provides",
                    rung.id
                ),
            ));
        }
    }
    // Rungs share one venv per runtime, so two pins of one package would silently overwrite each other.
    let mut pins: std::collections::HashMap<String, (&str, &str)> =
        std::collections::HashMap::new();
    for rung in &file.rung {
        for p in &rung.packages {
            let (name, version) = p.split_once("==").unwrap_or((p.as_str(), ""));
            let key = name.trim().to_lowercase().replace('_', "-");
            match pins.get(&key) {
                Some((v, other)) if *v != version => {
                    return Err(catalog_error(
                        path,
                        "rung.packages",
                        format!(
                            "{name} is pinned as {p:?} by rung {:?} but differently by rung {other:?}; \
                             rungs share a venv, so pin it once",
                            rung.id
                        ),
                    ));
                }
                _ => {
                    pins.insert(key, (version, rung.id.as_str()));
                }
            }
        }
    }
    Ok(file.rung)
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

pub(super) fn parse_benchmark(dir: &Path, rungs: &[Rung]) -> Result<Benchmark> {
    let path = dir.join("benchmark.toml");
    let file: BenchmarkFile = read_toml(&path)?;
    if !valid_id(&file.id) {
        return Err(catalog_error(
            &path,
            "id",
            format!("{:?} is not an id", file.id),
        ));
    }
    let check = Check::from_file(&path, &file.check)?;
    let mut sizes = Vec::new();
    for (name, size) in file.sizes {
        let size_name = SizeName::parse(&name).ok_or_else(|| {
            catalog_error(
                &path,
                &format!("sizes.{name}"),
                "unknown size (use quick, default or standard)",
            )
        })?;
        if size.n == 0 {
            return Err(catalog_error(
                &path,
                &format!("sizes.{name}.n"),
                "must be at least 1",
            ));
        }
        let expect = check.pinned(&path, dir, &name, &size.expect)?;
        sizes.push(Size {
            name: size_name,
            n: size.n,
            expect,
        });
    }
    sizes.sort_by_key(|s| s.name);
    for (table, ids) in [
        ("impl", file.implementations.keys().collect::<Vec<_>>()),
        ("sources", file.sources.keys().collect()),
        ("not_expressed", file.not_expressed.keys().collect()),
        ("expert.impl", file.expert.implementations.keys().collect()),
        ("expert.sources", file.expert.sources.keys().collect()),
        (
            "expert.not_expressed",
            file.expert.not_expressed.keys().collect(),
        ),
    ] {
        for id in ids {
            if !rungs.iter().any(|r| &r.id == id) {
                return Err(catalog_error(
                    &path,
                    &format!("{table}.{id}"),
                    format!(
                        "no rung {id:?} in rungs.toml (known: {})",
                        rungs
                            .iter()
                            .map(|r| r.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
        }
    }
    for rung in file.expert.implementations.keys() {
        if rungs.iter().any(|r| &r.id == rung && r.runtime_swap) {
            return Err(catalog_error(
                &path,
                &format!("expert.impl.{rung}"),
                format!(
                    "rung {rung:?} is a runtime swap (`runtime_swap = true` in rungs.toml): it runs the plain \
                     code and has only the study tier"
                ),
            ));
        }
        if !file.implementations.contains_key(rung) {
            return Err(catalog_error(
                &path,
                &format!("expert.impl.{rung}"),
                format!("rung {rung:?} has an expert implementation but no study one in [impl]"),
            ));
        }
    }
    if let Some(doc) = &file.expert.algorithm
        && !dir.join(doc).is_file()
    {
        return Err(catalog_error(
            &path,
            "expert.algorithm",
            format!("{doc:?} does not exist in {}", dir.display()),
        ));
    }
    let impl_files = file
        .implementations
        .iter()
        .map(|(r, f)| (format!("impl.{r}"), f))
        .chain(
            file.expert
                .implementations
                .iter()
                .map(|(r, f)| (format!("expert.impl.{r}"), f)),
        );
    for (field, file_name) in impl_files {
        if !dir.join(file_name).is_file() {
            return Err(catalog_error(
                &path,
                &field,
                format!("{file_name:?} does not exist in {}", dir.display()),
            ));
        }
        let stem = Path::new(file_name)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        if stem.is_empty()
            || !stem.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            || stem.starts_with(|c: char| c.is_ascii_digit())
        {
            return Err(catalog_error(
                &path,
                &field,
                format!("{file_name:?}: the file's stem must be a Python module name"),
            ));
        }
    }
    let source_lists = file
        .sources
        .iter()
        .map(|(r, f)| (format!("sources.{r}"), f))
        .chain(
            file.expert
                .sources
                .iter()
                .map(|(r, f)| (format!("expert.sources.{r}"), f)),
        );
    for (field, files) in source_lists {
        for f in files {
            if !dir.join(f).is_file() {
                return Err(catalog_error(
                    &path,
                    &field,
                    format!("{f:?} does not exist in {}", dir.display()),
                ));
            }
        }
    }
    Ok(Benchmark {
        id: file.id,
        title: file.title,
        summary: file.summary,
        work: file.work,
        dir: dir.to_path_buf(),
        input: file.input,
        check,
        exact_rounding: file.exact_rounding,
        sizes,
        implementations: file.implementations,
        sources: file.sources,
        not_expressed: file.not_expressed,
        expert: file.expert,
        study: file.study,
    })
}
