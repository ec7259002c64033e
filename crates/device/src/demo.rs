//! The headless demo: one adviser device, one placement with the candidate's consent, a visit with an adviser-only note, an
//! employer's daily log entry asking NAV to call, a search, and a look at what is on disk.
//!
//! With a relay (`cargo xtask run --demo`) it also pairs an employer device: the placement is
//! shared, the employer takes the invitation and logs the day instead, and both sync once, so
//! the two app windows that open next show the two sides of one placement.

use std::path::PathBuf;

use anyhow::{Context, Result};
use folgesvenn_domain::*;
use folgesvenn_store::{Store, Unlock, key::keystore};
use zeroize::Zeroizing;

/// The employer's side of the demo: its data directory and the relay both sync through.
pub struct Pair {
    pub employer_dir: PathBuf,
    pub relay: String,
}

pub fn run(dir: Option<PathBuf>, pair: Option<Pair>) -> Result<()> {
    let tmp;
    let dir = match dir {
        Some(d) => d,
        None => {
            tmp = tempfile::tempdir()?;
            tmp.path().join("veileder")
        }
    };
    let unlock = || {
        if keystore::available() {
            Unlock::Keystore
        } else {
            let p = std::env::var("FOLGESVENN_PASSPHRASE")
                .unwrap_or_else(|_| "demo-passord-123".into());
            Unlock::Passphrase(Zeroizing::new(p))
        }
    };
    if keystore::available() {
        println!("Databasenøkkelen legges i nøkkelringen på maskinen (Secret Service).");
    } else {
        println!(
            "Ingen nøkkelring på maskinen: databasenøkkelen pakkes inn med et passord (Argon2id)."
        );
    }
    let mut store = Store::create(&dir, Role::Adviser, "Kari Veileder", unlock())
        .context("kunne ikke opprette lageret")?;
    let stamp = store.stamp();
    let today = stamp.today;
    println!("Enhet {} i {}\n", store.device_id(), dir.display());

    let placement = store.create_placement(&NewPlacement {
        candidate_name: "Ola Nordmann".into(),
        employer: Employer {
            org_number: "889640782".into(),
            name: "Bodø Bakeri AS".into(),
            workplace_address: "Storgata 3, 8006 Bodø".into(),
        },
        adviser_name: "Kari Veileder".into(),
        measure: MeasureType::WorkTraining,
        start_date: today.plus_days(-28),
        end_date: Some(today.plus_days(154)),
        hours_per_week: 20.0,
    })?;
    // What Ola agreed to at the start, in NAV's words: without it no employer is invited.
    store.write_private(placement, |d, s| {
        d.give_consent(
            &NewConsent {
                scopes: vec![
                    ConsentScope::FollowUp,
                    ConsentScope::Goals,
                    ConsentScope::Adaptations,
                ],
                text_version: "2026-1".into(),
            },
            s,
        )
    })?;
    store.write_shared(placement, |d, s| {
        d.add_goal(
            &NewGoal {
                category: GoalCategory::JobAtEmployer,
                description: "Fast deltidsstilling i bakeriet etter arbeidstreningen".into(),
            },
            s,
        )
    })?;
    store.write_shared(placement, |d, s| {
        d.add_training_task(
            &NewTrainingTask {
                title: "Betjene steinovnen".into(),
                description: "Fyring, temperatur og uttak".into(),
                responsible: "Per Bakermester".into(),
                target_date: Some(today.plus_days(30)),
            },
            s,
        )
    })?;
    let visit = store.record_visit(
        placement,
        &NewVisit {
            at: stamp.at,
            place: "Bakeriet, Storgata 3".into(),
            kind: VisitKind::OnSite,
            attendees: vec!["Ola Nordmann".into(), "Per Bakermester".into(), "Kari Veileder".into()],
            summary: "Ola møter presis og har lært deigmaskinen. Ønsker flere oppgaver i butikken.".into(),
            check_in: CheckIn { attendance_since_last: "Full".into(), task_progress: "Deigmaskin på egen hånd".into(), employer_rating: Some(4), candidate_rating: Some(4) },
            actions: vec![NewAction { what: "Prøve kassa to dager i uka".into(), owner: ActionOwner::Employer, due: Some(today.plus_days(14)) }],
            next_visit: Some(today.plus_days(14)),
        },
        Some("Ola fortalte om dårlig søvn; avtalt å ta det opp med fastlegen. Deles ikke med arbeidsgiver."),
    )?;
    let observation = NewObservation {
        date: today,
        attendance: Attendance::Present,
        hours: 5.0,
        tasks_done: "Rundstykker, oppvask, fylte brødhyllene".into(),
        went_well: "Tok selv initiativ til å rydde lageret".into(),
        problem: "Usikker på om Ola kan jobbe i jula; vil gjerne snakke om turnus".into(),
        wants_contact: true,
        contact_message: String::new(),
    };
    if let Some(pair) = pair {
        return pair_employer(store, placement, &observation, &pair, unlock());
    }
    store.log_observation(placement, &observation)?;

    println!(
        "Lagret: ett oppfølgingsløp, et besøk ({visit}) med veileders eget notat, og en dagslogg med ønske om kontakt.\n"
    );
    println!("Oppfølgingsløp på enheten:");
    for p in store.list_placements()? {
        println!(
            "  {} hos {} — {}; neste besøk {}; åpne kontaktforespørsler {}; forfalte tiltak {}",
            p.candidate_name,
            p.employer_name,
            p.status
                .parse::<PlacementStatus>()
                .map_or(p.status.as_str(), |st| st.label_nb()),
            p.next_visit.as_deref().unwrap_or("ikke satt"),
            p.open_requests,
            p.overdue_actions
        );
    }
    for query in ["deig", "turnus", "søvn"] {
        println!("\nSøk «{query}»:");
        for hit in store.search(query, 5)? {
            println!(
                "  [{}] {}: {}",
                hit.kind,
                hit.candidate_name,
                hit.snippet.replace('\n', " ")
            );
        }
    }
    let view = store.placement(placement)?;
    println!(
        "\nOversikt (delt dokument): {} mål, {} oppgaver i opplæringsplanen, {} besøk, {} dagslogger, {} tiltak.",
        view.shared.goals.len(),
        view.shared.training_plan.len(),
        view.shared.visits.len(),
        view.shared.observations.len(),
        view.shared.actions.len()
    );
    println!(
        "Veileders private dokument: {} notat(er) — finnes bare på veileders enheter.",
        view.private.as_ref().map_or(0, |p| p.notes.len())
    );

    store.verify_integrity()?;
    let n = store.verify_audit()?;
    println!("\nRevisjonsloggen har {n} oppføringer, og kjeden er hel. De siste:");
    for e in store.audit_entries(Some(placement))?.iter().rev().take(4) {
        println!(
            "  #{} {} {} {} {}",
            e.seq, e.at, e.actor, e.action, e.record
        );
    }
    println!("\nFiler på disk:");
    let mut files: Vec<_> = std::fs::read_dir(&dir)?.filter_map(|e| e.ok()).collect();
    files.sort_by_key(|e| e.file_name());
    for f in files {
        let bytes = std::fs::read(f.path())?;
        let readable = bytes.windows(4).any(|w| w == b"deig" || w == b"Ola ");
        println!(
            "  {:<22} {:>8} byte  {}",
            f.file_name().to_string_lossy(),
            bytes.len(),
            if readable {
                "INNEHOLDER KLARTEKST"
            } else {
                "ingen klartekst fra notatene"
            }
        );
    }
    if keystore::available()
        && let folgesvenn_store::KeyLocation::Keystore { account } = Store::key_location(&dir)?
    {
        drop(store);
        keystore::delete(&account).ok();
    }
    Ok(())
}

