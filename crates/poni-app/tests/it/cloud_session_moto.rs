//! The cloud session with real components: moto (a real EC2-compatible server) behind the
//! harness's proxy, which holds `pending` and `shutting-down` for a few seconds so states
//! really change over time. Walks the seed document: four drumbo nodes launched and watched
//! (pending -> running, addresses arriving), terminated and watched (shutting-down ->
//! terminated, addresses emptied), the repository files checked after each step; then the
//! automatic refresh follows a node left pending by a cancelled launch and stops by itself.
//!
//! Credentials: inside a D-Bus session with an unlocked keyring (as `./dev test` runs), the
//! session's credentials service stores a set in the real Secret Service under a test service
//! name, the launch uses it, and nothing the service returns holds the secret. Without a
//! session bus that part is skipped (said on stderr) and the environment supplies the keys.

use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use poni_app::cloud::{
    CloudAction, CloudCredentials, CloudNotice, CloudSession, ConfirmAction, CredentialChoice, InstanceState, NewCredentialSet, OperationRequest,
    OperationState, Scope, SessionOptions,
};
use poni_app::poni_cloud::aws::{PacingLimits, ProviderOptions, RetryPolicy};
use poni_app::poni_cloud::credentials::{CredentialSets, EnvVars, KeyringStore, SecretStore};
use poni_app::poni_cloud::engine::{EngineEvent, EngineOptions, Outcome, PollSchedule};
use poni_app::SettingsStore;
use poni_e2e::{Ec2Proxy, FaultKind, ProxyConfig, TEST_AMI};
use poni_repo::{AddNodes, Repo, Target};
use serde_json::{json, Value};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver};

const SECRET: &str = "session-test-secret-value";

fn session_bus() -> bool {
    std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some_and(|v| !v.is_empty())
}

fn set(repo: &Repo, name: &str, key: &str, value: Value) {
    repo.update(name, |p| Ok(poni_repo::props::set_path(p, key, value)?.into_iter().collect())).unwrap();
}

/// The seed document's nodes: drumbo1 with its cloud properties, drumbo2..4 cloned with -c.
fn seed(repo: &Repo) {
    repo.add_nodes(&AddNodes::new("drumbo1")).unwrap();
    for (k, v) in [("cloud.provider", "aws-ec2"), ("cloud.region", "us-east-1"), ("cloud.image", TEST_AMI), ("cloud.key-pair", "my-keypair"), ("user", "root")]
    {
        set(repo, "drumbo1", k, json!(v));
    }
    let mut clones = AddNodes::new("drumbo{id}");
    clones.ids = 2..=4;
    clones.inherit = Some(Target::new("drumbo1", true).unwrap());
    clones.copy = true;
    repo.add_nodes(&clones).unwrap();
}

fn node_file(repo: &Repo, name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(repo.file_of(name, poni_repo::Kind::Node)).unwrap()).unwrap()
}

fn options() -> SessionOptions {
    let quick = PollSchedule { first: Duration::from_millis(250), max: Duration::from_secs(1), factor: 1.5 };
    SessionOptions {
        provider: ProviderOptions {
            endpoint_url: None,
            env: EnvVars::from_pairs([]),
            pacing: PacingLimits::unpaced(),
            retry: RetryPolicy { min_delay: Duration::from_millis(20), max_delay: Duration::from_millis(200), ..RetryPolicy::default() },
            connect_timeout: Duration::from_secs(5),
            attempt_timeout: Duration::from_secs(20),
        },
        engine: EngineOptions { poll: quick, ssh_dir: None, ..EngineOptions::default() },
        refresh: quick,
    }
}

/// Every notice, kept for checks afterwards, and a channel to react to them as they come.
fn notices() -> (poni_app::cloud::NoticeSink, Arc<Mutex<Vec<CloudNotice>>>, UnboundedReceiver<CloudNotice>) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let (tx, rx) = unbounded_channel();
    let kept = log.clone();
    let sink: poni_app::cloud::NoticeSink = Arc::new(move |n: CloudNotice| {
        kept.lock().unwrap().push(n.clone());
        let _ = tx.send(n);
    });
    (sink, log, rx)
}

