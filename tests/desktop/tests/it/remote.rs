//! After launch, in the real app against Debian's OpenSSH server on loopback: Connect opens a
//! terminal tab (the new host key is accepted by the user, as no console output vouches for
//! it), `echo $((6*7))` typed there comes back as 42; a changed host key is refused; Run
//! command on a system shows every node's exit status and groups the same outputs; Copy files
//! puts a file on the nodes.

use poni_e2e::{Poni, SshKeys, Sshd};
use poni_e2e_desktop::{unavailable, DesktopApp, DesktopOptions};
use std::time::Duration;
use thirtyfour::Key;

/// No EC2 is involved: the nodes have no instance.
const NO_EC2: &str = "http://127.0.0.1:9";

fn repository(dir: &std::path::Path, sshd: &Sshd, keys: &SshKeys) -> std::path::PathBuf {
    let root = dir.join("repo");
    let poni = Poni::new(&root, NO_EC2);
    poni.ok(&["init"]);
    for node in ["web/1", "web/2", "web/3"] {
        poni.ok(&["add-node", node]);
        poni.ok(&[
            "set",
            "-M",
            node,
            "host=127.0.0.1",
            &format!("user={}", sshd.user()),
            &format!("ssh-port:int={}", sshd.port()),
            &format!("ssh-key={}", keys.client_key.display()),
        ]);
    }
    root
}

#[tokio::test(flavor = "multi_thread")]
async fn a_terminal_a_command_on_many_nodes_and_a_copy() {
    if let Some(why) = unavailable() {
        eprintln!("SKIPPED: {why}");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let keys = SshKeys::generate(dir.path());
    let mut sshd = Sshd::start(&keys);
    let repo = repository(dir.path(), &sshd, &keys);
    let app = DesktopApp::start(DesktopOptions { repo: Some(repo), ..Default::default() }).await;
    let ui = &app.ui;

    // Connect: the key is new and nothing vouches for it, so the user sees its fingerprint.
    ui.unfold("web", "web/1").await;
    ui.click("tree-row-web/1").await;
    ui.click("node-connect").await;
    let question = ui.wait_text("terminal-pane", &sshd.host_key_fingerprint()).await;
    assert!(question.contains("127.0.0.1"), "{question}");
    ui.screenshot("remote-1-new-host-key").await;
    ui.click("hostkey-accept").await;
    ui.wait_attr("terminal-hostkey", "data-outcome", "acceptedByUser", Duration::from_secs(20)).await;
    ui.css("[data-testid=terminal-view] .xterm").await.click().await.expect("focus the terminal");
    ui.keys("echo $((6*7))").await;
    ui.keys(Key::Enter).await;
    let screen = ui.wait_text("terminal-view", "42").await;
    assert!(screen.contains("echo $((6*7))"), "{screen}");
    ui.screenshot("remote-2-terminal").await;
    ui.keys("exit 7").await;
    ui.keys(Key::Enter).await;
    ui.wait_text("terminal-view", "exit status 7").await;

    // The same address with another host key: refused, and nothing offers to replace it
    // (no instance ids say the machine was replaced).
    sshd.restart_with_new_host_key();
    ui.click("terminal-reconnect").await;
    let refused = ui.wait_text("terminal-pane", &sshd.host_key_fingerprint()).await;
    assert!(!ui.exists("hostkey-replace").await, "no replacement offered without instance ids: {refused}");
    assert!(!ui.exists("hostkey-accept").await, "{refused}");
    ui.screenshot("remote-3-changed-host-key").await;

    // Run command on the system: the nodes' host key is known now... except that it changed;
    // put the new one in place the way a user would after rebuilding: a fresh server key on
    // a new port is a new host, saved on first use by runs.
    drop(sshd);
    let sshd = Sshd::start(&keys);
    let poni = Poni::new(&app.repo, NO_EC2);
    poni.ok(&["set", "web", &format!("ssh-port:int={}", sshd.port())]);
    ui.click("tree-row-web").await;
    ui.click("run-command-open").await;
    ui.fill("run-command-input", "echo same; exit 3").await;
    ui.click("run-command-start").await;
    for node in ["web/1", "web/2", "web/3"] {
        let row = format!("[data-testid=run-row][data-node=\"{node}\"][data-state=failed]");
        wait_css(ui, &row, Duration::from_secs(30)).await;
    }
    let group = ui.wait_text("run-group", "same").await;
    assert_eq!(ui.attr("run-group", "data-count").await.as_deref(), Some("3"), "{group}");
    let exit = ui.text("run-exit").await;
    assert!(exit.contains('3'), "{exit}");
    ui.screenshot("remote-4-run-command").await;

    // Copy files to the same nodes: a file typed by path (the system's file dialog is not
    // driven here), into a folder that does not exist yet.
    let source = dir.path().join("motd.txt");
    std::fs::write(&source, "hello from poni\n").unwrap();
    let dest = dir.path().join("remote/etc");
    ui.click("tree-row-web").await;
    ui.click("copy-files-open").await;
    ui.fill("copy-source-input", &source.display().to_string()).await;
    ui.click("copy-source-add").await;
    ui.fill("copy-destination", &dest.display().to_string()).await;
    ui.click("copy-create").await;
    ui.click("copy-start").await;
    for node in ["web/1", "web/2", "web/3"] {
        let row = format!("[data-testid=run-row][data-node=\"{node}\"][data-state=succeeded]");
        wait_css(ui, &row, Duration::from_secs(30)).await;
    }
    assert_eq!(std::fs::read_to_string(dest.join("motd.txt")).unwrap(), "hello from poni\n");
    ui.screenshot("remote-5-copy").await;
    app.quit().await;
}

/// Waits until an element matching `selector` is in the page.
async fn wait_css(ui: &poni_e2e_desktop::Ui, selector: &str, within: Duration) {
    let deadline = std::time::Instant::now() + within;
    loop {
        if ui.css_exists(selector).await {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "{selector} never appeared:\n{}", ui.page_source().await.chars().take(4000).collect::<String>());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
