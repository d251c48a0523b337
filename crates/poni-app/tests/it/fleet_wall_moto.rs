//! The fleet wall through the app's cloud session, with real components: moto behind the
//! harness's proxy (which holds one instance impaired, as moto reports every running instance
//! ok, and makes one region fail) and the local Price List server, both named by the standard
//! endpoint variables. One account section; the failing region is its own entry beside the
//! one that answered; the alert in the core's words links to its node; the money is exact to
//! the cent; prices land in the cache file given.

use std::sync::Arc;
use std::time::Duration;

use poni_app::cloud::{CloudAction, CloudCredentials, CloudSession, CredentialChoice, OperationRequest, OperationState, Scope, SessionOptions};
use poni_app::poni_cloud::aws::{PacingLimits, ProviderOptions, RetryPolicy};
use poni_app::poni_cloud::credentials::{CredentialSets, EnvVars, KeyringStore};
use poni_app::poni_cloud::engine::fleet_status::AlertKind;
use poni_app::poni_cloud::engine::{EngineOptions, PollSchedule};
use poni_app::poni_cloud::health::CheckStatus;
use poni_app::SettingsStore;
use poni_e2e::{Ec2Proxy, FaultKind, InstanceHealth, PricingServer, ProxyConfig, TEST_AMI};
use poni_repo::{AddNodes, Repo};
use serde_json::{json, Value};

fn set(repo: &Repo, name: &str, key: &str, value: Value) {
    repo.update(name, |p| Ok(poni_repo::props::set_path(p, key, value)?.into_iter().collect())).unwrap();
}

/// Nodes `system/node` launching `instance_type` in `region`.
fn nodes(repo: &Repo, system: &str, names: &[&str], region: &str, instance_type: &str) {
    repo.add_system(system).unwrap();
    for node in names {
        let name = format!("{system}/{node}");
        repo.add_nodes(&AddNodes::new(&name)).unwrap();
        for (k, v) in [
            ("cloud.provider", "aws-ec2"),
            ("cloud.region", region),
            ("cloud.image", TEST_AMI),
            ("cloud.type", instance_type),
            ("cloud.key-pair", "kp"),
            ("user", "root"),
        ] {
            set(repo, &name, k, json!(v));
        }
    }
}

fn instance_of(repo: &Repo, name: &str) -> String {
    let file: Value = serde_json::from_str(&std::fs::read_to_string(repo.file_of(name, poni_repo::Kind::Node)).unwrap()).unwrap();
    file["cloud"]["instance"].as_str().unwrap().to_owned()
}

