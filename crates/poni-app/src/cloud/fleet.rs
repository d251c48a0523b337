//! The live fleet: what the app knows of every node's instance right now, built from the
//! repository and kept current by applying the engine's events and reports. Pure logic (no
//! I/O, no clock: callers pass the time), so every rule here is unit-tested.
//!
//! Per node: the instance id, a state badge, when that state was first seen, a timeline of
//! state changes, the addresses as they arrive, the last error, property problems found by a
//! launch or preview, and the operation working on it. For the dashboard: counts by state and
//! by region, nodes with no instance, instances the cloud no longer knows, the last errors.

use poni_repo::ErrorCode;
use std::collections::{BTreeMap, VecDeque};

use poni_cloud::engine::{EngineEvent, OperationReport, PropertyChange, PropertyProblem};
use poni_cloud::ErrorPayload;
use poni_repo::{Item, Tree};
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

use poni_cloud::aws::InstanceState;
use poni_cloud::health::InstanceHealth;
use poni_cloud::plan::{instance_of, Selected, SkipReason};

/// Timeline entries kept per node (oldest dropped first).
pub const TIMELINE_LIMIT: usize = 50;
/// Errors and warnings kept for the dashboard.
pub const ERRORS_LIMIT: usize = 20;

/// One state change of an instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct StateEntry {
    /// RFC 3339, UTC.
    pub at: String,
    pub instance_id: String,
    /// Null on the first sighting of the instance.
    pub from: Option<InstanceState>,
    pub to: InstanceState,
}

/// The node's address properties (`host`, `private.ip`, `private.dns`); null when empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct NodeAddresses {
    /// Public DNS name (or public IP).
    pub host: Option<String>,
    pub private_ip: Option<String>,
    pub private_dns: Option<String>,
}

impl NodeAddresses {
    fn from_props(props: &poni_repo::Props) -> NodeAddresses {
        let private = props.get("private");
        NodeAddresses {
            host: non_empty(props.get("host")),
            private_ip: non_empty(private.and_then(|p| p.get("ip"))),
            private_dns: non_empty(private.and_then(|p| p.get("dns"))),
        }
    }

    fn apply(&mut self, change: &PropertyChange) {
        match change.key.as_str() {
            "host" => self.host = non_empty(Some(&change.new)),
            "private" => {
                self.private_ip = non_empty(change.new.get("ip"));
                self.private_dns = non_empty(change.new.get("dns"));
            }
            _ => {}
        }
    }
}

fn non_empty(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Severity {
    Error,
    Warning,
}

/// An error or warning for the dashboard (and a node's last error).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct FleetError {
    pub at: String,
    pub severity: Severity,
    /// Null for errors of a whole operation (e.g. no credentials).
    pub node: Option<String>,
    pub instance_id: Option<String>,
    pub code: ErrorCode,
    pub message: String,
    /// The operation that met it; null for the automatic refresh.
    pub operation_id: Option<String>,
}

/// Everything the app shows of one node's instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct NodeLive {
    pub node: String,
    /// The effective `cloud.region`.
    pub region: Option<String>,
    /// The node's `cloud.instance`.
    pub instance_id: Option<String>,
    /// Null when the node has no instance.
    pub state: Option<InstanceState>,
    /// When the current state was first seen.
    pub since: Option<String>,
    /// When the cloud was last asked about this instance.
    pub checked_at: Option<String>,
    /// State changes, oldest first, of this and earlier instances of the node.
    pub timeline: Vec<StateEntry>,
    pub addresses: NodeAddresses,
    /// The repository points at an instance the cloud does not know (any more).
    pub missing: bool,
    pub last_error: Option<FleetError>,
    /// Property problems a launch or preview found; cleared by a launch.
    pub problems: Vec<PropertyProblem>,
    /// The operation working on the node now.
    pub operation_id: Option<String>,
    /// EC2's status checks of the running instance as a wait last reported them; left out
    /// when none was reported, or the instance changed or stopped running since.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub checks: Option<InstanceHealth>,
}

impl NodeLive {
    fn new(node: &str) -> NodeLive {
        NodeLive {
            node: node.to_owned(),
            region: None,
            instance_id: None,
            state: None,
            since: None,
            checked_at: None,
            timeline: Vec::new(),
            addresses: NodeAddresses::default(),
            missing: false,
            last_error: None,
            problems: Vec::new(),
            operation_id: None,
            checks: None,
        }
    }

