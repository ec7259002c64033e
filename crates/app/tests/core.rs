//! The app's commands without the window: first run, unlock, placements, bad input.

use folgesvenn_app_core::dto::{
    ConsentInput, NewPlacementInput, Role, SetupInput, SyncState, TimelineItem,
};
use folgesvenn_app_core::{AppCore, ExportWatch};

fn setup(passphrase: Option<&str>, relay: &str) -> SetupInput {
    SetupInput {
        role: Role::Adviser,
        user_name: "Kari Veileder".into(),
        passphrase: passphrase.map(Into::into),
        relay: relay.into(),
    }
}

/// An adviser's device set up with a passphrase, its relay unreachable.
fn adviser_core(dir: &std::path::Path) -> AppCore {
    let core = AppCore::new(dir.to_owned(), |_| {}).unwrap();
    core.setup(setup(
        Some("en lang nok passordfrase"),
        "http://127.0.0.1:9",
    ))
    .unwrap();
    core
}

fn placement() -> NewPlacementInput {
    NewPlacementInput {
        candidate_name: "Ola Nordmann".into(),
        employer_name: "Bodø Bakeri AS".into(),
        employer_org_number: "889640782".into(),
        workplace_address: "Storgata 3, 8006 Bodø".into(),
        measure: "work_training".into(),
        start_date: "2026-10-01".into(),
        end_date: Some("2027-03-31".into()),
        hours_per_week: 20.0,
    }
}

