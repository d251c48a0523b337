//! Existing fleets in the real app, against moto behind the test proxy: instances made outside
//! poni appear in the Fleet tab, grouped; one is picked and imported as a node after a preview,
//! and its file holds the instance's properties; the table sorts and filters; an instance
//! changed behind the app's back shows as drift, which is taken into the node.

use poni_e2e::{env_for, Ec2Client, Ec2Proxy, ProxyConfig, TEST_AMI};
use poni_e2e_desktop::{unavailable, DesktopApp, DesktopOptions};
use serde_json::json;
use std::time::Duration;
use thirtyfour::Key;

/// A node `web1` in us-east-1, made in the app: that makes it a region in use, which the
/// Fleet tab lists.
async fn node_in_us_east_1(app: &DesktopApp) {
    let ui = &app.ui;
    ui.click("empty-new-node").await;
    ui.fill("nodes-template", "web1").await;
    ui.click("nodes-submit").await;
    ui.wait_text("cloud-prefilled", "us-east-1").await;
    ui.click("editor-save").await;
    app.wait_node("web1", |v| v["cloud"]["region"] == json!("us-east-1")).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn instances_made_elsewhere_are_seen_and_imported() {
    if let Some(why) = unavailable() {
        eprintln!("SKIPPED: {why}");
        return;
    }
    let proxy = Ec2Proxy::start_shared(ProxyConfig::default());
    let ec2 = Ec2Client::new(proxy.endpoint_url());
    let ids = ec2.run_instances(2);
    ec2.call_ok("CreateTags", &[("ResourceId.1", &ids[0]), ("Tag.1.Key", "Name"), ("Tag.1.Value", "legacy/db")]);
    let aws = env_for(proxy.endpoint_url());
    let app = DesktopApp::start(DesktopOptions { env: aws.vars().to_vec(), ..Default::default() }).await;
    let ui = &app.ui;

    node_in_us_east_1(&app).await;

    // From the overview, as a newcomer would: "See the account's instances and import them".
    ui.click("tab-overview").await;
    ui.click("overview-import").await;
    for id in &ids {
        ui.wait_attr(&format!("fleet-row-{id}"), "data-tracking", "untracked", Duration::from_secs(20)).await;
    }
    let count = ui.wait_text("fleet-count", "instances in us-east-1").await;
    assert!(count.contains("2 of 2"), "{count}");
    ui.screenshot("fleet-1-table").await;
    ui.click(&format!("fleet-pick-{}", ids[0])).await;
    ui.click("fleet-import").await;
    let row = ui.wait_text(&format!("import-row-{}", ids[0]), "imported/legacy-db").await;
    assert!(row.contains("legacy/db"), "the Name tag is shown beside the name made valid: {row}");
    ui.screenshot("fleet-2-import-preview").await;
    ui.click("import-confirm").await;
    let node = app.wait_node("imported/legacy-db", |v| v["cloud"]["instance"].is_string()).await;
    assert_eq!(node["cloud"]["instance"], json!(ids[0]));
    assert_eq!(node["cloud"]["image"], json!(TEST_AMI));
    assert_eq!(node["cloud"]["region"], json!("us-east-1"));
    ui.wait_attr(&format!("fleet-row-{}", ids[0]), "data-tracking", "tracked", Duration::from_secs(20)).await;
    ui.find("tree-row-imported").await; // the system it was put in

    // The table sorts and filters: by instance type, then only the imported one by its name.
    let other = ec2.run_instances(1).remove(0);
    ec2.call_ok("StopInstances", &[("InstanceId.1", &other)]);
    ec2.call_ok("ModifyInstanceAttribute", &[("InstanceId", &other), ("InstanceType.Value", "c5.large")]);
    ui.click("fleet-refresh").await;
    ui.wait_attr(&format!("fleet-row-{other}"), "data-tracking", "untracked", Duration::from_secs(20)).await;
    ui.click("fleet-sort-type").await;
    let rows = ui.page_source().await;
    let first = rows.find(&format!("fleet-row-{other}")).expect("the c5.large row");
    let imported = rows.find(&format!("fleet-row-{}", ids[0])).expect("the imported row");
    assert!(first < imported, "sorted by type, c5.large comes before m1.small (moto's default)");
    ui.fill("fleet-filter", "legacy").await;
    ui.gone(&format!("fleet-row-{other}")).await;
    ui.find(&format!("fleet-row-{}", ids[0])).await;
    ui.screenshot("fleet-3-sorted-filtered").await;
    ui.fill("fleet-filter", "").await;

    // Drift: the imported node's instance gets another type behind the app's back. The node
    // view shows it, the tree marks it, and "Use instance's value" takes it into the node.
    ec2.call_ok("StopInstances", &[("InstanceId.1", &ids[0])]);
    ec2.call_ok("ModifyInstanceAttribute", &[("InstanceId", &ids[0]), ("InstanceType.Value", "t3.large")]);
    ui.click("fleet-refresh").await;
    ui.find("drift-imported/legacy-db-instanceType").await;
    ui.click("tree-row-imported").await;
    ui.keys(Key::Right).await; // unfold the system, as the arrow key does in any tree
    ui.click("tree-row-imported/legacy-db").await;
    let row = ui.wait_text("node-drift-instanceType", "t3.large").await;
    assert!(row.contains("Instance type"), "{row}");
    ui.find("tree-drift-imported/legacy-db").await;
    ui.screenshot("fleet-4-drift").await;
    ui.click("node-drift-take-instanceType").await;
    app.wait_node("imported/legacy-db", |v| v["cloud"]["type"] == json!("t3.large")).await;
    ui.gone("node-drift-instanceType").await;
    app.quit().await;
}

/// Undoing an import takes the nodes back and leaves the instances alone: they ran before the
/// import (they may be production machines), so the notice says they keep running and offers
/// no Terminate. One import of three instances is one undo.
#[tokio::test(flavor = "multi_thread")]
async fn undoing_an_import_never_offers_to_terminate_what_ran_before_it() {
    if let Some(why) = unavailable() {
        eprintln!("SKIPPED: {why}");
        return;
    }
    let proxy = Ec2Proxy::start_shared(ProxyConfig::default());
    let ec2 = Ec2Client::new(proxy.endpoint_url());
    let ids = ec2.run_instances(3);
    for (id, name) in ids.iter().zip(["legacy-db", "legacy-web1", "legacy-web2"]) {
        ec2.call_ok("CreateTags", &[("ResourceId.1", id), ("Tag.1.Key", "Name"), ("Tag.1.Value", name)]);
    }
    let aws = env_for(proxy.endpoint_url());
    let app = DesktopApp::start(DesktopOptions { env: aws.vars().to_vec(), ..Default::default() }).await;
    let ui = &app.ui;
    node_in_us_east_1(&app).await;

    ui.click("tab-overview").await;
    ui.click("overview-import").await;
    for id in &ids {
        ui.wait_attr(&format!("fleet-row-{id}"), "data-tracking", "untracked", Duration::from_secs(20)).await;
        ui.click(&format!("fleet-pick-{id}")).await;
    }
    ui.click("fleet-import").await;
    ui.wait_text(&format!("import-row-{}", ids[2]), "imported/legacy-web2").await;
    ui.click("import-confirm").await;
    for name in ["imported/legacy-db", "imported/legacy-web1", "imported/legacy-web2"] {
        app.wait_node(name, |v| v["cloud"]["instance"].is_string()).await;
    }

    ui.wait_attr(
        "action-undo",
        "aria-label",
        "Undo: Import 3 instances as imported/legacy-db, imported/legacy-web1 and imported/legacy-web2",
        Duration::from_secs(20),
    )
    .await;
    ui.click("action-undo").await;
    let said = ui.wait_text("undo-imported", "not affected").await;
    assert!(said.contains(&ids[0]) && said.contains("imported, not launched here"), "{said}");
    assert!(!ui.exists("undo-terminate").await, "no Terminate for instances that ran before the import");
    ui.gone("tree-row-imported").await;
    ui.screenshot("fleet-5-undo-import").await;
    for name in ["imported/legacy-db", "imported/legacy-web1", "imported/legacy-web2"] {
        assert!(!app.exists(name), "{name} is gone from disk");
    }
    let still = ec2.describe_instances(&[("instance-id", &ids.iter().map(String::as_str).collect::<Vec<_>>())]);
    assert_eq!(still.len(), 3);
    assert!(still.iter().all(|i| i.state == "running"), "{still:?}");
    // One undo took the whole import back: the next one is the node made before it.
    let import_label = "Undo: Import 3 instances as imported/legacy-db, imported/legacy-web1 and imported/legacy-web2";
    let mut next = ui.attr("action-undo", "aria-label").await.unwrap_or_default();
    for _ in 0..50 {
        if next != import_label {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        next = ui.attr("action-undo", "aria-label").await.unwrap_or_default();
    }
    assert!(!next.contains("Import") && next.contains("web1"), "{next}");
    app.quit().await;
}
