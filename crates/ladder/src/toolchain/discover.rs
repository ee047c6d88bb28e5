//! Runtime discovery: every Python interpreter on PATH, in pyenv and in uv's managed pythons, probed for what
//! it really is (never guessed from its file name), de-duplicated, and sorted into the runtimes a run uses.

use crate::error::UsageError;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where to look. `from_env` reads the real environment; tests point it at folders of fake interpreters.
#[derive(Debug, Clone, Default)]
pub struct SearchPaths {
    pub path_dirs: Vec<PathBuf>,
    pub pyenv_root: Option<PathBuf>,
    pub uv_python_dir: Option<PathBuf>,
}

impl SearchPaths {
    pub fn from_env() -> SearchPaths {
        let home = std::env::var_os("HOME").map(PathBuf::from);
        let path_dirs = std::env::var_os("PATH")
            .map(|p| std::env::split_paths(&p).collect())
            .unwrap_or_default();
        let pyenv_root = std::env::var_os("PYENV_ROOT")
            .map(PathBuf::from)
            .or_else(|| home.as_ref().map(|h| h.join(".pyenv")));
        let uv_python_dir = std::env::var_os("UV_PYTHON_INSTALL_DIR")
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("XDG_DATA_HOME")
                    .map(PathBuf::from)
                    .or_else(|| home.as_ref().map(|h| h.join(".local/share")))
                    .map(|d| d.join("uv/python"))
            });
        SearchPaths {
            path_dirs,
            pyenv_root,
            uv_python_dir,
        }
    }
}

pub use crate::results::runtime::{Implementation, Runtime};

/// An interpreter that was found but is not used, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    pub path: PathBuf,
    pub reason: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Discovery {
    /// The runtimes a run uses: one per implementation, minor version and build flavour, newest patch first found.
    pub runtimes: Vec<Runtime>,
    pub skipped: Vec<Skipped>,
}

/// The oldest CPython the ladder's worker and rung files support.
pub const MIN_CPYTHON: (u64, u64) = (3, 10);

const PROBE: &str = r#"
import json, os, platform, sys, sysconfig
try:
    import importlib.util as u
    has_venv = u.find_spec("venv") is not None and u.find_spec("ensurepip") is not None
except Exception:
    has_venv = False
print(json.dumps({
    "implementation": sys.implementation.name,
    "version": platform.python_version(),
    "implementation_version": ".".join(str(p) for p in sys.implementation.version[:3]),
    "executable": os.path.realpath(sys.executable),
    "free_threaded": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
    "release_level": sys.version_info.releaselevel,
    "jit_available": "_Py_JIT" in (sysconfig.get_config_var("PY_CORE_CFLAGS") or ""),
    "has_venv": has_venv,
}))
"#;

#[derive(Deserialize)]
struct ProbeOutput {
    implementation: String,
    version: String,
    implementation_version: String,
    executable: PathBuf,
    free_threaded: bool,
    release_level: String,
    jit_available: bool,
    has_venv: bool,
}

fn is_interpreter_name(name: &str) -> bool {
    let rest = ["python3", "pypy3", "graalpy", "pypy", "python"]
        .iter()
        .find_map(|p| name.strip_prefix(p));
    match rest {
        // python3, python3.13, python3.13t, pypy3.9 - but not python3-config or python3.13-gdb.py.
        Some(r) => {
            r.is_empty()
                || (r.starts_with('.')
                    && r[1..]
                        .trim_end_matches('t')
                        .chars()
                        .all(|c| c.is_ascii_digit())
                    && r.len() > 1)
        }
        None => false,
    }
}

/// Every candidate executable, with where it was found.
fn candidates(paths: &SearchPaths) -> Vec<(PathBuf, &'static str)> {
    let mut out = Vec::new();
    for dir in &paths.path_dirs {
        // pyenv's shims only forward to the versions found below; probing them would pick one at random.
        if dir.ends_with("shims") {
            continue;
        }
        push_matching(dir, "PATH", &mut out);
    }
    for (root, via) in [(&paths.pyenv_root, "pyenv"), (&paths.uv_python_dir, "uv")] {
        let Some(root) = root else { continue };
        let versions = if via == "pyenv" {
            root.join("versions")
        } else {
            root.clone()
        };
        let Ok(entries) = std::fs::read_dir(&versions) else {
            continue;
        };
        let mut dirs: Vec<_> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.path().join("bin"))
            .collect();
        dirs.sort();
        for bin in dirs {
            push_matching(&bin, via, &mut out);
        }
    }
    out
}

