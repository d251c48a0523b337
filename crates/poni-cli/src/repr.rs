//! Property values as poni's `list` prints them: Python-style reprs (`'text'`, `True`, `None`),
//! objects as `{key:value key:value}` with sorted keys.

use poni_repo::json_format::python_float_repr;
use poni_repo::Props;
use serde_json::Value;

/// `key:value key:value`, the top level of a property listing.
pub fn props_line(props: &Props) -> String {
    poni_repo::props::sorted(props).into_iter().map(|(k, v)| format!("{k}:{}", value(v))).collect::<Vec<_>>().join(" ")
}

pub fn value(v: &Value) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(b) => if *b { "True" } else { "False" }.into(),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => i.to_string(),
            (_, Some(u), _) => u.to_string(),
            (_, _, Some(f)) => python_float_repr(f),
            _ => n.to_string(),
        },
        Value::String(s) => string(s),
        Value::Array(items) => format!("[{}]", items.iter().map(value).collect::<Vec<_>>().join(", ")),
        Value::Object(map) => format!("{{{}}}", props_line(map)),
    }
}

/// Python's `repr()` of a value, as poni's log lines show it: `'text'`, `True`, `None`,
/// `[1, 2.5]`, `{'a': 1, 'b': 'x'}` (keys in the value's order).
pub fn python(v: &Value) -> String {
    match v {
        Value::Array(items) => format!("[{}]", items.iter().map(python).collect::<Vec<_>>().join(", ")),
        Value::Object(map) => format!("{{{}}}", map.iter().map(|(k, v)| format!("{}: {}", string(k), python(v))).collect::<Vec<_>>().join(", ")),
        other => value(other),
    }
}

/// Python's `repr(str)`: single quotes unless the text has one and no double quote.
pub fn string(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') { '"' } else { '\'' };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn prints_like_poni() {
        let props = json!({"region": "us-east-1", "image": "ami-daf615b3", "key-pair": "my-keypair", "provider": "aws-ec2"});
        assert_eq!(props_line(props.as_object().unwrap()), "image:'ami-daf615b3' key-pair:'my-keypair' provider:'aws-ec2' region:'us-east-1'");
        let props = json!({"depth": 1, "host": "", "private": {"ip": null, "dns": ""}, "b": true, "f": 2.0, "l": ["a", 1]});
        assert_eq!(props_line(props.as_object().unwrap()), "b:True depth:1 f:2.0 host:'' l:['a', 1] private:{dns:'' ip:None}");
        assert_eq!(string("it's"), "\"it's\"");
        assert_eq!(string("a'b\"c"), "'a\\'b\"c'");
    }

    #[test]
    fn python_reprs() {
        assert_eq!(python(&json!([1, 2.5, null, true, "x", {"a": [], "b": {}}])), "[1, 2.5, None, True, 'x', {'a': [], 'b': {}}]");
        assert_eq!(python(&json!(1e16)), "1e+16");
    }
}
