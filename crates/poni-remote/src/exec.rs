//! One command on many nodes (poni's `remote exec`, the app's Run command): in parallel up to
//! a limit, each node within a time limit, no new node started after N failures or a
//! cancel, and every node's output handed on as it arrives. Identical outputs can then be
//! grouped ([`group_outputs`]).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use crate::error::RemoteError;
use crate::host_key::HostKeyCheck;
use crate::ssh::{self, ConnectOptions, Session, Stream};
use crate::target::SshTarget;

/// Nodes at once, at most (each is a connection and a task; more only queue at the server).
pub const MAX_CONCURRENCY: usize = 1000;

/// The most output kept per node for the summary and grouping (the live stream has it all).
pub const KEPT_OUTPUT: usize = 256 * 1024;

#[derive(Debug, Clone)]
pub struct RunOptions {
    /// How many nodes run at once.
    pub concurrency: usize,
    /// How long a node's command may run (after connecting); None: no limit.
    pub timeout: Option<Duration>,
    /// Start no more nodes once this many have failed.
    pub stop_after_failures: Option<usize>,
    pub connect: ConnectOptions,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions { concurrency: 20, timeout: None, stop_after_failures: None, connect: ConnectOptions::default() }
    }
}

/// How one node's run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeOutcome {
    /// The command ran and exited with this status.
    Exited(u32),
    /// The command was killed by a signal (or ended without a status).
    Signalled(Option<String>),
    /// It could not be run there: connecting, logging in, or the time limit.
    Failed(RemoteError),
    /// Never tried, as poni skips them: a template, a node without an address.
    Skipped(RemoteError),
    /// Not started: cancelled, or the failure limit was reached first.
    NotRun,
}

impl NodeOutcome {
    pub fn succeeded(&self) -> bool {
        matches!(self, NodeOutcome::Exited(0))
    }

    /// Counts toward the failure limit and the command line's exit status.
    pub fn failed(&self) -> bool {
        matches!(self, NodeOutcome::Exited(1..) | NodeOutcome::Signalled(_) | NodeOutcome::Failed(_))
    }
}

/// One node's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeResult {
    pub node: String,
    pub host: Option<String>,
    pub outcome: NodeOutcome,
    pub duration: Duration,
    /// stdout and stderr as they came, up to [`KEPT_OUTPUT`] bytes.
    pub output: Vec<u8>,
    pub truncated: bool,
}

/// What a run reports while it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
// One event per chunk or node, handed on at once: the size of the largest is no cost.
#[allow(clippy::large_enum_variant)]
pub enum NodeEvent {
    Started { index: usize },
    Output { index: usize, stream: Stream, bytes: Vec<u8> },
    Finished { index: usize, result: NodeResult },
}

pub type Events = Arc<dyn Fn(NodeEvent) + Send + Sync>;

/// What a job gives back for one node it ran on.
pub struct JobOutput {
    pub outcome: NodeOutcome,
    pub output: Vec<u8>,
    pub truncated: bool,
}

/// Work done on each node once connected: a command (here), a copy ([`crate::copy`]).
pub trait NodeJob: Send + Sync + 'static {
    fn run<'a>(&'a self, index: usize, target: &'a SshTarget, session: &'a Session, events: &'a Events) -> BoxFuture<'a, JobOutput>;
}

/// Runs `command` on every target (an `Err` is a node skipped, with its reason). Results
/// come back in the targets' order; events carry the target's index.
pub async fn run_many(
    targets: Vec<(String, Result<SshTarget, RemoteError>)>,
    command: &str,
    check: Arc<HostKeyCheck>,
    options: &RunOptions,
    cancel: CancellationToken,
    events: Events,
) -> Vec<NodeResult> {
    let job = Arc::new(CommandJob::new(command, options.timeout));
    run_on_nodes(targets, job, check, options, cancel, events).await
}

