//! A real OpenSSH server on 127.0.0.1 for the remote tests, with throwaway keys.
//!
//! [`SshKeys::generate`] makes the client keys with `ssh-keygen`: an RSA key in PEM form (what
//! EC2 hands out for a key pair), an ed25519 key encrypted with [`ENCRYPTED_KEY_PASSPHRASE`], and
//! a key the server does not know. [`Sshd::start`] runs Debian's `/usr/sbin/sshd` in the
//! foreground on a free loopback port, with a config, host key and `authorized_keys` of its own
//! in a temporary directory (never the system's `/etc/ssh`), and waits until it sends its
//! banner. It logs in the user running the tests (`id -un`), root included: the config says
//! `PermitRootLogin prohibit-password`, so keys are accepted. With `UsePAM no`, sshd refuses an
//! account whose password is locked (`!` in `/etc/shadow`); its log then says so
//! ([`Sshd::log`]). [`Sshd::console_output_text`] is what EC2's GetConsoleOutput shows for an
//! instance with this host key (see `Ec2Proxy::set_console_output`).
//!
//! For the failure cases: [`silent_listener`] (accepts TCP, never answers) and [`closed_port`].
//!
//! The server is killed when the [`Sshd`] is dropped. A watchdog (`sh`, reading a pipe only this
//! process holds) kills it too if the test process dies without dropping it.
//!
//! Needs `openssh-server` and `openssh-client` (`scripts/install-deps`). As root, sshd needs its
//! privilege-separation directory `/run/sshd`, which is made when missing.

use std::fs;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::thread::sleep;
use std::time::{Duration, Instant};

/// The server program (Debian's `openssh-server`). sshd re-executes itself, so the path must
/// be absolute.
const SSHD: &str = "/usr/sbin/sshd";

/// The passphrase of [`SshKeys::encrypted_key`].
pub const ENCRYPTED_KEY_PASSPHRASE: &str = "poni-e2e-passphrase";

/// The host name of the instance [`Sshd::console_output_text`] describes; the host key's
/// comment is `root@` this, as cloud-init's keys have.
pub const CONSOLE_HOSTNAME: &str = "ip-172-31-0-1";

/// How long the server may take to send its banner (it takes under 0.1 s).
const START_TIMEOUT: Duration = Duration::from_secs(10);

/// Client keys made by `ssh-keygen` in a directory the caller owns. Each `.pub` file lies next
/// to its key (`KEY.pub`).
#[derive(Clone, Debug)]
pub struct SshKeys {
    /// RSA 2048 in PEM form without a passphrase (`-----BEGIN RSA PRIVATE KEY-----`), as EC2's
    /// CreateKeyPair hands out: `DIR/client.pem`. The server accepts it.
    pub client_key: PathBuf,
    /// ed25519 in OpenSSH's format, encrypted with [`ENCRYPTED_KEY_PASSPHRASE`]:
    /// `DIR/encrypted_ed25519`. The server accepts it.
    pub encrypted_key: PathBuf,
    /// Another RSA PEM key the server does not know: `DIR/wrong.pem` (a `.pem` of another key
    /// pair).
    pub wrong_key: PathBuf,
}

