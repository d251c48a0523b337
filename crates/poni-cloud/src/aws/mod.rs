//! The EC2 provider: launch, find, describe, tag, stop, start and terminate instances, one SDK
//! client per region, every call paced ([`pacing`]) and retried ([`retry`]).
//!
//! RunInstances and retries: a launch whose answer was lost (time-out, dropped connection,
//! 5xx) may still have started an instance. Before such a launch is tried again, the provider
//! looks for a live instance tagged with this repository and node (tags are applied atomically
//! at launch) and returns it if found. The retry itself carries the same ClientToken, which
//! real EC2 answers with the first launch's instance. (moto ignores ClientToken; the tag check
//! covers it.) Throttling errors mean the request was refused, so those are retried directly.

pub mod endpoint;
pub mod errors;
mod http;
pub mod instances;
mod metrics;
pub mod pacing;
mod pricing;
pub mod retry;
pub mod snapshots;
mod spot;
mod status;
pub mod tags;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_ec2::config::retry::RetryConfig;
use aws_sdk_ec2::config::timeout::TimeoutConfig;
use aws_sdk_ec2::config::{BehaviorVersion, Region, SharedHttpClient};
use aws_sdk_ec2::operation::run_instances::builders::RunInstancesFluentBuilder;
use aws_sdk_ec2::types::{
    AttributeBooleanValue, BlockDeviceMapping, EbsBlockDevice, Filter, IamInstanceProfileSpecification, InstanceMarketOptionsRequest, InstanceType, MarketType,
    Placement, ResourceType, RunInstancesMonitoringEnabled, SpotInstanceType, SpotMarketOptions, Tag, TagSpecification, VolumeType,
};
use aws_sdk_ec2::Client;

use crate::credentials::{CredentialSource, EnvVars, ResolvedCredentials};
use crate::spec::{Billing, DiskSpec, ElasticIpRef, LaunchSpec, SecurityGroupRef, SubnetRef};

pub use errors::{CloudError, CloudErrorKind, ErrorContext};
pub use http::https_client;
pub use instances::{InstanceInfo, InstanceState, StateChange};
pub use pacing::{ActionClass, Bucket, Pacer, PacingLimits, Resource};
pub use retry::RetryPolicy;
pub use snapshots::{AttachedVolume, InstanceVolumes, SnapshotInfo, SnapshotState, VolumeInfo};
pub use tags::{
    batch_tag, launch_tags, node_tags, PoniState, TAG_BATCH, TAG_DEVICE, TAG_INSTANCE, TAG_NAME, TAG_NODE, TAG_PONI08_ORIGINAL_INSTANCE, TAG_PONI_STATE,
    TAG_REPO, TAG_SNAPSHOT,
};

use errors::from_sdk;
use retry::with_retries;

/// EC2 accepts many values in one filter, but reportedly not more than 200.
const MAX_FILTER_VALUES: usize = 200;
/// Instances per Terminate/Stop/StartInstances call.
const STATE_CHANGE_BATCH: usize = 100;
const LIVE_STATES: [&str; 4] = ["pending", "running", "stopping", "stopped"];

/// How the provider talks to EC2.
#[derive(Debug, Clone)]
pub struct ProviderOptions {
    /// The app's endpoint setting (moto, LocalStack); wins over `AWS_ENDPOINT_URL(_EC2)`.
    pub endpoint_url: Option<String>,
    /// Where `AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_EC2` are read from.
    pub env: EnvVars,
    pub pacing: PacingLimits,
    pub retry: RetryPolicy,
    pub connect_timeout: Duration,
    /// One HTTP attempt, from sending to the last byte of the answer.
    pub attempt_timeout: Duration,
}

impl Default for ProviderOptions {
    fn default() -> Self {
        ProviderOptions {
            endpoint_url: None,
            env: EnvVars::from_process(),
            pacing: PacingLimits::ec2_published(),
            retry: RetryPolicy::default(),
            connect_timeout: Duration::from_secs(5),
            attempt_timeout: Duration::from_secs(30),
        }
    }
}

/// One grouped launch: nodes whose launch parameters are the same apart from names and tags.
#[derive(Debug, Clone, Copy)]
pub struct BatchLaunch<'a> {
    /// The nodes' specs in launch-index order (the instance with `AmiLaunchIndex` i is for
    /// `specs[i]`); the first one's parameters are used for all.
    pub specs: &'a [&'a LaunchSpec],
    /// Tagged as `poni:repo`; identifies the repository's instances.
    pub repo_id: &'a str,
    /// Tagged as `poni:batch` and the ClientToken's stem ([`tags::batch_tag`]).
    pub batch_tag: &'a str,
}

/// EC2 for one set of credentials. Cheap to clone; clones share clients and pacing.
#[derive(Clone)]
pub struct Ec2Provider {
    inner: Arc<Inner>,
}

