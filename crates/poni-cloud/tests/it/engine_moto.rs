//! The engine as the desktop app drives it: events to a sink, cancellation, properties set on a
//! system, against moto behind the harness's proxy (each test its own account).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use poni_cloud::aws::InstanceState;
use poni_cloud::engine::{Engine, EngineEvent, EngineOptions, EventSink, InitOptions, Outcome, PollSchedule};
use poni_cloud::plan::Selection;
use poni_e2e::{Ec2Proxy, InstanceHealth, ProxyConfig, TEST_AMI};
use poni_repo::{AddNodes, Assignment, Repo, Target};
use tokio_util::sync::CancellationToken;

/// `cancel_on_progress`: cancelled (and the time noted) at the first progress report of a wait.
async fn engine(
    proxy: &Ec2Proxy,
    repo: Repo,
    cancel_on_progress: Option<(CancellationToken, Arc<Mutex<Option<Instant>>>)>,
) -> (Engine, Arc<Mutex<Vec<EngineEvent>>>) {
    let provider = crate::moto_provider::provider(proxy, |o| o).await;
    let events = Arc::new(Mutex::new(Vec::new()));
    let seen = events.clone();
    let sink: EventSink = Arc::new(move |e| {
        if let (EngineEvent::WaitProgress { .. }, Some((token, at))) = (&e, &cancel_on_progress) {
            at.lock().unwrap().get_or_insert_with(Instant::now);
            token.cancel();
        }
        seen.lock().unwrap().push(e)
    });
    let poll = PollSchedule { first: Duration::from_millis(200), max: Duration::from_millis(500), factor: 1.5 };
    (Engine::new(repo, provider, sink, EngineOptions { poll, ssh_dir: None, launch_concurrency: 4, ..EngineOptions::default() }), events)
}

