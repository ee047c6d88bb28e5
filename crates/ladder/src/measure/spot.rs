//! Spot checks: every run also runs each rung once at a small n drawn at random for that run, and cross-checks its
//! output against the baseline's at that n. A pinned reference is checked at one n only, so an implementation that
//! returned the pinned numbers without computing anything would pass it; at an n nobody chose in advance it
//! cannot. The baseline itself must give, at the spot n, an output other than the one it gave at its cell's n.

use super::verify;
use crate::catalog::Benchmark;
use crate::results::{SpotCheck, SpotOutcome, Status};
use crate::stats::{SplitMix64, derive_seed};
use serde_json::Value;

/// The spot-check n of `bench` for a run with `seed`: between half the benchmark's smallest size and just below
/// it (cheap, and never that size's pinned n).
pub fn spot_n(bench: &Benchmark, seed: u64) -> u64 {
    let smallest = bench.sizes.iter().map(|s| s.n).min().unwrap_or(2);
    // Each benchmark draws from a stream of its own, so adding a benchmark does not move the others' n.
    let stream = bench.id.bytes().fold(0u64, |h, b| {
        h.wrapping_mul(0x100_0000_01B3).wrapping_add(u64::from(b))
    });
    let lo = (smallest / 2).max(1);
    let hi = smallest.saturating_sub(1).max(lo);
    let n = SplitMix64::new(derive_seed(seed, stream)).between(lo, hi);
    if n == smallest { n + 1 } else { n }
}

/// What a rung's one process at the spot n gave.
#[derive(Debug, Clone)]
pub enum SpotRun {
    Output(Value),
    /// It did not give a usable output (crashed, timed out, malformed): the cell takes this status.
    Fault {
        status: Status,
        reason: String,
    },
}

/// What a rung's spot output is compared with.
#[derive(Debug, Clone)]
pub enum Against<'a> {
    /// This rung is the baseline: its output is the reference.
    IsBaseline,
    /// The baseline's output at the spot n (`label`: `cpython on cpython-3.13`).
    Baseline { label: &'a str, output: &'a Value },
    /// The baseline gave none: why.
    Missing(String),
}

