//! Build steps, one per build kind, each cached under `$LADDER_HOME/builds` by a hash of everything that goes into
//! it (sources, flags, interpreter, pinned tools), so a second run reuses the first run's builds.

use super::run_logged;
use super::venv::Venv;
use crate::catalog::{Benchmark, BuildKind, Tier};
pub use crate::results::BuildInfo;
use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Flags for every C compile (the `c` rung and the C that Cython generates): what an expert shipping for this
/// machine would use. No -ffast-math: the checks pin results to 9 decimals and the study's rungs did not agree on it.
/// gcc's default in GNU mode is `-ffp-contract=fast`, so with `-march=native` on a CPU with FMA it may fuse a
/// multiply and an add into one FMA (one rounding instead of two): best effort allows that, and records it.
pub const C_FLAGS: [&str; 2] = ["-O3", "-march=native"];

/// What `--fair` adds to every C/C++ compile: no FMA contraction, so every compiled rung rounds each operation
/// as the source says (fast-math is off in both modes).
pub const FAIR_FLAGS: [&str; 1] = ["-ffp-contract=off"];

/// The C/C++ flags of a build in this mode.
pub fn c_flags(fair: bool) -> Vec<String> {
    let mut flags: Vec<String> = C_FLAGS.iter().map(|s| s.to_string()).collect();
    if fair {
        flags.extend(FAIR_FLAGS.iter().map(|s| s.to_string()));
    }
    flags
}

/// What the expert tier adds to a compiled build: the tool's parallelism (OpenMP, for the tools that use it) and,
/// outside the fair rules and where the benchmark allows it, its fast-math switch. The study tier adds nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Extras {
    pub openmp: bool,
    pub fast_math: bool,
}

impl Extras {
    /// The extras of a build at a tier: `fair_rules` (see [`BuildRequest`]) keeps fast-math off.
    pub fn for_tier(tier: Tier, fair_rules: bool, bench_allows_fast_math: bool) -> Extras {
        match tier {
            Tier::Study => Extras::default(),
            Tier::Expert => Extras {
                openmp: true,
                fast_math: !fair_rules && bench_allows_fast_math,
            },
        }
    }

    /// As gcc/g++ flags (also what Pythran passes through to its C++ compiler).
    pub fn c_flags(self) -> Vec<String> {
        let mut flags = Vec::new();
        if self.openmp {
            flags.push("-fopenmp".to_string());
        }
        if self.fast_math {
            flags.push("-ffast-math".to_string());
        }
        flags
    }
}

/// Whether this CPU has FMA, i.e. whether `-march=native` code may contain fused multiply-adds.
fn cpu_has_fma() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        // aarch64 always has FMA; others: assume it may, which is the cautious thing to record.
        true
    }
}

/// The floating-point facts of a build that used `flags` with `compiler`.
fn fp_info(kind: &str, commands: Vec<String>, flags: Vec<String>, fair: bool) -> BuildInfo {
    let contract_off = flags.iter().any(|f| f == "-ffp-contract=off");
    let march = flags
        .iter()
        .find_map(|f| f.strip_prefix("-march="))
        .map(str::to_string);
    BuildInfo {
        kind: kind.into(),
        commands,
        fast_math: flags.iter().any(|f| f == "-ffast-math" || f == "-Ofast"),
        fp_contract: if contract_off {
            "off".into()
        } else {
            "fast (gcc's default in GNU mode)".into()
        },
        // Contraction only fuses where the target has FMA instructions: -march=native on an FMA CPU.
        fma: !contract_off && march.as_deref() == Some("native") && cpu_has_fma(),
        march,
        compiler: compiler_version(),
        cflags: flags,
        fair,
        annotation: None,
        build_ms: None,
        wheel: None,
    }
}

/// The C compiler's `--version` line (part of every build's cache key and of its record).
pub fn compiler_version() -> String {
    super::tools::which(&cc_program())
        .and_then(|p| super::tools::version_line(&p, "--version"))
        .unwrap_or_default()
}

/// What the worker imports for one cell, and how it was made.
#[derive(Debug, Clone)]
pub struct Built {
    pub module_dir: PathBuf,
    pub module: String,
    /// True when the worker must find an extension module (mypyc, Cython), not the `.py` source.
    pub compiled: bool,
    pub info: BuildInfo,
}

