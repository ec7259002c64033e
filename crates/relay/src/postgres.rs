//! The relay's storage on PostgreSQL: for several relay processes behind a load balancer on one
//! cluster that the operations team replicates, backs up and fails over (`docs/deploy.md`).
//!
//! The same semantics as the SQLite backend, made safe across processes by the database:
//!
//! - **Per-document order.** An upload locks its document's row (`SELECT … FOR UPDATE`) before it
//!   numbers its records, so server sequence numbers stay gap-free and ordered per document
//!   whichever process took the upload; an upload committed by one process is what any other
//!   reads next.
//! - **Caches that cannot go stale.** Each process keeps device keys and memberships in memory
//!   (`cache.rs`). Every change of membership raises `member_epoch` in its own transaction, and
//!   every request reads the epoch in the statement that stores its nonce: a process that sees it
//!   risen drops its memberships before it reads one, so a removal through one relay takes effect
//!   on all at once.
//! - **Group commit.** Uploads waiting while one commits are written together, in one transaction
//!   (`group.rs`); their documents are locked in the order of their ids, so two processes' batches
//!   cannot deadlock.
//! - **Replay protection.** Nonces are rows with a primary key; a second relay sees the first one's
//!   nonce. They go through connections of their own that commit without waiting for the WAL
//!   flush (`synchronous_commit = off`): a crash of the database may forget the newest few hundred
//!   milliseconds of nonces, the trade the SQLite backend makes with `synchronous=NORMAL`. Old
//!   nonces are swept at most once a second. Records and memberships commit with the cluster's
//!   own durability, through the other pool.
//! - **Migrations** are embedded and run at start under an advisory lock, so relays started
//!   together do not race.
//!
//! The client is the synchronous `postgres` crate with an r2d2 pool: the relay already runs
//! storage calls on blocking threads. A connection that is down, or a pool that cannot get one in
//! time, is [`StorageError::Unavailable`], which the API answers with 503.

use std::time::Duration;

use folgesvenn_protocol::bundle::RETAKE_AFTER_USE_MS;
use folgesvenn_protocol::wire::CreateInvitation;
use folgesvenn_protocol::{PublicKey, RecordKind, SealedRecord};
use postgres::{GenericClient, NoTls, Row};
use r2d2_postgres::PostgresConnectionManager;
use uuid::Uuid;

use crate::group::GroupCommit;
use crate::storage::*;

/// The schema, one step per entry; `relay_schema` records how many have run.
const MIGRATIONS: &[&str] = &[
    "
CREATE TABLE devices (
    id            TEXT PRIMARY KEY,
    public_key    BYTEA NOT NULL,
    registered_at BIGINT NOT NULL
);
CREATE TABLE docs (
    id         TEXT PRIMARY KEY,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    end_day    BIGINT
);
CREATE INDEX docs_by_creator ON docs (created_by);
CREATE TABLE members (
    doc_id         TEXT NOT NULL,
    device_id      TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('adviser', 'employer')),
    served_through BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (doc_id, device_id)
);
CREATE TABLE invitations (
    id          TEXT PRIMARY KEY,
    doc_id      TEXT NOT NULL,
    secret_hash BYTEA NOT NULL,
    role        TEXT NOT NULL,
    expires_at  BIGINT NOT NULL,
    created_by  TEXT NOT NULL,
    used_by     TEXT,
    used_at     BIGINT
);
CREATE TABLE bundles (
    lookup        BYTEA PRIMARY KEY,
    invitation_id TEXT NOT NULL REFERENCES invitations (id),
    sealed        BYTEA NOT NULL
);
CREATE TABLE records (
    doc_id     TEXT NOT NULL,
    server_seq BIGINT NOT NULL,
    device_id  TEXT NOT NULL,
    device_seq BIGINT NOT NULL,
    kind       BIGINT NOT NULL,
    body       BYTEA NOT NULL,
    stored_at  BIGINT NOT NULL,
    PRIMARY KEY (doc_id, server_seq),
    UNIQUE (doc_id, device_id, device_seq)
);
CREATE TABLE nonces (
    device  TEXT NOT NULL,
    nonce   TEXT NOT NULL,
    time_ms BIGINT NOT NULL,
    PRIMARY KEY (device, nonce)
);
CREATE INDEX nonces_by_time ON nonces (time_ms);
",
    "
