//! The TypeScript types the UI uses are generated from the Rust types (ts-rs) and committed in
//! ui/src/bindings. This test fails when they drift; `UPDATE_BINDINGS=1 cargo test -p
//! poni-desktop bindings` rewrites them.

use poni_app::cloud::{
    Affected, CloudEventPayload, CloudReference, ConfirmAction, ConnectCommand, CredentialChoice, CredentialStatus, FleetChange, FleetOverview,
    LaunchPreview, NewCredentialSet, NodeLive, OperationRequest, OperationStatus, Scope, StoredCredentialSet,
};
use poni_app::cloud::{AccountInstance, ImportPreviewNode, ImportRequest};
use poni_app::poni_cloud::engine::drift::Drift;
use poni_app::cloud::{AccountStatus, LaunchChecks, RegionList, SandboxStatus, SshAccessRequest, SsoLogin};
use poni_app::poni_cloud::account::{ImageInfo, InstanceTypeInfo, KeyPairInfo, PublicKeyFile, SecurityGroupInfo, SshAccess, SubnetInfo};
use poni_app::check::{EditProblem, MoveCheck, NameProblem};
use poni_app::poni_repo::{HistoryView, UndoOutcome};
use poni_app::view::{ItemDetail, NodesPlan, NodesRequest, PropertyEdit, TreeView, WorkspaceInfo};
use poni_app::{AppError, Settings};
use poni_app::poni_vc::{Choice, CommitInfo, Conflict, PullOutcome, PushOutcome, RepoDiff, VcMode, VcStatus};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use ts_rs::{Config, TS};

fn export_all(dir: &Path) {
    let cfg = Config::new().with_out_dir(dir).with_large_int("number");
    ItemDetail::export_all(&cfg).unwrap();
    NodesPlan::export_all(&cfg).unwrap();
    NodesRequest::export_all(&cfg).unwrap();
    PropertyEdit::export_all(&cfg).unwrap();
    EditProblem::export_all(&cfg).unwrap();
    NameProblem::export_all(&cfg).unwrap();
    MoveCheck::export_all(&cfg).unwrap();
    HistoryView::export_all(&cfg).unwrap();
    UndoOutcome::export_all(&cfg).unwrap();
    TreeView::export_all(&cfg).unwrap();
    WorkspaceInfo::export_all(&cfg).unwrap();
    AppError::export_all(&cfg).unwrap();
    Settings::export_all(&cfg).unwrap();
    // Cloud: actions, progress, the live fleet, credentials.
    Scope::export_all(&cfg).unwrap();
    OperationRequest::export_all(&cfg).unwrap();
    OperationStatus::export_all(&cfg).unwrap();
    LaunchPreview::export_all(&cfg).unwrap();
    ConfirmAction::export_all(&cfg).unwrap();
    Affected::export_all(&cfg).unwrap();
    ConnectCommand::export_all(&cfg).unwrap();
    CloudReference::export_all(&cfg).unwrap();
    CloudEventPayload::export_all(&cfg).unwrap();
    FleetChange::export_all(&cfg).unwrap();
    FleetOverview::export_all(&cfg).unwrap();
    NodeLive::export_all(&cfg).unwrap();
    CredentialChoice::export_all(&cfg).unwrap();
    CredentialStatus::export_all(&cfg).unwrap();
    StoredCredentialSet::export_all(&cfg).unwrap();
    NewCredentialSet::export_all(&cfg).unwrap();
    // The account: lists to pick from, key pairs, SSH access, whose account, SSO, sandbox.
    RegionList::export_all(&cfg).unwrap();
    ImageInfo::export_all(&cfg).unwrap();
    InstanceTypeInfo::export_all(&cfg).unwrap();
    KeyPairInfo::export_all(&cfg).unwrap();
    PublicKeyFile::export_all(&cfg).unwrap();
    SecurityGroupInfo::export_all(&cfg).unwrap();
    SubnetInfo::export_all(&cfg).unwrap();
    SshAccessRequest::export_all(&cfg).unwrap();
    SshAccess::export_all(&cfg).unwrap();
    AccountStatus::export_all(&cfg).unwrap();
    LaunchChecks::export_all(&cfg).unwrap();
    SandboxStatus::export_all(&cfg).unwrap();
    SsoLogin::export_all(&cfg).unwrap();
    // Existing fleets.
    AccountInstance::export_all(&cfg).unwrap();
    ImportRequest::export_all(&cfg).unwrap();
    ImportPreviewNode::export_all(&cfg).unwrap();
    Drift::export_all(&cfg).unwrap();
    // History and sharing through git.
    VcStatus::export_all(&cfg).unwrap();
    VcMode::export_all(&cfg).unwrap();
    CommitInfo::export_all(&cfg).unwrap();
    RepoDiff::export_all(&cfg).unwrap();
    PullOutcome::export_all(&cfg).unwrap();
    Conflict::export_all(&cfg).unwrap();
    Choice::export_all(&cfg).unwrap();
    PushOutcome::export_all(&cfg).unwrap();
}

fn files(dir: &Path) -> BTreeMap<PathBuf, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "ts") {
                out.insert(path.strip_prefix(dir).unwrap().to_path_buf(), std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    out
}

#[test]
fn bindings_match_the_rust_types() {
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings");
    let fresh = tempfile::tempdir().unwrap();
    export_all(fresh.path());
    let generated = files(fresh.path());
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        let _ = std::fs::remove_dir_all(&committed);
        for (rel, text) in &generated {
            let path = committed.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        return;
    }
    assert_eq!(
        files(&committed),
        generated,
        "ui/src/bindings is out of date: run `UPDATE_BINDINGS=1 cargo test -p poni-desktop bindings` and commit the result"
    );
}
