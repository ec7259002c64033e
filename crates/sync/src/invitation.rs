//! The invitation a device hands to another on site: the relay address, the document, the
//! one-time secret, the document key and the document itself. Sealed under the invitation's short
//! code and encoded as a pasteable code (`FS2-`, base32 without padding, in groups of five) and,
//! by the app, as a QR code. The short code is shown beside it and typed on the other device: the
//! long code alone (a photo of the QR code, a clipboard history) opens nothing.

use data_encoding::{BASE32_NOPAD, HEXLOWER};
use folgesvenn_protocol::bundle::ShortCode;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use folgesvenn_protocol::roster::{Anchor, Statement};
use folgesvenn_protocol::wire::MemberRole;

use crate::SyncError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    pub relay: String,
    pub doc_id: Uuid,
    /// An invitation to the adviser-private document (the adviser's own second device).
    pub private: bool,
    pub invitation_id: Uuid,
    pub secret: [u8; 16],
    pub doc_key: [u8; 32],
    pub epoch: u32,
    pub expires_at_ms: i64,
    pub snapshot: Vec<u8>,
    /// The role the inviting adviser granted: what the accepting device may write, whatever it
    /// chose at its own set-up.
    pub role: MemberRole,
    /// The device that created the document, and its person: where membership starts.
    pub anchor: Anchor,
    pub anchor_name: String,
    /// The inviter's membership statements and the grant of this invitation, so the new device
    /// can check every member's role from the first record it receives.
    pub statements: Vec<Statement>,
    /// The invitation's one-time signing key, with which the device claims the grant.
    pub invitation_key: [u8; 32],
    /// Every key the document has had (epoch, key), to read records sealed before a rotation.
    pub doc_keys: Vec<(u32, [u8; 32])>,
}

const PREFIX: &str = "FS2-";
/// The unsealed codes of the first version, refused with their own error.
const OLD_PREFIX: &str = "FS1-";

/// A full code (to be opened with its short code), as opposed to a short code alone.
pub fn is_full_code(code: &str) -> bool {
    let start = code.trim().get(..4).unwrap_or_default();
    start.eq_ignore_ascii_case(PREFIX) || start.eq_ignore_ascii_case(OLD_PREFIX)
}

impl Invitation {
    /// The code to show, copy or paste: `FS2-` and, in groups of five, base32 of the invitation
    /// sealed under `short` (which the other device must type to open it).
    pub fn to_code(&self, short: &ShortCode) -> String {
        let raw = short.seal_full_code(&folgesvenn_protocol::wire::encode(self));
        let b32 = BASE32_NOPAD.encode(&raw);
        let groups: Vec<&str> = b32
            .as_bytes()
            .chunks(5)
            .map(|c| std::str::from_utf8(c).unwrap_or_default())
            .collect();
        format!("{PREFIX}{}", groups.join("-"))
    }

    /// Reads a code back with its short code, forgiving spaces, dashes, line breaks and lower
    /// case in both. A short code that does not open it is [`SyncError::ShortCodeMismatch`].
    pub fn from_code(code: &str, short: &ShortCode) -> Result<Invitation, SyncError> {
        let code = code.trim();
        let prefix = code.get(..4).unwrap_or_default();
        if prefix.eq_ignore_ascii_case(OLD_PREFIX) {
            return Err(SyncError::OldInvitationCode);
        }
        if !prefix.eq_ignore_ascii_case(PREFIX) {
            return Err(SyncError::BadInvitation);
        }
        let body = &code[PREFIX.len()..];
        let cleaned: String = body
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let raw = BASE32_NOPAD
            .decode(cleaned.as_bytes())
            .map_err(|_| SyncError::BadInvitation)?;
        // Shorter than a nonce and a tag: cut off, whatever the short code.
        if raw.len() < folgesvenn_protocol::bundle::SEALED_OVERHEAD {
            return Err(SyncError::BadInvitation);
        }
        let plain = short
            .open_full_code(&raw)
            .map_err(|_| SyncError::ShortCodeMismatch)?;
        folgesvenn_protocol::wire::decode(&plain).map_err(|_| SyncError::BadInvitation)
    }
}

