//! `poni vc ...` through the real binary: two people share a repository through a bare git
//! remote in a folder, both change the same node, one resolves the conflict with
//! `poni vc resolve`; poni 0.8 itself still reads the repository after the vc commands.

use poni_e2e::{Poni, Poni08, PoniOutput};
use std::path::Path;

/// No EC2 is involved: the endpoint is never called.
const NO_EC2: &str = "http://127.0.0.1:9";

fn node(root: &Path, name: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(root.join("system").join(name).join("node.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn head_message(root: &Path) -> (usize, String) {
    let repo = git2::Repository::open(root).unwrap();
    let commit = repo.head().unwrap().peel_to_commit().unwrap();
    (commit.parent_count(), commit.message().unwrap().trim().to_owned())
}

fn fails_with(out: &PoniOutput, code: i32, text: &str) {
    assert_eq!(out.code, Some(code), "exit status {code} expected:\nstdout:\n{}\nstderr:\n{}", out.stdout, out.stderr);
    assert!(out.stderr.contains(text) || out.stdout.contains(text), "'{text}' expected:\nstdout:\n{}\nstderr:\n{}", out.stdout, out.stderr);
}

#[test]
fn history_is_shared_through_a_remote_and_a_conflict_is_resolved() {
    let poni08 = Poni08::installed();
    let dir = tempfile::tempdir().unwrap();
    let bare = dir.path().join("remote.git");
    git2::Repository::init_bare(&bare).unwrap();
    let a_root = dir.path().join("a");
    let a = Poni::new(&a_root, NO_EC2);
    a.ok(&["init"]);
    a.ok(&["add-node", "web/a"]);
    a.ok(&["add-node", "web/b"]);

    // Before the history starts.
    assert!(a.ok(&["vc", "status"]).stdout.contains("Not under version control"));
    fails_with(&a.run(&["vc", "checkpoint"]), 2, "poni vc init");

    let init = a.ok(&["vc", "init"]);
    assert!(init.stdout.contains("poni vc init"), "{}", init.stdout);
    assert!(a_root.join(".gitignore").is_file());
    fails_with(&a.run(&["vc", "init"]), 2, "already has a git history");
    assert_eq!(poni08.node_names(&a_root), ["web/a", "web/b"], "poni 0.8 reads the repository under git");
    let status = a.ok(&["vc", "status"]).stdout;
    assert!(status.contains("Commit mode: each change is committed") && status.contains("Nothing changed since the last commit"), "{status}");
    assert!(status.contains("No remote"), "{status}");

    // Each-change mode: every change is a commit, its history label the message.
    a.ok(&["set", "web/a", "user=root"]);
    assert_eq!(head_message(&a_root).1, "Set user=root on web/a");
    assert!(a.ok(&["vc", "status"]).stdout.contains("Set user=root on web/a"));

    // Checkpoint mode: changes wait for a checkpoint.
    assert!(a.ok(&["vc", "mode", "checkpoint"]).stdout.contains("checkpoints"));
    fails_with(&a.run(&["vc", "mode", "sometimes"]), 2, "sometimes");
    a.ok(&["set", "web/b", "user=admin"]);
    assert_eq!(head_message(&a_root).1, "Set user=root on web/a");
    let diff = a.ok(&["vc", "diff", "web/b"]).stdout;
    assert!(diff.contains("system/web/b/node.json") && diff.lines().any(|l| l.starts_with('+') && l.contains("admin")), "{diff}");
    assert_eq!(a.ok(&["vc", "diff", "web/a"]).stdout, "", "web/a has no changes");
    assert!(a.ok(&["vc", "status"]).stdout.contains("1 item(s) changed since the last commit"));
    let checkpoint = a.ok(&["vc", "checkpoint"]).stdout;
    assert!(checkpoint.starts_with("Checkpoint ") && checkpoint.trim_end().ends_with(": Change 1 node: web/b"), "{checkpoint}");
    assert_eq!(a.ok(&["vc", "checkpoint"]).stdout, "Nothing to checkpoint\n");

    // Share it.
    fails_with(&a.run(&["vc", "push"]), 2, "poni vc remote URL");
    a.ok(&["vc", "remote", bare.to_str().unwrap()]);
    assert!(a.ok(&["vc", "push"]).stdout.starts_with("Pushed "));
    assert!(a.ok(&["vc", "status"]).stdout.contains("(0 ahead, 0 behind)"));

    // Someone else clones it, changes web/a, adds a node and pushes.
    let b_root = dir.path().join("b");
    git2::Repository::clone(bare.to_str().unwrap(), &b_root).unwrap();
    let b = Poni::new(&b_root, NO_EC2);
    assert!(b.ok(&["list"]).stdout.contains("web/b"));
    b.ok(&["set", "web/a", "cloud.region=us-east-1"]);
    b.ok(&["add-node", "db/x"]);
    b.ok(&["vc", "push"]);

    // Meanwhile web/a changed here too: the push is refused, the pull has a conflict.
    a.ok(&["set", "web/a", "cloud.region=eu-north-1"]);
    a.ok(&["vc", "checkpoint", "Move web/a to Stockholm"]);
    fails_with(&a.run(&["vc", "push"]), 1, "pull first");
    let pulled = a.run(&["vc", "pull"]);
    fails_with(&pulled, 1, "CONFLICT web/a");
    assert!(pulled.stdout.contains("cloud.region: mine 'eu-north-1', theirs 'us-east-1'"), "{}", pulled.stdout);
    assert!(pulled.stdout.contains("resolve with: poni vc resolve web/a --mine|--theirs"), "{}", pulled.stdout);
    assert!(pulled.stdout.contains("db/x"), "the other changes came in: {}", pulled.stdout);
    assert_eq!(node(&a_root, "web/a")["cloud"]["region"], "eu-north-1", "mine stays until resolved");
    let mut listed = poni08.node_names(&a_root);
    listed.sort();
    assert_eq!(listed, ["db/x", "web/a", "web/b"], "poni 0.8 reads the repository after the pull");
    assert!(a.ok(&["vc", "conflicts"]).stdout.contains("CONFLICT web/a"));
    assert!(a.ok(&["vc", "status"]).stdout.contains("1 conflict(s) to resolve"));
    fails_with(&a.run(&["vc", "push"]), 2, "poni vc resolve");
    fails_with(&a.run(&["vc", "resolve", "web/a"]), 2, "--mine");
    fails_with(&a.run(&["vc", "resolve", "web/nothing", "--mine"]), 2, "not in conflict");

    let resolved = a.ok(&["vc", "resolve", "web/a", "--theirs"]).stdout;
    assert!(resolved.contains("web/a: kept theirs") && resolved.contains("Merge from origin (1 conflict resolved)"), "{resolved}");
    assert_eq!(node(&a_root, "web/a")["cloud"]["region"], "us-east-1");
    assert_eq!(head_message(&a_root), (2, "Merge from origin (1 conflict resolved)".to_owned()));
    assert_eq!(a.ok(&["vc", "conflicts"]).stdout, "No conflicts\n");

    // The merge goes back, and the other side gets it.
    a.ok(&["vc", "push"]);
    let b_pulled = b.ok(&["vc", "pull"]).stdout;
    assert!(b_pulled.starts_with("Pulled: "), "{b_pulled}");
    // The merge took their side, which the clone had already: its files stay as they were.
    assert!(b_pulled.contains("0 item(s) changed"), "{b_pulled}");
    assert_eq!(node(&b_root, "web/a")["cloud"]["region"], "us-east-1");
    assert_eq!(node(&b_root, "web/b")["user"], "admin");
    assert_eq!(b.ok(&["vc", "pull"]).stdout, "Already up to date\n");
    let mut listed = poni08.node_names(&b_root);
    listed.sort();
    assert_eq!(listed, ["db/x", "web/a", "web/b"], "poni 0.8 reads the clone after the pull");
}
