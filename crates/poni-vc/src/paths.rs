//! How git's paths map to poni items, which files are ours alone (never committed), the
//! default commit message and the time format.

use std::collections::BTreeSet;
use std::path::Path;

use crate::ItemKind;

/// What `poni vc init` writes to `.gitignore`: the files Poni Desktop keeps beside
/// `repo.json` for itself (journal, trash, undo history, launch records) and temporary files.
pub const GITIGNORE_LINES: &[&str] = &[
    "/.poni-desktop-journal",
    "/.poni-desktop-journal.done",
    "/.poni-desktop-trash-*",
    "/.poni-desktop-history/",
    "/.poni-desktop-unflushed/",
    "/.poni-desktop-launches/",
    "*.pd-tmp",
    "*.json_dump.tmp",
];

/// The item a repository file holds (the core's rule): `system/web/a/node.json` is node
/// `web/a`. Other files are not items.
pub fn item_of(path: &str) -> Option<(String, ItemKind)> {
    poni_repo::item_of_file(path)
}

/// How a changed file is named to people: its item's name, else its path.
pub fn display_name(path: &str) -> String {
    item_of(path).map_or_else(|| path.to_owned(), |(name, _)| name)
}

/// Whether `name` is the item `wanted` or inside it (a system's nodes).
pub fn within(name: &str, wanted: &str) -> bool {
    name == wanted || name.strip_prefix(wanted).is_some_and(|rest| rest.starts_with('/'))
}

/// Files that are Poni Desktop's own bookkeeping, also when `.gitignore` does not list them.
/// Compared without regard to case: on a case-insensitive file system (macOS, Windows)
/// `.Poni-Desktop-History` is our history folder.
pub fn is_private(path: &Path) -> bool {
    let first = path.components().next().and_then(|c| c.as_os_str().to_str()).unwrap_or_default().to_ascii_lowercase();
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_ascii_lowercase();
    first.starts_with(".poni-desktop-") || name.ends_with(".pd-tmp") || name.ends_with(".json_dump.tmp")
}

/// The default message of a checkpoint: "Change 3 nodes: web/a, web/b, db/x".
pub fn summary(paths: &[String]) -> String {
    let mut nodes = BTreeSet::new();
    let mut systems = BTreeSet::new();
    let mut files = BTreeSet::new();
    for path in paths {
        match item_of(path) {
            Some((name, ItemKind::Node)) => nodes.insert(name),
            Some((name, ItemKind::System)) => systems.insert(name),
            None => files.insert(path.clone()),
        };
    }
    let count = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut parts = Vec::new();
    if !nodes.is_empty() {
        parts.push(count(nodes.len(), "node", "nodes"));
    }
    if !systems.is_empty() {
        parts.push(count(systems.len(), "system", "systems"));
    }
    if !files.is_empty() {
        parts.push(count(files.len(), "file", "files"));
    }
    if parts.is_empty() {
        return "Change nothing".to_owned();
    }
    let names: Vec<String> = nodes.into_iter().chain(systems).chain(files).collect();
    const SHOWN: usize = 5;
    let mut listed = names.iter().take(SHOWN).cloned().collect::<Vec<_>>().join(", ");
    if names.len() > SHOWN {
        listed.push_str(&format!(" and {} more", names.len() - SHOWN));
    }
    format!("Change {}: {listed}", parts.join(" and "))
}

/// Seconds since the epoch as RFC 3339 in UTC (the one format, from the core).
pub use poni_repo::time::rfc3339;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_items() {
        assert_eq!(item_of("system/web/frontend/node.json"), Some(("web/frontend".into(), ItemKind::Node)));
        assert_eq!(item_of("system/web/system.json"), Some(("web".into(), ItemKind::System)));
        assert_eq!(item_of("repo.json"), None);
        assert_eq!(item_of("system/node.json"), None);
        assert!(within("web/a", "web") && within("web", "web") && !within("web2/a", "web"));
        assert!(is_private(Path::new(".poni-desktop-journal")) && is_private(Path::new("system/a/node.json.1.pd-tmp")));
        assert!(!is_private(Path::new("system/a/node.json")));
        assert!(is_private(Path::new(".Poni-Desktop-History/000099-ab.json")) && is_private(Path::new("system/a/node.json.PD-TMP")));
    }

    #[test]
    fn summaries_count_and_name() {
        let paths = ["system/web/a/node.json", "system/web/b/node.json", "system/db/x/node.json"].map(String::from);
        assert_eq!(summary(&paths), "Change 3 nodes: db/x, web/a, web/b");
        assert_eq!(summary(&["system/web/system.json".into(), "repo.json".into()]), "Change 1 system and 1 file: web, repo.json");
    }
}
