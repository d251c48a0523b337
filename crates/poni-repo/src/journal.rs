//! Changes to several files, all or nothing, through an intent journal that then becomes the
//! change's entry in the history (what undo and redo work from).
//!
//! A change (set on 10,000 nodes, add-node of 1,000, a move that also updates the clones'
//! `parent`) runs in five steps, under the repository lock:
//!
//! 1. The journal, `<root>/.poni-desktop-journal`, lists every step to come with the contents
//!    of every file before and after, marked `intent`. It is written and flushed once, before
//!    anything changes.
//! 2. Staging: new folders are made; every new file's contents go to a temporary file beside
//!    it (`node.json.pd-tmp`, created exclusively, never through a link; a leftover of a
//!    kill there is replaced). Never poni's own name (`node.json.json_dump.tmp`): poni 0.8
//!    does not take our lock, and a poni writing the same file meanwhile would truncate and
//!    rename our half-written file. A leftover of poni's under that name is removed instead.
//! 3. Applying: the temporary files are renamed over their targets, removed files unlinked,
//!    folders moved (a removed folder is moved into the change's history entry, where undo
//!    finds it). Nothing is flushed here.
//! 4. The commit point: the journal's mark is overwritten in place with `commit` and that one
//!    block flushed. The journal holds every file's new contents, so the change is durable
//!    from here on, although the files themselves are not flushed (`durable`).
//! 5. Finishing: the journal becomes the history entry and waits among the changes not yet
//!    known to be on the disk, which the next open after a power cut redoes.
//!
//! A failure before the commit point (a read-only folder, a full disk, a permission) undoes
//! what was done from the journal's "before" contents and reports the failure. A crash leaves
//! the journal: the next time the repository is opened or locked, by the command line or the
//! app, an `intent` is rolled back the same way and a `commit` finished. The journal and the
//! history sit at the repository's top level, beside `repo.json`, where poni 0.8 never looks.
//!
//! A journal found on disk is treated as untrusted input: every path in it must lie inside
//! `system/` (or be a kept folder in the history), without `..`, and no folder on the way may
//! be a link; otherwise nothing is done and the journal is reported.

use crate::durable;
use crate::error::{RepoError, Result};
use crate::store::{self, EntryKind, NODE_FILE, PONI_TMP_SUFFIX, SYSTEM_FILE};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

pub const JOURNAL_FILE: &str = ".poni-desktop-journal";
/// Left by earlier versions at their commit point; removed when found.
pub const JOURNAL_DONE_FILE: &str = ".poni-desktop-journal.done";
pub const HISTORY_DIR: &str = ".poni-desktop-history";
/// Committed changes whose files may not be on the disk yet (see `durable`).
pub use crate::durable::UNFLUSHED_DIR;
/// Our temporary files: `node.json.pd-tmp` (earlier builds: `node.json.<id>.pd-tmp`).
pub(crate) const TMP_SUFFIX: &str = ".pd-tmp";
/// Second names made by earlier versions; removed when found.
pub(crate) const BAK_SUFFIX: &str = ".pd-bak";
const FORMAT: u32 = 2;

/// One step of a change. Paths are relative to the repository root, `/`-separated, so that a
/// repository moved after a crash still recovers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub(crate) enum Op {
    /// A folder that did not exist.
    Mkdir { path: String },
    /// A file replaced (`before` is what it held) or created (`before` is `None`).
    Write { path: String, before: Option<String>, after: String },
    /// A file removed.
    Delete { path: String, before: String },
    /// An empty folder removed (what undoing a `Mkdir` does).
    Rmdir { path: String },
    /// A folder (and everything in it) removed: moved to `kept`, inside the change's history
    /// entry, so that undo can put it back.
    Remove { path: String, kept: String },
    /// A folder renamed.
    Move { from: String, to: String },
}

impl Op {
    /// Every path the step names (a removal's kept folder once it is set).
    pub(crate) fn paths(&self) -> impl Iterator<Item = &str> {
        let (a, b) = match self {
            Op::Mkdir { path } | Op::Rmdir { path } | Op::Write { path, .. } | Op::Delete { path, .. } => (path.as_str(), None),
            Op::Remove { path, kept } => (path.as_str(), Some(kept.as_str()).filter(|k| !k.is_empty())),
            Op::Move { from, to } => (from.as_str(), Some(to.as_str())),
        };
        std::iter::once(a).chain(b)
    }
}

/// Checks on the disk that no folder on the way to any path the steps name is a link or a
/// special file: steps read from disk (an undo's or a redo's, from the history) must not lead
/// outside the repository, whoever wrote them.
pub(crate) fn check_ways(root: &Path, ops: &[Op]) -> Result<()> {
    let mut seen = HashSet::new();
    ops.iter().flat_map(Op::paths).try_for_each(|rel| crate::repo_path::check_way(root, rel, &mut seen))
}

/// Where a change was made, as the history shows it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "ChangeOrigin")]
pub enum Origin {
    App,
    #[default]
    CommandLine,
}

