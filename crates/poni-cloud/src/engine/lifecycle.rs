//! Terminate, stop and start: one describe per region for what the cloud says now, a plan
//! from that, then EC2 asked in batches for the nodes the plan acts on. Terminate keeps
//! `cloud.instance`, so `wait --state=terminated` and `list -q` still find the instance, as in
//! the seed document.

use std::collections::{BTreeMap, HashMap};

use tokio_util::sync::CancellationToken;

use super::events::{EngineEvent, Operation};
use super::protection::TerminationProtected;
use super::report::{EngineError, NodeReport, OperationReport, Outcome};
use super::{identity, Engine};
use crate::aws::{CloudError, CloudErrorKind, InstanceState, StateChange};
use crate::plan::{plan_selected, CloudFacts, Selected, Selection, SkipReason, Step};

/// EC2's answer to one state change call.
type Answer = Result<Vec<StateChange>, CloudError>;

impl Engine {
    pub async fn terminate(&self, selection: &Selection, cancel: &CancellationToken) -> Result<OperationReport, EngineError> {
        self.change_state(Operation::Terminate, selection, cancel).await
    }

    pub async fn stop(&self, selection: &Selection, cancel: &CancellationToken) -> Result<OperationReport, EngineError> {
        self.change_state(Operation::Stop, selection, cancel).await
    }

    pub async fn start(&self, selection: &Selection, cancel: &CancellationToken) -> Result<OperationReport, EngineError> {
        self.change_state(Operation::Start, selection, cancel).await
    }

    /// Terminates instances by id, region by region: those the repository no longer tracks
    /// (an undone launch left them running). Returns EC2's answer for each.
    pub async fn terminate_instances(&self, instances: &[(String, String)]) -> Result<Vec<crate::aws::StateChange>, EngineError> {
        let mut by_region: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for (region, id) in instances {
            by_region.entry(region).or_default().push(id.clone());
        }
        let mut out = Vec::new();
        for (region, ids) in by_region {
            out.extend(self.provider.terminate(region, &ids).await?);
        }
        Ok(out)
    }

    /// What the cloud says of the selected nodes' instances: one describe per region. Regions
    /// that could not be asked are left out of `described`, with their error.
    pub(crate) async fn instance_facts(&self, nodes: &[Selected]) -> (CloudFacts, HashMap<String, crate::aws::CloudError>) {
        let mut ids: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for node in nodes {
            if let (Some(id), Ok(region)) = (&node.instance, node.region()) {
                ids.entry(region).or_default().push(id.clone());
            }
        }
        let mut facts = CloudFacts::default();
        let mut failed = HashMap::new();
        if ids.is_empty() {
            return (facts, failed);
        }
        let repo_id = identity::existing_repo_id(&self.repo).unwrap_or_default();
        for (region, answer) in self.describe_regions(&repo_id, &ids).await {
            match answer {
                Ok(found) => {
                    facts.states.extend(found.into_iter().map(|(id, info)| (id, info.state)));
                    facts.described.insert(region);
                }
                Err(e) => {
                    failed.insert(region, e);
                }
            }
        }
        (facts, failed)
    }

    async fn change_state(&self, operation: Operation, selection: &Selection, cancel: &CancellationToken) -> Result<OperationReport, EngineError> {
        let tree = self.repo.tree()?;
        let nodes = selection.select(&tree)?;
        self.emit(EngineEvent::OperationStarted { operation, nodes: nodes.len() as u32 });
        let (facts, failed) = self.instance_facts(&nodes).await;
        let plan = plan_selected(&nodes, operation, &self.plan_options(false), &facts);
        let mut reports: Vec<Option<NodeReport>> = vec![None; plan.nodes.len()];
        let mut send: BTreeMap<String, Vec<(usize, String)>> = BTreeMap::new();
        for (i, node) in plan.nodes.iter().enumerate() {
            let name = &node.node;
            let id = node.instance_id.as_deref();
            reports[i] = match &node.step {
                Step::Skip { reason: SkipReason::NoInstance } => Some(NodeReport::new(name, Outcome::NoInstance)),
                Step::Skip { reason } => {
                    self.emit(EngineEvent::NodeSkipped {
                        node: name.clone(),
                        instance_id: node.instance_id.clone(),
                        reason: *reason,
                        message: reason.message(id, node.region.as_deref()),
                    });
                    Some(NodeReport::new(name, Outcome::Skipped).with_instance(id).with_state(InstanceState::Terminated))
                }
                Step::Refuse { error } => {
                    let issue = super::EngineIssue::from_payload(error);
                    let report = self.fail(name, id, &issue);
                    Some(match &node.state {
                        Some(state) => report.with_state(*state),
                        None => report,
                    })
                }
                _ if cancel.is_cancelled() => Some(NodeReport::new(name, Outcome::Cancelled).with_instance(id)),
                _ => {
                    let region = node.region.clone().unwrap_or_default();
                    match failed.get(&region) {
                        Some(e) => Some(self.fail(name, id, e)),
                        None => {
                            send.entry(region).or_default().push((i, id.unwrap_or_default().to_owned()));
                            None
                        }
                    }
                }
            };
        }
        for (region, list) in &send {
            let ids: Vec<String> = list.iter().map(|(_, id)| id.clone()).collect();
            let answer = match operation {
                Operation::Terminate => self.provider.terminate(region, &ids).await,
                Operation::Stop => self.provider.stop(region, &ids).await,
                _ => self.provider.start(region, &ids).await,
            };
            // EC2 refuses a whole TerminateInstances call for one protected instance (leaving
            // the others of its zone running): each is asked alone, so only the protected fail.
            let one_by_one = list.len() > 1 && matches!(&answer, Err(e) if e.kind == CloudErrorKind::TerminationProtected);
            for (i, id) in list {
                let own = match one_by_one {
                    true => Some(self.provider.terminate(region, std::slice::from_ref(id)).await),
                    false => None,
                };
                reports[*i] = Some(self.state_change_report(operation, &plan.nodes[*i].node, id, own.as_ref().unwrap_or(&answer)));
            }
        }
        let cancelled = cancel.is_cancelled();
        Ok(self.finish(operation, reports.into_iter().flatten().collect(), cancelled))
    }

    /// One node's report from EC2's answer to the call that carried its instance.
    fn state_change_report(&self, operation: Operation, name: &str, id: &str, answer: &Answer) -> NodeReport {
        match answer {
            Err(e) if e.kind == CloudErrorKind::TerminationProtected => {
                self.fail(name, Some(id), &TerminationProtected { node: name.to_owned(), instance_id: id.to_owned(), by_property: false })
            }
            Err(e) => self.fail(name, Some(id), e),
            Ok(changes) => {
                let change = changes.iter().find(|c| c.id == id);
                let (previous, current) = change.map_or((InstanceState::Unknown, InstanceState::Unknown), |c| (c.previous, c.current));
                self.emit(EngineEvent::StateChangeRequested { node: name.to_owned(), instance_id: id.to_owned(), operation, previous, current });
                let mut report = NodeReport::new(name, Outcome::Requested).with_instance(Some(id));
                report.state = change.map(|c| c.current);
                report
            }
        }
    }
}
