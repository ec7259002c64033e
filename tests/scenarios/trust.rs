//! Who may write what, checked on every device that receives a change, through a real relay.
//!
//! An employer device holds the document key, so nothing but the receiving device's own check
//! stops it from writing a visit, a date or an answer. Here a device set up as "adviser" joins with
//! an employer invitation (so its own store lets it write anything, as modified code would) and
//! writes what an employer may not; the adviser's two devices and an honest employer device each
//! keep those records in quarantine, name the sender in their sync logs, and apply nothing of them,
//! while the honest employer's changes of the same sync are applied and audit-logged as hers.

use std::time::Duration;

use folgesvenn_domain::uuid::Uuid;
use folgesvenn_domain::*;
use folgesvenn_protocol::roster;
use folgesvenn_protocol::wire::MemberRole;
use folgesvenn_protocol::{DeviceKey, DocKey, RecordKind};
use folgesvenn_relay::RelayStorage;
use folgesvenn_relay::sqlite::SqliteStorage;
use folgesvenn_store::DocKind;
use folgesvenn_sync::{
    SyncClient, accept, invite, join_with_code, remove_member, share, sync_once,
};

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_employer_device_cannot_write_what_its_role_may_not() {
    let tmp = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(&tmp.path().join("relay"));
    let client = SyncClient::new();
    let (mut adviser, _) = new_store(&tmp.path().join("adviser"), Role::Adviser, "Kari Veileder");
    let (mut laptop, _) = new_store(&tmp.path().join("laptop"), Role::Adviser, "Kari Veileder");
    // Set up as an adviser, invited as an employer: an employer for this placement.
    let (mut rogue, _) = new_store(&tmp.path().join("rogue"), Role::Adviser, "Per Verksmester");
    let (mut honest, _) = new_store(&tmp.path().join("honest"), Role::Employer, "Eva Butikksjef");

    let p = adviser
        .create_placement(&placement_input("Ola Nordmann"))
        .unwrap();
    let note = adviser
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
    let shared = adviser.document_id(p, DocKind::Shared).unwrap();
    share(&mut adviser, shared, &relay.url).unwrap();
    join(&mut adviser, &mut laptop, p, MemberRole::Adviser).await;
    join(&mut adviser, &mut rogue, p, MemberRole::Employer).await;
    join(&mut adviser, &mut honest, p, MemberRole::Employer).await;
    for s in [&mut laptop, &mut rogue, &mut honest, &mut adviser] {
        sync_once(s, &client).await.unwrap();
    }
    // The honest employer raises a request; everyone has it.
    let request = honest
        .write_shared(p, |d, s| d.raise_contact_request("Kan du ringe meg?", s))
        .unwrap();
    for s in [&mut honest, &mut adviser, &mut laptop, &mut rogue] {
        let r = sync_once(s, &client).await.unwrap();
        assert_eq!(r.quarantined, 0, "{r:?}");
    }
    let before = adviser.placement(p).unwrap().shared;

    // The rogue's own store already refuses: its invitation made it an employer here.
    let refused = rogue
        .write_shared(p, |d, s| d.edit_note(note, "Ola trenger ikke møte.", s))
        .unwrap_err();
    assert_eq!(refused.kind(), "forbidden_write", "{refused}");
    // Modified code skips that check (here: by resetting its own role); every other member still
    // refuses what it writes.
    rogue.set_member_role(shared, Role::Adviser).unwrap();

    // What an employer may not write, each in its own record.
    let mut later_end = placement_input("Ola Nordmann");
    later_end.end_date = Some(day("2027-12-31"));
    rogue
        .record_visit(
            p,
            &NewVisit {
                at: Moment::parse(folgesvenn_domain::Field::At, "2026-11-27T09:00:00Z").unwrap(),
                place: "Lageret".into(),
                kind: VisitKind::OnSite,
                attendees: vec!["Ola".into()],
                summary: "Et besøk som aldri fant sted.".into(),
                check_in: CheckIn::default(),
                actions: vec![],
                next_visit: None,
            },
            None,
        )
        .unwrap();
    sync_once(&mut rogue, &client).await.unwrap();
    rogue
        .write_shared(p, |d, s| d.update_placement(&later_end, s))
        .unwrap();
    sync_once(&mut rogue, &client).await.unwrap();
    rogue
        .write_shared(p, |d, s| {
            d.close_placement(PlacementStatus::Cancelled, s.today, CloseReason::Other, s)
        })
        .unwrap();
    sync_once(&mut rogue, &client).await.unwrap();
    rogue
        .write_shared(p, |d, s| d.resolve_request(request, "Ordnet selv.", s))
        .unwrap();
    sync_once(&mut rogue, &client).await.unwrap();
    rogue
        .write_shared(p, |d, s| d.edit_note(note, "Ola trenger ikke møte.", s))
        .unwrap();
    sync_once(&mut rogue, &client).await.unwrap();
    // And in the same sync as those arrive, the honest employer's daily log.
    honest
        .log_observation(
            p,
            &NewObservation {
                date: day("2026-11-27"),
                attendance: Attendance::Present,
                hours: 6.0,
                tasks_done: "Varemottak".into(),
                went_well: "Jobbet selvstendig".into(),
                problem: String::new(),
                wants_contact: false,
                contact_message: String::new(),
            },
        )
        .unwrap();
    sync_once(&mut honest, &client).await.unwrap();

    for (who, store) in [
        ("the adviser", &mut adviser),
        ("her laptop", &mut laptop),
        ("the honest employer", &mut honest),
    ] {
        let report = sync_once(&mut *store, &client).await.unwrap();
        let q = store.quarantined(shared).unwrap();
        assert_eq!(
            q.len(),
            5,
            "{who}: every forbidden record set aside: {q:?} {report:?}"
        );
        for entry in &q {
            assert!(entry.sender.contains("Per Verksmester"), "{who}: {entry:?}");
            assert_eq!(entry.reason.code, "record_not_applied", "{who}: {entry:?}");
            assert_eq!(
                entry.reason.param("error"),
                Some("forbidden_write"),
                "{who}: {entry:?}"
            );
        }
        let log: Vec<_> = store
            .sync_log(shared, 100)
            .unwrap()
            .into_iter()
            .map(|e| e.event)
            .collect();
        assert!(
            log.iter()
                .filter(|e| e.code == "record_quarantined"
                    && e.param("sender")
                        .is_some_and(|s| s.contains("Per Verksmester")))
                .count()
                >= 5,
            "{who}: the sync log names the sender: {log:?}"
        );
        let now = store.placement(p).unwrap().shared;
        assert!(now.visits.is_empty(), "{who}: no visit");
        assert_eq!(now.placement.end_date, before.placement.end_date, "{who}");
        assert_eq!(now.placement.status, before.placement.status, "{who}");
        assert!(
            now.contact_requests[&request].resolved_at.is_none(),
            "{who}"
        );
        assert_eq!(now.notes[&note].body.as_str(), "Ola møter kl 08.", "{who}");
        assert_eq!(
            now.observations.len(),
            1,
            "{who}: the honest log is applied"
        );
    }

    // The adviser's audit log names the real author of the applied remote writes.
    let entries = adviser.audit_entries(Some(p)).unwrap();
    let eva = honest.device_id().to_string();
    assert!(
        entries.iter().any(|e| e.device_id == eva
            && e.actor == "Eva Butikksjef"
            && e.role == "employer"
            && e.action == "write"),
        "{entries:?}"
    );
    let per = rogue.device_id().to_string();
    assert!(
        !entries
            .iter()
            .any(|e| e.device_id == per && e.action == "write"),
        "nothing of the rogue device was applied"
    );
    adviser.verify_audit().unwrap();
}

