//! What the host's state during a run means for its figures: warnings when the load average, CPU steal or
//! iowait of some round was high (recorded per round in the results document).

use crate::results::{HostState, Results};

/// Steal above this share of CPU time is worth a warning: the hypervisor gave the cores to another guest.
const HIGH_STEAL: f64 = 0.05;
/// Iowait above this share: processes waited for the disk.
const HIGH_IOWAIT: f64 = 0.10;

/// What the reports say under the cards about the host, one line per kind of trouble, naming the worst round.
pub fn warnings(results: &Results) -> Vec<String> {
    let rounds: Vec<(u32, HostState)> = results
        .rounds
        .iter()
        .filter_map(|r| r.host.map(|h| (r.index + 1, h)))
        .collect();
    let worst = |key: fn(&HostState) -> f64| {
        rounds
            .iter()
            .max_by(|a, b| key(&a.1).total_cmp(&key(&b.1)))
            .map(|(round, h)| (*round, key(h)))
    };
    let consequence = "every time in this run includes that wait; the rounds interleave the cells, so ratios \
                       between cells of this run stay comparable, but absolute times and comparisons with another \
                       run do not: rerun on an idle machine for figures to keep";
    let mut out = Vec::new();
    let cores = results.machine.cores.max(1) as f64;
    if let Some((round, load)) = worst(|h| h.load_avg_1m)
        && load > cores
    {
        out.push(format!(
            "Host: the load average reached {load:.1} on {cores} cores (round {round}): other programs were running \
             and the workers waited for a CPU; {consequence}."
        ));
    }
    if let Some((round, steal)) = worst(|h| h.steal_share)
        && steal > HIGH_STEAL
    {
        out.push(format!(
            "Host: the hypervisor took {:.0}% of the CPU time (steal, round {round}): another guest on the same \
             physical machine used these cores; {consequence}.",
            steal * 100.0
        ));
    }
    if let Some((round, iowait)) = worst(|h| h.iowait_share)
        && iowait > HIGH_IOWAIT
    {
        out.push(format!(
            "Host: {:.0}% of the CPU time was spent waiting for I/O (round {round}): the disk was busy; {consequence}.",
            iowait * 100.0
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::Round;

    #[test]
    fn a_busy_host_is_warned_about_and_a_quiet_one_is_not() {
        let (mut r, _home) = crate::measure::run::tests::speedups_run();
        r.machine.cores = 2;
        let quiet = HostState {
            load_avg_1m: 1.2,
            steal_share: 0.01,
            iowait_share: 0.0,
        };
        let round = |index, host| Round {
            index,
            seed: 1,
            started_at: String::new(),
            order: Vec::new(),
            host: Some(host),
        };
        r.rounds = vec![round(0, quiet), round(1, quiet)];
        assert!(warnings(&r).is_empty());
        r.rounds[1].host = Some(HostState {
            load_avg_1m: 6.5,
            steal_share: 0.12,
            iowait_share: 0.0,
        });
        let text = warnings(&r).join("\n");
        assert!(
            text.contains("load average reached 6.5 on 2 cores (round 2)"),
            "{text}"
        );
        assert!(
            text.contains("took 12% of the CPU time (steal, round 2)"),
            "{text}"
        );
        assert!(!text.contains("I/O"), "{text}");
        assert!(crate::report::terminal::render(&r).contains("load average reached 6.5"));
        assert!(crate::report::markdown::render(&r).contains("load average reached 6.5"));
        assert!(crate::report::html::render(&r).contains("load average reached 6.5"));
    }
}
