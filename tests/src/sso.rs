//! The SSO test server (`harness/sso_server.py`): IAM Identity Center's SSO OIDC and SSO
//! portal APIs on one port, since moto has neither. Plus the `~/.aws/config` text of SSO
//! profiles, in both the `[sso-session]` style and the legacy one.
//!
//! A client under test reaches the server through `AWS_ENDPOINT_URL_SSO` and
//! `AWS_ENDPOINT_URL_SSO_OIDC` ([`SsoServer::endpoint_vars`]). Those are the variables
//! aws-config's SSO credentials provider reads for its two clients; a global
//! `AWS_ENDPOINT_URL` (which [`crate::env_for`] sets to the EC2 endpoint) would otherwise send
//! the SSO calls there too, and it also shadows any endpoint set in the profile file.
//!
//! The control API stands in for the person at the browser ([`SsoServer::approve`],
//! [`SsoServer::deny`]) and for time ([`SsoServer::expire_tokens`],
//! [`SsoServer::expire_device_codes`]); [`SsoServer::issue_token`] skips the device flow
//! altogether and writes the token cache file aws-config reads.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::{json, Value};

use crate::env::TEST_REGION;
use crate::moto::{harness_script, venv_python};
use crate::process::{http_agent, wait_until, ServerProcess};

const START_TIMEOUT: Duration = Duration::from_secs(20);

/// The start URL test profiles use. Nothing ever fetches it: SDKs only send it to
/// StartDeviceAuthorization and use it as the legacy token cache key.
pub const TEST_START_URL: &str = "https://d-9067c0ffee.awsapps.com/start";

/// The account the server's default assignment lists (ListAccounts).
pub const TEST_SSO_ACCOUNT: &str = "111111111111";

/// The role of the default assignment (ListAccountRoles).
pub const TEST_SSO_ROLE: &str = "PoniTestRole";

/// The scope SDKs register for (`sso_registration_scopes`).
pub const SSO_ACCOUNT_ACCESS_SCOPE: &str = "sso:account:access";

/// A device authorization waiting for the person at the browser.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingAuthorization {
    /// `ABCD-EFGH`, what [`SsoServer::approve`] takes.
    pub user_code: String,
    pub start_url: String,
    pub client_id: String,
    /// Seconds until the device code expires.
    pub expires_in: u64,
}

/// What the server has counted since start or the last [`SsoServer::reset_stats`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SsoStats {
    /// Every API request (the control API excluded).
    pub requests: u64,
    /// Calls by operation: RegisterClient, StartDeviceAuthorization, CreateToken (also as
    /// `CreateToken:device_code` and `CreateToken:refresh_token`), GetRoleCredentials,
    /// ListAccounts, ListAccountRoles, Logout, DeviceVisit (the browser page).
    pub calls: HashMap<String, u64>,
    /// Error answers by `Operation:ErrorType`, e.g. `CreateToken:AuthorizationPendingException`.
    pub errors: HashMap<String, u64>,
}

impl SsoStats {
    pub fn calls(&self, operation: &str) -> u64 {
        self.calls.get(operation).copied().unwrap_or(0)
    }

    pub fn errors(&self, operation: &str, error_type: &str) -> u64 {
        self.errors.get(&format!("{operation}:{error_type}")).copied().unwrap_or(0)
    }
}

/// A token the server issued without the device flow ([`SsoServer::issue_token`]).
#[derive(Clone, Debug)]
pub struct IssuedToken {
    /// The token cache file's JSON, as aws-config and botocore read it: accessToken,
    /// expiresAt (RFC 3339, `Z`), refreshToken, region, startUrl, and for an sso-session
    /// token also clientId, clientSecret, registrationExpiresAt (all four are needed for a
    /// refresh).
    pub cache: Value,
    /// `<sha1 hex of the session name, else of the start URL>.json`.
    pub cache_file_name: String,
}

impl IssuedToken {
    pub fn access_token(&self) -> &str {
        self.cache["accessToken"].as_str().unwrap_or_default()
    }

    /// `HOME/.aws/sso/cache/<cache_file_name>`: where aws-config looks (HOME from `$HOME`,
    /// whatever AWS_CONFIG_FILE says).
    pub fn cache_path(&self, home: &Path) -> PathBuf {
        token_cache_dir(home).join(&self.cache_file_name)
    }

