//! Which keys under `cloud` Poni knows: the one list, and the notes (warnings, never
//! problems) about keys a launch ignores, so that nothing set is dropped without a word.

use poni_repo::ErrorCode;
use serde_json::{Map, Value};

use super::settings::RAMDISK_KEYS;
use super::KEY_PAIR_KEYS;

/// Every key under `cloud` Poni reads (poni 0.8's names, and both spellings where poni 0.8
/// has two), and `instance`, which Launch writes.
pub const CLOUD_KEYS: &[&str] = &[
    "provider",
    "region",
    "image",
    "type",
    "key-pair",
    "key_pair",
    "vm_name",
    "instance",
    "security_groups",
    "subnet",
    "extra_tags",
    "user_data",
    "placement",
    "hardware",
    "init_timeout",
    "eip",
    "check_health",
    "billing",
    "spot",
    "instance_profile_name",
    "disable_api_termination",
    "monitoring_enabled",
    "ebs_optimized",
    "private_ip_address",
    "tenancy",
    "placement_group",
    "kernel",
    "ramdisk",
    "ramdisk_id",
];

/// Keys inside `cloud.spot`.
const SPOT_KEYS: &[&str] = &["max_price"];

/// poni 0.8 settings Poni does not act on, and what it does instead.
const NOT_USED: &[(&str, &str)] = &[("deploy_via_eip", "host is the instance's public DNS name, which follows its Elastic IP once cloud.eip is associated")];

/// Properties that are one property under two names (poni 0.8 reads both).
pub const ALIASES: [[&str; 2]; 2] = [KEY_PAIR_KEYS, RAMDISK_KEYS];

/// Whether two property names are the same property (equal, or two spellings of one).
pub fn same_property(a: &str, b: &str) -> bool {
    a == b || ALIASES.iter().any(|names| names.contains(&a) && names.contains(&b))
}

/// Something a launch ignores in a node's `cloud` properties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecNote {
    /// e.g. `cloud.imgae`.
    pub property: String,
    /// `node.unknown_property` or `node.ignored_property`.
    pub code: ErrorCode,
    /// About the property alone (the same for every node that has it).
    pub message: String,
}

/// What a launch of a node with this effective `cloud` object ignores: keys Poni does not
/// know (with the known key it is likely a typo of), poni 0.8 settings it does not use, and
/// `cloud.spot` without spot billing.
pub fn notes(cloud: &Map<String, Value>) -> Vec<SpecNote> {
    let mut notes: Vec<SpecNote> = cloud.keys().filter(|k| !CLOUD_KEYS.contains(&k.as_str())).map(|k| unknown("cloud", k, CLOUD_KEYS)).collect();
    if let Some(Value::Object(spot)) = cloud.get("spot") {
        notes.extend(spot.keys().filter(|k| !SPOT_KEYS.contains(&k.as_str())).map(|k| unknown("cloud.spot", k, SPOT_KEYS)));
    }
    let spot_billing = cloud.get("billing").and_then(Value::as_str).is_some_and(|b| b.trim() == "spot");
    if cloud.get("spot").is_some_and(|v| !v.is_null()) && !spot_billing {
        notes.push(ignored("cloud.spot", "cloud.billing is not 'spot', so the instance is launched on demand"));
    }
    notes.sort_by(|a, b| a.property.cmp(&b.property));
    notes
}

fn unknown(parent: &str, key: &str, known: &[&str]) -> SpecNote {
    let property = format!("{parent}.{key}");
    if let Some((_, instead)) = NOT_USED.iter().find(|(k, _)| *k == key).filter(|_| parent == "cloud") {
        return ignored(&property, instead);
    }
    let hint = closest(key, known).map(|k| format!(" (did you mean {parent}.{k}?)")).unwrap_or_default();
    let message = format!("{property} is not a property Poni knows, so it is ignored{hint}");
    SpecNote { property, code: ErrorCode::NodeUnknownProperty, message }
}

fn ignored(property: &str, why: &str) -> SpecNote {
    SpecNote { property: property.to_owned(), code: ErrorCode::NodeIgnoredProperty, message: format!("{property} is ignored: {why}") }
}

/// The known key a typo most likely meant: the only one within two edits.
fn closest<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    let lower = key.to_ascii_lowercase();
    let mut near = known.iter().copied().filter(|k| edits(&lower, k) <= 2);
    let first = near.next()?;
    // Two candidates (key-pair and key_pair count as one): no guess.
    near.all(|other| same_property(&format!("cloud.{first}"), &format!("cloud.{other}"))).then_some(first)
}

/// Levenshtein distance.
fn edits(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1).min(row[j] + 1).min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cloud(value: Value) -> Map<String, Value> {
        value.as_object().expect("object").clone()
    }

    #[test]
    fn unknown_keys_are_noted_with_the_likely_meant_one() {
        let notes = notes(&cloud(json!({"region": "us-east-1", "imgae": "ami-12c6146b", "colour": "blue", "key_par": "kp"})));
        let got: Vec<(&str, &str, &str)> = notes.iter().map(|n| (n.property.as_str(), n.code.as_str(), n.message.as_str())).collect();
        assert_eq!(
            got,
            [
                ("cloud.colour", "node.unknown_property", "cloud.colour is not a property Poni knows, so it is ignored"),
                ("cloud.imgae", "node.unknown_property", "cloud.imgae is not a property Poni knows, so it is ignored (did you mean cloud.image?)"),
                ("cloud.key_par", "node.unknown_property", "cloud.key_par is not a property Poni knows, so it is ignored (did you mean cloud.key-pair?)"),
            ]
        );
    }

    #[test]
    fn every_known_key_and_poni_settings_not_used_are_told_apart() {
        let all: Map<String, Value> = CLOUD_KEYS.iter().map(|k| (k.to_string(), json!("x"))).collect();
        assert_eq!(notes(&all).iter().filter(|n| n.code == ErrorCode::NodeUnknownProperty).count(), 0);
        let notes = notes(&cloud(json!({"deploy_via_eip": true})));
        assert_eq!(notes[0].code, ErrorCode::NodeIgnoredProperty);
        assert!(notes[0].message.starts_with("cloud.deploy_via_eip is ignored: host is"), "{}", notes[0].message);
    }

    #[test]
    fn spot_settings_without_spot_billing_are_noted() {
        let on_demand = notes(&cloud(json!({"spot": {"max_price": 0.05, "maxprice": 1}})));
        let got: Vec<(&str, &str)> = on_demand.iter().map(|n| (n.property.as_str(), n.code.as_str())).collect();
        assert_eq!(got, [("cloud.spot", "node.ignored_property"), ("cloud.spot.maxprice", "node.unknown_property")]);
        assert_eq!(on_demand[0].message, "cloud.spot is ignored: cloud.billing is not 'spot', so the instance is launched on demand");
        assert!(on_demand[1].message.ends_with("(did you mean cloud.spot.max_price?)"), "{}", on_demand[1].message);
        assert!(notes(&cloud(json!({"billing": "spot", "spot": {"max_price": 0.05}}))).is_empty());
    }

    #[test]
    fn aliases_are_one_property() {
        assert!(same_property("cloud.key_pair", "cloud.key-pair") && same_property("cloud.ramdisk_id", "cloud.ramdisk"));
        assert!(!same_property("cloud.ramdisk", "cloud.kernel"));
        assert_eq!(edits("imgae", "image"), 2);
        assert_eq!(closest("tenacy", CLOUD_KEYS), Some("tenancy"));
        assert_eq!(closest("zzzz", CLOUD_KEYS), None);
    }
}
