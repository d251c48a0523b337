//! The repository store through the real `poni` binary: changes are all or nothing when the
//! process is killed at random moments, when a folder is read-only (a read-only bind mount) and
//! when the disk is full (a small tmpfs); nothing outside the repository is read, written or
//! removed through links; special files never hang or break a command.
//!
//! The mount tests need root and `unshare` (a private mount namespace); without them they say
//! why and pass without checking.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn poni_cmd(root: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_poni"));
    cmd.args(["-d", root.to_str().unwrap()]).args(args).env_remove("PONI_ROOT");
    cmd
}

fn poni(root: &Path, args: &[&str]) -> Output {
    poni_cmd(root, args).output().expect("run poni")
}

fn ok(root: &Path, args: &[&str]) -> String {
    let out = poni(root, args);
    assert!(out.status.success(), "poni {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Runs a command that must fail; returns its one-line error.
fn fails(root: &Path, args: &[&str]) -> String {
    let out = poni(root, args);
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(!out.status.success(), "poni {args:?} should fail: {err}");
    assert_eq!(err.lines().filter(|l| l.starts_with("error: ")).count(), 1, "one clear line: {err}");
    err.lines().find(|l| l.starts_with("error: ")).unwrap().trim_start_matches("error: ").to_string()
}

/// Every file and folder below `dir` (folders as None), without following links.
fn snapshot(dir: &Path) -> BTreeMap<String, Option<Vec<u8>>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Option<Vec<u8>>>) {
        for entry in fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let rel = entry.path().strip_prefix(root).unwrap().to_string_lossy().into_owned();
            if rel == poni_repo::journal::HISTORY_DIR || rel == poni_repo::journal::UNFLUSHED_DIR {
                continue; // the history and the changes waiting for the disk: named by time, process and boot
            }
            let kind = entry.file_type().unwrap();
            if kind.is_dir() {
                out.insert(rel, None);
                walk(root, &entry.path(), out);
            } else if kind.is_symlink() {
                out.insert(rel, Some(format!("-> {}", fs::read_link(entry.path()).unwrap().display()).into_bytes()));
            } else if !kind.is_file() {
                out.insert(rel, Some(format!("special {kind:?}").into_bytes()));
            } else {
                out.insert(rel, Some(fs::read(entry.path()).unwrap()));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Compares two snapshots, naming the paths that differ (not dumping both).
#[track_caller]
fn assert_same(now: &BTreeMap<String, Option<Vec<u8>>>, before: &BTreeMap<String, Option<Vec<u8>>>, what: &str) {
    let differ: Vec<&String> = now.keys().chain(before.keys()).filter(|k| now.get(*k) != before.get(*k)).collect();
    assert!(differ.is_empty(), "{what}: these differ: {differ:?}");
}

fn new_repo(dir: &Path) -> PathBuf {
    let root = dir.join("repo");
    ok(&root, &["init"]);
    root
}

/// A small xorshift generator: the tests print their seed, so a failure can be replayed.
struct Random(u64);

impl Random {
    fn seeded() -> Self {
        let seed = std::env::var("PONI_TEST_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1);
        eprintln!("PONI_TEST_SEED={seed}");
        Random(seed)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

/// Starts `poni args` and kills it (SIGKILL) after `delay`; returns whether it was killed
/// before it finished.
fn kill_after(root: &Path, args: &[&str], delay: Duration) -> bool {
    let mut child = poni_cmd(root, args).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    std::thread::sleep(delay);
    let killed = matches!(child.try_wait(), Ok(None));
    let _ = child.kill();
    let status = child.wait().unwrap();
    killed && !status.success()
}

/// Every node.json and system.json in the repository parses as a JSON object (checked before
/// anything opens the repository again).
fn every_file_parses(root: &Path) {
    for (rel, bytes) in snapshot(&root.join("system")) {
        if rel.ends_with("node.json") || rel.ends_with("system.json") {
            let bytes = bytes.unwrap_or_else(|| panic!("{rel} is a folder"));
            let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{rel} does not parse: {e}"));
            assert!(value.is_object(), "{rel}");
        }
    }
}

fn node_value(root: &Path, node: &str, key: &str) -> serde_json::Value {
    let text = fs::read(root.join("system").join(node).join("node.json")).unwrap();
    serde_json::from_slice::<serde_json::Value>(&text).unwrap()[key].clone()
}

fn leftovers(root: &Path) -> Vec<String> {
    snapshot(root).into_keys().filter(|k| k.contains(".pd-") || k.contains("json_dump") || k.contains(".poni-desktop-")).collect()
}

/// How long an uninterrupted run takes, to spread the kills over it.
fn duration_of(root: &Path, args: &[&str]) -> Duration {
    let started = Instant::now();
    ok(root, args);
    started.elapsed()
}

#[test]
fn set_on_2000_nodes_killed_at_random_moments_is_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let root = new_repo(dir.path());
    ok(&root, &["add-node", "fleet/n{id:04}", "-n", "2000"]);
    let nodes: Vec<String> = (1..=2000).map(|i| format!("fleet/n{i:04}")).collect();
    let mut full = duration_of(&root, &["set", "fleet", "x:int=0"]);
    let mut random = Random::seeded();
    let (mut killed, mut previous) = (0, 0);
    for round in 1..=400u64 {
        let delay = Duration::from_micros(random.below(full.as_micros() as u64 * 11 / 10));
        let value = format!("x:int={round}");
        let was_killed = kill_after(&root, &["set", "fleet", &value], delay);
        killed += was_killed as u32;
        if !was_killed {
            // Faster than the first run (it was timed on a busier machine): kill sooner.
            full = full * 9 / 10;
        }
        every_file_parses(&root);
        ok(&root, &["list", "-s"]); // the next open: completes or rolls back
        let seen: std::collections::BTreeSet<u64> = nodes.iter().map(|n| node_value(&root, n, "x").as_u64().unwrap()).collect();
        assert_eq!(seen.len(), 1, "round {round}: a mix of values {seen:?}");
        let now = seen.into_iter().next().unwrap();
        assert!(now == round || now == previous, "round {round}: x is {now}, was {previous}");
        let system: serde_json::Value = serde_json::from_slice(&fs::read(root.join("system/fleet/system.json")).unwrap()).unwrap();
        assert_eq!(system["x"].as_u64(), Some(now), "round {round}: the system matches too and changes with its nodes");
        previous = now;
        assert_eq!(leftovers(&root), Vec::<String>::new(), "round {round}");
        if killed >= 100 {
            break;
        }
    }
    assert!(killed >= 100, "only {killed} runs were killed before they finished");
    eprintln!("set on 2000: {killed} runs killed before they finished, each all or nothing");
}

#[test]
fn add_node_of_1000_killed_at_random_moments_makes_all_or_none() {
    let dir = tempfile::tempdir().unwrap();
    let root = new_repo(dir.path());
    let mut full = duration_of(&root, &["add-node", "batch0/n{id}", "-n", "1..1000"]);
    let mut random = Random::seeded();
    let mut killed = 0;
    for round in 1..=400u64 {
        let system = format!("batch{round}");
        let template = format!("{system}/n{{id}}");
        let delay = Duration::from_micros(random.below(full.as_micros() as u64 * 11 / 10));
        let was_killed = kill_after(&root, &["add-node", &template, "-n", "1..1000"], delay);
        killed += was_killed as u32;
        if !was_killed {
            // Faster than the first run (it was timed on a busier machine): kill sooner.
            full = full * 9 / 10;
        }
        every_file_parses(&root);
        ok(&root, &["list", "-s"]);
        let folder = root.join("system").join(&system);
        if folder.exists() {
            let made = fs::read_dir(&folder).unwrap().filter(|e| e.as_ref().unwrap().path().join("node.json").is_file()).count();
            let entries = fs::read_dir(&folder).unwrap().count();
            assert_eq!((made, entries), (1000, 1001), "round {round}: all 1000 nodes and system.json, nothing else");
            ok(&root, &["remove", &system]);
        }
        // The same command again always works: nothing is left in the way.
        assert_eq!(leftovers(&root), Vec::<String>::new(), "round {round}");
        let systems = ok(&root, &["list", "-s"]);
        assert_eq!(systems, "    system batch0\n", "round {round}: no empty folders listed as systems");
        if killed >= 100 {
            break;
        }
    }
    assert!(killed >= 100, "only {killed} runs were killed before they finished");
    eprintln!("add-node of 1000: {killed} runs killed before they finished, each all or nothing");
    ok(&root, &["add-node", "batch1/n{id}", "-n", "1..1000"]);
}

#[test]
fn nothing_outside_the_repository_is_touched_through_links() {
    let dir = tempfile::tempdir().unwrap();
    let root = new_repo(dir.path());
    ok(&root, &["add-node", "web/a"]);
    ok(&root, &["add-node", "web/b"]);
    let outside = dir.path().join("outside");
    fs::create_dir_all(outside.join("v")).unwrap();
    fs::write(outside.join("v/node.json"), "{\"host\": \"victim\"}").unwrap();
    fs::write(outside.join("secret.json"), "precious").unwrap();
    let before_outside = snapshot(&outside);
    symlink(&outside, root.join("system/ext")).unwrap();
    symlink(".", root.join("system/web/loop")).unwrap();
    symlink(outside.join("secret.json"), root.join("system/web/a/node.json.json_dump.tmp")).unwrap();

    // Listed once each, the links named as skipped.
    let out = poni(&root, &["list"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "      node web/a\n      node web/b\n");
    let warnings = String::from_utf8_lossy(&out.stderr);
    assert!(warnings.contains("system/ext: a symbolic link, skipped") && warnings.contains("system/web/loop: a symbolic link, skipped"), "{warnings}");

    for args in [
        &["add-node", "ext/evil"][..],
        &["remove", "ext/v"],
        &["remove", "ext"],
        &["move", "ext/v", "web/v"],
        &["add-system", "ext/s"],
        &["add-node", "web/loop/x"],
    ] {
        let err = fails(&root, args);
        assert!(err.contains("is a symbolic link: links are not followed"), "{args:?}: {err}");
    }
    ok(&root, &["set", ".", "x=1"]); // the links are not items: only the real nodes change
    ok(&root, &["move", "web/b", "web/c"]);
    assert_eq!(node_value(&root, "web/a", "x"), "1");
    assert_same(&snapshot(&outside), &before_outside, "nothing outside changed");
    // The planted temporary-file link was removed, not written through.
    assert!(fs::symlink_metadata(root.join("system/web/a/node.json.json_dump.tmp")).is_err());
    assert!(fs::symlink_metadata(root.join("system/web/a/node.json")).unwrap().is_file());

    // A node.json that is a link is a node with a problem; it is never read or written.
    fs::create_dir(root.join("system/l")).unwrap();
    symlink(outside.join("v/node.json"), root.join("system/l/node.json")).unwrap();
    let listing = ok(&root, &["list"]);
    assert!(listing.contains("node l\n") && listing.contains("l/node.json: is a symbolic link"), "{listing}");
    assert!(fails(&root, &["set", "l", "x=2"]).contains("cannot change 'l'"));
    assert!(fails(&root, &["set", ".", "x=2"]).contains("cannot change 'l'"));
    assert_eq!(node_value(&root, "web/a", "x"), "1", "all or nothing: nothing changed");
    assert_same(&snapshot(&outside), &before_outside, "nothing outside changed");

    // A system/ folder that is a link: refused, nothing written there.
    let other = dir.path().join("repo2");
    ok(&other, &["init"]);
    fs::remove_dir(other.join("system")).unwrap();
    symlink(&outside, other.join("system")).unwrap();
    assert!(fails(&other, &["add-node", "q"]).contains("system: is a symbolic link"));
    assert!(fails(&other, &["list"]).contains("system: is a symbolic link"));
    assert!(fails(&other, &["remove", "v"]).contains("system: is a symbolic link"));
    assert_same(&snapshot(&outside), &before_outside, "nothing outside changed");
}

/// The history and the journal are read as untrusted input (a repository someone sent): an
/// entry that leads through a link is refused, a planted file name with a huge number never
/// panics, and a name too long for the kernel is refused before anything is written.
#[test]
fn planted_history_files_and_overlong_names_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let root = new_repo(dir.path());
    ok(&root, &["add-node", "n1"]);
    let history = root.join(poni_repo::journal::HISTORY_DIR);

    // Undo of an entry that writes below a linked folder: refused, nothing outside written.
    let outside = dir.path().join("out");
    fs::create_dir_all(outside.join("o")).unwrap();
    symlink(&outside, root.join("system/ext")).unwrap();
    let entry = r#"{"format":2,"id":"ab","seq":50,"label":"Planted","origin":"app","at":0,"action":"change","ops":[{"op":"write","path":"system/ext/o/node.json","before":null,"after":"{}"}]}"#;
    fs::write(history.join("000050-ab.json"), entry).unwrap();
    let err = fails(&root, &["undo"]);
    assert!(err.contains("system/ext: is a symbolic link"), "{err}");
    assert!(!outside.join("o/node.json").exists());
    fs::remove_file(history.join("000050-ab.json")).unwrap();

    // A file name with the largest number: no panic (exit 101), for this and later changes.
    fs::write(history.join("18446744073709551615-ab.json"), "{}").unwrap();
    ok(&root, &["set", "n1", "x=1"]);
    ok(&root, &["set", "n1", "x=2"]);
    assert_eq!(node_value(&root, "n1", "x"), "2");
    fs::write(history.join("9007199254740991-ab.json"), "{}").unwrap();
    let out = poni(&root, &["set", "n1", "x=3"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("9007199254740991-ab.json: its number is too large"));
    fs::remove_file(history.join("9007199254740991-ab.json")).unwrap();

    // 42 parts of 100 characters: one short line, nothing left behind, later commands work.
    let long = vec!["p".repeat(100); 42].join("/");
    let err = fails(&root, &["add-node", &long]);
    assert!(err.len() < 400 && err.contains("names are at most 1024"), "{err}");
    assert!(!root.join(poni_repo::journal::JOURNAL_FILE).exists());
    ok(&root, &["set", "n1", "x=4"]);
    assert_eq!(node_value(&root, "n1", "x"), "4");
}

#[test]
fn special_files_never_hang_or_vanish() {
    let dir = tempfile::tempdir().unwrap();
    let root = new_repo(dir.path());
    ok(&root, &["add-node", "web/a"]);
    let mkfifo = |p: &Path| assert!(Command::new("mkfifo").arg(p).status().unwrap().success());
    fs::create_dir(root.join("system/s")).unwrap();
    mkfifo(&root.join("system/s/system.json"));
    fs::create_dir(root.join("system/f")).unwrap();
    mkfifo(&root.join("system/f/node.json"));
    fs::create_dir_all(root.join("system/d/node.json")).unwrap();
    let before = snapshot(&root);
    let mut child = poni_cmd(&root, &["list", "-snp"]).stdout(Stdio::piped()).spawn().unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        assert!(started.elapsed() < Duration::from_secs(20), "list hangs on a FIFO");
        std::thread::sleep(Duration::from_millis(20));
    }
    let listing = String::from_utf8(child.wait_with_output().unwrap().stdout).unwrap();
    for expected in ["node d\n", "d/node.json: is a folder", "node f\n", "f/node.json: is a FIFO (named pipe)", "system s\n", "s/system.json: is a FIFO"] {
        assert!(listing.contains(expected), "{expected}: {listing}");
    }
    for target in ["d", "f", "s", "."] {
        assert!(fails(&root, &["set", target, "x=1"]).starts_with("cannot change '"), "{target}");
    }
    assert_same(&snapshot(&root), &before, "nothing written, no system.json inside a node.json folder");
}

#[test]
fn leftover_temporary_files_and_journals_are_cleaned_up() {
    let dir = tempfile::tempdir().unwrap();
    let root = new_repo(dir.path());
    ok(&root, &["add-node", "n{id}", "-n", "3"]);
    // What a killed poni (or an earlier version of ours) leaves: removed when its file is written.
    fs::write(root.join("system/n1/node.json.json_dump.tmp"), "{\"half").unwrap();
    // A journal cut short by a crash while it was being written: nothing had started.
    fs::write(root.join(".poni-desktop-journal"), "{\"format\":1,\"id\":\"1-2-3\",\"ops\":[{\"op\":\"wr").unwrap();
    ok(&root, &["list"]);
    assert!(!root.join(".poni-desktop-journal").exists());
    ok(&root, &["set", "n", "x=1"]);
    assert_eq!(leftovers(&root), Vec::<String>::new());
}

/// Runs `script` as root in a private mount namespace; None (with the reason printed) when that
/// is not possible here.
fn in_mount_namespace(script: &str) -> Option<Output> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc_geteuid() } != 0 {
        eprintln!("skipped: needs root for mounts inside `unshare -m`");
        return None;
    }
    match Command::new("unshare").args(["-m", "--propagation", "private", "sh", "-ec", "true"]).status() {
        Ok(s) if s.success() => {}
        other => {
            eprintln!("skipped: `unshare -m` is not available here ({other:?})");
            return None;
        }
    }
    Some(Command::new("unshare").args(["-m", "--propagation", "private", "sh", "-ec", script]).output().unwrap())
}

extern "C" {
    #[link_name = "geteuid"]
    fn libc_geteuid() -> u32;
}

#[test]
fn a_read_only_folder_makes_set_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let root = new_repo(dir.path());
    ok(&root, &["add-node", "fleet/n{id:02}", "-n", "40"]);
    let before = snapshot(&root);
    let poni = env!("CARGO_BIN_EXE_poni");
    let ro = root.join("system/fleet/n21");
    let script = format!(
        "mount --bind '{ro}' '{ro}'; mount -o remount,bind,ro '{ro}'; if '{poni}' -d '{root}' set fleet x:int=1; then echo SUCCEEDED; fi",
        ro = ro.display(),
        root = root.display()
    );
    let Some(out) = in_mount_namespace(&script) else { return };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stdout.contains("SUCCEEDED"), "{stdout} {stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains("n21") && stderr.contains("Read-only file system"), "{stderr}");
    assert_same(&snapshot(&root), &before, "none of the 40 nodes changed, nothing left behind");
    ok(&root, &["set", "fleet", "x:int=1"]);
    assert_eq!(node_value(&root, "fleet/n21", "x"), 1);
}

#[test]
fn a_full_disk_makes_set_and_add_node_change_nothing() {
    let poni = env!("CARGO_BIN_EXE_poni");
    let dir = tempfile::tempdir().unwrap();
    let mnt = dir.path().join("mnt");
    fs::create_dir(&mnt).unwrap();
    let big = "v".repeat(3000);
    // In a 1 MiB tmpfs: 40 nodes, then the disk filled up to about 20 free pages, so that the
    // change fails half-way (each new file takes one page). The files are printed before and
    // after (as `find` lines with their checksums) for the test to compare.
    let script = format!(
        r#"mount -t tmpfs -o size=1m tmpfs '{mnt}'
R='{mnt}/repo'
'{poni}' -d "$R" init
'{poni}' -d "$R" add-node 'fleet/n{{id:02}}' -n 40
dump() {{ (cd "$R" && find . | sort | while read f; do if [ -f "$f" ]; then echo "$f $(cksum < "$f")"; else echo "$f"; fi; done); }}
dump > '{mnt}/../before'
dd if=/dev/zero of='{mnt}/fill' bs=4096 2>/dev/null || true
truncate -s -81920 '{mnt}/fill'
if '{poni}' -d "$R" set fleet 'big={big}'; then echo SET-SUCCEEDED; fi
if '{poni}' -d "$R" add-node 'more/m{{id}}' -n 40; then echo ADD-SUCCEEDED; fi
dump > '{mnt}/../after'
rm '{mnt}/fill'
'{poni}' -d "$R" set fleet 'big={big}'
'{poni}' -d "$R" list -p n40 | grep -c vvvv
"#,
        mnt = mnt.display()
    );
    let Some(out) = in_mount_namespace(&script) else { return };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stdout.contains("SUCCEEDED"), "{stdout} {stderr}");
    assert_eq!(stderr.lines().filter(|l| l.contains("No space left on device")).count(), 2, "{stderr}");
    let before = fs::read_to_string(dir.path().join("before")).unwrap();
    let after = fs::read_to_string(dir.path().join("after")).unwrap();
    assert!(before.lines().count() > 80, "{before}");
    assert_eq!(after, before, "nothing changed, nothing left behind");
    assert_eq!(stdout.trim(), "1", "with space again the same set works: {stdout} {stderr}");
}

#[test]
fn host_names_with_control_characters_and_non_text_arguments_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let root = new_repo(dir.path());
    let err = fails(&root, &["add-node", "web", "-H", "a\nb"]);
    assert!(err.contains("host=a\\nb") && err.contains("control character"), "{err}");
    assert!(!root.join("system/web").exists());

    use std::os::unix::ffi::OsStrExt;
    let bad = std::ffi::OsStr::from_bytes(b"x\xffy");
    let out = Command::new(env!("CARGO_BIN_EXE_poni")).arg("-d").arg(&root).arg("add-node").arg(bad).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("argument 4 ('x\u{fffd}y') is not valid UTF-8"), "{err}");
    // The repository folder itself may be any path.
    let odd = dir.path().join(std::ffi::OsStr::from_bytes(b"r\xff"));
    let out = Command::new(env!("CARGO_BIN_EXE_poni")).arg("-d").arg(&odd).arg("init").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn a_secret_given_as_the_set_name_is_refused_and_never_printed() {
    let secret = "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY12";
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_poni"))
        .args(["credentials", "set", "--access-key-id", "AKIAIOSFODNN7EXAMPLE", secret])
        .env("PONI_DESKTOP_KEYRING_SERVICE", "poni-desktop-test-never-used")
        .env("HOME", dir.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(!out.status.success());
    assert!(!stdout.contains(secret) && !stderr.contains(secret) && !stderr.contains("EXAMPLEKEY"), "{stdout} {stderr}");
    assert!(stderr.contains("looks like a secret access key"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    // Part of one (18 characters) is refused the same way.
    let part = &secret[..18];
    let out = Command::new(env!("CARGO_BIN_EXE_poni"))
        .args(["credentials", "set", "--access-key-id", "AKIAIOSFODNN7EXAMPLE", part])
        .env("PONI_DESKTOP_KEYRING_SERVICE", "poni-desktop-test-never-used")
        .env("HOME", dir.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && stderr.contains("looks like a secret access key") && !stderr.contains(part), "{stderr}");
    // A name no set may have is refused without being repeated either.
    let out = Command::new(env!("CARGO_BIN_EXE_poni"))
        .args(["credentials", "set", "--access-key-id", "AKIA1", "a/b+c"])
        .env("PONI_DESKTOP_KEYRING_SERVICE", "poni-desktop-test-never-used")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && stderr.contains("invalid set name (not shown") && !stderr.contains("a/b+c"), "{stderr}");
}

#[test]
fn a_refused_endpoint_is_one_clear_line_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let root = new_repo(dir.path());
    ok(&root, &["add-node", "a"]);
    ok(&root, &["set", "a", "cloud.provider=aws-ec2", "cloud.region=us-east-1", "cloud.instance=i-0123456789abcdef0"]);
    // A port nothing listens on: bind one, note it, close it.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let against_it = |args: &[&str]| {
        poni_cmd(&root, args)
            .env("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{port}"))
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env_remove("AWS_PROFILE")
            .env("PONI_DESKTOP_KEYRING_SERVICE", "poni-desktop-test-never-used")
            .output()
            .unwrap()
    };
    let started = Instant::now();
    let out = against_it(&["cloud", "update", "a"]);
    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(took < Duration::from_secs(5), "took {took:?}: {stderr}");
    assert!(stderr.contains("refused the connection"), "{stderr}");
    assert!(!stderr.contains("ConnectorError") && !stderr.contains("{ kind"), "no debug dump: {stderr}");
    let errors: Vec<_> = stderr.lines().filter(|l| l.contains("refused")).collect();
    assert_eq!(errors.len(), 1, "{stderr}");

    // A launch to that endpoint launches nothing, and leaves repo.json as it was (the
    // repository's id is kept once EC2 has answered a call made with it).
    ok(&root, &["add-node", "b"]);
    ok(&root, &["set", "b", "cloud.provider=aws-ec2", "cloud.region=us-east-1", "cloud.image=ami-12c6146b", "cloud.key-pair=kp", "user=root"]);
    let before = fs::read(root.join("repo.json")).unwrap();
    let out = against_it(&["cloud", "init", "b"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && stderr.contains("refused the connection"), "{stderr}");
    assert_eq!(fs::read(root.join("repo.json")).unwrap(), before, "repo.json unchanged");
}
