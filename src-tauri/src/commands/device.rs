//! First run, unlock and lock.

use folgesvenn_app_core::dto::{AppState, SetupInput};
use folgesvenn_app_core::{AppCore, CommandError};
use tauri::State;

#[tauri::command]
pub async fn app_state(core: State<'_, AppCore>) -> Result<AppState, CommandError> {
    core.state()
}

#[tauri::command]
pub async fn setup_device(
    core: State<'_, AppCore>,
    input: SetupInput,
) -> Result<AppState, CommandError> {
    core.setup(input)
}

#[tauri::command]
pub async fn unlock(
    core: State<'_, AppCore>,
    passphrase: Option<String>,
) -> Result<AppState, CommandError> {
    core.unlock(passphrase)
}

#[tauri::command]
pub async fn lock_device(core: State<'_, AppCore>) -> Result<AppState, CommandError> {
    core.lock()
}

#[tauri::command]
pub async fn set_lock_after(
    core: State<'_, AppCore>,
    minutes: u32,
) -> Result<AppState, CommandError> {
    core.set_lock_after(minutes)
}
