//! The launch settings poni 0.8 reads besides image, type, key pair, network, disks and tags
//! (cloud_aws.py's `optional_args` and `billing`), each checked and sent to RunInstances:
//! `cloud.billing` with `cloud.spot.max_price`, `cloud.instance_profile_name`,
//! `cloud.disable_api_termination`, `cloud.monitoring_enabled`, `cloud.ebs_optimized`,
//! `cloud.private_ip_address`, `cloud.tenancy`, `cloud.placement_group`, `cloud.kernel` and
//! `cloud.ramdisk` (poni 0.8's code reads `cloud.ramdisk_id`; both are accepted).

use std::net::Ipv4Addr;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

use super::problems::Problems;
use super::values::{boolean, shown};
use super::{either, ids, text_of};

/// Both names a ramdisk may be set under: poni 0.8's documentation's, then its code's.
pub const RAMDISK_KEYS: [&str; 2] = ["cloud.ramdisk", "cloud.ramdisk_id"];
/// EC2 refuses a spot price under a tenth of a cent.
const MIN_SPOT_PRICE: f64 = 0.001;

/// The settings, as RunInstances gets them. The default is what poni 0.8 does when none is set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct InstanceSettings {
    /// `cloud.billing`, with `cloud.spot.max_price` for spot.
    pub billing: Billing,
    /// `cloud.instance_profile_name`: the IAM instance profile the instance runs with.
    pub instance_profile: Option<String>,
    /// `cloud.disable_api_termination`: EC2 refuses to terminate the instance (termination
    /// protection), and so does Poni.
    pub disable_api_termination: bool,
    /// `cloud.monitoring_enabled`: CloudWatch detailed (one-minute) monitoring.
    pub monitoring: bool,
    /// `cloud.ebs_optimized`, which poni 0.8 reads but does not document; unset: the
    /// instance type's default.
    pub ebs_optimized: Option<bool>,
    /// `cloud.private_ip_address`: the primary private address, from the subnet's range.
    pub private_ip: Option<Ipv4Addr>,
    /// `cloud.tenancy`; unset: the VPC's.
    pub tenancy: Option<Tenancy>,
    /// `cloud.placement_group`: the placement group's name.
    pub placement_group: Option<String>,
    /// `cloud.kernel` (aki-…), for old paravirtual images.
    pub kernel_id: Option<String>,
    /// `cloud.ramdisk` or `cloud.ramdisk_id` (ari-…), for old paravirtual images.
    pub ramdisk_id: Option<String>,
}

impl InstanceSettings {
    pub(crate) fn is_default(&self) -> bool {
        *self == InstanceSettings::default()
    }

    /// The settings that are not defaults, in words, for a one-line launch plan.
    pub fn described(&self) -> Vec<String> {
        let mut said = Vec::new();
        if let Some(price) = self.billing.spot_max_price() {
            said.push(format!("spot at most {price} USD an hour"));
        }
        let mut named = |what: &str, value: &Option<String>| {
            if let Some(v) = value {
                said.push(format!("{what} {v}"));
            }
        };
        named("IAM instance profile", &self.instance_profile);
        named("placement group", &self.placement_group);
        named("kernel", &self.kernel_id);
        named("ramdisk", &self.ramdisk_id);
        if let Some(ip) = self.private_ip {
            said.push(format!("private address {ip}"));
        }
        if let Some(tenancy) = self.tenancy {
            said.push(format!("{} tenancy", tenancy.as_str()));
        }
        if self.disable_api_termination {
            said.push("termination protection".into());
        }
        if self.monitoring {
            said.push("detailed monitoring".into());
        }
        match self.ebs_optimized {
            Some(true) => said.push("EBS-optimized".into()),
            Some(false) => said.push("not EBS-optimized".into()),
            None => {}
        }
        said
    }
}

/// How the instance is paid for (`cloud.billing`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "kebab-case", rename_all_fields = "camelCase")]
pub enum Billing {
    /// `on-demand`, poni 0.8's default.
    #[default]
    OnDemand,
    /// `spot`: a one-time spot instance, launched only while the spot price is at most
    /// `max_price` (US dollars an hour, as EC2 takes it: e.g. `0.05`).
    Spot { max_price: String },
}

