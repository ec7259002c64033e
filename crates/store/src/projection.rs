//! Queryable tables derived from the documents.
//!
//! The documents are the truth; these tables are what lists, the timeline and search read. They are
//! updated in the same SQLite transaction as the change that caused them (a local edit, or records
//! merged from another device), so a crash can never leave the two apart. Each record is projected
//! by upsert from its current state in the document, so projecting twice, or in any order, gives
//! the same rows, which is what makes two devices' tables identical after they merge.

use folgesvenn_domain::{FieldConflict, PrivateDoc, SharedDoc, Touched};
use rusqlite::{Connection, params};
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

pub(crate) fn placement(tx: &Connection, id: Uuid, doc: &SharedDoc) -> Result<(), StoreError> {
    let p = doc.placement()?;
    exec(
    tx,
        "INSERT INTO placements (id, candidate_name, employer_name, employer_org, adviser_name, measure,
                                 status, start_date, end_date, closed_on, hours_per_week, closed_reason,
                                 response_days)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
         ON CONFLICT (id) DO UPDATE SET
            candidate_name = excluded.candidate_name, employer_name = excluded.employer_name,
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
        ],
    )?;
    Ok(())
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

/// One statement, prepared once per connection (the projection runs the same few for every
/// record of every merge).
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
    if touched.placement {
        placement(tx, placement_id, doc)?;
    }
    let pid = placement_id.to_string();
    let mut search = SearchRows::default();
    for &(coll, id) in &touched.records {
        let rid = id.to_string();
        match coll {
            "visits" => {
                let Some(v) = doc.visit(id)? else { continue };
                exec(
    tx,
                    "INSERT OR REPLACE INTO visits (id, placement_id, at, kind, place, summary, next_visit, corrects, recorded_by)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    params![rid, pid, v.at.to_string(), v.kind.code(), v.place, v.summary.as_str(),
                            v.next_visit.map(|d| d.to_string()), v.corrects.map(|c| c.to_string()), v.recorded_by],
                )?;
                search.add(id, "visit", &join(&[&v.place, v.summary.as_str()]));
            }
            "observations" => {
                let Some(o) = doc.observation(id)? else {
                    continue;
                };
                exec(
    tx,
                    "INSERT OR REPLACE INTO observations (id, placement_id, date, attendance, hours, tasks_done, went_well,
                                                        problem, wants_contact, logged_by, logged_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                    params![rid, pid, o.date.to_string(), o.attendance.code(), o.hours, &o.tasks_done,
                            &o.went_well, &o.problem, o.wants_contact, o.logged_by, o.logged_at.to_string()],
                )?;
                search.add(
                    id,
                    "observation",
                    &join(&[&o.tasks_done, &o.went_well, &o.problem]),
                );
            }
            "contact_requests" => {
                let Some(c) = doc.contact_request(id)? else {
                    continue;
                };
                exec(
    tx,
                    "INSERT OR REPLACE INTO contact_requests (id, placement_id, raised_at, raised_by, message,
                                                            acknowledged_at, resolved_at, resolution)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![rid, pid, c.raised_at.to_string(), c.raised_by_name, &c.message,
                            c.acknowledged_at.map(|t| t.to_string()), c.resolved_at.map(|t| t.to_string()),
                            &c.resolution],
                )?;
                search.add(id, "contact_request", &join(&[&c.message, &c.resolution]));
            }
            "actions" => {
                let Some(a) = doc.action(id)? else { continue };
                exec(
    tx,
                    "INSERT OR REPLACE INTO actions (id, placement_id, what, owner, due, status, visit_id, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![rid, pid, &a.what, a.owner.code(), a.due.map(|d| d.to_string()),
                            a.status.code(), a.visit.map(|v| v.to_string()), a.created_at.to_string()],
                )?;
                search.add(id, "action", &a.what);
            }
            "notes" => {
                let Some(n) = doc.note(id)? else { continue };
                exec(
    tx,
                    "INSERT OR REPLACE INTO notes (id, placement_id, private, author, author_role, written_at, body, reply_to, visit_id)
                     VALUES (?1, ?2, 0, ?3, ?4, ?5, ?6, ?7, NULL)",
                    params![rid, pid, n.author_name, n.author_role.code(), n.written_at.to_string(),
                            n.body.as_str(), n.reply_to.map(|r| r.to_string())],
                )?;
                search.add(id, "note", n.body.as_str());
            }
            "training_plan" => {
                let Some(t) = doc.training_task(id)? else {
                    continue;
                };
                exec(
    tx,
                    "INSERT OR REPLACE INTO training_tasks (id, placement_id, title, responsible, target_date, status, position)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![rid, pid, t.title, t.responsible, t.target_date.map(|d| d.to_string()),
                            t.status.code(), t.position],
                )?;
                search.add(id, "training_task", &t.title);
            }
            "goals" => {
                let Some(g) = doc.goal(id)? else { continue };
                exec(
    tx,
                    "INSERT OR REPLACE INTO goals (id, placement_id, category, description, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![rid, pid, g.category.code(), g.description.as_str(), g.created_at.to_string()],
                )?;
            }
            "adaptations" => {
                let Some(a) = doc.adaptation(id)? else {
                    continue;
                };
                exec(
    tx,
                    "INSERT OR REPLACE INTO adaptations (id, placement_id, description, agreed_on, active)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![rid, pid, a.description.as_str(), a.agreed_on.to_string(), a.active],
                )?;
            }
            "contact_persons" => {
                let Some(c) = doc.contact_person(id)? else {
                    continue;
                };
                exec(
    tx,
                    "INSERT OR REPLACE INTO contact_persons (id, placement_id, name, role, phone, email)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![rid, pid, c.name, c.role, c.phone, c.email],
                )?;
            }
            _ => {}
        }
        conflicts(
            tx,
            placement_id,
            "shared",
            &format!("{coll}/{id}"),
            doc.record_conflicts(coll, Some(id)),
        )?;
    }
    if touched.placement {
        conflicts(
            tx,
            placement_id,
            "shared",
            "placement",
            doc.record_conflicts("placement", None),
        )?;
    }
    // A conflict can grow without a patch for its record: a third device writing the value that
    // is already shown (seen in the seeded fault schedules: ["done","done"] on one device,
    // ["done","done","done"] on another with the same heads). Every record that has conflicts
    // recorded is read again, so two devices with the same document show the same ones.
    let recorded: Vec<String> = {
        let mut stmt = tx.prepare_cached(
            "SELECT DISTINCT record_key FROM conflicts WHERE placement_id = ?1 AND doc_kind = 'shared'",
        )?;
        stmt.query_map([&pid], |r| r.get(0))?
            .collect::<Result<_, _>>()?
    };
    for key in recorded {
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
    search.write(tx, placement_id)
}

