//! Launch records. Before a grouped RunInstances is sent, the batch's nodes (in launch-index
//! order) are written to `<repository>/.poni-desktop-launches/<batch tag>.json`; the record is
//! removed once every instance is saved and tagged. A record left behind (a kill, a crash, a
//! lost answer) tells the next init exactly which instances belong to which node, before they
//! carry a `poni:node` tag: it adopts them and never launches a duplicate.

use poni_repo::ErrorCode;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use poni_repo::store::{self, EntryKind, Limited};
use poni_repo::{Repo, RepoError};
use serde::{Deserialize, Serialize};

use super::events::EngineEvent;
use super::report::EngineError;
use super::Engine;
use crate::aws::{launch_tags, InstanceInfo, TAG_NAME, TAG_NODE};
use crate::plan::{instance_of, Selected};
use crate::spec::PROVIDER_AWS_EC2;

pub const LAUNCHES_DIR: &str = ".poni-desktop-launches";
const FORMAT: u32 = 1;
/// A record names a batch's nodes (a few hundred bytes); a file far larger is not one, and is
/// not read into memory.
const MAX_RECORD_BYTES: u64 = 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct LaunchRecord {
    format: u32,
    pub region: String,
    pub batch_tag: String,
    /// Node names in launch-index order.
    pub nodes: Vec<String>,
    /// Each node's instance before this launch (a re-init replaces it).
    pub previous: Vec<Option<String>>,
}

impl LaunchRecord {
    pub fn new(region: &str, batch_tag: &str, nodes: Vec<String>, previous: Vec<Option<String>>) -> LaunchRecord {
        LaunchRecord { format: FORMAT, region: region.to_owned(), batch_tag: batch_tag.to_owned(), nodes, previous }
    }

    fn dir(repo: &Repo) -> PathBuf {
        repo.root().join(LAUNCHES_DIR)
    }

    fn path(repo: &Repo, batch_tag: &str) -> PathBuf {
        Self::dir(repo).join(format!("{batch_tag}.json"))
    }

    /// Durably, before the launch is sent; never through a link planted as the folder.
    pub fn write(&self, repo: &Repo) -> Result<(), EngineError> {
        match Self::check_dir(repo)? {
            DirState::Missing => store::create_dir_all(&Self::dir(repo))?,
            DirState::Folder => {}
        }
        let bytes = serde_json::to_vec_pretty(self).expect("a launch record serializes");
        store::write_atomic(&Self::path(repo, &self.batch_tag), &bytes)?;
        Ok(())
    }

    /// Whether the records' folder is a real folder of the repository (or not there yet). A
    /// link, a file or a FIFO in its place is refused: a record written or removed through it
    /// would land outside the repository.
    pub fn check_dir(repo: &Repo) -> Result<DirState, EngineError> {
        let dir = Self::dir(repo);
        match store::entry_kind(&dir).map_err(|e| RepoError::Io { path: dir.clone(), source: e })? {
            EntryKind::Missing => Ok(DirState::Missing),
            EntryKind::Dir => Ok(DirState::Folder),
            kind => Err(not_a_folder(&dir, kind).into()),
        }
    }

    pub fn remove(&self, repo: &Repo) {
        let path = Self::path(repo, &self.batch_tag);
        // Only from the repository's own folder (it may have been replaced since the write).
        if let Err(e) = Self::check_dir(repo) {
            tracing::warn!(error = %e, "a finished launch record was left in place");
            return;
        }
        if let Err(e) = std::fs::remove_file(&path) {
            if e.kind() != std::io::ErrorKind::NotFound {
                tracing::warn!(path = %path.display(), error = %e, "could not remove a finished launch record");
            }
        }
    }

    /// Whether a launch was left unfinished (a cheap look, before any cloud call).
    pub fn any_left(repo: &Repo) -> bool {
        matches!(Self::check_dir(repo), Ok(DirState::Folder)) && std::fs::read_dir(Self::dir(repo)).is_ok_and(|mut d| d.next().is_some())
    }

