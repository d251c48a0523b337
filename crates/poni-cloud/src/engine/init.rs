//! `init`: validate every selected node, then launch (or adopt) one instance per node and save
//! its id at once; optionally wait until they run.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use futures_util::stream::{self, StreamExt};
use poni_repo::props::set_path;
use poni_repo::Target;
use serde_json::json;
use sha2::{Digest, Sha256};
use tokio_util::sync::CancellationToken;

use super::events::{EngineEvent, Operation, PropertyProblem};
use super::report::{EngineError, NodeReport, OperationReport, Outcome};
use super::select::{select, Selected};
use super::wait::Watched;
use super::{identity, Engine, EngineIssue};
use crate::aws::{client_token, InstanceInfo, InstanceState, LaunchRequest, TAG_NODE};
use crate::error::Coded;
use crate::spec::{LaunchSpec, PROVIDER_AWS_EC2};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InitOptions {
    /// Launch a new instance even for nodes that have one (`--reinit`).
    pub reinit: bool,
    /// Wait until the instances run and save their addresses (`--wait`).
    pub wait: bool,
}

/// Key files are named in a warning with at most this many of the nodes that use them.
const NODES_NAMED: usize = 3;

impl Engine {
    pub async fn init(&self, target: &Target, options: InitOptions, cancel: &CancellationToken) -> Result<OperationReport, EngineError> {
        let tree = self.repo.tree()?;
        let nodes = select(&tree, target)?;
        self.emit(EngineEvent::OperationStarted { operation: Operation::Init, nodes: nodes.len() as u32 });

        let mut reports: Vec<Option<NodeReport>> = vec![None; nodes.len()];
        let mut to_launch: Vec<(usize, LaunchSpec)> = Vec::new();
        let mut invalid = Vec::new();
        for (i, node) in nodes.iter().enumerate() {
            if let (Some(id), false) = (&node.instance, options.reinit) {
                self.emit(EngineEvent::NodeSkipped {
                    node: node.name.clone(),
                    instance_id: Some(id.clone()),
                    message: format!("already has instance '{id}': skipped (re-init launches a new one)"),
                });
                reports[i] = Some(NodeReport::new(&node.name, Outcome::Skipped).with_instance(Some(id)));
                continue;
            }
            match node.launch_spec() {
                Ok(spec) => to_launch.push((i, spec)),
                Err(e) => invalid.push(e),
            }
        }
        if !invalid.is_empty() {
            for e in &invalid {
                let problems = e
                    .problems
                    .iter()
                    .map(|p| PropertyProblem { property: p.property.clone(), code: p.code().to_owned(), message: p.message.clone() })
                    .collect();
                self.emit(EngineEvent::NodeInvalid { node: e.node.clone(), problems });
            }
            let selected = to_launch.len() + invalid.len();
            let error = EngineError::InvalidNodes { invalid, selected };
            self.emit(EngineEvent::OperationFinished { operation: Operation::Init, succeeded: 0, failed: selected as u32, cancelled: false });
            return Err(error);
        }
        self.warn_missing_key_files(&to_launch);

        let mut watched = Vec::new();
        if !to_launch.is_empty() {
            let repo_id = identity::repo_id(&self.repo)?;
            let existing = self.live_instances_by_node(&repo_id, &to_launch).await?;
            let (nodes, repo_id, existing) = (&nodes, repo_id.as_str(), &existing);
            // Futures built from indices, not from a closure over references: that keeps the
            // whole operation's future Send (the desktop runs it on a multi-threaded runtime).
            let futures: Vec<_> = (0..to_launch.len())
                .map(|k| {
                    let (i, spec) = &to_launch[k];
                    let found = existing.get(&spec.node).map(Vec::as_slice).unwrap_or_default();
                    async move { (*i, spec, self.launch_one(&nodes[*i], spec, repo_id, found, cancel).await) }
                })
                .collect();
            let launches = stream::iter(futures)
                .buffer_unordered(self.options.launch_concurrency.max(1))
                .collect::<Vec<_>>()
                .await;
            for (i, spec, (report, info)) in launches {
                if let (Some(info), true) = (info, options.wait) {
                    watched.push(Watched {
                        node: spec.node.clone(),
                        region: spec.region.clone(),
                        instance_id: info.id.clone(),
                        timeout: spec.init_timeout,
                        known: Some(info.state.clone()),
                    });
                }
                reports[i] = Some(report);
            }
            if options.wait && !watched.is_empty() {
                watched.sort_by_key(|w| nodes.iter().position(|n| n.name == w.node));
                let (waited, cancelled) = self.wait_for(repo_id, watched, &InstanceState::Running, cancel).await;
                for report in waited {
                    if let Some(slot) = reports.iter_mut().find(|r| r.as_ref().is_some_and(|r| r.node == report.node)) {
                        *slot = Some(report);
                    }
                }
                let reports = reports.into_iter().flatten().collect();
                return Ok(self.finish(Operation::Init, reports, cancelled));
            }
        }
        let cancelled = cancel.is_cancelled();
        Ok(self.finish(Operation::Init, reports.into_iter().flatten().collect(), cancelled))
    }

