//! The repository a window works on: opening and creating it, and every read and edit the
//! desktop makes, returning view data. Edits go through the repository core, which checks
//! them and writes nothing when it refuses.

use crate::check::{self, EditProblem, MoveCheck, NameProblem};
use crate::error::{AppError, AppResult};
use crate::view::{ItemDetail, NodesPlan, NodesRequest, PlannedNode, PropertyEdit, TreeView};
use poni_repo::{AddNodes, Assignment, Change, ChangeHooks, HistoryView, Origin, Repo, Target, UndoOutcome};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct Workspace {
    repo: Repo,
    home: Option<PathBuf>,
}

impl Workspace {
    pub fn open(root: impl Into<PathBuf>) -> AppResult<Self> {
        Ok(Self::from_repo(Repo::open(root)?))
    }

    /// Creates a new repository (the folder may exist, but must not be a repository yet).
    pub fn create(root: impl Into<PathBuf>) -> AppResult<Self> {
        Ok(Self::from_repo(Repo::init(root)?))
    }

    /// Opens `root`, creating the repository first if there is none: the first start on the
    /// default repository.
    pub fn open_or_create(root: impl Into<PathBuf>) -> AppResult<Self> {
        let root = root.into();
        if root.join(poni_repo::store::REPO_FILE).exists() {
            Self::open(root)
        } else {
            Self::create(root)
        }
    }

    /// The app's changes are marked as the app's in the history, and under git in each-change
    /// mode each is committed with its label.
    fn from_repo(repo: Repo) -> Self {
        let hooks = ChangeHooks { origin: Origin::App, after_change: Some(std::sync::Arc::new(crate::vc::commit_change)) };
        let repo = repo.with_hooks(hooks);
        let home = std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE")).map(PathBuf::from);
        Self { repo, home }
    }

    pub fn root(&self) -> &Path {
        self.repo.root()
    }

    pub fn repo(&self) -> &Repo {
        &self.repo
    }

    pub fn tree(&self) -> AppResult<TreeView> {
        Ok(TreeView::new(self.repo.root(), &self.repo.tree()?))
    }

    pub fn item(&self, name: &str) -> AppResult<ItemDetail> {
        let tree = self.repo.tree()?;
        let item = tree.get(name).ok_or_else(|| check::not_found(name))?;
        Ok(ItemDetail::new(&tree, item, &self.repo.file_of(name, item.kind), self.home.as_deref()))
    }

    pub fn add_system(&self, name: &str) -> AppResult<()> {
        Ok(self.repo.add_system(name)?)
    }

    pub fn plan_nodes(&self, request: &NodesRequest) -> AppResult<NodesPlan> {
        let (parent, nodes) = self.repo.plan_nodes(&to_add_nodes(request)?)?;
        Ok(NodesPlan { parent, nodes: nodes.into_iter().map(|n| PlannedNode { name: n.name, host: n.host, clash: n.clash }).collect() })
    }

    pub fn add_nodes(&self, request: &NodesRequest) -> AppResult<Vec<String>> {
        Ok(self.repo.add_nodes(&to_add_nodes(request)?)?)
    }

    /// Every problem of a save on one item (values set, keys removed), each naming its key, as
    /// [`Workspace::edit_properties`] would refuse it; empty when the save can be made.
    pub fn check_edit(&self, name: &str, set: &[PropertyEdit], unset: &[String]) -> AppResult<Vec<EditProblem>> {
        check::check_edit(&self.repo.tree()?, name, set, unset)
    }

    /// Saves typed values and removals on one item as one change: one file written, all or
    /// nothing. Refused with the first problem [`Workspace::check_edit`] finds, if any.
    /// Returns the number of properties changed.
    pub fn edit_properties(&self, name: &str, set: &[PropertyEdit], unset: &[String]) -> AppResult<usize> {
        if let Some(problem) = self.check_edit(name, set, unset)?.into_iter().next() {
            return Err(AppError::new(problem.code, problem.message));
        }
        Ok(self.repo.update(name, |props| check::apply(props, set, unset))?.len())
    }

    /// Why `name` cannot be a new system's name, or (with `rename_from`) that item's new name;
    /// `None` when it can.
    pub fn check_name(&self, name: &str, rename_from: Option<&str>) -> AppResult<Option<NameProblem>> {
        check::check_name(&self.repo, name, rename_from)
    }

    /// Sets typed values on one item; all or nothing. No checks beyond the key syntax: for
    /// tools and tests; the editor saves with [`Workspace::edit_properties`].
    pub fn set_properties(&self, name: &str, edits: &[PropertyEdit]) -> AppResult<usize> {
        let assignments = edits.iter().map(|e| Assignment::new(e.key.clone(), e.value.clone())).collect::<Result<Vec<_>, _>>()?;
        let changes = self.repo.update(name, |props| {
            let mut changes: Vec<Change> = Vec::new();
            for a in &assignments {
                changes.extend(poni_repo::props::set_path(props, &a.key, a.value.clone())?);
            }
            Ok(changes)
        })?;
        Ok(changes.len())
    }

    pub fn unset_properties(&self, name: &str, keys: &[String]) -> AppResult<usize> {
        let changes = self.repo.update(name, |props| {
            let mut changes = Vec::new();
            for key in keys {
                changes.extend(poni_repo::props::unset_path(props, key)?);
            }
            Ok(changes)
        })?;
        Ok(changes.len())
    }

