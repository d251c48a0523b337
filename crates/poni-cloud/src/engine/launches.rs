//! Launch records. Before a grouped RunInstances is sent, the batch's nodes (in launch-index
//! order) are written to `<repository>/.poni-desktop-launches/<batch tag>.json`; the record is
//! removed once every instance is saved and tagged. A record left behind (a kill, a crash, a
//! lost answer) tells the next init exactly which instances belong to which node, before they
//! carry a `poni:node` tag: it adopts them and never launches a duplicate.

use poni_repo::ErrorCode;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use poni_repo::{store, Repo};
use serde::{Deserialize, Serialize};

use super::events::EngineEvent;
use super::report::EngineError;
use super::Engine;
use crate::aws::{launch_tags, InstanceInfo, TAG_NAME, TAG_NODE};
use crate::plan::{instance_of, Selected};
use crate::spec::PROVIDER_AWS_EC2;

pub const LAUNCHES_DIR: &str = ".poni-desktop-launches";
const FORMAT: u32 = 1;

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

    fn path(repo: &Repo, batch_tag: &str) -> PathBuf {
        repo.root().join(LAUNCHES_DIR).join(format!("{batch_tag}.json"))
    }

    /// Durably, before the launch is sent.
    pub fn write(&self, repo: &Repo) -> Result<(), EngineError> {
        let path = Self::path(repo, &self.batch_tag);
        if let Some(dir) = path.parent() {
            store::create_dir_all(dir)?;
        }
        let bytes = serde_json::to_vec_pretty(self).expect("a launch record serializes");
        store::write_atomic(&path, &bytes)?;
        Ok(())
    }

    pub fn remove(&self, repo: &Repo) {
        let path = Self::path(repo, &self.batch_tag);
        if let Err(e) = std::fs::remove_file(&path) {
            if e.kind() != std::io::ErrorKind::NotFound {
                tracing::warn!(path = %path.display(), error = %e, "could not remove a finished launch record");
            }
        }
    }

    /// Whether a launch was left unfinished (a cheap look, before any cloud call).
    pub fn any_left(repo: &Repo) -> bool {
        std::fs::read_dir(repo.root().join(LAUNCHES_DIR)).is_ok_and(|mut d| d.next().is_some())
    }

    /// The records left in a repository. A record that cannot be read is reported and left
    /// alone (it is the only trace of the instances it names).
    fn all(repo: &Repo, warn: impl Fn(String)) -> Vec<LaunchRecord> {
        let dir = repo.root().join(LAUNCHES_DIR);
        let Ok(entries) = std::fs::read_dir(&dir) else { return Vec::new() };
        let mut records = Vec::new();
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().and_then(|e| e.to_str()) != Some("json") {
                continue;
            }
            match read(&path) {
                Some(record) => records.push(record),
                None => warn(format!("{} is not a launch record Poni can read; it was left as it is", path.display())),
            }
        }
        records.sort_by(|a, b| a.batch_tag.cmp(&b.batch_tag));
        records
    }
}

fn read(path: &Path) -> Option<LaunchRecord> {
    let text = std::fs::read(path).ok()?;
    let record: LaunchRecord = serde_json::from_slice(&text).ok()?;
    let name_ok = path.file_stem().and_then(|s| s.to_str()) == Some(record.batch_tag.as_str());
    (record.format == FORMAT && name_ok && record.previous.len() == record.nodes.len() && crate::spec::is_aws_region(&record.region))
        .then_some(record)
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