#[test]
fn first_run_unlock_and_placements() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("device");
    // Nothing listens on port 9: the app works offline and says so.
    let relay = "http://127.0.0.1:9";
    {
        let core = AppCore::new(dir.clone(), |_| {}).unwrap();
        let s = core.state().unwrap();
        assert!(!s.initialized && !s.unlocked);

        // Bad input is refused and leaves nothing behind.
        let e = core.setup(setup(Some("kort"), relay)).unwrap_err();
        assert_eq!(e.kind, "invalid_input");
        let e = core.setup(setup(None, "ftp://x")).unwrap_err();
        assert_eq!(e.kind, "invalid_input");
        assert!(!core.state().unwrap().initialized);

        let s = core
            .setup(setup(Some("en lang nok passordfrase"), relay))
            .unwrap();
        assert!(s.initialized && s.unlocked && s.needs_passphrase);
        assert_eq!(s.role, Some(Role::Adviser));
        assert_eq!(s.relay.as_deref(), Some(relay));
        assert_eq!(
            core.setup(setup(None, relay)).unwrap_err().kind,
            "already_set_up"
        );

        let bad = NewPlacementInput {
            measure: "ukjent".into(),
            ..placement()
        };
        assert_eq!(
            core.create_placement(bad).unwrap_err().kind,
            "invalid_input"
        );
        assert!(core.list_placements().unwrap().is_empty());

        let id = core.create_placement(placement()).unwrap();
        let list = core.list_placements().unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].candidate_name, "Ola Nordmann");
        let o = core.overview(id).unwrap();
        assert_eq!(o.facts.employer_name, "Bodø Bakeri AS");
        assert_eq!(core.search("bakeri").unwrap()[0].kind, "placement");
        assert!(core.search("   ").unwrap().is_empty());
        // The placement syncs through the relay, which is not there: offline, changes kept.
        let status = core.sync_status();
        assert!(
            matches!(
                status.state,
                SyncState::Idle | SyncState::Syncing | SyncState::Offline { .. }
            ),
            "{status:?}"
        );
    }

    // The next start: locked until the passphrase is given.
    let core = AppCore::new(dir, |_| {}).unwrap();
    let s = core.state().unwrap();
    assert!(s.initialized && !s.unlocked && s.needs_passphrase);
    assert_eq!(core.list_placements().unwrap_err().kind, "locked");
    assert_eq!(
        core.unlock(Some("feil passordfrase".into()))
            .unwrap_err()
            .kind,
        "wrong_passphrase"
    );
    let s = core
        .unlock(Some("en lang nok passordfrase".into()))
        .unwrap();
    assert!(s.unlocked);
    assert_eq!(s.user_name.as_deref(), Some("Kari Veileder"));
    assert_eq!(core.list_placements().unwrap().len(), 1);

    // A half-written daily log survives a restart, inside the encrypted store.
    core.save_draft("daily-log.x", r#"{"tasksDone":"Varemottak"}"#)
        .unwrap();
    drop(core);
    let core = AppCore::new(tmp.path().join("device"), |_| {}).unwrap();
    core.unlock(Some("en lang nok passordfrase".into()))
        .unwrap();
    assert_eq!(
        core.load_draft("daily-log.x").unwrap().as_deref(),
        Some(r#"{"tasksDone":"Varemottak"}"#)
    );
    core.clear_draft("daily-log.x").unwrap();
    assert_eq!(core.load_draft("daily-log.x").unwrap(), None);
    assert_eq!(
        core.save_draft("", "{}").unwrap_err().kind,
        "too_long",
        "an empty key is refused"
    );
}

/// A visit with an adviser-only note, a correction, and pairing with the relay out of reach: the
/// employer joins with the full code, sees the shared visit (corrected) and never the note.
#[test]
fn visit_correction_and_offline_pairing() {
    use folgesvenn_app_core::dto::{ActionInput, ObservationInput, VisitInput};
    let tmp = tempfile::tempdir().unwrap();
    let relay = "http://127.0.0.1:9";
    let adviser = AppCore::new(tmp.path().join("adviser"), |_| {}).unwrap();
    adviser
        .setup(setup(Some("en lang nok passordfrase"), relay))
        .unwrap();
    let p = adviser.create_placement(placement()).unwrap();
    let visit = |summary: &str, corrects| VisitInput {
        at: "2026-10-15T10:30:00+02:00".into(),
        kind: "on_site".into(),
        place: "Bakeriet".into(),
        attendees: vec!["Ola".into(), " ".into()],
        summary: summary.into(),
        attendance_since_last: "Full".into(),
        task_progress: "Kan kassen".into(),
        employer_rating: Some(4),
        candidate_rating: Some(6),
        adviser_note: "Bare NAV: HEMMELIG".into(),
        actions: vec![ActionInput {
            what: "Kjøpe vernesko".into(),
            owner: "employer".into(),
            due: Some("2026-10-30".into()),
        }],
        next_visit: Some("2026-11-12".into()),
        corrects,
    };
    // A rating outside 1–5 is refused, and nothing is written.
    let e = adviser
        .record_visit(p, visit("Godt i gang", None))
        .unwrap_err();
    assert_eq!(e.kind, "out_of_range", "{e:?}");
    assert!(adviser.overview(p).unwrap().timeline.is_empty());

    let ok = |summary: &str, corrects| VisitInput {
        candidate_rating: Some(5),
        ..visit(summary, corrects)
    };
    let first = adviser.record_visit(p, ok("Godt i gang", None)).unwrap();
    let second = adviser
        .record_visit(p, ok("Godt i gang, trenger mer opplæring", Some(first)))
        .unwrap();
    let e = adviser
        .record_visit(p, ok("En gang til", Some(first)))
        .unwrap_err();
    assert_eq!(
        e.kind, "already_corrected",
        "a visit is corrected once: {e:?}"
    );
    let o = adviser.overview(p).unwrap();
    let status = |id| {
        o.timeline
            .iter()
            .find(|t| t.id() == id)
            .unwrap()
            .status()
            .map(str::to_owned)
    };
    assert_eq!(status(first).as_deref(), Some("corrected"));
    assert_eq!(status(second).as_deref(), Some("correction"));
    assert!(o.timeline.iter().any(|t| t.kind() == "adviser_note"));
    // The adviser's own note is edited in the private document.
    let private = o
        .timeline
        .iter()
        .find(|t| t.kind() == "adviser_note")
        .unwrap()
        .id();
    adviser
        .edit_note(p, private, "Bare NAV: HEMMELIG, rettet", true)
        .unwrap();
    assert!(
        adviser
            .overview(p)
            .unwrap()
            .timeline
            .iter()
            .any(|t| t.id() == private && t.text() == "Bare NAV: HEMMELIG, rettet")
    );
    assert!(o.timeline.iter().any(|t| t.kind() == "action"));

    // The training plan is the adviser's to write; the employer sets each task's status.
    use folgesvenn_app_core::dto::{NoteInput, TrainingTaskInput};
    let task = adviser
        .add_training_task(
            p,
            TrainingTaskInput {
                title: "Betjene kassa".into(),
                description: "Vareskanning og betaling".into(),
                responsible: "Per".into(),
                target_date: Some("2026-12-15".into()),
            },
        )
        .unwrap();

    // No employer is invited before the candidate's consent to follow-up with the employer: not
    // without one, not with one that leaves it out, not after it is withdrawn.
    let refused = adviser.invite_employer(p).unwrap_err();
    assert_eq!(refused.kind, "consent_missing", "{refused:?}");
    let goals_only = adviser
        .give_consent(
            p,
            ConsentInput {
                scopes: vec!["goals".into()],
                text_version: "2026-1".into(),
            },
        )
        .unwrap();
    assert_eq!(
        adviser.invite_employer(p).unwrap_err().kind,
        "consent_missing"
    );
    let withdrawn = adviser
        .give_consent(
            p,
            ConsentInput {
                scopes: vec!["follow_up".into(), "goals".into(), "follow_up".into()],
                text_version: "2026-1".into(),
            },
        )
        .unwrap();
    assert_eq!(
        adviser
            .withdraw_consent(p, withdrawn)
            .unwrap()
            .employer_devices_removed,
        0,
        "no employer had joined"
    );
    assert_eq!(
        adviser.invite_employer(p).unwrap_err().kind,
        "consent_missing"
    );
    let bad = adviser
        .give_consent(
            p,
            ConsentInput {
                scopes: vec!["everything".into()],
                text_version: "2026-1".into(),
            },
        )
        .unwrap_err();
    assert_eq!(bad.kind, "invalid_input", "{bad:?}");
    let empty = adviser
        .give_consent(
            p,
            ConsentInput {
                scopes: vec![],
                text_version: "2026-1".into(),
            },
        )
        .unwrap_err();
    assert_eq!(empty.params["field"], "consent", "{empty:?}");
    let given = adviser
        .give_consent(
            p,
            ConsentInput {
                scopes: vec!["follow_up".into(), "adaptations".into()],
                text_version: " 2026-2 ".into(),
            },
        )
        .unwrap();
    // (Given within the same millisecond, their order is not asserted.)
    let consents = adviser.consents(p).unwrap();
    let find = |id| consents.iter().find(|c| c.id == id).unwrap();
    assert_eq!(consents.len(), 3);
    assert!(!find(goals_only).allows_employer && find(goals_only).withdrawn_at.is_none());
    assert_eq!(find(withdrawn).scopes, ["follow_up", "goals"]);
    assert_eq!(
        find(withdrawn).withdrawn_by.as_deref(),
        Some("Kari Veileder")
    );
    assert!(!find(withdrawn).allows_employer && find(given).allows_employer);
    assert_eq!(find(given).text_version, "2026-2");
    assert_eq!(find(given).scopes, ["follow_up", "adaptations"]);

    // As the shell calls it: from a task on an async runtime.
    let pairing = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(async { adviser.invite_employer(p) })
        .unwrap();
    assert!(!pairing.registered, "nothing listens on port 9");
    assert_eq!(pairing.short_code.len(), 19);
    assert!(pairing.full_code.starts_with("FS2-"));
    assert!(pairing.qr_size >= 21 && pairing.qr_path.starts_with('M'));

    let employer = AppCore::new(tmp.path().join("employer"), |_| {}).unwrap();
    employer
        .setup(SetupInput {
            role: Role::Employer,
            user_name: "Per Verksmester".into(),
            ..setup(Some("en annen lang passordfrase"), relay)
        })
        .unwrap();
    assert_eq!(
        employer.join("  ", None, false).unwrap_err().kind,
        "invalid_input"
    );
    assert_eq!(
        employer
            .join(&pairing.short_code, Some("FS2-AAAAA"), false)
            .unwrap_err()
            .kind,
        "bad_invitation"
    );
    // The full code alone opens nothing (issue 12, finding 6): it needs its short code.
    assert_eq!(
        employer
            .join(&pairing.full_code, None, false)
            .unwrap_err()
            .kind,
        "short_code_missing"
    );
    assert_eq!(
        employer
            .join("ABCD-EFGH-JKLM-NPQR", Some(&pairing.full_code), false)
            .unwrap_err()
            .kind,
        "short_code_mismatch"
    );
    assert!(employer.list_placements().unwrap().is_empty());
    let full = Some(pairing.full_code.as_str());
    // A code naming a relay the device does not use is shown before it is used.
    let elsewhere = AppCore::new(tmp.path().join("elsewhere"), |_| {}).unwrap();
    elsewhere
        .setup(SetupInput {
            role: Role::Employer,
            user_name: "Eva Butikksjef".into(),
            ..setup(Some("en tredje lang passordfrase"), "http://127.0.0.1:10")
        })
        .unwrap();
    let e = elsewhere
        .join(&pairing.short_code, full, false)
        .unwrap_err();
    assert_eq!(e.kind, "unfamiliar_relay", "{e:?}");
    assert!(e.message.contains(relay), "{}", e.message);
    assert!(
        elsewhere.list_placements().unwrap().is_empty(),
        "nothing taken in"
    );
    assert_eq!(
        elsewhere.join(&pairing.short_code, full, true).unwrap(),
        one(p)
    );

    // The two codes may come in either order.
    let short = Some(pairing.short_code.as_str());
    assert_eq!(
        employer.join(&pairing.full_code, short, false).unwrap(),
        one(p)
    );
    let o = employer.overview(p).unwrap();
    assert!(
        o.timeline
            .iter()
            .any(|t| t.text().contains("mer opplæring"))
    );
    assert!(
        o.timeline
            .iter()
            .all(|t| t.kind() != "adviser_note" && !t.text().contains("HEMMELIG")),
        "the adviser-only note stays on the adviser's device"
    );
    let e = employer
        .record_visit(p, ok("Arbeidsgiver prøver", None))
        .unwrap_err();
    assert_eq!(e.kind, "not_for_this_role", "{e:?}");

    // The adviser's own laptop takes her two codes (offline, the full codes) and holds both
    // documents, her own note included; an employer device is refused such codes.
    let own = adviser.invite_own_device(p).unwrap();
    assert_eq!(own.len(), 2);
    assert_ne!(own[0].short_code, own[1].short_code);
    assert_eq!(
        employer
            .join(&own[0].short_code, Some(&own[0].full_code), true)
            .unwrap_err()
            .kind,
        "wrong_role",
        "an employer's device does not take an adviser's code"
    );
    let laptop = AppCore::new(tmp.path().join("laptop"), |_| {}).unwrap();
    laptop
        .setup(setup(Some("en lang nok passordfrase"), relay))
        .unwrap();
    for code in &own {
        assert_eq!(
            laptop
                .join(&code.short_code, Some(&code.full_code), false)
                .unwrap(),
            one(p)
        );
    }
    assert!(
        laptop
            .overview(p)
            .unwrap()
            .timeline
            .iter()
            .any(|t| t.kind() == "adviser_note" && t.text().contains("HEMMELIG")),
        "the second device holds her own note"
    );
    assert_eq!(
        laptop
            .join(&own[0].short_code, Some(&own[0].full_code), false)
            .unwrap_err()
            .kind,
        "already_joined"
    );
    // One code for every placement she follows (a device pairing): the short code alone, since
    // the new device fetches everything from the relay; made offline, it waits for the next sync.
    let device = adviser.invite_new_device().unwrap();
    assert_eq!((device.placements, device.documents), (1, 2));
    assert_eq!(device.code.short_code.len(), 19);
    assert!(device.code.full_code.is_empty() && device.code.qr_holds == "short");
    assert!(!device.code.registered, "nothing listens on port 9");
    assert_eq!(
        employer.invite_new_device().unwrap_err().kind,
        "nothing_to_pair",
        "an employer's device follows no placement as an adviser"
    );
    employer
        .log_observation(
            p,
            ObservationInput {
                date: "2026-10-16".into(),
                attendance: "present".into(),
                hours: 6.0,
                tasks_done: "Bakte brød".into(),
                went_well: "Blid".into(),
                problem: String::new(),
                wants_contact: true,
                contact_message: "Ring meg".into(),
            },
        )
        .unwrap();
    let o = employer.overview(p).unwrap();
    let request = o
        .timeline
        .iter()
        .find(|t| t.kind() == "contact_request")
        .unwrap();
    assert_eq!(request.status(), Some("open"));
    // Only the adviser answers a request.
    let e = employer
        .resolve_request(p, request.id(), "Løst selv")
        .unwrap_err();
    assert_eq!(e.kind, "inconsistent", "{e:?}");
    // The training plan: the employer may set a task's status, not add tasks (the rights table).
    let e = employer
        .add_training_task(
            p,
            TrainingTaskInput {
                title: "Egen oppgave".into(),
                description: String::new(),
                responsible: "Per".into(),
                target_date: None,
            },
        )
        .unwrap_err();
    assert_eq!(e.kind, "forbidden_write", "{e:?}");
    employer
        .set_task_status(p, task, "with_adaptation")
        .unwrap();
    assert_eq!(
        employer
            .set_task_status(p, task, "ferdig")
            .unwrap_err()
            .kind,
        "invalid_input"
    );
    let o = employer.overview(p).unwrap();
    let item = o.training_plan.iter().find(|t| t.id == task).unwrap();
    assert_eq!(item.status.as_deref(), Some("with_adaptation"));
    let action = o
        .timeline
        .iter()
        .find(|t| t.kind() == "action")
        .unwrap()
        .id();
    employer.set_action_status(p, action, "done").unwrap();
    employer
        .add_note(
            p,
            NoteInput {
                body: "Ola starter kl. 9 på mandag.".into(),
                reply_to: None,
            },
        )
        .unwrap();
    assert_eq!(
        employer
            .add_note(
                p,
                NoteInput {
                    body: " ".into(),
                    reply_to: None
                }
            )
            .unwrap_err()
            .kind,
        "required"
    );
    let o = employer.overview(p).unwrap();
    let note = o.timeline.iter().find(|t| t.kind() == "note").unwrap();
    assert!(
        matches!(note, TimelineItem::Note { author, .. } if author == "Per Verksmester"),
        "{note:?}"
    );
    assert_eq!(
        o.timeline
            .iter()
            .find(|t| t.id() == action)
            .unwrap()
            .status(),
        Some("done")
    );

    let log = adviser.sync_log(p).unwrap();
    assert!(
        log.lines.iter().any(|l| l.kind == "invitation_waiting"),
        "{log:?}"
    );
    assert!(log.quarantined.is_empty());
}

/// The data directory and `app.json` are owner-only, like the store's own files, and the rule for
/// a new passphrase is the store's (12 characters, counted as characters).
#[cfg(unix)]
#[test]
fn the_data_directory_is_owner_only_and_the_passphrase_rule_is_the_stores() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("device");
    let relay = "http://127.0.0.1:9";
    let core = AppCore::new(dir.clone(), |_| {}).unwrap();
    let short = "æøå".repeat(3) + "12"; // 11 characters, 17 bytes
    assert_eq!(
        short.chars().count(),
        folgesvenn_store::MIN_PASSPHRASE_CHARS - 1
    );
    let e = core.setup(setup(Some(&short), relay)).unwrap_err();
    assert_eq!(e.kind, "invalid_input");
    assert_eq!(e.params["validation"], "out_of_range");
    assert_eq!(e.params["field"], "passphrase_length");
    assert_eq!(e.params["min"], "12");
    core.setup(setup(Some(&(short + "3")), relay)).unwrap();
    assert_eq!(mode(&dir), 0o700);
    for f in ["app.json", "store.json", "folgesvenn.db"] {
        assert_eq!(mode(&dir.join(f)), 0o600, "{f}");
    }
}