/// What a change was: a change of its own, or the undoing or redoing of an earlier one (by
/// its sequence number). Also part of the history file's name, so the history's state is
/// known from a folder listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) enum Action {
    Change,
    Undo(u64),
    Redo(u64),
}

/// Whether the change is committed: written `intent` with the journal, overwritten in place
/// with `commit` (the same length, so the file's size and blocks stay as they were flushed)
/// once every file is in place. See `durable`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum State {
    /// Journals of earlier versions had no state: they were intents.
    #[default]
    Intent,
    Commit,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Journal {
    /// First, so that its value sits at a known place in the file (`durable::STATE_AT`).
    #[serde(default)]
    pub(crate) state: State,
    pub(crate) format: u32,
    pub(crate) id: String,
    pub(crate) seq: u64,
    pub(crate) label: String,
    pub(crate) origin: Origin,
    /// Seconds since 1970, UTC.
    pub(crate) at: u64,
    pub(crate) action: Action,
    /// The change adds nodes for instances that ran before it (an import): undoing it leaves
    /// them running, and never suggests ending them.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) imported: bool,
    /// Kept in the history once committed (see [`Change::unrecorded`]).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub(crate) recorded: bool,
    pub(crate) ops: Vec<Op>,
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

impl Journal {
    /// The entry's name in the history folder, without `.json`.
    pub(crate) fn entry_name(&self) -> String {
        let action = match self.action {
            Action::Change => String::new(),
            Action::Undo(of) => format!(".undo-{of}"),
            Action::Redo(of) => format!(".redo-{of}"),
        };
        format!("{:06}-{}{action}", self.seq, self.id)
    }
}

/// Called after every committed change with the repository root and the change's label (the
/// version-control layer commits there).
pub type AfterChange = std::sync::Arc<dyn Fn(&Path, &str) + Send + Sync>;

/// Who makes a repository's changes and what follows each one: values the opener gives
/// ([`crate::Repo::with_hooks`]), so two repositories in one process can differ.
#[derive(Clone, Default)]
pub struct ChangeHooks {
    /// Where the changes come from, as the history shows it (the command line by default).
    pub origin: Origin,
    pub after_change: Option<AfterChange>,
}

impl std::fmt::Debug for ChangeHooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChangeHooks").field("origin", &self.origin).field("after_change", &self.after_change.is_some()).finish()
    }
}

/// A change being put together; nothing touches the disk until [`Change::commit`].
pub(crate) struct Change {
    root: PathBuf,
    hooks: ChangeHooks,
    label: String,
    action: Action,
    ops: Vec<Op>,
    /// Kept in the history (undoable); off for what the cloud engine records of what it sees.
    recorded: bool,
    /// See [`Journal::imported`].
    imported: bool,
}

impl Change {
    pub(crate) fn new(repo: &crate::Repo, label: impl Into<String>) -> Self {
        Self {
            root: repo.root().to_path_buf(),
            hooks: repo.hooks().clone(),
            label: label.into(),
            action: Action::Change,
            ops: Vec::new(),
            recorded: true,
            imported: false,
        }
    }

    /// A change that adds nodes for instances that ran before it (see [`Journal::imported`]).
    pub(crate) fn importing(repo: &crate::Repo, label: impl Into<String>) -> Self {
        Self { imported: true, ..Self::new(repo, label) }
    }

    /// A change all or nothing like any other, but not kept in the history: the addresses the
    /// cloud engine reads off running instances (one per node, as they come up), which a
    /// refresh gives again. Undo treats those values as not the user's (see `history`).
    pub(crate) fn unrecorded(repo: &crate::Repo, label: impl Into<String>) -> Self {
        Self { recorded: false, ..Self::new(repo, label) }
    }

    /// The undoing or redoing of an earlier change (a redo of an import is an import too).
    pub(crate) fn undoing(repo: &crate::Repo, label: String, action: Action, ops: Vec<Op>, imported: bool) -> Self {
        Self { action, ops, imported, ..Self::new(repo, label) }
    }

    pub(crate) fn mkdir(&mut self, path: String) {
        self.ops.push(Op::Mkdir { path });
    }

    pub(crate) fn write(&mut self, path: String, before: Option<String>, after: String) {
        self.ops.push(Op::Write { path, before, after });
    }

    pub(crate) fn remove_dir(&mut self, path: String) {
        self.ops.push(Op::Remove { path, kept: String::new() });
    }

