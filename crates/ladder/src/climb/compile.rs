//! The compiled attempts: a copy of the user's project folder in which the hot modules are compiled by mypyc or
//! Cython (pure-Python mode: the unchanged `.py`). The user's files are only read.
//!
//! A script cannot be compiled where it stands: `python app.py` executes the source, and an extension module
//! cannot be run as `__main__`. So the copy's `app.py` is split with ruff's parser: everything but its top-level
//! `if __name__ == "__main__":` blocks becomes the module `app_ladder_hot` (compiled; line numbers kept), and
//! `app.py` becomes a launcher that imports it, checks it really is the compiled extension (not a leftover
//! source), takes its globals and runs the `__main__` blocks verbatim. Other hot modules in the script's folder
//! are compiled in place (an extension module is found before the source; the builders delete the source), and
//! so are hot modules inside packages, where they stand in the copy: the package structure is kept, so mypyc and
//! Cython name them by their package (`pkg.sub.mod`). A package's `__init__.py` and `__main__.py` stay source:
//! `python -m pkg` runs `__main__` from its source, and an `__init__` extension is named after its package.
//!
//! For `python -m pkg` the project is the folder the command runs in (where `-m` imports from), and the attempt
//! runs in the copy.

use crate::toolchain::build::{BuildInfo, build_cython, build_mypyc};
use crate::toolchain::venv::Venv;
use anyhow::{Context, Result, bail};
use ruff_python_ast::{Expr, Stmt};
use ruff_text_size::Ranged;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compiler {
    Mypyc,
    Cython,
}

