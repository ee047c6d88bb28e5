//! One run of the user's program: its own process group, stdout captured (it is what gets compared), stderr kept
//! for the reason when it fails, whole-process wall time (interpreter start-up included, as the user would see
//! it), and a hard timeout that kills the group.

pub use crate::process::Exit;
use crate::process::Reaper;
use anyhow::{Context, Result};
use std::ffi::OsString;
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// At most this much of stdout is kept for the comparison (the rest is hashed with it, not stored).
const STDOUT_KEEP: usize = 64 << 20;
const STDERR_TAIL: usize = 4000;

#[derive(Debug, Clone)]
pub struct Once {
    pub ended: Exit,
    pub wall_ns: u64,
    pub stdout: Vec<u8>,
    /// The last few KB of stderr.
    pub stderr_tail: String,
}

fn drain(mut r: impl Read + Send + 'static, keep: usize) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut out = Vec::new();
        let mut buf = [0u8; 64 * 1024];
        loop {
            match r.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if out.len() < keep {
                        out.extend_from_slice(&buf[..n.min(keep - out.len())]);
                    }
                }
            }
        }
        out
    })
}

/// Runs `argv` in `cwd` with extra `env`, for at most `timeout`.
pub fn run(
    argv: &[OsString],
    cwd: &Path,
    env: &[(String, String)],
    timeout: Duration,
) -> Result<Once> {
    let (program, args) = argv.split_first().context("empty command line")?;
    let mut cmd = Command::new(program);
    cmd.args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let started = Instant::now();
    let mut child = cmd
        .spawn()
        .with_context(|| format!("starting {}", program.to_string_lossy()))?;
    let out = drain(child.stdout.take().context("stdout pipe")?, STDOUT_KEEP);
    let err = drain(child.stderr.take().context("stderr pipe")?, usize::MAX);
    let mut reaper = Reaper::new(child.id() as libc::pid_t, started + timeout);
    // Reaping kills whatever the program left running, so the pipes close and the readers end.
    let reaped = loop {
        if let Some(reaped) = reaper.poll() {
            break reaped.context("waiting for the program")?;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let wall_ns = started.elapsed().as_nanos() as u64;
    drop(child);
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    let text = String::from_utf8_lossy(&stderr);
    let tail_start = text
        .char_indices()
        .rev()
        .nth(STDERR_TAIL)
        .map_or(0, |(i, _)| i);
    Ok(Once {
        ended: reaped.exit,
        wall_ns,
        stdout,
        stderr_tail: text[tail_start..].trim_end().to_string(),
    })
}

/// Where two outputs first differ, in words: the line number and both lines (shortened).
pub fn first_difference(a: &[u8], b: &[u8]) -> String {
    let (ta, tb) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
    let cut = |s: &str| -> String {
        if s.chars().count() > 80 {
            s.chars().take(77).collect::<String>() + "..."
        } else {
            s.to_string()
        }
    };
    let (mut la, mut lb) = (ta.lines(), tb.lines());
    let mut n = 1;
    loop {
        match (la.next(), lb.next()) {
            (Some(x), Some(y)) if x == y => n += 1,
            (x, y) => {
                return format!(
                    "line {n}: baseline {:?}, this run {:?}",
                    x.map_or("<end of output>".to_string(), cut),
                    y.map_or("<end of output>".to_string(), cut)
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captures_stdout_exit_code_and_timeouts() {
        let sh = |script: &str| vec![OsString::from("sh"), "-c".into(), script.into()];
        let o = run(
            &sh("echo hi; echo oops >&2; exit 3"),
            Path::new("/"),
            &[],
            Duration::from_secs(10),
        )
        .unwrap();
        assert_eq!(o.ended, Exit::Code(3));
        assert_eq!(o.stdout, b"hi\n");
        assert_eq!(o.stderr_tail, "oops");
        let started = Instant::now();
        let o = run(
            &sh("sleep 30"),
            Path::new("/"),
            &[],
            Duration::from_millis(300),
        )
        .unwrap();
        assert_eq!(o.ended, Exit::TimedOut);
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn the_first_difference_is_named() {
        assert_eq!(
            first_difference(b"a\nb\nc\n", b"a\nx\nc\n"),
            "line 2: baseline \"b\", this run \"x\""
        );
        assert_eq!(
            first_difference(b"a\n", b"a\nmore\n"),
            "line 2: baseline \"<end of output>\", this run \"more\""
        );
    }
}
