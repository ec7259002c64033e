//! What both placement documents have in common: loading with a schema check, reading and writing
//! one record of a collection, committing with a message, and finding concurrent edits.
//!
//! Writes go to one record at a time (`reconcile_prop` on `collection/<uuid>`), never by
//! reconciling the whole document: a change then touches only what the user changed, and a
//! three-year placement costs no more to write to than a new one.

use std::borrow::Cow;

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{AutoCommit, ChangeHash, ObjId, ObjType, ROOT, ReadDoc, Value};
use autosurgeon::{Hydrate, Prop, Reconcile};
use serde::Serialize;
use uuid::Uuid;

use crate::DocError;
use crate::load::{contained, load_strict};
use crate::model::SCHEMA_VERSION;
use crate::when::Moment;

pub(crate) fn load(bytes: &[u8]) -> Result<AutoCommit, DocError> {
    let doc = load_strict(bytes)?;
    check_schema(&doc)?;
    Ok(doc)
}

pub(crate) fn check_schema(doc: &AutoCommit) -> Result<(), DocError> {
    let found: Option<u64> = autosurgeon::hydrate_prop(doc, ROOT, "schema_version")?;
    match found {
        None => Err(DocError::Unreadable(
            "dokumentet mangler skjemaversjon".into(),
        )),
        Some(v) if v > SCHEMA_VERSION => Err(DocError::UnsupportedSchema {
            found: v,
            supported: SCHEMA_VERSION,
        }),
        Some(_) => Ok(()),
    }
}

pub(crate) fn placement_id(doc: &AutoCommit) -> Result<Uuid, DocError> {
    autosurgeon::hydrate_prop::<_, Option<Uuid>, _, _>(doc, ROOT, "placement_id")?
        .ok_or_else(|| DocError::Unreadable("dokumentet mangler id for oppfølgingsløpet".into()))
}

fn collection(doc: &AutoCommit, name: &str) -> Result<ObjId, DocError> {
    match doc.get(ROOT, name)? {
        Some((Value::Object(ObjType::Map), id)) => Ok(id),
        _ => Err(DocError::Unreadable(format!("samlingen «{name}» mangler"))),
    }
}

/// Every operation validates, writes, then commits; nothing is pending before it starts. So when a
/// write fails half-way, rolling back the pending transaction drops exactly that operation's ops.
fn or_rollback<T, E: Into<DocError>>(doc: &mut AutoCommit, r: Result<T, E>) -> Result<T, DocError> {
    r.map_err(|e| {
        doc.rollback();
        e.into()
    })
}

pub(crate) fn put<T: Reconcile>(
    doc: &mut AutoCommit,
    coll: &str,
    id: Uuid,
    value: &T,
) -> Result<(), DocError> {
    let obj = collection(doc, coll);
    let obj = or_rollback(doc, obj)?;
    let key = id.to_string();
    let r = autosurgeon::reconcile_prop(doc, obj, key.as_str(), value);
    or_rollback(doc, r)
}

/// Writes a value at the root (the placement's own facts).
pub(crate) fn put_root<T: Reconcile>(
    doc: &mut AutoCommit,
    key: &str,
    value: &T,
) -> Result<(), DocError> {
    let r = autosurgeon::reconcile_prop(doc, ROOT, key, value);
    or_rollback(doc, r)
}

pub(crate) fn get<T: Hydrate>(
    doc: &AutoCommit,
    coll: &str,
    id: Uuid,
) -> Result<Option<T>, DocError> {
    let obj = collection(doc, coll)?;
    let key = id.to_string();
    let Some((value, record)) = doc.get(&obj, key.as_str())? else {
        return Ok(None);
    };
    if let Value::Object(ObjType::Map) = value {
        // What `hydrate_prop` does for a map, with the record's fields read in one pass.
        let fields = crate::prefetch::Prefetched::new(doc);
        return Ok(Some(T::hydrate_map(&fields, &record)?));
    }
    Ok(Some(autosurgeon::hydrate_prop(
        doc,
        &obj,
        Prop::Key(Cow::Owned(key)),
    )?))
}

