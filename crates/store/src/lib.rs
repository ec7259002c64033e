//! The encrypted local store of a Følgesvenn device.
//!
//! Everything a device knows lives in one SQLCipher database: the placement documents (as automerge
//! snapshots plus incremental changes), projection tables that lists and search read, an FTS5
//! index, and a hash-chained audit log. See [`Store`] for the guarantees and [`key`] for where the
//! database key lives. This is the only crate that speaks SQL.

mod audit;
mod error;
pub mod key;
pub mod private_files;
mod projection;
mod schema;
mod search;
mod store;
mod sync_state;

pub use audit::{AuditAction, AuditEntry};
pub use error::StoreError;
pub use key::{DbKey, KeyLocation, MAX_PASSPHRASE_CHARS, MIN_PASSPHRASE_CHARS, Unlock};
pub use store::{
    Applied, COMPACT_AFTER, DocInfo, DocKind, Outcome, Overview, PlacementFacts, PlacementSummary,
    PlacementView, PlanItem, SearchHit, Store, TimelineItem, epoch_day,
};
pub use sync_state::{
    Anchor, EpochKey, OUTBOX_CHANGES, OUTBOX_ROSTER, OUTBOX_SNAPSHOT, OutboxItem, Quarantined,
    SyncDoc, SyncLogEntry,
};

#[cfg(test)]
mod remnant_tests;
#[cfg(test)]
mod tests;
