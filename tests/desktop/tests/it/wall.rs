//! The fleet wall in the real app, against moto behind the test proxy (which holds one instance
//! impaired and gives another a retirement event, as moto reports every running instance ok,
//! and makes one region fail), moto's CloudWatch (CPU data points written first) and the local
//! Price List server (moto has none), every endpoint given through the standard variables:
//! the tree marks both instances, the Overview lists them with what to do and sums a system's
//! month to the cent against the replayed prices, a failing region is shown in its place
//! while the other shows, and the Fleet tab draws the sparklines.

use std::process::Command;
use std::time::{Duration, Instant};

use poni_e2e::{env_for, venv_dir, Ec2Proxy, FaultKind, InstanceHealth, Poni, PricingServer, ProxyConfig, TEST_AMI};
use poni_e2e_desktop::{unavailable, DesktopApp, DesktopOptions, Ui};
use serde_json::Value;

const RETIREMENT_FROM: &str = "2030-01-15T10:00:00Z";
const RETIREMENT_TO: &str = "2030-01-16T10:00:00Z";
/// On-demand Linux t3.micro in us-east-1, in billionths of a dollar, as
/// harness/prices/ec2-sample.json (the Price List server's documents) has it: $0.0104.
const T3_MICRO_HOURLY: u64 = 10_400_000;
/// The first wall asks STS, EC2, CloudWatch and the Price List: give it time on a loaded machine.
const WALL: Duration = Duration::from_secs(90);

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

/// `$15.18`: billionths of a dollar to the cent, rounded half up as a bill is.
fn dollars(nanos: u64) -> String {
    let cents = (nanos + 5_000_000) / 10_000_000;
    format!("${}.{:02}", cents / 100, cents % 100)
}

