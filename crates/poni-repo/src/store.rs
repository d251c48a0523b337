//! File access in poni's on-disk format, done so that nothing outside the repository is ever
//! read or written through it:
//!
//! - files are looked at with `lstat` before they are opened, and opened with `O_NOFOLLOW` and
//!   `O_NONBLOCK`: a symbolic link, a FIFO, a device or a socket is reported, never opened, so
//!   a planted link cannot lead out of the repository and a FIFO cannot hang a reader;
//! - temporary files are created exclusively (`O_CREAT|O_EXCL|O_NOFOLLOW`): a link planted
//!   under a temporary file's name makes the write fail instead of redirecting it;
//! - a single file is written atomically and durably (temporary file, flush, rename, flush of
//!   the folder). Changes to several files go through [`crate::journal`], all or nothing.

use crate::error::{RepoError, Result};
use crate::json_format::to_poni_json;
use serde_json::{Map, Value};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

pub const REPO_FILE: &str = "repo.json";
pub const SYSTEM_DIR: &str = "system";
pub const NODE_FILE: &str = "node.json";
pub const SYSTEM_FILE: &str = "system.json";
/// The suffix poni 0.8 gives its temporary files; ours for single-file writes too, so that a
/// leftover from either is replaced (never followed) the next time that file is written.
pub const PONI_TMP_SUFFIX: &str = ".json_dump.tmp";

pub type Props = Map<String, Value>;

/// What a path is, without following a link at its last component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    Missing,
    File,
    Dir,
    Symlink,
    Fifo,
    Socket,
    Device,
    Other,
}

impl EntryKind {
    /// `a symbolic link`, `a FIFO (named pipe)`, ... for messages.
    pub fn describe(self) -> &'static str {
        match self {
            EntryKind::Missing => "missing",
            EntryKind::File => "a file",
            EntryKind::Dir => "a folder",
            EntryKind::Symlink => "a symbolic link",
            EntryKind::Fifo => "a FIFO (named pipe)",
            EntryKind::Socket => "a socket",
            EntryKind::Device => "a device file",
            EntryKind::Other => "a special file",
        }
    }

    pub(crate) fn of(file_type: fs::FileType) -> EntryKind {
        if file_type.is_symlink() {
            return EntryKind::Symlink;
        }
        if file_type.is_dir() {
            return EntryKind::Dir;
        }
        if file_type.is_file() {
            return EntryKind::File;
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            if file_type.is_fifo() {
                return EntryKind::Fifo;
            }
            if file_type.is_socket() {
                return EntryKind::Socket;
            }
            if file_type.is_block_device() || file_type.is_char_device() {
                return EntryKind::Device;
            }
        }
        EntryKind::Other
    }
}

/// `lstat`: what is at `path`, a link reported as a link.
pub fn entry_kind(path: &Path) -> io::Result<EntryKind> {
    match fs::symlink_metadata(path) {
        Ok(meta) => Ok(EntryKind::of(meta.file_type())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(EntryKind::Missing),
        Err(e) => Err(e),
    }
}

/// Why something in the repository is not followed or opened.
pub fn refused(path: &Path, kind: EntryKind) -> RepoError {
    let why = match kind {
        EntryKind::Symlink => "links are not followed, so that nothing outside the repository is read or changed through them",
        EntryKind::Dir => "a file was expected here",
        _ => "only plain files and folders belong in a repository",
    };
    RepoError::Unsafe { path: path.to_path_buf(), reason: format!("is {}: {why}", kind.describe()) }
}

/// The outcome of reading a file that may be anything.
#[derive(Debug)]
pub(crate) enum Contents {
    Missing,
    Text(String),
    NotText,
    /// Not a plain file: not opened.
    Refused(EntryKind),
}

/// Reads a plain file; anything else (a link, a folder, a FIFO, a device) is reported, not
/// opened. The file is opened without following links and without blocking, and checked again
/// once open, so that nothing swapped in between is read either.
pub(crate) fn read_contents(path: &Path) -> io::Result<Contents> {
    let (mut file, len) = match open_plain(path)? {
        Ok(opened) => opened,
        Err(not_opened) => return Ok(not_opened),
    };
    let mut bytes = Vec::with_capacity(len as usize + 1);
    file.read_to_end(&mut bytes)?;
    Ok(match String::from_utf8(bytes) {
        Ok(text) => Contents::Text(text),
        Err(_) => Contents::NotText,
    })
}

/// What [`read_limited`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum Limited {
    Missing,
    Text(String),
    NotText,
    /// Longer than the limit: read no further than one byte past it.
    TooLarge,
    /// Not a plain file: not opened.
    Refused(EntryKind),
}

