//! Fault tests (issue 2, item 8): bad flags, malformed catalogs and misbehaving implementations, through the real
//! binary and real worker processes. They use a small catalog of their own, so they run in seconds.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

mod common;

/// A one-benchmark catalog whose `cpython` rung is `body` (a module with setup/run).
fn catalog_with(body: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("rungs.toml"), common::CPYTHON_ONLY_RUNGS).unwrap();
    let b = tmp.path().join("nbody");
    std::fs::create_dir(&b).unwrap();
    std::fs::write(b.join("impl_under_test.py"), body).unwrap();
    std::fs::write(
        b.join("benchmark.toml"),
        r#"
id = "nbody"
title = "n-body"
summary = "fault test"
work = "steps"
input = "none"

[check]
kind = "floats"
names = ["energy_before", "energy_after"]
decimals = 9

[sizes.quick]
n = 1000
expect = { energy_before = "-0.169075164", energy_after = "-0.169087605" }

[impl]
cpython = "impl_under_test.py"
"#,
    )
    .unwrap();
    tmp
}

fn ladder(home: &Path) -> Command {
    let mut cmd = Command::cargo_bin("ladder").unwrap();
    cmd.env("LADDER_HOME", home);
    cmd
}

/// Runs the fault catalog on the baseline only and returns the results document.
fn run_catalog(body: &str, extra: &[&str]) -> (std::process::Output, serde_json::Value) {
    let cat = catalog_with(body);
    let home = tempfile::tempdir().unwrap();
    let json = home.path().join("out.json");
    let out = ladder(home.path())
        .args(["run", "--size", "quick", "--min-samples", "3", "--catalog"])
        .arg(cat.path())
        .arg("--json")
        .arg(&json)
        .args(["--rung", "cpython"])
        .args(extra)
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    (out, doc)
}

