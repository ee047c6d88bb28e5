//! Output checks, stricter than the study's own harness (see DESIGN.md, "Verifying"): every output is compared
//! in full against the reference pinned in benchmark.toml for its size.
//!
//! At an n given to `--sizes` that has no pinned reference, the baseline rung's output at that n is the reference
//! (it runs anyway, for the speedups), and every other rung is checked against it with the same tolerance as a
//! pinned check (`Expected::Output`). Such a cell records `cross-checked`, never `pinned`; the baseline's own point
//! counts as verified only once another rung reproduced it (see measure::run).

use crate::catalog::{Benchmark, CheckKind, Size};
use anyhow::{Context, Result, bail};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Relative tolerance of the spectral-norm check: a skipped power iteration moves vBv and vv far more.
pub const SPECTRAL_REL_TOL: f64 = 1e-9;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    pub ok: bool,
    /// What was compared, and on failure the first difference.
    pub detail: String,
}

impl Verdict {
    fn pass(detail: impl Into<String>) -> Verdict {
        Verdict {
            ok: true,
            detail: detail.into(),
        }
    }
    fn fail(detail: impl Into<String>) -> Verdict {
        Verdict {
            ok: false,
            detail: detail.into(),
        }
    }
}

/// Compact JSON with object keys sorted: the form the pipeline references are pinned in.
pub fn canonical_json(value: &Value) -> String {
    // serde_json's default map is ordered by key, so serialising a parsed Value sorts every object.
    value.to_string()
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    crate::catalog::hex(&Sha256::digest(bytes))
}

