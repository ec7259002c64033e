//! What the fuzz targets share: fixed keys and a fixed clock (so a crasher replays the same way
//! every time), the checked-in base document, and copies of the few lines of relay and client
//! glue that cannot be called from outside their crates. Each copy names the code it mirrors;
//! keep them in step.

use folgesvenn_domain::SharedDoc;
use folgesvenn_protocol::auth::SignedHeaders;
use folgesvenn_protocol::record::{RecordHeader, SealedRecord};
use folgesvenn_protocol::{DeviceKey, DocKey, RecordKind};
use uuid::Uuid;

/// The relay's clock in every target: 2026-11-18T11:06:40Z.
pub const NOW_MS: i64 = 1_795_000_000_000;

/// The device that sends requests and records in the seeds (and is "registered" at the relay).
pub const DEVICE_ID: Uuid = Uuid::from_u128(0x0f01_6e5b_0000_4000_8000_0000_0000_0001);
/// The document of the seeds' records.
pub const DOC_ID: Uuid = Uuid::from_u128(0x0f01_6e5b_0000_4000_8000_0000_0000_00d0);
/// The path every signed seed request is signed for.
pub const SYNC_PATH: &str = "/v2/sync";

/// The checked-in base document that `apply_changes` applies received bytes to (written by
/// `examples/make_seeds.rs`; its seeds are changes on top of it, so the two go together).
pub const BASE_DOC: &[u8] = include_bytes!("../seeds/base_shared_doc.automerge");

pub fn device_key() -> DeviceKey {
    DeviceKey::from_bytes(&[0x11; 32]).expect("32 bytes")
}

pub fn doc_key() -> DocKey {
    DocKey::from_bytes(&[0x22; 32]).expect("32 bytes")
}

pub fn base_doc() -> SharedDoc {
    SharedDoc::load(BASE_DOC).expect("fuzz/seeds/base_shared_doc.automerge loads")
}

/// `HeaderValue::to_str` (http crate), which the relay's `header()` uses: visible ASCII and tab.
fn header_str(bytes: &[u8]) -> Option<&str> {
    if bytes.iter().all(|&b| (32..127).contains(&b) || b == b'\t') {
        std::str::from_utf8(bytes).ok()
    } else {
        None
    }
}

/// The header half of the relay's `authenticate` (crates/relay/src/api.rs): the four
/// authentication header values, parsed exactly as the relay parses them.
pub fn relay_signed_headers(
    device: &[u8],
    time: &[u8],
    nonce: &[u8],
    signature: &[u8],
) -> Option<SignedHeaders> {
    Some(SignedHeaders {
        device: header_str(device)?.parse().ok()?,
        time_ms: header_str(time)?.parse().ok()?,
        nonce: header_str(nonce)?.to_owned(),
        signature: header_str(signature)?.to_owned(),
    })
}

/// Splits a `relay_request` input into the four header values and the body:
/// `device \n time \n nonce \n signature \n body`. `None` when there are fewer than four `\n`.
pub fn split_request(data: &[u8]) -> Option<([&[u8]; 4], &[u8])> {
    let mut parts = data.splitn(5, |&b| b == b'\n');
    let h = [parts.next()?, parts.next()?, parts.next()?, parts.next()?];
    Some((h, parts.next()?))
}

/// The inverse of [`split_request`], for the seeds.
pub fn join_request(h: &SignedHeaders, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "{}\n{}\n{}\n{}\n",
        h.device, h.time_ms, h.nonce, h.signature
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// `RecordHeader::associated_data` and `signed_bytes` (crates/protocol/src/record.rs, private):
/// what a record's signature covers. `record_open` re-signs hostile records with a member's key
/// (a member can sign anything), so they get past the signature to the AEAD.
/// [`check_resign_matches_protocol`] fails loudly when this copy drifts from the real format.
pub fn resign(rec: &mut SealedRecord, key: &DeviceKey) {
    let h = &rec.header;
    let mut m = b"folgesvenn/record/v1".to_vec();
    m.extend_from_slice(h.doc_id.as_bytes());
    m.extend_from_slice(h.device_id.as_bytes());
    m.extend_from_slice(&h.device_seq.to_be_bytes());
    m.push(h.kind as u8);
    m.extend_from_slice(&h.epoch.to_be_bytes());
    m.extend_from_slice(&h.covers_through.to_be_bytes());
    m.extend_from_slice(&rec.nonce);
    m.extend_from_slice(&rec.ciphertext);
    rec.signature = key.sign(&m);
}

/// Ed25519 signatures are deterministic, so re-signing a freshly sealed record must reproduce
/// its signature exactly.
pub fn check_resign_matches_protocol() {
    let key = device_key();
    let header = RecordHeader {
        doc_id: DOC_ID,
        device_id: DEVICE_ID,
        device_seq: 3,
        kind: RecordKind::Snapshot,
        epoch: 2,
        covers_through: 9,
    };
    let rec = SealedRecord::seal(header, b"check", &doc_key(), &key);
    let mut copy = rec.clone();
    resign(&mut copy, &key);
    assert_eq!(
        copy.signature, rec.signature,
        "folgesvenn_fuzz::resign no longer matches crates/protocol/src/record.rs; update it"
    );
}

/// `as_changes` (crates/sync/src/engine.rs): an opened record becomes the framed changes the
/// store applies: a `Changes` record inflated, a `Snapshot` split from its roster, loaded strictly
/// and re-framed.
pub fn as_changes(kind: RecordKind, plaintext: &[u8]) -> Result<Vec<u8>, String> {
    match kind {
        RecordKind::Changes => {
            folgesvenn_domain::changes::decompress(plaintext).map_err(|e| e.to_string())
        }
        RecordKind::Snapshot => {
            let (_, document) = folgesvenn_protocol::roster::unpack_snapshot(plaintext)
                .map_err(|e| e.to_string())?;
            folgesvenn_domain::changes::from_snapshot(document).map_err(|e| e.to_string())
        }
        RecordKind::Roster => Err("a roster record holds no changes".to_owned()),
    }
}

/// libFuzzer's panic hook aborts at once, before any `catch_unwind` can act. automerge 0.12
/// panics on some malformed input, and the domain crate contains exactly those panics behind its
/// wall (`doc::contained`), as the app relies on. So a panic raised inside automerge is left to
/// unwind to that wall; every other panic aborts as before. A panic in automerge that our code
/// does *not* contain still reaches libfuzzer-sys's own `catch_unwind`, which aborts: a finding.
pub fn contain_automerge_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let aborting = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_automerge = info
                .location()
                .is_some_and(|l| l.file().contains("/automerge-"));
            if !in_automerge {
                aborting(info);
            }
        }));
    });
}
