//! Behaviour of the two documents as a user would notice it: rules refuse bad input and leave the
//! document untouched; concurrent edits merge; concurrent edits of one field are reported.

use proptest::prelude::*;
use uuid::Uuid;

use crate::*;

pub(crate) fn day(s: &str) -> Day {
    Day::parse(Field::Date, s).unwrap()
}

pub(crate) fn stamp(role: Role, at: &str) -> Stamp {
    let at = Moment::parse(Field::At, at).unwrap();
    Stamp {
        role,
        name: match role {
            Role::Adviser => "Kari Veileder".into(),
            Role::Employer => "Per Butikksjef".into(),
        },
        at,
        today: at.day(),
    }
}

fn adviser() -> Stamp {
    stamp(Role::Adviser, "2026-11-27T09:00:00Z")
}

fn employer() -> Stamp {
    stamp(Role::Employer, "2026-11-27T15:00:00Z")
}

pub(crate) fn new_placement() -> NewPlacement {
    NewPlacement {
        candidate_name: "Ola Nordmann".into(),
        employer: Employer {
            org_number: "889640782".into(),
            name: "Rema 1000 Sentrum".into(),
            workplace_address: "Storgata 12, 8006 Bodø".into(),
        },
        adviser_name: "Kari Veileder".into(),
        measure: MeasureType::WorkTraining,
        start_date: day("2026-11-02"),
        end_date: Some(day("2027-05-02")),
        hours_per_week: 20.0,
    }
}

pub(crate) fn new_visit() -> NewVisit {
    NewVisit {
        at: Moment::parse(Field::At, "2026-11-27T09:00:00Z").unwrap(),
        place: "Lageret".into(),
        kind: VisitKind::OnSite,
        attendees: vec!["Ola".into(), "Per".into()],
        summary: "Ola har lært varemottak og trives.".into(),
        check_in: CheckIn {
            attendance_since_last: "Full".into(),
            task_progress: "Varemottak på egen hånd".into(),
            employer_rating: Some(4),
            candidate_rating: Some(5),
        },
        actions: vec![NewAction {
            what: "Prøve kassa en dag i uka".into(),
            owner: ActionOwner::Employer,
            due: Some(day("2026-12-15")),
        }],
        next_visit: Some(day("2026-12-11")),
    }
}

pub(crate) fn new_observation() -> NewObservation {
    NewObservation {
        date: day("2026-11-27"),
        attendance: Attendance::Present,
        hours: 6.0,
        tasks_done: "Fylte på meieri og frukt".into(),
        went_well: "Jobbet selvstendig hele formiddagen".into(),
        problem: String::new(),
        wants_contact: false,
        contact_message: String::new(),
    }
}

pub(crate) fn shared() -> SharedDoc {
    SharedDoc::create(Uuid::new_v4(), &new_placement(), &adviser(), None).unwrap()
}

