//! The device behind the window: its data directory, first-run set-up, unlock, the commands, and
//! background sync once the store is open.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use folgesvenn_domain::{
    ActionStatus, CheckIn, CloseReason, ConsentScope, Moment, NewConsent, NewNote, NewObservation,
    NewVisit, PlacementStatus, TaskStatus,
};
use folgesvenn_store::{
    DocKind, KeyLocation, MAX_PASSPHRASE_CHARS, MIN_PASSPHRASE_CHARS, Store, Unlock, private_files,
};
use folgesvenn_sync::{LoopConfig, MemberRole, RelayTurn, SyncClient, SyncHandle};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use zeroize::Zeroizing;

use crate::dto::{self, CommandError};
use crate::edit::{self, day as parse_day, optional_day};

/// The app's own non-secret settings, beside the store (`app.json`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub relay: String,
    /// Minutes without use before the app locks itself (`LOCK_AFTER_MINUTES`).
    #[serde(default = "default_lock_after")]
    pub lock_after_minutes: u32,
}

fn default_lock_after() -> u32 {
    LOCK_AFTER_DEFAULT_MINUTES
}

/// How many minutes without use the user may choose before the app locks itself.
pub const LOCK_AFTER_MINUTES: std::ops::RangeInclusive<u32> = 1..=60;
/// What a new device locks after.
pub const LOCK_AFTER_DEFAULT_MINUTES: u32 = 5;

const SETTINGS_FILE: &str = "app.json";

/// The open store, shared with the background sync. No command holds `AppCore::opened` while
/// it works: it takes a clone of these handles and lets go, so a command waiting for the store
/// or for its turn with the relay never holds up another (`sync_status` above all).
struct Opened {
    store: Arc<Mutex<Store>>,
    turn: RelayTurn,
    sync: Option<SyncHandle>,
}

type StatusListener = Box<dyn Fn(dto::SyncStatus) + Send + Sync>;

pub struct AppCore {
    dir: PathBuf,
    runtime: tokio::runtime::Runtime,
    opened: Mutex<Option<Opened>>,
    listener: Arc<StatusListener>,
    loop_config: LoopConfig,
    /// The user, or the idle timer, locked the app: the store stays closed until `unlock`, even
    /// with its key in the OS keystore (which `state` would otherwise open on its own).
    locked: std::sync::atomic::AtomicBool,
    /// The exports under way by the job name the UI gave each, and the flag `cancel_export`
    /// raises to stop one (`export.rs`).
    pub(crate) exports:
        Mutex<std::collections::HashMap<String, Arc<std::sync::atomic::AtomicBool>>>,
    /// `FOLGESVENN_LOCK_AFTER_MS`: the idle time in milliseconds instead of the setting (tests).
    lock_after_override_ms: Option<u64>,
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// How long an invitation can be taken.
const INVITATION_VALID: Duration = Duration::from_secs(7 * 24 * 3600);

/// Runs a conversation with the relay (pairing) to completion on a thread and runtime of its
/// own: the caller may itself be on an async runtime (the shell's commands are), where blocking
/// on another runtime would panic, and the background loop's runtime must stay free to run
/// meanwhile. The work takes the store only for short steps, never across a wait.
fn on_own_thread<T: Send>(
    work: impl std::future::Future<Output = T> + Send,
) -> Result<T, CommandError> {
    std::thread::scope(|scope| {
        scope
            .spawn(move || {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map(|runtime| runtime.block_on(work))
                    .map_err(|e| CommandError::new("runtime", e.to_string()))
            })
            .join()
            .unwrap_or_else(|_| {
                Err(CommandError::new(
                    "internal",
                    "Noe gikk galt under tilkoblingen. Prøv igjen.",
                ))
            })
    })
}

/// A QR code as (width in modules, SVG path data of the dark modules), or `None` if `text` does
/// not fit in one. The UI draws the path inside its own `<svg>`: no markup or data URI crosses.
fn qr_path(text: &str) -> Option<(u32, String)> {
    let code = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::L).ok()?;
    let width = code.width();
    let mut path = String::new();
    for (i, colour) in code.to_colors().iter().enumerate() {
        if *colour == qrcode::Color::Dark {
            use std::fmt::Write;
            let _ = write!(path, "M{} {}h1v1h-1z", i % width, i / width);
        }
    }
    Some((width as u32, path))
}

/// Names the person behind each conflicting value's device, from the placement's members (a
/// removed device keeps its name); this device is its user even before the document is shared.
fn name_writers(s: &Store, placement: Uuid, conflicts: &mut [folgesvenn_domain::FieldConflict]) {
    if conflicts.is_empty() {
        return;
    }
    let names = Writers::of(s, placement);
    for value in conflicts.iter_mut().flat_map(|c| c.values.iter_mut()) {
        value.by = value.device.and_then(|d| names.name(s, d));
    }
}

/// Who the devices of a placement's documents are, removed ones included.
struct Writers(Vec<folgesvenn_sync::Roster>);

impl Writers {
    fn of(s: &Store, placement: Uuid) -> Writers {
        Writers(
            [DocKind::Shared, DocKind::Private]
                .into_iter()
                .filter_map(|kind| s.document_id(placement, kind).ok())
                .filter_map(|doc| folgesvenn_sync::roster(s, doc).ok())
                .collect(),
        )
    }

