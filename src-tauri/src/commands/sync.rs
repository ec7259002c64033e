//! The sync status (also pushed as `sync-status` events), "sync now" and a placement's sync log.

use folgesvenn_app_core::AppCore;
use folgesvenn_app_core::CommandError;
use folgesvenn_app_core::dto::{PlacementSyncLog, SyncStatus};
use tauri::State;

#[tauri::command]
pub async fn sync_status(core: State<'_, AppCore>) -> Result<SyncStatus, CommandError> {
    Ok(core.sync_status())
}

#[tauri::command]
pub async fn sync_now(core: State<'_, AppCore>) -> Result<(), CommandError> {
    core.sync_now();
    Ok(())
}

#[tauri::command]
pub async fn placement_sync_log(
    core: State<'_, AppCore>,
    placement_id: String,
) -> Result<PlacementSyncLog, CommandError> {
    core.sync_log(super::placement_id(&placement_id)?)
}
