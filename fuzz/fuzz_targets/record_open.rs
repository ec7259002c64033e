//! What a device does with records the relay hands it (crates/sync/src/lib.rs): decode, check the
//! sender's signature, decrypt with the document key (`SealedRecord::open`).
//!
//! Input: tried as one `SealedRecord` (as the relay stores it and the client quarantines it) and as
//! a whole `SyncResponse` (as the client receives it, with a sender key per record). A lone record
//! is opened as it is, then re-signed with the sender's key (a member can sign anything) so that
//! hostile ciphertext gets past the signature to the AEAD.
#![no_main]

use folgesvenn_fuzz::{check_resign_matches_protocol, device_key, doc_key, resign};
use folgesvenn_protocol::SealedRecord;
use folgesvenn_protocol::wire::{self, Accepted, ErrorBody, SealedBundle, SyncResponse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: check_resign_matches_protocol(),
    |data: &[u8]| {
        let key = doc_key();
        let sender = device_key();
        if let Ok(mut rec) = wire::decode::<SealedRecord>(data) {
            let _ = rec.open(&key, &sender.public());
            resign(&mut rec, &sender);
            let _ = rec.open(&key, &sender.public());
        }
        if let Ok(resp) = wire::decode::<SyncResponse>(data) {
            for d in &resp.docs {
                for stored in &d.records {
                    let _ = stored.record.open(&key, &stored.sender_key);
                }
            }
        }
        // The client's other answers from the relay.
        let _ = wire::decode::<ErrorBody>(data);
        let _ = wire::decode::<Accepted>(data);
        let _ = wire::decode::<SealedBundle>(data);
    }
);
