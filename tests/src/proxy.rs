//! The EC2 test proxy (`harness/ec2_proxy.py`) in front of a [`Moto`].

use std::collections::HashMap;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use serde_json::{json, Value};

use crate::moto::{harness_script, venv_python, Moto};
use crate::process::{http_agent, ServerProcess};

const START_TIMEOUT: Duration = Duration::from_secs(20);

/// A fault the proxy can inject into an EC2 call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FaultKind {
    /// HTTP 503 with EC2's `RequestLimitExceeded` error; the call is not forwarded.
    Throttle,
    /// HTTP 500 `InternalError`; not forwarded.
    Http500,
    /// HTTP 503 `Unavailable`; not forwarded.
    Http503,
    /// HTTP 401 `OptInRequired`, EC2's answer in a region the account has not enabled (not
    /// worth a retry); not forwarded.
    OptInRequired,
    /// The connection is closed without an answer; not forwarded.
    Drop,
    /// Forwarded to moto (so it takes effect), then the answer is dropped: a lost response.
    DropAfter,
}

impl FaultKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FaultKind::Throttle => "throttle",
            FaultKind::Http500 => "http500",
            FaultKind::Http503 => "http503",
            FaultKind::OptInRequired => "opt_in_required",
            FaultKind::Drop => "drop",
            FaultKind::DropAfter => "drop_after",
        }
    }
}

/// Whether the proxy throttles as EC2 does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Buckets {
    /// No throttling but injected faults.
    Off,
    /// EC2's published token buckets per account and region (request buckets per Action,
    /// resource buckets counting instances): a call finding a bucket short is answered 503
    /// `RequestLimitExceeded` and not forwarded. The sizes are in `harness/ec2_proxy.py`.
    Published,
}

impl Buckets {
    pub fn as_str(self) -> &'static str {
        match self {
            Buckets::Off => "off",
            Buckets::Published => "published",
        }
    }
}

/// What the proxy does. `ProxyConfig::default()` passes everything through unchanged.
#[derive(Clone, Debug, PartialEq)]
pub struct ProxyConfig {
    /// How long an instance shows `pending` (no public DNS name or IP) after RunInstances or
    /// StartInstances.
    pub hold_pending: Duration,
    /// How long an instance shows `shutting-down` after TerminateInstances.
    pub hold_shutting_down: Duration,
    /// How long an instance shows `stopping` after StopInstances.
    pub hold_stopping: Duration,
    /// Chance (0..=1) that a matching call gets a fault.
    pub fault_rate: f64,
    /// Faults to draw from (uniformly).
    pub fault_kinds: Vec<FaultKind>,
    /// EC2 Actions that faults and latency apply to; empty: all.
    pub fault_actions: Vec<String>,
    /// Regions (of the call's SigV4 signature) that faults and latency apply to; empty: all.
    pub fault_regions: Vec<String>,
    /// At most this many faults (counted from when this config is applied); None: no limit.
    pub fault_budget: Option<u64>,
    /// Delay added before forwarding each matching call.
    pub latency: Duration,
    /// How long the answers of `answer_delay_actions` are held back after forwarding (the call
    /// has taken effect in moto; the client is still waiting).
    pub answer_delay: Duration,
    pub answer_delay_actions: Vec<String>,
    /// Seed of the proxy's RNG: the same seed and the same sequence of calls give the same
    /// faults.
    pub seed: u64,
    /// The moto account this proxy's traffic goes to (`x-moto-account-id`). None at start:
    /// a fresh account ([`fresh_account_id`]), which is what isolates tests from each other.
    pub account: Option<String>,
    /// EC2's throttling buckets, or none.
    pub buckets: Buckets,
    /// Multiplies every bucket's refill rate (> 0; above 1 refills faster, for quick tests).
    pub bucket_scale: f64,
}

impl Default for ProxyConfig {
    fn default() -> Self {
        ProxyConfig {
            hold_pending: Duration::ZERO,
            hold_shutting_down: Duration::ZERO,
            hold_stopping: Duration::ZERO,
            fault_rate: 0.0,
            fault_kinds: vec![FaultKind::Throttle],
            fault_actions: Vec::new(),
            fault_regions: Vec::new(),
            fault_budget: None,
            latency: Duration::ZERO,
            answer_delay: Duration::ZERO,
            answer_delay_actions: Vec::new(),
            seed: 0,
            account: None,
            buckets: Buckets::Off,
            bucket_scale: 1.0,
        }
    }
}

impl ProxyConfig {
    /// Holds every transition for `d` (pending, shutting-down, stopping).
    pub fn with_holds(mut self, d: Duration) -> Self {
        self.hold_pending = d;
        self.hold_shutting_down = d;
        self.hold_stopping = d;
        self
    }

