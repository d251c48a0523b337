//! The history of changes, for undo, redo and the history list. Every committed change's
//! journal is kept in `.poni-desktop-history/` (see [`crate::journal`]); undoing one is a new
//! change made of its inverse steps, redoing one a new change made of its steps again, both
//! through the same journal, so they are all or nothing too and survive a restart. Whoever made
//! the change (the app or the command line), the history is the same.
//!
//! Each entry is two files: `<seq>-<id>[.undo-N|.redo-N].json`, the journal with every file's
//! contents before and after, and `<...>.view.json`, what the history list shows. The file
//! names alone tell what can be undone and redone.

use crate::diff::{property_diffs, PropertyDiff};
use crate::error::{RepoError, Result};
use crate::journal::{self, Action, Change, Journal, Op, Origin, HISTORY_DIR};
use crate::repo::Repo;
use crate::store::{self, EntryKind, SYSTEM_DIR};
use crate::time::rfc3339;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

/// At most this many entries are kept, and at most this many bytes of them (the newest entry
/// always stays).
const KEEP_ENTRIES: usize = 100;
const KEEP_BYTES: u64 = 256 << 20;
/// Items listed, with their properties, per entry.
const ITEMS_SHOWN: usize = 50;
const VIEW_SUFFIX: &str = ".view.json";

/// Top-level properties the cloud engine writes from what it sees of an instance (its
/// addresses), outside the history ([`Repo::update_observed`]): an undo neither counts them as
/// changed since nor keeps them, so undoing an edit made before a refresh is not refused.
pub const OBSERVED_KEYS: &[&str] = &["host", "private"];

/// Whether a (dotted) key is one of [`OBSERVED_KEYS`] or inside one.
pub fn is_observed(key: &str) -> bool {
    OBSERVED_KEYS.iter().any(|k| key == *k || key.strip_prefix(k).is_some_and(|rest| rest.starts_with('.')))
}

/// A file's JSON without the observed keys, for comparing what the user changed.
fn without_observed(text: &str) -> Option<Value> {
    let mut value: Value = serde_json::from_str(text).ok()?;
    if let Some(object) = value.as_object_mut() {
        OBSERVED_KEYS.iter().for_each(|k| {
            object.remove(*k);
        });
    }
    Some(value)
}

/// How an item was changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum ItemChangeKind {
    Added,
    Removed,
    Changed,
    Moved,
}

/// One node or system a change touched, with what changed in its properties.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct HistoryItem {
    pub name: String,
    pub change: ItemChangeKind,
    pub moved_to: Option<String>,
    pub properties: Vec<PropertyDiff>,
}

/// One change in the history list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntryView {
    pub id: String,
    pub label: String,
    /// RFC 3339, UTC.
    pub at: String,
    pub origin: Origin,
    /// Undone and not redone since.
    pub undone: bool,
    /// The first items (at most 50).
    pub items: Vec<HistoryItem>,
    pub item_count: u32,
}

/// The history, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct HistoryView {
    pub entries: Vec<HistoryEntryView>,
    pub can_undo: bool,
    pub can_redo: bool,
    /// The label of the change an undo would take back, and of the one a redo would make again.
    pub next_undo: Option<String>,
    pub next_redo: Option<String>,
}

/// An instance that a change being undone had saved into a node: undo changes the repository
/// only, so it still runs. `launched_here` is false for an instance the change imported (it ran
/// before the repository knew it): nothing may suggest ending those.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct RunningInstance {
    pub node: String,
    pub instance_id: String,
    pub region: Option<String>,
    pub launched_here: bool,
}

/// What an undo or redo did: the change it undid or redid, and instances left running.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct UndoOutcome {
    pub entry: HistoryEntryView,
    pub still_running: Vec<RunningInstance>,
}

/// An entry as its file name tells it.
#[derive(Debug, Clone)]
pub(crate) struct EntryFile {
    seq: u64,
    action: Action,
    /// The name without `.json`.
    name: String,
}

fn history_dir(root: &Path) -> PathBuf {
    root.join(HISTORY_DIR)
}

pub(crate) fn summary_path(root: &Path, journal: &Journal) -> PathBuf {
    history_dir(root).join(format!("{}{VIEW_SUFFIX}", journal.entry_name()))
}

/// Entries are numbered below this (a name with a larger number is not one of ours: it is
/// left alone, and the numbers never overflow).
const MAX_SEQ: u64 = 1 << 53;

