//! The relay's storage on an embedded SQLite database (the default).
//!
//! One connection behind a mutex: SQLite has one writer at a time anyway, and each call is a short
//! transaction. WAL with `synchronous=FULL`, so a record the relay acknowledged is on disk before
//! the answer leaves, and a SIGKILL loses none of them.
//!
//! The replay cache (every request's nonce, kept for twice the allowed clock skew) lives in a file
//! of its own beside the database (`<db>-nonces`), with its own connection and
//! `synchronous=NORMAL`: every request writes a nonce, and an fsync for each capped the relay at a
//! few hundred requests a second (`cargo xtask bench`, «Relay under load»). A killed relay still
//! loses no nonce (WAL pages are in the OS before the commit returns); only a power loss can drop
//! the newest few, which would let a captured request be replayed once within its five minutes.

use std::path::Path;
use std::sync::Mutex;

use folgesvenn_protocol::bundle::RETAKE_AFTER_USE_MS;
use folgesvenn_protocol::wire::CreateInvitation;
use folgesvenn_protocol::{PublicKey, RecordKind, SealedRecord};
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OptionalExtension, params};
use uuid::Uuid;

use crate::group::GroupCommit;
use crate::storage::*;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS devices (
    id            TEXT PRIMARY KEY,
    public_key    BLOB NOT NULL,
    registered_at INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS docs (
    id         TEXT PRIMARY KEY,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    end_day    INTEGER,
    bytes      INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX IF NOT EXISTS docs_by_creator ON docs (created_by);
CREATE TABLE IF NOT EXISTS members (
    doc_id    TEXT NOT NULL,
    device_id TEXT NOT NULL,
    role      TEXT NOT NULL CHECK (role IN ('adviser', 'employer')),
    served_through INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (doc_id, device_id)
) STRICT;
CREATE INDEX IF NOT EXISTS members_by_device ON members (device_id);
CREATE TABLE IF NOT EXISTS invitations (
    id          TEXT PRIMARY KEY,
    doc_id      TEXT NOT NULL,
    secret_hash BLOB NOT NULL,
    role        TEXT NOT NULL,
    expires_at  INTEGER NOT NULL,
    created_by  TEXT NOT NULL,
    used_by     TEXT,
    used_at     INTEGER
) STRICT;
CREATE TABLE IF NOT EXISTS bundles (
    lookup        BLOB PRIMARY KEY,
    invitation_id TEXT NOT NULL REFERENCES invitations (id),
    sealed        BLOB NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS records (
    doc_id     TEXT NOT NULL,
    server_seq INTEGER NOT NULL,
    device_id  TEXT NOT NULL,
    device_seq INTEGER NOT NULL,
    kind       INTEGER NOT NULL,
    body       BLOB NOT NULL,
    stored_at  INTEGER NOT NULL,
    PRIMARY KEY (doc_id, server_seq),
    UNIQUE (doc_id, device_id, device_seq)
) STRICT;
";

const NONCE_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS nonces (
    device  TEXT NOT NULL,
    nonce   TEXT NOT NULL,
    time_ms INTEGER NOT NULL,
    PRIMARY KEY (device, nonce)
) STRICT;
CREATE INDEX IF NOT EXISTS nonces_by_time ON nonces (time_ms);
";

// The statements every authenticated request runs, kept prepared (`prepare_cached`).
const DEVICE_KEY: &str = "SELECT public_key FROM devices WHERE id = ?1";
const FORGET_NONCES: &str = "DELETE FROM nonces WHERE time_ms < ?1";
const INSERT_NONCE: &str =
    "INSERT OR IGNORE INTO nonces (device, nonce, time_ms) VALUES (?1, ?2, ?3)";
const MEMBERSHIP: &str =
    "SELECT m.role, d.end_day, m.served_through FROM members m JOIN docs d ON d.id = m.doc_id
     WHERE m.doc_id = ?1 AND m.device_id = ?2";
const MEMBERSHIPS_OF: &str = "SELECT m.doc_id, m.role, d.end_day, m.served_through,
            (SELECT coalesce(max(server_seq), 0) FROM records r WHERE r.doc_id = m.doc_id)
     FROM members m JOIN docs d ON d.id = m.doc_id WHERE m.device_id = ?1";
const LATEST: &str = "SELECT coalesce(max(server_seq), 0) FROM records WHERE doc_id = ?1";
const SERVED: &str = "UPDATE members SET served_through = ?3
     WHERE doc_id = ?1 AND device_id = ?2 AND served_through < ?3";
const PULL_SNAPSHOTS: &str = "SELECT r.server_seq, r.device_id, r.body, d.public_key
     FROM records r JOIN devices d ON d.id = r.device_id
     WHERE r.doc_id = ?1 AND r.kind = ?2 AND r.server_seq > ?3";
const PULL_ROSTER: &str = "SELECT r.server_seq, r.device_id, r.body, d.public_key
     FROM records r JOIN devices d ON d.id = r.device_id
     WHERE r.doc_id = ?1 AND r.kind = ?2 AND r.server_seq > ?3 AND r.server_seq <= ?4
     ORDER BY r.server_seq";
const PULL_RECORDS: &str = "SELECT r.server_seq, r.device_id, r.body, d.public_key
     FROM records r JOIN devices d ON d.id = r.device_id
     WHERE r.doc_id = ?1 AND r.server_seq > ?2 ORDER BY r.server_seq";

/// doc_id, secret_hash, role, expires_at, used_by
type InvitationRow = (String, Vec<u8>, String, i64, Option<String>);

pub struct SqliteStorage {
    /// The one writer (and the reader of what must be read in a write's transaction).
    conn: Mutex<Connection>,
    /// Readers, one per core the relay is likely to have: pulls go on while the writer flushes.
    readers: Vec<Mutex<Connection>>,
    next_reader: std::sync::atomic::AtomicUsize,
    nonces: Mutex<Connection>,
    group: GroupCommit<AppendJob, Result<Vec<Appended>, StorageError>>,
}

/// How many reading connections the relay keeps.
const READERS: usize = 2;

impl From<rusqlite::Error> for StorageError {
    fn from(e: rusqlite::Error) -> Self {
        StorageError::Db(e.to_string())
    }
}

impl SqliteStorage {
    pub fn open(path: &Path) -> Result<SqliteStorage, StorageError> {
        let conn = Connection::open(path)?;
        // secure_delete: a deleted bundle (it holds a document key, sealed under a short code) or a
        // record a snapshot replaced is overwritten in the file, not left in a free page.
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;
             PRAGMA secure_delete = ON;",
        )?;
        conn.execute_batch(SCHEMA)?;
        add_served_through(&conn)?;
        add_doc_bytes(&conn)?;
        stable_plans(&conn)?;
        // Relays before the nonce file kept the cache here; it is only a cache.
        conn.execute_batch("DROP TABLE IF EXISTS nonces;")?;
        let mut nonce_path = path.as_os_str().to_owned();
        nonce_path.push("-nonces");
        let nonces = Connection::open(nonce_path)?;
        nonces.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;",
        )?;
        nonces.execute_batch(NONCE_SCHEMA)?;
        stable_plans(&nonces)?;
        let mut readers = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            let r = Connection::open(path)?;
            r.execute_batch("PRAGMA busy_timeout = 5000;")?;
            stable_plans(&r)?;
            readers.push(Mutex::new(r));
        }
        Ok(SqliteStorage {
            conn: Mutex::new(conn),
            readers,
            next_reader: Default::default(),
            nonces: Mutex::new(nonces),
            group: GroupCommit::default(),
        })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        lock(&self.conn)
    }
}

