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
    Observation { hours: u8, contact: bool },
    NoteText { note: usize, prefix: String },
    NewNote(String),
    ActionStatus(usize),
    Visit,
    Resolve,
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0u8..16, any::<bool>()).prop_map(|(hours, contact)| Edit::Observation { hours, contact }),
        (0usize..2, "[a-zæøå ]{1,10}").prop_map(|(note, prefix)| Edit::NoteText { note, prefix }),
        "[a-zæøå ]{1,20}".prop_map(Edit::NewNote),
        (0usize..4).prop_map(Edit::ActionStatus),
        Just(Edit::Visit),
        Just(Edit::Resolve),
    ]
}

struct Fixture {
    notes: Vec<Uuid>,
    action: Uuid,
    placement: Uuid,
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
                        at: Moment::parse("at", "2026-11-27T09:00:00Z").unwrap(),
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
    }
}

fn converge(ea: &[Edit], eb: &[Edit]) {
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
    // The adviser's own notes are in the adviser's projection only; everything shared is identical.
    assert_eq!(
        adviser.projection_dump(false).unwrap(),
        employer.projection_dump(false).unwrap()
    );
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
}

#[test]
fn concurrent_text_scalar_and_new_records_merge() {
    converge(
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
        ],
    );
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
