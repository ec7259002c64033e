//! The device's audit log: who read, wrote or exported which of a placement's records, when, and
//! on which device.
//!
//! Entries form a hash chain: each entry's SHA-256 covers its own fields and the previous entry's
//! hash, and the newest hash (the head) is also kept in `meta`, signed with the device's Ed25519
//! key. Editing an entry breaks its own hash; removing one breaks the next entry's link; removing
//! the newest ones and moving the head back to the new last entry breaks the head's signature.
//! `verify` names the first entry where the chain breaks.
//!
//! What the signature does not do: the signing key lives in the same encrypted database, so
//! someone holding the database key can also re-sign a shortened chain. It catches an edit made
//! with SQL alone, and it makes the head a statement of this device that can be checked elsewhere
//! against the device's public key (which the relay and the placement's members know): a head
//! recorded outside the device (an export, a support case) cannot later be denied or cut back
//! without the signatures disagreeing. No local check can stop a rewrite by the key's holder.

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier};
use rusqlite::{Connection, OptionalExtension, params};
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
    const ALL: [AuditAction; 4] = [
        AuditAction::Read,
        AuditAction::Write,
        AuditAction::Export,
        AuditAction::Purge,
    ];

    fn code(self) -> &'static str {
        match self {
            AuditAction::Read => "read",
            AuditAction::Write => "write",
            AuditAction::Export => "export",
            AuditAction::Purge => "purge",
        }
    }

    /// The action an entry's code names (`AuditEntry::action`).
    pub fn from_code(code: &str) -> Option<AuditAction> {
        Self::ALL.into_iter().find(|a| a.code() == code)
    }

    /// What the person did, as a verb in a Norwegian sentence («Kari Veileder leste …»).
    pub fn label_nb(self) -> &'static str {
        match self {
            AuditAction::Read => "leste",
            AuditAction::Write => "skrev",
            AuditAction::Export => "delte (eksport)",
            AuditAction::Purge => "slettet",
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

/// What the head's signature covers: this device, the newest entry's sequence number and hash.
fn head_message(device: &str, seq: i64, hash: &[u8]) -> Vec<u8> {
    let mut m = b"folgesvenn/audit-head/v1".to_vec();
    m.extend_from_slice(&(device.len() as u64).to_be_bytes());
    m.extend_from_slice(device.as_bytes());
    m.extend_from_slice(&seq.to_be_bytes());
    m.extend_from_slice(hash);
    m
}

/// The device id and signing key the head is signed with. `verify` does not create a key: a
/// missing one means a head it cannot check.
fn device_key(conn: &Connection, create: bool) -> Result<(String, SigningKey), StoreError> {
    let device: String = conn
        .prepare_cached("SELECT value FROM meta WHERE key = 'device_id'")?
        .query_row([], |r| r.get(0))?;
    let damaged = || StoreError::AuditBroken {
        seq: 0,
        reason: "enhetens signeringsnøkkel mangler eller er skadet".into(),
    };
    let seed = if create {
        crate::sync_rows::signing_key(conn)?
    } else {
        conn.query_row(
            "SELECT value FROM meta WHERE key = 'device_signing_key'",
            [],
            |r| r.get::<_, String>(0),
        )
        .optional()?
        .and_then(|h| hex::decode(zeroize::Zeroizing::new(h).as_str()).ok())
        .map(zeroize::Zeroizing::new)
    }
    .ok_or_else(damaged)?;
    let seed: [u8; 32] = seed.as_slice().try_into().map_err(|_| damaged())?;
    Ok((device, SigningKey::from_bytes(&seed)))
}

/// Signs the head `seq:hash` and keeps it, with its signature, in `meta`.
fn put_head(conn: &Connection, seq: i64, hash: &[u8]) -> Result<(), StoreError> {
    let (device, key) = device_key(conn, true)?;
    let sig = key.sign(&head_message(&device, seq, hash));
    let mut put = conn.prepare_cached(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?;
    for (k, v) in [
        ("audit_head", format!("{seq}:{}", hex::encode(hash))),
        ("audit_head_sig", hex::encode(sig.to_bytes())),
    ] {
        put.execute([k, v.as_str()])?;
    }
    Ok(())
}

/// The newest entry's sequence number and hash; none in an empty log.
fn newest(conn: &Connection) -> Result<Option<(i64, Vec<u8>)>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// Signs the head a store written before heads were signed has (run once, by the migration that
/// introduces signing): from then on an unsigned head is a broken chain.
pub(crate) fn sign_existing_head(conn: &Connection) -> Result<(), StoreError> {
    match newest(conn)? {
        Some((seq, hash)) => put_head(conn, seq, &hash),
        None => Ok(()),
    }
}

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

/// Appends `entries` to the chain, in order, inside `tx`, and signs the new head.
pub(crate) fn append<'a>(
    tx: &Connection,
    entries: impl IntoIterator<Item = Entry<'a>>,
) -> Result<(), StoreError> {
    let (mut seq, mut prev) = match newest(tx)? {
        Some((s, h)) => (s, h),
        None => (0, GENESIS.to_vec()),
    };
    let first = seq;
    let mut insert = tx.prepare_cached(
        "INSERT INTO audit_log (seq, at, device_id, actor, role, action, placement_id, record, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    for e in entries {
        seq += 1;
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
        insert.execute(params![
            seq,
            e.at,
            device,
            e.actor,
            e.role,
            e.action.code(),
            placement,
            e.record,
            prev,
            hash.to_vec()
        ])?;
        prev = hash.to_vec();
    }
    // The head is signed once for the whole batch: an entry between its first and last is never
    // the head once the transaction commits.
    if seq > first {
        put_head(tx, seq, &prev)?;
    }
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
    // The head must be the one this device signed: whoever cuts the newest entries and moves the
    // head back to the new last one must also sign it with the device's key (which the holder of
    // the database key can take from `meta`: see the module docs for what this is worth).
    if let Some((seq, _)) = &last {
        let sig: Option<String> = conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'audit_head_sig'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        let (device, key) = device_key(conn, false)?;
        let signed = sig
            .and_then(|h| hex::decode(h).ok())
            .and_then(|b| Signature::from_slice(&b).ok())
            .is_some_and(|sig| {
                key.verifying_key()
                    .verify(&head_message(&device, *seq, &expected_prev), &sig)
                    .is_ok()
            });
        if !signed {
            return Err(StoreError::AuditBroken {
                seq: seq + 1,
                reason: "de nyeste oppføringene mangler eller er endret \
                         (hodet er ikke signert av denne enheten)"
                    .into(),
            });
        }
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
