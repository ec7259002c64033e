//! Convergence: two devices that each wrote N/2 notes with no connection come online at the same
//! moment; how long until both hold identical heads, and how much memory each process needed.
//!
//! Ours: two `folgesvenn-device bench-peer` processes (an adviser and a paired employer, each with
//! its encrypted store) and the `folgesvenn-relay` process on its SQLite file. Theirs: two Node.js
//! processes with `@automerge/automerge-repo`, its WebSocket client adapter and the Node file-system
//! storage adapter, and its WebSocket server adapter in a third process
//! (`tests/bench/automerge-repo/`). Both sides write the same kind of change (one note of
//! 100–250 characters of Norwegian text per change), both keep their documents on disk, all on
//! loopback. The clock starts when both peers are told `go` and stops when the last of them
//! reports the heads the other one has. Peak memory is each process's VmHWM.
//!
//! A second table catches a new device up on an adviser's placements (`catch_up.rs`).
//!
//! `converge-bench --device PATH --relay PATH [--node-dir DIR] [--quick]` prints both Markdown
//! tables. `--quick` (CI) runs N = 20 once and a catch-up of three thin placements, and checks
//! the harnesses work; no figure is judged. `--only N` runs one size once and no catch-up (for
//! `cargo xtask profile`, which sets FOLGESVENN_PERF_DIR). `--catch-up P` runs only the catch-up,
//! of P placements.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use perf::Perf;

#[path = "perf.rs"]
mod perf;

#[path = "catch_up.rs"]
mod catch_up;

#[path = "workload.rs"]
#[allow(dead_code)] // the three-year placement is the store bench's
mod workload;

const PASSPHRASE: &str = "benk-passord-123";
/// Longest wait for anything a peer should report.
const PATIENCE: Duration = Duration::from_secs(600);

/// A child process whose stdout lines arrive on a channel, tagged with `tag` and the time read.
struct Proc {
    child: Child,
    stdin: Option<ChildStdin>,
}

type Line = (usize, String, Instant);

