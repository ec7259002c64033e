//! The placement summary for NAV's case file: the placement's facts, goals and training plan as
//! they stand, and what happened in the chosen period. Nothing of the adviser's own document.

use folgesvenn_domain::{ActionStatus, Moment, TaskStatus};
use folgesvenn_store::PlacementSummaryReport;

use crate::error::ExportError;
use crate::pdf::{self, Block, Progress};
use crate::text::{action_line, day, or_dash, placement_facts, sentences, when};

fn within(r: &PlacementSummaryReport, m: &Moment) -> bool {
    let d = m.day();
    d >= r.from && d <= r.to
}

/// The summary as a tagged PDF/A-2a document.
pub fn summary_report(
    r: &PlacementSummaryReport,
    progress: Progress<'_>,
) -> Result<Vec<u8>, ExportError> {
    let s = &r.shared;
    let p = &s.placement;
    let title = format!(
        "Oppsummering – {}, {} – {}",
        p.candidate_name,
        day(&r.from),
        day(&r.to)
    );
    let mut b = vec![
        Block::Heading(1, title.clone()),
        Block::Para(format!(
            "{}\nSvarfrist for ønsker om kontakt: {} arbeidsdager\nLaget {} av {}.",
            placement_facts(p),
            p.response_working_days(),
            when(&r.made_at),
            r.made_by,
        )),
        Block::Heading(2, "Mål".into()),
    ];
    if s.goals.is_empty() {
        b.push(Block::Para("Ingen.".into()));
    }
    for g in s.goals.values() {
        b.push(Block::Para(format!(
            "{}: {}",
            g.category.label_nb(),
            g.description.as_str()
        )));
    }
    let plan = s.plan_in_order();
    let can_do = plan
        .iter()
        .filter(|(_, t)| t.status == TaskStatus::CanDo)
        .count();
    b.push(Block::Heading(2, "Opplæringsplan".into()));
    b.push(Block::Para(format!(
        "{can_do} av {} oppgaver: {}.",
        plan.len(),
        TaskStatus::CanDo.label_nb()
    )));
    for (_, t) in &plan {
        b.push(Block::Para(format!("{}: {}", t.title, t.status.label_nb())));
    }
    b.push(Block::Heading(2, "Besøk i perioden".into()));
    let mut visits: Vec<_> = s
        .current_visits()
        .into_iter()
        .filter(|(_, v)| within(r, &v.at))
        .collect();
    visits.reverse();
    if visits.is_empty() {
        b.push(Block::Para("Ingen.".into()));
    }
    for (_, v) in visits {
        b.push(Block::Para(format!(
            "{}, {} ({}):\n{}",
            when(&v.at),
            or_dash(&v.place),
            v.kind.label_nb(),
            v.summary.as_str()
        )));
    }
    b.push(Block::Heading(2, "Ønsker om kontakt i perioden".into()));
    if r.requests.is_empty() {
        b.push(Block::Para("Ingen.".into()));
    }
    for (req, by, late) in &r.requests {
        let answer = match req.acknowledged_at {
            Some(at) => format!("Besvart {}", when(&at)),
            None => "Ikke besvart".into(),
        };
        b.push(Block::Para(format!(
            "{} fra {}: {} {}; svarfrist {}{}.",
            when(&req.raised_at),
            req.raised_by_name,
            sentences(&[&req.message]),
            answer,
            day(by),
            if *late {
                ", fristen ble overskredet"
            } else {
                ""
            }
        )));
    }
    b.push(Block::Heading(2, "Avtalte tiltak".into()));
    let mut actions: Vec<_> = s
        .actions
        .values()
        .filter(|a| {
            within(r, &a.created_at)
                || matches!(a.status, ActionStatus::Open | ActionStatus::InProgress)
        })
        .collect();
    actions.sort_by_key(|a| a.created_at);
    if actions.is_empty() {
        b.push(Block::Para("Ingen.".into()));
    }
    b.extend(actions.into_iter().map(|a| Block::Para(action_line(a))));
    let logged: Vec<_> = s
        .observations
        .values()
        .filter(|o| o.date >= r.from && o.date <= r.to)
        .collect();
    // Folded from +0: a sum of no f64 is -0, which would print as «-0 timer».
    let hours = logged.iter().fold(0.0_f64, |sum, o| sum + o.hours);
    b.push(Block::Heading(2, "Dagslogg i perioden".into()));
    b.push(Block::Para(format!(
        "{} dager logget, {} timer i alt.",
        logged.len(),
        hours
    )));
    pdf::write(&title, &r.made_at, &b, progress)
}