/// `<seq>-<id>[.undo-N|.redo-N]`.
fn parse_name(name: &str) -> Option<EntryFile> {
    let (seq, rest) = name.split_once('-')?;
    let seq = seq.parse().ok().filter(|s| *s < MAX_SEQ)?;
    let (id, action) = match rest.split_once('.') {
        None => (rest, Action::Change),
        Some((id, action)) => (
            id,
            match action.split_once('-')? {
                ("undo", of) => Action::Undo(of.parse().ok()?),
                ("redo", of) => Action::Redo(of.parse().ok()?),
                _ => return None,
            },
        ),
    };
    (!id.is_empty() && id.chars().all(|c| c.is_ascii_hexdigit() || c == '-')).then(|| EntryFile { seq, action, name: name.to_string() })
}

/// Every entry, oldest first.
pub(crate) fn entries(root: &Path) -> Result<Vec<EntryFile>> {
    let dir = history_dir(root);
    let read = match fs::read_dir(&dir) {
        Ok(read) => read,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(RepoError::io(&dir, e)),
    };
    let mut out = Vec::new();
    for entry in read {
        let entry = entry.map_err(|e| RepoError::io(&dir, e))?;
        let Ok(file_name) = entry.file_name().into_string() else { continue };
        if let Some(name) = file_name.strip_suffix(".json").filter(|n| !n.ends_with(".view")) {
            out.extend(parse_name(name));
        }
    }
    out.sort_by_key(|e| e.seq);
    Ok(out)
}

/// The number the next entry gets, after `existing` (from [`entries`]). Refused when the
/// newest entry's number leaves no room after it: such a file was not written by us.
pub(crate) fn next_seq(root: &Path, existing: &[EntryFile]) -> Result<u64> {
    match existing.last() {
        None => Ok(1),
        Some(e) if e.seq + 1 < MAX_SEQ => Ok(e.seq + 1),
        Some(e) => Err(RepoError::Journal(format!(
            "{}: its number is too large to continue the history after it; it was not written by Poni Desktop: remove it",
            history_dir(root).join(format!("{}.json", e.name)).display()
        ))),
    }
}

/// Drops the entries beyond the history's size, with their kept folders: `existing` (listed
/// before the change) and the entry just `added`. See [`select_kept`] for which stay.
pub(crate) fn prune(root: &Path, mut all: Vec<EntryFile>, added: &str) -> Result<()> {
    let dir = history_dir(root);
    all.extend(parse_name(added));
    let kept = select_kept(&all, |e| fs::symlink_metadata(dir.join(format!("{}.json", e.name))).map(|m| m.len()).unwrap_or(0));
    for entry in all.iter().filter(|e| !kept.contains(&e.seq)) {
        for suffix in [".json", VIEW_SUFFIX] {
            let path = dir.join(format!("{}{suffix}", entry.name));
            store::remove_leftover(&path).map_err(|e| RepoError::io(&path, e))?;
        }
        let folder = dir.join(format!("{}.kept", entry.name));
        if store::entry_kind(&folder).map_err(|e| RepoError::io(&folder, e))? == EntryKind::Dir {
            // remove_dir_all does not follow links inside the folder.
            fs::remove_dir_all(&folder).map_err(|e| RepoError::io(&folder, e))?;
        }
    }
    Ok(())
}

/// Which entries stay, within [`KEEP_ENTRIES`] and [`KEEP_BYTES`]: first the newest entry;
/// then what undo and redo need, nearest the top first, each change with the entry that last
/// applied it, as a pair or not at all (a change without the entry that holds its kept
/// folders could not be taken back); then the others, newest first. So undoing and redoing one
/// change many times never pushes that change out, an undo on a full history keeps what it
/// undid for redo, and what is dropped is the bottom of the stacks, as before.
fn select_kept(all: &[EntryFile], size_of: impl Fn(&EntryFile) -> u64) -> HashSet<u64> {
    let stacks = replay(all);
    let (mut done, mut redo) = (stacks.done.iter().rev(), stacks.redo.iter().rev());
    // The redo stack's top and the done stack's top are one step from now each: take them in turns.
    let mut needed: Vec<[u64; 2]> = Vec::new();
    loop {
        let (r, d) = (redo.next(), done.next());
        if r.is_none() && d.is_none() {
            break;
        }
        needed.extend(r.into_iter().chain(d).map(|&(original, applied)| [original, applied]));
    }
    let newest = all.last().map(|e| vec![e.seq]).unwrap_or_default();
    let groups = std::iter::once(newest).chain(needed.into_iter().map(|pair| pair.to_vec())).chain(all.iter().rev().map(|e| vec![e.seq]));
    let (mut bytes, mut kept) = (0u64, HashSet::new());
    for group in groups {
        let fresh: Vec<&EntryFile> = all.iter().filter(|e| group.contains(&e.seq) && !kept.contains(&e.seq)).collect();
        if fresh.is_empty() {
            continue;
        }
        let size: u64 = fresh.iter().map(|e| size_of(e)).sum();
        if kept.is_empty() || (kept.len() + fresh.len() <= KEEP_ENTRIES && bytes + size <= KEEP_BYTES) {
            bytes += size;
            kept.extend(fresh.iter().map(|e| e.seq));
        }
    }
    kept
}

