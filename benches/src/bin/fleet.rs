//! Fleet-wall benchmark (issue 23): 10,000 instances over 4 regions and 2 accounts, then one
//! full refresh of the wall per account (`Engine::fleet_status`: DescribeInstances,
//! DescribeInstanceStatus, CloudWatch GetMetricData, the Price List), as the app and
//! `poni cloud status --all-regions` make it. Against moto behind the test proxy (one proxy per
//! account, EC2's published buckets) and our Price List server. Records the calls per region and
//! account (goal: at most 2 DescribeInstanceStatus and 20 GetMetricData) and the time of each
//! refresh, cold (prices fetched) and warm (prices from the cache). Run with `./dev bench fleet
//! [--instances N]`; results go to benches/results/fleet.md.

use std::fmt::Write as _;
use std::time::Instant;

use poni_cloud::aws::{Ec2Provider, PacingLimits, ProviderOptions, RetryPolicy};
use poni_cloud::credentials::{CredentialChoice, CredentialResolver, CredentialSets, EnvVars};
use poni_cloud::engine::fleet_status::StatusOptions;
use poni_cloud::engine::{Engine, EngineOptions};
use poni_e2e::{Ec2Client, Ec2Proxy, Moto, PricingServer, ProxyConfig, TEST_AMI};
use poni_repo::Repo;

#[path = "../machine.rs"]
mod machine;
use machine::{machine, moto_version};

const REGIONS: [&str; 4] = ["us-east-1", "eu-west-1", "us-west-2", "ap-southeast-1"];
const ACCOUNTS: usize = 2;
/// moto answers a RunInstances of this many at a time comfortably.
const LAUNCH_CHUNK: u32 = 500;

struct Refresh {
    seconds: f64,
    instances: usize,
    /// Per region: (DescribeInstanceStatus, GetMetricData, DescribeInstances).
    calls: Vec<(String, u64, u64, u64)>,
    price_calls: u64,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let total: u32 = args.iter().position(|a| a == "--instances").and_then(|i| args.get(i + 1)).and_then(|n| n.parse().ok()).unwrap_or(10_000);
    let per_region = total / (ACCOUNTS * REGIONS.len()) as u32;
    let moto = Moto::start();
    let prices = PricingServer::start();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let cache_dir = tempfile::tempdir().expect("temporary folder");
    let mut rows = String::new();
    for account in 0..ACCOUNTS {
        // The harness launches without buckets (the setup, not what is measured); the refreshes
        // then meet EC2's published ones.
        let proxy = Ec2Proxy::start(&moto, ProxyConfig::default());
        eprintln!("account {} ({}): launching {per_region} instances in each of {} regions...", account + 1, proxy.account_id(), REGIONS.len());
        for region in REGIONS {
            let ec2 = Ec2Client::with_region(proxy.endpoint_url(), region);
            let mut left = per_region;
            while left > 0 {
                let n = left.min(LAUNCH_CHUNK).to_string();
                ec2.call_ok("RunInstances", &[("ImageId", TEST_AMI), ("MinCount", &n), ("MaxCount", &n), ("InstanceType", "t3.micro")]);
                left -= left.min(LAUNCH_CHUNK);
            }
        }
        proxy.configure(&ProxyConfig::default().with_published_buckets());
        // The same cache for both accounts, as one app has: the second account's first refresh
        // already finds the prices.
        let cache = cache_dir.path().join("prices.json");
        for label in ["first refresh (prices fetched)", "second refresh (prices cached)"] {
            let refresh = runtime.block_on(refresh(&proxy, &prices, &cache));
            for (region, status, metrics, describes) in &refresh.calls {
                let _ = writeln!(
                    rows,
                    "| {} | {label} | {region} | {} | {status} | {metrics} | {describes} | {} | {:.1} s |",
                    account + 1,
                    refresh.instances / REGIONS.len(),
                    refresh.price_calls,
                    refresh.seconds
                );
            }
            println!("{}", rows.lines().last().unwrap_or_default());
        }
    }
    let report = format!(
        "# Fleet wall benchmark\n\nRun with `./dev bench fleet` (`benches/src/bin/fleet.rs`). {total} instances (t3.micro) over \
         {} regions and {ACCOUNTS} accounts, in moto {} behind the test proxy (one per account, EC2's published buckets), \
         prices from our Price List server; {} build. Each refresh is one `Engine::fleet_status` over the 4 regions \
         (in parallel), with CPU and prices: the whole wall of one account. Calls are counted by the proxy per region; \
         \"GetProducts\" by the Price List server, per refresh (its cache is on disk and shared by the accounts, as in the app).\n\n\
         Goal (issue 23): at most 2 DescribeInstanceStatus and 20 GetMetricData per region and account for a full refresh.\n\n{}\n\
         | account | refresh | region | instances | DescribeInstanceStatus | GetMetricData | DescribeInstances | GetProducts (all regions) | time (all regions) |\n\
         |---:|---|---|---:|---:|---:|---:|---:|---:|\n{rows}",
        REGIONS.len(),
        moto_version(),
        if cfg!(debug_assertions) { "debug" } else { "release" },
        machine(),
    );
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("results/fleet.md");
    std::fs::write(&path, report).expect("write results");
    eprintln!("results in {}", path.display());
}

async fn refresh(proxy: &Ec2Proxy, prices: &PricingServer, cache: &std::path::Path) -> Refresh {
    let dir = tempfile::tempdir().expect("temporary folder");
    let repo = Repo::init(dir.path().join("repo")).expect("init");
    let engine =
        Engine::new(repo, provider_for(proxy, prices).await, poni_cloud::engine::no_events(), EngineOptions { ssh_dir: None, ..EngineOptions::default() });
    proxy.reset_stats();
    let priced_before = prices.stats().get_products;
    let options =
        StatusOptions { regions: REGIONS.iter().map(|r| r.to_string()).collect(), with_cpu: true, with_prices: true, price_cache: Some(cache.to_path_buf()) };
    let started = Instant::now();
    let status = engine.fleet_status(&options).await.expect("fleet status");
    let seconds = started.elapsed().as_secs_f64();
    for region in &status.regions {
        assert!(region.error.is_none(), "{}: {:?}", region.region, region.error);
    }
    let stats = proxy.full_stats();
    let calls = REGIONS
        .iter()
        .map(|r| (r.to_string(), stats.count_in(r, "DescribeInstanceStatus"), stats.count_in(r, "GetMetricData"), stats.count_in(r, "DescribeInstances")))
        .collect();
    Refresh { seconds, instances: status.regions.iter().map(|r| r.rows.len()).sum(), calls, price_calls: prices.stats().get_products - priced_before }
}

async fn provider_for(proxy: &Ec2Proxy, prices: &PricingServer) -> Ec2Provider {
    let env = EnvVars::from_pairs([("AWS_ACCESS_KEY_ID", "bench"), ("AWS_SECRET_ACCESS_KEY", "bench")]);
    let credentials = CredentialResolver::new(env, CredentialSets::system()).resolve(&CredentialChoice::Automatic).await.expect("credentials");
    // Every service through the proxy (EC2, CloudWatch, STS), the Price List at our server.
    let options = ProviderOptions {
        endpoint_url: None,
        env: EnvVars::from_pairs([("AWS_ENDPOINT_URL", proxy.endpoint_url()), ("AWS_ENDPOINT_URL_PRICING", prices.endpoint_url())]),
        pacing: PacingLimits::ec2_published(),
        retry: RetryPolicy::default(),
        ..ProviderOptions::default()
    };
    Ec2Provider::new(credentials, options).expect("provider")
}
