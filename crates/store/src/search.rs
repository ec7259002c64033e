//! Full-text search: turning what a user types into the search box into an FTS5 query, and
//! `Store::search` over names and what people wrote.
//!
//! Users type words, not FTS syntax. Each word becomes a quoted prefix term, so punctuation or an
//! FTS operator in the input cannot break the query, and Norwegian compounds are found from their
//! first part ("lager" finds "lagerarbeid").

use rusqlite::params;
use uuid::Uuid;

use crate::audit::AuditAction;
use crate::store::audit_each;
use crate::views::SearchHit;
use crate::{Store, StoreError, rows};

pub(crate) fn fts_query(input: &str) -> Option<String> {
    let terms: Vec<String> = input
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(16)
        .map(|w| format!("\"{}\"*", w.to_lowercase()))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

/// A name as the search compares it: lower-cased by Unicode's rules. SQLite's own lower() folds
/// ASCII only («Øystein»), so the projection keeps each placement's names folded by this
/// (`placements.candidate_folded`, `employer_folded`) and the search folds the query the same way.
pub(crate) fn fold(name: &str) -> String {
    name.to_lowercase()
}

/// The placements whose candidate or employer name holds `?1` (folded), by candidate name, at most
/// `?2`.
pub(crate) const BY_NAME: &str = "
    SELECT id, candidate_name, employer_name FROM placements
     WHERE instr(candidate_folded, ?1) > 0 OR instr(employer_folded, ?1) > 0
     ORDER BY candidate_name LIMIT ?2";

/// Fills the folded names of a store written before they were kept (`schema::migrate`).
pub(crate) fn fold_names(conn: &rusqlite::Connection) -> Result<(), StoreError> {
    let names: Vec<(String, String, String)> = conn
        .prepare("SELECT id, candidate_name, employer_name FROM placements")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let mut set = conn.prepare(
        "UPDATE placements SET candidate_folded = ?2, employer_folded = ?3 WHERE id = ?1",
    )?;
    for (id, candidate, employer) in names {
        set.execute(params![id, fold(&candidate), fold(&employer)])?;
    }
    Ok(())
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
    /// Full-text search over what people wrote: visits, observations, notes, requests, actions.
    /// Each word matches as a prefix, so "arbeid" finds "arbeidstrening". Audit-logged per
    /// placement that has hits.
    pub fn search(&mut self, query: &str, limit: usize) -> Result<Vec<SearchHit>, StoreError> {
        let Some(fts) = fts_query(query) else {
            return Ok(Vec::new());
        };
        // Placements whose candidate or employer name holds the query come first (the list's own
        // search), then what people wrote. One audit entry per placement either way.
        let mut hits: Vec<SearchHit> = {
            let mut stmt = self.conn.prepare_cached(BY_NAME)?;
            let rows = stmt.query_map(params![fold(query.trim()), limit as i64], |r| {
                Ok(SearchHit {
                    placement_id: rows::id(r, 0)?,
                    candidate_name: r.get(1)?,
                    record_id: rows::id(r, 0)?,
                    kind: "placement".into(),
                    snippet: r.get(2)?,
                })
            })?;
            rows.collect::<Result<_, _>>()?
        };
        let mut stmt = self.conn.prepare_cached(SEARCH)?;
        let rows = stmt.query_map(params![fts, limit as i64], |r| {
            Ok(SearchHit {
                placement_id: rows::id(r, 0)?,
                candidate_name: r.get(1)?,
                record_id: rows::id(r, 2)?,
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
            let tx = self.conn.savepoint()?;
            let me = &self.me;
            let entries = placements.into_iter().map(|p| (me, Some(p), "search"));
            audit_each(&tx, AuditAction::Read, at, entries)?;
            tx.commit()?;
        }
        Ok(hits)
    }
}

#[cfg(test)]
mod tests {
    use super::fts_query;

    #[test]
    fn words_become_prefix_terms_and_syntax_is_neutralised() {
        assert_eq!(
            fts_query("Lager  kasse").as_deref(),
            Some("\"lager\"* \"kasse\"*")
        );
        assert_eq!(
            fts_query("\"NOT\" OR (x*").as_deref(),
            Some("\"not\"* \"or\"* \"x\"*")
        );
        assert_eq!(
            fts_query("blåbær-plukking").as_deref(),
            Some("\"blåbær\"* \"plukking\"*")
        );
        assert_eq!(fts_query("  -- "), None);
    }
}