    pub(crate) fn move_dir(&mut self, from: String, to: String) {
        self.ops.push(Op::Move { from, to });
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// Carries the change out, all or nothing (see the module documentation).
    pub(crate) fn commit(self) -> Result<()> {
        if self.is_empty() {
            return Ok(());
        }
        // A path that cannot be written (too long, say) is refused before anything is.
        self.ops.iter().flat_map(Op::paths).try_for_each(crate::repo_path::check)?;
        let root = self.root.clone();
        let root = root.as_path();
        let history = root.join(HISTORY_DIR);
        ensure_own_dir(&history)?;
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        let id = format!("{:x}-{:x}-{:x}", std::process::id(), nanos.as_nanos() as u64, COUNTER.fetch_add(1, Ordering::Relaxed));
        // Unrecorded changes never become entries: no need to look at the history.
        let existing = if self.recorded { crate::history::entries(root)? } else { Vec::new() };
        let seq = crate::history::next_seq(root, &existing)?;
        let mut journal = Journal {
            state: State::Intent,
            format: FORMAT,
            id,
            seq,
            label: self.label,
            origin: self.hooks.origin,
            at: nanos.as_secs(),
            action: self.action,
            imported: self.imported,
            recorded: self.recorded,
            ops: self.ops,
        };
        let kept_dir = format!("{HISTORY_DIR}/{}.kept", journal.entry_name());
        let mut removes = 0;
        for (n, op) in journal.ops.iter_mut().enumerate() {
            if let Op::Remove { kept, .. } = op {
                *kept = format!("{kept_dir}/{n}");
                removes += 1;
            }
        }
        let journal_path = root.join(JOURNAL_FILE);
        let text = serde_json::to_vec(&journal).expect("a journal serializes");
        let journal_file = write_journal(&journal_path, &text)?;
        let recorded = self.recorded;
        let writes = writes(&journal);
        let done = (if recorded { crate::history::write_summary(root, &journal) } else { Ok(()) })
            .and_then(|()| stage(root, &journal, &writes, (removes > 0).then_some(kept_dir.as_str())))
            .and_then(|()| apply(root, &journal, &writes))
            .and_then(|()| fault::step(root))
            .and_then(|()| durable::mark_committed(&journal_file).map_err(|e| RepoError::io(&journal_path, e)));
        drop(journal_file);
        if let Err(error) = done {
            if fault::crashed(root) {
                return Err(error); // a simulated kill: leave everything as it is for recovery
            }
            return match undo(root, &journal).and_then(|()| flush(root, &journal).map_err(|e| RepoError::io(root, e))) {
                Ok(()) => {
                    // Durably gone: a journal found after a power cut is finished, and this
                    // change was reported as not made.
                    let _ = fs::remove_file(&journal_path);
                    store::sync_dir(root);
                    Err(error)
                }
                Err(undo_error) => Err(RepoError::Journal(format!(
                    "{error}; undoing the part already done failed too ({undo_error}): it is retried when the repository is next opened"
                ))),
            };
        }
        // Committed: from here on the change stands, whatever fails. What finishing leaves
        // undone, the next lock of the repository does (`recover`).
        if let Err(e) = fault::step(root) {
            if fault::crashed(root) {
                return Err(e); // killed right after the commit point
            }
        }
        // Should finishing fail, the journal stays where recovery finds it.
        let _ = durable::finish(root, &journal);
        if !recorded {
            return Ok(());
        }
        // Old entries beyond the history's size go now; should that fail, the next change
        // tries again.
        let _ = crate::history::prune(root, existing, &journal.entry_name());
        if let Some(hook) = &self.hooks.after_change {
            hook(root, &journal.label);
        }
        Ok(())
    }
}

/// Our folders (the history, the unflushed changes) must be real folders of the repository's
/// (a link there could send the kept folders, or a redo, elsewhere).
pub(crate) fn ensure_own_dir(dir: &Path) -> Result<()> {
    match store::entry_kind(dir).map_err(|e| RepoError::io(dir, e))? {
        EntryKind::Dir => Ok(()),
        EntryKind::Missing => fs::create_dir(dir).map_err(|e| RepoError::io(dir, e)),
        other => Err(store::refused(dir, other)),
    }
}

/// Whether a change was left by a crash or a power cut (cheap: two `lstat`s and a listing).
pub(crate) fn pending(root: &Path) -> bool {
    [JOURNAL_FILE, JOURNAL_DONE_FILE].iter().any(|f| !matches!(store::entry_kind(&root.join(f)), Ok(EntryKind::Missing))) || durable::needs_redo(root)
}

/// Rolls back a change a crash interrupted before its commit point, finishes one interrupted
/// after it, redoes the committed changes a power cut may have lost and retires the ones
/// known to be on the disk (see `durable`). Call under the repository lock. Returns whether
/// there was a change to roll back or finish.
pub(crate) fn recover(root: &Path) -> Result<bool> {
    let mut did = false;
    // An earlier version's committed change whose cleanup was cut short: only its second
    // names and trash are left, which the tree's leftover cleanup and this removal handle.
    let done_path = root.join(JOURNAL_DONE_FILE);
    if !matches!(store::entry_kind(&done_path), Ok(EntryKind::Missing)) {
        remove_if_present(&done_path)?;
        did = true;
    }
    let journal_path = root.join(JOURNAL_FILE);
    match read_journal(&journal_path)? {
        // Interrupted before its commit point: rolled back.
        Some(journal) if journal.state == State::Intent => {
            undo(root, &journal).map_err(|e| cannot_recover(&journal_path, "undone", e))?;
            flush(root, &journal).map_err(|e| cannot_recover(&journal_path, "undone", RepoError::io(root, e)))?;
            remove_if_present(&journal_path)?;
            store::sync_dir(root);
            did = true;
        }
        // Committed, then interrupted while finishing: finished.
        Some(journal) => {
            durable::redo(root, &journal).map_err(|e| cannot_recover(&journal_path, "finished", e))?;
            durable::finish_recovered(root, &journal, &journal_path).map_err(|e| cannot_recover(&journal_path, "finished", e))?;
            did = true;
        }
        None => remove_if_present(&journal_path)?,
    }
    Ok(durable::settle(root)? || did)
}

fn cannot_recover(journal: &Path, what: &str, e: RepoError) -> RepoError {
    RepoError::Journal(format!(
        "an interrupted change could not be {what} ({e}); the repository is left as it is. Fix the cause and run the command again, or remove {} to keep the files as they are now",
        journal.display()
    ))
}

fn remove_if_present(path: &Path) -> Result<()> {
    store::remove_leftover(path).map_err(|e| RepoError::io(path, e))
}

/// Reads and checks a journal. A journal cut short by a crash while it was being written
/// means nothing else had started: it is `None`, like no journal.
pub(crate) fn read_journal(path: &Path) -> Result<Option<Journal>> {
    let text = match store::read_contents(path).map_err(|e| RepoError::io(path, e))? {
        store::Contents::Missing => return Ok(None),
        store::Contents::Text(text) => text,
        store::Contents::NotText => return Ok(None),
        store::Contents::Refused(kind) => return Err(store::refused(path, kind)),
    };
    let Ok(journal) = serde_json::from_str::<Journal>(&text) else { return Ok(None) };
    check_journal(path, &journal)?;
    Ok(Some(journal))
}

/// Every path a journal (or a history entry) read from disk names must stay inside the
/// repository's `system/` or its own kept folders.
pub(crate) fn check_journal(path: &Path, journal: &Journal) -> Result<()> {
    let bad = |why: String| RepoError::Journal(format!("{}: {why}; nothing was done (remove the file once you have checked the repository)", path.display()));
    if journal.format != FORMAT {
        return Err(bad(format!("written by another version (format {})", journal.format)));
    }
    if journal.id.is_empty() || journal.id.len() > 64 || !journal.id.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return Err(bad("it has an invalid id".into()));
    }
    let is_item_file = |path: &str| path.ends_with(&format!("/{NODE_FILE}")) || path.ends_with(&format!("/{SYSTEM_FILE}"));
    for op in &journal.ops {
        let ok = match op {
            Op::Mkdir { path } | Op::Rmdir { path } => inside_system(path),
            Op::Write { path, .. } | Op::Delete { path, .. } => inside_system(path) && is_item_file(path),
            Op::Remove { path, kept } => inside_system(path) && is_kept(kept),
            Op::Move { from, to } => (inside_system(from) || is_kept(from)) && inside_system(to),
        };
        if !ok {
            let path = op.paths().find(|p| !inside_system(p) && !is_kept(p)).or_else(|| op.paths().next()).unwrap_or_default();
            let shown: String = path.chars().take(200).collect::<String>().escape_debug().to_string();
            return Err(bad(format!("it names a path outside the repository's system folder or not of an item's file (\"{shown}\")")));
        }
    }
    Ok(())
}

