//! Remote benchmark: what poni's SSH costs next to the tools people use instead, against one
//! OpenSSH server on loopback (tests/src/sshd.rs: Debian's sshd with keys and a config of its
//! own, MaxStartups 300), side by side in one run:
//!
//! 1. `remote exec` of `true` on 100 nodes, every node a connection of its own to that server:
//!    our release `poni` (20 at once), poni-remote's `run_many` in this process (the same work
//!    without starting a process or reading a repository), poni 0.8 (one node after another,
//!    paramiko) and parallel-ssh (20 OpenSSH clients at once). Each runs once first (ours then
//!    fills an empty known_hosts), then 5 timed runs taken in turns, as the machine is noisy.
//!    The figure is the wall time of the whole command: process start, reading the repository,
//!    and per node TCP, key exchange, RSA login, the command and closing. The server runs on
//!    the same cores, so its work (sshd starts a process per connection) is in every figure.
//! 2. A keystroke's round trip: one byte written to the SSH client until its echo (from the
//!    remote shell's readline, through the remote pty) is read back. Ours: a poni-remote
//!    `Session::shell` driven in this process, which is what the desktop's terminal backend
//!    calls. Theirs: OpenSSH's `ssh -tt` in a pseudo-terminal opened here, written and read at
//!    the master side as a terminal emulator does (so it includes the local pty hop any
//!    terminal running ssh has). 300 keystrokes each, in blocks of 50 taken in turns.
//! 3. Throughput: `seq 1 3000000` (about 27 MB through the remote pty), from sending the
//!    command to reading its last line, with the same two clients, 3 runs each in turns.
//!
//! Not measured: network latency (all on loopback); the desktop's IPC to its webview and the
//! webview's rendering of the terminal, which come after these numbers; host keys checked
//! against an instance's console output (there are no instances here).
//!
//! Run with `./dev bench remote`: prints the report and writes benches/results/remote.md.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::fs::DirBuilderExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use poni_e2e::{Poni08, SshKeys, Sshd};

#[path = "../machine.rs"]
mod machine;
use machine::{hardware, load_average};
use poni_remote::exec::{run_many, Events, NodeEvent, RunOptions};
use poni_remote::{ConnectOptions, HostKeyCheck, KeySource, KnownHosts, RemoteError, Session, ShellEvent, ShellReader, ShellWriter, SshTarget, UnknownKeys};
use tokio::runtime::Runtime;
use tokio_util::sync::CancellationToken;

const NODES: usize = 100;
/// Connections at once, for ours and parallel-ssh alike (poni's default).
const JOBS: usize = 20;
const EXEC_RUNS: usize = 5;
/// A client whose first run takes longer than this is timed once only.
const SLOW_FIRST_RUN: Duration = Duration::from_secs(30);
/// Any one command-line run is stopped after this (its process group killed).
const RUN_LIMIT: Duration = Duration::from_secs(900);
/// poni 0.8 on one node, before it is given all of them.
const PROBE_LIMIT: Duration = Duration::from_secs(120);
/// How long a node's command may run in the in-process runs (`true` takes milliseconds).
const NODE_LIMIT: Duration = Duration::from_secs(60);

const KEYSTROKES: usize = 300;
const BLOCK: usize = 50;
const ECHO_LIMIT: Duration = Duration::from_secs(5);
const SEQ_LAST: u32 = 3_000_000;
const STREAM_RUNS: usize = 3;
const STREAM_LIMIT: Duration = Duration::from_secs(600);
const LOGIN_LIMIT: Duration = Duration::from_secs(15);

/// The same terminal for both clients.
const COLS: u16 = 80;
const ROWS: u16 = 24;
const TERM: &str = "xterm-256color";

fn main() {
    let load_at_start = load_average();
    let poni = release_poni();
    let poni08 = Poni08::installed();
    let scratch = tempfile::Builder::new().prefix("poni-bench-remote-").tempdir().expect("scratch folder");
    let dir = scratch.path();
    let keys = SshKeys::generate(&dir.join("keys"));
    let sshd = Sshd::start(&keys);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    std::fs::create_dir_all(dir.join("logs")).expect("logs folder");
    let setup = ExecSetup {
        repo: make_repository(&poni, dir, &sshd, &keys.client_key),
        poni,
        poni08: &poni08,
        home: make_home(dir),
        key: keys.client_key.clone(),
        hosts_file: pssh_hosts(dir, &sshd),
        pssh_known_hosts: dir.join("pssh_known_hosts"),
        in_process_known_hosts: dir.join("in_process_known_hosts"),
        logs: dir.join("logs"),
        targets: node_targets(&sshd, &keys.client_key),
        runtime: &runtime,
    };

    eprintln!("remote exec of `true` on {NODES} nodes...");
    let exec = exec_in_turns(&setup);

    eprintln!("terminal: keystrokes and throughput...");
    let mut ours = PoniShell::open(&runtime, &setup.targets[0], &dir.join("shell_known_hosts"));
    let mut theirs = OpenSshTerminal::spawn(&sshd, &keys.client_key, &setup.home);
    prepare_shell(&mut ours);
    prepare_shell(&mut theirs);
    let (ours_keys, theirs_keys) = keystrokes_in_turns(&mut ours, &mut theirs);
    let (ours_streams, theirs_streams) = streams_in_turns(&mut ours, &mut theirs);
    ours.close();
    drop(theirs);

    let report = Report {
        machine: machine_line(&load_at_start),
        versions: versions(),
        exec,
        keystrokes: (spread(ours_keys), spread(theirs_keys)),
        streams: (ours_streams, theirs_streams),
    }
    .render();
    println!("{report}");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("results/remote.md");
    std::fs::write(&path, report).expect("write results");
    eprintln!("written to {}", path.display());
}

