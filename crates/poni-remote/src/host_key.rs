//! Whether a server's host key is accepted: the one rule the app and the command line share.
//!
//! 1. Saved in known_hosts for this host: accepted. Saved with another key of the same type:
//!    refused (`HostKeyChanged`), unless the user confirmed exactly this replacement.
//! 2. Never seen: the instance's console output decides when it names keys: a key it printed is
//!    accepted and saved ("verified against the instance's console output"); a different key
//!    of the same type is refused (`HostKeyNotConsole`).
//! 3. Otherwise the policy: the app asks (the user accepts exactly the fingerprint shown), the
//!    command line saves a key it has never seen (OpenSSH's `accept-new`) or, when told to be
//!    strict, refuses it.

use std::sync::Mutex;

use russh::keys::PublicKey;
use serde::Serialize;
use ts_rs::TS;

use crate::console::{self, ConsoleKey, ConsoleVerdict};
use crate::error::RemoteError;
use crate::known_hosts::{fingerprint, KnownHosts, Lookup};
use crate::target::SshTarget;

/// What to do with a key never seen that the console output does not confirm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnknownKeys {
    /// Refuse with `HostKeyUnknown` (its fingerprint), so the caller can ask and try again
    /// with [`HostKeyCheck::accept`] set.
    Ask,
    /// Save it and go on (`StrictHostKeyChecking=accept-new`).
    AcceptNew,
    /// Refuse it (`StrictHostKeyChecking=yes`).
    Refuse,
}

/// Why a host key was accepted: the UI says so in the terminal's title bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum HostKeyOutcome {
    /// Saved before.
    Known,
    /// Never seen, and among the keys the instance printed when it booted.
    VerifiedByConsole,
    /// Never seen; the user accepted its fingerprint.
    AcceptedByUser,
    /// Never seen; saved on first use (the command line's default).
    AcceptedNew,
    /// Changed; the user confirmed the replacement.
    Replaced,
}

/// Whether the user may replace a saved key: the node's instance is not the one the key was
/// saved with (a re-launch that got the same address). One rule, used here and for the question.
pub fn replaceable(saved_instance: Option<&str>, current_instance: Option<&str>) -> bool {
    matches!((saved_instance, current_instance), (Some(saved), Some(current)) if saved != current)
}

/// The decision's inputs for one connection or one run over many nodes.
pub struct HostKeyCheck {
    known: Mutex<KnownHosts>,
    /// Per node: the keys its console output names (empty: none, or not asked).
    console: Vec<(String, Vec<ConsoleKey>)>,
    policy: UnknownKeys,
    /// The fingerprint the user accepted for a key never seen.
    pub accept: Option<String>,
    /// The fingerprint the user confirmed as the replacement of a changed key.
    pub replace: Option<String>,
}

impl HostKeyCheck {
    pub fn new(known: KnownHosts, policy: UnknownKeys) -> Self {
        HostKeyCheck { known: Mutex::new(known), console: Vec::new(), policy, accept: None, replace: None }
    }

    /// The console text of `node`'s instance.
    pub fn with_console(mut self, node: &str, text: &str) -> Self {
        self.console.push((node.to_owned(), console::console_keys(text)));
        self
    }

    /// Adds the console output of every target whose host is new, fetched by `fetch(region,
    /// instance)` a few at a time; what has not come within 20 s is done without.
    pub async fn with_consoles<F, Fut>(mut self, targets: &[&SshTarget], fetch: F) -> Self
    where
        F: Fn(String, String) -> Fut,
        Fut: std::future::Future<Output = Option<String>>,
    {
        use futures_util::StreamExt;
        let wanted: Vec<(String, String, String)> =
            targets.iter().filter(|t| self.needs_console(t)).filter_map(|t| Some((t.node.clone(), t.region.clone()?, t.instance.clone()?))).collect();
        if wanted.is_empty() {
            return self;
        }
        let mut texts = Vec::new();
        let fetched = futures_util::stream::iter(wanted)
            .map(|(node, region, instance)| {
                let text = fetch(region, instance);
                async move { (node, text.await) }
            })
            .buffer_unordered(8);
        let gather = async {
            futures_util::pin_mut!(fetched);
            while let Some((node, text)) = fetched.next().await {
                if let Some(text) = text {
                    texts.push((node, text));
                }
            }
        };
        let _ = tokio::time::timeout(std::time::Duration::from_secs(20), gather).await;
        for (node, text) in texts {
            self = self.with_console(&node, &text);
        }
        self
    }

    /// The host-key algorithms to offer for `target`, those of its saved keys first.
    pub fn host_key_order(&self, target: &SshTarget, preferred: &[russh::keys::Algorithm]) -> Vec<russh::keys::Algorithm> {
        self.known.lock().unwrap_or_else(|e| e.into_inner()).prefer_saved(&target.host, target.port, preferred)
    }