    /// The records left in a repository. A record that cannot be read is reported and left
    /// alone (it is the only trace of the instances it names).
    fn all(repo: &Repo, warn: impl Fn(String)) -> Vec<LaunchRecord> {
        if let Err(e) = Self::check_dir(repo) {
            warn(format!("{e}; no launch record was read from it"));
            return Vec::new();
        }
        let Ok(entries) = std::fs::read_dir(Self::dir(repo)) else { return Vec::new() };
        let mut records = Vec::new();
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().and_then(|e| e.to_str()) != Some("json") {
                continue;
            }
            match read(&path) {
                Ok(record) => records.push(record),
                Err(e) => warn(format!(
                    "{e}. It is not a launch record Poni can read, so it was left as it is; remove it once you know it names no instance still running"
                )),
            }
        }
        records.sort_by(|a, b| a.batch_tag.cmp(&b.batch_tag));
        records
    }
}

/// What is at the records' folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DirState {
    Missing,
    Folder,
}

fn not_a_folder(dir: &Path, kind: EntryKind) -> RepoError {
    let reason = match kind {
        EntryKind::Symlink => "is a symbolic link, where Poni keeps its launch records in a folder of the repository; records are never written or removed through a link. Remove the link (Poni makes the folder again)".to_owned(),
        kind => format!("is {} where Poni keeps its launch records in a folder of the repository. Remove it or move it away (Poni makes the folder again)", kind.describe()),
    };
    RepoError::Unsafe { path: dir.to_path_buf(), reason }
}

/// A record, checked as input from anywhere: a link, a special file, a huge or garbled file,
/// or one naming what cannot be a node is refused, the error naming the file and the problem.
fn read(path: &Path) -> Result<LaunchRecord, RepoError> {
    let bad = |reason: String| RepoError::BadFile { path: path.to_path_buf(), reason };
    let text = match store::read_limited(path, MAX_RECORD_BYTES).map_err(|e| RepoError::Io { path: path.to_path_buf(), source: e })? {
        Limited::Text(text) => text,
        Limited::Refused(kind) => return Err(store::refused(path, kind)),
        Limited::TooLarge => return Err(bad(format!("larger than {} KiB, far more than a launch record holds", MAX_RECORD_BYTES / 1024))),
        Limited::NotText => return Err(bad("not UTF-8 text".into())),
        Limited::Missing => return Err(bad("removed while it was being read".into())),
    };
    let record: LaunchRecord = serde_json::from_str(&text).map_err(|e| bad(format!("not a launch record in JSON ({e})")))?;
    record.check(path).map_err(bad)?;
    Ok(record)
}

impl LaunchRecord {
    /// What a record must hold to be acted on: instances are adopted into the nodes it names.
    fn check(&self, path: &Path) -> Result<(), String> {
        if self.format != FORMAT {
            return Err(format!("a launch record of format {}, which this version of Poni does not read (it reads format {FORMAT})", self.format));
        }
        if path.file_stem().and_then(|s| s.to_str()) != Some(self.batch_tag.as_str()) {
            return Err("its file name is not the batch tag it holds".into());
        }
        if self.previous.len() != self.nodes.len() {
            return Err(format!("it names {} nodes but {} previous instances", self.nodes.len(), self.previous.len()));
        }
        if !crate::spec::is_aws_region(&self.region) {
            return Err("its region is not an AWS region".into());
        }
        if let Some(e) = self.nodes.iter().find_map(|n| poni_repo::name::validate(n).err()) {
            return Err(format!("it names a node that cannot exist: {e}"));
        }
        Ok(())
    }
}

