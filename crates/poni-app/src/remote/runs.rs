//! Run command and Copy files on many nodes from the app: a run streams each node's state and
//! output to the window as it goes, can be cancelled, and is kept afterwards (command, time,
//! per-node status and output) in the app's own folder, never in the repository or its
//! history, so it can be reopened after a restart.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use poni_remote::exec::{self, group_outputs, NodeEvent, NodeOutcome, NodeResult, OutputGroup, RunOptions};
use poni_remote::{RemoteError, SshTarget};
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use crate::{AppError, AppResult};
use poni_repo::ErrorCode;

/// How many finished runs are kept.
const KEPT_RUNS: usize = 50;
/// The most of a node's output a saved run keeps.
const SAVED_OUTPUT: usize = 64 * 1024;
/// A saved run larger than this is not ours (nodes x output): not read.
const RUN_FILE_LIMIT: u64 = 64 * 1024 * 1024;

/// Run command on nodes.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct RunRequest {
    pub nodes: Vec<String>,
    pub command: String,
    /// Nodes at once (default 20).
    #[ts(optional)]
    pub concurrency: Option<u32>,
    /// Seconds a node's command may run (default: no limit).
    #[ts(optional)]
    pub timeout_seconds: Option<u32>,
    /// Start no more nodes after this many failed.
    #[ts(optional)]
    pub stop_after_failures: Option<u32>,
}

/// Copy files to nodes (poni's `remote cp`).
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct CopyRequest {
    pub nodes: Vec<String>,
    /// Local files and folders.
    pub sources: Vec<String>,
    /// The remote folder they go into.
    pub destination: String,
    /// Create the remote folder when it is missing.
    pub create_destination: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum RunKind {
    Command,
    Copy,
}

/// A node's state in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum NodeRunState {
    Waiting,
    Running,
    /// Exit status 0.
    Succeeded,
    /// A non-zero exit status, a signal, or it could not be reached.
    Failed,
    /// Never tried (a template, no address...), with the reason.
    Skipped,
    /// Not started: cancelled, or the failure limit came first.
    NotRun,
}

/// One node of a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct NodeRun {
    pub node: String,
    pub host: Option<String>,
    pub state: NodeRunState,
    pub exit_status: Option<u32>,
    /// Why it failed or was skipped, with its code.
    pub error: Option<AppError>,
    pub duration_ms: u64,
    /// stdout and stderr as they came (the start of it, when long).
    pub output: String,
    pub truncated: bool,
}

/// A run, as it is shown and kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct RunRecord {
    pub id: String,
    pub kind: RunKind,
    /// The command, or `SOURCES -> DESTINATION` for a copy.
    pub command: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub nodes: Vec<NodeRun>,
    /// Nodes with the same output and ending, biggest group first (when finished).
    pub groups: Vec<OutputGroup>,
}

/// A run in the list of past runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct RunSummary {
    pub id: String,
    pub kind: RunKind,
    pub command: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub nodes: usize,
    pub failed: usize,
}

/// What a run sends while it goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase", tag = "kind")]
#[ts(rename_all = "camelCase")]
pub enum RunEvent {
    Started {
        index: usize,
    },
    /// More output of one node (text; a character split across chunks waits for its end).
    Output {
        index: usize,
        text: String,
    },
    Finished {
        index: usize,
        node: NodeRun,
    },
    /// The whole run, finished and saved.
    Done {
        run: RunRecord,
    },
}

pub type RunSink = Arc<dyn Fn(RunEvent) + Send + Sync>;

impl NodeRun {
    fn waiting(node: &str, target: &Result<SshTarget, RemoteError>) -> NodeRun {
        let (state, error, host) = match target {
            Ok(t) => (NodeRunState::Waiting, None, Some(t.host.clone())),
            Err(e) => (NodeRunState::Skipped, Some(super::connect::remote_error(e)), None),
        };
        NodeRun { node: node.to_owned(), host, state, exit_status: None, error, duration_ms: 0, output: String::new(), truncated: false }
    }

