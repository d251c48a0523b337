//! Targets: regular expressions searched anywhere in an item's full name, or anchored to the
//! whole name with full match (`-M`), as poni does; `--exclude PATTERN` takes out the names
//! another expression finds anywhere in them (poni's `exclude`, never anchored).

use crate::error::{RepoError, Result};
use regex::Regex;

#[derive(Debug, Clone)]
pub struct Target {
    pattern: String,
    regex: Regex,
    /// `--exclude`: names this finds are not matched.
    exclude: Option<Regex>,
}

impl Target {
    pub fn new(pattern: &str, full_match: bool) -> Result<Self> {
        let source = if full_match { format!("^(?:{pattern})$") } else { pattern.to_string() };
        let regex = Regex::new(&source).map_err(|e| RepoError::InvalidPattern { pattern: pattern.to_string(), reason: describe(&e) })?;
        Ok(Self { pattern: pattern.to_string(), regex, exclude: None })
    }

    /// The same target leaving out every name `pattern` is found in (searched anywhere, as
    /// poni's `--exclude` is, whatever `-M` says).
    pub fn excluding(self, pattern: &str) -> Result<Self> {
        let exclude = Regex::new(pattern).map_err(|e| RepoError::InvalidPattern { pattern: pattern.to_string(), reason: describe(&e) })?;
        Ok(Self { exclude: Some(exclude), ..self })
    }

    /// [`Target::excluding`] when there is a pattern to exclude.
    pub fn excluding_opt(self, pattern: Option<&str>) -> Result<Self> {
        match pattern {
            Some(p) => self.excluding(p),
            None => Ok(self),
        }
    }

    /// Matches every item.
    pub fn all() -> Self {
        Self::new("", false).expect("the empty pattern is valid")
    }

    pub fn matches(&self, full_name: &str) -> bool {
        self.regex.is_match(full_name) && !self.exclude.as_ref().is_some_and(|x| x.is_match(full_name))
    }

    pub fn pattern(&self) -> &str {
        &self.pattern
    }
}

/// Two targets are equal when they match the same way (the same expressions, anchored or not).
impl PartialEq for Target {
    fn eq(&self, other: &Target) -> bool {
        self.regex.as_str() == other.regex.as_str() && self.exclude.as_ref().map(Regex::as_str) == other.exclude.as_ref().map(Regex::as_str)
    }
}

impl Eq for Target {}

/// The regex crate's message spans several lines with a caret diagram; keep the last line,
/// which says what is wrong.
fn describe(error: &regex::Error) -> String {
    match error {
        regex::Error::Syntax(text) => {
            let reason = text.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or(text);
            reason.trim().trim_start_matches("error: ").to_string()
        }
        regex::Error::CompiledTooBig(_) => "the expression is too large".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn searches_anywhere_unless_full_match() {
        let t = Target::new("drumbo", false).unwrap();
        assert!(t.matches("drumbo1") && t.matches("web/drumbo2"));
        let t = Target::new("drumbo1", true).unwrap();
        assert!(t.matches("drumbo1") && !t.matches("drumbo10") && !t.matches("x/drumbo1"));
        let t = Target::new("a|b", true).unwrap();
        assert!(t.matches("a") && t.matches("b") && !t.matches("ab"));
    }

    #[test]
    fn exclude_takes_out_what_it_finds_anywhere() {
        let t = Target::new("web", false).unwrap().excluding("1$").unwrap();
        assert!(t.matches("web/a") && !t.matches("web/b1") && t.matches("db/web") && !t.matches("db/web1"));
        // -M anchors the pattern, never the exclusion (poni's `exclude` is a search).
        let t = Target::new("web/.*", true).unwrap().excluding("a$").unwrap();
        assert!(!t.matches("web/a") && t.matches("web/ab"));
        assert_ne!(t, Target::new("web/.*", true).unwrap());
        assert_eq!(Target::new("x", false).unwrap().excluding_opt(None).unwrap(), Target::new("x", false).unwrap());
        assert_eq!(Target::new("x", false).unwrap().excluding("(").unwrap_err().code(), "input.invalid_pattern");
    }

    #[test]
    fn invalid_expressions_give_a_clear_error() {
        let err = Target::new("web(", false).unwrap_err();
        assert_eq!(err.code(), "input.invalid_pattern");
        let text = err.to_string();
        assert!(text.starts_with("invalid pattern 'web(': "), "{text}");
        assert!(!text.contains('\n'), "{text}");
        assert!(text.contains("unclosed group"), "{text}");
    }
}
