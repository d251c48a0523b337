//! Named credential sets kept in the operating system's secret store (Secret Service on
//! Linux, Keychain on macOS, Credential Manager on Windows) through the `keyring` crate.
//!
//! Layout: service `poni-desktop`, one entry per set with the set's name as the account and the
//! keys as a small JSON document; plus one entry, account `.sets`, listing the set names (the
//! keyring API cannot enumerate entries). Set names may not start with a dot.

use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};

use super::{AwsKeys, CredentialsError};

/// Service name of every entry Poni Desktop keeps in the keyring.
pub const KEYRING_SERVICE: &str = "poni-desktop";
/// The set used when settings name none.
pub const DEFAULT_SET: &str = "default";
const INDEX_ACCOUNT: &str = ".sets";

/// A place secrets are kept under an account name. Calls may block (D-Bus, Keychain prompts):
/// async callers run them on a blocking thread.
pub trait SecretStore: Send + Sync {
    fn read(&self, account: &str) -> Result<Option<SecretString>, CredentialsError>;
    fn write(&self, account: &str, secret: &SecretString) -> Result<(), CredentialsError>;
    /// True when there was something to remove.
    fn remove(&self, account: &str) -> Result<bool, CredentialsError>;
}

/// The operating system's keyring.
#[derive(Debug, Clone)]
pub struct KeyringStore {
    service: String,
}

impl Default for KeyringStore {
    fn default() -> Self {
        KeyringStore { service: KEYRING_SERVICE.to_owned() }
    }
}

impl KeyringStore {
    /// A store under another service name, so tests never touch a user's real sets.
    pub fn with_service(service: impl Into<String>) -> KeyringStore {
        KeyringStore { service: service.into() }
    }

    fn entry(&self, account: &str) -> Result<keyring::Entry, CredentialsError> {
        keyring::Entry::new(&self.service, account).map_err(keyring_error)
    }
}

impl SecretStore for KeyringStore {
    fn read(&self, account: &str) -> Result<Option<SecretString>, CredentialsError> {
        match self.entry(account)?.get_password() {
            Ok(secret) => Ok(Some(SecretString::from(secret))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keyring_error(e)),
        }
    }

    fn write(&self, account: &str, secret: &SecretString) -> Result<(), CredentialsError> {
        self.entry(account)?.set_password(secret.expose_secret()).map_err(keyring_error)
    }

    fn remove(&self, account: &str) -> Result<bool, CredentialsError> {
        match self.entry(account)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(keyring_error(e)),
        }
    }
}

/// Turns keyring failures into messages that say what to do. keyring's own texts name the
/// platform error (e.g. a D-Bus message) and never contain the secret.
fn keyring_error(e: keyring::Error) -> CredentialsError {
    match e {
        keyring::Error::NoStorageAccess(inner) => CredentialsError::KeyringLocked(inner.to_string()),
        keyring::Error::PlatformFailure(inner) => CredentialsError::KeyringUnavailable(inner.to_string()),
        keyring::Error::BadEncoding(_) => CredentialsError::KeyringCorrupt,
        other => CredentialsError::KeyringUnavailable(other.to_string()),
    }
}

/// Named AWS credential sets on top of a [`SecretStore`].
#[derive(Clone)]
pub struct CredentialSets {
    store: Arc<dyn SecretStore>,
}

impl std::fmt::Debug for CredentialSets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CredentialSets")
    }
}

impl CredentialSets {
    pub fn new(store: Arc<dyn SecretStore>) -> CredentialSets {
        CredentialSets { store }
    }

    /// The sets in the operating system's keyring under `poni-desktop`.
    pub fn system() -> CredentialSets {
        CredentialSets::new(Arc::new(KeyringStore::default()))
    }

    /// Names of the stored sets, sorted.
    pub fn list(&self) -> Result<Vec<String>, CredentialsError> {
        let Some(index) = self.store.read(INDEX_ACCOUNT)? else {
            return Ok(Vec::new());
        };
        let mut names: Vec<String> = serde_json::from_str(index.expose_secret()).map_err(|_| CredentialsError::KeyringCorrupt)?;
        names.sort();
        names.dedup();
        Ok(names)
    }

