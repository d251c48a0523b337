//! The real `poni` binary, run as a user would, on the seed document's steps and bad input.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

fn poni(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_poni")).args(["-d", root.to_str().unwrap()]).args(args).env_remove("PONI_ROOT").output().expect("run poni")
}

fn ok(root: &Path, args: &[&str]) -> String {
    let out = poni(root, args);
    assert!(out.status.success(), "poni {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Runs a command that must fail; returns its one-line error.
fn fails(root: &Path, args: &[&str]) -> String {
    let out = poni(root, args);
    assert!(!out.status.success(), "poni {args:?} should fail");
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "one clear line: {err}");
    assert!(err.starts_with("error: "), "{err}");
    err.trim_end().trim_start_matches("error: ").to_string()
}

fn seed_repo() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    ok(&root, &["init"]);
    ok(&root, &["add-node", "drumbo1"]);
    ok(&root, &["set", "drumbo", "cloud.provider=aws-ec2", "cloud.region=us-east-1", "cloud.image=ami-daf615b3", "cloud.key-pair=my-keypair", "user=root"]);
    (dir, root)
}

#[test]
fn the_seed_documents_repository_steps_print_as_written() {
    let (_dir, root) = seed_repo();
    assert_eq!(
        ok(&root, &["list", "-o"]),
        "      node drumbo1\n     cloud     image:'ami-daf615b3' key-pair:'my-keypair' provider:'aws-ec2' region:'us-east-1'\n"
    );
    ok(&root, &["add-node", "drumbo{id}", "-n", "2..4", "-c", "-i", "drumbo1"]);
    let cloud = "     cloud     image:'ami-daf615b3' key-pair:'my-keypair' provider:'aws-ec2' region:'us-east-1'\n";
    assert_eq!(
        ok(&root, &["list", "-o"]),
        format!(
            "      node drumbo1\n{cloud}      node drumbo2 <= drumbo1\n{cloud}      node drumbo3 <= drumbo1\n{cloud}      node drumbo4 <= drumbo1\n{cloud}"
        )
    );
    let props = ok(&root, &["list", "-p", "drumbo2"]);
    assert_eq!(props, "      node drumbo2 <= drumbo1\n      prop     depth:1 host:'' index:1 parent:'drumbo1' user:'root'\n");
}

#[test]
fn list_flags() {
    let (_dir, root) = seed_repo();
    ok(&root, &["add-system", "web"]);
    ok(&root, &["add-node", "web/app{id:02}", "-n", "2", "-H", "app{id:02}.example"]);
    assert_eq!(ok(&root, &["list"]), "      node drumbo1\n      node web/app01\n      node web/app02\n");
    assert_eq!(ok(&root, &["list", "-s"]), "    system web\n");
    assert_eq!(ok(&root, &["list", "-snt", "web"]), "    system web\n      node     app01\n      node     app02\n");
    assert_eq!(ok(&root, &["list", "-M", "app0"]), "");
    assert_eq!(ok(&root, &["list", "-M", "web/app0[12]"]), "      node web/app01\n      node web/app02\n");
    assert_eq!(
        ok(&root, &["list", "-ol", "drumbo"]),
        "      node drumbo1\n     cloud     image:'ami-daf615b3'\n     cloud     key-pair:'my-keypair'\n     cloud     provider:'aws-ec2'\n     cloud     region:'us-east-1'\n"
    );
    assert_eq!(ok(&root, &["list", "-p", "app01"]), "      node web/app01\n      prop     depth:2 host:'app01.example' index:0\n");
    assert_eq!(ok(&root, &["list", "-sp", "^web$"]), "    system web\n      prop     depth:1 index:1 sub_count:2\n");
}

