//! Why a command failed, as main prints it: `error: <message>`, or nothing more when the
//! log lines above already said what went wrong node by node.

use poni_cloud::Coded;

#[derive(Debug)]
pub enum Failure {
    /// One clear line for the user.
    Message(String),
    /// Already reported (per-node ERROR lines); only the exit status says it.
    Reported,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Message(m) => f.write_str(m),
            Failure::Reported => f.write_str("some nodes failed"),
        }
    }
}

pub type Result<T, E = Failure> = std::result::Result<T, E>;

macro_rules! from_coded {
    ($($t:ty),*) => {$(
        impl From<$t> for Failure {
            fn from(e: $t) -> Failure {
                Failure::Message(e.payload().message)
            }
        }
    )*};
}

from_coded!(
    poni_repo::RepoError,
    poni_cloud::engine::EngineError,
    poni_cloud::aws::CloudError,
    poni_cloud::credentials::CredentialsError
);
