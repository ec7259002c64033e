//! Catching up a new device: an adviser's second laptop takes every placement she follows, each
//! with a year of history, from the relay. Ours: the adviser's store is built in this process
//! (through the store's API, on tmpfs when there is one, which only shortens the set-up), shared
//! through the `folgesvenn-relay` process, and she makes one code for her new device (a device
//! pairing: an invitation to every document she follows behind one short code). The new device
//! is a `folgesvenn-device bench-join` process that joins with that code, as the app's «Koble
//! til et oppfølgingsløp» does, and opens the last placement's overview. Theirs:
//! the same automerge documents imported into automerge-repo's sync server, and a new
//! automerge-repo client that finds them all and writes them to its own disk
//! (`automerge-repo/catchup.mjs`).
//!
//! The clock starts at `go`, once each new device has started and opened its storage, and stops
//! when it reports it is done. Peak memory is the new device's VmHWM over the catch-up alone:
//! the harness resets it (`/proc/PID/clear_refs`) before `go`, so the passphrase's key
//! derivation before it does not count.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc::channel;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use folgesvenn_domain::{Day, Role};
use folgesvenn_store::{DbKey, DocKind, Store, Unlock};
use folgesvenn_sync::{SyncClient, make_device_pairing, share, sync_once};
use rand::SeedableRng;
use rand::rngs::StdRng;

use super::workload;
use super::{Proc, Tools, count_notes, expect, mib, run_ok, secs};

/// One new device's catch-up: time from `go` to done, and peak memory of the new device and of
/// the server meanwhile.
struct CatchUp {
    elapsed: Duration,
    device_kib: u64,
    server_kib: u64,
}

/// What both sides catch up on: the adviser's documents as automerge files.
struct Workload {
    placements: usize,
    changes: usize,
    bytes: u64,
    files: PathBuf,
}

/// Tells the new device (tag 0) `go` once its peak memory is reset, and waits for the line
/// starting with `done`. With `profile` (a directory), the new device runs under `perf record`.
fn timed(
    rx: &std::sync::mpsc::Receiver<super::Line>,
    device: &mut Proc,
    server: &Proc,
    done: &str,
    profile: Option<&Path>,
) -> Result<(CatchUp, String)> {
    let perf = match profile {
        Some(dir) => Some(super::perf::Perf::attach(
            device.child.id(),
            dir,
            "catch-up-device",
        )?),
        None => None,
    };
    while rx.try_recv().is_ok() {}
    for pid in [device.child.id(), server.child.id()] {
        // «5» resets the process's peak resident set size to its present one (proc(5)).
        std::fs::write(format!("/proc/{pid}/clear_refs"), "5")
            .with_context(|| format!("resetting the peak memory of process {pid}"))?;
    }
    let start = Instant::now();
    device.say("go")?;
    let rest = loop {
        match rx.recv_timeout(Duration::from_secs(1)) {
            Ok((0, line, _)) => {
                if let Some(rest) = line.strip_prefix(done) {
                    break rest.trim().to_owned();
                }
            }
            Ok(_) => {}
            Err(_) if start.elapsed() > super::PATIENCE => bail!("no `{done}` in time"),
            Err(_) => {
                if let Some(status) = device.child.try_wait()? {
                    bail!("the new device stopped ({status}) before `{done}`");
                }
            }
        }
    };
    let elapsed = start.elapsed();
    if let Some(p) = perf {
        p.stop()?;
    }
    Ok((
        CatchUp {
            elapsed,
            device_kib: device.peak_kib(),
            server_kib: server.peak_kib(),
        },
        rest,
    ))
}

