//! Picks the credentials in effect, in the order documented in the module above.

use std::time::Duration;

use aws_config::profile::{ProfileFileCredentialsProvider, ProfileSet};
use aws_config::provider_config::ProviderConfig;
use aws_credential_types::provider::error::CredentialsError as SdkCredentialsError;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_runtime::env_config::file::EnvConfigFiles as ProfileFiles;
use aws_sdk_ec2::config::SharedHttpClient;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use super::env::{ACCESS_KEY_ID, PROFILE, SECRET_ACCESS_KEY, SESSION_TOKEN};
use super::sso::{self, SsoTokenState};
use super::{AwsFiles, AwsKeys, CredentialSets, CredentialsError, EnvVars, DEFAULT_SET};

/// A profile that asks a slow source (SSO, a role, a process) gets this long.
const PROFILE_TIMEOUT: Duration = Duration::from_secs(15);
const DEFAULT_PROFILE: &str = "default";

/// What the user picked in settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "name", rename_all = "snake_case")]
pub enum CredentialChoice {
    /// Try the sources in the documented order.
    #[default]
    Automatic,
    StoredSet(String),
    Profile(String),
    Environment,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialKind {
    StoredSet,
    Environment,
    Profile,
    /// The practice sandbox's throwaway keys.
    Sandbox,
}

/// Which credentials are in effect, for display. Never holds the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialSource {
    pub kind: CredentialKind,
    /// Set or profile name; `environment` for variables.
    pub name: String,
    pub access_key_id: String,
    /// False when the source was found by the automatic order rather than picked in settings.
    pub chosen_explicitly: bool,
}

impl std::fmt::Display for CredentialSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            CredentialKind::StoredSet => write!(f, "stored credential set '{}'", self.name)?,
            CredentialKind::Environment => f.write_str("environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY")?,
            CredentialKind::Profile => write!(f, "AWS profile '{}'", self.name)?,
            CredentialKind::Sandbox => return f.write_str("the practice sandbox's throwaway keys"),
        }
        write!(f, " (access key {})", self.access_key_id)
    }
}

/// Credentials ready for the SDK, with a description of where they came from.
#[derive(Clone)]
pub struct ResolvedCredentials {
    pub source: CredentialSource,
    provider: SharedCredentialsProvider,
}

impl std::fmt::Debug for ResolvedCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResolvedCredentials").field("source", &self.source).finish_non_exhaustive()
    }
}

impl ResolvedCredentials {
    /// What the SDK clients sign with. Profiles keep refreshing (SSO, roles) through it.
    pub fn provider(&self) -> SharedCredentialsProvider {
        self.provider.clone()
    }

    /// Fixed keys of a local emulator (the practice sandbox), never stored anywhere.
    pub fn sandbox(keys: &AwsKeys) -> ResolvedCredentials {
        ResolvedCredentials::from_keys(CredentialKind::Sandbox, "sandbox", keys, true)
    }

    fn from_keys(kind: CredentialKind, name: &str, keys: &AwsKeys, chosen_explicitly: bool) -> ResolvedCredentials {
        let provider_name = match kind {
            CredentialKind::StoredSet => "poni-keyring",
            CredentialKind::Sandbox => "poni-sandbox",
            _ => "poni-environment",
        };
        ResolvedCredentials {
            source: CredentialSource { kind, name: name.to_owned(), access_key_id: keys.access_key_id.clone(), chosen_explicitly },
            provider: SharedCredentialsProvider::new(keys.to_sdk(provider_name)),
        }
    }
}

/// Finds credentials. Reads the environment snapshot and keyring it is given, and the AWS
/// shared files (their usual places unless [`with_aws_files`](Self::with_aws_files) or
/// [`with_profile_files`](Self::with_profile_files)).
#[derive(Debug, Clone)]
pub struct CredentialResolver {
    env: EnvVars,
    sets: CredentialSets,
    /// Read and checked here before the SDK parses them (see [`AwsFiles`]).
    aws_files: AwsFiles,
    /// Given as they are to the SDK instead (tests' own files).
    profile_files: Option<ProfileFiles>,
    /// Used by SSO and role profiles to fetch their credentials.
    http_client: SharedHttpClient,
}

