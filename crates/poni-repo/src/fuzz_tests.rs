//! Fuzzing of what the repository reads from its private folders: history entries (their
//! file names and contents) and the journal a crash leaves. Whatever they hold, opening the
//! repository, listing the history, undo and redo never panic, and nothing outside the
//! repository is written, created or removed, even with a link inside `system/` that points
//! outside. Bounded: a fixed number of generated cases per run.

use crate::journal::{HISTORY_DIR, JOURNAL_FILE};
use crate::repo::{AddNodes, Repo};
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

const SECRET: &str = "{\"secret\": 1}";

/// Paths an attacker would try (mostly well formed, so that the checks on the disk are
/// reached), and some that are fine.
fn path() -> impl Strategy<Value = String> {
    let well_formed = prop_oneof![
        4 => Just("system/ext/o/node.json".to_string()),
        1 => Just("system/ext/o".to_string()),
        1 => Just("system/ext/new".to_string()),
        1 => Just("system/ext".to_string()),
        1 => Just("system/a/node.json".to_string()),
        1 => Just("system/a".to_string()),
        1 => Just(format!("{HISTORY_DIR}/000001-ab.kept/0")),
        1 => "system/[a-z.]{1,6}(/[a-z.]{1,6}){0,3}".boxed(),
    ];
    let malformed = prop_oneof![
        Just("system/../out/x/node.json".to_string()),
        Just("/tmp/poni-fuzz/node.json".to_string()),
        Just(format!("system/{}", vec!["p".repeat(100); 42].join("/"))),
        Just(format!("{HISTORY_DIR}/../../out.kept/0")),
        "[a-z./]{0,24}",
    ];
    prop_oneof![9 => well_formed, 1 => malformed]
}

fn contents() -> impl Strategy<Value = Option<String>> {
    // What the file outside holds: an undo's "changed since" check then lets it through.
    prop_oneof![1 => Just(None), 1 => Just(Some("{}".to_string())), 3 => Just(Some(SECRET.to_string())), 1 => "\\PC{0,12}".prop_map(Some).boxed()]
}

fn op() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::json;
    prop_oneof![
        1 => path().prop_map(|p| json!({"op": "mkdir", "path": p})),
        1 => path().prop_map(|p| json!({"op": "rmdir", "path": p})),
        3 => (path(), contents(), contents()).prop_map(|(p, b, a)| json!({"op": "write", "path": p, "before": b, "after": a.unwrap_or_default()})),
        3 => (path(), contents()).prop_map(|(p, b)| json!({"op": "delete", "path": p, "before": b.unwrap_or_default()})),
        1 => (path(), path()).prop_map(|(p, k)| json!({"op": "remove", "path": p, "kept": k})),
        1 => (path(), path()).prop_map(|(f, t)| json!({"op": "move", "from": f, "to": t})),
    ]
}

/// A journal-shaped document (mostly well formed, so the checks after parsing are reached),
/// or arbitrary bytes.
fn document() -> impl Strategy<Value = Vec<u8>> {
    let action = prop_oneof![4 => Just(serde_json::json!("change")), 1 => any::<u64>().prop_map(|n| serde_json::json!({"undo": n})), 1 => any::<u64>().prop_map(|n| serde_json::json!({"redo": n}))];
    let journal = (
        prop_oneof![9 => Just(2u32), 1 => any::<u32>()],
        prop_oneof![9 => Just("ab".to_string()), 1 => "[0-9a-f-]{0,70}".boxed()],
        any::<u64>(),
        "\\PC{0,20}",
        any::<u64>(),
        action,
        prop_oneof![3 => proptest::collection::vec(op(), 1..2), 1 => proptest::collection::vec(op(), 0..4)],
    )
        .prop_map(|(format, id, seq, label, at, action, ops)| {
            serde_json::to_vec(
                &serde_json::json!({"format": format, "id": id, "seq": seq, "label": label, "origin": "app", "at": at, "action": action, "ops": ops}),
            )
            .unwrap()
        });
    prop_oneof![4 => journal, 1 => proptest::collection::vec(any::<u8>(), 0..64)]
}

fn entry_name() -> impl Strategy<Value = String> {
    prop_oneof!["[0-9]{1,25}-[0-9a-f-]{0,10}(\\.(undo|redo)-[0-9]{1,22})?", "\\PC{1,16}"].prop_map(|n| format!("{n}.json"))
}

/// Every path below `dir` with its contents, without following links.
fn snapshot(dir: &Path) -> BTreeMap<String, Option<Vec<u8>>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap();
            let kind = entry.file_type().unwrap();
            let rel = entry.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            if kind.is_dir() {
                stack.push(entry.path());
                out.insert(rel, None);
            } else {
                out.insert(rel, Some(fs::read(entry.path()).unwrap_or_default()));
            }
        }
    }
    out
}

/// A repository with a node, one change in its history, and a link `system/ext` to a folder
/// outside it; returns the folder outside.
fn setup(dir: &Path) -> (Repo, std::path::PathBuf) {
    let outside = dir.join("out");
    fs::create_dir_all(outside.join("o")).unwrap();
    fs::write(outside.join("o/node.json"), SECRET).unwrap();
    let repo = Repo::init(dir.join("r")).unwrap();
    repo.add_nodes(&AddNodes::new("a")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&outside, repo.root().join("system/ext")).unwrap();
    (repo, outside)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn a_planted_history_entry_never_panics_or_reaches_outside(name in entry_name(), document in document(), second in document()) {
        let dir = tempfile::tempdir().unwrap();
        let (repo, outside) = setup(dir.path());
        let before = snapshot(&outside);
        let history = repo.root().join(HISTORY_DIR);
        // A name the file system refuses (a '/' in it) is simply not planted.
        let _ = fs::write(history.join(&name), &document);
        let _ = fs::write(history.join("000077-ab.json"), &second);
        let _ = repo.history();
        let _ = repo.undo();
        let _ = repo.redo();
        let _ = repo.undo();
        let _ = Repo::open(repo.root()).and_then(|r| r.tree());
        prop_assert_eq!(snapshot(&outside), before);
    }

    #[test]
    fn a_planted_journal_never_panics_or_reaches_outside(document in document()) {
        let dir = tempfile::tempdir().unwrap();
        let (repo, outside) = setup(dir.path());
        let before = snapshot(&outside);
        fs::write(repo.root().join(JOURNAL_FILE), &document).unwrap();
        let _ = Repo::open(repo.root()).and_then(|r| r.tree());
        let _ = repo.undo();
        prop_assert_eq!(snapshot(&outside), before);
        prop_assert!(dir.path().read_dir().unwrap().count() == 2, "nothing made beside the repository");
    }
}
