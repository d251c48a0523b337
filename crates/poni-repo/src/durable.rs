//! Durable changes without flushing the file system.
//!
//! A change is committed when its journal, which holds every file's new contents, is on the
//! disk with its `commit` mark (`journal`, step 4): the mark is overwritten in place and only
//! that block is flushed (`fdatasync`). The 10,000 files the change wrote are not flushed;
//! flushing them (or the whole file system, `syncfs`) is what made a change cost as much as
//! it did on a real disk.
//!
//! So that a power cut loses nothing, the committed journal waits in `.poni-desktop-unflushed/`
//! (named after the machine's boot) until its files are known to be on the disk:
//! - while the machine has not restarted, the files are in the kernel's cache and everyone
//!   reads them as written: nothing is to be done;
//! - after a restart (another boot id), the next open of the repository redoes each waiting
//!   change in order, on whatever the disk kept: a file that is missing, empty, not JSON or
//!   still holds its old contents gets its new contents; a file someone changed since is left
//!   alone. Then one flush, and the journals are retired;
//! - otherwise the next lock of the repository retires them once they are old enough for the
//!   kernel to have written the files back by itself (a flush then costs little), or once
//!   there are many of them.
//!
//! The history entry is the same file (a second name, a hard link; a copy where links are not
//! supported), so a waiting journal takes no room of its own.

