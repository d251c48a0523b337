//! What the desktop shows of a repository: plain data made from the core's tree, shaped for
//! the UI and exported to TypeScript.

use poni_repo::{Item, Kind, Tree};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::Path;
use ts_rs::TS;

/// A node or a system, as the UI gets it (`"node"` / `"system"`): the core's own kind.
pub use poni_repo::Kind as ItemKind;

/// One row of the repository tree.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct TreeItem {
    /// Full name, e.g. `webshop/frontend/http1`.
    pub name: String,
    /// Last part of the name.
    pub label: String,
    pub kind: ItemKind,
    pub depth: u32,
    /// Full name of the containing system, `null` at the top.
    pub system: Option<String>,
    /// The node this one was cloned from.
    pub clone_of: Option<String>,
    /// `cloud.instance`, once launched.
    pub instance: Option<String>,
    /// The effective `cloud.region`.
    pub region: Option<String>,
    /// Systems: how many entries they hold.
    pub child_count: u32,
    /// Why the item's file cannot be read.
    pub problem: Option<String>,
}

/// The whole tree, in display order (depth first, sorted by name).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct TreeView {
    pub root: String,
    pub items: Vec<TreeItem>,
    pub node_count: u32,
    pub system_count: u32,
}

impl TreeView {
    pub fn new(root: &Path, tree: &Tree) -> Self {
        let items: Vec<TreeItem> = tree.items().iter().map(|item| tree_item(tree, item)).collect();
        let node_count = items.iter().filter(|i| i.kind == ItemKind::Node).count() as u32;
        Self { root: root.display().to_string(), system_count: items.len() as u32 - node_count, node_count, items }
    }
}

fn tree_item(tree: &Tree, item: &Item) -> TreeItem {
    let system = poni_repo::name::parent(&item.name);
    let cloud_string = |key: &str| item.cloud().and_then(|c| c.get(key)).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string);
    let region = cloud_string("region")
        .or_else(|| tree.ancestors(&item.name).iter().rev().find_map(|s| s.cloud().and_then(|c| c.get("region")).and_then(Value::as_str).map(str::to_string)));
    TreeItem {
        name: item.name.clone(),
        label: poni_repo::name::base(&item.name).to_string(),
        kind: item.kind,
        depth: item.depth as u32,
        system: (!system.is_empty()).then(|| system.to_string()),
        clone_of: item.parent_node().map(str::to_string),
        instance: if item.kind == Kind::Node { cloud_string("instance") } else { None },
        region,
        child_count: item.sub_count as u32,
        problem: item.problem.clone(),
    }
}

/// Where a property shown for an item comes from.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct InheritedValue {
    /// Dotted key.
    pub key: String,
    pub value: Value,
    /// The system that sets it.
    pub from: String,
}

/// Everything the editor and the inspector show of one item.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ItemDetail {
    pub name: String,
    pub kind: ItemKind,
    /// The file that holds the properties.
    pub file: String,
    /// The saved properties, as in the file.
    pub props: serde_json::Map<String, Value>,
    /// Computed by poni, never saved: index, depth, and sub_count for systems.
    #[ts(type = "{ [key: string]: number }")]
    pub computed: serde_json::Map<String, Value>,
    /// Values this item gets from the systems above it (dotted keys it does not set itself).
    pub inherited: Vec<InheritedValue>,
    pub clone_of: Option<String>,
    /// Nodes cloned from this one.
    pub clones: Vec<String>,
    pub problem: Option<String>,
    /// The key pair's private key file, `~/.ssh/<key-pair>.pem`, for nodes that name one
    /// (set on the node or by a system).
    pub key_pair: Option<KeyPairFile>,
    /// The property an edit of the key pair writes (`cloud.key-pair`, or poni 0.8's
    /// `cloud.key_pair` when that is the spelling the item uses).
    pub key_pair_key: String,
}

pub use poni_cloud::account::KeyPairFile;

impl ItemDetail {
    pub fn new(tree: &Tree, item: &Item, file: &Path, home: Option<&Path>) -> Self {
        let mut computed = serde_json::Map::new();
        computed.insert("index".into(), item.index.into());
        computed.insert("depth".into(), item.depth.into());
        if item.kind == Kind::System {
            computed.insert("sub_count".into(), item.sub_count.into());
        }
        let own: std::collections::HashSet<String> = poni_repo::props::flatten(&item.props).into_iter().map(|(k, _)| k).collect();
        let mut inherited: Vec<InheritedValue> = Vec::new();
        for system in tree.ancestors(&item.name).into_iter().rev() {
            for (key, value) in poni_repo::props::flatten(&system.props) {
                let shadowed = own.contains(&key) || inherited.iter().any(|i| i.key == key);
                if !shadowed {
                    inherited.push(InheritedValue { key, value: value.clone(), from: system.name.clone() });
                }
            }
        }
        inherited.sort_by(|a, b| a.key.cmp(&b.key));
        let key_pair = (item.kind == Kind::Node).then(|| key_pair_file(tree, item, home)).flatten();
        Self {
            name: item.name.clone(),
            kind: item.kind,
            file: file.display().to_string(),
            props: item.props.clone(),
            computed,
            inherited,
            clone_of: item.parent_node().map(str::to_string),
            clones: tree.clones_of(&item.name).map(|c| c.name.clone()).collect(),
            problem: item.problem.clone(),
            key_pair,
            key_pair_key: poni_cloud::spec::key_pair_key(item.props.get("cloud").and_then(Value::as_object)).to_owned(),
        }
    }
}

fn key_pair_file(tree: &Tree, item: &Item, home: Option<&Path>) -> Option<KeyPairFile> {
    let effective = tree.effective(&item.name)?;
    let name = poni_cloud::spec::key_pair_name(effective.get("cloud")?.as_object()?)?;
    Some(poni_cloud::account::key_file(&home?.join(".ssh"), &name))
}

/// A request to make nodes, as the clone and new-node dialogs send it.
#[derive(Debug, Clone, PartialEq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct NodesRequest {
    /// Name template, may contain `{id}` or a padded `{id:02}`.
    pub template: String,
    /// `N` (ids 1..N) or `N..M`; empty means one node with id 1.
    pub count: String,
    pub host: Option<String>,
    /// Full name of the node to inherit from.
    pub parent: Option<String>,
    /// Start from a copy of the parent's properties.
    pub copy: bool,
}

/// What a [`NodesRequest`] would make, with clashes marked, before anything is written.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct NodesPlan {
    pub parent: Option<String>,
    pub nodes: Vec<PlannedNode>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct PlannedNode {
    pub name: String,
    pub host: String,
    /// Why this node cannot be made, if it cannot.
    pub clash: Option<String>,
}

/// One property to set: a dotted key and its typed value.
#[derive(Debug, Clone, PartialEq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct PropertyEdit {
    pub key: String,
    pub value: Value,
}

/// The repository the window shows, and the recent ones.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct WorkspaceInfo {
    pub root: Option<String>,
    /// Why the last repository could not be opened, if it could not.
    pub open_error: Option<crate::error::AppError>,
    pub recent: Vec<String>,
    pub default_root: String,
}