/// Waits (longer than the usual 15 s) until an element with this test id is there.
async fn wait_for(ui: &Ui, test_id: &str, within: Duration) {
    let deadline = Instant::now() + within;
    while !ui.exists(test_id).await {
        assert!(Instant::now() < deadline, "[data-testid={test_id}] never appeared within {within:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn impaired_and_retiring_instances_are_marked_listed_and_priced() {
    if let Some(why) = unavailable() {
        eprintln!("SKIPPED: {why}");
        return;
    }
    let proxy = Ec2Proxy::start_shared(ProxyConfig::default());
    let prices = PricingServer::start();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    let poni = Poni::new(&root, proxy.endpoint_url()).with_var("AWS_ENDPOINT_URL_PRICING", prices.endpoint_url());
    poni.ok(&["init"]);
    // web: two t3.micro in us-east-1; eu: one t3.small in Ireland, the region that will fail.
    system(&poni, "web", &["a", "b"], "us-east-1", "t3.micro");
    system(&poni, "eu", &["x"], "eu-west-1", "t3.small");
    poni.ok(&["cloud", "init", ".", "--wait"]);
    let (a, b) = (instance_of(&poni, "web/a"), instance_of(&poni, "web/b"));
    put_cpu(&proxy, "us-east-1", &a, 42.0);
    put_cpu(&proxy, "us-east-1", &b, 3.0);
    // Ireland is not enabled for the account now; Virginia answers.
    proxy.configure(&ProxyConfig::default().with_faults(1.0, &[FaultKind::OptInRequired]).in_regions(&["eu-west-1"]));
    proxy.set_instance_health(&a, &InstanceHealth::system_impaired());
    proxy.set_instance_health(
        &b,
        &InstanceHealth::default().with_event("instance-retirement", "The instance is running on degraded hardware", RETIREMENT_FROM, RETIREMENT_TO),
    );

    let aws = env_for(proxy.endpoint_url());
    // The app gets the AWS settings (and a fresh cache folder through XDG_CACHE_HOME) but keeps
    // its own sandboxed settings; the Price List is the local server.
    let mut env: Vec<(String, String)> = aws.vars().iter().filter(|(k, _)| k != "HOME").cloned().collect();
    env.push(("AWS_ENDPOINT_URL_PRICING".into(), prices.endpoint_url().into()));
    let app = DesktopApp::start(DesktopOptions { env, repo: Some(root.clone()) }).await;
    let ui = &app.ui;

    // The Overview (the first tab): the alerts in the core's words, with what to do.
    let impaired = format!("overview-alert-impaired-{a}");
    let retiring = format!("overview-alert-scheduled-event-{b}");
    wait_for(ui, &impaired, WALL).await;
    let text = ui.wait_text(&impaired, &format!("web/a ({a}) in us-east-1 fails its status checks")).await;
    assert!(text.contains("Stop and start it to move it to another host"), "{text}");
    let text = ui.wait_text(&retiring, "instance retirement scheduled from 2030-01-15 10:00 UTC").await;
    assert!(text.contains("Reschedule the event in the EC2 console"), "{text}");
    assert!(!ui.exists(&format!("overview-alert-impaired-{b}")).await, "only web/a is impaired");

    // The failing region says so in its place; the other region's wall shows beside it.
    let failed = ui.wait_text("overview-region-error-eu-west-1", "eu-west-1").await;
    assert!(!failed.trim_start_matches("eu-west-1").trim().is_empty(), "the region's error is worded: {failed}");

    // The month of system web to the cent: two t3.micro at the replayed price, 730 hours each.
    let web = dollars(2 * T3_MICRO_HOURLY * 730);
    assert_eq!(web, "$15.18");
    ui.wait_text("overview-cost-system-web-monthly", &web).await;
    assert_eq!(ui.text("overview-cost-system-web-monthly").await.trim(), web);
    ui.wait_text("overview-prices-as-of", "prices as of 20").await;
    ui.screenshot("wall-1-overview-alerts-and-costs").await;

    // The tree marks both, each on its own row.
    ui.unfold("web", "web/a").await;
    ui.wait_attr("tree-health-web/a", "data-health", "impaired", WALL).await;
    ui.wait_attr("tree-health-web/b", "data-health", "event", WALL).await;
    let title = ui.attr("tree-health-web/a", "title").await.unwrap_or_default();
    assert!(title.contains("fails its status checks"), "{title}");

    // An alert selects its node.
    ui.click(&impaired).await;
    ui.wait_attr("tree-row-web/a", "aria-selected", "true", Duration::from_secs(15)).await;
    ui.screenshot("wall-2-tree-marks").await;

    // The Fleet tab: the checks, the event with its day, a sparkline per instance with its
    // average, the prices; the failing region above the rows.
    ui.click("tab-fleet").await;
    wait_for(ui, &format!("fleet-impaired-{a}"), WALL).await;
    // WebKitWebDriver reads no visible text from the table's clipped cells although the
    // screenshot (wall-3) shows them: their text content is read instead.
    let event = ui.text_content(&format!("fleet-event-{b}")).await;
    assert!(event.contains("Retirement 2030-01-15"), "{event}");
    for (id, average) in [(&a, "42%"), (&b, "3.0%")] {
        let points: usize = ui.attr(&format!("fleet-cpu-{id}"), "data-points").await.unwrap_or_default().parse().unwrap_or(0);
        assert!((30..=36).contains(&points), "{id}: a sparkline of the last 3 hours' 5-minute points, got {points}");
        assert!(ui.css_exists(&format!("[data-testid=\"fleet-cpu-{id}\"] polyline")).await, "{id}: the line is drawn");
        ui.wait_text(&format!("fleet-cpu-average-{id}"), average).await;
    }
    let hourly = ui.text_content(&format!("fleet-hourly-{a}")).await;
    assert!(hourly.contains("$0.0104"), "{hourly}");
    let monthly = ui.text_content(&format!("fleet-monthly-{a}")).await;
    assert!(monthly.contains("$7.59"), "{monthly}");
    ui.find("fleet-region-error-eu-west-1").await;
    // By CPU, busiest first: web/a (42%) before web/b (3%).
    ui.click("fleet-sort-cpu").await;
    ui.click("fleet-sort-cpu").await;
    let page = ui.page_source().await;
    let (first, second) = (page.find(&format!("fleet-row-{a}")), page.find(&format!("fleet-row-{b}")));
    assert!(matches!((first, second), (Some(x), Some(y)) if x < y), "sorted by CPU, busiest first");
    ui.screenshot("wall-3-fleet-sparklines").await;
    app.quit().await;
}
