//! Cloud benchmark: 1,000 nodes from nothing to running (`init --wait`), then `terminate` and
//! `wait --state=terminated`, with the engine as the CLI and the desktop use it, against moto
//! behind the test proxy. The proxy holds `pending` and `shutting-down` for a second and
//! enforces EC2's published throttling buckets, request and resource (RunInstances: 5 calls
//! burst, 2 a second; 1,000 instances burst, 2 a second), answering RequestLimitExceeded as
//! EC2 does; the client paces itself by the same table. So the times are what AWS would allow.
//!
//! Side by side in one run: grouped launches (batches of 100, the default) and the one-call-
//! per-node way (batch size 1, as the first engine launched). Also the time to plan 10,000
//! nodes (no cloud calls), and importing 1,000 instances made outside poni. Records wall time and requests per EC2 action (counted by the
//! proxy). Run with `./dev bench cloud`; results go to benches/results/cloud.md.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use poni_cloud::aws::{Ec2Provider, InstanceState, PacingLimits, ProviderOptions, RetryPolicy};
use poni_cloud::credentials::{CredentialChoice, CredentialResolver, CredentialSets, EnvVars};
use poni_cloud::engine::{Engine, EngineEvent, EngineOptions, EventSink, InitOptions, Operation, Outcome};
use poni_cloud::plan::{plan, CloudFacts, PlanOptions, Selection};
use poni_e2e::{Ec2Proxy, Moto, ProxyConfig, ProxyStats, TEST_AMI};
use poni_repo::{AddNodes, Assignment, Repo, Target};
use tokio_util::sync::CancellationToken;

#[path = "../machine.rs"]
mod machine;
use machine::{machine, moto_version};

const HOLD: Duration = Duration::from_secs(1);

struct Phase {
    seconds: f64,
    stats: ProxyStats,
    polls: u32,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let nodes: u64 = args.iter().position(|a| a == "--nodes").and_then(|i| args.get(i + 1)).and_then(|n| n.parse().ok()).unwrap_or(1000);
    let moto = Moto::start();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let mut table = String::new();
    table.push_str("| nodes | launch | init + wait | RunInstances | CreateTags | DescribeInstances | throttled | terminate | TerminateInstances | wait terminated | DescribeInstances |\n");
    table.push_str("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (label, batch_size) in [("grouped (100 per call)", 100), ("one call per node", 1)] {
        eprintln!("{nodes} nodes, {label}...");
        let (init, terminate, wait) = runtime.block_on(run_case(&moto, nodes, batch_size));
        let throttled = init.stats.throttled + terminate.stats.throttled + wait.stats.throttled;
        let _ = writeln!(
            table,
            "| {nodes} | {label} | {:.1} s | {} | {} | {} ({} polls) | {throttled} | {:.1} s | {} | {:.1} s | {} ({} polls) |",
            init.seconds,
            init.stats.count("RunInstances"),
            init.stats.count("CreateTags"),
            init.stats.count("DescribeInstances"),
            init.polls,
            terminate.seconds,
            terminate.stats.count("TerminateInstances"),
            wait.seconds,
            wait.stats.count("DescribeInstances"),
            wait.polls,
        );
        println!("{}", table.lines().last().unwrap_or_default());
    }
    let planning = plan_timing(10_000);
    eprintln!("{nodes} instances made outside poni, imported...");
    let imported = runtime.block_on(import_case(&moto, nodes));
    let report = format!(
        "# Cloud benchmark\n\nRun with `./dev bench cloud` (`benches/src/bin/cloud.rs`). The engine against moto {} behind the \
         test proxy, which holds pending and shutting-down {} s and enforces EC2's published request and resource buckets \
         (answering RequestLimitExceeded); the client paces by the same table. {} build; one region. \
         \"throttled\": calls the proxy refused (the client's pacing should keep it at 0). \
         The init phase's DescribeInstances include one before launching (instances an interrupted init left); \
         \"polls\" are the wait's rounds (one DescribeInstances per region per poll, pages of up to 1,000).\n\n{}\n{table}\n\
         Planning {} nodes (the launch plan: selection, checks, batches; no cloud calls): {:.0} ms \
         (median of 5; the tree read from disk first, not counted: {:.0} ms).\n\n\
         Importing an existing fleet: {} instances launched outside poni (one RunInstances by the harness), then \
         listed, planned and imported as nodes of a new system: listing {:.1} s, plan {:.1} s, writing the nodes {:.1} s; \
         {} DescribeInstances in all (one paginated, filtered call per listing, 1,000 a page).\n\n\
         Reading it: grouped, 1,000 instances take 10 RunInstances calls, inside RunInstances' request burst and its \
         1,000-instance resource burst; naming each node then takes one CreateTags per node (a Name tag differs per \
         instance), paced at CreateTags' 10 a second after its burst of 100, which is most of the time left. One call \
         per node is bound by RunInstances' refill of 2 calls a second. A throttled call at a bucket's edge (the proxy's clock and \
         the client's differ by milliseconds) is retried after a back-off.\n",
        moto_version(),
        HOLD.as_secs(),
        if cfg!(debug_assertions) { "Debug" } else { "Release" },
        machine(),
        planning.0,
        planning.1,
        planning.2,
        imported.instances,
        imported.list_s,
        imported.plan_s,
        imported.write_s,
        imported.describes,
    );
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("results/cloud.md");
    std::fs::write(&path, report).expect("write results");
    eprintln!("written to {}", path.display());
}