    pub fn rename(&self, from: &str, to: &str) -> AppResult<()> {
        self.repo.rename(from, to)?;
        Ok(())
    }

    /// Deletes an item; returns the clones left pointing at nothing.
    pub fn remove(&self, name: &str) -> AppResult<Vec<String>> {
        Ok(self.repo.remove(name)?)
    }

    /// What dropping `names` on `to_system` ("" for the top level) would do.
    pub fn check_move(&self, names: &[String], to_system: &str) -> MoveCheck {
        check::check_move(&self.repo, names, to_system)
    }

    /// Moves items into a system in one change (one undo step); returns their new names.
    pub fn move_items(&self, names: &[String], to_system: &str) -> AppResult<Vec<String>> {
        Ok(self.repo.move_into(names, to_system)?)
    }

    pub fn history(&self) -> AppResult<HistoryView> {
        Ok(self.repo.history()?)
    }

    pub fn undo(&self) -> AppResult<UndoOutcome> {
        Ok(self.repo.undo()?)
    }

    pub fn redo(&self) -> AppResult<UndoOutcome> {
        Ok(self.repo.redo()?)
    }

    pub fn fingerprint(&self) -> AppResult<u64> {
        Ok(self.repo.fingerprint()?)
    }
}

/// An exact full name as a target (names may hold regex characters such as `.`).
pub fn exact(name: &str) -> AppResult<Target> {
    Ok(Target::new(&regex::escape(name), true)?)
}

fn to_add_nodes(request: &NodesRequest) -> AppResult<AddNodes> {
    let count = request.count.trim();
    Ok(AddNodes {
        template: request.template.trim().to_string(),
        ids: if count.is_empty() { 1..=1 } else { poni_repo::repo::parse_ids(count)? },
        host: request.host.clone().filter(|h| !h.trim().is_empty()),
        inherit: request.parent.as_deref().filter(|p| !p.is_empty()).map(exact).transpose()?,
        copy: request.copy,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn workspace() -> (tempfile::TempDir, Workspace) {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::open_or_create(dir.path().join("repo")).unwrap();
        (dir, ws)
    }

    #[test]
    fn builds_a_tree_and_clones_from_a_parent() {
        let (_dir, ws) = workspace();
        ws.add_system("web").unwrap();
        ws.set_properties("web", &[PropertyEdit { key: "cloud.region".into(), value: json!("eu-west-1") }]).unwrap();
        let req = NodesRequest { template: "web/http1".into(), count: String::new(), host: None, parent: None, copy: false };
        ws.add_nodes(&req).unwrap();
        ws.set_properties("web/http1", &[PropertyEdit { key: "cloud.image".into(), value: json!("ami-12c6146b") }]).unwrap();
        let clone = NodesRequest { template: "web/http{id}".into(), count: "2..3".into(), host: None, parent: Some("web/http1".into()), copy: true };
        let plan = ws.plan_nodes(&clone).unwrap();
        assert_eq!(plan.parent.as_deref(), Some("web/http1"));
        assert_eq!(plan.nodes.iter().map(|n| n.name.as_str()).collect::<Vec<_>>(), ["web/http2", "web/http3"]);
        ws.add_nodes(&clone).unwrap();

        let tree = ws.tree().unwrap();
        assert_eq!((tree.node_count, tree.system_count), (3, 1));
        let http2 = tree.items.iter().find(|i| i.name == "web/http2").unwrap();
        assert_eq!(http2.clone_of.as_deref(), Some("web/http1"));
        assert_eq!(http2.region.as_deref(), Some("eu-west-1"));

        let detail = ws.item("web/http1").unwrap();
        assert_eq!(detail.clones, ["web/http2", "web/http3"]);
        assert_eq!(detail.inherited[0].key, "cloud.region");
        assert_eq!(detail.inherited[0].from, "web");
        assert_eq!(detail.computed["depth"], json!(2));
    }

    #[test]
    fn names_with_regex_characters_are_exact() {
        let (_dir, ws) = workspace();
        for name in ["a.b", "axb"] {
            ws.add_nodes(&NodesRequest { template: name.into(), count: String::new(), host: None, parent: None, copy: false }).unwrap();
        }
        let plan = ws.plan_nodes(&NodesRequest { template: "c".into(), count: String::new(), host: None, parent: Some("a.b".into()), copy: false }).unwrap();
        assert_eq!(plan.parent.as_deref(), Some("a.b"));
    }

    #[test]
    fn rejected_edits_change_nothing() {
        let (_dir, ws) = workspace();
        ws.add_nodes(&NodesRequest { template: "n".into(), count: String::new(), host: None, parent: None, copy: false }).unwrap();
        ws.set_properties("n", &[PropertyEdit { key: "port".into(), value: json!(80) }]).unwrap();
        let err =
            ws.set_properties("n", &[PropertyEdit { key: "a".into(), value: json!(1) }, PropertyEdit { key: "port.x".into(), value: json!(1) }]).unwrap_err();
        assert_eq!(err.code, "input.invalid_property");
        assert!(ws.item("n").unwrap().props.get("a").is_none(), "the valid edit was not saved either");
        assert_eq!(ws.item("missing").unwrap_err().code, "repo.not_found");
    }
}
