//! `init`: carry out a launch plan. Every selected node is checked first (nothing is launched
//! while any node is invalid); interrupted launches are finished; then each batch goes out as
//! one RunInstances call, its instance ids are saved the moment EC2 answers (one write for the
//! batch) and each node's own tags follow. Optionally waits until they run and pass their
//! status checks (`cloud.check_health`), saves their addresses, and associates `cloud.eip`.

use poni_repo::ErrorCode;
use std::collections::HashMap;

use futures_util::stream::{self, StreamExt};
use poni_repo::props::set_path;
use serde_json::json;
use tokio_util::sync::CancellationToken;

use super::crash;
use super::events::{EngineEvent, Operation};
use super::launches::LaunchRecord;
use super::report::{EngineError, NodeReport, OperationReport, Outcome};
use super::wait::Watched;
use super::{identity, Engine, EngineIssue};
use crate::aws::{batch_tag, node_tags, tags, BatchLaunch, InstanceInfo, InstanceState};
use crate::error::Coded;
use crate::plan::{plan_selected, Batch, CloudFacts, Plan, PlannedNode, Selection, Step};
use crate::spec::{LaunchSpec, PROVIDER_AWS_EC2};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InitOptions {
    /// Launch a new instance even for nodes that have one (`--reinit`).
    pub reinit: bool,
    /// Wait until the instances run and save their addresses (`--wait`).
    pub wait: bool,
}

/// What one node of a batch came to.
type Launched = (String, Result<InstanceInfo, NodeReport>);

impl Engine {
    pub async fn init(&self, selection: &Selection, options: InitOptions, cancel: &CancellationToken) -> Result<OperationReport, EngineError> {
        let tree = self.repo.tree()?;
        let selected = selection.select(&tree)?;
        self.emit(EngineEvent::OperationStarted { operation: Operation::Init, nodes: selected.len() as u32 });
        let plan_options = self.plan_options(options.reinit);
        // The properties are checked before anything is asked of the cloud.
        let mut plan = plan_selected(&selected, Operation::Init, &plan_options, &CloudFacts::default());
        self.refuse_invalid(&plan)?;
        let mut resumed = HashMap::new();
        let (mut repo_id, unsaved) = identity::launch_repo_id(&self.repo);
        // Interrupted launches are finished first, whatever is selected: they may be naming
        // instances already saved, or name the nodes about to be planned.
        if plan.counts.launch > 0 || LaunchRecord::any_left(&self.repo) {
            // A link or a file planted as the launch records' folder stops init before any
            // cloud call: no record is written (or read) through it.
            LaunchRecord::check_dir(&self.repo)?;
            resumed = self.resume_launches(&repo_id).await?;
            let tree = self.repo.tree()?;
            let selected: Vec<_> = selection.select(&tree)?.into_iter().filter(|s| !resumed.contains_key(&s.name)).collect();
            let facts = self.launch_facts(&repo_id, &plan).await?;
            plan = plan_selected(&selected, Operation::Init, &plan_options, &facts);
            self.refuse_invalid(&plan)?;
            // EC2 has answered a call made with the id (launch_facts): now it is kept.
            if unsaved && plan.counts.launch > 0 {
                repo_id = identity::save_repo_id(&self.repo, &repo_id)?;
            }
        }
        self.apply_init(&plan, resumed, &repo_id, options, cancel).await
    }

    /// Ends an init whose plan has invalid nodes: every problem of every node is reported.
    fn refuse_invalid(&self, plan: &Plan) -> Result<(), EngineError> {
        let Some(refusal) = plan.refusal() else { return Ok(()) };
        for node in &plan.nodes {
            if let Step::Invalid { problems } = &node.step {
                self.emit(EngineEvent::NodeInvalid { node: node.node.clone(), problems: problems.clone() });
            }
        }
        self.emit(EngineEvent::OperationFinished { operation: Operation::Init, succeeded: 0, failed: refusal.selected as u32, cancelled: false });
        Err(EngineError::Refused(refusal))
    }

