//! `folgesvenn-device`: a headless device over the same crates as the app.
//!
//! Tests, benchmarks and support staff use it to create a device's store, write records, and show
//! or export what a device holds. It is not a second app: every rule lives in the crates, and this
//! binary only parses arguments and prints. `demo` is the README's first command until the app
//! window exists.

mod demo;

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};
use folgesvenn_domain::*;
use folgesvenn_protocol::wire::MemberRole;
use folgesvenn_store::{DocKind, KeyLocation, Store, Unlock, key::keystore};
use zeroize::Zeroizing;

#[derive(Parser)]
#[command(
    name = "folgesvenn-device",
    version,
    about = "Følgesvenn uten vindu: én enhets lokale lager"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum UnlockArg {
    /// The OS keystore if it answers, otherwise a passphrase.
    Auto,
    Keystore,
    Passphrase,
}

#[derive(Clone, Copy, ValueEnum)]
enum RoleArg {
    Adviser,
    Employer,
}

#[derive(Subcommand)]
enum Command {
    /// Creates a device's store in DIR.
    Init {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long, value_enum)]
        role: RoleArg,
        #[arg(long)]
        name: String,
        #[arg(long, value_enum, default_value = "auto")]
        unlock: UnlockArg,
    },
    /// Creates a placement (adviser devices).
    CreatePlacement {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long)]
        candidate: String,
        #[arg(long)]
        employer: String,
        #[arg(long)]
        org_number: String,
        #[arg(long, default_value = "")]
        address: String,
        #[arg(long, default_value = "work_training")]
        measure: String,
        #[arg(long)]
        start: String,
        #[arg(long)]
        end: Option<String>,
        #[arg(long, default_value_t = 20.0)]
        hours: f64,
    },
    /// Records a visit (adviser devices).
    AddVisit {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long)]
        placement: uuid::Uuid,
        #[arg(long, default_value = "on_site")]
        kind: String,
        #[arg(long)]
        summary: String,
        #[arg(long, default_value = "")]
        place: String,
        #[arg(long = "attendee")]
        attendees: Vec<String>,
        /// Never shared with the employer.
        #[arg(long)]
        adviser_note: Option<String>,
        #[arg(long)]
        next_visit: Option<String>,
    },
    /// Logs a day (employer devices).
    AddObservation {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long)]
        placement: uuid::Uuid,
        #[arg(long)]
        date: Option<String>,
        #[arg(long, default_value = "present")]
        attendance: String,
        #[arg(long, default_value_t = 0.0)]
        hours: f64,
        #[arg(long, default_value = "")]
        tasks: String,
        #[arg(long, default_value = "")]
        went_well: String,
        #[arg(long, default_value = "")]
        problem: String,
        /// "I want NAV to contact me".
        #[arg(long)]
        contact_me: bool,
    },
    /// Writes a note between adviser and employer.
    AddNote {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long)]
        placement: uuid::Uuid,
        #[arg(long)]
        text: String,
    },
    /// Lists the placements on this device.
    List {
        #[arg(long)]
        dir: PathBuf,
    },
    /// Shows one placement as JSON.
    Show {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long)]
        placement: uuid::Uuid,
    },
    /// Exports one placement as JSON (audit-logged as an export).
    Export {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long)]
        placement: uuid::Uuid,
    },
    /// The candidate's right of access: a folder in `--out` with everything this device holds
    /// about the placement (docs/export.md); prints the folder. Audit-logged as an export.
    AccessExport {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long)]
        placement: uuid::Uuid,
        #[arg(long)]
        out: PathBuf,
    },
    /// Searches what people wrote.
    Search {
        #[arg(long)]
        dir: PathBuf,
        query: String,
    },
    /// Checks the database file and the audit log.
    Verify {
        #[arg(long)]
        dir: PathBuf,
    },
    /// Starts syncing a placement through a relay (adviser devices: both documents).
    Share {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long)]
        placement: uuid::Uuid,
        #[arg(long)]
        relay: String,
    },
    /// Prints an invitation for the employer (or, with --own-device, for the adviser's own
    /// second device, one per document): its full code and its short code, a line each.
    Invite {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long)]
        placement: uuid::Uuid,
        #[arg(long)]
        own_device: bool,
        /// How long the invitation is valid, in hours.
        #[arg(long, default_value_t = 72)]
        hours: u64,
    },
    /// Prints one short code that brings every placement this adviser device follows at
    /// `--relay` onto her new device (a device pairing), then how many placements and documents.
    InviteDevice {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long)]
        relay: String,
        /// How long the code is valid, in minutes (as long as the app's, unless given).
        #[arg(long, default_value_t = folgesvenn_sync::DEVICE_PAIRING_VALID.as_secs() / 60)]
        minutes: u64,
    },
    /// Accepts an invitation: the full code with `--short-code` works offline; a short 16-letter
    /// code alone (an invitation or a device pairing) needs `--relay` and a connection. Prints
    /// each placement it brought.
    Join {
        #[arg(long)]
        dir: PathBuf,
        code: String,
        /// The short code shown beside a full code: it opens the full code.
        #[arg(long)]
        short_code: Option<String>,
        /// The relay to fetch a short code's invitation from; with a full code, the relay it
        /// names, to confirm it when this device does not use that relay yet.
        #[arg(long)]
        relay: Option<String>,
    },
    /// Records the candidate's consent (adviser devices): SCOPES are `ConsentScope` codes
    /// (`follow_up` lets the employer be invited), comma-separated.
    GiveConsent {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long)]
        placement: uuid::Uuid,
        #[arg(long, value_delimiter = ',', required = true)]
        scopes: Vec<String>,
        /// The version of the consent text the candidate was shown.
        #[arg(long)]
        text_version: String,
    },
    /// Records that the candidate withdrew a consent; without another that allows it, every
    /// employer device is removed from the placement (run `sync` after).
    WithdrawConsent {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long)]
        placement: uuid::Uuid,
        #[arg(long)]
        consent: uuid::Uuid,
    },
    /// Lists a placement's consents, given and withdrawn.
    Consents {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long)]
        placement: uuid::Uuid,
    },
    /// Lists a placement's member devices per document: who, which role, and which were removed.
    Members {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long)]
        placement: uuid::Uuid,
    },
    /// Removes a device (a lost phone, a contact person who left) from every document of the
    /// placement it belongs to, or with `--everywhere` from every placement it is in: the document
    /// key rotates, and the relay refuses the device from the next sync on (run `sync` after).
    RemoveDevice {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long, required_unless_present = "everywhere")]
        placement: Option<uuid::Uuid>,
        #[arg(long)]
        device: uuid::Uuid,
        #[arg(long, conflicts_with = "placement")]
        everywhere: bool,
    },
    /// Starts a planned placement.
    Activate {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long)]
        placement: uuid::Uuid,
    },
    /// Ends a placement (or, with `--cancel`, cancels it) as of a day, with a reason. Employer
    /// devices keep access for 12 weeks after that day; the relay hears of it at the next `sync`.
    End {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long)]
        placement: uuid::Uuid,
        /// YYYY-MM-DD, today or earlier (default: today).
        #[arg(long)]
        on: Option<String>,
        /// completed, got_job, other_measure, candidate_ended, employer_ended or other.
        #[arg(long)]
        reason: String,
        /// Cancelled rather than ended (a placement that did not run its course).
        #[arg(long)]
        cancel: bool,
    },
    /// Reopens an ended or cancelled placement, while the employer still has access.
    Reopen {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long)]
        placement: uuid::Uuid,
    },
    /// Syncs every shared document with the relay once.
    Sync {
        #[arg(long)]
        dir: PathBuf,
    },
    /// Shows a placement's sync log and quarantined records.
    SyncLog {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long)]
        placement: uuid::Uuid,
    },
    /// The convergence benchmark's peer (`cargo xtask bench`): writes COUNT notes with no
    /// connection, prints `written`, waits for the line `go` on stdin, then syncs until stdin
    /// closes, printing `heads H1,H2,…` (sorted) whenever the shared document's heads change.
    /// Between syncs it waits at the relay for news, as the app does (`wait_for_news`).
    #[command(hide = true)]
    BenchPeer {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long)]
        placement: uuid::Uuid,
        #[arg(long)]
        count: usize,
        /// The longest wait between syncs when the relay tells of nothing new, in milliseconds.
        #[arg(long, default_value_t = 1000)]
        idle_ms: u64,
    },
    /// For the catch-up benchmark: joins, as the adviser's new device, with every short code
    /// (one a line) CODES holds, through RELAY: a device pairing's one code brings all her
    /// documents. Prints `ready`, starts on `go` from stdin, prints `joined DOCUMENTS
    /// PLACEMENTS` once the last placement's overview opens, and stops at the end of its input.
    #[command(hide = true)]
    BenchJoin {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long)]
        relay: String,
        #[arg(long)]
        codes: PathBuf,
    },
    /// Creates a placement, records a visit and an observation, searches, and prints it all.
    Demo {
        /// Where to keep the demo device (a temporary directory if left out).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Also pair an employer device kept here, through `--relay` (for the app's demo).
        #[arg(long, requires = "relay", requires = "dir")]
        employer_dir: Option<PathBuf>,
        #[arg(long, requires = "employer_dir")]
        relay: Option<String>,
    },
}

