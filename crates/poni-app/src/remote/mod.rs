//! After launch, from the app: a terminal on a node, one command on many nodes, files copied
//! to them, and the node's connection in the user's own terminal program. The SSH work and
//! poni's rules are in poni-remote; this module ties them to the open repository, the
//! account (console output), the practice sandbox and the window's streams.

pub mod connect;
pub mod external;
pub mod runs;
pub mod terminal;

use std::path::PathBuf;
use std::sync::Arc;

use poni_remote::copy::{plan_copy, CopyJob};
use poni_remote::host_key::UnknownKeys;
use poni_remote::{RemoteError, SshTarget, TargetEnv};

use crate::cloud::AccountService;
use crate::AppResult;
pub use connect::{ConnectQuestion, ConnectRequest};
pub use runs::{CopyRequest, NodeRun, NodeRunState, RunEvent, RunKind, RunRecord, RunRequest, RunSink, RunSummary, Runs};
pub use terminal::{TerminalEnd, TerminalInfo, TerminalSink, Terminals};

/// What the app holds for remote work: open terminals and runs.
pub struct RemoteService {
    pub terminals: Arc<Terminals>,
    pub runs: Arc<Runs>,
    /// `~/.ssh` elsewhere (tests).
    ssh_dir: Option<PathBuf>,
}

/// A terminal opened, or the question to answer first.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", tag = "kind")]
#[ts(rename_all = "camelCase")]
pub enum TerminalOpened {
    Open { terminal: TerminalInfo },
    Question { question: ConnectQuestion },
}

impl RemoteService {
    /// `runs_dir`: where finished runs are kept.
    pub fn new(runs_dir: Option<PathBuf>, ssh_dir: Option<PathBuf>) -> RemoteService {
        RemoteService { terminals: Arc::default(), runs: Arc::new(Runs::new(runs_dir)), ssh_dir }
    }

    pub fn env(&self) -> AppResult<TargetEnv> {
        connect::target_env(self.ssh_dir.as_deref())
    }

    /// Connects and starts a shell streaming to `sink`.
    #[allow(clippy::too_many_arguments)]
    pub async fn open_terminal(
        &self,
        tree: &poni_repo::Tree,
        request: &ConnectRequest,
        cols: u16,
        rows: u16,
        account: &AccountService,
        in_sandbox: bool,
        sink: Arc<dyn TerminalSink>,
    ) -> AppResult<TerminalOpened> {
        let env = self.env()?;
        match connect::connect_node(tree, request, &env, account, in_sandbox).await? {
            Ok((target, session)) => Ok(TerminalOpened::Open { terminal: self.terminals.open(&target, session, cols, rows, sink).await? }),
            Err(question) => Ok(TerminalOpened::Question { question }),
        }
    }

    /// The node's ssh in the user's own terminal program; returns the program's name.
    pub fn open_in_terminal(&self, tree: &poni_repo::Tree, node: &str, in_sandbox: bool) -> AppResult<String> {
        let target = connect::node_target(tree, node, &self.env()?, false, in_sandbox).map_err(|e| connect::remote_error(&e))?;
        external::open_in_terminal(&target)
    }

    fn targets(&self, tree: &poni_repo::Tree, nodes: &[String], in_sandbox: bool) -> AppResult<Vec<(String, Result<SshTarget, RemoteError>)>> {
        let env = self.env()?;
        Ok(nodes.iter().map(|n| (n.clone(), connect::node_target(tree, n, &env, false, in_sandbox))).collect())
    }

    /// Starts a command on the nodes; host keys never seen are saved on first use when the
    /// console output does not contradict them (asking for each of many nodes would not
    /// scale; a changed key is still refused for its node).
    pub async fn run_command(
        &self,
        tree: &poni_repo::Tree,
        request: RunRequest,
        account: &AccountService,
        in_sandbox: bool,
        sink: RunSink,
    ) -> AppResult<RunRecord> {
        let targets = self.targets(tree, &request.nodes, in_sandbox)?;
        let check = self.check_for(&targets, account).await?;
        let options = runs::run_options(&request);
        let job = Arc::new(poni_remote::exec::CommandJob::new(&request.command, options.timeout));
        Ok(self.runs.start(RunKind::Command, request.command.clone(), targets, job, check, options, sink))
    }

    /// Starts copying files to the nodes (what is sent is checked first).
    pub async fn copy_files(
        &self,
        tree: &poni_repo::Tree,
        request: CopyRequest,
        account: &AccountService,
        in_sandbox: bool,
        sink: RunSink,
    ) -> AppResult<RunRecord> {
        let sources: Vec<PathBuf> = request.sources.iter().map(PathBuf::from).collect();
        let plan = plan_copy(&sources, &request.destination, true, request.create_destination).map_err(|e| connect::remote_error(&e))?;
        let targets = self.targets(tree, &request.nodes, in_sandbox)?;
        let check = self.check_for(&targets, account).await?;
        let label = format!("{} -> {}", request.sources.join(" "), request.destination);
        Ok(self.runs.start(RunKind::Copy, label, targets, Arc::new(CopyJob { plan }), check, Default::default(), sink))
    }

    async fn check_for(&self, targets: &[(String, Result<SshTarget, RemoteError>)], account: &AccountService) -> AppResult<poni_remote::HostKeyCheck> {
        let env = self.env()?;
        let ok: Vec<&SshTarget> = targets.iter().filter_map(|(_, t)| t.as_ref().ok()).collect();
        connect::host_key_check(&ok, &env, account, UnknownKeys::AcceptNew, None, None).await.map_err(|e| connect::remote_error(&e))
    }
}