/// Relays from before `members.served_through` trusted every cursor a device claimed. Their
/// members are taken to have been served the whole log once, so no honest device is refused a
/// snapshot after the upgrade; from then on the relay counts for itself.
fn add_served_through(conn: &Connection) -> Result<(), StorageError> {
    let has: bool = conn.query_row(
        "SELECT count(*) > 0 FROM pragma_table_info('members') WHERE name = 'served_through'",
        [],
        |r| r.get(0),
    )?;
    if !has {
        conn.execute_batch(
            "BEGIN;
             ALTER TABLE members ADD COLUMN served_through INTEGER NOT NULL DEFAULT 0;
             UPDATE members SET served_through =
               (SELECT coalesce(max(server_seq), 0) FROM records WHERE doc_id = members.doc_id);
             COMMIT;",
        )?;
    }
    Ok(())
}

/// Relays from before `docs.bytes` summed a document's records on every upload (its quota); the
/// total is now kept with the document, counted once here for what is already stored.
fn add_doc_bytes(conn: &Connection) -> Result<(), StorageError> {
    let has: bool = conn.query_row(
        "SELECT count(*) > 0 FROM pragma_table_info('docs') WHERE name = 'bytes'",
        [],
        |r| r.get(0),
    )?;
    if !has {
        conn.execute_batch(
            "BEGIN;
             ALTER TABLE docs ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0;
             UPDATE docs SET bytes =
               (SELECT coalesce(sum(length(body)), 0) FROM records WHERE doc_id = docs.id);
             COMMIT;",
        )?;
    }
    Ok(())
}

