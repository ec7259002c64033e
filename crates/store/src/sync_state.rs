//! What the store keeps for sync: per document its key, relay, cursor and next device sequence
//! number; the outbox of local changes (queued → sent → acked); records quarantined with their
//! reason; and a readable sync log. The sync engine (`folgesvenn-sync`) drives these; the store
//! only keeps them consistent with the documents, in the same transactions.

use folgesvenn_domain::{LogEvent, Moment, Notice, Role};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use uuid::Uuid;
use zeroize::Zeroizing;

use crate::document::DocKind;
use crate::sync_rows::{OUTBOX_ROSTER, OUTBOX_SNAPSHOT, enqueue, set_cursor, signing_key};
use crate::{Store, StoreError, rows};

/// A document that syncs, as the sync engine needs it.
#[derive(Debug)]
pub struct SyncDoc {
    pub doc_id: Uuid,
    pub placement_id: Uuid,
    pub kind: DocKind,
    pub doc_key: Zeroizing<Vec<u8>>,
    pub epoch: u32,
    pub relay: String,
    pub cursor: u64,
    pub joined: bool,
    pub invitation: Option<String>,
    /// The adviser device that created the document: its id, public key and person.
    pub anchor: Option<Anchor>,
}

/// A document key and the epoch it belongs to.
pub type EpochKey = (u32, Zeroizing<Vec<u8>>);

/// The device a document's membership starts from (see `folgesvenn_protocol::roster`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Anchor {
    pub device: Uuid,
    pub key: Vec<u8>,
    pub box_key: Vec<u8>,
    pub name: String,
}