-- Raised by every change of membership, in the change's own transaction: each relay process
-- reads it with every request's nonce and drops its cached memberships when it has risen.
CREATE TABLE member_epoch (epoch BIGINT NOT NULL);
INSERT INTO member_epoch (epoch) VALUES (0);
-- A device's memberships, for `/v2/news`.
CREATE INDEX members_by_device ON members (device_id);
-- What each document holds (its quota), kept with it rather than summed on every upload.
ALTER TABLE docs ADD COLUMN bytes BIGINT NOT NULL DEFAULT 0;
UPDATE docs SET bytes = (SELECT coalesce(sum(length(body)), 0) FROM records WHERE doc_id = docs.id);
",
];

/// Inside a transaction that changes memberships (see `cache.rs`).
const RAISE_MEMBER_EPOCH: &str = "UPDATE member_epoch SET epoch = epoch + 1";

/// The channel on which each upload is announced to every relay process (`LISTEN`/`NOTIFY`):
/// `<document> <highest sequence number stored> <sender>`, ids only.
const APPENDS_CHANNEL: &str = "folgesvenn_appends";

/// Any number: the key of the advisory lock migrations hold.
const MIGRATION_LOCK: i64 = 0x466f_6c67_6573_7665;

const PULL_COLUMNS: &str = "SELECT r.server_seq, r.device_id, r.body, d.public_key
     FROM records r JOIN devices d ON d.id = r.device_id";

type Pool = r2d2::Pool<PostgresConnectionManager<NoTls>>;

/// The replay cache's connections commit without waiting for the WAL flush (see the module's
/// note on durability); records never go through them.
#[derive(Debug)]
struct NoFlushWait;

impl r2d2::CustomizeConnection<postgres::Client, postgres::Error> for NoFlushWait {
    fn on_acquire(&self, conn: &mut postgres::Client) -> Result<(), postgres::Error> {
        conn.batch_execute("SET synchronous_commit = off")
    }
}

pub struct PgStorage {
    /// `None` only while it is dropped.
    pool: Option<Pool>,
    /// Connections for the replay cache alone, each with `synchronous_commit = off` for its whole
    /// session: a nonce is one statement and one round trip, not a transaction of four.
    nonces: Option<Pool>,
    /// The `forget_before` of the last sweep of old nonces: they are swept at most once a second
    /// of it, not on every request.
    swept: std::sync::atomic::AtomicI64,
    /// For the listening thread's own connection.
    config: postgres::Config,
    /// Tells the listening thread to end.
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    group: GroupCommit<AppendJob, Result<Vec<Appended>, StorageError>>,
}

/// The client closes a connection by blocking on a runtime of its own, which panics on a thread
/// that drives async tasks, and the relay's last reference to its storage goes away on one when
/// the server stops. So the pool, and its connections, are dropped on a plain thread.
impl Drop for PgStorage {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        let pools = (self.pool.take(), self.nonces.take());
        let _ = std::thread::spawn(move || drop(pools)).join();
    }
}

impl From<postgres::Error> for StorageError {
    fn from(e: postgres::Error) -> Self {
        match e.as_db_error() {
            Some(db) if !e.is_closed() && !away(db.code()) => StorageError::Db(db.to_string()),
            // A closed connection, one that never came, or the server saying it is going away.
            _ => StorageError::Unavailable(e.to_string()),
        }
    }
}

/// Whether an error from the server means it is away for now rather than that the request was
/// wrong: a connection problem (class 08), the server shutting down or starting (57P01–57P03),
/// no connection slot free, or a replica not yet promoted in a failover (read only).
fn away(code: &postgres::error::SqlState) -> bool {
    use postgres::error::SqlState;
    code.code().starts_with("08")
        || [
            SqlState::ADMIN_SHUTDOWN,
            SqlState::CRASH_SHUTDOWN,
            SqlState::CANNOT_CONNECT_NOW,
            SqlState::TOO_MANY_CONNECTIONS,
            SqlState::READ_ONLY_SQL_TRANSACTION,
        ]
        .contains(code)
}

impl From<r2d2::Error> for StorageError {
    fn from(e: r2d2::Error) -> Self {
        StorageError::Unavailable(e.to_string())
    }
}

