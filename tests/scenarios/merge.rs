//! Two devices edit one placement apart, then exchange what the other lacks, in both directions.
//! For any sequence of edits both end with the same heads, the same document and the same
//! projection tables, and nothing is applied twice.

use folgesvenn_domain::*;
use folgesvenn_store::{DocKind, Store};
use proptest::prelude::*;
use uuid::Uuid;

use crate::common::*;

#[derive(Clone, Debug)]
enum Edit {
    Observation {
        hours: u8,
        contact: bool,
    },
    NoteText {
        note: usize,
        prefix: String,
    },
    NewNote(String),
    ActionStatus(usize),
    Visit,
    Resolve,
    /// Either side moves the shared task on.
    TaskStatus(usize),
    /// The adviser's alone (the rights table): the employer's turn is a new note instead.
    NewTask(String),
    Goal(String),
    Adaptation(String),
    ContactPerson(String),
    Hours(u8),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0u8..16, any::<bool>()).prop_map(|(hours, contact)| Edit::Observation { hours, contact }),
        (0usize..2, "[a-zæøå ]{1,10}").prop_map(|(note, prefix)| Edit::NoteText { note, prefix }),
        "[a-zæøå ]{1,20}".prop_map(Edit::NewNote),
        (0usize..4).prop_map(Edit::ActionStatus),
        Just(Edit::Visit),
        Just(Edit::Resolve),
        "[a-zæøå ]{1,12}".prop_map(Edit::NewTask),
        (0usize..3).prop_map(Edit::TaskStatus),
        "[a-zæøå ]{1,12}".prop_map(Edit::Goal),
        "[a-zæøå ]{1,12}".prop_map(Edit::Adaptation),
        "[a-zæøå ]{1,12}".prop_map(Edit::ContactPerson),
        (1u8..40).prop_map(Edit::Hours),
    ]
}

struct Fixture {
    notes: Vec<Uuid>,
    action: Uuid,
    task: Uuid,
    placement: Uuid,
}

/// Text the generator may make blank; the domain refuses a blank required field.
fn text(s: &str) -> String {
    format!("x{s}")
}

