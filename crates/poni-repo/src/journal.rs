//! Changes to several files, all or nothing, through an intent journal.
//!
//! A change (set on 10,000 nodes, add-node of 1,000, a move that also updates the clones'
//! `parent`) runs in four steps, under the repository lock:
//!
//! 1. The journal, `<root>/.poni-desktop-journal`, lists every step to come. It is written and
//!    flushed once, before anything else changes.
//! 2. Staging: new folders are made; every new file's contents go to a temporary file beside
//!    it (`node.json.<id>.pd-tmp`, created exclusively); every file to be replaced gets a
//!    second name (`node.json.<id>.pd-bak`, a hard link: no data copied).
//! 3. Applying: the temporary files are renamed over their targets, folders are moved (a
//!    removed folder is moved to `<root>/.poni-desktop-trash-<id>-<n>`). Nothing is flushed
//!    file by file; one flush of the file system (`syncfs`) follows.
//! 4. The journal is renamed to `.poni-desktop-journal.done` (the commit point), the second
//!    names and the trash are removed, then the journal itself.
//!
//! A failure at any step (a read-only folder, a full disk, a permission) undoes what was done
//! and reports the failure: the backups are renamed back, new files and folders removed,
//! folders moved back. A crash leaves the journal: the next time the repository is opened or
//! locked, by the command line or the app, a journal is rolled back the same way, and a
//! `.done` journal has its cleanup finished. The journal and the trash sit at the repository's
//! top level, beside `repo.json`, where poni 0.8 never looks, and exist only during a change.
//!
//! A journal found on disk is treated as untrusted input: every path in it must lie inside
//! `system/` (or be one of our trash folders), without `..`, and no folder on the way may be a
//! link; otherwise nothing is done and the journal is reported.

use crate::error::{RepoError, Result};
use crate::store::{self, EntryKind, NODE_FILE, PONI_TMP_SUFFIX, SYSTEM_DIR, SYSTEM_FILE};
use serde::{Deserialize, Serialize};
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

pub const JOURNAL_FILE: &str = ".poni-desktop-journal";
pub const JOURNAL_DONE_FILE: &str = ".poni-desktop-journal.done";
pub const TRASH_PREFIX: &str = ".poni-desktop-trash-";
const TMP_SUFFIX: &str = ".pd-tmp";
const BAK_SUFFIX: &str = ".pd-bak";
const FORMAT: u32 = 1;

/// One step of a change. Paths are relative to the repository root, `/`-separated, so that a
/// repository moved after a crash still recovers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
enum Op {
    /// A folder that did not exist.
    Mkdir { path: String },
    /// A file replaced (`existed`) or created.
    Write { path: String, existed: bool },
    /// A folder (and everything in it) removed: moved to the trash, deleted after the commit.
    Remove { path: String, trash: String },
    /// A folder renamed.
    Move { from: String, to: String },
}

#[derive(Debug, Serialize, Deserialize)]
struct Journal {
    format: u32,
    id: String,
    ops: Vec<Op>,
}

/// A change being put together; nothing touches the disk until [`Change::commit`].
pub(crate) struct Change {
    root: PathBuf,
    journal: Journal,
    /// The contents of every `Op::Write`, in order.
    contents: Vec<Vec<u8>>,
}

impl Change {
    pub(crate) fn new(root: &Path) -> Self {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        let id = format!("{:x}-{:x}-{:x}", std::process::id(), nanos as u64, COUNTER.fetch_add(1, Ordering::Relaxed));
        Self { root: root.to_path_buf(), journal: Journal { format: FORMAT, id, ops: Vec::new() }, contents: Vec::new() }
    }

    pub(crate) fn mkdir(&mut self, path: String) {
        self.journal.ops.push(Op::Mkdir { path });
    }

    pub(crate) fn write(&mut self, path: String, bytes: Vec<u8>, existed: bool) {
        self.journal.ops.push(Op::Write { path, existed });
        self.contents.push(bytes);
    }