    /// The person behind `device`; this device is its user even before the document is shared.
    fn name(&self, s: &Store, device: Uuid) -> Option<String> {
        self.0
            .iter()
            .find_map(|r| r.ever(device))
            .map(|m| m.name.clone())
            .or_else(|| (device == s.device_id()).then(|| s.user_name().to_owned()))
    }
}

impl AppCore {
    /// `dir` holds the store and `app.json`; `on_status` receives every change of the sync
    /// status (the shell emits it to the window).
    pub fn new(
        dir: PathBuf,
        on_status: impl Fn(dto::SyncStatus) + Send + Sync + 'static,
    ) -> Result<AppCore, CommandError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("folgesvenn-sync")
            .enable_all()
            .build()
            .map_err(|e| CommandError::new("runtime", e.to_string()))?;
        let interval = std::env::var("FOLGESVENN_SYNC_INTERVAL_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .map_or(Duration::from_secs(15), Duration::from_millis);
        Ok(AppCore {
            dir,
            runtime,
            opened: Mutex::new(None),
            listener: Arc::new(Box::new(on_status)),
            loop_config: LoopConfig {
                interval,
                ..LoopConfig::default()
            },
            locked: std::sync::atomic::AtomicBool::new(false),
            exports: Default::default(),
            lock_after_override_ms: std::env::var("FOLGESVENN_LOCK_AFTER_MS")
                .ok()
                .and_then(|v| v.parse().ok()),
        })
    }

    pub fn data_dir(&self) -> &Path {
        &self.dir
    }

    fn settings(&self) -> Option<Settings> {
        let text = std::fs::read_to_string(self.dir.join(SETTINGS_FILE)).ok()?;
        serde_json::from_str(&text).ok()
    }

    fn initialized(&self) -> bool {
        self.dir.join("store.json").exists()
    }

    /// Where things stand. Opens the store on its own if its key is in the OS keystore.
    pub fn state(&self) -> Result<dto::AppState, CommandError> {
        let initialized = self.initialized();
        let needs_passphrase =
            initialized && matches!(Store::key_location(&self.dir)?, KeyLocation::Passphrase(_));
        if initialized
            && !needs_passphrase
            && !self.locked.load(std::sync::atomic::Ordering::SeqCst)
            && lock(&self.opened).is_none()
        {
            self.open(Unlock::Keystore)?;
        }
        let store = lock(&self.opened).as_ref().map(|o| o.store.clone());
        let (role, user_name) = match &store {
            Some(store) => {
                let s = lock(store);
                (Some(s.role().into()), Some(s.user_name().to_owned()))
            }
            None => (None, None),
        };
        let settings = self.settings();
        let lock_after_minutes = settings
            .as_ref()
            .map_or_else(default_lock_after, |s| s.lock_after_minutes)
            // A hand-edited `app.json` cannot turn the lock off.
            .clamp(*LOCK_AFTER_MINUTES.start(), *LOCK_AFTER_MINUTES.end());
        Ok(dto::AppState {
            initialized,
            unlocked: store.is_some(),
            role,
            user_name,
            relay: settings.map(|s| s.relay),
            needs_passphrase,
            locked: store.is_none() && self.locked.load(std::sync::atomic::Ordering::SeqCst),
            lock_after_minutes,
            lock_after_ms: self
                .lock_after_override_ms
                .unwrap_or(u64::from(lock_after_minutes) * 60_000),
        })
    }

    /// First run: creates the encrypted store with its key in the OS keystore, or wrapped by a
    /// passphrase, and remembers the relay.
    pub fn setup(&self, input: dto::SetupInput) -> Result<dto::AppState, CommandError> {
        if self.initialized() {
            return Err(CommandError::new(
                "already_set_up",
                "Denne enheten er allerede satt opp.",
            ));
        }
        let relay =
            folgesvenn_sync::relay_address(&input.relay).map_err(|e| CommandError::input(&e))?;
        // The store's own rule, checked before anything is created (the store checks it too).
        let unlock = match input.passphrase {
            Some(p)
                if !(MIN_PASSPHRASE_CHARS..=MAX_PASSPHRASE_CHARS).contains(&p.chars().count()) =>
            {
                return Err(folgesvenn_domain::ValidationError::OutOfRange {
                    field: folgesvenn_domain::Field::PassphraseLength,
                    min: MIN_PASSPHRASE_CHARS.to_string(),
                    max: MAX_PASSPHRASE_CHARS.to_string(),
                }
                .into());
            }
            Some(p) => Unlock::Passphrase(Zeroizing::new(p)),
            None => Unlock::Keystore,
        };
        // Owner-only, like everything in the data directory (the store's rule).
        private_files::create_dir(&self.dir).map_err(|e| CommandError::new("io", e.to_string()))?;
        let store = Store::create(&self.dir, input.role.into(), &input.user_name, unlock)?;
        let settings = Settings {
            relay,
            lock_after_minutes: default_lock_after(),
        };
        private_files::write(
            &self.dir.join(SETTINGS_FILE),
            &serde_json::to_vec_pretty(&settings).expect("settings serialise"),
        )
        .map_err(|e| CommandError::new("io", e.to_string()))?;
        self.start(store);
        self.state()
    }

