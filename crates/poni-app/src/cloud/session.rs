//! The cloud session of the open workspace: runs engine operations as background tasks, each
//! with an id, progress (k of N), and its own cancellation; keeps the live [`Fleet`] current
//! from the engine's events; and polls instances in transitional states until none is left.
//!
//! Everything the UI hears goes through one [`NoticeSink`]: engine events tagged with their
//! operation, progress, the end of an operation, and fleet changes (only the nodes that
//! changed). The shell turns notices into window events; tests collect them.
//!
//! Credentials and the EC2 provider are resolved when an operation starts (so a missing key
//! is an immediate, coded error) and cached until the choice, the stored sets or the endpoint
//! setting change; one provider means one pacer, so concurrent operations share EC2's limits.

use poni_repo::ErrorCode;
use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use poni_cloud::aws::{Ec2Provider, InstanceState, ProviderOptions};
use poni_cloud::engine::snapshots::SnapshotList;
use poni_cloud::engine::{
    Engine, EngineEvent, EngineOptions, EventSink, InitOptions, NodeReport, Operation, OperationReport, Outcome, PollSchedule, ProtectionLifted,
};
use poni_repo::Repo;
use serde::{Deserialize, Serialize};
use tokio::runtime::Handle;
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use super::credentials::{coded, CloudCredentials};
use super::fleet::{Fleet, FleetChange, FleetOverview, NodeLive};
use super::preview::{self, Affected, ConfirmAction, ConnectCommand, LaunchPreview};
use super::scope::Scope;
use super::time::now;
use crate::error::{AppError, AppResult};
use poni_cloud::plan::{Plan, Selection, Step};

/// Finished operations kept for `operations()`.
const FINISHED_KEPT: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum CloudAction {
    /// Launch an instance per node (init) and wait until they run; saves ids and addresses.
    Launch,
    /// Read the addresses again and save them (update).
    Refresh,
    /// Stop the instances and wait until they are stopped.
    Stop,
    /// Start stopped instances and wait until they run (addresses saved again).
    Start,
    /// Terminate the instances and wait until they are terminated (addresses emptied).
    Terminate,
    /// Wait until the instances reach `state`.
    Wait,
    /// Ask each instance's state; changes nothing.
    Status,
    /// Snapshot every EBS volume of each instance under `snapshot` (the request's name and
    /// description); the node's older snapshots of that name go once the new ones complete.
    CreateSnapshot,
    /// Stop each instance, swap its volumes for new ones made from the snapshots named
    /// `snapshot`, start it again.
    RevertToSnapshot,
    /// Delete each node's snapshots named `snapshot`.
    RemoveSnapshot,
}

impl CloudAction {
    fn verb(self) -> &'static str {
        match self {
            CloudAction::Launch => "launch",
            CloudAction::Refresh => "refresh addresses of",
            CloudAction::Stop => "stop",
            CloudAction::Start => "start",
            CloudAction::Terminate => "terminate",
            CloudAction::Wait => "wait for",
            CloudAction::Status => "check",
            CloudAction::CreateSnapshot => "snapshot",
            CloudAction::RevertToSnapshot => "revert to a snapshot",
            CloudAction::RemoveSnapshot => "remove a snapshot of",
        }
    }
}

/// A cloud action on a scope, as the UI asks for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct OperationRequest {
    pub action: CloudAction,
    pub scope: Scope,
    /// Launch: also launch nodes that already have an instance (confirm with `cloudAffected` first).
    #[serde(default)]
    #[ts(optional)]
    pub reinit: Option<bool>,
    /// Wait: the state to wait for (`running`, `stopped`, `terminated`, …).
    #[serde(default)]
    #[ts(optional)]
    pub state: Option<String>,
    /// Snapshot actions: the snapshot's name.
    #[serde(default)]
    #[ts(optional)]
    pub snapshot: Option<String>,
    /// Create snapshot: the snapshots' description (by default "<name>: <node> <device>").
    #[serde(default)]
    #[ts(optional)]
    pub description: Option<String>,
}

