//! The user's command line: which interpreter it names (resolved the way the shell would, through PATH, then
//! followed to the real executable), and what it runs (a script, `-m module` or `-c code`). Anything else is a
//! usage error that says why.

use crate::error::UsageError;
use anyhow::Result;
use serde::Serialize;
use std::io::Read;
use std::path::PathBuf;
use std::process::Command;

#[derive(Debug, Clone, Serialize)]
pub struct Interpreter {
    /// The interpreter that is run: the one the command starts, as its own `sys.executable` names it. A pyenv or
    /// asdf shim or a wrapper script is a program that starts another; timed, its own start-up (a shell and
    /// pyenv's version lookup, ~180 ms) would count as the program's. The wrapper's environment changes (pyenv
    /// puts the version's bin folder first on PATH) are not made.
    pub path: PathBuf,
    /// As the command named it, resolved through PATH (e.g. ~/.pyenv/shims/python3).
    pub named: PathBuf,
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
    /// The command is an installed program's entry point (a console script whose `#!` line names the
    /// interpreter): the target is that script, and the program's own code is in the folder the command runs in.
    pub entry_point: bool,
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
    let Some(interpreter) = probe(&path) else {
        // A console script (`mytool` installed by pip) is a Python file whose `#!` line names the interpreter.
        if let Some(python) = shebang_python(&path)
            && let Some(interpreter) = probe(&python)
        {
            return Ok(Invocation {
                interpreter,
                options: Vec::new(),
                target: Target::Script(path),
                args: argv[1..].to_vec(),
                entry_point: true,
            });
        }
        return Err(UsageError::new(format!(
            "{program} is not a Python interpreter (it did not answer `-c \"import sys\"` like one) nor a script \
             whose #! line names one; the command must be `python ...` or an installed program's entry point"
        ))
        .into());
    };
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
        entry_point: false,
    })
}

/// The interpreter a script's `#!` line names: `#!/path/to/python3` or `#!/usr/bin/env python3` (resolved on
/// PATH). None when the file does not start with such a line.
fn shebang_python(script: &std::path::Path) -> Option<PathBuf> {
    use std::io::BufRead;
    let file = std::fs::File::open(script).ok()?;
    let mut first = String::new();
    std::io::BufReader::new(file)
        .take(4096)
        .read_line(&mut first)
        .ok()?;
    let line = first.strip_prefix("#!")?.trim();
    let mut words = line.split_whitespace();
    let program = words.next()?;
    let python = if program.ends_with("/env") {
        crate::toolchain::tools::which(words.find(|w| !w.starts_with('-'))?)?
    } else {
        PathBuf::from(program)
    };
    let name = python.file_name()?.to_string_lossy().into_owned();
    (name.starts_with("python") || name.starts_with("pypy")).then_some(python)
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
    // sys.executable is empty or not a file when the interpreter cannot tell (embedded, some sandboxes).
    let real = PathBuf::from(exe);
    Some(Interpreter {
        path: if real.is_absolute() && real.is_file() {
            real
        } else {
            path.to_path_buf()
        },
        named: path.to_path_buf(),
        executable: exe.to_string(),
        implementation: imp.to_string(),
        version: ver.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// A wrapper script (what pyenv's and asdf's shims are) is followed to the interpreter it starts; the
    /// interpreter's own path stays itself.
    #[test]
    fn wrappers_and_shims_resolve_to_the_real_interpreter() {
        let real = probe(&crate::toolchain::tools::which("python3").expect("python3 on PATH"))
            .expect("python3 answers")
            .path;
        let dir = tempfile::tempdir().unwrap();
        let wrapper = dir.path().join("python3");
        std::fs::write(
            &wrapper,
            format!("#!/bin/sh\nexec {} \"$@\"\n", real.display()),
        )
        .unwrap();
        std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
        let argv = [wrapper.display().to_string(), "-c".into(), "pass".into()];
        let inv = resolve(&argv).unwrap();
        assert_eq!(inv.interpreter.path, real);
        assert_eq!(inv.interpreter.named, wrapper);
        let direct = resolve(&[real.display().to_string(), "-c".into(), "pass".into()]).unwrap();
        assert_eq!(direct.interpreter.path, real);
        assert_eq!(direct.interpreter.named, real);
        assert!(!direct.entry_point);
        // A console script as pip writes it: the interpreter from its #! line, the script as the target.
        let tool = dir.path().join("mytool");
        std::fs::write(
            &tool,
            format!("#!{}\nimport sys\nprint(sys.argv[1:])\n", real.display()),
        )
        .unwrap();
        std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755)).unwrap();
        let inv = resolve(&[tool.display().to_string(), "--flag".into()]).unwrap();
        assert!(inv.entry_point);
        assert_eq!(inv.interpreter.path, real);
        assert!(matches!(&inv.target, Target::Script(p) if *p == tool));
        assert_eq!(inv.args, ["--flag"]);
        // A shell script is neither.
        let sh = dir.path().join("tool.sh");
        std::fs::write(&sh, "#!/bin/sh\necho hi\n").unwrap();
        std::fs::set_permissions(&sh, std::fs::Permissions::from_mode(0o755)).unwrap();
        let err = resolve(&[sh.display().to_string()]).unwrap_err();
        assert!(crate::error::is_usage(&err), "{err}");
    }
}
