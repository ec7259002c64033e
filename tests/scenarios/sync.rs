//! Two devices through a real relay on loopback (HTTP, its SQLite file): the adviser creates a
//! placement and invites the employer; the employer accepts offline and logs at once; both edit
//! apart (the same note, new observations, an action's status on both sides); both sync; their
//! documents and projections are identical. Then the relay's files are searched for what people
//! wrote, and the employer's store for the adviser's own notes: nothing is found.

use std::sync::Arc;
use std::time::Duration;

use folgesvenn_domain::*;
use folgesvenn_protocol::wire::MemberRole;
use folgesvenn_store::DocKind;
use folgesvenn_sync::transport::{BoxFuture, Http, Request, Response, Transport};
use folgesvenn_sync::{
    RelayTurn, SyncClient, accept, invite, join_with_code, open_full_code, share, sync_once,
};

use crate::common::*;

const MARKER: &str = "RELÉMARKØR-41b7";
const PRIVATE_MARKER: &str = "PRIVATMARKØR-a9d3";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adviser_and_employer_pair_work_apart_and_converge() {
    let tmp = tempfile::tempdir().unwrap();
    let mut relay_proc = RelayProcess::start(&tmp.path().join("relay"));
    let relay = relay_proc.url.clone();
    let relay_db = relay_proc.db.clone();
    // Every request and answer body is kept, to be searched for what people wrote.
    let captured = Arc::new(Capture::default());
    let client = SyncClient::with_transport(captured.clone()).snapshot_after(25);

    let (mut adviser, _) = new_store(&tmp.path().join("adviser"), Role::Adviser, "Kari Veileder");
    let (mut employer, _) = new_store(
        &tmp.path().join("employer"),
        Role::Employer,
        "Per Verksmester",
    );
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
    let action = adviser
        .write_shared(p, |d, s| {
            d.add_action(
                &NewAction {
                    what: "Kjøpe vernesko".into(),
                    owner: ActionOwner::Employer,
                    due: None,
                },
                s,
            )
        })
        .unwrap();
    let shared = adviser.document_id(p, DocKind::Shared).unwrap();
    let private = adviser.document_id(p, DocKind::Private).unwrap();
    share(&mut adviser, shared, &relay).unwrap();
    share(&mut adviser, private, &relay).unwrap();
    consent(&mut adviser, p);
    let invitation = invite(
        &mut adviser,
        &client,
        p,
        DocKind::Shared,
        MemberRole::Employer,
        Duration::from_secs(3600),
    )
    .await
    .unwrap();

    // The employer pastes the code, types the short code beside it and starts at once, with no
    // network.
    let opened = open_full_code(&invitation.full_code, &invitation.short_code).unwrap();
    let joined = accept(&mut employer, &opened).unwrap();
    assert_eq!(joined, p);
    employer
        .log_observation(
            p,
            &NewObservation {
                date: day("2026-11-27"),
                attendance: Attendance::Present,
                hours: 6.0,
                tasks_done: format!("Varemottak {MARKER}"),
                went_well: "Jobbet selvstendig".into(),
                problem: "Usikker på turnus".into(),
                wants_contact: true,
                contact_message: "Ring meg".into(),
            },
        )
        .unwrap();
    employer
        .write_shared(p, |d, s| {
            d.set_action_status(action, ActionStatus::Cancelled, s)
        })
        .unwrap();

    // Meanwhile the adviser, also offline from the employer's point of view.
    adviser
        .write_shared(p, |d, s| {
            d.edit_note(note, "Ola møter kl 08 på mandager.", s)
        })
        .unwrap();
    adviser
        .write_shared(p, |d, s| d.set_action_status(action, ActionStatus::Done, s))
        .unwrap();
    adviser
        .record_visit(
            p,
            &NewVisit {
                at: Moment::parse(folgesvenn_domain::Field::At, "2026-11-27T09:00:00Z").unwrap(),
                place: "Lageret".into(),
                kind: VisitKind::OnSite,
                attendees: vec!["Ola".into()],
                summary: format!("Godt i gang {MARKER}"),
                check_in: CheckIn::default(),
                actions: vec![],
                next_visit: Some(day("2026-12-11")),
            },
            Some(PRIVATE_MARKER),
        )
        .unwrap();

    // Both sync: the employer first (joins, pushes, pulls), the adviser, then the employer again.
    let e1 = sync_once(&mut employer, &client).await.unwrap();
    assert_eq!(e1.quarantined, 0);
    let a1 = sync_once(&mut adviser, &client).await.unwrap();
    assert_eq!(
        a1.round_trips, 1,
        "a steady-state sync is one round trip: {a1:?}"
    );
    assert_eq!(a1.quarantined, 0);
    let e2 = sync_once(&mut employer, &client).await.unwrap();
    assert!(e2.applied >= 1, "{e2:?}");
    // Nothing left to send or fetch on either side.
    assert!(adviser.outbox(shared).unwrap().is_empty());
    assert!(employer.outbox(shared).unwrap().is_empty());

    let (mut ha, mut he) = (
        adviser.heads(shared).unwrap(),
        employer.heads(shared).unwrap(),
    );
    ha.sort();
    he.sort();
    assert_eq!(ha, he, "identical documents");
    assert_eq!(
        adviser.projection_dump(false).unwrap(),
        employer.projection_dump(false).unwrap(),
        "identical projections"
    );
    let va = adviser.placement(p).unwrap();
    assert_eq!(
        va.shared.notes[&note].body.as_str(),
        "Ola møter kl 08 på mandager."
    );
    assert_eq!(va.shared.observations.len(), 1);
    assert_eq!(va.shared.visits.len(), 1);
    assert_eq!(
        adviser.overview(p, 50).unwrap().conflicts.len(),
        1,
        "the action's status changed on both devices"
    );
    assert_eq!(adviser.list_placements().unwrap()[0].open_requests, 1);

    // Both devices show the conflict alike: each value with the device that wrote it and when.
    // The employer, who may write an action's status, picks the adviser's value; it syncs like an
    // edit and the conflict is gone on both.
    let conflict = adviser.overview(p, 50).unwrap().conflicts.remove(0);
    assert_eq!(
        employer.overview(p, 50).unwrap().conflicts,
        std::slice::from_ref(&conflict)
    );
    assert!(conflict.may_settle && !conflict.private);
    let mut writers: Vec<_> = conflict.values.iter().map(|v| v.device).collect();
    writers.sort();
    let mut both = vec![Some(adviser.device_id()), Some(employer.device_id())];
    both.sort();
    assert_eq!(writers, both);
    assert!(conflict.values.iter().all(|v| v.at.is_some()));
    let chosen = conflict
        .values
        .iter()
        .find(|v| v.device == Some(adviser.device_id()))
        .unwrap()
        .value
        .clone();
    employer
        .write_shared(p, |d, s| d.settle_conflict(&conflict.path, &chosen, s))
        .unwrap();
    assert!(employer.overview(p, 50).unwrap().conflicts.is_empty());
    sync_once(&mut employer, &client).await.unwrap();
    sync_once(&mut adviser, &client).await.unwrap();
    assert!(adviser.overview(p, 50).unwrap().conflicts.is_empty());
    let (_, action_id, _) = conflict.record().unwrap();
    assert_eq!(
        adviser.placement(p).unwrap().shared.actions[&action_id]
            .status
            .code(),
        chosen
    );
    // Settling again (a second click, another device first) changes nothing; a value the field
    // does not hold is refused.
    let heads = employer.heads(shared).unwrap();
    employer
        .write_shared(p, |d, s| d.settle_conflict(&conflict.path, &chosen, s))
        .unwrap();
    assert_eq!(employer.heads(shared).unwrap(), heads);
    let refused = employer
        .write_shared(p, |d, s| {
            d.settle_conflict(&conflict.path, "not-a-value", s)
        })
        .unwrap_err();
    assert_eq!(refused.kind(), "inconsistent");

    // The adviser's own notes never reach the employer, in any form.
    assert_eq!(employer.documents().unwrap().len(), 1);
    assert!(employer.placement(p).unwrap().private.is_none());
    assert!(
        employer
            .projection_dump(true)
            .unwrap()
            .iter()
            .all(|r| !r.contains(PRIVATE_MARKER))
    );
    assert!(employer.search("privatmarkør", 10).unwrap().is_empty());

    // Weeks go by: the employer syncs after each note, until a snapshot is due and uploaded.
    let mut snapshots = 0;
    for i in 0..30 {
        employer
            .write_shared(p, |d, s| {
                d.add_note(
                    &NewNote {
                        body: format!("Uke {i}: Ola trives i varemottaket."),
                        reply_to: None,
                    },
                    s,
                )
            })
            .unwrap();
        snapshots += sync_once(&mut employer, &client).await.unwrap().snapshots;
        snapshots += sync_once(&mut adviser, &client).await.unwrap().snapshots;
    }
    assert!(snapshots >= 1, "a snapshot is uploaded after 25 records");
    // And a few records after the snapshot, on both sides.
    for who in [&mut adviser, &mut employer] {
        who.write_shared(p, |d, s| {
            d.add_note(
                &NewNote {
                    body: "Etter øyeblikksbildet.".into(),
                    reply_to: None,
                },
                s,
            )
        })
        .unwrap();
        sync_once(who, &client).await.unwrap();
    }
    sync_once(&mut adviser, &client).await.unwrap();

    // The adviser's second device joins later with the short typed code, for both documents, and
    // catches up from the snapshot plus the records after it.
    let (mut tablet, _) = new_store(&tmp.path().join("tablet"), Role::Adviser, "Kari Veileder");
    for kind in [DocKind::Shared, DocKind::Private] {
        let pairing = invite(
            &mut adviser,
            &client,
            p,
            kind,
            MemberRole::Adviser,
            Duration::from_secs(600),
        )
        .await
        .unwrap();
        assert_eq!(pairing.short_code.len(), 19, "{}", pairing.short_code);
        let typed = pairing.short_code.to_lowercase().replace('-', " ");
        assert_eq!(
            join_with_code(&mut tablet, &client, &relay, &typed)
                .await
                .unwrap()
                .placements,
            vec![p]
        );
        // A code works once.
        let (mut other, _) = new_store(
            &tmp.path().join(format!("other-{kind:?}")),
            Role::Adviser,
            "Noen andre",
        );
        let again = join_with_code(&mut other, &client, &relay, &typed).await;
        assert_eq!(again.unwrap_err().kind(), "unknown_code");
    }
    for doc in [shared, private] {
        let (mut a, mut t) = (adviser.heads(doc).unwrap(), tablet.heads(doc).unwrap());
        a.sort();
        t.sort();
        assert_eq!(a, t, "the second device holds the same document");
    }
    assert_eq!(
        adviser.projection_dump(true).unwrap(),
        tablet.projection_dump(true).unwrap()
    );
    let joined_log = tablet.sync_log(shared, 5).unwrap();
    let line = &joined_log.last().unwrap().event;
    assert_eq!(line.code, "joined_with_code", "{line}");
    assert_eq!(line.param("snapshots"), Some("1"), "{line}");
    let pulled: usize = line.param("records").unwrap().parse().unwrap();
    assert!(
        pulled < 30,
        "caught up from the snapshot, not from all 60-odd records: {line}"
    );
    // The second device writes, the first receives.
    tablet
        .write_private(p, |d, s| {
            d.add_note(
                &NewAdviserNote {
                    body: "Fra nettbrettet.".into(),
                    health_related: false,
                    visit: None,
                },
                s,
            )
        })
        .unwrap();
    sync_once(&mut tablet, &client).await.unwrap();
    sync_once(&mut adviser, &client).await.unwrap();
    let (mut a, mut t) = (
        adviser.heads(private).unwrap(),
        tablet.heads(private).unwrap(),
    );
    a.sort();
    t.sort();
    assert_eq!(a, t);
    assert_eq!(employer.documents().unwrap().len(), 1);

    // Nothing that crossed the wire, either way, holds a readable word.
    let bodies = captured.bodies.lock().unwrap();
    assert!(bodies.len() > 60);
    for body in bodies.iter() {
        assert_no_marker(body, "a captured request or answer");
    }
    drop(bodies);

    // The relay's files hold no readable word of what was written: while it runs (database, WAL
    // and shared memory all present) and after it has stopped.
    let relay_dir = relay_db.parent().unwrap().to_owned();
    let scanned = scan_for_plaintext(&relay_dir);
    assert!(scanned.iter().any(|n| n.ends_with("-wal")), "{scanned:?}");
    relay_proc.stop();
    scan_for_plaintext(&relay_dir);
}