impl OperationRequest {
    /// The snapshot a snapshot action names, checked by the core's rule before anything runs.
    fn snapshot_name(&self) -> AppResult<String> {
        poni_cloud::engine::snapshots::snapshot_name(self.snapshot.as_deref().unwrap_or_default()).map_err(|e| coded(&e))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum OperationState {
    Running,
    /// Every node came out as asked.
    Succeeded,
    /// The operation could not run, or some nodes failed (see `failed` and `reports`).
    Failed,
    Cancelled,
}

/// One operation as the activity strip shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct OperationStatus {
    /// `op-1`, `op-2`, … unique within the app's run.
    pub id: String,
    pub action: CloudAction,
    pub scope: Scope,
    /// E.g. "launch system drumbo".
    pub label: String,
    /// The nodes it works on, in tree order.
    pub nodes: Vec<String>,
    /// Progress: `done` of `total` nodes are finished (ready, skipped or failed).
    pub total: u32,
    pub done: u32,
    /// What it is doing now, e.g. "launching", "waiting for running".
    pub phase: String,
    pub state: OperationState,
    pub succeeded: u32,
    pub failed: u32,
    pub started_at: String,
    pub finished_at: Option<String>,
    /// Why the whole operation failed (e.g. no credentials, a throttled describe).
    pub error: Option<AppError>,
    /// Per node, once finished.
    pub reports: Vec<NodeReport>,
}

/// What the session tells the UI.
#[derive(Debug, Clone)]
pub enum CloudNotice {
    /// An engine event of an operation.
    Event { operation_id: String, event: EngineEvent },
    /// An operation started, or its progress or phase changed.
    Progress(OperationStatus),
    /// An operation ended (with its reports).
    Finished(OperationStatus),
    /// Nodes' live state changed (or the automatic refresh started or stopped).
    Fleet(FleetChange),
}

pub type NoticeSink = Arc<dyn Fn(CloudNotice) + Send + Sync>;

/// A sink that drops everything.
pub fn no_notices() -> NoticeSink {
    Arc::new(|_| {})
}

#[derive(Debug, Clone)]
pub struct SessionOptions {
    /// Pacing, retries and time-outs; the endpoint and environment come from the credentials service.
    pub provider: ProviderOptions,
    pub engine: EngineOptions,
    /// The automatic refresh's poll interval: from `first`, growing while nothing changes, up to `max`.
    pub refresh: PollSchedule,
}

impl Default for SessionOptions {
    fn default() -> Self {
        SessionOptions {
            provider: ProviderOptions::default(),
            engine: EngineOptions::default(),
            refresh: PollSchedule { first: Duration::from_secs(2), max: Duration::from_secs(15), factor: 1.5 },
        }
    }
}

/// The cloud side of one open workspace. Cheap to clone (shared state).
#[derive(Clone)]
pub struct CloudSession {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for CloudSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CloudSession").field("repo", &self.inner.repo.root()).finish_non_exhaustive()
    }
}

struct OpEntry {
    status: OperationStatus,
    cancel: CancellationToken,
    goal: Option<InstanceState>,
    settled: HashSet<String>,
    done: tokio::sync::watch::Sender<bool>,
}

struct Inner {
    repo: Repo,
    credentials: CloudCredentials,
    options: SessionOptions,
    runtime: Handle,
    notices: NoticeSink,
    fleet: Mutex<Fleet>,
    ops: Mutex<BTreeMap<u64, OpEntry>>,
    next_id: AtomicU64,
    /// True while the refresh task runs; taken before the fleet lock, never after.
    refresher: Mutex<bool>,
    refreshing: AtomicBool,
    closed: CancellationToken,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn op_name(n: u64) -> String {
    format!("op-{n}")
}

impl CloudSession {
    /// A session for `repo`; operations run on `runtime`, notices go to `notices`.
    pub fn new(repo: Repo, credentials: CloudCredentials, options: SessionOptions, runtime: Handle, notices: NoticeSink) -> CloudSession {
        let fleet = repo.tree().map(|t| Fleet::from_tree(&t)).unwrap_or_default();
        CloudSession {
            inner: Arc::new(Inner {
                repo,
                credentials,
                options,
                runtime,
                notices,
                fleet: Mutex::new(fleet),
                ops: Mutex::default(),
                next_id: AtomicU64::new(1),
                refresher: Mutex::new(false),
                refreshing: AtomicBool::new(false),
                closed: CancellationToken::new(),
            }),
        }
    }