/// Runs `job` on every target, at most `options.concurrency` at once.
pub async fn run_on_nodes(
    targets: Vec<(String, Result<SshTarget, RemoteError>)>,
    job: Arc<dyn NodeJob>,
    check: Arc<HostKeyCheck>,
    options: &RunOptions,
    cancel: CancellationToken,
    events: Events,
) -> Vec<NodeResult> {
    let permits = Arc::new(Semaphore::new(options.concurrency.clamp(1, MAX_CONCURRENCY)));
    let failures = Arc::new(AtomicUsize::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    // Which node each task is, so a task that panicked still has its place in the results.
    let mut task_nodes = std::collections::HashMap::new();
    let count = targets.len();
    for (index, (node, target)) in targets.into_iter().enumerate() {
        let target = match target {
            Ok(t) => t,
            Err(reason) => {
                let result =
                    NodeResult { node, host: None, outcome: NodeOutcome::Skipped(reason), duration: Duration::ZERO, output: Vec::new(), truncated: false };
                events(NodeEvent::Finished { index, result: result.clone() });
                let label = (index, result.node.clone(), None);
                let task = tasks.spawn(async move { (index, result) });
                task_nodes.insert(task.id(), label);
                continue;
            }
        };
        let label = (index, target.node.clone(), Some(target.host.clone()));
        let (permits, failures, check, events, cancel, job) = (permits.clone(), failures.clone(), check.clone(), events.clone(), cancel.clone(), job.clone());
        let options = options.clone();
        let task = tasks.spawn(async move {
            let not_run = |target: &SshTarget| NodeResult {
                node: target.node.clone(),
                host: Some(target.host.clone()),
                outcome: NodeOutcome::NotRun,
                duration: Duration::ZERO,
                output: Vec::new(),
                truncated: false,
            };
            let permit = tokio::select! {
                p = permits.acquire_owned() => p,
                _ = cancel.cancelled() => {
                    let result = not_run(&target);
                    events(NodeEvent::Finished { index, result: result.clone() });
                    return (index, result);
                }
            };
            let over_limit = options.stop_after_failures.is_some_and(|n| failures.load(Ordering::SeqCst) >= n);
            if permit.is_err() || cancel.is_cancelled() || over_limit {
                let result = not_run(&target);
                events(NodeEvent::Finished { index, result: result.clone() });
                return (index, result);
            }
            events(NodeEvent::Started { index });
            let started = Instant::now();
            let done = tokio::select! {
                done = async {
                    let session = match ssh::connect(&target, check, &options.connect).await {
                        Ok(s) => s,
                        Err(e) => return JobOutput { outcome: NodeOutcome::Failed(e), output: Vec::new(), truncated: false },
                    };
                    let done = job.run(index, &target, &session, &events).await;
                    session.close().await;
                    done
                } => done,
                _ = cancel.cancelled() => JobOutput { outcome: NodeOutcome::Failed(RemoteError::Cancelled), output: Vec::new(), truncated: false },
            };
            if done.outcome.failed() {
                failures.fetch_add(1, Ordering::SeqCst);
            }
            let result = NodeResult {
                node: target.node.clone(),
                host: Some(target.host.clone()),
                outcome: done.outcome,
                duration: started.elapsed(),
                output: done.output,
                truncated: done.truncated,
            };
            events(NodeEvent::Finished { index, result: result.clone() });
            (index, result)
        });
        task_nodes.insert(task.id(), label);
    }
    let mut results: Vec<Option<NodeResult>> = vec![None; count];
    while let Some(joined) = tasks.join_next_with_id().await {
        match joined {
            Ok((_, (index, result))) => results[index] = Some(result),
            // A node's task that panicked is that node's failure, in its place.
            Err(e) => {
                if let Some((index, node, host)) = task_nodes.remove(&e.id()) {
                    let reason = RemoteError::Protocol { host: host.clone().unwrap_or_default(), reason: "the connection's task failed".into() };
                    results[index] =
                        Some(NodeResult { node, host, outcome: NodeOutcome::Failed(reason), duration: Duration::ZERO, output: Vec::new(), truncated: false });
                }
            }
        }
    }
    results.into_iter().flatten().collect()
}

/// A shell command, within an optional time limit.
pub struct CommandJob {
    command: String,
    timeout: Option<Duration>,
}

impl CommandJob {
    pub fn new(command: &str, timeout: Option<Duration>) -> CommandJob {
        CommandJob { command: command.to_owned(), timeout }
    }
}

impl NodeJob for CommandJob {
    fn run<'a>(&'a self, index: usize, _target: &'a SshTarget, session: &'a Session, events: &'a Events) -> BoxFuture<'a, JobOutput> {
        Box::pin(async move {
            let mut output = Vec::new();
            let mut truncated = false;
            let run = session.exec(&self.command, |stream, bytes| {
                let room = KEPT_OUTPUT.saturating_sub(output.len());
                truncated |= bytes.len() > room;
                output.extend_from_slice(&bytes[..bytes.len().min(room)]);
                events(NodeEvent::Output { index, stream, bytes: bytes.to_vec() });
            });
            let ended = match self.timeout {
                Some(limit) => match tokio::time::timeout(limit, run).await {
                    Ok(r) => r,
                    Err(_) => Err(RemoteError::CommandTimeout { seconds: limit.as_secs() }),
                },
                None => run.await,
            };
            let outcome = match ended {
                Ok(end) => match end.exit_status {
                    Some(status) => NodeOutcome::Exited(status),
                    None => NodeOutcome::Signalled(end.signal),
                },
                Err(e) => NodeOutcome::Failed(e),
            };
            JobOutput { outcome, output, truncated }
        })
    }
}

/// Nodes whose output and ending are the same, together: the biggest group first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct OutputGroup {
    /// Indexes into the results.
    pub members: Vec<usize>,
    pub output: String,
    /// The exit status the group shares (None: not an exit).
    pub exit_status: Option<u32>,
}

