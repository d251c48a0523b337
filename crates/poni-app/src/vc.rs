//! The repository's git history as the app uses it (every git rule is in poni-vc): its errors
//! as the app's `{code, message}`, and the commit after each edit in each-change mode.

use crate::error::AppError;
use std::path::Path;

/// A history error as it crosses IPC.
pub fn error(e: poni_vc::VcError) -> AppError {
    let (code, message) = e.payload();
    AppError::new(code, message)
}

/// Commits each change the core makes (it calls this after every change, edits and the cloud
/// engine's alike, with the change's label as the message) when the repository is under git
/// in each-change mode. A failure is logged: the change itself is made.
pub fn commit_change(root: &Path, label: &str) {
    if let Err(e) = poni_vc::after_change(root, label) {
        tracing::warn!(error = %e, "the change is made, but git could not commit it");
    }
}
