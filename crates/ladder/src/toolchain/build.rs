//! Build steps, one per build kind, each cached under `$LADDER_HOME/builds` by a hash of everything that goes into
//! it (sources, flags, interpreter, pinned tools), so a second run reuses the first run's builds.

use super::run_logged;
use super::venv::Venv;
use crate::catalog::{Benchmark, BuildKind};
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Flags for every C compile (the `c` rung and the C that Cython generates): what an expert shipping for this
/// machine would use. No -ffast-math: the checks pin results to 9 decimals and the study's rungs did not agree on it.
pub const C_FLAGS: [&str; 2] = ["-O3", "-march=native"];

/// What the worker imports for one cell, and how it was made.
#[derive(Debug, Clone)]
pub struct Built {
    pub module_dir: PathBuf,
    pub module: String,
    /// True when the worker must find an extension module (mypyc, Cython), not the `.py` source.
    pub compiled: bool,
    pub info: BuildInfo,
}

/// Recorded in the results for every cell.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct BuildInfo {
    pub kind: String,
    /// The compiler command lines and flags, as run.
    pub commands: Vec<String>,
    pub cflags: Vec<String>,
    pub fast_math: bool,
}

pub struct BuildRequest<'a> {
    pub home: &'a Path,
    pub kind: BuildKind,
    pub rung: &'a str,
    pub bench: &'a Benchmark,
    pub impl_file: &'a str,
    /// The interpreter the rung runs on (the venv's, when it has one).
    pub python: &'a Path,
    /// The venv the rung runs in (`None` for rungs that run on a bare interpreter).
    pub venv: Option<&'a Venv>,
    /// The rung's pinned packages: part of what a build depends on.
    pub packages: &'a [String],
}

pub fn module_name(impl_file: &str) -> String {
    Path::new(impl_file)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_string()
}

/// Builds (or finds the cached build of) one rung's implementation of one benchmark.
pub fn build(req: &BuildRequest) -> Result<Built> {
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
    let mut files = vec![req.impl_file.to_string()];
    files.extend(req.bench.sources.get(req.rung).cloned().unwrap_or_default());
    // Everything the build depends on: the interpreter, the rung's pins, the compiler and its flags, the sources.
    let mut hasher = Sha256::new();
    let cc = cc_program();
    let cc_version = super::tools::which(&cc)
        .and_then(|p| super::tools::version_line(&p, "--version"))
        .unwrap_or_default();
    hasher.update(format!(
        "{:?}|{}|{}|{cc}|{cc_version}|{C_FLAGS:?}|",
        req.kind,
        req.python.display(),
        req.packages.join(",")
    ));
    for f in &files {
        hasher.update(f.as_bytes());
        hasher
            .update(std::fs::read(req.bench.dir.join(f)).with_context(|| format!("reading {f}"))?);
    }
    let hash = crate::catalog::hex(&hasher.finalize()[..8]);
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
            BuildKind::Mypyc | BuildKind::Cython | BuildKind::Pythran
        ),
        info,
    };
    if let Ok(text) = std::fs::read_to_string(&info_file)
        && let Ok(info) = serde_json::from_str::<BuildInfo>(&text)
    {
        return Ok(built(info));
    }
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    for f in &files {
        std::fs::copy(req.bench.dir.join(f), dir.join(f))
            .with_context(|| format!("copying {f}"))?;
    }
    let log = dir.join("build.log");
    let info = match req.kind {
        BuildKind::Mypyc => build_mypyc(
            req.venv.context("mypyc runs in a venv")?,
            &dir,
            req.impl_file,
            &log,
        )?,
        BuildKind::Cython => build_cython(
            req.venv.context("Cython runs in a venv")?,
            &dir,
            req.impl_file,
            &log,
        )?,
        BuildKind::Pythran => build_pythran(
            req.venv.context("Pythran runs in a venv")?,
            &dir,
            req.impl_file,
            &log,
        )?,
        BuildKind::Cc => build_cc(&dir, &req.bench.id, req.bench.sources.get(req.rung), &log)?,
        BuildKind::None | BuildKind::Maturin => unreachable!("handled above"),
    };
    std::fs::write(&info_file, serde_json::to_string_pretty(&info)?)?;
    Ok(built(info))
}

fn shown(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

/// Also used by `ladder climb` on the user's hot modules (in a copy).
pub fn build_mypyc(venv: &Venv, dir: &Path, impl_file: &str, log: &Path) -> Result<BuildInfo> {
    let mut cmd = Command::new(&venv.python);
    cmd.args(["-m", "mypyc", impl_file]).current_dir(dir);
    let line = shown(&cmd);
    run_logged(&mut cmd, log).context("mypyc build failed")?;
    // Remove the source so the worker can only import the compiled module.
    std::fs::remove_file(dir.join(impl_file))?;
    let _ = std::fs::remove_dir_all(dir.join("build"));
    Ok(BuildInfo {
        kind: "mypyc".into(),
        commands: vec![line],
        cflags: vec!["(mypyc's defaults, -O3 via setuptools)".into()],
        fast_math: false,
    })
}

/// The include folder and extension suffix of the venv's interpreter.
fn python_build_vars(venv: &Venv) -> Result<(String, String)> {
    let out = Command::new(&venv.python)
        .args([
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['include']); print(sysconfig.get_config_var('EXT_SUFFIX'))",
        ])
        .output()
        .context("asking the venv's python for its include folder")?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines = text.lines();
    match (lines.next(), lines.next()) {
        (Some(inc), Some(ext)) if out.status.success() => Ok((inc.to_string(), ext.to_string())),
        _ => bail!(
            "{} did not report its include folder and EXT_SUFFIX",
            venv.python.display()
        ),
    }
}

