//! Output checks, stricter than the study's own harness: every output is compared in full against the reference
//! pinned in benchmark.toml for its size, by the benchmark's generic check kind (`floats`, `json`, `digest`;
//! declared and validated in catalog::check, applied here), so a new benchmark needs no Rust.
//!
//! At an n given to `--sizes` that has no pinned reference, the baseline rung's output at that n is the reference
//! (it runs anyway, for the speedups), and every other rung is checked against it with the same tolerance as a
//! pinned check (`Expected::Output`). Such a cell records `cross-checked`, never `pinned`; the baseline's own point
//! counts as verified only once another rung reproduced it (see measure::run).

use crate::catalog::{Benchmark, Check, FloatRule, JsonReference, Pinned, Size};
use anyhow::{Context, Result, bail};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

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

/// Checks one output against a pinned reference or against another rung's output, by the benchmark's check.
pub fn verify_expected(bench: &Benchmark, expected: Expected, output: &Value) -> Result<Verdict> {
    match (&bench.check, expected) {
        (Check::Floats { names, rule }, Expected::Pinned(size)) => {
            let Pinned::Floats(want) = &size.expect else {
                bail!("sizes.{}.expect does not hold floats", size.name);
            };
            Ok(check_floats(names, *rule, want, output))
        }
        (Check::Floats { names, rule }, Expected::Output(reference)) => {
            let want = floats(reference, names.len())
                .with_context(|| format!("the reference output is not {} numbers", names.len()))?;
            Ok(check_floats(names, *rule, &want, output))
        }
        (Check::Json, Expected::Pinned(size)) => {
            let Pinned::Json(reference) = &size.expect else {
                bail!("sizes.{}.expect does not hold a JSON reference", size.name);
            };
            let reference = load_json_reference(reference, size)?;
            Ok(check_json(&reference, output))
        }
        (Check::Json, Expected::Output(reference)) => Ok(check_json(reference, output)),
        (Check::Digest, Expected::Pinned(size)) => {
            let Pinned::Digest { sha256, bytes } = &size.expect else {
                bail!("sizes.{}.expect does not hold a digest", size.name);
            };
            Ok(check_digest(sha256, *bytes, output))
        }
        (Check::Digest, Expected::Output(reference)) => {
            let (sha256, bytes) =
                digest(reference).context("the reference output is not a digest")?;
            Ok(check_digest(&sha256, bytes, output))
        }
    }
}

