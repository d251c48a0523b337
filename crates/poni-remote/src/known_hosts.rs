//! Host keys seen before, kept in OpenSSH's `~/.ssh/known_hosts` so the user's own `ssh` and
//! the app agree. Reads plain and hashed (`|1|salt|hash`) names, `[host]:port`, wildcards and
//! negations, and the `@revoked` marker; lines it cannot read are skipped, as OpenSSH does.
//! Lines poni writes are plain, with the instance id in the key's comment
//! (`poni:instance=i-...`), so a key saved for an instance that has since been replaced on the
//! same address can be told from an attack.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use hmac::{KeyInit, Mac};
use russh::keys::ssh_key::known_hosts::{Entry, HostPatterns, KnownHosts as Parser, Marker};
use russh::keys::{Algorithm, HashAlg, PublicKey};

use crate::error::RemoteError;

/// The largest known_hosts read: far more than any real one (a line is under 1 KiB).
const LIMIT: u64 = 16 * 1024 * 1024;
const INSTANCE_TAG: &str = "poni:instance=";

/// A host's saved key, as the check reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedKey {
    pub fingerprint: String,
    pub instance: Option<String>,
}

/// What the file says of the key a server offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// Saved for this host.
    Known,
    /// The host has saved keys of the same type, and this is none of them.
    Changed(SavedKey),
    /// The host has saved keys, none of this type: as suspect as a changed key (an attacker
    /// offers a type the file does not hold), unless the instance vouches for it.
    OtherType(SavedKey),
    /// The key is marked `@revoked`.
    Revoked,
    /// Nothing of this type saved for the host.
    Unknown,
}

/// The known_hosts file, read once; `learn` and `replace` write through to it.
#[derive(Debug, Clone)]
pub struct KnownHosts {
    path: PathBuf,
    entries: Vec<Entry>,
}

/// `host` for port 22, else `[host]:port`: the name OpenSSH looks up.
pub fn host_name(host: &str, port: u16) -> String {
    if port == 22 {
        host.to_owned()
    } else {
        format!("[{host}]:{port}")
    }
}

/// OpenSSH's SHA256 fingerprint, `SHA256:<base64>`.
pub fn fingerprint(key: &PublicKey) -> String {
    key.fingerprint(HashAlg::Sha256).to_string()
}

impl KnownHosts {
    /// `~/.ssh/known_hosts`
    pub fn default_path(ssh_dir: &Path) -> PathBuf {
        ssh_dir.join("known_hosts")
    }

    /// Reads the file with the rule for the user's own files (a link must lead to a plain
    /// file; a FIFO or device is refused unopened; bounded). No file: nothing known.
    pub fn load(path: &Path) -> Result<KnownHosts, RemoteError> {
        let text = poni_cloud::credentials::read_user_file(path, LIMIT)
            .map_err(|p| RemoteError::KnownHostsUnreadable { path: p.path, problem: p.problem })?
            .unwrap_or_default();
        // A line OpenSSH could not read either is skipped, not an error.
        let entries = Parser::new(&text).filter_map(Result::ok).collect();
        Ok(KnownHosts { path: path.to_path_buf(), entries })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn matching<'a>(&'a self, host: &'a str, port: u16) -> impl Iterator<Item = &'a Entry> + 'a {
        let name = host_name(host, port);
        self.entries.iter().filter(move |e| patterns_match(e.host_patterns(), &name))
    }

    /// Whether any key is saved for this host (before connecting: whether the console output
    /// is worth asking for).
    pub fn knows_host(&self, host: &str, port: u16) -> bool {
        self.matching(host, port).any(|e| e.marker().is_none())
    }

