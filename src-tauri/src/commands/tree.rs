use crate::state::AppState;
use poni_app::view::{ItemDetail, TreeView};
use poni_app::AppResult;
use tauri::State;

#[tauri::command]
pub async fn load_tree(state: State<'_, AppState>) -> AppResult<TreeView> {
    let tree = state.with(|ws| ws.tree());
    crate::memory::trim_soon();
    tree
}

#[tauri::command]
pub async fn get_item(state: State<'_, AppState>, name: String) -> AppResult<ItemDetail> {
    state.with(|ws| ws.item(&name))
}
