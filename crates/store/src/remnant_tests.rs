//! What an employer device's purge leaves on disk: nothing of the placement, in any file, in any
//! page. The database is SQLCipher-encrypted, so a scan of its bytes as they lie on disk would
//! find nothing even if every deleted row were still there; these tests read every page through
//! SQLCipher instead (`sqlite3_serialize` copies the pages from the pager, decrypted, free pages
//! and the unused space inside pages included) and scan that.

use std::path::Path;

use folgesvenn_domain::*;
use rusqlite::{Connection, MAIN_DB};
use uuid::Uuid;

use crate::tests::{day, fixed_clock, new_placement, schema_back_to};
use crate::*;

/// One marker per kind of field. Each is one lowercase token (so the full-text index holds it as
/// a term, as it holds what people write), and each starts with its own word, so that the FTS5
/// index's prefix compression of neighbouring terms can hide at most that word: the scan looks for
/// the tail, `zq` and six letters no Norwegian text has.
const MARKERS: &[(&str, &str)] = &[
    ("kandidatens navn", "kandidatzqkfwtpe"),
    ("arbeidsgivers navn", "bedriftzqhmvxra"),
    ("arbeidsplassens adresse", "adressezqnbjcuy"),
    ("veileders navn", "veilederzqdgoswl"),
    ("mål", "maalzqyteifn"),
    ("tilrettelegging", "tilretteleggzqupqamb"),
    ("kontaktperson", "kontaktpersonzqwrlhid"),
    ("kontaktpersonens rolle", "rollezqsnvgje"),
    ("oppgave i opplæringsplanen", "oppgavezqxcmtro"),
    ("oppgavens beskrivelse", "beskrivelsezqaqlfui"),
    ("oppgavens ansvarlige", "ansvarligzqkdhywe"),
    ("besøkssted", "stedzqbpemun"),
    ("deltaker på besøk", "deltakerzqgivxcl"),
    ("besøkets oppsummering", "oppsummeringzqjtarwe"),
    ("tiltak", "tiltakzqrmyhos"),
    ("dagens oppgaver", "gjortzqcukbfa"),
    ("det som gikk bra", "braazqlwsdnt"),
    ("praktisk problem", "problemzqfexoih"),
    ("melding til NAV", "meldingzqvhpcgy"),
    ("kontaktforespørsel", "forespzqtnaljm"),
    ("veileders notat", "vnotatzqiwgrkb"),
    ("arbeidsgivers notat", "anotatzqoyxevd"),
    ("notatet før endring", "foerendringzqmzbuhs"),
    ("notatet etter endring", "etterendringzqecktnw"),
    ("utkast", "utkastzqsaodpi"),
];

/// Fields no table but the automerge documents holds, and those compress their columns
/// (DEFLATE): a byte scan cannot see them before the purge either, so for these the test rests
/// on the documents' rows being gone (checked in `tests.rs`), not on the scan.
const ONLY_IN_DOCUMENTS: &[&str] = &[
    "arbeidsplassens adresse",
    "deltaker på besøk",
    "oppgavens beskrivelse",
];

fn tail(marker: &str) -> &str {
    &marker[marker.find("zq").expect("every marker has zq")..]
}

fn m(field: &str) -> &'static str {
    MARKERS
        .iter()
        .find(|(f, _)| *f == field)
        .map(|(_, v)| *v)
        .expect("a known field")
}

/// Every page of the database in `dir`, decrypted. Refuses to answer while a WAL with frames
/// exists: its frames are encrypted, and the pager would show only their newest versions.
fn decrypted_pages(dir: &Path, key: &DbKey) -> Vec<u8> {
    let db = dir.join("folgesvenn.db");
    let wal = dir.join("folgesvenn.db-wal");
    let wal_len = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    assert_eq!(
        wal_len, 0,
        "the WAL still holds frames after the store closed"
    );
    let file_len = std::fs::metadata(&db).unwrap().len();
    let mut conn = Connection::open(&db).unwrap();
    conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", key.to_hex().as_str()))
        .unwrap();
    let data = conn.serialize(MAIN_DB).unwrap();
    // Every byte of the file was read: nothing lies beyond the last page the pager knows.
    assert_eq!(data.len() as u64, file_len);
    // The first page really is decrypted (SQLCipher puts the header back in memory).
    assert_eq!(&data[..16], b"SQLite format 3\0");
    data.to_vec()
}

/// The fields whose marker (its tail) occurs in `bytes`.
fn markers_in(bytes: &[u8]) -> Vec<&'static str> {
    MARKERS
        .iter()
        .filter(|(_, marker)| {
            let t = tail(marker).as_bytes();
            bytes.windows(t.len()).any(|w| w == t)
        })
        .map(|(field, _)| *field)
        .collect()
}

fn all_fields() -> Vec<&'static str> {
    MARKERS.iter().map(|(f, _)| *f).collect()
}

