//! Reports read by real tools (issue 5): pyperf (from PyPI, in a venv ladder makes) reads the exported JSON, and
//! headless Chromium (Debian's `chromium`, installed by .ci/run) renders the HTML page, takes screenshots at
//! laptop and phone widths, and dumps the DOM it built, whose SVG elements are counted.

use ladder::report::export;
use ladder::report::html;
use ladder::results::{Results, Status};
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

fn fixture() -> Results {
    Results::read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/default-run.json"))
        .unwrap()
}

fn home() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("reports-tools-home");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn pyperf_reads_the_export() {
    let home = home();
    let discovery = ladder::toolchain::discover::discover(
        &ladder::toolchain::discover::SearchPaths::from_env(),
    );
    let runtime = discovery
        .default_baseline()
        .expect("a CPython with venv is needed to install pyperf");
    let venv = ladder::toolchain::venv::ensure_venv(&home, runtime).unwrap();
    ladder::toolchain::venv::ensure_packages(&home, &venv, &["pyperf==2.10.0".to_string()])
        .unwrap();
    let results = fixture();
    let file = home.join("export.pyperf.json");
    std::fs::write(
        &file,
        serde_json::to_string(&export::pyperf(&results)).unwrap(),
    )
    .unwrap();
    let out = Command::new(&venv.python)
        .args(["-m", "pyperf", "stats"])
        .arg(&file)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let measured = results
        .cells
        .iter()
        .filter(|c| c.status == Status::Ok && !c.samples_ns.is_empty())
        .count();
    assert!(
        stdout.contains(&format!("Number of benchmarks: {measured}")),
        "{stdout}"
    );
    assert!(
        stdout.contains("nbody[default]/rust/cpython-3.13"),
        "{stdout}"
    );
    // pyperf's median of our samples is our median (pyperf prints 3 significant digits).
    let rust = results
        .cells
        .iter()
        .find(|c| c.benchmark == "nbody" && c.rung == "rust")
        .unwrap();
    let ms = rust.median_ns.unwrap() / 1e6;
    assert!(
        stdout.contains(&format!("Median +- MAD:   {ms:.1} ms")),
        "{ms} {stdout}"
    );
    let cmp = Command::new(&venv.python)
        .args(["-m", "pyperf", "compare_to"])
        .arg(&file)
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        cmp.status.success(),
        "{}",
        String::from_utf8_lossy(&cmp.stderr)
    );
}

/// Headless Chromium's path, or None (with a skip line for `test`) when it is missing outside CI.
fn chromium(test: &str) -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser"].iter().find_map(|name| {
        let out = Command::new("which").arg(name).output().ok()?;
        out.status
            .success()
            .then(|| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
    });
    common::require(
        found.is_some(),
        test,
        "headless Chromium",
        "apt-get install -y chromium",
    )
    .then_some(found)
    .flatten()
}

fn browser(chrome: &Path, dir: &Path, extra: &[String]) -> std::process::Output {
    let profile = tempfile::tempdir_in(dir).unwrap();
    Command::new(chrome)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .output()
        .unwrap()
}

/// Width and height from a PNG's IHDR chunk.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    let w = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let h = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    (w, h)
}

#[test]
fn html_renders_in_headless_chromium() {
    let Some(chrome) = chromium("html_renders_in_headless_chromium") else {
        return;
    };
    // The core ladder at the default size, and the whole quick ladder of a real run (74 cells, every rung).
    for name in ["default-run.json", "quick-run.json"] {
        let results = Results::read(
            &Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures")
                .join(name),
        )
        .unwrap();
        renders(&chrome, &results);
    }
}

