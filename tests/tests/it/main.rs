//! The end-to-end tests of the `poni` binary against moto behind the harness's proxy, one test
//! binary (linking one binary per test file cost more than running them). Every test has its own
//! proxy and so its own account in the binary's one shared moto ([`poni_e2e::Moto::shared`]; the
//! few that need moto settings or a reset start a moto of their own), and every `poni` run its
//! own repository, HOME and keyring service: the modules' tests run side by side.

mod account_cli;
mod cloud_cli;
mod drift_cli;
mod import_cli;
mod launch_crash_cli;
mod poni08_cli;
mod proxy;
mod remote_cli;
mod snapshots_cli;
mod status_checks_cli;
mod status_cli;
mod vc_cli;
