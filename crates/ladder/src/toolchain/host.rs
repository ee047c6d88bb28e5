//! The facts of this machine that matter for comparing runs (CPU, cores, memory, OS), read from /proc and
//! /etc/os-release, for the results document's `machine`; and what else the host is doing (load average, CPU
//! steal and iowait), for each round's `host`.

use crate::results::{HostState, Machine};

/// The host's cumulative CPU counters and load average at one moment; two of them give the state between.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HostSnapshot {
    /// Every CPU's time in clock ticks: user, nice, system, idle, iowait, irq, softirq, steal.
    total: u64,
    iowait: u64,
    steal: u64,
    load_avg_1m: f64,
}

impl HostSnapshot {
    /// Now, from /proc/stat and /proc/loadavg; `None` where they cannot be read.
    pub fn now() -> Option<HostSnapshot> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        let loadavg = std::fs::read_to_string("/proc/loadavg").ok()?;
        Self::parse(&stat, &loadavg)
    }

    fn parse(stat: &str, loadavg: &str) -> Option<HostSnapshot> {
        let fields: Vec<u64> = stat
            .lines()
            .find(|l| l.starts_with("cpu "))?
            .split_whitespace()
            .skip(1)
            .take(8)
            .map(|f| f.parse().ok())
            .collect::<Option<_>>()?;
        // Older kernels lack steal; guest time is already inside user.
        let at = |i: usize| fields.get(i).copied().unwrap_or(0);
        Some(HostSnapshot {
            total: fields.iter().sum(),
            iowait: at(4),
            steal: at(7),
            load_avg_1m: loadavg.split_whitespace().next()?.parse().ok()?,
        })
    }

    /// The host between `self` and a later snapshot.
    pub fn until(&self, later: &HostSnapshot) -> HostState {
        let total = later.total.saturating_sub(self.total);
        let share = |a: u64, b: u64| {
            if total == 0 {
                0.0
            } else {
                b.saturating_sub(a) as f64 / total as f64
            }
        };
        HostState {
            load_avg_1m: self.load_avg_1m.max(later.load_avg_1m),
            steal_share: share(self.steal, later.steal),
            iowait_share: share(self.iowait, later.iowait),
        }
    }
}

/// Reads the facts of this machine that matter for comparing runs.
pub fn machine() -> Machine {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu_model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| "unknown".into());
    let memory_bytes = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map(|kb| kb * 1024)
        .unwrap_or(0);
    let os = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("PRETTY_NAME=")).map(|l| {
                l.trim_start_matches("PRETTY_NAME=")
                    .trim_matches('"')
                    .to_string()
            })
        })
        .unwrap_or_else(|| std::env::consts::OS.to_string());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    Machine {
        cpu_model,
        cores: std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        memory_bytes,
        os,
        kernel,
        arch: std::env::consts::ARCH.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steal_and_iowait_are_shares_of_the_time_between_two_snapshots() {
        let before = HostSnapshot::parse(
            "cpu  100 0 50 800 10 0 0 40 0 0\ncpu0 1 2 3\n",
            "0.50 0.40 0.30 1/100 42\n",
        )
        .unwrap();
        let after = HostSnapshot::parse(
            "cpu  160 0 70 1040 30 0 0 100 0 0\n",
            "3.25 1.00 0.50 2/100 43\n",
        )
        .unwrap();
        // 400 ticks passed: 60 stolen, 20 waiting for I/O.
        let state = before.until(&after);
        assert_eq!(state.steal_share, 60.0 / 400.0);
        assert_eq!(state.iowait_share, 20.0 / 400.0);
        assert_eq!(state.load_avg_1m, 3.25);
        assert!(HostSnapshot::parse("intr 1 2\n", "0.1 0.1 0.1").is_none());
    }
}
