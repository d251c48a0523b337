//! The closed set of error and warning codes every layer uses: the repository, the cloud
//! engine, the desktop core, the command line and the UI. Each code is declared once, below,
//! with its traits; everything else (the enum, its dotted names, the list, the traits table
//! the UI gets) is derived from that one line. A decision anywhere is made on a code or its
//! traits, never on a message or a prefix.
//!
//! Adding a code: one line in `codes!` below (`Variant = "area.name" [traits];`), then
//! `UPDATE_BINDINGS=1 cargo test --workspace bindings` to regenerate the UI's copy.

use serde::Serialize;

/// What a code says about an error besides its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct CodeTraits {
    /// What the user gave (a name, a pattern, a property, a file edited by hand, a choice) is
    /// at fault, not the machine, the network or the cloud: the command line exits with 2.
    pub bad_input: bool,
    /// The credentials in use are missing or were refused: choosing or renewing credentials
    /// is what helps, not retrying.
    pub about_credentials: bool,
    /// The part of the app the code belongs to: `repo`, `cloud`, `credentials`, `node`, ...
    pub area: &'static str,
}

/// `has!(trait; traits...)`: whether the declared traits include this one.
macro_rules! has {
    ($want:ident;) => { false };
    (input; input $($rest:ident)*) => { true };
    (credentials; credentials $($rest:ident)*) => { true };
    ($want:ident; $other:ident $($rest:ident)*) => { has!($want; $($rest)*) };
}

macro_rules! codes {
    ($($variant:ident = $name:literal $([$($trait:ident),*])?;)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize, ts_rs::TS)]
        pub enum ErrorCode {
            $(#[serde(rename = $name)] $variant,)*
        }

        impl ErrorCode {
            /// Every code, for documentation and tests.
            pub const ALL: &[ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The dotted name programs see (`repo.not_found`).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $name,)*
                }
            }

            /// The code's traits (see [`CodeTraits`]).
            pub fn traits(self) -> CodeTraits {
                match self {
                    $(ErrorCode::$variant => CodeTraits {
                        bad_input: has!(input; $($($trait)*)?),
                        about_credentials: has!(credentials; $($($trait)*)?),
                        area: area_of($name),
                    },)*
                }
            }
        }
    };
}

/// The part before the first dot (`io` has none: it is its own area).
const fn area_of(name: &'static str) -> &'static str {
    let bytes = name.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'.' {
            let (area, _) = name.split_at(i);
            return area;
        }
        i += 1;
    }
    name
}

