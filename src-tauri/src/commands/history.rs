//! Moves by drag and drop (asked ahead, then made), and the history: undo, redo, the list.

use crate::events::repo_changed;
use crate::state::AppState;
use poni_app::check::MoveCheck;
use poni_app::AppResult;
use poni_repo::{HistoryView, UndoOutcome};
use tauri::{AppHandle, Runtime, State};

#[tauri::command]
pub async fn check_move(state: State<'_, AppState>, names: Vec<String>, to_system: String) -> AppResult<MoveCheck> {
    state.with(|ws| Ok(ws.check_move(&names, &to_system)))
}

#[tauri::command]
pub async fn move_items<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, names: Vec<String>, to_system: String) -> AppResult<Vec<String>> {
    state.edit(|ws| ws.move_items(&names, &to_system)).inspect(|_| repo_changed(&app))
}

#[tauri::command]
pub async fn history_list(state: State<'_, AppState>) -> AppResult<HistoryView> {
    state.with(|ws| ws.history())
}

#[tauri::command]
pub async fn history_undo<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> AppResult<UndoOutcome> {
    state.edit(|ws| ws.undo()).inspect(|_| repo_changed(&app))
}

#[tauri::command]
pub async fn history_redo<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> AppResult<UndoOutcome> {
    state.edit(|ws| ws.redo()).inspect(|_| repo_changed(&app))
}