// ---------------------------------------------------------------------------------------------
// Setup

/// The release `poni` binary next to this benchmark's own executable (./dev bench builds both).
fn release_poni() -> PathBuf {
    let exe = std::env::current_exe().expect("own path");
    let path = exe.with_file_name(format!("poni{}", std::env::consts::EXE_SUFFIX));
    assert!(path.is_file(), "{} is missing: run the benchmark with ./dev bench remote, which builds it", path.display());
    path
}

/// A home folder with an empty `.ssh`: the first run of `poni remote exec` finds no
/// known_hosts, as on a fresh machine.
fn make_home(dir: &Path) -> PathBuf {
    let home = dir.join("home");
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(home.join(".ssh")).expect("HOME/.ssh");
    home
}

/// `n/001`..`n/100`, made by the release `poni` as a user would, every node pointing at the
/// one server with the client key.
fn make_repository(poni: &Path, dir: &Path, sshd: &Sshd, key: &Path) -> PathBuf {
    let root = dir.join("repo");
    let poni_in = |args: &[&str]| {
        let mut command = Command::new(poni);
        command.arg("-d").arg(&root).args(args);
        command
    };
    run_ok(poni_in(&["init"]));
    run_ok(poni_in(&["add-node", "n/{id:03}", "-n", &format!("1..{NODES}")]));
    let properties =
        [format!("host={}", sshd.host()), format!("user={}", sshd.user()), format!("ssh-port:int={}", sshd.port()), format!("ssh-key={}", key.display())];
    let mut args = vec!["set", "n"];
    args.extend(properties.iter().map(String::as_str));
    run_ok(poni_in(&args));
    root
}

/// parallel-ssh's hosts file: the same server 100 times, as the repository has it.
fn pssh_hosts(dir: &Path, sshd: &Sshd) -> PathBuf {
    let path = dir.join("pssh_hosts");
    let line = format!("{}@{}:{}\n", sshd.user(), sshd.host(), sshd.port());
    std::fs::write(&path, line.repeat(NODES)).expect("write the hosts file");
    path
}

/// The nodes as poni-remote targets, what `poni remote exec` derives from the repository.
fn node_targets(sshd: &Sshd, key: &Path) -> Vec<SshTarget> {
    (1..=NODES)
        .map(|id| SshTarget {
            node: format!("n/{id:03}"),
            user: sshd.user().to_owned(),
            host: sshd.host().to_owned(),
            port: sshd.port(),
            key: KeySource::File { path: key.to_path_buf() },
            instance: None,
            region: None,
            private_address: false,
        })
        .collect()
}

/// Runs a setup command; panics with its error output when it fails.
fn run_ok(mut command: Command) {
    command.stdin(Stdio::null());
    let out = command.output().unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    assert!(out.status.success(), "{command:?} failed: {}", String::from_utf8_lossy(&out.stderr));
}

/// Every client sees the scratch home, no ssh agent and no default port from the user's
/// environment: the same logins for all.
fn isolate(command: &mut Command, home: &Path) {
    command.env("HOME", home).env_remove("SSH_AUTH_SOCK").env_remove("PONI_SSH_PORT");
}

/// A key file only: no ssh agent in this process either.
fn connect_options() -> ConnectOptions {
    ConnectOptions { use_agent: false, ..ConnectOptions::default() }
}

// ---------------------------------------------------------------------------------------------
// 1. remote exec on 100 nodes

struct ExecSetup<'a> {
    poni: PathBuf,
    poni08: &'a Poni08,
    repo: PathBuf,
    home: PathBuf,
    key: PathBuf,
    hosts_file: PathBuf,
    pssh_known_hosts: PathBuf,
    in_process_known_hosts: PathBuf,
    logs: PathBuf,
    targets: Vec<SshTarget>,
    runtime: &'a Runtime,
}

