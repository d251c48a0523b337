//! File access in poni's on-disk format: reading a JSON object file, and writing one
//! atomically (temporary file, flush to disk, rename over the target) so that a crash or a
//! reader at the wrong moment never sees a half-written file.

use crate::error::{RepoError, Result};
use crate::json_format::to_poni_json;
use serde_json::{Map, Value};
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

pub const REPO_FILE: &str = "repo.json";
pub const SYSTEM_DIR: &str = "system";
pub const NODE_FILE: &str = "node.json";
pub const SYSTEM_FILE: &str = "system.json";

pub type Props = Map<String, Value>;

/// Reads a file that must hold a JSON object. The error names the file and what is wrong.
pub fn read_object(path: &Path) -> Result<Props> {
    let text = fs::read_to_string(path).map_err(|e| RepoError::io(path, e))?;
    parse_object(path, &text)
}

pub fn parse_object(path: &Path, text: &str) -> Result<Props> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(RepoError::bad_file(
            path,
            format!("expected a JSON object ({{...}}), found {}", kind_of(&other)),
        )),
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

/// Writes `props` in poni's format via `<file>.json_dump.tmp` (the name poni itself uses).
pub fn write_object(path: &Path, props: &Props) -> Result<()> {
    write_atomic(path, to_poni_json(&Value::Object(props.clone())).as_bytes())
}

fn write_object_in_bulk(path: &Path, props: &Props) -> Result<()> {
    write_file(path, to_poni_json(&Value::Object(props.clone())).as_bytes(), false)
}

/// Writes many files, each atomically, several at a time. Each file's data reaches the disk
/// before its rename (no torn or empty file after a crash), but the folders are not flushed
/// one by one: that halves the cost of a bulk edit, and a crash can at worst lose the last
/// renames, leaving those files as they were before.
pub fn write_many(files: &[(PathBuf, Props)]) -> Result<()> {
    const WORKERS: usize = 4;
    if files.len() < 2 * WORKERS {
        return files.iter().try_for_each(|(path, props)| write_object_in_bulk(path, props));
    }
    let chunk = files.len().div_ceil(WORKERS);
    std::thread::scope(|scope| {
        let workers: Vec<_> = files
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().try_for_each(|(path, props)| write_object_in_bulk(path, props))))
            .collect();
        workers.into_iter().try_for_each(|w| w.join().expect("a writer thread panicked"))
    })
}

pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_file(path, bytes, true)
}

fn write_file(path: &Path, bytes: &[u8], sync_folder: bool) -> Result<()> {
    let tmp = tmp_path(path);
    let result = (|| {
        let mut file = File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&tmp, path)?;
        if sync_folder {
            sync_dir(path.parent().unwrap_or(Path::new(".")));
        }
        Ok(())
    })();
    result.map_err(|e: std::io::Error| {
        let _ = fs::remove_file(&tmp);
        RepoError::io(path, e)
    })
}

fn tmp_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".json_dump.tmp");
    PathBuf::from(name)
}

/// Makes a rename durable. Best effort: not every platform can open a directory.
fn sync_dir(dir: &Path) {
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
            let file = OpenOptions::new().read(true).open(&path).map_err(|e| RepoError::io(&path, e))?;
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
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
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
}
