//! poni 0.8's named snapshots of EBS-backed instances (cloud_aws.py: `create_snapshot`,
//! `revert_to_snapshot`, `remove_snapshot`), through the same plan as stop and start (one
//! describe per region; terminated instances refused, nodes without an instance left alone):
//!
//! - create: a snapshot of every EBS volume attached to the instance (poni 0.8: the root volume
//!   only), tagged at creation with the name (`poni:snapshot`), node, instance, device and
//!   repository, so it can be found again; the root volume's also carries poni 0.8's `Name` and
//!   `Original_instance`, so poni 0.8 finds it too. Once all of a node's snapshots complete, its
//!   older snapshots of the same name are deleted, as poni 0.8 did; when one fails, the new ones
//!   go and the old ones stay.
//! - revert: stop the instance, make a new volume from each snapshot in the instance's zone
//!   (keeping the old volume's type, IOPS and throughput), detach the old volumes, attach the new
//!   ones at the same devices (with the old DeleteOnTermination), start, and once the instance
//!   runs delete the old volumes. When a step fails, the new volumes are detached and deleted, the
//!   old ones attached again, the instance started if it ran before, and the error says what was
//!   done; what could not be put back is named with its device.
//! - remove: delete the node's snapshots of that name (also poni 0.8's), whether or not its
//!   instance still exists.
//!
//! Calls go one region at a time through the pacer and retries; waits poll one describe per
//! region per round on the engine's [`super::PollSchedule`].

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use futures_util::stream::{self, StreamExt};
use poni_repo::ErrorCode;
use serde::Serialize;
use sha2::{Digest, Sha256};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use super::events::{EngineEvent, Operation, SnapshotStep};
use super::report::{EngineError, NodeReport, OperationReport, Outcome};
use super::wait::Watched;
use super::{identity, now_rfc3339, secs, Engine, EngineIssue};
use crate::aws::snapshots::NewVolume;
use crate::aws::{
    AttachedVolume, CloudError, InstanceState, InstanceVolumes, SnapshotInfo, SnapshotState, VolumeInfo, TAG_DEVICE, TAG_INSTANCE, TAG_NAME, TAG_NODE,
    TAG_PONI08_ORIGINAL_INSTANCE, TAG_REPO, TAG_SNAPSHOT,
};
use crate::error::{Coded, ErrorPayload};
use crate::plan::{plan_selected, Selection, SkipReason, Step};

/// EC2 takes tag values of up to 256 characters; a name is one.
pub const SNAPSHOT_NAME_MAX: usize = 255;
/// Nodes whose volumes are swapped at once (each waits on its own volumes).
const REVERT_CONCURRENCY: usize = 8;

/// A snapshot name as `create-snapshot` takes it: trimmed, not empty, at most 255 characters,
/// no control characters (it becomes a tag value, shown in consoles and terminals).
pub fn snapshot_name(name: &str) -> Result<String, EngineError> {
    let trimmed = name.trim();
    let bad = |why: &str| EngineError::Input(ErrorPayload::new(ErrorCode::InputInvalidName, format!("'{}' is not a snapshot name: {why}", trimmed.escape_debug())));
    if trimmed.is_empty() {
        return Err(bad("it is empty"));
    }
    if trimmed.chars().count() > SNAPSHOT_NAME_MAX {
        return Err(bad(&format!("it is longer than {SNAPSHOT_NAME_MAX} characters")));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(bad("it holds control characters"));
    }
    Ok(trimmed.to_owned())
}

/// One snapshot of one node's instance, as `cloud snapshots` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct NodeSnapshot {
    pub node: String,
    pub instance_id: String,
    pub snapshot: SnapshotInfo,
}

/// What `cloud snapshots` found, and the nodes it could not ask about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct SnapshotList {
    /// By node (tree order), then name, device and start time.
    pub snapshots: Vec<NodeSnapshot>,
    pub failed: Vec<NodeReport>,
}

/// A node the plan acts on.
#[derive(Debug, Clone)]
struct Target {
    /// Its place in the plan (and the report).
    index: usize,
    node: String,
    instance_id: String,
    region: String,
    state: Option<InstanceState>,
}

/// One device of a revert.
#[derive(Debug, Clone)]
struct Swap {
    device: String,
    snapshot_id: String,
    old: Option<AttachedVolume>,
    old_info: Option<VolumeInfo>,
    new_volume: Option<String>,
    old_detached: bool,
    new_attached: bool,
}

/// One node's revert.
#[derive(Debug, Clone)]
struct Revert {
    target: Target,
    zone: String,
    was_running: bool,
    swaps: Vec<Swap>,
}

/// How a failed revert step left a node.
struct Undone {
    report: NodeReport,
}

