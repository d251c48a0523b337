//! Repository benchmarks: builds repositories of 1,000, 10,000 and 50,000 nodes and measures
//! opening and listing them (through the real `poni` binary), adding 10,000 nodes at once and
//! setting a property on 10,000 matches. Each figure is the median of several runs with a warm
//! page cache. Run with `./dev bench`; it prints a Markdown table to paste into
//! benches/results/repository.md.
//!
//! The goal it checks: listing 10,000 nodes takes at most 3x the time of merely reading every
//! node.json once.

use poni_repo::{AddNodes, Assignment, Repo, Target};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const SIZES: &[u64] = &[1_000, 10_000, 50_000];
const NODES_PER_SYSTEM: u64 = 100;
const RUNS: usize = 5;

fn main() {
    let poni = poni_binary();
    println!("| nodes | read every node.json | open + `poni list` | ratio | open + `poni list -p -o` |");
    println!("|---:|---:|---:|---:|---:|");
    for &size in SIZES {
        let dir = tempfile::tempdir().expect("temporary folder");
        let repo = build(dir.path(), size);
        let read = median(|| read_every_node_file(&repo.system_root()));
        let list = median(|| run(&poni, repo.root(), &["list"]));
        let list_props = median(|| run(&poni, repo.root(), &["list", "-p", "-o"]));
        println!(
            "| {size} | {} | {} | {:.2}x | {} |",
            ms(read),
            ms(list),
            list.as_secs_f64() / read.as_secs_f64(),
            ms(list_props)
        );
    }
    println!();

    let dir = tempfile::tempdir().expect("temporary folder");
    let repo = Repo::init(dir.path().join("repo")).expect("init");
    let start = Instant::now();
    repo.add_nodes(&AddNodes { ids: 1..=10_000, ..AddNodes::new("fleet/n{id:05}") }).expect("add nodes");
    let add = start.elapsed();
    let assignment = [Assignment::parse("cloud.region=eu-west-1").expect("valid")];
    let target = Target::new("^fleet", false).expect("valid");
    let start = Instant::now();
    let changed = repo.set(&target, &assignment).expect("set");
    let set = start.elapsed();
    assert_eq!(changed.len(), 10_001, "the system and its 10,000 nodes");
    println!("| operation | time |");
    println!("|---|---:|");
    println!("| add-node of 10,000 nodes (one call) | {} |", ms(add));
    println!("| set on 10,000 matches | {} |", ms(set));
}

/// A repository of `size` nodes, 100 to a system, each with cloud properties.
fn build(root: &Path, size: u64) -> Repo {
    let repo = Repo::init(root.join("repo")).expect("init");
    for system in 0..size.div_ceil(NODES_PER_SYSTEM) {
        let first = system * NODES_PER_SYSTEM + 1;
        let last = ((system + 1) * NODES_PER_SYSTEM).min(size);
        repo.add_nodes(&AddNodes { ids: first..=last, ..AddNodes::new(format!("region{:03}/node{{id:05}}", system)) })
            .expect("add nodes");
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

fn run(poni: &Path, root: &Path, args: &[&str]) {
    let status = Command::new(poni)
        .arg("-d")
        .arg(root)
        .args(args)
        .stdout(Stdio::null())
        .status()
        .expect("run poni");
    assert!(status.success());
}

fn median(mut f: impl FnMut()) -> Duration {
    f(); // warm the page cache
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[RUNS / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// The release `poni` binary next to this benchmark's own executable.
fn poni_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("own path");
    let path = exe.with_file_name(format!("poni{}", std::env::consts::EXE_SUFFIX));
    assert!(path.is_file(), "{} is missing: run the benchmark with ./dev bench, which builds it", path.display());
    path
}
