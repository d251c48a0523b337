//! End-to-end test harness for Poni Desktop's EC2 work.
//!
//! Real components only: [`Moto`] runs moto (a real EC2-compatible API server, from PyPI) on
//! 127.0.0.1, and [`Ec2Proxy`] runs `harness/ec2_proxy.py` in front of it to add what moto
//! lacks: instance states that take time, throttling and other faults, request counts.
//!
//! # Isolation
//!
//! One moto per test binary ([`Moto::shared`]), started on first use and gone when the test
//! process exits (the server watches its stdin, which only the test process holds). Each test
//! starts its own [`Ec2Proxy`], and every proxy injects its own `x-moto-account-id`, so each
//! test sees a private, empty AWS account in the shared moto: tests run in parallel without
//! seeing each other's instances and without resetting anything. A test that wants a server
//! of its own (for example to call the global `/moto-api/reset`) uses [`Moto::start`].
//!
//! Clients under test get the proxy's URL as their endpoint: see [`env_for`] for the
//! environment a child `poni` process needs, [`Poni`] to run the real `poni` binary (built
//! on first use, see [`poni_binary`]), and [`Ec2Client`] for raw query-protocol calls.
//!
//! [`Poni08`] runs poni 0.8 itself, to check that it still reads what we wrote.
//!
//! [`PricingServer`] runs `harness/pricing_server.py`, a local AWS Price List Query API (moto
//! has none) replaying AWS price documents; clients reach it through
//! `AWS_ENDPOINT_URL_PRICING`. [`Ec2Proxy::set_instance_health`] holds an instance's status
//! checks and scheduled events.
//!
//! [`Sshd`] runs a real OpenSSH server on 127.0.0.1 with throwaway keys ([`SshKeys`]), for the
//! remote tests; its [`Sshd::console_output_text`] is what [`Ec2Proxy::set_console_output`]
//! serves as an instance's console.
//!
//! Requires moto installed by `scripts/install-deps` (venv at `$PONI_TEST_VENV`, default
//! `~/.cache/poni-desktop/moto-venv`).

mod ec2;
mod env;
mod moto;
mod poni;
mod poni08;
mod pricing;
mod process;
mod proxy;
mod sshd;
pub mod sso;

pub use ec2::{Ec2Client, Ec2Response, InstanceView};
pub use env::{env_for, env_for_region, AwsEnv, TEST_REGION};
pub use moto::{venv_dir, Moto};
pub use poni::{poni_binary, Poni, PoniOutput};
pub use poni08::{poni08_venv_dir, Poni08};
pub use pricing::{PricingServer, PricingStats};
pub use proxy::{fresh_account_id, Ec2Proxy, FaultKind, InstanceHealth, ProxyConfig, ProxyStats, ScheduledEvent};
pub use sshd::{closed_port, silent_listener, SshKeys, Sshd, CONSOLE_HOSTNAME, ENCRYPTED_KEY_PASSPHRASE};
pub use sso::{sso_config_text, write_aws_config, SsoProfile, SsoServer, TEST_START_URL};

/// An AMI id that exists in moto's default image list.
pub const TEST_AMI: &str = "ami-12c6146b";
