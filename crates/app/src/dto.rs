//! What crosses the IPC boundary, in the UI's terms (camelCase JSON). Each type derives
//! `ts_rs::TS`; `cargo test -p folgesvenn-app-core` writes them to `ui/src/bindings/` (see
//! `.cargo/config.toml`), and `cargo xtask test` fails if the committed files are stale.

use folgesvenn_store as store;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The store's read views and the sync status, exported as they are (`export_store_views` below writes them).
pub use folgesvenn_sync::{SyncState, SyncStatus};
pub use store::{
    ConsentView, Overview, PlacementFacts, PlacementSummary, PlanItem, SearchHit, TimelineItem,
};

/// Every command fails with this: a stable code, its parameters, and a Norwegian sentence for logs
/// and the CLI (the UI words `kind` and `params` in its own language).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS, thiserror::Error)]
#[error("{message}")]
#[ts(export)]
pub struct CommandError {
    pub kind: String,
    pub message: String,
    /// The values `kind` names (a field's code, a limit, a date): what the UI's own sentence for
    /// `kind` fills in. Codes, numbers and names only, never a sentence.
    pub params: std::collections::BTreeMap<String, String>,
}

impl CommandError {
    /// The codes the app core and the shell name themselves (`CommandError::new`); the error types
    /// below them list theirs in their own `KINDS`. A test in `rules.rs` checks the call sites.
    pub const KINDS: &'static [&'static str] = &[
        "already_set_up",
        "cancelled",
        "export",
        "internal",
        "invalid_input",
        "io",
        "locked",
        "no_relay",
        "qr",
        "runtime",
        "short_code_missing",
        "unknown_record",
    ];

    pub fn new(kind: &str, message: impl Into<String>) -> CommandError {
        CommandError {
            kind: kind.to_owned(),
            message: message.into(),
            params: Default::default(),
        }
    }

    /// Adds a parameter for the UI's sentence (a code, number or name).
    pub fn with(mut self, name: &str, value: impl std::fmt::Display) -> CommandError {
        self.params.insert(name.to_owned(), value.to_string());
        self
    }

    /// An error with a code and parameters of its own ([`folgesvenn_domain::Coded`]).
    pub fn coded(e: &(impl folgesvenn_domain::Coded + std::fmt::Display)) -> CommandError {
        let notice = e.notice();
        CommandError {
            kind: notice.code,
            message: e.to_string(),
            params: notice.params,
        }
    }

    /// Input the user can correct: the kind `invalid_input` (what the UI branches on for a form),
    /// with the rule's own code as the parameter `validation`.
    pub fn input(e: &(impl folgesvenn_domain::Coded + std::fmt::Display)) -> CommandError {
        let mut c = CommandError::coded(e);
        c.params.insert(
            "validation".into(),
            std::mem::replace(&mut c.kind, "invalid_input".into()),
        );
        c
    }
}

impl From<store::StoreError> for CommandError {
    fn from(e: store::StoreError) -> Self {
        CommandError::coded(&e)
    }
}

impl From<folgesvenn_sync::SyncError> for CommandError {
    fn from(e: folgesvenn_sync::SyncError) -> Self {
        CommandError::coded(&e)
    }
}

impl From<folgesvenn_domain::ValidationError> for CommandError {
    fn from(e: folgesvenn_domain::ValidationError) -> Self {
        CommandError::input(&e)
    }
}

/// Where an export has come (`export_*`'s progress channel).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ExportStage {
    /// Reading the records from the store.
    Reading,
    /// Drawing the PDF's pages.
    Drawing,
    /// Writing the files and moving them into place.
    Saving,
}

/// How far an export has come: its stage and the percent of the whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ExportProgress {
    pub stage: ExportStage,
    pub percent: u8,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Role {
    Adviser,
    Employer,
}

impl From<folgesvenn_domain::Role> for Role {
    fn from(r: folgesvenn_domain::Role) -> Self {
        match r {
            folgesvenn_domain::Role::Adviser => Role::Adviser,
            folgesvenn_domain::Role::Employer => Role::Employer,
        }
    }
}

