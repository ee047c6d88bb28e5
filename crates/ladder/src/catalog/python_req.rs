//! A rung's requirement on the Python it runs on (`python = "<3.13"` in rungs.toml): some tools ship wheels only
//! for older CPythons (Taichi 1.7 stops at 3.12), so such a rung runs on the newest CPython that satisfies it,
//! in that runtime's own managed venv, instead of the baseline.
//!
//! The requirement is a PEP 440 version specifier, read by `pep440_rs` exactly as pip and uv read
//! `requires-python`: `<3.13`, `>=3.10,<3.13`, `==3.12.*`, `~=3.11`.

use pep440_rs::{Version, VersionSpecifiers};
use std::str::FromStr;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PythonReq {
    specifiers: VersionSpecifiers,
    text: String,
}

impl PythonReq {
    pub fn parse(text: &str) -> Result<PythonReq, String> {
        let specifiers = VersionSpecifiers::from_str(text).map_err(|e| {
            format!("{text:?} is not a PEP 440 version specifier (e.g. \"<3.13\" or \">=3.10,<3.13\"): {e}")
        })?;
        Ok(PythonReq {
            specifiers,
            text: text.trim().to_string(),
        })
    }

    /// Whether a Python version (`3.12.1`, `3.14.0rc1`) satisfies every specifier. A version that is not PEP 440
    /// (an interpreter reporting something odd) satisfies none.
    pub fn matches(&self, version: &str) -> bool {
        Version::from_str(version.trim()).is_ok_and(|v| self.specifiers.contains(&v))
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upper_bound_excludes_that_minor() {
        let r = PythonReq::parse("<3.13").unwrap();
        assert!(r.matches("3.12.1"));
        assert!(r.matches("3.10.13"));
        assert!(!r.matches("3.13.0"));
        assert!(!r.matches("3.14.0rc1"));
    }

    #[test]
    fn ranges_wildcards_and_compatible_releases() {
        let r = PythonReq::parse(">=3.10, <3.13").unwrap();
        assert!(!r.matches("3.9.18"));
        assert!(r.matches("3.11.7"));
        let eq = PythonReq::parse("==3.12.*").unwrap();
        assert!(eq.matches("3.12.9"));
        assert!(!eq.matches("3.11.0"));
        assert!(PythonReq::parse("!=3.11.*").unwrap().matches("3.12.0"));
        let compatible = PythonReq::parse("~=3.11").unwrap();
        assert!(compatible.matches("3.13.1") && !compatible.matches("3.10.2"));
        assert!(!r.matches("not a version"));
    }

    #[test]
    fn malformed_specs_are_refused_with_the_text() {
        let e = PythonReq::parse("3.13").unwrap_err();
        assert!(
            e.contains("\"3.13\" is not a PEP 440 version specifier"),
            "{e}"
        );
        let e = PythonReq::parse("<three").unwrap_err();
        assert!(e.contains("\"<three\""), "{e}");
    }
}
