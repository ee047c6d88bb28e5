//! Issue 6: bad input to the Rust rung's kernels raises a Python exception (ValueError, with the byte offset for
//! JSON), never a panic or a crash. The kernels are built and installed exactly as `ladder run` does it (the
//! baseline CPython's managed venv, maturin, the embedded crate), in the same LADDER_HOME as the end-to-end
//! test so the build is shared, and a Python snippet feeds them malformed and truncated JSON, wrong types and
//! absurd sizes.

mod common;

use std::path::PathBuf;
use std::process::Command;

use ladder::toolchain::{discover, kernels, venv};

fn home() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("ladder-home");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Each case: a Python expression, then the text its ValueError must contain. The snippet prints one line per
/// case: `ok`, or what happened instead.
const CASES: &[(&str, &str)] = &[
    // malformed and truncated JSON: the message names the byte offset
    (r#"k.json_pipeline(b'')"#, "at byte 0"),
    (r#"k.json_pipeline(b'[{"type": "click"')"#, "at byte 17"),
    (r#"k.json_pipeline(b'[{"type": "click", }]')"#, "at byte 19"),
    (
        r#"k.json_pipeline(b'[]  x')"#,
        "trailing characters after the array at byte 4",
    ),
    (
        r#"k.json_pipeline(b'[{"type": "cl\xffck"}]')"#,
        "not UTF-8 at byte 13",
    ),
    (
        r#"k.json_pipeline(b'{"type": "click"}')"#,
        "expected a JSON array of event objects at byte 0",
    ),
    (
        r#"k.json_pipeline(b'[1]')"#,
        "expected an event object at byte 1",
    ),
    // the schema's types
    (
        r#"k.json_pipeline(b'[{"type": 5, "ts": "x", "user_id": "u", "page": "/"}]')"#,
        "invalid type: a number, expected a string at byte 10",
    ),
    (
        r#"k.json_pipeline(b'[{"type": "click", "ts": "2025-13-01T00:00:00Z", "user_id": "u", "page": "/"}]')"#,
        "timestamp at byte 26",
    ),
    (
        r#"k.json_pipeline(b'[{"type": "purchase", "ts": "2025-03-01T00:00:00Z", "user_id": "u", "page": "/", "meta": {"amount": 1, "items": 2.5}}]')"#,
        "expected a 64-bit integer at byte 112",
    ),
    (
        r#"k.json_pipeline(b'[{"type": "add_to_cart", "ts": "2025-03-01T00:00:00Z", "user_id": "u", "page": "/"}]')"#,
        "no 'meta' object at byte 1",
    ),
    (r#"k.json_pipeline(b'[' + b'{"a": ' * 100000)"#, "at byte"),
    // wrong Python types
    (r#"k.json_pipeline_dicts([{"type": "click"}])"#, "event 0"),
    (
        r#"k.json_pipeline_dicts([{"type": "purchase", "ts": "2025-03-01T00:00:00Z", "user_id": "u", "page": "/", "meta": {"amount": "x", "items": 1}}])"#,
        "'amount' is not a number",
    ),
    (r#"k.json_pipeline_dicts([3])"#, "event 0: not a dict"),
    // absurd sizes
    (r#"k.nbody(-1)"#, "steps must be >= 0"),
    (r#"k.nbody(10**11)"#, "steps must be at most"),
    (r#"k.nbody("5")"#, "steps must be an int"),
    (r#"k.spectral_norm(0)"#, "between 1 and 100000"),
    (r#"k.spectral_norm(10**9)"#, "between 1 and 100000"),
    (r#"k.spectral_norm_plain(-3)"#, "between 1 and 100000"),
    (r#"k.spectral_norm(10**30)"#, "between 1 and 100000"),
    (r#"k.nbody(2**64)"#, "steps must be"),
    (r#"k.nbody(1.5)"#, "steps must be"),
    (r#"k.fannkuch_redux(0)"#, "between 1 and 16"),
    (r#"k.fannkuch_redux(17)"#, "between 1 and 16"),
    (r#"k.fannkuch_redux("7")"#, "must be an int"),
    (r#"k.mandelbrot(0)"#, "between 1 and 65536"),
    (r#"k.mandelbrot(10**12)"#, "between 1 and 65536"),
    (r#"k.binary_trees(-1)"#, "between 0 and 30"),
    (r#"k.binary_trees(31)"#, "between 0 and 30"),
    (r#"k.binary_trees(None)"#, "must be an int"),
];

const HARNESS: &str = r#"
import json, sys
import ladder_kernels as k
cases = json.loads(sys.argv[1])
for expr, want in cases:
    try:
        eval(expr)
        print("no exception")
    except ValueError as e:
        print("ok" if want in str(e) else "ValueError without %r: %s" % (want, e))
    except BaseException as e:
        print("%s instead of ValueError: %s" % (type(e).__name__, e))
# the fast paths report what ran
print(json.dumps({"simd": k.simd_level(), "threads": k.threads()}))
"#;

#[test]
fn bad_input_raises_value_error_never_a_crash() {
    let home = home();
    let found = discover::discover(&discover::SearchPaths::from_env());
    let baseline = found
        .default_baseline()
        .expect("a CPython 3.10+ (the Rust rung's baseline) must be installed for this test");
    let env = venv::ensure_venv(&home, baseline).expect("the baseline's venv");
    venv::ensure_packages(&home, &env, &["maturin==1.16.0".to_string()]).expect("maturin");
    let info =
        kernels::ensure_kernels(&home, &env, baseline).expect("maturin build of the kernels");
    // cargo is here, so the crate was built from source, and the record names the wheel maturin made
    assert_eq!(info.kind, "maturin");
    let version = ladder::catalog::embedded_kernels_version();
    assert!(
        info.wheel
            .as_deref()
            .is_some_and(|w| w.starts_with(&format!("ladder_kernels-{version}-"))),
        "{:?}",
        info.wheel
    );

    let cases: Vec<(&str, &str)> = CASES.to_vec();
    let out = Command::new(&env.python)
        .args(["-c", HARNESS])
        .arg(serde_json::to_string(&cases).unwrap())
        .output()
        .expect("run the baseline's python");
    // a panic would surface as pyo3's PanicException (not a ValueError); a crash as a signal and missing lines
    let lines = common::harness_lines(&out, CASES.len() + 1);
    let failures: Vec<String> = CASES
        .iter()
        .zip(&lines)
        .filter(|(_, got)| **got != "ok")
        .map(|((expr, _), got)| format!("{expr}: {got}"))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let info: serde_json::Value = serde_json::from_str(&lines[CASES.len()]).unwrap();
    assert!(info["threads"].as_u64().unwrap() >= 1);
    assert!(
        ["avx512f", "avx2+fma", "none (portable)"].contains(&info["simd"].as_str().unwrap()),
        "{info}"
    );
}
