//! Queryable tables derived from the documents.
//!
//! The documents are the truth; these tables are what lists, the timeline and search read. They are
//! updated in the same SQLite transaction as the change that caused them (a local edit, or records
//! merged from another device), so a crash can never leave the two apart. Each record is projected
//! by upsert from its current state in the document, so projecting twice, or in any order, gives
//! the same rows, which is what makes two devices' tables identical after they merge.

use std::collections::HashSet;

use folgesvenn_domain::{FieldConflict, PrivateDoc, SharedDoc, Touched};
use rusqlite::types::{ToSqlOutput, Value};
use rusqlite::{Connection, ToSql, params};
use uuid::Uuid;

use crate::StoreError;

/// A table the documents are projected into: its name, the columns that are the same on every
/// device (`search_docs`' own rowid is not), and the rows that come from the shared document only
/// (what an employer's device holds too).
pub(crate) struct Projected {
    pub table: &'static str,
    pub columns: &'static str,
    pub shared_only: &'static str,
}

const fn all(table: &'static str) -> Projected {
    Projected {
        table,
        columns: "*",
        shared_only: "1",
    }
}

/// Every projection table, once: the purge deletes a placement's rows from each, the diagnostics
/// dump compares them across devices, and a test checks that every table of the schema is either
/// here or named as not derived from the documents.
pub(crate) const TABLES: [Projected; 13] = [
    all("placements"),
    all("visits"),
    all("observations"),
    all("contact_requests"),
    all("actions"),
    Projected {
        shared_only: "private = 0",
        ..all("notes")
    },
    all("training_tasks"),
    all("goals"),
    all("adaptations"),
    all("contact_persons"),
    Projected {
        shared_only: "doc_kind = 'shared'",
        ..all("conflicts")
    },
    Projected {
        shared_only: "0",
        ..all("consents")
    },
    Projected {
        table: "search_docs",
        columns: "record_id, placement_id, kind, body",
        shared_only: "kind <> 'adviser_note'",
    },
];

/// The placement's own row, written at once (a local write of the placement).
pub(crate) fn placement(tx: &Connection, id: Uuid, doc: &SharedDoc) -> Result<(), StoreError> {
    let mut rows = Rows::new(id);
    rows.placement(doc)?;
    rows.write(tx).map(drop)
}

