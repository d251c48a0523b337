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
//! - revert ([`revert`]): stop the instance, make a new volume from each snapshot in the instance's zone
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

use poni_repo::ErrorCode;
use serde::Serialize;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use super::events::{EngineEvent, Operation, SnapshotStep};
use super::report::{EngineError, NodeReport, OperationReport, Outcome};
use super::{identity, secs, Engine, EngineIssue};
use crate::aws::{
    InstanceState, InstanceVolumes, SnapshotInfo, SnapshotState, TAG_DEVICE, TAG_INSTANCE, TAG_NAME, TAG_NODE, TAG_PONI08_ORIGINAL_INSTANCE, TAG_REPO,
    TAG_SNAPSHOT,
};
use crate::error::{Coded, ErrorPayload};
use crate::plan::{plan_selected, Selection, SkipReason, Step};

mod revert;

/// EC2 takes tag values of up to 256 characters; a name is one.
pub const SNAPSHOT_NAME_MAX: usize = 255;

/// A snapshot name as `create-snapshot` takes it: trimmed, not empty, at most 255 characters,
/// no control characters (it becomes a tag value, shown in consoles and terminals).
pub fn snapshot_name(name: &str) -> Result<String, EngineError> {
    let trimmed = name.trim();
    let bad =
        |why: &str| EngineError::Input(ErrorPayload::new(ErrorCode::InputInvalidName, format!("'{}' is not a snapshot name: {why}", trimmed.escape_debug())));
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
    /// Its name (`poni:snapshot`, or poni 0.8's `Name`), as revert and remove take it.
    pub name: Option<String>,
    /// The device its volume was at; null for poni 0.8's (the root device).
    pub device: Option<String>,
    pub snapshot: SnapshotInfo,
}

impl NodeSnapshot {
    pub fn new(node: &str, instance_id: &str, snapshot: &SnapshotInfo) -> NodeSnapshot {
        NodeSnapshot {
            node: node.to_owned(),
            instance_id: instance_id.to_owned(),
            name: snapshot.name().map(str::to_owned),
            device: snapshot.device().map(str::to_owned),
            snapshot: snapshot.clone(),
        }
    }
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

impl Engine {
    /// `cloud create-snapshot`: a snapshot named `name` of every EBS volume of each selected
    /// node's instance, waited for until complete; then the node's older snapshots of that
    /// name are deleted.
    pub async fn create_snapshot(
        &self,
        selection: &Selection,
        name: &str,
        description: Option<&str>,
        cancel: &CancellationToken,
    ) -> Result<OperationReport, EngineError> {
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
            if let Some(bad) = started.iter().find(|s| state_of(s) == SnapshotState::Error) {
                let issue = EngineIssue::new(
                    ErrorCode::CloudSnapshotFailed,
                    format!(
                        "EC2 could not make snapshot {} of {} (instance {}); the snapshots of '{name}' made before are kept",
                        bad.id, t.node, t.instance_id
                    ),
                );
                self.delete_snapshots(&t, &started).await;
                reports[t.index] = Some(self.fail(&t.node, Some(&t.instance_id), &issue));
                continue;
            }
            if let Some(slow) = started.iter().find(|s| state_of(s) != SnapshotState::Completed) {
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
                            snapshots.push((*i, NodeSnapshot::new(node, id, s)));
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
                    Err(e) => {
                        self.emit(EngineEvent::Warning { node: None, code: e.code(), message: format!("reading snapshot states in {region} failed: {e}") })
                    }
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
        format!(
            "{} (instance {}) has no snapshot named '{name}'; `poni cloud snapshots {}` lists the ones it has",
            t.node,
            t.instance_id,
            crate::shell::word(&t.node)
        ),
    )
}

/// The instance's EBS volumes, or why it has none to snapshot.
fn ebs_volumes(t: &Target, instance: &InstanceVolumes) -> Result<(), EngineIssue> {
    if !instance.ebs_backed || instance.volumes.is_empty() {
        return Err(EngineIssue::new(
            ErrorCode::CloudNoVolumes,
            format!("instance {} of {} is not EBS-backed (its root device is instance store): it has no volume to snapshot or revert", t.instance_id, t.node),
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn tags_let_poni_and_poni_08_find_the_snapshot() {
        let t = Target { index: 0, node: "web/1".into(), instance_id: "i-1".into(), region: "us-east-1".into(), state: None };
        let root = snapshot_tags("nightly", &t, "/dev/xvda", true, Some("r-1"));
        assert_eq!(root.get(TAG_SNAPSHOT).map(String::as_str), Some("nightly"));
        assert_eq!(root.get(TAG_DEVICE).map(String::as_str), Some("/dev/xvda"));
        assert_eq!(root.get(TAG_REPO).map(String::as_str), Some("r-1"));
        assert_eq!(root.get(TAG_PONI08_ORIGINAL_INSTANCE).map(String::as_str), Some("i-1"));
        assert_eq!(root.get(TAG_NAME).map(String::as_str), Some("nightly"));
        let data = snapshot_tags("nightly", &t, "/dev/sdf", false, None);
        assert!(!data.contains_key(TAG_PONI08_ORIGINAL_INSTANCE), "poni 0.8 would take it for the root volume");
        assert!(!data.contains_key(TAG_REPO));
    }

    #[test]
    fn a_listed_snapshot_carries_its_name_and_device_from_the_tags() {
        let info = |tags: &[(&str, &str)]| SnapshotInfo {
            id: "snap-1".into(),
            volume_id: None,
            state: SnapshotState::Completed,
            start_time: None,
            description: None,
            size_gib: None,
            tags: tags.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        };
        let ours = NodeSnapshot::new("web/1", "i-1", &info(&[(TAG_SNAPSHOT, "before"), (TAG_DEVICE, "/dev/sdf")]));
        assert_eq!((ours.name.as_deref(), ours.device.as_deref()), (Some("before"), Some("/dev/sdf")));
        let old = NodeSnapshot::new("web/1", "i-1", &info(&[(TAG_NAME, "nightly")]));
        assert_eq!((old.name.as_deref(), old.device.as_deref()), (Some("nightly"), None), "poni 0.8's: the Name tag, the root device");
        let json = serde_json::to_value(&ours).unwrap();
        assert_eq!(
            (&json["name"], &json["device"], &json["instanceId"]),
            (&serde_json::json!("before"), &serde_json::json!("/dev/sdf"), &serde_json::json!("i-1"))
        );
    }

    #[test]
    fn ops_timeout_reads_poni_08s_variable() {
        assert_eq!(super::super::ops_timeout_from(Some("600")), Duration::from_secs(600));
        for bad in [None, Some(""), Some("soon"), Some("0"), Some("-5")] {
            assert_eq!(super::super::ops_timeout_from(bad), Duration::from_secs(300), "{bad:?}");
        }
    }
}
