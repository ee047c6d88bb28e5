//! The `free-threaded` rung on a real free-threaded CPython (3.13t/3.14t), when this machine has one: the plain
//! programs and the threaded spectral-norm run with the GIL off, ok and verified. Without one the test says it
//! skipped and how to get one (a free-threaded build is not part of README's set-up).

use assert_cmd::Command;
use std::io::Write;
use std::path::PathBuf;

#[test]
fn the_free_threaded_rung_runs_and_verifies_on_a_real_free_threaded_cpython() {
    let discovery = ladder::toolchain::discover::discover(
        &ladder::toolchain::discover::SearchPaths::from_env(),
    );
    let Some(ft) = discovery.runtimes.iter().find(|r| r.free_threaded) else {
        let _ = writeln!(
            std::io::stderr(),
            "skipped the_free_threaded_rung_runs_and_verifies_on_a_real_free_threaded_cpython: no free-threaded \
             CPython found (get one with `uv python install 3.14t`, or on Debian 12 `scripts/build-free-threaded-cpython`)"
        );
        return;
    };
    let home = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("free-threaded-home");
    std::fs::create_dir_all(&home).unwrap();
    let json = home.join("ft.json");
    let out = Command::cargo_bin("ladder")
        .unwrap()
        .env("LADDER_HOME", &home)
        .args([
            "run",
            "--size",
            "quick",
            "--rung",
            "free-threaded",
            "--bench",
        ])
        .arg("nbody,spectral-norm,binary-trees")
        .arg("--json")
        .arg(&json)
        .timeout(std::time::Duration::from_secs(900))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let cells: Vec<&serde_json::Value> = doc["cells"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["rung"] == "free-threaded")
        .collect();
    assert_eq!(cells.len(), 3, "{stderr}");
    for c in &cells {
        assert_eq!(c["runtime"], ft.id.as_str(), "{c}");
        assert_eq!(c["status"], "ok", "{c}");
        assert_eq!(c["verified"], true, "{c}");
    }
    // The threaded spectral-norm says how many threads it computed on: one per core Python may use.
    let spectral = cells
        .iter()
        .find(|c| c["benchmark"] == "spectral-norm")
        .unwrap();
    let threads = spectral["impl_info"]["threads"].as_u64().unwrap();
    assert!(threads >= 1, "{spectral}");
    let runtime = doc["runtimes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == ft.id.as_str())
        .unwrap();
    assert_eq!(runtime["free_threaded"], true);
}
