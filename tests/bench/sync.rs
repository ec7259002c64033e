//! Sync benchmark: bytes on the wire and round trips to sync one working day (1 visit, 5 daily
//! observations, 3 notes, 2 actions) and one month (20 such days) between an adviser and an
//! employer, through the real relay (HTTP on loopback, counted at the TCP level through a small
//! proxy, so headers are included), against automerge's own sync protocol run in memory on the
//! same two documents, and against each side sending its whole saved document. Deterministic
//! counts, printed as a Markdown table for BENCHMARKS.md (`cargo xtask bench`).

#[path = "workload.rs"]
#[allow(dead_code)] // the three-year placement is the store bench's
mod workload;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use folgesvenn_domain::automerge::sync::{State, SyncDoc};
use folgesvenn_domain::automerge::{AutoCommit, ChangeHash};
use folgesvenn_domain::*;
use folgesvenn_protocol::wire::MemberRole;
use folgesvenn_relay::{Config, serve, sqlite::SqliteStorage};
use folgesvenn_store::{DbKey, DocKind, Store, Unlock};
use folgesvenn_sync::transport::{BoxFuture, Http, Request, Response, Transport};
use folgesvenn_sync::{SyncClient, accept, invite, share, sync_once};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use uuid::Uuid;
use workload::*;

/// Counts requests (round trips) on top of HTTP. With `before_news`, the relay seems to be one
/// from before `/v2/news` (404, nothing sent): the device syncs every document, as all devices
/// did before.
struct Counting {
    http: Http,
    posts: AtomicU64,
    before_news: std::sync::atomic::AtomicBool,
}

impl Transport for Counting {
    fn post(&self, request: Request) -> BoxFuture<'_, Result<Response, String>> {
        if request.path == "/v2/news" && self.before_news.load(Ordering::Relaxed) {
            return Box::pin(async {
                Ok(Response {
                    status: 404,
                    body: vec![],
                })
            });
        }
        self.posts.fetch_add(1, Ordering::Relaxed);
        self.http.post(request)
    }
}

/// A TCP proxy in front of the relay that counts every byte each way as it passes.
async fn counting_proxy(upstream: String, up: Arc<AtomicU64>, down: Arc<AtomicU64>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((client, _)) = listener.accept().await else {
                return;
            };
            let Ok(server) = tokio::net::TcpStream::connect(&upstream).await else {
                return;
            };
            let (cr, cw) = client.into_split();
            let (sr, sw) = server.into_split();
            tokio::spawn(pump(cr, sw, up.clone()));
            tokio::spawn(pump(sr, cw, down.clone()));
        }
    });
    format!("http://{addr}")
}

async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    count: Arc<AtomicU64>,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut buf = vec![0u8; 64 * 1024];
    while let Ok(n) = from.read(&mut buf).await {
        if n == 0 || to.write_all(&buf[..n]).await.is_err() {
            break;
        }
        count.fetch_add(n as u64, Ordering::Relaxed);
    }
    let _ = to.shutdown().await;
}

/// The real relay (in-process, its SQLite file in `dir`) behind the counting proxy, and a client
/// that counts its requests.
struct Counted {
    relay: String,
    up: Arc<AtomicU64>,
    down: Arc<AtomicU64>,
    net: Arc<Counting>,
    client: SyncClient,
}

async fn counted_relay(dir: &std::path::Path, config: Config) -> Counted {
    let storage = SqliteStorage::open(&dir.join("relay.db")).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let relay_addr = listener.local_addr().unwrap().to_string();
    tokio::spawn(serve(
        listener,
        Arc::new(storage),
        config,
        std::future::pending(),
    ));
    let (up, down) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let relay = counting_proxy(relay_addr, up.clone(), down.clone()).await;
    let net = Arc::new(Counting {
        http: Http::new(Duration::from_secs(120)),
        posts: AtomicU64::new(0),
        before_news: Default::default(),
    });
    let client = SyncClient::with_transport(net.clone());
    Counted {
        relay,
        up,
        down,
        net,
        client,
    }
}

