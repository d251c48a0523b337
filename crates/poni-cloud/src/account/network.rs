//! Security groups (with their inbound rules in words, and "Allow SSH"), and subnets.

use std::net::IpAddr;

use aws_sdk_ec2::types::{IpPermission, IpRange, Ipv6Range, SecurityGroup};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{Account, AccountError};
use crate::aws::errors::{from_sdk, ErrorContext};
use crate::aws::{filter, ActionClass, CloudError};
use crate::spec::SecurityGroupRef;

const SSH_PORT: i32 = 22;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct IngressRule {
    /// `tcp`, `udp`, `icmp`, or `-1` for all traffic.
    pub protocol: String,
    pub from_port: Option<i32>,
    pub to_port: Option<i32>,
    /// CIDRs, IPv6 CIDRs, prefix lists and group ids.
    pub sources: Vec<String>,
}

impl IngressRule {
    fn opens(&self, port: i32) -> bool {
        match self.protocol.as_str() {
            "-1" | "all" => true,
            "tcp" | "6" => self.from_port.unwrap_or(0) <= port && port <= self.to_port.unwrap_or(65535),
            _ => false,
        }
    }

    /// "SSH from 203.0.113.0/24", "all traffic from sg-0abc", "TCP 8000-8080 from 10.0.0.0/8".
    fn describe(&self) -> String {
        let what = match (self.protocol.as_str(), self.from_port, self.to_port) {
            ("-1" | "all", _, _) => "all traffic".to_owned(),
            ("tcp" | "6", Some(22), Some(22)) => "SSH".to_owned(),
            ("tcp" | "6", Some(80), Some(80)) => "HTTP".to_owned(),
            ("tcp" | "6", Some(443), Some(443)) => "HTTPS".to_owned(),
            ("tcp" | "6", Some(3389), Some(3389)) => "RDP".to_owned(),
            ("tcp" | "6", Some(0), Some(65535)) => "all TCP".to_owned(),
            (p, Some(a), Some(b)) if a == b => format!("{} {a}", p.to_uppercase()),
            (p, Some(a), Some(b)) => format!("{} {a}-{b}", p.to_uppercase()),
            (p, _, _) => p.to_uppercase(),
        };
        if self.sources.is_empty() {
            what
        } else {
            format!("{what} from {}", self.sources.join(", "))
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct SecurityGroupInfo {
    pub id: String,
    pub name: String,
    pub description: String,
    pub vpc_id: Option<String>,
    pub inbound: Vec<IngressRule>,
    /// One line per inbound rule.
    pub summary: Vec<String>,
    /// Some inbound rule opens TCP port 22.
    pub allows_ssh: bool,
}

impl From<&SecurityGroup> for SecurityGroupInfo {
    fn from(g: &SecurityGroup) -> Self {
        let inbound: Vec<IngressRule> = g.ip_permissions().iter().map(rule).collect();
        SecurityGroupInfo {
            id: g.group_id().unwrap_or_default().to_owned(),
            name: g.group_name().unwrap_or_default().to_owned(),
            description: g.description().unwrap_or_default().to_owned(),
            vpc_id: g.vpc_id().map(str::to_owned),
            summary: inbound.iter().map(IngressRule::describe).collect(),
            allows_ssh: inbound.iter().any(|r| r.opens(SSH_PORT)),
            inbound,
        }
    }
}

fn rule(p: &IpPermission) -> IngressRule {
    let mut sources: Vec<String> = p.ip_ranges().iter().filter_map(|r| r.cidr_ip()).map(str::to_owned).collect();
    sources.extend(p.ipv6_ranges().iter().filter_map(|r| r.cidr_ipv6()).map(str::to_owned));
    sources.extend(p.prefix_list_ids().iter().filter_map(|r| r.prefix_list_id()).map(str::to_owned));
    sources.extend(p.user_id_group_pairs().iter().filter_map(|r| r.group_id().or(r.group_name())).map(str::to_owned));
    IngressRule { protocol: p.ip_protocol().unwrap_or("-1").to_owned(), from_port: p.from_port(), to_port: p.to_port(), sources }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct SubnetInfo {
    pub id: String,
    pub vpc_id: String,
    pub zone: String,
    /// The Name tag.
    pub name: Option<String>,
    pub cidr: String,
    /// Instances launched here get a public address.
    pub public_ip_on_launch: bool,
    pub default_for_zone: bool,
    pub available_ips: u32,
}

/// Where "Allow SSH" puts its rule.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum SshAccessTarget {
    /// Add the rule to this group.
    Existing { group_id: String },
    /// Make a group of this name in the region's default VPC.
    New { name: String },
}

/// What "Allow SSH" did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase", rename = "SshAccessResult")]
pub struct SshAccess {
    pub group: SecurityGroupInfo,
    pub created: bool,
    /// Set for a rule open to the whole internet.
    pub warning: Option<String>,
}

/// A checked address range, with a warning when it is the whole internet.
pub fn check_cidr(cidr: &str) -> Result<(String, Option<String>), AccountError> {
    let bad = || AccountError::InvalidCidr { cidr: cidr.to_owned() };
    let trimmed = cidr.trim();
    let (address, bits) = trimmed.split_once('/').ok_or_else(bad)?;
    let address: IpAddr = address.parse().map_err(|_| bad())?;
    let bits: u8 = bits.parse().map_err(|_| bad())?;
    let max = if address.is_ipv4() { 32 } else { 128 };
    if bits > max {
        return Err(bad());
    }
    let warning =
        (bits == 0).then(|| format!("{trimmed} lets anyone on the internet try to log in over SSH. Prefer your own address (for example 198.51.100.7/32)."));
    Ok((format!("{address}/{bits}"), warning))
}

/// Whether the groups a node names (none: the VPC's `default` group) let SSH in, judged from
/// the region's groups. None when a named group is not in the list (another VPC or account).
pub fn groups_open_ssh(all: &[SecurityGroupInfo], chosen: &[SecurityGroupRef], vpc_id: Option<&str>) -> Option<bool> {
    let found = node_groups(all, chosen, vpc_id)?;
    Some(found.iter().any(|g| g.allows_ssh))
}

/// The group "Allow SSH from this computer" opens for a node: its first group (none named:
/// the VPC's `default` group). None when it is not in the list.
pub fn group_to_open<'a>(all: &'a [SecurityGroupInfo], chosen: &[SecurityGroupRef], vpc_id: Option<&str>) -> Option<&'a SecurityGroupInfo> {
    node_groups(all, chosen, vpc_id)?.into_iter().next()
}

/// The groups a node's instance gets, found in the region's list; None when one is missing.
fn node_groups<'a>(all: &'a [SecurityGroupInfo], chosen: &[SecurityGroupRef], vpc_id: Option<&str>) -> Option<Vec<&'a SecurityGroupInfo>> {
    let in_vpc = |g: &&SecurityGroupInfo| vpc_id.is_none_or(|v| g.vpc_id.as_deref() == Some(v));
    let default_name = [SecurityGroupRef::Name("default".into())];
    let chosen = if chosen.is_empty() { &default_name[..] } else { chosen };
    chosen
        .iter()
        .map(|g| {
            all.iter().filter(in_vpc).find(|info| match g {
                SecurityGroupRef::Id(id) => info.id == *id,
                SecurityGroupRef::Name(name) => info.name == *name,
            })
        })
        .collect()
}