    /// Writes the cache file under `home` (creating `.aws/sso/cache`); returns its path.
    pub fn write_to(&self, home: &Path) -> PathBuf {
        let path = self.cache_path(home);
        fs::create_dir_all(token_cache_dir(home)).expect("create ~/.aws/sso/cache");
        fs::write(&path, self.cache.to_string()).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        path
    }
}

/// `HOME/.aws/sso/cache`.
pub fn token_cache_dir(home: &Path) -> PathBuf {
    home.join(".aws/sso/cache")
}

/// `harness/sso_server.py` on 127.0.0.1, on a port the kernel picked. Killed when dropped.
///
/// Each test starts its own (it is cheap: no moto inside), so approvals, expiries and counters
/// never leak between tests.
pub struct SsoServer {
    process: ServerProcess,
    url: String,
    agent: ureq::Agent,
}

impl SsoServer {
    /// Starts a server with the default config: role credentials `testing`/`testing` (what
    /// moto accepts), a fresh session token per call, 8 h access tokens with refresh tokens,
    /// 10 min device codes polled every second, one assignment
    /// ([`TEST_SSO_ACCOUNT`]/[`TEST_SSO_ROLE`], not enforced).
    pub fn start() -> SsoServer {
        SsoServer::start_with(json!({}))
    }

    /// Starts a server whose config begins with `config` (keys as in
    /// [`SsoServer::configure_json`]).
    pub fn start_with(config: Value) -> SsoServer {
        let mut cmd = Command::new(venv_python());
        cmd.arg(harness_script("sso_server.py")).args(["--host", "127.0.0.1", "--port", "0"]).arg(format!("--config={config}"));
        // One line per request would bury the test output; PONI_SSO_VERBOSE=1 shows them.
        if std::env::var_os("PONI_SSO_VERBOSE").is_none() {
            cmd.arg("--quiet");
        }
        let process = ServerProcess::spawn("sso_server", cmd, START_TIMEOUT, false);
        let url = format!("http://127.0.0.1:{}", process.port());
        SsoServer { process, url, agent: http_agent(Duration::from_secs(30)) }
    }

