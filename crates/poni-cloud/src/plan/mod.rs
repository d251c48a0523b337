//! Plan, then apply. A [`Plan`] says, for a selection and an operation, what happens to every
//! node: launched (in which batch), an instance adopted, acted on, skipped (a typed reason),
//! invalid (its problems) or refused (why the action cannot apply), plus the warnings. It is
//! made from the tree and what the cloud last said ([`CloudFacts`]), without calling anything,
//! so the command line, the desktop's preview and confirmations, the refusal and the engine
//! (which only carries plans out) all work from the same answer.

mod batches;
mod selection;
mod warnings;

use poni_repo::ErrorCode;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::time::Duration;

use poni_repo::Tree;
use serde::Serialize;
use ts_rs::TS;

use crate::account::{key_file, KeyPairFile};
use crate::aws::InstanceState;
use crate::engine::{Operation, PropertyProblem, TerminationProtected};
use crate::error::{Coded, ErrorPayload};
use crate::spec::{init_timeout_of, key_pair_name, termination_protected, ElasticIpRef, InstanceSettings, LaunchSpec, SpecError};

pub use batches::{Batch, DEFAULT_BATCH_SIZE};
pub use selection::{instance_of, Selected, Selection, SelectionError};
pub use warnings::PlanWarning;

/// How planning goes beyond what the properties say.
#[derive(Debug, Clone)]
pub struct PlanOptions {
    /// Init: launch new instances for nodes that have one.
    pub reinit: bool,
    /// Instances per RunInstances call (AWS advises at most 100).
    pub batch_size: usize,
    /// Where `<key-pair>.pem` files are expected (`~/.ssh`); None: not checked.
    pub ssh_dir: Option<PathBuf>,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions { reinit: false, batch_size: DEFAULT_BATCH_SIZE, ssh_dir: crate::account::ssh_dir() }
    }
}

/// What the cloud last said, as far as a plan needs it. Empty for a plan made from the tree
/// alone (the desktop's preview before anything was asked).
#[derive(Debug, Clone, Default)]
pub struct CloudFacts {
    /// Instance states by instance id.
    pub states: HashMap<String, InstanceState>,
    /// Regions whose instances were all described: an id missing there does not exist.
    pub described: BTreeSet<String>,
    /// Live instances tagged with a node's name that the node does not record (an init died
    /// before saving), by node; ids only.
    pub unrecorded: HashMap<String, Vec<String>>,
}

/// Why a node is left alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum SkipReason {
    /// Init: the node already has an instance (re-init launches a new one).
    HasInstance,
    /// The node has no `cloud.instance`: nothing to act on.
    NoInstance,
    /// Terminate: EC2 no longer knows the instance (it forgets terminated ones after an hour).
    InstanceGone,
}

impl SkipReason {
    /// The sentence the command line logs and the desktop shows.
    pub fn message(self, instance_id: Option<&str>, region: Option<&str>) -> String {
        let id = instance_id.unwrap_or_default();
        match self {
            SkipReason::HasInstance => format!("already has instance '{id}': skipped (re-init launches a new one)"),
            SkipReason::NoInstance => "has no cloud.instance: nothing to do".into(),
            SkipReason::InstanceGone => {
                format!("instance {id} no longer exists in {}: nothing to terminate", region.unwrap_or("its region"))
            }
        }
    }
}

/// What happens to one node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum Step {
    /// A new instance is launched in this batch (an index into [`Plan::batches`]).
    Launch {
        batch: u32,
    },
    /// The instance an interrupted init launched is recorded instead of launching another.
    Adopt {
        instance_id: String,
    },
    /// The operation is carried out on the node's instance.
    Act,
    Skip {
        reason: SkipReason,
    },
    /// Its properties do not allow a launch: nothing at all is launched while any node is invalid.
    Invalid {
        problems: Vec<PropertyProblem>,
    },
    /// The operation cannot apply to this node (e.g. stop a terminated instance).
    Refuse {
        error: ErrorPayload,
    },
}

