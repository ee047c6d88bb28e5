//! `cargo bench -p ladder-kernels`: the kernels at the study's sizes, the expert, scalar and study (plain, serde) paths side by side, with
//! throughput (n-body: steps/s; spectral-norm: matrix entries/s; pipeline: bytes/s of the events file).
//!
//! The events file is the one ladder generates (seeded); set `LADDER_EVENTS` to its path (ladder writes it
//! under `$LADDER_HOME/data/`), else a file of the same schema and size is synthesised here.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ladder_kernels::{nbody, pipeline, spectral};

fn bench_nbody(c: &mut Criterion) {
    const STEPS: u64 = 500_000;
    let mut g = c.benchmark_group("nbody");
    g.throughput(Throughput::Elements(STEPS)).sample_size(10);
    for (name, mode) in [
        ("expert", nbody::Mode::Expert),
        ("plain", nbody::Mode::Plain),
    ] {
        g.bench_function(name, |b| b.iter(|| nbody::energies(black_box(STEPS), mode)));
    }
    g.finish();
}

fn bench_spectral(c: &mut Criterion) {
    const N: usize = 2000;
    let mut g = c.benchmark_group("spectral-norm");
    // 10 rounds × 2 products × 2 mat-vecs of n² entries each
    g.throughput(Throughput::Elements(40 * (N * N) as u64))
        .sample_size(10);
    for (name, mode) in [
        ("fast", spectral::Mode::Fast),
        ("scalar", spectral::Mode::Scalar),
        ("plain", spectral::Mode::Plain),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| spectral::spectral_norm(black_box(N), mode))
        });
    }
    g.finish();
}

/// 100,000 events of the schema: the file ladder generates when `LADDER_EVENTS` names it, else a synthetic one.
fn events() -> Vec<u8> {
    if let Ok(path) = std::env::var("LADDER_EVENTS") {
        return std::fs::read(&path).unwrap_or_else(|e| panic!("LADDER_EVENTS={path}: {e}"));
    }
    const TYPES: [&str; 10] = [
        "page_view",
        "click",
        "search",
        "add_to_cart",
        "remove_from_cart",
        "purchase",
        "signup",
        "login",
        "logout",
        "share",
    ];
    let mut out = String::from("[\n");
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |m: u64| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) % m
    };
    for id in 0..100_000u64 {
        let kind = TYPES[next(10) as usize];
        let meta = match kind {
            "purchase" => format!(
                r#"{{"order_id": "o{id:07}", "amount": {}.{:02}, "items": {}}}"#,
                next(500),
                next(100),
                1 + next(5)
            ),
            "add_to_cart" => format!(
                r#"{{"sku": "sku-{}", "qty": {}, "price": {}.{:02}}}"#,
                next(999),
                1 + next(5),
                next(200),
                next(100)
            ),
            "search" => format!(
                r#"{{"query": "say \"w{}\"", "results": {}}}"#,
                next(99),
                next(50)
            ),
            _ => format!(
                r#"{{"element": "button-{}", "x": {}, "y": {}}}"#,
                next(20),
                next(1920),
                next(1080)
            ),
        };
        let sep = if id + 1 < 100_000 { "," } else { "" };
        out.push_str(&format!(
            r#"{{"id": {id}, "user_id": "u{:05}", "type": "{kind}", "page": "/home", "ts": "2025-{:02}-{:02}T{:02}:{:02}:{:02}Z", "meta": {meta}}}{sep}"#,
            next(5000),
            1 + next(12),
            1 + next(28),
            next(24),
            next(60),
            next(60)
        ));
        out.push('\n');
    }
    out.push(']');
    out.into_bytes()
}

fn bench_pipeline(c: &mut Criterion) {
    let data = events();
    let mut g = c.benchmark_group("json-pipeline");
    g.throughput(Throughput::Bytes(data.len() as u64))
        .measurement_time(Duration::from_secs(3));
    for (name, mode) in [
        ("fast", pipeline::Mode::Fast),
        ("scalar", pipeline::Mode::Scalar),
    ] {
        // every user summarised, which also completes the merge of the slices (see `Aggregator::absorb`)
        g.bench_function(name, |b| {
            b.iter(|| {
                pipeline::json::run(black_box(&data), mode)
                    .map(|o| o.users().map(|u| u64::from(u.events)).sum::<u64>())
            })
        });
    }
    g.bench_function("serde (study)", |b| {
        b.iter(|| {
            pipeline::study::run(black_box(&data))
                .map(|o| o.users().map(|u| u64::from(u.events)).sum::<u64>())
        })
    });
    g.finish();
}

criterion_group!(benches, bench_nbody, bench_spectral, bench_pipeline);
criterion_main!(benches);
