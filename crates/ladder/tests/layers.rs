//! The crate's layers (docs/architecture.md): a module may use only modules on its own layer or below. Read
//! from the sources, so a `use` that runs up the layers fails here, tests included.

use std::path::Path;

/// Bottom first. Modules on one layer do not use each other except as listed in `SAME_LAYER`.
const LAYERS: &[&[&str]] = &[
    &["error", "home", "stats", "process"],
    &["catalog"],
    &["results", "events"],
    &["toolchain"],
    &["measure"],
    &["report"],
    &["advise"],
    &["climb"],
    &["cli"],
];

fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_module_uses_a_layer_above_its_own() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut upward = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(&src).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if top == "lib" || top == "main" {
            continue;
        }
        let from = layer(&top).unwrap_or_else(|| {
            panic!(
                "src/{} is in no layer: add `{top}` to LAYERS",
                rel.display()
            )
        });
        let text = std::fs::read_to_string(file).unwrap();
        for (i, line) in text.lines().enumerate() {
            let mut rest = line;
            while let Some(at) = rest.find("crate::") {
                rest = &rest[at + "crate::".len()..];
                let target: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if target == top {
                    continue;
                }
                match layer(&target) {
                    Some(to) if to < from => {}
                    Some(to) if to == from => upward.push(format!(
                        "src/{}:{}: {top} uses {target}, on the same layer",
                        rel.display(),
                        i + 1
                    )),
                    Some(_) => upward.push(format!(
                        "src/{}:{}: {top} uses {target}, a layer above it",
                        rel.display(),
                        i + 1
                    )),
                    None => upward.push(format!(
                        "src/{}:{}: {top} uses {target}, which is in no layer",
                        rel.display(),
                        i + 1
                    )),
                }
            }
        }
    }
    assert!(upward.is_empty(), "{}", upward.join("\n"));
}
