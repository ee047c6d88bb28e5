use super::*;
use crate::error::is_usage;
use std::path::PathBuf;

pub(crate) fn repo_catalog_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../catalog")
}

/// A minimal valid catalog in a temp folder: one benchmark, two rungs. Tests break it one field at a time.
pub(crate) fn tiny_catalog() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::write(
        root.join("rungs.toml"),
        r#"
[[rung]]
id = "cpython"
title = "CPython"
study_rung = "Rung 0"
on = "cpython"
build = "none"
costs = "Nothing"

[[rung]]
id = "pypy"
title = "PyPy"
study_rung = "Rung 1"
on = "pypy"
build = "none"
costs = "Ecosystem compatibility"
get = "apt-get install pypy3"
"#,
    )
    .unwrap();
    let b = root.join("nbody");
    std::fs::create_dir(&b).unwrap();
    std::fs::write(
        b.join("baseline.py"),
        "def setup(n, data_path):\n    return n\n\ndef run(n):\n    return [0.0, 0.0]\n",
    )
    .unwrap();
    std::fs::write(
        b.join("benchmark.toml"),
        r#"
id = "nbody"
title = "n-body"
summary = "test"
work = "steps"
input = "none"

[check]
kind = "floats"
names = ["energy_before", "energy_after"]
decimals = 9

[sizes.quick]
n = 1000
expect = { energy_before = "-0.169075164", energy_after = "-0.169087605" }

[impl]
cpython = "baseline.py"
pypy = "baseline.py"

[study]
source = "test"
baseline = "CPython 3.14"
[study.ms]
"cpython@3.14" = 1242
pypy = 98
"#,
    )
    .unwrap();
    tmp
}

fn error_of(dir: &std::path::Path) -> String {
    let err = Catalog::load(dir).expect_err("the catalog should be refused");
    assert!(
        is_usage(&err),
        "a malformed catalog is the user's to fix (exit 2): {err:#}"
    );
    format!("{err:#}")
}

fn edit(path: &std::path::Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{from:?} not in {}", path.display());
    std::fs::write(path, text.replace(from, to)).unwrap();
}

#[test]
fn the_repo_catalog_loads_with_the_issue_ids() {
    let cat = Catalog::load(&repo_catalog_dir()).unwrap();
    let ids: Vec<_> = cat.benchmarks.iter().map(|b| b.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "nbody",
            "spectral-norm",
            "json-pipeline",
            "json-pipeline-dicts",
            "fannkuch-redux",
            "mandelbrot",
            "binary-trees"
        ]
    );
    let rungs: Vec<_> = cat.rungs.iter().map(|r| r.id.as_str()).collect();
    for id in [
        "cpython", "pypy", "mypyc", "cython", "numpy", "numba", "rust", "c",
    ] {
        assert!(rungs.contains(&id), "rung {id} missing");
    }
    let n = |b: &str, s: SizeName| cat.benchmark(b).unwrap().size(s).map(|s| s.n);
    assert_eq!(n("nbody", SizeName::Quick), Some(1_000));
    assert_eq!(n("nbody", SizeName::Default), Some(500_000));
    assert_eq!(n("nbody", SizeName::Standard), Some(50_000_000));
    assert_eq!(n("spectral-norm", SizeName::Quick), Some(100));
    assert_eq!(n("spectral-norm", SizeName::Default), Some(2_000));
    assert_eq!(n("spectral-norm", SizeName::Standard), Some(5_500));
    assert_eq!(n("json-pipeline", SizeName::Quick), Some(1_000));
    assert_eq!(n("json-pipeline", SizeName::Default), Some(100_000));
    assert_eq!(n("json-pipeline-dicts", SizeName::Default), Some(100_000));
    // The rest of the study's first table, at the Benchmarks Game's sizes as standard.
    assert_eq!(n("fannkuch-redux", SizeName::Standard), Some(12));
    assert_eq!(n("mandelbrot", SizeName::Standard), Some(16_000));
    assert_eq!(n("binary-trees", SizeName::Standard), Some(21));
    // Every benchmark either implements a core rung or says why it cannot.
    for b in &cat.benchmarks {
        for rung in [
            "cpython", "pypy", "mypyc", "cython", "numpy", "numba", "rust", "c",
        ] {
            assert!(
                b.implementations.contains_key(rung) || b.not_expressed.contains_key(rung),
                "{}: rung {rung} neither implemented nor explained",
                b.id
            );
        }
    }
}

