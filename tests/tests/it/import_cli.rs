//! Existing fleets from the command line: instances made outside poni (some named, one
//! without a Name tag, one of another poni repository) listed with their grouping, an import
//! previewed with --dry-run and then written, and tagging offered.

use poni_e2e::{Ec2Client, Ec2Proxy, Poni, ProxyConfig, TEST_AMI};
use serde_json::{json, Value};

fn tag(ec2: &Ec2Client, id: &str, key: &str, value: &str) {
    ec2.call_ok("CreateTags", &[("ResourceId.1", id), ("Tag.1.Key", key), ("Tag.1.Value", value)]);
}

#[test]
fn instances_made_elsewhere_are_listed_grouped_and_adopted() {
    let proxy = Ec2Proxy::start_shared(ProxyConfig::default());
    let repo = tempfile::tempdir().unwrap();
    let root = repo.path().join("r");
    let poni = Poni::new(&root, proxy.endpoint_url());
    poni.ok(&["init"]);
    poni.ok(&["add-node", "mine"]);
    poni.ok(&["set", "mine", "cloud.provider=aws-ec2", "cloud.region=us-east-1", &format!("cloud.image={TEST_AMI}"), "cloud.key-pair=kp", "user=root"]);
    poni.ok(&["cloud", "init", "mine", "--wait"]);

    // Made by hand in the account: two named (one name taken by a node, one with a '/'),
    // one unnamed, one launched by another poni repository.
    let ec2 = Ec2Client::new(proxy.endpoint_url());
    let ids = ec2.run_instances(4);
    tag(&ec2, &ids[0], "Name", "mine");
    tag(&ec2, &ids[0], "team", "web");
    tag(&ec2, &ids[1], "Name", "db/primary");
    tag(&ec2, &ids[3], "poni:repo", "someone-elses-repo");

    let listed = poni.ok(&["cloud", "instances", "--region", "us-east-1", "--json"]).stdout;
    let listed: Value = serde_json::from_str(&listed).unwrap();
    let group = |id: &str| listed.as_array().unwrap().iter().find(|f| f["instance"]["id"] == id).map(|f| f["tracking"].clone());
    let mine = std::fs::read_to_string(root.join("system/mine/node.json")).unwrap();
    let mine_id = serde_json::from_str::<Value>(&mine).unwrap()["cloud"]["instance"].as_str().unwrap().to_owned();
    assert_eq!(group(&mine_id), Some(json!("tracked")));
    assert_eq!(group(&ids[0]), Some(json!("untracked")));
    assert_eq!(group(&ids[2]), Some(json!("untracked")));
    assert_eq!(group(&ids[3]), Some(json!("otherRepository")));
    // One paginated call per listing, never one per instance.
    proxy.reset_stats();
    poni.ok(&["cloud", "instances", "--region", "us-east-1"]);
    assert_eq!(proxy.stats().get("DescribeInstances").copied(), Some(1));

    // The preview writes nothing and shows the names made valid and unique.
    let before = std::fs::read_dir(root.join("system")).unwrap().count();
    let preview = poni.ok(&["cloud", "import", "--region", "us-east-1", "--into", "found", "--dry-run"]);
    assert!(preview.stdout.contains(&format!("{}  found/mine", ids[0])), "{}", preview.stdout);
    assert!(preview.stdout.contains(&format!("{}  found/db-primary (Name tag 'db/primary')", ids[1])), "{}", preview.stdout);
    assert!(preview.stdout.contains(&format!("{}  found/{}", ids[2], ids[2])), "unnamed: the id: {}", preview.stdout);
    assert!(!preview.stdout.contains(&ids[3]), "another repository's instance is not offered");
    assert_eq!(std::fs::read_dir(root.join("system")).unwrap().count(), before, "nothing written");

    // A filter narrows it; the import writes the nodes with the instance's properties, and tags.
    let one = poni.ok(&["cloud", "import", "--region", "us-east-1", "--into", "found", "--filter", "tag:team=web", "--tag"]);
    assert!(one.stdout.contains("found/mine") && !one.stdout.contains("db-primary"), "{}", one.stdout);
    let node: Value = serde_json::from_str(&std::fs::read_to_string(root.join("system/found/mine/node.json")).unwrap()).unwrap();
    assert_eq!(node["cloud"]["instance"], json!(ids[0]));
    assert_eq!(node["cloud"]["provider"], json!("aws-ec2"));
    assert_eq!(node["cloud"]["region"], json!("us-east-1"));
    assert_eq!(node["cloud"]["image"], json!(TEST_AMI));
    assert!(node["cloud"]["type"].is_string() && node["host"].is_string() && node["private"]["ip"].is_string(), "{node}");
    let tagged = ec2.describe_instances(&[("tag:poni:node", &["found/mine"])]);
    assert_eq!(tagged.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(), [ids[0].as_str()], "tagged with its node");
    // Now it is tracked, and drift has nothing to say about it.
    let after: Value = serde_json::from_str(&poni.ok(&["cloud", "instances", "--region", "us-east-1", "--json"]).stdout).unwrap();
    assert!(after.as_array().unwrap().iter().any(|f| f["instance"]["id"] == ids[0].as_str() && f["tracking"] == "tracked" && f["node"] == "found/mine"));
    let diff = poni.ok(&["cloud", "diff", "found/mine", "-M"]);
    assert_eq!(diff.stdout, "", "{}", diff.stderr);

    // A system the import cannot make is refused by the preview and the import alike.
    for into in ["../../OUT", "", "mine", "/tmp/x", "found/mine/node.json"] {
        for dry_run in [true, false] {
            let mut args = vec!["cloud", "import", "--region", "us-east-1", "--into", into];
            if dry_run {
                args.push("--dry-run");
            }
            let out = poni.run(&args);
            assert_eq!(out.code, Some(2), "{args:?}: {}{}", out.stdout, out.stderr);
        }
    }
    assert!(!root.join("system/tmp").exists() && !repo.path().join("OUT").exists());

    // The rest in one import: one history entry, and its undo leaves the instances running
    // without suggesting to end them (they ran before the import).
    let before = poni.ok(&["history"]).stdout.lines().count();
    poni.ok(&["cloud", "import", "--region", "us-east-1", "--into", "more"]);
    let history = poni.ok(&["history"]).stdout;
    assert_eq!(history.lines().count(), before + 1, "{history}");
    assert!(history.contains("Import 2 instances as more/db-primary and more/"), "{history}");
    let undo = poni.ok(&["undo"]);
    assert!(undo.stderr.contains("was imported, not launched here: it keeps running and is not affected"), "{}", undo.stderr);
    assert!(!undo.stderr.contains("terminate"), "{}", undo.stderr);
    assert!(!root.join("system/more").exists());
    let running = ec2.describe_instances(&[("instance-id", &[ids[1].as_str(), ids[2].as_str()])]);
    assert_eq!(running.len(), 2);
    assert!(running.iter().all(|i| i.state == "running"), "{running:?}");
}
