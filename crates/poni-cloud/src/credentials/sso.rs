//! AWS profiles as the settings screen lists them, and signing in to an SSO (IAM Identity
//! Center) profile with the OAuth device authorization flow, the way `aws sso login` does:
//! register a client, start a device authorization, let the person approve it in the browser,
//! poll for the token, and write it to the standard `~/.aws/sso/cache/<sha1>.json`, where the
//! AWS command line and the SDKs (aws-config, used for the profile's credentials) find it.
//!
//! Endpoints: `AWS_ENDPOINT_URL_SSO_OIDC`, else `AWS_ENDPOINT_URL`, else AWS's own, as the SDKs
//! read them. The tokens, client secret and device code are never logged or shown.

use poni_repo::ErrorCode;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use aws_config::profile::ProfileSet;
use aws_runtime::env_config::file::EnvConfigFiles as ProfileFiles;
use aws_sdk_ec2::config::SharedHttpClient;
use aws_sdk_ssooidc::error::ProvideErrorMetadata;
use aws_smithy_types::date_time::Format;
use aws_smithy_types::DateTime;
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use sha1::{Digest, Sha1};
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use super::files::{read_user_file, AwsFiles, FileProblem, MAX_TOKEN_FILE_BYTES};
use super::EnvVars;
use crate::error::Coded;

const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
const CLIENT_NAME: &str = "poni-desktop";
const DEFAULT_SCOPE: &str = "sso:account:access";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ProfileKind {
    /// Access keys in the files.
    Keys,
    Sso,
    /// Assumes a role from another profile.
    Role,
    /// Runs a `credential_process`.
    Process,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "state", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum SsoTokenState {
    Valid { expires_at: String },
    Expired,
    Missing,
}

/// An SSO profile's settings (from the profile, or its `[sso-session]`) and its token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct SsoProfile {
    pub start_url: String,
    /// The `sso-session` name; None for the older style with `sso_start_url` in the profile.
    pub session: Option<String>,
    pub account_id: Option<String>,
    pub role_name: Option<String>,
    pub token: SsoTokenState,
    /// Where the portal and OIDC live (`sso_region`).
    #[serde(skip)]
    pub sso_region: String,
    #[serde(skip)]
    pub scopes: Vec<String>,
}

