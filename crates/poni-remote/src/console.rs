//! The host key fingerprints an instance prints to its console when it first boots
//! (cloud-init's `-----BEGIN SSH HOST KEY FINGERPRINTS-----` and `...KEYS-----` blocks), as
//! EC2's GetConsoleOutput returns them. They come from the instance itself before anyone
//! could connect, so a server key found there is the instance's.
//!
//! Lines may carry prefixes (`ec2: `, `[   12.3] cloud-init[900]: `); only SHA256
//! fingerprints and full keys are used (older images print MD5 ones, which are ignored: the
//! user is then asked, as with no console output).

use russh::keys::{Algorithm, PublicKey};

use crate::known_hosts::fingerprint;

/// One key the console names: its SHA256 fingerprint and, when printed, its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleKey {
    pub fingerprint: String,
    /// `ED25519`, `ECDSA`, `RSA`, `DSA`
    pub kind: Option<String>,
}

/// What the console output says of a server's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConsoleVerdict {
    /// The key is among those the instance printed.
    Confirmed,
    /// The instance printed a different key of the same type: not this server's.
    Contradicted(Vec<String>),
    /// The console names no key of that type (or none at all).
    Silent,
}

/// Only this much of a console text is read (EC2 returns at most 64 KiB).
const LIMIT: usize = 1024 * 1024;

/// The keys named in a console text.
pub fn console_keys(text: &str) -> Vec<ConsoleKey> {
    let text = &text[..floor_char_boundary(text, LIMIT)];
    let mut keys = Vec::new();
    let mut block = None;
    for raw in text.lines() {
        let line = raw.trim();
        if line.contains("-----BEGIN SSH HOST KEY FINGERPRINTS-----") {
            block = Some(Block::Fingerprints);
            continue;
        }
        if line.contains("-----BEGIN SSH HOST KEY KEYS-----") {
            block = Some(Block::Keys);
            continue;
        }
        if line.contains("-----END SSH HOST KEY") {
            block = None;
            continue;
        }
        match block {
            Some(Block::Fingerprints) => {
                let words: Vec<&str> = line.split_whitespace().collect();
                if let Some(fp) = words.iter().find(|w| is_sha256_fingerprint(w)) {
                    let kind = words.last().filter(|w| w.starts_with('(') && w.ends_with(')')).map(|w| w[1..w.len() - 1].to_ascii_uppercase());
                    keys.push(ConsoleKey { fingerprint: (*fp).to_owned(), kind });
                }
            }
            Some(Block::Keys) => {
                // The key starts at its type name, after whatever prefix the line has.
                let start = ["ssh-", "ecdsa-"].iter().filter_map(|p| line.find(p)).min();
                if let Some(key) = start.and_then(|s| PublicKey::from_openssh(&line[s..]).ok()) {
                    keys.push(ConsoleKey { fingerprint: fingerprint(&key), kind: Some(kind_of(&key.algorithm()).to_owned()) });
                }
            }
            None => {}
        }
    }
    let mut seen = std::collections::HashSet::new();
    keys.retain(|k| seen.insert(k.fingerprint.clone()));
    keys
}

/// What the console keys say of `key`.
pub fn verdict(console: &[ConsoleKey], key: &PublicKey) -> ConsoleVerdict {
    let offered = fingerprint(key);
    if console.iter().any(|k| k.fingerprint == offered) {
        return ConsoleVerdict::Confirmed;
    }
    let kind = kind_of(&key.algorithm());
    let same_kind: Vec<String> = console.iter().filter(|k| k.kind.as_deref() == Some(kind)).map(|k| k.fingerprint.clone()).collect();
    if same_kind.is_empty() {
        ConsoleVerdict::Silent
    } else {
        ConsoleVerdict::Contradicted(same_kind)
    }
}

/// What an instance's console output says of a fingerprint, for the user deciding whether to
/// replace a changed key: only the fingerprint is known then, not the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub enum ConsoleWitness {
    /// The instance printed this fingerprint when it booted.
    Confirms,
    /// The instance printed host keys, and this is not one of them.
    ListsOthers,
    /// No console output, or it names no key.
    Silent,
}

