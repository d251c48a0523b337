//! The real `poni` binary driving EC2 (moto behind the harness's proxy), as a user would:
//! the seed document's whole cloud walkthrough, bad input, server-side rejections, a crash
//! between launch and save, throttling and server errors, stored credentials and secrecy.
//!
//! Every test has its own proxy, so its own moto account: they run in parallel.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use poni_e2e::{Ec2Client, Ec2Proxy, FaultKind, Moto, Poni, ProxyConfig, TEST_AMI};
use serde_json::{json, Value};

const HOLD: Duration = Duration::from_secs(2);

fn node(root: &Path, name: &str) -> Value {
    let path = root.join("system").join(name).join("node.json");
    serde_json::from_str(&fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))).unwrap()
}

/// Every file of the repository with its text.
fn files(root: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                out.insert(path.strip_prefix(root).unwrap().display().to_string(), fs::read_to_string(&path).unwrap_or_default());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// `poni init`, drumbo1 with the seed's properties (and moto's AMI), drumbo2..4 cloned with -c.
fn seed_repository(poni: &Poni, nodes: u32) {
    poni.ok(&["init"]);
    poni.ok(&["add-node", "drumbo1"]);
    poni.ok(&[
        "set",
        "drumbo",
        "cloud.provider=aws-ec2",
        "cloud.region=us-east-1",
        &format!("cloud.image={TEST_AMI}"),
        "cloud.key-pair=my-keypair",
        "user=root",
    ]);
    if nodes > 1 {
        poni.ok(&["add-node", "drumbo{id}", "-n", &format!("2..{nodes}"), "-c", "-i", "drumbo1"]);
    }
}

fn add_key_file(poni: &Poni, key_pair: &str) {
    let ssh = poni.home().join(".ssh");
    fs::create_dir_all(&ssh).unwrap();
    fs::write(ssh.join(format!("{key_pair}.pem")), "not a real key").unwrap();
}

fn lines_with<'a>(text: &'a str, needle: &str) -> Vec<&'a str> {
    text.lines().filter(|l| l.contains(needle)).collect()
}

fn str_of<'a>(v: &'a Value, path: &str) -> &'a str {
    path.split('.').fold(v, |v, k| &v[k]).as_str().unwrap_or_else(|| panic!("{path} is not a string in {v}"))
}

