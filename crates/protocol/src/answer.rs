//! What a device checks in a sync answer before it applies any of it.
//!
//! The relay cannot read records, but it chooses which ones a device gets, in what order, and
//! where the device reads on next time. An answer that does not fit the request it answers is
//! refused whole: nothing in it is applied, no outbox entry is taken as acknowledged, the cursor
//! stays. So a lying relay (or a broken one) can delay a device, never make it drop a queued
//! change or skip records for good. What a single record may hold is checked later, record by
//! record, by opening it (a record that fails is quarantined, the rest applies).
//!
//! Every check here holds for every answer the real relay gives (its `pull` in `crates/relay`):
//! a check that an honest answer could fail would stop a device's sync for good.

use std::collections::HashSet;

use uuid::Uuid;

use crate::RecordKind;
use crate::wire::{DocStatus, SyncRequest, SyncResponse};

/// Why an answer was refused. Shown to the user in the sync status, so in Norwegian.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AnswerFault {
    #[error("svaret gjelder et dokument enheten ikke spurte om")]
    UnknownDoc,
    #[error("svaret nevner samme dokument to ganger")]
    DocTwice,
    #[error("svaret bekrefter en post enheten ikke sendte")]
    AckNotSent,
    #[error("svaret sier ikke hva som skjedde med en post enheten sendte")]
    SentNotAnswered,
    #[error("svaret mangler et dokument enheten spurte om")]
    DocMissing,
    #[error("svaret inneholder poster for et dokument enheten ikke har tilgang til")]
    ContentWithoutAccess,
    #[error("svaret inneholder en post fra et annet dokument")]
    WrongDoc,
    #[error("svaret sender enhetens egne poster tilbake")]
    OwnRecord,
    #[error("svaret har samme post to ganger")]
    RecordTwice,
    #[error("svaret har poster etter posisjonen det oppgir")]
    RecordBeyondCursor,
    #[error("svaret oppgir en posisjon lenger fram enn det som er sendt")]
    CursorBeyondRecords,
    #[error("svaret sier at mer venter, men sender ingenting")]
    MoreWithoutProgress,
}