/// A transport that keeps every request and answer body it carries.
#[derive(Default)]
struct Capture {
    http: std::sync::OnceLock<Http>,
    bodies: std::sync::Mutex<Vec<Vec<u8>>>,
}

impl Transport for Capture {
    fn post(&self, request: Request) -> BoxFuture<'_, Result<Response, String>> {
        Box::pin(async move {
            self.bodies.lock().unwrap().push(request.body.clone());
            let http = self.http.get_or_init(|| Http::new(Duration::from_secs(10)));
            let resp = http.post(request).await?;
            self.bodies.lock().unwrap().push(resp.body.clone());
            Ok(resp)
        })
    }
}

fn assert_no_marker(bytes: &[u8], what: &str) {
    for m in [
        MARKER,
        PRIVATE_MARKER,
        "Ola møter",
        "nøkkelkort",
        "Varemottak",
        "varemottaket",
    ] {
        assert!(
            !bytes.windows(m.len()).any(|w| w == m.as_bytes()),
            "{what} holds «{m}» readably"
        );
    }
}

/// Reads every file in `dir` and fails on any marker; returns the names read. A file that
/// disappears while we look (SQLite removing its WAL on close) is skipped.
fn scan_for_plaintext(dir: &std::path::Path) -> Vec<String> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => panic!("{}: {e}", path.display()),
        };
        assert_no_marker(&bytes, &path.display().to_string());
        names.push(path.file_name().unwrap().to_string_lossy().into_owned());
    }
    names
}