impl Engine {
    /// `cloud create-snapshot`: a snapshot named `name` of every EBS volume of each selected
    /// node's instance, waited for until complete; then the node's older snapshots of that
    /// name are deleted.
    pub async fn create_snapshot(&self, selection: &Selection, name: &str, description: Option<&str>, cancel: &CancellationToken) -> Result<OperationReport, EngineError> {
        let name = snapshot_name(name)?;
        let operation = Operation::CreateSnapshot;
        let (mut reports, targets) = self.snapshot_targets(operation, selection).await?;
        let repo_id = identity::existing_repo_id(&self.repo);
        let mut made: Vec<(Target, Vec<SnapshotInfo>, Vec<SnapshotInfo>)> = Vec::new();
        for (region, list) in by_region(&targets) {
            let ids: Vec<String> = list.iter().map(|t| t.instance_id.clone()).collect();
            let volumes = self.provider.instance_volumes(&region, &ids).await;
            let older = match volumes {
                Ok(_) => self.provider.instance_snapshots(&region, &ids, Some(&name)).await,
                Err(_) => Ok(Vec::new()),
            };
            let (volumes, older) = match (volumes, older) {
                (Ok(v), Ok(o)) => (v, o),
                (Err(e), _) | (_, Err(e)) => {
                    for t in &list {
                        reports[t.index] = Some(self.fail(&t.node, Some(&t.instance_id), &e));
                    }
                    continue;
                }
            };
            for t in list {
                if cancel.is_cancelled() {
                    reports[t.index] = Some(NodeReport::new(&t.node, Outcome::Cancelled).with_instance(Some(&t.instance_id)));
                    continue;
                }
                let Some(instance) = volumes.iter().find(|v| v.instance_id == t.instance_id) else {
                    reports[t.index] = Some(self.fail(&t.node, Some(&t.instance_id), &not_found(&t)));
                    continue;
                };
                if let Err(issue) = ebs_volumes(&t, instance) {
                    reports[t.index] = Some(self.fail(&t.node, Some(&t.instance_id), &issue));
                    continue;
                }
                let mut started = Vec::new();
                let mut failed = None;
                for volume in &instance.volumes {
                    let root = instance.root_device.as_deref() == Some(volume.device.as_str());
                    let tags = snapshot_tags(&name, &t, &volume.device, root, repo_id.as_deref());
                    let text = match description {
                        Some(d) => d.to_owned(),
                        None => format!("{name}: {} {}", t.node, volume.device),
                    };
                    match self.provider.create_snapshot(&t.region, &volume.volume_id, Some(&text), &tags).await {
                        Ok(snapshot) => {
                            self.progress(&t, SnapshotStep::SnapshotStarted, Some(&volume.device), Some(&volume.volume_id), Some(&snapshot.id));
                            started.push(snapshot);
                        }
                        Err(e) => {
                            failed = Some(e);
                            break;
                        }
                    }
                }
                if let Some(e) = failed {
                    // The set is incomplete: what was started goes, the older set stays.
                    self.delete_snapshots(&t, &started).await;
                    reports[t.index] = Some(self.fail(&t.node, Some(&t.instance_id), &e));
                    continue;
                }
                let mine_older: Vec<SnapshotInfo> = older.iter().filter(|s| s.instance_id() == Some(t.instance_id.as_str())).cloned().collect();
                made.push((t, started, mine_older));
            }
        }

        // Wait for every snapshot, one DescribeSnapshots per region per round.
        let mut pending: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (t, started, _) in &made {
            pending.entry(t.region.clone()).or_default().extend(started.iter().map(|s| s.id.clone()));
        }
        let (states, cancelled) = self.wait_snapshots(pending, cancel).await;
        for (t, started, older) in made {
            let state_of = |s: &SnapshotInfo| states.get(&s.id).copied().unwrap_or(SnapshotState::Pending);
            if let Some(bad) = started.iter().find(|s| state_of(*s) == SnapshotState::Error) {
                let issue = EngineIssue::new(
                    ErrorCode::CloudSnapshotFailed,
                    format!("EC2 could not make snapshot {} of {} (instance {}); the snapshots of '{name}' made before are kept", bad.id, t.node, t.instance_id),
                );
                self.delete_snapshots(&t, &started).await;
                reports[t.index] = Some(self.fail(&t.node, Some(&t.instance_id), &issue));
                continue;
            }
            if let Some(slow) = started.iter().find(|s| state_of(*s) != SnapshotState::Completed) {
                reports[t.index] = Some(match cancelled {
                    true => NodeReport::new(&t.node, Outcome::Cancelled).with_instance(Some(&t.instance_id)),
                    false => {
                        let issue = EngineIssue::new(
                            ErrorCode::CloudWaitTimeout,
                            format!(
                                "snapshot {} of {} is still '{}' after {} s; EC2 goes on making it (`poni cloud snapshots` lists it), and the older snapshots of '{name}' are kept",
                                slow.id,
                                t.node,
                                state_of(slow).as_str(),
                                secs(self.options.snapshot_timeout)
                            ),
                        );
                        self.fail(&t.node, Some(&t.instance_id), &issue)
                    }
                });
                continue;
            }
            for s in &started {
                self.progress(&t, SnapshotStep::SnapshotCompleted, s.device(), s.volume_id.as_deref(), Some(&s.id));
            }
            // The new set is whole: the older snapshots of the name go, as poni 0.8 did.
            let fresh: Vec<&str> = started.iter().map(|s| s.id.as_str()).collect();
            let replaced: Vec<SnapshotInfo> = older.into_iter().filter(|s| !fresh.contains(&s.id.as_str())).collect();
            self.delete_snapshots(&t, &replaced).await;
            reports[t.index] = Some(NodeReport::new(&t.node, Outcome::SnapshotCreated).with_instance(Some(&t.instance_id)));
        }
        Ok(self.finish(operation, reports.into_iter().flatten().collect(), cancel.is_cancelled()))
    }

    /// `cloud remove-snapshot`: deletes the selected nodes' snapshots named `name` (Poni's and
    /// poni 0.8's). A node without any is a failure naming it, as poni 0.8 warned.
    pub async fn remove_snapshot(&self, selection: &Selection, name: &str, cancel: &CancellationToken) -> Result<OperationReport, EngineError> {
        let name = snapshot_name(name)?;
        let operation = Operation::RemoveSnapshot;
        let (mut reports, targets) = self.snapshot_targets(operation, selection).await?;
        for (region, list) in by_region(&targets) {
            let ids: Vec<String> = list.iter().map(|t| t.instance_id.clone()).collect();
            let found = match self.provider.instance_snapshots(&region, &ids, Some(&name)).await {
                Ok(found) => found,
                Err(e) => {
                    for t in &list {
                        reports[t.index] = Some(self.fail(&t.node, Some(&t.instance_id), &e));
                    }
                    continue;
                }
            };
            for t in list {
                if cancel.is_cancelled() {
                    reports[t.index] = Some(NodeReport::new(&t.node, Outcome::Cancelled).with_instance(Some(&t.instance_id)));
                    continue;
                }
                let mine: Vec<SnapshotInfo> = found.iter().filter(|s| s.instance_id() == Some(t.instance_id.as_str())).cloned().collect();
                if mine.is_empty() {
                    reports[t.index] = Some(self.fail(&t.node, Some(&t.instance_id), &no_snapshot(&t, &name)));
                    continue;
                }
                let mut failed = None;
                for s in &mine {
                    match self.provider.delete_snapshot(&t.region, &s.id).await {
                        Ok(()) => self.progress(&t, SnapshotStep::SnapshotDeleted, s.device(), s.volume_id.as_deref(), Some(&s.id)),
                        Err(e) => failed = Some(e),
                    }
                }
                reports[t.index] = Some(match failed {
                    Some(e) => self.fail(&t.node, Some(&t.instance_id), &e),
                    None => NodeReport::new(&t.node, Outcome::SnapshotRemoved).with_instance(Some(&t.instance_id)),
                });
            }
        }
        Ok(self.finish(operation, reports.into_iter().flatten().collect(), cancel.is_cancelled()))
    }