struct Inner {
    credentials: ResolvedCredentials,
    endpoint: Option<String>,
    /// SSM, STS, CloudWatch and Price List endpoints (the same emulator URL as EC2 when one
    /// is set).
    ssm_endpoint: Option<String>,
    sts_endpoint: Option<String>,
    cloudwatch_endpoint: Option<String>,
    pricing_endpoint: Option<String>,
    http: SharedHttpClient,
    pacer: Pacer,
    retry: RetryPolicy,
    timeouts: TimeoutConfig,
    clients: Mutex<HashMap<String, Client>>,
}

impl std::fmt::Debug for Ec2Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ec2Provider").field("credentials", &self.inner.credentials.source).field("endpoint", &self.inner.endpoint).finish_non_exhaustive()
    }
}

/// Subnet and security groups as RunInstances wants them.
#[derive(Debug, Default)]
struct Network {
    subnet_id: Option<String>,
    group_ids: Vec<String>,
    group_names: Vec<String>,
}

impl Ec2Provider {
    pub fn new(credentials: ResolvedCredentials, options: ProviderOptions) -> Result<Ec2Provider, CloudError> {
        let endpoint = endpoint::endpoint_url(options.endpoint_url.as_deref(), &options.env)?;
        let explicit = options.endpoint_url.as_deref();
        let ssm_endpoint = endpoint::service_endpoint_url(endpoint::Service::Ssm, explicit, &options.env)?;
        let sts_endpoint = endpoint::service_endpoint_url(endpoint::Service::Sts, explicit, &options.env)?;
        let cloudwatch_endpoint = endpoint::service_endpoint_url(endpoint::Service::CloudWatch, explicit, &options.env)?;
        let pricing_endpoint = endpoint::service_endpoint_url(endpoint::Service::Pricing, explicit, &options.env)?;
        let timeouts = TimeoutConfig::builder().connect_timeout(options.connect_timeout).operation_attempt_timeout(options.attempt_timeout).build();
        Ok(Ec2Provider {
            inner: Arc::new(Inner {
                credentials,
                endpoint,
                ssm_endpoint,
                sts_endpoint,
                cloudwatch_endpoint,
                pricing_endpoint,
                http: https_client(),
                pacer: Pacer::new(options.pacing),
                retry: options.retry,
                timeouts,
                clients: Mutex::default(),
            }),
        })
    }

    pub fn credential_source(&self) -> &CredentialSource {
        &self.inner.credentials.source
    }

    /// The endpoint in use, `None` for AWS itself.
    pub fn endpoint(&self) -> Option<&str> {
        self.inner.endpoint.as_deref()
    }

    /// Runs one call with this provider's pacing and retries (for the account lookups).
    pub(crate) async fn paced<T, F, Fut>(&self, region: &str, class: ActionClass, attempt: F) -> Result<T, CloudError>
    where
        F: FnMut(u32) -> Fut,
        Fut: std::future::Future<Output = Result<T, CloudError>>,
    {
        with_retries(&self.inner.retry, &self.inner.pacer, region, class, attempt).await
    }

    /// An SSM client for a region (public parameters of quick-start images).
    pub(crate) fn ssm(&self, region: &str) -> aws_sdk_ssm::Client {
        let mut config = aws_sdk_ssm::Config::builder()
            .behavior_version(aws_sdk_ssm::config::BehaviorVersion::latest())
            .region(aws_sdk_ssm::config::Region::new(region.to_owned()))
            .credentials_provider(self.inner.credentials.provider())
            .http_client(self.inner.http.clone())
            .retry_config(RetryConfig::disabled())
            .timeout_config(self.inner.timeouts.clone());
        if let Some(url) = &self.inner.ssm_endpoint {
            config = config.endpoint_url(url);
        }
        aws_sdk_ssm::Client::from_conf(config.build())
    }

    /// An STS client (GetCallerIdentity). STS is global but answers in any region.
    pub(crate) fn sts(&self, region: &str) -> aws_sdk_sts::Client {
        let mut config = aws_sdk_sts::Config::builder()
            .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
            .region(aws_sdk_sts::config::Region::new(region.to_owned()))
            .credentials_provider(self.inner.credentials.provider())
            .http_client(self.inner.http.clone())
            .retry_config(RetryConfig::disabled())
            .timeout_config(self.inner.timeouts.clone());
        if let Some(url) = &self.inner.sts_endpoint {
            config = config.endpoint_url(url);
        }
        aws_sdk_sts::Client::from_conf(config.build())
    }

    /// A CloudWatch client for a region (GetMetricData: CPU load).
    pub(crate) fn cloudwatch(&self, region: &str) -> aws_sdk_cloudwatch::Client {
        let mut config = aws_sdk_cloudwatch::Config::builder()
            .behavior_version(aws_sdk_cloudwatch::config::BehaviorVersion::latest())
            .region(aws_sdk_cloudwatch::config::Region::new(region.to_owned()))
            .credentials_provider(self.inner.credentials.provider())
            .http_client(self.inner.http.clone())
            .retry_config(RetryConfig::disabled())
            .timeout_config(self.inner.timeouts.clone());
        if let Some(url) = &self.inner.cloudwatch_endpoint {
            config = config.endpoint_url(url);
        }
        aws_sdk_cloudwatch::Client::from_conf(config.build())
    }