// One line per code: its variant, its dotted name, and its traits (`input`: the user's
// request or file is at fault; `credentials`: choosing or renewing credentials helps).
codes! {
    AppIpcFailed = "app.ipc_failed";
    CloudAccountBlocked = "cloud.account_blocked";
    CloudAddressNotFound = "cloud.address_not_found";
    CloudAmbiguous = "cloud.ambiguous";
    CloudAuthFailed = "cloud.auth_failed" [credentials];
    CloudBadResponse = "cloud.bad_response";
    CloudBusy = "cloud.busy";
    CloudConnectionRefused = "cloud.connection_refused";
    CloudCredentials = "cloud.credentials" [credentials];
    CloudCredentialsExpired = "cloud.credentials_expired" [credentials];
    CloudEmptySelection = "cloud.empty_selection" [input];
    CloudError = "cloud.error";
    CloudIdempotencyMismatch = "cloud.idempotency_mismatch";
    CloudImageNotFound = "cloud.image_not_found";
    CloudIncorrectState = "cloud.incorrect_state";
    CloudInstanceLimit = "cloud.instance_limit";
    CloudInstanceNotFound = "cloud.instance_not_found";
    CloudInstanceState = "cloud.instance_state";
    CloudInsufficientCapacity = "cloud.insufficient_capacity";
    CloudInvalidEndpoint = "cloud.invalid_endpoint";
    CloudInvalidInstanceType = "cloud.invalid_instance_type";
    CloudInvalidParameter = "cloud.invalid_parameter";
    CloudKeyPairNotFound = "cloud.key_pair_not_found";
    CloudLaunchRecord = "cloud.launch_record";
    CloudNoNodes = "cloud.no_nodes" [input];
    CloudNoOperation = "cloud.no_operation";
    CloudNoVolumes = "cloud.no_volumes" [input];
    CloudNotANode = "cloud.not_a_node" [input];
    CloudNotASystem = "cloud.not_a_system" [input];
    CloudOptInRequired = "cloud.opt_in_required";
    CloudOrphanInstance = "cloud.orphan_instance";
    CloudPlacementGroupNotFound = "cloud.placement_group_not_found";
    CloudPrivateIpInUse = "cloud.private_ip_in_use";
    CloudRevertFailed = "cloud.revert_failed";
    CloudSecurityGroupNotFound = "cloud.security_group_not_found";
    CloudSnapshotFailed = "cloud.snapshot_failed";
    CloudSnapshotNotFound = "cloud.snapshot_not_found" [input];
    CloudSpotPriceTooLow = "cloud.spot_price_too_low";
    CloudStatusChecksImpaired = "cloud.status_checks_impaired";
    CloudStatusChecksTimeout = "cloud.status_checks_timeout";
    CloudSubnetNotFound = "cloud.subnet_not_found";
    CloudTerminationProtected = "cloud.termination_protected" [input];
    CloudThrottled = "cloud.throttled";
    CloudTimeout = "cloud.timeout";
    CloudUnauthorized = "cloud.unauthorized" [credentials];
    CloudUnavailable = "cloud.unavailable";
    CloudUnreachable = "cloud.unreachable";
    CloudUnsupported = "cloud.unsupported";
    CloudWaitTimeout = "cloud.wait_timeout";
    CredentialsIncompleteEnvironment = "credentials.incomplete_environment" [input, credentials];
    CredentialsInvalid = "credentials.invalid" [input, credentials];
    CredentialsInvalidName = "credentials.invalid_name" [input, credentials];
    CredentialsInvalidProfile = "credentials.invalid_profile" [input, credentials];
    CredentialsKeyringCorrupt = "credentials.keyring_corrupt" [input, credentials];
    CredentialsKeyringLocked = "credentials.keyring_locked" [input, credentials];
    CredentialsKeyringUnavailable = "credentials.keyring_unavailable" [input, credentials];
    CredentialsMissing = "credentials.missing" [input, credentials];
    CredentialsNotFound = "credentials.not_found" [input, credentials];
    CredentialsProfileFailed = "credentials.profile_failed" [input, credentials];
    CredentialsProfileNotFound = "credentials.profile_not_found" [input, credentials];
    CredentialsProfileTimeout = "credentials.profile_timeout" [input, credentials];
    CredentialsSsoExpired = "credentials.sso_expired" [input, credentials];
    CredentialsSsoLoginRequired = "credentials.sso_login_required" [input, credentials];
    HistoryChangedSince = "history.changed_since";
    HistoryNothingToRedo = "history.nothing_to_redo" [input];
    HistoryNothingToUndo = "history.nothing_to_undo" [input];
    InputInvalidName = "input.invalid_name" [input];
    InputInvalidPattern = "input.invalid_pattern" [input];
    InputInvalidProperty = "input.invalid_property" [input];
    InputInvalidRange = "input.invalid_range" [input];
    InputInvalidState = "input.invalid_state" [input];
    InputInvalidTemplate = "input.invalid_template" [input];
    InputManagedProperty = "input.managed_property" [input];
    InputMissing = "input.missing" [input];
    InputUsage = "input.usage" [input];
    Io = "io";
    KeypairBadPublicKey = "keypair.bad_public_key" [input];
    KeypairExists = "keypair.exists" [input];
    KeypairFileExists = "keypair.file_exists" [input];
    KeypairInvalidName = "keypair.invalid_name" [input];
    LocalNoHome = "local.no_home";
    LocalWriteFailed = "local.write_failed";
    NodeEipNotAssociated = "node.eip_not_associated" [input];
    NodeIgnoredProperty = "node.ignored_property" [input];
    NodeInvalidProperties = "node.invalid_properties" [input];
    NodeInvalidProperty = "node.invalid_property" [input];
    NodeKeyFileMissing = "node.key_file_missing" [input];
    NodeMissingProperty = "node.missing_property" [input];
    NodeNoAddress = "node.no_address" [input];
    NodeNoInstance = "node.no_instance" [input];
    NodeUnreadable = "node.unreadable" [input];
    NodeUnknownProperty = "node.unknown_property" [input];
    RemoteAuthFailed = "remote.auth_failed" [input];
    RemoteCancelled = "remote.cancelled";
    RemoteCommandTimeout = "remote.command_timeout";
    RemoteCopyFailed = "remote.copy_failed";
    RemoteDestinationMissing = "remote.destination_missing" [input];
    RemoteDropped = "remote.dropped";
    RemoteHostKeyChanged = "remote.host_key_changed";
    RemoteHostKeyNotConsole = "remote.host_key_not_console";
    RemoteHostKeyRevoked = "remote.host_key_revoked";
    RemoteHostKeyUnknown = "remote.host_key_unknown";
    RemoteKeyMissing = "remote.key_missing" [input];
    RemoteKeyUnreadable = "remote.key_unreadable" [input];
    RemoteKnownHostsUnreadable = "remote.known_hosts_unreadable" [input];
    RemoteNoKey = "remote.no_key" [input];
    RemoteNotRunning = "remote.not_running" [input];
    RemotePassphraseNeeded = "remote.passphrase_needed" [input];
    RemoteProtocol = "remote.protocol";
    RemoteRefused = "remote.refused";
    RemoteSandbox = "remote.sandbox" [input];
    RemoteSourceInvalid = "remote.source_invalid" [input];
    RemoteTemplate = "remote.template" [input];
    RemoteTimeout = "remote.timeout";
    RemoteUnreachable = "remote.unreachable";
    RemoteWrongPassphrase = "remote.wrong_passphrase" [input];
    RepoAlreadyExists = "repo.already_exists" [input];
    RepoAlreadyInitialized = "repo.already_initialized" [input];
    RepoBadFile = "repo.bad_file" [input];
    RepoConflict = "repo.conflict" [input];
    RepoInheritAmbiguous = "repo.inherit_ambiguous" [input];
    RepoInheritNoMatch = "repo.inherit_no_match" [input];
    RepoJournal = "repo.journal";
    RepoNoMatch = "repo.no_match" [input];
    RepoNotARepository = "repo.not_a_repository" [input];
    RepoNotFound = "repo.not_found" [input];
    RepoUnsafePath = "repo.unsafe_path" [input];
    SandboxInstallFailed = "sandbox.install_failed";
    SandboxPythonMissing = "sandbox.python_missing";
    SandboxStartFailed = "sandbox.start_failed";
    SettingsBadFile = "settings.bad_file" [input];
    SettingsNoHome = "settings.no_home";
    SshAddressUnknown = "ssh.address_unknown";
    SshGroupExists = "ssh.group_exists" [input];
    SshInvalidCidr = "ssh.invalid_cidr" [input];
    SshNoDefaultVpc = "ssh.no_default_vpc";
    SsoCacheUnwritable = "sso.cache_unwritable";
    SsoCancelled = "sso.cancelled";
    SsoConfigUnreadable = "sso.config_unreadable";
    SsoDenied = "sso.denied";
    SsoFailed = "sso.failed";
    SsoIncompleteProfile = "sso.incomplete_profile" [input];
    SsoNotSsoProfile = "sso.not_sso_profile" [input];
    SsoTimedOut = "sso.timed_out";
    SsoUnknownLogin = "sso.unknown_login" [input];
    VcAlreadyInitialized = "vc.already_initialized" [input];
    VcAuthFailed = "vc.auth_failed";
    VcConflictsPending = "vc.conflicts_pending" [input];
    VcGit = "vc.git";
    VcNetwork = "vc.network";
    VcNoRemote = "vc.no_remote" [input];
    VcNotARepository = "vc.not_a_repository" [input];
    VcRefusedFromRemote = "vc.refused_from_remote";
    VcRejected = "vc.rejected";
    VcUncommitted = "vc.uncommitted" [input];
    WorkspaceNone = "workspace.none" [input];
}