#[test]
fn the_seed_documents_cloud_walkthrough() {
    let proxy = Ec2Proxy::start_shared(ProxyConfig::default().with_holds(HOLD));
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    let poni = Poni::new(&root, proxy.endpoint_url());
    seed_repository(&poni, 4);
    add_key_file(&poni, "my-keypair");
    let cloud = format!("     cloud     image:'{TEST_AMI}' key-pair:'my-keypair' provider:'aws-ec2' region:'us-east-1'\n");
    assert_eq!(
        poni.ok(&["list", "-o"]).stdout,
        format!(
            "      node drumbo1\n{cloud}      node drumbo2 <= drumbo1\n{cloud}      node drumbo3 <= drumbo1\n{cloud}      node drumbo4 <= drumbo1\n{cloud}"
        )
    );

    // cloud init drumbo --wait
    let started = Instant::now();
    let out = poni.ok(&["cloud", "init", "drumbo", "--wait"]);
    assert!(started.elapsed() >= HOLD, "pending is held {HOLD:?}");
    let err = &out.stderr;
    assert!(out.stdout.is_empty(), "log lines go to stderr: {}", out.stdout);
    assert!(!err.contains("WARNING") && !err.contains("ERROR"), "{err}");
    let mut ids = BTreeMap::new();
    // Launches run in parallel, so their lines come in the order EC2 answered.
    for line in lines_with(err, ": initialized: ") {
        let name = line.trim_start_matches("poni    INFO    ").split(':').next().unwrap().to_owned();
        let prefix = format!("poni    INFO    {name}: initialized: key-pair='my-keypair', region='us-east-1', instance='");
        let rest = line.strip_prefix(&prefix).unwrap_or_else(|| panic!("{line}"));
        let (id, tail) = rest.split_once('\'').unwrap();
        assert!(id.starts_with("i-"), "{line}");
        assert_eq!(tail, format!(", image='{TEST_AMI}', provider='aws-ec2'"));
        ids.insert(name, id.to_owned());
    }
    assert_eq!(ids.len(), 4, "{err}");
    let progress = lines_with(err, "aws-ec2 INFO    [");
    assert!(!progress.is_empty(), "{err}");
    assert!(progress.iter().all(|l| l.ends_with("/4] instances 'running', waiting...")), "{progress:?}");
    assert_eq!(progress[0], "aws-ec2 INFO    [0/4] instances 'running', waiting...");
    // One DescribeInstances before launching (instances an interrupted init left) and one per
    // poll: the polls that printed progress and the last one, however many instances.
    let stats = proxy.full_stats();
    assert_eq!(stats.count("RunInstances"), 1, "the four nodes share their launch parameters: one grouped call");
    assert_eq!(stats.count("CreateTags"), 4, "then each instance gets its node's name");
    assert_eq!(stats.count("DescribeInstances"), progress.len() as u64 + 2, "{err}");

    let mut addresses = BTreeMap::new();
    let updated = lines_with(err, ": updated: ");
    assert_eq!(updated.len(), 4, "{err}");
    for (i, line) in updated.iter().enumerate() {
        let name = format!("drumbo{}", i + 1);
        let saved = node(&root, &name);
        assert_eq!(str_of(&saved, "cloud.instance"), ids[&name]);
        let (host, ip, dns) = (str_of(&saved, "host"), str_of(&saved, "private.ip"), str_of(&saved, "private.dns"));
        assert!(!host.is_empty() && !ip.is_empty() && !dns.is_empty(), "{saved}");
        assert_eq!(*line, format!("poni    INFO    {name}: updated: host='{host}' (from ''), private={{'ip': '{ip}', 'dns': '{dns}'}} (from None)"));
        addresses.insert(name, (host.to_owned(), ip.to_owned(), dns.to_owned()));
    }
    let repo_json: Value = serde_json::from_str(&fs::read_to_string(root.join("repo.json")).unwrap()).unwrap();
    assert!(str_of(&repo_json, "poni-desktop.repo-id").starts_with("r-"), "{repo_json}");

    // list -o: the instance ids; list -p: the addresses; list -q: running.
    let listed = poni.ok(&["list", "-o"]).stdout;
    for (name, id) in &ids {
        let parent = if name == "drumbo1" { String::new() } else { " <= drumbo1".into() };
        assert!(
            listed.contains(&format!(
                "      node {name}{parent}\n     cloud     image:'{TEST_AMI}' instance:'{id}' key-pair:'my-keypair' provider:'aws-ec2' region:'us-east-1'\n"
            )),
            "{listed}"
        );
    }
    let listed = poni.ok(&["list", "-p"]).stdout;
    for (i, (host, ip, dns)) in addresses.values().enumerate() {
        let parent = if i == 0 { String::new() } else { "parent:'drumbo1' ".into() };
        let expected = format!("      prop     depth:1 host:'{host}' index:{i} {parent}private:{{dns:'{dns}' ip:'{ip}'}} user:'root'\n");
        assert!(listed.contains(&expected), "{expected}\nin\n{listed}");
    }
    let status =
        |state: &str| (1..=4).map(|i| format!("      node drumbo{i}{}\n    status     {state}\n", if i == 1 { "" } else { " <= drumbo1" })).collect::<String>();
    proxy.reset_stats();
    assert_eq!(poni.ok(&["list", "-q"]).stdout, status("running"));
    assert_eq!(proxy.full_stats().count("DescribeInstances"), 1, "one status query for the region");

    // cloud terminate drumbo
    let out = poni.ok(&["cloud", "terminate", "drumbo"]);
    assert_eq!(
        out.stderr,
        "poni    INFO    terminated: drumbo1\nponi    INFO    terminated: drumbo2\nponi    INFO    terminated: drumbo3\nponi    INFO    terminated: drumbo4\nponi    INFO    4 instances terminated\n"
    );
    assert_eq!(node(&root, "drumbo1")["cloud"]["instance"], json!(ids["drumbo1"]), "terminate keeps cloud.instance");

    // cloud wait drumbo --state=terminated (shutting-down is held)
    let out = poni.ok(&["cloud", "wait", "drumbo", "--state=terminated"]);
    let err = &out.stderr;
    assert!(lines_with(err, "aws-ec2 INFO    [").iter().all(|l| l.ends_with("/4] instances 'terminated', waiting...")), "{err}");
    assert!(err.contains("aws-ec2 INFO    [0/4] instances 'terminated', waiting...\n"), "{err}");
    let updated = lines_with(err, ": updated: ");
    assert_eq!(updated.len(), 4, "{err}");
    for (line, (name, (host, ip, dns))) in updated.iter().zip(&addresses) {
        assert_eq!(
            *line,
            format!("poni    INFO    {name}: updated: host='' (from '{host}'), private={{'ip': None, 'dns': ''}} (from {{'ip': '{ip}', 'dns': '{dns}'}})")
        );
        let saved = node(&root, name);
        assert_eq!((&saved["host"], &saved["private"]), (&json!(""), &json!({"ip": null, "dns": ""})));
        assert_eq!(saved["cloud"]["instance"], json!(ids[name]));
    }
    assert!(poni.ok(&["list", "-p", "drumbo1"]).stdout.contains("host:'' index:0 private:{dns:'' ip:None} user:'root'"));
    assert_eq!(poni.ok(&["list", "-q"]).stdout, status("terminated"));
}

