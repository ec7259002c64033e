//! The seeded workload both benchmark binaries write: realistic Norwegian content for
//! placements, daily observations, visits and notes.

use folgesvenn_domain::*;
use folgesvenn_store::Store;
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use uuid::Uuid;

pub const TASKS: &[&str] = &[
    "Varemottak og kontroll av følgesedler",
    "Fylte på meieri og frukt",
    "Bakte rundstykker",
    "Vasket maskiner på verkstedet",
    "Plukket ordre til nettbutikken",
    "Ryddet lageret",
    "Stod i kassa med veiledning",
    "Foret dyrene i fjøset",
    "Skiftet dekk sammen med mekaniker",
];
pub const WELL: &[&str] = &[
    "Tok initiativ uten å bli bedt om det",
    "Godt samarbeid med kollegaene",
    "Møtte presis",
    "Jobbet jevnt hele dagen",
    "Spurte når noe var uklart",
    "Lærte ny rutine raskt",
];
pub const PROBLEMS: &[&str] = &[
    "",
    "",
    "",
    "Usikker på turnusen i helgene",
    "Trenger vernesko i riktig størrelse",
    "Bussen kom for sent",
    "Vanskelig med mye støy i lunsjen",
];
pub const NOTES: &[&str] = &[
    "Avtalt at Ola starter klokka ni fremover",
    "Husk å bestille nytt adgangskort",
    "Kandidaten ønsker å prøve seg i butikken",
    "Oppfølgingsmøte flyttes til torsdag",
    "Arbeidsgiver spør om lønnstilskudd etter perioden",
    "Gjennomgått opplæringsplanen sammen",
];

pub fn placement(rng: &mut StdRng, start: Day) -> NewPlacement {
    let names = [
        "Ola", "Kari", "Ahmed", "Sara", "Jonas", "Ingrid", "Mohammed", "Emma", "Lars", "Nora",
    ];
    let surnames = [
        "Nordmann", "Hansen", "Johansen", "Olsen", "Larsen", "Berg", "Haugen", "Bakken",
    ];
    NewPlacement {
        candidate_name: format!(
            "{} {}",
            names.choose(rng).unwrap(),
            surnames.choose(rng).unwrap()
        ),
        employer: Employer {
            org_number: "889640782".into(),
            name: [
                "Bodø Bakeri AS",
                "Rema 1000 Sentrum",
                "Nordland Bil AS",
                "Gården på Saltstraumen",
            ]
            .choose(rng)
            .unwrap()
            .to_string(),
            workplace_address: "Storgata 3, 8006 Bodø".into(),
        },
        adviser_name: "Kari Veileder".into(),
        measure: *MeasureType::ALL.choose(rng).unwrap(),
        start_date: start,
        end_date: Some(start.plus_days(3 * 365)),
        hours_per_week: 20.0,
    }
}

pub fn observation(rng: &mut StdRng, date: Day) -> NewObservation {
    let problem = PROBLEMS.choose(rng).unwrap().to_string();
    NewObservation {
        date,
        attendance: Attendance::Present,
        hours: f64::from(rng.gen_range(3..8u8)),
        tasks_done: TASKS.choose(rng).unwrap().to_string(),
        went_well: WELL.choose(rng).unwrap().to_string(),
        wants_contact: !problem.is_empty() && rng.gen_bool(0.2),
        problem,
        contact_message: String::new(),
    }
}

pub fn visit(rng: &mut StdRng, at: Moment) -> NewVisit {
    NewVisit {
        at,
        place: "På arbeidsplassen".into(),
        kind: VisitKind::OnSite,
        attendees: vec!["Kandidaten".into(), "Kontaktperson".into()],
        summary: format!(
            "{}. {}. {}.",
            TASKS.choose(rng).unwrap(),
            WELL.choose(rng).unwrap(),
            NOTES.choose(rng).unwrap()
        ),
        check_in: CheckIn {
            attendance_since_last: "Full".into(),
            task_progress: "God".into(),
            employer_rating: Some(4),
            candidate_rating: Some(4),
        },
        actions: vec![],
        next_visit: Some(at.day().plus_days(14)),
    }
}

pub fn set_day(store: &mut Store, day: Day) {
    let at = Moment::parse(folgesvenn_domain::Field::At, &format!("{day}T10:00:00Z")).unwrap();
    store.set_clock(move || (at, day));
}

/// Three years of one placement, in the order they would happen.
pub fn three_years(store: &mut Store, rng: &mut StdRng, start: Day) -> Uuid {
    history(store, rng, start, 3, 1)
}

/// `years` of one placement: a year holds 250 daily observations, 50 visits (each with the
/// adviser's own note), about 167 notes and 33 actions, every kind `1 / thinner` as often (the
/// benchmarks' quick mode, which only checks that the harness runs).
pub fn history(store: &mut Store, rng: &mut StdRng, start: Day, years: i64, thinner: i64) -> Uuid {
    set_day(store, start);
    let p = store.create_placement(&placement(rng, start)).unwrap();
    let days = years * 365;
    let mut events: Vec<(i64, u8)> = Vec::new();
    // Counts for three years, the store bench's placement.
    for (kind, count) in [(0, 750), (1, 150), (2, 500), (3, 100)] {
        let n = (count * years / 3 / thinner).max(1);
        events.extend((0..n).map(|i| (i * days / n, kind)));
    }
    events.sort();
    for (offset, kind) in events {
        let day = start.plus_days(offset);
        set_day(store, day);
        match kind {
            0 => {
                store.log_observation(p, &observation(rng, day)).unwrap();
            }
            1 => {
                store
                    .record_visit(
                        p,
                        &visit(
                            rng,
                            Moment::parse(
                                folgesvenn_domain::Field::At,
                                &format!("{day}T09:00:00Z"),
                            )
                            .unwrap(),
                        ),
                        Some("Eget notat fra besøket"),
                    )
                    .unwrap();
            }
            2 => {
                let body = NOTES.choose(rng).unwrap().to_string();
                store
                    .write_shared(p, |d, s| {
                        d.add_note(
                            &NewNote {
                                body,
                                reply_to: None,
                            },
                            s,
                        )
                    })
                    .unwrap();
            }
            _ => {
                store
                    .write_shared(p, |d, s| {
                        d.add_action(
                            &NewAction {
                                what: "Følge opp arbeidstid".into(),
                                owner: ActionOwner::Employer,
                                due: Some(day.plus_days(14)),
                            },
                            s,
                        )
                    })
                    .unwrap();
            }
        }
    }
    p
}