    /// Whether the console output is worth asking EC2 for: the host is not in known_hosts.
    pub fn needs_console(&self, target: &SshTarget) -> bool {
        !self.known.lock().unwrap_or_else(|e| e.into_inner()).knows_host(&target.host, target.port)
    }

    fn console_of(&self, node: &str) -> &[ConsoleKey] {
        self.console.iter().find(|(n, _)| n == node).map(|(_, k)| k.as_slice()).unwrap_or(&[])
    }

    /// Accepts or refuses the key `target`'s server offered, saving what is accepted anew.
    pub fn decide(&self, target: &SshTarget, key: &PublicKey) -> Result<HostKeyOutcome, RemoteError> {
        let (host, port) = (target.host.as_str(), target.port);
        let offered = fingerprint(key);
        let instance = target.instance.as_deref();
        let mut known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        let lookup = known.lookup(host, port, key);
        let other_type = matches!(lookup, Lookup::OtherType(_));
        match lookup {
            Lookup::Known => Ok(HostKeyOutcome::Known),
            Lookup::Revoked => Err(RemoteError::HostKeyRevoked { host: host.into(), port, fingerprint: offered }),
            Lookup::Changed(saved) | Lookup::OtherType(saved) => {
                // A key of a type the file lacks is taken when the instance printed it.
                if other_type && console::verdict(self.console_of(&target.node), key) == ConsoleVerdict::Confirmed {
                    known.learn(host, port, key, instance)?;
                    return Ok(HostKeyOutcome::VerifiedByConsole);
                }
                // A replacement only where the node's instance is another than the one the key
                // was saved for (a re-launch reusing the address), and only the key confirmed.
                let replaceable = replaceable(saved.instance.as_deref(), instance);
                if replaceable && self.replace.as_deref() == Some(offered.as_str()) {
                    known.replace(host, port, key, instance)?;
                    return Ok(HostKeyOutcome::Replaced);
                }
                Err(RemoteError::HostKeyChanged {
                    host: host.into(),
                    port,
                    saved: saved.fingerprint,
                    offered,
                    saved_instance: saved.instance,
                    current_instance: instance.map(str::to_owned),
                })
            }
            Lookup::Unknown => {
                let outcome = match console::verdict(self.console_of(&target.node), key) {
                    ConsoleVerdict::Confirmed => HostKeyOutcome::VerifiedByConsole,
                    ConsoleVerdict::Contradicted(printed) => {
                        return Err(RemoteError::HostKeyNotConsole { host: host.into(), port, fingerprint: offered, console: printed });
                    }
                    ConsoleVerdict::Silent if self.accept.as_deref() == Some(offered.as_str()) => HostKeyOutcome::AcceptedByUser,
                    ConsoleVerdict::Silent => match self.policy {
                        UnknownKeys::AcceptNew => HostKeyOutcome::AcceptedNew,
                        UnknownKeys::Ask | UnknownKeys::Refuse => {
                            return Err(RemoteError::HostKeyUnknown { host: host.into(), port, fingerprint: offered });
                        }
                    },
                };
                known.learn(host, port, key, instance)?;
                Ok(outcome)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::KeySource;

    const ED: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGxJMQOEjEkoRsPxX/bo+0eRbzU+Ee+GKc5Q6hfJFDHv";
    const ED2: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIF5PVdQj9IIx96urAVMNsvZmF8B4Ob/f1pYg0jlTDAaQ";

    fn target(instance: &str) -> SshTarget {
        SshTarget {
            node: "web".into(),
            user: "u".into(),
            host: "10.0.0.1".into(),
            port: 22,
            key: KeySource::Agent,
            instance: Some(instance.into()),
            region: None,
            private_address: false,
        }
    }

    fn check(dir: &tempfile::TempDir, policy: UnknownKeys) -> HostKeyCheck {
        HostKeyCheck::new(KnownHosts::load(&dir.path().join("known_hosts")).unwrap(), policy)
    }

    fn key(s: &str) -> PublicKey {
        PublicKey::from_openssh(s).unwrap()
    }

    #[test]
    fn the_console_output_confirms_or_contradicts_a_new_key() {
        let dir = tempfile::tempdir().unwrap();
        let text = format!("-----BEGIN SSH HOST KEY KEYS-----\n{ED} root@ip\n-----END SSH HOST KEY KEYS-----\n");
        let c = check(&dir, UnknownKeys::Ask).with_console("web", &text);
        assert!(c.needs_console(&target("i-1")));
        assert!(matches!(c.decide(&target("i-1"), &key(ED2)), Err(RemoteError::HostKeyNotConsole { .. })));
        assert_eq!(c.decide(&target("i-1"), &key(ED)).unwrap(), HostKeyOutcome::VerifiedByConsole);
        assert!(!c.needs_console(&target("i-1")));
        // Saved: the next connection knows it, from the file.
        assert_eq!(check(&dir, UnknownKeys::Refuse).decide(&target("i-1"), &key(ED)).unwrap(), HostKeyOutcome::Known);
    }

    #[test]
    fn without_console_output_the_policy_decides() {
        let dir = tempfile::tempdir().unwrap();
        let err = check(&dir, UnknownKeys::Ask).decide(&target("i-1"), &key(ED)).unwrap_err();
        assert_eq!(err, RemoteError::HostKeyUnknown { host: "10.0.0.1".into(), port: 22, fingerprint: fingerprint(&key(ED)) });
        assert!(matches!(check(&dir, UnknownKeys::Refuse).decide(&target("i-1"), &key(ED)), Err(RemoteError::HostKeyUnknown { .. })));
        let mut asked = check(&dir, UnknownKeys::Ask);
        asked.accept = Some(fingerprint(&key(ED2)));
        assert!(asked.decide(&target("i-1"), &key(ED)).is_err(), "accepting one fingerprint accepts no other");
        asked.accept = Some(fingerprint(&key(ED)));
        assert_eq!(asked.decide(&target("i-1"), &key(ED)).unwrap(), HostKeyOutcome::AcceptedByUser);
    }

    #[test]
    fn a_key_of_a_new_type_for_a_known_host_is_refused_unless_the_console_printed_it() {
        let dir = tempfile::tempdir().unwrap();
        check(&dir, UnknownKeys::AcceptNew).decide(&target("i-1"), &key(ED)).unwrap();
        let rsa = key(crate::known_hosts::tests::RSA);
        let err = check(&dir, UnknownKeys::AcceptNew).decide(&target("i-1"), &rsa).unwrap_err();
        assert!(matches!(err, RemoteError::HostKeyChanged { .. }), "{err:?}");
        let text = format!("-----BEGIN SSH HOST KEY KEYS-----\n{} root@ip\n-----END SSH HOST KEY KEYS-----\n", crate::known_hosts::tests::RSA);
        let vouched = check(&dir, UnknownKeys::Refuse).with_console("web", &text);
        assert_eq!(vouched.decide(&target("i-1"), &rsa).unwrap(), HostKeyOutcome::VerifiedByConsole);
        assert_eq!(check(&dir, UnknownKeys::Refuse).decide(&target("i-1"), &key(ED)).unwrap(), HostKeyOutcome::Known, "the old key stays");
    }

    #[test]
    fn a_replacement_is_taken_only_for_another_instance() {
        let dir = tempfile::tempdir().unwrap();
        check(&dir, UnknownKeys::AcceptNew).decide(&target("i-1"), &key(ED)).unwrap();
        let mut same = check(&dir, UnknownKeys::Refuse);
        same.replace = Some(fingerprint(&key(ED2)));
        assert!(same.decide(&target("i-1"), &key(ED2)).is_err(), "the same instance: no replacement, whatever the user sends");
        assert!(replaceable(Some("i-1"), Some("i-2")) && !replaceable(Some("i-1"), Some("i-1")) && !replaceable(None, Some("i-2")));
    }

    #[test]
    fn a_changed_key_is_refused_naming_both_instances_until_the_user_replaces_it() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(check(&dir, UnknownKeys::AcceptNew).decide(&target("i-1"), &key(ED)).unwrap(), HostKeyOutcome::AcceptedNew);
        let err = check(&dir, UnknownKeys::AcceptNew).decide(&target("i-2"), &key(ED2)).unwrap_err();
        match &err {
            RemoteError::HostKeyChanged { saved_instance, current_instance, .. } => {
                assert_eq!((saved_instance.as_deref(), current_instance.as_deref()), (Some("i-1"), Some("i-2")));
            }
            other => panic!("{other:?}"),
        }
        assert!(err.to_string().contains("i-1") && err.to_string().contains("i-2"), "{err}");
        let mut confirmed = check(&dir, UnknownKeys::Refuse);
        confirmed.replace = Some(fingerprint(&key(ED2)));
        assert_eq!(confirmed.decide(&target("i-2"), &key(ED2)).unwrap(), HostKeyOutcome::Replaced);
        assert_eq!(check(&dir, UnknownKeys::Refuse).decide(&target("i-2"), &key(ED2)).unwrap(), HostKeyOutcome::Known);
        assert!(check(&dir, UnknownKeys::Refuse).decide(&target("i-2"), &key(ED)).is_err());
    }
}
