//! What can go wrong with the history: each kind has a stable code (`vc.*`) and a message
//! that says what is wrong and what to do.

use poni_repo::{ErrorCode, RepoError};
use std::path::PathBuf;

pub type Result<T, E = VcError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum VcError {
    #[error("this repository is not under version control: run `poni vc init` or click ‘Start history with git’ ({})", .0.display())]
    NotARepository(PathBuf),
    #[error("'{}' already has a git history: there is nothing to start (`poni vc status` shows it)", .0.display())]
    AlreadyInitialized(PathBuf),
    #[error("this repository has no remote to {0}: set one with `poni vc remote URL` (or in the History panel)")]
    NoRemote(&'static str),
    #[error("there are changes that are not in a checkpoint yet ({0}): make a checkpoint (`poni vc checkpoint`) first, then pull")]
    Uncommitted(String),
    #[error("{0} conflict(s) from the last pull are not resolved: keep yours or take theirs for each (`poni vc conflicts`, then `poni vc resolve NAME --mine|--theirs`) first")]
    ConflictsPending(usize),
    #[error("the remote '{remote}' refused the push of '{branch}': {reason}")]
    Rejected { remote: String, branch: String, reason: String },
    #[error("could not sign in to the remote '{remote}' ({url}): check your git credentials (a key in your ssh-agent for ssh addresses, a git credential helper for https)")]
    AuthFailed { remote: String, url: String },
    #[error("could not reach the remote '{remote}' ({url}): {message}. Check the network and the remote's address")]
    Network { remote: String, url: String, message: String },
    #[error("the remote's commit {commit} was not taken, and nothing here changed: it carries {listed}. Links and Poni Desktop's private files (journal, undo history, launch records) are never taken from a remote, so that nothing outside the repository is reached and no change is planted; ask whoever pushed it to remove them")]
    RefusedFromRemote { commit: String, listed: String },
    #[error("these commits carry Poni Desktop's private files ({0}), which hold every node's contents before and after each change: they are never pushed. Remove them from the commits with git (they are in .gitignore), then push again")]
    PrivateOutgoing(String),
    /// Bad input: a conflict that does not exist, an empty address, nothing to push.
    #[error("{0}")]
    Usage(String),
    #[error("git: {0}")]
    Git(String),
    #[error(transparent)]
    Repo(#[from] RepoError),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl VcError {
    /// The stable code of this kind of error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::NotARepository(_) => ErrorCode::VcNotARepository,
            Self::AlreadyInitialized(_) => ErrorCode::VcAlreadyInitialized,
            Self::NoRemote(_) => ErrorCode::VcNoRemote,
            Self::Uncommitted(_) => ErrorCode::VcUncommitted,
            Self::ConflictsPending(_) => ErrorCode::VcConflictsPending,
            Self::Rejected { .. } | Self::PrivateOutgoing(_) => ErrorCode::VcRejected,
            Self::RefusedFromRemote { .. } => ErrorCode::VcRefusedFromRemote,
            Self::AuthFailed { .. } => ErrorCode::VcAuthFailed,
            Self::Network { .. } => ErrorCode::VcNetwork,
            Self::Usage(_) => ErrorCode::InputUsage,
            Self::Git(_) => ErrorCode::VcGit,
            Self::Repo(e) => e.code(),
            Self::Io { .. } => ErrorCode::Io,
        }
    }

    /// The code and the message, for the front ends' error shapes (`{code, message}` over IPC).
    pub fn payload(&self) -> (ErrorCode, String) {
        (self.code(), self.to_string())
    }

    /// Whether the user's request is at fault (the command line exits with 2), rather than
    /// git, the remote or the machine (1).
    pub fn is_bad_input(&self) -> bool {
        self.code().is_bad_input()
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io { path: path.into(), source }
    }
}

impl From<git2::Error> for VcError {
    fn from(e: git2::Error) -> Self {
        VcError::Git(e.message().to_owned())
    }
}
