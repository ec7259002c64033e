//! What the relay keeps, behind one small trait with two backends: SQLite (`sqlite.rs`, one relay
//! process) and PostgreSQL (`postgres.rs`, several processes on one cluster).
//!
//! The relay stores, per document, an append-only log of sealed records with a server sequence
//! number; devices and their public keys; document membership with an optional expiry; and
//! invitations (only a hash of their secret). It never sees a document key or any plaintext.

use folgesvenn_protocol::wire::{CreateInvitation, MemberRole, StoredRecord};
use folgesvenn_protocol::{PublicKey, SealedRecord};
use uuid::Uuid;

/// What a backend reports; no backend's own types cross this line.
#[derive(Clone, Debug, thiserror::Error)]
pub enum StorageError {
    /// The database answered with an error.
    #[error("database error: {0}")]
    Db(String),
    /// The database cannot be reached now (restarting, failing over); the relay answers 503 and
    /// the devices try again later.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("stored data is malformed: {0}")]
    Malformed(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Registered {
    New,
    Known,
    /// The device id is taken by another key.
    Conflict,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Membership {
    pub role: MemberRole,
    /// For employer members: 12 weeks after the placement's end, in Unix milliseconds.
    pub expires_at_ms: Option<i64>,
    /// The highest cursor the relay has handed this device for the document. A snapshot from it
    /// may cover no more, and a cursor it claims beyond this is not believed.
    pub served_through: u64,
}

impl Membership {
    /// A membership as both backends store it: the role, the placement's last day (days since
    /// 1970) from which an employer's access runs out, and the cursor served.
    pub(crate) fn stored(role: MemberRole, end_day: Option<i64>, served_through: i64) -> Self {
        let expires_at_ms = match (role, end_day) {
            (MemberRole::Employer, Some(d)) => {
                Some((d + folgesvenn_protocol::wire::EMPLOYER_ACCESS_DAYS + 1) * 86_400_000)
            }
            _ => None,
        };
        Membership {
            role,
            expires_at_ms,
            served_through: served_through.max(0) as u64,
        }
    }
}

/// One row of [`RelayStorage::memberships_of`] as both backends read it.
pub(crate) fn member_row(
    doc: &str,
    role: &str,
    end_day: Option<i64>,
    served_through: i64,
    latest: i64,
) -> Result<(Uuid, Membership, u64), StorageError> {
    let doc = doc
        .parse()
        .map_err(|_| StorageError::Malformed("doc id".into()))?;
    Ok((
        doc,
        Membership::stored(role_from(role)?, end_day, served_through),
        latest.max(0) as u64,
    ))
}

/// A role as both backends store it.
pub(crate) fn role_code(r: MemberRole) -> &'static str {
    match r {
        MemberRole::Adviser => "adviser",
        MemberRole::Employer => "employer",
    }
}

pub(crate) fn role_from(s: &str) -> Result<MemberRole, StorageError> {
    match s {
        "adviser" => Ok(MemberRole::Adviser),
        "employer" => Ok(MemberRole::Employer),
        other => Err(StorageError::Malformed(format!("role {other}"))),
    }
}

/// One document's share of a sync answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pulled {
    pub records: Vec<StoredRecord>,
    /// The server sequence number to ask from next.
    pub cursor: u64,
    /// More records wait.
    pub more: bool,
    /// Encoded size of `records`, charged to the answer's budget.
    pub bytes: usize,
}

impl Pulled {
    /// Nothing after `since`.
    pub(crate) fn nothing(since: u64) -> Pulled {
        Pulled {
            records: Vec::new(),
            cursor: since,
            more: false,
            bytes: 0,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Created {
    Created,
    /// The caller already created it (a retry).
    AlreadyMember,
    /// Someone else's document.
    Taken,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Accept {
    Accepted { doc_id: Uuid, role: MemberRole },
    Unknown,
    Used,
    Expired,
}

/// The result of offering one record for a document's log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Appended {
    Stored(u64),
    /// The same (device, device sequence) was stored before: idempotent success.
    Duplicate(u64),
}

pub trait RelayStorage: Send + Sync + 'static {
    fn register_device(
        &self,
        device: Uuid,
        key: &PublicKey,
        now_ms: i64,
    ) -> Result<Registered, StorageError>;
    fn device_key(&self, device: Uuid) -> Result<Option<PublicKey>, StorageError>;
    /// Records a (device, nonce) pair and says whether it is fresh (not seen before), forgetting
    /// pairs older than `forget_before_ms`; on a database several relay processes share, it also
    /// reads the membership epoch in the same statement (see `cache.rs`).
    fn check_nonce(
        &self,
        device: Uuid,
        nonce: &str,
        time_ms: i64,
        forget_before_ms: i64,
    ) -> Result<NonceCheck, StorageError>;
    /// [`RelayStorage::check_nonce`]'s answer alone: false if the pair was seen before.
    fn fresh_nonce(
        &self,
        device: Uuid,
        nonce: &str,
        time_ms: i64,
        forget_before_ms: i64,
    ) -> Result<bool, StorageError> {
        Ok(self
            .check_nonce(device, nonce, time_ms, forget_before_ms)?
            .fresh)
    }
    fn create_doc(&self, doc: Uuid, creator: Uuid, now_ms: i64) -> Result<Created, StorageError>;
    fn membership(&self, doc: Uuid, device: Uuid) -> Result<Option<Membership>, StorageError>;
    /// [`RelayStorage::membership`], with `served_through` at least `claimed` if the database
    /// says so: a cache reads its entry afresh when a device claims more than it holds.
    fn membership_covering(
        &self,
        doc: Uuid,
        device: Uuid,
        claimed: u64,
    ) -> Result<Option<Membership>, StorageError> {
        let _ = claimed;
        self.membership(doc, device)
    }
    /// How many documents `device` has created (its quota).
    fn docs_created_by(&self, device: Uuid) -> Result<u64, StorageError>;
    /// Every document `device` is a member of: its membership and the highest sequence number
    /// stored in it (what `/v2/news` compares with the device's cursors).
    fn memberships_of(&self, device: Uuid) -> Result<Vec<(Uuid, Membership, u64)>, StorageError>;
    fn set_end_day(&self, doc: Uuid, end_day: Option<i64>) -> Result<(), StorageError>;
    /// Stores an invitation (only the hash of its secret) and, if it has one, its short code's
    /// sealed bundle. False if the invitation id exists already.
    fn create_invitation(
        &self,
        invitation: &CreateInvitation,
        created_by: Uuid,
    ) -> Result<bool, StorageError>;
    /// The sealed bundle filed under `lookup`, if its invitation is unexpired and unused, or used
    /// by `device` itself less than [`RETAKE_AFTER_USE_MS`] ago (a join it is taking again).
    ///
    /// [`RETAKE_AFTER_USE_MS`]: folgesvenn_protocol::bundle::RETAKE_AFTER_USE_MS
    fn fetch_bundle(
        &self,
        lookup: &[u8; 32],
        device: Uuid,
        now_ms: i64,
    ) -> Result<Option<Vec<u8>>, StorageError>;
    fn accept_invitation(
        &self,
        invitation: Uuid,
        secret_hash: &[u8; 32],
        device: Uuid,
        now_ms: i64,
    ) -> Result<Accept, StorageError>;
    /// Ends a device's membership at once, and voids the unused invitations it made.
    fn remove_member(&self, doc: Uuid, device: Uuid) -> Result<bool, StorageError>;
    /// Bytes of record bodies the relay holds for `doc` (its quota).
    fn doc_bytes(&self, doc: Uuid) -> Result<u64, StorageError>;
    /// Whether the relay holds `device`'s record `device_seq` of `doc` (a repeat is acknowledged
    /// again, never refused for want of room).
    fn has_record(&self, doc: Uuid, device: Uuid, device_seq: u64) -> Result<bool, StorageError>;
    /// Appends records in one transaction; a snapshot also drops the records it covers.
    fn append(
        &self,
        doc: Uuid,
        records: &[SealedRecord],
        now_ms: i64,
    ) -> Result<Vec<Appended>, StorageError>;
    /// Records after `since` that `reader` did not send, oldest first, up to `max_bytes`; with
    /// `first` (nothing else in the answer yet) at least one, however large, so a record bigger
    /// than the budget cannot stop a reader for good.
    fn pull(
        &self,
        doc: Uuid,
        since: u64,
        reader: Uuid,
        max_bytes: usize,
        first: bool,
    ) -> Result<Pulled, StorageError>;
    /// Notes that `device` was handed `cursor` for `doc` (kept only if higher than before).
    fn served(&self, doc: Uuid, device: Uuid, cursor: u64) -> Result<(), StorageError>;
    /// The highest server sequence number stored for `doc` (0 if none).
    fn latest(&self, doc: Uuid) -> Result<u64, StorageError>;
    /// Calls `appended(doc, seq, sender)` for records other relay processes store in the same
    /// database, from now on, so this process's waiting devices hear of them. The default: no
    /// other process shares the database (SQLite), and the API tells its own waiters itself.
    fn listen(&self, appended: OnAppend) -> Result<(), StorageError> {
        let _ = appended;
        Ok(())
    }
    /// Uploads stored and the commits (flushes) they took so far: group commit at work.
    fn commits(&self) -> Commits;
    /// Whether the database answers now and takes writes: the readiness check (`/readyz`).
    fn ready(&self) -> Result<(), StorageError>;
}

/// See [`RelayStorage::check_nonce`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NonceCheck {
    /// Not seen before: the request is no replay.
    pub fresh: bool,
    /// Raised by every change of membership, in its own transaction (PostgreSQL); `None` where
    /// only one process writes the database.
    pub members_epoch: Option<i64>,
}

/// See [`RelayStorage::commits`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Commits {
    pub uploads: u64,
    pub commits: u64,
}

/// One upload waiting for its group commit (`group.rs`): a document's accepted records, encoded
/// as the relay stores them, owned so that whichever caller leads the batch can write them.
pub(crate) struct AppendJob {
    pub doc: Uuid,
    pub records: Vec<NewRecord>,
    pub now_ms: i64,
}

pub(crate) struct NewRecord {
    pub device: String,
    pub device_seq: i64,
    pub kind: folgesvenn_protocol::RecordKind,
    pub covers_through: i64,
    pub body: Vec<u8>,
}

impl AppendJob {
    pub fn new(doc: Uuid, records: &[SealedRecord], now_ms: i64) -> AppendJob {
        AppendJob {
            doc,
            records: records
                .iter()
                .map(|r| NewRecord {
                    device: r.header.device_id.to_string(),
                    device_seq: r.header.device_seq as i64,
                    kind: r.header.kind,
                    covers_through: r.header.covers_through as i64,
                    body: folgesvenn_protocol::wire::encode(r),
                })
                .collect(),
            now_ms,
        }
    }

