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

#[test]
fn compiled_rungs_need_their_tools() {
    let rung = Rung {
        id: "cython".into(),
        title: "Cython".into(),
        study_rung: "Rung 5".into(),
        on: RuntimeSelector::Baseline,
        packages: vec![],
        build: BuildKind::Cython,
        costs: String::new(),
        get: None,
    };
    let rt = fake_runtime(Implementation::Cpython, "3.13.0");
    let (reason, get) = rung_blocker(
        &rung,
        &rt,
        &ToolPresence {
            cc: false,
            cargo: true,
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
