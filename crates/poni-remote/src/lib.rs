//! After launch: reaching a node over SSH, for the app and the command line alike.
//!
//! - [`target`]: who and where, from the node's properties (poni's rules, one place);
//! - [`known_hosts`], [`console`], [`host_key`]: whether a server's key is the instance's;
//! - [`ssh`]: the client (the only module that names the SSH library);
//! - [`exec`]: one command on many nodes, in parallel, with limits;
//! - [`copy`]: files and folders to many nodes (poni's `remote cp`);
//! - [`text`]: chunked output made text;
//! - [`users`]: the login names worth trying when `user` is refused.

pub mod console;
pub mod copy;
pub mod error;
pub mod exec;
pub mod host_key;
pub mod known_hosts;
pub mod ssh;
pub mod target;
pub mod text;
pub mod users;

pub use error::RemoteError;
pub use host_key::{HostKeyCheck, HostKeyOutcome, UnknownKeys};
pub use known_hosts::KnownHosts;
pub use ssh::{connect, ConnectOptions, ExecEnd, Session, ShellEvent, ShellReader, ShellWriter, Stream};
pub use target::{ssh_command, ssh_target, AddressChoice, KeySource, SshTarget, TargetEnv};
