//! The desktop application's core, with no Tauri dependency: the open workspace and its view
//! of the repository, the user's settings, and watching the repository for outside changes.
//! The Tauri shell (src-tauri) is a thin layer of commands over this crate.

pub mod error;
pub mod settings;
pub mod view;
pub mod watch;
pub mod workspace;

pub use error::{AppError, AppResult};
pub use settings::{Settings, SettingsStore};
pub use workspace::Workspace;
