//! Key pairs: the region's list, each with whether its private key is on this computer
//! (`~/.ssh/<name>.pem`, where poni and the seed document expect it), making a new one with the
//! private key saved there (mode 0600, never over an existing file), and importing a public key.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use aws_sdk_ec2::types::{KeyFormat, KeyType};
use serde::Serialize;
use ts_rs::TS;

use super::{Account, AccountError};
use crate::aws::errors::{from_sdk, ErrorContext};
use crate::aws::{ActionClass, CloudError};

/// A key pair's private key file and whether it exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct KeyPairFile {
    pub name: String,
    pub path: String,
    pub exists: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct KeyPairInfo {
    pub name: String,
    pub key_pair_id: Option<String>,
    pub fingerprint: Option<String>,
    /// `rsa` or `ed25519`.
    pub key_type: Option<String>,
    /// `~/.ssh/<name>.pem`, and whether it is there.
    pub file: KeyPairFile,
}

/// A `~/.ssh/*.pub` file that "Import" can upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct PublicKeyFile {
    /// The file name without `.pub`, offered as the key pair's name.
    pub name: String,
    pub path: String,
}

/// `~/.ssh` of the user running Poni.
pub fn ssh_dir() -> Option<PathBuf> {
    std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE")).map(|h| PathBuf::from(h).join(".ssh"))
}

/// The one place that says where a key pair's private key lives.
pub fn key_file(ssh_dir: &Path, name: &str) -> KeyPairFile {
    let path = ssh_dir.join(format!("{name}.pem"));
    KeyPairFile { exists: path.is_file(), path: path.display().to_string(), name: name.to_owned() }
}

/// EC2 allows 255 ASCII characters; the name also becomes a file name, so fewer are allowed here.
pub fn check_key_pair_name(name: &str) -> Result<(), AccountError> {
    let bad = |why| Err(AccountError::InvalidKeyPairName { name: name.to_owned(), why });
    if name.is_empty() {
        return bad("it is empty");
    }
    if name.len() > 255 {
        return bad("it is longer than 255 characters");
    }
    if name.starts_with('.') {
        return bad("it starts with '.'");
    }
    if name.ends_with(".pem") {
        return bad("leave out the .pem ending");
    }
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@' | '+')) {
        return bad("use letters, digits and - _ . @ + only");
    }
    Ok(())
}

/// The `.pub` files in `ssh_dir`, sorted by name. A missing folder lists nothing.
pub fn local_public_keys(ssh_dir: &Path) -> Vec<PublicKeyFile> {
    let mut found: Vec<PublicKeyFile> = fs::read_dir(ssh_dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| {
            let path = e.path();
            let name = path.file_name()?.to_str()?.strip_suffix(".pub")?.to_owned();
            Some(PublicKeyFile { name, path: path.display().to_string() })
        })
        .collect();
    found.sort_by(|a, b| a.name.cmp(&b.name));
    found
}

/// Creates `path` for the private key: only if it does not exist, readable by the owner only.
fn create_key_file(path: &Path) -> Result<fs::File, AccountError> {
    let shown = path.display().to_string();
    if let Some(dir) = path.parent() {
        let existed = dir.exists();
        fs::create_dir_all(dir).map_err(|e| AccountError::LocalFile { path: dir.display().to_string(), detail: e.to_string() })?;
        #[cfg(unix)]
        if !existed {
            use std::os::unix::fs::PermissionsExt;
            let _ = fs::set_permissions(dir, fs::Permissions::from_mode(0o700));
        }
        #[cfg(not(unix))]
        let _ = existed;
    }
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => AccountError::KeyFileExists { path: shown.clone() },
        _ => AccountError::LocalFile { path: shown.clone(), detail: e.to_string() },
    })
}

