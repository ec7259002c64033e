//! What the store's reads return: plain structs, read from the projection (or, for
//! `PlacementView`, hydrated from the documents).

use folgesvenn_domain::{FieldConflict, PrivatePlacement, SharedPlacement};
use serde::Serialize;
use uuid::Uuid;

use crate::document::DocKind;

/// Where a document lives and what it is, for sync and diagnostics.
#[derive(Clone, Debug, Serialize)]
pub struct DocInfo {
    pub id: Uuid,
    pub placement_id: Uuid,
    pub kind: DocKind,
}

// The views the app's screens show are declared here once: they serialise in the UI's terms
// (camelCase) and, with the feature `ts`, derive `ts_rs::TS`, so the app core exports them to
// TypeScript as they are (`ui/src/bindings/`), without a copy of its own.

/// One row of the placement list.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PlacementSummary {
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub id: Uuid,
    pub candidate_name: String,
    pub employer_name: String,
    pub measure: String,
    pub status: String,
    pub start_date: String,
    pub end_date: Option<String>,
    pub next_visit: Option<String>,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub open_requests: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub overdue_actions: i64,
    /// Contact requests no one answered within the placement's response time.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub late_requests: i64,
    pub last_observation: Option<String>,
}

/// A placement as the overview screen shows it.
#[derive(Clone, Debug, Serialize)]
pub struct PlacementView {
    pub id: Uuid,
    pub shared: SharedPlacement,
    /// Only on adviser devices.
    pub private: Option<PrivatePlacement>,
    pub conflicts: Vec<FieldConflict>,
}

/// The placement's own facts, as the projection holds them.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PlacementFacts {
    pub candidate_name: String,
    pub employer_name: String,
    pub employer_org: String,
    pub adviser_name: String,
    pub measure: String,
    pub status: String,
    pub start_date: String,
    pub end_date: Option<String>,
    pub closed_on: Option<String>,
    /// A close reason code (`completed`, `got_job`…), once ended or cancelled.
    pub closed_reason: Option<String>,
    /// The last day employer devices have access, once ended or cancelled.
    pub employer_access_ends: Option<String>,
    pub hours_per_week: f64,
    /// The next visit the newest (uncorrected) visit agreed, as the placement list has it.
    pub next_visit: Option<String>,
    /// The day of the newest daily log.
    pub last_observation: Option<String>,
    /// How many Norwegian working days NAV has to answer a contact request (agreed, or the
    /// default).
    pub response_working_days: u8,
}

/// A small record of the plan (goal, adaptation, contact person, training task): its id, a main
/// text, and up to two more fields the overview shows.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PlanItem {
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub id: Uuid,
    pub text: String,
    pub detail: Option<String>,
    pub status: Option<String>,
}

/// One entry of the placement's timeline, newest first: each kind of record with the fields it
/// has. Every kind has its record's `id`, the moment `at` it belongs to and its main `text`.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(
    tag = "kind",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum TimelineItem {
    /// A follow-up visit; `text` is its summary.
    Visit {
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        id: Uuid,
        at: String,
        text: String,
        /// `corrected` (a later visit replaces it), `correction` (it replaces `corrects`), or none.
        status: Option<String>,
        /// The visit a correction replaces.
        #[cfg_attr(feature = "ts", ts(type = "string | null"))]
        corrects: Option<Uuid>,
        /// That visit's summary.
        corrected_summary: Option<String>,
    },
    /// A day of the employer's daily log; `status` is its attendance code.
    Observation {
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        id: Uuid,
        at: String,
        text: String,
        status: String,
    },
    /// The employer asked NAV to get in touch; `status` is `open`, `acknowledged` or `resolved`.
    ContactRequest {
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        id: Uuid,
        at: String,
        text: String,
        status: String,
        /// When it was answered (resolved, else acknowledged).
        answered_at: Option<String>,
        resolution: Option<String>,
        /// While no one has answered: the last day to answer within the placement's response
        /// time (counted in Norwegian working days from the day it was raised).
        answer_by: Option<String>,
    },
    /// An agreed action; `status` is an action status code.
    Action {
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        id: Uuid,
        at: String,
        text: String,
        status: String,
        due: Option<String>,
        /// An action owner code.
        owner: String,
    },
    /// A note both sides see.
    Note {
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        id: Uuid,
        at: String,
        text: String,
        author: String,
        /// The role that wrote it (`adviser`, `employer`): only that role may edit it.
        author_role: Option<String>,
    },
    /// The adviser's own note (adviser devices only).
    AdviserNote {
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        id: Uuid,
        at: String,
        text: String,
        author: String,
    },
}

