//! Instances as plain data, independent of the SDK's types.

use std::collections::BTreeMap;

use aws_sdk_ec2::primitives::DateTimeFormat;
use aws_sdk_ec2::types::{Instance, InstanceStateChange};
use serde::{Deserialize, Serialize};

/// An instance's lifecycle state, named as EC2 names it (`running`, `shutting-down`, …): the
/// one state vocabulary of engine events, reports, the fleet model and the UI (generated
/// TypeScript). `unknown`: never asked, an instance EC2 does not know, or a state EC2 added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, ts_rs::TS)]
#[ts(rename_all = "kebab-case")]
pub enum InstanceState {
    Pending,
    Running,
    Stopping,
    Stopped,
    ShuttingDown,
    Terminated,
    Unknown,
}

impl InstanceState {
    pub const ALL: [InstanceState; 7] = [
        InstanceState::Pending,
        InstanceState::Running,
        InstanceState::Stopping,
        InstanceState::Stopped,
        InstanceState::ShuttingDown,
        InstanceState::Terminated,
        InstanceState::Unknown,
    ];

    /// From EC2's numeric code; only the low byte is the state (the high byte is internal).
    pub fn from_code(code: i32) -> InstanceState {
        match code & 0xff {
            0 => InstanceState::Pending,
            16 => InstanceState::Running,
            32 => InstanceState::ShuttingDown,
            48 => InstanceState::Terminated,
            64 => InstanceState::Stopping,
            80 => InstanceState::Stopped,
            _ => InstanceState::Unknown,
        }
    }

    pub fn from_name(name: &str) -> InstanceState {
        match name {
            "pending" => InstanceState::Pending,
            "running" => InstanceState::Running,
            "shutting-down" => InstanceState::ShuttingDown,
            "terminated" => InstanceState::Terminated,
            "stopping" => InstanceState::Stopping,
            "stopped" => InstanceState::Stopped,
            _ => InstanceState::Unknown,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            InstanceState::Pending => "pending",
            InstanceState::Running => "running",
            InstanceState::ShuttingDown => "shutting-down",
            InstanceState::Terminated => "terminated",
            InstanceState::Stopping => "stopping",
            InstanceState::Stopped => "stopped",
            InstanceState::Unknown => "unknown",
        }
    }

    /// States an instance leaves by itself: worth polling.
    pub fn is_transitional(self) -> bool {
        matches!(self, InstanceState::Pending | InstanceState::Stopping | InstanceState::ShuttingDown)
    }

    /// Still exists or will again (not going away): a repeated init must reuse it.
    pub fn is_live(self) -> bool {
        matches!(self, InstanceState::Pending | InstanceState::Running | InstanceState::Stopping | InstanceState::Stopped)
    }

    fn from_sdk(state: Option<&aws_sdk_ec2::types::InstanceState>) -> InstanceState {
        match state {
            None => InstanceState::Unknown,
            Some(s) => match (s.code(), s.name()) {
                (Some(code), _) => InstanceState::from_code(code),
                (None, Some(name)) => InstanceState::from_name(name.as_str()),
                (None, None) => InstanceState::Unknown,
            },
        }
    }
}

impl std::fmt::Display for InstanceState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// As EC2's name; a name it does not know reads as `unknown` (EC2 may add states).
impl Serialize for InstanceState {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for InstanceState {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(InstanceState::from_name(&String::deserialize(deserializer)?))
    }
}

impl From<InstanceState> for String {
    fn from(state: InstanceState) -> String {
        state.name().to_owned()
    }
}

impl From<&str> for InstanceState {
    fn from(name: &str) -> InstanceState {
        InstanceState::from_name(name)
    }
}

impl From<String> for InstanceState {
    fn from(name: String) -> InstanceState {
        InstanceState::from_name(&name)
    }
}

