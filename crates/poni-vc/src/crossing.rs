//! What may cross between the repository and a remote.
//!
//! Coming in: a remote is someone else's: its
//! commits are read as hostile input and checked before anything is checked out, so a pull
//! either takes a commit whole or changes nothing.
//!
//! Refused: Poni Desktop's private files (the journal, the undo history, launch records,
//! temporary files: a planted history entry would become the next undo, a planted journal
//! the next recovery), links (a link to the user's home turns every later write below it into
//! a write outside the repository), submodules, and names that are not plain (control
//! characters, not UTF-8, too long).

use crate::error::{Result, VcError};
use crate::paths;
use git2::{FileMode, ObjectType, Oid, Repository, Tree, TreeWalkMode, TreeWalkResult};
use std::path::Path;

/// At most this many problems are named in the message.
const SHOWN: usize = 5;

/// Why one path of a commit is refused.
fn problem(path: &str, mode: i32, kind: Option<ObjectType>) -> Option<&'static str> {
    if paths::is_private(Path::new(path)) {
        return Some("Poni Desktop's private file");
    }
    if mode == i32::from(FileMode::Link) {
        return Some("a symbolic link");
    }
    if mode == i32::from(FileMode::Commit) || kind == Some(ObjectType::Commit) {
        return Some("a submodule");
    }
    if path.len() > poni_repo::repo_path::MAX_PATH_BYTES {
        return Some("a path too long");
    }
    if path.chars().any(poni_repo::name::is_hidden_or_control) {
        return Some("a name with control characters");
    }
    None
}

/// Refuses `tree` (of the remote's commit `commit`) when it carries anything a repository must
/// not take from elsewhere, naming what and where.
pub(crate) fn check_tree(repo: &Repository, commit: Oid, tree: &Tree<'_>) -> Result<()> {
    let mut found: Vec<String> = Vec::new();
    let mut count = 0usize;
    tree.walk(TreeWalkMode::PreOrder, |dir, entry| {
        let Ok(name) = std::str::from_utf8(entry.name_bytes()) else {
            count += 1;
            if found.len() < SHOWN {
                found.push(format!("a name that is not UTF-8 text in '{}'", dir.escape_debug()));
            }
            return TreeWalkResult::Skip;
        };
        let path = format!("{dir}{name}");
        match problem(&path, entry.filemode(), entry.kind()) {
            Some(what) => {
                count += 1;
                if found.len() < SHOWN {
                    found.push(format!("{what} '{}'", path.escape_debug()));
                }
                TreeWalkResult::Skip
            }
            None => TreeWalkResult::Ok,
        }
    })?;
    if count == 0 {
        return Ok(());
    }
    let short = repo.find_object(commit, None).ok().and_then(|o| o.short_id().ok()).and_then(|b| b.as_str().map(str::to_owned));
    let mut listed = found.join(", ");
    if count > found.len() {
        listed.push_str(&format!(" and {} more", count - found.len()));
    }
    Err(VcError::RefusedFromRemote { commit: short.unwrap_or_else(|| commit.to_string()), listed })
}

/// Going out: refuses to share commits whose tree carries Poni Desktop's private files at the top (the
/// journal, the history, launch records): they hold every node's contents before and after
/// each change, and must never reach a remote.
pub(crate) fn check_outgoing(tree: &Tree<'_>) -> Result<()> {
    let private: Vec<String> = tree
        .iter()
        .filter_map(|e| e.name().map(str::to_owned))
        .filter(|name| paths::is_private(Path::new(name)))
        .map(|n| n.escape_debug().to_string())
        .collect();
    if private.is_empty() {
        return Ok(());
    }
    Err(VcError::PrivateOutgoing(private.join(", ")))
}
