//! Reports (issue 5): snapshots of the SVG, HTML and Markdown rendered from a fixed results document, compare on
//! synthetic samples of known significance, the CLI of `report` / `compare`, and the terminal bars.
//!
//! The fixture `tests/fixtures/default-run.json` is a real default-size `ladder run` on this 2-core machine kind
//! (its runtimes got `release_level: final` added, a field that came after it was written). To show
//! how greyed rungs render, [`with_faults`] marks two of its cells wrong / unavailable (in memory only).

use assert_cmd::Command;
use ladder::catalog::SizeName;
use ladder::report::compare::{self, Verdict};
use ladder::report::{export, html, markdown, scaling, terminal};
use ladder::results::{Reference, Results, Status};
use std::path::{Path, PathBuf};

fn fixture_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/default-run.json")
}

fn fixture() -> Results {
    Results::read(&fixture_path()).unwrap()
}

fn with_faults() -> Results {
    let mut r = fixture();
    for c in &mut r.cells {
        if c.benchmark == "nbody" && c.rung == "c" {
            c.status = Status::Unavailable;
            c.reason = "no C compiler (cc) found".into();
            c.get = Some("apt-get install gcc".into());
            c.samples_ns.clear();
        }
        if c.benchmark == "spectral-norm" && c.rung == "mypyc" {
            c.status = Status::Wrong;
            c.reason = "norm 1.274219991 expected 1.274224116".into();
        }
    }
    r.recompute_speedups();
    r
}