    /// A Price List client. The Query API answers in a few regions only, whatever region the
    /// prices are for: [`pricing::PRICE_LIST_REGION`].
    pub(crate) fn pricing(&self) -> aws_sdk_pricing::Client {
        let mut config = aws_sdk_pricing::Config::builder()
            .behavior_version(aws_sdk_pricing::config::BehaviorVersion::latest())
            .region(aws_sdk_pricing::config::Region::new(pricing::PRICE_LIST_REGION))
            .credentials_provider(self.inner.credentials.provider())
            .http_client(self.inner.http.clone())
            .retry_config(RetryConfig::disabled())
            .timeout_config(self.inner.timeouts.clone());
        if let Some(url) = &self.inner.pricing_endpoint {
            config = config.endpoint_url(url);
        }
        aws_sdk_pricing::Client::from_conf(config.build())
    }

    pub(crate) fn client(&self, region: &str) -> Client {
        let mut clients = self.inner.clients.lock().expect("client cache lock never poisoned");
        clients
            .entry(region.to_owned())
            .or_insert_with(|| {
                // Built by hand rather than from aws-config's loader: nothing here may fall back to
                // the instance metadata service, and the SDK's own retries are off (see retry.rs).
                let mut config = aws_sdk_ec2::Config::builder()
                    .behavior_version(BehaviorVersion::latest())
                    .region(Region::new(region.to_owned()))
                    .credentials_provider(self.inner.credentials.provider())
                    .http_client(self.inner.http.clone())
                    .retry_config(RetryConfig::disabled())
                    .timeout_config(self.inner.timeouts.clone());
                if let Some(url) = &self.inner.endpoint {
                    config = config.endpoint_url(url);
                }
                Client::from_conf(config.build())
            })
            .clone()
    }

    /// Launches a batch with one RunInstances call, all or nothing (MinCount = MaxCount = the
    /// batch's size: emulators such as moto launch MinCount, and every node gets its launch
    /// index), trying each instance type in order while EC2 reports no capacity (or, for spot, a
    /// price above the limit). A batch of one gets all its tags at launch; a
    /// larger one gets the shared tags, and the caller tags each node ([`tags::node_tags`]).
    pub async fn launch_batch(&self, request: &BatchLaunch<'_>) -> Result<Vec<InstanceInfo>, CloudError> {
        let spec = *request.specs.first().ok_or_else(|| CloudError::new(CloudErrorKind::BadResponse, "a launch needs at least one node"))?;
        let network = self.resolve_network(spec).await?;
        let tags = match request.specs {
            [only] => {
                let mut tags = launch_tags(only, request.repo_id);
                tags.insert(TAG_BATCH.into(), request.batch_tag.into());
                tags
            }
            specs => tags::batch_launch_tags(specs, request.repo_id, request.batch_tag),
        };
        let types = &spec.instance_types;
        let mut index = 0;
        loop {
            let token = tags::batch_client_token(request.batch_tag, index);
            match self.run_instances(request, &network, &tags, &types[index], &token).await {
                Err(e) if e.kind.tries_next_type() && index + 1 < types.len() => {
                    tracing::warn!(batch = request.batch_tag, instance_type = %types[index], code = e.kind.code().as_str(), "no capacity, trying the next type");
                    index += 1;
                }
                Err(mut e) if e.kind.tries_next_type() && types.len() > 1 => {
                    e.message = format!("{} (tried {})", e.message, types.join(", "));
                    return Err(e);
                }
                other => return other,
            }
        }
    }