/// The launch values of a node, as they will be used (or, for an invalid node, as the
/// properties say them, so the user sees what is there next to what is wrong).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct LaunchValues {
    pub image: Option<String>,
    /// Tried in order when EC2 has no capacity for one (`t3.micro` when `cloud.type` is not set).
    pub instance_types: Vec<String>,
    pub key_pair: Option<String>,
    /// Login name (`user`).
    pub user: Option<String>,
    /// The EC2 `Name` tag.
    pub vm_name: Option<String>,
    /// `cloud.eip`: associated once the instance runs.
    pub elastic_ip: Option<String>,
    /// `~/.ssh/<key-pair>.pem` and whether it exists (needed to log in, not to launch).
    pub key_file: Option<KeyPairFile>,
    /// Billing, IAM profile, termination protection and the other settings sent at launch.
    pub settings: InstanceSettings,
    /// `cloud.check_health`: whether a wait also waits for EC2's status checks.
    pub check_health: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct PlannedNode {
    pub node: String,
    pub step: Step,
    /// The instance the node records now.
    pub instance_id: Option<String>,
    /// Its state as last seen; null when never asked.
    #[ts(type = "string | null")]
    pub state: Option<InstanceState>,
    pub region: Option<String>,
    /// The node's own `host`.
    pub host: Option<String>,
    /// Init only.
    pub launch: Option<LaunchValues>,
    #[serde(skip)]
    #[ts(skip)]
    pub(crate) spec: Option<LaunchSpec>,
    #[serde(skip)]
    #[ts(skip)]
    pub(crate) timeout: Duration,
}

impl PlannedNode {
    /// A node known only by name (adopted from an interrupted launch outside the plan).
    pub(crate) fn detached(name: &str) -> PlannedNode {
        PlannedNode {
            node: name.to_owned(),
            step: Step::Adopt { instance_id: String::new() },
            instance_id: None,
            state: None,
            region: None,
            host: None,
            launch: None,
            spec: None,
            timeout: crate::spec::DEFAULT_INIT_TIMEOUT,
        }
    }

    pub fn skip_reason(&self) -> Option<SkipReason> {
        match &self.step {
            Step::Skip { reason } => Some(*reason),
            _ => None,
        }
    }

    pub fn launch_spec(&self) -> Option<&LaunchSpec> {
        self.spec.as_ref()
    }

    pub fn elastic_ip(&self) -> Option<&ElasticIpRef> {
        self.spec.as_ref().and_then(|s| s.elastic_ip.as_ref())
    }
}

/// Counts per step, for summaries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct PlanCounts {
    pub launch: u32,
    pub adopt: u32,
    pub act: u32,
    pub skip: u32,
    pub invalid: u32,
    pub refuse: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct Plan {
    pub operation: Operation,
    pub reinit: bool,
    /// Every selected node, in tree order.
    pub nodes: Vec<PlannedNode>,
    /// Init: the RunInstances calls, each launching several nodes at once.
    pub batches: Vec<Batch>,
    pub warnings: Vec<PlanWarning>,
    pub counts: PlanCounts,
}

impl Plan {
    /// Whether carrying the plan out would do anything at all, and is allowed to.
    pub fn can_run(&self) -> bool {
        let c = self.counts;
        c.invalid == 0 && c.launch + c.adopt + c.act > 0
    }

    pub fn node(&self, name: &str) -> Option<&PlannedNode> {
        self.nodes.iter().find(|n| n.node == name)
    }

    /// Init refuses the whole plan while any node is invalid: which nodes, which properties.
    pub fn refusal(&self) -> Option<Refusal> {
        let invalid: Vec<(String, Vec<String>)> = self
            .nodes
            .iter()
            .filter_map(|n| match &n.step {
                Step::Invalid { problems } => Some((n.node.clone(), problems.iter().map(|p| p.property.clone()).collect())),
                _ => None,
            })
            .collect();
        if invalid.is_empty() {
            return None;
        }
        let selected = self.nodes.iter().filter(|n| n.skip_reason().is_none()).count();
        Some(Refusal { invalid, selected })
    }

    /// Launches per region, for the preview's summary.
    pub fn launches_by_region(&self) -> BTreeMap<String, u32> {
        let mut regions = BTreeMap::new();
        for batch in &self.batches {
            *regions.entry(batch.region.clone()).or_insert(0) += batch.nodes.len() as u32;
        }
        regions
    }
}

/// Why an init launches nothing: the invalid nodes and the properties at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.message())]
pub struct Refusal {
    /// (node, properties with a problem)
    pub invalid: Vec<(String, Vec<String>)>,
    /// Nodes that would have launched or been checked (skipped ones do not count).
    pub selected: usize,
}

