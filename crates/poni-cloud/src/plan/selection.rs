//! Which nodes a plan is about. The command line selects by pattern (poni's regular
//! expressions); the desktop selects by exact names, a system, or everything, so a name such
//! as `web.1` only ever means itself and no expression is ever built out of names.

use poni_repo::ErrorCode;
use poni_repo::{Item, Kind, Props, RepoError, Target, Tree};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

use crate::spec::{is_aws_region, LaunchSpec, SpecError, SpecProblem};

/// What an action works on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Selection {
    /// One node by its full name.
    Node { name: String },
    /// Several nodes by their full names (the tree's multi-selection).
    Nodes { names: Vec<String> },
    /// Every node under a system, at any depth.
    System { name: String },
    /// Every node of the repository.
    All,
    /// The command line's pattern (a regular expression, as in poni).
    #[serde(skip)]
    #[ts(skip)]
    Pattern(Target),
}

impl From<Target> for Selection {
    fn from(target: Target) -> Selection {
        Selection::Pattern(target)
    }
}

impl Selection {
    /// Exactly these nodes (the desktop's follow-up operations).
    pub fn names<S: AsRef<str>>(names: &[S]) -> Selection {
        Selection::Nodes { names: names.iter().map(|n| n.as_ref().to_owned()).collect() }
    }

    /// A short label for progress lines and confirmations: `drumbo1`, `3 nodes`,
    /// `system webshop`, `all nodes`.
    pub fn label(&self) -> String {
        match self {
            Selection::Node { name } => name.clone(),
            Selection::Nodes { names } if names.len() == 1 => names[0].clone(),
            Selection::Nodes { names } => format!("{} nodes", names.len()),
            Selection::System { name } => format!("system {name}"),
            Selection::All => "all nodes".into(),
            Selection::Pattern(t) => format!("nodes matching '{}'", t.pattern()),
        }
    }

    /// The nodes selected, in tree order. Names that do not exist, or a selection with no
    /// nodes, are errors: an action never silently does nothing.
    pub fn items<'t>(&self, tree: &'t Tree) -> Result<Vec<&'t Item>, SelectionError> {
        let nodes: Vec<&Item> = match self {
            Selection::Node { name } => vec![node(tree, name)?],
            Selection::Nodes { names } => {
                if names.is_empty() {
                    return Err(SelectionError::Empty);
                }
                for name in names {
                    node(tree, name)?;
                }
                let wanted: std::collections::HashSet<&str> = names.iter().map(String::as_str).collect();
                tree.nodes().filter(|n| wanted.contains(n.name.as_str())).collect()
            }
            Selection::System { name } => {
                match tree.get(name) {
                    Some(item) if item.kind == Kind::System => {}
                    Some(_) => return Err(SelectionError::NotASystem(name.clone())),
                    None => return Err(SelectionError::NotFound(name.clone())),
                }
                let prefix = format!("{name}/");
                tree.nodes().filter(|n| n.name.starts_with(&prefix)).collect()
            }
            Selection::All => tree.nodes().collect(),
            Selection::Pattern(target) => {
                let found: Vec<&Item> = tree.nodes().filter(|n| target.matches(&n.name)).collect();
                if found.is_empty() {
                    return Err(SelectionError::Repo(RepoError::NoMatch));
                }
                found
            }
        };
        if nodes.is_empty() {
            return Err(SelectionError::NoNodes(self.label()));
        }
        Ok(nodes)
    }

    /// The selected nodes with the properties in effect for each.
    pub fn select(&self, tree: &Tree) -> Result<Vec<Selected>, SelectionError> {
        Ok(self.items(tree)?.into_iter().map(|item| Selected::of(tree, item)).collect())
    }
}

fn node<'t>(tree: &'t Tree, name: &str) -> Result<&'t Item, SelectionError> {
    match tree.get(name) {
        Some(item) if item.kind == Kind::Node => Ok(item),
        Some(_) => Err(SelectionError::NotANode(name.to_owned())),
        None => Err(SelectionError::NotFound(name.to_owned())),
    }
}