/// Reads the passphrase. A new one is told the store's length rule (the store enforces it); an
/// existing one is not: it may predate the rule, and unlocks all the same.
fn passphrase(new: bool) -> Result<Zeroizing<String>> {
    if let Ok(p) = std::env::var("FOLGESVENN_PASSPHRASE") {
        return Ok(Zeroizing::new(p));
    }
    if new {
        eprintln!(
            "Velg et passord (minst {} tegn), avslutt med Enter:",
            folgesvenn_store::MIN_PASSPHRASE_CHARS
        );
    } else {
        eprintln!("Passord, avslutt med Enter:");
    }
    let mut line = Zeroizing::new(String::new());
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("kunne ikke lese passordet")?;
    Ok(Zeroizing::new(
        line.trim_end_matches(['\r', '\n']).to_owned(),
    ))
}

pub(crate) fn unlock_for_new(choice: UnlockArg) -> Result<Unlock> {
    Ok(match choice {
        UnlockArg::Keystore => Unlock::Keystore,
        UnlockArg::Passphrase => Unlock::Passphrase(passphrase(true)?),
        UnlockArg::Auto if keystore::available() => Unlock::Keystore,
        UnlockArg::Auto => {
            eprintln!(
                "Fant ingen nøkkelring på maskinen; databasenøkkelen pakkes inn med et passord."
            );
            Unlock::Passphrase(passphrase(true)?)
        }
    })
}