#[test]
fn pinned_references_agree_with_the_benchmarks_game() {
    let cat = Catalog::load(&repo_catalog_dir()).unwrap();
    // A pinned float by name, written to 9 decimals as the Benchmarks Game prints it.
    let expect = |b: &str, s: SizeName, k: &str| {
        let bench = cat.benchmark(b).unwrap();
        let crate::catalog::Check::Floats { names, .. } = &bench.check else {
            panic!("{b}: not a floats check");
        };
        let crate::catalog::Pinned::Floats(values) = &bench.size(s).unwrap().expect else {
            panic!("{b}: not floats");
        };
        values[names.iter().position(|n| n == k).unwrap()]
    };
    // The Benchmarks Game's published outputs for n-body 1,000 and 50,000,000 steps.
    assert_eq!(
        format!("{:.9}", expect("nbody", SizeName::Quick, "energy_before")),
        "-0.169075164"
    );
    assert_eq!(
        format!("{:.9}", expect("nbody", SizeName::Quick, "energy_after")),
        "-0.169087605"
    );
    assert_eq!(
        format!("{:.9}", expect("nbody", SizeName::Standard, "energy_after")),
        "-0.169059907"
    );
    // spectral-norm 100 and 5,500, published to 9 decimals.
    let norm = |s| format!("{:.9}", expect("spectral-norm", s, "norm"));
    assert_eq!(norm(SizeName::Quick), "1.274219991");
    assert_eq!(norm(SizeName::Standard), "1.274224153");
    // vBv / vv must be consistent with the norm they pin.
    for s in SizeName::ALL {
        let vbv = expect("spectral-norm", s, "vbv");
        let vv = expect("spectral-norm", s, "vv");
        let norm = expect("spectral-norm", s, "norm");
        assert!(((vbv / vv).sqrt() - norm).abs() < 1e-12, "size {s}");
    }
}

#[test]
fn the_embedded_catalog_is_the_repo_catalog() {
    let home = tempfile::tempdir().unwrap();
    let dir = materialize_embedded(home.path()).unwrap();
    let embedded = Catalog::load(&dir).unwrap();
    let repo = Catalog::load(&repo_catalog_dir()).unwrap();
    assert_eq!(embedded.benchmarks.len(), repo.benchmarks.len());
    assert_eq!(
        std::fs::read(dir.join("nbody/baseline.py")).unwrap(),
        std::fs::read(repo_catalog_dir().join("nbody/baseline.py")).unwrap()
    );
    // Writing it again reuses the same folder.
    assert_eq!(materialize_embedded(home.path()).unwrap(), dir);
}

#[test]
fn tiny_catalog_loads() {
    let tmp = tiny_catalog();
    let cat = Catalog::load(tmp.path()).unwrap();
    assert_eq!(cat.benchmarks.len(), 1);
    let study = cat.benchmarks[0].study.as_ref().unwrap();
    let (ms, speedup) = study.figure("pypy", None).unwrap();
    assert_eq!(ms, 98.0);
    assert!((speedup - 1242.0 / 98.0).abs() < 1e-9);
}

