//! The sync status (also pushed as `sync-status` events) and "sync now".

use folgesvenn_app_core::AppCore;
use folgesvenn_app_core::CommandError;
use folgesvenn_app_core::dto::SyncStatus;
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
