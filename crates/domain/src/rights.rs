//! Who may write what: the one table of each role's rights in a placement's documents, and the
//! check every device runs on changes from other devices before it applies them.
//!
//! An adviser's device may write everything in both documents. An employer device never holds the
//! private document, and in the shared one writes only what [`EMPLOYER_RIGHTS`] lists: its daily
//! observations, the contact requests it raises, its own notes, and the status of training tasks.
//! It never writes visits, the placement's facts or dates, goals, adaptations, contact persons,
//! actions, a request's acknowledgement or resolution, or another person's note.
//!
//! The check reads each change operation by operation, not the merged result: an operation that a
//! concurrent one happens to hide is still refused, so it can never surface later.

use std::collections::HashSet;
use std::rc::Rc;

use automerge::legacy::{Key, OpType};
use automerge::{ActorId, AutoCommit, Change, ChangeHash, ROOT, ReadDoc, ScalarValue, Value};
use uuid::Uuid;

use crate::DocError;
use crate::model::Role;
use crate::paths::{Level, Paths};
use crate::touched::Touched;

/// Which of a placement's two documents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Document {
    Shared,
    Private,
}

/// Fields of a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fields {
    None,
    Only(&'static [&'static str]),
    All,
}

impl Fields {
    fn allows(self, field: &str) -> bool {
        match self {
            Fields::None => false,
            Fields::Only(f) => f.contains(&field),
            Fields::All => true,
        }
    }
}

/// What a role may do in one collection of the shared document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CollectionRights {
    pub collection: &'static str,
    /// May add new records.
    pub create: bool,
    /// In a record it adds: fields that must be left empty (null, "" or false).
    pub empty_on_create: &'static [&'static str],
    /// The field that names the role a record belongs to (who wrote a note, who owns an action);
    /// in a record it adds, it must name its own role, and `update_own_only` reads it.
    pub author_field: Option<&'static str>,
    /// Fields it may change in records that exist.
    pub update: Fields,
    /// Only in records whose `author_field` names its own role.
    pub update_own_only: bool,
}

/// The employer's rights in the shared document; anything not listed is refused.
pub const EMPLOYER_RIGHTS: &[CollectionRights] = &[
    CollectionRights {
        collection: "observations",
        create: true,
        empty_on_create: &[],
        author_field: None,
        update: Fields::All,
        update_own_only: false,
    },
    CollectionRights {
        collection: "contact_requests",
        create: true,
        empty_on_create: &[
            "acknowledged_at",
            "acknowledged_by",
            "resolved_at",
            "resolved_by",
            "resolution",
        ],
        author_field: Some("raised_by"),
        update: Fields::None,
        update_own_only: false,
    },
    CollectionRights {
        collection: "notes",
        create: true,
        empty_on_create: &[],
        author_field: Some("author_role"),
        update: Fields::Only(&["body"]),
        update_own_only: true,
    },
    CollectionRights {
        collection: "actions",
        create: false,
        empty_on_create: &[],
        author_field: Some("owner"),
        update: Fields::Only(&["status"]),
        update_own_only: true,
    },
    CollectionRights {
        collection: "training_plan",
        create: false,
        empty_on_create: &[],
        author_field: None,
        update: Fields::Only(&["status", "updated_at"]),
        update_own_only: false,
    },
];

/// The rights of `role` in one collection of `doc`: `None` for no rights at all, and every right
/// for an adviser.
pub fn rights(role: Role, doc: Document, collection: &str) -> Option<CollectionRights> {
    match (role, doc) {
        (Role::Adviser, _) => Some(CollectionRights {
            collection: "*",
            create: true,
            empty_on_create: &[],
            author_field: None,
            update: Fields::All,
            update_own_only: false,
        }),
        (Role::Employer, Document::Private) => None,
        (Role::Employer, Document::Shared) => EMPLOYER_RIGHTS
            .iter()
            .find(|r| r.collection == collection)
            .copied(),
    }
}

/// Whether `role` may change the field at `path` (from the document root) at all: the table
/// above without its own-records rule, which the write itself is checked against. For showing a
/// choice (a conflict's values) only to those who can make it.
pub fn may_write(role: Role, doc: Document, path: &[String]) -> bool {
    match path {
        [coll, _record, field, ..] => {
            rights(role, doc, coll).is_some_and(|r| r.update.allows(field))
        }
        _ => role == Role::Adviser,
    }
}

