//! The store as a device uses it: real SQLCipher files in a temporary directory, no mocks.

use std::path::Path;

use folgesvenn_domain::*;
use rusqlite::Connection;
use uuid::Uuid;

use crate::*;

pub(crate) fn day(s: &str) -> Day {
    Day::parse(folgesvenn_domain::Field::Date, s).unwrap()
}

pub(crate) fn fixed_clock(store: &mut Store, at: &str) {
    let m = Moment::parse(folgesvenn_domain::Field::At, at).unwrap();
    store.set_clock(move || (m, m.day()));
}

/// Puts a store's schema back to `version` as the app of that version left it: each later
/// migration's tables and columns dropped, `user_version` set back. The tests of what opening an
/// older store does start from this.
pub(crate) fn schema_back_to(conn: &Connection, version: u32) {
    const UNDO: &[(u32, &str)] = &[
        (
            13,
            "ALTER TABLE placements DROP COLUMN candidate_folded;
             ALTER TABLE placements DROP COLUMN employer_folded;",
        ),
        (12, "DROP TABLE consents;"),
        (11, "ALTER TABLE notes DROP COLUMN author_role;"),
        (10, "ALTER TABLE placements DROP COLUMN response_days;"),
    ];
    assert!(
        version >= 7,
        "only the migrations from 8 on are undone here"
    );
    for (v, sql) in UNDO {
        if *v > version {
            conn.execute_batch(sql).unwrap();
        }
    }
    conn.pragma_update(None, "user_version", version).unwrap();
}

pub(crate) fn new_placement(name: &str) -> NewPlacement {
    NewPlacement {
        candidate_name: name.into(),
        employer: Employer {
            org_number: "889640782".into(),
            name: "Bodø Bakeri AS".into(),
            workplace_address: "Storgata 3, 8006 Bodø".into(),
        },
        adviser_name: "Kari Veileder".into(),
        measure: MeasureType::WorkTraining,
        start_date: day("2026-10-01"),
        end_date: Some(day("2027-03-31")),
        hours_per_week: 20.0,
    }
}

fn adviser_store(dir: &Path) -> (Store, DbKey) {
    let key = DbKey::generate();
    let mut s = Store::create(
        dir,
        Role::Adviser,
        "Kari Veileder",
        Unlock::Key(key.clone()),
    )
    .unwrap();
    fixed_clock(&mut s, "2026-11-27T10:00:00Z");
    (s, key)
}

fn visit(summary: &str) -> NewVisit {
    NewVisit {
        at: Moment::parse(folgesvenn_domain::Field::At, "2026-11-27T09:00:00Z").unwrap(),
        place: "Bakeriet".into(),
        kind: VisitKind::OnSite,
        attendees: vec!["Ola".into(), "Per".into()],
        summary: summary.into(),
        check_in: CheckIn::default(),
        actions: vec![NewAction {
            what: "Skaffe hørselvern".into(),
            owner: ActionOwner::Employer,
            due: Some(day("2026-11-20")),
        }],
        next_visit: Some(day("2026-12-11")),
    }
}

fn observation(wants_contact: bool) -> NewObservation {
    NewObservation {
        date: day("2026-11-26"),
        attendance: Attendance::Present,
        hours: 6.0,
        tasks_done: "Bakte rundstykker og vasket benker".into(),
        went_well: "Tok initiativ ved ovnen".into(),
        problem: if wants_contact {
            "Usikker på turnusen i jula".into()
        } else {
            String::new()
        },
        wants_contact,
        contact_message: String::new(),
    }
}

fn sha(path: &Path) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(std::fs::read(path).unwrap()).to_vec()
}

fn count(store_dir: &Path, key: &DbKey, sql: &str) -> i64 {
    let conn = Connection::open(store_dir.join("folgesvenn.db")).unwrap();
    conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", key.to_hex().as_str()))
        .unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn opening_never_creates_and_creating_never_overwrites() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    let err = Store::open(&dir, Unlock::Key(DbKey::generate()))
        .err()
        .unwrap();
    assert_eq!(err.kind(), "not_found");
    assert!(!dir.join("folgesvenn.db").exists());

    let (store, key) = adviser_store(&dir);
    drop(store);
    let err = Store::create(&dir, Role::Adviser, "Kari", Unlock::Key(DbKey::generate()))
        .err()
        .unwrap();
    assert_eq!(err.kind(), "already_exists");
    let reopened = Store::open(&dir, Unlock::Key(key)).unwrap();
    assert_eq!(reopened.role(), Role::Adviser);
    assert_eq!(reopened.user_name(), "Kari Veileder");
}

#[test]
fn wrong_key_and_wrong_passphrase_leave_the_file_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut store, key) = adviser_store(tmp.path());
    store
        .create_placement(&new_placement("Ola Nordmann"))
        .unwrap();
    drop(store);
    let db = tmp.path().join("folgesvenn.db");
    let before = sha(&db);
    let err = Store::open(tmp.path(), Unlock::Key(DbKey::generate()))
        .err()
        .unwrap();
    assert_eq!(err.kind(), "wrong_key", "{err}");
    assert!(err.to_string().contains("ikke endret"));
    assert_eq!(sha(&db), before);
    let err = Store::open(
        tmp.path(),
        Unlock::Passphrase("et passord".to_owned().into()),
    )
    .err()
    .unwrap();
    assert_eq!(err.kind(), "other_unlock");
    assert_eq!(
        Store::open(tmp.path(), Unlock::Key(key))
            .unwrap()
            .list_placements()
            .unwrap()
            .len(),
        1
    );

    let tmp = tempfile::tempdir().unwrap();
    let mut s = Store::create(
        tmp.path(),
        Role::Employer,
        "Per",
        Unlock::Passphrase("lang nok frase".to_owned().into()),
    )
    .unwrap();
    fixed_clock(&mut s, "2026-11-27T10:00:00Z");
    drop(s);
    assert!(matches!(
        Store::key_location(tmp.path()).unwrap(),
        KeyLocation::Passphrase(_)
    ));
    let meta = std::fs::read_to_string(tmp.path().join("store.json")).unwrap();
    assert!(meta.contains("argon2id"));
    let db = tmp.path().join("folgesvenn.db");
    let before = sha(&db);
    let err = Store::open(
        tmp.path(),
        Unlock::Passphrase("feil frase!!".to_owned().into()),
    )
    .err()
    .unwrap();
    assert_eq!(err.kind(), "wrong_passphrase");
    assert_eq!(sha(&db), before);
    let s = Store::open(
        tmp.path(),
        Unlock::Passphrase("lang nok frase".to_owned().into()),
    )
    .unwrap();
    assert_eq!(s.role(), Role::Employer);
}

