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