    /// Faults of `kinds` at `rate`, on every Action.
    pub fn with_faults(mut self, rate: f64, kinds: &[FaultKind]) -> Self {
        self.fault_rate = rate;
        self.fault_kinds = kinds.to_vec();
        self
    }

    /// Limits faults and latency to these Actions.
    pub fn on_actions(mut self, actions: &[&str]) -> Self {
        self.fault_actions = actions.iter().map(|a| a.to_string()).collect();
        self
    }

    /// Limits faults and latency to calls signed for these regions (one region fails while
    /// the others answer).
    pub fn in_regions(mut self, regions: &[&str]) -> Self {
        self.fault_regions = regions.iter().map(|r| r.to_string()).collect();
        self
    }

    /// Forwards `actions` at once but answers them only after `delay`.
    pub fn with_answer_delay(mut self, delay: Duration, actions: &[&str]) -> Self {
        self.answer_delay = delay;
        self.answer_delay_actions = actions.iter().map(|a| a.to_string()).collect();
        self
    }

    /// At most `n` faults.
    pub fn with_budget(mut self, n: u64) -> Self {
        self.fault_budget = Some(n);
        self
    }

    /// Throttles with EC2's published token buckets, refilled at the published rates.
    pub fn with_published_buckets(mut self) -> Self {
        self.buckets = Buckets::Published;
        self
    }

    /// Refills the buckets `scale` times as fast as EC2 does.
    pub fn with_bucket_scale(mut self, scale: f64) -> Self {
        self.bucket_scale = scale;
        self
    }

    /// The control API's JSON form (account left out when None).
    fn to_json(&self) -> Value {
        let mut v = json!({
            "hold_pending": self.hold_pending.as_secs_f64(),
            "hold_shutting_down": self.hold_shutting_down.as_secs_f64(),
            "hold_stopping": self.hold_stopping.as_secs_f64(),
            "fault_rate": self.fault_rate,
            "fault_kinds": self.fault_kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>(),
            "fault_actions": self.fault_actions,
            "fault_regions": self.fault_regions,
            "fault_budget": self.fault_budget,
            "latency_ms": self.latency.as_millis() as u64,
            "answer_delay_ms": self.answer_delay.as_millis() as u64,
            "answer_delay_actions": self.answer_delay_actions,
            "seed": self.seed,
            "buckets": self.buckets.as_str(),
            "bucket_scale": self.bucket_scale,
        });
        if let Some(account) = &self.account {
            v["account"] = json!(account);
        }
        v
    }

    /// The proxy's start-up flags.
    fn to_args(&self, account: &str) -> Vec<String> {
        let mut args = vec![
            format!("--hold-pending={}", self.hold_pending.as_secs_f64()),
            format!("--hold-shutting-down={}", self.hold_shutting_down.as_secs_f64()),
            format!("--hold-stopping={}", self.hold_stopping.as_secs_f64()),
            format!("--fault-rate={}", self.fault_rate),
            format!("--fault-kinds={}", self.fault_kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(",")),
            format!("--fault-actions={}", self.fault_actions.join(",")),
            format!("--fault-regions={}", self.fault_regions.join(",")),
            format!("--latency-ms={}", self.latency.as_millis()),
            format!("--answer-delay-ms={}", self.answer_delay.as_millis()),
            format!("--answer-delay-actions={}", self.answer_delay_actions.join(",")),
            format!("--seed={}", self.seed),
            format!("--account={account}"),
            format!("--buckets={}", self.buckets.as_str()),
            format!("--bucket-scale={}", self.bucket_scale),
        ];
        if let Some(budget) = self.fault_budget {
            args.push(format!("--fault-budget={budget}"));
        }
        args
    }
}

/// What the proxy shows for one instance in DescribeInstanceStatus instead of moto's answer.
/// A check left `None` keeps moto's; `events: None` keeps moto's (none).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InstanceHealth {
    /// EC2's summary status: ok, impaired, initializing, insufficient-data, not-applicable.
    pub system: Option<String>,
    pub instance: Option<String>,
    pub events: Option<Vec<ScheduledEvent>>,
}

/// An event EC2 has scheduled for an instance, as DescribeInstanceStatus lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScheduledEvent {
    /// EC2's code: instance-retirement, instance-reboot, system-reboot, system-maintenance,
    /// instance-stop.
    pub code: String,
    pub description: String,
    /// RFC 3339.
    pub not_before: Option<String>,
    pub not_after: Option<String>,
}

impl InstanceHealth {
    /// The system check failing (a host problem: stop and start moves the instance).
    pub fn system_impaired() -> InstanceHealth {
        InstanceHealth { system: Some("impaired".into()), ..InstanceHealth::default() }
    }

