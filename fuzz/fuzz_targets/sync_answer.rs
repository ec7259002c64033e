//! What a device does with a relay's answer to its sync request before it applies anything
//! (crates/sync/src/engine.rs, `sync_once`): the answer decoded within the protocol's size limit,
//! checked against the request it answers (`folgesvenn_protocol::answer::check_answer`), and,
//! when it passes, each record opened with the document key and turned into changes
//! (`as_changes`, inflation capped).
//!
//! Input: `len (2 bytes, big-endian) | SyncRequest | SyncResponse`; anything else is taken as a
//! whole answer to a fixed request (one document, since 10, records 1 and 2 of this device).
//! Besides "no panic", it checks what the engine relies on when an answer passes: it acknowledges
//! only what was sent, holds none of this device's own records, and every requested document is
//! answered exactly once.
#![no_main]

use std::collections::HashSet;

use folgesvenn_fuzz::{DEVICE_ID, DOC_ID, as_changes, contain_automerge_panics, device_key, doc_key};
use folgesvenn_protocol::answer::check_answer;
use folgesvenn_protocol::wire::{self, DocStatus, DocSync, SyncRequest, SyncResponse};
use folgesvenn_protocol::{RecordHeader, RecordKind, SealedRecord};
use libfuzzer_sys::fuzz_target;

fn fixed_request() -> SyncRequest {
    let key = device_key();
    let rec = |seq| {
        SealedRecord::seal(
            RecordHeader {
                doc_id: DOC_ID,
                device_id: DEVICE_ID,
                device_seq: seq,
                kind: RecordKind::Changes,
                epoch: 1,
                covers_through: 0,
            },
            b"endring",
            &doc_key(),
            &key,
        )
    };
    SyncRequest {
        docs: vec![DocSync {
            doc_id: DOC_ID,
            since: 10,
            records: vec![rec(1), rec(2)],
        }],
    }
}

fn split(data: &[u8]) -> Option<(SyncRequest, &[u8])> {
    let len = u16::from_be_bytes([*data.first()?, *data.get(1)?]) as usize;
    let req = wire::decode::<SyncRequest>(data.get(2..2 + len)?).ok()?;
    Some((req, &data[2 + len..]))
}

fuzz_target!(|data: &[u8]| {
    contain_automerge_panics();
    let (request, answer) = split(data).unwrap_or_else(|| (fixed_request(), data));
    let Ok(response) = wire::decode::<SyncResponse>(answer) else {
        return;
    };
    if check_answer(DEVICE_ID, &request, |_| 2, &response).is_err() {
        return;
    }
    let mut answered = HashSet::new();
    for d in &response.docs {
        assert!(answered.insert(d.doc_id), "a document answered twice passed");
        let asked = request.docs.iter().find(|r| r.doc_id == d.doc_id);
        let asked = asked.expect("an answer for a document not asked for passed");
        if d.status != DocStatus::Ok {
            assert!(d.acked.is_empty() && d.records.is_empty());
            continue;
        }
        for seq in &d.acked {
            assert!(
                asked.records.iter().any(|r| r.header.device_seq == *seq),
                "an acknowledgement of a record never sent passed"
            );
        }
        let key = doc_key();
        for stored in &d.records {
            assert_ne!(stored.record.header.device_id, DEVICE_ID, "an own record passed");
            if let Ok(plain) = stored.record.open(&key, &stored.sender_key) {
                let _ = as_changes(stored.record.header.kind, &plain);
            }
        }
    }
    assert_eq!(answered.len(), request.docs.len(), "a document left unanswered passed");
});