    /// Live instances of this repository tagged with a node they are not saved to (an init of
    /// the one-call-per-node kind that died before saving): one DescribeInstances per region.
    pub(super) async fn launch_facts(&self, repo_id: &str, plan: &Plan) -> Result<CloudFacts, EngineError> {
        let regions = plan.launches_by_region().into_keys().map(|r| (r, Vec::new())).collect();
        let mut facts = CloudFacts::default();
        for (region, answer) in self.describe_regions(repo_id, &regions).await {
            for info in answer?.into_values().filter(|i| i.state.is_live()) {
                if let Some(node) = info.tags.get(crate::aws::TAG_NODE) {
                    facts.unrecorded.entry(node.clone()).or_default().push(info.id.clone());
                }
                facts.states.insert(info.id.clone(), info.state);
            }
            facts.described.insert(region);
        }
        Ok(facts)
    }

    async fn apply_init(
        &self,
        plan: &Plan,
        resumed: HashMap<String, InstanceInfo>,
        repo_id: &str,
        options: InitOptions,
        cancel: &CancellationToken,
    ) -> Result<OperationReport, EngineError> {
        for w in &plan.warnings {
            self.emit(EngineEvent::Warning { node: w.node.clone(), code: w.code, message: w.message.clone() });
        }
        let mut results: HashMap<String, Result<InstanceInfo, NodeReport>> = resumed.into_iter().map(|(n, i)| (n, Ok(i))).collect();
        let mut reports: HashMap<String, NodeReport> = HashMap::new();
        for node in &plan.nodes {
            if let Step::Skip { reason } = node.step {
                self.emit(EngineEvent::NodeSkipped {
                    node: node.node.clone(),
                    instance_id: node.instance_id.clone(),
                    reason,
                    message: reason.message(node.instance_id.as_deref(), node.region.as_deref()),
                });
                reports.insert(node.node.clone(), NodeReport::new(&node.node, Outcome::Skipped).with_instance(node.instance_id.as_deref()));
            }
        }
        results.extend(self.adopt(plan).await);
        let mut launches = Vec::with_capacity(plan.batches.len());
        for batch in &plan.batches {
            launches.push(self.launch_batch(plan, batch, repo_id, cancel));
        }
        let launched: Vec<Vec<Launched>> = stream::iter(launches).buffer_unordered(self.options.launch_concurrency.max(1)).collect().await;
        results.extend(launched.into_iter().flatten());

        let mut watched = Vec::new();
        for node in &plan.nodes {
            if reports.contains_key(&node.node) {
                continue;
            }
            let Some(result) = results.remove(&node.node) else { continue };
            reports.insert(node.node.clone(), self.launch_report(node, result, options.wait, &mut watched));
        }
        // Nodes adopted from an interrupted launch that this selection names but did not plan.
        for (name, result) in results {
            let node = PlannedNode::detached(&name);
            reports.insert(name, self.launch_report(&node, result, options.wait, &mut watched));
        }
        let mut cancelled = cancel.is_cancelled();
        if options.wait && !watched.is_empty() {
            let (waited, was_cancelled) = self.wait_for(repo_id, watched, &InstanceState::Running, cancel).await;
            cancelled |= was_cancelled;
            for report in waited {
                reports.insert(report.node.clone(), report);
            }
            self.associate_elastic_ips(plan, &mut reports, repo_id).await;
        } else if !options.wait {
            for node in plan.nodes.iter().filter(|n| n.elastic_ip().is_some() && matches!(n.step, Step::Launch { .. } | Step::Adopt { .. })) {
                self.emit(EngineEvent::Warning {
                    node: Some(node.node.clone()),
                    code: ErrorCode::NodeEipNotAssociated,
                    message: "cloud.eip is associated once the instance runs: init with --wait (the desktop always waits)".into(),
                });
            }
        }
        let order: HashMap<&str, usize> = plan.nodes.iter().enumerate().map(|(i, n)| (n.node.as_str(), i)).collect();
        let mut reports: Vec<NodeReport> = reports.into_values().collect();
        reports.sort_by_key(|r| (order.get(r.node.as_str()).copied().unwrap_or(usize::MAX), r.node.clone()));
        Ok(self.finish(Operation::Init, reports, cancelled))
    }