use crate::repo_path::{inside_system, is_kept, join as abs};

/// Where a file's new contents wait to be renamed over it.
pub(crate) fn tmp_of(path: &Path) -> PathBuf {
    store::suffixed(path, TMP_SUFFIX)
}

/// Writes the journal and flushes it (its contents, size and name): the one flush a change
/// makes before the small one of its commit mark. Returns the open file, for that mark.
fn write_journal(path: &Path, bytes: &[u8]) -> Result<File> {
    let result = (|| {
        // A journal exists only during a change, under the lock, and recovery runs when the
        // lock is taken: one here now is unreadable leftover of a crash while it was written.
        store::remove_leftover(path)?;
        let mut file = store::create_new(path)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        store::sync_dir(path.parent().unwrap_or(Path::new(".")));
        Ok(file)
    })();
    result.map_err(|e: io::Error| {
        let _ = fs::remove_file(path);
        RepoError::io(path, e)
    })
}

fn writes(journal: &Journal) -> Vec<(&str, Option<&str>, &str)> {
    journal
        .ops
        .iter()
        .filter_map(|op| if let Op::Write { path, before, after } = op { Some((path.as_str(), before.as_deref(), after.as_str())) } else { None })
        .collect()
}

/// A journal's file writes: (path, before, after).
type Writes<'j> = [(&'j str, Option<&'j str>, &'j str)];

