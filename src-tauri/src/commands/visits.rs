//! Visits and contact requests: what the adviser records and answers.

use folgesvenn_app_core::dto::{VisitInput, VisitRecord};
use folgesvenn_app_core::{AppCore, CommandError};
use tauri::State;

use super::{placement_id, record_id};

#[tauri::command]
pub async fn record_visit(
    core: State<'_, AppCore>,
    placement_id: String,
    input: VisitInput,
) -> Result<String, CommandError> {
    core.record_visit(self::placement_id(&placement_id)?, input)
        .map(|id| id.to_string())
}

/// One visit, however far back in the timeline (a correction starts from it).
#[tauri::command]
pub async fn get_visit(
    core: State<'_, AppCore>,
    placement_id: String,
    visit_id: String,
) -> Result<VisitRecord, CommandError> {
    core.visit(self::placement_id(&placement_id)?, record_id(&visit_id)?)
}

#[tauri::command]
pub async fn acknowledge_request(
    core: State<'_, AppCore>,
    placement_id: String,
    request_id: String,
) -> Result<(), CommandError> {
    core.acknowledge_request(self::placement_id(&placement_id)?, record_id(&request_id)?)
}

#[tauri::command]
pub async fn resolve_request(
    core: State<'_, AppCore>,
    placement_id: String,
    request_id: String,
    resolution: String,
) -> Result<(), CommandError> {
    core.resolve_request(
        self::placement_id(&placement_id)?,
        record_id(&request_id)?,
        &resolution,
    )
}
