//! A placement's end, and the employer's access that ends 12 weeks later, through a real relay
//! whose calendar the test moves (a restart with `--calendar-offset-days`, never a sleep) and
//! stores whose clocks it sets.
//!
//! The adviser's device tells the relay the end from its own write. On the last day of the 12
//! weeks the employer still syncs; the day after, the relay refuses it (403 `membership_expired`)
//! and the employer's device deletes the placement, unless it holds a note the relay never
//! acknowledged; an employer device that stays offline deletes it by its own clock. The adviser
//! keeps everything. Reopening before the cut-off gives the employer its access back.

use std::time::{SystemTime, UNIX_EPOCH};

use folgesvenn_domain::uuid::Uuid;
use folgesvenn_domain::*;
use folgesvenn_protocol::wire::MemberRole;
use folgesvenn_store::{DocKind, Store, epoch_day};
use folgesvenn_sync::{SyncClient, share, sync_once};

use crate::common::*;

/// The relay's calendar offset that makes its today `day` (it runs on the real clock).
fn offset_to(day: Day) -> i64 {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    epoch_day(day) - (now.as_millis() as i64).div_euclid(86_400_000)
}

fn note(store: &mut Store, p: Uuid, body: &str) -> Uuid {
    store
        .write_shared(p, |d, s| {
            d.add_note(
                &NewNote {
                    body: body.into(),
                    reply_to: None,
                },
                s,
            )
        })
        .unwrap()
}

