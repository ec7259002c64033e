//! The relay under load, as a ratio to a bare axum handler in the same run.
//!
//! Three processes: this one generates the load; it starts the relay (the relay's own CLI, SQLite
//! backend, in a child process of its own) and a bare axum server that answers every POST with
//! `ok` (also a child process). Pairs of devices (an adviser and an employer sharing one document)
//! are registered, paired by invitation and given a working day of records through the relay's real
//! API. Then, at rising concurrency, each connection sends signed requests of one kind as fast as
//! answers come back:
//!
//! - **pull, nothing new**: the employer's background sync when nothing happened (the most common
//!   request);
//! - **pull a working day**: ten records of ≈600 bytes each come back;
//! - **push an observation**: one sealed record is stored (one SQLite transaction).
//!
//! Requests of the same kinds and sizes go to the bare handler, so the ratio is what the relay's
//! work costs: signature check, replay check, rate limiter, membership, SQLite. Requests are built
//! and signed before the clock starts, so signing does not eat into the relay's share of the two
//! cores. The relay's per-device rate limit is raised (it is still run) since one device here sends
//! thousands of requests a second.
//!
//! With `FOLGESVENN_BENCH_POSTGRES` (a PostgreSQL URL; `cargo xtask bench` starts a cluster and
//! sets it), the same requests also go to the relay on PostgreSQL, as one process and as two
//! processes on one database with the connections split between them (a load balancer's share).
//! Last, the memory an idle live connection costs: many devices wait at `/v2/wait` at once.
//!
//! `relay-load [--quick]` prints a Markdown table on stdout (`cargo xtask bench` puts it in
//! BENCHMARKS.md). `--quick` runs a few hundred requests at two levels, for CI: it checks that the
//! harness still works and that no request failed, never a figure.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use folgesvenn_protocol::auth::sign;
use folgesvenn_protocol::keys::{DeviceKey, DocKey};
use folgesvenn_protocol::record::{RecordHeader, RecordKind, SealedRecord};
use folgesvenn_protocol::wire::{
    AcceptInvitation, CreateDoc, CreateInvitation, DocCursor, DocSync, MemberRole, RegisterDevice,
    SyncRequest, SyncResponse, WaitRequest, decode, encode,
};
use rand::RngCore;
use sha2::{Digest, Sha256};
use uuid::Uuid;

#[path = "perf.rs"]
mod perf;

/// One device as the load generator sees it.
struct Device {
    id: Uuid,
    key: DeviceKey,
}

impl Device {
    fn new() -> Device {
        Device {
            id: Uuid::new_v4(),
            key: DeviceKey::generate(),
        }
    }

    /// A signed request, ready to send: path, headers, body.
    fn request(&self, path: &'static str, body: Vec<u8>) -> Prepared {
        let headers = sign(self.id, &self.key, "POST", path, &body, now_ms()).pairs();
        Prepared {
            path,
            headers: headers.to_vec(),
            body,
        }
    }
}

