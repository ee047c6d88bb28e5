//! The Rust rung without a Rust toolchain: prebuilt `ladder-kernels` wheels, built by scripts/release from the
//! same crate ladder embeds, and shipped beside the installed binary (`<prefix>/share/ladder/wheels/` next to
//! `<prefix>/bin/ladder`, the layout of the `optimization-ladder` wheel and of the release tarball) or in the
//! folder `$LADDER_KERNELS_WHEELS` names. ladder installs one into the rung's venv when no cargo is found.

use std::path::{Path, PathBuf};

/// Names a folder of prebuilt ladder-kernels wheels, in place of the one beside the binary.
pub const WHEELS_ENV: &str = "LADDER_KERNELS_WHEELS";

/// Where the release puts the wheels, relative to the folder holding `bin/ladder`.
pub const WHEELS_UNDER_PREFIX: &str = "share/ladder/wheels";

/// The folder of prebuilt wheels this ladder uses: `$LADDER_KERNELS_WHEELS` when set, else the one beside the
/// running binary; `None` when that folder does not exist.
pub fn wheels_dir() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok();
    wheels_dir_for(
        std::env::var_os(WHEELS_ENV).map(PathBuf::from),
        exe.as_deref(),
    )
}

fn wheels_dir_for(from_env: Option<PathBuf>, exe: Option<&Path>) -> Option<PathBuf> {
    let dir = match from_env.filter(|d| !d.as_os_str().is_empty()) {
        Some(dir) => dir,
        // `current_exe` has already followed the symlink pipx and `uv tool` put on PATH to the venv's bin/.
        None => exe?.parent()?.parent()?.join(WHEELS_UNDER_PREFIX),
    };
    dir.is_dir().then_some(dir)
}

/// Where ladder looks, said in full for a reason or for `ladder doctor`.
pub fn where_looked() -> String {
    let beside = std::env::current_exe()
        .ok()
        .and_then(|e| Some(e.parent()?.parent()?.join(WHEELS_UNDER_PREFIX)))
        .map(|d| d.display().to_string())
        .unwrap_or_else(|| format!("<prefix>/{WHEELS_UNDER_PREFIX}"));
    format!("${WHEELS_ENV} or {beside}")
}

/// The wheel in `names` (file names) for an interpreter of this CPython version: one built for exactly this
/// version (`cp313-cp313`, or `cp313-cp313t` free-threaded) first, else a stable-ABI one (`cp310-abi3`) for
/// this version or older. Only wheels of `version` (the crate ladder embeds) and of this machine's
/// architecture count: another version is another crate.
pub fn choose_wheel<'a>(
    names: &'a [String],
    version: &str,
    python_minor: &str,
    free_threaded: bool,
) -> Option<&'a str> {
    let (major, minor) = python_minor.split_once('.')?;
    let minor: u32 = minor.parse().ok()?;
    let exact_py = format!("cp{major}{minor}");
    let exact_abi = format!("{exact_py}{}", if free_threaded { "t" } else { "" });
    let mut best: Option<(u32, &str)> = None;
    for name in names {
        let Some(stem) = name.strip_suffix(".whl") else {
            continue;
        };
        // distribution-version-python-abi-platform (no build tag in the wheels maturin writes)
        let parts: Vec<&str> = stem.split('-').collect();
        let [dist, v, py, abi, platform] = parts[..] else {
            continue;
        };
        if dist != "ladder_kernels" || v != version || !platform.contains(std::env::consts::ARCH) {
            continue;
        }
        let rank = if py == exact_py && abi == exact_abi {
            u32::MAX
        } else if abi == "abi3" && !free_threaded {
            // cp310-abi3 runs on 3.10 and later; the newest floor that still fits is the closest build.
            match py
                .strip_prefix(&format!("cp{major}"))
                .and_then(|m| m.parse::<u32>().ok())
            {
                Some(floor) if floor <= minor => floor,
                _ => continue,
            }
        } else {
            continue;
        };
        if best.is_none_or(|(r, _)| rank > r) {
            best = Some((rank, name.as_str()));
        }
    }
    best.map(|(_, name)| name)
}

/// The wheel file names in `dir`.
pub fn wheel_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|n| n.ends_with(".whl"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    const X86: &str = "manylinux_2_34_x86_64";

    #[test]
    fn the_wheel_for_exactly_this_python_wins_over_the_stable_abi_one() {
        let arch = std::env::consts::ARCH;
        let plat = X86.replace("x86_64", arch);
        let all = names(&[
            &format!("ladder_kernels-0.1.0-cp310-abi3-{plat}.whl"),
            &format!("ladder_kernels-0.1.0-cp312-cp312-{plat}.whl"),
            &format!("ladder_kernels-0.1.0-cp313-cp313-{plat}.whl"),
            &format!("ladder_kernels-0.1.0-cp313-cp313t-{plat}.whl"),
            &format!("ladder_kernels-0.0.9-cp311-cp311-{plat}.whl"),
            "README.txt",
        ]);
        let pick = |minor: &str, ft: bool| choose_wheel(&all, "0.1.0", minor, ft);
        assert_eq!(
            pick("3.13", false),
            Some(format!("ladder_kernels-0.1.0-cp313-cp313-{plat}.whl").as_str())
        );
        assert_eq!(
            pick("3.13", true),
            Some(format!("ladder_kernels-0.1.0-cp313-cp313t-{plat}.whl").as_str())
        );
        // no cp311 wheel of this version (the 0.0.9 one is another crate): the stable-ABI one
        assert_eq!(
            pick("3.11", false),
            Some(format!("ladder_kernels-0.1.0-cp310-abi3-{plat}.whl").as_str())
        );
        assert_eq!(
            pick("3.14", false),
            Some(format!("ladder_kernels-0.1.0-cp310-abi3-{plat}.whl").as_str())
        );
        // older than the stable-ABI floor, or free-threaded without its own wheel: nothing fits
        assert_eq!(pick("3.9", false), None);
        assert_eq!(pick("3.14", true), None);
        assert_eq!(choose_wheel(&all, "0.2.0", "3.13", false), None);
    }

    #[test]
    fn a_wheel_for_another_architecture_never_fits() {
        let other = if std::env::consts::ARCH == "x86_64" {
            "aarch64"
        } else {
            "x86_64"
        };
        let all = names(&[&format!(
            "ladder_kernels-0.1.0-cp313-cp313-manylinux_2_34_{other}.whl"
        )]);
        assert_eq!(choose_wheel(&all, "0.1.0", "3.13", false), None);
    }

    #[test]
    fn the_wheels_are_found_beside_the_binary_or_where_the_variable_says() {
        let tmp = tempfile::tempdir().unwrap();
        let prefix = tmp.path();
        let exe = prefix.join("bin/ladder");
        // nothing installed beside the binary
        assert_eq!(wheels_dir_for(None, Some(&exe)), None);
        let beside = prefix.join(WHEELS_UNDER_PREFIX);
        std::fs::create_dir_all(&beside).unwrap();
        assert_eq!(wheels_dir_for(None, Some(&exe)), Some(beside.clone()));
        // the variable wins, and an empty one is as good as unset
        let elsewhere = prefix.join("elsewhere");
        std::fs::create_dir_all(&elsewhere).unwrap();
        assert_eq!(
            wheels_dir_for(Some(elsewhere.clone()), Some(&exe)),
            Some(elsewhere)
        );
        assert_eq!(
            wheels_dir_for(Some(PathBuf::new()), Some(&exe)),
            Some(beside)
        );
        assert_eq!(
            wheels_dir_for(Some(prefix.join("missing")), Some(&exe)),
            None
        );
    }
}
