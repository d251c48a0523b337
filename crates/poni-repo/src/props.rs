//! Properties: `key=value` assignments with optional types (`port:int=0x50`), dotted keys that
//! address nested objects (`cloud.region`), and the computed properties poni never saves.

use crate::convert::PropertyInput;
use crate::error::{RepoError, Result};
use crate::store::kind_of;
pub use crate::store::Props;
use serde_json::{Map, Value};

/// Computed from the tree when it is read; never written to a file.
pub const COMPUTED: &[&str] = &["index", "depth", "sub_count"];
/// Shown apart from the plain property listing (`list -o` instead of `list -p`).
pub const CLOUD: &str = "cloud";

/// One `key[:conv...]=value` from the command line, parsed in poni 0.8's property language
/// (see [`crate::convert`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    pub key: String,
    /// The value, the same for every item; for a value made per item (a `:prop` reference, a
    /// new `:uuid4`) the value for an item with no properties, shown in labels.
    pub value: Value,
    /// Set when the value is made for each item ([`Assignment::value_for`]).
    per_item: Option<Box<PropertyInput>>,
}

impl Assignment {
    pub fn new(key: impl Into<String>, value: Value) -> Result<Self> {
        let key = key.into();
        key_path(&key, &key)?;
        Ok(Self { key, value, per_item: None })
    }

    /// Parses `key=value`, `key:conv[:conv...]=value`, `key:conv`. The value is everything
    /// after the first `=`.
    pub fn parse(input: &str) -> Result<Self> {
        let parsed = PropertyInput::parse(input)?;
        if parsed.is_per_node() {
            return Ok(Self { key: parsed.key.clone(), value: Value::Null, per_item: Some(Box::new(parsed)) });
        }
        parsed.evaluate(&crate::convert::no_node)
    }

    /// The value for one item: `lookup` reads the item's properties (dotted keys; "" for all).
    pub fn value_for(&self, lookup: crate::convert::NodeLookup<'_>) -> Result<Value> {
        match &self.per_item {
            Some(input) => input.value(lookup),
            None => Ok(self.value.clone()),
        }
    }

    /// The text it was parsed from when its value is made per item (`x:uuid4`), for labels.
    pub fn per_item_input(&self) -> Option<&str> {
        self.per_item.as_ref().map(|p| p.input())
    }
}

/// Splits a dotted key, rejecting empty parts and computed properties.
pub fn key_path<'a>(key: &'a str, input: &str) -> Result<Vec<&'a str>> {
    let invalid = |reason: String| RepoError::InvalidProperty { input: input.to_string(), reason };
    if key.is_empty() {
        return Err(invalid("the property name is empty".into()));
    }
    let parts: Vec<&str> = key.split('.').collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(invalid(format!("'{key}' has an empty part between dots")));
    }
    if let Some(c) = key.chars().find(|c| c.is_control()) {
        return Err(invalid(format!("the name contains the control character {}", c.escape_unicode())));
    }
    if parts.len() == 1 && COMPUTED.contains(&parts[0]) {
        return Err(invalid(format!("'{key}' is computed from the tree and cannot be set")));
    }
    Ok(parts)
}

/// A property that changed: its dotted key, the value before (None: not set) and after.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub key: String,
    pub old: Option<Value>,
    pub new: Option<Value>,
}

/// Sets a dotted key, creating objects on the way. Fails (changing nothing) when a part of the
/// way holds something that is not an object.
pub fn set_path(props: &mut Props, key: &str, value: Value) -> Result<Option<Change>> {
    let parts = key_path(key, key)?;
    let (last, way) = parts.split_last().expect("key_path never returns an empty path");
    let mut current = props;
    for (depth, part) in way.iter().enumerate() {
        let slot = current.entry(part.to_string()).or_insert_with(|| Value::Object(Map::new()));
        current = match slot {
            Value::Object(map) => map,
            other => {
                return Err(RepoError::InvalidProperty {
                    input: key.to_string(),
                    reason: format!("'{key}' does not exist: '{}' holds {}, not an object", parts[..=depth].join("."), kind_of(other)),
                })
            }
        };
    }
    let old = current.insert(last.to_string(), value.clone());
    Ok((old.as_ref() != Some(&value)).then(|| Change { key: key.to_string(), old, new: Some(value) }))
}

/// Removes a dotted key. Objects left empty on the way are kept (poni keeps them too).
pub fn unset_path(props: &mut Props, key: &str) -> Result<Option<Change>> {
    let parts = key_path(key, key)?;
    let (last, way) = parts.split_last().expect("key_path never returns an empty path");
    let mut current = props;
    for part in way {
        match current.get_mut(*part) {
            Some(Value::Object(map)) => current = map,
            _ => return Ok(None),
        }
    }
    Ok(current.remove(*last).map(|old| Change { key: key.to_string(), old: Some(old), new: None }))
}

/// Reads a dotted key.
pub fn get_path<'a>(props: &'a Props, key: &str) -> Option<&'a Value> {
    let mut parts = key.split('.');
    let mut value = props.get(parts.next()?)?;
    for part in parts {
        value = value.as_object()?.get(part)?;
    }
    Some(value)
}

/// Every leaf of a property tree as (dotted key, value), sorted: poni's `list -l` order.
pub fn flatten(props: &Props) -> Vec<(String, &Value)> {
    fn walk<'a>(prefix: &str, props: &'a Props, out: &mut Vec<(String, &'a Value)>) {
        for (key, value) in sorted(props) {
            let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
            match value {
                Value::Object(map) if !map.is_empty() => walk(&path, map, out),
                _ => out.push((path, value)),
            }
        }
    }
    let mut out = Vec::new();
    walk("", props, &mut out);
    out
}

