//! One sync: push the outbox, pull what others wrote, in one round trip per batch.

use std::panic::{AssertUnwindSafe, catch_unwind};

use folgesvenn_domain::rights::Authored;
use folgesvenn_domain::{Coded, LogEvent, Notice};
use folgesvenn_protocol::answer::check_answer;
use folgesvenn_protocol::roster::Roster;

use crate::members::Keys;
use folgesvenn_protocol::wire::{self, *};
use folgesvenn_protocol::{DeviceKey, DocKey, RecordHeader, RecordKind, SealedRecord};
use folgesvenn_store::{OUTBOX_ROSTER, OUTBOX_SNAPSHOT, Store, SyncDoc};
use uuid::Uuid;

use crate::SyncError;
use crate::client::{StoreAccess, SyncClient, device_key, doc_key, refused};
use crate::news::News;
use crate::outgoing::{ensure_registered, send_end_days, send_invitations, send_removals};
use crate::plan::{self, Join, RelayPlan};

/// Starts syncing a document this device created, with a fresh document key. The relay learns of
/// it on the next [`sync_once`]; until then it waits in the outbox.
pub fn share(store: &mut Store, doc_id: Uuid, relay: &str) -> Result<(), SyncError> {
    let relay = crate::relay_address(relay)?;
    let key = DocKey::generate();
    let device = device_key(store)?;
    store.enable_sync(doc_id, key.as_bytes(), 1, &relay, true, None)?;
    crate::members::anchor_here(store, doc_id, &device)?;
    Ok(())
}

/// Turns an opened record into the framed changes the store applies.
pub(crate) fn as_changes(kind: RecordKind, plaintext: &[u8]) -> Result<Vec<u8>, String> {
    match kind {
        RecordKind::Changes => {
            folgesvenn_domain::changes::decompress(plaintext).map_err(|e| e.to_string())
        }
        RecordKind::Snapshot => {
            let (_, document) = folgesvenn_protocol::roster::unpack_snapshot(plaintext)
                .map_err(|e| e.to_string())?;
            folgesvenn_domain::changes::from_snapshot(document).map_err(|e| e.to_string())
        }
        RecordKind::Roster => Err("medlemsliste, ikke endringer".to_owned()),
    }
}

/// What one call to [`sync_once`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub round_trips: usize,
    pub pushed: usize,
    pub received: usize,
    pub applied: usize,
    pub quarantined: usize,
    pub snapshots: usize,
    /// Employer devices removed because a withdrawn consent's removal had not been done
    /// (`members::finish_withdrawals`).
    pub withdrawals_finished: usize,
    /// Keys sealed to members that lacked them (see `members::top_up`).
    pub keys_shared: usize,
    /// Placements this (employer) device deleted because the relay says its access has ended.
    pub purged: usize,
    /// Own records the relay refused because their document is full; they stay queued.
    pub refused_full: usize,
}

const COUNTER_KEY: &str = "records_since_snapshot:";

fn counter_key(doc: Uuid) -> String {
    format!("{COUNTER_KEY}{doc}")
}

/// Set while the relay refuses this document's records because it holds as much as it stores for
/// one document: an adviser's device then snapshots at once, its own records still queued (the
/// snapshot holds them, and they follow once there is room).
const FULL_KEY: &str = "document_full:";

fn full_key(doc: Uuid) -> String {
    format!("{FULL_KEY}{doc}")
}

fn bump(store: &mut Store, doc: Uuid, by: u64) -> Result<u64, SyncError> {
    let key = counter_key(doc);
    let n = store
        .meta(&key)?
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0)
        + by;
    store.set_meta(&key, &n.to_string())?;
    Ok(n)
}

/// A snapshot's plaintext: every statement this device holds, then the document.
fn with_roster(store: &Store, doc: Uuid, saved: &[u8]) -> Result<Vec<u8>, SyncError> {
    let statements = crate::members::statements(store, doc)?;
    Ok(folgesvenn_protocol::roster::pack_snapshot(
        &statements,
        saved,
    ))
}