/// Replaces the text of `coll/<id>/field` with a minimal character diff (automerge's own
/// `update_text`), so that a concurrent edit elsewhere in the same text survives the merge.
pub(crate) fn update_text(
    doc: &mut AutoCommit,
    coll: &str,
    id: Uuid,
    field: &str,
    new: &str,
) -> Result<(), DocError> {
    let r = update_text_inner(doc, coll, id, field, new);
    or_rollback(doc, r)
}

fn update_text_inner(
    doc: &mut AutoCommit,
    coll: &str,
    id: Uuid,
    field: &str,
    new: &str,
) -> Result<(), DocError> {
    let obj = collection(doc, coll)?;
    let record = match doc.get(&obj, id.to_string().as_str())? {
        Some((Value::Object(ObjType::Map), rec)) => rec,
        _ => {
            return Err(DocError::Unreadable(format!(
                "{coll}/{id} er ikke et objekt"
            )));
        }
    };
    match doc.get(&record, field)? {
        Some((Value::Object(ObjType::Text), text)) => Ok(doc.update_text(&text, new)?),
        _ => Err(DocError::Unreadable(format!(
            "{coll}/{id}/{field} er ikke tekst"
        ))),
    }
}

pub(crate) fn require<T: Hydrate>(
    doc: &AutoCommit,
    coll: &'static str,
    kind: &'static str,
    id: Uuid,
) -> Result<T, DocError> {
    get(doc, coll, id)?.ok_or(DocError::Invalid(crate::ValidationError::UnknownRecord {
        collection: coll,
        label: kind,
        id,
    }))
}

pub(crate) fn record_ids(doc: &AutoCommit, coll: &str) -> Result<Vec<Uuid>, DocError> {
    let obj = collection(doc, coll)?;
    Ok(doc.keys(&obj).filter_map(|k| k.parse().ok()).collect())
}

/// Commits pending operations as one change, stamped with what was done and when.
pub(crate) fn commit(doc: &mut AutoCommit, what: crate::ChangeKind, at: Moment) {
    doc.commit_with(
        CommitOptions::default()
            .with_message(what.code().to_owned())
            .with_time(at.unix_millis()),
    );
}

/// Creates the empty collections of a new document in one go, so later writes always find them.
pub(crate) fn create_root(
    doc: &mut AutoCommit,
    placement_id: Uuid,
    collections: &[&str],
) -> Result<(), DocError> {
    doc.put(ROOT, "schema_version", SCHEMA_VERSION)?;
    autosurgeon::reconcile_prop(doc, ROOT, "placement_id", placement_id)?;
    for c in collections {
        doc.put_object(ROOT, *c, ObjType::Map)?;
    }
    Ok(())
}

/// Which records a set of patches touched: the first two steps of each patch's path (collection,
/// record id), or the root key itself for the placement's own facts. The rule the projection
/// followed before it read the changes themselves ([`crate::paths::touched_by`]); the tests check
/// that what the changes name covers it.
#[cfg(test)]
pub(crate) fn touched_by_patches(patches: &[automerge::Patch]) -> crate::touched::Touched {
    use automerge::{PatchAction, Prop as P};
    let mut t = crate::touched::Touched::default();
    for patch in patches {
        let mut steps: Vec<String> = patch
            .path
            .iter()
            .map(|(_, p)| match p {
                P::Map(k) => k.clone(),
                P::Seq(i) => i.to_string(),
            })
            .collect();
        match &patch.action {
            PatchAction::PutMap { key, .. } | PatchAction::DeleteMap { key } => {
                steps.push(key.clone())
            }
            PatchAction::Conflict { prop: P::Map(k) } => steps.push(k.clone()),
            _ => {}
        }
        match steps.as_slice() {
            [root, ..] if root == "placement" => t.placement = true,
            [coll, id, ..] => {
                if let (Some(coll), Ok(id)) = (crate::touched::collection_name(coll), id.parse())
                    && !t.records.contains(&(coll, id))
                {
                    t.records.push((coll, id));
                }
            }
            _ => {}
        }
    }
    t
}

/// Which records the changes after `since` touched, read from those changes: what a local write
/// is projected by (with what its operation says it touched), by the same rule as a merge.
pub fn touched_since(doc: &mut AutoCommit, since: &[ChangeHash]) -> crate::touched::Touched {
    let changes = doc.get_changes(since);
    let refs: Vec<&automerge::Change> = changes.iter().collect();
    crate::paths::touched_by(doc, &refs)
}

