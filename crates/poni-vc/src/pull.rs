//! Bringing in the remote's changes: fast-forward, merge, or stop on conflicts.

use crate::config::{mode_of, upstream_of, REMOTE};
use crate::conflicts::conflicts_of;
use crate::crossing;
use crate::error::{Result, VcError};
use crate::git::{changed_paths, commit_all, delta_path, head_commit, lock, open, require_branch, signature};
use crate::paths;
use crate::pending_merge::{refuse_pending_merge, save_merge, PendingConflict, PendingMerge};
use crate::remote;
use crate::types::{PullKind, PullOutcome, VcMode};
use git2::build::CheckoutBuilder;
use git2::{Repository, Tree};
use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

// Named only by the doc comment of `pull`.
#[cfg(doc)]
use crate::{resolve, Conflict};

/// The stage bits of an index entry's flags (libgit2's GIT_INDEX_ENTRY_STAGEMASK).
const STAGE_MASK: u16 = 0x3000;

/// The paths that differ between two trees (None: the empty tree).
fn paths_between(repo: &Repository, old: Option<&Tree<'_>>, new: Option<&Tree<'_>>) -> Result<Vec<String>> {
    let diff = repo.diff_tree_to_tree(old, new, None)?;
    Ok(diff.deltas().filter_map(|d| delta_path(&d)).collect())
}

/// The items (names) among changed paths, sorted, each once.
fn item_names(changed: &[String]) -> Vec<String> {
    changed.iter().filter_map(|p| paths::item_of(p).map(|(name, _)| name)).collect::<BTreeSet<_>>().into_iter().collect()
}

fn checkout_force(repo: &Repository, tree: &Tree<'_>) -> Result<()> {
    let mut checkout = CheckoutBuilder::new();
    checkout.force();
    repo.checkout_tree(tree.as_object(), Some(&mut checkout))?;
    Ok(())
}

/// Checks out what a pull brings in, all or nothing: should the checkout fail part way, the
/// work tree and the index are put back to `ours` (HEAD, which has not moved yet).
fn checkout_incoming(repo: &Repository, tree: &Tree<'_>, ours: Option<&Tree<'_>>) -> Result<()> {
    let Err(error) = checkout_force(repo, tree) else { return Ok(()) };
    let restored = match ours {
        Some(ours) => checkout_force(repo, ours),
        None => Ok(()),
    };
    match restored {
        Ok(()) => Err(error),
        Err(again) => {
            Err(VcError::Git(format!("{error}; putting the work tree back failed too ({again}): `poni vc status` shows what differs from the last commit")))
        }
    }
}

/// git does not keep empty folders: a repository with no item yet still needs `system/`.
fn keep_system_dir(root: &Path) -> Result<()> {
    let dir = root.join(poni_repo::store::SYSTEM_DIR);
    fs::create_dir_all(&dir).map_err(|e| VcError::io(dir, e))
}

