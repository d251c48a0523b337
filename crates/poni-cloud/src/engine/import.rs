//! Existing fleets: every instance of the account in a region, grouped as tracked by this
//! repository, launched by another poni repository, or untracked; and adopting untracked ones
//! as nodes, named from their Name tag, with the cloud properties and addresses read from the
//! instance. Tagging them as this repository's is offered, not forced.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use poni_repo::Props;
use serde::Serialize;
use serde_json::{json, Value};

use super::identity::{existing_repo_id, repo_id};
use super::report::EngineError;
use super::Engine;
use crate::aws::{InstanceInfo, TAG_NODE, TAG_REPO};
use crate::spec::PROVIDER_AWS_EC2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "InstanceTracking")]
pub enum Tracking {
    /// A node of this repository names it, or it carries this repository's tag.
    Tracked,
    /// Its `poni:repo` tag names another repository.
    OtherRepository,
    Untracked,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FleetInstance {
    pub instance: InstanceInfo,
    pub tracking: Tracking,
    /// The node of this repository that has it.
    pub node: Option<String>,
}

/// One node an import would make.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportNode {
    pub name: String,
    pub instance_id: String,
    /// The Name tag, when the node's name had to differ from it (invalid or taken).
    pub renamed_from: Option<String>,
    pub props: Props,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportPlan {
    pub region: String,
    pub nodes: Vec<ImportNode>,
}

/// Groups instances: tracked (a node has it, or this repository's tag), another repository's, untracked.
pub fn classify(instances: Vec<InstanceInfo>, repo_id: Option<&str>, node_of: &HashMap<String, String>) -> Vec<FleetInstance> {
    instances
        .into_iter()
        .map(|instance| {
            let node = node_of.get(&instance.id).cloned();
            let tag = instance.tags.get(TAG_REPO).map(String::as_str);
            let tracking = match (&node, tag) {
                (Some(_), _) => Tracking::Tracked,
                (None, Some(t)) if Some(t) == repo_id => Tracking::Tracked,
                (None, Some(_)) => Tracking::OtherRepository,
                (None, None) => Tracking::Untracked,
            };
            FleetInstance { instance, tracking, node }
        })
        .collect()
}

/// A valid node name from a Name tag: '/' and characters a folder name cannot hold become
/// '-', leading dots and spaces go; None when nothing is left.
pub fn node_name_from_tag(tag: &str) -> Option<String> {
    let cleaned: String =
        tag.trim().chars().map(|c| if c.is_control() || matches!(c, '/' | '\\' | '<' | '>' | ':' | '"' | '|' | '?' | '*') { '-' } else { c }).collect();
    let cleaned = cleaned.trim_start_matches(['.', ' ']).trim().to_owned();
    let cleaned: String = cleaned.chars().take(200).collect();
    (!cleaned.is_empty() && !matches!(cleaned.as_str(), "node.json" | "system.json")).then_some(cleaned)
}

/// The node's properties, as `cloud init` would have written them for this instance.
fn props_of(region: &str, i: &InstanceInfo) -> Props {
    let mut cloud = serde_json::Map::new();
    cloud.insert("provider".into(), json!(PROVIDER_AWS_EC2));
    cloud.insert("region".into(), json!(region));
    cloud.insert("instance".into(), json!(i.id));
    let mut put = |k: &str, v: &Option<String>| {
        if let Some(v) = v {
            cloud.insert(k.into(), json!(v));
        }
    };
    put("image", &i.image_id);
    put("type", &i.instance_type);
    put("key-pair", &i.key_name);
    put("subnet", &i.subnet_id);
    let groups: Vec<&str> = i.security_groups.iter().map(|(id, name)| if name.is_empty() { id.as_str() } else { name.as_str() }).collect();
    if !groups.is_empty() && groups != ["default"] {
        cloud.insert("security_groups".into(), json!(groups));
    }
    if let Some(name) = i.tags.get("Name") {
        cloud.insert("vm_name".into(), json!(name));
    }
    let mut props = Props::new();
    props.insert("cloud".into(), Value::Object(cloud));
    props.insert("host".into(), json!(i.public_dns.clone().or(i.public_ip.clone()).unwrap_or_default()));
    props.insert("private".into(), json!({"ip": i.private_ip, "dns": i.private_dns.clone().unwrap_or_default()}));
    props
}

/// Instance id -> the node of the tree that names it (`cloud.instance`).
pub(crate) fn instance_nodes(tree: &poni_repo::Tree) -> HashMap<String, String> {
    tree.items()
        .iter()
        .filter_map(|item| {
            let id = item.props.get("cloud")?.get("instance")?.as_str()?;
            (!id.is_empty()).then(|| (id.to_owned(), item.name.clone()))
        })
        .collect()
}

impl Engine {
    /// Every instance of the account in `region` (not terminated), grouped.
    pub async fn account_instances(&self, region: &str) -> Result<Vec<FleetInstance>, EngineError> {
        let node_of = instance_nodes(&self.repo.tree()?);
        let found = self.provider.describe_all(region).await?;
        Ok(classify(found, existing_repo_id(&self.repo).as_deref(), &node_of))
    }