/// Checks `response` against the `request` it answers, for `device`. `own_seq(doc)` is the highest
/// device sequence number this device has used for `doc` (an upper bound on how many of its own
/// records the relay holds, which the relay skips over without sending).
pub fn check_answer(
    device: Uuid,
    request: &SyncRequest,
    own_seq: impl Fn(Uuid) -> u64,
    response: &SyncResponse,
) -> Result<(), AnswerFault> {
    let mut seen = HashSet::new();
    let mut received = 0usize;
    let mut more = false;
    for result in &response.docs {
        let asked = request
            .docs
            .iter()
            .find(|d| d.doc_id == result.doc_id)
            .ok_or(AnswerFault::UnknownDoc)?;
        if !seen.insert(result.doc_id) {
            return Err(AnswerFault::DocTwice);
        }
        if result.status != DocStatus::Ok {
            if !result.acked.is_empty() || !result.records.is_empty() {
                return Err(AnswerFault::ContentWithoutAccess);
            }
            continue;
        }
        let sent: HashSet<u64> = asked.records.iter().map(|r| r.header.device_seq).collect();
        let answered: Vec<u64> = result
            .acked
            .iter()
            .copied()
            .chain(result.rejected.iter().map(|(seq, _)| *seq))
            .collect();
        let mut once = HashSet::new();
        if answered
            .iter()
            .any(|s| !sent.contains(s) || !once.insert(*s))
        {
            return Err(AnswerFault::AckNotSent);
        }
        // The relay stores or refuses each record it is sent, and says which.
        if once.len() != sent.len() {
            return Err(AnswerFault::SentNotAnswered);
        }

        let cursor = result.cursor;
        let mut seqs = HashSet::new();
        let mut covers = 0u64;
        // The snapshot a reader behind it gets first is stored after the records that follow it
        // in the answer, so its own position may lie beyond the cursor; only one such.
        let mut ahead = 0;
        for rec in &result.records {
            let h = &rec.record.header;
            if h.doc_id != result.doc_id {
                return Err(AnswerFault::WrongDoc);
            }
            if h.device_id == device {
                return Err(AnswerFault::OwnRecord);
            }
            if !seqs.insert(rec.server_seq) {
                return Err(AnswerFault::RecordTwice);
            }
            if h.kind == RecordKind::Snapshot {
                if h.covers_through > cursor {
                    return Err(AnswerFault::RecordBeyondCursor);
                }
                covers = covers.max(h.covers_through);
                if rec.server_seq > cursor {
                    ahead += 1;
                }
            } else if rec.server_seq > cursor {
                return Err(AnswerFault::RecordBeyondCursor);
            }
        }
        if ahead > 1 {
            return Err(AnswerFault::RecordBeyondCursor);
        }
        // Between where the relay read from and the cursor lie only records it sent and this
        // device's own (it skips those); covered records lie at or below a snapshot's cover.
        let bound = asked
            .since
            .max(covers)
            .saturating_add(result.records.len() as u64)
            .saturating_add(own_seq(result.doc_id));
        if cursor > bound {
            return Err(AnswerFault::CursorBeyondRecords);
        }
        received += result.records.len();
        more |= result.more;
    }
    if seen.len() != request.docs.len() {
        return Err(AnswerFault::DocMissing);
    }
    // The relay serves at least one record in any answer where something waits.
    if more && received == 0 {
        return Err(AnswerFault::MoreWithoutProgress);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{DeviceKey, DocKey};
    use crate::record::{RecordHeader, SealedRecord};
    use crate::wire::{DocResult, DocSync, StoredRecord};

    fn record(doc: Uuid, from: Uuid, seq: u64, kind: RecordKind, covers: u64) -> SealedRecord {
        SealedRecord::seal(
            RecordHeader {
                doc_id: doc,
                device_id: from,
                device_seq: seq,
                kind,
                epoch: 1,
                covers_through: covers,
            },
            b"x",
            &DocKey::generate(),
            &DeviceKey::generate(),
        )
    }

    fn stored(server_seq: u64, record: SealedRecord) -> StoredRecord {
        StoredRecord {
            server_seq,
            sender_key: DeviceKey::generate().public(),
            record,
        }
    }

    /// The device sent records 1 and 2 from since 10; the relay answers with two records of
    /// another device, a snapshot served first, and the cursor after them.
    fn honest() -> (Uuid, SyncRequest, SyncResponse) {
        let (me, other, doc) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let request = SyncRequest {
            docs: vec![DocSync {
                doc_id: doc,
                since: 10,
                records: vec![
                    record(doc, me, 1, RecordKind::Changes, 0),
                    record(doc, me, 2, RecordKind::Changes, 0),
                ],
            }],
        };
        let response = SyncResponse {
            docs: vec![DocResult {
                doc_id: doc,
                status: DocStatus::Ok,
                acked: vec![1],
                rejected: vec![(2, "nei".into())],
                records: vec![
                    stored(30, record(doc, other, 9, RecordKind::Snapshot, 20)),
                    stored(21, record(doc, other, 7, RecordKind::Changes, 0)),
                    stored(22, record(doc, other, 8, RecordKind::Changes, 0)),
                ],
                cursor: 24,
                more: false,
            }],
        };
        (me, request, response)
    }

    fn check(me: Uuid, req: &SyncRequest, resp: &SyncResponse) -> Result<(), AnswerFault> {
        check_answer(me, req, |_| 2, resp)
    }

    #[test]
    fn an_honest_answer_passes_and_each_lie_is_named() {
        let (me, req, resp) = honest();
        assert_eq!(check(me, &req, &resp), Ok(()));
        let lie = |f: &dyn Fn(&mut SyncResponse)| {
            let mut r = resp.clone();
            f(&mut r);
            check(me, &req, &r)
        };
        assert_eq!(
            lie(&|r| r.docs[0].doc_id = Uuid::new_v4()),
            Err(AnswerFault::UnknownDoc)
        );
        assert_eq!(
            lie(&|r| r.docs.push(r.docs[0].clone())),
            Err(AnswerFault::DocTwice)
        );
        assert_eq!(
            lie(&|r| r.docs[0].acked.push(3)),
            Err(AnswerFault::AckNotSent)
        );
        assert_eq!(
            lie(&|r| r.docs[0].acked.push(2)),
            Err(AnswerFault::AckNotSent),
            "acknowledged and rejected at once"
        );
        assert_eq!(
            lie(&|r| r.docs[0].rejected.clear()),
            Err(AnswerFault::SentNotAnswered)
        );
        assert_eq!(lie(&|r| r.docs.clear()), Err(AnswerFault::DocMissing));
        assert_eq!(
            lie(&|r| {
                r.docs[0].status = DocStatus::NotMember;
                r.docs[0].acked.clear();
                r.docs[0].records.clear();
            }),
            Ok(())
        );
        assert_eq!(
            lie(&|r| r.docs[0].status = DocStatus::NotMember),
            Err(AnswerFault::ContentWithoutAccess)
        );
        assert_eq!(
            lie(&|r| r.docs[0].records[1].record.header.doc_id = Uuid::new_v4()),
            Err(AnswerFault::WrongDoc)
        );
        assert_eq!(
            lie(&|r| r.docs[0].records[1].record.header.device_id = me),
            Err(AnswerFault::OwnRecord)
        );
        assert_eq!(
            lie(&|r| r.docs[0].records[2].server_seq = 21),
            Err(AnswerFault::RecordTwice)
        );
        assert_eq!(
            lie(&|r| r.docs[0].records[2].server_seq = 25),
            Err(AnswerFault::RecordBeyondCursor)
        );
        assert_eq!(
            lie(&|r| r.docs[0].records[0].record.header.covers_through = 25),
            Err(AnswerFault::RecordBeyondCursor)
        );
        // since 10, covers 20, 3 records, 2 own: nothing honest lies beyond 25.
        assert_eq!(lie(&|r| r.docs[0].cursor = 25), Ok(()));
        assert_eq!(
            lie(&|r| r.docs[0].cursor = 1_000_000),
            Err(AnswerFault::CursorBeyondRecords)
        );
        assert_eq!(
            lie(&|r| {
                r.docs[0].records.clear();
                r.docs[0].cursor = 10;
                r.docs[0].more = true;
            }),
            Err(AnswerFault::MoreWithoutProgress)
        );
    }
}
