//! Where the history stands: branch, mode, uncommitted items, ahead and behind, conflicts.

use crate::config::{mode_of, upstream_of, REMOTE};
use crate::error::{Result, VcError};
use crate::git::{branch_name, changed_paths, commit_info, head_commit, open};
use crate::paths;
use crate::pending_merge::load_merge;
use crate::types::{VcMode, VcStatus};
use std::collections::BTreeSet;
use std::path::Path;

/// Whether `root` is a git work tree.
pub fn is_enabled(root: &Path) -> bool {
    open(root).is_ok()
}

/// Where the history stands. A folder that is not a git work tree gives `enabled: false`.
pub fn status(root: &Path) -> Result<VcStatus> {
    let repo = match open(root) {
        Ok(repo) => repo,
        Err(VcError::NotARepository(_)) => {
            return Ok(VcStatus {
                enabled: false,
                branch: None,
                mode: VcMode::default(),
                changed_items: 0,
                remote: None,
                ahead: 0,
                behind: 0,
                conflicts: 0,
                last_commit: None,
            })
        }
        Err(e) => return Err(e),
    };
    let branch = branch_name(&repo)?;
    let head = head_commit(&repo)?;
    let changed: BTreeSet<String> = changed_paths(&repo)?.iter().map(|p| paths::display_name(p)).collect();
    let remote = repo.find_remote(REMOTE).ok().and_then(|r| r.url().map(str::to_owned));
    let (mut ahead, mut behind) = (0, 0);
    if let (Some(branch), Some(head)) = (&branch, &head) {
        if let Ok(upstream) = repo.refname_to_id(&format!("refs/remotes/{REMOTE}/{}", upstream_of(&repo, branch))) {
            let (a, b) = repo.graph_ahead_behind(head.id(), upstream)?;
            (ahead, behind) = (a as u32, b as u32);
        }
    }
    Ok(VcStatus {
        enabled: true,
        branch,
        mode: mode_of(&repo)?,
        changed_items: changed.len() as u32,
        remote,
        ahead,
        behind,
        conflicts: load_merge(&repo)?.map_or(0, |m| m.conflicts.len() as u32),
        last_commit: head.as_ref().map(commit_info),
    })
}
