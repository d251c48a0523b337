//! The IPC commands. Each is a few lines: take the context, call the core, return its data or
//! its `{code, message}` error. Every command is declared once, in list.rs (see declare.rs for
//! what is derived from it).

pub mod declare;

pub mod account;
pub mod cloud;
pub mod credentials;
pub mod edit;
pub mod existing;
pub mod history;
pub mod remote;
pub mod sandbox;
pub mod settings;
pub mod sso;
pub mod tree;
pub mod vc;
pub mod wall;
pub mod workspace;

use crate::stream::{ByteStream, Stream};
use declare::ipc_commands;
use poni_app::check::{EditProblem, MoveCheck, NameProblem};
use poni_app::cloud::{
    AccountInstance, AccountStatus, Affected, CloudReference, ConfirmAction, ConnectCommand, CredentialChoice, CredentialStatus, FleetOverview, FleetWall,
    ImportPreviewNode, ImportRequest, LaunchChecks, LaunchPreview, NewCredentialSet, NodeLive, OperationRequest, OperationStatus, RegionList, SandboxStatus,
    Scope, SshAccessRequest, SshFromHere, SsoLogin, StoredCredentialSet,
};
use poni_app::poni_cloud::account::{ImageInfo, InstanceTypeInfo, KeyPairInfo, PublicKeyFile, SecurityGroupInfo, SshAccess, SubnetInfo};
use poni_app::poni_cloud::engine::drift::{Drift, DriftField};
use poni_app::poni_cloud::engine::snapshots::SnapshotList;
use poni_app::poni_cloud::engine::ProtectionLifted;
use poni_app::poni_repo::{HistoryView, RunningInstance, UndoOutcome};
use poni_app::poni_vc::{Choice, CommitInfo, Conflict, PullOutcome, PushOutcome, RepoDiff, VcMode, VcStatus};
use poni_app::remote::{ConnectRequest, CopyRequest, RunEvent, RunRecord, RunRequest, RunSummary, TerminalEnd, TerminalOpened};
use poni_app::view::{ItemDetail, NodesPlan, NodesRequest, PropertyEdit, TreeView, WorkspaceInfo};
use poni_app::Settings;

include!("list.rs");
