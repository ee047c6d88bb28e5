//! Venvs that ladder manages under `$LADDER_HOME/venvs`, one per runtime, with pinned packages installed on first
//! need and reused after.

use super::discover::Runtime;
use super::run_logged;
use anyhow::{Context, Result, bail};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Debug, Clone)]
pub struct Venv {
    pub dir: PathBuf,
    pub python: PathBuf,
}

impl Venv {
    pub fn bin(&self, tool: &str) -> PathBuf {
        self.dir.join("bin").join(tool)
    }

    fn installed_file(&self) -> PathBuf {
        self.dir.join("ladder-installed.txt")
    }

    /// `pip install ARGS` into this venv, quietly, with the output kept in `log`.
    pub fn pip_install<I, S>(&self, args: I, log: &Path) -> Result<std::process::Output>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        run_logged(
            Command::new(&self.python)
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--disable-pip-version-check",
                    "--no-input",
                    "-q",
                ])
                .args(args),
            log,
        )
    }

    /// The requirements already installed by ladder (one pinned requirement a line).
    pub fn installed(&self) -> BTreeSet<String> {
        std::fs::read_to_string(self.installed_file())
            .map(|s| s.lines().map(str::to_string).collect())
            .unwrap_or_default()
    }
}

/// An exclusive lock on the venv at `dir` (the file `<dir>.lock` beside it), held while the venv is created or
/// installed into and released when dropped. ladder processes sharing a home (parallel runs, the test suite's
/// threads) would otherwise run pip into one venv at once, and one pip can read the other's half-written package
/// metadata (seen in CI: pip's version parser failing on `None`).
pub fn lock(dir: &Path) -> Result<std::fs::File> {
    if let Some(parent) = dir.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let path = dir.with_extension("lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("opening {}", path.display()))?;
    file.lock()
        .with_context(|| format!("locking {}", path.display()))?;
    Ok(file)
}

/// The command a user runs to get what a failed provisioning step needed.
pub fn pip_command(python: &Path, packages: &[String]) -> String {
    format!("{} -m pip install {}", python.display(), packages.join(" "))
}

/// Creates (once) the venv for `runtime` under `home/venvs/<runtime id>`.
pub fn ensure_venv(home: &Path, runtime: &Runtime) -> Result<Venv> {
    let dir = home.join("venvs").join(&runtime.id);
    let venv = Venv {
        python: dir.join("bin").join("python"),
        dir: dir.clone(),
    };
    let _lock = lock(&dir)?;
    let stamp = dir.join("ladder-runtime.txt");
    let wanted = format!("{}\n{}\n", runtime.executable.display(), runtime.version);
    if venv.python.is_file() && std::fs::read_to_string(&stamp).is_ok_and(|s| s == wanted) {
        return Ok(venv);
    }
    if !runtime.has_venv {
        bail!(
            "{} has no venv/ensurepip module, so ladder cannot make a venv for it (on Debian: apt-get install python3-venv)",
            runtime.executable.display()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(home.join("venvs"))?;
    run_logged(
        Command::new(&runtime.executable)
            .args(["-m", "venv"])
            .arg(&dir),
        &home.join("logs").join(format!("venv-{}.log", runtime.id)),
    )
    .with_context(|| format!("creating the venv for {}", runtime.id))?;
    std::fs::write(&stamp, wanted)?;
    Ok(venv)
}

/// Installs the pinned `packages` that this venv lacks.
pub fn ensure_packages(home: &Path, venv: &Venv, packages: &[String]) -> Result<()> {
    // read under the lock: another process may have just installed some of them
    let _lock = lock(&venv.dir)?;
    let mut installed = venv.installed();
    let missing: Vec<String> = packages
        .iter()
        .filter(|p| !installed.contains(*p))
        .cloned()
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let log = home.join("logs").join(format!(
        "pip-{}.log",
        venv.dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("venv")
    ));
    venv.pip_install(&missing, &log).with_context(|| {
        format!(
            "installing {} (by hand: {})",
            missing.join(" "),
            pip_command(&venv.python, &missing)
        )
    })?;
    installed.extend(missing.iter().cloned());
    let text: String = installed.iter().map(|p| format!("{p}\n")).collect();
    std::fs::write(venv.installed_file(), text)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};

    #[test]
    fn a_venv_lock_is_held_by_one_holder_at_a_time() {
        let home = std::env::temp_dir().join(format!("ladder-venv-lock-{}", std::process::id()));
        let dir = home.join("venvs").join("cpython-3.13");
        let inside = AtomicBool::new(false);
        std::thread::scope(|scope| {
            for _ in 0..4 {
                scope.spawn(|| {
                    for _ in 0..5 {
                        let _lock = lock(&dir).expect("lock");
                        assert!(!inside.swap(true, Ordering::SeqCst), "two holders at once");
                        std::thread::sleep(std::time::Duration::from_millis(5));
                        inside.store(false, Ordering::SeqCst);
                    }
                });
            }
        });
        assert!(dir.with_extension("lock").is_file());
        let _ = std::fs::remove_dir_all(&home);
    }
}
