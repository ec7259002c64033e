//! The Tauri shell: a window, the app's commands (thin wrappers over `folgesvenn-app-core`,
//! grouped per feature in `commands/`), and the sync status forwarded as `sync-status` events.
//! `run()` is also the mobile entry point.

mod commands;

use std::path::PathBuf;

use folgesvenn_app_core::AppCore;
use tauri::{Emitter, Manager};

/// Where the device keeps its data: `FOLGESVENN_DATA_DIR` if set (a second instance in the demo,
/// the tests), else the platform's app data directory.
fn data_dir(app: &tauri::App) -> Result<PathBuf, Box<dyn std::error::Error>> {
    match std::env::var_os("FOLGESVENN_DATA_DIR") {
        Some(d) => Ok(PathBuf::from(d)),
        None => Ok(app.path().app_data_dir()?),
    }
}

/// WebKitGTK on Linux, set for a forms app: no accelerated compositing (under software rendering
/// its layers cost the web process about 80 MiB, and nothing here animates), and the cache model
/// of a single-document viewer (no back/forward page cache, a small memory cache: every screen's
/// data comes from commands, never from the network).
#[cfg(target_os = "linux")]
fn lighter_webkit(webview: tauri::webview::PlatformWebview) {
    use webkit2gtk::{
        CacheModel, HardwareAccelerationPolicy, SettingsExt, WebContextExt, WebViewExt,
    };
    let view = webview.inner();
    if let Some(settings) = WebViewExt::settings(&view) {
        settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
        settings.set_enable_page_cache(false);
    }
    if let Some(context) = view.context() {
        context.set_cache_model(CacheModel::DocumentViewer);
    }
}

/// JavaScriptCore (in WebKit's web process) grows its heap as on a machine with less than 16 GB,
/// however much this one has. On 16 GB and more, WebKitGTK 2.50 lets a small heap grow to up to
/// four times what survived the last collection before it collects again; the web process then
/// sat idle at 139–187 MiB of heap, against 109–121 MiB without that (BENCHMARKS.md, the app's
/// figures). JavaScriptCore reads its options from `JSC_<name>` in the environment, which the web
/// process inherits from this one; a value already set is left as it is.
///
/// Through GLib's `g_setenv`: like any change to a process's environment (the reason Rust's own
/// `set_var` is `unsafe`, which this workspace forbids), it must come before any other thread
/// reads the environment, and it is the first thing `run` does, before GTK, WebKit or any thread
/// of ours starts. Starting the app again with the variable set (an `exec`) cost 100–150 ms of
/// cold start here, loading every library twice.
#[cfg(target_os = "linux")]
fn javascript_heap_as_on_smaller_machines() {
    const OPTION: &str = "JSC_aggressiveHeapThresholdInMB";
    if let Err(e) = webkit2gtk::glib::setenv(OPTION, "1048576", false) {
        eprintln!("folgesvenn: kunne ikke sette {OPTION}: {e}");
    }
}

#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    #[cfg(target_os = "linux")]
    javascript_heap_as_on_smaller_machines();
    tauri::Builder::default()
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_dialog::init())
        .setup(|app| {
            let dir = data_dir(app)?;
            let handle = app.handle().clone();
            let core = AppCore::new(dir, move |status| {
                let _ = handle.emit("sync-status", status);
            })?;
            app.manage(core);
            #[cfg(target_os = "linux")]
            if let Some(window) = app.get_webview_window("main") {
                window.with_webview(lighter_webkit)?;
            }
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::device::app_state,
            commands::device::setup_device,
            commands::device::unlock,
            commands::device::lock_device,
            commands::device::set_lock_after,
            commands::placements::list_placements,
            commands::placements::search_placements,
            commands::placements::create_placement,
            commands::placements::placement_overview,
            commands::placements::log_observation,
            commands::placements::activate_placement,
            commands::placements::close_placement,
            commands::placements::reopen_placement,
            commands::sync::sync_status,
            commands::sync::sync_now,
            commands::drafts::save_draft,
            commands::drafts::load_draft,
            commands::drafts::clear_draft,
            commands::visits::record_visit,
            commands::visits::get_visit,
            commands::visits::acknowledge_request,
            commands::visits::resolve_request,
            commands::pairing::invite_employer,
            commands::pairing::invite_own_device,
            commands::pairing::invite_new_device,
            commands::pairing::remove_device_everywhere,
            commands::pairing::join_placement,
            commands::pairing::placement_members,
            commands::pairing::remove_device,
            commands::sync::placement_sync_log,
            commands::plan::add_training_task,
            commands::plan::set_task_status,
            commands::plan::set_action_status,
            commands::plan::add_note,
            commands::plan::edit_note,
            commands::plan::settle_conflict,
            commands::plan::record_history,
            commands::export::export_access,
            commands::export::export_visit_report,
            commands::export::export_placement_summary,
            commands::export::cancel_export,
            commands::plan::record_values,
            commands::plan::edit_record,
            commands::plan::set_response_time,
            commands::plan::add_goal,
            commands::plan::add_adaptation,
            commands::plan::add_contact_person,
            commands::consent::placement_consents,
            commands::consent::give_consent,
            commands::consent::withdraw_consent,
        ])
        .run(tauri::generate_context!())
        .expect("Følgesvenn could not start its window");
}
