//! A benchmark added by a user, without touching Rust: a folder with benchmark.toml and implementation files,
//! passed with `--catalog`. Each generic check kind is exercised end to end, with a correct implementation (ok,
//! verified) and a wrong one (`wrong`, saying what differs).

use assert_cmd::Command;
use std::path::Path;

mod common;

/// A one-benchmark catalog: `[check]` and the quick size's `expect` as given, `run` as given.
fn catalog(check: &str, expect: &str, run: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("rungs.toml"), common::CPYTHON_ONLY_RUNGS).unwrap();
    let b = tmp.path().join("squares");
    std::fs::create_dir(&b).unwrap();
    std::fs::write(
        b.join("benchmark.toml"),
        format!(
            r#"
id = "squares"
title = "squares"
summary = "a user's benchmark"
work = "items"
input = "none"

[check]
{check}

[sizes.quick]
n = 1000
expect = {expect}

[impl]
cpython = "squares.py"
"#
        ),
    )
    .unwrap();
    std::fs::write(
        b.join("squares.py"),
        format!("def setup(n, data_path):\n    return n\n\n\ndef run(n):\n    return {run}\n"),
    )
    .unwrap();
    tmp
}

/// Runs the catalog on the baseline CPython; returns the baseline's cell.
fn run(cat: &Path) -> serde_json::Value {
    let home = tempfile::tempdir().unwrap();
    let json = home.path().join("out.json");
    let out = Command::cargo_bin("ladder")
        .unwrap()
        .env("LADDER_HOME", home.path())
        .args([
            "run",
            "--size",
            "quick",
            "--min-samples",
            "3",
            "--rung",
            "cpython",
            "--catalog",
        ])
        .arg(cat)
        .arg("--json")
        .arg(&json)
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap())
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let base = doc["baseline"].as_str().unwrap().to_string();
    doc["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["runtime"] == base)
        .unwrap()
        .clone()
}

fn assert_ok(cell: &serde_json::Value) {
    assert_eq!(cell["status"], "ok", "{cell}");
    assert_eq!(cell["verified"], true, "{cell}");
}

fn assert_wrong(cell: &serde_json::Value, says: &str) {
    assert_eq!(cell["status"], "wrong", "{cell}");
    assert_eq!(cell["verified"], false, "{cell}");
    assert!(cell["reason"].as_str().unwrap().contains(says), "{cell}");
}

#[test]
fn a_digest_check_on_returned_bytes() {
    let check = r#"kind = "digest""#;
    // The SHA-256 of those 1,000 bytes, as a user pins it (hashlib.sha256(...).hexdigest()).
    let expect = r#"{ sha256 = "455cf5fc5bd6c6f54676a2052bf9d30645d70370d3acfdb354b2b379703d8643", bytes = 1000 }"#;
    let good = "bytes((i * i) % 251 for i in range(n))";
    assert_ok(&run(catalog(check, expect, good).path()));
    let off_by_one = "bytes((i * i) % 251 for i in range(n + 1))";
    assert_wrong(
        &run(catalog(check, expect, off_by_one).path()),
        "1001 bytes with SHA-256",
    );
}

#[test]
fn a_json_check_against_an_inline_value() {
    let check = r#"kind = "json""#;
    let expect = r#"{ value = { count = 1000, last = 998001, name = "squares" } }"#;
    let good = r#"{"name": "squares", "last": (n - 1) ** 2, "count": n}"#;
    assert_ok(&run(catalog(check, expect, good).path()));
    let wrong = r#"{"name": "squares", "last": n ** 2, "count": n}"#;
    assert_wrong(
        &run(catalog(check, expect, wrong).path()),
        "output.last = 1000000, expected 998001",
    );
}

#[test]
fn a_floats_check_within_a_relative_tolerance() {
    let check = "kind = \"floats\"\nnames = [\"mean\", \"total\"]\nrel_tol = 1e-12";
    let expect = "{ mean = 332833.5, total = 332833500.0 }";
    let good = "[sum(i * i for i in range(n)) / n, float(sum(i * i for i in range(n)))]";
    assert_ok(&run(catalog(check, expect, good).path()));
    let wrong = "[sum(i * i for i in range(n)) / (n - 1), float(sum(i * i for i in range(n)))]";
    assert_wrong(&run(catalog(check, expect, wrong).path()), "mean = ");
}

#[test]
fn an_unknown_check_kind_exits_2_naming_the_file_and_field() {
    let cat = catalog(r#"kind = "eyeball""#, "{ value = 1 }", "1");
    let home = tempfile::tempdir().unwrap();
    Command::cargo_bin("ladder")
        .unwrap()
        .env("LADDER_HOME", home.path())
        .args(["run", "--size", "quick", "--catalog"])
        .arg(cat.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("squares/benchmark.toml"))
        .stderr(predicates::str::contains("check.kind"))
        .stderr(predicates::str::contains("floats, json, digest"));
}