use crate::error::{RepoError, Result};
use crate::journal::{self, Journal, Op, State, HISTORY_DIR, JOURNAL_FILE};
use crate::repo_path::join as abs;
use crate::store::{self, EntryKind};
use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{self, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// Committed changes whose files may not be on the disk yet.
pub const UNFLUSHED_DIR: &str = ".poni-desktop-unflushed";
/// A journal's file starts with this (its first field is the state; see [`Journal`]).
pub(crate) const STATE_PREFIX: &str = "{\"state\":\"";
/// Past this age the kernel has written a change's files back by itself (it does so after
/// 30 seconds by default), so flushing costs little more than the disk's own cache.
const SETTLE_AGE: Duration = Duration::from_secs(120);
/// More waiting changes than this are retired at once, so that a redo stays short.
const SETTLE_COUNT: usize = 64;

/// Overwrites the journal's `intent` with `commit` and flushes that block: the commit point.
/// The same length in the same block, so the file's size and blocks stay as they were flushed
/// and the file system need not commit any of its own records (only the data is flushed).
pub(crate) fn mark_committed(mut file: &File) -> io::Result<()> {
    file.seek(SeekFrom::Start(STATE_PREFIX.len() as u64))?;
    file.write_all(b"commit")?;
    file.sync_data()
}

/// After the commit point: the journal becomes the history entry (when the change is
/// recorded) and waits among the unflushed changes, or is flushed and dropped where the
/// machine's boot cannot be known.
pub(crate) fn finish(root: &Path, journal: &Journal) -> Result<()> {
    let journal_path = root.join(JOURNAL_FILE);
    if journal.recorded {
        link_into_history(root, journal, &journal_path)?;
    }
    match boot_id() {
        Some(boot) => {
            let dir = root.join(UNFLUSHED_DIR);
            journal::ensure_own_dir(&dir)?;
            let number = list(&dir)?.last().map_or(1, |r| r.number + 1);
            let record = dir.join(record_name(number, boot));
            fs::rename(&journal_path, &record).map_err(|e| RepoError::io(&journal_path, e))
        }
        None => flush_and_drop(root, journal, &journal_path),
    }
}

/// Finishes a committed change that a crash interrupted (its journal still in place): it is
/// redone first by the caller; here it enters the history and is flushed.
pub(crate) fn finish_recovered(root: &Path, journal: &Journal, journal_path: &Path) -> Result<()> {
    if journal.recorded {
        enter_history(root, journal, journal_path)?;
    }
    flush_and_drop(root, journal, journal_path)
}

fn flush_and_drop(root: &Path, journal: &Journal, journal_path: &Path) -> Result<()> {
    journal::flush(root, journal).map_err(|e| RepoError::io(root, e))?;
    store::remove_leftover(journal_path).map_err(|e| RepoError::io(journal_path, e))?;
    store::sync_dir(root);
    Ok(())
}

/// The history entry of a change recovered after a crash or a power cut: the journal under a
/// second name, and its summary beside it again (written during the change without a flush,
/// it may be gone).
fn enter_history(root: &Path, journal: &Journal, from: &Path) -> Result<()> {
    link_into_history(root, journal, from)?;
    crate::history::write_summary(root, journal)
}

/// The history entry is the journal under a second name.
fn link_into_history(root: &Path, journal: &Journal, from: &Path) -> Result<()> {
    let entry = root.join(HISTORY_DIR).join(format!("{}.json", journal.entry_name()));
    journal::ensure_own_dir(&root.join(HISTORY_DIR))?;
    store::remove_leftover(&entry).map_err(|e| RepoError::io(&entry, e))?;
    if fs::hard_link(from, &entry).is_err() {
        // A file system without hard links: a copy (a journal is never a link; create_new
        // does not follow one at the entry's name).
        let bytes = fs::read(from).map_err(|e| RepoError::io(from, e))?;
        store::create_new(&entry).and_then(|mut f| f.write_all(&bytes)).map_err(|e| RepoError::io(&entry, e))?;
    }
    Ok(())
}

/// Whether changes wait that a restart may have cut short (cheap: one listing).
pub(crate) fn needs_redo(root: &Path) -> bool {
    let Ok(read) = fs::read_dir(root.join(UNFLUSHED_DIR)) else { return false };
    let boot = boot_id();
    read.flatten().filter_map(|e| parse_record(&e.file_name().to_string_lossy())).any(|(_, b)| Some(b.as_str()) != boot)
}

/// Redoes the waiting changes after a restart, or retires them once they are surely on the
/// disk. Call under the repository lock. Returns whether a restart's changes were redone.
pub(crate) fn settle(root: &Path) -> Result<bool> {
    let dir = root.join(UNFLUSHED_DIR);
    match store::entry_kind(&dir).map_err(|e| RepoError::io(&dir, e))? {
        EntryKind::Missing => return Ok(false),
        EntryKind::Dir => {}
        other => return Err(store::refused(&dir, other)),
    }
    let records = list(&dir)?;
    if records.is_empty() {
        return Ok(false);
    }
    let boot = boot_id();
    let restarted = records.iter().any(|r| Some(r.boot.as_str()) != boot);
    if restarted {
        for record in &records {
            let journal = read_record(&record.path)?;
            redo(root, &journal).map_err(|e| cannot_redo(&record.path, e))?;
            if journal.recorded {
                enter_history(root, &journal, &record.path)?;
            }
        }
    } else if records.len() < SETTLE_COUNT && !records.iter().any(|r| is_old(&r.path)) {
        return Ok(false);
    }
    if !syncfs(root).map_err(|e| RepoError::io(root, e))? {
        for record in &records {
            journal::flush(root, &read_record(&record.path)?).map_err(|e| RepoError::io(root, e))?;
        }
    }
    for record in &records {
        store::remove_leftover(&record.path).map_err(|e| RepoError::io(&record.path, e))?;
    }
    // Durably gone: a retired journal that came back could undo a later change.
    store::sync_dir(&dir);
    Ok(restarted)
}

fn read_record(path: &Path) -> Result<Journal> {
    match journal::read_journal(path)? {
        Some(journal) if journal.state == State::Commit => Ok(journal),
        _ => Err(cannot_redo(path, RepoError::Journal("it is not a committed change".into()))),
    }
}

fn cannot_redo(path: &Path, e: RepoError) -> RepoError {
    RepoError::Journal(format!(
        "{}: a change saved before the machine restarted could not be checked ({e}); nothing more was done. Fix the cause and run the command again, or remove the file to keep the files as they are now",
        path.display()
    ))
}

fn is_old(path: &Path) -> bool {
    let modified = fs::symlink_metadata(path).and_then(|m| m.modified());
    // A time in the future (a clock set back) counts as old too.
    modified.map_or(true, |at| SystemTime::now().duration_since(at).map_or(true, |age| age >= SETTLE_AGE))
}

/// Makes the repository hold what a committed change wrote, whatever a power cut kept of it.
/// Every step looks first, so it can be done again.
pub(crate) fn redo(root: &Path, journal: &Journal) -> Result<()> {
    let mut seen = HashSet::new();
    let mut checked = |rel: &str| -> Result<PathBuf> {
        crate::repo_path::check_way(root, rel, &mut seen)?;
        Ok(abs(root, rel))
    };
    let kind = |p: &Path| store::entry_kind(p).map_err(|e| RepoError::io(p, e));
    // Folders first, in order; the files are then at their places after the change.
    for op in &journal.ops {
        match op {
            Op::Mkdir { path } => {
                let dir = checked(path)?;
                if kind(&dir)? == EntryKind::Missing {
                    fs::create_dir(&dir).map_err(|e| RepoError::io(&dir, e))?;
                }
            }
            Op::Remove { path: from, kept: to } | Op::Move { from, to } => {
                let (from, to) = (checked(from)?, checked(to)?);
                if kind(&from)? != EntryKind::Missing && kind(&to)? == EntryKind::Missing {
                    if let Some(parent) = to.parent().filter(|p| kind(p).is_ok_and(|k| k == EntryKind::Missing)) {
                        fs::create_dir(parent).map_err(|e| RepoError::io(parent, e))?;
                    }
                    fs::rename(&from, &to).map_err(|e| RepoError::io(&from, e))?;
                }
            }
            _ => {}
        }
    }
    for (i, op) in journal.ops.iter().enumerate() {
        match op {
            Op::Write { path, before, after } => {
                let path = checked(&journal::where_now(&journal.ops, i, path))?;
                store::remove_leftover(&journal::tmp_of(&path)).map_err(|e| RepoError::io(&path, e))?;
                if !journal::holds(&path, after)? && lost(&path, before.as_deref())? {
                    journal::put_back(&path, after)?;
                }
            }
            Op::Delete { path, before } => {
                let path = checked(&journal::where_now(&journal.ops, i, path))?;
                if kind(&path)? == EntryKind::File && journal::holds(&path, before)? {
                    fs::remove_file(&path).map_err(|e| RepoError::io(&path, e))?;
                }
            }
            _ => {}
        }
    }
    for op in &journal.ops {
        if let Op::Rmdir { path } = op {
            let dir = checked(path)?;
            if kind(&dir)? == EntryKind::Dir {
                // Not empty: someone put something there since; it stays.
                let _ = fs::remove_dir(&dir);
            }
        }
    }
    Ok(())
}

/// Whether a file shows what a power cut leaves of a write: nothing, an empty or partly
/// written file, or the contents before the change. Other contents are someone's later edit.
fn lost(path: &Path, before: Option<&str>) -> Result<bool> {
    Ok(match store::read_contents(path).map_err(|e| RepoError::io(path, e))? {
        store::Contents::Missing | store::Contents::NotText => true,
        store::Contents::Text(text) => {
            serde_json::from_str::<serde_json::Value>(&text).is_err() || before.is_some_and(|b| journal::holds(path, b).unwrap_or(false))
        }
        store::Contents::Refused(kind) => return Err(store::refused(path, kind)),
    })
}

/// One waiting change: `<number>.<boot id>.json`.
struct Record {
    number: u64,
    boot: String,
    path: PathBuf,
}

fn record_name(number: u64, boot: &str) -> String {
    format!("{number:08}.{boot}.json")
}

/// A waiting change's number and boot from its file name; other names are not ours.
fn parse_record(name: &str) -> Option<(u64, String)> {
    let (number, rest) = name.strip_suffix(".json")?.split_once('.')?;
    let number = number.parse().ok().filter(|_| number.bytes().all(|b| b.is_ascii_digit()))?;
    is_boot_id(rest).then(|| (number, rest.to_string()))
}

/// The waiting changes, oldest first.
fn list(dir: &Path) -> Result<Vec<Record>> {
    let read = match fs::read_dir(dir) {
        Ok(read) => read,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(RepoError::io(dir, e)),
    };
    let mut out = Vec::new();
    for entry in read {
        let entry = entry.map_err(|e| RepoError::io(dir, e))?;
        if let Some((number, boot)) = parse_record(&entry.file_name().to_string_lossy()) {
            out.push(Record { number, boot, path: entry.path() });
        }
    }
    out.sort_by_key(|r| r.number);
    Ok(out)
}

/// This boot of the machine: a power cut or a crash of the system starts another, and only
/// then can written files be lost. `None` where it cannot be known (changes are then flushed
/// before the command returns).
/// Read once: it cannot change while the process runs, and every open asks (`needs_redo`).
pub(crate) fn boot_id() -> Option<&'static str> {
    static BOOT: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    BOOT.get_or_init(read_boot_id).as_deref()
}

