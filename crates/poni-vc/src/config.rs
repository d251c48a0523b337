//! What the git repository's own config keeps for poni: the commit mode, the remote, a
//! branch's upstream.

use crate::error::{Result, VcError};
use crate::git::open;
use crate::types::{Mode, VcMode};
use git2::Repository;
use std::path::Path;

/// The git config key that holds the mode.
const MODE_KEY: &str = "poni.commit";
/// The remote pull and push use.
pub(crate) const REMOTE: &str = "origin";

pub(crate) fn mode_of(repo: &Repository) -> Result<VcMode> {
    match repo.config()?.get_string(MODE_KEY) {
        Ok(value) => Ok(VcMode::parse(value.trim()).unwrap_or_default()),
        Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(VcMode::default()),
        Err(e) => Err(e.into()),
    }
}

/// The branch on the remote that `branch` follows: its upstream (`branch.<name>.merge`), else
/// the same name.
pub(crate) fn upstream_of(repo: &Repository, branch: &str) -> String {
    repo.config()
        .ok()
        .and_then(|c| c.get_string(&format!("branch.{branch}.merge")).ok())
        .and_then(|m| m.strip_prefix("refs/heads/").map(str::to_owned))
        .unwrap_or_else(|| branch.to_owned())
}

/// Sets when changes are committed (kept in the git config as `poni.commit`).
pub fn set_mode(root: &Path, mode: Mode) -> Result<()> {
    let repo = open(root)?;
    let mut config = repo.config()?.open_level(git2::ConfigLevel::Local)?;
    config.set_str(MODE_KEY, mode.as_str())?;
    Ok(())
}

/// Sets the remote pull and push use (`origin`): an ssh or https address, or a folder.
pub fn set_remote(root: &Path, url: &str) -> Result<()> {
    let url = url.trim();
    if url.is_empty() {
        return Err(VcError::Usage("the remote's address is empty: give an ssh or https address, or a folder".into()));
    }
    let repo = open(root)?;
    match repo.find_remote(REMOTE) {
        Ok(_) => repo.remote_set_url(REMOTE, url)?,
        Err(e) if e.code() == git2::ErrorCode::NotFound => drop(repo.remote(REMOTE, url)?),
        Err(e) => return Err(e.into()),
    }
    Ok(())
}