/// Ours, from building the adviser's store to checking the new device's copy of the last
/// placement against hers.
fn ours(tools: &Tools, tmp: &Path, placements: usize, thinner: i64) -> Result<(Workload, CatchUp)> {
    let (tx, rx) = channel();
    let (relay, url) = tools.start_relay(tmp, &tx, &rx)?;

    let shm = Path::new("/dev/shm");
    let scratch = if shm.is_dir() {
        tempfile::tempdir_in(shm)?
    } else {
        tempfile::tempdir_in(tmp)?
    };
    let mut adviser = Store::create(
        &scratch.path().join("adviser"),
        Role::Adviser,
        "Kari Veileder",
        Unlock::Key(DbKey::generate()),
    )?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let client = SyncClient::new();
    let mut rng = StdRng::seed_from_u64(2025);
    let start = Day::parse(folgesvenn_domain::Field::StartDate, "2025-11-03")?;
    let built = Instant::now();
    let mut ids = Vec::new();
    for _ in 0..placements {
        let p = workload::history(&mut adviser, &mut rng, start, 1, thinner);
        for kind in [DocKind::Shared, DocKind::Private] {
            let doc = adviser.document_id(p, kind)?;
            share(&mut adviser, doc, &url)?;
        }
        ids.push(p);
    }
    // Everything to the relay: each sync sends what fits one request.
    for _ in 0..1000 {
        let r = rt.block_on(sync_once(&mut adviser, &client))?;
        if r.pushed == 0 && r.received == 0 {
            break;
        }
    }
    let mut files = String::new();
    let (mut changes, mut bytes) = (0, 0);
    std::fs::create_dir_all(tmp.join("docs"))?;
    for p in &ids {
        for kind in [DocKind::Shared, DocKind::Private] {
            let doc = adviser.document_id(*p, kind)?;
            let saved = adviser.document_bytes(doc)?;
            changes += folgesvenn_domain::automerge::Automerge::load(&saved)?
                .get_changes(&[])
                .len();
            bytes += saved.len() as u64;
            let file = tmp.join("docs").join(format!("{doc}.automerge"));
            std::fs::write(&file, saved)?;
            files.push_str(file.to_str().context("a path that is not UTF-8")?);
            files.push('\n');
        }
    }
    // One code for every document; the invitations go to the relay with the next sync.
    let pairing = make_device_pairing(&mut adviser, &url, Duration::from_secs(24 * 3600))?;
    ensure!(
        pairing.documents == 2 * placements,
        "the pairing carries {} documents",
        pairing.documents
    );
    rt.block_on(sync_once(&mut adviser, &client))?;
    ensure!(
        adviser.pending_invitations()?.is_empty(),
        "the relay did not take every invitation"
    );
    std::fs::write(tmp.join("codes"), format!("{}\n", pairing.short_code))?;
    std::fs::write(tmp.join("docs.list"), files)?;
    eprintln!(
        "catch-up: {placements} placements with {changes} changes built and sent in {:.0} s",
        built.elapsed().as_secs_f64()
    );

    let new = tmp.join("new-device");
    tools.dev(
        "init",
        &new,
        &[
            "--role",
            "adviser",
            "--name",
            "Kari Veileder",
            "--unlock",
            "passphrase",
        ],
    )?;
    let mut join = Command::new(&tools.device);
    join.env("FOLGESVENN_PASSPHRASE", super::PASSPHRASE)
        .args(["bench-join", "--relay", &url, "--codes"])
        .arg(tmp.join("codes"))
        .arg("--dir")
        .arg(&new);
    let mut device = Proc::start(join, 0, tx)?;
    expect(&rx, &[0], "ready")?;
    let (outcome, joined) = timed(
        &rx,
        &mut device,
        &relay,
        "joined ",
        super::perf::dir().as_deref(),
    )?;
    ensure!(
        joined == format!("{} {placements}", 2 * placements),
        "the new device joined {joined} (documents, placements), not {} {placements}",
        2 * placements
    );
    device.stop();
    relay.stop();
    // The new device's copy of the last placement is hers, record for record.
    let last = ids.last().context("no placements")?.to_string();
    let theirs: serde_json::Value =
        serde_json::from_str(&tools.dev("show", &new, &["--placement", &last])?)?;
    let hers = serde_json::to_value(adviser.placement(*ids.last().unwrap())?)?;
    ensure!(count_notes(&hers) > 0, "the last placement has no notes");
    if theirs != hers {
        bail!("the new device's copy of placement {last} differs from the adviser's");
    }
    eprintln!(
        "catch-up: ours {} ms, peak {} KiB (new device) and {} KiB (relay)",
        outcome.elapsed.as_millis(),
        outcome.device_kib,
        outcome.server_kib
    );
    Ok((
        Workload {
            placements,
            changes,
            bytes,
            files: tmp.join("docs.list"),
        },
        outcome,
    ))
}

