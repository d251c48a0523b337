//! The repository rules end to end on real folders: poni's layout read as poni wrote it, our
//! files byte for byte as poni writes them, and every kind of bad input rejected with nothing
//! lost.

use poni_repo::{AddNodes, Assignment, Kind, Repo, RepoError, Target};
use serde_json::json;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// Every file below `root` with its bytes, by relative path; the history (our own folder,
/// named by time) is left out.
fn files(root: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name().is_some_and(|n| n == poni_repo::journal::HISTORY_DIR || n == poni_repo::journal::UNFLUSHED_DIR) {
                continue;
            }
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
                out.insert(rel, fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn copy_dir(from: &Path, to: &Path) {
    for (rel, bytes) in files(from) {
        let dest = to.join(rel);
        fs::create_dir_all(dest.parent().unwrap()).unwrap();
        fs::write(dest, bytes).unwrap();
    }
}

fn new_repo() -> (tempfile::TempDir, Repo) {
    let dir = tempfile::tempdir().unwrap();
    let repo = Repo::init(dir.path().join("repo")).unwrap();
    (dir, repo)
}

fn target(p: &str) -> Target {
    Target::new(p, false).unwrap()
}

fn set(repo: &Repo, pattern: &str, props: &[&str]) -> poni_repo::Result<()> {
    let assignments: Vec<_> = props.iter().map(|p| Assignment::parse(p).unwrap()).collect();
    repo.set(&target(pattern), &assignments).map(drop)
}

fn add(repo: &Repo, template: &str, ids: &str, inherit: Option<&str>, copy: bool) -> poni_repo::Result<Vec<String>> {
    repo.add_nodes(&AddNodes { template: template.into(), ids: poni_repo::repo::parse_ids(ids).unwrap(), host: None, inherit: inherit.map(target), copy })
}

#[test]
fn writes_the_seed_repository_byte_for_byte_as_poni_does() {
    let (_dir, repo) = new_repo();
    add(&repo, "drumbo1", "1", None, false).unwrap();
    set(&repo, "drumbo", &["cloud.provider=aws-ec2", "cloud.region=us-east-1", "cloud.image=ami-daf615b3", "cloud.key-pair=my-keypair", "user=root"]).unwrap();
    add(&repo, "drumbo{id}", "2..4", Some("drumbo1"), true).unwrap();
    repo.add_system("web/tier").unwrap();
    repo.add_nodes(&AddNodes { host: Some("app{id:02}.example".into()), ids: 1..=2, ..AddNodes::new("web/tier/app{id:02}") }).unwrap();
    set(&repo, "app01", &["port:int=0x50", "weight:float=2", "motd=café", "flags.debug:bool=on"]).unwrap();

    let ours = files(repo.root());
    let poni = files(&fixture("seed-expected"));
    assert_eq!(ours.keys().collect::<Vec<_>>(), poni.keys().collect::<Vec<_>>());
    for (path, bytes) in &poni {
        assert_eq!(String::from_utf8_lossy(&ours[path]), String::from_utf8_lossy(bytes), "{path}");
    }
}

#[test]
fn opens_a_repository_laid_out_as_poni_writes_it() {
    let repo = Repo::open(fixture("poni-layout")).unwrap();
    let tree = repo.tree().unwrap();
    let listing: Vec<_> = tree.items().iter().map(|i| (i.kind, i.name.as_str(), i.index, i.depth, i.sub_count)).collect();
    assert_eq!(
        listing,
        [
            (Kind::Node, "drumbo1", 0, 1, 0),
            (Kind::System, "webshop", 1, 1, 2),
            (Kind::System, "webshop/backend", 0, 2, 1),
            (Kind::Node, "webshop/backend/db1", 0, 3, 0),
            (Kind::System, "webshop/frontend", 1, 2, 2),
            (Kind::Node, "webshop/frontend/http1", 0, 3, 0),
            (Kind::Node, "webshop/frontend/http2", 1, 3, 0),
        ]
    );
    let http2 = tree.get("webshop/frontend/http2").unwrap();
    assert_eq!(http2.parent_node(), Some("webshop/frontend/http1"));
    // Lookup up the tree: the node's own value, else the closest system's.
    assert_eq!(tree.lookup("webshop/frontend/http1", "owner"), Some(&json!("team-a")));
    assert_eq!(tree.lookup("webshop/frontend/http1", "user"), Some(&json!("root")));
    assert_eq!(tree.lookup("drumbo1", "owner"), None);
    // The effective view merges cloud settings key by key.
    let effective = tree.effective("webshop/frontend/http2").unwrap();
    assert_eq!(effective["cloud"], json!({"region": "us-east-1", "provider": "aws-ec2"}));
    // Computed properties are shown, never saved; cloud is kept apart.
    let shown = tree.get("webshop").unwrap().showable();
    assert_eq!(shown["sub_count"], json!(2));
    assert!(!shown.contains_key("cloud"));
}

#[test]
fn keeps_what_it_does_not_manage() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("poni-layout"), dir.path());
    let before = files(dir.path());
    let repo = Repo::open(dir.path()).unwrap();
    set(&repo, "http1", &["cloud.region=us-west-1"]).unwrap();
    let after = files(dir.path());
    for (path, bytes) in &before {
        if path != "system/webshop/frontend/http1/node.json" {
            assert_eq!(&after[path], bytes, "{path} must not change");
        }
    }
    assert_eq!(before.len(), after.len(), "no file added or removed");
    let node: serde_json::Value = serde_json::from_slice(&after["system/webshop/frontend/http1/node.json"]).unwrap();
    assert_eq!(node["cloud"]["region"], json!("us-west-1"));
    assert_eq!(node["x-notes"]["caf\u{e9}"], json!("na\u{ef}ve \u{1F600}"));
    assert_eq!(node["x-notes"]["big"], json!(1e16));
    // The unchanged parts are still byte for byte as Python wrote them.
    let text = String::from_utf8(after["system/webshop/frontend/http1/node.json"].clone()).unwrap();
    assert!(text.contains("\"big\": 1e+16,\n") && text.contains("\"caf\\u00e9\": \"na\\u00efve \\ud83d\\ude00\""), "{text}");
}

