//! Encryption at rest: what people write is in none of the database's files, and the stock
//! `sqlite3` cannot read the database.

use std::process::Command;

use folgesvenn_domain::*;
use folgesvenn_store::Store;

use crate::common::*;

const MARKER: &str = "HEMMELIG-MARKØR-9c41";

fn files_with_marker(dir: &std::path::Path) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        // The ASCII head of the marker too, in case only part of it were stored plainly.
        if bytes.windows(MARKER.len()).any(|w| w == MARKER.as_bytes())
            || bytes.windows(13).any(|w| w == b"HEMMELIG-MARK")
        {
            found.push(path.file_name().unwrap().to_string_lossy().into_owned());
        }
    }
    found
}

fn write_everywhere(store: &mut Store) {
    let p = store
        .create_placement(&placement_input(&format!("Ola {MARKER}")))
        .unwrap();
    store
        .write_shared(p, |d, s| {
            d.add_note(
                &NewNote {
                    body: format!("Delt notat {MARKER}"),
                    reply_to: None,
                },
                s,
            )
        })
        .unwrap();
    store
        .write_private(p, |d, s| {
            d.add_note(
                &NewAdviserNote {
                    body: format!("Privat {MARKER}"),
                    health_related: true,
                    visit: None,
                },
                s,
            )
        })
        .unwrap();
    store
        .record_visit(
            p,
            &NewVisit {
                at: Moment::parse(folgesvenn_domain::Field::At, "2026-11-27T09:00:00Z").unwrap(),
                place: MARKER.into(),
                kind: VisitKind::OnSite,
                attendees: vec![MARKER.into()],
                summary: format!("Oppsummering {MARKER}"),
                check_in: CheckIn::default(),
                actions: vec![],
                next_visit: None,
            },
            Some(MARKER),
        )
        .unwrap();
    store
        .log_observation(
            p,
            &NewObservation {
                date: day("2026-11-27"),
                attendance: Attendance::Present,
                hours: 5.0,
                tasks_done: MARKER.into(),
                went_well: MARKER.into(),
                problem: MARKER.into(),
                wants_contact: true,
                contact_message: MARKER.into(),
            },
        )
        .unwrap();
}

#[test]
fn nothing_written_is_readable_on_disk() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    let (mut store, _) = new_store(&dir, Role::Adviser, "Kari Veileder");
    write_everywhere(&mut store);
    // The store really holds the marker: search finds it in every kind of record.
    let kinds: std::collections::BTreeSet<String> = store
        .search("hemmelig", 50)
        .unwrap()
        .into_iter()
        .map(|h| h.kind)
        .collect();
    // Five kinds of record, and the placement itself by its candidate's name.
    assert_eq!(kinds.len(), 6, "{kinds:?}");
    assert!(kinds.contains("placement"), "{kinds:?}");

    // While the store is open: the WAL and shared-memory files exist and hold recent pages.
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().any(|n| n.ends_with("-wal")), "{names:?}");
    assert!(names.iter().any(|n| n.ends_with("-shm")), "{names:?}");
    assert_eq!(files_with_marker(&dir), Vec::<String>::new());
    drop(store);
    assert_eq!(files_with_marker(&dir), Vec::<String>::new());

    let out = Command::new("sqlite3")
        .arg(dir.join("folgesvenn.db"))
        .arg("SELECT count(*) FROM sqlite_master;")
        .output()
        .expect("the stock sqlite3 must be installed (cargo xtask setup installs it)");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "sqlite3 read the database: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(stderr.contains("not a database"), "{stderr}");
}

#[test]
fn the_marker_check_would_catch_plaintext() {
    // The scan above must be able to fail: an unencrypted SQLite file with the marker is caught.
    let tmp = tempfile::tempdir().unwrap();
    let status = Command::new("sqlite3")
        .arg(tmp.path().join("plain.db"))
        .arg(format!(
            "CREATE TABLE t(x); INSERT INTO t VALUES ('{MARKER}');"
        ))
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(files_with_marker(tmp.path()), vec!["plain.db".to_owned()]);
}
