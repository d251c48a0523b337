//! poni 0.8's snapshots through the real `poni` binary against moto behind the proxy:
//! `cloud create-snapshot` (tagged so `cloud snapshots` and poni 0.8 find them again; a second
//! one of the same name replaces the first), `cloud revert-to-snapshot` (the root volume replaced
//! by a new one made from the snapshot, at the same device, the old one deleted; a failing
//! attach put back), `cloud remove-snapshot`, and `cloud unprotect`.

use std::fs;
use std::path::Path;
use std::time::Duration;

use poni_e2e::{Ec2Client, Ec2Proxy, Poni, ProxyConfig, TEST_AMI};
use serde_json::{json, Value};

fn node(root: &Path, name: &str) -> Value {
    let path = root.join("system").join(name).join("node.json");
    serde_json::from_str(&fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))).unwrap()
}

fn instance_of(root: &Path, name: &str) -> String {
    node(root, name)["cloud"]["instance"].as_str().unwrap_or_else(|| panic!("{name} has no instance")).to_owned()
}

/// web1 launched and running; web2 without an instance.
fn launched(poni: &Poni) -> String {
    poni.ok(&["init"]);
    poni.ok(&["add-node", "web1"]);
    poni.ok(&["add-node", "web2"]);
    poni.ok(&["set", "web1", "cloud.provider=aws-ec2", "cloud.region=us-east-1", &format!("cloud.image={TEST_AMI}"), "cloud.key-pair=kp", "user=root"]);
    poni.ok(&["cloud", "init", "web1", "--wait"]);
    instance_of(poni.root(), "web1")
}

/// (device, volume id, delete on termination) of each volume the instance has.
fn volumes(ec2: &Ec2Client, id: &str) -> Vec<(String, String, String)> {
    let answer = ec2.call_ok("DescribeInstances", &[("Filter.1.Name", "instance-id"), ("Filter.1.Value.1", id)]);
    // Only the block device mappings: network interfaces have a deleteOnTermination too.
    let body = &answer.body;
    let start = body.find("<blockDeviceMapping>").unwrap_or_else(|| panic!("no block device mapping: {body}"));
    let end = start + body[start..].find("</blockDeviceMapping>").expect("closed");
    let answer = poni_e2e::Ec2Response { status: 200, body: body[start..end].to_owned() };
    let devices = answer.values("deviceName");
    let ids = answer.values("volumeId");
    let delete = answer.values("deleteOnTermination");
    assert_eq!(devices.len(), ids.len(), "{}", answer.body);
    devices.into_iter().zip(ids).zip(delete).map(|((d, v), t)| (d, v, t)).collect()
}

/// The snapshot a volume was made from, or None when EC2 no longer knows the volume.
fn volume_source(ec2: &Ec2Client, volume: &str) -> Option<String> {
    let answer = ec2.call_ok("DescribeVolumes", &[("Filter.1.Name", "volume-id"), ("Filter.1.Value.1", volume)]);
    answer.values("volumeId").first()?;
    Some(answer.values("snapshotId").into_iter().next().unwrap_or_default())
}

/// `poni cloud snapshots PATTERN --json`.
fn listed(poni: &Poni, pattern: &str) -> Vec<Value> {
    let out = poni.ok(&["cloud", "snapshots", pattern, "--json"]);
    serde_json::from_str::<Vec<Value>>(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.stdout))
}

