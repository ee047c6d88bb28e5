//! Output checks as data. A benchmark declares one generic check kind in its benchmark.toml (`[check]`) and pins,
//! for each size, the value its output must match (`sizes.<size>.expect`); `measure::verify` applies them. So a
//! benchmark with a new output shape needs no Rust, only one of these kinds:
//!
//! - `floats`: `run` returns a list of numbers, one per name in `names`; each must equal `expect.<name>` to
//!   `decimals` decimal places (compared as text, the Benchmarks Game's output format) or lie within `rel_tol`
//!   of it (relative).
//! - `json`: `run` returns any JSON value; its canonical form (compact, keys sorted) must equal the pinned value,
//!   given inline (`expect = { value = ... }`) or as a file (`expect = { file = "expected/x.json", sha256 = ... }`,
//!   whose bytes must hash to the pinned SHA-256, so a reference cannot change unnoticed).
//! - `digest`: `run` returns bytes; the worker reports their SHA-256 and length, which must equal
//!   `expect.sha256` and `expect.bytes`.
//!
//! Everything is validated when the catalog loads, so a typo fails before anything runs, naming file and field.

use super::model::catalog_error;
use anyhow::Result;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The check a benchmark declares.
#[derive(Debug, Clone, PartialEq)]
pub enum Check {
    Floats { names: Vec<String>, rule: FloatRule },
    Json,
    Digest,
}

/// How a `floats` check compares one number.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FloatRule {
    /// Equal when both are written with this many decimals.
    Decimals(usize),
    /// Equal within this relative tolerance.
    Relative(f64),
}

/// A size's pinned reference, typed by its benchmark's check.
#[derive(Debug, Clone, PartialEq)]
pub enum Pinned {
    /// One value per name, in the check's order.
    Floats(Vec<f64>),
    Json(JsonReference),
    Digest {
        sha256: String,
        bytes: u64,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum JsonReference {
    Inline(serde_json::Value),
    /// Read when a cell is verified (references can be large), refused if its SHA-256 is not the pinned one.
    File {
        path: PathBuf,
        sha256: String,
    },
}

/// `[check]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CheckFile {
    kind: String,
    #[serde(default)]
    names: Vec<String>,
    decimals: Option<usize>,
    rel_tol: Option<f64>,
}

pub const KINDS: &str = "floats, json, digest";

impl Check {
    pub(super) fn from_file(path: &Path, file: &CheckFile) -> Result<Check> {
        let params = |what: &str| {
            catalog_error(
                path,
                "check",
                format!("kind {:?} takes no {what}", file.kind),
            )
        };
        match file.kind.as_str() {
            "floats" => {
                if file.names.is_empty() {
                    return Err(catalog_error(
                        path,
                        "check.names",
                        "a floats check names the numbers `run` returns, e.g. names = [\"energy_before\", \"energy_after\"]",
                    ));
                }
                let rule = match (file.decimals, file.rel_tol) {
                    (Some(d), None) if d <= 17 => FloatRule::Decimals(d),
                    (None, Some(t)) if t.is_finite() && t > 0.0 => FloatRule::Relative(t),
                    _ => {
                        return Err(catalog_error(
                            path,
                            "check",
                            "a floats check takes exactly one of decimals = N (0 to 17) or rel_tol = X (above 0)",
                        ));
                    }
                };
                Ok(Check::Floats {
                    names: file.names.clone(),
                    rule,
                })
            }
            "json" | "digest" => {
                if !file.names.is_empty() {
                    return Err(params("names"));
                }
                if file.decimals.is_some() || file.rel_tol.is_some() {
                    return Err(params("decimals or rel_tol"));
                }
                Ok(if file.kind == "json" {
                    Check::Json
                } else {
                    Check::Digest
                })
            }
            other => Err(catalog_error(
                path,
                "check.kind",
                format!("unknown check kind {other:?}; the kinds are {KINDS} (catalog/README.md)"),
            )),
        }
    }

