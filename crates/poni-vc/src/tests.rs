//! The history on real repositories in temporary folders: a bare repository in a folder is
//! the remote, and two clones of it are two people.

use super::*;
use crate::git::file_in;
use git2::{Repository, Signature};
use poni_repo::{AddNodes, Assignment, ErrorCode, Repo, Target};
use serde_json::{json, Value};
use std::fs;
use std::path::{Path, PathBuf};

fn make_repo(root: &Path, nodes: &[&str]) -> Repo {
    let repo = Repo::init(root).unwrap();
    for node in nodes {
        repo.add_nodes(&AddNodes::new(*node)).unwrap();
    }
    repo
}

fn set(root: &Path, name: &str, property: &str) {
    let repo = Repo::open(root).unwrap();
    repo.set(&Target::new(name, true).unwrap(), &[Assignment::parse(property).unwrap()]).unwrap();
}

fn node(root: &Path, name: &str) -> Value {
    let text = fs::read_to_string(root.join("system").join(name).join("node.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn head(root: &Path) -> (usize, String) {
    let repo = Repository::open(root).unwrap();
    let commit = repo.head().unwrap().peel_to_commit().unwrap();
    (commit.parent_count(), commit.message().unwrap().trim().to_owned())
}

/// A bare remote with one repository pushed to it ("a"), and a clone of it ("b").
struct Two {
    _dir: tempfile::TempDir,
    a: PathBuf,
    b: PathBuf,
}

fn two(nodes: &[&str]) -> Two {
    let dir = tempfile::tempdir().unwrap();
    let bare = dir.path().join("remote.git");
    Repository::init_bare(&bare).unwrap();
    let a = dir.path().join("a");
    make_repo(&a, nodes);
    init(&a).unwrap();
    set_remote(&a, bare.to_str().unwrap()).unwrap();
    push(&a).unwrap();
    let b = dir.path().join("b");
    Repository::clone(bare.to_str().unwrap(), &b).unwrap();
    Two { _dir: dir, a, b }
}

#[test]
fn init_writes_gitignore_and_commits_everything_but_our_own_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    make_repo(root, &["web/a"]);
    fs::create_dir_all(root.join(".poni-desktop-history")).unwrap();
    fs::write(root.join(".poni-desktop-history/1.json"), "{}").unwrap();
    assert!(!status(root).unwrap().enabled);
    assert_eq!(checkpoint(root, None).unwrap_err().code(), ErrorCode::VcNotARepository);

    let first = init(root).unwrap();
    assert_eq!(first.message, "poni vc init");
    assert_eq!(first.id.len(), 7);
    assert!(first.at.ends_with('Z') && first.at.len() == 20, "{}", first.at);
    let ignore = fs::read_to_string(root.join(".gitignore")).unwrap();
    for line in GITIGNORE_LINES {
        assert!(ignore.lines().any(|l| l == *line), "{line} in {ignore}");
    }
    let repo = Repository::open(root).unwrap();
    let tree = repo.head().unwrap().peel_to_commit().unwrap().tree().unwrap();
    assert!(tree.get_path(Path::new("system/web/a/node.json")).is_ok());
    assert!(tree.get_path(Path::new("repo.json")).is_ok());
    assert!(tree.get_path(Path::new(".poni-desktop-history/1.json")).is_err());

    let status = status(root).unwrap();
    assert!(status.enabled);
    assert_eq!(status.changed_items, 0);
    assert_eq!(status.mode, Mode::EachChange);
    assert_eq!(status.last_commit.unwrap().message, "poni vc init");
    let again = init(root).unwrap_err();
    assert_eq!(again.code(), ErrorCode::VcAlreadyInitialized);
}

#[test]
fn diff_shows_each_property_before_and_after() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    make_repo(root, &["web/a", "web/b"]);
    set(root, "web/a", "cloud.region=eu-west-1");
    init(root).unwrap();
    set_mode(root, Mode::Checkpoint).unwrap();
    set(root, "web/a", "cloud.region=us-east-1");
    Repo::open(root).unwrap().add_nodes(&AddNodes::new("db/x")).unwrap();

    let diff = diff(root, None).unwrap();
    let names: Vec<(&str, ItemKind, DiffChange)> = diff.items.iter().map(|i| (i.name.as_str(), i.kind, i.change)).collect();
    assert_eq!(
        names,
        [("db", ItemKind::System, DiffChange::Added), ("db/x", ItemKind::Node, DiffChange::Added), ("web/a", ItemKind::Node, DiffChange::Changed)]
    );
    let web_a = &diff.items[2];
    assert_eq!(web_a.properties, vec![PropertyDiff { key: "cloud.region".into(), before: Some(json!("eu-west-1")), after: Some(json!("us-east-1")) }]);

    let only = super::diff(root, Some("web/a")).unwrap();
    assert_eq!(only.items.len(), 1);
    let text = patch(root, Some("web/a")).unwrap();
    assert!(text.contains("system/web/a/node.json"), "{text}");
    assert!(text.lines().any(|l| l.starts_with('+') && l.contains("us-east-1")), "{text}");
    assert!(text.lines().any(|l| l.starts_with('-') && l.contains("eu-west-1")), "{text}");
    assert!(!text.contains("db/x"), "{text}");
    assert_eq!(status(root).unwrap().changed_items, 3);
}