impl TimelineItem {
    /// The kind's code, as it is serialised (`visit`, `contact_request`…).
    pub fn kind(&self) -> &'static str {
        match self {
            TimelineItem::Visit { .. } => "visit",
            TimelineItem::Observation { .. } => "observation",
            TimelineItem::ContactRequest { .. } => "contact_request",
            TimelineItem::Action { .. } => "action",
            TimelineItem::Note { .. } => "note",
            TimelineItem::AdviserNote { .. } => "adviser_note",
        }
    }

    /// Its main text (a visit's summary, a note's body…).
    pub fn text(&self) -> &str {
        match self {
            TimelineItem::Visit { text, .. }
            | TimelineItem::Observation { text, .. }
            | TimelineItem::ContactRequest { text, .. }
            | TimelineItem::Action { text, .. }
            | TimelineItem::Note { text, .. }
            | TimelineItem::AdviserNote { text, .. } => text,
        }
    }

    /// Its status, for the kinds that have one.
    pub fn status(&self) -> Option<&str> {
        match self {
            TimelineItem::Visit { status, .. } => status.as_deref(),
            TimelineItem::Observation { status, .. }
            | TimelineItem::ContactRequest { status, .. }
            | TimelineItem::Action { status, .. } => Some(status),
            TimelineItem::Note { .. } | TimelineItem::AdviserNote { .. } => None,
        }
    }

    /// The id of the record it shows.
    pub fn id(&self) -> Uuid {
        match self {
            TimelineItem::Visit { id, .. }
            | TimelineItem::Observation { id, .. }
            | TimelineItem::ContactRequest { id, .. }
            | TimelineItem::Action { id, .. }
            | TimelineItem::Note { id, .. }
            | TimelineItem::AdviserNote { id, .. } => *id,
        }
    }
}

/// A placement as its overview screen shows it, read from the projection alone, so opening even a
/// three-year placement does not load its documents.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Overview {
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub id: Uuid,
    pub facts: PlacementFacts,
    pub goals: Vec<PlanItem>,
    pub adaptations: Vec<PlanItem>,
    pub contact_persons: Vec<PlanItem>,
    pub training_plan: Vec<PlanItem>,
    pub timeline: Vec<TimelineItem>,
    pub conflicts: Vec<FieldConflict>,
}

/// A consent the candidate gave, as the adviser recorded it (adviser devices only: it lives in
/// the private document). `scopes` are `ConsentScope` codes.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConsentView {
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub id: Uuid,
    pub scopes: Vec<String>,
    pub text_version: String,
    pub given_at: String,
    pub given_by: String,
    pub withdrawn_at: Option<String>,
    pub withdrawn_by: Option<String>,
    /// Whether it lets an employer take part now (given, not withdrawn, and `follow_up` in it).
    pub allows_employer: bool,
}

/// A search result: the record it found and a snippet around the words.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SearchHit {
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub placement_id: Uuid,
    pub candidate_name: String,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub record_id: Uuid,
    pub kind: String,
    pub snippet: String,
}

/// The result of applying records from another device.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// How many records (placement facts counted as one) changed.
    pub records_changed: usize,
}
