//! Ending an employer's copy: deleting a placement 12 weeks after it ended, or when the relay
//! says this device's access has ended, and wiping what the deleted rows leave in free pages,
//! the full-text index and the WAL.

use folgesvenn_domain::{EMPLOYER_ACCESS_DAYS, Role};
use rusqlite::Connection;
use uuid::Uuid;

use crate::audit::AuditAction;
use crate::projection::TABLES;
use crate::store::audit;
use crate::{Store, StoreError};

impl Store {
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
        if self.me.role != Role::Employer {
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
        if self.me.role != Role::Employer {
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
        let tx = self.conn.savepoint()?;
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
            let derived = TABLES
                .iter()
                .map(|t| t.table)
                .filter(|t| *t != "placements");
            for table in derived.chain(["documents"]) {
                tx.execute(
                    &format!("DELETE FROM {table} WHERE placement_id = ?1"),
                    [&pid],
                )?;
            }
            tx.execute("DELETE FROM placements WHERE id = ?1", [&pid])?;
            tx.execute("DELETE FROM drafts WHERE key LIKE '%' || ?1 || '%'", [&pid])?;
            audit(
                &tx,
                &self.me,
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