    fn of(result: &NodeResult) -> NodeRun {
        let (state, exit_status, error) = match &result.outcome {
            NodeOutcome::Exited(0) => (NodeRunState::Succeeded, Some(0), None),
            NodeOutcome::Exited(s) => (NodeRunState::Failed, Some(*s), None),
            NodeOutcome::Signalled(signal) => (
                NodeRunState::Failed,
                None,
                Some(AppError::new(
                    ErrorCode::RemoteDropped,
                    format!("the command ended without an exit status{}", signal.as_ref().map(|s| format!(" (signal {s})")).unwrap_or_default()),
                )),
            ),
            NodeOutcome::Failed(e) => (NodeRunState::Failed, None, Some(super::connect::remote_error(e))),
            NodeOutcome::Skipped(e) => (NodeRunState::Skipped, None, Some(super::connect::remote_error(e))),
            NodeOutcome::NotRun => (NodeRunState::NotRun, None, None),
        };
        let kept = &result.output[..result.output.len().min(SAVED_OUTPUT)];
        NodeRun {
            node: result.node.clone(),
            host: result.host.clone(),
            state,
            exit_status,
            error,
            duration_ms: result.duration.as_millis() as u64,
            output: String::from_utf8_lossy(kept).into_owned(),
            truncated: result.truncated || result.output.len() > SAVED_OUTPUT,
        }
    }
}

impl RunRecord {
    pub fn summary(&self) -> RunSummary {
        RunSummary {
            id: self.id.clone(),
            kind: self.kind,
            command: self.command.clone(),
            started_at: self.started_at.clone(),
            finished_at: self.finished_at.clone(),
            nodes: self.nodes.len(),
            failed: self.nodes.iter().filter(|n| n.state == NodeRunState::Failed).count(),
        }
    }
}

/// Runs going on, and the folder finished ones are kept in.
pub struct Runs {
    dir: Option<PathBuf>,
    going: Mutex<HashMap<String, CancellationToken>>,
    /// The last id's milliseconds: two runs in one millisecond still get two ids.
    last: Mutex<u128>,
}

impl Runs {
    /// `dir`: where finished runs are kept (the app's config folder's `runs`); None: not kept.
    pub fn new(dir: Option<PathBuf>) -> Runs {
        Runs { dir, going: Mutex::new(HashMap::new()), last: Mutex::new(0) }
    }

    /// `run-<milliseconds>-<pid>`, the milliseconds made unique in this process.
    fn new_id(&self) -> String {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis());
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        *last = now.max(*last + 1);
        format!("run-{}-{}", *last, std::process::id())
    }

    /// Starts `job` on the targets; returns the run as it starts (every node waiting or
    /// skipped). Events follow on `sink`, `Done` last.
    #[allow(clippy::too_many_arguments)]
    pub fn start(
        self: &Arc<Self>,
        kind: RunKind,
        command: String,
        targets: Vec<(String, Result<SshTarget, RemoteError>)>,
        job: Arc<dyn exec::NodeJob>,
        check: poni_remote::HostKeyCheck,
        options: RunOptions,
        sink: RunSink,
    ) -> RunRecord {
        let id = self.new_id();
        let record = RunRecord {
            id: id.clone(),
            kind,
            command,
            started_at: crate::cloud::time::now(),
            finished_at: None,
            nodes: targets.iter().map(|(n, t)| NodeRun::waiting(n, t)).collect(),
            groups: Vec::new(),
        };
        let cancel = CancellationToken::new();
        self.going.lock().unwrap_or_else(|e| e.into_inner()).insert(id.clone(), cancel.clone());
        let runs = self.clone();
        let started = record.clone();
        tokio::spawn(async move {
            let pending: Arc<Mutex<HashMap<usize, Vec<u8>>>> = Arc::default();
            let events: exec::Events = {
                let sink = sink.clone();
                Arc::new(move |event| match event {
                    NodeEvent::Started { index } => sink(RunEvent::Started { index }),
                    NodeEvent::Output { index, bytes, .. } => {
                        let mut pending = pending.lock().unwrap_or_else(|e| e.into_inner());
                        let buffer = pending.entry(index).or_default();
                        buffer.extend_from_slice(&bytes);
                        let text = poni_remote::text::complete_utf8(buffer);
                        if !text.is_empty() {
                            sink(RunEvent::Output { index, text });
                        }
                    }
                    NodeEvent::Finished { index, result } => sink(RunEvent::Finished { index, node: NodeRun::of(&result) }),
                })
            };
            let results = exec::run_on_nodes(targets, job, Arc::new(check), &options, cancel, events).await;
            let mut record = started;
            record.nodes = results.iter().map(NodeRun::of).collect();
            record.groups = group_outputs(&results);
            record.finished_at = Some(crate::cloud::time::now());
            runs.going.lock().unwrap_or_else(|e| e.into_inner()).remove(&record.id);
            runs.save(&record);
            sink(RunEvent::Done { run: record });
        });
        record
    }

    /// False when the run is not going any more.
    pub fn cancel(&self, id: &str) -> bool {
        match self.going.lock().unwrap_or_else(|e| e.into_inner()).get(id) {
            Some(token) => {
                token.cancel();
                true
            }
            None => false,
        }
    }

    fn save(&self, record: &RunRecord) {
        let Some(dir) = &self.dir else { return };
        if poni_repo::store::create_dir_all(dir).is_err() {
            return;
        }
        if let Ok(text) = serde_json::to_vec(record) {
            let _ = poni_repo::store::write_atomic(&dir.join(format!("{}.json", record.id)), &text);
        }
        // The oldest go once there are too many.
        let mut files = run_files(dir);
        if files.len() > KEPT_RUNS {
            // By time, as numbers (as text "run-9" would sort after "run-10").
            files.sort_by_key(|f| run_time(f));
            for old in &files[..files.len() - KEPT_RUNS] {
                let _ = std::fs::remove_file(old);
            }
        }
    }

    /// Past runs, newest first. A damaged or foreign file is left out.
    pub fn list(&self) -> Vec<RunSummary> {
        let Some(dir) = &self.dir else { return Vec::new() };
        let mut runs: Vec<RunSummary> = run_files(dir).iter().filter_map(|f| read_run(f)).map(|r| r.summary()).collect();
        runs.sort_by(|a, b| b.started_at.cmp(&a.started_at).then(b.id.cmp(&a.id)));
        runs
    }

    pub fn get(&self, id: &str) -> AppResult<RunRecord> {
        let missing = || AppError::new(ErrorCode::RepoNotFound, format!("The run '{id}' is not kept any more."));
        if !is_run_id(id) {
            return Err(missing());
        }
        let dir = self.dir.as_ref().ok_or_else(missing)?;
        read_run(&dir.join(format!("{id}.json"))).ok_or_else(missing)
    }
}