impl Billing {
    /// The spot price limit, for a spot instance.
    pub fn spot_max_price(&self) -> Option<&str> {
        match self {
            Billing::Spot { max_price } => Some(max_price),
            Billing::OnDemand => None,
        }
    }
}

/// Whose hardware the instance runs on (`cloud.tenancy`), as EC2 names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Tenancy {
    /// Shared hardware.
    Default,
    /// Hardware that runs only this account's instances.
    Dedicated,
    /// A Dedicated Host of the account (one with auto-placement on, as no host is named).
    Host,
}

impl Tenancy {
    const ALL: [Tenancy; 3] = [Tenancy::Default, Tenancy::Dedicated, Tenancy::Host];

    pub fn as_str(self) -> &'static str {
        match self {
            Tenancy::Default => "default",
            Tenancy::Dedicated => "dedicated",
            Tenancy::Host => "host",
        }
    }
}

pub(super) fn parse_settings(cloud: &Map<String, Value>, p: &mut Problems) -> InstanceSettings {
    let billing = parse_billing(cloud.get("billing"), cloud.get("spot"), p);
    let disable_api_termination = flag(cloud, "disable_api_termination", p).unwrap_or(false);
    if disable_api_termination && billing.spot_max_price().is_some() {
        p.invalid(
            "cloud.disable_api_termination",
            "cloud.disable_api_termination cannot be true for a spot instance (cloud.billing is spot): EC2 does not protect spot instances from termination",
        );
    }
    InstanceSettings {
        billing,
        instance_profile: parse_instance_profile(text_of(cloud, p, "instance_profile_name"), p),
        disable_api_termination,
        monitoring: flag(cloud, "monitoring_enabled", p).unwrap_or(false),
        ebs_optimized: flag(cloud, "ebs_optimized", p),
        private_ip: parse_private_ip(text_of(cloud, p, "private_ip_address"), p),
        tenancy: parse_tenancy(text_of(cloud, p, "tenancy"), p),
        placement_group: parse_placement_group(text_of(cloud, p, "placement_group"), p),
        kernel_id: image_part(text_of(cloud, p, "kernel"), "cloud.kernel", ("kernel", "aki"), ids::is_kernel_id, p),
        ramdisk_id: parse_ramdisk(cloud, p),
    }
}

/// A yes/no property, `None` when not set. poni 0.8 took any non-empty value as yes (Python's
/// `bool("false")` is true); here `false`, `no`, `off` and `0` mean no, as they say.
pub(super) fn flag(cloud: &Map<String, Value>, key: &str, p: &mut Problems) -> Option<bool> {
    let value = cloud.get(key).filter(|v| !v.is_null())?;
    let read = boolean(value);
    if read.is_none() {
        p.invalid(format!("cloud.{key}"), format!("cloud.{key} {} must be true or false", shown(value)));
    }
    read
}

fn parse_billing(billing: Option<&Value>, spot: Option<&Value>, p: &mut Problems) -> Billing {
    let kind = match billing {
        None | Some(Value::Null) => return Billing::OnDemand,
        Some(Value::String(s)) => s.trim(),
        Some(other) => {
            p.invalid("cloud.billing", format!("cloud.billing {} must be 'on-demand' (the default) or 'spot'", shown(other)));
            return Billing::OnDemand;
        }
    };
    match kind {
        "on-demand" => Billing::OnDemand,
        "spot" => Billing::Spot { max_price: parse_max_price(spot, p) },
        other => {
            p.invalid("cloud.billing", format!("cloud.billing '{other}' is not a billing type: 'on-demand' (the default) or 'spot'"));
            Billing::OnDemand
        }
    }
}

/// `cloud.spot.max_price`, required for spot as in poni 0.8 (EC2 would otherwise cap the
/// price at the on-demand one, which nobody chose).
fn parse_max_price(spot: Option<&Value>, p: &mut Problems) -> String {
    const KEY: &str = "cloud.spot.max_price";
    let value = match spot {
        None | Some(Value::Null) => None,
        Some(Value::Object(spot)) => spot.get("max_price").filter(|v| !v.is_null()),
        Some(other) => {
            p.invalid("cloud.spot", format!("cloud.spot {} must be an object holding max_price (e.g. {{\"max_price\": 0.05}})", shown(other)));
            return String::new();
        }
    };
    let Some(value) = value else {
        p.missing(
            KEY,
            "cloud.spot.max_price is not set: a spot instance (cloud.billing is spot) needs the most it may cost, in US dollars an hour (e.g. 0.05)",
        );
        return String::new();
    };
    price(value).unwrap_or_else(|| {
        p.invalid(KEY, format!("cloud.spot.max_price {} must be a price in US dollars an hour of at least 0.001 (e.g. 0.05)", shown(value)));
        String::new()
    })
}