/// An adviser's placement with a marker in every kind of field, on an employer's device that wrote
/// its own records and edited one; and a second placement, still running, that must stay (its
/// pages stay in use, so deleted rows cannot simply vanish with freed pages).
struct Setup {
    _tmp: tempfile::TempDir,
    dir: std::path::PathBuf,
    key: DbKey,
    ended: Uuid,
    ended_doc: Uuid,
    running: Uuid,
}

fn employer_with_marked_placement() -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let akey = DbKey::generate();
    let mut adviser = Store::create(
        &tmp.path().join("a"),
        Role::Adviser,
        "Kari",
        Unlock::Key(akey),
    )
    .unwrap();
    fixed_clock(&mut adviser, "2026-11-27T10:00:00Z");
    let ended = adviser
        .create_placement(&NewPlacement {
            candidate_name: format!("Ola {}", m("kandidatens navn")),
            employer: Employer {
                org_number: "889640782".into(),
                name: format!("Bakeri {}", m("arbeidsgivers navn")),
                workplace_address: format!("Storgata 3 {}", m("arbeidsplassens adresse")),
            },
            adviser_name: format!("Kari {}", m("veileders navn")),
            ..new_placement("x")
        })
        .unwrap();
    adviser
        .write_shared(ended, |d, s| {
            d.add_goal(
                &NewGoal {
                    category: GoalCategory::JobAtEmployer,
                    description: format!("Fast jobb {}", m("mål")),
                },
                s,
            )?;
            d.add_adaptation(
                &NewAdaptation {
                    description: format!("Pauser {}", m("tilrettelegging")),
                    agreed_on: day("2026-10-01"),
                },
                s,
            )?;
            d.add_contact_person(
                &NewContactPerson {
                    name: format!("Per {}", m("kontaktperson")),
                    role: format!("Mentor {}", m("kontaktpersonens rolle")),
                    phone: String::new(),
                    email: String::new(),
                },
                s,
            )?;
            d.add_training_task(
                &NewTrainingTask {
                    title: format!("Ovnen {}", m("oppgave i opplæringsplanen")),
                    description: format!("Lære ovnen {}", m("oppgavens beskrivelse")),
                    responsible: format!("Per {}", m("oppgavens ansvarlige")),
                    target_date: None,
                },
                s,
            )?;
            d.add_note(
                &NewNote {
                    body: format!("Hei {}", m("veileders notat")),
                    reply_to: None,
                },
                s,
            )
        })
        .unwrap();
    adviser
        .record_visit(
            ended,
            &NewVisit {
                at: Moment::parse(folgesvenn_domain::Field::At, "2026-11-27T09:00:00Z").unwrap(),
                place: format!("Bakeriet {}", m("besøkssted")),
                kind: VisitKind::OnSite,
                attendees: vec![format!("Per {}", m("deltaker på besøk"))],
                summary: format!("Godt besøk {}", m("besøkets oppsummering")),
                check_in: CheckIn::default(),
                actions: vec![NewAction {
                    what: format!("Hørselvern {}", m("tiltak")),
                    owner: ActionOwner::Employer,
                    due: Some(day("2026-12-20")),
                }],
                next_visit: None,
            },
            None,
        )
        .unwrap();
    let running = adviser
        .create_placement(&new_placement("Kari Hansen"))
        .unwrap();

    let key = DbKey::generate();
    let dir = tmp.path().join("e");
    let mut employer =
        Store::create(&dir, Role::Employer, "Per", Unlock::Key(key.clone())).unwrap();
    fixed_clock(&mut employer, "2026-11-27T15:00:00Z");
    let ended_doc = adviser.document_id(ended, DocKind::Shared).unwrap();
    for p in [ended, running] {
        let id = adviser.document_id(p, DocKind::Shared).unwrap();
        let bytes = adviser.document_bytes(id).unwrap();
        employer
            .import_document(id, DocKind::Shared, &bytes)
            .unwrap();
    }
    employer
        .log_observation(
            ended,
            &NewObservation {
                date: day("2026-11-27"),
                attendance: Attendance::Present,
                hours: 5.0,
                tasks_done: format!("Bakte {}", m("dagens oppgaver")),
                went_well: format!("Ovnen {}", m("det som gikk bra")),
                problem: format!("Turnus {}", m("praktisk problem")),
                wants_contact: true,
                contact_message: format!("Ring meg {}", m("melding til NAV")),
            },
        )
        .unwrap();
    let note = employer
        .write_shared(ended, |d, s| {
            d.raise_contact_request(&format!("Møte? {}", m("kontaktforespørsel")), s)?;
            d.add_note(
                &NewNote {
                    body: format!("Takk {}", m("arbeidsgivers notat")),
                    reply_to: None,
                },
                s,
            )?;
            d.add_note(
                &NewNote {
                    body: format!("Først {}", m("notatet før endring")),
                    reply_to: None,
                },
                s,
            )
        })
        .unwrap();
    // An edit: the old text is rewritten in place in the projection and the index.
    employer
        .write_shared(ended, |d, s| {
            d.edit_note(note, &format!("Så {}", m("notatet etter endring")), s)
        })
        .unwrap();
    employer
        .save_draft(
            &format!("daily-log.{ended}"),
            &format!("{{\"tasksDone\":\"{}\"}}", m("utkast")),
        )
        .unwrap();

    // The adviser ends the placement; the employer's device receives it.
    let heads = adviser.heads(ended_doc).unwrap();
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
    let closing = adviser.changes_since(ended_doc, &heads).unwrap();
    employer.apply_remote(ended_doc, &closing).unwrap();
    drop(employer);
    Setup {
        _tmp: tmp,
        dir,
        key,
        ended,
        ended_doc,
        running,
    }
}

