//! The candidate's consent: recorded, listed and withdrawn on the adviser's devices.

use folgesvenn_app_core::dto::{ConsentInput, ConsentView, ConsentWithdrawn};
use folgesvenn_app_core::{AppCore, CommandError};
use tauri::State;

use super::{placement_id, record_id};

#[tauri::command]
pub async fn placement_consents(
    core: State<'_, AppCore>,
    placement_id: String,
) -> Result<Vec<ConsentView>, CommandError> {
    core.consents(self::placement_id(&placement_id)?)
}

#[tauri::command]
pub async fn give_consent(
    core: State<'_, AppCore>,
    placement_id: String,
    input: ConsentInput,
) -> Result<String, CommandError> {
    core.give_consent(self::placement_id(&placement_id)?, input)
        .map(|id| id.to_string())
}

#[tauri::command]
pub async fn withdraw_consent(
    core: State<'_, AppCore>,
    placement_id: String,
    consent_id: String,
) -> Result<ConsentWithdrawn, CommandError> {
    core.withdraw_consent(self::placement_id(&placement_id)?, record_id(&consent_id)?)
}
