//! What happened to one record, from the document's own history: each change that touched it,
//! with the device that made it (the app names the person), when, what kind of change it was and
//! which fields it set; for a note, its text after that change. Nothing here is kept beside the
//! document: the history is the document's.

use automerge::legacy::{Key, ObjectId};
use automerge::{ActorId, AutoCommit, ObjId, ObjType, ROOT, ReadDoc, Value};
use serde::Serialize;
use uuid::Uuid;

use crate::when::Moment;

crate::field::labelled! {
    /// What a change to a placement's documents did, as its commit message names it: one code
    /// per operation of `SharedDoc` and `PrivateDoc`.
    ChangeKind {
        PlacementCreate = "placement.create", "opprettet oppfølgingsløpet";
        PlacementUpdate = "placement.update", "endret opplysningene om oppfølgingsløpet";
        PlacementStatus = "placement.status", "endret status";
        PlacementClose = "placement.close", "avsluttet oppfølgingsløpet";
        PlacementReopen = "placement.reopen", "åpnet oppfølgingsløpet igjen";
        PlacementResponseTime = "placement.response_time", "endret svarfristen";
        PrivateCreate = "private.create", "opprettet veilederens dokument";
        GoalAdd = "goal.add", "la til målet";
        TrainingTaskAdd = "training_task.add", "la til oppgaven";
        TrainingTaskStatus = "training_task.status", "endret status på oppgaven";
        AdaptationAdd = "adaptation.add", "la til tilretteleggingen";
        GoalEdit = "goal.edit", "endret målet";
        TrainingTaskEdit = "training_task.edit", "endret oppgaven";
        AdaptationEdit = "adaptation.edit", "endret tilretteleggingen";
        ContactPersonAdd = "contact_person.add", "la til kontaktpersonen";
        ContactPersonEdit = "contact_person.edit", "endret kontaktpersonen";
        VisitRecord = "visit.record", "registrerte besøket";
        VisitCorrect = "visit.correct", "rettet besøket";
        ObservationLog = "observation.log", "skrev dagsloggen";
        ContactRequestRaise = "contact_request.raise", "ba om kontakt";
        ContactRequestAcknowledge = "contact_request.acknowledge", "bekreftet ønsket om kontakt";
        ContactRequestResolve = "contact_request.resolve", "svarte på ønsket om kontakt";
        ActionAdd = "action.add", "la til tiltaket";
        ActionStatus = "action.status", "endret status på tiltaket";
        ActionEdit = "action.edit", "endret tiltaket";
        NoteAdd = "note.add", "skrev notatet";
        NoteEdit = "note.edit", "endret notatet";
        AdviserNoteAdd = "adviser_note.add", "skrev notatet";
        AdviserNoteEdit = "adviser_note.edit", "endret notatet";
        ConsentGive = "consent.give", "registrerte samtykket";
        ConsentWithdraw = "consent.withdraw", "registrerte at samtykket er trukket tilbake";
        ConflictSettle = "conflict.settle", "valgte verdien som skal gjelde";
    }
}

/// One change that touched a record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HistoryEntry {
    /// RFC 3339, by the writing device's clock.
    pub at: String,
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub device: Option<Uuid>,
    /// The person behind `device`, filled in by whoever knows the members (the app core).
    pub by: Option<String>,
    /// A [`ChangeKind`] code; a change from a newer version may carry one this one does not know.
    pub change: String,
    /// The record's fields it set, sorted.
    pub fields: Vec<String>,
    /// For a record with a long text (a note, a goal, an adaptation, a task, a visit): that text
    /// just after this change.
    pub text: Option<String>,
}

fn key_of(obj: &ObjId) -> Option<(u64, ActorId)> {
    match obj {
        ObjId::Id(counter, actor, _) => Some((*counter, actor.clone())),
        ObjId::Root => None,
    }
}

