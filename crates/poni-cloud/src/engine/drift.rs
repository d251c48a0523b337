//! Where the repository and the cloud disagree: for each node with an instance, its launch
//! properties (type, image, key pair, security groups, subnet, Name tag) against the live
//! instance, and its saved addresses against the live ones. One DescribeInstances per region.

use crate::plan::Selection;
use poni_repo::ErrorCode;
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

use poni_repo::props::{set_path, unset_path};
use serde_json::json;

use super::events::{EngineEvent, Operation, PropertyChange};
use super::report::{EngineError, NodeReport, Outcome};
use super::{identity, Engine, EngineIssue};
use crate::aws::{CloudError, InstanceInfo, TAG_NAME};
use crate::spec::{LaunchSpec, SecurityGroupRef, SubnetRef};
use crate::ErrorPayload;

/// What differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum DriftField {
    InstanceType,
    Image,
    KeyPair,
    SecurityGroups,
    Subnet,
    NameTag,
    Host,
    PrivateIp,
    PrivateDns,
}

impl DriftField {
    /// The node property it compares (for messages and "take the instance's value").
    pub fn property(self) -> &'static str {
        match self {
            DriftField::InstanceType => "cloud.type",
            DriftField::Image => "cloud.image",
            DriftField::KeyPair => "cloud.key-pair",
            DriftField::SecurityGroups => "cloud.security_groups",
            DriftField::Subnet => "cloud.subnet",
            DriftField::NameTag => "cloud.vm_name",
            DriftField::Host => "host",
            DriftField::PrivateIp => "private.ip",
            DriftField::PrivateDns => "private.dns",
        }
    }

    /// Addresses are refreshed; launch properties are taken into the node.
    pub fn is_address(self) -> bool {
        matches!(self, DriftField::Host | DriftField::PrivateIp | DriftField::PrivateDns)
    }

    /// What makes the node say what `live` has: properties to set (on the node itself, over
    /// anything a system sets) and to remove. None for addresses, which are refreshed instead.
    pub fn take(self, live: &InstanceInfo) -> Option<NodeEdit> {
        let text = |v: &Option<String>| json!(v.clone().unwrap_or_default());
        let set = |key: &'static str, value: Value| Some(NodeEdit { set: vec![(key, value)], unset: Vec::new() });
        match self {
            DriftField::InstanceType => set("cloud.type", text(&live.instance_type)),
            DriftField::Image => set("cloud.image", text(&live.image_id)),
            // One spelling only: two that disagree would make the node invalid.
            DriftField::KeyPair => Some(NodeEdit { set: vec![("cloud.key-pair", text(&live.key_name))], unset: vec!["cloud.key_pair"] }),
            DriftField::SecurityGroups => {
                let groups: Vec<&str> = live.security_groups.iter().map(|(id, name)| if name.is_empty() { id.as_str() } else { name.as_str() }).collect();
                set("cloud.security_groups", json!(groups))
            }
            DriftField::Subnet => set("cloud.subnet", text(&live.subnet_id)),
            DriftField::NameTag => match live.tags.get(TAG_NAME).filter(|n| !n.is_empty()) {
                Some(name) => set("cloud.vm_name", json!(name)),
                None => Some(NodeEdit { set: Vec::new(), unset: vec!["cloud.vm_name"] }),
            },
            DriftField::Host | DriftField::PrivateIp | DriftField::PrivateDns => None,
        }
    }
}

/// Property changes to one node.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NodeEdit {
    pub set: Vec<(&'static str, Value)>,
    pub unset: Vec<&'static str>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct Drift {
    pub node: String,
    pub instance_id: String,
    pub field: DriftField,
    /// What the node says ("" when it says nothing).
    pub node_value: String,
    /// What the instance has.
    pub instance_value: String,
}

/// The drift of every selected node, and the nodes that could not be compared.
#[derive(Debug, Clone, Default)]
pub struct DiffReport {
    pub drifts: Vec<Drift>,
    /// Nodes whose instance could not be read (not found, a cloud error, a bad region).
    pub failed: Vec<NodeReport>,
    /// Nodes compared (with an instance that was found).
    pub compared: usize,
}

