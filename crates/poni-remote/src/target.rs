//! Who and where to connect for a node, by poni's rules. This is the one place they are
//! written: the app's Connect, the launch preview's `ssh` line and the command line all ask
//! here.
//! - user: `user`;
//! - key: `cloud.key-pair` / `cloud.key_pair` as `~/.ssh/<name>.pem`, else `ssh-key` (a
//!   relative path is under `~/.ssh`), else the ssh agent alone;
//! - port: `ssh-port`, else `PONI_SSH_PORT`, else 22;
//! - address: `host`; a node with only a private address (`private.dns`, `private.ip`) says
//!   so, and the caller may choose to use it.
//!
//! Template nodes (`template` true anywhere up the tree) are never connected to, as poni.

use std::path::{Path, PathBuf};

use poni_repo::Props;
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

use crate::error::RemoteError;
pub use crate::users::usual_users;

/// Where a node is reached and as whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct SshTarget {
    pub node: String,
    pub user: String,
    pub host: String,
    pub port: u16,
    pub key: KeySource,
    /// The node's `cloud.instance`, when it has one: host keys are remembered with it, so a
    /// re-launch that reuses an address can be told from an attack.
    pub instance: Option<String>,
    /// The node's `cloud.region`, for asking EC2 for the instance's console output.
    pub region: Option<String>,
    /// The address used is the private one (the node has no public address).
    pub private_address: bool,
}

/// The private key a connection signs with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase", tag = "kind")]
#[ts(rename_all = "camelCase")]
pub enum KeySource {
    /// The EC2 key pair's `.pem`, saved in `~/.ssh` when the key pair was made.
    KeyPair {
        name: String,
        #[ts(type = "string")]
        path: PathBuf,
    },
    /// The node's `ssh-key` property.
    File {
        #[ts(type = "string")]
        path: PathBuf,
    },
    /// No key named: only the ssh agent's keys are tried.
    Agent,
}

impl KeySource {
    pub fn path(&self) -> Option<&Path> {
        match self {
            KeySource::KeyPair { path, .. } | KeySource::File { path } => Some(path),
            KeySource::Agent => None,
        }
    }
}

/// What the rules read besides the node: the ssh folder and the environment's default port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetEnv {
    /// `~/.ssh`
    pub ssh_dir: PathBuf,
    /// `PONI_SSH_PORT`, as poni reads it.
    pub default_port: Option<u16>,
}

impl TargetEnv {
    /// From this process: `$HOME/.ssh` and `PONI_SSH_PORT`.
    pub fn from_process() -> Option<TargetEnv> {
        let home = std::env::var_os("HOME").filter(|h| !h.is_empty())?;
        let default_port = std::env::var("PONI_SSH_PORT").ok().and_then(|p| p.trim().parse().ok());
        Some(TargetEnv { ssh_dir: PathBuf::from(home).join(".ssh"), default_port })
    }
}

/// Which address to use when a node has no public one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AddressChoice {
    /// `host` only: a node with only a private address is refused, naming it.
    #[default]
    Public,
    /// `host`, else the private address.
    PrivateIfNeeded,
}

/// Whether a node is a template (`template` true, as poni reads it: any true-ish value).
pub fn is_template(effective: &Props) -> bool {
    match effective.get("template") {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Number(n)) => n.as_f64().is_some_and(|n| n != 0.0),
        Some(Value::Null) | None => false,
        Some(_) => true,
    }
}

fn text<'a>(props: &'a Props, key: &str) -> Option<&'a str> {
    props.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
}

/// The node's private address: `private.dns`, else `private.ip`.
fn private_address(effective: &Props) -> Option<String> {
    let private = effective.get("private").and_then(Value::as_object)?;
    ["dns", "ip"].iter().find_map(|k| text(private, k)).map(str::to_owned)
}