fn read_boot_id() -> Option<String> {
    #[cfg(target_os = "linux")]
    {
        let text = fs::read_to_string("/proc/sys/kernel/random/boot_id").ok()?;
        let id = text.trim();
        is_boot_id(id).then(|| id.to_string())
    }
    #[cfg(not(target_os = "linux"))]
    None
}

fn is_boot_id(text: &str) -> bool {
    text.len() == 36 && text.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
}

/// One flush of the file system the repository is on (`syncfs`); `false` where there is none.
pub(crate) fn syncfs(root: &Path) -> io::Result<bool> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::io::AsRawFd;
        let dir = File::open(root)?;
        // SAFETY: syncfs takes an open descriptor, which `dir` holds for the call.
        if unsafe { libc::syncfs(dir.as_raw_fd()) } == 0 {
            return Ok(true);
        }
        Err(io::Error::last_os_error())
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = root;
        Ok(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::tests::{base, changes, copy_tree, snapshot};
    use crate::props::Assignment;
    use crate::repo::Repo;
    use crate::target::Target;

    const OTHER_BOOT: &str = "00000000-0000-4000-8000-000000000000";

    /// What a power cut leaves of a committed change whose files were never flushed.
    #[derive(Debug, Clone, Copy)]
    enum Cut {
        /// The files hold their old contents (new ones missing); the folders were kept.
        OldFiles,
        /// Every written file is there but empty.
        EmptyFiles,
        /// Only the journal: every file and folder as before the change, and the journal
        /// still in its place (its move among the waiting changes was lost too).
        OnlyTheJournal,
    }

    fn records(root: &Path) -> Vec<Record> {
        list(&root.join(UNFLUSHED_DIR)).unwrap()
    }

    /// The machine restarted: the waiting change was written in another boot.
    fn restart(root: &Path, record: &Record) -> PathBuf {
        let moved = root.join(UNFLUSHED_DIR).join(record_name(record.number, OTHER_BOOT));
        fs::rename(&record.path, &moved).unwrap();
        moved
    }

    /// Returns whether the cut changed anything (a removal writes no file).
    fn cut(root: &Path, record: &Path, how: Cut) -> bool {
        let journal = read_record(record).unwrap();
        let writes = journal.ops.iter().any(|op| matches!(op, Op::Write { .. }));
        match how {
            Cut::OldFiles | Cut::EmptyFiles => {
                for (i, op) in journal.ops.iter().enumerate() {
                    let Op::Write { path, before, .. } = op else { continue };
                    let path = abs(root, &journal::where_now(&journal.ops, i, path));
                    match (how, before) {
                        (Cut::OldFiles, Some(before)) => fs::write(&path, before).unwrap(),
                        (Cut::OldFiles, None) => fs::remove_file(&path).unwrap(),
                        _ => fs::write(&path, "").unwrap(),
                    }
                }
            }
            Cut::OnlyTheJournal => {
                journal::undo(root, &journal).unwrap();
                let entry = root.join(HISTORY_DIR).join(format!("{}.json", journal.entry_name()));
                let _ = fs::remove_file(entry);
                fs::rename(record, root.join(JOURNAL_FILE)).unwrap();
                return true;
            }
        }
        writes
    }

    /// Every change, cut by a power loss after its commit point in each way its unflushed
    /// files can be found, is whole again after the next open, and in the history.
    #[test]
    fn a_committed_change_survives_a_power_cut() {
        let dir = tempfile::tempdir().unwrap();
        let base = base(dir.path());
        for (what, change) in changes() {
            for how in [Cut::OldFiles, Cut::EmptyFiles, Cut::OnlyTheJournal] {
                let root = dir.path().join(format!("{what}-{how:?}"));
                copy_tree(&base, &root);
                let repo = Repo::open(&root).unwrap();
                change(&repo).unwrap();
                let after = snapshot(&root);
                let history = repo.history().unwrap().entries.len();
                let waiting = records(&root);
                assert_eq!(waiting.len(), 1, "{what}: one change waits");
                assert!(waiting[0].path.metadata().unwrap().len() > 0);
                let record = restart(&root, &waiting[0]);
                let changed = cut(&root, &record, how);
                assert!(!changed || snapshot(&root) != after, "{what}, {how:?}: the cut lost something");
                let reopened = Repo::open(&root).unwrap();
                assert!(snapshot(&root) == after, "{what}, {how:?}: redone on open");
                assert!(records(&root).is_empty(), "{what}, {how:?}: retired once flushed");
                assert!(!root.join(JOURNAL_FILE).exists());
                assert_eq!(reopened.history().unwrap().entries.len(), history, "{what}, {how:?}: in the history");
                assert!(reopened.tree().is_ok());
            }
        }
    }

    /// A file someone changed after the change (poni 0.8 or an editor) is not overwritten by
    /// the redo; one left as it was before the change is.
    #[test]
    fn a_redo_keeps_later_edits() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("r");
        let repo = Repo::init(&root).unwrap();
        repo.add_nodes(&crate::repo::AddNodes { ids: 1..=2, ..crate::repo::AddNodes::new("s/n{id}") }).unwrap();
        for record in records(&root) {
            fs::remove_file(record.path).unwrap();
        }
        repo.set(&Target::all(), &[Assignment::parse("x=1").unwrap()]).unwrap();
        let n1 = root.join("system/s/n1/node.json");
        let n2 = root.join("system/s/n2/node.json");
        let (set1, set2) = (fs::read_to_string(&n1).unwrap(), fs::read_to_string(&n2).unwrap());
        let record = restart(&root, &records(&root)[0]);
        let journal = read_record(&record).unwrap();
        let old2 = journal.ops.iter().find_map(|op| match op {
            Op::Write { path, before, .. } if path.ends_with("n2/node.json") => before.clone(),
            _ => None,
        });
        fs::write(&n1, "{\n    \"edited\": \"later\"\n}").unwrap();
        fs::write(&n2, old2.unwrap()).unwrap();
        Repo::open(&root).unwrap();
        assert_eq!(fs::read_to_string(&n1).unwrap(), "{\n    \"edited\": \"later\"\n}");
        assert_eq!(fs::read_to_string(&n2).unwrap(), set2);
        assert_ne!(set1, "{\n    \"edited\": \"later\"\n}");
    }

    /// Waiting changes of this boot stay until they are old enough (the kernel wrote them
    /// back) or many; then the next lock retires them with one flush.
    #[test]
    fn waiting_changes_are_retired_when_old_or_many() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("r");
        let repo = Repo::init(&root).unwrap();
        repo.add_nodes(&crate::repo::AddNodes::new("a")).unwrap();
        let set = |n: u32| repo.set(&Target::all(), &[Assignment::parse(&format!("x={n}")).unwrap()]).unwrap();
        set(1);
        assert_eq!(records(&root).len(), 2);
        assert!(!Repo::open(&root).unwrap().recover().unwrap(), "young ones of this boot are left");
        assert_eq!(records(&root).len(), 2);
        let old = SystemTime::now() - Duration::from_secs(600);
        File::options().write(true).open(&records(&root)[0].path).unwrap().set_modified(old).unwrap();
        assert!(!repo.recover().unwrap(), "retiring is not a recovery");
        assert!(records(&root).is_empty());
        for n in 0..SETTLE_COUNT as u32 {
            set(n + 2);
        }
        assert_eq!(records(&root).len(), SETTLE_COUNT);
        set(0);
        assert_eq!(records(&root).len(), 1, "many are retired by the next change");
        assert!(!needs_redo(&root));
    }

    /// A waiting change is read like any journal from the disk: one that names a path outside
    /// the repository is refused and nothing is done; a link in its place is not followed.
    #[test]
    fn a_hostile_waiting_change_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("r");
        Repo::init(&root).unwrap();
        let waiting = root.join(UNFLUSHED_DIR);
        fs::create_dir(&waiting).unwrap();
        let outside = dir.path().join("outside.json");
        fs::write(
            waiting.join(record_name(1, OTHER_BOOT)),
            r#"{"state":"commit","format":2,"id":"ab-1","seq":1,"label":"x","origin":"app","at":0,"action":"change","ops":[{"op":"write","path":"system/../../outside.json","before":null,"after":"{}"}]}"#,
        )
        .unwrap();
        assert!(needs_redo(&root));
        let err = Repo::open(&root).unwrap_err();
        assert_eq!(err.code(), "repo.journal");
        assert!(err.to_string().contains("outside the repository"), "{err}");
        assert!(!outside.exists());
        fs::remove_file(waiting.join(record_name(1, OTHER_BOOT))).unwrap();
        fs::write(&outside, "{}").unwrap();
        std::os::unix::fs::symlink(&outside, waiting.join(record_name(2, OTHER_BOOT))).unwrap();
        let err = Repo::open(&root).unwrap_err();
        assert!(err.to_string().contains("link"), "{err}");
        // Names that are not ours are left alone and never make an open wait.
        fs::remove_file(waiting.join(record_name(2, OTHER_BOOT))).unwrap();
        fs::write(waiting.join("notes.txt"), "x").unwrap();
        assert!(!needs_redo(&root));
        Repo::open(&root).unwrap();
    }

    #[test]
    fn a_journal_starts_with_its_state_where_the_commit_mark_goes() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repo::init(dir.path().join("r")).unwrap();
        repo.add_system("s").unwrap();
        let record = &records(repo.root())[0];
        let text = fs::read_to_string(&record.path).unwrap();
        assert!(text.starts_with(&format!("{STATE_PREFIX}commit\"")), "{}", &text[..40]);
        assert_eq!("intent".len(), "commit".len());
        assert!(is_boot_id(boot_id().unwrap()));
        assert_eq!(parse_record(&record_name(7, OTHER_BOOT)), Some((7, OTHER_BOOT.to_string())));
        assert_eq!(parse_record("+7.00000000-0000-4000-8000-000000000000.json"), None);
        assert_eq!(parse_record("7.x.json"), None);
    }
}