    /// Both checks as given, no events: how a test holds an instance at `initializing`, then
    /// lets it pass.
    pub fn checks(system: &str, instance: &str) -> InstanceHealth {
        InstanceHealth { system: Some(system.into()), instance: Some(instance.into()), events: Some(Vec::new()) }
    }

    /// Adds a scheduled event.
    pub fn with_event(mut self, code: &str, description: &str, not_before: &str, not_after: &str) -> InstanceHealth {
        self.events.get_or_insert_with(Vec::new).push(ScheduledEvent {
            code: code.into(),
            description: description.into(),
            not_before: Some(not_before.into()),
            not_after: Some(not_after.into()),
        });
        self
    }

    fn to_json(&self) -> Value {
        let mut v = json!({});
        if let Some(system) = &self.system {
            v["system"] = json!(system);
        }
        if let Some(instance) = &self.instance {
            v["instance"] = json!(instance);
        }
        if let Some(events) = &self.events {
            v["events"] = events
                .iter()
                .map(|e| {
                    let mut event = json!({"code": e.code, "description": e.description});
                    if let Some(t) = &e.not_before {
                        event["not_before"] = json!(t);
                    }
                    if let Some(t) = &e.not_after {
                        event["not_after"] = json!(t);
                    }
                    event
                })
                .collect();
        }
        v
    }
}

/// A new 12-digit account id, different for every call in this process (and, through the
/// process id, most likely from other processes'). Never moto's default 123456789012.
pub fn fresh_account_id() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("9{:05}{:06}", std::process::id() % 100_000, n % 1_000_000)
}

/// What the proxy has seen since start or the last [`Ec2Proxy::reset_stats`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProxyStats {
    /// Every request, control API excluded.
    pub requests: u64,
    /// Requests by EC2 Action (faulted ones included).
    pub actions: HashMap<String, u64>,
    /// Requests by `"region|Action"` (the region of the request's signature).
    pub region_actions: HashMap<String, u64>,
    /// Faults injected.
    pub faults: u64,
    pub faults_by_kind: HashMap<String, u64>,
    /// Instances whose state is held now (or was, until a Describe noticed it expired).
    pub holds: u64,
    /// Calls refused by the throttling buckets (not forwarded); injected faults not included.
    pub throttled: u64,
    pub throttled_by_action: HashMap<String, u64>,
    /// Refusals by the bucket that was short: "request:NAME" or "resource:NAME".
    pub throttled_by_bucket: HashMap<String, u64>,
    /// RunInstances answered from a remembered ClientToken (nothing launched).
    pub client_token_replays: u64,
    /// RunInstances refused with `IdempotentParameterMismatch`.
    pub client_token_mismatches: u64,
}

impl ProxyStats {
    /// How many calls of `action` the proxy saw.
    pub fn count(&self, action: &str) -> u64 {
        self.actions.get(action).copied().unwrap_or(0)
    }

    /// How many calls of `action` the proxy saw signed for `region`.
    pub fn count_in(&self, region: &str, action: &str) -> u64 {
        self.region_actions.get(&format!("{region}|{action}")).copied().unwrap_or(0)
    }
}

/// `harness/ec2_proxy.py` running in front of a moto, on its own port. Killed when dropped.
pub struct Ec2Proxy {
    process: ServerProcess,
    url: String,
    account: String,
    agent: ureq::Agent,
}

impl Ec2Proxy {
    /// Starts a proxy in front of `moto` with `config`; its traffic goes to `config.account`,
    /// or to a fresh account of its own when that is None.
    pub fn start(moto: &Moto, config: ProxyConfig) -> Ec2Proxy {
        let account = config.account.clone().unwrap_or_else(fresh_account_id);
        let mut cmd = Command::new(venv_python());
        cmd.arg(harness_script("ec2_proxy.py"))
            .arg(format!("--upstream={}", moto.url()))
            .args(["--host", "127.0.0.1", "--port", "0"])
            .args(config.to_args(&account));
        let process = ServerProcess::spawn("ec2_proxy", cmd, START_TIMEOUT, false);
        let url = format!("http://127.0.0.1:{}", process.port());
        Ec2Proxy { process, url, account, agent: http_agent(Duration::from_secs(30)) }
    }

    /// Starts a proxy in front of the shared moto ([`Moto::shared`]).
    pub fn start_shared(config: ProxyConfig) -> Ec2Proxy {
        Ec2Proxy::start(Moto::shared(), config)
    }

    /// The URL a client under test uses as its EC2 endpoint: `http://127.0.0.1:PORT`.
    pub fn endpoint_url(&self) -> &str {
        &self.url
    }

    /// The moto account this proxy's traffic goes to.
    pub fn account_id(&self) -> &str {
        &self.account
    }

    /// The proxy's log (one line per request), for diagnosing a failing test.
    pub fn log_path(&self) -> std::path::PathBuf {
        self.process.log_path()
    }