    pub fn get(&self, name: &str) -> Result<Option<AwsKeys>, CredentialsError> {
        check_set_name(name)?;
        match self.store.read(name)? {
            None => Ok(None),
            Some(stored) => AwsKeys::from_stored(&stored).map(Some).ok_or(CredentialsError::KeyringCorrupt),
        }
    }

    /// Stores (or replaces) a set.
    pub fn set(&self, name: &str, keys: &AwsKeys) -> Result<(), CredentialsError> {
        check_set_name(name)?;
        self.store.write(name, &keys.to_stored())?;
        let mut names = self.list()?;
        if !names.iter().any(|n| n == name) {
            names.push(name.to_owned());
            self.write_index(&names)?;
        }
        Ok(())
    }

    /// Removes a set; false when there was none of that name.
    pub fn delete(&self, name: &str) -> Result<bool, CredentialsError> {
        check_set_name(name)?;
        let removed = self.store.remove(name)?;
        let mut names = self.list()?;
        if names.iter().any(|n| n == name) {
            names.retain(|n| n != name);
            self.write_index(&names)?;
        }
        Ok(removed)
    }

    fn write_index(&self, names: &[String]) -> Result<(), CredentialsError> {
        let json = serde_json::to_string(names).expect("strings always serialize");
        self.store.write(INDEX_ACCOUNT, &SecretString::from(json))
    }
}

/// 1 to 64 letters, digits, `.`, `_` or `-`, not starting with a dot (reserved for the index).
pub fn check_set_name(name: &str) -> Result<(), CredentialsError> {
    let ok = !name.is_empty() && name.len() <= 64 && !name.starts_with('.') && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(CredentialsError::InvalidSetName(name.to_owned()))
    }
}

/// An in-memory store for unit tests of the layers above; the real keyring is covered by the
/// Secret Service test in `tests/keyring_secret_service.rs`.
#[cfg(test)]
pub(crate) mod memory {
    use super::*;
    use std::collections::BTreeMap;
    use std::sync::Mutex;

    #[derive(Default)]
    pub(crate) struct MemoryStore {
        pub(crate) entries: Mutex<BTreeMap<String, String>>,
        /// When set, every call fails like a locked keyring.
        pub(crate) locked: bool,
    }

    impl SecretStore for MemoryStore {
        fn read(&self, account: &str) -> Result<Option<SecretString>, CredentialsError> {
            if self.locked {
                return Err(CredentialsError::KeyringLocked("locked collection".into()));
            }
            Ok(self.entries.lock().unwrap().get(account).cloned().map(SecretString::from))
        }
        fn write(&self, account: &str, secret: &SecretString) -> Result<(), CredentialsError> {
            self.entries.lock().unwrap().insert(account.into(), secret.expose_secret().into());
            Ok(())
        }
        fn remove(&self, account: &str) -> Result<bool, CredentialsError> {
            Ok(self.entries.lock().unwrap().remove(account).is_some())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::memory::MemoryStore;
    use super::*;

    fn keys(id: &str) -> AwsKeys {
        AwsKeys::new(id, SecretString::from("secret"), None).unwrap()
    }

    #[test]
    fn sets_are_listed_read_replaced_and_deleted() {
        let sets = CredentialSets::new(Arc::new(MemoryStore::default()));
        assert!(sets.list().unwrap().is_empty());
        sets.set("work", &keys("AKIA2")).unwrap();
        sets.set("default", &keys("AKIA1")).unwrap();
        sets.set("work", &keys("AKIA3")).unwrap();
        assert_eq!(sets.list().unwrap(), ["default", "work"]);
        assert_eq!(sets.get("work").unwrap().unwrap().access_key_id, "AKIA3");
        assert!(sets.delete("work").unwrap());
        assert!(!sets.delete("work").unwrap());
        assert_eq!(sets.list().unwrap(), ["default"]);
        assert!(sets.get("work").unwrap().is_none());
    }

    #[test]
    fn set_names_are_checked() {
        for bad in ["", ".sets", "with space", "a/b", &"x".repeat(65)] {
            assert!(check_set_name(bad).is_err(), "{bad}");
        }
        for good in ["default", "prod-eu", "team_1.test"] {
            assert!(check_set_name(good).is_ok(), "{good}");
        }
    }
}