    /// `cloud snapshots`: the selected nodes' snapshots (all, or those named `name`), one
    /// DescribeSnapshots per region (two: Poni's tags and poni 0.8's).
    pub async fn snapshots(&self, selection: &Selection, name: Option<&str>) -> Result<SnapshotList, EngineError> {
        let name = name.map(snapshot_name).transpose()?;
        let tree = self.repo.tree()?;
        let nodes = selection.select(&tree)?;
        let mut by_region: BTreeMap<String, Vec<(usize, String, String)>> = BTreeMap::new();
        let mut failed = Vec::new();
        for (i, node) in nodes.iter().enumerate() {
            let Some(id) = node.instance.clone() else { continue };
            match node.region() {
                Ok(region) => by_region.entry(region).or_default().push((i, node.name.clone(), id)),
                Err(why) => failed.push(NodeReport::failed(&node.name, Some(&id), ErrorPayload::new(ErrorCode::NodeInvalidProperty, why))),
            }
        }
        let mut snapshots: Vec<(usize, NodeSnapshot)> = Vec::new();
        for (region, list) in by_region {
            let ids: Vec<String> = list.iter().map(|(_, _, id)| id.clone()).collect();
            match self.provider.instance_snapshots(&region, &ids, name.as_deref()).await {
                Ok(found) => {
                    for (i, node, id) in &list {
                        for s in found.iter().filter(|s| s.instance_id() == Some(id.as_str())) {
                            snapshots.push((*i, NodeSnapshot { node: node.clone(), instance_id: id.clone(), snapshot: s.clone() }));
                        }
                    }
                }
                Err(e) => failed.extend(list.iter().map(|(_, node, id)| NodeReport::failed(node, Some(id), e.payload()))),
            }
        }
        snapshots.sort_by(|(a, x), (b, y)| {
            let key = |s: &SnapshotInfo| (s.name().unwrap_or_default().to_owned(), s.device().unwrap_or_default().to_owned(), s.start_time.clone());
            (a, key(&x.snapshot)).cmp(&(b, key(&y.snapshot)))
        });
        Ok(SnapshotList { snapshots: snapshots.into_iter().map(|(_, s)| s).collect(), failed })
    }

    /// `cloud revert-to-snapshot`: each selected node's volumes swapped for new ones made from
    /// its snapshot named `name`, the instance stopped before and started after; the old volumes
    /// are deleted once it runs again.
    pub async fn revert_to_snapshot(&self, selection: &Selection, name: &str, cancel: &CancellationToken) -> Result<OperationReport, EngineError> {
        let name = snapshot_name(name)?;
        let operation = Operation::RevertToSnapshot;
        let (mut reports, targets) = self.snapshot_targets(operation, selection).await?;
        let run = revert_run_id(&self.repo.root().display().to_string(), &now_rfc3339());

        // What each node has and what it reverts to.
        let mut reverts: Vec<Revert> = Vec::new();
        for (region, list) in by_region(&targets) {
            match self.revert_plans(&region, &list, &name).await {
                Ok(plans) => {
                    for (t, plan) in plans {
                        match plan {
                            Ok(revert) => reverts.push(revert),
                            Err(issue) => reports[t.index] = Some(self.fail(&t.node, Some(&t.instance_id), &issue)),
                        }
                    }
                }
                Err(e) => {
                    for t in &list {
                        reports[t.index] = Some(self.fail(&t.node, Some(&t.instance_id), &e));
                    }
                }
            }
        }
        if cancel.is_cancelled() {
            for r in reverts.drain(..) {
                reports[r.target.index] = Some(NodeReport::new(&r.target.node, Outcome::Cancelled).with_instance(Some(&r.target.instance_id)));
            }
        }

        // Stop them (those not stopped yet) and wait until they are.
        let mut stop: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for r in reverts.iter().filter(|r| r.target.state != Some(InstanceState::Stopped)) {
            stop.entry(r.target.region.clone()).or_default().push(r.target.instance_id.clone());
        }
        let mut refused: HashMap<String, CloudError> = HashMap::new();
        for (region, ids) in &stop {
            if let Err(e) = self.provider.stop(region, ids).await {
                for id in ids {
                    refused.insert(id.clone(), e.clone());
                }
            }
        }
        let mut stopping = Vec::new();
        for r in reverts {
            match refused.get(&r.target.instance_id) {
                Some(e) => reports[r.target.index] = Some(self.fail(&r.target.node, Some(&r.target.instance_id), e)),
                None => stopping.push(r),
            }
        }
        let repo_id = identity::existing_repo_id(&self.repo).unwrap_or_default();
        let (stopped, cancelled) = self.wait_for(&repo_id, self.watch(&stopping), &InstanceState::Stopped, cancel).await;
        let mut ready = Vec::new();
        for (r, report) in stopping.into_iter().zip(stopped) {
            let index = r.target.index;
            match (report.outcome, cancelled) {
                (Outcome::Ready, false) => ready.push(r),
                (Outcome::Ready, true) => reports[index] = Some(NodeReport::new(&r.target.node, Outcome::Cancelled).with_instance(Some(&r.target.instance_id))),
                _ => reports[index] = Some(report),
            }
        }

        // Swap the volumes, several nodes at once. Futures built in a loop, not by a closure
        // returning them, so the operation's future stays Send.
        let mut swaps = Vec::with_capacity(ready.len());
        for r in ready {
            let run_id = run.as_str();
            swaps.push(async move { self.swap_volumes(r, run_id).await });
        }
        let swapped: Vec<Result<Revert, Undone>> = stream::iter(swaps).buffer_unordered(REVERT_CONCURRENCY).collect().await;
        let mut started = Vec::new();
        for result in swapped {
            match result {
                Ok(r) => started.push(r),
                Err(undone) => {
                    let index = targets.iter().find(|t| t.node == undone.report.node).map(|t| t.index);
                    if let Some(i) = index {
                        reports[i] = Some(undone.report);
                    }
                }
            }
        }

        // Start them and wait until they run (their new addresses are saved), then the old
        // volumes go.
        let mut start: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for r in &started {
            start.entry(r.target.region.clone()).or_default().push(r.target.instance_id.clone());
        }
        let mut refused: HashMap<String, CloudError> = HashMap::new();
        for (region, ids) in &start {
            if let Err(e) = self.provider.start(region, ids).await {
                for id in ids {
                    refused.insert(id.clone(), e.clone());
                }
            }
        }
        let (starting, not_started): (Vec<Revert>, Vec<Revert>) = started.into_iter().partition(|r| !refused.contains_key(&r.target.instance_id));
        for r in not_started {
            let e = &refused[&r.target.instance_id];
            reports[r.target.index] = Some(self.fail(&r.target.node, Some(&r.target.instance_id), &swapped_not_started(&r, &name, &e.to_string())));
        }
        // The instances must come back whatever was asked meanwhile: not cancellable.
        let (running, _) = self.wait_for(&repo_id, self.watch(&starting), &InstanceState::Running, &CancellationToken::new()).await;
        for (r, report) in starting.into_iter().zip(running) {
            if report.outcome != Outcome::Ready {
                let why = report.error.as_ref().map_or_else(|| "it did not reach 'running'".to_owned(), |e| e.message.clone());
                reports[r.target.index] = Some(self.fail(&r.target.node, Some(&r.target.instance_id), &swapped_not_started(&r, &name, &why)));
                continue;
            }
            for swap in &r.swaps {
                let Some(old) = &swap.old else { continue };
                match self.provider.delete_volume(&r.target.region, &old.volume_id).await {
                    Ok(()) => self.progress(&r.target, SnapshotStep::VolumeDeleted, Some(&swap.device), Some(&old.volume_id), None),
                    Err(e) => self.emit(EngineEvent::Warning {
                        node: Some(r.target.node.clone()),
                        code: e.code(),
                        message: format!("reverted, but its old volume {} (was {}) could not be deleted ({e}); delete it by hand", old.volume_id, swap.device),
                    }),
                }
            }
            reports[r.target.index] = Some(NodeReport::new(&r.target.node, Outcome::Reverted).with_instance(Some(&r.target.instance_id)).with_state(InstanceState::Running));
        }
        Ok(self.finish(operation, reports.into_iter().flatten().collect(), cancelled || cancel.is_cancelled()))
    }

