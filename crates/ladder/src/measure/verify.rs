//! Output checks, stricter than the study's own harness (see DESIGN.md, "Verifying"): every output is compared
//! in full against the reference pinned in benchmark.toml for its size.

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

/// Checks one output. An `Err` means the reference itself could not be read (a catalog problem), not a wrong output.
pub fn verify(bench: &Benchmark, size: &Size, output: &Value) -> Result<Verdict> {
    match bench.check {
        CheckKind::NbodyEnergy => Ok(check_nbody(size, output)),
        CheckKind::SpectralNorm => Ok(check_spectral(size, output)),
        CheckKind::PipelineOutput => check_pipeline(bench, size, output),
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

fn check_nbody(size: &Size, output: &Value) -> Verdict {
    let Some(e) = floats(output, 2) else {
        return Verdict::fail(format!(
            "expected [energy_before, energy_after], got {}",
            short(output)
        ));
    };
    let expect = |k: &str| {
        size.expect
            .get(k)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string()
    };
    let (before, after) = (format!("{:.9}", e[0]), format!("{:.9}", e[1]));
    let (want_before, want_after) = (expect("energy_before"), expect("energy_after"));
    if before == want_before && after == want_after {
        Verdict::pass(format!("energy {before} -> {after} (9 decimals)"))
    } else {
        Verdict::fail(format!(
            "energy {before} -> {after}, expected {want_before} -> {want_after} (9 decimals)"
        ))
    }
}

fn check_spectral(size: &Size, output: &Value) -> Verdict {
    let Some(got) = floats(output, 3) else {
        return Verdict::fail(format!("expected [norm, vBv, vv], got {}", short(output)));
    };
    for (i, key) in ["norm", "vbv", "vv"].iter().enumerate() {
        let want = size
            .expect
            .get(*key)
            .and_then(|v| v.as_float())
            .unwrap_or(f64::NAN);
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

fn check_pipeline(bench: &Benchmark, size: &Size, output: &Value) -> Result<Verdict> {
    let reference = load_pipeline_reference(bench, size)?;
    let Some(got) = output.as_object() else {
        return Ok(Verdict::fail(format!(
            "expected a dict of users, got {}",
            short(output)
        )));
    };
    let want = reference
        .as_object()
        .context("the pipeline reference is not a JSON object")?;
    if canonical_json(output) == canonical_json(&reference) {
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