#[test]
fn checkpoint_summarises_and_then_has_nothing_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    make_repo(root, &["web/a", "web/b", "db/x"]);
    init(root).unwrap();
    set_mode(root, Mode::Checkpoint).unwrap();
    for name in ["web/a", "web/b", "db/x"] {
        set(root, name, "user=root");
    }
    let made = checkpoint(root, None).unwrap().expect("a commit");
    assert_eq!(made.message, "Change 3 nodes: db/x, web/a, web/b");
    assert_eq!(checkpoint(root, None).unwrap(), None);

    Repo::open(root).unwrap().remove("db/x").unwrap();
    let named = checkpoint(root, Some("Drop the database")).unwrap().expect("a commit");
    assert_eq!(named.message, "Drop the database");
    let repo = Repository::open(root).unwrap();
    let tree = repo.head().unwrap().peel_to_commit().unwrap().tree().unwrap();
    assert!(tree.get_path(Path::new("system/db/x/node.json")).is_err(), "the removal is committed");
}

#[test]
fn the_mode_is_kept_in_the_git_config() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    make_repo(root, &["web/a"]);
    init(root).unwrap();
    assert_eq!(status(root).unwrap().mode, Mode::EachChange);
    set_mode(root, Mode::Checkpoint).unwrap();
    assert_eq!(status(root).unwrap().mode, Mode::Checkpoint);
    let config = fs::read_to_string(root.join(".git/config")).unwrap();
    assert!(config.contains("[poni]") && config.contains("commit = checkpoint"), "{config}");
    set_mode(root, Mode::EachChange).unwrap();
    assert_eq!(Repository::open(root).unwrap().config().unwrap().get_string("poni.commit").unwrap(), "each");
    assert_eq!(serde_json::to_value(Mode::EachChange).unwrap(), json!("eachChange"));
}

#[test]
fn after_change_commits_in_each_change_mode_only() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    make_repo(root, &["web/a"]);
    // Not under version control: nothing happens.
    set(root, "web/a", "user=root");
    assert_eq!(after_change(root, "Set user on web/a").unwrap(), None);

    init(root).unwrap();
    set(root, "web/a", "user=admin");
    let made = after_change(root, "Set user on web/a").unwrap().expect("a commit");
    assert_eq!(made.message, "Set user on web/a");
    assert_eq!(status(root).unwrap().changed_items, 0);
    assert_eq!(after_change(root, "Nothing").unwrap(), None, "nothing changed");

    set_mode(root, Mode::Checkpoint).unwrap();
    set(root, "web/a", "user=ops");
    assert_eq!(after_change(root, "Set user on web/a").unwrap(), None);
    assert_eq!(status(root).unwrap().changed_items, 1);
    assert_eq!(head(root).1, "Set user on web/a");
}

#[test]
fn pull_fast_forwards_from_a_bare_remote() {
    let t = two(&["web/a", "web/b"]);
    set(&t.b, "web/a", "cloud.region=us-east-1");
    after_change(&t.b, "Set region on web/a").unwrap().expect("a commit in b");
    let pushed = push(&t.b).unwrap();
    assert_eq!(pushed.remote, "origin");

    let before = status(&t.a).unwrap();
    assert_eq!((before.ahead, before.behind), (0, 0));
    let pulled = pull(&t.a).unwrap();
    assert_eq!(pulled.kind, PullKind::FastForward);
    assert_eq!(pulled.changed_items, ["web/a"]);
    assert_eq!(node(&t.a, "web/a")["cloud"]["region"], "us-east-1");
    assert_eq!(head(&t.a).1, "Set region on web/a");
    assert_eq!(pull(&t.a).unwrap().kind, PullKind::UpToDate);
    let after = status(&t.a).unwrap();
    assert_eq!((after.ahead, after.behind, after.changed_items), (0, 0, 0));
}

