//! The Benchmarks Game spectral-norm: the largest singular value of the infinite matrix
//! A(i, j) = 1 / ((i + j)(i + j + 1) / 2 + i + 1) truncated to n × n, by ten rounds of the power method on AᵀA.
//!
//! Each product v = AᵀA u is computed in tiles of [`TILE_ROWS`] rows of A: the entries of a tile are computed
//! once, kept (TILE_ROWS × n doubles, in the core's L2 cache), and used twice: for the tile's part of A u, then
//! for its contribution to Aᵀ(A u). Computing the entries is the costly part (a reciprocal each), so this does
//! half the work of two separate products, each of which computes every entry again.
//!
//! Three paths. [`Mode::Plain`] is the study tier: the Benchmarks Game's plain program as idiomatic Rust, one
//! thread, A u then Aᵀ(A u) entry by entry with a true division each, summed in order (so nothing the compiler may
//! vectorise without reordering floating-point additions). [`Mode::Fast`] (the expert tier) cuts each
//! product into fixed chunks of tiles that its threads (as many as rayon's pool has, see [`AtaProduct`]) take as
//! they come free, and computes the entries with explicit SIMD (AVX-512F or AVX2+FMA, picked at run time, see
//! [`crate::simd`]); the chunks' partial sums are added in chunk order, so a result never depends on how the
//! threads were scheduled: every call returns the same bits. [`Mode::Scalar`] (one
//! thread, no explicit SIMD: the reference the benches and tests compare with, and the fast path on a CPU without
//! AVX2) is plain Rust with true divisions, row by row: tmp = A x, then Aᵀ tmp.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use rayon::prelude::*;

use crate::SizeError;
use crate::simd::{self, Level};

/// The largest n accepted. Memory is only O(n), but the work is O(n²): n = 100,000 is minutes of work (the
/// Benchmarks Game uses 5,500), so anything larger is taken for a mistake. Every denominator stays far below
/// 2⁵³, exact in an f64.
pub const MAX_N: usize = 100_000;

/// Power-method rounds, as in the Benchmarks Game program.
const ROUNDS: usize = 10;

/// Rows of A per tile: 8 rows of n = 5,500 (the standard size) are 352 KB, inside a core's L2 cache.
const TILE_ROWS: usize = 8;

/// Tiles below this many per thread are not worth handing to other threads.
const MIN_TILES_PER_THREAD: usize = 8;

/// Chunks of tiles per thread in a product: the threads take chunks as they come free, so a thread that the OS
/// leaves waiting for a core does fewer of them, and the others more.
const CHUNKS_PER_THREAD: usize = 4;

/// Below this n the fast path stays on one thread: a call then costs little more than starting a thread and
/// meeting it at twenty barriers (see [`AtaProduct`]). Measured here (2 cores, `examples/spectral_threads.rs`):
/// at n = 400 two threads took 0.89 ms a call against 0.83 on one, at n = 450 1.02 against 1.16, at n = 600
/// 1.8 against 2.2.
const MIN_SPLIT_N: usize = 500;

/// What the benchmark reports after the power iterations.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SpectralNorm {
    /// sqrt(vBv / vv), the estimate of the spectral norm.
    pub norm: f64,
    /// u · v
    pub vbv: f64,
    /// v · v
    pub vv: f64,
}

/// Checks a matrix size given by a caller (a Python int).
pub fn checked_n(n: i64) -> Result<usize, SizeError> {
    match usize::try_from(n) {
        Ok(n) if (1..=MAX_N).contains(&n) => Ok(n),
        _ => Err(SizeError(format!(
            "spectral-norm n must be between 1 and {MAX_N}, got {n}"
        ))),
    }
}

/// How the products run: the fast path (the best SIMD level found, tiles shared out to rayon's threads), the
/// portable row-by-row path (one thread, true divisions, four lanes the compiler vectorises), or the plain
/// program (see the module doc).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Fast,
    Scalar,
    Plain,
}

/// Runs the power method for an n × n truncation. `n` must be in 1..=MAX_N (see [`checked_n`]).
pub fn spectral_norm(n: usize, mode: Mode) -> SpectralNorm {
    let ones = vec![1.0; n];
    let (v, u) = match (mode, fast_tile(simd::detected(), simd::fair())) {
        (Mode::Fast, Some(tile)) => {
            let threads = fast_threads(n, rayon::current_num_threads());
            AtaProduct { n, tile, threads }.repeat(&ones, 2 * ROUNDS)
        }
        (Mode::Fast, None) => rows_rounds(&ones, true),
        (Mode::Scalar, _) => rows_rounds(&ones, false),
        (Mode::Plain, _) => plain_rounds(n),
    };
    result(&v, &u)
}

