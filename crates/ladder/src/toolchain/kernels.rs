//! The Rust rung's extension module in its venv, by one of two routes: with cargo on PATH, maturin builds the
//! crate ladder embeds (as a developer would); without it, a prebuilt ladder-kernels wheel of the same crate is
//! installed (`prebuilt`). The cell's build record says which (`kind` `maturin` or `prebuilt-wheel`, and the
//! wheel's file name, which carries its version and ABI).

use super::build::{BuildInfo, shown};
use super::prebuilt;
use super::run_logged;
use super::venv::Venv;
use crate::results::Runtime;
use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

/// `kind` of a build record for the Rust rung installed from a prebuilt wheel.
pub const PREBUILT_KIND: &str = "prebuilt-wheel";

/// What the Rust rung needs and this machine lacks: no cargo and no prebuilt wheel that fits the interpreter.
/// The cell is `unavailable` (the tools are missing), not `failed`.
#[derive(Debug)]
pub struct NoKernels(pub String);

impl std::fmt::Display for NoKernels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NoKernels {}

/// What gets the Rust rung on a machine without it.
pub const KERNELS_GET: &str = "pip install optimization-ladder (it ships prebuilt wheels of the Rust rung), or install Rust: curl https://sh.rustup.rs -sSf | sh";

/// The release profile the Rust rung is built with, by either route.
fn release_profile() -> String {
    format!(
        "cargo --release, {}",
        crate::catalog::KERNELS_PROFILE
            .lines()
            .skip(1)
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// What every Rust rung build record says, whichever route made it.
fn kernels_info(kind: &str, command: String) -> BuildInfo {
    // The crate picks its floating-point rules itself at run time (LADDER_FAIR reaches the worker); each cell's
    // `impl_info` (from `ladder_info()`) says which path ran.
    BuildInfo {
        kind: kind.into(),
        commands: vec![command],
        cflags: vec![release_profile()],
        // `fma` stays false: it means implicit fusing by the compiler, which rustc never does. FMA instructions the
        // kernels call explicitly are theirs to report (`impl_info`).
        fp_contract:
            "off (rustc never fuses implicitly; explicit FMA intrinsics are reported in impl_info)"
                .into(),
        ..BuildInfo::default()
    }
}

/// Puts the Rust rung's extension into `venv` (the venv of `runtime`): built from source when cargo is on PATH,
/// else from a prebuilt wheel.
pub fn ensure_kernels(home: &Path, venv: &Venv, runtime: &Runtime) -> Result<BuildInfo> {
    if super::tools::which("cargo").is_some() {
        return build_from_source(home, venv);
    }
    let dir = prebuilt::wheels_dir().ok_or_else(|| {
        NoKernels(format!(
            "no Rust toolchain found (cargo), and no prebuilt ladder-kernels wheels ({})",
            prebuilt::where_looked()
        ))
    })?;
    install_prebuilt(&dir, venv, runtime)
}

/// Installs the prebuilt wheel that fits `runtime` from `dir` into `venv`, once per wheel.
fn install_prebuilt(dir: &Path, venv: &Venv, runtime: &Runtime) -> Result<BuildInfo> {
    let version = crate::catalog::embedded_kernels_version();
    let names = prebuilt::wheel_names(dir);
    let name = prebuilt::choose_wheel(&names, &version, &runtime.minor(), runtime.free_threaded)
        .ok_or_else(|| {
            NoKernels(format!(
                "no Rust toolchain found (cargo), and no prebuilt ladder-kernels {version} wheel for {} in {} (it has: {})",
                runtime.id,
                dir.display(),
                if names.is_empty() { "none".to_string() } else { names.join(", ") }
            ))
        })?;
    let wheel = dir.join(name);
    let bytes = std::fs::read(&wheel).with_context(|| format!("reading {}", wheel.display()))?;
    let stamp_text = format!(
        "prebuilt {name} {}",
        crate::catalog::hex(&Sha256::digest(&bytes)[..8])
    );
    let args = [
        OsStr::new("--force-reinstall"),
        OsStr::new("--no-deps"),
        OsStr::new("--no-index"),
        wheel.as_os_str(),
    ];
    let mut pip = Command::new(&venv.python);
    pip.args(["-m", "pip", "install"]).args(args);
    let mut info = kernels_info(PREBUILT_KIND, shown(&pip));
    info.wheel = Some(name.to_string());
    let _lock = super::venv::lock(&venv.dir)?;
    if stamp(venv).is_some_and(|s| s == stamp_text) {
        return Ok(info);
    }
    let log = venv.dir.join("ladder-kernels-prebuilt.pip.log");
    venv.pip_install(args, &log)
        .with_context(|| format!("installing the prebuilt Rust rung {}", wheel.display()))?;
    std::fs::write(stamp_file(venv), &stamp_text)?;
    Ok(info)
}

/// What the venv's Rust rung came from (a source hash, or `prebuilt <wheel> <hash>`).
fn stamp_file(venv: &Venv) -> PathBuf {
    venv.dir.join("ladder-kernels.txt")
}

fn stamp(venv: &Venv) -> Option<String> {
    std::fs::read_to_string(stamp_file(venv))
        .ok()
        .map(|s| s.trim().to_string())
}

/// Builds the Rust rung's extension with maturin and installs it into `venv`, once per crate source.
fn build_from_source(home: &Path, venv: &Venv) -> Result<BuildInfo> {
    let crate_dir = crate::catalog::embedded_kernels_crate(home)?;
    let source_hash = crate_dir
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_string();
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
    let mut info = kernels_info("maturin", shown(&maturin));
    // one build and install at a time into this venv (see `venv::lock`)
    let _lock = super::venv::lock(&venv.dir)?;
    if stamp(venv).is_some_and(|s| s == source_hash) {
        info.wheel = built_wheel(&wheels).and_then(|w| Some(w.file_name()?.to_str()?.to_string()));
        return Ok(info);
    }
    let _ = std::fs::remove_dir_all(&wheels);
    run_logged(&mut maturin, &wheels.with_extension("log"))
        .context("maturin build of the Rust rung failed")?;
    let wheel = built_wheel(&wheels)
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
    std::fs::write(stamp_file(venv), &source_hash)?;
    info.wheel = wheel
        .file_name()
        .and_then(|n| n.to_str())
        .map(str::to_string);
    Ok(info)
}

fn built_wheel(dir: &Path) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "whl"))
}
