//! The relay over real HTTP on loopback (in-process, port 0, real SQLite file; a PostgreSQL database
//! of its own when `FOLGESVENN_TEST_POSTGRES` names a cluster): what members can do, and the
//! security matrix: each refusal gets its 4xx and an error body that names nothing.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use folgesvenn_protocol::auth::{self, SignedHeaders};
use folgesvenn_protocol::wire::{self, *};
use folgesvenn_protocol::{DeviceKey, DocKey, RecordHeader, RecordKind, SealedRecord};
use folgesvenn_relay::postgres::PgStorage;
use folgesvenn_relay::{Config, RelayStorage, serve, sqlite::SqliteStorage};

mod common;
use sha2::{Digest, Sha256};
use uuid::Uuid;

struct Relay {
    base: String,
    _dir: tempfile::TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl Relay {
    async fn start(config: Config) -> Relay {
        let dir = tempfile::tempdir().unwrap();
        // The same story on PostgreSQL when the test cluster is named (`cargo xtask test` runs
        // this file a second time so); the client blocks, so it connects off the runtime.
        let storage: Arc<dyn RelayStorage> = match std::env::var("FOLGESVENN_TEST_POSTGRES") {
            Ok(admin) => Arc::new(
                tokio::task::spawn_blocking(move || {
                    PgStorage::connect(&common::fresh_postgres(&admin), 8)
                })
                .await
                .unwrap()
                .unwrap(),
            ),
            Err(_) => Arc::new(SqliteStorage::open(&dir.path().join("relay.db")).unwrap()),
        };
        Relay::serving(storage, config, dir).await
    }

    /// A relay process's worth of server on `storage`.
    async fn serving(
        storage: Arc<dyn RelayStorage>,
        config: Config,
        dir: tempfile::TempDir,
    ) -> Relay {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = tokio::sync::oneshot::channel();
        let task = tokio::spawn(serve(listener, storage, config, async {
            let _ = rx.await;
        }));
        Relay {
            base,
            _dir: dir,
            stop: Some(tx),
            task: Some(task),
        }
    }

    async fn stop(mut self) {
        let _ = self.stop.take().unwrap().send(());
        self.task.take().unwrap().await.unwrap().unwrap();
    }
}

struct Device {
    id: Uuid,
    key: DeviceKey,
    http: reqwest::Client,
    base: String,
    seq: u64,
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

struct Answer {
    status: u16,
    body: Vec<u8>,
}

impl Answer {
    fn error_kind(&self) -> String {
        wire::decode::<ErrorBody>(&self.body)
            .map(|e| e.kind)
            .unwrap_or_else(|_| String::from_utf8_lossy(&self.body).into_owned())
    }
}

impl Device {
    fn new(relay: &Relay) -> Device {
        Device {
            id: Uuid::new_v4(),
            key: DeviceKey::generate(),
            http: common::http(),
            base: relay.base.clone(),
            seq: 0,
        }
    }

    async fn send(&self, path: &str, body: Vec<u8>, headers: Option<SignedHeaders>) -> Answer {
        let mut req = self.http.post(format!("{}{path}", self.base)).body(body);
        if let Some(h) = headers {
            for (name, value) in h.pairs() {
                req = req.header(name, value);
            }
        }
        let resp = req.send().await.unwrap();
        Answer {
            status: resp.status().as_u16(),
            body: resp.bytes().await.unwrap().to_vec(),
        }
    }

    fn sign(&self, path: &str, body: &[u8]) -> SignedHeaders {
        auth::sign(self.id, &self.key, "POST", path, body, now_ms())
    }

    async fn post<T: serde::Serialize>(&self, path: &str, msg: &T) -> Answer {
        let body = wire::encode(msg);
        let h = self.sign(path, &body);
        self.send(path, body, Some(h)).await
    }

    async fn register(&self) {
        let a = self
            .post(
                "/v2/devices",
                &RegisterDevice {
                    device_id: self.id,
                    public_key: self.key.public(),
                },
            )
            .await;
        assert_eq!(a.status, 204, "{}", a.error_kind());
    }

    fn record(&mut self, doc: Uuid, key: &DocKey, text: &str) -> SealedRecord {
        self.seq += 1;
        let h = RecordHeader {
            doc_id: doc,
            device_id: self.id,
            device_seq: self.seq,
            kind: RecordKind::Changes,
            epoch: 1,
            covers_through: 0,
        };
        SealedRecord::seal(h, text.as_bytes(), key, &self.key)
    }