/// Whether an output can serve as the reference at an n without a pinned one: the shape the check needs, and
/// finite numbers (a NaN would make every comparison fail, an empty result would make agreement meaningless).
/// `Err` says what is wrong with it.
pub fn reference_shape(bench: &Benchmark, output: &Value) -> std::result::Result<String, String> {
    match &bench.check {
        Check::Floats { names, rule } => match floats(output, names.len()) {
            // A relative tolerance around zero is meaningless: such a reference would fail every rung.
            Some(v)
                if v.iter().all(|x| {
                    x.is_finite() && (matches!(rule, FloatRule::Decimals(_)) || *x != 0.0)
                }) =>
            {
                Ok(names
                    .iter()
                    .zip(&v)
                    .map(|(name, x)| format!("{name} {}", show_float(*x, *rule)))
                    .collect::<Vec<_>>()
                    .join(", "))
            }
            _ => Err(format!(
                "expected {} finite numbers [{}] (non-zero for a relative tolerance), got {}",
                names.len(),
                names.join(", "),
                short(output)
            )),
        },
        Check::Json => match output {
            Value::Null => Err("expected a value, got null".into()),
            Value::Object(m) if m.is_empty() => Err("expected a non-empty object, got {}".into()),
            Value::Array(a) if a.is_empty() => Err("expected a non-empty list, got []".into()),
            Value::Object(m) => Ok(format!("an object of {} keys", m.len())),
            Value::Array(a) => Ok(format!("a list of {} items", a.len())),
            other => Ok(short(other)),
        },
        Check::Digest => match digest(output) {
            Some((sha, bytes)) => Ok(format!("{bytes} bytes, SHA-256 {}", &sha[..12])),
            None => Err(format!(
                "expected bytes (reported as {{\"bytes\": N, \"sha256\": ...}}), got {}",
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

/// The worker's report of returned bytes: (SHA-256 in hex, length).
fn digest(output: &Value) -> Option<(String, u64)> {
    let o = output.as_object()?;
    let sha = o.get("sha256")?.as_str()?;
    let bytes = o.get("bytes")?.as_u64()?;
    (sha.len() == 64).then(|| (sha.to_ascii_lowercase(), bytes))
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 120 {
        format!("{}...", &s[..s.floor_char_boundary(120)])
    } else {
        s
    }
}

fn show_float(x: f64, rule: FloatRule) -> String {
    match rule {
        FloatRule::Decimals(d) => format!("{x:.d$}"),
        FloatRule::Relative(_) => format!("{x:e}"),
    }
}

fn rule_text(rule: FloatRule) -> String {
    match rule {
        FloatRule::Decimals(d) => format!("{d} decimals"),
        FloatRule::Relative(t) => format!("within {t:e} relative"),
    }
}

fn check_floats(names: &[String], rule: FloatRule, want: &[f64], output: &Value) -> Verdict {
    let Some(got) = floats(output, names.len()) else {
        return Verdict::fail(format!(
            "expected [{}], got {}",
            names.join(", "),
            short(output)
        ));
    };
    for ((name, got), want) in names.iter().zip(&got).zip(want) {
        let equal = match rule {
            FloatRule::Decimals(d) => format!("{got:.d$}") == format!("{want:.d$}"),
            // NaN fails too: it is not within any tolerance.
            FloatRule::Relative(tol) => ((got - want) / want).abs() <= tol,
        };
        if !equal {
            return Verdict::fail(format!(
                "{name} = {}, expected {} ({})",
                show_float(*got, rule),
                show_float(*want, rule),
                rule_text(rule)
            ));
        }
    }
    Verdict::pass(format!(
        "{} ({})",
        names
            .iter()
            .zip(&got)
            .map(|(name, x)| format!("{name} {}", show_float(*x, rule)))
            .collect::<Vec<_>>()
            .join(", "),
        rule_text(rule)
    ))
}

fn check_digest(sha256: &str, bytes: u64, output: &Value) -> Verdict {
    match digest(output) {
        Some((got, n)) if got == sha256 && n == bytes => {
            Verdict::pass(format!("{n} bytes, SHA-256 {}", &got[..12]))
        }
        Some((got, n)) => Verdict::fail(format!(
            "{n} bytes with SHA-256 {got}, expected {bytes} bytes with {sha256}"
        )),
        None => Verdict::fail(format!("expected bytes, got {}", short(output))),
    }
}

/// Reads a pinned JSON reference, refusing a file whose bytes do not match the pinned hash.
pub fn load_json_reference(reference: &JsonReference, size: &Size) -> Result<Value> {
    let (path, sha) = match reference {
        JsonReference::Inline(value) => return Ok(value.clone()),
        JsonReference::File { path, sha256 } => (path, sha256),
    };
    let bytes =
        std::fs::read(path).with_context(|| format!("reading the reference {}", path.display()))?;
    let got = sha256_hex(&bytes);
    if &got != sha {
        bail!(
            "{}: SHA-256 is {got}, but benchmark.toml pins sizes.{}.expect.sha256 = {sha}",
            path.display(),
            size.name
        );
    }
    serde_json::from_slice(&bytes)
        .with_context(|| format!("parsing the reference {}", path.display()))
}

fn check_json(reference: &Value, output: &Value) -> Verdict {
    if canonical_json(output) == canonical_json(reference) {
        return Verdict::pass(match reference {
            Value::Object(m) => format!("all {} keys' values identical to the reference", m.len()),
            Value::Array(a) => format!("all {} items identical to the reference", a.len()),
            other => format!("{}, identical to the reference", short(other)),
        });
    }
    Verdict::fail(first_difference(reference, output, "output"))
}

/// Where two JSON values first differ, as a path into them (`output.u042.top_page`, `output[3]`).
fn first_difference(want: &Value, got: &Value, path: &str) -> String {
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => {
            if let Some(k) = w.keys().find(|k| !g.contains_key(*k)) {
                return format!(
                    "{path}.{k} is missing ({} keys, expected {})",
                    g.len(),
                    w.len()
                );
            }
            if let Some(k) = g.keys().find(|k| !w.contains_key(*k)) {
                return format!(
                    "{path}.{k} should not be there ({} keys, expected {})",
                    g.len(),
                    w.len()
                );
            }
            w.iter()
                .find(|(k, v)| canonical_json(v) != canonical_json(&g[*k]))
                .map(|(k, v)| first_difference(v, &g[k], &format!("{path}.{k}")))
                .unwrap_or_else(|| format!("{path} differs from the reference"))
        }
        (Value::Array(w), Value::Array(g)) if w.len() == g.len() => w
            .iter()
            .zip(g)
            .enumerate()
            .find(|(_, (a, b))| canonical_json(a) != canonical_json(b))
            .map(|(i, (a, b))| first_difference(a, b, &format!("{path}[{i}]")))
            .unwrap_or_else(|| format!("{path} differs from the reference")),
        (Value::Array(w), Value::Array(g)) => {
            format!("{path} has {} items, expected {}", g.len(), w.len())
        }
        _ => format!("{path} = {}, expected {}", short(got), short(want)),
    }
}

#[cfg(test)]
mod tests;
