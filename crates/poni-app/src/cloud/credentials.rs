//! Which AWS credentials the app uses, as the settings screen sees them: named sets stored in
//! the OS keyring (the secret is write-only: nothing here ever returns it), the choice between
//! a stored set, an AWS profile, the environment or the automatic order, and the source in
//! effect. Keyring calls block (D-Bus, unlock prompts), so they run on blocking threads.

use poni_repo::ErrorCode;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use poni_cloud::aws::endpoint::endpoint_url;
use poni_cloud::aws::{Ec2Provider, ProviderOptions};
use poni_cloud::credentials::{self as creds, AwsKeys, CredentialKind, CredentialResolver, CredentialSets, EnvVars, KeyringStore, ResolvedCredentials};
use poni_cloud::Coded;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::sandbox::{Sandbox, SandboxPace, SandboxStatus};
use crate::error::{AppError, AppResult};
use crate::settings::{Settings, SettingsStore};
use aws_config::profile::ProfileSet;
use poni_cloud::credentials::sso::{self, ProfileInfo};
use poni_cloud::credentials::AwsFiles;

/// What the user picked in Settings. Kept in settings.json; the default tries the sources in
/// the documented order (environment, `AWS_PROFILE`, the stored set `default`, the profile
/// `default`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum CredentialChoice {
    #[default]
    Automatic,
    /// A set stored in the OS keyring.
    StoredSet { name: String },
    /// A profile of ~/.aws/config or ~/.aws/credentials.
    Profile { name: String },
    /// `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`.
    Environment,
}

impl CredentialChoice {
    pub fn to_cloud(&self) -> creds::CredentialChoice {
        match self {
            CredentialChoice::Automatic => creds::CredentialChoice::Automatic,
            CredentialChoice::StoredSet { name } => creds::CredentialChoice::StoredSet(name.clone()),
            CredentialChoice::Profile { name } => creds::CredentialChoice::Profile(name.clone()),
            CredentialChoice::Environment => creds::CredentialChoice::Environment,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum SourceKind {
    StoredSet,
    Environment,
    Profile,
    Sandbox,
}

/// The credentials in effect, for display. Never holds a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct CredentialSourceView {
    pub kind: SourceKind,
    /// Set or profile name; `environment` for the variables.
    pub name: String,
    pub access_key_id: String,
    /// False when the automatic order found it rather than the choice in Settings.
    pub chosen_explicitly: bool,
    /// One line for people, e.g. "stored credential set 'work' (access key AKIA…)".
    pub description: String,
}

impl From<&creds::CredentialSource> for CredentialSourceView {
    fn from(s: &creds::CredentialSource) -> Self {
        CredentialSourceView {
            kind: match s.kind {
                CredentialKind::StoredSet => SourceKind::StoredSet,
                CredentialKind::Environment => SourceKind::Environment,
                CredentialKind::Profile => SourceKind::Profile,
                CredentialKind::Sandbox => SourceKind::Sandbox,
            },
            name: s.name.clone(),
            access_key_id: s.access_key_id.clone(),
            chosen_explicitly: s.chosen_explicitly,
            description: s.to_string(),
        }
    }
}

/// A stored set as the app shows it after saving: its name and access key id, nothing else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct StoredCredentialSet {
    pub name: String,
    /// None when the entry could not be read (see `problem`).
    pub access_key_id: Option<String>,
    pub problem: Option<AppError>,
}

/// A credential set typed into the settings form. Deserialized from the UI only; the secret
/// goes straight into the keyring and is dropped (zeroed) here.
#[derive(Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct NewCredentialSet {
    pub name: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    #[serde(default)]
    #[ts(optional)]
    pub session_token: Option<String>,
}

impl std::fmt::Debug for NewCredentialSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewCredentialSet").field("name", &self.name).field("access_key_id", &self.access_key_id).finish_non_exhaustive()
    }
}

/// What the settings screen shows: the choice, the source it leads to (or why none), the
/// endpoint in use, and what can be picked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct CredentialStatus {
    pub choice: CredentialChoice,
    /// The source in effect; null when none could be used (see `error`).
    pub source: Option<CredentialSourceView>,
    /// Why no credentials could be used, with what to do.
    pub error: Option<AppError>,
    /// The EC2 endpoint in use (the setting, else AWS_ENDPOINT_URL_EC2 / AWS_ENDPOINT_URL); null: AWS itself.
    pub endpoint: Option<String>,
    pub endpoint_error: Option<AppError>,
    /// The profiles of the AWS config and credentials files (SSO ones with their sign-in state).
    pub profiles: Vec<ProfileInfo>,
    /// Names of the stored sets; empty with `setsError` when the keyring cannot be read.
    pub sets: Vec<String>,
    pub sets_error: Option<AppError>,
    pub sandbox: SandboxStatus,
}

