//! What changed between two versions of a node's or system's properties, key by key. One rule
//! for the history, version control and conflicts: nested objects are compared by dotted keys,
//! everything else (lists, scalars) as a whole.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One property that differs: its dotted key and both values (`None`: not set on that side).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PropertyDiff {
    pub key: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// The properties that differ between two versions of a file's JSON object, sorted by key.
/// A side that is missing (the item was added or removed) counts as an empty object.
pub fn property_diffs(before: Option<&Value>, after: Option<&Value>) -> Vec<PropertyDiff> {
    let empty = Map::new();
    let object = |v: Option<&Value>| v.and_then(Value::as_object).cloned().unwrap_or_else(|| empty.clone());
    let mut out = Vec::new();
    walk("", &object(before), &object(after), &mut out);
    out.sort_by(|a, b| a.key.cmp(&b.key));
    out
}

fn walk(prefix: &str, before: &Map<String, Value>, after: &Map<String, Value>, out: &mut Vec<PropertyDiff>) {
    let keys: std::collections::BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    for key in keys {
        let dotted = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
        match (before.get(key), after.get(key)) {
            (Some(Value::Object(b)), Some(Value::Object(a))) => walk(&dotted, b, a, out),
            (Some(Value::Object(b)), None) if !b.is_empty() => walk(&dotted, b, &Map::new(), out),
            (None, Some(Value::Object(a))) if !a.is_empty() => walk(&dotted, &Map::new(), a, out),
            (b, a) if b != a => out.push(PropertyDiff { key: dotted, before: b.cloned(), after: a.cloned() }),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_objects_are_compared_by_dotted_keys() {
        let before = json!({"host": "a", "cloud": {"type": "t3.micro", "region": "eu-west-1"}, "tags": [1]});
        let after = json!({"host": "a", "cloud": {"type": "t3.large", "region": "eu-west-1"}, "tags": [1, 2], "new": true});
        let keys: Vec<_> = property_diffs(Some(&before), Some(&after)).into_iter().map(|d| (d.key, d.before, d.after)).collect();
        assert_eq!(
            keys,
            [
                ("cloud.type".to_string(), Some(json!("t3.micro")), Some(json!("t3.large"))),
                ("new".to_string(), None, Some(json!(true))),
                ("tags".to_string(), Some(json!([1])), Some(json!([1, 2]))),
            ]
        );
        assert_eq!(property_diffs(None, Some(&json!({"a": 1})))[0].before, None);
    }
}
