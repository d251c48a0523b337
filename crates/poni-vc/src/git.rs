//! The helpers every verb shares: the repository and its lock, HEAD and its branch, what
//! changed, committing it, and reading files out of trees.

use crate::error::{Result, VcError};
use crate::paths;
use crate::types::CommitInfo;
use git2::{Commit, Index, IndexAddOption, Oid, Repository, Signature, StatusOptions, Tree};
use poni_repo::store::RepoLock;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The git repository whose work tree is `root`, or [`VcError::NotARepository`].
pub(crate) fn open(root: &Path) -> Result<Repository> {
    match Repository::open(root) {
        Ok(repo) if !repo.is_bare() => Ok(repo),
        Ok(_) => Err(VcError::NotARepository(root.to_path_buf())),
        Err(e) if e.code() == git2::ErrorCode::NotFound => Err(VcError::NotARepository(root.to_path_buf())),
        Err(e) => Err(e.into()),
    }
}

/// Checks that `root` is a poni repository (finishing a change a crash interrupted) and takes
/// its lock, so that no change of the app or the command line runs while git works.
pub(crate) fn lock(root: &Path) -> Result<RepoLock> {
    poni_repo::Repo::open(root)?;
    Ok(RepoLock::acquire(root)?)
}

pub(crate) fn signature(repo: &Repository) -> Result<Signature<'static>> {
    match repo.signature() {
        Ok(signature) => Ok(signature),
        Err(_) => Ok(Signature::now("Poni Desktop", "poni-desktop@localhost")?),
    }
}

pub(crate) fn head_commit(repo: &Repository) -> Result<Option<Commit<'_>>> {
    match repo.head() {
        Ok(head) => Ok(Some(head.peel_to_commit()?)),
        Err(e) if matches!(e.code(), git2::ErrorCode::UnbornBranch | git2::ErrorCode::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

pub(crate) fn head_tree(repo: &Repository) -> Result<Option<Tree<'_>>> {
    match head_commit(repo)? {
        Some(commit) => Ok(Some(commit.tree()?)),
        None => Ok(None),
    }
}

/// The branch HEAD names (also before the first commit); None when HEAD is detached.
pub(crate) fn branch_name(repo: &Repository) -> Result<Option<String>> {
    let head = repo.find_reference("HEAD")?;
    Ok(head.symbolic_target().and_then(|t| t.strip_prefix("refs/heads/")).map(str::to_owned))
}

pub(crate) fn require_branch(repo: &Repository) -> Result<String> {
    branch_name(repo)?.ok_or_else(|| VcError::Usage("HEAD is not on a branch (detached): check out a branch with git first".into()))
}

pub(crate) fn commit_info(commit: &Commit<'_>) -> CommitInfo {
    let id = commit.id().to_string();
    CommitInfo {
        id: id[..7].to_owned(),
        message: commit.message().unwrap_or_default().trim().to_owned(),
        at: paths::rfc3339(commit.time().seconds()),
        author: commit.author().name().unwrap_or_default().to_owned(),
    }
}

/// Stages every change of the work tree, deletions too, honouring `.gitignore` and never
/// taking Poni Desktop's own files.
pub(crate) fn stage_all(index: &mut Index) -> Result<()> {
    let skip_private = &mut |path: &Path, _matched: &[u8]| -> i32 { i32::from(paths::is_private(path)) };
    index.add_all(["*"].iter(), IndexAddOption::DEFAULT, Some(skip_private as &mut git2::IndexMatchedPath))?;
    let skip_private = &mut |path: &Path, _matched: &[u8]| -> i32 { i32::from(paths::is_private(path)) };
    index.update_all(["*"].iter(), Some(skip_private as &mut git2::IndexMatchedPath))?;
    // Tracked by an earlier commit (made elsewhere): the next commit stops carrying them.
    let tracked: Vec<PathBuf> = index.iter().filter_map(|e| String::from_utf8(e.path).ok()).map(PathBuf::from).filter(|p| paths::is_private(p)).collect();
    for path in tracked {
        index.remove_path(&path)?;
    }
    Ok(())
}

pub(crate) fn delta_path(delta: &git2::DiffDelta<'_>) -> Option<String> {
    delta.new_file().path().or_else(|| delta.old_file().path()).map(|p| p.to_string_lossy().replace('\\', "/"))
}

/// Paths that are changed in the work tree (or index) compared with HEAD, untracked ones too.
pub(crate) fn changed_paths(repo: &Repository) -> Result<Vec<String>> {
    let mut options = StatusOptions::new();
    options.include_untracked(true).recurse_untracked_dirs(true).include_ignored(false).exclude_submodules(true);
    let statuses = repo.statuses(Some(&mut options))?;
    Ok(statuses.iter().filter_map(|entry| entry.path().map(str::to_owned)).filter(|path| !paths::is_private(Path::new(path))).collect())
}

/// Stages everything and commits it; None when nothing changed.
pub(crate) fn commit_all(repo: &Repository, message: Option<&str>) -> Result<Option<CommitInfo>> {
    let mut index = repo.index()?;
    stage_all(&mut index)?;
    let parent = head_commit(repo)?;
    let parent_tree = match &parent {
        Some(commit) => Some(commit.tree()?),
        None => None,
    };
    let diff = repo.diff_tree_to_index(parent_tree.as_ref(), Some(&index), None)?;
    let changed: Vec<String> = diff.deltas().filter_map(|d| delta_path(&d)).collect();
    if changed.is_empty() {
        return Ok(None);
    }
    index.write()?;
    let tree = repo.find_tree(index.write_tree()?)?;
    let message = message.map(str::to_owned).unwrap_or_else(|| paths::summary(&changed));
    let signature = signature(repo)?;
    let parents: Vec<&Commit<'_>> = parent.iter().collect();
    let id = repo.commit(Some("HEAD"), &signature, &signature, &message, &tree, &parents)?;
    Ok(Some(commit_info(&repo.find_commit(id)?)))
}

/// Parses one side of a file: its JSON, or the text itself when it is not JSON.
pub(crate) fn parse_side(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned()))
}

pub(crate) fn blob_bytes(repo: &Repository, id: Oid) -> Result<Vec<u8>> {
    Ok(repo.find_blob(id)?.content().to_vec())
}

/// The content of `path` in `tree`; None when the tree does not have it.
pub(crate) fn file_in(repo: &Repository, tree: &Tree<'_>, path: &str) -> Result<Option<Vec<u8>>> {
    match tree.get_path(Path::new(path)) {
        Ok(entry) => Ok(Some(blob_bytes(repo, entry.id())?)),
        Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}