fn stage(root: &Path, journal: &Journal, writes: &Writes, kept_dir: Option<&str>) -> Result<()> {
    let own = folders_of_one_file(journal, writes);
    for op in &journal.ops {
        match op {
            Op::Mkdir { path } if !own.contains(path.as_str()) => make_dir(root, path)?,
            _ => {}
        }
    }
    if let Some(kept) = kept_dir {
        make_dir(root, kept)?;
    }
    parallel(writes, |(rel, before, after)| {
        if let Some((folder, _)) = rel.rsplit_once('/').filter(|(folder, _)| own.contains(folder)) {
            make_dir(root, folder)?;
        }
        let path = abs(root, rel);
        let io = |e| RepoError::io(&path, e);
        fault::step(root)?;
        if before.is_some() {
            // A leftover of poni's way of writing (a kill mid-write): never used again.
            store::remove_leftover(&store::suffixed(&path, PONI_TMP_SUFFIX)).map_err(io)?;
        }
        // Always beside the file, then renamed: whoever reads the repository meanwhile (poni
        // 0.8 does not take our lock) never sees half a file.
        let mut file = store::create_temp(&tmp_of(&path)).map_err(io)?;
        fault::step(root)?;
        file.write_all(after.as_bytes()).map_err(io)
    })
}

fn make_dir(root: &Path, rel: &str) -> Result<()> {
    let dir = abs(root, rel);
    fault::step(root).and_then(|()| fs::create_dir(&dir).map_err(|e| RepoError::io(&dir, e)))
}

/// The new folders that hold one new file and no other new folder (a new node's folder): each
/// is made by its file's task. The kernel makes the folders of one parent one at a time (it
/// locks the parent), so the files of 10,000 new nodes are written meanwhile, not after.
fn folders_of_one_file<'a>(journal: &'a Journal, writes: &Writes<'a>) -> HashSet<&'a str> {
    let parent = |rel: &'a str| rel.rsplit_once('/').map(|(folder, _)| folder);
    let new: Vec<&str> = journal.ops.iter().filter_map(|op| if let Op::Mkdir { path } = op { Some(path.as_str()) } else { None }).collect();
    let holding_folders: HashSet<&str> = new.iter().filter_map(|d| parent(d)).collect();
    let mut files: HashMap<&str, usize> = HashMap::new();
    for folder in writes.iter().filter_map(|(rel, _, _)| parent(rel)) {
        *files.entry(folder).or_default() += 1;
    }
    new.into_iter().filter(|d| files.get(d) == Some(&1) && !holding_folders.contains(d)).collect()
}

fn apply(root: &Path, journal: &Journal, writes: &Writes) -> Result<()> {
    parallel(writes, |(rel, _, _)| {
        let path = abs(root, rel);
        fault::step(root)?;
        fs::rename(tmp_of(&path), &path).map_err(|e| RepoError::io(&path, e))
    })?;
    for op in &journal.ops {
        if let Op::Delete { path, .. } = op {
            let path = abs(root, path);
            fault::step(root)?;
            fs::remove_file(&path).map_err(|e| RepoError::io(&path, e))?;
        }
    }
    for op in &journal.ops {
        let (from, to) = match op {
            Op::Remove { path, kept } => (abs(root, path), abs(root, kept)),
            Op::Move { from, to } => (abs(root, from), abs(root, to)),
            _ => continue,
        };
        fault::step(root)?;
        fs::rename(&from, &to).map_err(|e| RepoError::io(&from, e))?;
    }
    for op in &journal.ops {
        if let Op::Rmdir { path } = op {
            let dir = abs(root, path);
            fault::step(root)?;
            fs::remove_dir(&dir).map_err(|e| RepoError::io(&dir, e))?;
        }
    }
    Ok(())
}

/// Whether the file holds `expected` (or the same JSON in another layout: a hand-edited file
/// is left as it is).
pub(crate) fn holds(path: &Path, expected: &str) -> Result<bool> {
    match store::read_contents(path).map_err(|e| RepoError::io(path, e))? {
        store::Contents::Text(text) if text == expected => Ok(true),
        store::Contents::Text(text) => Ok(matches!(
            (serde_json::from_str::<serde_json::Value>(&text), serde_json::from_str::<serde_json::Value>(expected)),
            (Ok(a), Ok(b)) if a == b
        )),
        store::Contents::Missing | store::Contents::NotText => Ok(false),
        store::Contents::Refused(kind) => Err(store::refused(path, kind)),
    }
}

/// Puts `contents` in place through the temporary file beside it (never through a link).
pub(crate) fn put_back(path: &Path, contents: &str) -> Result<()> {
    let io = |e| RepoError::io(path, e);
    store::create_temp(&tmp_of(path)).and_then(|mut f| f.write_all(contents.as_bytes())).map_err(io)?;
    fs::rename(tmp_of(path), path).map_err(io)
}