/// The codes of the sync log's lines.
fn log_of(store: &Store, doc: Option<Uuid>) -> Vec<String> {
    let entries = match doc {
        Some(d) => store.sync_log(d, 200).unwrap(),
        None => store.device_sync_log(200).unwrap(),
    };
    entries.into_iter().map(|e| e.event.code).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_employers_access_ends_twelve_weeks_after_the_placement_does() {
    let tmp = tempfile::tempdir().unwrap();
    let relay_dir = tmp.path().join("relay");
    let mut relay = RelayProcess::start(&relay_dir);
    let listen = relay.url.trim_start_matches("http://").to_owned();
    let client = SyncClient::new();
    let (mut adviser, _) = new_store(&tmp.path().join("adviser"), Role::Adviser, "Kari Veileder");
    let (mut phone, _) = new_store(&tmp.path().join("phone"), Role::Employer, "Per Verksmester");
    let (mut tablet, _) = new_store(
        &tmp.path().join("tablet"),
        Role::Employer,
        "Per Verksmester",
    );

    let p = adviser
        .create_placement(&placement_input("Ola Nordmann"))
        .unwrap();
    let shared = adviser.document_id(p, DocKind::Shared).unwrap();
    share(&mut adviser, shared, &relay.url).unwrap();
    join(&mut adviser, &mut phone, p, MemberRole::Employer).await;
    join(&mut adviser, &mut tablet, p, MemberRole::Employer).await;
    for s in [&mut adviser, &mut phone, &mut tablet] {
        sync_once(s, &client).await.unwrap();
    }
    sync_once(&mut adviser, &client).await.unwrap();
    let from_phone = note(&mut phone, p, "Ola var på plass hele uka.");
    sync_once(&mut phone, &client).await.unwrap();

    // Ended, then reopened the same day: the relay hears both, the last one counts.
    let today = day("2026-11-27");
    adviser
        .write_shared(p, |d, s| {
            d.close_placement(PlacementStatus::Ended, today, CloseReason::Completed, s)
        })
        .unwrap();
    sync_once(&mut adviser, &client).await.unwrap();
    assert!(adviser.end_day_notices().unwrap().is_empty());
    adviser
        .write_shared(p, |d, s| d.reopen_placement(s))
        .unwrap();
    sync_once(&mut adviser, &client).await.unwrap();
    assert!(
        log_of(&adviser, Some(shared))
            .iter()
            .any(|e| e == "reopening_told"),
        "{:?}",
        log_of(&adviser, Some(shared))
    );
    relay.stop();
    relay = RelayProcess::start_with_calendar(&relay_dir, &listen, offset_to(day("2027-06-01")));
    let r = sync_once(&mut phone, &client).await.unwrap();
    assert_eq!(r.purged, 0, "reopened: the employer keeps access");
    assert!(phone.placement(p).is_ok());

    // Ended for good, by the adviser's own write, told to the relay by her device.
    relay.stop();
    relay = RelayProcess::start_on(&relay_dir, &listen);
    adviser
        .write_shared(p, |d, s| {
            d.close_placement(PlacementStatus::Ended, today, CloseReason::GotJob, s)
        })
        .unwrap();
    sync_once(&mut adviser, &client).await.unwrap();
    for s in [&mut phone, &mut tablet] {
        sync_once(&mut *s, &client).await.unwrap();
        let facts = s.overview(p, 1).unwrap().facts;
        assert_eq!(facts.status, "ended");
        assert_eq!(facts.closed_reason.as_deref(), Some("got_job"));
        assert_eq!(
            facts.employer_access_ends.as_deref(),
            Some("2027-02-19"),
            "the employer's screen shows the day its access ends"
        );
    }
    // The tablet writes a note and goes offline before sending it.
    let unsent = note(&mut tablet, p, "Ola fikk fast jobb hos oss!");

    // The last day of the 12 weeks: everyone still syncs.
    let last = day("2027-02-19");
    relay.stop();
    relay = RelayProcess::start_with_calendar(&relay_dir, &listen, offset_to(last));
    fixed_clock(&mut phone, "2027-02-19T12:00:00Z");
    assert!(phone.purge_ended_placements().unwrap().is_empty());
    let r = sync_once(&mut phone, &client).await.unwrap();
    assert_eq!(r.purged, 0);
    assert!(phone.placement(p).is_ok());

    // The day after: the relay refuses the employer, and the phone deletes the placement.
    relay.stop();
    relay = RelayProcess::start_with_calendar(&relay_dir, &listen, offset_to(last.plus_days(1)));
    let r = sync_once(&mut phone, &client).await.unwrap();
    assert_eq!(r.purged, 1, "{r:?}");
    assert_eq!(phone.placement(p).unwrap_err().kind(), "unknown_placement");
    assert!(phone.list_placements().unwrap().is_empty());
    assert!(phone.sync_docs().unwrap().is_empty());
    assert!(
        phone.doc_keys(shared).unwrap().is_empty(),
        "no key left behind"
    );
    assert!(
        log_of(&phone, None)
            .iter()
            .any(|e| e == "access_ended_deleted"),
        "{:?}",
        log_of(&phone, None)
    );
    phone.verify_audit().unwrap();

    // The tablet comes online with its unsent note: refused (403) too, but a relay's word alone
    // deletes nothing the relay never acknowledged.
    let r = sync_once(&mut tablet, &client).await.unwrap();
    assert_eq!(r.purged, 0);
    assert!(
        tablet
            .placement(p)
            .unwrap()
            .shared
            .notes
            .contains_key(&unsent)
    );
    assert!(
        log_of(&tablet, Some(shared))
            .iter()
            .any(|e| e == "access_ended_kept"),
        "{:?}",
        log_of(&tablet, Some(shared))
    );
    // Its own clock past the 12 weeks deletes it, online or not.
    fixed_clock(&mut tablet, "2027-02-20T08:00:00Z");
    assert_eq!(tablet.purge_ended_placements().unwrap(), vec![p]);
    assert!(tablet.list_placements().unwrap().is_empty());

    // The adviser keeps everything and still syncs; her copy is untouched.
    fixed_clock(&mut adviser, "2027-02-20T08:00:00Z");
    assert!(adviser.purge_ended_placements().unwrap().is_empty());
    sync_once(&mut adviser, &client).await.unwrap();
    let kept = adviser.placement(p).unwrap().shared;
    assert!(kept.notes.contains_key(&from_phone));
    assert_eq!(kept.placement.status, PlacementStatus::Ended);
    // Past the cut-off it cannot be reopened: the employer's copies are gone.
    let e = adviser
        .write_shared(p, |d, s| d.reopen_placement(s))
        .unwrap_err();
    assert_eq!(e.kind(), "reopen_too_late", "{e}");
    drop(relay);
}

/// The candidate withdraws consent: the adviser records it, and the employer's devices are removed
/// in the same step (new key). The relay refuses them from the next sync; the phone, which sent
/// everything, deletes the placement; the tablet, holding a note the relay never took, keeps it
/// until it could be sent. No new invitation is made until a new consent allows one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_withdrawn_consent_ends_the_employers_access_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(&tmp.path().join("relay"));
    let client = SyncClient::new();
    let (mut adviser, _) = new_store(&tmp.path().join("adviser"), Role::Adviser, "Kari Veileder");
    let (mut phone, _) = new_store(&tmp.path().join("phone"), Role::Employer, "Per Verksmester");
    let (mut tablet, _) = new_store(
        &tmp.path().join("tablet"),
        Role::Employer,
        "Per Verksmester",
    );
    let p = adviser
        .create_placement(&placement_input("Ola Nordmann"))
        .unwrap();
    let shared = adviser.document_id(p, DocKind::Shared).unwrap();
    share(&mut adviser, shared, &relay.url).unwrap();
    join(&mut adviser, &mut phone, p, MemberRole::Employer).await;
    join(&mut adviser, &mut tablet, p, MemberRole::Employer).await;
    for s in [&mut adviser, &mut phone, &mut tablet] {
        sync_once(s, &client).await.unwrap();
    }
    sync_once(&mut adviser, &client).await.unwrap();
    note(&mut phone, p, "Ola var på plass hele uka.");
    sync_once(&mut phone, &client).await.unwrap();
    let unsent = note(&mut tablet, p, "Skrevet uten nett.");

    // A code given before the withdrawal, not used yet (it cannot be taken back).
    let stale = folgesvenn_sync::invite(
        &mut adviser,
        &client,
        p,
        DocKind::Shared,
        MemberRole::Employer,
        std::time::Duration::from_secs(3600),
    )
    .await
    .unwrap();
    let consents = adviser.consents(p).unwrap();
    assert_eq!(consents.len(), 1);
    assert!(consents[0].allows_employer);
    let removed = folgesvenn_sync::withdraw_consent(&mut adviser, p, consents[0].id).unwrap();
    assert_eq!(removed, 2, "both employer devices");
    let after = adviser.consents(p).unwrap();
    assert!(after[0].withdrawn_at.is_some() && !after[0].allows_employer);
    assert_eq!(after[0].withdrawn_by.as_deref(), Some("Kari Veileder"));
    let roster = folgesvenn_sync::roster(&adviser, shared).unwrap();
    assert!(roster.is_revoked(phone.device_id()) && roster.is_revoked(tablet.device_id()));
    assert_eq!(
        folgesvenn_sync::withdraw_consent(&mut adviser, p, consents[0].id)
            .unwrap_err()
            .kind(),
        "inconsistent",
        "a consent is withdrawn once"
    );
    sync_once(&mut adviser, &client).await.unwrap();

    // The phone had sent everything: refused, it deletes the placement.
    let r = sync_once(&mut phone, &client).await.unwrap();
    assert_eq!(r.purged, 1, "{r:?}");
    assert!(phone.placement(p).is_err());
    assert!(phone.list_placements().unwrap().is_empty());
    assert!(
        log_of(&phone, None)
            .iter()
            .any(|e| e == "access_ended_deleted")
    );
    // The tablet's note never reached the relay: refused, it keeps the placement and the note.
    let r = sync_once(&mut tablet, &client).await;
    assert!(matches!(r, Ok(ref r) if r.purged == 0), "{r:?}");
    let kept = tablet.placement(p).unwrap().shared;
    assert!(kept.notes.contains_key(&unsent));
    assert!(
        log_of(&tablet, Some(shared))
            .iter()
            .any(|e| e == "access_ended_kept")
    );

    // The old code is used after the withdrawal: the adviser's device gives the newcomer no key
    // and removes it, so it never reads what is written from then on.
    let (mut late, _) = new_store(&tmp.path().join("late"), Role::Employer, "Gro Lagerleder");
    folgesvenn_sync::accept(&mut late, &stale.invitation).unwrap();
    sync_once(&mut late, &client).await.unwrap();
    sync_once(&mut adviser, &client).await.unwrap();
    let roster = folgesvenn_sync::roster(&adviser, shared).unwrap();
    assert!(
        roster.is_revoked(late.device_id()),
        "the newcomer is removed"
    );
    let after_withdrawal = note(&mut adviser, p, "Skrevet etter at samtykket ble trukket.");
    sync_once(&mut adviser, &client).await.unwrap();
    let _ = sync_once(&mut late, &client).await;
    assert!(
        late.placement(p)
            .map_or(true, |v| !v.shared.notes.contains_key(&after_withdrawal)),
        "the newcomer never reads what came after"
    );
    assert!(
        late.doc_keys(shared)
            .map_or(true, |keys| keys.iter().all(|(e, _)| *e < roster.epoch())),
        "nor holds the key it is sealed under"
    );

    // No employer invitation without a consent that allows one; a new consent allows it again.
    let refused = folgesvenn_sync::invite(
        &mut adviser,
        &client,
        p,
        DocKind::Shared,
        MemberRole::Employer,
        std::time::Duration::from_secs(3600),
    )
    .await
    .unwrap_err();
    assert_eq!(refused.kind(), "consent_missing");
    consent(&mut adviser, p);
    assert_eq!(adviser.consents(p).unwrap().len(), 2);
    folgesvenn_sync::invite(
        &mut adviser,
        &client,
        p,
        DocKind::Shared,
        MemberRole::Employer,
        std::time::Duration::from_secs(3600),
    )
    .await
    .unwrap();
}