#[test]
fn malformed_catalogs_name_the_file_and_the_field() {
    let cases: [(&str, &str, &str, &str); 6] = [
        ("nbody/benchmark.toml", "n = 1000", "n = 0", "sizes.quick.n"),
        (
            "nbody/benchmark.toml",
            "pypy = \"baseline.py\"",
            "fortran = \"baseline.py\"",
            "impl.fortran",
        ),
        (
            "nbody/benchmark.toml",
            "pypy = \"baseline.py\"",
            "pypy = \"missing.py\"",
            "impl.pypy",
        ),
        (
            "nbody/benchmark.toml",
            "energy_after = \"-0.169087605\"",
            "energy_after = -0.17",
            "sizes.quick.expect.energy_after",
        ),
        (
            "nbody/benchmark.toml",
            "[sizes.quick]",
            "[sizes.huge]",
            "sizes.huge",
        ),
        ("rungs.toml", "id = \"pypy\"", "id = \"cpython\"", "rung.id"),
    ];
    for (file, from, to, field) in cases {
        let tmp = tiny_catalog();
        let path = tmp.path().join(file);
        edit(&path, from, to);
        let msg = error_of(tmp.path());
        assert!(msg.contains(file.rsplit('/').next().unwrap()), "{msg}");
        assert!(msg.contains(field), "expected field {field} in: {msg}");
    }
    // TOML syntax errors say where.
    let tmp = tiny_catalog();
    edit(
        &tmp.path().join("nbody/benchmark.toml"),
        "work = \"steps\"",
        "work = ",
    );
    let msg = error_of(tmp.path());
    assert!(
        msg.contains("benchmark.toml") && msg.contains("line"),
        "{msg}"
    );
    // A folder that is not a catalog.
    let empty = tempfile::tempdir().unwrap();
    assert!(error_of(empty.path()).contains("rungs.toml"));
}

/// The tiny catalog plus a rung with both tiers (`fast`: a study and an expert implementation of n-body) and PyPy
/// marked as the runtime swap it is.
pub(crate) fn tiny_catalog_with_expert() -> tempfile::TempDir {
    let tmp = tiny_catalog();
    let root = tmp.path();
    edit(
        &root.join("rungs.toml"),
        "on = \"pypy\"\n",
        "on = \"pypy\"\nruntime_swap = true\n",
    );
    let mut rungs = std::fs::read_to_string(root.join("rungs.toml")).unwrap();
    rungs.push_str(
        r#"
[[rung]]
id = "fast"
title = "Fast"
study_rung = "Rung 4"
on = "baseline"
build = "none"
costs = "Effort"
"#,
    );
    std::fs::write(root.join("rungs.toml"), rungs).unwrap();
    let b = root.join("nbody");
    for f in ["fast.py", "fast_expert.py"] {
        std::fs::copy(b.join("baseline.py"), b.join(f)).unwrap();
    }
    std::fs::write(b.join("EXPERT.md"), "The ideas every expert may use.\n").unwrap();
    let toml = b.join("benchmark.toml");
    edit(
        &toml,
        "pypy = \"baseline.py\"\n",
        "pypy = \"baseline.py\"\nfast = \"fast.py\"\n\n[expert]\nalgorithm = \"EXPERT.md\"\n\
         [expert.impl]\nfast = \"fast_expert.py\"\n[expert.not_expressed]\n",
    );
    tmp
}

#[test]
fn an_expert_table_gives_a_rung_its_second_implementation() {
    let tmp = tiny_catalog_with_expert();
    let cat = Catalog::load(tmp.path()).unwrap();
    let b = cat.benchmark("nbody").unwrap();
    assert_eq!(b.implementation("fast", Tier::Study), Some("fast.py"));
    assert_eq!(
        b.implementation("fast", Tier::Expert),
        Some("fast_expert.py")
    );
    assert_eq!(b.implementation("cpython", Tier::Expert), None);
    assert_eq!(b.expert.algorithm.as_deref(), Some("EXPERT.md"));
    assert!(
        b.expert.fast_math,
        "fast-math is allowed unless a benchmark says otherwise"
    );
    assert!(cat.rung("pypy").unwrap().runtime_swap);
    assert!(!cat.rung("fast").unwrap().runtime_swap);
}