impl Account {
    /// The region's security groups, sorted by VPC and name.
    pub async fn security_groups(&self, region: &str) -> Result<Vec<SecurityGroupInfo>, CloudError> {
        let mut groups: Vec<SecurityGroupInfo> = self.describe_groups(region, None).await?.iter().map(SecurityGroupInfo::from).collect();
        groups.sort_by(|a, b| a.vpc_id.cmp(&b.vpc_id).then(a.name.cmp(&b.name)));
        Ok(groups)
    }

    async fn describe_groups(&self, region: &str, id: Option<&str>) -> Result<Vec<SecurityGroup>, CloudError> {
        let client = self.provider.client(region);
        let ctx = ErrorContext { security_groups: id.map(str::to_owned).into_iter().collect(), ..ErrorContext::new("DescribeSecurityGroups", region) };
        let mut found = Vec::new();
        let mut next: Option<String> = None;
        loop {
            let page = self
                .provider
                .paced(region, ActionClass::OtherDescribe, |_| {
                    let mut request = client.describe_security_groups().set_next_token(next.clone());
                    request = match id {
                        Some(id) => request.group_ids(id),
                        None => request.max_results(1000),
                    };
                    let ctx = &ctx;
                    async move { request.send().await.map_err(|e| from_sdk(ctx, e)) }
                })
                .await?;
            found.extend(page.security_groups().iter().cloned());
            match page.next_token() {
                Some(token) if !token.is_empty() => next = Some(token.to_owned()),
                _ => return Ok(found),
            }
        }
    }