/// The states a node showed in the fleet notices (once it had an instance), in order, with
/// its host at the time.
fn seen_states(log: &[CloudNotice], node: &str) -> Vec<(Option<InstanceState>, Option<String>)> {
    let mut seen: Vec<(Option<InstanceState>, Option<String>)> = Vec::new();
    for notice in log {
        if let CloudNotice::Fleet(change) = notice {
            for n in change.nodes.iter().filter(|n| n.node == node && n.state.is_some()) {
                let now = (n.state, n.addresses.host.clone());
                if seen.last() != Some(&now) {
                    seen.push(now);
                }
            }
        }
    }
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn launch_watch_terminate_and_refresh_through_the_session() {
    let hold = Duration::from_secs(3);
    let proxy = Ec2Proxy::start_shared(ProxyConfig { hold_pending: hold, hold_shutting_down: hold, ..ProxyConfig::default() });
    let dir = tempfile::tempdir().unwrap();
    let repo = Repo::init(dir.path().join("repo")).unwrap();
    seed(&repo);
    let settings = SettingsStore::at(dir.path().join("config/settings.json"));

    // Credentials: the real Secret Service when there is one, else the environment.
    let service = format!("poni-desktop-session-test-{}", std::process::id());
    let keyring = session_bus();
    let credentials = if keyring {
        let sets = CredentialSets::new(Arc::new(KeyringStore::with_service(&service)));
        CloudCredentials::new(settings.clone(), sets, EnvVars::from_pairs([])).with_profile_paths(vec![])
    } else {
        eprintln!("SKIPPED the Secret Service part: no D-Bus session bus (run under dbus-run-session with gnome-keyring unlocked, as ./dev test does); using environment keys");
        let env = EnvVars::from_pairs([("AWS_ACCESS_KEY_ID", "AKIASESSIONENV"), ("AWS_SECRET_ACCESS_KEY", SECRET)]);
        CloudCredentials::new(settings.clone(), CredentialSets::new(Arc::new(KeyringStore::with_service(&service))), env).with_profile_paths(vec![])
    };
    if keyring {
        let saved = credentials
            .save_set(NewCredentialSet { name: "moto".into(), access_key_id: "AKIASESSIONTEST".into(), secret_access_key: SECRET.into(), session_token: None })
            .await
            .expect("store the set in the Secret Service");
        assert_eq!((saved.name.as_str(), saved.access_key_id.as_deref()), ("moto", Some("AKIASESSIONTEST")));
        credentials.choose(CredentialChoice::StoredSet { name: "moto".into() }).unwrap();
        // In the Secret Service, seen by another client (libsecret's secret-tool).
        if let Ok(out) = Command::new("secret-tool").args(["lookup", "service", &service, "username", "moto"]).output() {
            assert!(String::from_utf8_lossy(&out.stdout).contains(SECRET), "secret-tool found no entry: {}", String::from_utf8_lossy(&out.stderr));
        }
        let listed = credentials.list_sets().await.unwrap();
        let status = credentials.status().await.unwrap();
        assert_eq!(status.source.as_ref().unwrap().access_key_id, "AKIASESSIONTEST");
        for shown in [serde_json::to_string(&saved).unwrap(), serde_json::to_string(&listed).unwrap(), serde_json::to_string(&status).unwrap()] {
            assert!(!shown.contains(SECRET), "a secret came back: {shown}");
        }
    } else {
        credentials.choose(CredentialChoice::Environment).unwrap();
    }
    credentials.set_endpoint(Some(proxy.endpoint_url().to_owned())).unwrap();

    let (sink, log, mut rx) = notices();
    let session = CloudSession::new(repo.clone(), credentials.clone(), options(), tokio::runtime::Handle::current(), sink);
    let all = Scope::All;

    // 1. Preview, then launch the four and watch them come up.
    let preview = session.preview(&all, false).unwrap();
    assert!(preview.can_launch && preview.launch_count == 4, "{preview:?}");
    let started = session
        .start(OperationRequest { action: CloudAction::Launch, scope: all.clone(), reinit: None, state: None, snapshot: None, description: None })
        .await
        .unwrap();
    assert_eq!((started.total, started.state), (4, OperationState::Running));
    let busy = session
        .start(OperationRequest {
            action: CloudAction::Terminate,
            scope: Scope::Node { name: "drumbo2".into() },
            reinit: None,
            state: None,
            snapshot: None,
            description: None,
        })
        .await;
    assert_eq!(busy.unwrap_err().code, "cloud.busy", "two operations never work on one node");
    let mid = tokio::time::timeout(Duration::from_secs(20), async {
        // While the proxy holds them, the badges say pending.
        loop {
            if let Some(CloudNotice::Event { event: EngineEvent::WaitProgress { .. }, .. }) = rx.recv().await {
                break session.fleet_overview();
            }
        }
    })
    .await
    .expect("the launch reaches its wait");
    assert_eq!(mid.by_state.iter().find(|c| c.state == InstanceState::Pending).unwrap().count, 4, "{mid:?}");
    let done = tokio::time::timeout(Duration::from_secs(60), session.finished(&started.id)).await.unwrap().unwrap();
    assert_eq!(done.state, OperationState::Succeeded, "{done:?}");
    assert_eq!((done.done, done.succeeded, done.failed), (4, 4, 0));
    assert!(done.reports.iter().all(|r| r.outcome == Outcome::Ready && r.state == Some(InstanceState::Running)), "{:?}", done.reports);

    let log_now = log.lock().unwrap().clone();
    let progress: Vec<u32> = log_now.iter().filter_map(|n| if let CloudNotice::Progress(s) = n { Some(s.done) } else { None }).collect();
    assert!(progress.windows(2).all(|w| w[0] <= w[1]) && progress.first() == Some(&0), "progress goes up: {progress:?}");
    for i in 1..=4 {
        let name = format!("drumbo{i}");
        let live = session.node_live(&name).unwrap();
        assert_eq!(live.state, Some(InstanceState::Running));
        assert_eq!(
            live.timeline.iter().map(|e| (e.from, e.to)).collect::<Vec<_>>(),
            [(None, InstanceState::Pending), (Some(InstanceState::Pending), InstanceState::Running)],
            "{name}"
        );
        assert!(live.addresses.host.is_some() && live.addresses.private_ip.is_some(), "{live:?}");
        // Pending with no address first; running with the address after.
        let seen = seen_states(&log_now, &name);
        assert_eq!(seen.first(), Some(&(Some(InstanceState::Pending), None)), "{name}: {seen:?}");
        assert!(matches!(seen.last(), Some((Some(InstanceState::Running), Some(_)))), "{name}: {seen:?}");
        // On disk, as poni writes it.
        let file = node_file(&repo, &name);
        assert_eq!(file["cloud"]["instance"].as_str(), live.instance_id.as_deref());
        assert_eq!(file["host"].as_str(), live.addresses.host.as_deref());
        assert_eq!(file["private"]["ip"].as_str(), live.addresses.private_ip.as_deref());
    }
    let overview = session.fleet_overview();
    assert_eq!((overview.with_instance, overview.by_region[0].region.as_deref(), overview.by_region[0].instances), (4, Some("us-east-1"), 4));
    assert!(overview.transitional.is_empty() && overview.last_errors.is_empty(), "{overview:?}");

    // 2. Terminate, confirmed with exactly these instances, and watch them go.
    let affected = session.affected(&all, ConfirmAction::Terminate).unwrap();
    let ids: Vec<String> = (1..=4).map(|i| node_file(&repo, &format!("drumbo{i}"))["cloud"]["instance"].as_str().unwrap().to_owned()).collect();
    assert_eq!(affected.instances.iter().map(|i| i.instance_id.clone()).collect::<Vec<_>>(), ids);
    assert!(affected.instances.iter().all(|i| i.state == Some(InstanceState::Running)));
    let started = session
        .start(OperationRequest { action: CloudAction::Terminate, scope: all.clone(), reinit: None, state: None, snapshot: None, description: None })
        .await
        .unwrap();
    let done = tokio::time::timeout(Duration::from_secs(60), session.finished(&started.id)).await.unwrap().unwrap();
    assert_eq!(done.state, OperationState::Succeeded, "{done:?}");
    assert!(done.reports.iter().all(|r| r.state == Some(InstanceState::Terminated)), "{:?}", done.reports);
    let log_now = log.lock().unwrap().clone();
    for i in 1..=4 {
        let name = format!("drumbo{i}");
        let live = session.node_live(&name).unwrap();
        let tail: Vec<_> = live.timeline.iter().rev().take(2).rev().map(|e| (e.from, e.to)).collect();
        assert_eq!(
            tail,
            [(Some(InstanceState::Running), InstanceState::ShuttingDown), (Some(InstanceState::ShuttingDown), InstanceState::Terminated)],
            "{name}"
        );
        assert_eq!(live.addresses, Default::default(), "addresses emptied");
        let seen = seen_states(&log_now, &name);
        // Shutting down with its address still shown; terminated with none.
        assert!(seen.iter().any(|(s, h)| *s == Some(InstanceState::ShuttingDown) && h.is_some()), "{name}: {seen:?}");
        assert_eq!(seen.last(), Some(&(Some(InstanceState::Terminated), None)), "{name}: {seen:?}");
        let file = node_file(&repo, &name);
        assert_eq!(file["cloud"]["instance"].as_str(), Some(ids[i - 1].as_str()), "the id stays, as in poni");
        assert_eq!((file["host"].clone(), file["private"].clone()), (json!(""), json!({"ip": null, "dns": ""})));
    }
    assert_eq!(session.fleet_overview().by_state.iter().find(|c| c.state == InstanceState::Terminated).unwrap().count, 4);

    // 3. A launch cancelled while pending: the automatic refresh follows the node until it
    //    runs, saves its addresses, and stops polling.
    let mut clone = AddNodes::new("drumbo5");
    clone.inherit = Some(Target::new("drumbo1", true).unwrap());
    clone.copy = true;
    repo.add_nodes(&clone).unwrap();
    session.sync();
    let started = session
        .start(OperationRequest {
            action: CloudAction::Launch,
            scope: Scope::Node { name: "drumbo5".into() },
            reinit: None,
            state: None,
            snapshot: None,
            description: None,
        })
        .await
        .unwrap();
    tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            if let Some(CloudNotice::Event { event: EngineEvent::Launched { .. }, .. }) = rx.recv().await {
                break;
            }
        }
    })
    .await
    .expect("drumbo5 launched");
    proxy.reset_stats();
    assert!(session.cancel(&started.id));
    let done = session.finished(&started.id).await.unwrap();
    assert_eq!(done.state, OperationState::Cancelled);
    assert_eq!(session.node_live("drumbo5").unwrap().state, Some(InstanceState::Pending));
    assert!(session.fleet_overview().refreshing, "the refresh starts by itself");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while session.fleet_overview().refreshing && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let live = session.node_live("drumbo5").unwrap();
    assert_eq!(live.state, Some(InstanceState::Running), "{live:?}");
    assert!(!session.fleet_overview().refreshing, "the refresh stopped once nothing was in transition");
    let file = node_file(&repo, "drumbo5");
    assert!(file["host"].as_str().is_some_and(|h| !h.is_empty()), "the refresh saved the addresses: {file}");
    let calls = proxy.full_stats().count("DescribeInstances");
    // Polls from 250 ms growing to 1 s during a 3 s hold, plus one update: a handful, not a flood.
    assert!((2..=12).contains(&calls), "{calls} DescribeInstances calls");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(proxy.full_stats().count("DescribeInstances"), calls, "no polling once nothing is in transition");

    session.shutdown();
    if keyring {
        assert!(credentials.delete_set("moto").await.unwrap());
        let _ = KeyringStore::with_service(&service).remove(".sets");
    }
}