impl SsoProfile {
    /// The token cache's key: the session name, else (older style) the start URL.
    fn cache_key(&self) -> &str {
        self.session.as_deref().unwrap_or(&self.start_url)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ProfileInfo {
    pub name: String,
    pub kind: ProfileKind,
    pub region: Option<String>,
    pub sso: Option<SsoProfile>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SsoError {
    #[error("The AWS profile '{0}' does not use SSO (IAM Identity Center): it has no sso_session or sso_start_url.")]
    NotSso(String),
    #[error("There is no AWS profile '{0}' in ~/.aws/config.")]
    NoProfile(String),
    #[error("The SSO settings of profile '{profile}' are incomplete: {missing} is not set.")]
    Incomplete { profile: String, missing: &'static str },
    #[error("The sign-in for '{0}' was declined in the browser.")]
    Denied(String),
    #[error("The sign-in for '{0}' was not approved in time. Start it again.")]
    TimedOut(String),
    #[error("The sign-in was cancelled.")]
    Cancelled,
    #[error("The AWS config files could not be read: {0}")]
    Config(String),
    #[error("Signing in to SSO failed: {0}")]
    Failed(String),
    #[error("The SSO token could not be saved in {path}: {detail}")]
    Cache { path: String, detail: String },
}

impl Coded for SsoError {
    fn code(&self) -> ErrorCode {
        match self {
            SsoError::NotSso(_) => ErrorCode::SsoNotSsoProfile,
            SsoError::NoProfile(_) => ErrorCode::CredentialsProfileNotFound,
            SsoError::Incomplete { .. } => ErrorCode::SsoIncompleteProfile,
            SsoError::Denied(_) => ErrorCode::SsoDenied,
            SsoError::TimedOut(_) => ErrorCode::SsoTimedOut,
            SsoError::Cancelled => ErrorCode::SsoCancelled,
            SsoError::Config(_) => ErrorCode::SsoConfigUnreadable,
            SsoError::Failed(_) => ErrorCode::SsoFailed,
            SsoError::Cache { .. } => ErrorCode::SsoCacheUnwritable,
        }
    }
}

/// `~/.aws/sso/cache`.
pub fn sso_cache_dir(home: &Path) -> PathBuf {
    home.join(".aws").join("sso").join("cache")
}

fn cache_file(home: &Path, key: &str) -> PathBuf {
    let digest = Sha1::digest(key.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    sso_cache_dir(home).join(format!("{hex}.json"))
}

/// Reads the AWS config and credentials files: by default from their usual places
/// (`AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE`), each checked before it is read (see
/// [`AwsFiles`]); files given are read by the SDK as they are.
pub async fn load_profiles(files: Option<&ProfileFiles>) -> Result<ProfileSet, SsoError> {
    let Some(files) = files else { return load_aws_files(&AwsFiles::from_process()).await };
    let fs = aws_types::os_shim_internal::Fs::real();
    let env = aws_types::os_shim_internal::Env::real();
    aws_config::profile::load(&fs, &env, files, None).await.map_err(|e| SsoError::Config(crate::error::one_line(&e)))
}

/// Reads the AWS files at these places, each checked first: a FIFO, a device, a huge or a
/// damaged file is refused, naming the file.
pub async fn load_aws_files(files: &AwsFiles) -> Result<ProfileSet, SsoError> {
    files.load().await.map(|loaded| loaded.set).map_err(|e| SsoError::Config(e.to_string()))
}

/// Every profile of the files, sorted by name, with its kind and (for SSO) its token state.
pub fn profile_infos(set: &ProfileSet, home: Option<&Path>, now: SystemTime) -> Vec<ProfileInfo> {
    let mut names: Vec<&str> = set.profiles().collect();
    names.sort();
    names
        .into_iter()
        .filter_map(|name| {
            let p = set.get_profile(name)?;
            let sso = sso_profile(set, name).ok();
            let kind = if sso.is_some() || p.get("sso_start_url").is_some() || p.get("sso_session").is_some() {
                ProfileKind::Sso
            } else if p.get("role_arn").is_some() {
                ProfileKind::Role
            } else if p.get("credential_process").is_some() {
                ProfileKind::Process
            } else if p.get("aws_access_key_id").is_some() {
                ProfileKind::Keys
            } else {
                ProfileKind::Other
            };
            let sso = sso.map(|mut s| {
                s.token = home.map_or(SsoTokenState::Missing, |h| token_state(h, &s, now));
                s
            });
            Some(ProfileInfo { name: name.to_owned(), kind, region: p.get("region").map(str::to_owned), sso })
        })
        .collect()
}

/// A profile's SSO settings, from its `[sso-session]` or (older style) the profile itself.
pub fn sso_profile(set: &ProfileSet, name: &str) -> Result<SsoProfile, SsoError> {
    let p = set.get_profile(name).ok_or_else(|| SsoError::NoProfile(name.to_owned()))?;
    let incomplete = |missing| SsoError::Incomplete { profile: name.to_owned(), missing };
    let (start_url, sso_region, session, scopes) = if let Some(session) = p.get("sso_session") {
        let s = set.sso_session(session).ok_or(incomplete("the [sso-session] section it names"))?;
        let scopes = s.get("sso_registration_scopes").map(|v| v.split(',').map(|x| x.trim().to_owned()).filter(|x| !x.is_empty()).collect());
        (
            s.get("sso_start_url").ok_or(incomplete("sso_start_url"))?.to_owned(),
            s.get("sso_region").ok_or(incomplete("sso_region"))?.to_owned(),
            Some(session.to_owned()),
            scopes.unwrap_or_else(|| vec![DEFAULT_SCOPE.to_owned()]),
        )
    } else if let Some(url) = p.get("sso_start_url") {
        (url.to_owned(), p.get("sso_region").ok_or(incomplete("sso_region"))?.to_owned(), None, Vec::new())
    } else {
        return Err(SsoError::NotSso(name.to_owned()));
    };
    Ok(SsoProfile {
        start_url,
        session,
        account_id: p.get("sso_account_id").map(str::to_owned),
        role_name: p.get("sso_role_name").map(str::to_owned),
        token: SsoTokenState::Missing,
        sso_region,
        scopes,
    })
}

/// Whether the cache holds a token for the profile, and until when. A token that ends within
/// a minute counts as expired: a launch started with it would fail half-way. A cache file
/// that cannot be used counts as no token ([`read_token_state`] says what is wrong with it).
pub fn token_state(home: &Path, sso: &SsoProfile, now: SystemTime) -> SsoTokenState {
    read_token_state(home, sso, now).unwrap_or(SsoTokenState::Missing)
}

/// [`token_state`], or what is wrong with the cache file: not a plain file (a FIFO is never
/// opened), too large, cut short or edited. Nothing of the file's contents is repeated.
pub fn read_token_state(home: &Path, sso: &SsoProfile, now: SystemTime) -> Result<SsoTokenState, FileProblem> {
    let path = cache_file(home, sso.cache_key());
    let Some(text) = read_user_file(&path, MAX_TOKEN_FILE_BYTES)? else { return Ok(SsoTokenState::Missing) };
    let damaged = |what: String| {
        FileProblem {
        path: path.clone(),
        problem: format!("{what}, so it is not an SSO token cache file as the AWS tools write it (cut short or edited?): sign in again (`poni sso login`), which replaces it"),
    }
    };
    let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| damaged(format!("is not valid JSON ({e})")))?;
    let expires = json.get("expiresAt").and_then(|v| v.as_str()).and_then(|s| DateTime::from_str(s, Format::DateTime).ok());
    let Some(at) = expires.and_then(|d| SystemTime::try_from(d).ok()) else {
        return Err(damaged("has no valid expiresAt time".into()));
    };
    if !json.get("accessToken").is_some_and(|t| t.is_string()) {
        return Err(damaged("has no accessToken".into()));
    }
    Ok(match at > now + Duration::from_secs(60) {
        true => SsoTokenState::Valid { expires_at: DateTime::from(at).fmt(Format::DateTime).unwrap_or_default() },
        false => SsoTokenState::Expired,
    })
}

/// A device authorization waiting for the person to approve it in the browser.
pub struct DeviceLogin {
    pub profile: String,
    pub user_code: String,
    pub verification_uri: String,
    pub verification_uri_complete: Option<String>,
    pub expires_at: SystemTime,
    interval: Duration,
    device_code: SecretString,
    client_id: String,
    client_secret: SecretString,
    registration_expires_at: Option<SystemTime>,
    sso: SsoProfile,
    client: aws_sdk_ssooidc::Client,
}

impl std::fmt::Debug for DeviceLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceLogin").field("profile", &self.profile).field("user_code", &self.user_code).finish_non_exhaustive()
    }
}

fn oidc_client(region: &str, http: SharedHttpClient, env: &EnvVars) -> aws_sdk_ssooidc::Client {
    use aws_sdk_ssooidc::config::{BehaviorVersion, Region};
    let mut config = aws_sdk_ssooidc::Config::builder().behavior_version(BehaviorVersion::latest()).region(Region::new(region.to_owned())).http_client(http);
    if let Some(url) = env.get("AWS_ENDPOINT_URL_SSO_OIDC").or_else(|| env.get("AWS_ENDPOINT_URL")) {
        config = config.endpoint_url(url);
    }
    aws_sdk_ssooidc::Client::from_conf(config.build())
}

fn failed<E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static>(
    e: &aws_sdk_ssooidc::error::SdkError<E, aws_sdk_ssooidc::config::http::HttpResponse>,
) -> SsoError {
    let detail = match e.code() {
        Some(code) => format!("{code}: {}", e.message().unwrap_or("no details")),
        None => crate::error::one_line(e),
    };
    SsoError::Failed(detail)
}

fn after(seconds: i32) -> SystemTime {
    SystemTime::now() + Duration::from_secs(seconds.max(0) as u64)
}

/// Registers a client and starts a device authorization for the profile's start URL.
pub async fn start_login(set: &ProfileSet, profile: &str, http: SharedHttpClient, env: &EnvVars) -> Result<DeviceLogin, SsoError> {
    let sso = sso_profile(set, profile)?;
    let client = oidc_client(&sso.sso_region, http, env);
    let mut register = client.register_client().client_name(CLIENT_NAME).client_type("public");
    if sso.session.is_some() {
        // Scopes (and so refresh tokens) belong to sso-session profiles only.
        register = register.set_scopes(Some(sso.scopes.clone()));
    }
    let registered = register.send().await.map_err(|e| failed(&e))?;
    let client_id = registered.client_id().unwrap_or_default().to_owned();
    let client_secret = SecretString::from(registered.client_secret().unwrap_or_default().to_owned());
    let registration_expires_at =
        (registered.client_secret_expires_at() > 0).then(|| SystemTime::UNIX_EPOCH + Duration::from_secs(registered.client_secret_expires_at() as u64));
    let started = client
        .start_device_authorization()
        .client_id(&client_id)
        .client_secret(client_secret.expose_secret())
        .start_url(&sso.start_url)
        .send()
        .await
        .map_err(|e| failed(&e))?;
    Ok(DeviceLogin {
        profile: profile.to_owned(),
        user_code: started.user_code().unwrap_or_default().to_owned(),
        verification_uri: started.verification_uri().unwrap_or_default().to_owned(),
        verification_uri_complete: started.verification_uri_complete().map(str::to_owned),
        expires_at: after(started.expires_in()),
        interval: Duration::from_secs(started.interval().clamp(1, 60) as u64),
        device_code: SecretString::from(started.device_code().unwrap_or_default().to_owned()),
        client_id,
        client_secret,
        registration_expires_at,
        sso,
        client,
    })
}

impl DeviceLogin {
    /// Polls until the person approves (or declines) in the browser, the code expires, or
    /// `cancel` fires; then saves the token where the AWS tools look. Returns its expiry.
    pub async fn finish(self, home: &Path, cancel: CancellationToken) -> Result<SystemTime, SsoError> {
        let mut interval = self.interval;
        loop {
            if SystemTime::now() > self.expires_at {
                return Err(SsoError::TimedOut(self.profile.clone()));
            }
            tokio::select! {
                _ = cancel.cancelled() => return Err(SsoError::Cancelled),
                _ = tokio::time::sleep(interval) => {}
            }
            let answer = self
                .client
                .create_token()
                .client_id(&self.client_id)
                .client_secret(self.client_secret.expose_secret())
                .grant_type(DEVICE_GRANT)
                .device_code(self.device_code.expose_secret())
                .send()
                .await;
            let token = match answer {
                Ok(token) => token,
                Err(e) => match e.code() {
                    Some("AuthorizationPendingException") => continue,
                    Some("SlowDownException") => {
                        interval += Duration::from_secs(5);
                        continue;
                    }
                    Some("AccessDeniedException") => return Err(SsoError::Denied(self.profile.clone())),
                    Some("ExpiredTokenException") => return Err(SsoError::TimedOut(self.profile.clone())),
                    _ => return Err(failed(&e)),
                },
            };
            let expires_at = after(token.expires_in());
            self.save(home, token.access_token().unwrap_or_default(), token.refresh_token(), expires_at)?;
            tracing::info!(profile = %self.profile, "signed in to SSO");
            return Ok(expires_at);
        }
    }

    fn save(&self, home: &Path, access_token: &str, refresh_token: Option<&str>, expires_at: SystemTime) -> Result<(), SsoError> {
        let path = cache_file(home, self.sso.cache_key());
        let fmt = |t: SystemTime| DateTime::from(t).fmt(Format::DateTime).unwrap_or_default();
        let mut doc: HashMap<&str, String> = HashMap::from([
            ("accessToken", access_token.to_owned()),
            ("expiresAt", fmt(expires_at)),
            ("region", self.sso.sso_region.clone()),
            ("startUrl", self.sso.start_url.clone()),
        ]);
        // The client and refresh token let the SDKs renew an sso-session token by themselves.
        if self.sso.session.is_some() {
            doc.insert("clientId", self.client_id.clone());
            doc.insert("clientSecret", self.client_secret.expose_secret().to_owned());
            if let Some(at) = self.registration_expires_at {
                doc.insert("registrationExpiresAt", fmt(at));
            }
            if let Some(refresh) = refresh_token {
                doc.insert("refreshToken", refresh.to_owned());
            }
        }
        let text = serde_json::to_string_pretty(&doc).map_err(|e| SsoError::Failed(e.to_string()))?;
        write_private(&path, text.as_bytes()).map_err(|e| SsoError::Cache { path: path.display().to_string(), detail: e.to_string() })
    }
}

/// Writes a file readable by its owner only, replacing it atomically.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().expect("cache files live in a folder");
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file().set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_runtime::env_config::file::EnvConfigFileKind;

    async fn profiles(config: &str) -> (tempfile::TempDir, ProfileSet) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        std::fs::write(&path, config).unwrap();
        let files = ProfileFiles::builder().with_file(EnvConfigFileKind::Config, &path).build();
        let set = load_profiles(Some(&files)).await.unwrap();
        (dir, set)
    }