    fn launch_report(&self, node: &PlannedNode, result: Result<InstanceInfo, NodeReport>, wait: bool, watched: &mut Vec<Watched>) -> NodeReport {
        match result {
            Err(report) => report,
            Ok(info) => {
                let outcome = if matches!(node.step, Step::Launch { .. }) { Outcome::Launched } else { Outcome::Reused };
                if wait {
                    watched.push(Watched {
                        node: node.node.clone(),
                        region: node.region.clone().unwrap_or_default(),
                        instance_id: info.id.clone(),
                        timeout: node.timeout,
                        known: Some(info.state),
                        // poni 0.8's default: a node launched and waited for also waits for
                        // both status checks, unless cloud.check_health says no.
                        check_health: node.launch.as_ref().is_none_or(|l| l.check_health),
                    });
                }
                NodeReport::new(&node.node, outcome).with_instance(Some(&info.id)).with_state(info.state)
            }
        }
    }

    /// Saves the instances an interrupted one-call-per-node init launched (one write).
    async fn adopt(&self, plan: &Plan) -> Vec<Launched> {
        let adopt: Vec<(&PlannedNode, &str)> = plan
            .nodes
            .iter()
            .filter_map(|n| match &n.step {
                Step::Adopt { instance_id } => Some((n, instance_id.as_str())),
                _ => None,
            })
            .collect();
        if adopt.is_empty() {
            return Vec::new();
        }
        let ids: Vec<(&str, &str)> = adopt.iter().map(|(n, id)| (n.node.as_str(), *id)).collect();
        let saved = self.save_instance_ids(&ids);
        adopt
            .into_iter()
            .map(|(node, id)| {
                let result = match &saved {
                    Err(e) => Err(self.fail(&node.node, Some(id), &not_saved(id, e))),
                    Ok(_) => {
                        self.emit_launched(node, id, true);
                        let state = node.state.unwrap_or(InstanceState::Pending);
                        Ok(InstanceInfo::unseen(id, state))
                    }
                };
                (node.node.clone(), result)
            })
            .collect()
    }

    fn emit_launched(&self, node: &PlannedNode, instance_id: &str, reused: bool) {
        let spec = node.launch_spec();
        self.emit(EngineEvent::Launched {
            node: node.node.clone(),
            instance_id: instance_id.to_owned(),
            region: node.region.clone().unwrap_or_default(),
            image: spec.map(|s| s.image_id.clone()).unwrap_or_default(),
            key_pair: spec.map(|s| s.key_pair.clone()).unwrap_or_default(),
            provider: PROVIDER_AWS_EC2.to_owned(),
            reused,
        });
    }

