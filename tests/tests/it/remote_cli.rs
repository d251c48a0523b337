//! `poni remote exec | shell | cp` through the real binary against Debian's OpenSSH server on
//! loopback: nodes point at it by `host`, `ssh-port` and `ssh-key`, as poni 0.8 reads them.

use poni_e2e::{closed_port, Poni, PoniOutput, SshKeys, Sshd};

/// No EC2 is involved: these nodes have no instance.
const NO_EC2: &str = "http://127.0.0.1:9";

struct Setup {
    dir: tempfile::TempDir,
    keys: SshKeys,
    sshd: Sshd,
    poni: Poni,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let keys = SshKeys::generate(dir.path());
    let sshd = Sshd::start(&keys);
    let poni = Poni::new(&dir.path().join("repo"), NO_EC2);
    poni.ok(&["init"]);
    let key = keys.client_key.to_str().unwrap().to_owned();
    let port = sshd.port().to_string();
    for node in ["web/1", "web/2", "web/3"] {
        poni.ok(&["add-node", node]);
        poni.ok(&["set", "-M", node, "host=127.0.0.1", &format!("user={}", sshd.user()), &format!("ssh-port:int={port}"), &format!("ssh-key={key}")]);
    }
    poni.ok(&["add-node", "web/template"]);
    poni.ok(&["set", "-M", "web/template", "template:bool=true", "host=127.0.0.1", "user=nobody"]);
    Setup { dir, keys, sshd, poni }
}

fn explain(out: &PoniOutput) -> String {
    format!("exit {:?}\nstdout:\n{}\nstderr:\n{}", out.code, out.stdout, out.stderr)
}

#[test]
fn exec_runs_on_every_node_in_parallel_and_prints_in_poni_s_shape() {
    let s = setup();
    let out = s.poni.run(&["remote", "exec", "web", "echo hi-$((1+1))"]);
    assert_eq!(out.code, Some(0), "{}", explain(&out));
    let begins: Vec<&str> = out.stdout.lines().filter(|l| l.starts_with("--- BEGIN")).collect();
    assert_eq!(
        begins,
        [
            "--- BEGIN web/1 (127.0.0.1): echo hi-$((1+1)) ---",
            "--- BEGIN web/2 (127.0.0.1): echo hi-$((1+1)) ---",
            "--- BEGIN web/3 (127.0.0.1): echo hi-$((1+1)) ---"
        ],
        "in node order, the template skipped: {}",
        explain(&out)
    );
    assert_eq!(out.stdout.matches("hi-2\n").count(), 3, "{}", explain(&out));
    assert_eq!(out.stdout.lines().filter(|l| l.starts_with("--- END") && l.contains("(OK) web/")).count(), 3, "{}", explain(&out));
    // Host keys were saved on first use, in OpenSSH's file.
    let known = std::fs::read_to_string(s.poni.home().join(".ssh/known_hosts")).unwrap();
    assert!(known.starts_with(&format!("[127.0.0.1]:{} ssh-ed25519 ", s.sshd.port())), "{known}");

    let out = s.poni.run(&["remote", "exec", "web/[12]", "echo out; exit 3"]);
    assert_eq!(out.code, Some(1), "{}", explain(&out));
    assert_eq!(out.stdout.lines().filter(|l| l.starts_with("--- END") && l.contains("(3) web/")).count(), 2, "{}", explain(&out));
    assert!(out.stderr.contains("failed on 2 of 2 node(s)"), "{}", explain(&out));

    let logs = s.dir.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    let out = s.poni.run(&["remote", "exec", "web", "--exclude", "web/3", "-o", logs.to_str().unwrap(), "printf '\\033]0;pwned\\007x\\n'"]);
    assert_eq!(out.code, Some(0), "{}", explain(&out));
    assert!(out.stdout.is_empty(), "-o writes the files only: {}", explain(&out));
    let log = std::fs::read(logs.join("web_1.log")).unwrap();
    assert!(log.starts_with(b"--- BEGIN web/1 (127.0.0.1):") && log.windows(9).any(|w| w == b"\x1b]0;pwned"), "the file holds the output as it came");
    assert!(!logs.join("web_3.log").exists());

    let out = s.poni.run(&["remote", "exec", "web/1", "printf '\\033]0;pwned\\007'"]);
    assert!(!out.stdout.contains('\u{1b}') && out.stdout.contains("\\u001b]0;pwned\\u0007"), "a terminal is never sent a server's escapes: {}", explain(&out));
    let out = s.poni.run(&["remote", "exec", "-q", "web/1", "echo hidden"]);
    assert!(out.success && !out.stdout.contains("hidden"), "{}", explain(&out));
}

