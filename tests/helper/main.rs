//! A child process for the scenarios: it does real work on a real store and reports each step on
//! stdout, so the test can kill it at any point and then check what survived.
//!
//! `scenario-helper crash-writer DIR PLACEMENT...` reads the database key (hex) from stdin, opens
//! the store, prints `ready`, then writes records forever, printing `ok KIND PLACEMENT ID` only
//! after each record's transaction has committed.
//!
//! `scenario-helper keystore-check DIR` runs inside a D-Bus session with gnome-keyring: it creates
//! a store whose key lives in the Secret Service and checks the key is nowhere on disk, that the
//! store reopens through the keystore, and that a missing key is a clear error.

use std::io::{BufRead, Write};
use std::path::Path;

use anyhow::{Context, Result, bail};
use folgesvenn_domain::*;
use folgesvenn_store::{DbKey, KeyLocation, Store, Unlock, key::keystore};
use uuid::Uuid;

pub fn fixed_clock(store: &mut Store) {
    let m = Moment::parse(folgesvenn_domain::Field::At, "2026-11-27T10:00:00Z")
        .expect("valid timestamp");
    store.set_clock(move || (m, m.day()));
}

fn crash_writer(dir: &Path, placements: &[Uuid]) -> Result<()> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let key = DbKey::from_hex(&line).context("key on stdin")?;
    let mut store = Store::open(dir, Unlock::Key(key))?;
    fixed_clock(&mut store);
    // Compact often, so that kills also land in the middle of compactions.
    store.set_compact_after(24);
    let out = std::io::stdout();
    let mut out = out.lock();
    writeln!(out, "ready")?;
    out.flush()?;
    let day = Day::parse(folgesvenn_domain::Field::Date, "2026-11-27")?;
    for i in 0u64.. {
        let p = placements[(i as usize) % placements.len()];
        let (kind, id) = match i % 4 {
            0 => (
                "observation",
                store.log_observation(
                    p,
                    &NewObservation {
                        date: day,
                        attendance: Attendance::Present,
                        hours: 4.0,
                        tasks_done: format!("Oppgave {i}: varemottak og plukk"),
                        went_well: "Jobbet jevnt".into(),
                        problem: String::new(),
                        wants_contact: i % 8 == 0,
                        contact_message: String::new(),
                    },
                )?,
            ),
            1 => (
                "note",
                store.write_shared(p, |d, s| {
                    d.add_note(
                        &NewNote {
                            body: format!("Notat {i} om dagen på lageret"),
                            reply_to: None,
                        },
                        s,
                    )
                })?,
            ),
            2 => (
                "adviser_note",
                store.write_private(p, |d, s| {
                    d.add_note(
                        &NewAdviserNote {
                            body: format!("Eget notat {i}"),
                            health_related: false,
                            visit: None,
                        },
                        s,
                    )
                })?,
            ),
            _ => (
                "visit",
                store.record_visit(
                    p,
                    &NewVisit {
                        at: Moment::parse(folgesvenn_domain::Field::At, "2026-11-27T09:00:00Z")?,
                        place: "Lageret".into(),
                        kind: VisitKind::OnSite,
                        attendees: vec!["Ola".into()],
                        summary: format!("Besøk {i}"),
                        check_in: CheckIn::default(),
                        actions: vec![],
                        next_visit: None,
                    },
                    Some("kort notat"),
                )?,
            ),
        };
        writeln!(out, "ok {kind} {p} {id}")?;
        out.flush()?;
    }
    Ok(())
}

