//! History and sharing of a poni repository through git: every git rule lives here, the
//! command line (`poni vc ...`) and the desktop app only call these functions.
//!
//! The repository folder (the one with `repo.json`) is the git work tree. Changes are
//! committed after each change (mode [`VcMode::EachChange`], the default) or when the user makes
//! a checkpoint ([`VcMode::Checkpoint`]); the mode is kept in the git repository's own config
//! (`poni.commit`). Pulls merge per file, and a file both sides changed becomes a [`Conflict`]
//! about one node or system, shown property by property and settled by keeping one side
//! ([`resolve`]). Poni Desktop's own bookkeeping files are never committed (`.gitignore`).
//!
//! Only libgit2 (through `git2`) is used, never the `git` program.

mod crossing;
mod error;
mod paths;
mod remote;
#[cfg(test)]
mod tests;

pub use error::{Result, VcError};
pub use paths::GITIGNORE_LINES;
pub use poni_repo::PropertyDiff;

use git2::build::CheckoutBuilder;
use git2::{Commit, Delta, DiffFormat, DiffOptions, Index, IndexAddOption, Oid, Repository, RepositoryState, Signature, StatusOptions, Tree};
use poni_repo::store::RepoLock;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use ts_rs::TS;

/// The git config key that holds the mode.
const MODE_KEY: &str = "poni.commit";
/// The remote pull and push use.
const REMOTE: &str = "origin";
/// A pull that stopped on conflicts, in the `.git` folder.
const MERGE_FILE: &str = "poni-merge.json";
/// The stage bits of an index entry's flags (libgit2's GIT_INDEX_ENTRY_STAGEMASK).
const STAGE_MASK: u16 = 0x3000;

// The types below cross IPC; they carry no doc comments so that the TypeScript made from them
// (ui/src/bindings) stays as it is.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum VcMode {
    // Commit after every change the app or the command line makes.
    #[default]
    EachChange,
    // Commit only when the user makes a checkpoint.
    Checkpoint,
}

/// When changes are committed: see [`VcMode`].
pub type Mode = VcMode;