#[test]
fn a_tampered_file_is_reported_and_left_as_it_is() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut store, key) = adviser_store(tmp.path());
    let p = store
        .create_placement(&new_placement("Ola Nordmann"))
        .unwrap();
    for i in 0..40 {
        store
            .write_shared(p, |d, s| {
                d.add_note(
                    &NewNote {
                        body: format!("Notat {i} {}", "tekst ".repeat(80)),
                        reply_to: None,
                    },
                    s,
                )
            })
            .unwrap();
    }
    drop(store);
    let db = tmp.path().join("folgesvenn.db");
    let mut bytes = std::fs::read(&db).unwrap();
    assert!(bytes.len() > 4096 * 4, "several pages");
    // Flip one byte in the middle of the third page: its HMAC no longer matches.
    bytes[4096 * 2 + 1000] ^= 0x55;
    std::fs::write(&db, &bytes).unwrap();
    let before = sha(&db);
    let outcome = Store::open(tmp.path(), Unlock::Key(key.clone()))
        .and_then(|s| s.verify_integrity().map(|_| s));
    let err = outcome.err().expect("a tampered page must be found");
    assert_eq!(err.kind(), "damaged", "{err}");
    assert_eq!(sha(&db), before, "the damaged file was changed");

    // Tampering with the first page is found at open.
    bytes[100] ^= 0x01;
    std::fs::write(&db, &bytes).unwrap();
    let before = sha(&db);
    let err = Store::open(tmp.path(), Unlock::Key(key)).err().unwrap();
    assert_eq!(err.kind(), "damaged", "{err}");
    assert_eq!(sha(&db), before);
}

#[test]
fn records_are_projected_listed_and_searchable() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut store, _) = adviser_store(tmp.path());
    let p = store
        .create_placement(&new_placement("Ola Nordmann"))
        .unwrap();
    let other = store
        .create_placement(&new_placement("Kari Nordmann"))
        .unwrap();
    store
        .record_visit(
            p,
            &visit("Ola plukket blåbær til kakene og trives med bakingen"),
            Some("Snakket om søvnvansker"),
        )
        .unwrap();
    store.log_observation(p, &observation(true)).unwrap();
    store
        .write_shared(other, |d, s| {
            d.add_note(
                &NewNote {
                    body: "Første dag på lageret".into(),
                    reply_to: None,
                },
                s,
            )
        })
        .unwrap();

    let list = store.list_placements().unwrap();
    assert_eq!(list.len(), 2);
    let ola = list.iter().find(|s| s.id == p).unwrap();
    assert_eq!(ola.next_visit.as_deref(), Some("2026-12-11"));
    assert_eq!(ola.open_requests, 1);
    assert_eq!(ola.overdue_actions, 1, "the action was due 2026-11-20");
    assert_eq!(ola.last_observation.as_deref(), Some("2026-11-26"));
    // The overview says the same as the list.
    let facts = store.overview(p, 10).unwrap().facts;
    assert_eq!(facts.next_visit.as_deref(), Some("2026-12-11"));
    assert_eq!(facts.last_observation.as_deref(), Some("2026-11-26"));

    let hits = store.search("blåbær", 10).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].placement_id, p);
    assert_eq!(hits[0].kind, "visit");
    assert!(hits[0].snippet.contains("[blåbær]"), "{}", hits[0].snippet);
    assert!(
        store.search("blabaer", 10).unwrap().is_empty(),
        "å and æ are letters of their own"
    );
    let hits = store.search("lager", 10).unwrap();
    assert_eq!(
        hits.iter().map(|h| h.placement_id).collect::<Vec<_>>(),
        vec![other],
        "prefix of «lageret»"
    );
    let hits = store.search("søvn", 10).unwrap();
    assert_eq!(hits[0].kind, "adviser_note");
    assert!(store.search("\" OR *", 10).unwrap().is_empty());

    let view = store.placement(p).unwrap();
    assert_eq!(view.shared.visits.len(), 1);
    assert_eq!(view.private.as_ref().unwrap().notes.len(), 1);
    let note = view.private.unwrap().notes.into_values().next().unwrap();
    assert_eq!(note.visit, Some(*view.shared.visits.keys().next().unwrap()));
}

#[test]
fn bad_input_is_refused_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut store, key) = adviser_store(tmp.path());
    let p = store
        .create_placement(&new_placement("Ola Nordmann"))
        .unwrap();
    let counts = |key: &DbKey| {
        [
            "SELECT count(*) FROM doc_changes",
            "SELECT count(*) FROM audit_log",
            "SELECT count(*) FROM search_docs",
            "SELECT count(*) FROM placements",
        ]
        .map(|q| count(tmp.path(), key, q))
    };
    let before = counts(&key);

    let mut bad = new_placement("Ola");
    bad.end_date = Some(day("2026-01-01"));
    assert_eq!(
        store.create_placement(&bad).unwrap_err().kind(),
        "end_before_start"
    );
    let mut bad_visit = visit("x");
    bad_visit.check_in.employer_rating = Some(9);
    assert_eq!(
        store
            .record_visit(p, &bad_visit, Some("notat"))
            .unwrap_err()
            .kind(),
        "out_of_range"
    );
    let mut bad_obs = observation(false);
    bad_obs.date = day("2030-01-01");
    assert_eq!(
        store.log_observation(p, &bad_obs).unwrap_err().kind(),
        "in_future"
    );
    let unknown = Uuid::new_v4();
    assert_eq!(
        store
            .log_observation(unknown, &observation(false))
            .unwrap_err()
            .kind(),
        "unknown_placement"
    );
    assert_eq!(
        store.placement(unknown).unwrap_err().kind(),
        "unknown_placement"
    );
    assert_eq!(
        store
            .write_shared(p, |d, s| d.resolve_request(unknown, "ok", s))
            .unwrap_err()
            .kind(),
        "unknown_record"
    );
    assert_eq!(counts(&key), before);

    // The store still works after the refusals, with nothing half-written in memory.
    store.log_observation(p, &observation(false)).unwrap();
    let view = store.placement(p).unwrap();
    assert_eq!(view.shared.visits.len(), 0);
    assert_eq!(view.shared.observations.len(), 1);
}

#[test]
fn an_employer_store_never_holds_private_documents() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut adviser, _) = adviser_store(&tmp.path().join("a"));
    let p = adviser
        .create_placement(&new_placement("Ola Nordmann"))
        .unwrap();
    let shared_id = adviser.document_id(p, DocKind::Shared).unwrap();
    let private_id = adviser.document_id(p, DocKind::Private).unwrap();
    let mut employer = Store::create(
        &tmp.path().join("e"),
        Role::Employer,
        "Per",
        Unlock::Key(DbKey::generate()),
    )
    .unwrap();
    fixed_clock(&mut employer, "2026-11-27T15:00:00Z");
    let private = adviser.document_bytes(private_id).unwrap();
    assert_eq!(
        employer
            .import_document(private_id, DocKind::Private, &private)
            .unwrap_err()
            .kind(),
        "not_for_this_role"
    );
    let shared = adviser.document_bytes(shared_id).unwrap();
    assert_eq!(
        employer
            .import_document(shared_id, DocKind::Shared, &shared)
            .unwrap(),
        p
    );
    assert_eq!(
        employer
            .record_visit(p, &visit("x"), Some("hemmelig"))
            .unwrap_err()
            .kind(),
        "not_for_this_role"
    );
    assert!(employer.placement(p).unwrap().private.is_none());
    assert_eq!(employer.documents().unwrap().len(), 1);
}

