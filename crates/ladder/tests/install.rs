//! Issue 18: ladder as an installed program. `ladder --version` and every results document say which ladder
//! made them (version, commit, built-in catalog).

use assert_cmd::Command;
use std::path::PathBuf;

fn home() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("install-home");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The commit of the checkout these tests run in, as git says it.
fn checkout_commit() -> String {
    let out = std::process::Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("git runs");
    assert!(out.status.success(), "these tests run in a git checkout");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn version_names_the_commit_and_the_built_in_catalog() {
    let catalog = ladder::catalog::embedded_catalog_hash();
    let commit = checkout_commit();
    for flag in ["--version", "-V"] {
        let out = Command::cargo_bin("ladder")
            .unwrap()
            .arg(flag)
            .output()
            .unwrap();
        assert!(out.status.success());
        let line = String::from_utf8(out.stdout).unwrap();
        assert_eq!(
            line.trim(),
            format!(
                "ladder {} (commit {}, catalog {catalog})",
                env!("CARGO_PKG_VERSION"),
                &commit[..12]
            ),
            "{flag}"
        );
    }
    // the hash names the folder the built-in catalog is written to
    let home = home();
    let written = ladder::catalog::materialize_embedded(&home).unwrap();
    assert_eq!(written.file_name().unwrap().to_str().unwrap(), catalog);
}

#[test]
fn results_documents_record_the_ladder_that_wrote_them() {
    let home = home();
    let json = home.join("version.json");
    let out = Command::cargo_bin("ladder")
        .unwrap()
        .env("LADDER_HOME", &home)
        .args([
            "run", "--size", "quick", "--bench", "nbody", "--rung", "cpython", "--json",
        ])
        .arg(&json)
        .timeout(std::time::Duration::from_secs(300))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let build = &doc["ladder_build"];
    assert_eq!(build["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(build["commit"], checkout_commit());
    assert_eq!(build["catalog"], ladder::catalog::embedded_catalog_hash());
    // and the document still reads back
    ladder::results::Results::read(&json).unwrap();
}

/// `cargo install --path crates/ladder` and the wheels ship the binary alone: the catalog, the worker and the Rust
/// rung's crate are compiled in. A path into the checkout outside an `include_*!` macro or a test module would be
/// read at run time and break every installed copy. (scripts/release checks the same end to end: it installs from
/// an exported tree, removes the tree, then runs the installed ladder.)
#[test]
fn nothing_outside_tests_names_the_checkout_at_run_time() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut offending = Vec::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let is_test_file = path.file_name().is_some_and(|n| n == "tests.rs")
                || path.components().any(|c| c.as_os_str() == "tests");
            if path.extension().is_none_or(|e| e != "rs") || is_test_file {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            // everything from the first test module on is test code
            let code = text.split("#[cfg(test)]").next().unwrap();
            for (i, line) in code.lines().enumerate() {
                let names_checkout = line.contains("CARGO_MANIFEST_DIR") || line.contains("../../");
                let embedded = line.contains("include_dir!") || line.contains("include_str!");
                if names_checkout && !embedded && !line.trim_start().starts_with("//") {
                    offending.push(format!("{}:{}: {}", path.display(), i + 1, line.trim()));
                }
            }
        }
    }
    assert!(offending.is_empty(), "{offending:#?}");
}

#[test]
fn compare_tells_two_ladders_apart_by_their_commit() {
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/default-run.json");
    let mut a = ladder::results::Results::read(&fixture).unwrap();
    let mut b = a.clone();
    // a document from before `ladder_build` names the version alone
    a.ladder_build = None;
    assert_eq!(a.ladder_described(), a.ladder_version);
    let this = ladder::results::LadderBuild::this_binary();
    a.ladder_build = Some(ladder::results::LadderBuild {
        commit: "0123456789abcdef0123456789abcdef01234567".into(),
        ..this.clone()
    });
    b.ladder_build = Some(this.clone());
    let cmp = ladder::report::compare::compare(&a, &b);
    let line = cmp
        .differences
        .iter()
        .find(|d| d.starts_with("ladder:"))
        .unwrap_or_else(|| panic!("no ladder line in {:?}", cmp.differences));
    assert!(line.contains("commit 0123456789ab"), "{line}");
    assert!(
        line.contains(&format!("catalog {}", this.catalog)),
        "{line}"
    );
    // the same ladder on both sides is no difference
    let same = ladder::report::compare::compare(&b, &b);
    assert!(!same.differences.iter().any(|d| d.starts_with("ladder:")));
}
