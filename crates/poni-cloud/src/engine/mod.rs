//! The lifecycle engine: cloud operations on the nodes a [`Target`] matches, saving results to
//! the repository and reporting progress as typed [`EngineEvent`]s.
//!
//! - [`Engine::init`] validates every selected node first (all problems of all nodes; nothing
//!   is launched if any node is invalid), then launches one instance per node. Nodes that
//!   already have `cloud.instance` are skipped unless re-init is asked for. The instance id is
//!   saved to the node the moment RunInstances answers. Crash safety: before launching, one
//!   DescribeInstances per region finds live instances tagged with this repository and node;
//!   such an instance (left by an init that died before saving) is adopted instead of
//!   launching another. The ClientToken's generation comes from the node's previous
//!   `cloud.instance`, so a retried launch reuses the token on real EC2 as well.
//! - [`Engine::wait`] polls all instances of a region with ONE filtered, paginated
//!   DescribeInstances per poll (never one call per instance), backing off while nothing
//!   changes, and saves the address properties when done. A wait for `running` also waits
//!   for both EC2 status checks where `cloud.check_health` is not false (one
//!   DescribeInstanceStatus per region per poll). Timeouts (`cloud.init_timeout`) and
//!   failures are per node; the other nodes carry on.
//! - [`Engine::create_snapshot`], [`Engine::revert_to_snapshot`], [`Engine::remove_snapshot`]:
//!   poni 0.8's named snapshots of EBS-backed instances ([`snapshots`]).
//! - [`Engine::update`], [`Engine::terminate`], [`Engine::stop`], [`Engine::start`],
//!   [`Engine::status`]: one describe per region, then batched state changes. Terminate
//!   refuses nodes protected from termination; [`Engine::lift_termination_protection`] lifts it.
//! - [`Engine::assign_elastic_ips`] (poni's `cloud ip`): `cloud.eip` associated with running
//!   instances, as init does after its wait.
//!
//! Every operation takes a [`CancellationToken`]: waiting stops at once; launches already
//! sent are finished and saved (aborting one would leave an instance nobody records).
//! The engine never prints; it emits events to its [`EventSink`] and returns a report.

mod addresses;
pub mod checks;
pub mod crash;
pub mod drift;
mod eip;
pub mod events;
pub mod fleet_status;
mod identity;
pub mod import;
mod init;
mod launches;
mod lifecycle;
mod protection;
mod refresh;
pub mod report;
pub mod snapshots;
mod wait;

use poni_repo::ErrorCode;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::time::Duration;

use poni_repo::Repo;
#[cfg(test)]
use tokio_util::sync::CancellationToken;

pub use checks::ChecksNotPassed;
pub use events::{no_events, EngineEvent, EventSink, Operation, PropertyChange, PropertyProblem, SnapshotStep};
pub use identity::{repo_id, CONFIG_KEY, REPO_ID_KEY};
pub use init::InitOptions;
pub use launches::LAUNCHES_DIR;
pub use protection::{ProtectionLifted, TerminationProtected};
pub use report::{EngineError, NodeReport, OperationReport, Outcome};
pub use wait::PollSchedule;

use crate::aws::{CloudError, Ec2Provider, InstanceInfo};
use crate::plan::{plan_selected, CloudFacts, Plan, PlanOptions, Selected, Selection, Step, DEFAULT_BATCH_SIZE};

/// How the engine behaves beyond what node properties say.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    pub poll: PollSchedule,
    /// Where `<key-pair>.pem` files are expected (`~/.ssh`); None: not checked.
    pub ssh_dir: Option<PathBuf>,
    /// RunInstances calls in flight at once (the pacer still keeps to EC2's buckets).
    pub launch_concurrency: usize,
    /// Instances per RunInstances call; 1 launches node by node, as the first engine did.
    pub batch_size: usize,
    /// How long a snapshot operation waits for an instance to stop or start and for a volume
    /// to be made, detached or attached: poni 0.8's `AWS_OPS_TIMEOUT` (300 s).
    pub ops_timeout: Duration,
    /// How long `create-snapshot` waits for its snapshots to complete (a first snapshot of a
    /// large volume takes long; poni 0.8's 300 s failed those).
    pub snapshot_timeout: Duration,
}