    pub(crate) fn remove_dir(&mut self, path: String) {
        let trash = format!("{TRASH_PREFIX}{}-{}", self.journal.id, self.journal.ops.len());
        self.journal.ops.push(Op::Remove { path, trash });
    }

    pub(crate) fn move_dir(&mut self, from: String, to: String) {
        self.journal.ops.push(Op::Move { from, to });
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.journal.ops.is_empty()
    }

    /// Carries the change out, all or nothing (see the module documentation).
    pub(crate) fn commit(self) -> Result<()> {
        if self.is_empty() {
            return Ok(());
        }
        let root = &self.root;
        let journal_path = root.join(JOURNAL_FILE);
        let text = serde_json::to_vec(&self.journal).expect("a journal serializes");
        write_journal(&journal_path, &text)?;
        let writes: Vec<(&Op, &[u8])> = self.journal.ops.iter().filter(|op| matches!(op, Op::Write { .. })).zip(self.contents.iter().map(Vec::as_slice)).collect();
        let done = stage(root, &self.journal, &writes).and_then(|()| apply(root, &self.journal, &writes)).and_then(|()| {
            fault::step(root)?;
            flush(root, &self.journal).map_err(|e| RepoError::io(root, e))
        });
        if let Err(error) = done {
            if fault::crashed(root) {
                return Err(error); // a simulated kill: leave everything as it is for recovery
            }
            return match undo(root, &self.journal).and_then(|()| flush(root, &self.journal).map_err(|e| RepoError::io(root, e))) {
                Ok(()) => {
                    let _ = fs::remove_file(&journal_path);
                    Err(error)
                }
                Err(undo_error) => Err(RepoError::Journal(format!(
                    "{error}; undoing the part already done failed too ({undo_error}): it is retried when the repository is next opened"
                ))),
            };
        }
        let done_path = root.join(JOURNAL_DONE_FILE);
        fs::rename(&journal_path, &done_path).map_err(|e| RepoError::io(&journal_path, e))?;
        if let Err(e) = fault::step(root) {
            if fault::crashed(root) {
                return Err(e); // killed after the commit point: recovery finishes the cleanup
            }
        }
        // The change is made; should the cleanup fail, the next open finishes it.
        if finish(root, &self.journal, false).is_ok() {
            let _ = fs::remove_file(&done_path);
        }
        Ok(())
    }
}

/// Whether a change was left by a crash (cheap: two `lstat`s).
pub(crate) fn pending(root: &Path) -> bool {
    [JOURNAL_FILE, JOURNAL_DONE_FILE].iter().any(|f| !matches!(store::entry_kind(&root.join(f)), Ok(EntryKind::Missing)))
}

/// Completes (`.done`) or rolls back a change left by a crash. Call under the repository lock.
/// Returns whether there was anything to do.
pub(crate) fn recover(root: &Path) -> Result<bool> {
    let mut did = false;
    let done_path = root.join(JOURNAL_DONE_FILE);
    if let Some(journal) = read_journal(&done_path)? {
        finish(root, &journal, true).map_err(|e| cannot_recover(&done_path, e))?;
        did = true;
    }
    remove_if_present(&done_path)?;
    let journal_path = root.join(JOURNAL_FILE);
    if let Some(journal) = read_journal(&journal_path)? {
        undo(root, &journal).map_err(|e| cannot_recover(&journal_path, e))?;
        flush(root, &journal).map_err(|e| cannot_recover(&journal_path, RepoError::io(root, e)))?;
        did = true;
    }
    remove_if_present(&journal_path)?;
    Ok(did)
}

fn cannot_recover(journal: &Path, e: RepoError) -> RepoError {
    RepoError::Journal(format!(
        "an interrupted change could not be undone ({e}); the repository is left as it is. Fix the cause and run the command again, or remove {} to keep the files as they are now",
        journal.display()
    ))
}

fn remove_if_present(path: &Path) -> Result<()> {
    store::remove_leftover(path).map_err(|e| RepoError::io(path, e))
}

