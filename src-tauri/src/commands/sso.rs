//! SSO sign-in: start (the browser is opened on the approval page), wait for it, cancel.

use crate::ctx::Ctx;
use poni_app::cloud::{CredentialStatus, SsoLogin};
use poni_app::AppResult;
use tauri::Runtime;
use tauri_plugin_opener::OpenerExt;

#[tauri::command]
pub async fn sso_start<R: Runtime>(ctx: Ctx<R>, profile: String) -> AppResult<SsoLogin> {
    let state = ctx.desk();
    let login = state.sso.start(&state.credentials, &profile).await?;
    // No browser (a server, a test display) is not an error: the page is shown to copy.
    if let Err(e) = ctx.app().opener().open_url(login.url(), None::<&str>) {
        eprintln!("poni-desktop: the browser could not be opened ({e}); the sign-in page is shown in the window");
    }
    Ok(login)
}

#[tauri::command]
pub async fn sso_finish<R: Runtime>(ctx: Ctx<R>, login_id: String) -> AppResult<CredentialStatus> {
    let state = ctx.desk();
    state.sso.finish(&state.credentials, &login_id).await?;
    ctx.account_changed();
    state.credentials.status().await
}

#[tauri::command]
pub async fn sso_cancel<R: Runtime>(ctx: Ctx<R>, login_id: String) -> AppResult<bool> {
    let state = ctx.desk();
    Ok(state.sso.cancel(&login_id))
}