impl PgStorage {
    /// Connects to `url` (`postgres://user@host:port/db`), with a pool of up to `max_connections`,
    /// and brings the schema up to date.
    pub fn connect(url: &str, max_connections: u32) -> Result<PgStorage, StorageError> {
        let config: postgres::Config = url
            .parse()
            .map_err(|e: postgres::Error| StorageError::Db(format!("the database URL: {e}")))?;
        let manager = PostgresConnectionManager::new(config.clone(), NoTls);
        let nonces = r2d2::Pool::builder()
            .max_size(max_connections)
            .connection_timeout(Duration::from_secs(3))
            .test_on_check_out(false)
            .connection_customizer(Box::new(NoFlushWait))
            .build(PostgresConnectionManager::new(config.clone(), NoTls))?;
        let pool = r2d2::Pool::builder()
            .max_size(max_connections)
            // Short, so a request fails over to 503 while the database is away rather than wait
            // out the request timeout; the pool reconnects on its own once it is back.
            .connection_timeout(Duration::from_secs(3))
            .test_on_check_out(false)
            .build(manager)?;
        let storage = PgStorage {
            pool: Some(pool),
            nonces: Some(nonces),
            swept: std::sync::atomic::AtomicI64::new(i64::MIN),
            config,
            stop: Default::default(),
            group: GroupCommit::default(),
        };
        storage.migrate()?;
        Ok(storage)
    }

    fn migrate(&self) -> Result<(), StorageError> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
        tx.batch_execute("CREATE TABLE IF NOT EXISTS relay_schema (version BIGINT NOT NULL)")?;
        let version: i64 = match tx.query_opt("SELECT version FROM relay_schema", &[])? {
            Some(row) => row.get(0),
            None => {
                tx.execute("INSERT INTO relay_schema (version) VALUES (0)", &[])?;
                0
            }
        };
        if version > MIGRATIONS.len() as i64 {
            return Err(StorageError::Db(format!(
                "the database has schema {version}, newer than this relay's {}",
                MIGRATIONS.len()
            )));
        }
        for (i, step) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.batch_execute(step)?;
            tx.execute("UPDATE relay_schema SET version = $1", &[&(i as i64 + 1)])?;
        }
        tx.commit()?;
        Ok(())
    }

    fn conn(
        &self,
    ) -> Result<r2d2::PooledConnection<PostgresConnectionManager<NoTls>>, StorageError> {
        match &self.pool {
            Some(pool) => Ok(pool.get()?),
            None => Err(StorageError::Unavailable("the relay is stopping".into())),
        }
    }

    /// A connection that does not wait for the WAL flush (`synchronous_commit = off`).
    fn nonce_conn(
        &self,
    ) -> Result<r2d2::PooledConnection<PostgresConnectionManager<NoTls>>, StorageError> {
        match &self.nonces {
            Some(pool) => Ok(pool.get()?),
            None => Err(StorageError::Unavailable("the relay is stopping".into())),
        }
    }
}

impl PgStorage {
    /// One transaction, and so one flush, for a whole batch of uploads. Documents are locked in
    /// the order of their ids, so two relay processes' batches cannot deadlock; each job runs
    /// under a savepoint of its own, so one that fails leaves the others stored.
    fn append_batch(&self, jobs: Vec<AppendJob>) -> Vec<Result<Vec<Appended>, StorageError>> {
        let n = jobs.len();
        let run = || -> Result<_, StorageError> {
            let mut conn = self.conn()?;
            let mut tx = conn.transaction()?;
            let mut order: Vec<usize> = (0..n).collect();
            order.sort_by_key(|&i| jobs[i].doc);
            let mut out: Vec<Option<Result<Vec<Appended>, StorageError>>> =
                (0..n).map(|_| None).collect();
            if n == 1 {
                // Alone in its batch: no savepoint (two round trips) needed.
                let done = append_one(&mut tx, &jobs[0])?;
                tx.commit()?;
                return Ok(vec![Ok(done)]);
            }
            for i in order {
                let mut sp = tx.transaction()?;
                match append_one(&mut sp, &jobs[i]) {
                    Ok(done) => {
                        sp.commit()?;
                        out[i] = Some(Ok(done));
                    }
                    Err(e) => out[i] = Some(Err(e)), // rolled back to the savepoint on drop
                }
            }
            tx.commit()?;
            Ok(out.into_iter().flatten().collect())
        };
        run().unwrap_or_else(|e| each_failed(n, e))
    }
}

