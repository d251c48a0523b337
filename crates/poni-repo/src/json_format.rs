//! Serializes JSON exactly as poni (Python's `json.dump(data, indent=4, sort_keys=True)`) does,
//! so that files we write are byte for byte what the poni command line would write:
//! 4-space indent, `": "` and `","` separators, keys sorted (serde_json's map is ordered),
//! non-ASCII escaped as `\uXXXX` (Python's `ensure_ascii`), floats in Python's `repr` form,
//! and no trailing newline.

use serde::Serialize;
use serde_json::ser::{CharEscape, Formatter, PrettyFormatter};
use serde_json::Value;
use std::io::{self, Write};

pub fn to_poni_json(value: &Value) -> String {
    let mut out = Vec::with_capacity(128);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, PoniFormatter::default());
    Sorted(value).serialize(&mut ser).expect("serializing a Value into memory cannot fail");
    String::from_utf8(out).expect("the formatter writes ASCII only")
}

/// Serializes a value with every object's keys sorted. serde_json's map is only sorted while
/// no crate in the build enables its `preserve_order` feature (features are unified across a
/// workspace, and Tauri's dependencies do enable it), so the order is made explicit here.
struct Sorted<'a>(&'a Value);

impl Serialize for Sorted<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self.0 {
            Value::Object(map) => {
                let mut entries: Vec<_> = map.iter().collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                let mut out = serializer.serialize_map(Some(entries.len()))?;
                for (key, value) in entries {
                    out.serialize_entry(key, &Sorted(value))?;
                }
                out.end()
            }
            Value::Array(items) => {
                let mut out = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    out.serialize_element(&Sorted(item))?;
                }
                out.end()
            }
            other => other.serialize(serializer),
        }
    }
}

struct PoniFormatter {
    pretty: PrettyFormatter<'static>,
}

impl Default for PoniFormatter {
    fn default() -> Self {
        Self { pretty: PrettyFormatter::with_indent(b"    ") }
    }
}

impl Formatter for PoniFormatter {
    fn write_f64<W: ?Sized + Write>(&mut self, w: &mut W, value: f64) -> io::Result<()> {
        w.write_all(python_float_repr(value).as_bytes())
    }

    fn write_string_fragment<W: ?Sized + Write>(&mut self, w: &mut W, fragment: &str) -> io::Result<()> {
        let mut start = 0;
        for (i, ch) in fragment.char_indices() {
            if ch.is_ascii() && ch != '\u{7f}' {
                continue;
            }
            w.write_all(&fragment.as_bytes()[start..i])?;
            let mut units = [0u16; 2];
            for unit in ch.encode_utf16(&mut units) {
                write!(w, "\\u{unit:04x}")?;
            }
            start = i + ch.len_utf8();
        }
        w.write_all(&fragment.as_bytes()[start..])
    }

    fn write_char_escape<W: ?Sized + Write>(&mut self, w: &mut W, escape: CharEscape) -> io::Result<()> {
        serde_json::ser::CompactFormatter.write_char_escape(w, escape)
    }

    // The structural calls are PrettyFormatter's, which already matches Python's layout.
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.pretty.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.pretty.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.end_object_value(w)
    }
}

/// Python's `repr(float)`: the shortest digits that round-trip, in positional notation for
/// decimal exponents -4..16 and scientific (`1e+16`, `1.5e-05`) outside it.
pub fn python_float_repr(value: f64) -> String {
    if value.is_nan() {
        return "NaN".into();
    }
    if value.is_infinite() {
        return if value > 0.0 { "Infinity".into() } else { "-Infinity".into() };
    }
    // `{:e}` gives the shortest round-trip digits as d.ddde±x.
    let sci = format!("{value:e}");
    let (mantissa, exp) = sci.split_once('e').expect("{:e} always has an exponent");
    let exp: i32 = exp.parse().expect("exponent is an integer");
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if negative { "-" } else { "" };
    if (-4..16).contains(&exp) {
        let point = exp + 1; // position of the decimal point within `digits`
        let body = if point <= 0 {
            format!("0.{}{}", "0".repeat((-point) as usize), digits)
        } else if point as usize >= digits.len() {
            format!("{}{}.0", digits, "0".repeat(point as usize - digits.len()))
        } else {
            format!("{}.{}", &digits[..point as usize], &digits[point as usize..])
        };
        format!("{sign}{body}")
    } else {
        let rest = &digits[1..];
        let mantissa = if rest.is_empty() { digits[..1].to_string() } else { format!("{}.{}", &digits[..1], rest) };
        format!("{sign}{mantissa}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn matches_python_json_dump_layout() {
        let value = json!({"host": "", "parent": "drumbo1", "cloud": {"region": "us-east-1", "key-pair": "k"}, "list": [1, 2], "empty": {}, "none": []});
        let expected = "{\n    \"cloud\": {\n        \"key-pair\": \"k\",\n        \"region\": \"us-east-1\"\n    },\n    \"empty\": {},\n    \"host\": \"\",\n    \"list\": [\n        1,\n        2\n    ],\n    \"none\": [],\n    \"parent\": \"drumbo1\"\n}";
        assert_eq!(to_poni_json(&value), expected);
        assert_eq!(to_poni_json(&json!({})), "{}");
    }

    #[test]
    fn escapes_like_ensure_ascii() {
        assert_eq!(to_poni_json(&json!("ä\u{7f}\n\"\\/😀\u{1}")), r#""\u00e4\u007f\n\"\\/\ud83d\ude00\u0001""#);
    }

    #[test]
    fn floats_as_python_repr() {
        for (value, text) in [
            (2.0, "2.0"),
            (0.1, "0.1"),
            (-1.5, "-1.5"),
            (1e16, "1e+16"),
            (1.5e16, "1.5e+16"),
            (123456789012345.6, "123456789012345.6"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1e22, "1e+22"),
            (0.0, "0.0"),
            (-2.5e-7, "-2.5e-07"),
            (100.0, "100.0"),
        ] {
            assert_eq!(python_float_repr(value), text, "{value}");
        }
    }
}
