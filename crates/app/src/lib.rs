//! The app's core, without the window: everything a Tauri command does, as plain Rust that tests
//! can call without WebKit. `src-tauri/` only wraps these methods in `#[tauri::command]`s and
//! forwards the sync status as events.
//!
//! - [`dto`]: the view models the UI receives and sends (camelCase JSON), exported to
//!   `ui/src/bindings/` with ts-rs; `cargo xtask test` checks the committed files are fresh.
//! - [`rules`]: the closed sets and limits the UI checks, written to `ui/src/bindings/rules.ts`
//!   from the domain's and the store's own constants; checked fresh the same way.
//! - [`AppCore`]: the device's data directory, first-run set-up, unlock, the commands, and the
//!   background sync started once the store is open.

mod core;
pub mod dto;
mod edit;
mod export;
pub mod rules;

pub use crate::core::{AppCore, LOCK_AFTER_DEFAULT_MINUTES, LOCK_AFTER_MINUTES, Settings};
pub use dto::CommandError;
pub use export::ExportWatch;