/// One upload into a document's log, within the batch's transaction.
fn append_one(
    tx: &mut postgres::Transaction<'_>,
    job: &AppendJob,
) -> Result<Vec<Appended>, StorageError> {
    let d = job.doc.to_string();
    // One upload at a time per document, across every relay process: the numbering below reads
    // the highest number and writes the next under this lock.
    tx.execute("SELECT 1 FROM docs WHERE id = $1 FOR UPDATE", &[&d])?;
    let mut next: i64 = tx
        .query_one(
            "SELECT coalesce(max(server_seq), 0) + 1 FROM records WHERE doc_id = $1",
            &[&d],
        )?
        .get(0);
    let mut out = Vec::with_capacity(job.records.len());
    let mut added = 0i64;
    for rec in &job.records {
        // Stored under the next number, unless this (device, device sequence) is there already:
        // then its number, as a repeat.
        let stored = tx.query_opt(
            "INSERT INTO records (doc_id, server_seq, device_id, device_seq, kind, body, stored_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (doc_id, device_id, device_seq) DO NOTHING RETURNING server_seq",
            &[
                &d,
                &next,
                &rec.device,
                &rec.device_seq,
                &(rec.kind as i64),
                &rec.body,
                &job.now_ms,
            ],
        )?;
        if stored.is_none() {
            let seq: i64 = tx
                .query_one(
                    "SELECT server_seq FROM records
                     WHERE doc_id = $1 AND device_id = $2 AND device_seq = $3",
                    &[&d, &rec.device, &rec.device_seq],
                )?
                .get(0);
            out.push(Appended::Duplicate(seq as u64));
            continue;
        }
        let seq = next;
        next += 1;
        if AppendJob::compacts(rec) {
            // As in the SQLite backend: the snapshot stands for what it covers, but each device's
            // newest record (idempotency) and every roster record (the keys) stay.
            tx.execute(
                "DELETE FROM records WHERE doc_id = $1 AND server_seq <= $2 AND server_seq <> $3
                 AND kind <> $4
                 AND server_seq NOT IN
                   (SELECT max(server_seq) FROM records WHERE doc_id = $1 GROUP BY device_id)",
                &[&d, &rec.covers_through, &seq, &(RecordKind::Roster as i64)],
            )?;
            // Snapshots are rare: what is left is counted afresh, this job's records so far
            // included.
            tx.execute(
                "UPDATE docs SET bytes =
                   (SELECT coalesce(sum(length(body)), 0) FROM records WHERE doc_id = $1)
                 WHERE id = $1",
                &[&d],
            )?;
            added = 0;
        } else {
            added += rec.body.len() as i64;
        }
        out.push(Appended::Stored(seq as u64));
    }
    if added > 0 {
        tx.execute(
            "UPDATE docs SET bytes = bytes + $2 WHERE id = $1",
            &[&d, &added],
        )?;
    }
    if let Some(last) = out.iter().rev().find_map(|a| match a {
        Appended::Stored(seq) => Some(*seq),
        Appended::Duplicate(_) => None,
    }) {
        // To every relay process listening, once this commits (and only if it does).
        tx.execute(
            "SELECT pg_notify($1, $2)",
            &[&APPENDS_CHANNEL, &format!("{d} {last} {}", job.sender())],
        )?;
    }
    Ok(out)
}

impl RelayStorage for PgStorage {
    fn register_device(
        &self,
        device: Uuid,
        key: &PublicKey,
        now_ms: i64,
    ) -> Result<Registered, StorageError> {
        let mut conn = self.conn()?;
        let d = device.to_string();
        // Two relays registering the same device at once: the insert that loses sees the winner's
        // row and compares keys, as a later registration would.
        let inserted = conn.execute(
            "INSERT INTO devices (id, public_key, registered_at) VALUES ($1, $2, $3)
             ON CONFLICT (id) DO NOTHING",
            &[&d, &key.0.as_slice(), &now_ms],
        )?;
        if inserted == 1 {
            return Ok(Registered::New);
        }
        let row = conn.query_one("SELECT public_key FROM devices WHERE id = $1", &[&d])?;
        let existing: Vec<u8> = row.get(0);
        Ok(if existing == key.0 {
            Registered::Known
        } else {
            Registered::Conflict
        })
    }

