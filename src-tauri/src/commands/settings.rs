use crate::ctx::Ctx;
use poni_app::{AppResult, Settings};
use tauri::Runtime;

#[tauri::command]
pub async fn get_settings<R: Runtime>(ctx: Ctx<R>) -> AppResult<Settings> {
    let state = ctx.desk();
    state.settings.load()
}

#[tauri::command]
pub async fn save_settings<R: Runtime>(ctx: Ctx<R>, settings: Settings) -> AppResult<()> {
    let state = ctx.desk();
    state.settings.save(&settings)
}