/// A price as EC2 takes it: plain decimal digits (no exponent, no sign), at least 0.001.
fn price(value: &Value) -> Option<String> {
    let text = match value {
        // f64's Display never writes an exponent: 1e-3 becomes "0.001".
        Value::Number(n) => n.as_f64()?.to_string(),
        Value::String(s) => s.trim().to_owned(),
        _ => return None,
    };
    let decimal = text.chars().all(|c| c.is_ascii_digit() || c == '.') && text.matches('.').count() <= 1 && text.chars().any(|c| c.is_ascii_digit());
    let amount: f64 = text.parse().ok()?;
    (decimal && amount >= MIN_SPOT_PRICE).then_some(text)
}

fn parse_instance_profile(name: Option<String>, p: &mut Problems) -> Option<String> {
    const KEY: &str = "cloud.instance_profile_name";
    let name = name.filter(|n| !n.is_empty())?;
    if name.starts_with("arn:") {
        p.invalid(KEY, format!("{KEY} '{name}' is an ARN: give the instance profile's name (the part after 'instance-profile/')"));
    } else if name.len() > 128 || !name.chars().all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c)) {
        p.invalid(KEY, format!("{KEY} '{name}' is not an IAM instance profile name (up to 128 letters, digits and + = , . @ _ -)"));
    }
    Some(name)
}

fn parse_private_ip(text: Option<String>, p: &mut Problems) -> Option<Ipv4Addr> {
    let text = text.filter(|t| !t.is_empty())?;
    match text.parse::<Ipv4Addr>() {
        Ok(ip) if !(ip.is_unspecified() || ip.is_loopback() || ip.is_multicast() || ip.is_broadcast() || ip.is_link_local()) => Some(ip),
        _ => {
            p.invalid(
                "cloud.private_ip_address",
                format!("cloud.private_ip_address '{text}' is not an IPv4 address an instance can have (e.g. 10.0.0.25, from the subnet's range)"),
            );
            None
        }
    }
}

fn parse_tenancy(text: Option<String>, p: &mut Problems) -> Option<Tenancy> {
    let text = text.filter(|t| !t.is_empty())?;
    let tenancy = Tenancy::ALL.into_iter().find(|t| t.as_str().eq_ignore_ascii_case(&text));
    if tenancy.is_none() {
        p.invalid("cloud.tenancy", format!("cloud.tenancy '{text}' is not a tenancy: 'default', 'dedicated' or 'host'"));
    }
    tenancy
}

fn parse_placement_group(name: Option<String>, p: &mut Problems) -> Option<String> {
    let name = name.filter(|n| !n.is_empty())?;
    if name.len() > 255 || !name.chars().all(|c| c.is_ascii() && !c.is_ascii_control()) {
        p.invalid("cloud.placement_group", format!("cloud.placement_group '{name}' is not a placement group name (up to 255 ASCII characters)"));
    }
    Some(name)
}

/// `cloud.ramdisk` (documented) or `cloud.ramdisk_id` (what poni 0.8's code reads).
fn parse_ramdisk(cloud: &Map<String, Value>, p: &mut Problems) -> Option<String> {
    let documented = text_of(cloud, p, "ramdisk");
    let read = text_of(cloud, p, "ramdisk_id");
    let id = either(RAMDISK_KEYS, documented, read, p);
    image_part(id, RAMDISK_KEYS[0], ("ramdisk", "ari"), ids::is_ramdisk_id, p)
}

/// A kernel or ramdisk id, checked for its prefix.
fn image_part(id: Option<String>, property: &str, (what, prefix): (&str, &str), valid: fn(&str) -> bool, p: &mut Problems) -> Option<String> {
    let id = id.filter(|i| !i.is_empty())?;
    if !valid(&id) {
        p.invalid(property, format!("{property} '{id}' is not a {what} id ({prefix}-…)"));
    }
    Some(id)
}