/// What can be undone (top last) and redone: (the change, the entry that last applied it).
#[derive(Default)]
struct Stacks {
    done: Vec<(u64, u64)>,
    redo: Vec<(u64, u64)>,
    undone: HashSet<u64>,
}

fn replay(entries: &[EntryFile]) -> Stacks {
    let mut s = Stacks::default();
    for e in entries {
        match e.action {
            Action::Change => {
                s.done.push((e.seq, e.seq));
                s.redo.clear();
            }
            Action::Undo(of) if s.done.last().is_some_and(|d| d.0 == of) => {
                s.done.pop();
                s.redo.push((of, e.seq));
                s.undone.insert(of);
            }
            Action::Redo(of) if s.redo.last().is_some_and(|d| d.0 == of) => {
                s.redo.pop();
                s.done.push((of, e.seq));
                s.undone.remove(&of);
            }
            // A redo of a change that is done, whose undo was pruned: it is what last applied it.
            Action::Redo(of) if s.done.iter().any(|d| d.0 == of) => {
                s.done.iter_mut().filter(|d| d.0 == of).for_each(|d| d.1 = e.seq);
            }
            // An entry that does not fit (its change was pruned): nothing to undo there.
            Action::Undo(_) | Action::Redo(_) => {}
        }
    }
    s
}

fn read_entry(root: &Path, entries: &[EntryFile], seq: u64) -> Result<Journal> {
    let entry = entries.iter().find(|e| e.seq == seq).ok_or(RepoError::NothingToUndo)?;
    let path = history_dir(root).join(format!("{}.json", entry.name));
    // At most the whole history's size: a planted huge file is refused, not read.
    let text = match store::read_limited(&path, KEEP_BYTES).map_err(|e| RepoError::io(&path, e))? {
        store::Limited::Text(text) => text,
        store::Limited::Refused(kind) => return Err(store::refused(&path, kind)),
        store::Limited::TooLarge => return Err(RepoError::Journal(format!("{}: the history entry is larger than the whole history may be", path.display()))),
        store::Limited::Missing | store::Limited::NotText => {
            return Err(RepoError::Journal(format!("{}: the history entry is missing or not text", path.display())))
        }
    };
    let journal: Journal =
        serde_json::from_str(&text).map_err(|e| RepoError::Journal(format!("{}: the history entry cannot be read ({e})", path.display())))?;
    journal::check_journal(&path, &journal)?;
    Ok(journal)
}

/// The item a path in `system/` belongs to: its file's item, or the item a folder is.
fn item_of(rel: &str) -> String {
    crate::repo::item_of_file(rel)
        .map(|(name, _)| name)
        .unwrap_or_else(|| rel.strip_prefix(SYSTEM_DIR).and_then(|r| r.strip_prefix('/')).unwrap_or(rel).to_string())
}

fn parse(text: Option<&str>) -> Option<Value> {
    text.and_then(|t| serde_json::from_str(t).ok())
}

/// The items of a change, the first ones with their properties, and how many there are.
fn items(ops: &[Op]) -> (Vec<HistoryItem>, u32) {
    let mut out = Vec::new();
    let mut count = 0u32;
    for op in ops {
        let (name, change, moved_to, before, after) = match op {
            Op::Write { path, before, after } => {
                let change = if before.is_some() { ItemChangeKind::Changed } else { ItemChangeKind::Added };
                (item_of(path), change, None, before.as_deref(), Some(after.as_str()))
            }
            Op::Delete { path, .. } => (item_of(path), ItemChangeKind::Removed, None, None, None),
            Op::Remove { path, .. } => (item_of(path), ItemChangeKind::Removed, None, None, None),
            Op::Move { from, to } if from.starts_with(SYSTEM_DIR) => (item_of(from), ItemChangeKind::Moved, Some(item_of(to)), None, None),
            Op::Move { to, .. } => (item_of(to), ItemChangeKind::Added, None, None, None),
            Op::Mkdir { .. } | Op::Rmdir { .. } => continue,
        };
        count += 1;
        if out.len() < ITEMS_SHOWN {
            let properties = if before.is_some() || after.is_some() { property_diffs(parse(before).as_ref(), parse(after).as_ref()) } else { Vec::new() };
            out.push(HistoryItem { name, change, moved_to, properties });
        }
    }
    (out, count)
}