    /// Live instances of this repository by node name: one DescribeInstances per region.
    async fn live_instances_by_node(
        &self,
        repo_id: &str,
        to_launch: &[(usize, LaunchSpec)],
    ) -> Result<HashMap<String, Vec<InstanceInfo>>, EngineError> {
        let regions: BTreeMap<String, Vec<String>> =
            to_launch.iter().map(|(_, s)| (s.region.clone(), Vec::new())).collect();
        let mut by_node: HashMap<String, Vec<InstanceInfo>> = HashMap::new();
        for (_, answer) in self.describe_regions(repo_id, &regions).await {
            for info in answer?.into_values().filter(|i| i.state.is_live()) {
                if let Some(node) = info.tags.get(TAG_NODE) {
                    by_node.entry(node.clone()).or_default().push(info);
                }
            }
        }
        Ok(by_node)
    }

    /// Adopts the instance an interrupted init left, or launches one; saves its id at once.
    /// Returns the report and the instance to wait for.
    async fn launch_one(
        &self,
        node: &Selected,
        spec: &LaunchSpec,
        repo_id: &str,
        live: &[InstanceInfo],
        cancel: &CancellationToken,
    ) -> (NodeReport, Option<InstanceInfo>) {
        if cancel.is_cancelled() {
            return (NodeReport::new(&node.name, Outcome::Cancelled), None);
        }
        let previous = node.instance.as_deref();
        let generation = generation_after(previous);
        let token = client_token(repo_id, &spec.node, generation, 0);
        // An instance of this node that the node does not record: launched by an init that
        // died before saving. With re-init the recorded one is excluded, as it is being replaced.
        let mut orphans = live.iter().filter(|i| Some(i.id.as_str()) != previous);
        let adopt = orphans.clone().find(|i| i.client_token.as_deref() == Some(token.as_str())).or_else(|| orphans.next()).cloned();
        let (info, outcome) = match adopt {
            Some(info) => (info, Outcome::Reused),
            None => match self.launch_fresh(spec, repo_id, generation).await {
                Ok(info) => (info, Outcome::Launched),
                Err(e) => return (self.fail(&node.name, None, &e), None),
            },
        };
        let saved = self.repo.update(&node.name, |props| Ok(set_path(props, "cloud.instance", json!(info.id))?.into_iter().collect()));
        if let Err(e) = saved {
            let issue = EngineIssue::new(
                e.code(),
                format!("instance {} was launched but could not be saved to the node ({e}); run init again to adopt it", info.id),
            );
            return (self.fail(&node.name, Some(&info.id), &issue), None);
        }
        self.emit(EngineEvent::Launched {
            node: node.name.clone(),
            instance_id: info.id.clone(),
            region: spec.region.clone(),
            image: spec.image_id.clone(),
            key_pair: spec.key_pair.clone(),
            provider: PROVIDER_AWS_EC2.to_owned(),
            reused: outcome == Outcome::Reused,
        });
        let report = NodeReport::new(&node.name, outcome).with_instance(Some(&info.id)).with_state(info.state.name());
        (report, Some(info))
    }

    /// RunInstances. A token EC2 remembers from a launch long gone (the node's id was removed
    /// by hand) answers with that dead instance: then launch once more with a token of its own.
    async fn launch_fresh(&self, spec: &LaunchSpec, repo_id: &str, generation: u32) -> Result<InstanceInfo, crate::aws::CloudError> {
        let info = self.provider.launch(&LaunchRequest { spec, repo_id, generation }).await?;
        if info.state.is_live() {
            return Ok(info);
        }
        self.provider.launch(&LaunchRequest { spec, repo_id, generation: generation_after(Some(&info.id)) }).await
    }

    fn warn_missing_key_files(&self, to_launch: &[(usize, LaunchSpec)]) {
        let Some(dir) = &self.options.ssh_dir else { return };
        let mut users: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (_, spec) in to_launch {
            users.entry(spec.key_pair.as_str()).or_default().push(spec.node.as_str());
        }
        let checked: BTreeSet<&str> = users.keys().copied().collect();
        for key_pair in checked {
            let path = dir.join(format!("{key_pair}.pem"));
            if path.exists() {
                continue;
            }
            let nodes = &users[key_pair];
            let mut named = nodes.iter().take(NODES_NAMED).copied().collect::<Vec<_>>().join(", ");
            if nodes.len() > NODES_NAMED {
                named.push_str(&format!(" and {} more", nodes.len() - NODES_NAMED));
            }
            self.emit(EngineEvent::Warning {
                node: (nodes.len() == 1).then(|| nodes[0].to_owned()),
                code: "node.key_file_missing".into(),
                message: format!(
                    "{} does not exist: it is needed to log in to {named} (key pair '{key_pair}'), not to launch",
                    path.display()
                ),
            });
        }
    }
}

/// The ClientToken generation for a launch that replaces `previous` (None: the node's first
/// launch). Derived from data that survives a crash, so a repeated launch gets the same token.
pub(crate) fn generation_after(previous: Option<&str>) -> u32 {
    match previous {
        None => 0,
        Some(id) => {
            let digest = Sha256::digest(id.as_bytes());
            u32::from_le_bytes([digest[0], digest[1], digest[2], digest[3]]) | 1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generations_are_stable_and_differ_per_previous_instance() {
        assert_eq!(generation_after(None), 0);
        let a = generation_after(Some("i-0123"));
        assert_eq!(a, generation_after(Some("i-0123")));
        assert_ne!(a, 0);
        assert_ne!(a, generation_after(Some("i-0124")));
    }
}