fn text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// The differences between a node and its instance. Pure: tested without a cloud.
pub fn drift_of(node: &str, effective: &poni_repo::Props, spec: Option<&LaunchSpec>, live: &InstanceInfo) -> Vec<Drift> {
    let mut out = Vec::new();
    let mut differ = |field, node_value: String, instance_value: String| {
        if node_value != instance_value {
            out.push(Drift { node: node.to_owned(), instance_id: live.id.clone(), field, node_value, instance_value });
        }
    };
    if let Some(spec) = spec {
        let live_type = live.instance_type.clone().unwrap_or_default();
        // Several types are fallbacks for capacity: any of them is what the node asked for.
        if !spec.instance_types.contains(&live_type) {
            differ(DriftField::InstanceType, spec.instance_types.join(", "), live_type);
        }
        differ(DriftField::Image, spec.image_id.clone(), live.image_id.clone().unwrap_or_default());
        differ(DriftField::KeyPair, spec.key_pair.clone(), live.key_name.clone().unwrap_or_default());
        let matches = |g: &SecurityGroupRef, (id, name): &(String, String)| match g {
            SecurityGroupRef::Id(want) => want == id,
            SecurityGroupRef::Name(want) => want == name,
        };
        let wanted: Vec<SecurityGroupRef> =
            if spec.security_groups.is_empty() { vec![SecurityGroupRef::Name("default".into())] } else { spec.security_groups.clone() };
        let same_groups = wanted.len() == live.security_groups.len() && wanted.iter().all(|g| live.security_groups.iter().any(|l| matches(g, l)));
        if !same_groups {
            let shown: Vec<String> = spec
                .security_groups
                .iter()
                .map(|g| match g {
                    SecurityGroupRef::Id(s) | SecurityGroupRef::Name(s) => s.clone(),
                })
                .collect();
            let live_names: Vec<String> = live.security_groups.iter().map(|(id, name)| if name.is_empty() { id.clone() } else { name.clone() }).collect();
            differ(DriftField::SecurityGroups, shown.join(", "), live_names.join(", "));
        }
        if let Some(SubnetRef::Id(want)) = &spec.subnet {
            differ(DriftField::Subnet, want.clone(), live.subnet_id.clone().unwrap_or_default());
        }
        differ(DriftField::NameTag, spec.vm_name.clone(), live.tags.get("Name").cloned().unwrap_or_default());
    }
    // Addresses as a refresh saves them (one rule: a refresh after --take then agrees).
    let saved = super::addresses::Addresses::of(live);
    differ(DriftField::Host, text(effective.get("host")), saved.host);
    let private = effective.get("private");
    differ(DriftField::PrivateIp, text(private.and_then(|p| p.get("ip"))), text(Some(&saved.private_ip)));
    differ(DriftField::PrivateDns, text(private.and_then(|p| p.get("dns"))), saved.private_dns);
    out
}

