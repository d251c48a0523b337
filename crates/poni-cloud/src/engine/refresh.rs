//! `update` (refresh the address properties from EC2) and `status` (each instance's live
//! state, for `list -q`): one DescribeInstances per region for all the nodes there.

use crate::plan::Selection;
use poni_repo::ErrorCode;
use tokio_util::sync::CancellationToken;

use super::addresses::Addresses;
use super::events::{EngineEvent, Operation};
use super::report::{EngineError, NodeReport, OperationReport, Outcome};
use super::{identity, Engine, EngineIssue};

impl Engine {
    /// Saves `host`, `private.ip` and `private.dns` from each instance's current addresses.
    pub async fn update(&self, selection: &Selection, cancel: &CancellationToken) -> Result<OperationReport, EngineError> {
        self.refresh(Operation::Update, selection, cancel).await
    }

    /// Each instance's state, read with one DescribeInstances per region; changes nothing.
    pub async fn status(&self, selection: &Selection, cancel: &CancellationToken) -> Result<OperationReport, EngineError> {
        self.refresh(Operation::Status, selection, cancel).await
    }

    async fn refresh(&self, operation: Operation, selection: &Selection, cancel: &CancellationToken) -> Result<OperationReport, EngineError> {
        let tree = self.repo.tree()?;
        let nodes = selection.select(&tree)?;
        self.emit(EngineEvent::OperationStarted { operation, nodes: nodes.len() as u32 });
        let (mut reports, by_region) = self.instances_by_region(operation, &nodes);
        let mut cancelled = false;
        if !by_region.is_empty() {
            let repo_id = identity::existing_repo_id(&self.repo).unwrap_or_default();
            let ids = by_region.iter().map(|(r, list)| (r.clone(), list.iter().map(|(_, id)| id.clone()).collect())).collect();
            let known = tokio::select! {
                known = self.describe_regions(&repo_id, &ids) => Some(known),
                _ = cancel.cancelled() => None,
            };
            cancelled = known.is_none();
            for (region, list) in &by_region {
                for (i, id) in list {
                    let name = &nodes[*i].name;
                    let Some(known) = &known else {
                        reports[*i] = Some(NodeReport::new(name, Outcome::Cancelled).with_instance(Some(id)));
                        continue;
                    };
                    reports[*i] = Some(match &known[region] {
                        Err(e) => self.fail(name, Some(id), e),
                        Ok(found) => match found.get(id) {
                            None => {
                                let issue = EngineIssue::new(
                                    ErrorCode::CloudInstanceNotFound,
                                    format!("instance {id} does not exist in {region} (terminated long ago, or launched with other credentials)"),
                                );
                                self.fail(name, Some(id), &issue)
                            }
                            Some(info) if operation == Operation::Status => {
                                NodeReport::new(name, Outcome::Queried).with_instance(Some(id)).with_state(info.state)
                            }
                            Some(info) => match Addresses::of(info).save(&self.repo, name) {
                                Ok(changes) => {
                                    if !changes.is_empty() {
                                        self.emit(EngineEvent::PropertiesUpdated { node: name.clone(), changes });
                                    }
                                    NodeReport::new(name, Outcome::Updated).with_instance(Some(id)).with_state(info.state)
                                }
                                Err(e) => self.fail(name, Some(id), &e),
                            },
                        },
                    });
                }
            }
        }
        Ok(self.finish(operation, reports.into_iter().flatten().collect(), cancelled))
    }
}