/// Also used by `ladder climb` (Cython's pure-Python mode on the user's unchanged `.py`, in a copy).
pub fn build_cython(venv: &Venv, dir: &Path, impl_file: &str, log: &Path) -> Result<BuildInfo> {
    let stem = module_name(impl_file);
    let c_file = format!("{stem}.c");
    let mut cython = Command::new(&venv.python);
    cython
        .args(["-m", "cython", "-3", impl_file, "-o", &c_file])
        .current_dir(dir);
    let mut commands = vec![shown(&cython)];
    run_logged(&mut cython, log).context("cython failed")?;
    let (include, ext_suffix) = python_build_vars(venv)?;
    let mut cc = Command::new(cc_program());
    cc.args(C_FLAGS)
        .args(["-shared", "-fPIC", "-fno-strict-aliasing"])
        .arg(format!("-I{include}"))
        .arg(&c_file)
        .arg("-o")
        .arg(format!("{stem}{ext_suffix}"))
        .current_dir(dir);
    commands.push(shown(&cc));
    run_logged(&mut cc, &log.with_extension("cc.log")).context("compiling Cython's C failed")?;
    std::fs::remove_file(dir.join(impl_file))?;
    Ok(BuildInfo {
        kind: "cython".into(),
        commands,
        cflags: C_FLAGS.iter().map(|s| s.to_string()).collect(),
        fast_math: false,
    })
}

/// Pythran compiles the module's `#pythran export` functions to a C++ extension (it calls the C++ compiler itself).
fn build_pythran(venv: &Venv, dir: &Path, impl_file: &str, log: &Path) -> Result<BuildInfo> {
    let stem = module_name(impl_file);
    let (_, ext_suffix) = python_build_vars(venv)?;
    let mut cmd = Command::new(venv.bin("pythran"));
    cmd.args(C_FLAGS)
        .arg(impl_file)
        .arg("-o")
        .arg(format!("{stem}{ext_suffix}"))
        .current_dir(dir);
    let line = shown(&cmd);
    run_logged(&mut cmd, log).context("pythran build failed")?;
    // Remove the source so the worker can only import the compiled module.
    std::fs::remove_file(dir.join(impl_file))?;
    Ok(BuildInfo {
        kind: "pythran".into(),
        commands: vec![line],
        cflags: C_FLAGS.iter().map(|s| s.to_string()).collect(),
        fast_math: false,
    })
}

fn build_cc(
    dir: &Path,
    bench_id: &str,
    sources: Option<&Vec<String>>,
    log: &Path,
) -> Result<BuildInfo> {
    let sources = sources.filter(|s| !s.is_empty()).with_context(|| {
        format!(
            "benchmark {bench_id}: the c rung needs `[sources] c = [...]` in its benchmark.toml"
        )
    })?;
    let mut cc = Command::new(cc_program());
    cc.args(C_FLAGS)
        .args(["-shared", "-fPIC", "-o"])
        .arg(format!("lib{}.so", bench_id.replace('-', "_")))
        .args(sources)
        .arg("-lm")
        .current_dir(dir);
    let line = shown(&cc);
    run_logged(&mut cc, log).context("cc failed")?;
    Ok(BuildInfo {
        kind: "cc".into(),
        commands: vec![line],
        cflags: C_FLAGS.iter().map(|s| s.to_string()).collect(),
        fast_math: false,
    })
}

/// `$CC`, else `cc`.
pub fn cc_program() -> String {
    std::env::var("CC")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "cc".into())
}

/// Builds the Rust rung's extension with maturin and installs it into `venv`, once per crate source.
pub fn ensure_kernels(home: &Path, venv: &Venv) -> Result<BuildInfo> {
    let crate_dir = crate::catalog::embedded_kernels_crate(home)?;
    let source_hash = crate_dir
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_string();
    let stamp = venv.dir.join("ladder-kernels.txt");
    let mut maturin = Command::new(venv.bin("maturin"));
    let wheels = home.join("builds").join("rust").join(&source_hash);
    maturin
        .args(["build", "--release", "--manifest-path"])
        .arg(crate_dir.join("Cargo.toml"))
        .arg("--interpreter")
        .arg(&venv.python)
        .arg("--out")
        .arg(&wheels)
        .env("CARGO_TARGET_DIR", home.join("cargo-target"));
    let info = BuildInfo {
        kind: "maturin".into(),
        commands: vec![shown(&maturin)],
        cflags: vec![format!(
            "cargo --release, {}",
            crate::catalog::KERNELS_PROFILE
                .lines()
                .skip(1)
                .collect::<Vec<_>>()
                .join(", ")
        )],
        fast_math: false,
    };
    if std::fs::read_to_string(&stamp).is_ok_and(|s| s.trim() == source_hash) {
        return Ok(info);
    }
    let _ = std::fs::remove_dir_all(&wheels);
    run_logged(&mut maturin, &wheels.with_extension("log"))
        .context("maturin build of the Rust rung failed")?;
    let wheel = std::fs::read_dir(&wheels)?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "whl"))
        .with_context(|| format!("maturin left no wheel in {}", wheels.display()))?;
    venv.pip_install(
        [
            OsStr::new("--force-reinstall"),
            OsStr::new("--no-deps"),
            wheel.as_os_str(),
        ],
        &wheels.with_extension("pip.log"),
    )
    .context("installing the Rust rung's wheel")?;
    std::fs::write(&stamp, &source_hash)?;
    Ok(info)
}