    /// Records `to` as the instance's state at `at`; false when nothing changed.
    fn observe(&mut self, instance_id: &str, to: InstanceState, at: &str) -> bool {
        let mut changed = false;
        if self.instance_id.as_deref() != Some(instance_id) {
            self.instance_id = Some(instance_id.to_owned());
            self.state = None;
            self.checks = None;
            changed = true;
        }
        if self.missing && to != InstanceState::Unknown {
            self.missing = false;
            changed = true;
        }
        if self.checked_at.as_deref() != Some(at) {
            self.checked_at = Some(at.to_owned());
        }
        if self.state == Some(to) {
            return changed;
        }
        let from = self.state.filter(|s| *s != InstanceState::Unknown || to == InstanceState::Unknown);
        self.timeline.push(StateEntry { at: at.to_owned(), instance_id: instance_id.to_owned(), from, to });
        if self.timeline.len() > TIMELINE_LIMIT {
            self.timeline.remove(0);
        }
        self.state = Some(to);
        self.since = Some(at.to_owned());
        if to != InstanceState::Running {
            // Checks are of a running instance: EC2 reports none for another state.
            self.checks = None;
        }
        true
    }

    /// Keeps the checks a wait reported for the node's instance; false when nothing changed.
    fn observe_checks(&mut self, health: &InstanceHealth) -> bool {
        if self.instance_id.as_deref() != Some(health.instance_id.as_str()) || self.checks.as_ref() == Some(health) {
            return false;
        }
        self.checks = Some(health.clone());
        true
    }

    fn is_transitional(&self) -> bool {
        self.instance_id.is_some() && !self.missing && self.state.is_some_and(InstanceState::is_transitional)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct StateCount {
    pub state: InstanceState,
    pub count: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct RegionSummary {
    /// Null for nodes whose region is not set.
    pub region: Option<String>,
    pub nodes: u32,
    pub instances: u32,
    /// Only states with at least one instance.
    pub by_state: Vec<StateCount>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct MissingInstance {
    pub node: String,
    pub instance_id: String,
    pub region: Option<String>,
}

/// The dashboard of the open repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct FleetOverview {
    pub nodes: u32,
    pub with_instance: u32,
    /// Every badge state, in a fixed order, with its count (zeros included).
    pub by_state: Vec<StateCount>,
    /// Sorted by region, nodes without a region last.
    pub by_region: Vec<RegionSummary>,
    pub no_instance: Vec<String>,
    /// Instances the repository points at that the cloud no longer knows.
    pub missing: Vec<MissingInstance>,
    /// Nodes in pending, stopping or shutting-down.
    pub transitional: Vec<String>,
    /// Nodes with property problems.
    pub with_problems: Vec<String>,
    /// Newest first.
    pub last_errors: Vec<FleetError>,
    /// The automatic refresh is polling now.
    pub refreshing: bool,
}

/// The whole fleet: one [`NodeLive`] per node of the repository.
#[derive(Debug, Clone, Default)]
pub struct Fleet {
    nodes: BTreeMap<String, NodeLive>,
    errors: VecDeque<FleetError>,
}

/// What an update changed: nodes to redraw, and nodes that are gone from the repository.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct FleetChange {
    pub nodes: Vec<NodeLive>,
    pub removed: Vec<String>,
}

impl FleetChange {
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty() && self.removed.is_empty()
    }
}

impl Fleet {
    pub fn from_tree(tree: &Tree) -> Fleet {
        let mut fleet = Fleet::default();
        fleet.sync(tree);
        fleet
    }

    pub fn node(&self, name: &str) -> Option<&NodeLive> {
        self.nodes.get(name)
    }

    pub fn nodes(&self) -> impl Iterator<Item = &NodeLive> {
        self.nodes.values()
    }

    /// The live state of these nodes (those that exist), for a change notice.
    pub fn change_of(&self, names: &[String], removed: Vec<String>) -> FleetChange {
        FleetChange { nodes: names.iter().filter_map(|n| self.nodes.get(n).cloned()).collect(), removed }
    }

