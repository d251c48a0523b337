//! An AWS access key pair (plus optional session token) whose secret parts never print.

use aws_credential_types::Credentials;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use super::CredentialsError;

/// Access key id, secret access key and, for temporary keys, a session token.
/// `Debug` shows only the access key id; the secret and token are redacted and zeroed on drop.
#[derive(Clone)]
pub struct AwsKeys {
    pub access_key_id: String,
    pub secret_access_key: SecretString,
    pub session_token: Option<SecretString>,
}

impl std::fmt::Debug for AwsKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AwsKeys")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"[redacted]")
            .field("session_token", &self.session_token.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

/// The JSON kept in the keyring entry. Lives only briefly, inside `SecretString`s.
#[derive(Serialize, Deserialize)]
struct StoredForm<'a> {
    access_key_id: &'a str,
    secret_access_key: &'a str,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    session_token: Option<&'a str>,
}

impl AwsKeys {
    /// Checks the parts look like keys (no blanks) before anything is stored or sent.
    pub fn new(access_key_id: impl Into<String>, secret_access_key: SecretString, session_token: Option<SecretString>) -> Result<AwsKeys, CredentialsError> {
        let access_key_id = access_key_id.into().trim().to_owned();
        let plausible = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_graphic());
        if !plausible(&access_key_id) {
            return Err(CredentialsError::InvalidKeys("the access key id is empty or contains spaces".into()));
        }
        if !plausible(secret_access_key.expose_secret().trim()) {
            return Err(CredentialsError::InvalidKeys("the secret access key is empty or contains spaces".into()));
        }
        let session_token = session_token.filter(|t| !t.expose_secret().trim().is_empty());
        Ok(AwsKeys { access_key_id, secret_access_key, session_token })
    }

    pub(crate) fn to_stored(&self) -> SecretString {
        let form = StoredForm {
            access_key_id: &self.access_key_id,
            secret_access_key: self.secret_access_key.expose_secret(),
            session_token: self.session_token.as_ref().map(|t| t.expose_secret()),
        };
        SecretString::from(serde_json::to_string(&form).expect("strings always serialize"))
    }

    pub(crate) fn from_stored(stored: &SecretString) -> Option<AwsKeys> {
        let form: StoredForm = serde_json::from_str(stored.expose_secret()).ok()?;
        AwsKeys::new(form.access_key_id, SecretString::from(form.secret_access_key), form.session_token.map(SecretString::from)).ok()
    }

    /// The SDK's form; `provider_name` says where the keys came from in SDK diagnostics.
    pub(crate) fn to_sdk(&self, provider_name: &'static str) -> Credentials {
        Credentials::new(
            &self.access_key_id,
            self.secret_access_key.expose_secret(),
            self.session_token.as_ref().map(|t| t.expose_secret().to_owned()),
            None,
            provider_name,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_secret_or_token() {
        let keys = AwsKeys::new("AKIAEXAMPLE", SecretString::from("very-secret-value"), Some(SecretString::from("token-value"))).unwrap();
        let shown = format!("{keys:?}");
        assert!(shown.contains("AKIAEXAMPLE"));
        assert!(!shown.contains("very-secret-value") && !shown.contains("token-value"), "{shown}");
        let sdk = format!("{:?}", keys.to_sdk("test"));
        assert!(!sdk.contains("very-secret-value") && !sdk.contains("token-value"), "{sdk}");
    }

    #[test]
    fn stored_form_round_trips() {
        let keys = AwsKeys::new("AKIA1", SecretString::from("s3cr3t"), None).unwrap();
        let back = AwsKeys::from_stored(&keys.to_stored()).unwrap();
        assert_eq!(back.access_key_id, "AKIA1");
        assert_eq!(back.secret_access_key.expose_secret(), "s3cr3t");
        assert!(back.session_token.is_none());
        assert!(AwsKeys::from_stored(&SecretString::from("not json")).is_none());
    }

    #[test]
    fn blank_parts_are_refused() {
        assert!(AwsKeys::new(" ", SecretString::from("x"), None).is_err());
        assert!(AwsKeys::new("AKIA1", SecretString::from(""), None).is_err());
        let k = AwsKeys::new("AKIA1", SecretString::from("x"), Some(SecretString::from(" "))).unwrap();
        assert!(k.session_token.is_none());
    }
}