/// The cell on the baseline runtime (the run also measures every other CPython; they fail the same way).
fn baseline_cell(doc: &serde_json::Value) -> serde_json::Value {
    let base = doc["baseline"].as_str().unwrap().to_string();
    doc["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["runtime"] == base)
        .unwrap()
        .clone()
}

const CORRECT: &str = r#"
import math

def setup(n, data_path):
    return n

def run(n):
    # Not an n-body simulation: the pinned energies at the pinned n, and energies that depend on n elsewhere (what
    # a spot check asks of a rung), so the fault tests can isolate one fault at a time.
    after = -0.16908760523460595 if n == 1000 else -0.169 - n * 1e-7
    return [-0.16907516382852447, after]
"#;

/// The pinned energies whatever n is: passes the check at the pinned n, and nothing else.
const CONSTANT: &str = r#"
def setup(n, data_path):
    return n

def run(n):
    return [-0.16907516382852447, -0.16908760523460595]
"#;

#[test]
fn a_correct_implementation_is_ok_and_the_document_is_complete() {
    let (out, doc) = run_catalog(CORRECT, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(doc["schema"], "ladder-results");
    let cell = baseline_cell(&doc);
    assert_eq!(cell["status"], "ok");
    assert_eq!(cell["verified"], true);
    for key in [
        "benchmark",
        "rung",
        "runtime",
        "size",
        "n",
        "reason",
        "samples_ns",
        "median_ns",
        "ci95_ns",
        "speedup",
        "first_call_ns",
        "peak_rss_bytes",
        "cpu_ns",
        "threads",
        "runs",
    ] {
        assert!(cell.get(key).is_some(), "cell lacks {key}");
    }
    assert!(cell["samples_ns"].as_array().unwrap().len() >= 3);
    // Every worker process's samples are kept (quick runs three processes per cell).
    let runs = cell["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 3);
    for run in runs {
        assert!(!run["samples_ns"].as_array().unwrap().is_empty(), "{run}");
        assert!(run["first_call_ns"].as_u64().is_some(), "{run}");
        assert!(run["peak_rss_bytes"].as_u64().unwrap() > 1 << 20, "{run}");
        assert!(run["cpu_ns"].as_f64().is_some(), "{run}");
    }
    assert_eq!(doc["rounds"].as_array().unwrap().len(), 3);
    assert_eq!(cell["speedup"], 1.0);
    assert!(cell["peak_rss_bytes"].as_u64().unwrap() > 1 << 20);
    assert!(doc["machine"]["cores"].as_u64().unwrap() >= 1);
    assert!(doc["tools"].as_object().unwrap().contains_key("cc"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("ok ✓"), "{stdout}");
    // The rung also ran at the run's spot-check n, recorded in the document; the baseline's output there is the
    // reference, and every other CPython's agrees with it, a line per cell on the card.
    let spot = doc["spot_n"]["nbody"].as_u64().unwrap();
    assert!((500..1000).contains(&spot), "{spot}");
    assert_eq!(cell["spot_check"]["outcome"], "reference");
    assert_eq!(cell["spot_check"]["n"], spot);
    if doc["cells"].as_array().unwrap().len() > 1 {
        let agrees = format!(
            "spot check at n={spot}: agrees with cpython on {}",
            doc["baseline"].as_str().unwrap()
        );
        assert!(stdout.contains(&agrees), "{stdout}");
    }
}

#[test]
fn an_implementation_that_returns_constants_is_wrong() {
    let (out, doc) = run_catalog(CONSTANT, &[]);
    assert_eq!(out.status.code(), Some(1));
    let cell = baseline_cell(&doc);
    assert_eq!(cell["status"], "wrong");
    assert_eq!(cell["verified"], false);
    let reason = cell["reason"].as_str().unwrap();
    assert!(
        reason.contains("the output is the same as at n=1000: it does not depend on n"),
        "{reason}"
    );
    assert_eq!(cell["spot_check"]["outcome"], "differs");
    // It runs no more worker processes once caught: the first one and the spot check's.
    assert_eq!(cell["runs"].as_array().unwrap().len(), 1);
    assert!(String::from_utf8_lossy(&out.stdout).contains("wrong [1]"));
}

#[test]
fn a_wrong_answer_is_wrong_and_the_exit_code_says_so() {
    let wrong = CORRECT.replace("-0.16908760523460595", "-0.1690876");
    let (out, doc) = run_catalog(&wrong, &[]);
    assert_eq!(out.status.code(), Some(1));
    let cell = baseline_cell(&doc);
    assert_eq!(cell["status"], "wrong");
    assert_eq!(cell["verified"], false);
    assert!(
        cell["reason"]
            .as_str()
            .unwrap()
            .contains("energy_after = -0.169087600, expected -0.169087605 (9 decimals)"),
        "{cell}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("wrong [1]"));
}

#[test]
fn an_exception_is_failed_with_its_message() {
    let raising = CORRECT.replace(
        "    return [-0.169",
        "    raise RuntimeError('kaboom in the kernel')\n    return [-0.169",
    );
    let (out, doc) = run_catalog(&raising, &[]);
    assert_eq!(out.status.code(), Some(1));
    let cell = baseline_cell(&doc);
    assert_eq!(cell["status"], "failed");
    let reason = cell["reason"].as_str().unwrap();
    assert!(
        reason.contains("RuntimeError in run: kaboom in the kernel"),
        "{reason}"
    );
    assert!(reason.contains("impl_under_test.py"), "{reason}");
}

#[test]
fn a_hang_is_a_timeout_and_the_run_goes_on() {
    let hanging = CORRECT.replace(
        "    return [-0.169",
        "    import time\n    time.sleep(3600)\n    return [-0.169",
    );
    let started = std::time::Instant::now();
    let (out, doc) = run_catalog(&hanging, &["--timeout", "2"]);
    assert_eq!(out.status.code(), Some(1));
    let cells = doc["cells"].as_array().unwrap();
    assert!(!cells.is_empty());
    // Every CPython's cell timed out: the run went on after the first.
    assert!(cells.iter().all(|c| c["status"] == "timeout"), "{cells:?}");
    assert!(started.elapsed().as_secs() < 2 * cells.len() as u64 + 30);
}

#[test]
fn garbage_on_stdout_cannot_corrupt_the_protocol_and_is_failed() {
    let noisy = CORRECT.replace(
        "    return [-0.169",
        "    print('{\"event\": \"done\", \"samples\": 99}')\n    print('garbage')\n    return [-0.169",
    );
    let (out, doc) = run_catalog(&noisy, &[]);
    assert_eq!(out.status.code(), Some(1));
    let cell = baseline_cell(&doc);
    assert_eq!(cell["status"], "failed");
    assert!(cell["reason"].as_str().unwrap().contains("wrote"), "{cell}");
    assert!(
        cell["reason"].as_str().unwrap().contains("to stdout"),
        "{cell}"
    );
}

#[test]
fn a_crash_is_failed_with_the_signal() {
    let crashing = CORRECT.replace(
        "    return [-0.169",
        "    import os, signal\n    os.kill(os.getpid(), signal.SIGSEGV)\n    return [-0.169",
    );
    let (_, doc) = run_catalog(&crashing, &[]);
    let cell = baseline_cell(&doc);
    assert_eq!(cell["status"], "failed");
    assert!(
        cell["reason"].as_str().unwrap().contains("signal 11"),
        "{cell}"
    );
}

#[test]
fn unknown_ids_and_sizes_exit_2_listing_the_valid_ones() {
    let home = tempfile::tempdir().unwrap();
    ladder(home.path())
        .args(["run", "--bench", "nbdy"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("--bench nbdy").and(predicate::str::contains(
                "nbody, spectral-norm, json-pipeline",
            )),
        );
    ladder(home.path())
        .args(["run", "--rung", "cpython,rusty"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--rung rusty").and(predicate::str::contains("mypyc")));
    ladder(home.path())
        .args(["run", "--size", "huge"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("--size huge")
                .and(predicate::str::contains("quick, default, standard")),
        );
    ladder(home.path())
        .args(["run", "--baseline", "cpython-2.7"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--baseline cpython-2.7"));
    ladder(home.path())
        .args(["run", "--processes", "0"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--processes 0"));
    ladder(home.path())
        .args(["run", "--json", "/no/such/folder/out.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--json"));
}

#[test]
fn a_malformed_catalog_exits_2_naming_the_file_and_field() {
    let cat = catalog_with(CORRECT);
    let toml = cat.path().join("nbody/benchmark.toml");
    let text = std::fs::read_to_string(&toml)
        .unwrap()
        .replace("kind = \"floats\"", "kind = \"eyeball\"");
    std::fs::write(&toml, text).unwrap();
    let home = tempfile::tempdir().unwrap();
    ladder(home.path())
        .args(["run", "--size", "quick", "--catalog"])
        .arg(cat.path())
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("benchmark.toml").and(predicate::str::contains("eyeball")),
        );
    ladder(home.path())
        .args(["list", "--catalog", "/no/such/catalog"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--catalog /no/such/catalog"));
}

#[test]
fn ctrl_c_between_worker_processes_loses_nothing_measured() {
    let slow = CORRECT.replace(
        "    return [-0.169",
        "    import time\n    time.sleep(0.05)\n    return [-0.169",
    );
    let cat = catalog_with(&slow);
    let home = tempfile::tempdir().unwrap();
    let json = home.path().join("out.json");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ladder"))
        .env("LADDER_HOME", home.path())
        .args(["run", "--size", "quick", "--processes", "6", "--catalog"])
        .arg(cat.path())
        .arg("--json")
        .arg(&json)
        .args(["--rung", "cpython"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let runs = |doc: &serde_json::Value| -> usize {
        doc["cells"]
            .as_array()
            .map(|cells| {
                cells
                    .iter()
                    .map(|c| c["runs"].as_array().map_or(0, |r| r.len()))
                    .sum()
            })
            .unwrap_or(0)
    };
    let read = || -> Option<serde_json::Value> {
        serde_json::from_slice(&std::fs::read(&json).ok()?).ok()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let seen = loop {
        if let Some(doc) = read()
            && runs(&doc) >= 2
        {
            break runs(&doc);
        }
        assert!(std::time::Instant::now() < deadline, "no process finished");
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    // SAFETY: signalling our own child.
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGINT);
    }
    let status = child.wait().unwrap();
    assert!(
        !status.success(),
        "interrupted, the run must not claim success"
    );
    let doc = read().expect("the document is whole after Ctrl-C");
    assert!(doc["finished_at"].is_null(), "the run did not finish");
    assert!(
        runs(&doc) >= seen,
        "a process measured before Ctrl-C was lost"
    );
    for cell in doc["cells"].as_array().unwrap() {
        let per_run: usize = cell["runs"].as_array().map_or(0, |r| {
            r.iter()
                .map(|run| run["samples_ns"].as_array().unwrap().len())
                .sum()
        });
        assert_eq!(
            per_run,
            cell["samples_ns"].as_array().unwrap().len(),
            "{cell}"
        );
        if per_run > 0 {
            assert!(cell["median_ns"].as_f64().is_some(), "{cell}");
        }
    }
}