    /// `http://127.0.0.1:PORT`: the endpoint of both SSO OIDC and the SSO portal.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn port(&self) -> u16 {
        self.process.port()
    }

    /// The server's log (one line per request), for diagnosing a failing test.
    pub fn log_path(&self) -> PathBuf {
        self.process.log_path()
    }

    /// `AWS_ENDPOINT_URL_SSO` and `AWS_ENDPOINT_URL_SSO_OIDC` set to this server: add them to
    /// a child's environment after [`crate::AwsEnv::apply`].
    pub fn endpoint_vars(&self) -> Vec<(String, String)> {
        vec![("AWS_ENDPOINT_URL_SSO".to_string(), self.url.clone()), ("AWS_ENDPOINT_URL_SSO_OIDC".to_string(), self.url.clone())]
    }

    /// Sets [`SsoServer::endpoint_vars`] on `cmd`.
    pub fn apply_env<'a>(&self, cmd: &'a mut Command) -> &'a mut Command {
        cmd.envs(self.endpoint_vars())
    }

    // -- the person at the browser ------------------------------------------------------

    /// Approves a pending user code, as the person would in the browser. Panics when the code
    /// is unknown, already decided or expired.
    pub fn approve(&self, user_code: &str) {
        self.control("POST", "/_test/approve", Some(json!({ "user_code": user_code })));
    }

    /// Approves every pending user code; returns them.
    pub fn approve_all(&self) -> Vec<String> {
        strings(&self.control("POST", "/_test/approve", Some(json!({})))["approved"])
    }

    /// Denies a pending user code (CreateToken then answers AccessDeniedException).
    pub fn deny(&self, user_code: &str) {
        self.control("POST", "/_test/deny", Some(json!({ "user_code": user_code })));
    }

    /// Denies every pending user code; returns them.
    pub fn deny_all(&self) -> Vec<String> {
        strings(&self.control("POST", "/_test/deny", Some(json!({})))["denied"])
    }

    /// Device authorizations still waiting for a decision (not expired).
    pub fn pending(&self) -> Vec<PendingAuthorization> {
        let v = self.control("GET", "/_test/pending", None);
        v["pending"]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .map(|p| PendingAuthorization {
                        user_code: p["userCode"].as_str().unwrap_or_default().to_string(),
                        start_url: p["startUrl"].as_str().unwrap_or_default().to_string(),
                        client_id: p["clientId"].as_str().unwrap_or_default().to_string(),
                        expires_in: p["expiresIn"].as_u64().unwrap_or(0),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Waits until a device authorization is pending (the client under test started its
    /// login) and returns the first one. Panics after `timeout`.
    pub fn wait_for_pending(&self, timeout: Duration) -> PendingAuthorization {
        let mut found = None;
        let ready = wait_until(timeout, || {
            found = self.pending().into_iter().next();
            found.is_some()
        });
        match found {
            Some(p) if ready => p,
            _ => panic!("no device authorization became pending within {timeout:?}; server log:\n{}", self.process.log_tail()),
        }
    }

    // -- time and faults ----------------------------------------------------------------

    /// Every access token issued so far expires now: GetRoleCredentials and the other portal
    /// calls answer 401 UnauthorizedException (the "session expired" path). Refresh tokens
    /// stay valid. Tokens issued later are not affected.
    pub fn expire_tokens(&self) {
        self.control("POST", "/_test/expire-tokens", Some(json!({})));
    }

    /// Like [`SsoServer::expire_tokens`], and every refresh token is revoked too (CreateToken
    /// with them answers InvalidGrantException): only a new login helps.
    pub fn expire_session(&self) {
        self.control("POST", "/_test/expire-tokens", Some(json!({ "refresh_tokens": true })));
    }

    /// Every device code not yet exchanged expires now (CreateToken answers
    /// ExpiredTokenException).
    pub fn expire_device_codes(&self) {
        self.control("POST", "/_test/expire-device-codes", Some(json!({})));
    }

    /// The `expiresIn` of access tokens issued from now on.
    pub fn set_access_token_lifetime(&self, lifetime: Duration) {
        self.configure_json(json!({ "access_token_lifetime": lifetime.as_secs_f64() }));
    }

    /// The `expiresIn` of device codes issued from now on.
    pub fn set_device_code_lifetime(&self, lifetime: Duration) {
        self.configure_json(json!({ "device_code_lifetime": lifetime.as_secs_f64() }));
    }

    /// The role credentials GetRoleCredentials hands out from now on. `session_token` None:
    /// a fresh `sso-session-token-N` per call.
    pub fn set_role_credentials(&self, access_key_id: &str, secret_access_key: &str, session_token: Option<&str>) {
        self.configure_json(json!({
            "access_key_id": access_key_id,
            "secret_access_key": secret_access_key,
            "session_token": session_token.unwrap_or(""),
        }));
    }

    /// How long role credentials last (their `expiration`).
    pub fn set_role_credentials_lifetime(&self, lifetime: Duration) {
        self.configure_json(json!({ "role_credentials_lifetime": lifetime.as_secs_f64() }));
    }

    /// The next `n` device-code polls answer SlowDownException.
    pub fn slow_down(&self, n: u32) {
        self.control("POST", "/_test/slow-down", Some(json!({ "count": n })));
    }

    /// The next `count` calls of `operation` (e.g. "GetRoleCredentials") answer `error_type`
    /// (e.g. "TooManyRequestsException") with `status` (None: the status the service model
    /// gives that error).
    pub fn inject_fault(&self, operation: &str, error_type: &str, status: Option<u16>, count: u32) {
        let mut body = json!({
            "operation": operation,
            "error_type": error_type,
            "count": count,
        });
        if let Some(status) = status {
            body["status"] = json!(status);
        }
        self.control("POST", "/_test/fault", Some(body));
    }

    /// Changes the given config keys and answers the whole config. Keys: access_key_id,
    /// secret_access_key, session_token, role_credentials ({"ACCOUNT/ROLE": {accessKeyId,
    /// secretAccessKey, sessionToken?}}), role_credentials_lifetime, access_token_lifetime,
    /// issue_refresh_tokens, device_code_lifetime, interval, enforce_interval,
    /// client_secret_lifetime (all durations in seconds), visit_approves (GET of the
    /// verification URL approves), enforce_assignments (403 ForbiddenException for pairs not
    /// in `accounts`), accounts ([{accountId, accountName, emailAddress, roles: [...]}]),
    /// realistic_errortype, region.
    pub fn configure_json(&self, changes: Value) -> Value {
        self.control("POST", "/_test/config", Some(changes))
    }

    // -- tokens without the device flow -------------------------------------------------

    /// Registers a client and issues an access token (and refresh token) for `start_url`,
    /// lasting `lifetime` (None: the configured access token lifetime), without any device
    /// flow. `session_name` Some: an sso-session token (refreshable, cached under the session
    /// name); None: a legacy token (cached under the start URL, never refreshed).
    pub fn issue_token(&self, start_url: &str, session_name: Option<&str>, lifetime: Option<Duration>) -> IssuedToken {
        let mut body = json!({ "start_url": start_url });
        if let Some(name) = session_name {
            body["session_name"] = json!(name);
        }
        if let Some(lifetime) = lifetime {
            body["lifetime"] = json!(lifetime.as_secs_f64());
        }
        let v = self.control("POST", "/_test/issue-token", Some(body));
        IssuedToken { cache: v["cache"].clone(), cache_file_name: v["cache_file_name"].as_str().expect("issue-token answers cache_file_name").to_string() }
    }

    /// Issues a token for `profile` ([`SsoServer::issue_token`]) and writes it where
    /// aws-config looks for it under `home`: a logged-in SSO session.
    pub fn log_in(&self, profile: &SsoProfile, home: &Path) -> IssuedToken {
        let token = self.issue_token(&profile.start_url, profile.session_name.as_deref(), None);
        token.write_to(home);
        token
    }

    /// The token cache file name for `identifier` (an sso-session name, or for legacy
    /// profiles the start URL): `sha1hex(identifier).json`.
    pub fn cache_file_name(&self, identifier: &str) -> String {
        let url = format!("{}/_test/cache-file-name", self.url);
        let result = self.agent.get(&url).query("id", identifier).call();
        let v = self.answer("GET", "/_test/cache-file-name", result);
        v["cache_file_name"].as_str().expect("cache-file-name answers cache_file_name").to_string()
    }

    // -- counters -----------------------------------------------------------------------

    /// Calls of `operation` so far (see [`SsoStats::calls`] for the names).
    pub fn calls(&self, operation: &str) -> u64 {
        self.stats().calls(operation)
    }

    pub fn stats(&self) -> SsoStats {
        let v = self.control("GET", "/_test/stats", None);
        SsoStats { requests: v["requests"].as_u64().unwrap_or(0), calls: counts(&v["calls"]), errors: counts(&v["errors"]) }
    }

    /// The last 500 API requests: [{operation, status, error?, grant?, time}].
    pub fn requests(&self) -> Vec<Value> {
        self.control("GET", "/_test/requests", None)["requests"].as_array().cloned().unwrap_or_default()
    }

    /// Zeroes the counters and the request log.
    pub fn reset_stats(&self) {
        self.control("POST", "/_test/reset-stats", Some(json!({})));
    }

    fn control(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.url);
        let result = match body {
            None => self.agent.get(&url).call(),
            Some(body) => self.agent.post(&url).header("Content-Type", "application/json").send(body.to_string()),
        };
        self.answer(method, path, result)
    }

    fn answer(&self, method: &str, path: &str, result: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Value {
        let mut resp = result.unwrap_or_else(|e| panic!("sso server control {method} {path}: {e}; server log:\n{}", self.process.log_tail()));
        let status = resp.status().as_u16();
        let text = resp.body_mut().read_to_string().unwrap_or_default();
        if status != 200 {
            panic!("sso server control {method} {path} answered {status}: {text}");
        }
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("sso server control {path}: {e}: {text}"))
    }
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect()).unwrap_or_default()
}

fn counts(v: &Value) -> HashMap<String, u64> {
    v.as_object().map(|o| o.iter().map(|(k, n)| (k.clone(), n.as_u64().unwrap_or(0))).collect()).unwrap_or_default()
}

// --------------------------------------------------------------------------------------------
// ~/.aws/config for SSO profiles
// --------------------------------------------------------------------------------------------

/// One SSO profile of an `~/.aws/config`.
///
/// With `session_name` (the default), the profile names an `[sso-session NAME]` section that
/// holds sso_start_url, sso_region and sso_registration_scopes; aws-config then caches the
/// token under sha1(NAME) and can refresh it. With [`SsoProfile::legacy`], sso_start_url and
/// sso_region sit in the profile itself (no scopes); the token is cached under
/// sha1(start URL) and never refreshed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SsoProfile {
    pub profile: String,
    /// The sso-session name; None: the legacy style.
    pub session_name: Option<String>,
    pub start_url: String,
    pub sso_region: String,
    pub account_id: String,
    pub role_name: String,
    /// The profile's `region` (where EC2 calls go); None: no region line.
    pub region: Option<String>,
    pub scopes: Vec<String>,
    /// If set, a `services` section pointing the `sso` and `sso-oidc` clients at this URL.
    /// aws-config reads it for both clients (by its source; not run yet); botocore only for
    /// GetRoleCredentials, not for its token refresh. AWS_ENDPOINT_URL and
    /// AWS_ENDPOINT_URL_SSO* in the environment take precedence over it.
    pub services_endpoint: Option<String>,
}