/// One prepared request: what to send and what was sent.
struct Prepared {
    request: SyncRequest,
    docs: Vec<SyncDoc>,
    /// (doc, device_seq) of snapshots in this request.
    snapshots: Vec<(Uuid, u64)>,
    held_back: bool,
    /// A queued record larger than the relay stores (its size): it and what follows it in its
    /// document stay queued.
    too_large: Option<usize>,
}

fn prepare(
    store: &mut Store,
    relay: &str,
    device: Uuid,
    key: &DeviceKey,
    (snapshot_after, push_budget): (u64, usize),
    chunk: &[Uuid],
) -> Result<Prepared, SyncError> {
    let docs: Vec<SyncDoc> = store
        .sync_docs()?
        .into_iter()
        .filter(|d| d.joined && d.relay == relay && chunk.contains(&d.doc_id))
        .collect();
    let mut request = SyncRequest {
        docs: Vec::with_capacity(docs.len()),
    };
    let mut snapshots = Vec::new();
    let mut budget = plan::Budget::new(push_budget);
    let mut held_back = false;
    let mut too_large = None;
    for d in &docs {
        let dk = doc_key(d)?;
        let keys = crate::members::Keys::of(store, d.doc_id)?;
        let header = |device_seq, kind, epoch, covers_through| RecordHeader {
            doc_id: d.doc_id,
            device_id: device,
            device_seq,
            kind,
            epoch,
            covers_through,
        };
        let roster = crate::members::roster_of(store, d)?;
        crate::members::top_up(store, d, &roster)?;
        let mut records = Vec::new();
        let mut sent = Vec::new();
        let items = store.outbox(d.doc_id)?;
        let all_items = items.len();
        let (count, waits) = plan::push_count(items.iter().map(|i| i.payload.len()), &mut budget);
        held_back |= waits;
        for (at, i) in items.iter().take(count).enumerate() {
            let device_seq = i.device_seq;
            let (kind, epoch, plaintext) = if i.kind == OUTBOX_SNAPSHOT {
                // automerge compresses saved documents itself
                (
                    RecordKind::Snapshot,
                    d.epoch,
                    with_roster(store, d.doc_id, &i.payload)?,
                )
            } else if i.kind == OUTBOX_ROSTER {
                // Statements go under the key they were queued for: a rotation's under the key
                // the remaining members already have.
                let (epoch, plain) = crate::members::split_queued(&i.payload)
                    .filter(|(e, _)| keys.get(*e).is_some())
                    .ok_or_else(|| SyncError::Protocol("medlemsliste i køen".into()))?;
                (RecordKind::Roster, epoch, plain.to_vec())
            } else {
                (
                    RecordKind::Changes,
                    d.epoch,
                    folgesvenn_domain::changes::compress(&i.payload),
                )
            };
            let seal_key = keys.get(epoch).unwrap_or(&dk);
            let sealed = SealedRecord::seal(
                header(device_seq, kind, epoch, 0),
                &plaintext,
                seal_key,
                key,
            );
            if sealed.ciphertext.len() > MAX_RECORD {
                // The relay would refuse it. Sent later, the ones after it might build on it.
                too_large = Some(sealed.ciphertext.len());
                store.log_sync(
                    Some(d.doc_id),
                    &Notice::event(LogEvent::OwnRecordTooLarge)
                        .with("seq", device_seq)
                        .with("size", sealed.ciphertext.len())
                        .with("max", MAX_RECORD),
                )?;
                // What was admitted after it stays queued too, and gives its share back.
                budget.give_back(items[at + 1..count].iter().map(|i| i.payload.len()));
                break;
            }
            records.push(sealed);
            sent.push(device_seq);
        }
        store.mark_sent(d.doc_id, &sent)?;
        let facts = plan::SnapshotFacts {
            relay_full: store.meta(&full_key(d.doc_id))?.as_deref() == Some("1"),
            records_since: store
                .meta(&counter_key(d.doc_id))?
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0),
            snapshot_after,
            adviser: roster
                .member(device)
                .is_some_and(|m| m.role == MemberRole::Adviser),
            queued: all_items,
            cursor: d.cursor,
            quarantined: store.quarantined(d.doc_id)?.len(),
            held_back,
        };
        let snapshot = if plan::snapshot_due(facts) {
            let saved = store.document_bytes(d.doc_id)?;
            let plain = with_roster(store, d.doc_id, &saved)?;
            // A full request leaves it, and the snapshots of the documents after this one, to
            // the next request of this sync.
            held_back |= !budget.admit(plain.len());
            (!held_back).then_some(plain)
        } else {
            None
        };
        if let Some(plain) = snapshot {
            let seq = store.take_device_seq(d.doc_id)?;
            let snapshot = SealedRecord::seal(
                header(seq, RecordKind::Snapshot, d.epoch, d.cursor),
                &plain,
                &dk,
                key,
            );
            if snapshot.ciphertext.len() > MAX_RECORD {
                // Not stored by the relay: the records stay, and the next try waits as long.
                store.set_meta(&counter_key(d.doc_id), "0")?;
                store.log_sync(Some(d.doc_id), &Notice::event(LogEvent::SnapshotTooLarge))?;
            } else {
                records.push(snapshot);
                snapshots.push((d.doc_id, seq));
            }
        }
        request.docs.push(DocSync {
            doc_id: d.doc_id,
            since: d.cursor,
            records,
        });
    }
    Ok(Prepared {
        request,
        docs,
        snapshots,
        held_back,
        too_large,
    })
}