/// Puts everything back as it was before the change; each step checks what is there, so it
/// works after a failure or a crash at any point, and again after an interrupted undo.
pub(crate) fn undo(root: &Path, journal: &Journal) -> Result<()> {
    // The paths were checked when the journal was made or read (`check_journal`); what is
    // on the disk now is checked here: no link or special file on the way.
    let checked = |rel: &str| -> Result<PathBuf> {
        crate::repo_path::check_way(root, rel, &mut HashSet::new())?;
        Ok(abs(root, rel))
    };
    let kind = |p: &Path| -> Result<EntryKind> { store::entry_kind(p).map_err(|e| RepoError::io(p, e)) };
    for op in journal.ops.iter().rev() {
        let Op::Rmdir { path } = op else { continue };
        let dir = checked(path)?;
        if kind(&dir)? == EntryKind::Missing {
            fs::create_dir(&dir).map_err(|e| RepoError::io(&dir, e))?;
        }
    }
    for op in journal.ops.iter().rev() {
        let (original, moved) = match op {
            Op::Remove { path, kept } => (checked(path)?, checked(kept)?),
            Op::Move { from, to } => (checked(from)?, checked(to)?),
            _ => continue,
        };
        if kind(&moved)? != EntryKind::Missing && kind(&original)? == EntryKind::Missing {
            fs::rename(&moved, &original).map_err(|e| RepoError::io(&moved, e))?;
        }
    }
    for op in journal.ops.iter().rev() {
        match op {
            Op::Delete { path, before } => {
                let path = checked(path)?;
                if kind(&path)? == EntryKind::Missing {
                    put_back(&path, before)?;
                }
            }
            Op::Write { path, before, .. } => {
                let path = checked(path)?;
                let io = |e| RepoError::io(&path, e);
                store::remove_leftover(&tmp_of(&path)).map_err(io)?;
                // Earlier builds named it after the change: `node.json.<id>.pd-tmp`.
                store::remove_leftover(&store::suffixed(&path, &format!(".{}{TMP_SUFFIX}", journal.id))).map_err(io)?;
                match before {
                    Some(before) if !holds(&path, before)? => put_back(&path, before)?,
                    Some(_) => {}
                    None => match kind(&path)? {
                        EntryKind::File => fs::remove_file(&path).map_err(io)?,
                        EntryKind::Missing => {}
                        other => return Err(store::refused(&path, other)),
                    },
                }
            }
            _ => {}
        }
    }
    let mut dirs: Vec<String> = journal.ops.iter().filter_map(|op| if let Op::Mkdir { path } = op { Some(path.clone()) } else { None }).collect();
    if let Some(Op::Remove { kept, .. }) = journal.ops.iter().find(|op| matches!(op, Op::Remove { .. })) {
        dirs.insert(0, kept.rsplit_once('/').map(|(dir, _)| dir.to_string()).unwrap_or_default());
    }
    for rel in dirs.iter().rev() {
        let dir = checked(rel)?;
        match kind(&dir)? {
            EntryKind::Dir => fs::remove_dir(&dir).map_err(|e| RepoError::io(&dir, e))?,
            EntryKind::Missing => {}
            other => return Err(store::refused(&dir, other)),
        }
    }
    let summary = crate::history::summary_path(root, journal);
    store::remove_leftover(&summary).map_err(|e| RepoError::io(&summary, e))
}

/// Where the file of op `i` is once the change is complete: a later move takes it along.
pub(crate) fn where_now(ops: &[Op], i: usize, rel: &str) -> String {
    let mut rel = rel.to_string();
    for op in &ops[i + 1..] {
        if let Op::Move { from, to } = op {
            if let Some(rest) = rel.strip_prefix(from.as_str()).filter(|rest| rest.starts_with('/')) {
                rel = format!("{to}{rest}");
            }
        }
    }
    rel
}

/// One flush of everything the change wrote: `syncfs` on Linux; elsewhere every written file
/// and every folder touched.
pub(crate) fn flush(root: &Path, journal: &Journal) -> io::Result<()> {
    if durable::syncfs(root)? {
        return Ok(());
    }
    let parent = |p: PathBuf| p.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut folders = std::collections::BTreeSet::new();
    for (i, op) in journal.ops.iter().enumerate() {
        match op {
            Op::Write { path, .. } => {
                let path = abs(root, &where_now(&journal.ops, i, path));
                // Only a plain file is opened (after a recovery the path may hold anything: a
                // FIFO would block the open).
                if store::entry_kind(&path).is_ok_and(|k| k == EntryKind::File) {
                    if let Ok(file) = File::open(&path) {
                        file.sync_all()?;
                    }
                }
                folders.insert(parent(path));
            }
            Op::Mkdir { path } | Op::Rmdir { path } | Op::Delete { path, .. } => {
                folders.insert(parent(abs(root, path)));
            }
            Op::Remove { path, kept } => {
                folders.insert(parent(abs(root, path)));
                folders.insert(parent(abs(root, kept)));
            }
            Op::Move { from, to } => {
                folders.insert(parent(abs(root, from)));
                folders.insert(parent(abs(root, to)));
            }
        }
    }
    folders.insert(root.to_path_buf());
    folders.iter().for_each(|f| store::sync_dir(f));
    Ok(())
}

/// Runs `f` on every item, on rayon's threads (in runs of at least 64: a short list stays on
/// one); stops starting new items at the first error and returns it.
fn parallel<T: Sync>(items: &[T], f: impl Fn(&T) -> Result<()> + Sync) -> Result<()> {
    items.par_iter().with_min_len(64).try_for_each(&f)
}

