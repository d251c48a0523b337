//! Which AWS credentials Poni uses, and where they are kept.
//!
//! Order (first that applies wins; see [`CredentialResolver::resolve`]):
//! 1. the explicit choice in settings ([`CredentialChoice`] other than `Automatic`): only that
//!    source is tried, and its failure is reported as is;
//! 2. `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`), as the seed
//!    document tells users to export;
//! 3. the AWS profile named by `AWS_PROFILE` (shared config/credentials files, SSO, roles);
//! 4. the stored credential set `default` in the OS keyring;
//! 5. the AWS profile `default`, when the shared files define it.
//!
//! Variables and `AWS_PROFILE` come first among the automatic sources because they are set
//! for one shell on purpose; the stored set is the app's lasting choice; the `default` profile
//! is whatever is lying around. The instance metadata service is never asked: on a desktop it
//! only makes the user wait for a time-out.

mod env;
mod files;
mod keys;
mod resolve;
pub mod sso;
mod store;

pub use env::EnvVars;
pub use files::{read_user_file, AwsFiles, FileProblem};
pub use keys::AwsKeys;
pub use resolve::{CredentialChoice, CredentialKind, CredentialResolver, CredentialSource, ResolvedCredentials};
pub use store::{check_set_name, CredentialSets, KeyringStore, SecretStore, DEFAULT_SET, KEYRING_SERVICE};

use crate::error::Coded;
use poni_repo::ErrorCode;

pub use env::{ACCESS_KEY_ID as ENV_ACCESS_KEY_ID, SECRET_ACCESS_KEY as ENV_SECRET_ACCESS_KEY};

const HOW_TO_ADD: &str = "store a credential set (poni credentials set), or export AWS_ACCESS_KEY_ID and \
AWS_SECRET_ACCESS_KEY, or configure an AWS profile (aws configure)";

/// Why no usable credentials were found. No variant ever holds a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialsError {
    #[error("No AWS credentials found: {HOW_TO_ADD}.{}", .keyring_note.as_ref().map(|n| format!(" (The keyring could not be read: {n})")).unwrap_or_default())]
    Missing { keyring_note: Option<String> },
    #[error("Settings say to use the environment, but AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set. Export both, or pick a stored credential set in Settings.")]
    EnvironmentNotSet,
    #[error("{present} is set but {absent} is not: export both, or unset {present} to use a stored credential set or an AWS profile.")]
    IncompleteEnvironment { present: &'static str, absent: &'static str },
    #[error("There is no stored credential set '{0}'. Store it with `poni credentials set {set}` or pick another set in Settings.", set = crate::shell::word(.0))]
    SetNotFound(String),
    #[error("'{0}' is not a valid credential set name: use 1 to 64 letters, digits, '.', '_' or '-', not starting with '.'.")]
    InvalidSetName(String),
    #[error("These AWS keys cannot be used: {0}.")]
    InvalidKeys(String),
    #[error("The system keyring is locked or refused access ({0}). Unlock it (log in to the desktop session, or open your keyring manager and unlock the 'login' keyring) and try again.")]
    KeyringLocked(String),
    #[error("The system keyring is not available ({0}). On Linux a Secret Service (GNOME Keyring or KeePassXC) must be running in your session; otherwise export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or use an AWS profile.")]
    KeyringUnavailable(String),
    #[error("A credential set in the system keyring is damaged. Store it again with `poni credentials set`.")]
    KeyringCorrupt,
    #[error("There is no AWS profile '{0}' in ~/.aws/config or ~/.aws/credentials. Create it with `aws configure --profile {profile}` or pick another.", profile = crate::shell::word(.0))]
    ProfileNotFound(String),
    #[error("The AWS profile '{name}' could not provide credentials: {detail}.")]
    ProfileFailed { name: String, detail: String },
    #[error("The AWS profile '{0}' uses SSO and is not signed in: run `poni sso login --profile {profile}` (or `aws sso login --profile {profile}`).", profile = crate::shell::word(.0))]
    SsoLoginRequired(String),
    #[error("The SSO session of the AWS profile '{0}' has expired: sign in again with `poni sso login --profile {profile}`.", profile = crate::shell::word(.0))]
    SsoExpired(String),
    #[error("The AWS profile '{0}' took too long to provide credentials. Check its settings (credential_process, role or SSO) and your network.")]
    ProfileTimedOut(String),
    /// An AWS config, credentials or SSO token cache file that cannot be used: a FIFO, a
    /// device, a huge or a damaged file. Names the file, says what is wrong and what to do.
    #[error("{0}")]
    UnusableFile(FileProblem),
}

impl From<FileProblem> for CredentialsError {
    fn from(problem: FileProblem) -> CredentialsError {
        CredentialsError::UnusableFile(problem)
    }
}

impl Coded for CredentialsError {
    fn code(&self) -> ErrorCode {
        match self {
            CredentialsError::Missing { .. } | CredentialsError::EnvironmentNotSet => ErrorCode::CredentialsMissing,
            CredentialsError::IncompleteEnvironment { .. } => ErrorCode::CredentialsIncompleteEnvironment,
            CredentialsError::SetNotFound(_) => ErrorCode::CredentialsNotFound,
            CredentialsError::InvalidSetName(_) => ErrorCode::CredentialsInvalidName,
            CredentialsError::InvalidKeys(_) => ErrorCode::CredentialsInvalid,
            CredentialsError::KeyringLocked(_) => ErrorCode::CredentialsKeyringLocked,
            CredentialsError::KeyringUnavailable(_) => ErrorCode::CredentialsKeyringUnavailable,
            CredentialsError::KeyringCorrupt => ErrorCode::CredentialsKeyringCorrupt,
            CredentialsError::ProfileNotFound(_) => ErrorCode::CredentialsProfileNotFound,
            CredentialsError::ProfileFailed { .. } | CredentialsError::UnusableFile(_) => ErrorCode::CredentialsProfileFailed,
            CredentialsError::ProfileTimedOut(_) => ErrorCode::CredentialsProfileTimeout,
            CredentialsError::SsoLoginRequired(_) => ErrorCode::CredentialsSsoLoginRequired,
            CredentialsError::SsoExpired(_) => ErrorCode::CredentialsSsoExpired,
        }
    }
}
