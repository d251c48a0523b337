//! A grouped launch survives a kill at every step. `poni cloud init` is aborted (as a kill
//! leaves it: no cleanup) at each of the engine's crash points, then run again: every node
//! ends with exactly one instance, named after it, and the second run launches nothing that
//! the first one had already started. The proxy in front of moto answers RunInstances as EC2
//! does (ClientToken, count) and enforces EC2's throttling buckets.

use std::collections::BTreeSet;
use std::path::Path;

use poni_e2e::{Ec2Client, Ec2Proxy, Poni, ProxyConfig, TEST_AMI};
use serde_json::Value;

fn instance_of(root: &Path, node: &str) -> Option<String> {
    let text = std::fs::read_to_string(root.join("system").join(node).join("node.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    v["cloud"]["instance"].as_str().filter(|s| !s.is_empty()).map(str::to_owned)
}

fn fleet(poni: &Poni) {
    poni.ok(&["init"]);
    poni.ok(&["add-node", "web{id}", "-n", "1..3"]);
    poni.ok(&["set", "web", "cloud.provider=aws-ec2", "cloud.region=us-east-1", &format!("cloud.image={TEST_AMI}"), "cloud.key-pair=kp", "user=root"]);
}

/// `Name` tag values of the account's instances, by instance id.
fn names(ec2: &Ec2Client) -> Vec<(String, String)> {
    let body = ec2.call_ok("DescribeTags", &[("Filter.1.Name", "key"), ("Filter.1.Value.1", "Name")]).body;
    let mut out = Vec::new();
    for item in body.split("<item>").skip(1) {
        let field = |tag: &str| item.split(&format!("<{tag}>")).nth(1).and_then(|s| s.split(&format!("</{tag}>")).next()).unwrap_or_default().to_owned();
        out.push((field("resourceId"), field("value")));
    }
    out.sort();
    out
}

#[test]
fn a_kill_at_any_step_of_a_grouped_launch_is_finished_by_the_next_init_without_a_duplicate() {
    for point in ["launch.recorded", "launch.answered", "launch.saved", "launch.tagged"] {
        let proxy = Ec2Proxy::start_shared(ProxyConfig::default().with_published_buckets());
        let ec2 = Ec2Client::new(proxy.endpoint_url());
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        let poni = Poni::new(&root, proxy.endpoint_url());
        fleet(&poni);

        let crashed: poni_e2e::PoniOutput = poni.command(&["cloud", "init", "web"]).env("PONI_TEST_CRASH_AT", point).output().unwrap().into();
        assert!(!crashed.success && crashed.code.is_none(), "{point}: poni should have been aborted: {crashed:?}");
        let launched_first = proxy.full_stats().count("RunInstances");
        assert_eq!(launched_first, u64::from(point != "launch.recorded"), "{point}");
        let records = root.join(".poni-desktop-launches");
        assert_eq!(std::fs::read_dir(&records).map(|d| d.count()).unwrap_or(0), 1, "{point}: the launch record is left");

        let out = poni.ok(&["cloud", "init", "web"]);
        let stats = proxy.full_stats();
        assert_eq!(stats.count("RunInstances"), 1, "{point}: one launch in all\n{}", out.stderr);
        assert_eq!(stats.throttled, 0, "{point}: the client keeps inside EC2's buckets");
        let ids: Vec<String> =
            ["web1", "web2", "web3"].iter().map(|n| instance_of(&root, n).unwrap_or_else(|| panic!("{point}: {n} has no instance\n{}", out.stderr))).collect();
        assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), 3, "{point}: three different instances: {ids:?}");
        let live = ec2.describe_instances(&[("instance-state-name", &["pending", "running"])]);
        assert_eq!(live.len(), 3, "{point}: exactly three instances exist, no duplicate");
        let mut expected: Vec<(String, String)> = ids.iter().cloned().zip(["web1", "web2", "web3"].map(String::from)).collect();
        expected.sort();
        assert_eq!(names(&ec2), expected, "{point}: each instance is named after its node");
        if point == "launch.answered" {
            assert!(out.stderr.contains("(found the instance an interrupted init had launched)"), "{point}: {}", out.stderr);
        }
        assert_eq!(std::fs::read_dir(&records).map(|d| d.count()).unwrap_or(0), 0, "{point}: the record is gone once done");
    }
}

#[test]
fn a_batch_without_capacity_goes_out_in_halves_and_exit_codes_tell_input_from_failure() {
    let proxy = Ec2Proxy::start_shared(ProxyConfig::default().with_published_buckets());
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    let poni = Poni::new(&root, proxy.endpoint_url());
    fleet(&poni);
    // EC2 has room for two instances per call: the batch of three fails as a whole, then goes
    // out in halves (one node, then two).
    proxy.configure_json(serde_json::json!({"run_capacity": 2}));
    let out = poni.ok(&["cloud", "init", "web"]);
    assert_eq!(proxy.full_stats().count("RunInstances"), 3, "{}", out.stderr);
    assert!(["web1", "web2", "web3"].iter().all(|n| instance_of(&root, n).is_some()), "{}", out.stderr);

    // No capacity at all: the nodes are reported by name and the exit status is 1.
    poni.ok(&["add-node", "web4"]);
    poni.ok(&["set", "-M", "web4", "cloud.provider=aws-ec2", "cloud.region=us-east-1", &format!("cloud.image={TEST_AMI}"), "cloud.key-pair=kp", "user=root"]);
    proxy.configure_json(serde_json::json!({"run_capacity": 0}));
    let out = poni.run(&["cloud", "init", "web4"]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(out.stderr.contains("web4: ") && out.stderr.contains("capacity"), "{}", out.stderr);

    // Bad input is 2: an invalid pattern, no match, invalid properties.
    assert_eq!(poni.run(&["cloud", "init", "web("]).code, Some(2));
    assert_eq!(poni.run(&["cloud", "terminate", "nothing-like-this"]).code, Some(2));
    poni.ok(&["add-node", "bare"]);
    assert_eq!(poni.run(&["cloud", "init", "bare"]).code, Some(2));
    assert_eq!(poni.run(&["cloud", "no-such-command"]).code, Some(2));
}

#[test]
fn a_batch_size_of_one_launches_node_by_node() {
    let proxy = Ec2Proxy::start_shared(ProxyConfig::default().with_published_buckets());
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    let poni = Poni::new(&root, proxy.endpoint_url());
    fleet(&poni);
    let out = poni.ok(&["cloud", "init", "web", "--dry-run", "--batch-size", "1"]);
    assert!(out.stderr.contains("3 to launch in 3 RunInstances calls"), "{}", out.stderr);
    poni.ok(&["cloud", "init", "web", "--batch-size", "1"]);
    let stats = proxy.full_stats();
    assert_eq!((stats.count("RunInstances"), stats.count("CreateTags")), (3, 0), "a batch of one is named at launch");
    assert_eq!(poni.run(&["cloud", "init", "web", "--batch-size", "0"]).code, Some(2));
}