/// [`read_contents`] for files that other programs may have left (a launch record, a token
/// cache): the same checks, and at most `limit` bytes, so that a huge file cannot fill memory.
pub fn read_limited(path: &Path, limit: u64) -> io::Result<Limited> {
    let file = match open_plain(path)? {
        Ok((file, _)) => file,
        Err(Contents::Refused(kind)) => return Ok(Limited::Refused(kind)),
        Err(_) => return Ok(Limited::Missing),
    };
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Ok(Limited::TooLarge);
    }
    Ok(match String::from_utf8(bytes) {
        Ok(text) => Limited::Text(text),
        Err(_) => Limited::NotText,
    })
}

/// Opens a plain file (and its length) without following a link or blocking; anything else
/// is `Err` with what was found there (`Missing` or `Refused`).
fn open_plain(path: &Path) -> io::Result<std::result::Result<(File, u64), Contents>> {
    let meta = match fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Err(Contents::Missing)),
        Err(e) => return Err(e),
    };
    let kind = EntryKind::of(meta.file_type());
    if kind != EntryKind::File {
        return Ok(Err(Contents::Refused(kind)));
    }
    let file = match open_existing(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Err(Contents::Missing)),
        Err(e) if is_loop(&e) => return Ok(Err(Contents::Refused(EntryKind::Symlink))),
        Err(e) => return Err(e),
    };
    let opened = file.metadata()?;
    if !opened.is_file() || !same_file(&meta, &opened) {
        return Ok(Err(Contents::Refused(EntryKind::of(opened.file_type()))));
    }
    Ok(Ok((file, opened.len())))
}

#[cfg(unix)]
fn open_existing(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC).open(path)
}

#[cfg(not(unix))]
fn open_existing(path: &Path) -> io::Result<File> {
    File::open(path)
}

#[cfg(unix)]
fn is_loop(e: &io::Error) -> bool {
    e.raw_os_error() == Some(libc::ELOOP)
}

#[cfg(not(unix))]
fn is_loop(_e: &io::Error) -> bool {
    false
}

#[cfg(unix)]
fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(_a: &fs::Metadata, _b: &fs::Metadata) -> bool {
    true
}

/// Creates a new file for writing; fails if anything (a file, a link, a dangling link) is
/// already there, and never follows a link.
pub(crate) fn create_new(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC).mode(0o644);
    }
    options.open(path)
}

/// Reads a file that must hold a JSON object. The error names the file and what is wrong.
pub fn read_object(path: &Path) -> Result<Props> {
    match read_contents(path).map_err(|e| RepoError::io(path, e))? {
        Contents::Text(text) => parse_object(path, &text),
        Contents::Missing => Err(RepoError::io(path, io::Error::from(io::ErrorKind::NotFound))),
        Contents::NotText => Err(RepoError::bad_file(path, "not valid UTF-8 text")),
        Contents::Refused(kind) => Err(refused(path, kind)),
    }
}

pub fn parse_object(path: &Path, text: &str) -> Result<Props> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(RepoError::bad_file(path, format!("expected a JSON object ({{...}}), found {}", kind_of(&other)))),
        Err(e) => Err(RepoError::bad_file(path, format!("not valid JSON: {e}"))),
    }
}

