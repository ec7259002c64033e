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
use folgesvenn_protocol::wire::MemberRole;
use folgesvenn_store::{DocKind, Store};
use folgesvenn_sync::{SyncClient, accept, invite, share, sync_once};

use crate::common::*;

async fn join(adviser: &mut Store, device: &mut Store, p: Uuid, role: MemberRole) {
    let pairing = invite(
        adviser,
        &SyncClient::new(),
        p,
        DocKind::Shared,
        role,
        Duration::from_secs(3600),
    )
    .await
    .unwrap();
    accept(device, &pairing.invitation).unwrap();
}

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

    // What an employer may not write, each in its own record.
    let mut later_end = placement_input("Ola Nordmann");
    later_end.end_date = Some(day("2027-12-31"));
    rogue
        .record_visit(
            p,
            &NewVisit {
                at: Moment::parse("at", "2026-11-27T09:00:00Z").unwrap(),
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
        .write_shared(p, |d, s| d.set_status(PlacementStatus::Cancelled, s))
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
            assert!(entry.reason.contains("ikke tillatt"), "{who}: {entry:?}");
        }
        let log: Vec<String> = store
            .sync_log(shared, 100)
            .unwrap()
            .into_iter()
            .map(|e| e.event)
            .collect();
        assert!(
            log.iter()
                .filter(|e| e.contains("karantene") && e.contains("Per Verksmester"))
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
