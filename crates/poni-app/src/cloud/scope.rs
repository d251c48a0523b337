//! What a cloud action works on: one node, a selection of nodes, a whole system, or every
//! node, by exact names (the core's [`Selection`]; a name such as `web.1` is only itself),
//! so what was previewed and confirmed is exactly what runs.

use poni_cloud::plan::Selection;
use poni_cloud::Coded;
use poni_repo::{Item, Tree};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::AppResult;

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
    /// The core's selection: exact names, a system or everything (never a pattern).
    pub fn selection(&self) -> Selection {
        match self {
            Scope::Node { name } => Selection::Node { name: name.clone() },
            Scope::Nodes { names } => Selection::Nodes { names: names.clone() },
            Scope::System { name } => Selection::System { name: name.clone() },
            Scope::All => Selection::All,
        }
    }

    /// A short label for progress lines: `drumbo1`, `3 nodes`, `system webshop`, `all nodes`.
    pub fn label(&self) -> String {
        self.selection().label()
    }

    /// The nodes in scope, in tree order. Names that do not exist, or a scope with no nodes,
    /// are errors: an action never silently does nothing.
    pub fn nodes<'t>(&self, tree: &'t Tree) -> AppResult<Vec<&'t Item>> {
        self.selection().items(tree).map_err(|e| e.payload())
    }
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
    }
}
