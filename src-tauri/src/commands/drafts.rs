//! Half-written forms, kept in the encrypted store as the user types.

use folgesvenn_app_core::{AppCore, CommandError};
use tauri::State;

#[tauri::command]
pub async fn save_draft(
    core: State<'_, AppCore>,
    key: String,
    value: String,
) -> Result<(), CommandError> {
    core.save_draft(&key, &value)
}

#[tauri::command]
pub async fn load_draft(
    core: State<'_, AppCore>,
    key: String,
) -> Result<Option<String>, CommandError> {
    core.load_draft(&key)
}

#[tauri::command]
pub async fn clear_draft(core: State<'_, AppCore>, key: String) -> Result<(), CommandError> {
    core.clear_draft(&key)
}