    async fn run_instances(
        &self,
        request: &BatchLaunch<'_>,
        network: &Network,
        tags: &BTreeMap<String, String>,
        instance_type: &str,
        token: &str,
    ) -> Result<Vec<InstanceInfo>, CloudError> {
        let spec = request.specs[0];
        let count = request.specs.len() as i32;
        let region = spec.region.as_str();
        let client = self.client(region);
        let ctx = ErrorContext {
            image_id: Some(spec.image_id.clone()),
            key_pair: Some(spec.key_pair.clone()),
            instance_type: Some(instance_type.to_owned()),
            zone: spec.placement.clone(),
            security_groups: spec.security_groups.iter().map(group_label).collect(),
            subnet: spec.subnet.as_ref().map(subnet_label),
            placement_group: spec.settings.placement_group.clone(),
            private_ip: spec.settings.private_ip.map(|ip| ip.to_string()),
            spot_max_price: spec.settings.billing.spot_max_price().map(str::to_owned),
            ..ErrorContext::new("RunInstances", region)
        };
        let tags: Vec<Tag> = tags.iter().map(|(k, v)| Tag::builder().key(k).value(v).build()).collect();
        let outcome_unknown = AtomicBool::new(false);
        let cost = Some((Resource::RunInstances, count as u32));
        retry::with_retries_costing(&self.inner.retry, &self.inner.pacer, region, ActionClass::RunInstances, cost, |attempt| {
            let (client, ctx, tags, outcome_unknown) = (&client, &ctx, &tags, &outcome_unknown);
            async move {
                if outcome_unknown.load(Ordering::SeqCst) {
                    // The last attempt may have launched: take those instances rather than more.
                    let launched = self.find_batch_instances(region, request.repo_id, request.batch_tag).await?;
                    if !launched.is_empty() {
                        tracing::info!(batch = request.batch_tag, found = launched.len(), attempt, "found the instances a lost launch answer had started");
                        return Ok(launched);
                    }
                }
                let call = client
                    .run_instances()
                    .image_id(&spec.image_id)
                    .instance_type(InstanceType::from(instance_type))
                    .key_name(&spec.key_pair)
                    .min_count(count)
                    .max_count(count)
                    .client_token(token)
                    .tag_specifications(TagSpecification::builder().resource_type(ResourceType::Instance).set_tags(Some(tags.clone())).build())
                    .set_subnet_id(network.subnet_id.clone())
                    .set_security_group_ids(non_empty(&network.group_ids))
                    .set_security_groups(non_empty(&network.group_names))
                    .set_user_data(spec.user_data.as_ref().map(aws_smithy_types::base64::encode))
                    .set_placement(placement(spec))
                    .set_block_device_mappings(non_empty(&spec.disks.iter().map(block_device).collect::<Vec<_>>()));
                let answer = with_settings(call, spec).send().await.map_err(|e| from_sdk(ctx, e));
                match answer {
                    Ok(out) if out.instances().is_empty() => {
                        Err(CloudError::new(CloudErrorKind::BadResponse, format!("EC2 in {region} accepted the launch but named no instance.")))
                    }
                    Ok(out) => Ok(out.instances().iter().map(InstanceInfo::from).collect()),
                    Err(e) => {
                        if e.kind.outcome_unknown() {
                            outcome_unknown.store(true, Ordering::SeqCst);
                        }
                        Err(e)
                    }
                }
            }
        })
        .await
    }

    /// Live instances of one grouped launch (`poni:batch`), whether or not they are named yet.
    pub async fn find_batch_instances(&self, region: &str, repo_id: &str, batch_tag: &str) -> Result<Vec<InstanceInfo>, CloudError> {
        let filters =
            vec![filter(&format!("tag:{TAG_REPO}"), [repo_id]), filter(&format!("tag:{TAG_BATCH}"), [batch_tag]), filter("instance-state-name", LIVE_STATES)];
        self.describe(region, filters, &ErrorContext::new("DescribeInstances", region)).await
    }

    /// Live (pending, running, stopping, stopped) instances tagged with this repository and node.
    pub async fn find_node_instances(&self, region: &str, repo_id: &str, node: &str) -> Result<Vec<InstanceInfo>, CloudError> {
        let filters =
            vec![filter(&format!("tag:{TAG_REPO}"), [repo_id]), filter(&format!("tag:{TAG_NODE}"), [node]), filter("instance-state-name", LIVE_STATES)];
        self.describe(region, filters, &ErrorContext::new("DescribeInstances", region)).await
    }

    /// Every instance of a repository in a region, in any state, with one paginated
    /// DescribeInstances filtered on `poni:repo`, however many there are. `untagged_ids` adds
    /// instances not tagged by Poni (e.g. launched by poni 0.8) through an `instance-id` filter,
    /// which, unlike InstanceIds, tolerates ids EC2 does not know (yet or any more).
    pub async fn describe_repository(&self, region: &str, repo_id: &str, untagged_ids: &[String]) -> Result<Vec<InstanceInfo>, CloudError> {
        let ctx = ErrorContext::new("DescribeInstances", region);
        // A repository without an id has launched nothing: no instance carries its tag.
        let mut found = match repo_id.is_empty() {
            true => Vec::new(),
            false => self.describe(region, vec![filter(&format!("tag:{TAG_REPO}"), [repo_id])], &ctx).await?,
        };
        let seen: BTreeSet<String> = found.iter().map(|i| i.id.clone()).collect();
        let missing: Vec<&str> = unique(untagged_ids).into_iter().filter(|id| !seen.contains(*id)).collect();
        for chunk in missing.chunks(MAX_FILTER_VALUES) {
            found.extend(self.describe(region, vec![filter("instance-id", chunk.iter().copied())], &ctx).await?);
        }
        Ok(found)
    }

    /// Every instance of the account in a region that is not terminated: one filtered,
    /// paginated DescribeInstances (1,000 a page), never one call per instance.
    pub async fn describe_all(&self, region: &str) -> Result<Vec<InstanceInfo>, CloudError> {
        let ctx = ErrorContext::new("DescribeInstances", region);
        let states = ["pending", "running", "stopping", "stopped", "shutting-down"];
        self.describe(region, vec![filter("instance-state-name", states)], &ctx).await
    }