fn home() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("reports-home");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn ladder_chart_svg_snapshot() {
    let svg = html::ladder_svg(&with_faults(), "nbody", SizeName::Default).unwrap();
    // One row per cell, the unavailable one greyed with its reason, the study's diamonds where it has a figure.
    assert_eq!(svg.matches(r#"<g class="row grey">"#).count(), 1);
    assert_eq!(svg.matches(r#"<g class="row ok">"#).count(), 9);
    assert!(svg.contains("unavailable: no C compiler (cc) found"));
    assert!(svg.matches(r#"class="study""#).count() >= 8);
    insta::assert_snapshot!("nbody_ladder_svg", svg);
}

#[test]
fn html_snapshot_is_self_contained() {
    let page = html::render(&with_faults());
    for external in ["http://", "https://", "<script", "@import", "url("] {
        // The only URL allowed is the SVG namespace, which is an identifier, not a fetch.
        let count = page.matches(external).count()
            - if external == "http://" {
                page.matches("http://www.w3.org/2000/svg").count()
            } else {
                0
            };
        assert_eq!(
            count, 0,
            "the page must not load anything: found {external}"
        );
    }
    assert!(page.contains("wrong: norm 1.274219991 expected 1.274224116"));
    assert!(page.contains("Peak memory"));
    assert!(page.contains("First call vs warm"));
    // spectral-norm's NumPy and Rust cells used two cores: they get a wall vs CPU chart.
    assert!(page.contains("wall vs CPU time per call"));
    insta::assert_snapshot!("report_html", page);
}

#[test]
fn markdown_snapshot() {
    insta::assert_snapshot!("report_markdown", markdown::render(&with_faults()));
}

#[test]
fn terminal_bars_follow_the_speedups() {
    let plain = terminal::render(&fixture());
    assert!(!plain.contains('\x1b'), "no colour unless asked");
    // The fastest rung of a card has the longest bar.
    let bar_len = |line: &str| line.chars().filter(|c| *c == '█').count();
    let rust = plain.lines().find(|l| l.contains("Rust (PyO3)")).unwrap();
    let cp310 = plain.lines().find(|l| l.contains("CPython 3.10")).unwrap();
    assert!(bar_len(rust) > bar_len(cp310) + 3, "{rust}\n{cp310}");
    assert_eq!(terminal::bar(10.0, 1.0, 100.0, 12), "██████");
    assert_eq!(terminal::bar(100.0, 1.0, 100.0, 12), "█".repeat(12));
}

#[test]
fn csv_quotes_reasons_with_commas_quotes_and_newlines() {
    let mut results = fixture();
    let reason = "build failed: \"cc\" said:\nerror, line 2\r\n";
    results.cells[0].reason = reason.into();
    let text = export::csv(&results);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().clone();
    assert_eq!(header.len(), export::CSV_HEADER.split(',').count());
    let at = header.iter().position(|h| h == "reason").unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), results.cells.len());
    assert_eq!(&rows[0][at], reason);
    assert!(rows.iter().all(|r| r.len() == header.len()));
}

#[test]
fn report_command_honours_no_color_and_writes_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("ladder")
        .unwrap()
        .env("LADDER_HOME", home())
        .env("NO_COLOR", "1")
        .arg("report")
        .arg(fixture_path())
        .arg("--html")
        .arg(dir.path().join("r.html"))
        .arg("--csv")
        .arg(dir.path().join("r.csv"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains('\x1b'));
    assert!(stdout.contains("n-body") && stdout.contains('█'));
    let csv = std::fs::read_to_string(dir.path().join("r.csv")).unwrap();
    assert_eq!(csv.lines().count(), fixture().cells.len() + 1);
    assert!(csv.starts_with(export::CSV_HEADER));
    assert!(dir.path().join("r.html").is_file());

    // A missing file and a bad output folder are the user's to fix: exit code 2, naming what is wrong.
    let bad = Command::cargo_bin("ladder")
        .unwrap()
        .env("LADDER_HOME", home())
        .args(["report", "/no/such/results.json"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("/no/such/results.json"));
    let bad_out = Command::cargo_bin("ladder")
        .unwrap()
        .env("LADDER_HOME", home())
        .arg("report")
        .arg(fixture_path())
        .args(["--html", "/no/such/dir/r.html"])
        .output()
        .unwrap();
    assert_eq!(bad_out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad_out.stderr).contains("--html"));
}

/// Deterministic noise in [-1, 1] (xorshift), so the synthetic samples are the same on every run.
fn noise(seed: u64, n: usize) -> Vec<f64> {
    let mut x = seed.max(1);
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % 2_000_001) as f64 / 1_000_000.0 - 1.0
        })
        .collect()
}

fn samples(center: f64, spread: f64, seed: u64, n: usize) -> Vec<f64> {
    noise(seed, n)
        .iter()
        .map(|e| center * (1.0 + spread * e))
        .collect()
}

/// Two one-cell documents from the fixture's header with the given samples.
fn pair_docs(a: Vec<f64>, b: Vec<f64>) -> (Results, Results) {
    let base = fixture();
    let make = |s: Vec<f64>| {
        let mut r = base.clone();
        r.cells
            .retain(|c| c.benchmark == "nbody" && c.rung == "rust");
        let sum = ladder::stats::summarize(&s).unwrap();
        r.cells[0].median_ns = Some(sum.median_ns);
        r.cells[0].samples_ns = s;
        r
    };
    (make(a), make(b))
}

#[test]
fn compare_equal_samples_no_significant_difference() {
    let (a, b) = pair_docs(samples(1e6, 0.02, 1, 20), samples(1e6, 0.02, 2, 20));
    let cmp = compare::compare(&a, &b);
    assert_eq!(cmp.pairs.len(), 1);
    let p = &cmp.pairs[0];
    assert_eq!(p.verdict, Verdict::NoSignificantDifference, "{p:?}");
    assert!(p.test.as_ref().unwrap().p > 0.05);
    assert!(cmp.differences.is_empty());
    let text = compare::render(&cmp, "a", "b");
    assert!(text.contains("no significant difference"));
    assert!(text.contains("Mann-Whitney U"));
}

#[test]
fn compare_clearly_different_samples() {
    let (a, b) = pair_docs(samples(1e6, 0.01, 3, 20), samples(1.15e6, 0.01, 4, 20));
    let cmp = compare::compare(&a, &b);
    let p = &cmp.pairs[0];
    assert_eq!(p.verdict, Verdict::Slower);
    // Fully separated samples of 20 and 20: exact two-sided p = 2 / C(40, 20).
    assert!(p.test.as_ref().unwrap().p < 1e-10);
    let r = p.ratio.unwrap();
    let ci = p.ratio_ci.unwrap();
    assert!(
        ci[0] < r && r < ci[1] && (1.1..1.2).contains(&r),
        "{r} {ci:?}"
    );
    assert_eq!(cmp.slower_than(10.0).len(), 1);
    assert!(cmp.slower_than(20.0).is_empty());
    // And the other way round: B faster.
    let cmp = compare::compare(&b, &a);
    assert_eq!(cmp.pairs[0].verdict, Verdict::Faster);
}

#[test]
fn compare_noisy_samples_small_shift_is_not_significant() {
    let (a, b) = pair_docs(samples(1e6, 0.3, 5, 8), samples(1.03e6, 0.3, 6, 8));
    let cmp = compare::compare(&a, &b);
    assert_eq!(cmp.pairs[0].verdict, Verdict::NoSignificantDifference);
    assert!(cmp.slower_than(0.0).is_empty());
}

#[test]
fn mann_whitney_known_values() {
    // U = 0 for fully separated 3 vs 3: exact two-sided p = 2/20.
    let t = compare::mann_whitney(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]).unwrap();
    assert!((t.p - 0.1).abs() < 1e-12 && t.u == 0.0);
    // All ties: no evidence of a difference.
    let t = compare::mann_whitney(&[5.0; 6], &[5.0; 6]).unwrap();
    assert_eq!(t.p, 1.0);
    assert!(compare::mann_whitney(&[1.0], &[2.0, 3.0]).is_none());
}