#[test]
fn audit_log_records_reads_writes_exports_and_detects_tampering() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut store, key) = adviser_store(tmp.path());
    let p = store
        .create_placement(&new_placement("Ola Nordmann"))
        .unwrap();
    store.log_observation(p, &observation(true)).unwrap();
    store.placement(p).unwrap();
    store.export_placement(p).unwrap();
    let entries = store.audit_entries(Some(p)).unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    assert!(
        actions.contains(&"write") && actions.contains(&"read") && actions.contains(&"export"),
        "{actions:?}"
    );
    assert!(
        entries
            .iter()
            .all(|e| e.device_id == store.device_id().to_string() && e.actor == "Kari Veileder")
    );
    assert!(
        entries
            .iter()
            .any(|e| e.record.starts_with("contact_requests/"))
    );
    let n = store.verify_audit().unwrap();
    assert!(n >= 6);
    drop(store);

    let tamper = |sql: &str| {
        let conn = Connection::open(tmp.path().join("folgesvenn.db")).unwrap();
        conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", key.to_hex().as_str()))
            .unwrap();
        conn.execute_batch(sql).unwrap();
    };
    let check = || {
        Store::open(tmp.path(), Unlock::Key(key.clone()))
            .unwrap()
            .verify_audit()
            .unwrap_err()
    };

    tamper("UPDATE audit_log SET actor = 'Noen andre' WHERE seq = 3");
    let err = check();
    assert!(
        matches!(err, StoreError::AuditBroken { seq: 3, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("oppføring 3"));
    tamper("UPDATE audit_log SET actor = 'Kari Veileder' WHERE seq = 3");
    Store::open(tmp.path(), Unlock::Key(key.clone()))
        .unwrap()
        .verify_audit()
        .unwrap();

    tamper("DELETE FROM audit_log WHERE seq = 2");
    assert!(matches!(check(), StoreError::AuditBroken { seq: 2, .. }));
}

#[test]
fn audit_log_notices_its_newest_entries_removed() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut store, key) = adviser_store(tmp.path());
    let p = store
        .create_placement(&new_placement("Ola Nordmann"))
        .unwrap();
    store.placement(p).unwrap();
    store.placement(p).unwrap();
    let n = store.verify_audit().unwrap();
    drop(store);
    let conn = Connection::open(tmp.path().join("folgesvenn.db")).unwrap();
    conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", key.to_hex().as_str()))
        .unwrap();
    conn.execute("DELETE FROM audit_log WHERE seq = ?1", [n])
        .unwrap();
    drop(conn);
    let err = Store::open(tmp.path(), Unlock::Key(key))
        .unwrap()
        .verify_audit()
        .unwrap_err();
    assert!(
        matches!(err, StoreError::AuditBroken { seq, .. } if seq == n),
        "{err}"
    );
}

/// `n` notes, each its own write.
fn add_notes(store: &mut Store, p: Uuid, n: usize) {
    for i in 0..n {
        store
            .write_shared(p, |d, s| {
                d.add_note(
                    &NewNote {
                        body: format!("Notat nummer {i}"),
                        reply_to: None,
                    },
                    s,
                )
            })
            .unwrap();
    }
}

/// Steps run `atomically` land together or not at all: a failure after a write, a new
/// document and a sync setting rolls all three back, on disk and in memory, and what the store
/// held before is untouched; the same steps that succeed are all there.
#[test]
fn steps_run_atomically_land_together_or_not_at_all() {
    let tmp = tempfile::tempdir().unwrap();
    let mine = tmp.path().join("min");
    let (mut store, key) = adviser_store(&mine);
    let kept = store.create_placement(&new_placement("Før")).unwrap();
    add_notes(&mut store, kept, 1);
    let (mut other, _) = adviser_store(&tmp.path().join("annen"));
    let incoming = other.create_placement(&new_placement("Inn")).unwrap();
    let incoming_doc = other.document_id(incoming, DocKind::Shared).unwrap();
    let bytes = other.document_bytes(incoming_doc).unwrap();
    let before = store.projection_dump(true).unwrap();

    let steps = |s: &mut Store, fail: bool| -> Result<(), StoreError> {
        add_notes(s, kept, 1);
        s.import_document(incoming_doc, DocKind::Shared, &bytes)?;
        s.set_meta("atomically-test", "1")?;
        if fail {
            return Err(StoreError::UnknownDocument(Uuid::nil()));
        }
        Ok(())
    };
    assert!(store.atomically(|s| steps(s, true)).is_err());
    assert_eq!(store.projection_dump(true).unwrap(), before);
    assert!(store.document_id(incoming, DocKind::Shared).is_err());
    assert_eq!(store.meta("atomically-test").unwrap(), None);
    assert!(!store.docs.contains_key(&incoming_doc));
    assert_eq!(store.placement(kept).unwrap().shared.notes.len(), 1);

    store.atomically(|s| steps(s, false)).unwrap();
    assert_eq!(store.placement(kept).unwrap().shared.notes.len(), 2);
    assert_eq!(store.placement(incoming).unwrap().id, incoming);
    assert_eq!(store.meta("atomically-test").unwrap().as_deref(), Some("1"));
    // And from disk, after the store is opened again.
    let dump = store.projection_dump(true).unwrap();
    drop(store);
    let again = Store::open(&mine, Unlock::Key(key)).unwrap();
    assert_eq!(again.projection_dump(true).unwrap(), dump);
}

/// A device that touches more documents than it keeps in memory keeps at most
/// `MAX_LOADED`, the least recently used leave, every placement still reads and writes, and a
/// document holding changes that are not on disk never leaves.
#[test]
fn documents_in_memory_are_bounded_and_only_saved_ones_leave() {
    use folgesvenn_domain::automerge::transaction::Transactable;
    let tmp = tempfile::tempdir().unwrap();
    let (mut store, _) = adviser_store(tmp.path());
    let first = store.create_placement(&new_placement("Først")).unwrap();
    let shared = store.document_id(first, DocKind::Shared).unwrap();
    // In memory only, as a failed write leaves a document.
    let unsaved = store.docs.get_mut(&shared).unwrap().doc.am();
    unsaved
        .put(folgesvenn_domain::automerge::ROOT, "bare_i_minnet", 1)
        .unwrap();
    unsaved.commit();
    let mut ids = vec![first];
    for i in 0..crate::docs::MAX_LOADED {
        ids.push(
            store
                .create_placement(&new_placement(&format!("Kandidat {i}")))
                .unwrap(),
        );
    }
    assert!(
        store.docs.len() <= crate::docs::MAX_LOADED,
        "{}",
        store.docs.len()
    );
    assert!(
        store.docs.contains_key(&shared),
        "the unsaved document stayed"
    );
    let private = store.document_id(first, DocKind::Private).unwrap();
    assert!(
        !store.docs.contains_key(&private),
        "the oldest saved one left"
    );
    // Every placement reads in full from disk, both its documents, and takes a write.
    for p in &ids {
        assert_eq!(store.placement(*p).unwrap().id, *p);
    }
    add_notes(&mut store, ids[1], 1);
    assert_eq!(store.placement(ids[1]).unwrap().shared.notes.len(), 1);
    assert!(store.docs.len() <= crate::docs::MAX_LOADED);
}

