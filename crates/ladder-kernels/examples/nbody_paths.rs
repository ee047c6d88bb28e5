//! `cargo run --release -p ladder-kernels --example nbody_paths -- [steps]`: the plain and the expert n-body,
//! taken in turn, wall time of a run (best and median of 21): best-of filters out a busy machine's preemptions.

use std::time::Instant;

use ladder_kernels::nbody::{self, Mode};

fn main() {
    let steps = std::env::args()
        .nth(1)
        .map_or(500_000, |a| a.parse().expect("a step count"));
    let mut times = [Vec::new(), Vec::new()];
    for _ in 0..21 {
        for (mode, times) in [Mode::Plain, Mode::Expert].into_iter().zip(&mut times) {
            let t = Instant::now();
            std::hint::black_box(nbody::energies(std::hint::black_box(steps), mode));
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
    }
    for (mode, mut times) in [Mode::Plain, Mode::Expert].into_iter().zip(times) {
        times.sort_by(f64::total_cmp);
        println!(
            "{mode:?}: {steps} steps, best {:.2} ms, median {:.2} ms",
            times[0],
            times[times.len() / 2]
        );
    }
}
