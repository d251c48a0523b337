use std::sync::Arc;
use std::time::Instant;

use super::*;
use crate::credentials::store::memory::MemoryStore;
use crate::error::Coded;

struct Fixture {
    _dir: tempfile::TempDir,
    files: AwsFiles,
}

/// Shared AWS files holding the given credentials-file text (config file empty).
fn profiles(credentials: &str) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let creds = dir.path().join("credentials");
    let config = dir.path().join("config");
    std::fs::write(&creds, credentials).unwrap();
    std::fs::write(&config, "").unwrap();
    Fixture { files: AwsFiles { config: Some(config), credentials: Some(creds) }, _dir: dir }
}

const DEFAULT_PROFILE_FILE: &str = "[default]\naws_access_key_id = AKIAPROFILEDEFAULT\naws_secret_access_key = p1\n\n[work]\naws_access_key_id = AKIAPROFILEWORK\naws_secret_access_key = p2\n";

fn stored(with_default: bool) -> CredentialSets {
    let sets = CredentialSets::new(Arc::new(MemoryStore::default()));
    if with_default {
        sets.set("default", &AwsKeys::new("AKIASTOREDDEFAULT", SecretString::from("s"), None).unwrap()).unwrap();
    }
    sets.set("other", &AwsKeys::new("AKIASTOREDOTHER", SecretString::from("s"), None).unwrap()).unwrap();
    sets
}

fn locked() -> CredentialSets {
    CredentialSets::new(Arc::new(MemoryStore { locked: true, ..Default::default() }))
}

fn resolver(env: &[(&str, &str)], sets: CredentialSets, fixture: &Fixture) -> CredentialResolver {
    CredentialResolver::new(EnvVars::from_pairs(env.iter().copied()), sets).with_aws_files(fixture.files.clone())
}

const ENV_KEYS: &[(&str, &str)] = &[("AWS_ACCESS_KEY_ID", "AKIAENV"), ("AWS_SECRET_ACCESS_KEY", "e")];

async fn source(r: &CredentialResolver, choice: CredentialChoice) -> CredentialSource {
    r.resolve(&choice).await.unwrap().source
}

#[tokio::test]
async fn environment_variables_come_first() {
    let f = profiles(DEFAULT_PROFILE_FILE);
    let mut env = ENV_KEYS.to_vec();
    env.push(("AWS_PROFILE", "work"));
    let s = source(&resolver(&env, stored(true), &f), CredentialChoice::Automatic).await;
    assert_eq!((s.kind, s.access_key_id.as_str(), s.chosen_explicitly), (CredentialKind::Environment, "AKIAENV", false));
}

#[tokio::test]
async fn aws_profile_comes_before_the_stored_default_set() {
    let f = profiles(DEFAULT_PROFILE_FILE);
    let s = source(&resolver(&[("AWS_PROFILE", "work")], stored(true), &f), CredentialChoice::Automatic).await;
    assert_eq!((s.kind, s.name.as_str(), s.access_key_id.as_str()), (CredentialKind::Profile, "work", "AKIAPROFILEWORK"));
}

#[tokio::test]
async fn stored_default_set_comes_before_the_default_profile() {
    let f = profiles(DEFAULT_PROFILE_FILE);
    let s = source(&resolver(&[], stored(true), &f), CredentialChoice::Automatic).await;
    assert_eq!((s.kind, s.name.as_str(), s.access_key_id.as_str()), (CredentialKind::StoredSet, "default", "AKIASTOREDDEFAULT"));
}

#[tokio::test]
async fn default_profile_is_the_last_resort() {
    let f = profiles(DEFAULT_PROFILE_FILE);
    let s = source(&resolver(&[], stored(false), &f), CredentialChoice::Automatic).await;
    assert_eq!((s.kind, s.name.as_str()), (CredentialKind::Profile, "default"));
    // A locked keyring does not hide the profile.
    let s = source(&resolver(&[], locked(), &f), CredentialChoice::Automatic).await;
    assert_eq!(s.kind, CredentialKind::Profile);
}

