//! The conflicts an unfinished pull left: listing them, and settling each by keeping one side.

use crate::config::REMOTE;
use crate::error::{Result, VcError};
use crate::git::{file_in, head_commit, head_tree, lock, open, parse_side, signature, stage_all};
use crate::pending_merge::{load_merge, merge_file, save_merge, PendingMerge};
use crate::status::status;
use crate::types::{Choice, Conflict, VcStatus};
use git2::{Oid, Repository};
use std::fs;
use std::path::Path;

pub(crate) fn conflicts_of(repo: &Repository, merge: &PendingMerge) -> Result<Vec<Conflict>> {
    let mine_tree = head_tree(repo)?;
    let their_tree = repo.find_commit(Oid::from_str(&merge.theirs)?)?.tree()?;
    let mut out = Vec::new();
    for pending in &merge.conflicts {
        let mine = match &mine_tree {
            Some(tree) => file_in(repo, tree, &pending.path)?.map(|b| parse_side(&b)),
            None => None,
        };
        let theirs = file_in(repo, &their_tree, &pending.path)?.map(|b| parse_side(&b));
        let properties = poni_repo::property_diffs(mine.as_ref(), theirs.as_ref());
        out.push(Conflict { name: pending.name.clone(), mine, theirs, properties });
    }
    Ok(out)
}

/// The conflicts the last pull left unresolved (none when there is no unfinished pull).
pub fn conflicts(root: &Path) -> Result<Vec<Conflict>> {
    let repo = open(root)?;
    match load_merge(&repo)? {
        Some(merge) => conflicts_of(&repo, &merge),
        None => Ok(vec![]),
    }
}

/// Settles one conflict by keeping one side: its file content goes to the work tree (the side
/// removed the item: its file goes, and its folder when that is left empty). When the last
/// conflict is settled the merge is committed with both parents, HEAD and their commit
/// ("Merge from origin (n conflicts resolved)").
///
/// Neither side is ever lost: the side not chosen stays in git history, mine in the commit
/// HEAD was at, theirs in their commit, which is a parent of the merge.
pub fn resolve(root: &Path, name: &str, choice: Choice) -> Result<VcStatus> {
    let repo = open(root)?;
    let Some(mut merge) = load_merge(&repo)? else {
        return Err(VcError::Usage("there is no conflict to resolve: the last pull finished".into()));
    };
    let Some(at) = merge.conflicts.iter().position(|c| c.name == name) else {
        let names: Vec<&str> = merge.conflicts.iter().map(|c| c.name.as_str()).collect();
        return Err(VcError::Usage(format!("'{name}' is not in conflict: the conflicts are {}", names.join(", "))));
    };
    let lock = lock(root)?;
    let theirs = repo.find_commit(Oid::from_str(&merge.theirs)?)?;
    let pending = merge.conflicts.remove(at);
    let content = match choice {
        Choice::Mine => match head_tree(&repo)? {
            Some(tree) => file_in(&repo, &tree, &pending.path)?,
            None => None,
        },
        Choice::Theirs => file_in(&repo, &theirs.tree()?, &pending.path)?,
    };
    if poni_repo::item_of_file(&pending.path).is_none() {
        return Err(VcError::Git(format!(
            "{}: names '{}', which is not a node's or a system's file: delete it to give up the unfinished pull",
            merge_file(&repo).display(),
            pending.path.escape_debug()
        )));
    }
    let file = poni_repo::repo_path::resolve(root, &pending.path)?;
    match content {
        Some(bytes) => {
            if let Some(dir) = file.parent() {
                fs::create_dir_all(dir).map_err(|e| VcError::io(dir, e))?;
            }
            poni_repo::store::write_atomic(&file, &bytes)?;
        }
        None => {
            match fs::remove_file(&file) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(VcError::io(file, e)),
            }
            remove_empty_dirs(root, &file);
        }
    }
    if merge.conflicts.is_empty() {
        let head = head_commit(&repo)?.ok_or_else(|| VcError::Git("the unfinished pull has no commit of ours to merge into".into()))?;
        let mut index = repo.index()?;
        stage_all(&mut index)?;
        index.write()?;
        let tree = repo.find_tree(index.write_tree()?)?;
        let signature = signature(&repo)?;
        let message = format!("Merge from {REMOTE} ({} conflict{} resolved)", merge.total, if merge.total == 1 { "" } else { "s" });
        repo.commit(Some("HEAD"), &signature, &signature, &message, &tree, &[&head, &theirs])?;
        let path = merge_file(&repo);
        fs::remove_file(&path).map_err(|e| VcError::io(path, e))?;
    } else {
        save_merge(&repo, &merge)?;
    }
    drop(lock);
    status(root)
}

/// Removes the folders above `file` that are left empty, up to (not including) `system/`.
fn remove_empty_dirs(root: &Path, file: &Path) {
    let stop = root.join(poni_repo::store::SYSTEM_DIR);
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == stop || !d.starts_with(&stop) || fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}
