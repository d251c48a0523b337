//! An open repository and every operation that changes it. Mutations hold the repository lock,
//! check everything first and only then write, so a rejected request changes nothing.

use crate::error::{RepoError, Result};
use crate::name;
use crate::props::{self, Assignment, Change, Props};
use crate::store::{self, RepoLock, NODE_FILE, REPO_FILE, SYSTEM_DIR, SYSTEM_FILE};
use crate::target::Target;
use crate::template::{self, Template};
use crate::tree::{Kind, Tree};
use serde_json::Value;
use std::collections::HashSet;
use std::fs;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

/// Instance-specific state that a clone must not inherit from its parent's copy.
const NOT_COPIED: &[&str] = &["cloud.instance", "private"];

#[derive(Debug, Clone)]
pub struct Repo {
    root: PathBuf,
}

/// What add-node should make: `template` with `{id}` for every id in `ids`.
#[derive(Debug, Clone)]
pub struct AddNodes {
    pub template: String,
    pub ids: RangeInclusive<u64>,
    /// `-H`: the host, also a template.
    pub host: Option<String>,
    /// `-i`: must match exactly one node, which becomes the new nodes' `parent`.
    pub inherit: Option<Target>,
    /// `-c`: start from a copy of the parent's properties.
    pub copy: bool,
}

impl AddNodes {
    pub fn new(template: impl Into<String>) -> Self {
        Self { template: template.into(), ids: 1..=1, host: None, inherit: None, copy: false }
    }
}

/// One node add-node would make, and why it cannot be made (a message) if it cannot.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedNode {
    pub name: String,
    pub host: String,
    pub clash: Option<String>,
}

/// The properties of one item that an operation changed.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemChanges {
    pub name: String,
    pub kind: Kind,
    pub changes: Vec<Change>,
}

impl Repo {
    /// `$PONI_ROOT`, else `$HOME/.poni/default`.
    pub fn default_root() -> PathBuf {
        if let Some(root) = std::env::var_os("PONI_ROOT").filter(|r| !r.is_empty()) {
            return PathBuf::from(root);
        }
        let home = std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE")).unwrap_or_default();
        PathBuf::from(home).join(".poni").join("default")
    }

    pub fn init(root: impl Into<PathBuf>) -> Result<Self> {
        let root = root.into();
        let repo_file = root.join(REPO_FILE);
        if repo_file.exists() {
            return Err(RepoError::AlreadyInitialized(root));
        }
        store::create_dir_all(&root.join(SYSTEM_DIR))?;
        store::write_object(&repo_file, &Props::new())?;
        Ok(Self { root })
    }

