//! The closed set of error and warning codes every layer uses: the repository, the cloud
//! engine, the desktop core and the command line. They cross IPC and the command line's
//! JSON as dotted strings (`repo.not_found`), and the UI gets them as a TypeScript union, so
//! a decision anywhere is made on a typed value, never on a message. This is the lowest
//! crate, so the one list lives here.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ts_rs::TS)]
pub enum ErrorCode {
    #[serde(rename = "app.ipc_failed")]
    AppIpcFailed,
    #[serde(rename = "cloud.account_blocked")]
    CloudAccountBlocked,
    #[serde(rename = "cloud.address_not_found")]
    CloudAddressNotFound,
    #[serde(rename = "cloud.ambiguous")]
    CloudAmbiguous,
    #[serde(rename = "cloud.auth_failed")]
    CloudAuthFailed,
    #[serde(rename = "cloud.bad_response")]
    CloudBadResponse,
    #[serde(rename = "cloud.busy")]
    CloudBusy,
    #[serde(rename = "cloud.connection_refused")]
    CloudConnectionRefused,
    #[serde(rename = "cloud.credentials")]
    CloudCredentials,
    #[serde(rename = "cloud.credentials_expired")]
    CloudCredentialsExpired,
    #[serde(rename = "cloud.empty_selection")]
    CloudEmptySelection,
    #[serde(rename = "cloud.error")]
    CloudError,
    #[serde(rename = "cloud.idempotency_mismatch")]
    CloudIdempotencyMismatch,
    #[serde(rename = "cloud.image_not_found")]
    CloudImageNotFound,
    #[serde(rename = "cloud.incorrect_state")]
    CloudIncorrectState,
    #[serde(rename = "cloud.instance_limit")]
    CloudInstanceLimit,
    #[serde(rename = "cloud.instance_not_found")]
    CloudInstanceNotFound,
    #[serde(rename = "cloud.instance_state")]
    CloudInstanceState,
    #[serde(rename = "cloud.insufficient_capacity")]
    CloudInsufficientCapacity,
    #[serde(rename = "cloud.invalid_endpoint")]
    CloudInvalidEndpoint,
    #[serde(rename = "cloud.invalid_instance_type")]
    CloudInvalidInstanceType,
    #[serde(rename = "cloud.invalid_parameter")]
    CloudInvalidParameter,
    #[serde(rename = "cloud.key_pair_not_found")]
    CloudKeyPairNotFound,
    #[serde(rename = "cloud.launch_record")]
    CloudLaunchRecord,
    #[serde(rename = "cloud.no_nodes")]
    CloudNoNodes,
    #[serde(rename = "cloud.no_operation")]
    CloudNoOperation,
    #[serde(rename = "cloud.not_a_node")]
    CloudNotANode,
    #[serde(rename = "cloud.not_a_system")]
    CloudNotASystem,
    #[serde(rename = "cloud.opt_in_required")]
    CloudOptInRequired,
    #[serde(rename = "cloud.orphan_instance")]
    CloudOrphanInstance,
    #[serde(rename = "cloud.security_group_not_found")]
    CloudSecurityGroupNotFound,
    #[serde(rename = "cloud.subnet_not_found")]
    CloudSubnetNotFound,
    #[serde(rename = "cloud.throttled")]
    CloudThrottled,
    #[serde(rename = "cloud.timeout")]
    CloudTimeout,
    #[serde(rename = "cloud.unauthorized")]
    CloudUnauthorized,
    #[serde(rename = "cloud.unavailable")]
    CloudUnavailable,
    #[serde(rename = "cloud.unreachable")]
    CloudUnreachable,
    #[serde(rename = "cloud.unsupported")]
    CloudUnsupported,
    #[serde(rename = "cloud.wait_timeout")]
    CloudWaitTimeout,
    #[serde(rename = "credentials.incomplete_environment")]
    CredentialsIncompleteEnvironment,
    #[serde(rename = "credentials.invalid")]
    CredentialsInvalid,
    #[serde(rename = "credentials.invalid_name")]
    CredentialsInvalidName,
    #[serde(rename = "credentials.invalid_profile")]
    CredentialsInvalidProfile,
    #[serde(rename = "credentials.keyring_corrupt")]
    CredentialsKeyringCorrupt,
    #[serde(rename = "credentials.keyring_locked")]
    CredentialsKeyringLocked,
    #[serde(rename = "credentials.keyring_unavailable")]
    CredentialsKeyringUnavailable,
    #[serde(rename = "credentials.missing")]
    CredentialsMissing,
    #[serde(rename = "credentials.not_found")]
    CredentialsNotFound,
    #[serde(rename = "credentials.profile_failed")]
    CredentialsProfileFailed,
    #[serde(rename = "credentials.profile_not_found")]
    CredentialsProfileNotFound,
    #[serde(rename = "credentials.profile_timeout")]
    CredentialsProfileTimeout,
    #[serde(rename = "credentials.sso_expired")]
    CredentialsSsoExpired,
    #[serde(rename = "credentials.sso_login_required")]
    CredentialsSsoLoginRequired,
    #[serde(rename = "history.changed_since")]
    HistoryChangedSince,
    #[serde(rename = "history.nothing_to_redo")]
    HistoryNothingToRedo,
    #[serde(rename = "history.nothing_to_undo")]
    HistoryNothingToUndo,
    #[serde(rename = "input.invalid_name")]
    InputInvalidName,
    #[serde(rename = "input.invalid_pattern")]
    InputInvalidPattern,
    #[serde(rename = "input.invalid_property")]
    InputInvalidProperty,
    #[serde(rename = "input.invalid_range")]
    InputInvalidRange,
    #[serde(rename = "input.invalid_state")]
    InputInvalidState,
    #[serde(rename = "input.invalid_template")]
    InputInvalidTemplate,
    #[serde(rename = "input.managed_property")]
    InputManagedProperty,
    #[serde(rename = "input.missing")]
    InputMissing,
    #[serde(rename = "input.usage")]
    InputUsage,
    #[serde(rename = "io")]
    Io,
    #[serde(rename = "keypair.bad_public_key")]
    KeypairBadPublicKey,
    #[serde(rename = "keypair.exists")]
    KeypairExists,
    #[serde(rename = "keypair.file_exists")]
    KeypairFileExists,
    #[serde(rename = "keypair.invalid_name")]
    KeypairInvalidName,
    #[serde(rename = "local.no_home")]
    LocalNoHome,
    #[serde(rename = "local.write_failed")]
    LocalWriteFailed,
    #[serde(rename = "node.eip_not_associated")]
    NodeEipNotAssociated,
    #[serde(rename = "node.invalid_properties")]
    NodeInvalidProperties,
    #[serde(rename = "node.invalid_property")]
    NodeInvalidProperty,
    #[serde(rename = "node.key_file_missing")]
    NodeKeyFileMissing,
    #[serde(rename = "node.missing_property")]
    NodeMissingProperty,
    #[serde(rename = "node.no_address")]
    NodeNoAddress,
    #[serde(rename = "node.no_instance")]
    NodeNoInstance,
    #[serde(rename = "node.unreadable")]
    NodeUnreadable,
    #[serde(rename = "repo.already_exists")]
    RepoAlreadyExists,
    #[serde(rename = "repo.already_initialized")]
    RepoAlreadyInitialized,
    #[serde(rename = "repo.bad_file")]
    RepoBadFile,
    #[serde(rename = "repo.conflict")]
    RepoConflict,
    #[serde(rename = "repo.inherit_ambiguous")]
    RepoInheritAmbiguous,
    #[serde(rename = "repo.inherit_no_match")]
    RepoInheritNoMatch,
    #[serde(rename = "repo.journal")]
    RepoJournal,
    #[serde(rename = "repo.no_match")]
    RepoNoMatch,
    #[serde(rename = "repo.not_a_repository")]
    RepoNotARepository,
    #[serde(rename = "repo.not_found")]
    RepoNotFound,
    #[serde(rename = "repo.unsafe_path")]
    RepoUnsafePath,
    #[serde(rename = "sandbox.install_failed")]
    SandboxInstallFailed,
    #[serde(rename = "sandbox.python_missing")]
    SandboxPythonMissing,
    #[serde(rename = "sandbox.start_failed")]
    SandboxStartFailed,
    #[serde(rename = "settings.bad_file")]
    SettingsBadFile,
    #[serde(rename = "settings.no_home")]
    SettingsNoHome,
    #[serde(rename = "ssh.group_exists")]
    SshGroupExists,
    #[serde(rename = "ssh.invalid_cidr")]
    SshInvalidCidr,
    #[serde(rename = "ssh.no_default_vpc")]
    SshNoDefaultVpc,
    #[serde(rename = "sso.cache_unwritable")]
    SsoCacheUnwritable,
    #[serde(rename = "sso.cancelled")]
    SsoCancelled,
    #[serde(rename = "sso.config_unreadable")]
    SsoConfigUnreadable,
    #[serde(rename = "sso.denied")]
    SsoDenied,
    #[serde(rename = "sso.failed")]
    SsoFailed,
    #[serde(rename = "sso.incomplete_profile")]
    SsoIncompleteProfile,
    #[serde(rename = "sso.not_sso_profile")]
    SsoNotSsoProfile,
    #[serde(rename = "sso.timed_out")]
    SsoTimedOut,
    #[serde(rename = "sso.unknown_login")]
    SsoUnknownLogin,
    #[serde(rename = "vc.already_initialized")]
    VcAlreadyInitialized,
    #[serde(rename = "vc.auth_failed")]
    VcAuthFailed,
    #[serde(rename = "vc.conflicts_pending")]
    VcConflictsPending,
    #[serde(rename = "vc.git")]
    VcGit,
    #[serde(rename = "vc.network")]
    VcNetwork,
    #[serde(rename = "vc.no_remote")]
    VcNoRemote,
    #[serde(rename = "vc.not_a_repository")]
    VcNotARepository,
    #[serde(rename = "vc.refused_from_remote")]
    VcRefusedFromRemote,
    #[serde(rename = "vc.rejected")]
    VcRejected,
    #[serde(rename = "vc.uncommitted")]
    VcUncommitted,
    #[serde(rename = "workspace.none")]
    WorkspaceNone,
}