    /// The plan of a snapshot operation, made from one describe per region: reports for the
    /// nodes it leaves alone or refuses, and the nodes it acts on.
    async fn snapshot_targets(&self, operation: Operation, selection: &Selection) -> Result<(Vec<Option<NodeReport>>, Vec<Target>), EngineError> {
        let tree = self.repo.tree()?;
        let nodes = selection.select(&tree)?;
        self.emit(EngineEvent::OperationStarted { operation, nodes: nodes.len() as u32 });
        let (facts, failed) = self.instance_facts(&nodes).await;
        let plan = plan_selected(&nodes, operation, &self.plan_options(false), &facts);
        let mut reports: Vec<Option<NodeReport>> = vec![None; plan.nodes.len()];
        let mut targets = Vec::new();
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
                    Some(NodeReport::new(name, Outcome::Skipped).with_instance(id))
                }
                Step::Refuse { error } => {
                    let report = self.fail(name, id, &EngineIssue::from_payload(error));
                    Some(match node.state {
                        Some(state) => report.with_state(state),
                        None => report,
                    })
                }
                _ => {
                    let region = node.region.clone().unwrap_or_default();
                    match failed.get(&region) {
                        Some(e) if operation != Operation::RemoveSnapshot => Some(self.fail(name, id, e)),
                        _ => {
                            let instance_id = id.unwrap_or_default().to_owned();
                            targets.push(Target { index: i, node: name.clone(), instance_id, region, state: node.state });
                            None
                        }
                    }
                }
            };
        }
        Ok((reports, targets))
    }

    /// For each target of a region: its volumes, the snapshot each device reverts to, and the
    /// old volumes' type (one DescribeInstances, two DescribeSnapshots and one DescribeVolumes).
    async fn revert_plans(&self, region: &str, targets: &[Target], name: &str) -> Result<Vec<(Target, Result<Revert, EngineIssue>)>, CloudError> {
        let ids: Vec<String> = targets.iter().map(|t| t.instance_id.clone()).collect();
        let volumes = self.provider.instance_volumes(region, &ids).await?;
        let snapshots = self.provider.instance_snapshots(region, &ids, Some(name)).await?;
        let old_ids: Vec<String> = volumes.iter().flat_map(|v| v.volumes.iter().map(|a| a.volume_id.clone())).collect();
        let old_info = self.provider.describe_volumes(region, &old_ids).await?;
        let found = Found { volumes: &volumes, snapshots: &snapshots, old_info: &old_info };
        Ok(targets.iter().map(|t| (t.clone(), revert_plan(t, &found, name))).collect())
    }

    /// What a wait watches for these reverts: no status checks (poni 0.8 waited for the
    /// state alone), `ops_timeout` each.
    fn watch(&self, reverts: &[Revert]) -> Vec<Watched> {
        reverts
            .iter()
            .map(|r| Watched {
                node: r.target.node.clone(),
                region: r.target.region.clone(),
                instance_id: r.target.instance_id.clone(),
                timeout: self.options.ops_timeout,
                known: None,
                check_health: false,
            })
            .collect()
    }

    /// One stopped node's volumes swapped: new volumes made and ready, the old detached, the
    /// new attached at the same devices. On failure everything done is undone as far as EC2
    /// lets it, and the report says where each volume is.
    async fn swap_volumes(&self, mut r: Revert, run: &str) -> Result<Revert, Undone> {
        let t = r.target.clone();
        let region = t.region.as_str();
        // New volumes from the snapshots, in the instance's zone.
        let mut made: Vec<Option<String>> = Vec::with_capacity(r.swaps.len());
        let mut failure: Option<String> = None;
        for swap in &r.swaps {
            let tags = volume_tags(&t, &swap.device, &swap.snapshot_id);
            let token = volume_token(run, &t.instance_id, &swap.device);
            let info = swap.old_info.as_ref();
            let request = NewVolume {
                snapshot_id: &swap.snapshot_id,
                zone: &r.zone,
                volume_type: info.and_then(|i| i.volume_type.as_deref()),
                iops: info.filter(|i| keeps_iops(i)).and_then(|i| i.iops),
                throughput: info.filter(|i| i.volume_type.as_deref() == Some("gp3")).and_then(|i| i.throughput),
                tags: &tags,
                client_token: &token,
            };
            match self.provider.create_volume(region, &request).await {
                Ok(volume) => {
                    self.progress(&t, SnapshotStep::VolumeCreated, Some(&swap.device), Some(&volume.id), Some(&swap.snapshot_id));
                    made.push(Some(volume.id));
                }
                Err(e) => {
                    failure = Some(e.to_string());
                    break;
                }
            }
        }
        for (swap, id) in r.swaps.iter_mut().zip(made) {
            swap.new_volume = id;
        }
        if let Some(why) = failure {
            return Err(self.undo(r, "making a volume from the snapshot", &why).await);
        }
        let new_ids: Vec<String> = r.swaps.iter().filter_map(|s| s.new_volume.clone()).collect();
        if let Err(issue) = self.wait_volumes(region, &new_ids, |v| v.state == "available", "to be made").await {
            return Err(self.undo(r, "waiting for the new volumes", &issue.message).await);
        }
        // The old volumes off.
        let mut failure: Option<String> = None;
        for swap in r.swaps.iter_mut() {
            let Some(old) = swap.old.clone() else { continue };
            match self.provider.detach_volume(region, &old.volume_id, &t.instance_id).await {
                Ok(()) => swap.old_detached = true,
                Err(e) => {
                    failure = Some(e.to_string());
                    break;
                }
            }
        }
        if let Some(why) = failure {
            return Err(self.undo(r, "detaching the old volumes", &why).await);
        }
        let old_ids: Vec<String> = r.swaps.iter().filter_map(|s| s.old.as_ref().map(|o| o.volume_id.clone())).collect();
        if let Err(issue) = self.wait_volumes(region, &old_ids, |v| v.state == "available", "to detach").await {
            return Err(self.undo(r, "waiting for the old volumes to detach", &issue.message).await);
        }
        for swap in &r.swaps {
            if let Some(old) = &swap.old {
                self.progress(&t, SnapshotStep::VolumeDetached, Some(&swap.device), Some(&old.volume_id), None);
            }
        }
        // The new volumes on, at the same devices.
        let mut failure: Option<String> = None;
        for swap in r.swaps.iter_mut() {
            let (volume, device) = (swap.new_volume.clone().unwrap_or_default(), swap.device.clone());
            match self.provider.attach_volume(region, &volume, &t.instance_id, &device).await {
                Ok(()) => swap.new_attached = true,
                Err(e) => {
                    failure = Some(e.to_string());
                    break;
                }
            }
        }
        if let Some(why) = failure {
            return Err(self.undo(r, "attaching the new volumes", &why).await);
        }
        let instance = t.instance_id.clone();
        if let Err(issue) = self.wait_volumes(region, &new_ids, |v| v.state == "in-use" && v.attached_to(&instance), "to attach").await {
            return Err(self.undo(r, "waiting for the new volumes to attach", &issue.message).await);
        }
        for swap in &r.swaps {
            self.progress(&t, SnapshotStep::VolumeAttached, Some(&swap.device), swap.new_volume.as_deref(), Some(&swap.snapshot_id));
            // AttachVolume leaves DeleteOnTermination off; the volume it replaces had it on.
            if swap.old.as_ref().is_some_and(|o| o.delete_on_termination) {
                if let Err(e) = self.provider.set_delete_on_termination(region, &t.instance_id, &swap.device, true).await {
                    self.emit(EngineEvent::Warning {
                        node: Some(t.node.clone()),
                        code: e.code(),
                        message: format!("the new volume at {} is not deleted with the instance ({e}); the old one was", swap.device),
                    });
                }
            }
        }
        Ok(r)
    }

    /// Puts a node back as it was before a failed swap, as far as EC2 lets it: new volumes
    /// detached and deleted, old ones attached again, the instance started if it ran. The
    /// report says which step failed, why, and where each volume is now.
    async fn undo(&self, r: Revert, step: &str, why: &str) -> Undone {
        let t = &r.target;
        let region = t.region.as_str();
        let mut left: Vec<String> = Vec::new();
        let attached: Vec<&Swap> = r.swaps.iter().filter(|s| s.new_attached).collect();
        for swap in &attached {
            let volume = swap.new_volume.as_deref().unwrap_or_default();
            if let Err(e) = self.provider.detach_volume(region, volume, &t.instance_id).await {
                left.push(format!("new volume {volume} could not be detached from {} ({e})", swap.device));
            }
        }
        let detaching: Vec<String> = attached.iter().filter_map(|s| s.new_volume.clone()).collect();
        let detached = self.wait_volumes(region, &detaching, |v| v.state == "available", "to detach").await.is_ok();
        if !detached && !detaching.is_empty() {
            left.push(format!("new volume(s) {} did not detach", detaching.join(", ")));
        }
        let mut reattached = Vec::new();
        for swap in r.swaps.iter().filter(|s| s.old_detached) {
            let Some(old) = &swap.old else { continue };
            if !detached {
                left.push(format!("old volume {} is detached: attach it at {} by hand", old.volume_id, swap.device));
                continue;
            }
            match self.provider.attach_volume(region, &old.volume_id, &t.instance_id, &swap.device).await {
                Ok(()) => reattached.push(old.volume_id.clone()),
                Err(e) => left.push(format!("old volume {} could not be attached again at {} ({e}): attach it by hand", old.volume_id, swap.device)),
            }
        }
        let instance = t.instance_id.clone();
        if self.wait_volumes(region, &reattached, |v| v.attached_to(&instance), "to attach").await.is_err() {
            left.push(format!("old volume(s) {} did not attach again in time", reattached.join(", ")));
        }
        // Attached again, an old volume has DeleteOnTermination off: as it was, where it was on.
        for swap in r.swaps.iter().filter(|s| s.old.as_ref().is_some_and(|o| o.delete_on_termination && reattached.contains(&o.volume_id))) {
            if let Err(e) = self.provider.set_delete_on_termination(region, &t.instance_id, &swap.device, true).await {
                self.emit(EngineEvent::Warning {
                    node: Some(t.node.clone()),
                    code: e.code(),
                    message: format!("the volume at {} is attached again but no longer deleted with the instance ({e})", swap.device),
                });
            }
        }
        // A volume still being made cannot be deleted yet.
        let made: Vec<String> = r.swaps.iter().filter(|s| !s.new_attached).filter_map(|s| s.new_volume.clone()).collect();
        let _ = self.wait_volumes(region, &made, |v| v.state != "creating", "to be made").await;
        for swap in &r.swaps {
            let Some(volume) = &swap.new_volume else { continue };
            if swap.new_attached && !detached {
                continue;
            }
            match self.provider.delete_volume(region, volume).await {
                Ok(()) => self.progress(t, SnapshotStep::VolumeDeleted, Some(&swap.device), Some(volume), Some(&swap.snapshot_id)),
                Err(e) => left.push(format!("new volume {volume} could not be deleted ({e})")),
            }
        }
        let restored = left.is_empty();
        let mut started = false;
        if restored && r.was_running {
            started = self.provider.start(region, std::slice::from_ref(&t.instance_id)).await.is_ok();
        }
        let state = match (restored, started) {
            (true, true) => "its old volumes are attached as before, the new ones deleted, and the instance is starting again".to_owned(),
            (true, false) if r.was_running => "its old volumes are attached as before and the new ones deleted, but the instance could not be started: start it".to_owned(),
            (true, false) => "its old volumes are attached as before and the new ones deleted; the instance stays stopped".to_owned(),
            (false, _) => format!("the instance stays stopped and not all could be put back: {}", left.join("; ")),
        };
        let issue = EngineIssue::new(
            ErrorCode::CloudRevertFailed,
            format!("reverting {} (instance {}) failed while {step}: {why}. {}", t.node, t.instance_id, capitalized(&state)),
        );
        Undone { report: self.fail(&t.node, Some(&t.instance_id), &issue) }
    }

    /// Polls these volumes (one DescribeVolumes a round) until each is `ready`, for at most
    /// `ops_timeout`. A volume EC2 no longer lists is not ready.
    async fn wait_volumes(&self, region: &str, ids: &[String], ready: impl Fn(&VolumeInfo) -> bool, what: &str) -> Result<(), EngineIssue> {
        if ids.is_empty() {
            return Ok(());
        }
        let started = Instant::now();
        let mut interval = self.options.poll.first;
        loop {
            let seen = self.provider.describe_volumes(region, ids).await.map_err(|e| EngineIssue::new(e.code(), e.to_string()))?;
            let waiting: Vec<&String> = ids.iter().filter(|id| !seen.iter().any(|v| &v.id == *id && ready(v))).collect();
            if waiting.is_empty() {
                return Ok(());
            }
            if started.elapsed() >= self.options.ops_timeout {
                let states: Vec<String> = waiting
                    .iter()
                    .map(|id| format!("{id} is '{}'", seen.iter().find(|v| &v.id == *id).map_or("gone", |v| v.state.as_str())))
                    .collect();
                return Err(EngineIssue::new(
                    ErrorCode::CloudWaitTimeout,
                    format!("the volumes did not get {what} within {} s ({})", secs(self.options.ops_timeout), states.join(", ")),
                ));
            }
            tokio::time::sleep(interval.min(self.options.ops_timeout.saturating_sub(started.elapsed())).max(Duration::from_millis(50))).await;
            interval = self.options.poll.next(interval, false);
        }
    }

    /// Polls these snapshots (one DescribeSnapshots per region a round) until none is pending,
    /// `snapshot_timeout` runs out, or the operation is cancelled. Returns each one's last
    /// state (a failed poll leaves them pending) and whether it was cancelled.
    async fn wait_snapshots(&self, mut pending: BTreeMap<String, Vec<String>>, cancel: &CancellationToken) -> (HashMap<String, SnapshotState>, bool) {
        let mut states: HashMap<String, SnapshotState> = HashMap::new();
        let started = Instant::now();
        let mut interval = self.options.poll.first;
        loop {
            for (region, ids) in pending.iter_mut() {
                match self.provider.snapshots_by_id(region, ids).await {
                    Ok(seen) => {
                        for s in seen {
                            states.insert(s.id.clone(), s.state);
                        }
                    }
                    Err(e) => self.emit(EngineEvent::Warning { node: None, code: e.code(), message: format!("reading snapshot states in {region} failed: {e}") }),
                }
                ids.retain(|id| matches!(states.get(id), None | Some(SnapshotState::Pending)));
            }
            pending.retain(|_, ids| !ids.is_empty());
            if pending.is_empty() || started.elapsed() >= self.options.snapshot_timeout {
                return (states, false);
            }
            let pause = interval.min(self.options.snapshot_timeout.saturating_sub(started.elapsed())).max(Duration::from_millis(50));
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                _ = cancel.cancelled() => return (states, true),
            }
            interval = self.options.poll.next(interval, false);
        }
    }

    /// Deletes snapshots of a node (replaced ones, or a set that could not be completed);
    /// failures are warnings naming the snapshot.
    async fn delete_snapshots(&self, t: &Target, snapshots: &[SnapshotInfo]) {
        for s in snapshots {
            match self.provider.delete_snapshot(&t.region, &s.id).await {
                Ok(()) => self.progress(t, SnapshotStep::SnapshotDeleted, s.device(), s.volume_id.as_deref(), Some(&s.id)),
                Err(e) => self.emit(EngineEvent::Warning {
                    node: Some(t.node.clone()),
                    code: e.code(),
                    message: format!("snapshot {} could not be deleted ({e}); delete it by hand", s.id),
                }),
            }
        }
    }

    fn progress(&self, t: &Target, step: SnapshotStep, device: Option<&str>, volume_id: Option<&str>, snapshot_id: Option<&str>) {
        self.emit(EngineEvent::SnapshotProgress {
            node: t.node.clone(),
            instance_id: t.instance_id.clone(),
            step,
            device: device.map(str::to_owned),
            volume_id: volume_id.map(str::to_owned),
            snapshot_id: snapshot_id.map(str::to_owned),
        });
    }
}

