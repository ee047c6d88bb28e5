//! Everything ladder needs from the machine: interpreters, managed venvs, builds, and tool versions.

pub mod build;
pub mod discover;
pub mod host;
pub mod kernels;
pub mod prebuilt;
pub mod tools;
pub mod venv;

use anyhow::{Context, Result};
use std::path::Path;
use std::process::{Command, Output};

/// Runs a command to completion, turning a failure into an error that shows the command and the end of its output.
pub fn run_logged(cmd: &mut Command, log: &Path) -> Result<Output> {
    let shown = format!("{cmd:?}");
    let out = cmd
        .stdin(std::process::Stdio::null())
        .output()
        .with_context(|| format!("starting {shown}"))?;
    let mut text = format!("$ {shown}\n");
    text.push_str(&String::from_utf8_lossy(&out.stdout));
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    if let Some(dir) = log.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let _ = std::fs::write(log, &text);
    if !out.status.success() {
        anyhow::bail!(
            "{shown} failed ({}); the last lines of {}:\n{}",
            out.status,
            log.display(),
            tail_lines(&text, 12)
        );
    }
    Ok(out)
}

pub fn tail_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}