pub(crate) fn pending(id: Uuid, secret: &[u8; 16]) -> String {
    format!("{id}:{}", HEXLOWER.encode(secret))
}

pub(crate) fn parse_pending(s: &str) -> Option<(Uuid, [u8; 16])> {
    let (id, secret) = s.split_once(':')?;
    let bytes = HEXLOWER.decode(secret.as_bytes()).ok()?;
    Some((id.parse().ok()?, bytes.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(secret: [u8; 16], doc_key: [u8; 32], snapshot: Vec<u8>) -> Invitation {
        Invitation {
            relay: "https://relay.example".into(),
            doc_id: Uuid::new_v4(),
            private: false,
            invitation_id: Uuid::new_v4(),
            secret,
            doc_key,
            epoch: 1,
            expires_at_ms: 1_800_000_000_000,
            snapshot,
            role: MemberRole::Employer,
            anchor: Anchor {
                device_id: Uuid::new_v4(),
                device_key: folgesvenn_protocol::PublicKey([4; 32]),
                box_key: folgesvenn_protocol::BoxKey([6; 32]),
            },
            anchor_name: "Nora".into(),
            statements: Vec::new(),
            invitation_key: [5; 32],
            doc_keys: vec![(1, doc_key)],
        }
    }

    #[test]
    fn codes_round_trip_and_forgive_typing() {
        let inv = sample([3; 16], [9; 32], vec![1, 2, 3]);
        let short = ShortCode::generate();
        let code = inv.to_code(&short);
        assert!(code.starts_with("FS2-") && is_full_code(&code));
        assert_eq!(Invitation::from_code(&code, &short).unwrap(), inv);
        let typed = code.to_lowercase().replace('-', " ");
        assert_eq!(
            Invitation::from_code(&typed.replacen("fs2 ", "fs2-", 1), &short).unwrap(),
            inv
        );
        assert!(matches!(
            Invitation::from_code("FS2-AAAAA", &short),
            Err(SyncError::BadInvitation)
        ));
        assert!(matches!(
            Invitation::from_code("hei", &short),
            Err(SyncError::BadInvitation)
        ));
        assert!(!is_full_code("ABCD-EFGH-JKLM-NPQR"));
        let (id, secret) = parse_pending(&pending(inv.invitation_id, &inv.secret)).unwrap();
        assert_eq!((id, secret), (inv.invitation_id, inv.secret));
    }

    /// Issue 12, finding 6: the full code carried the document key readable by anyone who saw
    /// it. Now nothing of the invitation shows in the code, and it opens only with its short code.
    #[test]
    fn the_full_code_reveals_nothing_without_its_short_code() {
        let inv = sample([0x5a; 16], [0xd7; 32], b"Kari Nordmann har angst".to_vec());
        let short = ShortCode::generate();
        let code = inv.to_code(&short);
        let raw = BASE32_NOPAD
            .decode(code[PREFIX.len()..].replace('-', "").as_bytes())
            .unwrap();
        let plain = folgesvenn_protocol::wire::encode(&inv);
        assert_ne!(raw.len(), 0);
        for secret in [
            &inv.doc_key[..],
            &inv.secret[..],
            &inv.snapshot[..],
            inv.relay.as_bytes(),
            inv.doc_id.as_bytes(),
        ] {
            assert!(
                !raw.windows(secret.len()).any(|w| w == secret),
                "the code shows a part of the invitation"
            );
            assert!(plain.windows(secret.len()).any(|w| w == secret));
        }
        assert!(matches!(
            Invitation::from_code(&code, &ShortCode::generate()),
            Err(SyncError::ShortCodeMismatch)
        ));
        // A code of the first version (the invitation in the clear) is refused, not read.
        let old = format!("FS1-{}", BASE32_NOPAD.encode(&plain));
        assert!(matches!(
            Invitation::from_code(&old, &short),
            Err(SyncError::OldInvitationCode)
        ));
    }
}
