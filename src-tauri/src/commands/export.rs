//! What leaves the device: the candidate's right of access, and the case file's PDFs. Each export
//! tells its progress on the channel the window gives it and can be stopped by its job name.

use std::path::PathBuf;

use folgesvenn_app_core::dto::ExportProgress;
use folgesvenn_app_core::{AppCore, CommandError, ExportWatch};
use tauri::State;
use tauri::ipc::Channel;

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

/// Runs `export` followed under `job`, its progress sent on `progress` (a window that has gone
/// away only stops hearing it).
fn followed(
    job: &str,
    progress: &Channel<ExportProgress>,
    export: impl FnOnce(&ExportWatch<'_>) -> Result<PathBuf, CommandError>,
) -> Result<String, CommandError> {
    let report = |p: ExportProgress| {
        let _ = progress.send(p);
    };
    let watch = ExportWatch {
        job: Some(job),
        report: &report,
    };
    export(&watch).map(|p| p.display().to_string())
}

/// `into`: the folder the user chose; `job`: the name `cancel_export` stops it by. Returns the
/// folder written.
#[tauri::command]
pub async fn export_access(
    core: State<'_, AppCore>,
    placement_id: String,
    into: String,
    job: String,
    on_progress: Channel<ExportProgress>,
) -> Result<String, CommandError> {
    let placement = super::placement_id(&placement_id)?;
    let into = chosen_folder(into)?;
    followed(&job, &on_progress, |watch| {
        core.export_access(placement, &into, watch)
    })
}

/// `into`: the folder the user chose; `job`: the name `cancel_export` stops it by. Returns the
/// file written.
#[tauri::command]
pub async fn export_visit_report(
    core: State<'_, AppCore>,
    placement_id: String,
    visit_id: String,
    internal: bool,
    into: String,
    job: String,
    on_progress: Channel<ExportProgress>,
) -> Result<String, CommandError> {
    let placement = super::placement_id(&placement_id)?;
    let visit = super::record_id(&visit_id)?;
    let into = chosen_folder(into)?;
    followed(&job, &on_progress, |watch| {
        core.export_visit_report(placement, visit, internal, &into, watch)
    })
}

/// `from`, `to`: `YYYY-MM-DD`. `into`: the folder the user chose; `job`: the name
/// `cancel_export` stops it by. Returns the file written.
#[tauri::command]
pub async fn export_placement_summary(
    core: State<'_, AppCore>,
    placement_id: String,
    from: String,
    to: String,
    into: String,
    job: String,
    on_progress: Channel<ExportProgress>,
) -> Result<String, CommandError> {
    let placement = super::placement_id(&placement_id)?;
    let into = chosen_folder(into)?;
    followed(&job, &on_progress, |watch| {
        core.export_placement_summary(placement, &from, &to, &into, watch)
    })
}

/// Stops the export running as `job`; it leaves nothing behind. `false`: none runs by that name.
#[tauri::command]
pub async fn cancel_export(core: State<'_, AppCore>, job: String) -> Result<bool, CommandError> {
    Ok(core.cancel_export(&job))
}
