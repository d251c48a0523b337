//! The desktop workspace end to end: the real app in a real window, driven like a person
//! would, with the repository files on disk checked after each step and a screenshot of each
//! main screen saved to tests/artifacts/.

use poni_e2e_desktop::{unavailable, DesktopApp, DesktopOptions};
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn build_clone_edit_and_delete_nodes_by_point_and_click() {
    if let Some(why) = unavailable() {
        eprintln!("SKIPPED: {why}");
        return;
    }
    let app = DesktopApp::start(DesktopOptions::default()).await;
    let ui = &app.ui;

    // First start: the default repository is created and the empty state teaches.
    assert!(app.repo.join("repo.json").is_file(), "the default repository is created on first start");
    ui.find("empty-repository").await;
    ui.screenshot("workspace-1-empty").await;

    // Add a node.
    ui.click("empty-new-node").await;
    ui.find("new-node-dialog").await;
    ui.fill("nodes-template", "drumbo1").await;
    ui.click("nodes-submit").await;
    ui.find("tree-row-drumbo1").await;
    assert_eq!(app.wait_node("drumbo1", |_| true).await, json!({"host": ""}));

    // Set its cloud properties in the editor.
    ui.double_click("tree-row-drumbo1").await;
    ui.find("cloud-section").await;
    ui.select("cloud-provider", "aws-ec2").await;
    ui.select("cloud-region", "us-east-1").await;
    ui.fill("cloud-image", "ami-daf615b3").await;
    ui.fill("cloud-key-pair", "my-keypair").await;
    ui.fill("cloud-user", "root").await;
    ui.screenshot("workspace-2-editor").await;
    ui.click("editor-save").await;
    let cloud = json!({"image": "ami-daf615b3", "key-pair": "my-keypair", "provider": "aws-ec2", "region": "us-east-1"});
    let saved = app.wait_node("drumbo1", |v| v.get("user") == Some(&json!("root"))).await;
    assert_eq!(saved, json!({"host": "", "cloud": cloud, "user": "root"}));

    // Clone three from it with {id} and a range; the preview lists the names first.
    ui.click("tree-row-drumbo1").await;
    ui.click("action-clone").await;
    ui.find("clone-dialog").await;
    ui.fill("nodes-template", "drumbo{id}").await;
    ui.fill("nodes-count", "2..4").await;
    for n in 2..=4 {
        ui.find(&format!("preview-row-drumbo{n}")).await;
    }
    ui.screenshot("workspace-3-clone-dialog").await;
    ui.click("nodes-submit").await;
    for n in 2..=4 {
        let name = format!("drumbo{n}");
        let clone = app.wait_node(&name, |_| true).await;
        assert_eq!(clone, json!({"host": "", "cloud": cloud, "user": "root", "parent": "drumbo1"}), "{name}");
        let row = ui.find(&format!("tree-row-{name}")).await;
        let text = row.prop("textContent").await.unwrap().unwrap_or_default();
        assert!(text.contains("<= drumbo1"), "{name} shows its clone mark: {text:?}");
    }

    // Edit a clone.
    ui.double_click("tree-row-drumbo3").await;
    ui.fill("cloud-type", "t3.small").await;
    ui.click("editor-save").await;
    let edited = app.wait_node("drumbo3", |v| v["cloud"].get("type").is_some()).await;
    assert_eq!(edited["cloud"]["type"], json!("t3.small"));
    assert_eq!(app.node_file("drumbo2")["cloud"].get("type"), None, "only drumbo3 changed");

    // The overview and the graph of the clone family.
    ui.click("tab-overview").await;
    ui.wait_text("stat-nodes-value", "4").await;
    ui.screenshot("workspace-4-overview").await;
    ui.click("tree-row-drumbo1").await;
    ui.click("tab-graph").await;
    ui.find("graph-node-drumbo4").await;
    ui.screenshot("workspace-5-graph").await;

    // Delete one, after a confirmation that says what goes.
    ui.click("tree-row-drumbo4").await;
    ui.click("action-delete").await;
    ui.wait_text("delete-summary", "drumbo4").await;
    ui.click("delete-confirm").await;
    ui.gone("tree-row-drumbo4").await;
    assert!(!app.exists("drumbo4"), "drumbo4 is gone from disk");
    assert!(app.exists("drumbo3"));

    app.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn changes_made_by_the_command_line_show_up_without_a_restart() {
    if let Some(why) = unavailable() {
        eprintln!("SKIPPED: {why}");
        return;
    }
    let app = DesktopApp::start(DesktopOptions::default()).await;
    app.ui.find("empty-repository").await;
    // Another program (here: plain file writes, as the poni CLI makes them) adds a node.
    let dir = app.repo.join("system/web/app1");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(app.repo.join("system/web/system.json"), "{}").unwrap();
    std::fs::write(dir.join("node.json"), "{\n    \"host\": \"\"\n}").unwrap();
    app.ui.find("tree-row-web").await;
    app.quit().await;
}