/// Judges one rung's spot run. `own` holds its outputs at its cells' own n, each of which the spot output must
/// differ from. Returns the record for the rung's cells and, when the check failed, the status and reason the
/// cells take.
pub fn judge(
    bench: &Benchmark,
    n: u64,
    run: &SpotRun,
    own: &[(u64, &Value)],
    against: Against,
) -> (SpotCheck, Option<(Status, String)>) {
    let record = |outcome, detail: String| SpotCheck { n, outcome, detail };
    let output = match run {
        SpotRun::Output(v) => v,
        SpotRun::Fault { status, reason } => {
            let why = format!("spot check at n={n}: {reason}");
            return (
                record(SpotOutcome::Failed, why.clone()),
                Some((*status, why)),
            );
        }
    };
    if let Some((other, _)) = own.iter().find(|(m, v)| *m != n && *v == output) {
        let why = format!(
            "spot check at n={n}: the output is the same as at n={other}: it does not depend on n"
        );
        return (
            record(SpotOutcome::Differs, why.clone()),
            Some((Status::Wrong, why)),
        );
    }
    match against {
        Against::IsBaseline => match verify::reference_shape(bench, output) {
            Ok(_) => (
                record(
                    SpotOutcome::Reference,
                    format!("spot check at n={n}: the reference for the other rungs"),
                ),
                None,
            ),
            Err(e) => {
                let why = format!("spot check at n={n}: {e}");
                (
                    record(SpotOutcome::Differs, why.clone()),
                    Some((Status::Wrong, why)),
                )
            }
        },
        Against::Missing(why) => (
            record(
                SpotOutcome::NotChecked,
                format!("spot check at n={n}: not compared: {why}"),
            ),
            None,
        ),
        Against::Baseline {
            label,
            output: base,
        } => match verify::verify_expected(bench, verify::Expected::Output(base), output) {
            Ok(v) if v.ok => (
                record(
                    SpotOutcome::Agrees,
                    format!("spot check at n={n}: agrees with {label}"),
                ),
                None,
            ),
            Ok(v) => {
                let why = format!("spot check at n={n}: differs from {label}: {}", v.detail);
                (
                    record(SpotOutcome::Differs, why.clone()),
                    Some((Status::Wrong, why)),
                )
            }
            Err(e) => (
                record(
                    SpotOutcome::NotChecked,
                    format!("spot check at n={n}: not compared: {e:#}"),
                ),
                None,
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::catalog::tests::tiny_catalog;
    use serde_json::json;

    fn nbody() -> Benchmark {
        let dir = tiny_catalog();
        Catalog::load(dir.path())
            .unwrap()
            .benchmark("nbody")
            .unwrap()
            .clone()
    }

    #[test]
    fn the_spot_n_is_small_seeded_and_never_the_pinned_one() {
        let bench = nbody();
        let smallest = bench.sizes.iter().map(|s| s.n).min().unwrap();
        let drawn: Vec<u64> = (0..50).map(|seed| spot_n(&bench, seed)).collect();
        assert!(
            drawn.iter().all(|&n| n >= smallest / 2 && n < smallest),
            "{drawn:?}"
        );
        assert_eq!(spot_n(&bench, 7), spot_n(&bench, 7));
        let mut distinct = drawn.clone();
        distinct.sort();
        distinct.dedup();
        assert!(distinct.len() > 10, "{distinct:?}");
    }

    #[test]
    fn constants_are_wrong_and_agreement_is_said() {
        let bench = nbody();
        let pinned = json!([-0.16907516382852447, -0.16908760523460595]);
        // The same output at n = 600 as at n = 1000: it does not depend on n.
        let constant = SpotRun::Output(pinned.clone());
        let (check, fault) = judge(
            &bench,
            600,
            &constant,
            &[(1000, &pinned)],
            Against::IsBaseline,
        );
        assert_eq!(check.outcome, SpotOutcome::Differs);
        let (status, why) = fault.unwrap();
        assert_eq!(status, Status::Wrong);
        assert!(why.contains("does not depend on n"), "{why}");

        let at600 = json!([-0.169075164, -0.16906]);
        let run = SpotRun::Output(at600.clone());
        let (check, fault) = judge(&bench, 600, &run, &[(1000, &pinned)], Against::IsBaseline);
        assert_eq!(check.outcome, SpotOutcome::Reference);
        assert!(fault.is_none());
        let against = || Against::Baseline {
            label: "cpython on cpython-3.13",
            output: &at600,
        };
        let (check, fault) = judge(&bench, 600, &run, &[(1000, &pinned)], against());
        assert_eq!(check.outcome, SpotOutcome::Agrees);
        assert_eq!(
            check.detail,
            "spot check at n=600: agrees with cpython on cpython-3.13"
        );
        assert!(fault.is_none());
        // Another rung's output at 600 that differs from the baseline's in the 9th decimal.
        let off = SpotRun::Output(json!([-0.169075164, -0.169060002]));
        let (check, fault) = judge(&bench, 600, &off, &[], against());
        assert_eq!(check.outcome, SpotOutcome::Differs);
        assert_eq!(fault.unwrap().0, Status::Wrong);
        // A crash at the spot n fails the cell; a baseline without output leaves it unchecked, not passed.
        let crashed = SpotRun::Fault {
            status: Status::Failed,
            reason: "IndexError in run: list index out of range".into(),
        };
        let (check, fault) = judge(&bench, 600, &crashed, &[], against());
        assert_eq!(check.outcome, SpotOutcome::Failed);
        assert_eq!(fault.unwrap().0, Status::Failed);
        let (check, fault) = judge(
            &bench,
            600,
            &run,
            &[],
            Against::Missing("the baseline failed".into()),
        );
        assert_eq!(check.outcome, SpotOutcome::NotChecked);
        assert!(fault.is_none());
    }
}
