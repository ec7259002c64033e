//! Errors the domain gives back: a rule that input broke, or a document that cannot be used.
//!
//! Each error has a stable code (`kind()`) and the values it names (`params()`), written by
//! [`coded!`](crate::coded): the UI words them in its own language. `Display` is a Norwegian
//! sentence for the CLI, which speaks only bokmål.

use uuid::Uuid;

use crate::when::Day;
use crate::{Field, PlacementStatus};

/// A rule that the input broke. Nothing has been written when this is returned.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ValidationError {
    #[error("«{}» må fylles ut", .field.label_nb())]
    Required { field: Field },
    #[error("«{}» kan ha høyst {max} tegn (har {len})", .field.label_nb())]
    TooLong {
        field: Field,
        max: usize,
        len: usize,
    },
    #[error("«{value}» er ikke en gyldig dato for «{}» (bruk ÅÅÅÅ-MM-DD)", .field.label_nb())]
    InvalidDate { field: Field, value: String },
    #[error("Sluttdatoen ({end}) kan ikke være før startdatoen ({start})")]
    EndBeforeStart { start: Day, end: Day },
    #[error("«{}» må være mellom {min} og {max}", .field.label_nb())]
    OutOfRange {
        field: Field,
        min: String,
        max: String,
    },
    #[error("«{value}» er ikke et gyldig valg for «{}»", .field.label_nb())]
    UnknownChoice { field: Field, value: String },
    #[error("«{0}» er ikke et gyldig organisasjonsnummer (ni siffer med gyldig kontrollsiffer)")]
    InvalidOrgNumber(String),
    #[error("«{}» kan ikke være etter i dag", .field.label_nb())]
    InFuture { field: Field },
    #[error("«{}» kan ikke være før oppfølgingen startet ({start})", .field.label_nb())]
    BeforePlacementStart { field: Field, start: Day },
    #[error("Fant ikke {label} med id {id}")]
    UnknownRecord {
        /// The collection's code (`notes`), for the UI.
        collection: &'static str,
        /// The record as the CLI's message names it (`notat`).
        label: &'static str,
        id: Uuid,
    },
    #[error("Status kan ikke endres fra «{}» til «{}»", .from.label_nb(), .to.label_nb())]
    StatusTransition {
        from: PlacementStatus,
        to: PlacementStatus,
    },
    #[error(
        "Oppfølgingen ble avsluttet {closed_on}, og arbeidsgiverens tilgang endte {last}. Den kan ikke åpnes igjen; opprett en ny oppfølging."
    )]
    ReopenTooLate { closed_on: Day, last: Day },
    #[error("Kontaktforespørselen er allerede løst")]
    AlreadyResolved,
    #[error("Et besøk kan bare rettes én gang; rett heller den nyeste versjonen ({latest})")]
    AlreadyCorrected { latest: Uuid },
    #[error("{}", .0.label_nb())]
    Inconsistent(Inconsistency),
}

crate::field::labelled! {
    /// A rule between values or about who may do something, broken by the input.
    Inconsistency {
        AdviserOnlyNotes = "adviser_only_notes", "Bare NAV-veilederen har tilgang til veilederens egne notater";
        AdviserOnlyCreate = "adviser_only_create", "Bare NAV-veilederen kan opprette et oppfølgingsløp";
        AdviserOnlyVisits = "adviser_only_visits", "Bare NAV-veilederen registrerer oppfølgingsbesøk";
        AdviserOnlyConfirm = "adviser_only_confirm", "Bare NAV-veilederen kan bekrefte en kontaktforespørsel";
        AdviserOnlyFacts = "adviser_only_facts", "Bare NAV-veilederen kan endre opplysningene om oppfølgingsløpet";
        AdviserOnlyClose = "adviser_only_close", "Bare NAV-veilederen kan lukke en kontaktforespørsel";
        AlreadyWithdrawn = "consent_already_withdrawn", "Samtykket er allerede trukket tilbake";
        DueTooOld = "due_too_old", "Fristen kan ikke være mer enn ett år tilbake i tid";
        EmailWithoutAt = "email_without_at", "E-postadressen mangler @";
        NextVisitBeforeVisit = "next_visit_before_visit", "Neste besøk kan ikke være før dette besøket";
        AbsentWithHours = "absent_with_hours", "En dag med fravær kan ikke ha arbeidstimer";
        ConflictGone = "conflict_gone", "Feltet er endret siden verdiene ble vist. Se på dem på nytt";
    }
}

crate::coded! {
    ValidationError {
        ValidationError::Required { field } => "required" { field };
        ValidationError::TooLong { field, max, len } => "too_long" { field, max, len };
        ValidationError::InvalidDate { field, value } => "invalid_date" { field, value };
        ValidationError::EndBeforeStart { start, end } => "end_before_start" { start, end };
        ValidationError::OutOfRange { field, min, max } => "out_of_range" { field, min, max };
        ValidationError::UnknownChoice { field, value } => "unknown_choice" { field, value };
        ValidationError::InvalidOrgNumber(value) => "invalid_org_number" { value };
        ValidationError::InFuture { field } => "in_future" { field };
        ValidationError::BeforePlacementStart { field, start } => "before_placement_start" { field, start };
        ValidationError::UnknownRecord { collection, id, .. } => "unknown_record" { collection, id };
        ValidationError::StatusTransition { from, to } => "status_transition" { from, to };
        ValidationError::ReopenTooLate { closed_on, last } => "reopen_too_late" { closed_on, last };
        ValidationError::AlreadyResolved => "already_resolved";
        ValidationError::AlreadyCorrected { latest } => "already_corrected" { latest };
        ValidationError::Inconsistent(rule) => "inconsistent" { rule };
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
    /// `detail` is automerge's or autosurgeon's own (English) account, for support.
    #[error("Dokumentet kan ikke leses: {0}")]
    Unreadable(String),
    /// A change from another device that its author's role may not write (`rights.rs`).
    #[error("Endringen fra enhet {device} er ikke tillatt: {} ({path})", .why.label_nb())]
    Forbidden {
        device: Uuid,
        path: String,
        why: Refusal,
    },
}

crate::coded! {
    DocError {
        DocError::UnsupportedSchema { found, supported } => "unsupported_schema" { found, supported };
        DocError::WrongPlacement { expected, found } => "wrong_placement" { expected, found };
        DocError::Unreadable(detail) => "unreadable_document" { detail };
        DocError::Forbidden { device, path, why } => "forbidden_write" { device, path, why };
    }
    via {
        DocError::Invalid(v) => v;
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

crate::field::labelled! {
    /// Why a change from another device was refused: a code in the error's parameters (support
    /// reads it; the UI's sentence need not word it) and a Norwegian label for the CLI.
    Refusal {
        OtherDevicesName = "written_in_another_devices_name", "skrevet i en annen enhets navn";
        UnknownAuthor = "unknown_author", "ukjent forfatter";
        UnknownObject = "unknown_object", "ukjent objekt";
        OutsideCollections = "outside_collections", "utenfor enhver samling";
        RoleCannotWrite = "role_cannot_write_here", "rollen kan ikke skrive her";
        RecordNotOwn = "role_cannot_add_replace_or_delete", "rollen kan ikke legge til, bytte ut eller slette poster her";
        FieldNotFillable = "field_not_fillable_by_role", "feltet kan ikke fylles ut av denne rollen";
        NotInOwnName = "record_not_in_roles_name", "posten må stå i rollens eget navn";
        FieldNotEditable = "field_not_editable_by_role", "feltet kan ikke endres av denne rollen";
        OtherRolesRecord = "record_of_another_role", "posten er skrevet av en annen rolle";
    }
}
