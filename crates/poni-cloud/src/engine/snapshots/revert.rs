//! `cloud revert-to-snapshot`: each node's instance stopped, its volumes swapped for new ones
//! made from the named snapshot (in the instance's zone, with the old volume's type, IOPS,
//! throughput and DeleteOnTermination), started; the old volumes are deleted once it runs
//! again. A step that fails is undone as far as EC2 lets it (`undo`): new volumes
//! detached and deleted, the old ones attached again, the instance started if it ran; the
//! error names the step and every volume that could not be put back.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use futures_util::stream::{self, StreamExt};
use poni_repo::ErrorCode;
use sha2::{Digest, Sha256};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::{by_region, ebs_volumes, no_snapshot, not_found, snapshot_name, Target};
use crate::aws::snapshots::NewVolume;
use crate::aws::{
    AttachedVolume, CloudError, InstanceState, InstanceVolumes, SnapshotInfo, SnapshotState, VolumeInfo, TAG_DEVICE, TAG_INSTANCE, TAG_NODE, TAG_SNAPSHOT,
};
use crate::engine::events::{EngineEvent, Operation, SnapshotStep};
use crate::engine::report::{EngineError, NodeReport, OperationReport, Outcome};
use crate::engine::wait::Watched;
use crate::engine::{identity, now_rfc3339, secs, Engine, EngineIssue};
use crate::error::Coded;
use crate::plan::Selection;

/// Nodes whose volumes are swapped at once (each waits on its own volumes).
const REVERT_CONCURRENCY: usize = 8;

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
            reports[r.target.index] =
                Some(NodeReport::new(&r.target.node, Outcome::Reverted).with_instance(Some(&r.target.instance_id)).with_state(InstanceState::Running));
        }
        Ok(self.finish(operation, reports.into_iter().flatten().collect(), cancelled || cancel.is_cancelled()))
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
            (true, false) if r.was_running => {
                "its old volumes are attached as before and the new ones deleted, but the instance could not be started: start it".to_owned()
            }
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
                let states: Vec<String> =
                    waiting.iter().map(|id| format!("{id} is '{}'", seen.iter().find(|v| &v.id == *id).map_or("gone", |v| v.state.as_str()))).collect();
                return Err(EngineIssue::new(
                    ErrorCode::CloudWaitTimeout,
                    format!("the volumes did not get {what} within {} s ({})", secs(self.options.ops_timeout), states.join(", ")),
                ));
            }
            tokio::time::sleep(interval.min(self.options.ops_timeout.saturating_sub(started.elapsed())).max(Duration::from_millis(50))).await;
            interval = self.options.poll.next(interval, false);
        }
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
        format!(
            "the volumes of {} (instance {}) are now those of snapshot '{name}', but it did not start again: {why}{kept}",
            r.target.node, r.target.instance_id
        ),
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
    fn volume_tokens_differ_per_run_and_device_and_fit_ec2() {
        let a = volume_token("run-1", "i-1", "/dev/xvda");
        assert_eq!(a, volume_token("run-1", "i-1", "/dev/xvda"));
        assert_ne!(a, volume_token("run-2", "i-1", "/dev/xvda"));
        assert_ne!(a, volume_token("run-1", "i-1", "/dev/sdf"));
        assert!(a.len() <= 64 && a.is_ascii(), "{a}");
    }
}