#[test]
fn compaction_keeps_every_record_and_bounds_the_change_log() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut store, key) = adviser_store(tmp.path());
    store.set_compact_after(10);
    let p = store
        .create_placement(&new_placement("Ola Nordmann"))
        .unwrap();
    add_notes(&mut store, p, 25);
    store
        .write_private(p, |d, s| {
            d.add_note(
                &NewAdviserNote {
                    body: "Bare for veilederen".into(),
                    health_related: false,
                    visit: None,
                },
                s,
            )
        })
        .unwrap();
    let shared = store.document_id(p, DocKind::Shared).unwrap();
    let heads = store.heads(shared).unwrap();
    drop(store);
    assert!(count(tmp.path(), &key, "SELECT count(*) FROM doc_changes") < 10);
    let mut store = Store::open(tmp.path(), Unlock::Key(key)).unwrap();
    assert_eq!(store.heads(shared).unwrap(), heads);
    assert_eq!(store.placement(p).unwrap().shared.notes.len(), 25);
    store.compact(shared).unwrap();
    // Both documents from disk at once (the private one on a second thread).
    store.forget_cache();
    let view = store.placement(p).unwrap();
    assert_eq!(view.shared.notes.len(), 25);
    let private = view
        .private
        .expect("an adviser's full open has the private document");
    let bodies: Vec<&str> = private.notes.values().map(|n| n.body.as_str()).collect();
    assert_eq!(bodies, ["Bare for veilederen"]);
}

#[test]
fn a_load_that_finds_many_loose_changes_compacts_the_document_once() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut store, key) = adviser_store(tmp.path());
    store.set_compact_after(1_000);
    let p = store
        .create_placement(&new_placement("Ola Nordmann"))
        .unwrap();
    add_notes(&mut store, p, 40);
    let shared = store.document_id(p, DocKind::Shared).unwrap();
    let heads = store.heads(shared).unwrap();
    let loose = |key: &DbKey| {
        count(
            tmp.path(),
            key,
            &format!("SELECT count(*) FROM doc_changes WHERE doc_id = '{shared}'"),
        )
    };
    drop(store);
    assert!(loose(&key) >= 40, "written as loose changes");
    let mut store = Store::open(tmp.path(), Unlock::Key(key.clone())).unwrap();
    assert_eq!(store.placement(p).unwrap().shared.notes.len(), 40);
    assert_eq!(store.heads(shared).unwrap(), heads);
    drop(store);
    assert_eq!(loose(&key), 0, "the load wrote one snapshot");
    let mut store = Store::open(tmp.path(), Unlock::Key(key)).unwrap();
    assert_eq!(store.heads(shared).unwrap(), heads);
    assert_eq!(store.placement(p).unwrap().shared.notes.len(), 40);
}

#[test]
fn remote_changes_apply_once_and_update_the_projection() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut a, _) = adviser_store(&tmp.path().join("a"));
    let p = a.create_placement(&new_placement("Ola Nordmann")).unwrap();
    let doc = a.document_id(p, DocKind::Shared).unwrap();
    let mut e = Store::create(
        &tmp.path().join("e"),
        Role::Employer,
        "Per",
        Unlock::Key(DbKey::generate()),
    )
    .unwrap();
    fixed_clock(&mut e, "2026-11-27T15:00:00Z");
    e.import_document(doc, DocKind::Shared, &a.document_bytes(doc).unwrap())
        .unwrap();
    let before = e.heads(doc).unwrap();

    e.log_observation(p, &observation(true)).unwrap();
    let bytes = e.changes_since(doc, &before).unwrap();
    let applied = a.apply_remote(doc, &bytes).unwrap();
    assert_eq!(
        applied.records_changed, 2,
        "the observation and its contact request"
    );
    assert_eq!(
        a.apply_remote(doc, &bytes).unwrap(),
        Applied::default(),
        "applying twice changes nothing"
    );
    assert_eq!(a.list_placements().unwrap()[0].open_requests, 1);
    assert_eq!(a.search("rundstykker", 5).unwrap().len(), 1);
    assert_eq!(
        a.projection_dump(false).unwrap(),
        e.projection_dump(true).unwrap()
    );
    assert!(a.apply_remote(doc, b"garbage").is_err());
    assert_eq!(
        a.placement(p).unwrap().shared.observations.len(),
        1,
        "a bad record leaves the document as it was"
    );
}

#[test]
fn overview_reads_the_projection_and_shows_conflicts_until_settled() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut a, _) = adviser_store(&tmp.path().join("a"));
    let p = a.create_placement(&new_placement("Ola Nordmann")).unwrap();
    a.write_shared(p, |d, s| {
        d.add_goal(
            &NewGoal {
                category: GoalCategory::JobAtEmployer,
                description: "Fast jobb i bakeriet".into(),
            },
            s,
        )
    })
    .unwrap();
    a.write_shared(p, |d, s| {
        d.add_training_task(
            &NewTrainingTask {
                title: "Steinovnen".into(),
                description: String::new(),
                responsible: "Per".into(),
                target_date: None,
            },
            s,
        )
    })
    .unwrap();
    let action = a
        .write_shared(p, |d, s| {
            d.add_action(
                &NewAction {
                    what: "Vernesko".into(),
                    owner: ActionOwner::Employer,
                    due: None,
                },
                s,
            )
        })
        .unwrap();
    a.record_visit(p, &visit("Godt i gang"), Some("Privat om søvn"))
        .unwrap();
    let doc = a.document_id(p, DocKind::Shared).unwrap();
    let mut e = Store::create(
        &tmp.path().join("e"),
        Role::Employer,
        "Per",
        Unlock::Key(DbKey::generate()),
    )
    .unwrap();
    fixed_clock(&mut e, "2026-11-27T15:00:00Z");
    e.import_document(doc, DocKind::Shared, &a.document_bytes(doc).unwrap())
        .unwrap();
    e.log_observation(p, &observation(true)).unwrap();

    let base = a.heads(doc).unwrap();
    a.write_shared(p, |d, s| d.set_action_status(action, ActionStatus::Done, s))
        .unwrap();
    e.write_shared(p, |d, s| {
        d.set_action_status(action, ActionStatus::Cancelled, s)
    })
    .unwrap();
    let (to_e, to_a) = (
        a.changes_since(doc, &base).unwrap(),
        e.changes_since(doc, &base).unwrap(),
    );
    a.apply_remote(doc, &to_a).unwrap();
    e.apply_remote(doc, &to_e).unwrap();

    let (oa, oe) = (a.overview(p, 50).unwrap(), e.overview(p, 50).unwrap());
    assert_eq!(oa.facts.candidate_name, "Ola Nordmann");
    assert_eq!(oa.goals.len(), 1);
    assert_eq!(oa.training_plan[0].text, "Steinovnen");
    let kinds = |o: &Overview| {
        o.timeline
            .iter()
            .map(|t| t.kind().to_owned())
            .collect::<std::collections::BTreeSet<_>>()
    };
    assert_eq!(
        kinds(&oa).into_iter().collect::<Vec<_>>(),
        [
            "action",
            "adviser_note",
            "contact_request",
            "observation",
            "visit"
        ]
    );
    assert!(
        !kinds(&oe).contains("adviser_note"),
        "the employer's overview has no adviser-only note"
    );
    assert_eq!(oa.conflicts, oe.conflicts);
    assert_eq!(oa.conflicts.len(), 1, "{:?}", oa.conflicts);
    assert_eq!(
        oa.conflicts[0].path,
        [
            "actions".to_owned(),
            action.to_string(),
            "status".to_owned()
        ]
    );
    // What the projection recorded is what a walk of the document finds; opening the placement
    // in full reads the recorded ones.
    let walked = a
        .read_shared(p, "conflicts", |d| Ok(d.conflicts()))
        .unwrap();
    let bare = |c: &[folgesvenn_domain::FieldConflict]| {
        c.iter()
            .map(|c| (c.path.clone(), c.values.clone(), c.private))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        bare(&oa.conflicts),
        bare(&walked),
        "the projection agrees with a walk of the documents"
    );
    assert_eq!(oa.conflicts, a.placement(p).unwrap().conflicts);

    // Both may settle an action's status (the employer owns this one); neither may a placement
    // fact's on the employer's device.
    assert!(oa.conflicts[0].may_settle && oe.conflicts[0].may_settle);
    use folgesvenn_domain::rights::{Document, may_write};
    let fact = ["placement".to_owned(), "status".to_owned()];
    assert!(may_write(Role::Adviser, Document::Shared, &fact));
    assert!(!may_write(Role::Employer, Document::Shared, &fact));
    let summary = [
        "visits".to_owned(),
        action.to_string(),
        "summary".to_owned(),
    ];
    assert!(!may_write(Role::Employer, Document::Shared, &summary));
    assert!(!oa.conflicts[0].private);
    // The adviser settles it by choosing the value on screen; the employer learns it on the next sync.
    let shown = oa.conflicts[0].values[0].value.clone();
    let base = e.heads(doc).unwrap();
    a.write_shared(p, |d, s| {
        d.settle_conflict(&oa.conflicts[0].path, &shown, s)
    })
    .unwrap();
    assert!(a.overview(p, 50).unwrap().conflicts.is_empty());
    e.apply_remote(doc, &a.changes_since(doc, &base).unwrap())
        .unwrap();
    assert!(e.overview(p, 50).unwrap().conflicts.is_empty());
}

