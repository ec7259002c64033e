//! The store's errors. `Display` says what happened in plain Norwegian for the CLI and, where it
//! matters, that the database file was left as it was; `kind()` and `params()` are what the UI
//! words in its own language.

use std::path::PathBuf;

use folgesvenn_domain::{DocError, ValidationError};
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Document(#[from] DocError),
    #[error("Det finnes allerede en database i {0}. Den blir ikke overskrevet.")]
    AlreadyExists(PathBuf),
    #[error("Fant ingen database i {0}.")]
    NotFound(PathBuf),
    #[error("Nøkkelen passer ikke til databasen i {0}. Filen er ikke endret.")]
    WrongKey(PathBuf),
    /// How this database is unlocked instead: `keyring`, `passphrase` or `external`.
    #[error("Denne databasen låses opp med {}.", unlock_nb(.0))]
    OtherUnlock(&'static str),
    #[error("Passordet er feil. Databasen er ikke endret.")]
    WrongPassphrase,
    #[error(
        "Nøkkelen til databasen finnes ikke i nøkkelringen på denne maskinen. Filen er ikke endret."
    )]
    KeyMissing,
    #[error("Nøkkelringen på denne maskinen kan ikke brukes: {0}")]
    KeystoreUnavailable(String),
    #[error(
        "Databasefilen {path} er skadet eller endret utenfra ({detail}). Filen er ikke endret."
    )]
    Damaged { path: PathBuf, detail: String },
    #[error(
        "Databasen er laget av en nyere versjon av appen (skjema {found}, denne versjonen kan {supported}). Oppdater appen."
    )]
    NewerSchema { found: u32, supported: u32 },
    #[error("Fant ikke oppfølgingsløpet {0}")]
    UnknownPlacement(Uuid),
    #[error("Fant ikke dokumentet {0}")]
    UnknownDocument(Uuid),
    #[error("Denne enheten tilhører en arbeidsgiver og kan ikke ha veilederens egne notater")]
    NotForThisRole,
    #[error("Revisjonsloggen er brutt ved oppføring {seq}: {reason}")]
    AuditBroken { seq: i64, reason: String },
    #[error("Metadatafilen {path} kan ikke leses: {detail}")]
    BadMetadata { path: PathBuf, detail: String },
    #[error("Databasefeil: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("Fil- eller diskfeil: {0}")]
    Io(#[from] std::io::Error),
}

folgesvenn_domain::coded! {
    StoreError {
        StoreError::AlreadyExists(_) => "already_exists";
        StoreError::NotFound(_) => "not_found";
        StoreError::WrongKey(_) => "wrong_key";
        StoreError::WrongPassphrase => "wrong_passphrase";
        StoreError::OtherUnlock(method) => "other_unlock" { method };
        StoreError::KeyMissing => "key_missing";
        StoreError::KeystoreUnavailable(detail) => "keystore_unavailable" { detail };
        StoreError::Damaged { detail, .. } => "damaged" { detail };
        StoreError::NewerSchema { found, supported } => "newer_schema" { found, supported };
        StoreError::UnknownPlacement(id) => "unknown_placement" { id };
        StoreError::UnknownDocument(id) => "unknown_document" { id };
        StoreError::NotForThisRole => "not_for_this_role";
        StoreError::AuditBroken { seq, .. } => "audit_broken" { seq };
        StoreError::BadMetadata { detail, .. } => "bad_metadata" { detail };
        StoreError::Sqlite(e) => "database" { detail = e };
        StoreError::Io(e) => "io" { detail = e };
    }
    via {
        StoreError::Document(d) => d;
    }
}

fn unlock_nb(method: &str) -> &'static str {
    match method {
        "keyring" => "nøkkelringen",
        "passphrase" => "passord",
        _ => "en nøkkel som holdes utenfor",
    }
}

impl From<ValidationError> for StoreError {
    fn from(e: ValidationError) -> Self {
        StoreError::Document(DocError::Invalid(e))
    }
}
