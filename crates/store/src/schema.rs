//! The store's schema, as embedded, append-only migrations.
//!
//! `PRAGMA user_version` records how many have run. A migration that has shipped is never edited;
//! a change to the schema is a new file at the end of `MIGRATIONS`. A store written by a newer
//! version of the app is refused rather than guessed at.

use rusqlite::Connection;

use crate::StoreError;

const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_initial.sql"),
    include_str!("migrations/0002_sync.sql"),
    include_str!("migrations/0003_purge.sql"),
    include_str!("migrations/0004_drafts.sql"),
    include_str!("migrations/0005_invitations.sql"),
    include_str!("migrations/0006_roster.sql"),
    include_str!("migrations/0007_lifecycle.sql"),
    include_str!("migrations/0008_secure_delete.sql"),
    include_str!("migrations/0009_signed_audit_head.sql"),
    include_str!("migrations/0010_response_time.sql"),
    include_str!("migrations/0011_note_author_role.sql"),
    include_str!("migrations/0012_consents.sql"),
    include_str!("migrations/0013_folded_names.sql"),
];

/// From this schema on, deleted content is overwritten as it is deleted (`secure_delete` on every
/// connection, FTS5 `secure-delete`).
const SECURE_DELETE_FROM: u32 = 8;
/// From this schema on, the audit log's head is signed by the device (`audit.rs`).
const SIGNED_AUDIT_HEAD_FROM: u32 = 9;

/// From this schema on, the placements' names are also kept folded for the search (`search.rs`).
const FOLDED_NAMES_FROM: u32 = 13;

/// A store written before this schema has projected columns or tables it left empty (a note's
/// author role, the consents): its projection is rebuilt once from the documents as it reaches it.
const REPROJECT_FROM: u32 = 12;

pub(crate) fn current_version() -> u32 {
    MIGRATIONS.len() as u32
}

/// What the store must do once its documents can be read, after the migrations ran.
#[derive(Debug, Default, PartialEq, Eq)]
#[must_use]
pub(crate) struct AfterMigration {
    /// Upsert every projection row again (`Store::reproject_all`).
    pub(crate) reproject: bool,
}

pub(crate) fn migrate(conn: &mut Connection) -> Result<AfterMigration, StoreError> {
    let found: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let latest = current_version();
    if found > latest {
        return Err(StoreError::NewerSchema {
            found,
            supported: latest,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        if i as u32 + 1 == FOLDED_NAMES_FROM {
            // In the migration's own transaction, from the names the projection holds: no
            // document needs to be read for it.
            crate::search::fold_names(&tx)?;
        }
        tx.pragma_update(None, "user_version", i as u32 + 1)?;
        tx.commit()?;
    }
    if found > 0 && found < SIGNED_AUDIT_HEAD_FROM {
        // Once, as the store reaches this schema: sign the head it has. Afterwards an unsigned
        // head is a broken chain, so removing the signature does not buy a fresh one.
        crate::audit::sign_existing_head(conn)?;
    }
    if found > 0 && found < SECURE_DELETE_FROM {
        // A store written before then may hold deleted text in free pages and in the free space
        // of pages in use (an earlier purge wiped only what it deleted itself). Rewrite the file
        // once, then truncate the WAL that held the copy.
        conn.execute_batch("VACUUM")?;
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    }
    Ok(AfterMigration {
        reproject: found > 0 && found < REPROJECT_FROM,
    })
}
