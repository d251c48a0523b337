//! The IPC command tests through Tauri's mock runtime, one test binary (linking one binary per
//! test file cost more than running them). Each test builds its own mock app with its own
//! settings folder, repository and (in memory) keyring, so the modules' tests run side by side.

mod common;

mod cloud_commands;
mod commands;