/// Writes what the history list shows of a change, beside it (during the change: a crash
/// before the commit point removes it with the rest).
pub(crate) fn write_summary(root: &Path, journal: &Journal) -> Result<()> {
    let (items, item_count) = items(&journal.ops);
    let view = HistoryEntryView {
        id: journal.entry_name(),
        label: journal.label.clone(),
        at: rfc3339(journal.at as i64),
        origin: journal.origin,
        undone: false,
        items,
        item_count,
    };
    let path = summary_path(root, journal);
    let bytes = serde_json::to_vec(&view).expect("a history entry serializes");
    store::remove_leftover(&path)
        .and_then(|()| store::create_new(&path))
        .and_then(|mut f| std::io::Write::write_all(&mut f, &bytes))
        .map_err(|e| RepoError::io(&path, e))
}

fn read_summary(root: &Path, entry: &EntryFile) -> Option<HistoryEntryView> {
    let path = history_dir(root).join(format!("{}{VIEW_SUFFIX}", entry.name));
    // Bounded like the entries: a planted huge file is not read.
    match store::read_limited(&path, KEEP_BYTES) {
        Ok(store::Limited::Text(text)) => serde_json::from_str(&text).ok(),
        _ => None,
    }
}

/// The steps that take a change back: in reverse order, each one's opposite, at the place its
/// file is once the change is complete.
fn inverse(ops: &[Op]) -> Vec<Op> {
    ops.iter()
        .enumerate()
        .rev()
        .map(|(i, op)| {
            let now = |p: &str| journal::where_now(ops, i, p);
            match op {
                Op::Mkdir { path } => Op::Rmdir { path: now(path) },
                Op::Rmdir { path } => Op::Mkdir { path: path.clone() },
                Op::Write { path, before: Some(before), after } => Op::Write { path: now(path), before: Some(after.clone()), after: before.clone() },
                Op::Write { path, before: None, after } => Op::Delete { path: now(path), before: after.clone() },
                Op::Delete { path, before } => Op::Write { path: path.clone(), before: None, after: before.clone() },
                Op::Remove { path, kept } => Op::Move { from: kept.clone(), to: path.clone() },
                Op::Move { from, to } => Op::Move { from: to.clone(), to: from.clone() },
            }
        })
        .collect()
}

/// The steps of a change made again: the same, each removed folder kept anew.
fn again(ops: &[Op]) -> Vec<Op> {
    ops.iter()
        .map(|op| match op {
            Op::Remove { path, .. } => Op::Remove { path: path.clone(), kept: String::new() },
            other => other.clone(),
        })
        .collect()
}

/// The items whose files are not as the steps expect them (changed since, by hand, another
/// program or a pull).
fn changed_since(root: &Path, ops: &[Op]) -> Result<Vec<String>> {
    let abs = |rel: &str| crate::repo_path::join(root, rel);
    let kind = |rel: &str| -> Result<EntryKind> {
        let path = abs(rel);
        store::entry_kind(&path).map_err(|e| RepoError::io(&path, e))
    };
    let holds = |rel: &str, expected: &str| -> Result<bool> {
        let path = abs(rel);
        Ok(match store::read_contents(&path).map_err(|e| RepoError::io(&path, e))? {
            // The same, or the same apart from the addresses a refresh wrote since.
            store::Contents::Text(text) => text == expected || without_observed(&text).is_some_and(|v| Some(v) == without_observed(expected)),
            _ => false,
        })
    };
    let mut out = Vec::new();
    for op in ops {
        let ok = match op {
            Op::Mkdir { path } => kind(path)? == EntryKind::Missing,
            Op::Rmdir { path } | Op::Remove { path, .. } => kind(path)? == EntryKind::Dir,
            Op::Write { path, before: Some(before), .. } | Op::Delete { path, before } => holds(path, before)?,
            Op::Write { path, before: None, .. } => kind(path)? == EntryKind::Missing,
            Op::Move { from, to } => kind(from)? == EntryKind::Dir && kind(to)? == EntryKind::Missing,
        };
        if !ok {
            let rel = match op {
                Op::Move { from, .. } if from.starts_with(SYSTEM_DIR) => from,
                Op::Move { to, .. } => to,
                Op::Mkdir { path } | Op::Rmdir { path } | Op::Remove { path, .. } | Op::Write { path, .. } | Op::Delete { path, .. } => path,
            };
            let name = item_of(rel);
            if !out.contains(&name) {
                out.push(name);
            }
        }
    }
    Ok(out)
}

