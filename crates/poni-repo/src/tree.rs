//! A snapshot of the whole repository as poni sees it: systems and nodes in depth-first order
//! with directory entries sorted by name, the computed properties, and lookup up the tree.
//! A hand-edited file that cannot be read marks its item as broken instead of failing the
//! whole snapshot, so the rest of the repository stays usable.

use crate::error::{RepoError, Result};
use crate::folder::{Folder, Seen};
use crate::name;
use crate::props::{self, Props};
use crate::store::{self, NODE_FILE, SYSTEM_FILE};
use crate::target::Target;
use rayon::prelude::*;
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
#[ts(rename = "ItemKind")]
pub enum Kind {
    System,
    Node,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::System => "system",
            Kind::Node => "node",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Item {
    pub kind: Kind,
    /// Full name: the path under `system/` joined with `/`.
    pub name: String,
    /// The properties as saved in the item's file (empty for a system with no system.json).
    pub props: Props,
    /// 0-based position among the entries of the parent directory, sorted by name.
    pub index: usize,
    /// 1 for entries directly under `system/`.
    pub depth: usize,
    /// Systems: the number of subdirectories.
    pub sub_count: usize,
    /// Why the item's file could not be read, if it could not.
    pub problem: Option<String>,
}

impl Item {
    /// The node this one was cloned from (`parent` property), if any.
    pub fn parent_node(&self) -> Option<&str> {
        self.props.get("parent").and_then(Value::as_str).filter(|s| !s.is_empty())
    }

    /// The saved properties plus the computed ones, as `list -p` shows them (without `cloud`).
    pub fn showable(&self) -> Props {
        let mut out: Props = self.props.iter().filter(|(k, _)| k.as_str() != props::CLOUD).map(|(k, v)| (k.clone(), v.clone())).collect();
        out.insert("index".into(), self.index.into());
        out.insert("depth".into(), self.depth.into());
        if self.kind == Kind::System {
            out.insert("sub_count".into(), self.sub_count.into());
        }
        out
    }

    pub fn cloud(&self) -> Option<&Props> {
        self.props.get(props::CLOUD).and_then(Value::as_object)
    }
}

#[derive(Debug, Clone, Default)]
pub struct Tree {
    items: Vec<Item>,
    by_name: HashMap<String, usize>,
    warnings: Vec<String>,
    leftovers: Vec<PathBuf>,
}

/// Folders nested deeper than this are not read (a loop made with bind mounts, say).
const MAX_DEPTH: usize = 64;

/// What the walk found below one folder, in tree order.
#[derive(Default)]
struct Found {
    items: Vec<Item>,
    warnings: Vec<String>,
    leftovers: Vec<PathBuf>,
}

impl Found {
    fn append(&mut self, mut other: Found) {
        self.items.append(&mut other.items);
        self.warnings.append(&mut other.warnings);
        self.leftovers.append(&mut other.leftovers);
    }
}

impl Tree {
    /// Reads every system and node under `system_root`, each file once. Links are never
    /// followed and special files never opened: a link in the tree is skipped with a warning
    /// ([`Tree::warnings`]), and an item whose file is a link, a folder, a FIFO or a device
    /// gets a problem. `system_root` itself must be a real folder.
    pub fn load(system_root: &Path) -> Result<Self> {
        match store::entry_kind(system_root).map_err(|e| RepoError::io(system_root, e))? {
            store::EntryKind::Dir => {}
            store::EntryKind::Missing => return Ok(Tree::default()),
            other => return Err(store::refused(system_root, other)),
        }
        let mut found = Found::default();
        let mut root = Folder::open(system_root).map_err(|e| RepoError::io(system_root, e))?;
        let way: Vec<_> = root.id().ok().into_iter().collect();
        walk(&mut root, "", 0, &way, &mut found)?;
        let Found { items, warnings, leftovers } = found;
        let by_name = items.iter().enumerate().map(|(i, item)| (item.name.clone(), i)).collect();
        Ok(Tree { items, by_name, warnings, leftovers })
    }

    /// Things in the repository that were skipped while reading it (links, names that are not
    /// text), one sentence each naming the path.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Temporary files left by a killed write (poni's `*.json_dump.tmp`, ours) in the systems'
    /// folders: never read, removed by the next change.
    pub(crate) fn leftovers(&self) -> &[PathBuf] {
        &self.leftovers
    }