#[test]
fn invalid_or_missing_properties_are_reported_per_node_and_nothing_is_launched() {
    let proxy = Ec2Proxy::start_shared(ProxyConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    let poni = Poni::new(&root, proxy.endpoint_url());
    poni.ok(&["init"]);
    poni.ok(&["add-node", "web/bare"]);
    poni.ok(&["add-node", "web/wrong"]);
    poni.ok(&["add-node", "web/fine"]);
    poni.ok(&[
        "set",
        "-M",
        "web/wrong",
        "cloud.provider=gce",
        "cloud.region=mars-1",
        "cloud.image=img-1",
        "cloud.key-pair=kp.pem",
        "cloud.type=huge",
        "cloud.init_timeout=soon",
        "user=root",
    ]);
    poni.ok(&[
        "set",
        "-M",
        "web/fine",
        "cloud.provider=aws-ec2",
        "cloud.region=us-east-1",
        &format!("cloud.image={TEST_AMI}"),
        "cloud.key-pair=kp",
        "user=root",
    ]);
    let before = files(&root);

    let out = poni.run(&["cloud", "init", "web"]);
    assert!(!out.success);
    let err = &out.stderr;
    for expected in [
        "poni    ERROR   web/bare: cloud.provider is not set",
        "poni    ERROR   web/bare: cloud.region is not set",
        "poni    ERROR   web/bare: cloud.image is not set",
        "poni    ERROR   web/bare: cloud.key-pair is not set",
        "poni    ERROR   web/bare: user is not set",
        "poni    ERROR   web/wrong: cloud.provider 'gce' is not supported",
        "poni    ERROR   web/wrong: cloud.region 'mars-1' is not an AWS region code",
        "poni    ERROR   web/wrong: cloud.image 'img-1' is not an AMI id",
        "poni    ERROR   web/wrong: cloud.key-pair 'kp.pem' must be the key pair name without .pem",
        "poni    ERROR   web/wrong: cloud.type 'huge' is not an EC2 instance type",
        "poni    ERROR   web/wrong: cloud.init_timeout 'soon' must be a number of seconds",
        "error: 2 of 3 nodes cannot be launched, so nothing was launched: web/bare (cloud.provider, cloud.region, cloud.image, cloud.key-pair, user); web/wrong (",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in\n{err}");
    }
    assert!(!err.contains("web/fine"), "{err}");
    assert_eq!(proxy.full_stats().requests, 0, "not one EC2 call");
    assert_eq!(files(&root), before, "nothing saved");

    // Bad patterns are clear errors too.
    let out = poni.run(&["cloud", "init", "web("]);
    assert!(!out.success && out.stderr.starts_with("error: invalid pattern 'web(': "), "{}", out.stderr);
    let out = poni.run(&["cloud", "terminate", "nothing-like-this"]);
    assert_eq!((out.success, out.stderr.as_str()), (false, "error: no matching nodes found\n"));
}

#[test]
fn an_image_or_key_pair_the_server_rejects_is_reported_with_the_nodes_name() {
    let moto = Moto::start_with_env(&[("MOTO_ENABLE_AMI_VALIDATION", "true"), ("MOTO_ENABLE_KEYPAIR_VALIDATION", "true")]);
    let proxy = Ec2Proxy::start(&moto, ProxyConfig::default());
    let ec2 = Ec2Client::new(proxy.endpoint_url());
    ec2.call_ok("CreateKeyPair", &[("KeyName", "kp-ok")]);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    let poni = Poni::new(&root, proxy.endpoint_url());
    poni.ok(&["init"]);
    for (name, image, key_pair) in [("no-such-image", "ami-00000000", "kp-ok"), ("no-such-key", TEST_AMI, "missing-kp"), ("fine", TEST_AMI, "kp-ok")] {
        poni.ok(&["add-node", name]);
        poni.ok(&[
            "set",
            "-M",
            name,
            "cloud.provider=aws-ec2",
            "cloud.region=us-east-1",
            &format!("cloud.image={image}"),
            &format!("cloud.key-pair={key_pair}"),
            "user=root",
        ]);
    }
    let out = poni.run(&["cloud", "init", "."]);
    assert!(!out.success, "{}", out.stderr);
    let err = &out.stderr;
    let image_line = lines_with(err, "ERROR   no-such-image: ");
    assert!(image_line.len() == 1 && image_line[0].contains("'ami-00000000' does not exist in us-east-1"), "{err}");
    let key_line = lines_with(err, "ERROR   no-such-key: ");
    assert!(key_line.len() == 1 && key_line[0].contains("key pair 'missing-kp' does not exist in us-east-1"), "{err}");
    assert_eq!(lines_with(err, "poni    INFO    fine: initialized: ").len(), 1, "{err}");
    assert!(node(&root, "no-such-image")["cloud"].get("instance").is_none());
    assert!(str_of(&node(&root, "fine"), "cloud.instance").starts_with("i-"));
}

#[test]
fn a_crash_between_launch_and_save_does_not_launch_a_second_instance() {
    // moto launches at once; the proxy holds the answer back, and poni is killed meanwhile.
    let proxy = Ec2Proxy::start_shared(ProxyConfig::default().with_answer_delay(Duration::from_secs(20), &["RunInstances"]));
    let ec2 = Ec2Client::new(proxy.endpoint_url());
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    let poni = Poni::new(&root, proxy.endpoint_url());
    seed_repository(&poni, 1);

    let mut child = poni.command(&["cloud", "init", "drumbo1"]).stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null()).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let launched = loop {
        let found = ec2.describe_instances(&[]);
        if !found.is_empty() {
            break found;
        }
        assert!(Instant::now() < deadline, "poni never launched");
        std::thread::sleep(Duration::from_millis(100));
    };
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(launched.len(), 1);
    assert!(node(&root, "drumbo1")["cloud"].get("instance").is_none(), "killed before the id was saved");

    proxy.configure_json(json!({"answer_delay_ms": 0}));
    proxy.reset_stats();
    let out = poni.ok(&["cloud", "init", "drumbo1"]);
    assert!(out.stderr.contains(&format!("instance='{}'", launched[0].id)), "{}", out.stderr);
    assert!(out.stderr.contains("(found the instance an interrupted init had launched)"), "{}", out.stderr);
    assert_eq!(proxy.full_stats().count("RunInstances"), 0, "nothing new launched");
    assert_eq!(ec2.describe_instances(&[]).len(), 1);
    assert_eq!(str_of(&node(&root, "drumbo1"), "cloud.instance"), launched[0].id);

    // A third init skips the node, which now has its instance.
    let out = poni.ok(&["cloud", "init", "drumbo1"]);
    assert!(out.stderr.starts_with(&format!("poni    WARNING drumbo1: already has instance '{}'", launched[0].id)), "{}", out.stderr);
}