/// Per region, the (node index, instance id) pairs to ask about.
type ByRegion = BTreeMap<String, Vec<(usize, String)>>;

impl Default for EngineOptions {
    fn default() -> Self {
        let home = std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE"));
        EngineOptions {
            poll: PollSchedule::default(),
            ssh_dir: home.map(|h| PathBuf::from(h).join(".ssh")),
            launch_concurrency: 8,
            batch_size: DEFAULT_BATCH_SIZE,
            ops_timeout: ops_timeout_from(std::env::var("AWS_OPS_TIMEOUT").ok().as_deref()),
            snapshot_timeout: Duration::from_secs(3600),
        }
    }
}

/// poni 0.8's `AWS_OPS_TIMEOUT` (seconds, 1 to 86400), else its 300 s.
fn ops_timeout_from(value: Option<&str>) -> Duration {
    match value.and_then(|v| v.trim().parse::<u64>().ok()) {
        Some(secs) if (1..=86_400).contains(&secs) => Duration::from_secs(secs),
        _ => Duration::from_secs(300),
    }
}

impl EngineOptions {
    /// How an engine with these options plans (its key-file folder and batch size): previews
    /// made with them show exactly what the engine will do.
    pub fn plan_options(&self, reinit: bool) -> PlanOptions {
        PlanOptions { reinit, batch_size: self.batch_size, ssh_dir: self.ssh_dir.clone() }
    }
}

/// Cloud operations on one repository with one set of credentials.
#[derive(Clone)]
pub struct Engine {
    repo: Repo,
    provider: Ec2Provider,
    events: EventSink,
    options: EngineOptions,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").field("repo", &self.repo.root()).field("provider", &self.provider).finish_non_exhaustive()
    }
}

impl Engine {
    pub fn new(repo: Repo, provider: Ec2Provider, events: EventSink, options: EngineOptions) -> Engine {
        Engine { repo, provider, events, options }
    }

    /// The same engine launching `n` instances per RunInstances call.
    pub fn with_batch_size(mut self, n: usize) -> Engine {
        self.options.batch_size = n.max(1);
        self
    }

    /// The same engine reporting to another sink.
    pub fn with_events(mut self, events: EventSink) -> Engine {
        self.events = events;
        self
    }

    pub fn repo(&self) -> &Repo {
        &self.repo
    }

    pub fn plan_options(&self, reinit: bool) -> PlanOptions {
        self.options.plan_options(reinit)
    }

    /// The plan for `operation` on `selection` with what the cloud says now (one describe
    /// per region), as `--dry-run` shows it. Changes nothing, not even the repository's id.
    pub async fn plan(&self, selection: &Selection, operation: Operation, reinit: bool) -> Result<Plan, EngineError> {
        let tree = self.repo.tree()?;
        let selected = selection.select(&tree)?;
        let options = self.plan_options(reinit);
        let facts = match operation {
            Operation::Init => {
                let draft = plan_selected(&selected, operation, &options, &CloudFacts::default());
                match identity::existing_repo_id(&self.repo) {
                    Some(repo_id) if draft.counts.launch > 0 => self.launch_facts(&repo_id, &draft).await?,
                    _ => CloudFacts::default(),
                }
            }
            _ => {
                let (facts, mut failed) = self.instance_facts(&selected).await;
                if let Some(region) = failed.keys().next().cloned() {
                    return Err(failed.remove(&region).expect("present").into());
                }
                facts
            }
        };
        Ok(plan_selected(&selected, operation, &options, &facts))
    }

    fn emit(&self, event: EngineEvent) {
        (self.events)(event);
    }

    fn finish(&self, operation: Operation, nodes: Vec<NodeReport>, cancelled: bool) -> OperationReport {
        let report = OperationReport { operation, nodes, cancelled };
        let failed = report.failures() as u32;
        let succeeded = report
            .nodes
            .iter()
            .filter(|n| !n.outcome.is_failure() && !matches!(n.outcome, Outcome::Cancelled | Outcome::NoInstance | Outcome::Skipped))
            .count() as u32;
        self.emit(EngineEvent::OperationFinished { operation, succeeded, failed, cancelled });
        report
    }

