//! Pairing: the adviser's code for the employer, and joining with it.

use folgesvenn_app_core::dto::PairingCode;
use folgesvenn_app_core::{AppCore, CommandError};
use tauri::State;

use super::placement_id;

#[tauri::command]
pub async fn invite_employer(
    core: State<'_, AppCore>,
    placement_id: String,
) -> Result<PairingCode, CommandError> {
    core.invite_employer(self::placement_id(&placement_id)?)
}

#[tauri::command]
pub async fn join_placement(
    core: State<'_, AppCore>,
    code: String,
) -> Result<String, CommandError> {
    core.join(&code).map(|id| id.to_string())
}
