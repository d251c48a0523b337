//! The local Price List Query API (`harness/pricing_server.py`): moto has none.

use std::collections::HashMap;
use std::process::Command;
use std::time::Duration;

use serde_json::{json, Value};

use crate::moto::{harness_script, venv_python};
use crate::process::{http_agent, ServerProcess};

const START_TIMEOUT: Duration = Duration::from_secs(20);

/// What the server has answered since start or the last [`PricingServer::reset_stats`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PricingStats {
    /// Every request, control API excluded.
    pub requests: u64,
    /// GetProducts calls (every page counts).
    pub get_products: u64,
    /// GetProducts calls by `"<regionCode>|<instanceType>"` of their filters.
    pub queries: HashMap<String, u64>,
}

impl PricingStats {
    /// GetProducts calls that asked for `instance_type` in `region`.
    pub fn calls_for(&self, region: &str, instance_type: &str) -> u64 {
        self.queries.get(&format!("{region}|{instance_type}")).copied().unwrap_or(0)
    }
}

/// `harness/pricing_server.py` on its own port, serving the price documents of
/// `harness/prices/ec2-sample.json` (on-demand Linux t3.micro, t3.small, m5.large and
/// m5.4xlarge in us-east-1 and eu-west-1, with Windows and capacity-reservation rows beside
/// them). Killed when dropped. Point a client at it with `AWS_ENDPOINT_URL_PRICING`.
pub struct PricingServer {
    process: ServerProcess,
    url: String,
    agent: ureq::Agent,
}

impl PricingServer {
    pub fn start() -> PricingServer {
        let mut cmd = Command::new(venv_python());
        cmd.arg(harness_script("pricing_server.py")).args(["--host", "127.0.0.1", "--port", "0"]);
        let process = ServerProcess::spawn("pricing_server", cmd, START_TIMEOUT, false);
        let url = format!("http://127.0.0.1:{}", process.port());
        PricingServer { process, url, agent: http_agent(Duration::from_secs(30)) }
    }

    /// `http://127.0.0.1:PORT`, for `AWS_ENDPOINT_URL_PRICING`.
    pub fn endpoint_url(&self) -> &str {
        &self.url
    }

    /// The server's log, for diagnosing a failing test.
    pub fn log_path(&self) -> std::path::PathBuf {
        self.process.log_path()
    }

    pub fn stats(&self) -> PricingStats {
        let v = self.control("GET", "/_pricing/stats", None);
        PricingStats {
            requests: v["requests"].as_u64().unwrap_or(0),
            get_products: v["get_products"].as_u64().unwrap_or(0),
            queries: v["queries"].as_object().map(|o| o.iter().map(|(k, n)| (k.clone(), n.as_u64().unwrap_or(0))).collect()).unwrap_or_default(),
        }
    }

    pub fn reset_stats(&self) {
        self.control("POST", "/_pricing/reset-stats", Some(json!({})));
    }

    /// Answers every GetProducts with 503 `ServiceUnavailableException` (true) or serves again.
    pub fn set_failing(&self, fail: bool) {
        self.control("POST", "/_pricing/config", Some(json!({"fail": fail})));
    }

    fn control(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.url);
        let result = match body {
            None => self.agent.get(&url).call(),
            Some(body) => self.agent.post(&url).header("Content-Type", "application/json").send(body.to_string()),
        };
        let mut resp = result.unwrap_or_else(|e| panic!("pricing control {method} {path}: {e}; log:\n{}", self.process.log_tail()));
        let status = resp.status().as_u16();
        let text = resp.body_mut().read_to_string().unwrap_or_default();
        if status != 200 {
            panic!("pricing control {method} {path} answered {status}: {text}");
        }
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("pricing control {path}: {e}: {text}"))
    }
}