pub fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// The bytes poni writes for an object (4-space indent, sorted keys).
pub fn object_bytes(props: &Props) -> Vec<u8> {
    object_text(props).into_bytes()
}

/// [`object_bytes`] as text.
pub fn object_text(props: &Props) -> String {
    to_poni_json(&Value::Object(props.clone()))
}

/// Writes `props` in poni's format, atomically and durably (see [`write_atomic`]).
pub fn write_object(path: &Path, props: &Props) -> Result<()> {
    write_atomic(path, &object_bytes(props))
}

/// Writes many files, each atomically and durably. Changes to a repository use the journal
/// instead ([`crate::journal`]), which makes them all or nothing and flushes once.
pub fn write_many(files: &[(PathBuf, Props)]) -> Result<()> {
    files.iter().try_for_each(|(path, props)| write_object(path, props))
}

/// Replaces `path` with `bytes`: a temporary file beside it (`<file>.json_dump.tmp`, created
/// exclusively, never through a link), flushed, renamed over the target, folder flushed. A
/// reader sees the old file or the new one, never a part; a crash leaves one or the other.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = suffixed(path, PONI_TMP_SUFFIX);
    let result = (|| {
        let mut file = create_temp(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, path)?;
        sync_dir(path.parent().unwrap_or(Path::new(".")));
        Ok(())
    })();
    result.map_err(|e: io::Error| {
        let _ = remove_leftover(&tmp);
        RepoError::io(path, e)
    })
}

/// Creates `tmp` (a temporary file) exclusively, never through a link. Something already there
/// (a kill's leftover, or a planted link) is removed, the link itself and not what it points
/// to, and the creation tried once more, again exclusively.
pub(crate) fn create_temp(tmp: &Path) -> io::Result<File> {
    match create_new(tmp) {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            remove_leftover(tmp)?;
            create_new(tmp)
        }
        other => other,
    }
}

/// Removes a leftover temporary file (or a link planted under its name: the link itself is
/// removed, not what it points to). A folder there is an error.
pub(crate) fn remove_leftover(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        // A read-only file system refuses even to remove what is not there.
        Err(_) if entry_kind(path).is_ok_and(|k| k == EntryKind::Missing) => Ok(()),
        Err(e) => Err(e),
    }
}

