//! `ladder advise` from the command line (issue 4): bad input exits 2 with a message naming the problem, and
//! `--json` writes the contract's fields.

use assert_cmd::Command;
use std::path::PathBuf;

fn ladder() -> Command {
    let home = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("advise-home");
    std::fs::create_dir_all(&home).unwrap();
    let mut cmd = Command::cargo_bin("ladder").unwrap();
    cmd.env("LADDER_HOME", home)
        .timeout(std::time::Duration::from_secs(120));
    cmd
}

#[test]
fn not_python_and_bad_timeout_exit_2() {
    let out = ladder().args(["advise", "--", "true"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a Python interpreter"));
    let out = ladder()
        .args(["advise", "--timeout", "0", "--", "python3", "-c", "pass"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--timeout"));
}

#[test]
fn json_has_the_verdict_and_figures() {
    let json = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("advise-sleep.json");
    let out = ladder()
        .args(["advise", "--json"])
        .arg(&json)
        .args([
            "--",
            "python3",
            "-c",
            "import time; time.sleep(0.5); print('done')",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The program's own output passes through untouched.
    assert_eq!(String::from_utf8_lossy(&out.stdout), "done\n");
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(doc["verdict"], "io-bound");
    assert!(doc["wall_ns"].as_u64().unwrap() >= 500_000_000);
    assert!(doc["cpu_share"].as_f64().unwrap() < 0.5);
    assert!(doc["hotspots"].is_array() && doc["recommendations"].is_array());
}

#[test]
fn numeric_example_json_contract_and_flame_graph() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let json = dir.join("advise-numeric.json");
    let svg = dir.join("advise-numeric.svg");
    let script =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/advise/numeric_loops.py");
    let out = ladder()
        .args(["advise", "--json"])
        .arg(&json)
        .arg("--flame")
        .arg(&svg)
        .args(["--", "python3"])
        .arg(&script)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "7140.000000000\n");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("hot functions") && stderr.contains("recommendations"),
        "{stderr}"
    );
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(doc["verdict"], "cpu-bound");
    let h = &doc["hotspots"][0];
    assert_eq!(h["function"], "simulate");
    assert!(h["file"].as_str().unwrap().ends_with("numeric_loops.py"));
    assert!(h["line"].as_u64().unwrap() > 0 && h["share"].as_f64().unwrap() > 0.5);
    assert!(
        h["traits"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "numeric-loop (nested)")
    );
    let r = &doc["recommendations"][0];
    assert_eq!(r["rung"], "numba");
    let e = r["expected_speedup"].as_array().unwrap();
    assert!(e[0].as_f64().unwrap() > 1.0 && e[1].as_f64().unwrap() >= e[0].as_f64().unwrap());
    assert!(!r["why"].as_str().unwrap().is_empty() && !r["source"].as_str().unwrap().is_empty());
    let svg = std::fs::read_to_string(&svg).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("simulate (") && !svg.contains("<script"));
}