impl Refusal {
    fn message(&self) -> String {
        let names: Vec<String> = self.invalid.iter().map(|(node, props)| format!("{node} ({})", props.join(", "))).collect();
        let what = if self.invalid.len() == 1 { "node cannot" } else { "nodes cannot" };
        format!(
            "{} of {} {what} be launched, so nothing was launched: {}. Fix the properties named and try again.",
            self.invalid.len(),
            self.selected,
            names.join("; ")
        )
    }
}

impl Coded for Refusal {
    fn code(&self) -> ErrorCode {
        ErrorCode::NodeInvalidProperties
    }
}

fn problems_of(error: &SpecError) -> Vec<PropertyProblem> {
    error
        .problems
        .iter()
        .map(|p| {
            let code = if p.property == "node.json" { ErrorCode::NodeUnreadable } else { p.code() };
            PropertyProblem { property: p.property.clone(), code: code.to_owned(), message: p.message.clone() }
        })
        .collect()
}

/// Makes the plan for `operation` on `selection`.
pub fn plan(tree: &Tree, selection: &Selection, operation: Operation, options: &PlanOptions, facts: &CloudFacts) -> Result<Plan, SelectionError> {
    let selected = selection.select(tree)?;
    Ok(plan_selected(&selected, operation, options, facts))
}

/// [`plan`] for nodes already selected (the engine re-plans after a look at the cloud).
pub fn plan_selected(selected: &[Selected], operation: Operation, options: &PlanOptions, facts: &CloudFacts) -> Plan {
    let mut nodes: Vec<PlannedNode> = selected.iter().map(|s| plan_node(s, operation, options, facts)).collect();
    if operation == Operation::Init {
        refuse_shared_private_ips(&mut nodes);
    }
    let batches = if operation == Operation::Init { batches::group(&mut nodes, options.batch_size) } else { Vec::new() };
    let warnings = warnings::of(selected, &nodes);
    let mut counts = PlanCounts::default();
    for n in &nodes {
        match n.step {
            Step::Launch { .. } => counts.launch += 1,
            Step::Adopt { .. } => counts.adopt += 1,
            Step::Act => counts.act += 1,
            Step::Skip { .. } => counts.skip += 1,
            Step::Invalid { .. } => counts.invalid += 1,
            Step::Refuse { .. } => counts.refuse += 1,
        }
    }
    Plan { operation, reinit: options.reinit && operation == Operation::Init, nodes, batches, warnings, counts }
}

fn plan_node(s: &Selected, operation: Operation, options: &PlanOptions, facts: &CloudFacts) -> PlannedNode {
    let cloud = s.cloud();
    let mut node = PlannedNode {
        node: s.name.clone(),
        step: Step::Act,
        instance_id: s.instance.clone(),
        state: s.instance.as_ref().and_then(|id| facts.states.get(id).cloned()),
        region: s.region().ok(),
        host: s.host.clone(),
        launch: None,
        spec: None,
        timeout: init_timeout_of(&cloud),
    };
    node.step = match operation {
        Operation::Init => init_step(s, &mut node, options, facts),
        _ => instance_step(s, operation, facts),
    };
    node
}

fn init_step(s: &Selected, node: &mut PlannedNode, options: &PlanOptions, facts: &CloudFacts) -> Step {
    let cloud = s.cloud();
    let text = |key: &str| cloud.get(key).and_then(|v| v.as_str()).map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
    // What the settings say, also for a node that cannot launch as it is.
    let lenient = LaunchSpec::lenient(&s.name, &cloud, s.effective.get("user"));
    let mut values = LaunchValues {
        image: text("image"),
        instance_types: Vec::new(),
        key_pair: key_pair_name(&cloud),
        user: s.effective.get("user").and_then(|v| v.as_str()).filter(|u| !u.is_empty()).map(str::to_owned),
        vm_name: text("vm_name"),
        elastic_ip: text("eip"),
        key_file: None,
        settings: lenient.settings,
        check_health: lenient.check_health,
    };
    node.region = node.region.clone().or_else(|| text("region"));
    let step = if let (Some(_), false) = (&s.instance, options.reinit) {
        Step::Skip { reason: SkipReason::HasInstance }
    } else {
        match s.launch_spec() {
            Err(e) => Step::Invalid { problems: problems_of(&e) },
            Ok(spec) => {
                values = LaunchValues {
                    image: Some(spec.image_id.clone()),
                    instance_types: spec.instance_types.clone(),
                    key_pair: Some(spec.key_pair.clone()),
                    user: Some(spec.login_user.clone()),
                    vm_name: Some(spec.vm_name.clone()),
                    elastic_ip: values.elastic_ip,
                    key_file: options.ssh_dir.as_deref().map(|dir| key_file(dir, &spec.key_pair)),
                    settings: spec.settings.clone(),
                    check_health: spec.check_health,
                };
                node.region = Some(spec.region.clone());
                node.timeout = spec.init_timeout;
                // An instance of this node the node does not record: with re-init the recorded one
                // is excluded, as it is being replaced.
                let orphan = facts.unrecorded.get(&s.name).and_then(|ids| ids.iter().find(|id| Some(*id) != s.instance.as_ref()));
                let step = match orphan {
                    Some(id) => Step::Adopt { instance_id: id.clone() },
                    None => Step::Launch { batch: 0 },
                };
                node.spec = Some(spec);
                step
            }
        }
    };
    node.launch = Some(values);
    step
}