    /// Reads a size's `expect` table for this check (`dir` is the benchmark's folder, for reference files).
    pub(super) fn pinned(
        &self,
        path: &Path,
        dir: &Path,
        size: &str,
        expect: &toml::Table,
    ) -> Result<Pinned> {
        let field = |k: &str| format!("sizes.{size}.expect.{k}");
        let string = |k: &str| -> Result<&str> {
            expect
                .get(k)
                .and_then(|v| v.as_str())
                .ok_or_else(|| catalog_error(path, &field(k), "missing, or not a string"))
        };
        let only = |keys: &[&str]| -> Result<()> {
            match expect.keys().find(|k| !keys.contains(&k.as_str())) {
                Some(k) => Err(catalog_error(
                    path,
                    &field(k),
                    format!("not part of this check (it reads {})", keys.join(", ")),
                )),
                None => Ok(()),
            }
        };
        let sha256 = |k: &str| -> Result<String> {
            let sha = string(k)?;
            if sha.len() != 64 || !sha.chars().all(|c| c.is_ascii_hexdigit()) {
                return Err(catalog_error(path, &field(k), "must be 64 hex digits"));
            }
            Ok(sha.to_ascii_lowercase())
        };
        match self {
            Check::Floats { names, rule } => {
                let keys: Vec<&str> = names.iter().map(String::as_str).collect();
                only(&keys)?;
                let values = names
                    .iter()
                    .map(|name| pinned_float(expect.get(name), *rule))
                    .enumerate()
                    .map(|(i, v)| v.map_err(|what| catalog_error(path, &field(&names[i]), what)))
                    .collect::<Result<Vec<f64>>>()?;
                Ok(Pinned::Floats(values))
            }
            Check::Json => {
                if let Some(value) = expect.get("value") {
                    only(&["value"])?;
                    let value = serde_json::to_value(value)
                        .map_err(|e| catalog_error(path, &field("value"), e))?;
                    return Ok(Pinned::Json(JsonReference::Inline(value)));
                }
                only(&["file", "sha256"])?;
                let file = string("file").map_err(|_| {
                    catalog_error(
                        path,
                        &format!("sizes.{size}.expect"),
                        "a json check pins either value = ... or file = \"...\" with sha256 = \"...\"",
                    )
                })?;
                let file_path = dir.join(file);
                if !file_path.is_file() {
                    return Err(catalog_error(
                        path,
                        &field("file"),
                        format!("{file:?} does not exist"),
                    ));
                }
                Ok(Pinned::Json(JsonReference::File {
                    path: file_path,
                    sha256: sha256("sha256")?,
                }))
            }
            Check::Digest => {
                only(&["sha256", "bytes"])?;
                let bytes = expect
                    .get("bytes")
                    .and_then(|v| v.as_integer())
                    .and_then(|b| u64::try_from(b).ok())
                    .ok_or_else(|| {
                        catalog_error(
                            path,
                            &field("bytes"),
                            "missing, or not a whole number of bytes",
                        )
                    })?;
                Ok(Pinned::Digest {
                    sha256: sha256("sha256")?,
                    bytes,
                })
            }
        }
    }
}

/// A pinned number: under `decimals = N` written as a string with exactly N decimals (the text is what is
/// compared, so it is pinned as text); under `rel_tol` a float (or an integer).
fn pinned_float(value: Option<&toml::Value>, rule: FloatRule) -> std::result::Result<f64, String> {
    match (rule, value) {
        (FloatRule::Decimals(d), Some(toml::Value::String(s))) => {
            let decimals = s.split_once('.').map_or(0, |(_, frac)| frac.len());
            match s.parse::<f64>() {
                Ok(v) if v.is_finite() && decimals == d => Ok(v),
                _ => Err(format!(
                    "must be a number with {d} decimals, as a string (e.g. \"{:.d$}\")",
                    -0.169075164
                )),
            }
        }
        (FloatRule::Decimals(d), _) => Err(format!(
            "missing, or not a string: pin the number as text with {d} decimals"
        )),
        (FloatRule::Relative(_), Some(toml::Value::Float(f))) if f.is_finite() => Ok(*f),
        (FloatRule::Relative(_), Some(toml::Value::Integer(i))) => Ok(*i as f64),
        (FloatRule::Relative(_), _) => Err("missing, or not a finite number".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(toml_text: &str) -> Result<Check> {
        let file: CheckFile = toml::from_str(toml_text).unwrap();
        Check::from_file(Path::new("b/benchmark.toml"), &file)
    }

    fn table(toml_text: &str) -> toml::Table {
        toml::from_str(toml_text).unwrap()
    }

    #[test]
    fn kinds_and_their_parameters() {
        assert_eq!(
            check("kind = \"floats\"\nnames = [\"a\"]\ndecimals = 9").unwrap(),
            Check::Floats {
                names: vec!["a".into()],
                rule: FloatRule::Decimals(9)
            }
        );
        assert_eq!(check("kind = \"json\"").unwrap(), Check::Json);
        assert_eq!(check("kind = \"digest\"").unwrap(), Check::Digest);
        for (bad, says) in [
            (
                "kind = \"nbody-energy\"",
                "unknown check kind \"nbody-energy\"; the kinds are",
            ),
            ("kind = \"floats\"\ndecimals = 9", "check.names"),
            (
                "kind = \"floats\"\nnames = [\"a\"]",
                "exactly one of decimals",
            ),
            (
                "kind = \"floats\"\nnames = [\"a\"]\ndecimals = 9\nrel_tol = 1e-9",
                "exactly one of",
            ),
            (
                "kind = \"floats\"\nnames = [\"a\"]\nrel_tol = -1.0",
                "exactly one of",
            ),
            ("kind = \"json\"\ndecimals = 3", "takes no decimals"),
        ] {
            let e = format!("{:#}", check(bad).unwrap_err());
            assert!(
                e.contains("b/benchmark.toml") && e.contains(says),
                "{bad}: {e}"
            );
        }
    }

    #[test]
    fn pinned_values_are_typed_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let p = Path::new("b/benchmark.toml");
        let floats = check("kind = \"floats\"\nnames = [\"a\", \"b\"]\ndecimals = 3").unwrap();
        assert_eq!(
            floats
                .pinned(
                    p,
                    dir.path(),
                    "quick",
                    &table("a = \"1.250\"\nb = \"-2.000\"")
                )
                .unwrap(),
            Pinned::Floats(vec![1.25, -2.0])
        );
        let rel = check("kind = \"floats\"\nnames = [\"a\"]\nrel_tol = 1e-9").unwrap();
        assert_eq!(
            rel.pinned(p, dir.path(), "quick", &table("a = 3")).unwrap(),
            Pinned::Floats(vec![3.0])
        );
        let json = Check::Json;
        assert_eq!(
            json.pinned(p, dir.path(), "quick", &table("value = [\"x\", 2]"))
                .unwrap(),
            Pinned::Json(JsonReference::Inline(serde_json::json!(["x", 2])))
        );
        for (c, expect, field) in [
            (
                &floats,
                "a = \"1.25\"\nb = \"-2.000\"",
                "sizes.quick.expect.a",
            ),
            (&floats, "a = 1.25\nb = \"-2.000\"", "sizes.quick.expect.a"),
            (&floats, "a = \"1.250\"", "sizes.quick.expect.b"),
            (
                &floats,
                "a = \"1.250\"\nb = \"-2.000\"\nc = 1",
                "sizes.quick.expect.c",
            ),
            (&rel, "a = \"3\"", "sizes.quick.expect.a"),
            (
                &json,
                "file = \"missing.json\"\nsha256 = \"00\"",
                "sizes.quick.expect.file",
            ),
            (&json, "nothing = 1", "sizes.quick.expect.nothing"),
            (
                &Check::Digest,
                "sha256 = \"ab\"\nbytes = 3",
                "sizes.quick.expect.sha256",
            ),
            (
                &Check::Digest,
                &format!("sha256 = \"{}\"", "a".repeat(64)),
                "sizes.quick.expect.bytes",
            ),
        ] {
            let e = format!(
                "{:#}",
                c.pinned(p, dir.path(), "quick", &table(expect))
                    .unwrap_err()
            );
            assert!(e.contains(&format!("field `{field}`")), "{expect}: {e}");
        }
    }
}