/// The background sync: offline while the relay is down (backing off, changes kept), then synced
/// once it is back, with the status the UI shows at every step.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn background_sync_backs_off_while_offline_and_reports_its_status() {
    use folgesvenn_sync::{Backoff, LoopConfig, SyncState, spawn};
    let tmp = tempfile::tempdir().unwrap();
    let relay_dir = tmp.path().join("relay");
    let mut relay = RelayProcess::start(&relay_dir);
    let addr = relay.url.trim_start_matches("http://").to_owned();
    relay.stop();

    let (mut adviser, _) = new_store(&tmp.path().join("adviser"), Role::Adviser, "Kari Veileder");
    let p = adviser
        .create_placement(&placement_input("Ola Nordmann"))
        .unwrap();
    let shared = adviser.document_id(p, DocKind::Shared).unwrap();
    share(&mut adviser, shared, &relay.url).unwrap();
    let store = Arc::new(std::sync::Mutex::new(adviser));
    let config = LoopConfig {
        interval: Duration::from_secs(60),
        backoff: Backoff {
            base: Duration::from_millis(20),
            max: Duration::from_millis(200),
        },
        live: false,
    };
    let handle = spawn(store.clone(), RelayTurn::new(), SyncClient::new(), config);
    let mut status = handle.status();

    // Waits (at most a generous while: this is liveness, not a timing claim) for a status.
    async fn until(
        rx: &mut tokio::sync::watch::Receiver<folgesvenn_sync::SyncStatus>,
        what: &str,
        ok: impl Fn(&folgesvenn_sync::SyncStatus) -> bool,
    ) -> folgesvenn_sync::SyncStatus {
        tokio::time::timeout(Duration::from_secs(60), rx.wait_for(|s| ok(s)))
            .await
            .unwrap_or_else(|_| panic!("never reached: {what}"))
            .unwrap()
            .clone()
    }
    let offline = until(&mut status, "offline, failed three times", |s| {
        matches!(s.state, SyncState::Offline { .. }) && s.failures >= 3
    })
    .await;
    assert!(offline.last_success_ms.is_none());
    assert!(offline.pending >= 1, "the document waits in the outbox");
    assert!(offline.next_attempt_in_ms <= 200, "{offline:?}");

    // Work goes on offline.
    store
        .lock()
        .unwrap()
        .write_shared(p, |d, s| {
            d.add_note(
                &NewNote {
                    body: "Skrevet uten nett.".into(),
                    reply_to: None,
                },
                s,
            )
        })
        .unwrap();

    let relay = RelayProcess::start_on(&relay_dir, &addr);
    handle.sync_now();
    let synced = until(&mut status, "synced", |s| {
        s.state == SyncState::Idle && s.last_success_ms.is_some()
    })
    .await;
    assert_eq!(synced.pending, 0, "{synced:?}");
    assert_eq!(synced.failures, 0);
    assert_eq!(synced.next_attempt_in_ms, 60_000);
    handle.stop().await;
    drop(relay);
    let log = store.lock().unwrap().sync_log(shared, 10).unwrap();
    assert!(
        log.iter().any(|e| e.event.code == "document_created"),
        "{log:?}"
    );
}