/// Groups the nodes that ran by (output, exit status). Nodes skipped or not run are left out.
pub fn group_outputs(results: &[NodeResult]) -> Vec<OutputGroup> {
    let mut groups: Vec<OutputGroup> = Vec::new();
    for (i, r) in results.iter().enumerate() {
        let exit_status = match &r.outcome {
            NodeOutcome::Exited(s) => Some(*s),
            NodeOutcome::Signalled(_) | NodeOutcome::Failed(_) => None,
            NodeOutcome::Skipped(_) | NodeOutcome::NotRun => continue,
        };
        let output = match &r.outcome {
            NodeOutcome::Failed(e) => e.to_string(),
            _ => String::from_utf8_lossy(&r.output).into_owned(),
        };
        match groups.iter_mut().find(|g| g.output == output && g.exit_status == exit_status) {
            Some(g) => g.members.push(i),
            None => groups.push(OutputGroup { members: vec![i], output, exit_status }),
        }
    }
    groups.sort_by(|a, b| b.members.len().cmp(&a.members.len()).then(a.members[0].cmp(&b.members[0])));
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(node: &str, outcome: NodeOutcome, output: &str) -> NodeResult {
        NodeResult { node: node.into(), host: None, outcome, duration: Duration::ZERO, output: output.as_bytes().to_vec(), truncated: false }
    }

    #[test]
    fn identical_outputs_are_one_group_and_the_odd_ones_stand_apart() {
        let results = vec![
            result("a", NodeOutcome::Exited(0), "ok\n"),
            result("b", NodeOutcome::Exited(0), "ok\n"),
            result("c", NodeOutcome::Exited(3), "ok\n"),
            result("d", NodeOutcome::Skipped(RemoteError::Template { node: "d".into() }), ""),
            result("e", NodeOutcome::Exited(0), "ok\n"),
            result("f", NodeOutcome::Failed(RemoteError::Refused { host: "h".into(), port: 22 }), ""),
        ];
        let groups = group_outputs(&results);
        assert_eq!(groups.iter().map(|g| g.members.clone()).collect::<Vec<_>>(), vec![vec![0, 1, 4], vec![2], vec![5]]);
        assert_eq!(groups[1].exit_status, Some(3));
        assert!(groups[2].output.contains("refused"));
        assert!(results[2].outcome.failed() && !results[3].outcome.failed() && results[5].outcome.failed());
    }
}