    /// Brings the fleet in line with the repository: nodes added, removed or renamed, instance
    /// ids and addresses changed (by the engine, by the command line, by hand). Live state is
    /// kept for a node whose instance did not change. Returns (changed, removed) node names.
    pub fn sync(&mut self, tree: &Tree) -> (Vec<String>, Vec<String>) {
        let mut changed = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for item in tree.nodes() {
            seen.insert(item.name.as_str());
            let live = self.nodes.entry(item.name.clone()).or_insert_with(|| NodeLive::new(&item.name));
            let before = live.clone();
            sync_node(live, tree, item);
            if *live != before {
                changed.push(item.name.clone());
            }
        }
        let removed: Vec<String> = self.nodes.keys().filter(|n| !seen.contains(n.as_str())).cloned().collect();
        for name in &removed {
            self.nodes.remove(name);
        }
        (changed, removed)
    }

    /// Applies one engine event; returns the nodes whose live state changed.
    pub fn apply(&mut self, event: &EngineEvent, now: &str, operation_id: Option<&str>) -> Vec<String> {
        let mut changed = Vec::new();
        match event {
            EngineEvent::Launched { node, instance_id, region, .. } => {
                let live = self.entry(node);
                live.region = Some(region.clone());
                live.problems.clear();
                live.last_error = None;
                live.observe(instance_id, InstanceState::Pending, now);
                // A new instance has no addresses yet; the old instance's are no longer its.
                live.addresses = NodeAddresses::default();
                changed.push(node.clone());
            }
            EngineEvent::StateChanged { node, instance_id, to, at, .. } => {
                if self.entry(node).observe(instance_id, *to, at) {
                    changed.push(node.clone());
                }
            }
            EngineEvent::ChecksChanged { node, health, .. } => {
                if self.entry(node).observe_checks(health) {
                    changed.push(node.clone());
                }
            }
            EngineEvent::StateChangeRequested { node, instance_id, current, .. } => {
                if *current != InstanceState::Unknown && self.entry(node).observe(instance_id, *current, now) {
                    changed.push(node.clone());
                }
            }
            EngineEvent::PropertiesUpdated { node, changes } => {
                let live = self.entry(node);
                let before = live.addresses.clone();
                for change in changes {
                    live.addresses.apply(change);
                }
                if live.addresses != before {
                    changed.push(node.clone());
                }
            }
            EngineEvent::NodeInvalid { node, problems } => {
                self.entry(node).problems = problems.clone();
                changed.push(node.clone());
            }
            EngineEvent::NodeFailed { node, instance_id, error } => {
                let record = self.error(now, Severity::Error, Some(node), instance_id.as_deref(), error, operation_id);
                let live = self.entry(node);
                if error.code == ErrorCode::CloudInstanceNotFound && instance_id.is_some() && *instance_id == live.instance_id {
                    live.missing = true;
                    live.observe(instance_id.as_deref().unwrap_or_default(), InstanceState::Unknown, now);
                }
                live.last_error = Some(record);
                changed.push(node.clone());
            }
            EngineEvent::NodeSkipped { node, instance_id: Some(id), reason: SkipReason::InstanceGone, .. } => {
                // Terminate of an instance EC2 has already forgotten: it is gone, i.e. terminated.
                if self.entry(node).observe(id, InstanceState::Terminated, now) {
                    changed.push(node.clone());
                }
            }
            EngineEvent::Warning { node, code, message } => {
                let payload = ErrorPayload { code: *code, message: message.clone() };
                self.error(now, Severity::Warning, node.as_deref(), None, &payload, operation_id);
            }
            EngineEvent::OperationStarted { .. }
            | EngineEvent::NodeSkipped { .. }
            | EngineEvent::WaitProgress { .. }
            | EngineEvent::SnapshotProgress { .. }
            | EngineEvent::OperationFinished { .. } => {}
        }
        changed
    }

    /// Applies what an operation's report says of each node's state (the status query reports
    /// states only this way). Returns the nodes whose live state changed.
    pub fn apply_report(&mut self, report: &OperationReport, now: &str) -> Vec<String> {
        let mut changed = Vec::new();
        for n in &report.nodes {
            let (Some(id), Some(state)) = (&n.instance_id, &n.state) else { continue };
            if self.entry(&n.node).observe(id, *state, now) {
                changed.push(n.node.clone());
            }
        }
        changed
    }

    /// Records an error of a whole operation (no node), e.g. missing credentials.
    pub fn record_error(&mut self, now: &str, error: &ErrorPayload, operation_id: Option<&str>) {
        self.error(now, Severity::Error, None, None, error, operation_id);
    }