/// Reads and checks a journal. A journal cut short by a crash while it was being written
/// means nothing else had started: it is `None`, like no journal.
fn read_journal(path: &Path) -> Result<Option<Journal>> {
    let text = match store::read_contents(path).map_err(|e| RepoError::io(path, e))? {
        store::Contents::Missing => return Ok(None),
        store::Contents::Text(text) => text,
        store::Contents::NotText => return Ok(None),
        store::Contents::Refused(kind) => return Err(store::refused(path, kind)),
    };
    let Ok(journal) = serde_json::from_str::<Journal>(&text) else { return Ok(None) };
    let bad = |why: String| RepoError::Journal(format!("{}: {why}; nothing was done (remove the file once you have checked the repository)", path.display()));
    if journal.format != FORMAT {
        return Err(bad(format!("written by another version (format {})", journal.format)));
    }
    if journal.id.is_empty() || !journal.id.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return Err(bad("it has an invalid id".into()));
    }
    for op in &journal.ops {
        let ok = match op {
            Op::Mkdir { path } => inside_system(path),
            Op::Write { path, .. } => inside_system(path) && (path.ends_with(&format!("/{NODE_FILE}")) || path.ends_with(&format!("/{SYSTEM_FILE}"))),
            Op::Remove { path, trash } => inside_system(path) && trash.starts_with(&format!("{TRASH_PREFIX}{}-", journal.id)) && !trash.contains(['/', '\\']),
            Op::Move { from, to } => inside_system(from) && inside_system(to),
        };
        if !ok {
            return Err(bad(format!("it names a path outside the repository's system folder ({op:?})")));
        }
    }
    Ok(Some(journal))
}

/// `system/...`, made of plain names (no `..`, `.`, empty parts, backslashes).
fn inside_system(rel: &str) -> bool {
    let mut parts = rel.split('/');
    parts.next() == Some(SYSTEM_DIR)
        && rel.len() > SYSTEM_DIR.len()
        && parts.all(|p| !p.is_empty() && p != "." && p != ".." && !p.contains(['\\', '\0']))
}

fn abs(root: &Path, rel: &str) -> PathBuf {
    rel.split('/').fold(root.to_path_buf(), |p, s| p.join(s))
}

/// Checks that no folder on the way to `rel` is a link or a special file (a journal found on
/// disk must not lead outside the repository).
fn check_way(root: &Path, rel: &str) -> Result<()> {
    let mut path = root.to_path_buf();
    let parts: Vec<&str> = rel.split('/').collect();
    for part in &parts[..parts.len() - 1] {
        path.push(part);
        match store::entry_kind(&path).map_err(|e| RepoError::io(&path, e))? {
            EntryKind::Dir => {}
            EntryKind::Missing => return Ok(()),
            other => return Err(store::refused(&path, other)),
        }
    }
    Ok(())
}

fn tmp_of(path: &Path, id: &str) -> PathBuf {
    store::suffixed(path, &format!(".{id}{TMP_SUFFIX}"))
}

fn bak_of(path: &Path, id: &str) -> PathBuf {
    store::suffixed(path, &format!(".{id}{BAK_SUFFIX}"))
}

fn write_journal(path: &Path, bytes: &[u8]) -> Result<()> {
    let result = (|| {
        // A journal exists only during a change, under the lock, and recovery runs when the
        // lock is taken: one here now is unreadable leftover of a crash while it was written.
        store::remove_leftover(path)?;
        let mut file = store::create_new(path)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        store::sync_dir(path.parent().unwrap_or(Path::new(".")));
        Ok(())
    })();
    result.map_err(|e: io::Error| {
        let _ = fs::remove_file(path);
        RepoError::io(path, e)
    })
}