#[test]
fn throttling_and_server_errors_on_every_action_still_end_right() {
    let faults = ProxyConfig::default().with_holds(Duration::from_millis(500)).with_faults(0.2, &[FaultKind::Throttle, FaultKind::Http500, FaultKind::Http503]);
    let proxy = Ec2Proxy::start_shared(ProxyConfig { seed: 7, ..faults });
    let ec2 = Ec2Client::new(proxy.endpoint_url());
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    let poni = Poni::new(&root, proxy.endpoint_url());
    seed_repository(&poni, 4);

    let out = poni.ok(&["cloud", "init", "drumbo", "--wait"]);
    // No ~/.ssh/my-keypair.pem in this HOME: a warning, not an error.
    assert!(out.stderr.starts_with("poni    WARNING "), "{}", out.stderr);
    assert!(out.stderr.contains("my-keypair.pem does not exist: it is needed to log in to drumbo1, drumbo2, drumbo3 and 1 more"), "{}", out.stderr);
    let ids: Vec<String> = (1..=4).map(|i| str_of(&node(&root, &format!("drumbo{i}")), "cloud.instance").to_owned()).collect();
    for i in 1..=4 {
        assert!(!str_of(&node(&root, &format!("drumbo{i}")), "host").is_empty());
    }
    proxy.clear_faults(); // the test's own look goes without faults
    let mut running: Vec<String> = ec2.describe_instances(&[("instance-state-name", &["running"])]).into_iter().map(|v| v.id).collect();
    running.sort();
    let mut expected = ids.clone();
    expected.sort();
    assert_eq!(running, expected, "exactly the four saved instances run");
    proxy.configure_json(json!({"fault_rate": 0.2}));

    poni.ok(&["cloud", "terminate", "drumbo"]);
    poni.ok(&["cloud", "wait", "drumbo", "--state=terminated"]);
    for i in 1..=4 {
        let saved = node(&root, &format!("drumbo{i}"));
        assert_eq!((&saved["host"], &saved["private"]), (&json!(""), &json!({"ip": null, "dns": ""})));
    }
    assert!(proxy.faults_injected() >= 3, "faults were injected: {:?}", proxy.full_stats());
}

