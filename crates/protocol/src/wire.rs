//! The messages of protocol version 2, encoded with postcard (compact, schema-checked by serde).
//! Every request and response body is one of these; errors are [`ErrorBody`].

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ProtocolError;
use crate::keys::PublicKey;
use crate::record::SealedRecord;

/// The largest body either side accepts. A day's work is a few KiB; a snapshot of a three-year
/// placement is a few hundred.
pub const MAX_BODY: usize = 4 * 1024 * 1024;

/// A relay closes a connection that has sent no request for this long (its header timeout), so
/// a device keeps an idle connection for less. Otherwise a device whose runtime did not run
/// meanwhile (a phone asleep, a process busy) sends its next request down a connection the relay
/// has closed, and that sync fails.
pub const IDLE_CONNECTION: std::time::Duration = std::time::Duration::from_secs(10);
/// Documents one `/v2/sync` or `/v2/wait` request may name; the relay refuses more (400).
pub const MAX_DOCS_PER_REQUEST: usize = 256;

/// The largest record (its ciphertext) the relay stores; a device never sends a larger one. It
/// leaves room in [`MAX_BODY`] for a full pull budget beside it, so an answer always fits.
pub const MAX_RECORD: usize = 1024 * 1024;

/// Why the relay refuses a record when its document already holds as much as the relay stores for
/// one document (`rejected` in a [`DocResult`]). The device keeps the record queued and says so;
/// an adviser's snapshot, which replaces what it covers, makes room.
pub const REJECT_DOCUMENT_FULL: &str = "the document holds as much as the relay stores for one";

/// The most bytes of records one sync answer carries in all, over every document in it. The first
/// record of an answer is served even if it is larger, so an answer is at most this plus one
/// record plus framing: within [`MAX_BODY`].
pub const MAX_PULL: usize = MAX_BODY - MAX_RECORD - 64 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MemberRole {
    Adviser,
    Employer,
}

/// `POST /v2/devices`: a device makes itself known. The request is signed with the key it
/// registers, so the relay learns a key only from its holder.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterDevice {
    pub device_id: Uuid,
    pub public_key: PublicKey,
}

/// `POST /v2/docs`: an adviser device starts a document on the relay and becomes its first member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateDoc {
    pub doc_id: Uuid,
}

/// How many days after a placement's end day employer members keep access: NAV's 12 weeks.
/// A checked copy of `folgesvenn_domain::EMPLOYER_ACCESS_DAYS` (the relay does not know the
/// domain; a test in the sync crate holds the two equal).
pub const EMPLOYER_ACCESS_DAYS: i64 = 84;

/// `POST /v2/docs/end-date`: the day the placement ended (days since 1970-01-01), or `None` when
/// it was reopened. Employer members keep access through `end_day + EMPLOYER_ACCESS_DAYS`.
/// Adviser members only, each from its own write of the end.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetEndDate {
    pub doc_id: Uuid,
    pub end_day: Option<i64>,
}

/// `POST /v2/invitations`: an adviser member invites one more device. The relay keeps only the
/// SHA-256 of the one-time secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateInvitation {
    pub doc_id: Uuid,
    pub invitation_id: Uuid,
    pub secret_hash: [u8; 32],
    pub role: MemberRole,
    pub expires_at_ms: i64,
    /// The invitation sealed under a short typeable code (`bundle.rs`), filed under the code's
    /// lookup value, for devices that type the code instead of scanning or pasting the full one.
    pub bundle: Option<SealedBundle>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedBundle {
    pub lookup: [u8; 32],
    pub sealed: Vec<u8>,
}

/// `POST /v2/invitations/fetch`: a registered device asks for the bundle filed under `lookup`;
/// answered with [`SealedBundle`] while the invitation is unused and unexpired, else 404.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchBundle {
    pub lookup: [u8; 32],
}

/// `POST /v2/invitations/accept`: the invited device presents the secret; once, before expiry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptInvitation {
    pub invitation_id: Uuid,
    pub secret: [u8; 16],
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accepted {
    pub doc_id: Uuid,
    pub role: MemberRole,
}

/// `POST /v2/members/remove`: an adviser member removes a device; it loses access at once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoveMember {
    pub doc_id: Uuid,
    pub device_id: Uuid,
}