    pub fn items(&self) -> &[Item] {
        &self.items
    }

    pub fn get(&self, name: &str) -> Option<&Item> {
        self.by_name.get(name).map(|&i| &self.items[i])
    }

    pub fn nodes(&self) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(|i| i.kind == Kind::Node)
    }

    /// Items whose full name the target matches, in tree order.
    pub fn find<'a>(&'a self, target: &'a Target, kinds: &'a [Kind]) -> impl Iterator<Item = &'a Item> + 'a {
        self.items.iter().filter(move |i| kinds.contains(&i.kind) && target.matches(&i.name))
    }

    /// The systems above an item, outermost first.
    pub fn ancestors(&self, name: &str) -> Vec<&Item> {
        let mut out = Vec::new();
        let mut current = name::parent(name);
        while !current.is_empty() {
            if let Some(item) = self.get(current) {
                out.push(item);
            }
            current = name::parent(current);
        }
        out.reverse();
        out
    }

    /// poni's tree lookup of a top-level property: the item's own value, else the closest
    /// system above it that sets it.
    pub fn lookup(&self, name: &str, key: &str) -> Option<&Value> {
        let own = self.get(name)?.props.get(key).filter(|v| !v.is_null());
        own.or_else(|| self.ancestors(name).into_iter().rev().find_map(|s| s.props.get(key).filter(|v| !v.is_null())))
    }

    /// The properties in effect for an item: its systems' properties merged key by key from
    /// the outermost in, then its own. Lets a system set `cloud.region` for all its nodes.
    pub fn effective(&self, name: &str) -> Option<Props> {
        let item = self.get(name)?;
        let mut merged = Props::new();
        for system in self.ancestors(name) {
            props::deep_merge(&mut merged, &system.props);
        }
        props::deep_merge(&mut merged, &item.props);
        Some(merged)
    }

    /// Nodes whose `parent` names the given node: its clones.
    pub fn clones_of<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Item> + 'a {
        self.nodes().filter(move |n| n.parent_node() == Some(name))
    }
}

/// Adds the items below `folder` to `found` and returns how many subdirectories it has. The
/// subdirectories are looked at (and their files read) on rayon's threads: reading 10,000
/// nodes is mostly waiting on system calls, which two cores do side by side.
/// `way`: the folders from `system/` down to this one (device and inode), to catch a folder
/// that is mounted inside itself.
fn walk(folder: &mut Folder, prefix: &str, depth: usize, way: &[(u64, u64)], found: &mut Found) -> Result<usize> {
    let entries = sorted_subdirs(folder, found)?;
    let count = entries.len();
    let folder = &*folder;
    let parts: Vec<Result<Found>> = entries.into_par_iter().enumerate().map(|(index, name)| visit(folder, index, &name, prefix, depth, way)).collect();
    // The first error in tree order, whichever thread met it first.
    for part in parts {
        found.append(part?);
    }
    Ok(count)
}