impl Proc {
    fn start(mut cmd: Command, tag: usize, lines: Sender<Line>) -> Result<Proc> {
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("could not start {cmd:?}"))?;
        let out = child.stdout.take().context("stdout")?;
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if lines.send((tag, line, Instant::now())).is_err() {
                    break;
                }
            }
        });
        let stdin = child.stdin.take();
        Ok(Proc { child, stdin })
    }

    fn say(&mut self, line: &str) -> Result<()> {
        let stdin = self.stdin.as_mut().context("stdin closed")?;
        writeln!(stdin, "{line}")?;
        stdin.flush()?;
        Ok(())
    }

    /// Peak resident memory so far, in KiB.
    fn peak_kib(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default()
            .lines()
            .find(|l| l.starts_with("VmHWM:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }

    /// Closes stdin (a peer's signal to stop) and waits a moment, then kills by PID.
    fn stop(mut self) {
        self.stdin = None;
        for _ in 0..100 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Waits for a line starting with `prefix` from each of `tags`; returns the rest of each.
fn expect(rx: &Receiver<Line>, tags: &[usize], prefix: &str) -> Result<Vec<String>> {
    let mut got: Vec<Option<String>> = vec![None; tags.len()];
    while got.iter().any(Option::is_none) {
        let (t, line, _) = rx
            .recv_timeout(PATIENCE)
            .with_context(|| format!("no `{prefix}` from processes {tags:?}"))?;
        if let (Some(i), Some(rest)) =
            (tags.iter().position(|&x| x == t), line.strip_prefix(prefix))
        {
            got[i] = Some(rest.trim().to_owned());
        }
    }
    Ok(got.into_iter().flatten().collect())
}

/// One convergence: the time from `go` to identical heads, and each process's peak memory.
struct Outcome {
    elapsed: Duration,
    peaks_kib: [u64; 3],
}

/// Tells both peers (tags 0 and 1) `go` and waits until their newest reported heads agree. With
/// `profile` (a directory, and N for the profiles' names), the first peer and the server run
/// under `perf record` meanwhile.
fn converge(
    rx: &Receiver<Line>,
    peers: &mut [Proc; 2],
    server: &Proc,
    profile: Option<(&Path, usize)>,
) -> Result<Outcome> {
    let perf = match profile {
        Some((dir, n)) => vec![
            Perf::attach(peers[0].child.id(), dir, &format!("converge-peer-{n}"))?,
            Perf::attach(server.child.id(), dir, &format!("converge-relay-{n}"))?,
        ],
        None => vec![],
    };
    let outcome = converge_timed(rx, peers, server);
    for p in perf {
        p.stop()?;
    }
    outcome
}

fn converge_timed(rx: &Receiver<Line>, peers: &mut [Proc; 2], server: &Proc) -> Result<Outcome> {
    while rx.try_recv().is_ok() {}
    let start = Instant::now();
    for p in peers.iter_mut() {
        p.say("go")?;
    }
    let mut heads = [String::new(), String::new()];
    loop {
        let (tag, line, at) = rx
            .recv_timeout(PATIENCE)
            .context("the peers did not converge")?;
        let Some(h) = line.strip_prefix("heads ") else {
            continue;
        };
        heads[tag] = h.to_owned();
        if !heads[0].is_empty() && heads[0] == heads[1] {
            return Ok(Outcome {
                elapsed: at - start,
                peaks_kib: [peers[0].peak_kib(), peers[1].peak_kib(), server.peak_kib()],
            });
        }
    }
}

fn run_ok(cmd: &mut Command) -> Result<String> {
    let out = cmd.output().with_context(|| format!("{cmd:?}"))?;
    if !out.status.success() {
        bail!("{cmd:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8(out.stdout)?.trim().to_owned())
}

struct Tools {
    device: PathBuf,
    relay: PathBuf,
    node_dir: Option<PathBuf>,
}

impl Tools {
    /// The relay process on its SQLite file in `dir` (tag 2), and its URL. The per-device limit
    /// (20 requests/s) is for people; the benchmarks' devices poll every 10 ms.
    fn start_relay(
        &self,
        dir: &Path,
        tx: &Sender<Line>,
        rx: &Receiver<Line>,
    ) -> Result<(Proc, String)> {
        let mut cmd = Command::new(&self.relay);
        cmd.args(["serve", "--listen", "127.0.0.1:0", "--rate", "100000"])
            .args(["--burst", "100000", "--db"])
            .arg(dir.join("relay.db"))
            .env("RUST_LOG", "warn");
        let relay = Proc::start(cmd, 2, tx.clone())?;
        let addr = expect(rx, &[2], "listening on ")?.remove(0);
        Ok((relay, format!("http://{addr}")))
    }

    /// `folgesvenn-device SUBCOMMAND --dir DIR ARGS…`
    fn dev(&self, sub: &str, dir: &Path, args: &[&str]) -> Result<String> {
        let mut c = Command::new(&self.device);
        c.env("FOLGESVENN_PASSPHRASE", PASSPHRASE)
            .arg(sub)
            .arg("--dir")
            .arg(dir)
            .args(args);
        run_ok(&mut c)
    }
}

/// Ours: relay process, an adviser and a paired employer, each writing `n / 2` notes offline.
fn ours(tools: &Tools, n: usize) -> Result<Outcome> {
    let tmp = tempfile::tempdir()?;
    let (tx, rx) = channel();
    let (relay, url) = tools.start_relay(tmp.path(), &tx, &rx)?;
    let (a, e) = (tmp.path().join("adviser"), tmp.path().join("employer"));
    let init = |dir: &Path, role: &str, name: &str| {
        tools.dev(
            "init",
            dir,
            &["--role", role, "--name", name, "--unlock", "passphrase"],
        )
    };
    init(&a, "adviser", "Kari Veileder")?;
    let p = tools.dev(
        "create-placement",
        &a,
        &[
            "--candidate",
            "Ola Nordmann",
            "--employer",
            "Bakeriet AS",
            "--org-number",
            "889640782",
            "--start",
            "2026-09-01",
        ],
    )?;
    tools.dev("share", &a, &["--placement", &p, "--relay", &url])?;
    tools.dev(
        "give-consent",
        &a,
        &[
            "--placement",
            &p,
            "--scopes",
            "follow_up",
            "--text-version",
            "2026-1",
        ],
    )?;
    let codes = tools.dev("invite", &a, &["--placement", &p])?;
    let (full, short) = codes
        .split_once('\n')
        .context("invite prints the full code and the short code")?;
    init(&e, "employer", "Per Arbeidsgiver")?;
    tools.dev("join", &e, &[full, "--short-code", short, "--relay", &url])?;
    tools.dev("sync", &e, &[])?;
    tools.dev("sync", &a, &[])?;

    let count = (n / 2).to_string();
    let peer = |dir: &Path| {
        let mut c = Command::new(&tools.device);
        c.env("FOLGESVENN_PASSPHRASE", PASSPHRASE)
            .args(["bench-peer", "--placement", &p, "--count", &count, "--dir"])
            .arg(dir);
        c
    };
    let mut peers = [
        Proc::start(peer(&a), 0, tx.clone())?,
        Proc::start(peer(&e), 1, tx)?,
    ];
    expect(&rx, &[0, 1], "written")?;
    let profile = perf::dir();
    let outcome = converge(&rx, &mut peers, &relay, profile.as_deref().map(|d| (d, n)))?;
    let [x, y] = peers;
    x.stop();
    y.stop();
    relay.stop();
    // Both stores hold every note exactly once.
    for dir in [&a, &e] {
        let shown: serde_json::Value =
            serde_json::from_str(&tools.dev("show", dir, &["--placement", &p])?)?;
        let notes = count_notes(&shown);
        if notes != n {
            bail!(
                "{} holds {notes} notes after converging, not {n}",
                dir.display()
            );
        }
    }
    Ok(outcome)
}

fn count_notes(placement: &serde_json::Value) -> usize {
    match &placement["shared"]["notes"] {
        serde_json::Value::Array(a) => a.len(),
        serde_json::Value::Object(o) => o.len(),
        _ => 0,
    }
}

/// Theirs: the automerge-repo sync server and two automerge-repo peers, `n / 2` changes each.
fn automerge_repo(node_dir: &Path, n: usize) -> Result<Outcome> {
    let tmp = tempfile::tempdir()?;
    let (tx, rx) = channel();
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port()
        .to_string();
    let ws = format!("ws://127.0.0.1:{port}");
    let node = |script: &str| {
        let mut c = Command::new("node");
        c.current_dir(node_dir).arg(script);
        c
    };
    let mut server = node("server.mjs");
    server
        .args(["--port", &port, "--dir"])
        .arg(tmp.path().join("server"));
    let server = Proc::start(server, 2, tx.clone())?;
    expect(&rx, &[2], "listening")?;
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let url = run_ok(
        node("peer.mjs")
            .args(["create", "--server", &ws, "--dir"])
            .arg(&a),
    )?;
    let url = url
        .lines()
        .find_map(|l| l.strip_prefix("url "))
        .context("peer.mjs create printed no url")?
        .to_owned();
    run_ok(
        node("peer.mjs")
            .args(["fetch", "--server", &ws, "--url", &url, "--dir"])
            .arg(&b),
    )?;
    let count = (n / 2).to_string();
    let peer = |dir: &Path, author: &str| {
        let mut c = node("peer.mjs");
        c.args(["run", "--server", &ws, "--url", &url, "--changes", &count])
            .args(["--author", author, "--dir"])
            .arg(dir);
        c
    };
    let mut peers = [
        Proc::start(peer(&a, "Kari Veileder"), 0, tx.clone())?,
        Proc::start(peer(&b, "Per Arbeidsgiver"), 1, tx)?,
    ];
    expect(&rx, &[0, 1], "written")?;
    let outcome = converge(&rx, &mut peers, &server, None)?;
    let [x, y] = peers;
    x.stop();
    y.stop();
    drop(server);
    Ok(outcome)
}

fn median(mut v: Vec<Outcome>) -> Outcome {
    v.sort_by_key(|o| o.elapsed);
    v.swap_remove(v.len() / 2)
}

fn mib(kib: u64) -> String {
    format!("{:.0}", kib as f64 / 1024.0)
}

fn secs(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{:.0} ms", d.as_secs_f64() * 1000.0)
    } else {
        format!("{:.2} s", d.as_secs_f64())
    }
}

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let (mut device, mut relay, mut node_dir, mut quick, mut only, mut catch_up_only) =
        (None, None, None, false, None::<usize>, None::<usize>);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--device" => device = args.next().map(PathBuf::from),
            "--relay" => relay = args.next().map(PathBuf::from),
            "--node-dir" => node_dir = args.next().map(PathBuf::from),
            "--quick" => quick = true,
            "--only" => only = args.next().and_then(|n| n.parse().ok()),
            "--catch-up" => catch_up_only = args.next().and_then(|n| n.parse().ok()),
            _ => bail!(
                "usage: converge-bench --device PATH --relay PATH [--node-dir DIR] [--quick | --only N | --catch-up P]"
            ),
        }
    }
    let tools = Tools {
        device: device.context("--device PATH")?,
        relay: relay.context("--relay PATH")?,
        node_dir,
    };
    // Placements of a year each, and how much thinner than a year their history is.
    let catch_up = match (quick, only, catch_up_only) {
        (true, _, _) => Some((3, 25)),
        (false, Some(_), _) => None,
        (false, None, Some(p)) => Some((p, 1)),
        (false, None, None) => Some((500, 1)),
    };
    let plan: Vec<(usize, usize)> = match (quick, only, catch_up_only) {
        (true, _, _) => vec![(20, 1)],
        (false, Some(n), _) => vec![(n, 1)],
        (false, None, Some(_)) => vec![],
        (false, None, None) => vec![(100, 5), (1_000, 5), (10_000, 1)],
    };
    if !plan.is_empty() {
        println!(
            "| N changes (N/2 per peer) | ours: time to identical heads | ours: peak memory, peer / peer / relay (MiB) | automerge-repo: time to identical heads | automerge-repo: peak memory, peer / peer / server (MiB) | automerge-repo ÷ ours (time) |"
        );
        println!("|---:|---:|---:|---:|---:|---:|");
    }
    let converged = !plan.is_empty();
    for (n, runs) in plan {
        // Ours and theirs take turns, so a spell of a slower machine falls on both sides alike
        // (run after run, a shared machine drifts by more than the goal's margin).
        let (mut o, mut t) = (Vec::new(), Vec::new());
        for _ in 0..runs {
            o.push(ours(&tools, n)?);
            if let Some(dir) = &tools.node_dir {
                t.push(automerge_repo(dir, n)?);
            }
        }
        let o = median(o);
        let theirs = (!t.is_empty()).then(|| median(t));
        let runs_note = if runs > 1 {
            format!(" (median of {runs})")
        } else {
            " (one run)".into()
        };
        let (t_time, t_mem, ratio) = match &theirs {
            Some(t) => (
                format!("{}{runs_note}", secs(t.elapsed)),
                t.peaks_kib.map(mib).join(" / "),
                format!("{:.1}×", t.elapsed.as_secs_f64() / o.elapsed.as_secs_f64()),
            ),
            None => ("not run".into(), "—".into(), "—".into()),
        };
        println!(
            "| {n} | {}{runs_note} | {} | {t_time} | {t_mem} | {ratio} |",
            secs(o.elapsed),
            o.peaks_kib.map(mib).join(" / "),
        );
    }
    if let Some((placements, thinner)) = catch_up {
        if converged {
            println!();
        }
        print!("{}", catch_up::table(&tools, placements, thinner)?);
    }
    Ok(())
}