/// The byte scan can fail: before the purge, every marker is in the decrypted pages (the
/// projections and the index hold them in plain text), and none is in the files as they lie on
/// disk (encrypted).
#[test]
fn before_the_purge_every_marker_is_in_the_decrypted_pages() {
    let s = employer_with_marked_placement();
    let mut employer = Store::open(&s.dir, Unlock::Key(s.key.clone())).unwrap();
    // Search finds the markers, so the full-text index holds them.
    for marker in [
        m("besøkets oppsummering"),
        m("melding til NAV"),
        m("veileders notat"),
    ] {
        assert_eq!(employer.search(marker, 10).unwrap().len(), 1, "{marker}");
    }
    drop(employer);
    let plain: Vec<&str> = all_fields()
        .into_iter()
        .filter(|f| !ONLY_IN_DOCUMENTS.contains(f))
        .collect();
    assert_eq!(markers_in(&decrypted_pages(&s.dir, &s.key)), plain);
    assert_eq!(
        markers_in(&std::fs::read(s.dir.join("folgesvenn.db")).unwrap()),
        Vec::<&str>::new()
    );
}

fn assert_no_remnants(dir: &Path, key: &DbKey, mut employer: Store, running: Uuid) {
    // While the store is still open: the WAL holds no frames, and the shared-memory index (never
    // encrypted) no marker.
    let wal = dir.join("folgesvenn.db-wal");
    assert_eq!(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0), 0);
    for name in ["folgesvenn.db-shm", "store.json"] {
        if let Ok(bytes) = std::fs::read(dir.join(name)) {
            assert_eq!(markers_in(&bytes), Vec::<&str>::new(), "{name}");
        }
    }
    let listed: Vec<Uuid> = employer
        .list_placements()
        .unwrap()
        .iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(listed, vec![running]);
    drop(employer);
    let pages = decrypted_pages(dir, key);
    assert_eq!(markers_in(&pages), Vec::<&str>::new());
    // The index still works for what stays.
    let mut employer = Store::open(dir, Unlock::Key(key.clone())).unwrap();
    assert_eq!(employer.search("hansen", 10).unwrap().len(), 1);
    assert!(
        employer
            .search(m("melding til NAV"), 10)
            .unwrap()
            .is_empty()
    );
    employer.verify_integrity().unwrap();
}

#[test]
fn twelve_weeks_after_the_end_no_page_holds_anything_of_the_placement() {
    let s = employer_with_marked_placement();
    let mut employer = Store::open(&s.dir, Unlock::Key(s.key.clone())).unwrap();
    fixed_clock(&mut employer, "2027-02-13T10:00:00Z");
    assert_eq!(employer.purge_ended_placements().unwrap(), vec![s.ended]);
    assert_no_remnants(&s.dir, &s.key, employer, s.running);
}

#[test]
fn after_the_relay_ends_access_no_page_holds_anything_of_the_placement() {
    let s = employer_with_marked_placement();
    let mut employer = Store::open(&s.dir, Unlock::Key(s.key.clone())).unwrap();
    assert!(employer.purge_expired(s.ended_doc).unwrap());
    assert_no_remnants(&s.dir, &s.key, employer, s.running);
}

/// A store from before migration 0008 may hold deleted text anywhere in its free space: the
/// migration rewrites the file once.
#[test]
fn a_store_from_before_is_rewritten_once_so_what_it_deleted_is_gone() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let key = DbKey::generate();
    drop(Store::create(dir, Role::Employer, "Per", Unlock::Key(key.clone())).unwrap());
    // As an older version left it: text deleted without `secure_delete`, schema 7.
    {
        let conn = Connection::open(dir.join("folgesvenn.db")).unwrap();
        conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", key.to_hex().as_str()))
            .unwrap();
        conn.execute_batch(&format!(
            "PRAGMA secure_delete = OFF;
             INSERT INTO drafts (key, value, saved_at) VALUES ('a', '{}', 'x'), ('b', '{}', 'x');
             DELETE FROM drafts WHERE key = 'a';",
            m("utkast"),
            "fyll ".repeat(2000),
        ))
        .unwrap();
        schema_back_to(&conn, 7);
    }
    assert_eq!(markers_in(&decrypted_pages(dir, &key)), vec!["utkast"]);
    let s = Store::open(dir, Unlock::Key(key.clone())).unwrap();
    assert_eq!(s.load_draft("b").unwrap().map(|v| v.len()), Some(10_000));
    drop(s);
    assert_eq!(markers_in(&decrypted_pages(dir, &key)), Vec::<&str>::new());
}
