//! `cargo run --release -p ladder-kernels --example spectral_threads -- [n...]`: the fast spectral-norm on one and on
//! two threads, wall time of a call (median and best of 21, taken in turn), for choosing where the split starts to pay.

use std::time::Instant;

use ladder_kernels::spectral;

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("a size"))
        .collect();
    let sizes = if sizes.is_empty() {
        vec![100, 200, 300, 400, 600, 1000, 2000]
    } else {
        sizes
    };
    for n in sizes {
        // one and two threads taken in turn, so that a change in the machine's load touches both alike
        let mut times = [Vec::new(), Vec::new()];
        for _ in 0..21 {
            for (threads, times) in [1, 2].into_iter().zip(&mut times) {
                let t = Instant::now();
                std::hint::black_box(spectral::fast_on_threads(n, threads));
                times.push(t.elapsed().as_secs_f64() * 1e3);
            }
        }
        let mut line = format!("n={n:5}");
        for (threads, mut times) in [1, 2].into_iter().zip(times) {
            times.sort_by(f64::total_cmp);
            line += &format!(
                "  {threads} thread(s): median {:8.3} ms, best {:8.3} ms",
                times[times.len() / 2],
                times[0]
            );
        }
        println!("{line}");
    }
}
