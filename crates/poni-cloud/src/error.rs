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

/// An error and its causes on one line, `outer: inner: innermost`: what the SDK's
/// `DisplayErrorContext` says, without the Rust debug dump of the error it appends (internal
/// field names, and whatever values the error holds). A cause that repeats the message before
/// it is left out.
pub fn one_line(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(err);
    while let Some(e) = next {
        let text = e.to_string().split_whitespace().collect::<Vec<_>>().join(" ");
        if !text.is_empty() && !parts.last().is_some_and(|last| last.contains(&text)) {
            parts.push(text);
        }
        next = e.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Layer(&'static str, Option<Box<Layer>>);

    impl std::fmt::Display for Layer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }

    impl std::error::Error for Layer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.1.as_deref().map(|e| e as _)
        }
    }

    #[test]
    fn one_line_chains_the_causes_without_debug_output() {
        let err = Layer("could not load", Some(Box::new(Layer("error parsing on line 3:\n  Expected '='", Some(Box::new(Layer("Expected '='", None)))))));
        assert_eq!(one_line(&err), "could not load: error parsing on line 3: Expected '='");
    }
}