pub fn witness(console_text: Option<&str>, fingerprint: &str) -> ConsoleWitness {
    let keys = console_text.map(console_keys).unwrap_or_default();
    if keys.iter().any(|k| k.fingerprint == fingerprint) {
        ConsoleWitness::Confirms
    } else if keys.is_empty() {
        ConsoleWitness::Silent
    } else {
        ConsoleWitness::ListsOthers
    }
}

#[derive(Clone, Copy)]
enum Block {
    Fingerprints,
    Keys,
}

/// The type names ssh-keygen prints in parentheses.
fn kind_of(algorithm: &Algorithm) -> &'static str {
    match algorithm {
        Algorithm::Ed25519 => "ED25519",
        Algorithm::Ecdsa { .. } => "ECDSA",
        Algorithm::Rsa { .. } => "RSA",
        Algorithm::Dsa => "DSA",
        _ => "OTHER",
    }
}

/// `SHA256:` and 43 base64 characters (a 32-byte digest, unpadded).
fn is_sha256_fingerprint(word: &str) -> bool {
    word.strip_prefix("SHA256:").is_some_and(|b| b.len() == 43 && b.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'+' || c == b'/'))
}

fn floor_char_boundary(text: &str, at: usize) -> usize {
    if at >= text.len() {
        return text.len();
    }
    (0..=at).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ED: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGxJMQOEjEkoRsPxX/bo+0eRbzU+Ee+GKc5Q6hfJFDHv";
    const ED2: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIF5PVdQj9IIx96urAVMNsvZmF8B4Ob/f1pYg0jlTDAaQ";

    fn console(fp: &str, key: &str) -> String {
        format!(
            "[   10.1] cloud-init[812]: Generating public/private ed25519 key pair.\n\
             ec2: \n\
             ec2: #############################################################\n\
             ec2: -----BEGIN SSH HOST KEY FINGERPRINTS-----\n\
             ec2: 256 SHA256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa root@ip-172-31-0-1 (ECDSA)\n\
             ec2: 256 {fp} root@ip-172-31-0-1 (ED25519)\n\
             ec2: -----END SSH HOST KEY FINGERPRINTS-----\n\
             ec2: #############################################################\n\
             -----BEGIN SSH HOST KEY KEYS-----\n\
             {key} root@ip-172-31-0-1\n\
             -----END SSH HOST KEY KEYS-----\n\
             [   11.0] cloud-init[900]: Cloud-init v. 22.2.2 finished\n"
        )
    }

    #[test]
    fn a_key_the_instance_printed_is_confirmed_and_another_of_its_type_is_not() {
        let key = PublicKey::from_openssh(ED).unwrap();
        let other = PublicKey::from_openssh(ED2).unwrap();
        let keys = console_keys(&console(&fingerprint(&key), ED));
        assert_eq!(keys.len(), 2, "one ECDSA, one ED25519 named twice: {keys:?}");
        assert_eq!(verdict(&keys, &key), ConsoleVerdict::Confirmed);
        assert_eq!(verdict(&keys, &other), ConsoleVerdict::Contradicted(vec![fingerprint(&key)]));
        // Fingerprints alone (no KEYS block) are enough.
        let only = console_keys(&console(&fingerprint(&key), "").replace("-----BEGIN SSH HOST KEY KEYS-----", ""));
        assert_eq!(verdict(&only, &key), ConsoleVerdict::Confirmed);
    }

    #[test]
    fn no_block_md5_or_garbage_says_nothing() {
        let key = PublicKey::from_openssh(ED).unwrap();
        assert_eq!(verdict(&console_keys("Linux version 6.1\nlogin:"), &key), ConsoleVerdict::Silent);
        let md5 =
            "-----BEGIN SSH HOST KEY FINGERPRINTS-----\n2048 aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99 (RSA)\n-----END SSH HOST KEY FINGERPRINTS-----";
        assert!(console_keys(md5).is_empty());
        assert!(console_keys("-----BEGIN SSH HOST KEY KEYS-----\nssh-ed25519 !!!\n\u{0}\u{202e}").is_empty());
    }
}
