//! `ladder doctor`'s "Rungs" section: one row per rung that needs more than a bare interpreter (pinned packages,
//! a build, a program or a header), saying where it runs, whether its pins are already in the managed venv, what
//! its build needs, or why it cannot run here with the command that gets what is missing.
//!
//! The state comes from the same plan `ladder run` makes (one planned cell per rung and runtime), so doctor and
//! run never disagree about availability.

use crate::catalog::{BuildKind, Catalog, Rung, RuntimeSelector, SizeName};
use crate::measure::plan::{self, Selection, ToolPresence};
use crate::toolchain::discover::{Discovery, Runtime};
use std::path::Path;

/// The section's rows: (rung id, its state here).
pub fn rows(
    catalog: &Catalog,
    discovery: &Discovery,
    baseline: Option<&Runtime>,
    tools: ToolPresence,
    home: &Path,
) -> Vec<(String, String)> {
    let plan = plan::build_plan(
        catalog,
        discovery,
        baseline,
        &Selection {
            size: Some(SizeName::Quick),
            ..Selection::default()
        },
        tools,
    );
    let mut out = Vec::new();
    for rung in catalog.rungs.iter().filter(|r| worth_a_line(r)) {
        let cells: Vec<_> = plan.cells.iter().filter(|c| c.rung == rung.id).collect();
        let runnable: Vec<&Runtime> = cells
            .iter()
            .filter(|c| c.unavailable.is_none())
            .filter_map(|c| c.runtime.as_ref())
            .collect();
        let state = match (
            runnable.first(),
            cells.iter().find_map(|c| c.unavailable.as_ref()),
        ) {
            (Some(rt), _) => available(rung, rt, home),
            (None, Some((reason, get))) => format!(
                "unavailable: {reason}{}",
                get.as_ref()
                    .map(|g| format!(" (get it: {g})"))
                    .unwrap_or_default()
            ),
            (None, None) => "no benchmark has an implementation for it".to_string(),
        };
        out.push((rung.id.clone(), state));
    }
    out
}

/// Rungs that are just an interpreter already have their line under "Runtimes".
fn worth_a_line(rung: &Rung) -> bool {
    rung.on == RuntimeSelector::Baseline
        && (!rung.packages.is_empty()
            || rung.build != BuildKind::None
            || rung.needs_program.is_some()
            || rung.needs_header.is_some())
}

fn available(rung: &Rung, runtime: &Runtime, home: &Path) -> String {
    let mut s = format!("available on {}", runtime.id);
    if !rung.packages.is_empty() {
        let installed = std::fs::read_to_string(
            home.join("venvs")
                .join(&runtime.id)
                .join("ladder-installed.txt"),
        )
        .unwrap_or_default();
        let missing: Vec<&String> = rung
            .packages
            .iter()
            .filter(|p| !installed.lines().any(|l| l == p.as_str()))
            .collect();
        s.push_str(&if missing.is_empty() {
            format!(
                "; {} installed in its managed venv",
                rung.packages.join(" ")
            )
        } else {
            format!(
                "; installs {} on first run",
                missing
                    .iter()
                    .map(|p| p.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            )
        });
    }
    if let Some(header) = &rung.needs_header
        && let Some(path) = crate::toolchain::tools::find_header(header)
    {
        s.push_str(&format!("; {header} at {}", path.display()));
    }
    if let Some(program) = &rung.needs_program
        && let Some(path) = crate::toolchain::tools::which(program)
    {
        s.push_str(&format!("; {program} at {}", path.display()));
    }
    match rung.build {
        BuildKind::None => {}
        BuildKind::Maturin => match crate::toolchain::prebuilt::wheels_dir() {
            Some(dir) if crate::toolchain::tools::which("cargo").is_none() => s.push_str(&format!(
                "; installed from the prebuilt ladder-kernels wheels in {} (no cargo)",
                dir.display()
            )),
            _ => s.push_str("; built with maturin + cargo"),
        },
        BuildKind::Codon => s.push_str(&format!(
            "; compiled by the pinned package's codon, linked with {}",
            crate::toolchain::build::cc_program()
        )),
        // The C rung is a plain shared library loaded through ctypes: no interpreter headers involved.
        BuildKind::Cc => s.push_str(&format!(
            "; built with {}",
            crate::toolchain::build::cc_program()
        )),
        kind if kind.needs_cc() => s.push_str(&format!(
            "; built with {} and {}'s headers",
            if kind == BuildKind::CppExt {
                crate::toolchain::build::cxx_program()
            } else {
                crate::toolchain::build::cc_program()
            },
            runtime.id
        )),
        _ => {}
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::plan::tests::fake_runtime;
    use crate::toolchain::discover::Implementation;

    #[test]
    fn every_newer_rung_gets_a_line_with_its_state() {
        let cat =
            Catalog::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalog")).unwrap();
        let d = Discovery {
            runtimes: vec![
                fake_runtime(Implementation::Cpython, "3.12.4"),
                fake_runtime(Implementation::Cpython, "3.13.0"),
            ],
            skipped: vec![],
        };
        let home = tempfile::tempdir().unwrap();
        let venv = home.path().join("venvs").join("cpython-3.13");
        std::fs::create_dir_all(&venv).unwrap();
        std::fs::write(venv.join("ladder-installed.txt"), "orjson==3.13.0\n").unwrap();
        let tools = ToolPresence {
            cc: true,
            cargo: true,
            prebuilt_kernels: false,
            programs: vec![],
            headers: vec![],
        };
        let rows = rows(&cat, &d, d.default_baseline(), tools, home.path());
        let line = |rung: &str| {
            rows.iter()
                .find(|(id, _)| id == rung)
                .unwrap_or_else(|| panic!("no doctor row for {rung}: {rows:#?}"))
                .1
                .clone()
        };
        for rung in [
            "jax",
            "taichi",
            "mojo",
            "pythran",
            "nuitka",
            "codon",
            "orjson",
            "msgspec",
            "pysimdjson",
        ] {
            line(rung);
        }
        assert!(line("orjson").contains("orjson==3.13.0 installed in its managed venv"));
        assert!(line("nuitka").contains("installs nuitka==4.3.3"));
        assert!(line("nuitka").contains("available on cpython-3.13"));
        assert!(line("taichi").contains("available on cpython-3.12"));
        let simdjson = line("simdjson-ext");
        assert!(
            simdjson.contains("unavailable: libsimdjson-dev is not installed")
                && simdjson.contains("(get it: apt-get install -y libsimdjson-dev)"),
            "{simdjson}"
        );
        assert!(
            line("codon").contains("codon-compiler-demo==0.18.0"),
            "{}",
            line("codon")
        );
        // Interpreter-only rungs are under "Runtimes", not here.
        assert!(rows.iter().all(|(id, _)| id != "cpython"));
    }
}
