//! `ladder doctor`: every runtime and tool found (path, version) or missing (with the command that gets it), the
//! baseline's managed venv, and one row per rung beyond a bare interpreter (`measure::doctor`).

use super::table::{indented, plain};
use super::{CatalogArg, load_catalog};
use crate::home::ladder_home;
use crate::measure::plan::ToolPresence;
use crate::toolchain::discover::{Implementation, SearchPaths, discover};
use crate::toolchain::tools::probe_tools;
use anyhow::Result;
use std::process::ExitCode;

pub fn exec() -> Result<ExitCode> {
    let discovery = discover(&SearchPaths::from_env());
    let baseline = discovery.default_baseline().map(|b| b.id.clone());
    let mut runtimes = plain(&["runtime", "what it is", "executable", "found via", "note"]);
    for r in &discovery.runtimes {
        let mut note = Vec::new();
        if Some(&r.id) == baseline.as_ref() {
            note.push("baseline".to_string());
        }
        if !r.has_venv && r.implementation == Implementation::Cpython {
            note.push(
                "cannot make venvs, so the mypyc, NumPy, Numba, Cython and Rust rungs cannot run on it \
                 (get it: apt-get install python3-venv)"
                    .to_string(),
            );
        }
        runtimes.add_row(vec![
            r.id.clone(),
            r.display_name(),
            r.executable.display().to_string(),
            r.found_via.clone(),
            note.join("; "),
        ]);
    }
    if !discovery
        .runtimes
        .iter()
        .any(|r| r.implementation == Implementation::Pypy)
    {
        runtimes.add_row(vec![
            "pypy",
            "missing",
            "",
            "",
            "get it: apt-get install pypy3",
        ]);
    }
    if discovery.runtimes.is_empty() {
        println!(
            "Runtimes: none found (install CPython 3.10+: apt-get install python3, or pyenv install 3.13)"
        );
    } else {
        println!("Runtimes:\n{}", indented(&runtimes));
    }
    let home = ladder_home()?;
    if let Some(b) = discovery.default_baseline() {
        let venv = home.join("venvs").join(&b.id);
        let installed =
            std::fs::read_to_string(venv.join("ladder-installed.txt")).unwrap_or_default();
        let pins: Vec<&str> = installed.lines().collect();
        println!(
            "Managed venv for {}: {} ({})\n",
            b.id,
            venv.display(),
            if pins.is_empty() {
                "nothing installed yet; ladder run installs on first need".to_string()
            } else {
                pins.join(" ")
            }
        );
    }
    if !discovery.skipped.is_empty() {
        let mut skipped = plain(&["interpreter", "why it is not used"]);
        for s in &discovery.skipped {
            skipped.add_row(vec![s.path.display().to_string(), s.reason.clone()]);
        }
        println!("Interpreters found but not used:\n{}", indented(&skipped));
    }
    let found_tools = probe_tools();
    let mut tools = plain(&["tool", "version", "path", "for"]);
    for t in &found_tools {
        match &t.path {
            Some(p) => tools.add_row(vec![
                t.name.clone(),
                t.version
                    .clone()
                    .unwrap_or_else(|| "version unknown".into()),
                p.display().to_string(),
                t.needed_by.clone(),
            ]),
            None => tools.add_row(vec![
                t.name.clone(),
                "missing".into(),
                format!("get it: {}", t.get),
                t.needed_by.clone(),
            ]),
        };
    }
    println!("Tools:\n{}", indented(&tools));
    let catalog = load_catalog(&CatalogArg::default())?;
    let mut rungs = plain(&["rung", "state here"]);
    for (rung, state) in crate::measure::doctor::rows(
        &catalog,
        &discovery,
        discovery.default_baseline(),
        ToolPresence::probe(&found_tools, &catalog),
        &home,
    ) {
        rungs.add_row(vec![rung, state]);
    }
    println!("Rungs beyond a bare interpreter:\n{}", indented(&rungs));
    println!(
        "LADDER_HOME: {} (venvs, builds, generated data, results)",
        home.display()
    );
    Ok(ExitCode::SUCCESS)
}