#[test]
fn both_changing_one_node_is_a_conflict_settled_by_taking_theirs() {
    let t = two(&["web/a", "web/b"]);
    // b changes web/a and web/b and pushes; a changes web/a too.
    set(&t.b, "web/a", "cloud.region=us-east-1");
    set(&t.b, "web/b", "user=root");
    after_change(&t.b, "b's changes").unwrap().unwrap();
    push(&t.b).unwrap();
    set(&t.a, "web/a", "cloud.region=eu-north-1");
    after_change(&t.a, "a's change").unwrap().unwrap();

    let pulled = pull(&t.a).unwrap();
    assert_eq!(pulled.kind, PullKind::Conflicts);
    assert_eq!(pulled.conflicts.len(), 1);
    let conflict = &pulled.conflicts[0];
    assert_eq!(conflict.name, "web/a");
    assert_eq!(conflict.mine.as_ref().unwrap()["cloud"]["region"], "eu-north-1");
    assert_eq!(conflict.theirs.as_ref().unwrap()["cloud"]["region"], "us-east-1");
    assert_eq!(conflict.properties, vec![PropertyDiff { key: "cloud.region".into(), before: Some(json!("eu-north-1")), after: Some(json!("us-east-1")) }]);
    assert!(pulled.changed_items.contains(&"web/b".to_owned()) && pulled.changed_items.contains(&"web/a".to_owned()), "{:?}", pulled.changed_items);
    // Mine stays in the work tree for the conflict; the rest is merged.
    assert_eq!(node(&t.a, "web/a")["cloud"]["region"], "eu-north-1");
    assert_eq!(node(&t.a, "web/b")["user"], "root");
    assert_eq!(status(&t.a).unwrap().conflicts, 1);
    assert_eq!(conflicts(&t.a).unwrap(), pulled.conflicts);
    assert_eq!(push(&t.a).unwrap_err().code(), ErrorCode::VcConflictsPending);
    assert_eq!(pull(&t.a).unwrap_err().code(), ErrorCode::VcConflictsPending);
    assert_eq!(resolve(&t.a, "web/zzz", Choice::Theirs).unwrap_err().code(), ErrorCode::InputUsage);

    let after = resolve(&t.a, "web/a", Choice::Theirs).unwrap();
    assert_eq!(after.conflicts, 0);
    assert_eq!(after.changed_items, 0);
    assert_eq!(node(&t.a, "web/a")["cloud"]["region"], "us-east-1");
    assert_eq!(head(&t.a), (2, "Merge from origin (1 conflict resolved)".to_owned()));
    assert!(!t.a.join(".git/poni-merge.json").exists());
    assert_eq!(conflicts(&t.a).unwrap(), vec![]);
    // Mine is still in the history: the merge's first parent has it.
    let repo = Repository::open(&t.a).unwrap();
    let merge = repo.head().unwrap().peel_to_commit().unwrap();
    let mine = merge.parent(0).unwrap().tree().unwrap();
    let text = file_in(&repo, &mine, "system/web/a/node.json").unwrap().unwrap();
    assert!(String::from_utf8(text).unwrap().contains("eu-north-1"));
    // And the merge can be shared.
    push(&t.a).unwrap();
    assert_eq!(pull(&t.b).unwrap().kind, PullKind::FastForward);
    assert_eq!(node(&t.b, "web/a")["cloud"]["region"], "us-east-1");
}

#[test]
fn keeping_mine_settles_a_conflict_too() {
    let t = two(&["web/a"]);
    set(&t.b, "web/a", "user=theirs");
    after_change(&t.b, "b").unwrap().unwrap();
    push(&t.b).unwrap();
    set(&t.a, "web/a", "user=mine");
    after_change(&t.a, "a").unwrap().unwrap();
    assert_eq!(pull(&t.a).unwrap().kind, PullKind::Conflicts);
    resolve(&t.a, "web/a", Choice::Mine).unwrap();
    assert_eq!(node(&t.a, "web/a")["user"], "mine");
    assert_eq!(head(&t.a).0, 2);
}

#[test]
fn pull_refuses_uncommitted_changes_in_checkpoint_mode() {
    let t = two(&["web/a"]);
    set_mode(&t.a, Mode::Checkpoint).unwrap();
    set(&t.a, "web/a", "user=root");
    let refused = pull(&t.a).unwrap_err();
    assert_eq!(refused.code(), ErrorCode::VcUncommitted);
    assert!(refused.to_string().contains("web/a"), "{refused}");
    // In each-change mode they are committed first.
    set_mode(&t.a, Mode::EachChange).unwrap();
    assert_eq!(pull(&t.a).unwrap().kind, PullKind::UpToDate);
    assert_eq!(head(&t.a).1, "Local changes before pull");
}

