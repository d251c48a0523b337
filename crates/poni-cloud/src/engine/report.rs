//! What an operation did, node by node, and why a whole operation can fail.

use poni_repo::ErrorCode;
use serde::Serialize;
use ts_rs::TS;

use super::events::Operation;
use crate::aws::{CloudError, InstanceState};
use crate::error::{Coded, ErrorPayload};
use crate::plan::{Refusal, SelectionError};

/// How one node came out of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Outcome {
    /// A new instance was launched.
    Launched,
    /// An instance an interrupted init had launched was found and adopted.
    Reused,
    /// Left alone (init: the node already has an instance).
    Skipped,
    /// The instance reached the state waited for.
    Ready,
    /// The node's properties were refreshed (or were already right).
    Updated,
    /// EC2 accepted the terminate, stop or start request.
    Requested,
    /// The node has no `cloud.instance`, so there was nothing to do.
    NoInstance,
    /// The instance's state was read (status query).
    Queried,
    /// A snapshot of each of the instance's EBS volumes was made.
    SnapshotCreated,
    /// The instance's volumes were swapped for new ones from a snapshot, and it runs again.
    Reverted,
    /// The named snapshots were deleted.
    SnapshotRemoved,
    Failed,
    TimedOut,
    Cancelled,
}

impl Outcome {
    pub fn is_failure(self) -> bool {
        matches!(self, Outcome::Failed | Outcome::TimedOut)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NodeReport {
    pub node: String,
    pub outcome: Outcome,
    pub instance_id: Option<String>,
    /// The instance state last seen.
    pub state: Option<InstanceState>,
    pub error: Option<ErrorPayload>,
}

impl NodeReport {
    pub fn new(node: &str, outcome: Outcome) -> NodeReport {
        NodeReport { node: node.to_owned(), outcome, instance_id: None, state: None, error: None }
    }

    pub fn with_instance(mut self, id: Option<&str>) -> NodeReport {
        self.instance_id = id.map(str::to_owned);
        self
    }

    pub fn with_state(mut self, state: InstanceState) -> NodeReport {
        self.state = Some(state);
        self
    }

    pub fn failed(node: &str, instance_id: Option<&str>, error: ErrorPayload) -> NodeReport {
        NodeReport { error: Some(error), ..NodeReport::new(node, Outcome::Failed).with_instance(instance_id) }
    }
}

/// Every node an operation selected, in tree order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OperationReport {
    pub operation: Operation,
    pub nodes: Vec<NodeReport>,
    pub cancelled: bool,
}

impl OperationReport {
    pub fn count(&self, outcome: Outcome) -> usize {
        self.nodes.iter().filter(|n| n.outcome == outcome).count()
    }

    pub fn failures(&self) -> usize {
        self.nodes.iter().filter(|n| n.outcome.is_failure()).count()
    }

    pub fn node(&self, name: &str) -> Option<&NodeReport> {
        self.nodes.iter().find(|n| n.node == name)
    }
}

/// Why a whole operation could not run. Per-node failures are in the report instead.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("{0}")]
    Repo(#[from] poni_repo::RepoError),
    #[error("{0}")]
    Selection(#[from] SelectionError),
    /// Init launches nothing while any selected node is invalid.
    #[error("{0}")]
    Refused(Refusal),
    #[error("{0}")]
    Cloud(#[from] CloudError),
    /// The one node an operation is about cannot be acted on (no instance, a bad region).
    #[error("{0}")]
    Node(ErrorPayload),
    /// The request itself is wrong, whatever the nodes (e.g. a snapshot name).
    #[error("{0}")]
    Input(ErrorPayload),
}

impl EngineError {
    /// Whether the user's input is at fault (a pattern, a name, a property), not the cloud.
    pub fn is_bad_input(&self) -> bool {
        self.code().is_bad_input()
    }
}

impl Coded for EngineError {
    fn code(&self) -> ErrorCode {
        match self {
            EngineError::Repo(e) => e.code(),
            EngineError::Selection(e) => e.code(),
            EngineError::Refused(e) => e.code(),
            EngineError::Cloud(e) => e.code(),
            EngineError::Node(e) => e.code,
            EngineError::Input(e) => e.code,
        }
    }
}