impl ExecSetup<'_> {
    fn log(&self, name: &str) -> PathBuf {
        self.logs.join(format!("{name}.log"))
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Client {
    Poni,
    InProcess,
    Poni08,
    Pssh,
}

impl Client {
    const ALL: [Client; 4] = [Client::Poni, Client::InProcess, Client::Poni08, Client::Pssh];

    fn name(self) -> &'static str {
        match self {
            Client::Poni => "poni",
            Client::InProcess => "poni-remote in this process",
            Client::Poni08 => "poni 0.8",
            Client::Pssh => "parallel-ssh",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Client::Poni => "`poni remote exec . true -j 20` (ours, release)",
            Client::InProcess => "poni-remote `run_many`, 20 at once, in this process (ours: no process start, no repository read)",
            Client::Poni08 => "poni 0.8 `remote exec . true` (one node after another, paramiko)",
            Client::Pssh => "`parallel-ssh -p 20 -t 60 ... true` (an OpenSSH client per node)",
        }
    }

    fn run(self, setup: &ExecSetup) -> Run {
        match self {
            Client::Poni => run_to_end(poni_exec(setup), &setup.log("poni"), RUN_LIMIT),
            Client::InProcess => run_in_process(setup),
            Client::Poni08 => run_to_end(poni08_exec(setup, "."), &setup.log("poni08"), RUN_LIMIT),
            Client::Pssh => run_to_end(pssh_exec(setup), &setup.log("pssh"), RUN_LIMIT),
        }
    }
}

/// How one run went.
struct Run {
    took: Duration,
    ok: bool,
    /// Why it failed (the end of its output), empty when it succeeded.
    detail: String,
}

/// One client's runs.
struct ExecRow {
    client: Client,
    /// The run before the timed ones (for ours, with known_hosts empty).
    first: Option<Run>,
    /// Why it was not timed at all.
    failure: Option<String>,
    /// Timed runs wanted: 0 after a failure, 1 when it is very slow.
    planned: usize,
    runs: Vec<Run>,
}

/// A first run of every client, then the timed runs in turns (ours, in-process, poni 0.8,
/// parallel-ssh, ours, ...) so that each sees the same moments of a noisy machine.
fn exec_in_turns(setup: &ExecSetup) -> Vec<ExecRow> {
    let mut rows: Vec<ExecRow> = Client::ALL.iter().map(|&client| first_run(setup, client)).collect();
    for turn in 0..EXEC_RUNS {
        for row in rows.iter_mut().filter(|r| turn < r.planned) {
            let run = row.client.run(setup);
            eprintln!("  run {}: {}: {:.2} s{}", turn + 1, row.client.name(), run.took.as_secs_f64(), if run.ok { "" } else { " FAILED" });
            row.runs.push(run);
        }
    }
    rows
}

fn first_run(setup: &ExecSetup, client: Client) -> ExecRow {
    eprintln!("  first run: {}", client.name());
    if client == Client::Poni08 {
        // poni 0.8 retries a failing connection for 60 s a node: one node first, so a failure
        // costs a minute and not a hundred.
        let probe = run_to_end(poni08_exec(setup, "^n/001$"), &setup.log("poni08-probe"), PROBE_LIMIT);
        if !probe.ok {
            return ExecRow { client, first: None, failure: Some(format!("on one node: {}", probe.detail)), planned: 0, runs: Vec::new() };
        }
    }
    let first = client.run(setup);
    eprintln!("    {:.2} s{}", first.took.as_secs_f64(), if first.ok { "" } else { " FAILED" });
    let planned = if !first.ok {
        0
    } else if first.took > SLOW_FIRST_RUN {
        1
    } else {
        EXEC_RUNS
    };
    let failure = (!first.ok).then(|| first.detail.clone());
    ExecRow { client, first: Some(first), failure, planned, runs: Vec::new() }
}

fn poni_exec(setup: &ExecSetup) -> Command {
    let mut command = Command::new(&setup.poni);
    command.arg("-d").arg(&setup.repo).args(["remote", "exec", ".", "true", "-j", &JOBS.to_string()]);
    isolate(&mut command, &setup.home);
    command
}

/// poni 0.8 reads `host`, `user`, `ssh-port` and the absolute `ssh-key` from the same
/// repository, and accepts any host key (paramiko's AutoAddPolicy).
fn poni08_exec(setup: &ExecSetup, nodes: &str) -> Command {
    let mut command = setup.poni08.command(&setup.repo, &["remote", "exec", nodes, "true"]);
    isolate(&mut command, &setup.home);
    command
}