    /// One batch: record, RunInstances, save the ids, tag each node, drop the record. A batch
    /// EC2 has no capacity for (all of it, in every instance type) is split in two and each
    /// half tried again, down to single nodes, which are then reported by name; the nodes of
    /// an answer that comes back short go out again the same way.
    async fn launch_batch(&self, plan: &Plan, batch: &Batch, repo_id: &str, cancel: &CancellationToken) -> Vec<Launched> {
        let all: Vec<&PlannedNode> = batch.nodes.iter().filter_map(|n| plan.node(n)).collect();
        let mut queue: std::collections::VecDeque<Vec<&PlannedNode>> = [all].into();
        let mut out: Vec<Launched> = Vec::new();
        // Tells the calls of one batch apart (the tag and ClientToken of each differ).
        let mut attempt = 0u32;
        let mut fresh_token = false;
        while let Some(pending) = queue.pop_front() {
            if cancel.is_cancelled() {
                out.extend(pending.iter().map(|n| (n.node.clone(), Err(NodeReport::new(&n.node, Outcome::Cancelled)))));
                continue;
            }
            let tag = batch_tag(repo_id, &batch.key, attempt);
            attempt += 1;
            let names: Vec<String> = pending.iter().map(|n| n.node.clone()).collect();
            let record = LaunchRecord::new(&batch.region, &tag, names, pending.iter().map(|n| n.instance_id.clone()).collect());
            if let Err(e) = record.write(&self.repo) {
                out.extend(pending.iter().map(|n| (n.node.clone(), Err(self.fail(&n.node, None, &e)))));
                continue;
            }
            crash::point(crash::LAUNCH_RECORDED);
            let specs: Vec<&LaunchSpec> = pending.iter().filter_map(|n| n.launch_spec()).collect();
            let answer = self.provider.launch_batch(&BatchLaunch { specs: &specs, repo_id, batch_tag: &tag }).await;
            crash::point(crash::LAUNCH_ANSWERED);
            let instances = match answer {
                Err(e) if e.kind.is_capacity() && pending.len() > 1 => {
                    record.remove(&self.repo);
                    tracing::warn!(batch = %tag, nodes = pending.len(), "no capacity for the whole batch; trying it in halves");
                    let (first, second) = pending.split_at(pending.len() / 2);
                    queue.push_back(first.to_vec());
                    queue.push_back(second.to_vec());
                    continue;
                }
                Err(e) => {
                    if !e.kind.outcome_unknown() {
                        record.remove(&self.repo);
                    }
                    out.extend(pending.iter().map(|n| (n.node.clone(), Err(self.fail(&n.node, None, &e)))));
                    continue;
                }
                // A token EC2 remembers from a launch long gone (the nodes' ids were removed by
                // hand) answers with those dead instances: launch once more with a token of its own.
                Ok(instances) if instances.iter().all(|i| !i.state.is_live()) && !fresh_token => {
                    record.remove(&self.repo);
                    fresh_token = true;
                    queue.push_front(pending);
                    continue;
                }
                Ok(instances) => instances,
            };
            let (mapped, rest) = by_launch_index(&pending, instances);
            let ids: Vec<(&str, &str)> = mapped.iter().map(|(n, i)| (n.node.as_str(), i.id.as_str())).collect();
            if let Err(e) = self.save_instance_ids(&ids) {
                // The record stays: the next init adopts these instances.
                out.extend(mapped.iter().map(|(n, i)| (n.node.clone(), Err(self.fail(&n.node, Some(&i.id), &not_saved(&i.id, &e))))));
            } else {
                crash::point(crash::LAUNCH_SAVED);
                for (node, info) in &mapped {
                    self.emit_launched(node, &info.id, false);
                }
                if self.tag_nodes(&mapped, repo_id, &tag, specs.len()).await {
                    crash::point(crash::LAUNCH_TAGGED);
                    record.remove(&self.repo);
                }
                out.extend(mapped.into_iter().map(|(n, i)| (n.node.clone(), Ok(i))));
            }
            if !rest.is_empty() {
                tracing::warn!(batch = %tag, short = rest.len(), "EC2 launched fewer instances than asked; launching the rest");
                queue.push_back(rest);
            }
        }
        out
    }

    /// Instance ids saved to their nodes (node, id), all in one write.
    pub(super) fn save_instance_ids(&self, ids: &[(&str, &str)]) -> Result<(), poni_repo::RepoError> {
        if ids.is_empty() {
            return Ok(());
        }
        let by_node: HashMap<&str, &str> = ids.iter().copied().collect();
        let names: Vec<String> = ids.iter().map(|(n, _)| n.to_string()).collect();
        self.repo.update_each(&names, |name, props| Ok(set_path(props, "cloud.instance", json!(by_node[name]))?.into_iter().collect()))?;
        Ok(())
    }

