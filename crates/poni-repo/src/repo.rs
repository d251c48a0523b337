//! An open repository and every operation that changes it. Mutations hold the repository lock,
//! check everything first and only then write, so a rejected request changes nothing; the
//! writes of one operation go through the journal ([`crate::journal`]), so that a failure or a
//! crash half-way leaves all of the change or none of it. Paths are looked at without
//! following links: nothing outside the repository is read, written or removed through it.

use crate::error::{RepoError, Result};
use crate::journal::{self, ChangeHooks};
use crate::name;
use crate::props::{self, Assignment, Change, Props};
use crate::store::{self, EntryKind, RepoLock, NODE_FILE, REPO_FILE, SYSTEM_DIR, SYSTEM_FILE};
use crate::target::Target;
use crate::template::{self, Template};
use crate::tree::{Item, Kind, Tree};
use rayon::prelude::*;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
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
    hooks: ChangeHooks,
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
    /// `set` only: the assignments that found their value already there (`old` and `new` the
    /// same), which poni's `set -v` reports as `no change`.
    pub unchanged: Vec<Change>,
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
        if store::entry_kind(&repo_file).map_err(|e| RepoError::io(&repo_file, e))? != EntryKind::Missing {
            return Err(RepoError::AlreadyInitialized(root));
        }
        store::create_dir_all(&root.join(SYSTEM_DIR))?;
        store::write_object(&repo_file, &Props::new())?;
        Ok(Self { root, hooks: ChangeHooks::default() })
    }

    /// Opens a repository. A change that a crash interrupted is finished or rolled back first
    /// (under the repository lock), before anything is read.
    pub fn open(root: impl Into<PathBuf>) -> Result<Self> {
        let root = root.into();
        let repo_file = root.join(REPO_FILE);
        match store::entry_kind(&repo_file).map_err(|e| RepoError::io(&repo_file, e))? {
            EntryKind::File => {}
            EntryKind::Missing => return Err(RepoError::NotARepository(root)),
            other => return Err(store::refused(&repo_file, other)),
        }
        store::read_object(&repo_file)?;
        let repo = Self { root, hooks: ChangeHooks::default() };
        if journal::pending(&repo.root) {
            drop(repo.lock()?);
        }
        Ok(repo)
    }

    /// The same repository, its changes made with `hooks` (where they come from, what
    /// follows each).
    pub fn with_hooks(self, hooks: ChangeHooks) -> Self {
        Self { hooks, ..self }
    }

    pub(crate) fn hooks(&self) -> &ChangeHooks {
        &self.hooks
    }

    /// Finishes or rolls back a change left by a crash, if there is one; returns whether
    /// there was. `open`, `tree` and every change do this by themselves.
    pub fn recover(&self) -> Result<bool> {
        let _lock = RepoLock::acquire(&self.root)?;
        journal::recover(&self.root)
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

    /// Reads the whole repository (after finishing a change a crash left, if any).
    pub fn tree(&self) -> Result<Tree> {
        if journal::pending(&self.root) {
            drop(self.lock()?);
        }
        self.load_tree()
    }

    fn load_tree(&self) -> Result<Tree> {
        Tree::load(&self.system_root())
    }

    /// The repository lock, with any change a crash left behind finished or rolled back.
    pub(crate) fn lock(&self) -> Result<RepoLock> {
        let lock = RepoLock::acquire(&self.root)?;
        journal::recover(&self.root)?;
        Ok(lock)
    }

    pub fn add_system(&self, name: &str) -> Result<()> {
        let _lock = self.lock()?;
        self.check_free(name, "system")?;
        let mut change = journal::Change::new(self, format!("Add system {name}"));
        self.missing_dirs(name, &mut HashMap::new(), &mut change)?;
        change.write(rel_file(name, Kind::System), None, store::object_text(&Props::new()));
        change.commit()
    }

    /// Adds to `change` the folders on the way to `name` that do not exist yet, outermost
    /// first. `known` remembers the folders already looked at (or already planned).
    /// `known`: the folders already looked at, `true` for those this change makes (what is
    /// inside one of them cannot exist yet, so it is not looked up).
    fn missing_dirs(&self, name: &str, known: &mut HashMap<String, bool>, change: &mut journal::Change) -> Result<()> {
        let mut prefix = String::new();
        let mut parent_is_new = false;
        for segment in name.split('/') {
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(segment);
            if let Some(&made) = known.get(&prefix) {
                parent_is_new = made;
                continue;
            }
            let missing = parent_is_new || {
                let dir = self.dir_of(&prefix);
                match store::entry_kind(&dir).map_err(|e| RepoError::io(&dir, e))? {
                    EntryKind::Missing => true,
                    EntryKind::Dir => false,
                    other => return Err(store::refused(&dir, other)),
                }
            };
            if missing {
                change.mkdir(rel_dir(&prefix));
            }
            known.insert(prefix.clone(), missing);
            parent_is_new = missing;
        }
        Ok(())
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
            return Err(RepoError::AlreadyExists { kind: "node", name: clash.name.clone() });
            // made twice
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
        let names: Vec<&str> = planned.iter().map(|p| p.name.as_str()).collect();
        let label = match &parent {
            Some(parent) => format!("Clone {parent} as {}", listed(&names)),
            None => format!("Add {} {}", if names.len() == 1 { "node" } else { "nodes" }, listed(&names)),
        };
        let mut change = journal::Change::new(self, label);
        let nodes = planned.iter().map(|node| {
            let mut props = base.clone();
            props.insert("host".into(), Value::String(node.host.clone()));
            if let Some(parent) = &parent {
                props.insert("parent".into(), Value::String(parent.clone()));
            }
            (node.name.as_str(), props)
        });
        self.write_new_nodes(&mut change, nodes)?;
        change.commit()?;
        Ok(planned.into_iter().map(|p| p.name).collect())
    }

    /// Adds to `change` each new node's file (with its folders, and a system.json for the
    /// system it goes in when that is new).
    fn write_new_nodes<'n>(&self, change: &mut journal::Change, nodes: impl Iterator<Item = (&'n str, Props)>) -> Result<()> {
        let mut known_dirs = HashMap::new();
        let mut looked_at = HashSet::new();
        for (node, props) in nodes {
            let system = name::parent(node);
            if !system.is_empty() && looked_at.insert(system.to_string()) && matches!(self.probe(system)?, Found::Nothing) {
                // The system the nodes go in gets a system.json; folders above it do not.
                self.missing_dirs(system, &mut known_dirs, change)?;
                change.write(rel_file(system, Kind::System), None, store::object_text(&Props::new()));
            }
            self.missing_dirs(node, &mut known_dirs, change)?;
            change.write(rel_file(node, Kind::Node), None, store::object_text(&props));
        }
        Ok(())
    }

    /// Adds nodes for instances that already ran before (an import of an account's
    /// instances), each with its properties, all in one change: one undo takes the whole
    /// import back. The change is marked as an import, so undoing it never suggests ending the
    /// instances: this repository did not launch them. Refused, making nothing, when a name
    /// is invalid or taken.
    pub fn import_nodes(&self, nodes: &[(String, Props)]) -> Result<Vec<String>> {
        let _lock = self.lock()?;
        let mut seen = HashSet::new();
        for (node, _) in nodes {
            self.check_free(node, "node")?;
            if !seen.insert(node.as_str()) {
                return Err(RepoError::AlreadyExists { kind: "node", name: node.clone() });
            }
        }
        // A node never goes inside another one of the same import.
        if let Some((node, _)) = nodes.iter().find(|(n, _)| ancestors_in(n, &seen)) {
            return Err(RepoError::Conflict(format!("'{node}' would be inside another imported node: a node cannot hold items")));
        }
        let names: Vec<&str> = nodes.iter().map(|(n, _)| n.as_str()).collect();
        let count = names.len();
        let label = format!("Import {count} {} as {}", if count == 1 { "instance" } else { "instances" }, listed(&names));
        let mut change = journal::Change::importing(self, label);
        self.write_new_nodes(&mut change, nodes.iter().map(|(n, p)| (n.as_str(), p.clone())))?;
        change.commit()?;
        Ok(names.into_iter().map(str::to_owned).collect())
    }

    /// Sets properties on every node and system the target matches.
    pub fn set(&self, target: &Target, assignments: &[Assignment]) -> Result<Vec<ItemChanges>> {
        self.set_in(target, &[Kind::System, Kind::Node], assignments)
    }

    /// Sets properties on the items of these kinds the target matches: poni's `set -N` (nodes
    /// only) and `set -S` (systems only).
    pub fn set_in(&self, target: &Target, kinds: &[Kind], assignments: &[Assignment]) -> Result<Vec<ItemChanges>> {
        let what: Vec<String> = assignments.iter().map(assignment_text).collect();
        let per_item = assignments.iter().any(|a| a.per_item_input().is_some());
        self.modify_matching(target, kinds, &format!("Set {}", what.join(" ")), |props| {
            // A `:prop` reference reads the item as it was before this command (poni's rule).
            let before = per_item.then(|| props.clone());
            let lookup = |key: &str| {
                let before = before.as_ref()?;
                if key.is_empty() {
                    Some(Value::Object(before.clone()))
                } else {
                    props::get_path(before, key).cloned()
                }
            };
            let mut changes = Vec::new();
            for a in assignments {
                let value = a.value_for(&lookup)?;
                // An assignment that changes nothing is kept too, as old == new, for `set -v`.
                let same = Change { key: a.key.clone(), old: Some(value.clone()), new: Some(value.clone()) };
                changes.push(props::set_path(props, &a.key, value)?.unwrap_or(same));
            }
            Ok(changes)
        })
    }

    /// Removes properties (dotted keys) from every node and system the target matches.
    pub fn unset(&self, target: &Target, keys: &[String]) -> Result<Vec<ItemChanges>> {
        for key in keys {
            props::key_path(key, key)?;
        }
        self.modify_matching(target, &[Kind::System, Kind::Node], &format!("Unset {}", keys.join(" ")), |props| {
            let mut changes = Vec::new();
            for key in keys {
                changes.extend(props::unset_path(props, key)?);
            }
            Ok(changes)
        })
    }

    /// Edits every item of `kinds` the target matches. `edit` returns the changes it made; one
    /// whose `old` equals its `new` changed nothing and is reported apart (`unchanged`).
    fn modify_matching(
        &self,
        target: &Target,
        kinds: &[Kind],
        what: &str,
        edit: impl Fn(&mut Props) -> Result<Vec<Change>> + Sync,
    ) -> Result<Vec<ItemChanges>> {
        let _lock = self.lock()?;
        let tree = self.tree()?;
        remove_leftovers(&tree)?;
        let matches: Vec<_> = tree.find(target, kinds).collect();
        if matches.is_empty() {
            return Err(RepoError::NoMatch);
        }
        // Everything is edited in memory first, and the new files rendered, on rayon's
        // threads; one bad item (the first in tree order is reported) means nothing is written.
        let planned: Vec<Result<Edited>> = matches.par_iter().map(|item| self.edit_item(item, &edit)).collect();
        let planned = planned.into_iter().collect::<Result<Vec<_>>>()?;
        let changed: Vec<&str> = planned.iter().filter(|p| p.write.is_some()).map(|p| p.item.name.as_str()).collect();
        let mut change = journal::Change::new(self, format!("{what} on {}", listed(&changed)));
        let mut out = Vec::with_capacity(planned.len());
        for Edited { item, changes, unchanged, write } in planned {
            if let Some((path, before, after)) = write {
                change.write(path, before, after);
            }
            out.push(ItemChanges { name: item.name.clone(), kind: item.kind, changes, unchanged });
        }
        drop(matches);
        change.commit()?;
        free_later(tree);
        Ok(out)
    }

    /// One matched item edited in memory, with its file's contents before and after.
    fn edit_item<'t>(&self, item: &'t Item, edit: &impl Fn(&mut Props) -> Result<Vec<Change>>) -> Result<Edited<'t>> {
        if let Some(problem) = &item.problem {
            return Err(RepoError::Conflict(format!("cannot change '{}': {problem}", item.name)));
        }
        let mut props = item.props.clone();
        let (changes, unchanged): (Vec<Change>, Vec<Change>) = edit(&mut props)?.into_iter().partition(|c| c.old != c.new);
        if changes.is_empty() {
            return Ok(Edited { item, changes, unchanged, write: None });
        }
        // Nodes have their file; a system may have none yet.
        let existed = item.kind == Kind::Node || {
            let file = self.file_of(&item.name, item.kind);
            store::entry_kind(&file).map_err(|e| RepoError::io(&file, e))? == EntryKind::File
        };
        let before = existed.then(|| store::object_text(&item.props));
        Ok(Edited { item, changes, unchanged, write: Some((rel_file(&item.name, item.kind), before, store::object_text(&props))) })
    }

    /// Changes several items by full name under one lock, each file read afresh, and writes
    /// the changed ones all or nothing (one journal commit, one flush): how the cloud engine
    /// saves a whole batch of launched instances at once.
    pub fn update_each(&self, names: &[String], mut edit: impl FnMut(&str, &mut Props) -> Result<Vec<Change>>) -> Result<Vec<(String, Vec<Change>)>> {
        let _lock = self.lock()?;
        let mut writes = Vec::new();
        let mut all = Vec::with_capacity(names.len());
        for name in names {
            let kind = self.kind_of(name)?;
            let (mut props, before) = self.read_item(name, kind)?;
            let changes = edit(name, &mut props)?;
            if !changes.is_empty() {
                writes.push((rel_file(name, kind), before, store::object_text(&props)));
            }
            all.push((name.clone(), changes));
        }
        let changed: Vec<&str> = all.iter().filter(|(_, c)| !c.is_empty()).map(|(n, _)| n.as_str()).collect();
        let mut change = journal::Change::new(self, changes_label(all.iter().flat_map(|(_, c)| c), &changed));
        for (path, before, after) in writes {
            change.write(path, before, after);
        }
        change.commit()?;
        Ok(all)
    }

    /// Changes one item by its full name, reading its file afresh under the lock. This is how
    /// long-running tasks (the cloud engine) save results without overwriting edits made since.
    pub fn update(&self, name: &str, edit: impl FnOnce(&mut Props) -> Result<Vec<Change>>) -> Result<Vec<Change>> {
        self.update_one(name, true, edit)
    }

    /// [`Repo::update`] for values the cloud engine reads off an instance (its addresses, as
    /// it comes up): all or nothing, but not an entry of the history, so a launch of 1,000
    /// nodes does not push the user's changes out of it. Only [`crate::history::OBSERVED_KEYS`] may
    /// change.
    pub fn update_observed(&self, name: &str, edit: impl FnOnce(&mut Props) -> Result<Vec<Change>>) -> Result<Vec<Change>> {
        self.update_one(name, false, edit)
    }

    fn update_one(&self, name: &str, recorded: bool, edit: impl FnOnce(&mut Props) -> Result<Vec<Change>>) -> Result<Vec<Change>> {
        let _lock = self.lock()?;
        let kind = self.kind_of(name)?;
        let (mut props, before) = self.read_item(name, kind)?;
        let changes = edit(&mut props)?;
        if !recorded {
            if let Some(c) = changes.iter().find(|c| !crate::history::is_observed(&c.key)) {
                return Err(RepoError::Usage(format!("'{}' is not a value read off an instance: change it as an edit", c.key)));
            }
        }
        if !changes.is_empty() {
            let label = changes_label(&changes, &[name]);
            let mut change = if recorded { journal::Change::new(self, label) } else { journal::Change::unrecorded(self, label) };
            change.write(rel_file(name, kind), before, store::object_text(&props));
            change.commit()?;
        }
        Ok(changes)
    }

    /// An item's properties and its file's text as it is (`None`: a system without a file).
    fn read_item(&self, name: &str, kind: Kind) -> Result<(Props, Option<String>)> {
        let path = self.file_of(name, kind);
        match store::read_contents(&path).map_err(|e| RepoError::io(&path, e))? {
            store::Contents::Text(text) => Ok((store::parse_object(&path, &text)?, Some(text))),
            store::Contents::Missing if kind == Kind::System => Ok((Props::new(), None)),
            store::Contents::Missing => Err(RepoError::NotFound { kind: "node", name: name.to_string() }),
            store::Contents::NotText => Err(RepoError::bad_file(&path, "not UTF-8 text")),
            store::Contents::Refused(other) => Err(store::refused(&path, other)),
        }
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
        match self.probe(name)? {
            Found::Item(kind) => Ok(kind),
            Found::Nothing | Found::InsideNode(_) => Err(RepoError::NotFound { kind: "node or system", name: name.to_string() }),
        }
    }

    /// What is on disk at a (valid) full name: asks the file system, not a snapshot, so
    /// single-item operations stay cheap in a repository of any size. Looks with `lstat`,
    /// folder by folder from `system/`: a link or a special file on the way is an error
    /// naming it, never followed.
    fn probe(&self, name: &str) -> Result<Found> {
        let look = |path: &Path| store::entry_kind(path).map_err(|e| RepoError::io(path, e));
        let mut path = self.system_root();
        match look(&path)? {
            EntryKind::Dir => {}
            EntryKind::Missing => return Ok(Found::Nothing),
            other => return Err(store::refused(&path, other)),
        }
        let segments: Vec<&str> = name.split('/').collect();
        for (i, segment) in segments.iter().enumerate() {
            path.push(segment);
            match look(&path)? {
                EntryKind::Dir => {}
                EntryKind::Missing => return Ok(Found::Nothing),
                EntryKind::File => return Err(RepoError::Conflict(format!("'{}' is a file, not a node or system", segments[..=i].join("/")))),
                other => return Err(store::refused(&path, other)),
            }
            let node_file = path.join(NODE_FILE);
            match look(&node_file)? {
                EntryKind::File if i + 1 < segments.len() => return Ok(Found::InsideNode(segments[..=i].join("/"))),
                EntryKind::File => return Ok(Found::Item(Kind::Node)),
                EntryKind::Missing => {}
                other => return Err(store::refused(&node_file, other)),
            }
        }
        Ok(Found::Item(Kind::System))
    }

    /// Whether a new item of this kind may be given `name`: the checks add-system makes before
    /// it writes (valid, free, no node on the way), asked ahead (for a name as it is typed).
    pub fn check_new_name(&self, name: &str, kind: Kind) -> Result<()> {
        self.check_free(name, kind.label())
    }

    /// Whether `from` may be renamed or moved to `to`: the checks [`Repo::rename`] makes
    /// before it writes, asked ahead.
    pub fn check_rename(&self, from: &str, to: &str) -> Result<()> {
        let kind = self.kind_of(from)?;
        if to == from || to.starts_with(&format!("{from}/")) {
            return Err(RepoError::Conflict(format!("cannot move '{from}' into itself ('{to}')")));
        }
        self.check_free(to, kind.label())
    }

    /// Checks that `name` is valid and free: nothing there yet, and no node on the way.
    fn check_free(&self, name: &str, kind: &'static str) -> Result<()> {
        name::validate(name)?;
        match self.probe(name)? {
            Found::Nothing => Ok(()),
            Found::Item(existing) if existing.label() == kind => Err(RepoError::AlreadyExists { kind, name: name.to_string() }),
            Found::Item(existing) => Err(RepoError::Conflict(format!("'{name}' is already a {}: pick another name", existing.label()))),
            Found::InsideNode(above) => Err(RepoError::Conflict(format!("'{above}' is a node, and nodes cannot contain other items"))),
        }
    }

    /// Deletes a node, or a system with everything in it. Returns the names of the nodes that
    /// were cloned from a deleted node and now point at nothing.
    pub fn remove(&self, name: &str) -> Result<Vec<String>> {
        let _lock = self.lock()?;
        self.kind_of(name)?;
        let tree = self.tree()?;
        let inside = |n: &str| n == name || n.starts_with(&format!("{name}/"));
        let orphans = tree.nodes().filter(|n| !inside(&n.name) && n.parent_node().is_some_and(inside)).map(|n| n.name.clone()).collect();
        let mut change = journal::Change::new(self, format!("Remove {name}"));
        change.remove_dir(rel_dir(name));
        change.commit()?;
        Ok(orphans)
    }

    /// Renames or moves a node or system; clones that named it (or a node inside it) as
    /// their parent are updated to the new name.
    pub fn rename(&self, from: &str, to: &str) -> Result<Vec<ItemChanges>> {
        let label = if name::parent(from) == name::parent(to) { format!("Rename {from} to {to}") } else { format!("Move {from} to {to}") };
        let _lock = self.lock()?;
        self.check_rename(from, to)?;
        self.move_all(&[(from.to_string(), to.to_string())], label)
    }

    /// Where each item would go when moved into `system` ("" for the top level), and whether
    /// it may: the checks [`Repo::move_into`] makes, asked ahead (what a drop would do).
    pub fn plan_move(&self, names: &[String], system: &str) -> Vec<(String, Result<String>)> {
        let mut seen = HashSet::new();
        names
            .iter()
            .map(|from| {
                let leaf = from.rsplit('/').next().unwrap_or(from);
                let to = if system.is_empty() { leaf.to_string() } else { format!("{system}/{leaf}") };
                let outcome = if to == *from {
                    Err(RepoError::Conflict(format!("'{from}' is in '{}' already", if system.is_empty() { "the top level" } else { system })))
                } else if names.iter().any(|other| other != from && from.starts_with(&format!("{other}/"))) {
                    Err(RepoError::Conflict(format!("'{from}' moves along with the system it is in")))
                } else if !seen.insert(to.clone()) {
                    Err(RepoError::Conflict(format!("two of the items are called '{leaf}': they cannot both go into the same place")))
                } else {
                    self.check_rename(from, &to).and(self.check_target_system(system)).map(|()| to)
                };
                (from.clone(), outcome)
            })
            .collect()
    }

    /// A system to move into: the top level, an existing system, or a new one (not a node).
    fn check_target_system(&self, system: &str) -> Result<()> {
        if system.is_empty() {
            return Ok(());
        }
        name::validate(system)?;
        match self.probe(system)? {
            Found::Item(Kind::Node) => Err(RepoError::Conflict(format!("'{system}' is a node: items can only be moved into a system"))),
            Found::InsideNode(node) => Err(RepoError::Conflict(format!("'{node}' is a node, and nodes cannot contain other items"))),
            Found::Nothing | Found::Item(Kind::System) => Ok(()),
        }
    }

    /// Moves several nodes and systems into `system` ("" for the top level) in one change:
    /// all of them or none. Returns the new names, in the order given.
    pub fn move_into(&self, names: &[String], system: &str) -> Result<Vec<String>> {
        let _lock = self.lock()?;
        let mut moves = Vec::new();
        for (from, to) in self.plan_move(names, system) {
            moves.push((from, to?));
        }
        let label = match moves.as_slice() {
            [(from, _)] => format!("Move {from} to {}", if system.is_empty() { "the top level" } else { system }),
            _ => format!("Move {} items to {}", moves.len(), if system.is_empty() { "the top level" } else { system }),
        };
        let new_names = moves.iter().map(|(_, to)| to.clone()).collect();
        self.move_all(&moves, label)?;
        Ok(new_names)
    }

    /// Renames or moves items, with the clones' `parent` updated, in one change. The caller
    /// holds the lock and has checked every move ([`Repo::check_rename`], [`Repo::plan_move`]).
    fn move_all(&self, moves: &[(String, String)], label: String) -> Result<Vec<ItemChanges>> {
        let tree = self.tree()?;
        remove_leftovers(&tree)?;
        let mut change = journal::Change::new(self, label);
        let mut known = HashMap::new();
        for (_, to) in moves {
            let system = name::parent(to);
            if !system.is_empty() && !known.contains_key(system) && matches!(self.probe(system)?, Found::Nothing) {
                self.missing_dirs(system, &mut known, &mut change)?;
                change.write(rel_file(system, Kind::System), None, store::object_text(&Props::new()));
            }
        }
        let renamed = |old: &str| -> Option<String> {
            moves.iter().find_map(
                |(from, to)| {
                    if old == from {
                        Some(to.to_string())
                    } else {
                        old.strip_prefix(&format!("{from}/")).map(|rest| format!("{to}/{rest}"))
                    }
                },
            )
        };
        let mut out = Vec::new();
        for node in tree.nodes().filter(|n| n.problem.is_none()) {
            let Some(new_parent) = node.parent_node().and_then(renamed) else { continue };
            let current_name = renamed(&node.name).unwrap_or_else(|| node.name.clone());
            let mut props = node.props.clone();
            let changes: Vec<_> = props::set_path(&mut props, "parent", Value::String(new_parent))?.into_iter().collect();
            // Written where the node is now: the folders move after the files are in place.
            change.write(rel_file(&node.name, Kind::Node), Some(store::object_text(&node.props)), store::object_text(&props));
            out.push(ItemChanges { name: current_name, kind: Kind::Node, changes, unchanged: Vec::new() });
        }
        for (from, to) in moves {
            change.move_dir(rel_dir(from), rel_dir(to));
        }
        change.commit()?;
        Ok(out)
    }

    fn plan(&self, request: &AddNodes) -> Result<(Option<String>, Vec<PlannedNode>)> {
        let names = Template::parse(&request.template)?;
        if let Some(host) = &request.host {
            if let Some(c) = host.chars().find(|c| c.is_control()) {
                return Err(RepoError::InvalidProperty {
                    input: format!("host={}", host.escape_debug()),
                    reason: format!("a host name cannot contain the control character {}", c.escape_unicode()),
                });
            }
        }
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
            None if request.copy => return Err(RepoError::Usage("copying properties (-c) needs the parent node to copy from (-i PATTERN)".into())),
            None => None,
        };
        let mut seen = HashSet::new();
        // Whether each system the nodes go in is missing: then nothing inside it can be in the
        // way, and the names are not looked up one by one (add-node of 10,000 into a new system).
        let mut parent_missing: HashMap<String, bool> = HashMap::new();
        let planned = request
            .ids
            .clone()
            .map(|id| {
                let name = names.render(id);
                let host = hosts.as_ref().map(|h| h.render(id)).unwrap_or_default();
                let parent = name::parent(&name);
                let in_new_system = !parent.is_empty()
                    && *parent_missing
                        .entry(parent.to_string())
                        .or_insert_with(|| name::validate(parent).is_ok() && matches!(self.probe(parent), Ok(Found::Nothing)));
                let free = if in_new_system { name::validate(&name).map(drop) } else { self.check_free(&name, "node") };
                let clash = match free {
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

/// A label's list of items: all of them when few, else the first and last.
/// Whether a system above `name` is one of `names`.
fn ancestors_in(name: &str, names: &HashSet<&str>) -> bool {
    name.match_indices('/').any(|(at, _)| names.contains(&name[..at]))
}

fn listed(names: &[&str]) -> String {
    match names {
        [] => "nothing".into(),
        [one] => one.to_string(),
        [a, b] => format!("{a} and {b}"),
        [a, b, c] => format!("{a}, {b} and {c}"),
        [first, .., last] => format!("{} items ({first} … {last})", names.len()),
    }
}

/// "Set cloud.instance on web/a": what the engine's updates are called in the history.
fn changes_label<'a>(changes: impl IntoIterator<Item = &'a Change>, items: &[&str]) -> String {
    let mut keys: Vec<&str> = Vec::new();
    for c in changes {
        if !keys.contains(&c.key.as_str()) {
            keys.push(&c.key);
        }
    }
    let shown = if keys.len() > 3 { format!("{} and {} more", keys[..3].join(", "), keys.len() - 3) } else { keys.join(", ") };
    format!("Set {shown} on {}", listed(items))
}

fn assignment_text(a: &Assignment) -> String {
    if let Some(input) = a.per_item_input() {
        return input.to_string();
    }
    match &a.value {
        Value::String(s) => format!("{}={s}", a.key),
        other => format!("{}={other}", a.key),
    }
}

/// Frees a large value on a pool thread: a tree of 10,000 parsed items takes milliseconds to
/// free, which the change need not wait for (and a command line that exits never does).
fn free_later<T: Send + 'static>(value: T) {
    rayon::spawn(move || drop(value));
}

/// Removes the temporary files a killed write left (the caller holds the lock, so none of
/// them is being written).
fn remove_leftovers(tree: &Tree) -> Result<()> {
    tree.leftovers().iter().try_for_each(|path| store::remove_leftover(path).map_err(|e| RepoError::io(path, e)))
}

/// An item a set or unset changes: what changed, and its file's path, contents before (none:
/// a system without a file yet) and after.
struct Edited<'t> {
    item: &'t Item,
    changes: Vec<Change>,
    unchanged: Vec<Change>,
    write: Option<(String, Option<String>, String)>,
}