#[tokio::test]
async fn nothing_found_fails_fast_with_what_to_do() {
    let f = profiles("");
    let started = Instant::now();
    let err = resolver(&[], stored(false), &f).resolve(&CredentialChoice::Automatic).await.unwrap_err();
    // Well under any instance-metadata time-out: that service is never asked.
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    assert_eq!(err.code(), "credentials.missing");
    assert!(err.to_string().starts_with("No AWS credentials found: store a credential set (poni credentials set), or export AWS_ACCESS_KEY_ID"));

    let err = resolver(&[], locked(), &f).resolve(&CredentialChoice::Automatic).await.unwrap_err();
    assert_eq!(err.code(), "credentials.missing");
    assert!(err.to_string().contains("The keyring could not be read: The system keyring is locked"), "{err}");
}

#[tokio::test]
async fn an_explicit_choice_is_the_only_source_tried() {
    let f = profiles(DEFAULT_PROFILE_FILE);
    let r = resolver(ENV_KEYS, stored(true), &f);
    let s = source(&r, CredentialChoice::StoredSet("other".into())).await;
    assert_eq!((s.access_key_id.as_str(), s.chosen_explicitly), ("AKIASTOREDOTHER", true));
    let s = source(&r, CredentialChoice::Profile("work".into())).await;
    assert_eq!(s.access_key_id, "AKIAPROFILEWORK");

    let err = r.resolve(&CredentialChoice::StoredSet("gone".into())).await.unwrap_err();
    assert_eq!(err.code(), "credentials.not_found");
    let err = r.resolve(&CredentialChoice::Profile("nope".into())).await.unwrap_err();
    assert_eq!(err.code(), "credentials.profile_not_found");
    let err = resolver(&[], stored(true), &f).resolve(&CredentialChoice::Environment).await.unwrap_err();
    assert_eq!(err.code(), "credentials.missing");
    let err = resolver(&[], locked(), &f).resolve(&CredentialChoice::StoredSet("default".into())).await.unwrap_err();
    assert_eq!(err.code(), "credentials.keyring_locked");
}

#[tokio::test]
async fn half_set_environment_is_an_error_not_a_fallthrough() {
    let f = profiles(DEFAULT_PROFILE_FILE);
    let err = resolver(&[("AWS_ACCESS_KEY_ID", "AKIA")], stored(true), &f).resolve(&CredentialChoice::Automatic).await.unwrap_err();
    assert_eq!(err.code(), "credentials.incomplete_environment");
    assert!(err.to_string().starts_with("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"));
}

#[tokio::test]
async fn an_unknown_aws_profile_is_reported() {
    let f = profiles(DEFAULT_PROFILE_FILE);
    let err = resolver(&[("AWS_PROFILE", "missing")], stored(true), &f).resolve(&CredentialChoice::Automatic).await.unwrap_err();
    assert_eq!(err.code(), "credentials.profile_not_found");
}

#[tokio::test]
async fn resolved_credentials_never_show_the_secret() {
    let f = profiles("");
    let r = resolver(&[("AWS_ACCESS_KEY_ID", "AKIAENV"), ("AWS_SECRET_ACCESS_KEY", "topsecretvalue")], stored(false), &f);
    let resolved = r.resolve(&CredentialChoice::Automatic).await.unwrap();
    let shown = format!("{resolved:?} {} {r:?}", resolved.source);
    assert!(!shown.contains("topsecretvalue"), "{shown}");
    assert_eq!(resolved.source.to_string(), "environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (access key AKIAENV)");
}

#[test]
fn choice_serializes_for_settings() {
    let json = serde_json::to_string(&CredentialChoice::StoredSet("work".into())).unwrap();
    assert_eq!(json, r#"{"kind":"stored_set","name":"work"}"#);
    let back: CredentialChoice = serde_json::from_str(r#"{"kind":"automatic"}"#).unwrap();
    assert_eq!(back, CredentialChoice::Automatic);
}

/// Resolves on a thread of its own: a file opened that blocks (a FIFO) fails the test instead
/// of hanging it.
#[cfg(unix)]
fn resolve_within_seconds(r: CredentialResolver, choice: CredentialChoice) -> Result<ResolvedCredentials, CredentialsError> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let _ = tx.send(runtime.block_on(r.resolve(&choice)));
    });
    rx.recv_timeout(std::time::Duration::from_secs(20)).expect("resolving blocked on a file")
}