/// How many threads [`Mode::Fast`] runs an n × n problem on here.
pub fn threads(n: usize) -> usize {
    match fast_tile(simd::detected(), simd::fair()) {
        Some(_) => fast_threads(n, rayon::current_num_threads()),
        // the portable rows go to rayon's pool, in parts of at least this many rows
        None => rayon::current_num_threads()
            .min(n.div_ceil(TILE_ROWS * MIN_TILES_PER_THREAD))
            .max(1),
    }
}

/// The fast path on exactly `threads` threads (at least one), whatever n: for measuring the split. `None`
/// without a SIMD tile on this CPU.
#[doc(hidden)]
pub fn fast_on_threads(n: usize, threads: usize) -> Option<SpectralNorm> {
    let tile = fast_tile(simd::detected(), simd::fair())?;
    let threads = threads.max(1);
    let (v, u) = AtaProduct { n, tile, threads }.repeat(&vec![1.0; n], 2 * ROUNDS);
    Some(result(&v, &u))
}

/// How many of `pool` threads the fast path splits an n × n problem over: one below [`MIN_SPLIT_N`], else as
/// many as have [`MIN_TILES_PER_THREAD`] tiles each.
fn fast_threads(n: usize, pool: usize) -> usize {
    if n < MIN_SPLIT_N {
        return 1;
    }
    pool.min(n.div_ceil(TILE_ROWS * MIN_TILES_PER_THREAD))
        .max(1)
}

fn result(v: &[f64], u: &[f64]) -> SpectralNorm {
    let vbv: f64 = u.iter().zip(v).map(|(a, b)| a * b).sum();
    let vv: f64 = v.iter().map(|x| x * x).sum();
    SpectralNorm {
        norm: (vbv / vv).sqrt(),
        vbv,
        vv,
    }
}

/// A(i, j), the plain program's way: the integer denominator, then a true division.
fn a(i: usize, j: usize) -> f64 {
    1.0 / ((i + j) * (i + j + 1) / 2 + i + 1) as f64
}

/// out = A x, row by row.
fn mul_a(x: &[f64], out: &mut [f64]) {
    for (i, o) in out.iter_mut().enumerate() {
        *o = x.iter().enumerate().map(|(j, xj)| a(i, j) * xj).sum();
    }
}

/// out = Aᵀ x, row by row.
fn mul_at(x: &[f64], out: &mut [f64]) {
    for (i, o) in out.iter_mut().enumerate() {
        *o = x.iter().enumerate().map(|(j, xj)| a(j, i) * xj).sum();
    }
}

/// The plain program's rounds: v = Aᵀ(A u), u = Aᵀ(A v), ten times. Returns (v, u) after the last round, as
/// [`AtaProduct::repeat`].
fn plain_rounds(n: usize) -> (Vec<f64>, Vec<f64>) {
    let (mut u, mut v, mut tmp) = (vec![1.0; n], vec![0.0; n], vec![0.0; n]);
    for _ in 0..ROUNDS {
        mul_a(&u, &mut tmp);
        mul_at(&tmp, &mut v);
        mul_a(&v, &mut tmp);
        mul_at(&tmp, &mut u);
    }
    (v, u)
}

/// The power method's rounds row by row, tmp = A x then out = Aᵀ tmp, every entry computed in each (the
/// portable code, and [`Mode::Scalar`]): with true divisions, tiling measured slower here (96 ms against
/// 78 ms a call at n = 2,000 on one thread), because the divisions no longer overlap the rest of the work.
/// Returns (v, u) after the last round, as [`AtaProduct::repeat`].
fn rows_rounds(start: &[f64], parallel: bool) -> (Vec<f64>, Vec<f64>) {
    let n = start.len();
    let (mut u, mut v, mut tmp) = (start.to_vec(), vec![0.0; n], vec![0.0; n]);
    let mut product = |x: &[f64], out: &mut [f64]| {
        rows_product(row_dot::<false>, x, &mut tmp, parallel);
        rows_product(row_dot::<true>, &tmp, out, parallel);
    };
    for _ in 0..ROUNDS {
        product(&u, &mut v);
        product(&v, &mut u);
    }
    (v, u)
}

/// out[i] = row(i, x) for every row, on rayon's threads when `parallel` (each row alone: the same bits
/// whatever the split).
fn rows_product(row: fn(usize, &[f64]) -> f64, x: &[f64], out: &mut [f64], parallel: bool) {
    if parallel {
        out.par_iter_mut()
            .with_min_len(TILE_ROWS * MIN_TILES_PER_THREAD)
            .enumerate()
            .for_each(|(i, o)| *o = row(i, x));
    } else {
        for (i, o) in out.iter_mut().enumerate() {
            *o = row(i, x);
        }
    }
}

