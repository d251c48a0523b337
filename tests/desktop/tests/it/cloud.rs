//! The seed document's whole walkthrough in the real app, by point and click, against moto
//! behind the test proxy (which holds pending and shutting-down for a few seconds, as EC2
//! does): build four nodes, launch them and watch each badge go pending -> running as the
//! addresses arrive, terminate them and watch shutting-down -> terminated as the addresses
//! are emptied. The repository files are checked after each step.

use poni_e2e::{env_for, Ec2Proxy, FaultKind, ProxyConfig, TEST_AMI};
use poni_e2e_desktop::{unavailable, DesktopApp, DesktopOptions, Ui};
use serde_json::json;
use std::time::Duration;

const STATES: Duration = Duration::from_secs(60);

async fn start(proxy: &Ec2Proxy) -> (DesktopApp, poni_e2e::AwsEnv) {
    let aws = env_for(proxy.endpoint_url());
    // The app gets the AWS settings but keeps its own sandboxed HOME-less repository paths.
    let env = aws.vars().iter().filter(|(k, _)| k != "HOME").cloned().collect();
    (DesktopApp::start(DesktopOptions { env, ..Default::default() }).await, aws)
}

/// The seed document's nodes, made in the UI: drumbo1 with its cloud properties, cloned
/// into drumbo2..4 with copied properties.
async fn build_seed_nodes(app: &DesktopApp, image: &str) {
    let ui = &app.ui;
    ui.click("empty-new-node").await;
    ui.fill("nodes-template", "drumbo1").await;
    ui.click("nodes-submit").await;
    ui.double_click("tree-row-drumbo1").await;
    ui.select("cloud-provider", "aws-ec2").await;
    ui.select("cloud-region", "us-east-1").await;
    if !image.is_empty() {
        ui.fill("cloud-image", image).await;
    }
    ui.fill("cloud-key-pair", "my-keypair").await;
    ui.fill("cloud-user", "root").await;
    ui.click("editor-save").await;
    app.wait_node("drumbo1", |v| v.get("user").is_some()).await;
    ui.click("tree-row-drumbo1").await;
    ui.click("action-clone").await;
    ui.fill("nodes-template", "drumbo{id}").await;
    ui.fill("nodes-count", "2..4").await;
    ui.find("preview-row-drumbo4").await;
    ui.click("nodes-submit").await;
    for n in 2..=4 {
        app.wait_node(&format!("drumbo{n}"), |v| v.get("parent").is_some()).await;
    }
}

async fn select_all_four(ui: &Ui) {
    ui.click("tree-row-drumbo1").await;
    for n in 2..=4 {
        ui.ctrl_click(&format!("tree-row-drumbo{n}")).await;
    }
}

