//! `poni cloud status`: the fleet at a glance from the command line, against moto behind the
//! proxy (which holds one instance impaired with a retirement event, as moto reports every
//! running instance ok) and the local Price List server (moto has none), every endpoint
//! given through the standard variables. CPU data points are written to moto's CloudWatch
//! first (boto3's PutMetricData, through the proxy into the test's account).

use std::process::Command;

use poni_e2e::{venv_dir, Ec2Proxy, FaultKind, InstanceHealth, Poni, PricingServer, ProxyConfig, TEST_AMI};
use serde_json::Value;

const RETIREMENT_FROM: &str = "2030-01-15T10:00:00Z";
const RETIREMENT_TO: &str = "2030-01-16T10:00:00Z";

/// A system of nodes with the same launch settings in one region.
fn system(poni: &Poni, name: &str, nodes: &[&str], region: &str, instance_type: &str) {
    for node in nodes {
        poni.ok(&["add-node", &format!("{name}/{node}")]);
    }
    poni.ok(&[
        "set",
        &format!("^{name}$"),
        "-M",
        "cloud.provider=aws-ec2",
        &format!("cloud.region={region}"),
        &format!("cloud.image={TEST_AMI}"),
        "cloud.key-pair=kp",
        &format!("cloud.type={instance_type}"),
        "user=root",
    ]);
}

fn instance_of(poni: &Poni, node: &str) -> String {
    let path = poni.root().join("system").join(node).join("node.json");
    let node: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    node["cloud"]["instance"].as_str().unwrap().to_owned()
}

/// CPUUtilization of `instance` at `percent`, one point every 5 minutes for the last 3 hours,
/// through the proxy (so into the proxy's moto account), as EC2's basic monitoring writes it.
fn put_cpu(proxy: &Ec2Proxy, region: &str, instance: &str, percent: f64) {
    let script = r#"
import sys, datetime, boto3
endpoint, region, instance, percent = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
cw = boto3.client("cloudwatch", endpoint_url=endpoint, region_name=region,
                  aws_access_key_id="testing", aws_secret_access_key="testing")
now = datetime.datetime.now(datetime.timezone.utc)
points = [{"MetricName": "CPUUtilization", "Dimensions": [{"Name": "InstanceId", "Value": instance}],
           "Timestamp": now - datetime.timedelta(minutes=5 * k), "Value": percent, "Unit": "Percent"}
          for k in range(1, 40)]
cw.put_metric_data(Namespace="AWS/EC2", MetricData=points)
"#;
    let out = Command::new(venv_dir().join("bin/python"))
        .args(["-c", script, proxy.endpoint_url(), region, instance, &percent.to_string()])
        .env_remove("AWS_PROFILE")
        .output()
        .expect("run python");
    assert!(out.status.success(), "PutMetricData failed: {}", String::from_utf8_lossy(&out.stderr));
}

fn status_json(poni: &Poni) -> (Value, Option<i32>, String) {
    let out = poni.run(&["cloud", "status", "--json"]);
    let json = serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: stdout:\n{}\nstderr:\n{}", out.stdout, out.stderr));
    (json, out.code, out.stderr)
}

fn row<'a>(status: &'a Value, instance: &str) -> &'a Value {
    status["regions"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["rows"].as_array().unwrap())
        .find(|r| r["fleet"]["instance"]["id"] == instance)
        .unwrap_or_else(|| panic!("no row for {instance} in {status}"))
}

fn region<'a>(status: &'a Value, name: &str) -> &'a Value {
    status["regions"].as_array().unwrap().iter().find(|r| r["region"] == name).unwrap_or_else(|| panic!("no region {name} in {status}"))
}

fn line_of<'a>(text: &'a str, needle: &str) -> &'a str {
    text.lines().find(|l| l.contains(needle)).unwrap_or_else(|| panic!("no line with {needle} in:\n{text}"))
}