#[test]
fn add_node_with_templates_inherit_and_copy() {
    let (_dir, repo) = new_repo();
    add(&repo, "web/http{id:02}", "3", None, false).unwrap();
    set(&repo, "http01", &["cloud.instance=i-1", "cloud.region=eu-west-1", "private.ip=10.0.0.1"]).unwrap();
    let made = add(&repo, "web/clone{id}", "5..6", Some("http01"), true).unwrap();
    assert_eq!(made, ["web/clone5", "web/clone6"]);
    let tree = repo.tree().unwrap();
    let clone = tree.get("web/clone5").unwrap();
    assert_eq!(serde_json::Value::Object(clone.props.clone()), json!({"host": "", "parent": "web/http01", "cloud": {"region": "eu-west-1"}}));
    assert!(fs::read_to_string(repo.root().join("system/web/system.json")).unwrap() == "{}");
    // Inherit without copy: only host and parent.
    add(&repo, "plain", "1", Some("http02"), false).unwrap();
    assert_eq!(serde_json::Value::Object(repo.tree().unwrap().get("plain").unwrap().props.clone()), json!({"host": "", "parent": "web/http02"}));
}

#[test]
fn add_node_rejects_clashes_and_bad_input_writing_nothing() {
    let (_dir, repo) = new_repo();
    add(&repo, "n{id}", "2", None, false).unwrap();
    let before = files(repo.root());
    let check = |result: poni_repo::Result<Vec<String>>, code: &str, text: &str| {
        let err = result.unwrap_err();
        assert_eq!(err.code(), code, "{err}");
        assert!(err.to_string().contains(text), "{err}");
        assert_eq!(files(repo.root()), before, "nothing may be written after: {err}");
    };
    check(add(&repo, "n{id}", "1..3", None, false), "repo.already_exists", "node 'n1' already exists");
    check(add(&repo, "x{id}", "2", Some("nomatch"), false), "repo.inherit_no_match", "pattern 'nomatch' does not match any nodes");
    check(add(&repo, "x{id}", "2", Some("n"), false), "repo.inherit_ambiguous", "pattern 'n' matches multiple nodes: n1, n2");
    check(add(&repo, "fixed", "2", None, false), "input.invalid_template", "has no {id}");
    check(add(&repo, "n1/sub", "1", None, false), "repo.conflict", "'n1' is a node");
    check(add(&repo, "../x{id}", "1", None, false), "input.invalid_name", "'..' is not allowed");
    check(add(&repo, "/abs", "1", None, false), "input.invalid_name", "leading '/'");
    check(add(&repo, "a//b", "1", None, false), "input.invalid_name", "empty part");
    check(add(&repo, "bad\u{1b}name", "1", None, false), "input.invalid_name", "control character");
    check(repo.add_nodes(&AddNodes { copy: true, ..AddNodes::new("c") }), "input.usage", "-i PATTERN");
    assert_eq!(repo.add_system("n1").unwrap_err().code(), "repo.conflict");
    repo.add_system("sys").unwrap();
    assert_eq!(repo.add_system("sys").unwrap_err().to_string(), "system 'sys' already exists");
}

