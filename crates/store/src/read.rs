//! Reading what screens show: a placement's overview and the placement list from the projection
//! alone (no document is loaded), the whole placement from its documents for exports. Every
//! read is audit-logged.

use folgesvenn_domain::rights::Document;
use folgesvenn_domain::{
    ConflictValue, Day, EMPLOYER_ACCESS_DAYS, Field, FieldConflict, HistoryEntry, PlacementStatus,
    Role, SharedDoc,
};
use rusqlite::{OptionalExtension, params};
use uuid::Uuid;

use crate::audit::AuditAction;
use crate::document::{Doc, DocKind};
use crate::store::audit;
use crate::views::{
    ConsentView, Overview, PlacementFacts, PlacementSummary, PlacementView, PlanItem, TimelineItem,
};
use crate::{Store, StoreError, rows};

/// A placement's next agreed visit (from its newest visit that no correction replaced) and the
/// day of its newest daily log, as two columns for a query over `placements p`: the list and the
/// overview say the same.
macro_rules! next_visit_and_last_log {
    () => {
        "(SELECT v.next_visit FROM visits v
           WHERE v.placement_id = p.id AND v.next_visit IS NOT NULL
             AND NOT EXISTS (SELECT 1 FROM visits c WHERE c.corrects = v.id)
           ORDER BY v.at DESC LIMIT 1),
         (SELECT max(o.date) FROM observations o WHERE o.placement_id = p.id)"
    };
}

/// A conflict's values as the projection keeps them (JSON); stores written before values named
/// their device and time hold the bare values.
fn conflict_values(vals: &str) -> Result<Vec<ConflictValue>, serde_json::Error> {
    serde_json::from_str(vals).or_else(|e| {
        let bare: Vec<String> = serde_json::from_str(vals).map_err(|_| e)?;
        Ok(bare
            .into_iter()
            .map(|value| ConflictValue {
                value,
                device: None,
                at: None,
                by: None,
            })
            .collect())
    })
}

impl Store {
    /// The whole placement for its overview. Audit-logged as a read.
    pub fn placement(&mut self, placement: Uuid) -> Result<PlacementView, StoreError> {
        let shared_id = self.doc_id(placement, DocKind::Shared)?;
        let private_id = if self.me.role == Role::Adviser {
            self.doc_id(placement, DocKind::Private).ok()
        } else {
            None
        };
        // The private document loads on a second thread while the shared one loads.
        let ids: Vec<Uuid> = std::iter::once(shared_id).chain(private_id).collect();
        self.ensure_all_loaded(&ids)?;
        let shared = match &self.docs[&shared_id].doc {
            Doc::Shared(d) => d.hydrate()?,
            Doc::Private(_) => return Err(StoreError::UnknownDocument(shared_id)),
        };
        let private = match private_id.map(|p| &self.docs[&p].doc) {
            Some(Doc::Private(d)) => Some(d.hydrate()?),
            _ => None,
        };
        let conflicts = self.recorded_conflicts(&placement.to_string())?;
        self.log_read(AuditAction::Read, Some(placement), "placement")?;
        Ok(PlacementView {
            id: placement,
            shared,
            private,
            conflicts,
        })
    }

    /// One visit of a placement, from its shared document (a correction starts from it, however
    /// far back the visit is). `None` if the placement has no such visit. Audit-logged as a read.
    pub fn visit(
        &mut self,
        placement: Uuid,
        visit: Uuid,
    ) -> Result<Option<folgesvenn_domain::Visit>, StoreError> {
        self.read_shared(placement, &format!("visits/{visit}"), |d| d.visit(visit))
    }

    /// Reads from a placement's shared document (loaded if it is not in memory): one record as an
    /// edit form or a correction starts from it. Audit-logged as a read of `what`.
    pub fn read_shared<T>(
        &mut self,
        placement: Uuid,
        what: &str,
        read: impl FnOnce(&SharedDoc) -> Result<T, folgesvenn_domain::DocError>,
    ) -> Result<T, StoreError> {
        let shared_id = self.doc_id(placement, DocKind::Shared)?;
        self.ensure_loaded(shared_id)?;
        let found = match &self.docs[&shared_id].doc {
            Doc::Shared(d) => read(d)?,
            Doc::Private(_) => return Err(StoreError::UnknownDocument(shared_id)),
        };
        self.log_read(AuditAction::Read, Some(placement), what)?;
        Ok(found)
    }