fn pssh_exec(setup: &ExecSetup) -> Command {
    let ssh_options =
        format!("-i {} -o StrictHostKeyChecking=no -o UserKnownHostsFile={} -o BatchMode=yes", setup.key.display(), setup.pssh_known_hosts.display());
    let mut command = Command::new("parallel-ssh");
    command.arg("-h").arg(&setup.hosts_file).args(["-p", &JOBS.to_string(), "-t", "60", "-x", &ssh_options, "true"]);
    isolate(&mut command, &setup.home);
    command
}

/// The work of `poni remote exec` without the process: known_hosts read, then `run_many`.
fn run_in_process(setup: &ExecSetup) -> Run {
    let targets: Vec<(String, Result<SshTarget, RemoteError>)> = setup.targets.iter().map(|t| (t.node.clone(), Ok(t.clone()))).collect();
    let options = RunOptions { concurrency: JOBS, timeout: Some(NODE_LIMIT), stop_after_failures: None, connect: connect_options() };
    let events: Events = Arc::new(|_: NodeEvent| {});
    let started = Instant::now();
    // Read inside the timing, as the command line reads it.
    let known = KnownHosts::load(&setup.in_process_known_hosts).expect("read known_hosts");
    let check = Arc::new(HostKeyCheck::new(known, UnknownKeys::AcceptNew));
    let results = setup.runtime.block_on(run_many(targets, "true", check, &options, CancellationToken::new(), events));
    let took = started.elapsed();
    let failed: Vec<String> = results.iter().filter(|r| !r.outcome.succeeded()).map(|r| format!("{}: {:?}", r.node, r.outcome)).collect();
    let ok = failed.is_empty() && results.len() == NODES;
    let detail = match failed.first() {
        Some(first) => format!("{} of {} failed, first {first}", failed.len(), results.len()),
        None if !ok => format!("{} results for {NODES} nodes", results.len()),
        None => String::new(),
    };
    Run { took, ok, detail }
}

/// Runs `command` to its end, its output (both streams) into `log`, and times it.
fn run_to_end(mut command: Command, log: &Path, limit: Duration) -> Run {
    let out = File::create(log).unwrap_or_else(|e| panic!("create {}: {e}", log.display()));
    let err = out.try_clone().expect("the log file, twice");
    // A process group of its own, so that a run stopped at the limit takes its children
    // (parallel-ssh's ssh clients) with it.
    command.stdin(Stdio::null()).stdout(out).stderr(err).process_group(0);
    let started = Instant::now();
    let mut child = command.spawn().unwrap_or_else(|e| panic!("cannot start {command:?}: {e}"));
    let status = wait_within(&mut child, started, limit);
    let took = started.elapsed();
    let output = std::fs::read_to_string(log).unwrap_or_default();
    match status {
        Some(status) if status.success() => Run { took, ok: true, detail: String::new() },
        Some(status) => Run { took, ok: false, detail: format!("{status}: {}", last_lines(&output, 3)) },
        None => Run { took, ok: false, detail: format!("stopped after {} s: {}", limit.as_secs(), last_lines(&output, 3)) },
    }
}