impl SsoProfile {
    /// Profile `profile` in the sso-session style (session `poni-test`, [`TEST_START_URL`],
    /// [`TEST_REGION`] for both sso_region and region, scope `sso:account:access`), for the
    /// role `role_name` in `account_id`.
    pub fn new(profile: &str, account_id: &str, role_name: &str) -> SsoProfile {
        SsoProfile {
            profile: profile.to_string(),
            session_name: Some("poni-test".to_string()),
            start_url: TEST_START_URL.to_string(),
            sso_region: TEST_REGION.to_string(),
            account_id: account_id.to_string(),
            role_name: role_name.to_string(),
            region: Some(TEST_REGION.to_string()),
            scopes: vec![SSO_ACCOUNT_ACCESS_SCOPE.to_string()],
            services_endpoint: None,
        }
    }

    /// The legacy style: sso_start_url and sso_region in the profile, no sso-session.
    pub fn legacy(mut self) -> SsoProfile {
        self.session_name = None;
        self
    }

    /// The sso-session style, with session `name`.
    pub fn session(mut self, name: &str) -> SsoProfile {
        self.session_name = Some(name.to_string());
        self
    }

    pub fn start_url(mut self, url: &str) -> SsoProfile {
        self.start_url = url.to_string();
        self
    }

    pub fn sso_region(mut self, region: &str) -> SsoProfile {
        self.sso_region = region.to_string();
        self
    }