struct Prepared {
    path: &'static str,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

/// The employer's side of a document it shares with an adviser: what it needs to pull and push.
struct Pair {
    employer: Device,
    doc: Uuid,
    doc_key: DocKey,
    employer_seq: u64,
    /// The server sequence number after the adviser's working day.
    cursor: u64,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// A record of about the size of a daily observation (automerge change, ≈600 bytes sealed).
fn record(doc: Uuid, device: &Device, seq: u64, doc_key: &DocKey) -> SealedRecord {
    let mut plaintext = vec![0u8; 560];
    rand::thread_rng().fill_bytes(&mut plaintext);
    SealedRecord::seal(
        RecordHeader {
            doc_id: doc,
            device_id: device.id,
            device_seq: seq,
            kind: RecordKind::Changes,
            epoch: 0,
            covers_through: 0,
        },
        &plaintext,
        doc_key,
        &device.key,
    )
}

async fn send(client: &reqwest::Client, base: &str, p: Prepared) -> Result<(u16, Vec<u8>)> {
    let mut req = client.post(format!("{base}{}", p.path));
    for (name, value) in p.headers {
        req = req.header(name, value);
    }
    let resp = req.body(p.body).send().await?;
    let status = resp.status().as_u16();
    Ok((status, resp.bytes().await?.to_vec()))
}

async fn expect_ok(client: &reqwest::Client, base: &str, p: Prepared) -> Result<Vec<u8>> {
    let path = p.path;
    let (status, body) = send(client, base, p).await?;
    if !(200..300).contains(&status) {
        bail!("{path}: HTTP {status}");
    }
    Ok(body)
}

/// Registers both devices, creates the document, pairs the employer by invitation and lets the
/// adviser push a working day of ten records.
async fn pair(client: &reqwest::Client, base: &str) -> Result<Pair> {
    let (adviser, employer) = (Device::new(), Device::new());
    let (doc, doc_key) = (Uuid::new_v4(), DocKey::generate());
    for d in [&adviser, &employer] {
        let body = encode(&RegisterDevice {
            device_id: d.id,
            public_key: d.key.public(),
        });
        expect_ok(client, base, d.request("/v2/devices", body)).await?;
    }
    let body = encode(&CreateDoc { doc_id: doc });
    expect_ok(client, base, adviser.request("/v2/docs", body)).await?;
    let mut secret = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut secret);
    let invitation_id = Uuid::new_v4();
    let body = encode(&CreateInvitation {
        doc_id: doc,
        invitation_id,
        secret_hash: Sha256::digest(secret).into(),
        role: MemberRole::Employer,
        expires_at_ms: now_ms() + 3_600_000,
        bundle: None,
    });
    expect_ok(client, base, adviser.request("/v2/invitations", body)).await?;
    let body = encode(&AcceptInvitation {
        invitation_id,
        secret,
    });
    expect_ok(
        client,
        base,
        employer.request("/v2/invitations/accept", body),
    )
    .await?;
    let records = (1..=10)
        .map(|seq| record(doc, &adviser, seq, &doc_key))
        .collect();
    let body = encode(&SyncRequest {
        docs: vec![DocSync {
            doc_id: doc,
            since: 0,
            records,
        }],
    });
    let answer = expect_ok(client, base, adviser.request("/v2/sync", body)).await?;
    let answer: SyncResponse = decode(&answer)?;
    if answer.docs[0].acked.len() != 10 {
        bail!(
            "the relay did not store the working day: {:?}",
            answer.docs[0]
        );
    }
    Ok(Pair {
        employer,
        doc,
        doc_key,
        employer_seq: 0,
        cursor: answer.docs[0].cursor,
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    PullNothing,
    PullDay,
    Push,
}

impl Op {
    fn label(self) -> &'static str {
        match self {
            Op::PullNothing => "pull, nothing new",
            Op::PullDay => "pull a working day (10 records)",
            Op::Push => "push one observation",
        }
    }

    /// One signed request of this kind from the pair's employer.
    fn request(self, pair: &mut Pair) -> Prepared {
        let doc = match self {
            Op::PullNothing => DocSync {
                doc_id: pair.doc,
                since: pair.cursor,
                records: vec![],
            },
            Op::PullDay => DocSync {
                doc_id: pair.doc,
                since: 0,
                records: vec![],
            },
            Op::Push => {
                pair.employer_seq += 1;
                // As a device does, from the cursor the previous push's answer brought (its own
                // record, the document's newest: one pusher per pair, so the relay numbers this
                // pair's records one after another). A cursor left behind would make every push
                // read back all the device's own records since.
                let since = pair.cursor;
                pair.cursor += 1;
                DocSync {
                    doc_id: pair.doc,
                    since,
                    records: vec![record(
                        pair.doc,
                        &pair.employer,
                        pair.employer_seq,
                        &pair.doc_key,
                    )],
                }
            }
        };
        let body = encode(&SyncRequest { docs: vec![doc] });
        pair.employer.request("/v2/sync", body)
    }
}

/// What one run at one concurrency gave.
struct Run {
    requests: usize,
    failed: usize,
    elapsed: Duration,
    latencies_us: Vec<u64>,
}

impl Run {
    fn rps(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }
}

/// Each connection sends its own list of prepared requests one after another, until the list or
/// the time is used up; connection `i` to `bases[i % bases.len()]`.
async fn run(bases: &[String], work: Vec<Vec<Prepared>>, limit: Duration) -> Result<Run> {
    let client = Arc::new(
        reqwest::Client::builder()
            .pool_max_idle_per_host(work.len())
            .build()?,
    );
    let start = Instant::now();
    let mut tasks = Vec::new();
    for (i, list) in work.into_iter().enumerate() {
        let base: Arc<str> = bases[i % bases.len()].as_str().into();
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(list.len());
            let mut failed = 0;
            for p in list {
                if start.elapsed() >= limit {
                    break;
                }
                let t = Instant::now();
                match send(&client, &base, p).await {
                    Ok((status, _)) if (200..300).contains(&status) => {}
                    _ => failed += 1,
                }
                latencies.push(t.elapsed().as_micros() as u64);
            }
            (latencies, failed)
        }));
    }
    let mut out = Run {
        requests: 0,
        failed: 0,
        elapsed: Duration::ZERO,
        latencies_us: vec![],
    };
    for t in tasks {
        let (l, f) = t.await?;
        out.requests += l.len();
        out.failed += f;
        out.latencies_us.extend(l);
    }
    out.elapsed = start.elapsed();
    Ok(out)
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

