//! The SSH client: the only file that names russh, so its API changes stay here. Everything
//! else talks to [`Session`], [`ShellReader`]/[`ShellWriter`] and [`ExecEnd`].
//!
//! A connection: TCP with a deadline, the handshake (the host key decided by
//! [`HostKeyCheck`]), then the login: the ssh agent's keys first when it has any (as `ssh`
//! does), then the node's key file.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use russh::client::{self, Handle, Msg};
use russh::keys::agent::client::AgentClient;
use russh::keys::{PrivateKey, PrivateKeyWithHashAlg, PublicKey, PublicKeyOrCertificate};
use russh::{Channel, ChannelMsg, ChannelReadHalf, ChannelWriteHalf};
use tokio::net::TcpStream;

use crate::error::RemoteError;
use crate::host_key::{HostKeyCheck, HostKeyOutcome};
use crate::target::{KeySource, SshTarget};

/// The most a private key file may be (an RSA 16384 key is under 13 KiB).
const KEY_FILE_LIMIT: u64 = 1024 * 1024;

/// How long connecting may take, and the secret that opens an encrypted key.
#[derive(Clone)]
pub struct ConnectOptions {
    /// TCP connect plus handshake plus login.
    pub timeout: Duration,
    /// The key file's passphrase, when the user gave one. Used once, never stored.
    pub passphrase: Option<Arc<str>>,
    /// Whether the ssh agent (`SSH_AUTH_SOCK`) is asked for keys.
    pub use_agent: bool,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions { timeout: Duration::from_secs(15), passphrase: None, use_agent: true }
    }
}

impl std::fmt::Debug for ConnectOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The passphrase is never printed.
        f.debug_struct("ConnectOptions").field("timeout", &self.timeout).field("passphrase", &self.passphrase.as_ref().map(|_| "…")).finish()
    }
}

struct Client {
    target: SshTarget,
    check: Arc<HostKeyCheck>,
    outcome: Arc<Mutex<Option<Result<HostKeyOutcome, RemoteError>>>>,
}

impl client::Handler for Client {
    type Error = russh::Error;

    async fn check_server_key(&mut self, offered: &PublicKeyOrCertificate) -> Result<bool, Self::Error> {
        let key = match offered {
            PublicKeyOrCertificate::PublicKey { key, .. } => key.clone(),
            PublicKeyOrCertificate::Certificate(cert) => PublicKey::new(cert.public_key().clone(), ""),
        };
        let outcome = self.check.decide(&self.target, &key);
        let accepted = outcome.is_ok();
        *self.outcome.lock().unwrap_or_else(|e| e.into_inner()) = Some(outcome);
        Ok(accepted)
    }
}

/// A logged-in SSH connection.
pub struct Session {
    handle: Handle<Client>,
    host: String,
    pub host_key: HostKeyOutcome,
}

/// How a remote command ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecEnd {
    /// None: the server sent no status (killed by a signal, or the connection dropped).
    pub exit_status: Option<u32>,
    pub signal: Option<String>,
}

/// Which of a command's outputs a chunk came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// Loads the node's key file: missing, unreadable, encrypted without a passphrase and a wrong
/// passphrase are each told apart.
pub fn load_key(target: &SshTarget, passphrase: Option<&str>) -> Result<Option<PrivateKey>, RemoteError> {
    let Some(path) = target.key.path() else { return Ok(None) };
    let missing = || match &target.key {
        KeySource::KeyPair { name, path } => RemoteError::KeyMissing { node: target.node.clone(), path: path.clone(), key_pair: Some(name.clone()) },
        _ => RemoteError::KeyMissing { node: target.node.clone(), path: path.to_path_buf(), key_pair: None },
    };
    let text = poni_cloud::credentials::read_user_file(path, KEY_FILE_LIMIT)
        .map_err(|p| RemoteError::KeyUnreadable { path: p.path, problem: p.problem })?
        .ok_or_else(missing)?;
    decode_key(path, &text, passphrase).map(Some)
}

fn decode_key(path: &Path, text: &str, passphrase: Option<&str>) -> Result<PrivateKey, RemoteError> {
    match russh::keys::decode_secret_key(text, passphrase) {
        Ok(key) => Ok(key),
        Err(russh::keys::Error::KeyIsEncrypted) => Err(RemoteError::PassphraseNeeded { path: path.to_path_buf() }),
        Err(_) if passphrase.is_some() => Err(RemoteError::WrongPassphrase { path: path.to_path_buf() }),
        Err(e) => Err(RemoteError::KeyUnreadable { path: path.to_path_buf(), problem: format!("is not a private key SSH can use ({e})") }),
    }
}

/// Connects, checks the host key and logs in, all within `options.timeout`.
pub async fn connect(target: &SshTarget, check: Arc<HostKeyCheck>, options: &ConnectOptions) -> Result<Session, RemoteError> {
    // The key first: a missing file or a passphrase is asked for before any network wait.
    let key = load_key(target, options.passphrase.as_deref());
    let seconds = options.timeout.as_secs().max(1);
    let timeout = || RemoteError::Timeout { host: target.host.clone(), port: target.port, seconds };
    tokio::time::timeout(options.timeout, connect_within(target, check, options, key)).await.map_err(|_| timeout())?
}