/// Row i of A (or of Aᵀ) times x, with true divisions. With s = i + j, the denominator of A(i, j) is
/// s(s + 1)/2 + i + 1 and that of Aᵀ(i, j) = A(j, i) is s(s + 1)/2 + j + 1; both are integers far below 2⁵³, so
/// computing them in f64 is exact. Four independent lanes let the compiler vectorise the loop (SSE2) without
/// any explicit SIMD; they change the summation order, well inside the 1e-9 the check allows.
#[inline]
fn row_dot<const TRANSPOSED: bool>(i: usize, x: &[f64]) -> f64 {
    const LANES: usize = 4;
    let fi = i as f64;
    let denominator = |fj: f64| {
        let s = fi + fj;
        let own = if TRANSPOSED { fj } else { fi };
        s * (s + 1.0) * 0.5 + own + 1.0
    };
    let mut acc = [0.0; LANES];
    let mut fj = [0.0, 1.0, 2.0, 3.0];
    let chunks = x.chunks_exact(LANES);
    let tail = chunks.remainder();
    for chunk in chunks {
        for lane in 0..LANES {
            acc[lane] += chunk[lane] / denominator(fj[lane]);
            fj[lane] += LANES as f64;
        }
    }
    let mut sum = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    for (&xj, fj) in tail.iter().zip(fj) {
        sum += xj / denominator(fj);
    }
    sum
}

/// One tile's work: for rows `rows` of A, writes their entries into `entries` (row after row, n each), and adds
/// A(i, ·)ᵀ (A(i, ·) · x) for each of those rows to `out`.
type TileFn = fn(rows: std::ops::Range<usize>, x: &[f64], entries: &mut [f64], out: &mut [f64]);

/// The tile function of an explicit SIMD level, `None` for the portable level. `fair` (ladder's `--fair`):
/// true divisions and separate multiplies and adds, the rules every compiled rung follows in that mode.
fn fast_tile(level: Level, fair: bool) -> Option<TileFn> {
    match (level, fair) {
        #[cfg(target_arch = "x86_64")]
        (Level::Avx512, false) => Some(x86::tile_avx512::<false>),
        #[cfg(target_arch = "x86_64")]
        (Level::Avx512, true) => Some(x86::tile_avx512::<true>),
        #[cfg(target_arch = "x86_64")]
        (Level::Avx2Fma, false) => Some(x86::tile_avx2::<false>),
        #[cfg(target_arch = "x86_64")]
        (Level::Avx2Fma, true) => Some(x86::tile_avx2::<true>),
        _ => None,
    }
}

/// What the fast path does with floating point here, for `ladder_info()`.
pub fn fp_rules() -> &'static str {
    match (fast_tile(simd::detected(), false), simd::fair()) {
        (None, _) => "true divisions, no FMA",
        (Some(_), true) => "fair: true divisions, no FMA",
        (Some(_), false) => "reciprocal estimate refined by FMA (within 3e-13 of each quotient)",
    }
}

/// AᵀA as an operator applied many times in a row, on `threads` threads: this one and a scoped thread for each
/// other, started once for all the products of a call. Each product is cut into fixed chunks of whole tiles
/// ([`CHUNKS_PER_THREAD`] per thread); the threads claim chunks from a counter until none is left, each chunk's
/// contributions going into that chunk's own partial result. After a barrier every thread sums all the partials
/// in chunk order into its own copy of the product (a few n additions per thread: nothing next to the n²
/// entries), which is the next product's input. So a result never depends on the scheduling, every call returns
/// the same bits, and a thread the OS leaves without a core for a while only does fewer chunks.
///
/// Not rayon's pool: with a fork and a join on it per product (twenty a call), two threads ran a call (n = 2,000,
/// from Python) in 14.7 ms wall and 25.8 ms CPU against 21.9 ms on one thread, 75% of a perfect split. The
/// threads meet at a [`Barrier`] that blocks in the OS: a barrier that spins keeps a core busy while it waits,
/// and on a machine whose cores are shared with other work (2 vCPUs and a busy neighbour) the spinning thread
/// took the core from the very thread it waited for (a call at n = 2,000 took 76 ms where one thread takes 27).
/// The partials are double-buffered, so one barrier per product is enough: a thread writing the partials of
/// product k + 1 has passed the barrier of product k, which every thread reaches only after it has read all the
/// partials of product k - 1, the ones in the same buffer.
struct AtaProduct {
    n: usize,
    tile: TileFn,
    threads: usize,
}

