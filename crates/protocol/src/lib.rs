//! The wire protocol between Følgesvenn devices and the relay, version 2 (`docs/protocol.md`).
//!
//! The relay stores and forwards records it cannot read. A record is a batch of automerge changes
//! (or a snapshot), sealed by the sending device with the document's key (XChaCha20-Poly1305)
//! and signed with the device's Ed25519 key. The associated data binds the record to its document,
//! sending device, that device's sequence number, the kind of record and the key epoch, so a
//! record copied to another document, device or position fails to open. Requests to the relay
//! are signed too, with a timestamp and a nonce against replay.
//!
//! This crate does no IO and knows nothing of HTTP libraries, SQLite or automerge: it is the
//! shared vocabulary of the relay (`folgesvenn-relay`) and the client (`folgesvenn-sync`).

pub mod answer;
pub mod auth;
pub mod bundle;
mod error;
pub mod keys;
pub mod record;
pub mod roster;
pub mod wire;

pub use error::ProtocolError;
pub use keys::{BoxKey, DeviceKey, DocKey, PublicKey};
pub use record::{RecordHeader, RecordKind, SealedRecord};

/// The protocol version this crate speaks; the relay's paths start with `/v2`. Version 2 added
/// roster records (signed membership and key rotation) and the roster inside snapshots.
pub const VERSION: u32 = 2;