#[test]
fn local_changes_of_a_syncing_document_wait_in_the_outbox_until_acknowledged() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut a, key) = adviser_store(tmp.path());
    let p = a.create_placement(&new_placement("Ola Nordmann")).unwrap();
    let doc = a.document_id(p, DocKind::Shared).unwrap();
    a.write_shared(p, |d, s| {
        d.add_note(
            &NewNote {
                body: "før synk".into(),
                reply_to: None,
            },
            s,
        )
    })
    .unwrap();
    assert!(
        a.outbox(doc).unwrap().is_empty(),
        "nothing is queued for a document that does not sync"
    );
    assert!(a.docs_with_outbox().unwrap().is_empty());

    a.enable_sync(doc, &[7; 32], 1, "http://127.0.0.1:1", true, None)
        .unwrap();
    let first = a.outbox(doc).unwrap();
    assert_eq!(first.len(), 1, "the document so far, as one record");
    assert_eq!(
        first[0].kind, OUTBOX_SNAPSHOT,
        "saved whole, not change by change"
    );
    a.log_observation(p, &observation(false)).unwrap();
    let note = |body: &str| NewNote {
        body: body.into(),
        reply_to: None,
    };
    a.write_shared(p, |d, s| d.add_note(&note("etter"), s))
        .unwrap();
    let items = a.outbox(doc).unwrap();
    assert_eq!(
        items.iter().map(|i| i.device_seq).collect::<Vec<_>>(),
        vec![1, 2],
        "changes saved while nothing was sent travel as one record"
    );
    // The framed payload of item 2 holds exactly the observation's and the note's changes.
    assert_eq!(
        folgesvenn_domain::changes::decode(&items[1].payload)
            .unwrap()
            .len(),
        2
    );

    a.mark_sent(doc, &[1, 2]).unwrap();
    // An entry that may be on its way is never changed: the next change gets its own.
    a.write_shared(p, |d, s| d.add_note(&note("senere"), s))
        .unwrap();
    assert_eq!(a.outbox(doc).unwrap().len(), 3);
    a.mark_acked(doc, &[1]).unwrap();
    // The documents with something queued, all at once (what a sync that asked first reads).
    let other = a.document_id(p, DocKind::Private).unwrap();
    assert_eq!(
        a.docs_with_outbox().unwrap(),
        std::collections::HashSet::from([doc]),
        "the private document does not sync: nothing queued"
    );
    // Per-document settings, all at once, by prefix only.
    a.set_meta(&format!("records_since_snapshot:{doc}"), "7")
        .unwrap();
    a.set_meta(&format!("records_since_snapshot:{other}"), "2")
        .unwrap();
    a.set_meta("records_since_snapshot", "not a per-document key")
        .unwrap();
    a.set_meta("records_since_snapshot;x", "after the prefix's range")
        .unwrap();
    assert_eq!(
        a.meta_with_prefix("records_since_snapshot:").unwrap(),
        std::collections::HashMap::from([
            (doc.to_string(), "7".to_owned()),
            (other.to_string(), "2".to_owned())
        ])
    );
    drop(a);
    // After a restart, what was not acknowledged is still there.
    let mut a = Store::open(tmp.path(), Unlock::Key(key)).unwrap();
    let left: Vec<(u64, String)> = a
        .outbox(doc)
        .unwrap()
        .into_iter()
        .map(|i| (i.device_seq, i.state))
        .collect();
    assert_eq!(left, vec![(2, "sent".to_owned()), (3, "queued".to_owned())]);

    let reason = Notice::event(LogEvent::RecordUnopenable).with("detail", "bad tag");
    a.quarantine(doc, 5, "enhet-x", &reason, b"...").unwrap();
    assert_eq!(
        a.sync_docs().unwrap()[0].cursor,
        5,
        "a quarantined record does not block the rest"
    );
    assert_eq!(a.quarantined(doc).unwrap()[0].reason, reason);
    let logged = a.sync_log(doc, 10).unwrap();
    let line = &logged.last().unwrap().event;
    assert_eq!(line.code, LogEvent::RecordQuarantined.code());
    assert_eq!(line.param("reason"), Some("record_unopenable"));
    assert_eq!(line.param("detail"), Some("bad tag"));
    assert_eq!(line.param("seq"), Some("5"));
    let k1 = a.device_signing_key().unwrap();
    assert_eq!(
        a.device_signing_key().unwrap(),
        k1,
        "the device key is made once"
    );
}