/// The search rows of one projection call, written by [`SearchRows::write`] in one statement.
/// FTS5 writes its pending index to disk at the start of every statement that writes it inside a
/// transaction, so a row per statement left one tiny index segment per record (a merge of 5,000
/// notes wrote 5,000 of them); one statement writes one.
#[derive(Default)]
struct SearchRows(Vec<(String, &'static str, String)>);

impl SearchRows {
    fn add(&mut self, record: Uuid, kind: &'static str, body: &str) {
        self.0.push((record.to_string(), kind, body.to_owned()));
    }

    fn write(self, tx: &Connection, placement: Uuid) -> Result<(), StoreError> {
        if self.0.is_empty() {
            return Ok(());
        }
        let rows =
            serde_json::to_string(&self.0).map_err(|e| StoreError::Io(std::io::Error::other(e)))?;
        // `WHERE true` lets SQLite tell the upsert's ON from a join's.
        exec(
            tx,
            "INSERT INTO search_docs (record_id, placement_id, kind, body)
             SELECT value ->> 0, ?2, value ->> 1, value ->> 2 FROM json_each(?1) WHERE true
             ON CONFLICT (record_id) DO UPDATE SET body = excluded.body
             WHERE search_docs.body IS NOT excluded.body",
            params![rows, placement.to_string()],
        )?;
        Ok(())
    }
}

/// Projection rows read out of a document, not yet written: what one projection call writes.
/// Reading them needs only the document, so a device taking in whole documents reads them on
/// another thread than the store's ([`crate::Prepared`]).
pub(crate) struct Rows {
    placement: Uuid,
    /// Statements in the order they run, with their values.
    statements: Vec<(&'static str, Vec<Value>)>,
    search: SearchRows,
    /// The records whose conflicts these rows set, by conflict key.
    conflicts_set: HashSet<String>,
}

impl Rows {
    fn new(placement: Uuid) -> Rows {
        Rows {
            placement,
            statements: Vec::new(),
            search: SearchRows::default(),
            conflicts_set: HashSet::new(),
        }
    }

    /// The placement's own row.
    fn placement(&mut self, doc: &SharedDoc) -> Result<(), StoreError> {
        let p = doc.placement()?;
        let id = self.placement;
        self.push(
            "INSERT INTO placements (id, candidate_name, employer_name, employer_org, adviser_name, measure,
                                     status, start_date, end_date, closed_on, hours_per_week, closed_reason,
                                     response_days, candidate_folded, employer_folded)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
             ON CONFLICT (id) DO UPDATE SET
                candidate_name = excluded.candidate_name, employer_name = excluded.employer_name,
                candidate_folded = excluded.candidate_folded, employer_folded = excluded.employer_folded,
                employer_org = excluded.employer_org, adviser_name = excluded.adviser_name,
                measure = excluded.measure, status = excluded.status, start_date = excluded.start_date,
                end_date = excluded.end_date, closed_on = excluded.closed_on,
                hours_per_week = excluded.hours_per_week, closed_reason = excluded.closed_reason,
                response_days = excluded.response_days",
            params![
                id.to_string(),
                p.candidate_name,
                p.employer.name,
                p.employer.org_number,
                p.adviser_name,
                p.measure.code(),
                p.status.code(),
                p.start_date.to_string(),
                p.end_date.map(|d| d.to_string()),
                p.closed_on.map(|d| d.to_string()),
                p.hours_per_week,
                p.closed_reason.map(|r| r.code()),
                p.response_working_days,
                crate::search::fold(&p.candidate_name),
                crate::search::fold(&p.employer.name),
            ],
        )
    }

    /// One statement to run, its values read now.
    fn push(&mut self, sql: &'static str, params: &[&dyn ToSql]) -> Result<(), StoreError> {
        let values = params
            .iter()
            .map(|p| match p.to_sql()? {
                ToSqlOutput::Borrowed(v) => Value::try_from(v)
                    .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e))),
                ToSqlOutput::Owned(v) => Ok(v),
                _ => Err(rusqlite::Error::ToSqlConversionFailure(
                    "a projection value is a plain value".into(),
                )),
            })
            .collect::<Result<_, rusqlite::Error>>()?;
        self.statements.push((sql, values));
        Ok(())
    }

    /// Replaces the conflicts recorded for one record with what the document holds now: a merge
    /// may add some, and a later write of the field settles them.
    fn conflicts(
        &mut self,
        doc_kind: &'static str,
        record_key: String,
        found: Vec<FieldConflict>,
    ) -> Result<(), StoreError> {
        let pid = self.placement.to_string();
        self.push(
            "DELETE FROM conflicts WHERE placement_id = ?1 AND doc_kind = ?2 AND record_key = ?3",
            params![pid, doc_kind, record_key],
        )?;
        for c in found {
            let vals = serde_json::to_string(&c.values)
                .map_err(|e| StoreError::Io(std::io::Error::other(e)))?;
            self.push(
                "INSERT OR REPLACE INTO conflicts (placement_id, doc_kind, record_key, path, vals) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![pid, doc_kind, record_key, c.path.join("/"), vals],
            )?;
        }
        self.conflicts_set.insert(record_key);
        Ok(())
    }

    /// Runs every statement (each prepared once per connection: the projection runs the same few
    /// for every record of every merge). Returns the conflict keys it set.
    pub(crate) fn write(self, tx: &Connection) -> Result<HashSet<String>, StoreError> {
        for (sql, values) in &self.statements {
            tx.prepare_cached(sql)?
                .execute(rusqlite::params_from_iter(values))?;
        }
        self.search.write(tx, self.placement)?;
        Ok(self.conflicts_set)
    }
}

/// One statement, prepared once per connection.
fn exec(tx: &Connection, sql: &str, params: impl rusqlite::Params) -> Result<usize, StoreError> {
    Ok(tx.prepare_cached(sql)?.execute(params)?)
}