/// Instances a change saved into nodes (`cloud.instance`) that taking it back forgets.
fn instances_forgotten(change: &Journal) -> Vec<RunningInstance> {
    let ops = &change.ops;
    let instance =
        |v: &Option<Value>| v.as_ref().and_then(|v| v.pointer("/cloud/instance")).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string);
    ops.iter()
        .filter_map(|op| {
            let Op::Write { path, before, after } = op else { return None };
            let (before, after) = (parse(before.as_deref()), parse(Some(after)));
            let id = instance(&after).filter(|id| instance(&before).as_ref() != Some(id))?;
            let region = after.as_ref().and_then(|v| v.pointer("/cloud/region")).and_then(Value::as_str).map(str::to_string);
            Some(RunningInstance { node: item_of(path), instance_id: id, region, launched_here: !change.imported })
        })
        .collect()
}

impl Repo {
    /// The history, newest first, with what can be undone and redone.
    pub fn history(&self) -> Result<HistoryView> {
        let root = self.root();
        let all = entries(root)?;
        let stacks = replay(&all);
        let entries: Vec<HistoryEntryView> = all
            .iter()
            .rev()
            .filter_map(|e| {
                let mut view = read_summary(root, e)?;
                view.undone = stacks.undone.contains(&e.seq);
                Some(view)
            })
            .collect();
        let label_of = |top: Option<&(u64, u64)>| {
            let seq = top?.0;
            let name = &all.iter().find(|e| e.seq == seq)?.name;
            entries.iter().find(|v| &v.id == name).map(|v| v.label.clone())
        };
        Ok(HistoryView {
            next_undo: label_of(stacks.done.last()),
            next_redo: label_of(stacks.redo.last()),
            can_undo: !stacks.done.is_empty(),
            can_redo: !stacks.redo.is_empty(),
            entries,
        })
    }

    /// Takes the newest change that is not undone back, as a change of its own. Refused,
    /// changing nothing, when a file it touched was changed since.
    pub fn undo(&self) -> Result<UndoOutcome> {
        self.step_history(true)
    }

    /// Makes the newest undone change again.
    pub fn redo(&self) -> Result<UndoOutcome> {
        self.step_history(false)
    }

