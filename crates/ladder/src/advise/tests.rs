//! `ladder advise` on the example programs in examples/advise (real interpreters, real runs), and the verdict
//! rules on synthetic figures.

use super::classify::{Figures, Verdict, classify};
use super::*;
use std::path::PathBuf;
use std::time::Duration;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn example(name: &str) -> Vec<String> {
    vec![
        "python3".into(),
        repo()
            .join("examples/advise")
            .join(name)
            .display()
            .to_string(),
    ]
}

const S: u64 = 1_000_000_000;

#[test]
fn waiting_in_the_run_queue_is_not_io() {
    // 10 s wall, 2 s CPU, but 7.5 s of it waiting for a CPU on a busy machine: CPU-bound.
    let busy = Figures {
        wall_ns: 10 * S,
        cpu_ns: 2 * S,
        main_sched: Some((2 * S, 15 * S / 2)),
        gc_ns: Some(0),
        ..Figures::default()
    };
    assert_eq!(classify(&busy).0, Verdict::CpuBound);
    // The same CPU time with no run-queue wait: the rest was spent blocked.
    let blocked = Figures {
        main_sched: Some((2 * S, 0)),
        ..busy.clone()
    };
    assert_eq!(classify(&blocked).0, Verdict::IoBound);
    let gc_heavy = Figures {
        gc_ns: Some(3 * S),
        main_sched: Some((9 * S, 0)),
        cpu_ns: 9 * S,
        ..busy
    };
    let (v, why) = classify(&gc_heavy);
    assert_eq!(v, Verdict::MemoryBound);
    assert!(why.iter().any(|w| w.contains("30% of wall")), "{why:?}");
}

#[test]
fn io_example_is_io_bound() {
    let a = advise(&example("io_sleep.py"), &repo(), Duration::from_secs(120)).unwrap();
    assert_eq!(a.status, "ok", "{}", a.reason);
    assert_eq!(a.verdict, Verdict::IoBound, "{:?}", a.verdict_why);
}

#[test]
fn numeric_example_is_cpu_bound() {
    let a = advise(
        &example("numeric_loops.py"),
        &repo(),
        Duration::from_secs(300),
    )
    .unwrap();
    assert_eq!(a.status, "ok", "{}", a.reason);
    assert_eq!(a.verdict, Verdict::CpuBound, "{:?}", a.verdict_why);
}

#[test]
fn allocation_example_is_memory_bound_with_its_sites() {
    let a = advise(
        &example("alloc_heavy.py"),
        &repo(),
        Duration::from_secs(300),
    )
    .unwrap();
    assert_eq!(a.status, "ok", "{}", a.reason);
    assert_eq!(a.verdict, Verdict::MemoryBound, "{:?}", a.verdict_why);
    // Read at the largest heap, the program's own lines lead, not the import machinery's.
    assert_eq!(a.allocation_sites_at.as_deref(), Some("largest heap seen"));
    assert!(
        a.top_allocation_sites[0].file.ends_with("alloc_heavy.py")
            && a.top_allocation_sites[0].size_bytes > 10_000_000,
        "{:?}",
        a.top_allocation_sites
    );
}

#[test]
fn bad_input_is_a_usage_error_and_failures_and_timeouts_keep_figures() {
    let err = advise(&["true".into()], &repo(), Duration::from_secs(5)).unwrap_err();
    assert!(crate::error::is_usage(&err), "{err}");
    assert!(
        format!("{err}").contains("not a Python interpreter"),
        "{err}"
    );
    let err = advise(
        &["python3".into(), "/no/such/script.py".into()],
        &repo(),
        Duration::from_secs(5),
    )
    .unwrap_err();
    assert!(crate::error::is_usage(&err), "{err}");
    let failing: Vec<String> = ["python3", "-c", "raise ValueError('boom')"]
        .map(String::from)
        .to_vec();
    let a = advise(&failing, &repo(), Duration::from_secs(60)).unwrap();
    assert_eq!(a.status, "failed");
    assert!(a.reason.contains("ValueError: boom"), "{}", a.reason);
    let slow: Vec<String> = ["python3", "-c", "import time; time.sleep(30)"]
        .map(String::from)
        .to_vec();
    let started = std::time::Instant::now();
    let a = advise(&slow, &repo(), Duration::from_secs(1)).unwrap();
    assert_eq!(a.status, "timeout");
    assert!(started.elapsed() < Duration::from_secs(20));
    assert!(a.wall_ns >= S);
}