/// Shares the placement through the relay, pairs an employer device with the full code (as on
/// site), lets the employer log the day, and syncs both once. The stores stay for the app.
fn pair_employer(
    mut adviser: Store,
    placement: uuid::Uuid,
    observation: &NewObservation,
    pair: &Pair,
    unlock: Unlock,
) -> Result<()> {
    use folgesvenn_store::DocKind;
    let client = folgesvenn_sync::SyncClient::new();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    for kind in [DocKind::Shared, DocKind::Private] {
        let doc = adviser.document_id(placement, kind)?;
        folgesvenn_sync::share(&mut adviser, doc, &pair.relay)?;
    }
    let pairing = runtime.block_on(folgesvenn_sync::invite(
        &mut adviser,
        &client,
        placement,
        DocKind::Shared,
        folgesvenn_sync::MemberRole::Employer,
        std::time::Duration::from_secs(7 * 24 * 3600),
    ))?;
    let mut employer = Store::create(
        &pair.employer_dir,
        Role::Employer,
        "Per Bakermester",
        unlock,
    )
    .context("kunne ikke opprette arbeidsgiverens lager")?;
    folgesvenn_sync::accept(&mut employer, &pairing.invitation)?;
    employer.log_observation(placement, observation)?;
    let sync = |name: &str, store: &mut Store| match runtime
        .block_on(folgesvenn_sync::sync_once(&mut *store, &client))
    {
        Ok(r) => println!(
            "Synkronisert {name}: sendte {}, tok inn {}.",
            r.pushed, r.applied
        ),
        Err(e) => println!("Synkronisering for {name} venter: {e}"),
    };
    sync("veileder", &mut adviser);
    sync("arbeidsgiver", &mut employer);
    sync("veileder", &mut adviser);
    println!(
        "Veileder i {}, arbeidsgiver i {}; kort kode {}.",
        adviser.dir().display(),
        employer.dir().display(),
        pairing.short_code
    );
    Ok(())
}