#[test]
fn plan_previews_names_and_clashes() {
    let (_dir, repo) = new_repo();
    add(&repo, "web{id}", "2", None, false).unwrap();
    let (parent, planned) = repo.plan_nodes(&AddNodes { ids: 2..=3, ..AddNodes::new("web{id}") }).unwrap();
    assert_eq!(parent, None);
    assert_eq!(planned[0].name, "web2");
    assert_eq!(planned[0].clash.as_deref(), Some("node 'web2' already exists"));
    assert_eq!((planned[1].name.as_str(), planned[1].clash.as_deref()), ("web3", None));
}

#[test]
fn set_matches_nodes_and_systems_and_is_all_or_nothing() {
    let (_dir, repo) = new_repo();
    add(&repo, "web/a", "1", None, false).unwrap();
    add(&repo, "web/b", "1", None, false).unwrap();
    set(&repo, "web", &["owner=ops"]).unwrap();
    let tree = repo.tree().unwrap();
    for name in ["web", "web/a", "web/b"] {
        assert_eq!(tree.get(name).unwrap().props["owner"], json!("ops"), "{name}");
    }
    set(&repo, "web/a", &["port:int=80"]).unwrap();
    let before = files(repo.root());
    let err = set(&repo, "web", &["port.sub=1"]).unwrap_err();
    assert!(err.to_string().contains("'port.sub' does not exist"), "{err}");
    assert_eq!(files(repo.root()), before, "a failing set writes nothing");
    assert_eq!(set(&repo, "nothing-here", &["a=b"]).unwrap_err().to_string(), "no matching nodes found");
    assert!(matches!(Target::new("(", false), Err(RepoError::InvalidPattern { .. })));
    // -M anchors to the whole name.
    let changed = repo.set(&Target::new("web/a", true).unwrap(), &[Assignment::parse("x=1").unwrap()]).unwrap();
    assert_eq!(changed.len(), 1);
}

#[test]
fn set_in_nodes_or_systems_only_and_reports_what_stayed() {
    let (_dir, repo) = new_repo();
    add(&repo, "web/a", "1", None, false).unwrap();
    set(&repo, "web/a", &["port:int=80"]).unwrap();
    let assign = |texts: &[&str]| texts.iter().map(|t| Assignment::parse(t).unwrap()).collect::<Vec<_>>();
    // -N: the system `web` matches the pattern too, but only the node is set.
    let changed = repo.set_in(&target("web"), &[Kind::Node], &assign(&["port:int=80", "owner=ops"])).unwrap();
    assert_eq!(changed.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["web/a"]);
    assert_eq!(changed[0].changes.iter().map(|c| c.key.as_str()).collect::<Vec<_>>(), ["owner"]);
    assert_eq!(changed[0].unchanged.len(), 1);
    assert_eq!(
        (changed[0].unchanged[0].key.as_str(), &changed[0].unchanged[0].old, &changed[0].unchanged[0].new),
        ("port", &Some(json!(80)), &Some(json!(80)))
    );
    // An int is not the float it equals: that is a change (poni compares the types too).
    let changed = repo.set_in(&target("web/a"), &[Kind::Node], &assign(&["port:float=80"])).unwrap();
    assert_eq!(changed[0].changes.len(), 1);
    // -S: only the system.
    let changed = repo.set_in(&target("web"), &[Kind::System], &assign(&["tier=front"])).unwrap();
    assert_eq!(changed.iter().map(|c| (c.name.as_str(), c.kind)).collect::<Vec<_>>(), [("web", Kind::System)]);
    let tree = repo.tree().unwrap();
    assert!(!tree.get("web/a").unwrap().props.contains_key("tier"));
    assert!(!tree.get("web").unwrap().props.contains_key("owner"));
    // Nothing of the kind matches: nothing matched at all.
    assert_eq!(repo.set_in(&target("web/a"), &[Kind::System], &assign(&["x=1"])).unwrap_err().code(), "repo.no_match");
}

