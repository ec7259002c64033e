//! The placement list, search, a new placement, the overview and the employer's daily log.

use folgesvenn_app_core::dto::{
    ClosePlacementInput, NewPlacementInput, ObservationInput, Overview, PlacementSummary, SearchHit,
};
use folgesvenn_app_core::{AppCore, CommandError};
use tauri::State;

use super::placement_id;

#[tauri::command]
pub async fn list_placements(
    core: State<'_, AppCore>,
) -> Result<Vec<PlacementSummary>, CommandError> {
    core.list_placements()
}

#[tauri::command]
pub async fn search_placements(
    core: State<'_, AppCore>,
    query: String,
) -> Result<Vec<SearchHit>, CommandError> {
    core.search(&query)
}

#[tauri::command]
pub async fn create_placement(
    core: State<'_, AppCore>,
    input: NewPlacementInput,
) -> Result<String, CommandError> {
    core.create_placement(input).map(|id| id.to_string())
}

#[tauri::command]
pub async fn placement_overview(
    core: State<'_, AppCore>,
    placement_id: String,
) -> Result<Overview, CommandError> {
    core.overview(self::placement_id(&placement_id)?)
}

#[tauri::command]
pub async fn log_observation(
    core: State<'_, AppCore>,
    placement_id: String,
    input: ObservationInput,
) -> Result<String, CommandError> {
    core.log_observation(self::placement_id(&placement_id)?, input)
        .map(|id| id.to_string())
}

#[tauri::command]
pub async fn activate_placement(
    core: State<'_, AppCore>,
    placement_id: String,
) -> Result<(), CommandError> {
    core.activate_placement(self::placement_id(&placement_id)?)
}

#[tauri::command]
pub async fn close_placement(
    core: State<'_, AppCore>,
    placement_id: String,
    input: ClosePlacementInput,
) -> Result<(), CommandError> {
    core.close_placement(self::placement_id(&placement_id)?, input)
}

#[tauri::command]
pub async fn reopen_placement(
    core: State<'_, AppCore>,
    placement_id: String,
) -> Result<(), CommandError> {
    core.reopen_placement(self::placement_id(&placement_id)?)
}
