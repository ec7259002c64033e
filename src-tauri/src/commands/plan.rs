//! The training plan, actions and notes between adviser and employer, and settling a field two
//! devices changed while apart; a record's history.

use folgesvenn_app_core::dto::{
    AdaptationInput, ContactPersonInput, GoalInput, NoteInput, RecordHistory, RecordValues,
    SettleConflictInput, TrainingTaskInput,
};
use folgesvenn_app_core::{AppCore, CommandError};
use tauri::State;

use super::{placement_id, record_id};

#[tauri::command]
pub async fn add_training_task(
    core: State<'_, AppCore>,
    placement_id: String,
    input: TrainingTaskInput,
) -> Result<String, CommandError> {
    core.add_training_task(self::placement_id(&placement_id)?, input)
        .map(|id| id.to_string())
}

#[tauri::command]
pub async fn set_task_status(
    core: State<'_, AppCore>,
    placement_id: String,
    task_id: String,
    status: String,
) -> Result<(), CommandError> {
    core.set_task_status(
        self::placement_id(&placement_id)?,
        record_id(&task_id)?,
        &status,
    )
}

#[tauri::command]
pub async fn set_action_status(
    core: State<'_, AppCore>,
    placement_id: String,
    action_id: String,
    status: String,
) -> Result<(), CommandError> {
    core.set_action_status(
        self::placement_id(&placement_id)?,
        record_id(&action_id)?,
        &status,
    )
}

#[tauri::command]
pub async fn add_note(
    core: State<'_, AppCore>,
    placement_id: String,
    input: NoteInput,
) -> Result<String, CommandError> {
    core.add_note(self::placement_id(&placement_id)?, input)
        .map(|id| id.to_string())
}

#[tauri::command]
pub async fn edit_note(
    core: State<'_, AppCore>,
    placement_id: String,
    note_id: String,
    body: String,
    private: bool,
) -> Result<(), CommandError> {
    core.edit_note(
        self::placement_id(&placement_id)?,
        record_id(&note_id)?,
        &body,
        private,
    )
}

#[tauri::command]
pub async fn settle_conflict(
    core: State<'_, AppCore>,
    placement_id: String,
    input: SettleConflictInput,
) -> Result<(), CommandError> {
    core.settle_conflict(self::placement_id(&placement_id)?, input)
}

#[tauri::command]
pub async fn record_history(
    core: State<'_, AppCore>,
    placement_id: String,
    record_id: String,
) -> Result<RecordHistory, CommandError> {
    core.history(
        self::placement_id(&placement_id)?,
        self::record_id(&record_id)?,
    )
}

/// `record_id`: `None` for the placement's own facts.
#[tauri::command]
pub async fn record_values(
    core: State<'_, AppCore>,
    placement_id: String,
    record_id: Option<String>,
) -> Result<RecordValues, CommandError> {
    let record = record_id.as_deref().map(self::record_id).transpose()?;
    core.record_values(self::placement_id(&placement_id)?, record)
}

#[tauri::command]
pub async fn edit_record(
    core: State<'_, AppCore>,
    placement_id: String,
    record_id: Option<String>,
    values: RecordValues,
) -> Result<(), CommandError> {
    let record = record_id.as_deref().map(self::record_id).transpose()?;
    core.edit_record(self::placement_id(&placement_id)?, record, values)
}

#[tauri::command]
pub async fn set_response_time(
    core: State<'_, AppCore>,
    placement_id: String,
    working_days: u8,
) -> Result<(), CommandError> {
    core.set_response_time(self::placement_id(&placement_id)?, working_days)
}

#[tauri::command]
pub async fn add_goal(
    core: State<'_, AppCore>,
    placement_id: String,
    input: GoalInput,
) -> Result<String, CommandError> {
    core.add_goal(self::placement_id(&placement_id)?, input)
        .map(|id| id.to_string())
}

#[tauri::command]
pub async fn add_adaptation(
    core: State<'_, AppCore>,
    placement_id: String,
    input: AdaptationInput,
) -> Result<String, CommandError> {
    core.add_adaptation(self::placement_id(&placement_id)?, input)
        .map(|id| id.to_string())
}

#[tauri::command]
pub async fn add_contact_person(
    core: State<'_, AppCore>,
    placement_id: String,
    input: ContactPersonInput,
) -> Result<String, CommandError> {
    core.add_contact_person(self::placement_id(&placement_id)?, input)
        .map(|id| id.to_string())
}
