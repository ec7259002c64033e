//! What the app tells its user, as a stable code and the values it names, never as a sentence:
//! the UI words each code in its own language (`ui/src/i18n`), the CLI prints it as it is. Errors
//! ([`Coded`]), the sync log and the quarantine all speak in codes, so nothing stored on a device
//! or sent to the UI is prose in one language. The closed sets of codes reach the UI through
//! `ui/src/bindings/rules.ts`, where a test checks that each has a text in both languages.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// A code and its parameters (numbers, names, dates, other codes: never a sentence).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub code: String,
    #[serde(default)]
    pub params: BTreeMap<String, String>,
}

impl Notice {
    pub fn new(code: &str) -> Notice {
        Notice {
            code: code.to_owned(),
            params: BTreeMap::new(),
        }
    }

    /// A line of the sync log or a quarantine reason.
    pub fn event(event: LogEvent) -> Notice {
        Notice::new(event.code())
    }

    pub fn with(mut self, name: &str, value: impl fmt::Display) -> Notice {
        self.params.insert(name.to_owned(), value.to_string());
        self
    }

    /// `code`, caused by `error`: the error's kind as the parameter `error`, next to its own
    /// parameters (the UI words the error inside the event's sentence).
    pub fn caused_by(event: LogEvent, error: &Notice) -> Notice {
        let mut n = Notice::event(event);
        n.params.extend(error.params.clone());
        n.params.insert("error".to_owned(), error.code.clone());
        n
    }

    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }

    /// As it is stored in a text column.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a map of strings always serialises")
    }

    /// Reads a stored notice. Rows written by versions before codes hold a sentence; it comes back
    /// as the code `legacy_text` with the sentence as `text`, so no old log line is lost.
    pub fn from_stored(text: &str) -> Notice {
        serde_json::from_str(text)
            .unwrap_or_else(|_| Notice::event(LogEvent::LegacyText).with("text", text))
    }
}

crate::field::labelled! {
    /// What the sync log and the quarantine record, each with its parameters (named after each
    /// code). The UI has a sentence for each (`syncEvent.<code>`); the CLI prints the label.
    LogEvent {
        LegacyText = "legacy_text", "tekst fra en eldre versjon";
        SyncEnabled = "sync_enabled", "synkronisering slått på";
        InvitationWaiting = "invitation_waiting", "invitasjon venter på nett";
        InvitationMade = "invitation_made", "invitasjon laget";
        InvitationUnreadable = "invitation_unreadable", "invitasjon kunne ikke leses";
        InvitationRefused = "invitation_refused", "invitasjon avvist av relayet";
        OwnRecordTooLarge = "own_record_too_large", "egen post for stor til å sendes; den og det etter venter";
        SnapshotTooLarge = "snapshot_too_large", "for stort til et øyeblikksbilde; postene blir på relayet";
        SnapshotUploaded = "snapshot_uploaded", "øyeblikksbilde lastet opp";
        SentReceived = "sent_received", "poster sendt og mottatt";
        RelayDeniedAccess = "relay_denied_access", "relayet nekter tilgang";
        OwnRecordRejected = "own_record_rejected", "relayet avviste egen post";
        RecordQuarantined = "record_quarantined", "mottatt post satt i karantene";
        RecordReleased = "record_released", "post tatt ut av karantene";
        AccessEndedDeleted = "access_ended_deleted", "tilgangen er avsluttet; slettet fra enheten";
        AccessEndedKept = "access_ended_kept", "tilgangen er avsluttet; ikke slettet før alt er sendt";
        DocumentCreated = "document_created", "dokumentet opprettet på relayet";
        DocumentJoined = "document_joined", "ble med i dokumentet på relayet";
        JoinedWithCode = "joined_with_code", "ble med med kort kode og hentet dokumentet";
        DevicePairingMade = "device_pairing_made", "kode til ny enhet laget for alle oppfølgingsløpene";
        DevicePairingTaken = "device_pairing_taken", "hentet oppfølgingsløpene med kode til ny enhet";
        JoinFailed = "join_failed", "kunne ikke bli med ennå";
        SyncRefused = "sync_refused", "synkronisering avvist";
        ResponseDiscarded = "response_discarded", "svaret fra relayet er forkastet";
        EndDayRefused = "end_day_refused", "relayet avviste sluttdatoen";
        EndDayTold = "end_day_told", "relayet vet at oppfølgingen er avsluttet";
        ReopeningTold = "reopening_told", "relayet vet at oppfølgingen er åpnet igjen";
        DeviceShutOut = "device_shut_out", "relayet stenger ute enheten";
        DeviceRemoved = "device_removed", "enhet fjernet; ny dokumentnøkkel";
        NewDocumentKey = "new_document_key", "ny dokumentnøkkel";
        PurgeFailed = "purge_failed", "sletting av avsluttede løp feilet";
        SenderNotMember = "sender_not_member", "avsenderen er ikke medlem";
        SenderKeyMismatch = "sender_key_mismatch", "avsenderens nøkkel er ikke den medlemskapet oppgir";
        SnapshotNotFromAdviser = "snapshot_not_from_adviser", "bare veilederens enheter kan sende øyeblikksbilder";
        NoKeyForEpoch = "no_key_for_epoch", "enheten har ingen nøkkel for epoken";
        RecordUnopenable = "record_unopenable", "posten kan ikke åpnes";
        RecordUnreadable = "record_unreadable", "posten kan ikke leses";
        RecordNotApplied = "record_not_applied", "posten kan ikke legges inn";
    }
}