/// Replaces the conflicts recorded for one record with what the document holds now: a merge may
/// add some, and a later write of the field settles them.
fn conflicts(
    tx: &Connection,
    placement: Uuid,
    doc_kind: &str,
    record_key: &str,
    found: Vec<FieldConflict>,
) -> Result<(), StoreError> {
    let pid = placement.to_string();
    exec(
        tx,
        "DELETE FROM conflicts WHERE placement_id = ?1 AND doc_kind = ?2 AND record_key = ?3",
        params![pid, doc_kind, record_key],
    )?;
    for c in found {
        let vals = serde_json::to_string(&c.values)
            .map_err(|e| StoreError::Io(std::io::Error::other(e)))?;
        exec(
            tx,
            "INSERT OR REPLACE INTO conflicts (placement_id, doc_kind, record_key, path, vals) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![pid, doc_kind, record_key, c.path.join("/"), vals],
        )?;
    }
    Ok(())
}

/// Projects the adviser-private records an operation touched.
pub(crate) fn private(
    tx: &Connection,
    placement_id: Uuid,
    doc: &PrivateDoc,
    touched: &Touched,
) -> Result<(), StoreError> {
    let mut search = SearchRows::default();
    for &(coll, id) in &touched.records {
        if coll == "consents" {
            if let Some(c) = doc.consent(id)? {
                exec(
    tx,
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
        conflicts(
            tx,
            placement_id,
            "private",
            &format!("notes/{id}"),
            doc.record_conflicts("notes", id),
        )?;
        exec(
    tx,
            "INSERT OR REPLACE INTO notes (id, placement_id, private, author, author_role, written_at, body, reply_to, visit_id)
             VALUES (?1, ?2, 1, '', 'adviser', ?3, ?4, NULL, ?5)",
            params![id.to_string(), placement_id.to_string(), n.written_at.to_string(), n.body.as_str(),
                    n.visit.map(|v| v.to_string())],
        )?;
        search.add(id, "adviser_note", n.body.as_str());
    }
    search.write(tx, placement_id)
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
