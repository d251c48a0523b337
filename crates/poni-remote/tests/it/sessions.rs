//! Connecting, running, copying and the shell, against Debian's OpenSSH server.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use poni_e2e::{closed_port, silent_listener, SshKeys, Sshd, ENCRYPTED_KEY_PASSPHRASE};
use poni_remote::copy::{plan_copy, CopyJob};
use poni_remote::exec::{group_outputs, run_many, run_on_nodes, Events, NodeEvent, NodeOutcome, RunOptions};
use poni_remote::{connect, ConnectOptions, HostKeyCheck, HostKeyOutcome, KeySource, KnownHosts, RemoteError, ShellEvent, SshTarget, UnknownKeys};
use tokio_util::sync::CancellationToken;

struct World {
    dir: tempfile::TempDir,
    keys: SshKeys,
    sshd: Sshd,
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let keys = SshKeys::generate(dir.path());
    let sshd = Sshd::start(&keys);
    World { dir, keys, sshd }
}

impl World {
    fn target(&self, node: &str, key: &Path) -> SshTarget {
        SshTarget {
            node: node.into(),
            user: self.sshd.user().into(),
            host: "127.0.0.1".into(),
            port: self.sshd.port(),
            key: KeySource::File { path: key.to_path_buf() },
            instance: Some("i-0123".into()),
            region: None,
            private_address: false,
        }
    }

    fn known_hosts(&self) -> std::path::PathBuf {
        self.dir.path().join("known_hosts")
    }

    fn check(&self, policy: UnknownKeys) -> Arc<HostKeyCheck> {
        Arc::new(HostKeyCheck::new(KnownHosts::load(&self.known_hosts()).unwrap(), policy))
    }
}

/// The developer's own agent stays out of the tests.
fn options() -> ConnectOptions {
    ConnectOptions { timeout: Duration::from_secs(10), passphrase: None, use_agent: false }
}

