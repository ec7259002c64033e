//! The write path: every local edit runs one domain operation on one or two documents, checks
//! it against this device's rights, and saves the change, its outbox entry, the projection rows
//! and the audit entries in one transaction. On any error nothing is written and the documents
//! in memory are dropped, to be reloaded from disk.

use folgesvenn_domain::rights;
use folgesvenn_domain::{
    DocError, NewAdviserNote, NewObservation, NewPlacement, NewVisit, PrivateDoc, Role, SharedDoc,
    Stamp, Touched,
};
use rusqlite::{Connection, OptionalExtension, params};
use uuid::Uuid;

use crate::audit::AuditAction;
use crate::clock;
use crate::document::{self, Doc, DocKind, Loaded};
use crate::store::{audit, audit_each};
use crate::{Store, StoreError, projection};

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

impl Store {
    /// Creates a placement with its shared document and, on an adviser device, its private one.
    pub fn create_placement(&mut self, input: &NewPlacement) -> Result<Uuid, StoreError> {
        let stamp = self.stamp();
        let placement = Uuid::new_v4();
        let mut shared = SharedDoc::create(placement, input, &stamp, Some(self.actor()))?;
        let mut private = PrivateDoc::create(placement, &stamp, Some(self.actor()))?;
        let (shared_id, private_id) = (Uuid::new_v4(), Uuid::new_v4());
        let tx = self.conn.savepoint()?;
        document::insert_document(
            &tx,
            shared_id,
            placement,
            DocKind::Shared,
            &shared.automerge_mut().save(),
            stamp.at,
        )?;
        document::insert_document(
            &tx,
            private_id,
            placement,
            DocKind::Private,
            &private.automerge_mut().save(),
            stamp.at,
        )?;
        projection::placement(&tx, placement, &shared)?;
        audit(
            &tx,
            &self.me,
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
            self.keep_loaded(id, Loaded::saved(doc, placement));
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
        if self.me.role != Role::Adviser {
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
                if self.me.role != Role::Adviser {
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
        let (value, mut shared_touched, mut private_touched) = {
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
            let which = loaded.doc.rights_document();
            let since = loaded.persisted.clone();
            rights::check_own(loaded.doc.am(), &since, which, role)?;
            // The projection follows the document, not only what the operation says it touched
            // (an operation that does two things and reports one must not leave rows stale).
            let found = folgesvenn_domain::touched_since(loaded.doc.am(), &since);
            let touched = match loaded.doc.kind() {
                DocKind::Shared => &mut shared_touched,
                DocKind::Private => &mut private_touched,
            };
            *touched = std::mem::take(touched).union(found);
        }
        let tx = self.conn.savepoint()?;
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
            document::persist(
                &tx,
                id,
                loaded,
                document::Origin::Local,
                stamp.at,
                self.compact_after,
            )?;
            let touched = match loaded.doc.kind() {
                DocKind::Shared => &shared_touched,
                DocKind::Private => &private_touched,
            };
            loaded.doc.project(&tx, placement, touched)?;
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
        let entries = records
            .iter()
            .map(|r| (&self.me, Some(placement), r.as_str()));
        audit_each(&tx, AuditAction::Write, stamp.at, entries)?;
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
}

/// Before the projection moves on: if this device's own write closed or reopened the placement,
/// the relay must hear of it (`end_day_notices`). Compares with the projection, which still holds
/// the state before the write.
fn note_end_day(
    tx: &Connection,
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
            .map(clock::epoch_day);
        tx.execute(
            "INSERT INTO end_day_notices (doc_id, end_day) VALUES (?1, ?2)
             ON CONFLICT (doc_id) DO UPDATE SET end_day = excluded.end_day",
            params![doc_id.to_string(), end_day],
        )?;
    }
    Ok(())
}