/// The child's exit status, or None when it ran past `limit` (its process group is killed).
fn wait_within(child: &mut Child, started: Instant, limit: Duration) -> Option<ExitStatus> {
    loop {
        if let Some(status) = child.try_wait().expect("wait for the child") {
            return Some(status);
        }
        if started.elapsed() > limit {
            // SAFETY: kill(2) on the process group this child leads (process_group(0)).
            unsafe { libc::kill(-(child.id() as libc::pid_t), libc::SIGKILL) };
            let _ = child.wait();
            return None;
        }
        // Polling adds at most a millisecond to runs of a second or more.
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn last_lines(text: &str, count: usize) -> String {
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    lines[lines.len().saturating_sub(count)..].join(" / ")
}

// ---------------------------------------------------------------------------------------------
// 2 and 3. The terminal

/// A terminal session driven the same way for both clients: bytes in, bytes out.
trait Terminal {
    fn send(&mut self, bytes: &[u8]);
    /// What the session printed next, or None when nothing came within `wait`.
    fn recv(&mut self, wait: Duration) -> Option<Vec<u8>>;
}

/// Ours: a poni-remote shell, driven from this thread as the desktop's backend drives it.
struct PoniShell<'a> {
    runtime: &'a Runtime,
    session: Session,
    reader: ShellReader,
    writer: ShellWriter,
}

impl<'a> PoniShell<'a> {
    fn open(runtime: &'a Runtime, target: &SshTarget, known_hosts: &Path) -> PoniShell<'a> {
        let check = Arc::new(HostKeyCheck::new(KnownHosts::load(known_hosts).expect("read known_hosts"), UnknownKeys::AcceptNew));
        let (session, reader, writer) = runtime.block_on(async {
            let session = poni_remote::connect(target, check, &connect_options()).await.expect("connect to sshd");
            let (reader, writer) = session.shell(COLS, ROWS).await.expect("open a shell");
            (session, reader, writer)
        });
        PoniShell { runtime, session, reader, writer }
    }

    fn close(self) {
        let PoniShell { runtime, session, writer, .. } = self;
        runtime.block_on(async move {
            writer.close().await;
            session.close().await;
        });
    }
}

impl Terminal for PoniShell<'_> {
    fn send(&mut self, bytes: &[u8]) {
        self.runtime.block_on(self.writer.send(bytes)).expect("send to the shell");
    }

    fn recv(&mut self, wait: Duration) -> Option<Vec<u8>> {
        // The timer is made inside the runtime (outside it, tokio has no clock to give it).
        let (runtime, reader) = (self.runtime, &mut self.reader);
        match runtime.block_on(async { tokio::time::timeout(wait, reader.next()).await }) {
            Ok(Some(ShellEvent::Output(bytes))) => Some(bytes),
            Ok(Some(ShellEvent::Exit(status))) => panic!("the shell exited with status {status}"),
            Ok(None) => panic!("the shell's channel closed"),
            Err(_) => None,
        }
    }
}

/// Theirs: OpenSSH's client in a pseudo-terminal, read and written at the master side.
struct OpenSshTerminal {
    master: File,
    child: Child,
    buffer: Vec<u8>,
}

impl OpenSshTerminal {
    fn spawn(sshd: &Sshd, key: &Path, home: &Path) -> OpenSshTerminal {
        let (master, slave) = open_pty();
        let mut command = Command::new("ssh");
        command
            .arg("-tt")
            .arg("-i")
            .arg(key)
            .arg("-p")
            .arg(sshd.port().to_string())
            .args(["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes"])
            .arg(format!("{}@{}", sshd.user(), sshd.host()))
            .env("TERM", TERM);
        isolate(&mut command, home);
        command
            .stdin(Stdio::from(slave.try_clone().expect("duplicate the pty")))
            .stdout(Stdio::from(slave.try_clone().expect("duplicate the pty")))
            .stderr(Stdio::from(slave));
        // SAFETY: the hook only calls async-signal-safe functions, as code between fork and
        // exec must.
        unsafe { command.pre_exec(take_controlling_terminal) };
        let child = command.spawn().unwrap_or_else(|e| panic!("cannot start {command:?}: {e}"));
        // `command` (holding our copies of the slave) is dropped here: once ssh ends, reading
        // the master fails instead of waiting.
        OpenSshTerminal { master: File::from(master), child, buffer: vec![0; 64 * 1024] }
    }
}

impl Terminal for OpenSshTerminal {
    fn send(&mut self, bytes: &[u8]) {
        self.master.write_all(bytes).expect("write to ssh's terminal");
    }

    fn recv(&mut self, wait: Duration) -> Option<Vec<u8>> {
        if !readable(&self.master, wait) {
            return None;
        }
        match self.master.read(&mut self.buffer) {
            Ok(n) if n > 0 => Some(self.buffer[..n].to_vec()),
            // EIO once ssh has ended and its side of the pty is closed.
            _ => panic!("ssh ended ({:?}); try the same `ssh -tt` by hand", self.child.try_wait()),
        }
    }
}

impl Drop for OpenSshTerminal {
    fn drop(&mut self) {
        // Our own child, through its handle.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A pseudo-terminal pair of COLS x ROWS. The slave starts raw: until ssh sets raw mode
/// itself, the slave's own line discipline would echo what is typed, and that echo is not the
/// server's.
fn open_pty() -> (OwnedFd, OwnedFd) {
    let (mut master, mut slave): (libc::c_int, libc::c_int) = (-1, -1);
    let size = libc::winsize { ws_row: ROWS, ws_col: COLS, ws_xpixel: 0, ws_ypixel: 0 };
    // SAFETY: valid pointers for the call; no name buffer, default modes.
    let made = unsafe { libc::openpty(&mut master, &mut slave, std::ptr::null_mut(), std::ptr::null(), &size) };
    assert_eq!(made, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: openpty returned two new descriptors that nothing else owns.
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    make_raw(&slave);
    (master, slave)
}

fn make_raw(fd: &OwnedFd) {
    // SAFETY: termios is plain data, filled by tcgetattr before it is used.
    let mut mode: libc::termios = unsafe { std::mem::zeroed() };
    // SAFETY: a valid descriptor and termios for each call.
    unsafe {
        assert_eq!(libc::tcgetattr(fd.as_raw_fd(), &mut mode), 0, "tcgetattr: {}", std::io::Error::last_os_error());
        libc::cfmakeraw(&mut mode);
        assert_eq!(libc::tcsetattr(fd.as_raw_fd(), libc::TCSANOW, &mode), 0, "tcsetattr: {}", std::io::Error::last_os_error());
    }
}

/// In the child before exec: a session of its own whose controlling terminal is the pty
/// (stdin by now), as a terminal emulator starts a program; ssh reads the window size from it.
fn take_controlling_terminal() -> std::io::Result<()> {
    // SAFETY: setsid and ioctl are async-signal-safe; fd 0 is the pty's slave.
    unsafe {
        if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Whether `file` has something to read within `wait`.
fn readable(file: &File, wait: Duration) -> bool {
    let mut poll = libc::pollfd { fd: file.as_raw_fd(), events: libc::POLLIN, revents: 0 };
    let ms = i32::try_from(wait.as_millis()).unwrap_or(i32::MAX);
    loop {
        // SAFETY: one pollfd, valid for the call.
        match unsafe { libc::poll(&mut poll, 1, ms) } {
            -1 if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted => continue,
            -1 => panic!("poll: {}", std::io::Error::last_os_error()),
            0 => return false,
            _ => return true,
        }
    }
}

/// Waits for the login (banner, message of the day, first prompt), then makes the shell's
/// echo of a key the key alone: an empty prompt, control characters not shown as `^X`, no
/// history written to the server user's home.
fn prepare_shell(term: &mut dyn Terminal) {
    assert!(term.recv(LOGIN_LIMIT).is_some(), "the shell printed nothing within {} s", LOGIN_LIMIT.as_secs());
    while term.recv(Duration::from_millis(500)).is_some() {}
    term.send(b"stty -echoctl; unset HISTFILE PROMPT_COMMAND; PS1=\r");
    settle(term, Duration::from_secs(5), Duration::from_millis(500));
}

/// Reads what the session prints: up to `first` for it to start, then until it has been quiet
/// for `quiet`.
fn settle(term: &mut dyn Terminal, first: Duration, quiet: Duration) {
    if term.recv(first).is_none() {
        return;
    }
    while term.recv(quiet).is_some() {}
}

/// Reads until `needle` has been printed (it may span chunks); returns the bytes read.
/// Panics after `limit`.
fn wait_for(term: &mut dyn Terminal, needle: &[u8], limit: Duration) -> usize {
    let deadline = Instant::now() + limit;
    let keep = needle.len().saturating_sub(1);
    let mut window: Vec<u8> = Vec::new();
    let mut seen = 0;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let chunk = term.recv(left).unwrap_or_else(|| panic!("{:?} was not printed within {} s", String::from_utf8_lossy(needle), limit.as_secs()));
        seen += chunk.len();
        window.extend_from_slice(&chunk);
        if contains(&window, needle) {
            return seen;
        }
        // Only the end can begin a match that the next chunk completes.
        window.drain(..window.len().saturating_sub(keep));
    }
}

/// A byte search cheap enough for 27 MB: the first byte, then the rest.
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    let Some((&first, rest)) = needle.split_first() else { return true };
    haystack.iter().enumerate().any(|(i, &b)| b == first && haystack[i + 1..].starts_with(rest))
}

/// Keystrokes in blocks of 50, ours then theirs, in turns.
fn keystrokes_in_turns(ours: &mut dyn Terminal, theirs: &mut dyn Terminal) -> (Vec<Duration>, Vec<Duration>) {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..KEYSTROKES / BLOCK {
        a.extend(keystroke_block(ours));
        b.extend(keystroke_block(theirs));
    }
    (a, b)
}

fn keystroke_block(term: &mut dyn Terminal) -> Vec<Duration> {
    // Each block starts on an empty line (Ctrl-U), whatever an earlier echo left.
    term.send(b"\x15");
    settle(term, Duration::from_millis(50), Duration::from_millis(50));
    (0..BLOCK).map(|_| keystroke(term)).collect()
}

/// One `x` until its echo comes back.
fn keystroke(term: &mut dyn Terminal) -> Duration {
    let started = Instant::now();
    term.send(b"x");
    wait_for(term, b"x", ECHO_LIMIT);
    let took = started.elapsed();
    // Erased so the line never grows, and the erasing's echo read before the next key (it has
    // no `x`, so one arriving late does not spoil the next measurement).
    term.send(b"\x7f");
    settle(term, Duration::from_secs(1), Duration::from_millis(5));
    took
}

/// One `seq` run.
struct Streamed {
    took: Duration,
    bytes: usize,
}

fn streams_in_turns(ours: &mut dyn Terminal, theirs: &mut dyn Terminal) -> (Vec<Streamed>, Vec<Streamed>) {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for run in 1..=STREAM_RUNS {
        let (mine, other) = (stream(ours), stream(theirs));
        eprintln!("  seq run {run}: ours {:.2} s, OpenSSH {:.2} s", mine.took.as_secs_f64(), other.took.as_secs_f64());
        a.push(mine);
        b.push(other);
    }
    (a, b)
}

/// `seq 1 3000000` from sending the command to reading its last line.
fn stream(term: &mut dyn Terminal) -> Streamed {
    settle(term, Duration::from_millis(100), Duration::from_millis(100));
    let command = format!("seq 1 {SEQ_LAST}\r");
    // The last number on a line of its own (the remote pty ends lines with \r\n); the echoed
    // command has it after a space.
    let last_line = format!("\n{SEQ_LAST}\r");
    let started = Instant::now();
    term.send(command.as_bytes());
    let bytes = wait_for(term, last_line.as_bytes(), STREAM_LIMIT);
    let took = started.elapsed();
    // The prompt after it.
    settle(term, Duration::from_secs(1), Duration::from_millis(200));
    Streamed { took, bytes }
}

// ---------------------------------------------------------------------------------------------
// Figures and the report

struct Spread {
    count: usize,
    median: Duration,
    p95: Duration,
    min: Duration,
    max: Duration,
}

fn spread(mut samples: Vec<Duration>) -> Spread {
    assert!(!samples.is_empty(), "no samples");
    samples.sort();
    let n = samples.len();
    let p95 = samples[(((n as f64) * 0.95).ceil() as usize).clamp(1, n) - 1];
    Spread { count: n, median: samples[n / 2], p95, min: samples[0], max: samples[n - 1] }
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn seconds(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

/// Text fit for a Markdown table cell: no escape sequences, no line breaks, no `|`, bounded.
fn cell(text: &str) -> String {
    let mut plain = String::new();
    let mut in_escape = false;
    for c in text.chars() {
        match c {
            '\x1b' => in_escape = true,
            c if in_escape => in_escape = !c.is_ascii_alphabetic(),
            c if c.is_control() => plain.push(' '),
            c => plain.push(c),
        }
    }
    let words = plain.split_whitespace().collect::<Vec<_>>().join(" ").replace('|', "\\|");
    match words.char_indices().nth(400) {
        Some((i, _)) => format!("{}…", &words[..i]),
        None => words,
    }
}

struct Report {
    machine: String,
    versions: String,
    exec: Vec<ExecRow>,
    keystrokes: (Spread, Spread),
    streams: (Vec<Streamed>, Vec<Streamed>),
}

impl Report {
    fn render(&self) -> String {
        format!(
            "# Remote benchmark\n\n\
             Run with `./dev bench remote` (`benches/src/bin/remote.rs`, {} build). One OpenSSH server on 127.0.0.1 \
             (tests/src/sshd.rs: its own host key and config, MaxStartups 300), every client logging in with the same \
             RSA 2048 key (PEM, as EC2 hands out), no ssh agent. The terminal figures stop where bytes reach the client's \
             reader: the desktop's IPC and the webview's rendering of the terminal are not in them.\n\n\
             {}\n\n{}\n\n{}\n{}\n{}",
            if cfg!(debug_assertions) { "debug" } else { "release" },
            self.machine,
            self.versions,
            self.exec_section(),
            self.keystroke_section(),
            self.stream_section(),
        )
    }

    fn exec_section(&self) -> String {
        let mut text = format!(
            "## `remote exec` of `true` on {NODES} nodes\n\n\
             Every node is a connection of its own to the one server. Wall time of the whole command; one run of each \
             first (not timed; ours then starts with an empty known_hosts and saves the key), then the timed runs in turns.\n\n\
             | client | timed runs | median | fastest – slowest | first run (not timed) | succeeded (exit status 0) |\n\
             |---|---:|---:|---:|---:|---|\n"
        );
        for row in &self.exec {
            text.push_str(&exec_line(row));
            text.push('\n');
        }
        text.push('\n');
        let ours = self.exec.iter().find(|r| r.client == Client::Poni).and_then(median_ok);
        for row in self.exec.iter().filter(|r| r.client != Client::Poni) {
            if let (Some(ours), Some(theirs)) = (ours, median_ok(row)) {
                text.push_str(&format!("- {}: {:.1}x the time of `poni remote exec`.\n", row.client.name(), theirs.as_secs_f64() / ours.as_secs_f64()));
            }
            if row.planned == 1 {
                let first = row.first.as_ref().map_or(Duration::ZERO, |r| r.took);
                text.push_str(&format!("- {}: one timed run only, as its first run took {}.\n", row.client.name(), seconds(first)));
            }
        }
        text
    }

    fn keystroke_section(&self) -> String {
        let (ours, theirs) = &self.keystrokes;
        let added = |a: Duration, b: Duration| (a.as_secs_f64() - b.as_secs_f64()) * 1000.0;
        format!(
            "## Keystroke round trip\n\n\
             One byte (`x`) written to the client until its echo from the remote shell is read back, {KEYSTROKES} times each \
             in blocks of {BLOCK} taken in turns (each followed by a backspace, read back before the next). Ours: a \
             poni-remote shell (`Session::shell`, {COLS}x{ROWS}) driven in this process. OpenSSH: `ssh -tt` in a pseudo-terminal \
             opened here, read and written at its master side as a terminal emulator does.\n\n\
             | client | keystrokes | median | p95 | fastest | slowest |\n\
             |---|---:|---:|---:|---:|---:|\n\
             {}\n{}\n\n\
             Added by poni: {:+.2} ms at the median ({:+.2} ms at p95).\n",
            spread_line("poni-remote shell (ours)", ours),
            spread_line("OpenSSH `ssh -tt` in a pty", theirs),
            added(ours.median, theirs.median),
            added(ours.p95, theirs.p95),
        )
    }

    fn stream_section(&self) -> String {
        format!(
            "## Throughput\n\n\
             `seq 1 {SEQ_LAST}` typed into the same two shells, from sending the command to reading its last line; {STREAM_RUNS} \
             runs each, in turns.\n\n\
             | client | runs | median | MB read | MB/s at the median |\n\
             |---|---:|---:|---:|---:|\n\
             {}\n{}\n",
            stream_line("poni-remote shell (ours)", &self.streams.0),
            stream_line("OpenSSH `ssh -tt` in a pty", &self.streams.1),
        )
    }
}

/// The median of a client's successful timed runs.
fn median_ok(row: &ExecRow) -> Option<Duration> {
    let mut ok: Vec<Duration> = row.runs.iter().filter(|r| r.ok).map(|r| r.took).collect();
    ok.sort();
    ok.get(ok.len() / 2).copied()
}

fn exec_line(row: &ExecRow) -> String {
    let first = row.first.as_ref().map_or_else(|| "-".to_owned(), |r| seconds(r.took));
    let mut ok: Vec<Duration> = row.runs.iter().filter(|r| r.ok).map(|r| r.took).collect();
    ok.sort();
    let (median, range) = match (&row.failure, ok.first(), ok.last()) {
        (Some(why), _, _) => (format!("failed: {}", cell(why)), "-".to_owned()),
        (None, Some(min), Some(max)) => (seconds(ok[ok.len() / 2]), format!("{} – {}", seconds(*min), seconds(*max))),
        _ => ("no run succeeded".to_owned(), "-".to_owned()),
    };
    let succeeded = match (row.failure.is_some(), row.runs.iter().find(|r| !r.ok)) {
        (true, _) => "no".to_owned(),
        (false, None) => format!("all {} and the first", row.runs.len()),
        (false, Some(bad)) => format!("{} of {}; failed: {}", ok.len(), row.runs.len(), cell(&bad.detail)),
    };
    format!("| {} | {} | {median} | {range} | {first} | {succeeded} |", row.client.label(), row.runs.len())
}

fn spread_line(label: &str, s: &Spread) -> String {
    format!("| {label} | {} | {} | {} | {} | {} |", s.count, ms(s.median), ms(s.p95), ms(s.min), ms(s.max))
}

fn stream_line(label: &str, runs: &[Streamed]) -> String {
    let mut sorted: Vec<&Streamed> = runs.iter().collect();
    sorted.sort_by_key(|r| r.took);
    let median = sorted[sorted.len() / 2];
    let mb = median.bytes as f64 / 1e6;
    format!("| {label} | {} | {} | {mb:.1} | {:.1} |", runs.len(), seconds(median.took), mb / median.took.as_secs_f64())
}

/// The machine line, with the load at the start and at the end of the run.
fn machine_line(load_at_start: &str) -> String {
    format!("Machine: {}; load average (1/5/15 min) at the start {load_at_start}, at the end {}.", hardware(), load_average())
}

fn versions() -> String {
    let python = || Command::new(poni_e2e::poni08_venv_dir().join("bin/python"));
    format!(
        "Versions: {} (client and server); parallel-ssh {}; poni 0.8 on {} with paramiko {}.",
        first_line(Command::new("ssh").arg("-V")),
        first_line(Command::new("parallel-ssh").arg("--version")),
        first_line(python().arg("--version")),
        first_line(python().args(["-c", "import paramiko; print(paramiko.__version__)"])),
    )
}

/// The first line a program prints, on either stream (`ssh -V` uses stderr).
fn first_line(command: &mut Command) -> String {
    match command.stdin(Stdio::null()).output() {
        Ok(out) => {
            let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
            text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("?").to_owned()
        }
        Err(e) => format!("(cannot run: {e})"),
    }
}