    /// The nodes an import of the region's untracked instances (those with `tag` = value
    /// when given) would make in `into` (a system, made if missing), with names made valid
    /// and unique.
    pub async fn plan_import(&self, region: &str, into: Option<&str>, tag: Option<(&str, &str)>) -> Result<ImportPlan, EngineError> {
        // The system must be one the import can make or use: the dry run and the import
        // refuse the same names.
        if let Some(system) = into {
            poni_repo::name::validate(system)?;
        }
        let instances = self.account_instances(region).await?;
        let tree = self.repo.tree()?;
        if let Some(item) = into.and_then(|system| tree.get(system)).filter(|item| item.kind != poni_repo::Kind::System) {
            return Err(poni_repo::RepoError::Conflict(format!("'{}' is a node: import into a system (a new name makes one)", item.name)).into());
        }
        let mut taken: BTreeSet<String> = tree.items().iter().map(|i| i.name.clone()).collect();
        let prefix = into.map(|s| format!("{s}/")).unwrap_or_default();
        let mut nodes = Vec::new();
        for f in instances.into_iter().filter(|f| f.tracking == Tracking::Untracked) {
            if let Some((key, value)) = tag {
                if f.instance.tags.get(key).map(String::as_str) != Some(value) {
                    continue;
                }
            }
            let tag_name = f.instance.tags.get("Name").cloned();
            let base = tag_name.as_deref().and_then(node_name_from_tag).unwrap_or_else(|| f.instance.id.clone());
            let mut name = format!("{prefix}{base}");
            let mut n = 2;
            while taken.contains(&name) || poni_repo::name::validate(&name).is_err() {
                name = format!("{prefix}{base}-{n}");
                n += 1;
                if n > 10_000 {
                    name = format!("{prefix}{}", f.instance.id);
                    break;
                }
            }
            taken.insert(name.clone());
            let renamed_from = tag_name.filter(|t| format!("{prefix}{t}") != name);
            nodes.push(ImportNode { props: props_of(region, &f.instance), instance_id: f.instance.id.clone(), renamed_from, name });
        }
        nodes.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(ImportPlan { region: region.to_owned(), nodes })
    }

    /// Writes the plan's nodes; with `tag`, also tags their instances as this repository's
    /// (`poni:repo`, `poni:node`) so launches and refreshes find them like their own.
    pub async fn import(&self, plan: &ImportPlan, tag: bool) -> Result<Vec<String>, EngineError> {
        // One change, however many instances: one undo takes the whole import back.
        let nodes: Vec<(String, Props)> = plan.nodes.iter().map(|n| (n.name.clone(), n.props.clone())).collect();
        if !nodes.is_empty() {
            self.repo.import_nodes(&nodes)?;
        }
        if tag && !plan.nodes.is_empty() {
            let id = repo_id(&self.repo)?;
            for node in &plan.nodes {
                let tags = BTreeMap::from([(TAG_REPO.to_owned(), id.clone()), (TAG_NODE.to_owned(), node.name.clone())]);
                self.provider.set_tags(&plan.region, std::slice::from_ref(&node.instance_id), &tags).await?;
            }
        }
        Ok(plan.nodes.iter().map(|n| n.name.clone()).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_tags_become_valid_names() {
        assert_eq!(node_name_from_tag("web 1").as_deref(), Some("web 1"));
        assert_eq!(node_name_from_tag("prod/web:1").as_deref(), Some("prod-web-1"));
        assert_eq!(node_name_from_tag("  .hidden").as_deref(), Some("hidden"));
        assert_eq!(node_name_from_tag(" ... "), None);
        assert_eq!(node_name_from_tag("node.json"), None);
    }
}
