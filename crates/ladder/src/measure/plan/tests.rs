use super::*;
use crate::catalog::tests::tiny_catalog;
use crate::toolchain::discover::{Discovery, Implementation, Runtime};

pub(crate) fn fake_runtime(implementation: Implementation, version: &str) -> Runtime {
    let prefix = match implementation {
        Implementation::Pypy => "pypy",
        _ => "cpython",
    };
    let minor: String = version.split('.').take(2).collect::<Vec<_>>().join(".");
    Runtime {
        id: format!("{prefix}-{minor}"),
        implementation,
        version: version.into(),
        implementation_version: version.into(),
        executable: format!("/fake/{prefix}{minor}").into(),
        free_threaded: false,
        release_level: "final".into(),
        jit_available: false,
        has_venv: true,
        found_via: "test".into(),
    }
}

fn tools() -> ToolPresence {
    ToolPresence {
        cc: true,
        cargo: true,
        prebuilt_kernels: false,
        programs: vec![],
        headers: vec![],
    }
}

#[test]
fn plans_every_cpython_and_marks_missing_pypy_unavailable() {
    let tmp = tiny_catalog();
    let cat = Catalog::load(tmp.path()).unwrap();
    let d = Discovery {
        runtimes: vec![
            fake_runtime(Implementation::Cpython, "3.12.1"),
            fake_runtime(Implementation::Cpython, "3.13.0"),
        ],
        skipped: vec![],
    };
    let plan = build_plan(
        &cat,
        &d,
        d.default_baseline(),
        &Selection {
            size: Some(SizeName::Quick),
            ..Default::default()
        },
        tools(),
    );
    let labels: Vec<_> = plan
        .cells
        .iter()
        .map(|c| format!("{}/{}", c.rung, c.runtime_label))
        .collect();
    assert_eq!(
        labels,
        ["cpython/cpython-3.12", "cpython/cpython-3.13", "pypy/pypy"]
    );
    let (reason, get) = plan.cells[2].unavailable.clone().unwrap();
    assert!(reason.contains("no PyPy interpreter found"), "{reason}");
    assert_eq!(get.as_deref(), Some("apt-get install pypy3"));
    assert!(
        plan.cells[..2]
            .iter()
            .all(|c| c.unavailable.is_none() && c.n == 1000)
    );
}

#[test]
fn a_rung_selection_keeps_only_the_baseline_of_the_cpython_rung() {
    let tmp = tiny_catalog();
    let cat = Catalog::load(tmp.path()).unwrap();
    let d = Discovery {
        runtimes: vec![
            fake_runtime(Implementation::Cpython, "3.12.1"),
            fake_runtime(Implementation::Cpython, "3.13.0"),
            fake_runtime(Implementation::Pypy, "3.9.16"),
        ],
        skipped: vec![],
    };
    let sel = Selection {
        rungs: Some(vec!["pypy".into()]),
        size: Some(SizeName::Quick),
        ..Default::default()
    };
    let plan = build_plan(&cat, &d, d.default_baseline(), &sel, tools());
    let labels: Vec<_> = plan
        .cells
        .iter()
        .map(|c| format!("{}/{}", c.rung, c.runtime_label))
        .collect();
    assert_eq!(labels, ["cpython/cpython-3.13", "pypy/pypy-3.9"]);
}

#[test]
fn a_missing_size_is_a_note_not_a_cell() {
    let tmp = tiny_catalog();
    let cat = Catalog::load(tmp.path()).unwrap();
    let d = Discovery {
        runtimes: vec![fake_runtime(Implementation::Cpython, "3.13.0")],
        skipped: vec![],
    };
    let sel = Selection {
        size: Some(SizeName::Standard),
        ..Default::default()
    };
    let plan = build_plan(&cat, &d, d.default_baseline(), &sel, tools());
    assert!(plan.cells.is_empty());
    assert!(
        plan.notes[0].contains("nbody: has no `standard` size"),
        "{:?}",
        plan.notes
    );
}

