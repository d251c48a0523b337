//! Instance types a region offers, with their size.

use serde::Serialize;
use ts_rs::TS;

use super::Account;
use crate::aws::errors::{from_sdk, ErrorContext};
use crate::aws::{filter, ActionClass, CloudError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct InstanceTypeInfo {
    pub name: String,
    pub vcpus: u32,
    pub memory_mib: u64,
    /// `x86_64`, `arm64`, `i386`.
    pub architectures: Vec<String>,
}

impl Account {
    /// The region's current-generation types, for one architecture when given, smallest first
    /// within each family.
    pub async fn instance_types(&self, region: &str, architecture: Option<&str>) -> Result<Vec<InstanceTypeInfo>, CloudError> {
        let client = self.provider.client(region);
        let ctx = ErrorContext::new("DescribeInstanceTypes", region);
        let mut found = Vec::new();
        let mut next: Option<String> = None;
        loop {
            let page = self
                .provider
                .paced(region, ActionClass::OtherDescribe, |_| {
                    let mut request = client.describe_instance_types().max_results(100).set_next_token(next.clone());
                    if let Some(arch) = architecture {
                        request = request.filters(filter("processor-info.supported-architecture", [arch]));
                    }
                    let ctx = &ctx;
                    async move { request.send().await.map_err(|e| from_sdk(ctx, e)) }
                })
                .await?;
            for t in page.instance_types() {
                if t.current_generation() == Some(false) {
                    continue;
                }
                let Some(name) = t.instance_type() else { continue };
                found.push(InstanceTypeInfo {
                    name: name.as_str().to_owned(),
                    vcpus: t.v_cpu_info().and_then(|v| v.default_v_cpus()).unwrap_or(0).max(0) as u32,
                    memory_mib: t.memory_info().and_then(|m| m.size_in_mib()).unwrap_or(0).max(0) as u64,
                    architectures: t.processor_info().map(|p| p.supported_architectures().iter().map(|a| a.as_str().to_owned()).collect()).unwrap_or_default(),
                });
            }
            match page.next_token() {
                Some(token) if !token.is_empty() => next = Some(token.to_owned()),
                _ => break,
            }
        }
        found.sort_by(|a, b| family(&a.name).cmp(family(&b.name)).then(a.vcpus.cmp(&b.vcpus)).then(a.memory_mib.cmp(&b.memory_mib)).then(a.name.cmp(&b.name)));
        found.dedup_by(|a, b| a.name == b.name);
        Ok(found)
    }
}

/// `t3` of `t3.micro`.
fn family(name: &str) -> &str {
    name.split('.').next().unwrap_or(name)
}