    pub fn repo(&self) -> &Repo {
        &self.inner.repo
    }

    pub fn credentials(&self) -> &CloudCredentials {
        &self.inner.credentials
    }

    /// What launching `scope` would do. Also marks the property problems found on the nodes.
    pub fn preview(&self, scope: &Scope, reinit: bool) -> AppResult<LaunchPreview> {
        let tree = self.inner.repo.tree()?;
        self.inner.sync_with(&tree);
        let plan = preview::launch_plan(&tree, scope, &self.inner.options.engine.plan_options(reinit))?;
        self.inner.mark_problems(&plan);
        Ok(preview::preview(&plan))
    }

    /// Exactly which nodes and instances `action` on `scope` touches, for its confirmation.
    pub fn affected(&self, scope: &Scope, action: ConfirmAction) -> AppResult<Affected> {
        let tree = self.inner.repo.tree()?;
        self.inner.sync_with(&tree);
        let fleet = lock(&self.inner.fleet);
        preview::affected(&tree, &fleet, scope, action, &self.inner.options.engine.plan_options(false))
    }

    /// The snapshots of the instances of `scope`'s nodes (every name), and the nodes EC2 could
    /// not be asked about. A read: no operation, nothing changes.
    pub async fn snapshots(&self, scope: &Scope) -> AppResult<SnapshotList> {
        let tree = self.inner.repo.tree()?;
        self.inner.sync_with(&tree);
        scope.nodes(&tree)?;
        let engine = self.engine().await?;
        engine.snapshots(&scope.selection(), None).await.map_err(|e| coded(&e))
    }

    pub fn connect_command(&self, node: &str) -> AppResult<ConnectCommand> {
        preview::connect_command(&self.inner.repo.tree()?, node, self.inner.options.engine.ssh_dir.as_deref())
    }

    pub fn fleet_overview(&self) -> FleetOverview {
        lock(&self.inner.fleet).overview(self.inner.refreshing.load(Ordering::SeqCst))
    }

    pub fn fleet_nodes(&self) -> Vec<NodeLive> {
        lock(&self.inner.fleet).nodes().cloned().collect()
    }

    pub fn node_live(&self, name: &str) -> Option<NodeLive> {
        lock(&self.inner.fleet).node(name).cloned()
    }

    /// Running operations and the last finished ones, oldest first.
    pub fn operations(&self) -> Vec<OperationStatus> {
        lock(&self.inner.ops).values().map(|e| e.status.clone()).collect()
    }

    /// Cancels a running operation: waiting stops at once; launches already sent are finished
    /// and saved. False when it is not running (finished, or unknown).
    pub fn cancel(&self, id: &str) -> bool {
        let ops = lock(&self.inner.ops);
        let entry = id.strip_prefix("op-").and_then(|n| n.parse::<u64>().ok()).and_then(|n| ops.get(&n));
        match entry {
            Some(e) if e.status.state == OperationState::Running => {
                e.cancel.cancel();
                true
            }
            _ => false,
        }
    }

    /// Re-reads the repository (another program, or the engine, changed it).
    pub fn sync(&self) {
        self.inner.sync();
        self.inner.ensure_refresher();
    }

    /// An engine on this workspace for a lookup or an import that is not an operation: its
    /// events (properties it writes) reach the fleet like the automatic refresh's.
    pub(crate) async fn engine(&self) -> AppResult<Engine> {
        let provider = self.inner.provider().await?;
        Ok(Engine::new(self.inner.repo.clone(), provider, self.inner.refresh_sink(), self.inner.options.engine.clone()))
    }

    /// Lifts a node's termination protection so that a terminate can follow: the instance's
    /// DisableApiTermination goes off, then the node's own `cloud.disable_api_termination`
    /// becomes false when its properties turned protection on (the engine's one rule, as
    /// `poni cloud unprotect` runs it). Refused while an operation works on the node.
    pub async fn lift_termination_protection(&self, node: &str) -> AppResult<ProtectionLifted> {
        if let Some(op) = self.node_live(node).and_then(|live| live.operation_id) {
            return Err(AppError::new(ErrorCode::CloudBusy, format!("Another operation is working on {node} ({op}): wait for it to finish or cancel it.")));
        }
        self.engine().await?.lift_termination_protection(node).await.map_err(|e| coded(&e))
    }