fn push_matching(dir: &Path, via: &'static str, out: &mut Vec<(PathBuf, &'static str)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut found: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_str().is_some_and(is_interpreter_name))
        .map(|e| e.path())
        .filter(|p| super::tools::is_executable(p))
        .collect();
    found.sort();
    out.extend(found.into_iter().map(|p| (p, via)));
}

fn probe(path: &Path) -> Result<ProbeOutput> {
    let out = Command::new(path)
        .args(["-I", "-c", PROBE])
        .stdin(std::process::Stdio::null())
        .output()
        .with_context(|| format!("running {}", path.display()))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        anyhow::bail!(
            "does not run the probe: {}",
            err.lines().last().unwrap_or("no output").trim()
        );
    }
    serde_json::from_slice(&out.stdout).context("printed something other than the probe's JSON")
}

/// Finds, probes and sorts every interpreter. Probes run in parallel: each costs an interpreter start-up.
pub fn discover(paths: &SearchPaths) -> Discovery {
    let candidates = candidates(paths);
    let probes: Vec<(PathBuf, &str, Result<ProbeOutput>)> = std::thread::scope(|s| {
        let handles: Vec<_> = candidates
            .iter()
            .map(|(p, via)| s.spawn(move || (p.clone(), *via, probe(p))))
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });

    let mut discovery = Discovery::default();
    let mut by_executable: BTreeMap<PathBuf, Runtime> = BTreeMap::new();
    for (path, via, probed) in probes {
        let p = match probed {
            Ok(p) => p,
            Err(e) => {
                discovery.skipped.push(Skipped {
                    path,
                    reason: format!("{e:#}"),
                });
                continue;
            }
        };
        let implementation = match p.implementation.as_str() {
            "cpython" => Implementation::Cpython,
            "pypy" => Implementation::Pypy,
            "graalpy" => Implementation::Graalpy,
            _ => Implementation::Other,
        };
        let minor: String = p.version.split('.').take(2).collect::<Vec<_>>().join(".");
        let prefix = match implementation {
            Implementation::Cpython => "cpython",
            Implementation::Pypy => "pypy",
            Implementation::Graalpy => "graalpy",
            Implementation::Other => p.implementation.as_str(),
        };
        let runtime = Runtime {
            id: format!("{prefix}-{minor}{}", if p.free_threaded { "t" } else { "" }),
            implementation,
            version: p.version,
            implementation_version: p.implementation_version,
            executable: p.executable.clone(),
            free_threaded: p.free_threaded,
            release_level: p.release_level,
            jit_available: p.jit_available,
            has_venv: p.has_venv,
            found_via: via.to_string(),
        };
        // The same interpreter is often reachable by several names (python3, python3.13, pyenv's bin).
        by_executable.entry(p.executable).or_insert(runtime);
    }

    // One runtime per id: the newest patch release wins, the others are listed as shadowed.
    let mut by_id: BTreeMap<String, Runtime> = BTreeMap::new();
    for rt in by_executable.into_values() {
        if rt.implementation == Implementation::Cpython && !supported_cpython(&rt) {
            discovery.skipped.push(Skipped {
                path: rt.executable.clone(),
                reason: format!(
                    "CPython {} is older than {}.{}, the oldest the ladder supports",
                    rt.version, MIN_CPYTHON.0, MIN_CPYTHON.1
                ),
            });
            continue;
        }
        match by_id.get(&rt.id) {
            Some(existing) if existing.version_key() >= rt.version_key() => {
                discovery.skipped.push(Skipped {
                    path: rt.executable.clone(),
                    reason: format!(
                        "{} is shadowed by {} at {}",
                        rt.version,
                        existing.version,
                        existing.executable.display()
                    ),
                });
            }
            _ => {
                if let Some(old) = by_id.insert(rt.id.clone(), rt.clone()) {
                    discovery.skipped.push(Skipped {
                        path: old.executable.clone(),
                        reason: format!(
                            "{} is shadowed by {} at {}",
                            old.version,
                            rt.version,
                            rt.executable.display()
                        ),
                    });
                }
            }
        }
    }
    let mut runtimes: Vec<Runtime> = by_id.into_values().collect();
    runtimes.sort_by(|a, b| {
        (a.implementation, a.free_threaded, a.version_key()).cmp(&(
            b.implementation,
            b.free_threaded,
            b.version_key(),
        ))
    });
    discovery.runtimes = runtimes;
    discovery.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    discovery
}

fn supported_cpython(rt: &Runtime) -> bool {
    let key = rt.version_key();
    (
        key.first().copied().unwrap_or(0),
        key.get(1).copied().unwrap_or(0),
    ) >= MIN_CPYTHON
}