#[test]
fn stop_start_update_and_reinit() {
    let proxy = Ec2Proxy::start_shared(ProxyConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    let poni = Poni::new(&root, proxy.endpoint_url());
    seed_repository(&poni, 2);
    add_key_file(&poni, "my-keypair");
    poni.ok(&["cloud", "init", "drumbo"]);
    assert_eq!(node(&root, "drumbo1")["host"], json!(""), "no --wait: addresses not saved");
    let out = poni.ok(&["cloud", "update", "drumbo"]);
    assert_eq!(lines_with(&out.stderr, ": updated: host=").len(), 2, "{}", out.stderr);
    assert_ne!(node(&root, "drumbo1")["host"], json!(""));

    let out = poni.ok(&["cloud", "stop", "-M", "drumbo1"]);
    assert_eq!(out.stderr, "poni    INFO    stopped: drumbo1\nponi    INFO    1 instance stopped\n");
    poni.ok(&["cloud", "wait", "drumbo1", "--state=stopped"]);
    assert!(poni.ok(&["list", "-q", "drumbo1"]).stdout.contains("status     stopped"));
    let out = poni.ok(&["cloud", "start", "drumbo1", "-M"]);
    assert!(out.stderr.ends_with("1 instance started\n"), "{}", out.stderr);
    poni.ok(&["cloud", "wait", "drumbo1"]);

    let first = str_of(&node(&root, "drumbo2"), "cloud.instance").to_owned();
    poni.ok(&["cloud", "terminate", "drumbo2"]);
    let out = poni.ok(&["cloud", "init", "drumbo2", "--reinit"]);
    let second = str_of(&node(&root, "drumbo2"), "cloud.instance").to_owned();
    assert_ne!(first, second, "{}", out.stderr);
    assert_eq!(proxy.full_stats().count("RunInstances"), 2, "one grouped call for both nodes, one for the re-init");
}

/// Every stored or printed thing a run leaves: outputs, repository files, proxy and moto logs.
fn assert_nowhere(secret: &str, outputs: &[poni_e2e::PoniOutput], root: &Path, proxy: &Ec2Proxy) {
    for out in outputs {
        assert!(!out.stdout.contains(secret) && !out.stderr.contains(secret), "secret printed:\n{}\n{}", out.stdout, out.stderr);
    }
    for (path, text) in files(root) {
        assert!(!text.contains(secret), "secret in {path}");
    }
    for log in [proxy.log_path(), Moto::shared().log_path()] {
        let text = fs::read_to_string(&log).unwrap_or_default();
        assert!(!text.contains(secret), "secret in {}", log.display());
    }
}

#[test]
fn no_secret_in_any_file_output_or_log_after_a_full_run() {
    const SECRET: &str = "e2e-secret-Vq7Rk2Lw9sN4";
    const TOKEN: &str = "e2e-token-Hx3Jm8Pz5cT1";
    let proxy = Ec2Proxy::start_shared(ProxyConfig::default().with_holds(Duration::from_millis(300)));
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    let poni = Poni::new(&root, proxy.endpoint_url()).with_var("AWS_SECRET_ACCESS_KEY", SECRET).with_var("AWS_SESSION_TOKEN", TOKEN);
    seed_repository(&poni, 2);
    let mut outputs = vec![
        poni.ok(&["cloud", "init", "drumbo", "--wait", "-v"]),
        poni.ok(&["list", "-q", "-p", "-o"]),
        poni.ok(&["cloud", "update", "drumbo"]),
        poni.ok(&["credentials", "show"]),
        poni.ok(&["cloud", "terminate", "drumbo"]),
        poni.ok(&["cloud", "wait", "drumbo", "--state=terminated", "-v"]),
    ];
    // A failure's message too.
    poni.ok(&["set", "-M", "drumbo2", "cloud.instance=i-0123456789abcdef0"]);
    let failed = poni.run(&["cloud", "stop", "drumbo2", "-M"]);
    assert!(!failed.success && failed.stderr.contains("i-0123456789abcdef0"), "{}", failed.stderr);
    outputs.push(failed);
    let shown = &outputs[3].stdout;
    assert!(shown.contains("source: environment variables") && shown.contains("access key id: testing"), "{shown}");
    assert!(shown.contains(&format!("endpoint: {}", proxy.endpoint_url())), "{shown}");
    assert_nowhere(SECRET, &outputs, &root, &proxy);
    assert_nowhere(TOKEN, &outputs, &root, &proxy);
}

/// Runs inside a D-Bus session with an unlocked keyring (as `./dev test` does); without a
/// session bus there is no Secret Service to test against, so the test says so and passes.
#[test]
fn credentials_stored_in_the_secret_service_are_used_and_never_shown() {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none_or(|v| v.is_empty()) {
        eprintln!("SKIPPED: no D-Bus session bus, so no Secret Service (run it through ./dev test)");
        return;
    }
    const SECRET: &str = "e2e-stored-secret-Zt6Wq1Yb8";
    let proxy = Ec2Proxy::start_shared(ProxyConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    // No credentials in the environment: only the keyring can supply them.
    let poni = Poni::new(&root, proxy.endpoint_url()).without_var("AWS_ACCESS_KEY_ID").without_var("AWS_SECRET_ACCESS_KEY");
    seed_repository(&poni, 1);
    let missing = poni.run(&["credentials", "show"]);
    assert!(
        !missing.success && missing.stderr.starts_with("error: No AWS credentials found: store a credential set (poni credentials set)"),
        "{}",
        missing.stderr
    );

    let mut outputs = vec![poni.run_with_stdin(&["credentials", "set", "--access-key-id", "AKIAE2ESTORED", "--secret-stdin"], &format!("{SECRET}\n"))];
    assert!(outputs[0].success, "{}", outputs[0].stderr);
    assert_eq!(outputs[0].stdout, "stored credential set 'default' (access key AKIAE2ESTORED)\n");
    outputs.push(poni.ok(&["credentials", "list"]));
    assert_eq!(outputs[1].stdout, "default\n");
    outputs.push(poni.ok(&["credentials", "show"]));
    assert!(
        outputs[2].stdout.starts_with("source: stored credential set 'default' (access key AKIAE2ESTORED)\naccess key id: AKIAE2ESTORED\n"),
        "{}",
        outputs[2].stdout
    );
    outputs.push(poni.ok(&["cloud", "init", "drumbo1", "--wait"]));
    assert!(str_of(&node(&root, "drumbo1"), "cloud.instance").starts_with("i-"));
    outputs.push(poni.ok(&["cloud", "terminate", "drumbo1"]));
    assert_nowhere(SECRET, &outputs, &root, &proxy);

    assert_eq!(poni.ok(&["credentials", "delete", "default"]).stdout, "deleted credential set 'default'\n");
    assert_eq!(poni.ok(&["credentials", "list"]).stdout, "");
    let again = poni.run(&["credentials", "delete", "default"]);
    assert!(!again.success && again.stderr.contains("There is no stored credential set 'default'"), "{}", again.stderr);
    // A secret is never taken from the command line, and never read from a non-terminal
    // without --secret-stdin.
    let refused = poni.run_with_stdin(&["credentials", "set", "--access-key-id", "AKIAX"], "s\n");
    assert!(!refused.success && refused.stderr.contains("pass --secret-stdin"), "{}", refused.stderr);
}

#[test]
fn dry_run_shows_the_plan_and_an_elastic_ip_is_associated_once_running() {
    let proxy = Ec2Proxy::start_shared(ProxyConfig::default().with_holds(HOLD));
    let ec2 = Ec2Client::new(proxy.endpoint_url());
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    let poni = Poni::new(&root, proxy.endpoint_url());
    seed_repository(&poni, 3);
    add_key_file(&poni, "my-keypair");
    let allocated = ec2.call_ok("AllocateAddress", &[("Domain", "vpc")]).body;
    let eip = allocated.split("<publicIp>").nth(1).and_then(|s| s.split("</publicIp>").next()).unwrap().to_owned();
    poni.ok(&["set", "-M", "drumbo3", &format!("cloud.eip={eip}")]);

    let before = files(&root);
    proxy.reset_stats();
    let out = poni.ok(&["cloud", "init", "drumbo", "--dry-run"]);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", out.stdout);
    assert!(
        lines[0].starts_with("drumbo1  launch   call 1 of 1: 3 x t3.micro from ") && lines[0].contains(" in us-east-1, key pair my-keypair"),
        "{}",
        out.stdout
    );
    assert!(lines[2].ends_with(&format!(", then Elastic IP {eip}")), "{}", out.stdout);
    assert!(out.stderr.contains("dry run, nothing changed: 3 to launch in 1 RunInstances call, 0 adopted, 0 skipped, 0 invalid"), "{}", out.stderr);
    assert_eq!(proxy.full_stats().requests, 0, "no repository id yet, so nothing to ask EC2");
    assert_eq!(files(&root), before, "a dry run writes nothing");

    let out = poni.ok(&["cloud", "init", "drumbo", "--wait"]);
    assert_eq!(proxy.full_stats().count("AssociateAddress"), 1, "{}", out.stderr);
    let id = str_of(&node(&root, "drumbo3"), "cloud.instance").to_owned();
    let address = ec2.call_ok("DescribeAddresses", &[("PublicIp.1", eip.as_str())]).body;
    assert!(address.contains(&format!("<instanceId>{id}</instanceId>")), "{address}");
    let host = str_of(&node(&root, "drumbo3"), "host").to_owned();
    assert!(host.contains(&eip.replace('.', "-")) || host == eip, "the saved address is the Elastic IP's: {host} ({eip})");

    // Terminate's dry run names the instances and what it leaves alone.
    poni.ok(&["add-node", "drumbo9"]);
    let out = poni.ok(&["cloud", "terminate", "drumbo", "--dry-run"]);
    assert!(out.stdout.lines().any(|l| l.starts_with("drumbo1  terminate ") && l.ends_with("(running)")), "{}", out.stdout);
    assert!(out.stdout.contains("drumbo9  skip     has no cloud.instance: nothing to do"), "{}", out.stdout);
    assert_eq!(proxy.full_stats().count("TerminateInstances"), 0);
}
