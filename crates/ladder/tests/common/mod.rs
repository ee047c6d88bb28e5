//! What the end-to-end tests share: deciding whether a test whose tool this machine lacks runs, skips or fails.
//!
//! A contributor on another Linux machine gets a green `cargo test` with a line per skipped test naming what is
//! missing and the command that gets it. Under `CI=true` nothing skips: CI's machine must have everything, so a
//! missing tool fails the test there.

#![allow(dead_code)] // each test binary uses its own part of this module

use std::io::Write;
use std::process::{Command, Stdio};

/// True when CI=true: tests must run, never skip.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// True when `program --version` runs and exits 0.
pub fn has_command(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// True when this process runs as root.
pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// Whether `test` can run: true when `present`. Otherwise it panics under CI=true, and elsewhere writes a skip line
/// straight to stderr (past the test harness's capture, so the skip is seen) and returns false.
pub fn require(present: bool, test: &str, what: &str, get_it: &str) -> bool {
    if present {
        return true;
    }
    assert!(
        !in_ci(),
        "{test} needs {what} and CI=true: get it with `{get_it}`"
    );
    let _ = writeln!(
        std::io::stderr(),
        "skipped {test}: needs {what} (get it with `{get_it}`)"
    );
    false
}

/// A rungs.toml with only the `cpython` rung: for the tests' own small catalogs.
pub const CPYTHON_ONLY_RUNGS: &str = r#"
[[rung]]
id = "cpython"
title = "CPython"
study_rung = "Rung 0"
on = "cpython"
build = "none"
costs = "Nothing"
"#;

/// The lines a Python harness printed (one per case), after checking that it exited 0 and printed `expected`
/// lines: a crash shows as a signal or as missing lines, with the harness's stderr in the message.
pub fn harness_lines(out: &std::process::Output, expected: usize) -> Vec<String> {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "python died: {:?}\n{stderr}",
        out.status
    );
    let lines: Vec<String> = stdout.lines().map(str::to_string).collect();
    assert_eq!(lines.len(), expected, "{stdout}\n{stderr}");
    lines
}