impl From<Role> for folgesvenn_domain::Role {
    fn from(r: Role) -> Self {
        match r {
            Role::Adviser => folgesvenn_domain::Role::Adviser,
            Role::Employer => folgesvenn_domain::Role::Employer,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AppState {
    /// A store exists in the data directory.
    pub initialized: bool,
    /// It is open.
    pub unlocked: bool,
    pub role: Option<Role>,
    pub user_name: Option<String>,
    pub relay: Option<String>,
    /// Opening it needs the passphrase (no OS keystore was used).
    pub needs_passphrase: bool,
    /// The user or the idle timer locked it (rather than it not being opened yet): only
    /// `unlock` opens it, even with its key in the OS keystore.
    pub locked: bool,
    /// The user's setting: minutes without use before the app locks itself.
    pub lock_after_minutes: u32,
    /// What the UI's idle timer waits, in milliseconds (the setting, or a test's override).
    #[ts(type = "number")]
    pub lock_after_ms: u64,
}

#[derive(Clone, Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SetupInput {
    pub role: Role,
    pub user_name: String,
    /// `None`: keep the key in the OS keystore.
    pub passphrase: Option<String>,
    pub relay: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct NewPlacementInput {
    pub candidate_name: String,
    pub employer_name: String,
    pub employer_org_number: String,
    pub workplace_address: String,
    /// A measure code, e.g. `work_training`.
    pub measure: String,
    /// `YYYY-MM-DD`.
    pub start_date: String,
    pub end_date: Option<String>,
    pub hours_per_week: f64,
}

/// Ending or cancelling a placement.
#[derive(Clone, Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ClosePlacementInput {
    /// `ended` or `cancelled`.
    pub status: String,
    /// `YYYY-MM-DD`, no later than today.
    pub on: String,
    /// A close reason code: `completed`, `got_job`, `other_measure`, `candidate_ended`,
    /// `employer_ended`, `other`.
    pub reason: String,
}

#[derive(Clone, Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ObservationInput {
    pub date: String,
    /// An attendance code, e.g. `present`.
    pub attendance: String,
    pub hours: f64,
    pub tasks_done: String,
    pub went_well: String,
    pub problem: String,
    pub wants_contact: bool,
    pub contact_message: String,
}

/// An action agreed at a visit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ActionInput {
    pub what: String,
    /// `adviser`, `employer` or `candidate`.
    pub owner: String,
    /// `YYYY-MM-DD`, or empty.
    pub due: Option<String>,
}

/// One recorded visit, as a correction starts from it.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct VisitRecord {
    #[ts(type = "string")]
    pub id: uuid::Uuid,
    /// RFC 3339.
    pub at: String,
    /// `on_site`, `phone`, `video` or `three_party`.
    pub kind: String,
    pub place: String,
    pub attendees: Vec<String>,
    pub summary: String,
    pub attendance_since_last: String,
    pub task_progress: String,
    pub employer_rating: Option<u8>,
    pub candidate_rating: Option<u8>,
    /// `YYYY-MM-DD`.
    pub next_visit: Option<String>,
    /// The visit this one corrected.
    #[ts(type = "string | null")]
    pub corrects: Option<uuid::Uuid>,
}

impl VisitRecord {
    pub fn new(id: uuid::Uuid, v: folgesvenn_domain::Visit) -> VisitRecord {
        VisitRecord {
            id,
            at: v.at.to_string(),
            kind: v.kind.code().to_owned(),
            place: v.place,
            attendees: v.attendees,
            summary: v.summary.as_str().to_owned(),
            attendance_since_last: v.check_in.attendance_since_last,
            task_progress: v.check_in.task_progress,
            employer_rating: v.check_in.employer_rating,
            candidate_rating: v.check_in.candidate_rating,
            next_visit: v.next_visit.map(|d| d.to_string()),
            corrects: v.corrects,
        }
    }
}

/// A follow-up visit as the adviser records it on site.
#[derive(Clone, Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct VisitInput {
    /// RFC 3339 (`2026-11-27T10:30:00+01:00`).
    pub at: String,
    /// `on_site`, `phone`, `video` or `three_party`.
    pub kind: String,
    pub place: String,
    pub attendees: Vec<String>,
    pub summary: String,
    pub attendance_since_last: String,
    pub task_progress: String,
    /// 1–5.
    pub employer_rating: Option<u8>,
    /// 1–5.
    pub candidate_rating: Option<u8>,
    /// Kept in the adviser-private document: never sent to the employer.
    pub adviser_note: String,
    pub actions: Vec<ActionInput>,
    /// `YYYY-MM-DD`, or empty.
    pub next_visit: Option<String>,
    /// The visit this one corrects (a correction is a new, linked entry).
    #[ts(type = "string | null")]
    pub corrects: Option<uuid::Uuid>,
}

/// What the adviser shows the employer to pair: one invitation, three ways to carry it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PairingCode {
    /// `ABCD-EFGH-JKLM-NPQR`: typed on the other device, alone (needs the relay on both sides)
    /// or with the full code.
    pub short_code: String,
    /// `FS2-…`: pasted (or scanned) and opened with the short code; carries the placement itself
    /// and works offline.
    pub full_code: String,
    /// The QR code's width in modules (quiet zone not included).
    pub qr_size: u32,
    /// SVG path data of its dark modules, one unit each: the full code when it fits, else the
    /// short code.
    pub qr_path: String,
    /// What the QR code holds: `full` or `short`.
    pub qr_holds: String,
    /// The relay already knows the invitation (else it is sent at the next sync).
    pub registered: bool,
    #[ts(type = "number")]
    pub expires_at_ms: i64,
}

/// A device pairing: one short code (and its QR code) for the adviser's new device, which brings
/// every placement she follows. `code.full_code` is empty: the new device needs the relay.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DevicePairingCode {
    pub code: PairingCode,
    pub placements: u32,
    pub documents: u32,
}

