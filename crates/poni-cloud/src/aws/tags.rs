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

/// RunInstances' idempotency token: the same repository, node, launch generation and
/// instance-type position always give the same token, so a retried request returns the
/// instance the first one launched instead of a second one. A new launch of the same node
/// (after terminate, or `--reinit`) must use a new `generation`. Each type in `cloud.type`
/// gets its own token because EC2 rejects a reused token with other parameters. At most 64
/// ASCII characters, as EC2 requires.
pub fn client_token(repo_id: &str, node: &str, generation: u32, type_index: usize) -> String {
    let mut hash = Sha256::new();
    // Length prefixes keep ("a", "bc") and ("ab", "c") apart.
    hash.update(format!("{}:{repo_id}{}:{node}", repo_id.len(), node.len()).as_bytes());
    let digest = hash.finalize();
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("poni-{hex}-g{generation}-t{}", type_index.min(99))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_stable_short_and_distinct() {
        let t = client_token("repo-1", "web/http1", 0, 0);
        assert_eq!(t, client_token("repo-1", "web/http1", 0, 0));
        assert!(t.starts_with("poni-") && t.ends_with("-g0-t0"));
        assert!(t.is_ascii());
        assert!(client_token(&"r".repeat(500), &"n".repeat(500), u32::MAX, 1000).len() <= 64);
        let others = [
            client_token("repo-1", "web/http2", 0, 0),
            client_token("repo-2", "web/http1", 0, 0),
            client_token("repo-1", "web/http1", 1, 0),
            client_token("repo-1", "web/http1", 0, 1),
            client_token("repo-1w", "eb/http1", 0, 0),
        ];
        assert!(others.iter().all(|o| *o != t));
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
