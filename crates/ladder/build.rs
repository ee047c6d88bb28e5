// The default catalog, the worker and the Rust rung's crate are embedded with include_dir/include_str; tell cargo
// to rebuild when any of them changes (include_dir alone does not track new or changed files on stable).
fn main() {
    for path in [
        "../../catalog",
        "../../worker/worker.py",
        "../ladder-kernels/src",
        "../ladder-kernels/benches",
        "../ladder-kernels/Cargo.toml",
        "../ladder-kernels/pyproject.toml",
        "../../Cargo.lock",
    ] {
        println!("cargo:rerun-if-changed={path}");
    }
}
