//! `poni cloud init --wait` and `poni cloud wait` wait for EC2's two status checks, as poni 0.8
//! did: the proxy holds an instance's checks at `initializing` (moto reports every running
//! instance `ok` at once), the command keeps waiting and saves no address, then returns once
//! they turn `ok`; `cloud.check_health=false` does not wait for them; `cloud.init_timeout`
//! reached gives the typed error, naming the node and its checks, and exit status 1.

use std::fs;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use poni_e2e::{Ec2Proxy, InstanceHealth, Poni, ProxyConfig, TEST_AMI};
use serde_json::Value;

fn node(root: &Path, name: &str) -> Value {
    let path = root.join("system").join(name).join("node.json");
    serde_json::from_str(&fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))).unwrap()
}

fn instance_of(root: &Path, name: &str) -> Option<String> {
    node(root, name)["cloud"]["instance"].as_str().map(str::to_owned)
}

fn host_of(root: &Path, name: &str) -> String {
    node(root, name)["host"].as_str().unwrap_or_default().to_owned()
}

/// One node, web1, ready to launch (moto's AMI); `extra` properties set on it too.
fn repository(poni: &Poni, extra: &[&str]) {
    poni.ok(&["init"]);
    poni.ok(&["add-node", "web1"]);
    let mut set = vec!["set", "web1", "cloud.provider=aws-ec2", "cloud.region=us-east-1", "cloud.key-pair=kp", "user=root"];
    let image = format!("cloud.image={TEST_AMI}");
    set.push(&image);
    set.extend_from_slice(extra);
    poni.ok(&set);
}

#[test]
fn init_wait_blocks_while_the_checks_initialize_and_saves_addresses_once_they_pass() {
    // Pending is held long enough for the test to hold the new instance's checks first.
    let proxy = Ec2Proxy::start_shared(ProxyConfig::default().with_holds(Duration::from_secs(3)));
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    let poni = Poni::new(&root, proxy.endpoint_url());
    repository(&poni, &[]);

    let child = poni.command(&["cloud", "init", "web1", "--wait"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let id = loop {
        if let Some(id) = instance_of(&root, "web1") {
            break id;
        }
        assert!(Instant::now() < deadline, "poni never saved the instance id");
        std::thread::sleep(Duration::from_millis(50));
    };
    proxy.set_instance_health(&id, &InstanceHealth::checks("ok", "initializing"));

    // Pending ends after 3 s; the checks are held well past that.
    std::thread::sleep(Duration::from_secs(6));
    let mut child = child;
    assert!(child.try_wait().unwrap().is_none(), "init --wait returned while the instance check was initializing");
    assert_eq!(host_of(&root, "web1"), "", "no address is saved before the checks pass");
    assert!(proxy.full_stats().count("DescribeInstanceStatus") >= 1);

    proxy.set_instance_health(&id, &InstanceHealth::checks("ok", "ok"));
    let deadline = Instant::now() + Duration::from_secs(40);
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "init --wait did not return after the checks passed");
        std::thread::sleep(Duration::from_millis(100));
    }
    let out: poni_e2e::PoniOutput = child.wait_with_output().unwrap().into();
    assert!(out.success, "{}", out.stderr);
    let err = &out.stderr;
    let initializing = format!("aws-ec2 INFO    web1 {id} checks: system ok, instance initializing\n");
    let passed = format!("aws-ec2 INFO    web1 {id} checks: system ok, instance ok\n");
    let at = |needle: &str| err.find(needle).unwrap_or_else(|| panic!("no {needle:?} in\n{err}"));
    assert!(at(&initializing) < at(&passed), "{err}");
    assert_eq!(err.matches(&initializing).count(), 1, "one line per change: {err}");
    assert!(at(&passed) < at("web1: updated: host="), "addresses are saved after the checks pass: {err}");
    assert!(!host_of(&root, "web1").is_empty());
}

#[test]
fn check_health_false_waits_for_running_only() {
    let proxy = Ec2Proxy::start_shared(ProxyConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    let poni = Poni::new(&root, proxy.endpoint_url());
    repository(&poni, &["cloud.check_health=false"]);
    poni.ok(&["cloud", "init", "web1"]);
    let id = instance_of(&root, "web1").unwrap();
    proxy.set_instance_health(&id, &InstanceHealth::checks("initializing", "initializing"));
    proxy.reset_stats();

    let started = Instant::now();
    let out = poni.ok(&["cloud", "wait", "web1"]);
    assert!(started.elapsed() < Duration::from_secs(20), "{:?}", started.elapsed());
    assert_eq!(proxy.full_stats().count("DescribeInstanceStatus"), 0, "the checks are not asked for");
    assert!(!out.stderr.contains("checks:"), "{}", out.stderr);
    assert!(!host_of(&root, "web1").is_empty(), "{}", out.stderr);
}

#[test]
fn init_timeout_reached_with_checks_pending_is_a_typed_failure() {
    let proxy = Ec2Proxy::start_shared(ProxyConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    let poni = Poni::new(&root, proxy.endpoint_url());
    repository(&poni, &["cloud.init_timeout=3"]);
    poni.ok(&["cloud", "init", "web1"]);
    let id = instance_of(&root, "web1").unwrap();

    proxy.set_instance_health(&id, &InstanceHealth::checks("ok", "initializing"));
    let out = poni.run(&["cloud", "wait", "web1", "--state=running"]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    let expected = format!(
        "poni    ERROR   web1: instance {id} of web1 runs, but its status checks did not both pass within 3 s (cloud.init_timeout): system ok, instance initializing. Its addresses were not saved."
    );
    assert!(out.stderr.contains(&expected), "missing {expected:?} in\n{}", out.stderr);
    assert_eq!(host_of(&root, "web1"), "", "nothing saved");

    // A failed check says so, with other advice.
    proxy.set_instance_health(&id, &InstanceHealth::checks("impaired", "ok"));
    let out = poni.run(&["cloud", "wait", "web1"]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(out.stderr.contains("(cloud.init_timeout): system impaired, instance ok."), "{}", out.stderr);
    assert!(out.stderr.contains("system log"), "{}", out.stderr);
}
