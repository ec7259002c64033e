//! Errors the domain gives back: a rule that input broke, or a document that cannot be used.
//!
//! Messages are Norwegian bokmål because they end up in front of users (through the CLI or, mapped
//! by `kind`, in the UI). `kind()` is the stable code the UI branches on.

use uuid::Uuid;

use crate::when::Day;

/// A rule that the input broke. Nothing has been written when this is returned.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ValidationError {
    #[error("«{field}» må fylles ut")]
    Required { field: &'static str },
    #[error("«{field}» kan ha høyst {max} tegn (har {len})")]
    TooLong {
        field: &'static str,
        max: usize,
        len: usize,
    },
    #[error("«{value}» er ikke en gyldig dato for «{field}» (bruk ÅÅÅÅ-MM-DD)")]
    InvalidDate { field: &'static str, value: String },
    #[error("Sluttdatoen ({end}) kan ikke være før startdatoen ({start})")]
    EndBeforeStart { start: Day, end: Day },
    #[error("«{field}» må være mellom {min} og {max}")]
    OutOfRange {
        field: &'static str,
        min: String,
        max: String,
    },
    #[error("«{value}» er ikke et gyldig valg for «{field}»")]
    UnknownChoice { field: &'static str, value: String },
    #[error("«{0}» er ikke et gyldig organisasjonsnummer (ni siffer med gyldig kontrollsiffer)")]
    InvalidOrgNumber(String),
    #[error("«{field}» kan ikke være etter i dag")]
    InFuture { field: &'static str },
    #[error("«{field}» kan ikke være før oppfølgingen startet ({start})")]
    BeforePlacementStart { field: &'static str, start: Day },
    #[error("Fant ikke {kind} med id {id}")]
    UnknownRecord { kind: &'static str, id: Uuid },
    #[error("Status kan ikke endres fra «{from}» til «{to}»")]
    StatusTransition { from: String, to: String },
    #[error(
        "Oppfølgingen ble avsluttet {closed_on}, og arbeidsgiverens tilgang endte {last}. Den kan ikke åpnes igjen; opprett en ny oppfølging."
    )]
    ReopenTooLate { closed_on: Day, last: Day },
    #[error("Kontaktforespørselen er allerede løst")]
    AlreadyResolved,
    #[error("Et besøk kan bare rettes én gang; rett heller den nyeste versjonen ({latest})")]
    AlreadyCorrected { latest: Uuid },
    #[error("{0}")]
    Inconsistent(&'static str),
}

impl ValidationError {
    /// A stable, machine-readable code for the UI.
    pub fn kind(&self) -> &'static str {
        match self {
            ValidationError::Required { .. } => "required",
            ValidationError::TooLong { .. } => "too_long",
            ValidationError::InvalidDate { .. } => "invalid_date",
            ValidationError::EndBeforeStart { .. } => "end_before_start",
            ValidationError::OutOfRange { .. } => "out_of_range",
            ValidationError::UnknownChoice { .. } => "unknown_choice",
            ValidationError::InvalidOrgNumber(_) => "invalid_org_number",
            ValidationError::InFuture { .. } => "in_future",
            ValidationError::BeforePlacementStart { .. } => "before_placement_start",
            ValidationError::UnknownRecord { .. } => "unknown_record",
            ValidationError::StatusTransition { .. } => "status_transition",
            ValidationError::ReopenTooLate { .. } => "reopen_too_late",
            ValidationError::AlreadyResolved => "already_resolved",
            ValidationError::AlreadyCorrected { .. } => "already_corrected",
            ValidationError::Inconsistent(_) => "inconsistent",
        }
    }
}

/// Anything that can go wrong with a placement document.
#[derive(Debug, thiserror::Error)]
pub enum DocError {
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error(
        "Dokumentet har skjemaversjon {found}, men denne versjonen av appen kan bare lese opp til {supported}. Oppdater appen."
    )]
    UnsupportedSchema { found: u64, supported: u64 },
    #[error("Dokumentet hører til oppfølgingsløp {found}, ikke {expected}")]
    WrongPlacement { expected: Uuid, found: Uuid },
    #[error("Dokumentet kan ikke leses: {0}")]
    Unreadable(String),
    /// A change from another device that its author's role may not write (`rights.rs`).
    #[error("Endringen fra enhet {device} er ikke tillatt: {why} ({path})")]
    Forbidden {
        device: Uuid,
        path: String,
        why: &'static str,
    },
}

impl DocError {
    pub fn kind(&self) -> &'static str {
        match self {
            DocError::Invalid(v) => v.kind(),
            DocError::UnsupportedSchema { .. } => "unsupported_schema",
            DocError::WrongPlacement { .. } => "wrong_placement",
            DocError::Unreadable(_) => "unreadable_document",
            DocError::Forbidden { .. } => "forbidden_write",
        }
    }
}

impl From<automerge::AutomergeError> for DocError {
    fn from(e: automerge::AutomergeError) -> Self {
        DocError::Unreadable(e.to_string())
    }
}

impl From<autosurgeon::HydrateError> for DocError {
    fn from(e: autosurgeon::HydrateError) -> Self {
        DocError::Unreadable(e.to_string())
    }
}

impl From<autosurgeon::ReconcileError> for DocError {
    fn from(e: autosurgeon::ReconcileError) -> Self {
        DocError::Unreadable(e.to_string())
    }
}