/// The log line of a record taken out of quarantine.
fn released(seq: u64) -> Notice {
    Notice::event(LogEvent::RecordReleased).with("seq", seq)
}

/// Opens a record and returns its framed changes.
fn open_changes(keys: &Keys, rec: &StoredRecord) -> Result<Vec<u8>, Notice> {
    let plain = keys.open(rec)?;
    // Every automerge call sits behind this wall: a panic in a dependency on hostile bytes
    // quarantines the record instead of taking the app down.
    catch_unwind(|| as_changes(rec.record.header.kind, &plain))
        .unwrap_or_else(|_| Err("automerge panicked".to_owned()))
        .map_err(|detail| Notice::event(LogEvent::RecordUnreadable).with("detail", detail))
}

/// Why a record's sender may not write it, before it is even opened: a device the roster does not
/// know (or no longer knows), a key other than the one its membership names, or a snapshot from
/// anyone but an adviser's device.
pub(crate) fn sender_refused(roster: &Roster, rec: &StoredRecord) -> Option<Notice> {
    let device = rec.record.header.device_id;
    let refuse = |event| Some(crate::members::naming(roster, device, Notice::event(event)));
    // A removed device's records count with the role it had: the relay stored them while it
    // was a member (it refuses the device from the removal on), and others built on them.
    let Some(m) = roster.member(device).or_else(|| roster.ever(device)) else {
        return refuse(LogEvent::SenderNotMember);
    };
    if m.device_key != rec.sender_key {
        return refuse(LogEvent::SenderKeyMismatch);
    }
    if rec.record.header.kind == RecordKind::Snapshot && m.role != MemberRole::Adviser {
        return refuse(LogEvent::SnapshotNotFromAdviser);
    }
    None
}

/// The parts the store checks and applies: each record's changes and the device that sealed it
/// (none for an adviser's snapshot, whose contents that device checked).
fn parts<'a>(recs: &[&StoredRecord], framed: &'a [Vec<u8>]) -> Vec<Authored<'a>> {
    recs.iter()
        .zip(framed)
        .map(|(rec, f)| Authored {
            framed: f,
            sealed_by: (rec.record.header.kind == RecordKind::Changes)
                .then_some(rec.record.header.device_id),
        })
        .collect()
}

fn apply_parts(
    store: &mut Store,
    doc: Uuid,
    roster: &Roster,
    recs: &[&StoredRecord],
    framed: &[Vec<u8>],
    cursor: u64,
) -> Result<(), Notice> {
    let parts = parts(recs, framed);
    let authors = crate::members::authors(roster);
    catch_unwind(AssertUnwindSafe(|| {
        store
            .apply_received(doc, &parts, cursor, &authors)
            .map(|_| ())
            .map_err(|e| Notice::caused_by(LogEvent::RecordNotApplied, &e.notice()))
    }))
    .unwrap_or_else(|_| {
        Err(Notice::event(LogEvent::RecordUnreadable).with("detail", "automerge panicked"))
    })
}

/// The most bytes of inflated changes held at once while applying one answer. A batch of records
/// that each inflate to the domain's per-record cap would otherwise hold that cap many times over.
const MAX_BATCH_INFLATED: usize = 32 * 1024 * 1024;

