//! Full names of systems and nodes (`webshop/frontend/http1`): they become directory paths,
//! so every segment is checked before anything touches the disk.

use crate::error::{RepoError, Result};

/// Characters that are not portable in a directory name (Windows forbids them).
const FORBIDDEN: &[char] = &['\\', '<', '>', ':', '"', '|', '?', '*'];
/// Names poni itself uses for files and folders inside items.
const RESERVED: &[&str] = &["node.json", "system.json"];
/// The longest full name: it becomes a path below the repository, which the kernel limits to
/// 4096 bytes with the repository's own location; far more than any fleet's names need.
pub const MAX_NAME_BYTES: usize = 1024;

/// Whether a character may not be in a name: a control character, or a bidi embedding,
/// override or isolate (they make a name show as another, in the app and in a terminal).
pub fn is_hidden_or_control(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Checks a full name and returns its segments.
pub fn validate(name: &str) -> Result<Vec<&str>> {
    // A long name is shown by its start: the message must stay one readable line.
    let shown = || match name.char_indices().nth(100) {
        Some((cut, _)) => format!("{}…", name[..cut].escape_debug()),
        None => name.escape_debug().to_string(),
    };
    let invalid = |reason: String| RepoError::InvalidName { name: shown(), reason };
    if name.is_empty() {
        return Err(invalid("the name is empty".into()));
    }
    if name.len() > MAX_NAME_BYTES {
        return Err(invalid(format!("it is {} bytes long; names are at most {MAX_NAME_BYTES}", name.len())));
    }
    if name.starts_with('/') {
        return Err(invalid("names are relative to the repository: remove the leading '/'".into()));
    }
    let segments: Vec<&str> = name.split('/').collect();
    for segment in &segments {
        if segment.is_empty() {
            return Err(invalid("it has an empty part (two '/' in a row, or a '/' at the end)".into()));
        }
        if *segment == "." || *segment == ".." {
            return Err(invalid(format!("'{segment}' is not allowed as a part of a name")));
        }
        if segment.starts_with('.') {
            return Err(invalid("a part of a name cannot start with '.' (hidden folder)".into()));
        }
        if let Some(c) = segment.chars().find(|c| is_hidden_or_control(*c)) {
            return Err(invalid(format!("it contains the control character {}", c.escape_unicode())));
        }
        if let Some(c) = segment.chars().find(|c| FORBIDDEN.contains(c)) {
            return Err(invalid(format!("'{c}' is not allowed in a name")));
        }
        if segment.trim() != *segment {
            return Err(invalid("a part of a name cannot start or end with a space".into()));
        }
        if RESERVED.contains(segment) {
            return Err(invalid(format!("'{segment}' is reserved by the repository format")));
        }
        if segment.len() > 255 {
            return Err(invalid("a part of a name is longer than 255 bytes".into()));
        }
    }
    Ok(segments)
}

/// The last segment: `http1` for `webshop/frontend/http1`.
pub fn base(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

/// The containing system's full name, `""` for items directly under `system/`.
pub fn parent(name: &str) -> &str {
    name.rsplit_once('/').map_or("", |(p, _)| p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_names() {
        assert_eq!(validate("webshop/frontend/http1").unwrap(), ["webshop", "frontend", "http1"]);
        assert!(validate("drumbo1").is_ok());
        assert!(validate("db-01_primary.eu").is_ok());
    }

    #[test]
    fn rejects_names_that_escape_or_break_the_repository() {
        for (name, why) in [
            ("../x", "'..' is not allowed"),
            ("a/../../etc", "'..' is not allowed"),
            ("/etc/passwd", "remove the leading '/'"),
            ("a//b", "empty part"),
            ("a/", "empty part"),
            ("", "empty"),
            ("a\u{7}b", "control character"),
            (vec!["x".repeat(100); 42].join("/").as_str(), "names are at most 1024"),
            ("a\nb", "control character"),
            ("evil\u{202e}txt.exe", "control character"),
            ("a\\b", "'\\' is not allowed"),
            (".git", "hidden"),
            ("web/node.json", "reserved"),
            (" a", "space"),
        ] {
            let err = validate(name).unwrap_err();
            assert_eq!(err.code(), "input.invalid_name");
            assert!(err.to_string().contains(why), "{name:?}: {err}");
        }
    }

    #[test]
    fn splits_names() {
        assert_eq!(base("a/b/c"), "c");
        assert_eq!(parent("a/b/c"), "a/b");
        assert_eq!(parent("c"), "");
    }
}