/// Applies a framed batch of changes from another copy of the document (see [`crate::changes`]).
/// Changes already here are skipped; a batch that does not parse whole is refused unapplied.
pub(crate) fn apply_changes(
    doc: &mut AutoCommit,
    bytes: &[u8],
) -> Result<crate::touched::Touched, DocError> {
    let changes = crate::changes::decode(bytes)?;
    contained(|| {
        let new: Vec<&automerge::Change> = changes
            .iter()
            .filter(|c| doc.get_change_by_hash(&c.hash()).is_none())
            .collect();
        let touched = crate::paths::touched_by(doc, &new);
        apply_decoded(doc, changes)?;
        Ok(touched)
    })
}

/// Drops what automerge recorded of the changes just applied or merged. automerge 0.12 logs
/// every applied operation's effect (the patches a diff would report; a string for each character
/// of text) into the document's patch log even when no diff was asked for, and keeps it until
/// the diff cursor is reset: about 200 bytes for every character received, for as long as the
/// document stays in memory (the store keeps up to 64). Nothing here reads those diffs.
fn forget_patches(doc: &mut AutoCommit) {
    doc.reset_diff_cursor();
}

/// Merges `other` into `doc`: every change `doc` lacks.
pub(crate) fn merge(doc: &mut AutoCommit, other: &mut AutoCommit) -> Result<(), DocError> {
    let merged = doc.merge(other);
    forget_patches(doc);
    merged?;
    Ok(())
}

/// Applies changes whole, or refuses them.
pub(crate) fn apply_decoded(
    doc: &mut AutoCommit,
    changes: Vec<automerge::Change>,
) -> Result<(), DocError> {
    let applied = doc.apply_changes(changes);
    forget_patches(doc);
    applied?;
    // automerge holds back changes whose dependencies it lacks, in memory only. The store would
    // then record the batch as applied while nothing of it reached the disk: refuse instead, so
    // the caller keeps (quarantines) the batch.
    if !doc.get_missing_deps(&[]).is_empty() {
        return Err(DocError::Unreadable(
            "endringene bygger på endringer denne enheten ikke har".into(),
        ));
    }
    Ok(())
}

/// The changes `heads` does not include, framed for another device.
pub(crate) fn changes_since(doc: &mut AutoCommit, heads: &[ChangeHash]) -> Vec<u8> {
    crate::changes::encode(doc.get_changes(heads).iter())
}

/// A field that two devices changed at the same time, each without seeing the other's change.
/// Automerge keeps both values and picks one deterministically; the app shows both, with who
/// wrote each and when, so a person who may write the field can choose ("endret på begge
/// enhetene"): [`settle`] writes the choice over both.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FieldConflict {
    /// From the document root, e.g. `["actions", "<uuid>", "status"]`.
    pub path: Vec<String>,
    /// Every concurrent value, the one currently shown first.
    pub values: Vec<ConflictValue>,
    /// In the adviser's private document (else the shared one).
    pub private: bool,
    /// This device's user may choose a value (the rights table, `rights::may_write`); the
    /// store fills it in for its own role.
    pub may_settle: bool,
}

/// One of a conflicting field's values, and the change that wrote it (from the document's
/// history).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConflictValue {
    /// As the screen shows it: a choice's code, a day, a number, text.
    pub value: String,
    /// The device that wrote it.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub device: Option<Uuid>,
    /// When its change was made (RFC 3339), by the writing device's clock.
    pub at: Option<String>,
    /// The person behind `device`, filled in by whoever knows the members (the app core).
    pub by: Option<String>,
}

impl FieldConflict {
    /// The collection, record and field this conflict sits in, when it is inside a record.
    pub fn record(&self) -> Option<(&str, Uuid, &str)> {
        match self.path.as_slice() {
            [coll, id, field, ..] => Some((coll, id.parse().ok()?, field)),
            _ => None,
        }
    }
}

