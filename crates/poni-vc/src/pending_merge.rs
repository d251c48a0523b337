//! A pull that stopped on conflicts: its record in the `.git` folder, read, written, and
//! refused as a starting point for other verbs.

use crate::error::{Result, VcError};
use git2::Repository;
use serde::{Deserialize, Serialize};
use std::fs;
use std::path::PathBuf;

/// A pull that stopped on conflicts, in the `.git` folder.
const MERGE_FILE: &str = "poni-merge.json";

/// A pull that stopped on conflicts, kept in `.git/poni-merge.json` until the last one is
/// resolved. The conflicts' contents are read again from git each time (mine from HEAD,
/// theirs from their commit), so only names and paths are stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct PendingMerge {
    pub(crate) theirs: String,
    pub(crate) total: usize,
    pub(crate) conflicts: Vec<PendingConflict>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct PendingConflict {
    pub(crate) name: String,
    pub(crate) path: String,
}

pub(crate) fn merge_file(repo: &Repository) -> PathBuf {
    repo.path().join(MERGE_FILE)
}

pub(crate) fn load_merge(repo: &Repository) -> Result<Option<PendingMerge>> {
    let path = merge_file(repo);
    // Only a plain file of a sane size is read (a FIFO there would hang every command).
    use poni_repo::store::{read_limited, Limited};
    let damaged = |why: String| VcError::Git(format!("{} {why}: delete it to give up the unfinished pull", path.display()));
    match read_limited(&path, 16 << 20).map_err(|e| VcError::io(&path, e))? {
        Limited::Missing => Ok(None),
        Limited::Text(text) => serde_json::from_str(&text).map(Some).map_err(|e| damaged(format!("is damaged ({e})"))),
        Limited::NotText => Err(damaged("is not text".into())),
        Limited::TooLarge => Err(damaged("is too large".into())),
        Limited::Refused(kind) => Err(damaged(format!("is {}", kind.describe()))),
    }
}

pub(crate) fn save_merge(repo: &Repository, merge: &PendingMerge) -> Result<()> {
    let path = merge_file(repo);
    let bytes = serde_json::to_vec_pretty(merge).map_err(|e| VcError::Git(e.to_string()))?;
    fs::write(&path, bytes).map_err(|e| VcError::io(path, e))
}

pub(crate) fn refuse_pending_merge(repo: &Repository) -> Result<()> {
    match load_merge(repo)? {
        Some(merge) => Err(VcError::ConflictsPending(merge.conflicts.len())),
        None => Ok(()),
    }
}
