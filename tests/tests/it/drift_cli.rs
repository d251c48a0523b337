//! `poni cloud diff`: the repository against the live instances, after someone changed an
//! instance's type and security groups behind the repository's back (through EC2 directly).

use poni_e2e::{Ec2Client, Ec2Proxy, Poni, ProxyConfig, TEST_AMI};

#[test]
fn drift_is_listed_line_by_line_with_exit_status_one() {
    let proxy = Ec2Proxy::start_shared(ProxyConfig::default());
    let repo = tempfile::tempdir().unwrap();
    let root = repo.path().join("r");
    let poni = Poni::new(&root, proxy.endpoint_url());
    poni.ok(&["init"]);
    poni.ok(&["add-node", "web1"]);
    poni.ok(&["add-node", "web2"]);
    poni.ok(&[
        "set",
        "web",
        "cloud.provider=aws-ec2",
        "cloud.region=us-east-1",
        &format!("cloud.image={TEST_AMI}"),
        "cloud.key-pair=kp",
        "cloud.type=t3.micro",
        "user=root",
    ]);
    poni.ok(&["cloud", "init", "web", "--wait"]);

    let same = poni.ok(&["cloud", "diff", "web"]);
    assert_eq!(same.stdout, "", "no drift right after the launch");
    assert!(same.stderr.contains("2 node(s) match their instances"), "{}", same.stderr);

    // Behind the repository's back: web1 gets another type and another group.
    let text = std::fs::read_to_string(root.join("system/web1/node.json")).unwrap();
    let node: serde_json::Value = serde_json::from_str(&text).unwrap();
    let id = node["cloud"]["instance"].as_str().unwrap().to_owned();
    let ec2 = Ec2Client::new(proxy.endpoint_url());
    ec2.call_ok("StopInstances", &[("InstanceId.1", &id)]);
    ec2.call_ok("ModifyInstanceAttribute", &[("InstanceId", &id), ("InstanceType.Value", "t3.large")]);
    let made = ec2.call_ok("CreateSecurityGroup", &[("GroupName", "changed-by-hand"), ("GroupDescription", "x")]);
    let group = made.values("groupId").pop().expect("a group id");
    ec2.call_ok("ModifyInstanceAttribute", &[("InstanceId", &id), ("GroupId.1", &group)]);

    let drift = poni.run(&["cloud", "diff", "web"]);
    assert!(!drift.success, "drift exits 1");
    let lines: Vec<&str> = drift.stdout.lines().collect();
    assert!(lines.contains(&format!("web1: cloud.type is t3.micro, instance {id} has t3.large").as_str()), "{}", drift.stdout);
    assert!(lines.iter().any(|l| l.starts_with("web1: cloud.security_groups is (nothing)") && l.ends_with("has changed-by-hand")), "{}", drift.stdout);
    assert!(lines.iter().all(|l| l.starts_with("web1: ")), "web2 did not change: {}", drift.stdout);

    let json: serde_json::Value = serde_json::from_str(&poni.run(&["cloud", "diff", "web", "--json"]).stdout).unwrap();
    assert!(json.as_array().unwrap().iter().any(|d| d["field"] == "instanceType" && d["instanceValue"] == "t3.large"));

    // Take the instance's values into the node: the properties follow the instance, no drift.
    let took = poni.ok(&["cloud", "diff", "web", "--take"]);
    assert!(took.stderr.contains("web1: updated: "), "{}", took.stderr);
    assert!(took.stderr.contains("1 node(s) took their instance's values"), "{}", took.stderr);
    let text = std::fs::read_to_string(root.join("system/web1/node.json")).unwrap();
    let node: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(node["cloud"]["type"], "t3.large");
    assert_eq!(node["cloud"]["security_groups"], serde_json::json!(["changed-by-hand"]));
    let after = poni.ok(&["cloud", "diff", "web"]);
    assert_eq!(after.stdout, "", "no drift left: {}", after.stderr);

    // --take converges: a stopped instance (no public address), a terminated one and a new
    // Name tag; one take, and the next diff has nothing left but the terminated instance,
    // which is said to be terminated (its node's addresses are not blanked without a word).
    let id_of = |node: &str| {
        let text = std::fs::read_to_string(root.join("system").join(node).join("node.json")).unwrap();
        serde_json::from_str::<serde_json::Value>(&text).unwrap()["cloud"]["instance"].as_str().unwrap().to_owned()
    };
    poni.ok(&["add-node", "web3"]);
    poni.ok(&["add-node", "web4"]);
    poni.ok(&[
        "set",
        "web[34]",
        "cloud.provider=aws-ec2",
        "cloud.region=us-east-1",
        &format!("cloud.image={TEST_AMI}"),
        "cloud.key-pair=kp",
        "cloud.type=t3.micro",
        "user=root",
    ]);
    poni.ok(&["cloud", "init", "web[34]", "--wait"]);
    let (stopped, gone, renamed) = (id_of("web2"), id_of("web3"), id_of("web4"));
    ec2.call_ok("StopInstances", &[("InstanceId.1", &stopped)]);
    ec2.call_ok("TerminateInstances", &[("InstanceId.1", &gone)]);
    ec2.call_ok("CreateTags", &[("ResourceId.1", &renamed), ("Tag.1.Key", "Name"), ("Tag.1.Value", "renamed")]);
    let web3_before = std::fs::read_to_string(root.join("system/web3/node.json")).unwrap();
    let took = poni.run(&["cloud", "diff", "web", "--take"]);
    let terminated = format!("web3: instance {gone} is terminated");
    assert!(took.stderr.contains(&terminated) && took.stderr.matches(&terminated).count() == 1, "said once: {}", took.stderr);
    assert!(took.stderr.contains("2 node(s) took their instance's values"), "web2 and web4: {}", took.stderr);
    assert_eq!(std::fs::read_to_string(root.join("system/web3/node.json")).unwrap(), web3_before, "not blanked");
    let again = poni.run(&["cloud", "diff", "web"]);
    assert_eq!(again.stdout, "", "nothing left to take: {}", again.stderr);
    assert!(again.stderr.contains(&terminated), "{}", again.stderr);
}