fn join(parts: &[&str]) -> String {
    parts
        .iter()
        .filter(|p| !p.trim().is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("\n")
}

/// Projects the shared records an operation touched.
pub(crate) fn shared(
    tx: &Connection,
    placement_id: Uuid,
    doc: &SharedDoc,
    touched: &Touched,
) -> Result<(), StoreError> {
    write_shared(tx, doc, read_shared(placement_id, doc, touched)?)
}

/// The rows of the shared records `touched` names, read out of the document.
pub(crate) fn read_shared(
    placement_id: Uuid,
    doc: &SharedDoc,
    touched: &Touched,
) -> Result<Rows, StoreError> {
    let mut rows = Rows::new(placement_id);
    if touched.placement {
        rows.placement(doc)?;
    }
    let pid = placement_id.to_string();
    for &(coll, id) in &touched.records {
        let rid = id.to_string();
        match coll {
            "visits" => {
                let Some(v) = doc.visit(id)? else { continue };
                rows.push(
                    "INSERT OR REPLACE INTO visits (id, placement_id, at, kind, place, summary, next_visit, corrects, recorded_by)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    params![rid, pid, v.at.to_string(), v.kind.code(), v.place, v.summary.as_str(),
                            v.next_visit.map(|d| d.to_string()), v.corrects.map(|c| c.to_string()), v.recorded_by],
                )?;
                rows.search
                    .add(id, "visit", &join(&[&v.place, v.summary.as_str()]));
            }
            "observations" => {
                let Some(o) = doc.observation(id)? else {
                    continue;
                };
                rows.push(
                    "INSERT OR REPLACE INTO observations (id, placement_id, date, attendance, hours, tasks_done, went_well,
                                                        problem, wants_contact, logged_by, logged_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                    params![rid, pid, o.date.to_string(), o.attendance.code(), o.hours, &o.tasks_done,
                            &o.went_well, &o.problem, o.wants_contact, o.logged_by, o.logged_at.to_string()],
                )?;
                rows.search.add(
                    id,
                    "observation",
                    &join(&[&o.tasks_done, &o.went_well, &o.problem]),
                );
            }
            "contact_requests" => {
                let Some(c) = doc.contact_request(id)? else {
                    continue;
                };
                rows.push(
                    "INSERT OR REPLACE INTO contact_requests (id, placement_id, raised_at, raised_by, message,
                                                            acknowledged_at, resolved_at, resolution)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![rid, pid, c.raised_at.to_string(), c.raised_by_name, &c.message,
                            c.acknowledged_at.map(|t| t.to_string()), c.resolved_at.map(|t| t.to_string()),
                            &c.resolution],
                )?;
                rows.search
                    .add(id, "contact_request", &join(&[&c.message, &c.resolution]));
            }
            "actions" => {
                let Some(a) = doc.action(id)? else { continue };
                rows.push(
                    "INSERT OR REPLACE INTO actions (id, placement_id, what, owner, due, status, visit_id, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![rid, pid, &a.what, a.owner.code(), a.due.map(|d| d.to_string()),
                            a.status.code(), a.visit.map(|v| v.to_string()), a.created_at.to_string()],
                )?;
                rows.search.add(id, "action", &a.what);
            }
            "notes" => {
                let Some(n) = doc.note(id)? else { continue };
                rows.push(
                    "INSERT OR REPLACE INTO notes (id, placement_id, private, author, author_role, written_at, body, reply_to, visit_id)
                     VALUES (?1, ?2, 0, ?3, ?4, ?5, ?6, ?7, NULL)",
                    params![rid, pid, n.author_name, n.author_role.code(), n.written_at.to_string(),
                            n.body.as_str(), n.reply_to.map(|r| r.to_string())],
                )?;
                rows.search.add(id, "note", n.body.as_str());
            }
            "training_plan" => {
                let Some(t) = doc.training_task(id)? else {
                    continue;
                };
                rows.push(
                    "INSERT OR REPLACE INTO training_tasks (id, placement_id, title, responsible, target_date, status, position)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![rid, pid, t.title, t.responsible, t.target_date.map(|d| d.to_string()),
                            t.status.code(), t.position],
                )?;
                rows.search.add(id, "training_task", &t.title);
            }
            "goals" => {
                let Some(g) = doc.goal(id)? else { continue };
                rows.push(
                    "INSERT OR REPLACE INTO goals (id, placement_id, category, description, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![rid, pid, g.category.code(), g.description.as_str(), g.created_at.to_string()],
                )?;
            }
            "adaptations" => {
                let Some(a) = doc.adaptation(id)? else {
                    continue;
                };
                rows.push(
                    "INSERT OR REPLACE INTO adaptations (id, placement_id, description, agreed_on, active)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![rid, pid, a.description.as_str(), a.agreed_on.to_string(), a.active],
                )?;
            }
            "contact_persons" => {
                let Some(c) = doc.contact_person(id)? else {
                    continue;
                };
                rows.push(
                    "INSERT OR REPLACE INTO contact_persons (id, placement_id, name, role, phone, email)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![rid, pid, c.name, c.role, c.phone, c.email],
                )?;
            }
            _ => {}
        }
        rows.conflicts(
            "shared",
            format!("{coll}/{id}"),
            doc.record_conflicts(coll, Some(id)),
        )?;
    }
    if touched.placement {
        rows.conflicts(
            "shared",
            "placement".into(),
            doc.record_conflicts("placement", None),
        )?;
    }
    Ok(rows)
}

