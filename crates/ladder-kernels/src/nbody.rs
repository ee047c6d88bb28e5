//! The Benchmarks Game n-body simulation: the Sun and the four gas giants, momentum offset so the system's
//! centre of mass stays put, advanced with a fixed step of 0.01 (symplectic Euler).
//!
//! Two paths, one per tier. [`Mode::Plain`] (the study tier) is the Benchmarks Game program as idiomatic Rust: an
//! array of bodies, and per step each pair's separation, distance and velocity updates in one nested loop, then
//! the drift. [`Mode::Expert`] follows catalog/nbody/EXPERT.md: the state as a structure of arrays held in locals
//! for the whole run, and each step in phases, the ten separations, then the ten force factors in a loop with no
//! dependence between pairs (padded to twelve lanes), then the velocity updates in pair order, then the drift. The
//! compiler runs the pair phase two lanes at a time in SSE2 (`sqrtpd`, `divpd`: the x86-64 baseline), or four at
//! a time in the copy of the loop compiled for AVX, taken when the CPU has it. Both paths apply the same
//! operations in the same order to every velocity, so both return the same bits.
//!
//! Measured here (AMD EPYC with AVX-512, a shared 2-vCPU machine; best of 21 runs of 500,000 steps,
//! `examples/nbody_paths.rs`, and the same from Python): plain 19.8-20.0 ms, expert 26.3-26.9 ms with AVX, 27.9 ms
//! with SSE2 only; an AVX-512 build of the expert loop took 29.5 ms and a 16-lane padding did no better. The
//! phases do not pay in Rust on this CPU: in the plain loop the ten pairs' square roots and divisions are already
//! independent of each other, so the out-of-order core overlaps them, and the phases only add the pair arrays'
//! stores and loads. The expert path stays, as the expert tier's ideas for every tool.

//! No threads: a step is a chain of some 80 cycles of dependent arithmetic, and each needs the one before. No
//! fast-math either: stable Rust has no switch for it (the `algebraic_*` float operations are unstable), and it
//! never contracts a multiply and an add into an FMA, so the expert path already follows ladder's fair rules.

use std::f64::consts::PI;

use crate::SizeError;

const SOLAR_MASS: f64 = 4.0 * PI * PI;
const DAYS_PER_YEAR: f64 = 365.24;
const DT: f64 = 0.01;

const BODIES: usize = 5;
/// Number of distinct body pairs, 5 choose 2.
const PAIRS: usize = BODIES * (BODIES - 1) / 2;

/// The most steps `energies` accepts: 200 times the Benchmarks Game's 50M (minutes of work); it only turns a
/// mistyped size into an error instead of a job that never ends.
pub const MAX_STEPS: u64 = 10_000_000_000;

#[derive(Clone, Copy, Debug)]
struct Body {
    pos: [f64; 3],
    vel: [f64; 3],
    mass: f64,
}

impl Body {
    /// A planet from its position (AU) and velocity (AU per day) and its mass in solar masses.
    const fn planet(pos: [f64; 3], vel_per_day: [f64; 3], solar_masses: f64) -> Self {
        Self {
            pos,
            vel: [
                vel_per_day[0] * DAYS_PER_YEAR,
                vel_per_day[1] * DAYS_PER_YEAR,
                vel_per_day[2] * DAYS_PER_YEAR,
            ],
            mass: solar_masses * SOLAR_MASS,
        }
    }
}

/// Sun, Jupiter, Saturn, Uranus, Neptune: the Benchmarks Game's initial conditions, digits as published.
#[allow(clippy::excessive_precision)]
#[rustfmt::skip]
const INITIAL: [Body; BODIES] = [
    Body {
        pos: [0.0; 3],
        vel: [0.0; 3],
        mass: SOLAR_MASS,
    },
    Body::planet(
        [4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01],
        [1.66007664274403694e-03, 7.69901118419740425e-03, -6.90460016972063023e-05],
        9.54791938424326609e-04,
    ),
    Body::planet(
        [8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01],
        [-2.76742510726862411e-03, 4.99852801234917238e-03, 2.30417297573763929e-05],
        2.85885980666130812e-04,
    ),
    Body::planet(
        [1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01],
        [2.96460137564761618e-03, 2.37847173959480950e-03, -2.96589568540237556e-05],
        4.36624404335156298e-05,
    ),
    Body::planet(
        [1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01],
        [2.68067772490389322e-03, 1.62824170038242295e-03, -9.51592254519715870e-05],
        5.15138902046611451e-05,
    ),
];

