//! Nothing the real `poni` binary prints acts on the terminal it is printed on: names, labels
//! and values holding escape sequences (from a pull, an EC2 tag, a hand-made folder) are shown
//! as `\uXXXX`, on standard output and on standard error alike.

use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::process::{Command, Output};

/// Retitles the terminal (OSC 0, ended by BEL), then clears it (CSI 2J).
const HOSTILE: &str = "evil\u{1b}]0;pwned\u{7}\u{1b}[2Jname";
/// The same text as `poni` shows it.
const HOSTILE_SHOWN: &str = "evil\\u001b]0;pwned\\u0007\\u001b[2Jname";

fn poni(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_poni")).args(["-d", root.to_str().unwrap()]).args(args).env_remove("PONI_ROOT").output().expect("run poni")
}

fn ok(root: &Path, args: &[&str]) -> String {
    let out = poni(root, args);
    assert!(out.status.success(), "poni {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    assert_terminal_safe(&out);
    String::from_utf8(out.stdout).unwrap()
}

/// No byte of either stream is ESC, BEL or another control (but newline and tab), nor the
/// C1 CSI; printed names keep their other characters.
fn assert_terminal_safe(out: &Output) {
    for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        let text = String::from_utf8_lossy(bytes);
        assert!(!bytes.iter().any(|&b| (b < 0x20 && b != b'\n' && b != b'\t') || b == 0x7f), "{stream}: {text:?}");
        assert!(!text.contains('\u{9b}') && !text.contains('\u{202e}'), "{stream}: {text:?}");
    }
}

fn new_repo() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    ok(&root, &["init"]);
    (dir, root)
}

#[test]
fn a_node_folder_named_with_escape_codes_lists_escaped() {
    let (_dir, root) = new_repo();
    ok(&root, &["add-node", "plain"]);
    // Made on disk, as a pull or another tool would: `poni add-node` refuses such names.
    let folder = root.join("system").join(std::ffi::OsStr::from_bytes(HOSTILE.as_bytes()));
    fs::create_dir_all(&folder).unwrap();
    fs::write(folder.join("node.json"), "{}").unwrap();

    let out = poni(&root, &["list"]);
    assert_terminal_safe(&out);
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    // The store lists the folder, or skips or refuses its name with a message that names it
    // (escaped by the store or here); either way nothing of it acts on the terminal.
    let refusal_names_it = stderr.contains("\\u{1b}") || stderr.contains("\\u001b");
    if out.status.success() {
        assert!(stdout.contains("      node plain\n"), "{stdout}");
        assert!(stdout.contains(&format!("      node {HOSTILE_SHOWN}\n")) || refusal_names_it, "stdout {stdout:?}\nstderr {stderr:?}");
    } else {
        assert!(refusal_names_it, "stdout {stdout:?}\nstderr {stderr:?}");
    }
}

#[test]
fn values_and_history_labels_with_escape_codes_print_escaped() {
    let (_dir, root) = new_repo();
    ok(&root, &["add-node", "web"]);
    let hostile_value = format!("note={HOSTILE}\u{9b}2J\u{202e}txt");
    ok(&root, &["set", "web", &hostile_value]);
    let listed = ok(&root, &["list", "-p"]);
    // `list` shows values as Python reprs (`\x1b`); what a repr leaves raw (bidi) is escaped.
    assert!(listed.contains("note:'evil\\x1b]0;pwned\\x07\\x1b[2Jname\\x9b2J\\u202etxt'"), "{listed}");

    let history = ok(&root, &["history", "-v"]);
    assert!(history.contains(HOSTILE_SHOWN), "{history}");
    assert!(history.contains("\\u009b2J\\u202etxt"), "{history}");
    let undid = ok(&root, &["undo"]);
    assert!(undid.contains(HOSTILE_SHOWN), "{undid}");
}

#[test]
fn errors_naming_hostile_input_print_escaped() {
    let (_dir, root) = new_repo();
    // A pattern is echoed back in the error: it reaches stderr escaped.
    let out = poni(&root, &["list", &format!("({HOSTILE}")]);
    assert!(!out.status.success());
    assert_terminal_safe(&out);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.starts_with("error: ") && stderr.contains(HOSTILE_SHOWN), "{stderr}");
}
