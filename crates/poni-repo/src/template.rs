//! Name templates for add-node: `{id}` becomes the number, with Python format specs for
//! padding (`http{id:02}` gives `http01`), and the id ranges `N` (1..N) and `N..M`.

use crate::error::{RepoError, Result};
use std::ops::RangeInclusive;

/// Parses `-n`: `N` means 1..=N, `N..M` means N..=M.
pub fn parse_range(text: &str) -> Result<RangeInclusive<u64>> {
    let invalid = |reason: &str| RepoError::InvalidRange { range: text.to_string(), reason: reason.into() };
    let number = |s: &str| s.trim().parse::<u64>().map_err(|_| invalid("use N or N..M with whole numbers, e.g. 4 or 2..4"));
    let range = match text.split_once("..") {
        None => 1..=number(text)?,
        Some((start, end)) => number(start)?..=number(end)?,
    };
    if range.is_empty() {
        return Err(invalid(if text.contains("..") { "the start is after the end" } else { "the count must be at least 1" }));
    }
    if range.end() - range.start() >= 100_000 {
        return Err(invalid("at most 100000 nodes at once"));
    }
    Ok(range)
}

/// A parsed template: literal text and `{id}` fields.
#[derive(Debug, Clone)]
pub struct Template {
    parts: Vec<Part>,
}

#[derive(Debug, Clone)]
enum Part {
    Text(String),
    Id(Spec),
}

/// The subset of Python's format spec that makes sense for a number: `[[fill]align][0][width][type]`.
#[derive(Debug, Clone, Default)]
struct Spec {
    fill: Option<char>,
    align: Option<char>,
    zero: bool,
    width: usize,
    radix: Option<char>,
}

impl Template {
    pub fn parse(template: &str) -> Result<Self> {
        let invalid = |reason: String| RepoError::InvalidTemplate { template: template.to_string(), reason };
        let mut parts = Vec::new();
        let mut text = String::new();
        let mut chars = template.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    text.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    text.push('}');
                }
                '{' => {
                    let field: String = chars.by_ref().take_while(|&c| c != '}').collect();
                    let (name, spec) = field.split_once(':').unwrap_or((&field, ""));
                    if name != "id" {
                        return Err(invalid(format!("unknown field '{{{field}}}': only {{id}} is available")));
                    }
                    if !parts.is_empty() || !text.is_empty() {
                        parts.push(Part::Text(std::mem::take(&mut text)));
                    }
                    parts.push(Part::Id(parse_spec(spec).map_err(invalid)?));
                }
                '}' => return Err(invalid("a single '}' must be written '}}'".into())),
                c => text.push(c),
            }
        }
        if template.matches('{').count() > template.matches('}').count() {
            return Err(invalid("a '{' is not closed".into()));
        }
        if !text.is_empty() {
            parts.push(Part::Text(text));
        }
        Ok(Self { parts })
    }

    pub fn has_id(&self) -> bool {
        self.parts.iter().any(|p| matches!(p, Part::Id(_)))
    }

    pub fn render(&self, id: u64) -> String {
        self.parts
            .iter()
            .map(|part| match part {
                Part::Text(t) => t.clone(),
                Part::Id(spec) => spec.format(id),
            })
            .collect()
    }
}

fn parse_spec(spec: &str) -> std::result::Result<Spec, String> {
    let bad = || format!("'{spec}' is not a number format (examples: {{id:02}}, {{id:3}}, {{id:x}})");
    let chars: Vec<char> = spec.chars().collect();
    let mut out = Spec::default();
    let mut i = 0;
    let is_align = |c: char| matches!(c, '<' | '>' | '^' | '=');
    if chars.len() >= 2 && is_align(chars[1]) {
        out.fill = Some(chars[0]);
        out.align = Some(chars[1]);
        i = 2;
    } else if chars.first().copied().is_some_and(is_align) {
        out.align = Some(chars[0]);
        i = 1;
    }
    if chars.get(i) == Some(&'0') {
        out.zero = true;
        i += 1;
    }
    let digits: String = chars[i..].iter().take_while(|c| c.is_ascii_digit()).collect();
    i += digits.len();
    if !digits.is_empty() {
        out.width = digits.parse().map_err(|_| bad())?;
        if out.width > 64 {
            return Err(bad());
        }
    }
    match &chars[i..] {
        [] => {}
        [c @ ('d' | 'x' | 'X' | 'o' | 'b')] => out.radix = Some(*c),
        _ => return Err(bad()),
    }
    Ok(out)
}

impl Spec {
    fn format(&self, id: u64) -> String {
        let digits = match self.radix {
            Some('x') => format!("{id:x}"),
            Some('X') => format!("{id:X}"),
            Some('o') => format!("{id:o}"),
            Some('b') => format!("{id:b}"),
            _ => id.to_string(),
        };
        let pad = self.width.saturating_sub(digits.len());
        let (fill, align) = match (self.fill, self.align, self.zero) {
            (None, None, true) => ('0', '>'),
            (fill, align, _) => (fill.unwrap_or(' '), align.unwrap_or('>')),
        };
        let fill_n = |n: usize| fill.to_string().repeat(n);
        match align {
            '<' => format!("{digits}{}", fill_n(pad)),
            '^' => format!("{}{digits}{}", fill_n(pad / 2), fill_n(pad - pad / 2)),
            _ => format!("{}{digits}", fill_n(pad)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("4").unwrap(), 1..=4);
        assert_eq!(parse_range("2..4").unwrap(), 2..=4);
        assert_eq!(parse_range("3..3").unwrap(), 3..=3);
        for (bad, why) in [
            ("3..x", "whole numbers"),
            ("5..2", "start is after the end"),
            ("x", "whole numbers"),
            ("0", "at least 1"),
            ("1..2..3", "whole numbers"),
            ("-1", "whole numbers"),
        ] {
            let err = parse_range(bad).unwrap_err();
            assert_eq!(err.code(), "input.invalid_range");
            assert!(err.to_string().starts_with(&format!("invalid range: '{bad}'")));
            assert!(err.to_string().contains(why), "{bad}: {err}");
        }
    }

    #[test]
    fn renders_ids_with_python_format_specs() {
        let cases = [
            ("drumbo{id}", 3, "drumbo3"),
            ("http{id:02}", 1, "http01"),
            ("http{id:02}", 123, "http123"),
            ("n{id:3}", 7, "n  7"),
            ("n{id:<3}x", 7, "n7  x"),
            ("n{id:*^5}", 7, "n**7**"),
            ("h{id:x}", 255, "hff"),
            ("h{id:04X}", 255, "h00FF"),
            ("{{id}}{id}", 2, "{id}2"),
            ("web/app{id}/x", 5, "web/app5/x"),
            ("plain", 9, "plain"),
        ];
        for (template, id, expected) in cases {
            assert_eq!(Template::parse(template).unwrap().render(id), expected, "{template}");
        }
        assert!(Template::parse("a{id}").unwrap().has_id());
        assert!(!Template::parse("a").unwrap().has_id());
    }

    #[test]
    fn bad_templates() {
        for (bad, why) in [("a{name}", "unknown field"), ("a{id", "not closed"), ("a}", "single '}'"), ("a{id:zz}", "not a number format")] {
            let err = Template::parse(bad).unwrap_err();
            assert!(err.to_string().contains(why), "{bad}: {err}");
        }
    }
}
