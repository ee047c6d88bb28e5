//! The user's command line: which interpreter it names (resolved the way the shell would, through PATH), and
//! what it runs (a script, `-m module` or `-c code`). Anything else is a usage error that says why.

use crate::error::UsageError;
use anyhow::Result;
use serde::Serialize;
use std::path::PathBuf;
use std::process::Command;

#[derive(Debug, Clone, Serialize)]
pub struct Interpreter {
    /// As the command named it, resolved through PATH (a pyenv shim stays a shim, as in the shell).
    pub path: PathBuf,
    /// What the interpreter reports as `sys.executable`.
    pub executable: String,
    pub implementation: String,
    pub version: String,
}

#[derive(Debug, Clone)]
pub enum Target {
    Script(PathBuf),
    Module(String),
    Code(String),
}

#[derive(Debug, Clone)]
pub struct Invocation {
    pub interpreter: Interpreter,
    /// Interpreter options before the target (e.g. `-u`, `-X dev`), passed through unchanged.
    pub options: Vec<String>,
    pub target: Target,
    pub args: Vec<String>,
}

/// Resolves `argv` to an interpreter and target. Errors are usage errors (exit 2) naming what is wrong.
pub fn resolve(argv: &[String]) -> Result<Invocation> {
    let Some(program) = argv.first() else {
        return Err(UsageError::new(
            "no command given: use `ladder advise -- python your_script.py [ARGS]`",
        )
        .into());
    };
    let path = if program.contains('/') {
        PathBuf::from(program)
    } else {
        crate::toolchain::tools::which(program).ok_or_else(|| {
            UsageError::new(format!(
                "{program}: not found on PATH (the command must start with a Python interpreter)"
            ))
        })?
    };
    let interpreter = probe(&path).ok_or_else(|| {
        UsageError::new(format!(
            "{program} is not a Python interpreter (it did not answer `-c \"import sys\"` like one); \
             the command must be `python ...`"
        ))
    })?;
    let mut options = Vec::new();
    let mut i = 1;
    let target = loop {
        let Some(a) = argv.get(i) else {
            return Err(UsageError::new(
                "the command runs no program: give a script, -m MODULE or -c CODE (an interactive session cannot be profiled)",
            )
            .into());
        };
        match a.as_str() {
            "-m" | "-c" => {
                let v = argv
                    .get(i + 1)
                    .ok_or_else(|| UsageError::new(format!("{a} needs an argument")))?;
                i += 2;
                break if a == "-m" {
                    Target::Module(v.clone())
                } else {
                    Target::Code(v.clone())
                };
            }
            "-X" | "-W" => {
                options.push(a.clone());
                if let Some(v) = argv.get(i + 1) {
                    options.push(v.clone());
                }
                i += 2;
            }
            o if o.starts_with('-') && o != "-" => {
                options.push(a.clone());
                i += 1;
            }
            script => {
                let p = PathBuf::from(script);
                if !p.is_file() {
                    return Err(UsageError::new(format!("{script}: no such script")).into());
                }
                i += 1;
                break Target::Script(p);
            }
        }
    };
    Ok(Invocation {
        interpreter,
        options,
        target,
        args: argv[i..].to_vec(),
    })
}

fn probe(path: &std::path::Path) -> Option<Interpreter> {
    let out = Command::new(path)
        .args([
            "-c",
            "import sys; print(sys.executable); print(sys.implementation.name); print('%d.%d.%d' % sys.version_info[:3])",
        ])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines = text.lines();
    let (exe, imp, ver) = (lines.next()?, lines.next()?, lines.next()?);
    if !ver.starts_with("3.") {
        return None;
    }
    Some(Interpreter {
        path: path.to_path_buf(),
        executable: exe.to_string(),
        implementation: imp.to_string(),
        version: ver.to_string(),
    })
}