fn fleet_repo(dir: &std::path::Path, nodes: u64) -> Repo {
    let repo = Repo::init(dir.join("repo")).expect("init");
    repo.add_nodes(&AddNodes { ids: 1..=nodes, ..AddNodes::new("fleet/n{id:05}") }).expect("add nodes");
    // Set on the system: every node inherits them (Tree::effective).
    let props: Vec<Assignment> = ["cloud.provider=aws-ec2", "cloud.region=us-east-1", &format!("cloud.image={TEST_AMI}"), "cloud.key-pair=bench", "user=root"]
        .iter()
        .map(|a| Assignment::parse(a).expect("valid"))
        .collect();
    repo.set(&Target::new("fleet", true).expect("valid"), &props).expect("set");
    repo
}

struct Imported {
    instances: u64,
    list_s: f64,
    plan_s: f64,
    write_s: f64,
    describes: u64,
}

/// `count` instances made outside poni, then listed, planned and imported (no tagging).
async fn import_case(moto: &Moto, count: u64) -> Imported {
    let proxy = Ec2Proxy::start(moto, ProxyConfig::default().with_published_buckets());
    poni_e2e::Ec2Client::new(proxy.endpoint_url()).run_instances(count as u32);
    proxy.reset_stats();
    let dir = tempfile::tempdir().expect("temporary folder");
    let repo = Repo::init(dir.path().join("repo")).expect("init");
    let engine = Engine::new(repo, provider_for(&proxy).await, poni_cloud::engine::no_events(), EngineOptions { ssh_dir: None, ..EngineOptions::default() });
    let started = Instant::now();
    let listed = engine.account_instances("us-east-1").await.expect("list");
    assert_eq!(listed.len() as u64, count);
    let list_s = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let plan = engine.plan_import("us-east-1", Some("found"), None).await.expect("plan");
    assert_eq!(plan.nodes.len() as u64, count);
    let plan_s = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let made = engine.import(&plan, false).await.expect("import");
    assert!(made.len() as u64 >= count);
    let write_s = started.elapsed().as_secs_f64();
    Imported { instances: count, list_s, plan_s, write_s, describes: proxy.full_stats().count("DescribeInstances") }
}

async fn provider_for(proxy: &Ec2Proxy) -> Ec2Provider {
    let env = EnvVars::from_pairs([("AWS_ACCESS_KEY_ID", "bench"), ("AWS_SECRET_ACCESS_KEY", "bench")]);
    let credentials = CredentialResolver::new(env, CredentialSets::system()).resolve(&CredentialChoice::Automatic).await.expect("credentials");
    let options = ProviderOptions {
        endpoint_url: Some(proxy.endpoint_url().to_owned()),
        env: EnvVars::from_pairs([]),
        pacing: PacingLimits::ec2_published(),
        retry: RetryPolicy::default(),
        ..ProviderOptions::default()
    };
    Ec2Provider::new(credentials, options).expect("provider")
}

/// (nodes, median plan time in ms, tree read time in ms)
fn plan_timing(nodes: u64) -> (u64, f64, f64) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let repo = fleet_repo(dir.path(), nodes);
    let started = Instant::now();
    let tree = repo.tree().expect("tree");
    let read = started.elapsed().as_secs_f64() * 1000.0;
    let options = PlanOptions { ssh_dir: None, ..PlanOptions::default() };
    let mut times: Vec<f64> = (0..5)
        .map(|_| {
            let started = Instant::now();
            let p = plan(&tree, &Selection::All, Operation::Init, &options, &CloudFacts::default()).expect("plan");
            assert_eq!(p.batches.len() as u64, nodes.div_ceil(100));
            started.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    (nodes, times[2], read)
}

async fn run_case(moto: &Moto, nodes: u64, batch_size: usize) -> (Phase, Phase, Phase) {
    let proxy = Ec2Proxy::start(moto, ProxyConfig::default().with_holds(HOLD).with_published_buckets());
    let dir = tempfile::tempdir().expect("temporary folder");
    let repo = fleet_repo(dir.path(), nodes);
    let provider = provider_for(&proxy).await;
    let progress = Arc::new(AtomicU32::new(0));
    let counter = progress.clone();
    let sink: EventSink = Arc::new(move |e| {
        if matches!(e, EngineEvent::WaitProgress { .. }) {
            counter.fetch_add(1, Ordering::Relaxed);
        }
    });
    let engine = Engine::new(repo, provider, sink, EngineOptions { ssh_dir: None, batch_size, ..EngineOptions::default() });
    let all = Selection::System { name: "fleet".into() };
    let cancel = CancellationToken::new();

    let phase = |started: Instant, progress: &AtomicU32| Phase {
        seconds: started.elapsed().as_secs_f64(),
        stats: proxy.full_stats(),
        // Each poll that left instances waiting reported progress; the last one did not.
        polls: progress.swap(0, Ordering::Relaxed) + 1,
    };
    let started = Instant::now();
    let report = engine.init(&all, InitOptions { wait: true, reinit: false }, &cancel).await.expect("init");
    assert_eq!(report.count(Outcome::Ready), nodes as usize, "every node running: {:?}", report.nodes.iter().find(|n| n.outcome != Outcome::Ready));
    let init = phase(started, &progress);
    proxy.reset_stats();

    let started = Instant::now();
    let report = engine.terminate(&all, &cancel).await.expect("terminate");
    assert_eq!(report.count(Outcome::Requested), nodes as usize);
    let terminate = Phase { polls: 0, ..phase(started, &progress) };
    proxy.reset_stats();

    let started = Instant::now();
    let report = engine.wait(&all, &InstanceState::Terminated, &cancel).await.expect("wait");
    assert_eq!(report.count(Outcome::Ready), nodes as usize, "every node terminated");
    let wait = phase(started, &progress);
    (init, terminate, wait)
}