#[test]
fn bad_input_gets_one_clear_line_and_changes_nothing() {
    let (_dir, root) = seed_repo();
    let node = root.join("system/drumbo1/node.json");
    let before = fs::read(&node).unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&["set", "drumbo(", "a=b"], "invalid pattern 'drumbo(': unclosed group"),
        (&["add-node", "x{id}", "-n", "3..x"], "invalid range: '3..x'"),
        (&["add-node", "x{id}", "-n", "5..2"], "invalid range: '5..2' (the start is after the end)"),
        (&["set", "drumbo1", "x:int=abc"], "invalid property 'x:int=abc': 'abc' is not an integer"),
        (&["set", "drumbo1", "x:list=1"], "unknown type 'list'"),
        (&["add-node", "drumbo1"], "node 'drumbo1' already exists"),
        (&["set", "nomatch", "a=b"], "no matching nodes found"),
        (&["add-node", "y", "-i", "nomatch"], "pattern 'nomatch' does not match any nodes"),
        (&["set", "drumbo1", "user.name=x"], "'user.name' does not exist"),
        (&["add-node", "../x"], "invalid name '../x'"),
        (&["add-node", "/etc/x"], "leading '/'"),
        (&["add-node", "a//b"], "empty part"),
        (&["add-node", "a\tb"], "control character"),
    ];
    for (args, expected) in cases {
        let err = fails(&root, args);
        assert!(err.contains(expected), "poni {args:?}: got {err:?}, expected {expected:?}");
    }
    ok(&root, &["add-node", "drumbo2", "-i", "drumbo1"]);
    let err = fails(&root, &["add-node", "z", "-i", "drumbo"]);
    assert_eq!(err, "pattern 'drumbo' matches multiple nodes: drumbo1, drumbo2");
    assert_eq!(fs::read(&node).unwrap(), before);
    assert!(!root.join("system/x1").exists() && !root.join("x").exists());
}

#[test]
fn a_broken_node_file_is_named_and_the_rest_still_lists() {
    let (_dir, root) = seed_repo();
    ok(&root, &["add-node", "other"]);
    fs::write(root.join("system/other/node.json"), "not json").unwrap();
    let out = ok(&root, &["list"]);
    assert!(out.contains("      node drumbo1\n"), "{out}");
    assert!(out.contains("   problem     ") && out.contains("system/other/node.json: not valid JSON"), "{out}");
    ok(&root, &["set", "drumbo1", "a=b"]);
}

#[test]
fn a_reader_that_stops_early_ends_the_listing_quietly() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    ok(&root, &["init"]);
    // More output than a pipe holds, so the listing is still writing when the reader goes.
    ok(&root, &["add-node", "fleet/n{id:05}", "-n", "1..5000"]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_poni"))
        .args(["-d", root.to_str().unwrap(), "list"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    assert_eq!(first.trim(), "node fleet/n00001"); // `poni list | head -1`: the reader is gone now
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "exit {:?}", out.status);
    assert_eq!(String::from_utf8_lossy(&out.stderr), "", "nothing on stderr, no panic");
}

#[test]
fn not_a_repository_and_init_twice() {
    let dir = tempfile::tempdir().unwrap();
    let err = fails(dir.path(), &["list"]);
    assert!(err.contains("is not a poni repository") && err.contains("poni init"), "{err}");
    ok(&dir.path().join("r"), &["init"]);
    let err = fails(&dir.path().join("r"), &["init"]);
    assert_eq!(err, format!("repository '{}' already initialized", dir.path().join("r").display()));
}

#[test]
fn default_root_comes_from_poni_root() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| Command::new(env!("CARGO_BIN_EXE_poni")).args(args).env("PONI_ROOT", dir.path()).output().unwrap();
    assert!(run(&["init"]).status.success());
    assert!(run(&["add-node", "n1"]).status.success());
    assert!(dir.path().join("system/n1/node.json").is_file());
}

#[test]
fn verbose_set_says_what_changed_and_unset_move_remove_work() {
    let (_dir, root) = seed_repo();
    // poni 0.8's line, on standard error as poni logs it; standard output stays empty.
    let out = poni(&root, &["set", "-v", "drumbo1", "port:int=0x50", "user=root"]);
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "");
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "root    INFO    drumbo1: set port=80 (was None)\nroot    INFO    drumbo1: set user='root' (no change)\n"
    );
    ok(&root, &["unset", "drumbo1", "port"]);
    ok(&root, &["move", "drumbo1", "web/drumbo1"]);
    assert_eq!(ok(&root, &["list"]), "      node web/drumbo1\n");
    ok(&root, &["remove", "web"]);
    assert_eq!(ok(&root, &["list"]), "");
}

