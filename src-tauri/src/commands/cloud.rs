//! Cloud actions, the live fleet and the connect helper: each command calls the open
//! workspace's cloud session. Operations return at once with an id; progress and results
//! arrive as events (see events.rs).

use crate::state::AppState;
use poni_app::cloud::{
    Affected, CloudReference, ConfirmAction, ConnectCommand, FleetOverview, LaunchPreview, NodeLive, OperationRequest, OperationStatus, Scope,
};
use poni_app::AppResult;
use tauri::State;

#[tauri::command]
pub fn cloud_reference() -> CloudReference {
    poni_app::cloud::reference()
}

#[tauri::command]
pub async fn cloud_preview(state: State<'_, AppState>, scope: Scope, reinit: Option<bool>) -> AppResult<LaunchPreview> {
    state.cloud()?.preview(&scope, reinit.unwrap_or(false))
}

#[tauri::command]
pub async fn cloud_affected(state: State<'_, AppState>, scope: Scope, action: ConfirmAction) -> AppResult<Affected> {
    state.cloud()?.affected(&scope, action)
}

#[tauri::command]
pub async fn cloud_start(state: State<'_, AppState>, request: OperationRequest) -> AppResult<OperationStatus> {
    state.cloud()?.start(request).await
}

#[tauri::command]
pub fn cancel_operation(state: State<'_, AppState>, id: String) -> AppResult<bool> {
    Ok(state.cloud()?.cancel(&id))
}

#[tauri::command]
pub fn list_operations(state: State<'_, AppState>) -> AppResult<Vec<OperationStatus>> {
    Ok(state.cloud()?.operations())
}

#[tauri::command]
pub fn fleet_overview(state: State<'_, AppState>) -> AppResult<FleetOverview> {
    Ok(state.cloud()?.fleet_overview())
}

#[tauri::command]
pub fn fleet_nodes(state: State<'_, AppState>) -> AppResult<Vec<NodeLive>> {
    let nodes = state.cloud()?.fleet_nodes();
    crate::memory::trim_soon();
    Ok(nodes)
}

#[tauri::command]
pub fn node_live(state: State<'_, AppState>, name: String) -> AppResult<Option<NodeLive>> {
    Ok(state.cloud()?.node_live(&name))
}

#[tauri::command]
pub async fn connect_command(state: State<'_, AppState>, node: String) -> AppResult<ConnectCommand> {
    state.cloud()?.connect_command(&node)
}