/// Applies received records in as few transactions as their inflated size allows; if one fails (a
/// record cannot be read, builds on changes this device lacks, or writes what its author may not),
/// one by one, so that only the records at fault are quarantined.
fn apply_batch(
    store: &mut Store,
    doc: Uuid,
    keys: &Keys,
    roster: &Roster,
    batch: &[&StoredRecord],
    report: &mut Report,
) -> Result<(), SyncError> {
    let mut rest = batch;
    while !rest.is_empty() {
        let mut framed = Vec::new();
        let mut inflated = 0usize;
        let mut readable = true;
        for rec in rest {
            match open_changes(keys, rec) {
                Ok(f) => {
                    inflated += f.len();
                    framed.push(f);
                    if inflated >= MAX_BATCH_INFLATED {
                        break;
                    }
                }
                Err(_) => {
                    readable = false;
                    break;
                }
            }
        }
        let n = if readable {
            framed.len()
        } else {
            framed.len() + 1
        };
        let (chunk, tail) = rest.split_at(n);
        rest = tail;
        if readable && n > 1 {
            let last = chunk[n - 1].server_seq;
            if apply_parts(store, doc, roster, chunk, &framed, last).is_ok() {
                report.applied += n;
                continue;
            }
            store.forget_cache();
        }
        drop(framed);
        for rec in chunk {
            apply_one(store, doc, keys, roster, rec, report)?;
        }
    }
    Ok(())
}

/// Applies one received record, or quarantines it with the reason and who sent it.
fn apply_one(
    store: &mut Store,
    doc: Uuid,
    keys: &Keys,
    roster: &Roster,
    rec: &StoredRecord,
    report: &mut Report,
) -> Result<(), SyncError> {
    match try_one(store, doc, keys, roster, rec) {
        Ok(()) => report.applied += 1,
        Err(reason) => {
            store.forget_cache();
            store.quarantine(
                doc,
                rec.server_seq,
                &crate::members::describe(roster, rec.record.header.device_id),
                &reason,
                &wire::encode(rec),
            )?;
            report.quarantined += 1;
        }
    }
    Ok(())
}

fn try_one(
    store: &mut Store,
    doc: Uuid,
    keys: &Keys,
    roster: &Roster,
    rec: &StoredRecord,
) -> Result<(), Notice> {
    if let Some(why) = sender_refused(roster, rec) {
        return Err(why);
    }
    let framed = open_changes(keys, rec)?;
    apply_parts(store, doc, roster, &[rec], &[framed], rec.server_seq)
}

/// The statements a roster record or a snapshot carries.
pub(crate) fn statements_in(
    kind: RecordKind,
    plain: &[u8],
) -> Result<Vec<folgesvenn_protocol::roster::Statement>, String> {
    match kind {
        RecordKind::Roster => {
            folgesvenn_protocol::roster::decode_statements(plain).map_err(|e| e.to_string())
        }
        RecordKind::Snapshot => folgesvenn_protocol::roster::unpack_snapshot(plain)
            .map(|(s, _)| s)
            .map_err(|e| e.to_string()),
        RecordKind::Changes => Ok(Vec::new()),
    }
}

/// Takes in the statements of a roster record or a snapshot. Returns whether any was new.
fn take_statements(
    store: &mut Store,
    doc: Uuid,
    keys: &Keys,
    rec: &StoredRecord,
) -> Result<bool, Notice> {
    let plain = keys.open(rec)?;
    let statements = statements_in(rec.record.header.kind, &plain)
        .map_err(|detail| Notice::event(LogEvent::RecordUnreadable).with("detail", detail))?;
    crate::members::keep(store, doc, &statements)
        .map_err(|e| Notice::caused_by(LogEvent::RecordNotApplied, &e.notice()))
}

