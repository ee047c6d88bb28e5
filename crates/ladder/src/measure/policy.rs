//! The timing policy of a run: how many worker processes per cell, and how many samples and how long per process,
//! by size, with the user's overrides (`--processes`, `--timeout`, `--min-samples`, `--max-samples`) applied and
//! validated.
//!
//! Several short processes per cell, not one long one: a process's samples share its start-up, its memory layout
//! and the minutes it ran in, so only the spread between processes shows how far a figure moves with the host.
//! The per-process times are small so that the default ladder stays within its budget (docs/measuring.md).

use crate::catalog::SizeName;
use crate::error::UsageError;
use crate::results::TimingPolicy;
use anyhow::Result;

/// The flags that override a size's policy; `None` keeps the size's value.
#[derive(Debug, Clone, Default)]
pub struct TimingOverrides {
    /// Hard limit per cell, in seconds.
    pub timeout: Option<f64>,
    pub min_samples: Option<u32>,
    pub max_samples: Option<u32>,
    /// Worker processes per cell.
    pub processes: Option<u32>,
}

/// The most worker processes per cell `--processes` takes (more would be a typo, or a run of days).
pub const MAX_PROCESSES: u32 = 100;

/// The policy for a size (the largest of a run's sizes), with the overrides applied.
pub fn timing_for(size: SizeName, args: &TimingOverrides) -> Result<TimingPolicy> {
    let s = 1_000_000_000u64;
    let mut t = match size {
        SizeName::Quick => TimingPolicy {
            min_samples: 2,
            max_samples: 15,
            min_time_ns: s / 10,
            max_time_ns: 2 * s,
            target_sample_ns: 1_000_000,
            warmup_ns: s / 10,
            timeout_ns: 120 * s,
            worker_processes: 3,
            samples_floor: 1,
            cell_budget_ns: 10 * s,
        },
        // A numeric `--sizes` entry: ladder cannot know how long an arbitrary n takes, so the generous policy.
        SizeName::Default | SizeName::Custom => TimingPolicy {
            // One sample suffices for a call of 0.35 s or more: the other processes supply the rest.
            min_samples: 1,
            max_samples: 20,
            min_time_ns: s * 35 / 100,
            max_time_ns: 10 * s,
            target_sample_ns: 1_000_000,
            warmup_ns: s * 3 / 10,
            timeout_ns: 900 * s,
            worker_processes: 3,
            samples_floor: 1,
            cell_budget_ns: 60 * s,
        },
        SizeName::Standard => TimingPolicy {
            min_samples: 2,
            max_samples: 20,
            min_time_ns: s,
            max_time_ns: 60 * s,
            target_sample_ns: 1_000_000,
            warmup_ns: s / 2,
            timeout_ns: 3600 * s,
            worker_processes: 2,
            samples_floor: 1,
            cell_budget_ns: 0,
        },
    };
    if let Some(secs) = args.timeout {
        if !(secs.is_finite() && secs > 0.0) {
            return Err(UsageError::new(format!(
                "--timeout {secs}: must be a positive number of seconds"
            ))
            .into());
        }
        t.timeout_ns = (secs * 1e9) as u64;
    }
    if let Some(n) = args.min_samples {
        t.min_samples = n.max(1);
    }
    if let Some(n) = args.max_samples {
        t.max_samples = n.max(1);
    }
    if let Some(p) = args.processes {
        if !(1..=MAX_PROCESSES).contains(&p) {
            return Err(UsageError::new(format!(
                "--processes {p}: give a number of worker processes per cell from 1 to {MAX_PROCESSES}"
            ))
            .into());
        }
        t.worker_processes = p;
        // One process has no others to supply samples: it keeps the three a median needs.
        if p == 1 {
            t.samples_floor = 3;
        }
    }
    if t.max_samples < t.min_samples {
        return Err(UsageError::new(format!(
            "--max-samples {} is below --min-samples {}",
            t.max_samples, t.min_samples
        ))
        .into());
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timing_flags_are_validated() {
        let mut args = TimingOverrides::default();
        assert_eq!(
            timing_for(SizeName::Quick, &args).unwrap().timeout_ns,
            120_000_000_000
        );
        args.timeout = Some(-1.0);
        assert!(crate::error::is_usage(
            &timing_for(SizeName::Quick, &args).unwrap_err()
        ));
        args.timeout = Some(2.5);
        assert_eq!(
            timing_for(SizeName::Quick, &args).unwrap().timeout_ns,
            2_500_000_000
        );
        args.min_samples = Some(10);
        args.max_samples = Some(3);
        let err = timing_for(SizeName::Quick, &args).unwrap_err();
        assert!(format!("{err}").contains("--max-samples 3"), "{err}");
        let mut args = TimingOverrides::default();
        assert!(
            timing_for(SizeName::Default, &args)
                .unwrap()
                .worker_processes
                > 1
        );
        args.processes = Some(0);
        let err = timing_for(SizeName::Default, &args).unwrap_err();
        assert!(crate::error::is_usage(&err));
        assert!(format!("{err}").contains("--processes 0"), "{err}");
        args.processes = Some(1);
        let one = timing_for(SizeName::Default, &args).unwrap();
        assert_eq!((one.worker_processes, one.samples_floor), (1, 3));
    }
}