pub struct BuildRequest<'a> {
    pub home: &'a Path,
    pub kind: BuildKind,
    pub rung: &'a str,
    /// The expert tier's builds add the tool's parallelism and fast-math switches (`expert_flags`).
    pub tier: Tier,
    pub bench: &'a Benchmark,
    pub impl_file: &'a str,
    /// The interpreter the rung runs on (the venv's, when it has one).
    pub python: &'a Path,
    /// The venv the rung runs in (`None` for rungs that run on a bare interpreter).
    pub venv: Option<&'a Venv>,
    /// The rung's pinned packages: part of what a build depends on.
    pub packages: &'a [String],
    /// `--fair`: no FMA contraction (a separate cache entry from the best-effort build).
    pub fair: bool,
    /// `--annotate`: keep Cython's `-a` HTML report.
    pub annotate: bool,
    /// Libraries a `cpp-ext` build links (the rung's `link`).
    pub link: &'a [String],
}

impl BuildRequest<'_> {
    /// Whether the build follows the fair rules (no contraction): under `--fair`, and in both modes for a benchmark
    /// whose output depends on each rounding, where a fused multiply-add would be a wrong answer, not a faster one.
    fn fair_rules(&self) -> bool {
        self.fair || self.bench.exact_rounding
    }

    fn extras(&self) -> Extras {
        Extras::for_tier(self.tier, self.fair_rules(), self.bench.expert.fast_math)
    }
}

pub fn module_name(impl_file: &str) -> String {
    Path::new(impl_file)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_string()
}

/// The implementation file and the extra sources its rung's build needs.
fn build_files(req: &BuildRequest) -> Vec<String> {
    let mut files = vec![req.impl_file.to_string()];
    files.extend(req.bench.sources(req.rung, req.tier).iter().cloned());
    files
}

/// The version of the build commands themselves: bumped when a build kind's commands change (Cython and C++
/// extensions gained the interpreter's sysconfig CFLAGS in recipe 2; the `c` rung's library took its first
/// source's name in recipe 3), so no build made the old way is reused.
const RECIPE: u32 = 3;

/// The build's cache key: everything the build depends on (the interpreter, the rung's pins, the compilers and
/// the floating-point mode's flags, the sources), so a `--fair` build never reuses a best-effort one.
pub fn cache_key(req: &BuildRequest, files: &[String]) -> Result<String> {
    let mut hasher = Sha256::new();
    // Annotation only matters to Cython; keying every kind on it would rebuild the others for nothing.
    let annotate = req.annotate && req.kind == BuildKind::Cython;
    hasher.update(format!(
        "recipe {RECIPE}|{:?}|{:?}|{}|{}|{}|{}|{}|{:?}|annotate={annotate}|{:?}|",
        req.kind,
        req.extras(),
        req.python.display(),
        req.packages.join(","),
        cc_program(),
        compiler_version(),
        cxx_program(),
        c_flags(req.fair_rules()),
        req.link,
    ));
    for f in files {
        hasher.update(f.as_bytes());
        hasher
            .update(std::fs::read(req.bench.dir.join(f)).with_context(|| format!("reading {f}"))?);
    }
    Ok(crate::catalog::hex(&hasher.finalize()[..8]))
}