/// The credentials service: settings, keyring sets and the environment snapshot. Cheap to
/// clone; clones share the change counter that tells cloud sessions to re-resolve.
#[derive(Debug, Clone)]
pub struct CloudCredentials {
    settings: SettingsStore,
    sets: CredentialSets,
    env: EnvVars,
    profile_paths: Vec<PathBuf>,
    generation: Arc<AtomicU64>,
    /// The practice sandbox: while it runs, it wins over every other choice.
    sandbox: Sandbox,
    /// One provider (so one pacer: every caller shares EC2's limits), rebuilt when the choice,
    /// the endpoint or the sandbox changes.
    provider: Arc<tokio::sync::Mutex<Option<(ProviderKey, Ec2Provider)>>>,
}

#[derive(Debug, Clone, PartialEq)]
struct ProviderKey {
    choice: CredentialChoice,
    endpoint: Option<String>,
    sandbox: Option<String>,
    generation: u64,
}

/// The throwaway keys the sandbox's emulator accepts (moto takes any).
const SANDBOX_KEY_ID: &str = "AKIAPONISANDBOX00000";
const SANDBOX_SECRET: &str = "poni-sandbox-secret";

/// Environment variable naming the keyring service, so tests and the desktop end-to-end run
/// never touch a user's real sets.
pub const KEYRING_SERVICE_VAR: &str = "PONI_DESKTOP_KEYRING_SERVICE";

impl CloudCredentials {
    /// The process environment and the OS keyring (service `poni-desktop`, or
    /// `$PONI_DESKTOP_KEYRING_SERVICE`).
    pub fn system(settings: SettingsStore) -> CloudCredentials {
        let store = match std::env::var(KEYRING_SERVICE_VAR) {
            Ok(service) if !service.trim().is_empty() => KeyringStore::with_service(service.trim()),
            _ => KeyringStore::default(),
        };
        CloudCredentials::new(settings, CredentialSets::new(Arc::new(store)), EnvVars::from_process())
    }

    pub fn new(settings: SettingsStore, sets: CredentialSets, env: EnvVars) -> CloudCredentials {
        CloudCredentials {
            settings,
            sets,
            env,
            profile_paths: default_profile_paths(),
            generation: Arc::default(),
            sandbox: Sandbox::system(),
            provider: Arc::default(),
        }
    }

    /// Lists profiles from these files instead of the AWS defaults (tests).
    pub fn with_profile_paths(mut self, paths: Vec<PathBuf>) -> CloudCredentials {
        self.profile_paths = paths;
        self
    }

    pub fn settings_store(&self) -> &SettingsStore {
        &self.settings
    }

    pub fn env(&self) -> &EnvVars {
        &self.env
    }

    pub fn settings(&self) -> AppResult<Settings> {
        self.settings.load()
    }

    /// Bumped whenever stored sets or the choice change: cached providers are stale then.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    fn changed(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// Uses this sandbox instead of the system one (tests).
    pub fn with_sandbox(mut self, sandbox: Sandbox) -> CloudCredentials {
        self.sandbox = sandbox;
        self
    }

    /// The practice sandbox (start, stop, status).
    pub fn sandbox_handle(&self) -> &Sandbox {
        &self.sandbox
    }

    /// Starts the practice sandbox at the pace the settings ask for (EC2's usual, or fast).
    pub async fn start_sandbox(&self) -> AppResult<SandboxStatus> {
        let fast = self.settings.load().is_ok_and(|s| s.sandbox_fast);
        self.sandbox.start(if fast { SandboxPace::Fast } else { SandboxPace::Usual }).await
    }

    /// The sandbox's URL while it is in use.
    pub fn sandbox(&self) -> Option<String> {
        self.sandbox.endpoint()
    }

    /// Changes whenever the account that cloud calls reach may have changed (credentials,
    /// choice, endpoint, sandbox): cached account lists are stale then.
    pub fn account_key(&self) -> String {
        let settings = self.settings.load().unwrap_or_default();
        format!("{}|{:?}|{:?}|{:?}", self.generation(), settings.credential_choice(), settings.ec2_endpoint, self.sandbox())
    }