/// The key types ssh-keygen writes in `.pub` files that EC2 imports.
fn check_public_key(path: &Path, text: &str) -> Result<(), AccountError> {
    let bad = |detail: &str| Err(AccountError::BadPublicKey { path: path.display().to_string(), detail: detail.to_owned() });
    let first = text.lines().next().unwrap_or("").trim();
    let mut parts = first.split_whitespace();
    match (parts.next(), parts.next()) {
        (Some("ssh-rsa" | "ssh-ed25519" | "ecdsa-sha2-nistp256" | "ecdsa-sha2-nistp384" | "ecdsa-sha2-nistp521"), Some(body)) if body.len() > 16 => Ok(()),
        (Some(kind), Some(_)) if kind.starts_with("ssh-") || kind.starts_with("ecdsa") => bad(&format!("EC2 does not import {kind} keys")),
        _ if first.contains("PRIVATE KEY") => bad("this is a private key; pick the matching .pub file"),
        _ => bad("it does not start with ssh-rsa or ssh-ed25519"),
    }
}

impl Account {
    /// The region's key pairs, sorted by name, with their local private key files.
    pub async fn key_pairs(&self, region: &str, ssh_dir: &Path) -> Result<Vec<KeyPairInfo>, CloudError> {
        let client = self.provider.client(region);
        let ctx = ErrorContext::new("DescribeKeyPairs", region);
        let out = self
            .provider
            .paced(region, ActionClass::OtherDescribe, |_| {
                let request = client.describe_key_pairs();
                let ctx = &ctx;
                async move { request.send().await.map_err(|e| from_sdk(ctx, e)) }
            })
            .await?;
        let mut pairs: Vec<KeyPairInfo> = out
            .key_pairs()
            .iter()
            .filter_map(|k| {
                let name = k.key_name()?.to_owned();
                Some(KeyPairInfo {
                    file: key_file(ssh_dir, &name),
                    key_pair_id: k.key_pair_id().map(str::to_owned),
                    fingerprint: k.key_fingerprint().map(str::to_owned),
                    key_type: k.key_type().map(|t| t.as_str().to_owned()),
                    name,
                })
            })
            .collect();
        pairs.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(pairs)
    }

    /// Makes a key pair in EC2 and saves its private key to `ssh_dir/<name>.pem` (0600). The
    /// file is claimed before EC2 is asked, so an existing file is never overwritten and a
    /// refused name leaves nothing behind.
    pub async fn create_key_pair(&self, region: &str, name: &str, ssh_dir: &Path) -> Result<KeyPairInfo, AccountError> {
        check_key_pair_name(name)?;
        let target = key_file(ssh_dir, name);
        let path = PathBuf::from(&target.path);
        let mut file = create_key_file(&path)?;
        let client = self.provider.client(region);
        let ctx = ErrorContext { key_pair: Some(name.to_owned()), ..ErrorContext::new("CreateKeyPair", region) };
        let created = self
            .provider
            .paced(region, ActionClass::OtherMutating, |_| {
                let request = client.create_key_pair().key_name(name).key_type(KeyType::Ed25519).key_format(KeyFormat::Pem);
                let ctx = &ctx;
                async move { request.send().await.map_err(|e| from_sdk(ctx, e)) }
            })
            .await;
        let created = match created {
            Ok(out) => out,
            Err(e) => {
                let _ = fs::remove_file(&path);
                if e.aws_code.as_deref() == Some("InvalidKeyPair.Duplicate") {
                    return Err(AccountError::KeyPairExists { name: name.to_owned(), region: region.to_owned() });
                }
                return Err(e.into());
            }
        };
        let material = created.key_material().unwrap_or_default();
        let written = file.write_all(material.as_bytes()).and_then(|_| {
            if !material.ends_with('\n') {
                file.write_all(b"\n")?;
            }
            file.sync_all()
        });
        if material.is_empty() || written.is_err() {
            // Without its private key the new pair is useless: take it back rather than leave it.
            let _ = client.delete_key_pair().key_name(name).send().await;
            let _ = fs::remove_file(&path);
            let detail = written.err().map(|e| e.to_string()).unwrap_or_else(|| "EC2 sent no private key".into());
            return Err(AccountError::LocalFile { path: target.path, detail });
        }
        tracing::info!(key_pair = name, region, path = %path.display(), "created key pair");
        Ok(KeyPairInfo {
            file: key_file(ssh_dir, name),
            key_pair_id: created.key_pair_id().map(str::to_owned),
            fingerprint: created.key_fingerprint().map(str::to_owned),
            key_type: Some("ed25519".into()),
            name: name.to_owned(),
        })
    }