/// A correction starts from the visit itself, fetched alone: a visit older than the newest 200
/// timeline entries is not on the overview, but `visit` still gives it whole.
#[test]
fn a_visit_far_back_in_the_timeline_is_fetched_alone() {
    use folgesvenn_app_core::dto::{NoteInput, VisitInput};
    let tmp = tempfile::tempdir().unwrap();
    let adviser = AppCore::new(tmp.path().join("adviser"), |_| {}).unwrap();
    adviser
        .setup(setup(
            Some("en lang nok passordfrase"),
            "http://127.0.0.1:9",
        ))
        .unwrap();
    let p = adviser.create_placement(placement()).unwrap();
    let visit = adviser
        .record_visit(
            p,
            VisitInput {
                at: "2026-10-15T10:30:00+02:00".into(),
                kind: "three_party".into(),
                place: "Bakeriet".into(),
                attendees: vec!["Ola".into(), "Per".into()],
                summary: "Første oppfølging".into(),
                attendance_since_last: "Full".into(),
                task_progress: "Varemottak går bra".into(),
                employer_rating: Some(4),
                candidate_rating: None,
                adviser_note: String::new(),
                actions: vec![],
                next_visit: Some("2026-11-12".into()),
                corrects: None,
            },
        )
        .unwrap();
    for i in 0..200 {
        adviser
            .add_note(
                p,
                NoteInput {
                    body: format!("Notat {i}"),
                    reply_to: None,
                },
            )
            .unwrap();
    }
    let o = adviser.overview(p).unwrap();
    assert_eq!(o.timeline.len(), 200);
    assert!(
        o.timeline.iter().all(|t| t.id() != visit),
        "pushed off the overview"
    );

    let v = adviser.visit(p, visit).unwrap();
    assert_eq!(v.id, visit);
    assert_eq!(v.summary, "Første oppfølging");
    assert_eq!(v.kind, "three_party");
    assert_eq!(v.attendees, ["Ola", "Per"]);
    assert_eq!(v.employer_rating, Some(4));
    assert_eq!(v.next_visit.as_deref(), Some("2026-11-12"));
    let moment =
        |s: &str| folgesvenn_domain::Moment::parse(folgesvenn_domain::Field::At, s).unwrap();
    assert_eq!(moment(&v.at), moment("2026-10-15T08:30:00Z"));

    let unknown = uuid::Uuid::new_v4();
    assert_eq!(
        adviser.visit(p, unknown).unwrap_err().kind,
        "unknown_record"
    );
    assert_eq!(
        adviser.visit(unknown, visit).unwrap_err().kind,
        "unknown_placement"
    );
}