/// Writes rows [`read_shared`] read from `doc`, then settles the conflicts recorded for the
/// placement's other records.
pub(crate) fn write_shared(tx: &Connection, doc: &SharedDoc, rows: Rows) -> Result<(), StoreError> {
    let placement_id = rows.placement;
    let pid = placement_id.to_string();
    let settled = rows.write(tx)?;
    // A conflict can grow without a patch for its record: a third device writing the value that
    // is already shown (seen in the seeded fault schedules: ["done","done"] on one device,
    // ["done","done","done"] on another with the same heads). Every record that has conflicts
    // recorded is read again, so two devices with the same document show the same ones (those
    // the rows just set are read already).
    let recorded: Vec<String> = {
        let mut stmt = tx.prepare_cached(
            "SELECT DISTINCT record_key FROM conflicts WHERE placement_id = ?1 AND doc_kind = 'shared'",
        )?;
        stmt.query_map([&pid], |r| r.get(0))?
            .collect::<Result<_, _>>()?
    };
    for key in recorded.into_iter().filter(|k| !settled.contains(k)) {
        let found = match key.split_once('/') {
            None if key == "placement" => doc.record_conflicts("placement", None),
            Some((coll, id)) => match id.parse::<Uuid>() {
                Ok(id) => doc.record_conflicts(coll, Some(id)),
                Err(_) => continue,
            },
            None => continue,
        };
        conflicts(tx, placement_id, "shared", &key, found)?;
    }
    Ok(())
}

/// Replaces the conflicts recorded for one record at once ([`Rows::conflicts`]).
fn conflicts(
    tx: &Connection,
    placement: Uuid,
    doc_kind: &'static str,
    record_key: &str,
    found: Vec<FieldConflict>,
) -> Result<(), StoreError> {
    let mut rows = Rows::new(placement);
    rows.conflicts(doc_kind, record_key.to_owned(), found)?;
    rows.write(tx).map(drop)
}

/// Projects the adviser-private records an operation touched.
pub(crate) fn private(
    tx: &Connection,
    placement_id: Uuid,
    doc: &PrivateDoc,
    touched: &Touched,
) -> Result<(), StoreError> {
    read_private(placement_id, doc, touched)?
        .write(tx)
        .map(drop)
}

/// The rows of the adviser-private records `touched` names, read out of the document.
pub(crate) fn read_private(
    placement_id: Uuid,
    doc: &PrivateDoc,
    touched: &Touched,
) -> Result<Rows, StoreError> {
    let mut rows = Rows::new(placement_id);
    for &(coll, id) in &touched.records {
        if coll == "consents" {
            if let Some(c) = doc.consent(id)? {
                rows.push(
                    "INSERT OR REPLACE INTO consents (id, placement_id, allows_employer, withdrawn_at)
                     VALUES (?1, ?2, ?3, ?4)",
                    params![id.to_string(), placement_id.to_string(), c.allows_employer(),
                            c.withdrawn_at.map(|t| t.to_string())],
                )?;
            }
            continue;
        }
        if coll != "adviser_notes" && coll != "notes" {
            continue;
        }
        let Some(n) = doc.note(id)? else { continue };
        rows.conflicts(
            "private",
            format!("notes/{id}"),
            doc.record_conflicts("notes", id),
        )?;
        rows.push(
            "INSERT OR REPLACE INTO notes (id, placement_id, private, author, author_role, written_at, body, reply_to, visit_id)
             VALUES (?1, ?2, 1, '', 'adviser', ?3, ?4, NULL, ?5)",
            params![id.to_string(), placement_id.to_string(), n.written_at.to_string(), n.body.as_str(),
                    n.visit.map(|v| v.to_string())],
        )?;
        rows.search.add(id, "adviser_note", n.body.as_str());
    }
    Ok(rows)
}

/// Every record of a shared document, for a first import or a rebuild.
pub(crate) fn all_shared(doc: &SharedDoc) -> Result<Touched, StoreError> {
    let mut t = Touched {
        placement: true,
        records: Vec::new(),
    };
    for coll in [
        "visits",
        "observations",
        "contact_requests",
        "actions",
        "notes",
        "training_plan",
        "goals",
        "adaptations",
        "contact_persons",
    ] {
        for id in doc.record_ids(coll)? {
            t.records.push((coll, id));
        }
    }
    Ok(t)
}

pub(crate) fn all_private(doc: &PrivateDoc) -> Result<Touched, StoreError> {
    let records = doc
        .record_ids("notes")?
        .into_iter()
        .map(|id| ("adviser_notes", id))
        .chain(
            doc.record_ids("consents")?
                .into_iter()
                .map(|id| ("consents", id)),
        )
        .collect();
    Ok(Touched {
        placement: false,
        records,
    })
}