/// The body pairs (i, j), i < j, in the order the velocity updates are applied.
const PAIR_INDEX: [(usize, usize); PAIRS] = {
    let mut pairs = [(0, 0); PAIRS];
    let mut k = 0;
    let mut i = 0;
    while i < BODIES {
        let mut j = i + 1;
        while j < BODIES {
            pairs[k] = (i, j);
            k += 1;
            j += 1;
        }
        i += 1;
    }
    pairs
};

/// The solar system under simulation.
#[derive(Clone, Debug)]
pub struct System {
    bodies: [Body; BODIES],
}

impl Default for System {
    fn default() -> Self {
        Self::new()
    }
}

impl System {
    /// The initial system with the Sun's velocity set so the total momentum is zero.
    pub fn new() -> Self {
        let mut bodies = INITIAL;
        let mut momentum = [0.0; 3];
        for body in &bodies {
            for (p, v) in momentum.iter_mut().zip(body.vel) {
                *p += v * body.mass;
            }
        }
        for (v, p) in bodies[0].vel.iter_mut().zip(momentum) {
            *v = -p / SOLAR_MASS;
        }
        Self { bodies }
    }

    /// Total energy: kinetic minus the gravitational potential of every pair.
    pub fn energy(&self) -> f64 {
        let mut e = 0.0;
        for (i, a) in self.bodies.iter().enumerate() {
            e += 0.5 * a.mass * dot(a.vel, a.vel);
            for b in &self.bodies[i + 1..] {
                let d = sub(a.pos, b.pos);
                e -= a.mass * b.mass / dot(d, d).sqrt();
            }
        }
        e
    }

    /// One step of `DT`, the plain program's way.
    #[inline]
    pub fn advance(&mut self) {
        let bodies = &mut self.bodies;
        for i in 0..BODIES {
            let (done, rest) = bodies.split_at_mut(i + 1);
            let a = &mut done[i];
            for b in rest {
                let d = sub(a.pos, b.pos);
                let d2 = dot(d, d);
                let mag = DT / (d2 * d2.sqrt());
                let (a_mag, b_mag) = (a.mass * mag, b.mass * mag);
                for ((va, vb), dk) in a.vel.iter_mut().zip(&mut b.vel).zip(d) {
                    *va -= dk * b_mag;
                    *vb += dk * a_mag;
                }
            }
        }
        for body in bodies {
            for (p, v) in body.pos.iter_mut().zip(body.vel) {
                *p += DT * v;
            }
        }
    }
}

/// The pair arrays' length: [`PAIRS`] rounded up to a whole number of 4-lane vectors; the extra lanes are
/// dummy pairs with a distance of 1, whose force factors are never used.
const PADDED: usize = 12;

/// The system as a structure of arrays, for the expert path.
#[derive(Clone, Copy)]
struct Arrays {
    x: [f64; BODIES],
    y: [f64; BODIES],
    z: [f64; BODIES],
    vx: [f64; BODIES],
    vy: [f64; BODIES],
    vz: [f64; BODIES],
    m: [f64; BODIES],
}

impl Arrays {
    fn of(system: &System) -> Self {
        let b = &system.bodies;
        let each = |f: &dyn Fn(&Body) -> f64| std::array::from_fn(|i| f(&b[i]));
        Self {
            x: each(&|b| b.pos[0]),
            y: each(&|b| b.pos[1]),
            z: each(&|b| b.pos[2]),
            vx: each(&|b| b.vel[0]),
            vy: each(&|b| b.vel[1]),
            vz: each(&|b| b.vel[2]),
            m: each(&|b| b.mass),
        }
    }

    fn system(&self) -> System {
        System {
            bodies: std::array::from_fn(|i| Body {
                pos: [self.x[i], self.y[i], self.z[i]],
                vel: [self.vx[i], self.vy[i], self.vz[i]],
                mass: self.m[i],
            }),
        }
    }

    /// `steps` steps.
    fn run(&mut self, steps: u64) {
        #[cfg(target_arch = "x86_64")]
        if avx() {
            // SAFETY: the CPU has AVX.
            unsafe { self.run_avx(steps) };
            return;
        }
        for _ in 0..steps {
            self.advance();
        }
    }

    /// [`Arrays::run`] compiled for AVX: the same code, whose pair phase the compiler then runs four lanes at a
    /// time (three `vsqrtpd` and three `vdivpd` a step instead of six of each).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx")]
    unsafe fn run_avx(&mut self, steps: u64) {
        for _ in 0..steps {
            self.advance();
        }
    }

