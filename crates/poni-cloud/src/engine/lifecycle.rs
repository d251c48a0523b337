//! Terminate, stop and start: find the nodes' instances (one describe per region), then ask
//! EC2 in batches. Terminate keeps `cloud.instance`, so `wait --state=terminated` and
//! `list -q` still find the instance, as in the seed document.

use std::collections::BTreeMap;

use poni_repo::Target;
use tokio_util::sync::CancellationToken;

use super::events::{EngineEvent, Operation};
use super::report::{EngineError, NodeReport, OperationReport, Outcome};
use super::select::select;
use super::{identity, Engine, EngineIssue};
use crate::aws::InstanceState;

impl Engine {
    pub async fn terminate(&self, target: &Target, cancel: &CancellationToken) -> Result<OperationReport, EngineError> {
        self.change_state(Operation::Terminate, target, cancel).await
    }

    pub async fn stop(&self, target: &Target, cancel: &CancellationToken) -> Result<OperationReport, EngineError> {
        self.change_state(Operation::Stop, target, cancel).await
    }

    pub async fn start(&self, target: &Target, cancel: &CancellationToken) -> Result<OperationReport, EngineError> {
        self.change_state(Operation::Start, target, cancel).await
    }

    async fn change_state(&self, operation: Operation, target: &Target, cancel: &CancellationToken) -> Result<OperationReport, EngineError> {
        let tree = self.repo.tree()?;
        let nodes = select(&tree, target)?;
        self.emit(EngineEvent::OperationStarted { operation, nodes: nodes.len() as u32 });
        let (mut reports, by_region) = self.instances_by_region(&nodes);
        if !by_region.is_empty() {
            let repo_id = identity::existing_repo_id(&self.repo).unwrap_or_default();
            let ids: BTreeMap<String, Vec<String>> =
                by_region.iter().map(|(r, list)| (r.clone(), list.iter().map(|(_, id)| id.clone()).collect())).collect();
            let known = self.describe_regions(&repo_id, &ids).await;
            for (region, list) in &by_region {
                let mut send: Vec<(usize, String)> = Vec::new();
                for (i, id) in list {
                    let name = &nodes[*i].name;
                    if cancel.is_cancelled() {
                        reports[*i] = Some(NodeReport::new(name, Outcome::Cancelled).with_instance(Some(id)));
                        continue;
                    }
                    match &known[region] {
                        Err(e) => reports[*i] = Some(self.fail(name, Some(id), e)),
                        Ok(found) => match found.get(id) {
                            None if operation == Operation::Terminate => {
                                // EC2 drops terminated instances after about an hour.
                                self.emit(EngineEvent::NodeSkipped {
                                    node: name.clone(),
                                    instance_id: Some(id.clone()),
                                    message: format!("instance {id} no longer exists in {region}: nothing to terminate"),
                                });
                                reports[*i] = Some(NodeReport::new(name, Outcome::Skipped).with_instance(Some(id)).with_state("terminated"));
                            }
                            None => {
                                let issue = EngineIssue::new("cloud.instance_not_found", format!("instance {id} does not exist in {region}"));
                                reports[*i] = Some(self.fail(name, Some(id), &issue));
                            }
                            Some(info) if operation != Operation::Terminate && matches!(info.state, InstanceState::ShuttingDown | InstanceState::Terminated) => {
                                let issue = EngineIssue::new(
                                    "cloud.incorrect_state",
                                    format!("instance {id} is '{}' and cannot be {}", info.state, operation.done_verb()),
                                );
                                reports[*i] = Some(self.fail(name, Some(id), &issue).with_state(info.state.name()));
                            }
                            Some(_) => send.push((*i, id.clone())),
                        },
                    }
                }
                if send.is_empty() {
                    continue;
                }
                let ids: Vec<String> = send.iter().map(|(_, id)| id.clone()).collect();
                let answer = match operation {
                    Operation::Terminate => self.provider.terminate(region, &ids).await,
                    Operation::Stop => self.provider.stop(region, &ids).await,
                    _ => self.provider.start(region, &ids).await,
                };
                match answer {
                    Ok(changes) => {
                        for (i, id) in &send {
                            let name = &nodes[*i].name;
                            let change = changes.iter().find(|c| &c.id == id);
                            let (previous, current) = change.map_or((String::new(), String::new()), |c| (c.previous.name().to_owned(), c.current.name().to_owned()));
                            self.emit(EngineEvent::StateChangeRequested {
                                node: name.clone(),
                                instance_id: id.clone(),
                                operation,
                                previous,
                                current: current.clone(),
                            });
                            let mut report = NodeReport::new(name, Outcome::Requested).with_instance(Some(id));
                            report.state = (!current.is_empty()).then_some(current);
                            reports[*i] = Some(report);
                        }
                    }
                    Err(e) => {
                        for (i, id) in &send {
                            reports[*i] = Some(self.fail(&nodes[*i].name, Some(id), &e));
                        }
                    }
                }
            }
        }
        let cancelled = cancel.is_cancelled();
        Ok(self.finish(operation, reports.into_iter().flatten().collect(), cancelled))
    }
}
