//! Connecting to a node from the app: the node's target (poni's rules, in poni-remote), the
//! host key check with the instance's console output when the host is new, and the questions
//! only the user can answer (a new or changed host key, a passphrase, a private address),
//! returned as typed values for the UI to ask and send back.

use std::sync::Arc;

use poni_remote::console::ConsoleWitness;
use poni_remote::host_key::UnknownKeys;
use poni_remote::{AddressChoice, HostKeyCheck, KnownHosts, RemoteError, Session, SshTarget, TargetEnv};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::cloud::AccountService;
use crate::{AppError, AppResult};

/// What the user asks to connect to, with the answers to earlier questions.
#[derive(Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ConnectRequest {
    pub node: String,
    /// The fingerprint the user accepted for a host key never seen.
    #[ts(optional)]
    pub accept_fingerprint: Option<String>,
    /// The fingerprint the user confirmed as the replacement of a changed host key.
    #[ts(optional)]
    pub replace_fingerprint: Option<String>,
    /// Opens an encrypted key file for this connection only; never stored or logged.
    #[ts(optional)]
    pub passphrase: Option<String>,
    /// Connect through the private address when the node has no public one.
    #[ts(optional)]
    pub use_private_address: Option<bool>,
}

/// Never prints the passphrase.
impl std::fmt::Debug for ConnectRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectRequest")
            .field("node", &self.node)
            .field("accept_fingerprint", &self.accept_fingerprint)
            .field("replace_fingerprint", &self.replace_fingerprint)
            .field("passphrase", &self.passphrase.as_ref().map(|_| "…"))
            .field("use_private_address", &self.use_private_address)
            .finish()
    }
}

/// A question for the user before the connection can go on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase", tag = "kind")]
#[ts(rename_all = "camelCase")]
pub enum ConnectQuestion {
    /// A host key never seen, and no console output confirms it: accept this fingerprint?
    #[serde(rename_all = "camelCase")]
    HostKeyUnknown { host: String, port: u16, fingerprint: String },
    /// The host offers another key than the one saved. `replaceable`: the key was saved for
    /// another instance than the node's now (a re-launch reusing the address): the user may
    /// replace it (answer with `replaceFingerprint`); otherwise it is refused, full stop.
    #[serde(rename_all = "camelCase")]
    HostKeyChanged {
        host: String,
        port: u16,
        saved: String,
        offered: String,
        saved_instance: Option<String>,
        current_instance: Option<String>,
        replaceable: bool,
        /// What the current instance's console output says of the offered key (asked only
        /// when the key is replaceable).
        console: ConsoleWitness,
    },
    /// The key file is encrypted (or the passphrase given was wrong).
    #[serde(rename_all = "camelCase")]
    Passphrase { key_file: String, wrong: bool },
    /// The node has only a private address: connect through it?
    #[serde(rename_all = "camelCase")]
    PrivateAddressOnly { address: String },
}

/// The questions a connection error asks; other errors are errors.
pub fn question_of(error: &RemoteError) -> Option<ConnectQuestion> {
    Some(match error.clone() {
        RemoteError::HostKeyUnknown { host, port, fingerprint } => ConnectQuestion::HostKeyUnknown { host, port, fingerprint },
        RemoteError::HostKeyChanged { host, port, saved, offered, saved_instance, current_instance } => {
            let replaceable = poni_remote::host_key::replaceable(saved_instance.as_deref(), current_instance.as_deref());
            ConnectQuestion::HostKeyChanged { host, port, saved, offered, saved_instance, current_instance, replaceable, console: ConsoleWitness::Silent }
        }
        RemoteError::PassphraseNeeded { path } => ConnectQuestion::Passphrase { key_file: path.display().to_string(), wrong: false },
        RemoteError::WrongPassphrase { path } => ConnectQuestion::Passphrase { key_file: path.display().to_string(), wrong: true },
        RemoteError::NoAddress { private: Some(address), .. } => ConnectQuestion::PrivateAddressOnly { address },
        _ => return None,
    })
}

pub fn remote_error(error: &RemoteError) -> AppError {
    AppError::new(error.code(), error.to_string())
}

/// Where the app connects from: `~/.ssh` (the key files, known_hosts) and `PONI_SSH_PORT`.
pub fn target_env(ssh_dir: Option<&std::path::Path>) -> AppResult<TargetEnv> {
    let mut env =
        TargetEnv::from_process().ok_or_else(|| AppError::new(poni_repo::ErrorCode::LocalNoHome, "Cannot find your home folder, where ~/.ssh is."))?;
    if let Some(dir) = ssh_dir {
        env.ssh_dir = dir.to_path_buf();
    }
    Ok(env)
}

/// The node's target: poni's rules, plus the practice sandbox, whose instances have no machine.
// The error (a host key's details at most) is made once per node, not in a loop.
#[allow(clippy::result_large_err)]
pub fn node_target(tree: &poni_repo::Tree, node: &str, env: &TargetEnv, use_private: bool, in_sandbox: bool) -> Result<SshTarget, RemoteError> {
    let item = tree.get(node).filter(|i| i.kind == poni_repo::Kind::Node);
    let Some(item) = item else {
        return Err(RemoteError::NoAddress { node: node.to_owned(), has_instance: false, private: None });
    };
    let effective = tree.effective(&item.name).unwrap_or_default();
    let choice = if use_private { AddressChoice::PrivateIfNeeded } else { AddressChoice::Public };
    let target = poni_remote::ssh_target(&item.name, &effective, env, choice)?;
    if in_sandbox && target.instance.is_some() {
        return Err(RemoteError::Sandbox { node: item.name.clone() });
    }
    Ok(target)
}