async fn connect_within(
    target: &SshTarget,
    check: Arc<HostKeyCheck>,
    options: &ConnectOptions,
    key: Result<Option<PrivateKey>, RemoteError>,
) -> Result<Session, RemoteError> {
    let agent = if options.use_agent { agent_identities().await } else { None };
    let agent_has_keys = agent.as_ref().is_some_and(|(_, ids)| !ids.is_empty());
    // A missing or locked key file with the agent holding keys: the agent is tried, and the
    // key's problem is the answer only if it fails. Without agent keys it is the answer now.
    let (key, key_problem) = match key {
        Err(e @ (RemoteError::KeyMissing { .. } | RemoteError::PassphraseNeeded { .. })) if agent_has_keys => (None, Some(e)),
        Err(e) => return Err(e),
        Ok(key) => (key, None),
    };
    let (host, port) = (target.host.clone(), target.port);
    let stream = TcpStream::connect((host.as_str(), port)).await.map_err(|e| match e.kind() {
        std::io::ErrorKind::ConnectionRefused => RemoteError::Refused { host: host.clone(), port },
        _ => RemoteError::Unreachable { host: host.clone(), port, reason: e.to_string() },
    })?;
    let _ = stream.set_nodelay(true);
    let config = Arc::new(client::Config {
        // The connection is checked every 15 s and given up after three silent checks.
        keepalive_interval: Some(Duration::from_secs(15)),
        keepalive_max: 3,
        inactivity_timeout: None,
        nodelay: true,
        preferred: russh::Preferred { key: check.host_key_order(target, &russh::Preferred::DEFAULT.key).into(), ..russh::Preferred::DEFAULT },
        ..Default::default()
    });
    let outcome = Arc::new(Mutex::new(None));
    let client = Client { target: target.clone(), check, outcome: outcome.clone() };
    let handshake = client::connect_stream(config, stream, client).await;
    let decided = outcome.lock().unwrap_or_else(|e| e.into_inner()).take();
    let (mut handle, host_key) = match (handshake, decided) {
        (_, Some(Err(refused))) => return Err(refused),
        (Ok(handle), Some(Ok(host_key))) => (handle, host_key),
        (Ok(_), None) => return Err(RemoteError::Protocol { host, reason: "the server's host key was never checked".into() }),
        (Err(e), _) => return Err(handshake_error(&host, e)),
    };
    let mut tried = Vec::new();
    // The node's own key first: servers stop after a few failed keys (MaxAuthTries, 6 by
    // default), and an agent with many keys would use them up.
    if let Some(key) = key {
        let public = key.public_key().clone();
        let hash = rsa_hash(&handle, &public).await;
        let signed = PrivateKeyWithHashAlg::new(Arc::new(key), hash);
        match handle.authenticate_publickey(&target.user, signed).await {
            Ok(r) if r.success() => return Ok(Session { handle, host, host_key }),
            Ok(_) => tried.push(format!("the key {}", target.key.path().map(|p| p.display().to_string()).unwrap_or_default())),
            Err(e) => return Err(handshake_error(&host, e)),
        }
    }
    if let Some((mut agent, identities)) = agent {
        for id in identities.into_iter().take(4) {
            let public = id.public_key().into_owned();
            let hash = rsa_hash(&handle, &public).await;
            match handle.authenticate_publickey_with(&target.user, public, hash, &mut agent).await {
                Ok(r) if r.success() => return Ok(Session { handle, host, host_key }),
                Ok(_) => tried.push("an ssh agent key".to_owned()),
                Err(_) => break,
            }
        }
    }
    if let Some(problem) = key_problem {
        let _ = handle.disconnect(russh::Disconnect::ByApplication, "", "en").await;
        return Err(problem);
    }
    let _ = handle.disconnect(russh::Disconnect::ByApplication, "", "en").await;
    if tried.is_empty() {
        return Err(RemoteError::NoKey { node: target.node.clone() });
    }
    Err(RemoteError::AuthFailed { user: target.user.clone(), host, tried: tried.join(" and ") })
}

/// RSA keys sign with the best SHA-2 the server takes (OpenSSH refuses SHA-1 by default).
async fn rsa_hash(handle: &Handle<Client>, key: &PublicKey) -> Option<russh::keys::HashAlg> {
    if !key.algorithm().is_rsa() {
        return None;
    }
    handle.best_supported_rsa_hash().await.ok().flatten().flatten()
}

/// The agent and its keys, when `SSH_AUTH_SOCK` names one that answers.
async fn agent_identities() -> Option<(AgentClient<tokio::net::UnixStream>, Vec<russh::keys::agent::AgentIdentity>)> {
    let mut agent = AgentClient::connect_env().await.ok()?;
    let ids = tokio::time::timeout(Duration::from_secs(2), agent.request_identities()).await.ok()?.ok()?;
    Some((agent, ids))
}

