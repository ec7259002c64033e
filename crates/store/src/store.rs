//! The encrypted local store of one device.
//!
//! One SQLCipher database per device holds every placement document it may see, their
//! projections, the full-text index and the audit log. Documents are kept as a snapshot plus the
//! changes saved after it; every change is written in one transaction together with the
//! projection rows and audit entries it affects, with WAL and `synchronous=FULL`, so that a change
//! the store has confirmed survives a crash or a pulled battery, and a change it has not confirmed
//! leaves no trace.
//!
//! Opening never creates: a store is created once, explicitly, in an empty place. A wrong key, a
//! missing key or a damaged file gives an error and leaves the file exactly as it was.

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use folgesvenn_domain::automerge::{
    ActorId, AutoCommit, ChangeHash, LoadOptions, OnPartialLoad, VerificationMode,
};
use folgesvenn_domain::rights::{self, Authored, Document};
use folgesvenn_domain::{
    Day, DocError, EMPLOYER_ACCESS_DAYS, FieldConflict, Moment, NewAdviserNote, NewObservation,
    NewPlacement, NewVisit, PlacementStatus, PrivateDoc, PrivatePlacement, Role, SharedDoc,
    SharedPlacement, Stamp, Touched,
};
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use zeroize::Zeroizing;

use crate::audit::{self, AuditAction, AuditEntry};
use crate::key::{self, DbKey, KeyLocation, Unlock, keystore};
use crate::{StoreError, private_files, projection, schema};

const DB_FILE: &str = "folgesvenn.db";
const META_FILE: &str = "store.json";
/// After this many saved changes a document is rewritten as one compact snapshot.
pub const COMPACT_AFTER: usize = 256;

/// `store.json`: the non-secret facts needed before the database can be opened.
#[derive(Serialize, Deserialize)]
struct StoreMeta {
    format: u32,
    device_id: Uuid,
    key: KeyLocation,
    key_check: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocKind {
    Shared,
    Private,
}

impl DocKind {
    fn code(self) -> &'static str {
        match self {
            DocKind::Shared => "shared",
            DocKind::Private => "private",
        }
    }
}

pub(crate) enum Doc {
    Shared(SharedDoc),
    Private(PrivateDoc),
}

impl Doc {
    pub(crate) fn am(&mut self) -> &mut AutoCommit {
        match self {
            Doc::Shared(d) => d.automerge_mut(),
            Doc::Private(d) => d.automerge_mut(),
        }
    }
}

/// A document held in memory, with what of it is already on disk.
pub(crate) struct Loaded {
    pub(crate) doc: Doc,
    pub(crate) placement: Uuid,
    pub(crate) persisted: Vec<ChangeHash>,
    changes_since_snapshot: usize,
}

/// Where a document lives and what it is, for sync and diagnostics.
#[derive(Clone, Debug, Serialize)]
pub struct DocInfo {
    pub id: Uuid,
    pub placement_id: Uuid,
    pub kind: DocKind,
}

/// One row of the placement list.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct PlacementSummary {
    pub id: Uuid,
    pub candidate_name: String,
    pub employer_name: String,
    pub measure: String,
    pub status: String,
    pub start_date: String,
    pub end_date: Option<String>,
    pub next_visit: Option<String>,
    pub open_requests: i64,
    pub overdue_actions: i64,
    pub last_observation: Option<String>,
}

/// A placement as the overview screen shows it.
#[derive(Clone, Debug, Serialize)]
pub struct PlacementView {
    pub id: Uuid,
    pub shared: SharedPlacement,
    /// Only on adviser devices.
    pub private: Option<PrivatePlacement>,
    pub conflicts: Vec<FieldConflict>,
}

/// The placement's own facts, as the projection holds them.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct PlacementFacts {
    pub candidate_name: String,
    pub employer_name: String,
    pub employer_org: String,
    pub adviser_name: String,
    pub measure: String,
    pub status: String,
    pub start_date: String,
    pub end_date: Option<String>,
    pub closed_on: Option<String>,
    /// A `CloseReason` code.
    pub closed_reason: Option<String>,
    /// The last day employer devices have access, once the placement is closed.
    pub employer_access_ends: Option<String>,
    pub hours_per_week: f64,
}

/// A small record of the plan (goal, adaptation, contact person, training task): its id, a main
/// text, and up to two more fields the overview shows.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct PlanItem {
    pub id: Uuid,
    pub text: String,
    pub detail: Option<String>,
    pub status: Option<String>,
}

/// One entry of the placement's timeline: visits, daily logs, requests, actions and notes, newest
/// first.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct TimelineItem {
    pub kind: String,
    pub id: Uuid,
    pub at: String,
    pub text: String,
    pub status: Option<String>,
    /// A contact request: when it was answered (resolved, else acknowledged). A correction: the
    /// visit it replaces. An action: its due date.
    pub done_at: Option<String>,
    /// A contact request: its resolution. A correction: the replaced visit's summary. An action:
    /// its owner. A note: who wrote it.
    pub detail: Option<String>,
}

/// A placement as its overview screen shows it, read from the projection alone, so opening even a
/// three-year placement does not load its documents.
#[derive(Clone, Debug, Serialize)]
pub struct Overview {
    pub id: Uuid,
    pub facts: PlacementFacts,
    pub goals: Vec<PlanItem>,
    pub adaptations: Vec<PlanItem>,
    pub contact_persons: Vec<PlanItem>,
    pub training_plan: Vec<PlanItem>,
    pub timeline: Vec<TimelineItem>,
    pub conflicts: Vec<FieldConflict>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct SearchHit {
    pub placement_id: Uuid,
    pub candidate_name: String,
    pub record_id: Uuid,
    pub kind: String,
    pub snippet: String,
}

/// The result of applying records from another device.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// How many records (placement facts counted as one) changed.
    pub records_changed: usize,
}

/// What a document operation gives back: a value (often the new record's id) and what it touched.
/// Lets `write_shared` take both `add_note` (id + touched) and `set_action_status` (touched only).
pub trait Outcome {
    type Value;
    fn split(self) -> (Self::Value, Touched);
}

impl Outcome for Touched {
    type Value = ();
    fn split(self) -> ((), Touched) {
        ((), self)
    }
}

impl<T> Outcome for (T, Touched) {
    type Value = T;
    fn split(self) -> (T, Touched) {
        self
    }
}

type Clock = Box<dyn Fn() -> (Moment, Day) + Send>;

fn system_clock() -> (Moment, Day) {
    let now = time::OffsetDateTime::now_utc();
    (Moment(now), today_in(now, &local_zone()))
}

/// The device's time zone, or Norway's where the OS does not say (the users are in Norway).
fn local_zone() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::try_system()
        .or_else(|_| jiff::tz::TimeZone::get("Europe/Oslo"))
        .unwrap_or(jiff::tz::TimeZone::UTC)
}

/// What "today" is for the user at `now`: the date on their wall clock, not in UTC (between
/// midnight and 01:00 or 02:00 in Norway the two differ, and a daily log dated today would be
/// refused as lying in the future).
fn today_in(now: time::OffsetDateTime, zone: &jiff::tz::TimeZone) -> Day {
    let utc_date = now.date();
    let Ok(ts) = jiff::Timestamp::from_second(now.unix_timestamp()) else {
        return Day(utc_date);
    };
    let local = ts.to_zoned(zone.clone()).date();
    time::Month::try_from(local.month() as u8)
        .ok()
        .and_then(|m| {
            time::Date::from_calendar_date(i32::from(local.year()), m, local.day() as u8).ok()
        })
        .map_or(Day(utc_date), Day)
}

pub struct Store {
    pub(crate) conn: Connection,
    dir: PathBuf,
    device: Uuid,
    role: Role,
    user_name: String,
    pub(crate) docs: HashMap<Uuid, Loaded>,
    clock: Clock,
    compact_after: usize,
}