#[test]
fn unknown_ids_list_the_valid_ones() {
    let tmp = tiny_catalog();
    let cat = Catalog::load(tmp.path()).unwrap();
    let err = validate_selection(
        &cat,
        &Selection {
            benches: Some(vec!["nbdy".into()]),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(crate::error::is_usage(&err));
    assert!(
        format!("{err}").contains("--bench nbdy") && format!("{err}").contains("valid ids: nbody"),
        "{err}"
    );
    let err = validate_selection(
        &cat,
        &Selection {
            rungs: Some(vec!["rusty".into()]),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(
        format!("{err}").contains("valid ids: cpython, pypy"),
        "{err}"
    );
}

/// A rung on the baseline runtime with this build step and nothing else.
fn rung_built_by(id: &str, build: BuildKind) -> Rung {
    Rung {
        id: id.into(),
        title: id.into(),
        study_rung: String::new(),
        on: RuntimeSelector::Baseline,
        packages: vec![],
        build,
        costs: String::new(),
        get: None,
        env: Default::default(),
        needs_program: None,
        needs_header: None,
        link: vec![],
        missing: None,
        python: None,
        runtime_swap: false,
    }
}

#[test]
fn the_rust_rung_needs_cargo_or_a_prebuilt_wheel() {
    let rung = rung_built_by("rust", BuildKind::Maturin);
    let rt = fake_runtime(Implementation::Cpython, "3.13.0");
    let with = |cargo: bool, prebuilt_kernels: bool| ToolPresence {
        cargo,
        prebuilt_kernels,
        ..tools()
    };
    assert!(rung_blocker(&rung, &rt, &with(true, false)).is_none());
    assert!(rung_blocker(&rung, &rt, &with(false, true)).is_none());
    let (reason, get) = rung_blocker(&rung, &rt, &with(false, false)).unwrap();
    assert!(
        reason.contains("no Rust toolchain found (cargo), and no prebuilt ladder-kernels wheels"),
        "{reason}"
    );
    assert!(reason.contains("LADDER_KERNELS_WHEELS"), "{reason}");
    assert!(get.unwrap().contains("pip install optimization-ladder"));
}

#[test]
fn compiled_rungs_need_their_tools() {
    let rung = rung_built_by("cython", BuildKind::Cython);
    let rt = fake_runtime(Implementation::Cpython, "3.13.0");
    let (reason, get) = rung_blocker(
        &rung,
        &rt,
        &ToolPresence {
            cc: false,
            cargo: true,
            prebuilt_kernels: false,
            programs: vec![],
            headers: vec![],
        },
    )
    .unwrap();
    assert!(reason.contains("no C compiler"));
    assert_eq!(get.as_deref(), Some("apt-get install gcc"));
    assert!(rung_blocker(&rung, &rt, &tools()).is_none());
    let mut no_venv = rt.clone();
    no_venv.has_venv = false;
    assert!(
        rung_blocker(&rung, &no_venv, &tools())
            .unwrap()
            .1
            .unwrap()
            .contains("python3-venv")
    );
}

fn repo_catalog() -> Catalog {
    Catalog::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalog")).unwrap()
}

fn labels_of(plan: &Plan, rung: &str) -> Vec<String> {
    plan.cells
        .iter()
        .filter(|c| c.rung == rung)
        .map(|c| format!("{}/{}", c.bench, c.runtime_label))
        .collect()
}

#[test]
fn free_threaded_jit_and_graalpy_runtimes_get_their_own_rungs() {
    let cat = repo_catalog();
    let mut ft = fake_runtime(Implementation::Cpython, "3.14.0");
    ft.id = "cpython-3.14t".into();
    ft.free_threaded = true;
    let mut jit = fake_runtime(Implementation::Cpython, "3.13.0");
    jit.jit_available = true;
    let mut graal = fake_runtime(Implementation::Graalpy, "3.11.7");
    graal.id = "graalpy-3.11".into();
    let d = Discovery {
        runtimes: vec![jit, ft, graal],
        skipped: vec![],
    };
    let sel = Selection {
        benches: Some(vec!["spectral-norm".into()]),
        rungs: Some(vec![
            "cpython".into(),
            "free-threaded".into(),
            "cpython-jit".into(),
            "graalpy".into(),
        ]),
        size: Some(SizeName::Quick),
        n: None,
        tiers: vec![],
    };
    let plan = build_plan(&cat, &d, d.default_baseline(), &sel, tools());
    // The free-threaded build is not measured twice: it belongs to its own rung, not to `cpython`.
    assert_eq!(labels_of(&plan, "cpython"), ["spectral-norm/cpython-3.13"]);
    assert_eq!(
        labels_of(&plan, "free-threaded"),
        ["spectral-norm/cpython-3.14t"]
    );
    assert_eq!(
        labels_of(&plan, "cpython-jit"),
        ["spectral-norm/cpython-3.13"]
    );
    assert_eq!(labels_of(&plan, "graalpy"), ["spectral-norm/graalpy-3.11"]);
    assert!(plan.cells.iter().all(|c| c.unavailable.is_none()));
    // The threaded implementation runs on the free-threaded rung; the JIT rung switches the JIT on.
    let spectral = cat.benchmark("spectral-norm").unwrap();
    assert_eq!(spectral.implementations["free-threaded"], "threaded.py");
    let jit_rung = cat.rung("cpython-jit").unwrap();
    assert_eq!(
        jit_rung.env.get("PYTHON_JIT").map(String::as_str),
        Some("1")
    );
}

#[test]
fn missing_runtimes_and_programs_are_unavailable_with_the_command_that_gets_them() {
    let cat = repo_catalog();
    let d = Discovery {
        runtimes: vec![fake_runtime(Implementation::Cpython, "3.13.0")],
        skipped: vec![],
    };
    let sel = Selection {
        benches: Some(vec!["spectral-norm".into()]),
        rungs: Some(vec![
            "free-threaded".into(),
            "cpython-jit".into(),
            "graalpy".into(),
            "codon".into(),
        ]),
        size: Some(SizeName::Quick),
        n: None,
        tiers: vec![],
    };
    let plan = build_plan(&cat, &d, d.default_baseline(), &sel, tools());
    let why = |rung: &str| {
        plan.cells
            .iter()
            .find(|c| c.rung == rung)
            .and_then(|c| c.unavailable.clone())
            .unwrap_or_else(|| panic!("{rung} should be unavailable"))
    };
    let (reason, get) = why("free-threaded");
    assert!(
        reason.contains("no free-threaded CPython (3.13t/3.14t) interpreter found"),
        "{reason}"
    );
    assert_eq!(get.as_deref(), Some("pyenv install 3.14t"));
    let (reason, get) = why("cpython-jit");
    assert!(reason.contains("--enable-experimental-jit"), "{reason}");
    assert!(get.unwrap().contains("--enable-experimental-jit"));
    let (reason, get) = why("graalpy");
    assert!(reason.contains("no GraalPy interpreter found"), "{reason}");
    assert_eq!(get.as_deref(), Some("pyenv install graalpy-24.2.1"));
    // Codon comes from its pinned PyPI package (the compiler is inside the wheel): planned to run.
    let codon = plan.cells.iter().find(|c| c.rung == "codon").unwrap();
    assert!(codon.unavailable.is_none(), "{:?}", codon.unavailable);

    // A rung that needs a program on PATH is unavailable, with its `missing` and `get`, until the program is there.
    let mut cat = cat.clone();
    let rung = cat.rungs.iter_mut().find(|r| r.id == "codon").unwrap();
    rung.needs_program = Some("codon".into());
    rung.missing = Some("no codon on PATH".into());
    rung.get = Some("install codon".into());
    let plan = build_plan(&cat, &d, d.default_baseline(), &sel, tools());
    let unavailable = |plan: &super::Plan| {
        plan.cells
            .iter()
            .find(|c| c.rung == "codon")
            .unwrap()
            .unavailable
            .clone()
    };
    let (reason, get) = unavailable(&plan).expect("no codon on PATH");
    assert!(reason.contains("no codon on PATH"), "{reason}");
    assert_eq!(get.as_deref(), Some("install codon"));
    let mut with_codon = tools();
    with_codon.programs.push("codon".into());
    let plan = build_plan(&cat, &d, d.default_baseline(), &sel, with_codon);
    assert!(unavailable(&plan).is_none());
}

fn catalog_with_old_rung() -> (tempfile::TempDir, Catalog) {
    let tmp = tiny_catalog();
    let rungs = tmp.path().join("rungs.toml");
    let mut text = std::fs::read_to_string(&rungs).unwrap();
    text.push_str(
        "\n[[rung]]\nid = \"old\"\ntitle = \"Old\"\nstudy_rung = \"Rung 6\"\non = \"baseline\"\n\
         packages = [\"taichi==1.7.4\"]\nbuild = \"none\"\ncosts = \"x\"\npython = \"<3.13\"\n\
         get = \"uv python install 3.12\"\n",
    );
    std::fs::write(&rungs, text).unwrap();
    let bench = tmp.path().join("nbody").join("benchmark.toml");
    let text = std::fs::read_to_string(&bench)
        .unwrap()
        .replace("[impl]\n", "[impl]\nold = \"baseline.py\"\n");
    std::fs::write(&bench, text).unwrap();
    let cat = Catalog::load(tmp.path()).unwrap();
    (tmp, cat)
}

fn old_rung_cells(cat: &Catalog, d: &Discovery) -> Vec<PlannedCell> {
    let plan = build_plan(
        cat,
        d,
        d.default_baseline(),
        &Selection {
            size: Some(SizeName::Quick),
            rungs: Some(vec!["old".into()]),
            ..Default::default()
        },
        tools(),
    );
    plan.cells.into_iter().filter(|c| c.rung == "old").collect()
}

#[test]
fn a_rung_with_a_python_requirement_runs_on_the_newest_cpython_that_meets_it() {
    let (_tmp, cat) = catalog_with_old_rung();
    let d = Discovery {
        runtimes: vec![
            fake_runtime(Implementation::Cpython, "3.11.7"),
            fake_runtime(Implementation::Cpython, "3.12.1"),
            fake_runtime(Implementation::Cpython, "3.13.0"),
        ],
        skipped: vec![],
    };
    assert_eq!(d.default_baseline().unwrap().id, "cpython-3.13");
    let cells = old_rung_cells(&cat, &d);
    assert_eq!(cells.len(), 1);
    assert_eq!(cells[0].runtime_label, "cpython-3.12");
    assert!(cells[0].unavailable.is_none());
}

#[test]
fn a_rung_whose_python_requirement_no_runtime_meets_is_unavailable_with_the_reason() {
    let (_tmp, cat) = catalog_with_old_rung();
    let d = Discovery {
        runtimes: vec![fake_runtime(Implementation::Cpython, "3.13.0")],
        skipped: vec![],
    };
    let cells = old_rung_cells(&cat, &d);
    assert_eq!(cells.len(), 1);
    let (reason, get) = cells[0].unavailable.clone().unwrap();
    assert_eq!(
        reason,
        "old needs CPython <3.13 (its packages have no wheels for other versions); CPythons found: 3.13.0"
    );
    assert_eq!(get.as_deref(), Some("uv python install 3.12"));
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn sizes_take_names_and_numbers_sorted_and_deduplicated() {
    let got = parse_sizes(&strings(&["800", "quick", " 200", "2_000", "quick", "200"])).unwrap();
    assert_eq!(
        got,
        [
            RunSize::Named(SizeName::Quick),
            RunSize::N(200),
            RunSize::N(800),
            RunSize::N(2000),
        ]
    );
    assert_eq!(
        parse_sizes(&strings(&["default", "standard"])).unwrap(),
        [
            RunSize::Named(SizeName::Default),
            RunSize::Named(SizeName::Standard)
        ]
    );
}

#[test]
fn bad_sizes_name_the_flag() {
    for bad in [
        "0",
        "-3",
        "1.5",
        "1e3",
        "abc",
        "",
        "custom",
        "_",
        "99999999999999999999999",
    ] {
        let err = parse_sizes(&strings(&[bad])).unwrap_err().to_string();
        assert!(err.starts_with("--sizes"), "{bad:?}: {err}");
    }
    assert!(
        parse_sizes(&strings(&["12x"]))
            .unwrap_err()
            .to_string()
            .contains("positive whole number")
    );
    assert!(
        parse_sizes(&[])
            .unwrap_err()
            .to_string()
            .contains("at least one")
    );
}

#[test]
fn a_number_is_the_named_size_when_one_has_it_else_custom_with_the_baseline_first() {
    let tmp = tiny_catalog();
    let cat = Catalog::load(tmp.path()).unwrap();
    let d = Discovery {
        runtimes: vec![
            fake_runtime(Implementation::Cpython, "3.13.0"),
            fake_runtime(Implementation::Cpython, "3.12.1"),
            fake_runtime(Implementation::Pypy, "3.9.16"),
        ],
        skipped: vec![],
    };
    let sizes = parse_sizes(&strings(&["quick", "1000", "300"])).unwrap();
    let plan = build_plan_sizes(
        &cat,
        &d,
        d.default_baseline(),
        &Selection::default(),
        &sizes,
        &tools(),
    );
    let got: Vec<String> = plan
        .cells
        .iter()
        .map(|c| format!("{}/{}/{}/{}", c.size, c.n, c.rung, c.runtime_label))
        .collect();
    // n = 1000 is n-body's quick size (pinned): planned once. n = 300 has no reference: custom, with the
    // baseline (the newest CPython, 3.13) first although discovery listed it first anyway and 3.12 after.
    assert_eq!(
        got,
        [
            "quick/1000/cpython/cpython-3.13",
            "quick/1000/cpython/cpython-3.12",
            "quick/1000/pypy/pypy-3.9",
            "custom/300/cpython/cpython-3.13",
            "custom/300/cpython/cpython-3.12",
            "custom/300/pypy/pypy-3.9",
        ]
    );
    // With the baseline listed last by discovery, it still runs first at a custom n.
    let d2 = Discovery {
        runtimes: vec![
            fake_runtime(Implementation::Pypy, "3.9.16"),
            fake_runtime(Implementation::Cpython, "3.12.1"),
            fake_runtime(Implementation::Cpython, "3.13.0"),
        ],
        skipped: vec![],
    };
    let plan = build_plan_sizes(
        &cat,
        &d2,
        d2.default_baseline(),
        &Selection::default(),
        &[RunSize::N(300)],
        &tools(),
    );
    assert_eq!(plan.cells[0].runtime_label, "cpython-3.13");
    assert_eq!(plan.cells.len(), 3);
    assert!(
        plan.cells
            .iter()
            .all(|c| c.size == SizeName::Custom && c.n == 300)
    );
}

#[test]
fn simdjson_ext_without_its_header_is_unavailable_with_the_apt_command() {
    let cat = repo_catalog();
    let d = Discovery {
        runtimes: vec![fake_runtime(Implementation::Cpython, "3.13.0")],
        skipped: vec![],
    };
    let sel = Selection {
        rungs: Some(vec!["simdjson-ext".into(), "nuitka".into()]),
        size: Some(SizeName::Quick),
        ..Default::default()
    };
    let plan = build_plan(&cat, &d, d.default_baseline(), &sel, tools());
    // The raw-bytes pipeline only: the other benchmarks have no JSON to parse.
    assert_eq!(
        labels_of(&plan, "simdjson-ext"),
        ["json-pipeline/cpython-3.13"]
    );
    let cell = plan
        .cells
        .iter()
        .find(|c| c.rung == "simdjson-ext")
        .unwrap();
    let (reason, get) = cell.unavailable.clone().expect("no header: unavailable");
    assert!(
        reason.contains("libsimdjson-dev is not installed") && reason.contains("simdjson.h"),
        "{reason}"
    );
    assert_eq!(get.as_deref(), Some("apt-get install -y libsimdjson-dev"));
    for bench in ["nbody", "spectral-norm", "json-pipeline-dicts"] {
        assert!(
            cat.benchmark(bench)
                .unwrap()
                .not_expressed
                .contains_key("simdjson-ext"),
            "{bench} must say why simdjson-ext cannot express it"
        );
    }
    // Nuitka compiles the plain implementation of every benchmark.
    assert_eq!(labels_of(&plan, "nuitka").len(), cat.benchmarks.len());
    assert!(
        plan.cells
            .iter()
            .filter(|c| c.rung == "nuitka")
            .all(|c| c.unavailable.is_none())
    );
    // With the header found, the rung is planned to run; without a C compiler neither rung can.
    let mut with_header = tools();
    with_header.headers.push("simdjson.h".into());
    let plan = build_plan(&cat, &d, d.default_baseline(), &sel, with_header.clone());
    let cell = plan
        .cells
        .iter()
        .find(|c| c.rung == "simdjson-ext")
        .unwrap();
    assert!(cell.unavailable.is_none(), "{:?}", cell.unavailable);
    with_header.cc = false;
    let plan = build_plan(&cat, &d, d.default_baseline(), &sel, with_header);
    assert!(plan.cells.iter().filter(|c| c.rung != "cpython").all(|c| {
        c.unavailable
            .as_ref()
            .is_some_and(|(r, _)| r.contains("no C compiler"))
    }));
}

fn tier_cells(plan: &Plan) -> Vec<String> {
    plan.cells
        .iter()
        .map(|c| format!("{}@{}/{}", c.rung, c.tier, c.runtime_label))
        .collect()
}

#[test]
fn a_rung_with_an_expert_implementation_is_planned_at_each_tier_asked_for() {
    let tmp = crate::catalog::tests::tiny_catalog_with_expert();
    let cat = Catalog::load(tmp.path()).unwrap();
    let d = Discovery {
        runtimes: vec![
            fake_runtime(Implementation::Cpython, "3.12.1"),
            fake_runtime(Implementation::Cpython, "3.13.0"),
        ],
        skipped: vec![],
    };
    let plan_for = |tiers: Vec<Tier>| {
        let sel = Selection {
            size: Some(SizeName::Quick),
            tiers,
            ..Default::default()
        };
        tier_cells(&build_plan(&cat, &d, d.default_baseline(), &sel, tools()))
    };
    // Both tiers by default: the rung's two cells side by side; a runtime swap has only the study's.
    assert_eq!(
        plan_for(vec![]),
        [
            "cpython@study/cpython-3.12",
            "cpython@study/cpython-3.13",
            "pypy@study/pypy",
            "fast@study/cpython-3.13",
            "fast@expert/cpython-3.13"
        ]
    );
    assert_eq!(plan_for(Tier::ALL.to_vec()), plan_for(vec![]));
    // The expert tier alone still measures the baseline (study tier, baseline runtime) for the speedups.
    assert_eq!(
        plan_for(vec![Tier::Expert]),
        ["cpython@study/cpython-3.13", "fast@expert/cpython-3.13"]
    );
    assert_eq!(
        plan_for(vec![Tier::Study]),
        [
            "cpython@study/cpython-3.12",
            "cpython@study/cpython-3.13",
            "pypy@study/pypy",
            "fast@study/cpython-3.13"
        ]
    );
}
