//! Lenient readers for property values. `poni set key=value` stores strings unless a type is
//! given (`key:int=`), so a repository made by poni 0.8 holds "600" where a number is meant.

use serde_json::Value;

/// How a value is shown in a problem message: strings quoted, anything else as JSON.
pub(crate) fn shown(value: &Value) -> String {
    match value {
        Value::String(s) => format!("'{s}'"),
        other => other.to_string(),
    }
}

/// A whole number, from a JSON number or a string of decimal digits.
pub(crate) fn integer(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9e15).map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A yes/no, accepting the spellings `poni set key:bool=` accepts.
pub(crate) fn boolean(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => match n.as_i64() {
            Some(0) => Some(false),
            Some(1) => Some(true),
            _ => None,
        },
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "on" | "yes" | "1" => Some(true),
            "false" | "off" | "no" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// A list of strings, also from one string (comma-separated), as `poni set` would store it.
pub(crate) fn string_list(value: &Value) -> Option<Vec<String>> {
    match value {
        Value::String(s) => Some(s.split(',').map(str::trim).filter(|p| !p.is_empty()).map(str::to_owned).collect()),
        Value::Array(items) => items.iter().map(|v| v.as_str().map(|s| s.trim().to_owned())).collect(),
        _ => None,
    }
}

/// A tag value: strings as they are, numbers and booleans written out.
pub(crate) fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn integers_come_from_numbers_and_digit_strings() {
        assert_eq!(integer(&json!(600)), Some(600));
        assert_eq!(integer(&json!(" 600 ")), Some(600));
        assert_eq!(integer(&json!(2.0)), Some(2));
        assert_eq!(integer(&json!(2.5)), None);
        assert_eq!(integer(&json!("ten")), None);
        assert_eq!(integer(&json!(null)), None);
    }

    #[test]
    fn booleans_accept_poni_spellings() {
        for yes in [json!(true), json!("on"), json!("True"), json!("1"), json!(1)] {
            assert_eq!(boolean(&yes), Some(true), "{yes}");
        }
        for no in [json!(false), json!("off"), json!("0"), json!(0)] {
            assert_eq!(boolean(&no), Some(false), "{no}");
        }
        assert_eq!(boolean(&json!("maybe")), None);
    }

    #[test]
    fn string_lists_accept_one_string_or_an_array() {
        assert_eq!(string_list(&json!("web, ssh")), Some(vec!["web".into(), "ssh".into()]));
        assert_eq!(string_list(&json!(["a", "b"])), Some(vec!["a".into(), "b".into()]));
        assert_eq!(string_list(&json!(["a", 1])), None);
        assert_eq!(string_list(&json!({})), None);
    }
}