/// What a region's describes said, for planning its reverts.
struct Found<'a> {
    volumes: &'a [InstanceVolumes],
    snapshots: &'a [SnapshotInfo],
    old_info: &'a [VolumeInfo],
}

/// One node's revert: its volumes, the snapshot each device reverts to, the old volumes' type.
fn revert_plan(t: &Target, found: &Found<'_>, name: &str) -> Result<Revert, EngineIssue> {
    let instance = found.volumes.iter().find(|v| v.instance_id == t.instance_id).ok_or_else(|| not_found(t))?;
    ebs_volumes(t, instance)?;
    let zone = instance
        .zone
        .clone()
        .ok_or_else(|| EngineIssue::new(ErrorCode::CloudBadResponse, format!("EC2 did not say which zone instance {} is in", t.instance_id)))?;
    let mine: Vec<&SnapshotInfo> = found.snapshots.iter().filter(|s| s.instance_id() == Some(t.instance_id.as_str())).collect();
    let chosen = latest_by_device(&mine, instance.root_device.as_deref());
    if chosen.is_empty() {
        let pending = mine.iter().filter(|s| s.state == SnapshotState::Pending).count();
        return Err(match pending {
            0 => no_snapshot(t, name),
            n => EngineIssue::new(
                ErrorCode::CloudSnapshotNotFound,
                format!("{} (instance {}) has {n} snapshot(s) named '{name}', none complete yet: wait for them and revert again", t.node, t.instance_id),
            ),
        });
    }
    let swaps = chosen
        .into_iter()
        .map(|(device, snapshot)| {
            let old = instance.at(&device).cloned();
            let old_info = old.as_ref().and_then(|o| found.old_info.iter().find(|v| v.id == o.volume_id).cloned());
            Swap { device, snapshot_id: snapshot.id, old, old_info, new_volume: None, old_detached: false, new_attached: false }
        })
        .collect();
    let was_running = matches!(instance.state, InstanceState::Running | InstanceState::Pending);
    Ok(Revert { target: t.clone(), zone, was_running, swaps })
}