    /// One filtered DescribeInstances, all pages.
    async fn describe(&self, region: &str, filters: Vec<Filter>, ctx: &ErrorContext) -> Result<Vec<InstanceInfo>, CloudError> {
        let client = self.client(region);
        let mut found = Vec::new();
        let mut next_token: Option<String> = None;
        loop {
            let page = with_retries(&self.inner.retry, &self.inner.pacer, region, ActionClass::DescribeInstances, |_| {
                let request = client.describe_instances().set_filters(Some(filters.clone())).max_results(1000).set_next_token(next_token.clone());
                async move { request.send().await.map_err(|e| from_sdk(ctx, e)) }
            })
            .await?;
            found.extend(page.reservations().iter().flat_map(|r| r.instances()).map(InstanceInfo::from));
            match page.next_token() {
                Some(token) if !token.is_empty() => next_token = Some(token.to_owned()),
                _ => return Ok(found),
            }
        }
    }

    pub async fn terminate(&self, region: &str, ids: &[String]) -> Result<Vec<StateChange>, CloudError> {
        let client = self.client(region);
        self.change_state(region, ids, "TerminateInstances", (ActionClass::TerminateInstances, Resource::TerminateInstances), |chunk, ctx| {
            let request = client.terminate_instances().set_instance_ids(Some(chunk));
            async move {
                let out = request.send().await.map_err(|e| from_sdk(&ctx, e))?;
                Ok(out.terminating_instances().iter().map(StateChange::from).collect())
            }
        })
        .await
    }

    pub async fn stop(&self, region: &str, ids: &[String]) -> Result<Vec<StateChange>, CloudError> {
        let client = self.client(region);
        self.change_state(region, ids, "StopInstances", (ActionClass::OtherMutating, Resource::StopInstances), |chunk, ctx| {
            let request = client.stop_instances().set_instance_ids(Some(chunk));
            async move {
                let out = request.send().await.map_err(|e| from_sdk(&ctx, e))?;
                Ok(out.stopping_instances().iter().map(StateChange::from).collect())
            }
        })
        .await
    }

    pub async fn start(&self, region: &str, ids: &[String]) -> Result<Vec<StateChange>, CloudError> {
        let client = self.client(region);
        self.change_state(region, ids, "StartInstances", (ActionClass::OtherMutating, Resource::StartInstances), |chunk, ctx| {
            let request = client.start_instances().set_instance_ids(Some(chunk));
            async move {
                let out = request.send().await.map_err(|e| from_sdk(&ctx, e))?;
                Ok(out.starting_instances().iter().map(StateChange::from).collect())
            }
        })
        .await
    }

    /// Runs a state change over `ids` in batches. These calls are idempotent, so retrying is safe.
    async fn change_state<F, Fut>(
        &self,
        region: &str,
        ids: &[String],
        action: &'static str,
        (class, resource): (ActionClass, Resource),
        call: F,
    ) -> Result<Vec<StateChange>, CloudError>
    where
        F: Fn(Vec<String>, ErrorContext) -> Fut,
        Fut: std::future::Future<Output = Result<Vec<StateChange>, CloudError>>,
    {
        let ids = unique(ids);
        let mut changes = Vec::new();
        for chunk in ids.chunks(STATE_CHANGE_BATCH) {
            let chunk: Vec<String> = chunk.iter().map(|s| s.to_string()).collect();
            let ctx = ErrorContext { instance_ids: chunk.clone(), ..ErrorContext::new(action, region) };
            changes.extend(
                retry::with_retries_costing(&self.inner.retry, &self.inner.pacer, region, class, Some((resource, chunk.len() as u32)), |_| {
                    call(chunk.clone(), ctx.clone())
                })
                .await?,
            );
        }
        Ok(changes)
    }

    /// Turns termination protection of an instance on or off (ModifyInstanceAttribute
    /// DisableApiTermination). Idempotent, so retrying is safe.
    pub async fn set_termination_protection(&self, region: &str, instance_id: &str, protect: bool) -> Result<(), CloudError> {
        let client = self.client(region);
        let ctx = ErrorContext { instance_ids: vec![instance_id.to_owned()], ..ErrorContext::new("ModifyInstanceAttribute", region) };
        with_retries(&self.inner.retry, &self.inner.pacer, region, ActionClass::OtherMutating, |_| {
            let request =
                client.modify_instance_attribute().instance_id(instance_id).disable_api_termination(AttributeBooleanValue::builder().value(protect).build());
            let ctx = &ctx;
            async move { request.send().await.map(|_| ()).map_err(|e| from_sdk(ctx, e)) }
        })
        .await
    }