/// Everything an attacker holding the removed device's keys and a full copy of the relay's files
/// can read: every record they open, by server sequence number and kind, and every document key
/// they learn from an envelope.
fn attacker_reads(
    relay_files: &std::path::Path,
    doc: Uuid,
    doc_keys: &[(u32, Vec<u8>)],
    device_key: &DeviceKey,
) -> (Vec<(u64, RecordKind)>, usize) {
    let copy = tempfile::tempdir().unwrap();
    for f in std::fs::read_dir(relay_files).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), copy.path().join(f.file_name())).unwrap();
    }
    let storage = SqliteStorage::open(&copy.path().join("relay.db")).unwrap();
    let pulled = storage
        .pull(doc, 0, Uuid::new_v4(), usize::MAX / 2, true)
        .unwrap();
    assert!(!pulled.more);
    let records = pulled.records;
    let mut opened = Vec::new();
    let mut learned = 0;
    for rec in &records {
        for (_, k) in doc_keys {
            let Ok(plain) = rec
                .record
                .open(&DocKey::from_bytes(k).unwrap(), &rec.sender_key)
            else {
                continue;
            };
            opened.push((rec.server_seq, rec.record.header.kind));
            if rec.record.header.kind == RecordKind::Roster {
                for s in roster::decode_statements(&plain).unwrap() {
                    if let roster::Statement::Rekey(r) = s {
                        learned += r
                            .body
                            .envelopes
                            .iter()
                            .filter(|e| device_key.unseal(&e.sealed).is_ok())
                            .count();
                    }
                }
            }
        }
    }
    (opened, learned)
}