fn conflict(doc: &AutoCommit, path: &[String], all: &[(Value<'_>, ObjId)]) -> FieldConflict {
    FieldConflict {
        path: path.to_vec(),
        values: all
            .iter()
            .rev()
            .map(|(v, id)| {
                let (device, at) = written_by(doc, id);
                ConflictValue {
                    value: render(v),
                    device,
                    at,
                    by: None,
                }
            })
            .collect(),
        private: false,
        may_settle: false,
    }
}

/// The device (the change's actor) and the time of the change that made operation `op`. On a
/// document automerge cannot look this up in (it panics on some malformed ones; the fuzzer found
/// one), the value is shown without them.
fn written_by(doc: &AutoCommit, op: &ObjId) -> (Option<Uuid>, Option<String>) {
    let automerge::ObjId::Id(_, actor, _) = op else {
        return (None, None);
    };
    let device = Uuid::from_slice(actor.to_bytes()).ok();
    let at = contained(|| {
        Ok(doc
            .hash_for_opid(op)
            .and_then(|h| ReadDoc::get_change_by_hash(doc, &h))
            .and_then(|c| Moment::from_unix_millis(c.timestamp()))
            .map(|m| m.to_string()))
    })
    .ok()
    .flatten();
    (device, at)
}

/// Settles a conflict: writes `chosen` (one of the values the field holds, as [`FieldConflict`]
/// renders it) over all of them, so every device shows it after the next sync. Only scalar
/// fields conflict this way (text merges). A field that no longer holds `chosen` is refused:
/// someone changed it since the values were shown.
pub(crate) fn settle(
    doc: &mut AutoCommit,
    path: &[String],
    chosen: &str,
    at: Moment,
) -> Result<(), DocError> {
    contained(|| settle_inner(doc, path, chosen))?;
    commit(doc, crate::ChangeKind::ConflictSettle, at);
    Ok(())
}

fn settle_inner(doc: &mut AutoCommit, path: &[String], chosen: &str) -> Result<(), DocError> {
    let gone = || {
        DocError::Invalid(crate::ValidationError::Inconsistent(
            crate::error::Inconsistency::ConflictGone,
        ))
    };
    let (last, parents) = path.split_last().ok_or_else(gone)?;
    let mut obj = ROOT;
    for segment in parents {
        obj = match doc.get(&obj, prop_of(doc, &obj, segment).ok_or_else(gone)?) {
            Ok(Some((Value::Object(_), child))) => child,
            _ => return Err(gone()),
        };
    }
    let prop = prop_of(doc, &obj, last).ok_or_else(gone)?;
    let all = doc.get_all(&obj, prop.clone()).map_err(|_| gone())?;
    if let [(only, _)] = all.as_slice()
        && render(only) == chosen
    {
        return Ok(()); // settled already (on another device, or a second click)
    }
    let value = all
        .iter()
        .find_map(|(v, _)| match v {
            Value::Scalar(s) if render(v) == chosen => Some(s.as_ref().clone()),
            _ => None,
        })
        .ok_or_else(gone)?;
    match prop {
        automerge::Prop::Map(k) => doc.put(&obj, k, value),
        automerge::Prop::Seq(i) => doc.put(&obj, i, value),
    }
    .map_err(|e| DocError::Unreadable(e.to_string()))
}

/// A path segment as a property of `obj`: a key in a map, an index in a list.
fn prop_of(doc: &AutoCommit, obj: &ObjId, segment: &str) -> Option<automerge::Prop> {
    match doc.object_type(obj).ok()? {
        ObjType::Map | ObjType::Table => Some(automerge::Prop::Map(segment.to_owned())),
        ObjType::List => segment.parse().ok().map(automerge::Prop::Seq),
        ObjType::Text => None,
    }
}

pub(crate) fn conflicts(doc: &AutoCommit) -> Vec<FieldConflict> {
    let mut out = Vec::new();
    walk(doc, &ROOT, &mut Vec::new(), &mut out);
    out
}

/// Conflicts inside one record (or, with `coll` = "placement" and no id, the placement's facts),
/// for keeping a projection of conflicts up to date without walking the whole document.
pub(crate) fn record_conflicts(
    doc: &AutoCommit,
    coll: &str,
    id: Option<Uuid>,
) -> Vec<FieldConflict> {
    let mut out = Vec::new();
    let (parent, key, mut path) = match id {
        Some(id) => match doc.get(ROOT, coll) {
            Ok(Some((Value::Object(ObjType::Map), c))) => {
                (c, id.to_string(), vec![coll.to_owned()])
            }
            _ => return out,
        },
        None => (ROOT, coll.to_owned(), Vec::new()),
    };
    let Ok(all) = doc.get_all(&parent, key.as_str()) else {
        return out;
    };
    path.push(key);
    if all.len() > 1 {
        out.push(conflict(doc, &path, &all));
    }
    if let Some((Value::Object(_), obj)) = all.last() {
        walk(doc, obj, &mut path, &mut out);
    }
    out
}

/// Fields the app writes beside what the user changed (when a task's status last moved): two
/// devices' values differ whenever the user's fields do, and choosing between them means nothing
/// to anyone, so they are not reported.
const BOOKKEEPING: &[&str] = &["updated_at"];

fn walk(doc: &AutoCommit, obj: &ObjId, path: &mut Vec<String>, out: &mut Vec<FieldConflict>) {
    match doc.object_type(obj) {
        Ok(ObjType::Map) | Ok(ObjType::Table) => {
            // One pass over the map: it says which keys hold more than one value, and only
            // those need `get_all` (a search per key, which every field paid before).
            for item in doc.map_range(obj, ..) {
                path.push(item.key.to_string());
                if item.conflict
                    && !BOOKKEEPING.contains(&item.key.as_ref())
                    && let Ok(all) = doc.get_all(obj, item.key.as_ref())
                    && all.len() > 1
                {
                    out.push(conflict(doc, path, &all));
                }
                // The value shown (the last of `get_all`); descend into it.
                if let automerge::ValueRef::Object(_) = item.value {
                    walk(doc, &item.id(), path, out);
                }
                path.pop();
            }
        }
        Ok(ObjType::List) => {
            for i in 0..doc.length(obj) {
                let Ok(all) = doc.get_all(obj, i) else {
                    continue;
                };
                path.push(i.to_string());
                if all.len() > 1 {
                    out.push(conflict(doc, path, &all));
                }
                if let Some((Value::Object(_), child)) = all.last() {
                    walk(doc, child, path, out);
                }
                path.pop();
            }
        }
        // Text merges character by character; there is nothing to choose between.
        Ok(ObjType::Text) | Err(_) => {}
    }
}

/// The walk as it was, one `get_all` per key: what the one-pass walk must find.
#[cfg(test)]
pub(crate) fn conflicts_key_by_key(doc: &AutoCommit) -> Vec<FieldConflict> {
    fn walk(doc: &AutoCommit, obj: &ObjId, path: &mut Vec<String>, out: &mut Vec<FieldConflict>) {
        let props: Vec<automerge::Prop> = match doc.object_type(obj) {
            Ok(ObjType::Map) | Ok(ObjType::Table) => {
                doc.keys(obj).map(automerge::Prop::Map).collect()
            }
            Ok(ObjType::List) => (0..doc.length(obj)).map(automerge::Prop::Seq).collect(),
            Ok(ObjType::Text) | Err(_) => return,
        };
        for prop in props {
            let label = match &prop {
                automerge::Prop::Map(k) => k.clone(),
                automerge::Prop::Seq(i) => i.to_string(),
            };
            let Ok(all) = doc.get_all(obj, prop) else {
                continue;
            };
            path.push(label);
            if all.len() > 1 && !BOOKKEEPING.contains(&path[path.len() - 1].as_str()) {
                out.push(conflict(doc, path, &all));
            }
            if let Some((Value::Object(_), child)) = all.last() {
                walk(doc, child, path, out);
            }
            path.pop();
        }
    }
    let mut out = Vec::new();
    walk(doc, &ROOT, &mut Vec::new(), &mut out);
    out
}

fn render(value: &Value<'_>) -> String {
    match value {
        Value::Scalar(s) => match s.as_ref() {
            automerge::ScalarValue::Str(s) => s.to_string(),
            automerge::ScalarValue::Null => "—".into(),
            other => other.to_string(),
        },
        Value::Object(ObjType::Text) => "(tekst)".into(),
        Value::Object(_) => "(objekt)".into(),
    }
}