    /// Uploads an OpenSSH public key as a key pair. When the matching private key sits beside
    /// it (`id_ed25519` for `id_ed25519.pub`) and `<name>.pem` does not exist, a link of that
    /// name is made so that poni's `~/.ssh/<name>.pem` convention finds it.
    pub async fn import_key_pair(&self, region: &str, name: &str, public_key: &Path, ssh_dir: &Path) -> Result<KeyPairInfo, AccountError> {
        check_key_pair_name(name)?;
        let text = fs::read_to_string(public_key).map_err(|e| AccountError::BadPublicKey { path: public_key.display().to_string(), detail: e.to_string() })?;
        check_public_key(public_key, &text)?;
        let client = self.provider.client(region);
        let ctx = ErrorContext { key_pair: Some(name.to_owned()), ..ErrorContext::new("ImportKeyPair", region) };
        let material = aws_smithy_types::Blob::new(text.trim().as_bytes().to_vec());
        let out = self
            .provider
            .paced(region, ActionClass::OtherMutating, |_| {
                let request = client.import_key_pair().key_name(name).public_key_material(material.clone());
                let ctx = &ctx;
                async move { request.send().await.map_err(|e| from_sdk(ctx, e)) }
            })
            .await
            .map_err(|e| match e.aws_code.as_deref() {
                Some("InvalidKeyPair.Duplicate") => AccountError::KeyPairExists { name: name.to_owned(), region: region.to_owned() },
                _ => e.into(),
            })?;
        let private = public_key.with_extension("");
        let link = PathBuf::from(key_file(ssh_dir, name).path);
        #[cfg(unix)]
        if private.is_file() && !link.exists() && fs::symlink_metadata(&link).is_err() {
            let _ = std::os::unix::fs::symlink(&private, &link);
        }
        Ok(KeyPairInfo {
            file: key_file(ssh_dir, name),
            key_pair_id: out.key_pair_id().map(str::to_owned),
            fingerprint: out.key_fingerprint().map(str::to_owned),
            key_type: text.split_whitespace().next().map(|k| k.trim_start_matches("ssh-").to_owned()),
            name: name.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_cannot_be_files_or_pairs_are_refused() {
        for bad in ["", ".hidden", "a/b", "kp.pem", "has space", &"x".repeat(256)] {
            assert!(check_key_pair_name(bad).is_err(), "{bad:?}");
        }
        for good in ["my-keypair", "deploy_2026", "ann@laptop"] {
            check_key_pair_name(good).unwrap();
        }
        let e = check_key_pair_name("kp.pem").unwrap_err();
        assert_eq!(crate::Coded::code(&e), "keypair.invalid_name");
    }

    #[test]
    fn the_key_file_is_claimed_once_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let ssh = dir.path().join(".ssh");
        let path = ssh.join("kp.pem");
        create_key_file(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
            assert_eq!(fs::metadata(&ssh).unwrap().permissions().mode() & 0o777, 0o700);
        }
        let again = create_key_file(&path).unwrap_err();
        assert_eq!(crate::Coded::code(&again), "keypair.file_exists");
        assert!(key_file(&ssh, "kp").exists);
    }

    #[test]
    fn public_keys_are_listed_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("id_ed25519.pub"), "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample ann@laptop\n").unwrap();
        fs::write(dir.path().join("id_ed25519"), "-----BEGIN OPENSSH PRIVATE KEY-----\n").unwrap();
        fs::write(dir.path().join("notes.txt"), "x").unwrap();
        let listed = local_public_keys(dir.path());
        assert_eq!(listed.iter().map(|k| k.name.as_str()).collect::<Vec<_>>(), ["id_ed25519"]);
        let p = dir.path().join("id_ed25519.pub");
        check_public_key(&p, &fs::read_to_string(&p).unwrap()).unwrap();
        let e = check_public_key(&p, "-----BEGIN OPENSSH PRIVATE KEY-----").unwrap_err();
        assert!(e.to_string().contains("private key"), "{e}");
        assert_eq!(crate::Coded::code(&check_public_key(&p, "ssh-dss AAAAB3NzaC1kc3MAAACBAexample").unwrap_err()), "keypair.bad_public_key");
        assert!(local_public_keys(&dir.path().join("missing")).is_empty());
    }
}