/// The app locks on demand (the idle timer's command): the store closes and every command says
/// "locked" until the passphrase opens it again; the idle time is a setting within its range.
#[test]
fn the_app_locks_and_opens_only_with_the_passphrase() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("device");
    let relay = "http://127.0.0.1:9";
    let pass = "en lang nok passordfrase";
    let core = AppCore::new(dir.clone(), |_| {}).unwrap();
    let s = core.setup(setup(Some(pass), relay)).unwrap();
    assert_eq!(
        s.lock_after_minutes,
        folgesvenn_app_core::LOCK_AFTER_DEFAULT_MINUTES
    );
    let p = core.create_placement(placement()).unwrap();

    let s = core.lock().unwrap();
    assert!(s.initialized && !s.unlocked && s.needs_passphrase && s.locked);
    assert_eq!(s.role, None, "nothing of the store is read while locked");
    assert_eq!(core.overview(p).unwrap_err().kind, "locked");
    assert_eq!(core.list_placements().unwrap_err().kind, "locked");
    assert_eq!(core.set_lock_after(10).unwrap_err().kind, "locked");
    assert!(!core.state().unwrap().unlocked, "state does not open it");
    assert_eq!(
        core.unlock(Some("feil passordfrase!".into()))
            .unwrap_err()
            .kind,
        "wrong_passphrase"
    );
    assert!(core.unlock(Some(pass.into())).unwrap().unlocked);
    assert_eq!(
        core.overview(p).unwrap().facts.candidate_name,
        "Ola Nordmann"
    );

    for bad in [0, 61] {
        let e = core.set_lock_after(bad).unwrap_err();
        assert_eq!(e.kind, "invalid_input");
        assert_eq!(e.params["validation"], "out_of_range");
        assert_eq!(e.params["field"], "lock_after");
    }
    let s = core.set_lock_after(15).unwrap();
    assert_eq!((s.lock_after_minutes, s.lock_after_ms), (15, 15 * 60_000));
    drop(core);
    let core = AppCore::new(dir, |_| {}).unwrap();
    assert_eq!(
        core.state().unwrap().lock_after_minutes,
        15,
        "kept in app.json"
    );
}

/// The shell calls `lock` and `unlock` from its own async runtime, with the background sync
/// running: unlocking again must not wait on the stopped loop or the old store.
#[test]
fn lock_and_unlock_from_an_async_command_with_sync_running() {
    let tmp = tempfile::tempdir().unwrap();
    let pass = "en lang nok passordfrase";
    let core = AppCore::new(tmp.path().join("device"), |_| {}).unwrap();
    core.setup(setup(Some(pass), "http://127.0.0.1:9")).unwrap();
    core.create_placement(placement()).unwrap();
    let shell = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    shell.block_on(async {
        for _ in 0..3 {
            core.sync_now();
            assert!(!core.lock().unwrap().unlocked);
            let (tx, rx) = std::sync::mpsc::channel();
            std::thread::scope(|s| {
                s.spawn(|| tx.send(core.unlock(Some(pass.into()))).unwrap());
                let r = rx
                    .recv_timeout(std::time::Duration::from_secs(20))
                    .expect("unlock answered");
                assert!(r.unwrap().unlocked);
            });
            assert_eq!(core.list_placements().unwrap().len(), 1);
        }
    });
}

/// A written note can be edited: the adviser's own private note, and a shared one; an empty
/// text is refused and changes nothing.
#[test]
fn a_written_note_is_edited() {
    let tmp = tempfile::tempdir().unwrap();
    let core = AppCore::new(tmp.path().join("device"), |_| {}).unwrap();
    core.setup(setup(
        Some("en lang nok passordfrase"),
        "http://127.0.0.1:9",
    ))
    .unwrap();
    let p = core.create_placement(placement()).unwrap();
    let note = core
        .add_note(
            p,
            folgesvenn_app_core::dto::NoteInput {
                body: "Ola starter kl. 8".into(),
                reply_to: None,
            },
        )
        .unwrap();
    core.edit_note(p, note, "Ola starter kl. 9", false).unwrap();
    let e = core.edit_note(p, note, "  ", false).unwrap_err();
    assert_eq!(
        (e.kind.as_str(), e.params["field"].as_str()),
        ("required", "note")
    );
    let text = |o: &folgesvenn_app_core::dto::Overview, id| {
        o.timeline
            .iter()
            .find(|t| t.id() == id)
            .map(|t| t.text().to_owned())
    };
    let o = core.overview(p).unwrap();
    assert_eq!(text(&o, note).as_deref(), Some("Ola starter kl. 9"));
    assert_eq!(
        core.edit_note(p, uuid::Uuid::new_v4(), "Finnes ikke", false)
            .unwrap_err()
            .kind,
        "unknown_record"
    );
}