impl SshKeys {
    /// Makes the keys in `dir` (created when missing), replacing keys of the same names.
    pub fn generate(dir: &Path) -> SshKeys {
        fs::create_dir_all(dir).unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
        let keys = SshKeys { client_key: dir.join("client.pem"), encrypted_key: dir.join("encrypted_ed25519"), wrong_key: dir.join("wrong.pem") };
        keygen(&keys.client_key, &["-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "", "-C", "client@poni-e2e"]);
        keygen(&keys.encrypted_key, &["-t", "ed25519", "-N", ENCRYPTED_KEY_PASSPHRASE, "-C", "encrypted@poni-e2e"]);
        keygen(&keys.wrong_key, &["-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "", "-C", "wrong@poni-e2e"]);
        keys
    }

    /// The public half of `private_key` (one of the fields), as its `.pub` file holds it:
    /// `ssh-rsa AAAA... comment`, e.g. for EC2's ImportKeyPair.
    pub fn public_key(private_key: &Path) -> String {
        let path = pub_path(private_key);
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display())).trim().to_string()
    }
}

/// An OpenSSH server on 127.0.0.1 with a config and host key of its own. Killed when dropped.
pub struct Sshd {
    dir: tempfile::TempDir,
    port: u16,
    user: String,
    child: Child,
    watchdog: Child,
}

impl Sshd {
    /// Starts a server that accepts `keys.client_key` and `keys.encrypted_key` for the current
    /// user, on a free port, and waits until it sends its banner (panics after 10 s, with its
    /// log).
    pub fn start(keys: &SshKeys) -> Sshd {
        let user = current_user();
        check_login_shell(&user);
        ensure_privsep_dir();
        let dir = tempfile::Builder::new().prefix("poni-e2e-sshd-").tempdir().expect("create a scratch directory");
        let mut authorized = String::new();
        for key in [&keys.client_key, &keys.encrypted_key] {
            authorized.push_str(&SshKeys::public_key(key));
            authorized.push('\n');
        }
        fs::write(dir.path().join("authorized_keys"), authorized).expect("write authorized_keys");
        new_host_key(dir.path());
        // The port is free when picked but may be taken before sshd binds it: then try another.
        for attempt in 1.. {
            let port = closed_port();
            write_config(dir.path(), port);
            let _ = fs::remove_file(dir.path().join("sshd.log")); // the failed attempt's
            let (mut child, mut watchdog) = spawn_sshd(dir.path());
            match wait_ready(&mut child, port, dir.path()) {
                Ok(()) => return Sshd { dir, port, user, child, watchdog },
                Err(log) => {
                    stop(&mut child, &mut watchdog);
                    if attempt >= 5 || !log.contains("Address already in use") {
                        panic!("sshd did not start on port {port}; its log:\n{log}");
                    }
                }
            }
        }
        unreachable!("the loop returns or panics")
    }

    /// The port it listens on, on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The address it listens on: `127.0.0.1`.
    pub fn host(&self) -> &'static str {
        "127.0.0.1"
    }

    /// The user it logs in: the one running the tests (`id -un`).
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The host key's fingerprint as `ssh-keygen -lf` prints it: `SHA256:` and 43 base64
    /// characters.
    pub fn host_key_fingerprint(&self) -> String {
        let line = self.host_key_fingerprint_line();
        line.split_whitespace().nth(1).unwrap_or_else(|| panic!("no fingerprint in {line:?}")).to_string()
    }

    /// The host key's public half, as its `.pub` file holds it: `ssh-ed25519 AAAA... root@ip-172-31-0-1`.
    pub fn host_public_key_line(&self) -> String {
        let path = pub_path(&self.host_key_path());
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display())).trim().to_string()
    }

    /// The server's line for a `known_hosts` file: `[127.0.0.1]:PORT ssh-ed25519 AAAA...`.
    pub fn known_hosts_line(&self) -> String {
        let key = self.host_public_key_line();
        let mut fields = key.split_whitespace();
        let (kind, blob) = (fields.next().unwrap_or_default(), fields.next().unwrap_or_default());
        format!("[{}]:{} {kind} {blob}", self.host(), self.port)
    }

    /// What EC2's GetConsoleOutput shows of an instance with this host key: a few boot lines,
    /// then cloud-init's host key block, then the login prompt.
    ///
    /// The block is as cloud-init's `tools/write-ssh-key-fingerprints` printed it before
    /// cloud-init 21.2 (Amazon Linux 2 ships 19.3): the fingerprints, one `ssh-keygen -l -f` line a key,
    /// went through `logger -s -t ec2` (hence `ec2: ` before each line, and a first line
    /// `ec2: ` from its leading `echo`), the public keys straight to the console:
    ///
    /// ```text
    /// ec2:
    /// ec2: #############################################################
    /// ec2: -----BEGIN SSH HOST KEY FINGERPRINTS-----
    /// ec2: 256 SHA256:... root@ip-172-31-0-1 (ED25519)
    /// ec2: -----END SSH HOST KEY FINGERPRINTS-----
    /// ec2: #############################################################
    /// -----BEGIN SSH HOST KEY KEYS-----
    /// ssh-ed25519 AAAA... root@ip-172-31-0-1
    /// -----END SSH HOST KEY KEYS-----
    /// ```
    ///
    /// Since 21.2 the tag is `cloud-init` instead of `ec2`. Lines end in `\n`.
    pub fn console_output_text(&self) -> String {
        let fingerprint = self.host_key_fingerprint_line();
        let public = self.host_public_key_line();
        let kernel = "5.10.228-219.884.amzn2.x86_64";
        let lines = [
            format!("[    0.000000] Linux version {kernel} (mockbuild@ip-10-0-39-126) (gcc10-gcc (GCC) 10.5.0 20230707 (Red Hat 10.5.0-1), GNU ld version 2.35.2-9.amzn2.0.1) #1 SMP Tue Nov 5 21:55:37 UTC 2024"),
            format!("[    0.000000] Command line: BOOT_IMAGE=/boot/vmlinuz-{kernel} root=UUID=8a1d3c52-0f5e-4c8a-9b33-7d2e61f0a1c4 ro console=tty0 console=ttyS0,115200n8 net.ifnames=0 biosdevname=0 nvme_core.io_timeout=4294967295 rd.emergency=poweroff rd.shell=0"),
            "[    0.000000] x86/fpu: Supporting XSAVE feature 0x001: 'x87 floating point registers'".to_string(),
            "[    1.204518] systemd[1]: Detected virtualization amazon.".to_string(),
            "[    6.771042] cloud-init[2210]: Cloud-init v. 19.3-46.amzn2.0.2 running 'init' at Mon, 07 Dec 2026 09:30:01 +0000. Up 6.73 seconds.".to_string(),
            "[    9.912301] cloud-init[2998]: Cloud-init v. 19.3-46.amzn2.0.2 running 'modules:final' at Mon, 07 Dec 2026 09:30:04 +0000. Up 9.87 seconds.".to_string(),
            "ec2: ".to_string(),
            "ec2: #############################################################".to_string(),
            "ec2: -----BEGIN SSH HOST KEY FINGERPRINTS-----".to_string(),
            format!("ec2: {fingerprint}"),
            "ec2: -----END SSH HOST KEY FINGERPRINTS-----".to_string(),
            "ec2: #############################################################".to_string(),
            "-----BEGIN SSH HOST KEY KEYS-----".to_string(),
            public,
            "-----END SSH HOST KEY KEYS-----".to_string(),
            "[   10.164877] cloud-init[2998]: Cloud-init v. 19.3-46.amzn2.0.2 finished at Mon, 07 Dec 2026 09:30:05 +0000. Datasource DataSourceEc2.  Up 10.16 seconds".to_string(),
            String::new(),
            "Amazon Linux 2".to_string(),
            format!("Kernel {kernel} on an x86_64"),
            String::new(),
            format!("{CONSOLE_HOSTNAME} login: "),
        ];
        let mut text = lines.join("\n");
        text.push('\n');
        text
    }

    /// Stops the server, gives it a new host key and starts it again on the same port: a
    /// client that remembered the old key now sees "host key changed". Connections open
    /// before keep their own server processes.
    pub fn restart_with_new_host_key(&mut self) {
        let old = self.host_key_fingerprint();
        stop(&mut self.child, &mut self.watchdog);
        new_host_key(self.dir.path());
        (self.child, self.watchdog) = spawn_sshd(self.dir.path());
        if let Err(log) = wait_ready(&mut self.child, self.port, self.dir.path()) {
            panic!("sshd did not start again on port {}; its log:\n{log}", self.port);
        }
        assert_ne!(self.host_key_fingerprint(), old, "ssh-keygen made the same host key twice");
    }

    /// The server's log so far (`LogLevel VERBOSE`: connections, accepted and refused keys).
    pub fn log(&self) -> String {
        fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    /// Where the server logs.
    pub fn log_path(&self) -> PathBuf {
        self.dir.path().join("sshd.log")
    }

    /// The private host key; its public half is next to it (`.pub`).
    fn host_key_path(&self) -> PathBuf {
        self.dir.path().join("ssh_host_ed25519_key")
    }

    /// `ssh-keygen -lf HOSTKEY.pub`: `256 SHA256:... root@ip-172-31-0-1 (ED25519)`.
    fn host_key_fingerprint_line(&self) -> String {
        let out = run(Command::new("ssh-keygen").arg("-lf").arg(pub_path(&self.host_key_path())));
        out.trim().to_string()
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        stop(&mut self.child, &mut self.watchdog);
    }
}