#[test]
fn a_bad_expert_table_names_its_field() {
    // A runtime swap runs the plain code: it has no expert tier.
    let tmp = tiny_catalog_with_expert();
    let toml = tmp.path().join("nbody/benchmark.toml");
    edit(
        &toml,
        "[expert.impl]\n",
        "[expert.impl]\npypy = \"fast_expert.py\"\n",
    );
    let err = error_of(tmp.path());
    assert!(
        err.contains("expert.impl.pypy") && err.contains("runtime swap"),
        "{err}"
    );

    // An expert implementation needs a study one to be measured against.
    let tmp = tiny_catalog_with_expert();
    let toml = tmp.path().join("nbody/benchmark.toml");
    edit(&toml, "fast = \"fast.py\"\n", "");
    let err = error_of(tmp.path());
    assert!(
        err.contains("expert.impl.fast") && err.contains("no study one"),
        "{err}"
    );

    // Files that are not there, and fields that do not exist.
    let tmp = tiny_catalog_with_expert();
    let toml = tmp.path().join("nbody/benchmark.toml");
    edit(&toml, "fast = \"fast_expert.py\"", "fast = \"gone.py\"");
    let err = error_of(tmp.path());
    assert!(
        err.contains("expert.impl.fast") && err.contains("gone.py"),
        "{err}"
    );
    let tmp = tiny_catalog_with_expert();
    let toml = tmp.path().join("nbody/benchmark.toml");
    edit(
        &toml,
        "algorithm = \"EXPERT.md\"",
        "algorithm = \"IDEAS.md\"",
    );
    let err = error_of(tmp.path());
    assert!(
        err.contains("expert.algorithm") && err.contains("IDEAS.md"),
        "{err}"
    );
    let tmp = tiny_catalog_with_expert();
    let toml = tmp.path().join("nbody/benchmark.toml");
    edit(
        &toml,
        "[expert.impl]\n",
        "[expert.impl]\nnumba = \"fast_expert.py\"\n",
    );
    let err = error_of(tmp.path());
    assert!(
        err.contains("expert.impl.numba") && err.contains("no rung"),
        "{err}"
    );
    let tmp = tiny_catalog_with_expert();
    let toml = tmp.path().join("nbody/benchmark.toml");
    edit(&toml, "algorithm = ", "threads = 2\nalgorithm = ");
    let err = error_of(tmp.path());
    assert!(
        err.contains("benchmark.toml") && err.contains("threads"),
        "{err}"
    );
}

#[test]
fn in_the_repo_catalog_every_compiled_rung_has_an_expert_tier_or_says_why() {
    let cat = Catalog::load(&repo_catalog_dir()).unwrap();
    let mut with_expert = Vec::new();
    for b in cat
        .benchmarks
        .iter()
        .filter(|b| b.expert.algorithm.is_some())
    {
        with_expert.push(b.id.as_str());
        for rung in cat.rungs.iter().filter(|r| !r.runtime_swap) {
            if !b.implementations.contains_key(&rung.id) {
                continue;
            }
            let listed = b.expert.implementations.contains_key(&rung.id)
                || b.expert.not_expressed.contains_key(&rung.id);
            assert!(
                listed,
                "{}: rung {} has a study implementation but neither an expert one nor a reason",
                b.id, rung.id
            );
        }
        let algorithm =
            std::fs::read_to_string(b.dir.join(b.expert.algorithm.as_ref().unwrap())).unwrap();
        assert!(algorithm.len() > 500, "{}: EXPERT.md says too little", b.id);
    }
    // The benchmarks the expert targets are measured on (issue 13).
    for id in ["nbody", "spectral-norm", "json-pipeline"] {
        assert!(with_expert.contains(&id), "{id} has no [expert] table");
    }
    // The runtime swaps run the plain code, so they have no expert tier.
    for id in [
        "cpython",
        "pypy",
        "free-threaded",
        "cpython-jit",
        "graalpy",
        "nuitka",
    ] {
        assert!(cat.rung(id).unwrap().runtime_swap, "{id}");
    }
}