/// One working day on both devices, offline from each other.
fn working_day(adviser: &mut Store, employer: &mut Store, p: Uuid, day: Day, rng: &mut StdRng) {
    set_day(adviser, day);
    set_day(employer, day);
    let at = Moment::parse(folgesvenn_domain::Field::At, &format!("{day}T09:00:00Z")).unwrap();
    adviser
        .record_visit(
            p,
            &visit(rng, at),
            Some("Kandidaten fortalte om dårlig søvn; følges opp."),
        )
        .unwrap();
    for i in 0..5 {
        employer
            .log_observation(p, &observation(rng, day.plus_days(-i)))
            .unwrap();
    }
    for who in [0, 0, 1] {
        let text = NOTES.choose(rng).unwrap();
        let s = if who == 0 {
            &mut *adviser
        } else {
            &mut *employer
        };
        s.write_shared(p, |d, st| {
            d.add_note(
                &NewNote {
                    body: (*text).into(),
                    reply_to: None,
                },
                st,
            )
        })
        .unwrap();
    }
    for what in ["Bestille vernesko", "Avtale nytt møte med fastlegen"] {
        adviser
            .write_shared(p, |d, s| {
                d.add_action(
                    &NewAction {
                        what: what.into(),
                        owner: ActionOwner::Adviser,
                        due: Some(day.plus_days(7)),
                    },
                    s,
                )
            })
            .unwrap();
    }
}

struct Row {
    name: &'static str,
    ours: (u64, u64, u64),
    automerge: (u64, u64),
    via_server: (u64, u64),
    whole: u64,
    changes: u64,
    /// The new changes in automerge's own encoding (compressed where automerge compresses a
    /// change), each counted once: what its sync messages carry.
    change_bytes: u64,
    /// The same changes as our records carry them (each side's packed as `FSC2` and deflated together),
    /// counted twice: up from the device that wrote them, down to the other.
    record_payload: u64,
}

/// One message from `from` to `to` through its encoded bytes, if `from` has one; counts them.
fn send(
    from: &mut AutoCommit,
    from_state: &mut State,
    to: &mut AutoCommit,
    to_state: &mut State,
    bytes: &mut u64,
) -> bool {
    use folgesvenn_domain::automerge::sync::Message;
    let Some(m) = from.sync().generate_sync_message(from_state) else {
        return false;
    };
    let enc = m.encode();
    *bytes += enc.len() as u64;
    to.sync()
        .receive_sync_message(to_state, Message::decode(&enc).unwrap())
        .unwrap();
    true
}

/// automerge's sync protocol between two in-memory documents until neither has more to say.
/// Returns (bytes, messages).
fn automerge_sync(
    a: &mut AutoCommit,
    sa: &mut State,
    b: &mut AutoCommit,
    sb: &mut State,
) -> (u64, u64) {
    let (mut bytes, mut messages) = (0u64, 0u64);
    loop {
        // Both sides speak once per round; stop when neither has anything to say.
        let sent = [
            send(a, sa, b, sb, &mut bytes),
            send(b, sb, a, sa, &mut bytes),
        ];
        let n = sent.iter().filter(|s| **s).count() as u64;
        if n == 0 {
            break;
        }
        messages += n;
    }
    (bytes, messages)
}

/// Sync states of two peers that were in sync at `base`, as automerge-repo persists them between
/// connections (best case for automerge: no first full exchange of heads).
fn warm_states(base: &[u8]) -> (State, State) {
    let (mut x, mut y) = (
        AutoCommit::load(base).unwrap(),
        AutoCommit::load(base).unwrap(),
    );
    let (mut sx, mut sy) = (State::new(), State::new());
    automerge_sync(&mut x, &mut sx, &mut y, &mut sy);
    let persist = |s: &State| State::decode(&s.encode()).unwrap();
    (persist(&sx), persist(&sy))
}