fn apply(store: &mut Store, f: &Fixture, e: &Edit) {
    let p = f.placement;
    match e {
        Edit::Observation { hours, contact } => {
            store
                .log_observation(
                    p,
                    &NewObservation {
                        date: day("2026-11-27"),
                        attendance: Attendance::Present,
                        hours: f64::from(*hours) / 2.0,
                        tasks_done: "Sorterte post".into(),
                        went_well: "Godt humør".into(),
                        problem: String::new(),
                        wants_contact: *contact,
                        contact_message: "Ring meg".into(),
                    },
                )
                .unwrap();
        }
        Edit::NoteText { note, prefix } => {
            // The employer edits only its own note (the rights table); the adviser any.
            let id = if store.role() == Role::Employer {
                f.notes[1]
            } else {
                f.notes[*note]
            };
            let old = store.placement(p).unwrap().shared.notes[&id]
                .body
                .as_str()
                .to_owned();
            store
                .write_shared(p, |d, s| d.edit_note(id, &format!("{prefix}{old}"), s))
                .unwrap();
        }
        Edit::NewNote(body) if !body.trim().is_empty() => {
            store
                .write_shared(p, |d, s| {
                    d.add_note(
                        &NewNote {
                            body: body.clone(),
                            reply_to: None,
                        },
                        s,
                    )
                })
                .unwrap();
        }
        Edit::NewNote(_) => {}
        Edit::ActionStatus(i) => {
            let status = ActionStatus::ALL[*i];
            store
                .write_shared(p, |d, s| d.set_action_status(f.action, status, s))
                .unwrap();
        }
        Edit::Visit if store.role() == Role::Adviser => {
            store
                .record_visit(
                    p,
                    &NewVisit {
                        at: Moment::parse(folgesvenn_domain::Field::At, "2026-11-27T09:00:00Z")
                            .unwrap(),
                        place: "Verkstedet".into(),
                        kind: VisitKind::ThreeParty,
                        attendees: vec![],
                        summary: "Gjennomgang av planen".into(),
                        check_in: CheckIn::default(),
                        actions: vec![NewAction {
                            what: "Oppdatere planen".into(),
                            owner: ActionOwner::Adviser,
                            due: None,
                        }],
                        next_visit: Some(day("2026-12-20")),
                    },
                    Some("Eget notat"),
                )
                .unwrap();
        }
        Edit::Visit => {
            store
                .write_shared(p, |d, s| d.raise_contact_request("Kan du komme innom?", s))
                .unwrap();
        }
        Edit::Resolve if store.role() == Role::Adviser => {
            let open: Vec<Uuid> = store
                .placement(p)
                .unwrap()
                .shared
                .contact_requests
                .iter()
                .filter(|(_, r)| r.is_open())
                .map(|(id, _)| *id)
                .collect();
            if let Some(id) = open.first() {
                store
                    .write_shared(p, |d, s| d.resolve_request(*id, "Ringte tilbake", s))
                    .unwrap();
            }
        }
        Edit::Resolve => {}
        Edit::NewTask(_)
        | Edit::Goal(_)
        | Edit::Adaptation(_)
        | Edit::ContactPerson(_)
        | Edit::Hours(_)
            if store.role() == Role::Employer =>
        {
            apply(store, f, &Edit::NewNote("Fra arbeidsgiver".into()));
        }
        Edit::NewTask(title) => {
            store
                .write_shared(p, |d, s| {
                    d.add_training_task(
                        &NewTrainingTask {
                            title: text(title),
                            description: String::new(),
                            responsible: "Per".into(),
                            target_date: Some(day("2027-01-15")),
                        },
                        s,
                    )
                })
                .unwrap();
        }
        Edit::TaskStatus(i) => {
            let status = TaskStatus::ALL[*i];
            store
                .write_shared(p, |d, s| d.set_task_status(f.task, status, s))
                .unwrap();
        }
        Edit::Goal(what) => {
            store
                .write_shared(p, |d, s| {
                    d.add_goal(
                        &NewGoal {
                            category: GoalCategory::WorkExperience,
                            description: text(what),
                        },
                        s,
                    )
                })
                .unwrap();
        }
        Edit::Adaptation(what) => {
            store
                .write_shared(p, |d, s| {
                    d.add_adaptation(
                        &NewAdaptation {
                            description: text(what),
                            agreed_on: day("2026-11-20"),
                        },
                        s,
                    )
                })
                .unwrap();
        }
        Edit::ContactPerson(name) => {
            store
                .write_shared(p, |d, s| {
                    d.add_contact_person(
                        &NewContactPerson {
                            name: text(name),
                            role: "Verksmester".into(),
                            phone: "+47 900 00 000".into(),
                            email: String::new(),
                        },
                        s,
                    )
                })
                .unwrap();
        }
        Edit::Hours(hours) => {
            let facts = NewPlacement {
                hours_per_week: f64::from(*hours),
                ..placement_input("Ola Nordmann")
            };
            store
                .write_shared(p, |d, s| d.update_placement(&facts, s))
                .unwrap();
        }
    }
}