/// Tries the document's quarantined records again, oldest first, now that the roster knows more
/// members or the device holds more keys: a record that arrived before the statement admitting its
/// sender, or before the key of its epoch, is applied now. A snapshot taken out of quarantine
/// brings its statements, which may admit more; so this goes round until nothing moves.
fn retry_quarantine(store: &mut Store, d: &SyncDoc, report: &mut Report) -> Result<(), SyncError> {
    loop {
        let mut moved = false;
        for (seq, bytes) in store.quarantined_records(d.doc_id)? {
            let Ok(rec) = wire::decode::<StoredRecord>(&bytes) else {
                continue;
            };
            let keys = Keys::of(store, d.doc_id)?;
            if rec.record.header.kind != RecordKind::Changes
                && take_statements(store, d.doc_id, &keys, &rec) == Ok(true)
            {
                moved = true;
            }
            if rec.record.header.kind == RecordKind::Roster {
                if keys.open(&rec).is_ok() {
                    store.release(d.doc_id, seq, &released(seq))?;
                    moved = true;
                }
                continue;
            }
            let keys = Keys::of(store, d.doc_id)?;
            let roster = crate::members::roster_of(store, d)?;
            if try_one(store, d.doc_id, &keys, &roster, &rec).is_ok() {
                report.applied += 1;
                report.quarantined = report.quarantined.saturating_sub(1);
                store.release(d.doc_id, seq, &released(seq))?;
                moved = true;
            } else {
                store.forget_cache();
            }
        }
        if !moved {
            return Ok(());
        }
    }
}

/// Applies the records of one document's answer, in server order: runs of change records as one
/// batch (one automerge apply, one transaction, one fsync), snapshots and roster records on their
/// own. Returns whether another device snapshotted.
fn apply_records(
    store: &mut Store,
    d: &SyncDoc,
    records: &[StoredRecord],
    report: &mut Report,
) -> Result<bool, SyncError> {
    let mut keys = Keys::of(store, d.doc_id)?;
    let mut roster = crate::members::roster_of(store, d)?;
    let mut grew = false;
    let mut someone_snapshotted = false;
    let mut batch: Vec<&StoredRecord> = Vec::new();
    for rec in records {
        report.received += 1;
        match rec.record.header.kind {
            RecordKind::Changes if sender_refused(&roster, rec).is_none() => {
                batch.push(rec);
                continue;
            }
            RecordKind::Changes => {
                apply_batch(store, d.doc_id, &keys, &roster, &batch, report)?;
                batch.clear();
                apply_one(store, d.doc_id, &keys, &roster, rec, report)?;
            }
            RecordKind::Snapshot => {
                someone_snapshotted = true;
                apply_batch(store, d.doc_id, &keys, &roster, &batch, report)?;
                batch.clear();
                // The snapshot's statements first: they prove its sender and its authors. One
                // that cannot be opened is quarantined by `apply_one`.
                if take_statements(store, d.doc_id, &keys, rec) == Ok(true) {
                    roster = crate::members::roster_of(store, d)?;
                    keys = Keys::of(store, d.doc_id)?;
                    grew = true;
                }
                apply_one(store, d.doc_id, &keys, &roster, rec, report)?;
            }
            RecordKind::Roster => {
                apply_batch(store, d.doc_id, &keys, &roster, &batch, report)?;
                batch.clear();
                match take_statements(store, d.doc_id, &keys, rec) {
                    Ok(new) => {
                        if new {
                            roster = crate::members::roster_of(store, d)?;
                            keys = Keys::of(store, d.doc_id)?;
                            grew = true;
                        }
                        store.advance_cursor(d.doc_id, rec.server_seq)?;
                        report.applied += 1;
                    }
                    Err(reason) => {
                        store.quarantine(
                            d.doc_id,
                            rec.server_seq,
                            &crate::members::describe(&roster, rec.record.header.device_id),
                            &reason,
                            &wire::encode(rec),
                        )?;
                        report.quarantined += 1;
                    }
                }
            }
        }
    }
    apply_batch(store, d.doc_id, &keys, &roster, &batch, report)?;
    if grew {
        retry_quarantine(store, d, report)?;
        // A member this device now knows of may lack a key: share it in this same sync.
        let roster = crate::members::roster_of(store, d)?;
        report.keys_shared += usize::from(crate::members::top_up(store, d, &roster)?);
    }
    Ok(someone_snapshotted)
}