    /// Request counts by EC2 Action.
    pub fn stats(&self) -> HashMap<String, u64> {
        self.full_stats().actions
    }

    /// Every counter the proxy keeps.
    pub fn full_stats(&self) -> ProxyStats {
        let v = self.control("GET", "/_proxy/stats", None);
        let map = |v: &Value| -> HashMap<String, u64> {
            v.as_object().map(|o| o.iter().map(|(k, n)| (k.clone(), n.as_u64().unwrap_or(0))).collect()).unwrap_or_default()
        };
        ProxyStats {
            requests: v["requests"].as_u64().unwrap_or(0),
            actions: map(&v["actions"]),
            region_actions: map(&v["region_actions"]),
            faults: v["faults"].as_u64().unwrap_or(0),
            faults_by_kind: map(&v["faults_by_kind"]),
            holds: v["holds"].as_u64().unwrap_or(0),
            throttled: v["throttled"].as_u64().unwrap_or(0),
            throttled_by_action: map(&v["throttled_by_action"]),
            throttled_by_bucket: map(&v["throttled_by_bucket"]),
            client_token_replays: v["client_token_replays"].as_u64().unwrap_or(0),
            client_token_mismatches: v["client_token_mismatches"].as_u64().unwrap_or(0),
        }
    }

    /// Faults injected so far.
    pub fn faults_injected(&self) -> u64 {
        self.full_stats().faults
    }

    /// Zeroes the counters (holds stay).
    pub fn reset_stats(&self) {
        self.control("POST", "/_proxy/reset-stats", Some(json!({})));
    }

    /// Replaces the whole config (a new seed re-seeds the RNG; the budget starts anew). The
    /// account stays this proxy's unless `config.account` names another.
    pub fn configure(&self, config: &ProxyConfig) {
        self.configure_json(config.to_json());
    }

    /// Changes only the given keys of the proxy's config, in its JSON form, e.g.
    /// `json!({"fault_rate": 0.0})`. Keys: hold_pending, hold_shutting_down, hold_stopping
    /// (seconds), fault_rate, fault_kinds, fault_actions, fault_budget, latency_ms,
    /// answer_delay_ms, answer_delay_actions, seed, account, buckets ("off" or "published"),
    /// bucket_scale, run_capacity, console_output (instance id -> text; replaces every text),
    /// fault_regions, instance_health (instance id -> health; replaces every held one).
    pub fn configure_json(&self, changes: Value) -> Value {
        self.control("POST", "/_proxy/config", Some(changes))
    }

    /// Makes the proxy answer `GetConsoleOutput` for `instance_id` itself, with `text` (sent
    /// base64-encoded, as EC2 does) instead of moto's fixed sample: for example
    /// [`crate::Sshd::console_output_text`], cloud-init's host key fingerprints. Other instances
    /// still get moto's answer. Faults, latency and throttling apply to the call as to any
    /// other. [`Ec2Proxy::configure`] leaves the texts alone.
    pub fn set_console_output(&self, instance_id: &str, text: &str) {
        self.control("POST", "/_proxy/console-output", Some(json!({"instance_id": instance_id, "output": text})));
    }

    /// Holds `instance_id`'s status checks and scheduled events in DescribeInstanceStatus
    /// (moto reports every running instance `ok` with no events);
    /// [`Ec2Proxy::release_instance_health`] lets moto answer again. Other instances keep moto's
    /// answer. [`Ec2Proxy::configure`] leaves the held ones alone.
    pub fn set_instance_health(&self, instance_id: &str, health: &InstanceHealth) {
        self.control("POST", "/_proxy/instance-health", Some(json!({"instance_id": instance_id, "health": health.to_json()})));
    }

    /// moto's own checks and events for `instance_id` again.
    pub fn release_instance_health(&self, instance_id: &str) {
        self.control("POST", "/_proxy/instance-health", Some(json!({"instance_id": instance_id, "health": null})));
    }

    /// Stops injecting faults and latency (holds stay as they are).
    pub fn clear_faults(&self) {
        self.configure_json(json!({"fault_rate": 0.0, "latency_ms": 0}));
    }

    fn control(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.url);
        let result = match body {
            None => self.agent.get(&url).call(),
            Some(body) => self.agent.post(&url).header("Content-Type", "application/json").send(body.to_string()),
        };
        let mut resp = result.unwrap_or_else(|e| panic!("proxy control {method} {path}: {e}; proxy log:\n{}", self.process.log_tail()));
        let status = resp.status().as_u16();
        let text = resp.body_mut().read_to_string().unwrap_or_default();
        if status != 200 {
            panic!("proxy control {method} {path} answered {status}: {text}");
        }
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("proxy control {path}: {e}: {text}"))
    }
}
