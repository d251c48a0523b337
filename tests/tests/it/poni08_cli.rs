//! poni 0.8's command-line options, side by side: the same commands through our `poni` and
//! through poni 0.8 itself (`Poni08`), each on a repository of its own or on the same one,
//! comparing what a script can see: the files written, the listing, the log lines on stderr.
//!
//! poni 0.8 runs on Python 3 here: its `list` prints strings without quotes (`host:` where its
//! documentation, written on Python 2, shows `host:''`, which our `list` follows), so listings
//! are compared by entry type and name, and each tool's listing of the two repositories with
//! itself. Log lines are compared with poni's tabs expanded to eight columns, the shape of every
//! log line of ours.

use poni_e2e::{Poni, Poni08, PoniOutput};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// No EC2 is involved: the endpoint is never called.
const NO_EC2: &str = "http://127.0.0.1:9";

/// Every JSON file under `system/`, parsed, by path: what both tools must agree on.
fn system_files(root: &Path) -> BTreeMap<String, Value> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Value>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(base, &path, out);
            } else if path.extension().is_some_and(|e| e == "json") {
                let text = std::fs::read_to_string(&path).unwrap();
                let value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}\n{text}", path.display()));
                out.insert(path.strip_prefix(base).unwrap().to_string_lossy().into_owned(), value);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(&root.join("system"), &root.join("system"), &mut out);
    out
}

/// Tabs expanded to eight-column stops, as a terminal shows poni's log lines.
fn expand_tabs(text: &str) -> String {
    let mut out = String::new();
    for line in text.split_inclusive('\n') {
        let mut column = 0;
        for c in line.chars() {
            if c == '\t' {
                let pad = 8 - column % 8;
                out.extend(std::iter::repeat_n(' ', pad));
                column += pad;
            } else {
                out.push(c);
                column += 1;
            }
        }
    }
    out
}

/// The log lines of one logger (`root`, `poni`) and level, tabs expanded.
fn log_lines(stderr: &str, prefix: &str) -> Vec<String> {
    expand_tabs(stderr).lines().filter(|l| l.starts_with(prefix)).map(str::to_owned).collect()
}

/// `(entry type, name)` of each item line of a listing (`node web/a`, `system web`).
fn entries(listing: &str) -> Vec<(String, String)> {
    listing
        .lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let kind = words.next()?;
            let name = words.next()?;
            matches!(kind, "node" | "system").then(|| (kind.to_owned(), name.to_owned()))
        })
        .collect()
}

fn ok08(poni08: &Poni08, root: &Path, args: &[&str]) -> PoniOutput {
    let out = poni08.run(root, args);
    assert!(out.success, "poni 0.8 {args:?} failed:\nstdout:\n{}\nstderr:\n{}", out.stdout, out.stderr);
    out
}

/// Our repository and poni 0.8's, each made by its own `init`.
struct Pair {
    _dir: tempfile::TempDir,
    ours: Poni,
    theirs: std::path::PathBuf,
    poni08: Poni08,
}

impl Pair {
    fn new() -> Pair {
        let dir = tempfile::tempdir().unwrap();
        let ours = Poni::new(&dir.path().join("ours"), NO_EC2);
        ours.ok(&["init"]);
        let theirs = dir.path().join("theirs");
        let poni08 = Poni08::installed();
        ok08(&poni08, &theirs, &["init"]);
        Pair { _dir: dir, ours, theirs, poni08 }
    }

    /// The same command through both; both must succeed. (ours, poni 0.8's)
    fn both(&self, args: &[&str]) -> (PoniOutput, PoniOutput) {
        (self.ours.ok(args), ok08(&self.poni08, &self.theirs, args))
    }

    fn same_files(&self, when: &str) {
        assert_eq!(system_files(self.ours.root()), system_files(&self.theirs), "{when}: the two repositories differ");
    }
}