    /// The AWS config and credentials files, as the profile list reads them (each checked
    /// before it is read: a FIFO, a device, a huge or a damaged file is refused by name).
    fn aws_files(&self) -> Option<AwsFiles> {
        let mut paths = self.profile_paths.iter().cloned();
        (!self.profile_paths.is_empty()).then(|| AwsFiles { config: paths.next(), credentials: paths.next() })
    }

    /// The profiles of the AWS files, with their kind and SSO token state.
    pub async fn profiles(&self) -> Vec<ProfileInfo> {
        let Some(files) = self.aws_files() else { return Vec::new() };
        match sso::load_aws_files(&files).await {
            Ok(set) => sso::profile_infos(&set, home_dir().as_deref(), std::time::SystemTime::now()),
            Err(e) => {
                tracing::warn!(error = %e, "AWS config files unreadable");
                Vec::new()
            }
        }
    }

    /// Reads the profiles for an SSO sign-in.
    pub async fn profile_set(&self) -> AppResult<ProfileSet> {
        let files = self.aws_files().unwrap_or_else(AwsFiles::from_process);
        sso::load_aws_files(&files).await.map_err(|e| coded(&e))
    }

    /// Remembers a region given to a node in the app, for the next new node.
    pub fn remember_region(&self, edits: &[crate::view::PropertyEdit]) {
        let Some(region) = edits.iter().find(|e| e.key == "cloud.region").and_then(|e| e.value.as_str()).map(str::trim) else { return };
        if region.is_empty() {
            return;
        }
        if let Ok(mut settings) = self.settings.load() {
            if settings.last_region.as_deref() != Some(region) {
                settings.last_region = Some(region.to_owned());
                let _ = self.settings.save(&settings);
            }
        }
    }

    /// Something outside changed what the credentials lead to (an SSO sign-in).
    pub fn touch(&self) {
        self.changed();
    }

    /// The endpoint every cloud call goes to: the sandbox, else the setting, else the
    /// standard variables; None means AWS itself.
    pub fn endpoint(&self) -> AppResult<Option<String>> {
        if let Some(url) = self.sandbox() {
            return Ok(Some(url));
        }
        let settings = self.settings.load()?;
        endpoint_url(settings.ec2_endpoint.as_deref(), &self.env).map_err(|e| coded(&e))
    }

    /// The EC2 provider for the credentials and endpoint in effect, shared by every caller
    /// until one of them changes.
    pub async fn provider(&self, options: &ProviderOptions) -> AppResult<Ec2Provider> {
        let settings = self.settings.load()?;
        let key = ProviderKey {
            choice: settings.credential_choice(),
            endpoint: settings.ec2_endpoint.clone(),
            sandbox: self.sandbox(),
            generation: self.generation(),
        };
        let mut cached = self.provider.lock().await;
        if let Some((k, provider)) = cached.as_ref() {
            if *k == key {
                return Ok(provider.clone());
            }
        }
        // Operations report this to people using the app: its wording says what to click.
        let resolved = self.resolve().await.map_err(super::wording::for_app)?;
        let mut options = options.clone();
        options.endpoint_url = key.sandbox.clone().or(settings.ec2_endpoint.clone());
        options.env = self.env.clone();
        let provider = Ec2Provider::new(resolved, options).map_err(|e| coded(&e))?;
        *cached = Some((key, provider.clone()));
        Ok(provider)
    }

    /// Stores (or replaces) a set; returns only its name and access key id.
    pub async fn save_set(&self, new: NewCredentialSet) -> AppResult<StoredCredentialSet> {
        let NewCredentialSet { name, access_key_id, secret_access_key, session_token } = new;
        let name = name.trim().to_owned();
        creds::check_set_name(&name).map_err(|e| coded(&e))?;
        let keys = AwsKeys::new(access_key_id, SecretString::from(secret_access_key), session_token.map(SecretString::from)).map_err(|e| coded(&e))?;
        let access_key_id = keys.access_key_id.clone();
        let sets = self.sets.clone();
        let owned = name.clone();
        blocking(move || sets.set(&owned, &keys)).await?;
        self.changed();
        Ok(StoredCredentialSet { name, access_key_id: Some(access_key_id), problem: None })
    }

