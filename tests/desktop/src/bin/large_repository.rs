//! Measures the desktop app on a 10,000-node repository: the time from starting the app until
//! the tree shows the repository, and the memory of the app and its WebKit processes. A
//! measurement, not a test: run it with `./dev bench desktop` (under a display) and record
//! the output in benches/results/desktop.md.

use poni_e2e_desktop::{DesktopApp, DesktopOptions};
use poni_repo::{AddNodes, Assignment, Repo, Target};
use std::time::Instant;

const NODES: u64 = 10_000;

#[tokio::main]
async fn main() {
    if let Some(why) = poni_e2e_desktop::unavailable() {
        eprintln!("cannot measure: {why}");
        std::process::exit(2);
    }
    let build = if std::env::var_os("PONI_DESKTOP_APP").is_some() { "the app given by PONI_DESKTOP_APP" } else { "the debug build" };
    // The same app on an empty repository first, for the memory it needs anyway.
    let empty_dir = tempfile::tempdir().expect("temporary folder");
    let empty = Repo::init(empty_dir.path().join("repo")).expect("init");
    let app = DesktopApp::start(DesktopOptions { repo: Some(empty.root().to_path_buf()), ..Default::default() }).await;
    app.ui.find("tree-empty").await;
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let empty_memory = memory_by_process();
    app.quit().await;

    let dir = tempfile::tempdir().expect("temporary folder");
    let repo = Repo::init(dir.path().join("repo")).expect("init");
    for system in 0..NODES / 100 {
        let first = system * 100 + 1;
        repo.add_nodes(&AddNodes { ids: first..=first + 99, ..AddNodes::new(format!("region{system:03}/node{{id:05}}")) }).expect("add");
    }
    let set: Vec<_> = ["cloud.provider=aws-ec2", "cloud.region=us-east-1", "cloud.image=ami-12c6146b", "cloud.key-pair=k", "user=root"]
        .iter()
        .map(|a| Assignment::parse(a).expect("valid"))
        .collect();
    repo.set(&Target::all(), &set).expect("set");

    let started = Instant::now();
    let app = DesktopApp::start(DesktopOptions { repo: Some(repo.root().to_path_buf()), ..Default::default() }).await;
    let window = started.elapsed();
    app.ui.wait_text("tree-count", &NODES.to_string()).await;
    app.ui.find("tree-row-region000").await;
    let tree_shown = started.elapsed();
    // Unfold one system of 100 nodes (a double-click toggles it); the virtualized list renders
    // only the rows in view, so the first child is what appears.
    let unfold_start = Instant::now();
    app.ui.double_click("tree-row-region000").await;
    app.ui.find("tree-row-region000/node00001").await;
    let unfold = unfold_start.elapsed();
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let memory = memory_by_process();
    app.ui.screenshot("desktop-10000-nodes").await;
    app.quit().await;

    println!("Measured: {build}.\n");
    println!("| measurement | value |");
    println!("|---|---:|");
    println!("| window shown (WebDriver session ready) | {:.2} s |", window.as_secs_f64());
    println!("| tree shows all {NODES} nodes (from start) | {:.2} s |", tree_shown.as_secs_f64());
    println!("| tree shown after the window appeared | {:.2} s |", (tree_shown - window).as_secs_f64());
    println!("| unfold a system of 100 nodes | {:.0} ms |", unfold.as_secs_f64() * 1000.0);
    // The app's own processes: the WebDriver helper belongs to the measurement, not the app.
    let total = |m: &[(String, u64)]| m.iter().filter(|(n, _)| n != "WebKitWebDriver").map(|(_, k)| *k).sum::<u64>() as f64 / 1024.0;
    for (name, kib) in &memory {
        let before = empty_memory.iter().find(|(n, _)| n == name).map_or(0, |(_, k)| *k);
        println!("| memory (RSS) {name} | {:.0} MB (empty repository: {:.0} MB) |", *kib as f64 / 1024.0, before as f64 / 1024.0);
    }
    println!(
        "| memory, app and WebKit together | {:.0} MB, {:.2} times the empty repository's {:.0} MB |",
        total(&memory),
        total(&memory) / total(&empty_memory).max(1.0),
        total(&empty_memory)
    );
}

/// Resident memory of the app and its WebKit helper processes, summed by process name.
fn memory_by_process() -> Vec<(String, u64)> {
    let mut totals: std::collections::BTreeMap<String, u64> = Default::default();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let status = std::fs::read_to_string(entry.path().join("status")).unwrap_or_default();
        let field = |key: &str| status.lines().find_map(|l| l.strip_prefix(key)).map(|v| v.trim().to_string());
        let (Some(name), Some(rss)) = (field("Name:"), field("VmRSS:")) else { continue };
        if name.starts_with("poni-desktop") || name.starts_with("WebKit") {
            let kib: u64 = rss.trim_end_matches("kB").trim().parse().unwrap_or(0);
            *totals.entry(name).or_default() += kib;
        }
    }
    totals.into_iter().collect()
}