    /// The region's subnets, sorted by VPC, zone and name.
    pub async fn subnets(&self, region: &str) -> Result<Vec<SubnetInfo>, CloudError> {
        let client = self.provider.client(region);
        let ctx = ErrorContext::new("DescribeSubnets", region);
        let out = self
            .provider
            .paced(region, ActionClass::OtherDescribe, |_| {
                let request = client.describe_subnets();
                let ctx = &ctx;
                async move { request.send().await.map_err(|e| from_sdk(ctx, e)) }
            })
            .await?;
        let mut subnets: Vec<SubnetInfo> = out
            .subnets()
            .iter()
            .map(|s| SubnetInfo {
                id: s.subnet_id().unwrap_or_default().to_owned(),
                vpc_id: s.vpc_id().unwrap_or_default().to_owned(),
                zone: s.availability_zone().unwrap_or_default().to_owned(),
                name: s.tags().iter().find(|t| t.key() == Some("Name")).and_then(|t| t.value()).map(str::to_owned),
                cidr: s.cidr_block().unwrap_or_default().to_owned(),
                public_ip_on_launch: s.map_public_ip_on_launch().unwrap_or(false),
                default_for_zone: s.default_for_az().unwrap_or(false),
                available_ips: s.available_ip_address_count().unwrap_or(0).max(0) as u32,
            })
            .collect();
        subnets.sort_by(|a, b| a.vpc_id.cmp(&b.vpc_id).then(a.zone.cmp(&b.zone)).then(a.name.cmp(&b.name)).then(a.id.cmp(&b.id)));
        Ok(subnets)
    }

    /// Opens TCP port 22 from `cidr`: in an existing group, or in a new one of the default
    /// VPC. A rule that is already there counts as done.
    pub async fn allow_ssh(&self, region: &str, target: &SshAccessTarget, cidr: &str) -> Result<SshAccess, AccountError> {
        let (cidr, warning) = check_cidr(cidr)?;
        let client = self.provider.client(region);
        let (group_id, created) = match target {
            SshAccessTarget::Existing { group_id } => (group_id.clone(), false),
            SshAccessTarget::New { name } => (self.create_group(region, name.trim()).await?, true),
        };
        let ctx = ErrorContext { security_groups: vec![group_id.clone()], ..ErrorContext::new("AuthorizeSecurityGroupIngress", region) };
        let permission = {
            let p = IpPermission::builder().ip_protocol("tcp").from_port(SSH_PORT).to_port(SSH_PORT);
            if cidr.contains(':') {
                p.ipv6_ranges(Ipv6Range::builder().cidr_ipv6(&cidr).description("SSH (Poni Desktop)").build()).build()
            } else {
                p.ip_ranges(IpRange::builder().cidr_ip(&cidr).description("SSH (Poni Desktop)").build()).build()
            }
        };
        let authorized = self
            .provider
            .paced(region, ActionClass::OtherMutating, |_| {
                let request = client.authorize_security_group_ingress().group_id(&group_id).ip_permissions(permission.clone());
                let ctx = &ctx;
                async move { request.send().await.map_err(|e| from_sdk(ctx, e)) }
            })
            .await;
        match authorized {
            Ok(_) => {}
            Err(e) if e.aws_code.as_deref() == Some("InvalidPermission.Duplicate") => {}
            Err(e) => return Err(e.into()),
        }
        let group = self.describe_groups(region, Some(&group_id)).await?;
        let group = group.first().map(SecurityGroupInfo::from).ok_or_else(|| {
            CloudError::new(crate::aws::CloudErrorKind::BadResponse, format!("EC2 in {region} did not list the group {group_id} after changing it."))
        })?;
        tracing::info!(group = %group.id, region, %cidr, created, "allowed SSH");
        Ok(SshAccess { group, created, warning })
    }

    async fn create_group(&self, region: &str, name: &str) -> Result<String, AccountError> {
        if name.is_empty() || name.len() > 255 || name.to_ascii_lowercase().starts_with("sg-") {
            return Err(AccountError::Cloud(CloudError::new(
                crate::aws::CloudErrorKind::InvalidParameter,
                format!("'{name}' cannot be a security group name: use up to 255 characters, not starting with sg-."),
            )));
        }
        let vpc = self.default_vpc(region).await?.ok_or_else(|| AccountError::NoDefaultVpc { region: region.to_owned() })?;
        let client = self.provider.client(region);
        let ctx = ErrorContext { security_groups: vec![name.to_owned()], ..ErrorContext::new("CreateSecurityGroup", region) };
        let out = self
            .provider
            .paced(region, ActionClass::OtherMutating, |_| {
                let request = client.create_security_group().group_name(name).description("SSH access, made by Poni Desktop").vpc_id(&vpc);
                let ctx = &ctx;
                async move { request.send().await.map_err(|e| from_sdk(ctx, e)) }
            })
            .await
            .map_err(|e| match e.aws_code.as_deref() {
                Some("InvalidGroup.Duplicate") => AccountError::GroupExists { name: name.to_owned(), region: region.to_owned() },
                _ => e.into(),
            })?;
        Ok(out.group_id().unwrap_or_default().to_owned())
    }

