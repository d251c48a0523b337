//! What can go wrong before or while connecting, each with what to do about it. Every
//! variant has a code (poni-code), which is what callers decide on.

use std::path::PathBuf;

use poni_repo::ErrorCode;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RemoteError {
    #[error("'{node}' is a template (its `template` property is set): templates are never connected to")]
    Template { node: String },
    #[error("{}", no_address(node, *has_instance, private.as_deref()))]
    NoAddress { node: String, has_instance: bool, private: Option<String> },
    #[error("'{node}' has no `user` property: set it to the login name (ec2-user on Amazon Linux, admin on Debian, ubuntu on Ubuntu)")]
    NoUser { node: String },
    #[error("'{node}' has `ssh-port` {value}, which is not a port number (1 to 65535): correct it")]
    BadPort { node: String, value: String },
    #[error("{}", key_missing(node, path, key_pair.as_deref()))]
    KeyMissing { node: String, path: PathBuf, key_pair: Option<String> },
    #[error("the key file {}: {problem}", path.display())]
    KeyUnreadable { path: PathBuf, problem: String },
    #[error("the key file {} is protected by a passphrase: enter it to use the key (it is not kept)", path.display())]
    PassphraseNeeded { path: PathBuf },
    #[error("the passphrase does not open the key file {}: try again", path.display())]
    WrongPassphrase { path: PathBuf },
    #[error(
        "'{node}' names no key (no `cloud.key-pair`, no `ssh-key`) and the ssh agent offers none: set its key pair or `ssh-key`, or add a key to the agent"
    )]
    NoKey { node: String },
    #[error("{}: {problem}", path.display())]
    KnownHostsUnreadable { path: PathBuf, problem: String },
    #[error("{host} (port {port}) offers a host key never seen here ({fingerprint}), and nothing confirms it is the instance's: check the fingerprint, then accept it")]
    HostKeyUnknown { host: String, port: u16, fingerprint: String },
    #[error("{}", changed(host, *port, saved, offered, saved_instance.as_deref(), current_instance.as_deref()))]
    HostKeyChanged {
        host: String,
        port: u16,
        saved: String,
        offered: String,
        /// The instance the saved key was seen on, when poni saved it.
        saved_instance: Option<String>,
        current_instance: Option<String>,
    },
    #[error("{host} (port {port}) offers the host key {fingerprint}, which ~/.ssh/known_hosts marks as revoked: it is not used; ask whoever runs the machine")]
    HostKeyRevoked { host: String, port: u16, fingerprint: String },
    #[error("{host} (port {port}) offers the host key {fingerprint}, which is not among the keys the instance printed when it booted ({}): this may not be your instance, so nothing was sent", console.join(", "))]
    HostKeyNotConsole { host: String, port: u16, fingerprint: String, console: Vec<String> },
    #[error("{host} (port {port}) did not answer within {seconds} s: check that the instance is running and that a security group opens port {port} to this computer")]
    Timeout { host: String, port: u16, seconds: u64 },
    #[error("{host} refused the connection on port {port}: the instance may still be booting (try again in a minute), or no SSH server listens on that port")]
    Refused { host: String, port: u16 },
    #[error("{host} (port {port}) cannot be reached: {reason}")]
    Unreachable { host: String, port: u16, reason: String },
    #[error("{host} refused the login of '{user}' with {tried}: check the node's `user` (ec2-user on Amazon Linux, admin on Debian, ubuntu on Ubuntu) and that its key pair is the instance's")]
    AuthFailed { user: String, host: String, tried: String },
    #[error("the connection to {host} was lost: {reason}")]
    Dropped { host: String, reason: String },
    #[error("{host} answered in a way SSH does not allow: {reason}")]
    Protocol { host: String, reason: String },
    #[error("the command ran longer than {seconds} s and was stopped: raise the time limit if it needs longer")]
    CommandTimeout { seconds: u64 },
    #[error("stopped before it finished")]
    Cancelled,
    #[error("the copy source {}: {problem}", path.display())]
    SourceInvalid { path: PathBuf, problem: String },
    #[error("'{node}': the remote folder {path} does not exist: create it first, or let the copy create missing folders (-d)")]
    DestinationMissing { node: String, path: String },
    #[error("'{node}': copying to {path} failed: {reason}")]
    CopyFailed { node: String, path: String, reason: String },
    #[error("'{node}': its instance {instance} is {state}, not running, so nothing answers there: start it, then connect")]
    NotRunning { node: String, instance: String, state: String },
    #[error("'{node}' runs in the practice sandbox, where instances have no machine behind them: there is nothing to connect to (connect works on real EC2 instances)")]
    Sandbox { node: String },
}

