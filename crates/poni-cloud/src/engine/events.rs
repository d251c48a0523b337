//! What the engine tells while it works: typed events for the CLI (log lines) and the desktop
//! app (live views). Serialized with a `kind` tag and camelCase fields; the desktop crate
//! exports the TypeScript types.

use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

use crate::aws::InstanceState;
use crate::error::{ErrorCode, ErrorPayload};
use crate::health::InstanceHealth;
use crate::plan::SkipReason;

/// Where events go. Called from the engine's task, so it must return quickly.
pub type EventSink = Arc<dyn Fn(EngineEvent) + Send + Sync>;

/// A sink that drops everything.
pub fn no_events() -> EventSink {
    Arc::new(|_| {})
}

/// The operations the engine carries out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Operation {
    Init,
    Wait,
    Update,
    Terminate,
    Stop,
    Start,
    Status,
    /// `cloud create-snapshot`: a named snapshot of each EBS volume of the instance.
    CreateSnapshot,
    /// `cloud revert-to-snapshot`: the volumes swapped for new ones made from a named snapshot.
    RevertToSnapshot,
    /// `cloud remove-snapshot`: a named snapshot deleted.
    RemoveSnapshot,
}

impl Operation {
    /// The past tense the CLI prints: `terminated: drumbo1`.
    pub fn done_verb(self) -> &'static str {
        match self {
            Operation::Init => "initialized",
            Operation::Wait => "ready",
            Operation::Update => "updated",
            Operation::Terminate => "terminated",
            Operation::Stop => "stopped",
            Operation::Start => "started",
            Operation::Status => "queried",
            Operation::CreateSnapshot => "snapshotted",
            Operation::RevertToSnapshot => "reverted",
            Operation::RemoveSnapshot => "cleared of the snapshot",
        }
    }
}

/// One problem with one property of a node that cannot be launched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PropertyProblem {
    /// e.g. `cloud.image`.
    pub property: String,
    /// `node.missing_property` or `node.invalid_property`.
    pub code: ErrorCode,
    pub message: String,
}

/// One step of a snapshot operation on a node's volumes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum SnapshotStep {
    /// EC2 accepted CreateSnapshot for the volume at `device`.
    SnapshotStarted,
    /// The snapshot is complete: it can be reverted to.
    SnapshotCompleted,
    /// A snapshot was deleted (remove-snapshot, or an older one of the same name replaced).
    SnapshotDeleted,
    /// Revert: a new volume was made from the snapshot, in the instance's zone.
    VolumeCreated,
    /// Revert: a volume was detached from the instance.
    VolumeDetached,
    /// Revert: a volume was attached at `device`.
    VolumeAttached,
    /// Revert: a volume was deleted (the old ones once the revert succeeded, new ones of a
    /// revert that failed).
    VolumeDeleted,
}

impl SnapshotStep {
    /// In words, for log lines: `snapshot started`.
    pub fn words(self) -> &'static str {
        match self {
            SnapshotStep::SnapshotStarted => "snapshot started",
            SnapshotStep::SnapshotCompleted => "snapshot completed",
            SnapshotStep::SnapshotDeleted => "snapshot deleted",
            SnapshotStep::VolumeCreated => "volume created",
            SnapshotStep::VolumeDetached => "volume detached",
            SnapshotStep::VolumeAttached => "volume attached",
            SnapshotStep::VolumeDeleted => "volume deleted",
        }
    }
}

/// A top-level property the engine changed, with its value before (`null`: not set).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PropertyChange {
    pub key: String,
    pub old: Option<Value>,
    pub new: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum EngineEvent {
    /// The nodes are selected; `nodes` is how many the operation works on.
    OperationStarted {
        operation: Operation,
        nodes: u32,
    },
    /// A node's properties do not allow a launch; nothing is launched when any node is invalid.
    NodeInvalid {
        node: String,
        problems: Vec<PropertyProblem>,
    },
    /// A node left alone, e.g. init of a node that already has an instance.
    NodeSkipped {
        node: String,
        instance_id: Option<String>,
        reason: SkipReason,
        message: String,
    },
    /// Something worth knowing that does not stop the operation (e.g. a missing key file).
    Warning {
        node: Option<String>,
        code: ErrorCode,
        message: String,
    },
    /// A node got an instance (`reused`: found one an earlier, interrupted init launched).
    Launched {
        node: String,
        instance_id: String,
        region: String,
        image: String,
        key_pair: String,
        provider: String,
        reused: bool,
    },
    /// One poll of a wait: `ready` of `total` instances are in `state`.
    WaitProgress {
        state: InstanceState,
        ready: u32,
        total: u32,
    },
    /// An instance was seen in a new state (`from` is null on the first sighting) at `at` (RFC 3339).
    StateChanged {
        node: String,
        instance_id: String,
        from: Option<InstanceState>,
        to: InstanceState,
        at: String,
    },
    /// EC2's status checks of a node's running instance, when a wait first sees them and each
    /// time they change (a wait for `running` waits for both to pass where
    /// `cloud.check_health` is not false).
    ChecksChanged {
        node: String,
        health: InstanceHealth,
        at: String,
    },
    /// A snapshot operation did one step on one of a node's volumes.
    SnapshotProgress {
        node: String,
        instance_id: String,
        step: SnapshotStep,
        /// The device the volume is (or was) attached at, e.g. `/dev/xvda`.
        device: Option<String>,
        volume_id: Option<String>,
        snapshot_id: Option<String>,
    },
    /// Node properties the engine saved (addresses after a wait or update).
    PropertiesUpdated {
        node: String,
        changes: Vec<PropertyChange>,
    },
    /// EC2 accepted a terminate, stop or start request for a node's instance.
    StateChangeRequested {
        node: String,
        instance_id: String,
        operation: Operation,
        previous: InstanceState,
        current: InstanceState,
    },
    /// The operation failed for this node; the others carry on.
    NodeFailed {
        node: String,
        instance_id: Option<String>,
        error: ErrorPayload,
    },
    OperationFinished {
        operation: Operation,
        succeeded: u32,
        failed: u32,
        cancelled: bool,
    },
}