    /// Adds or overwrites tags, e.g. `PoniState=initialized` once a node is set up.
    pub async fn set_tags(&self, region: &str, ids: &[String], tags: &BTreeMap<String, String>) -> Result<(), CloudError> {
        let client = self.client(region);
        let tags: Vec<Tag> = tags.iter().map(|(k, v)| Tag::builder().key(k).value(v).build()).collect();
        for chunk in unique(ids).chunks(STATE_CHANGE_BATCH) {
            let chunk: Vec<String> = chunk.iter().map(|s| s.to_string()).collect();
            let ctx = ErrorContext { instance_ids: chunk.clone(), ..ErrorContext::new("CreateTags", region) };
            with_retries(&self.inner.retry, &self.inner.pacer, region, ActionClass::CreateTags, |_| {
                let request = client.create_tags().set_resources(Some(chunk.clone())).set_tags(Some(tags.clone()));
                let ctx = &ctx;
                async move { request.send().await.map(|_| ()).map_err(|e| from_sdk(ctx, e)) }
            })
            .await?;
        }
        Ok(())
    }

    /// Associates the node's Elastic IP (`cloud.eip`) with its running instance.
    pub async fn associate_elastic_ip(&self, region: &str, instance_id: &str, eip: &ElasticIpRef) -> Result<(), CloudError> {
        let client = self.client(region);
        let label = match eip {
            ElasticIpRef::AllocationId(id) => id.clone(),
            ElasticIpRef::PublicIp(ip) => ip.to_string(),
        };
        let ctx = ErrorContext { elastic_ip: Some(label), instance_ids: vec![instance_id.to_owned()], ..ErrorContext::new("AssociateAddress", region) };
        let allocation_id = match eip {
            ElasticIpRef::AllocationId(id) => Some(id.clone()),
            ElasticIpRef::PublicIp(ip) => {
                // In a VPC, addresses are associated by allocation id.
                let lookup = ErrorContext { action: "DescribeAddresses", ..ctx.clone() };
                let ip = ip.to_string();
                let out = with_retries(&self.inner.retry, &self.inner.pacer, region, ActionClass::OtherDescribe, |_| {
                    let request = client.describe_addresses().filters(filter("public-ip", [ip.as_str()]));
                    let lookup = &lookup;
                    async move { request.send().await.map_err(|e| from_sdk(lookup, e)) }
                })
                .await?;
                match out.addresses().first() {
                    None => return Err(errors::from_code(&ctx, Some("InvalidAddress.NotFound"), None, None)),
                    Some(address) => address.allocation_id().map(str::to_owned),
                }
            }
        };
        let public_ip = match (eip, &allocation_id) {
            (ElasticIpRef::PublicIp(ip), None) => Some(ip.to_string()),
            _ => None,
        };
        with_retries(&self.inner.retry, &self.inner.pacer, region, ActionClass::OtherMutating, |_| {
            let request = client.associate_address().instance_id(instance_id).set_allocation_id(allocation_id.clone()).set_public_ip(public_ip.clone());
            let ctx = &ctx;
            async move { request.send().await.map(|_| ()).map_err(|e| from_sdk(ctx, e)) }
        })
        .await
    }

    /// Finds the subnet (by id or Name tag) and, inside its VPC, the ids of named groups.
    /// Without a subnet, group names go to EC2 as names (the default VPC accepts them).
    async fn resolve_network(&self, spec: &LaunchSpec) -> Result<Network, CloudError> {
        let region = spec.region.as_str();
        let mut network = Network::default();
        let names: Vec<&str> = spec
            .security_groups
            .iter()
            .filter_map(|g| match g {
                SecurityGroupRef::Name(n) => Some(n.as_str()),
                SecurityGroupRef::Id(_) => None,
            })
            .collect();
        network.group_ids = spec
            .security_groups
            .iter()
            .filter_map(|g| match g {
                SecurityGroupRef::Id(id) => Some(id.clone()),
                SecurityGroupRef::Name(_) => None,
            })
            .collect();

        let Some(subnet) = &spec.subnet else {
            network.group_names = names.iter().map(|n| n.to_string()).collect();
            return Ok(network);
        };
        let (subnet_id, vpc_id) = self.find_subnet(region, subnet).await?;
        network.subnet_id = Some(subnet_id.clone());
        if names.is_empty() {
            return Ok(network);
        }
        let client = self.client(region);
        let ctx = ErrorContext { security_groups: names.iter().map(|n| n.to_string()).collect(), ..ErrorContext::new("DescribeSecurityGroups", region) };
        let out = with_retries(&self.inner.retry, &self.inner.pacer, region, ActionClass::OtherDescribe, |_| {
            let request = client.describe_security_groups().filters(filter("vpc-id", [vpc_id.as_str()])).filters(filter("group-name", names.iter().copied()));
            let ctx = &ctx;
            async move { request.send().await.map_err(|e| from_sdk(ctx, e)) }
        })
        .await?;
        for name in names {
            match out.security_groups().iter().find(|g| g.group_name() == Some(name)).and_then(|g| g.group_id()) {
                Some(id) => network.group_ids.push(id.to_owned()),
                None => {
                    return Err(CloudError::new(
                        CloudErrorKind::SecurityGroupNotFound,
                        format!(
                            "There is no security group '{name}' in {vpc_id} (the VPC of subnet {subnet_id}) in {region}. Create it there or fix cloud.security_groups."
                        ),
                    ))
                }
            }
        }
        Ok(network)
    }