impl Engine {
    /// Finishes the grouped launches an earlier init left unfinished: each instance of a
    /// recorded batch is saved to its node (unless the node has moved on to another instance)
    /// and tagged, then the record goes. Returns the instances adopted, by node.
    pub(crate) async fn resume_launches(&self, repo_id: &str) -> Result<HashMap<String, InstanceInfo>, EngineError> {
        let warn = |message: String| self.emit(EngineEvent::Warning { node: None, code: ErrorCode::CloudLaunchRecord, message });
        let mut adopted = HashMap::new();
        for record in LaunchRecord::all(&self.repo, warn) {
            let found = self.provider.find_batch_instances(&record.region, repo_id, &record.batch_tag).await?;
            let tree = self.repo.tree()?;
            // (node, instance, whether the node is to record it now)
            let mut theirs: Vec<(String, InstanceInfo, bool)> = Vec::new();
            for info in found {
                let Some(i) = info.launch_index.map(|i| i as usize).filter(|i| *i < record.nodes.len()) else { continue };
                let node = &record.nodes[i];
                let Some(item) = tree.get(node) else { continue };
                let now = instance_of(&item.props);
                if now.as_deref() == Some(info.id.as_str()) {
                    theirs.push((node.clone(), info, false));
                } else if now.is_none() || now == record.previous[i] {
                    theirs.push((node.clone(), info, true));
                } else {
                    self.emit(EngineEvent::Warning {
                        node: Some(node.clone()),
                        code: ErrorCode::CloudOrphanInstance,
                        message: format!("instance {} was launched for {node}, which now has another instance; terminate it if it is not needed", info.id),
                    });
                }
            }
            let save: Vec<(&str, &str)> = theirs.iter().filter(|(_, _, s)| *s).map(|(n, i, _)| (n.as_str(), i.id.as_str())).collect();
            self.save_instance_ids(&save)?;
            for (node, info, saved) in theirs {
                let spec = tree.get(&node).and_then(|item| Selected::of(&tree, item).launch_spec().ok());
                let tags = match &spec {
                    Some(spec) => launch_tags(spec, repo_id),
                    None => [(TAG_NAME.to_owned(), node.clone()), (TAG_NODE.to_owned(), node.clone())].into(),
                };
                self.provider.set_tags(&record.region, std::slice::from_ref(&info.id), &tags).await?;
                if !saved {
                    continue;
                }
                self.emit(EngineEvent::Launched {
                    node: node.clone(),
                    instance_id: info.id.clone(),
                    region: record.region.clone(),
                    image: spec.as_ref().map(|s| s.image_id.clone()).or(info.image_id.clone()).unwrap_or_default(),
                    key_pair: spec.as_ref().map(|s| s.key_pair.clone()).or(info.key_name.clone()).unwrap_or_default(),
                    provider: PROVIDER_AWS_EC2.to_owned(),
                    reused: true,
                });
                adopted.insert(node, info);
            }
            record.remove(&self.repo);
        }
        Ok(adopted)
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::test_support::{mkfifo, within_seconds};

    fn repo() -> (tempfile::TempDir, Repo) {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repo::init(dir.path().join("r")).unwrap();
        (dir, repo)
    }

    fn record(tag: &str) -> LaunchRecord {
        LaunchRecord::new("us-east-1", tag, vec!["web/n1".into(), "web/n2".into()], vec![None, Some("i-0123456789abcdef0".into())])
    }

    /// The records read, and the warnings given.
    fn all(repo: &Repo) -> (Vec<LaunchRecord>, Vec<String>) {
        let root = repo.root().to_path_buf();
        within_seconds(10, move || {
            let repo = Repo::open(root).unwrap();
            let warnings = std::sync::Mutex::new(Vec::new());
            let records = LaunchRecord::all(&repo, |w| warnings.lock().unwrap().push(w));
            (records, warnings.into_inner().unwrap())
        })
    }

    #[test]
    fn a_record_written_is_read_back_and_removed() {
        let (_dir, repo) = repo();
        assert!(!LaunchRecord::any_left(&repo));
        record("b-1").write(&repo).unwrap();
        assert!(LaunchRecord::any_left(&repo));
        assert_eq!(all(&repo), (vec![record("b-1")], vec![]));
        record("b-1").remove(&repo);
        assert!(!LaunchRecord::any_left(&repo));
    }

    #[test]
    fn a_fifo_among_the_records_is_skipped_with_a_warning_naming_it() {
        let (_dir, repo) = repo();
        record("b-1").write(&repo).unwrap();
        let fifo = LaunchRecord::dir(&repo).join("b-0.json");
        mkfifo(&fifo);
        let (records, warnings) = all(&repo);
        assert_eq!(records, vec![record("b-1")]);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].starts_with(&format!("{}: is a FIFO (named pipe)", fifo.display())), "{}", warnings[0]);
        assert!(warnings[0].contains("left as it is"), "{}", warnings[0]);
    }

    #[test]
    fn damaged_or_foreign_records_are_refused_naming_the_file_and_the_problem() {
        let (dir, repo) = repo();
        let records = LaunchRecord::dir(&repo);
        std::fs::create_dir(&records).unwrap();
        let valid = |tag: &str| serde_json::to_value(record(tag)).unwrap();
        let with = |tag: &str, key: &str, value: serde_json::Value| {
            let mut v = valid(tag);
            v[key] = value;
            v.to_string()
        };
        let outside = dir.path().join("outside.json");
        std::fs::write(&outside, serde_json::to_string(&record("linked")).unwrap()).unwrap();
        std::os::unix::fs::symlink(&outside, records.join("linked.json")).unwrap();
        let cases: Vec<(&str, Vec<u8>, &str)> = vec![
            ("huge", vec![b' '; MAX_RECORD_BYTES as usize + 1], "larger than 1024 KiB"),
            ("binary", vec![b'{', 0xff, 0xfe, b'}'], "not UTF-8 text"),
            ("cut", valid("cut").to_string().as_bytes()[..20].to_vec(), "not a launch record in JSON (EOF while parsing"),
            ("list", b"[1, 2]".to_vec(), "not a launch record in JSON (invalid type"),
            ("future", with("future", "format", 2.into()).into_bytes(), "format 2, which this version of Poni does not read"),
            (
                "parent",
                with("parent", "nodes", serde_json::json!(["../../etc", "web/n2"])).into_bytes(),
                "names a node that cannot exist: invalid name '../../etc'",
            ),
            ("hidden", with("hidden", "nodes", serde_json::json!([".git", "web/n2"])).into_bytes(), "cannot start with '.'"),
            ("short", with("short", "previous", serde_json::json!([null])).into_bytes(), "names 2 nodes but 1 previous instances"),
            ("region", with("region", "region", "nowhere".into()).into_bytes(), "not an AWS region"),
            ("renamed", valid("other").to_string().into_bytes(), "file name is not the batch tag"),
        ];
        for (name, bytes, _) in &cases {
            std::fs::write(records.join(format!("{name}.json")), bytes).unwrap();
        }
        let (found, warnings) = all(&repo);
        assert_eq!(found, vec![]);
        assert_eq!(warnings.len(), cases.len() + 1, "{warnings:#?}");
        let warning_of = |name: &str| {
            let path = format!("{}: ", records.join(format!("{name}.json")).display());
            warnings.iter().find(|w| w.starts_with(&path)).unwrap_or_else(|| panic!("no warning names {path}: {warnings:#?}")).clone()
        };
        for (name, _, problem) in &cases {
            let w = warning_of(name);
            assert!(w.contains(problem), "{name}: {w}");
            assert_eq!(w.lines().count(), 1, "{w}");
        }
        assert!(warning_of("linked").contains("is a symbolic link"));
    }

    #[test]
    fn a_link_as_the_records_folder_is_never_written_or_read_through() {
        let (dir, repo) = repo();
        let elsewhere = dir.path().join("elsewhere");
        std::fs::create_dir(&elsewhere).unwrap();
        std::fs::write(elsewhere.join("b-1.json"), serde_json::to_string(&record("b-1")).unwrap()).unwrap();
        let folder = LaunchRecord::dir(&repo);
        std::os::unix::fs::symlink(&elsewhere, &folder).unwrap();

        let err = record("b-2").write(&repo).unwrap_err().to_string();
        assert!(err.starts_with(&format!("{}: is a symbolic link", folder.display())), "{err}");
        assert!(err.contains("Remove the link"), "{err}");
        assert!(!elsewhere.join("b-2.json").exists());
        assert!(!LaunchRecord::any_left(&repo));
        let (found, warnings) = all(&repo);
        assert_eq!(found, vec![]);
        assert!(warnings.len() == 1 && warnings[0].contains("no launch record was read from it"), "{warnings:?}");
        record("b-1").remove(&repo);
        assert!(elsewhere.join("b-1.json").exists(), "nothing is removed through the link");
    }

    #[test]
    fn a_fifo_or_a_file_as_the_records_folder_is_refused_without_opening_it() {
        let (_dir, repo) = repo();
        let folder = LaunchRecord::dir(&repo);
        mkfifo(&folder);
        let root = repo.root().to_path_buf();
        let err = within_seconds(10, move || record("b-1").write(&Repo::open(root).unwrap()).unwrap_err().to_string());
        assert!(err.starts_with(&format!("{}: is a FIFO (named pipe) where Poni keeps", folder.display())), "{err}");
        std::fs::remove_file(&folder).unwrap();
        std::fs::write(&folder, "mine").unwrap();
        let err = record("b-1").write(&repo).unwrap_err().to_string();
        assert!(err.contains("is a file where Poni keeps its launch records") && err.contains("Remove it or move it away"), "{err}");
        assert_eq!(std::fs::read_to_string(&folder).unwrap(), "mine");
    }
}