/// One part of what arrived from the relay: framed changes, and the device that sealed the record
/// they came in. `sealed_by: None` is a snapshot from an adviser device, whose contents that device
/// checked when it applied them.
#[derive(Clone, Copy, Debug)]
pub struct Authored<'a> {
    pub framed: &'a [u8],
    pub sealed_by: Option<Uuid>,
}

/// The actor id every device writes with: its device id.
pub fn actor_of(device: Uuid) -> ActorId {
    ActorId::from(device.as_bytes().as_slice())
}

fn device_of(actor: &ActorId) -> Option<Uuid> {
    Uuid::from_slice(actor.to_bytes()).ok()
}

pub use crate::error::Refusal;

fn forbidden(device: Uuid, path: &[&str], why: Refusal) -> DocError {
    DocError::Forbidden {
        device,
        path: path.join("/"),
        why,
    }
}

/// Checks every new change in `parts` against its author's role, then applies them all, or
/// nothing. Returns what changed and the devices whose changes were new here. For a document
/// held as a bare automerge document (a device joining builds one before it imports it); the
/// placement documents have `apply_authored`.
pub fn apply_checked(
    doc: &mut AutoCommit,
    parts: &[Authored<'_>],
    which: Document,
    role_of: &dyn Fn(Uuid) -> Option<Role>,
) -> Result<Merged, DocError> {
    apply_authored(doc, parts, which, role_of)
}

/// What a merge of received changes did.
#[derive(Debug, Default)]
pub struct Merged {
    /// The records (and facts) the new changes touch.
    pub touched: Touched,
    /// The devices whose changes were new here.
    pub authors: Vec<Uuid>,
    /// The new changes as they were received, in automerge's storage format (what
    /// `save_after` gives, without rebuilding each change from the document, which cost a tenth
    /// of a large merge).
    pub changes: Vec<u8>,
}

/// Checks this device's own changes since `since` against `role`, before they are kept: the
/// same table, so a device never writes what the other members would quarantine.
pub fn check_own(
    doc: &mut AutoCommit,
    since: &[ChangeHash],
    which: Document,
    role: Role,
) -> Result<(), DocError> {
    if role == Role::Adviser {
        return Ok(());
    }
    let changes = doc.get_changes(since);
    let refs: Vec<&Change> = changes.iter().collect();
    crate::load::contained(|| check(doc, &refs, which, &|_| Some(role)))
}

pub(crate) fn apply_authored(
    doc: &mut AutoCommit,
    parts: &[Authored<'_>],
    which: Document,
    role_of: &dyn Fn(Uuid) -> Option<Role>,
) -> Result<Merged, DocError> {
    let mut checked: Vec<Change> = Vec::new();
    let mut trusted: Vec<Change> = Vec::new();
    for part in parts {
        let changes = crate::changes::decode(part.framed)?;
        match part.sealed_by {
            None => trusted.extend(changes),
            Some(device) => {
                let actor = actor_of(device);
                if let Some(c) = changes.iter().find(|c| *c.actor_id() != actor) {
                    // The actor it claims, as a device id where it is one.
                    let other = device_of(c.actor_id())
                        .map_or_else(|| c.actor_id().to_hex_string(), |d| d.to_string());
                    return Err(DocError::Forbidden {
                        device,
                        path: other,
                        why: Refusal::OtherDevicesName,
                    });
                }
                checked.extend(changes);
            }
        }
    }
    let mut authors: Vec<Uuid> = Vec::new();
    let mut saved: Vec<u8> = Vec::new();
    let mut seen = HashSet::new();
    let touched = crate::load::contained(|| {
        let mut is_new = |c: &&Change| doc.get_change_by_hash(&c.hash()).is_none();
        let new: Vec<&Change> = checked.iter().filter(&mut is_new).collect();
        let limited = authors_limited(&new, role_of)?;
        let new_trusted: Vec<&Change> = trusted.iter().filter(&mut is_new).collect();
        for c in new.iter().chain(&new_trusted) {
            if seen.insert(c.hash()) {
                saved.extend_from_slice(c.raw_bytes());
            }
            if let Some(d) = device_of(c.actor_id())
                && !authors.contains(&d)
            {
                authors.push(d);
            }
        }
        // Decoded once: for the rights check, and for which records the batch touches.
        let expanded: Vec<automerge::ExpandedChange> =
            new.iter().chain(&new_trusted).map(|c| c.decode()).collect();
        let mut paths = Paths::new(doc, &expanded);
        if limited {
            check_decoded(&mut paths, &expanded[..new.len()], which, role_of)?;
        }
        Ok(paths.touched(&expanded))
    })?;
    checked.extend(trusted);
    crate::load::contained(|| crate::doc::apply_decoded(doc, checked))?;
    Ok(Merged {
        touched,
        authors,
        changes: saved,
    })
}

fn is_empty(action: &OpType) -> bool {
    matches!(
        action,
        OpType::Put(ScalarValue::Null) | OpType::Put(ScalarValue::Boolean(false)) | OpType::Delete
    ) || matches!(action, OpType::Put(ScalarValue::Str(s)) if s.is_empty())
}

/// The role code a record holds in `field`, read from the document as it is.
fn author_in_doc(doc: &AutoCommit, coll: &str, id: &str, field: &str) -> Option<String> {
    let Ok(Some((Value::Object(_), c))) = doc.get(ROOT, coll) else {
        return None;
    };
    let Ok(Some((Value::Object(_), rec))) = doc.get(&c, id) else {
        return None;
    };
    match doc.get(&rec, field) {
        Ok(Some((Value::Scalar(s), _))) => match s.as_ref() {
            ScalarValue::Str(s) => Some(s.to_string()),
            _ => None,
        },
        _ => None,
    }
}

fn check(
    doc: &AutoCommit,
    changes: &[&Change],
    which: Document,
    role_of: &dyn Fn(Uuid) -> Option<Role>,
) -> Result<(), DocError> {
    if !authors_limited(changes, role_of)? {
        return Ok(());
    }
    let expanded: Vec<automerge::ExpandedChange> = changes.iter().map(|c| c.decode()).collect();
    check_decoded(&mut Paths::new(doc, &expanded), &expanded, which, role_of)
}

/// Refuses a change by no member (whatever it holds); tells whether any author is limited by the
/// table. An adviser may write everything, so a batch of advisers' changes (all an employer
/// device receives but its own) needs no operation read.
fn authors_limited(
    changes: &[&Change],
    role_of: &dyn Fn(Uuid) -> Option<Role>,
) -> Result<bool, DocError> {
    let mut limited = false;
    for c in changes {
        let (_, role) = role_of_author(c.actor_id(), role_of)?;
        limited |= role != Role::Adviser;
    }
    Ok(limited)
}

fn check_decoded(
    paths: &mut Paths<'_>,
    expanded: &[automerge::ExpandedChange],
    which: Document,
    role_of: &dyn Fn(Uuid) -> Option<Role>,
) -> Result<(), DocError> {
    for c in expanded {
        let (device, role) = role_of_author(&c.actor_id, role_of)?;
        if role == Role::Adviser {
            continue;
        }
        // The object of the operation before, and its path: a note's characters are a run of
        // operations in one text.
        let mut last: Option<(&automerge::legacy::ObjectId, Option<Rc<[Level]>>)> = None;
        for op in &c.operations {
            let levels = match &last {
                Some((obj, levels)) if *obj == &op.obj => levels.clone(),
                _ => paths.of(&op.obj),
            };
            last = Some((&op.obj, levels.clone()));
            let Some(levels) = levels else {
                return Err(forbidden(device, &[], Refusal::UnknownObject));
            };
            let mut path: Vec<&str> = levels.iter().map(|l| l.key.as_str()).collect();
            if let Key::Map(k) = &op.key {
                path.push(k);
            }
            allowed(paths.doc, role, which, &c.actor_id, &levels, &path, op)
                .map_err(|why| forbidden(device, &path, why))?;
        }
    }
    Ok(())
}

/// The device behind a change's actor and its role here. An actor that is not a device id has
/// no author: refused, never read as the nil id; so is a device that is no member.
fn role_of_author(
    actor: &ActorId,
    role_of: &dyn Fn(Uuid) -> Option<Role>,
) -> Result<(Uuid, Role), DocError> {
    let Some(device) = device_of(actor) else {
        let actor = actor.to_hex_string();
        return Err(forbidden(Uuid::nil(), &[&actor], Refusal::UnknownAuthor));
    };
    let Some(role) = role_of(device) else {
        return Err(forbidden(device, &[], Refusal::UnknownAuthor));
    };
    Ok((device, role))
}

/// Whether one operation at `path` is within `role`'s rights. `levels` are the levels of the
/// object the operation writes into (so `path` is `levels` plus the operation's own key, if any).
fn allowed(
    doc: &AutoCommit,
    role: Role,
    which: Document,
    actor: &ActorId,
    levels: &[Level],
    path: &[&str],
    op: &automerge::legacy::Op,
) -> Result<(), Refusal> {
    let action = &op.action;
    let Some(coll) = path.first() else {
        return Err(Refusal::OutsideCollections);
    };
    let Some(r) = rights(role, which, coll) else {
        return Err(Refusal::RoleCannotWrite);
    };
    match (levels.len(), path) {
        // At the root: the collections themselves, the placement's facts, the schema version.
        (0, _) => Err(Refusal::RoleCannotWrite),
        // A record itself: only a new one, made as a map, replacing nothing (an operation names
        // the values it overwrites as its predecessors).
        (1, [_, _]) => {
            if r.create && matches!(action, OpType::Make(_)) && op.pred.is_empty() {
                Ok(())
            } else {
                Err(Refusal::RecordNotOwn)
            }
        }
        (_, [_, id, field, ..]) => {
            let own_new = levels.get(1).and_then(|l| l.created_by.as_ref()) == Some(actor);
            let direct = levels.len() == 2;
            if own_new {
                if r.empty_on_create.contains(field) && !(direct && is_empty(action)) {
                    return Err(Refusal::FieldNotFillable);
                }
                if r.author_field == Some(*field)
                    && !(direct
                        && matches!(action, OpType::Put(ScalarValue::Str(s)) if s == role.code()))
                {
                    return Err(Refusal::NotInOwnName);
                }
                return Ok(());
            }
            if !r.update.allows(field) {
                return Err(Refusal::FieldNotEditable);
            }
            if r.update_own_only {
                let author = r.author_field.and_then(|f| author_in_doc(doc, coll, id, f));
                if author.as_deref() != Some(role.code()) {
                    return Err(Refusal::OtherRolesRecord);
                }
            }
            Ok(())
        }
        _ => Err(Refusal::RoleCannotWrite),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{day, new_placement, stamp};
    use crate::*;

    struct Setup {
        adviser: SharedDoc,
        adv: Uuid,
        emp: Uuid,
        note: Uuid,
        task: Uuid,
        theirs: Uuid,
        ours: Uuid,
        request: Uuid,
    }

    fn setup() -> Setup {
        let (adv, emp) = (Uuid::new_v4(), Uuid::new_v4());
        let a = stamp(Role::Adviser, "2026-11-27T09:00:00Z");
        let mut d =
            SharedDoc::create(Uuid::new_v4(), &new_placement(), &a, Some(actor_of(adv))).unwrap();
        let note = d
            .add_note(
                &NewNote {
                    body: "Ola møter kl 08.".into(),
                    reply_to: None,
                },
                &a,
            )
            .unwrap()
            .0;
        let task = d
            .add_training_task(
                &NewTrainingTask {
                    title: "Varemottak".into(),
                    description: String::new(),
                    responsible: "Per".into(),
                    target_date: None,
                },
                &a,
            )
            .unwrap()
            .0;
        let action = |owner, d: &mut SharedDoc| {
            d.add_action(
                &NewAction {
                    what: "Kjøpe vernesko".into(),
                    owner,
                    due: None,
                },
                &a,
            )
            .unwrap()
            .0
        };
        let theirs = action(ActionOwner::Employer, &mut d);
        let ours = action(ActionOwner::Adviser, &mut d);
        // A request the employer raised, already applied on the adviser's side.
        let mut e = fork_as(&mut d, emp);
        let heads = e.heads();
        let request = e
            .raise_contact_request("Ring meg", &stamp(Role::Employer, "2026-11-27T10:00:00Z"))
            .unwrap()
            .0;
        let bytes = e.changes_since(&heads);
        d.apply_changes(&bytes).unwrap();
        Setup {
            adviser: d,
            adv,
            emp,
            note,
            task,
            theirs,
            ours,
            request,
        }
    }

    fn fork_as(d: &mut SharedDoc, device: Uuid) -> SharedDoc {
        let mut f = SharedDoc::load(&d.automerge_mut().save()).unwrap();
        f.automerge_mut().set_actor(actor_of(device));
        f
    }

    /// The employer's device makes one change with `write` (with any stamp, as modified code
    /// could) and the adviser's device receives it.
    fn receive(
        s: &mut Setup,
        sealed_by: Uuid,
        write: impl FnOnce(&mut SharedDoc) -> Result<(), DocError>,
    ) -> Result<(), DocError> {
        let mut e = fork_as(&mut s.adviser, s.emp);
        let heads = e.heads();
        write(&mut e).unwrap();
        let bytes = e.changes_since(&heads);
        assert!(!bytes.is_empty());
        let (adv, emp) = (s.adv, s.emp);
        let roles = move |d: Uuid| {
            (d == adv)
                .then_some(Role::Adviser)
                .or((d == emp).then_some(Role::Employer))
        };
        let before = s.adviser.automerge_mut().save();
        let result = s.adviser.apply_authored(
            &[Authored {
                framed: &bytes,
                sealed_by: Some(sealed_by),
            }],
            &roles,
        );
        if result.is_err() {
            assert_eq!(s.adviser.automerge_mut().save(), before, "nothing applied");
        }
        result.map(|_| ())
    }

    type Write = Box<dyn FnOnce(&mut SharedDoc) -> Result<(), DocError>>;

    /// A change that makes an object inside itself (found by the fuzzer): reading its path once
    /// recursed until the stack ran out, which aborts the app rather than refusing the record.
    #[test]
    fn a_change_that_makes_an_object_inside_itself_is_refused_not_followed() {
        let mut s = setup();
        let mut employer = fork_as(&mut s.adviser, s.emp);
        let heads = employer.heads();
        employer
            .log_observation(&crate::tests::new_observation(), &e())
            .unwrap();
        let honest = employer.automerge_mut().get_changes(&heads)[0].decode();
        let mut ring = honest.clone();
        let start = ring.start_op.get();
        let at = ring
            .operations
            .iter()
            .position(|op| matches!(op.action, OpType::Make(_)))
            .expect("the observation is a map");
        let me = automerge::legacy::OpId::new(start + at as u64, &ring.actor_id);
        ring.operations[at].obj = automerge::legacy::ObjectId::Id(me);
        let hostile = crate::changes::encode([&Change::from(ring)]);
        let (adv, emp) = (s.adv, s.emp);
        let roles = move |d: Uuid| {
            (d == adv)
                .then_some(Role::Adviser)
                .or((d == emp).then_some(Role::Employer))
        };
        let from_employer = s.adviser.apply_authored(
            &[Authored {
                framed: &hostile,
                sealed_by: Some(s.emp),
            }],
            &roles,
        );
        assert!(
            matches!(
                from_employer,
                Err(DocError::Forbidden {
                    why: Refusal::UnknownObject,
                    ..
                }) | Err(DocError::Unreadable(_))
            ),
            "{from_employer:?}"
        );
        // Trusted (an adviser's snapshot): no path to follow, nothing touched there; automerge
        // decides whether it applies.
        let mut copy = fork_as(&mut s.adviser, s.adv);
        let _ = copy.apply_changes(&hostile);
    }

    fn e() -> Stamp {
        stamp(Role::Employer, "2026-11-28T10:00:00Z")
    }

    fn as_adviser() -> Stamp {
        stamp(Role::Adviser, "2026-11-28T10:00:00Z")
    }

    #[test]
    fn an_employer_writes_what_the_table_allows() {
        let mut s = setup();
        let emp = s.emp;
        let (task, theirs) = (s.task, s.theirs);
        receive(&mut s, emp, |d| {
            d.log_observation(
                &NewObservation {
                    date: day("2026-11-27"),
                    attendance: Attendance::Present,
                    hours: 6.0,
                    tasks_done: "Varemottak".into(),
                    went_well: "Godt".into(),
                    problem: String::new(),
                    wants_contact: true,
                    contact_message: "Ring meg om turnus".into(),
                },
                &e(),
            )
            .map(|_| ())
        })
        .unwrap();
        receive(&mut s, emp, |d| {
            let (id, _) = d.add_note(
                &NewNote {
                    body: "Ola var flink.".into(),
                    reply_to: None,
                },
                &e(),
            )?;
            d.edit_note(id, "Ola var flink i dag.", &e()).map(|_| ())
        })
        .unwrap();
        receive(&mut s, emp, |d| {
            d.set_task_status(task, TaskStatus::WithAdaptation, &e())
                .map(|_| ())
        })
        .unwrap();
        receive(&mut s, emp, |d| {
            d.set_action_status(theirs, ActionStatus::Done, &e())
                .map(|_| ())
        })
        .unwrap();
    }

    #[test]
    fn an_employer_cannot_write_what_the_table_does_not_allow() {
        let mut s = setup();
        let emp = s.emp;
        let (note, ours, request) = (s.note, s.ours, s.request);
        let (task, theirs) = (s.task, s.theirs);
        let mut later = new_placement();
        later.end_date = Some(day("2027-12-31"));
        let cases: Vec<(&str, Write)> = vec![
            (
                "a visit",
                Box::new(|d| {
                    d.record_visit(&crate::tests::new_visit(), &as_adviser())
                        .map(|_| ())
                }),
            ),
            (
                "the placement's dates",
                Box::new(move |d| d.update_placement(&later, &as_adviser()).map(|_| ())),
            ),
            (
                "the placement's status",
                Box::new(|d| {
                    d.close_placement(
                        PlacementStatus::Cancelled,
                        day("2026-11-27"),
                        CloseReason::Other,
                        &as_adviser(),
                    )
                    .map(|_| ())
                }),
            ),
            (
                "a request's resolution",
                Box::new(move |d| {
                    d.resolve_request(request, "Ordnet", &as_adviser())
                        .map(|_| ())
                }),
            ),
            (
                "the adviser's note",
                Box::new(move |d| d.edit_note(note, "Endret.", &e()).map(|_| ())),
            ),
            (
                "an action the adviser owns",
                Box::new(move |d| {
                    d.set_action_status(ours, ActionStatus::Done, &e())
                        .map(|_| ())
                }),
            ),
            (
                "a note in the adviser's name",
                Box::new(|d| {
                    d.add_note(
                        &NewNote {
                            body: "Fra «veilederen».".into(),
                            reply_to: None,
                        },
                        &as_adviser(),
                    )
                    .map(|_| ())
                }),
            ),
            (
                "a goal",
                Box::new(|d| {
                    d.add_goal(
                        &NewGoal {
                            category: GoalCategory::WorkExperience,
                            description: "Mål".into(),
                        },
                        &as_adviser(),
                    )
                    .map(|_| ())
                }),
            ),
        ];
        // Editing: even the employer's own action and the task it moves on are the adviser's to
        // word.
        let cases = cases.into_iter().chain([
            (
                "a task's title",
                Box::new(move |d: &mut SharedDoc| {
                    d.edit_training_task(
                        task,
                        &NewTrainingTask {
                            title: "Kassa".into(),
                            description: String::new(),
                            responsible: String::new(),
                            target_date: None,
                        },
                        &e(),
                    )
                    .map(|_| ())
                }) as Write,
            ),
            (
                "the words of its own action",
                Box::new(move |d: &mut SharedDoc| {
                    d.edit_action(
                        theirs,
                        &NewAction {
                            what: "Noe annet".into(),
                            owner: ActionOwner::Employer,
                            due: None,
                        },
                        &e(),
                    )
                    .map(|_| ())
                }),
            ),
        ]);
        for (what, write) in cases {
            let err = receive(&mut s, emp, write).unwrap_err();
            assert_eq!(err.kind(), "forbidden_write", "{what}: {err}");
        }
    }

    #[test]
    fn a_change_in_another_devices_name_is_refused() {
        let mut s = setup();
        let other = Uuid::new_v4();
        // The employer's own change, sealed as if another device had sent it.
        let err = receive(&mut s, other, |d| {
            d.add_note(
                &NewNote {
                    body: "Hei".into(),
                    reply_to: None,
                },
                &e(),
            )
            .map(|_| ())
        })
        .unwrap_err();
        assert_eq!(err.kind(), "forbidden_write");
        assert!(err.to_string().contains("annen enhets navn"), "{err}");
    }

    /// A change whose actor is not a device id is refused as written in another device's name,
    /// and the refusal names the actor it claims, not the nil device.
    #[test]
    fn an_actor_that_is_no_device_id_is_named_as_it_is() {
        let mut s = setup();
        let mut f = fork_as(&mut s.adviser, s.emp);
        f.automerge_mut()
            .set_actor(automerge::ActorId::from(vec![1u8, 2, 3]));
        let heads = f.heads();
        f.add_note(
            &NewNote {
                body: "Skrevet uten enhet".into(),
                reply_to: None,
            },
            &e(),
        )
        .unwrap();
        let bytes = f.changes_since(&heads);
        let nil_is_adviser = |d: Uuid| d.is_nil().then_some(Role::Adviser);
        let before = s.adviser.automerge_mut().save();
        let err = s
            .adviser
            .apply_authored(
                &[Authored {
                    framed: &bytes,
                    sealed_by: Some(s.emp),
                }],
                &nil_is_adviser,
            )
            .unwrap_err();
        assert!(
            matches!(
                err,
                DocError::Forbidden {
                    why: Refusal::OtherDevicesName,
                    ref path,
                    ..
                } if path == "010203"
            ),
            "{err:?}"
        );
        assert_eq!(s.adviser.automerge_mut().save(), before, "nothing applied");
    }
}
