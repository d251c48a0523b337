//! The `poni` binary's integration tests, one test binary (linking one binary per test file
//! cost more than running them). Each test runs `poni` as a child process on a repository of
//! its own, so the modules' tests run side by side in this process.

#[cfg(unix)]
mod aws_files;
mod cli;
#[cfg(unix)]
mod store;
#[cfg(unix)]
mod terminal;