/// A note's history names the person, the kind of change and the text after each; a record the
/// placement does not hold is `unknown_record`.
#[test]
fn a_notes_history_keeps_each_text_and_who_wrote_it() {
    let tmp = tempfile::tempdir().unwrap();
    let core = adviser_core(&tmp.path().join("a"));
    let p = core.create_placement(placement()).unwrap();
    let note = core
        .add_note(
            p,
            folgesvenn_app_core::dto::NoteInput {
                body: "Ola starter kl. 9.".into(),
                reply_to: None,
            },
        )
        .unwrap();
    core.edit_note(p, note, "Ola starter kl. 10.", false)
        .unwrap();
    let history = core.history(p, note).unwrap();
    assert_eq!(history.collection, "notes");
    let lines: Vec<(&str, Option<&str>, Option<&str>)> = history
        .entries
        .iter()
        .map(|e| (e.change.as_str(), e.by.as_deref(), e.text.as_deref()))
        .collect();
    assert_eq!(
        lines,
        [
            (
                "note.add",
                Some("Kari Veileder"),
                Some("Ola starter kl. 9.")
            ),
            (
                "note.edit",
                Some("Kari Veileder"),
                Some("Ola starter kl. 10.")
            ),
        ]
    );
    let unknown = core.history(p, uuid::Uuid::new_v4()).unwrap_err();
    assert_eq!(unknown.kind, "unknown_record");
}

/// The adviser adds to the plan; the overview shows it, and bad input is refused with the rule.
#[test]
fn the_adviser_adds_goals_adaptations_and_contact_persons() {
    use folgesvenn_app_core::dto::{AdaptationInput, ContactPersonInput, GoalInput};
    let tmp = tempfile::tempdir().unwrap();
    let core = adviser_core(&tmp.path().join("a"));
    let p = core.create_placement(placement()).unwrap();
    core.add_goal(
        p,
        GoalInput {
            category: "trade_certificate".into(),
            description: "Fagbrev i salg".into(),
        },
    )
    .unwrap();
    let bad = core
        .add_goal(
            p,
            GoalInput {
                category: "everything".into(),
                description: "x".into(),
            },
        )
        .unwrap_err();
    assert_eq!(bad.kind, "invalid_input", "{bad:?}");
    core.add_adaptation(
        p,
        AdaptationInput {
            description: "Kortere dager første uka".into(),
            agreed_on: "2026-11-02".into(),
            active: None,
        },
    )
    .unwrap();
    let bad = core
        .add_adaptation(
            p,
            AdaptationInput {
                description: "x".into(),
                agreed_on: "i går".into(),
                active: None,
            },
        )
        .unwrap_err();
    assert_eq!(bad.params["validation"], "invalid_date", "{bad:?}");
    core.add_contact_person(
        p,
        ContactPersonInput {
            name: "Per Verksmester".into(),
            role: "Butikksjef".into(),
            phone: "900 00 000".into(),
            email: "per@example.no".into(),
        },
    )
    .unwrap();
    let bad = core
        .add_contact_person(
            p,
            ContactPersonInput {
                name: "Eva".into(),
                role: String::new(),
                phone: String::new(),
                email: "eva.example.no".into(),
            },
        )
        .unwrap_err();
    assert_eq!(bad.params["rule"], "email_without_at", "{bad:?}");
    let o = core.overview(p).unwrap();
    assert_eq!(o.goals[0].text, "Fagbrev i salg");
    assert_eq!(o.goals[0].detail.as_deref(), Some("trade_certificate"));
    assert_eq!(o.adaptations[0].detail.as_deref(), Some("2026-11-02"));
    assert_eq!(o.contact_persons[0].text, "Per Verksmester");
    assert_eq!(o.contact_persons.len(), 1);
}

/// Every kind of record the plan holds, and the placement's facts, opened in an edit form and
/// saved: the form starts from the document's values, the overview shows the new ones, the
/// history names the change, and bad input is refused with its rule and changes nothing.
#[test]
fn the_adviser_edits_the_placement_and_its_plan() {
    use folgesvenn_app_core::dto::{
        ActionInput, AdaptationInput, ContactPersonInput, GoalInput, RecordValues,
        TrainingTaskInput, VisitInput,
    };
    let tmp = tempfile::tempdir().unwrap();
    let core = adviser_core(&tmp.path().join("a"));
    let p = core.create_placement(placement()).unwrap();

    // The placement's facts.
    let RecordValues::Placement(mut facts) = core.record_values(p, None).unwrap() else {
        panic!("the placement's facts");
    };
    assert_eq!(facts, placement());
    facts.workplace_address = "Sjøgata 1, 8006 Bodø".into();
    facts.hours_per_week = 25.0;
    facts.end_date = Some("2027-06-30".into());
    core.edit_record(p, None, RecordValues::Placement(facts.clone()))
        .unwrap();
    let o = core.overview(p).unwrap();
    assert_eq!(o.facts.hours_per_week, 25.0);
    assert_eq!(o.facts.end_date.as_deref(), Some("2027-06-30"));
    assert_eq!(o.facts.adviser_name, "Kari Veileder", "the adviser stays");
    let mut bad = facts.clone();
    bad.end_date = Some("2026-09-01".into());
    let e = core
        .edit_record(p, None, RecordValues::Placement(bad))
        .unwrap_err();
    assert_eq!(e.kind, "end_before_start", "{e:?}");
    assert_eq!(
        core.record_values(p, None).unwrap(),
        RecordValues::Placement(facts)
    );

    // A goal.
    let goal = core
        .add_goal(
            p,
            GoalInput {
                category: "work_experience".into(),
                description: "Lære varemottak".into(),
            },
        )
        .unwrap();
    let edited = RecordValues::Goal(GoalInput {
        category: "job_at_employer".into(),
        description: "Lære varemottak og kasse".into(),
    });
    core.edit_record(p, Some(goal), edited.clone()).unwrap();
    assert_eq!(core.record_values(p, Some(goal)).unwrap(), edited);
    let o = core.overview(p).unwrap();
    assert_eq!(o.goals[0].text, "Lære varemottak og kasse");
    let h = core.history(p, goal).unwrap();
    let last = h.entries.last().unwrap();
    assert_eq!(last.change, "goal.edit");
    assert_eq!(last.by.as_deref(), Some("Kari Veileder"));
    assert_eq!(h.entries[0].text.as_deref(), Some("Lære varemottak"));

    // An adaptation that no longer applies.
    let adaptation = core
        .add_adaptation(
            p,
            AdaptationInput {
                description: "Kortere dager".into(),
                agreed_on: "2026-10-01".into(),
                active: None,
            },
        )
        .unwrap();
    let RecordValues::Adaptation(mut a) = core.record_values(p, Some(adaptation)).unwrap() else {
        panic!("an adaptation");
    };
    assert_eq!(a.active, Some(true));
    a.active = Some(false);
    core.edit_record(p, Some(adaptation), RecordValues::Adaptation(a))
        .unwrap();
    assert_eq!(
        core.overview(p).unwrap().adaptations[0].status.as_deref(),
        Some("inactive")
    );

    // A contact person.
    let person = core
        .add_contact_person(
            p,
            ContactPersonInput {
                name: "Per Verksmester".into(),
                role: "Butikksjef".into(),
                phone: "900 00 000".into(),
                email: String::new(),
            },
        )
        .unwrap();
    let e = core
        .edit_record(
            p,
            Some(person),
            RecordValues::ContactPerson(ContactPersonInput {
                name: "Per Verksmester".into(),
                role: "Butikksjef".into(),
                phone: "900 00 000".into(),
                email: "per.example.no".into(),
            }),
        )
        .unwrap_err();
    assert_eq!(e.params["rule"], "email_without_at", "{e:?}");
    core.edit_record(
        p,
        Some(person),
        RecordValues::ContactPerson(ContactPersonInput {
            name: "Per Verksmester".into(),
            role: "Daglig leder".into(),
            phone: "900 00 000".into(),
            email: "per@example.no".into(),
        }),
    )
    .unwrap();
    assert_eq!(
        core.overview(p).unwrap().contact_persons[0]
            .detail
            .as_deref(),
        Some("Daglig leder 900 00 000 per@example.no")
    );

    // A training task keeps its status.
    let task = core
        .add_training_task(
            p,
            TrainingTaskInput {
                title: "Varemottak".into(),
                description: String::new(),
                responsible: "Per".into(),
                target_date: None,
            },
        )
        .unwrap();
    core.set_task_status(p, task, "can_do").unwrap();
    core.edit_record(
        p,
        Some(task),
        RecordValues::TrainingTask(TrainingTaskInput {
            title: "Varemottak og lager".into(),
            description: "Ta imot varer".into(),
            responsible: "Per".into(),
            target_date: Some("2026-12-18".into()),
        }),
    )
    .unwrap();
    let o = core.overview(p).unwrap();
    assert_eq!(o.training_plan[0].text, "Varemottak og lager");
    assert_eq!(o.training_plan[0].status.as_deref(), Some("can_do"));

    // An action agreed at a visit.
    core.record_visit(
        p,
        VisitInput {
            at: "2026-10-15T10:30:00+02:00".into(),
            kind: "on_site".into(),
            place: "Bakeriet".into(),
            attendees: vec![],
            summary: "Godt i gang".into(),
            attendance_since_last: String::new(),
            task_progress: String::new(),
            employer_rating: None,
            candidate_rating: None,
            adviser_note: String::new(),
            actions: vec![ActionInput {
                what: "Kjøpe vernesko".into(),
                owner: "employer".into(),
                due: Some("2026-10-30".into()),
            }],
            next_visit: None,
            corrects: None,
        },
    )
    .unwrap();
    let action = core
        .overview(p)
        .unwrap()
        .timeline
        .iter()
        .find_map(|i| match i {
            TimelineItem::Action { id, .. } => Some(*id),
            _ => None,
        })
        .unwrap();
    let edited = RecordValues::Action(ActionInput {
        what: "Kjøpe vernesko str. 44".into(),
        owner: "adviser".into(),
        due: Some("2026-11-06".into()),
    });
    core.edit_record(p, Some(action), edited.clone()).unwrap();
    assert_eq!(core.record_values(p, Some(action)).unwrap(), edited);

    // A record of another kind, or none at all.
    let e = core
        .edit_record(
            p,
            Some(action),
            RecordValues::Goal(GoalInput {
                category: "other".into(),
                description: "Et mål".into(),
            }),
        )
        .unwrap_err();
    assert_eq!(e.kind, "unknown_record", "{e:?}");
    let e = core
        .record_values(p, Some(uuid::Uuid::new_v4()))
        .unwrap_err();
    assert_eq!(e.kind, "unknown_record", "{e:?}");
    let e = core
        .edit_record(
            p,
            None,
            RecordValues::Goal(GoalInput {
                category: "other".into(),
                description: "Et mål".into(),
            }),
        )
        .unwrap_err();
    assert_eq!(e.params["validation"], "required", "{e:?}");
}

