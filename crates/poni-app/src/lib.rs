//! The desktop application's core, with no Tauri dependency: the open workspace and its view
//! of the repository, the user's settings, watching the repository for outside changes, and
//! the cloud session (operations, live fleet, credentials).
//! The Tauri shell (src-tauri) is a thin layer of commands over this crate.

pub mod check;
pub mod cloud;
pub mod desk;
pub mod error;
pub mod keys;
pub mod remote;
pub mod settings;
pub mod vc;
pub mod view;
pub mod watch;
pub mod workspace;

pub use desk::Desk;
pub use error::{AppError, AppResult};
/// The cloud engine crate, for the shell's event and binding types.
pub use poni_cloud;
/// The SSH crate, for the shell's generated constants (the usual login names).
pub use poni_remote;
pub use poni_repo;
/// The git history crate, for the shell's commands and binding types.
pub use poni_vc;
pub use settings::{Settings, SettingsStore};
pub use workspace::Workspace;
