//! The device's audit log: who read, wrote or exported which of a placement's records, when, and
//! on which device.
//!
//! Entries form a hash chain: each entry's SHA-256 covers its own fields and the previous entry's
//! hash, and the newest hash is also kept in `meta`. Editing an entry breaks its own hash; removing
//! one breaks the next entry's link; removing the newest ones disagrees with `meta`. `verify` names
//! the first entry where the chain breaks. The chain makes tampering evident to anyone who checks;
//! it cannot stop someone holding the database key from rewriting all of it; no local check can.

use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::StoreError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    Read,
    Write,
    Export,
    /// Everything of a placement deleted from this device (an employer's, 12 weeks after its end).
    Purge,
}

impl AuditAction {
    fn code(self) -> &'static str {
        match self {
            AuditAction::Read => "read",
            AuditAction::Write => "write",
            AuditAction::Export => "export",
            AuditAction::Purge => "purge",
        }
    }
}

/// One entry as it is handed in; the store adds device, sequence and hashes.
pub(crate) struct Entry<'a> {
    pub at: &'a str,
    pub device: Uuid,
    pub actor: &'a str,
    pub role: &'a str,
    pub action: AuditAction,
    pub placement: Option<Uuid>,
    pub record: &'a str,
}

#[derive(Clone, Debug, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: String,
    pub device_id: String,
    pub actor: String,
    pub role: String,
    pub action: String,
    pub placement_id: Option<String>,
    pub record: String,
}

const GENESIS: [u8; 32] = [0; 32];

#[allow(clippy::too_many_arguments)]
fn entry_hash(
    prev: &[u8],
    seq: i64,
    at: &str,
    device: &str,
    actor: &str,
    role: &str,
    action: &str,
    placement: Option<&str>,
    record: &str,
) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"folgesvenn/audit/v1");
    h.update(prev);
    h.update(seq.to_be_bytes());
    // Length-prefixed so that moving text from one field to the next changes the hash.
    for field in [
        at,
        device,
        actor,
        role,
        action,
        placement.unwrap_or("\u{0}"),
        record,
    ] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    h.finalize().into()
}

pub(crate) fn append(tx: &Transaction<'_>, e: &Entry<'_>) -> Result<(), StoreError> {
    let last: Option<(i64, Vec<u8>)> = tx
        .query_row(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (seq, prev) = match last {
        Some((s, h)) => (s + 1, h),
        None => (1, GENESIS.to_vec()),
    };
    let device = e.device.to_string();
    let placement = e.placement.map(|p| p.to_string());
    let hash = entry_hash(
        &prev,
        seq,
        e.at,
        &device,
        e.actor,
        e.role,
        e.action.code(),
        placement.as_deref(),
        e.record,
    );
    tx.execute(
        "INSERT INTO audit_log (seq, at, device_id, actor, role, action, placement_id, record, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![seq, e.at, device, e.actor, e.role, e.action.code(), placement, e.record, prev, hash.to_vec()],
    )?;
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('audit_head', ?1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [format!("{seq}:{}", hex::encode(hash))],
    )?;
    Ok(())
}

/// Walks the whole chain. Returns the number of entries, or the first entry where it breaks.
pub(crate) fn verify(conn: &rusqlite::Connection) -> Result<i64, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT seq, at, device_id, actor, role, action, placement_id, record, prev_hash, hash
         FROM audit_log ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    let mut expected_prev = GENESIS.to_vec();
    let mut expected_seq = 1_i64;
    let mut last = None;
    while let Some(r) = rows.next()? {
        let seq: i64 = r.get(0)?;
        let broken = |reason: &str| StoreError::AuditBroken {
            seq,
            reason: reason.into(),
        };
        if seq != expected_seq {
            return Err(StoreError::AuditBroken {
                seq: expected_seq,
                reason: "oppføringen mangler".into(),
            });
        }
        let prev: Vec<u8> = r.get(8)?;
        let stored: Vec<u8> = r.get(9)?;
        if prev != expected_prev {
            return Err(broken("lenken til forrige oppføring stemmer ikke"));
        }
        let placement: Option<String> = r.get(6)?;
        let computed = entry_hash(
            &prev,
            seq,
            &r.get::<_, String>(1)?,
            &r.get::<_, String>(2)?,
            &r.get::<_, String>(3)?,
            &r.get::<_, String>(4)?,
            &r.get::<_, String>(5)?,
            placement.as_deref(),
            &r.get::<_, String>(7)?,
        );
        if computed.as_slice() != stored.as_slice() {
            return Err(broken("innholdet er endret"));
        }
        expected_prev = stored;
        expected_seq += 1;
        last = Some((seq, hex::encode(&expected_prev)));
    }
    let head: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'audit_head'", [], |r| {
            r.get(0)
        })
        .optional()?;
    let recorded = last.as_ref().map(|(s, h)| format!("{s}:{h}"));
    if head != recorded {
        let seq = head
            .as_deref()
            .and_then(|h| h.split(':').next())
            .and_then(|s| s.parse().ok())
            .unwrap_or(expected_seq);
        return Err(StoreError::AuditBroken {
            seq,
            reason: "de nyeste oppføringene mangler".into(),
        });
    }
    Ok(expected_seq - 1)
}

pub(crate) fn entries(
    conn: &rusqlite::Connection,
    placement: Option<Uuid>,
) -> Result<Vec<AuditEntry>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT seq, at, device_id, actor, role, action, placement_id, record FROM audit_log
         WHERE ?1 IS NULL OR placement_id = ?1 ORDER BY seq",
    )?;
    let rows = stmt.query_map([placement.map(|p| p.to_string())], |r| {
        Ok(AuditEntry {
            seq: r.get(0)?,
            at: r.get(1)?,
            device_id: r.get(2)?,
            actor: r.get(3)?,
            role: r.get(4)?,
            action: r.get(5)?,
            placement_id: r.get(6)?,
            record: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