    /// The credentials now reach another account (or the same anew): what the previous one
    /// said about instances is dropped, so no fleet of the old account stays on screen.
    pub fn account_changed(&self) {
        let Ok(tree) = self.inner.repo.tree() else { return };
        let names: Vec<String> = {
            let mut fleet = lock(&self.inner.fleet);
            *fleet = Fleet::from_tree(&tree);
            fleet.nodes().map(|n| n.node.clone()).collect()
        };
        self.inner.notify_fleet(&names, Vec::new());
    }

    /// Cancels every operation and the automatic refresh: the workspace is closing.
    pub fn shutdown(&self) {
        self.inner.closed.cancel();
    }

    /// Waits until the operation has finished and returns its final status.
    pub async fn finished(&self, id: &str) -> AppResult<OperationStatus> {
        let n = id.strip_prefix("op-").and_then(|n| n.parse::<u64>().ok());
        let mut rx = {
            let ops = lock(&self.inner.ops);
            let entry = n.and_then(|n| ops.get(&n)).ok_or_else(|| AppError::new(ErrorCode::CloudNoOperation, format!("There is no operation '{id}'.")))?;
            entry.done.subscribe()
        };
        let _ = rx.wait_for(|done| *done).await;
        let ops = lock(&self.inner.ops);
        Ok(n.and_then(|n| ops.get(&n)).map(|e| e.status.clone()).expect("finished operations are kept"))
    }