impl VcMode {
    /// The value in the git config (`poni.commit`).
    pub fn as_str(self) -> &'static str {
        match self {
            VcMode::EachChange => "each",
            VcMode::Checkpoint => "checkpoint",
        }
    }

    /// `each` or `checkpoint` (the command line's words, also the config's).
    pub fn parse(text: &str) -> Option<VcMode> {
        match text {
            "each" | "eachChange" | "each-change" => Some(VcMode::EachChange),
            "checkpoint" => Some(VcMode::Checkpoint),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct VcStatus {
    pub enabled: bool,
    pub branch: Option<String>,
    pub mode: VcMode,
    pub changed_items: u32,
    pub remote: Option<String>,
    pub ahead: u32,
    pub behind: u32,
    pub conflicts: u32,
    pub last_commit: Option<CommitInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct CommitInfo {
    pub id: String,
    pub message: String,
    pub at: String,
    pub author: String,
}

/// A node or a system: the core's own kind.
pub use poni_repo::Kind as ItemKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum DiffChange {
    Added,
    Removed,
    Changed,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct RepoDiff {
    pub items: Vec<ItemDiff>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ItemDiff {
    pub name: String,
    pub kind: ItemKind,
    pub change: DiffChange,
    pub properties: Vec<PropertyDiff>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum PullKind {
    UpToDate,
    FastForward,
    Merged,
    Conflicts,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct PullOutcome {
    pub kind: PullKind,
    pub changed_items: Vec<String>,
    pub conflicts: Vec<Conflict>,
}

// One file both sides changed: `mine` is this repository's version, `theirs` the remote's
// (None: that side removed it); in `properties`, `before` is mine and `after` theirs.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct Conflict {
    pub name: String,
    pub mine: Option<Value>,
    pub theirs: Option<Value>,
    pub properties: Vec<PropertyDiff>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Choice {
    Mine,
    Theirs,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct PushOutcome {
    pub remote: String,
    pub branch: String,
}

/// A pull that stopped on conflicts, kept in `.git/poni-merge.json` until the last one is
/// resolved. The conflicts' contents are read again from git each time (mine from HEAD,
/// theirs from their commit), so only names and paths are stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct PendingMerge {
    theirs: String,
    total: usize,
    conflicts: Vec<PendingConflict>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct PendingConflict {
    name: String,
    path: String,
}

/// The git repository whose work tree is `root`, or [`VcError::NotARepository`].
fn open(root: &Path) -> Result<Repository> {
    match Repository::open(root) {
        Ok(repo) if !repo.is_bare() => Ok(repo),
        Ok(_) => Err(VcError::NotARepository(root.to_path_buf())),
        Err(e) if e.code() == git2::ErrorCode::NotFound => Err(VcError::NotARepository(root.to_path_buf())),
        Err(e) => Err(e.into()),
    }
}

/// Whether `root` is a git work tree.
pub fn is_enabled(root: &Path) -> bool {
    open(root).is_ok()
}

/// Checks that `root` is a poni repository (finishing a change a crash interrupted) and takes
/// its lock, so that no change of the app or the command line runs while git works.
fn lock(root: &Path) -> Result<RepoLock> {
    poni_repo::Repo::open(root)?;
    Ok(RepoLock::acquire(root)?)
}

fn signature(repo: &Repository) -> Result<Signature<'static>> {
    match repo.signature() {
        Ok(signature) => Ok(signature),
        Err(_) => Ok(Signature::now("Poni Desktop", "poni-desktop@localhost")?),
    }
}

fn head_commit(repo: &Repository) -> Result<Option<Commit<'_>>> {
    match repo.head() {
        Ok(head) => Ok(Some(head.peel_to_commit()?)),
        Err(e) if matches!(e.code(), git2::ErrorCode::UnbornBranch | git2::ErrorCode::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

fn head_tree(repo: &Repository) -> Result<Option<Tree<'_>>> {
    match head_commit(repo)? {
        Some(commit) => Ok(Some(commit.tree()?)),
        None => Ok(None),
    }
}

/// The branch HEAD names (also before the first commit); None when HEAD is detached.
fn branch_name(repo: &Repository) -> Result<Option<String>> {
    let head = repo.find_reference("HEAD")?;
    Ok(head.symbolic_target().and_then(|t| t.strip_prefix("refs/heads/")).map(str::to_owned))
}

fn require_branch(repo: &Repository) -> Result<String> {
    branch_name(repo)?.ok_or_else(|| VcError::Usage("HEAD is not on a branch (detached): check out a branch with git first".into()))
}

fn commit_info(commit: &Commit<'_>) -> CommitInfo {
    let id = commit.id().to_string();
    CommitInfo {
        id: id[..7].to_owned(),
        message: commit.message().unwrap_or_default().trim().to_owned(),
        at: paths::rfc3339(commit.time().seconds()),
        author: commit.author().name().unwrap_or_default().to_owned(),
    }
}

fn mode_of(repo: &Repository) -> Result<VcMode> {
    match repo.config()?.get_string(MODE_KEY) {
        Ok(value) => Ok(VcMode::parse(value.trim()).unwrap_or_default()),
        Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(VcMode::default()),
        Err(e) => Err(e.into()),
    }
}

fn merge_file(repo: &Repository) -> PathBuf {
    repo.path().join(MERGE_FILE)
}

fn load_merge(repo: &Repository) -> Result<Option<PendingMerge>> {
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

fn save_merge(repo: &Repository, merge: &PendingMerge) -> Result<()> {
    let path = merge_file(repo);
    let bytes = serde_json::to_vec_pretty(merge).map_err(|e| VcError::Git(e.to_string()))?;
    fs::write(&path, bytes).map_err(|e| VcError::io(path, e))
}

fn refuse_pending_merge(repo: &Repository) -> Result<()> {
    match load_merge(repo)? {
        Some(merge) => Err(VcError::ConflictsPending(merge.conflicts.len())),
        None => Ok(()),
    }
}

/// Stages every change of the work tree, deletions too, honouring `.gitignore` and never
/// taking Poni Desktop's own files.
fn stage_all(index: &mut Index) -> Result<()> {
    let skip_private = &mut |path: &Path, _matched: &[u8]| -> i32 { i32::from(paths::is_private(path)) };
    index.add_all(["*"].iter(), IndexAddOption::DEFAULT, Some(skip_private as &mut git2::IndexMatchedPath))?;
    let skip_private = &mut |path: &Path, _matched: &[u8]| -> i32 { i32::from(paths::is_private(path)) };
    index.update_all(["*"].iter(), Some(skip_private as &mut git2::IndexMatchedPath))?;
    // Tracked by an earlier commit (made elsewhere): the next commit stops carrying them.
    let tracked: Vec<PathBuf> =
        index.iter().filter_map(|e| String::from_utf8(e.path).ok()).map(PathBuf::from).filter(|p| paths::is_private(p)).collect();
    for path in tracked {
        index.remove_path(&path)?;
    }
    Ok(())
}

/// The paths that differ between two trees (None: the empty tree).
fn paths_between(repo: &Repository, old: Option<&Tree<'_>>, new: Option<&Tree<'_>>) -> Result<Vec<String>> {
    let diff = repo.diff_tree_to_tree(old, new, None)?;
    Ok(diff.deltas().filter_map(|d| delta_path(&d)).collect())
}

fn delta_path(delta: &git2::DiffDelta<'_>) -> Option<String> {
    delta.new_file().path().or_else(|| delta.old_file().path()).map(|p| p.to_string_lossy().replace('\\', "/"))
}

/// The items (names) among changed paths, sorted, each once.
fn item_names(changed: &[String]) -> Vec<String> {
    changed.iter().filter_map(|p| paths::item_of(p).map(|(name, _)| name)).collect::<BTreeSet<_>>().into_iter().collect()
}

/// Paths that are changed in the work tree (or index) compared with HEAD, untracked ones too.
fn changed_paths(repo: &Repository) -> Result<Vec<String>> {
    let mut options = StatusOptions::new();
    options.include_untracked(true).recurse_untracked_dirs(true).include_ignored(false).exclude_submodules(true);
    let statuses = repo.statuses(Some(&mut options))?;
    Ok(statuses
        .iter()
        .filter_map(|entry| entry.path().map(str::to_owned))
        .filter(|path| !paths::is_private(Path::new(path)))
        .collect())
}

/// Stages everything and commits it; None when nothing changed.
fn commit_all(repo: &Repository, message: Option<&str>) -> Result<Option<CommitInfo>> {
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

/// The branch on the remote that `branch` follows: its upstream (`branch.<name>.merge`), else
/// the same name.
fn upstream_of(repo: &Repository, branch: &str) -> String {
    repo.config()
        .ok()
        .and_then(|c| c.get_string(&format!("branch.{branch}.merge")).ok())
        .and_then(|m| m.strip_prefix("refs/heads/").map(str::to_owned))
        .unwrap_or_else(|| branch.to_owned())
}

/// Parses one side of a file: its JSON, or the text itself when it is not JSON.
fn parse_side(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned()))
}

fn blob_bytes(repo: &Repository, id: Oid) -> Result<Vec<u8>> {
    Ok(repo.find_blob(id)?.content().to_vec())
}

/// The content of `path` in `tree`; None when the tree does not have it.
fn file_in(repo: &Repository, tree: &Tree<'_>, path: &str) -> Result<Option<Vec<u8>>> {
    match tree.get_path(Path::new(path)) {
        Ok(entry) => Ok(Some(blob_bytes(repo, entry.id())?)),
        Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

fn diff_options(name: Option<&str>, patch: bool) -> DiffOptions {
    let mut options = DiffOptions::new();
    options.include_untracked(true).recurse_untracked_dirs(true).show_untracked_content(patch);
    if let Some(name) = name {
        options.pathspec(format!("system/{name}"));
    }
    options
}

/// What changed in the work tree since the last commit, item by item with each property's
/// value before and after (nested objects by dotted keys). With `name`, only that item (and,
/// for a system, what is inside it).
pub fn diff(root: &Path, name: Option<&str>) -> Result<RepoDiff> {
    let repo = open(root)?;
    let tree = head_tree(&repo)?;
    let mut options = diff_options(name, false);
    let diff = repo.diff_tree_to_workdir_with_index(tree.as_ref(), Some(&mut options))?;
    let mut items = Vec::new();
    for delta in diff.deltas() {
        let Some(path) = delta_path(&delta) else { continue };
        let Some((item, kind)) = paths::item_of(&path) else { continue };
        if name.is_some_and(|wanted| !paths::within(&item, wanted)) {
            continue;
        }
        let before = match delta.status() {
            Delta::Added | Delta::Untracked => None,
            _ if delta.old_file().id().is_zero() => None,
            _ => Some(parse_side(&blob_bytes(&repo, delta.old_file().id())?)),
        };
        let after = match delta.status() {
            Delta::Deleted => None,
            _ => match fs::read(root.join(&path)) {
                Ok(bytes) => Some(parse_side(&bytes)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => return Err(VcError::io(root.join(&path), e)),
            },
        };
        let change = match (&before, &after) {
            (None, None) => continue,
            (None, Some(_)) => DiffChange::Added,
            (Some(_), None) => DiffChange::Removed,
            (Some(_), Some(_)) => DiffChange::Changed,
        };
        let properties = poni_repo::property_diffs(before.as_ref(), after.as_ref());
        items.push(ItemDiff { name: item, kind, change, properties });
    }
    items.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(RepoDiff { items })
}

/// The same changes as [`diff`], as a unified diff (`git diff` text), for the command line.
pub fn patch(root: &Path, name: Option<&str>) -> Result<String> {
    let repo = open(root)?;
    let tree = head_tree(&repo)?;
    let mut options = diff_options(name, true);
    let diff = repo.diff_tree_to_workdir_with_index(tree.as_ref(), Some(&mut options))?;
    let mut out: Vec<u8> = Vec::new();
    diff.print(DiffFormat::Patch, |_delta, _hunk, line| {
        if matches!(line.origin(), '+' | '-' | ' ') {
            out.push(line.origin() as u8);
        }
        out.extend_from_slice(line.content());
        true
    })?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Commits every change (additions, edits, deletions; never Poni Desktop's own files). The
/// message defaults to a summary ("Change 3 nodes: db/x, web/a, web/b"). None when nothing
/// changed. Refused while a pull's conflicts are unresolved.
pub fn checkpoint(root: &Path, message: Option<&str>) -> Result<Option<CommitInfo>> {
    let repo = open(root)?;
    refuse_pending_merge(&repo)?;
    let _lock = lock(root)?;
    commit_all(&repo, message.map(str::trim).filter(|m| !m.is_empty()))
}

/// Sets when changes are committed (kept in the git config as `poni.commit`).
pub fn set_mode(root: &Path, mode: Mode) -> Result<()> {
    let repo = open(root)?;
    let mut config = repo.config()?.open_level(git2::ConfigLevel::Local)?;
    config.set_str(MODE_KEY, mode.as_str())?;
    Ok(())
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
        Err(again) => Err(VcError::Git(format!("{error}; putting the work tree back failed too ({again}): `poni vc status` shows what differs from the last commit"))),
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

fn conflicts_of(repo: &Repository, merge: &PendingMerge) -> Result<Vec<Conflict>> {
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
        return Err(VcError::Git(format!("{}: names '{}', which is not a node's or a system's file: delete it to give up the unfinished pull", merge_file(&repo).display(), pending.path.escape_debug())));
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

/// Refuses a push whose new commits (those the remote's branch, as last seen, does not have)
/// carry Poni Desktop's private files.
fn check_outgoing(repo: &Repository, branch: &str, head: Oid) -> Result<()> {
    let mut walk = repo.revwalk()?;
    walk.push(head)?;
    if let Ok(seen) = repo.refname_to_id(&format!("refs/remotes/{REMOTE}/{branch}")) {
        walk.hide(seen)?;
    }
    for id in walk {
        crossing::check_outgoing(&repo.find_commit(id?)?.tree()?)?;
    }
    Ok(())
}

/// Sends the current branch's commits to `origin` and makes it the branch's upstream.
/// Refused while a pull's conflicts are unresolved, and by the remote when it has commits
/// this repository does not have ([`VcError::Rejected`]: pull first).
pub fn push(root: &Path) -> Result<PushOutcome> {
    let repo = open(root)?;
    refuse_pending_merge(&repo)?;
    let branch = require_branch(&repo)?;
    let head = head_commit(&repo)?.ok_or_else(|| VcError::Usage("there is nothing to push yet: make a checkpoint first".into()))?;
    check_outgoing(&repo, &branch, head.id())?;
    remote::push(&repo, REMOTE, &branch)?;
    // What the remote now has, for ahead/behind, and the branch's upstream.
    repo.reference(&format!("refs/remotes/{REMOTE}/{branch}"), head.id(), true, "poni vc push")?;
    let mut config = repo.config()?.open_level(git2::ConfigLevel::Local)?;
    config.set_str(&format!("branch.{branch}.remote"), REMOTE)?;
    config.set_str(&format!("branch.{branch}.merge"), &format!("refs/heads/{branch}"))?;
    Ok(PushOutcome { remote: REMOTE.to_owned(), branch })
}
