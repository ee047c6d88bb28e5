//! `ladder run`'s progress on stderr: a bar on a terminal, one line per worker process otherwise.

use crate::measure::plan;
use crate::measure::run::Progress;
use crate::results::{Cell, Status};
use std::io::IsTerminal;

/// Progress on stderr: a bar on a terminal, one line per worker process otherwise.
pub struct TerminalProgress {
    bar: Option<indicatif::ProgressBar>,
    total: usize,
    current: String,
    started: std::time::Instant,
    /// When the first worker process started (after provisioning and builds), for the estimate of what is left.
    measuring: std::time::Instant,
}

impl Default for TerminalProgress {
    fn default() -> TerminalProgress {
        TerminalProgress {
            bar: None,
            total: 0,
            current: String::new(),
            started: std::time::Instant::now(),
            measuring: std::time::Instant::now(),
        }
    }
}

impl Progress for TerminalProgress {
    fn start(&mut self, total: usize) {
        self.total = total;
        self.measuring = std::time::Instant::now();
        if std::io::stderr().is_terminal() {
            let bar = indicatif::ProgressBar::new(total as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "[{elapsed_precise}] {bar:30} {pos}/{len} processes, ~{eta} left  {msg}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar.enable_steady_tick(std::time::Duration::from_millis(200));
            self.bar = Some(bar);
        }
    }

    fn preparing(&mut self, cell: &plan::PlannedCell) {
        self.current = format!("{} · {} · {}", cell.bench, cell.rung, cell.runtime_label);
    }

    fn round_started(&mut self, round: u32, rounds: u32) {
        let line = format!("round {} of {rounds}", round + 1);
        match &self.bar {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
    }

    fn cell_started(&mut self, index: usize, cell: &plan::PlannedCell) {
        self.current = format!("{} · {} · {}", cell.bench, cell.rung, cell.runtime_label);
        match &self.bar {
            Some(bar) => bar.set_message(self.current.clone()),
            None => {
                // A rough estimate: the average process so far times the processes left.
                let elapsed = self.measuring.elapsed().as_secs_f64();
                let left = if index > 0 {
                    format!(
                        ", ~{:.0} s left",
                        elapsed / index as f64 * self.total.saturating_sub(index) as f64
                    )
                } else {
                    String::new()
                };
                eprintln!(
                    "[{}/{}, {elapsed:.0} s{left}] {}",
                    index + 1,
                    self.total,
                    self.current
                )
            }
        }
    }

    fn step(&mut self, message: &str) {
        match &self.bar {
            Some(bar) => bar.set_message(format!("{} · {message}", self.current)),
            None => eprintln!("      {message}"),
        }
    }

    fn sample(&mut self, samples: usize, expected: u32) {
        if let Some(bar) = &self.bar {
            bar.set_message(format!("{} · sample {samples}/{expected}+", self.current));
        }
    }

    fn cell_finished(&mut self, cell: &Cell) {
        let line = match cell.status {
            Status::Ok => format!(
                "      ok, median {}",
                cell.median_ns
                    .map(crate::report::format::duration)
                    .unwrap_or_default()
            ),
            other => format!("      {}: {}", other.as_str(), cell.reason),
        };
        match &self.bar {
            Some(bar) => {
                if cell.status != Status::Ok {
                    bar.println(format!("{} -> {}", self.current, line.trim()));
                }
                bar.inc(1);
            }
            None => eprintln!("{line}"),
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        eprintln!(
            "ladder: done in {:.0} s",
            self.started.elapsed().as_secs_f64()
        );
    }
}