    async fn sync(&self, doc: Uuid, since: u64, records: Vec<SealedRecord>) -> Answer {
        self.post(
            "/v2/sync",
            &SyncRequest {
                docs: vec![DocSync {
                    doc_id: doc,
                    since,
                    records,
                }],
            },
        )
        .await
    }

    async fn invite(&self, doc: Uuid, role: MemberRole, ttl_ms: i64) -> (Uuid, [u8; 16]) {
        let id = Uuid::new_v4();
        let secret: [u8; 16] = rand_bytes();
        let a = self
            .post(
                "/v2/invitations",
                &CreateInvitation {
                    doc_id: doc,
                    invitation_id: id,
                    secret_hash: Sha256::digest(secret).into(),
                    role,
                    expires_at_ms: now_ms() + ttl_ms,
                    bundle: None,
                },
            )
            .await;
        assert_eq!(a.status, 204, "{}", a.error_kind());
        (id, secret)
    }
}

fn rand_bytes() -> [u8; 16] {
    *Uuid::new_v4().as_bytes()
}

fn synced(a: &Answer) -> DocResult {
    assert_eq!(a.status, 200, "{}", a.error_kind());
    wire::decode::<SyncResponse>(&a.body)
        .unwrap()
        .docs
        .remove(0)
}

/// An adviser with a document and an employer who joined it by invitation.
async fn pair(relay: &Relay) -> (Device, Device, Uuid, DocKey) {
    let adviser = Device::new(relay);
    let employer = Device::new(relay);
    adviser.register().await;
    employer.register().await;
    let doc = Uuid::new_v4();
    share(&adviser, &employer, doc).await;
    (adviser, employer, doc, DocKey::generate())
}

/// The adviser creates `doc` at the relay and the employer joins it by invitation.
async fn share(adviser: &Device, employer: &Device, doc: Uuid) {
    assert_eq!(
        adviser
            .post("/v2/docs", &CreateDoc { doc_id: doc })
            .await
            .status,
        204
    );
    let (inv, secret) = adviser.invite(doc, MemberRole::Employer, 60_000).await;
    let a = employer
        .post(
            "/v2/invitations/accept",
            &AcceptInvitation {
                invitation_id: inv,
                secret,
            },
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.error_kind());
    assert_eq!(
        wire::decode::<Accepted>(&a.body).unwrap(),
        Accepted {
            doc_id: doc,
            role: MemberRole::Employer
        }
    );
}

#[tokio::test]
async fn members_push_and_pull_in_one_round_trip_idempotently() {
    let relay = Relay::start(Config {
        metrics: true,
        ..Config::default()
    })
    .await;
    let (mut adviser, mut employer, doc, key) = pair(&relay).await;
    let r1 = adviser.record(doc, &key, "besøk");
    let first = synced(&adviser.sync(doc, 0, vec![r1.clone()]).await);
    assert_eq!(first.acked, vec![1]);
    // The same record again (a retry after a lost answer): acknowledged, not stored twice.
    let again = synced(&adviser.sync(doc, first.cursor, vec![r1]).await);
    assert_eq!(again.acked, vec![1]);
    assert!(again.records.is_empty());

    let e1 = employer.record(doc, &key, "dagslogg");
    let got = synced(&employer.sync(doc, 0, vec![e1]).await);
    assert_eq!(got.acked, vec![1]);
    assert_eq!(got.records.len(), 1, "the adviser's record, once");
    assert_eq!(
        got.records[0]
            .record
            .open(&key, &got.records[0].sender_key)
            .unwrap(),
        "besøk".as_bytes()
    );
    let back = synced(&adviser.sync(doc, first.cursor, vec![]).await);
    assert_eq!(back.records.len(), 1);
    assert_eq!(
        back.records[0]
            .record
            .open(&key, &back.records[0].sender_key)
            .unwrap(),
        "dagslogg".as_bytes()
    );
    assert_eq!(back.cursor, 2);

    // A record claiming another device, or another document, is refused and not stored.
    let mut forged = employer.record(doc, &key, "x");
    forged.header.device_id = adviser.id;
    let other_doc = adviser.record(Uuid::new_v4(), &key, "y");
    let r = synced(&employer.sync(doc, 2, vec![forged]).await);
    assert_eq!(r.rejected.len(), 1);
    let r = synced(&adviser.sync(doc, 2, vec![other_doc]).await);
    assert_eq!(r.rejected.len(), 1);

    // What operators see: the requests by route and status, the records stored (the retry not
    // counted) and served; no device, document or content.
    let metrics = common::http()
        .get(format!("{}/metrics", relay.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for line in [
        "folgesvenn_relay_requests_total{route=\"/v2/sync\",status=\"200\"} 6",
        "folgesvenn_relay_records_stored_total 2",
        "folgesvenn_relay_records_served_total 2",
        "folgesvenn_relay_request_duration_seconds_count{route=\"/v2/sync\"} 6",
        // The two records and the retry, one request after another: one commit each.
        "folgesvenn_relay_uploads_committed_total 3",
        "folgesvenn_relay_upload_commits_total 3",
    ] {
        assert!(metrics.lines().any(|l| l == line), "{line} in:\n{metrics}");
    }
    for secret in [
        adviser.id.to_string(),
        employer.id.to_string(),
        doc.to_string(),
    ] {
        assert!(!metrics.contains(&secret), "{secret} in:\n{metrics}");
    }
    assert!(!metrics.contains("besøk") && !metrics.contains("dagslogg"));
    relay.stop().await;
}

#[tokio::test]
async fn a_snapshot_replaces_the_records_it_covers() {
    let relay = Relay::start(Config::default()).await;
    let (mut adviser, employer, doc, key) = pair(&relay).await;
    let records: Vec<_> = (0..5)
        .map(|i| adviser.record(doc, &key, &format!("endring {i}")))
        .collect();
    let r = synced(&adviser.sync(doc, 0, records).await);
    assert_eq!(r.cursor, 5);
    adviser.seq += 1;
    let snap = SealedRecord::seal(
        RecordHeader {
            doc_id: doc,
            device_id: adviser.id,
            device_seq: adviser.seq,
            kind: RecordKind::Snapshot,
            epoch: 1,
            covers_through: 5,
        },
        b"hele dokumentet",
        &key,
        &adviser.key,
    );
    let r = synced(&adviser.sync(doc, 5, vec![snap]).await);
    assert_eq!(r.acked, vec![6]);
    // A device arriving late gets the snapshot and what came after, not the five it replaced.
    let late = synced(&employer.sync(doc, 0, vec![]).await);
    let kinds: Vec<RecordKind> = late.records.iter().map(|r| r.record.header.kind).collect();
    assert_eq!(
        kinds,
        vec![RecordKind::Snapshot],
        "the five changes it covers are gone"
    );
    relay.stop().await;
}

#[tokio::test]
async fn security_matrix() {
    let relay = Relay::start(Config {
        burst: 30.0,
        rate_per_sec: 0.5,
        ..Config::default()
    })
    .await;
    let (adviser, employer, doc, key) = pair(&relay).await;
    let body = wire::encode(&SyncRequest {
        docs: vec![DocSync {
            doc_id: doc,
            since: 0,
            records: vec![],
        }],
    });

    // No signature.
    let a = adviser.send("/v2/sync", body.clone(), None).await;
    assert_eq!((a.status, a.error_kind().as_str()), (401, "unsigned"));

    // Bad signature: signed over another body.
    let h = adviser.sign("/v2/sync", b"something else");
    let a = adviser.send("/v2/sync", body.clone(), Some(h)).await;
    assert_eq!((a.status, a.error_kind().as_str()), (401, "bad_signature"));

    // Unknown device.
    let stranger = Device::new(&relay);
    let a = stranger.sync(doc, 0, vec![]).await;
    assert_eq!((a.status, a.error_kind().as_str()), (401, "unknown_device"));

    // Replayed request: the very same headers and body twice.
    let h = adviser.sign("/v2/sync", &body);
    assert_eq!(
        adviser
            .send("/v2/sync", body.clone(), Some(h.clone()))
            .await
            .status,
        200
    );
    let a = adviser.send("/v2/sync", body.clone(), Some(h)).await;
    assert_eq!((a.status, a.error_kind().as_str()), (401, "replayed"));

    // A registered device that is no member, reading and writing.
    let mut outsider = Device::new(&relay);
    outsider.register().await;
    let a = outsider.sync(doc, 0, vec![]).await;
    assert_eq!((a.status, a.error_kind().as_str()), (403, "not_member"));
    let rec = outsider.record(doc, &key, "innbrudd");
    let a = outsider.sync(doc, 0, vec![rec]).await;
    assert_eq!((a.status, a.error_kind().as_str()), (403, "not_member"));
    let a = outsider
        .post(
            "/v2/invitations",
            &CreateInvitation {
                doc_id: doc,
                invitation_id: Uuid::new_v4(),
                secret_hash: [0; 32],
                role: MemberRole::Adviser,
                expires_at_ms: now_ms() + 1000,
                bundle: None,
            },
        )
        .await;
    assert_eq!(a.status, 403);
    // An employer member cannot invite or remove either.
    let a = employer
        .post(
            "/v2/members/remove",
            &RemoveMember {
                doc_id: doc,
                device_id: adviser.id,
            },
        )
        .await;
    assert_eq!(a.status, 403);

    // Used and expired invitations.
    let (inv, secret) = adviser.invite(doc, MemberRole::Employer, 60_000).await;
    let mut first = Device::new(&relay);
    first.register().await;
    assert_eq!(
        first
            .post(
                "/v2/invitations/accept",
                &AcceptInvitation {
                    invitation_id: inv,
                    secret
                }
            )
            .await
            .status,
        200
    );
    let a = outsider
        .post(
            "/v2/invitations/accept",
            &AcceptInvitation {
                invitation_id: inv,
                secret,
            },
        )
        .await;
    assert_eq!(
        (a.status, a.error_kind().as_str()),
        (410, "invitation_used")
    );
    let (inv, secret) = adviser.invite(doc, MemberRole::Employer, 50).await;
    tokio::time::sleep(Duration::from_millis(120)).await;
    let a = outsider
        .post(
            "/v2/invitations/accept",
            &AcceptInvitation {
                invitation_id: inv,
                secret,
            },
        )
        .await;
    assert_eq!(
        (a.status, a.error_kind().as_str()),
        (410, "invitation_expired")
    );
    let a = outsider
        .post(
            "/v2/invitations/accept",
            &AcceptInvitation {
                invitation_id: inv,
                secret: [9; 16],
            },
        )
        .await;
    assert_eq!(
        (a.status, a.error_kind().as_str()),
        (404, "unknown_invitation"),
        "a wrong secret looks like no invitation"
    );

    // Removing a member stops its access at once.
    assert_eq!(
        synced(&first.sync(doc, 0, vec![]).await).status,
        DocStatus::Ok
    );
    assert_eq!(
        adviser
            .post(
                "/v2/members/remove",
                &RemoveMember {
                    doc_id: doc,
                    device_id: first.id
                }
            )
            .await
            .status,
        204
    );
    assert_eq!(first.sync(doc, 0, vec![]).await.status, 403);
    let _ = &mut first;

    // Expired employer membership: the placement ended more than 12 weeks ago.
    let today = now_ms() / 86_400_000;
    assert_eq!(
        adviser
            .post(
                "/v2/docs/end-date",
                &SetEndDate {
                    doc_id: doc,
                    end_day: Some(today - 85)
                }
            )
            .await
            .status,
        204
    );
    let a = employer.sync(doc, 0, vec![]).await;
    assert_eq!(
        (a.status, a.error_kind().as_str()),
        (403, "membership_expired")
    );
    assert_eq!(
        synced(&adviser.sync(doc, 0, vec![]).await).status,
        DocStatus::Ok,
        "the adviser keeps access"
    );

    // Oversize body: refused from its length.
    let a = adviser
        .send(
            "/v2/sync",
            vec![0; MAX_BODY + 1],
            Some(adviser.sign("/v2/sync", b"")),
        )
        .await;
    assert_eq!(a.status, 413);

    // Every refusal so far named nothing: no document id, no device id in any error body.
    // (Checked on a fresh refusal of each kind above by decoding; here the flood.)
    let mut limited = None;
    for _ in 0..60 {
        let a = employer
            .post(
                "/v2/devices",
                &RegisterDevice {
                    device_id: employer.id,
                    public_key: employer.key.public(),
                },
            )
            .await;
        if a.status == 429 {
            limited = Some(a);
            break;
        }
    }
    let a = limited.expect("a flood of requests must be limited");
    assert_eq!(a.error_kind(), "rate_limited");
    let text = String::from_utf8_lossy(&a.body);
    assert!(!text.contains(&doc.to_string()) && !text.contains(&employer.id.to_string()));
    relay.stop().await;
}

#[tokio::test]
async fn health_answers_without_a_signature() {
    let relay = Relay::start(Config::default()).await;
    let body = common::http()
        .get(format!("{}/healthz", relay.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(body, "ok");
    let ready = common::http()
        .get(format!("{}/readyz", relay.base))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.text().await.unwrap(), "ready");
    // `/metrics` only when the operator asks for it.
    let metrics = common::http()
        .get(format!("{}/metrics", relay.base))
        .send()
        .await
        .unwrap();
    assert_eq!(metrics.status(), 404);
    relay.stop().await;
}

/// A flood of requests that fail authentication is refused by address before it costs a lookup
/// or a signature check; a well-behaved device from another address is not affected (here: the
/// same loopback address recovers after the window, so only the refusal is checked).
#[tokio::test]
async fn unauthenticated_flood_is_limited_per_address() {
    let relay = Relay::start(Config {
        failed_auth_per_sec: 0.01,
        failed_auth_burst: 20.0,
        ..Config::default()
    })
    .await;
    let http = common::http();
    let mut statuses = Vec::new();
    for _ in 0..40 {
        let resp = http
            .post(format!("{}/v2/sync", relay.base))
            .body(vec![1, 2, 3])
            .send()
            .await
            .unwrap();
        statuses.push(resp.status().as_u16());
    }
    assert!(statuses[..20].iter().all(|&s| s == 401), "{statuses:?}");
    assert!(statuses[20..].iter().all(|&s| s == 429), "{statuses:?}");
    relay.stop().await;
}

/// The replay cache has a file of its own (no fsync per request), and a restarted relay still
/// refuses a nonce it saw before.
#[test]
fn the_replay_cache_survives_a_restart() {
    use folgesvenn_relay::RelayStorage;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("relay.db");
    let (device, nonce, t) = (Uuid::new_v4(), "a".repeat(32), now_ms());
    let storage = SqliteStorage::open(&path).unwrap();
    assert!(storage.fresh_nonce(device, &nonce, t, t - 600_000).unwrap());
    assert!(!storage.fresh_nonce(device, &nonce, t, t - 600_000).unwrap());
    drop(storage);
    assert!(dir.path().join("relay.db-nonces").is_file());
    let storage = SqliteStorage::open(&path).unwrap();
    assert!(!storage.fresh_nonce(device, &nonce, t, t - 600_000).unwrap());
    // Forgotten once older than the window.
    assert!(storage.fresh_nonce(device, &nonce, t, t + 1).unwrap());
}

impl Device {
    fn snapshot(&mut self, doc: Uuid, key: &DocKey, covers_through: u64) -> SealedRecord {
        self.seq += 1;
        let h = RecordHeader {
            doc_id: doc,
            device_id: self.id,
            device_seq: self.seq,
            kind: RecordKind::Snapshot,
            epoch: 1,
            covers_through,
        };
        SealedRecord::seal(h, b"hele dokumentet", key, &self.key)
    }
}

/// Issue 12, finding 1: a member that claims a cursor it was never served cannot make the relay
/// drop records nobody else has seen, nor move the other members' cursors past records still to
/// come.
#[tokio::test]
async fn a_snapshot_covers_only_what_the_relay_served_its_sender() {
    let relay = Relay::start(Config::default()).await;
    let (mut adviser, mut employer, doc, key) = pair(&relay).await;
    let records: Vec<_> = (0..3)
        .map(|i| adviser.record(doc, &key, &format!("endring {i}")))
        .collect();
    assert_eq!(synced(&adviser.sync(doc, 0, records).await).cursor, 3);
    let e = employer.record(doc, &key, "dagslogg");
    synced(&employer.sync(doc, 3, vec![e]).await);

    // Up to the head, but the employer's record was never served to the adviser: refused.
    let early = adviser.snapshot(doc, &key, 4);
    let r = synced(&adviser.sync(doc, 4, vec![early]).await);
    assert!(
        r.acked.is_empty(),
        "a snapshot of a record its sender never got"
    );
    // Far beyond the log's head: refused too, and the cursor stays within what exists.
    let pin = adviser.snapshot(doc, &key, 1_000_000);
    let r = synced(&adviser.sync(doc, 1_000_000, vec![pin]).await);
    assert!(
        r.acked.is_empty(),
        "a snapshot of records that do not exist"
    );
    assert_eq!(r.rejected.len(), 1);
    assert!(r.cursor <= 4, "cursor {} beyond the log", r.cursor);

    // The employer's record is still there for a device that has not read it, and a record
    // written afterwards reaches everyone.
    let got = synced(&adviser.sync(doc, 3, vec![]).await);
    assert_eq!(got.records.len(), 1, "the employer's record survives");
    let later = employer.record(doc, &key, "neste dag");
    synced(&employer.sync(doc, 4, vec![later]).await);
    let got = synced(&adviser.sync(doc, got.cursor, vec![]).await);
    assert_eq!(
        got.records.len(),
        1,
        "a later record is not hidden behind a pinned cursor"
    );

    // What the adviser was served, it may snapshot.
    let fine = adviser.snapshot(doc, &key, got.cursor);
    let r = synced(&adviser.sync(doc, got.cursor, vec![fine]).await);
    assert_eq!(r.acked.len(), 1, "{:?}", r.rejected);
    relay.stop().await;
}

/// Issue 12, finding 2: no record is stored that could not be served, and one answer stays within
/// what a device accepts however many documents and records wait.
#[tokio::test]
async fn answers_stay_bounded_in_total_and_oversized_records_are_refused() {
    let relay = Relay::start(Config::default()).await;
    let (mut adviser, employer, doc, key) = pair(&relay).await;
    // Sealed for real, so only its size is at fault.
    let big = adviser.record(doc, &key, &"x".repeat(MAX_RECORD + 1));
    let r = synced(&adviser.sync(doc, 0, vec![big]).await);
    assert!(r.acked.is_empty(), "a record over MAX_RECORD is not stored");
    assert_eq!(r.rejected.len(), 1);

    // Five documents with 1.5 MiB waiting in each: each answer stays under the device's limit,
    // and repeating the sync brings everything.
    let mut docs = vec![doc];
    for _ in 0..4 {
        let d = Uuid::new_v4();
        share(&adviser, &employer, d).await;
        docs.push(d);
    }
    let chunk = "y".repeat(500 * 1024);
    for d in &docs {
        let recs: Vec<_> = (0..3).map(|_| adviser.record(*d, &key, &chunk)).collect();
        assert_eq!(synced(&adviser.sync(*d, 0, recs).await).acked.len(), 3);
    }
    let mut cursors = vec![0u64; docs.len()];
    let mut received = 0;
    for _ in 0..20 {
        let a = employer
            .post(
                "/v2/sync",
                &SyncRequest {
                    docs: docs
                        .iter()
                        .zip(&cursors)
                        .map(|(d, c)| DocSync {
                            doc_id: *d,
                            since: *c,
                            records: vec![],
                        })
                        .collect(),
                },
            )
            .await;
        assert_eq!(a.status, 200);
        assert!(
            a.body.len() <= MAX_BODY,
            "an answer of {} bytes, over the {MAX_BODY} a device accepts",
            a.body.len()
        );
        let resp: SyncResponse = wire::decode(&a.body).unwrap();
        let mut more = false;
        for (i, d) in resp.docs.iter().enumerate() {
            received += d.records.len();
            cursors[i] = d.cursor;
            more |= d.more;
        }
        if !more {
            break;
        }
    }
    assert_eq!(received, 15, "every record arrives over several answers");
    relay.stop().await;
}

/// Issue 12, finding 4: one address (or one proxy's many) cannot exhaust the relay.
mod exhaustion {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    async fn unsigned_from(relay: &Relay, forwarded_for: &str) -> u16 {
        common::http()
            .post(format!("{}/v2/sync", relay.base))
            .header("x-forwarded-for", forwarded_for)
            .body(vec![1, 2, 3])
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }

    /// Behind a trusted proxy, failures are charged to the address it forwards for; from any
    /// other peer the header is ignored, so a flood cannot spread itself over invented addresses.
    #[tokio::test]
    async fn failures_are_charged_to_the_forwarded_address_only_behind_a_trusted_proxy() {
        let config = Config {
            failed_auth_per_sec: 0.01,
            failed_auth_burst: 5.0,
            trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
            ..Config::default()
        };
        let relay = Relay::start(config.clone()).await;
        for _ in 0..5 {
            assert_eq!(unsigned_from(&relay, "198.51.100.7").await, 401);
        }
        assert_eq!(unsigned_from(&relay, "198.51.100.7").await, 429);
        // Another client behind the same proxy is not refused for the first one's flood, and a
        // client cannot hide behind an address it writes to the left of the proxy's.
        assert_eq!(unsigned_from(&relay, "198.51.100.8").await, 401);
        assert_eq!(
            unsigned_from(&relay, "203.0.113.1, 198.51.100.7").await,
            429
        );
        relay.stop().await;

        let untrusted = Relay::start(Config {
            trusted_proxies: vec![],
            ..config
        })
        .await;
        for i in 0..5 {
            assert_eq!(
                unsigned_from(&untrusted, &format!("198.51.100.{i}")).await,
                401
            );
        }
        assert_eq!(unsigned_from(&untrusted, "198.51.100.99").await, 429);
        untrusted.stop().await;
    }

    /// One member cannot fill the relay's disk through one document: beyond `max_doc_bytes` its
    /// records are refused with a reason the device recognises (and keeps them queued), a repeat
    /// of a stored record is still acknowledged, and an adviser's snapshot makes room.
    #[tokio::test]
    async fn a_document_holds_at_most_its_quota_until_a_snapshot_makes_room() {
        let relay = Relay::start(Config {
            max_doc_bytes: 64 * 1024,
            ..Config::default()
        })
        .await;
        let (mut adviser, mut employer, doc, key) = pair(&relay).await;
        let chunk = "z".repeat(10 * 1024);
        let first: Vec<_> = (0..5).map(|_| employer.record(doc, &key, &chunk)).collect();
        let r = synced(&employer.sync(doc, 0, first.clone()).await);
        assert_eq!(r.acked.len(), 5);
        let more: Vec<_> = (0..3).map(|_| employer.record(doc, &key, &chunk)).collect();
        let r = synced(&employer.sync(doc, 5, more.clone()).await);
        assert_eq!(r.acked, vec![6], "room for one more, not three");
        assert_eq!(
            r.rejected
                .iter()
                .map(|(seq, why)| (*seq, why.as_str()))
                .collect::<Vec<_>>(),
            vec![(7, REJECT_DOCUMENT_FULL), (8, REJECT_DOCUMENT_FULL)]
        );
        // A retry of what is stored is acknowledged again, full or not.
        let r = synced(&employer.sync(doc, 6, first[..2].to_vec()).await);
        assert_eq!(r.acked, vec![1, 2]);

        // The adviser reads everything and snapshots it: the covered records are dropped, and
        // the refused ones go in.
        let mut cursor = 0;
        loop {
            let r = synced(&adviser.sync(doc, cursor, vec![]).await);
            cursor = r.cursor;
            if !r.more {
                break;
            }
        }
        let snap = adviser.snapshot(doc, &key, cursor);
        let r = synced(&adviser.sync(doc, cursor, vec![snap]).await);
        assert_eq!(r.acked.len(), 1, "{:?}", r.rejected);
        let r = synced(&employer.sync(doc, 6, more[1..].to_vec()).await);
        assert_eq!(r.acked, vec![7, 8], "{:?}", r.rejected);
        relay.stop().await;
    }

    #[tokio::test]
    async fn new_devices_are_rationed_per_address_and_documents_per_device() {
        let relay = Relay::start(Config {
            registrations_per_hour: 1.0,
            registrations_burst: 3.0,
            max_docs_per_device: 2,
            ..Config::default()
        })
        .await;
        let devices: Vec<Device> = (0..4).map(|_| Device::new(&relay)).collect();
        for d in &devices[..3] {
            d.register().await;
        }
        let msg = |d: &Device| RegisterDevice {
            device_id: d.id,
            public_key: d.key.public(),
        };
        let a = devices[3].post("/v2/devices", &msg(&devices[3])).await;
        assert_eq!(a.status, 429, "{}", a.error_kind());
        // A device already known registers again (a retry) at no cost.
        let a = devices[0].post("/v2/devices", &msg(&devices[0])).await;
        assert_eq!(a.status, 204, "{}", a.error_kind());

        let d = &devices[0];
        let first = Uuid::new_v4();
        let docs = [first, Uuid::new_v4(), Uuid::new_v4(), first];
        let mut answers = Vec::new();
        for doc in docs {
            let a = d.post("/v2/docs", &CreateDoc { doc_id: doc }).await;
            answers.push((a.status, a.error_kind()));
        }
        assert_eq!(answers[0].0, 204);
        assert_eq!(answers[1].0, 204);
        assert_eq!(answers[2], (403, "quota".to_owned()));
        assert_eq!(answers[3].0, 204, "a retry of an own document");
        relay.stop().await;
    }

    /// A connection that trickles its headers is closed, and requests beyond the in-flight limit
    /// are answered 503 at once rather than queued.
    #[tokio::test]
    async fn slow_clients_are_cut_off_and_a_full_relay_says_so() {
        let relay = Relay::start(Config {
            header_timeout: Duration::from_millis(500),
            max_in_flight: 1,
            ..Config::default()
        })
        .await;
        let addr = relay.base.trim_start_matches("http://").to_owned();
        let mut slow = tokio::net::TcpStream::connect(&addr).await.unwrap();
        slow.write_all(b"POST /v2/sync HTTP/1.1\r\nHost: relay\r\n")
            .await
            .unwrap();
        let mut buf = Vec::new();
        let closed =
            tokio::time::timeout(Duration::from_secs(20), slow.read_to_end(&mut buf)).await;
        assert!(
            closed.is_ok(),
            "a connection without its headers is still open"
        );

        // One request holds the only slot: its headers are in, its body never comes.
        let mut holder = tokio::net::TcpStream::connect(&addr).await.unwrap();
        holder
            .write_all(b"POST /v2/sync HTTP/1.1\r\nHost: relay\r\nContent-Length: 100\r\n\r\n")
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
        let status = common::http()
            .get(format!("{}/healthz", relay.base))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16();
        assert_eq!(status, 503);
        drop(holder);
        relay.stop().await;
    }
}

/// Live updates: a device waiting at `/v2/wait` is answered as soon as the other member's record
/// is stored (not by its own), at once when it is already behind, with nothing when the wait
/// runs out, and refused when it is no member of any document it names.
#[tokio::test]
async fn a_waiting_device_hears_of_the_other_members_record_at_once() {
    let relay = Relay::start(Config {
        wait_timeout: Duration::from_millis(400),
        ..Config::default()
    })
    .await;
    let (mut adviser, mut employer, doc, key) = pair(&relay).await;
    async fn wait(d: &Device, doc: Uuid, since: u64) -> Vec<Uuid> {
        let msg = WaitRequest {
            docs: vec![DocCursor { doc_id: doc, since }],
        };
        let a = d.post("/v2/wait", &msg).await;
        assert_eq!(a.status, 200, "{}", a.error_kind());
        wire::decode::<WaitResponse>(&a.body).unwrap().changed
    }

    // Nothing new: the wait runs out, empty.
    assert!(wait(&employer, doc, 0).await.is_empty());

    // Its own upload does not wake it; the adviser's does, within the wait.
    let own = employer.record(doc, &key, "dagslogg");
    let mine = synced(&employer.sync(doc, 0, vec![own]).await);
    let since = mine.cursor;
    let r = adviser.record(doc, &key, "besøk");
    let upload = async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let started = std::time::Instant::now();
        synced(&adviser.sync(doc, 0, vec![r]).await);
        started
    };
    let (heard, started) = tokio::join!(wait(&employer, doc, since), upload);
    let took = started.elapsed();
    assert_eq!(heard, vec![doc]);
    eprintln!("the waiting device heard after {took:?}");
    assert!(
        took < Duration::from_millis(400),
        "answered by the upload, not the timeout"
    );

    // Already behind: answered at once.
    assert_eq!(wait(&employer, doc, since).await, vec![doc]);

    // No member of anything it names: refused.
    let stranger = Device::new(&relay);
    stranger.register().await;
    let a = stranger
        .post(
            "/v2/wait",
            &WaitRequest {
                docs: vec![DocCursor {
                    doc_id: doc,
                    since: 0,
                }],
            },
        )
        .await;
    assert_eq!(a.status, 403);
    relay.stop().await;
}

/// Two relay processes' worth of servers on one PostgreSQL database: a device waiting at one
/// hears of a record uploaded through the other (`LISTEN`/`NOTIFY`), within the wait.
#[tokio::test]
#[ignore = "needs PostgreSQL: cargo xtask test starts one"]
async fn a_device_waiting_at_one_relay_hears_of_an_upload_through_another() {
    let url = tokio::task::spawn_blocking(|| common::fresh_postgres(&common::test_postgres()))
        .await
        .unwrap();
    let config = Config {
        wait_timeout: Duration::from_secs(5),
        ..Config::default()
    };
    let mut relays = Vec::new();
    for _ in 0..2 {
        let u = url.clone();
        let storage = tokio::task::spawn_blocking(move || PgStorage::connect(&u, 4))
            .await
            .unwrap()
            .unwrap();
        relays.push(
            Relay::serving(
                Arc::new(storage),
                config.clone(),
                tempfile::tempdir().unwrap(),
            )
            .await,
        );
    }
    let (mut adviser, mut employer, doc, key) = pair(&relays[0]).await;
    employer.base = relays[1].base.clone();
    // The listening connection of the second relay may still be starting: wait on until a
    // record uploaded through the first is heard, each time from where the employer stands.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let mut since = 0;
    let took = loop {
        since = synced(&employer.sync(doc, since, vec![]).await).cursor;
        let r = adviser.record(doc, &key, "besøk");
        let msg = WaitRequest {
            docs: vec![DocCursor { doc_id: doc, since }],
        };
        let upload = async {
            tokio::time::sleep(Duration::from_millis(100)).await;
            let started = std::time::Instant::now();
            synced(&adviser.sync(doc, 0, vec![r]).await);
            started
        };
        let asked = std::time::Instant::now();
        let (answer, started) = tokio::join!(
            async {
                let a = employer.post("/v2/wait", &msg).await;
                (a, asked.elapsed())
            },
            upload
        );
        let (answer, waited) = answer;
        assert_eq!(answer.status, 200, "{}", answer.error_kind());
        let changed = wire::decode::<WaitResponse>(&answer.body).unwrap().changed;
        // Heard after the upload began (not behind from the start) and before the wait ran out.
        if changed == vec![doc] && waited >= Duration::from_millis(100) {
            break started.elapsed();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "never heard through the other relay"
        );
    };
    eprintln!("heard through the other relay after {took:?}");
    for relay in relays {
        relay.stop().await;
    }
}