/// Builds (or finds the cached build of) one rung's implementation of one benchmark.
pub fn build(req: &BuildRequest) -> Result<Built> {
    let fair = req.fair_rules();
    let extras = req.extras();
    let module = module_name(req.impl_file);
    if matches!(req.kind, BuildKind::None | BuildKind::Maturin) {
        // Plain modules run from the catalog; the Rust rung's extension lives in the venv (see `ensure_kernels`).
        return Ok(Built {
            module_dir: req.bench.dir.clone(),
            module,
            compiled: false,
            info: BuildInfo {
                kind: format!("{:?}", req.kind).to_lowercase(),
                ..BuildInfo::default()
            },
        });
    }
    let files = build_files(req);
    let annotate = req.annotate && req.kind == BuildKind::Cython;
    let hash = cache_key(req, &files)?;
    let dir = req
        .home
        .join("builds")
        .join(req.rung)
        .join(&req.bench.id)
        .join(&hash);
    let info_file = dir.join("ladder-build.json");
    let built = |info: BuildInfo| Built {
        module_dir: dir.clone(),
        module: module.clone(),
        compiled: matches!(
            req.kind,
            BuildKind::Mypyc
                | BuildKind::Cython
                | BuildKind::Pythran
                | BuildKind::Nuitka
                | BuildKind::CppExt
                | BuildKind::Codon
        ),
        info,
    };
    if let Ok(text) = std::fs::read_to_string(&info_file)
        && let Ok(info) = serde_json::from_str::<BuildInfo>(&text)
    {
        return Ok(built(info));
    }
    // Every build but the plain C library compiles against the interpreter's headers.
    if req.kind != BuildKind::Cc
        && let Some(venv) = req.venv
    {
        check_python_headers(venv)?;
    }
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    for f in &files {
        std::fs::copy(req.bench.dir.join(f), dir.join(f))
            .with_context(|| format!("copying {f}"))?;
    }
    let log = dir.join("build.log");
    let started = std::time::Instant::now();
    let venv = || req.venv.context("this build runs in a venv");
    let mut info = match req.kind {
        BuildKind::Mypyc => build_mypyc(venv()?, &dir, req.impl_file, &log, fair)?,
        BuildKind::Cython => {
            build_cython(venv()?, &dir, req.impl_file, &log, fair, annotate, extras)?
        }
        BuildKind::Pythran => build_pythran(venv()?, &dir, req.impl_file, &log, fair, extras)?,
        BuildKind::Nuitka => build_nuitka(venv()?, &dir, req.impl_file, &log, fair)?,
        BuildKind::CppExt => build_cpp_ext(venv()?, &dir, req.impl_file, req.link, &log, fair)?,
        BuildKind::Codon => build_codon(venv()?, &dir, req.impl_file, &log, fair, extras)?,
        BuildKind::Cc => build_cc(
            &dir,
            &req.bench.id,
            req.bench.sources(req.rung, req.tier),
            &log,
            fair,
            extras,
        )?,
        BuildKind::None | BuildKind::Maturin => unreachable!("handled above"),
    };
    info.build_ms = Some(started.elapsed().as_millis() as u64);
    std::fs::write(&info_file, serde_json::to_string_pretty(&info)?)?;
    Ok(built(info))
}

pub(super) fn shown(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

/// Also used by `ladder climb` on the user's hot modules (in a copy).
pub fn build_mypyc(
    venv: &Venv,
    dir: &Path,
    impl_file: &str,
    log: &Path,
    fair: bool,
) -> Result<BuildInfo> {
    let mut cmd = Command::new(&venv.python);
    cmd.args(["-m", "mypyc", impl_file]).current_dir(dir);
    // setuptools appends $CFLAGS to the interpreter's own compile flags (no -march: the x86-64 baseline).
    let line = with_fair_flags(&mut cmd, "CFLAGS", fair);
    run_logged(&mut cmd, log).context("mypyc build failed")?;
    // Remove the source so the worker can only import the compiled module.
    std::fs::remove_file(dir.join(impl_file))?;
    let _ = std::fs::remove_dir_all(dir.join("build"));
    let mut flags = vec!["(the interpreter's sysconfig CFLAGS, -O3 via setuptools)".to_string()];
    if fair {
        flags.extend(FAIR_FLAGS.iter().map(|s| s.to_string()));
    }
    Ok(fp_info("mypyc", vec![line], flags, fair))
}

/// Under `--fair`, hands [`FAIR_FLAGS`] to a build tool through the environment variable it appends to its
/// compiler flags; returns the command line as the cell records it (with that variable in front).
fn with_fair_flags(cmd: &mut Command, var: &str, fair: bool) -> String {
    if !fair {
        return shown(cmd);
    }
    let value = FAIR_FLAGS.join(" ");
    cmd.env(var, &value);
    format!("{var}={value} {}", shown(cmd))
}

/// The interpreter has no C headers (e.g. Debian's own python3 without python3-dev), so no extension module can be
/// compiled for it: the rung is unavailable there, with the command that gets them, not failed.
#[derive(Debug)]
pub struct MissingPythonHeaders {
    pub python: PathBuf,
    pub include: String,
}

impl std::fmt::Display for MissingPythonHeaders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} has no C headers (no Python.h in {}): extension modules cannot be compiled for it",
            self.python.display(),
            self.include
        )
    }
}

impl std::error::Error for MissingPythonHeaders {}

/// What gets the headers of Debian's python3 (pyenv's and uv's CPythons ship theirs).
pub const PYTHON_DEV_GET: &str = "apt-get install -y python3-dev";

