//! A hostile relay (issue 12): a proxy in front of the real relay process that forwards every
//! request and then lies in the answer: oversized, garbage, replayed, reordered, with a cursor far
//! ahead, acknowledging what was never sent, saying "more" forever, or carrying records a hostile
//! member sealed that inflate to tens of MiB. It is a test double of an attacker, not of the
//! relay: the relay behind it is the real one.
//!
//! After each lie the device has not panicked, still holds its queued change, says in Norwegian
//! what is wrong (never "synced"), and once the relay answers honestly again, both devices end
//! with the same document and nothing queued.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use folgesvenn_domain::*;
use folgesvenn_protocol::auth;
use folgesvenn_protocol::wire::{self, MemberRole, StoredRecord, SyncResponse};
use folgesvenn_protocol::{DeviceKey, DocKey, RecordHeader, RecordKind, SealedRecord};
use folgesvenn_store::{DocKind, Store};
use folgesvenn_sync::{SyncClient, SyncError, share, sync_once};

use crate::common::*;

#[derive(Clone, Debug, PartialEq)]
enum Lie {
    Honest,
    /// 16 MiB of answer, sent without end as far as the device is concerned.
    Oversized,
    Garbage,
    /// The previous sync answer again, for this request.
    Replayed,
    /// The records in reverse order.
    Reordered,
    CursorFarAhead,
    AckNeverSent,
    MoreForever,
    /// These records added to the answer (sealed by a hostile member).
    Inject(Vec<StoredRecord>),
}

struct Hostile {
    upstream: String,
    http: reqwest::Client,
    lie: Mutex<Lie>,
    /// Each device's previous sync answer.
    last_answer: Mutex<std::collections::HashMap<String, Vec<u8>>>,
}