impl CredentialResolver {
    /// The process environment and the system keyring.
    pub fn system() -> CredentialResolver {
        CredentialResolver::new(EnvVars::from_process(), CredentialSets::system())
    }

    pub fn new(env: EnvVars, sets: CredentialSets) -> CredentialResolver {
        CredentialResolver { env, sets, aws_files: AwsFiles::from_process(), profile_files: None, http_client: crate::aws::https_client() }
    }

    /// Reads profiles from these files instead of ~/.aws/config and ~/.aws/credentials,
    /// checked as those are.
    pub fn with_aws_files(mut self, files: AwsFiles) -> CredentialResolver {
        self.aws_files = files;
        self
    }

    /// Has the SDK read profiles from these files as they are, unchecked (for tests).
    pub fn with_profile_files(mut self, files: ProfileFiles) -> CredentialResolver {
        self.profile_files = Some(files);
        self
    }

    pub async fn resolve(&self, choice: &CredentialChoice) -> Result<ResolvedCredentials, CredentialsError> {
        match choice {
            CredentialChoice::StoredSet(name) => self.stored_set(name, true).await?.ok_or_else(|| CredentialsError::SetNotFound(name.clone())),
            CredentialChoice::Profile(name) => self.profile(name, true).await?.ok_or_else(|| CredentialsError::ProfileNotFound(name.clone())),
            CredentialChoice::Environment => self.environment(true)?.ok_or(CredentialsError::EnvironmentNotSet),
            CredentialChoice::Automatic => self.automatic().await,
        }
    }

    async fn automatic(&self) -> Result<ResolvedCredentials, CredentialsError> {
        if let Some(found) = self.environment(false)? {
            return Ok(found);
        }
        if let Some(name) = self.env.get(PROFILE) {
            // Named on purpose for this shell: its failure is the answer, not a reason to move on.
            return self.profile(name, false).await?.ok_or_else(|| CredentialsError::ProfileNotFound(name.to_owned()));
        }
        let keyring_note = match self.stored_set(DEFAULT_SET, false).await {
            Ok(Some(found)) => return Ok(found),
            Ok(None) => None,
            Err(e @ (CredentialsError::KeyringLocked(_) | CredentialsError::KeyringUnavailable(_))) => {
                tracing::info!(code = %crate::error::Coded::code(&e), "keyring unusable, trying the default AWS profile");
                Some(e.to_string())
            }
            Err(e) => return Err(e),
        };
        if let Some(found) = self.profile(DEFAULT_PROFILE, false).await? {
            return Ok(found);
        }
        Err(CredentialsError::Missing { keyring_note })
    }

    fn environment(&self, explicit: bool) -> Result<Option<ResolvedCredentials>, CredentialsError> {
        let id = self.env.get(ACCESS_KEY_ID);
        let secret = self.env.get(SECRET_ACCESS_KEY);
        let (id, secret) = match (id, secret) {
            (Some(id), Some(secret)) => (id, secret),
            (None, None) => return Ok(None),
            (Some(_), None) => return Err(CredentialsError::IncompleteEnvironment { present: ACCESS_KEY_ID, absent: SECRET_ACCESS_KEY }),
            (None, Some(_)) => return Err(CredentialsError::IncompleteEnvironment { present: SECRET_ACCESS_KEY, absent: ACCESS_KEY_ID }),
        };
        let token = self.env.get(SESSION_TOKEN).map(|t| SecretString::from(t.to_owned()));
        let keys = AwsKeys::new(id, SecretString::from(secret.to_owned()), token)?;
        Ok(Some(ResolvedCredentials::from_keys(CredentialKind::Environment, "environment", &keys, explicit)))
    }

    async fn stored_set(&self, name: &str, explicit: bool) -> Result<Option<ResolvedCredentials>, CredentialsError> {
        let sets = self.sets.clone();
        let owned = name.to_owned();
        // Keyring calls block (D-Bus, unlock prompts): keep them off the async workers.
        let keys = tokio::task::spawn_blocking(move || sets.get(&owned))
            .await
            .map_err(|e| CredentialsError::KeyringUnavailable(format!("keyring call failed: {e}")))??;
        Ok(keys.map(|k| ResolvedCredentials::from_keys(CredentialKind::StoredSet, name, &k, explicit)))
    }