#[test]
fn health_load_and_cost_of_every_instance_with_alerts_and_totals() {
    let proxy = Ec2Proxy::start_shared(ProxyConfig::default());
    let prices = PricingServer::start();
    let dir = tempfile::tempdir().unwrap();
    let poni = Poni::new(&dir.path().join("repo"), proxy.endpoint_url()).with_var("AWS_ENDPOINT_URL_PRICING", prices.endpoint_url());
    poni.ok(&["init"]);
    // web: two t3.micro and a type the price list has no price for; eu: a t3.small in Ireland.
    system(&poni, "web", &["a", "b"], "us-east-1", "t3.micro");
    poni.ok(&["add-node", "web/c"]);
    poni.ok(&[
        "set",
        "^web/c$",
        "-M",
        "cloud.provider=aws-ec2",
        "cloud.region=us-east-1",
        &format!("cloud.image={TEST_AMI}"),
        "cloud.key-pair=kp",
        "cloud.type=t2.nano",
        "user=root",
    ]);
    system(&poni, "eu", &["x"], "eu-west-1", "t3.small");
    poni.ok(&["cloud", "init", ".", "--wait"]);
    let (a, b, c, x) = (instance_of(&poni, "web/a"), instance_of(&poni, "web/b"), instance_of(&poni, "web/c"), instance_of(&poni, "eu/x"));
    put_cpu(&proxy, "us-east-1", &a, 42.0);
    put_cpu(&proxy, "us-east-1", &b, 3.0);
    proxy.set_instance_health(
        &a,
        &InstanceHealth::system_impaired().with_event("instance-retirement", "The instance is running on degraded hardware", RETIREMENT_FROM, RETIREMENT_TO),
    );

    // JSON: the checks, the event, the load, the prices to the cent, the totals.
    proxy.reset_stats();
    let (status, code, stderr) = status_json(&poni);
    assert_eq!(code, Some(1), "an impaired instance: exit status 1\n{stderr}");
    assert!(stderr.contains("1 instance(s) failing their status checks"), "{stderr}");
    let sick = row(&status, &a);
    assert_eq!(sick["fleet"]["node"], "web/a");
    assert_eq!((sick["health"]["system"].as_str(), sick["health"]["instance"].as_str()), (Some("impaired"), Some("ok")));
    let event = &sick["health"]["events"][0];
    assert_eq!(
        (event["kind"].as_str(), event["notBefore"].as_str(), event["notAfter"].as_str()),
        (Some("instance-retirement"), Some(RETIREMENT_FROM), Some(RETIREMENT_TO))
    );
    assert_eq!(sick["cpu"]["average"].as_f64(), Some(42.0), "{}", sick["cpu"]);
    assert_eq!(sick["cpu"]["recent"].as_array().map(Vec::len), Some(36));
    assert_eq!(row(&status, &b)["cpu"]["average"].as_f64(), Some(3.0));
    assert_eq!(row(&status, &b)["health"]["system"], "ok");
    assert!(row(&status, &x)["cpu"].is_null(), "no data points: no load, not a zero");
    assert_eq!((sick["price"]["hourly"].as_u64(), sick["price"]["kind"].as_str()), (Some(10_400_000), Some("on-demand")));
    assert!(row(&status, &c)["price"].is_null(), "no price data for t2.nano: unknown, never made up");
    assert_eq!(row(&status, &x)["price"]["hourly"].as_u64(), Some(22_800_000));
    let today = &today_utc();
    assert_eq!(status["pricesAsOf"].as_str(), Some(today.as_str()));
    let totals = &status["totals"];
    assert_eq!(totals["bySystem"]["web"].as_u64(), Some(15_184_000_000), "2 x $0.0104 x 730: {totals}");
    assert_eq!(totals["bySystem"]["eu"].as_u64(), Some(16_644_000_000));
    assert_eq!(totals["byRegion"]["us-east-1"].as_u64(), Some(15_184_000_000));
    assert_eq!(totals["account"].as_u64(), Some(31_828_000_000));
    assert_eq!(totals["unknownPrice"].as_u64(), Some(1));
    let alerts: Vec<(&str, &str)> =
        status["alerts"].as_array().unwrap().iter().map(|a| (a["kind"].as_str().unwrap(), a["instanceId"].as_str().unwrap())).collect();
    assert_eq!(alerts, [("impaired", a.as_str()), ("scheduled-event", a.as_str())]);
    assert!(region(&status, "eu-west-1")["error"].is_null() && region(&status, "us-east-1")["error"].is_null(), "{status}");

    // The calls: one DescribeInstanceStatus per region (one page each), two GetMetricData
    // windows per region with running instances, one GetProducts per distinct type and region.
    let calls = proxy.full_stats();
    assert_eq!(calls.count("DescribeInstanceStatus"), 2, "{:?}", calls.actions);
    assert_eq!(calls.count("DescribeInstances"), 2, "{:?}", calls.actions);
    assert_eq!(calls.count("GetMetricData"), 4, "{:?}", calls.actions);
    let priced = prices.stats();
    assert_eq!(priced.get_products, 3, "{:?}", priced.queries);
    for (r, t) in [("us-east-1", "t3.micro"), ("us-east-1", "t2.nano"), ("eu-west-1", "t3.small")] {
        assert_eq!(priced.calls_for(r, t), 1, "{r} {t}: {:?}", priced.queries);
    }

    // Text: one line per instance, the alerts with what to do, the totals with the date; the
    // prices come from the cache now.
    prices.reset_stats();
    let out = poni.run(&["cloud", "status"]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    let text = &out.stdout;
    let sick_line = line_of(text, &a);
    for part in [
        "web/a",
        "us-east-1",
        "running",
        "impaired (system)",
        "instance retirement from 2030-01-15 10:00 UTC to 2030-01-16 10:00 UTC",
        "42.0%",
        "$0.0104/h",
        "$7.59/month",
    ] {
        assert!(sick_line.contains(part), "{part:?} not in {sick_line:?}");
    }
    let well = line_of(text, &b);
    assert!(well.contains("  ok  ") && well.contains("3.0%") && well.contains("$7.59/month"), "{well}");
    let unknown = line_of(text, &c);
    assert!(unknown.contains("unknown") && !unknown.contains('$'), "{unknown}");
    assert!(line_of(text, &x).contains("$0.0228/h") && line_of(text, &x).contains("$16.64/month"), "{text}");
    assert!(text.contains(&format!("web/a ({a}) in us-east-1 fails its status checks. Stop and start it")), "{text}");
    assert!(text.contains(&format!("web/a ({a}) in us-east-1: instance retirement scheduled from 2030-01-15 10:00 UTC")), "{text}");
    assert!(text.contains(&format!("prices as of {today}")), "{text}");
    assert!(line_of(text, "system web").ends_with("$15.18"), "{text}");
    assert!(line_of(text, "system eu").ends_with("$16.64"), "{text}");
    assert!(line_of(text, "account ").ends_with("$31.83"), "{text}");
    assert!(text.contains("1 running instance(s) with no known price are not counted"), "{text}");
    assert_eq!(prices.stats().get_products, 0, "a second run asks the Price List nothing: the cache has today's prices");

    // A pattern selects nodes; released, nothing is impaired: exit status 0.
    proxy.release_instance_health(&a);
    let out = poni.run(&["cloud", "status", "^web/b$", "-M"]);
    assert_eq!(out.code, Some(0), "{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.contains(&b) && !out.stdout.contains(&a) && !out.stdout.contains(&x), "{}", out.stdout);
    let (status, code, stderr) = status_json(&poni);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(row(&status, &a)["health"]["system"], "ok");
    assert!(status["alerts"].as_array().unwrap().is_empty(), "{}", status["alerts"]);

    // A region that fails (not enabled for the account) is shown while the other answers.
    proxy.configure(&ProxyConfig::default().with_faults(1.0, &[FaultKind::OptInRequired]).in_regions(&["eu-west-1"]));
    let (status, code, stderr) = status_json(&poni);
    assert_eq!(code, Some(1), "a region that could not be read: exit status 1");
    let eu = region(&status, "eu-west-1");
    assert_eq!(eu["error"]["code"], "cloud.opt_in_required", "{eu}");
    assert!(eu["rows"].as_array().unwrap().is_empty());
    let us = region(&status, "us-east-1");
    assert!(us["error"].is_null(), "{us}");
    assert_eq!(us["rows"].as_array().unwrap().len(), 3);
    assert!(stderr.contains("eu-west-1: ") && stderr.contains("cloud.opt_in_required"), "{stderr}");
    let out = poni.run(&["cloud", "status"]);
    assert!(out.stdout.contains(&a) && !out.stdout.contains(&x), "{}", out.stdout);
}

#[test]
fn every_region_of_the_account_and_bad_input() {
    let proxy = Ec2Proxy::start_shared(ProxyConfig::default());
    let prices = PricingServer::start();
    let dir = tempfile::tempdir().unwrap();
    let poni = Poni::new(&dir.path().join("repo"), proxy.endpoint_url()).with_var("AWS_ENDPOINT_URL_PRICING", prices.endpoint_url());
    poni.ok(&["init"]);
    system(&poni, "web", &["a"], "us-east-1", "m5.large");
    poni.ok(&["cloud", "init", "web", "--wait"]);
    let a = instance_of(&poni, "web/a");

    proxy.reset_stats();
    let out = poni.run(&["cloud", "status", "--all-regions", "--json"]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let status: Value = serde_json::from_str(&out.stdout).unwrap();
    let regions: Vec<&str> = status["regions"].as_array().unwrap().iter().map(|r| r["region"].as_str().unwrap()).collect();
    assert!(regions.len() > 10 && regions.contains(&"eu-west-1") && regions.contains(&"ap-southeast-2"), "moto's regions: {regions:?}");
    assert_eq!(row(&status, &a)["price"]["hourly"].as_u64(), Some(96_000_000));
    assert_eq!(status["totals"]["account"].as_u64(), Some(70_080_000_000), "$0.096 x 730");
    let calls = proxy.full_stats();
    assert_eq!(calls.count("DescribeRegions"), 1);
    assert_eq!(calls.count("DescribeInstanceStatus"), regions.len() as u64, "one per region: {:?}", calls.actions);
    assert_eq!(calls.count("GetMetricData"), 2, "only a region with running instances asks CloudWatch");

    for (args, wanted) in [(vec!["cloud", "status", "web/(["], "web/(["), (vec!["cloud", "status", "--region", "mars-north-1"], "mars-north-1")] {
        let out = poni.run(&args);
        assert_eq!(out.code, Some(2), "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains(wanted), "{}", out.stderr);
    }
    let out = poni.run(&["cloud", "status", "--all-regions", "--region", "us-east-1"]);
    assert_eq!(out.code, Some(2), "conflicting options: {}", out.stderr);
}

/// Today (UTC), as the prices are dated.
fn today_utc() -> String {
    let out = Command::new("date").args(["-u", "+%F"]).output().expect("run date");
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}