/// One subdirectory of `folder`: a node if it holds a node file, else a system (walked in
/// turn).
fn visit(folder: &Folder, index: usize, entry_name: &str, prefix: &str, depth: usize, way: &[(u64, u64)]) -> Result<Found> {
    let name = if prefix.is_empty() { entry_name.to_string() } else { format!("{prefix}/{entry_name}") };
    let node_file = format!("{entry_name}/{NODE_FILE}");
    let mut item = Item { kind: Kind::Node, name, props: Props::new(), index, depth: depth + 1, sub_count: 0, problem: None };
    let mut found = Found::default();
    let seen = folder.look(&node_file).map_err(|e| RepoError::io(folder.path().join(&node_file), e))?;
    match seen.map_or(store::EntryKind::Missing, |s| s.kind) {
        store::EntryKind::File => {
            (item.props, item.problem) = read_props(folder, &node_file, true, seen)?;
            found.items.push(item);
        }
        store::EntryKind::Missing => {
            item.kind = Kind::System;
            let mut sub = match folder.open_sub(entry_name) {
                Ok(sub) => sub,
                // Removed while the tree was read: an empty system, as a listing a moment
                // later would not show it at all.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    found.items.push(item);
                    return Ok(found);
                }
                // Listed as a folder, but a link or a file by now: skipped, like a listed link.
                Err(e) if crate::folder::no_longer_a_folder(&e) => {
                    found.warnings.push(format!("{}: changed into a link or a file while it was read, skipped", folder.path().join(entry_name).display()));
                    return Ok(found);
                }
                Err(e) => return Err(RepoError::io(folder.path().join(entry_name), e)),
            };
            let seen = sub.look(SYSTEM_FILE).map_err(|e| RepoError::io(sub.path().join(SYSTEM_FILE), e))?;
            (item.props, item.problem) = read_props(&sub, SYSTEM_FILE, false, seen)?;
            let full = item.name.clone();
            found.items.push(item);
            let id = sub.id().ok();
            if id.is_some_and(|id| way.contains(&id)) {
                found.warnings.push(format!("{}: the same folder as one it is inside (a bind mount of a parent?): not read again", sub.path().display()));
            } else if depth + 1 >= MAX_DEPTH {
                found.warnings.push(format!("{}: nested more than {MAX_DEPTH} levels deep (a loop?): not read", sub.path().display()));
            } else {
                let way: Vec<_> = way.iter().copied().chain(id).collect();
                let sub_count = walk(&mut sub, &full, depth + 1, &way, &mut found)?;
                found.items[0].sub_count = sub_count;
            }
        }
        // A node whose file cannot be read safely: listed, with the reason, and never
        // written to (a change to it is refused).
        other => {
            item.problem = Some(store::refused(&folder.path().join(&node_file), other).to_string());
            found.items.push(item);
        }
    }
    Ok(found)
}

/// Subdirectories of `folder`, sorted by name. Links to folders are skipped with a warning;
/// plain files and special files are not items (our and poni's temporary files among them
/// are noted as leftovers).
fn sorted_subdirs(folder: &mut Folder, found: &mut Found) -> Result<Vec<String>> {
    let entries = folder.entries().map_err(|e| RepoError::io(folder.path(), e))?;
    let mut out = Vec::new();
    for (name, kind) in entries {
        match kind {
            store::EntryKind::Dir => {}
            store::EntryKind::Missing => continue, // removed while listed
            store::EntryKind::Symlink => {
                found.warnings.push(format!(
                    "{}: a symbolic link, skipped (links are not followed, so that nothing outside the repository is read or changed through them)",
                    folder.path().join(&name).display()
                ));
                continue;
            }
            _ => {
                let text = name.to_string_lossy();
                if [store::PONI_TMP_SUFFIX, crate::journal::TMP_SUFFIX, crate::journal::BAK_SUFFIX].iter().any(|s| text.ends_with(s)) {
                    found.leftovers.push(folder.path().join(&name));
                }
                continue;
            }
        }
        // A name that is not valid UTF-8 cannot be addressed by a pattern; skip it.
        match name.into_string() {
            Ok(name) => out.push(name),
            Err(name) => found.warnings.push(format!("{}: skipped: the folder's name is not valid UTF-8", folder.path().join(name).display())),
        }
    }
    out.sort();
    Ok(out)
}

/// Reads an item's file, `rel` below `folder`, that [`Folder::look`] found (`seen`; none:
/// missing). A broken file becomes a problem on the item, not an error.
fn read_props(folder: &Folder, rel: &str, must_exist: bool, seen: Option<Seen>) -> Result<(Props, Option<String>)> {
    let path = folder.path().join(rel);
    let contents = match seen {
        Some(seen) => folder.read(rel, seen),
        None => Ok(store::Contents::Missing),
    };
    let text = match contents.map_err(|e| RepoError::io(&path, e))? {
        store::Contents::Text(text) => text,
        store::Contents::Missing if !must_exist => return Ok((Props::new(), None)),
        store::Contents::Missing => return Ok((Props::new(), Some(format!("{}: removed while it was being read", path.display())))),
        store::Contents::NotText => return Ok((Props::new(), Some(format!("{}: not valid UTF-8 text", path.display())))),
        store::Contents::Refused(kind) => return Ok((Props::new(), Some(store::refused(&path, kind).to_string()))),
    };
    Ok(match store::parse_object(&path, &text) {
        Ok(props) => (props, None),
        Err(e) => (Props::new(), Some(e.to_string())),
    })
}