fn stage(root: &Path, journal: &Journal, writes: &[(&Op, &[u8])]) -> Result<()> {
    for op in &journal.ops {
        if let Op::Mkdir { path } = op {
            let dir = abs(root, path);
            fault::step(root).and_then(|()| fs::create_dir(&dir).map_err(|e| RepoError::io(&dir, e)))?;
        }
    }
    parallel(writes, |(op, bytes)| {
        let Op::Write { path, existed } = op else { unreachable!("only writes") };
        let path = abs(root, path);
        let io = |e| RepoError::io(&path, e);
        fault::step(root)?;
        if *existed {
            // A leftover of poni's (or of our earlier versions') way of writing: never used again.
            store::remove_leftover(&store::suffixed(&path, PONI_TMP_SUFFIX)).map_err(io)?;
            backup(&path, &bak_of(&path, &journal.id)).map_err(io)?;
        }
        fault::step(root)?;
        let mut file = store::create_new(&tmp_of(&path, &journal.id)).map_err(io)?;
        fault::step(root)?;
        file.write_all(bytes).map_err(io)
    })
}

/// A second name for the file about to be replaced: a hard link where the file system has
/// them, else a copy.
fn backup(path: &Path, bak: &Path) -> io::Result<()> {
    match fs::hard_link(path, bak) {
        Ok(()) => Ok(()),
        Err(e) if matches!(e.kind(), io::ErrorKind::Unsupported | io::ErrorKind::PermissionDenied) || e.raw_os_error() == Some(31) => {
            let store::Contents::Text(text) = store::read_contents(path)? else {
                return Err(io::Error::other("not a plain text file"));
            };
            store::create_new(bak)?.write_all(text.as_bytes())
        }
        Err(e) => Err(e),
    }
}

fn apply(root: &Path, journal: &Journal, writes: &[(&Op, &[u8])]) -> Result<()> {
    parallel(writes, |(op, _)| {
        let Op::Write { path, .. } = op else { unreachable!("only writes") };
        let path = abs(root, path);
        fault::step(root)?;
        fs::rename(tmp_of(&path, &journal.id), &path).map_err(|e| RepoError::io(&path, e))
    })?;
    for op in &journal.ops {
        let (from, to) = match op {
            Op::Remove { path, trash } => (abs(root, path), root.join(trash)),
            Op::Move { from, to } => (abs(root, from), abs(root, to)),
            _ => continue,
        };
        fault::step(root)?;
        fs::rename(&from, &to).map_err(|e| RepoError::io(&from, e))?;
    }
    Ok(())
}

/// Puts everything back as it was before the change; each step checks what is there, so it
/// works after a failure or a crash at any point, and again after an interrupted undo.
fn undo(root: &Path, journal: &Journal) -> Result<()> {
    let checked = |rel: &str| -> Result<PathBuf> {
        check_way(root, rel)?;
        Ok(abs(root, rel))
    };
    let exists = |p: &Path| -> Result<bool> { Ok(store::entry_kind(p).map_err(|e| RepoError::io(p, e))? != EntryKind::Missing) };
    for op in journal.ops.iter().rev() {
        let (original, moved) = match op {
            Op::Remove { path, trash } => (checked(path)?, root.join(trash)),
            Op::Move { from, to } => (checked(from)?, checked(to)?),
            _ => continue,
        };
        if exists(&moved)? && !exists(&original)? {
            fs::rename(&moved, &original).map_err(|e| RepoError::io(&moved, e))?;
        }
    }
    for op in journal.ops.iter().rev() {
        let Op::Write { path, existed } = op else { continue };
        let path = checked(path)?;
        let io = |e| RepoError::io(&path, e);
        let bak = bak_of(&path, &journal.id);
        match store::entry_kind(&bak).map_err(io)? {
            EntryKind::File => {
                fs::rename(&bak, &path).map_err(io)?;
                // Renaming one name of a file over another name of the same file does nothing.
                store::remove_leftover(&bak).map_err(io)?;
            }
            EntryKind::Missing if !existed => {
                if store::entry_kind(&path).map_err(io)? == EntryKind::File {
                    fs::remove_file(&path).map_err(io)?;
                }
            }
            EntryKind::Missing => {} // never replaced
            other => return Err(store::refused(&bak, other)),
        }
        store::remove_leftover(&tmp_of(&path, &journal.id)).map_err(io)?;
    }
    for op in journal.ops.iter().rev() {
        let Op::Mkdir { path } = op else { continue };
        let dir = checked(path)?;
        match store::entry_kind(&dir).map_err(|e| RepoError::io(&dir, e))? {
            EntryKind::Dir => fs::remove_dir(&dir).map_err(|e| RepoError::io(&dir, e))?,
            EntryKind::Missing => {}
            other => return Err(store::refused(&dir, other)),
        }
    }
    Ok(())
}