fn options() -> SessionOptions {
    let quick = PollSchedule { first: Duration::from_millis(250), max: Duration::from_secs(1), factor: 1.5 };
    SessionOptions {
        provider: ProviderOptions {
            pacing: PacingLimits::unpaced(),
            retry: RetryPolicy { min_delay: Duration::from_millis(20), max_delay: Duration::from_millis(200), ..RetryPolicy::default() },
            ..ProviderOptions::default()
        },
        engine: EngineOptions { poll: quick, ssh_dir: None, ..EngineOptions::default() },
        refresh: quick,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_section_with_a_failing_region_beside_the_answering_one() {
    let proxy = Ec2Proxy::start_shared(ProxyConfig::default());
    let prices = PricingServer::start();
    let dir = tempfile::tempdir().unwrap();
    let repo = Repo::init(dir.path().join("repo")).unwrap();
    nodes(&repo, "web", &["a", "b"], "us-east-1", "t3.micro");
    nodes(&repo, "eu", &["x"], "eu-west-1", "t3.small");
    let settings = SettingsStore::at(dir.path().join("config/settings.json"));
    // The endpoints as the standard variables name them: EC2 (and STS, CloudWatch) at the
    // proxy, the Price List at the local server.
    let env = EnvVars::from_pairs([
        ("AWS_ACCESS_KEY_ID", "AKIAWALLTEST"),
        ("AWS_SECRET_ACCESS_KEY", "x"),
        ("AWS_ENDPOINT_URL", proxy.endpoint_url()),
        ("AWS_ENDPOINT_URL_PRICING", prices.endpoint_url()),
    ]);
    let credentials =
        CloudCredentials::new(settings, CredentialSets::new(Arc::new(KeyringStore::with_service("poni-desktop-unused"))), env).with_profile_paths(vec![]);
    credentials.choose(CredentialChoice::Environment).unwrap();
    let session = CloudSession::new(repo.clone(), credentials, options(), tokio::runtime::Handle::current(), poni_app::cloud::session::no_notices());

    let started = session
        .start(OperationRequest { action: CloudAction::Launch, scope: Scope::All, reinit: None, state: None, snapshot: None, description: None })
        .await
        .unwrap();
    let done = tokio::time::timeout(Duration::from_secs(90), session.finished(&started.id)).await.unwrap().unwrap();
    assert_eq!(done.state, OperationState::Succeeded, "{done:?}");
    let (a, b) = (instance_of(&repo, "web/a"), instance_of(&repo, "web/b"));
    proxy.set_instance_health(&a, &InstanceHealth::system_impaired());
    proxy.configure(&ProxyConfig::default().with_faults(1.0, &[FaultKind::OptInRequired]).in_regions(&["eu-west-1"]));

    let cache = dir.path().join("cache/prices.json");
    let wall = session.fleet_wall(false, Some(cache.clone())).await.unwrap();
    assert!(!wall.all_regions);
    assert_eq!(wall.accounts.len(), 1, "one section: the credentials in use");
    let section = &wall.accounts[0];
    assert!(section.error.is_none(), "{:?}", section.error);
    assert!(section.account_id.is_some());
    assert_eq!(section.label, "the environment's AWS keys");

    // Each region in its place: Ireland says why, Virginia shows its rows.
    let regions: Vec<(&str, Option<&str>)> = section.regions.iter().map(|r| (r.region.as_str(), r.error.as_ref().map(|e| e.code.as_str()))).collect();
    assert_eq!(regions, [("eu-west-1", Some("cloud.opt_in_required")), ("us-east-1", None)]);
    let mut ids: Vec<&str> = section.rows.iter().map(|r| r.instance.id.as_str()).collect();
    ids.sort();
    let mut want = vec![a.as_str(), b.as_str()];
    want.sort();
    assert_eq!(ids, want);

    // The impaired one: its checks, its price to the cent; the other is fine.
    let sick = section.rows.iter().find(|r| r.instance.id == a).unwrap();
    assert!(sick.impaired);
    assert_eq!((sick.system_check, sick.instance_check), (Some(CheckStatus::Impaired), Some(CheckStatus::Ok)));
    assert_eq!((sick.instance.node.as_deref(), sick.system.as_deref()), (Some("web/a"), Some("web")));
    assert_eq!((sick.hourly_text.as_str(), sick.monthly_text.as_str()), ("$0.0104", "$7.59"));
    assert!(!section.rows.iter().find(|r| r.instance.id == b).unwrap().impaired);

    // Its alert, in the core's words, with what to do and its node to select.
    let alert = section.alerts.iter().find(|x| x.kind == AlertKind::Impaired).expect("an impaired alert");
    assert_eq!((alert.instance_id.as_str(), alert.node.as_deref(), alert.region.as_str()), (a.as_str(), Some("web/a"), "us-east-1"));
    assert!(alert.text.contains("fails its status checks"), "{}", alert.text);
    assert!(alert.advice.starts_with("Stop and start it"), "{}", alert.advice);

    // The month of system web: two t3.micro at $0.0104 for 730 hours.
    let web = section.totals.by_system.iter().find(|l| l.name == "web").expect("a line for web");
    assert_eq!((web.monthly.0, web.monthly_text.as_str(), web.unknown_price), (15_184_000_000, "$15.18", 0));
    assert_eq!(section.totals.account.monthly_text, "$15.18", "Ireland could not be read: nothing of it is summed");
    assert!(section.prices_as_of.is_some());
    assert!(cache.is_file(), "the prices are kept in the cache file given");
    session.shutdown();
}
