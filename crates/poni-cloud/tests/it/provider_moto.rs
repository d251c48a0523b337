//! The EC2 provider against moto (a real EC2-compatible server) behind the harness's proxy,
//! which adds faults: throttling and lost answers. Each test has its own moto account.

use std::collections::BTreeMap;
use std::time::Duration;

use poni_cloud::aws::{BatchLaunch, CloudErrorKind, Ec2Provider, InstanceState, ProviderOptions, TAG_BATCH, TAG_NODE, TAG_PONI_STATE, TAG_REPO};
use poni_cloud::spec::LaunchSpec;
use poni_e2e::{Ec2Proxy, FaultKind, ProxyConfig, TEST_AMI};
use serde_json::json;

const REGION: &str = "us-east-1";
const REPO: &str = "repo-under-test";

async fn provider(proxy: &Ec2Proxy) -> Ec2Provider {
    let timeouts = |o| ProviderOptions { connect_timeout: Duration::from_secs(5), attempt_timeout: Duration::from_secs(20), ..o };
    crate::moto_provider::provider(proxy, timeouts).await
}

fn spec(node: &str) -> LaunchSpec {
    let cloud = json!({"provider": "aws-ec2", "region": REGION, "image": TEST_AMI, "key-pair": "kp",
                       "extra_tags": {"team": "web"}});
    LaunchSpec::from_node(node, cloud.as_object().unwrap(), Some(&json!("root"))).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn launch_find_describe_tag_stop_start_terminate() {
    let proxy = Ec2Proxy::start_shared(ProxyConfig::default());
    let ec2 = provider(&proxy).await;
    let web = spec("web/http1");
    let db = spec("db/pg1");

    let launched = ec2.launch_batch(&BatchLaunch { specs: &[&web], repo_id: REPO, batch_tag: "poni-b1" }).await.unwrap().remove(0);
    assert!(launched.id.starts_with("i-"), "{launched:?}");
    assert_eq!(launched.tags.get("Name").map(String::as_str), Some("web/http1"));
    assert_eq!(launched.tags.get(TAG_PONI_STATE).map(String::as_str), Some("uninitialized"));
    assert_eq!(launched.tags.get(TAG_REPO).map(String::as_str), Some(REPO));
    assert_eq!(launched.tags.get(TAG_NODE).map(String::as_str), Some("web/http1"));
    assert_eq!(launched.tags.get("team").map(String::as_str), Some("web"));
    assert_eq!(launched.tags.get(TAG_BATCH).map(String::as_str), Some("poni-b1"), "a batch of one has every tag at launch");
    let other = ec2.launch_batch(&BatchLaunch { specs: &[&db], repo_id: REPO, batch_tag: "poni-b2" }).await.unwrap().remove(0);

    // Crash recovery: the node's live instance is found by its tags.
    let found = ec2.find_node_instances(REGION, REPO, "web/http1").await.unwrap();
    assert_eq!(found.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(), [launched.id.as_str()]);
    assert!(ec2.find_node_instances(REGION, "another-repo", "web/http1").await.unwrap().is_empty());

    // One filtered call for the repository; unknown ids through the instance-id filter are no error.
    proxy.reset_stats();
    let all = ec2.describe_repository(REGION, REPO, &["i-0123456789abcdef0".to_owned(), launched.id.clone()]).await.unwrap();
    let mut ids: Vec<&str> = all.iter().map(|i| i.id.as_str()).collect();
    ids.sort();
    let mut expected = vec![launched.id.as_str(), other.id.as_str()];
    expected.sort();
    assert_eq!(ids, expected);
    assert!(all.iter().all(|i| i.state == InstanceState::Running && i.private_ip.is_some()), "{all:?}");
    assert_eq!(proxy.full_stats().count("DescribeInstances"), 2);

    ec2.set_tags(REGION, std::slice::from_ref(&launched.id), &BTreeMap::from([(TAG_PONI_STATE.to_owned(), "initialized".to_owned())])).await.unwrap();
    let found = ec2.find_node_instances(REGION, REPO, "web/http1").await.unwrap();
    assert_eq!(found[0].tags.get(TAG_PONI_STATE).map(String::as_str), Some("initialized"));

    let stopped = ec2.stop(REGION, std::slice::from_ref(&launched.id)).await.unwrap();
    assert_eq!(stopped[0].previous, InstanceState::Running);
    let started = ec2.start(REGION, std::slice::from_ref(&launched.id)).await.unwrap();
    assert_eq!(started[0].id, launched.id);

    let ids = vec![launched.id.clone(), other.id.clone(), launched.id.clone()];
    let terminated = ec2.terminate(REGION, &ids).await.unwrap();
    assert_eq!(terminated.len(), 2);
    assert!(terminated.iter().all(|c| matches!(c.current, InstanceState::ShuttingDown | InstanceState::Terminated)));
    assert!(ec2.find_node_instances(REGION, REPO, "web/http1").await.unwrap().is_empty());

    let err = ec2.terminate(REGION, &["i-0123456789abcdef0".to_owned()]).await.unwrap_err();
    assert_eq!(err.kind, CloudErrorKind::InstanceNotFound, "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_launch_answer_does_not_launch_a_second_instance() {
    let config = ProxyConfig::default().with_faults(1.0, &[FaultKind::DropAfter]).on_actions(&["RunInstances"]).with_budget(1);
    let proxy = Ec2Proxy::start_shared(config);
    let ec2 = provider(&proxy).await;
    let node = spec("web/http1");
    let launched = ec2.launch_batch(&BatchLaunch { specs: &[&node], repo_id: REPO, batch_tag: "poni-b3" }).await.unwrap().remove(0);
    let all = ec2.describe_repository(REGION, REPO, &[]).await.unwrap();
    assert_eq!(all.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(), [launched.id.as_str()]);
    let stats = proxy.full_stats();
    assert_eq!(stats.faults, 1, "the proxy dropped the launch's answer");
    assert_eq!(stats.count("RunInstances"), 1, "the launch was sent once, then found by its tags");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_is_one_call_with_launch_indexes_and_shared_tags_only() {
    let proxy = Ec2Proxy::start_shared(ProxyConfig::default());
    let ec2 = provider(&proxy).await;
    let specs: Vec<LaunchSpec> = ["web/a", "web/b", "web/c"].iter().map(|n| spec(n)).collect();
    let refs: Vec<&LaunchSpec> = specs.iter().collect();
    let launched = ec2.launch_batch(&BatchLaunch { specs: &refs, repo_id: REPO, batch_tag: "poni-b4" }).await.unwrap();
    assert_eq!(proxy.full_stats().count("RunInstances"), 1);
    let mut indexes: Vec<u32> = launched.iter().map(|i| i.launch_index.expect("EC2 gives each a launch index")).collect();
    indexes.sort();
    assert_eq!(indexes, [0, 1, 2]);
    for i in &launched {
        assert_eq!(i.tags.get(TAG_BATCH).map(String::as_str), Some("poni-b4"));
        assert_eq!(i.tags.get("team").map(String::as_str), Some("web"), "extra tags all share go out at launch");
        assert!(!i.tags.contains_key(TAG_NODE) && !i.tags.contains_key("Name"), "names follow per node: {:?}", i.tags);
    }
    let found = ec2.find_batch_instances(REGION, REPO, "poni-b4").await.unwrap();
    assert_eq!(found.len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_and_server_errors_are_retried() {
    let config = ProxyConfig::default()
        .with_faults(1.0, &[FaultKind::Throttle, FaultKind::Http500, FaultKind::Http503])
        .on_actions(&["DescribeInstances"])
        .with_budget(3);
    let proxy = Ec2Proxy::start_shared(config);
    let ec2 = provider(&proxy).await;
    assert!(ec2.describe_repository(REGION, REPO, &[]).await.unwrap().is_empty());
    let stats = proxy.full_stats();
    assert_eq!((stats.faults, stats.count("DescribeInstances")), (3, 4));
}