    /// Each node's Name, `poni:node` and own extra tags (a batch of one had them at launch).
    /// Failures are warnings: the instance is saved, and the next init tags it again.
    async fn tag_nodes(&self, mapped: &[(&PlannedNode, InstanceInfo)], repo_id: &str, tag: &str, batch_len: usize) -> bool {
        if batch_len <= 1 {
            return true;
        }
        let specs: Vec<&LaunchSpec> = mapped.iter().filter_map(|(n, _)| n.launch_spec()).collect();
        let shared = tags::batch_launch_tags(&specs, repo_id, tag);
        // Futures built in a loop, not by a closure that returns them (`map(|..| async ..)`):
        // that keeps the operation's future Send (the desktop runs it on a multi-threaded runtime).
        let mut calls = Vec::with_capacity(mapped.len());
        for (node, info) in mapped.iter().map(|(node, info)| (*node, info)) {
            let Some(spec) = node.launch_spec() else { continue };
            let tags = node_tags(spec, repo_id, &shared);
            calls.push(async move { (node, info, self.provider.set_tags(&spec.region, std::slice::from_ref(&info.id), &tags).await) });
        }
        let answers: Vec<_> = stream::iter(calls).buffer_unordered(16).collect().await;
        let mut all = true;
        for (node, info, answer) in answers {
            if let Err(e) = answer {
                all = false;
                self.emit(EngineEvent::Warning {
                    node: Some(node.node.clone()),
                    code: e.code().to_owned(),
                    message: format!("instance {} is saved but could not be named ({e}); the next init names it", info.id),
                });
            }
        }
        all
    }

    /// `cloud.eip` of nodes whose instance now runs; the addresses are read again after.
    async fn associate_elastic_ips(&self, plan: &Plan, reports: &mut HashMap<String, NodeReport>, repo_id: &str) {
        for node in &plan.nodes {
            let (Some(eip), Some(region)) = (node.elastic_ip(), node.region.as_deref()) else { continue };
            let Some(report) = reports.get(&node.node).filter(|r| r.outcome == Outcome::Ready) else { continue };
            let Some(id) = report.instance_id.clone() else { continue };
            if let Err(e) = self.provider.associate_elastic_ip(region, &id, eip).await {
                let failed = self.fail(&node.node, Some(&id), &e);
                reports.insert(node.node.clone(), failed);
                continue;
            }
            let ids = [(region.to_owned(), vec![id.clone()])].into();
            if let Some(Ok(found)) = self.describe_regions(repo_id, &ids).await.remove(region) {
                if let Some(info) = found.get(&id) {
                    match super::addresses::Addresses::of(info).save(&self.repo, &node.node) {
                        Ok(changes) if !changes.is_empty() => self.emit(EngineEvent::PropertiesUpdated { node: node.node.clone(), changes }),
                        Ok(_) => {}
                        Err(e) => {
                            let failed = self.fail(&node.node, Some(&id), &e);
                            reports.insert(node.node.clone(), failed);
                        }
                    }
                }
            }
        }
    }
}

/// Instances to nodes by `AmiLaunchIndex` (answer order when EC2 gives none), and the nodes
/// left without one (a short batch).
fn by_launch_index<'p>(pending: &[&'p PlannedNode], instances: Vec<InstanceInfo>) -> (Vec<(&'p PlannedNode, InstanceInfo)>, Vec<&'p PlannedNode>) {
    let mut slots: Vec<Option<InstanceInfo>> = vec![None; pending.len()];
    let mut unplaced = Vec::new();
    for info in instances {
        match info.launch_index.map(|i| i as usize) {
            Some(i) if i < slots.len() && slots[i].is_none() => slots[i] = Some(info),
            _ => unplaced.push(info),
        }
    }
    for info in unplaced {
        if let Some(free) = slots.iter_mut().find(|s| s.is_none()) {
            *free = Some(info);
        }
    }
    let mut mapped = Vec::new();
    let mut rest = Vec::new();
    for (node, slot) in pending.iter().zip(slots) {
        match slot {
            Some(info) => mapped.push((*node, info)),
            None => rest.push(*node),
        }
    }
    (mapped, rest)
}

fn not_saved(id: &str, e: &impl Coded) -> EngineIssue {
    EngineIssue::new(e.code(), format!("instance {id} was launched but could not be saved to the node ({e}); run init again to adopt it"))
}