/// Pairing on site without coverage: the adviser makes the invitation with the relay down (it
/// waits in the store), the employer takes the full code and logs with "contact me" at once; the
/// employer's device even reaches the relay first, before the invitation exists there. When both
/// have synced, the employer is a member and the adviser holds the contact request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pairing_works_while_the_relay_is_down() {
    let tmp = tempfile::tempdir().unwrap();
    let listen = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().to_string()
    };
    let relay = format!("http://{listen}");
    let client = SyncClient::new();
    let (mut adviser, _) = new_store(&tmp.path().join("adviser"), Role::Adviser, "Kari Veileder");
    let (mut employer, _) = new_store(
        &tmp.path().join("employer"),
        Role::Employer,
        "Per Verksmester",
    );
    let p = adviser
        .create_placement(&placement_input("Ola Nordmann"))
        .unwrap();
    let shared = adviser.document_id(p, DocKind::Shared).unwrap();
    share(&mut adviser, shared, &relay).unwrap();

    consent(&mut adviser, p);
    let pairing = invite(
        &mut adviser,
        &client,
        p,
        DocKind::Shared,
        MemberRole::Employer,
        Duration::from_secs(3600),
    )
    .await
    .expect("an invitation is made offline");
    assert!(!pairing.registered, "the relay is down");
    assert_eq!(adviser.pending_invitations().unwrap().len(), 1);

    let opened = open_full_code(&pairing.full_code, &pairing.short_code).unwrap();
    // A new device uses no relay yet: the one the code names is shown for confirming first,
    // and is familiar once the user has given it (or once a document syncs through it).
    assert_eq!(
        folgesvenn_sync::unfamiliar_relay(&employer, &opened, &[]).unwrap(),
        Some(relay.clone())
    );
    assert_eq!(
        folgesvenn_sync::unfamiliar_relay(&employer, &opened, std::slice::from_ref(&relay))
            .unwrap(),
        None
    );
    assert_eq!(
        folgesvenn_sync::unfamiliar_relay(&adviser, &opened, &[]).unwrap(),
        None,
        "the adviser's device shares through it"
    );
    let joined = accept(&mut employer, &opened).unwrap();
    assert_eq!(joined, p);
    employer
        .log_observation(
            p,
            &NewObservation {
                date: day("2026-10-05"),
                attendance: Attendance::Present,
                hours: 6.0,
                tasks_done: "Vasket bussene".into(),
                went_well: "Godt humør".into(),
                problem: String::new(),
                wants_contact: true,
                contact_message: "Kan du ringe meg om arbeidstiden?".into(),
            },
        )
        .unwrap();
    assert!(matches!(
        sync_once(&mut employer, &client).await,
        Err(folgesvenn_sync::SyncError::Offline(_))
    ));

    let _relay = RelayProcess::start_on(&tmp.path().join("relay"), &listen);
    // The employer first: the invitation is not at the relay yet, so joining waits.
    sync_once(&mut employer, &client).await.unwrap();
    assert_eq!(
        employer.pending_count().unwrap(),
        2,
        "its membership claim and its log, kept until joined"
    );
    sync_once(&mut adviser, &client).await.unwrap();
    assert!(adviser.pending_invitations().unwrap().is_empty());
    let log = adviser.sync_log(shared, 20).unwrap();
    assert!(
        log.iter().any(|l| l.event.code == "invitation_made"),
        "{log:?}"
    );
    sync_once(&mut employer, &client).await.unwrap();
    assert_eq!(employer.pending_count().unwrap(), 0);
    sync_once(&mut adviser, &client).await.unwrap();
    let list = adviser.list_placements().unwrap();
    assert_eq!(list[0].open_requests, 1, "{list:?}");
}