    pub fn region(mut self, region: Option<&str>) -> SsoProfile {
        self.region = region.map(str::to_string);
        self
    }

    pub fn scopes(mut self, scopes: &[&str]) -> SsoProfile {
        self.scopes = scopes.iter().map(|s| s.to_string()).collect();
        self
    }

    /// Adds a `services` section sending the profile's SSO and SSO OIDC calls to `url`.
    pub fn services_endpoint(mut self, url: &str) -> SsoProfile {
        self.services_endpoint = Some(url.to_string());
        self
    }

    /// What aws-config names the token cache file after: the session name, else the start URL.
    pub fn token_cache_identifier(&self) -> &str {
        self.session_name.as_deref().unwrap_or(&self.start_url)
    }

    /// The `[profile ...]` section (and its `[services ...]` section, if any).
    fn profile_section(&self) -> String {
        let mut s = if self.profile == "default" { "[default]\n".to_string() } else { format!("[profile {}]\n", self.profile) };
        match &self.session_name {
            Some(name) => s.push_str(&format!("sso_session = {name}\n")),
            None => {
                s.push_str(&format!("sso_start_url = {}\n", self.start_url));
                s.push_str(&format!("sso_region = {}\n", self.sso_region));
            }
        }
        s.push_str(&format!("sso_account_id = {}\n", self.account_id));
        s.push_str(&format!("sso_role_name = {}\n", self.role_name));
        if let Some(region) = &self.region {
            s.push_str(&format!("region = {region}\n"));
        }
        if let Some(url) = &self.services_endpoint {
            let services = format!("{}-sso-endpoints", self.profile);
            s.push_str(&format!("services = {services}\n"));
            s.push_str(&format!("\n[services {services}]\nsso =\n  endpoint_url = {url}\nsso-oidc =\n  endpoint_url = {url}\n"));
        }
        s
    }