    /// `Ok(None)` when the shared files do not define the profile. An SSO profile without a
    /// token is reported as such at once, without a call that could only fail.
    async fn profile(&self, name: &str, explicit: bool) -> Result<Option<ResolvedCredentials>, CredentialsError> {
        let (files, set) = self.profiles().await?;
        let sso_state = sso_token_state(set.as_ref(), name)?;
        if sso_state == Some(SsoTokenState::Missing) {
            return Err(CredentialsError::SsoLoginRequired(name.to_owned()));
        }
        let config = ProviderConfig::without_region().with_http_client(self.http_client.clone());
        let provider = ProfileFileCredentialsProvider::builder().configure(&config).profile_name(name).profile_files(files).build();
        let credentials = match tokio::time::timeout(PROFILE_TIMEOUT, provider.provide_credentials()).await {
            Err(_elapsed) => return Err(CredentialsError::ProfileTimedOut(name.to_owned())),
            Ok(Err(SdkCredentialsError::CredentialsNotLoaded(_))) => return Ok(None),
            // A token that has run out, or that the portal no longer takes (a revoked session).
            Ok(Err(_)) if sso_state.is_some() => return Err(CredentialsError::SsoExpired(name.to_owned())),
            Ok(Err(e)) => {
                let mut detail = crate::error::one_line(&e);
                if let (SdkCredentialsError::InvalidConfiguration(_), Some(files)) = (&e, self.files_in_use()) {
                    detail.push_str(&format!(" (set up in {files})"));
                }
                return Err(CredentialsError::ProfileFailed { name: name.to_owned(), detail });
            }
            Ok(Ok(credentials)) => credentials,
        };
        Ok(Some(ResolvedCredentials {
            source: CredentialSource {
                kind: CredentialKind::Profile,
                name: name.to_owned(),
                access_key_id: credentials.access_key_id().to_owned(),
                chosen_explicitly: explicit,
            },
            provider: SharedCredentialsProvider::new(provider),
        }))
    }
}

impl CredentialResolver {
    /// The profiles, and the files as the SDK's provider is to read them: the AWS files read
    /// and checked here, so that the SDK never opens them (unless a test gave its own).
    async fn profiles(&self) -> Result<(ProfileFiles, Option<ProfileSet>), CredentialsError> {
        if let Some(files) = &self.profile_files {
            return Ok((files.clone(), sso::load_profiles(Some(files)).await.ok()));
        }
        let loaded = self.aws_files.load().await?;
        Ok((loaded.files, Some(loaded.set)))
    }

    /// The AWS files there are, `a or b`, for a message about a profile set up wrongly.
    fn files_in_use(&self) -> Option<String> {
        if self.profile_files.is_some() {
            return None;
        }
        let there = |path: &&std::path::PathBuf| poni_repo::store::entry_kind(path).is_ok_and(|k| k != poni_repo::store::EntryKind::Missing);
        let files: Vec<String> =
            [&self.aws_files.config, &self.aws_files.credentials].into_iter().flatten().filter(there).map(|p| p.display().to_string()).collect();
        (!files.is_empty()).then(|| files.join(" or "))
    }
}

/// The token state of an SSO profile; None for other profiles. A token cache file that cannot
/// be used is reported before the SDK would open it (a FIFO there would block it).
fn sso_token_state(set: Option<&ProfileSet>, name: &str) -> Result<Option<SsoTokenState>, CredentialsError> {
    let Some(profile) = set.and_then(|set| sso::sso_profile(set, name).ok()) else { return Ok(None) };
    let Some(home) = std::env::var_os("HOME").map(std::path::PathBuf::from) else { return Ok(None) };
    Ok(Some(sso::read_token_state(&home, &profile, std::time::SystemTime::now())?))
}

#[cfg(test)]
mod tests;