fn keystore_check(dir: &Path) -> Result<()> {
    if !keystore::available() {
        bail!("no Secret Service answered in this D-Bus session");
    }
    let marker = "NØKKELRING-MARKØR-5d1c";
    let mut store = Store::create(dir, Role::Adviser, "Kari Veileder", Unlock::Keystore)?;
    fixed_clock(&mut store);
    let p = store.create_placement(&NewPlacement {
        candidate_name: "Ola".into(),
        employer: Employer {
            org_number: "889640782".into(),
            name: "Bakeriet".into(),
            workplace_address: String::new(),
        },
        adviser_name: "Kari Veileder".into(),
        measure: MeasureType::Mentor,
        start_date: Day::parse(folgesvenn_domain::Field::Start, "2026-11-01")?,
        end_date: None,
        hours_per_week: 10.0,
    })?;
    store.write_shared(p, |d, s| {
        d.add_note(
            &NewNote {
                body: marker.into(),
                reply_to: None,
            },
            s,
        )
    })?;
    drop(store);

    let KeyLocation::Keystore { account } = Store::key_location(dir)? else {
        bail!("store.json does not name the keystore")
    };
    let key = keystore::load(&account)?;
    let hex_key = key.to_hex();
    for entry in std::fs::read_dir(dir)? {
        let bytes = std::fs::read(entry?.path())?;
        let text = String::from_utf8_lossy(&bytes);
        if text.contains(hex_key.as_str())
            || bytes
                .windows(32)
                .any(|w| w == hex::decode(hex_key.as_str()).unwrap_or_default())
        {
            bail!("the database key lies on disk");
        }
    }
    let mut store = Store::open(dir, Unlock::Keystore)?;
    let hits = store.search("nøkkelring", 5)?;
    if hits.len() != 1 {
        bail!(
            "reopened through the keystore, the note was not found ({} hits)",
            hits.len()
        );
    }
    drop(store);
    app_lock_check(&dir.with_extension("app"))?;

    let db = dir.join("folgesvenn.db");
    let before = std::fs::read(&db)?;
    keystore::delete(&account)?;
    match Store::open(dir, Unlock::Keystore) {
        Err(e) if e.kind() == "key_missing" => {}
        Err(e) => bail!("expected key_missing, got {}: {e}", e.kind()),
        Ok(_) => bail!("opened without a key"),
    }
    if std::fs::read(&db)? != before {
        bail!("a failed open changed the database file");
    }
    println!("keystore ok");
    Ok(())
}

/// The app's lock holds for a store whose key is in the keystore too: once locked, asking where
/// things stand does not open it again on its own (as it does at start); `unlock` does.
fn app_lock_check(dir: &Path) -> Result<()> {
    use folgesvenn_app_core::{AppCore, dto};
    let core = AppCore::new(dir.to_owned(), |_| {})?;
    let s = core.setup(dto::SetupInput {
        role: dto::Role::Adviser,
        user_name: "Kari Veileder".into(),
        passphrase: None,
        relay: "http://127.0.0.1:9".into(),
    })?;
    if !s.unlocked || s.needs_passphrase {
        bail!("a keystore store did not open at set-up: {s:?}");
    }
    if core.lock()?.unlocked || core.state()?.unlocked {
        bail!("a locked keystore store opened on its own");
    }
    if core.list_placements().map_err(|e| e.kind).err().as_deref() != Some("locked") {
        bail!("a command answered while locked");
    }
    if !core.unlock(None)?.unlocked || core.list_placements().is_err() {
        bail!("unlock did not open the keystore store");
    }
    Ok(())
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [cmd, dir, placements @ ..] if cmd == "crash-writer" => {
            let ps: Vec<Uuid> = placements
                .iter()
                .map(|p| p.parse())
                .collect::<Result<_, _>>()?;
            crash_writer(Path::new(dir), &ps)
        }
        [cmd, dir] if cmd == "keystore-check" => keystore_check(Path::new(dir)),
        // The real relay, as its own process: `scenario-helper relay serve --listen … --db …`.
        [cmd, ..] if cmd == "relay" => {
            folgesvenn_relay::cli::main_with(std::env::args_os().skip(1))
        }
        _ => bail!(
            "usage: scenario-helper crash-writer DIR PLACEMENT... | keystore-check DIR | relay serve ..."
        ),
    }
}