#[test]
fn compare_against_the_study_has_no_test_and_says_so() {
    let home = home();
    let catalog =
        ladder::catalog::Catalog::load(&ladder::catalog::materialize_embedded(&home).unwrap())
            .unwrap();
    let study = ladder::report::study::results(&catalog);
    assert!(
        study
            .cells
            .iter()
            .all(|c| c.samples_ns.is_empty() && c.median_ns.is_some())
    );
    // The study's sizes are the default ones, as the fixture's.
    let ours = fixture();
    let cmp = compare::compare(&study, &ours);
    assert!(
        cmp.differences
            .iter()
            .any(|d| d.starts_with("CPU: A Apple M4 Pro"))
    );
    let mypyc = cmp
        .pairs
        .iter()
        .find(|p| p.benchmark == "nbody" && p.rung == "mypyc")
        .expect("mypyc matched across runtimes (study 3.14, here 3.13)");
    assert!(matches!(&mypyc.verdict, Verdict::Untested(why) if why.contains("no raw samples")));
    assert!(mypyc.test.is_none() && mypyc.ratio.is_some());
    assert!(
        cmp.slower_than(0.0).is_empty(),
        "untested pairs never fail a CI gate"
    );
}

#[test]
fn compare_command_fail_if_slower() {
    let dir = tempfile::tempdir().unwrap();
    let a = fixture();
    let mut b = fixture();
    for c in &mut b.cells {
        if c.benchmark == "nbody" && c.rung == "rust" {
            c.samples_ns.iter_mut().for_each(|s| *s *= 1.3);
            c.median_ns = c.median_ns.map(|m| m * 1.3);
        }
    }
    a.write(&dir.path().join("a.json")).unwrap();
    b.write(&dir.path().join("b.json")).unwrap();
    let run = |pct: &str| {
        Command::cargo_bin("ladder")
            .unwrap()
            .env("LADDER_HOME", home())
            .arg("compare")
            .arg(dir.path().join("a.json"))
            .arg(dir.path().join("b.json"))
            .args(["--fail-if-slower", pct])
            .output()
            .unwrap()
    };
    let strict = run("10");
    assert_eq!(strict.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&strict.stderr).contains("Rust (PyO3)"));
    assert!(String::from_utf8_lossy(&strict.stdout).contains("B slower"));
    assert_eq!(run("50").status.code(), Some(0));
    assert_eq!(run("-3").status.code(), Some(2));
}

#[test]
fn scaling_fit_from_two_sizes() {
    // Two sizes of the same rung: the exponent of the fit is the slope between them.
    let mut r = fixture();
    let extra: Vec<_> = r
        .cells
        .iter()
        .filter(|c| c.benchmark == "spectral-norm")
        .cloned()
        .map(|mut c| {
            c.size = SizeName::Standard;
            c.n *= 10;
            c.median_ns = c.median_ns.map(|m| m * 100.0);
            c.cpu_ns = c.cpu_ns.map(|m| m * 100.0);
            c
        })
        .collect();
    r.cells.extend(extra);
    let fits = scaling::fits(&r, "spectral-norm");
    assert!(!fits.is_empty());
    for f in &fits {
        assert!((f.exponent.unwrap() - 2.0).abs() < 1e-9, "{f:?}");
    }
    let page = html::render(&r);
    assert!(page.contains("time against n") && page.contains("exponent 2.00"));
}

