//! Committing changes: a checkpoint the user asks for, or the commit after each change.

use crate::config::mode_of;
use crate::error::Result;
use crate::git::{commit_all, lock, open};
use crate::pending_merge::{load_merge, refuse_pending_merge};
use crate::types::{CommitInfo, VcMode};
use git2::{Repository, RepositoryState};
use std::fs;
use std::path::Path;

/// Commits every change (additions, edits, deletions; never Poni Desktop's own files). The
/// message defaults to a summary ("Change 3 nodes: db/x, web/a, web/b"). None when nothing
/// changed. Refused while a pull's conflicts are unresolved.
pub fn checkpoint(root: &Path, message: Option<&str>) -> Result<Option<CommitInfo>> {
    let repo = open(root)?;
    refuse_pending_merge(&repo)?;
    let _lock = lock(root)?;
    commit_all(&repo, message.map(str::trim).filter(|m| !m.is_empty()))
}

/// What to call after each change the app or the command line made (`label` says what, and
/// becomes the commit message; empty: a summary of what changed): commits it when the folder
/// is a git work tree in mode [`VcMode::EachChange`] with no unfinished pull. Does nothing
/// otherwise. Errors are for the caller to log; the change itself is made either way.
pub fn after_change(root: &Path, label: &str) -> Result<Option<CommitInfo>> {
    // Most repositories are not under git. One `lstat` says so; asking libgit2 costs its
    // start-up (about 25 ms) on every change, a tenth of a set on 10,000 nodes.
    if fs::symlink_metadata(root.join(".git")).is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound) {
        return Ok(None);
    }
    let repo = match Repository::open(root) {
        Ok(repo) if !repo.is_bare() => repo,
        Ok(_) => return Ok(None),
        Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    if mode_of(&repo)? != VcMode::EachChange || load_merge(&repo)?.is_some() || repo.state() != RepositoryState::Clean {
        return Ok(None);
    }
    // The core calls this at the end of a change, under the repository lock it holds.
    commit_all(&repo, Some(label.trim()).filter(|l| !l.is_empty()))
}