/// Targets by region, in plan order within each.
fn by_region(targets: &[Target]) -> BTreeMap<String, Vec<Target>> {
    let mut out: BTreeMap<String, Vec<Target>> = BTreeMap::new();
    for t in targets {
        out.entry(t.region.clone()).or_default().push(t.clone());
    }
    out
}

fn not_found(t: &Target) -> EngineIssue {
    EngineIssue::new(
        ErrorCode::CloudInstanceNotFound,
        format!("instance {} of {} does not exist in {} (terminated long ago, or launched with other credentials)", t.instance_id, t.node, t.region),
    )
}

fn no_snapshot(t: &Target, name: &str) -> EngineIssue {
    EngineIssue::new(
        ErrorCode::CloudSnapshotNotFound,
        format!("{} (instance {}) has no snapshot named '{name}'; `poni cloud snapshots {}` lists the ones it has", t.node, t.instance_id, crate::shell::word(&t.node)),
    )
}

/// The instance's EBS volumes, or why it has none to snapshot.
fn ebs_volumes(t: &Target, instance: &InstanceVolumes) -> Result<(), EngineIssue> {
    if !instance.ebs_backed || instance.volumes.is_empty() {
        return Err(EngineIssue::new(
            ErrorCode::CloudNoVolumes,
            format!(
                "instance {} of {} is not EBS-backed (its root device is instance store): it has no volume to snapshot or revert",
                t.instance_id, t.node
            ),
        ));
    }
    Ok(())
}

