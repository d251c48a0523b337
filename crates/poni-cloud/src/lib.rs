//! The cloud layers of Poni Desktop's EC2 lifecycle engine, free of any UI code:
//!
//! - [`spec`]: a node's `cloud` properties checked and turned into a [`spec::LaunchSpec`];
//! - [`credentials`]: which AWS credentials are in effect, and named sets in the OS keyring;
//! - [`aws`]: the EC2 provider (launch, find, describe, tag, stop, start, terminate) with
//!   client-side pacing, retries, and errors mapped to coded, readable messages;
//! - [`plan`]: what an operation will do to each node, made without calling the cloud;
//! - [`engine`]: the lifecycle operations (init, wait, update, terminate, stop, start, status)
//!   on the nodes of a poni repository, with typed progress events;
//! - [`shell`]: names quoted as shell words in the commands suggested for pasting.
//!
//! Every error implements [`error::Coded`]: a stable `code` and a message for people.

pub mod account;
pub mod aws;
pub mod credentials;
pub mod engine;
pub mod error;
pub mod health;
pub mod plan;
pub mod shell;
pub mod spec;
#[cfg(all(test, unix))]
mod test_support;

pub use error::{Coded, ErrorCode, ErrorPayload};