/// Fault injection for the unit tests: fail the n-th step of a change in one repository, or
/// stop there as if the process had been killed. Compiled to nothing outside tests.
pub(crate) mod fault {
    use crate::error::Result;
    use std::path::Path;

    #[cfg(test)]
    pub(crate) use enabled::{arm, disarm};

    #[inline(always)]
    pub(crate) fn step(_root: &Path) -> Result<()> {
        #[cfg(test)]
        enabled::check(_root)?;
        Ok(())
    }

    #[inline(always)]
    pub(crate) fn crashed(_root: &Path) -> bool {
        #[cfg(test)]
        return enabled::ARMED.lock().unwrap().as_ref().is_some_and(|a| a.crashed);
        #[cfg(not(test))]
        false
    }

    #[cfg(test)]
    mod enabled {
        use crate::error::RepoError;
        use std::path::{Path, PathBuf};
        use std::sync::Mutex;

        pub(super) struct Armed {
            root: PathBuf,
            armed_with: i64,
            remaining: i64,
            crash: bool,
            pub(super) crashed: bool,
        }

        pub(super) static ARMED: Mutex<Option<Armed>> = Mutex::new(None);

        /// Step number `n` (from 0) of changes in `root` fails; with `crash`, it and every
        /// later step fail and nothing is undone, as if the process had been killed there.
        pub(crate) fn arm(root: &Path, n: i64, crash: bool) {
            *ARMED.lock().unwrap() = Some(Armed { root: root.to_path_buf(), armed_with: n, remaining: n, crash, crashed: false });
        }

        /// Returns how many steps were taken since `arm` (when armed with `i64::MAX`).
        pub(crate) fn disarm() -> i64 {
            ARMED.lock().unwrap().take().map_or(0, |a| a.armed_with - a.remaining)
        }

        pub(super) fn check(root: &Path) -> Result<(), RepoError> {
            let mut armed = ARMED.lock().unwrap();
            let Some(a) = armed.as_mut().filter(|a| a.root == root) else { return Ok(()) };
            if a.crashed {
                return Err(injected());
            }
            a.remaining -= 1;
            if a.remaining == -1 {
                a.crashed = a.crash;
                return Err(injected());
            }
            Ok(())
        }

        fn injected() -> RepoError {
            RepoError::io("injected", std::io::Error::other("injected fault"))
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::fault::{arm, disarm};
    use super::*;
    use crate::props::Assignment;
    use crate::repo::{AddNodes, Repo};
    use crate::target::Target;
    use std::collections::BTreeMap;

    pub(crate) type Snapshot = BTreeMap<String, Option<Vec<u8>>>;

    /// Every folder (None) and file (its bytes) below `root`, links included as errors.
    pub(crate) fn snapshot(root: &Path) -> Snapshot {
        fn walk(root: &Path, dir: &Path, out: &mut Snapshot) {
            for entry in fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                let rel = path.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                if rel == HISTORY_DIR || rel == durable::UNFLUSHED_DIR {
                    continue; // their entries are named by time and process; counted apart
                }
                let kind = store::entry_kind(&path).unwrap();
                match kind {
                    EntryKind::Dir => {
                        out.insert(rel, None);
                        walk(root, &path, out);
                    }
                    EntryKind::File => {
                        out.insert(rel, Some(fs::read(&path).unwrap()));
                    }
                    other => panic!("{rel} is {other:?}"),
                }
            }
        }
        let mut out = Snapshot::new();
        walk(root, root, &mut out);
        out
    }

    pub(crate) fn copy_tree(from: &Path, to: &Path) {
        fs::create_dir_all(to).unwrap();
        for (rel, bytes) in snapshot(from) {
            match bytes {
                None => fs::create_dir_all(to.join(rel)).unwrap(),
                Some(bytes) => fs::write(to.join(rel), bytes).unwrap(),
            }
        }
    }

    pub(crate) type ChangeFn = fn(&Repo) -> Result<()>;

    pub(crate) fn changes() -> Vec<(&'static str, ChangeFn)> {
        let set: fn(&Repo) -> Result<()> = |r| r.set(&Target::new("fleet|web", false)?, &[Assignment::parse("x:int=1")?]).map(drop);
        let unset: fn(&Repo) -> Result<()> = |r| r.unset(&Target::new("fleet", false)?, &["host".into()]).map(drop);
        let add: fn(&Repo) -> Result<()> = |r| r.add_nodes(&AddNodes { ids: 1..=70, ..AddNodes::new("new/deep/n{id}") }).map(drop);
        let add_system: fn(&Repo) -> Result<()> = |r| r.add_system("a/b/c");
        let remove: fn(&Repo) -> Result<()> = |r| r.remove("fleet").map(drop);
        let rename: fn(&Repo) -> Result<()> = |r| r.rename("web", "moved/web2").map(drop);
        vec![("set", set), ("unset", unset), ("add-node", add), ("add-system", add_system), ("remove", remove), ("move", rename)]
    }

