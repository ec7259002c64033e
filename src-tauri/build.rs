//! Declares the app's own commands, so each gets a permission (`allow-<command>`) and the window
//! may call only those its capability (`capabilities/main.json`) grants.

/// Every command the UI calls, declared once: `cargo xtask lint` (`xtask/src/commands.rs`) fails
/// unless `src/lib.rs`, `capabilities/main.json`, `ui/src/api.ts` and the preview name the same.
const COMMANDS: &[&str] = &[
    "app_state",
    "setup_device",
    "unlock",
    "lock_device",
    "set_lock_after",
    "list_placements",
    "search_placements",
    "create_placement",
    "placement_overview",
    "log_observation",
    "activate_placement",
    "close_placement",
    "reopen_placement",
    "sync_status",
    "sync_now",
    "save_draft",
    "load_draft",
    "clear_draft",
    "record_visit",
    "get_visit",
    "acknowledge_request",
    "resolve_request",
    "invite_employer",
    "invite_own_device",
    "invite_new_device",
    "remove_device_everywhere",
    "join_placement",
    "placement_members",
    "remove_device",
    "placement_sync_log",
    "add_training_task",
    "set_task_status",
    "set_action_status",
    "add_note",
    "edit_note",
    "settle_conflict",
    "record_history",
    "record_values",
    "edit_record",
    "set_response_time",
    "add_goal",
    "add_adaptation",
    "add_contact_person",
    "placement_consents",
    "give_consent",
    "withdraw_consent",
    "export_access",
    "export_visit_report",
    "export_placement_summary",
    "cancel_export",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build failed");
}
