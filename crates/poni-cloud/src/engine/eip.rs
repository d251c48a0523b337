//! `cloud ip` (poni 0.8's `cloud ip`, cloud_aws.py `assign_ip`): each selected node's Elastic IP
//! (`cloud.eip`, an address or an allocation id) associated with its running instance, as
//! `cloud init --wait` associates it, then the node's addresses read again and saved.
//!
//! As poni: nodes without `cloud.eip` or without an instance are left alone, and an address
//! associated with another instance is not taken from it (EC2 refuses the association, and the
//! node fails with that reason). Unlike poni, which passed over them in silence, an instance
//! that is not running is named in a warning, and a `cloud.eip` that is not an address is the
//! node's failure.

use poni_repo::ErrorCode;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use super::addresses::Addresses;
use super::events::{EngineEvent, Operation};
use super::report::{EngineError, NodeReport, OperationReport, Outcome};
use super::{identity, Engine, EngineIssue};
use crate::aws::{InstanceInfo, InstanceState};
use crate::plan::Selection;
use crate::spec::elastic_ip_of;

impl Engine {
    /// Associates each selected node's `cloud.eip` with its running instance and saves the
    /// addresses the instance has then. Reported as an [`Operation::Update`] (an address refresh).
    pub async fn assign_elastic_ips(&self, selection: &Selection, cancel: &CancellationToken) -> Result<OperationReport, EngineError> {
        let operation = Operation::Update;
        let tree = self.repo.tree()?;
        let nodes = selection.select(&tree)?;
        self.emit(EngineEvent::OperationStarted { operation, nodes: nodes.len() as u32 });
        let (mut reports, by_region) = self.instances_by_region(operation, &nodes);
        let mut cancelled = false;
        if !by_region.is_empty() {
            let repo_id = identity::existing_repo_id(&self.repo).unwrap_or_default();
            let ids = by_region.iter().map(|(r, list)| (r.clone(), list.iter().map(|(_, id)| id.clone()).collect())).collect();
            let known = tokio::select! {
                known = self.describe_regions(&repo_id, &ids) => Some(known),
                _ = cancel.cancelled() => None,
            };
            cancelled = known.is_none();
            for (region, list) in &by_region {
                for (i, id) in list {
                    let name = &nodes[*i].name;
                    let Some(known) = &known else {
                        reports[*i] = Some(NodeReport::new(name, Outcome::Cancelled).with_instance(Some(id)));
                        continue;
                    };
                    if cancel.is_cancelled() {
                        cancelled = true;
                        reports[*i] = Some(NodeReport::new(name, Outcome::Cancelled).with_instance(Some(id)));
                        continue;
                    }
                    let cloud = nodes[*i].effective.get("cloud").and_then(Value::as_object);
                    reports[*i] = Some(match &known[region] {
                        Err(e) => self.fail(name, Some(id), e),
                        Ok(found) => match found.get(id) {
                            None => {
                                let issue = EngineIssue::new(
                                    ErrorCode::CloudInstanceNotFound,
                                    format!("instance {id} does not exist in {region} (terminated long ago, or launched with other credentials)"),
                                );
                                self.fail(name, Some(id), &issue)
                            }
                            Some(info) => match cloud.map(elastic_ip_of).unwrap_or(Ok(None)) {
                                Err(why) => self.fail(name, Some(id), &EngineIssue::new(ErrorCode::NodeInvalidProperty, why)),
                                Ok(None) => NodeReport::new(name, Outcome::Skipped).with_instance(Some(id)).with_state(info.state),
                                Ok(Some(eip)) => self.associate(&repo_id, region, name, info, &eip).await,
                            },
                        },
                    });
                }
            }
        }
        Ok(self.finish(operation, reports.into_iter().flatten().collect(), cancelled))
    }

    /// One node's association, then its addresses read again and saved.
    async fn associate(&self, repo_id: &str, region: &str, node: &str, info: &InstanceInfo, eip: &crate::spec::ElasticIpRef) -> NodeReport {
        let id = info.id.as_str();
        if info.state != InstanceState::Running {
            self.emit(EngineEvent::Warning {
                node: Some(node.to_owned()),
                code: ErrorCode::NodeEipNotAssociated,
                message: format!("instance {id} is {}: its cloud.eip is associated once it runs (cloud ip again then)", info.state.name()),
            });
            return NodeReport::new(node, Outcome::Skipped).with_instance(Some(id)).with_state(info.state);
        }
        if let Err(e) = self.provider.associate_elastic_ip(region, id, eip).await {
            return self.fail(node, Some(id), &e);
        }
        let ids = [(region.to_owned(), vec![id.to_owned()])].into();
        let now = match self.describe_regions(repo_id, &ids).await.remove(region) {
            Some(Ok(mut found)) => found.remove(id),
            Some(Err(e)) => return self.fail(node, Some(id), &e),
            None => None,
        };
        // Associated, but EC2 no longer lists the instance: what was seen before is saved.
        let now = now.as_ref().unwrap_or(info);
        match Addresses::of(now).save(&self.repo, node) {
            Ok(changes) => {
                if !changes.is_empty() {
                    self.emit(EngineEvent::PropertiesUpdated { node: node.to_owned(), changes });
                }
                NodeReport::new(node, Outcome::Updated).with_instance(Some(id)).with_state(now.state)
            }
            Err(e) => self.fail(node, Some(id), &e),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::spec::{elastic_ip_of, ElasticIpRef};
    use serde_json::json;

    #[test]
    fn eip_is_read_on_its_own() {
        let cloud = |v: serde_json::Value| v.as_object().unwrap().clone();
        assert_eq!(elastic_ip_of(&cloud(json!({}))), Ok(None));
        assert_eq!(elastic_ip_of(&cloud(json!({"eip": null, "image": 5}))), Ok(None));
        assert_eq!(elastic_ip_of(&cloud(json!({"eip": " 203.0.113.7 "}))), Ok(Some(ElasticIpRef::PublicIp("203.0.113.7".parse().unwrap()))));
        assert_eq!(elastic_ip_of(&cloud(json!({"eip": "eipalloc-12345678"}))), Ok(Some(ElasticIpRef::AllocationId("eipalloc-12345678".into()))));
        assert!(elastic_ip_of(&cloud(json!({"eip": "somewhere"}))).unwrap_err().contains("neither an Elastic IP address nor an allocation id"));
        assert!(elastic_ip_of(&cloud(json!({"eip": 7}))).unwrap_err().contains("cloud.eip"));
    }
}