fn highest_seq(relay_files: &std::path::Path, doc: Uuid) -> u64 {
    let storage = SqliteStorage::open(&relay_files.join("relay.db")).unwrap();
    storage
        .pull(doc, 0, Uuid::new_v4(), usize::MAX / 2, true)
        .unwrap()
        .cursor
}

fn observation(date: &str) -> NewObservation {
    NewObservation {
        date: day(date),
        attendance: Attendance::Present,
        hours: 5.0,
        tasks_done: "Hylleplass".into(),
        went_well: "Bra".into(),
        problem: String::new(),
        wants_contact: false,
        contact_message: String::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removed_device_is_refused_and_can_read_nothing_written_after() {
    let tmp = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(&tmp.path().join("relay"));
    let relay_files = tmp.path().join("relay");
    let client = SyncClient::new();
    let (mut adviser, _) = new_store(&tmp.path().join("adviser"), Role::Adviser, "Kari Veileder");
    let (mut laptop, _) = new_store(&tmp.path().join("laptop"), Role::Adviser, "Kari Veileder");
    let (mut kept, _) = new_store(&tmp.path().join("kept"), Role::Employer, "Eva Butikksjef");
    let (mut lost, _) = new_store(&tmp.path().join("lost"), Role::Employer, "Per Verksmester");
    let p = adviser
        .create_placement(&placement_input("Ola Nordmann"))
        .unwrap();
    let shared = adviser.document_id(p, DocKind::Shared).unwrap();
    share(&mut adviser, shared, &relay.url).unwrap();
    join(&mut adviser, &mut laptop, p, MemberRole::Adviser).await;
    join(&mut adviser, &mut kept, p, MemberRole::Employer).await;
    join(&mut adviser, &mut lost, p, MemberRole::Employer).await;
    for s in [&mut laptop, &mut kept, &mut lost, &mut adviser] {
        sync_once(s, &client).await.unwrap();
    }
    sync_once(&mut laptop, &client).await.unwrap();
    lost.log_observation(p, &observation("2026-11-26")).unwrap();
    sync_once(&mut lost, &client).await.unwrap();
    // An invitation made before the removal: the rotation voids it.
    let stale = invite(
        &mut adviser,
        &client,
        p,
        DocKind::Shared,
        MemberRole::Employer,
        Duration::from_secs(3600),
    )
    .await
    .unwrap();
    let before_removal = highest_seq(&relay_files, shared);

    // The phone is lost. The laptop is offline meanwhile.
    let gone = lost.device_id();
    assert_eq!(remove_member(&mut adviser, shared, gone).unwrap(), 2);
    assert_eq!(
        remove_member(&mut kept, shared, adviser.device_id())
            .unwrap_err()
            .kind(),
        "not_adviser_member"
    );
    sync_once(&mut adviser, &client).await.unwrap();
    // What an attacker holding the phone keeps: its keys, as they were before it synced again.
    let lost_keys: Vec<(u32, Vec<u8>)> = lost
        .doc_keys(shared)
        .unwrap()
        .into_iter()
        .map(|(e, k)| (e, k.to_vec()))
        .collect();
    let lost_device = DeviceKey::from_bytes(&lost.device_signing_key().unwrap()).unwrap();
    // Refused by the relay, the lost phone (had it been found by its honest owner) deletes the
    // placement: it had sent everything it wrote.
    let refused = sync_once(&mut lost, &client).await.unwrap();
    assert_eq!(refused.purged, 1, "{refused:?}");
    assert!(lost.placement(p).is_err());

    // Work after the removal, on every remaining device.
    adviser
        .write_shared(p, |d, s| {
            d.add_note(
                &NewNote {
                    body: "Skrevet etter at telefonen ble borte.".into(),
                    reply_to: None,
                },
                s,
            )
        })
        .unwrap();
    sync_once(&mut adviser, &client).await.unwrap();
    sync_once(&mut kept, &client).await.unwrap();
    kept.log_observation(p, &observation("2026-11-27")).unwrap();
    sync_once(&mut kept, &client).await.unwrap();
    // The laptop, offline during the rotation, catches up and writes under the new key.
    let r = sync_once(&mut laptop, &client).await.unwrap();
    assert_eq!(r.quarantined, 0, "{r:?}");
    laptop
        .write_shared(p, |d, s| {
            d.add_note(
                &NewNote {
                    body: "Fra den bærbare.".into(),
                    reply_to: None,
                },
                s,
            )
        })
        .unwrap();
    sync_once(&mut laptop, &client).await.unwrap();
    for s in [&mut adviser, &mut kept, &mut laptop] {
        let r = sync_once(&mut *s, &client).await.unwrap();
        assert_eq!(r.quarantined, 0, "{r:?}");
        let view = s.placement(p).unwrap().shared;
        assert_eq!(view.notes.len(), 2, "{r:?}");
        assert_eq!(view.observations.len(), 2);
        assert_eq!(s.quarantine_count().unwrap(), 0);
    }
    let mut heads: Vec<_> = [&mut adviser, &mut kept, &mut laptop]
        .into_iter()
        .map(|s| {
            let mut h = s.heads(shared).unwrap();
            h.sort();
            h
        })
        .collect();
    assert!(heads.windows(2).all(|w| w[0] == w[1]), "the rest converge");
    let roster = folgesvenn_sync::roster(&adviser, shared).unwrap();
    assert!(roster.member(gone).is_none() && roster.is_revoked(gone));
    assert_eq!(roster.epoch(), 2);
    heads.clear();

    // The attacker: the lost phone's keys (taken before it synced again) and a full copy of the
    // relay's files.
    let (opened, learned) = attacker_reads(&relay_files, shared, &lost_keys, &lost_device);
    assert!(
        opened.iter().any(|(seq, _)| *seq <= before_removal),
        "the attack works on what the phone could read: {opened:?}"
    );
    let after: Vec<_> = opened
        .iter()
        .filter(|(seq, _)| *seq > before_removal)
        .collect();
    // Only the rotation's own roster record is under the old key (it is how the others learn
    // the new one): it says the phone was removed and holds envelopes it cannot open.
    assert!(
        after.iter().all(|(_, kind)| *kind == RecordKind::Roster),
        "no change or snapshot written after the removal opens: {after:?}"
    );
    assert_eq!(learned, 0, "no envelope opens with the phone's key");
    let stored = SqliteStorage::open(&relay_files.join("relay.db"))
        .unwrap()
        .pull(shared, before_removal, Uuid::new_v4(), usize::MAX / 2, true)
        .unwrap()
        .records;
    assert!(
        stored
            .iter()
            .filter(|r| r.record.header.kind != RecordKind::Roster)
            .all(|r| r.record.header.epoch == 2),
        "every record after the rotation is sealed under the next epoch"
    );

    // An invitation made before the removal still works: the new device gets the new key from
    // the first adviser device that sees its claim.
    let (mut late, _) = new_store(&tmp.path().join("late"), Role::Employer, "Gro Lagerleder");
    accept(&mut late, &stale.invitation).unwrap();
    sync_once(&mut late, &client).await.unwrap();
    sync_once(&mut adviser, &client).await.unwrap();
    let r = sync_once(&mut late, &client).await.unwrap();
    assert_eq!(late.quarantine_count().unwrap(), 0, "{r:?}");
    assert_eq!(late.placement(p).unwrap().shared.notes.len(), 2);

    // After removing the only other employer devices too, a new contact person joins and works.
    remove_member(&mut adviser, shared, late.device_id()).unwrap();
    remove_member(&mut adviser, shared, kept.device_id()).unwrap();
    sync_once(&mut adviser, &client).await.unwrap();
    let (mut newcomer, _) = new_store(&tmp.path().join("new"), Role::Employer, "Siri Daglig");
    let pairing = invite(
        &mut adviser,
        &client,
        p,
        DocKind::Shared,
        MemberRole::Employer,
        Duration::from_secs(3600),
    )
    .await
    .unwrap();
    join_with_code(&mut newcomer, &client, &relay.url, &pairing.short_code)
        .await
        .unwrap();
    assert_eq!(
        newcomer.placement(p).unwrap().shared.notes.len(),
        2,
        "{:?}",
        newcomer.quarantined(shared).unwrap()
    );
    newcomer
        .log_observation(p, &observation("2026-11-25"))
        .unwrap();
    sync_once(&mut newcomer, &client).await.unwrap();
    let r = sync_once(&mut adviser, &client).await.unwrap();
    assert_eq!(r.quarantined, 0, "{r:?}");
    assert_eq!(adviser.placement(p).unwrap().shared.observations.len(), 3);
    let refused = sync_once(&mut kept, &client).await.unwrap();
    assert_eq!(refused.purged, 1, "removed too");
}