impl AtaProduct {
    /// Applies AᵀA `products` times from `start`; returns (the last product's input, its output).
    fn repeat(&self, start: &[f64], products: usize) -> (Vec<f64>, Vec<f64>) {
        let chunks = self.chunks();
        let partial = || Mutex::new(vec![0.0; self.n]);
        let partials: [Vec<Mutex<Vec<f64>>>; 2] = [
            (0..chunks).map(|_| partial()).collect(),
            (0..chunks).map(|_| partial()).collect(),
        ];
        let claimed: Vec<AtomicUsize> = (0..products).map(|_| AtomicUsize::new(0)).collect();
        let barrier = &Barrier::default();
        std::thread::scope(|scope| {
            let shared = Shared {
                partials: &partials,
                claimed: &claimed,
                barrier,
            };
            let mut started = 0;
            for _ in 1..self.threads {
                let work = move || self.work(start, products, shared);
                if std::thread::Builder::new()
                    .spawn_scoped(scope, work)
                    .is_ok()
                {
                    started += 1;
                }
            }
            barrier.open(started + 1);
            self.work(start, products, shared)
        })
    }

    /// How many chunks of whole tiles a product is cut into: one on one thread, else [`CHUNKS_PER_THREAD`] per
    /// thread (fewer if there are fewer tiles). It depends only on the size and the threads asked for, so every
    /// call with them sums the same chunks in the same order.
    fn chunks(&self) -> usize {
        let tiles = self.n.div_ceil(TILE_ROWS);
        match self.threads {
            0 | 1 => 1,
            threads => (threads * CHUNKS_PER_THREAD).min(tiles).max(1),
        }
    }

    /// One of the barrier's threads: the chunks of every product it claims first, then every product summed, chunk
    /// by chunk in order, into its own copy (the input of the next product).
    fn work(&self, start: &[f64], products: usize, shared: Shared<'_>) -> (Vec<f64>, Vec<f64>) {
        let Shared {
            partials,
            claimed,
            barrier,
        } = shared;
        let _released = ReleaseOnPanic(barrier);
        // the barrier counts its threads from the first product on
        barrier.size();
        let n = self.n;
        let tiles = n.div_ceil(TILE_ROWS);
        let chunks = partials[0].len();
        let mut entries = vec![0.0; TILE_ROWS * n];
        let (mut x, mut product) = (start.to_vec(), vec![0.0; n]);
        for k in 0..products {
            let buffer = &partials[k % 2];
            loop {
                let c = claimed[k].fetch_add(1, Ordering::Relaxed);
                let Some(partial) = buffer.get(c) else {
                    break;
                };
                let mut partial = lock(partial);
                partial.fill(0.0);
                let rows = (tiles * c / chunks * TILE_ROWS).min(n)
                    ..(tiles * (c + 1) / chunks * TILE_ROWS).min(n);
                let mut i = rows.start;
                while i < rows.end {
                    let end = (i + TILE_ROWS).min(rows.end);
                    (self.tile)(i..end, &x, &mut entries, &mut partial);
                    i = end;
                }
            }
            if !barrier.wait() {
                // another thread panicked: the scope re-raises its panic once every thread is back
                break;
            }
            product.fill(0.0);
            for part in buffer {
                for (p, q) in product.iter_mut().zip(lock(part).iter()) {
                    *p += q;
                }
            }
            std::mem::swap(&mut x, &mut product);
        }
        // x holds the last product, `product` its input
        (product, x)
    }
}

/// What the threads of an [`AtaProduct`] share: each product's chunk partials (double-buffered), how many of
/// each product's chunks have been claimed, and the barrier they meet at after each product.
#[derive(Clone, Copy)]
struct Shared<'s> {
    partials: &'s [Vec<Mutex<Vec<f64>>>; 2],
    claimed: &'s [AtomicUsize],
    barrier: &'s Barrier,
}

/// A partial result's lock; a thread that panicked while holding it left nothing worse than numbers (and the call
/// fails with its panic anyway).
fn lock(partial: &Mutex<Vec<f64>>) -> std::sync::MutexGuard<'_, Vec<f64>> {
    partial
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A barrier for `size` threads, reusable generation by generation, whose waiting threads sleep in the OS. Unlike
/// `std::sync::Barrier` it can be broken: a thread that panics breaks it (see [`ReleaseOnPanic`]), so that the
/// others stop waiting for it. Its size is set once the threads are started (see [`Barrier::open`]).
#[derive(Default)]
struct Barrier {
    state: Mutex<BarrierState>,
    changed: Condvar,
}

#[derive(Default)]
struct BarrierState {
    /// 0 until [`Barrier::open`].
    size: usize,
    arrived: usize,
    generation: u64,
    broken: bool,
}

