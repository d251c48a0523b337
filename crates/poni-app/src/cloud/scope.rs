//! What a cloud action works on: one node, a selection of nodes, a whole system, or every
//! node. Turned into exact targets (names are escaped; a name such as `web.1` matches only
//! itself), so what was previewed and confirmed is exactly what runs.

use poni_repo::{Item, Kind, Target, Tree};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Scope {
    /// One node by its full name.
    Node { name: String },
    /// Several nodes by their full names (the tree's multi-selection).
    Nodes { names: Vec<String> },
    /// Every node under a system, at any depth.
    System { name: String },
    /// Every node of the repository.
    All,
}

impl Scope {
    /// A short label for progress lines: `drumbo1`, `3 nodes`, `system webshop`, `all nodes`.
    pub fn label(&self) -> String {
        match self {
            Scope::Node { name } => name.clone(),
            Scope::Nodes { names } if names.len() == 1 => names[0].clone(),
            Scope::Nodes { names } => format!("{} nodes", names.len()),
            Scope::System { name } => format!("system {name}"),
            Scope::All => "all nodes".into(),
        }
    }

    /// The nodes in scope, in tree order. Names that do not exist, or a scope with no nodes,
    /// are errors: an action never silently does nothing.
    pub fn nodes<'t>(&self, tree: &'t Tree) -> AppResult<Vec<&'t Item>> {
        let nodes: Vec<&Item> = match self {
            Scope::Node { name } => vec![node(tree, name)?],
            Scope::Nodes { names } => {
                if names.is_empty() {
                    return Err(AppError::new("cloud.empty_selection", "No nodes are selected: select one or more nodes first."));
                }
                for name in names {
                    node(tree, name)?;
                }
                tree.nodes().filter(|n| names.contains(&n.name)).collect()
            }
            Scope::System { name } => {
                match tree.get(name) {
                    Some(item) if item.kind == Kind::System => {}
                    Some(_) => return Err(AppError::new("cloud.not_a_system", format!("'{name}' is a node, not a system"))),
                    None => return Err(not_found(name)),
                }
                let prefix = format!("{name}/");
                tree.nodes().filter(|n| n.name.starts_with(&prefix)).collect()
            }
            Scope::All => tree.nodes().collect(),
        };
        if nodes.is_empty() {
            return Err(AppError::new("cloud.no_nodes", format!("There are no nodes in {}: add a node first.", self.label())));
        }
        Ok(nodes)
    }
}

fn node<'t>(tree: &'t Tree, name: &str) -> AppResult<&'t Item> {
    match tree.get(name) {
        Some(item) if item.kind == Kind::Node => Ok(item),
        Some(_) => Err(AppError::new("cloud.not_a_node", format!("'{name}' is a system: pick a node, or act on the whole system"))),
        None => Err(not_found(name)),
    }
}

fn not_found(name: &str) -> AppError {
    AppError::new("repo.not_found", format!("'{name}' does not exist (it may have been removed or renamed)"))
}

/// A target that matches exactly these full names and nothing else.
pub fn exact_target<S: AsRef<str>>(names: &[S]) -> AppResult<Target> {
    if names.is_empty() {
        return Err(AppError::new("cloud.empty_selection", "No nodes are selected."));
    }
    let alternatives: Vec<String> = names.iter().map(|n| regex::escape(n.as_ref())).collect();
    Ok(Target::new(&alternatives.join("|"), true)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use poni_repo::{AddNodes, Repo};

    #[test]
    fn scopes_select_exact_names_in_tree_order() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repo::init(dir.path().join("r")).unwrap();
        repo.add_system("web").unwrap();
        for name in ["web/a.1", "web/ax1", "db/pg1", "solo"] {
            repo.add_nodes(&AddNodes::new(name)).unwrap();
        }
        let tree = repo.tree().unwrap();
        let names = |s: Scope| s.nodes(&tree).unwrap().iter().map(|n| n.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(Scope::Nodes { names: vec!["solo".into(), "web/a.1".into()] }), ["solo", "web/a.1"]);
        assert_eq!(names(Scope::System { name: "web".into() }), ["web/a.1", "web/ax1"]);
        assert_eq!(names(Scope::All).len(), 4);
        assert_eq!(Scope::Node { name: "web".into() }.nodes(&tree).unwrap_err().code, "cloud.not_a_node");
        assert_eq!(Scope::Nodes { names: vec!["nope".into()] }.nodes(&tree).unwrap_err().code, "repo.not_found");
        assert_eq!(Scope::Nodes { names: vec![] }.nodes(&tree).unwrap_err().code, "cloud.empty_selection");

        let target = exact_target(&["web/a.1", "solo"]).unwrap();
        assert!(target.matches("web/a.1") && target.matches("solo"));
        assert!(!target.matches("web/ax1") && !target.matches("solo2") && !target.matches("x/solo"));
    }
}