fn db_path(dir: &Path) -> PathBuf {
    dir.join(DB_FILE)
}

fn write_meta(dir: &Path, meta: &StoreMeta) -> Result<(), StoreError> {
    // Write beside, fsync, rename over, fsync the directory: the file is either old or new, never torn.
    let tmp = dir.join(format!("{META_FILE}.tmp"));
    let json = serde_json::to_vec_pretty(meta).map_err(|e| StoreError::BadMetadata {
        path: dir.join(META_FILE),
        detail: e.to_string(),
    })?;
    let mut f = private_files::open_new(&tmp, false)?;
    // A `.tmp` left by a crash keeps its old mode: tighten it too.
    private_files::restrict(&tmp, 0o600)?;
    f.write_all(&json)?;
    f.sync_all()?;
    fs::rename(&tmp, dir.join(META_FILE))?;
    fs::File::open(dir)?.sync_all()?;
    Ok(())
}

fn read_meta(dir: &Path) -> Result<StoreMeta, StoreError> {
    let path = dir.join(META_FILE);
    let bytes = fs::read(&path).map_err(|e| StoreError::BadMetadata {
        path: path.clone(),
        detail: e.to_string(),
    })?;
    serde_json::from_slice(&bytes).map_err(|e| StoreError::BadMetadata {
        path,
        detail: e.to_string(),
    })
}

/// Opens the SQLCipher connection and proves the key reads the file. Never creates a file unless
/// `create` is set.
fn connect(path: &Path, key: &DbKey, create: bool) -> Result<Connection, StoreError> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let conn = Connection::open_with_flags(path, flags)?;
    // SQLCipher logs decryption failures to stderr itself; the error we return says it plainly.
    conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
    // A raw key (x'…') skips SQLCipher's own PBKDF2: the key is already 256 random bits.
    let pragma = Zeroizing::new(format!("PRAGMA key = \"x'{}'\";", key.to_hex().as_str()));
    conn.execute_batch(&pragma)?;
    let damaged = |e: rusqlite::Error| StoreError::Damaged {
        path: path.to_owned(),
        detail: e.to_string(),
    };
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })
    .map_err(damaged)?;
    // `secure_delete` for the connection's whole life, not only during a purge: a row updated
    // or deleted at any time (an edited note, a compacted document's changes, a projection row
    // rewritten) leaves its old text in the page's free space or in a free page otherwise, and a
    // later purge cannot find those to wipe them.
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA busy_timeout = 5000;
         PRAGMA secure_delete = ON;",
    )
    .map_err(damaged)?;
    // Plans that do not hinge on bound values: otherwise SQLite recompiles a cached statement
    // with a join, range scan or LIMIT parameter every time rusqlite's cache takes it back (see
    // the relay's `stable_plans`). No query here depends on ANALYZE statistics or a LIKE prefix.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    Ok(conn)
}

/// Full-text search over every placement: `?1` the FTS5 query, `?2` how many hits.
pub(crate) const SEARCH: &str = "
    SELECT d.placement_id, p.candidate_name, d.record_id, d.kind,
           snippet(search, 0, '[', ']', '…', 12)
      FROM search JOIN search_docs d ON d.rowid = search.rowid
      JOIN placements p ON p.id = d.placement_id
     WHERE search MATCH ?1
     ORDER BY rank LIMIT ?2";