    fn fail(&self, node: &str, instance: Option<&str>, error: &impl crate::error::Coded) -> NodeReport {
        let payload = error.payload();
        self.emit(EngineEvent::NodeFailed { node: node.to_owned(), instance_id: instance.map(str::to_owned), error: payload.clone() });
        NodeReport::failed(node, instance, payload)
    }

    /// The plan of an operation that reads or watches instances (update, status, wait, diff):
    /// the nodes' instances grouped by region as (node index, instance id), with a report
    /// already made for each node the plan skips (no instance) or refuses (no valid region).
    fn instances_by_region(&self, operation: Operation, nodes: &[Selected]) -> (Vec<Option<NodeReport>>, ByRegion) {
        let plan = plan_selected(nodes, operation, &self.plan_options(false), &CloudFacts::default());
        let mut reports: Vec<Option<NodeReport>> = vec![None; nodes.len()];
        let mut by_region: BTreeMap<String, Vec<(usize, String)>> = BTreeMap::new();
        for (i, node) in plan.nodes.iter().enumerate() {
            let id = node.instance_id.as_deref();
            match &node.step {
                Step::Skip { .. } => reports[i] = Some(NodeReport::new(&node.node, Outcome::NoInstance)),
                Step::Refuse { error } => reports[i] = Some(self.fail(&node.node, id, &EngineIssue::from_payload(error))),
                _ => by_region.entry(node.region.clone().unwrap_or_default()).or_default().push((i, id.unwrap_or_default().to_owned())),
            }
        }
        (reports, by_region)
    }

    /// One DescribeInstances per region (plus, for instances without our tags, one per 200 of
    /// them), all regions at once. `ids` by region are the instances the caller looks for.
    async fn describe_regions(&self, repo_id: &str, ids: &BTreeMap<String, Vec<String>>) -> HashMap<String, Result<HashMap<String, InstanceInfo>, CloudError>> {
        let calls = ids.iter().map(|(region, ids)| async move {
            let found = self.provider.describe_repository(region, repo_id, ids).await;
            (region.clone(), found.map(|list| list.into_iter().map(|i| (i.id.clone(), i)).collect()))
        });
        futures_util::future::join_all(calls).await.into_iter().collect()
    }
}

/// A small coded error for conditions the engine itself finds (not EC2 errors).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct EngineIssue {
    pub code: ErrorCode,
    pub message: String,
}

impl EngineIssue {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> EngineIssue {
        EngineIssue { code, message: message.into() }
    }

    /// A plan's refusal, reported as the node's failure.
    pub(crate) fn from_payload(error: &crate::ErrorPayload) -> EngineIssue {
        EngineIssue { code: error.code, message: error.message.clone() }
    }
}

impl crate::error::Coded for EngineIssue {
    fn code(&self) -> ErrorCode {
        self.code
    }
}

/// Now, as RFC 3339 (UTC, seconds), for event time stamps.
pub(crate) fn now_rfc3339() -> String {
    poni_repo::time::now()
}

/// `Duration` in whole seconds for messages.
pub(crate) fn secs(d: Duration) -> u64 {
    d.as_secs_f64().round() as u64
}

/// The desktop app runs operations on a multi-threaded runtime: their futures must be Send.
#[cfg(test)]
#[allow(dead_code)]
fn assert_send(engine: &Engine, target: &crate::plan::Selection, cancel: &CancellationToken) {
    fn is_send<T: Send>(_: &T) {}
    is_send(&engine.init(target, InitOptions::default(), cancel));
    is_send(&engine.wait(target, &crate::aws::InstanceState::Running, cancel));
    is_send(&engine.update(target, cancel));
    is_send(&engine.status(target, cancel));
    is_send(&engine.terminate(target, cancel));
    is_send(&engine.lift_termination_protection("n"));
    is_send(&engine.fleet_status(&fleet_status::StatusOptions::default()));
    is_send(&engine.create_snapshot(target, "s", None, cancel));
    is_send(&engine.revert_to_snapshot(target, "s", cancel));
    is_send(&engine.remove_snapshot(target, "s", cancel));
    is_send(&engine.snapshots(target, None));
}