fn no_events() -> Events {
    Arc::new(|_| {})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_runs_with_the_pem_key_and_its_status_comes_back() {
    let w = world();
    let session = connect(&w.target("web", &w.keys.client_key), w.check(UnknownKeys::AcceptNew), &options()).await.unwrap();
    assert_eq!(session.host_key, HostKeyOutcome::AcceptedNew);
    let mut out = Vec::new();
    let end = session.exec("echo $((6*7)); echo oops >&2; exit 3", |_, b| out.extend_from_slice(b)).await.unwrap();
    assert_eq!(end.exit_status, Some(3));
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains("42\n") && out.contains("oops\n"), "{out}");
    // The key was saved in OpenSSH's form, with the instance: the real ssh client agrees.
    let saved = std::fs::read_to_string(w.known_hosts()).unwrap();
    assert!(saved.starts_with(&format!("[127.0.0.1]:{} ssh-ed25519 ", w.sshd.port())) && saved.contains("poni:instance=i-0123"), "{saved}");
    let ssh = std::process::Command::new("ssh")
        .args(["-i", w.keys.client_key.to_str().unwrap(), "-p", &w.sshd.port().to_string(), "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes"])
        .arg("-o")
        .arg(format!("UserKnownHostsFile={}", w.known_hosts().display()))
        .arg(format!("{}@127.0.0.1", w.sshd.user()))
        .arg("true")
        .status()
        .unwrap();
    assert!(ssh.success(), "OpenSSH accepts the known_hosts line poni wrote");
    session.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn host_keys_are_verified_from_the_console_and_a_changed_key_is_refused() {
    let mut w = world();
    let target = w.target("web", &w.keys.client_key);
    let err = connect(&target, w.check(UnknownKeys::Ask), &options()).await.err().unwrap();
    assert_eq!(err, RemoteError::HostKeyUnknown { host: "127.0.0.1".into(), port: w.sshd.port(), fingerprint: w.sshd.host_key_fingerprint() });
    let check = w.check(UnknownKeys::Ask);
    assert!(check.needs_console(&target));
    let check = Arc::new(HostKeyCheck::new(KnownHosts::load(&w.known_hosts()).unwrap(), UnknownKeys::Ask).with_console("web", &w.sshd.console_output_text()));
    let session = connect(&target, check, &options()).await.unwrap();
    assert_eq!(session.host_key, HostKeyOutcome::VerifiedByConsole);
    session.close().await;

    w.sshd.restart_with_new_host_key();
    let mut relaunched = target.clone();
    relaunched.instance = Some("i-0456".into());
    let err = connect(&relaunched, w.check(UnknownKeys::AcceptNew), &options()).await.err().unwrap();
    let RemoteError::HostKeyChanged { saved_instance, current_instance, offered, .. } = &err else { panic!("{err:?}") };
    assert_eq!((saved_instance.as_deref(), current_instance.as_deref()), (Some("i-0123"), Some("i-0456")));
    assert_eq!(offered, &w.sshd.host_key_fingerprint());
    // The old console output does not vouch for the new key either.
    let stale = Arc::new(HostKeyCheck::new(KnownHosts::load(&w.known_hosts()).unwrap(), UnknownKeys::Ask).with_console("web", "no keys here"));
    assert!(matches!(connect(&relaunched, stale, &options()).await, Err(RemoteError::HostKeyChanged { .. })));
    let mut replace = HostKeyCheck::new(KnownHosts::load(&w.known_hosts()).unwrap(), UnknownKeys::Refuse);
    replace.replace = Some(w.sshd.host_key_fingerprint());
    let session = connect(&relaunched, Arc::new(replace), &options()).await.unwrap();
    assert_eq!(session.host_key, HostKeyOutcome::Replaced);
    session.close().await;
    let session = connect(&relaunched, w.check(UnknownKeys::Refuse), &options()).await.unwrap();
    assert_eq!(session.host_key, HostKeyOutcome::Known);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_and_network_failures_are_each_named() {
    let w = world();
    let check = || w.check(UnknownKeys::AcceptNew);
    let err = connect(&w.target("web", &w.keys.wrong_key), check(), &options()).await.err().unwrap();
    assert!(matches!(err, RemoteError::AuthFailed { .. }), "{err:?}");
    let err = connect(&w.target("web", &w.keys.encrypted_key), check(), &options()).await.err().unwrap();
    assert_eq!(err, RemoteError::PassphraseNeeded { path: w.keys.encrypted_key.clone() });
    let wrong = ConnectOptions { passphrase: Some("nope".into()), ..options() };
    let err = connect(&w.target("web", &w.keys.encrypted_key), check(), &wrong).await.err().unwrap();
    assert_eq!(err, RemoteError::WrongPassphrase { path: w.keys.encrypted_key.clone() });
    let right = ConnectOptions { passphrase: Some(ENCRYPTED_KEY_PASSPHRASE.into()), ..options() };
    connect(&w.target("web", &w.keys.encrypted_key), check(), &right).await.unwrap().close().await;
    let missing = w.dir.path().join("gone.pem");
    let err = connect(&w.target("web", &missing), check(), &options()).await.err().unwrap();
    assert!(matches!(err, RemoteError::KeyMissing { .. }), "{err:?}");

    let mut closed = w.target("web", &w.keys.client_key);
    closed.port = closed_port();
    assert!(matches!(connect(&closed, check(), &options()).await, Err(RemoteError::Refused { .. })));
    let (_listener, port) = silent_listener();
    let mut silent = w.target("web", &w.keys.client_key);
    silent.port = port;
    let quick = ConnectOptions { timeout: Duration::from_secs(1), ..options() };
    let started = std::time::Instant::now();
    let err = connect(&silent, check(), &quick).await.err().unwrap();
    assert!(matches!(err, RemoteError::Timeout { seconds: 1, .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_command_on_many_nodes_reports_each_and_groups_the_same_outputs() {
    let w = world();
    let mut targets: Vec<(String, Result<SshTarget, RemoteError>)> =
        (1..=3).map(|i| (format!("web/{i}"), Ok(w.target(&format!("web/{i}"), &w.keys.client_key)))).collect();
    let mut down = w.target("db/1", &w.keys.client_key);
    down.port = closed_port();
    targets.push(("db/1".into(), Ok(down)));
    targets.push(("tmpl".into(), Err(RemoteError::Template { node: "tmpl".into() })));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let events: Events = {
        let seen = seen.clone();
        Arc::new(move |e| seen.lock().unwrap().push(e))
    };
    let results = run_many(
        targets,
        "hostname >/dev/null; echo same; exit 3",
        w.check(UnknownKeys::AcceptNew),
        &RunOptions { connect: options(), ..Default::default() },
        CancellationToken::new(),
        events,
    )
    .await;
    let outcomes: Vec<&NodeOutcome> = results.iter().map(|r| &r.outcome).collect();
    assert_eq!(outcomes[..3], [&NodeOutcome::Exited(3), &NodeOutcome::Exited(3), &NodeOutcome::Exited(3)]);
    assert!(matches!(outcomes[3], NodeOutcome::Failed(RemoteError::Refused { .. })));
    assert!(matches!(outcomes[4], NodeOutcome::Skipped(RemoteError::Template { .. })));
    let groups = group_outputs(&results);
    assert_eq!(groups[0].members, vec![0, 1, 2]);
    assert_eq!((groups[0].output.as_str(), groups[0].exit_status), ("same\n", Some(3)));
    let seen = seen.lock().unwrap();
    assert_eq!(seen.iter().filter(|e| matches!(e, NodeEvent::Started { .. })).count(), 4);
    assert_eq!(seen.iter().filter(|e| matches!(e, NodeEvent::Finished { .. })).count(), 5);
    assert!(seen.iter().any(|e| matches!(e, NodeEvent::Output { bytes, .. } if bytes == b"same\n")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_stop_a_slow_command_and_stop_after_failures() {
    let w = world();
    let targets = |n: usize| (1..=n).map(|i| (format!("n{i}"), Ok(w.target(&format!("n{i}"), &w.keys.client_key)))).collect::<Vec<_>>();
    let timed = RunOptions { timeout: Some(Duration::from_secs(1)), connect: options(), ..Default::default() };
    let results = run_many(targets(1), "sleep 30", w.check(UnknownKeys::AcceptNew), &timed, CancellationToken::new(), no_events()).await;
    assert_eq!(results[0].outcome, NodeOutcome::Failed(RemoteError::CommandTimeout { seconds: 1 }));
    let one_at_a_time = RunOptions { concurrency: 1, stop_after_failures: Some(2), connect: options(), ..Default::default() };
    let results = run_many(targets(5), "exit 1", w.check(UnknownKeys::AcceptNew), &one_at_a_time, CancellationToken::new(), no_events()).await;
    let ran = results.iter().filter(|r| r.outcome == NodeOutcome::Exited(1)).count();
    let not_run = results.iter().filter(|r| r.outcome == NodeOutcome::NotRun).count();
    assert_eq!((ran, not_run), (2, 3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_and_folders_are_copied_with_their_times() {
    let w = world();
    let src = w.dir.path().join("src");
    std::fs::create_dir_all(src.join("conf/sub")).unwrap();
    std::fs::write(src.join("app.conf"), "port=80\n").unwrap();
    std::fs::write(src.join("conf/sub/deep.txt"), "deep\n").unwrap();
    let dest = w.dir.path().join("remote/etc/app");
    let dest_text = dest.to_str().unwrap().to_owned();
    let targets = || vec![("web/1".to_string(), Ok(w.target("web/1", &w.keys.client_key)))];
    let run_options = RunOptions { connect: options(), ..Default::default() };
    let run = |plan| {
        let job = Arc::new(CopyJob { plan });
        run_on_nodes(targets(), job, w.check(UnknownKeys::AcceptNew), &run_options, CancellationToken::new(), no_events())
    };
    let plan = plan_copy(&[src.join("app.conf")], &dest_text, false, false).unwrap();
    let results = run(plan).await;
    assert!(matches!(results[0].outcome, NodeOutcome::Failed(RemoteError::DestinationMissing { .. })), "{:?}", results[0].outcome);
    let plan = plan_copy(&[src.join("app.conf"), src.join("conf")], &dest_text, true, true).unwrap();
    let results = run(plan).await;
    assert_eq!(results[0].outcome, NodeOutcome::Exited(0), "{:?}", results[0]);
    assert_eq!(std::fs::read_to_string(dest.join("app.conf")).unwrap(), "port=80\n");
    assert_eq!(std::fs::read_to_string(dest.join("sub/deep.txt")).unwrap(), "deep\n");
    let local = std::fs::metadata(src.join("app.conf")).unwrap().modified().unwrap();
    let remote = std::fs::metadata(dest.join("app.conf")).unwrap().modified().unwrap();
    assert_eq!(local.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs(), remote.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shell_on_a_terminal_echoes_and_reports_its_exit_status() {
    let w = world();
    let session = connect(&w.target("web", &w.keys.client_key), w.check(UnknownKeys::AcceptNew), &options()).await.unwrap();
    let (mut reader, writer) = session.shell(80, 24).await.unwrap();
    writer.resize(100, 30).await.unwrap();
    writer.send(b"stty size; echo $((6*7))\n").await.unwrap();
    let mut screen = String::new();
    let found = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(ShellEvent::Output(bytes)) = reader.next().await {
            screen.push_str(&String::from_utf8_lossy(&bytes));
            if screen.contains("\n42") {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(found, Ok(true), "{screen}");
    assert!(screen.contains("30 100"), "the resize reached the terminal: {screen}");
    writer.send(b"exit 5\n").await.unwrap();
    let status = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(event) = reader.next().await {
            if let ShellEvent::Exit(status) = event {
                return Some(status);
            }
        }
        None
    })
    .await
    .unwrap();
    assert_eq!(status, Some(5));
}