/// `run-<millis>-<pid>`: the only names read back, so an id can never name another file.
fn is_run_id(id: &str) -> bool {
    let mut parts = id.split('-');
    parts.next() == Some("run") && parts.clone().count() == 2 && parts.all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// The milliseconds in a run file's name.
fn run_time(file: &Path) -> u128 {
    file.file_name().and_then(|n| n.to_str()).and_then(|n| n.split('-').nth(1)).and_then(|t| t.parse().ok()).unwrap_or(0)
}

fn run_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    entries.filter_map(Result::ok).filter(|e| e.file_name().to_str().and_then(|n| n.strip_suffix(".json")).is_some_and(is_run_id)).map(|e| e.path()).collect()
}

/// Reads a saved run with the repository's own rules for files: no link followed, no FIFO
/// opened, bounded.
fn read_run(path: &Path) -> Option<RunRecord> {
    match poni_repo::store::read_limited(path, RUN_FILE_LIMIT).ok()? {
        poni_repo::store::Limited::Text(text) => serde_json::from_str(&text).ok(),
        _ => None,
    }
}

/// The defaults a run starts with: 20 at once, no time limit.
pub fn run_options(request: &RunRequest) -> RunOptions {
    RunOptions {
        concurrency: request.concurrency.map_or(20, |c| c.clamp(1, 200) as usize),
        timeout: request.timeout_seconds.filter(|s| *s > 0).map(|s| Duration::from_secs(u64::from(s))),
        stop_after_failures: request.stop_after_failures.filter(|n| *n > 0).map(|n| n as usize),
        connect: Default::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_run_files_are_read_back() {
        assert!(is_run_id("run-1765000000000-42"));
        for bad in ["run-1-2-3", "run--2", "../run-1-2", "run-1-2.json", "x-1-2", "run-1"] {
            assert!(!is_run_id(bad), "{bad}");
        }
        let dir = tempfile::tempdir().unwrap();
        let runs = Runs::new(Some(dir.path().to_path_buf()));
        std::fs::write(dir.path().join("run-5-1.json"), "not json").unwrap();
        std::fs::write(dir.path().join("other.json"), "{}").unwrap();
        let record = RunRecord {
            id: "run-7-1".into(),
            kind: RunKind::Command,
            command: "uptime".into(),
            started_at: "2026-12-07T10:00:00Z".into(),
            finished_at: None,
            nodes: vec![],
            groups: vec![],
        };
        runs.save(&record);
        assert_eq!(runs.list().iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["run-7-1"]);
        assert_eq!(runs.get("run-7-1").unwrap(), record);
        assert!(runs.get("../settings").is_err());
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path().join("run-7-1.json"), dir.path().join("run-8-1.json")).unwrap();
            assert!(runs.get("run-8-1").is_err(), "a link is not followed");
        }
    }
}