/// Waits until the server on `port` sends its `SSH-2.0` banner; Err(its log, in `dir`) when it
/// exits or the time is up.
fn wait_ready(child: &mut Child, port: u16, dir: &Path) -> Result<(), String> {
    let deadline = Instant::now() + START_TIMEOUT;
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let log = || fs::read_to_string(dir.join("sshd.log")).unwrap_or_default();
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("(sshd exited: {status})\n{}", log()));
        }
        if banner_of(&addr).is_some_and(|b| b.starts_with("SSH-2.0")) {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("(no SSH-2.0 banner on port {port} within {START_TIMEOUT:?})\n{}", log()));
        }
        sleep(Duration::from_millis(25));
    }
}

/// Kills the watchdog first (so it never signals a process id that is free again), then the
/// server.
fn stop(child: &mut Child, watchdog: &mut Child) {
    let _ = watchdog.kill();
    let _ = watchdog.wait();
    let _ = child.kill();
    let _ = child.wait();
}

/// A listener on 127.0.0.1 that nobody accepts from: the kernel completes the TCP handshake,
/// then nothing ever answers (an SSH client waits for a banner until it times out). Keep the
/// listener alive as long as the port should stay that way.
pub fn silent_listener() -> (TcpListener, u16) {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind a loopback port");
    let port = listener.local_addr().expect("the listener's address").port();
    (listener, port)
}