impl Compiler {
    pub fn rung(self) -> &'static str {
        match self {
            Compiler::Mypyc => "mypyc",
            Compiler::Cython => "cython",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Prepared {
    /// The copy of the project folder.
    pub root: PathBuf,
    /// The script to run, in the copy (None for `-m`: the module is imported from the copy, run there).
    pub script: Option<PathBuf>,
    /// The import roots of the compiled modules in the copy, for PYTHONPATH: an installed (editable) project
    /// would otherwise import its modules from the user's folder.
    pub python_path: Vec<PathBuf>,
    /// The compiled modules' import names (`geom.kernels`), the script's own excluded (its launcher checks it).
    pub module_names: Vec<String>,
    /// Modules compiled (file names relative to the project folder).
    pub compiled: Vec<String>,
    /// Hot files left as source, with why.
    pub skipped: Vec<String>,
    pub build: BuildInfo,
}

/// Folders never copied: version control, caches, virtual environments, build output.
const SKIP_DIRS: &[&str] = &[
    ".git",
    ".hg",
    "__pycache__",
    ".mypy_cache",
    ".pytest_cache",
    ".venv",
    "venv",
    "node_modules",
    "target",
    "build",
];
/// A project folder bigger than this is not copied (climb would spend its time copying).
const MAX_COPY_BYTES: u64 = 512 << 20;

fn copy_tree(from: &Path, to: &Path, budget: &mut u64) -> Result<()> {
    std::fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
    for entry in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let name = entry.file_name();
        let ty = entry.file_type()?;
        let (src, dst) = (entry.path(), to.join(&name));
        if ty.is_dir() {
            if !SKIP_DIRS.iter().any(|s| name == *s) {
                copy_tree(&src, &dst, budget)?;
            }
        } else if ty.is_symlink() {
            let target = std::fs::read_link(&src)?;
            let _ = std::os::unix::fs::symlink(target, &dst);
        } else if ty.is_file() {
            let len = entry.metadata()?.len();
            if len > *budget {
                bail!(
                    "{} holds more than {} MiB: too much to copy for a build (run climb from a smaller folder)",
                    from.display(),
                    MAX_COPY_BYTES >> 20
                );
            }
            *budget -= len;
            std::fs::copy(&src, &dst).with_context(|| format!("copying {}", src.display()))?;
        }
    }
    Ok(())
}

/// `__name__ == "__main__"` (either way round).
fn is_main_guard(test: &Expr) -> bool {
    let Expr::Compare(c) = test else {
        return false;
    };
    let is_name = |e: &Expr| matches!(e, Expr::Name(n) if n.id.as_str() == "__name__");
    let is_main = |e: &Expr| matches!(e, Expr::StringLiteral(s) if s.value.to_str() == "__main__");
    match (c.comparators.first(), c.ops.first()) {
        (Some(right), Some(ruff_python_ast::CmpOp::Eq)) if c.comparators.len() == 1 => {
            (is_name(&c.left) && is_main(right)) || (is_main(&c.left) && is_name(right))
        }
        _ => false,
    }
}

/// Splits a script into (module text, the `__main__` blocks' text). Removed blocks become blank lines in the
/// module, so its line numbers (tracebacks, profiles) stay the script's.
pub fn split_script(source: &str) -> Result<(String, String)> {
    let parsed =
        ruff_python_parser::parse_module(source).map_err(|e| anyhow::anyhow!("parsing: {e}"))?;
    let mut module = String::with_capacity(source.len());
    let mut main = String::new();
    let mut at = 0usize;
    for stmt in &parsed.syntax().body {
        if let Stmt::If(i) = stmt
            && is_main_guard(&i.test)
        {
            let r = stmt.range();
            let (start, end) = (usize::from(r.start()), usize::from(r.end()));
            module.push_str(&source[at..start]);
            let block = &source[start..end];
            module.extend(block.chars().filter(|&c| c == '\n'));
            main.push_str(block);
            main.push('\n');
            at = end;
        }
    }
    module.push_str(&source[at..]);
    Ok((module, main))
}

fn launcher(module: &str, main_blocks: &str) -> String {
    format!(
        "# Written by `ladder climb`: the program's code is compiled in {module}; this runs its __main__ block.\n\
         import {module} as _ladder_hot\n\
         if not _ladder_hot.__file__.endswith(('.so', '.pyd')):\n\
         \x20   raise SystemExit('ladder climb: imported the source, not the compiled module: ' + _ladder_hot.__file__)\n\
         globals().update({{k: v for k, v in vars(_ladder_hot).items() if not (k.startswith('__') and k.endswith('__'))}})\n\
         del _ladder_hot\n\
         {main_blocks}"
    )
}

/// Where a hot file is imported from: the folder that is its import root (the first one up from the file with no
/// `__init__.py`, at most the project's), relative to the project, and the file relative to that root (`pkg/mod.py`
/// is module `pkg.mod`). Err says why the file cannot be compiled where it stands.
fn import_root(project: &Path, rel: &Path) -> std::result::Result<(PathBuf, PathBuf), String> {
    let name = rel
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut root = rel.parent().unwrap_or(Path::new("")).to_path_buf();
    while !root.as_os_str().is_empty() && project.join(&root).join("__init__.py").is_file() {
        root.pop();
    }
    let module = rel
        .strip_prefix(&root)
        .map_err(|e| e.to_string())?
        .to_path_buf();
    if module.components().count() > 1 {
        if name == "__main__.py" {
            return Err("a package's __main__ runs from its source under -m".into());
        }
        if name == "__init__.py" {
            return Err("a package's __init__ stays source".into());
        }
    }
    let parts: Vec<String> = module
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if let Some(p) = parts.iter().find(|p| !is_identifier(p)) {
        return Err(format!("{p} is not a Python identifier"));
    }
    Ok((root, module))
}

fn is_identifier(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// What is compiled: a script (its folder is the project) or `-m` run in a folder (that folder is the project).
pub enum Program<'a> {
    Script(&'a Path),
    /// `python -m pkg`, or an installed program's entry point, run in `folder`: its own modules are there.
    Package {
        folder: &'a Path,
    },
}

/// Copies the project folder to `dest` and compiles the hot files there with `compiler` (run by `venv`).
pub fn prepare(
    compiler: Compiler,
    venv: &Venv,
    program: Program,
    hot_files: &[PathBuf],
    dest: &Path,
) -> Result<Prepared> {
    let (script, project) = match program {
        Program::Script(script) => {
            let script = script
                .canonicalize()
                .with_context(|| format!("{}: resolving", script.display()))?;
            let project = script
                .parent()
                .context("the script has no folder")?
                .to_path_buf();
            (Some(script), project)
        }
        Program::Package { folder } => (
            None,
            folder
                .canonicalize()
                .with_context(|| format!("{}: resolving", folder.display()))?,
        ),
    };
    let project = project.as_path();
    let _ = std::fs::remove_dir_all(dest);
    let root = dest.join("src");
    let mut budget = MAX_COPY_BYTES;
    copy_tree(project, &root, &mut budget)?;
    let logs = dest.join("logs");
    std::fs::create_dir_all(&logs)?;
    let script_name = script
        .as_ref()
        .and_then(|s| s.file_name())
        .map(|n| n.to_string_lossy().into_owned());
    let mut compiled = Vec::new();
    let mut skipped = Vec::new();
    let mut python_path: Vec<PathBuf> = Vec::new();
    let mut module_names: Vec<String> = Vec::new();
    let mut build = BuildInfo {
        kind: compiler.rung().into(),
        ..BuildInfo::default()
    };
    let mut add = |info: BuildInfo| {
        build.commands.extend(info.commands);
        build.cflags = info.cflags;
    };
    let mut files: Vec<PathBuf> = hot_files
        .iter()
        .filter_map(|f| f.canonicalize().ok())
        .collect();
    files.sort();
    files.dedup();
    for file in files {
        let Ok(rel) = file.strip_prefix(project) else {
            skipped.push(format!("{} (outside the project's folder)", file.display()));
            continue;
        };
        let rel_s = rel.display().to_string();
        if file.extension().is_none_or(|e| e != "py") {
            skipped.push(format!("{rel_s} (not a .py file)"));
            continue;
        }
        let (import_dir, module_rel) = match import_root(project, rel) {
            Ok(r) => r,
            Err(why) => {
                skipped.push(format!("{rel_s} ({why})"));
                continue;
            }
        };
        let stem = file
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let log = logs.join(format!("{}-{stem}.log", compiler.rung()));
        let impl_file = if Some(&file) == script.as_ref() {
            let module = format!("{stem}_ladder_hot");
            if !is_identifier(&module) {
                skipped.push(format!("{rel_s} (its name is not a Python identifier)"));
                continue;
            }
            let source = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let (module_text, main_blocks) =
                split_script(&source).with_context(|| format!("{}", file.display()))?;
            std::fs::write(root.join(format!("{module}.py")), module_text)?;
            let script_name = script_name
                .as_deref()
                .context("the script has no file name")?;
            std::fs::write(root.join(script_name), launcher(&module, &main_blocks))?;
            format!("{module}.py")
        } else {
            module_names.push(
                module_rel
                    .with_extension("")
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("."),
            );
            module_rel.display().to_string()
        };
        // Built from its import root, so the compilers name it by its package and the extension lands beside the
        // source.
        let build_dir = root.join(&import_dir);
        if !python_path.contains(&build_dir) {
            python_path.push(build_dir.clone());
        }
        // Best-effort floating point (fair = false) and no annotation page: climb measures the user's program as
        // it would ship.
        let info = match compiler {
            Compiler::Mypyc => build_mypyc(venv, &build_dir, &impl_file, &log, false),
            Compiler::Cython => build_cython(
                venv,
                &build_dir,
                &impl_file,
                &log,
                false,
                false,
                Default::default(),
            ),
        }
        .with_context(|| {
            // The compiler's own error lines say why; the command line the log starts with does not.
            let tail = std::fs::read_to_string(&log)
                .map(|t| {
                    let lines: Vec<&str> = t
                        .lines()
                        .filter(|l| !l.trim().is_empty() && !l.starts_with("$ "))
                        .collect();
                    let errors: Vec<&str> = lines
                        .iter()
                        .copied()
                        .filter(|l| l.to_lowercase().contains("error"))
                        .collect();
                    let pick = if errors.is_empty() { &lines } else { &errors };
                    pick[pick.len().saturating_sub(3)..].join(" | ")
                })
                .unwrap_or_default();
            format!(
                "{} of {rel_s} failed: {tail} (log: {})",
                compiler.rung(),
                log.display()
            )
        })?;
        add(info);
        compiled.push(rel_s);
    }
    if compiled.is_empty() {
        bail!(
            "no hot module of the project's folder to compile ({})",
            skipped.join("; ")
        );
    }
    Ok(Prepared {
        script: script_name.map(|n| root.join(n)),
        python_path,
        module_names,
        root,
        compiled,
        skipped,
        build,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_main_block_moves_to_the_launcher_and_line_numbers_stay() {
        let src = "import sys\n\ndef f():\n    return 1\n\nif __name__ == \"__main__\":\n    print(f())\n    sys.exit(0)\n\nX = 2\n";
        let (module, main) = split_script(src).unwrap();
        assert_eq!(module.lines().count(), src.lines().count());
        assert!(!module.contains("__main__") && module.contains("X = 2"));
        assert_eq!(module.lines().nth(9), Some("X = 2"));
        assert_eq!(
            main,
            "if __name__ == \"__main__\":\n    print(f())\n    sys.exit(0)\n"
        );
        let (module, main) =
            split_script("if '__main__' == __name__:\n    pass\nif x == '__main__':\n    pass\n")
                .unwrap();
        assert!(main.starts_with("if '__main__' == __name__"));
        assert!(
            module.contains("if x == '__main__'"),
            "only the real guard moves"
        );
    }
}