/// The fixture plus each n-body and spectral-norm cell at a second, custom n (n-body at half the steps in half
/// the time, spectral-norm at half the N in a quarter of the time), verified the way `ladder run --sizes` does
/// it: cross-checked against the baseline, which is the reference there. One spectral-norm cell is wrong at the
/// custom n and must not be fitted.
fn scaling_fixture() -> Results {
    let mut r = fixture();
    let base = r.baseline.clone().unwrap();
    let mut extra = Vec::new();
    for (bench, div, time) in [("nbody", 2, 0.5), ("spectral-norm", 2, 0.25)] {
        let others: Vec<String> = r
            .cells
            .iter()
            .filter(|c| c.benchmark == bench && c.status == Status::Ok)
            .filter(|c| !(c.rung == "cpython" && c.runtime == base))
            .map(|c| format!("{} on {}", c.rung, c.runtime))
            .collect();
        for c in r.cells.iter().filter(|c| c.benchmark == bench) {
            let mut c = c.clone();
            c.size = SizeName::Custom;
            c.n /= div;
            c.median_ns = c.median_ns.map(|m| m * time);
            c.samples_ns.iter_mut().for_each(|x| *x *= time);
            c.ci95_ns = c.ci95_ns.map(|[lo, hi]| [lo * time, hi * time]);
            c.cpu_ns = c.cpu_ns.map(|x| x * time);
            if bench == "nbody" && c.rung == "c" {
                // This worker waited for a core at the custom n: wall time doubled, CPU time did not.
                c.median_ns = c.median_ns.map(|m| m * 2.0);
                c.samples_ns.iter_mut().for_each(|x| *x *= 2.0);
                c.ci95_ns = c.ci95_ns.map(|[lo, hi]| [lo * 2.0, hi * 2.0]);
            }
            c.reference = Some(if c.rung == "cpython" && c.runtime == base {
                Reference::Baseline {
                    confirmed_by: others.clone(),
                }
            } else {
                Reference::CrossChecked {
                    against: format!("cpython on {base}"),
                    n: c.n,
                }
            });
            if bench == "spectral-norm" && c.rung == "mypyc" {
                c.status = Status::Wrong;
                c.verified = false;
                c.reason = "norm = 1.27e0, expected 1.28e0 (relative error 1.0e-2 > 1e-9)".into();
            }
            extra.push(c);
        }
    }
    r.cells.extend(extra);
    r.recompute_speedups();
    r
}