    /// `preferred` (the client's host-key algorithms, most wanted first) with those of the
    /// keys saved for this host moved ahead, as OpenSSH orders them: a server with several host
    /// keys then shows the one we know, instead of one of a type we never saved (which would
    /// read as suspect). Order within each part is kept.
    pub fn prefer_saved(&self, host: &str, port: u16, preferred: &[Algorithm]) -> Vec<Algorithm> {
        let saved: Vec<Algorithm> = self.matching(host, port).filter(|e| e.marker().is_none()).map(|e| e.public_key().algorithm()).collect();
        let is_saved = |a: &Algorithm| saved.iter().any(|s| same_key_type(s, a));
        let (first, rest): (Vec<Algorithm>, Vec<Algorithm>) = preferred.iter().cloned().partition(is_saved);
        first.into_iter().chain(rest).collect()
    }

    pub fn lookup(&self, host: &str, port: u16, key: &PublicKey) -> Lookup {
        let same = |e: &&Entry| e.public_key().key_data() == key.key_data();
        let entries: Vec<&Entry> = self.matching(host, port).collect();
        if entries.iter().filter(|e| matches!(e.marker(), Some(Marker::Revoked))).any(same) {
            return Lookup::Revoked;
        }
        let plain: Vec<&Entry> = entries.into_iter().filter(|e| e.marker().is_none()).collect();
        if plain.iter().any(same) {
            return Lookup::Known;
        }
        let saved = |e: &Entry| SavedKey { fingerprint: fingerprint(e.public_key()), instance: instance_of(e.public_key()) };
        match (plain.iter().find(|e| e.public_key().algorithm() == key.algorithm()), plain.first()) {
            (Some(same_type), _) => Lookup::Changed(saved(same_type)),
            (None, Some(other)) => Lookup::OtherType(saved(other)),
            (None, None) => Lookup::Unknown,
        }
    }

    /// Saves `key` for the host (appended, as `ssh` does with a new host).
    pub fn learn(&mut self, host: &str, port: u16, key: &PublicKey, instance: Option<&str>) -> Result<(), RemoteError> {
        let line = entry_line(host, port, key, instance);
        let path = self.writable_path()?;
        let unwritable = |e: std::io::Error| RemoteError::KnownHostsUnreadable { path: path.clone(), problem: format!("cannot be written: {e}") };
        if let Some(dir) = path.parent() {
            create_private_dir(dir).map_err(unwritable)?;
        }
        let mut file = append_options().open(&path).map_err(unwritable)?;
        // One write of a whole line: concurrent learners (remote exec on many nodes) never
        // interleave within a line.
        file.write_all(format!("{line}\n").as_bytes()).map_err(unwritable)?;
        if let Ok(entry) = line.parse::<Entry>() {
            self.entries.push(entry);
        }
        Ok(())
    }

    /// Replaces every saved key of `key`'s type for exactly this host with `key` (the user
    /// confirmed the change). Lines naming other hosts too keep those hosts.
    pub fn replace(&mut self, host: &str, port: u16, key: &PublicKey, instance: Option<&str>) -> Result<(), RemoteError> {
        let path = self.writable_path()?;
        let text = poni_cloud::credentials::read_user_file(&path, LIMIT)
            .map_err(|p| RemoteError::KnownHostsUnreadable { path: p.path, problem: p.problem })?
            .unwrap_or_default();
        let name = host_name(host, port);
        let mut kept = String::with_capacity(text.len());
        for line in text.lines() {
            let entry = line.parse::<Entry>().ok().filter(|e| e.marker().is_none() && e.public_key().algorithm() == key.algorithm());
            let drop_names: Vec<&String> = match entry.as_ref().map(Entry::host_patterns) {
                // A hashed line names one host: this one, or it stays.
                Some(hashed @ HostPatterns::HashedName { .. }) if patterns_match(hashed, &name) => {
                    continue;
                }
                // Only this host's exact name goes; wildcards and negations keep covering the
                // other hosts they name (the new exact line is found for this one).
                Some(HostPatterns::Patterns(patterns)) => patterns.iter().filter(|p| p.eq_ignore_ascii_case(&name)).collect(),
                _ => Vec::new(),
            };
            if drop_names.is_empty() {
                kept.push_str(line);
                kept.push('\n');
                continue;
            }
            if let Some(HostPatterns::Patterns(patterns)) = entry.as_ref().map(Entry::host_patterns) {
                let others: Vec<&str> = patterns.iter().filter(|p| !p.eq_ignore_ascii_case(&name)).map(String::as_str).collect();
                if !others.is_empty() {
                    let rest = line.trim_start().split_once(char::is_whitespace).map_or("", |(_, rest)| rest);
                    kept.push_str(&format!("{} {}\n", others.join(","), rest.trim_start()));
                }
            }
        }
        kept.push_str(&entry_line(host, port, key, instance));
        kept.push('\n');
        poni_repo::store::write_atomic(&path, kept.as_bytes())
            .map_err(|e| RemoteError::KnownHostsUnreadable { path: path.clone(), problem: format!("cannot be written: {e}") })?;
        *self = KnownHosts { path: self.path.clone(), entries: Parser::new(&kept).filter_map(Result::ok).collect() };
        Ok(())
    }

