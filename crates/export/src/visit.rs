//! A visit report for NAV's case file: the visit as it stands, what was agreed, and how it was
//! corrected; the adviser's own notes from it only in the internal version, which says so.

use folgesvenn_store::VisitReport;

use crate::error::ExportError;
use crate::pdf::{self, Block, Progress};
use crate::text::{action_line, adviser_note_text, day, or_dash, when};

/// The report as a tagged PDF/A-2a document.
pub fn visit_report(report: &VisitReport, progress: Progress<'_>) -> Result<Vec<u8>, ExportError> {
    let p = &report.placement;
    let Some((_, visit)) = report.versions.first() else {
        return Err(ExportError::Pdf("besøket mangler".into()));
    };
    let internal = report.adviser_notes.is_some();
    let title = format!(
        "Besøksrapport – {}, {}",
        p.candidate_name,
        day(&visit.at.day())
    );
    let mut b = vec![Block::Heading(1, title.clone())];
    if internal {
        b.push(Block::Para(
            "INTERN VERSJON – bare for NAV. Inneholder veilederens egne notater, som arbeidsgiveren ikke ser."
                .into(),
        ));
    }
    b.push(Block::Para(format!(
        "Kandidat: {}\nArbeidsgiver: {} (org.nr. {})\nTiltak: {}\nNAV-veileder: {}\nLaget {} av {}.",
        p.candidate_name,
        p.employer.name,
        p.employer.org_number,
        p.measure.label_nb(),
        p.adviser_name,
        when(&report.made_at),
        report.made_by,
    )));
    b.push(Block::Heading(2, "Besøket".into()));
    b.push(Block::Para(format!(
        "Tid: {}\nType: {}\nSted: {}\nTil stede: {}\nRegistrert av {} {}.",
        when(&visit.at),
        visit.kind.label_nb(),
        or_dash(&visit.place),
        if visit.attendees.is_empty() {
            "–".to_owned()
        } else {
            visit.attendees.join(", ")
        },
        visit.recorded_by,
        when(&visit.recorded_at),
    )));
    b.push(Block::Heading(2, "Oppsummering".into()));
    b.push(Block::Para(or_dash(visit.summary.as_str()).to_owned()));
    let c = &visit.check_in;
    b.push(Block::Heading(2, "Innsjekk".into()));
    let rating = |r: Option<u8>| r.map_or("–".to_owned(), |r| format!("{r} av 5"));
    b.push(Block::Para(format!(
        "Tilstedeværelse siden sist: {}\nFramgang på oppgavene: {}\nArbeidsgiverens vurdering: {}\nKandidatens vurdering: {}",
        or_dash(&c.attendance_since_last),
        or_dash(&c.task_progress),
        rating(c.employer_rating),
        rating(c.candidate_rating),
    )));
    b.push(Block::Heading(2, "Avtalte tiltak".into()));
    if report.actions.is_empty() {
        b.push(Block::Para("Ingen.".into()));
    }
    b.extend(report.actions.iter().map(|a| Block::Para(action_line(a))));
    if let Some(next) = visit.next_visit {
        b.push(Block::Para(format!("Neste besøk: {}.", day(&next))));
    }
    if report.versions.len() > 1 {
        b.push(Block::Heading(2, "Rettelser".into()));
        b.push(Block::Para(
            "Besøket er rettet. Det som ble registrert før, står her, nyeste først.".into(),
        ));
        for (_, earlier) in report.versions.iter().skip(1) {
            b.push(Block::Para(format!(
                "Registrert {} av {}:\n{}",
                when(&earlier.recorded_at),
                earlier.recorded_by,
                or_dash(earlier.summary.as_str())
            )));
        }
    }
    if let Some(notes) = &report.adviser_notes {
        b.push(Block::Heading(
            2,
            "Veilederens notater (intern, bare NAV)".into(),
        ));
        if notes.is_empty() {
            b.push(Block::Para("Ingen.".into()));
        }
        b.extend(notes.iter().map(|n| Block::Para(adviser_note_text(n))));
    }
    pdf::write(&title, &report.made_at, &b, progress)
}
