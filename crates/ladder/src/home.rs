//! `$LADDER_HOME`: where ladder keeps its venvs, builds, generated data and the materialised catalog.

use anyhow::{Context, Result};
use std::path::PathBuf;

/// `$LADDER_HOME`, else `$XDG_CACHE_HOME/ladder`, else `~/.cache/ladder`.
pub fn ladder_home() -> Result<PathBuf> {
    let dir = if let Some(h) = std::env::var_os("LADDER_HOME").filter(|h| !h.is_empty()) {
        PathBuf::from(h)
    } else if let Some(x) = std::env::var_os("XDG_CACHE_HOME").filter(|h| !h.is_empty()) {
        PathBuf::from(x).join("ladder")
    } else {
        let home = std::env::var_os("HOME")
            .context("neither LADDER_HOME nor HOME is set; set LADDER_HOME to a writable folder")?;
        PathBuf::from(home).join(".cache").join("ladder")
    };
    // Builds run with other working folders, so the path must not be relative.
    let dir = std::path::absolute(&dir)
        .with_context(|| format!("resolving LADDER_HOME {}", dir.display()))?;
    std::fs::create_dir_all(&dir).with_context(|| {
        format!(
            "creating LADDER_HOME {}; set LADDER_HOME to a writable folder",
            dir.display()
        )
    })?;
    Ok(dir)
}