    const CONFIG: &str = "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n\n[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Admin\nregion = eu-central-1\n\n[profile legacy]\nsso_start_url = https://old.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = 1\nsso_role_name = R\n\n[profile keys]\naws_access_key_id = AKIAX\naws_secret_access_key = s\n\n[profile assume]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = keys\n\n[profile broken]\nsso_session = nowhere\n";

    #[tokio::test]
    async fn profiles_are_listed_with_their_kind_and_token() {
        let (dir, set) = profiles(CONFIG).await;
        let now = SystemTime::now();
        let infos = profile_infos(&set, Some(dir.path()), now);
        let kinds: Vec<(&str, ProfileKind)> = infos.iter().map(|p| (p.name.as_str(), p.kind)).collect();
        assert_eq!(
            kinds,
            [("assume", ProfileKind::Role), ("broken", ProfileKind::Sso), ("dev", ProfileKind::Sso), ("keys", ProfileKind::Keys), ("legacy", ProfileKind::Sso)]
        );
        let dev = infos.iter().find(|p| p.name == "dev").unwrap();
        assert_eq!(dev.region.as_deref(), Some("eu-central-1"));
        let sso = dev.sso.as_ref().unwrap();
        assert_eq!(
            (sso.start_url.as_str(), sso.session.as_deref(), sso.token.clone()),
            ("https://corp.awsapps.com/start", Some("corp"), SsoTokenState::Missing)
        );
        assert!(matches!(sso_profile(&set, "broken"), Err(SsoError::Incomplete { .. })));
        assert_eq!(sso_profile(&set, "keys").unwrap_err().code(), "sso.not_sso_profile");
    }