/// Fails with `MissingPythonHeaders` when the venv's interpreter has no Python.h.
pub fn check_python_headers(venv: &Venv) -> Result<()> {
    let include = python_build_vars(venv)?.include;
    if Path::new(&include).join("Python.h").is_file() {
        return Ok(());
    }
    Err(MissingPythonHeaders {
        python: venv.python.clone(),
        include,
    }
    .into())
}

/// What the venv's interpreter says about building extensions for it (its `sysconfig`).
struct PythonBuildVars {
    include: String,
    ext_suffix: String,
    /// The flags the interpreter was built with and every setuptools extension build starts from (`-DNDEBUG`, so
    /// CPython's header assertions are off in the hot loops; `-fwrapv` or `-fno-strict-overflow`, `-O3`).
    cflags: Vec<String>,
}

fn python_build_vars(venv: &Venv) -> Result<PythonBuildVars> {
    let out = Command::new(&venv.python)
        .args([
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['include']); print(sysconfig.get_config_var('EXT_SUFFIX')); print(sysconfig.get_config_var('CFLAGS') or '')",
        ])
        .output()
        .context("asking the venv's python for its include folder")?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines = text.lines();
    match (lines.next(), lines.next(), lines.next()) {
        (Some(include), Some(ext_suffix), cflags) if out.status.success() => Ok(PythonBuildVars {
            include: include.to_string(),
            ext_suffix: ext_suffix.to_string(),
            cflags: cflags
                .unwrap_or_default()
                .split_whitespace()
                .map(str::to_string)
                .collect(),
        }),
        _ => bail!(
            "{} did not report its include folder and EXT_SUFFIX",
            venv.python.display()
        ),
    }
}

/// Also used by `ladder climb` (Cython's pure-Python mode on the user's unchanged `.py`, in a copy).
pub fn build_cython(
    venv: &Venv,
    dir: &Path,
    impl_file: &str,
    log: &Path,
    fair: bool,
    annotate: bool,
    extras: Extras,
) -> Result<BuildInfo> {
    // The path without `.py`: a module inside a package is built beside its source (climb keeps the package).
    let stem = Path::new(impl_file).with_extension("");
    let stem = stem.display();
    let c_file = format!("{stem}.c");
    let mut cython = Command::new(&venv.python);
    cython.args(["-m", "cython", "-3"]);
    if annotate {
        // `-a` writes <stem>.html beside the C file: every line, yellow as deep as its calls into CPython.
        cython.arg("-a");
    }
    cython.args([impl_file, "-o", &c_file]).current_dir(dir);
    let mut commands = vec![shown(&cython)];
    run_logged(&mut cython, log).context("cython failed")?;
    let vars = python_build_vars(venv)?;
    // The interpreter's own flags first, as setuptools does; ladder's mode flags after them, so they win.
    let flags: Vec<String> = vars
        .cflags
        .iter()
        .cloned()
        .chain(c_flags(fair))
        .chain(extras.c_flags())
        .collect();
    let mut cc = Command::new(cc_program());
    cc.args(&flags)
        .args(["-shared", "-fPIC", "-fno-strict-aliasing"])
        .arg(format!("-I{}", vars.include))
        .arg(&c_file)
        .arg("-o")
        .arg(format!("{stem}{}", vars.ext_suffix))
        .current_dir(dir);
    commands.push(shown(&cc));
    run_logged(&mut cc, &log.with_extension("cc.log")).context("compiling Cython's C failed")?;
    std::fs::remove_file(dir.join(impl_file))?;
    let mut info = fp_info("cython", commands, flags, fair);
    let page = dir.join(format!("{stem}.html"));
    if annotate {
        if !page.is_file() {
            bail!("cython -a left no {}", page.display());
        }
        info.annotation = Some(page);
    }
    Ok(info)
}

