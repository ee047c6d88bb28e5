//! System tools the rungs need (a C compiler, cargo), found on PATH with their versions.

use serde::Serialize;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    pub name: String,
    pub path: Option<PathBuf>,
    /// The first line the tool prints for its version flag.
    pub version: Option<String>,
    /// What it is needed for.
    pub needed_by: String,
    /// The command that gets it when it is missing.
    pub get: String,
}

/// Looks a program up on PATH the way a shell would.
pub fn which(program: &str) -> Option<PathBuf> {
    if program.contains('/') {
        let p = PathBuf::from(program);
        return p.is_file().then_some(p);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(program))
        .find(|p| is_executable(p))
}

pub fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

pub fn version_line(program: &Path, flag: &str) -> Option<String> {
    let out = Command::new(program).arg(flag).output().ok()?;
    let text = if out.stdout.is_empty() {
        out.stderr
    } else {
        out.stdout
    };
    String::from_utf8_lossy(&text)
        .lines()
        .next()
        .map(|l| l.trim().to_string())
}

fn tool(name: &str, program: &str, needed_by: &str, get: &str) -> Tool {
    let path = which(program);
    Tool {
        name: name.into(),
        version: path.as_deref().and_then(|p| version_line(p, "--version")),
        path,
        needed_by: needed_by.into(),
        get: get.into(),
    }
}

/// Where a C/C++ header is installed: `$CPATH` / `$CPLUS_INCLUDE_PATH` first, then the folders gcc searches on
/// Debian (`/usr/local/include`, the multiarch folder, `/usr/include`). No compiler run: this is asked while
/// planning, for every rung that names a `needs_header`.
pub fn find_header(name: &str) -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = ["CPLUS_INCLUDE_PATH", "CPATH"]
        .iter()
        .filter_map(std::env::var_os)
        .flat_map(|v| std::env::split_paths(&v).collect::<Vec<_>>())
        .filter(|d| !d.as_os_str().is_empty())
        .collect();
    dirs.push(PathBuf::from("/usr/local/include"));
    dirs.push(PathBuf::from(format!(
        "/usr/include/{}-linux-gnu",
        std::env::consts::ARCH
    )));
    dirs.push(PathBuf::from("/usr/include"));
    dirs.into_iter().map(|d| d.join(name)).find(|p| p.is_file())
}

/// The system tools ladder uses.
pub fn probe_tools() -> Vec<Tool> {
    vec![
        tool(
            "cc",
            &super::build::cc_program(),
            "the c, cython and mypyc rungs",
            "apt-get install gcc",
        ),
        tool(
            "cargo",
            "cargo",
            "the rust rung (maturin builds the PyO3 extension with it)",
            "curl https://sh.rustup.rs -sSf | sh",
        ),
        tool(
            "rustc",
            "rustc",
            "the rust rung",
            "curl https://sh.rustup.rs -sSf | sh",
        ),
    ]
}
