//! The IPC commands. Each is a few lines: take the state, call the core, return its data or
//! its `{code, message}` error.

pub mod edit;
pub mod names;
pub mod settings;
pub mod tree;
pub mod workspace;