#[test]
fn an_employer_device_deletes_a_placement_twelve_weeks_after_its_end() {
    const MARK: &str = "SLETTEMERKE-77c1";
    let tmp = tempfile::tempdir().unwrap();
    let (mut adviser, _) = adviser_store(&tmp.path().join("a"));
    let ended = adviser
        .create_placement(&new_placement("Ola Nordmann"))
        .unwrap();
    adviser
        .write_shared(ended, |d, s| {
            d.close_placement(
                PlacementStatus::Ended,
                day("2026-11-20"),
                CloseReason::Completed,
                s,
            )
        })
        .unwrap();
    // A planned end date that has passed ends nothing: only closing does.
    let running = adviser
        .create_placement(&NewPlacement {
            end_date: Some(day("2026-11-20")),
            ..new_placement("Kari Hansen")
        })
        .unwrap();
    let key = DbKey::generate();
    let dir = tmp.path().join("e");
    let mut employer =
        Store::create(&dir, Role::Employer, "Per", Unlock::Key(key.clone())).unwrap();
    fixed_clock(&mut employer, "2026-11-27T15:00:00Z");
    for p in [ended, running] {
        let id = adviser.document_id(p, DocKind::Shared).unwrap();
        let bytes = adviser.document_bytes(id).unwrap();
        employer
            .import_document(id, DocKind::Shared, &bytes)
            .unwrap();
        employer
            .write_shared(p, |d, s| {
                d.add_note(
                    &NewNote {
                        body: format!("Notat {MARK}"),
                        reply_to: None,
                    },
                    s,
                )
            })
            .unwrap();
    }
    let ended_doc = employer.document_id(ended, DocKind::Shared).unwrap();
    employer
        .enable_sync(ended_doc, &[7; 32], 1, "http://relay", false, None)
        .unwrap();

    // Eleven weeks after the end: still there. Twelve weeks and a day: gone.
    fixed_clock(&mut employer, "2027-02-05T10:00:00Z");
    assert!(employer.purge_ended_placements().unwrap().is_empty());
    fixed_clock(&mut employer, "2027-02-13T10:00:00Z");
    assert_eq!(employer.purge_ended_placements().unwrap(), vec![ended]);
    assert!(employer.purge_ended_placements().unwrap().is_empty());

    let listed: Vec<Uuid> = employer
        .list_placements()
        .unwrap()
        .iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(listed, vec![running]);
    assert_eq!(
        employer.placement(ended).unwrap_err().kind(),
        "unknown_placement"
    );
    assert_eq!(employer.search("slettemerke", 10).unwrap().len(), 1);
    assert!(employer.outbox(ended_doc).unwrap().is_empty());
    assert!(employer.sync_docs().unwrap().is_empty());
    employer.verify_audit().unwrap();
    drop(employer);
    for sql in [
        "SELECT count(*) FROM documents",
        "SELECT count(*) FROM placements",
        "SELECT count(*) FROM notes",
    ] {
        assert_eq!(count(&dir, &key, sql), 1, "{sql}");
    }
    assert_eq!(
        count(
            &dir,
            &key,
            &format!(
                "SELECT count(*) FROM audit_log WHERE action = 'purge' AND placement_id = '{ended}'"
            )
        ),
        1
    );

    // An adviser's device keeps its placements (NAV's archive rules apply there).
    fixed_clock(&mut adviser, "2028-01-01T10:00:00Z");
    assert!(adviser.purge_ended_placements().unwrap().is_empty());
}

#[test]
fn search_finds_placements_by_name_with_one_audit_entry_per_hit() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut a, key) = adviser_store(tmp.path());
    let p = a.create_placement(&new_placement("Øystein Ås")).unwrap();
    a.create_placement(&new_placement("Kari Hansen")).unwrap();
    let before = count(tmp.path(), &key, "SELECT count(*) FROM audit_log");
    let hits = a.search("øystein", 10).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(
        (hits[0].kind.as_str(), hits[0].placement_id),
        ("placement", p)
    );
    assert_eq!(
        a.search("bakeri bodø", 10).unwrap().len(),
        0,
        "names match as written"
    );
    assert_eq!(
        a.search("bakeri", 10).unwrap().len(),
        2,
        "employer names too"
    );
    let after = count(tmp.path(), &key, "SELECT count(*) FROM audit_log");
    assert_eq!(
        after - before,
        3,
        "one read entry per placement hit, no list read"
    );
    // The entries of one search are chained and their head signed once; the chain holds.
    assert_eq!(a.verify_audit().unwrap(), after);
}

#[test]
fn a_store_from_before_the_folded_names_finds_its_placements_by_name() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut store, key) = adviser_store(tmp.path());
    let p = store
        .create_placement(&new_placement("ØYSTEIN Ås"))
        .unwrap();
    // As a store written by the version before: no folded names, the schema one step back.
    schema_back_to(&store.conn, 12);
    drop(store);

    let mut store = Store::open(tmp.path(), Unlock::Key(key)).unwrap();
    let hits = store.search("øystein ås", 10).unwrap();
    assert_eq!(
        hits.iter()
            .map(|h| (h.kind.as_str(), h.placement_id))
            .collect::<Vec<_>>(),
        [("placement", p)]
    );
    assert_eq!(
        store.search("bakeri", 10).unwrap().len(),
        1,
        "employer names too"
    );
    store.verify_integrity().unwrap();
}

/// SQLite recompiles a statement whose plan depends on its parameters each time rusqlite's cache
/// takes it back and clears them; the store asks for stable plans so a cached statement stays
/// compiled (the relay's `the_hot_statements_are_compiled_once` explains the cost).
#[test]
fn search_is_compiled_once() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut s, _) = adviser_store(tmp.path());
    let pid = s.create_placement(&new_placement("Ola Nordmann")).unwrap();
    s.record_visit(pid, &visit("Første besøk på bakeriet"), None)
        .unwrap();
    for limit in 1..6 {
        assert_eq!(s.search("bakeriet", limit).unwrap().len(), 1);
    }
    for sql in [crate::search::SEARCH, crate::search::BY_NAME] {
        let stmt = s.conn.prepare_cached(sql).unwrap();
        assert_eq!(stmt.get_status(rusqlite::StatementStatus::RePrepare), 0);
    }
}

#[test]
fn only_this_devices_own_closing_and_reopening_wait_to_be_told_to_the_relay() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut adviser, _) = adviser_store(&tmp.path().join("a"));
    let p = adviser
        .create_placement(&new_placement("Ola Nordmann"))
        .unwrap();
    let doc = adviser.document_id(p, DocKind::Shared).unwrap();
    assert!(adviser.end_day_notices().unwrap().is_empty());
    adviser
        .write_shared(p, |d, s| {
            d.close_placement(
                PlacementStatus::Ended,
                day("2026-11-20"),
                CloseReason::GotJob,
                s,
            )
        })
        .unwrap();
    let ended = epoch_day(day("2026-11-20"));
    assert_eq!(adviser.end_day_notices().unwrap(), vec![(doc, Some(ended))]);
    let facts = adviser.overview(p, 1).unwrap().facts;
    assert_eq!(facts.closed_reason.as_deref(), Some("got_job"));
    assert_eq!(facts.employer_access_ends.as_deref(), Some("2027-02-12"));

    // Another device holding the same document has written nothing itself: nothing to tell.
    let (mut laptop, _) = adviser_store(&tmp.path().join("b"));
    let bytes = adviser.document_bytes(doc).unwrap();
    laptop
        .import_document(doc, DocKind::Shared, &bytes)
        .unwrap();
    assert!(laptop.end_day_notices().unwrap().is_empty());

    // Told, then reopened before the relay heard of it: only the newest waits.
    adviser.end_day_told(doc, Some(ended)).unwrap();
    assert!(adviser.end_day_notices().unwrap().is_empty());
    adviser
        .write_shared(p, |d, s| d.reopen_placement(s))
        .unwrap();
    adviser.end_day_told(doc, Some(ended)).unwrap();
    assert_eq!(adviser.end_day_notices().unwrap(), vec![(doc, None)]);
    assert_eq!(
        adviser.overview(p, 1).unwrap().facts.employer_access_ends,
        None
    );
    // Other changes to the placement's facts tell the relay nothing new.
    adviser.end_day_told(doc, None).unwrap();
    adviser
        .write_shared(p, |d, s| {
            d.update_placement(
                &NewPlacement {
                    hours_per_week: 25.0,
                    ..new_placement("Ola Nordmann")
                },
                s,
            )
        })
        .unwrap();
    assert!(adviser.end_day_notices().unwrap().is_empty());
}