    /// Every change that touched one record of a placement, oldest first, from its documents
    /// (the shared one, then on an adviser device the private one): the record's collection and
    /// its history. `None` for a record neither holds. Audit-logged as a read.
    pub fn history(
        &mut self,
        placement: Uuid,
        record: Uuid,
    ) -> Result<Option<(&'static str, Vec<HistoryEntry>)>, StoreError> {
        let mut kinds = vec![DocKind::Shared];
        if self.me.role == Role::Adviser {
            kinds.push(DocKind::Private);
        }
        let mut found = None;
        for kind in kinds {
            let id = self.doc_id(placement, kind)?;
            self.ensure_loaded(id)?;
            let loaded = self
                .docs
                .get_mut(&id)
                .ok_or(StoreError::UnknownDocument(id))?;
            found = match &mut loaded.doc {
                Doc::Shared(d) => d.history(record),
                Doc::Private(d) => d.history(record),
            };
            if found.is_some() {
                break;
            }
        }
        self.log_read(
            AuditAction::Read,
            Some(placement),
            &format!("history/{record}"),
        )?;
        Ok(found)
    }

    /// Every consent recorded for a placement, oldest first, from its private document (adviser
    /// devices only). Audit-logged as a read.
    pub fn consents(&mut self, placement: Uuid) -> Result<Vec<ConsentView>, StoreError> {
        let all = self.with_private(placement, |d| Ok(d.consents()?))?;
        self.log_read(AuditAction::Read, Some(placement), "consents")?;
        Ok(all
            .into_iter()
            .map(|(id, c)| ConsentView {
                id,
                allows_employer: c.allows_employer(),
                scopes: c.scopes.iter().map(|s| s.code().to_owned()).collect(),
                text_version: c.text_version,
                given_at: c.given_at.to_string(),
                given_by: c.recorded_by,
                withdrawn_at: c.withdrawn_at.map(|m| m.to_string()),
                withdrawn_by: c.withdrawn_by,
            })
            .collect())
    }

    /// Whether a recorded consent lets an employer take part in the placement now: the one rule
    /// every employer invitation is checked against. `false` on a device without the private
    /// document (an employer's). Not audit-logged: it reads no one's words.
    pub fn employer_sharing_allowed(&mut self, placement: Uuid) -> Result<bool, StoreError> {
        if self.me.role != Role::Adviser {
            return Ok(false);
        }
        self.with_private(placement, |d| Ok(d.allows_employer()?))
    }

