//! Row functions on the sync tables (and the device key in `meta`) that the write path and the
//! audit log call inside their own transactions: queueing a local change for the relay, moving
//! a document's cursor, the device's signing key. Below `Store`: they take a connection or a
//! transaction, never the store, so the write path and `sync_state` can both use them.

use folgesvenn_domain::Moment;
use rusqlite::{Connection, OptionalExtension, params};
use uuid::Uuid;
use zeroize::Zeroizing;

use crate::StoreError;

/// What an outbox entry carries: framed changes, or a whole saved document (the first upload of a
/// document this device created, which is smaller than all its changes one by one).
pub const OUTBOX_CHANGES: u8 = 1;
pub const OUTBOX_SNAPSHOT: u8 = 2;
/// Signed membership statements (this device's claim when it joins, a removal).
pub const OUTBOX_ROSTER: u8 = 3;

/// Entries never sent are merged up to this size, so a day of offline work travels as one record.
const COALESCE_LIMIT: usize = 256 * 1024;

/// Queues `payload` (framed changes) for the relay if the document syncs. Called by the store in
/// the transaction that persists a local change. If the newest entry has not been sent yet, the
/// changes are appended to it: nobody has seen that entry, so it may still grow, and one record per
/// sync costs fewer bytes than one per keystroke-save.
pub(crate) fn queue(
    tx: &Connection,
    doc_id: Uuid,
    payload: &[u8],
    at: Moment,
) -> Result<(), StoreError> {
    let d = doc_id.to_string();
    let newest: Option<(i64, u8, Vec<u8>)> = tx
        .query_row(
            "SELECT o.device_seq, o.kind, o.payload FROM outbox o WHERE o.doc_id = ?1 AND o.state = 'queued'
             AND o.device_seq = (SELECT max(device_seq) FROM outbox WHERE doc_id = ?1)",
            [&d],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    if let Some((seq, OUTBOX_CHANGES, mut merged)) = newest
        && merged.len() + payload.len() <= COALESCE_LIMIT
        && payload.len() >= 4
    {
        merged.extend_from_slice(&payload[4..]); // both start with the same 4-byte magic
        tx.execute(
            "UPDATE outbox SET payload = ?3 WHERE doc_id = ?1 AND device_seq = ?2",
            params![d, seq, merged],
        )?;
        return Ok(());
    }
    enqueue(tx, doc_id, OUTBOX_CHANGES, payload, at)
}

pub(crate) fn enqueue(
    tx: &Connection,
    doc_id: Uuid,
    kind: u8,
    payload: &[u8],
    at: Moment,
) -> Result<(), StoreError> {
    let n = tx.execute(
        "INSERT INTO outbox (doc_id, device_seq, kind, payload, state, queued_at)
         SELECT doc_id, next_device_seq, ?4, ?2, 'queued', ?3 FROM sync_docs WHERE doc_id = ?1",
        params![doc_id.to_string(), payload, at.to_string(), kind],
    )?;
    if n == 1 {
        tx.execute(
            "UPDATE sync_docs SET next_device_seq = next_device_seq + 1 WHERE doc_id = ?1",
            [doc_id.to_string()],
        )?;
    }
    Ok(())
}

pub(crate) fn set_cursor(tx: &Connection, doc_id: Uuid, cursor: u64) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE sync_docs SET cursor = max(cursor, ?2) WHERE doc_id = ?1",
        params![doc_id.to_string(), cursor as i64],
    )?;
    Ok(())
}
/// The device's signing key (an Ed25519 seed) from `meta`, created there on first use; `None`
/// when what is stored is not a key. Shared by the relay's requests and the audit log's head.
pub(crate) fn signing_key(
    conn: &rusqlite::Connection,
) -> Result<Option<Zeroizing<Vec<u8>>>, StoreError> {
    let existing: Option<String> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'device_signing_key'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(h) = existing {
        let h = Zeroizing::new(h);
        return Ok(hex::decode(h.as_str())
            .ok()
            .filter(|k| k.len() == 32)
            .map(Zeroizing::new));
    }
    let mut key = Zeroizing::new(vec![0u8; 32]);
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, key.as_mut_slice());
    let h = Zeroizing::new(hex::encode(key.as_slice()));
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('device_signing_key', ?1)",
        [h.as_str()],
    )?;
    Ok(Some(key))
}
