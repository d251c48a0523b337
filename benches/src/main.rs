//! Repository benchmarks, side by side with poni 0.8 in one run: opening and listing
//! repositories of 1,000, 10,000 and 50,000 nodes, add-node of N nodes in one call and set on N
//! matches, each through the real command lines (our release `poni` and poni 0.8 on Python
//! 3.11, both started afresh every time). Each figure is the median of several runs with a warm
//! page cache. Run with `./dev bench`; it prints the machine and Markdown tables to paste into
//! benches/results/repository.md.
//!
//! The goals it checks: add-node of 10,000 nodes and set on 10,000 matches at least 5 times
//! faster than poni 0.8; listing 10,000 nodes at most 1.5 times the time of merely reading
//! every node.json once (on every core, as the store reads them; one thread's time is shown
//! too); time per node about the same from 1,000 to 50,000.
//!
//! poni 0.8 comes from benches/vendor (see its README) and is installed into a virtualenv under
//! `~/.cache/poni-desktop` (`$PONI08_VENV`) by `scripts/install-deps`, or here when missing.

use poni_repo::{AddNodes, Assignment, Repo, Target, Tree};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const SIZES: &[u64] = &[1_000, 10_000, 50_000];

/// The sizes to run: `PONI_BENCH_SIZES=10000` (comma-separated) for a shorter run.
fn sizes() -> Vec<u64> {
    std::env::var("PONI_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .filter(|v: &Vec<u64>| !v.is_empty())
        .unwrap_or_else(|| SIZES.to_vec())
}
const NODES_PER_SYSTEM: u64 = 100;
const RUNS: usize = 5;
/// The floor and `poni list`, taken in turns: more runs, as the goal is a ratio of the two.
const PAIRED_RUNS: usize = 9;
/// poni 0.8 is slow enough that three runs (plus one to warm up for listings) will do.
const PONI08_RUNS: usize = 3;
/// Bulk edits write every file anew: no cache to warm, three runs each.
const EDIT_RUNS: usize = 5;

/// Where repositories are made: a folder on the disk users keep repositories on (under the
/// home folder), and tmpfs, side by side in one run.
struct Place {
    name: &'static str,
    dir: PathBuf,
}

impl Place {
    fn all() -> Vec<Place> {
        // The temporary folder when it is on a disk (as on Debian), else one under the home
        // folder; `PONI_BENCH_DISK` picks another.
        let tmp = std::env::temp_dir();
        let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(|| tmp.clone());
        let default = if file_system(&tmp) == "tmpfs" { home.join(".cache/poni-desktop/bench") } else { tmp };
        let disk = std::env::var_os("PONI_BENCH_DISK").map(PathBuf::from).unwrap_or(default);
        std::fs::create_dir_all(&disk).expect("the benchmark's folder on the disk");
        let mut places = vec![Place { name: "disk", dir: disk }];
        let shm = PathBuf::from("/dev/shm");
        if file_system(&shm) == "tmpfs" {
            places.push(Place { name: "tmpfs", dir: shm });
        }
        places
    }

    fn tempdir(&self) -> tempfile::TempDir {
        tempfile::tempdir_in(&self.dir).expect("temporary folder")
    }
}

/// The file system type of a folder, as `stat -f` names it (ext2/ext3 is ext4's too).
fn file_system(dir: &Path) -> String {
    Command::new("stat").args(["-f", "-c", "%T"]).arg(dir).output().map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string()).unwrap_or_default()
}