#[test]
fn listing_options_match_poni() {
    let pair = Pair::new();
    for args in [&["add-node", "web/a"][..], &["add-node", "web/b{id}", "-n", "2", "-i", "web/a"], &["add-node", "db/x"], &["add-node", "db/in/y"]] {
        pair.both(args);
    }
    pair.same_files("after add-node");
    let ours = &pair.ours;
    let poni08 = &pair.poni08;
    for args in [
        &["list"][..],
        &["list", "-s", "-s"],
        &["list", "-n", "-n", "web"],
        &["list", "--exclude", "b1"],
        &["list", "-sn", "--exclude", "^db"],
        &["list", "-s", "--exclude", "in"],
        &["list", "-M", "web/b.", "--exclude", "2"],
        &["list", "-t"],
        &["list", "-s", "-p"],
        &["list", "-o", "-s"],
        &["-D", "list"],
        &["-c", "off", "list", "-s"],
        &["-c", "on", "-c", "auto", "list"],
    ] {
        // Both read the same repository: ours.
        let mine = ours.ok(args);
        let theirs = ok08(poni08, ours.root(), args);
        assert_eq!(entries(&mine.stdout), entries(&theirs.stdout), "poni {args:?}:\nours:\n{}\nponi 0.8:\n{}", mine.stdout, theirs.stdout);
        assert!(!mine.stdout.contains('\u{1b}'), "no color, whatever -c says: {:?}", mine.stdout);
    }
    // Options take the values poni's do.
    assert_eq!(ours.run(&["-c", "always", "list"]).code, Some(2));
    assert_eq!(ours.run(&["list", "--exclude", "("]).code, Some(2));
}

#[test]
fn add_node_verbose_and_inherit_node_as_poni() {
    let pair = Pair::new();
    pair.both(&["add-node", "web/a", "-H", "a.example"]);
    pair.both(&["set", "web/a", "user=root", "cloud.region=us-east-1"]);
    for args in [
        &["add-node", "-v", "web/b{id}", "-n", "2", "--inherit-node", "web/a"][..],
        &["add-node", "--verbose", "web/c", "-M", "-i", "web/a"],
        &["add-node", "-v", "plain{id}", "-n", "3..4", "-H", "h{id}.example"],
    ] {
        let (mine, theirs) = pair.both(args);
        let mine = log_lines(&mine.stderr, "poni ");
        assert_eq!(mine, log_lines(&theirs.stderr, "poni "), "add-node {args:?}");
        assert!(!mine.is_empty() && mine.iter().all(|l| l.starts_with("poni    INFO    node added: ")), "{mine:?}");
    }
    assert_eq!(log_lines(&pair.ours.ok(&["add-node", "-v", "q", "-i", "web/c"]).stderr, "poni "), ["poni    INFO    node added: q <= web/c"]);
    ok08(&pair.poni08, &pair.theirs, &["add-node", "q", "-i", "web/c"]);
    pair.same_files("after add-node -i");
    // The errors of -i: no match, several matches; both refuse and write nothing.
    for args in [&["add-node", "z", "-i", "nomatch"][..], &["add-node", "z", "--inherit-node", "web/b"]] {
        let mine = pair.ours.run(args);
        let theirs = pair.poni08.run(&pair.theirs, args);
        assert!(!mine.success && !theirs.success, "{args:?}");
        assert_eq!(mine.stderr.lines().count(), 1, "{}", mine.stderr);
    }
    assert!(pair.ours.run(&["add-node", "z", "-i", "web/b"]).stderr.contains("pattern 'web/b' matches multiple nodes: web/b1, web/b2"));
    pair.same_files("after the refused add-node");
}