impl ErrorCode {
    /// The code with this dotted form, if there is one.
    pub fn parse(code: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.iter().copied().find(|c| c.as_str() == code)
    }

    /// See [`CodeTraits::bad_input`].
    pub fn is_bad_input(self) -> bool {
        self.traits().bad_input
    }

    /// See [`CodeTraits::about_credentials`].
    pub fn is_about_credentials(self) -> bool {
        self.traits().about_credentials
    }

    /// See [`CodeTraits::area`].
    pub fn area(self) -> &'static str {
        self.traits().area
    }

    /// Every code's traits, keyed by dotted name: what the UI gets (generated) to decide on.
    pub fn traits_table() -> std::collections::BTreeMap<&'static str, CodeTraits> {
        ErrorCode::ALL.iter().map(|c| (c.as_str(), c.traits())).collect()
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
            assert_eq!(ErrorCode::parse(code.as_str()), Some(*code));
            assert!(seen.insert(code.as_str()), "{code} twice");
            assert!(code == "io" || code.as_str().contains('.'), "{code}");
        }
        assert_eq!(ErrorCode::RepoNotFound, "repo.not_found");
    }

    #[test]
    fn traits_follow_the_declaration() {
        assert_eq!(ErrorCode::RepoNotFound.traits(), CodeTraits { bad_input: true, about_credentials: false, area: "repo" });
        assert_eq!(ErrorCode::RepoJournal.traits(), CodeTraits { bad_input: false, about_credentials: false, area: "repo" });
        assert_eq!(ErrorCode::CloudAuthFailed.traits(), CodeTraits { bad_input: false, about_credentials: true, area: "cloud" });
        assert_eq!(ErrorCode::CredentialsMissing.traits(), CodeTraits { bad_input: true, about_credentials: true, area: "credentials" });
        assert_eq!(ErrorCode::Io.area(), "io");
        // Every credentials code is about credentials; an area never has a dot.
        for code in ErrorCode::ALL {
            assert!(!code.area().contains('.'));
            if code.area() == "credentials" {
                assert!(code.is_about_credentials(), "{code}");
            }
        }
    }
}