/// Pythran compiles the module's `#pythran export` functions to a C++ extension (it calls the C++ compiler itself).
fn build_pythran(
    venv: &Venv,
    dir: &Path,
    impl_file: &str,
    log: &Path,
    fair: bool,
    extras: Extras,
) -> Result<BuildInfo> {
    let stem = module_name(impl_file);
    let ext_suffix = python_build_vars(venv)?.ext_suffix;
    let flags: Vec<String> = c_flags(fair).into_iter().chain(extras.c_flags()).collect();
    let mut cmd = Command::new(venv.bin("pythran"));
    // Pythran passes -O, -march and -f options through to the C++ compiler.
    cmd.args(&flags)
        .arg(impl_file)
        .arg("-o")
        .arg(format!("{stem}{ext_suffix}"))
        .current_dir(dir);
    let line = shown(&cmd);
    run_logged(&mut cmd, log).context("pythran build failed")?;
    // Remove the source so the worker can only import the compiled module.
    std::fs::remove_file(dir.join(impl_file))?;
    Ok(fp_info("pythran", vec![line], flags, fair))
}

/// The `c` rung: the benchmark's C sources into `lib<first source's stem>.so` beside the ctypes module that loads it.
/// Headers among the sources (`.h`) are only copied beside them, for `#include`.
fn build_cc(
    dir: &Path,
    bench_id: &str,
    sources: &[String],
    log: &Path,
    fair: bool,
    extras: Extras,
) -> Result<BuildInfo> {
    if sources.is_empty() {
        bail!(
            "benchmark {bench_id}: the c rung needs `[sources] c = [...]` (or `[expert.sources]` for its expert \
             implementation) in its benchmark.toml"
        );
    }
    let flags: Vec<String> = c_flags(fair).into_iter().chain(extras.c_flags()).collect();
    let mut cc = Command::new(cc_program());
    cc.args(&flags)
        .args(["-shared", "-fPIC", "-o"])
        .arg(format!("lib{}.so", module_name(&sources[0])))
        .args(sources.iter().filter(|s| !s.ends_with(".h")))
        .arg("-lm")
        .current_dir(dir);
    let line = shown(&cc);
    run_logged(&mut cc, log).context("cc failed")?;
    Ok(fp_info("cc", vec![line], flags, fair))
}

