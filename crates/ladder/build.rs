// The default catalog, the worker and the Rust rung's crate are embedded with include_dir/include_str; tell cargo
// to rebuild when any of them changes (include_dir alone does not track new or changed files on stable).
// Also records the commit the binary is built from (`ladder --version`, every results document) as LADDER_COMMIT.
use std::path::Path;
use std::process::Command;

fn main() {
    for path in [
        "../../catalog",
        "../../worker/worker.py",
        "../ladder-kernels/src",
        "../ladder-kernels/benches",
        "../ladder-kernels/Cargo.toml",
        "../ladder-kernels/pyproject.toml",
        "../../Cargo.lock",
    ] {
        println!("cargo:rerun-if-changed={path}");
    }
    println!("cargo:rustc-env=LADDER_COMMIT={}", commit());
}

/// `$LADDER_COMMIT` when the builder says it (a build from an exported tree or an unpacked source archive has no
/// .git), else git's HEAD, else `unknown`.
fn commit() -> String {
    println!("cargo:rerun-if-env-changed=LADDER_COMMIT");
    if let Some(given) = std::env::var("LADDER_COMMIT")
        .ok()
        .filter(|c| !c.trim().is_empty())
    {
        return given.trim().to_string();
    }
    // Only the repository this crate belongs to: a source tree unpacked inside another repository is not its commit.
    let ours = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .ok();
    let top =
        git(&["rev-parse", "--show-toplevel"]).and_then(|t| Path::new(&t).canonicalize().ok());
    let head = git(&["rev-parse", "--verify", "HEAD"]);
    let (Some(head), true) = (head, ours.is_some() && top == ours) else {
        return "unknown".into();
    };
    // Rebuild when HEAD moves: HEAD itself, and the branches, loose (a folder cargo scans) or packed.
    for name in ["HEAD", "refs/heads", "packed-refs"] {
        if let Some(path) = git(&["rev-parse", "--git-path", name])
            && Path::new(&path).exists()
        {
            println!("cargo:rerun-if-changed={path}");
        }
    }
    head
}

/// One line git prints in this crate's folder, or `None` when git or a repository is missing.
fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()?;
    let line = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !line.is_empty()).then_some(line)
}
