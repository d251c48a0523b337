//! A snapshot of the whole repository as poni sees it: systems and nodes in depth-first order
//! with directory entries sorted by name, the computed properties, and lookup up the tree.
//! A hand-edited file that cannot be read marks its item as broken instead of failing the
//! whole snapshot, so the rest of the repository stays usable.

use crate::error::{RepoError, Result};
use crate::name;
use crate::props::{self, Props};
use crate::store::{self, NODE_FILE, SYSTEM_FILE};
use crate::target::Target;
use serde_json::Value;
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
}

impl Tree {
    /// Reads every system and node under `system_root`, each file once.
    pub fn load(system_root: &Path) -> Result<Self> {
        let mut tree = Tree::default();
        tree.walk(system_root, "", 0)?;
        tree.by_name = tree.items.iter().enumerate().map(|(i, item)| (item.name.clone(), i)).collect();
        Ok(tree)
    }

    /// Adds the items below `dir`; returns how many subdirectories it has.
    fn walk(&mut self, dir: &Path, prefix: &str, depth: usize) -> Result<usize> {
        let entries = sorted_subdirs(dir)?;
        let count = entries.len();
        for (index, (entry_name, path)) in entries.into_iter().enumerate() {
            let full = if prefix.is_empty() { entry_name.clone() } else { format!("{prefix}/{entry_name}") };
            let node_file = path.join(NODE_FILE);
            if node_file.is_file() {
                let (props, problem) = read_props(&node_file, true)?;
                self.items.push(Item { kind: Kind::Node, name: full, props, index, depth: depth + 1, sub_count: 0, problem });
            } else {
                let (props, problem) = read_props(&path.join(SYSTEM_FILE), false)?;
                let position = self.items.len();
                self.items.push(Item { kind: Kind::System, name: full.clone(), props, index, depth: depth + 1, sub_count: 0, problem });
                self.items[position].sub_count = self.walk(&path, &full, depth + 1)?;
            }
        }
        Ok(count)
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

/// Subdirectories of `dir` as (name, path), sorted by name. Missing dir: none.
fn sorted_subdirs(dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    let read = match fs::read_dir(dir) {
        Ok(read) => read,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(RepoError::io(dir, e)),
    };
    let mut out = Vec::new();
    for entry in read {
        let entry = entry.map_err(|e| RepoError::io(dir, e))?;
        let is_dir = entry.file_type().map(|t| t.is_dir()).unwrap_or(false)
            || (entry.file_type().map(|t| t.is_symlink()).unwrap_or(false) && entry.path().is_dir());
        if !is_dir {
            continue;
        }
        // A name that is not valid UTF-8 cannot be addressed by a pattern; skip it.
        if let Ok(name) = entry.file_name().into_string() {
            out.push((name, entry.path()));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// Reads an item's file. A broken file becomes a problem on the item, not an error.
fn read_props(path: &Path, must_exist: bool) -> Result<(Props, Option<String>)> {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !must_exist => return Ok((Props::new(), None)),
        Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
            return Ok((Props::new(), Some(format!("{}: not valid UTF-8 text", path.display()))))
        }
        Err(e) => return Err(RepoError::io(path, e)),
    };
    Ok(match store::parse_object(path, &text) {
        Ok(props) => (props, None),
        Err(e) => (Props::new(), Some(e.to_string())),
    })
}