/// A loopback port nothing listens on (free when this returns): a connection is refused.
pub fn closed_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind a loopback port");
    listener.local_addr().expect("the listener's address").port()
}

/// The first line a server sends on `addr`, if it accepts and sends one within a second.
fn banner_of(addr: &SocketAddr) -> Option<String> {
    let mut stream = TcpStream::connect_timeout(addr, Duration::from_millis(500)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(1))).ok()?;
    let mut got = Vec::new();
    let mut buf = [0u8; 256];
    while !got.contains(&b'\n') && got.len() < 1024 {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
    }
    // Say who we are, so the server logs a short exchange rather than a stray connection.
    let _ = stream.write_all(b"SSH-2.0-poni-e2e-probe\r\n");
    let text = String::from_utf8_lossy(&got);
    text.lines().next().map(|l| l.trim_end().to_string())
}

/// `KEY.pub` of a private key `KEY`.
fn pub_path(private_key: &Path) -> PathBuf {
    let mut name = private_key.as_os_str().to_owned();
    name.push(".pub");
    PathBuf::from(name)
}

/// Runs `ssh-keygen -q -f PATH ARGS` after removing PATH and PATH.pub (ssh-keygen would ask
/// before overwriting).
fn keygen(path: &Path, args: &[&str]) {
    let _ = fs::remove_file(path);
    let _ = fs::remove_file(pub_path(path));
    run(Command::new("ssh-keygen").arg("-q").arg("-f").arg(path).args(args));
}

/// A fresh ed25519 host key in `dir` (`ssh-keygen -t ed25519 -N ''`), named as cloud-init's.
fn new_host_key(dir: &Path) {
    keygen(&dir.join("ssh_host_ed25519_key"), &["-t", "ed25519", "-N", "", "-C", &format!("root@{CONSOLE_HOSTNAME}")]);
}

/// The config, everything in `dir`. `MaxStartups` and `MaxSessions` well above the default (10
/// unauthenticated connections), for tests that connect to many nodes at once.
fn write_config(dir: &Path, port: u16) {
    let d = dir.display();
    let mut config = format!(
        "Port {port}\n\
         ListenAddress 127.0.0.1\n\
         HostKey {d}/ssh_host_ed25519_key\n\
         AuthorizedKeysFile {d}/authorized_keys\n\
         PasswordAuthentication no\n\
         KbdInteractiveAuthentication no\n\
         UsePAM no\n\
         StrictModes no\n\
         MaxStartups 300\n\
         MaxSessions 300\n\
         Subsystem sftp internal-sftp\n\
         PidFile {d}/sshd.pid\n\
         PermitRootLogin prohibit-password\n\
         LogLevel VERBOSE\n"
    );
    if supports_per_source_penalties() {
        // OpenSSH 9.8 and later shut out an address that keeps failing to log in (the
        // wrong-key tests) or drops connections before authenticating (the banner probe).
        config.push_str("PerSourcePenalties no\n");
    }
    fs::write(dir.join("sshd_config"), config).expect("write sshd_config");
}