/// Theirs: the same documents in automerge-repo's sync server, and a new client fetching them.
fn automerge_repo(node_dir: &Path, tmp: &Path, work: &Workload) -> Result<CatchUp> {
    let node = |script: &str| {
        let mut c = Command::new("node");
        c.current_dir(node_dir).arg(script);
        c
    };
    let (server_dir, urls) = (tmp.join("am-server"), tmp.join("am-urls"));
    let seeded = run_ok(
        node("catchup.mjs")
            .arg("seed")
            .arg("--dir")
            .arg(&server_dir)
            .arg("--docs")
            .arg(&work.files)
            .arg("--urls")
            .arg(&urls),
    )?;
    ensure!(seeded == "ok", "catchup.mjs seed printed {seeded:?}");
    let (tx, rx) = channel();
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port()
        .to_string();
    let mut server = node("server.mjs");
    server.args(["--port", &port, "--dir"]).arg(&server_dir);
    let server = Proc::start(server, 2, tx.clone())?;
    expect(&rx, &[2], "listening")?;
    let mut fetch = node("catchup.mjs");
    fetch
        .args([
            "fetch",
            "--server",
            &format!("ws://127.0.0.1:{port}"),
            "--urls",
        ])
        .arg(&urls)
        .arg("--dir")
        .arg(tmp.join("am-client"));
    let mut client = Proc::start(fetch, 0, tx)?;
    expect(&rx, &[0], "ready")?;
    let (outcome, done) = timed(&rx, &mut client, &server, "done ", None)?;
    let documents = 2 * work.placements;
    ensure!(
        done == documents.to_string(),
        "automerge-repo fetched {done} documents, not {documents}"
    );
    client.stop();
    drop(server);
    Ok(outcome)
}

/// The table: one run of each side (the set-up of 500 placements takes minutes).
pub(super) fn table(tools: &Tools, placements: usize, thinner: i64) -> Result<String> {
    let tmp = tempfile::tempdir()?;
    let (work, o) = ours(tools, tmp.path(), placements, thinner)?;
    let theirs = match &tools.node_dir {
        Some(dir) => Some(automerge_repo(dir, tmp.path(), &work)?),
        None => None,
    };
    let mut out = String::from(
        "| a new device of the adviser's takes | ours: time to the last placement open (one run) | ours: peak memory, new device / relay (MiB) | automerge-repo: time to every document stored (one run) | automerge-repo: peak memory, new client / server (MiB) | automerge-repo ÷ ours: time / memory |\n|---|---:|---:|---:|---:|---:|\n",
    );
    let (t_time, t_mem, ratio) = match &theirs {
        Some(t) => (
            secs(t.elapsed),
            format!("{} / {}", mib(t.device_kib), mib(t.server_kib)),
            format!(
                "{:.1}× / {:.1}×",
                t.elapsed.as_secs_f64() / o.elapsed.as_secs_f64(),
                t.device_kib as f64 / o.device_kib.max(1) as f64
            ),
        ),
        None => ("not run".into(), "—".into(), "—".into()),
    };
    out.push_str(&format!(
        "| {} placements ({} documents, {} changes, {:.1} MB saved) | {} | {} / {} | {t_time} | {t_mem} | {ratio} |\n",
        work.placements,
        2 * work.placements,
        work.changes,
        work.bytes as f64 / 1e6,
        secs(o.elapsed),
        mib(o.device_kib),
        mib(o.server_kib),
    ));
    Ok(out)
}