#[test]
fn push_is_rejected_when_the_remote_moved_on() {
    let t = two(&["web/a", "web/b"]);
    set(&t.b, "web/b", "user=root");
    after_change(&t.b, "b").unwrap().unwrap();
    push(&t.b).unwrap();
    set(&t.a, "web/a", "user=root");
    after_change(&t.a, "a").unwrap().unwrap();
    let refused = push(&t.a).unwrap_err();
    assert_eq!(refused.code(), ErrorCode::VcRejected, "{refused}");
    assert!(refused.to_string().contains("pull first"), "{refused}");
    // Pull (a clean merge: different nodes), then the push goes through.
    let pulled = pull(&t.a).unwrap();
    assert_eq!(pulled.kind, PullKind::Merged);
    assert_eq!(pulled.changed_items, ["web/b"]);
    assert_eq!(head(&t.a).0, 2);
    push(&t.a).unwrap();
}

#[test]
fn no_remote_is_said_plainly() {
    let dir = tempfile::tempdir().unwrap();
    make_repo(dir.path(), &["web/a"]);
    init(dir.path()).unwrap();
    assert_eq!(push(dir.path()).unwrap_err().code(), ErrorCode::VcNoRemote);
    assert_eq!(pull(dir.path()).unwrap_err().code(), ErrorCode::VcNoRemote);
    assert_eq!(status(dir.path()).unwrap().remote, None);
    set_remote(dir.path(), "/nowhere/remote.git").unwrap();
    assert_eq!(status(dir.path()).unwrap().remote.as_deref(), Some("/nowhere/remote.git"));
    let unreachable = pull(dir.path()).unwrap_err();
    assert!(matches!(unreachable.code(), ErrorCode::VcNetwork | ErrorCode::VcGit), "{unreachable:?}");
}

/// Commits in `clone` the paths listed as they are on disk (added even where `.gitignore` says
/// not to, as a hostile remote would), and pushes the commit with git itself.
fn commit_planted(clone: &Path, paths: &[&str], message: &str) {
    commit_paths(clone, paths, message);
    let repo = Repository::open(clone).unwrap();
    let branch = repo.head().unwrap().shorthand().unwrap().to_owned();
    repo.find_remote("origin").unwrap().push(&[format!("refs/heads/{branch}:refs/heads/{branch}")], None).unwrap();
}

fn commit_paths(clone: &Path, paths: &[&str], message: &str) {
    let repo = Repository::open(clone).unwrap();
    let mut index = repo.index().unwrap();
    for path in paths {
        index.add_path(Path::new(path)).unwrap();
    }
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let parent = repo.head().unwrap().peel_to_commit().unwrap();
    let who = Signature::now("attacker", "a@example.com").unwrap();
    repo.commit(Some("HEAD"), &who, &who, message, &tree, &[&parent]).unwrap();
}

fn remote_paths(t: &Two) -> Vec<String> {
    let repo = Repository::open_bare(t._dir.path().join("remote.git")).unwrap();
    let tree = repo.find_reference("refs/heads/master").or_else(|_| repo.find_reference("refs/heads/main")).unwrap().peel_to_tree().unwrap();
    let mut out = Vec::new();
    tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
        out.push(format!("{dir}{}", entry.name().unwrap()));
        git2::TreeWalkResult::Ok
    })
    .unwrap();
    out
}