/// Screenshots at laptop, report (1100 px) and phone widths, and the DOM Chromium built holds every chart.
fn renders(chrome: &Path, results: &Results) {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    let source = html::render(results);
    std::fs::write(&page, &source).unwrap();
    let url = format!("file://{}", page.display());
    for (w, h) in [(1280u32, 1600u32), (1100, 1600), (390, 1600)] {
        let shot = dir.path().join(format!("shot-{w}.png"));
        let out = browser(
            chrome,
            dir.path(),
            &[
                format!("--window-size={w},{h}"),
                format!("--screenshot={}", shot.display()),
                url.clone(),
            ],
        );
        let bytes = std::fs::read(&shot).unwrap_or_else(|e| {
            panic!(
                "no screenshot ({e}): {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        assert_eq!(png_size(&bytes), (w, h));
        // A blank page compresses to a few KB; charts and text do not.
        assert!(
            bytes.len() > 20_000,
            "{w}px screenshot only {} bytes",
            bytes.len()
        );
    }
    let out = browser(chrome, dir.path(), &["--dump-dom".to_string(), url]);
    let dom = String::from_utf8_lossy(&out.stdout);
    // Chromium parsed every chart: as many <svg> elements as we wrote, each ladder chart with its rows.
    let svgs = source.matches("<svg ").count();
    assert!(svgs >= 4 * 3, "{svgs}");
    assert_eq!(
        dom.matches("<svg ").count(),
        svgs,
        "{}",
        &dom[..dom.len().min(2000)]
    );
    assert_eq!(
        dom.matches(r#"class="chart ladder""#).count(),
        results.benchmarks.len()
    );
    assert_eq!(
        dom.matches("<g class=\"row ok\">").count(),
        results
            .cells
            .iter()
            .filter(|c| c.status == Status::Ok)
            .count()
    );
}

/// A real `ladder run --sizes quick,200,400,800 --bench nbody,spectral-norm --rung cpython,numpy,rust,c` on this
/// shared 2-core machine (while other builds ran): n-body's quick size (1000) and spectral-norm's (100) are
/// pinned, every other point cross-checked against CPython 3.13.
#[test]
fn scaling_page_renders_in_headless_chromium() {
    let Some(chrome) = chromium("scaling_page_renders_in_headless_chromium") else {
        return;
    };
    let results = Results::read(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scaling-run.json"),
    )
    .unwrap();
    let fits: usize = ["nbody", "spectral-norm"]
        .iter()
        .map(|b| ladder::report::scaling::fits(&results, b).len())
        .sum();
    // cpython on four CPythons, numpy, rust and c, for both benchmarks.
    assert_eq!(fits, 14);
    let points: usize = ["nbody", "spectral-norm"]
        .iter()
        .flat_map(|b| ladder::report::scaling::fits(&results, b))
        .map(|f| f.points.len())
        .sum();
    assert_eq!(points, 56);
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("scaling.html");
    let source = html::render(&results);
    std::fs::write(&page, &source).unwrap();
    let url = format!("file://{}", page.display());
    let shot = dir.path().join("shot.png");
    browser(
        &chrome,
        dir.path(),
        &[
            "--window-size=390,1600".to_string(),
            format!("--screenshot={}", shot.display()),
            url.clone(),
        ],
    );
    let bytes = std::fs::read(&shot).unwrap();
    assert_eq!(png_size(&bytes), (390, 1600));
    assert!(bytes.len() > 20_000, "{} bytes", bytes.len());
    let out = browser(&chrome, dir.path(), &["--dump-dom".to_string(), url]);
    let dom = String::from_utf8_lossy(&out.stdout);
    assert_eq!(dom.matches(r#"class="chart scaling""#).count(), 2);
    assert_eq!(dom.matches(r#"<g class="line c"#).count(), fits);
    // Every point a circle; the ladder charts draw none.
    assert_eq!(dom.matches("<circle ").count(), points);
    // One section per benchmark and size, the cross-checked ones saying so, the pinned ones too.
    assert_eq!(dom.matches("Cross-checked, not pinned").count(), 6);
    assert_eq!(
        dom.matches("against the reference pinned in benchmark.toml")
            .count(),
        2
    );
}
