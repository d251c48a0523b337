//! What is wrong with a node's cloud properties, collected so that every problem of every node
//! can be shown before anything is launched.

use crate::error::Coded;
use poni_repo::ErrorCode;

/// One problem with one property, e.g. "cloud.image 'foo' is not an AMI id (ami-…)".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecProblem {
    /// The property the problem is about, e.g. `cloud.hardware.disk0.size`.
    pub property: String,
    pub missing: bool,
    pub message: String,
}

impl std::fmt::Display for SpecProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl Coded for SpecProblem {
    fn code(&self) -> ErrorCode {
        if self.missing {
            ErrorCode::NodeMissingProperty
        } else {
            ErrorCode::NodeInvalidProperty
        }
    }
}

/// All problems of one node.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("node '{node}' cannot be launched: {}", join(.problems))]
pub struct SpecError {
    pub node: String,
    pub problems: Vec<SpecProblem>,
}

fn join(problems: &[SpecProblem]) -> String {
    problems.iter().map(|p| p.message.as_str()).collect::<Vec<_>>().join("; ")
}

impl Coded for SpecError {
    fn code(&self) -> ErrorCode {
        match self.problems.as_slice() {
            [only] => only.code(),
            _ => ErrorCode::NodeInvalidProperty,
        }
    }
}

#[derive(Default)]
pub(crate) struct Problems(pub(crate) Vec<SpecProblem>);

impl Problems {
    pub(crate) fn missing(&mut self, property: impl Into<String>, message: impl Into<String>) {
        self.0.push(SpecProblem { property: property.into(), missing: true, message: message.into() });
    }

    pub(crate) fn invalid(&mut self, property: impl Into<String>, message: impl Into<String>) {
        self.0.push(SpecProblem { property: property.into(), missing: false, message: message.into() });
    }
}