/// The candidate's right of access: one folder with the records as JSON that its schema accepts,
/// and the automerge documents, which the plain automerge crate opens with the same values the
/// app shows; the export itself is audit-logged and shows in the next one.
#[test]
fn the_right_of_access_exports_what_the_device_holds_in_three_forms() {
    use automerge::{ROOT, ReadDoc};
    use folgesvenn_app_core::dto::{ActionInput, VisitInput};
    let tmp = tempfile::tempdir().unwrap();
    let core = adviser_core(&tmp.path().join("a"));
    let p = core.create_placement(placement()).unwrap();
    core.give_consent(
        p,
        ConsentInput {
            scopes: vec!["follow_up".into()],
            text_version: "2026-1".into(),
        },
    )
    .unwrap();
    core.record_visit(
        p,
        VisitInput {
            at: "2026-10-15T10:30:00+02:00".into(),
            kind: "on_site".into(),
            place: "Bakeriet".into(),
            attendees: vec!["Ola".into()],
            summary: "Godt i gang".into(),
            attendance_since_last: String::new(),
            task_progress: String::new(),
            employer_rating: Some(4),
            candidate_rating: None,
            adviser_note: "Bare NAV: sliten etter helgen".into(),
            actions: vec![ActionInput {
                what: "Kjøpe vernesko".into(),
                owner: "employer".into(),
                due: None,
            }],
            next_visit: None,
            corrects: None,
        },
    )
    .unwrap();
    let out = tmp.path().join("ut");
    std::fs::create_dir_all(&out).unwrap();
    let folder = core
        .export_access(p, &out, &ExportWatch::default())
        .unwrap();
    let name = folder.file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.starts_with("folgesvenn-innsyn-"), "{name}");
    let mut files: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "delt.automerge",
            "innsyn.json",
            "innsyn.pdf",
            "veileder.automerge"
        ]
    );

    // The readable form: a PDF/A-2 file (krilla refuses to write one that breaks the standard),
    // whose text a PDF reader finds, Norwegian letters and all.
    let pdf = std::fs::read(folder.join("innsyn.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(
        pdf.windows(b"pdfaid:part".len())
            .any(|w| w == b"pdfaid:part"),
        "the PDF/A identification is in its metadata"
    );
    let text = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(folder.join("innsyn.pdf"))
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils; cargo xtask setup installs it)");
    assert!(text.status.success());
    let text = String::from_utf8(text.stdout).unwrap();
    for expected in [
        "Innsyn – Ola Nordmann",
        "Bodø Bakeri AS",
        "Godt i gang",
        "Kjøpe vernesko",
        "Veilederens egne notater (bare NAV)",
        "Bare NAV: sliten etter helgen",
        "Samtykker",
        "tekstversjon 2026-1",
        "Kari Veileder (NAV-veileder) skrev",
        "Hvem har lest, skrevet og delt opplysningene",
    ] {
        assert!(
            text.contains(expected),
            "«{expected}» is not in the PDF:\n{text}"
        );
    }
    let partials = std::fs::read_dir(&out).unwrap().count();
    assert_eq!(partials, 1, "nothing half-written beside it");

    // The JSON form, against its documented schema.
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(folder.join("innsyn.json")).unwrap()).unwrap();
    let schema = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/export.schema.json");
    let mut schemas = boon::Schemas::new();
    let index = boon::Compiler::new().compile(schema, &mut schemas).unwrap();
    if let Err(e) = schemas.validate(&json, index) {
        panic!("innsyn.json does not match its schema: {e:#}");
    }
    assert_eq!(json["schema"], "folgesvenn-innsyn/1");
    assert_eq!(
        json["shared"]["placement"]["candidate_name"],
        "Ola Nordmann"
    );
    let private_notes = json["private"]["notes"].as_object().unwrap();
    assert!(
        private_notes
            .values()
            .any(|n| n["body"] == "Bare NAV: sliten etter helgen")
    );
    assert!(
        json["audit"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "write")
    );
    // A document that does not fit the schema is refused by it (the check can fail).
    let mut broken = json.clone();
    broken["shared"]["placement"]["start_date"] = serde_json::json!(20261001);
    assert!(schemas.validate(&broken, index).is_err());

    // The automerge files, read with the plain automerge crate, hold what the app shows.
    let shared =
        automerge::AutoCommit::load(&std::fs::read(folder.join("delt.automerge")).unwrap())
            .unwrap();
    let (_, facts) = shared.get(ROOT, "placement").unwrap().unwrap();
    let (name, _) = shared.get(&facts, "candidate_name").unwrap().unwrap();
    let overview = core.overview(p).unwrap();
    assert_eq!(name.as_str(), Some(overview.facts.candidate_name.as_str()));
    let (_, visits) = shared.get(ROOT, "visits").unwrap().unwrap();
    let shown: Vec<String> = overview
        .timeline
        .iter()
        .filter_map(|i| match i {
            TimelineItem::Visit { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect();
    let stored: Vec<String> = shared
        .keys(&visits)
        .map(|k| {
            let (_, visit) = shared.get(&visits, k.as_str()).unwrap().unwrap();
            // Written once, so one string (not automerge `Text`).
            let (summary, _) = shared.get(&visit, "summary").unwrap().unwrap();
            summary.into_string().unwrap()
        })
        .collect();
    assert_eq!(stored, shown);
    let own =
        automerge::AutoCommit::load(&std::fs::read(folder.join("veileder.automerge")).unwrap())
            .unwrap();
    let (_, consents) = own.get(ROOT, "consents").unwrap().unwrap();
    assert_eq!(own.keys(&consents).count(), 1);

    // The export is an audit entry of its own, in the next export; the same folder twice is
    // refused rather than overwritten.
    let again = core
        .export_access(p, &out, &ExportWatch::default())
        .unwrap_err();
    assert_eq!(again.kind, "io", "{again:?}");
    let second = tmp.path().join("ut2");
    std::fs::create_dir_all(&second).unwrap();
    let folder = core
        .export_access(p, &second, &ExportWatch::default())
        .unwrap();
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(folder.join("innsyn.json")).unwrap()).unwrap();
    assert!(
        json["audit"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "export" && e["record"] == "access"),
        "{}",
        json["audit"]
    );
}

/// A visit report for the case file: the normal one never holds the adviser's own note, the
/// internal one does and says so; a corrected visit shows what it said before; each report is an
/// export in the audit log, and a report is never written over.
#[test]
fn a_visit_report_leaves_the_advisers_note_out_unless_it_is_the_internal_one() {
    use folgesvenn_app_core::dto::{ActionInput, VisitInput};
    let tmp = tempfile::tempdir().unwrap();
    let core = adviser_core(&tmp.path().join("a"));
    let p = core.create_placement(placement()).unwrap();
    let visit = |summary: &str, corrects: Option<uuid::Uuid>| VisitInput {
        at: "2026-10-15T10:30:00+02:00".into(),
        kind: "three_party".into(),
        place: "Bakeriet".into(),
        attendees: vec!["Ola".into(), "Per".into()],
        summary: summary.into(),
        attendance_since_last: "Full".into(),
        task_progress: "Kan ovnen".into(),
        employer_rating: Some(4),
        candidate_rating: Some(5),
        adviser_note: if corrects.is_none() {
            "Bare NAV: sover dårlig".into()
        } else {
            String::new()
        },
        actions: vec![ActionInput {
            what: "Skaffe hørselvern".into(),
            owner: "employer".into(),
            due: Some("2026-10-30".into()),
        }],
        next_visit: Some("2026-11-12".into()),
        corrects,
    };
    let first = core.record_visit(p, visit("Godt i gang", None)).unwrap();
    let second = core
        .record_visit(
            p,
            visit("Godt i gang, trenger mer tid på ovnen", Some(first)),
        )
        .unwrap();
    let out = tmp.path().join("saker");
    std::fs::create_dir_all(&out).unwrap();
    let pdftotext = |file: &std::path::Path| {
        let o = std::process::Command::new("pdftotext")
            .args(["-enc", "UTF-8"])
            .arg(file)
            .arg("-")
            .output()
            .expect("pdftotext (poppler-utils; cargo xtask setup installs it)");
        String::from_utf8(o.stdout).unwrap()
    };

    let normal = core
        .export_visit_report(p, second, false, &out, &ExportWatch::default())
        .unwrap();
    let text = pdftotext(&normal);
    for expected in [
        "Besøksrapport – Ola Nordmann",
        "Trepartsmøte",
        "Godt i gang, trenger mer tid på ovnen",
        "Skaffe hørselvern",
        "Rettelser",
        "Kan ovnen",
    ] {
        assert!(
            text.contains(expected),
            "«{expected}» is not in the report:\n{text}"
        );
    }
    assert!(
        !text.contains("sover dårlig"),
        "the adviser's note is in the normal report"
    );
    assert!(!text.contains("INTERN"));

    let internal = core
        .export_visit_report(p, second, true, &out, &ExportWatch::default())
        .unwrap();
    assert_ne!(internal, normal);
    let text = pdftotext(&internal);
    assert!(text.contains("INTERN VERSJON"), "{text}");
    assert!(text.contains("Bare NAV: sover dårlig"), "{text}");

    // Never written over; no partial file beside the two.
    let again = core
        .export_visit_report(p, second, false, &out, &ExportWatch::default())
        .unwrap_err();
    assert_eq!(again.kind, "io", "{again:?}");
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 2);
    // Both are in the audit log (as the next access copy shows).
    let copy = core
        .export_access(p, &out, &ExportWatch::default())
        .unwrap();
    let json = std::fs::read_to_string(copy.join("innsyn.json")).unwrap();
    assert!(json.contains(&format!("visit_report/{second}")));
    assert!(json.contains(&format!("visit_report_internal/{second}")));
}