#[test]
fn scaling_exponents_in_the_terminal_and_markdown() {
    let r = scaling_fixture();
    let fits = scaling::fits(&r, "nbody");
    assert!(fits.len() >= 8);
    for f in &fits {
        assert!((f.cpu_exponent.unwrap() - 1.0).abs() < 1e-9, "{f:?}");
        if f.rung == "c" {
            // Waiting bent the wall-time fit (half the steps in the same wall time: exponent 0); the CPU-time
            // fit is straight, and the fit is marked ≈.
            assert!(f.exponent.unwrap().abs() < 1e-9, "{f:?}");
            assert!(f.shaky && f.exponent_text().starts_with('≈'));
        } else {
            assert!((f.exponent.unwrap() - 1.0).abs() < 1e-9, "{f:?}");
        }
    }
    let spectral = scaling::fits(&r, "spectral-norm");
    assert!(
        spectral
            .iter()
            .all(|f| (f.exponent.unwrap() - 2.0).abs() < 1e-9)
    );
    // The wrong cell is not fitted: mypyc has one verified point only.
    assert!(!spectral.iter().any(|f| f.rung == "mypyc"));

    let text = terminal::render(&r);
    let from = text
        .find("n-body: time against n")
        .expect("a scaling section");
    let scaling_text = &text[from..text
        .rfind("cells:")
        .map(|i| text[..i].rfind('\n').unwrap_or(i))
        .unwrap()];
    assert!(scaling_text.contains("spectral-norm: time against n"));
    insta::assert_snapshot!("terminal_scaling", scaling_text);

    let md = markdown::render(&r);
    assert!(md.contains("Cross-checked, not pinned: n=250000 has no pinned reference"));
    assert!(md.contains("ok ✓ cross-checked") && md.contains("ok ✓ reference"));
    assert!(!md.contains("pinned in benchmark.toml for n=250000"));
    // The study's figures are for its (default) size: none beside the custom n, still there at the default one.
    let custom = &md[md.find("## n-body (250000 steps, size custom)").unwrap()..];
    let custom = &custom[..custom[3..].find("\n## ").unwrap()];
    assert!(
        !custom.contains("Study figures") && !custom.contains("(1.66 s)"),
        "{custom}"
    );
    let default = &md[md.find("## n-body (500000 steps, size default)").unwrap()..];
    assert!(default[..default[3..].find("\n## ").unwrap()].contains("Study figures"));
    let from = md.find("## n-body: time against n").unwrap();
    insta::assert_snapshot!("markdown_scaling", &md[from..]);

    // The HTML says the same, and links each size's section by its n.
    let page = html::render(&r);
    assert!(page.contains(r##"href="#nbody-n250000""##) && page.contains(r#"id="nbody-n250000""#));
    assert!(page.contains("Cross-checked, not pinned"));
}

#[test]
fn compare_writes_json_and_markdown() {
    let (a, b) = pair_docs(samples(1e6, 0.02, 1, 20), samples(1.3e6, 0.02, 2, 20));
    let dir = tempfile::tempdir().unwrap();
    let (pa, pb) = (dir.path().join("a.json"), dir.path().join("b.json"));
    a.write(&pa).unwrap();
    b.write(&pb).unwrap();
    let (json_out, md_out) = (dir.path().join("cmp.json"), dir.path().join("cmp.md"));
    let out = Command::cargo_bin("ladder")
        .unwrap()
        .env("LADDER_HOME", home())
        .arg("compare")
        .args([pa.to_str().unwrap(), pb.to_str().unwrap()])
        .arg("--json")
        .arg(&json_out)
        .arg("--markdown")
        .arg(&md_out)
        .args(["--fail-if-slower", "10"])
        .output()
        .unwrap();
    // 30% slower and significant: the CI gate fails, and the files are still written.
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json_out).unwrap()).unwrap();
    assert_eq!(doc["schema"], "ladder-compare");
    let cells = doc["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 1);
    let c = &cells[0];
    assert_eq!(c["verdict"], "slower");
    let ratio = c["ratio"].as_f64().unwrap();
    assert!((ratio - 1.3).abs() < 0.05, "{ratio}");
    let [lo, hi] = [
        c["ratio_ci95"][0].as_f64().unwrap(),
        c["ratio_ci95"][1].as_f64().unwrap(),
    ];
    assert!(lo < ratio && ratio < hi && lo > 1.0);
    assert!(c["test"]["p"].as_f64().unwrap() < 1e-6);
    assert!(
        c["test"]["name"]
            .as_str()
            .unwrap()
            .starts_with("Mann-Whitney U")
    );
    assert!(c["untested_because"].is_null());
    let md = std::fs::read_to_string(&md_out).unwrap();
    assert!(md.starts_with("# ladder compare"));
    assert!(md.contains("| B slower |"), "{md}");
    assert!(md.contains("Mann-Whitney U"));

    // Equal samples: the verdict says so, with the p-value; a published-medians side is untested, with why.
    let (a, b) = pair_docs(samples(1e6, 0.02, 3, 20), samples(1e6, 0.02, 4, 20));
    let cmp = compare::compare(&a, &b);
    let doc = compare::to_json(&cmp, "a", "b");
    assert_eq!(doc["cells"][0]["verdict"], "no-significant-difference");
    assert!(doc["cells"][0]["test"]["p"].as_f64().unwrap() >= compare::ALPHA);
    let study = compare::to_json(
        &compare::compare(&fixture(), &fixture_without_samples()),
        "a",
        "b",
    );
    let untested = study["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["verdict"] == "untested")
        .unwrap();
    assert!(
        untested["test"].is_null()
            && untested["untested_because"]
                .as_str()
                .unwrap()
                .contains("no raw samples")
    );

    // A missing output folder is a usage error naming the flag, before anything is read.
    let out = Command::cargo_bin("ladder")
        .unwrap()
        .env("LADDER_HOME", home())
        .arg("compare")
        .args([pa.to_str().unwrap(), pb.to_str().unwrap()])
        .args(["--json", "/nonexistent-dir/x.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--json /nonexistent-dir/x.json"));
}

fn fixture_without_samples() -> Results {
    let mut r = fixture();
    for c in &mut r.cells {
        c.samples_ns.clear();
    }
    r
}

#[test]
fn bad_sizes_are_a_usage_error_naming_the_flag() {
    for bad in ["12x", "0", "-5", "quick,1.5", "medium"] {
        let out = Command::cargo_bin("ladder")
            .unwrap()
            .env("LADDER_HOME", home())
            .args(["run", "--bench", "nbody", "--sizes", bad])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--sizes"), "{bad}: {err}");
    }
}

#[test]
fn cards_say_how_each_implementation_ran() {
    // what `ladder_info()` returned (SIMD path, threads) is printed under the card; paths stay in the JSON
    let mut r = fixture();
    for c in &mut r.cells {
        if c.benchmark == "spectral-norm" && c.rung == "rust" {
            c.impl_info = Some(serde_json::json!({"simd": "avx512f", "threads": 2}));
        }
        if c.benchmark == "spectral-norm" && c.rung == "numba" {
            c.impl_info = Some(serde_json::json!({"module": "/tmp/x.py", "parallel": false}));
        }
    }
    let text = terminal::render(&r);
    assert!(
        text.contains("how it ran: rust on cpython-3.13: simd avx512f, threads 2"),
        "{text}"
    );
    assert!(text.contains("how it ran: numba on cpython-3.13: parallel false"));
    assert!(!text.contains("/tmp/x.py"));
    let md = markdown::render(&r);
    assert!(md.contains("- how it ran: **rust on cpython-3.13**: simd avx512f, threads 2"));
}

/// The whole quick ladder of a real run on a 2-core machine (74 cells, every rung this catalog has, long labels,
/// threaded, pooled and unavailable rungs), as `ladder run --size quick` wrote it.
fn full_run() -> Results {
    Results::read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/quick-run.json"))
        .unwrap()
}

/// The SVG of the "Wall vs CPU" chart in one benchmark's section of the page.
fn wall_cpu_chart<'a>(page: &'a str, anchor: &str) -> &'a str {
    let section = &page[page.find(&format!(r#"id="{anchor}""#)).unwrap()..];
    let section = &section[..section.find("</section>").unwrap()];
    let chart = &section[section.find("<h3>Wall vs CPU").unwrap()..];
    &chart[..chart.find("</div>").unwrap()]
}

#[test]
fn every_parallel_rung_is_in_the_wall_vs_cpu_chart_with_its_threads_or_processes() {
    let results = full_run();
    assert_eq!(results.cells.len(), 74);
    let page = html::render(&results);
    let spectral = wall_cpu_chart(&page, "spectral-norm-quick");
    // Rust computed on 2 threads at 0.92 cpu/wall (it waited for a core): shown, with its threads.
    let rust = spectral.find("<title>Rust (PyO3): ").unwrap();
    assert!(spectral[rust..].starts_with("<title>Rust (PyO3): 0.9 cores, 2 threads</title>"));
    // The process pool: its processes, never "1 thread".
    assert!(spectral.contains("multiprocessing (process pool): 0.9 cores, 3 processes"));
    assert!(!spectral.contains("processes, 1 thread"));
    // Idle pool threads do not make a rung parallel: JAX's worker has 13 threads and computed on one.
    assert!(!spectral.contains("JAX"), "{spectral}");
    // n-body: nothing worked on several threads; NumPy's BLAS ran at 0.5 cpu/wall, so the chart says so in words.
    let nbody = wall_cpu_chart(&page, "nbody-quick");
    assert!(nbody.contains("ran one thread in one process"), "{nbody}");
}

/// The fixture plus an expert numba cell on n-body: the study cell's samples at two thirds of the time, on two
/// threads.
fn with_expert_numba() -> Results {
    let mut r = fixture();
    let study = r
        .cells
        .iter()
        .find(|c| c.benchmark == "nbody" && c.rung == "numba")
        .unwrap()
        .clone();
    let mut expert = study.clone();
    expert.tier = ladder::catalog::Tier::Expert;
    let faster = |v: &mut Vec<f64>| v.iter_mut().for_each(|x| *x *= 2.0 / 3.0);
    faster(&mut expert.samples_ns);
    for run in &mut expert.runs {
        faster(&mut run.samples_ns);
    }
    expert.median_ns = expert.median_ns.map(|m| m * 2.0 / 3.0);
    expert.cpu_ns = expert.median_ns.map(|m| m * 1.8);
    expert.impl_info = Some(serde_json::json!({"threads": 2, "parallel": true}));
    let at = r
        .cells
        .iter()
        .position(|c| c.benchmark == "nbody" && c.rung == "numba")
        .unwrap();
    r.cells.insert(at + 1, expert);
    r.recompute_speedups();
    r
}

#[test]
fn a_rung_s_two_tiers_sit_side_by_side_with_what_the_effort_bought() {
    let r = with_expert_numba();
    let cards = ladder::report::card::cards(&r);
    let card = cards.iter().find(|c| c.benchmark == "nbody").unwrap();
    let numba: Vec<_> = card
        .rows
        .iter()
        .filter(|row| row.rung.starts_with("Numba"))
        .collect();
    assert_eq!(numba.len(), 2, "{:?}", card.rows);
    assert_eq!(
        (numba[0].tier.as_str(), numba[1].tier.as_str()),
        ("study", "expert")
    );
    // The study's figure stands beside the study tier only: it measured the rung at the study's effort.
    assert!(!numba[0].study.is_empty());
    assert!(numba[1].study.is_empty());
    let (s, e) = (
        numba[0].speedup_value.unwrap(),
        numba[1].speedup_value.unwrap(),
    );
    assert!((e / s - 1.5).abs() < 0.01, "{s} -> {e}");
    assert_eq!(card.effort.len(), 1, "{:?}", card.effort);
    assert!(
        card.effort[0].starts_with("Numba @njit: ")
            && card.effort[0].contains("2 threads, 1.8 cpu/wall"),
        "{}",
        card.effort[0]
    );
    let text = terminal::render(&r);
    assert!(text.contains("effort: Numba @njit: "), "{text}");
    assert!(
        text.contains("how it ran: numba@expert on cpython-3.13: parallel true, threads 2"),
        "{text}"
    );
    let md = markdown::render(&r);
    assert!(md.contains("| Rung | Tier | Runtime |"), "{md}");
    assert!(md.contains("- effort: Numba @njit: "));
    let page = html::render(&r);
    assert!(page.contains("What the expert tier bought"));
    assert!(
        page.contains("Numba @njit · expert"),
        "the chart labels the expert row"
    );
    let csv = export::csv(&r);
    assert!(csv.lines().next().unwrap().contains("rung,tier,runtime"));
    assert!(csv.contains(",numba,expert,cpython-3.13,"), "{csv}");
    // compare pairs each tier with its own tier
    let cmp = compare::compare(&r, &r);
    let nbody = |rung: &str| {
        cmp.pairs
            .iter()
            .filter(|p| p.benchmark == "nbody" && p.rung == rung)
            .count()
    };
    assert_eq!((nbody("numba"), nbody("numba@expert")), (1, 1));
}

#[test]
fn a_speedup_far_from_the_study_s_is_explained_or_flagged() {
    let mut r = fixture();
    let text = terminal::render(&r);
    // The fixture's mypyc n-body ran native classes: 38x here against the study's 2.4x.
    let line = text
        .lines()
        .find(|l| l.contains("mypyc on CPython 3.13.0: 38x against the study's 2.4x"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        line.contains("16x apart: not explained in the catalog"),
        "{line}"
    );
    // Rows within 3x of the study's say nothing (PyPy: 26x against 13x).
    assert!(
        !text.contains("PyPy on PyPy 7.3.11 (Python 3.9.16): 26x against"),
        "{text}"
    );
    let nbody = r.benchmarks.iter_mut().find(|b| b.id == "nbody").unwrap();
    nbody.study.as_mut().unwrap().explained.insert(
        "mypyc".into(),
        "native classes here, lists in the study (measured: 1.8x with lists)".into(),
    );
    let md = markdown::render(&r);
    assert!(
        md.contains("16x apart: native classes here, lists in the study"),
        "{md}"
    );
}