#[cfg(unix)]
#[test]
fn the_data_directory_and_its_files_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let files = [
        "folgesvenn.db",
        "folgesvenn.db-wal",
        "folgesvenn.db-shm",
        "store.json",
    ];
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    // The directory may exist already (made by the OS, the user or an older version), open to all.
    std::fs::create_dir(&dir).unwrap();
    crate::private_files::restrict(&dir, 0o755).unwrap();
    let key = DbKey::generate();
    let mut s = Store::create(&dir, Role::Adviser, "Kari", Unlock::Key(key.clone())).unwrap();
    s.create_placement(&new_placement("Ola Nordmann")).unwrap();
    assert_eq!(mode(&dir), 0o700);
    for f in files {
        assert_eq!(mode(&dir.join(f)), 0o600, "{f} of a new store");
    }
    drop(s);

    // A store made before this rule: its next open tightens what is there, and what SQLite makes
    // afresh (the WAL and shared memory) follows the database file's mode.
    crate::private_files::restrict(&dir, 0o755).unwrap();
    for f in ["folgesvenn.db", "store.json"] {
        crate::private_files::restrict(&dir.join(f), 0o644).unwrap();
    }
    let mut s = Store::open(&dir, Unlock::Key(key)).unwrap();
    s.create_placement(&new_placement("Kari Hansen")).unwrap();
    assert_eq!(mode(&dir), 0o700);
    for f in files {
        assert_eq!(mode(&dir.join(f)), 0o600, "{f} after reopening");
    }
}

#[test]
fn a_store_wrapped_under_the_old_8_character_rule_still_unlocks() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    assert_eq!(
        Store::create(
            dir,
            Role::Employer,
            "Per",
            Unlock::Passphrase("elleve tegn".to_owned().into())
        )
        .err()
        .unwrap()
        .kind(),
        "out_of_range"
    );
    assert!(!dir.join("folgesvenn.db").exists(), "nothing was created");
    let s = Store::create(
        dir,
        Role::Employer,
        "Per",
        Unlock::Passphrase("tolv tegn her".to_owned().into()),
    )
    .unwrap();
    drop(s);
    // Rewrap the same key under an 8-character passphrase, as an older version accepted.
    let meta_path = dir.join("store.json");
    let mut meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&meta_path).unwrap()).unwrap();
    let device: Uuid = meta["device_id"].as_str().unwrap().parse().unwrap();
    let w: crate::key::WrappedKey = serde_json::from_value(meta["key"].clone()).unwrap();
    let key = crate::key::unwrap(&w, "tolv tegn her", device).unwrap();
    let old = crate::key::seal_for_tests(&key, "åtte1234", device).unwrap();
    let mut location = serde_json::to_value(crate::key::KeyLocation::Passphrase(old)).unwrap();
    std::mem::swap(&mut meta["key"], &mut location);
    std::fs::write(&meta_path, serde_json::to_vec(&meta).unwrap()).unwrap();
    let s = Store::open(dir, Unlock::Passphrase("åtte1234".to_owned().into())).unwrap();
    assert_eq!(s.role(), Role::Employer);
}

#[test]
fn an_imported_document_projects_its_whole_plan() {
    // The employer joining a placement imports its shared document: the goals, adaptations and
    // contact persons the adviser wrote must be on the employer's overview at once, not only
    // after someone next edits them.
    let tmp = tempfile::tempdir().unwrap();
    let (mut a, _) = adviser_store(&tmp.path().join("a"));
    let p = a.create_placement(&new_placement("Ola Nordmann")).unwrap();
    a.write_shared(p, |d, s| {
        d.add_goal(
            &NewGoal {
                category: GoalCategory::JobAtEmployer,
                description: "Fast jobb i bakeriet".into(),
            },
            s,
        )?;
        d.add_adaptation(
            &NewAdaptation {
                description: "Pause hver time".into(),
                agreed_on: day("2026-10-01"),
            },
            s,
        )?;
        d.add_contact_person(
            &NewContactPerson {
                name: "Per Verksmester".into(),
                role: "Mentor".into(),
                phone: String::new(),
                email: String::new(),
            },
            s,
        )
    })
    .unwrap();
    let id = a.document_id(p, DocKind::Shared).unwrap();
    let bytes = a.document_bytes(id).unwrap();
    let mut e = Store::create(
        &tmp.path().join("e"),
        Role::Employer,
        "Per",
        Unlock::Key(DbKey::generate()),
    )
    .unwrap();
    fixed_clock(&mut e, "2026-11-27T15:00:00Z");
    e.import_document(id, DocKind::Shared, &bytes).unwrap();
    assert_eq!(
        e.projection_dump(false).unwrap(),
        a.projection_dump(false).unwrap()
    );
    // And the overview, which reads the plan tables, shows them.
    let o = e.overview(p, 10).unwrap();
    let texts = |items: &[PlanItem]| items.iter().map(|i| i.text.clone()).collect::<Vec<_>>();
    assert_eq!(texts(&o.goals), vec!["Fast jobb i bakeriet"]);
    assert_eq!(texts(&o.adaptations), vec!["Pause hver time"]);
    assert_eq!(texts(&o.contact_persons), vec!["Per Verksmester"]);
}

#[test]
fn cutting_the_newest_audit_entries_and_moving_the_head_back_is_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut store, key) = adviser_store(tmp.path());
    let p = store
        .create_placement(&new_placement("Ola Nordmann"))
        .unwrap();
    for _ in 0..3 {
        store.export_placement(p).unwrap();
    }
    let n = store.verify_audit().unwrap();
    assert!(n >= 4);
    drop(store);
    let tamper = |sql: &str| {
        let conn = Connection::open(tmp.path().join("folgesvenn.db")).unwrap();
        conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", key.to_hex().as_str()))
            .unwrap();
        conn.execute_batch(sql).unwrap();
    };
    let verify = || {
        Store::open(tmp.path(), Unlock::Key(key.clone()))
            .unwrap()
            .verify_audit()
    };

    // Someone with the database key cuts the two newest entries and points the head at the new
    // last one, which the chain alone accepted.
    tamper(&format!(
        "DELETE FROM audit_log WHERE seq > {cut};
         UPDATE meta SET value = (SELECT seq || ':' || lower(hex(hash)) FROM audit_log
                                  ORDER BY seq DESC LIMIT 1)
          WHERE key = 'audit_head';",
        cut = n - 2
    ));
    let err = verify().unwrap_err();
    assert!(
        matches!(err, StoreError::AuditBroken { seq, .. } if seq == n - 1),
        "{err}"
    );
    assert!(err.to_string().contains("ikke signert"), "{err}");

    // Removing the signature is no way out either.
    tamper("DELETE FROM meta WHERE key = 'audit_head_sig'");
    assert_eq!(verify().unwrap_err().kind(), "audit_broken");
}

#[test]
fn a_store_from_before_signed_heads_has_its_head_signed_once() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut store, key) = adviser_store(tmp.path());
    let p = store
        .create_placement(&new_placement("Ola Nordmann"))
        .unwrap();
    store.export_placement(p).unwrap();
    let n = store.verify_audit().unwrap();
    drop(store);
    // As an older version left it: a head without a signature, schema 8.
    let conn = Connection::open(tmp.path().join("folgesvenn.db")).unwrap();
    conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", key.to_hex().as_str()))
        .unwrap();
    conn.execute_batch("DELETE FROM meta WHERE key = 'audit_head_sig';")
        .unwrap();
    schema_back_to(&conn, 8);
    drop(conn);
    let mut store = Store::open(tmp.path(), Unlock::Key(key.clone())).unwrap();
    assert_eq!(store.verify_audit().unwrap(), n);
    // The relay's key and the head's are the one device key.
    store.device_signing_key().unwrap();
    store.export_placement(p).unwrap();
    assert!(store.verify_audit().unwrap() > n);
}

