//! What the relay does with the bytes of a request before it trusts them (crates/relay/src/api.rs):
//! the body decoded as every request type, the records of a sync request checked against the
//! sender's key, and the authentication headers parsed and verified.
//!
//! Input: the whole input is tried as the body of every endpoint. When it also has the form
//! `device \n time \n nonce \n signature \n body`, it goes through authentication as well.
#![no_main]

use folgesvenn_fuzz::{NOW_MS, SYNC_PATH, device_key, relay_signed_headers, split_request};
use folgesvenn_protocol::PublicKey;
use folgesvenn_protocol::wire::{
    self, AcceptInvitation, CreateDoc, CreateInvitation, FetchBundle, RegisterDevice, RemoveMember,
    SetEndDate, SyncRequest,
};
use libfuzzer_sys::fuzz_target;

/// Every request body the relay decodes, as the handlers decode it.
fn decode_bodies(body: &[u8], registered: &PublicKey) {
    let _ = wire::decode::<RegisterDevice>(body);
    let _ = wire::decode::<CreateDoc>(body);
    let _ = wire::decode::<SetEndDate>(body);
    let _ = wire::decode::<CreateInvitation>(body);
    let _ = wire::decode::<AcceptInvitation>(body);
    let _ = wire::decode::<FetchBundle>(body);
    let _ = wire::decode::<RemoveMember>(body);
    if let Ok(req) = wire::decode::<SyncRequest>(body) {
        // The relay checks each pushed record's signature before it stores it.
        for d in &req.docs {
            for rec in &d.records {
                let _ = rec.verify(registered);
            }
        }
    }
}

/// The relay's `authenticate`, without the storage: a registration is checked against the key
/// it brings along, every other request against the registered key.
fn authenticate(data: &[u8], registered: &PublicKey) {
    let Some((h, body)) = split_request(data) else {
        return;
    };
    let Some(signed) = relay_signed_headers(h[0], h[1], h[2], h[3]) else {
        return;
    };
    let key = match wire::decode::<RegisterDevice>(body) {
        Ok(msg) => msg.public_key,
        Err(_) => *registered,
    };
    let _ = signed.verify(&key, "POST", SYNC_PATH, body, NOW_MS);
}

fuzz_target!(|data: &[u8]| {
    let registered = device_key().public();
    decode_bodies(data, &registered);
    authenticate(data, &registered);
});
