//! End to end (issue 2, item 10): `ladder run --size quick` over every rung of the built-in catalog, with real
//! interpreters, real builds (mypyc, Cython, cc, maturin) and real verification. Every cell must be ok and
//! verified. Provisioning is kept in cargo's target folder, so only the first run pays for it.

use assert_cmd::Command;
use std::path::PathBuf;

mod common;

fn home() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("ladder-home");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn quick_ladder_every_rung_ok_and_verified() {
    let home = home();
    let json = home.join("quick-e2e.json");
    let md = home.join("quick-e2e.md");
    let out = Command::cargo_bin("ladder")
        .unwrap()
        .env("LADDER_HOME", &home)
        .args(["run", "--size", "quick", "--json"])
        .arg(&json)
        .arg("--markdown")
        .arg(&md)
        .timeout(std::time::Duration::from_secs(60 * 40))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let cells = doc["cells"].as_array().unwrap();
    // Rungs whose runtime or compiler this machine may lack: unavailable with the precise reason, or ok.
    let optional = |c: &serde_json::Value| {
        let reason = c["reason"].as_str().unwrap_or_default();
        c["status"] == "unavailable"
            && match c["rung"].as_str().unwrap_or_default() {
                "free-threaded" => reason.contains("no free-threaded CPython (3.13t/3.14t)"),
                "cpython-jit" => reason.contains("--enable-experimental-jit"),
                "graalpy" => reason.contains("no GraalPy interpreter found"),
                // README's set-up installs these two; a machine without them skips their cells (outside CI).
                "simdjson-ext" => {
                    reason.contains("libsimdjson-dev is not installed")
                        && !common::require(
                            false,
                            "quick_ladder_every_rung_ok_and_verified (simdjson-ext cells)",
                            "simdjson's headers",
                            "apt-get install -y libsimdjson-dev",
                        )
                }
                "pypy" => {
                    reason.contains("pypy")
                        && !common::require(
                            false,
                            "quick_ladder_every_rung_ok_and_verified (pypy cells)",
                            "PyPy (pypy3)",
                            "apt-get install -y pypy3",
                        )
                }
                _ => false,
            }
            && c["get"].as_str().is_some_and(|g| !g.is_empty())
    };
    let bad: Vec<String> = cells
        .iter()
        .filter(|c| (c["status"] != "ok" || c["verified"] != true) && !optional(c))
        // Taichi has wheels only for CPython <3.13: on a machine with none, unavailable with that reason is right.
        .filter(|c| {
            !(c["rung"] == "taichi"
                && c["status"] == "unavailable"
                && c["reason"]
                    .as_str()
                    .unwrap()
                    .starts_with("taichi needs CPython <3.13 (its packages have no wheels"))
        })
        .map(|c| {
            format!(
                "{} {} {}: {} {}",
                c["benchmark"], c["rung"], c["runtime"], c["status"], c["reason"]
            )
        })
        .collect();
    assert!(
        bad.is_empty(),
        "cells not ok:\n{}\n{stderr}",
        bad.join("\n")
    );
    assert!(out.status.success(), "{stderr}");

    let has = |bench: &str, rung: &str| {
        cells
            .iter()
            .any(|c| c["benchmark"] == bench && c["rung"] == rung)
    };
    for bench in [
        "nbody",
        "spectral-norm",
        "json-pipeline",
        "json-pipeline-dicts",
    ] {
        for rung in ["cpython", "pypy", "mypyc", "cython", "rust"] {
            assert!(has(bench, rung), "{bench} x {rung} missing");
        }
    }
    for bench in ["nbody", "spectral-norm"] {
        assert!(has(bench, "numba") && has(bench, "c"), "{bench}");
    }
    assert!(has("spectral-norm", "numpy"));
    assert!(has("nbody", "pythran") && has("spectral-norm", "pythran"));
    for bench in ["nbody", "spectral-norm"] {
        for rung in ["free-threaded", "cpython-jit", "graalpy"] {
            assert!(has(bench, rung), "{bench} x {rung} missing");
        }
    }
    // Codon, from its pinned PyPI package (the compiler is inside the wheel): ok and verified, like every cell.
    assert!(has("nbody", "codon") && has("spectral-norm", "codon"));
    // The rest of the study's first table, on every rung that expresses them.
    for bench in ["fannkuch-redux", "mandelbrot", "binary-trees"] {
        for rung in [
            "cpython", "pypy", "mypyc", "nuitka", "cython", "codon", "c", "rust",
        ] {
            assert!(has(bench, rung), "{bench} x {rung} missing");
        }
    }
    assert!(has("fannkuch-redux", "numba") && has("fannkuch-redux", "pythran"));
    assert!(has("mandelbrot", "numba") && has("mandelbrot", "numpy"));
    assert!(has("mandelbrot", "multiprocessing") && has("binary-trees", "multiprocessing"));
    assert!(
        !has("json-pipeline", "pythran"),
        "pythran cannot express it"
    );
    // Issue 3 part A: the rungs beyond the core ladder, each on every benchmark it expresses.
    for (bench, rungs) in [
        ("nbody", &["numpy", "jax", "taichi", "mojo"][..]),
        (
            "spectral-norm",
            &["jax", "taichi", "mojo", "multiprocessing"][..],
        ),
        (
            "json-pipeline",
            &["orjson", "msgspec", "pysimdjson", "simdjson-ext"][..],
        ),
        ("json-pipeline-dicts", &["nuitka"][..]),
        ("nbody", &["nuitka"][..]),
        ("spectral-norm", &["nuitka"][..]),
        ("json-pipeline", &["nuitka", "multiprocessing"][..]),
    ] {
        for rung in rungs {
            assert!(has(bench, rung), "{bench} x {rung} missing");
        }
    }
    let cell = |bench: &str, rung: &str| {
        cells
            .iter()
            .find(|c| c["benchmark"] == bench && c["rung"] == rung)
            .unwrap()
    };
    // Taichi runs on the newest CPython its wheels exist for, never on a newer one.
    let taichi = cell("spectral-norm", "taichi");
    if taichi["status"] == "ok" {
        let minor: u32 = taichi["python"]
            .as_str()
            .unwrap()
            .split('.')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        assert!(minor < 13, "{taichi}");
    }
    // The process pool's cell says how many processes worked, and its CPU time includes theirs.
    let pool = cell("spectral-norm", "multiprocessing");
    assert!(pool["processes"].as_u64().unwrap() >= 2, "{pool}");
    assert!(pool["cpu_ns"].as_f64().unwrap() > 0.0, "{pool}");
    let pool = cell("json-pipeline", "multiprocessing");
    assert!(pool["processes"].as_u64().unwrap() >= 2, "{pool}");
    // JAX ran in float64 (its float32 default would have failed the check anyway).
    assert_eq!(cell("spectral-norm", "jax")["impl_info"]["x64"], true);
    assert!(has("json-pipeline", "c"));
    // Every CPython found runs the cpython rung.
    let cpythons = doc["runtimes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["implementation"] == "cpython" && r["free_threaded"] != true)
        .count();
    let cpython_cells = cells
        .iter()
        .filter(|c| c["benchmark"] == "nbody" && c["rung"] == "cpython")
        .count();
    assert_eq!(cpython_cells, cpythons);
    // Compiled rungs ran their compiled module, not the source.
    for c in cells.iter().filter(|c| {
        ["mypyc", "cython", "pythran", "nuitka", "simdjson-ext"]
            .contains(&c["rung"].as_str().unwrap_or_default())
            && c["status"] == "ok"
    }) {
        assert!(c["module_file"].as_str().unwrap().ends_with(".so"), "{c}");
    }
    // Every ok cell ran its worker processes in rounds and passed its spot check at the run's random n: every
    // implementation computes its answer, none returns the pinned one.
    let rounds = doc["rounds"].as_array().unwrap().len();
    assert_eq!(rounds, 3, "quick runs three rounds");
    for c in cells.iter().filter(|c| c["status"] == "ok") {
        let runs = c["runs"].as_array().unwrap().len();
        assert!((2..=rounds).contains(&runs), "{c}");
        let outcome = c["spot_check"]["outcome"].as_str().unwrap_or_default();
        assert!(outcome == "agrees" || outcome == "reference", "{c}");
    }
    let markdown = std::fs::read_to_string(&md).unwrap();
    assert!(markdown.contains("| Rung | Tier | Runtime |"));
    assert!(markdown.contains("## n-body"));
}