    /// Starts an operation in the background and returns its status at once. Refused before
    /// anything runs when: a node does not exist, a launch has property problems (nothing is
    /// launched; the problems are marked on the nodes), a node is busy in another operation,
    /// or no credentials can be used.
    pub async fn start(&self, request: OperationRequest) -> AppResult<OperationStatus> {
        let inner = &self.inner;
        let tree = inner.repo.tree()?;
        inner.sync_with(&tree);
        let items = request.scope.nodes(&tree)?;
        let nodes: Vec<String> = items.iter().map(|i| i.name.clone()).collect();
        let idle: HashSet<String> = items.iter().filter(|i| poni_cloud::plan::instance_of(&i.props).is_none()).map(|i| i.name.clone()).collect();
        let reinit = request.reinit.unwrap_or(false);
        let goal = match request.action {
            CloudAction::Launch | CloudAction::Start => Some(InstanceState::Running),
            CloudAction::Stop => Some(InstanceState::Stopped),
            CloudAction::Terminate => Some(InstanceState::Terminated),
            CloudAction::Wait => Some(wait_state(request.state.as_deref())?),
            CloudAction::Refresh | CloudAction::Status => None,
            // A revert stops and starts the instance on its way: a node is done when it finishes.
            CloudAction::CreateSnapshot | CloudAction::RevertToSnapshot | CloudAction::RemoveSnapshot => None,
        };
        let snapshot = match request.action {
            CloudAction::CreateSnapshot | CloudAction::RevertToSnapshot | CloudAction::RemoveSnapshot => Some(request.snapshot_name()?),
            _ => None,
        };
        let description = request.description.as_deref().map(str::trim).filter(|d| !d.is_empty()).map(str::to_owned);
        if request.action == CloudAction::Launch {
            let plan = preview::launch_plan(&tree, &request.scope, &inner.options.engine.plan_options(reinit))?;
            inner.mark_problems(&plan);
            if let Some(refusal) = LaunchPreview::refusal(&plan) {
                return Err(refusal);
            }
        }
        let exclusive = request.action != CloudAction::Status;
        let target = Selection::names(&nodes);
        let n = inner.next_id.fetch_add(1, Ordering::SeqCst);
        let id = op_name(n);
        if exclusive {
            // Checked and claimed under one lock: two operations never work on one node.
            let mut fleet = lock(&inner.fleet);
            let busy: Vec<String> = nodes.iter().filter_map(|n| fleet.node(n).and_then(|l| l.operation_id.as_ref()).map(|op| format!("{n} ({op})"))).collect();
            if !busy.is_empty() {
                return Err(AppError::new(
                    ErrorCode::CloudBusy,
                    format!("Another operation is working on {}: wait for it to finish or cancel it.", busy.join(", ")),
                ));
            }
            fleet.set_operation(&nodes, Some(&id));
        }
        let needs_cloud = request.action == CloudAction::Launch || idle.len() < nodes.len();
        let provider = match needs_cloud {
            false => None,
            true => match inner.provider().await {
                Ok(provider) => Some(provider),
                Err(e) => {
                    if exclusive {
                        lock(&inner.fleet).release(&nodes, &id);
                    }
                    return Err(e);
                }
            },
        };

        let settled = if request.action == CloudAction::Launch { HashSet::new() } else { idle };
        let cancel = inner.closed.child_token();
        let status = OperationStatus {
            id: id.clone(),
            action: request.action,
            label: match &snapshot {
                Some(name) => format!("{} {} ('{name}')", request.action.verb(), request.scope.label()),
                None => format!("{} {}", request.action.verb(), request.scope.label()),
            },
            scope: request.scope.clone(),
            total: nodes.len() as u32,
            done: settled.len() as u32,
            nodes: nodes.clone(),
            phase: "starting".into(),
            state: OperationState::Running,
            succeeded: 0,
            failed: 0,
            started_at: now(),
            finished_at: None,
            error: None,
            reports: Vec::new(),
        };
        {
            let mut ops = lock(&inner.ops);
            let (done, _) = tokio::sync::watch::channel(false);
            ops.insert(n, OpEntry { status: status.clone(), cancel: cancel.clone(), goal, settled, done });
        }
        if exclusive {
            inner.notify_fleet(&nodes, Vec::new());
        }
        (inner.notices)(CloudNotice::Progress(status.clone()));

        let task = Arc::clone(inner);
        let action = request.action;
        // The operation's future is made and driven on a thread of its own (from the runtime's
        // blocking pool): the engine's init future trips rustc's higher-ranked `Send` check
        // (rust-lang/rust#102211) when handed to `spawn`, and nothing here needs it to move
        // between threads. The runtime still drives its I/O and timers.
        let runtime = inner.runtime.clone();
        inner.runtime.spawn_blocking(move || {
            let result = match provider {
                None => Ok(OperationReport {
                    operation: engine_operation(action),
                    nodes: nodes.iter().map(|n| NodeReport::new(n, Outcome::NoInstance)).collect(),
                    cancelled: false,
                }),
                Some(provider) => {
                    let engine = Engine::new(task.repo.clone(), provider, task.operation_sink(n), task.options.engine.clone());
                    let snapshot = SnapshotArgs { name: snapshot.as_deref().unwrap_or_default(), description: description.as_deref() };
                    runtime.block_on(execute(&engine, action, &target, reinit, goal.as_ref(), snapshot, &cancel))
                }
            };
            task.finish(n, result);
        });
        Ok(status)
    }
}

/// The state a `wait` asks for, by EC2's name.
fn wait_state(state: Option<&str>) -> AppResult<InstanceState> {
    let name = state.map(str::trim).unwrap_or_default();
    match InstanceState::from_name(name) {
        InstanceState::Unknown => Err(AppError::new(
            ErrorCode::InputInvalidState,
            format!("'{name}' is not an instance state: use pending, running, stopping, stopped, shutting-down or terminated."),
        )),
        state => Ok(state),
    }
}

fn engine_operation(action: CloudAction) -> Operation {
    match action {
        CloudAction::Launch => Operation::Init,
        CloudAction::Refresh => Operation::Update,
        CloudAction::Stop => Operation::Stop,
        CloudAction::Start => Operation::Start,
        CloudAction::Terminate => Operation::Terminate,
        CloudAction::Wait => Operation::Wait,
        CloudAction::Status => Operation::Status,
        CloudAction::CreateSnapshot => Operation::CreateSnapshot,
        CloudAction::RevertToSnapshot => Operation::RevertToSnapshot,
        CloudAction::RemoveSnapshot => Operation::RemoveSnapshot,
    }
}

/// A snapshot action's name (checked) and description.
#[derive(Clone, Copy)]
struct SnapshotArgs<'a> {
    name: &'a str,
    description: Option<&'a str>,
}