    fn device_key(&self, device: Uuid) -> Result<Option<PublicKey>, StorageError> {
        let row = self.conn()?.query_opt(
            "SELECT public_key FROM devices WHERE id = $1",
            &[&device.to_string()],
        )?;
        row.map(|r| public_key(r.get(0))).transpose()
    }

    fn check_nonce(
        &self,
        device: Uuid,
        nonce: &str,
        time_ms: i64,
        forget_before_ms: i64,
    ) -> Result<NonceCheck, StorageError> {
        use std::sync::atomic::Ordering;
        let mut conn = self.nonce_conn()?;
        let last = self.swept.load(Ordering::SeqCst);
        if forget_before_ms >= last.saturating_add(1000)
            && self
                .swept
                .compare_exchange(last, forget_before_ms, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
        {
            conn.execute(
                "DELETE FROM nonces WHERE time_ms < $1",
                &[&forget_before_ms],
            )?;
        }
        // One statement, one round trip: the nonce stored, and the membership epoch read.
        let row = conn.query_one(
            "WITH stored AS (
               INSERT INTO nonces (device, nonce, time_ms) VALUES ($1, $2, $3)
               ON CONFLICT DO NOTHING RETURNING 1)
             SELECT (SELECT count(*) FROM stored), (SELECT epoch FROM member_epoch)",
            &[&device.to_string(), &nonce, &time_ms],
        )?;
        Ok(NonceCheck {
            fresh: row.get::<_, i64>(0) == 1,
            members_epoch: Some(row.get(1)),
        })
    }

