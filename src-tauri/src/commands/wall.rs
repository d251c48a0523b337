//! The fleet wall: health, load and cost of every instance, per region and account.

use crate::ctx::Ctx;
use poni_app::cloud::wall::price_cache;
use poni_app::cloud::FleetWall;
use poni_app::AppResult;
use tauri::Runtime;

#[tauri::command]
pub async fn fleet_status<R: Runtime>(ctx: Ctx<R>, all_regions: bool) -> AppResult<FleetWall> {
    let state = ctx.desk();
    state.cloud()?.fleet_wall(all_regions, price_cache()).await
}
