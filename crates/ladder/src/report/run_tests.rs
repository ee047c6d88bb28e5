//! The reports of documents that a (mock) run wrote: what the card says about verification and the study's
//! figures. The runs come from `measure::run`'s test scenarios, so the two stages are tested end to end.

use crate::catalog::SizeName;
use crate::measure::run::tests::{cross_checked_run, speedups_run, unconfirmed_run};
use crate::report::{scaling, terminal};

#[test]
fn the_card_shows_the_study_figure_at_the_study_size_only() {
    let (r, _home) = speedups_run();
    // The report card shows the study's figure beside ours, at the study's own (default) size only.
    let text = terminal::render(&r);
    assert!(!text.contains("13x (98.0 ms)"), "{text}");
    let mut at_default = r.clone();
    at_default
        .cells
        .iter_mut()
        .for_each(|c| c.size = SizeName::Default);
    let text = terminal::render(&at_default);
    assert!(text.contains("13x (98.0 ms)"), "{text}");
}

#[test]
fn the_card_says_cross_checked_never_pinned() {
    let r = cross_checked_run();
    // The scaling fit of the baseline uses its verified points only: 1000 (pinned) and 300 (confirmed).
    let fits = scaling::fits(&r, "nbody");
    let base_fit = fits.iter().find(|f| f.runtime == "cpython-3.13").unwrap();
    assert_eq!(base_fit.points.len(), 2);
    // The report says cross-checked, never pinned, for n = 300.
    let text = terminal::render(&r);
    assert!(text.contains("Cross-checked, not pinned: n=300"), "{text}");
    assert!(text.contains("ok ✓ cross-checked"));
    assert!(text.contains("ok ✓ reference"));
    assert!(text.contains("ok, unconfirmed"));
}

#[test]
fn an_unconfirmed_reference_has_nothing_to_fit() {
    let r = unconfirmed_run();
    assert!(scaling::fits(&r, "nbody").is_empty());
    let text = terminal::render(&r);
    assert!(text.contains("ok, unconfirmed"), "{text}");
    assert!(text.contains("nothing to fit"), "{text}");
}

#[test]
fn the_card_flags_an_unstable_cell() {
    let (r, _home) = crate::measure::run::tests::unstable_run();
    let text = terminal::render(&r);
    assert!(text.contains("unstable: PyPy on PyPy 3.9.16"), "{text}");
    assert!(text.contains("its 3 worker processes disagree"), "{text}");
    assert!(!text.contains("unstable: CPython"), "{text}");
    let md = crate::report::markdown::render(&r);
    assert!(md.contains("- unstable: PyPy"), "{md}");
}

#[test]
fn the_pyperf_export_has_a_run_per_worker_process() {
    let (r, _home) = speedups_run();
    let suite = crate::report::export::pyperf(&r);
    for bench in suite["benchmarks"].as_array().unwrap() {
        let runs = bench["runs"].as_array().unwrap();
        assert_eq!(runs.len(), 3, "{bench}");
        assert!(
            runs.iter()
                .all(|run| run["values"].as_array().unwrap().len() == 7)
        );
    }
}
