//! The shape every error of this crate takes when it leaves the process (IPC, CLI output).

use serde::{Deserialize, Serialize};

/// An error as the UI and CLI see it: a stable machine-readable `code` plus a message a
/// newcomer understands. Built from any error of this crate with [`Coded::payload`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ErrorPayload {
    pub code: String,
    pub message: String,
}

/// Errors with a stable code, such as `cloud.throttled` or `credentials.missing`.
pub trait Coded: std::fmt::Display {
    fn code(&self) -> &'static str;

    fn payload(&self) -> ErrorPayload {
        ErrorPayload { code: self.code().to_owned(), message: self.to_string() }
    }
}

/// Repository errors keep the codes the repository core gives them.
impl Coded for poni_repo::RepoError {
    fn code(&self) -> &'static str {
        poni_repo::RepoError::code(self)
    }
}