    async fn default_vpc(&self, region: &str) -> Result<Option<String>, CloudError> {
        let client = self.provider.client(region);
        let ctx = ErrorContext::new("DescribeVpcs", region);
        let out = self
            .provider
            .paced(region, ActionClass::OtherDescribe, |_| {
                let request = client.describe_vpcs().filters(filter("is-default", ["true"]));
                let ctx = &ctx;
                async move { request.send().await.map_err(|e| from_sdk(ctx, e)) }
            })
            .await?;
        Ok(out.vpcs().first().and_then(|v| v.vpc_id()).map(str::to_owned))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(id: &str, name: &str, vpc: &str, rules: Vec<IngressRule>) -> SecurityGroupInfo {
        SecurityGroupInfo {
            id: id.into(),
            name: name.into(),
            description: String::new(),
            vpc_id: Some(vpc.into()),
            allows_ssh: rules.iter().any(|r| r.opens(22)),
            summary: rules.iter().map(IngressRule::describe).collect(),
            inbound: rules,
        }
    }

    fn tcp(from: i32, to: i32, source: &str) -> IngressRule {
        IngressRule { protocol: "tcp".into(), from_port: Some(from), to_port: Some(to), sources: vec![source.into()] }
    }

    #[test]
    fn rules_read_as_words() {
        assert_eq!(tcp(22, 22, "203.0.113.0/24").describe(), "SSH from 203.0.113.0/24");
        assert_eq!(tcp(8000, 8080, "10.0.0.0/8").describe(), "TCP 8000-8080 from 10.0.0.0/8");
        let all = IngressRule { protocol: "-1".into(), from_port: None, to_port: None, sources: vec!["sg-1".into()] };
        assert_eq!(all.describe(), "all traffic from sg-1");
        assert!(all.opens(22) && tcp(0, 65535, "x").opens(22) && !tcp(80, 80, "x").opens(22));
    }

    #[test]
    fn cidrs_are_checked_and_the_whole_internet_warned_about() {
        assert_eq!(check_cidr(" 203.0.113.0/24 ").unwrap(), ("203.0.113.0/24".into(), None));
        let (all, warning) = check_cidr("0.0.0.0/0").unwrap();
        assert_eq!(all, "0.0.0.0/0");
        assert!(warning.unwrap().contains("anyone on the internet"));
        assert_eq!(check_cidr("2001:db8::/32").unwrap().0, "2001:db8::/32");
        for bad in ["203.0.113.0", "203.0.113.0/33", "me/32", "", "1.2.3.4/x"] {
            assert_eq!(crate::Coded::code(&check_cidr(bad).unwrap_err()), "ssh.invalid_cidr", "{bad}");
        }
    }

    #[test]
    fn ssh_is_judged_from_the_chosen_groups_or_the_default_one() {
        let all = vec![
            group("sg-d1", "default", "vpc-1", vec![]),
            group("sg-web", "web", "vpc-1", vec![tcp(443, 443, "0.0.0.0/0")]),
            group("sg-ssh", "ssh", "vpc-1", vec![tcp(22, 22, "198.51.100.7/32")]),
            group("sg-d2", "default", "vpc-2", vec![tcp(22, 22, "10.0.0.0/8")]),
        ];
        assert_eq!(groups_open_ssh(&all, &[], Some("vpc-1")), Some(false));
        assert_eq!(groups_open_ssh(&all, &[], Some("vpc-2")), Some(true));
        let web = SecurityGroupRef::Name("web".into());
        let ssh = SecurityGroupRef::Id("sg-ssh".into());
        assert_eq!(groups_open_ssh(&all, std::slice::from_ref(&web), Some("vpc-1")), Some(false));
        assert_eq!(groups_open_ssh(&all, &[web, ssh], Some("vpc-1")), Some(true));
        assert_eq!(groups_open_ssh(&all, &[SecurityGroupRef::Name("elsewhere".into())], None), None);
    }
}