/// The record's objects (itself and everything inside it), each with the record field it sits
/// under (`None` for the record itself).
fn objects_of(doc: &AutoCommit, record: &ObjId) -> Vec<((u64, ActorId), Option<String>)> {
    let mut out = Vec::new();
    if let Some(k) = key_of(record) {
        out.push((k, None));
    }
    let mut stack: Vec<(ObjId, String)> = doc
        .keys(record)
        .filter_map(|field| match doc.get(record, field.as_str()) {
            Ok(Some((Value::Object(_), child))) => Some((child, field)),
            _ => None,
        })
        .collect();
    while let Some((obj, field)) = stack.pop() {
        if let Some(k) = key_of(&obj) {
            out.push((k, Some(field.clone())));
        }
        let children: Vec<ObjId> = match doc.object_type(&obj) {
            Ok(ObjType::Map) | Ok(ObjType::Table) => doc
                .keys(&obj)
                .filter_map(|k| match doc.get(&obj, k.as_str()) {
                    Ok(Some((Value::Object(_), c))) => Some(c),
                    _ => None,
                })
                .collect(),
            Ok(ObjType::List) => (0..doc.length(&obj))
                .filter_map(|i| match doc.get(&obj, i) {
                    Ok(Some((Value::Object(_), c))) => Some(c),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        stack.extend(children.into_iter().map(|c| (c, field.clone())));
    }
    out
}

fn legacy_key(obj: &ObjectId) -> Option<(u64, ActorId)> {
    match obj {
        ObjectId::Id(id) => Some((id.counter(), id.actor().clone())),
        ObjectId::Root => None,
    }
}

/// The fields that hold a record's long text, one per kind of record.
const TEXT_FIELDS: &[&str] = &["body", "description", "summary"];

/// The history of record `id` in whichever of `collections` holds it, and that collection.
pub(crate) fn find_history(
    doc: &mut AutoCommit,
    collections: &[&'static str],
    id: Uuid,
) -> Option<(&'static str, Vec<HistoryEntry>)> {
    collections.iter().find_map(|coll| {
        let h = record_history(doc, coll, id);
        (!h.is_empty()).then_some((*coll, h))
    })
}

/// Every change that touched record `id` of `collection`, oldest first; empty for a record the
/// document does not hold, or one whose history automerge cannot read (it panics on some
/// malformed documents; the wall turns that into no history rather than a crash).
fn record_history(doc: &mut AutoCommit, collection: &str, id: Uuid) -> Vec<HistoryEntry> {
    crate::load::contained(|| Ok(read_history(doc, collection, id))).unwrap_or_default()
}

fn read_history(doc: &mut AutoCommit, collection: &str, id: Uuid) -> Vec<HistoryEntry> {
    let Ok(Some((Value::Object(_), coll))) = doc.get(ROOT, collection) else {
        return Vec::new();
    };
    let record_key = id.to_string();
    let Ok(Some((Value::Object(_), record))) = doc.get(&coll, record_key.as_str()) else {
        return Vec::new();
    };
    let objects = objects_of(doc, &record);
    let record_obj = key_of(&record);
    let coll_obj = key_of(&coll);
    // The record's own text (a note's body, a goal's or task's description, a visit's summary),
    // shown as it read after each change that wrote it: an automerge `Text`, or a string (a
    // visit's summary since it is written once; `None` here).
    let (text_field, text_obj) = TEXT_FIELDS
        .iter()
        .find_map(|f| match doc.get(&record, *f) {
            Ok(Some((Value::Object(ObjType::Text), t))) => Some((*f, Some(t))),
            Ok(Some((Value::Scalar(s), _))) if s.as_str().is_some() => Some((*f, None)),
            _ => None,
        })
        .unwrap_or(("", None));
    let mut out = Vec::new();
    for change in doc.get_changes(&[]) {
        let decoded = change.decode();
        let mut fields: Vec<String> = Vec::new();
        let mut touched = false;
        for op in &decoded.operations {
            let obj = legacy_key(&op.obj);
            if obj.is_some()
                && obj == coll_obj
                && matches!(&op.key, Key::Map(k) if k.as_str() == record_key)
            {
                touched = true; // the record itself was put
                continue;
            }
            let Some((_, field)) = objects.iter().find(|(k, _)| Some(k) == obj.as_ref()) else {
                continue;
            };
            touched = true;
            let name = match (field, &op.key) {
                (Some(f), _) => Some(f.clone()),
                (None, Key::Map(k)) if obj == record_obj => Some(k.to_string()),
                _ => None,
            };
            if let Some(n) = name
                && !fields.contains(&n)
            {
                fields.push(n);
            }
        }
        if !touched {
            continue;
        }
        fields.sort();
        let at = [change.hash()];
        let wrote_text = fields.iter().any(|f| f == text_field) || out.is_empty();
        let text = (!text_field.is_empty() && wrote_text)
            .then(|| match &text_obj {
                Some(t) => doc.text_at(t, &at).ok(),
                None => match doc.get_at(&record, text_field, &at) {
                    Ok(Some((Value::Scalar(s), _))) => s.as_str().map(str::to_owned),
                    _ => None,
                },
            })
            .flatten();
        out.push(HistoryEntry {
            at: Moment::from_unix_millis(change.timestamp())
                .map(|m| m.to_string())
                .unwrap_or_default(),
            device: Uuid::from_slice(change.actor_id().to_bytes()).ok(),
            by: None,
            change: change.message().unwrap_or_default().to_owned(),
            fields,
            text,
        });
    }
    out
}
