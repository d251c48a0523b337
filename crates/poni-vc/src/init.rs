//! Starting the history: `git init`, the `.gitignore`, the first commit.

use crate::error::{Result, VcError};
use crate::git::{commit_all, head_commit, lock};
use crate::paths::GITIGNORE_LINES;
use crate::types::CommitInfo;
use git2::Repository;
use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

/// Adds our lines to `.gitignore` (keeping what is there).
fn write_gitignore(root: &Path) -> Result<()> {
    let path = root.join(".gitignore");
    let existing = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(VcError::io(path, e)),
    };
    let have: BTreeSet<&str> = existing.lines().map(str::trim).collect();
    let missing: Vec<&str> = GITIGNORE_LINES.iter().copied().filter(|l| !have.contains(l)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let mut text = existing.clone();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    if existing.is_empty() {
        text.push_str("# Poni Desktop's own files: never shared\n");
    }
    for line in missing {
        text.push_str(line);
        text.push('\n');
    }
    fs::write(&path, text).map_err(|e| VcError::io(path, e))
}

/// Starts the history: `git init` in the repository folder (unless it is a git work tree
/// already), a `.gitignore` for Poni Desktop's own files, and a first commit of everything
/// ("poni vc init"). A folder that already has commits is refused
/// ([`VcError::AlreadyInitialized`]).
pub fn init(root: &Path) -> Result<CommitInfo> {
    let _lock = lock(root)?;
    let repo = match Repository::open(root) {
        Ok(repo) if repo.is_bare() => return Err(VcError::Usage(format!("'{}' is a bare git repository, not a work tree", root.display()))),
        Ok(repo) => {
            if head_commit(&repo)?.is_some() {
                return Err(VcError::AlreadyInitialized(root.to_path_buf()));
            }
            repo
        }
        Err(e) if e.code() == git2::ErrorCode::NotFound => Repository::init(root)?,
        Err(e) => return Err(e.into()),
    };
    write_gitignore(root)?;
    commit_all(&repo, Some("poni vc init"))?.ok_or_else(|| VcError::Git("there was nothing to commit".into()))
}
