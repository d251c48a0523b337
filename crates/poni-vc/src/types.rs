//! The public types: what the verbs take and give back (they cross IPC to the app).

use crate::{ItemKind, PropertyDiff};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

// The types below cross IPC; they carry no doc comments so that the TypeScript made from them
// (ui/src/bindings) stays as it is.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum VcMode {
    // Commit after every change the app or the command line makes.
    #[default]
    EachChange,
    // Commit only when the user makes a checkpoint.
    Checkpoint,
}

/// When changes are committed: see [`VcMode`].
pub type Mode = VcMode;

impl VcMode {
    /// The value in the git config (`poni.commit`).
    pub fn as_str(self) -> &'static str {
        match self {
            VcMode::EachChange => "each",
            VcMode::Checkpoint => "checkpoint",
        }
    }

    /// `each` or `checkpoint` (the command line's words, also the config's).
    pub fn parse(text: &str) -> Option<VcMode> {
        match text {
            "each" | "eachChange" | "each-change" => Some(VcMode::EachChange),
            "checkpoint" => Some(VcMode::Checkpoint),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct VcStatus {
    pub enabled: bool,
    pub branch: Option<String>,
    pub mode: VcMode,
    pub changed_items: u32,
    pub remote: Option<String>,
    pub ahead: u32,
    pub behind: u32,
    pub conflicts: u32,
    pub last_commit: Option<CommitInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct CommitInfo {
    pub id: String,
    pub message: String,
    pub at: String,
    pub author: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum DiffChange {
    Added,
    Removed,
    Changed,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct RepoDiff {
    pub items: Vec<ItemDiff>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ItemDiff {
    pub name: String,
    pub kind: ItemKind,
    pub change: DiffChange,
    pub properties: Vec<PropertyDiff>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum PullKind {
    UpToDate,
    FastForward,
    Merged,
    Conflicts,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct PullOutcome {
    pub kind: PullKind,
    pub changed_items: Vec<String>,
    pub conflicts: Vec<Conflict>,
}

// One file both sides changed: `mine` is this repository's version, `theirs` the remote's
// (None: that side removed it); in `properties`, `before` is mine and `after` theirs.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct Conflict {
    pub name: String,
    pub mine: Option<Value>,
    pub theirs: Option<Value>,
    pub properties: Vec<PropertyDiff>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Choice {
    Mine,
    Theirs,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct PushOutcome {
    pub remote: String,
    pub branch: String,
}