/// Tags of a new snapshot: Poni's, and poni 0.8's on the root volume's.
fn snapshot_tags(name: &str, t: &Target, device: &str, root: bool, repo_id: Option<&str>) -> BTreeMap<String, String> {
    let mut tags = BTreeMap::from([
        (TAG_SNAPSHOT.to_owned(), name.to_owned()),
        (TAG_NODE.to_owned(), t.node.clone()),
        (TAG_INSTANCE.to_owned(), t.instance_id.clone()),
        (TAG_DEVICE.to_owned(), device.to_owned()),
        (TAG_NAME.to_owned(), name.to_owned()),
    ]);
    if let Some(repo) = repo_id.filter(|r| !r.is_empty()) {
        tags.insert(TAG_REPO.to_owned(), repo.to_owned());
    }
    if root {
        tags.insert(TAG_PONI08_ORIGINAL_INSTANCE.to_owned(), t.instance_id.clone());
    }
    tags
}

/// Tags of a volume made by a revert.
fn volume_tags(t: &Target, device: &str, snapshot_id: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        (TAG_NODE.to_owned(), t.node.clone()),
        (TAG_INSTANCE.to_owned(), t.instance_id.clone()),
        (TAG_DEVICE.to_owned(), device.to_owned()),
        (TAG_SNAPSHOT.to_owned(), snapshot_id.to_owned()),
    ])
}

/// For each device, the newest completed snapshot; poni 0.8's (no device tag) count for the
/// root device, and Poni's own win over them when both are there.
fn latest_by_device(snapshots: &[&SnapshotInfo], root_device: Option<&str>) -> Vec<(String, SnapshotInfo)> {
    let mut chosen: BTreeMap<String, (bool, SnapshotInfo)> = BTreeMap::new();
    for s in snapshots.iter().filter(|s| s.state == SnapshotState::Completed) {
        let (device, ours) = match (s.device(), root_device) {
            (Some(device), _) => (device.to_owned(), true),
            (None, Some(root)) => (root.to_owned(), false),
            (None, None) => continue,
        };
        let better = match chosen.get(&device) {
            None => true,
            Some((was_ours, was)) => (ours, s.start_time.as_deref()) > (*was_ours, was.start_time.as_deref()),
        };
        if better {
            chosen.insert(device, (ours, (*s).clone()));
        }
    }
    chosen.into_iter().map(|(device, (_, s))| (device, s)).collect()
}

/// Volume types whose IOPS are set, not derived from the size.
fn keeps_iops(v: &VolumeInfo) -> bool {
    matches!(v.volume_type.as_deref(), Some("io1" | "io2" | "gp3"))
}

