//! `ladder climb` from the command line (issue 4): the numeric example is faster on PyPy with identical output and
//! its hot module really compiles with mypyc; the deliberately nondeterministic example is reported as differing,
//! never as a speedup; bad input exits 2.

use assert_cmd::Command;
use std::path::PathBuf;

fn ladder() -> Command {
    // A home kept between test runs: the mypyc venv is provisioned once per target folder.
    let home = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("climb-home");
    std::fs::create_dir_all(&home).unwrap();
    let mut cmd = Command::cargo_bin("ladder").unwrap();
    cmd.env("LADDER_HOME", home)
        .timeout(std::time::Duration::from_secs(900));
    cmd
}

fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/advise")
        .join(name)
}

fn has_pypy() -> bool {
    std::process::Command::new("pypy3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn attempts(doc: &serde_json::Value) -> &Vec<serde_json::Value> {
    doc["attempts"].as_array().unwrap()
}

#[test]
fn numeric_example_is_faster_on_pypy_and_compiles_with_mypyc() {
    assert!(
        has_pypy(),
        "this test needs pypy3 (apt-get install -y pypy3)"
    );
    let json = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("climb-numeric.json");
    let out = ladder()
        .args(["climb", "--rung", "pypy,mypyc", "--repeats", "5", "--json"])
        .arg(&json)
        .args(["--", "python3"])
        .arg(example("numeric_loops.py"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(doc["schema"], "ladder-climb");
    assert!(doc["baseline"]["deterministic"].as_bool().unwrap());
    let all = attempts(&doc);
    let pypy = all
        .iter()
        .find(|a| a["rung"] == "pypy")
        .expect("a PyPy attempt");
    assert_eq!(pypy["status"], "ok", "{pypy}");
    assert_eq!(pypy["output_identical"], true);
    // Faster with 95% confidence: the whole interval is above 1.
    let lo = pypy["speedup_ci95"][0].as_f64().unwrap();
    assert!(lo > 1.0, "PyPy's speedup interval reaches below 1: {pypy}");
    assert!(pypy["median_ns"].as_f64().unwrap() > 0.0);
    let mypyc = all
        .iter()
        .find(|a| a["rung"] == "mypyc")
        .expect("a mypyc attempt");
    assert_eq!(mypyc["status"], "ok", "{mypyc}");
    assert_eq!(mypyc["output_identical"], true);
    assert_eq!(mypyc["compiled"][0], "numeric_loops.py");
    // The user's files are untouched: the build happened in a copy.
    let src = std::fs::read_to_string(example("numeric_loops.py")).unwrap();
    assert!(src.contains("if __name__ == \"__main__\":"));
    assert!(!example("numeric_loops_ladder_hot.py").exists());
}

#[test]
fn nondeterministic_output_is_reported_as_differing() {
    assert!(
        has_pypy(),
        "this test needs pypy3 (apt-get install -y pypy3)"
    );
    let json = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("climb-nondet.json");
    let out = ladder()
        .args(["climb", "--rung", "pypy", "--repeats", "4", "--json"])
        .arg(&json)
        .args(["--", "python3"])
        .arg(example("nondeterministic.py"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    // Eight strings in a set: the chance that four hash seeds give one order is about 1 in 10^13.
    assert_eq!(doc["baseline"]["deterministic"], false);
    assert!(
        doc["baseline"]["note"]
            .as_str()
            .unwrap()
            .contains("not deterministic")
    );
    let pypy = &attempts(&doc)[0];
    assert_eq!(pypy["status"], "wrong", "{pypy}");
    assert_eq!(pypy["output_identical"], false);
    assert!(pypy["speedup"].is_null() && pypy["median_ns"].is_null());
    assert!(pypy["reason"].as_str().unwrap().contains("stdout differs"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("DIFFERS") && stdout.contains("wrong"),
        "{stdout}"
    );
}

#[test]
fn bad_input_exits_2() {
    let out = ladder().args(["climb", "--", "true"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a Python interpreter"));
    let out = ladder()
        .args(["climb", "--rung", "numpy", "--", "python3", "-c", "pass"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--rung numpy"));
    let out = ladder()
        .args(["climb", "--repeats", "0", "--", "python3", "-c", "pass"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = ladder()
        .args(["climb", "--", "python3", "-c", "raise SystemExit(3)"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("fails on its own interpreter"));
}