/// A transport that damages the second record of every answer that carries three or more (its
/// ciphertext no longer opens), as a bad disk or a buggy relay might.
struct Damaging(Http);

impl Transport for Damaging {
    fn post(&self, request: Request) -> BoxFuture<'_, Result<Response, String>> {
        Box::pin(async move {
            let is_sync = request.path == "/v2/sync";
            let mut resp = self.0.post(request).await?;
            if is_sync && resp.status == 200 {
                let mut answer: folgesvenn_protocol::wire::SyncResponse =
                    folgesvenn_protocol::wire::decode(&resp.body).unwrap();
                for doc in &mut answer.docs {
                    if doc.records.len() >= 3 {
                        doc.records[1].record.ciphertext[0] ^= 0x55;
                    }
                }
                resp.body = folgesvenn_protocol::wire::encode(&answer);
            }
            Ok(resp)
        })
    }
}

/// Records arrive in batches and are applied as one; when one of them cannot be read, the batch is
/// applied record by record instead: what can be applied is, the damaged record and the one built
/// on it are kept in quarantine (not lost, not half-applied), and the store stays consistent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_record_is_quarantined_and_the_rest_of_its_batch_applied() {
    let tmp = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(&tmp.path().join("relay"));
    let client = SyncClient::new();
    let (mut adviser, _) = new_store(&tmp.path().join("adviser"), Role::Adviser, "Kari Veileder");
    let (mut employer, _) = new_store(&tmp.path().join("employer"), Role::Employer, "Per");
    let p = adviser
        .create_placement(&placement_input("Ola Nordmann"))
        .unwrap();
    let shared = adviser.document_id(p, DocKind::Shared).unwrap();
    share(&mut adviser, shared, &relay.url).unwrap();
    consent(&mut adviser, p);
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
    accept(&mut employer, &pairing.invitation).unwrap();
    sync_once(&mut employer, &client).await.unwrap();
    // Three notes, each its own record (one sync each).
    let mut notes = Vec::new();
    for text in ["Første notat.", "Andre notat.", "Tredje notat."] {
        notes.push(
            adviser
                .write_shared(p, |d, s| {
                    d.add_note(
                        &NewNote {
                            body: text.into(),
                            reply_to: None,
                        },
                        s,
                    )
                })
                .unwrap(),
        );
        sync_once(&mut adviser, &client).await.unwrap();
    }

    let damaging =
        SyncClient::with_transport(Arc::new(Damaging(Http::new(Duration::from_secs(10)))));
    let report = sync_once(&mut employer, &damaging).await.unwrap();
    assert_eq!(report.received, 3, "{report:?}");
    assert_eq!(report.applied, 1, "{report:?}");
    assert_eq!(
        report.quarantined, 2,
        "the damaged one and the one built on it: {report:?}"
    );
    assert_eq!(employer.quarantine_count().unwrap(), 2);
    let seen = employer.placement(p).unwrap();
    assert!(seen.shared.notes.contains_key(&notes[0]));
    assert!(!seen.shared.notes.contains_key(&notes[1]));
    assert!(!seen.shared.notes.contains_key(&notes[2]));
    // The store is whole, and the employer goes on writing and syncing.
    employer.verify_integrity().unwrap();
    employer
        .write_shared(p, |d, s| {
            d.add_note(
                &NewNote {
                    body: "Svar fra arbeidsgiver.".into(),
                    reply_to: None,
                },
                s,
            )
        })
        .unwrap();
    sync_once(&mut employer, &client).await.unwrap();
}

