//! Cloud benchmark: `init --wait`, then `terminate` and `wait --state=terminated`, for 100 and
//! 1,000 nodes, with the engine (as the CLI and the desktop app use it) against moto behind the
//! test proxy, which holds `pending` and `shutting-down` for a second. Records wall time and
//! requests per EC2 action (counted by the proxy), and DescribeInstances calls per poll, which
//! must not grow with the number of instances (one paginated call per region per poll; a page
//! holds up to 1,000 instances).
//!
//! Pacing: `published` keeps to EC2's published request limits, as against AWS (RunInstances
//! refills 2 a second, so that is what launching takes there); `unpaced` shows what the engine
//! and the local server manage on their own. `--full` adds 1,000 nodes with published pacing
//! (about 9 minutes). Run with `./dev bench cloud`; results go to benches/results/cloud.md.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use poni_cloud::aws::{Ec2Provider, InstanceState, PacingLimits, ProviderOptions, RetryPolicy};
use poni_cloud::credentials::{CredentialChoice, CredentialResolver, CredentialSets, EnvVars};
use poni_cloud::engine::{Engine, EngineEvent, EngineOptions, EventSink, InitOptions, Outcome};
use poni_e2e::{Ec2Proxy, Moto, ProxyConfig, ProxyStats, TEST_AMI};
use poni_repo::{AddNodes, Assignment, Repo, Target};
use tokio_util::sync::CancellationToken;

const HOLD: Duration = Duration::from_secs(1);

struct Phase {
    seconds: f64,
    stats: ProxyStats,
    polls: u32,
}

fn main() {
    let full = std::env::args().any(|a| a == "--full");
    let mut cases = vec![(100, "published"), (100, "unpaced"), (1000, "unpaced")];
    if full {
        cases.push((1000, "published"));
    }
    let moto = Moto::start();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let mut table = String::new();
    table.push_str("| nodes | pacing | init + wait | RunInstances | DescribeInstances (polls) | per poll | terminate | TerminateInstances | wait terminated | DescribeInstances (polls) | per poll |\n");
    table.push_str("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (nodes, pacing) in cases {
        eprintln!("{nodes} nodes, {pacing} pacing...");
        let (init, terminate, wait) = runtime.block_on(run_case(&moto, nodes, pacing));
        // The init phase also makes one DescribeInstances before launching (adopting orphans).
        let per_poll = |describes: u64, polls: u32| describes as f64 / polls.max(1) as f64;
        let _ = writeln!(
            table,
            "| {nodes} | {pacing} | {:.1} s | {} | {} ({}) | {:.2} | {:.1} s | {} | {:.1} s | {} ({}) | {:.2} |",
            init.seconds,
            init.stats.count("RunInstances"),
            init.stats.count("DescribeInstances"),
            init.polls,
            per_poll(init.stats.count("DescribeInstances") - 1, init.polls),
            terminate.seconds,
            terminate.stats.count("TerminateInstances"),
            wait.seconds,
            wait.stats.count("DescribeInstances"),
            wait.polls,
            per_poll(wait.stats.count("DescribeInstances"), wait.polls),
        );
        println!("{}", table.lines().last().unwrap_or_default());
    }
    let report = format!(
        "# Cloud benchmark\n\nRun with `./dev bench cloud` (`benches/src/bin/cloud.rs`). The engine against moto {} behind the \
         test proxy (pending and shutting-down held {} s), {} build; one region. \
         \"per poll\": DescribeInstances calls per poll of the wait (pages of up to 1,000 instances). \
         The init phase makes one more DescribeInstances before launching (instances an interrupted init left).\n\n{}\n{table}\n\
         Reading it: DescribeInstances per poll stays at one whether 100 or 1,000 instances are waited for. \
         With EC2's published pacing, launching is bound by RunInstances' refill of 2 a second \
         (100 nodes about 50 s; 1,000 nodes about 8.5 minutes on AWS, `--full` measures it); \
         unpaced, moto and the proxy are the limit.\n",
        moto_version(),
        HOLD.as_secs(),
        if cfg!(debug_assertions) { "debug" } else { "release" },
        machine()
    );
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("results/cloud.md");
    std::fs::write(&path, report).expect("write results");
    eprintln!("written to {}", path.display());
}