/// Applies one answer. Returns whether the relay has more.
fn apply_answer(
    store: &mut Store,
    prepared: &Prepared,
    response: SyncResponse,
    report: &mut Report,
) -> Result<bool, SyncError> {
    let mut more = false;
    for result in response.docs {
        let Some(d) = prepared.docs.iter().find(|d| d.doc_id == result.doc_id) else {
            continue;
        };
        if result.status == DocStatus::Expired || removed_here(store, result.status) {
            report.purged += usize::from(expired(store, d.doc_id)?);
            continue;
        }
        if result.status != DocStatus::Ok {
            store.log_sync(
                Some(d.doc_id),
                &Notice::event(LogEvent::RelayDeniedAccess)
                    .with("status", format!("{:?}", result.status)),
            )?;
            continue;
        }
        store.mark_acked(d.doc_id, &result.acked)?;
        for (seq, why) in &result.rejected {
            store.log_sync(
                Some(d.doc_id),
                &Notice::event(LogEvent::OwnRecordRejected)
                    .with("seq", seq)
                    .with("why", why),
            )?;
        }
        let full = result
            .rejected
            .iter()
            .filter(|(_, why)| why == REJECT_DOCUMENT_FULL)
            .count();
        report.refused_full += full;
        if full > 0 {
            store.set_meta(&full_key(d.doc_id), "1")?;
        } else if !result.acked.is_empty() {
            store.set_meta(&full_key(d.doc_id), "0")?;
        }
        let snapshot_acked = prepared
            .snapshots
            .iter()
            .any(|(doc, seq)| *doc == d.doc_id && result.acked.contains(seq));
        let someone_snapshotted = apply_records(store, d, &result.records, report)?;
        store.advance_cursor(d.doc_id, result.cursor)?;
        if snapshot_acked || someone_snapshotted {
            store.set_meta(&counter_key(d.doc_id), "0")?;
            if snapshot_acked {
                report.snapshots += 1;
                store.log_sync(Some(d.doc_id), &Notice::event(LogEvent::SnapshotUploaded))?;
            }
        } else {
            bump(
                store,
                d.doc_id,
                (result.acked.len() + result.records.len()) as u64,
            )?;
        }
        if !result.acked.is_empty() || !result.records.is_empty() {
            store.log_sync(
                Some(d.doc_id),
                &Notice::event(LogEvent::SentReceived)
                    .with("sent", result.acked.len())
                    .with("received", result.records.len()),
            )?;
        }
        more |= result.more;
    }
    Ok(more)
}

/// The relay says this device's access to a document has ended (12 weeks after the placement's
/// end). An employer device deletes the placement, unless it holds records the relay has not
/// acknowledged; an adviser device is never told this.
fn expired(store: &mut Store, doc_id: Uuid) -> Result<bool, SyncError> {
    if store.purge_expired(doc_id)? {
        store.log_sync(None, &Notice::event(LogEvent::AccessEndedDeleted))?;
        Ok(true)
    } else {
        store.log_sync(Some(doc_id), &Notice::event(LogEvent::AccessEndedKept))?;
        Ok(false)
    }
}

/// The relay no longer counts this employer device a member of a document it had joined: an
/// adviser removed it (a lost phone, a withdrawn consent). Like the end of its access, the device
/// deletes its copy, unless it holds records the relay never acknowledged (`purge_expired`), so
/// a relay that lies costs no undelivered note. An adviser's device keeps everything.
fn removed_here(store: &Store, status: DocStatus) -> bool {
    status == DocStatus::NotMember && store.role() == folgesvenn_domain::Role::Employer
}

/// One sync: for each relay this device's documents live on, joins documents not yet joined, then
/// pushes the outbox and pulls what others wrote, for every syncing document of that relay at once
/// (more round trips only while there is more to send or the relay says `more`). Each document
/// goes only to the relay it was shared on or invited through: one relay failing or lying holds
/// up only its own documents; the first error is returned after every relay has had its turn.
pub async fn sync_once(
    mut store: impl StoreAccess,
    client: &SyncClient,
) -> Result<Report, SyncError> {
    sync_with(&mut store, client).await
}