/// Live updates through a real relay process: both devices' background loops run with the
/// regular one-minute interval; the employer logs a day and its loop syncs at once (as the app
/// does after a save); the adviser's device, waiting at the relay, has the day applied well
/// before its next interval. The time is printed (BENCHMARKS.md records it), asserted only
/// loosely: under the interval by far.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_online_device_gets_the_other_sides_change_without_waiting_for_its_interval() {
    use folgesvenn_sync::{LoopConfig, spawn};
    let tmp = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(&tmp.path().join("relay"));
    let client = SyncClient::new();
    let (mut adviser, _) = new_store(&tmp.path().join("adviser"), Role::Adviser, "Kari Veileder");
    let (mut employer, _) = new_store(
        &tmp.path().join("employer"),
        Role::Employer,
        "Per Verksmester",
    );
    let p = adviser
        .create_placement(&placement_input("Ola Nordmann"))
        .unwrap();
    let shared = adviser.document_id(p, DocKind::Shared).unwrap();
    share(&mut adviser, shared, &relay.url).unwrap();
    join(&mut adviser, &mut employer, p, MemberRole::Employer).await;
    for _ in 0..2 {
        sync_once(&mut adviser, &client).await.unwrap();
        sync_once(&mut employer, &client).await.unwrap();
    }
    let adviser = Arc::new(std::sync::Mutex::new(adviser));
    let employer = Arc::new(std::sync::Mutex::new(employer));
    let config = LoopConfig {
        interval: Duration::from_secs(60),
        ..LoopConfig::default()
    };
    let a = spawn(adviser.clone(), RelayTurn::new(), SyncClient::new(), config);
    let e = spawn(
        employer.clone(),
        RelayTurn::new(),
        SyncClient::new(),
        config,
    );
    let mut seen = a.status();
    // Both loops have made their first sync, and the adviser's waits at the relay.
    tokio::time::timeout(
        Duration::from_secs(30),
        seen.wait_for(|s| s.last_success_ms.is_some()),
    )
    .await
    .unwrap()
    .unwrap();
    let mut employer_status = e.status();
    tokio::time::timeout(
        Duration::from_secs(30),
        employer_status.wait_for(|s| s.last_success_ms.is_some()),
    )
    .await
    .unwrap()
    .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = seen.borrow().applied;

    let started = std::time::Instant::now();
    employer
        .lock()
        .unwrap()
        .log_observation(p, &day_logged("2026-11-27", "Varemottak LIVE-5c2e"))
        .unwrap();
    e.sync_now();
    tokio::time::timeout(
        Duration::from_secs(50),
        seen.wait_for(|s| s.applied > before),
    )
    .await
    .expect("the adviser's device got the day before its next interval")
    .unwrap();
    let took = started.elapsed();
    eprintln!("live update: the employer's day applied on the adviser's device after {took:?}");
    let shown = adviser.lock().unwrap().overview(p, 100).unwrap();
    assert!(
        format!("{shown:?}").contains("LIVE-5c2e"),
        "the day is on the adviser's overview"
    );
    a.stop().await;
    e.stop().await;
}