impl Discovery {
    /// Runtimes that can be the baseline: final-release CPythons with the GIL (the study's baseline kind).
    pub fn baseline_candidates(&self) -> impl Iterator<Item = &Runtime> {
        self.runtimes.iter().filter(|r| {
            r.implementation == Implementation::Cpython
                && !r.free_threaded
                && r.release_level == "final"
        })
    }

    /// The default baseline: the newest of the baseline candidates.
    pub fn default_baseline(&self) -> Option<&Runtime> {
        self.baseline_candidates().max_by_key(|r| r.version_key())
    }

    /// Resolves `--baseline`: a runtime id (`cpython-3.12`) or a bare version (`3.12`).
    pub fn find(&self, wanted: &str) -> Option<&Runtime> {
        self.runtimes.iter().find(|r| r.id == wanted).or_else(|| {
            self.runtimes.iter().find(|r| {
                r.implementation == Implementation::Cpython
                    && !r.free_threaded
                    && r.minor() == wanted
            })
        })
    }
}

impl Discovery {
    /// The runtime `--baseline` names (a runtime id, or `3.12`), or the default baseline when none is named; a
    /// usage error when it names no runtime here or one that cannot be the baseline.
    pub fn resolve_baseline(&self, wanted: Option<&str>) -> Result<Option<&Runtime>> {
        let discovery = self;
        let Some(w) = wanted else {
            return Ok(discovery.default_baseline());
        };
        let valid: Vec<&str> = discovery
            .baseline_candidates()
            .map(|r| r.id.as_str())
            .collect();
        match discovery.find(w) {
        Some(r) if valid.contains(&r.id.as_str()) => Ok(Some(r)),
        Some(r) => Err(UsageError::new(format!(
            "--baseline {w}: {} cannot be the baseline (the compiled rungs build on it and every speedup is \
             against its cpython cell); use a final-release CPython: {}",
            r.id,
            valid.join(", ")
        ))
        .into()),
        None => Err(UsageError::new(format!("--baseline {w}: no such runtime here; use one of: {}", valid.join(", "))).into()),
    }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// A fake interpreter: a shell script that answers the probe with the given JSON.
    fn fake(
        dir: &Path,
        name: &str,
        implementation: &str,
        version: &str,
        free_threaded: bool,
    ) -> PathBuf {
        let path = dir.join(name);
        let json = serde_json::json!({
            "implementation": implementation,
            "version": version,
            "implementation_version": if implementation == "pypy" { "7.3.11" } else { version },
            "executable": path,
            "free_threaded": free_threaded,
            "release_level": if version.contains('a') { "alpha" } else { "final" },
            "jit_available": false,
            "has_venv": true,
        });
        std::fs::write(&path, format!("#!/bin/sh\necho '{json}'\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    #[test]
    fn interpreter_names() {
        for ok in [
            "python3",
            "python3.13",
            "python3.14t",
            "pypy3",
            "pypy3.9",
            "python",
            "graalpy",
        ] {
            assert!(is_interpreter_name(ok), "{ok}");
        }
        for no in [
            "python3-config",
            "python3.13-gdb.py",
            "python3.",
            "pythonw",
            "pip3",
            "python3.x",
        ] {
            assert!(!is_interpreter_name(no), "{no}");
        }
    }

    #[test]
    fn discovers_sorts_dedupes_and_picks_the_baseline() {
        let tmp = tempfile::tempdir().unwrap();
        let bin = tmp.path().join("bin");
        let shims = tmp.path().join("shims");
        let pyenv = tmp.path().join("pyenv");
        for d in [&bin, &shims] {
            std::fs::create_dir_all(d).unwrap();
        }
        fake(&bin, "python3.11", "cpython", "3.11.2", false);
        fake(&bin, "python3.9", "cpython", "3.9.18", false);
        fake(&bin, "pypy3", "pypy", "3.9.16", false);
        fake(&bin, "python3.14t", "cpython", "3.14.0", true);
        fake(&shims, "python3", "cpython", "3.99.0", false);
        std::fs::write(bin.join("python3-config"), "not an interpreter").unwrap();
        let v311 = pyenv.join("versions/3.11.7/bin");
        let v313 = pyenv.join("versions/3.13.0/bin");
        std::fs::create_dir_all(&v311).unwrap();
        std::fs::create_dir_all(&v313).unwrap();
        fake(&v311, "python3", "cpython", "3.11.7", false);
        fake(&v313, "python3", "cpython", "3.13.0", false);
        let v315 = pyenv.join("versions/3.15.0a1/bin");
        std::fs::create_dir_all(&v315).unwrap();
        fake(&v315, "python3", "cpython", "3.15.0a1", false);
        let broken = bin.join("python3.12");
        std::fs::write(&broken, "#!/bin/sh\nexit 3\n").unwrap();
        std::fs::set_permissions(&broken, std::fs::Permissions::from_mode(0o755)).unwrap();

        let d = discover(&SearchPaths {
            path_dirs: vec![shims, bin.clone()],
            pyenv_root: Some(pyenv),
            uv_python_dir: None,
        });
        let ids: Vec<_> = d.runtimes.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "cpython-3.11",
                "cpython-3.13",
                "cpython-3.15",
                "cpython-3.14t",
                "pypy-3.9"
            ]
        );
        // 3.11.7 from pyenv shadows the system's 3.11.2.
        assert_eq!(d.runtimes[0].version, "3.11.7");
        // Neither the free-threaded build nor the pre-release is the default baseline.
        assert_eq!(d.default_baseline().unwrap().id, "cpython-3.13");
        assert!(d.runtimes[3].free_threaded);
        assert_eq!(d.runtimes[2].release_level, "alpha");
        assert_eq!(d.find("3.11").unwrap().version, "3.11.7");
        assert_eq!(
            d.find("pypy-3.9").unwrap().implementation,
            Implementation::Pypy
        );
        assert!(d.find("3.12").is_none());
        let reasons: Vec<_> = d.skipped.iter().map(|s| s.reason.clone()).collect();
        assert!(
            reasons
                .iter()
                .any(|r| r.contains("3.9.18 is older than 3.10")),
            "{reasons:?}"
        );
        assert!(
            reasons.iter().any(|r| r.contains("shadowed by 3.11.7")),
            "{reasons:?}"
        );
        assert!(
            reasons.iter().any(|r| r.contains("does not run the probe")),
            "{reasons:?}"
        );
        assert!(!ids.contains(&"cpython-3.99"), "shims must not be probed");
    }

    #[test]
    fn discovers_graalpy_and_jit_builds() {
        let tmp = tempfile::tempdir().unwrap();
        let bin = tmp.path().join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        fake(&bin, "graalpy", "graalpy", "3.11.7", false);
        // A CPython whose build has the experimental JIT: the probe reports it from its compile flags.
        let jit = bin.join("python3.14");
        let json = serde_json::json!({
            "implementation": "cpython", "version": "3.14.0", "implementation_version": "3.14.0",
            "executable": jit, "free_threaded": false, "release_level": "final",
            "jit_available": true, "has_venv": true,
        });
        std::fs::write(&jit, format!("#!/bin/sh\necho '{json}'\n")).unwrap();
        std::fs::set_permissions(&jit, std::fs::Permissions::from_mode(0o755)).unwrap();
        let d = discover(&SearchPaths {
            path_dirs: vec![bin],
            pyenv_root: None,
            uv_python_dir: None,
        });
        let ids: Vec<_> = d.runtimes.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["cpython-3.14", "graalpy-3.11"]);
        assert!(d.runtimes[0].jit_available);
        assert_eq!(d.runtimes[1].implementation, Implementation::Graalpy);
        // GraalPy is never the baseline.
        assert_eq!(d.default_baseline().unwrap().id, "cpython-3.14");
    }

    /// A wrapper script on PATH (a shim outside a `shims` folder, a distribution's launcher) is recorded as the
    /// interpreter it starts, which is what the runs then time.
    #[test]
    fn a_wrapper_script_is_recorded_as_the_interpreter_it_starts() {
        let real = crate::toolchain::tools::which("python3").expect("python3 on PATH");
        let real = probe(&real).expect("python3 answers the probe").executable;
        let tmp = tempfile::tempdir().unwrap();
        let wrapper = tmp.path().join("python3");
        std::fs::write(
            &wrapper,
            format!("#!/bin/sh\nexec {} \"$@\"\n", real.display()),
        )
        .unwrap();
        std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
        let d = discover(&SearchPaths {
            path_dirs: vec![tmp.path().to_path_buf()],
            ..SearchPaths::default()
        });
        assert_eq!(d.runtimes.len(), 1, "{d:?}");
        assert_eq!(d.runtimes[0].executable, real);
        assert_ne!(d.runtimes[0].executable, wrapper);
    }

    #[test]
    fn finds_the_real_interpreters_of_this_machine() {
        // Whatever this machine has, every runtime found must have answered the probe consistently.
        let d = discover(&SearchPaths::from_env());
        for rt in &d.runtimes {
            assert!(rt.executable.is_absolute(), "{rt:?}");
            assert!(rt.id.contains(&rt.minor()), "{rt:?}");
        }
    }
}
