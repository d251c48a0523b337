//! SSO sign-in: start (the browser is opened on the approval page), wait for it, cancel.

use crate::events::account_changed;
use crate::state::AppState;
use poni_app::cloud::{CredentialStatus, SsoLogin};
use poni_app::AppResult;
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_opener::OpenerExt;

#[tauri::command]
pub async fn sso_start<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, profile: String) -> AppResult<SsoLogin> {
    let login = state.sso.start(&state.credentials, &profile).await?;
    // No browser (a server, a test display) is not an error: the page is shown to copy.
    if let Err(e) = app.opener().open_url(login.url(), None::<&str>) {
        eprintln!("poni-desktop: the browser could not be opened ({e}); the sign-in page is shown in the window");
    }
    Ok(login)
}

#[tauri::command]
pub async fn sso_finish<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, login_id: String) -> AppResult<CredentialStatus> {
    state.sso.finish(&state.credentials, &login_id).await?;
    account_changed(&app, &state);
    state.credentials.status().await
}

#[tauri::command]
pub fn sso_cancel(state: State<'_, AppState>, login_id: String) -> bool {
    state.sso.cancel(&login_id)
}
