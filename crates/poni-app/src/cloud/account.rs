//! The account as the app shows it: lists to pick from (regions, images, instance types, key
//! pairs, security groups, subnets), cached per account and region and refreshable; making a
//! key pair or SSH access; whose account a launch goes to, with the button that fixes a
//! credentials problem; and the warnings a launch preview adds from what the account says.

use poni_repo::ErrorCode;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use poni_cloud::account::{
    self, Account, AccountIdentity, ImageInfo, InstanceTypeInfo, KeyPairInfo, PublicKeyFile, RegionInfo, SecurityGroupInfo, SshAccess, SshAccessTarget,
    SubnetInfo,
};
use poni_cloud::aws::ProviderOptions;
use poni_cloud::spec::LaunchSpec;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use super::credentials::{coded, CloudCredentials, CredentialSourceView};
use super::scope::Scope;
use super::wording::{fix_for, for_app, FixAction};
use crate::error::{AppError, AppResult};

/// Lists older than this are fetched again when asked for.
const FRESH_FOR: Duration = Duration::from_secs(300);
/// Asked when no region is known yet (STS and DescribeRegions answer in any region).
const FALLBACK_REGION: &str = "us-east-1";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct RegionList {
    pub regions: Vec<RegionInfo>,
    /// For new nodes: the credential profile's region, else the last one used.
    pub suggested: Option<String>,
}

