//! Values as a person reads them in a Norwegian document: days, moments, sentences.

use folgesvenn_domain::{Action, AdviserNote, Moment, PlacementInfo};

/// A moment as a person reads it: `05.12.2026 kl. 14:03` (UTC, as the device stored it).
pub(crate) fn when(m: &Moment) -> String {
    let s = m.to_string();
    match (s.get(0..4), s.get(5..7), s.get(8..10), s.get(11..16)) {
        (Some(y), Some(mo), Some(d), Some(t)) => format!("{d}.{mo}.{y} kl. {t} UTC"),
        _ => s,
    }
}

pub(crate) fn day(d: &impl std::fmt::Display) -> String {
    let s = d.to_string();
    match (s.get(0..4), s.get(5..7), s.get(8..10)) {
        (Some(y), Some(m), Some(dd)) => format!("{dd}.{m}.{y}"),
        _ => s,
    }
}

/// Parts of a line as sentences: the empty ones left out, each ended with a full stop unless it
/// already ends a sentence.
pub(crate) fn sentences(parts: &[&str]) -> String {
    parts
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .map(|p| {
            if p.ends_with(['.', '!', '?', ':']) {
                p.to_owned()
            } else {
                format!("{p}.")
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

pub(crate) fn or_dash(s: &str) -> &str {
    if s.trim().is_empty() { "–" } else { s }
}

/// An agreed action in one line: what, who, by when, how far.
pub(crate) fn action_line(a: &Action) -> String {
    format!(
        "{} Ansvarlig: {}. Frist: {}. Status: {}.",
        sentences(&[&a.what]),
        a.owner.label_nb(),
        a.due.map(|d| day(&d)).unwrap_or_else(|| "ingen".into()),
        a.status.label_nb()
    )
}

/// One of the adviser's own notes: when, whether it touches on health, and its text.
pub(crate) fn adviser_note_text(n: &AdviserNote) -> String {
    format!(
        "{}{}:\n{}",
        when(&n.written_at),
        if n.health_related {
            ", gjelder helse"
        } else {
            ""
        },
        n.body.as_str()
    )
}

/// The placement's own facts, one per line.
pub(crate) fn placement_facts(p: &PlacementInfo) -> String {
    format!(
        "Kandidat: {}\nArbeidsgiver: {} (org.nr. {})\nArbeidssted: {}\nNAV-veileder: {}\nTiltak: {}\nPeriode for tiltaket: {} – {}\nTimer per uke: {}\nStatus: {}",
        p.candidate_name,
        p.employer.name,
        p.employer.org_number,
        or_dash(&p.employer.workplace_address),
        p.adviser_name,
        p.measure.label_nb(),
        day(&p.start_date),
        p.end_date
            .map(|d| day(&d))
            .unwrap_or_else(|| "ingen sluttdato".into()),
        p.hours_per_week,
        p.status.label_nb(),
    )
}
