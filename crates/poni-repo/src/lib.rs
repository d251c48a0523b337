//! The poni node repository: systems and nodes as a tree of folders holding JSON property
//! files, read and written in exactly the format of the poni command line, with its rules for
//! targets, names, templates and typed properties.
//!
//! No cloud and no UI here: the cloud engine and the front ends build on this crate.

pub mod convert;
pub mod diff;
mod durable;
pub mod error;
mod folder;
pub mod history;
pub mod journal;
pub mod json_format;
pub mod name;
pub mod props;
pub mod repo;
pub mod repo_path;
pub mod store;
pub mod target;
pub mod template;
pub mod time;
pub mod tree;

#[cfg(test)]
mod fuzz_tests;

pub use diff::{property_diffs, PropertyDiff};
pub use error::{RepoError, Result};
pub use history::{HistoryEntryView, HistoryItem, HistoryView, ItemChangeKind, RunningInstance, UndoOutcome};
pub use journal::{AfterChange, ChangeHooks, Origin};
pub use poni_code::{CodeTraits, ErrorCode};
pub use props::{Assignment, Change, Props};
pub use repo::{item_of_file, AddNodes, ItemChanges, PlannedNode, Repo};
pub use target::Target;
pub use tree::{Item, Kind, Tree};