impl Barrier {
    fn state(&self) -> MutexGuard<'_, BarrierState> {
        // the state is only counters, consistent between any two statements: a panic elsewhere leaves it usable
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn sleep<'g>(&self, guard: MutexGuard<'g, BarrierState>) -> MutexGuard<'g, BarrierState> {
        self.changed
            .wait(guard)
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Sets how many threads meet here, once they are all started.
    fn open(&self, size: usize) {
        self.state().size = size;
        self.changed.notify_all();
    }

    /// How many threads meet here, waiting for [`Barrier::open`] if need be.
    fn size(&self) -> usize {
        let mut state = self.state();
        while state.size == 0 {
            state = self.sleep(state);
        }
        state.size
    }

    /// Waits for every thread; `false` if the barrier is broken.
    fn wait(&self) -> bool {
        let mut state = self.state();
        if state.broken {
            return false;
        }
        state.arrived += 1;
        if state.arrived == state.size {
            state.arrived = 0;
            state.generation += 1;
            drop(state);
            self.changed.notify_all();
            return true;
        }
        let generation = state.generation;
        while state.generation == generation && !state.broken {
            state = self.sleep(state);
        }
        !state.broken
    }

    fn break_it(&self) {
        self.state().broken = true;
        self.changed.notify_all();
    }
}

/// Breaks the barrier if the thread holding it unwinds.
struct ReleaseOnPanic<'b>(&'b Barrier);

impl Drop for ReleaseOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.break_it();
        }
    }
}