#[test]
fn a_snapshot_is_made_listed_reverted_to_and_removed() {
    let proxy = Ec2Proxy::start_shared(ProxyConfig::default().with_holds(Duration::from_millis(500)));
    let ec2 = Ec2Client::new(proxy.endpoint_url());
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    let poni = Poni::new(&root, proxy.endpoint_url());
    let id = launched(&poni);
    let before = volumes(&ec2, &id);
    let (device, old_root, _) = before.first().cloned().expect("an EBS root volume");

    // The plan first: nothing is made.
    proxy.reset_stats();
    let out = poni.ok(&["cloud", "create-snapshot", "web", "before", "--dry-run"]);
    assert!(out.stdout.contains(&format!("web1  snapshot {id} (running)")), "{}", out.stdout);
    assert!(out.stderr.contains("dry run, nothing changed: 1 to snapshot, 1 left alone, 0 refused"), "{}", out.stderr);
    assert_eq!(proxy.full_stats().count("CreateSnapshot"), 0);

    let out = poni.ok(&["cloud", "create-snapshot", "web", "before", "--description", "the first"]);
    let started = format!("poni    INFO    web1: {id} snapshot started device='{device}' volume='{old_root}' snapshot='snap-");
    assert!(out.stderr.contains(&started), "missing {started:?} in\n{}", out.stderr);
    assert!(out.stderr.contains(&format!("poni    INFO    web1: {id} snapshot completed device='{device}'")), "{}", out.stderr);
    let snapshots = listed(&poni, "web");
    assert_eq!(snapshots.len(), 1, "{snapshots:?}");
    let first = &snapshots[0];
    assert_eq!((&first["node"], &first["instanceId"]), (&json!("web1"), &json!(id)));
    let tags = &first["snapshot"]["tags"];
    assert_eq!(tags["poni:snapshot"], json!("before"));
    assert_eq!(tags["poni:node"], json!("web1"));
    assert_eq!(tags["poni:instance"], json!(id));
    assert_eq!(tags["poni:device"], json!(device));
    assert!(tags["poni:repo"].as_str().is_some_and(|r| r.starts_with("r-")), "{tags}");
    assert_eq!((&tags["Name"], &tags["Original_instance"]), (&json!("before"), &json!(id)), "poni 0.8 finds the root volume's snapshot");
    assert_eq!((&first["snapshot"]["state"], &first["snapshot"]["description"]), (&json!("completed"), &json!("the first")));
    assert_eq!(first["snapshot"]["volumeId"], json!(old_root));
    let first_id = first["snapshot"]["id"].as_str().unwrap().to_owned();
    let text = poni.ok(&["cloud", "snapshots", "web1"]).stdout;
    let line = text.lines().find(|l| l.contains(&first_id)).unwrap_or_else(|| panic!("{text}"));
    assert!(line.starts_with("web1  before  ") && line.contains(&device) && line.contains("completed") && line.ends_with("the first"), "{line}");

    // Another one of the same name replaces the first once it is complete.
    let out = poni.ok(&["cloud", "create-snapshot", "web1", "-M", "before"]);
    assert!(out.stderr.contains(&format!("snapshot deleted device='{device}' volume='{old_root}' snapshot='{first_id}'")), "{}", out.stderr);
    let snapshots = listed(&poni, "web1");
    assert_eq!(snapshots.len(), 1, "{snapshots:?}");
    let snapshot = snapshots[0]["snapshot"]["id"].as_str().unwrap().to_owned();
    assert_ne!(snapshot, first_id);

    // Revert: stopped, the root volume swapped for one made from the snapshot, started.
    let host_before = node(&root, "web1")["host"].as_str().unwrap().to_owned();
    assert!(!host_before.is_empty());
    let out = poni.ok(&["cloud", "revert-to-snapshot", "web1", "before"]);
    let err = &out.stderr;
    for step in ["volume created", "volume detached", "volume attached", "volume deleted"] {
        assert!(err.contains(&format!("web1: {id} {step} device='{device}'")), "missing {step:?} in\n{err}");
    }
    assert!(err.contains("poni    INFO    1 instance reverted"), "{err}");
    let after = volumes(&ec2, &id);
    assert_eq!(after.len(), 1, "{after:?}");
    let (new_device, new_root, delete_on_termination) = after[0].clone();
    assert_eq!(new_device, device, "at the same device");
    assert_ne!(new_root, old_root, "a new root volume");
    assert_eq!(volume_source(&ec2, &new_root).as_deref(), Some(snapshot.as_str()), "made from the snapshot");
    assert_eq!(delete_on_termination, "true", "deleted with the instance, as the old root was");
    assert_eq!(volume_source(&ec2, &old_root), None, "the old root volume is deleted once the revert succeeded");
    assert_eq!(ec2.describe_instance(&id).unwrap().state, "running");
    assert!(!node(&root, "web1")["host"].as_str().unwrap().is_empty(), "the address after the start is saved");

    // Remove it; a second remove, and a revert to it, name what is missing.
    let out = poni.ok(&["cloud", "remove-snapshot", "web", "before"]);
    assert!(out.stderr.contains(&format!("snapshot deleted device='{device}'")), "{}", out.stderr);
    assert!(listed(&poni, "web").is_empty());
    for command in ["remove-snapshot", "revert-to-snapshot"] {
        let out = poni.run(&["cloud", command, "web1", "before"]);
        assert_eq!(out.code, Some(1), "{command}: {}", out.stderr);
        assert!(out.stderr.contains(&format!("poni    ERROR   web1: web1 (instance {id}) has no snapshot named 'before'")), "{command}: {}", out.stderr);
    }
    assert_eq!(ec2.describe_instance(&id).unwrap().state, "running", "a revert without a snapshot stops nothing");
}

