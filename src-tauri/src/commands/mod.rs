//! The IPC commands. Each is a few lines: take the state, call the core, return its data or
//! its `{code, message}` error.

pub mod account;
pub mod cloud;
pub mod credentials;
pub mod edit;
pub mod existing;
pub mod history;
pub mod names;
pub mod sandbox;
pub mod settings;
pub mod sso;
pub mod tree;
pub mod vc;
pub mod workspace;