    fn create_doc(&self, doc: Uuid, creator: Uuid, now_ms: i64) -> Result<Created, StorageError> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction()?;
        let (d, c) = (doc.to_string(), creator.to_string());
        let inserted = tx.execute(
            "INSERT INTO docs (id, created_by, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (id) DO NOTHING",
            &[&d, &c, &now_ms],
        )?;
        let out = if inserted == 1 {
            tx.execute(
                "INSERT INTO members (doc_id, device_id, role) VALUES ($1, $2, 'adviser')",
                &[&d, &c],
            )?;
            Created::Created
        } else {
            let owner: String = tx
                .query_one("SELECT created_by FROM docs WHERE id = $1", &[&d])?
                .get(0);
            if owner == c {
                Created::AlreadyMember
            } else {
                Created::Taken
            }
        };
        tx.commit()?;
        Ok(out)
    }

    fn membership(&self, doc: Uuid, device: Uuid) -> Result<Option<Membership>, StorageError> {
        let row = self.conn()?.query_opt(
            "SELECT m.role, d.end_day, m.served_through FROM members m JOIN docs d ON d.id = m.doc_id
             WHERE m.doc_id = $1 AND m.device_id = $2",
            &[&doc.to_string(), &device.to_string()],
        )?;
        row.map(|r| Ok(Membership::stored(role_from(r.get(0))?, r.get(1), r.get(2))))
            .transpose()
    }

    fn docs_created_by(&self, device: Uuid) -> Result<u64, StorageError> {
        let n: i64 = self
            .conn()?
            .query_one(
                "SELECT count(*) FROM docs WHERE created_by = $1",
                &[&device.to_string()],
            )?
            .get(0);
        Ok(n as u64)
    }

    fn set_end_day(&self, doc: Uuid, end_day: Option<i64>) -> Result<(), StorageError> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction()?;
        tx.execute(
            "UPDATE docs SET end_day = $2 WHERE id = $1",
            &[&doc.to_string(), &end_day],
        )?;
        tx.execute(RAISE_MEMBER_EPOCH, &[])?;
        tx.commit()?;
        Ok(())
    }

    fn create_invitation(
        &self,
        inv: &CreateInvitation,
        created_by: Uuid,
    ) -> Result<bool, StorageError> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction()?;
        let id = inv.invitation_id.to_string();
        let n = tx.execute(
            "INSERT INTO invitations (id, doc_id, secret_hash, role, expires_at, created_by)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING",
            &[
                &id,
                &inv.doc_id.to_string(),
                &inv.secret_hash.as_slice(),
                &role_code(inv.role),
                &inv.expires_at_ms,
                &created_by.to_string(),
            ],
        )?;
        if n == 1
            && let Some(b) = &inv.bundle
        {
            tx.execute(
                "INSERT INTO bundles (lookup, invitation_id, sealed) VALUES ($1, $2, $3)
                 ON CONFLICT (lookup) DO NOTHING",
                &[&b.lookup.as_slice(), &id, &b.sealed],
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
        let mut conn = self.conn()?;
        forget_expired_bundles(&mut *conn, now_ms)?;
        Ok(conn
            .query_opt(
                "SELECT b.sealed FROM bundles b JOIN invitations i ON i.id = b.invitation_id
                 WHERE b.lookup = $1 AND i.expires_at > $2
                   AND (i.used_by IS NULL OR (i.used_by = $3 AND i.used_at > $2 - $4))",
                &[
                    &lookup.as_slice(),
                    &now_ms,
                    &device.to_string(),
                    &RETAKE_AFTER_USE_MS,
                ],
            )?
            .map(|r| r.get(0)))
    }

    fn accept_invitation(
        &self,
        invitation: Uuid,
        secret_hash: &[u8; 32],
        device: Uuid,
        now_ms: i64,
    ) -> Result<Accept, StorageError> {
        let mut conn = self.conn()?;
        forget_expired_bundles(&mut *conn, now_ms)?;
        let mut tx = conn.transaction()?;
        let id = invitation.to_string();
        // Locked: two devices accepting at once through two relays cannot both use it.
        let Some(row) = tx.query_opt(
            "SELECT doc_id, secret_hash, role, expires_at, used_by FROM invitations
             WHERE id = $1 FOR UPDATE",
            &[&id],
        )?
        else {
            return Ok(Accept::Unknown);
        };
        let doc: String = row.get(0);
        let hash: Vec<u8> = row.get(1);
        let role: String = row.get(2);
        let expires_at: i64 = row.get(3);
        let used_by: Option<String> = row.get(4);
        // A wrong secret is answered like an unknown invitation: it reveals nothing.
        if hash.as_slice() != secret_hash.as_slice() {
            return Ok(Accept::Unknown);
        }
        let doc_id: Uuid = doc
            .parse()
            .map_err(|_| StorageError::Malformed("doc id".into()))?;
        if let Some(by) = used_by {
            // Accepting twice from the same device is a retry, not a second use.
            if by == device.to_string() {
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
        let d = device.to_string();
        tx.execute(
            "UPDATE invitations SET used_by = $2, used_at = $3 WHERE id = $1",
            &[&id, &d, &now_ms],
        )?;
        // The bundle stays for this device alone a while (`RETAKE_AFTER_USE_MS`), then goes.
        tx.execute(
            "INSERT INTO members (doc_id, device_id, role) VALUES ($1, $2, $3)
             ON CONFLICT (doc_id, device_id) DO UPDATE SET role = EXCLUDED.role, served_through = 0",
            &[&doc, &d, &role],
        )?;
        tx.execute(RAISE_MEMBER_EPOCH, &[])?;
        tx.commit()?;
        Ok(Accept::Accepted {
            doc_id,
            role: role_from(&role)?,
        })
    }

    fn remove_member(&self, doc: Uuid, device: Uuid) -> Result<bool, StorageError> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction()?;
        let (d, dev) = (doc.to_string(), device.to_string());
        let n = tx.execute(
            "DELETE FROM members WHERE doc_id = $1 AND device_id = $2",
            &[&d, &dev],
        )?;
        // Invitations the removed device made and nobody has used yet die with it, and so do the
        // bundles it used, kept for it to take again.
        tx.execute(
            "DELETE FROM bundles WHERE invitation_id IN
               (SELECT id FROM invitations WHERE doc_id = $1
                  AND ((created_by = $2 AND used_by IS NULL) OR used_by = $2))",
            &[&d, &dev],
        )?;
        tx.execute(
            "UPDATE invitations SET used_by = 'revoked', used_at = 0
             WHERE doc_id = $1 AND created_by = $2 AND used_by IS NULL",
            &[&d, &dev],
        )?;
        tx.execute(RAISE_MEMBER_EPOCH, &[])?;
        tx.commit()?;
        Ok(n == 1)
    }

    fn memberships_of(&self, device: Uuid) -> Result<Vec<(Uuid, Membership, u64)>, StorageError> {
        let rows = self.conn()?.query(
            "SELECT m.doc_id, m.role, d.end_day, m.served_through,
                    (SELECT coalesce(max(server_seq), 0) FROM records r WHERE r.doc_id = m.doc_id)
             FROM members m JOIN docs d ON d.id = m.doc_id WHERE m.device_id = $1",
            &[&device.to_string()],
        )?;
        rows.iter()
            .map(|r| member_row(r.get(0), r.get(1), r.get(2), r.get(3), r.get(4)))
            .collect()
    }

    fn doc_bytes(&self, doc: Uuid) -> Result<u64, StorageError> {
        let n: Option<i64> = self
            .conn()?
            .query_opt("SELECT bytes FROM docs WHERE id = $1", &[&doc.to_string()])?
            .map(|r| r.get(0));
        Ok(n.unwrap_or(0).max(0) as u64)
    }

    fn has_record(&self, doc: Uuid, device: Uuid, device_seq: u64) -> Result<bool, StorageError> {
        Ok(self
            .conn()?
            .query_opt(
                "SELECT 1 FROM records WHERE doc_id = $1 AND device_id = $2 AND device_seq = $3",
                &[&doc.to_string(), &device.to_string(), &(device_seq as i64)],
            )?
            .is_some())
    }

    fn ready(&self) -> Result<(), StorageError> {
        // A server in recovery (a standby, or a primary that failed over to become one) takes no
        // writes: not ready, although it answers.
        let standby: bool = self
            .conn()?
            .query_one("SELECT pg_is_in_recovery()", &[])?
            .get(0);
        if standby {
            return Err(StorageError::Unavailable(
                "the database is a standby and takes no writes".into(),
            ));
        }
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
        let mut conn = self.conn()?;
        // Nothing new, the most common pull: one round trip, no transaction.
        let latest: i64 = conn
            .query_one(
                "SELECT coalesce(max(server_seq), 0) FROM records WHERE doc_id = $1",
                &[&doc.to_string()],
            )?
            .get(0);
        if latest.max(0) as u64 <= since {
            return Ok(Pulled::nothing(since));
        }
        // One view of the log for the whole answer, whatever other relays append meanwhile.
        let tx = conn
            .build_transaction()
            .isolation_level(postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()?;
        let mut log = PgLog {
            tx,
            doc: doc.to_string(),
        };
        let pulled = pull_from(&mut log, since, &reader.to_string(), max_bytes, first)?;
        log.tx.commit()?;
        Ok(pulled)
    }

    fn latest(&self, doc: Uuid) -> Result<u64, StorageError> {
        let n: i64 = self
            .conn()?
            .query_one(
                "SELECT coalesce(max(server_seq), 0) FROM records WHERE doc_id = $1",
                &[&doc.to_string()],
            )?
            .get(0);
        Ok(n as u64)
    }

    fn listen(&self, appended: OnAppend) -> Result<(), StorageError> {
        let config = self.config.clone();
        let stop = self.stop.clone();
        std::thread::Builder::new()
            .name("postgres-listen".into())
            .spawn(move || listen(&config, &stop, &appended))
            .map_err(|e| StorageError::Db(e.to_string()))?;
        Ok(())
    }

    fn served(&self, doc: Uuid, device: Uuid, cursor: u64) -> Result<(), StorageError> {
        // On a connection that does not wait for the flush, like the nonces: lost to a crash of
        // the cluster, a device is only believed less than it was served (it reads a few records
        // again, and a snapshot of its waits for its next pull), never more.
        self.nonce_conn()?.execute(
            "UPDATE members SET served_through = $3
             WHERE doc_id = $1 AND device_id = $2 AND served_through < $3",
            &[&doc.to_string(), &device.to_string(), &(cursor as i64)],
        )?;
        Ok(())
    }
}

/// Rows fetched per round trip while a pull walks the log: enough for a full answer of small
/// records, without reading a long backlog past the answer's byte budget.
const PULL_BATCH: i32 = 256;

/// One document's log, read in one read-only transaction.
struct PgLog<'a> {
    tx: postgres::Transaction<'a>,
    doc: String,
}

impl LogReader for PgLog<'_> {
    fn snapshots_after(&mut self, since: u64) -> Result<Vec<LogRow>, StorageError> {
        let rows = self.tx.query(
            &format!("{PULL_COLUMNS} WHERE r.doc_id = $1 AND r.kind = $2 AND r.server_seq > $3"),
            &[&self.doc, &(RecordKind::Snapshot as i64), &(since as i64)],
        )?;
        Ok(rows.iter().map(log_row).collect())
    }

    fn roster_between(&mut self, since: u64, through: u64) -> Result<Vec<LogRow>, StorageError> {
        let rows = self.tx.query(
            &format!(
                "{PULL_COLUMNS} WHERE r.doc_id = $1 AND r.kind = $2 AND r.server_seq > $3
                 AND r.server_seq <= $4 ORDER BY r.server_seq"
            ),
            &[
                &self.doc,
                &(RecordKind::Roster as i64),
                &(since as i64),
                &(through as i64),
            ],
        )?;
        Ok(rows.iter().map(log_row).collect())
    }

    fn each_after(
        &mut self,
        from: u64,
        each: &mut dyn FnMut(LogRow) -> Result<bool, StorageError>,
    ) -> Result<(), StorageError> {
        let from = from as i64;
        let portal = self.tx.bind(
            &format!(
                "{PULL_COLUMNS} WHERE r.doc_id = $1 AND r.server_seq > $2 ORDER BY r.server_seq"
            ),
            &[&self.doc, &from],
        )?;
        loop {
            let rows = self.tx.query_portal(&portal, PULL_BATCH)?;
            let last = rows.len() < PULL_BATCH as usize;
            for row in &rows {
                if !each(log_row(row))? {
                    return Ok(());
                }
            }
            if last {
                return Ok(());
            }
        }
    }
}