#[test]
fn config_folders_stay_untouched_through_moves_and_edits() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("poni-layout"), dir.path());
    let config = |root: &Path, node: &str| {
        files(root)
            .into_iter()
            .filter(|(p, _)| p.starts_with(&format!("system/{node}/config/")))
            .map(|(p, b)| (p[format!("system/{node}/").len()..].to_owned(), b))
            .collect::<BTreeMap<_, _>>()
    };
    let before = config(dir.path(), "webshop/frontend/http1");
    assert_eq!(before.len(), 2, "the fixture has a config with its plugin");
    let repo = Repo::open(dir.path()).unwrap();
    // Listed: the config folder is not an item.
    assert!(repo.tree().unwrap().items().iter().all(|i| !i.name.contains("config")));
    set(&repo, "http1", &["x=1"]).unwrap();
    repo.rename("webshop/frontend/http1", "webshop/api/http1").unwrap();
    assert_eq!(config(dir.path(), "webshop/api/http1"), before, "the config moved with its node, byte for byte");
    repo.undo().unwrap();
    assert_eq!(config(dir.path(), "webshop/frontend/http1"), before, "and back with the undo");
}

#[test]
fn unset_remove_and_rename() {
    let (_dir, repo) = new_repo();
    add(&repo, "web/http1", "1", None, false).unwrap();
    set(&repo, "http1", &["cloud.region=x", "cloud.image=y"]).unwrap();
    add(&repo, "web/clone{id}", "2", Some("http1"), false).unwrap();

    repo.unset(&target("http1"), &["cloud.region".into()]).unwrap();
    assert_eq!(repo.tree().unwrap().get("web/http1").unwrap().props["cloud"], json!({"image": "y"}));

    let changed = repo.rename("web/http1", "api/http1").unwrap();
    assert_eq!(changed.len(), 2, "both clones follow the rename");
    let tree = repo.tree().unwrap();
    assert!(tree.get("web/http1").is_none());
    assert_eq!(tree.get("web/clone1").unwrap().parent_node(), Some("api/http1"));
    assert_eq!(fs::read_to_string(repo.root().join("system/api/system.json")).unwrap(), "{}");
    assert_eq!(repo.rename("web", "web/inner").unwrap_err().code(), "repo.conflict");
    assert_eq!(repo.rename("missing", "x").unwrap_err().code(), "repo.not_found");

    let orphans = repo.remove("api").unwrap();
    assert_eq!(orphans, ["web/clone1", "web/clone2"]);
    assert!(repo.tree().unwrap().get("api/http1").is_none());
    assert_eq!(repo.remove("../etc").unwrap_err().code(), "input.invalid_name");
}

#[test]
fn a_hand_broken_file_is_named_and_the_rest_stays_usable() {
    let (_dir, repo) = new_repo();
    add(&repo, "good", "1", None, false).unwrap();
    add(&repo, "bad", "1", None, false).unwrap();
    add(&repo, "list", "1", None, false).unwrap();
    let bad_file = repo.root().join("system/bad/node.json");
    fs::write(&bad_file, "{\"host\": ").unwrap();
    fs::write(repo.root().join("system/list/node.json"), "[1, 2]").unwrap();

    let tree = repo.tree().unwrap();
    let problem = tree.get("bad").unwrap().problem.clone().unwrap();
    assert!(problem.contains("system/bad/node.json: not valid JSON"), "{problem}");
    assert!(tree.get("list").unwrap().problem.as_ref().unwrap().contains("expected a JSON object"));
    assert!(tree.get("good").unwrap().problem.is_none());

    set(&repo, "good", &["a=1"]).unwrap();
    let err = set(&repo, "bad", &["a=1"]).unwrap_err().to_string();
    assert!(err.contains("cannot change 'bad'") && err.contains("bad/node.json"), "{err}");
    assert_eq!(fs::read_to_string(&bad_file).unwrap(), "{\"host\": ", "the broken file is left for its owner to mend");
}