fn heads_of(d: &mut AutoCommit) -> Vec<ChangeHash> {
    let mut h = d.get_heads();
    h.sort();
    h
}

/// automerge directly between the two devices, and through a sync server that held `base`
/// (the adviser, then the employer, then the adviser again, as our relay is used).
fn automerge_figures(base: &[u8], a: &AutoCommit, e: &AutoCommit) -> ((u64, u64), (u64, u64)) {
    let (mut a1, mut e1) = (a.clone(), e.clone());
    let (mut sa, mut se) = warm_states(base);
    let direct = automerge_sync(&mut a1, &mut sa, &mut e1, &mut se);
    assert_eq!(heads_of(&mut a1), heads_of(&mut e1), "automerge converged");

    let (mut a2, mut e2) = (a.clone(), e.clone());
    let mut server = AutoCommit::load(base).unwrap();
    let (mut a_state, mut srv_a) = warm_states(base);
    let (mut e_state, mut srv_e) = warm_states(base);
    let mut total = (0, 0);
    for who in [0, 1, 0] {
        let (bytes, msgs) = if who == 0 {
            automerge_sync(&mut a2, &mut a_state, &mut server, &mut srv_a)
        } else {
            automerge_sync(&mut e2, &mut e_state, &mut server, &mut srv_e)
        };
        total = (total.0 + bytes, total.1 + msgs);
    }
    assert_eq!(
        heads_of(&mut a2),
        heads_of(&mut e2),
        "automerge via a server converged"
    );
    (direct, total)
}