fn main() {
    let poni = poni_binary();
    let poni08 = Poni08::install();
    let places = Place::all();
    print_machine(&places);
    let disk = &places[0];

    println!("## Open and list (on the disk: {})\n", disk.dir.display());
    println!("| nodes | read every node.json: one thread | every core (the floor) | the store reads the tree (in this process) | open + `poni list` | ratio to the floor | per node | open + `poni list -p -o` | poni 0.8 `list` |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut ratio_10k = 0.0;
    for &size in &sizes() {
        let dir = disk.tempdir();
        let repo = build(dir.path(), size);
        let read_serial = median(RUNS, || {
            let started = Instant::now();
            read_every_node_file(&repo.system_root());
            started.elapsed()
        });
        let load = median(RUNS, || {
            let started = Instant::now();
            std::hint::black_box(Tree::load(&repo.system_root()).expect("tree"));
            started.elapsed()
        });
        // The goal's two figures are taken in turns, so that both see the same moments of a
        // noisy machine.
        let (read, list) = medians_in_turns(
            PAIRED_RUNS,
            || {
                let started = Instant::now();
                read_every_node_file_on_every_core(&repo.system_root());
                started.elapsed()
            },
            || timed(&poni.command(repo.root(), &["list"])),
        );
        let list_props = median(RUNS, || timed(&poni.command(repo.root(), &["list", "-p", "-o"])));
        let theirs = if size <= 10_000 { ms(median(PONI08_RUNS, || timed(&poni08.command(repo.root(), &["list"])))) } else { "(not run)".into() };
        let ratio = list.as_secs_f64() / read.as_secs_f64();
        if size == 10_000 {
            ratio_10k = ratio;
        }
        println!(
            "| {size} | {} | {} | {} | {} | {ratio:.2}x | {} | {} | {theirs} |",
            ms(read_serial),
            ms(read),
            ms(load),
            ms(list),
            us_per(list, size),
            ms(list_props)
        );
    }
    println!("\nListing 10,000 nodes: {ratio_10k:.2}x the time of reading every node.json on every core (goal: at most 1.5x): {}\n", verdict(ratio_10k <= 1.5));

    println!("## Bulk edits, side by side with poni 0.8\n");
    println!("| operation | where | nodes | `poni` (ours) | per node | poni 0.8 | poni 0.8 / ours |");
    println!("|---|---|---:|---:|---:|---:|---:|");
    let mut goals = Vec::new();
    for place in &places {
        for &size in &sizes() {
            let range = format!("1..{size}");
            let add_node = |command: &dyn Fn(&Path, &[&str]) -> Command| {
                let dir = place.tempdir();
                let root = dir.path().join("repo");
                run(&command(&root, &["init"]));
                settle(&place.dir);
                timed(&command(&root, &["add-node", "fleet/n{id:05}", "-n", &range]))
            };
            let ours = || add_node(&|root, args| poni.command(root, args));
            let (ours, theirs) = if size == 10_000 {
                let (ours, theirs) = medians_in_turns(EDIT_RUNS, ours, || add_node(&|root, args| poni08.command(root, args)));
                (ours, Some(theirs))
            } else {
                (median_cold(EDIT_RUNS, ours), None)
            };
            row("add-node in one call", place.name, size, ours, theirs, &mut goals);
        }
        for &size in &sizes() {
            let dir = place.tempdir();
            let repo = build(dir.path(), size);
            let round = std::cell::Cell::new(0);
            let set = |command: Command| {
                round.set(round.get() + 1);
                let mut command = command;
                command.arg(format!("cloud.region=eu-west-{}", round.get()));
                settle(&place.dir);
                timed(&command)
            };
            let ours = || set(poni.command(repo.root(), &["set", "^region"]));
            let (ours, theirs) = if size == 10_000 {
                let (ours, theirs) = medians_in_turns(EDIT_RUNS, ours, || set(poni08.command(repo.root(), &["set", "^region"])));
                (ours, Some(theirs))
            } else {
                (median_cold(EDIT_RUNS, ours), None)
            };
            row("set on every match", place.name, size, ours, theirs, &mut goals);
        }
    }
    println!();
    for (what, place, factor) in goals {
        println!("{what} on 10,000 ({place}): {factor:.1}x faster than poni 0.8 (goal: at least 5x): {}", verdict(factor >= 5.0));
    }
}

fn row(what: &'static str, place: &'static str, size: u64, ours: Duration, theirs: Option<Duration>, goals: &mut Vec<(&'static str, &'static str, f64)>) {
    let (theirs_text, factor) = match theirs {
        Some(t) => {
            let factor = t.as_secs_f64() / ours.as_secs_f64();
            goals.push((what, place, factor));
            (ms(t), format!("{factor:.1}x"))
        }
        None => ("(not run)".into(), String::new()),
    };
    println!("| {what} | {place} | {size} | {} | {} | {theirs_text} | {factor} |", ms(ours), us_per(ours, size));
}

fn verdict(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "NOT met"
    }
}

/// A repository of `size` nodes, 100 to a system, each with cloud properties.
fn build(root: &Path, size: u64) -> Repo {
    let repo = Repo::init(root.join("repo")).expect("init");
    for system in 0..size.div_ceil(NODES_PER_SYSTEM) {
        let first = system * NODES_PER_SYSTEM + 1;
        let last = ((system + 1) * NODES_PER_SYSTEM).min(size);
        repo.add_nodes(&AddNodes { ids: first..=last, ..AddNodes::new(format!("region{:03}/node{{id:05}}", system)) }).expect("add nodes");
    }
    let set = ["cloud.provider=aws-ec2", "cloud.region=us-east-1", "cloud.image=ami-12c6146b", "cloud.key-pair=bench", "user=root"];
    let assignments: Vec<_> = set.iter().map(|s| Assignment::parse(s).expect("valid")).collect();
    repo.set(&Target::all(), &assignments).expect("set");
    repo
}

/// The floor: read every node.json once, without parsing.
fn read_every_node_file(dir: &Path) {
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        let node = path.join("node.json");
        if node.is_file() {
            std::hint::black_box(std::fs::read(&node).expect("read"));
        } else if path.is_dir() {
            read_every_node_file(&path);
        }
    }
}

/// The floor as `poni list` can reach it: every node.json read once, the folders walked on
/// every core (rayon, as the store does), without parsing.
fn read_every_node_file_on_every_core(dir: &Path) {
    use rayon::prelude::*;
    let entries: Vec<PathBuf> = std::fs::read_dir(dir).expect("read dir").map(|e| e.expect("entry").path()).collect();
    entries.par_iter().for_each(|path| {
        let node = path.join("node.json");
        if node.is_file() {
            std::hint::black_box(std::fs::read(&node).expect("read"));
        } else if path.is_dir() {
            read_every_node_file_on_every_core(path);
        }
    });
}

