//! The repository's history and sharing through git: each command calls poni-vc on the open
//! repository. Pulls, resolutions and init rewrite files, so they reload the window.

use crate::ctx::Ctx;
use poni_app::poni_vc::{self, Choice, CommitInfo, Conflict, Mode, PullOutcome, PushOutcome, RepoDiff, VcStatus};
use poni_app::vc::error;
use poni_app::{AppResult, Desk};
use std::path::PathBuf;
use tauri::Runtime;

fn root(state: &Desk) -> AppResult<PathBuf> {
    state.with(|ws| Ok(ws.root().to_path_buf()))
}

#[tauri::command]
pub async fn vc_status<R: Runtime>(ctx: Ctx<R>) -> AppResult<VcStatus> {
    let state = ctx.desk();
    poni_vc::status(&root(&state)?).map_err(error)
}

#[tauri::command]
pub async fn vc_init<R: Runtime>(ctx: Ctx<R>) -> AppResult<CommitInfo> {
    ctx.edit(|ws| poni_vc::init(ws.root()).map_err(error))
}

#[tauri::command]
pub async fn vc_set_mode<R: Runtime>(ctx: Ctx<R>, mode: Mode) -> AppResult<()> {
    let state = ctx.desk();
    poni_vc::set_mode(&root(&state)?, mode).map_err(error)
}

#[tauri::command]
pub async fn vc_set_remote<R: Runtime>(ctx: Ctx<R>, url: String) -> AppResult<()> {
    let state = ctx.desk();
    poni_vc::set_remote(&root(&state)?, &url).map_err(error)
}

#[tauri::command]
pub async fn vc_diff<R: Runtime>(ctx: Ctx<R>, name: Option<String>) -> AppResult<RepoDiff> {
    let state = ctx.desk();
    poni_vc::diff(&root(&state)?, name.as_deref()).map_err(error)
}

#[tauri::command]
pub async fn vc_checkpoint<R: Runtime>(ctx: Ctx<R>, message: Option<String>) -> AppResult<Option<CommitInfo>> {
    let state = ctx.desk();
    poni_vc::checkpoint(&root(&state)?, message.as_deref()).map_err(error)
}

#[tauri::command]
pub async fn vc_pull<R: Runtime>(ctx: Ctx<R>) -> AppResult<PullOutcome> {
    ctx.edit(|ws| poni_vc::pull(ws.root()).map_err(error))
}

#[tauri::command]
pub async fn vc_push<R: Runtime>(ctx: Ctx<R>) -> AppResult<PushOutcome> {
    let state = ctx.desk();
    poni_vc::push(&root(&state)?).map_err(error)
}

#[tauri::command]
pub async fn vc_conflicts<R: Runtime>(ctx: Ctx<R>) -> AppResult<Vec<Conflict>> {
    let state = ctx.desk();
    poni_vc::conflicts(&root(&state)?).map_err(error)
}

#[tauri::command]
pub async fn vc_resolve<R: Runtime>(ctx: Ctx<R>, name: String, choice: Choice) -> AppResult<VcStatus> {
    ctx.edit(|ws| poni_vc::resolve(ws.root(), &name, choice).map_err(error))
}