/// One way to break an input, and the error kind it must give.
type Breaks<T> = Vec<(&'static str, Box<dyn Fn(&mut T)>)>;

/// Runs `op` and checks that it failed with `kind` and left no trace in the document.
fn refused<T: std::fmt::Debug>(
    doc: &mut SharedDoc,
    kind: &str,
    op: impl FnOnce(&mut SharedDoc) -> Result<T, DocError>,
) {
    let before = doc.heads();
    let before_bytes = doc.automerge_mut().save();
    let err = op(doc).expect_err("the operation should have been refused");
    assert_eq!(err.kind(), kind, "{err}");
    assert!(!err.to_string().is_empty());
    assert_eq!(doc.heads(), before, "a refused operation wrote a change");
    assert_eq!(
        doc.automerge_mut().save(),
        before_bytes,
        "a refused operation left pending ops"
    );
}

#[test]
fn placement_rules() {
    let s = adviser();
    let cases: Breaks<NewPlacement> = vec![
        ("required", Box::new(|p| p.candidate_name = "  ".into())),
        (
            "too_long",
            Box::new(|p| p.candidate_name = "x".repeat(SHORT_MAX + 1)),
        ),
        (
            "invalid_org_number",
            Box::new(|p| p.employer.org_number = "123456789".into()),
        ),
        ("required", Box::new(|p| p.employer.name = String::new())),
        (
            "end_before_start",
            Box::new(|p| p.end_date = Some(day("2026-11-01"))),
        ),
        ("out_of_range", Box::new(|p| p.hours_per_week = 0.0)),
        (
            "out_of_range",
            Box::new(|p| p.hours_per_week = f64::INFINITY),
        ),
        ("required", Box::new(|p| p.adviser_name = String::new())),
    ];
    for (kind, breaks) in cases {
        let mut p = new_placement();
        breaks(&mut p);
        let err = SharedDoc::create(Uuid::new_v4(), &p, &s, None)
            .err()
            .expect(kind);
        assert_eq!(err.kind(), kind);
    }
    let err = SharedDoc::create(Uuid::new_v4(), &new_placement(), &employer(), None)
        .err()
        .unwrap();
    assert_eq!(
        err.kind(),
        "inconsistent",
        "an employer cannot create a placement"
    );

    let mut doc = shared();
    let mut p = new_placement();
    p.end_date = Some(day("2020-01-01"));
    refused(&mut doc, "end_before_start", |d| d.update_placement(&p, &s));
}

#[test]
fn status_moves_forward_only() {
    let mut doc = shared();
    assert_eq!(doc.placement().unwrap().status, PlacementStatus::Active);
    refused(&mut doc, "status_transition", |d| {
        d.set_status(PlacementStatus::Ended, &adviser())
    });
    doc.close_placement(
        PlacementStatus::Ended,
        day("2026-11-20"),
        CloseReason::GotJob,
        &adviser(),
    )
    .unwrap();
    let info = doc.placement().unwrap();
    assert_eq!(info.status, PlacementStatus::Ended);
    assert_eq!(info.closed_on, Some(day("2026-11-20")));
    assert_eq!(info.closed_reason, Some(CloseReason::GotJob));
    assert_eq!(
        info.end_date,
        new_placement().end_date,
        "the agreed end stays"
    );
    assert_eq!(info.employer_access_ends(), Some(day("2027-02-12")));
    refused(&mut doc, "status_transition", |d| {
        d.set_status(PlacementStatus::Active, &adviser())
    });
    refused(&mut doc, "status_transition", |d| {
        d.close_placement(
            PlacementStatus::Cancelled,
            day("2026-11-21"),
            CloseReason::Other,
            &adviser(),
        )
    });
}

#[test]
fn closing_takes_a_date_no_later_than_today_and_not_before_the_start() {
    let mut doc = shared();
    let start = doc.placement().unwrap().start_date;
    refused(&mut doc, "in_future", |d| {
        d.close_placement(
            PlacementStatus::Ended,
            day("2026-11-28"),
            CloseReason::Completed,
            &adviser(),
        )
    });
    refused(&mut doc, "before_placement_start", |d| {
        d.close_placement(
            PlacementStatus::Ended,
            start.plus_days(-1),
            CloseReason::Completed,
            &adviser(),
        )
    });
    refused(&mut doc, "status_transition", |d| {
        d.close_placement(
            PlacementStatus::Active,
            day("2026-11-27"),
            CloseReason::Completed,
            &adviser(),
        )
    });
    // Further back than the employer's 12 weeks: it could not be undone, so it is refused.
    let mut long_ago = new_placement();
    long_ago.start_date = day("2025-01-06");
    let mut old = SharedDoc::create(Uuid::new_v4(), &long_ago, &adviser(), None).unwrap();
    refused(&mut old, "out_of_range", |d| {
        d.close_placement(
            PlacementStatus::Ended,
            day("2026-09-03"),
            CloseReason::Completed,
            &adviser(),
        )
    });
    old.close_placement(
        PlacementStatus::Ended,
        day("2026-09-04"),
        CloseReason::Completed,
        &adviser(),
    )
    .unwrap();
    // A cancellation may fall before the start: the placement never began.
    doc.close_placement(
        PlacementStatus::Cancelled,
        start.plus_days(-1),
        CloseReason::CandidateEnded,
        &adviser(),
    )
    .unwrap();
}

#[test]
fn a_closed_placement_reopens_until_the_employers_access_ends() {
    let mut p = new_placement();
    p.start_date = day("2026-08-03");
    let mut doc = SharedDoc::create(Uuid::new_v4(), &p, &adviser(), None).unwrap();
    doc.close_placement(
        PlacementStatus::Ended,
        day("2026-09-04"),
        CloseReason::Completed,
        &adviser(),
    )
    .unwrap();
    // 2026-09-04 + 84 days = 2026-11-27, today: the last day it may be reopened.
    doc.reopen_placement(&adviser()).unwrap();
    let info = doc.placement().unwrap();
    assert_eq!(info.status, PlacementStatus::Active);
    assert_eq!((info.closed_on, info.closed_reason), (None, None));
    assert_eq!(info.employer_access_ends(), None);
    refused(&mut doc, "status_transition", |d| {
        d.reopen_placement(&adviser())
    });

    doc.close_placement(
        PlacementStatus::Ended,
        day("2026-09-04"),
        CloseReason::Completed,
        &adviser(),
    )
    .unwrap();
    // The day after the last day.
    let tomorrow = stamp(Role::Adviser, "2026-11-28T09:00:00Z");
    refused(&mut doc, "reopen_too_late", |d| {
        d.reopen_placement(&tomorrow)
    });
    assert_eq!(doc.placement().unwrap().status, PlacementStatus::Ended);
}

#[test]
fn visit_rules() {
    let mut doc = shared();
    let s = adviser();
    let cases: Breaks<NewVisit> = vec![
        (
            "too_long",
            Box::new(|v| v.summary = "ø".repeat(LONG_MAX + 1)),
        ),
        (
            "out_of_range",
            Box::new(|v| v.check_in.employer_rating = Some(6)),
        ),
        (
            "out_of_range",
            Box::new(|v| v.check_in.candidate_rating = Some(0)),
        ),
        (
            "out_of_range",
            Box::new(|v| v.attendees = vec!["x".into(); ATTENDEES_MAX + 1]),
        ),
        ("required", Box::new(|v| v.attendees = vec![" ".into()])),
        (
            "in_future",
            Box::new(|v| v.at = Moment::parse(Field::At, "2027-01-01T10:00:00Z").unwrap()),
        ),
        (
            "before_placement_start",
            Box::new(|v| v.at = Moment::parse(Field::At, "2025-01-01T10:00:00Z").unwrap()),
        ),
        (
            "inconsistent",
            Box::new(|v| v.next_visit = Some(day("2026-11-01"))),
        ),
        ("required", Box::new(|v| v.actions[0].what = String::new())),
    ];
    for (kind, breaks) in cases {
        let mut v = new_visit();
        breaks(&mut v);
        refused(&mut doc, kind, |d| d.record_visit(&v, &s));
    }
    refused(&mut doc, "inconsistent", |d| {
        d.record_visit(&new_visit(), &employer())
    });
    refused(&mut doc, "unknown_record", |d| {
        d.correct_visit(Uuid::new_v4(), &new_visit(), &s)
    });
}

#[test]
fn visits_are_corrected_by_new_entries_with_history() {
    let mut doc = shared();
    let s = adviser();
    let (first, touched) = doc.record_visit(&new_visit(), &s).unwrap();
    assert_eq!(touched.records.len(), 2, "the visit and its agreed action");
    let mut fixed = new_visit();
    fixed.summary = "Ola har lært varemottak og kassa.".into();
    fixed.actions.clear();
    let (second, _) = doc.correct_visit(first, &fixed, &s).unwrap();

    let p = doc.hydrate().unwrap();
    assert_eq!(p.visits.len(), 2, "the original stays");
    let current: Vec<Uuid> = p.current_visits().into_iter().map(|(id, _)| id).collect();
    assert_eq!(current, vec![second]);
    let history: Vec<Uuid> = p
        .visit_history(second)
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert_eq!(history, vec![second, first]);
    assert_eq!(p.next_visit(), Some(day("2026-12-11")));
    assert_eq!(p.actions.len(), 1);
    let action = p.actions.values().next().unwrap();
    assert_eq!(action.visit, Some(first));

    // The history of the visit as it stands is the chain: the first recording, then the
    // correction, each with the summary it had.
    let (coll, chain) = doc.history(second).unwrap();
    assert_eq!(coll, "visits");
    let steps: Vec<(&str, Option<&str>)> = chain
        .iter()
        .map(|h| (h.change.as_str(), h.text.as_deref()))
        .collect();
    assert_eq!(
        steps,
        [
            ("visit.record", Some("Ola har lært varemottak og trives.")),
            ("visit.correct", Some("Ola har lært varemottak og kassa.")),
        ]
    );
    assert_eq!(
        doc.history(first).unwrap().1.len(),
        1,
        "the first has no past"
    );

    refused(&mut doc, "already_corrected", |d| {
        d.correct_visit(first, &fixed, &s)
    });
}

#[test]
fn a_visit_summary_is_one_string_and_one_written_as_text_still_reads() {
    use automerge::transaction::Transactable;
    use automerge::{ObjType, ReadDoc, Value};

    let mut doc = shared();
    let s = adviser();
    let (id, _) = doc.record_visit(&new_visit(), &s).unwrap();
    let am = doc.automerge();
    let (_, visits) = am.get(automerge::ROOT, "visits").unwrap().unwrap();
    let (_, visit) = am.get(&visits, id.to_string().as_str()).unwrap().unwrap();
    let summary = "Ola har lært varemottak og trives.";
    assert!(
        matches!(am.get(&visit, "summary").unwrap(), Some((Value::Scalar(v), _)) if v.as_str() == Some(summary)),
        "one operation, not one per character"
    );

    // A visit recorded before the summary was a string holds it as automerge `Text`.
    let (old, _) = doc.record_visit(&new_visit(), &s).unwrap();
    let am = doc.automerge_mut();
    let (_, visit) = am.get(&visits, old.to_string().as_str()).unwrap().unwrap();
    let text = am.put_object(&visit, "summary", ObjType::Text).unwrap();
    am.splice_text(&text, 0, 0, "Skrevet som tekst.").unwrap();
    am.commit();
    assert_eq!(
        doc.visit(old).unwrap().unwrap().summary.as_str(),
        "Skrevet som tekst."
    );
    let p = doc.hydrate().unwrap();
    assert_eq!(p.visits[&old].summary.as_str(), "Skrevet som tekst.");
    assert_eq!(p.visits[&id].summary.as_str(), summary);
    assert_eq!(
        doc.history(old).unwrap().1.last().unwrap().text.as_deref(),
        Some("Skrevet som tekst.")
    );
    // Exports write it as a string either way.
    let json = serde_json::to_value(&p.visits[&old]).unwrap();
    assert_eq!(json["summary"], "Skrevet som tekst.");
}

#[test]
fn observation_rules() {
    let mut doc = shared();
    let e = employer();
    let cases: Breaks<NewObservation> = vec![
        ("out_of_range", Box::new(|o| o.hours = 25.0)),
        ("out_of_range", Box::new(|o| o.hours = -1.0)),
        (
            "inconsistent",
            Box::new(|o| {
                o.attendance = Attendance::Absent;
                o.hours = 3.0;
            }),
        ),
        (
            "too_long",
            Box::new(|o| o.went_well = "a".repeat(FIELD_MAX + 1)),
        ),
        (
            "too_long",
            Box::new(|o| o.problem = "a".repeat(FIELD_MAX + 1)),
        ),
        ("in_future", Box::new(|o| o.date = day("2026-11-28"))),
        (
            "before_placement_start",
            Box::new(|o| o.date = day("2026-11-01")),
        ),
    ];
    for (kind, breaks) in cases {
        let mut o = new_observation();
        breaks(&mut o);
        refused(&mut doc, kind, |d| d.log_observation(&o, &e));
    }
    let mut blank = e.clone();
    blank.name = " ".into();
    refused(&mut doc, "required", |d| {
        d.log_observation(&new_observation(), &blank)
    });
}

#[test]
fn contact_request_lifecycle() {
    let mut doc = shared();
    let mut o = new_observation();
    o.wants_contact = true;
    o.problem = "Ola var stille og trakk seg unna i lunsjen".into();
    let (obs, touched) = doc.log_observation(&o, &employer()).unwrap();
    assert_eq!(touched.records.len(), 2);
    let req_id = doc
        .observation(obs)
        .unwrap()
        .unwrap()
        .contact_request
        .unwrap();
    let req = doc.contact_request(req_id).unwrap().unwrap();
    assert!(req.is_open());
    assert_eq!(req.message, "Ola var stille og trakk seg unna i lunsjen");

    refused(&mut doc, "inconsistent", |d| {
        d.resolve_request(req_id, "ok", &employer())
    });
    refused(&mut doc, "unknown_record", |d| {
        d.acknowledge_request(Uuid::new_v4(), &adviser())
    });

    let later = stamp(Role::Adviser, "2026-11-27T16:30:00Z");
    doc.acknowledge_request(req_id, &later).unwrap();
    let even_later = stamp(Role::Adviser, "2026-11-27T18:00:00Z");
    doc.acknowledge_request(req_id, &even_later).unwrap();
    doc.resolve_request(req_id, "Ringte Per, avtalte besøk fredag", &even_later)
        .unwrap();
    let req = doc.contact_request(req_id).unwrap().unwrap();
    assert_eq!(
        req.response_minutes(),
        Some(90),
        "the first acknowledgement counts"
    );
    assert!(!req.is_open());
    refused(&mut doc, "already_resolved", |d| {
        d.resolve_request(req_id, "igjen", &even_later)
    });
}

#[test]
fn other_rules_refuse_without_writing() {
    let mut doc = shared();
    let a = adviser();
    refused(&mut doc, "required", |d| {
        d.add_goal(
            &NewGoal {
                category: GoalCategory::Other,
                description: "".into(),
            },
            &a,
        )
    });
    refused(&mut doc, "required", |d| {
        d.add_training_task(
            &NewTrainingTask {
                title: "".into(),
                description: "".into(),
                responsible: "".into(),
                target_date: None,
            },
            &a,
        )
    });
    refused(&mut doc, "unknown_record", |d| {
        d.set_task_status(Uuid::new_v4(), TaskStatus::CanDo, &a)
    });
    refused(&mut doc, "required", |d| {
        d.add_adaptation(
            &NewAdaptation {
                description: " ".into(),
                agreed_on: day("2026-11-02"),
            },
            &a,
        )
    });
    refused(&mut doc, "inconsistent", |d| {
        d.add_contact_person(
            &NewContactPerson {
                name: "Per".into(),
                role: "".into(),
                phone: "".into(),
                email: "per.no".into(),
            },
            &a,
        )
    });
    refused(&mut doc, "unknown_record", |d| {
        d.set_action_status(Uuid::new_v4(), ActionStatus::Done, &a)
    });
    refused(&mut doc, "unknown_record", |d| {
        d.add_note(
            &NewNote {
                body: "svar".into(),
                reply_to: Some(Uuid::new_v4()),
            },
            &a,
        )
    });
    refused(&mut doc, "required", |d| {
        d.add_note(
            &NewNote {
                body: "".into(),
                reply_to: None,
            },
            &a,
        )
    });
    refused(&mut doc, "inconsistent", |d| {
        d.add_action(
            &NewAction {
                what: "x".into(),
                owner: ActionOwner::Adviser,
                due: Some(day("2020-01-01")),
            },
            &a,
        )
    });
    refused(&mut doc, "required", |d| d.raise_contact_request("  ", &a));
    refused(&mut doc, "required", |d| {
        d.add_contact_person(
            &NewContactPerson {
                name: "".into(),
                role: "".into(),
                phone: "".into(),
                email: "".into(),
            },
            &a,
        )
    });
    refused(&mut doc, "too_long", |d| {
        d.add_training_task(
            &NewTrainingTask {
                title: "Kasse".into(),
                description: "x".repeat(FIELD_MAX + 1),
                responsible: "".into(),
                target_date: None,
            },
            &a,
        )
    });
    let (note, _) = doc
        .add_note(
            &NewNote {
                body: "Første".into(),
                reply_to: None,
            },
            &a,
        )
        .unwrap();
    refused(&mut doc, "required", |d| d.edit_note(note, " ", &a));
    refused(&mut doc, "unknown_record", |d| {
        d.edit_note(Uuid::new_v4(), "tekst", &a)
    });
    assert_eq!(
        "nope".parse::<VisitKind>().unwrap_err().kind(),
        "unknown_choice"
    );
    assert_eq!(
        Day::parse(Field::Date, "31.12.2026").unwrap_err().kind(),
        "invalid_date"
    );
}

#[test]
fn private_document_is_adviser_only() {
    let id = Uuid::new_v4();
    assert_eq!(
        PrivateDoc::create(id, &employer(), None)
            .err()
            .unwrap()
            .kind(),
        "inconsistent"
    );
    let mut p = PrivateDoc::create(id, &adviser(), None).unwrap();
    let before = p.heads();
    let err = p
        .add_note(
            &NewAdviserNote {
                body: "x".into(),
                health_related: true,
                visit: None,
            },
            &employer(),
        )
        .unwrap_err();
    assert_eq!(err.kind(), "inconsistent");
    assert_eq!(p.heads(), before);
    let (c, _) = p
        .give_consent(
            &NewConsent {
                scopes: vec![ConsentScope::Adaptations, ConsentScope::FollowUp],
                text_version: "2026-1".into(),
            },
            &adviser(),
        )
        .unwrap();
    assert!(p.allows_employer().unwrap());
    p.withdraw_consent(c, &adviser()).unwrap();
    assert_eq!(
        p.withdraw_consent(c, &adviser()).unwrap_err().kind(),
        "inconsistent"
    );
    let withdrawn = p.consent(c).unwrap().unwrap();
    assert!(withdrawn.withdrawn_at.is_some());
    assert_eq!(
        withdrawn.withdrawn_by.as_deref(),
        Some(adviser().name.as_str())
    );
    assert!(
        !p.allows_employer().unwrap(),
        "a withdrawn consent allows nothing"
    );
    let only_goals = NewConsent {
        scopes: vec![ConsentScope::Goals],
        text_version: "2026-1".into(),
    };
    p.give_consent(&only_goals, &adviser()).unwrap();
    assert!(
        !p.allows_employer().unwrap(),
        "goals alone do not let the employer take part"
    );
    let none = NewConsent {
        scopes: vec![],
        text_version: "2026-1".into(),
    };
    assert_eq!(
        p.give_consent(&none, &adviser()).unwrap_err().kind(),
        "required"
    );
    assert_eq!(p.consents().unwrap().len(), 2);
}

#[test]
fn documents_refuse_a_newer_schema_and_foreign_merges() {
    use automerge::transaction::Transactable;
    let mut doc = shared();
    doc.automerge_mut()
        .put(automerge::ROOT, "schema_version", 99_u64)
        .unwrap();
    let bytes = doc.automerge_mut().save();
    assert_eq!(
        SharedDoc::load(&bytes).err().unwrap().kind(),
        "unsupported_schema"
    );
    assert_eq!(
        SharedDoc::load(b"not a document").err().unwrap().kind(),
        "unreadable_document"
    );

    let mut a = shared();
    let mut b = shared();
    assert_eq!(a.merge(&mut b).unwrap_err().kind(), "wrong_placement");
}

#[test]
fn concurrent_edits_merge_and_scalar_conflicts_are_reported() {
    let mut a = shared();
    let (note, _) = a
        .add_note(
            &NewNote {
                body: "Ola møter kl 08.".into(),
                reply_to: None,
            },
            &adviser(),
        )
        .unwrap();
    let (action, _) = a
        .add_action(
            &NewAction {
                what: "Kjøpe vernesko".into(),
                owner: ActionOwner::Employer,
                due: None,
            },
            &adviser(),
        )
        .unwrap();
    let mut b = a.fork();

    a.edit_note(note, "Ola møter kl 08 på mandager.", &adviser())
        .unwrap();
    b.edit_note(note, "Ola møter kl 08. Husk nøkkelkort.", &employer())
        .unwrap();
    a.set_action_status(action, ActionStatus::Done, &adviser())
        .unwrap();
    b.set_action_status(action, ActionStatus::Cancelled, &employer())
        .unwrap();
    a.record_visit(&new_visit(), &adviser()).unwrap();
    b.log_observation(&new_observation(), &employer()).unwrap();
    assert!(a.conflicts().is_empty());

    let mut a2 = a.fork();
    a.merge(&mut b).unwrap();
    b.merge(&mut a2).unwrap();
    assert_eq!(a.heads().len(), b.heads().len());
    let (pa, pb) = (a.hydrate().unwrap(), b.hydrate().unwrap());
    assert_eq!(
        serde_json::to_value(&pa).unwrap(),
        serde_json::to_value(&pb).unwrap()
    );
    assert_eq!(
        pa.notes[&note].body.as_str(),
        "Ola møter kl 08 på mandager. Husk nøkkelkort."
    );
    assert_eq!(pa.visits.len(), 1);
    assert_eq!(pa.observations.len(), 1);

    let conflicts = a.conflicts();
    assert_eq!(conflicts, b.conflicts());
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    let c = &conflicts[0];
    assert_eq!(c.record(), Some(("actions", action, "status")));
    let mut values: Vec<&str> = c.values.iter().map(|v| v.value.as_str()).collect();
    values.sort();
    assert_eq!(values, vec!["cancelled", "done"]);
    assert_eq!(
        c.values[0].value,
        pa.actions[&action].status.code(),
        "the shown value comes first"
    );
    assert!(
        c.values
            .iter()
            .all(|v| v.device.is_some() && v.at.is_some())
    );
    assert_ne!(
        c.values[0].device, c.values[1].device,
        "one from each device"
    );

    // Settled on one device with the value shown second; the other learns it from the change.
    let chosen = c.values[1].value.clone();
    let before = b.heads();
    a.settle_conflict(&c.path, &chosen, &adviser()).unwrap();
    assert!(a.conflicts().is_empty());
    assert_eq!(a.hydrate().unwrap().actions[&action].status.code(), chosen);
    b.apply_changes(&a.changes_since(&before)).unwrap();
    assert!(b.conflicts().is_empty());
    assert_eq!(b.hydrate().unwrap().actions[&action].status.code(), chosen);
    let refused = a
        .settle_conflict(&c.path, "not-a-value", &adviser())
        .unwrap_err();
    assert_eq!(refused.kind(), "inconsistent");
    let refused = a
        .settle_conflict(&["actions".into()], &chosen, &adviser())
        .unwrap_err();
    assert_eq!(refused.kind(), "inconsistent", "not a field");
}

#[derive(Clone, Debug)]
enum Edit {
    Observation(u8),
    NoteText(usize, String),
    ActionStatus(usize),
    Visit,
    Request,
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0u8..24).prop_map(Edit::Observation),
        (0usize..3, "[a-zæøå ]{0,12}").prop_map(|(i, s)| Edit::NoteText(i, s)),
        (0usize..4).prop_map(Edit::ActionStatus),
        Just(Edit::Visit),
        Just(Edit::Request),
    ]
}