/// A map's entries sorted by key, whatever order the map keeps (see json_format::Sorted).
pub fn sorted(props: &Props) -> Vec<(&String, &Value)> {
    let mut entries: Vec<_> = props.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    entries
}

/// Merges `overlay` into `base` key by key, descending into objects both sides have.
pub fn deep_merge(base: &mut Props, overlay: &Props) {
    for (key, value) in overlay {
        match (base.get_mut(key), value) {
            (Some(Value::Object(b)), Value::Object(o)) => deep_merge(b, o),
            _ => {
                base.insert(key.clone(), value.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn props(v: Value) -> Props {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn parses_plain_and_typed_values() {
        let cases = [
            ("cloud.region=us-east-1", "cloud.region", json!("us-east-1")),
            ("a=b=c", "a", json!("b=c")),
            ("x=", "x", json!("")),
            ("port:int=0x50", "port", json!(80)),
            ("n:int=0o17", "n", json!(15)),
            ("n:int=0b101", "n", json!(5)),
            ("n:int=-42", "n", json!(-42)),
            ("n:int=1_000", "n", json!(1000)),
            ("f:float=2", "f", json!(2.0)),
            ("s:str=123", "s", json!("123")),
            ("b:bool=on", "b", json!(true)),
            ("b:bool=off", "b", json!(false)),
            ("b:bool=true", "b", json!(true)),
            ("b:bool=0", "b", json!(false)),
            ("j:-json=[1,\"a\"]", "j", json!([1, "a"])),
            // poni's `:json` encodes: the value is the text json.dumps gives for the string.
            ("j:json=[1,\"a\"]", "j", json!("\"[1,\\\"a\\\"]\"")),
            ("m:int=64Mi", "m", json!(67108864)),
            ("nothing:null", "nothing", json!(null)),
        ];
        for (input, key, value) in cases {
            let a = Assignment::parse(input).unwrap();
            assert_eq!((a.key.as_str(), a.value), (key, value), "{input}");
        }
    }

    #[test]
    fn bad_typed_values_say_what_is_wrong() {
        for (input, why) in [
            ("x:int=abc", "'abc' is not an integer"),
            ("x:int=010", "is not an integer"),
            ("x:int=", "is not an integer"),
            ("x:float=pi", "'pi' is not a finite number"),
            ("x:float=inf", "not a finite number"),
            ("x:bool=maybe", "'maybe' is not a boolean"),
            ("x:list=1", "unknown type 'list'"),
            ("novalue", "expected key=value"),
            ("=x", "name is empty"),
            ("a..b=1", "empty part"),
            ("index:int=3", "computed"),
        ] {
            let err = Assignment::parse(input).unwrap_err();
            assert_eq!(err.code(), "input.invalid_property");
            assert!(err.to_string().contains(why), "{input}: {err}");
        }
    }

    #[test]
    fn dotted_keys_make_nested_objects() {
        let mut p = Props::new();
        set_path(&mut p, "one.two.three", json!("x")).unwrap();
        set_path(&mut p, "one.two.four", json!(4)).unwrap();
        assert_eq!(Value::Object(p), json!({"one": {"two": {"three": "x", "four": 4}}}));
    }

    #[test]
    fn setting_below_a_non_object_fails_and_changes_nothing() {
        let mut p = props(json!({"port": 80}));
        let err = set_path(&mut p, "port.sub", json!(1)).unwrap_err().to_string();
        assert!(err.contains("'port.sub' does not exist"), "{err}");
        assert!(err.contains("'port' holds a number"), "{err}");
        assert_eq!(Value::Object(p), json!({"port": 80}));
    }

    #[test]
    fn reports_changes_only_when_the_value_differs() {
        let mut p = props(json!({"a": 1}));
        assert_eq!(set_path(&mut p, "a", json!(1)).unwrap(), None);
        let change = set_path(&mut p, "a", json!(2)).unwrap().unwrap();
        assert_eq!((change.old, change.new), (Some(json!(1)), Some(json!(2))));
    }

    #[test]
    fn unset_removes_leaves() {
        let mut p = props(json!({"cloud": {"region": "x", "image": "y"}}));
        assert!(unset_path(&mut p, "cloud.region").unwrap().is_some());
        assert!(unset_path(&mut p, "cloud.nothing").unwrap().is_none());
        assert!(unset_path(&mut p, "nothing.deeper").unwrap().is_none());
        assert_eq!(Value::Object(p), json!({"cloud": {"image": "y"}}));
    }

    #[test]
    fn flattens_and_reads_dotted_keys() {
        let p = props(json!({"b": 1, "a": {"y": 2, "x": {}}}));
        let flat: Vec<_> = flatten(&p).into_iter().map(|(k, _)| k).collect();
        assert_eq!(flat, ["a.x", "a.y", "b"]);
        assert_eq!(get_path(&p, "a.y"), Some(&json!(2)));
        assert_eq!(get_path(&p, "b.c"), None);
    }

    #[test]
    fn deep_merge_overlays_objects() {
        let mut base = props(json!({"cloud": {"region": "a", "image": "i"}, "user": "root"}));
        deep_merge(&mut base, &props(json!({"cloud": {"region": "b"}})));
        assert_eq!(Value::Object(base), json!({"cloud": {"region": "b", "image": "i"}, "user": "root"}));
    }
}