impl Store {
    /// Creates a new store in `dir` for a device with the given role and user. Refuses when a
    /// database is already there.
    pub fn create(
        dir: &Path,
        role: Role,
        user_name: &str,
        unlock: Unlock,
    ) -> Result<Store, StoreError> {
        let db = db_path(dir);
        if db.exists() {
            return Err(StoreError::AlreadyExists(db));
        }
        folgesvenn_domain::check_user_name(user_name)?;
        private_files::create_dir(dir)?;
        let device = Uuid::new_v4();
        let (key, location) = match unlock {
            Unlock::Keystore => {
                let key = DbKey::generate();
                let account = format!("db-key:{device}");
                keystore::store(&account, &key)?;
                (key, KeyLocation::Keystore { account })
            }
            Unlock::Passphrase(p) => {
                let key = DbKey::generate();
                let wrapped = key::wrap(&key, &p, device)?;
                (key, KeyLocation::Passphrase(wrapped))
            }
            Unlock::Key(k) => (k, KeyLocation::External),
        };
        write_meta(
            dir,
            &StoreMeta {
                format: 1,
                device_id: device,
                key: location,
                key_check: key.check_value(),
            },
        )?;
        // Made owner-only before SQLite opens it: SQLite would create it with the umask's mode,
        // and gives its `-wal` and `-shm` files the database file's mode.
        drop(private_files::open_new(&db, true)?);
        let mut conn = connect(&db, &key, true)?;
        schema::migrate(&mut conn)?;
        private_files::tighten_store(dir)?;
        let tx = conn.transaction()?;
        for (k, v) in [
            ("device_id", device.to_string()),
            ("role", role.code().to_owned()),
            ("user_name", user_name.trim().to_owned()),
        ] {
            tx.execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)",
                params![k, v],
            )?;
        }
        tx.commit()?;
        Ok(Store::assemble(
            conn,
            dir,
            device,
            role,
            user_name.trim().to_owned(),
        ))
    }

    /// How the store in `dir` is unlocked, so the app knows whether to ask for a passphrase.
    pub fn key_location(dir: &Path) -> Result<KeyLocation, StoreError> {
        Ok(read_meta(dir)?.key)
    }

    /// Opens the store in `dir`. Never creates one.
    pub fn open(dir: &Path, unlock: Unlock) -> Result<Store, StoreError> {
        let db = db_path(dir);
        if !db.exists() {
            return Err(StoreError::NotFound(db));
        }
        // Stores made before files were owner-only are tightened on their next open. Best
        // effort: a file system without unix modes must not lock the user out of their records.
        let _ = private_files::tighten_store(dir);
        let meta = read_meta(dir)?;
        let key = match (unlock, &meta.key) {
            (Unlock::Keystore, KeyLocation::Keystore { account }) => keystore::load(account)?,
            (Unlock::Passphrase(p), KeyLocation::Passphrase(w)) => {
                key::unwrap(w, &p, meta.device_id)?
            }
            (Unlock::Key(k), _) => k,
            (_, KeyLocation::Keystore { .. }) => {
                return Err(StoreError::OtherUnlock("nøkkelringen"));
            }
            (_, KeyLocation::Passphrase(_)) => return Err(StoreError::OtherUnlock("passord")),
            (_, KeyLocation::External) => {
                return Err(StoreError::OtherUnlock("en nøkkel som holdes utenfor"));
            }
        };
        if key.check_value() != meta.key_check {
            return Err(StoreError::WrongKey(db));
        }
        let mut conn = connect(&db, &key, false)?;
        schema::migrate(&mut conn)?;
        let get = |k: &str| -> Result<String, StoreError> {
            conn.query_row("SELECT value FROM meta WHERE key = ?1", [k], |r| r.get(0))
                .map_err(|e| StoreError::Damaged {
                    path: db.clone(),
                    detail: format!("{k}: {e}"),
                })
        };
        let device: Uuid = get("device_id")?.parse().map_err(|_| StoreError::Damaged {
            path: db.clone(),
            detail: "device_id".into(),
        })?;
        let role: Role = get("role")?.parse()?;
        let user = get("user_name")?;
        if device != meta.device_id {
            return Err(StoreError::BadMetadata {
                path: dir.join(META_FILE),
                detail: "enhets-id stemmer ikke med databasen".into(),
            });
        }
        Ok(Store::assemble(conn, dir, device, role, user))
    }

    fn assemble(
        conn: Connection,
        dir: &Path,
        device: Uuid,
        role: Role,
        user_name: String,
    ) -> Store {
        Store {
            conn,
            dir: dir.to_owned(),
            device,
            role,
            user_name,
            docs: HashMap::new(),
            clock: Box::new(system_clock),
            compact_after: COMPACT_AFTER,
        }
    }

    /// Replaces the clock (tests, demos with a fixed date).
    pub fn set_clock(&mut self, clock: impl Fn() -> (Moment, Day) + Send + 'static) {
        self.clock = Box::new(clock);
    }

    pub fn set_compact_after(&mut self, changes: usize) {
        self.compact_after = changes.max(1);
    }

    pub fn device_id(&self) -> Uuid {
        self.device
    }

    pub fn role(&self) -> Role {
        self.role
    }

    pub fn user_name(&self) -> &str {
        &self.user_name
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn db_path(&self) -> PathBuf {
        db_path(&self.dir)
    }

    pub fn stamp(&self) -> Stamp {
        let (at, today) = (self.clock)();
        Stamp {
            role: self.role,
            name: self.user_name.clone(),
            at,
            today,
        }
    }

    fn actor(&self) -> ActorId {
        ActorId::from(self.device.as_bytes().as_slice())
    }

    // ---- documents in memory ----

    fn doc_id(&self, placement: Uuid, kind: DocKind) -> Result<Uuid, StoreError> {
        self.conn
            .query_row(
                "SELECT id FROM documents WHERE placement_id = ?1 AND kind = ?2",
                params![placement.to_string(), kind.code()],
                |r| r.get::<_, String>(0),
            )
            .optional()?
            .and_then(|s| s.parse().ok())
            .ok_or(StoreError::UnknownPlacement(placement))
    }

    fn placement_of(&self, doc_id: Uuid) -> Result<Uuid, StoreError> {
        self.conn
            .query_row(
                "SELECT placement_id FROM documents WHERE id = ?1",
                [doc_id.to_string()],
                |r| r.get::<_, String>(0),
            )
            .optional()?
            .and_then(|s| s.parse().ok())
            .ok_or(StoreError::UnknownDocument(doc_id))
    }

    /// Loads a document into memory from its snapshot and the changes after it.
    pub(crate) fn ensure_loaded(&mut self, doc_id: Uuid) -> Result<(), StoreError> {
        if self.docs.contains_key(&doc_id) {
            return Ok(());
        }
        let row: Option<(String, String, Vec<u8>)> = self
            .conn
            .query_row(
                "SELECT placement_id, kind, snapshot FROM documents WHERE id = ?1",
                [doc_id.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((placement, kind, mut bytes)) = row else {
            return Err(StoreError::UnknownDocument(doc_id));
        };
        let mut stmt = self
            .conn
            .prepare_cached("SELECT bytes FROM doc_changes WHERE doc_id = ?1 ORDER BY seq")?;
        let mut rows = stmt.query([doc_id.to_string()])?;
        let mut changes = 0;
        while let Some(r) = rows.next()? {
            // A snapshot followed by change chunks is itself a valid automerge file: load it in one pass.
            bytes.extend_from_slice(r.get_ref(0)?.as_blob().map_err(rusqlite::Error::from)?);
            changes += 1;
        }
        drop(rows);
        drop(stmt);
        // Our own file is authenticated page by page by SQLCipher's HMAC, so automerge need not
        // recompute every change hash to verify the heads; a damaged document still fails to parse.
        let mut am = AutoCommit::load_with_options(
            &bytes,
            LoadOptions::new()
                .on_partial_load(OnPartialLoad::Error)
                .verification_mode(VerificationMode::DontCheck),
        )
        .map_err(DocError::from)?;
        am.set_actor(self.actor());
        let persisted = am.get_heads();
        let doc = match kind.as_str() {
            "shared" => Doc::Shared(SharedDoc::from_automerge(am)?),
            _ => Doc::Private(PrivateDoc::from_automerge(am)?),
        };
        let placement = placement
            .parse()
            .map_err(|_| StoreError::UnknownDocument(doc_id))?;
        self.docs.insert(
            doc_id,
            Loaded {
                doc,
                placement,
                persisted,
                changes_since_snapshot: changes,
            },
        );
        Ok(())
    }

    // ---- writing ----

    /// Creates a placement with its shared document and, on an adviser device, its private one.
    pub fn create_placement(&mut self, input: &NewPlacement) -> Result<Uuid, StoreError> {
        let stamp = self.stamp();
        let placement = Uuid::new_v4();
        let mut shared = SharedDoc::create(placement, input, &stamp, Some(self.actor()))?;
        let mut private = PrivateDoc::create(placement, &stamp, Some(self.actor()))?;
        let (shared_id, private_id) = (Uuid::new_v4(), Uuid::new_v4());
        let tx = self.conn.transaction()?;
        insert_document(
            &tx,
            shared_id,
            placement,
            DocKind::Shared,
            &shared.automerge_mut().save(),
            stamp.at,
        )?;
        insert_document(
            &tx,
            private_id,
            placement,
            DocKind::Private,
            &private.automerge_mut().save(),
            stamp.at,
        )?;
        projection::placement(&tx, placement, &shared)?;
        log(
            &tx,
            self.device,
            &self.user_name,
            self.role,
            AuditAction::Write,
            Some(placement),
            "placement",
            stamp.at,
        )?;
        tx.commit()?;
        for (id, doc) in [
            (shared_id, Doc::Shared(shared)),
            (private_id, Doc::Private(private)),
        ] {
            let mut loaded = Loaded {
                doc,
                placement,
                persisted: Vec::new(),
                changes_since_snapshot: 0,
            };
            loaded.persisted = loaded.doc.am().get_heads();
            self.docs.insert(id, loaded);
        }
        Ok(placement)
    }

    /// Runs one operation on a placement's shared document and persists it: the new changes, the
    /// projection rows and the audit entries, in one transaction. On any error nothing is written
    /// and the in-memory document is dropped, to be reloaded from disk.
    pub fn write_shared<O: Outcome>(
        &mut self,
        placement: Uuid,
        op: impl FnOnce(&mut SharedDoc, &Stamp) -> Result<O, DocError>,
    ) -> Result<O::Value, StoreError> {
        let doc_id = self.doc_id(placement, DocKind::Shared)?;
        self.write_docs(placement, doc_id, None, |docs, stamp| {
            let Doc::Shared(d) = &mut docs.0.doc else {
                unreachable!("doc_id names the shared document")
            };
            let (t, touched) = op(d, stamp)?.split();
            Ok((t, touched, Touched::default()))
        })
    }

    /// As [`Store::write_shared`], for the adviser-private document. Refused on employer devices.
    pub fn write_private<O: Outcome>(
        &mut self,
        placement: Uuid,
        op: impl FnOnce(&mut PrivateDoc, &Stamp) -> Result<O, DocError>,
    ) -> Result<O::Value, StoreError> {
        if self.role != Role::Adviser {
            return Err(StoreError::NotForThisRole);
        }
        let doc_id = self.doc_id(placement, DocKind::Private)?;
        self.write_docs(placement, doc_id, None, |docs, stamp| {
            let Doc::Private(d) = &mut docs.0.doc else {
                unreachable!("doc_id names the private document")
            };
            let (t, touched) = op(d, stamp)?.split();
            Ok((t, Touched::default(), touched))
        })
    }

    /// Records a visit in the shared document and, if given, the adviser-only note about it in the
    /// private document: both or neither.
    pub fn record_visit(
        &mut self,
        placement: Uuid,
        visit: &NewVisit,
        adviser_note: Option<&str>,
    ) -> Result<Uuid, StoreError> {
        self.write_visit(placement, None, visit, adviser_note)
    }

    /// Corrects a visit as a new, linked entry (the original stays, with its history), with an
    /// optional adviser-only note about the correction: both or neither.
    pub fn correct_visit(
        &mut self,
        placement: Uuid,
        original: Uuid,
        visit: &NewVisit,
        adviser_note: Option<&str>,
    ) -> Result<Uuid, StoreError> {
        self.write_visit(placement, Some(original), visit, adviser_note)
    }

    fn write_visit(
        &mut self,
        placement: Uuid,
        corrects: Option<Uuid>,
        visit: &NewVisit,
        adviser_note: Option<&str>,
    ) -> Result<Uuid, StoreError> {
        let shared_id = self.doc_id(placement, DocKind::Shared)?;
        let private_id = match adviser_note {
            Some(n) if !n.trim().is_empty() => {
                if self.role != Role::Adviser {
                    return Err(StoreError::NotForThisRole);
                }
                Some(self.doc_id(placement, DocKind::Private)?)
            }
            _ => None,
        };
        let note = adviser_note.map(str::to_owned);
        self.write_docs(placement, shared_id, private_id, move |docs, stamp| {
            let Doc::Shared(shared) = &mut docs.0.doc else {
                unreachable!()
            };
            let (visit_id, touched) = match corrects {
                Some(original) => shared.correct_visit(original, visit, stamp)?,
                None => shared.record_visit(visit, stamp)?,
            };
            let mut private_touched = Touched::default();
            if let (Some(second), Some(body)) = (docs.1.as_deref_mut(), note) {
                let Doc::Private(private) = &mut second.doc else {
                    unreachable!()
                };
                let input = NewAdviserNote {
                    body,
                    health_related: false,
                    visit: Some(visit_id),
                };
                let r = private.add_note(&input, stamp);
                match r {
                    Ok((_, t)) => private_touched = t,
                    Err(e) => return Err(e),
                }
            }
            Ok((visit_id, touched, private_touched))
        })
    }

    /// Logs a day for the employer (and raises a contact request if asked).
    pub fn log_observation(
        &mut self,
        placement: Uuid,
        input: &NewObservation,
    ) -> Result<Uuid, StoreError> {
        self.write_shared(placement, |d, s| d.log_observation(input, s))
    }

    fn write_docs<T>(
        &mut self,
        placement: Uuid,
        first: Uuid,
        second: Option<Uuid>,
        op: impl FnOnce(
            &mut (&mut Loaded, Option<&mut Loaded>),
            &Stamp,
        ) -> Result<(T, Touched, Touched), DocError>,
    ) -> Result<T, StoreError> {
        self.ensure_loaded(first)?;
        if let Some(s) = second {
            self.ensure_loaded(s)?;
        }
        let stamp = self.stamp();
        let result = self.write_docs_inner(placement, first, second, op, &stamp);
        if result.is_err() {
            // Whatever the documents in memory now hold, the disk is the truth.
            self.docs.remove(&first);
            if let Some(s) = second {
                self.docs.remove(&s);
            }
        }
        result
    }

    fn write_docs_inner<T>(
        &mut self,
        placement: Uuid,
        first: Uuid,
        second: Option<Uuid>,
        op: impl FnOnce(
            &mut (&mut Loaded, Option<&mut Loaded>),
            &Stamp,
        ) -> Result<(T, Touched, Touched), DocError>,
        stamp: &Stamp,
    ) -> Result<T, StoreError> {
        let (value, shared_touched, private_touched) = {
            let mut a = self
                .docs
                .remove(&first)
                .ok_or(StoreError::UnknownDocument(first))?;
            let mut b = match second {
                Some(s) => Some(self.docs.remove(&s).ok_or(StoreError::UnknownDocument(s))?),
                None => None,
            };
            let r = op(&mut (&mut a, b.as_mut()), stamp);
            self.docs.insert(first, a);
            if let (Some(s), Some(b)) = (second, b) {
                self.docs.insert(s, b);
            }
            r?
        };
        // The same table the other members check: a write this device's role may not make is
        // refused here, not quarantined there.
        for id in std::iter::once(first).chain(second) {
            let role = self.write_role(id)?;
            let loaded = self
                .docs
                .get_mut(&id)
                .ok_or(StoreError::UnknownDocument(id))?;
            let which = match loaded.doc {
                Doc::Shared(_) => Document::Shared,
                Doc::Private(_) => Document::Private,
            };
            let since = loaded.persisted.clone();
            rights::check_own(loaded.doc.am(), &since, which, role)?;
        }
        let tx = self.conn.transaction()?;
        for id in std::iter::once(first).chain(second) {
            let loaded = self
                .docs
                .get_mut(&id)
                .ok_or(StoreError::UnknownDocument(id))?;
            if let Doc::Shared(d) = &loaded.doc
                && shared_touched.placement
            {
                note_end_day(&tx, id, placement, d)?;
            }
            persist(&tx, id, loaded, "local", stamp.at, self.compact_after)?;
            match &loaded.doc {
                Doc::Shared(d) => projection::shared(&tx, placement, d, &shared_touched)?,
                Doc::Private(d) => projection::private(&tx, placement, d, &private_touched)?,
            }
        }
        let mut records: Vec<String> = shared_touched
            .records
            .iter()
            .chain(&private_touched.records)
            .map(|(c, id)| format!("{c}/{id}"))
            .collect();
        if shared_touched.placement {
            records.push("placement".into());
        }
        for r in &records {
            log(
                &tx,
                self.device,
                &self.user_name,
                self.role,
                AuditAction::Write,
                Some(placement),
                r,
                stamp.at,
            )?;
        }
        tx.commit()?;
        for id in std::iter::once(first).chain(second) {
            if let Some(l) = self.docs.get_mut(&id) {
                l.persisted = l.doc.am().get_heads();
                if l.changes_since_snapshot >= self.compact_after {
                    l.changes_since_snapshot = 0;
                }
            }
        }
        Ok(value)
    }

    // ---- reading ----

    /// The whole placement for its overview. Audit-logged as a read.
    pub fn placement(&mut self, placement: Uuid) -> Result<PlacementView, StoreError> {
        let shared_id = self.doc_id(placement, DocKind::Shared)?;
        self.ensure_loaded(shared_id)?;
        let private_id = if self.role == Role::Adviser {
            self.doc_id(placement, DocKind::Private).ok()
        } else {
            None
        };
        if let Some(p) = private_id {
            self.ensure_loaded(p)?;
        }
        let (shared, mut conflicts) = match &self.docs[&shared_id].doc {
            Doc::Shared(d) => (d.hydrate()?, d.conflicts()),
            Doc::Private(_) => return Err(StoreError::UnknownDocument(shared_id)),
        };
        let private = match private_id.map(|p| &self.docs[&p].doc) {
            Some(Doc::Private(d)) => {
                conflicts.extend(d.conflicts());
                Some(d.hydrate()?)
            }
            _ => None,
        };
        self.log_read(AuditAction::Read, Some(placement), "placement")?;
        Ok(PlacementView {
            id: placement,
            shared,
            private,
            conflicts,
        })
    }

    /// The overview of a placement from the projection: facts, plan, the newest `timeline_len`
    /// timeline entries, and the open conflicts. Audit-logged as a read. Private entries (the
    /// adviser's own notes) appear only on adviser devices, since only they hold them.
    pub fn overview(
        &mut self,
        placement: Uuid,
        timeline_len: usize,
    ) -> Result<Overview, StoreError> {
        let pid = placement.to_string();
        let facts = self
            .conn
            .query_row(
                "SELECT candidate_name, employer_name, employer_org, adviser_name, measure, status,
                        start_date, end_date, closed_on, hours_per_week, closed_reason
                 FROM placements WHERE id = ?1",
                [&pid],
                |r| {
                    let status: String = r.get(5)?;
                    let closed_on: Option<String> = r.get(8)?;
                    let closed = status
                        .parse::<PlacementStatus>()
                        .is_ok_and(|s| s.is_closed());
                    let employer_access_ends = closed_on
                        .as_deref()
                        .filter(|_| closed)
                        .and_then(|d| Day::parse("sluttdato", d).ok())
                        .map(|d| d.plus_days(EMPLOYER_ACCESS_DAYS).to_string());
                    Ok(PlacementFacts {
                        candidate_name: r.get(0)?,
                        employer_name: r.get(1)?,
                        employer_org: r.get(2)?,
                        adviser_name: r.get(3)?,
                        measure: r.get(4)?,
                        status,
                        start_date: r.get(6)?,
                        end_date: r.get(7)?,
                        closed_on,
                        closed_reason: r.get(10)?,
                        employer_access_ends,
                        hours_per_week: r.get(9)?,
                    })
                },
            )
            .optional()?
            .ok_or(StoreError::UnknownPlacement(placement))?;
        let items = |sql: &str| -> Result<Vec<PlanItem>, StoreError> {
            let mut stmt = self.conn.prepare_cached(sql)?;
            let rows = stmt.query_map([&pid], |r| {
                Ok(PlanItem {
                    id: r.get::<_, String>(0)?.parse().unwrap_or_default(),
                    text: r.get(1)?,
                    detail: r.get(2)?,
                    status: r.get(3)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        };
        let goals = items(
            "SELECT id, description, category, NULL FROM goals WHERE placement_id = ?1 ORDER BY created_at",
        )?;
        let adaptations = items(
            "SELECT id, description, agreed_on, CASE active WHEN 1 THEN 'active' ELSE 'inactive' END
             FROM adaptations WHERE placement_id = ?1 ORDER BY agreed_on",
        )?;
        let contact_persons = items(
            "SELECT id, name, trim(role || ' ' || phone || ' ' || email), NULL
             FROM contact_persons WHERE placement_id = ?1 ORDER BY name",
        )?;
        let training_plan = items(
            "SELECT id, title, responsible || coalesce(' · ' || target_date, ''), status
             FROM training_tasks WHERE placement_id = ?1 ORDER BY position",
        )?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT 'visit', id, at, summary,
                 CASE WHEN EXISTS (SELECT 1 FROM visits c WHERE c.corrects = v.id) THEN 'corrected'
                      WHEN corrects IS NOT NULL THEN 'correction' END,
                 corrects, (SELECT o.summary FROM visits o WHERE o.id = v.corrects)
                 FROM visits v WHERE placement_id = ?1
             UNION ALL SELECT 'observation', id, logged_at, trim(tasks_done || char(10) || went_well || char(10) || problem), attendance, NULL, NULL
                 FROM observations WHERE placement_id = ?1
             UNION ALL SELECT 'contact_request', id, raised_at, message,
                 CASE WHEN resolved_at IS NOT NULL THEN 'resolved' WHEN acknowledged_at IS NOT NULL THEN 'acknowledged' ELSE 'open' END,
                 coalesce(resolved_at, acknowledged_at), nullif(resolution, '')
                 FROM contact_requests WHERE placement_id = ?1
             UNION ALL SELECT 'action', id, created_at, what, status, due, owner FROM actions WHERE placement_id = ?1
             UNION ALL SELECT CASE private WHEN 1 THEN 'adviser_note' ELSE 'note' END, id, written_at, body, NULL, NULL, author
                 FROM notes WHERE placement_id = ?1
             ORDER BY 3 DESC, 2 LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![pid, timeline_len as i64], |r| {
            Ok(TimelineItem {
                kind: r.get(0)?,
                id: r.get::<_, String>(1)?.parse().unwrap_or_default(),
                at: r.get(2)?,
                text: r.get(3)?,
                status: r.get(4)?,
                done_at: r.get(5)?,
                detail: r.get(6)?,
            })
        })?;
        let timeline: Vec<TimelineItem> = rows.collect::<Result<_, _>>()?;
        drop(stmt);
        let mut stmt = self.conn.prepare_cached(
            "SELECT path, vals FROM conflicts WHERE placement_id = ?1 ORDER BY path",
        )?;
        let rows = stmt.query_map([&pid], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut conflicts = Vec::new();
        for row in rows {
            let (path, vals) = row?;
            conflicts.push(FieldConflict {
                path: path.split('/').map(str::to_owned).collect(),
                values: serde_json::from_str(&vals).unwrap_or_default(),
            });
        }
        drop(stmt);
        self.log_read(AuditAction::Read, Some(placement), "overview")?;
        Ok(Overview {
            id: placement,
            facts,
            goals,
            adaptations,
            contact_persons,
            training_plan,
            timeline,
            conflicts,
        })
    }

    /// The placement as JSON, for the user to take elsewhere. Audit-logged as an export.
    pub fn export_placement(&mut self, placement: Uuid) -> Result<serde_json::Value, StoreError> {
        let view = self.placement(placement)?;
        self.log_read(AuditAction::Export, Some(placement), "placement")?;
        serde_json::to_value(&view).map_err(|e| StoreError::Io(std::io::Error::other(e)))
    }

    fn log_read(
        &mut self,
        action: AuditAction,
        placement: Option<Uuid>,
        record: &str,
    ) -> Result<(), StoreError> {
        let at = self.stamp().at;
        let tx = self.conn.transaction()?;
        log(
            &tx,
            self.device,
            &self.user_name,
            self.role,
            action,
            placement,
            record,
            at,
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The placement list, read from the projection (no document is loaded).
    pub fn list_placements(&mut self) -> Result<Vec<PlacementSummary>, StoreError> {
        let today = self.stamp().today.to_string();
        let mut stmt = self.conn.prepare_cached(
            "SELECT p.id, p.candidate_name, p.employer_name, p.measure, p.status, p.start_date, p.end_date,
                    (SELECT v.next_visit FROM visits v
                      WHERE v.placement_id = p.id AND v.next_visit IS NOT NULL
                        AND NOT EXISTS (SELECT 1 FROM visits c WHERE c.corrects = v.id)
                      ORDER BY v.at DESC LIMIT 1),
                    (SELECT count(*) FROM contact_requests r WHERE r.placement_id = p.id AND r.resolved_at IS NULL),
                    (SELECT count(*) FROM actions a WHERE a.placement_id = p.id
                        AND a.status IN ('open', 'in_progress') AND a.due < ?1),
                    (SELECT max(o.date) FROM observations o WHERE o.placement_id = p.id)
             FROM placements p
             ORDER BY CASE p.status WHEN 'active' THEN 0 WHEN 'planned' THEN 1 ELSE 2 END, p.candidate_name",
        )?;
        let rows = stmt.query_map([today], |r| {
            Ok(PlacementSummary {
                id: r.get::<_, String>(0)?.parse().unwrap_or_default(),
                candidate_name: r.get(1)?,
                employer_name: r.get(2)?,
                measure: r.get(3)?,
                status: r.get(4)?,
                start_date: r.get(5)?,
                end_date: r.get(6)?,
                next_visit: r.get(7)?,
                open_requests: r.get(8)?,
                overdue_actions: r.get(9)?,
                last_observation: r.get(10)?,
            })
        })?;
        let list: Vec<PlacementSummary> = rows.collect::<Result<_, _>>()?;
        drop(stmt);
        self.log_read(
            AuditAction::Read,
            None,
            &format!("placement_list ({} rader)", list.len()),
        )?;
        Ok(list)
    }

    /// Full-text search over what people wrote: visits, observations, notes, requests, actions.
    /// Each word matches as a prefix, so "arbeid" finds "arbeidstrening". Audit-logged per
    /// placement that has hits.
    pub fn search(&mut self, query: &str, limit: usize) -> Result<Vec<SearchHit>, StoreError> {
        let Some(fts) = crate::search::fts_query(query) else {
            return Ok(Vec::new());
        };
        // Placements whose candidate or employer name holds the query come first (the list's own
        // search), then what people wrote. One audit entry per placement either way.
        // Names are matched in Rust: SQLite's lower() and LIKE fold ASCII only ("Øystein").
        let needle = query.trim().to_lowercase();
        let mut hits: Vec<SearchHit> = {
            let mut stmt = self.conn.prepare_cached(
                "SELECT id, candidate_name, employer_name FROM placements ORDER BY candidate_name",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?;
            let mut by_name = Vec::new();
            for row in rows {
                let (id, candidate, employer) = row?;
                if candidate.to_lowercase().contains(&needle)
                    || employer.to_lowercase().contains(&needle)
                {
                    let id: Uuid = id.parse().unwrap_or_default();
                    by_name.push(SearchHit {
                        placement_id: id,
                        candidate_name: candidate,
                        record_id: id,
                        kind: "placement".into(),
                        snippet: employer,
                    });
                }
                if by_name.len() >= limit {
                    break;
                }
            }
            by_name
        };
        let mut stmt = self.conn.prepare_cached(SEARCH)?;
        let rows = stmt.query_map(params![fts, limit as i64], |r| {
            Ok(SearchHit {
                placement_id: r.get::<_, String>(0)?.parse().unwrap_or_default(),
                candidate_name: r.get(1)?,
                record_id: r.get::<_, String>(2)?.parse().unwrap_or_default(),
                kind: r.get(3)?,
                snippet: r.get(4)?,
            })
        })?;
        for hit in rows {
            hits.push(hit?);
        }
        drop(stmt);
        let mut placements: Vec<Uuid> = hits.iter().map(|h| h.placement_id).collect();
        placements.sort();
        placements.dedup();
        if !placements.is_empty() {
            let at = self.stamp().at;
            let tx = self.conn.transaction()?;
            for p in placements {
                log(
                    &tx,
                    self.device,
                    &self.user_name,
                    self.role,
                    AuditAction::Read,
                    Some(p),
                    "search",
                    at,
                )?;
            }
            tx.commit()?;
        }
        Ok(hits)
    }

    pub fn audit_entries(&self, placement: Option<Uuid>) -> Result<Vec<AuditEntry>, StoreError> {
        audit::entries(&self.conn, placement)
    }

    /// Checks the audit log's hash chain; returns how many entries it holds.
    pub fn verify_audit(&self) -> Result<i64, StoreError> {
        audit::verify(&self.conn)
    }

    /// Runs SQLite's and SQLCipher's integrity checks over the whole file.
    pub fn verify_integrity(&self) -> Result<(), StoreError> {
        let damaged = |detail: String| StoreError::Damaged {
            path: self.db_path(),
            detail,
        };
        let ok: String = self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(|e| damaged(e.to_string()))?;
        if ok != "ok" {
            return Err(damaged(ok));
        }
        let mut stmt = self.conn.prepare("PRAGMA cipher_integrity_check")?;
        let problems: Vec<String> = stmt
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        if !problems.is_empty() {
            return Err(damaged(problems.join("; ")));
        }
        Ok(())
    }

    /// Every projection row in a stable order, for comparing two devices. Without
    /// `include_private`, the rows that come from the adviser-private document are left out, so an
    /// adviser's and an employer's dumps of the same placements can be compared.
    pub fn projection_dump(&self, include_private: bool) -> Result<Vec<String>, StoreError> {
        let mut out = Vec::new();
        let tables: [(&str, &str, &str); 8] = [
            ("placements", "*", "1"),
            ("visits", "*", "1"),
            ("observations", "*", "1"),
            ("contact_requests", "*", "1"),
            ("actions", "*", "1"),
            ("notes", "*", "private = 0"),
            ("training_tasks", "*", "1"),
            (
                "search_docs",
                "record_id, placement_id, kind, body",
                "kind <> 'adviser_note'",
            ),
        ];
        for (table, cols, shared_only) in tables {
            let filter = if include_private { "1" } else { shared_only };
            let mut stmt = self.conn.prepare(&format!(
                "SELECT {cols} FROM {table} WHERE {filter} ORDER BY 1"
            ))?;
            let n = stmt.column_count();
            let rows = stmt.query_map([], |r| {
                let mut line = format!("{table}:");
                for i in 0..n {
                    let v: rusqlite::types::Value = r.get(i)?;
                    line.push_str(&format!(" {v:?}"));
                }
                Ok(line)
            })?;
            for row in rows {
                out.push(row?);
            }
        }
        Ok(out)
    }

    // ---- documents for sync ----

    pub fn documents(&self) -> Result<Vec<DocInfo>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, placement_id, kind FROM documents ORDER BY placement_id, kind")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, p, k) = row?;
            out.push(DocInfo {
                id: id.parse().unwrap_or_default(),
                placement_id: p.parse().unwrap_or_default(),
                kind: if k == "shared" {
                    DocKind::Shared
                } else {
                    DocKind::Private
                },
            });
        }
        Ok(out)
    }

    /// The ids of a collection's records as the document holds them (not the projection): for
    /// checking what survived a crash without hydrating every record.
    pub fn record_ids(
        &mut self,
        placement: Uuid,
        kind: DocKind,
        collection: &str,
    ) -> Result<Vec<Uuid>, StoreError> {
        let doc_id = self.doc_id(placement, kind)?;
        self.ensure_loaded(doc_id)?;
        let loaded = self
            .docs
            .get(&doc_id)
            .ok_or(StoreError::UnknownDocument(doc_id))?;
        Ok(match &loaded.doc {
            Doc::Shared(d) => d.record_ids(collection)?,
            Doc::Private(d) => d.record_ids(collection)?,
        })
    }

    pub fn document_id(&self, placement: Uuid, kind: DocKind) -> Result<Uuid, StoreError> {
        self.doc_id(placement, kind)
    }

    pub fn heads(&mut self, doc_id: Uuid) -> Result<Vec<ChangeHash>, StoreError> {
        self.ensure_loaded(doc_id)?;
        Ok(self
            .docs
            .get_mut(&doc_id)
            .map(|l| l.doc.am().get_heads())
            .unwrap_or_default())
    }

    /// The whole document, saved compactly.
    pub fn document_bytes(&mut self, doc_id: Uuid) -> Result<Vec<u8>, StoreError> {
        self.ensure_loaded(doc_id)?;
        Ok(self
            .docs
            .get_mut(&doc_id)
            .map(|l| l.doc.am().save())
            .unwrap_or_default())
    }

    /// The changes of a document that `heads` does not yet include, framed for another device.
    pub fn changes_since(
        &mut self,
        doc_id: Uuid,
        heads: &[ChangeHash],
    ) -> Result<Vec<u8>, StoreError> {
        self.ensure_loaded(doc_id)?;
        let loaded = self
            .docs
            .get_mut(&doc_id)
            .ok_or(StoreError::UnknownDocument(doc_id))?;
        Ok(match &mut loaded.doc {
            Doc::Shared(d) => d.changes_since(heads),
            Doc::Private(d) => d.changes_since(heads),
        })
    }

    /// Takes in a document another device created (the employer joining a placement, the adviser's
    /// second device). An employer device refuses private documents.
    pub fn import_document(
        &mut self,
        doc_id: Uuid,
        kind: DocKind,
        bytes: &[u8],
    ) -> Result<Uuid, StoreError> {
        if kind == DocKind::Private && self.role != Role::Adviser {
            return Err(StoreError::NotForThisRole);
        }
        let stamp = self.stamp();
        let mut doc = match kind {
            DocKind::Shared => Doc::Shared(SharedDoc::load(bytes)?),
            DocKind::Private => Doc::Private(PrivateDoc::load(bytes)?),
        };
        doc.am().set_actor(self.actor());
        let placement = match &doc {
            Doc::Shared(d) => d.placement_id()?,
            Doc::Private(d) => d.placement_id()?,
        };
        let mut loaded = Loaded {
            doc,
            placement,
            persisted: Vec::new(),
            changes_since_snapshot: 0,
        };
        let snapshot = loaded.doc.am().save();
        let tx = self.conn.transaction()?;
        insert_document(&tx, doc_id, placement, kind, &snapshot, stamp.at)?;
        match &loaded.doc {
            Doc::Shared(d) => projection::shared(&tx, placement, d, &projection::all_shared(d)?)?,
            Doc::Private(d) => {
                projection::private(&tx, placement, d, &projection::all_private(d)?)?
            }
        }
        log(
            &tx,
            self.device,
            &self.user_name,
            self.role,
            AuditAction::Write,
            Some(placement),
            &format!("import/{}", kind.code()),
            stamp.at,
        )?;
        tx.commit()?;
        loaded.persisted = loaded.doc.am().get_heads();
        self.docs.insert(doc_id, loaded);
        Ok(placement)
    }

    /// Applies changes received from another device to a document, and updates the projection,
    /// in one transaction. Bytes already applied change nothing. Trusts the bytes' authors: for
    /// store-to-store merges in tests and tools; what arrives through the relay goes through
    /// [`Store::apply_received`], which checks each author's rights.
    pub fn apply_remote(&mut self, doc_id: Uuid, bytes: &[u8]) -> Result<Applied, StoreError> {
        self.ensure_loaded(doc_id)?;
        let stamp = self.stamp();
        let (device, name, role) = (self.device, self.user_name.clone(), self.role);
        let result = self.apply_remote_inner(doc_id, &stamp, None, |doc| {
            let touched = match doc {
                Doc::Shared(d) => d.apply_changes(bytes)?,
                Doc::Private(d) => d.apply_changes(bytes)?,
            };
            Ok((touched, vec![(device, name, role)]))
        });
        if result.is_err() {
            self.docs.remove(&doc_id);
        }
        result
    }

    /// Applies records received through the relay and records `cursor` as the document's sync
    /// position, in one transaction, so a crash can neither skip nor half-apply a received record.
    /// Every new change is checked against its author's role first (`folgesvenn_domain::rights`;
    /// `author` gives a device's role and person for this document, `None` for no member): a
    /// change its author may not write refuses the whole call with [`DocError::Forbidden`] and
    /// nothing is written. The audit log names the real author of each write.
    pub fn apply_received(
        &mut self,
        doc_id: Uuid,
        parts: &[Authored<'_>],
        cursor: u64,
        author: &dyn Fn(Uuid) -> Option<(Role, String)>,
    ) -> Result<Applied, StoreError> {
        self.ensure_loaded(doc_id)?;
        let stamp = self.stamp();
        let role_of = |d: Uuid| author(d).map(|(r, _)| r);
        let result = self.apply_remote_inner(doc_id, &stamp, Some(cursor), |doc| {
            let (touched, devices) = match doc {
                Doc::Shared(d) => d.apply_authored(parts, &role_of)?,
                Doc::Private(d) => d.apply_authored(parts, &role_of)?,
            };
            let authors = devices
                .into_iter()
                .map(|d| {
                    let (role, name) = author(d).unwrap_or((Role::Adviser, "ukjent".to_owned()));
                    (d, name, role)
                })
                .collect();
            Ok((touched, authors))
        });
        if result.is_err() {
            self.docs.remove(&doc_id);
        }
        result
    }

    fn apply_remote_inner(
        &mut self,
        doc_id: Uuid,
        stamp: &Stamp,
        cursor: Option<u64>,
        apply: impl FnOnce(&mut Doc) -> Result<(Touched, Vec<(Uuid, String, Role)>), DocError>,
    ) -> Result<Applied, StoreError> {
        let loaded = self
            .docs
            .get_mut(&doc_id)
            .ok_or(StoreError::UnknownDocument(doc_id))?;
        let (touched, authors) = apply(&mut loaded.doc)?;
        let changed = touched.records.len() + usize::from(touched.placement);
        let placement = loaded.placement;
        let tx = self.conn.transaction()?;
        if let Some(c) = cursor {
            crate::sync_state::set_cursor(&tx, doc_id, c)?;
        }
        if loaded.doc.am().get_heads() == loaded.persisted {
            tx.commit()?;
            return Ok(Applied::default());
        }
        persist(&tx, doc_id, loaded, "remote", stamp.at, self.compact_after)?;
        match &loaded.doc {
            Doc::Shared(d) => projection::shared(&tx, placement, d, &touched)?,
            Doc::Private(d) => projection::private(&tx, placement, d, &touched)?,
        }
        let record = format!("sync ({changed} poster)");
        for (device, name, role) in &authors {
            log(
                &tx,
                *device,
                name,
                *role,
                AuditAction::Write,
                Some(placement),
                &record,
                stamp.at,
            )?;
        }
        tx.commit()?;
        if let Some(l) = self.docs.get_mut(&doc_id) {
            l.persisted = l.doc.am().get_heads();
        }
        Ok(Applied {
            records_changed: changed,
        })
    }

    /// Rewrites a document as one snapshot and drops the changes it covers.
    pub fn compact(&mut self, doc_id: Uuid) -> Result<(), StoreError> {
        self.ensure_loaded(doc_id)?;
        let at = self.stamp().at;
        let loaded = self
            .docs
            .get_mut(&doc_id)
            .ok_or(StoreError::UnknownDocument(doc_id))?;
        let tx = self.conn.transaction()?;
        compact(&tx, doc_id, loaded, at)?;
        tx.commit()?;
        Ok(())
    }

    /// Drops documents held in memory, so the next read loads them from disk (benchmarks, tests).
    /// Keeps a half-written form (JSON from the UI) until it is saved or cleared. Drafts are not
    /// records: no document, no projection, no audit entry; but encrypted like everything else.
    pub fn save_draft(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        const MAX_DRAFT: usize = 256 * 1024;
        if key.is_empty() || key.len() > 200 || value.len() > MAX_DRAFT {
            return Err(StoreError::Document(folgesvenn_domain::DocError::Invalid(
                folgesvenn_domain::ValidationError::TooLong {
                    field: "utkast",
                    max: MAX_DRAFT,
                    len: value.len(),
                },
            )));
        }
        let at = self.stamp().at.to_string();
        self.conn.execute(
            "INSERT INTO drafts (key, value, saved_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, saved_at = excluded.saved_at",
            params![key, value, at],
        )?;
        Ok(())
    }

    pub fn load_draft(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM drafts WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    pub fn clear_draft(&mut self, key: &str) -> Result<(), StoreError> {
        self.conn
            .execute("DELETE FROM drafts WHERE key = ?1", [key])?;
        Ok(())
    }

    /// Deletes from an employer's device every placement that was ended or cancelled more than
    /// [`EMPLOYER_ACCESS_DAYS`] ago (NAV's 12 weeks; the relay ends the employer's membership at
    /// the same time): documents, their history, projections, search index, sync state. The
    /// audit log keeps a `purge` entry and its earlier entries (ids and names of actions only).
    /// Deleted content is overwritten (`secure_delete`, always on), the full-text index is merged
    /// into one segment and the WAL is truncated, so nothing stays behind in free pages, the
    /// index's shadow tables or the WAL. A planned end date that has passed ends nothing: only
    /// the adviser's closing does. Does nothing on an adviser's device, where NAV's archive rules
    /// apply instead.
    pub fn purge_ended_placements(&mut self) -> Result<Vec<Uuid>, StoreError> {
        if self.role != Role::Employer {
            return Ok(Vec::new());
        }
        let cutoff = self
            .stamp()
            .today
            .plus_days(-EMPLOYER_ACCESS_DAYS)
            .to_string();
        let ended: Vec<Uuid> = {
            let mut stmt = self.conn.prepare(
                "SELECT id FROM placements
                 WHERE status IN ('ended', 'cancelled') AND closed_on IS NOT NULL AND closed_on < ?1",
            )?;
            stmt.query_map([&cutoff], |r| r.get::<_, String>(0))?
                .filter_map(|r| r.ok().and_then(|id| id.parse().ok()))
                .collect()
        };
        self.purge(ended)
    }

    /// Deletes one placement from an employer's device because the relay says this device's
    /// access has ended, as [`Store::purge_ended_placements`] does. Refused while the device holds
    /// records the relay has not acknowledged: a relay that lies about the end cannot make an
    /// employer lose a note it has not delivered. Returns whether it deleted.
    pub fn purge_expired(&mut self, doc_id: Uuid) -> Result<bool, StoreError> {
        if self.role != Role::Employer {
            return Ok(false);
        }
        let placement = self.placement_of(doc_id)?;
        if !self.outbox(doc_id)?.is_empty() {
            return Ok(false);
        }
        Ok(!self.purge(vec![placement])?.is_empty())
    }

    fn purge(&mut self, ended: Vec<Uuid>) -> Result<Vec<Uuid>, StoreError> {
        let stamp = self.stamp();
        if ended.is_empty() {
            return Ok(ended);
        }
        let tx = self.conn.transaction()?;
        for p in &ended {
            let pid = p.to_string();
            let docs: Vec<String> = {
                let mut stmt = tx.prepare("SELECT id FROM documents WHERE placement_id = ?1")?;
                stmt.query_map([&pid], |r| r.get(0))?
                    .collect::<Result<_, _>>()?
            };
            for d in &docs {
                for table in [
                    "doc_changes",
                    "outbox",
                    "quarantine",
                    "sync_log",
                    "sync_docs",
                    "roster_statements",
                    "doc_keys",
                    "end_day_notices",
                ] {
                    tx.execute(&format!("DELETE FROM {table} WHERE doc_id = ?1"), [d])?;
                }
            }
            for table in [
                "visits",
                "observations",
                "contact_requests",
                "actions",
                "notes",
                "training_tasks",
                "goals",
                "adaptations",
                "contact_persons",
                "conflicts",
                "search_docs",
                "documents",
            ] {
                tx.execute(
                    &format!("DELETE FROM {table} WHERE placement_id = ?1"),
                    [&pid],
                )?;
            }
            tx.execute("DELETE FROM placements WHERE id = ?1", [&pid])?;
            tx.execute("DELETE FROM drafts WHERE key LIKE '%' || ?1 || '%'", [&pid])?;
            log(
                &tx,
                self.device,
                &stamp.name,
                self.role,
                AuditAction::Purge,
                Some(*p),
                "placement",
                stamp.at,
            )?;
            for d in &docs {
                if let Ok(id) = d.parse() {
                    self.docs.remove(&id);
                }
            }
        }
        tx.commit()?;
        wipe_remnants(&self.conn)?;
        Ok(ended)
    }

    pub fn forget_cache(&mut self) {
        self.docs.clear();
    }
}

/// After deleting: merges the full-text index into one segment, so its shadow tables hold no
/// segment from before the delete (the index's own `secure-delete` already removes entries in
/// place; this also covers what a store indexed before migration 0008), then copies the WAL into
/// the database and truncates it, so no older page image stays in the `-wal` file. The store is
/// the only connection to its file, so the checkpoint is not kept from finishing by a reader;
/// if something outside did, the WAL is truncated by the next purge or at close.
fn wipe_remnants(conn: &Connection) -> Result<(), StoreError> {
    conn.execute("INSERT INTO search (search) VALUES ('optimize')", [])?;
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    Ok(())
}

/// Days since 1970-01-01, the relay's unit for an end date.
pub fn epoch_day(day: Day) -> i64 {
    Day::from_ymd(1970, 1, 1)
        .expect("a valid date")
        .days_until(day)
}

/// Before the projection moves on: if this device's own write closed or reopened the placement,
/// the relay must hear of it (`end_day_notices`). Compares with the projection, which still holds
/// the state before the write.
fn note_end_day(
    tx: &Transaction<'_>,
    doc_id: Uuid,
    placement: Uuid,
    doc: &SharedDoc,
) -> Result<(), StoreError> {
    let info = doc.placement()?;
    let now = info
        .closed_on
        .filter(|_| info.status.is_closed())
        .map(|d| d.to_string());
    let before: Option<Option<String>> = tx
        .query_row(
            "SELECT CASE WHEN status IN ('ended', 'cancelled') THEN closed_on END
             FROM placements WHERE id = ?1",
            [placement.to_string()],
            |r| r.get(0),
        )
        .optional()?;
    if before.flatten() != now {
        let end_day = info
            .closed_on
            .filter(|_| info.status.is_closed())
            .map(epoch_day);
        tx.execute(
            "INSERT INTO end_day_notices (doc_id, end_day) VALUES (?1, ?2)
             ON CONFLICT (doc_id) DO UPDATE SET end_day = excluded.end_day",
            params![doc_id.to_string(), end_day],
        )?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn log(
    tx: &Transaction<'_>,
    device: Uuid,
    user: &str,
    role: Role,
    action: AuditAction,
    placement: Option<Uuid>,
    record: &str,
    at: Moment,
) -> Result<(), StoreError> {
    audit::append(
        tx,
        &audit::Entry {
            at: &at.to_string(),
            device,
            actor: user,
            role: role.code(),
            action,
            placement,
            record,
        },
    )
}

fn insert_document(
    tx: &Transaction<'_>,
    id: Uuid,
    placement: Uuid,
    kind: DocKind,
    snapshot: &[u8],
    at: Moment,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO documents (id, placement_id, kind, snapshot, created_at, compacted_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
        params![id.to_string(), placement.to_string(), kind.code(), snapshot, at.to_string()],
    )?;
    Ok(())
}

/// Appends what the document has that the disk does not, and compacts when enough has gathered.
fn persist(
    tx: &Transaction<'_>,
    doc_id: Uuid,
    loaded: &mut Loaded,
    origin: &str,
    at: Moment,
    compact_after: usize,
) -> Result<(), StoreError> {
    let bytes = loaded.doc.am().save_after(&loaded.persisted);
    if bytes.is_empty() {
        return Ok(());
    }
    tx.execute(
        "INSERT INTO doc_changes (doc_id, seq, bytes, origin, saved_at)
         VALUES (?1, (SELECT coalesce(max(seq), 0) + 1 FROM doc_changes WHERE doc_id = ?1), ?2, ?3, ?4)",
        params![doc_id.to_string(), bytes, origin, at.to_string()],
    )?;
    if origin == "local" {
        // If the document syncs, the same changes go into the outbox in this transaction: a
        // change is never on disk without being on its way to the relay.
        let framed = folgesvenn_domain::changes::encode(
            loaded.doc.am().get_changes(&loaded.persisted).iter(),
        );
        crate::sync_state::queue(tx, doc_id, &framed, at)?;
    }
    loaded.changes_since_snapshot += 1;
    if loaded.changes_since_snapshot >= compact_after {
        compact(tx, doc_id, loaded, at)?;
    }
    Ok(())
}

fn compact(
    tx: &Transaction<'_>,
    doc_id: Uuid,
    loaded: &mut Loaded,
    at: Moment,
) -> Result<(), StoreError> {
    let snapshot = loaded.doc.am().save();
    tx.execute(
        "UPDATE documents SET snapshot = ?2, compacted_at = ?3 WHERE id = ?1",
        params![doc_id.to_string(), snapshot, at.to_string()],
    )?;
    tx.execute(
        "DELETE FROM doc_changes WHERE doc_id = ?1",
        [doc_id.to_string()],
    )?;
    loaded.changes_since_snapshot = 0;
    Ok(())
}

#[cfg(test)]
mod clock_tests {
    use super::*;

    #[test]
    fn today_is_the_date_on_the_users_wall_clock() {
        let late = time::macros::datetime!(2026-11-27 23:30 UTC);
        let oslo = jiff::tz::TimeZone::get("Europe/Oslo").unwrap();
        assert_eq!(today_in(late, &oslo).to_string(), "2026-11-28");
        assert_eq!(
            today_in(late, &jiff::tz::TimeZone::UTC).to_string(),
            "2026-11-27"
        );
        // Summer time: UTC+2.
        let summer = time::macros::datetime!(2026-06-30 22:15 UTC);
        assert_eq!(today_in(summer, &oslo).to_string(), "2026-07-01");
    }
}
