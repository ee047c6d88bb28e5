use super::*;
use crate::catalog::{Catalog, SizeName};
use serde_json::json;

fn repo() -> Catalog {
    Catalog::load(&crate::catalog::tests::repo_catalog_dir()).unwrap()
}

fn pinned_floats(size: &crate::catalog::Size) -> Vec<f64> {
    match &size.expect {
        Pinned::Floats(v) => v.clone(),
        other => panic!("not floats: {other:?}"),
    }
}

fn pinned_json(size: &crate::catalog::Size) -> &JsonReference {
    match &size.expect {
        Pinned::Json(r) => r,
        other => panic!("not JSON: {other:?}"),
    }
}

#[test]
fn nbody_checks_both_energies_to_nine_decimals() {
    let cat = repo();
    let b = cat.benchmark("nbody").unwrap();
    let quick = b.size(SizeName::Quick).unwrap();
    assert!(
        verify(
            b,
            quick,
            &json!([-0.16907516382852447, -0.16908760523460595])
        )
        .unwrap()
        .ok
    );
    // Right energy before, wrong after: the study's harness checked only the first.
    let v = verify(b, quick, &json!([-0.16907516382852447, -0.169075164])).unwrap();
    assert!(!v.ok);
    assert!(v.detail.contains("-0.169087605"), "{}", v.detail);
    // A difference in the 10th decimal passes; in the 9th it fails.
    assert!(
        verify(b, quick, &json!([-0.1690751641, -0.1690876051]))
            .unwrap()
            .ok
    );
    assert!(
        !verify(b, quick, &json!([-0.169075166, -0.169087605]))
            .unwrap()
            .ok
    );
    assert!(!verify(b, quick, &json!("garbage")).unwrap().ok);
    assert!(!verify(b, quick, &json!([1.0])).unwrap().ok);
}

#[test]
fn spectral_norm_fails_a_skipped_iteration() {
    let cat = repo();
    let b = cat.benchmark("spectral-norm").unwrap();
    let quick = b.size(SizeName::Quick).unwrap();
    let e = pinned_floats(quick);
    let (norm, vbv, vv) = (e[0], e[1], e[2]);
    assert!(verify(b, quick, &json!([norm, vbv, vv])).unwrap().ok);
    assert!(
        verify(b, quick, &json!([norm, vbv * (1.0 + 5e-10), vv]))
            .unwrap()
            .ok
    );
    // The norm converges after a couple of iterations, so it alone cannot catch a skipped one; vBv and vv can:
    // fewer iterations leave them orders of magnitude smaller.
    let v = verify(b, quick, &json!([norm, vbv / 1.5, vv / 1.5])).unwrap();
    assert!(!v.ok && v.detail.contains("vbv"), "{}", v.detail);
    assert!(
        !verify(b, quick, &json!([norm * (1.0 + 1e-8), vbv, vv]))
            .unwrap()
            .ok
    );
    assert!(
        !verify(b, quick, &json!([norm, vbv, f64::NAN.to_string()]))
            .unwrap()
            .ok
    );
}

#[test]
fn pipeline_output_is_compared_in_full() {
    let cat = repo();
    let b = cat.benchmark("json-pipeline").unwrap();
    let quick = b.size(SizeName::Quick).unwrap();
    let reference = load_json_reference(pinned_json(quick), quick).unwrap();
    assert!(verify(b, quick, &reference).unwrap().ok);

    let users: Vec<String> = reference.as_object().unwrap().keys().cloned().collect();
    let last = users.last().unwrap().clone();

    // One field of one user off by a cent.
    let mut off = reference.clone();
    let revenue = off[&last]["revenue"].as_f64().unwrap();
    off[&last]["revenue"] = json!(revenue + 0.01);
    let v = verify(b, quick, &off).unwrap();
    assert!(
        !v.ok && v.detail.contains(&last) && v.detail.contains("revenue"),
        "{}",
        v.detail
    );

    // A float field returned as an int is a different output.
    let mut int = reference.clone();
    int[&last]["cart_value"] = json!(int[&last]["cart_value"].as_f64().unwrap().round() as i64);
    if int != reference {
        assert!(!verify(b, quick, &int).unwrap().ok);
    }

    // A missing user and an extra user.
    let mut missing = reference.clone();
    missing.as_object_mut().unwrap().remove(&last);
    let v = verify(b, quick, &missing).unwrap();
    assert!(!v.ok && v.detail.contains("missing"), "{}", v.detail);
    let mut extra = reference.clone();
    extra
        .as_object_mut()
        .unwrap()
        .insert("u99999".into(), json!({}));
    assert!(!verify(b, quick, &extra).unwrap().ok);

    // Key order does not matter; content does.
    assert!(!verify(b, quick, &json!({})).unwrap().ok);
    assert!(!verify(b, quick, &json!(null)).unwrap().ok);
}