impl fmt::Display for Notice {
    /// `code name=value …`: what the CLI prints.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code)?;
        for (k, v) in &self.params {
            write!(f, " {k}={v:?}")?;
        }
        Ok(())
    }
}

/// An error with a stable code and parameters, written by [`coded!`](crate::coded).
pub trait Coded {
    fn kind(&self) -> &'static str;
    fn params(&self) -> Vec<(&'static str, String)>;

    fn notice(&self) -> Notice {
        Notice {
            code: self.kind().to_owned(),
            params: self
                .params()
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
        }
    }
}

/// Writes an error type's `kind()`, `params()` and `KINDS` (every code it names itself) from one
/// list of arms, so a new variant cannot lack a code and the UI's texts can be checked against
/// every code. Each arm is `pattern => "code" { param, param = expression }`; the parameters are
/// bound by the pattern (a bare name is shown with `Display`). Variants that wrap another coded
/// error go in `via { pattern => inner }` and take its code and parameters.
#[macro_export]
macro_rules! coded {
    (
        $ty:ty {
            $( $pat:pat => $kind:literal $({ $($p:ident $(= $e:expr)?),* $(,)? })?; )*
        }
        $( via { $( $dpat:pat => $dexpr:expr; )* } )?
    ) => {
        impl $ty {
            /// Every code this type names itself (not those of the errors it wraps).
            pub const KINDS: &'static [&'static str] = &[$($kind),*];

            /// A stable, machine-readable code for the UI.
            #[allow(unused_variables)]
            pub fn kind(&self) -> &'static str {
                match self {
                    $($( $dpat => $dexpr.kind(), )*)?
                    $( $pat => $kind, )*
                }
            }

            /// The values the UI's sentence for [`Self::kind`] names.
            pub fn params(&self) -> Vec<(&'static str, String)> {
                match self {
                    $($( $dpat => $dexpr.params(), )*)?
                    $( $pat => vec![$($( (stringify!($p), $crate::__coded_param!($p $(, $e)?)) ),*)?], )*
                }
            }
        }

        impl $crate::Coded for $ty {
            fn kind(&self) -> &'static str {
                <$ty>::kind(self)
            }
            fn params(&self) -> Vec<(&'static str, String)> {
                <$ty>::params(self)
            }
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __coded_param {
    ($p:ident) => {
        $p.to_string()
    };
    ($p:ident, $e:expr) => {
        $e.to_string()
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_survives_storage_and_an_old_sentence_is_kept() {
        let n = Notice::new("record_quarantined")
            .with("seq", 7)
            .with("sender", "Per «V»");
        assert_eq!(Notice::from_stored(&n.to_json()), n);
        let old = Notice::from_stored("synkronisering slått på");
        assert_eq!(old.code, LogEvent::LegacyText.code());
        assert_eq!(old.param("text"), Some("synkronisering slått på"));
    }

    #[test]
    fn an_event_caused_by_an_error_names_the_error_and_its_values() {
        let e = crate::ValidationError::TooLong {
            field: crate::Field::Summary,
            max: 10,
            len: 12,
        };
        let n = Notice::caused_by(LogEvent::SyncRefused, &e.notice());
        assert_eq!(n.param("error"), Some("too_long"));
        assert_eq!(n.param("field"), Some("summary"));
        assert_eq!(n.param("max"), Some("10"));
        assert_eq!(
            n.to_string(),
            r#"sync_refused error="too_long" field="summary" len="12" max="10""#
        );
    }
}