/// Runs the engine calls an action consists of. Stop, start and terminate are followed by a
/// wait for their end state on the nodes whose request EC2 accepted (terminate: also those
/// already gone, so their addresses are emptied).
async fn execute(
    engine: &Engine,
    action: CloudAction,
    target: &Selection,
    reinit: bool,
    goal: Option<&InstanceState>,
    snapshot: SnapshotArgs<'_>,
    cancel: &CancellationToken,
) -> AppResult<OperationReport> {
    let c = |e: poni_cloud::engine::EngineError| coded(&e);
    match action {
        CloudAction::Launch => engine.init(target, InitOptions { reinit, wait: true }, cancel).await.map_err(c),
        CloudAction::Refresh => engine.update(target, cancel).await.map_err(c),
        CloudAction::Status => engine.status(target, cancel).await.map_err(c),
        CloudAction::Wait => engine.wait(target, goal.unwrap_or(&InstanceState::Running), cancel).await.map_err(c),
        CloudAction::CreateSnapshot => engine.create_snapshot(target, snapshot.name, snapshot.description, cancel).await.map_err(c),
        CloudAction::RevertToSnapshot => engine.revert_to_snapshot(target, snapshot.name, cancel).await.map_err(c),
        CloudAction::RemoveSnapshot => engine.remove_snapshot(target, snapshot.name, cancel).await.map_err(c),
        CloudAction::Stop | CloudAction::Start | CloudAction::Terminate => {
            let first = match action {
                CloudAction::Stop => engine.stop(target, cancel).await,
                CloudAction::Start => engine.start(target, cancel).await,
                _ => engine.terminate(target, cancel).await,
            }
            .map_err(c)?;
            let follow: Vec<String> = first
                .nodes
                .iter()
                .filter(|n| n.outcome == Outcome::Requested || (n.outcome == Outcome::Skipped && n.state == Some(InstanceState::Terminated)))
                .map(|n| n.node.clone())
                .collect();
            let Some(goal) = goal.filter(|_| !follow.is_empty() && !cancel.is_cancelled()) else { return Ok(first) };
            let waited = engine.wait(&Selection::names(&follow), goal, cancel).await.map_err(c)?;
            let nodes = first.nodes.into_iter().map(|r| waited.node(&r.node).cloned().unwrap_or(r)).collect();
            Ok(OperationReport { operation: first.operation, nodes, cancelled: first.cancelled || waited.cancelled })
        }
    }
}

fn phase(operation: Operation, goal: Option<&InstanceState>) -> String {
    match operation {
        Operation::Init => "launching".into(),
        Operation::Wait => format!("waiting for {}", goal.map_or("running", |g| g.name())),
        Operation::Update => "refreshing addresses".into(),
        Operation::Terminate => "terminating".into(),
        Operation::Stop => "stopping".into(),
        Operation::Start => "starting".into(),
        Operation::Status => "checking states".into(),
        Operation::CreateSnapshot => "making snapshots".into(),
        Operation::RevertToSnapshot => "reverting to a snapshot".into(),
        Operation::RemoveSnapshot => "removing snapshots".into(),
    }
}

impl Inner {
    async fn provider(&self) -> AppResult<Ec2Provider> {
        self.credentials.provider(&self.options.provider).await
    }

    fn notify_fleet(&self, changed: &[String], removed: Vec<String>) {
        if changed.is_empty() && removed.is_empty() {
            return;
        }
        let change = lock(&self.fleet).change_of(changed, removed);
        (self.notices)(CloudNotice::Fleet(change));
    }

    fn mark_problems(&self, plan: &Plan) {
        let problems: Vec<_> = plan
            .nodes
            .iter()
            .filter(|n| n.skip_reason().is_none())
            .map(|n| (n.node.clone(), if let Step::Invalid { problems } = &n.step { problems.clone() } else { Vec::new() }))
            .collect();
        let changed = lock(&self.fleet).set_problems(&problems);
        self.notify_fleet(&changed, Vec::new());
    }

    fn sync(&self) {
        if let Ok(tree) = self.repo.tree() {
            self.sync_with(&tree);
        }
    }

    /// Brings the fleet in line with a tree just read (watcher events may lag behind).
    fn sync_with(&self, tree: &poni_repo::Tree) {
        let (changed, removed) = lock(&self.fleet).sync(tree);
        self.notify_fleet(&changed, removed);
    }