/// Several runs of one cell: the median requests per second, latency percentiles over all runs.
struct Cell {
    rps: f64,
    p50: f64,
    p99: f64,
    failed: usize,
}

struct Settings {
    levels: Vec<usize>,
    runs: usize,
    limit: Duration,
    /// Requests prepared per connection and run (more than it can send within `limit`).
    per_connection: usize,
}

async fn measure(
    bases: &[String],
    op: Op,
    conc: usize,
    pairs: &mut [Pair],
    s: &Settings,
) -> Result<Cell> {
    let mut runs = Vec::new();
    for _ in 0..s.runs {
        // One pair per connection, so that pushes keep each device's sequence in order.
        let work = pairs[..conc]
            .iter_mut()
            .map(|pair| {
                (0..s.per_connection / conc.max(1))
                    .map(|_| op.request(pair))
                    .collect()
            })
            .collect();
        let r = run(bases, work, s.limit).await?;
        runs.push(r);
    }
    let mut rps: Vec<f64> = runs.iter().map(Run::rps).collect();
    rps.sort_by(f64::total_cmp);
    let mut all: Vec<u64> = runs.iter().flat_map(|r| r.latencies_us.clone()).collect();
    all.sort_unstable();
    Ok(Cell {
        rps: rps[rps.len() / 2],
        p50: percentile(&all, 0.50),
        p99: percentile(&all, 0.99),
        failed: runs.iter().map(|r| r.failed).sum(),
    })
}

