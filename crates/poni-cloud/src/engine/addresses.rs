//! A node's address properties from what EC2 says about its instance, as the seed document
//! shows them: `host` is the public DNS name, `private.ip` / `private.dns` the internal
//! address; a terminated instance empties them to `host: ""`, `private: {"ip": null, "dns": ""}`.

use poni_repo::props::{get_path, set_path};
use poni_repo::{Change, Props, Repo, RepoError};
use serde_json::{json, Value};

use super::events::PropertyChange;
use crate::aws::{InstanceInfo, InstanceState};

/// The values `host`, `private.ip` and `private.dns` should have.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Addresses {
    pub host: String,
    pub private_ip: Value,
    pub private_dns: String,
}

impl Addresses {
    pub fn of(instance: &InstanceInfo) -> Addresses {
        if instance.state == InstanceState::Terminated {
            return Addresses::emptied();
        }
        Addresses {
            // No public DNS name (e.g. a VPC without DNS hostnames): the public IP still works.
            host: instance.public_dns.clone().or_else(|| instance.public_ip.clone()).unwrap_or_default(),
            private_ip: instance.private_ip.clone().map_or(Value::Null, Value::String),
            private_dns: instance.private_dns.clone().unwrap_or_default(),
        }
    }

    pub fn emptied() -> Addresses {
        Addresses { host: String::new(), private_ip: Value::Null, private_dns: String::new() }
    }

    /// Writes them to the node, re-read under the repository lock, and reports what changed
    /// as whole top-level values (`host`, `private`) the way the seed prints them.
    pub fn save(&self, repo: &Repo, node: &str) -> Result<Vec<PropertyChange>, RepoError> {
        let mut before: Option<Props> = None;
        let mut after: Option<Props> = None;
        repo.update_observed(node, |props| {
            before = Some(props.clone());
            let mut changes: Vec<Change> = Vec::new();
            changes.extend(set_path(props, "host", json!(self.host))?);
            // A `private` that is not an object (hand-edited) is replaced rather than failing.
            if !matches!(props.get("private"), Some(Value::Object(_))) {
                props.insert("private".into(), json!({}));
            }
            changes.extend(set_path(props, "private.ip", self.private_ip.clone())?);
            changes.extend(set_path(props, "private.dns", json!(self.private_dns))?);
            after = Some(props.clone());
            Ok(changes)
        })?;
        let (Some(before), Some(after)) = (before, after) else { return Ok(Vec::new()) };
        Ok(["host", "private"]
            .into_iter()
            .filter_map(|key| {
                let old = get_path(&before, key).cloned();
                let new = get_path(&after, key).cloned().unwrap_or(Value::Null);
                (old.as_ref() != Some(&new)).then(|| PropertyChange { key: key.to_owned(), old, new })
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instance(state: InstanceState) -> InstanceInfo {
        InstanceInfo {
            public_dns: Some("ec2-1-2-3-4.compute-1.amazonaws.com".into()),
            public_ip: Some("1.2.3.4".into()),
            private_ip: Some("10.0.0.5".into()),
            private_dns: Some("ip-10-0-0-5.ec2.internal".into()),
            ..InstanceInfo::unseen("i-1", state)
        }
    }

    #[test]
    fn running_then_terminated_as_the_seed_shows() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repo::init(dir.path().join("r")).unwrap();
        repo.add_nodes(&poni_repo::AddNodes::new("drumbo1")).unwrap();

        let changes = Addresses::of(&instance(InstanceState::Running)).save(&repo, "drumbo1").unwrap();
        assert_eq!(
            changes,
            vec![
                PropertyChange { key: "host".into(), old: Some(json!("")), new: json!("ec2-1-2-3-4.compute-1.amazonaws.com") },
                PropertyChange { key: "private".into(), old: None, new: json!({"ip": "10.0.0.5", "dns": "ip-10-0-0-5.ec2.internal"}) },
            ]
        );
        assert!(Addresses::of(&instance(InstanceState::Running)).save(&repo, "drumbo1").unwrap().is_empty());

        let changes = Addresses::of(&instance(InstanceState::Terminated)).save(&repo, "drumbo1").unwrap();
        assert_eq!(changes[1].new, json!({"ip": null, "dns": ""}));
        let node = std::fs::read_to_string(repo.file_of("drumbo1", poni_repo::Kind::Node)).unwrap();
        assert_eq!(node, "{\n    \"host\": \"\",\n    \"private\": {\n        \"dns\": \"\",\n        \"ip\": null\n    }\n}");
    }

    #[test]
    fn no_public_name_falls_back_to_the_public_ip() {
        let mut i = instance(InstanceState::Running);
        i.public_dns = None;
        assert_eq!(Addresses::of(&i).host, "1.2.3.4");
        i.public_ip = None;
        i.private_ip = None;
        assert_eq!(Addresses::of(&i), Addresses { host: String::new(), private_ip: Value::Null, private_dns: "ip-10-0-0-5.ec2.internal".into() });
    }
}