impl ErrorCode {
    /// Every code, for documentation and tests.
    pub const ALL: &[ErrorCode] = &[
        ErrorCode::AppIpcFailed,
        ErrorCode::CloudAccountBlocked,
        ErrorCode::CloudAddressNotFound,
        ErrorCode::CloudAmbiguous,
        ErrorCode::CloudAuthFailed,
        ErrorCode::CloudBadResponse,
        ErrorCode::CloudBusy,
        ErrorCode::CloudConnectionRefused,
        ErrorCode::CloudCredentials,
        ErrorCode::CloudCredentialsExpired,
        ErrorCode::CloudEmptySelection,
        ErrorCode::CloudError,
        ErrorCode::CloudIdempotencyMismatch,
        ErrorCode::CloudImageNotFound,
        ErrorCode::CloudIncorrectState,
        ErrorCode::CloudInstanceLimit,
        ErrorCode::CloudInstanceNotFound,
        ErrorCode::CloudInstanceState,
        ErrorCode::CloudInsufficientCapacity,
        ErrorCode::CloudInvalidEndpoint,
        ErrorCode::CloudInvalidInstanceType,
        ErrorCode::CloudInvalidParameter,
        ErrorCode::CloudKeyPairNotFound,
        ErrorCode::CloudLaunchRecord,
        ErrorCode::CloudNoNodes,
        ErrorCode::CloudNoOperation,
        ErrorCode::CloudNotANode,
        ErrorCode::CloudNotASystem,
        ErrorCode::CloudOptInRequired,
        ErrorCode::CloudOrphanInstance,
        ErrorCode::CloudSecurityGroupNotFound,
        ErrorCode::CloudSubnetNotFound,
        ErrorCode::CloudThrottled,
        ErrorCode::CloudTimeout,
        ErrorCode::CloudUnauthorized,
        ErrorCode::CloudUnavailable,
        ErrorCode::CloudUnreachable,
        ErrorCode::CloudUnsupported,
        ErrorCode::CloudWaitTimeout,
        ErrorCode::CredentialsIncompleteEnvironment,
        ErrorCode::CredentialsInvalid,
        ErrorCode::CredentialsInvalidName,
        ErrorCode::CredentialsInvalidProfile,
        ErrorCode::CredentialsKeyringCorrupt,
        ErrorCode::CredentialsKeyringLocked,
        ErrorCode::CredentialsKeyringUnavailable,
        ErrorCode::CredentialsMissing,
        ErrorCode::CredentialsNotFound,
        ErrorCode::CredentialsProfileFailed,
        ErrorCode::CredentialsProfileNotFound,
        ErrorCode::CredentialsProfileTimeout,
        ErrorCode::CredentialsSsoExpired,
        ErrorCode::CredentialsSsoLoginRequired,
        ErrorCode::HistoryChangedSince,
        ErrorCode::HistoryNothingToRedo,
        ErrorCode::HistoryNothingToUndo,
        ErrorCode::InputInvalidName,
        ErrorCode::InputInvalidPattern,
        ErrorCode::InputInvalidProperty,
        ErrorCode::InputInvalidRange,
        ErrorCode::InputInvalidState,
        ErrorCode::InputInvalidTemplate,
        ErrorCode::InputManagedProperty,
        ErrorCode::InputMissing,
        ErrorCode::InputUsage,
        ErrorCode::Io,
        ErrorCode::KeypairBadPublicKey,
        ErrorCode::KeypairExists,
        ErrorCode::KeypairFileExists,
        ErrorCode::KeypairInvalidName,
        ErrorCode::LocalNoHome,
        ErrorCode::LocalWriteFailed,
        ErrorCode::NodeEipNotAssociated,
        ErrorCode::NodeInvalidProperties,
        ErrorCode::NodeInvalidProperty,
        ErrorCode::NodeKeyFileMissing,
        ErrorCode::NodeMissingProperty,
        ErrorCode::NodeNoAddress,
        ErrorCode::NodeNoInstance,
        ErrorCode::NodeUnreadable,
        ErrorCode::RepoAlreadyExists,
        ErrorCode::RepoAlreadyInitialized,
        ErrorCode::RepoBadFile,
        ErrorCode::RepoConflict,
        ErrorCode::RepoInheritAmbiguous,
        ErrorCode::RepoInheritNoMatch,
        ErrorCode::RepoJournal,
        ErrorCode::RepoNoMatch,
        ErrorCode::RepoNotARepository,
        ErrorCode::RepoNotFound,
        ErrorCode::RepoUnsafePath,
        ErrorCode::SandboxInstallFailed,
        ErrorCode::SandboxPythonMissing,
        ErrorCode::SandboxStartFailed,
        ErrorCode::SettingsBadFile,
        ErrorCode::SettingsNoHome,
        ErrorCode::SshGroupExists,
        ErrorCode::SshInvalidCidr,
        ErrorCode::SshNoDefaultVpc,
        ErrorCode::SsoCacheUnwritable,
        ErrorCode::SsoCancelled,
        ErrorCode::SsoConfigUnreadable,
        ErrorCode::SsoDenied,
        ErrorCode::SsoFailed,
        ErrorCode::SsoIncompleteProfile,
        ErrorCode::SsoNotSsoProfile,
        ErrorCode::SsoTimedOut,
        ErrorCode::SsoUnknownLogin,
        ErrorCode::VcAlreadyInitialized,
        ErrorCode::VcAuthFailed,
        ErrorCode::VcConflictsPending,
        ErrorCode::VcGit,
        ErrorCode::VcNetwork,
        ErrorCode::VcNoRemote,
        ErrorCode::VcNotARepository,
        ErrorCode::VcRefusedFromRemote,
        ErrorCode::VcRejected,
        ErrorCode::VcUncommitted,
        ErrorCode::WorkspaceNone,
    ];