/// [`sync_once`] through a borrowed store access (an invitation's sync, in its caller's turn).
pub(crate) async fn sync_with(
    store: &mut impl StoreAccess,
    client: &SyncClient,
) -> Result<Report, SyncError> {
    // Before anything is sealed: a withdrawn consent whose employer devices are still members.
    let mut report = Report {
        withdrawals_finished: store.with(crate::members::finish_withdrawals)?,
        ..Report::default()
    };
    let (docs, key, device) = store.with(|s| -> Result<_, SyncError> {
        Ok((s.sync_docs()?, device_key(s)?, s.device_id()))
    })?;
    let mut first_error = None;
    for relay in plan::relays(&docs) {
        if let Err(e) = sync_relay(store, client, &relay, device, &key, &mut report).await {
            first_error.get_or_insert(e);
        }
    }
    first_error.map_or(Ok(report), Err)
}

async fn sync_relay(
    store: &mut impl StoreAccess,
    client: &SyncClient,
    plan: &RelayPlan<'_>,
    device: Uuid,
    key: &DeviceKey,
    report: &mut Report,
) -> Result<(), SyncError> {
    let relay = plan.relay;
    report.round_trips += ensure_registered(store, client, relay, device, key).await?;

    for join in &plan.join {
        let (accepting, status, body) = match *join {
            Join::Unreadable { .. } => return Err(SyncError::BadInvitation),
            Join::Accept {
                invitation_id,
                secret,
                ..
            } => {
                let msg = AcceptInvitation {
                    invitation_id,
                    secret,
                };
                let (s, b) = client
                    .post(relay, "/v2/invitations/accept", device, key, &msg)
                    .await?;
                (true, s, b)
            }
            Join::Create { doc_id } => {
                let msg = CreateDoc { doc_id };
                let (s, b) = client.post(relay, "/v2/docs", device, key, &msg).await?;
                (false, s, b)
            }
        };
        let doc_id = join.doc_id();
        report.round_trips += 1;
        store.with(|s| -> Result<(), SyncError> {
            if status == 200 || status == 204 {
                s.set_joined(doc_id)?;
                s.log_sync(
                    Some(doc_id),
                    &Notice::event(if accepting {
                        LogEvent::DocumentJoined
                    } else {
                        LogEvent::DocumentCreated
                    }),
                )?;
            } else {
                let e = refused(status, &body);
                s.log_sync(
                    Some(doc_id),
                    &Notice::caused_by(LogEvent::JoinFailed, &e.notice()),
                )?;
            }
            Ok(())
        })?;
    }

    report.round_trips += send_removals(store, client, relay, device, key).await?;
    report.round_trips += send_end_days(store, client, relay, device, key).await?;
    report.round_trips += send_invitations(store, client, relay, device, key).await?;

    // First what is new, in one small request (for a device with more than a few documents here:
    // with fewer, naming each one's cursor costs no more, and saves the round trip); then only
    // the documents that have something to send or to fetch. The relay takes at most `MAX_DOCS_PER_REQUEST` documents a request: an
    // adviser with more syncs them a slice at a time, each slice to its end before the next.
    let joined: Vec<SyncDoc> = store.with(|s| -> Result<_, SyncError> {
        Ok(s.sync_docs()?
            .into_iter()
            .filter(|d| d.joined && d.relay == relay)
            .collect())
    })?;
    if joined.is_empty() {
        return Ok(());
    }
    let news = if joined.len() > plan::ASK_NEWS_FROM {
        let cursors: Vec<(Uuid, u64)> = joined.iter().map(|d| (d.doc_id, d.cursor)).collect();
        report.round_trips += 1;
        crate::news::ask(client, relay, device, key, &cursors, false).await?
    } else {
        News::Unknown
    };
    let changed: std::collections::HashSet<Uuid> = match &news {
        News::Changed(docs) => docs.iter().copied().collect(),
        News::Unknown => Default::default(),
    };
    // Three queries for all the documents, not three per document: this is the idle sync of an
    // adviser with thousands of them.
    let due = store.with(|s| -> Result<_, SyncError> {
        let adviser = s.role() == folgesvenn_domain::Role::Adviser;
        let queued = s.docs_with_outbox()?;
        let full = s.meta_with_prefix(FULL_KEY)?;
        let counts = s.meta_with_prefix(COUNTER_KEY)?;
        let mut due = Vec::new();
        for d in &joined {
            let id = d.doc_id.to_string();
            let turn = plan::Turn {
                news: news == News::Unknown || changed.contains(&d.doc_id),
                queued: queued.contains(&d.doc_id),
                relay_full: full.get(&id).map(String::as_str) == Some("1"),
                records_since: counts
                    .get(&id)
                    .and_then(|v| v.parse::<u64>().ok())
                    .unwrap_or(0),
                snapshot_after: client.snapshot_after,
                adviser,
            };
            if plan::needs_turn(turn) {
                due.push(d.doc_id);
            }
        }
        Ok(due)
    })?;
    let mut too_large = None;
    for chunk in due.chunks(MAX_DOCS_PER_REQUEST) {
        too_large =
            too_large.or(sync_chunk(store, client, relay, device, key, chunk, report).await?);
    }
    if report.refused_full > 0 {
        return Err(SyncError::DocumentFull);
    }
    if let Some(size) = too_large {
        return Err(SyncError::RecordTooLarge {
            size,
            max: MAX_RECORD,
        });
    }
    Ok(())
}

