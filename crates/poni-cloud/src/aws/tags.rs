//! Tags Poni puts on instances, and the launch token derived from them.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use crate::spec::LaunchSpec;

pub const TAG_NAME: &str = "Name";
/// poni 0.8's marker: `uninitialized` at launch, `initialized` once the node is set up.
pub const TAG_PONI_STATE: &str = "PoniState";
/// The repository an instance belongs to (an id the caller gives).
pub const TAG_REPO: &str = "poni:repo";
/// The node's full name, e.g. `webshop/frontend/http1`.
pub const TAG_NODE: &str = "poni:node";
/// The grouped launch an instance came from; with the launch index it names the node until
/// `poni:node` is set.
pub const TAG_BATCH: &str = "poni:batch";
/// A snapshot's name (`poni cloud create-snapshot PATTERN NAME`).
pub const TAG_SNAPSHOT: &str = "poni:snapshot";
/// The instance a snapshot or volume was made for.
pub const TAG_INSTANCE: &str = "poni:instance";
/// The device a snapshot's volume was attached at (`/dev/xvda`).
pub const TAG_DEVICE: &str = "poni:device";
/// poni 0.8's snapshot tags (cloud_aws.py): `Name` is the snapshot's name and
/// `Original_instance` its instance; poni 0.8 snapshots the root volume only and finds its
/// snapshots by these two.
pub const TAG_PONI08_ORIGINAL_INSTANCE: &str = "Original_instance";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoniState {
    Uninitialized,
    Initialized,
}

impl PoniState {
    pub fn as_str(self) -> &'static str {
        match self {
            PoniState::Uninitialized => "uninitialized",
            PoniState::Initialized => "initialized",
        }
    }
}

/// Every tag a new instance gets: the node's extra tags, then Poni's own (which win).
pub fn launch_tags(spec: &LaunchSpec, repo_id: &str) -> BTreeMap<String, String> {
    let mut tags = spec.extra_tags.clone();
    tags.insert(TAG_NAME.into(), spec.vm_name.clone());
    tags.insert(TAG_PONI_STATE.into(), PoniState::Uninitialized.as_str().into());
    tags.insert(TAG_REPO.into(), repo_id.into());
    tags.insert(TAG_NODE.into(), spec.node.clone());
    tags
}

/// The tags a grouped launch gives every instance at once: Poni's repository, batch and state
/// markers, plus the extra tags all of the batch's nodes share. Names and the rest follow per
/// node ([`node_tags`]).
pub fn batch_launch_tags(specs: &[&LaunchSpec], repo_id: &str, batch_tag: &str) -> BTreeMap<String, String> {
    let mut tags: BTreeMap<String, String> = match specs.first() {
        None => BTreeMap::new(),
        Some(first) => {
            first.extra_tags.iter().filter(|(k, v)| specs.iter().all(|s| s.extra_tags.get(*k) == Some(*v))).map(|(k, v)| (k.clone(), v.clone())).collect()
        }
    };
    tags.insert(TAG_PONI_STATE.into(), PoniState::Uninitialized.as_str().into());
    tags.insert(TAG_REPO.into(), repo_id.into());
    tags.insert(TAG_BATCH.into(), batch_tag.into());
    tags
}

/// The tags one node's instance gets after a grouped launch: what [`launch_tags`] gives a
/// single launch, minus what the batch already set.
pub fn node_tags(spec: &LaunchSpec, repo_id: &str, batch: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    launch_tags(spec, repo_id).into_iter().filter(|(k, v)| batch.get(k) != Some(v)).collect()
}

/// A grouped launch's `poni:batch` tag and ClientToken stem, from the repository and the
/// plan's batch key (which covers the nodes, their previous instances and the parameters).
/// `attempt` tells apart launches of the same batch that must not be taken for a repeat
/// (the rest of a short batch; a token EC2 remembers from a launch long gone).
pub fn batch_tag(repo_id: &str, batch_key: &str, attempt: u32) -> String {
    let mut hash = Sha256::new();
    hash.update(format!("{}:{repo_id}{}:{batch_key}:{attempt}", repo_id.len(), batch_key.len()).as_bytes());
    let digest = hash.finalize();
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("poni-b{hex}")
}

/// The ClientToken of a grouped launch for its `type_index`-th instance type (EC2 refuses a
/// token reused with other parameters). At most 64 ASCII characters.
pub fn batch_client_token(batch_tag: &str, type_index: usize) -> String {
    format!("{batch_tag}-t{}", type_index.min(99))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_tags_and_tokens_are_stable_and_short() {
        let tag = batch_tag("repo-1", "abc", 0);
        assert_eq!(tag, batch_tag("repo-1", "abc", 0));
        assert_ne!(tag, batch_tag("repo-1", "abc", 1));
        assert_ne!(tag, batch_tag("repo-2", "abc", 0));
        assert!(batch_client_token(&tag, 3).len() <= 64 && batch_client_token(&tag, 3).ends_with("-t3"));
    }

    #[test]
    fn a_batch_shares_common_tags_and_each_node_gets_the_rest() {
        let spec = |node: &str, tags: serde_json::Value| {
            crate::spec::LaunchSpec::from_node(
                node,
                serde_json::json!({"provider": "aws-ec2", "region": "us-east-1", "image": "ami-12c6146b", "key-pair": "kp", "extra_tags": tags})
                    .as_object()
                    .unwrap(),
                Some(&serde_json::json!("root")),
            )
            .unwrap()
        };
        let a = spec("web/a", serde_json::json!({"team": "web", "tier": "1"}));
        let b = spec("web/b", serde_json::json!({"team": "web", "tier": "2"}));
        let batch = batch_launch_tags(&[&a, &b], "repo-1", "poni-bX");
        assert_eq!(batch.get("team").map(String::as_str), Some("web"));
        assert!(!batch.contains_key("tier") && !batch.contains_key(TAG_NAME) && !batch.contains_key(TAG_NODE));
        assert_eq!(batch.get(TAG_BATCH).map(String::as_str), Some("poni-bX"));
        let rest = node_tags(&b, "repo-1", &batch);
        assert_eq!(rest.keys().map(String::as_str).collect::<Vec<_>>(), ["Name", "poni:node", "tier"]);
    }

    #[test]
    fn poni_tags_win_over_extra_tags() {
        let mut spec = crate::spec::LaunchSpec::from_node(
            "web/http1",
            serde_json::json!({"provider": "aws-ec2", "region": "us-east-1", "image": "ami-12c6146b",
                               "key-pair": "kp", "extra_tags": {"team": "web"}})
            .as_object()
            .unwrap(),
            Some(&serde_json::json!("root")),
        )
        .unwrap();
        spec.extra_tags.insert(TAG_REPO.into(), "sneaky".into());
        let tags = launch_tags(&spec, "repo-1");
        assert_eq!(tags.get("team").map(String::as_str), Some("web"));
        assert_eq!(tags.get(TAG_NAME).map(String::as_str), Some("web/http1"));
        assert_eq!(tags.get(TAG_PONI_STATE).map(String::as_str), Some("uninitialized"));
        assert_eq!(tags.get(TAG_REPO).map(String::as_str), Some("repo-1"));
        assert_eq!(tags.get(TAG_NODE).map(String::as_str), Some("web/http1"));
    }
}
