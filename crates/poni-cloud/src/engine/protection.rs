//! Termination protection (`cloud.disable_api_termination`): terminate refuses a protected
//! node (the plan, before EC2 is asked), EC2's refusal of an instance protected outside Poni
//! becomes the same typed error, and [`Engine::lift_termination_protection`] turns the
//! protection off on both sides so a terminate can follow.

use poni_repo::props::set_path;
use poni_repo::ErrorCode;
use serde::Serialize;
use serde_json::json;
use ts_rs::TS;

use super::report::EngineError;
use super::Engine;
use crate::error::{Coded, ErrorPayload};
use crate::plan::Selection;
use crate::spec::{termination_protected, DISABLE_API_TERMINATION_KEY};

/// A terminate refused because the node's instance is protected from termination.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.message())]
pub struct TerminationProtected {
    pub node: String,
    pub instance_id: String,
    /// The node's `cloud.disable_api_termination` says so (EC2 was not asked); false: EC2
    /// refused (the protection was turned on outside Poni).
    pub by_property: bool,
}

impl TerminationProtected {
    fn message(&self) -> String {
        let why = match self.by_property {
            true => "cloud.disable_api_termination is true",
            false => "its instance has termination protection turned on in EC2",
        };
        format!(
            "{} is protected from termination ({why}), so instance {} was not terminated. To terminate it, first lift the protection (`poni cloud unprotect -M {}` does it): turn it off on the instance (EC2 console: Actions → Instance settings → Change termination protection) and set cloud.disable_api_termination to false.",
            self.node,
            self.instance_id,
            crate::shell::word(&self.node)
        )
    }
}

impl Coded for TerminationProtected {
    fn code(&self) -> ErrorCode {
        ErrorCode::CloudTerminationProtected
    }
}

/// What lifting a node's termination protection did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ProtectionLifted {
    pub node: String,
    pub instance_id: String,
    /// The node's properties turned protection on, and its own `cloud.disable_api_termination`
    /// is now false.
    pub property_changed: bool,
}

impl Engine {
    /// Lifts a node's termination protection so that it can be terminated: the instance's
    /// DisableApiTermination attribute is turned off (ModifyInstanceAttribute), then, when
    /// the node's properties (its own or a system's) turn protection on, the node's own
    /// `cloud.disable_api_termination` is set to false. The instance first: when EC2 refuses,
    /// the node stays protected on both sides.
    pub async fn lift_termination_protection(&self, node: &str) -> Result<ProtectionLifted, EngineError> {
        let tree = self.repo.tree()?;
        let selected = Selection::Node { name: node.to_owned() }.select(&tree)?;
        let Some(s) = selected.first() else { return Err(no_instance(node)) };
        let Some(instance_id) = s.instance.clone() else { return Err(no_instance(node)) };
        let region = s.region().map_err(|why| EngineError::Node(ErrorPayload::new(ErrorCode::NodeInvalidProperty, why)))?;
        self.provider.set_termination_protection(&region, &instance_id, false).await?;
        let property_changed = termination_protected(&s.cloud());
        if property_changed {
            self.repo.update(node, |props| Ok(set_path(props, DISABLE_API_TERMINATION_KEY, json!(false))?.into_iter().collect()))?;
        }
        Ok(ProtectionLifted { node: node.to_owned(), instance_id, property_changed })
    }
}

fn no_instance(node: &str) -> EngineError {
    EngineError::Node(ErrorPayload::new(
        ErrorCode::NodeNoInstance,
        format!("{node} has no cloud.instance: there is no instance whose protection could be lifted"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_refusal_names_the_node_and_how_to_lift_it() {
        let by_property = TerminationProtected { node: "db/pg1".into(), instance_id: "i-0abc".into(), by_property: true };
        assert_eq!(by_property.code(), "cloud.termination_protected");
        let message = by_property.to_string();
        assert!(
            message.starts_with("db/pg1 is protected from termination (cloud.disable_api_termination is true), so instance i-0abc was not terminated."),
            "{message}"
        );
        assert!(message.contains("set cloud.disable_api_termination to false"), "{message}");
        let by_ec2 = TerminationProtected { by_property: false, ..by_property };
        assert!(by_ec2.to_string().contains("(its instance has termination protection turned on in EC2)"));
        assert!(ErrorCode::CloudTerminationProtected.is_bad_input());
    }
}