    /// Where writes go: the file, or the plain file a link leads to (dotfile managers link
    /// it); anything else is refused.
    fn writable_path(&self) -> Result<PathBuf, RemoteError> {
        match std::fs::symlink_metadata(&self.path) {
            Ok(m) if m.file_type().is_symlink() => std::fs::canonicalize(&self.path)
                .map_err(|e| RemoteError::KnownHostsUnreadable { path: self.path.clone(), problem: format!("is a link that leads nowhere usable ({e})") }),
            Ok(m) if !m.is_file() => Err(RemoteError::KnownHostsUnreadable {
                path: self.path.clone(),
                problem: "is not a plain file, so it was not written: replace it with a plain file, or remove it".into(),
            }),
            _ => Ok(self.path.clone()),
        }
    }
}

fn append_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    options.append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC).mode(0o644);
    }
    options
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// `name key-type base64 poni:instance=i-...`
fn entry_line(host: &str, port: u16, key: &PublicKey, instance: Option<&str>) -> String {
    let mut key = key.clone();
    key.set_comment(instance.filter(|i| is_instance_id(i)).map(|i| format!("{INSTANCE_TAG}{i}")).unwrap_or_default());
    let text = key.to_openssh().unwrap_or_default();
    format!("{} {}", host_name(host, port), text.trim())
}

/// EC2 ids only (`i-` and hex): a comment never carries a space or a control character.
fn is_instance_id(s: &str) -> bool {
    s.strip_prefix("i-").is_some_and(|hex| !hex.is_empty() && hex.len() <= 32 && hex.chars().all(|c| c.is_ascii_alphanumeric()))
}

fn instance_of(key: &PublicKey) -> Option<String> {
    let comment = key.comment().as_str_lossy();
    comment.split_whitespace().find_map(|w| w.strip_prefix(INSTANCE_TAG)).filter(|i| is_instance_id(i)).map(str::to_owned)
}

/// OpenSSH's rule: a name matches when some pattern matches it and no negated one does.
fn patterns_match(patterns: &HostPatterns, name: &str) -> bool {
    match patterns {
        HostPatterns::HashedName { salt, hash } => {
            let Ok(mut mac) = hmac::Hmac::<sha1::Sha1>::new_from_slice(salt) else { return false };
            mac.update(name.as_bytes());
            mac.verify_slice(hash).is_ok()
        }
        HostPatterns::Patterns(list) => {
            let mut matched = false;
            for p in list {
                if let Some(negated) = p.strip_prefix('!') {
                    if pattern_matches(negated, name) {
                        return false;
                    }
                } else if pattern_matches(p, name) {
                    matched = true;
                }
            }
            matched
        }
    }
}