async fn wait_states(ui: &Ui, state: &str) {
    for n in 1..=4 {
        ui.wait_attr(&format!("tree-row-drumbo{n}"), "data-state", state, STATES).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_seed_walkthrough_by_point_and_click() {
    if let Some(why) = unavailable() {
        eprintln!("SKIPPED: {why}");
        return;
    }
    // EC2 answers "pending" for 6 s: long enough for the badges to be seen under a loaded CI machine.
    let proxy = Ec2Proxy::start_shared(ProxyConfig::default().with_holds(Duration::from_secs(6)));
    let (app, _aws) = start(&proxy).await;
    let ui = &app.ui;
    build_seed_nodes(&app, TEST_AMI).await;

    // The fleet at a glance before anything runs.
    ui.click("tab-overview").await;
    ui.find("fleet").await;
    ui.screenshot("cloud-1-dashboard").await;

    // Launch all four: the preview says what will happen, then badges move on their own.
    select_all_four(ui).await;
    ui.click("action-launch").await;
    ui.wait_text("launch-preview", "drumbo4").await;
    ui.click("launch-confirm").await;
    wait_states(ui, "pending").await;
    ui.screenshot("cloud-2-launch-in-progress").await;
    for n in 1..=4 {
        let node = app.wait_node(&format!("drumbo{n}"), |v| v["cloud"]["instance"].as_str().is_some_and(|i| i.starts_with("i-"))).await;
        assert_eq!(node["host"], json!(""), "no address while pending");
    }
    wait_states(ui, "running").await;
    for n in 1..=4 {
        let node = app.wait_node(&format!("drumbo{n}"), |v| v["host"].as_str().is_some_and(|h| !h.is_empty())).await;
        assert!(node["private"]["ip"].as_str().is_some_and(|ip| !ip.is_empty()), "drumbo{n}: {node}");
        assert!(node["private"]["dns"].as_str().is_some_and(|d| !d.is_empty()), "drumbo{n}: {node}");
    }
    ui.click("tree-row-drumbo2").await;
    let host = app.node_file("drumbo2")["host"].as_str().unwrap().to_string();
    ui.wait_text("inspector-host", &host).await;
    ui.find("inspector-timeline").await;
    ui.screenshot("cloud-3-launch-finished").await;
    assert_eq!(proxy.stats().get("RunInstances").copied().unwrap_or(0), 1, "the four nodes share their launch settings: one grouped call");

    // Terminate all four, after a confirmation naming their instances; watch them go.
    select_all_four(ui).await;
    ui.click("action-terminate").await;
    let listed = ui.wait_text("terminate-dialog", "4 instances").await;
    for n in 1..=4 {
        let id = app.node_file(&format!("drumbo{n}"))["cloud"]["instance"].as_str().unwrap().to_string();
        assert!(listed.contains(&id), "the confirmation names {id}: {listed}");
    }
    ui.click("terminate-confirm").await;
    wait_states(ui, "shutting-down").await;
    ui.screenshot("cloud-4-terminating").await;
    wait_states(ui, "terminated").await;
    for n in 1..=4 {
        let node = app.wait_node(&format!("drumbo{n}"), |v| v["host"] == json!("")).await;
        assert_eq!(node["private"], json!({"ip": null, "dns": ""}), "drumbo{n}");
    }
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_property_is_shown_on_the_node_and_nothing_launches() {
    if let Some(why) = unavailable() {
        eprintln!("SKIPPED: {why}");
        return;
    }
    let proxy = Ec2Proxy::start_shared(ProxyConfig::default());
    let (app, _aws) = start(&proxy).await;
    let ui = &app.ui;
    build_seed_nodes(&app, "").await; // no image
    select_all_four(ui).await;
    ui.click("action-launch").await;
    let problem = ui.wait_text("preview-problem-drumbo1", "image").await;
    assert!(problem.to_lowercase().contains("image"), "{problem}");
    let confirm = ui.find("launch-confirm").await;
    assert!(!confirm.is_enabled().await.unwrap(), "launch is blocked while a node has problems");
    ui.screenshot("cloud-5-missing-property").await;
    assert_eq!(proxy.stats().get("RunInstances").copied().unwrap_or(0), 0, "nothing launched");
    assert!(app.node_file("drumbo1")["cloud"].get("instance").is_none());
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn injected_throttling_still_ends_with_every_node_running() {
    if let Some(why) = unavailable() {
        eprintln!("SKIPPED: {why}");
        return;
    }
    let config = ProxyConfig::default().with_holds(Duration::from_secs(1)).with_faults(0.25, &[FaultKind::Throttle, FaultKind::Http503]);
    // A fixed seed: the same faults every run (this one throttles early launches).
    let proxy = Ec2Proxy::start_shared(ProxyConfig { seed: 7, ..config });
    let (app, _aws) = start(&proxy).await;
    let ui = &app.ui;
    build_seed_nodes(&app, TEST_AMI).await;
    select_all_four(ui).await;
    ui.click("action-launch").await;
    ui.wait_text("launch-preview", "drumbo4").await;
    ui.click("launch-confirm").await;
    wait_states(ui, "running").await;
    for n in 1..=4 {
        app.wait_node(&format!("drumbo{n}"), |v| v["host"].as_str().is_some_and(|h| !h.is_empty())).await;
    }
    assert!(proxy.faults_injected() > 0, "faults were injected");
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn credentials_saved_in_the_ui_land_in_the_secret_service_and_never_come_back() {
    if let Some(why) = unavailable() {
        eprintln!("SKIPPED: {why}");
        return;
    }
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        eprintln!("SKIPPED: no D-Bus session (./dev test runs this inside one with gnome-keyring)");
        return;
    }
    let service = format!("poni-desktop-e2e-{}", std::process::id());
    let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
    let env = vec![("PONI_DESKTOP_KEYRING_SERVICE".to_string(), service.clone())];
    let app = DesktopApp::start(DesktopOptions { env, ..Default::default() }).await;
    let ui = &app.ui;
    ui.click("theme-menu").await; // the gear menu: theme, then Settings…
    ui.click("open-settings").await;
    ui.fill("settings-credentials-name", "work").await;
    ui.fill("settings-credentials-key-id", "AKIAIOSFODNN7EXAMPLE").await;
    ui.fill("settings-credentials-secret", secret).await;
    ui.click("settings-credentials-save").await;
    ui.wait_text("settings-set-key-work", "AKIAIOSFODNN7EXAMPLE").await;

    let stored = std::process::Command::new("secret-tool").args(["search", "--all", "service", &service]).output().expect("secret-tool");
    let stored = format!("{}{}", String::from_utf8_lossy(&stored.stdout), String::from_utf8_lossy(&stored.stderr));
    assert!(stored.contains(secret), "the secret is in the Secret Service: {stored}");
    ui.screenshot("cloud-6-settings").await;
    assert!(!ui.page_source().await.contains(secret), "the secret never comes back to the UI");
    let config = std::fs::read_to_string(app.sandbox.path().join("config/settings.json")).unwrap_or_default();
    assert!(!config.contains(secret), "nor into the settings file");
    let _ = std::process::Command::new("secret-tool").args(["clear", "service", &service]).status();
    app.quit().await;
}
