//! Creating and opening a store: the database file, `store.json` beside it, the SQLCipher
//! connection and its pragmas.
//!
//! Opening never creates: a store is created once, explicitly, in an empty place. A wrong key, a
//! missing key or a damaged file gives an error and leaves the file exactly as it was.

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use folgesvenn_domain::Role;
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use zeroize::Zeroizing;

use crate::clock::system_clock;
use crate::document::COMPACT_AFTER;
use crate::key::{self, DbKey, KeyLocation, Unlock, keystore};
use crate::store::Author;
use crate::{Store, StoreError, private_files, schema};

/// The most decrypted pages one connection keeps in memory, in KiB.
const PAGE_CACHE_KIB: u32 = 16 * 1024;

/// The same during a bulk import ([`Store::bulk_import`]), whose writes touch pages across every
/// index at once.
const BULK_PAGE_CACHE_KIB: u32 = 64 * 1024;

pub(crate) const DB_FILE: &str = "folgesvenn.db";
pub(crate) const META_FILE: &str = "store.json";

/// `store.json`: the non-secret facts needed before the database can be opened.
#[derive(Serialize, Deserialize)]
struct StoreMeta {
    format: u32,
    device_id: Uuid,
    key: KeyLocation,
    key_check: String,
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
    // Pages held decrypted: SQLCipher decrypts every page it reads again. SQLite's default of
    // 2 MiB held none of an adviser's projection and search index once she had some hundreds
    // of placements, and a new device's catch-up spent a fifth of its time reading and
    // decrypting pages it had just written. Pages are taken only as they are used.
    conn.execute_batch(&format!("PRAGMA cache_size = -{PAGE_CACHE_KIB};"))
        .map_err(damaged)?;
    // Plans that do not hinge on bound values: otherwise SQLite recompiles a cached statement
    // with a join, range scan or LIMIT parameter every time rusqlite's cache takes it back (see
    // the relay's `stable_plans`). No query here depends on ANALYZE statistics or a LIKE prefix.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    // The projection alone prepares sixteen statements, and a merge runs them beside the
    // document, audit and cursor ones: rusqlite's default of 16 would evict them every time.
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

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
        // A new store has nothing to project again.
        let _ = schema::migrate(&mut conn)?;
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
                return Err(StoreError::OtherUnlock("keyring"));
            }
            (_, KeyLocation::Passphrase(_)) => return Err(StoreError::OtherUnlock("passphrase")),
            (_, KeyLocation::External) => {
                return Err(StoreError::OtherUnlock("external"));
            }
        };
        if key.check_value() != meta.key_check {
            return Err(StoreError::WrongKey(db));
        }
        let mut conn = connect(&db, &key, false)?;
        let after = schema::migrate(&mut conn)?;
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
        let mut store = Store::assemble(conn, dir, device, role, user);
        if after.reproject {
            store.reproject_all()?;
        }
        Ok(store)
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
            me: Author {
                device,
                name: user_name,
                role,
            },
            docs: HashMap::new(),
            asked: 0,
            clock: Box::new(system_clock),
            compact_after: COMPACT_AFTER,
        }
    }

    /// Keeps more pages in memory while `on`: for a device pairing, which writes a thousand
    /// documents' rows into every index at once, so that each commit reads and decrypts fewer of
    /// the pages it writes again. The pages go when it ends, so the app's idle memory does not
    /// carry them.
    pub fn bulk_import(&mut self, on: bool) -> Result<(), StoreError> {
        let kib = if on {
            BULK_PAGE_CACHE_KIB
        } else {
            PAGE_CACHE_KIB
        };
        self.conn
            .execute_batch(&format!("PRAGMA cache_size = -{kib};"))?;
        Ok(())
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn db_path(&self) -> PathBuf {
        db_path(&self.dir)
    }
}
