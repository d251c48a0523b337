//! Building the tree like a document, end to end in the real app: cut and paste and drag and
//! drop in the tree, dragging boxes and handles in the graph, undo and redo that outlive the
//! app, and two clones of one repository synced through a bare git remote with a conflict
//! settled in the window. Each step is checked on disk (system/<name>/node.json); screenshots
//! go to tests/artifacts/.

use poni_e2e::Poni;
use poni_e2e_desktop::{unavailable, DesktopApp, DesktopOptions, Ui};
use serde_json::json;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// No EC2 is involved: the endpoint is never called.
const NO_EC2: &str = "http://127.0.0.1:9";

/// A repository made with the real `poni` binary before the app starts: these nodes, each in its
/// system (made along with it).
fn repository(root: &Path, nodes: &[&str]) -> Poni {
    let poni = Poni::new(root, NO_EC2);
    poni.ok(&["init"]);
    for node in nodes {
        poni.ok(&["add-node", *node]);
    }
    poni
}

/// Waits until the item's folder is gone from disk.
async fn wait_gone(app: &DesktopApp, name: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while app.exists(name) {
        assert!(Instant::now() < deadline, "{name} is still on disk after 30 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the item's folder is on disk, for at most `within`; whether it got there.
async fn appears(app: &DesktopApp, name: &str, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    loop {
        if app.exists(&format!("{name}/node.json")) {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the element stops moving (the graph lays itself out and fits the view).
async fn settled(ui: &Ui, test_id: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut last = None;
    loop {
        let rect = ui.find(test_id).await.rect().await.ok().map(|r| (r.x.round() as i64, r.y.round() as i64, r.width.round() as i64));
        if rect.is_some() && rect == last {
            return;
        }
        assert!(Instant::now() < deadline, "[data-testid={test_id}] never stopped moving: {rect:?}");
        last = rect;
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// A point of the graph's empty background, as far from every box as the grid finds (viewport
/// coordinates): where a connection dragged from a handle ends "in empty space".
const EMPTY_GRAPH_POINT: &str = r#"
const flow = document.querySelector('[data-testid="graph"] .react-flow');
if (!flow) return null;
const r = flow.getBoundingClientRect();
const boxes = [...flow.querySelectorAll('.react-flow__node')].map((n) => n.getBoundingClientRect());
const skip = '.react-flow__node, .react-flow__controls, .react-flow__panel, .react-flow__edge, .react-flow__handle, [role="alert"]';
let best = null;
for (let i = 1; i < 20; i++) {
  for (let j = 1; j < 20; j++) {
    const x = r.left + (r.width * i) / 20;
    const y = r.top + (r.height * j) / 20;
    const el = document.elementFromPoint(x, y);
    if (!el || !el.closest('.react-flow') || el.closest(skip)) continue;
    let d = 1e9;
    for (const b of boxes) {
      const dx = Math.max(b.left - x, 0, x - b.right);
      const dy = Math.max(b.top - y, 0, y - b.bottom);
      d = Math.min(d, Math.hypot(dx, dy));
    }
    if (!best || d > best[2]) best = [Math.round(x), Math.round(y), d];
  }
}
return best && best[2] > 30 ? [best[0], best[1]] : null;
"#;

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git").arg("-C").arg(dir).args(args).output().expect("run git");
    assert!(out.status.success(), "git {args:?} in {} failed:\n{}", dir.display(), String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn tree_cut_and_paste_moves_nodes_and_undo_redo_survive_a_restart() {
    if let Some(why) = unavailable() {
        eprintln!("SKIPPED: {why}");
        return;
    }
    // The repository outlives the first app (whose sandbox goes when it quits).
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("repo");
    repository(&root, &["web/a", "web/b", "db/x"]);
    let app = DesktopApp::start(DesktopOptions { repo: Some(root.clone()), ..Default::default() }).await;
    let ui = &app.ui;

    let web_a = app.node_file("web/a");

    // Select web/a, add web/b with Ctrl-click, cut both with Ctrl+X.
    ui.find("tree-row-db").await;
    ui.unfold("web", "web/a").await;
    ui.click("tree-row-web/a").await;
    ui.ctrl_click("tree-row-web/b").await;
    ui.wait_attr("tree-row-web/a", "data-selected", "true", Duration::from_secs(10)).await;
    ui.wait_attr("tree-row-web/b", "data-selected", "true", Duration::from_secs(10)).await;
    ui.chord(true, false, 'x').await;
    ui.wait_attr("tree-row-web/a", "data-cut", "true", Duration::from_secs(10)).await;
    ui.wait_attr("tree-row-web/b", "data-cut", "true", Duration::from_secs(10)).await;
    ui.wait_text("tree-cut-note", "2 items cut").await;
    assert!(app.exists("web/a") && app.exists("web/b"), "cutting alone moves nothing");

    // Select the system db and paste: one move, through the core's check.
    ui.click("tree-row-db").await;
    ui.chord(true, false, 'v').await;
    assert_eq!(app.wait_node("db/a", |_| true).await, web_a, "the node moved as it was");
    app.wait_node("db/b", |_| true).await;
    wait_gone(&app, "web/a").await;
    wait_gone(&app, "web/b").await;
    app.wait_node("db/x", |_| true).await;
    ui.find("tree-row-db/a").await;
    ui.gone("tree-cut-note").await;
    ui.wait_attr("action-undo", "aria-label", "Undo: Move 2 items to db", Duration::from_secs(20)).await;
    ui.screenshot("document-1-pasted").await;

    // Ctrl+Z (outside any text field) takes the move back.
    ui.chord(true, false, 'z').await;
    app.wait_node("web/a", |_| true).await;
    app.wait_node("web/b", |_| true).await;
    wait_gone(&app, "db/a").await;
    wait_gone(&app, "db/b").await;
    ui.wait_attr("action-redo", "aria-label", "Redo: Move 2 items to db", Duration::from_secs(20)).await;
    app.quit().await;

    // A new start on the same repository: the move can still be redone.
    let app = DesktopApp::start(DesktopOptions { repo: Some(root.clone()), ..Default::default() }).await;
    let ui = &app.ui;
    ui.find("tree-row-web").await;
    ui.wait_attr("action-redo", "aria-label", "Redo: Move 2 items to db", Duration::from_secs(20)).await;
    ui.click("action-redo").await;
    app.wait_node("db/a", |_| true).await;
    app.wait_node("db/b", |_| true).await;
    wait_gone(&app, "web/a").await;
    wait_gone(&app, "web/b").await;
    ui.wait_attr("action-undo", "aria-label", "Undo: Move 2 items to db", Duration::from_secs(20)).await;

    // The history lists it, newest first: the redo and the undo are changes of their own, all
    // three made in the app; the move itself is not undone (it was redone) and says what went where.
    ui.click("action-history").await;
    ui.find("history-panel").await;
    // (The label is read from its title: WebKit's WebDriver leaves truncated text out of an
    // element's text.)
    ui.wait_attr("history-label-0", "title", "Redo: Move 2 items to db", Duration::from_secs(20)).await;
    ui.wait_attr("history-label-1", "title", "Undo: Move 2 items to db", Duration::from_secs(20)).await;
    ui.wait_attr("history-label-2", "title", "Move 2 items to db", Duration::from_secs(20)).await;
    assert_eq!(ui.attr("history-entry-2", "data-undone").await, None, "the move is in effect again");
    for i in 0..3 {
        ui.wait_text(&format!("history-origin-{i}"), "App").await;
    }
    ui.wait_text("history-origin-3", "Command line").await; // the nodes were made with poni
    ui.css("[data-testid=\"history-entry-2\"] button").await.click().await.expect("open the history entry");
    let items = ui.wait_text("history-items-2", "→ db/a").await;
    assert!(items.contains("web/a") && items.contains("web/b") && items.contains("→ db/b"), "{items}");
    assert!(items.contains("moved"), "{items}");
    ui.screenshot("document-1-history").await;
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn tree_drag_and_drop_moves_a_node() {
    if let Some(why) = unavailable() {
        eprintln!("SKIPPED: {why}");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("repo");
    repository(&root, &["web/a", "web/b", "db/x"]);
    let app = DesktopApp::start(DesktopOptions { repo: Some(root.clone()), ..Default::default() }).await;
    let ui = &app.ui;
    let web_a = app.node_file("web/a");
    ui.unfold("web", "web/a").await;
    ui.unfold("db", "db/x").await;

    // Drag web/a onto the system db: while over it the core's answer shows, the drop moves it.
    ui.press_and_move("tree-row-web/a", "tree-row-db").await;
    let look = ui.poll_attr("tree-drop-hint", "data-look", "allowed", Duration::from_secs(10)).await;
    let row = ui.poll_attr("tree-row-db", "data-drop", "allowed", Duration::from_secs(2)).await;
    let hint = if look.is_some() { ui.text("tree-drop-hint").await } else { String::new() };
    if look.as_deref() == Some("allowed") {
        ui.screenshot("document-2-drop-allowed").await;
    }
    ui.release_mouse().await;
    let moved = appears(&app, "db/a", Duration::from_secs(15)).await;
    assert!(
        moved,
        "drag events did not arrive: pressing on tree-row-web/a, moving onto tree-row-db and releasing (WebDriver actions) \
         left web/a in place (web/a on disk: {}); during the drag tree-drop-hint had data-look {look:?} and tree-row-db \
         data-drop {row:?} (None: the page never saw a dragstart/dragover, i.e. WebKitWebDriver did not synthesise HTML5 \
         drag and drop)",
        app.exists("web/a")
    );
    wait_gone(&app, "web/a").await;
    assert_eq!(app.node_file("db/a"), web_a, "the node moved as it was");
    assert!(app.exists("web/b"), "only the dragged node moved");
    assert_eq!(look.as_deref(), Some("allowed"), "the drop hint said the move is allowed while over db");
    assert_eq!(row.as_deref(), Some("allowed"), "the db row was marked as an allowed target");
    assert!(hint.contains("db/a"), "the hint says where it goes: {hint:?}");
    ui.find("tree-row-db/a").await;
    ui.wait_attr("action-undo", "aria-label", "Undo: Move web/a to db", Duration::from_secs(20)).await;

    // A drop the core refuses: db/x onto db, where it is already.
    ui.press_and_move("tree-row-db/x", "tree-row-db").await;
    let look = ui.poll_attr("tree-drop-hint", "data-look", "refused", Duration::from_secs(10)).await;
    let hint = if look.is_some() { ui.text("tree-drop-hint").await } else { String::new() };
    if look.as_deref() == Some("refused") {
        ui.screenshot("document-2-drop-refused").await;
    }
    let row = ui.poll_attr("tree-row-db", "data-drop", "refused", Duration::from_secs(2)).await;
    ui.release_mouse().await;
    assert_eq!(look.as_deref(), Some("refused"), "dropping db/x on db, where it is, is refused while dragging (hint: {hint:?})");
    assert_eq!(row.as_deref(), Some("refused"), "the db row is marked as a refused target");
    assert!(hint.contains("already"), "the hint says why, in the core's words: {hint:?}");
    // Nothing moved, and the drag is over.
    tokio::time::sleep(Duration::from_millis(500)).await;
    ui.gone("tree-drop-hint").await;
    assert!(app.exists("db/x/node.json") && app.exists("db/a/node.json") && !app.exists("x"), "a refused drop changes nothing");
    ui.wait_attr("action-undo", "aria-label", "Undo: Move web/a to db", Duration::from_secs(5)).await;
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn graph_drag_moves_a_node_and_handle_drag_opens_the_clone_dialog() {
    if let Some(why) = unavailable() {
        eprintln!("SKIPPED: {why}");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("repo");
    repository(&root, &["web/a", "web/b", "db/x"]);
    let app = DesktopApp::start(DesktopOptions { repo: Some(root.clone()), ..Default::default() }).await;
    let ui = &app.ui;

    let web_a = app.node_file("web/a");

    // The graph of the top level: both systems as boxes, their nodes inside.
    ui.find("tree-row-web").await;
    ui.click("tab-graph").await;
    ui.select("graph-system", "").await;
    ui.find("graph-system-web").await;
    ui.find("graph-system-db").await;
    settled(ui, "graph-node-web/a").await;
    settled(ui, "graph-system-db").await;

    // Drag the box web/a onto the system box db.
    ui.press_and_move("graph-node-web/a", "graph-system-db").await;
    let look = ui.poll_attr("graph-drop-hint", "data-look", "allowed", Duration::from_secs(10)).await;
    let target = ui.poll_attr("graph-system-db", "data-drop", "allowed", Duration::from_secs(2)).await;
    let hint = if look.is_some() { ui.text("graph-drop-hint").await } else { String::new() };
    ui.screenshot("document-3-graph-drag").await;
    ui.release_mouse().await;
    assert_eq!(look.as_deref(), Some("allowed"), "dragging web/a over db shows the core's answer (hint: {hint:?})");
    assert_eq!(target.as_deref(), Some("allowed"), "the db box is marked as an allowed target");
    assert!(hint.contains("db/a"), "{hint:?}");
    assert_eq!(app.wait_node("db/a", |_| true).await, web_a, "the node moved as it was");
    wait_gone(&app, "web/a").await;
    assert!(!ui.exists("graph-move-problem").await, "the move went through");
    ui.find("graph-node-db/a").await;

    // Drag from db/x's handle to empty space: the clone dialog opens with db/x as the parent.
    settled(ui, "graph-handle-db/x").await;
    let point: Option<Vec<f64>> =
        ui.driver.execute(EMPTY_GRAPH_POINT, Vec::<serde_json::Value>::new()).await.expect("find empty space").convert().expect("a point or null");
    let point = point.expect("the graph has empty space away from every box");
    let (x, y) = (point[0].round() as i64, point[1].round() as i64);
    ui.press_and_move_to("graph-handle-db/x", x, y).await;
    ui.release_mouse().await;
    ui.find("clone-dialog").await;
    let parent = ui.find("nodes-parent").await.prop("value").await.ok().flatten().unwrap_or_default();
    assert_eq!(parent, "db/x", "the dragged node is the parent");
    ui.fill("nodes-template", "x9").await;
    ui.fill("nodes-count", "").await;
    ui.find("preview-row-db/x9").await;
    ui.screenshot("document-3-clone-dialog").await;
    ui.click("nodes-submit").await;
    let clone = app.wait_node("db/x9", |_| true).await;
    assert_eq!(clone["parent"], json!("db/x"), "{clone}");
    ui.gone("clone-dialog").await;
    ui.find("graph-node-db/x9").await;
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn two_clones_sync_through_a_bare_remote_with_a_conflict_resolved_in_the_window() {
    if let Some(why) = unavailable() {
        eprintln!("SKIPPED: {why}");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let bare = dir.path().join("remote.git");
    let out = Command::new("git").args(["init", "--bare", "-q"]).arg(&bare).output().expect("run git init --bare");
    assert!(out.status.success(), "git init --bare: {}", String::from_utf8_lossy(&out.stderr));

    // Mine: a repository under git, pushed to the remote.
    let mine = dir.path().join("mine");
    let a = repository(&mine, &["web/a", "web/b"]);
    a.ok(&["vc", "init"]);
    a.ok(&["vc", "remote", bare.to_str().expect("a UTF-8 path")]);
    a.ok(&["vc", "push"]);
    let branch = git(&mine, &["rev-parse", "--abbrev-ref", "HEAD"]).trim().to_string();

    // Theirs: a second clone changes web/a and pushes.
    let theirs = dir.path().join("theirs");
    let out = Command::new("git").args(["clone", "-q", "-b", branch.as_str()]).arg(&bare).arg(&theirs).output().expect("run git clone");
    assert!(out.status.success(), "git clone: {}", String::from_utf8_lossy(&out.stderr));
    let b = Poni::new(&theirs, NO_EC2);
    b.ok(&["set", "web/a", "x=theirs"]);
    b.ok(&["vc", "push"]);

    // Meanwhile web/a changed here too (committed: each change is a commit).
    a.ok(&["set", "web/a", "x=mine"]);

    let app = DesktopApp::start(DesktopOptions { repo: Some(mine.clone()), ..Default::default() }).await;
    let ui = &app.ui;
    ui.find("tree-row-web").await;
    ui.click("action-history").await;
    ui.click("history-tab-git").await;
    ui.find("vc-panel").await;
    ui.wait_text("vc-last-commit", "web/a").await;

    // Pull: both sides changed web/a, so it is a conflict, shown side by side.
    ui.click("vc-pull").await;
    let result = ui.wait_text("vc-result", "conflicted node").await;
    assert!(result.contains("1 conflicted node"), "{result}");
    let conflict = ui.wait_text("vc-conflict-web/a", "\"theirs\"").await;
    assert!(conflict.contains("\"mine\"") && conflict.contains("Mine") && conflict.contains("Theirs"), "{conflict}");
    assert_eq!(app.node_file("web/a")["x"], json!("mine"), "mine stays until the conflict is settled");
    ui.screenshot("document-4-conflict").await;

    // Take theirs: the node has their value, the merge is committed with both parents.
    ui.click("vc-take-theirs-web/a").await;
    app.wait_node("web/a", |v| v["x"] == json!("theirs")).await;
    ui.gone("vc-conflict-web/a").await;
    ui.wait_text("vc-last-commit", "Merge").await;
    let deadline = Instant::now() + Duration::from_secs(30);
    let parents = loop {
        let parents = git(&mine, &["log", "-1", "--format=%P"]);
        if parents.split_whitespace().count() == 2 || Instant::now() > deadline {
            break parents;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(parents.split_whitespace().count(), 2, "the last commit is a merge: parents {parents:?}\n{}", git(&mine, &["log", "--oneline", "-5"]));
    let subject = git(&mine, &["log", "-1", "--format=%s"]);
    assert!(subject.contains("Merge"), "{subject}");
    assert!(!git(&mine, &["status", "--porcelain"]).contains("web/a"), "web/a is committed");

    // The merge goes back to the remote.
    ui.click("vc-push").await;
    ui.wait_text("vc-result", "Pushed to").await;
    let remote_parents = git(&bare, &["log", "-1", "--format=%P", branch.as_str()]);
    assert_eq!(remote_parents.split_whitespace().count(), 2, "the remote has the merge: {remote_parents:?}");
    app.quit().await;
}