/// An adviser's device holds more shared documents than the relay takes in one request
/// (`MAX_DOCS_PER_REQUEST`): it syncs them a slice at a time. Before, it named them all in one
/// request, the relay refused it (400), and none of her documents synced any more.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_adviser_with_more_documents_than_one_request_takes_syncs_them_all() {
    use folgesvenn_protocol::wire::MAX_DOCS_PER_REQUEST;
    let tmp = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(&tmp.path().join("relay"));
    let client = SyncClient::new();
    let (mut adviser, _) = new_store(&tmp.path().join("adviser"), Role::Adviser, "Kari Veileder");
    let (mut employer, _) = new_store(
        &tmp.path().join("employer"),
        Role::Employer,
        "Per Verksmester",
    );
    let placements = MAX_DOCS_PER_REQUEST / 2 + 2;
    let mut docs = Vec::new();
    let mut last = None;
    for n in 0..placements {
        let p = adviser
            .create_placement(&placement_input(&format!("Kandidat {n}")))
            .unwrap();
        for kind in [DocKind::Shared, DocKind::Private] {
            let doc = adviser.document_id(p, kind).unwrap();
            share(&mut adviser, doc, &relay.url).unwrap();
            docs.push(doc);
        }
        last = Some(p);
    }
    assert!(docs.len() > MAX_DOCS_PER_REQUEST);
    let report = sync_once(&mut adviser, &client).await.unwrap();
    assert_eq!(
        report.pushed,
        docs.len(),
        "every document's first record went up"
    );
    for doc in &docs {
        assert!(
            adviser.outbox(*doc).unwrap().is_empty(),
            "{doc} acknowledged"
        );
    }

    // The employer's day in the last placement reaches the adviser, whichever slice it is in.
    let p = last.unwrap();
    join(&mut adviser, &mut employer, p, MemberRole::Employer).await;
    sync_once(&mut adviser, &client).await.unwrap();
    sync_once(&mut employer, &client).await.unwrap();
    employer
        .log_observation(p, &day_logged("2026-11-27", "Varemottak SLICE-7f1a"))
        .unwrap();
    sync_once(&mut employer, &client).await.unwrap();
    let report = sync_once(&mut adviser, &client).await.unwrap();
    assert!(report.applied >= 1);
    let shown = adviser.overview(p, 100).unwrap();
    assert!(format!("{shown:?}").contains("SLICE-7f1a"));
}

/// A transport that loses the answer to the next `/v2/sync` once armed: the relay did the work,
/// the device never hears of it.
struct LosesAnAnswer {
    http: Http,
    armed: std::sync::atomic::AtomicBool,
}

impl Transport for LosesAnAnswer {
    fn post(&self, request: Request) -> BoxFuture<'_, Result<Response, String>> {
        Box::pin(async move {
            let is_sync = request.path == "/v2/sync";
            let resp = self.http.post(request).await?;
            if is_sync && self.armed.swap(false, std::sync::atomic::Ordering::SeqCst) {
                return Err("the answer was lost on the way".into());
            }
            Ok(resp)
        })
    }
}

/// An adviser with many placements asks the relay what is new in one small request
/// (`/v2/news`), not one cursor per document: idle, that is the whole sync; with news, only the
/// documents that have it follow. When an answer is lost, the relay's account of what it served
/// and the device's cursors differ, the relay says it cannot tell, and one sync of every document
/// brings them together again, with nothing missed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_adviser_with_many_placements_syncs_in_one_small_round_trip() {
    let tmp = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(&tmp.path().join("relay"));
    let net = Arc::new(LosesAnAnswer {
        http: Http::new(Duration::from_secs(10)),
        armed: Default::default(),
    });
    let client = SyncClient::with_transport(net.clone());
    let (mut adviser, _) = new_store(&tmp.path().join("adviser"), Role::Adviser, "Kari Veileder");
    let (mut employer, _) = new_store(
        &tmp.path().join("employer"),
        Role::Employer,
        "Per Verksmester",
    );
    let mut placements = Vec::new();
    for n in 0..12 {
        let p = adviser
            .create_placement(&placement_input(&format!("Kandidat {n}")))
            .unwrap();
        for kind in [DocKind::Shared, DocKind::Private] {
            let doc = adviser.document_id(p, kind).unwrap();
            share(&mut adviser, doc, &relay.url).unwrap();
        }
        placements.push(p);
    }
    let p = placements[7];
    join(&mut adviser, &mut employer, p, MemberRole::Employer).await;
    for _ in 0..2 {
        sync_once(&mut adviser, &client).await.unwrap();
        sync_once(&mut employer, &client).await.unwrap();
    }

    let idle = sync_once(&mut adviser, &client).await.unwrap();
    assert_eq!(
        (idle.round_trips, idle.pushed, idle.received),
        (1, 0, 0),
        "idle: one question, nothing else: {idle:?}"
    );

    let day = |tasks: &str| day_logged("2026-11-27", tasks);
    employer
        .log_observation(p, &day("Varemottak NYTT-1"))
        .unwrap();
    sync_once(&mut employer, &client).await.unwrap();
    let news = sync_once(&mut adviser, &client).await.unwrap();
    assert_eq!(
        (news.round_trips, news.applied),
        (2, 1),
        "what is new, then the one document that has it: {news:?}"
    );

    // The answer carrying the next day is lost: the relay counts it served, the device does not
    // hold it.
    employer
        .log_observation(p, &day("Varemottak NYTT-2"))
        .unwrap();
    sync_once(&mut employer, &client).await.unwrap();
    net.armed.store(true, std::sync::atomic::Ordering::SeqCst);
    assert!(sync_once(&mut adviser, &client).await.is_err());
    let healed = sync_once(&mut adviser, &client).await.unwrap();
    assert_eq!(healed.applied, 1, "{healed:?}");
    assert!(
        healed.round_trips >= 2,
        "the relay could not tell, so every document was synced: {healed:?}"
    );
    assert!(format!("{:?}", adviser.overview(p, 100).unwrap()).contains("NYTT-2"));
    let idle = sync_once(&mut adviser, &client).await.unwrap();
    assert_eq!(idle.round_trips, 1, "in step again: {idle:?}");
}