    /// The stored sets with their access key ids.
    pub async fn list_sets(&self) -> AppResult<Vec<StoredCredentialSet>> {
        let sets = self.sets.clone();
        blocking(move || {
            let names = sets.list()?;
            Ok(names
                .into_iter()
                .map(|name| match sets.get(&name) {
                    Ok(Some(keys)) => StoredCredentialSet { name, access_key_id: Some(keys.access_key_id.clone()), problem: None },
                    Ok(None) => StoredCredentialSet { problem: Some(coded(&creds::CredentialsError::SetNotFound(name.clone()))), name, access_key_id: None },
                    Err(e) => StoredCredentialSet { name, access_key_id: None, problem: Some(coded(&e)) },
                })
                .collect())
        })
        .await
    }

    /// Removes a set; false when there was none of that name.
    pub async fn delete_set(&self, name: &str) -> AppResult<bool> {
        let sets = self.sets.clone();
        let owned = name.trim().to_owned();
        let removed = blocking(move || sets.delete(&owned)).await?;
        self.changed();
        Ok(removed)
    }

    /// Saves the choice in Settings (checking names first).
    pub fn choose(&self, choice: CredentialChoice) -> AppResult<()> {
        let choice = match choice {
            CredentialChoice::StoredSet { name } => {
                let name = name.trim().to_owned();
                creds::check_set_name(&name).map_err(|e| coded(&e))?;
                CredentialChoice::StoredSet { name }
            }
            CredentialChoice::Profile { name } => {
                let name = name.trim().to_owned();
                if name.is_empty() || name.contains(char::is_whitespace) {
                    return Err(AppError::new(ErrorCode::CredentialsInvalidProfile, format!("'{name}' is not an AWS profile name: pick one from the list.")));
                }
                CredentialChoice::Profile { name }
            }
            other => other,
        };
        let mut settings = self.settings.load()?;
        settings.credentials = Some(choice);
        self.settings.save(&settings)?;
        self.changed();
        Ok(())
    }

    /// Sets (or clears, with None or blank) the custom EC2 endpoint after checking it is a URL.
    pub fn set_endpoint(&self, url: Option<String>) -> AppResult<Option<String>> {
        let url = url.map(|u| u.trim().to_owned()).filter(|u| !u.is_empty());
        let checked = match &url {
            Some(u) => endpoint_url(Some(u), &EnvVars::default()).map_err(|e| coded(&e))?,
            None => None,
        };
        let mut settings = self.settings.load()?;
        settings.ec2_endpoint = checked.clone();
        self.settings.save(&settings)?;
        self.changed();
        Ok(checked)
    }

    /// The credentials the current choice leads to (the sandbox's keys while it is in use).
    pub async fn resolve(&self) -> AppResult<ResolvedCredentials> {
        if self.sandbox().is_some() {
            let keys = AwsKeys::new(SANDBOX_KEY_ID, SecretString::from(SANDBOX_SECRET.to_owned()), None).map_err(|e| coded(&e))?;
            return Ok(ResolvedCredentials::sandbox(&keys));
        }
        let choice = self.settings.load()?.credential_choice();
        self.resolve_choice(&choice).await
    }

    async fn resolve_choice(&self, choice: &CredentialChoice) -> AppResult<ResolvedCredentials> {
        CredentialResolver::new(self.env.clone(), self.sets.clone()).resolve(&choice.to_cloud()).await.map_err(|e| super::wording::credentials(&e))
    }

    /// Everything the settings screen shows. Never fails for credential problems: those are
    /// reported in the status.
    pub async fn status(&self) -> AppResult<CredentialStatus> {
        let settings = self.settings.load()?;
        let choice = settings.credential_choice();
        // While the sandbox runs, its keys are what is in effect: the choice's problems wait.
        let in_effect = match self.sandbox() {
            Some(_) => self.resolve().await,
            None => self.resolve_choice(&choice).await,
        };
        let (source, error) = match in_effect {
            Ok(resolved) => (Some(CredentialSourceView::from(&resolved.source)), None),
            Err(e) => (None, Some(e)),
        };
        let (endpoint, endpoint_error) = match self.endpoint() {
            Ok(url) => (url, None),
            Err(e) => (None, Some(e)),
        };
        let sets = self.sets.clone();
        let (sets, sets_error) = match blocking(move || sets.list()).await {
            Ok(names) => (names, None),
            Err(e) => (Vec::new(), Some(e)),
        };
        Ok(CredentialStatus {
            choice,
            source,
            error,
            endpoint,
            endpoint_error,
            profiles: self.profiles().await,
            sets,
            sets_error,
            sandbox: self.sandbox.status(),
        })
    }
}

