//! What changed since the last commit: item by item with each property ([`diff`]), or as
//! `git diff` text ([`patch`]).

use crate::error::{Result, VcError};
use crate::git::{blob_bytes, delta_path, head_tree, open, parse_side};
use crate::paths;
use crate::types::{DiffChange, ItemDiff, RepoDiff};
use git2::{Delta, DiffFormat, DiffOptions};
use std::fs;
use std::path::Path;

fn diff_options(name: Option<&str>, patch: bool) -> DiffOptions {
    let mut options = DiffOptions::new();
    options.include_untracked(true).recurse_untracked_dirs(true).show_untracked_content(patch);
    if let Some(name) = name {
        options.pathspec(format!("system/{name}"));
    }
    options
}

/// What changed in the work tree since the last commit, item by item with each property's
/// value before and after (nested objects by dotted keys). With `name`, only that item (and,
/// for a system, what is inside it).
pub fn diff(root: &Path, name: Option<&str>) -> Result<RepoDiff> {
    let repo = open(root)?;
    let tree = head_tree(&repo)?;
    let mut options = diff_options(name, false);
    let diff = repo.diff_tree_to_workdir_with_index(tree.as_ref(), Some(&mut options))?;
    let mut items = Vec::new();
    for delta in diff.deltas() {
        let Some(path) = delta_path(&delta) else { continue };
        let Some((item, kind)) = paths::item_of(&path) else { continue };
        if name.is_some_and(|wanted| !paths::within(&item, wanted)) {
            continue;
        }
        let before = match delta.status() {
            Delta::Added | Delta::Untracked => None,
            _ if delta.old_file().id().is_zero() => None,
            _ => Some(parse_side(&blob_bytes(&repo, delta.old_file().id())?)),
        };
        let after = match delta.status() {
            Delta::Deleted => None,
            _ => match fs::read(root.join(&path)) {
                Ok(bytes) => Some(parse_side(&bytes)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => return Err(VcError::io(root.join(&path), e)),
            },
        };
        let change = match (&before, &after) {
            (None, None) => continue,
            (None, Some(_)) => DiffChange::Added,
            (Some(_), None) => DiffChange::Removed,
            (Some(_), Some(_)) => DiffChange::Changed,
        };
        let properties = poni_repo::property_diffs(before.as_ref(), after.as_ref());
        items.push(ItemDiff { name: item, kind, change, properties });
    }
    items.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(RepoDiff { items })
}

/// The same changes as [`diff`], as a unified diff (`git diff` text), for the command line.
pub fn patch(root: &Path, name: Option<&str>) -> Result<String> {
    let repo = open(root)?;
    let tree = head_tree(&repo)?;
    let mut options = diff_options(name, true);
    let diff = repo.diff_tree_to_workdir_with_index(tree.as_ref(), Some(&mut options))?;
    let mut out: Vec<u8> = Vec::new();
    diff.print(DiffFormat::Patch, |_delta, _hunk, line| {
        if matches!(line.origin(), '+' | '-' | ' ') {
            out.push(line.origin() as u8);
        }
        out.extend_from_slice(line.content());
        true
    })?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}