/// `ssh-port`: a number or a numeric string, 1..=65535.
fn port(effective: &Props, node: &str, env: &TargetEnv) -> Result<u16, RemoteError> {
    let value = match effective.get("ssh-port") {
        None | Some(Value::Null) => return Ok(env.default_port.unwrap_or(22)),
        Some(v) => v,
    };
    let parsed = match value {
        Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
        Value::String(s) => s.trim().parse::<u16>().ok(),
        _ => None,
    };
    parsed.filter(|p| *p != 0).ok_or_else(|| RemoteError::BadPort { node: node.to_owned(), value: value.to_string() })
}

/// The key a node names: its key pair's `.pem`, else `ssh-key`, else the agent.
pub fn key_source(effective: &Props, env: &TargetEnv) -> KeySource {
    let cloud = effective.get("cloud").and_then(Value::as_object);
    if let Some(name) = cloud.and_then(poni_cloud::spec::key_pair_name) {
        return KeySource::KeyPair { path: env.ssh_dir.join(format!("{name}.pem")), name };
    }
    match text(effective, "ssh-key") {
        Some(key) => {
            let key = Path::new(key);
            let path = if key.is_absolute() { key.to_path_buf() } else { env.ssh_dir.join(key) };
            KeySource::File { path }
        }
        None => KeySource::Agent,
    }
}

/// Where `node` (whose merged properties are `effective`) is reached, or why it cannot be.
pub fn ssh_target(node: &str, effective: &Props, env: &TargetEnv, choice: AddressChoice) -> Result<SshTarget, RemoteError> {
    if is_template(effective) {
        return Err(RemoteError::Template { node: node.to_owned() });
    }
    let cloud = effective.get("cloud").and_then(Value::as_object);
    let instance = cloud.and_then(|c| text(c, "instance")).map(str::to_owned);
    let region = cloud.and_then(|c| text(c, "region")).map(str::to_owned);
    let (host, private_address) = match (text(effective, "host"), private_address(effective)) {
        (Some(host), _) => (host.to_owned(), false),
        (None, Some(private)) if choice == AddressChoice::PrivateIfNeeded => (private, true),
        (None, private) => {
            return Err(RemoteError::NoAddress { node: node.to_owned(), has_instance: instance.is_some(), private });
        }
    };
    let user = text(effective, "user").ok_or_else(|| RemoteError::NoUser { node: node.to_owned() })?.to_owned();
    let port = port(effective, node, env)?;
    Ok(SshTarget { node: node.to_owned(), user, host, port, key: key_source(effective, env), instance, region, private_address })
}