/// Any coded error of the cloud crate as the app's error.
pub fn coded(e: &impl Coded) -> AppError {
    let payload = e.payload();
    AppError::new(payload.code, payload.message)
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, creds::CredentialsError> + Send + 'static) -> AppResult<T> {
    match tokio::task::spawn_blocking(f).await {
        Ok(result) => result.map_err(|e| coded(&e)),
        Err(e) => Err(AppError::new(ErrorCode::CredentialsKeyringUnavailable, format!("The keyring call failed: {e}"))),
    }
}

/// The user's home folder (SSO token cache, ~/.ssh).
pub fn home_dir() -> Option<PathBuf> {
    std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE")).map(PathBuf::from)
}

/// `$AWS_CONFIG_FILE` else ~/.aws/config, and `$AWS_SHARED_CREDENTIALS_FILE` else ~/.aws/credentials.
fn default_profile_paths() -> Vec<PathBuf> {
    let home = std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE")).map(PathBuf::from);
    let pick = |var: &str, file: &str| std::env::var_os(var).map(PathBuf::from).or_else(|| home.as_ref().map(|h| h.join(".aws").join(file)));
    [pick("AWS_CONFIG_FILE", "config"), pick("AWS_SHARED_CREDENTIALS_FILE", "credentials")].into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use poni_cloud::credentials::SecretStore;
    use std::collections::BTreeMap;
    use std::sync::Mutex;

    /// A keyring in memory; `locked` fails every call as a locked collection does.
    #[derive(Default)]
    struct MemoryStore {
        entries: Mutex<BTreeMap<String, String>>,
        locked: bool,
    }

    impl SecretStore for MemoryStore {
        fn read(&self, account: &str) -> Result<Option<SecretString>, creds::CredentialsError> {
            if self.locked {
                return Err(creds::CredentialsError::KeyringLocked("collection is locked".into()));
            }
            Ok(self.entries.lock().unwrap().get(account).cloned().map(SecretString::from))
        }
        fn write(&self, account: &str, secret: &SecretString) -> Result<(), creds::CredentialsError> {
            if self.locked {
                return Err(creds::CredentialsError::KeyringLocked("collection is locked".into()));
            }
            use secrecy::ExposeSecret;
            self.entries.lock().unwrap().insert(account.into(), secret.expose_secret().into());
            Ok(())
        }
        fn remove(&self, account: &str) -> Result<bool, creds::CredentialsError> {
            Ok(self.entries.lock().unwrap().remove(account).is_some())
        }
    }

    fn service(dir: &tempfile::TempDir, store: MemoryStore, env: &[(&str, &str)]) -> (CloudCredentials, Arc<MemoryStore>) {
        let store = Arc::new(store);
        let settings = SettingsStore::at(dir.path().join("settings.json"));
        let sets = CredentialSets::new(store.clone());
        let c = CloudCredentials::new(settings, sets, EnvVars::from_pairs(env.iter().copied())).with_profile_paths(vec![]);
        (c, store)
    }

    fn new_set(name: &str, id: &str, secret: &str) -> NewCredentialSet {
        NewCredentialSet { name: name.into(), access_key_id: id.into(), secret_access_key: secret.into(), session_token: None }
    }

    #[tokio::test]
    async fn a_saved_set_shows_only_its_name_and_key_id() {
        let dir = tempfile::tempdir().unwrap();
        let (c, store) = service(&dir, MemoryStore::default(), &[]);
        let before = c.generation();
        let saved = c.save_set(new_set("work", "AKIAWORK", "top-secret-value")).await.unwrap();
        assert!(c.generation() > before);
        let shown = serde_json::to_string(&saved).unwrap();
        assert_eq!(shown, r#"{"name":"work","accessKeyId":"AKIAWORK","problem":null}"#);
        assert!(store.entries.lock().unwrap()["work"].contains("top-secret-value"), "the secret is in the keyring");

        c.choose(CredentialChoice::StoredSet { name: "work".into() }).unwrap();
        let status = c.status().await.unwrap();
        let text = serde_json::to_string(&status).unwrap();
        assert!(!text.contains("top-secret-value"), "{text}");
        let source = status.source.unwrap();
        assert_eq!((source.kind, source.access_key_id.as_str(), source.chosen_explicitly), (SourceKind::StoredSet, "AKIAWORK", true));
        assert_eq!(status.sets, ["work"]);
        let listed = c.list_sets().await.unwrap();
        assert!(!serde_json::to_string(&listed).unwrap().contains("top-secret-value"));
        assert!(c.delete_set("work").await.unwrap());
        let status = c.status().await.unwrap();
        assert_eq!(status.error.unwrap().code, "credentials.not_found");
    }

    #[tokio::test]
    async fn missing_and_locked_give_coded_messages_that_say_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let (c, _) = service(&dir, MemoryStore::default(), &[]);
        c.choose(CredentialChoice::Environment).unwrap();
        let err = c.resolve().await.unwrap_err();
        assert_eq!(err.code, "credentials.missing");
        assert!(err.message.contains("AWS_ACCESS_KEY_ID"), "{}", err.message);

        let dir = tempfile::tempdir().unwrap();
        let (c, _) = service(&dir, MemoryStore { locked: true, ..Default::default() }, &[]);
        let err = c.save_set(new_set("work", "AKIA1", "s")).await.unwrap_err();
        assert_eq!(err.code, "credentials.keyring_locked");
        assert!(err.message.contains("Unlock it"), "{}", err.message);
        c.choose(CredentialChoice::StoredSet { name: "work".into() }).unwrap();
        let status = c.status().await.unwrap();
        assert_eq!(status.error.unwrap().code, "credentials.keyring_locked");
        assert_eq!(status.sets_error.unwrap().code, "credentials.keyring_locked");

        let err = c.save_set(new_set("bad name", "AKIA1", "s")).await.unwrap_err();
        assert_eq!(err.code, "credentials.invalid_name");
        let err = c.save_set(new_set("ok", "AKIA1", " ")).await.unwrap_err();
        assert_eq!(err.code, "credentials.invalid");
        assert_eq!(c.choose(CredentialChoice::Profile { name: " ".into() }).unwrap_err().code, "credentials.invalid_profile");
    }

    #[tokio::test]
    async fn environment_and_endpoint_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let (c, _) = service(&dir, MemoryStore::default(), &[("AWS_ACCESS_KEY_ID", "AKIAENV"), ("AWS_SECRET_ACCESS_KEY", "x")]);
        assert_eq!(c.set_endpoint(Some(" http://127.0.0.1:5000/ ".into())).unwrap().as_deref(), Some("http://127.0.0.1:5000"));
        let status = c.status().await.unwrap();
        assert_eq!(status.source.unwrap().kind, SourceKind::Environment);
        assert_eq!(status.endpoint.as_deref(), Some("http://127.0.0.1:5000"));
        assert_eq!(c.set_endpoint(Some("localhost:5000".into())).unwrap_err().code, "cloud.invalid_endpoint");
        assert_eq!(c.set_endpoint(None).unwrap(), None);
        assert_eq!(c.settings().unwrap().ec2_endpoint, None);
    }

    #[test]
    fn settings_without_a_choice_still_load_and_the_choice_round_trips() {
        let old: Settings = serde_json::from_str(r#"{"recentRepositories": ["/a"], "ec2Endpoint": null}"#).unwrap();
        assert_eq!(old.credential_choice(), CredentialChoice::Automatic);
        assert!(!serde_json::to_string(&old).unwrap().contains("credentials"), "not written until picked");
        let mut s = old;
        s.credentials = Some(CredentialChoice::StoredSet { name: "work".into() });
        let text = serde_json::to_string(&s).unwrap();
        assert!(text.contains(r#""credentials":{"kind":"storedSet","name":"work"}"#), "{text}");
        assert_eq!(serde_json::from_str::<Settings>(&text).unwrap(), s);
    }

    #[tokio::test]
    async fn profiles_are_read_from_both_files() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        let credentials = dir.path().join("credentials");
        std::fs::write(&config, "[default]\nregion=us-east-1\n[profile dev]\nsso_session = corp\n[sso-session corp]\nsso_start_url = https://x.awsapps.com/start\nsso_region = us-east-1\n").unwrap();
        std::fs::write(&credentials, "[prod]\naws_access_key_id=x\naws_secret_access_key=y\n[default]\n").unwrap();
        let (c, _) = service(&dir, MemoryStore::default(), &[]);
        let c = c.with_profile_paths(vec![config, credentials]);
        let profiles = c.profiles().await;
        let names: Vec<&str> = profiles.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["default", "dev", "prod"]);
        assert!(profiles[1].sso.is_some());
    }
}
