//! The app's wording for errors the core words for the command line, and the button that
//! fixes each: decided on the error's code or its typed value, never on its text. People using the app click
//! instead of typing commands, so "run poni credentials set" becomes "open Settings".

use poni_repo::ErrorCode;
use serde::Serialize;
use ts_rs::TS;

use poni_cloud::credentials::CredentialsError;
use poni_cloud::Coded;

use crate::error::AppError;

/// What fixes an error, as a button the UI shows next to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum FixAction {
    /// Settings, at the credentials.
    OpenCredentials,
    /// The SSO sign-in of this profile.
    SignIn { profile: String },
    /// The practice sandbox, for someone without an AWS account.
    StartSandbox,
}

/// The button for an error, if one helps. `profile` is the chosen AWS profile, for sign-in.
pub fn fix_for(error: &AppError, profile: Option<String>) -> Option<FixAction> {
    match error.code {
        ErrorCode::CredentialsSsoLoginRequired | ErrorCode::CredentialsSsoExpired => profile.map(|profile| FixAction::SignIn { profile }),
        ErrorCode::CredentialsMissing => Some(FixAction::OpenCredentials),
        ErrorCode::CloudCredentialsExpired | ErrorCode::CloudCredentials => match profile {
            Some(profile) => Some(FixAction::SignIn { profile }),
            None => Some(FixAction::OpenCredentials),
        },
        code if code.is_about_credentials() => Some(FixAction::OpenCredentials),
        _ => None,
    }
}

/// A credentials error in the app's words. The typed error names the profile or the set, so
/// nothing is read back out of a message.
pub fn credentials(error: &CredentialsError) -> AppError {
    let payload = error.payload();
    let message = match error {
        CredentialsError::SsoLoginRequired(p) => format!("The AWS profile '{p}' uses SSO and is not signed in. Click \"Sign in\" to sign in in your browser."),
        CredentialsError::SsoExpired(p) => format!("The SSO session of the AWS profile '{p}' has expired. Click \"Sign in again\"."),
        CredentialsError::SetNotFound(set) => format!("There is no stored credential set '{set}'. Add it in Settings, or pick another source there."),
        CredentialsError::ProfileNotFound(p) => format!("There is no AWS profile '{p}' any more. Pick another source in Settings."),
        // The others are worded by their code where they are shown ([`for_app`]).
        _ => return payload,
    };
    AppError::new(payload.code, message)
}

/// Rewords errors whose command-line text tells people to type commands (those that name
/// nothing; [`credentials`] words the ones that name a profile or a set).
pub fn for_app(error: AppError) -> AppError {
    let message = match error.code {
        // The fact only: what to do is said once, by the place that shows it (Settings says
        // "below", elsewhere the advice names Settings), never twice in other words.
        ErrorCode::CredentialsMissing => "No AWS credentials yet.".to_owned(),
        ErrorCode::CredentialsKeyringCorrupt => "A credential set in the system keyring is damaged. Store it again in Settings.".to_owned(),
        ErrorCode::CloudCredentialsExpired | ErrorCode::CloudCredentials => {
            "The AWS credentials were not accepted any more (an SSO session or temporary keys may have expired). Sign in again, or pick other credentials in Settings.".to_owned()
        }
        _ => return error,
    };
    AppError::new(error.code, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_messages_say_what_to_click_and_keep_the_code() {
        let e = for_app(AppError::new(ErrorCode::CredentialsMissing, "No AWS credentials found: store a credential set (poni credentials set) ..."));
        assert_eq!(e.code, "credentials.missing");
        assert!(e.message == "No AWS credentials yet." && !e.message.contains("poni credentials"), "{}", e.message);
        let e = credentials(&CredentialsError::SsoExpired("dev".into()));
        assert_eq!(
            (e.code, e.message.as_str()),
            (ErrorCode::CredentialsSsoExpired, "The SSO session of the AWS profile 'dev' has expired. Click \"Sign in again\".")
        );
        let e = credentials(&CredentialsError::Missing { keyring_note: None });
        assert_eq!(for_app(e).message, "No AWS credentials yet.", "the unnamed ones are reworded by their code");
        let untouched = AppError::new(ErrorCode::CloudThrottled, "EC2 is limiting the request rate");
        assert_eq!(for_app(untouched.clone()), untouched);
    }

    #[test]
    fn the_fix_follows_the_code() {
        let e = |code: &str| AppError::new(ErrorCode::parse(code).expect("a known code"), "whatever the text says");
        assert_eq!(fix_for(&e("credentials.sso_expired"), Some("dev".into())), Some(FixAction::SignIn { profile: "dev".into() }));
        assert_eq!(fix_for(&e("credentials.missing"), None), Some(FixAction::OpenCredentials));
        assert_eq!(fix_for(&e("cloud.auth_failed"), Some("dev".into())), Some(FixAction::OpenCredentials));
        assert_eq!(fix_for(&e("cloud.credentials_expired"), Some("dev".into())), Some(FixAction::SignIn { profile: "dev".into() }));
        assert_eq!(fix_for(&e("cloud.throttled"), None), None);
    }
}