impl Engine {
    /// Makes `node` say what its instance has for `fields`: launch properties are written into
    /// the node in one change, addresses are refreshed as `update` does. The instance is read
    /// afresh, so what is written is what EC2 says now. Returns the properties changed.
    pub async fn take_instance_values(&self, node: &str, fields: &[DriftField]) -> Result<Vec<PropertyChange>, EngineError> {
        let tree = self.repo.tree()?;
        let nodes = Selection::Node { name: node.to_owned() }.select(&tree)?;
        let (mut reports, by_region) = self.instances_by_region(Operation::Status, &nodes);
        if let Some(Some(report)) = reports.pop() {
            let error = report.error.unwrap_or_else(|| {
                ErrorPayload::new(ErrorCode::NodeNoInstance, format!("'{node}' has no instance to take values from: launch it or import one"))
            });
            return Err(EngineError::Node(error));
        }
        let (region, list) = by_region.into_iter().next().expect("a node with an instance in a region");
        let id = list[0].1.clone();
        let repo_id = identity::existing_repo_id(&self.repo).unwrap_or_default();
        let mut known = self.describe_regions(&repo_id, &[(region.clone(), vec![id.clone()])].into()).await;
        let found = known.remove(&region).expect("asked for this region")?;
        let live = found.get(&id).ok_or_else(|| {
            EngineError::Cloud(CloudError::new(crate::aws::CloudErrorKind::InstanceNotFound, format!("instance {id} does not exist in {region}")))
        })?;
        let edits: Vec<NodeEdit> = fields.iter().filter_map(|f| f.take(live)).collect();
        let mut changes = Vec::new();
        if !edits.is_empty() {
            let mut before = None;
            let changed = self.repo.update(node, |props| {
                before = Some(props.clone());
                let mut changes = Vec::new();
                for edit in &edits {
                    for key in &edit.unset {
                        changes.extend(unset_path(props, key)?);
                    }
                    for (key, value) in &edit.set {
                        changes.extend(set_path(props, key, value.clone())?);
                    }
                }
                Ok(changes)
            })?;
            changes.extend(changed.into_iter().map(|c| PropertyChange { key: c.key, old: c.old, new: c.new.unwrap_or(Value::Null) }));
        }
        if fields.iter().any(|f| f.is_address()) {
            changes.extend(super::addresses::Addresses::of(live).save(&self.repo, node)?);
        }
        if !changes.is_empty() {
            self.emit(EngineEvent::PropertiesUpdated { node: node.to_owned(), changes: changes.clone() });
        }
        Ok(changes)
    }