/// (server_seq, device_id, body, public_key) as read.
fn log_row(r: &Row) -> LogRow {
    LogRow {
        seq: r.get::<_, i64>(0) as u64,
        sender: r.get(1),
        body: r.get(2),
        sender_key: r.get(3),
    }
}

/// The listening thread: a connection of its own on `APPENDS_CHANNEL`, each notification handed
/// to `appended`, until `stop`. When the connection breaks (a restart, a failover) it connects
/// again; a device waiting meanwhile hears of nothing and asks again when its wait runs out.
fn listen(config: &postgres::Config, stop: &std::sync::atomic::AtomicBool, appended: &OnAppend) {
    use std::sync::atomic::Ordering;
    while !stop.load(Ordering::SeqCst) {
        let mut client = match config.connect(NoTls) {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "listening for uploads: no connection");
                std::thread::sleep(Duration::from_secs(1));
                continue;
            }
        };
        if let Err(e) = client.batch_execute(&format!("LISTEN {APPENDS_CHANNEL}")) {
            tracing::warn!(error = %e, "listening for uploads");
            continue;
        }
        loop {
            if stop.load(Ordering::SeqCst) {
                return;
            }
            // A second at most, then a look at `stop` (a new wait each time: a spent one would
            // answer at once from then on).
            let next = {
                let mut notes = client.notifications();
                let mut wait = notes.timeout_iter(Duration::from_secs(1));
                postgres::fallible_iterator::FallibleIterator::next(&mut wait)
            };
            match next {
                Ok(Some(n)) => {
                    let mut parts = n.payload().split(' ');
                    let doc = parts.next().and_then(|p| p.parse().ok());
                    let seq = parts.next().and_then(|p| p.parse().ok());
                    let sender = parts.next().and_then(|p| p.parse().ok());
                    if let (Some(doc), Some(seq), Some(sender)) = (doc, seq, sender) {
                        appended(doc, seq, sender);
                    }
                }
                Ok(None) if client.is_closed() => break,
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "listening for uploads: connection lost");
                    break;
                }
            }
        }
    }
}

/// Bundles of expired invitations, and of used ones past their retake, are deleted, not just no
/// longer served.
fn forget_expired_bundles(conn: &mut impl GenericClient, now_ms: i64) -> Result<(), StorageError> {
    conn.execute(
        "DELETE FROM bundles WHERE invitation_id IN
           (SELECT id FROM invitations WHERE expires_at <= $1
              OR (used_by IS NOT NULL AND (used_at IS NULL OR used_at <= $1 - $2)))",
        &[&now_ms, &RETAKE_AFTER_USE_MS],
    )?;
    Ok(())
}

fn public_key(bytes: Vec<u8>) -> Result<PublicKey, StorageError> {
    bytes
        .try_into()
        .map(PublicKey)
        .map_err(|_| StorageError::Malformed("public key".into()))
}