impl EngineEvent {
    /// A short label for logs: the serialized `kind`.
    pub fn kind(&self) -> &'static str {
        match self {
            EngineEvent::OperationStarted { .. } => "operationStarted",
            EngineEvent::NodeInvalid { .. } => "nodeInvalid",
            EngineEvent::NodeSkipped { .. } => "nodeSkipped",
            EngineEvent::Warning { .. } => "warning",
            EngineEvent::Launched { .. } => "launched",
            EngineEvent::WaitProgress { .. } => "waitProgress",
            EngineEvent::StateChanged { .. } => "stateChanged",
            EngineEvent::ChecksChanged { .. } => "checksChanged",
            EngineEvent::SnapshotProgress { .. } => "snapshotProgress",
            EngineEvent::PropertiesUpdated { .. } => "propertiesUpdated",
            EngineEvent::StateChangeRequested { .. } => "stateChangeRequested",
            EngineEvent::NodeFailed { .. } => "nodeFailed",
            EngineEvent::OperationFinished { .. } => "operationFinished",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn events_serialize_with_a_kind_tag_and_camel_case_fields() {
        let event = EngineEvent::StateChanged {
            node: "drumbo1".into(),
            instance_id: "i-1".into(),
            from: None,
            to: InstanceState::Running,
            at: "2024-01-01T00:00:00Z".into(),
        };
        assert_eq!(
            serde_json::to_value(&event).unwrap(),
            json!({"kind": "stateChanged", "node": "drumbo1", "instanceId": "i-1", "from": null, "to": "running", "at": "2024-01-01T00:00:00Z"})
        );
        assert_eq!(event.kind(), "stateChanged");
        let finished = EngineEvent::OperationFinished { operation: Operation::Terminate, succeeded: 4, failed: 0, cancelled: false };
        assert_eq!(serde_json::to_value(&finished).unwrap()["operation"], json!("terminate"));
    }

    #[test]
    fn checks_travel_with_the_node() {
        let event = EngineEvent::ChecksChanged {
            node: "web/frontend1".into(),
            health: InstanceHealth {
                instance_id: "i-1".into(),
                system: crate::health::CheckStatus::Ok,
                instance: crate::health::CheckStatus::Initializing,
                events: vec![],
            },
            at: "2024-01-01T00:00:00Z".into(),
        };
        assert_eq!(
            serde_json::to_value(&event).unwrap(),
            json!({"kind": "checksChanged", "node": "web/frontend1", "health": {"instanceId": "i-1", "system": "ok", "instance": "initializing", "events": []}, "at": "2024-01-01T00:00:00Z"})
        );
        let step = EngineEvent::SnapshotProgress {
            node: "n".into(),
            instance_id: "i-1".into(),
            step: SnapshotStep::VolumeAttached,
            device: Some("/dev/xvda".into()),
            volume_id: Some("vol-1".into()),
            snapshot_id: None,
        };
        assert_eq!(serde_json::to_value(&step).unwrap()["step"], json!("volumeAttached"));
        assert_eq!(serde_json::to_value(Operation::RevertToSnapshot).unwrap(), json!("revertToSnapshot"));
    }

    #[test]
    fn typescript_declarations_name_the_tag() {
        let decl = EngineEvent::decl(&ts_rs::Config::new());
        assert!(decl.contains("\"kind\": \"launched\""), "{decl}");
        assert!(decl.contains("instanceId"), "{decl}");
    }
}