    /// Where an operation's engine events go: the fleet, the operation's progress, the UI.
    fn operation_sink(self: &Arc<Self>, n: u64) -> EventSink {
        let inner = Arc::clone(self);
        let id = op_name(n);
        Arc::new(move |event: EngineEvent| {
            let changed = lock(&inner.fleet).apply(&event, &now(), Some(&id));
            let progress = inner.track(n, &event);
            (inner.notices)(CloudNotice::Event { operation_id: id.clone(), event });
            if let Some(status) = progress {
                (inner.notices)(CloudNotice::Progress(status));
            }
            inner.notify_fleet(&changed, Vec::new());
        })
    }

    /// Progress from an event: a node is done when skipped, failed, or in the goal state.
    fn track(&self, n: u64, event: &EngineEvent) -> Option<OperationStatus> {
        let mut ops = lock(&self.ops);
        let entry = ops.get_mut(&n)?;
        let before = (entry.status.done, entry.status.phase.clone());
        match event {
            EngineEvent::OperationStarted { operation, .. } => entry.status.phase = phase(*operation, entry.goal.as_ref()),
            EngineEvent::NodeSkipped { node, .. } | EngineEvent::NodeFailed { node, .. } | EngineEvent::NodeInvalid { node, .. } => {
                entry.settled.insert(node.clone());
            }
            EngineEvent::StateChanged { node, to, .. } if entry.goal.as_ref() == Some(to) => {
                entry.settled.insert(node.clone());
            }
            EngineEvent::PropertiesUpdated { node, .. } if entry.status.action == CloudAction::Refresh => {
                entry.settled.insert(node.clone());
            }
            _ => {}
        }
        entry.status.done = (entry.settled.len() as u32).min(entry.status.total);
        ((entry.status.done, &entry.status.phase) != (before.0, &before.1)).then(|| entry.status.clone())
    }

    fn finish(self: &Arc<Self>, n: u64, result: AppResult<OperationReport>) {
        let id = op_name(n);
        let at = now();
        let (mut changed, removed) = {
            let mut fleet = lock(&self.fleet);
            let mut changed = match &result {
                Ok(report) => fleet.apply_report(report, &at),
                Err(e) => {
                    fleet.record_error(&at, &poni_cloud::ErrorPayload { code: e.code, message: e.message.clone() }, Some(&id));
                    Vec::new()
                }
            };
            let mine: Vec<String> = fleet.nodes().filter(|l| l.operation_id.as_deref() == Some(id.as_str())).map(|l| l.node.clone()).collect();
            changed.extend(fleet.release(&mine, &id));
            // The engine saved ids and addresses: take the repository's word for them.
            let (synced, removed) = self.repo.tree().map(|t| fleet.sync(&t)).unwrap_or_default();
            changed.extend(synced);
            changed.sort();
            changed.dedup();
            (changed, removed)
        };
        changed.retain(|c| !removed.contains(c));
        self.notify_fleet(&changed, removed);
        // Before the operation counts as finished: whoever waits for it sees the refresh of
        // what it left in transition (e.g. a cancelled launch) already running.
        self.ensure_refresher();

        let status = {
            let mut ops = lock(&self.ops);
            let Some(entry) = ops.get_mut(&n) else { return };
            let s = &mut entry.status;
            s.finished_at = Some(at);
            s.done = s.total;
            match result {
                Ok(report) => {
                    s.failed = report.failures() as u32;
                    s.succeeded = report
                        .nodes
                        .iter()
                        .filter(|r| {
                            matches!(r.outcome, Outcome::Launched | Outcome::Reused | Outcome::Ready | Outcome::Updated | Outcome::Requested | Outcome::Queried)
                        })
                        .count() as u32;
                    s.state = if report.cancelled {
                        OperationState::Cancelled
                    } else if s.failed > 0 {
                        OperationState::Failed
                    } else {
                        OperationState::Succeeded
                    };
                    s.reports = report.nodes;
                }
                Err(e) => {
                    s.state = if entry.cancel.is_cancelled() { OperationState::Cancelled } else { OperationState::Failed };
                    s.error = Some(e);
                }
            }
            s.phase = match s.state {
                OperationState::Cancelled => "cancelled",
                OperationState::Failed => "failed",
                _ => "done",
            }
            .into();
            let status = s.clone();
            let _ = entry.done.send(true);
            // Keep the last finished ones.
            let finished: Vec<u64> = ops.iter().filter(|(_, e)| e.status.state != OperationState::Running).map(|(k, _)| *k).collect();
            for k in finished.iter().take(finished.len().saturating_sub(FINISHED_KEPT)) {
                ops.remove(k);
            }
            status
        };
        (self.notices)(CloudNotice::Finished(status));
    }