    /// Compares the selected nodes that have an instance with what EC2 says; changes nothing.
    pub async fn diff(&self, selection: &Selection) -> Result<DiffReport, EngineError> {
        let tree = self.repo.tree()?;
        let nodes = selection.select(&tree)?;
        let (reports, by_region) = self.instances_by_region(Operation::Status, &nodes);
        let mut report = DiffReport::default();
        report.failed.extend(reports.into_iter().flatten().filter(|r| r.outcome != Outcome::NoInstance));
        if by_region.is_empty() {
            return Ok(report);
        }
        let repo_id = identity::existing_repo_id(&self.repo).unwrap_or_default();
        let ids = by_region.iter().map(|(r, list)| (r.clone(), list.iter().map(|(_, id)| id.clone()).collect())).collect();
        let known = self.describe_regions(&repo_id, &ids).await;
        for (region, list) in &by_region {
            for (i, id) in list {
                let node = &nodes[*i];
                match &known[region] {
                    Err(e) => report.failed.push(self.fail(&node.name, Some(id), e)),
                    Ok(found) => match found.get(id) {
                        None => {
                            let issue = EngineIssue::new(ErrorCode::CloudInstanceNotFound, format!("instance {id} does not exist in {region}"));
                            report.failed.push(self.fail(&node.name, Some(id), &issue));
                        }
                        // Nothing to compare a node with: it needs a new instance, not its
                        // addresses blanked without a word.
                        Some(live) if live.state == crate::aws::InstanceState::Terminated => {
                            let issue = EngineIssue::new(
                                ErrorCode::CloudInstanceState,
                                format!("instance {id} is terminated: launch a new one for it (cloud init --reinit) or remove the node"),
                            );
                            report.failed.push(self.fail(&node.name, Some(id), &issue));
                        }
                        Some(live) => {
                            report.compared += 1;
                            // A node that could not launch as it is (imported, no `user`) is
                            // still compared on what its properties say.
                            let spec = node.launch_spec().unwrap_or_else(|_| LaunchSpec::lenient(&node.name, &node.cloud(), node.effective.get("user")));
                            report.drifts.extend(drift_of(&node.name, &node.effective, Some(&spec), live));
                        }
                    },
                }
            }
        }
        report.drifts.sort_by(|a, b| a.node.cmp(&b.node).then(a.field.cmp(&b.field)));
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::InstanceState;

    #[test]
    fn taking_the_instances_values_writes_the_node_properties_it_compared() {
        let live = live();
        let take = |f: DriftField| f.take(&live);
        assert_eq!(take(DriftField::InstanceType).unwrap().set, [("cloud.type", json!("t3.small"))]);
        let kp = take(DriftField::KeyPair).unwrap();
        assert_eq!((kp.set, kp.unset), (vec![("cloud.key-pair", json!("kp"))], vec!["cloud.key_pair"]), "one spelling left");
        assert_eq!(take(DriftField::SecurityGroups).unwrap().set, [("cloud.security_groups", json!(["web"]))]);
        assert_eq!(take(DriftField::Subnet).unwrap().set, [("cloud.subnet", json!("subnet-0123456789abcdef0"))]);
        assert!(take(DriftField::Host).is_none() && DriftField::Host.is_address(), "addresses are refreshed instead");
        // Every launch field's edit sets the property the field compares.
        for f in [DriftField::InstanceType, DriftField::Image, DriftField::KeyPair, DriftField::SecurityGroups, DriftField::Subnet] {
            assert_eq!(take(f).unwrap().set[0].0, f.property(), "{f:?}");
        }
    }

    fn live() -> InstanceInfo {
        InstanceInfo {
            id: "i-1".into(),
            state: InstanceState::Running,
            public_dns: Some("ec2-1.compute-1.amazonaws.com".into()),
            public_ip: Some("1.2.3.4".into()),
            private_ip: Some("10.0.0.5".into()),
            private_dns: Some("ip-10-0-0-5.ec2.internal".into()),
            launch_time: None,
            tags: [("Name".to_string(), "web1".to_string())].into(),
            state_reason: None,
            instance_type: Some("t3.small".into()),
            availability_zone: Some("us-east-1a".into()),
            image_id: Some("ami-0123456789abcdef0".into()),
            client_token: None,
            key_name: Some("kp".into()),
            security_groups: vec![("sg-1".into(), "web".into())],
            subnet_id: Some("subnet-0123456789abcdef0".into()),
            vpc_id: Some("vpc-1".into()),
            launch_index: None,
            lifecycle: None,
            transition_reason: None,
        }
    }

    fn node(cloud: Value) -> (poni_repo::Props, LaunchSpec) {
        let props: poni_repo::Props = serde_json::from_value(json!({
            "cloud": cloud, "user": "root", "host": "ec2-1.compute-1.amazonaws.com",
            "private": {"ip": "10.0.0.5", "dns": "ip-10-0-0-5.ec2.internal"}
        }))
        .unwrap();
        let spec = LaunchSpec::from_node("web1", props["cloud"].as_object().unwrap(), props.get("user")).unwrap();
        (props, spec)
    }

    #[test]
    fn a_node_that_matches_its_instance_has_no_drift() {
        let (props, spec) = node(json!({"provider": "aws-ec2", "region": "us-east-1", "image": "ami-0123456789abcdef0", "key-pair": "kp",
            "type": ["t3.micro", "t3.small"], "security_groups": ["web"], "subnet": "subnet-0123456789abcdef0", "instance": "i-1"}));
        assert_eq!(drift_of("web1", &props, Some(&spec), &live()), []);
    }

    #[test]
    fn type_groups_and_addresses_changed_behind_the_repository() {
        let (mut props, spec) = node(json!({"provider": "aws-ec2", "region": "us-east-1", "image": "ami-0123456789abcdef0", "key-pair": "kp",
            "type": "t3.micro", "security_groups": ["web", "ssh"], "instance": "i-1"}));
        props.insert("host".into(), json!(""));
        let d = drift_of("web1", &props, Some(&spec), &live());
        let fields: Vec<DriftField> = d.iter().map(|d| d.field).collect();
        assert_eq!(fields, [DriftField::InstanceType, DriftField::SecurityGroups, DriftField::Host]);
        assert_eq!((d[0].node_value.as_str(), d[0].instance_value.as_str()), ("t3.micro", "t3.small"));
        assert_eq!((d[1].node_value.as_str(), d[1].instance_value.as_str()), ("web, ssh", "web"));
        assert_eq!(DriftField::SecurityGroups.property(), "cloud.security_groups");
        assert!(DriftField::Host.is_address() && !DriftField::Image.is_address());
    }
}
