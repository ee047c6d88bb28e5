//! The default catalog, the worker and the Rust rung's crate, embedded in the binary so `ladder` works from any
//! folder. They are written out under `$LADDER_HOME` (keyed by a hash of their content) the first time they are
//! needed, because Python imports and cargo builds need real files.

use anyhow::{Context, Result};
use include_dir::{Dir, include_dir};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

static CATALOG: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../catalog");
static KERNELS_SRC: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../ladder-kernels/src");
/// The criterion benches: the manifest declares them, so cargo wants their files even for a maturin build.
static KERNELS_BENCHES: Dir<'static> =
    include_dir!("$CARGO_MANIFEST_DIR/../ladder-kernels/benches");
static KERNELS_MANIFEST: &str = include_str!("../../../ladder-kernels/Cargo.toml");
static KERNELS_PYPROJECT: &str = include_str!("../../../ladder-kernels/pyproject.toml");
/// The release profile of the Rust rung's standalone copy: a profile only takes effect in the workspace root,
/// so without it the copy would build with cargo's defaults (16 codegen units, no LTO) while `cargo bench`
/// measured the workspace's profile. A test keeps the two the same.
pub const KERNELS_PROFILE: &str = "[profile.release]\ncodegen-units = 1\nlto = \"thin\"\n";
/// The workspace lock file, so the Rust rung builds with the same dependency versions as the repo's tests.
static LOCKFILE: &str = include_str!("../../../../Cargo.lock");
pub static WORKER_PY: &str = include_str!("../../../../worker/worker.py");

/// The version of the Rust rung's crate ladder embeds: a prebuilt ladder-kernels wheel must be of this version.
pub fn embedded_kernels_version() -> String {
    toml::from_str::<toml::Table>(KERNELS_MANIFEST)
        .ok()
        .and_then(|doc| Some(doc.get("package")?.get("version")?.as_str()?.to_string()))
        .unwrap_or_default()
}

/// Writes the embedded catalog under `home` and returns its folder.
pub fn materialize_embedded(home: &Path) -> Result<PathBuf> {
    write_tree(&home.join("catalog"), &collect_files(&CATALOG))
}

/// Writes the Rust rung's crate (a standalone cargo workspace) under `home` and returns its folder.
pub fn embedded_kernels_crate(home: &Path) -> Result<PathBuf> {
    let mut files = Vec::new();
    for f in collect_files(&KERNELS_SRC) {
        files.push((Path::new("src").join(f.0), f.1));
    }
    for f in collect_files(&KERNELS_BENCHES) {
        files.push((Path::new("benches").join(f.0), f.1));
    }
    // An empty [workspace] table makes the copy its own workspace, away from wherever it is written.
    let manifest = format!("{KERNELS_MANIFEST}\n[workspace]\n\n{KERNELS_PROFILE}");
    files.push((PathBuf::from("Cargo.toml"), manifest.into_bytes()));
    files.push((
        PathBuf::from("pyproject.toml"),
        KERNELS_PYPROJECT.as_bytes().to_vec(),
    ));
    files.push((PathBuf::from("Cargo.lock"), LOCKFILE.as_bytes().to_vec()));
    write_tree(&home.join("kernels-src"), &files)
}

fn collect_files(dir: &Dir<'static>) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in dir.entries() {
        // Build leftovers from trying a rung by hand are not part of the catalog.
        let name = entry
            .path()
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if name == "__pycache__"
            || name == "__mojocache__"
            || name.ends_with(".so")
            || name.ends_with(".pyc")
            || name == "build"
        {
            continue;
        }
        match entry {
            include_dir::DirEntry::Dir(d) => out.extend(collect_files(d)),
            include_dir::DirEntry::File(f) => {
                out.push((f.path().to_path_buf(), f.contents().to_vec()))
            }
        }
    }
    out
}

/// The content hash of the built-in catalog: the name of its folder under `$LADDER_HOME/catalog`, printed by
/// `ladder --version` and recorded in every results document.
pub fn embedded_catalog_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| tree_hash(&collect_files(&CATALOG)))
}

/// A hash of the files' paths and contents, in path order (16 hex digits).
fn tree_hash(files: &[(PathBuf, Vec<u8>)]) -> String {
    let mut hasher = Sha256::new();
    for (path, bytes) in sorted(files) {
        hasher.update(path.to_string_lossy().as_bytes());
        hasher.update([0]);
        hasher.update(bytes);
    }
    hex(&hasher.finalize()[..8])
}

