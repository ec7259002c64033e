//! The commands the window may call, one module per feature. Each is `async` so it runs off the
//! UI thread (unlocking takes Argon2id's ≈0.3 s) and only forwards to `AppCore`.

use folgesvenn_app_core::CommandError;
use uuid::Uuid;

pub mod consent;
pub mod device;
pub mod drafts;
pub mod export;
pub mod pairing;
pub mod placements;
pub mod plan;
pub mod sync;
pub mod visits;

fn placement_id(id: &str) -> Result<Uuid, CommandError> {
    id.parse().map_err(|_| {
        CommandError::new("invalid_input", "Ukjent oppfølgingsløp.")
            .with("validation", "unknown_placement")
    })
}

fn record_id(id: &str) -> Result<Uuid, CommandError> {
    id.parse().map_err(|_| {
        CommandError::new("invalid_input", "Ukjent oppføring.").with("validation", "unknown_record")
    })
}