/// Pushes and pulls one slice of a relay's documents until neither side has more. Returns the
/// size of a queued record too large for the relay, if one was held back.
async fn sync_chunk(
    store: &mut impl StoreAccess,
    client: &SyncClient,
    relay: &str,
    device: Uuid,
    key: &DeviceKey,
    chunk: &[Uuid],
    report: &mut Report,
) -> Result<Option<usize>, SyncError> {
    let mut too_large = None;
    for _ in 0..64 {
        let prepared = store.with(|s| prepare(s, relay, device, key, client.limits(), chunk))?;
        if prepared.docs.is_empty() {
            break;
        }
        report.pushed += prepared
            .request
            .docs
            .iter()
            .map(|d| d.records.len())
            .sum::<usize>();
        let (status, body) = client
            .post(relay, "/v2/sync", device, key, &prepared.request)
            .await?;
        report.round_trips += 1;
        if status != 200 {
            let e = refused(status, &body);
            let removed = matches!(&e, SyncError::Relay { kind, .. } if kind == "not_member")
                && store.with(|s| removed_here(s, DocStatus::NotMember));
            if removed
                || matches!(&e, SyncError::Relay { kind, .. } if kind == "membership_expired")
            {
                // Every document of the request has ended for this device.
                store.with(|s| -> Result<(), SyncError> {
                    for d in &prepared.docs {
                        report.purged += usize::from(expired(s, d.doc_id)?);
                    }
                    Ok(())
                })?;
                return Ok(too_large);
            }
            store.with(|s| -> Result<(), SyncError> {
                for d in &prepared.docs {
                    s.log_sync(
                        Some(d.doc_id),
                        &Notice::caused_by(LogEvent::SyncRefused, &e.notice()),
                    )?;
                }
                Ok(())
            })?;
            return Err(e);
        }
        let response: SyncResponse = wire::decode(&body).map_err(|e| {
            SyncError::Untrusted(match e {
                folgesvenn_protocol::ProtocolError::TooLarge(_) => {
                    "svaret er større enn enheten tar imot".to_owned()
                }
                _ => "svaret kan ikke leses".to_owned(),
            })
        })?;
        let checked = store.with(|s| -> Result<_, SyncError> {
            let mut own = Vec::with_capacity(prepared.docs.len());
            for d in &prepared.docs {
                own.push((d.doc_id, s.last_device_seq(d.doc_id)?));
            }
            let own_seq = |doc| own.iter().find(|(d, _)| *d == doc).map_or(0, |(_, n)| *n);
            let checked = check_answer(device, &prepared.request, own_seq, &response);
            if let Err(fault) = &checked {
                for d in &prepared.docs {
                    s.log_sync(
                        Some(d.doc_id),
                        &Notice::event(LogEvent::ResponseDiscarded).with("detail", fault),
                    )?;
                }
            }
            Ok(checked)
        })?;
        checked.map_err(|fault| SyncError::Untrusted(fault.to_string()))?;
        too_large = too_large.or(prepared.too_large);
        let shared_before = report.keys_shared;
        let more = store.with(|s| apply_answer(s, &prepared, response, report))?;
        if !more && !prepared.held_back && report.keys_shared == shared_before {
            break;
        }
    }
    Ok(too_large)
}