/// Brings in the remote's changes (`origin`, the current branch's upstream or the same branch
/// name). Uncommitted changes are checkpointed first in mode [`VcMode::EachChange`] ("Local
/// changes before pull") and refused in mode [`VcMode::Checkpoint`]. Files only one side changed
/// are merged; a file both changed becomes a [`Conflict`]: the work tree keeps mine for it,
/// the rest is merged, and the pull waits in `.git/poni-merge.json` until [`resolve`] settled
/// every conflict.
pub fn pull(root: &Path) -> Result<PullOutcome> {
    let repo = open(root)?;
    refuse_pending_merge(&repo)?;
    let _lock = lock(root)?;
    let dirty = changed_paths(&repo)?;
    if !dirty.is_empty() {
        match mode_of(&repo)? {
            VcMode::Checkpoint => {
                let names: BTreeSet<String> = dirty.iter().map(|p| paths::display_name(p)).collect();
                let mut listed = names.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
                if names.len() > 5 {
                    listed.push_str(&format!(" and {} more", names.len() - 5));
                }
                return Err(VcError::Uncommitted(listed));
            }
            VcMode::EachChange => {
                commit_all(&repo, Some("Local changes before pull"))?;
            }
        }
    }
    let branch = require_branch(&repo)?;
    let upstream = upstream_of(&repo, &branch);
    remote::fetch(&repo, REMOTE)?;
    let their_id = match repo.refname_to_id(&format!("refs/remotes/{REMOTE}/{upstream}")) {
        Ok(id) => id,
        // The remote does not have the branch yet: nothing to bring in.
        Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(PullOutcome { kind: PullKind::UpToDate, changed_items: vec![], conflicts: vec![] }),
        Err(e) => return Err(e.into()),
    };
    let theirs = repo.find_commit(their_id)?;
    let their_tree = theirs.tree()?;
    crossing::check_tree(&repo, their_id, &their_tree)?;
    let Some(ours) = head_commit(&repo)? else {
        // Nothing here yet: take theirs as it is.
        checkout_incoming(&repo, &their_tree, None)?;
        repo.reference(&format!("refs/heads/{branch}"), their_id, true, "poni vc pull: first commits from origin")?;
        keep_system_dir(root)?;
        let changed = item_names(&paths_between(&repo, None, Some(&their_tree))?);
        return Ok(PullOutcome { kind: PullKind::FastForward, changed_items: changed, conflicts: vec![] });
    };
    let our_tree = ours.tree()?;
    let annotated = repo.find_annotated_commit(their_id)?;
    let (analysis, _) = repo.merge_analysis(&[&annotated])?;
    if analysis.is_up_to_date() {
        return Ok(PullOutcome { kind: PullKind::UpToDate, changed_items: vec![], conflicts: vec![] });
    }
    if analysis.is_fast_forward() {
        checkout_incoming(&repo, &their_tree, Some(&our_tree))?;
        repo.reference(&format!("refs/heads/{branch}"), their_id, true, "poni vc pull: fast-forward")?;
        keep_system_dir(root)?;
        let changed = item_names(&paths_between(&repo, Some(&our_tree), Some(&their_tree))?);
        return Ok(PullOutcome { kind: PullKind::FastForward, changed_items: changed, conflicts: vec![] });
    }
    let mut merged = repo.merge_commits(&ours, &theirs, None)?;
    if !merged.has_conflicts() {
        let tree = repo.find_tree(merged.write_tree_to(&repo)?)?;
        checkout_incoming(&repo, &tree, Some(&our_tree))?;
        let signature = signature(&repo)?;
        repo.commit(Some("HEAD"), &signature, &signature, &format!("Merge from {REMOTE}"), &tree, &[&ours, &theirs])?;
        keep_system_dir(root)?;
        let changed = item_names(&paths_between(&repo, Some(&our_tree), Some(&tree))?);
        return Ok(PullOutcome { kind: PullKind::Merged, changed_items: changed, conflicts: vec![] });
    }
    // Conflicts: each conflicted file keeps mine for now (in the merged index too, so the
    // checkout leaves it as it is); everything else is merged.
    let found: Vec<git2::IndexConflict> = merged.conflicts()?.collect::<std::result::Result<_, _>>()?;
    let mut pending = Vec::new();
    for conflict in found {
        let entry = conflict.our.as_ref().or(conflict.their.as_ref()).or(conflict.ancestor.as_ref());
        let Some(entry) = entry else { continue };
        let path = String::from_utf8_lossy(&entry.path).into_owned();
        merged.conflict_remove(Path::new(&path))?;
        if let Some(mut mine) = conflict.our {
            mine.flags &= !STAGE_MASK;
            merged.add(&mine)?;
        }
        pending.push(PendingConflict { name: paths::display_name(&path), path });
    }
    let tree = repo.find_tree(merged.write_tree_to(&repo)?)?;
    checkout_incoming(&repo, &tree, Some(&our_tree))?;
    keep_system_dir(root)?;
    let merge = PendingMerge { theirs: their_id.to_string(), total: pending.len(), conflicts: pending };
    save_merge(&repo, &merge)?;
    let mut changed: BTreeSet<String> = item_names(&paths_between(&repo, Some(&our_tree), Some(&tree))?).into_iter().collect();
    changed.extend(merge.conflicts.iter().map(|c| c.name.clone()));
    Ok(PullOutcome { kind: PullKind::Conflicts, changed_items: changed.into_iter().collect(), conflicts: conflicts_of(&repo, &merge)? })
}
