use crate::ctx::Ctx;
use poni_app::view::{ItemDetail, TreeView};
use poni_app::AppResult;
use tauri::Runtime;

#[tauri::command]
pub async fn load_tree<R: Runtime>(ctx: Ctx<R>) -> AppResult<TreeView> {
    let tree = ctx.read(|ws| ws.tree());
    crate::memory::trim_soon();
    tree
}

#[tauri::command]
pub async fn get_item<R: Runtime>(ctx: Ctx<R>, name: String) -> AppResult<ItemDetail> {
    ctx.read(|ws| ws.item(&name))
}