/// `poni history`, `poni undo` and `poni redo`, several levels deep, each run a new process
/// (so the history survives a restart), with poni 0.8's format untouched.
#[test]
fn history_undo_and_redo_across_processes() {
    let (_dir, root) = seed_repo();
    ok(&root, &["add-node", "drumbo{id}", "-n", "2..3", "-c", "-i", "drumbo1"]);
    ok(&root, &["set", "drumbo2", "cloud.type=t3.large"]);
    ok(&root, &["move", "drumbo3", "web/drumbo3"]);
    let history = ok(&root, &["history"]);
    let lines: Vec<&str> = history.lines().collect();
    assert!(lines[0].contains("Move drumbo3 to web/drumbo3") && lines[0].ends_with("[command line]"), "{history}");
    assert!(lines[1].contains("Set cloud.type=t3.large on drumbo2"), "{history}");
    assert!(lines[2].contains("Clone drumbo1 as drumbo2 and drumbo3"), "{history}");
    let verbose = ok(&root, &["history", "-v", "-n", "2"]);
    assert!(verbose.contains("drumbo2 changed\n      cloud.type: (not set) -> t3.large"), "{verbose}");

    let node = |name: &str| fs::read_to_string(root.join("system").join(name).join("node.json")).ok();
    let undid = ok(&root, &["undo"]);
    assert!(undid.starts_with("Undid: Move drumbo3 to web/drumbo3"), "{undid}");
    assert!(node("drumbo3").is_some() && !root.join("system/web").exists());
    ok(&root, &["undo"]);
    assert!(!node("drumbo2").unwrap().contains("t3.large"));
    ok(&root, &["undo"]);
    assert!(node("drumbo2").is_none() && node("drumbo3").is_none());
    assert_eq!(ok(&root, &["list"]), "      node drumbo1\n");
    let redid = ok(&root, &["redo"]);
    assert!(redid.starts_with("Redid: Clone drumbo1 as drumbo2 and drumbo3"), "{redid}");
    ok(&root, &["redo"]);
    assert!(node("drumbo2").unwrap().contains("t3.large"));
    let history = ok(&root, &["history"]);
    assert!(history.lines().any(|l| l.contains("Move drumbo3 to web/drumbo3 (undone)")), "{history}");
    // A change made now drops the move that could still have been redone.
    ok(&root, &["set", "drumbo1", "x=1"]);
    assert!(fails(&root, &["redo"]).starts_with("nothing to redo"));

    // A file changed by hand since is never overwritten by an undo.
    fs::write(root.join("system/drumbo1/node.json"), "{\"x\": \"by hand\"}\n").unwrap();
    let out = poni(&root, &["undo"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("cannot undo 'Set x=1 on drumbo1': 'drumbo1' changed since"), "{err}");
    assert_eq!(node("drumbo1").unwrap(), "{\"x\": \"by hand\"}\n");
}

/// poni 0.8's options that need no poni 0.8 to check (the side-by-side checks are in
/// tests/tests/it/poni08_cli.rs): repeated flags, --exclude, -D and -c, version, a script.
#[test]
fn poni_08_options() {
    let (_dir, root) = seed_repo();
    ok(&root, &["add-node", "web/app{id}", "-n", "2", "-v", "--inherit-node", "drumbo1"]);
    assert_eq!(ok(&root, &["list", "-s", "-s"]), ok(&root, &["list", "-s"]));
    assert_eq!(ok(&root, &["list", "--exclude", "app1"]), "      node drumbo1\n      node web/app2 <= drumbo1\n");
    assert_eq!(
        ok(&root, &["-D", "-c", "off", "list", "-p", "-s", "web"]).lines().filter(|l| l.trim_start().starts_with("node")).count(),
        2,
        "-p shows nodes with -s"
    );
    let version = ok(&root, &["version"]);
    assert_eq!(version, format!("{}\n", env!("CARGO_PKG_VERSION")));
    let script = root.parent().unwrap().join("s.poni");
    fs::write(&script, "set -N $sys tier:int=$tier\n# done\nset -S $sys\n  owner=ops\nset nomatch x=1\nset $sys never=1\n").unwrap();
    let out = poni(&root, &["script", script.to_str().unwrap(), "sys=web", "tier:int=2"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(String::from_utf8(out.stderr).unwrap(), format!("error: {} line 5: set nomatch x=1: no matching nodes found\n", script.display()));
    let node: serde_json::Value = serde_json::from_str(&fs::read_to_string(root.join("system/web/app1/node.json")).unwrap()).unwrap();
    assert_eq!((node["tier"].clone(), node.get("owner"), node.get("never")), (serde_json::json!(2), None, None));
    let system: serde_json::Value = serde_json::from_str(&fs::read_to_string(root.join("system/web/system.json")).unwrap()).unwrap();
    assert_eq!(system, serde_json::json!({"owner": "ops"}));
    assert_eq!(fails(&root, &["deploy", "web"]), "poni deploy web: Poni Desktop does not deploy configurations (poni 0.8's configs, templates, settings and control commands); the repository's config folders are kept as they are");
}