/// Counts each request's body by path, then sends it on.
#[derive(Default)]
struct Sizes {
    http: std::sync::OnceLock<Http>,
    bodies: std::sync::Mutex<Vec<(&'static str, usize)>>,
}

impl Transport for Sizes {
    fn post(&self, request: Request) -> BoxFuture<'_, Result<Response, String>> {
        Box::pin(async move {
            self.bodies
                .lock()
                .unwrap()
                .push((request.path, request.body.len()));
            let http = self.http.get_or_init(|| Http::new(Duration::from_secs(10)));
            http.post(request).await
        })
    }
}

/// Snapshots count against what one request may push. An adviser's device used to put the due
/// snapshot of every document of a request (up to 256) into it beside the budgeted records, and
/// each document's first queued record whatever the budget had left. With a year's history in
/// each, an adviser with 500 placements sent about 5 MB, and the relay refused the request (413)
/// on every sync: nothing she wrote left her device (`cargo xtask bench`'s catch-up found it).
/// Here with a small budget: every request stays within it, and every document still gets its
/// snapshot to the relay in the same sync.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshots_of_many_documents_share_one_request_budget() {
    const BUDGET: usize = 8 * 1024;
    const PLACEMENTS: usize = 12;
    let tmp = tempfile::tempdir().unwrap();
    let relay_proc = RelayProcess::start(&tmp.path().join("relay"));
    let sizes = Arc::new(Sizes::default());
    let client = SyncClient::with_transport(sizes.clone())
        .snapshot_after(1)
        .push_budget(BUDGET);
    let (mut adviser, _) = new_store(&tmp.path().join("adviser"), Role::Adviser, "Kari Veileder");
    for i in 0..PLACEMENTS {
        let p = adviser
            .create_placement(&placement_input(&format!("Kandidat {i}")))
            .unwrap();
        for n in 0..3 {
            add_note(
                &mut adviser,
                p,
                format!("Notat {n} om kandidat {i}: ").repeat(20),
            );
        }
        for kind in [DocKind::Shared, DocKind::Private] {
            let doc = adviser.document_id(p, kind).unwrap();
            share(&mut adviser, doc, &relay_proc.url).unwrap();
        }
    }
    // The records, then the snapshots now due for every document (the same sync takes them
    // once the relay has the records); a second sync finds what the first left.
    let first = sync_once(&mut adviser, &client).await.unwrap();
    let second = sync_once(&mut adviser, &client).await.unwrap();
    assert_eq!(
        first.snapshots + second.snapshots,
        2 * PLACEMENTS,
        "every document's snapshot reached the relay"
    );
    let bodies = sizes.bodies.lock().unwrap().clone();
    let syncs: Vec<usize> = bodies
        .iter()
        .filter(|(path, _)| *path == "/v2/sync")
        .map(|(_, n)| *n)
        .collect();
    // The request's own framing (each document's id and cursor) comes on top of its records.
    let most = BUDGET + 2 * PLACEMENTS * 64;
    assert!(
        syncs.iter().all(|n| *n <= most),
        "a sync request above {most} bytes: {syncs:?}"
    );
    assert!(
        syncs.len() > 2,
        "the records and snapshots needed several requests: {syncs:?}"
    );
}

/// A sync after a pause longer than the relay keeps an idle connection opens a new one. The
/// runtime does not run meanwhile, as on a phone put to sleep or in a process busy with other
/// work, so nothing on the device notices the relay closing the connection; the device used to
/// send its next request down it, and that sync failed («connection closed before message
/// completed»; the catch-up benchmark's set-up met it).
#[tokio::test]
async fn a_sync_after_a_long_pause_does_not_reuse_a_connection_the_relay_closed() {
    let tmp = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(&tmp.path().join("relay"));
    let client = SyncClient::new();
    let (mut adviser, _) = new_store(&tmp.path().join("adviser"), Role::Adviser, "Kari Veileder");
    let p = adviser
        .create_placement(&placement_input("Ola Nordmann"))
        .unwrap();
    for kind in [DocKind::Shared, DocKind::Private] {
        let doc = adviser.document_id(p, kind).unwrap();
        share(&mut adviser, doc, &relay.url).unwrap();
    }
    sync_once(&mut adviser, &client).await.unwrap();
    std::thread::sleep(folgesvenn_protocol::wire::IDLE_CONNECTION + Duration::from_millis(1500));
    add_note(&mut adviser, p, "Etter pausen.".into());
    let report = sync_once(&mut adviser, &client).await.unwrap();
    assert_eq!(report.pushed, 1, "{report:?}");
}
