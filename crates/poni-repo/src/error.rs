//! One error type for the repository, with a stable code for every kind of failure so that
//! front ends (the CLI, the desktop app over IPC) can tell them apart without parsing text.

use std::path::PathBuf;

use crate::ErrorCode;

pub type Result<T, E = RepoError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    #[error("'{}' is not a poni repository (it has no repo.json): create one with 'poni init'", .0.display())]
    NotARepository(PathBuf),
    #[error("repository '{}' already initialized", .0.display())]
    AlreadyInitialized(PathBuf),
    #[error("{}: {reason}", path.display())]
    BadFile { path: PathBuf, reason: String },
    #[error("invalid name '{name}': {reason}")]
    InvalidName { name: String, reason: String },
    #[error("invalid pattern '{pattern}': {reason}")]
    InvalidPattern { pattern: String, reason: String },
    #[error("invalid range: '{range}' ({reason})")]
    InvalidRange { range: String, reason: String },
    #[error("invalid name template '{template}': {reason}")]
    InvalidTemplate { template: String, reason: String },
    #[error("invalid property '{input}': {reason}")]
    InvalidProperty { input: String, reason: String },
    #[error("{kind} '{name}' already exists")]
    AlreadyExists { kind: &'static str, name: String },
    #[error("{kind} '{name}' does not exist")]
    NotFound { kind: &'static str, name: String },
    #[error("no matching nodes found")]
    NoMatch,
    #[error("pattern '{0}' does not match any nodes")]
    InheritNoMatch(String),
    #[error("pattern '{pattern}' matches multiple nodes: {}", matches.join(", "))]
    InheritAmbiguous { pattern: String, matches: Vec<String> },
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Usage(String),
    /// A link, a special file or a loop where the repository needs a plain file or folder:
    /// not followed or opened, so that nothing outside the repository is touched through it.
    #[error("{}: {reason}", path.display())]
    Unsafe { path: PathBuf, reason: String },
    /// A change that touches several files was interrupted and could not be completed or
    /// rolled back; the message says what to do.
    #[error("{0}")]
    Journal(String),
    #[error("nothing to undo: every change in the history is undone already, or there is none yet")]
    NothingToUndo,
    #[error("nothing to redo: no change was undone since the last one was made")]
    NothingToRedo,
    /// An undo or redo that would overwrite what was changed since (by hand, by another
    /// program, by a pull).
    #[error("cannot {} '{label}': {} changed since (by hand, by another program or by a pull), and {} would overwrite that. Nothing was changed; change {} back first, or leave it as it is", if *.undo { "undo" } else { "redo" }, quoted(items), if *.undo { "undoing" } else { "redoing" }, if items.len() == 1 { "it" } else { "them" })]
    ChangedSince { label: String, undo: bool, items: Vec<String> },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

fn quoted(items: &[String]) -> String {
    let shown: Vec<String> = items.iter().take(5).map(|i| format!("'{i}'")).collect();
    match items.len() {
        n if n > 5 => format!("{} and {} more", shown.join(", "), n - 5),
        _ => shown.join(", "),
    }
}

impl RepoError {
    /// A stable, dotted identifier of the kind of error, for programs (never shown alone).
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::NotARepository(_) => ErrorCode::RepoNotARepository,
            Self::AlreadyInitialized(_) => ErrorCode::RepoAlreadyInitialized,
            Self::BadFile { .. } => ErrorCode::RepoBadFile,
            Self::InvalidName { .. } => ErrorCode::InputInvalidName,
            Self::InvalidPattern { .. } => ErrorCode::InputInvalidPattern,
            Self::InvalidRange { .. } => ErrorCode::InputInvalidRange,
            Self::InvalidTemplate { .. } => ErrorCode::InputInvalidTemplate,
            Self::InvalidProperty { .. } => ErrorCode::InputInvalidProperty,
            Self::AlreadyExists { .. } => ErrorCode::RepoAlreadyExists,
            Self::NotFound { .. } => ErrorCode::RepoNotFound,
            Self::NoMatch => ErrorCode::RepoNoMatch,
            Self::InheritNoMatch(_) => ErrorCode::RepoInheritNoMatch,
            Self::InheritAmbiguous { .. } => ErrorCode::RepoInheritAmbiguous,
            Self::Conflict(_) => ErrorCode::RepoConflict,
            Self::Usage(_) => ErrorCode::InputUsage,
            Self::Unsafe { .. } => ErrorCode::RepoUnsafePath,
            Self::Journal(_) => ErrorCode::RepoJournal,
            Self::NothingToUndo => ErrorCode::HistoryNothingToUndo,
            Self::NothingToRedo => ErrorCode::HistoryNothingToRedo,
            Self::ChangedSince { .. } => ErrorCode::HistoryChangedSince,
            Self::Io { .. } => ErrorCode::Io,
        }
    }

    /// Whether what the user gave (a name, a pattern, a property, a file edited by hand) is at
    /// fault, rather than the machine (a disk error, an interrupted change). The command line
    /// exits with 2 for these.
    pub fn is_bad_input(&self) -> bool {
        self.code().is_bad_input()
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io { path: path.into(), source }
    }

    pub(crate) fn bad_file(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        Self::BadFile { path: path.into(), reason: reason.into() }
    }
}
