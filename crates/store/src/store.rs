//! The encrypted local store of one device: the `Store` handle and who it acts as.
//!
//! One SQLCipher database per device holds every placement document it may see, their
//! projections, the full-text index and the audit log. Documents are kept as a snapshot plus the
//! changes saved after it; every change is written in one transaction together with the
//! projection rows and audit entries it affects, with WAL and `synchronous=FULL`, so that a change
//! the store has confirmed survives a crash or a pulled battery, and a change it has not confirmed
//! leaves no trace.
//!
//! `Store`'s methods live in the module of their concern: opening (`open`), documents in memory
//! and for sync (`docs`), the write path (`write`), reading the projection (`read`, `search`),
//! applying other devices' records (`remote`), drafts, purging and diagnostics. This module holds
//! only the handle itself and what all of them share.

use std::collections::HashMap;
use std::path::PathBuf;

use folgesvenn_domain::automerge::ActorId;
use folgesvenn_domain::{Day, Moment, Role, Stamp};
use rusqlite::Connection;
use uuid::Uuid;

use crate::StoreError;
use crate::audit::{self, AuditAction};
use crate::clock::Clock;
use crate::document::Loaded;

/// A person acting through a device, as the audit log names them: this device's own user, or
/// the author of a record received from another member.
#[derive(Clone, Debug)]
pub(crate) struct Author {
    pub(crate) device: Uuid,
    pub(crate) name: String,
    pub(crate) role: Role,
}

pub struct Store {
    pub(crate) conn: Connection,
    pub(crate) dir: PathBuf,
    /// This device and its user.
    pub(crate) me: Author,
    /// Documents in memory: at most `MAX_LOADED` clean ones (see `Store::keep_loaded`).
    pub(crate) docs: HashMap<Uuid, Loaded>,
    /// How many times a document was asked for: the clock of `Loaded::used`.
    pub(crate) asked: u64,
    pub(crate) clock: Clock,
    pub(crate) compact_after: usize,
}

impl Store {
    /// Replaces the clock (tests, demos with a fixed date).
    pub fn set_clock(&mut self, clock: impl Fn() -> (Moment, Day) + Send + 'static) {
        self.clock = Box::new(clock);
    }

    pub fn set_compact_after(&mut self, changes: usize) {
        self.compact_after = changes.max(1);
    }

    pub fn device_id(&self) -> Uuid {
        self.me.device
    }

    pub fn role(&self) -> Role {
        self.me.role
    }

    pub fn user_name(&self) -> &str {
        &self.me.name
    }

    pub fn stamp(&self) -> Stamp {
        let (at, today) = (self.clock)();
        Stamp {
            role: self.me.role,
            name: self.me.name.clone(),
            at,
            today,
        }
    }

    /// Runs `steps` as one transaction: everything they write is on disk together, or, when
    /// they fail, nothing is (each write's own transaction is a savepoint inside it). A document
    /// the steps brought into memory or used is let go on failure, since what it was saved as is
    /// rolled back; the others stay as they were.
    pub fn atomically<T, E: From<StoreError>>(
        &mut self,
        steps: impl FnOnce(&mut Store) -> Result<T, E>,
    ) -> Result<T, E> {
        let before: HashMap<Uuid, u64> = self.docs.iter().map(|(id, l)| (*id, l.used)).collect();
        self.conn
            .execute_batch("SAVEPOINT atomically")
            .map_err(StoreError::from)?;
        match steps(self) {
            Ok(done) => {
                self.conn
                    .execute_batch("RELEASE atomically")
                    .map_err(StoreError::from)?;
                Ok(done)
            }
            Err(e) => {
                // The steps' error is the one reported, even if the rollback fails too.
                let _ = self
                    .conn
                    .execute_batch("ROLLBACK TO atomically; RELEASE atomically");
                self.docs
                    .retain(|id, l| before.get(id).is_some_and(|used| *used == l.used));
                Err(e)
            }
        }
    }

    /// The automerge actor of this device's own changes: its device id.
    pub(crate) fn actor(&self) -> ActorId {
        ActorId::from(self.me.device.as_bytes().as_slice())
    }
}

/// Appends one audit entry inside `tx`: `who` did `action` on `record` of `placement` at `at`.
pub(crate) fn audit(
    tx: &Connection,
    who: &Author,
    action: AuditAction,
    placement: Option<Uuid>,
    record: &str,
    at: Moment,
) -> Result<(), StoreError> {
    audit_each(tx, action, at, [(who, placement, record)])
}

/// Appends an audit entry inside `tx` for each `(who, placement, record)`, all `action` at `at`:
/// one signature of the log's head for them all, where one call each would sign every entry.
pub(crate) fn audit_each<'a>(
    tx: &Connection,
    action: AuditAction,
    at: Moment,
    entries: impl IntoIterator<Item = (&'a Author, Option<Uuid>, &'a str)>,
) -> Result<(), StoreError> {
    let at = at.to_string();
    audit::append(
        tx,
        entries
            .into_iter()
            .map(|(who, placement, record)| audit::Entry {
                at: &at,
                device: who.device,
                actor: &who.name,
                role: who.role.code(),
                action,
                placement,
                record,
            }),
    )
}