/// What EC2 says about one instance. Empty strings from EC2 become `None`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceInfo {
    pub id: String,
    pub state: InstanceState,
    pub public_dns: Option<String>,
    pub public_ip: Option<String>,
    pub private_ip: Option<String>,
    pub private_dns: Option<String>,
    /// RFC 3339, e.g. `2024-05-01T12:00:00Z`.
    pub launch_time: Option<String>,
    pub tags: BTreeMap<String, String>,
    /// Why the state last changed (e.g. `Client.UserInitiatedShutdown: …`).
    pub state_reason: Option<String>,
    pub instance_type: Option<String>,
    pub availability_zone: Option<String>,
    pub image_id: Option<String>,
    pub client_token: Option<String>,
    pub key_name: Option<String>,
    /// `(id, name)` of each security group.
    pub security_groups: Vec<(String, String)>,
    pub subnet_id: Option<String>,
    pub vpc_id: Option<String>,
    /// Its position among the instances one RunInstances call launched (`AmiLaunchIndex`).
    pub launch_index: Option<u32>,
    /// `spot`, `scheduled` or `capacity-block` as EC2 names it; `None` for on-demand.
    #[serde(default)]
    pub lifecycle: Option<String>,
    /// EC2's `StateTransitionReason`, e.g. `User initiated (2026-11-30 10:00:00 GMT)`: when a
    /// stopped instance was stopped.
    #[serde(default)]
    pub transition_reason: Option<String>,
}

impl InstanceInfo {
    /// An instance known only by its id and state (EC2 was not asked for the rest).
    pub fn unseen(id: &str, state: InstanceState) -> InstanceInfo {
        InstanceInfo {
            id: id.to_owned(),
            state,
            public_dns: None,
            public_ip: None,
            private_ip: None,
            private_dns: None,
            launch_time: None,
            tags: BTreeMap::new(),
            state_reason: None,
            instance_type: None,
            availability_zone: None,
            image_id: None,
            client_token: None,
            key_name: None,
            security_groups: Vec::new(),
            subnet_id: None,
            vpc_id: None,
            launch_index: None,
            lifecycle: None,
            transition_reason: None,
        }
    }

    /// A spot instance (billed at the spot price, not the on-demand one).
    pub fn is_spot(&self) -> bool {
        self.lifecycle.as_deref() == Some("spot")
    }
}

fn present(value: Option<&str>) -> Option<String> {
    value.filter(|v| !v.is_empty()).map(str::to_owned)
}

impl From<&Instance> for InstanceInfo {
    fn from(i: &Instance) -> InstanceInfo {
        InstanceInfo {
            id: i.instance_id().unwrap_or_default().to_owned(),
            state: InstanceState::from_sdk(i.state()),
            public_dns: present(i.public_dns_name()),
            public_ip: present(i.public_ip_address()),
            private_ip: present(i.private_ip_address()),
            private_dns: present(i.private_dns_name()),
            launch_time: i.launch_time().and_then(|t| t.fmt(DateTimeFormat::DateTime).ok()),
            tags: i.tags().iter().filter_map(|t| Some((t.key()?.to_owned(), t.value().unwrap_or_default().to_owned()))).collect(),
            state_reason: i.state_reason().and_then(|r| present(r.message()).or_else(|| present(r.code()))).or_else(|| present(i.state_transition_reason())),
            instance_type: i.instance_type().map(|t| t.as_str().to_owned()),
            availability_zone: i.placement().and_then(|p| present(p.availability_zone())),
            image_id: present(i.image_id()),
            client_token: present(i.client_token()),
            key_name: present(i.key_name()),
            security_groups: i
                .security_groups()
                .iter()
                .map(|g| (g.group_id().unwrap_or_default().to_owned(), g.group_name().unwrap_or_default().to_owned()))
                .collect(),
            subnet_id: present(i.subnet_id()),
            vpc_id: present(i.vpc_id()),
            launch_index: i.ami_launch_index().and_then(|n| u32::try_from(n).ok()),
            lifecycle: i.instance_lifecycle().and_then(|l| present(Some(l.as_str()))),
            transition_reason: present(i.state_transition_reason()),
        }
    }
}