    #[tokio::test]
    async fn the_token_cache_is_read_as_the_aws_cli_writes_it() {
        let (dir, set) = profiles(CONFIG).await;
        let dev = sso_profile(&set, "dev").unwrap();
        let legacy = sso_profile(&set, "legacy").unwrap();
        // The AWS CLI names the file by the SHA-1 of the session name (older style: of the start URL).
        let path = cache_file(dir.path(), "corp");
        assert!(path.ends_with(".aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json"), "{}", path.display());
        let now = SystemTime::now();
        let write = |key: &str, expires: SystemTime| {
            let at = DateTime::from(expires).fmt(Format::DateTime).unwrap();
            write_private(&cache_file(dir.path(), key), format!(r#"{{"accessToken":"t","expiresAt":"{at}"}}"#).as_bytes()).unwrap();
        };
        write("corp", now + Duration::from_secs(3600));
        assert!(matches!(token_state(dir.path(), &dev, now), SsoTokenState::Valid { .. }));
        write("corp", now + Duration::from_secs(30));
        assert_eq!(token_state(dir.path(), &dev, now), SsoTokenState::Expired);
        assert_eq!(token_state(dir.path(), &legacy, now), SsoTokenState::Missing);
        write("https://old.awsapps.com/start", now + Duration::from_secs(3600));
        assert!(matches!(token_state(dir.path(), &legacy, now), SsoTokenState::Valid { .. }));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(cache_file(dir.path(), "corp")).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn a_token_cache_that_is_a_fifo_or_damaged_is_named_never_waited_on() {
        let (dir, set) = profiles(CONFIG).await;
        let dev = sso_profile(&set, "dev").unwrap();
        let path = cache_file(dir.path(), "corp");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        assert!(std::process::Command::new("mkfifo").arg(&path).status().unwrap().success());
        let (home, profile) = (dir.path().to_path_buf(), dev.clone());
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || tx.send((read_token_state(&home, &profile, SystemTime::now()), token_state(&home, &profile, SystemTime::now()))));
        let (read, state) = rx.recv_timeout(Duration::from_secs(10)).expect("the FIFO was opened");
        assert_eq!(
            read.unwrap_err().to_string(),
            format!("{}: is a FIFO (named pipe), not a plain file, so it was not opened: replace it with a plain file, or remove it", path.display())
        );
        assert_eq!(state, SsoTokenState::Missing);

        std::fs::remove_file(&path).unwrap();
        let now = SystemTime::now();
        let at = DateTime::from(now + Duration::from_secs(3600)).fmt(Format::DateTime).unwrap();
        let whole = format!(r#"{{"accessToken":"very-secret-token","expiresAt":"{at}"}}"#);
        for (text, problem) in [
            (whole[..30].to_owned(), "is not valid JSON (EOF while parsing"),
            (r#"{"accessToken":"very-secret-token","expiresAt":"tomorrow"}"#.to_owned(), "has no valid expiresAt time"),
            (whole.replace("accessToken", "accesToken"), "has no accessToken"),
        ] {
            std::fs::write(&path, &text).unwrap();
            let err = read_token_state(dir.path(), &dev, now).unwrap_err().to_string();
            assert!(err.starts_with(&format!("{}: {problem}", path.display())), "{err}");
            assert!(err.ends_with("sign in again (`poni sso login`), which replaces it"), "{err}");
            assert!(!err.contains("very-secret-token") && err.lines().count() == 1, "{err}");
        }
    }
}
