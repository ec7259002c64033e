//! The invitation a device hands to another on site: the relay address, the document, the
//! one-time secret, the document key and the document itself. Encoded as a typeable code
//! (Crockford-style base32 without padding, in groups of five) and, by the app, as a QR code.

use data_encoding::BASE32_NOPAD;
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

const PREFIX: &str = "FS1-";

impl Invitation {
    /// The code to show, copy or type: `FS1-` and base32 in groups of five.
    pub fn to_code(&self) -> String {
        let raw = folgesvenn_protocol::wire::encode(self);
        let b32 = BASE32_NOPAD.encode(&raw);
        let groups: Vec<&str> = b32
            .as_bytes()
            .chunks(5)
            .map(|c| std::str::from_utf8(c).unwrap_or_default())
            .collect();
        format!("{PREFIX}{}", groups.join("-"))
    }

    /// Reads a code back, forgiving spaces, dashes, line breaks and lower case.
    pub fn from_code(code: &str) -> Result<Invitation, SyncError> {
        let body = code
            .trim()
            .strip_prefix(PREFIX)
            .or_else(|| code.trim().strip_prefix("fs1-"))
            .ok_or(SyncError::BadInvitation)?;
        let cleaned: String = body
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let raw = BASE32_NOPAD
            .decode(cleaned.as_bytes())
            .map_err(|_| SyncError::BadInvitation)?;
        folgesvenn_protocol::wire::decode(&raw).map_err(|_| SyncError::BadInvitation)
    }
}

pub(crate) fn pending(id: Uuid, secret: &[u8; 16]) -> String {
    format!("{id}:{}", hex_encode(secret))
}

pub(crate) fn parse_pending(s: &str) -> Option<(Uuid, [u8; 16])> {
    let (id, secret) = s.split_once(':')?;
    let bytes = (0..secret.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(secret.get(i..i + 2)?, 16).ok())
        .collect::<Option<Vec<u8>>>()?;
    Some((id.parse().ok()?, bytes.try_into().ok()?))
}

fn hex_encode(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_forgive_typing() {
        let inv = Invitation {
            relay: "https://relay.example".into(),
            doc_id: Uuid::new_v4(),
            private: false,
            invitation_id: Uuid::new_v4(),
            secret: [3; 16],
            doc_key: [9; 32],
            epoch: 1,
            expires_at_ms: 1_800_000_000_000,
            snapshot: vec![1, 2, 3],
            role: MemberRole::Employer,
            anchor: Anchor {
                device_id: Uuid::new_v4(),
                device_key: folgesvenn_protocol::PublicKey([4; 32]),
                box_key: folgesvenn_protocol::BoxKey([6; 32]),
            },
            anchor_name: "Nora".into(),
            statements: Vec::new(),
            invitation_key: [5; 32],
            doc_keys: vec![(1, [9; 32])],
        };
        let code = inv.to_code();
        assert!(code.starts_with("FS1-"));
        assert_eq!(Invitation::from_code(&code).unwrap(), inv);
        let typed = code.to_lowercase().replace('-', " ");
        assert_eq!(
            Invitation::from_code(&typed.replacen("fs1 ", "fs1-", 1)).unwrap(),
            inv
        );
        assert!(Invitation::from_code("FS1-AAAAA").is_err());
        assert!(Invitation::from_code("hei").is_err());
        let (id, secret) = parse_pending(&pending(inv.invitation_id, &inv.secret)).unwrap();
        assert_eq!((id, secret), (inv.invitation_id, inv.secret));
    }
}
