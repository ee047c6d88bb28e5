//! The Benchmarks Game n-body simulation: the Sun and the four gas giants, momentum offset so the system's
//! centre of mass stays put, advanced with a fixed step of 0.01 (symplectic Euler).
//!
//! One path for both rungs. A step is a single chain of dependent operations (separations, a square root and a
//! division, the velocity updates, the drift: some 80 cycles), and five bodies leave nothing for threads. The
//! compiler already computes the ten pairs two at a time (SSE2 `sqrtpd`/`divpd`, the x86-64 baseline). Two
//! explicit variants were measured against it here (CPU time of 500,000 steps, best of 20, one thread): the
//! ten pairs as three 4-lane AVX vectors, 14-16 ms; FMA with tree-summed velocity updates, 16-18 ms; this
//! code, 12-13 ms. Wider vectors only add the shuffles into and out of them.

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

    /// One step of `DT`. The ten pair separations and their force factors are computed first, into small
    /// fixed-size arrays (independent lanes the compiler vectorises), then applied pair by pair in the classic
    /// order, so every velocity accumulates exactly as in the reference program.
    #[inline]
    pub fn advance(&mut self) {
        let delta = self.deltas();
        let mut mag = [0.0; PAIRS];
        for (m, d) in mag.iter_mut().zip(&delta) {
            let d2 = dot(*d, *d);
            *m = DT / (d2 * d2.sqrt());
        }
        self.apply(&delta, &mag);
    }

    /// The separations of the pairs, in pair order.
    #[inline(always)]
    fn deltas(&self) -> [[f64; 3]; PAIRS] {
        let b = &self.bodies;
        let mut delta = [[0.0; 3]; PAIRS];
        for (d, &(i, j)) in delta.iter_mut().zip(&PAIR_INDEX) {
            *d = sub(b[i].pos, b[j].pos);
        }
        delta
    }

    /// Velocity updates from the separations and force factors, in the reference order, then the drift.
    #[inline(always)]
    fn apply(&mut self, delta: &[[f64; 3]; PAIRS], mag: &[f64; PAIRS]) {
        let b = &mut self.bodies;
        for ((d, &m), &(i, j)) in delta.iter().zip(mag).zip(&PAIR_INDEX) {
            let mi = b[i].mass * m;
            let mj = b[j].mass * m;
            for (v, dk) in b[i].vel.iter_mut().zip(d) {
                *v -= dk * mj;
            }
            for (v, dk) in b[j].vel.iter_mut().zip(d) {
                *v += dk * mi;
            }
        }
        for body in b.iter_mut() {
            for (p, v) in body.pos.iter_mut().zip(body.vel) {
                *p += DT * v;
            }
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

/// Energy before and after `steps` steps.
pub fn energies(steps: u64) -> (f64, f64) {
    let mut system = System::new();
    let before = system.energy();
    for _ in 0..steps {
        system.advance();
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
        let (before, after) = energies(0);
        assert_eq!(before, after);
        assert_eq!(nine(before), "-0.169075164");
    }

    #[test]
    fn thousand_steps_match_the_benchmarks_game() {
        let (before, after) = energies(1000);
        assert_eq!(nine(before), "-0.169075164");
        assert_eq!(nine(after), "-0.169087605");
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