/// The explicit SIMD tiles. A division is the costly part of the portable row (a 512-bit `vdivpd` retires one
/// vector every ~16 cycles), so these take a hardware reciprocal estimate and refine it with FMAs instead: every
/// entry 1/d comes out within ~1e-13 relative of the correctly rounded quotient, four orders of magnitude
/// inside the 1e-9 the check allows, and the same on every run.
/// The denominators advance by exact integer additions in f64: from column j to j + L, with s = i + j,
/// d grows by L·s + L(L+1)/2, and that step grows by L² per step.
#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;
    use std::ops::Range;

    use super::TILE_ROWS;

    /// Safe wrapper: only ever selected (see `Tile::fast`) when `simd::detected()` found AVX-512F.
    pub fn tile_avx512<const FAIR: bool>(
        rows: Range<usize>,
        x: &[f64],
        entries: &mut [f64],
        out: &mut [f64],
    ) {
        // SAFETY: the CPU has AVX-512F (runtime detection chose this path).
        unsafe { avx512::<FAIR>(rows, x, entries, out) }
    }

    /// Safe wrapper: only ever selected when `simd::detected()` found AVX2 and FMA.
    pub fn tile_avx2<const FAIR: bool>(
        rows: Range<usize>,
        x: &[f64],
        entries: &mut [f64],
        out: &mut [f64],
    ) {
        // SAFETY: the CPU has AVX2 and FMA (runtime detection chose this path).
        unsafe { avx2::<FAIR>(rows, x, entries, out) }
    }

    /// Starting denominators for lanes j = first_j.. of row i, and their per-step increments.
    fn start<const LANES: usize>(
        i: usize,
        first_j: usize,
        step: usize,
    ) -> ([f64; LANES], [f64; LANES]) {
        let mut d = [0.0; LANES];
        let mut inc = [0.0; LANES];
        let l = step as f64;
        for lane in 0..LANES {
            let s = (i + first_j + lane) as f64;
            d[lane] = s * (s + 1.0) * 0.5 + i as f64 + 1.0;
            inc[lane] = l * s + l * (l + 1.0) * 0.5;
        }
        (d, inc)
    }

    /// The columns of a row past the last whole vector step, with true divisions.
    fn tail(i: usize, from: usize, x: &[f64], row: &mut [f64]) -> f64 {
        let fi = i as f64;
        let mut sum = 0.0;
        for j in from..x.len() {
            let s = fi + j as f64;
            let a = 1.0 / (s * (s + 1.0) * 0.5 + fi + 1.0);
            row[j] = a;
            sum += a * x[j];
        }
        sum
    }

    /// 16 columns per iteration in two vectors of 8 (two independent chains hide the FMA latency);
    /// reciprocal: `vrcp14pd` (relative error < 2⁻¹⁴) and one cubic refinement r(1 + e + e²), e = 1 - d·r,
    /// which leaves an error below 2⁻⁴². Then out += Σ rows · dots, eight columns at a time. `FAIR`: true
    /// divisions, and every multiply-add as a multiply then an add.
    #[target_feature(enable = "avx512f")]
    unsafe fn avx512<const FAIR: bool>(
        rows: Range<usize>,
        x: &[f64],
        entries: &mut [f64],
        out: &mut [f64],
    ) {
        const STEP: usize = 16;
        let n = x.len();
        let count = rows.len();
        let mut dots = [0.0; TILE_ROWS];
        // SAFETY (whole body): every load and store is of 8 doubles at j with j + 8 <= n, inside a slice of
        // length n (`x`, `out`, or one row of `entries`, which holds count <= TILE_ROWS rows of n).
        unsafe {
            let grow = _mm512_set1_pd((STEP * STEP) as f64);
            let one = _mm512_set1_pd(1.0);
            let madd = |a: __m512d, b: __m512d, c: __m512d| {
                if FAIR {
                    _mm512_add_pd(_mm512_mul_pd(a, b), c)
                } else {
                    _mm512_fmadd_pd(a, b, c)
                }
            };
            for (r, i) in rows.enumerate() {
                let row = &mut entries[r * n..(r + 1) * n];
                let (d0, inc0) = start::<8>(i, 0, STEP);
                let (d1, inc1) = start::<8>(i, 8, STEP);
                let (mut d0, mut d1) = (_mm512_loadu_pd(d0.as_ptr()), _mm512_loadu_pd(d1.as_ptr()));
                let (mut inc0, mut inc1) = (
                    _mm512_loadu_pd(inc0.as_ptr()),
                    _mm512_loadu_pd(inc1.as_ptr()),
                );
                let (mut acc0, mut acc1) = (_mm512_setzero_pd(), _mm512_setzero_pd());
                let recip = |d: __m512d| {
                    if FAIR {
                        return _mm512_div_pd(one, d);
                    }
                    let r = _mm512_rcp14_pd(d);
                    let e = _mm512_fnmadd_pd(d, r, one);
                    let p = _mm512_fmadd_pd(e, e, e);
                    _mm512_fmadd_pd(r, p, r)
                };
                let mut j = 0;
                while j + STEP <= n {
                    let (a0, a1) = (recip(d0), recip(d1));
                    _mm512_storeu_pd(row.as_mut_ptr().add(j), a0);
                    _mm512_storeu_pd(row.as_mut_ptr().add(j + 8), a1);
                    acc0 = madd(_mm512_loadu_pd(x.as_ptr().add(j)), a0, acc0);
                    acc1 = madd(_mm512_loadu_pd(x.as_ptr().add(j + 8)), a1, acc1);
                    d0 = _mm512_add_pd(d0, inc0);
                    d1 = _mm512_add_pd(d1, inc1);
                    inc0 = _mm512_add_pd(inc0, grow);
                    inc1 = _mm512_add_pd(inc1, grow);
                    j += STEP;
                }
                dots[r] = _mm512_reduce_add_pd(_mm512_add_pd(acc0, acc1)) + tail(i, j, x, row);
            }
            let mut j = 0;
            while j + 8 <= n {
                let mut acc = _mm512_loadu_pd(out.as_ptr().add(j));
                for (r, &dot) in dots.iter().enumerate().take(count) {
                    let a = _mm512_loadu_pd(entries.as_ptr().add(r * n + j));
                    acc = madd(a, _mm512_set1_pd(dot), acc);
                }
                _mm512_storeu_pd(out.as_mut_ptr().add(j), acc);
                j += 8;
            }
            for j in j..n {
                for (r, &dot) in dots.iter().enumerate().take(count) {
                    out[j] = if FAIR {
                        entries[r * n + j] * dot + out[j]
                    } else {
                        entries[r * n + j].mul_add(dot, out[j])
                    };
                }
            }
        }
    }

    /// 8 columns per iteration in two vectors of 4; reciprocal: `rcpps` on the denominators rounded to f32
    /// (relative error < 1.5·2⁻¹², plus 2⁻²⁴ from the rounding) and two Newton steps r(2 - d·r) in f64, which
    /// leave an error below 2⁻⁴⁵. Then out += Σ rows · dots, four columns at a time. `FAIR` as for AVX-512.
    #[target_feature(enable = "avx2,fma")]
    unsafe fn avx2<const FAIR: bool>(
        rows: Range<usize>,
        x: &[f64],
        entries: &mut [f64],
        out: &mut [f64],
    ) {
        const STEP: usize = 8;
        let n = x.len();
        let count = rows.len();
        let mut dots = [0.0; TILE_ROWS];
        // SAFETY (whole body): every load and store is of 4 doubles at j with j + 4 <= n, inside a slice of
        // length n (`x`, `out`, or one row of `entries`).
        unsafe {
            let grow = _mm256_set1_pd((STEP * STEP) as f64);
            let one = _mm256_set1_pd(1.0);
            let madd = |a: __m256d, b: __m256d, c: __m256d| {
                if FAIR {
                    _mm256_add_pd(_mm256_mul_pd(a, b), c)
                } else {
                    _mm256_fmadd_pd(a, b, c)
                }
            };
            for (r, i) in rows.enumerate() {
                let row = &mut entries[r * n..(r + 1) * n];
                let (d0, inc0) = start::<4>(i, 0, STEP);
                let (d1, inc1) = start::<4>(i, 4, STEP);
                let (mut d0, mut d1) = (_mm256_loadu_pd(d0.as_ptr()), _mm256_loadu_pd(d1.as_ptr()));
                let (mut inc0, mut inc1) = (
                    _mm256_loadu_pd(inc0.as_ptr()),
                    _mm256_loadu_pd(inc1.as_ptr()),
                );
                let (mut acc0, mut acc1) = (_mm256_setzero_pd(), _mm256_setzero_pd());
                let recip = |d: __m256d| {
                    if FAIR {
                        return _mm256_div_pd(one, d);
                    }
                    let mut r = _mm256_cvtps_pd(_mm_rcp_ps(_mm256_cvtpd_ps(d)));
                    for _ in 0..2 {
                        let e = _mm256_fnmadd_pd(d, r, one);
                        r = _mm256_fmadd_pd(r, e, r);
                    }
                    r
                };
                let mut j = 0;
                while j + STEP <= n {
                    let (a0, a1) = (recip(d0), recip(d1));
                    _mm256_storeu_pd(row.as_mut_ptr().add(j), a0);
                    _mm256_storeu_pd(row.as_mut_ptr().add(j + 4), a1);
                    acc0 = madd(_mm256_loadu_pd(x.as_ptr().add(j)), a0, acc0);
                    acc1 = madd(_mm256_loadu_pd(x.as_ptr().add(j + 4)), a1, acc1);
                    d0 = _mm256_add_pd(d0, inc0);
                    d1 = _mm256_add_pd(d1, inc1);
                    inc0 = _mm256_add_pd(inc0, grow);
                    inc1 = _mm256_add_pd(inc1, grow);
                    j += STEP;
                }
                let acc = _mm256_add_pd(acc0, acc1);
                let mut lanes = [0.0; 4];
                _mm256_storeu_pd(lanes.as_mut_ptr(), acc);
                dots[r] = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]) + tail(i, j, x, row);
            }
            let mut j = 0;
            while j + 4 <= n {
                let mut acc = _mm256_loadu_pd(out.as_ptr().add(j));
                for (r, &dot) in dots.iter().enumerate().take(count) {
                    let a = _mm256_loadu_pd(entries.as_ptr().add(r * n + j));
                    acc = madd(a, _mm256_set1_pd(dot), acc);
                }
                _mm256_storeu_pd(out.as_mut_ptr().add(j), acc);
                j += 4;
            }
            for j in j..n {
                for (r, &dot) in dots.iter().enumerate().take(count) {
                    out[j] = if FAIR {
                        entries[r * n + j] * dot + out[j]
                    } else {
                        entries[r * n + j].mul_add(dot, out[j])
                    };
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A(i, j) straight from the definition, in integers.
    fn a(i: usize, j: usize) -> f64 {
        1.0 / ((i + j) * (i + j + 1) / 2 + i + 1) as f64
    }

    /// Every tile function this CPU can run, with its name.
    fn tiles() -> Vec<(&'static str, TileFn)> {
        let mut tiles: Vec<(&'static str, TileFn)> = Vec::new();
        #[cfg(target_arch = "x86_64")]
        {
            if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
                tiles.push(("avx2", x86::tile_avx2::<false>));
                tiles.push(("avx2 fair", x86::tile_avx2::<true>));
            }
            if is_x86_feature_detected!("avx512f") {
                tiles.push(("avx512", x86::tile_avx512::<false>));
                tiles.push(("avx512 fair", x86::tile_avx512::<true>));
            }
        }
        tiles
    }

    /// Runs one tile of `rows` on x, checking every entry it computed against the definition; returns what it
    /// added to a zero vector.
    fn checked_tile(name: &str, tile: TileFn, rows: std::ops::Range<usize>, x: &[f64]) -> Vec<f64> {
        let n = x.len();
        let mut entries = vec![f64::NAN; TILE_ROWS * n];
        let mut out = vec![0.0; n];
        tile(rows.clone(), x, &mut entries, &mut out);
        for (r, i) in rows.enumerate() {
            for j in 0..n {
                let (got, want) = (entries[r * n + j], a(i, j));
                if name.ends_with("fair") {
                    // true divisions: the correctly rounded quotient itself
                    assert_eq!(got, want, "{name} n={n} A({i}, {j})");
                }
                assert!(
                    (got - want).abs() <= 3e-13 * want,
                    "{name} n={n} A({i}, {j}) = {got}, want {want}"
                );
            }
        }
        out
    }

    #[test]
    fn tiles_compute_every_entry_and_both_products() {
        // sizes around the vector steps (4, 8, 16) exercise the tails; short last tiles too
        for (name, tile) in tiles() {
            for n in [1_usize, 3, 4, 7, 8, 10, 15, 16, 17, 33, 300] {
                let x: Vec<f64> = (0..n).map(|k| 1.0 + (k % 7) as f64).collect();
                for first in [0, n.saturating_sub(TILE_ROWS / 2 + 1), n / 3] {
                    let rows = first..(first + TILE_ROWS).min(n);
                    let out = checked_tile(name, tile, rows.clone(), &x);
                    for (j, &got) in out.iter().enumerate() {
                        let want: f64 = rows
                            .clone()
                            .map(|i| a(i, j) * (0..n).map(|k| a(i, k) * x[k]).sum::<f64>())
                            .sum();
                        assert!(
                            (got - want).abs() <= 1e-12 * want.abs(),
                            "{name} n={n} rows {rows:?} column {j}: {got} vs {want}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn large_denominators_stay_accurate() {
        // the last rows of the largest n: denominators near 2e10, where the f32 estimate of the AVX2 path is
        // itself rounded
        let n = MAX_N;
        let x = vec![1.0; n];
        for (name, tile) in tiles() {
            checked_tile(name, tile, n - 3..n, &x);
            checked_tile(name, tile, n / 2..n / 2 + 1, &x);
        }
    }

    #[test]
    fn n_100_matches_the_benchmarks_game() {
        for mode in [Mode::Fast, Mode::Scalar, Mode::Plain] {
            let r = spectral_norm(100, mode);
            assert_eq!(format!("{:.9}", r.norm), "1.274219991", "{mode:?}");
            assert!(r.vbv > 0.0 && r.vv > 0.0);
        }
    }

    #[test]
    fn every_path_agrees_to_the_check() {
        let p = spectral_norm(433, Mode::Plain);
        let mut others = vec![
            spectral_norm(433, Mode::Fast),
            spectral_norm(433, Mode::Scalar),
        ];
        others.extend(fast_on_threads(433, 2));
        for o in others {
            for (x, y) in [(o.norm, p.norm), (o.vbv, p.vbv), (o.vv, p.vv)] {
                assert!((x - y).abs() <= 1e-12 * y.abs(), "{x} vs {y}");
            }
        }
    }

    #[test]
    fn small_sizes_stay_on_one_thread() {
        assert_eq!(fast_threads(MIN_SPLIT_N - 1, 8), 1);
        assert_eq!(fast_threads(MIN_SPLIT_N, 2), 2);
        assert_eq!(fast_threads(2000, 1), 1);
        assert_eq!(fast_threads(5500, 64), 64);
        assert_eq!(
            fast_threads(5500, 128),
            5500usize.div_ceil(TILE_ROWS * MIN_TILES_PER_THREAD)
        );
    }

    #[test]
    fn any_split_into_threads_gives_the_same_product() {
        // uneven splits, a thread with no rows, and the same bits on every call for a given split
        let Some(tile) = fast_tile(simd::detected(), false) else {
            return; // no SIMD tile on this CPU: nothing is tiled
        };
        let n = 203;
        let x: Vec<f64> = (0..n).map(|k| 1.0 / (1.0 + k as f64)).collect();
        let product = |threads| {
            let op = AtaProduct { n, tile, threads };
            let (input, out) = op.repeat(&x, 3);
            let (input_again, again) = op.repeat(&x, 3);
            assert_eq!(out, again, "{threads} threads");
            assert_eq!(input, input_again, "{threads} threads");
            // the input of the third product is the second's output
            assert_eq!(op.repeat(&x, 2).1, input, "{threads} threads");
            out
        };
        let one = product(1);
        for threads in [2, 3, 7, 40] {
            for (p, q) in product(threads).iter().zip(&one) {
                assert!(
                    (p - q).abs() <= 1e-14 * q.abs(),
                    "{threads} threads: {p} vs {q}"
                );
            }
        }
    }

    #[test]
    fn a_thread_that_panics_fails_the_call_instead_of_hanging_the_others() {
        // a tile that fails for the last rows only, in the last thread: the others would wait at the barrier
        // forever if the panic did not break it
        fn failing(rows: std::ops::Range<usize>, _: &[f64], _: &mut [f64], _: &mut [f64]) {
            assert!(rows.end < 203, "a tile failed");
        }
        for threads in [2, 3] {
            let op = AtaProduct {
                n: 203,
                tile: failing,
                threads,
            };
            let call = std::panic::catch_unwind(|| op.repeat(&[1.0; 203], 3));
            assert!(call.is_err(), "{threads} threads");
        }
    }

    #[test]
    fn sizes_are_checked() {
        assert_eq!(checked_n(1).unwrap(), 1);
        assert!(checked_n(0).is_err());
        assert!(checked_n(-5).is_err());
        assert!(checked_n(i64::MAX).is_err());
    }
}