/// The placement summary for the case file covers the period chosen, with the response time of
/// each contact request, and holds nothing of the adviser's own document.
#[test]
fn a_placement_summary_covers_its_period_and_none_of_the_advisers_own_notes() {
    use folgesvenn_app_core::dto::VisitInput;
    let tmp = tempfile::tempdir().unwrap();
    let core = adviser_core(&tmp.path().join("a"));
    let p = core.create_placement(placement()).unwrap();
    for (at, summary) in [
        ("2026-10-15T10:30:00+02:00", "Første besøk OKTOBER-1"),
        ("2026-11-20T10:30:00+01:00", "Andre besøk NOVEMBER-2"),
    ] {
        core.record_visit(
            p,
            VisitInput {
                at: at.into(),
                kind: "on_site".into(),
                place: "Bakeriet".into(),
                attendees: vec![],
                summary: summary.into(),
                attendance_since_last: String::new(),
                task_progress: String::new(),
                employer_rating: None,
                candidate_rating: None,
                adviser_note: "Bare NAV: HEMMELIG-77".into(),
                actions: vec![],
                next_visit: None,
                corrects: None,
            },
        )
        .unwrap();
    }
    let out = tmp.path().join("saker");
    std::fs::create_dir_all(&out).unwrap();
    let file = core
        .export_placement_summary(p, "2026-11-01", "2026-11-30", &out, &ExportWatch::default())
        .unwrap();
    let text = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils; cargo xtask setup installs it)");
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("Oppsummering – Ola Nordmann, 01.11.2026") && text.contains("30.11.2026"),
        "{text}"
    );
    assert!(text.contains("0 dager logget, 0 timer i alt."), "{text}");
    assert!(text.contains("NOVEMBER-2"), "{text}");
    assert!(
        !text.contains("OKTOBER-1"),
        "a visit outside the period: {text}"
    );
    assert!(
        !text.contains("HEMMELIG-77"),
        "the adviser's own note: {text}"
    );
    assert!(
        text.contains("Svarfrist for ønsker om kontakt: 2 arbeidsdager"),
        "{text}"
    );
    let bad = core
        .export_placement_summary(p, "2026-11-30", "2026-11-01", &out, &ExportWatch::default())
        .unwrap_err();
    assert_eq!(bad.kind, "end_before_start", "{bad:?}");
}