    pub fn open(root: impl Into<PathBuf>) -> Result<Self> {
        let root = root.into();
        let repo_file = root.join(REPO_FILE);
        if !repo_file.is_file() {
            return Err(RepoError::NotARepository(root));
        }
        store::read_object(&repo_file)?;
        Ok(Self { root })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn system_root(&self) -> PathBuf {
        self.root.join(SYSTEM_DIR)
    }

    fn dir_of(&self, name: &str) -> PathBuf {
        name.split('/').fold(self.system_root(), |p, s| p.join(s))
    }

    /// The file that holds an item's properties.
    pub fn file_of(&self, name: &str, kind: Kind) -> PathBuf {
        self.dir_of(name).join(match kind {
            Kind::Node => NODE_FILE,
            Kind::System => SYSTEM_FILE,
        })
    }

    /// Reads the whole repository.
    pub fn tree(&self) -> Result<Tree> {
        Tree::load(&self.system_root())
    }

    fn lock(&self) -> Result<RepoLock> {
        RepoLock::acquire(&self.root)
    }

    pub fn add_system(&self, name: &str) -> Result<()> {
        let _lock = self.lock()?;
        self.check_free(name, "system")?;
        let dir = self.dir_of(name);
        store::create_dir_all(&dir)?;
        store::write_object(&dir.join(SYSTEM_FILE), &Props::new())
    }

    /// The nodes add-node would make, with clashes marked; writes nothing.
    pub fn plan_nodes(&self, request: &AddNodes) -> Result<(Option<String>, Vec<PlannedNode>)> {
        self.plan(request)
    }

    /// Makes the nodes, or none of them if any cannot be made. Returns their names.
    pub fn add_nodes(&self, request: &AddNodes) -> Result<Vec<String>> {
        let _lock = self.lock()?;
        let (parent, planned) = self.plan(request)?;
        if let Some(clash) = planned.iter().find(|p| p.clash.is_some()) {
            self.check_free(&clash.name, "node")?; // the typed error for what is in the way
            return Err(RepoError::AlreadyExists { kind: "node", name: clash.name.clone() }); // made twice
        }
        let base = match (&parent, request.copy) {
            (Some(parent), true) => {
                let mut copy = store::read_object(&self.file_of(parent, Kind::Node))
                    .map_err(|e| RepoError::Conflict(format!("cannot copy the properties of '{parent}': {e}")))?;
                for key in NOT_COPIED {
                    props::unset_path(&mut copy, key)?;
                }
                copy
            }
            _ => Props::new(),
        };
        let mut made_systems = HashSet::new();
        let mut files = Vec::with_capacity(planned.len());
        for node in &planned {
            let mut props = base.clone();
            props.insert("host".into(), Value::String(node.host.clone()));
            if let Some(parent) = &parent {
                props.insert("parent".into(), Value::String(parent.clone()));
            }
            let system = name::parent(&node.name);
            if !system.is_empty() && !made_systems.contains(system) && self.kind_at(system).is_none() {
                let dir = self.dir_of(system);
                store::create_dir_all(&dir)?;
                files.push((dir.join(SYSTEM_FILE), Props::new()));
                made_systems.insert(system.to_string());
            }
            let dir = self.dir_of(&node.name);
            store::create_dir_all(&dir)?;
            files.push((dir.join(NODE_FILE), props));
        }
        store::write_many(&files)?;
        Ok(planned.into_iter().map(|p| p.name).collect())
    }

    /// Sets properties on every node and system the target matches.
    pub fn set(&self, target: &Target, assignments: &[Assignment]) -> Result<Vec<ItemChanges>> {
        self.modify_matching(target, |props| {
            let mut changes = Vec::new();
            for a in assignments {
                changes.extend(props::set_path(props, &a.key, a.value.clone())?);
            }
            Ok(changes)
        })
    }

    /// Removes properties (dotted keys) from every node and system the target matches.
    pub fn unset(&self, target: &Target, keys: &[String]) -> Result<Vec<ItemChanges>> {
        for key in keys {
            props::key_path(key, key)?;
        }
        self.modify_matching(target, |props| {
            let mut changes = Vec::new();
            for key in keys {
                changes.extend(props::unset_path(props, key)?);
            }
            Ok(changes)
        })
    }

    fn modify_matching(&self, target: &Target, edit: impl Fn(&mut Props) -> Result<Vec<Change>>) -> Result<Vec<ItemChanges>> {
        let _lock = self.lock()?;
        let tree = self.tree()?;
        let matches: Vec<_> = tree.find(target, &[Kind::System, Kind::Node]).collect();
        if matches.is_empty() {
            return Err(RepoError::NoMatch);
        }
        // Apply everything in memory first: one bad item means nothing is written.
        let mut pending = Vec::new();
        for item in matches {
            if let Some(problem) = &item.problem {
                return Err(RepoError::Conflict(format!("cannot change '{}': {problem}", item.name)));
            }
            let mut props = item.props.clone();
            let changes = edit(&mut props)?;
            pending.push((item, props, changes));
        }
        let writes: Vec<_> = pending
            .iter()
            .filter(|(_, _, changes)| !changes.is_empty())
            .map(|(item, props, _)| (self.file_of(&item.name, item.kind), props.clone()))
            .collect();
        store::write_many(&writes)?;
        Ok(pending.into_iter().map(|(item, _, changes)| ItemChanges { name: item.name.clone(), kind: item.kind, changes }).collect())
    }

    /// Changes one item by its full name, reading its file afresh under the lock. This is how
    /// long-running tasks (the cloud engine) save results without overwriting edits made since.
    pub fn update(&self, name: &str, edit: impl FnOnce(&mut Props) -> Result<Vec<Change>>) -> Result<Vec<Change>> {
        let _lock = self.lock()?;
        let kind = self.kind_of(name)?;
        let path = self.file_of(name, kind);
        let mut props = match store::read_object(&path) {
            Err(RepoError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound && kind == Kind::System => Props::new(),
            other => other?,
        };
        let changes = edit(&mut props)?;
        if !changes.is_empty() {
            store::write_object(&path, &props)?;
        }
        Ok(changes)
    }

    /// The repository's own settings: the object in `repo.json` (`{}` after init).
    pub fn config(&self) -> Result<Props> {
        store::read_object(&self.root.join(REPO_FILE))
    }

    /// Changes `repo.json` under the repository lock, read afresh, keeping every key `edit`
    /// leaves alone (poni and other tools may keep their own there). Written only when `edit`
    /// changed something. The write renames a new file over `repo.json`, the file the lock is
    /// taken on; that is safe because the rename is the last thing done under the lock.
    pub fn update_config<T>(&self, edit: impl FnOnce(&mut Props) -> Result<T>) -> Result<T> {
        let _lock = self.lock()?;
        let path = self.root.join(REPO_FILE);
        let before = store::read_object(&path)?;
        let mut props = before.clone();
        let out = edit(&mut props)?;
        if props != before {
            store::write_object(&path, &props)?;
        }
        Ok(out)
    }

    fn kind_of(&self, name: &str) -> Result<Kind> {
        name::validate(name)?;
        self.kind_at(name).ok_or_else(|| RepoError::NotFound { kind: "node or system", name: name.to_string() })
    }

    /// What is on disk at a (valid) full name: asks the file system, not a snapshot, so
    /// single-item operations stay cheap in a repository of any size.
    fn kind_at(&self, name: &str) -> Option<Kind> {
        let dir = self.dir_of(name);
        if dir.join(NODE_FILE).is_file() {
            Some(Kind::Node)
        } else if dir.is_dir() {
            Some(Kind::System)
        } else {
            None
        }
    }

    /// Checks that `name` is valid and free: nothing there yet, and no node on the way.
    fn check_free(&self, name: &str, kind: &'static str) -> Result<()> {
        name::validate(name)?;
        if let Some(existing) = self.kind_at(name) {
            return Err(if existing.label() == kind {
                RepoError::AlreadyExists { kind, name: name.to_string() }
            } else {
                RepoError::Conflict(format!("'{name}' is already a {}: pick another name", existing.label()))
            });
        }
        let mut above = name::parent(name);
        while !above.is_empty() {
            if self.kind_at(above) == Some(Kind::Node) {
                return Err(RepoError::Conflict(format!("'{above}' is a node, and nodes cannot contain other items")));
            }
            above = name::parent(above);
        }
        Ok(())
    }

    /// Deletes a node, or a system with everything in it. Returns the names of the nodes that
    /// were cloned from a deleted node and now point at nothing.
    pub fn remove(&self, name: &str) -> Result<Vec<String>> {
        let _lock = self.lock()?;
        self.kind_of(name)?;
        let tree = self.tree()?;
        let inside = |n: &str| n == name || n.starts_with(&format!("{name}/"));
        let orphans = tree
            .nodes()
            .filter(|n| !inside(&n.name) && n.parent_node().is_some_and(inside))
            .map(|n| n.name.clone())
            .collect();
        let dir = self.dir_of(name);
        fs::remove_dir_all(&dir).map_err(|e| RepoError::io(&dir, e))?;
        Ok(orphans)
    }

    /// Renames or moves a node or system; clones that named it (or a node inside it) as
    /// their parent are updated to the new name.
    pub fn rename(&self, from: &str, to: &str) -> Result<Vec<ItemChanges>> {
        let _lock = self.lock()?;
        self.kind_of(from)?;
        let tree = self.tree()?;
        if to == from || to.starts_with(&format!("{from}/")) {
            return Err(RepoError::Conflict(format!("cannot move '{from}' into itself ('{to}')")));
        }
        self.check_free(to, tree.get(from).map_or("node", |i| i.kind.label()))?;
        let system = name::parent(to);
        if !system.is_empty() && self.kind_at(system).is_none() {
            let dir = self.dir_of(system);
            store::create_dir_all(&dir)?;
            store::write_object(&dir.join(SYSTEM_FILE), &Props::new())?;
        }
        let (src, dst) = (self.dir_of(from), self.dir_of(to));
        fs::rename(&src, &dst).map_err(|e| RepoError::io(&src, e))?;

        let renamed = |old: &str| -> Option<String> {
            if old == from {
                Some(to.to_string())
            } else {
                old.strip_prefix(&format!("{from}/")).map(|rest| format!("{to}/{rest}"))
            }
        };
        let mut out = Vec::new();
        for node in tree.nodes().filter(|n| n.problem.is_none()) {
            let Some(new_parent) = node.parent_node().and_then(renamed) else { continue };
            let current_name = renamed(&node.name).unwrap_or_else(|| node.name.clone());
            let mut props = node.props.clone();
            let changes: Vec<_> = props::set_path(&mut props, "parent", Value::String(new_parent))?.into_iter().collect();
            store::write_object(&self.file_of(&current_name, Kind::Node), &props)?;
            out.push(ItemChanges { name: current_name, kind: Kind::Node, changes });
        }
        Ok(out)
    }

    fn plan(&self, request: &AddNodes) -> Result<(Option<String>, Vec<PlannedNode>)> {
        let names = Template::parse(&request.template)?;
        let hosts = request.host.as_deref().map(Template::parse).transpose()?;
        let count = request.ids.end().saturating_sub(*request.ids.start()) + 1;
        if count > 1 && !names.has_id() {
            return Err(RepoError::InvalidTemplate {
                template: request.template.clone(),
                reason: format!("it has no {{id}}, so all {count} nodes would get the same name"),
            });
        }
        let parent = match &request.inherit {
            Some(target) => Some(single_node(&self.tree()?, target)?),
            None if request.copy => {
                return Err(RepoError::Usage("copying properties (-c) needs the parent node to copy from (-i PATTERN)".into()))
            }
            None => None,
        };
        let mut seen = HashSet::new();
        let planned = request
            .ids
            .clone()
            .map(|id| {
                let name = names.render(id);
                let host = hosts.as_ref().map(|h| h.render(id)).unwrap_or_default();
                let clash = match self.check_free(&name, "node") {
                    Err(e) => Some(e.to_string()),
                    Ok(()) if !seen.insert(name.clone()) => Some(format!("'{name}' would be made twice")),
                    Ok(()) => None,
                };
                PlannedNode { name, host, clash }
            })
            .collect();
        Ok((parent, planned))
    }

    /// A cheap summary of every file and folder the tree is read from (names, sizes and
    /// modification times, no contents): if it differs from an earlier one, something changed
    /// on disk, whoever changed it.
    pub fn fingerprint(&self) -> Result<u64> {
        let mut hasher = DefaultHasher::new();
        stat_into(&self.root.join(REPO_FILE), &mut hasher);
        fingerprint_dir(&self.system_root(), &mut hasher)?;
        Ok(hasher.finish())
    }
}

fn stat_into(path: &Path, hasher: &mut DefaultHasher) {
    if let Ok(meta) = fs::metadata(path) {
        meta.len().hash(hasher);
        meta.modified().ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).hash(hasher);
    } else {
        0u8.hash(hasher);
    }
}

fn fingerprint_dir(dir: &Path, hasher: &mut DefaultHasher) -> Result<()> {
    let mut entries: Vec<_> = match fs::read_dir(dir) {
        Ok(read) => read.filter_map(|e| e.ok()).filter(|e| e.file_type().is_ok_and(|t| t.is_dir())).map(|e| e.path()).collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(RepoError::io(dir, e)),
    };
    entries.sort();
    for path in entries {
        path.file_name().hash(hasher);
        let node_file = path.join(NODE_FILE);
        if node_file.is_file() {
            stat_into(&node_file, hasher);
        } else {
            stat_into(&path.join(SYSTEM_FILE), hasher);
            fingerprint_dir(&path, hasher)?;
        }
    }
    Ok(())
}

/// The one node a pattern matches (add-node's `-i`).
pub fn single_node(tree: &Tree, target: &Target) -> Result<String> {
    let matches: Vec<String> = tree.find(target, &[Kind::Node]).map(|n| n.name.clone()).collect();
    match matches.len() {
        0 => Err(RepoError::InheritNoMatch(target.pattern().to_string())),
        1 => Ok(matches.into_iter().next().expect("one match")),
        _ => Err(RepoError::InheritAmbiguous { pattern: target.pattern().to_string(), matches }),
    }
}

pub fn parse_ids(text: &str) -> Result<RangeInclusive<u64>> {
    template::parse_range(text)
}