    /// Marks nodes as worked on by `operation_id` (None: free again). Returns those changed.
    pub fn set_operation(&mut self, nodes: &[String], operation_id: Option<&str>) -> Vec<String> {
        let mut changed = Vec::new();
        for name in nodes {
            if let Some(live) = self.nodes.get_mut(name) {
                if live.operation_id.as_deref() != operation_id {
                    live.operation_id = operation_id.map(str::to_owned);
                    changed.push(name.clone());
                }
            }
        }
        changed
    }

    /// Frees the nodes `operation_id` was working on (others' claims stay). Returns those changed.
    pub fn release(&mut self, nodes: &[String], operation_id: &str) -> Vec<String> {
        let mine: Vec<String> = nodes.iter().filter(|n| self.nodes.get(*n).is_some_and(|l| l.operation_id.as_deref() == Some(operation_id))).cloned().collect();
        self.set_operation(&mine, None)
    }

    /// Sets the property problems a preview found (empty clears them). Returns those changed.
    pub fn set_problems(&mut self, problems: &[(String, Vec<PropertyProblem>)]) -> Vec<String> {
        let mut changed = Vec::new();
        for (name, list) in problems {
            if let Some(live) = self.nodes.get_mut(name) {
                if live.problems != *list {
                    live.problems = list.clone();
                    changed.push(name.clone());
                }
            }
        }
        changed
    }

    /// Nodes whose instance is in a transitional state, i.e. worth polling.
    pub fn transitional(&self) -> Vec<String> {
        self.nodes.values().filter(|n| n.is_transitional()).map(|n| n.node.clone()).collect()
    }

    pub fn overview(&self, refreshing: bool) -> FleetOverview {
        let mut by_state: BTreeMap<InstanceState, u32> = BTreeMap::new();
        let mut regions: BTreeMap<Option<String>, (u32, u32, BTreeMap<InstanceState, u32>)> = BTreeMap::new();
        let (mut no_instance, mut missing, mut with_problems) = (Vec::new(), Vec::new(), Vec::new());
        for n in self.nodes.values() {
            let region = regions.entry(n.region.clone()).or_default();
            region.0 += 1;
            match (&n.instance_id, n.state) {
                (Some(id), state) => {
                    let state = state.unwrap_or(InstanceState::Unknown);
                    *by_state.entry(state).or_default() += 1;
                    region.1 += 1;
                    *region.2.entry(state).or_default() += 1;
                    if n.missing {
                        missing.push(MissingInstance { node: n.node.clone(), instance_id: id.clone(), region: n.region.clone() });
                    }
                }
                (None, _) => no_instance.push(n.node.clone()),
            }
            if !n.problems.is_empty() {
                with_problems.push(n.node.clone());
            }
        }
        let counts = |m: &BTreeMap<InstanceState, u32>, zeros: bool| -> Vec<StateCount> {
            InstanceState::ALL.iter().map(|s| StateCount { state: *s, count: m.get(s).copied().unwrap_or(0) }).filter(|c| zeros || c.count > 0).collect()
        };
        let mut by_region: Vec<RegionSummary> = regions
            .iter()
            .map(|(region, (nodes, instances, states))| RegionSummary {
                region: region.clone(),
                nodes: *nodes,
                instances: *instances,
                by_state: counts(states, false),
            })
            .collect();
        // BTreeMap puts None first; the dashboard wants it last.
        by_region.sort_by(|a, b| (a.region.is_none(), &a.region).cmp(&(b.region.is_none(), &b.region)));
        FleetOverview {
            nodes: self.nodes.len() as u32,
            with_instance: (self.nodes.len() - no_instance.len()) as u32,
            by_state: counts(&by_state, true),
            by_region,
            no_instance,
            missing,
            transitional: self.transitional(),
            with_problems,
            last_errors: self.errors.iter().rev().cloned().collect(),
            refreshing,
        }
    }

    fn entry(&mut self, node: &str) -> &mut NodeLive {
        self.nodes.entry(node.to_owned()).or_insert_with(|| NodeLive::new(node))
    }