/// A withdrawal is two writes: the consent, then the removal of the employer's devices. If the
/// device stops between them (or the removal fails), the next sync finishes the removal before it
/// seals anything, so the employer never reads what is written after the withdrawal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_withdrawal_whose_removal_did_not_finish_is_finished_by_the_next_sync() {
    let tmp = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(&tmp.path().join("relay"));
    let client = SyncClient::new();
    let (mut adviser, _) = new_store(&tmp.path().join("adviser"), Role::Adviser, "Kari Veileder");
    let (mut phone, _) = new_store(&tmp.path().join("phone"), Role::Employer, "Per Verksmester");
    let p = adviser
        .create_placement(&placement_input("Ola Nordmann"))
        .unwrap();
    let shared = adviser.document_id(p, DocKind::Shared).unwrap();
    share(&mut adviser, shared, &relay.url).unwrap();
    join(&mut adviser, &mut phone, p, MemberRole::Employer).await;
    sync_once(&mut adviser, &client).await.unwrap();
    sync_once(&mut phone, &client).await.unwrap();
    sync_once(&mut adviser, &client).await.unwrap();
    let roster = folgesvenn_sync::roster(&adviser, shared).unwrap();
    assert!(roster.member(phone.device_id()).is_some());

    // The first write alone: the consent withdrawn, the employer still a member.
    let consent = adviser.consents(p).unwrap()[0].id;
    adviser
        .write_private(p, |d, s| d.withdraw_consent(consent, s))
        .unwrap();
    let roster = folgesvenn_sync::roster(&adviser, shared).unwrap();
    assert!(
        roster.member(phone.device_id()).is_some(),
        "not removed yet"
    );
    let after = note(&mut adviser, p, "Skrevet etter tilbaketrekkingen.");

    let r = sync_once(&mut adviser, &client).await.unwrap();
    assert_eq!(r.withdrawals_finished, 1, "{r:?}");
    let roster = folgesvenn_sync::roster(&adviser, shared).unwrap();
    assert!(roster.is_revoked(phone.device_id()), "the sync removed it");
    // The note written in between went up under the new key: the phone never reads it.
    let r = sync_once(&mut phone, &client).await.unwrap();
    assert_eq!(r.purged, 1, "{r:?}");
    assert!(phone.placement(p).is_err());
    assert!(
        !phone
            .projection_dump(true)
            .unwrap()
            .join("\n")
            .contains("tilbaketrekkingen"),
        "{after}"
    );
    // Nothing more to finish.
    let r = sync_once(&mut adviser, &client).await.unwrap();
    assert_eq!(r.withdrawals_finished, 0);
}
