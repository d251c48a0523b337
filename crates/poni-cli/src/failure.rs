//! Why a command failed, as main prints it: `error: <message>`, or nothing more when the
//! log lines above already said what went wrong node by node. The exit status says which:
//! 0 all done, 1 something failed (some nodes, the cloud, the machine), 2 bad usage or input
//! (a name, a pattern, a property, a hand-edited file, missing credentials), as clap does for
//! arguments it cannot parse.

use poni_cloud::Coded;

#[derive(Debug)]
pub enum Failure {
    /// One clear line for the user: what failed.
    Message(String),
    /// One clear line for the user: what in their input is wrong.
    Input(String),
    /// Already reported (per-node ERROR lines); only the exit status says it.
    Reported,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Message(m) | Failure::Input(m) => f.write_str(m),
            Failure::Reported => f.write_str("some nodes failed"),
        }
    }
}

impl Failure {
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Input(_) => 2,
            Failure::Message(_) | Failure::Reported => 1,
        }
    }
}

pub type Result<T, E = Failure> = std::result::Result<T, E>;

impl Failure {
    /// Input or failure, as the code's traits say (one rule for every layer: `poni-code`).
    fn coded(code: poni_repo::ErrorCode, message: String) -> Failure {
        match code.is_bad_input() {
            true => Failure::Input(message),
            false => Failure::Message(message),
        }
    }
}

macro_rules! from_coded {
    ($($t:ty),* $(,)?) => {$(
        impl From<$t> for Failure {
            fn from(e: $t) -> Failure {
                Failure::coded(e.code(), e.to_string())
            }
        }
    )*};
}

// Credentials errors are input: they are the user's to set up (`poni credentials`, a profile,
// `poni sso login`); history errors: a repository not under git, a missing remote, unresolved
// conflicts are the user's to fix, the remote refusing, the network, git itself are failures.
from_coded!(
    poni_repo::RepoError,
    poni_cloud::engine::EngineError,
    poni_cloud::plan::SelectionError,
    poni_cloud::aws::CloudError,
    poni_cloud::credentials::CredentialsError,
    poni_cloud::account::AccountError,
    poni_cloud::credentials::sso::SsoError,
    poni_vc::VcError,
    poni_remote::RemoteError,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_errors_exit_with_2_and_failures_with_1() {
        assert_eq!(Failure::from(poni_repo::RepoError::NoMatch).exit_code(), 2);
        let io = poni_repo::RepoError::Io { path: "/x".into(), source: std::io::Error::other("disk") };
        assert_eq!(Failure::from(io).exit_code(), 1);
        assert_eq!(Failure::Reported.exit_code(), 1);
    }
}