    fn error(
        &mut self,
        now: &str,
        severity: Severity,
        node: Option<&str>,
        instance_id: Option<&str>,
        error: &ErrorPayload,
        operation_id: Option<&str>,
    ) -> FleetError {
        let record = FleetError {
            at: now.to_owned(),
            severity,
            node: node.map(str::to_owned),
            instance_id: instance_id.map(str::to_owned),
            code: error.code,
            message: error.message.clone(),
            operation_id: operation_id.map(str::to_owned),
        };
        self.errors.push_back(record.clone());
        while self.errors.len() > ERRORS_LIMIT {
            self.errors.pop_front();
        }
        record
    }
}

fn sync_node(live: &mut NodeLive, tree: &Tree, item: &Item) {
    let cloud = Selected::of(tree, item).cloud();
    live.region = cloud.get("region").and_then(Value::as_str).map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned);
    live.addresses = NodeAddresses::from_props(&item.props);
    let instance = instance_of(&item.props);
    if instance != live.instance_id {
        live.instance_id = instance;
        live.state = live.instance_id.as_ref().map(|_| InstanceState::Unknown);
        live.since = None;
        live.checked_at = None;
        live.missing = false;
        live.checks = None;
    } else if live.instance_id.is_some() && live.state.is_none() {
        live.state = Some(InstanceState::Unknown);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use poni_cloud::engine::{NodeReport, Operation, Outcome};
    use poni_repo::{AddNodes, Repo};
    use serde_json::json;

    fn repo_with(nodes: &[(&str, Value)]) -> (tempfile::TempDir, Repo) {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repo::init(dir.path().join("r")).unwrap();
        for (name, props) in nodes {
            repo.add_nodes(&AddNodes::new(*name)).unwrap();
            let props = props.as_object().unwrap().clone();
            repo.update(name, |p| {
                let mut changes = Vec::new();
                for (k, v) in props {
                    changes.extend(poni_repo::props::set_path(p, &k, v)?);
                }
                Ok(changes)
            })
            .unwrap();
        }
        (dir, repo)
    }

    fn launched(node: &str, id: &str) -> EngineEvent {
        EngineEvent::Launched {
            node: node.into(),
            instance_id: id.into(),
            region: "us-east-1".into(),
            image: "ami-12c6146b".into(),
            key_pair: "kp".into(),
            provider: "aws-ec2".into(),
            reused: false,
        }
    }

    fn changed(node: &str, id: &str, from: Option<&str>, to: &str, at: &str) -> EngineEvent {
        EngineEvent::StateChanged { node: node.into(), instance_id: id.into(), from: from.map(Into::into), to: to.into(), at: at.into() }
    }

    #[test]
    fn a_launch_goes_pending_to_running_with_addresses_and_a_timeline() {
        let (_d, repo) = repo_with(&[("drumbo1", json!({"cloud.region": "us-east-1"})), ("drumbo2", json!({}))]);
        let mut fleet = Fleet::from_tree(&repo.tree().unwrap());
        assert_eq!(fleet.node("drumbo1").unwrap().state, None);

        assert_eq!(fleet.apply(&launched("drumbo1", "i-1"), "T1", Some("op-1")), ["drumbo1"]);
        let n = fleet.node("drumbo1").unwrap();
        assert_eq!((n.instance_id.as_deref(), n.state, n.since.as_deref()), (Some("i-1"), Some(InstanceState::Pending), Some("T1")));
        assert_eq!(fleet.transitional(), ["drumbo1"]);

        // The wait's first sighting repeats pending: no new timeline entry.
        assert!(fleet.apply(&changed("drumbo1", "i-1", None, "pending", "T2"), "T2", Some("op-1")).is_empty());
        assert_eq!(fleet.apply(&changed("drumbo1", "i-1", Some("pending"), "running", "T3"), "T3", Some("op-1")), ["drumbo1"]);
        let addresses = EngineEvent::PropertiesUpdated {
            node: "drumbo1".into(),
            changes: vec![
                PropertyChange { key: "host".into(), old: Some(json!("")), new: json!("ec2-1-2-3-4.compute-1.amazonaws.com") },
                PropertyChange { key: "private".into(), old: None, new: json!({"ip": "10.0.0.5", "dns": "ip-10-0-0-5.ec2.internal"}) },
            ],
        };
        fleet.apply(&addresses, "T3", Some("op-1"));
        let n = fleet.node("drumbo1").unwrap();
        assert_eq!(n.state, Some(InstanceState::Running));
        assert_eq!(n.since.as_deref(), Some("T3"));
        assert_eq!(
            n.timeline,
            [
                StateEntry { at: "T1".into(), instance_id: "i-1".into(), from: None, to: InstanceState::Pending },
                StateEntry { at: "T3".into(), instance_id: "i-1".into(), from: Some(InstanceState::Pending), to: InstanceState::Running },
            ]
        );
        assert_eq!(n.addresses.host.as_deref(), Some("ec2-1-2-3-4.compute-1.amazonaws.com"));
        assert_eq!(n.addresses.private_ip.as_deref(), Some("10.0.0.5"));
        assert!(fleet.transitional().is_empty());

        let o = fleet.overview(false);
        assert_eq!((o.nodes, o.with_instance), (2, 1));
        assert_eq!(o.no_instance, ["drumbo2"]);
        assert_eq!(o.by_state.iter().find(|c| c.state == InstanceState::Running).unwrap().count, 1);
        assert_eq!(o.by_state.len(), 7, "every state, zeros included");
        assert_eq!(o.by_region[0].region.as_deref(), Some("us-east-1"));
        assert_eq!((o.by_region[0].nodes, o.by_region[0].instances), (1, 1));
        assert_eq!(o.by_region[1].region, None, "nodes without a region come last");
    }

    fn checks(node: &str, id: &str, system: &str, instance: &str) -> EngineEvent {
        EngineEvent::ChecksChanged {
            node: node.into(),
            health: InstanceHealth {
                instance_id: id.into(),
                system: poni_cloud::health::CheckStatus::from_ec2(system),
                instance: poni_cloud::health::CheckStatus::from_ec2(instance),
                events: vec![],
            },
            at: "T".into(),
        }
    }

    #[test]
    fn the_last_checks_of_the_running_instance_are_kept() {
        let (_d, repo) = repo_with(&[("web/1", json!({"cloud.region": "us-east-1"}))]);
        let mut fleet = Fleet::from_tree(&repo.tree().unwrap());
        fleet.apply(&launched("web/1", "i-1"), "T1", Some("op-1"));
        fleet.apply(&changed("web/1", "i-1", Some("pending"), "running", "T2"), "T2", Some("op-1"));
        assert_eq!(fleet.apply(&checks("web/1", "i-1", "ok", "initializing"), "T3", Some("op-1")), ["web/1"]);
        assert!(fleet.apply(&checks("web/1", "i-1", "ok", "initializing"), "T4", Some("op-1")).is_empty(), "the same checks again");
        assert!(fleet.apply(&checks("web/1", "i-old", "ok", "ok"), "T4", Some("op-1")).is_empty(), "another instance's checks");
        fleet.apply(&checks("web/1", "i-1", "ok", "ok"), "T5", Some("op-1"));
        let kept = fleet.node("web/1").unwrap().checks.clone().unwrap();
        assert!(kept.passed());
        let json = serde_json::to_value(fleet.node("web/1").unwrap()).unwrap();
        assert_eq!(json["checks"]["instance"], json!("ok"));

        // Stopping ends the checks; a relaunch starts without any.
        fleet.apply(&changed("web/1", "i-1", Some("running"), "stopping", "T6"), "T6", None);
        assert_eq!(fleet.node("web/1").unwrap().checks, None);
        assert!(serde_json::to_value(fleet.node("web/1").unwrap()).unwrap().get("checks").is_none());
        fleet.apply(&changed("web/1", "i-1", Some("stopping"), "running", "T7"), "T7", None);
        fleet.apply(&checks("web/1", "i-1", "initializing", "initializing"), "T8", None);
        fleet.apply(&launched("web/1", "i-2"), "T9", None);
        assert_eq!(fleet.node("web/1").unwrap().checks, None);
    }

    #[test]
    fn terminate_goes_shutting_down_to_terminated_and_empties_addresses() {
        let (_d, repo) =
            repo_with(&[("n", json!({"cloud.instance": "i-9", "cloud.region": "eu-west-1", "host": "ec2-x", "private": {"ip": "10.1.1.1", "dns": "ip-10"}}))]);
        let mut fleet = Fleet::from_tree(&repo.tree().unwrap());
        let n = fleet.node("n").unwrap();
        assert_eq!((n.state, n.addresses.host.as_deref()), (Some(InstanceState::Unknown), Some("ec2-x")));

        let requested = EngineEvent::StateChangeRequested {
            node: "n".into(),
            instance_id: "i-9".into(),
            operation: Operation::Terminate,
            previous: "running".into(),
            current: "shutting-down".into(),
        };
        fleet.apply(&requested, "T1", Some("op-2"));
        assert_eq!(fleet.transitional(), ["n"]);
        fleet.apply(&changed("n", "i-9", None, "shutting-down", "T2"), "T2", Some("op-2"));
        fleet.apply(&changed("n", "i-9", Some("shutting-down"), "terminated", "T3"), "T3", Some("op-2"));
        let emptied = EngineEvent::PropertiesUpdated {
            node: "n".into(),
            changes: vec![
                PropertyChange { key: "host".into(), old: Some(json!("ec2-x")), new: json!("") },
                PropertyChange { key: "private".into(), old: None, new: json!({"ip": null, "dns": ""}) },
            ],
        };
        fleet.apply(&emptied, "T3", Some("op-2"));
        let n = fleet.node("n").unwrap();
        assert_eq!(n.state, Some(InstanceState::Terminated));
        assert_eq!(n.addresses, NodeAddresses::default());
        // The first sighting (unknown) is not shown as a state it came from.
        assert_eq!(
            n.timeline.iter().map(|e| (e.from, e.to)).collect::<Vec<_>>(),
            [(None, InstanceState::ShuttingDown), (Some(InstanceState::ShuttingDown), InstanceState::Terminated)]
        );
        assert!(fleet.transitional().is_empty());
    }

    #[test]
    fn a_status_report_sets_states_and_a_missing_instance_is_listed() {
        let (_d, repo) = repo_with(&[
            ("a", json!({"cloud.instance": "i-a", "cloud.region": "us-east-1"})),
            ("b", json!({"cloud.instance": "i-b", "cloud.region": "us-west-1"})),
        ]);
        let mut fleet = Fleet::from_tree(&repo.tree().unwrap());
        let report = OperationReport {
            operation: Operation::Status,
            nodes: vec![NodeReport::new("a", Outcome::Queried).with_instance(Some("i-a")).with_state(InstanceState::Stopping)],
            cancelled: false,
        };
        assert_eq!(fleet.apply_report(&report, "T1"), ["a"]);
        let gone = EngineEvent::NodeFailed {
            node: "b".into(),
            instance_id: Some("i-b".into()),
            error: ErrorPayload { code: ErrorCode::CloudInstanceNotFound, message: "instance i-b does not exist in us-west-1".into() },
        };
        fleet.apply(&gone, "T1", None);
        let o = fleet.overview(true);
        assert_eq!(o.missing, [MissingInstance { node: "b".into(), instance_id: "i-b".into(), region: Some("us-west-1".into()) }]);
        assert_eq!(o.transitional, ["a"], "a missing instance is not polled");
        assert_eq!(o.last_errors[0].code, "cloud.instance_not_found");
        assert_eq!(o.last_errors[0].node.as_deref(), Some("b"));
        assert!(o.refreshing);
        assert_eq!(fleet.node("b").unwrap().last_error.as_ref().unwrap().at, "T1");

        // Seen again: no longer missing.
        let report = OperationReport {
            operation: Operation::Status,
            nodes: vec![NodeReport::new("b", Outcome::Queried).with_instance(Some("i-b")).with_state(InstanceState::Running)],
            cancelled: false,
        };
        fleet.apply_report(&report, "T2");
        assert!(fleet.overview(false).missing.is_empty());
    }

    #[test]
    fn sync_follows_the_repository_and_keeps_live_state() {
        let (_d, repo) = repo_with(&[("a", json!({"cloud.instance": "i-a"})), ("b", json!({}))]);
        let mut fleet = Fleet::from_tree(&repo.tree().unwrap());
        fleet.apply(&changed("a", "i-a", None, "running", "T1"), "T1", None);
        // Nothing changed on disk: nothing changes, the running state stays.
        assert_eq!(fleet.sync(&repo.tree().unwrap()), (vec![], vec![]));
        assert_eq!(fleet.node("a").unwrap().state, Some(InstanceState::Running));

        // Another program gives b an instance and removes a.
        repo.update("b", |p| Ok(poni_repo::props::set_path(p, "cloud.instance", json!("i-b"))?.into_iter().collect())).unwrap();
        repo.remove("a").unwrap();
        let (changed_nodes, removed) = fleet.sync(&repo.tree().unwrap());
        assert_eq!((changed_nodes, removed), (vec!["b".to_owned()], vec!["a".to_owned()]));
        assert_eq!(fleet.node("b").unwrap().state, Some(InstanceState::Unknown));
        assert!(fleet.node("a").is_none());
    }

    #[test]
    fn problems_errors_warnings_and_operations_are_tracked() {
        let (_d, repo) = repo_with(&[("a", json!({})), ("b", json!({}))]);
        let mut fleet = Fleet::from_tree(&repo.tree().unwrap());
        let problem = PropertyProblem { property: "cloud.image".into(), code: ErrorCode::NodeMissingProperty, message: "cloud.image is not set".into() };
        fleet.apply(&EngineEvent::NodeInvalid { node: "a".into(), problems: vec![problem.clone()] }, "T1", Some("op-1"));
        assert_eq!(fleet.overview(false).with_problems, ["a"]);
        // A launch clears them.
        fleet.apply(&launched("a", "i-a"), "T2", Some("op-2"));
        assert!(fleet.node("a").unwrap().problems.is_empty());
        assert_eq!(fleet.set_problems(&[("b".into(), vec![problem])]), ["b"]);

        fleet.apply(&EngineEvent::Warning { node: None, code: ErrorCode::CloudThrottled, message: "polling us-east-1 failed".into() }, "T3", Some("op-2"));
        fleet.record_error("T4", &ErrorPayload { code: ErrorCode::CredentialsMissing, message: "No AWS credentials found".into() }, Some("op-3"));
        let errors = fleet.overview(false).last_errors;
        assert_eq!(
            errors.iter().map(|e| (e.severity, e.code.as_str())).collect::<Vec<_>>(),
            [(Severity::Error, "credentials.missing"), (Severity::Warning, "cloud.throttled")]
        );
        for i in 0..30 {
            fleet.record_error(&format!("T{i}"), &ErrorPayload { code: ErrorCode::CloudError, message: "y".into() }, None);
        }
        assert_eq!(fleet.overview(false).last_errors.len(), ERRORS_LIMIT);

        assert_eq!(fleet.set_operation(&["a".into(), "b".into()], Some("op-9")), ["a", "b"]);
        assert_eq!(fleet.node("b").unwrap().operation_id.as_deref(), Some("op-9"));
        assert!(fleet.set_operation(&["a".into()], Some("op-9")).is_empty());
        fleet.set_operation(&["b".into()], Some("op-10"));
        assert_eq!(fleet.release(&["a".into(), "b".into()], "op-9"), ["a"], "b belongs to op-10 now");
        assert_eq!(fleet.node("a").unwrap().operation_id, None);
        assert_eq!(fleet.node("b").unwrap().operation_id.as_deref(), Some("op-10"));
    }

    #[test]
    fn a_new_instance_starts_a_fresh_state_but_keeps_the_old_timeline() {
        let (_d, repo) = repo_with(&[("a", json!({"cloud.instance": "i-old"}))]);
        let mut fleet = Fleet::from_tree(&repo.tree().unwrap());
        fleet.apply(&changed("a", "i-old", None, "running", "T1"), "T1", None);
        fleet.apply(&launched("a", "i-new"), "T2", None);
        let n = fleet.node("a").unwrap();
        assert_eq!((n.instance_id.as_deref(), n.state), (Some("i-new"), Some(InstanceState::Pending)));
        assert_eq!(n.timeline.len(), 2);
        assert_eq!(n.timeline[1], StateEntry { at: "T2".into(), instance_id: "i-new".into(), from: None, to: InstanceState::Pending });
        for i in 0..60 {
            let to = if i % 2 == 0 { "stopping" } else { "stopped" };
            fleet.apply(&changed("a", "i-new", None, to, &format!("U{i}")), "U", None);
        }
        assert_eq!(fleet.node("a").unwrap().timeline.len(), TIMELINE_LIMIT);
    }

    #[test]
    fn badges_serialize_as_ec2_names() {
        assert_eq!(serde_json::to_value(InstanceState::ShuttingDown).unwrap(), json!("shutting-down"));
        for s in InstanceState::ALL {
            assert_eq!(InstanceState::from_name(s.name()), s);
            assert_eq!(serde_json::to_value(s).unwrap(), json!(s.name()));
        }
        assert_eq!(InstanceState::from_name("rebooting"), InstanceState::Unknown);
    }
}
