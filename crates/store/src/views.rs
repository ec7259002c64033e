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

/// One row of the placement list.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct PlacementSummary {
    pub id: Uuid,
    pub candidate_name: String,
    pub employer_name: String,
    pub measure: String,
    pub status: String,
    pub start_date: String,
    pub end_date: Option<String>,
    pub next_visit: Option<String>,
    pub open_requests: i64,
    pub overdue_actions: i64,
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
    /// A `CloseReason` code.
    pub closed_reason: Option<String>,
    /// The last day employer devices have access, once the placement is closed.
    pub employer_access_ends: Option<String>,
    pub hours_per_week: f64,
}

/// A small record of the plan (goal, adaptation, contact person, training task): its id, a main
/// text, and up to two more fields the overview shows.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct PlanItem {
    pub id: Uuid,
    pub text: String,
    pub detail: Option<String>,
    pub status: Option<String>,
}

/// One entry of the placement's timeline: visits, daily logs, requests, actions and notes, newest
/// first.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct TimelineItem {
    pub kind: String,
    pub id: Uuid,
    pub at: String,
    pub text: String,
    pub status: Option<String>,
    /// A contact request: when it was answered (resolved, else acknowledged). A correction: the
    /// visit it replaces. An action: its due date.
    pub done_at: Option<String>,
    /// A contact request: its resolution. A correction: the replaced visit's summary. An action:
    /// its owner. A note: who wrote it.
    pub detail: Option<String>,
}

/// A placement as its overview screen shows it, read from the projection alone, so opening even a
/// three-year placement does not load its documents.
#[derive(Clone, Debug, Serialize)]
pub struct Overview {
    pub id: Uuid,
    pub facts: PlacementFacts,
    pub goals: Vec<PlanItem>,
    pub adaptations: Vec<PlanItem>,
    pub contact_persons: Vec<PlanItem>,
    pub training_plan: Vec<PlanItem>,
    pub timeline: Vec<TimelineItem>,
    pub conflicts: Vec<FieldConflict>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct SearchHit {
    pub placement_id: Uuid,
    pub candidate_name: String,
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