/// Whether this sshd knows `PerSourcePenalties` (OpenSSH 9.8+; Debian 12 has 9.2, which
/// refuses unknown options).
fn supports_per_source_penalties() -> bool {
    static KNOWN: OnceLock<bool> = OnceLock::new();
    *KNOWN.get_or_init(|| {
        let out = Command::new(SSHD).args(["-t", "-f", "/dev/null", "-o", "PerSourcePenalties=no"]).stdin(Stdio::null()).output();
        match out {
            Ok(out) => !String::from_utf8_lossy(&out.stderr).contains("Bad configuration option"),
            Err(e) => panic!("cannot run {SSHD} ({e}): install openssh-server (scripts/install-deps)"),
        }
    })
}

/// Starts `sshd -D -e -f CONFIG -E LOG` in `dir`, and its watchdog: `sh` waits for the end of
/// a pipe only this process writes to, then kills sshd. The pipe ends when the watchdog is
/// killed or dropped (then it was killed first) or when this process dies.
fn spawn_sshd(dir: &Path) -> (Child, Child) {
    let log_path = dir.join("sshd.log");
    let log = fs::OpenOptions::new().create(true).append(true).open(&log_path).expect("open the sshd log");
    let mut cmd = Command::new(SSHD);
    cmd.arg("-D")
        .arg("-e")
        .arg("-f")
        .arg(dir.join("sshd_config"))
        .arg("-E")
        .arg(log_path)
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("clone the log file handle"))
        .stderr(log);
    let child = cmd.spawn().unwrap_or_else(|e| panic!("cannot start {SSHD} ({cmd:?}): {e}; install openssh-server (scripts/install-deps)"));
    let watchdog = Command::new("sh")
        .args(["-c", "cat >/dev/null; kill \"$0\" 2>/dev/null", &child.id().to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    match watchdog {
        Ok(watchdog) => (child, watchdog),
        Err(e) => {
            let mut child = child;
            let _ = child.kill();
            let _ = child.wait();
            panic!("cannot start sh for sshd's watchdog: {e}");
        }
    }
}

/// Runs `cmd`, returns its standard output; panics with its standard error when it fails.
fn run(cmd: &mut Command) -> String {
    let out = cmd.stdin(Stdio::null()).output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    if !out.status.success() {
        panic!("{cmd:?} failed ({}): {}", out.status, String::from_utf8_lossy(&out.stderr));
    }
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The user running the tests: `id -un`.
fn current_user() -> String {
    run(Command::new("id").arg("-un")).trim().to_string()
}

/// sshd runs commands through the user's login shell: it must exist and be a shell.
fn check_login_shell(user: &str) {
    let entry = run(Command::new("getent").args(["passwd", user]));
    let shell = entry.trim().rsplit(':').next().unwrap_or_default().to_string();
    let shell = if shell.is_empty() { "/bin/sh".to_string() } else { shell };
    if !Path::new(&shell).exists() || shell.ends_with("/nologin") || shell.ends_with("/false") {
        panic!("user {user}'s login shell {shell} cannot run commands: sshd would let it in but run nothing; give {user} a shell (chsh)");
    }
}

/// As root, sshd refuses to start without its privilege-separation directory `/run/sshd`
/// (the package makes it at boot through systemd, which test machines may lack). As another
/// user it does not need one.
fn ensure_privsep_dir() {
    let dir = Path::new("/run/sshd");
    if dir.is_dir() {
        return;
    }
    let created = fs::create_dir_all(dir).and_then(|()| {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o755))
    });
    if let Err(e) = created {
        if run(Command::new("id").arg("-u")).trim() == "0" {
            panic!("sshd needs its privilege-separation directory /run/sshd, which cannot be made: {e}; run `mkdir -p /run/sshd` as root");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;
    use std::process::Output;

    /// Runs `ssh` with no user config and no known-hosts file, against `sshd`, with `args`
    /// (options, then the command).
    fn ssh(sshd: &Sshd, args: &[&str]) -> Output {
        Command::new("ssh")
            .args(["-F", "/dev/null", "-o", "ConnectTimeout=10", "-p", &sshd.port().to_string()])
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("run ssh")
    }

    fn login_args(key: &Path) -> Vec<String> {
        let key = key.display().to_string();
        ["-i", &key, "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    fn echo_ok(sshd: &Sshd, key: &Path) -> Output {
        let mut args = login_args(key);
        args.extend([format!("{}@127.0.0.1", sshd.user()), "echo".into(), "ok".into()]);
        ssh(sshd, &args.iter().map(String::as_str).collect::<Vec<_>>())
    }

    fn explain(out: &Output, sshd: &Sshd) -> String {
        format!(
            "ssh: {}\nstdout: {}\nstderr: {}\nsshd log:\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            sshd.log()
        )
    }

    #[test]
    fn the_pem_key_logs_in_and_the_wrong_key_does_not() {
        let keys_dir = tempfile::tempdir().unwrap();
        let keys = SshKeys::generate(keys_dir.path());
        assert!(fs::read_to_string(&keys.client_key).unwrap().starts_with("-----BEGIN RSA PRIVATE KEY-----"));
        let sshd = Sshd::start(&keys);

        let out = echo_ok(&sshd, &keys.client_key);
        assert!(out.status.success(), "{}", explain(&out, &sshd));
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "ok");

        let out = echo_ok(&sshd, &keys.wrong_key);
        assert!(!out.status.success(), "{}", explain(&out, &sshd));
        assert!(String::from_utf8_lossy(&out.stderr).contains("Permission denied"), "{}", explain(&out, &sshd));
    }

    #[test]
    fn the_encrypted_key_logs_in_with_its_passphrase() {
        let keys_dir = tempfile::tempdir().unwrap();
        let keys = SshKeys::generate(keys_dir.path());
        let sshd = Sshd::start(&keys);
        // ssh asks SSH_ASKPASS for the passphrase (OpenSSH 8.4+: even with a terminal, when forced).
        let askpass = keys_dir.path().join("askpass");
        fs::write(&askpass, format!("#!/bin/sh\necho '{ENCRYPTED_KEY_PASSPHRASE}'\n")).unwrap();
        fs::set_permissions(&askpass, fs::Permissions::from_mode(0o755)).unwrap();
        let key = keys.encrypted_key.display().to_string();
        let target = format!("{}@127.0.0.1", sshd.user());
        let out = Command::new("ssh")
            .args(["-F", "/dev/null", "-o", "ConnectTimeout=10", "-p", &sshd.port().to_string(), "-i", &key, "-o", "IdentitiesOnly=yes"])
            .args(["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "NumberOfPasswordPrompts=1", &target, "echo", "ok"])
            .env("SSH_ASKPASS", askpass)
            .env("SSH_ASKPASS_REQUIRE", "force")
            .env("DISPLAY", ":0")
            .stdin(Stdio::null())
            .output()
            .expect("run ssh");
        assert!(out.status.success(), "{}", explain(&out, &sshd));
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "ok");
        // Without the passphrase (batch mode: no prompt) the key cannot be used.
        let out = echo_ok(&sshd, &keys.encrypted_key);
        assert!(!out.status.success(), "{}", explain(&out, &sshd));
    }

    /// The public key ssh-keyscan gets from the server, and its fingerprint.
    fn keyscan(sshd: &Sshd) -> (String, String) {
        let out = run(Command::new("ssh-keyscan").args(["-T", "10", "-t", "ed25519", "-p", &sshd.port().to_string(), "127.0.0.1"]));
        let line = out.lines().find(|l| !l.starts_with('#') && !l.trim().is_empty()).unwrap_or_else(|| panic!("ssh-keyscan found no key:\n{out}"));
        let blob = line.split_whitespace().nth(2).expect("ssh-keyscan's key").to_string();
        let mut keygen = Command::new("ssh-keygen").args(["-lf", "-"]).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().expect("run ssh-keygen");
        keygen.stdin.take().unwrap().write_all(line.as_bytes()).unwrap();
        let printed = keygen.wait_with_output().unwrap();
        let fingerprint = String::from_utf8_lossy(&printed.stdout).split_whitespace().nth(1).expect("a fingerprint").to_string();
        (blob, fingerprint)
    }

    #[test]
    fn the_fingerprint_is_the_served_host_key_and_the_console_shows_it() {
        let keys_dir = tempfile::tempdir().unwrap();
        let sshd = Sshd::start(&SshKeys::generate(keys_dir.path()));
        let fingerprint = sshd.host_key_fingerprint();
        assert!(fingerprint.starts_with("SHA256:") && fingerprint.len() == 7 + 43, "{fingerprint}");
        let (blob, scanned) = keyscan(&sshd);
        assert_eq!(scanned, fingerprint);
        assert_eq!(sshd.host_public_key_line().split_whitespace().nth(1), Some(blob.as_str()));
        assert!(sshd.known_hosts_line().starts_with(&format!("[127.0.0.1]:{} ssh-ed25519 {blob}", sshd.port())));

        let console = sshd.console_output_text();
        let lines: Vec<&str> = console.lines().collect();
        let begin = lines.iter().position(|l| *l == "ec2: -----BEGIN SSH HOST KEY FINGERPRINTS-----").expect("the fingerprints block");
        assert_eq!(lines[begin - 1], "ec2: #############################################################");
        assert_eq!(lines[begin + 1], format!("ec2: 256 {fingerprint} root@{CONSOLE_HOSTNAME} (ED25519)"));
        assert_eq!(lines[begin + 2], "ec2: -----END SSH HOST KEY FINGERPRINTS-----");
        let keys = lines.iter().position(|l| *l == "-----BEGIN SSH HOST KEY KEYS-----").expect("the keys block");
        assert_eq!(lines[keys + 1], sshd.host_public_key_line());
        assert_eq!(lines[keys + 2], "-----END SSH HOST KEY KEYS-----");
    }

    #[test]
    fn a_restart_changes_the_host_key_on_the_same_port() {
        let keys_dir = tempfile::tempdir().unwrap();
        let keys = SshKeys::generate(keys_dir.path());
        let mut sshd = Sshd::start(&keys);
        let (port, old) = (sshd.port(), sshd.host_key_fingerprint());
        let known_hosts = keys_dir.path().join("known_hosts");
        fs::write(&known_hosts, format!("{}\n", sshd.known_hosts_line())).unwrap();
        let key = keys.client_key.display().to_string();
        let strict = ["-i", &key, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes"];
        let known = format!("UserKnownHostsFile={}", known_hosts.display());
        let target = format!("{}@127.0.0.1", sshd.user());
        let out = ssh(&sshd, &[&strict[..], &["-o", &known, &target, "echo", "ok"]].concat());
        assert!(out.status.success(), "{}", explain(&out, &sshd));

        sshd.restart_with_new_host_key();
        assert_eq!(sshd.port(), port);
        assert_ne!(sshd.host_key_fingerprint(), old);
        assert_eq!(keyscan(&sshd).1, sshd.host_key_fingerprint());
        let out = ssh(&sshd, &[&strict[..], &["-o", &known, &target, "echo", "ok"]].concat());
        assert!(!out.status.success(), "{}", explain(&out, &sshd));
        assert!(String::from_utf8_lossy(&out.stderr).contains("REMOTE HOST IDENTIFICATION HAS CHANGED"), "{}", explain(&out, &sshd));
        let out = echo_ok(&sshd, &keys.client_key);
        assert!(out.status.success(), "{}", explain(&out, &sshd));
    }

    #[test]
    fn the_failure_helpers_time_out_and_refuse() {
        let (_listener, silent) = silent_listener();
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, silent));
        let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).expect("the silent port accepts");
        stream.set_read_timeout(Some(Duration::from_millis(300))).unwrap();
        let mut buf = [0u8; 16];
        let err = stream.read(&mut buf).expect_err("the silent port never answers");
        assert!(matches!(err.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut), "{err}");

        let closed = closed_port();
        let err = TcpStream::connect_timeout(&SocketAddr::from((Ipv4Addr::LOCALHOST, closed)), Duration::from_secs(2)).expect_err("nothing listens");
        assert_eq!(err.kind(), std::io::ErrorKind::ConnectionRefused);
    }

    #[test]
    fn dropping_it_stops_the_server() {
        let keys_dir = tempfile::tempdir().unwrap();
        let sshd = Sshd::start(&SshKeys::generate(keys_dir.path()));
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, sshd.port()));
        drop(sshd);
        assert!(TcpStream::connect_timeout(&addr, Duration::from_secs(2)).is_err(), "sshd still listens after drop");
    }
}
