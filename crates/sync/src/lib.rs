//! The client side of sync: moves a device's outbox to the relay and the other devices' records
//! into its store, in one HTTP round trip per sync (`docs/protocol.md`).
//!
//! Everything it sends is sealed with the document's key and signed with the device's key before
//! it leaves; everything it receives is opened and checked before it is applied. A received record
//! that cannot be opened or applied is quarantined with its reason and the rest keeps syncing.
//! Applying a record and moving the cursor past it happen in one store transaction, and an outbox
//! entry is marked acknowledged only when the relay says it holds it, so a lost answer or a crash
//! at any point means a resend (which the relay recognises), never a loss or a double.
//!
//! - [`sync_once`]: one sync, for the CLI and tests; [`spawn`]: the same in the background with
//!   back-off and a status for the UI.
//! - Pairing ([`invite`], [`accept`], [`join_with_code`]): the adviser's device makes an
//!   invitation (the relay learns only a hash of its one-time secret); the employer's device
//!   accepts the full code offline, or types the short code and fetches the rest from the relay.
//!   [`make_device_pairing`]: one short code that brings every placement to the adviser's new
//!   device.
//! - `plan`: what a sync does (relays, joins, how many records per request, snapshots), decided
//!   without the store or the network and tested alone; `engine` carries it out.
//! - [`RelayTurn`]: one conversation with the relay at a time per store, shared by the background
//!   loop and the commands that talk to the relay themselves.
//! - [`transport::Transport`]: how requests travel (HTTP; fault injection and byte counting in
//!   tests and benchmarks).

mod background;
mod client;
mod engine;
mod invitation;
mod live;
pub mod members;
mod news;
mod outgoing;
mod pairing;
mod plan;
mod relay_url;
pub mod transport;

pub use background::{Backoff, LoopConfig, SyncHandle, SyncState, SyncStatus, spawn};
pub use client::{RelayTurn, SNAPSHOT_AFTER, StoreAccess, SyncClient};
pub use engine::{Report, share, sync_once};
pub use folgesvenn_protocol::bundle::ShortCode;
pub use folgesvenn_protocol::roster::{Member, Roster};
pub use folgesvenn_protocol::wire::MemberRole;
pub use invitation::{Invitation, is_full_code};
pub use live::{Heard, wait_for_news};
pub use members::{
    end_employer_access, remove_member, remove_member_everywhere, roster, withdraw_consent,
};
pub use pairing::{
    DEVICE_PAIRING_VALID, DevicePairing, Joined, MAX_DEVICE_PAIRING, Pairing, accept, invite,
    join_with_code, make_device_pairing, make_invitation, offer, offer_all, open_full_code,
    unfamiliar_relay,
};
pub use relay_url::relay_address;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("Får ikke kontakt med relayet ({0}). Endringene venter trygt på enheten.")]
    Offline(String),
    #[error("Relayet avviste forespørselen ({status} {kind}).")]
    Relay { status: u16, kind: String },
    #[error(transparent)]
    Store(#[from] folgesvenn_store::StoreError),
    #[error("Svaret fra relayet kan ikke leses: {0}")]
    Protocol(String),
    #[error(
        "Relayet sendte et svar som ikke stemmer ({0}). Ingenting i svaret er tatt i bruk, og endringene dine venter trygt på enheten."
    )]
    Untrusted(String),
    #[error(
        "En endring er for stor til å sendes ({size} byte; grensen er {max}). Den ligger trygt på enheten."
    )]
    RecordTooLarge { size: usize, max: usize },
    #[error(
        "Relayet lagrer ikke mer for dette oppfølgingsløpet før veilederens enhet har laget et øyeblikksbilde. Endringene dine ligger trygt på enheten og sendes etterpå."
    )]
    DocumentFull,
    #[error("Invitasjonen er utløpt. Be veilederen om en ny kode.")]
    InvitationExpired,
    #[error("Relay-adressen kan ikke brukes ({0}).")]
    BadRelay(String),
    #[error("Invitasjonskoden kan ikke leses. Sjekk at hele koden er med.")]
    BadInvitation,
    #[error(
        "Den korte og den lange koden passer ikke sammen. Sjekk at den korte koden er skrevet riktig og at hele den lange koden er med."
    )]
    ShortCodeMismatch,
    #[error("Koden er laget av en eldre versjon av Følgesvenn. Be veilederen om en ny kode.")]
    OldInvitationCode,
    #[error(
        "Koden sender notatene via en relay denne enheten ikke bruker: {0}. Fortsett bare hvis veilederen har bekreftet denne adressen."
    )]
    UnfamiliarRelay(String),
    #[error("Relayet kjenner ikke denne koden. Den kan være brukt, utløpt eller skrevet feil.")]
    UnknownCode,
    #[error(
        "Bare veilederens egne enheter kan invitere til eller fjerne enheter fra dette oppfølgingsløpet."
    )]
    NotAnAdviser,
    #[error(
        "Denne enheten kan ikke fjernes: den er ikke medlem, den er denne enheten, eller den opprettet oppfølgingsløpet."
    )]
    CannotRemove,
    #[error(
        "Arbeidsgiveren kan ikke inviteres før kandidatens samtykke til oppfølging sammen med arbeidsgiveren er registrert."
    )]
    NoConsent,
    #[error(
        "Koden er til NAV-veilederens egen enhet og kan ikke brukes på en enhet som er satt opp for en arbeidsgiver."
    )]
    WrongRole,
    #[error("Denne enheten har allerede dette oppfølgingsløpet.")]
    AlreadyJoined,
    #[error(
        "Det er ingen oppfølgingsløp å hente til en ny enhet: denne enheten følger ingen som veileder på relayet den bruker."
    )]
    NothingToPair,
}

folgesvenn_domain::coded! {
    SyncError {
        SyncError::Offline(detail) => "offline" { detail };
        SyncError::Relay { status, kind } => "relay_refused" { status, reason = kind };
        SyncError::Protocol(detail) => "protocol" { detail };
        SyncError::Untrusted(detail) => "relay_untrusted" { detail };
        SyncError::RecordTooLarge { size, max } => "record_too_large" { size, max };
        SyncError::BadRelay(detail) => "invalid_relay" { detail };
        SyncError::DocumentFull => "document_full";
        SyncError::InvitationExpired => "invitation_expired";
        SyncError::BadInvitation => "bad_invitation";
        SyncError::ShortCodeMismatch => "short_code_mismatch";
        SyncError::OldInvitationCode => "old_invitation_code";
        SyncError::UnfamiliarRelay(relay) => "unfamiliar_relay" { relay };
        SyncError::UnknownCode => "unknown_code";
        SyncError::NotAnAdviser => "not_adviser_member";
        SyncError::CannotRemove => "cannot_remove";
        SyncError::NoConsent => "consent_missing";
        SyncError::WrongRole => "wrong_role";
        SyncError::AlreadyJoined => "already_joined";
        SyncError::NothingToPair => "nothing_to_pair";
    }
    via {
        SyncError::Store(e) => e;
    }
}

#[cfg(test)]
mod one_rule {
    /// The relay judges the employer's cut-off with its own copy of NAV's 12 weeks (it does not
    /// know the domain); devices delete and stop reopening with the domain's. Kept equal here.
    #[test]
    fn relay_and_devices_end_the_employers_access_on_the_same_day() {
        assert_eq!(
            folgesvenn_protocol::wire::EMPLOYER_ACCESS_DAYS,
            folgesvenn_domain::EMPLOYER_ACCESS_DAYS
        );
    }
}