/// The host key check for a connection: known_hosts, the console output of the node's
/// instance when the host is new (asked of EC2; none when it cannot be had), and the user's
/// answers.
pub async fn host_key_check(
    targets: &[&SshTarget],
    env: &TargetEnv,
    account: &AccountService,
    policy: UnknownKeys,
    accept: Option<String>,
    replace: Option<String>,
) -> Result<HostKeyCheck, RemoteError> {
    let known = KnownHosts::load(&KnownHosts::default_path(&env.ssh_dir))?;
    let mut check = HostKeyCheck::new(known, policy);
    check.accept = accept;
    check.replace = replace;
    Ok(check.with_consoles(targets, |region, instance| async move { account.console_output(&region, &instance).await }).await)
}

/// Connects to one node for a terminal. `Ok(Err(question))`: the user must answer first.
pub async fn connect_node(
    tree: &poni_repo::Tree,
    request: &ConnectRequest,
    env: &TargetEnv,
    account: &AccountService,
    in_sandbox: bool,
) -> AppResult<Result<(SshTarget, Session), ConnectQuestion>> {
    let target = match node_target(tree, &request.node, env, request.use_private_address.unwrap_or(false), in_sandbox) {
        Ok(t) => t,
        Err(e) => {
            return match question_of(&e) {
                Some(question) => Ok(Err(question)),
                None => Err(remote_error(&not_running(tree, &request.node, &e, account).await.unwrap_or(e))),
            }
        }
    };
    let attempt = async {
        let check = host_key_check(&[&target], env, account, UnknownKeys::Ask, request.accept_fingerprint.clone(), request.replace_fingerprint.clone()).await?;
        let options = poni_remote::ConnectOptions { passphrase: request.passphrase.as_deref().map(Arc::from), ..Default::default() };
        poni_remote::connect(&target, Arc::new(check), &options).await
    };
    match attempt.await {
        Ok(session) => Ok(Ok((target, session))),
        Err(e) => match question_of(&e) {
            Some(question) => Ok(Err(with_console_witness(question, &target, account).await)),
            None => Err(remote_error(&not_running(tree, &request.node, &e, account).await.unwrap_or(e))),
        },
    }
}

/// A replaceable changed key gets the word of the new instance's console output: the user
/// replaces a key the instance printed at boot with more confidence than a bare fingerprint.
async fn with_console_witness(mut question: ConnectQuestion, target: &SshTarget, account: &AccountService) -> ConnectQuestion {
    if let ConnectQuestion::HostKeyChanged { replaceable: true, offered, current_instance: Some(instance), console, .. } = &mut question {
        let text = match &target.region {
            Some(region) => account.console_output(region, instance).await,
            None => None,
        };
        *console = poni_remote::console::witness(text.as_deref(), offered);
    }
    question
}

/// Whether nothing answered because the node's instance is not running (stopped, stopping,
/// terminated): asked of EC2 only after a failure that can mean so, and then the answer the
/// user can act on (start it) replaces "timed out".
async fn not_running(tree: &poni_repo::Tree, node: &str, error: &RemoteError, account: &AccountService) -> Option<RemoteError> {
    let may_be_down = matches!(
        error,
        RemoteError::Timeout { .. } | RemoteError::Refused { .. } | RemoteError::Unreachable { .. } | RemoteError::NoAddress { has_instance: true, .. }
    );
    if !may_be_down {
        return None;
    }
    let effective = tree.effective(node)?;
    let instance = poni_cloud::plan::instance_of(&effective)?;
    let region = poni_repo::props::get_path(&effective, "cloud.region").and_then(serde_json::Value::as_str)?.to_owned();
    let state = account.instance_state(&region, &instance).await?;
    use poni_cloud::aws::InstanceState::{Pending, Running, Unknown};
    (!matches!(state, Running | Pending | Unknown)).then(|| RemoteError::NotRunning { node: node.to_owned(), instance, state: state.name().to_owned() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn questions_come_from_typed_errors_only() {
        let q = question_of(&RemoteError::HostKeyUnknown { host: "h".into(), port: 22, fingerprint: "SHA256:x".into() });
        assert_eq!(q, Some(ConnectQuestion::HostKeyUnknown { host: "h".into(), port: 22, fingerprint: "SHA256:x".into() }));
        let q = question_of(&RemoteError::WrongPassphrase { path: PathBuf::from("/k") });
        assert_eq!(q, Some(ConnectQuestion::Passphrase { key_file: "/k".into(), wrong: true }));
        assert_eq!(question_of(&RemoteError::NoAddress { node: "n".into(), has_instance: true, private: None }), None);
        assert_eq!(question_of(&RemoteError::Refused { host: "h".into(), port: 22 }), None);
        let json = serde_json::to_value(ConnectQuestion::PrivateAddressOnly { address: "10.0.0.1".into() }).unwrap();
        assert_eq!(json, serde_json::json!({"kind": "privateAddressOnly", "address": "10.0.0.1"}));
    }
}