/// One revert run's stem for CreateVolume tokens: retries within the run make one volume, a
/// later revert to the same snapshot makes new ones.
fn revert_run_id(repo: &str, now: &str) -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("{repo}:{now}:{nanos}:{}", std::process::id())
}

/// CreateVolume's ClientToken (at most 64 ASCII characters).
fn volume_token(run: &str, instance_id: &str, device: &str) -> String {
    let mut hash = Sha256::new();
    hash.update(format!("{}:{run}:{}:{instance_id}:{device}", run.len(), instance_id.len()).as_bytes());
    let digest = hash.finalize();
    let hex: String = digest[..24].iter().map(|b| format!("{b:02x}")).collect();
    format!("poni-v{hex}")
}

/// The error of a node whose volumes were swapped but whose instance did not run again.
fn swapped_not_started(r: &Revert, name: &str, why: &str) -> EngineIssue {
    let old: Vec<String> = r.swaps.iter().filter_map(|s| s.old.as_ref().map(|o| format!("{} (was {})", o.volume_id, s.device))).collect();
    let kept = match old.is_empty() {
        true => String::new(),
        false => format!("; the old volumes are kept, detached: {}", old.join(", ")),
    };
    EngineIssue::new(
        ErrorCode::CloudRevertFailed,
        format!("the volumes of {} (instance {}) are now those of snapshot '{name}', but it did not start again: {why}{kept}", r.target.node, r.target.instance_id),
    )
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(id: &str, device: Option<&str>, start: &str, state: SnapshotState) -> SnapshotInfo {
        let mut tags = BTreeMap::from([(TAG_SNAPSHOT.to_owned(), "s".to_owned())]);
        if let Some(d) = device {
            tags.insert(TAG_DEVICE.to_owned(), d.to_owned());
        }
        SnapshotInfo { id: id.into(), volume_id: None, state, start_time: Some(start.into()), description: None, size_gib: None, tags }
    }

    #[test]
    fn names_are_trimmed_text_of_a_tags_length() {
        assert_eq!(snapshot_name("  before upgrade ").unwrap(), "before upgrade");
        for bad in ["", "   ", "a\u{1b}[2Jb", "tab\there"] {
            let e = snapshot_name(bad).unwrap_err();
            assert_eq!(e.code(), ErrorCode::InputInvalidName, "{bad:?}");
            assert!(!e.to_string().contains('\u{1b}'), "{e}");
        }
        assert!(snapshot_name(&"x".repeat(SNAPSHOT_NAME_MAX)).is_ok());
        assert!(snapshot_name(&"x".repeat(SNAPSHOT_NAME_MAX + 1)).is_err());
        assert!(EngineError::Input(ErrorPayload::new(ErrorCode::InputInvalidName, "x")).is_bad_input());
    }

    #[test]
    fn each_device_reverts_to_its_newest_completed_snapshot() {
        let a = snapshot("snap-a", Some("/dev/xvda"), "2024-01-01T00:00:00Z", SnapshotState::Completed);
        let b = snapshot("snap-b", Some("/dev/xvda"), "2024-02-01T00:00:00Z", SnapshotState::Completed);
        let pending = snapshot("snap-p", Some("/dev/xvda"), "2024-03-01T00:00:00Z", SnapshotState::Pending);
        let data = snapshot("snap-d", Some("/dev/sdf"), "2024-01-01T00:00:00Z", SnapshotState::Completed);
        let old = snapshot("snap-08", None, "2025-01-01T00:00:00Z", SnapshotState::Completed);
        let chosen = latest_by_device(&[&a, &b, &pending, &data, &old], Some("/dev/xvda"));
        let ids: Vec<(&str, &str)> = chosen.iter().map(|(d, s)| (d.as_str(), s.id.as_str())).collect();
        assert_eq!(ids, [("/dev/sdf", "snap-d"), ("/dev/xvda", "snap-b")], "Poni's own win over poni 0.8's, the pending one waits");
        let only_old = latest_by_device(&[&old], Some("/dev/sda1"));
        assert_eq!(only_old[0].0, "/dev/sda1", "poni 0.8's snapshot is of the root device");
        assert!(latest_by_device(&[&old], None).is_empty());
    }

    #[test]
    fn tags_let_poni_and_poni_08_find_the_snapshot() {
        let t = Target { index: 0, node: "web/1".into(), instance_id: "i-1".into(), region: "us-east-1".into(), state: None };
        let root = snapshot_tags("nightly", &t, "/dev/xvda", true, Some("r-1"));
        assert_eq!(root.get(TAG_SNAPSHOT).map(String::as_str), Some("nightly"));
        assert_eq!(root.get(TAG_DEVICE).map(String::as_str), Some("/dev/xvda"));
        assert_eq!(root.get(TAG_REPO).map(String::as_str), Some("r-1"));
        assert_eq!(root.get(TAG_PONI08_ORIGINAL_INSTANCE).map(String::as_str), Some("i-1"));
        assert_eq!(root.get(TAG_NAME).map(String::as_str), Some("nightly"));
        let data = snapshot_tags("nightly", &t, "/dev/sdf", false, None);
        assert!(data.get(TAG_PONI08_ORIGINAL_INSTANCE).is_none(), "poni 0.8 would take it for the root volume");
        assert!(data.get(TAG_REPO).is_none());
    }

    #[test]
    fn volume_tokens_differ_per_run_and_device_and_fit_ec2() {
        let a = volume_token("run-1", "i-1", "/dev/xvda");
        assert_eq!(a, volume_token("run-1", "i-1", "/dev/xvda"));
        assert_ne!(a, volume_token("run-2", "i-1", "/dev/xvda"));
        assert_ne!(a, volume_token("run-1", "i-1", "/dev/sdf"));
        assert!(a.len() <= 64 && a.is_ascii(), "{a}");
    }

    #[test]
    fn ops_timeout_reads_poni_08s_variable() {
        assert_eq!(super::super::ops_timeout_from(Some("600")), Duration::from_secs(600));
        for bad in [None, Some(""), Some("soon"), Some("0"), Some("-5")] {
            assert_eq!(super::super::ops_timeout_from(bad), Duration::from_secs(300), "{bad:?}");
        }
    }
}