/// Three nodes under a system that sets their cloud properties.
fn repository(dir: &std::path::Path) -> Repo {
    let repo = Repo::init(dir.join("repo")).unwrap();
    repo.add_nodes(&AddNodes { ids: 1..=3, ..AddNodes::new("web/n{id}") }).unwrap();
    let props: Vec<Assignment> = ["cloud.provider=aws-ec2", "cloud.region=us-east-1", &format!("cloud.image={TEST_AMI}"), "cloud.key-pair=kp", "user=root"]
        .iter()
        .map(|a| Assignment::parse(a).unwrap())
        .collect();
    repo.set(&Target::new("web", true).unwrap(), &props).unwrap();
    repo
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_a_wait_returns_at_once_with_the_launched_ids_saved() {
    let proxy = Ec2Proxy::start_shared(ProxyConfig::default().with_holds(Duration::from_secs(60)));
    let dir = tempfile::tempdir().unwrap();
    let cancel = CancellationToken::new();
    let cancelled_at = Arc::new(Mutex::new(None));
    let (engine, events) = engine(&proxy, repository(dir.path()), Some((cancel.clone(), cancelled_at.clone()))).await;
    let report = engine.init(&Selection::from(Target::new("web/", false).unwrap()), InitOptions { wait: true, reinit: false }, &cancel).await.unwrap();
    let after_cancel = cancelled_at.lock().unwrap().expect("the wait reported progress").elapsed();
    assert!(after_cancel < Duration::from_secs(1), "returned {after_cancel:?} after the cancel (pending is held 60 s)");
    assert!(report.cancelled);
    assert_eq!(report.count(Outcome::Cancelled), 3, "{report:?}");
    let tree = engine.repo().tree().unwrap();
    for node in ["web/n1", "web/n2", "web/n3"] {
        let props = &tree.get(node).unwrap().props;
        let id = poni_repo::props::get_path(props, "cloud.instance").and_then(|v| v.as_str()).unwrap_or_else(|| panic!("{node}: {props:?} {report:?}"));
        assert_eq!(report.node(node).unwrap().instance_id.as_deref(), Some(id));
    }
    let events = events.lock().unwrap();
    assert!(matches!(events[0], EngineEvent::OperationStarted { nodes: 3, .. }), "{:?}", events[0]);
    assert_eq!(events.iter().filter(|e| matches!(e, EngineEvent::Launched { reused: false, .. })).count(), 3);
    assert!(events.iter().any(|e| matches!(e, EngineEvent::WaitProgress { ready: 0, total: 3, .. })));
    assert!(matches!(events.last(), Some(EngineEvent::OperationFinished { cancelled: true, .. })), "{:?}", events.last());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_changes_are_events_with_times_and_a_wait_times_out_per_node() {
    let proxy = Ec2Proxy::start_shared(ProxyConfig::default().with_holds(Duration::from_millis(600)));
    let dir = tempfile::tempdir().unwrap();
    let repo = repository(dir.path());
    // n3 allows itself one second, and is stopped (so never running) before the wait.
    repo.set(&Target::new("web/n3", true).unwrap(), &[Assignment::parse("cloud.init_timeout:int=1").unwrap()]).unwrap();
    let (engine, events) = engine(&proxy, repo, None).await;
    let cancel = CancellationToken::new();
    let all = Selection::System { name: "web".into() };
    engine.init(&all, InitOptions::default(), &cancel).await.unwrap();
    proxy.configure_json(serde_json::json!({"hold_stopping": 30.0}));
    let n3 = Selection::Node { name: "web/n3".into() };
    tokio::time::sleep(Duration::from_millis(700)).await;
    engine.stop(&n3, &cancel).await.unwrap();
    events.lock().unwrap().clear();

    let report = engine.wait(&all, &InstanceState::Running, &cancel).await.unwrap();
    assert_eq!(report.node("web/n1").unwrap().outcome, Outcome::Ready);
    let n3_report = report.node("web/n3").unwrap();
    assert!(matches!(n3_report.outcome, Outcome::TimedOut | Outcome::Failed), "{n3_report:?}");
    let code = &n3_report.error.as_ref().unwrap().code;
    assert!(code == "cloud.wait_timeout" || code == "cloud.instance_state", "{code}");
    let events = events.lock().unwrap();
    let first_seen: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            EngineEvent::StateChanged { node, from: None, to, at, .. } => Some((node.clone(), *to, at.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(first_seen.len(), 3, "{events:?}");
    assert!(first_seen.iter().all(|(_, _, at)| at.ends_with('Z') && at.contains('T')), "{first_seen:?}");
    assert!(events.iter().any(|e| matches!(e, EngineEvent::NodeFailed { node, .. } if node == "web/n3")));
    assert!(events.iter().any(|e| matches!(e, EngineEvent::PropertiesUpdated { node, .. } if node == "web/n1")));
}

/// A FIFO left where launch records are kept is named in a warning, never opened: init goes
/// on and launches the nodes (a FIFO opened for reading would block it for ever).
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fifo_among_the_launch_records_is_named_and_init_goes_on() {
    let proxy = Ec2Proxy::start_shared(ProxyConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let repo = repository(dir.path());
    let records = repo.root().join(poni_cloud::engine::LAUNCHES_DIR);
    std::fs::create_dir(&records).unwrap();
    let fifo = records.join("r-stale.json");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let (engine, events) = engine(&proxy, repo, None).await;
    let all = Selection::System { name: "web".into() };
    let cancel = CancellationToken::new();
    let init = engine.init(&all, InitOptions::default(), &cancel);
    let report = tokio::time::timeout(Duration::from_secs(60), init).await.expect("init hung on the FIFO").unwrap();
    assert_eq!(report.count(Outcome::Launched), 3, "{report:?}");
    let events = events.lock().unwrap();
    let warning = events
        .iter()
        .find_map(|e| match e {
            EngineEvent::Warning { code, message, .. } if *code == "cloud.launch_record" => Some(message.clone()),
            _ => None,
        })
        .expect("a warning about the FIFO");
    assert!(warning.starts_with(&format!("{}: is a FIFO (named pipe)", fifo.display())), "{warning}");
}

/// A link planted as the launch records' folder stops init before anything is launched, and
/// nothing is written where it leads.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_as_the_launch_records_folder_stops_init_before_any_launch() {
    let proxy = Ec2Proxy::start_shared(ProxyConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let repo = repository(dir.path());
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    let records = repo.root().join(poni_cloud::engine::LAUNCHES_DIR);
    std::os::unix::fs::symlink(&elsewhere, &records).unwrap();
    let (engine, _events) = engine(&proxy, repo, None).await;
    let all = Selection::System { name: "web".into() };
    let err = engine.init(&all, InitOptions::default(), &CancellationToken::new()).await.unwrap_err().to_string();
    assert!(err.starts_with(&format!("{}: is a symbolic link", records.display())), "{err}");
    assert!(err.contains("Remove the link"), "{err}");
    assert_eq!(proxy.full_stats().count("RunInstances"), 0);
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0, "nothing written through the link");
}

/// Termination protection end to end: a node whose cloud.disable_api_termination is true is
/// refused before EC2 is asked; an instance protected outside Poni is refused by EC2
/// (OperationNotPermitted), and only it fails, not the other instance of the same call; once
/// lifted, both terminate.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_protected_node_is_refused_until_its_protection_is_lifted() {
    let proxy = Ec2Proxy::start_shared(ProxyConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let repo = repository(dir.path());
    repo.set(&Target::new("web/n1", true).unwrap(), &[Assignment::parse("cloud.disable_api_termination:bool=true").unwrap()]).unwrap();
    let (engine, _events) = engine(&proxy, repo, None).await;
    let cancel = CancellationToken::new();
    let all = Selection::System { name: "web".into() };
    engine.init(&all, InitOptions::default(), &cancel).await.unwrap();
    let tree = engine.repo().tree().unwrap();
    let id = |node: &str| poni_repo::props::get_path(&tree.get(node).unwrap().props, "cloud.instance").and_then(|v| v.as_str()).unwrap().to_owned();
    let ec2 = crate::moto_provider::provider(&proxy, |o| o).await;
    ec2.set_termination_protection("us-east-1", &id("web/n2"), true).await.unwrap();

    let report = engine.terminate(&all, &cancel).await.unwrap();
    let error = |node: &str| report.node(node).unwrap().error.clone().unwrap_or_else(|| panic!("{node}: {report:?}"));
    assert_eq!(error("web/n1").code, "cloud.termination_protected");
    assert!(error("web/n1").message.contains("cloud.disable_api_termination is true"), "{}", error("web/n1").message);
    assert_eq!(error("web/n2").code, "cloud.termination_protected");
    assert!(error("web/n2").message.contains("turned on in EC2"), "{}", error("web/n2").message);
    assert_eq!(report.node("web/n3").unwrap().outcome, Outcome::Requested, "{report:?}");

    for (node, property_changed) in [("web/n1", true), ("web/n2", false)] {
        let lifted = engine.lift_termination_protection(node).await.unwrap();
        assert_eq!((lifted.instance_id, lifted.property_changed), (id(node), property_changed));
    }
    let n1 = engine.repo().tree().unwrap().get("web/n1").unwrap().props.clone();
    assert_eq!(poni_repo::props::get_path(&n1, "cloud.disable_api_termination"), Some(&serde_json::json!(false)));
    let report = engine.terminate(&Selection::names(&["web/n1", "web/n2"]), &cancel).await.unwrap();
    assert_eq!(report.count(Outcome::Requested), 2, "{report:?}");
}

/// A wait for `running` waits for both status checks where `cloud.check_health` is not false:
/// each node's checks are events as they change, a node whose checks do not pass within
/// `cloud.init_timeout` fails with a code that says whether one failed, and its addresses are
/// not saved; a node whose checks pass is ready.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wait_for_running_waits_for_the_status_checks() {
    use poni_cloud::health::CheckStatus;

    let proxy = Ec2Proxy::start_shared(ProxyConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let repo = repository(dir.path());
    repo.set(&Target::new("web", true).unwrap(), &[Assignment::parse("cloud.init_timeout:int=2").unwrap()]).unwrap();
    let (engine, events) = engine(&proxy, repo, None).await;
    let cancel = CancellationToken::new();
    let all = Selection::System { name: "web".into() };
    engine.init(&all, InitOptions::default(), &cancel).await.unwrap();
    let tree = engine.repo().tree().unwrap();
    let id = |node: &str| poni_repo::props::get_path(&tree.get(node).unwrap().props, "cloud.instance").and_then(|v| v.as_str()).unwrap().to_owned();
    proxy.set_instance_health(&id("web/n1"), &InstanceHealth::checks("ok", "initializing"));
    proxy.set_instance_health(&id("web/n2"), &InstanceHealth::checks("impaired", "ok"));
    events.lock().unwrap().clear();

    let report = engine.wait(&all, &InstanceState::Running, &cancel).await.unwrap();
    let code = |node: &str| report.node(node).unwrap().error.as_ref().unwrap_or_else(|| panic!("{node}: {report:?}")).code;
    assert_eq!(code("web/n1"), "cloud.status_checks_timeout");
    assert_eq!(code("web/n2"), "cloud.status_checks_impaired");
    assert_eq!(report.node("web/n1").unwrap().outcome, Outcome::TimedOut);
    assert_eq!(report.node("web/n3").unwrap().outcome, Outcome::Ready, "moto's own checks pass");
    let events = events.lock().unwrap();
    let checks: Vec<(String, CheckStatus, CheckStatus)> = events
        .iter()
        .filter_map(|e| match e {
            EngineEvent::ChecksChanged { node, health, .. } => Some((node.clone(), health.system, health.instance)),
            _ => None,
        })
        .collect();
    assert!(checks.contains(&("web/n1".into(), CheckStatus::Ok, CheckStatus::Initializing)), "{checks:?}");
    assert!(checks.contains(&("web/n3".into(), CheckStatus::Ok, CheckStatus::Ok)), "{checks:?}");
    assert_eq!(checks.iter().filter(|c| c.0 == "web/n1").count(), 1, "one event per change: {checks:?}");
    assert!(events.iter().any(|e| matches!(e, EngineEvent::PropertiesUpdated { node, .. } if node == "web/n3")));
    assert!(!events.iter().any(|e| matches!(e, EngineEvent::PropertiesUpdated { node, .. } if node == "web/n1")), "no addresses before the checks pass");
    // One call per poll for the region's waiting instances, repeated until the timeout.
    let stats = proxy.full_stats();
    assert!(stats.count("DescribeInstanceStatus") >= 2, "{stats:?}");
    assert!(stats.count("DescribeInstanceStatus") <= stats.count("DescribeInstances"), "never more than one per poll: {stats:?}");
}