    /// The `[sso-session ...]` section, or None for a legacy profile.
    fn session_section(&self) -> Option<String> {
        let name = self.session_name.as_ref()?;
        let mut s = format!("[sso-session {name}]\n");
        s.push_str(&format!("sso_start_url = {}\n", self.start_url));
        s.push_str(&format!("sso_region = {}\n", self.sso_region));
        if !self.scopes.is_empty() {
            s.push_str(&format!("sso_registration_scopes = {}\n", self.scopes.join(",")));
        }
        Some(s)
    }

    /// This profile's config text (with its sso-session section, if any).
    pub fn config_text(&self) -> String {
        sso_config_text(std::slice::from_ref(self))
    }
}

/// The config text of several SSO profiles; an sso-session several of them name is written
/// once (the first profile naming it decides its start URL, region and scopes).
pub fn sso_config_text(profiles: &[SsoProfile]) -> String {
    let mut sections: Vec<String> = profiles.iter().map(SsoProfile::profile_section).collect();
    let mut seen: Vec<&str> = Vec::new();
    for p in profiles {
        if let (Some(name), Some(section)) = (p.session_name.as_deref(), p.session_section()) {
            if !seen.contains(&name) {
                seen.push(name);
                sections.push(section);
            }
        }
    }
    sections.join("\n")
}

/// Writes `text` as `HOME/.aws/config` (the AWS_CONFIG_FILE [`crate::env_for`] sets), creating
/// the directory; returns the path.
pub fn write_aws_config(home: &Path, text: &str) -> PathBuf {
    let dir = home.join(".aws");
    fs::create_dir_all(&dir).expect("create ~/.aws");
    let path = dir.join("config");
    fs::write(&path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sso_session_profile_text() {
        let text = SsoProfile::new("work", "123456789012", "Admin").config_text();
        assert_eq!(
            text,
            "[profile work]\n\
             sso_session = poni-test\n\
             sso_account_id = 123456789012\n\
             sso_role_name = Admin\n\
             region = us-east-1\n\
             \n\
             [sso-session poni-test]\n\
             sso_start_url = https://d-9067c0ffee.awsapps.com/start\n\
             sso_region = us-east-1\n\
             sso_registration_scopes = sso:account:access\n"
        );
    }

    #[test]
    fn legacy_profile_text() {
        let p = SsoProfile::new("old", "123456789012", "Admin").legacy();
        assert_eq!(p.token_cache_identifier(), TEST_START_URL);
        assert_eq!(
            p.config_text(),
            "[profile old]\n\
             sso_start_url = https://d-9067c0ffee.awsapps.com/start\n\
             sso_region = us-east-1\n\
             sso_account_id = 123456789012\n\
             sso_role_name = Admin\n\
             region = us-east-1\n"
        );
    }

    #[test]
    fn shared_session_is_written_once() {
        let a = SsoProfile::new("a", "111111111111", "R");
        let b = SsoProfile::new("b", "222222222222", "R");
        let text = sso_config_text(&[a, b]);
        assert_eq!(text.matches("[sso-session poni-test]").count(), 1, "{text}");
        assert!(text.contains("[profile a]\n") && text.contains("[profile b]\n"), "{text}");
    }

    #[test]
    fn services_endpoint_section() {
        let text = SsoProfile::new("p", "1", "R").services_endpoint("http://127.0.0.1:9").config_text();
        assert!(text.contains("services = p-sso-endpoints\n"), "{text}");
        assert!(
            text.contains(
                "[services p-sso-endpoints]\nsso =\n  endpoint_url = http://127.0.0.1:9\n\
                 sso-oidc =\n  endpoint_url = http://127.0.0.1:9\n"
            ),
            "{text}"
        );
    }
}