/// Returns the shared projection both ended with.
fn converge(ea: &[Edit], eb: &[Edit]) -> Vec<String> {
    let tmp = tempfile::tempdir().unwrap();
    let (mut adviser, _) = new_store(&tmp.path().join("adviser"), Role::Adviser, "Kari Veileder");
    let (mut employer, _) = new_store(
        &tmp.path().join("employer"),
        Role::Employer,
        "Per Verksmester",
    );
    let placement = adviser
        .create_placement(&placement_input("Ola Nordmann"))
        .unwrap();
    let note = |store: &mut Store, body: &str| {
        store
            .write_shared(placement, |d, s| {
                d.add_note(
                    &NewNote {
                        body: body.into(),
                        reply_to: None,
                    },
                    s,
                )
            })
            .unwrap()
    };
    let adviser_note = note(&mut adviser, "Veilederens notat.");
    let action = adviser
        .write_shared(placement, |d, s| {
            d.add_action(
                &NewAction {
                    what: "Vernesko".into(),
                    owner: ActionOwner::Employer,
                    due: None,
                },
                s,
            )
        })
        .unwrap();
    let task = adviser
        .write_shared(placement, |d, s| {
            d.add_training_task(
                &NewTrainingTask {
                    title: "Varemottak".into(),
                    description: "Ta imot og sjekke leveranser".into(),
                    responsible: "Per".into(),
                    target_date: None,
                },
                s,
            )
        })
        .unwrap();
    let doc = adviser.document_id(placement, DocKind::Shared).unwrap();
    employer
        .import_document(doc, DocKind::Shared, &adviser.document_bytes(doc).unwrap())
        .unwrap();
    // A note of the employer's own, which both may edit: the concurrent text edits go there.
    let imported = employer.heads(doc).unwrap();
    let employer_note = note(&mut employer, "Arbeidsgiverens notat.");
    adviser
        .apply_remote(doc, &employer.changes_since(doc, &imported).unwrap())
        .unwrap();
    let notes = vec![adviser_note, employer_note];
    let fixture = Fixture {
        notes,
        action,
        task,
        placement,
    };
    let base = adviser.heads(doc).unwrap();

    for e in ea {
        apply(&mut adviser, &fixture, e);
    }
    for e in eb {
        apply(&mut employer, &fixture, e);
    }
    let to_employer = adviser.changes_since(doc, &base).unwrap();
    let to_adviser = employer.changes_since(doc, &base).unwrap();
    adviser.apply_remote(doc, &to_adviser).unwrap();
    employer.apply_remote(doc, &to_employer).unwrap();
    // Delivered twice (a retry): nothing changes.
    assert_eq!(
        adviser
            .apply_remote(doc, &to_adviser)
            .unwrap()
            .records_changed,
        0
    );
    assert_eq!(
        employer
            .apply_remote(doc, &to_employer)
            .unwrap()
            .records_changed,
        0
    );

    let (mut ha, mut hb) = (adviser.heads(doc).unwrap(), employer.heads(doc).unwrap());
    ha.sort();
    hb.sort();
    assert_eq!(ha, hb);
    let (va, vb) = (
        adviser.placement(placement).unwrap(),
        employer.placement(placement).unwrap(),
    );
    assert_eq!(
        serde_json::to_value(&va.shared).unwrap(),
        serde_json::to_value(&vb.shared).unwrap()
    );
    assert_eq!(
        va.conflicts, vb.conflicts,
        "both devices show the same conflicts"
    );
    // The adviser's own notes are in the adviser's projection only; everything shared is
    // identical, in every projection table.
    let shared = adviser.projection_dump(false).unwrap();
    assert_eq!(shared, employer.projection_dump(false).unwrap());
    let employer_rows = employer.projection_dump(true).unwrap();
    assert!(
        employer_rows.iter().all(|r| !r.contains("Eget notat")),
        "the adviser's own note reached the employer"
    );
    let observations = |es: &[Edit]| {
        es.iter()
            .filter(|e| matches!(e, Edit::Observation { .. }))
            .count()
    };
    assert_eq!(
        va.shared.observations.len(),
        observations(ea) + observations(eb)
    );
    shared
}

/// Every kind of edit at once, from both sides: after the merge every projection table holds
/// rows (so the comparison above compared something in each), the conflicts table included.
#[test]
fn concurrent_text_scalar_and_new_records_merge() {
    let shared = converge(
        &[
            Edit::NoteText {
                note: 1,
                prefix: "Adviser ".into(),
            },
            Edit::ActionStatus(2),
            Edit::Visit,
            Edit::Observation {
                hours: 3,
                contact: false,
            },
            Edit::NewTask("Kasse".into()),
            Edit::TaskStatus(1),
            Edit::Goal("Fast jobb".into()),
            Edit::Adaptation("Kortere dager".into()),
            Edit::ContactPerson("Per".into()),
            Edit::Hours(25),
        ],
        &[
            Edit::NoteText {
                note: 1,
                prefix: "Employer ".into(),
            },
            Edit::ActionStatus(3),
            Edit::Observation {
                hours: 8,
                contact: true,
            },
            Edit::TaskStatus(2),
        ],
    );
    for table in folgesvenn_store::shared_projection_tables() {
        assert!(
            shared.iter().any(|r| r.starts_with(&format!("{table}:"))),
            "no {table} rows to compare"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    #[test]
    fn random_edit_sequences_converge_with_identical_projections(
        ea in prop::collection::vec(edit(), 0..6),
        eb in prop::collection::vec(edit(), 0..6),
    ) {
        converge(&ea, &eb);
    }
}