fn handshake_error(host: &str, e: russh::Error) -> RemoteError {
    use russh::Error as E;
    match e {
        E::Disconnect | E::HUP | E::IO(_) | E::SendError | E::RecvError | E::KeepaliveTimeout | E::InactivityTimeout => {
            RemoteError::Dropped { host: host.to_owned(), reason: e.to_string() }
        }
        E::ConnectionTimeout | E::Elapsed(_) => RemoteError::Dropped { host: host.to_owned(), reason: "the server stopped answering".into() },
        other => RemoteError::Protocol { host: host.to_owned(), reason: other.to_string() },
    }
}

impl Session {
    fn lost(&self, e: russh::Error) -> RemoteError {
        handshake_error(&self.host, e)
    }

    async fn channel(&self) -> Result<Channel<Msg>, RemoteError> {
        self.handle.channel_open_session().await.map_err(|e| self.lost(e))
    }

    /// Runs `command` (through the remote user's shell, as `ssh host command` does), handing
    /// each chunk of output to `output` as it arrives.
    pub async fn exec(&self, command: &str, mut output: impl FnMut(Stream, &[u8])) -> Result<ExecEnd, RemoteError> {
        let mut channel = self.channel().await?;
        channel.exec(true, command.as_bytes()).await.map_err(|e| self.lost(e))?;
        channel.eof().await.map_err(|e| self.lost(e))?;
        let mut end = ExecEnd { exit_status: None, signal: None };
        while let Some(message) = channel.wait().await {
            match message {
                ChannelMsg::Data { data } => output(Stream::Stdout, &data),
                ChannelMsg::ExtendedData { data, ext: 1 } => output(Stream::Stderr, &data),
                ChannelMsg::ExitStatus { exit_status } => end.exit_status = Some(exit_status),
                ChannelMsg::ExitSignal { signal_name, .. } => end.signal = Some(format!("{signal_name:?}")),
                ChannelMsg::Close => break,
                _ => {}
            }
        }
        Ok(end)
    }

    /// An interactive shell on a pseudo-terminal of `cols` x `rows`.
    pub async fn shell(&self, cols: u16, rows: u16) -> Result<(ShellReader, ShellWriter), RemoteError> {
        let channel = self.channel().await?;
        channel.request_pty(false, "xterm-256color", u32::from(cols), u32::from(rows), 0, 0, &[]).await.map_err(|e| self.lost(e))?;
        channel.request_shell(false).await.map_err(|e| self.lost(e))?;
        let (read, write) = channel.split();
        Ok((ShellReader { read }, ShellWriter { write, host: self.host.clone() }))
    }

    /// An SFTP session (remote cp).
    pub async fn sftp(&self) -> Result<russh_sftp::client::SftpSession, RemoteError> {
        let channel = self.channel().await?;
        channel.request_subsystem(true, "sftp").await.map_err(|e| self.lost(e))?;
        russh_sftp::client::SftpSession::new(channel.into_stream())
            .await
            .map_err(|e| RemoteError::Protocol { host: self.host.clone(), reason: format!("the SFTP service did not start ({e})") })
    }

    pub async fn close(self) {
        let _ = self.handle.disconnect(russh::Disconnect::ByApplication, "", "en").await;
    }
}

/// What the shell sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShellEvent {
    Output(Vec<u8>),
    /// The shell ended with this status (the channel closes next).
    Exit(u32),
}

pub struct ShellReader {
    read: ChannelReadHalf,
}

impl ShellReader {
    /// The next thing the shell sent; `None` once the channel is closed.
    pub async fn next(&mut self) -> Option<ShellEvent> {
        loop {
            match self.read.wait().await {
                Some(ChannelMsg::Data { data }) | Some(ChannelMsg::ExtendedData { data, .. }) => return Some(ShellEvent::Output(data.to_vec())),
                Some(ChannelMsg::ExitStatus { exit_status }) => return Some(ShellEvent::Exit(exit_status)),
                Some(ChannelMsg::Close) | None => return None,
                Some(_) => continue,
            }
        }
    }
}

pub struct ShellWriter {
    write: ChannelWriteHalf<Msg>,
    host: String,
}

impl ShellWriter {
    pub async fn send(&self, bytes: &[u8]) -> Result<(), RemoteError> {
        self.write.data_bytes(bytes.to_vec()).await.map_err(|e| handshake_error(&self.host, e))
    }

    pub async fn resize(&self, cols: u16, rows: u16) -> Result<(), RemoteError> {
        self.write.window_change(u32::from(cols), u32::from(rows), 0, 0).await.map_err(|e| handshake_error(&self.host, e))
    }

    /// No more input (the shell sees end of file and usually exits).
    pub async fn eof(&self) {
        let _ = self.write.eof().await;
    }

    /// Ends the channel from this side: output still on its way is lost.
    pub async fn close(&self) {
        let _ = self.write.eof().await;
        let _ = self.write.close().await;
    }
}