/// `ssh -i ~/.ssh/<key>.pem [-p PORT] <user>@<host>`, ready to paste into a shell: every name
/// came from the repository, so each is one shell word, and a login name starting with '-'
/// comes after `--`, where ssh cannot take it for an option.
pub fn ssh_command(target: &SshTarget, env: &TargetEnv) -> String {
    let word = poni_cloud::shell::word;
    let mut parts = vec!["ssh".to_owned()];
    // `~/` stays outside the quotes, or the shell would not expand it. Keys in the ssh folder
    // are shown where the user's own ssh folder has them.
    let in_ssh_dir = |rel: &str| format!("~/{}", word(&format!(".ssh/{rel}")));
    let shown = match &target.key {
        KeySource::KeyPair { name, .. } => Some(in_ssh_dir(&format!("{name}.pem"))),
        KeySource::File { path } => Some(match path.strip_prefix(&env.ssh_dir) {
            Ok(rel) => in_ssh_dir(&rel.to_string_lossy()),
            Err(_) => word(&path.to_string_lossy()),
        }),
        KeySource::Agent => None,
    };
    if let Some(shown) = shown {
        parts.push("-i".into());
        parts.push(shown);
    }
    if target.port != 22 {
        parts.push("-p".into());
        parts.push(target.port.to_string());
    }
    if target.user.starts_with('-') || target.host.starts_with('-') {
        parts.push("--".into());
    }
    parts.push(word(&format!("{}@{}", target.user, target.host)));
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn props(v: Value) -> Props {
        v.as_object().unwrap().clone()
    }

    fn env() -> TargetEnv {
        TargetEnv { ssh_dir: "/home/me/.ssh".into(), default_port: None }
    }

    #[test]
    fn a_launched_node_is_reached_with_its_key_pair() {
        let p = props(json!({"host": "ec2-1", "user": "ec2-user", "cloud": {"key-pair": "k", "instance": "i-1", "region": "eu-west-1"}}));
        let t = ssh_target("web/1", &p, &env(), AddressChoice::Public).unwrap();
        assert_eq!(t.key, KeySource::KeyPair { name: "k".into(), path: "/home/me/.ssh/k.pem".into() });
        assert_eq!((t.port, t.instance.as_deref(), t.region.as_deref()), (22, Some("i-1"), Some("eu-west-1")));
        assert_eq!(ssh_command(&t, &env()), "ssh -i ~/.ssh/k.pem ec2-user@ec2-1");
    }

    #[test]
    fn poni_08s_spellings_and_ssh_key_and_port_are_read() {
        let p = props(json!({"host": "h", "user": "root", "cloud": {"key_pair": "old"}, "ssh-port": "2222"}));
        let t = ssh_target("n", &p, &env(), AddressChoice::Public).unwrap();
        assert_eq!(t.key.path(), Some(Path::new("/home/me/.ssh/old.pem")));
        assert_eq!(t.port, 2222);
        let p = props(json!({"host": "h", "user": "root", "ssh-key": "id_work", "ssh-port": 2200}));
        let t = ssh_target("n", &p, &env(), AddressChoice::Public).unwrap();
        assert_eq!(t.key, KeySource::File { path: "/home/me/.ssh/id_work".into() });
        assert_eq!(ssh_command(&t, &env()), "ssh -i ~/.ssh/id_work -p 2200 root@h");
        let p = props(json!({"host": "h", "user": "root", "ssh-key": "/keys/a"}));
        assert_eq!(ssh_target("n", &p, &env(), AddressChoice::Public).unwrap().key.path(), Some(Path::new("/keys/a")));
        let p = props(json!({"host": "h", "user": "root"}));
        let with_env = TargetEnv { default_port: Some(2022), ..env() };
        let t = ssh_target("n", &p, &with_env, AddressChoice::Public).unwrap();
        assert_eq!((t.port, t.key.clone()), (2022, KeySource::Agent));
    }

    #[test]
    fn what_is_missing_is_named() {
        let p = props(json!({"user": "root", "cloud": {"instance": "i-1"}, "private": {"ip": "10.0.0.5"}}));
        let err = ssh_target("n", &p, &env(), AddressChoice::Public).unwrap_err();
        assert_eq!(err, RemoteError::NoAddress { node: "n".into(), has_instance: true, private: Some("10.0.0.5".into()) });
        let t = ssh_target("n", &p, &env(), AddressChoice::PrivateIfNeeded).unwrap();
        assert_eq!((t.host.as_str(), t.private_address), ("10.0.0.5", true));
        let p = props(json!({"host": "h"}));
        assert_eq!(ssh_target("n", &p, &env(), AddressChoice::Public).unwrap_err(), RemoteError::NoUser { node: "n".into() });
        let p = props(json!({"host": "h", "user": "u", "ssh-port": "ssh"}));
        assert!(matches!(ssh_target("n", &p, &env(), AddressChoice::Public), Err(RemoteError::BadPort { .. })));
        let p = props(json!({"host": "h", "user": "u", "template": true}));
        assert_eq!(ssh_target("n", &p, &env(), AddressChoice::Public).unwrap_err(), RemoteError::Template { node: "n".into() });
    }

    #[test]
    fn names_from_a_repository_stay_one_shell_word() {
        let p = props(json!({"host": "h;touch /tmp/pwn", "user": "-oProxyCommand=touch /tmp/pwn", "cloud": {"key-pair": "x';touch /tmp/pwn;'"}}));
        let t = ssh_target("n", &p, &env(), AddressChoice::Public).unwrap();
        let command = ssh_command(&t, &env());
        assert!(command.starts_with("ssh -i ~/"), "{command}");
        let words = shlex::split(&command).unwrap();
        assert_eq!(words.len(), 5, "{words:?}");
        assert_eq!(words[3], "--");
    }
}