fn sorted(files: &[(PathBuf, Vec<u8>)]) -> Vec<&(PathBuf, Vec<u8>)> {
    let mut sorted: Vec<_> = files.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    sorted
}

/// Writes `files` into `parent/<hash of the files>/` once; later calls find it complete and reuse it.
fn write_tree(parent: &Path, files: &[(PathBuf, Vec<u8>)]) -> Result<PathBuf> {
    let hash = tree_hash(files);
    let sorted = sorted(files);
    let dest = parent.join(&hash);
    if dest.join(".complete").is_file() {
        return Ok(dest);
    }
    // Unique per process and call: threads of one process (unit tests) write trees concurrently too.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let staging = parent.join(format!("{hash}.tmp-{}-{call}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    for (path, bytes) in &sorted {
        let target = staging.join(path);
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        std::fs::write(&target, bytes).with_context(|| format!("writing {}", target.display()))?;
    }
    std::fs::write(staging.join(".complete"), b"")?;
    // Several ladder processes may share a home (parallel tests, two terminals): a complete tree another one
    // moved in meanwhile is used as is, never removed under its readers. Only a tree without its marker (an
    // interrupted write) is replaced.
    let complete = || dest.join(".complete").is_file();
    if !complete() && dest.exists() {
        let _ = std::fs::remove_dir_all(&dest);
    }
    match std::fs::rename(&staging, &dest) {
        Ok(()) => Ok(dest),
        Err(_) if complete() => {
            let _ = std::fs::remove_dir_all(&staging);
            Ok(dest)
        }
        Err(e) => {
            Err(e).with_context(|| format!("moving {} to {}", staging.display(), dest.display()))
        }
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rust_rung_builds_with_the_workspace_release_profile() {
        let profile = |text: &str| -> toml::Value {
            let doc: toml::Table = toml::from_str(text).expect("valid TOML");
            doc["profile"]["release"].clone()
        };
        let workspace = include_str!("../../../../Cargo.toml");
        assert_eq!(profile(KERNELS_PROFILE), profile(workspace));
        let dir = tempfile::tempdir().unwrap();
        let crate_dir = embedded_kernels_crate(dir.path()).unwrap();
        let manifest = std::fs::read_to_string(crate_dir.join("Cargo.toml")).unwrap();
        assert_eq!(profile(&manifest), profile(workspace));
    }

    #[test]
    fn the_catalog_hash_names_the_folder_the_catalog_is_written_to() {
        let dir = tempfile::tempdir().unwrap();
        let written = materialize_embedded(dir.path()).unwrap();
        assert_eq!(
            written.file_name().unwrap().to_str().unwrap(),
            embedded_catalog_hash()
        );
        assert_eq!(embedded_catalog_hash().len(), 16);
        // a changed byte changes the hash
        let mut files = collect_files(&CATALOG);
        files[0].1.push(b'\n');
        assert_ne!(tree_hash(&files), embedded_catalog_hash());
    }

    #[test]
    fn the_embedded_kernels_version_is_the_crate_version() {
        let manifest: toml::Table =
            toml::from_str(include_str!("../../../ladder-kernels/Cargo.toml")).unwrap();
        assert_eq!(
            embedded_kernels_version(),
            manifest["package"]["version"].as_str().unwrap()
        );
        assert!(!embedded_kernels_version().is_empty());
    }

    #[test]
    fn concurrent_writers_never_pull_a_tree_from_under_a_reader() {
        let dir = tempfile::tempdir().unwrap();
        let files = vec![(PathBuf::from("a/b.txt"), b"x".to_vec())];
        // eight writers race to create the tree; each reads it right after
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    for _ in 0..20 {
                        let got = write_tree(dir.path(), &files).unwrap();
                        assert_eq!(std::fs::read(got.join("a/b.txt")).unwrap(), b"x");
                    }
                });
            }
        });
        let first = write_tree(dir.path(), &files).unwrap();
        let marker = first.join("a/b.txt");
        // an interrupted write (no marker) is replaced, and no staging folder is left behind
        std::fs::remove_file(first.join(".complete")).unwrap();
        std::fs::remove_file(&marker).unwrap();
        assert_eq!(write_tree(dir.path(), &files).unwrap(), first);
        assert_eq!(std::fs::read(&marker).unwrap(), b"x");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
