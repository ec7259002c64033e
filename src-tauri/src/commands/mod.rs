//! The commands the window may call, one module per feature. Each is `async` so it runs off the
//! UI thread (unlocking takes Argon2id's ≈0.3 s) and only forwards to `AppCore`.

pub mod device;
pub mod drafts;
pub mod placements;
pub mod sync;
