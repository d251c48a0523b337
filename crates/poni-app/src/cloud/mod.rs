//! The desktop's cloud side, with no Tauri: credentials and settings, what an action will do
//! (launch preview, confirmation lists, the ssh command), the live fleet model, the fleet wall
//! (health, load and cost of every instance), and the cloud session that runs engine
//! operations in the background for the open workspace.

pub mod account;
pub mod credentials;
pub mod event_line;
pub mod existing;
pub mod fleet;
pub mod preview;
pub mod sandbox;
pub mod scope;
pub mod session;
pub mod sso;
pub mod time;
pub mod wall;
pub mod wording;

pub use account::{AccountService, AccountStatus, LaunchChecks, LaunchWarning, OpenedGroup, RegionList, SshAccessRequest, SshFromHere, WarningKind};
pub use credentials::{CloudCredentials, CredentialChoice, CredentialStatus, NewCredentialSet, StoredCredentialSet};
pub use existing::{AccountInstance, ImportPreviewNode, ImportRequest, Tracking};
pub use fleet::{Fleet, FleetChange, FleetOverview, NodeLive};
pub use poni_cloud::aws::InstanceState;
pub use preview::{reference, Affected, CloudReference, ConfirmAction, ConnectCommand, LaunchPreview};
pub use sandbox::{Sandbox, SandboxPace, SandboxPhase, SandboxStatus};
pub use scope::Scope;
pub use session::{CloudAction, CloudNotice, CloudSession, NoticeSink, OperationRequest, OperationState, OperationStatus, SessionOptions};
pub use sso::{SsoLogin, SsoLogins};
pub use wall::{FleetWall, TotalLine, WallAccount, WallAlert, WallRegion, WallRow, WallTotals};
pub use wording::FixAction;

use serde::Serialize;
use ts_rs::TS;

/// The payload of the `cloud-event` window event: an engine event of an operation.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct CloudEventPayload {
    pub operation_id: String,
    pub event: poni_cloud::engine::EngineEvent,
    /// The event as the activity log shows it.
    pub line: event_line::EventLine,
}

impl CloudEventPayload {
    pub fn new(operation_id: String, event: poni_cloud::engine::EngineEvent) -> Self {
        let line = event_line::event_line(&event);
        Self { operation_id, event, line }
    }
}