    /// One step of `DT` in the phases of EXPERT.md.
    #[inline(always)]
    fn advance(&mut self) {
        let (mut dx, mut dy, mut dz) = ([1.0; PADDED], [0.0; PADDED], [0.0; PADDED]);
        for (p, &(i, j)) in PAIR_INDEX.iter().enumerate() {
            dx[p] = self.x[i] - self.x[j];
            dy[p] = self.y[i] - self.y[j];
            dz[p] = self.z[i] - self.z[j];
        }
        let mut mag = [0.0; PADDED];
        for p in 0..PADDED {
            let d2 = dx[p] * dx[p] + dy[p] * dy[p] + dz[p] * dz[p];
            mag[p] = DT / (d2 * d2.sqrt());
        }
        for (p, &(i, j)) in PAIR_INDEX.iter().enumerate() {
            let (i_mag, j_mag) = (self.m[i] * mag[p], self.m[j] * mag[p]);
            self.vx[i] -= dx[p] * j_mag;
            self.vy[i] -= dy[p] * j_mag;
            self.vz[i] -= dz[p] * j_mag;
            self.vx[j] += dx[p] * i_mag;
            self.vy[j] += dy[p] * i_mag;
            self.vz[j] += dz[p] * i_mag;
        }
        for i in 0..BODIES {
            self.x[i] += DT * self.vx[i];
            self.y[i] += DT * self.vy[i];
            self.z[i] += DT * self.vz[i];
        }
    }
}

#[inline(always)]
fn sub(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

#[inline(always)]
fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

/// Checks a step count given by a caller (a Python int).
pub fn checked_steps(steps: i64) -> Result<u64, SizeError> {
    match u64::try_from(steps) {
        Ok(s) if s <= MAX_STEPS => Ok(s),
        Ok(_) => Err(SizeError(format!(
            "n-body steps must be at most {MAX_STEPS}, got {steps}"
        ))),
        Err(_) => Err(SizeError(format!("n-body steps must be >= 0, got {steps}"))),
    }
}

/// Whether the expert path runs its AVX build here.
#[cfg(target_arch = "x86_64")]
fn avx() -> bool {
    is_x86_feature_detected!("avx")
}

/// The vector width of the expert path's pair phase here, for `ladder_info()`.
pub fn simd_level() -> &'static str {
    #[cfg(target_arch = "x86_64")]
    if avx() {
        return "avx (compiler-vectorised pair phase, 4 lanes)";
    }
    if cfg!(target_arch = "x86_64") {
        "sse2 (compiler-vectorised pair phase, 2 lanes)"
    } else {
        "none (portable)"
    }
}

/// Which path runs the steps (see the module doc).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Plain,
    Expert,
}

/// Energy before and after `steps` steps.
pub fn energies(steps: u64, mode: Mode) -> (f64, f64) {
    let mut system = System::new();
    let before = system.energy();
    match mode {
        Mode::Plain => {
            for _ in 0..steps {
                system.advance();
            }
        }
        Mode::Expert => {
            // a local copy for the whole run, which the compiler keeps in registers
            let mut arrays = Arrays::of(&system);
            arrays.run(steps);
            system = arrays.system();
        }
    }
    (before, system.energy())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nine(x: f64) -> String {
        format!("{x:.9}")
    }

    #[test]
    fn zero_steps_keeps_energy() {
        let (before, after) = energies(0, Mode::Expert);
        assert_eq!(before, after);
        assert_eq!(nine(before), "-0.169075164");
    }

    #[test]
    fn thousand_steps_match_the_benchmarks_game() {
        for mode in [Mode::Plain, Mode::Expert] {
            let (before, after) = energies(1000, mode);
            assert_eq!(nine(before), "-0.169075164", "{mode:?}");
            assert_eq!(nine(after), "-0.169087605", "{mode:?}");
        }
    }

    #[test]
    fn both_paths_give_the_same_bits() {
        for steps in [1, 2, 17, 5000] {
            assert_eq!(
                energies(steps, Mode::Plain),
                energies(steps, Mode::Expert),
                "{steps} steps"
            );
        }
        let system = System::new();
        assert_eq!(
            format!("{:?}", Arrays::of(&system).system()),
            format!("{system:?}")
        );
    }

    #[test]
    fn momentum_is_offset() {
        let system = System::new();
        for k in 0..3 {
            let p: f64 = system.bodies.iter().map(|b| b.vel[k] * b.mass).sum();
            assert!(p.abs() < 1e-15, "axis {k}: {p}");
        }
    }

    #[test]
    fn step_counts_are_checked() {
        assert_eq!(checked_steps(0).unwrap(), 0);
        assert_eq!(checked_steps(500_000).unwrap(), 500_000);
        assert!(checked_steps(-1).is_err());
        assert!(checked_steps(i64::MAX).is_err());
    }

    #[test]
    fn pairs_cover_every_body_pair_once() {
        assert_eq!(PAIR_INDEX[0], (0, 1));
        assert_eq!(PAIR_INDEX[PAIRS - 1], (3, 4));
        assert!(PAIR_INDEX.iter().all(|&(i, j)| i < j && j < BODIES));
    }
}