pub(crate) fn open(dir: &Path) -> Result<Store> {
    let unlock = match Store::key_location(dir)? {
        KeyLocation::Keystore { .. } => Unlock::Keystore,
        KeyLocation::Passphrase(_) => Unlock::Passphrase(passphrase(false)?),
        KeyLocation::External => {
            bail!("denne databasen låses opp med en nøkkel som holdes utenfor")
        }
    };
    Ok(Store::open(dir, unlock)?)
}

/// See `Command::BenchPeer`.
fn bench_peer(dir: &Path, placement: uuid::Uuid, count: usize, idle_ms: u64) -> Result<()> {
    use std::io::Write;
    use std::sync::mpsc::{TryRecvError, channel};

    const NOTES: [&str; 5] = [
        "Kandidaten møtte presis og tok ansvar for varemottaket i dag. Vi avtalte å prøve kassen en time på torsdag.",
        "Litt sliten etter helgen, men fullførte plukklisten alene. Fint om NAV tar en prat om arbeidstiden neste uke.",
        "Har lært seg rutinen for holdbarhetskontroll og sier fra når noe mangler. Neste mål er å ta imot kunder i disken.",
        "Kort dag etter avtale med fastlegen. Vi gikk gjennom sikkerhetsrutinene sammen, og vernesko er bestilt.",
        "God dialog med kollegene i lunsjen. Ønsker å prøve seg på bestilling fra leverandør når mentor er til stede.",
    ];
    let mut store = open(dir)?;
    let shared = store.document_id(placement, DocKind::Shared)?;
    for i in 0..count {
        let body = format!("{} ({i})", NOTES[i % NOTES.len()]);
        store.write_shared(placement, |d, s| {
            d.add_note(
                &NewNote {
                    body,
                    reply_to: None,
                },
                s,
            )
        })?;
    }
    // Made before `go`, as the app makes its client once at start (it reads the system's
    // certificate roots).
    let client = folgesvenn_sync::SyncClient::new();
    let mut out = std::io::stdout();
    writeln!(out, "written")?;
    out.flush()?;
    // A thread reads stdin: `go` starts syncing; end of input stops the peer.
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            match line {
                Ok(l) if l.trim() == "go" => {
                    let _ = tx.send(());
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
    });
    if rx.recv().is_err() {
        return Ok(());
    }
    let rt = runtime()?;
    let store = std::sync::Mutex::new(store);
    let mut last = String::new();
    loop {
        if let Err(e) = rt.block_on(folgesvenn_sync::sync_once(&store, &client)) {
            eprintln!("sync: {e}");
        }
        let mut heads: Vec<String> = store
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .heads(shared)?
            .iter()
            .map(ToString::to_string)
            .collect();
        heads.sort();
        let heads = heads.join(",");
        if heads != last {
            writeln!(out, "heads {heads}")?;
            out.flush()?;
            last = heads;
        }
        // Until the relay tells of another device's records (the app's live updates), or
        // `idle_ms` at most.
        let _ = rt.block_on(async {
            let news = folgesvenn_sync::wait_for_news(&store, &client);
            tokio::time::timeout(std::time::Duration::from_millis(idle_ms), news).await
        });
        if let Err(TryRecvError::Disconnected) = rx.try_recv() {
            return Ok(());
        }
    }
}

