//! The candidate's right of access as a person reads it: every section of what the device holds,
//! and who read, wrote or exported it.

use folgesvenn_domain::{AdviserNote, Consent, Moment};
use folgesvenn_store::{AccessExport, AuditAction, AuditEntry};

use crate::error::ExportError;
use crate::pdf::{self, Block, Progress};
use crate::text::{action_line, adviser_note_text, day, or_dash, placement_facts, sentences, when};

/// The readable form of the right of access: everything the export holds, section by section,
/// and who read, wrote or exported it.
pub fn access_report(
    export: &AccessExport,
    progress: Progress<'_>,
) -> Result<Vec<u8>, ExportError> {
    let shared = &export.view.shared;
    let p = &shared.placement;
    let title = format!("Innsyn – {}", p.candidate_name);
    let mut b = vec![
        Block::Heading(1, title.clone()),
        Block::Para(format!(
            "Alt som er lagret om oppfølgingen på enheten til {} ({}), laget {}. Kandidaten har rett til å se dette (personvernforordningen artikkel 15).",
            export.user_name,
            export.role.label_nb(),
            when(&export.exported_at)
        )),
        Block::Heading(2, "Oppfølgingsløpet".into()),
        Block::Para(placement_facts(p)),
    ];
    let section = |b: &mut Vec<Block>, heading: &str, items: Vec<String>| {
        b.push(Block::Heading(2, heading.to_owned()));
        if items.is_empty() {
            b.push(Block::Para("Ingen.".into()));
        }
        b.extend(items.into_iter().map(Block::Para));
    };
    section(
        &mut b,
        "Mål",
        shared
            .goals
            .values()
            .map(|g| format!("{}: {}", g.category.label_nb(), g.description.as_str()))
            .collect(),
    );
    section(
        &mut b,
        "Opplæringsplan",
        shared
            .plan_in_order()
            .into_iter()
            .map(|(_, t)| {
                format!(
                    "{} ({}). Ansvarlig: {}. {}",
                    t.title,
                    t.status.label_nb(),
                    or_dash(&t.responsible),
                    sentences(&[t.description.as_str()])
                )
            })
            .collect(),
    );
    section(
        &mut b,
        "Tilrettelegging",
        shared
            .adaptations
            .values()
            .map(|a| {
                format!(
                    "{} (avtalt {}{})",
                    a.description.as_str(),
                    day(&a.agreed_on),
                    if a.active {
                        ""
                    } else {
                        ", gjelder ikke lenger"
                    }
                )
            })
            .collect(),
    );
    section(
        &mut b,
        "Kontaktpersoner",
        shared
            .contact_persons
            .values()
            .map(|c| {
                format!(
                    "{}, {}, telefon {}, e-post {}",
                    c.name,
                    or_dash(&c.role),
                    or_dash(&c.phone),
                    or_dash(&c.email)
                )
            })
            .collect(),
    );
    let mut visits: Vec<_> = shared.visits.iter().collect();
    visits.sort_by(|a, b| a.1.at.cmp(&b.1.at).then(a.0.cmp(b.0)));
    section(
        &mut b,
        "Besøk",
        visits
            .into_iter()
            .map(|(_, v)| {
                format!(
                    "{}, {} ({}){}. Registrert av {}.\n{}",
                    when(&v.at),
                    or_dash(&v.place),
                    v.kind.label_nb(),
                    if v.corrects.is_some() {
                        ", retter et tidligere registrert besøk"
                    } else {
                        ""
                    },
                    v.recorded_by,
                    v.summary.as_str()
                )
            })
            .collect(),
    );
    section(
        &mut b,
        "Avtalte tiltak",
        shared.actions.values().map(action_line).collect(),
    );
    let mut days: Vec<_> = shared.observations.values().collect();
    days.sort_by_key(|o| o.date);
    section(
        &mut b,
        "Dagslogg",
        days.into_iter()
            .map(|o| {
                format!(
                    "{}: {}, {} timer. {} (Skrevet av {}.)",
                    day(&o.date),
                    o.attendance.label_nb(),
                    o.hours,
                    sentences(&[&o.tasks_done, &o.went_well, &o.problem]),
                    o.logged_by
                )
            })
            .collect(),
    );
    section(
        &mut b,
        "Ønsker om kontakt",
        shared
            .contact_requests
            .values()
            .map(|r| {
                format!(
                    "{} fra {}: {} {}",
                    when(&r.raised_at),
                    r.raised_by_name,
                    sentences(&[&r.message]),
                    match &r.resolved_at {
                        Some(at) =>
                            format!("Besvart {}: {}", when(at), sentences(&[&r.resolution])),
                        None => "Ikke besvart.".into(),
                    }
                )
            })
            .collect(),
    );
    let mut notes: Vec<_> = shared.notes.values().collect();
    notes.sort_by_key(|n| n.written_at);
    section(
        &mut b,
        "Notater mellom veileder og arbeidsgiver",
        notes
            .into_iter()
            .map(|n| {
                format!(
                    "{}, {}:\n{}",
                    when(&n.written_at),
                    n.author_name,
                    n.body.as_str()
                )
            })
            .collect(),
    );
    if let Some(private) = &export.view.private {
        let mut own: Vec<&AdviserNote> = private.notes.values().collect();
        own.sort_by_key(|n| n.written_at);
        section(
            &mut b,
            "Veilederens egne notater (bare NAV)",
            own.into_iter().map(adviser_note_text).collect(),
        );
        let consents: Vec<&Consent> = private.consents.values().collect();
        section(
            &mut b,
            "Samtykker",
            consents
                .into_iter()
                .map(|c| {
                    format!(
                        "Gitt {} (registrert av {}), tekstversjon {}: {}.{}",
                        when(&c.given_at),
                        c.recorded_by,
                        c.text_version,
                        c.scopes
                            .iter()
                            .map(|s| s.label_nb())
                            .collect::<Vec<_>>()
                            .join(", "),
                        match (&c.withdrawn_at, &c.withdrawn_by) {
                            (Some(at), by) => format!(
                                " Trukket tilbake {} (registrert av {}).",
                                when(at),
                                by.as_deref().unwrap_or("ukjent")
                            ),
                            _ => String::new(),
                        }
                    )
                })
                .collect(),
        );
    }
    section(
        &mut b,
        "Hvem har lest, skrevet og delt opplysningene på denne enheten",
        export.audit.iter().map(audit_line).collect(),
    );
    pdf::write(&title, &export.exported_at, &b, progress)
}

fn audit_line(e: &AuditEntry) -> String {
    let action: &str = match AuditAction::from_code(&e.action) {
        Some(a) => a.label_nb(),
        None => &e.action,
    };
    let at = Moment::parse(folgesvenn_domain::Field::At, &e.at)
        .map(|m| when(&m))
        .unwrap_or_else(|_| e.at.clone());
    let role = e
        .role
        .parse::<folgesvenn_domain::Role>()
        .map_or(e.role.as_str(), |r| r.label_nb());
    format!("{at}: {} ({role}) {action} {}", e.actor, e.record)
}