/// The attack the issue describes: the remote commits a link to the victim's home and a
/// history entry that "moves" `system/home/.ssh` into the repository. The pull takes nothing,
/// undo never moves the key, and nothing private reaches the remote.
#[cfg(unix)]
#[test]
fn a_remote_that_plants_a_link_and_a_history_entry_gets_nothing() {
    let t = two(&["web/a"]);
    let home = t._dir.path().join("victim-home");
    fs::create_dir_all(home.join(".ssh")).unwrap();
    fs::write(home.join(".ssh/id_rsa"), "PRIVATE KEY").unwrap();
    // The attacker, in clone b.
    std::os::unix::fs::symlink(&home, t.b.join("system/home")).unwrap();
    fs::create_dir_all(t.b.join(".poni-desktop-history")).unwrap();
    let entry = r#"{"format":2,"id":"ab","seq":99,"label":"Tidy up","origin":"app","at":0,"action":"change","ops":[{"op":"move","from":"system/loot","to":"system/home/.ssh"}]}"#;
    fs::write(t.b.join(".poni-desktop-history/000099-ab.json"), entry).unwrap();
    commit_planted(&t.b, &["system/home", ".poni-desktop-history/000099-ab.json"], "Tidy up");

    // The victim, in a, with a change of their own.
    set(&t.a, "web/a", "user=root");
    let before = fs::read_to_string(t.a.join("system/web/a/node.json")).unwrap();
    let refused = pull(&t.a).unwrap_err();
    assert_eq!(refused.code(), ErrorCode::VcRefusedFromRemote, "{refused}");
    let message = refused.to_string();
    assert!(message.contains("a symbolic link 'system/home'") && message.contains("private file '.poni-desktop-history'"), "{message}");
    assert!(!t.a.join("system/home").exists() && fs::symlink_metadata(t.a.join("system/home")).is_err());
    assert_eq!(fs::read_to_string(t.a.join("system/web/a/node.json")).unwrap(), before);
    // Undo takes back the victim's own change, and the one before it; never the planted one.
    let repo = Repo::open(&t.a).unwrap();
    assert_eq!(repo.undo().unwrap().entry.label, "Set user=root on web/a");
    assert!(fs::read_to_string(home.join(".ssh/id_rsa")).unwrap() == "PRIVATE KEY");
    assert!(!t.a.join("system/loot").exists());
    // The victim's pushes carry nothing private (the remote refuses the push: pull first).
    let _ = push(&t.a);
    assert!(!remote_paths(&t).iter().any(|p| p.contains("id_rsa") || p.contains("loot")), "{:?}", remote_paths(&t));
}

#[test]
fn private_files_from_a_remote_are_refused_and_never_committed_here() {
    let t = two(&["web/a"]);
    fs::write(t.b.join(".poni-desktop-journal"), "{}").unwrap();
    commit_planted(&t.b, &[".poni-desktop-journal"], "Plant a journal");
    let refused = pull(&t.a).unwrap_err();
    assert_eq!(refused.code(), ErrorCode::VcRefusedFromRemote);
    assert!(refused.to_string().contains("'.poni-desktop-journal'"), "{refused}");
    assert!(!t.a.join(".poni-desktop-journal").exists());
    // Should one be tracked already (a commit made elsewhere), the next commit drops it and a
    // push of a commit that carries it is refused.
    let c = t._dir.path().join("c");
    Repository::clone(t._dir.path().join("remote.git").to_str().unwrap(), &c).unwrap();
    assert!(c.join(".poni-desktop-journal").exists());
    fs::create_dir_all(c.join(".poni-desktop-launches")).unwrap();
    fs::write(c.join(".poni-desktop-launches/x.json"), "{}").unwrap();
    commit_paths(&c, &[".poni-desktop-launches/x.json"], "A launch record committed with git");
    let refused = push(&c).unwrap_err();
    assert!(refused.to_string().contains(".poni-desktop-launches") && refused.to_string().contains("never pushed"), "{refused}");
    fs::write(c.join(".poni-desktop-launches/x.json"), "{\"changed\": 1}").unwrap();
    set(&c, "web/a", "user=c");
    after_change(&c, "c's change").unwrap().unwrap();
    let repo = Repository::open(&c).unwrap();
    let tree = repo.head().unwrap().peel_to_tree().unwrap();
    assert!(tree.get_name(".poni-desktop-journal").is_none() && tree.get_name(".poni-desktop-launches").is_none(), "the commit stops carrying them");
}

#[cfg(unix)]
#[test]
fn a_pull_that_turns_a_node_folder_into_a_link_changes_nothing() {
    let t = two(&["web/a", "web/b"]);
    fs::remove_dir_all(t.b.join("system/web/b")).unwrap();
    std::os::unix::fs::symlink("/etc", t.b.join("system/web/b")).unwrap();
    let repo = Repository::open(&t.b).unwrap();
    let mut index = repo.index().unwrap();
    index.remove_dir(Path::new("system/web/b"), 0).unwrap();
    index.write().unwrap();
    commit_planted(&t.b, &["system/web/b"], "b is a link now");
    set(&t.a, "web/b", "user=mine");
    let refused = pull(&t.a).unwrap_err();
    assert_eq!(refused.code(), ErrorCode::VcRefusedFromRemote);
    assert_eq!(node(&t.a, "web/b")["user"], "mine");
    // Nothing is left pending: status, push (refused by the remote: pull first) and
    // checkpoints work as before.
    assert!(!t.a.join(".git/poni-merge.json").exists());
    assert_eq!(status(&t.a).unwrap().conflicts, 0);
    assert_eq!(push(&t.a).unwrap_err().code(), ErrorCode::VcRejected);
}