    /// 70 nodes (enough for the parallel path), a system with a node and its two clones.
    pub(crate) fn base(dir: &Path) -> PathBuf {
        let root = dir.join("base");
        let repo = Repo::init(&root).unwrap();
        repo.add_nodes(&AddNodes { ids: 1..=70, ..AddNodes::new("fleet/n{id:03}") }).unwrap();
        repo.add_nodes(&AddNodes::new("web/a")).unwrap();
        repo.add_nodes(&AddNodes { ids: 1..=2, inherit: Some(Target::new("web/a", true).unwrap()), ..AddNodes::new("web/c{id}") }).unwrap();
        fs::write(root.join("system/web/a/notes.txt"), "kept").unwrap();
        root
    }

    /// Every change, failed at every one of its steps, leaves the repository exactly as it
    /// was; killed at every one of its steps, the next open leaves all of it or none.
    #[test]
    fn every_change_is_all_or_nothing_at_every_step() {
        let dir = tempfile::tempdir().unwrap();
        let base = base(dir.path());
        let before = snapshot(&base);
        for (what, change) in changes() {
            let started = std::time::Instant::now();
            let fresh = |label: String| {
                let root = dir.path().join(label);
                copy_tree(&base, &root);
                root
            };
            let root = fresh(format!("{what}-after"));
            let repo = Repo::open(&root).unwrap();
            arm(&root, i64::MAX, false);
            change(&repo).unwrap();
            let steps = disarm();
            let after = snapshot(&root);
            assert_ne!(after, before, "{what} changes something");
            // Every step of the small changes; of the large ones the first and last steps and
            // a sample in between.
            let stride = (steps / 12).max(1);
            let sample: Vec<i64> = (0..=steps).filter(|n| *n < 6 || *n > steps - 6 || n % stride == 0).collect();
            for crash in [false, true] {
                let mut outcomes = Vec::new();
                for &n in &sample {
                    let root = fresh(format!("{what}-{crash}-{n}"));
                    let repo = Repo::open(&root).unwrap();
                    arm(&root, n, crash);
                    let result = change(&repo);
                    disarm();
                    if crash {
                        assert!(Repo::open(&root).unwrap().tree().is_ok());
                    }
                    let now = snapshot(&root);
                    let outcome = if now == before {
                        "none"
                    } else if now == after {
                        "all"
                    } else {
                        let diff: Vec<_> = now.keys().chain(before.keys()).filter(|k| now.get(*k) != before.get(*k) && now.get(*k) != after.get(*k)).collect();
                        panic!("{what}, {} at step {n}: a mix ({diff:?})", if crash { "killed" } else { "failed" });
                    };
                    if !crash {
                        assert_eq!(outcome == "all", result.is_ok(), "{what} at step {n}: {result:?}");
                    }
                    outcomes.push(outcome);
                    fs::remove_dir_all(&root).unwrap();
                    // The last step comes after the commit point: a failure there is not one.
                    let committed = if crash { n == steps } else { n >= steps - 1 };
                    assert_eq!(result.is_ok(), committed, "{what} at step {n} of {steps}: {result:?}");
                }
                assert!(outcomes.len() > 3, "{what}: {outcomes:?}");
                assert_eq!(outcomes.last(), Some(&"all"));
            }
            eprintln!("{what}: {steps} steps, {} tried twice, {:?}", sample.len(), started.elapsed());
        }
    }

    #[test]
    fn a_leftover_temporary_file_of_poni_is_removed_when_its_file_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repo::init(dir.path().join("r")).unwrap();
        repo.add_nodes(&AddNodes::new("a")).unwrap();
        let leftover = repo.root().join("system/a/node.json.json_dump.tmp");
        fs::write(&leftover, "{").unwrap();
        repo.set(&Target::all(), &[Assignment::parse("x=1").unwrap()]).unwrap();
        assert!(!leftover.exists());
        let names: Vec<_> = fs::read_dir(repo.root().join("system/a")).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["node.json"]);
        let top: Vec<_> = fs::read_dir(repo.root()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        assert!(top.iter().all(|n| n == "repo.json" || n == "system" || n == HISTORY_DIR || n == durable::UNFLUSHED_DIR), "{top:?}");
    }

    #[test]
    fn journal_paths_must_stay_inside_system() {
        // Which paths are well formed is repo_path's (tested there); here, a journal that
        // names another is refused as a whole.
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            dir.path().join(JOURNAL_FILE),
            r#"{"format":2,"id":"ab-1","seq":1,"label":"x","origin":"app","at":0,"action":"change","ops":[{"op":"remove","path":"system/../../etc","kept":".poni-desktop-history/000001-ab-1.kept/0"}]}"#,
        )
        .unwrap();
        let err = recover(dir.path()).unwrap_err();
        assert_eq!(err.code(), "repo.journal");
        assert!(err.to_string().contains("outside the repository"), "{err}");
        // A journal cut short while it was written: nothing had started, it is dropped.
        fs::write(dir.path().join(JOURNAL_FILE), r#"{"format":2,"id":"ab-1","ops":[{"op":"wri"#).unwrap();
        assert!(!recover(dir.path()).unwrap());
        assert!(!pending(dir.path()));
    }
}