/// `python -m nuitka --module`: the plain implementation, unchanged, compiled to one C extension module.
/// Nuitka drives scons and gcc itself with its own flags (`-march=x86-64`, no fast-math); under `--fair` it gets
/// -ffp-contract=off through `$CCFLAGS`, which its scons build appends.
fn build_nuitka(
    venv: &Venv,
    dir: &Path,
    impl_file: &str,
    log: &Path,
    fair: bool,
) -> Result<BuildInfo> {
    let mut cmd = Command::new(&venv.python);
    cmd.args([
        "-m",
        "nuitka",
        "--mode=module",
        "--remove-output",
        "--no-pyi-file",
        "--quiet",
        "--output-dir=.",
        impl_file,
    ])
    .current_dir(dir);
    // What Nuitka 4.3's scons passes gcc for a module (seen in its compile lines): the x86-64 baseline, so no FMA.
    let mut flags: Vec<String> = ["-O3", "-march=x86-64", "-fwrapv"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    if fair {
        flags.extend(FAIR_FLAGS.iter().map(|s| s.to_string()));
    }
    let line = with_fair_flags(&mut cmd, "CCFLAGS", fair);
    run_logged(&mut cmd, log).context("nuitka --module build failed")?;
    // Remove the source so the worker can only import the compiled module.
    std::fs::remove_file(dir.join(impl_file))?;
    Ok(fp_info("nuitka", vec![line], flags, fair))
}

/// A hand-written C++ CPython extension (`impl_file` is the .cpp), linked against the rung's `link` libraries.
fn build_cpp_ext(
    venv: &Venv,
    dir: &Path,
    impl_file: &str,
    link: &[String],
    log: &Path,
    fair: bool,
) -> Result<BuildInfo> {
    let stem = module_name(impl_file);
    let vars = python_build_vars(venv)?;
    // The interpreter's own flags first, as setuptools does for a C++ extension; ladder's mode flags after them.
    // (CPython's CFLAGS are C flags: g++ ignores the C-only ones with a warning, as under setuptools.)
    let flags: Vec<String> = vars.cflags.iter().cloned().chain(c_flags(fair)).collect();
    let mut cxx = Command::new(cxx_program());
    cxx.args(&flags)
        .args(["-std=c++17", "-shared", "-fPIC", "-fvisibility=hidden"])
        .arg(format!("-I{}", vars.include))
        .arg(impl_file)
        .arg("-o")
        .arg(format!("{stem}{}", vars.ext_suffix))
        .args(link.iter().map(|l| format!("-l{l}")))
        .current_dir(dir);
    let line = shown(&cxx);
    run_logged(&mut cxx, log).context("compiling the C++ extension failed")?;
    let mut info = fp_info("cpp-ext", vec![line], flags, fair);
    if let Some(v) = super::tools::which(&cxx_program())
        .and_then(|p| super::tools::version_line(&p, "--version"))
    {
        info.compiler = v;
    }
    Ok(info)
}

/// Codon compiles the implementation (a Python module in Codon's subset, its functions typed) to an object file
/// with `-pyext`, and `cc` links it against Codon's runtime into a CPython extension, exactly as the package's own
/// setuptools helper does. The compiler comes from the rung's pinned `codon-compiler-demo` wheel in the venv,
/// which says where its binary and libraries are. Codon targets the host CPU; under `--fair` LLVM is told not to
/// fuse multiplies and adds (`--fp-contract=off`). Codon has no fast-math unless asked (`--fast-math`).
fn build_codon(
    venv: &Venv,
    dir: &Path,
    impl_file: &str,
    log: &Path,
    fair: bool,
    extras: Extras,
) -> Result<BuildInfo> {
    let stem = module_name(impl_file);
    let ext_suffix = python_build_vars(venv)?.ext_suffix;
    let out = Command::new(&venv.python)
        .args([
            "-c",
            "import codon_compiler_demo.paths as p; print(p.CODON_BIN); print(p.CODON_LIB)",
        ])
        .output()
        .context("asking the venv for the Codon compiler (codon-compiler-demo)")?;
    let text = String::from_utf8_lossy(&out.stdout);
    let (codon, lib) = match (text.lines().next(), text.lines().nth(1)) {
        (Some(bin), Some(lib)) if out.status.success() => (bin.to_string(), lib.to_string()),
        _ => bail!(
            "the venv's codon-compiler-demo package did not say where its compiler is: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ),
    };
    let mut flags = vec!["-release".to_string()];
    if fair {
        flags.push("--fp-contract=off".into());
    }
    if extras.fast_math {
        flags.push("-fast-math".into());
    }
    let object = format!("{stem}.o");
    let mut compile = Command::new(&codon);
    compile
        .arg("build")
        .args(&flags)
        .args([
            "--relocation-model=pic",
            "-pyext",
            "-module",
            &stem,
            "-o",
            &object,
        ])
        .arg(impl_file)
        .current_dir(dir);
    let compile_line = shown(&compile);
    run_logged(&mut compile, log).context("codon build failed")?;
    let mut link = Command::new(cc_program());
    link.args(["-shared", &object, "-o"])
        .arg(format!("{stem}{ext_suffix}"))
        .arg(format!("-L{lib}"))
        .arg("-lcodonrt")
        // `@par` loops run on the OpenMP runtime the wheel ships beside libcodonrt.
        .args(extras.openmp.then_some("-lomp"))
        .arg(format!("-Wl,-rpath,{lib}"))
        .current_dir(dir);
    let link_line = shown(&link);
    run_logged(&mut link, &log.with_extension("link.log"))
        .context("linking the Codon extension failed")?;
    // Remove the source so the worker can only import the compiled module.
    std::fs::remove_file(dir.join(impl_file))?;
    let version = Command::new(&codon)
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    Ok(BuildInfo {
        kind: "codon".into(),
        commands: vec![compile_line, link_line],
        fast_math: extras.fast_math,
        cflags: flags,
        compiler: format!("codon {version} (PyPI codon-compiler-demo)"),
        march: Some("native (Codon targets the host CPU)".into()),
        fp_contract: if fair {
            "off".into()
        } else {
            "LLVM's default (Codon)".into()
        },
        fma: !fair && cpu_has_fma(),
        fair,
        annotation: None,
        build_ms: None,
        wheel: None,
    })
}

/// Copies every Cython annotation page of the run beside its results document
/// (`<results stem>.<benchmark>.cython.html`), and returns where they went.
pub fn keep_annotations(
    results: &crate::results::Results,
    json_path: &Path,
) -> Result<Vec<PathBuf>> {
    let stem = json_path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("results");
    let mut kept = Vec::new();
    for cell in &results.cells {
        let Some(page) = cell.build.as_ref().and_then(|b| b.annotation.as_ref()) else {
            continue;
        };
        let to = json_path.with_file_name(format!("{stem}.{}.{}.html", cell.benchmark, cell.rung));
        if kept.contains(&to) {
            continue;
        }
        std::fs::copy(page, &to)
            .with_context(|| format!("copying {} to {}", page.display(), to.display()))?;
        kept.push(to);
    }
    Ok(kept)
}

/// `$CXX`, else `c++`.
pub fn cxx_program() -> String {
    std::env::var("CXX")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "c++".into())
}

/// `$CC`, else `cc`.
pub fn cc_program() -> String {
    std::env::var("CC")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "cc".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request<'a>(
        bench: &'a Benchmark,
        fair: bool,
        annotate: bool,
        kind: BuildKind,
    ) -> BuildRequest<'a> {
        BuildRequest {
            home: Path::new("/nonexistent"),
            kind,
            rung: "c",
            tier: Tier::Study,
            bench,
            impl_file: "c_impl.py",
            python: Path::new("/usr/bin/python3"),
            venv: None,
            packages: &[],
            fair,
            annotate,
            link: &[],
        }
    }

    fn nbody() -> Benchmark {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalog");
        crate::catalog::Catalog::load(&dir)
            .unwrap()
            .benchmark("nbody")
            .unwrap()
            .clone()
    }

    #[test]
    fn fair_builds_turn_fma_contraction_off_and_get_their_own_cache_entry() {
        assert!(!c_flags(false).iter().any(|f| f.contains("fp-contract")));
        assert!(c_flags(true).contains(&"-ffp-contract=off".to_string()));
        assert!(!c_flags(true).iter().any(|f| f.contains("fast-math")));
        let bench = nbody();
        let files = vec!["c_impl.py".to_string(), "nbody.c".to_string()];
        let best = cache_key(&request(&bench, false, false, BuildKind::Cc), &files).unwrap();
        let fair = cache_key(&request(&bench, true, false, BuildKind::Cc), &files).unwrap();
        assert_ne!(best, fair);
        // --annotate rebuilds Cython only.
        let annotated = cache_key(&request(&bench, false, true, BuildKind::Cc), &files).unwrap();
        assert_eq!(best, annotated);
        let cy = cache_key(&request(&bench, false, false, BuildKind::Cython), &files).unwrap();
        let cy_annotated =
            cache_key(&request(&bench, false, true, BuildKind::Cython), &files).unwrap();
        assert_ne!(cy, cy_annotated);
    }

    #[test]
    fn an_interpreter_without_headers_is_reported_as_such() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let python = tmp.path().join("python");
        // Answers the sysconfig question the way a python3 without python3-dev does: a folder with no Python.h.
        std::fs::write(
            &python,
            format!(
                "#!/bin/sh\necho {}/include\necho .so\n",
                tmp.path().display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&python, std::fs::Permissions::from_mode(0o755)).unwrap();
        let venv = Venv {
            dir: tmp.path().to_path_buf(),
            python: python.clone(),
        };
        let err = check_python_headers(&venv).unwrap_err();
        let missing = err.downcast_ref::<MissingPythonHeaders>().unwrap();
        assert_eq!(missing.python, python);
        assert!(err.to_string().contains("no Python.h in"), "{err}");
        std::fs::create_dir_all(tmp.path().join("include")).unwrap();
        std::fs::write(tmp.path().join("include/Python.h"), "").unwrap();
        check_python_headers(&venv).unwrap();
    }

    #[test]
    fn build_records_say_what_the_compiler_may_fuse() {
        let fair = fp_info("cc", vec![], c_flags(true), true);
        assert_eq!(fair.fp_contract, "off");
        assert!(!fair.fma && !fair.fast_math && fair.fair);
        assert_eq!(fair.march.as_deref(), Some("native"));
        let best = fp_info("cc", vec![], c_flags(false), false);
        assert!(best.fp_contract.starts_with("fast"));
        // gcc may fuse under -march=native exactly when this CPU has FMA.
        assert_eq!(best.fma, cpu_has_fma());
        // Without -march=native (mypyc, Nuitka: the x86-64 baseline) nothing can be fused.
        let baseline = fp_info(
            "nuitka",
            vec![],
            vec!["-O3".into(), "-march=x86-64".into()],
            false,
        );
        assert!(!baseline.fma);
        let fast = fp_info(
            "cc",
            vec![],
            vec!["-O3".into(), "-ffast-math".into()],
            false,
        );
        assert!(fast.fast_math);
    }
}