/// `path` with `suffix` appended to its file name.
pub(crate) fn suffixed(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Makes a rename durable. Best effort: not every platform can open a directory.
pub(crate) fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

pub fn create_dir_all(path: &Path) -> Result<()> {
    fs::create_dir_all(path).map_err(|e| RepoError::io(path, e))
}

/// An exclusive advisory lock on the repository, held while a mutation runs so that two
/// programs never interleave their writes; released when dropped. It locks `repo.json`, which
/// every repository has, so no extra file appears in the repository.
pub struct RepoLock {
    _file: File,
}

impl RepoLock {
    pub fn acquire(root: &Path) -> Result<Self> {
        let path = root.join(REPO_FILE);
        loop {
            match entry_kind(&path).map_err(|e| RepoError::io(&path, e))? {
                EntryKind::File => {}
                EntryKind::Missing => return Err(RepoError::NotARepository(root.to_path_buf())),
                other => return Err(refused(&path, other)),
            }
            let file = open_existing(&path).map_err(|e| RepoError::io(&path, e))?;
            file.lock().map_err(|e| RepoError::io(&path, e))?;
            // `Repo::update_config` renames a new repo.json into place; whoever waited on the old
            // file would hold a lock nobody else checks, so lock the current one instead.
            if still_at(&file, &path) {
                return Ok(Self { _file: file });
            }
        }
    }
}

#[cfg(unix)]
fn still_at(file: &File, path: &Path) -> bool {
    match (file.metadata(), fs::symlink_metadata(path)) {
        (Ok(a), Ok(b)) => same_file(&a, &b),
        _ => true, // gone or unreadable: the next file operation reports it
    }
}

/// Elsewhere a file cannot be renamed over while it is open.
#[cfg(not(unix))]
fn still_at(_file: &File, _path: &Path) -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn writes_atomically_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("node.json");
        let mut props = Props::new();
        props.insert("host".into(), json!(""));
        write_object(&path, &props).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "{\n    \"host\": \"\"\n}");
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec!["node.json"]);
    }

    #[test]
    fn bad_files_name_the_file_and_the_problem() {
        let p = Path::new("/r/system/a/node.json");
        let err = parse_object(p, "{\"host\": ").unwrap_err().to_string();
        assert!(err.starts_with("/r/system/a/node.json: not valid JSON"), "{err}");
        let err = parse_object(p, "[1]").unwrap_err().to_string();
        assert_eq!(err, "/r/system/a/node.json: expected a JSON object ({...}), found a list");
    }

    #[cfg(unix)]
    #[test]
    fn a_link_planted_as_the_temporary_file_is_replaced_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        fs::write(&victim, "precious").unwrap();
        let path = dir.path().join("node.json");
        fs::write(&path, "{}").unwrap();
        std::os::unix::fs::symlink(&victim, suffixed(&path, PONI_TMP_SUFFIX)).unwrap();
        write_atomic(&path, b"{\"a\": 1}").unwrap();
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
        assert_eq!(entry_kind(&path).unwrap(), EntryKind::File);
        assert_eq!(fs::read_to_string(&path).unwrap(), "{\"a\": 1}");
        assert_eq!(entry_kind(&suffixed(&path, PONI_TMP_SUFFIX)).unwrap(), EntryKind::Missing);
        // Exclusive creation refuses any existing name, a dangling link included.
        std::os::unix::fs::symlink(dir.path().join("nowhere"), dir.path().join("t")).unwrap();
        assert_eq!(create_new(&dir.path().join("t")).unwrap_err().kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(entry_kind(&dir.path().join("nowhere")).unwrap(), EntryKind::Missing);
    }

    #[cfg(unix)]
    #[test]
    fn links_fifos_and_folders_are_reported_never_opened() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("outside.json");
        fs::write(&target, "{\"secret\": 1}").unwrap();
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let fifo = dir.path().join("fifo.json");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
        let folder = dir.path().join("folder.json");
        fs::create_dir(&folder).unwrap();
        assert!(matches!(read_contents(&link).unwrap(), Contents::Refused(EntryKind::Symlink)));
        assert!(matches!(read_contents(&fifo).unwrap(), Contents::Refused(EntryKind::Fifo)));
        assert!(matches!(read_contents(&folder).unwrap(), Contents::Refused(EntryKind::Dir)));
        assert!(matches!(read_contents(&dir.path().join("none")).unwrap(), Contents::Missing));
        let err = read_object(&link).unwrap_err();
        assert_eq!(err.code(), "repo.unsafe_path");
        assert!(err.to_string().contains("link.json: is a symbolic link"), "{err}");
        let err = read_object(&fifo).unwrap_err().to_string();
        assert!(err.contains("fifo.json: is a FIFO (named pipe)"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn a_limited_read_stops_past_the_limit_and_opens_no_fifo() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("record.json");
        fs::write(&path, "0123456789").unwrap();
        assert_eq!(read_limited(&path, 10).unwrap(), Limited::Text("0123456789".into()));
        assert_eq!(read_limited(&path, 9).unwrap(), Limited::TooLarge);
        fs::write(&path, [0xff, 0xfe]).unwrap();
        assert_eq!(read_limited(&path, 10).unwrap(), Limited::NotText);
        assert_eq!(read_limited(&dir.path().join("none"), 10).unwrap(), Limited::Missing);
        let fifo = dir.path().join("fifo.json");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
        assert_eq!(read_limited(&fifo, 10).unwrap(), Limited::Refused(EntryKind::Fifo));
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&path, &link).unwrap();
        assert_eq!(read_limited(&link, 10).unwrap(), Limited::Refused(EntryKind::Symlink));
    }
}
