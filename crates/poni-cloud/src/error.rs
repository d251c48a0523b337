//! The shape every error of this crate takes when it leaves the process (IPC, CLI output).

pub use poni_repo::ErrorCode;
use serde::{Deserialize, Serialize};

/// An error as the UI and CLI see it: a stable machine-readable `code` plus a message a
/// newcomer understands. Built from any error of this crate with [`Coded::payload`]. The one
/// error shape that crosses IPC (the desktop's `AppError` is this type).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ErrorPayload {
    /// Dotted identifier, e.g. `repo.already_exists`, `cloud.throttled`.
    pub code: ErrorCode,
    pub message: String,
}

impl ErrorPayload {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ErrorPayload {
        ErrorPayload { code, message: message.into() }
    }
}

impl std::fmt::Display for ErrorPayload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ErrorPayload {}

impl From<poni_repo::RepoError> for ErrorPayload {
    fn from(e: poni_repo::RepoError) -> ErrorPayload {
        ErrorPayload::new(e.code(), e.to_string())
    }
}

/// Errors with a stable code, such as `cloud.throttled` or `credentials.missing`.
pub trait Coded: std::fmt::Display {
    fn code(&self) -> ErrorCode;

    fn payload(&self) -> ErrorPayload {
        ErrorPayload { code: self.code(), message: self.to_string() }
    }
}

/// Repository errors keep the codes the repository core gives them.
impl Coded for poni_repo::RepoError {
    fn code(&self) -> ErrorCode {
        poni_repo::RepoError::code(self)
    }
}
