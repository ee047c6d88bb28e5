//! The `c` rung's expert JSON reader (catalog/json-pipeline/json_pipeline_expert.c) against the plain Python
//! pipeline (baseline.py: json.loads), on the generated events and on inputs in other shapes: pretty-printed
//! (a newline inside every event, so no cut is an event boundary), keys shuffled with other whitespace, escapes
//! and non-ASCII text, a byte-order mark, nested and unknown members, and malformed input. The library is built
//! with the expert build's flags, and run with three OpenMP threads so the generated events are cut into three
//! slices even on a two-core host.

mod common;

use std::path::Path;
use std::process::Command;

use ladder::toolchain::build::{Extras, c_flags, cc_program};
use ladder::toolchain::discover;

const CATALOG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../catalog/json-pipeline");

/// Prints one line per case: `ok`, or what differed. `slices` is how many slices the fast reader used
/// (0: the general path read the input).
const HARNESS: &str = r#"
import json, random, sys
sys.path.insert(0, sys.argv[1])
import baseline, c_expert

data = open(sys.argv[2], "rb").read()
events = json.loads(data)
rng = random.Random(7)

def shuffled(event):
    keys = list(event)
    rng.shuffle(keys)
    out = {k: event[k] for k in keys}
    if isinstance(out.get("meta"), dict):
        meta = list(out["meta"].items())
        rng.shuffle(meta)
        out["meta"] = dict(meta)
    return out

def odd(i, event):
    event = dict(event, extra={"nested": [1, 2.5e3, {"deep": [True, False, None]}], "s": "caf\u00e9 \u263a"})
    if i % 7 == 0:
        event["meta"] = dict(event["meta"], note='quote " backslash \\ tab \t snow \u2603')
    if i % 11 == 0:
        event["user_id"] = event["user_id"] + "\u00e9"   # non-ASCII id, written escaped or raw below
    return event

cases = [
    ("generated", data, 3),
    ("pretty-printed", json.dumps(events, indent=2).encode(), None),
    ("shuffled keys, no spaces", json.dumps([shuffled(e) for e in events], separators=(",", ":")).encode(), 1),
    ("odd members, raw UTF-8", ("[\n" + ",\n".join(json.dumps(odd(i, e), ensure_ascii=False)
                                                 for i, e in enumerate(events)) + "\n]").encode(), 3),
    ("odd members, escaped", ("[\n" + ",\n".join(json.dumps(odd(i, e)) for i, e in enumerate(events))
                              + "\n]").encode(), 0),
    ("byte-order mark", b"\xef\xbb\xbf" + data, 3),
    ("empty array", b" [ ]\n", None),
]
bad = [
    ("truncated", data[: len(data) // 2]),
    ("trailing comma", data.rstrip()[:-1].rstrip() + b",]"),
    ("invalid escape in a skipped string", data.replace(b'"referrer": "direct"', b'"referrer": "dir\\xect"', 1)),
    ("raw control character", data.replace(b'"referrer": "direct"', b'"referrer": "dir\x01ect"', 1)),
    ("invalid UTF-8", data.replace(b'"referrer": "direct"', b'"referrer": "dir\xffect"', 1)),
    ("invalid timestamp", data.replace(b'"type": "click", "page": "/blog", "ts": "2025-0', b'"type": "click", "page": "/blog", "ts": "2025-3', 1)),  # month 31-39
    ("extra data", data + b" 1"),
]
for name, text, slices in cases:
    want = baseline.run(text)
    got = c_expert.run(text)
    used = c_expert._last_slices[0]
    if got != want:
        print("%s: differs from baseline.py" % name)
    elif slices is not None and used != slices:
        print("%s: read in %d slices, expected %d" % (name, used, slices))
    else:
        print("ok")
for name, text in bad:
    try:
        baseline.run(text)
        print("%s: baseline.py accepts it" % name)
        continue
    except ValueError:
        pass
    try:
        c_expert.run(text)
        print("%s: accepted" % name)
    except ValueError as e:
        print("ok" if "at byte" in str(e) else "%s: no byte offset in %r" % (name, str(e)))
"#;

fn build(cc: &str, dir: &Path) {
    for file in [
        "c_expert.py",
        "baseline.py",
        "json_pipeline_expert.c",
        "json_pipeline.c",
    ] {
        std::fs::copy(Path::new(CATALOG).join(file), dir.join(file)).unwrap();
    }
    let extras = Extras {
        openmp: true,
        fast_math: false,
    };
    let out = Command::new(cc)
        .args(c_flags(false))
        .args(extras.c_flags())
        .args([
            "-shared",
            "-fPIC",
            "-o",
            "libjson_pipeline_expert.so",
            "json_pipeline_expert.c",
            "json_pipeline.c",
            "-lm",
        ])
        .current_dir(dir)
        .output()
        .expect("run the C compiler");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_expert_c_reader_agrees_with_json_loads_on_every_shape_of_input() {
    let cc = cc_program();
    if !common::require(
        common::has_command(&cc),
        "the_expert_c_reader_agrees_with_json_loads_on_every_shape_of_input",
        "a C compiler",
        "apt-get install gcc",
    ) {
        return;
    }
    let found = discover::discover(&discover::SearchPaths::from_env());
    let python = found
        .default_baseline()
        .expect("a CPython 3.10+ must be installed for this test")
        .executable
        .clone();
    let dir = tempfile::tempdir().unwrap();
    build(&cc, dir.path());
    // 12,000 events, about 1.9 MB: above the reader's 1 MiB threshold for cutting slices
    let events = dir.path().join("events.json");
    std::fs::write(&events, ladder::events::generate(12_000, 20250314)).unwrap();

    let out = Command::new(python)
        .args(["-c", HARNESS])
        .arg(dir.path())
        .arg(&events)
        .env("OMP_NUM_THREADS", "3")
        .env("OMP_WAIT_POLICY", "passive")
        .output()
        .expect("run python");
    let lines = common::harness_lines(&out, 14);
    let failures: Vec<&String> = lines.iter().filter(|l| *l != "ok").collect();
    assert!(failures.is_empty(), "{failures:#?}");
}
