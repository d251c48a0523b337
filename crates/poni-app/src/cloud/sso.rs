//! SSO sign-ins in progress: started (the code to show and the page to open), then awaited
//! until the person approves in the browser, or cancelled.

use poni_repo::ErrorCode;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use poni_cloud::aws::https_client;
use poni_cloud::credentials::sso::{self, DeviceLogin};
use serde::Serialize;
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use super::credentials::{coded, home_dir, CloudCredentials};
use crate::error::{AppError, AppResult};

/// A sign-in waiting for the person: show `userCode`; the browser opens `verificationUriComplete`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct SsoLogin {
    pub login_id: String,
    pub profile: String,
    pub verification_uri: String,
    pub verification_uri_complete: Option<String>,
    pub user_code: String,
    /// ISO 8601: the code stops working then.
    pub expires_at: String,
}

impl SsoLogin {
    /// The page to open in the browser.
    pub fn url(&self) -> &str {
        self.verification_uri_complete.as_deref().unwrap_or(&self.verification_uri)
    }
}

#[derive(Clone, Default)]
pub struct SsoLogins {
    pending: Arc<Mutex<HashMap<String, (DeviceLogin, CancellationToken)>>>,
    running: Arc<Mutex<HashMap<String, CancellationToken>>>,
    next: Arc<AtomicU64>,
}

impl std::fmt::Debug for SsoLogins {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SsoLogins").finish_non_exhaustive()
    }
}

impl SsoLogins {
    pub async fn start(&self, credentials: &CloudCredentials, profile: &str) -> AppResult<SsoLogin> {
        let set = credentials.profile_set().await?;
        let login = sso::start_login(&set, profile, https_client(), credentials.env()).await.map_err(|e| coded(&e))?;
        let id = format!("sso-{}", self.next.fetch_add(1, Ordering::SeqCst) + 1);
        let view = SsoLogin {
            login_id: id.clone(),
            profile: login.profile.clone(),
            verification_uri: login.verification_uri.clone(),
            verification_uri_complete: login.verification_uri_complete.clone(),
            user_code: login.user_code.clone(),
            expires_at: aws_smithy_types::DateTime::from(login.expires_at).fmt(aws_smithy_types::date_time::Format::DateTime).unwrap_or_default(),
        };
        self.pending.lock().unwrap_or_else(|e| e.into_inner()).insert(id, (login, CancellationToken::new()));
        Ok(view)
    }

    /// Waits for the approval, saves the token, and makes every cloud view re-resolve.
    pub async fn finish(&self, credentials: &CloudCredentials, login_id: &str) -> AppResult<()> {
        let (login, cancel) = self
            .pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(login_id)
            .ok_or_else(|| AppError::new(ErrorCode::SsoUnknownLogin, "That sign-in is not in progress any more: start it again."))?;
        self.running.lock().unwrap_or_else(|e| e.into_inner()).insert(login_id.to_owned(), cancel.clone());
        let home = home_dir().ok_or_else(|| AppError::new(ErrorCode::LocalNoHome, "Cannot find your home folder, where ~/.aws is."))?;
        let result = login.finish(&home, cancel).await;
        self.running.lock().unwrap_or_else(|e| e.into_inner()).remove(login_id);
        result.map_err(|e| coded(&e))?;
        credentials.touch();
        Ok(())
    }

    /// False when no such sign-in is waiting.
    pub fn cancel(&self, login_id: &str) -> bool {
        if let Some((_, token)) = self.pending.lock().unwrap_or_else(|e| e.into_inner()).remove(login_id) {
            token.cancel();
            return true;
        }
        match self.running.lock().unwrap_or_else(|e| e.into_inner()).get(login_id) {
            Some(token) => {
                token.cancel();
                true
            }
            None => false,
        }
    }
}
