//! The one checked way from a path that a change names to the file it touches.
//!
//! Paths in changes are relative to the repository root and `/`-separated (so a repository
//! moved after a crash still recovers). Whatever wrote them, our own code, a journal left by a
//! crash, a history entry (which may have come from a repository someone sent), every writer
//! goes through here before touching the disk:
//!
//! - [`check`]: the path is made of plain names (no `..`, `.`, empty parts, backslashes, NUL,
//!   no absolute path), no longer than [`MAX_PATH_BYTES`] (each name at most 255 bytes), and
//!   lies inside `system/` or is a folder a change removed and kept for undo;
//! - [`resolve`]: additionally, no folder on the way is a link or a special file (the last name
//!   is never followed by the operations themselves: `rename`, `unlink`, `mkdir` and exclusive
//!   creation do not follow a link there).

use crate::error::{RepoError, Result};
use crate::journal::HISTORY_DIR;
use crate::store::{self, EntryKind, SYSTEM_DIR};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// The longest relative path a change may name. Item names are at most
/// [`crate::name::MAX_NAME_BYTES`]; this leaves room for `system/`, the file's name and our
/// temporary suffix, and keeps the whole path well below the kernel's 4096 bytes for any
/// ordinary repository location.
pub const MAX_PATH_BYTES: usize = crate::name::MAX_NAME_BYTES + 64;
/// The longest single name the common file systems accept.
const MAX_PART_BYTES: usize = 255;

/// Where a path may lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Area {
    /// `system/...`: the items.
    System,
    /// `.poni-desktop-history/<entry>.kept/<n>`: a folder a change removed, kept for undo.
    Kept,
}

/// Which area `rel` lies in, if it is a well-formed path of one (see the module documentation).
pub(crate) fn area(rel: &str) -> Option<Area> {
    if rel.len() > MAX_PATH_BYTES {
        return None;
    }
    let parts: Vec<&str> = rel.split('/').collect();
    if !parts.iter().all(|p| plain_part(p)) {
        return None;
    }
    match parts.as_slice() {
        [SYSTEM_DIR, _, ..] => Some(Area::System),
        [HISTORY_DIR, entry, n] if entry.ends_with(".kept") && n.bytes().all(|b| b.is_ascii_digit()) => Some(Area::Kept),
        _ => None,
    }
}

/// Whether `rel` is a well-formed path inside `system/`.
pub(crate) fn inside_system(rel: &str) -> bool {
    area(rel) == Some(Area::System)
}

/// Whether `rel` is a well-formed kept folder of the history.
pub(crate) fn is_kept(rel: &str) -> bool {
    area(rel) == Some(Area::Kept)
}

fn plain_part(p: &str) -> bool {
    !p.is_empty() && p.len() <= MAX_PART_BYTES && p != "." && p != ".." && !p.contains(['\\', '\0'])
}

/// `root` joined with a `/`-separated relative path. Only for paths [`check`]ed before.
pub(crate) fn join(root: &Path, rel: &str) -> PathBuf {
    rel.split('/').fold(root.to_path_buf(), |p, s| p.join(s))
}

/// Refuses a path that is not well formed, naming it.
pub fn check(rel: &str) -> Result<()> {
    if area(rel).is_some() {
        return Ok(());
    }
    let shown: String = rel.chars().take(200).collect::<String>().escape_debug().to_string();
    let why = if rel.len() > MAX_PATH_BYTES { "it is too long" } else { "it is not a plain path inside the repository's system folder" };
    Err(RepoError::Unsafe { path: PathBuf::from(shown), reason: format!("is refused: {why}") })
}

/// Checks that no folder on the way to `rel` (below `root`) is a link or a special file. A
/// missing folder ends the check: nothing below it can exist. `seen` remembers folders already
/// checked, for changes that name many files in the same folders.
pub(crate) fn check_way(root: &Path, rel: &str, seen: &mut HashSet<String>) -> Result<()> {
    let mut path = root.to_path_buf();
    let mut end = 0;
    let parts: Vec<&str> = rel.split('/').collect();
    for part in &parts[..parts.len().saturating_sub(1)] {
        path.push(part);
        end += part.len() + usize::from(end > 0);
        if seen.contains(&rel[..end]) {
            continue;
        }
        match store::entry_kind(&path).map_err(|e| RepoError::io(&path, e))? {
            EntryKind::Dir => {
                seen.insert(rel[..end].to_string());
            }
            EntryKind::Missing => return Ok(()),
            other => return Err(store::refused(&path, other)),
        }
    }
    Ok(())
}

/// [`check`] and [`check_way`], then the path on disk.
pub fn resolve(root: &Path, rel: &str) -> Result<PathBuf> {
    check(rel)?;
    check_way(root, rel, &mut HashSet::new())?;
    Ok(join(root, rel))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_paths_inside_system_or_kept_folders() {
        assert!(inside_system("system/a/node.json"));
        assert!(is_kept(".poni-desktop-history/000001-ab-1.kept/3"));
        for bad in [".poni-desktop-history/../x.kept/3", ".poni-desktop-history/a.kept/3/x", "system/a.kept/3", ".poni-desktop-history/a/3"] {
            assert!(!is_kept(bad), "{bad}");
        }
        for bad in ["system", "system/", "system/../x", "x/a", "/system/a", "system/./a", "system//a", "system/a\\..\\b", "system/a\0b"] {
            assert!(!inside_system(bad), "{bad}");
            assert!(check(bad).is_err(), "{bad}");
        }
        let long = format!("system/{}", vec!["x".repeat(100); 42].join("/"));
        assert!(!inside_system(&long));
        assert!(check(&long).unwrap_err().to_string().contains("too long"));
        assert!(!inside_system(&format!("system/{}", "y".repeat(256))));
    }

    #[cfg(unix)]
    #[test]
    fn a_link_or_a_special_file_on_the_way_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (root, outside) = (dir.path().join("r"), dir.path().join("out"));
        std::fs::create_dir_all(root.join("system/real")).unwrap();
        std::fs::create_dir_all(outside.join("o")).unwrap();
        std::os::unix::fs::symlink(&outside, root.join("system/ext")).unwrap();
        let err = resolve(&root, "system/ext/o/node.json").unwrap_err();
        assert_eq!(err.code(), "repo.unsafe_path");
        assert!(err.to_string().contains("system/ext: is a symbolic link"), "{err}");
        assert_eq!(resolve(&root, "system/real/new/node.json").unwrap(), root.join("system/real/new/node.json"));
        // The last name is the operation's own business (it never follows a link there).
        assert!(resolve(&root, "system/ext").is_ok());
    }
}