    /// The dotted form, e.g. `repo.not_found`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::AppIpcFailed => "app.ipc_failed",
            ErrorCode::CloudAccountBlocked => "cloud.account_blocked",
            ErrorCode::CloudAddressNotFound => "cloud.address_not_found",
            ErrorCode::CloudAmbiguous => "cloud.ambiguous",
            ErrorCode::CloudAuthFailed => "cloud.auth_failed",
            ErrorCode::CloudBadResponse => "cloud.bad_response",
            ErrorCode::CloudBusy => "cloud.busy",
            ErrorCode::CloudConnectionRefused => "cloud.connection_refused",
            ErrorCode::CloudCredentials => "cloud.credentials",
            ErrorCode::CloudCredentialsExpired => "cloud.credentials_expired",
            ErrorCode::CloudEmptySelection => "cloud.empty_selection",
            ErrorCode::CloudError => "cloud.error",
            ErrorCode::CloudIdempotencyMismatch => "cloud.idempotency_mismatch",
            ErrorCode::CloudImageNotFound => "cloud.image_not_found",
            ErrorCode::CloudIncorrectState => "cloud.incorrect_state",
            ErrorCode::CloudInstanceLimit => "cloud.instance_limit",
            ErrorCode::CloudInstanceNotFound => "cloud.instance_not_found",
            ErrorCode::CloudInstanceState => "cloud.instance_state",
            ErrorCode::CloudInsufficientCapacity => "cloud.insufficient_capacity",
            ErrorCode::CloudInvalidEndpoint => "cloud.invalid_endpoint",
            ErrorCode::CloudInvalidInstanceType => "cloud.invalid_instance_type",
            ErrorCode::CloudInvalidParameter => "cloud.invalid_parameter",
            ErrorCode::CloudKeyPairNotFound => "cloud.key_pair_not_found",
            ErrorCode::CloudLaunchRecord => "cloud.launch_record",
            ErrorCode::CloudNoNodes => "cloud.no_nodes",
            ErrorCode::CloudNoOperation => "cloud.no_operation",
            ErrorCode::CloudNotANode => "cloud.not_a_node",
            ErrorCode::CloudNotASystem => "cloud.not_a_system",
            ErrorCode::CloudOptInRequired => "cloud.opt_in_required",
            ErrorCode::CloudOrphanInstance => "cloud.orphan_instance",
            ErrorCode::CloudSecurityGroupNotFound => "cloud.security_group_not_found",
            ErrorCode::CloudSubnetNotFound => "cloud.subnet_not_found",
            ErrorCode::CloudThrottled => "cloud.throttled",
            ErrorCode::CloudTimeout => "cloud.timeout",
            ErrorCode::CloudUnauthorized => "cloud.unauthorized",
            ErrorCode::CloudUnavailable => "cloud.unavailable",
            ErrorCode::CloudUnreachable => "cloud.unreachable",
            ErrorCode::CloudUnsupported => "cloud.unsupported",
            ErrorCode::CloudWaitTimeout => "cloud.wait_timeout",
            ErrorCode::CredentialsIncompleteEnvironment => "credentials.incomplete_environment",
            ErrorCode::CredentialsInvalid => "credentials.invalid",
            ErrorCode::CredentialsInvalidName => "credentials.invalid_name",
            ErrorCode::CredentialsInvalidProfile => "credentials.invalid_profile",
            ErrorCode::CredentialsKeyringCorrupt => "credentials.keyring_corrupt",
            ErrorCode::CredentialsKeyringLocked => "credentials.keyring_locked",
            ErrorCode::CredentialsKeyringUnavailable => "credentials.keyring_unavailable",
            ErrorCode::CredentialsMissing => "credentials.missing",
            ErrorCode::CredentialsNotFound => "credentials.not_found",
            ErrorCode::CredentialsProfileFailed => "credentials.profile_failed",
            ErrorCode::CredentialsProfileNotFound => "credentials.profile_not_found",
            ErrorCode::CredentialsProfileTimeout => "credentials.profile_timeout",
            ErrorCode::CredentialsSsoExpired => "credentials.sso_expired",
            ErrorCode::CredentialsSsoLoginRequired => "credentials.sso_login_required",
            ErrorCode::HistoryChangedSince => "history.changed_since",
            ErrorCode::HistoryNothingToRedo => "history.nothing_to_redo",
            ErrorCode::HistoryNothingToUndo => "history.nothing_to_undo",
            ErrorCode::InputInvalidName => "input.invalid_name",
            ErrorCode::InputInvalidPattern => "input.invalid_pattern",
            ErrorCode::InputInvalidProperty => "input.invalid_property",
            ErrorCode::InputInvalidRange => "input.invalid_range",
            ErrorCode::InputInvalidState => "input.invalid_state",
            ErrorCode::InputInvalidTemplate => "input.invalid_template",
            ErrorCode::InputManagedProperty => "input.managed_property",
            ErrorCode::InputMissing => "input.missing",
            ErrorCode::InputUsage => "input.usage",
            ErrorCode::Io => "io",
            ErrorCode::KeypairBadPublicKey => "keypair.bad_public_key",
            ErrorCode::KeypairExists => "keypair.exists",
            ErrorCode::KeypairFileExists => "keypair.file_exists",
            ErrorCode::KeypairInvalidName => "keypair.invalid_name",
            ErrorCode::LocalNoHome => "local.no_home",
            ErrorCode::LocalWriteFailed => "local.write_failed",
            ErrorCode::NodeEipNotAssociated => "node.eip_not_associated",
            ErrorCode::NodeInvalidProperties => "node.invalid_properties",
            ErrorCode::NodeInvalidProperty => "node.invalid_property",
            ErrorCode::NodeKeyFileMissing => "node.key_file_missing",
            ErrorCode::NodeMissingProperty => "node.missing_property",
            ErrorCode::NodeNoAddress => "node.no_address",
            ErrorCode::NodeNoInstance => "node.no_instance",
            ErrorCode::NodeUnreadable => "node.unreadable",
            ErrorCode::RepoAlreadyExists => "repo.already_exists",
            ErrorCode::RepoAlreadyInitialized => "repo.already_initialized",
            ErrorCode::RepoBadFile => "repo.bad_file",
            ErrorCode::RepoConflict => "repo.conflict",
            ErrorCode::RepoInheritAmbiguous => "repo.inherit_ambiguous",
            ErrorCode::RepoInheritNoMatch => "repo.inherit_no_match",
            ErrorCode::RepoJournal => "repo.journal",
            ErrorCode::RepoNoMatch => "repo.no_match",
            ErrorCode::RepoNotARepository => "repo.not_a_repository",
            ErrorCode::RepoNotFound => "repo.not_found",
            ErrorCode::RepoUnsafePath => "repo.unsafe_path",
            ErrorCode::SandboxInstallFailed => "sandbox.install_failed",
            ErrorCode::SandboxPythonMissing => "sandbox.python_missing",
            ErrorCode::SandboxStartFailed => "sandbox.start_failed",
            ErrorCode::SettingsBadFile => "settings.bad_file",
            ErrorCode::SettingsNoHome => "settings.no_home",
            ErrorCode::SshGroupExists => "ssh.group_exists",
            ErrorCode::SshInvalidCidr => "ssh.invalid_cidr",
            ErrorCode::SshNoDefaultVpc => "ssh.no_default_vpc",
            ErrorCode::SsoCacheUnwritable => "sso.cache_unwritable",
            ErrorCode::SsoCancelled => "sso.cancelled",
            ErrorCode::SsoConfigUnreadable => "sso.config_unreadable",
            ErrorCode::SsoDenied => "sso.denied",
            ErrorCode::SsoFailed => "sso.failed",
            ErrorCode::SsoIncompleteProfile => "sso.incomplete_profile",
            ErrorCode::SsoNotSsoProfile => "sso.not_sso_profile",
            ErrorCode::SsoTimedOut => "sso.timed_out",
            ErrorCode::SsoUnknownLogin => "sso.unknown_login",
            ErrorCode::VcAlreadyInitialized => "vc.already_initialized",
            ErrorCode::VcAuthFailed => "vc.auth_failed",
            ErrorCode::VcConflictsPending => "vc.conflicts_pending",
            ErrorCode::VcGit => "vc.git",
            ErrorCode::VcNetwork => "vc.network",
            ErrorCode::VcNoRemote => "vc.no_remote",
            ErrorCode::VcNotARepository => "vc.not_a_repository",
            ErrorCode::VcRefusedFromRemote => "vc.refused_from_remote",
            ErrorCode::VcRejected => "vc.rejected",
            ErrorCode::VcUncommitted => "vc.uncommitted",
            ErrorCode::WorkspaceNone => "workspace.none",
        }
    }

    /// The code with this dotted form, if there is one.
    pub fn parse(code: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.iter().copied().find(|c| c.as_str() == code)
    }

    /// The credentials in use are missing or were refused: choosing or renewing credentials
    /// is what helps (not retrying).
    pub fn is_about_credentials(self) -> bool {
        self.area() == "credentials"
            || matches!(self, ErrorCode::CloudAuthFailed | ErrorCode::CloudUnauthorized | ErrorCode::CloudCredentials | ErrorCode::CloudCredentialsExpired)
    }

    /// The area a code belongs to: `repo`, `cloud`, `credentials`, ...
    pub fn area(self) -> &'static str {
        self.as_str().split('.').next().unwrap_or_default()
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<str> for ErrorCode {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialize_as_their_dotted_names_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            assert_eq!(serde_json::to_value(code).unwrap(), serde_json::json!(code.as_str()));
            assert!(seen.insert(code.as_str()), "{code} twice");
            assert!(code == "io" || code.as_str().contains('.'), "{code}");
        }
        assert_eq!(ErrorCode::RepoNotFound, "repo.not_found");
    }
}