    pub fn unlock(&self, passphrase: Option<String>) -> Result<dto::AppState, CommandError> {
        if lock(&self.opened).is_none() {
            let unlock = match passphrase {
                Some(p) => Unlock::Passphrase(Zeroizing::new(p)),
                None => Unlock::Keystore,
            };
            self.open(unlock)?;
        }
        self.locked
            .store(false, std::sync::atomic::Ordering::SeqCst);
        self.state()
    }

    /// Locks the app (the user, or the idle timer): the store closes, so its key and every
    /// loaded document leave memory, and the background sync stops. Opening it again needs
    /// `unlock`: the passphrase, or the OS keystore, even where `state` would open on its own.
    pub fn lock(&self) -> Result<dto::AppState, CommandError> {
        self.locked.store(true, std::sync::atomic::Ordering::SeqCst);
        if let Some(o) = lock(&self.opened).take() {
            // The loop holds the store too; it lets go when it stops, after its current step
            // (a command that still holds a handle lets go when it returns).
            if let Some(sync) = o.sync {
                self.runtime.spawn(sync.stop());
            }
        }
        self.state()
    }

    /// How long the app may go unused before it locks itself.
    pub fn set_lock_after(&self, minutes: u32) -> Result<dto::AppState, CommandError> {
        if !LOCK_AFTER_MINUTES.contains(&minutes) {
            return Err(folgesvenn_domain::ValidationError::OutOfRange {
                field: folgesvenn_domain::Field::LockAfter,
                min: LOCK_AFTER_MINUTES.start().to_string(),
                max: LOCK_AFTER_MINUTES.end().to_string(),
            }
            .into());
        }
        self.handles()?;
        let mut settings = self
            .settings()
            .ok_or_else(|| CommandError::new("io", "Innstillingene til enheten kan ikke leses."))?;
        settings.lock_after_minutes = minutes;
        private_files::write(
            &self.dir.join(SETTINGS_FILE),
            &serde_json::to_vec_pretty(&settings).expect("settings serialise"),
        )
        .map_err(|e| CommandError::new("io", e.to_string()))?;
        self.state()
    }

    fn open(&self, unlock: Unlock) -> Result<(), CommandError> {
        let store = Store::open(&self.dir, unlock)?;
        // The store tightened its own files; `app.json` from before this rule too (best effort,
        // as the store's: a file system without unix modes must not keep the app shut).
        let settings = self.dir.join(SETTINGS_FILE);
        if settings.exists() {
            let _ = private_files::restrict(&settings, 0o600);
        }
        self.start(store);
        Ok(())
    }

    fn start(&self, store: Store) {
        let store = Arc::new(Mutex::new(store));
        let syncing = lock(&store)
            .sync_docs()
            .map(|d| !d.is_empty())
            .unwrap_or(false);
        // A syncing device deletes after its first sync (a reopening may be on its way).
        if !syncing {
            let mut s = lock(&store);
            if let Err(e) = s.purge_ended_placements() {
                // Not silent: the sync log is where the user and support look (as the
                // background loop does with its purge errors).
                let line = folgesvenn_domain::Notice::caused_by(
                    folgesvenn_domain::LogEvent::PurgeFailed,
                    &folgesvenn_domain::Coded::notice(&e),
                );
                let _ = s.log_sync(None, &line);
            }
        }
        let turn = RelayTurn::new();
        let sync = syncing.then(|| self.start_sync(store.clone(), turn.clone()));
        *lock(&self.opened) = Some(Opened { store, turn, sync });
    }

    fn start_sync(&self, store: Arc<Mutex<Store>>, turn: RelayTurn) -> SyncHandle {
        let _guard = self.runtime.enter();
        let handle = folgesvenn_sync::spawn(store, turn, SyncClient::new(), self.loop_config);
        let mut rx = handle.status();
        let listener = self.listener.clone();
        self.runtime.spawn(async move {
            loop {
                let status = rx.borrow_and_update().clone();
                listener(status);
                if rx.changed().await.is_err() {
                    break;
                }
            }
        });
        handle
    }

    /// The open store and its turn with the relay; a clear error if the device is locked.
    fn handles(&self) -> Result<(Arc<Mutex<Store>>, RelayTurn), CommandError> {
        let opened = lock(&self.opened);
        let o = opened.as_ref().ok_or_else(|| {
            CommandError::new("locked", "Enheten er låst. Lås opp for å fortsette.")
        })?;
        Ok((o.store.clone(), o.turn.clone()))
    }