#[test]
fn not_a_repository() {
    let dir = tempfile::tempdir().unwrap();
    let err = Repo::open(dir.path()).unwrap_err();
    assert_eq!(err.code(), "repo.not_a_repository");
    assert!(err.to_string().contains("poni init"));
    fs::write(dir.path().join("repo.json"), "nope").unwrap();
    assert_eq!(Repo::open(dir.path()).unwrap_err().code(), "repo.bad_file");
    let repo = Repo::init(dir.path().join("new")).unwrap();
    assert!(Repo::init(repo.root()).unwrap_err().to_string().contains("already initialized"));
}

#[test]
fn fingerprint_notices_changes_made_behind_our_back() {
    let (_dir, repo) = new_repo();
    add(&repo, "a", "1", None, false).unwrap();
    let first = repo.fingerprint().unwrap();
    assert_eq!(repo.fingerprint().unwrap(), first, "stable while nothing changes");
    fs::write(repo.root().join("system/a/node.json"), "{\n    \"host\": \"changed\"\n}").unwrap();
    let second = repo.fingerprint().unwrap();
    assert_ne!(second, first, "an edited file");
    fs::create_dir_all(repo.root().join("system/b")).unwrap();
    assert_ne!(repo.fingerprint().unwrap(), second, "a new folder");
}

#[test]
fn concurrent_writers_do_not_lose_updates() {
    let (_dir, repo) = new_repo();
    add(&repo, "n", "1", None, false).unwrap();
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let repo = repo.clone();
            std::thread::spawn(move || {
                for i in 0..25 {
                    repo.update("n", |props| {
                        let key = format!("t{t}.k{i}");
                        Ok(poni_repo::props::set_path(props, &key, json!(i))?.into_iter().collect())
                    })
                    .unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let props = repo.tree().unwrap().get("n").unwrap().props.clone();
    for t in 0..8 {
        assert_eq!(props[&format!("t{t}")].as_object().unwrap().len(), 25, "thread {t}");
    }
}

#[test]
fn repo_config_keeps_other_keys_and_writes_only_on_change() {
    let (_dir, repo) = new_repo();
    assert!(repo.config().unwrap().is_empty());
    let path = repo.root().join("repo.json");
    fs::write(&path, "{\"theirs\": {\"x\": 1}}").unwrap();
    let made = repo
        .update_config(|c| {
            c.insert("ours".into(), json!({"id": "r-1"}));
            Ok("made")
        })
        .unwrap();
    assert_eq!(made, "made");
    assert_eq!(fs::read_to_string(&path).unwrap(), "{\n    \"ours\": {\n        \"id\": \"r-1\"\n    },\n    \"theirs\": {\n        \"x\": 1\n    }\n}");
    // Nothing changed: the file is not rewritten (another tool's formatting survives).
    fs::write(&path, "{\"ours\":{\"id\":\"r-1\"},\"theirs\":{\"x\":1}}").unwrap();
    repo.update_config(|c| Ok(c.get("ours").cloned())).unwrap();
    assert_eq!(fs::read_to_string(&path).unwrap(), "{\"ours\":{\"id\":\"r-1\"},\"theirs\":{\"x\":1}}");
    // A failing edit writes nothing.
    let err = repo
        .update_config(|c| {
            c.clear();
            Err::<(), _>(RepoError::Usage("no".into()))
        })
        .unwrap_err();
    assert_eq!(err.code(), "input.usage");
    assert_eq!(repo.config().unwrap()["theirs"], json!({"x": 1}));
}

#[test]
fn config_updates_from_many_threads_lose_nothing() {
    let (_dir, repo) = new_repo();
    repo.add_nodes(&AddNodes::new("n")).unwrap();
    let threads: Vec<_> = (0..6)
        .map(|t| {
            let repo = repo.clone();
            std::thread::spawn(move || {
                for i in 0..15 {
                    // Interleave config rewrites (which replace repo.json) with node updates.
                    repo.update_config(|c| {
                        c.insert(format!("t{t}.k{i}"), json!(i));
                        Ok(())
                    })
                    .unwrap();
                    repo.update("n", |props| Ok(poni_repo::props::set_path(props, &format!("t{t}.k{i}"), json!(i))?.into_iter().collect())).unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(repo.config().unwrap().len(), 90);
    let props = repo.tree().unwrap().get("n").unwrap().props.clone();
    assert_eq!(props.len(), 7, "host and six threads' objects: {props:?}");
}