#[test]
fn failures_are_named_per_node_and_a_changed_host_key_is_refused() {
    let mut s = setup();
    s.poni.ok(&["add-node", "db/1"]);
    let key = s.keys.client_key.to_str().unwrap().to_owned();
    s.poni.ok(&["set", "-M", "db/1", "host=127.0.0.1", "user=root", &format!("ssh-port:int={}", closed_port()), &format!("ssh-key={key}")]);
    s.poni.ok(&["add-node", "db/2"]);
    let out = s.poni.run(&["remote", "exec", ".", "true"]);
    assert_eq!(out.code, Some(1), "{}", explain(&out));
    assert!(out.stderr.contains("db/1: 127.0.0.1 refused the connection"), "{}", explain(&out));
    assert!(out.stderr.contains("db/2: 'db/2' has no address to connect to"), "{}", explain(&out));
    assert_eq!(out.stdout.matches("(OK) web/").count(), 3, "{}", explain(&out));

    let out = s.poni.run(&["remote", "exec", "nothing-like-this", "true"]);
    assert_eq!(out.code, Some(2), "{}", explain(&out));

    s.sshd.restart_with_new_host_key();
    let out = s.poni.run(&["remote", "exec", "web/1", "true"]);
    assert_eq!(out.code, Some(1), "{}", explain(&out));
    assert!(out.stderr.contains("now offers the host key") && out.stderr.contains("nothing was sent"), "{}", explain(&out));

    let fresh = Poni::new(&s.dir.path().join("repo"), NO_EC2);
    let out = fresh.run(&["remote", "exec", "--strict-host-keys", "web/1", "true"]);
    assert_eq!(out.code, Some(1), "a key never seen is refused when strict: {}", explain(&out));
    assert!(out.stderr.contains("never seen here"), "{}", explain(&out));
}

#[test]
fn cp_copies_files_and_folders_and_shell_takes_piped_commands() {
    let s = setup();
    let src = s.dir.path().join("src");
    std::fs::create_dir_all(src.join("conf")).unwrap();
    std::fs::write(src.join("conf/app.ini"), "a=1\n").unwrap();
    std::fs::write(src.join("notes.txt"), "n\n").unwrap();
    let dest = s.dir.path().join("remote-dest");
    let dest_text = dest.to_str().unwrap();
    let folder = src.join("conf");
    let out = s.poni.run(&["remote", "cp", folder.to_str().unwrap(), "web/1", dest_text]);
    assert_eq!(out.code, Some(2), "a folder needs -r: {}", explain(&out));
    let out = s.poni.run(&["remote", "cp", src.join("notes.txt").to_str().unwrap(), "web/1", dest_text]);
    assert_eq!(out.code, Some(1), "{}", explain(&out));
    assert!(out.stderr.contains("does not exist") && out.stderr.contains("-d"), "{}", explain(&out));
    let out = s.poni.run(&["remote", "cp", "-r", "-d", src.join("notes.txt").to_str().unwrap(), folder.to_str().unwrap(), "web/1", dest_text]);
    assert_eq!(out.code, Some(0), "{}", explain(&out));
    assert_eq!(std::fs::read_to_string(dest.join("notes.txt")).unwrap(), "n\n");
    assert_eq!(std::fs::read_to_string(dest.join("app.ini")).unwrap(), "a=1\n");

    let out = s.poni.run_with_stdin(&["remote", "shell", "web/1"], "echo $((6*7))\nexit\n");
    assert!(out.success, "{}", explain(&out));
    assert!(out.stdout.contains("42"), "{}", explain(&out));
}