async fn run_case(moto: &Moto, nodes: u64, pacing: &str) -> (Phase, Phase, Phase) {
    let proxy = Ec2Proxy::start(moto, ProxyConfig::default().with_holds(HOLD));
    let dir = tempfile::tempdir().expect("temporary folder");
    let repo = Repo::init(dir.path().join("repo")).expect("init");
    repo.add_nodes(&AddNodes { ids: 1..=nodes, ..AddNodes::new("fleet/n{id:04}") }).expect("add nodes");
    // Set on the system: every node inherits them (Tree::effective).
    let props: Vec<Assignment> = ["cloud.provider=aws-ec2", "cloud.region=us-east-1", &format!("cloud.image={TEST_AMI}"), "cloud.key-pair=bench", "user=root"]
        .iter()
        .map(|a| Assignment::parse(a).expect("valid"))
        .collect();
    repo.set(&Target::new("fleet", true).expect("valid"), &props).expect("set");

    let env = EnvVars::from_pairs([("AWS_ACCESS_KEY_ID", "bench"), ("AWS_SECRET_ACCESS_KEY", "bench")]);
    let credentials = CredentialResolver::new(env, CredentialSets::system()).resolve(&CredentialChoice::Automatic).await.expect("credentials");
    let options = ProviderOptions {
        endpoint_url: Some(proxy.endpoint_url().to_owned()),
        env: EnvVars::from_pairs([]),
        pacing: if pacing == "published" { PacingLimits::ec2_published() } else { PacingLimits::unpaced() },
        retry: RetryPolicy::default(),
        ..ProviderOptions::default()
    };
    let provider = Ec2Provider::new(credentials, options).expect("provider");
    let progress = Arc::new(AtomicU32::new(0));
    let counter = progress.clone();
    let sink: EventSink = Arc::new(move |e| {
        if matches!(e, EngineEvent::WaitProgress { .. }) {
            counter.fetch_add(1, Ordering::Relaxed);
        }
    });
    let engine = Engine::new(repo, provider, sink, EngineOptions { ssh_dir: None, ..EngineOptions::default() });
    let target = Target::new("^fleet/", false).expect("valid");
    let cancel = CancellationToken::new();

    let phase = |started: Instant, progress: &AtomicU32| Phase {
        seconds: started.elapsed().as_secs_f64(),
        stats: proxy.full_stats(),
        // Each poll that left instances waiting reported progress; the last one did not.
        polls: progress.swap(0, Ordering::Relaxed) + 1,
    };
    let started = Instant::now();
    let report = engine.init(&target, InitOptions { wait: true, reinit: false }, &cancel).await.expect("init");
    assert_eq!(report.count(Outcome::Ready), nodes as usize, "every node running");
    let init = phase(started, &progress);
    proxy.reset_stats();

    let started = Instant::now();
    let report = engine.terminate(&target, &cancel).await.expect("terminate");
    assert_eq!(report.count(Outcome::Requested), nodes as usize);
    let terminate = Phase { polls: 0, ..phase(started, &progress) };
    proxy.reset_stats();

    let started = Instant::now();
    let report = engine.wait(&target, &InstanceState::Terminated, &cancel).await.expect("wait");
    assert_eq!(report.count(Outcome::Ready), nodes as usize, "every node terminated");
    let wait = phase(started, &progress);
    (init, terminate, wait)
}

fn moto_version() -> String {
    let python = poni_e2e::venv_dir().join("bin/python");
    std::process::Command::new(python)
        .args(["-c", "import moto; print(moto.__version__)"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

/// CPU model, cores, memory and kernel, for the results file.
fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo.lines().find_map(|l| l.strip_prefix("model name")).map(|l| l.trim_start_matches([' ', '\t', ':']).to_owned()).unwrap_or_default();
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_gib = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|l| l.trim().trim_end_matches(" kB").parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0 / 1024.0);
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    format!("Machine: {model}, {cores} cores, {mem_gib:.0} GiB, Linux {}.\n", kernel.trim())
}