#[test]
fn a_tampered_reference_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let src = crate::catalog::tests::repo_catalog_dir();
    for d in ["json-pipeline"] {
        let dst = tmp.path().join(d);
        std::fs::create_dir_all(dst.join("expected")).unwrap();
        for f in ["benchmark.toml", "expected/quick.json"] {
            std::fs::copy(src.join(d).join(f), dst.join(f)).unwrap();
        }
    }
    let cat = repo();
    let mut b = cat.benchmark("json-pipeline").unwrap().clone();
    b.dir = tmp.path().join("json-pipeline");
    let mut quick = b.size(SizeName::Quick).unwrap().clone();
    let path = b.dir.join("expected/quick.json");
    let Pinned::Json(JsonReference::File { path: file, .. }) = &mut quick.expect else {
        panic!("the pipeline pins a file");
    };
    *file = path.clone();
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.push(b' ');
    std::fs::write(&path, bytes).unwrap();
    let err = load_json_reference(pinned_json(&quick), &quick).unwrap_err();
    assert!(format!("{err:#}").contains("sha256"), "{err:#}");
}

#[test]
fn cross_checks_use_the_benchmarks_own_tolerance() {
    let cat = repo();
    let nbody = cat.benchmark("nbody").unwrap();
    let reference = serde_json::json!([-0.1690751641, -0.1690834]);
    let check = |out: serde_json::Value| {
        verify_expected(nbody, Expected::Output(&reference), &out)
            .unwrap()
            .ok
    };
    // Same 9 decimals: passes; the 9th decimal differs: fails.
    assert!(check(serde_json::json!([-0.1690751643, -0.1690834002])));
    assert!(!check(serde_json::json!([-0.1690751641, -0.1690834019])));
    assert!(!check(serde_json::json!([-0.1690751641])));

    let spectral = cat.benchmark("spectral-norm").unwrap();
    let r = serde_json::json!([1.274_224_153, 300.5, 185.25]);
    let check = |out: serde_json::Value| {
        verify_expected(spectral, Expected::Output(&r), &out)
            .unwrap()
            .ok
    };
    assert!(check(serde_json::json!([
        1.274_224_153,
        300.5 * (1.0 + 5e-10),
        185.25
    ])));
    assert!(!check(serde_json::json!([
        1.274_224_153,
        300.5 * (1.0 + 5e-9),
        185.25
    ])));
    assert!(!check(serde_json::json!([f64::NAN, 300.5, 185.25])));

    let pipeline = cat.benchmark("json-pipeline").unwrap();
    let r = serde_json::json!({"u1": {"total": 2.5, "top": "a"}, "u2": {"total": 1.0, "top": "b"}});
    let check = |out: serde_json::Value| {
        verify_expected(pipeline, Expected::Output(&r), &out)
            .unwrap()
            .ok
    };
    // Key order does not matter; any difference does, a missing user too.
    assert!(check(
        serde_json::json!({"u2": {"top": "b", "total": 1.0}, "u1": {"total": 2.5, "top": "a"}})
    ));
    assert!(!check(
        serde_json::json!({"u1": {"total": 2.5, "top": "a"}, "u2": {"total": 1.0, "top": "c"}})
    ));
    assert!(!check(
        serde_json::json!({"u1": {"total": 2.5, "top": "a"}})
    ));
}

#[test]
fn a_reference_output_must_have_the_checks_shape() {
    let cat = repo();
    let nbody = cat.benchmark("nbody").unwrap();
    assert!(reference_shape(nbody, &serde_json::json!([-0.1, -0.2])).is_ok());
    assert!(reference_shape(nbody, &serde_json::json!([-0.1])).is_err());
    assert!(reference_shape(nbody, &serde_json::json!(null)).is_err());
    let spectral = cat.benchmark("spectral-norm").unwrap();
    assert!(reference_shape(spectral, &serde_json::json!([1.27, 3.0, 2.0])).is_ok());
    // A zero under a relative tolerance could never be matched: refused as a reference.
    assert!(reference_shape(spectral, &serde_json::json!([1.27, 0.0, 2.0])).is_err());
    let pipeline = cat.benchmark("json-pipeline").unwrap();
    assert!(reference_shape(pipeline, &serde_json::json!({})).is_err());
    assert!(reference_shape(pipeline, &serde_json::json!({"u": {}})).is_ok());
    // A malformed reference is an error, not a pass for everyone.
    assert!(
        verify_expected(
            nbody,
            Expected::Output(&serde_json::json!("x")),
            &serde_json::json!([0.0, 0.0])
        )
        .is_err()
    );
}

#[test]
fn pipeline_references_match_their_pinned_hashes() {
    let cat = crate::catalog::Catalog::load(&crate::catalog::tests::repo_catalog_dir()).unwrap();
    for id in ["json-pipeline", "json-pipeline-dicts"] {
        let b = cat.benchmark(id).unwrap();
        for s in &b.sizes {
            let reference = load_json_reference(pinned_json(s), s).unwrap();
            let users = reference.as_object().unwrap();
            assert!(!users.is_empty());
            // The pinned file is already canonical: re-canonicalising it changes nothing.
            let JsonReference::File { path, .. } = pinned_json(s) else {
                panic!("{id}: the pipeline pins a file");
            };
            let bytes = std::fs::read(path).unwrap();
            assert_eq!(super::canonical_json(&reference).as_bytes(), &bytes[..]);
        }
    }
}