/// One pattern: `*` and `?` wildcards, case-insensitive as host names are.
fn pattern_matches(pattern: &str, name: &str) -> bool {
    fn glob(p: &[u8], n: &[u8]) -> bool {
        let (mut pi, mut ni, mut star, mut mark) = (0, 0, None, 0);
        while ni < n.len() {
            if pi < p.len() && (p[pi] == b'?' || p[pi].eq_ignore_ascii_case(&n[ni])) {
                pi += 1;
                ni += 1;
            } else if pi < p.len() && p[pi] == b'*' {
                star = Some(pi);
                mark = ni;
                pi += 1;
            } else if let Some(s) = star {
                pi = s + 1;
                mark += 1;
                ni = mark;
            } else {
                return false;
            }
        }
        p[pi..].iter().all(|&c| c == b'*')
    }
    glob(pattern.as_bytes(), name.as_bytes())
}

/// Whether two algorithms sign with the same kind of key: every RSA signature hash is one RSA
/// key (`ssh-rsa` saved, `rsa-sha2-512` negotiated).
fn same_key_type(a: &Algorithm, b: &Algorithm) -> bool {
    matches!((a, b), (Algorithm::Rsa { .. }, Algorithm::Rsa { .. })) || a == b
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    const ED: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGxJMQOEjEkoRsPxX/bo+0eRbzU+Ee+GKc5Q6hfJFDHv";
    const ED2: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIF5PVdQj9IIx96urAVMNsvZmF8B4Ob/f1pYg0jlTDAaQ";
    pub(crate) const RSA: &str = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDZATP2nplvJaCgRZtNDypYg424lisaMf4pBKvxneJupIlwvmZ0szkIf0jQYSTw/1KXQxQdIOX5vGXX+JbXVzfziGPd/Y01+6ljIWVBFvQJRct2DGwDP8BiPqXI3s7Yj49/4r/XBujieMdkkMqHp2zIu7e4U5jLJWAF0NvS5Cd7Aw==";

    fn key(text: &str) -> PublicKey {
        PublicKey::from_openssh(text).unwrap()
    }

    fn file(text: &str) -> (tempfile::TempDir, KnownHosts) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("known_hosts");
        std::fs::write(&path, text).unwrap();
        let hosts = KnownHosts::load(&path).unwrap();
        (dir, hosts)
    }

    #[test]
    fn plain_bracketed_wildcard_and_negated_names_match_as_openssh_matches_them() {
        let (_d, hosts) = file(&format!("h1,h2 {ED}\n[h3]:2222 {ED}\n*.example.com,!bad.example.com {ED}\ngarbage line\n"));
        for (host, port) in [("h1", 22), ("h2", 22), ("h3", 2222), ("a.example.com", 22), ("A.EXAMPLE.COM", 22)] {
            assert_eq!(hosts.lookup(host, port, &key(ED)), Lookup::Known, "{host}:{port}");
        }
        for (host, port) in [("h3", 22), ("h1", 2222), ("bad.example.com", 22), ("h4", 22)] {
            assert_eq!(hosts.lookup(host, port, &key(ED)), Lookup::Unknown, "{host}:{port}");
        }
        assert!(matches!(hosts.lookup("h1", 22, &key(ED2)), Lookup::Changed(_)));
    }

    #[test]
    fn hashed_names_are_matched() {
        // `ssh-keygen -H` of "[127.0.0.1]:2222" with a fixed salt, computed here.
        let salt = b"0123456789abcdefghij";
        let mut mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(salt).unwrap();
        mac.update(b"[127.0.0.1]:2222");
        let hash = mac.finalize().into_bytes();
        let b64 = data_encoding::BASE64;
        let (_d, hosts) = file(&format!("|1|{}|{} {ED}\n", b64.encode(salt), b64.encode(&hash)));
        assert_eq!(hosts.lookup("127.0.0.1", 2222, &key(ED)), Lookup::Known);
        assert_eq!(hosts.lookup("127.0.0.1", 22, &key(ED)), Lookup::Unknown);
    }

    #[test]
    fn learned_keys_carry_the_instance_and_a_change_names_it() {
        let (dir, mut hosts) = file("");
        hosts.learn("10.0.0.1", 22, &key(ED), Some("i-0abc")).unwrap();
        hosts.learn("10.0.0.1", 22, &key(ED), Some("i-0abc x\nevil")).unwrap();
        let text = std::fs::read_to_string(dir.path().join("known_hosts")).unwrap();
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(text.starts_with("10.0.0.1 ssh-ed25519 AAAA") && text.lines().next().unwrap().ends_with(" poni:instance=i-0abc"), "{text}");
        let again = KnownHosts::load(&dir.path().join("known_hosts")).unwrap();
        assert_eq!(again.lookup("10.0.0.1", 22, &key(ED)), Lookup::Known);
        match again.lookup("10.0.0.1", 22, &key(ED2)) {
            Lookup::Changed(saved) => assert_eq!(saved, SavedKey { fingerprint: fingerprint(&key(ED)), instance: Some("i-0abc".into()) }),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn replace_drops_only_this_hosts_key_of_that_type() {
        let (dir, mut hosts) = file(&format!("h1,h2 {ED}\nh9 {ED}\n# a comment\n"));
        hosts.replace("h1", 22, &key(ED2), Some("i-2")).unwrap();
        let text = std::fs::read_to_string(dir.path().join("known_hosts")).unwrap();
        assert_eq!(hosts.lookup("h1", 22, &key(ED2)), Lookup::Known);
        assert_eq!(hosts.lookup("h2", 22, &key(ED)), Lookup::Known);
        assert_eq!(hosts.lookup("h9", 22, &key(ED)), Lookup::Known);
        assert!(text.contains("# a comment"), "{text}");
        assert!(text.starts_with(&format!("h2 {ED}")), "{text}");
    }

    #[test]
    fn replace_keeps_wildcard_lines_for_the_hosts_they_cover_and_a_new_type_is_suspect() {
        let (_dir, mut hosts) = file(&format!("*.corp {ED}\n"));
        hosts.replace("a.corp", 22, &key(ED2), None).unwrap();
        assert_eq!(hosts.lookup("a.corp", 22, &key(ED2)), Lookup::Known);
        assert_eq!(hosts.lookup("b.corp", 22, &key(ED)), Lookup::Known, "the wildcard still covers the others");
        assert!(matches!(hosts.lookup("b.corp", 22, &key(RSA)), Lookup::OtherType(_)), "another type for a known host is not \"unknown\"");
    }

    #[test]
    fn revoked_keys_are_reported() {
        let (_d, hosts) = file(&format!("@revoked * {ED}\n"));
        assert_eq!(hosts.lookup("any", 22, &key(ED)), Lookup::Revoked);
        assert!(!hosts.knows_host("any", 22));
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_unopened_and_a_missing_file_knows_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("known_hosts");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let err = KnownHosts::load(&fifo).unwrap_err();
        assert!(err.to_string().contains("FIFO"), "{err}");
        let hosts = KnownHosts::load(&dir.path().join("none")).unwrap();
        assert!(!hosts.knows_host("h", 22));
    }

    #[test]
    fn saved_key_types_are_asked_for_first() {
        let (_dir, known) = file(&format!("h {RSA}\n"));
        let default = russh::Preferred::DEFAULT.key.to_vec();
        let order = known.prefer_saved("h", 22, &default);
        assert_eq!(order.len(), default.len(), "nothing dropped, nothing added");
        assert!(matches!(order[0], Algorithm::Rsa { .. }), "the saved RSA key's algorithms come first: {order:?}");
        let first_other = order.iter().position(|a| !matches!(a, Algorithm::Rsa { .. })).unwrap();
        assert!(order[first_other..].iter().all(|a| !matches!(a, Algorithm::Rsa { .. })));
        assert_eq!(known.prefer_saved("other", 22, &default), default, "an unknown host keeps the client's order");
    }
}
