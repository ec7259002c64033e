//! Checking a store: the audit log's chain, SQLite's and SQLCipher's integrity checks, and a
//! stable dump of the projection for comparing two devices.

use uuid::Uuid;

use crate::audit::{self, AuditEntry};
use crate::projection::{Projected, TABLES};
use crate::{Store, StoreError};

/// The projection tables that hold rows of the shared document (an employer's device has them
/// too, and [`Store::projection_dump`] compares them across devices); the others hold only what
/// the adviser's private document gives.
pub fn shared_projection_tables() -> impl Iterator<Item = &'static str> {
    TABLES
        .iter()
        .filter(|t| t.shared_only != "0")
        .map(|t| t.table)
}

impl Store {
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
        for Projected {
            table,
            columns,
            shared_only,
        } in &TABLES
        {
            let filter = if include_private { "1" } else { shared_only };
            let mut stmt = self
                .conn
                .prepare(&format!("SELECT {columns} FROM {table} WHERE {filter}"))?;
            let n = stmt.column_count();
            let rows = stmt.query_map([], |r| {
                let mut line = format!("{table}:");
                for i in 0..n {
                    let v: rusqlite::types::Value = r.get(i)?;
                    line.push_str(&format!(" {v:?}"));
                }
                Ok(line)
            })?;
            // Sorted whole: some tables have no single-column key (conflicts).
            let mut lines = rows.collect::<Result<Vec<_>, _>>()?;
            lines.sort();
            out.extend(lines);
        }
        Ok(out)
    }

    // ---- documents for sync ----
}
