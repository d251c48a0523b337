use crate::ctx::Ctx;
use poni_app::check::{EditProblem, NameProblem};
use poni_app::view::{NodesPlan, NodesRequest, PropertyEdit};
use poni_app::AppResult;
use tauri::Runtime;

#[tauri::command]
pub async fn add_system<R: Runtime>(ctx: Ctx<R>, name: String) -> AppResult<()> {
    ctx.edit(|ws| ws.add_system(&name))
}

#[tauri::command]
pub async fn plan_nodes<R: Runtime>(ctx: Ctx<R>, request: NodesRequest) -> AppResult<NodesPlan> {
    ctx.read(|ws| ws.plan_nodes(&request))
}

#[tauri::command]
pub async fn add_nodes<R: Runtime>(ctx: Ctx<R>, request: NodesRequest) -> AppResult<Vec<String>> {
    ctx.edit(|ws| ws.add_nodes(&request))
}

/// Every problem of a save (values set, keys removed), each naming its key; empty: it can be saved.
#[tauri::command]
pub async fn check_edit<R: Runtime>(ctx: Ctx<R>, name: String, set: Vec<PropertyEdit>, unset: Vec<String>) -> AppResult<Vec<EditProblem>> {
    ctx.read(|ws| ws.check_edit(&name, &set, &unset))
}

/// Saves values and removals on one item as one change (one file written, all or nothing).
#[tauri::command]
pub async fn edit_properties<R: Runtime>(ctx: Ctx<R>, name: String, set: Vec<PropertyEdit>, unset: Vec<String>) -> AppResult<usize> {
    let changed = ctx.desk().edit_properties(&name, &set, &unset);
    ctx.announce(changed)
}

/// Why a name cannot be a new system's name, or (with `renameFrom`) that item's new name.
#[tauri::command]
pub async fn check_name<R: Runtime>(ctx: Ctx<R>, name: String, rename_from: Option<String>) -> AppResult<Option<NameProblem>> {
    ctx.read(|ws| ws.check_name(&name, rename_from.as_deref()))
}

#[tauri::command]
pub async fn rename_item<R: Runtime>(ctx: Ctx<R>, from: String, to: String) -> AppResult<()> {
    ctx.edit(|ws| ws.rename(&from, &to))
}

#[tauri::command]
pub async fn remove_item<R: Runtime>(ctx: Ctx<R>, name: String) -> AppResult<Vec<String>> {
    ctx.edit(|ws| ws.remove(&name))
}