/// A child process that prints `listening on ADDR` on stdout once it accepts connections; killed
/// (by PID) when dropped.
struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(args: &[&str]) -> Result<Server> {
        let mut child = Command::new(std::env::current_exe()?)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let mut lines = BufReader::new(child.stdout.take().context("child stdout")?).lines();
        let addr = loop {
            let line = lines
                .next()
                .context("the server exited before listening")??;
            if let Some(a) = line.strip_prefix("listening on ") {
                break a.to_owned();
            }
        };
        Ok(Server { child, addr })
    }

    fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Resident and peak resident memory in KiB, from /proc.
    fn memory_kib(&self) -> (u64, u64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        };
        (field("VmRSS:"), field("VmHWM:"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `relay-load serve-relay DB`: the relay, as `folgesvenn-relay serve` runs it (it prints
/// `listening on ADDR` itself).
fn serve_relay(db: &str) -> Result<()> {
    let args = [
        "folgesvenn-relay",
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--db",
        db,
        "--rate",
        "1000000",
        "--burst",
        "1000000",
        // Every load device registers from loopback.
        "--registrations-per-hour",
        "100000000",
        "--registrations-burst",
        "1000000",
    ];
    folgesvenn_relay::cli::main_with(args.map(std::ffi::OsString::from))
}

/// `relay-load serve-bare`: axum answering `ok` to every POST, on the same runtime settings as the
/// relay (multi-threaded, one worker per core).
fn serve_bare() -> Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(async {
            let app = axum::Router::new().route(
                "/{*path}",
                axum::routing::post(|_body: axum::body::Bytes| async { "ok" }),
            );
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            println!("listening on {}", listener.local_addr()?);
            axum::serve(listener, app).await?;
            Ok(())
        })
}

async fn bench(quick: bool) -> Result<()> {
    let s = if quick {
        Settings {
            levels: vec![1, 4],
            runs: 1,
            limit: Duration::from_millis(300),
            per_connection: 200,
        }
    } else {
        Settings {
            levels: vec![1, 4, 16, 64],
            runs: 3,
            limit: Duration::from_secs(2),
            per_connection: 30_000,
        }
    };
    let tmp = tempfile::tempdir()?;
    let db = tmp.path().join("relay.db");
    let relay = Server::start(&["serve-relay", db.to_str().context("temp path")?])?;
    let bare = Server::start(&["serve-bare"])?;
    let setup = reqwest::Client::new();
    let mut pairs = Vec::new();
    for _ in 0..*s.levels.iter().max().unwrap_or(&1) {
        pairs.push(pair(&setup, &relay.base()).await?);
    }
    // The bare handler gets requests of the same kinds and sizes, from the same devices (it
    // ignores them; its sequence numbers start far off so the relay's never collide).
    let mut bare_pairs: Vec<Pair> = Vec::new();
    for p in &pairs {
        bare_pairs.push(Pair {
            employer: Device {
                id: p.employer.id,
                key: DeviceKey::from_bytes(&p.employer.key.to_bytes()[..])?,
            },
            doc: p.doc,
            doc_key: DocKey::from_bytes(p.doc_key.as_bytes())?,
            employer_seq: 1_000_000,
            cursor: p.cursor,
        });
    }

    // The relay on PostgreSQL: one process, then two on the same database.
    let postgres = std::env::var("FOLGESVENN_BENCH_POSTGRES").ok();
    let (pg, mut pg_pairs) = match &postgres {
        Some(url) => {
            let servers = [
                Server::start(&["serve-relay", url])?,
                Server::start(&["serve-relay", url])?,
            ];
            let mut pg_pairs = Vec::new();
            for _ in 0..*s.levels.iter().max().unwrap_or(&1) {
                pg_pairs.push(pair(&setup, &servers[0].base()).await?);
            }
            (Some(servers), pg_pairs)
        }
        None => (None, Vec::new()),
    };

    println!(
        "| request | connections | SQLite: requests/s | SQLite: p50 / p99 ms | PostgreSQL: requests/s | PostgreSQL: p50 / p99 ms | PostgreSQL, 2 relays: requests/s | bare axum: requests/s | bare axum: p50 / p99 ms | SQLite ÷ bare |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut failed = 0;
    let mut profile = match perf::dir() {
        Some(dir) => Some(perf::Perf::attach(relay.child.id(), &dir, "relay-load")?),
        None => None,
    };
    for op in [Op::PullNothing, Op::PullDay, Op::Push] {
        if op == Op::PullDay
            && let Some(p) = profile.take()
        {
            p.stop()?; // the profile covers the pulls with nothing new: the relay's own overhead
        }
        // And one of the pushes, where the goal is missed furthest.
        if op == Op::Push
            && let Some(dir) = perf::dir()
        {
            profile = Some(perf::Perf::attach(
                relay.child.id(),
                &dir,
                "relay-load-push",
            )?);
        }
        for &c in &s.levels {
            let r = measure(&[relay.base()], op, c, &mut pairs, &s).await?;
            let (one, two) = match &pg {
                Some([a, b]) => {
                    let one = measure(&[a.base()], op, c, &mut pg_pairs, &s).await?;
                    let two = measure(&[a.base(), b.base()], op, c, &mut pg_pairs, &s).await?;
                    failed += one.failed + two.failed;
                    (
                        (
                            format!("{:.0}", one.rps),
                            format!("{:.2} / {:.2}", one.p50, one.p99),
                        ),
                        format!("{:.0}", two.rps),
                    )
                }
                None => (("—".into(), "—".into()), "—".into()),
            };
            let b = measure(&[bare.base()], op, c, &mut bare_pairs, &s).await?;
            failed += r.failed + b.failed;
            println!(
                "| {} | {c} | {:.0} | {:.2} / {:.2} | {} | {} | {} | {:.0} | {:.2} / {:.2} | {:.2} |",
                op.label(),
                r.rps,
                r.p50,
                r.p99,
                one.0,
                one.1,
                two,
                b.rps,
                b.p50,
                b.p99,
                r.rps / b.rps
            );
        }
    }
    if let Some(p) = profile {
        p.stop()?;
    }
    let (rss, hwm) = relay.memory_kib();
    let db_size: u64 = ["relay.db", "relay.db-wal"]
        .iter()
        .filter_map(|f| std::fs::metadata(tmp.path().join(f)).ok())
        .map(|m| m.len())
        .sum();
    println!();
    println!(
        "Relay memory after the run: {:.1} MiB resident, {:.1} MiB at its peak; its database \
         then held {} pairs' documents in {:.1} MiB. Failed requests: {failed}.",
        rss as f64 / 1024.0,
        hwm as f64 / 1024.0,
        pairs.len(),
        db_size as f64 / (1024.0 * 1024.0)
    );
    if failed > 0 {
        bail!("{failed} requests failed");
    }
    idle_waits(&relay, &mut pairs, if quick { 50 } else { 1000 }).await
}

/// The memory `n` idle live connections cost the relay: devices waiting at `/v2/wait` with
/// nothing new coming, held open while the relay's resident memory is read.
async fn idle_waits(relay: &Server, pairs: &mut [Pair], n: usize) -> Result<()> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()?;
    // Each pair's cursor brought up to the end of its document, so nothing is new to it.
    for pair in pairs.iter_mut() {
        loop {
            let p = pair.employer.request(
                "/v2/sync",
                encode(&SyncRequest {
                    docs: vec![DocSync {
                        doc_id: pair.doc,
                        since: pair.cursor,
                        records: vec![],
                    }],
                }),
            );
            let answer: SyncResponse = decode(&expect_ok(&client, &relay.base(), p).await?)?;
            pair.cursor = answer.docs[0].cursor;
            if !answer.docs[0].more {
                break;
            }
        }
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (before, _) = relay.memory_kib();
    let mut waits = Vec::with_capacity(n);
    for i in 0..n {
        let pair = &pairs[i % pairs.len()];
        let p = pair.employer.request(
            "/v2/wait",
            encode(&WaitRequest {
                docs: vec![DocCursor {
                    doc_id: pair.doc,
                    since: pair.cursor,
                }],
            }),
        );
        let (client, base) = (client.clone(), relay.base());
        waits.push(tokio::spawn(async move { send(&client, &base, p).await }));
    }
    // Long enough for every request to reach the relay and settle into its wait.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let early = waits.iter().filter(|w| w.is_finished()).count();
    let (after, _) = relay.memory_kib();
    for w in &waits {
        w.abort();
    }
    println!();
    println!(
        "Idle live connections: {n} devices waiting at `/v2/wait` at once ({early} answered early) \
         took the relay from {:.1} to {:.1} MiB resident, {:.1} KiB each.",
        before as f64 / 1024.0,
        after as f64 / 1024.0,
        after.saturating_sub(before) as f64 / n as f64
    );
    if early > 0 {
        bail!("{early} waits were answered with nothing new to tell");
    }
    Ok(())
}

fn main() -> Result<()> {
    folgesvenn_sync::transport::install_tls_provider();
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["serve-relay", db] => serve_relay(db),
        ["serve-bare"] => serve_bare(),
        [] => runtime()?.block_on(bench(false)),
        ["--quick"] => runtime()?.block_on(bench(true)),
        _ => bail!("usage: relay-load [--quick]"),
    }
}

/// The load generator's own runtime: one thread, so that it takes no more than one core.
fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}