fn run(command: &Command) {
    timed(command);
}

/// Runs a command to the end (output discarded) and returns how long it took.
fn timed(command: &Command) -> Duration {
    let mut command = clone(command);
    let started = Instant::now();
    let out = command.stdout(Stdio::null()).stderr(Stdio::piped()).output().expect("run");
    let took = started.elapsed();
    assert!(out.status.success(), "{command:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    took
}

fn clone(command: &Command) -> Command {
    let mut copy = Command::new(command.get_program());
    copy.args(command.get_args());
    copy
}

fn median(runs: usize, mut f: impl FnMut() -> Duration) -> Duration {
    f(); // warm the page cache (and Python's byte-code cache)
    median_cold(runs, f)
}

/// [`median`] of two measurements taken one after the other, `runs` times each.
fn medians_in_turns(runs: usize, mut a: impl FnMut() -> Duration, mut b: impl FnMut() -> Duration) -> (Duration, Duration) {
    a();
    b();
    let (mut first, mut second): (Vec<_>, Vec<_>) = (0..runs).map(|_| (a(), b())).unzip();
    first.sort();
    second.sort();
    (first[runs / 2], second[runs / 2])
}

/// Lets the file system finish what earlier runs left (their files written back, the trees of
/// earlier runs deleted and discarded), so that no run pays for another's: `sync -f`, one
/// `syncfs` of the file system the folder is on, untimed.
fn settle(dir: &Path) {
    run(Command::new("sync").arg("-f").arg(dir));
}

fn median_cold(runs: usize, mut f: impl FnMut() -> Duration) -> Duration {
    let mut times: Vec<Duration> = (0..runs).map(|_| f()).collect();
    times.sort();
    times[runs / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn us_per(d: Duration, nodes: u64) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6 / nodes as f64)
}

/// The release `poni` binary next to this benchmark's own executable.
struct Ours(PathBuf);

impl Ours {
    fn command(&self, root: &Path, args: &[&str]) -> Command {
        let mut command = Command::new(&self.0);
        command.arg("-d").arg(root).args(args);
        command
    }
}

fn poni_binary() -> Ours {
    let exe = std::env::current_exe().expect("own path");
    let path = exe.with_file_name(format!("poni{}", std::env::consts::EXE_SUFFIX));
    assert!(path.is_file(), "{} is missing: run the benchmark with ./dev bench, which builds it", path.display());
    Ours(path)
}

/// poni 0.8 in its virtualenv.
struct Poni08 {
    python: PathBuf,
    launcher: PathBuf,
}

impl Poni08 {
    fn install() -> Self {
        let vendor = Path::new(env!("CARGO_MANIFEST_DIR")).join("vendor");
        let venv = std::env::var_os("PONI08_VENV")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/poni-desktop/poni-0.8-venv"));
        let python = venv.join("bin/python");
        if !venv.join("lib/python3.11/site-packages/poni/tool.py").is_file() {
            eprintln!("installing poni 0.8 into {}", venv.display());
            let made = Command::new("python3.11").arg("-m").arg("venv").arg(&venv).status().expect("python3.11 (poni 0.8 runs on Python 3.11)");
            assert!(made.success(), "python3.11 -m venv failed");
            let pip = Command::new(venv.join("bin/pip"))
                .args(["install", "-q", "--disable-pip-version-check", "argh==0.26.2", "paramiko"])
                .arg(vendor.join("poni-0.8.tar.gz"))
                .status()
                .expect("pip");
            assert!(pip.success(), "installing poni 0.8 failed");
        }
        Poni08 { python, launcher: vendor.join("run-poni-0.8.py") }
    }

    fn command(&self, root: &Path, args: &[&str]) -> Command {
        let mut command = Command::new(&self.python);
        command.arg(&self.launcher).arg("-d").arg(root).args(args);
        command
    }
}

/// What the figures were measured on.
fn print_machine(places: &[Place]) {
    let shell =
        |script: &str| Command::new("sh").args(["-c", script]).output().map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string()).unwrap_or_default();
    println!("# Machine\n");
    println!("- cores (nproc): {}", shell("nproc"));
    println!("- CPU: {}", shell("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'"));
    println!("- memory: {}", shell("free -h | awk '/Mem:/ {print $2}'"));
    println!("- kernel: {}", shell("uname -sr"));
    for place in places {
        println!(
            "- {}: {} ({}, {})",
            place.name,
            place.dir.display(),
            file_system(&place.dir),
            shell(&format!("df '{}' | awk 'NR==2 {{print $1}}'; lsblk -dno NAME,ROTA,SIZE,MODEL 2>/dev/null | head -3 | tr '\\n' ';'", place.dir.display()))
        );
    }
    println!("- Python for poni 0.8: {}", shell("python3.11 --version"));
    println!("- load while measuring (1/5/15 min): {}", shell("cut -d' ' -f1-3 /proc/loadavg"));
    println!();
}
