//! What leaves the device: the candidate's right of access, and visit reports for the case file.

use std::path::PathBuf;

use folgesvenn_app_core::{AppCore, CommandError};
use tauri::State;

/// The folder the user chose in the window's folder dialog: absolute, and there.
fn chosen_folder(into: String) -> Result<PathBuf, CommandError> {
    let into = PathBuf::from(into);
    if !into.is_absolute() || !into.is_dir() {
        return Err(
            CommandError::new("io", "Velg en mappe å lagre i.").with("path", into.display())
        );
    }
    Ok(into)
}

/// `into`: the folder the user chose. Returns the folder written.
#[tauri::command]
pub async fn export_access(
    core: State<'_, AppCore>,
    placement_id: String,
    into: String,
) -> Result<String, CommandError> {
    core.export_access(super::placement_id(&placement_id)?, &chosen_folder(into)?)
        .map(|p| p.display().to_string())
}

/// `into`: the folder the user chose. Returns the file written.
#[tauri::command]
pub async fn export_visit_report(
    core: State<'_, AppCore>,
    placement_id: String,
    visit_id: String,
    internal: bool,
    into: String,
) -> Result<String, CommandError> {
    core.export_visit_report(
        super::placement_id(&placement_id)?,
        super::record_id(&visit_id)?,
        internal,
        &chosen_folder(into)?,
    )
    .map(|p| p.display().to_string())
}

/// `from`, `to`: `YYYY-MM-DD`. `into`: the folder the user chose. Returns the file written.
#[tauri::command]
pub async fn export_placement_summary(
    core: State<'_, AppCore>,
    placement_id: String,
    from: String,
    to: String,
    into: String,
) -> Result<String, CommandError> {
    core.export_placement_summary(
        super::placement_id(&placement_id)?,
        &from,
        &to,
        &chosen_folder(into)?,
    )
    .map(|p| p.display().to_string())
}