/// Why nothing could be selected.
#[derive(Debug, thiserror::Error)]
pub enum SelectionError {
    #[error("No nodes are selected: select one or more nodes first.")]
    Empty,
    #[error("'{0}' does not exist (it may have been removed or renamed)")]
    NotFound(String),
    #[error("'{0}' is a system: pick a node, or act on the whole system")]
    NotANode(String),
    #[error("'{0}' is a node, not a system")]
    NotASystem(String),
    #[error("There are no nodes in {0}: add a node first.")]
    NoNodes(String),
    #[error("{0}")]
    Repo(#[from] RepoError),
}

impl crate::error::Coded for SelectionError {
    fn code(&self) -> ErrorCode {
        match self {
            SelectionError::Empty => ErrorCode::CloudEmptySelection,
            SelectionError::NotFound(_) => ErrorCode::RepoNotFound,
            SelectionError::NotANode(_) => ErrorCode::CloudNotANode,
            SelectionError::NotASystem(_) => ErrorCode::CloudNotASystem,
            SelectionError::NoNodes(_) => ErrorCode::CloudNoNodes,
            SelectionError::Repo(e) => e.code(),
        }
    }
}

/// One selected node.
#[derive(Debug, Clone)]
pub struct Selected {
    pub name: String,
    /// Properties in effect (systems' merged under the node's own).
    pub effective: Props,
    /// `cloud.instance` from the node's own file: instances belong to nodes, not systems.
    pub instance: Option<String>,
    /// `host` from the node's own file.
    pub host: Option<String>,
    /// Why the node's file cannot be read, if it cannot.
    pub problem: Option<String>,
}

impl Selected {
    pub fn of(tree: &Tree, item: &Item) -> Selected {
        Selected {
            name: item.name.clone(),
            effective: tree.effective(&item.name).unwrap_or_default(),
            instance: instance_of(&item.props),
            host: item.props.get("host").and_then(Value::as_str).map(str::trim).filter(|h| !h.is_empty()).map(str::to_owned),
            problem: item.problem.clone(),
        }
    }

    pub fn cloud(&self) -> Map<String, Value> {
        self.effective.get("cloud").and_then(Value::as_object).cloned().unwrap_or_default()
    }

    /// The region its instance lives in, if the properties name a valid one.
    pub fn region(&self) -> Result<String, String> {
        match self.cloud().get("region") {
            Some(Value::String(r)) if is_aws_region(r.trim()) => Ok(r.trim().to_owned()),
            Some(Value::String(r)) if !r.trim().is_empty() => Err(format!("cloud.region '{r}' is not an AWS region code")),
            _ => Err("cloud.region is not set, so the instance cannot be found".into()),
        }
    }

    /// The launch spec, or every problem with the node's properties.
    pub fn launch_spec(&self) -> Result<LaunchSpec, SpecError> {
        if let Some(problem) = &self.problem {
            return Err(SpecError {
                node: self.name.clone(),
                problems: vec![SpecProblem { property: "node.json".into(), missing: false, message: problem.clone() }],
            });
        }
        LaunchSpec::from_node(&self.name, &self.cloud(), self.effective.get("user"))
    }
}

/// A node's own `cloud.instance`, when it is a non-empty string.
pub fn instance_of(props: &Props) -> Option<String> {
    poni_repo::props::get_path(props, "cloud.instance").and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Coded;
    use poni_repo::{AddNodes, Repo};

    #[test]
    fn selections_pick_exact_names_in_tree_order() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repo::init(dir.path().join("r")).unwrap();
        repo.add_system("web").unwrap();
        for name in ["web/a.1", "web/ax1", "db/pg1", "solo"] {
            repo.add_nodes(&AddNodes::new(name)).unwrap();
        }
        let tree = repo.tree().unwrap();
        let names = |s: Selection| s.items(&tree).unwrap().iter().map(|n| n.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(Selection::names(&["solo", "web/a.1"])), ["solo", "web/a.1"]);
        assert_eq!(names(Selection::names(&["web/a.1"])), ["web/a.1"], "a dot in a name is not a wildcard");
        assert_eq!(names(Selection::System { name: "web".into() }), ["web/a.1", "web/ax1"]);
        assert_eq!(names(Selection::All).len(), 4);
        assert_eq!(names(Selection::Pattern(Target::new("a.1", false).unwrap())), ["web/a.1", "web/ax1"]);
        let code = |s: Selection| s.items(&tree).unwrap_err().code();
        assert_eq!(code(Selection::Node { name: "web".into() }), "cloud.not_a_node");
        assert_eq!(code(Selection::names(&["nope"])), "repo.not_found");
        assert_eq!(code(Selection::Nodes { names: vec![] }), "cloud.empty_selection");
        assert_eq!(code(Selection::System { name: "solo".into() }), "cloud.not_a_system");
        assert_eq!(code(Selection::Pattern(Target::new("zzz", false).unwrap())), "repo.no_match");
    }
}