fn instance_step(s: &Selected, operation: Operation, facts: &CloudFacts) -> Step {
    let Some(id) = &s.instance else { return Step::Skip { reason: SkipReason::NoInstance } };
    let region = match s.region() {
        Ok(region) => region,
        Err(why) => return Step::Refuse { error: ErrorPayload { code: ErrorCode::NodeInvalidProperty, message: why } },
    };
    let known = facts.described.contains(&region);
    let step = match facts.states.get(id) {
        None if known && operation == Operation::Terminate => Step::Skip { reason: SkipReason::InstanceGone },
        // Snapshots outlive their instance: they are found by its id.
        None if operation == Operation::RemoveSnapshot => Step::Act,
        None if known => {
            let message = format!("instance {id} does not exist in {region} (terminated long ago, or launched with other credentials)");
            Step::Refuse { error: ErrorPayload { code: ErrorCode::CloudInstanceNotFound, message } }
        }
        Some(state)
            if matches!(operation, Operation::Stop | Operation::Start | Operation::CreateSnapshot | Operation::RevertToSnapshot)
                && matches!(state, InstanceState::ShuttingDown | InstanceState::Terminated) =>
        {
            let message = format!("instance {id} is '{state}' and cannot be {}", operation.done_verb());
            Step::Refuse { error: ErrorPayload { code: ErrorCode::CloudIncorrectState, message } }
        }
        _ => Step::Act,
    };
    // Refused here, before EC2 is asked: one protected instance fails a whole TerminateInstances
    // call. An instance already going away is no longer protected.
    let going = matches!(facts.states.get(id), Some(InstanceState::ShuttingDown | InstanceState::Terminated));
    if operation == Operation::Terminate && step == Step::Act && !going && termination_protected(&s.cloud()) {
        let refusal = TerminationProtected { node: s.name.clone(), instance_id: id.clone(), by_property: true };
        return Step::Refuse { error: refusal.payload() };
    }
    step
}

/// Nodes to launch with the same private address in the same subnet: only one could have
/// it, and the others would fail after it launched, so none is launched.
fn refuse_shared_private_ips(nodes: &mut [PlannedNode]) {
    let mut holders: BTreeMap<(String, String, Ipv4Addr), Vec<usize>> = BTreeMap::new();
    for (i, node) in nodes.iter().enumerate() {
        if let (Step::Launch { .. }, Some(spec)) = (&node.step, &node.spec) {
            if let Some(ip) = spec.settings.private_ip {
                holders.entry((spec.region.clone(), format!("{:?}", spec.subnet), ip)).or_default().push(i);
            }
        }
    }
    for ((_, _, ip), shared) in holders.into_iter().filter(|(_, list)| list.len() > 1) {
        let names: Vec<String> = shared.iter().map(|&i| nodes[i].node.clone()).collect();
        for &i in &shared {
            let others: Vec<&str> = names.iter().map(String::as_str).filter(|n| *n != nodes[i].node).collect();
            let message = format!("cloud.private_ip_address {ip} is also set for {}: two instances cannot have one address", warnings::named(&others));
            let problem = PropertyProblem { property: "cloud.private_ip_address".into(), code: ErrorCode::NodeInvalidProperty, message };
            nodes[i].step = Step::Invalid { problems: vec![problem] };
        }
    }
}

#[cfg(test)]
mod tests;