    /// Runs `f` with the open store (never across a network wait).
    pub(crate) fn with_store<T>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, CommandError>,
    ) -> Result<T, CommandError> {
        let (store, _) = self.handles()?;
        let mut s = lock(&store);
        f(&mut s)
    }

    /// Starts the background sync if it is not running yet (the first shared document), and
    /// asks it to sync now.
    fn nudge_sync(&self) {
        let mut opened = lock(&self.opened);
        if let Some(o) = opened.as_mut() {
            if o.sync.is_none() {
                o.sync = Some(self.start_sync(o.store.clone(), o.turn.clone()));
            }
            if let Some(s) = &o.sync {
                s.sync_now();
            }
        }
    }

    pub fn list_placements(&self) -> Result<Vec<dto::PlacementSummary>, CommandError> {
        self.with_store(|s| Ok(s.list_placements()?))
    }

    /// Placements by candidate or employer name, then what people wrote (the store's search).
    pub fn search(&self, query: &str) -> Result<Vec<dto::SearchHit>, CommandError> {
        self.with_store(|s| Ok(s.search(query, 30)?))
    }

    /// Creates a placement (advisers only) and starts syncing both its documents through the
    /// relay, so the employer can be invited.
    pub fn create_placement(&self, input: dto::NewPlacementInput) -> Result<Uuid, CommandError> {
        let relay = self.settings().map(|s| s.relay);
        let id = self.with_store(|s| {
            let placement = edit::placement(input, s.user_name().to_owned())?;
            let id = s.create_placement(&placement)?;
            if let Some(relay) = &relay {
                for kind in [DocKind::Shared, DocKind::Private] {
                    let doc = s.document_id(id, kind)?;
                    folgesvenn_sync::share(s, doc, relay)?;
                }
            }
            Ok(id)
        })?;
        self.nudge_sync();
        Ok(id)
    }

    pub fn overview(&self, placement: Uuid) -> Result<dto::Overview, CommandError> {
        self.with_store(|s| {
            let mut overview = s.overview(placement, 200)?;
            name_writers(s, placement, &mut overview.conflicts);
            Ok(overview)
        })
    }

    /// Who changed a record and when, oldest first, each change with its kind, the fields it set
    /// and, for a note, the text just after it. Names come from the placement's members.
    pub fn history(
        &self,
        placement: Uuid,
        record: Uuid,
    ) -> Result<dto::RecordHistory, CommandError> {
        self.with_store(|s| {
            let (collection, mut entries) = s
                .history(placement, record)?
                .ok_or_else(|| CommandError::new("unknown_record", "Fant ikke oppføringen."))?;
            let names = Writers::of(s, placement);
            for e in &mut entries {
                e.by = e.device.and_then(|d| names.name(s, d));
            }
            Ok(dto::RecordHistory {
                collection: collection.to_owned(),
                entries,
            })
        })
    }

    /// Settles a field two devices changed while apart: `value` (one of those the overview shows
    /// for it) is written over all of them and syncs like any edit. Refused if this user may not
    /// write the field, or if the field changed since (`conflict_gone`).
    pub fn settle_conflict(
        &self,
        placement: Uuid,
        input: dto::SettleConflictInput,
    ) -> Result<(), CommandError> {
        self.with_store(|s| {
            if input.private {
                s.write_private(placement, |d, st| {
                    d.settle_conflict(&input.path, &input.value, st)
                })?;
            } else {
                s.write_shared(placement, |d, st| {
                    d.settle_conflict(&input.path, &input.value, st)
                })?;
            }
            Ok(())
        })?;
        self.nudge_sync();
        Ok(())
    }

    pub fn log_observation(
        &self,
        placement: Uuid,
        input: dto::ObservationInput,
    ) -> Result<Uuid, CommandError> {
        let id = self.with_store(|s| {
            let observation = NewObservation {
                date: parse_day(folgesvenn_domain::Field::Date, &input.date)?,
                attendance: input.attendance.parse()?,
                hours: input.hours,
                tasks_done: input.tasks_done,
                went_well: input.went_well,
                problem: input.problem,
                wants_contact: input.wants_contact,
                contact_message: input.contact_message,
            };
            Ok(s.log_observation(placement, &observation)?)
        })?;
        self.nudge_sync();
        Ok(id)
    }

    /// Records a visit (or, with `corrects`, a correction of one as a new linked entry). The
    /// adviser-only note goes to the private document, which never leaves the adviser's devices.
    pub fn record_visit(
        &self,
        placement: Uuid,
        input: dto::VisitInput,
    ) -> Result<Uuid, CommandError> {
        let visit = NewVisit {
            at: Moment::parse(folgesvenn_domain::Field::VisitTime, &input.at)?,
            place: input.place,
            kind: input.kind.parse()?,
            attendees: input
                .attendees
                .into_iter()
                .map(|a| a.trim().to_owned())
                .filter(|a| !a.is_empty())
                .collect(),
            summary: input.summary,
            check_in: CheckIn {
                attendance_since_last: input.attendance_since_last,
                task_progress: input.task_progress,
                employer_rating: input.employer_rating,
                candidate_rating: input.candidate_rating,
            },
            actions: input
                .actions
                .into_iter()
                .filter(|a| !a.what.trim().is_empty())
                .map(edit::action)
                .collect::<Result<_, CommandError>>()?,
            next_visit: optional_day(folgesvenn_domain::Field::NextVisit, input.next_visit)?,
        };
        let note = Some(input.adviser_note.as_str()).filter(|n| !n.trim().is_empty());
        let id = self.with_store(|s| {
            Ok(match input.corrects {
                Some(original) => s.correct_visit(placement, original, &visit, note)?,
                None => s.record_visit(placement, &visit, note)?,
            })
        })?;
        self.nudge_sync();
        Ok(id)
    }

    /// One visit of the placement, however far back (a correction starts from it).
    pub fn visit(&self, placement: Uuid, visit: Uuid) -> Result<dto::VisitRecord, CommandError> {
        let found = self.with_store(|s| Ok(s.visit(placement, visit)?))?;
        found
            .map(|v| dto::VisitRecord::new(visit, v))
            .ok_or_else(|| {
                CommandError::new(
                    "unknown_record",
                    "Fant ikke besøket i dette oppfølgingsløpet.",
                )
            })
    }

    /// The adviser has seen the employer's contact request.
    pub fn acknowledge_request(&self, placement: Uuid, request: Uuid) -> Result<(), CommandError> {
        self.with_store(|s| {
            Ok(s.write_shared(placement, |d, st| d.acknowledge_request(request, st))?)
        })?;
        self.nudge_sync();
        Ok(())
    }

    /// The adviser has answered it; `resolution` says how (both sides see it).
    pub fn resolve_request(
        &self,
        placement: Uuid,
        request: Uuid,
        resolution: &str,
    ) -> Result<(), CommandError> {
        self.with_store(|s| {
            Ok(s.write_shared(placement, |d, st| {
                d.resolve_request(request, resolution, st)
            })?)
        })?;
        self.nudge_sync();
        Ok(())
    }

    /// Every consent recorded for the placement, oldest first (the adviser's devices).
    pub fn consents(&self, placement: Uuid) -> Result<Vec<dto::ConsentView>, CommandError> {
        self.with_store(|s| Ok(s.consents(placement)?))
    }

    /// Records the candidate's consent in the private document. With `follow_up` among its
    /// scopes, it is what lets the adviser invite the employer.
    pub fn give_consent(
        &self,
        placement: Uuid,
        input: dto::ConsentInput,
    ) -> Result<Uuid, CommandError> {
        let consent = NewConsent {
            scopes: input
                .scopes
                .iter()
                .map(|s| s.parse::<ConsentScope>())
                .collect::<Result<_, _>>()?,
            text_version: input.text_version,
        };
        let id = self.with_store(|s| {
            Ok(s.write_private(placement, |d, st| d.give_consent(&consent, st))?)
        })?;
        self.nudge_sync();
        Ok(id)
    }

    /// Records that the candidate withdrew a consent. If no consent then lets the employer take
    /// part, every employer device is removed from the placement at once (new key; the relay
    /// refuses them from the next sync, and they delete what they hold). Both happen under one
    /// hold of the store, so no sync runs between the withdrawal and the removal.
    pub fn withdraw_consent(
        &self,
        placement: Uuid,
        consent: Uuid,
    ) -> Result<dto::ConsentWithdrawn, CommandError> {
        let removed =
            self.with_store(|s| Ok(folgesvenn_sync::withdraw_consent(s, placement, consent)?))?;
        self.nudge_sync();
        Ok(dto::ConsentWithdrawn {
            employer_devices_removed: removed as u32,
        })
    }

    /// An invitation for the employer to the placement's shared document (never the private
    /// one). Works offline: the relay learns of it at the next sync. Made with the store, then
    /// offered to the relay in this device's turn without it.
    pub fn invite_employer(&self, placement: Uuid) -> Result<dto::PairingCode, CommandError> {
        self.invite(placement, DocKind::Shared, MemberRole::Employer)
    }

    /// Invitations for the adviser's own other device (a laptop and a phone): one for each of the
    /// placement's documents, the shared one first, each taken with the same join screen. The
    /// device joins as an adviser, so it also holds her own notes.
    pub fn invite_own_device(
        &self,
        placement: Uuid,
    ) -> Result<Vec<dto::PairingCode>, CommandError> {
        [DocKind::Shared, DocKind::Private]
            .into_iter()
            .map(|kind| self.invite(placement, kind, MemberRole::Adviser))
            .collect()
    }

    /// One short code that brings every placement this adviser device follows (both documents
    /// of each, her own notes included) onto her new laptop or phone, through this device's
    /// relay. Valid for an hour, each placement once. The relay is offered every invitation now,
    /// in this device's turn; offline, they wait for the next sync.
    pub fn invite_new_device(&self) -> Result<dto::DevicePairingCode, CommandError> {
        let relay = self.settings().map(|s| s.relay).ok_or_else(|| {
            CommandError::new("no_relay", "Ingen relay-adresse er satt for denne enheten.")
        })?;
        let (store, turn) = self.handles()?;
        let mut pairing = folgesvenn_sync::make_device_pairing(
            &mut lock(&store),
            &relay,
            folgesvenn_sync::DEVICE_PAIRING_VALID,
        )?;
        pairing.registered = on_own_thread(async {
            let _turn = turn.take().await;
            folgesvenn_sync::offer_all(&mut &store, &SyncClient::new(), &pairing.invitation_ids)
                .await
        })??;
        let qr = qr_path(&pairing.short_code)
            .ok_or_else(|| CommandError::new("qr", "Klarte ikke å lage QR-koden."))?;
        Ok(dto::DevicePairingCode {
            code: dto::PairingCode {
                short_code: pairing.short_code,
                full_code: String::new(),
                qr_size: qr.0,
                qr_path: qr.1,
                qr_holds: "short".to_owned(),
                registered: pairing.registered,
                expires_at_ms: pairing.expires_at_ms,
            },
            placements: pairing.placements as u32,
            documents: pairing.documents as u32,
        })
    }

    fn invite(
        &self,
        placement: Uuid,
        kind: DocKind,
        role: MemberRole,
    ) -> Result<dto::PairingCode, CommandError> {
        let (store, turn) = self.handles()?;
        let mut pairing = folgesvenn_sync::make_invitation(
            &mut lock(&store),
            placement,
            kind,
            role,
            INVITATION_VALID,
        )?;
        pairing.registered = on_own_thread(async {
            let _turn = turn.take().await;
            folgesvenn_sync::offer(&mut &store, &SyncClient::new(), &pairing).await
        })??;
        let full_code = pairing.full_code;
        let (qr_holds, qr) = match qr_path(&full_code) {
            Some(qr) => ("full", qr),
            None => (
                "short",
                qr_path(&pairing.short_code)
                    .ok_or_else(|| CommandError::new("qr", "Klarte ikke å lage QR-koden."))?,
            ),
        };
        Ok(dto::PairingCode {
            short_code: pairing.short_code,
            full_code,
            qr_size: qr.0,
            qr_path: qr.1,
            qr_holds: qr_holds.to_owned(),
            registered: pairing.registered,
            expires_at_ms: pairing.invitation.expires_at_ms,
        })
    }

    /// Joins a placement with the adviser's codes: the short code alone (typed; the invitation is
    /// fetched from the relay), or with the full code shown beside it (pasted or scanned; opened
    /// with the short code, works offline). The two may come in either order. Returns the
    /// placement's id.
    ///
    /// A full code names the relay its placement syncs through. One this device does not already
    /// use is refused (`unfamiliar_relay`, naming it) until the user, shown the address, allows it
    /// with `allow_new_relay`: a crafted code could otherwise point the device at a relay that
    /// acknowledges every note and keeps none.
    ///
    /// A short code of a device pairing brings every placement it carries; what the relay did not
    /// have is counted in `missing`, and typing the code again goes on from there.
    pub fn join(
        &self,
        code: &str,
        other: Option<&str>,
        allow_new_relay: bool,
    ) -> Result<dto::Joined, CommandError> {
        let (mut code, mut other) = (code.trim(), other.map(str::trim).unwrap_or_default());
        if folgesvenn_sync::is_full_code(code) {
            std::mem::swap(&mut code, &mut other);
        }
        if code.is_empty() && other.is_empty() {
            return Err(folgesvenn_domain::ValidationError::Required {
                field: folgesvenn_domain::Field::InvitationCode,
            }
            .into());
        }
        let joined = if !other.is_empty() {
            if code.is_empty() || folgesvenn_sync::is_full_code(code) {
                return Err(CommandError::new(
                    "short_code_missing",
                    "Den lange koden er låst. Skriv også den korte koden som står ved siden av \
                     QR-koden.",
                ));
            }
            if !folgesvenn_sync::is_full_code(other) {
                return Err(folgesvenn_sync::SyncError::BadInvitation.into());
            }
            let invitation = folgesvenn_sync::open_full_code(other, code)?;
            let known: Vec<String> = self.settings().map(|s| s.relay).into_iter().collect();
            self.with_store(|s| {
                if !allow_new_relay
                    && let Some(relay) = folgesvenn_sync::unfamiliar_relay(s, &invitation, &known)?
                {
                    return Err(folgesvenn_sync::SyncError::UnfamiliarRelay(relay).into());
                }
                Ok(folgesvenn_sync::Joined {
                    placements: vec![folgesvenn_sync::accept(s, &invitation)?],
                    missing: 0,
                })
            })?
        } else {
            let relay = self.settings().map(|s| s.relay).ok_or_else(|| {
                CommandError::new("no_relay", "Ingen relay-adresse er satt for denne enheten.")
            })?;
            let (store, turn) = self.handles()?;
            on_own_thread(async {
                let _turn = turn.take().await;
                folgesvenn_sync::join_with_code(&store, &SyncClient::new(), &relay, code).await
            })??
        };
        self.nudge_sync();
        Ok(dto::Joined {
            placement_id: joined.placements.first().map(Uuid::to_string),
            placements: joined.placements.len() as u32,
            missing: joined.missing as u32,
        })
    }

    /// Removes a device from every placement this device follows as an adviser and it is a
    /// member of (a lost phone, a contact person who left): each document's key rotates, all at
    /// once or none. Returns how many placements.
    pub fn remove_device_everywhere(
        &self,
        device: Uuid,
    ) -> Result<dto::DeviceRemoved, CommandError> {
        let placements =
            self.with_store(|s| Ok(folgesvenn_sync::remove_member_everywhere(s, device)?))?;
        self.nudge_sync();
        Ok(dto::DeviceRemoved {
            placements: placements.len() as u32,
        })
    }

    /// The devices of the placement (its shared document), current and removed.
    pub fn members(&self, placement: Uuid) -> Result<dto::PlacementMembers, CommandError> {
        self.with_store(|s| {
            let doc = s.document_id(placement, DocKind::Shared)?;
            let me = s.device_id();
            let roster = folgesvenn_sync::roster(s, doc)?;
            let creator = roster
                .members()
                .find(|m| m.invited_by.is_none())
                .map(|m| m.device_id);
            let device = |m: &folgesvenn_sync::Member, removed| dto::MemberDevice {
                device_id: m.device_id.to_string(),
                name: m.name.clone(),
                role: folgesvenn_sync::members::domain_role(m.role).into(),
                this_device: m.device_id == me,
                creator: Some(m.device_id) == creator,
                removed,
            };
            let mut devices: Vec<dto::MemberDevice> =
                roster.members().map(|m| device(m, false)).collect();
            devices.extend(roster.gone().map(|m| device(m, true)));
            Ok(dto::PlacementMembers {
                devices,
                key_epoch: roster.epoch(),
            })
        })
    }

    /// Removes a device from the placement (both documents, where it is a member of each): the
    /// document key rotates at once, and the relay refuses the device from the next sync on.
    pub fn remove_device(&self, placement: Uuid, device: Uuid) -> Result<(), CommandError> {
        self.with_store(|s| {
            let mut removed = false;
            for kind in [DocKind::Shared, DocKind::Private] {
                let Ok(doc) = s.document_id(placement, kind) else {
                    continue;
                };
                if folgesvenn_sync::roster(s, doc).is_ok_and(|r| r.member(device).is_some()) {
                    folgesvenn_sync::remove_member(s, doc, device)?;
                    removed = true;
                }
            }
            if removed {
                Ok(())
            } else {
                Err(folgesvenn_sync::SyncError::CannotRemove.into())
            }
        })?;
        self.nudge_sync();
        Ok(())
    }

    /// What sync did for this placement, newest last, and what it could not apply.
    pub fn sync_log(&self, placement: Uuid) -> Result<dto::PlacementSyncLog, CommandError> {
        self.with_store(|s| {
            let mut lines = Vec::new();
            let mut quarantined = Vec::new();
            for (kind, name) in [(DocKind::Shared, "shared"), (DocKind::Private, "private")] {
                let Ok(doc) = s.document_id(placement, kind) else {
                    continue;
                };
                lines.extend(s.sync_log(doc, 100)?.into_iter().map(|e| dto::SyncLogLine {
                    at: e.at,
                    document: name.to_owned(),
                    kind: e.event.code,
                    params: e.event.params,
                }));
                quarantined.extend(
                    s.quarantined(doc)?
                        .into_iter()
                        .map(|q| dto::QuarantineLine {
                            received_at: q.at,
                            document: name.to_owned(),
                            kind: q.reason.code,
                            params: q.reason.params,
                        }),
                );
            }
            lines.sort_by(|a, b| a.at.cmp(&b.at));
            Ok(dto::PlacementSyncLog { lines, quarantined })
        })
    }

    /// The adviser starts a planned placement.
    pub fn activate_placement(&self, placement: Uuid) -> Result<(), CommandError> {
        self.with_store(|s| {
            Ok(s.write_shared(placement, |d, st| d.set_status(PlacementStatus::Active, st))?)
        })?;
        self.nudge_sync();
        Ok(())
    }

    /// The adviser ends or cancels a placement as of a day (today or earlier), with a reason. The
    /// relay hears the end from this device's next sync; employer devices lose access 12 weeks
    /// later.
    pub fn close_placement(
        &self,
        placement: Uuid,
        input: dto::ClosePlacementInput,
    ) -> Result<(), CommandError> {
        let status: PlacementStatus = input.status.parse()?;
        let on = parse_day(folgesvenn_domain::Field::EndDate, &input.on)?;
        let reason: CloseReason = input.reason.parse()?;
        self.with_store(|s| {
            Ok(s.write_shared(placement, |d, st| d.close_placement(status, on, reason, st))?)
        })?;
        self.nudge_sync();
        Ok(())
    }

    /// The adviser reopens an ended or cancelled placement while the employer still has access.
    pub fn reopen_placement(&self, placement: Uuid) -> Result<(), CommandError> {
        self.with_store(|s| Ok(s.write_shared(placement, |d, st| d.reopen_placement(st))?))?;
        self.nudge_sync();
        Ok(())
    }

    /// Adds a task to the training plan (the adviser; the employer moves a task on, and both see
    /// it).
    pub fn add_training_task(
        &self,
        placement: Uuid,
        input: dto::TrainingTaskInput,
    ) -> Result<Uuid, CommandError> {
        let task = edit::training_task(input)?;
        let id = self.with_store(|s| {
            Ok(s.write_shared(placement, |d, st| d.add_training_task(&task, st))?)
        })?;
        self.nudge_sync();
        Ok(id)
    }

    /// Adds a goal to the plan (the adviser; both see it).
    pub fn add_goal(&self, placement: Uuid, input: dto::GoalInput) -> Result<Uuid, CommandError> {
        let goal = edit::goal(input)?;
        let id =
            self.with_store(|s| Ok(s.write_shared(placement, |d, st| d.add_goal(&goal, st))?))?;
        self.nudge_sync();
        Ok(id)
    }

    /// Adds an adaptation agreed for the candidate (the adviser; both see it).
    pub fn add_adaptation(
        &self,
        placement: Uuid,
        input: dto::AdaptationInput,
    ) -> Result<Uuid, CommandError> {
        let adaptation = edit::adaptation(&input)?;
        let id = self.with_store(|s| {
            Ok(s.write_shared(placement, |d, st| d.add_adaptation(&adaptation, st))?)
        })?;
        self.nudge_sync();
        Ok(id)
    }

    /// Adds a contact person at the workplace (the adviser; both see it).
    pub fn add_contact_person(
        &self,
        placement: Uuid,
        input: dto::ContactPersonInput,
    ) -> Result<Uuid, CommandError> {
        let person = edit::contact_person(input);
        let id = self.with_store(|s| {
            Ok(s.write_shared(placement, |d, st| d.add_contact_person(&person, st))?)
        })?;
        self.nudge_sync();
        Ok(id)
    }

    /// A record's values as its edit form starts from them, read from the shared document
    /// (`record`: `None` for the placement's own facts).
    pub fn record_values(
        &self,
        placement: Uuid,
        record: Option<Uuid>,
    ) -> Result<dto::RecordValues, CommandError> {
        let what = record.map_or_else(|| "placement".to_owned(), |r| format!("record/{r}"));
        self.with_store(|s| Ok(s.read_shared(placement, &what, |d| edit::read(d, record))?))?
            .ok_or_else(|| CommandError::new("unknown_record", "Fant ikke oppføringen."))
    }

    /// Changes a record (or, with `record` `None`, the placement's facts) to the values its edit
    /// form sent: only the fields that differ are written, long texts as a character diff, so an
    /// edit of the same record on another device merges with this one. Who may change what is
    /// the rights table's, as for every write: the employer changes none of these.
    pub fn edit_record(
        &self,
        placement: Uuid,
        record: Option<Uuid>,
        values: dto::RecordValues,
    ) -> Result<(), CommandError> {
        let change = edit::Edit::parse(record, values)?;
        self.with_store(|s| Ok(s.write_shared(placement, |d, st| change.apply(d, st))?))?;
        self.nudge_sync();
        Ok(())
    }

    /// How far the candidate has come with a task: `not_started`, `with_adaptation`, `can_do`.
    pub fn set_task_status(
        &self,
        placement: Uuid,
        task: Uuid,
        status: &str,
    ) -> Result<(), CommandError> {
        let status: TaskStatus = status.parse()?;
        self.with_store(|s| {
            Ok(s.write_shared(placement, |d, st| d.set_task_status(task, status, st))?)
        })?;
        self.nudge_sync();
        Ok(())
    }

    /// How many Norwegian working days NAV has to answer the employer's contact requests in this
    /// placement (`RESPONSE_WORKING_DAYS`; the adviser).
    pub fn set_response_time(&self, placement: Uuid, working_days: u8) -> Result<(), CommandError> {
        self.with_store(|s| {
            Ok(s.write_shared(placement, |d, st| d.set_response_time(working_days, st))?)
        })?;
        self.nudge_sync();
        Ok(())
    }

    /// An action's state: `open`, `in_progress`, `done`, `cancelled`.
    pub fn set_action_status(
        &self,
        placement: Uuid,
        action: Uuid,
        status: &str,
    ) -> Result<(), CommandError> {
        let status: ActionStatus = status.parse()?;
        self.with_store(|s| {
            Ok(s.write_shared(placement, |d, st| d.set_action_status(action, status, st))?)
        })?;
        self.nudge_sync();
        Ok(())
    }

    /// A note both sides see (the adviser's own notes go with a visit, in the private document).
    /// Replaces a written note's text (a character diff, so an edit on another device merges;
    /// the earlier text stays in the document's history). `private`: the adviser's own note.
    /// Who may edit which note is the rights table's (`rights.rs`): an employer only its own.
    pub fn edit_note(
        &self,
        placement: Uuid,
        note: Uuid,
        body: &str,
        private: bool,
    ) -> Result<(), CommandError> {
        self.with_store(|s| {
            if private {
                s.write_private(placement, |d, st| d.edit_note(note, body, st))?;
            } else {
                s.write_shared(placement, |d, st| d.edit_note(note, body, st))?;
            }
            Ok(())
        })?;
        self.nudge_sync();
        Ok(())
    }

    pub fn add_note(&self, placement: Uuid, input: dto::NoteInput) -> Result<Uuid, CommandError> {
        let note = NewNote {
            body: input.body,
            reply_to: input.reply_to,
        };
        let id =
            self.with_store(|s| Ok(s.write_shared(placement, |d, st| d.add_note(&note, st))?))?;
        self.nudge_sync();
        Ok(id)
    }

    /// Half-written forms live in the encrypted store, never in the webview's storage.
    pub fn save_draft(&self, key: &str, value: &str) -> Result<(), CommandError> {
        self.with_store(|s| Ok(s.save_draft(key, value)?))
    }

    pub fn load_draft(&self, key: &str) -> Result<Option<String>, CommandError> {
        self.with_store(|s| Ok(s.load_draft(key)?))
    }

    pub fn clear_draft(&self, key: &str) -> Result<(), CommandError> {
        self.with_store(|s| Ok(s.clear_draft(key)?))
    }

    pub fn sync_status(&self) -> dto::SyncStatus {
        let opened = lock(&self.opened);
        match opened.as_ref().and_then(|o| o.sync.as_ref()) {
            Some(s) => s.status().borrow().clone(),
            None => dto::SyncStatus::default(),
        }
    }

    pub fn sync_now(&self) {
        self.nudge_sync();
    }
}

impl Drop for AppCore {
    fn drop(&mut self) {
        if let Some(o) = lock(&self.opened).take()
            && let Some(sync) = o.sync
        {
            self.runtime.block_on(sync.stop());
        }
    }
}