fn apply(doc: &mut SharedDoc, e: &Edit, notes: &[Uuid], action: Uuid, role: Role) {
    let s = stamp(role, "2026-11-27T12:00:00Z");
    match e {
        Edit::Observation(h) => {
            let mut o = new_observation();
            o.hours = f64::from(*h) / 2.0;
            doc.log_observation(&o, &s).unwrap();
        }
        Edit::NoteText(i, text) => {
            let id = notes[*i % notes.len()];
            let old = doc.note(id).unwrap().unwrap().body.as_str().to_owned();
            let new = format!("{text}{old}");
            if !new.trim().is_empty() {
                doc.edit_note(id, &new, &s).unwrap();
            }
        }
        Edit::ActionStatus(i) => {
            doc.set_action_status(action, ActionStatus::ALL[*i % ActionStatus::ALL.len()], &s)
                .unwrap();
        }
        Edit::Visit => {
            let s = Stamp {
                role: Role::Adviser,
                ..s
            };
            doc.record_visit(&new_visit(), &s).unwrap();
        }
        Edit::Request => {
            doc.raise_contact_request("Ring meg", &s).unwrap();
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn random_concurrent_edits_converge(ea in prop::collection::vec(edit(), 0..8), eb in prop::collection::vec(edit(), 0..8)) {
        let mut a = shared();
        let notes: Vec<Uuid> = (0..3)
            .map(|i| a.add_note(&NewNote { body: format!("notat {i}"), reply_to: None }, &adviser()).unwrap().0)
            .collect();
        let (action, _) = a.add_action(&NewAction { what: "Tiltak".into(), owner: ActionOwner::Adviser, due: None }, &adviser()).unwrap();
        let mut b = a.fork();
        for e in &ea { apply(&mut a, e, &notes, action, Role::Adviser); }
        for e in &eb { apply(&mut b, e, &notes, action, Role::Employer); }
        let mut a_copy = a.fork();
        // What the merge touches, read from the changes, covers what a diff of the document
        // reports (the rule the projection followed before).
        let before = a.heads();
        let incoming = b.changes_since(&before);
        let touched = a.apply_changes(&incoming).unwrap();
        let after = a.heads();
        let diffed = crate::doc::touched_by_patches(&a.automerge_mut().diff(&before, &after));
        prop_assert!(!diffed.placement || touched.placement);
        for r in &diffed.records {
            prop_assert!(touched.records.contains(r), "{:?} not in {:?}", r, touched.records);
        }
        b.merge(&mut a_copy).unwrap();
        let (mut ha, mut hb) = (a.heads(), b.heads());
        ha.sort();
        hb.sort();
        prop_assert_eq!(ha, hb);
        let (pa, pb) = (a.hydrate().unwrap(), b.hydrate().unwrap());
        prop_assert_eq!(serde_json::to_value(&pa).unwrap(), serde_json::to_value(&pb).unwrap());
        let count = |es: &[Edit], f: fn(&Edit) -> bool| es.iter().filter(|e| f(e)).count();
        prop_assert_eq!(pa.observations.len(), count(&ea, |e| matches!(e, Edit::Observation(_))) + count(&eb, |e| matches!(e, Edit::Observation(_))));
        prop_assert_eq!(pa.visits.len(), count(&ea, |e| matches!(e, Edit::Visit)) + count(&eb, |e| matches!(e, Edit::Visit)));
        prop_assert_eq!(a.conflicts(), b.conflicts());
        prop_assert_eq!(a.conflicts(), crate::doc::conflicts_key_by_key(a.automerge()));
        // Hydrating through the prefetching view, on two threads, gives what autosurgeon's
        // derived hydrate reads field by field.
        let plain: SharedPlacement = autosurgeon::hydrate(a.automerge()).unwrap();
        prop_assert_eq!(serde_json::to_value(&plain).unwrap(), serde_json::to_value(&pa).unwrap());
        for &id in &notes {
            let one: Option<Note> = autosurgeon::hydrate_path(
                a.automerge(),
                &automerge::ROOT,
                ["notes".into(), autosurgeon::Prop::Key(id.to_string().into())],
            )
            .unwrap();
            prop_assert_eq!(
                serde_json::to_value(one).unwrap(),
                serde_json::to_value(a.note(id).unwrap()).unwrap()
            );
        }
    }
}

#[test]
fn a_records_history_names_each_change_its_fields_and_a_notes_text_then() {
    let mut a = shared();
    let (note, _) = a
        .add_note(
            &NewNote {
                body: "Ola møter kl 08.".into(),
                reply_to: None,
            },
            &adviser(),
        )
        .unwrap();
    let (action, _) = a
        .add_action(
            &NewAction {
                what: "Kjøpe vernesko".into(),
                owner: ActionOwner::Employer,
                due: None,
            },
            &adviser(),
        )
        .unwrap();
    let mut b = a.fork();
    b.edit_note(note, "Ola møter kl 09.", &employer()).unwrap();
    b.set_action_status(action, ActionStatus::Done, &employer())
        .unwrap();
    a.merge(&mut b).unwrap();

    let (coll, history) = a.history(note).unwrap();
    assert_eq!(coll, "notes");
    let changes: Vec<&str> = history.iter().map(|h| h.change.as_str()).collect();
    assert_eq!(changes, ["note.add", "note.edit"]);
    assert_eq!(history[0].text.as_deref(), Some("Ola møter kl 08."));
    assert_eq!(history[1].text.as_deref(), Some("Ola møter kl 09."));
    assert_eq!(history[1].fields, ["body"]);
    assert_eq!(history[1].at, "2026-11-27T15:00:00Z");
    assert_ne!(history[0].device, history[1].device, "two devices wrote it");
    assert!(history.iter().all(|h| h.device.is_some()));

    let (coll, history) = a.history(action).unwrap();
    assert_eq!(coll, "actions");
    let changes: Vec<&str> = history.iter().map(|h| h.change.as_str()).collect();
    assert_eq!(changes, ["action.add", "action.status"]);
    assert_eq!(history[1].fields, ["status"]);
    assert!(history[1].text.is_none(), "an action has no text to show");
    assert!(a.history(Uuid::new_v4()).is_none());
    // Every change the document holds has a kind this version knows.
    let all: Vec<String> = [note, action]
        .iter()
        .flat_map(|id| a.history(*id).unwrap().1)
        .map(|h| h.change)
        .collect();
    assert!(
        all.iter()
            .all(|c| ChangeKind::ALL.iter().any(|k| k.code() == c))
    );
}

#[test]
fn plan_records_and_actions_are_edited_field_by_field_and_keep_their_history() {
    let mut a = shared();
    let (goal, _) = a
        .add_goal(
            &NewGoal {
                category: GoalCategory::WorkExperience,
                description: "Lære varemottak".into(),
            },
            &adviser(),
        )
        .unwrap();
    let (task, _) = a
        .add_training_task(
            &NewTrainingTask {
                title: "Varemottak".into(),
                description: "Ta imot og kontrollere varer".into(),
                responsible: "Per".into(),
                target_date: None,
            },
            &adviser(),
        )
        .unwrap();
    let (adaptation, _) = a
        .add_adaptation(
            &NewAdaptation {
                description: "Kortere dager første måned".into(),
                agreed_on: day("2026-11-02"),
            },
            &adviser(),
        )
        .unwrap();
    let person = NewContactPerson {
        name: "Per Butikksjef".into(),
        role: "Butikksjef".into(),
        phone: "99 88 77 66".into(),
        email: String::new(),
    };
    let (contact, _) = a.add_contact_person(&person, &adviser()).unwrap();
    let old = NewAction {
        what: "Kjøpe vernesko".into(),
        owner: ActionOwner::Employer,
        due: Some(day("2025-01-10")),
    };
    // An action from long ago (written back then), reworded today: its old due day is kept.
    let (action, _) = a
        .add_action(&old, &stamp(Role::Adviser, "2025-01-02T09:00:00Z"))
        .unwrap();

    // Two devices edit different fields of the same goal while apart: both edits stay.
    let mut b = a.fork();
    a.edit_goal(
        goal,
        &NewGoal {
            category: GoalCategory::JobAtEmployer,
            description: "Lære varemottak".into(),
        },
        &adviser(),
    )
    .unwrap();
    b.edit_goal(
        goal,
        &NewGoal {
            category: GoalCategory::WorkExperience,
            description: "Lære varemottak og kasse".into(),
        },
        &stamp(Role::Adviser, "2026-11-27T10:00:00Z"),
    )
    .unwrap();
    a.merge(&mut b).unwrap();
    let g = a.goal(goal).unwrap().unwrap();
    assert_eq!(g.category, GoalCategory::JobAtEmployer);
    assert_eq!(g.description.as_str(), "Lære varemottak og kasse");
    assert!(a.conflicts().is_empty(), "{:?}", a.conflicts());
    let (_, h) = a.history(goal).unwrap();
    let kinds: Vec<(&str, Vec<String>)> = h
        .iter()
        .map(|e| (e.change.as_str(), e.fields.clone()))
        .collect();
    assert_eq!(kinds[0].0, "goal.add");
    assert!(kinds[1..].contains(&("goal.edit", vec!["category".to_owned()])));
    assert!(kinds[1..].contains(&("goal.edit", vec!["description".to_owned()])));
    assert_eq!(
        h[0].text.as_deref(),
        Some("Lære varemottak"),
        "the first wording stays"
    );

    // An edit that changes nothing writes nothing.
    let heads = a.heads();
    a.edit_goal(
        goal,
        &NewGoal {
            category: GoalCategory::JobAtEmployer,
            description: "Lære varemottak og kasse".into(),
        },
        &adviser(),
    )
    .unwrap();
    assert_eq!(a.heads(), heads);

    a.edit_training_task(
        task,
        &NewTrainingTask {
            title: "Varemottak".into(),
            description: "Ta imot, kontrollere og sette på plass varer".into(),
            responsible: "Per".into(),
            target_date: Some(day("2026-12-18")),
        },
        &stamp(Role::Adviser, "2026-11-28T09:00:00Z"),
    )
    .unwrap();
    let t = a.training_task(task).unwrap().unwrap();
    assert_eq!(t.target_date, Some(day("2026-12-18")));
    assert_eq!(t.status, TaskStatus::NotStarted, "the status stays");
    let (_, h) = a.history(task).unwrap();
    assert_eq!(
        h.last().unwrap().fields,
        ["description", "target_date", "updated_at"]
    );

    a.edit_adaptation(
        adaptation,
        &NewAdaptation {
            description: "Kortere dager første måned".into(),
            agreed_on: day("2026-11-02"),
        },
        false,
        &adviser(),
    )
    .unwrap();
    assert!(!a.adaptation(adaptation).unwrap().unwrap().active);

    a.edit_contact_person(
        contact,
        &NewContactPerson {
            phone: "99 88 77 00".into(),
            ..person.clone()
        },
        &adviser(),
    )
    .unwrap();
    assert_eq!(
        a.contact_person(contact).unwrap().unwrap().phone,
        "99 88 77 00"
    );
    let (_, h) = a.history(contact).unwrap();
    assert_eq!(h.last().unwrap().fields, ["phone"]);

    a.edit_action(
        action,
        &NewAction {
            what: "Kjøpe vernesko str. 44".into(),
            ..old.clone()
        },
        &adviser(),
    )
    .unwrap();
    assert_eq!(
        a.action(action).unwrap().unwrap().what,
        "Kjøpe vernesko str. 44"
    );
    // A new due day is judged like a new action's.
    refused(&mut a, "inconsistent", |d| {
        d.edit_action(
            action,
            &NewAction {
                due: Some(day("2025-01-11")),
                ..old.clone()
            },
            &adviser(),
        )
    });
    refused(&mut a, "inconsistent", |d| {
        d.edit_contact_person(
            contact,
            &NewContactPerson {
                email: "ikke-en-adresse".into(),
                ..person.clone()
            },
            &adviser(),
        )
    });
    refused(&mut a, "required", |d| {
        d.edit_goal(
            goal,
            &NewGoal {
                category: GoalCategory::Other,
                description: "  ".into(),
            },
            &adviser(),
        )
    });
    refused(&mut a, "unknown_record", |d| {
        d.edit_goal(
            Uuid::new_v4(),
            &NewGoal {
                category: GoalCategory::Other,
                description: "Noe".into(),
            },
            &adviser(),
        )
    });
}