/// `POST /v2/wait`: a long poll for a device that is online. The relay answers as soon as one of
/// the documents holds a record from another device beyond `since`, naming those documents, or
/// after its wait (about 25 seconds) with none; the device then syncs, or asks again. Documents
/// the device is no member of are left out, as in a sync.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitRequest {
    pub docs: Vec<DocCursor>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocCursor {
    pub doc_id: Uuid,
    /// The highest server sequence number this device has received for the document.
    pub since: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitResponse {
    /// The documents with something new; empty when the wait ran out.
    pub changed: Vec<Uuid>,
}

/// `POST /v2/news`: what is new for this device, in one small round trip however many documents
/// it has. The device sends a digest of its cursors ([`cursors_digest`]), and the relay computes
/// the same digest over what it has served the device (its unexpired memberships and each one's
/// `served_through`). Equal, the relay names the documents that hold records beyond that, and an
/// idle device is done: one round trip of a few hundred bytes. Different (an answer that was
/// lost, a membership the device does not know of yet or one that has ended), it answers
/// [`NewsResponse::Unknown`] and the device syncs every document, 256 to a request. With `wait`,
/// an answer that would name nothing waits instead, like `/v2/wait`, until another device stores
/// a record in one of this device's documents or about 25 seconds have passed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewsRequest {
    pub digest: [u8; 32],
    pub wait: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum NewsResponse {
    /// The relay served the device what its cursors say; these documents hold more (none: nothing
    /// new).
    Changed(Vec<Uuid>),
    /// The relay's account of what it served differs from the device's: sync every document.
    Unknown,
}

/// The digest both sides compute over a device's documents at one relay and the cursor of each
/// (the device: the highest server sequence number it holds; the relay: the highest it served the
/// device): SHA-256 over each (document id, cursor) pair, in the order of the ids, the id as its
/// 16 bytes and the cursor as 8 big-endian bytes. No documents: the digest of nothing.
pub fn cursors_digest(mut cursors: Vec<(Uuid, u64)>) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    cursors.sort_unstable_by_key(|(doc, _)| *doc);
    let mut hash = Sha256::new();
    for (doc, cursor) in cursors {
        hash.update(doc.as_bytes());
        hash.update(cursor.to_be_bytes());
    }
    hash.finalize().into()
}

/// `POST /v2/sync`: push and pull for any number of documents in one round trip.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncRequest {
    pub docs: Vec<DocSync>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocSync {
    pub doc_id: Uuid,
    /// The highest server sequence number this device has received for the document.
    pub since: u64,
    /// New records from this device, in device-sequence order.
    pub records: Vec<SealedRecord>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncResponse {
    pub docs: Vec<DocResult>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DocStatus {
    Ok,
    /// This device is not (or no longer) a member; nothing was stored or returned.
    NotMember,
    /// The membership has expired (12 weeks after the placement's end).
    Expired,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocResult {
    pub doc_id: Uuid,
    pub status: DocStatus,
    /// Device sequence numbers of pushed records the relay now holds (stored now or before).
    pub acked: Vec<u64>,
    /// Pushed records refused, with the reason (bad signature, wrong document…).
    pub rejected: Vec<(u64, String)>,
    /// Records from other devices after `since`, in server order.
    pub records: Vec<StoredRecord>,
    /// The server sequence number to send as `since` next time.
    pub cursor: u64,
    /// More records wait; sync again.
    pub more: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredRecord {
    pub server_seq: u64,
    pub sender_key: PublicKey,
    pub record: SealedRecord,
}

/// The body of every 4xx and 5xx answer: a stable code and a sentence, never any content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub kind: String,
    pub message: String,
}

pub fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    postcard::to_stdvec(value).expect("postcard encodes every protocol type")
}

pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ProtocolError> {
    if bytes.len() > MAX_BODY {
        return Err(ProtocolError::TooLarge(MAX_BODY));
    }
    postcard::from_bytes(bytes).map_err(|e| ProtocolError::Decode(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{DeviceKey, DocKey};
    use crate::record::{RecordHeader, RecordKind};

    /// The digest is the same in any order, and changes with any cursor, any document and the
    /// number of documents; a fixed vector pins the encoding both sides must share.
    #[test]
    fn the_cursor_digest_depends_on_every_pair_and_not_on_their_order() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let base = cursors_digest(vec![(a, 3), (b, 7)]);
        assert_eq!(base, cursors_digest(vec![(b, 7), (a, 3)]));
        assert_ne!(base, cursors_digest(vec![(a, 3), (b, 8)]));
        assert_ne!(base, cursors_digest(vec![(a, 3)]));
        assert_ne!(base, cursors_digest(vec![(a, 3), (Uuid::from_u128(9), 7)]));
        assert_eq!(
            hex::encode(cursors_digest(vec![])),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "SHA-256 of nothing"
        );
        use sha2::{Digest, Sha256};
        let mut by_hand = Vec::new();
        by_hand.extend_from_slice(a.as_bytes());
        by_hand.extend_from_slice(&3u64.to_be_bytes());
        by_hand.extend_from_slice(b.as_bytes());
        by_hand.extend_from_slice(&7u64.to_be_bytes());
        assert_eq!(base, <[u8; 32]>::from(Sha256::digest(&by_hand)));
    }

    #[test]
    fn messages_round_trip_and_garbage_is_refused() {
        let device = DeviceKey::generate();
        let rec = SealedRecord::seal(
            RecordHeader {
                doc_id: Uuid::new_v4(),
                device_id: Uuid::new_v4(),
                device_seq: 1,
                kind: RecordKind::Changes,
                epoch: 1,
                covers_through: 0,
            },
            b"changes",
            &DocKey::generate(),
            &device,
        );
        let req = SyncRequest {
            docs: vec![DocSync {
                doc_id: Uuid::new_v4(),
                since: 3,
                records: vec![rec],
            }],
        };
        let bytes = encode(&req);
        assert_eq!(decode::<SyncRequest>(&bytes).unwrap(), req);
        assert!(decode::<SyncRequest>(&bytes[..bytes.len() - 1]).is_err());
        assert!(decode::<SyncRequest>(b"\xff\xff\xff\xff\xff").is_err());
        assert_eq!(
            decode::<SyncRequest>(&vec![0; MAX_BODY + 1]),
            Err(ProtocolError::TooLarge(MAX_BODY))
        );
    }
}