    /// The placements whose candidate gave consent and then withdrew every consent that let the
    /// employer take part (the projection of the private documents; adviser devices only). A
    /// placement with no consent recorded at all, made before consents existed, is not among them.
    pub fn placements_with_consent_withdrawn(&self) -> Result<Vec<Uuid>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT placement_id FROM consents GROUP BY placement_id HAVING max(allows_employer) = 0",
        )?;
        let rows = stmt.query_map([], |r| rows::id(r, 0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A placement's open conflicts as the projection keeps them (updated at every write and
    /// merge that touches a record; `projection::conflicts`), marked with what this device's user
    /// may settle. Walking the documents for them instead costs a map lookup per field of every
    /// record (half the time of opening a three-year placement in full).
    fn recorded_conflicts(&self, pid: &str) -> Result<Vec<FieldConflict>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT path, vals, doc_kind FROM conflicts WHERE placement_id = ?1 ORDER BY path",
        )?;
        let rows = stmt.query_map([pid], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        let mut conflicts = Vec::new();
        for row in rows {
            let (path, vals, kind) = row?;
            // The projection wrote this JSON itself: text it cannot read back is damage.
            let values = conflict_values(&vals).map_err(|e| StoreError::Damaged {
                path: self.db_path(),
                detail: format!("conflicts.vals: {e}"),
            })?;
            conflicts.push(FieldConflict {
                path: path.split('/').map(str::to_owned).collect(),
                values,
                private: kind == "private",
                may_settle: false,
            });
        }
        self.mark_settleable(&mut conflicts);
        Ok(conflicts)
    }

    /// Marks the conflicts this device's user may settle (the rights table).
    fn mark_settleable(&self, conflicts: &mut [FieldConflict]) {
        for c in conflicts {
            let which = if c.private {
                Document::Private
            } else {
                Document::Shared
            };
            c.may_settle = folgesvenn_domain::rights::may_write(self.me.role, which, &c.path);
        }
    }

    fn with_private<T>(
        &mut self,
        placement: Uuid,
        read: impl FnOnce(&folgesvenn_domain::PrivateDoc) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        if self.me.role != Role::Adviser {
            return Err(StoreError::NotForThisRole);
        }
        let private_id = self.doc_id(placement, DocKind::Private)?;
        self.ensure_loaded(private_id)?;
        match &self.docs[&private_id].doc {
            Doc::Private(d) => read(d),
            Doc::Shared(_) => Err(StoreError::UnknownDocument(private_id)),
        }
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
                concat!(
                    "SELECT candidate_name, employer_name, employer_org, adviser_name, measure,
                            status, start_date, end_date, closed_on, hours_per_week, closed_reason, ",
                    next_visit_and_last_log!(),
                    ", response_days FROM placements p WHERE id = ?1"
                ),
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
                        .and_then(|d| Day::parse(Field::EndDate, d).ok())
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
                        next_visit: r.get(11)?,
                        last_observation: r.get(12)?,
                        response_working_days: response_days(r.get(13)?),
                    })
                },
            )
            .optional()?
            .ok_or(StoreError::UnknownPlacement(placement))?;
        let items = |sql: &str| -> Result<Vec<PlanItem>, StoreError> {
            let mut stmt = self.conn.prepare_cached(sql)?;
            let rows = stmt.query_map([&pid], |r| {
                Ok(PlanItem {
                    id: rows::id(r, 0)?,
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
             UNION ALL SELECT CASE private WHEN 1 THEN 'adviser_note' ELSE 'note' END, id, written_at, body, author_role, NULL, author
                 FROM notes WHERE placement_id = ?1
             ORDER BY 3 DESC, 2 LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![pid, timeline_len as i64], timeline_item)?;
        let mut timeline: Vec<TimelineItem> = rows.collect::<Result<_, _>>()?;
        drop(stmt);
        for item in &mut timeline {
            if let TimelineItem::ContactRequest {
                at,
                status,
                answer_by,
                ..
            } = item
                && status == "open"
            {
                *answer_by = answer_day(at, facts.response_working_days).map(|d| d.to_string());
            }
        }
        let conflicts = self.recorded_conflicts(&pid)?;
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

    pub(crate) fn log_read(
        &mut self,
        action: AuditAction,
        placement: Option<Uuid>,
        record: &str,
    ) -> Result<(), StoreError> {
        let at = self.stamp().at;
        let tx = self.conn.savepoint()?;
        audit(&tx, &self.me, action, placement, record, at)?;
        tx.commit()?;
        Ok(())
    }

    /// The placement list, read from the projection (no document is loaded).
    pub fn list_placements(&mut self) -> Result<Vec<PlacementSummary>, StoreError> {
        let today = self.stamp().today.to_string();
        let mut stmt = self.conn.prepare_cached(
            concat!(
                "SELECT p.id, p.candidate_name, p.employer_name, p.measure, p.status, p.start_date,
                        p.end_date, ",
                next_visit_and_last_log!(),
                ", (SELECT count(*) FROM contact_requests r WHERE r.placement_id = p.id AND r.resolved_at IS NULL),
                   (SELECT count(*) FROM actions a WHERE a.placement_id = p.id
                      AND a.status IN ('open', 'in_progress') AND a.due < ?1)
             FROM placements p
             ORDER BY CASE p.status WHEN 'active' THEN 0 WHEN 'planned' THEN 1 ELSE 2 END, p.candidate_name"
            ),
        )?;
        let rows = stmt.query_map([today], |r| {
            Ok(PlacementSummary {
                id: rows::id(r, 0)?,
                candidate_name: r.get(1)?,
                employer_name: r.get(2)?,
                measure: r.get(3)?,
                status: r.get(4)?,
                start_date: r.get(5)?,
                end_date: r.get(6)?,
                next_visit: r.get(7)?,
                last_observation: r.get(8)?,
                open_requests: r.get(9)?,
                overdue_actions: r.get(10)?,
                late_requests: 0,
            })
        })?;
        let mut list: Vec<PlacementSummary> = rows.collect::<Result<_, _>>()?;
        drop(stmt);
        // Requests no one answered within their placement's response time, by the working days
        // since each was raised (the calendar is the domain's, not SQL's).
        let mut stmt = self.conn.prepare_cached(
            "SELECT r.placement_id, r.raised_at, p.response_days FROM contact_requests r
               JOIN placements p ON p.id = r.placement_id
              WHERE r.acknowledged_at IS NULL AND r.resolved_at IS NULL",
        )?;
        let open = stmt.query_map([], |r| {
            Ok((
                rows::id(r, 0)?,
                r.get::<_, String>(1)?,
                response_days(r.get(2)?),
            ))
        })?;
        let today = self.stamp().today;
        for row in open {
            let (placement, raised, days) = row?;
            if answer_day(&raised, days).is_some_and(|by| by < today)
                && let Some(p) = list.iter_mut().find(|p| p.id == placement)
            {
                p.late_requests += 1;
            }
        }
        drop(stmt);
        self.log_read(
            AuditAction::Read,
            None,
            &format!("placement_list ({} rader)", list.len()),
        )?;
        Ok(list)
    }
}

/// A placement's response time from its projection row: the agreed one, else the default.
fn response_days(stored: Option<i64>) -> u8 {
    stored
        .and_then(|d| u8::try_from(d).ok())
        .unwrap_or(folgesvenn_domain::workdays::RESPONSE_WORKING_DAYS_DEFAULT)
}

/// The last day to answer a request raised at `raised` (RFC 3339): `days` Norwegian working days
/// after the day it was raised on the user's wall clock.
fn answer_day(raised: &str, days: u8) -> Option<Day> {
    let raised = folgesvenn_domain::Moment::parse(Field::At, raised).ok()?;
    Some(folgesvenn_domain::workdays::plus_working_days(
        crate::clock::local_day(raised),
        days,
    ))
}

/// A row of the timeline's query: (kind, id, at, text, status, and two columns whose meaning the
/// kind gives) as its kind's item.
fn timeline_item(r: &rusqlite::Row<'_>) -> rusqlite::Result<TimelineItem> {
    let kind: String = r.get(0)?;
    let (id, at, text) = (rows::id(r, 1)?, r.get(2)?, r.get(3)?);
    // Columns the query fills for every row of a kind hold text; a NULL there is damage.
    let text_of = |i| r.get::<_, String>(i);
    Ok(match kind.as_str() {
        "visit" => TimelineItem::Visit {
            id,
            at,
            text,
            status: r.get(4)?,
            corrects: r
                .get::<_, Option<String>>(5)?
                .map(|_| rows::id(r, 5))
                .transpose()?,
            corrected_summary: r.get(6)?,
        },
        "observation" => TimelineItem::Observation {
            id,
            at,
            text,
            status: text_of(4)?,
        },
        "contact_request" => TimelineItem::ContactRequest {
            id,
            at,
            text,
            status: text_of(4)?,
            answered_at: r.get(5)?,
            resolution: r.get(6)?,
            answer_by: None,
        },
        "action" => TimelineItem::Action {
            id,
            at,
            text,
            status: text_of(4)?,
            due: r.get(5)?,
            owner: text_of(6)?,
        },
        "note" => TimelineItem::Note {
            id,
            at,
            text,
            author: text_of(6)?,
            author_role: r.get(4)?,
        },
        "adviser_note" => TimelineItem::AdviserNote {
            id,
            at,
            text,
            author: text_of(6)?,
        },
        other => {
            return Err(rusqlite::Error::InvalidColumnType(
                0,
                other.to_owned(),
                rusqlite::types::Type::Text,
            ));
        }
    })
}
