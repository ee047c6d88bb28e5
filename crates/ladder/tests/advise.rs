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
