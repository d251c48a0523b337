//! History and sharing of a poni repository through git: every git rule lives here, the
//! command line (`poni vc ...`) and the desktop app only call these functions.
//!
//! The repository folder (the one with `repo.json`) is the git work tree. Changes are
//! committed after each change (mode [`VcMode::EachChange`], the default) or when the user makes
//! a checkpoint ([`VcMode::Checkpoint`]); the mode is kept in the git repository's own config
//! (`poni.commit`). Pulls merge per file, and a file both sides changed becomes a [`Conflict`]
//! about one node or system, shown property by property and settled by keeping one side
//! ([`resolve`]). Poni Desktop's own bookkeeping files are never committed (`.gitignore`).
//!
//! Only libgit2 (through `git2`) is used, never the `git` program.

mod commit;
mod config;
mod conflicts;
mod crossing;
mod diff;
mod error;
mod git;
mod init;
mod paths;
mod pending_merge;
mod pull;
mod push;
mod remote;
mod status;
#[cfg(test)]
mod tests;
mod types;

pub use commit::{after_change, checkpoint};
pub use config::{set_mode, set_remote};
pub use conflicts::{conflicts, resolve};
pub use diff::{diff, patch};
pub use error::{Result, VcError};
pub use init::init;
pub use paths::GITIGNORE_LINES;
pub use poni_repo::PropertyDiff;
pub use pull::pull;
pub use push::push;
pub use status::{is_enabled, status};
pub use types::{Choice, CommitInfo, Conflict, DiffChange, ItemDiff, Mode, PullKind, PullOutcome, PushOutcome, RepoDiff, VcMode, VcStatus};

/// A node or a system: the core's own kind.
pub use poni_repo::Kind as ItemKind;