/// Every table of the schema is a projection table (compared across devices by the merge test and
/// deleted with its placement by the purge) or named here as kept for another reason: a new table
/// has to be placed on one side or the other.
#[test]
fn every_table_is_a_projection_or_named_as_not_one() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = adviser_store(dir.path());
    let not_projected = [
        "meta",
        "documents",
        "doc_changes",
        "audit_log",
        "sync_docs",
        "outbox",
        "quarantine",
        "sync_log",
        "drafts",
        "pending_invitations",
        "roster_statements",
        "doc_keys",
        "end_day_notices",
        // The full-text index over `search_docs` and its FTS5 shadow tables.
        "search",
        "search_data",
        "search_idx",
        "search_docsize",
        "search_config",
    ];
    let mut stmt = store
        .conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             AND name NOT LIKE 'refinery_%' ORDER BY name",
        )
        .unwrap();
    let tables: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let projected: Vec<&str> = crate::projection::TABLES.iter().map(|t| t.table).collect();
    for t in &tables {
        assert!(
            projected.contains(&t.as_str()) ^ not_projected.contains(&t.as_str()),
            "table {t} is neither a projection table nor named as kept for another reason (or both)"
        );
    }
    for t in projected.iter().chain(&not_projected) {
        assert!(tables.iter().any(|x| x == t), "{t} is not in the schema");
    }
}

/// A damaged id in a projection row is an error naming the database problem, never the nil id
/// that would point a screen at no placement (or, worse, at whatever else has it).
#[test]
fn a_damaged_id_row_is_an_error_not_the_nil_id() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, _) = adviser_store(dir.path());
    let p = store
        .create_placement(&new_placement("Ola Nordmann"))
        .unwrap();
    assert_eq!(store.list_placements().unwrap()[0].id, p);
    store
        .conn
        .execute(
            "UPDATE placements SET id = 'ikke-en-uuid' WHERE id = ?1",
            [p.to_string()],
        )
        .unwrap();
    let e = store.list_placements().unwrap_err();
    assert_eq!(e.kind(), "database", "{e}");
    assert!(
        matches!(
            &e,
            StoreError::Sqlite(rusqlite::Error::FromSqlConversionFailure(0, _, _))
        ),
        "{e:?}"
    );
}

/// A contact request is due the placement's response time in Norwegian working days after it
/// was raised: raised on Friday 4 December with the default two, it is due Tuesday 8 December,
/// late from Wednesday on (the clock is set, never waited for), and not late once acknowledged.
/// An agreed response time moves the day.
#[test]
fn a_contact_request_is_late_after_the_agreed_working_days() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut a, _) = adviser_store(tmp.path());
    let p = a.create_placement(&new_placement("Ola Nordmann")).unwrap();
    fixed_clock(&mut a, "2026-12-04T10:00:00Z");
    let request = a
        .write_shared(p, |d, s| {
            d.raise_contact_request("Kan vi snakke om jula?", s)
        })
        .unwrap();
    let answer_by = |a: &mut Store| {
        a.overview(p, 50)
            .unwrap()
            .timeline
            .into_iter()
            .find_map(|i| match i {
                TimelineItem::ContactRequest { id, answer_by, .. } if id == request => answer_by,
                _ => None,
            })
    };
    let late = |a: &mut Store| a.list_placements().unwrap()[0].late_requests;
    assert_eq!(a.overview(p, 1).unwrap().facts.response_working_days, 2);
    assert_eq!(answer_by(&mut a).as_deref(), Some("2026-12-08"));
    fixed_clock(&mut a, "2026-12-08T15:00:00Z");
    assert_eq!(late(&mut a), 0, "due today is not late");
    fixed_clock(&mut a, "2026-12-09T08:00:00Z");
    assert_eq!(late(&mut a), 1);

    a.write_shared(p, |d, s| d.set_response_time(5, s)).unwrap();
    assert_eq!(a.overview(p, 1).unwrap().facts.response_working_days, 5);
    assert_eq!(answer_by(&mut a).as_deref(), Some("2026-12-11"));
    assert_eq!(late(&mut a), 0);
    let refused = a
        .write_shared(p, |d, s| d.set_response_time(0, s))
        .unwrap_err();
    assert_eq!(refused.kind(), "out_of_range");

    a.write_shared(p, |d, s| d.acknowledge_request(request, s))
        .unwrap();
    assert_eq!(answer_by(&mut a), None, "answered: no day to answer by");
    fixed_clock(&mut a, "2026-12-31T08:00:00Z");
    assert_eq!(late(&mut a), 0);
}

#[test]
fn a_store_from_before_gets_its_new_projections_from_its_documents() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut store, key) = adviser_store(tmp.path());
    let p = store
        .create_placement(&new_placement("Ola Nordmann"))
        .unwrap();
    store
        .write_shared(p, |d, s| {
            d.add_note(
                &NewNote {
                    body: "Ola møter kl 08.".into(),
                    reply_to: None,
                },
                s,
            )
        })
        .unwrap();
    let role_of_note = |store: &Store| -> Option<String> {
        store
            .conn
            .query_row("SELECT author_role FROM notes", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(role_of_note(&store).as_deref(), Some("adviser"));
    let consent = store
        .write_private(p, |d, s| {
            d.give_consent(
                &NewConsent {
                    scopes: vec![ConsentScope::FollowUp],
                    text_version: "2026-1".into(),
                },
                s,
            )
        })
        .unwrap();
    assert!(
        store
            .placements_with_consent_withdrawn()
            .unwrap()
            .is_empty()
    );
    store
        .write_private(p, |d, s| d.withdraw_consent(consent, s))
        .unwrap();
    assert_eq!(store.placements_with_consent_withdrawn().unwrap(), [p]);
    // As a store written by the version before: no such column, the schema one step back.
    schema_back_to(&store.conn, 10);
    drop(store);

    let mut store = Store::open(tmp.path(), Unlock::Key(key)).unwrap();
    assert_eq!(role_of_note(&store).as_deref(), Some("adviser"));
    assert_eq!(store.placements_with_consent_withdrawn().unwrap(), [p]);
    let overview = store.overview(p, 50).unwrap();
    assert!(overview.timeline.iter().any(|i| matches!(
        i,
        TimelineItem::Note { author_role: Some(r), .. } if r == "adviser"
    )));
    store.verify_integrity().unwrap();
}

#[test]
fn a_bulk_import_widens_the_page_cache_and_gives_it_back() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut store, _) = adviser_store(tmp.path());
    let cache = |s: &Store| -> i64 {
        s.conn
            .query_row("PRAGMA cache_size", [], |r| r.get(0))
            .unwrap()
    };
    // In KiB when negative: a wider cache is a more negative number.
    let usual = cache(&store);
    assert!(usual < 0);
    store.bulk_import(true).unwrap();
    assert!(cache(&store) < usual);
    store.bulk_import(false).unwrap();
    assert_eq!(cache(&store), usual);
}
