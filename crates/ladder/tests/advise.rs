//! `ladder advise` from the command line (issue 4): bad input exits 2 with a message naming the problem, and
//! `--json` writes the contract's fields.

use assert_cmd::Command;
use std::path::PathBuf;

mod common;

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
    // The inclusive region: the pair loop inside simulate, its share at least the function's own.
    let region = &h["region"];
    assert!(
        region["file"]
            .as_str()
            .unwrap()
            .ends_with("numeric_loops.py")
    );
    assert!(region["first_line"].as_u64().unwrap() <= h["line"].as_u64().unwrap());
    assert!(region["last_line"].as_u64().unwrap() >= h["line"].as_u64().unwrap());
    assert_eq!(region["functions"][0], "simulate");
    assert!(region["inclusive_share"].as_f64().unwrap() > 0.5);
    assert!(doc["findings"].is_array());
    let r = &doc["recommendations"][0];
    assert_eq!(r["rung"], "numba");
    let e = r["expected_speedup"].as_array().unwrap();
    assert!(e[0].as_f64().unwrap() > 1.0 && e[1].as_f64().unwrap() >= e[0].as_f64().unwrap());
    assert!(!r["why"].as_str().unwrap().is_empty() && !r["source"].as_str().unwrap().is_empty());
    let svg = std::fs::read_to_string(&svg).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("simulate (") && !svg.contains("<script"));
}

/// The kernel refusing the profiler's reads: the program makes itself non-dumpable (prctl PR_SET_DUMPABLE 0), so an
/// unprivileged ladder may no longer read its memory. advise must say how to allow it and keep what it measured.
/// Runs ladder as `nobody` through setpriv, so it needs root (CI runs as root).
#[test]
fn refused_memory_reads_are_explained_and_the_rest_kept() {
    if !common::require(
        common::is_root(),
        "refused_memory_reads_are_explained_and_the_rest_kept",
        "root (it drops to `nobody` with setpriv)",
        "sudo cargo test --test advise",
    ) {
        return;
    }
    let dir = std::env::temp_dir().join(format!("ladder-nobody-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    // The test binary's folder may not be readable by nobody: run a copy.
    let exe = dir.join("ladder");
    std::fs::copy(assert_cmd::cargo::cargo_bin("ladder"), &exe).unwrap();
    std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
    let json = dir.join("a.json");
    let code = "import ctypes\nctypes.CDLL(None).prctl(4, 0, 0, 0, 0)\nt = 0\nfor i in range(8_000_000):\n    t += i\nprint(t)\n";
    let out = std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "env"])
        .arg(format!("LADDER_HOME={}", dir.display()))
        .arg(format!("HOME={}", dir.display()))
        .arg("PATH=/usr/bin:/bin")
        .arg(&exe)
        .args(["advise", "--json"])
        .arg(&json)
        .args(["--", "python3", "-c", code])
        .current_dir(&dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "31999996000000\n");
    assert!(
        stderr.contains("kernel.yama.ptrace_scope=0") && stderr.contains("SYS_PTRACE"),
        "{stderr}"
    );
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(doc["verdict"], "cpu-bound");
    assert!(doc["wall_ns"].as_u64().unwrap() > 0);
    assert!(doc["profiler_error"].as_str().unwrap().contains("ptrace"));
    let _ = std::fs::remove_dir_all(&dir);
}