fn no_address(node: &str, has_instance: bool, private: Option<&str>) -> String {
    match (private, has_instance) {
        (Some(private), _) => format!("'{node}' has no public address, only the private {private}: connect through its private address (from inside its network), or give it a public one"),
        (None, true) => format!("'{node}' has no address to connect to yet: wait until its instance runs, or refresh its addresses"),
        (None, false) => format!("'{node}' has no address to connect to: launch it first, or set its `host` property"),
    }
}

fn key_missing(node: &str, path: &std::path::Path, key_pair: Option<&str>) -> String {
    match key_pair {
        Some(k) => format!(
            "'{node}' uses the key pair '{k}', whose private key {} is not on this computer: put the .pem file EC2 gave you there, or create a new key pair and re-launch",
            path.display()
        ),
        None => format!("'{node}' names the key file {} (`ssh-key`), which does not exist: correct the property or put the key there", path.display()),
    }
}

fn changed(host: &str, port: u16, saved: &str, offered: &str, saved_instance: Option<&str>, current: Option<&str>) -> String {
    let head = format!("{host} (port {port}) now offers the host key {offered}, not {saved} as before");
    match (saved_instance, current) {
        (Some(old), Some(new)) if old != new => {
            format!("{head}. The key was saved for instance {old}; the node is now instance {new}, which may have been given the same address: replace the saved key if that is so")
        }
        _ => format!("{head}: this can be an attack, so nothing was sent. If the machine was rebuilt, remove its line from ~/.ssh/known_hosts"),
    }
}

impl RemoteError {
    pub fn code(&self) -> ErrorCode {
        use RemoteError::*;
        match self {
            Template { .. } => ErrorCode::RemoteTemplate,
            NoAddress { .. } => ErrorCode::NodeNoAddress,
            NoUser { .. } => ErrorCode::NodeMissingProperty,
            BadPort { .. } => ErrorCode::NodeInvalidProperty,
            KeyMissing { .. } => ErrorCode::RemoteKeyMissing,
            KeyUnreadable { .. } => ErrorCode::RemoteKeyUnreadable,
            PassphraseNeeded { .. } => ErrorCode::RemotePassphraseNeeded,
            WrongPassphrase { .. } => ErrorCode::RemoteWrongPassphrase,
            NoKey { .. } => ErrorCode::RemoteNoKey,
            KnownHostsUnreadable { .. } => ErrorCode::RemoteKnownHostsUnreadable,
            HostKeyUnknown { .. } => ErrorCode::RemoteHostKeyUnknown,
            HostKeyChanged { .. } => ErrorCode::RemoteHostKeyChanged,
            HostKeyRevoked { .. } => ErrorCode::RemoteHostKeyRevoked,
            HostKeyNotConsole { .. } => ErrorCode::RemoteHostKeyNotConsole,
            Timeout { .. } => ErrorCode::RemoteTimeout,
            Refused { .. } => ErrorCode::RemoteRefused,
            Unreachable { .. } => ErrorCode::RemoteUnreachable,
            AuthFailed { .. } => ErrorCode::RemoteAuthFailed,
            Dropped { .. } => ErrorCode::RemoteDropped,
            Protocol { .. } => ErrorCode::RemoteProtocol,
            CommandTimeout { .. } => ErrorCode::RemoteCommandTimeout,
            Cancelled => ErrorCode::RemoteCancelled,
            SourceInvalid { .. } => ErrorCode::RemoteSourceInvalid,
            DestinationMissing { .. } => ErrorCode::RemoteDestinationMissing,
            CopyFailed { .. } => ErrorCode::RemoteCopyFailed,
            Sandbox { .. } => ErrorCode::RemoteSandbox,
            NotRunning { .. } => ErrorCode::RemoteNotRunning,
        }
    }

    /// Whether the node was never tried (a template, no address, no user...): poni skips
    /// such nodes with the reason, rather than failing them.
    pub fn is_skip(&self) -> bool {
        matches!(self, RemoteError::Template { .. })
    }
}