#[test]
fn a_revert_whose_attach_fails_puts_the_old_volume_back() {
    let proxy = Ec2Proxy::start_shared(ProxyConfig::default());
    let ec2 = Ec2Client::new(proxy.endpoint_url());
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    let poni = Poni::new(&root, proxy.endpoint_url());
    let id = launched(&poni);
    let (device, old_root, _) = volumes(&ec2, &id)[0].clone();
    poni.ok(&["cloud", "create-snapshot", "web1", "golden"]);

    // Every attempt of the new volume's AttachVolume is throttled (the client tries six
    // times); the old volume's attach afterwards goes through.
    proxy.configure_json(json!({"fault_rate": 1.0, "fault_kinds": ["throttle"], "fault_actions": ["AttachVolume"], "fault_budget": 6}));
    let out = poni.run(&["cloud", "revert-to-snapshot", "web1", "golden"]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    let err = &out.stderr;
    assert!(err.contains(&format!("poni    ERROR   web1: reverting web1 (instance {id}) failed while attaching the new volumes: ")), "{err}");
    assert!(err.contains("Its old volumes are attached as before, the new ones deleted, and the instance is starting again"), "{err}");
    let after = volumes(&ec2, &id);
    assert_eq!(after.iter().map(|(d, v, _)| (d.clone(), v.clone())).collect::<Vec<_>>(), [(device.clone(), old_root.clone())], "the old root is back");
    let created = err
        .lines()
        .find(|l| l.contains("volume created"))
        .and_then(|l| l.split("volume='").nth(1))
        .and_then(|v| v.split('\'').next())
        .unwrap_or_else(|| panic!("{err}"))
        .to_owned();
    assert_eq!(volume_source(&ec2, &created), None, "the new volume is deleted");
    proxy.clear_faults();
    poni.ok(&["cloud", "wait", "web1"]);
    assert_eq!(ec2.describe_instance(&id).unwrap().state, "running");

    // Without the faults the same revert goes through.
    poni.ok(&["cloud", "revert-to-snapshot", "web1", "golden"]);
    assert_ne!(volumes(&ec2, &id)[0].1, old_root);
}

#[test]
fn bad_snapshot_names_are_refused_before_ec2_is_asked() {
    let proxy = Ec2Proxy::start_shared(ProxyConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    let poni = Poni::new(&root, proxy.endpoint_url());
    poni.ok(&["init"]);
    poni.ok(&["add-node", "web1"]);
    proxy.reset_stats();
    for name in ["", "  ", "a\u{7}b", &"x".repeat(256)] {
        let out = poni.run(&["cloud", "create-snapshot", "web1", name]);
        assert_eq!(out.code, Some(2), "{name:?}: {}", out.stderr);
        assert!(out.stderr.contains("is not a snapshot name"), "{}", out.stderr);
        assert!(!out.stderr.contains('\u{7}'), "no control character reaches the terminal");
    }
    assert_eq!(proxy.full_stats().requests, 0, "not one EC2 call");
}

#[test]
fn unprotect_lifts_termination_protection_so_terminate_can_follow() {
    let proxy = Ec2Proxy::start_shared(ProxyConfig::default());
    let ec2 = Ec2Client::new(proxy.endpoint_url());
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    let poni = Poni::new(&root, proxy.endpoint_url());
    poni.ok(&["init"]);
    poni.ok(&["add-node", "db1"]);
    poni.ok(&[
        "set",
        "db1",
        "cloud.provider=aws-ec2",
        "cloud.region=us-east-1",
        &format!("cloud.image={TEST_AMI}"),
        "cloud.key-pair=kp",
        "user=root",
        "cloud.disable_api_termination=true",
    ]);
    poni.ok(&["cloud", "init", "db1"]);
    let id = instance_of(&root, "db1");
    let attribute =
        || ec2.call_ok("DescribeInstanceAttribute", &[("InstanceId", id.as_str()), ("Attribute", "disableApiTermination")]).values("value").into_iter().next();
    // EC2 protects the instance from its launch on; moto ignores DisableApiTermination in
    // RunInstances, so the test turns it on as EC2 would have.
    ec2.call_ok("ModifyInstanceAttribute", &[("InstanceId", id.as_str()), ("DisableApiTermination.Value", "true")]);
    assert_eq!(attribute().as_deref(), Some("true"), "protected");

    let out = poni.run(&["cloud", "terminate", "db1"]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(out.stderr.contains("`poni cloud unprotect -M db1` does it"), "{}", out.stderr);

    let out = poni.ok(&["cloud", "unprotect", "db1"]);
    assert_eq!(out.stderr, format!("poni    INFO    db1: termination protection lifted on {id}, cloud.disable_api_termination set to false\n"));
    assert_eq!(attribute().as_deref(), Some("false"));
    assert_eq!(node(&root, "db1")["cloud"]["disable_api_termination"], json!(false));
    poni.ok(&["cloud", "terminate", "db1"]);
    poni.ok(&["cloud", "wait", "db1", "--state=terminated"]);
}