/// "Allow SSH" as the dialog sends it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct SshAccessRequest {
    pub region: String,
    /// Add the rule to this group; null: make a new group named `name`.
    pub group_id: Option<String>,
    pub name: Option<String>,
    pub cidr: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct AccountStatus {
    pub identity: Option<AccountIdentity>,
    /// The endpoint in use (sandbox, setting, variables); null: AWS itself.
    pub endpoint: Option<String>,
    pub sandbox: bool,
    pub source: Option<CredentialSourceView>,
    pub error: Option<AppError>,
    /// The button that fixes `error`.
    pub fix: Option<FixAction>,
    /// One line: whose account, or which local endpoint.
    pub label: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum WarningKind {
    /// No chosen security group opens port 22: the instance cannot be reached with ssh.
    SshClosed,
    /// The key pair is not in the region's list (a typo, another account or region).
    NotInAccount,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct LaunchWarning {
    pub kind: WarningKind,
    pub nodes: Vec<String>,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct LaunchChecks {
    pub account: AccountStatus,
    pub warnings: Vec<LaunchWarning>,
}

/// What "Allow SSH from this computer" did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct SshFromHere {
    /// The range opened: this computer's address (`203.0.113.7/32`).
    pub cidr: String,
    /// Each group opened, once per region and group.
    pub opened: Vec<OpenedGroup>,
    /// Nodes whose group is not in the region's list (another VPC or account): nothing opened.
    pub not_found: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct OpenedGroup {
    pub region: String,
    pub group: SecurityGroupInfo,
    pub warning: Option<String>,
}

/// Whether an endpoint URL is on this computer (the practice sandbox, moto, LocalStack here).
fn is_local_endpoint(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.rsplit_once(':').map_or(authority, |(host, _)| host),
    };
    host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

type Cached = (Instant, String, Value);

/// The account lookups of the app. Cheap to clone (shared cache).
#[derive(Clone)]
pub struct AccountService {
    credentials: CloudCredentials,
    options: ProviderOptions,
    ssh_dir: Option<PathBuf>,
    cache: Arc<Mutex<HashMap<String, Cached>>>,
}

impl std::fmt::Debug for AccountService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountService").field("ssh_dir", &self.ssh_dir).finish_non_exhaustive()
    }
}

impl AccountService {
    pub fn new(credentials: CloudCredentials, options: ProviderOptions) -> AccountService {
        AccountService { credentials, options, ssh_dir: account::ssh_dir(), cache: Arc::default() }
    }

    /// Keeps key files here instead of ~/.ssh (tests).
    pub fn with_ssh_dir(mut self, dir: PathBuf) -> AccountService {
        self.ssh_dir = Some(dir);
        self
    }

    fn ssh_dir(&self) -> AppResult<PathBuf> {
        self.ssh_dir.clone().ok_or_else(|| AppError::new(ErrorCode::LocalNoHome, "Cannot find your home folder, where ~/.ssh is."))
    }

    async fn account(&self) -> AppResult<Account> {
        let provider = self.credentials.provider(&self.options).await.map_err(for_app)?;
        Ok(Account::new(provider))
    }

    /// A list from the cache while it is fresh and the account is the same, else fetched.
    async fn cached<T, F, Fut>(&self, what: &str, region: &str, refresh: bool, fetch: F) -> AppResult<T>
    where
        T: Serialize + serde::de::DeserializeOwned,
        F: FnOnce(Account) -> Fut,
        Fut: std::future::Future<Output = AppResult<T>>,
    {
        let key = format!("{what}|{region}");
        let account_key = self.credentials.account_key();
        if !refresh {
            let cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((at, for_account, value)) = cache.get(&key) {
                if *for_account == account_key && at.elapsed() < FRESH_FOR {
                    if let Ok(v) = serde_json::from_value(value.clone()) {
                        return Ok(v);
                    }
                }
            }
        }
        let fetched = fetch(self.account().await?).await.map_err(for_app)?;
        if let Ok(value) = serde_json::to_value(&fetched) {
            self.cache.lock().unwrap_or_else(|e| e.into_inner()).insert(key, (Instant::now(), account_key, value));
        }
        Ok(fetched)
    }

    fn forget(&self, what: &str, region: &str) {
        self.cache.lock().unwrap_or_else(|e| e.into_inner()).remove(&format!("{what}|{region}"));
    }

    /// The region new nodes get: `AWS_REGION`, the chosen profile's region, else the last used.
    async fn suggested_region(&self) -> Option<String> {
        if self.credentials.sandbox().is_some() {
            // The sandbox has every region; offer the last one used, else the first one AWS had.
            let last = self.credentials.settings().ok().and_then(|s| s.last_region);
            return Some(last.unwrap_or_else(|| FALLBACK_REGION.to_owned()));
        }
        let env = self.credentials.env();
        if let Some(r) = env.get("AWS_REGION").or_else(|| env.get("AWS_DEFAULT_REGION")) {
            return Some(r.to_owned());
        }
        let settings = self.credentials.settings().ok()?;
        if let super::CredentialChoice::Profile { name } = settings.credential_choice() {
            if let Some(region) = self.credentials.profiles().await.into_iter().find(|p| p.name == name).and_then(|p| p.region) {
                return Some(region);
            }
        }
        settings.last_region
    }

    /// The instance's console output, for checking a new host key; None when it cannot be had
    /// (no credentials, no output yet, an error): the user is then asked instead.
    pub async fn console_output(&self, region: &str, instance: &str) -> Option<String> {
        let account = self.account().await.ok()?;
        account.console_output(region, instance).await.ok().flatten()
    }

    /// The state EC2 reports for one instance now; None when it cannot be asked (no
    /// credentials, an error) or EC2 does not know it.
    pub async fn instance_state(&self, region: &str, instance: &str) -> Option<poni_cloud::aws::InstanceState> {
        let account = self.account().await.ok()?;
        let found = account.provider().describe_repository(region, "", &[instance.to_owned()]).await.ok()?;
        found.into_iter().find(|i| i.id == instance).map(|i| i.state)
    }

    pub async fn regions(&self, refresh: bool) -> AppResult<RegionList> {
        let suggested = self.suggested_region().await;
        let via = suggested.clone().unwrap_or_else(|| FALLBACK_REGION.to_owned());
        let regions: Vec<RegionInfo> = self.cached("regions", "", refresh, |a| async move { a.regions(&via).await.map_err(|e| coded(&e)) }).await?;
        Ok(RegionList { regions, suggested })
    }

    pub async fn images(&self, region: &str, refresh: bool) -> AppResult<Vec<ImageInfo>> {
        let r = region.to_owned();
        self.cached("images", region, refresh, |a| async move { a.images(&r).await.map_err(|e| coded(&e)) }).await
    }

    pub async fn instance_types(&self, region: &str, architecture: Option<&str>, refresh: bool) -> AppResult<Vec<InstanceTypeInfo>> {
        let (r, arch) = (region.to_owned(), architecture.map(str::to_owned));
        let what = format!("types:{}", architecture.unwrap_or("any"));
        self.cached(&what, region, refresh, |a| async move { a.instance_types(&r, arch.as_deref()).await.map_err(|e| coded(&e)) }).await
    }

    /// Key pairs with their local files. The files are looked at anew each time.
    pub async fn key_pairs(&self, region: &str, refresh: bool) -> AppResult<Vec<KeyPairInfo>> {
        let ssh = self.ssh_dir()?;
        let r = region.to_owned();
        let dir = ssh.clone();
        let mut pairs: Vec<KeyPairInfo> =
            self.cached("key_pairs", region, refresh, |a| async move { a.key_pairs(&r, &dir).await.map_err(|e| coded(&e)) }).await?;
        for p in &mut pairs {
            p.file = account::key_file(&ssh, &p.name);
        }
        Ok(pairs)
    }

    pub async fn create_key_pair(&self, region: &str, name: &str) -> AppResult<KeyPairInfo> {
        let ssh = self.ssh_dir()?;
        let made = self.account().await?.create_key_pair(region, name.trim(), &ssh).await.map_err(|e| for_app(coded(&e)))?;
        self.forget("key_pairs", region);
        Ok(made)
    }

    pub async fn import_key_pair(&self, region: &str, name: &str, public_key: &str) -> AppResult<KeyPairInfo> {
        let ssh = self.ssh_dir()?;
        let made = self.account().await?.import_key_pair(region, name.trim(), std::path::Path::new(public_key), &ssh).await.map_err(|e| for_app(coded(&e)))?;
        self.forget("key_pairs", region);
        Ok(made)
    }

    pub fn local_public_keys(&self) -> AppResult<Vec<PublicKeyFile>> {
        Ok(account::local_public_keys(&self.ssh_dir()?))
    }

    pub async fn security_groups(&self, region: &str, refresh: bool) -> AppResult<Vec<SecurityGroupInfo>> {
        let r = region.to_owned();
        self.cached("groups", region, refresh, |a| async move { a.security_groups(&r).await.map_err(|e| coded(&e)) }).await
    }

    pub async fn allow_ssh(&self, request: SshAccessRequest) -> AppResult<SshAccess> {
        let target = match (&request.group_id, &request.name) {
            (Some(id), _) if !id.trim().is_empty() => SshAccessTarget::Existing { group_id: id.trim().to_owned() },
            (_, Some(name)) if !name.trim().is_empty() => SshAccessTarget::New { name: name.trim().to_owned() },
            _ => return Err(AppError::new(ErrorCode::InputMissing, "Pick a security group, or name a new one.")),
        };
        let done = self.account().await?.allow_ssh(&request.region, &target, &request.cidr).await.map_err(|e| for_app(coded(&e)))?;
        self.forget("groups", &request.region);
        Ok(done)
    }

    /// "Allow SSH from this computer" for the nodes a launch warning named: opens TCP 22 from
    /// this computer's address in each node's first security group (none named: the VPC's
    /// `default` group), once per group.
    pub async fn allow_ssh_from_here(&self, tree: &poni_repo::Tree, nodes: &[String]) -> AppResult<SshFromHere> {
        let cidr = format!("{}/32", self.this_computer().await?);
        let mut targets: Vec<(String, String)> = Vec::new();
        let mut not_found = Vec::new();
        for item in (Scope::Nodes { names: nodes.to_vec() }).nodes(tree)? {
            let Ok(spec) = poni_cloud::plan::Selected::of(tree, item).launch_spec() else {
                not_found.push(item.name.clone());
                continue;
            };
            let groups = self.security_groups(&spec.region, false).await?;
            let vpc = self.subnet_vpc(&spec).await;
            match account::group_to_open(&groups, &spec.security_groups, vpc.as_deref()) {
                Some(group) if !targets.contains(&(spec.region.clone(), group.id.clone())) => targets.push((spec.region.clone(), group.id.clone())),
                Some(_) => {}
                None => not_found.push(spec.node.clone()),
            }
        }
        let mut opened = Vec::new();
        for (region, group_id) in targets {
            let request = SshAccessRequest { region: region.clone(), group_id: Some(group_id), name: None, cidr: cidr.clone() };
            let done = self.allow_ssh(request).await?;
            opened.push(OpenedGroup { region, group: done.group, warning: done.warning });
        }
        Ok(SshFromHere { cidr, opened, not_found })
    }

    /// This computer's address as the endpoint in use sees it: a local endpoint sees
    /// 127.0.0.1; AWS sees the public address, asked of AWS's checkip service
    /// (`PONI_CHECKIP_URL` names another one).
    async fn this_computer(&self) -> AppResult<std::net::Ipv4Addr> {
        if self.credentials.endpoint()?.is_some_and(|url| is_local_endpoint(&url)) {
            return Ok(std::net::Ipv4Addr::LOCALHOST);
        }
        let url = self.credentials.env().get("PONI_CHECKIP_URL").unwrap_or(account::CHECKIP_URL).to_owned();
        account::public_ipv4(&url, Duration::from_secs(10)).await.map_err(|e| for_app(coded(&e)))
    }

    pub async fn subnets(&self, region: &str, refresh: bool) -> AppResult<Vec<SubnetInfo>> {
        let r = region.to_owned();
        self.cached("subnets", region, refresh, |a| async move { a.subnets(&r).await.map_err(|e| coded(&e)) }).await
    }

    /// Whose account the calls reach, asked anew each time (it is the credentials check).
    pub async fn status(&self) -> AccountStatus {
        let endpoint = self.credentials.endpoint().ok().flatten();
        let sandbox = self.credentials.sandbox().is_some();
        let region = self.suggested_region().await.unwrap_or_else(|| FALLBACK_REGION.to_owned());
        // The provider already holds the resolved credentials: the keyring or profile is read
        // again only when no provider could be made (to show the source beside the error).
        let (source, result) = match self.account().await {
            Ok(account) => {
                let source = CredentialSourceView::from(account.provider().credential_source());
                (Some(source), account.identity(&region).await.map_err(|e| for_app(coded(&e))))
            }
            Err(e) => (self.credentials.resolve().await.ok().map(|r| CredentialSourceView::from(&r.source)), Err(e)),
        };
        let place = match (&endpoint, sandbox) {
            (Some(url), true) => format!("Practice sandbox at {url}"),
            (Some(url), false) => format!("Local endpoint {url}"),
            (None, _) => String::new(),
        };
        match result {
            Ok(identity) => {
                let label = match (place.is_empty(), sandbox) {
                    (true, _) => format!("AWS account {} ({})", identity.account, identity.arn),
                    (false, false) => format!("{place}, account {}", identity.account),
                    (false, true) => place,
                };
                AccountStatus { identity: Some(identity), endpoint, sandbox, source, error: None, fix: None, label }
            }
            Err(error) => {
                let fix = fix_for(&error, self.chosen_profile());
                let label = if place.is_empty() { "No AWS account reachable".to_owned() } else { place };
                AccountStatus { identity: None, endpoint, sandbox, source, error: Some(error), fix, label }
            }
        }
    }

    fn chosen_profile(&self) -> Option<String> {
        match self.credentials.settings().ok()?.credential_choice() {
            super::CredentialChoice::Profile { name } => Some(name),
            _ => self.credentials.env().get("AWS_PROFILE").map(str::to_owned),
        }
    }

    /// The account, and what it says about the nodes a launch of `scope` would start: groups
    /// that keep SSH out, key pairs the region does not have. Lists that cannot be read add
    /// no warning (the preview still shows what the repository says).
    pub async fn launch_checks(&self, tree: &poni_repo::Tree, scope: &Scope) -> AppResult<LaunchChecks> {
        let account = self.status().await;
        let mut warnings = Vec::new();
        if account.error.is_some() {
            return Ok(LaunchChecks { account, warnings });
        }
        let mut specs = Vec::new();
        for item in scope.nodes(tree)? {
            let node = poni_cloud::plan::Selected::of(tree, item);
            if node.instance.is_some() {
                continue;
            }
            if let Ok(spec) = node.launch_spec() {
                specs.push(spec);
            }
        }
        let mut closed: Vec<String> = Vec::new();
        let mut unknown_keys: Vec<(String, String, Vec<String>)> = Vec::new();
        for spec in &specs {
            if let Ok(groups) = self.security_groups(&spec.region, false).await {
                let vpc = self.subnet_vpc(spec).await;
                if account::groups_open_ssh(&groups, &spec.security_groups, vpc.as_deref()) == Some(false) {
                    closed.push(spec.node.clone());
                }
            }
            if let Ok(pairs) = self.key_pairs(&spec.region, false).await {
                if !pairs.iter().any(|p| p.name == spec.key_pair) {
                    match unknown_keys.iter_mut().find(|(k, r, _)| *k == spec.key_pair && *r == spec.region) {
                        Some((_, _, nodes)) => nodes.push(spec.node.clone()),
                        None => unknown_keys.push((spec.key_pair.clone(), spec.region.clone(), vec![spec.node.clone()])),
                    }
                }
            }
        }
        if !closed.is_empty() {
            warnings.push(LaunchWarning {
                kind: WarningKind::SshClosed,
                message: format!(
                    "No security group of {} lets SSH (port 22) in, so you will not be able to log in. Allow SSH from this computer here, or from another range with \"Allow SSH\" in the node's Cloud section.",
                    names(&closed)
                ),
                nodes: closed,
            });
        }
        for (key, region, nodes) in unknown_keys {
            warnings.push(LaunchWarning {
                kind: WarningKind::NotInAccount,
                message: format!(
                    "The key pair '{key}' of {} is not in {region} of this account: the launch will fail. Pick or create one in the Cloud section.",
                    names(&nodes)
                ),
                nodes,
            });
        }
        Ok(LaunchChecks { account, warnings })
    }

    /// The VPC of the node's subnet; None without one (the default VPC's groups are asked).
    async fn subnet_vpc(&self, spec: &LaunchSpec) -> Option<String> {
        use poni_cloud::spec::SubnetRef;
        let subnet = spec.subnet.as_ref()?;
        let subnets = self.subnets(&spec.region, false).await.ok()?;
        subnets
            .into_iter()
            .find(|s| match subnet {
                SubnetRef::Id(id) => s.id == *id,
                SubnetRef::NameTag(name) => s.name.as_deref() == Some(name),
            })
            .map(|s| s.vpc_id)
    }
}

fn names(nodes: &[String]) -> String {
    if nodes.len() > 3 {
        format!("{} and {} more", nodes[..3].join(", "), nodes.len() - 3)
    } else {
        nodes.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::is_local_endpoint;

    #[test]
    fn an_endpoint_on_this_computer_is_told_from_a_remote_one() {
        for local in ["http://127.0.0.1:5000", "http://localhost:4566/", "http://[::1]:5000", "https://127.0.0.2"] {
            assert!(is_local_endpoint(local), "{local}");
        }
        for remote in ["https://ec2.us-east-1.amazonaws.com", "http://10.0.0.5:4566", "http://localhost.example.com", "http://[2001:db8::1]:80"] {
            assert!(!is_local_endpoint(remote), "{remote}");
        }
    }
}
