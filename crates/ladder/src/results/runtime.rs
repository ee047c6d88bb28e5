//! The runtimes a results document records: each interpreter as it described itself when it was discovered
//! (`toolchain::discover` finds and probes them; this is the record, shared by every stage and report).

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Implementation {
    Cpython,
    Pypy,
    Graalpy,
    Other,
}

/// One interpreter, as it described itself.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Runtime {
    /// `cpython-3.13`, `cpython-3.13t` (free-threaded), `pypy-3.9`: what `--baseline` and the results use.
    pub id: String,
    pub implementation: Implementation,
    /// Python language version, e.g. `3.13.0`.
    pub version: String,
    /// The implementation's own version where it differs (PyPy 7.3.11).
    pub implementation_version: String,
    pub executable: PathBuf,
    pub free_threaded: bool,
    /// `final` for releases; `alpha`, `beta` or `candidate` for pre-releases (never a default baseline).
    /// Results written before this field existed were all of final releases.
    #[serde(default = "final_release")]
    pub release_level: String,
    /// Whether this build has CPython's experimental JIT compiled in.
    pub jit_available: bool,
    pub has_venv: bool,
    /// Where it was found: `PATH`, `pyenv`, `uv`.
    pub found_via: String,
}

impl Runtime {
    /// `3.13` from `3.13.0`.
    pub fn minor(&self) -> String {
        self.version
            .split('.')
            .take(2)
            .collect::<Vec<_>>()
            .join(".")
    }

    /// The version as numbers, for ordering (`3.13.0` -> [3, 13, 0]).
    pub fn version_key(&self) -> Vec<u64> {
        self.version
            .split(|c: char| !c.is_ascii_digit())
            .filter_map(|p| p.parse().ok())
            .collect()
    }

    /// The key under which the study's figures are filed: `3.13`, or `3.14t` for a free-threaded build.
    pub fn study_key(&self) -> String {
        format!(
            "{}{}",
            self.minor(),
            if self.free_threaded { "t" } else { "" }
        )
    }

    pub fn display_name(&self) -> String {
        match self.implementation {
            Implementation::Cpython => format!(
                "CPython {}{}",
                self.version,
                if self.free_threaded { "t" } else { "" }
            ),
            Implementation::Pypy => format!(
                "PyPy {} (Python {})",
                self.implementation_version, self.version
            ),
            Implementation::Graalpy => format!(
                "GraalPy {} (Python {})",
                self.implementation_version, self.version
            ),
            Implementation::Other => format!("Python {}", self.version),
        }
    }
}

fn final_release() -> String {
    "final".into()
}