    /// A snapshot that replaces what it covers (see the backends' `append_one`).
    pub fn compacts(r: &NewRecord) -> bool {
        r.kind == folgesvenn_protocol::RecordKind::Snapshot && r.covers_through > 0
    }

    /// The sender of the job's last record, for the live-update notice.
    pub fn sender(&self) -> &str {
        self.records.last().map_or("", |r| r.device.as_str())
    }
}

/// A whole batch failed (its transaction did not commit): each job in it gets the error.
pub(crate) fn each_failed<T>(jobs: usize, e: StorageError) -> Vec<Result<T, StorageError>> {
    (0..jobs).map(|_| Err(e.clone())).collect()
}

/// What [`RelayStorage::listen`] calls: a document, the sequence number stored, its sender.
pub type OnAppend = std::sync::Arc<dyn Fn(Uuid, u64, Uuid) + Send + Sync>;

/// One record of a document's log as a backend reads it, before it is decoded.
pub(crate) struct LogRow {
    pub seq: u64,
    pub sender: String,
    pub body: Vec<u8>,
    pub sender_key: Vec<u8>,
}

impl LogRow {
    /// The record as served, and its size.
    fn stored(self) -> Result<(StoredRecord, usize), StorageError> {
        let record: SealedRecord = folgesvenn_protocol::wire::decode(&self.body)
            .map_err(|e| StorageError::Malformed(e.to_string()))?;
        let sender_key = PublicKey(
            self.sender_key
                .try_into()
                .map_err(|_| StorageError::Malformed("public key".into()))?,
        );
        Ok((
            StoredRecord {
                server_seq: self.seq,
                sender_key,
                record,
            },
            self.body.len(),
        ))
    }
}

/// How a backend reads one document's log for [`pull_from`].
pub(crate) trait LogReader {
    /// The snapshots stored after `since`.
    fn snapshots_after(&mut self, since: u64) -> Result<Vec<LogRow>, StorageError>;
    /// The roster records in `since < seq <= through`, oldest first.
    fn roster_between(&mut self, since: u64, through: u64) -> Result<Vec<LogRow>, StorageError>;
    /// The records after `from`, oldest first, each handed to `each` until it returns false.
    fn each_after(
        &mut self,
        from: u64,
        each: &mut dyn FnMut(LogRow) -> Result<bool, StorageError>,
    ) -> Result<(), StorageError>;
}

/// `RelayStorage::pull` over any backend's log: the records after `since` that `reader` did not
/// send, oldest first, up to `max_bytes` (with `first`, at least one). A reader behind the newest
/// snapshot gets that snapshot first, after the roster records it covers (they hold the keys to
/// open it with): the records it covers are gone (but each device's newest, kept for
/// idempotency), and the records stored after it may build on them, so served in plain order they
/// would arrive before what they need.
pub(crate) fn pull_from(
    log: &mut dyn LogReader,
    since: u64,
    reader: &str,
    max_bytes: usize,
    first: bool,
) -> Result<Pulled, StorageError> {
    let mut out: Vec<StoredRecord> = Vec::new();
    let mut cursor = since;
    let mut bytes = 0usize;
    let mut skip = None;
    // Whether one more record of `len` bytes fits in this answer.
    let fits = |out: &Vec<StoredRecord>, bytes: usize, len: usize| {
        (first && out.is_empty()) || bytes + len <= max_bytes
    };
    let mut best: Option<(u64, LogRow)> = None;
    for row in log.snapshots_after(since)? {
        let record: SealedRecord = folgesvenn_protocol::wire::decode(&row.body)
            .map_err(|e| StorageError::Malformed(e.to_string()))?;
        let covers = record.header.covers_through;
        if covers > since && best.as_ref().is_none_or(|b| covers > b.0) {
            best = Some((covers, row));
        }
    }
    if let Some((covers, snapshot)) = best {
        // The roster records it covers, then the snapshot itself. Over the budget, the answer
        // stops after the last record that fit, and the next one goes on from there.
        skip = Some(snapshot.seq);
        let mut rows = log.roster_between(since, covers)?;
        rows.push(snapshot);
        for row in rows {
            let own = row.sender == reader;
            let (rec, len) = row.stored()?;
            let seq = rec.server_seq;
            if !own {
                if !fits(&out, bytes, len) {
                    return Ok(Pulled {
                        records: out,
                        cursor,
                        more: true,
                        bytes,
                    });
                }
                bytes += len;
                out.push(rec);
            }
            cursor = seq;
        }
        cursor = covers;
    }
    let mut more = false;
    log.each_after(cursor, &mut |row| {
        if row.sender == reader || Some(row.seq) == skip {
            cursor = row.seq; // the reader's own records (it has them), or the snapshot it just got
            return Ok(true);
        }
        let (stored, len) = row.stored()?;
        if !fits(&out, bytes, len) {
            more = true;
            return Ok(false);
        }
        cursor = stored.server_seq;
        bytes += len;
        out.push(stored);
        Ok(true)
    })?;
    Ok(Pulled {
        records: out,
        cursor,
        more,
        bytes,
    })
}