/// After the commit: drops the second names and empties the trash.
/// `checked`: the journal was read from disk, so every folder on the way is checked first.
fn finish(root: &Path, journal: &Journal, checked: bool) -> Result<()> {
    for (i, op) in journal.ops.iter().enumerate() {
        match op {
            // Only replaced files have a second name; every temporary file was renamed.
            Op::Write { path: rel, existed: true } => {
                let rel = &where_now(journal, i, rel);
                if checked {
                    check_way(root, rel)?;
                }
                let bak = bak_of(&abs(root, rel), &journal.id);
                store::remove_leftover(&bak).map_err(|e| RepoError::io(&bak, e))?;
            }
            Op::Write { existed: false, .. } => {}
            Op::Remove { trash, .. } => {
                let trash = root.join(trash);
                match store::entry_kind(&trash).map_err(|e| RepoError::io(&trash, e))? {
                    // remove_dir_all does not follow links inside the folder.
                    EntryKind::Dir => fs::remove_dir_all(&trash).map_err(|e| RepoError::io(&trash, e))?,
                    EntryKind::Missing => {}
                    other => return Err(store::refused(&trash, other)),
                }
            }
            Op::Mkdir { .. } | Op::Move { .. } => {}
        }
    }
    Ok(())
}

/// Where the file of op `i` is once the change is complete: a later move takes it along.
fn where_now(journal: &Journal, i: usize, rel: &str) -> String {
    let mut rel = rel.to_string();
    for op in &journal.ops[i + 1..] {
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
fn flush(root: &Path, journal: &Journal) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::io::AsRawFd;
        let dir = File::open(root)?;
        // SAFETY: syncfs takes an open descriptor, which `dir` holds for the call.
        if unsafe { libc::syncfs(dir.as_raw_fd()) } == 0 {
            return Ok(());
        }
    }
    let mut folders = std::collections::BTreeSet::new();
    for (i, op) in journal.ops.iter().enumerate() {
        match op {
            Op::Write { path, .. } => {
                let path = abs(root, &where_now(journal, i, path));
                if let Ok(file) = File::open(&path) {
                    file.sync_all()?;
                }
                folders.insert(path.parent().map(Path::to_path_buf).unwrap_or_default());
            }
            Op::Mkdir { path } | Op::Remove { path, .. } | Op::Move { from: path, .. } => {
                folders.insert(abs(root, path).parent().map(Path::to_path_buf).unwrap_or_default());
            }
        }
        if let Op::Move { to, .. } = op {
            folders.insert(abs(root, to).parent().map(Path::to_path_buf).unwrap_or_default());
        }
    }
    folders.insert(root.to_path_buf());
    folders.iter().for_each(|f| store::sync_dir(f));
    Ok(())
}

