//! The error every front-end call returns: a stable code for programs, a sentence for people.
//! It crosses IPC as `{code, message}`; the UI never parses the message.

use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AppError {
    /// Dotted identifier, e.g. `repo.already_exists`, `input.invalid_name`.
    pub code: String,
    pub message: String,
}

impl AppError {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self { code: code.into(), message: message.into() }
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AppError {}

impl From<poni_repo::RepoError> for AppError {
    fn from(e: poni_repo::RepoError) -> Self {
        Self::new(e.code(), e.to_string())
    }
}

pub type AppResult<T> = Result<T, AppError>;
