//! Pairing: the adviser's code for the employer, and joining with it.

use folgesvenn_app_core::dto::{
    DevicePairingCode, DeviceRemoved, Joined, PairingCode, PlacementMembers,
};
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
pub async fn invite_own_device(
    core: State<'_, AppCore>,
    placement_id: String,
) -> Result<Vec<PairingCode>, CommandError> {
    core.invite_own_device(self::placement_id(&placement_id)?)
}

#[tauri::command]
pub async fn invite_new_device(
    core: State<'_, AppCore>,
) -> Result<DevicePairingCode, CommandError> {
    core.invite_new_device()
}

#[tauri::command]
pub async fn join_placement(
    core: State<'_, AppCore>,
    code: String,
    full_code: Option<String>,
    allow_new_relay: Option<bool>,
) -> Result<Joined, CommandError> {
    core.join(
        &code,
        full_code.as_deref(),
        allow_new_relay.unwrap_or(false),
    )
}

#[tauri::command]
pub async fn remove_device_everywhere(
    core: State<'_, AppCore>,
    device_id: String,
) -> Result<DeviceRemoved, CommandError> {
    core.remove_device_everywhere(super::record_id(&device_id)?)
}

#[tauri::command]
pub async fn placement_members(
    core: State<'_, AppCore>,
    placement_id: String,
) -> Result<PlacementMembers, CommandError> {
    core.members(self::placement_id(&placement_id)?)
}

#[tauri::command]
pub async fn remove_device(
    core: State<'_, AppCore>,
    placement_id: String,
    device_id: String,
) -> Result<(), CommandError> {
    core.remove_device(
        self::placement_id(&placement_id)?,
        super::record_id(&device_id)?,
    )
}