/// What an output is checked against.
#[derive(Debug, Clone, Copy)]
pub enum Expected<'a> {
    /// The reference pinned in benchmark.toml for this size.
    Pinned(&'a Size),
    /// Another rung's output at the same n (the baseline's), already checked for shape with `reference_shape`.
    Output(&'a Value),
}

/// Checks one output. An `Err` means the reference itself could not be read (a catalog problem), not a wrong output.
pub fn verify(bench: &Benchmark, size: &Size, output: &Value) -> Result<Verdict> {
    verify_expected(bench, Expected::Pinned(size), output)
}

/// Checks one output against a pinned reference or against another rung's output.
pub fn verify_expected(bench: &Benchmark, expected: Expected, output: &Value) -> Result<Verdict> {
    match (bench.check, expected) {
        (CheckKind::NbodyEnergy, Expected::Pinned(size)) => {
            let expect = |k: &str| {
                size.expect
                    .get(k)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            Ok(check_nbody(
                &expect("energy_before"),
                &expect("energy_after"),
                output,
            ))
        }
        (CheckKind::NbodyEnergy, Expected::Output(reference)) => {
            let e = floats(reference, 2).context("the reference output is not two energies")?;
            Ok(check_nbody(
                &format!("{:.9}", e[0]),
                &format!("{:.9}", e[1]),
                output,
            ))
        }
        (CheckKind::SpectralNorm, Expected::Pinned(size)) => {
            let want = ["norm", "vbv", "vv"].map(|key| {
                size.expect
                    .get(key)
                    .and_then(|v| v.as_float())
                    .unwrap_or(f64::NAN)
            });
            Ok(check_spectral(want, output))
        }
        (CheckKind::SpectralNorm, Expected::Output(reference)) => {
            let w = floats(reference, 3).context("the reference output is not [norm, vBv, vv]")?;
            Ok(check_spectral([w[0], w[1], w[2]], output))
        }
        (CheckKind::PipelineOutput, Expected::Pinned(size)) => {
            let reference = load_pipeline_reference(bench, size)?;
            check_pipeline(&reference, output)
        }
        (CheckKind::PipelineOutput, Expected::Output(reference)) => {
            check_pipeline(reference, output)
        }
    }
}

/// Whether an output can serve as the reference at an n without a pinned one: the shape the check needs, and
/// finite numbers (a NaN would make every comparison fail, an empty pipeline result would make agreement
/// meaningless). `Err` says what is wrong with it.
pub fn reference_shape(bench: &Benchmark, output: &Value) -> std::result::Result<String, String> {
    match bench.check {
        CheckKind::NbodyEnergy => match floats(output, 2) {
            Some(e) if e.iter().all(|x| x.is_finite()) => {
                Ok(format!("energy {:.9} -> {:.9} (9 decimals)", e[0], e[1]))
            }
            _ => Err(format!(
                "expected two finite energies [before, after], got {}",
                short(output)
            )),
        },
        CheckKind::SpectralNorm => match floats(output, 3) {
            Some(v) if v.iter().all(|x| x.is_finite() && *x > 0.0) => {
                Ok(format!("norm {:.9}, vBv {:e}, vv {:e}", v[0], v[1], v[2]))
            }
            _ => Err(format!(
                "expected three positive finite numbers [norm, vBv, vv], got {}",
                short(output)
            )),
        },
        CheckKind::PipelineOutput => match output.as_object() {
            Some(users) if !users.is_empty() => Ok(format!("{} users", users.len())),
            _ => Err(format!(
                "expected a non-empty dict of users, got {}",
                short(output)
            )),
        },
    }
}

fn floats(output: &Value, want: usize) -> Option<Vec<f64>> {
    let arr = output.as_array()?;
    if arr.len() != want {
        return None;
    }
    arr.iter().map(Value::as_f64).collect()
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 120 {
        format!("{}...", &s[..s.floor_char_boundary(120)])
    } else {
        s
    }
}

fn check_nbody(want_before: &str, want_after: &str, output: &Value) -> Verdict {
    let Some(e) = floats(output, 2) else {
        return Verdict::fail(format!(
            "expected [energy_before, energy_after], got {}",
            short(output)
        ));
    };
    let (before, after) = (format!("{:.9}", e[0]), format!("{:.9}", e[1]));
    if before == want_before && after == want_after {
        Verdict::pass(format!("energy {before} -> {after} (9 decimals)"))
    } else {
        Verdict::fail(format!(
            "energy {before} -> {after}, expected {want_before} -> {want_after} (9 decimals)"
        ))
    }
}

fn check_spectral(want: [f64; 3], output: &Value) -> Verdict {
    let Some(got) = floats(output, 3) else {
        return Verdict::fail(format!("expected [norm, vBv, vv], got {}", short(output)));
    };
    for (i, key) in ["norm", "vbv", "vv"].iter().enumerate() {
        let want = want[i];
        let rel = ((got[i] - want) / want).abs();
        // NaN fails too: it is not within any tolerance.
        if rel.is_nan() || rel > SPECTRAL_REL_TOL {
            return Verdict::fail(format!(
                "{key} = {:e}, expected {want:e} (relative error {rel:.1e} > {SPECTRAL_REL_TOL:e})",
                got[i]
            ));
        }
    }
    Verdict::pass(format!(
        "norm {:.9}, vBv and vv within {SPECTRAL_REL_TOL:e} relative",
        got[0]
    ))
}

/// Reads a pinned pipeline reference, refusing one whose bytes do not match the pinned hash.
pub fn load_pipeline_reference(bench: &Benchmark, size: &Size) -> Result<Value> {
    let file = size
        .expect
        .get("file")
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    let sha = size
        .expect
        .get("sha256")
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    let path = bench.dir.join(file);
    let bytes = std::fs::read(&path)
        .with_context(|| format!("reading the reference {}", path.display()))?;
    let got = sha256_hex(&bytes);
    if got != sha {
        bail!(
            "{}: SHA-256 is {got}, but benchmark.toml pins sizes.{}.expect.sha256 = {sha}",
            path.display(),
            size.name
        );
    }
    serde_json::from_slice(&bytes)
        .with_context(|| format!("parsing the reference {}", path.display()))
}

fn check_pipeline(reference: &Value, output: &Value) -> Result<Verdict> {
    let Some(got) = output.as_object() else {
        return Ok(Verdict::fail(format!(
            "expected a dict of users, got {}",
            short(output)
        )));
    };
    let want = reference
        .as_object()
        .context("the pipeline reference is not a JSON object")?;
    if canonical_json(output) == canonical_json(reference) {
        return Ok(Verdict::pass(format!(
            "all {} users' output identical to the reference",
            want.len()
        )));
    }
    if let Some(user) = want.keys().find(|k| !got.contains_key(*k)) {
        return Ok(Verdict::fail(format!(
            "user {user} is missing ({} users, expected {})",
            got.len(),
            want.len()
        )));
    }
    if let Some(user) = got.keys().find(|k| !want.contains_key(*k)) {
        return Ok(Verdict::fail(format!(
            "user {user} should not be in the output (no kept events)"
        )));
    }
    for (user, want_user) in want {
        let got_user = &got[user];
        if canonical_json(got_user) != canonical_json(want_user) {
            let field = want_user.as_object().and_then(|w| {
                w.iter()
                    .find(|(k, v)| got_user.get(*k) != Some(*v))
                    .map(|(k, _)| k.clone())
            });
            return Ok(Verdict::fail(match field {
                Some(f) => format!(
                    "user {user}: {f} = {}, expected {}",
                    got_user
                        .get(&f)
                        .map(short)
                        .unwrap_or_else(|| "missing".into()),
                    short(&want_user[&f])
                ),
                None => format!(
                    "user {user}: {}, expected {}",
                    short(got_user),
                    short(want_user)
                ),
            }));
        }
    }
    Ok(Verdict::fail("output differs from the reference"))
}

#[cfg(test)]
mod tests;
