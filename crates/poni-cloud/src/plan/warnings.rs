//! Things worth knowing before a plan is carried out that do not stop it.

use poni_repo::ErrorCode;
use std::collections::BTreeMap;

use serde::Serialize;
use ts_rs::TS;

use super::{PlannedNode, Selected, Step};
use crate::spec::notes;

/// A warning names at most this many of the nodes it concerns.
const NODES_NAMED: usize = 3;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct PlanWarning {
    /// The node it is about, when it is about one.
    pub node: Option<String>,
    /// e.g. `node.key_file_missing`.
    pub code: ErrorCode,
    pub message: String,
}

/// `a, b, c and 2 more`.
pub(crate) fn named(nodes: &[&str]) -> String {
    let mut named = nodes.iter().take(NODES_NAMED).copied().collect::<Vec<_>>().join(", ");
    if nodes.len() > NODES_NAMED {
        named.push_str(&format!(" and {} more", nodes.len() - NODES_NAMED));
    }
    named
}

/// The plan's warnings: properties a launch ignores, then key files that are missing.
/// `selected` and `nodes` are in the same order.
pub(super) fn of(selected: &[Selected], nodes: &[PlannedNode]) -> Vec<PlanWarning> {
    let mut warnings = ignored_properties(selected, nodes);
    warnings.extend(missing_key_files(nodes));
    warnings
}

/// Properties under `cloud` a launch ignores (unknown keys, poni 0.8 settings not used), each
/// once with the nodes that have it: never dropped without a word.
fn ignored_properties(selected: &[Selected], nodes: &[PlannedNode]) -> Vec<PlanWarning> {
    let mut found: BTreeMap<(String, ErrorCode, String), Vec<&str>> = BTreeMap::new();
    for (s, node) in selected.iter().zip(nodes) {
        // Launches only: a skipped node's properties are not read, and an invalid node's
        // typo may be why a property is missing.
        if matches!(node.step, Step::Launch { .. } | Step::Adopt { .. } | Step::Invalid { .. }) {
            for note in notes(&s.cloud()) {
                found.entry((note.property, note.code, note.message)).or_default().push(&node.node);
            }
        }
    }
    found
        .into_iter()
        .map(|((_, code, message), users)| PlanWarning {
            node: (users.len() == 1).then(|| users[0].to_owned()),
            code,
            message: format!("{}: {message}", named(&users)),
        })
        .collect()
}

fn missing_key_files(nodes: &[PlannedNode]) -> Vec<PlanWarning> {
    // Key files that are missing, each with the nodes that need it to log in.
    let mut missing: BTreeMap<(&str, &str), Vec<&str>> = BTreeMap::new();
    for node in nodes.iter().filter(|n| matches!(n.step, Step::Launch { .. } | Step::Adopt { .. })) {
        if let Some(file) = node.launch.as_ref().and_then(|l| l.key_file.as_ref()).filter(|f| !f.exists) {
            missing.entry((file.path.as_str(), file.name.as_str())).or_default().push(&node.node);
        }
    }
    missing
        .into_iter()
        .map(|((path, key_pair), users)| PlanWarning {
            node: (users.len() == 1).then(|| users[0].to_owned()),
            code: ErrorCode::NodeKeyFileMissing,
            message: format!("{path} does not exist: it is needed to log in to {} (key pair '{key_pair}'), not to launch", named(&users)),
        })
        .collect()
}