/// Every export tells its progress up to 100 % and can be cancelled at any point it tells: a
/// cancelled export fails as `cancelled`, leaves nothing in the chosen folder (no partial file or
/// folder) and no audit entry; an export that is let run is in the audit log.
#[test]
fn a_cancelled_export_leaves_nothing_behind_and_is_not_logged() {
    use folgesvenn_app_core::dto::{ExportProgress, ExportStage, VisitInput};
    let tmp = tempfile::tempdir().unwrap();
    let core = adviser_core(&tmp.path().join("a"));
    let p = core.create_placement(placement()).unwrap();
    let visit = core
        .record_visit(
            p,
            VisitInput {
                at: "2026-10-15T10:30:00+02:00".into(),
                kind: "three_party".into(),
                place: "Bakeriet".into(),
                attendees: vec!["Ola".into()],
                summary: "Godt i gang".into(),
                attendance_since_last: String::new(),
                task_progress: String::new(),
                employer_rating: None,
                candidate_rating: None,
                adviser_note: "Bare NAV".into(),
                actions: vec![],
                next_visit: None,
                corrects: None,
            },
        )
        .unwrap();
    type Run<'a> = Box<
        dyn Fn(
                &std::path::Path,
                &ExportWatch<'_>,
            ) -> Result<std::path::PathBuf, folgesvenn_app_core::CommandError>
            + 'a,
    >;
    let exports: Vec<(&str, Run)> = vec![
        ("access", Box::new(|into, w| core.export_access(p, into, w))),
        (
            "visit_report",
            Box::new(|into, w| core.export_visit_report(p, visit, true, into, w)),
        ),
        (
            "summary",
            Box::new(|into, w| {
                core.export_placement_summary(p, "2026-10-01", "2026-10-31", into, w)
            }),
        ),
    ];
    let job = "eksport-1";
    for (name, run) in &exports {
        // Let run: how many times it tells, and that it ends at 100 % with its stages in order.
        let told = std::sync::Mutex::new(Vec::<ExportProgress>::new());
        let report = |p: ExportProgress| told.lock().unwrap().push(p);
        let out = tmp.path().join(format!("{name}-whole"));
        std::fs::create_dir_all(&out).unwrap();
        run(
            &out,
            &ExportWatch {
                job: Some(job),
                report: &report,
            },
        )
        .unwrap();
        let told = told.into_inner().unwrap();
        assert_eq!(
            told.first().map(|p| p.stage),
            Some(ExportStage::Reading),
            "{name}"
        );
        assert_eq!(
            told.last().map(|p| p.percent),
            Some(100),
            "{name}: {told:?}"
        );
        assert!(
            told.windows(2).all(|w| w[0].percent < w[1].percent),
            "{name}: {told:?}"
        );
        assert!(
            told.iter().any(|p| p.stage == ExportStage::Drawing),
            "{name}"
        );
        assert!(
            !core.cancel_export(job),
            "{name}: the job is gone once it ended"
        );

        // Cancelled at each point it tells but the last (when the file is in place).
        for at in 0..told.len() - 1 {
            let seen = std::sync::atomic::AtomicUsize::new(0);
            let report = |_: ExportProgress| {
                if seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == at {
                    assert!(core.cancel_export(job));
                }
            };
            let out = tmp.path().join(format!("{name}-{at}"));
            std::fs::create_dir_all(&out).unwrap();
            let e = run(
                &out,
                &ExportWatch {
                    job: Some(job),
                    report: &report,
                },
            )
            .unwrap_err();
            assert_eq!(e.kind, "cancelled", "{name} at {at}: {e:?}");
            let left: Vec<_> = std::fs::read_dir(&out).unwrap().collect();
            assert!(left.is_empty(), "{name} cancelled at {at} left {left:?}");
        }
    }

    // Two exports under one job name at once are refused, not mixed up.
    let busy = std::sync::atomic::AtomicBool::new(false);
    let out = tmp.path().join("twice");
    std::fs::create_dir_all(&out).unwrap();
    let report = |_: ExportProgress| {
        if !busy.swap(true, std::sync::atomic::Ordering::SeqCst) {
            let e = core
                .export_access(
                    p,
                    &out,
                    &ExportWatch {
                        job: Some(job),
                        report: &|_| {},
                    },
                )
                .unwrap_err();
            assert_eq!(e.kind, "invalid_input", "{e:?}");
        }
    };
    core.export_access(
        p,
        &out,
        &ExportWatch {
            job: Some(job),
            report: &report,
        },
    )
    .unwrap();

    // The audit log holds the three exports let run and the last one, none of the cancelled.
    let last = tmp.path().join("last");
    std::fs::create_dir_all(&last).unwrap();
    let folder = core
        .export_access(p, &last, &ExportWatch::default())
        .unwrap();
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(folder.join("innsyn.json")).unwrap()).unwrap();
    let exported: Vec<&str> = json["audit"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "export")
        .map(|e| e["record"].as_str().unwrap())
        .collect();
    assert_eq!(
        exported,
        [
            "access".to_owned(),
            format!("visit_report_internal/{visit}"),
            "placement_summary/2026-10-01..2026-10-31".to_owned(),
            "access".to_owned(),
        ],
        "{exported:?}"
    );
}

/// What joining one placement brings.
fn one(p: uuid::Uuid) -> folgesvenn_app_core::dto::Joined {
    folgesvenn_app_core::dto::Joined {
        placement_id: Some(p.to_string()),
        placements: 1,
        missing: 0,
    }
}