/// What is at a name under `system/`, as [`Repo::probe`] finds it.
enum Found {
    Nothing,
    Item(Kind),
    /// The name lies inside this node's folder (where only the node's own files belong).
    InsideNode(String),
}

fn rel_dir(name: &str) -> String {
    format!("{SYSTEM_DIR}/{name}")
}

/// The item a file of the repository holds, by its `/`-separated path from the root:
/// `system/web/a/node.json` is node `web/a`, `system/web/system.json` system `web`; other
/// files hold none. The reverse of where the store keeps an item's properties.
pub fn item_of_file(rel: &str) -> Option<(String, Kind)> {
    let inside = rel.strip_prefix(SYSTEM_DIR)?.strip_prefix('/')?;
    let node = inside.strip_suffix(NODE_FILE).and_then(|n| n.strip_suffix('/')).map(|n| (n, Kind::Node));
    let system = || inside.strip_suffix(SYSTEM_FILE).and_then(|n| n.strip_suffix('/')).map(|n| (n, Kind::System));
    node.or_else(system).filter(|(n, _)| !n.is_empty()).map(|(n, kind)| (n.to_string(), kind))
}

fn rel_file(name: &str, kind: Kind) -> String {
    format!(
        "{SYSTEM_DIR}/{name}/{}",
        match kind {
            Kind::Node => NODE_FILE,
            Kind::System => SYSTEM_FILE,
        }
    )
}

fn stat_into(path: &Path, hasher: &mut DefaultHasher) {
    if let Ok(meta) = fs::symlink_metadata(path) {
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
        if store::entry_kind(&node_file).is_ok_and(|k| k != EntryKind::Missing) {
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
