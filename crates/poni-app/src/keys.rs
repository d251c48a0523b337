//! Property keys the core gives a meaning to, for the UI: generated into
//! ui/src/bindings/core.ts, never retyped there.

use poni_cloud::spec::KEY_PAIR_KEYS;

/// The node view's cloud form: each field and the property it writes, in the form's order.
pub const CLOUD_FORM: &[(&str, &str)] = &[
    ("provider", "cloud.provider"),
    ("region", "cloud.region"),
    ("image", "cloud.image"),
    ("keyPair", KEY_PAIR_KEYS[0]),
    ("type", "cloud.type"),
    ("securityGroups", "cloud.security_groups"),
    ("subnet", "cloud.subnet"),
    ("user", "user"),
];

/// Properties the app manages with its own actions (Launch writes `cloud.instance`, Clone
/// writes `parent`): shown read-only, refused by an edit (see `check`).
pub fn managed() -> impl Iterator<Item = &'static str> {
    crate::check::MANAGED.iter().map(|(key, _)| *key)
}

/// Both spellings poni accepts for the key pair.
pub fn key_pair_keys() -> &'static [&'static str] {
    &KEY_PAIR_KEYS
}