#[test]
fn set_nodes_systems_and_verbose_as_poni() {
    let pair = Pair::new();
    pair.both(&["add-node", "web/a"]);
    pair.both(&["add-node", "web/b"]);
    pair.both(&["add-node", "webdb/x"]);
    let commands: &[&[&str]] = &[
        &["set", "-N", "web", "tier=front"],
        &["set", "--systems", "web", "owner=ops"],
        &["set", "-S", "-S", "web", "zone=a"],
        &["set", "-v", "web/a", "x=1", "y:int=2", r#"j:-json={"a": [1, 2.5, null, true], "b": "x"}"#, "n:null", "f:float=2"],
        // Again: what is there already is `no change`, what differs is `was`.
        &["set", "-v", "web/a", "x=1", "y:int=3", "n:null", "f:int=2"],
        &["set", "-v", "-N", "web", "deep.er.key:bool=on"],
        &["set", "-v", "-S", "web", "owner=ops", "it's=\"quoted\""],
        &["set", "-M", "-v", "web/a", "x=2"],
    ];
    for args in commands {
        let (mine, theirs) = pair.both(args);
        assert_eq!(log_lines(&mine.stderr, "root "), log_lines(&theirs.stderr, "root "), "set {args:?}:\nours:\n{}\nponi 0.8:\n{}", mine.stderr, theirs.stderr);
        pair.same_files(&format!("after {args:?}"));
    }
    let (verbose, theirs) = pair.both(&["set", "-v", "web/a", "x=1", "y:int=3"]);
    assert_eq!(verbose.stderr, "root    INFO    web/a: set x='1' (was '2')\nroot    INFO    web/a: set y=3 (no change)\n");
    assert_eq!(expand_tabs(&theirs.stderr), verbose.stderr);
    // -N with -S is refused by both; a pattern that matches nothing of the kind too.
    for args in [&["set", "-N", "-S", "web", "a=1"][..], &["set", "-S", "web/a", "a=1"]] {
        assert_eq!(pair.ours.run(args).code, Some(2), "{args:?}");
        assert!(!pair.poni08.run(&pair.theirs, args).success, "{args:?}");
    }
    pair.same_files("after the refused sets");
}

#[test]
fn version_is_one_line() {
    let pair = Pair::new();
    let (mine, theirs) = pair.both(&["version"]);
    assert_eq!(theirs.stdout, "0.8\n");
    assert_eq!(mine.stdout, format!("{}\n", env!("CARGO_PKG_VERSION")));
    let shape = |s: &str| s.trim_end().split('.').all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    assert!(shape(&mine.stdout) && mine.stdout.lines().count() == 1, "{:?}", mine.stdout);
}

const SCRIPT: &str = r#"# poni.template: name
# add two nodes and set them up
add-node $sys/app{id} -n $count
set $sys/app1 owner=$owner
  port:int=80

set -v $sys/app2 'label=${owner} x' tags=$tags.a
set nomatch a=b
set $sys/app1 never=1
"#;

#[test]
fn script_runs_like_poni_and_stops_at_the_failing_line() {
    let pair = Pair::new();
    let file = pair.ours.root().parent().unwrap().join("setup.poni");
    std::fs::write(&file, SCRIPT).unwrap();
    let args = ["script", "-v", file.to_str().unwrap(), "sys=web", "count:int=2", "owner=ops", r#"tags:-json={"a": "b"}"#];
    let mine = pair.ours.run(&args);
    let theirs = pair.poni08.run(&pair.theirs, &args);
    assert!(!theirs.success && !mine.success, "both stop at `set nomatch`");
    assert_eq!(mine.code, Some(2), "{}", mine.stderr);
    assert_eq!(mine.stdout, theirs.stdout, "`script -v` shows each command as poni does");
    assert_eq!(mine.stdout, "$ add-node web/app{id} -n 2\n$ set web/app1 owner=ops port:int=80\n$ set -v web/app2 'label=ops x' tags=b\n$ set nomatch a=b\n");
    assert_eq!(log_lines(&mine.stderr, "root "), log_lines(&theirs.stderr, "root "));
    let error = mine.stderr.lines().last().unwrap();
    assert_eq!(error, format!("error: {} line 8: set nomatch a=b: no matching nodes found", file.display()));
    pair.same_files("after the script");
    assert!(!system_files(pair.ours.root())["web/app1/node.json"].as_object().unwrap().contains_key("never"), "nothing after the failing line ran");

    // Cheetah (the default engine) from standard input: None is written as nothing.
    let stdin = "add-node ${sys}/x\nset $sys/x note=[$none] 'who=$owner'\n";
    let out = pair.ours.run_with_stdin(&["script", "-", "sys=cli", "none:null", "owner=a b"], stdin);
    assert!(out.success, "{}", out.stderr);
    assert_eq!(system_files(pair.ours.root())["cli/x/node.json"], serde_json::json!({"host": "", "note": "[]", "who": "a b"}));

    // What stops a script before it runs anything, with the line.
    let cases: &[(&str, &[&str], &str)] = &[
        ("list\nset web/app1 a=$missing\n", &[], "line 2: $missing is not a variable"),
        ("list\n#if $x\nlist\n#end if\n", &[], "line 2: '#if' is a Cheetah directive"),
        ("# poni.template: mako\nlist\n", &[], "line 1: the script asks for the 'mako' template engine"),
        ("list\nset web/app1 'a=b\n", &[], "line 2: a quote is not closed"),
        ("list\nfrobnicate\n", &[], "line 2: frobnicate: unrecognized subcommand 'frobnicate'"),
        ("-d /tmp list\n", &[], "line 1: -d /tmp list: a script's commands work on the script's repository"),
        ("list\n", &["x:int=abc"], "'abc' is not an integer"),
    ];
    for (text, vars, expected) in cases {
        let mut args = vec!["script", "-"];
        args.extend_from_slice(vars);
        let out = pair.ours.run_with_stdin(&args, text);
        assert_eq!(out.code, Some(2), "{text:?}: {}", out.stderr);
        assert!(out.stderr.contains(expected), "{text:?}: expected {expected:?} in {}", out.stderr);
    }
    assert!(pair.ours.run(&["script", "/nonexistent/script.poni"]).stderr.contains("cannot read the script /nonexistent/script.poni"));
}

#[test]
fn config_commands_answer_in_one_line_and_configs_are_kept() {
    let pair = Pair::new();
    pair.ours.ok(&["add-node", "web/a"]);
    // poni 0.8 adds a config to our node; we change, list and move the node; poni 0.8 still
    // sees the config, whose files are as it wrote them.
    ok08(&pair.poni08, pair.ours.root(), &["add-config", "web/a", "nginx"]);
    let config = |node: &str| std::fs::read(pair.ours.root().join("system").join(node).join("config/nginx/config.json")).unwrap();
    let written = config("web/a");
    pair.ours.ok(&["set", "web/a", "x=1"]);
    assert_eq!(entries(&pair.ours.ok(&["list", "-s"]).stdout), [("system".to_owned(), "web".to_owned())], "the config is not an item");
    pair.ours.ok(&["move", "web/a", "api/a"]);
    assert_eq!(config("api/a"), written);
    let listed = ok08(&pair.poni08, pair.ours.root(), &["list", "-nc"]).stdout;
    assert!(listed.lines().any(|l| l.split_whitespace().eq(["config", "api/a/nginx"])), "{listed}");

    for args in [
        &["deploy"][..],
        &["deploy", "web", "-v", "--path-prefix", "/tmp/x"],
        &["audit", "-d"],
        &["verify"],
        &["control", "web", "install", "-x"],
        &["show", "-B"],
        &["add-config", "web/a", "nginx", "-d", "dir"],
        &["update-config", "nginx", "file"],
        &["remove-config", "web/a", "nginx"],
        &["add-library", "lib", "path"],
        &["settings", "list"],
        &["settings", "set", "nginx", "port:int=80"],
    ] {
        let out = pair.ours.run(args);
        assert_eq!(out.code, Some(2), "{args:?}: {}", out.stderr);
        // The command as given (a script's log shows which), then the one answer.
        assert_eq!(out.stderr, format!("error: poni {}: Poni Desktop does not deploy configurations (poni 0.8's configs, templates, settings and control commands); the repository's config folders are kept as they are\n", args.join(" ")));
    }
    for name in ["import", "require", "report"] {
        let out = pair.ours.run(&[name, "x"]);
        assert_eq!(out.code, Some(2));
        assert!(out.stderr.starts_with(&format!("error: poni {name} x: not in Poni Desktop")), "{}", out.stderr);
    }
    assert_eq!(config("api/a"), written, "no refused command touched the config");
}

/// poni 0.8's documented property-language examples (doc/modify.rst, doc/properties.rst) that
/// poni 0.8 runs on Python 3 and that give the same value every time. Left out: `:uuid4` (new
/// each time), `:ipv4`/`:ipv6` of public names (answers change), `:hex`, `:base64` and `:uuid`
/// (poni 0.8 on Python 3 refuses them or writes no JSON), `:eval` of expressions (refused here
/// on purpose; checked below).
const DOC_EXAMPLES: &[(&str, &[&str])] = &[
    ("server1", &["host=www.google.com"]),
    ("server1", &["foo:int=123", "bar:float=456.7", "baz:bool=true"]),
    ("server2", &["a:int=0b1010", "b:int=0o644", "c:int=0xff"]),
    ("server2", &["max_mem:int=64Mi", "disk_space:int=100Gi", "network_speed:int=100M"]),
    ("server2", &["nothing:null"]),
    ("server2", &["term:env=TERM", "shell:env=SHELL"]),
    ("server2", &["must_be_set:env=MUST", "optional1:env=OPT1|", "optional2:env=OPT2|default_value"]),
    ("server2", &["secret:rot13=confidential"]),
    ("server2", &["plain:-rot13=pbasvqragvny"]),
    ("server2", &["host=www.amazon.com"]),
    ("server2", &["host2:prop=node.host"]),
    ("server2", &[r#"json_example:-json=[1, 2.3, "hello"]"#]),
    ("server2", &[r#"json_example2:+json=[1, 2.3, "hello"]"#]),
    ("example", &["server.http.port:int=80", "server.http.interface=127.0.0.1"]),
    ("example", &["server.http.port:int=8080"]),
    ("server1", &[r#"cloud.extra_tags:-json={"cost_centre": "12345", "owner": "John Doe"}"#]),
    ("server1", &[r#"cloud.hardware:-json={"disk0": {"size": 2048, "device": "/dev/sdh"}}"#]),
    ("linux/debian", &["host=localhost"]),
    ("linux/", &["private.ip:prop:ipv4=node.host"]),
    ("webshop", &["x.y:str=1", "z:bool=off"]),
];

#[test]
fn the_documented_property_language_reads_back_value_for_value_in_poni() {
    let pair = Pair::new();
    let env: &[(&str, &str)] = &[("TERM", "xterm-color"), ("SHELL", "/bin/bash"), ("MUST", "m")];
    let ours = env.iter().fold(Poni::new(pair.ours.root(), NO_EC2), |p, (k, v)| p.with_var(k, v)).without_var("OPT1").without_var("OPT2");
    let run08 = |args: &[&str]| {
        let mut command = pair.poni08.command(&pair.theirs, args);
        command.envs(env.iter().copied()).env_remove("OPT1").env_remove("OPT2");
        let out: PoniOutput = command.output().expect("run poni 0.8").into();
        assert!(out.success, "poni 0.8 {args:?} failed:\n{}", out.stderr);
        out
    };
    for node in ["webshop/frontend/server1", "webshop/frontend/server2", "example", "linux/debian"] {
        ours.ok(&["add-node", node]);
        run08(&["add-node", node][..]);
    }
    for (target, properties) in DOC_EXAMPLES {
        let mut args = vec!["set", "-v", *target];
        args.extend_from_slice(properties);
        let mine = ours.ok(&args);
        let theirs = run08(&args[..]);
        // A dict's keys are in the order given in poni's line, sorted in ours when the JSON
        // map does not keep order: those lines are compared by the files below.
        let lines = |stderr: &str| log_lines(stderr, "root ").into_iter().filter(|l| !l.contains("cloud.hardware")).collect::<Vec<_>>();
        assert_eq!(lines(&mine.stderr), lines(&theirs.stderr), "set {target} {properties:?}");
        pair.same_files(&format!("after set {target} {properties:?}"));
    }
    let written = system_files(pair.ours.root());
    assert_eq!(written["linux/debian/node.json"]["private"]["ip"], "127.0.0.1");
    assert_eq!(written["webshop/frontend/server2/node.json"]["optional2"], "default_value");

    // Each reads the other's repository as its own: poni 0.8 lists ours as it lists the one it
    // wrote, property by property; ours lists poni's as it lists ours.
    for args in [&["list", "-p", "-l"][..], &["list", "-o", "-l"], &["list", "-s", "-p"]] {
        assert_eq!(run08(args).stdout, ok08(&pair.poni08, pair.ours.root(), args).stdout, "poni 0.8 {args:?}");
        assert_eq!(ours.ok(args).stdout, Poni::new(&pair.theirs, NO_EC2).ok(args).stdout, "ours {args:?}");
    }

    // The one documented example refused on purpose: `:eval` runs no code.
    let before = system_files(pair.ours.root());
    let refused = ours.run(&["set", "server2", "meaning:eval=21*6/3"]);
    assert_eq!(refused.code, Some(2), "{}", refused.stderr);
    assert_eq!(refused.stderr.lines().count(), 1, "{}", refused.stderr);
    assert_eq!(system_files(pair.ours.root()), before);
    ours.ok(&["set", "server2", "meaning:eval=42", "msg:eval='hello, world'"]);
    assert_eq!(system_files(pair.ours.root())["webshop/frontend/server2/node.json"]["msg"], "hello, world");
}
