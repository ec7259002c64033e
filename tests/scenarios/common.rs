//! Helpers shared by the scenarios.

use std::path::{Path, PathBuf};

use folgesvenn_domain::*;
use folgesvenn_store::{DbKey, Store, Unlock};

/// An HTTP client for talking to a relay directly. reqwest has no crypto provider of its own in
/// this workspace, so the sync engine's is installed first.
pub fn http() -> reqwest::Client {
    folgesvenn_sync::transport::install_tls_provider();
    reqwest::Client::new()
}

pub fn helper_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_scenario-helper"))
}

pub fn day(s: &str) -> Day {
    Day::parse(folgesvenn_domain::Field::Date, s).unwrap()
}

pub fn fixed_clock(store: &mut Store, at: &str) {
    let m = Moment::parse(folgesvenn_domain::Field::At, at).unwrap();
    store.set_clock(move || (m, m.day()));
}

/// A day the employer logs: present, six hours, `tasks` done (a marker the test looks for).
pub fn day_logged(date: &str, tasks: &str) -> NewObservation {
    NewObservation {
        date: day(date),
        attendance: Attendance::Present,
        hours: 6.0,
        tasks_done: tasks.into(),
        went_well: String::new(),
        problem: String::new(),
        wants_contact: false,
        contact_message: String::new(),
    }
}

pub fn placement_input(name: &str) -> NewPlacement {
    NewPlacement {
        candidate_name: name.into(),
        employer: Employer {
            org_number: "889640782".into(),
            name: "Nordlandsbuss AS".into(),
            workplace_address: "Sjøgata 1, 8006 Bodø".into(),
        },
        adviser_name: "Kari Veileder".into(),
        measure: MeasureType::WorkTraining,
        start_date: day("2026-10-01"),
        end_date: Some(day("2027-03-31")),
        hours_per_week: 20.0,
    }
}

pub fn new_store(dir: &Path, role: Role, name: &str) -> (Store, DbKey) {
    let key = DbKey::generate();
    let mut s = Store::create(dir, role, name, Unlock::Key(key.clone())).unwrap();
    fixed_clock(&mut s, "2026-11-27T10:00:00Z");
    (s, key)
}

/// A note with `body` in the placement's shared document.
pub fn add_note(store: &mut Store, placement: folgesvenn_domain::uuid::Uuid, body: String) {
    store
        .write_shared(placement, |d, s| {
            d.add_note(
                &NewNote {
                    body,
                    reply_to: None,
                },
                s,
            )
        })
        .unwrap();
}

/// The candidate's consent to follow-up with the employer, recorded on the adviser's store (once):
/// what every employer invitation needs.
pub fn consent(adviser: &mut Store, p: folgesvenn_domain::uuid::Uuid) {
    if adviser.employer_sharing_allowed(p).unwrap() {
        return;
    }
    adviser
        .write_private(p, |d, s| {
            d.give_consent(
                &NewConsent {
                    scopes: vec![ConsentScope::FollowUp],
                    text_version: "2026-1".into(),
                },
                s,
            )
        })
        .unwrap();
}

/// The adviser invites `device` to the placement's shared document with `role` (an employer after
/// the candidate's consent), and `device` accepts the full code (offline; it presents the secret on its first sync).
pub async fn join(
    adviser: &mut Store,
    device: &mut Store,
    p: folgesvenn_domain::uuid::Uuid,
    role: folgesvenn_protocol::wire::MemberRole,
) {
    if role == folgesvenn_protocol::wire::MemberRole::Employer {
        consent(adviser, p);
    }
    let pairing = folgesvenn_sync::invite(
        adviser,
        &folgesvenn_sync::SyncClient::new(),
        p,
        folgesvenn_store::DocKind::Shared,
        role,
        std::time::Duration::from_secs(3600),
    )
    .await
    .unwrap();
    folgesvenn_sync::accept(device, &pairing.invitation).unwrap();
}

