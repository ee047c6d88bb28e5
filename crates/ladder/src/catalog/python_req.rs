//! A rung's requirement on the Python it runs on (`python = "<3.13"` in rungs.toml): some tools ship wheels only
//! for older CPythons (Taichi 1.7 stops at 3.12), so such a rung runs on the newest CPython that satisfies it,
//! in that runtime's own managed venv, instead of the baseline.
//!
//! The syntax is a comma-separated list of comparisons against `major.minor` (or `major.minor.micro`) versions,
//! all of which must hold: `<3.13`, `>=3.10,<3.13`, `==3.12`.

use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PythonReq {
    clauses: Vec<(Op, Vec<u64>)>,
    text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

fn parse_version(s: &str) -> Option<Vec<u64>> {
    let parts: Option<Vec<u64>> = s.trim().split('.').map(|p| p.parse().ok()).collect();
    parts.filter(|p| (2..=3).contains(&p.len()))
}

impl PythonReq {
    pub fn parse(text: &str) -> Result<PythonReq, String> {
        let mut clauses = Vec::new();
        for clause in text.split(',') {
            let clause = clause.trim();
            let (op, rest) = [
                ("<=", Op::Le),
                (">=", Op::Ge),
                ("==", Op::Eq),
                ("!=", Op::Ne),
                ("<", Op::Lt),
                (">", Op::Gt),
            ]
            .into_iter()
            .find_map(|(p, op)| clause.strip_prefix(p).map(|r| (op, r)))
            .ok_or_else(|| {
                format!("{clause:?} must start with one of < <= > >= == != (e.g. \"<3.13\")")
            })?;
            let version = parse_version(rest)
                .ok_or_else(|| format!("{clause:?}: {rest:?} is not a version like 3.12"))?;
            clauses.push((op, version));
        }
        Ok(PythonReq {
            clauses,
            text: text.trim().to_string(),
        })
    }

    /// Whether a Python version (`3.12.1`) satisfies every clause. Versions compare on as many parts as the
    /// clause gives, so `<3.13` excludes 3.13.0 and `==3.12` takes any 3.12.x.
    pub fn matches(&self, version: &str) -> bool {
        let Some(v) = parse_version_loose(version) else {
            return false;
        };
        self.clauses.iter().all(|(op, want)| {
            let have: Vec<u64> = (0..want.len())
                .map(|i| v.get(i).copied().unwrap_or(0))
                .collect();
            let ord = have.cmp(want);
            match op {
                Op::Lt => ord == Ordering::Less,
                Op::Le => ord != Ordering::Greater,
                Op::Gt => ord == Ordering::Greater,
                Op::Ge => ord != Ordering::Less,
                Op::Eq => ord == Ordering::Equal,
                Op::Ne => ord != Ordering::Equal,
            }
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// `3.13.0`, `3.14.0rc1` -> [3, 13, 0]: the numeric prefix of each part.
fn parse_version_loose(s: &str) -> Option<Vec<u64>> {
    let v: Vec<u64> = s
        .split('.')
        .map_while(|p| {
            let digits: String = p.chars().take_while(|c| c.is_ascii_digit()).collect();
            digits.parse().ok()
        })
        .collect();
    (v.len() >= 2).then_some(v)
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
    fn ranges_and_equality() {
        let r = PythonReq::parse(">=3.10, <3.13").unwrap();
        assert!(!r.matches("3.9.18"));
        assert!(r.matches("3.11.7"));
        let eq = PythonReq::parse("==3.12").unwrap();
        assert!(eq.matches("3.12.9"));
        assert!(!eq.matches("3.11.0"));
        assert!(PythonReq::parse("!=3.11").unwrap().matches("3.12.0"));
    }

    #[test]
    fn malformed_specs_are_refused_with_the_clause() {
        let e = PythonReq::parse("3.13").unwrap_err();
        assert!(e.contains("\"3.13\" must start with"), "{e}");
        let e = PythonReq::parse("<three").unwrap_err();
        assert!(e.contains("is not a version"), "{e}");
        assert!(PythonReq::parse("<3").is_err());
    }
}
