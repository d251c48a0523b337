//! Moves by drag and drop (asked ahead, then made), and the history: undo, redo, the list.

use crate::ctx::Ctx;
use poni_app::check::MoveCheck;
use poni_app::AppResult;
use poni_repo::{HistoryView, UndoOutcome};
use tauri::Runtime;

#[tauri::command]
pub async fn check_move<R: Runtime>(ctx: Ctx<R>, names: Vec<String>, to_system: String) -> AppResult<MoveCheck> {
    ctx.read(|ws| Ok(ws.check_move(&names, &to_system)))
}

#[tauri::command]
pub async fn move_items<R: Runtime>(ctx: Ctx<R>, names: Vec<String>, to_system: String) -> AppResult<Vec<String>> {
    ctx.edit(|ws| ws.move_items(&names, &to_system))
}

#[tauri::command]
pub async fn history_list<R: Runtime>(ctx: Ctx<R>) -> AppResult<HistoryView> {
    ctx.read(|ws| ws.history())
}

#[tauri::command]
pub async fn history_undo<R: Runtime>(ctx: Ctx<R>) -> AppResult<UndoOutcome> {
    ctx.edit(|ws| ws.undo())
}

#[tauri::command]
pub async fn history_redo<R: Runtime>(ctx: Ctx<R>) -> AppResult<UndoOutcome> {
    ctx.edit(|ws| ws.redo())
}