/// Throttling injected into every kind of call still ends with every node right, and an
/// instance the cloud does not know is listed as missing on the dashboard.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_still_ends_right_and_a_forgotten_instance_is_listed() {
    let config = ProxyConfig { hold_pending: Duration::from_secs(1), ..ProxyConfig::default() }.with_faults(0.3, &[FaultKind::Throttle]).with_budget(10);
    let proxy = Ec2Proxy::start_shared(config);
    let dir = tempfile::tempdir().unwrap();
    let repo = Repo::init(dir.path().join("repo")).unwrap();
    seed(&repo);
    let settings = SettingsStore::at(dir.path().join("settings.json"));
    let env = EnvVars::from_pairs([("AWS_ACCESS_KEY_ID", "AKIATHROTTLE"), ("AWS_SECRET_ACCESS_KEY", "x")]);
    let credentials =
        CloudCredentials::new(settings, CredentialSets::new(Arc::new(KeyringStore::with_service("poni-desktop-unused"))), env).with_profile_paths(vec![]);
    credentials.choose(CredentialChoice::Environment).unwrap();
    credentials.set_endpoint(Some(proxy.endpoint_url().to_owned())).unwrap();
    let (sink, _log, _rx) = notices();
    let session = CloudSession::new(repo.clone(), credentials, options(), tokio::runtime::Handle::current(), sink);

    let started = session
        .start(OperationRequest { action: CloudAction::Launch, scope: Scope::All, reinit: None, state: None, snapshot: None, description: None })
        .await
        .unwrap();
    let done = tokio::time::timeout(Duration::from_secs(90), session.finished(&started.id)).await.unwrap().unwrap();
    assert_eq!((done.state, done.succeeded), (OperationState::Succeeded, 4), "{done:?}");
    assert!(proxy.faults_injected() > 0, "the proxy throttled some calls");
    let ids: Vec<String> = (1..=4).map(|i| node_file(&repo, &format!("drumbo{i}"))["cloud"]["instance"].as_str().unwrap().to_owned()).collect();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 4, "one instance per node, none launched twice: {ids:?}");
    for i in 1..=4 {
        let name = format!("drumbo{i}");
        assert_eq!(session.node_live(&name).unwrap().state, Some(InstanceState::Running), "{name}");
        assert!(node_file(&repo, &name)["host"].as_str().is_some_and(|h| !h.is_empty()), "{name}");
    }

    // drumbo4 now points at an instance the cloud never had.
    proxy.clear_faults();
    set(&repo, "drumbo4", "cloud.instance", json!("i-0000000000000dead"));
    session.sync();
    let started = session
        .start(OperationRequest { action: CloudAction::Status, scope: Scope::All, reinit: None, state: None, snapshot: None, description: None })
        .await
        .unwrap();
    let done = session.finished(&started.id).await.unwrap();
    assert_eq!((done.state, done.failed), (OperationState::Failed, 1), "{done:?}");
    let overview = session.fleet_overview();
    assert_eq!(overview.missing.len(), 1, "{overview:?}");
    assert_eq!((overview.missing[0].node.as_str(), overview.missing[0].instance_id.as_str()), ("drumbo4", "i-0000000000000dead"));
    assert_eq!(overview.last_errors[0].code, "cloud.instance_not_found");
    assert_eq!(overview.by_state.iter().find(|c| c.state == InstanceState::Running).unwrap().count, 3);
    session.shutdown();
}