    fn step_history(&self, undo: bool) -> Result<UndoOutcome> {
        let _lock = self.lock()?;
        let root = self.root();
        let all = entries(root)?;
        let stacks = replay(&all);
        let top = if undo { stacks.done.last() } else { stacks.redo.last() };
        let Some(&(original, applied)) = top else {
            return Err(if undo { RepoError::NothingToUndo } else { RepoError::NothingToRedo });
        };
        let first = read_entry(root, &all, original)?;
        let (ops, still_running, action, verb) = if undo {
            let last = if applied == original { first.clone() } else { read_entry(root, &all, applied)? };
            let mut running = instances_forgotten(&last);
            if running.iter().any(|r| r.region.is_none()) {
                // A region the node inherits from its system: as it is before the undo.
                let tree = self.tree()?;
                for r in running.iter_mut().filter(|r| r.region.is_none()) {
                    r.region = tree.effective(&r.node).and_then(|p| p.get("cloud")?.get("region")?.as_str().map(str::to_string));
                }
            }
            (inverse(&last.ops), running, Action::Undo(original), "Undo")
        } else {
            (again(&first.ops), Vec::new(), Action::Redo(original), "Redo")
        };
        // The steps come from a file on disk: they must not lead through a link.
        journal::check_ways(root, &ops)?;
        let changed = changed_since(root, &ops)?;
        if !changed.is_empty() {
            return Err(RepoError::ChangedSince { label: first.label.clone(), undo, items: changed });
        }
        Change::undoing(self, format!("{verb}: {}", first.label), action, ops, first.imported).commit()?;
        let entry_file = all.iter().find(|e| e.seq == original).expect("read above");
        let mut entry = read_summary(root, entry_file).unwrap_or_else(|| {
            let (items, item_count) = items(&first.ops);
            HistoryEntryView {
                id: first.entry_name(),
                label: first.label.clone(),
                at: rfc3339(first.at as i64),
                origin: first.origin,
                undone: false,
                items,
                item_count,
            }
        });
        entry.undone = undo;
        Ok(UndoOutcome { entry, still_running })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::props::Assignment;
    use crate::repo::AddNodes;
    use crate::target::Target;

    fn repo() -> (tempfile::TempDir, Repo) {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repo::init(dir.path().join("r")).unwrap();
        (dir, repo)
    }

    fn node(repo: &Repo, name: &str) -> Option<Value> {
        fs::read_to_string(repo.file_of(name, crate::Kind::Node)).ok().map(|t| serde_json::from_str(&t).unwrap())
    }

    #[test]
    fn every_kind_of_change_is_undone_and_redone() {
        let (_dir, repo) = repo();
        repo.add_nodes(&AddNodes { ids: 1..=3, ..AddNodes::new("web/n{id}") }).unwrap();
        repo.add_nodes(&AddNodes { inherit: Some(Target::new("web/n1", true).unwrap()), ..AddNodes::new("web/clone") }).unwrap();
        let start = repo.tree().unwrap().items().iter().map(|i| (i.name.clone(), i.props.clone())).collect::<Vec<_>>();
        repo.set(&Target::new("web/n", false).unwrap(), &[Assignment::parse("cloud.type=t3.large").unwrap()]).unwrap();
        repo.rename("web/n1", "db/n1").unwrap();
        repo.remove("web/n2").unwrap();
        repo.add_system("empty/one").unwrap();
        let end = repo.tree().unwrap().items().iter().map(|i| (i.name.clone(), i.props.clone())).collect::<Vec<_>>();
        let labels: Vec<_> = repo.history().unwrap().entries.iter().map(|e| e.label.clone()).collect();
        assert_eq!(labels[0], "Add system empty/one");
        assert_eq!(labels[1], "Remove web/n2");
        assert_eq!(labels[2], "Move web/n1 to db/n1");
        for _ in 0..4 {
            repo.undo().unwrap();
        }
        let now = repo.tree().unwrap().items().iter().map(|i| (i.name.clone(), i.props.clone())).collect::<Vec<_>>();
        assert_eq!(now, start);
        assert!(!repo.root().join("system/db").exists() && !repo.root().join("system/empty").exists());
        for _ in 0..4 {
            repo.redo().unwrap();
        }
        let now = repo.tree().unwrap().items().iter().map(|i| (i.name.clone(), i.props.clone())).collect::<Vec<_>>();
        assert_eq!(now, end);
        assert_eq!(node(&repo, "web/clone").unwrap()["parent"], "db/n1");
        assert!(matches!(repo.redo(), Err(RepoError::NothingToRedo)));
        // After a restart the same: a fresh Repo sees the same history.
        let again = Repo::open(repo.root()).unwrap();
        again.undo().unwrap();
        assert!(!again.root().join("system/empty").exists());
        // A new change drops what could be redone.
        again.add_system("other").unwrap();
        assert!(!again.history().unwrap().can_redo);
    }

    #[test]
    fn the_list_says_what_changed_and_an_undone_entry_is_marked() {
        let (_dir, repo) = repo();
        repo.add_nodes(&AddNodes::new("web/a")).unwrap();
        repo.set(&Target::new("web/a", true).unwrap(), &[Assignment::parse("cloud.type=t3.large").unwrap()]).unwrap();
        let view = repo.history().unwrap();
        let set = &view.entries[0];
        assert_eq!(set.origin, Origin::CommandLine);
        assert_eq!(set.items[0].name, "web/a");
        assert_eq!(set.items[0].change, ItemChangeKind::Changed);
        assert_eq!(set.items[0].properties, [PropertyDiff { key: "cloud.type".into(), before: None, after: Some("t3.large".into()) }]);
        let outcome = repo.undo().unwrap();
        assert_eq!(outcome.entry.label, set.label);
        let view = repo.history().unwrap();
        assert!(view.entries[0].label.starts_with("Undo: "));
        assert!(view.entries[1].undone);
        assert!(view.can_redo && view.can_undo);
        assert_eq!(view.next_redo.as_deref(), Some(set.label.as_str()));
        assert_eq!(view.next_undo.as_deref(), Some("Add node web/a"));
    }

    #[test]
    fn undo_is_refused_when_a_file_changed_since() {
        let (_dir, repo) = repo();
        repo.add_nodes(&AddNodes::new("a")).unwrap();
        repo.set(&Target::all(), &[Assignment::parse("x=1").unwrap()]).unwrap();
        fs::write(repo.file_of("a", crate::Kind::Node), "{\"x\": \"by hand\"}").unwrap();
        let err = repo.undo().unwrap_err();
        assert_eq!(err.code(), "history.changed_since");
        assert!(err.to_string().contains("'a'"), "{err}");
        assert_eq!(node(&repo, "a").unwrap()["x"], "by hand");
    }

    #[test]
    fn undoing_a_saved_instance_says_it_still_runs() {
        let (_dir, repo) = repo();
        repo.add_nodes(&AddNodes::new("a")).unwrap();
        repo.update_each(&["a".to_string()], |_, p| {
            let mut out = Vec::new();
            out.extend(crate::props::set_path(p, "cloud.region", "eu-west-1".into())?);
            out.extend(crate::props::set_path(p, "cloud.instance", "i-123".into())?);
            Ok(out)
        })
        .unwrap();
        // The engine then saves the instance's addresses: outside the history, and no reason
        // to refuse the undo.
        repo.update_observed("a", |p| Ok(crate::props::set_path(p, "host", "ec2-1.example".into())?.into_iter().collect())).unwrap();
        assert_eq!(repo.history().unwrap().entries.len(), 2);
        assert!(repo.update_observed("a", |p| Ok(crate::props::set_path(p, "user", "x".into())?.into_iter().collect())).is_err());
        let outcome = repo.undo().unwrap();
        assert_eq!(
            outcome.still_running,
            [RunningInstance { node: "a".into(), instance_id: "i-123".into(), region: Some("eu-west-1".into()), launched_here: true }]
        );
        assert!(node(&repo, "a").unwrap().get("cloud").is_none());
    }

    #[test]
    fn undoing_and_redoing_one_change_many_times_never_loses_it() {
        let (_dir, repo) = repo();
        repo.add_nodes(&AddNodes::new("a")).unwrap();
        repo.set(&Target::all(), &[Assignment::parse("x=1").unwrap()]).unwrap();
        for _ in 0..60 {
            repo.undo().unwrap();
            repo.redo().unwrap();
        }
        assert_eq!(entries(repo.root()).unwrap().len(), KEEP_ENTRIES);
        assert_eq!(repo.history().unwrap().next_undo.as_deref(), Some("Set x=1 on a"));
        repo.undo().unwrap();
        assert!(node(&repo, "a").unwrap().get("x").is_none());
        repo.undo().unwrap();
        assert!(node(&repo, "a").is_none());
    }

    #[test]
    fn a_planted_entry_with_a_huge_number_is_refused_never_a_panic() {
        let (_dir, repo) = repo();
        repo.add_nodes(&AddNodes::new("a")).unwrap();
        let dir = history_dir(repo.root());
        // Not one of ours at all: left alone.
        fs::write(dir.join("18446744073709551615-ab.json"), "{}").unwrap();
        repo.set(&Target::all(), &[Assignment::parse("x=1").unwrap()]).unwrap();
        // One of ours by its name, with no room after it: refused, naming the file.
        fs::write(dir.join(format!("{}-ab.json", MAX_SEQ - 1)), "{}").unwrap();
        let err = repo.set(&Target::all(), &[Assignment::parse("x=2").unwrap()]).unwrap_err();
        assert!(err.to_string().contains("-ab.json: its number is too large"), "{err}");
        assert_eq!(node(&repo, "a").unwrap()["x"], "1");
        // The planted entry is not a journal: undo refuses it, naming it.
        let err = repo.undo().unwrap_err();
        assert!(err.to_string().contains("-ab.json"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn an_entry_that_leads_through_a_link_is_refused_and_nothing_outside_moves() {
        let (dir, repo) = repo();
        repo.add_nodes(&AddNodes::new("a")).unwrap();
        let outside = dir.path().join("home");
        fs::create_dir_all(outside.join(".ssh")).unwrap();
        fs::write(outside.join(".ssh/id_rsa"), "secret").unwrap();
        std::os::unix::fs::symlink(&outside, repo.root().join("system/home")).unwrap();
        // An entry that "moved" system/home/.ssh to system/loot: undoing it moves it back,
        // redoing it would move it again. Both directions are refused.
        let entry = |seq: u64, action: &str| {
            format!(
                r#"{{"format":2,"id":"ab","seq":{seq},"label":"Tidy up","origin":"app","at":0,"action":{action},"ops":[{{"op":"move","from":"system/home/.ssh","to":"system/loot"}}]}}"#
            )
        };
        fs::write(history_dir(repo.root()).join("000007-ab.json"), entry(7, "\"change\"")).unwrap();
        let err = repo.undo().unwrap_err();
        assert_eq!(err.code(), "repo.unsafe_path");
        assert!(err.to_string().contains("system/home: is a symbolic link"), "{err}");
        assert_eq!(fs::read_to_string(outside.join(".ssh/id_rsa")).unwrap(), "secret");
        // Written as an undone change, so that redo is offered: refused the same way.
        fs::write(history_dir(repo.root()).join("000008-ab.undo-7.json"), entry(8, r#"{"undo":7}"#)).unwrap();
        let err = repo.redo().unwrap_err();
        assert!(err.to_string().contains("system/home: is a symbolic link"), "{err}");
        assert!(outside.join(".ssh/id_rsa").exists() && !repo.root().join("system/loot").exists());
    }

    #[test]
    fn an_import_is_one_entry_and_its_instances_were_not_launched_here() {
        let (_dir, repo) = repo();
        repo.add_nodes(&AddNodes::new("mine")).unwrap();
        let props = |id: &str| serde_json::from_value::<crate::Props>(serde_json::json!({"cloud": {"instance": id, "region": "us-east-1"}})).unwrap();
        let nodes: Vec<(String, crate::Props)> = (1..=3).map(|n| (format!("imported/legacy-{n}"), props(&format!("i-{n}")))).collect();
        repo.import_nodes(&nodes).unwrap();
        let view = repo.history().unwrap();
        assert_eq!(view.entries.len(), 2);
        assert_eq!(view.entries[0].label, "Import 3 instances as imported/legacy-1, imported/legacy-2 and imported/legacy-3");
        let outcome = repo.undo().unwrap();
        assert_eq!(outcome.still_running.len(), 3);
        assert!(outcome.still_running.iter().all(|r| !r.launched_here));
        assert!(!repo.root().join("system/imported").exists());
        // Redone and undone again: still an import.
        repo.redo().unwrap();
        assert!(repo.undo().unwrap().still_running.iter().all(|r| !r.launched_here));
        // A taken name makes nothing; nor does a node inside another of the same import.
        assert_eq!(repo.import_nodes(&[("mine".into(), props("i-9"))]).unwrap_err().code(), "repo.already_exists");
        let nested = [("x".to_string(), props("i-7")), ("x/y".to_string(), props("i-8"))];
        assert!(repo.import_nodes(&nested).unwrap_err().to_string().contains("inside another imported node"));
        assert!(!repo.root().join("system/x").exists());
    }

    /// Pruning never changes what undo and redo do next: after any sequence of changes, undos
    /// and redos, each pruned as the store prunes, the stacks replayed from what is kept are
    /// the top of the stacks replayed from everything, with the same entries applied, and the
    /// next undo and the next redo are always kept.
    #[test]
    fn pruning_keeps_the_top_of_both_stacks_exactly() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        let entry = |seq: u64, action: Action| EntryFile { seq, action, name: format!("{seq:06}-ab") };
        let (mut all, mut kept): (Vec<EntryFile>, Vec<EntryFile>) = (Vec::new(), Vec::new());
        for seq in 1..3000u64 {
            let truth = replay(&all);
            // Long runs of undo and redo, as people do, and changes in between.
            let action = match next(10) {
                0..=3 => Action::Change,
                4..=6 => truth.done.last().map_or(Action::Change, |d| Action::Undo(d.0)),
                _ => truth.redo.last().map_or(Action::Change, |r| Action::Redo(r.0)),
            };
            all.push(entry(seq, action));
            kept.push(entry(seq, action));
            let keep = select_kept(&kept, |_| 1);
            kept.retain(|e| keep.contains(&e.seq));
            assert!(kept.len() <= KEEP_ENTRIES);
            let (truth, now) = (replay(&all), replay(&kept));
            for (ours, theirs) in [(&now.done, &truth.done), (&now.redo, &truth.redo)] {
                assert!(!ours.is_empty() || theirs.is_empty(), "step {seq}: the top is kept");
                assert_eq!(ours[..], theirs[theirs.len() - ours.len()..], "step {seq}: {:?}", kept.iter().map(|e| (e.seq, e.action)).collect::<Vec<_>>());
            }
        }
    }

    #[test]
    fn old_entries_are_pruned() {
        let (_dir, repo) = repo();
        repo.add_nodes(&AddNodes::new("a")).unwrap();
        for i in 0..(KEEP_ENTRIES + 5) {
            repo.set(&Target::all(), &[Assignment::parse(&format!("x:int={i}")).unwrap()]).unwrap();
        }
        assert_eq!(entries(repo.root()).unwrap().len(), KEEP_ENTRIES);
        assert_eq!(repo.history().unwrap().entries.len(), KEEP_ENTRIES);
    }
}
