//! The bytes reader of the JSON pipeline on arbitrary input: it must return a result or an error, never panic;
//! the two modes must agree exactly (same output, or the same error at the same offset); whenever the
//! speculative split reading (forced here, whatever the input's size) accepts an input, its output must be the
//! sequential one; and the study tier's serde_json reader must give the same output, or refuse the input too.
#![no_main]

use ladder_kernels::pipeline::{Mode, json, study};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let one = json::run(data, Mode::Scalar);
    let fast = json::run(data, Mode::Fast);
    match (&one, &fast) {
        (Ok(a), Ok(b)) => {
            let a: Vec<String> = a.users().map(|u| format!("{u:?}")).collect();
            let b: Vec<String> = b.users().map(|u| format!("{u:?}")).collect();
            assert_eq!(a, b);
        }
        (Err(a), Err(b)) => assert_eq!(a, b),
        _ => panic!("the two readings disagree: {one:?} vs {fast:?}"),
    }
    match (&one, study::run(data)) {
        (Ok(a), Ok(b)) => {
            let a: Vec<String> = a.users().map(|u| format!("{u:?}")).collect();
            let b: Vec<String> = b.users().map(|u| format!("{u:?}")).collect();
            assert_eq!(a, b, "the serde_json reader");
        }
        (Err(_), Err(_)) => {}
        (one, serde) => panic!("the serde_json reader disagrees: {one:?} vs {serde:?}"),
    }
    for threads in [2, 5] {
        if let Some(split) = json::parallel(data, threads) {
            let Ok(one) = &one else {
                panic!("the split reading accepted what the sequential one refused: {one:?}");
            };
            let a: Vec<String> = one.users().map(|u| format!("{u:?}")).collect();
            let b: Vec<String> = split.users().map(|u| format!("{u:?}")).collect();
            assert_eq!(a, b, "{threads} slices");
        }
    }
});