/// The store again once nothing else holds it.
fn unshare(store: Arc<Mutex<Store>>) -> Result<Store> {
    let store =
        Arc::try_unwrap(store).map_err(|_| anyhow::anyhow!("lageret er fortsatt i bruk"))?;
    Ok(store.into_inner().unwrap_or_else(|p| p.into_inner()))
}

/// See `Command::BenchJoin`.
fn bench_join(dir: &Path, relay: &str, codes: &Path) -> Result<()> {
    use std::io::Write;
    let codes: Vec<String> = std::fs::read_to_string(codes)?
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect();
    // Shared, as the app holds it.
    let store = Arc::new(Mutex::new(open(dir)?));
    // Made before `go`, as the app makes its client once at start.
    let client = folgesvenn_sync::SyncClient::new();
    let rt = runtime()?;
    let mut out = std::io::stdout();
    writeln!(out, "ready")?;
    out.flush()?;
    let mut lines = std::io::stdin().lock().lines();
    loop {
        match lines.next() {
            Some(Ok(l)) if l.trim() == "go" => break,
            Some(Ok(_)) => {}
            _ => return Ok(()),
        }
    }
    let mut placements = Vec::new();
    for code in &codes {
        let joined = rt.block_on(folgesvenn_sync::join_with_code(
            &store, &client, relay, code,
        ))?;
        anyhow::ensure!(joined.missing == 0, "{} dokumenter manglet", joined.missing);
        for p in joined.placements {
            if !placements.contains(&p) {
                placements.push(p);
            }
        }
    }
    let last = *placements.last().context("ingen koder å bli med på")?;
    let mut store = unshare(store)?;
    store.overview(last, 100)?;
    writeln!(
        out,
        "joined {} {}",
        store.documents()?.len(),
        placements.len()
    )?;
    out.flush()?;
    for _ in lines {}
    Ok(())
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

fn print_json(v: &impl serde::Serialize) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

fn day_opt(
    field: folgesvenn_domain::Field,
    s: Option<&str>,
) -> Result<Option<Day>, ValidationError> {
    s.map(|s| Day::parse(field, s)).transpose()
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Init {
            dir,
            role,
            name,
            unlock,
        } => {
            let role = match role {
                RoleArg::Adviser => Role::Adviser,
                RoleArg::Employer => Role::Employer,
            };
            let store = Store::create(&dir, role, &name, unlock_for_new(unlock)?)?;
            println!(
                "Opprettet {} for {} ({}), enhet {}",
                dir.display(),
                name,
                role.label_nb(),
                store.device_id()
            );
        }
        Command::CreatePlacement {
            dir,
            candidate,
            employer,
            org_number,
            address,
            measure,
            start,
            end,
            hours,
        } => {
            let mut store = open(&dir)?;
            let input = NewPlacement {
                candidate_name: candidate,
                employer: Employer {
                    org_number,
                    name: employer,
                    workplace_address: address,
                },
                adviser_name: store.user_name().to_owned(),
                measure: measure.parse()?,
                start_date: Day::parse(folgesvenn_domain::Field::StartDate, &start)?,
                end_date: day_opt(folgesvenn_domain::Field::EndDate, end.as_deref())?,
                hours_per_week: hours,
            };
            println!("{}", store.create_placement(&input)?);
        }
        Command::AddVisit {
            dir,
            placement,
            kind,
            summary,
            place,
            attendees,
            adviser_note,
            next_visit,
        } => {
            let mut store = open(&dir)?;
            let visit = NewVisit {
                at: store.stamp().at,
                place,
                kind: kind.parse()?,
                attendees,
                summary,
                check_in: CheckIn::default(),
                actions: vec![],
                next_visit: day_opt(folgesvenn_domain::Field::NextVisit, next_visit.as_deref())?,
            };
            println!(
                "{}",
                store.record_visit(placement, &visit, adviser_note.as_deref())?
            );
        }
        Command::AddObservation {
            dir,
            placement,
            date,
            attendance,
            hours,
            tasks,
            went_well,
            problem,
            contact_me,
        } => {
            let mut store = open(&dir)?;
            let date = match date {
                Some(d) => Day::parse(folgesvenn_domain::Field::Date, &d)?,
                None => store.stamp().today,
            };
            let input = NewObservation {
                date,
                attendance: attendance.parse()?,
                hours,
                tasks_done: tasks,
                went_well,
                problem,
                wants_contact: contact_me,
                contact_message: String::new(),
            };
            println!("{}", store.log_observation(placement, &input)?);
        }
        Command::AddNote {
            dir,
            placement,
            text,
        } => {
            let mut store = open(&dir)?;
            let id = store.write_shared(placement, |d, s| {
                d.add_note(
                    &NewNote {
                        body: text,
                        reply_to: None,
                    },
                    s,
                )
            })?;
            println!("{id}");
        }
        Command::List { dir } => print_json(&open(&dir)?.list_placements()?)?,
        Command::Show { dir, placement } => print_json(&open(&dir)?.placement(placement)?)?,
        Command::Export { dir, placement } => {
            print_json(&open(&dir)?.export_placement(placement)?)?
        }
        Command::AccessExport {
            dir,
            placement,
            out,
        } => {
            let mut store = open(&dir)?;
            let export = store.access_export(placement)?;
            let pdf = folgesvenn_export::access_report(&export, &mut |_, _| true)?;
            let folder = export.write_to(&out, &[("innsyn.pdf", &pdf)], &|| true)?;
            store.log_export(placement, &export.audit_record)?;
            println!("{}", folder.display());
        }
        Command::Search { dir, query } => print_json(&open(&dir)?.search(&query, 50)?)?,
        Command::Verify { dir } => {
            let store = open(&dir)?;
            store.verify_integrity()?;
            let n = store.verify_audit()?;
            println!("Databasefilen er hel, og revisjonsloggens {n} oppføringer henger sammen.");
        }
        Command::Share {
            dir,
            placement,
            relay,
        } => {
            let mut store = open(&dir)?;
            let kinds: &[DocKind] = if store.role() == Role::Adviser {
                &[DocKind::Shared, DocKind::Private]
            } else {
                &[DocKind::Shared]
            };
            for kind in kinds {
                let doc = store.document_id(placement, *kind)?;
                folgesvenn_sync::share(&mut store, doc, &relay)?;
            }
            println!("Oppfølgingsløpet synkroniseres nå via {relay}.");
        }
        Command::Invite {
            dir,
            placement,
            own_device,
            hours,
        } => {
            let mut store = open(&dir)?;
            let client = folgesvenn_sync::SyncClient::new();
            let valid = std::time::Duration::from_secs(hours * 3600);
            let invites: Vec<(DocKind, MemberRole)> = if own_device {
                vec![
                    (DocKind::Shared, MemberRole::Adviser),
                    (DocKind::Private, MemberRole::Adviser),
                ]
            } else {
                vec![(DocKind::Shared, MemberRole::Employer)]
            };
            for (kind, role) in invites {
                let inv = runtime()?.block_on(folgesvenn_sync::invite(
                    &mut store, &client, placement, kind, role, valid,
                ))?;
                // The full code (QR code or paste; works offline with the short code), then the
                // short code, each on a line of its own.
                println!("{}", inv.full_code);
                println!("{}", inv.short_code);
            }
        }
        Command::InviteDevice {
            dir,
            relay,
            minutes,
        } => {
            let mut store = open(&dir)?;
            let client = folgesvenn_sync::SyncClient::new();
            let valid = std::time::Duration::from_secs(minutes * 60);
            let mut pairing = folgesvenn_sync::make_device_pairing(&mut store, &relay, valid)?;
            pairing.registered = runtime()?.block_on(folgesvenn_sync::offer_all(
                &mut &mut store,
                &client,
                &pairing.invitation_ids,
            ))?;
            println!("{}", pairing.short_code);
            println!(
                "{} oppfølgingsløp, {} dokumenter{}",
                pairing.placements,
                pairing.documents,
                if pairing.registered {
                    ""
                } else {
                    " (sendes til relayet ved neste synkronisering)"
                }
            );
        }
        Command::Join {
            dir,
            code,
            short_code,
            relay,
        } => {
            let mut store = open(&dir)?;
            let joined = if folgesvenn_sync::is_full_code(&code) {
                let short = short_code.context(
                    "den lange koden er låst med den korte koden: gi den med --short-code",
                )?;
                let inv = folgesvenn_sync::open_full_code(&code, &short)?;
                // A relay this device does not use must be named with --relay: the user has
                // then seen and confirmed the address the code points at.
                let known: Vec<String> = relay.into_iter().collect();
                if let Some(other) = folgesvenn_sync::unfamiliar_relay(&store, &inv, &known)? {
                    anyhow::bail!(
                        "{} Gi --relay {other} for å bekrefte den.",
                        folgesvenn_sync::SyncError::UnfamiliarRelay(other.clone())
                    );
                }
                folgesvenn_sync::Joined {
                    placements: vec![folgesvenn_sync::accept(&mut store, &inv)?],
                    missing: 0,
                }
            } else {
                let relay = relay.context("en kort kode alene hentes fra relayet: gi --relay")?;
                let client = folgesvenn_sync::SyncClient::new();
                // Shared, as the app holds it: a device pairing then writes on a thread of its
                // own while the next documents are pulled.
                let shared = Arc::new(Mutex::new(store));
                runtime()?.block_on(folgesvenn_sync::join_with_code(
                    &shared, &client, &relay, &code,
                ))?
            };
            for p in &joined.placements {
                println!("{p}");
            }
            if joined.missing > 0 {
                eprintln!(
                    "{} dokumenter manglet på relayet: skriv koden igjen om litt, eller be om en ny.",
                    joined.missing
                );
            }
        }
        Command::GiveConsent {
            dir,
            placement,
            scopes,
            text_version,
        } => {
            let mut store = open(&dir)?;
            let consent = NewConsent {
                scopes: scopes
                    .iter()
                    .map(|s| s.trim().parse::<ConsentScope>())
                    .collect::<Result<_, _>>()?,
                text_version,
            };
            let id = store.write_private(placement, |d, s| d.give_consent(&consent, s))?;
            println!("{id}");
        }
        Command::WithdrawConsent {
            dir,
            placement,
            consent,
        } => {
            let mut store = open(&dir)?;
            let removed = folgesvenn_sync::withdraw_consent(&mut store, placement, consent)?;
            println!(
                "Samtykket er trukket tilbake. {removed} enhet(er) hos arbeidsgiveren er fjernet."
            );
        }
        Command::Consents { dir, placement } => {
            let mut store = open(&dir)?;
            for c in store.consents(placement)? {
                println!(
                    "{} {} versjon {} gitt {} av {}{}",
                    c.id,
                    c.scopes.join(","),
                    c.text_version,
                    c.given_at,
                    c.given_by,
                    c.withdrawn_at.map_or(String::new(), |at| format!(
                        "; trukket tilbake {at} av {}",
                        c.withdrawn_by.unwrap_or_default()
                    ))
                );
            }
        }
        Command::Members { dir, placement } => {
            let store = open(&dir)?;
            for kind in [DocKind::Shared, DocKind::Private] {
                let Ok(doc) = store.document_id(placement, kind) else {
                    continue;
                };
                let Ok(roster) = folgesvenn_sync::roster(&store, doc) else {
                    continue;
                };
                println!(
                    "{} dokument {doc} (nøkkelepoke {}):",
                    if kind == DocKind::Shared {
                        "Delt"
                    } else {
                        "Privat"
                    },
                    roster.epoch()
                );
                for m in roster.members() {
                    println!("  {} {} ({:?})", m.device_id, m.name, m.role);
                }
                for m in roster.gone() {
                    println!("  {} {} ({:?}, fjernet)", m.device_id, m.name, m.role);
                }
            }
        }
        Command::RemoveDevice {
            dir,
            placement: None,
            device,
            ..
        } => {
            let placements = folgesvenn_sync::remove_member_everywhere(&mut open(&dir)?, device)?;
            println!(
                "Fjernet {device} fra {} oppfølgingsløp; nye nøkler.",
                placements.len()
            );
        }
        Command::RemoveDevice {
            dir,
            placement: Some(placement),
            device,
            ..
        } => {
            let mut store = open(&dir)?;
            let mut removed = 0;
            for kind in [DocKind::Shared, DocKind::Private] {
                let Ok(doc) = store.document_id(placement, kind) else {
                    continue;
                };
                let member =
                    folgesvenn_sync::roster(&store, doc).is_ok_and(|r| r.member(device).is_some());
                if member {
                    let epoch = folgesvenn_sync::remove_member(&mut store, doc, device)?;
                    println!("Fjernet {device} fra dokument {doc}; ny nøkkelepoke {epoch}.");
                    removed += 1;
                }
            }
            if removed == 0 {
                anyhow::bail!("{device} er ikke medlem av oppfølgingsløpet {placement}.");
            }
        }
        Command::Activate { dir, placement } => {
            open(&dir)?.write_shared(placement, |d, s| d.set_status(PlacementStatus::Active, s))?;
            println!("Oppfølgingen er aktiv.");
        }
        Command::End {
            dir,
            placement,
            on,
            reason,
            cancel,
        } => {
            let mut store = open(&dir)?;
            let reason: CloseReason = reason.parse()?;
            let on = day_opt(folgesvenn_domain::Field::EndDate, on.as_deref())?
                .unwrap_or(store.stamp().today);
            let status = if cancel {
                PlacementStatus::Cancelled
            } else {
                PlacementStatus::Ended
            };
            store.write_shared(placement, |d, s| d.close_placement(status, on, reason, s))?;
            let last = store.overview(placement, 0)?.facts.employer_access_ends;
            println!(
                "Oppfølgingen er {} fra {on}. Arbeidsgiveren har tilgang til og med {}.",
                status.label_nb().to_lowercase(),
                last.unwrap_or_default()
            );
        }
        Command::Reopen { dir, placement } => {
            open(&dir)?.write_shared(placement, |d, s| d.reopen_placement(s))?;
            println!("Oppfølgingen er åpnet igjen.");
        }
        Command::Sync { dir } => {
            let mut store = open(&dir)?;
            for p in store.purge_ended_placements()? {
                println!("Slettet {p}: løpet sluttet for mer enn 12 uker siden.");
            }
            let client = folgesvenn_sync::SyncClient::new();
            let r = runtime()?.block_on(folgesvenn_sync::sync_once(&mut store, &client))?;
            println!(
                "Synkronisert: sendte {}, mottok {}, tok inn {}, {} i karantene ({} rundturer).",
                r.pushed, r.received, r.applied, r.quarantined, r.round_trips
            );
            if r.purged > 0 {
                println!(
                    "Slettet {} oppfølging(er): tilgangen er avsluttet.",
                    r.purged
                );
            }
        }
        Command::BenchPeer {
            dir,
            placement,
            count,
            idle_ms,
        } => bench_peer(&dir, placement, count, idle_ms)?,
        Command::BenchJoin { dir, relay, codes } => bench_join(&dir, &relay, &codes)?,
        Command::SyncLog { dir, placement } => {
            let store = open(&dir)?;
            for kind in [DocKind::Shared, DocKind::Private] {
                let Ok(doc) = store.document_id(placement, kind) else {
                    continue;
                };
                println!(
                    "{} dokument {doc}:",
                    if kind == DocKind::Shared {
                        "Delt"
                    } else {
                        "Privat"
                    }
                );
                for e in store.sync_log(doc, 50)? {
                    println!("  {} {}", e.at, e.event);
                }
                for q in store.quarantined(doc)? {
                    println!(
                        "  KARANTENE post {} fra {}: {} ({})",
                        q.server_seq, q.sender, q.reason, q.at
                    );
                }
            }
        }
        Command::Demo {
            dir,
            employer_dir,
            relay,
        } => {
            let pair = employer_dir
                .zip(relay)
                .map(|(employer_dir, relay)| demo::Pair {
                    employer_dir,
                    relay,
                });
            demo::run(dir, pair)?
        }
    }
    Ok(())
}

fn main() {
    if let Err(e) = run(Cli::parse()) {
        // Library errors carry a Norwegian message meant for the user; print it and nothing else.
        let kind = e
            .downcast_ref::<folgesvenn_store::StoreError>()
            .map(|s| s.kind())
            .or_else(|| e.downcast_ref::<ValidationError>().map(|v| v.kind()))
            .or_else(|| {
                e.downcast_ref::<folgesvenn_sync::SyncError>()
                    .map(|v| v.kind())
            })
            .unwrap_or("error");
        eprintln!("Feil ({kind}): {e:#}");
        std::process::exit(1);
    }
}