/// Query plans that do not depend on the values bound to a statement (SQLite's "query planner
/// stability guarantee"). Without it SQLite marks plans of joins and range scans as depending on
/// their parameters, and rusqlite's statement cache clears the parameters of every statement it
/// takes back, so each cached statement was compiled again on its next run: under load the relay
/// spent a fifth of its time in SQLite's parser. The relay's plans never hinge on a value (no
/// ANALYZE statistics, no LIKE on a parameter), so nothing is lost.
fn stable_plans(conn: &Connection) -> Result<(), StorageError> {
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    Ok(())
}

fn lock(m: &Mutex<Connection>) -> std::sync::MutexGuard<'_, Connection> {
    // A panic while holding the lock leaves SQLite itself consistent (transactions roll back), so
    // the connection is still usable.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl SqliteStorage {
    /// One transaction, and so one flush, for a whole batch of uploads; each job under a savepoint
    /// of its own, so one that fails leaves the others stored.
    fn append_batch(&self, jobs: Vec<AppendJob>) -> Vec<Result<Vec<Appended>, StorageError>> {
        let mut conn = self.conn();
        let mut run = || -> Result<_, StorageError> {
            let mut tx = conn.transaction()?;
            let mut out = Vec::with_capacity(jobs.len());
            for job in &jobs {
                let sp = tx.savepoint()?;
                match append_one(&sp, job) {
                    Ok(done) => {
                        sp.commit()?;
                        out.push(Ok(done));
                    }
                    Err(e) => out.push(Err(e)), // rolled back to the savepoint on drop
                }
            }
            tx.commit()?;
            Ok(out)
        };
        run().unwrap_or_else(|e| each_failed(jobs.len(), e))
    }

    /// A connection for reading. Readers see every committed write (WAL) and never wait for the
    /// writer's flush.
    fn reader(&self) -> std::sync::MutexGuard<'_, Connection> {
        for r in &self.readers {
            if let Ok(c) = r.try_lock() {
                return c;
            }
        }
        let n = self
            .next_reader
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        lock(&self.readers[n % self.readers.len()])
    }
}

/// One upload into a document's log, within the batch's transaction.
fn append_one(conn: &Connection, job: &AppendJob) -> Result<Vec<Appended>, StorageError> {
    let mut out = Vec::with_capacity(job.records.len());
    let d = job.doc.to_string();
    for rec in &job.records {
        let existing: Option<i64> = conn
            .prepare_cached(
                "SELECT server_seq FROM records WHERE doc_id = ?1 AND device_id = ?2 AND device_seq = ?3",
            )?
            .query_row(params![d, rec.device, rec.device_seq], |r| r.get(0))
            .optional()?;
        if let Some(seq) = existing {
            out.push(Appended::Duplicate(seq as u64));
            continue;
        }
        let seq: i64 = conn
            .prepare_cached(
                "SELECT coalesce(max(server_seq), 0) + 1 FROM records WHERE doc_id = ?1",
            )?
            .query_row([&d], |r| r.get(0))?;
        conn.prepare_cached(
            "INSERT INTO records (doc_id, server_seq, device_id, device_seq, kind, body, stored_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute(params![
            d,
            seq,
            rec.device,
            rec.device_seq,
            rec.kind as i64,
            rec.body,
            job.now_ms
        ])?;
        conn.prepare_cached("UPDATE docs SET bytes = bytes + ?2 WHERE id = ?1")?
            .execute(params![d, rec.body.len() as i64])?;
        if AppendJob::compacts(rec) {
            // The snapshot holds everything up to `covers_through`; keep the newest record of
            // each device so idempotency on (device, device sequence) still answers for it,
            // and every roster record: the keys of later epochs are sealed there, under keys
            // a reader already has, and the snapshot itself may be under one it does not.
            conn.execute(
                "DELETE FROM records WHERE doc_id = ?1 AND server_seq <= ?2 AND server_seq <> ?3
                 AND kind <> ?4
                 AND server_seq NOT IN (SELECT max(server_seq) FROM records WHERE doc_id = ?1 GROUP BY device_id)",
                params![d, rec.covers_through, seq, RecordKind::Roster as i64],
            )?;
            // Snapshots are rare: what is left is counted afresh.
            conn.execute(
                "UPDATE docs SET bytes =
                   (SELECT coalesce(sum(length(body)), 0) FROM records WHERE doc_id = ?1)
                 WHERE id = ?1",
                [&d],
            )?;
        }
        out.push(Appended::Stored(seq as u64));
    }
    Ok(out)
}

