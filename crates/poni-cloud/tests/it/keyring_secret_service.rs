//! Stores and reads back credential sets through the real Secret Service (GNOME Keyring).
//! Run inside a D-Bus session with an unlocked keyring, as the project's test script does:
//!   dbus-run-session -- sh -c 'echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null; cargo test -p poni-cloud --test it keyring_secret_service::'
//! (with a fresh HOME). Without a session bus the test says so and passes without checking.

use std::process::Command;
use std::sync::Arc;

use poni_cloud::credentials::{AwsKeys, CredentialChoice, CredentialKind, CredentialResolver, CredentialSets, EnvVars, KeyringStore, SecretStore};
use secrecy::{ExposeSecret, SecretString};

fn session_bus() -> bool {
    std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some_and(|v| !v.is_empty())
}

#[tokio::test]
async fn credential_sets_round_trip_through_the_secret_service() {
    if !session_bus() {
        eprintln!(
            "SKIPPED keyring_secret_service: no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS unset). \
             Run it under dbus-run-session with gnome-keyring-daemon unlocked, as .ci/run does."
        );
        return;
    }
    // A service name of its own, so a developer's real sets are never touched.
    let service = format!("poni-desktop-test-{}", std::process::id());
    let sets = CredentialSets::new(Arc::new(KeyringStore::with_service(&service)));

    let keys = AwsKeys::new("AKIAKEYRINGTEST", SecretString::from("keyring-secret-value"), Some(SecretString::from("keyring-session-token"))).unwrap();
    sets.set("default", &keys).expect("store in the Secret Service");
    sets.set("work", &AwsKeys::new("AKIAWORK", SecretString::from("w"), None).unwrap()).unwrap();
    assert_eq!(sets.list().unwrap(), ["default", "work"]);

    // A new handle reads what the first stored: it lives in the keyring, not in this process.
    let fresh = CredentialSets::new(Arc::new(KeyringStore::with_service(&service)));
    let back = fresh.get("default").unwrap().expect("the stored set");
    assert_eq!(back.access_key_id, "AKIAKEYRINGTEST");
    assert_eq!(back.secret_access_key.expose_secret(), "keyring-secret-value");
    assert_eq!(back.session_token.as_ref().map(|t| t.expose_secret()), Some("keyring-session-token"));

    // Another Secret Service client (libsecret's secret-tool) sees the entry too.
    if let Ok(out) = Command::new("secret-tool").args(["lookup", "service", &service, "username", "default"]).output() {
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("AKIAKEYRINGTEST"), "secret-tool found no entry: {}", String::from_utf8_lossy(&out.stderr));
    }

    // The automatic order picks the stored `default` set when no variables or profile apply.
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    std::fs::write(&empty, "").unwrap();
    let files = aws_runtime::env_config::file::EnvConfigFiles::builder()
        .with_file(aws_runtime::env_config::file::EnvConfigFileKind::Config, &empty)
        .with_file(aws_runtime::env_config::file::EnvConfigFileKind::Credentials, &empty)
        .build();
    let resolver = CredentialResolver::new(EnvVars::from_pairs([]), fresh.clone()).with_profile_files(files);
    let resolved = resolver.resolve(&CredentialChoice::Automatic).await.unwrap();
    assert_eq!(resolved.source.kind, CredentialKind::StoredSet);
    assert_eq!(resolved.source.access_key_id, "AKIAKEYRINGTEST");

    // Replace, delete, and leave nothing behind.
    sets.set("work", &AwsKeys::new("AKIAWORK2", SecretString::from("w2"), None).unwrap()).unwrap();
    assert_eq!(fresh.get("work").unwrap().unwrap().access_key_id, "AKIAWORK2");
    assert!(sets.delete("work").unwrap());
    assert!(sets.delete("default").unwrap());
    assert!(!sets.delete("default").unwrap());
    assert!(fresh.get("default").unwrap().is_none());
    assert!(fresh.list().unwrap().is_empty());
    // The index entry of the set names goes too.
    KeyringStore::with_service(&service).remove(".sets").unwrap();
}
