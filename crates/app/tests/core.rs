//! The app's commands without the window: first run, unlock, placements, bad input.

use folgesvenn_app_core::AppCore;
use folgesvenn_app_core::dto::{NewPlacementInput, Role, SetupInput, SyncState};

fn setup(passphrase: Option<&str>, relay: &str) -> SetupInput {
    SetupInput {
        role: Role::Adviser,
        user_name: "Kari Veileder".into(),
        passphrase: passphrase.map(Into::into),
        relay: relay.into(),
    }
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