impl RelayStorage for SqliteStorage {
    fn register_device(
        &self,
        device: Uuid,
        key: &PublicKey,
        now_ms: i64,
    ) -> Result<Registered, StorageError> {
        let conn = self.conn();
        let existing: Option<Vec<u8>> = conn
            .query_row(
                "SELECT public_key FROM devices WHERE id = ?1",
                [device.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        Ok(match existing {
            Some(k) if k == key.0 => Registered::Known,
            Some(_) => Registered::Conflict,
            None => {
                conn.execute(
                    "INSERT INTO devices (id, public_key, registered_at) VALUES (?1, ?2, ?3)",
                    params![device.to_string(), key.0.to_vec(), now_ms],
                )?;
                Registered::New
            }
        })
    }

    fn device_key(&self, device: Uuid) -> Result<Option<PublicKey>, StorageError> {
        let key: Option<Vec<u8>> = self
            .reader()
            .prepare_cached(DEVICE_KEY)?
            .query_row([device.to_string()], |r| r.get(0))
            .optional()?;
        key.map(|k| {
            k.try_into()
                .map(PublicKey)
                .map_err(|_| StorageError::Malformed("public key".into()))
        })
        .transpose()
    }

    fn check_nonce(
        &self,
        device: Uuid,
        nonce: &str,
        time_ms: i64,
        forget_before_ms: i64,
    ) -> Result<NonceCheck, StorageError> {
        let conn = lock(&self.nonces);
        conn.prepare_cached(FORGET_NONCES)?
            .execute([forget_before_ms])?;
        let n = conn.prepare_cached(INSERT_NONCE)?.execute(params![
            device.to_string(),
            nonce,
            time_ms
        ])?;
        // One process writes this database: its cache needs no epoch.
        Ok(NonceCheck {
            fresh: n == 1,
            members_epoch: None,
        })
    }

    fn create_doc(&self, doc: Uuid, creator: Uuid, now_ms: i64) -> Result<Created, StorageError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let owner: Option<String> = tx
            .query_row(
                "SELECT created_by FROM docs WHERE id = ?1",
                [doc.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        let out = match owner {
            Some(o) if o == creator.to_string() => Created::AlreadyMember,
            Some(_) => Created::Taken,
            None => {
                tx.execute(
                    "INSERT INTO docs (id, created_by, created_at) VALUES (?1, ?2, ?3)",
                    params![doc.to_string(), creator.to_string(), now_ms],
                )?;
                tx.execute(
                    "INSERT INTO members (doc_id, device_id, role) VALUES (?1, ?2, 'adviser')",
                    params![doc.to_string(), creator.to_string()],
                )?;
                Created::Created
            }
        };
        tx.commit()?;
        Ok(out)
    }

    fn membership(&self, doc: Uuid, device: Uuid) -> Result<Option<Membership>, StorageError> {
        let row: Option<(String, Option<i64>, i64)> = self
            .reader()
            .prepare_cached(MEMBERSHIP)?
            .query_row([doc.to_string(), device.to_string()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?;
        row.map(|(role, end_day, served)| {
            Ok(Membership::stored(role_from(&role)?, end_day, served))
        })
        .transpose()
    }

    fn memberships_of(&self, device: Uuid) -> Result<Vec<(Uuid, Membership, u64)>, StorageError> {
        let conn = self.reader();
        let mut st = conn.prepare_cached(MEMBERSHIPS_OF)?;
        let rows = st.query_map([device.to_string()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<i64>>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (doc, role, end_day, served, latest) = row?;
            out.push(member_row(&doc, &role, end_day, served, latest)?);
        }
        Ok(out)
    }

    fn doc_bytes(&self, doc: Uuid) -> Result<u64, StorageError> {
        let n: Option<i64> = self
            .reader()
            .prepare_cached("SELECT bytes FROM docs WHERE id = ?1")?
            .query_row([doc.to_string()], |r| r.get(0))
            .optional()?;
        Ok(n.unwrap_or(0).max(0) as u64)
    }

    fn has_record(&self, doc: Uuid, device: Uuid, device_seq: u64) -> Result<bool, StorageError> {
        Ok(self
            .reader()
            .query_row(
                "SELECT 1 FROM records WHERE doc_id = ?1 AND device_id = ?2 AND device_seq = ?3",
                params![doc.to_string(), device.to_string(), device_seq as i64],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    fn docs_created_by(&self, device: Uuid) -> Result<u64, StorageError> {
        let n: i64 = self.reader().query_row(
            "SELECT count(*) FROM docs WHERE created_by = ?1",
            [device.to_string()],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }

    fn set_end_day(&self, doc: Uuid, end_day: Option<i64>) -> Result<(), StorageError> {
        self.conn().execute(
            "UPDATE docs SET end_day = ?2 WHERE id = ?1",
            params![doc.to_string(), end_day],
        )?;
        Ok(())
    }

    fn create_invitation(
        &self,
        inv: &CreateInvitation,
        created_by: Uuid,
    ) -> Result<bool, StorageError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let n = tx.execute(
            "INSERT OR IGNORE INTO invitations (id, doc_id, secret_hash, role, expires_at, created_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![inv.invitation_id.to_string(), inv.doc_id.to_string(), inv.secret_hash.to_vec(), role_code(inv.role), inv.expires_at_ms, created_by.to_string()],
        )?;
        if n == 1
            && let Some(b) = &inv.bundle
        {
            tx.execute(
                "INSERT OR IGNORE INTO bundles (lookup, invitation_id, sealed) VALUES (?1, ?2, ?3)",
                params![b.lookup.to_vec(), inv.invitation_id.to_string(), b.sealed],
            )?;
        }
        tx.commit()?;
        Ok(n == 1)
    }

    fn fetch_bundle(
        &self,
        lookup: &[u8; 32],
        device: Uuid,
        now_ms: i64,
    ) -> Result<Option<Vec<u8>>, StorageError> {
        let conn = self.conn();
        forget_expired_bundles(&conn, now_ms)?;
        Ok(conn
            .query_row(
                "SELECT b.sealed FROM bundles b JOIN invitations i ON i.id = b.invitation_id
                 WHERE b.lookup = ?1 AND i.expires_at > ?2
                   AND (i.used_by IS NULL OR (i.used_by = ?3 AND i.used_at > ?2 - ?4))",
                params![
                    lookup.to_vec(),
                    now_ms,
                    device.to_string(),
                    RETAKE_AFTER_USE_MS
                ],
                |r| r.get(0),
            )
            .optional()?)
    }

    fn accept_invitation(
        &self,
        invitation: Uuid,
        secret_hash: &[u8; 32],
        device: Uuid,
        now_ms: i64,
    ) -> Result<Accept, StorageError> {
        let mut conn = self.conn();
        forget_expired_bundles(&conn, now_ms)?;
        let tx = conn.transaction()?;
        let row: Option<InvitationRow> = tx
            .query_row(
                "SELECT doc_id, secret_hash, role, expires_at, used_by FROM invitations WHERE id = ?1",
                [invitation.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()?;
        let Some((doc, hash, role, expires_at, used_by)) = row else {
            return Ok(Accept::Unknown);
        };
        // A wrong secret is answered like an unknown invitation: it reveals nothing.
        if hash.as_slice() != secret_hash.as_slice() {
            return Ok(Accept::Unknown);
        }
        if let Some(by) = used_by {
            // Accepting twice from the same device is a retry, not a second use.
            if by == device.to_string() {
                let doc_id = doc
                    .parse()
                    .map_err(|_| StorageError::Malformed("doc id".into()))?;
                return Ok(Accept::Accepted {
                    doc_id,
                    role: role_from(&role)?,
                });
            }
            return Ok(Accept::Used);
        }
        if expires_at < now_ms {
            return Ok(Accept::Expired);
        }
        tx.execute(
            "UPDATE invitations SET used_by = ?2, used_at = ?3 WHERE id = ?1",
            params![invitation.to_string(), device.to_string(), now_ms],
        )?;
        // The bundle stays for this device alone a while (`RETAKE_AFTER_USE_MS`), then goes.
        tx.execute(
            "INSERT OR REPLACE INTO members (doc_id, device_id, role) VALUES (?1, ?2, ?3)",
            params![doc, device.to_string(), role],
        )?;
        tx.commit()?;
        let doc_id = doc
            .parse()
            .map_err(|_| StorageError::Malformed("doc id".into()))?;
        Ok(Accept::Accepted {
            doc_id,
            role: role_from(&role)?,
        })
    }

    fn remove_member(&self, doc: Uuid, device: Uuid) -> Result<bool, StorageError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let n = tx.execute(
            "DELETE FROM members WHERE doc_id = ?1 AND device_id = ?2",
            [doc.to_string(), device.to_string()],
        )?;
        // Invitations the removed device made and nobody has used yet die with it, and so do the
        // bundles it used, kept for it to take again.
        tx.execute(
            "DELETE FROM bundles WHERE invitation_id IN
               (SELECT id FROM invitations WHERE doc_id = ?1
                  AND ((created_by = ?2 AND used_by IS NULL) OR used_by = ?2))",
            [doc.to_string(), device.to_string()],
        )?;
        tx.execute(
            "UPDATE invitations SET used_by = 'revoked', used_at = 0
             WHERE doc_id = ?1 AND created_by = ?2 AND used_by IS NULL",
            [doc.to_string(), device.to_string()],
        )?;
        tx.commit()?;
        Ok(n == 1)
    }

    fn ready(&self) -> Result<(), StorageError> {
        // Reads the file's header, so a file that went away or cannot be read is not ready.
        self.reader()
            .query_row("PRAGMA schema_version", [], |r| r.get::<_, i64>(0))?;
        Ok(())
    }

    fn commits(&self) -> Commits {
        self.group.counts()
    }

    fn append(
        &self,
        doc: Uuid,
        records: &[SealedRecord],
        now_ms: i64,
    ) -> Result<Vec<Appended>, StorageError> {
        let job = AppendJob::new(doc, records, now_ms);
        self.group.submit(job, |jobs| self.append_batch(jobs))
    }

    fn pull(
        &self,
        doc: Uuid,
        since: u64,
        reader: Uuid,
        max_bytes: usize,
        first: bool,
    ) -> Result<Pulled, StorageError> {
        let mut conn = self.reader();
        // Nothing new, the most common pull: one lookup, no transaction.
        let latest: i64 = conn
            .prepare_cached(LATEST)?
            .query_row([doc.to_string()], |r| r.get(0))?;
        if latest.max(0) as u64 <= since {
            return Ok(Pulled::nothing(since));
        }
        // One view of the log for the whole answer, whatever is appended meanwhile.
        let tx = conn.transaction()?;
        let mut log = SqliteLog {
            conn: &tx,
            doc: doc.to_string(),
        };
        let pulled = pull_from(&mut log, since, &reader.to_string(), max_bytes, first)?;
        tx.commit()?;
        Ok(pulled)
    }

    fn latest(&self, doc: Uuid) -> Result<u64, StorageError> {
        let n: i64 = self
            .reader()
            .prepare_cached(LATEST)?
            .query_row([doc.to_string()], |r| r.get(0))?;
        Ok(n as u64)
    }

    fn served(&self, doc: Uuid, device: Uuid, cursor: u64) -> Result<(), StorageError> {
        // Not flushed on its own: the next upload's flush takes it along. Lost to a power cut, a
        // device is only believed less than it was served (it reads a few records again, and a
        // snapshot of its waits for the next pull), never more.
        let conn = self.conn();
        conn.execute_batch("PRAGMA synchronous = NORMAL")?;
        let done = conn.prepare_cached(SERVED)?.execute(params![
            doc.to_string(),
            device.to_string(),
            cursor as i64
        ]);
        conn.execute_batch("PRAGMA synchronous = FULL")?;
        done?;
        Ok(())
    }
}

/// Bundles of expired invitations, and of used ones past their retake, are deleted, not just no
/// longer served: a copy of the database then holds only codes still in use.
fn forget_expired_bundles(conn: &Connection, now_ms: i64) -> Result<(), StorageError> {
    conn.prepare_cached(
        "DELETE FROM bundles WHERE invitation_id IN
           (SELECT id FROM invitations WHERE expires_at <= ?1
              OR (used_by IS NOT NULL AND (used_at IS NULL OR used_at <= ?1 - ?2)))",
    )?
    .execute([now_ms, RETAKE_AFTER_USE_MS])?;
    Ok(())
}

/// One document's log in this database, read statement by statement (each kept prepared).
struct SqliteLog<'a> {
    conn: &'a Connection,
    doc: String,
}

impl LogReader for SqliteLog<'_> {
    fn snapshots_after(&mut self, since: u64) -> Result<Vec<LogRow>, StorageError> {
        let mut st = self.conn.prepare_cached(PULL_SNAPSHOTS)?;
        let rows = st.query_map(
            params![self.doc, RecordKind::Snapshot as i64, since as i64],
            log_row,
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn roster_between(&mut self, since: u64, through: u64) -> Result<Vec<LogRow>, StorageError> {
        let mut st = self.conn.prepare_cached(PULL_ROSTER)?;
        let rows = st.query_map(
            params![
                self.doc,
                RecordKind::Roster as i64,
                since as i64,
                through as i64
            ],
            log_row,
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn each_after(
        &mut self,
        from: u64,
        each: &mut dyn FnMut(LogRow) -> Result<bool, StorageError>,
    ) -> Result<(), StorageError> {
        let mut st = self.conn.prepare_cached(PULL_RECORDS)?;
        let mut rows = st.query(params![self.doc, from as i64])?;
        while let Some(r) = rows.next()? {
            if !each(log_row(r)?)? {
                break;
            }
        }
        Ok(())
    }
}

/// (server_seq, device_id, body, public_key) as read.
fn log_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<LogRow> {
    Ok(LogRow {
        seq: r.get::<_, i64>(0)? as u64,
        sender: r.get(1)?,
        body: r.get(2)?,
        sender_key: r.get(3)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use folgesvenn_protocol::wire::MemberRole;
    use rusqlite::StatementStatus;

    /// Issue 12, finding 5: a bundle holds the document key sealed under a short code, so a copy of
    /// the relay's database must not keep it once the invitation is used or has expired.
    #[test]
    fn bundles_are_deleted_when_used_or_expired() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("relay.db");
        let s = SqliteStorage::open(&path).unwrap();
        let adviser = Uuid::new_v4();
        let employer = Uuid::new_v4();
        let doc = Uuid::new_v4();
        s.register_device(adviser, &PublicKey([1; 32]), 1).unwrap();
        s.register_device(employer, &PublicKey([2; 32]), 1).unwrap();
        s.create_doc(doc, adviser, 1).unwrap();
        let invitation = |marker: u8, expires_at_ms| CreateInvitation {
            doc_id: doc,
            invitation_id: Uuid::new_v4(),
            secret_hash: [marker; 32],
            role: MemberRole::Employer,
            expires_at_ms,
            bundle: Some(folgesvenn_protocol::wire::SealedBundle {
                lookup: [marker; 32],
                sealed: vec![marker; 600],
            }),
        };
        let used = invitation(0xA7, 10 * RETAKE_AFTER_USE_MS);
        let stale = invitation(0xB9, 5_000);
        assert!(s.create_invitation(&used, adviser).unwrap());
        assert!(s.create_invitation(&stale, adviser).unwrap());
        assert!(
            s.fetch_bundle(&[0xA7; 32], employer, 1_000)
                .unwrap()
                .is_some()
        );
        assert!(matches!(
            s.accept_invitation(used.invitation_id, &[0xA7; 32], employer, 2_000)
                .unwrap(),
            Accept::Accepted { .. }
        ));
        // Used: served to the device that used it a while, to nobody else.
        assert!(
            s.fetch_bundle(&[0xA7; 32], employer, 3_000)
                .unwrap()
                .is_some()
        );
        assert!(
            s.fetch_bundle(&[0xA7; 32], adviser, 3_000)
                .unwrap()
                .is_none()
        );
        assert!(
            s.fetch_bundle(&[0xB9; 32], adviser, 4_000)
                .unwrap()
                .is_some()
        );
        let left = || -> i64 {
            s.conn()
                .query_row("SELECT count(*) FROM bundles", [], |r| r.get(0))
                .unwrap()
        };
        // Past the stale one's expiry, any look-up sweeps it.
        assert!(
            s.fetch_bundle(&[0xCC; 32], adviser, 6_000)
                .unwrap()
                .is_none()
        );
        assert_eq!(left(), 1);
        // Past the used one's retake, any look-up sweeps that too.
        let after = 2_000 + RETAKE_AFTER_USE_MS;
        assert!(
            s.fetch_bundle(&[0xA7; 32], employer, after)
                .unwrap()
                .is_none()
        );
        assert_eq!(left(), 0);
        s.conn()
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
            .unwrap();
        drop(s);
        let bytes = std::fs::read(&path).unwrap();
        for marker in [0xA7u8, 0xB9] {
            let run = vec![marker; 600];
            assert!(
                !bytes.windows(run.len()).any(|w| w == run.as_slice()),
                "a deleted bundle ({marker:#x}) is still in the file"
            );
        }
    }

    /// A statement SQLite must compile again on every run costs more than running it: the relay
    /// under load once spent a fifth of its time re-preparing membership and pull queries.
    /// A relay file from before `docs.bytes` (and `members.served_through`) opens with each
    /// document's total counted from its records, so its quota holds from the first upload on.
    #[test]
    fn an_older_relay_file_gets_each_documents_total() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("relay.db");
        let (doc, device) = (Uuid::new_v4(), Uuid::new_v4());
        {
            let old = Connection::open(&path).unwrap();
            old.execute_batch(
                "CREATE TABLE docs (id TEXT PRIMARY KEY, created_by TEXT NOT NULL,
                   created_at INTEGER NOT NULL, end_day INTEGER) STRICT;
                 CREATE TABLE members (doc_id TEXT NOT NULL, device_id TEXT NOT NULL,
                   role TEXT NOT NULL, PRIMARY KEY (doc_id, device_id)) STRICT;
                 CREATE TABLE records (doc_id TEXT NOT NULL, server_seq INTEGER NOT NULL,
                   device_id TEXT NOT NULL, device_seq INTEGER NOT NULL, kind INTEGER NOT NULL,
                   body BLOB NOT NULL, stored_at INTEGER NOT NULL,
                   PRIMARY KEY (doc_id, server_seq), UNIQUE (doc_id, device_id, device_seq)) STRICT;",
            )
            .unwrap();
            old.execute(
                "INSERT INTO docs (id, created_by, created_at) VALUES (?1, ?2, 0)",
                [doc.to_string(), device.to_string()],
            )
            .unwrap();
            for (n, len) in [(1, 100), (2, 250)] {
                old.execute(
                    "INSERT INTO records VALUES (?1, ?2, ?3, ?2, 0, ?4, 0)",
                    params![doc.to_string(), n, device.to_string(), vec![0u8; len]],
                )
                .unwrap();
            }
        }
        let s = SqliteStorage::open(&path).unwrap();
        assert_eq!(s.doc_bytes(doc).unwrap(), 350);
        assert_eq!(
            s.doc_bytes(Uuid::new_v4()).unwrap(),
            0,
            "an unknown document"
        );
    }

    #[test]
    fn the_hot_statements_are_compiled_once() {
        let dir = tempfile::tempdir().unwrap();
        let s = SqliteStorage::open(&dir.path().join("relay.db")).unwrap();
        let devices: Vec<Uuid> = (0..4).map(|_| Uuid::new_v4()).collect();
        let docs: Vec<Uuid> = (0..4).map(|_| Uuid::new_v4()).collect();
        for (i, d) in devices.iter().enumerate() {
            s.register_device(*d, &PublicKey([i as u8; 32]), 1).unwrap();
        }
        for (doc, dev) in docs.iter().zip(&devices) {
            assert_eq!(s.create_doc(*doc, *dev, 1).unwrap(), Created::Created);
        }
        for round in 0..20i64 {
            for (i, (doc, dev)) in docs.iter().zip(&devices).enumerate() {
                assert!(s.device_key(*dev).unwrap().is_some());
                let nonce = format!("{round}-{i}");
                assert!(s.fresh_nonce(*dev, &nonce, round, round - 5).unwrap());
                assert!(s.membership(*doc, *dev).unwrap().is_some());
                s.pull(*doc, round as u64, *dev, 1 << 20, true).unwrap();
            }
        }
        // One thread: every read went to the first reader.
        let conn = lock(&s.readers[0]);
        for sql in [DEVICE_KEY, MEMBERSHIP, PULL_SNAPSHOTS, PULL_RECORDS] {
            let st = conn.prepare_cached(sql).unwrap();
            assert_eq!(st.get_status(StatementStatus::RePrepare), 0, "{sql}");
        }
        drop(conn);
        let nonces = lock(&s.nonces);
        for sql in [FORGET_NONCES, INSERT_NONCE] {
            let st = nonces.prepare_cached(sql).unwrap();
            assert_eq!(st.get_status(StatementStatus::RePrepare), 0, "{sql}");
        }
    }
}