async fn measure(name: &'static str, days: i64, seed: u64) -> Row {
    let tmp = tempfile::tempdir().unwrap();
    let Counted {
        relay,
        up,
        down,
        net,
        client,
    } = counted_relay(tmp.path(), Config::default()).await;
    let mut rng = StdRng::seed_from_u64(seed);

    let mut adviser = Store::create(
        &tmp.path().join("a"),
        Role::Adviser,
        "Kari Veileder",
        Unlock::Key(DbKey::generate()),
    )
    .unwrap();
    let mut employer = Store::create(
        &tmp.path().join("e"),
        Role::Employer,
        "Per Verksmester",
        Unlock::Key(DbKey::generate()),
    )
    .unwrap();
    let start = Day::parse(folgesvenn_domain::Field::Date, "2026-09-01").unwrap();
    set_day(&mut adviser, start);
    let p = adviser
        .create_placement(&placement(&mut rng, start))
        .unwrap();
    let shared = adviser.document_id(p, DocKind::Shared).unwrap();
    // Only the shared document syncs here, as in automerge's peer-to-peer comparison (the
    // adviser's private document goes only to the adviser's own devices).
    share(&mut adviser, shared, &relay).unwrap();
    adviser
        .write_private(p, |d, s| {
            d.give_consent(
                &folgesvenn_domain::NewConsent {
                    scopes: vec![folgesvenn_domain::ConsentScope::FollowUp],
                    text_version: "2026-1".into(),
                },
                s,
            )
        })
        .unwrap();
    let pairing = invite(
        &mut adviser,
        &client,
        p,
        DocKind::Shared,
        MemberRole::Employer,
        Duration::from_secs(600),
    )
    .await
    .unwrap();
    accept(&mut employer, &pairing.invitation).unwrap();
    // A few weeks of history first, so the documents are the size they are in real use.
    for w in 0..4 {
        working_day(
            &mut adviser,
            &mut employer,
            p,
            start.plus_days(7 + w * 7),
            &mut rng,
        );
        for who in [0, 1, 0] {
            let s = if who == 0 {
                &mut adviser
            } else {
                &mut employer
            };
            sync_once(s, &client).await.unwrap();
        }
    }

    let base = adviser.document_bytes(shared).unwrap();
    // The measured work: `days` working days apart, then each syncs once (the adviser again at
    // the end to receive what the employer sent).
    let first = start.plus_days(42);
    for d in 0..days {
        working_day(
            &mut adviser,
            &mut employer,
            p,
            first.plus_days(d + d / 5 * 2),
            &mut rng,
        );
    }
    let mut a_doc = AutoCommit::load(&adviser.document_bytes(shared).unwrap()).unwrap();
    let mut e_doc = AutoCommit::load(&employer.document_bytes(shared).unwrap()).unwrap();
    let whole = (a_doc.save().len() + e_doc.save().len()) as u64;
    let (changes, change_bytes, record_payload) = {
        let hashes = |d: &mut AutoCommit| -> std::collections::HashSet<ChangeHash> {
            d.get_changes(&[]).iter().map(|c| c.hash()).collect()
        };
        let (ha, he) = (hashes(&mut a_doc), hashes(&mut e_doc));
        // What each side wrote that the other lacks: the changes this sync carries.
        let new = |d: &mut AutoCommit, other: &std::collections::HashSet<ChangeHash>| {
            let mut own: Vec<_> = d
                .get_changes(&[])
                .into_iter()
                .filter(|c| !other.contains(&c.hash()))
                .collect();
            let encoded: u64 = own.iter_mut().map(|c| c.bytes().len() as u64).sum();
            let deflated = changes::compress(&changes::encode(&own)).len() as u64;
            (encoded, deflated)
        };
        let (a_new, e_new) = (new(&mut a_doc, &he), new(&mut e_doc, &ha));
        (
            ha.symmetric_difference(&he).count() as u64,
            a_new.0 + e_new.0,
            2 * (a_new.1 + e_new.1),
        )
    };

    tokio::time::sleep(Duration::from_millis(50)).await;
    let (up0, down0, posts0) = (
        up.load(Ordering::Relaxed),
        down.load(Ordering::Relaxed),
        net.posts.load(Ordering::Relaxed),
    );
    for who in [0, 1, 0] {
        let s = if who == 0 {
            &mut adviser
        } else {
            &mut employer
        };
        sync_once(s, &client).await.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let (mut ha, mut he) = (
        adviser.heads(shared).unwrap(),
        employer.heads(shared).unwrap(),
    );
    ha.sort();
    he.sort();
    assert_eq!(ha, he, "our sync converged");
    let ours = (
        up.load(Ordering::Relaxed) - up0,
        down.load(Ordering::Relaxed) - down0,
        net.posts.load(Ordering::Relaxed) - posts0,
    );
    let (automerge, via_server) = automerge_figures(&base, &a_doc, &e_doc);
    Row {
        name,
        ours,
        automerge,
        via_server,
        whole,
        changes,
        change_bytes,
        record_payload,
    }
}

/// An adviser's idle background sync: `placements` placements (both documents of each shared at
/// the relay), everything synced, nothing new. Bytes each way and round trips of one sync, with
/// `/v2/news` and as before it (every document's cursor, 256 to a request).
struct Idle {
    placements: usize,
    docs: usize,
    news: (u64, u64, u64),
    every_cursor: (u64, u64, u64),
}

async fn measure_idle(placements: usize) -> Idle {
    let tmp = tempfile::tempdir().unwrap();
    // Setting up thousands of documents goes beyond a device's rate limit; what is measured
    // after it is one request or a few.
    let config = Config {
        max_docs_per_device: 100_000,
        rate_per_sec: 1e6,
        burst: 1e6,
        ..Config::default()
    };
    let Counted {
        relay,
        up,
        down,
        net,
        client,
    } = counted_relay(tmp.path(), config).await;
    let mut rng = StdRng::seed_from_u64(500);
    let mut adviser = Store::create(
        &tmp.path().join("a"),
        Role::Adviser,
        "Kari Veileder",
        Unlock::Key(DbKey::generate()),
    )
    .unwrap();
    let start = Day::parse(folgesvenn_domain::Field::Date, "2026-09-01").unwrap();
    set_day(&mut adviser, start);
    let mut docs = 0;
    for _ in 0..placements {
        let p = adviser
            .create_placement(&placement(&mut rng, start))
            .unwrap();
        for kind in [DocKind::Shared, DocKind::Private] {
            let doc = adviser.document_id(p, kind).unwrap();
            share(&mut adviser, doc, &relay).unwrap();
            docs += 1;
        }
    }
    // Joined and synced; a second sync settles what the first left (nothing, normally).
    sync_once(&mut adviser, &client).await.unwrap();
    sync_once(&mut adviser, &client).await.unwrap();
    let mut once = async |before_news: bool| {
        net.before_news.store(before_news, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(50)).await;
        let at = (
            up.load(Ordering::Relaxed),
            down.load(Ordering::Relaxed),
            net.posts.load(Ordering::Relaxed),
        );
        let report = sync_once(&mut adviser, &client).await.unwrap();
        assert_eq!((report.pushed, report.received), (0, 0), "nothing new");
        tokio::time::sleep(Duration::from_millis(50)).await;
        (
            up.load(Ordering::Relaxed) - at.0,
            down.load(Ordering::Relaxed) - at.1,
            net.posts.load(Ordering::Relaxed) - at.2,
        )
    };
    let news = once(false).await;
    let every_cursor = once(true).await;
    Idle {
        placements,
        docs,
        news,
        every_cursor,
    }
}

#[tokio::main]
async fn main() {
    // `--quick` (CI): one working day only; checks the harness runs.
    let quick = std::env::args().any(|a| a == "--quick");
    let mut rows = vec![measure("one working day", 1, 7).await];
    if !quick {
        rows.push(measure("one month (20 working days)", 20, 8).await);
    }
    let idle_sizes: &[usize] = if quick { &[20] } else { &[500, 5000] };
    let mut idle = Vec::new();
    for &n in idle_sizes {
        idle.push(measure_idle(n).await);
    }
    println!(
        "| sync | changes | ours, through the relay: bytes up + down (round trips) | automerge through a sync server: bytes (messages) | automerge peer to peer: bytes (messages) | whole documents: bytes | ours ÷ automerge via server |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for r in &rows {
        let ours = r.ours.0 + r.ours.1;
        println!(
            "| {} | {} | {} + {} = **{}** ({}) | **{}** ({}) | {} ({}) | {} | {:.2} |",
            r.name,
            r.changes,
            r.ours.0,
            r.ours.1,
            ours,
            r.ours.2,
            r.via_server.0,
            r.via_server.1,
            r.automerge.0,
            r.automerge.1,
            r.whole,
            ours as f64 / r.via_server.0 as f64
        );
    }
    println!();
    println!(
        "| where our bytes go | the new changes as automerge change chunks, once | the changes as our records carry them (`FSC2` in DEFLATE), up and down | the rest: HTTP, signatures, record headers, nonces, tags |"
    );
    println!("|---|---:|---:|---:|");
    for r in &rows {
        let ours = r.ours.0 + r.ours.1;
        println!(
            "| {} | {} | {} | {} |",
            r.name,
            r.change_bytes,
            r.record_payload,
            ours.saturating_sub(r.record_payload),
        );
    }
    println!();
    println!(
        "| an adviser's idle sync (nothing new) | documents | `/v2/news`: bytes up + down (round trips) | every document's cursor, as before: bytes up + down (round trips) |"
    );
    println!("|---|---:|---:|---:|");
    for r in idle {
        println!(
            "| {} placements | {} | {} + {} ({}) | {} + {} ({}) |",
            r.placements,
            r.docs,
            r.news.0,
            r.news.1,
            r.news.2,
            r.every_cursor.0,
            r.every_cursor.1,
            r.every_cursor.2,
        );
    }
}