    /// The subnet's id and VPC.
    async fn find_subnet(&self, region: &str, subnet: &SubnetRef) -> Result<(String, String), CloudError> {
        let client = self.client(region);
        let label = subnet_label(subnet);
        let ctx = ErrorContext { subnet: Some(label.clone()), ..ErrorContext::new("DescribeSubnets", region) };
        let by = match subnet {
            SubnetRef::Id(id) => filter("subnet-id", [id.as_str()]),
            SubnetRef::NameTag(name) => filter("tag:Name", [name.as_str()]),
        };
        let out = with_retries(&self.inner.retry, &self.inner.pacer, region, ActionClass::OtherDescribe, |_| {
            let request = client.describe_subnets().filters(by.clone());
            let ctx = &ctx;
            async move { request.send().await.map_err(|e| from_sdk(ctx, e)) }
        })
        .await?;
        match out.subnets() {
            [] => Err(CloudError::new(
                CloudErrorKind::SubnetNotFound,
                format!("There is no subnet {} in {region}. Fix cloud.subnet (a subnet id or Name tag) or create the subnet.", label),
            )),
            [one] => Ok((one.subnet_id().unwrap_or_default().to_owned(), one.vpc_id().unwrap_or_default().to_owned())),
            several => Err(CloudError::new(
                CloudErrorKind::InvalidParameter,
                format!(
                    "Several subnets in {region} are named {label}: {}. Set cloud.subnet to one of these ids.",
                    several.iter().filter_map(|s| s.subnet_id()).collect::<Vec<_>>().join(", ")
                ),
            )),
        }
    }
}

pub(crate) fn filter<'a>(name: &str, values: impl IntoIterator<Item = &'a str>) -> Filter {
    Filter::builder().name(name).set_values(Some(values.into_iter().map(str::to_owned).collect())).build()
}

pub(crate) fn non_empty<T: Clone>(items: &[T]) -> Option<Vec<T>> {
    (!items.is_empty()).then(|| items.to_vec())
}

/// Ids in first-seen order, without repeats or blanks.
pub(crate) fn unique(ids: &[String]) -> Vec<&str> {
    let mut seen = BTreeSet::new();
    ids.iter().map(|s| s.as_str()).filter(|id| !id.is_empty() && seen.insert(*id)).collect()
}

/// The zone, placement group and tenancy, when any is set.
fn placement(spec: &LaunchSpec) -> Option<Placement> {
    let settings = &spec.settings;
    if spec.placement.is_none() && settings.placement_group.is_none() && settings.tenancy.is_none() {
        return None;
    }
    Some(
        Placement::builder()
            .set_availability_zone(spec.placement.clone())
            .set_group_name(settings.placement_group.clone())
            .set_tenancy(settings.tenancy.map(|t| aws_sdk_ec2::types::Tenancy::from(t.as_str())))
            .build(),
    )
}

/// The rest of poni 0.8's launch settings. Flags are sent only when on, so a node without
/// them asks exactly what it asked before they were read.
fn with_settings(request: RunInstancesFluentBuilder, spec: &LaunchSpec) -> RunInstancesFluentBuilder {
    let settings = &spec.settings;
    request
        .set_instance_market_options(market_options(&settings.billing))
        .set_iam_instance_profile(settings.instance_profile.as_ref().map(|name| IamInstanceProfileSpecification::builder().name(name).build()))
        .set_disable_api_termination(settings.disable_api_termination.then_some(true))
        .set_monitoring(settings.monitoring.then(|| RunInstancesMonitoringEnabled::builder().enabled(true).build()))
        .set_ebs_optimized(settings.ebs_optimized)
        .set_private_ip_address(settings.private_ip.map(|ip| ip.to_string()))
        .set_kernel_id(settings.kernel_id.clone())
        .set_ramdisk_id(settings.ramdisk_id.clone())
}

/// Spot billing as RunInstances takes it: a one-time spot instance, launched at once or refused
/// (no capacity, price above the limit), instead of poni 0.8's spot request that was waited on.
fn market_options(billing: &Billing) -> Option<InstanceMarketOptionsRequest> {
    let max_price = billing.spot_max_price()?;
    let spot = SpotMarketOptions::builder().max_price(max_price).spot_instance_type(SpotInstanceType::OneTime).build();
    Some(InstanceMarketOptionsRequest::builder().market_type(MarketType::Spot).spot_options(spot).build())
}