/// The answer to a terminate/stop/start request for one instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateChange {
    pub id: String,
    pub previous: InstanceState,
    pub current: InstanceState,
}

impl From<&InstanceStateChange> for StateChange {
    fn from(c: &InstanceStateChange) -> StateChange {
        StateChange {
            id: c.instance_id().unwrap_or_default().to_owned(),
            previous: InstanceState::from_sdk(c.previous_state()),
            current: InstanceState::from_sdk(c.current_state()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::{InstanceStateName, Tag};

    #[test]
    fn state_codes_use_the_low_byte() {
        assert_eq!(InstanceState::from_code(16), InstanceState::Running);
        assert_eq!(InstanceState::from_code(16 + 256 * 3), InstanceState::Running);
        assert_eq!(InstanceState::from_code(80), InstanceState::Stopped);
        assert_eq!(InstanceState::from_code(0), InstanceState::Pending);
        assert_eq!(InstanceState::from_code(32), InstanceState::ShuttingDown);
        assert_eq!(InstanceState::from_code(48), InstanceState::Terminated);
        assert_eq!(InstanceState::from_code(64), InstanceState::Stopping);
        assert_eq!(InstanceState::from_code(7), InstanceState::Unknown);
    }

    #[test]
    fn state_names_round_trip_through_serde() {
        for s in ["pending", "running", "shutting-down", "terminated", "stopping", "stopped", "unknown"] {
            let state = InstanceState::from_name(s);
            assert_eq!(serde_json::to_string(&state).unwrap(), format!("\"{s}\""));
            assert_eq!(state.name(), s);
        }
        assert_eq!(InstanceState::from_name("rebooting"), InstanceState::Unknown, "a state EC2 might add");
        let decl = <InstanceState as ts_rs::TS>::decl(&ts_rs::Config::new());
        assert!(decl.contains("\"shutting-down\"") && decl.contains("\"unknown\""), "{decl}");
        assert!(InstanceState::Stopped.is_live() && !InstanceState::ShuttingDown.is_live());
    }

    #[test]
    fn an_sdk_instance_becomes_plain_data() {
        let instance = Instance::builder()
            .instance_id("i-0123")
            .state(aws_sdk_ec2::types::InstanceState::builder().name(InstanceStateName::Running).build())
            .public_dns_name("ec2-1-2-3-4.compute-1.amazonaws.com")
            .private_dns_name("")
            .private_ip_address("10.0.0.5")
            .tags(Tag::builder().key("Name").value("drumbo1").build())
            .launch_time(aws_sdk_ec2::primitives::DateTime::from_secs(1_700_000_000))
            .instance_lifecycle(aws_sdk_ec2::types::InstanceLifecycleType::Spot)
            .build();
        let info = InstanceInfo::from(&instance);
        assert_eq!(info.id, "i-0123");
        assert_eq!(info.state, InstanceState::Running);
        assert_eq!(info.public_dns.as_deref(), Some("ec2-1-2-3-4.compute-1.amazonaws.com"));
        assert_eq!(info.private_dns, None);
        assert_eq!(info.private_ip.as_deref(), Some("10.0.0.5"));
        assert_eq!(info.tags.get("Name").map(String::as_str), Some("drumbo1"));
        assert_eq!(info.launch_time.as_deref(), Some("2023-11-14T22:13:20Z"));
        assert!(info.is_spot());
        assert!(!InstanceInfo::unseen("i-1", InstanceState::Running).is_spot());
        let old: InstanceInfo = serde_json::from_value(serde_json::json!({
            "id": "i-1", "state": "running", "public_dns": null, "public_ip": null, "private_ip": null, "private_dns": null,
            "launch_time": null, "tags": {}, "state_reason": null, "instance_type": null, "availability_zone": null, "image_id": null,
            "client_token": null, "key_name": null, "security_groups": [], "subnet_id": null, "vpc_id": null, "launch_index": null
        }))
        .unwrap();
        assert_eq!((old.lifecycle, old.transition_reason), (None, None), "saved before the fields existed");
    }
}
