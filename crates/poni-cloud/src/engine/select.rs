//! The nodes a target matches, with the cloud properties in effect for each (a system can set
//! `cloud.*` for all its nodes) and the instance the node itself records.

use poni_repo::{Kind, Props, RepoError, Target, Tree};
use serde_json::{Map, Value};

use crate::spec::{is_aws_region, LaunchSpec, SpecError, SpecProblem};

/// One selected node.
#[derive(Debug, Clone)]
pub(crate) struct Selected {
    pub name: String,
    /// Properties in effect (systems' merged under the node's own).
    pub effective: Props,
    /// `cloud.instance` from the node's own file: instances belong to nodes, not systems.
    pub instance: Option<String>,
    /// Why the node's file cannot be read, if it cannot.
    pub problem: Option<String>,
}

impl Selected {
    pub fn cloud(&self) -> Map<String, Value> {
        self.effective.get("cloud").and_then(Value::as_object).cloned().unwrap_or_default()
    }

    /// The region its instance lives in, if the properties name a valid one.
    pub fn region(&self) -> Result<String, String> {
        match self.cloud().get("region") {
            Some(Value::String(r)) if is_aws_region(r.trim()) => Ok(r.trim().to_owned()),
            Some(Value::String(r)) if !r.trim().is_empty() => Err(format!("cloud.region '{r}' is not an AWS region code")),
            _ => Err("cloud.region is not set, so the instance cannot be found".into()),
        }
    }

    /// The launch spec, or every problem with the node's properties.
    pub fn launch_spec(&self) -> Result<LaunchSpec, SpecError> {
        if let Some(problem) = &self.problem {
            return Err(SpecError {
                node: self.name.clone(),
                problems: vec![SpecProblem { property: "node.json".into(), missing: false, message: problem.clone() }],
            });
        }
        LaunchSpec::from_node(&self.name, &self.cloud(), self.effective.get("user"))
    }
}

/// The nodes `target` matches, in tree order; none is an error, as in poni.
pub(crate) fn select(tree: &Tree, target: &Target) -> Result<Vec<Selected>, RepoError> {
    let nodes: Vec<Selected> = tree
        .find(target, &[Kind::Node])
        .map(|item| Selected {
            name: item.name.clone(),
            effective: tree.effective(&item.name).unwrap_or_default(),
            instance: instance_of(&item.props),
            problem: item.problem.clone(),
        })
        .collect();
    if nodes.is_empty() {
        return Err(RepoError::NoMatch);
    }
    Ok(nodes)
}

/// A node's own `cloud.instance`, when it is a non-empty string.
pub(crate) fn instance_of(props: &Props) -> Option<String> {
    poni_repo::props::get_path(props, "cloud.instance")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}
