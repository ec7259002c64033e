//! The encrypted local store of a Følgesvenn device.
//!
//! Everything a device knows lives in one SQLCipher database: the placement documents (as automerge
//! snapshots plus incremental changes), projection tables that lists and search read, an FTS5
//! index, and a hash-chained audit log. See [`Store`] for the guarantees and [`key`] for where the
//! database key lives. This is the only crate that speaks SQL.
//!
//! Modules, from the bottom up (a module uses only those above it in this list):
//! `error`, `rows`, `clock`, `key`, `private_files`, `schema`: plumbing; `sync_rows`, `audit`,
//! `projection`, `document`, `views`: row functions and types below the handle; `store`: the
//! [`Store`] handle; then one module per concern, each adding `Store` methods: `open`, `docs`,
//! `write`, `read`, `search`, `remote`, `drafts`, `purge`, `diagnostics`, `sync_state`.

mod access;
mod audit;
mod clock;
mod diagnostics;
mod docs;
mod document;
mod drafts;
mod error;
pub mod key;
mod open;
pub mod private_files;
mod projection;
mod purge;
mod read;
mod remote;
mod rows;
mod schema;
mod search;
mod store;
mod sync_rows;
mod sync_state;
mod views;
mod write;

pub use access::{ACCESS_SCHEMA, AccessExport, PlacementSummaryReport, VisitReport};
pub use audit::{AuditAction, AuditEntry};
pub use clock::epoch_day;
pub use diagnostics::shared_projection_tables;
pub use docs::Prepared;
pub use document::{COMPACT_AFTER, DocKind};
pub use error::StoreError;
pub use key::{DbKey, KeyLocation, MAX_PASSPHRASE_CHARS, MIN_PASSPHRASE_CHARS, Unlock};
pub use store::Store;
pub use sync_rows::{OUTBOX_CHANGES, OUTBOX_ROSTER, OUTBOX_SNAPSHOT};
pub use sync_state::{Anchor, EpochKey, OutboxItem, Quarantined, SyncDoc, SyncLogEntry};
pub use views::{
    Applied, ConsentView, DocInfo, Overview, PlacementFacts, PlacementSummary, PlacementView,
    PlanItem, SearchHit, TimelineItem,
};
pub use write::Outcome;

#[cfg(test)]
mod remnant_tests;
#[cfg(test)]
mod tests;