    /// Nodes in a transitional state that no operation is watching already.
    fn pollable(&self) -> Vec<String> {
        let fleet = lock(&self.fleet);
        fleet.transitional().into_iter().filter(|n| fleet.node(n).is_some_and(|l| l.operation_id.is_none())).collect()
    }

    /// Starts the automatic refresh if something is in transition and it is not running.
    fn ensure_refresher(self: &Arc<Self>) {
        if self.closed.is_cancelled() {
            return;
        }
        let mut running = lock(&self.refresher);
        if *running || self.pollable().is_empty() {
            return;
        }
        *running = true;
        self.refreshing.store(true, Ordering::SeqCst);
        (self.notices)(CloudNotice::Fleet(FleetChange::default()));
        let inner = Arc::clone(self);
        self.runtime.spawn(async move { inner.refresh_loop().await });
    }

    /// Polls the transitional nodes with one status query (one describe per region) per
    /// round, backing off while nothing changes; saves the addresses of nodes that settle;
    /// stops when nothing is in transition, on a credentials error, or when the session closes.
    async fn refresh_loop(self: Arc<Self>) {
        let schedule = self.options.refresh;
        let mut delay = schedule.first;
        loop {
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                _ = self.closed.cancelled() => break,
            }
            let nodes = self.pollable();
            if nodes.is_empty() {
                let mut running = lock(&self.refresher);
                if self.pollable().is_empty() {
                    *running = false;
                    break;
                }
                continue;
            }
            let changed = match self.poll(&nodes).await {
                Ok(changed) => changed,
                Err(e) => {
                    lock(&self.fleet).record_error(&now(), &e, None);
                    // Asking again cannot help until the user fixes the account or the endpoint.
                    if e.code.is_about_credentials() || e.code == ErrorCode::CloudInvalidEndpoint {
                        *lock(&self.refresher) = false;
                        break;
                    }
                    false
                }
            };
            delay = schedule.next(delay, changed);
        }
        self.refreshing.store(false, Ordering::SeqCst);
        (self.notices)(CloudNotice::Fleet(FleetChange::default()));
    }

    /// One round: status of `nodes`, then the addresses of those that settled.
    async fn poll(self: &Arc<Self>, nodes: &[String]) -> AppResult<bool> {
        let provider = self.provider().await?;
        let engine = Engine::new(self.repo.clone(), provider, self.refresh_sink(), self.options.engine.clone());
        let report = match engine.status(&Selection::names(nodes), &self.closed).await {
            Ok(report) => report,
            // A node removed meanwhile: the next round polls what is left.
            Err(poni_cloud::engine::EngineError::Selection(_)) => return Ok(true),
            Err(e) => return Err(coded(&e)),
        };
        let (changed, settled) = {
            let mut fleet = lock(&self.fleet);
            let changed = fleet.apply_report(&report, &now());
            let still = fleet.transitional();
            let settled: Vec<String> = changed.iter().filter(|n| !still.contains(n) && fleet.node(n).is_some_and(|l| !l.missing)).cloned().collect();
            (changed, settled)
        };
        self.notify_fleet(&changed, Vec::new());
        if !settled.is_empty() {
            // Their addresses are final now: save them as a wait would have.
            if let Err(e) = engine.update(&Selection::names(&settled), &self.closed).await {
                lock(&self.fleet).record_error(&now(), &poni_cloud::Coded::payload(&e), None);
            }
        }
        Ok(!changed.is_empty())
    }

    /// The refresh's events update the fleet but are not an operation the UI tracks.
    fn refresh_sink(self: &Arc<Self>) -> EventSink {
        let inner = Arc::clone(self);
        Arc::new(move |event: EngineEvent| {
            let changed = lock(&inner.fleet).apply(&event, &now(), None);
            inner.notify_fleet(&changed, Vec::new());
        })
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.closed.cancel();
    }
}
