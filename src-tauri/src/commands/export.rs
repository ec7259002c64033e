//! What leaves the device: the candidate's right of access.

use std::path::PathBuf;

use folgesvenn_app_core::{AppCore, CommandError};
use tauri::State;

/// `into`: the folder the user chose in the window's folder dialog. Returns the folder written.
#[tauri::command]
pub async fn export_access(
    core: State<'_, AppCore>,
    placement_id: String,
    into: String,
) -> Result<String, CommandError> {
    let into = PathBuf::from(into);
    if !into.is_absolute() || !into.is_dir() {
        return Err(CommandError::new("io", "Velg en mappe å lagre innsynet i.")
            .with("path", into.display()));
    }
    core.export_access(super::placement_id(&placement_id)?, &into)
        .map(|p| p.display().to_string())
}