/// A device removed from every placement it was a member of.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DeviceRemoved {
    pub placements: u32,
}

/// What a code brought onto this device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Joined {
    /// The first placement it brought (the only one, for an invitation to one placement).
    pub placement_id: Option<String>,
    pub placements: u32,
    /// A device pairing's documents the relay did not have (yet): the code may be typed again.
    pub missing: u32,
}

/// One device of a placement's shared document, as the signed membership statements prove it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct MemberDevice {
    pub device_id: String,
    /// The person who set the device up.
    pub name: String,
    /// The role its invitation gave it (not what it chose at set-up).
    pub role: Role,
    /// The device this app runs on.
    pub this_device: bool,
    /// The adviser device that created the placement: it cannot be removed.
    pub creator: bool,
    /// Removed: the relay refuses it, and it cannot read what was written after.
    pub removed: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PlacementMembers {
    pub devices: Vec<MemberDevice>,
    /// How many times the document key has rotated, plus one.
    pub key_epoch: u32,
}

/// One line of a placement's sync log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SyncLogLine {
    pub at: String,
    /// `shared` or `private`.
    pub document: String,
    /// What happened: one of `LOG_EVENTS` (`rules.ts`), or an error's kind.
    pub kind: String,
    /// The values it names (as in [`CommandError::params`]); `error` is the kind of the error
    /// that caused it, with that error's own parameters beside it.
    pub params: std::collections::BTreeMap<String, String>,
}

/// A received record that could not be applied: kept, shown, never dropped silently.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct QuarantineLine {
    pub received_at: String,
    pub document: String,
    /// Why it could not be applied: one of `LOG_EVENTS`.
    pub kind: String,
    pub params: std::collections::BTreeMap<String, String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PlacementSyncLog {
    pub lines: Vec<SyncLogLine>,
    pub quarantined: Vec<QuarantineLine>,
}

/// A task in the training plan (opplæringsplan).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TrainingTaskInput {
    pub title: String,
    pub description: String,
    /// Who at the workplace teaches and follows it up.
    pub responsible: String,
    /// `YYYY-MM-DD`, or empty.
    pub target_date: Option<String>,
}

/// A goal of the placement (the adviser's).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct GoalInput {
    /// A `GOAL_CATEGORIES` code.
    pub category: String,
    pub description: String,
}

/// An adaptation agreed for the candidate (the adviser's).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AdaptationInput {
    pub description: String,
    /// `YYYY-MM-DD`.
    pub agreed_on: String,
    /// Whether it still applies: an edit may end it (it stays in the plan, marked as ended); a new
    /// adaptation always applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub active: Option<bool>,
}

/// A record's values as its edit form starts from them (`record_values`) and sends them back
/// (`edit_record`), one kind per record the app edits, with the same fields as the form that
/// adds it. A note's text has its own command (`edit_note`); a visit is corrected, not edited.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum RecordValues {
    /// The placement's own facts (the adviser named in it stays as it is).
    Placement(NewPlacementInput),
    Goal(GoalInput),
    Adaptation(AdaptationInput),
    ContactPerson(ContactPersonInput),
    TrainingTask(TrainingTaskInput),
    Action(ActionInput),
}

/// A contact person at the workplace (the adviser's).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ContactPersonInput {
    pub name: String,
    pub role: String,
    pub phone: String,
    pub email: String,
}

/// A note between the adviser and the employer (both see it).
#[derive(Clone, Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct NoteInput {
    pub body: String,
    #[ts(type = "string | null")]
    pub reply_to: Option<uuid::Uuid>,
}

/// A consent the candidate gave: what may be shared (`CONSENT_SCOPES` codes) and the version of
/// the consent text they were shown.
#[derive(Clone, Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ConsentInput {
    pub scopes: Vec<String>,
    pub text_version: String,
}

/// Who changed one record and when, oldest first.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RecordHistory {
    /// The record's collection (`notes`, `actions`…).
    pub collection: String,
    pub entries: Vec<folgesvenn_domain::HistoryEntry>,
}

/// The value the user chose for a field two devices changed while apart.
#[derive(Clone, Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SettleConflictInput {
    /// The field, from the document root, as the overview's conflict names it.
    pub path: Vec<String>,
    /// In the adviser's private document.
    pub private: bool,
    /// One of the values the conflict shows.
    pub value: String,
}

/// What a withdrawal did: how many employer devices lost access (none when another consent
/// still allows the employer, or none had joined).
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ConsentWithdrawn {
    pub employer_devices_removed: u32,
}

#[cfg(test)]
mod tests {
    use ts_rs::TS;

    /// The store's views are the app's view models: written to `ui/src/bindings/` with the types
    /// they name, as `#[ts(export)]` does for the types declared here.
    #[test]
    fn export_store_views() {
        super::Overview::export_all().unwrap();
        super::PlacementSummary::export_all().unwrap();
        super::SearchHit::export_all().unwrap();
        super::ConsentView::export_all().unwrap();
        super::SyncStatus::export_all().unwrap();
    }
}