/// A local change waiting for the relay's acknowledgement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxItem {
    pub device_seq: u64,
    pub kind: u8,
    pub payload: Vec<u8>,
    pub state: String,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Quarantined {
    pub server_seq: u64,
    pub sender: String,
    pub reason: Notice,
    pub at: String,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct SyncLogEntry {
    pub at: String,
    pub event: Notice,
}

impl Store {
    /// Starts syncing a document through `relay` with `doc_key`. With `upload_existing`, all of
    /// the document so far is queued as the first record (the device that created it); a device
    /// that received the document from another skips that.
    pub fn enable_sync(
        &mut self,
        doc_id: Uuid,
        doc_key: &[u8],
        epoch: u32,
        relay: &str,
        upload_existing: bool,
        invitation: Option<&str>,
    ) -> Result<(), StoreError> {
        self.ensure_loaded(doc_id)?;
        let at = self.stamp().at;
        let saved = match self.docs.get_mut(&doc_id) {
            Some(l) if upload_existing => Some(l.doc.am().save()),
            _ => None,
        };
        let tx = self.conn.savepoint()?;
        tx.execute(
            "INSERT INTO sync_docs (doc_id, doc_key, epoch, relay, joined, invitation) VALUES (?1, ?2, ?3, ?4, 0, ?5)
             ON CONFLICT (doc_id) DO UPDATE SET relay = excluded.relay",
            params![doc_id.to_string(), doc_key, epoch, relay, invitation],
        )?;
        tx.execute(
            "INSERT OR IGNORE INTO doc_keys (doc_id, epoch, key) VALUES (?1, ?2, ?3)",
            params![doc_id.to_string(), epoch, doc_key],
        )?;
        if let Some(saved) = saved {
            enqueue(&tx, doc_id, OUTBOX_SNAPSHOT, &saved, at)?;
        }
        log(&tx, Some(doc_id), at, &Notice::event(LogEvent::SyncEnabled))?;
        tx.commit()?;
        Ok(())
    }

    pub fn sync_docs(&self) -> Result<Vec<SyncDoc>, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "{SYNC_DOC_COLUMNS} ORDER BY d.placement_id, d.kind"
        ))?;
        let rows = stmt.query_map([], sync_doc_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One document's sync state (`None` for a document not synced): what [`Store::sync_docs`]
    /// lists, without reading every other document's row.
    pub fn sync_doc(&self, doc_id: Uuid) -> Result<Option<SyncDoc>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{SYNC_DOC_COLUMNS} WHERE s.doc_id = ?1"))?;
        Ok(stmt
            .query_row([doc_id.to_string()], sync_doc_row)
            .optional()?)
    }

    /// Changes not yet acknowledged, oldest first.
    pub fn outbox(&self, doc_id: Uuid) -> Result<Vec<OutboxItem>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT device_seq, kind, payload, state FROM outbox WHERE doc_id = ?1 AND state <> 'acked' ORDER BY device_seq",
        )?;
        let rows = stmt.query_map([doc_id.to_string()], |r| {
            Ok(OutboxItem {
                device_seq: r.get::<_, i64>(0)? as u64,
                kind: r.get(1)?,
                payload: r.get(2)?,
                state: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The documents with changes not yet acknowledged, in one query: a sync that asked what is
    /// new decides with it which documents take part.
    pub fn docs_with_outbox(&self) -> Result<std::collections::HashSet<Uuid>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT DISTINCT doc_id FROM outbox WHERE state <> 'acked'")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let mut docs = std::collections::HashSet::new();
        for row in rows {
            let id = row?;
            docs.insert(id.parse().map_err(|_| StoreError::Damaged {
                path: self.db_path(),
                detail: format!("outbox doc_id {id}"),
            })?);
        }
        Ok(docs)
    }

    pub fn mark_sent(&mut self, doc_id: Uuid, seqs: &[u64]) -> Result<(), StoreError> {
        let tx = self.conn.savepoint()?;
        for s in seqs {
            tx.execute(
                "UPDATE outbox SET state = 'sent' WHERE doc_id = ?1 AND device_seq = ?2 AND state = 'queued'",
                params![doc_id.to_string(), *s as i64],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The relay holds these now. Acknowledged payloads are dropped; the row stays as a receipt.
    pub fn mark_acked(&mut self, doc_id: Uuid, seqs: &[u64]) -> Result<(), StoreError> {
        let at = self.stamp().at.to_string();
        let tx = self.conn.savepoint()?;
        for s in seqs {
            tx.execute(
                "UPDATE outbox SET state = 'acked', acked_at = ?3, payload = x'' WHERE doc_id = ?1 AND device_seq = ?2 AND state <> 'acked'",
                params![doc_id.to_string(), *s as i64, at],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The highest device sequence number this device has used for the document (0 for none): at
    /// least as many records of its own as the relay can hold.
    pub fn last_device_seq(&self, doc_id: Uuid) -> Result<u64, StoreError> {
        let next: i64 = self.conn.query_row(
            "SELECT next_device_seq FROM sync_docs WHERE doc_id = ?1",
            [doc_id.to_string()],
            |r| r.get(0),
        )?;
        Ok(next.saturating_sub(1).max(0) as u64)
    }

    /// Takes the next device sequence number for a record that is not in the outbox (a snapshot
    /// the sync engine makes on its own; if its upload is lost, the number is simply skipped).
    pub fn take_device_seq(&mut self, doc_id: Uuid) -> Result<u64, StoreError> {
        let tx = self.conn.savepoint()?;
        let seq: i64 = tx.query_row(
            "UPDATE sync_docs SET next_device_seq = next_device_seq + 1 WHERE doc_id = ?1 RETURNING next_device_seq - 1",
            [doc_id.to_string()],
            |r| r.get(0),
        )?;
        tx.commit()?;
        Ok(seq as u64)
    }

    /// Local changes of all documents still waiting for the relay's acknowledgement.
    pub fn pending_count(&self) -> Result<u64, StoreError> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM outbox WHERE state <> 'acked'",
            [],
            |r| r.get::<_, i64>(0),
        )? as u64)
    }

    /// Records held in quarantine, over all documents.
    pub fn quarantine_count(&self) -> Result<u64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM quarantine", [], |r| {
                r.get::<_, i64>(0)
            })? as u64)
    }

    /// The relay knows this device as a member now; any invitation has been used.
    pub fn set_joined(&mut self, doc_id: Uuid) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE sync_docs SET joined = 1, invitation = NULL WHERE doc_id = ?1",
            [doc_id.to_string()],
        )?;
        Ok(())
    }

    /// Keeps a record that could not be opened or applied, with its reason, and moves past it,
    /// so one bad record never blocks the rest.
    pub fn quarantine(
        &mut self,
        doc_id: Uuid,
        server_seq: u64,
        sender: &str,
        reason: &Notice,
        record: &[u8],
    ) -> Result<(), StoreError> {
        let at = self.stamp().at;
        let tx = self.conn.savepoint()?;
        tx.execute(
            "INSERT OR REPLACE INTO quarantine (doc_id, server_seq, sender, reason, record, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![doc_id.to_string(), server_seq as i64, sender, reason.to_json(), record, at.to_string()],
        )?;
        set_cursor(&tx, doc_id, server_seq)?;
        log(
            &tx,
            Some(doc_id),
            at,
            &quarantined_line(server_seq, sender, reason),
        )?;
        tx.commit()?;
        Ok(())
    }

    pub fn quarantined(&self, doc_id: Uuid) -> Result<Vec<Quarantined>, StoreError> {
        let mut stmt = self.conn.prepare("SELECT server_seq, sender, reason, at FROM quarantine WHERE doc_id = ?1 ORDER BY server_seq")?;
        let rows = stmt.query_map([doc_id.to_string()], |r| {
            Ok(Quarantined {
                server_seq: r.get::<_, i64>(0)? as u64,
                sender: r.get(1)?,
                reason: Notice::from_stored(&r.get::<_, String>(2)?),
                at: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn log_sync(&mut self, doc_id: Option<Uuid>, event: &Notice) -> Result<(), StoreError> {
        let at = self.stamp().at;
        let tx = self.conn.savepoint()?;
        log(&tx, doc_id, at, event)?;
        tx.commit()?;
        Ok(())
    }

    pub fn sync_log(&self, doc_id: Uuid, last: usize) -> Result<Vec<SyncLogEntry>, StoreError> {
        self.sync_log_of(Some(doc_id), last)
    }

    /// The entries about the device rather than one document (a placement deleted when access
    /// ended, whose own entries went with it).
    pub fn device_sync_log(&self, last: usize) -> Result<Vec<SyncLogEntry>, StoreError> {
        self.sync_log_of(None, last)
    }

    fn sync_log_of(
        &self,
        doc_id: Option<Uuid>,
        last: usize,
    ) -> Result<Vec<SyncLogEntry>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT at, event FROM (SELECT id, at, event FROM sync_log WHERE doc_id IS ?1 ORDER BY id DESC LIMIT ?2) ORDER BY id",
        )?;
        let rows = stmt.query_map(params![doc_id.map(|d| d.to_string()), last as i64], |r| {
            Ok(SyncLogEntry {
                at: r.get(0)?,
                event: Notice::from_stored(&r.get::<_, String>(1)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Keeps an invitation request that could not reach the relay, to send at the next sync.
    pub fn queue_invitation(
        &mut self,
        id: Uuid,
        doc_id: Uuid,
        body: &[u8],
    ) -> Result<(), StoreError> {
        let at = self.stamp().at;
        let tx = self.conn.savepoint()?;
        tx.execute(
            "INSERT OR REPLACE INTO pending_invitations (id, doc_id, body, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![id.to_string(), doc_id.to_string(), body, at.to_string()],
        )?;
        log(
            &tx,
            Some(doc_id),
            at,
            &Notice::event(LogEvent::InvitationWaiting),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Invitation requests waiting for the relay, oldest first: (id, document, body).
    pub fn pending_invitations(&self) -> Result<Vec<(Uuid, Uuid, Vec<u8>)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, doc_id, body FROM pending_invitations ORDER BY created_at, id")?;
        let rows = stmt.query_map([], |r| {
            Ok((rows::id(r, 0)?, rows::id(r, 1)?, r.get::<_, Vec<u8>>(2)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Forgets a waiting invitation request (sent, or refused for good), with a line in the log.
    pub fn drop_invitation(
        &mut self,
        id: Uuid,
        doc_id: Uuid,
        event: &Notice,
    ) -> Result<(), StoreError> {
        let at = self.stamp().at;
        let tx = self.conn.savepoint()?;
        tx.execute(
            "DELETE FROM pending_invitations WHERE id = ?1",
            [id.to_string()],
        )?;
        log(&tx, Some(doc_id), at, event)?;
        tx.commit()?;
        Ok(())
    }

    /// Names the device the document's membership starts from: the device that created it (this
    /// one, when it shares a placement) or the one the accepted invitation names.
    pub fn set_anchor(&mut self, doc_id: Uuid, anchor: &Anchor) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE sync_docs SET anchor_device = ?2, anchor_key = ?3, anchor_name = ?4, anchor_box = ?5 WHERE doc_id = ?1",
            params![doc_id.to_string(), anchor.device.to_string(), anchor.key, anchor.name, anchor.box_key],
        )?;
        Ok(())
    }

    /// Every key the document has had: (epoch, key), oldest first.
    pub fn doc_keys(&self, doc_id: Uuid) -> Result<Vec<EpochKey>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT epoch, key FROM doc_keys WHERE doc_id = ?1 ORDER BY epoch")?;
        let rows = stmt.query_map([doc_id.to_string()], |r| {
            Ok((r.get(0)?, Zeroizing::new(r.get(1)?)))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Keeps a document key (a rotation's); a newer epoch than the one in use becomes the key new
    /// records are sealed under. Returns whether it was new.
    pub fn add_doc_key(
        &mut self,
        doc_id: Uuid,
        epoch: u32,
        key: &[u8],
    ) -> Result<bool, StoreError> {
        let at = self.stamp().at;
        let tx = self.conn.savepoint()?;
        let added = tx.execute(
            "INSERT OR IGNORE INTO doc_keys (doc_id, epoch, key) VALUES (?1, ?2, ?3)",
            params![doc_id.to_string(), epoch, key],
        )? == 1;
        let moved = tx.execute(
            "UPDATE sync_docs SET doc_key = ?3, epoch = ?2 WHERE doc_id = ?1 AND epoch < ?2",
            params![doc_id.to_string(), epoch, key],
        )? == 1;
        if moved {
            log(
                &tx,
                Some(doc_id),
                at,
                &Notice::event(LogEvent::NewDocumentKey).with("epoch", epoch),
            )?;
        }
        tx.commit()?;
        Ok(added)
    }

    /// Fixes this device's role for a document, from the invitation it accepted.
    pub fn set_member_role(&mut self, doc_id: Uuid, role: Role) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE sync_docs SET member_role = ?2 WHERE doc_id = ?1",
            params![doc_id.to_string(), role.code()],
        )?;
        Ok(())
    }

    /// What this device may write in a document: the role its invitation fixed, and never more
    /// than the role it was set up with.
    pub(crate) fn write_role(&self, doc_id: Uuid) -> Result<Role, StoreError> {
        let fixed: Option<String> = self
            .conn
            .query_row(
                "SELECT member_role FROM sync_docs WHERE doc_id = ?1",
                [doc_id.to_string()],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        Ok(match fixed.as_deref() {
            Some("employer") => Role::Employer,
            _ => self.role(),
        })
    }

    /// Keeps membership statements (opaque bytes, each under its hash). Returns how many were new.
    pub fn add_statements(
        &mut self,
        doc_id: Uuid,
        statements: &[([u8; 32], Vec<u8>)],
    ) -> Result<usize, StoreError> {
        let tx = self.conn.savepoint()?;
        let mut added = 0;
        for (hash, bytes) in statements {
            added += tx.execute(
                "INSERT OR IGNORE INTO roster_statements (doc_id, hash, statement) VALUES (?1, ?2, ?3)",
                params![doc_id.to_string(), hash.as_slice(), bytes],
            )?;
        }
        tx.commit()?;
        Ok(added)
    }

    pub fn statements(&self, doc_id: Uuid) -> Result<Vec<Vec<u8>>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT statement FROM roster_statements WHERE doc_id = ?1 ORDER BY hash",
        )?;
        let rows = stmt.query_map([doc_id.to_string()], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The end dates this device's own writes set (or cleared, `None`) that the relay has not
    /// heard of yet: (shared document, days since 1970-01-01).
    pub fn end_day_notices(&self) -> Result<Vec<(Uuid, Option<i64>)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT doc_id, end_day FROM end_day_notices ORDER BY doc_id")?;
        let rows = stmt.query_map([], |r| Ok((rows::id(r, 0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The relay has this end date; a newer write since then keeps its own notice.
    pub fn end_day_told(&mut self, doc_id: Uuid, end_day: Option<i64>) -> Result<(), StoreError> {
        self.conn.execute(
            "DELETE FROM end_day_notices WHERE doc_id = ?1 AND end_day IS ?2",
            params![doc_id.to_string(), end_day],
        )?;
        Ok(())
    }

    /// Queues signed membership statements as the document's next record.
    pub fn queue_roster(&mut self, doc_id: Uuid, payload: &[u8]) -> Result<(), StoreError> {
        let at = self.stamp().at;
        let tx = self.conn.savepoint()?;
        enqueue(&tx, doc_id, OUTBOX_ROSTER, payload, at)?;
        tx.commit()?;
        Ok(())
    }

    /// The quarantined records of a document (server sequence number and the record's bytes), to
    /// try again once more is known (a member the roster did not have yet).
    pub fn quarantined_records(&self, doc_id: Uuid) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT server_seq, record FROM quarantine WHERE doc_id = ?1 ORDER BY server_seq",
        )?;
        let rows = stmt.query_map([doc_id.to_string()], |r| {
            Ok((r.get::<_, i64>(0)? as u64, r.get(1)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Takes a record out of quarantine once it has been applied after all.
    pub fn release(
        &mut self,
        doc_id: Uuid,
        server_seq: u64,
        event: &Notice,
    ) -> Result<(), StoreError> {
        let at = self.stamp().at;
        let tx = self.conn.savepoint()?;
        tx.execute(
            "DELETE FROM quarantine WHERE doc_id = ?1 AND server_seq = ?2",
            params![doc_id.to_string(), server_seq as i64],
        )?;
        log(&tx, Some(doc_id), at, event)?;
        tx.commit()?;
        Ok(())
    }

    /// Moves the document's cursor forward (never back), e.g. past the device's own records.
    pub fn advance_cursor(&mut self, doc_id: Uuid, cursor: u64) -> Result<(), StoreError> {
        let tx = self.conn.savepoint()?;
        set_cursor(&tx, doc_id, cursor)?;
        tx.commit()?;
        Ok(())
    }

    pub fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    /// Every `meta` entry whose key starts with `prefix`, keyed by the rest of the key, in one
    /// query (a per-document setting read for thousands of documents at once).
    pub fn meta_with_prefix(
        &self,
        prefix: &str,
    ) -> Result<std::collections::HashMap<String, String>, StoreError> {
        // Keys compare as UTF-8 bytes: every key with the prefix sorts below prefix + U+10FFFF.
        let mut stmt = self
            .conn
            .prepare("SELECT key, value FROM meta WHERE key >= ?1 AND key < ?2")?;
        let rows = stmt.query_map([prefix.to_owned(), format!("{prefix}\u{10FFFF}")], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut out = std::collections::HashMap::new();
        for row in rows {
            let (key, value) = row?;
            if let Some(rest) = key.strip_prefix(prefix) {
                out.insert(rest.to_owned(), value);
            }
        }
        Ok(out)
    }

    pub fn delete_meta(&mut self, key: &str) -> Result<(), StoreError> {
        self.conn
            .execute("DELETE FROM meta WHERE key = ?1", [key])?;
        Ok(())
    }

    pub fn set_meta(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, value],
        )?;
        Ok(())
    }

    /// This device's Ed25519 signing key for the relay, created on first use. It lives only in the
    /// encrypted database.
    pub fn device_signing_key(&mut self) -> Result<Zeroizing<Vec<u8>>, StoreError> {
        let path = self.db_path();
        signing_key(&self.conn)?.ok_or(StoreError::Damaged {
            path,
            detail: "device_signing_key".into(),
        })
    }
}

/// The log line of a quarantined record: its reason's code as `reason`, beside its parameters.
fn quarantined_line(server_seq: u64, sender: &str, reason: &Notice) -> Notice {
    let mut line = Notice::event(LogEvent::RecordQuarantined);
    line.params.extend(reason.params.clone());
    line.with("reason", &reason.code)
        .with("seq", server_seq)
        .with("sender", sender)
}

fn log(
    tx: &Connection,
    doc_id: Option<Uuid>,
    at: Moment,
    event: &Notice,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO sync_log (doc_id, at, event) VALUES (?1, ?2, ?3)",
        params![
            doc_id.map(|d| d.to_string()),
            at.to_string(),
            event.to_json()
        ],
    )?;
    Ok(())
}

/// The columns of a document's sync state; `sync_doc_row` reads them.
const SYNC_DOC_COLUMNS: &str = "SELECT s.doc_id, d.placement_id, d.kind, s.doc_key, s.epoch, s.relay, s.cursor, s.joined, s.invitation,
        s.anchor_device, s.anchor_key, s.anchor_name, s.anchor_box
 FROM sync_docs s JOIN documents d ON d.id = s.doc_id";

fn sync_doc_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SyncDoc> {
    Ok(SyncDoc {
        doc_id: rows::id(r, 0)?,
        placement_id: rows::id(r, 1)?,
        kind: DocKind::from_code(&r.get::<_, String>(2)?).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                2,
                rusqlite::types::Type::Text,
                "not a document kind".into(),
            )
        })?,
        doc_key: Zeroizing::new(r.get(3)?),
        epoch: r.get(4)?,
        relay: r.get(5)?,
        cursor: r.get::<_, i64>(6)? as u64,
        joined: r.get::<_, i64>(7)? == 1,
        invitation: r.get(8)?,
        anchor: match (
            r.get::<_, Option<String>>(9)?,
            r.get::<_, Option<Vec<u8>>>(10)?,
            r.get::<_, Option<String>>(11)?,
        ) {
            (Some(_), Some(key), name) => Some(Anchor {
                device: rows::id(r, 9)?,
                key,
                box_key: r
                    .get::<_, Option<Vec<u8>>>(12)
                    .ok()
                    .flatten()
                    .unwrap_or_default(),
                name: name.unwrap_or_default(),
            }),
            _ => None,
        },
    })
}