/// An adviser and an employer, paired on one placement shared through `relay` (not yet synced):
/// the start of most scenarios.
pub struct Paired {
    pub adviser: Store,
    pub employer: Store,
    pub placement: folgesvenn_domain::uuid::Uuid,
    pub shared: folgesvenn_domain::uuid::Uuid,
}

pub async fn paired(dir: &Path, relay: &str) -> Paired {
    let (mut adviser, _) = new_store(&dir.join("adviser"), Role::Adviser, "Kari Veileder");
    let (mut employer, _) = new_store(&dir.join("employer"), Role::Employer, "Per Verksmester");
    let placement = adviser
        .create_placement(&placement_input("Ola Nordmann"))
        .unwrap();
    let shared = adviser
        .document_id(placement, folgesvenn_store::DocKind::Shared)
        .unwrap();
    folgesvenn_sync::share(&mut adviser, shared, relay).unwrap();
    join(
        &mut adviser,
        &mut employer,
        placement,
        folgesvenn_protocol::wire::MemberRole::Employer,
    )
    .await;
    Paired {
        adviser,
        employer,
        placement,
        shared,
    }
}

/// How many times a scenario repeats: more under `FOLGESVENN_LONG=1` (README: the long mode).
pub fn repeats(normal: usize, long: usize) -> usize {
    if std::env::var("FOLGESVENN_LONG").is_ok_and(|v| v == "1") {
        long
    } else {
        normal
    }
}

/// The real relay as a child process (the scenario helper runs the relay's own command line) on
/// a free loopback port, with its SQLite file in `dir`. Killed when dropped.
pub struct RelayProcess {
    pub child: std::process::Child,
    pub url: String,
    pub db: PathBuf,
}

impl RelayProcess {
    pub fn start(dir: &Path) -> RelayProcess {
        Self::start_on(dir, "127.0.0.1:0")
    }

    pub fn start_on(dir: &Path, listen: &str) -> RelayProcess {
        Self::start_with_calendar(dir, listen, 0)
    }

    /// As [`RelayProcess::start_on`], with the relay's calendar (on which employers' access ends
    /// are judged) `offset_days` ahead: the injectable clock of the cut-off scenario.
    pub fn start_with_calendar(dir: &Path, listen: &str, offset_days: i64) -> RelayProcess {
        Self::start_with_args(dir, listen, offset_days, &[])
    }

    /// As [`RelayProcess::start_with_calendar`], with more `relay serve` arguments.
    pub fn start_with_args(
        dir: &Path,
        listen: &str,
        offset_days: i64,
        extra: &[&str],
    ) -> RelayProcess {
        std::fs::create_dir_all(dir).unwrap();
        let db = dir.join("relay.db");
        Self::start_on_db(db, listen, offset_days, extra)
    }

    /// A relay process on a PostgreSQL database (`postgres://…`), like the ones behind a load
    /// balancer; `db` holds the URL.
    pub fn start_on_postgres(url: &str) -> RelayProcess {
        Self::start_on_db(PathBuf::from(url), "127.0.0.1:0", 0, &[])
    }

    fn start_on_db(db: PathBuf, listen: &str, offset_days: i64, extra: &[&str]) -> RelayProcess {
        use std::io::BufRead;
        let mut child = std::process::Command::new(helper_bin())
            .args(["relay", "serve", "--listen", listen, "--db"])
            .arg(&db)
            .args(["--rate", "1000", "--burst", "1000"])
            // Every scenario's devices register from loopback.
            .args(["--registrations-burst", "1000"])
            .args(extra)
            .arg(format!("--calendar-offset-days={offset_days}"))
            // The fault schedules replay requests on purpose (401 each), all from loopback; a
            // scenario that floods sets its own limits.
            .args(if extra.contains(&"--failed-auth-rate") {
                &[][..]
            } else {
                &[
                    "--failed-auth-rate",
                    "1000",
                    "--failed-auth-burst",
                    "100000",
                ][..]
            })
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("relay did not start: {line:?}"))
            .to_owned();
        RelayProcess {
            child,
            url: format!("http://{addr}"),
            db,
        }
    }

    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for RelayProcess {
    fn drop(&mut self) {
        self.stop();
    }
}