fn block_device(disk: &DiskSpec) -> BlockDeviceMapping {
    BlockDeviceMapping::builder()
        .device_name(&disk.device)
        .ebs(
            EbsBlockDevice::builder()
                .set_volume_size(disk.size_gib)
                .set_volume_type(disk.volume_type.as_deref().map(VolumeType::from))
                .set_iops(disk.iops)
                .set_snapshot_id(disk.snapshot_id.clone())
                .delete_on_termination(disk.delete_on_termination)
                .build(),
        )
        .build()
}

fn group_label(group: &SecurityGroupRef) -> String {
    match group {
        SecurityGroupRef::Id(id) | SecurityGroupRef::Name(id) => id.clone(),
    }
}

fn subnet_label(subnet: &SubnetRef) -> String {
    match subnet {
        SubnetRef::Id(id) => format!("'{id}'"),
        SubnetRef::NameTag(name) => format!("named '{name}'"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_keeps_order_and_drops_repeats() {
        let ids: Vec<String> = ["i-2", "i-1", "i-2", "", "i-3"].iter().map(|s| s.to_string()).collect();
        assert_eq!(unique(&ids), ["i-2", "i-1", "i-3"]);
    }

    fn spec_with(extra: serde_json::Value) -> LaunchSpec {
        let mut cloud = serde_json::json!({"provider": "aws-ec2", "region": "us-east-1", "image": "ami-12c6146b", "key-pair": "kp"});
        cloud.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        LaunchSpec::from_node("n", cloud.as_object().unwrap(), Some(&serde_json::json!("root"))).unwrap()
    }

    #[test]
    fn poni_settings_become_run_instances_parameters() {
        let spec = spec_with(serde_json::json!({
            "placement": "us-east-1b", "placement_group": "pg", "tenancy": "dedicated", "billing": "spot",
            "spot": {"max_price": "0.05"}, "instance_profile_name": "web-role", "monitoring_enabled": true,
            "ebs_optimized": false, "private_ip_address": "10.0.0.25", "kernel": "aki-6eaa4907", "ramdisk_id": "ari-42b95a2b"
        }));
        let at = placement(&spec).unwrap();
        assert_eq!((at.availability_zone(), at.group_name()), (Some("us-east-1b"), Some("pg")));
        assert_eq!(at.tenancy(), Some(&aws_sdk_ec2::types::Tenancy::Dedicated));
        let market = market_options(&spec.settings.billing).unwrap();
        assert_eq!(market.market_type(), Some(&MarketType::Spot));
        let spot = market.spot_options().unwrap();
        assert_eq!((spot.max_price(), spot.spot_instance_type()), (Some("0.05"), Some(&SpotInstanceType::OneTime)));

        let call = run_instances_call(&spec);
        assert_eq!(call.get_instance_market_options().as_ref(), Some(&market));
        assert_eq!(call.get_iam_instance_profile().as_ref().and_then(|p| p.name()), Some("web-role"));
        assert_eq!(call.get_monitoring().as_ref().and_then(|m| m.enabled()), Some(true));
        assert_eq!((*call.get_disable_api_termination(), *call.get_ebs_optimized()), (None, Some(false)));
        assert_eq!(call.get_private_ip_address().as_deref(), Some("10.0.0.25"));
        assert_eq!((call.get_kernel_id().as_deref(), call.get_ramdisk_id().as_deref()), (Some("aki-6eaa4907"), Some("ari-42b95a2b")));
    }

    /// The RunInstances request a spec makes; no request is sent: the builder only holds the
    /// parameters.
    fn run_instances_call(spec: &LaunchSpec) -> RunInstancesFluentBuilder {
        let config = aws_sdk_ec2::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .retry_config(RetryConfig::disabled())
            .build();
        with_settings(Client::from_conf(config).run_instances(), spec)
    }

    #[test]
    fn a_node_without_poni_settings_asks_what_it_asked_before() {
        let spec = spec_with(serde_json::json!({"disable_api_termination": "yes"}));
        assert!(placement(&spec).is_none() && market_options(&spec.settings.billing).is_none());
        let call = run_instances_call(&spec);
        assert_eq!(*call.get_disable_api_termination(), Some(true));
        assert!(call.get_instance_market_options().is_none() && call.get_monitoring().is_none() && call.get_iam_instance_profile().is_none());
        assert!(call.get_ebs_optimized().is_none() && call.get_private_ip_address().is_none() && call.get_kernel_id().is_none());
    }

    #[test]
    fn disks_become_ebs_mappings() {
        let disk = DiskSpec {
            slot: 1,
            device: "/dev/sdb".into(),
            size_gib: Some(10),
            volume_type: Some("gp3".into()),
            iops: Some(3000),
            snapshot_id: None,
            delete_on_termination: false,
        };
        let mapping = block_device(&disk);
        assert_eq!(mapping.device_name(), Some("/dev/sdb"));
        let ebs = mapping.ebs().unwrap();
        assert_eq!((ebs.volume_size(), ebs.iops(), ebs.delete_on_termination()), (Some(10), Some(3000), Some(false)));
        assert_eq!(ebs.volume_type(), Some(&VolumeType::Gp3));
    }
}