/// Runs `f` on every item, on up to four threads for long lists; stops early at the first
/// error and returns it.
fn parallel<T: Sync>(items: &[T], f: impl Fn(&T) -> Result<()> + Sync) -> Result<()> {
    const WORKERS: usize = 4;
    if items.len() < 64 {
        return items.iter().try_for_each(f);
    }
    let failed = AtomicBool::new(false);
    let chunk = items.len().div_ceil(WORKERS);
    std::thread::scope(|scope| {
        let workers: Vec<_> = items
            .chunks(chunk)
            .map(|part| {
                let (f, failed) = (&f, &failed);
                scope.spawn(move || {
                    for item in part {
                        if failed.load(Ordering::Relaxed) {
                            break;
                        }
                        if let Err(e) = f(item) {
                            failed.store(true, Ordering::Relaxed);
                            return Err(e);
                        }
                    }
                    Ok(())
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().expect("a writer thread panicked")).collect::<Vec<_>>().into_iter().collect::<Result<()>>()
    })
}

/// Fault injection for the unit tests: fail the n-th step of a change in one repository, or
/// stop there as if the process had been killed. Compiled to nothing outside tests.
mod fault {
    use crate::error::Result;
    use std::path::Path;

    #[cfg(test)]
    pub(crate) use enabled::{arm, disarm};

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
}

#[cfg(test)]
mod tests {
    use super::fault::{arm, disarm};
    use super::*;
    use crate::props::Assignment;
    use crate::repo::{AddNodes, Repo};
    use crate::target::Target;
    use std::collections::BTreeMap;

    type Snapshot = BTreeMap<String, Option<Vec<u8>>>;

    /// Every folder (None) and file (its bytes) below `root`, links included as errors.
    fn snapshot(root: &Path) -> Snapshot {
        fn walk(root: &Path, dir: &Path, out: &mut Snapshot) {
            for entry in fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                let rel = path.strip_prefix(root).unwrap().to_string_lossy().into_owned();
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

    fn copy_tree(from: &Path, to: &Path) {
        fs::create_dir_all(to).unwrap();
        for (rel, bytes) in snapshot(from) {
            match bytes {
                None => fs::create_dir_all(to.join(rel)).unwrap(),
                Some(bytes) => fs::write(to.join(rel), bytes).unwrap(),
            }
        }
    }

    fn changes() -> Vec<(&'static str, fn(&Repo) -> Result<()>)> {
        let set: fn(&Repo) -> Result<()> = |r| r.set(&Target::new("fleet|web", false)?, &[Assignment::parse("x:int=1")?]).map(drop);
        let unset: fn(&Repo) -> Result<()> = |r| r.unset(&Target::new("fleet", false)?, &["host".into()]).map(drop);
        let add: fn(&Repo) -> Result<()> = |r| r.add_nodes(&AddNodes { ids: 1..=70, ..AddNodes::new("new/deep/n{id}") }).map(drop);
        let add_system: fn(&Repo) -> Result<()> = |r| r.add_system("a/b/c");
        let remove: fn(&Repo) -> Result<()> = |r| r.remove("fleet").map(drop);
        let rename: fn(&Repo) -> Result<()> = |r| r.rename("web", "moved/web2").map(drop);
        vec![("set", set), ("unset", unset), ("add-node", add), ("add-system", add_system), ("remove", remove), ("move", rename)]
    }

    /// 70 nodes (enough for the parallel path), a system with a node and its two clones.
    fn base(dir: &Path) -> PathBuf {
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
        assert!(top.iter().all(|n| n == "repo.json" || n == "system"), "{top:?}");
    }

    #[test]
    fn journal_paths_must_stay_inside_system() {
        assert!(inside_system("system/a/node.json"));
        for bad in ["system", "system/", "system/../x", "x/a", "/system/a", "system/./a", "system//a", "system/a\\..\\b"] {
            assert!(!inside_system(bad), "{bad}");
        }
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            dir.path().join(JOURNAL_FILE),
            r#"{"format":1,"id":"ab-1","ops":[{"op":"remove","path":"system/../../etc","trash":".poni-desktop-trash-ab-1-0"}]}"#,
        )
        .unwrap();
        let err = recover(dir.path()).unwrap_err();
        assert_eq!(err.code(), "repo.journal");
        assert!(err.to_string().contains("outside the repository"), "{err}");
        // A journal cut short while it was written: nothing had started, it is dropped.
        fs::write(dir.path().join(JOURNAL_FILE), r#"{"format":1,"id":"ab-1","ops":[{"op":"wri"#).unwrap();
        assert!(!recover(dir.path()).unwrap());
        assert!(!pending(dir.path()));
    }
}