impl Hostile {
    async fn start(upstream: &str) -> (Arc<Hostile>, String) {
        let h = Arc::new(Hostile {
            upstream: upstream.to_owned(),
            http: http(),
            lie: Mutex::new(Lie::Honest),
            last_answer: Mutex::new(Default::default()),
        });
        let app = axum::Router::new().fallback(forward).with_state(h.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (h, url)
    }

    fn lie(&self, lie: Lie) {
        *self.lie.lock().unwrap() = lie;
    }
}

async fn forward(
    State(h): State<Arc<Hostile>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut req = h.http.post(format!("{}{}", h.upstream, uri.path()));
    for name in [
        auth::HEADER_DEVICE,
        auth::HEADER_TIME,
        auth::HEADER_NONCE,
        auth::HEADER_SIGNATURE,
    ] {
        if let Some(v) = headers.get(name) {
            req = req.header(name, v.as_bytes());
        }
    }
    let resp = req.body(body).send().await.unwrap();
    let status = resp.status().as_u16();
    let answer = resp.bytes().await.unwrap().to_vec();
    if uri.path() != "/v2/sync" || status != 200 {
        return (StatusCode::from_u16(status).unwrap(), answer).into_response();
    }
    let lie = h.lie.lock().unwrap().clone();
    let device = headers
        .get(auth::HEADER_DEVICE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let previous = h.last_answer.lock().unwrap().insert(device, answer.clone());
    let tamper = |f: &dyn Fn(&mut SyncResponse)| {
        let mut r: SyncResponse = wire::decode(&answer).unwrap();
        f(&mut r);
        wire::encode(&r)
    };
    let body = match lie {
        Lie::Honest => answer,
        Lie::Oversized => vec![0u8; 16 * 1024 * 1024],
        Lie::Garbage => b"\xff\x13 dette er ikke et svar".to_vec(),
        Lie::Replayed => previous.unwrap_or(answer),
        Lie::Reordered => tamper(&|r| r.docs.iter_mut().for_each(|d| d.records.reverse())),
        Lie::CursorFarAhead => tamper(&|r| r.docs.iter_mut().for_each(|d| d.cursor = 1 << 40)),
        Lie::AckNeverSent => tamper(&|r| r.docs.iter_mut().for_each(|d| d.acked.push(999_999))),
        Lie::MoreForever => tamper(&|r| {
            r.docs.iter_mut().for_each(|d| {
                d.records.clear();
                d.more = true;
            })
        }),
        Lie::Inject(extra) => tamper(&|r| r.docs[0].records.extend(extra.iter().cloned())),
    };
    (StatusCode::OK, body).into_response()
}

fn note(store: &mut Store, p: folgesvenn_domain::uuid::Uuid, body: &str) {
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
        .unwrap();
}

/// An adviser and an employer paired on one placement through `relay`, both synced once.
async fn paired(
    dir: &std::path::Path,
    relay: &str,
    client: &SyncClient,
) -> (
    Store,
    Store,
    folgesvenn_domain::uuid::Uuid,
    folgesvenn_domain::uuid::Uuid,
) {
    let (mut adviser, _) = new_store(&dir.join("adviser"), Role::Adviser, "Kari Veileder");
    let (mut employer, _) = new_store(&dir.join("employer"), Role::Employer, "Eva Sjef");
    let p = adviser
        .create_placement(&placement_input("Ola Nordmann"))
        .unwrap();
    let shared = adviser.document_id(p, DocKind::Shared).unwrap();
    share(&mut adviser, shared, relay).unwrap();
    join(&mut adviser, &mut employer, p, MemberRole::Employer).await;
    sync_once(&mut adviser, client).await.unwrap();
    sync_once(&mut employer, client).await.unwrap();
    (adviser, employer, p, shared)
}

fn heads(store: &mut Store, doc: folgesvenn_domain::uuid::Uuid) -> Vec<String> {
    let mut h: Vec<String> = store
        .heads(doc)
        .unwrap()
        .iter()
        .map(|h| h.to_string())
        .collect();
    h.sort();
    h
}

/// Records a member sealed that each inflate to 60 MiB of nothing an automerge document holds:
/// the relay cannot tell, the device must open them and refuse them without holding them all.
fn bombs(member: &mut Store, doc: folgesvenn_domain::uuid::Uuid, n: u64) -> Vec<StoredRecord> {
    let key = DeviceKey::from_bytes(&member.device_signing_key().unwrap()).unwrap();
    let d = member
        .sync_docs()
        .unwrap()
        .into_iter()
        .find(|d| d.doc_id == doc)
        .unwrap();
    let doc_key = DocKey::from_bytes(&d.doc_key).unwrap();
    let plaintext = folgesvenn_domain::changes::compress(&vec![0u8; 60 * 1024 * 1024]);
    (0..n)
        .map(|i| StoredRecord {
            server_seq: 1 + i,
            sender_key: key.public(),
            record: SealedRecord::seal(
                RecordHeader {
                    doc_id: doc,
                    device_id: member.device_id(),
                    device_seq: 10_000 + i,
                    kind: RecordKind::Changes,
                    epoch: d.epoch,
                    covers_through: 0,
                },
                &plaintext,
                &doc_key,
                &key,
            ),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lying_relay_delays_a_device_but_never_fools_it() {
    let tmp = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(&tmp.path().join("relay"));
    let (hostile, url) = Hostile::start(&relay.url).await;
    let client = SyncClient::with_transport(Arc::new(folgesvenn_sync::transport::Http::new(
        Duration::from_secs(20),
    )));
    let (mut adviser, mut employer, p, shared) = paired(tmp.path(), &url, &client).await;

    let lies = vec![
        Lie::Oversized,
        Lie::Garbage,
        Lie::Replayed,
        Lie::CursorFarAhead,
        Lie::AckNeverSent,
        Lie::MoreForever,
    ];
    for (i, lie) in lies.into_iter().enumerate() {
        // Each device writes while the relay lies to it.
        note(&mut employer, p, &format!("dagslogg {i}"));
        note(&mut adviser, p, &format!("besøk {i}"));
        hostile.lie(lie.clone());
        for s in [&mut employer, &mut adviser] {
            let e = sync_once(&mut *s, &client).await.unwrap_err();
            assert!(
                matches!(e, SyncError::Untrusted(_)),
                "{lie:?}: {e:?} ({})",
                e.kind()
            );
            assert_eq!(e.kind(), "relay_untrusted");
            assert!(
                e.to_string()
                    .contains("Relayet sendte et svar som ikke stemmer"),
                "{e}"
            );
            assert!(
                s.pending_count().unwrap() >= 1,
                "{lie:?}: the queued change is still queued"
            );
            let log = s.sync_log(shared, 5).unwrap();
            assert!(
                lie == Lie::Oversized
                    || lie == Lie::Garbage
                    || log.iter().any(|l| l.event.code == "response_discarded"),
                "{lie:?}: {log:?}"
            );
        }
        hostile.lie(Lie::Honest);
        sync_once(&mut employer, &client).await.unwrap();
        sync_once(&mut adviser, &client).await.unwrap();
        sync_once(&mut employer, &client).await.unwrap();
        assert_eq!(adviser.pending_count().unwrap(), 0, "{lie:?}");
        assert_eq!(employer.pending_count().unwrap(), 0, "{lie:?}");
        assert_eq!(
            heads(&mut adviser, shared),
            heads(&mut employer, shared),
            "{lie:?}: both devices hold the same document"
        );
    }

    // Reordered: applied or quarantined, never lost; an honest sync of the same records heals.
    for i in 0..3 {
        note(&mut adviser, p, &format!("rekkefølge {i}"));
        sync_once(&mut adviser, &client).await.unwrap();
    }
    hostile.lie(Lie::Reordered);
    sync_once(&mut employer, &client).await.unwrap();
    hostile.lie(Lie::Honest);
    sync_once(&mut employer, &client).await.unwrap();
    assert_eq!(
        heads(&mut adviser, shared),
        heads(&mut employer, shared),
        "records in reverse order still make the same document"
    );

    // A hostile member's inflating records: each opened alone, each quarantined.
    let injected = bombs(&mut employer, shared, 6);
    hostile.lie(Lie::Inject(injected));
    let quarantined = adviser.quarantine_count().unwrap();
    let r = sync_once(&mut adviser, &client).await.unwrap();
    assert_eq!(r.quarantined, 6, "{r:?}");
    assert_eq!(adviser.quarantine_count().unwrap(), quarantined + 6);
    hostile.lie(Lie::Honest);
    note(&mut employer, p, "etter bombene");
    for s in [&mut employer, &mut adviser] {
        sync_once(&mut *s, &client).await.unwrap();
    }
    assert_eq!(
        heads(&mut adviser, shared),
        heads(&mut employer, shared),
        "both devices hold the same document after it all"
    );
}

/// The relay's resident memory at its peak (VmHWM), in KiB.
fn peak_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// Issue 12, finding 4: a flood of forged requests, from one address and from thousands of
/// addresses behind a trusted proxy, while an adviser and an employer keep working. Both still
/// sync, and the relay's memory stays bounded (its peak is printed for BENCHMARKS.md; the
/// assertion allows ten times what it was seen to use).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn honest_devices_sync_through_a_flood() {
    let tmp = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start_with_args(
        &tmp.path().join("relay"),
        "127.0.0.1:0",
        0,
        &[
            "--trusted-proxy",
            "127.0.0.1",
            "--failed-auth-rate",
            "1",
            "--failed-auth-burst",
            "20",
        ],
    );
    let pid = relay.child.id();
    let client = SyncClient::new();
    let (mut adviser, mut employer, p, shared) = paired(tmp.path(), &relay.url, &client).await;
    let before = peak_kib(pid);

    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let sent = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut flooders = Vec::new();
    for f in 0..8u32 {
        let (url, stop, sent) = (relay.url.clone(), stop.clone(), sent.clone());
        flooders.push(tokio::spawn(async move {
            let http = http();
            let mut i = 0u32;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                // Half from one address, half from a new address behind the proxy each time.
                let from = if f % 2 == 0 {
                    "198.51.100.1".to_owned()
                } else {
                    format!("10.{}.{}.{}", f, (i >> 8) & 255, i & 255)
                };
                let _ = http
                    .post(format!("{url}/v2/sync"))
                    .header("x-forwarded-for", from)
                    .body(vec![0u8; 64 * 1024])
                    .send()
                    .await;
                i += 1;
                sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        }));
    }
    // At least 5,000 forged requests arrive while the two keep writing and syncing.
    for i in 0..200 {
        if i >= 5 && sent.load(std::sync::atomic::Ordering::Relaxed) >= 5_000 {
            break;
        }
        note(&mut adviser, p, &format!("besøk under flom {i}"));
        note(&mut employer, p, &format!("dagslogg under flom {i}"));
        sync_once(&mut adviser, &client).await.unwrap();
        sync_once(&mut employer, &client).await.unwrap();
    }
    sync_once(&mut adviser, &client).await.unwrap();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for f in flooders {
        f.await.unwrap();
    }
    assert_eq!(adviser.pending_count().unwrap(), 0);
    assert_eq!(employer.pending_count().unwrap(), 0);
    assert_eq!(heads(&mut adviser, shared), heads(&mut employer, shared));
    let peak = peak_kib(pid);
    let flood = sent.load(std::sync::atomic::Ordering::Relaxed);
    println!(
        "relay under a flood of {flood} forged requests: peak RSS {before} KiB before, {peak} KiB after"
    );
    assert!(peak < 512 * 1024, "the relay grew to {peak} KiB");
}

/// Issue 12, finding 4 (a quota per document): a member writing without end fills its document
/// at the relay, not the relay's disk. Past the quota the relay refuses further records; the
/// device keeps every note queued and says so (`document_full`); the adviser's device, refused
/// too, snapshots at once with its own note still queued; then everything goes through and both
/// devices end with the same document.
#[tokio::test]
async fn a_full_document_keeps_notes_queued_until_the_advisers_snapshot() {
    let tmp = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start_with_args(
        &tmp.path().join("relay"),
        "127.0.0.1:0",
        0,
        &["--max-doc-bytes", "65536"],
    );
    let client = SyncClient::new();
    let (mut adviser, mut employer, p, shared) = paired(tmp.path(), &relay.url, &client).await;
    // Text that does not compress: each note seals to a few KiB.
    let filler = |i: usize| -> String {
        (0..80)
            .map(|_| folgesvenn_domain::uuid::Uuid::new_v4().to_string())
            .collect::<Vec<_>>()
            .join(" ")
            + &format!(" dagslogg {i}")
    };
    let mut refused = None;
    for i in 0..60 {
        note(&mut employer, p, &filler(i));
        match sync_once(&mut employer, &client).await {
            Ok(_) => {}
            Err(e) => {
                refused = Some((i, e));
                break;
            }
        }
    }
    let (last, e) = refused.expect("the relay refuses once the document is full");
    assert!(matches!(e, SyncError::DocumentFull), "{e:?}");
    assert_eq!(e.kind(), "document_full");
    assert!(e.to_string().contains("trygt"), "{e}");
    assert!(
        employer.pending_count().unwrap() > 0,
        "the refused note stays queued"
    );
    let dump = employer.projection_dump(true).unwrap().join("\n");
    assert!(dump.contains(&format!("dagslogg {last}")));

    // The adviser writes a visit note: refused too, so its device snapshots with it queued. The
    // relay refuses a record that would not fit, and a short note could fit in what the
    // employer's refused one left: this one is twice its size.
    let visit_note = format!(
        "besøk mens dokumentet er fullt {} {}",
        filler(900),
        filler(901)
    );
    note(&mut adviser, p, &visit_note);
    let first = sync_once(&mut adviser, &client).await;
    assert!(matches!(first, Err(SyncError::DocumentFull)), "{first:?}");
    for _ in 0..4 {
        let _ = sync_once(&mut adviser, &client).await;
        let _ = sync_once(&mut employer, &client).await;
    }
    sync_once(&mut adviser, &client).await.unwrap();
    sync_once(&mut employer, &client).await.unwrap();
    sync_once(&mut adviser, &client).await.unwrap();
    assert_eq!(adviser.pending_count().unwrap(), 0);
    assert_eq!(employer.pending_count().unwrap(), 0);
    assert_eq!(heads(&mut adviser, shared), heads(&mut employer, shared));
    let dump = adviser.projection_dump(true).unwrap().join("\n");
    assert!(
        dump.contains(&format!("dagslogg {last}")),
        "the refused note arrived"
    );
}