#[cfg(unix)]
#[test]
fn a_fifo_as_an_aws_file_is_refused_not_waited_on() {
    for (file, env) in [("config", &[("AWS_PROFILE", "work")][..]), ("credentials", &[][..])] {
        let f = profiles(DEFAULT_PROFILE_FILE);
        let path = if file == "config" { f.files.config.clone() } else { f.files.credentials.clone() }.unwrap();
        std::fs::remove_file(&path).unwrap();
        assert!(std::process::Command::new("mkfifo").arg(&path).status().unwrap().success());
        let err = resolve_within_seconds(resolver(env, stored(false), &f), CredentialChoice::Automatic).unwrap_err();
        assert_eq!(err.code(), "credentials.profile_failed");
        assert_eq!(
            err.to_string(),
            format!("{}: is a FIFO (named pipe), not a plain file, so it was not opened: replace it with a plain file, or remove it", path.display())
        );
    }
}

#[cfg(unix)]
#[test]
fn a_link_to_a_plain_file_is_followed_and_a_link_to_a_fifo_is_not() {
    let f = profiles("");
    let real = f._dir.path().join("dotfiles-credentials");
    std::fs::write(&real, DEFAULT_PROFILE_FILE).unwrap();
    let creds = f.files.credentials.clone().unwrap();
    std::fs::remove_file(&creds).unwrap();
    std::os::unix::fs::symlink(&real, &creds).unwrap();
    let s = resolve_within_seconds(resolver(&[("AWS_PROFILE", "work")], stored(false), &f), CredentialChoice::Automatic).unwrap().source;
    assert_eq!(s.access_key_id, "AKIAPROFILEWORK");

    std::fs::remove_file(&real).unwrap();
    assert!(std::process::Command::new("mkfifo").arg(&real).status().unwrap().success());
    let err = resolve_within_seconds(resolver(&[("AWS_PROFILE", "work")], stored(false), &f), CredentialChoice::Automatic).unwrap_err().to_string();
    assert!(err.starts_with(&format!("{}: is a symbolic link to ", creds.display())) && err.contains("which is a FIFO (named pipe)"), "{err}");
}

#[tokio::test]
async fn a_damaged_aws_file_is_named_on_one_line_without_its_secrets() {
    let f = profiles("[work]\naws_access_key_id = AKIAPROFILEWORK\naws_secret_access_key = p2-very-secret\n[default\n");
    let err = resolver(&[("AWS_PROFILE", "work")], stored(false), &f).resolve(&CredentialChoice::Automatic).await.unwrap_err();
    let shown = err.to_string();
    assert_eq!(err.code(), "credentials.profile_failed");
    assert!(
        shown.starts_with(&format!("{}: is not a valid AWS config or credentials file (line 4: ", f.files.credentials.as_ref().unwrap().display())),
        "{shown}"
    );
    assert!(!shown.contains("p2-very-secret") && !shown.contains('\n'), "{shown}");
}

#[tokio::test]
async fn a_profile_that_cannot_give_credentials_says_why_without_debug_output() {
    let f = profiles("[work]\naws_access_key_id = AKIAPROFILEWORK\n");
    let err = resolver(&[("AWS_PROFILE", "work")], stored(false), &f).resolve(&CredentialChoice::Automatic).await.unwrap_err();
    let shown = err.to_string();
    assert_eq!(err.code(), "credentials.profile_failed", "{shown}");
    assert!(shown.starts_with("The AWS profile 'work' could not provide credentials: "), "{shown}");
    let files = format!("{} or {}", f.files.config.as_ref().unwrap().display(), f.files.credentials.as_ref().unwrap().display());
    assert!(shown.ends_with(&format!("profile missing aws_secret_access_key (set up in {files}).")), "{shown}");
    // The SDK's `DisplayErrorContext` would add its debug dump: `(InvalidConfiguration(...))`.
    assert!(!shown.contains("InvalidConfiguration(") && !shown.contains(" { ") && !shown.contains('\n'), "{shown}");
}
