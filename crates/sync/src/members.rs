//! Each document's members as this device can prove them: the anchor it trusts and the signed
//! statements it holds, worked out with `folgesvenn_protocol::roster`. Nothing here takes the
//! relay's word for who a device is or what it may write.

use folgesvenn_domain::{LogEvent, Notice, Role};
use folgesvenn_protocol::roster::{self, Anchor, Rekey, Revoke, Roster, Statement};
use folgesvenn_protocol::wire::{MemberRole, StoredRecord};
use folgesvenn_protocol::{BoxKey, DeviceKey, DocKey, PublicKey};
use folgesvenn_store::{Store, SyncDoc};
use uuid::Uuid;

use crate::SyncError;

/// The domain role that a membership role writes with.
pub fn domain_role(role: MemberRole) -> Role {
    match role {
        MemberRole::Adviser => Role::Adviser,
        MemberRole::Employer => Role::Employer,
    }
}

pub(crate) fn anchor_of(d: &SyncDoc) -> Option<(Anchor, String)> {
    let a = d.anchor.as_ref()?;
    let key: [u8; 32] = a.key.as_slice().try_into().ok()?;
    let box_key: [u8; 32] = a.box_key.as_slice().try_into().ok()?;
    Some((
        Anchor {
            device_id: a.device,
            device_key: PublicKey(key),
            box_key: BoxKey(box_key),
        },
        a.name.clone(),
    ))
}

pub(crate) fn store_anchor(
    store: &mut Store,
    doc_id: Uuid,
    anchor: &Anchor,
    name: &str,
) -> Result<(), SyncError> {
    store.set_anchor(
        doc_id,
        &folgesvenn_store::Anchor {
            device: anchor.device_id,
            key: anchor.device_key.0.to_vec(),
            box_key: anchor.box_key.0.to_vec(),
            name: name.to_owned(),
        },
    )?;
    Ok(())
}

pub(crate) fn sync_doc(store: &Store, doc_id: Uuid) -> Result<SyncDoc, SyncError> {
    store.sync_doc(doc_id)?.ok_or(SyncError::Store(
        folgesvenn_store::StoreError::UnknownDocument(doc_id),
    ))
}

pub(crate) fn statements(store: &Store, doc_id: Uuid) -> Result<Vec<Statement>, SyncError> {
    Ok(store
        .statements(doc_id)?
        .iter()
        .filter_map(|b| Statement::from_bytes(b).ok())
        .collect())
}

/// The document's roster. A document without an anchor (shared before membership statements
/// existed) has no members but none: everything from other devices waits in quarantine.
pub(crate) fn roster_of(store: &Store, d: &SyncDoc) -> Result<Roster, SyncError> {
    let Some((anchor, name)) = anchor_of(d) else {
        return Ok(Roster::default());
    };
    Ok(Roster::evaluate(
        d.doc_id,
        &anchor,
        &name,
        &statements(store, d.doc_id)?,
    ))
}

/// The roster of one document, for screens and the CLI.
pub fn roster(store: &Store, doc_id: Uuid) -> Result<Roster, SyncError> {
    roster_of(store, &sync_doc(store, doc_id)?)
}

/// Keeps statements; true if any was new.
pub(crate) fn keep(
    store: &mut Store,
    doc_id: Uuid,
    statements: &[Statement],
) -> Result<bool, SyncError> {
    let existing = store.statements(doc_id)?.len();
    let room = roster::MAX_STATEMENTS_PER_DOC.saturating_sub(existing);
    let rows: Vec<([u8; 32], Vec<u8>)> = statements
        .iter()
        .filter(|s| s.doc_id() == doc_id)
        .take(room)
        .map(|s| (s.hash(), s.to_bytes()))
        .collect();
    let new = store.add_statements(doc_id, &rows)? > 0;
    if new {
        // A new key sealed to this device (a rotation) is opened and kept at once.
        let me = store.device_id();
        let key = crate::client::device_key(store)?;
        for (epoch, k) in roster(store, doc_id)?.keys_for(me, &key) {
            store.add_doc_key(doc_id, epoch, k.as_bytes())?;
        }
    }
    Ok(new)
}

/// Queues statements as this device's next record of the document, sealed under `epoch`'s key
/// (a rotation's statements go under the key every remaining member already has).
pub(crate) fn queue(
    store: &mut Store,
    doc_id: Uuid,
    epoch: u32,
    statements: &[Statement],
) -> Result<(), SyncError> {
    let mut payload = epoch.to_be_bytes().to_vec();
    payload.extend_from_slice(&roster::encode_statements(statements));
    store.queue_roster(doc_id, &payload)?;
    Ok(())
}

/// The outbox payload of a roster record: the epoch to seal it under, and its plaintext.
pub(crate) fn split_queued(payload: &[u8]) -> Option<(u32, &[u8])> {
    let (epoch, rest) = payload.split_at_checked(4)?;
    Some((u32::from_be_bytes(epoch.try_into().ok()?), rest))
}

/// Every key the document has had, to open each record with the key of its epoch.
pub(crate) struct Keys(Vec<(u32, DocKey)>);

impl Keys {
    pub(crate) fn of(store: &Store, doc_id: Uuid) -> Result<Keys, SyncError> {
        Ok(Keys(
            store
                .doc_keys(doc_id)?
                .iter()
                .filter_map(|(e, k)| Some((*e, DocKey::from_bytes(k).ok()?)))
                .collect(),
        ))
    }

    pub(crate) fn get(&self, epoch: u32) -> Option<&DocKey> {
        self.0
            .iter()
            .rev()
            .find(|(e, _)| *e == epoch)
            .map(|(_, k)| k)
    }

    /// Verifies and opens a record with any key of its epoch.
    pub(crate) fn open(&self, rec: &StoredRecord) -> Result<Vec<u8>, Notice> {
        let epoch = rec.record.header.epoch;
        let mut last = Notice::event(LogEvent::NoKeyForEpoch).with("epoch", epoch);
        for (_, k) in self.0.iter().filter(|(e, _)| *e == epoch) {
            match rec.record.open(k, &rec.sender_key) {
                Ok(plain) => return Ok(plain),
                Err(e) => last = Notice::event(LogEvent::RecordUnopenable).with("detail", e),
            }
        }
        Err(last)
    }

    pub(crate) fn all(&self) -> &[(u32, DocKey)] {
        &self.0
    }
}

/// Seals every key since the first to each current member that has none of it: a member whose
/// claim reached this adviser device only after a rotation (it was offline, or the remover had not
/// heard of it yet) would otherwise never read what is sealed under the new key. Queued under the
/// first key, which every member has from its invitation. Returns whether anything was queued.
pub(crate) fn top_up(store: &mut Store, d: &SyncDoc, roster: &Roster) -> Result<bool, SyncError> {
    let me = store.device_id();
    if !roster
        .member(me)
        .is_some_and(|m| m.role == MemberRole::Adviser)
    {
        return Ok(false);
    }
    // An employer that claims an invitation made before the candidate withdrew consent (a code
    // once given cannot be taken back) lacks the key made at the withdrawal: it gets none, and
    // this device removes it instead.
    let current = roster.epoch();
    if d.kind == folgesvenn_store::DocKind::Shared && current > 1 {
        let late: Vec<Uuid> = roster
            .lacking(current)
            .into_iter()
            .filter(|m| m.role == MemberRole::Employer)
            .map(|m| m.device_id)
            .collect();
        // Only a device holding the consents judges (an adviser's second device may have the
        // shared document alone): one without them seals as before.
        let judges = store
            .document_id(d.placement_id, folgesvenn_store::DocKind::Private)
            .is_ok();
        if !late.is_empty() && judges && !store.employer_sharing_allowed(d.placement_id)? {
            for device in late {
                remove_member(store, d.doc_id, device)?;
            }
            return Ok(true);
        }
    }
    let keys = Keys::of(store, d.doc_id)?;
    let device_key = crate::client::device_key(store)?;
    let mut statements = Vec::new();
    for (epoch, key) in keys.all().iter().filter(|(e, _)| *e > 1) {
        let lacking: Vec<(Uuid, BoxKey)> = roster
            .lacking(*epoch)
            .into_iter()
            .filter(|m| m.device_id != me)
            .map(|m| (m.device_id, m.box_key))
            .collect();
        if lacking.is_empty() {
            continue;
        }
        statements.push(
            Rekey::new(
                d.doc_id,
                *epoch,
                me,
                key,
                lacking.iter().map(|(id, b)| (*id, b)),
            )
            .sign(&device_key),
        );
    }
    if statements.is_empty() {
        return Ok(false);
    }
    keep(store, d.doc_id, &statements)?;
    queue(store, d.doc_id, 1, &statements)?;
    Ok(true)
}

/// Removes a device from a document: signs its removal and a new document key (the next epoch)
/// sealed to every remaining member, keeps both, and queues them under the current key, which
/// the remaining members have. From now on this device seals under the new key. The relay is told
/// on the next sync, which then refuses the removed device at once. Returns the new epoch.
pub fn remove_member(store: &mut Store, doc_id: Uuid, device: Uuid) -> Result<u32, SyncError> {
    let d = sync_doc(store, doc_id)?;
    let key = crate::client::device_key(store)?;
    let me = store.device_id();
    let before = roster_of(store, &d)?;
    match before.member(me) {
        Some(m) if m.role == MemberRole::Adviser => {}
        _ => return Err(SyncError::NotAnAdviser),
    }
    let anchor = anchor_of(&d).map(|(a, _)| a.device_id);
    if device == me || Some(device) == anchor || before.member(device).is_none() {
        return Err(SyncError::CannotRemove);
    }
    let revoke = Revoke {
        doc_id,
        device_id: device,
        revoked_by: me,
        at_ms: crate::client::now_ms(),
    }
    .sign(&key);
    let mut all = statements(store, doc_id)?;
    all.push(revoke.clone());
    let (anchor, name) = anchor_of(&d).ok_or(SyncError::NotAnAdviser)?;
    let after = Roster::evaluate(doc_id, &anchor, &name, &all);
    let held = Keys::of(store, doc_id)?;
    let epoch = held.all().iter().map(|(e, _)| *e).max().unwrap_or(d.epoch) + 1;
    let new_key = DocKey::generate();
    let rekey = Rekey::new(
        doc_id,
        epoch,
        me,
        &new_key,
        after.members().map(|m| (m.device_id, &m.box_key)),
    )
    .sign(&key);
    let seal_under = d.epoch;
    let pair = [revoke, rekey];
    keep(store, doc_id, &pair)?;
    queue(store, doc_id, seal_under, &pair)?;
    let removed = naming(&before, device, Notice::event(LogEvent::DeviceRemoved));
    store.log_sync(Some(doc_id), &removed.with("epoch", epoch))?;
    Ok(epoch)
}

/// Removes `device` from every document this device holds as an adviser member where it is a
/// member and can be removed (not this device, not the document's creator), as
/// [`remove_member`] does each: a lost phone that a device pairing gave every placement, or a
/// contact person who left a workplace with several candidates. All in one transaction, or none.
/// Returns the placements it was removed from; [`SyncError::CannotRemove`] if none.
pub fn remove_member_everywhere(store: &mut Store, device: Uuid) -> Result<Vec<Uuid>, SyncError> {
    let me = store.device_id();
    if device == me {
        return Err(SyncError::CannotRemove);
    }
    let docs = store.documents()?;
    store.atomically(|store| {
        let mut placements = Vec::new();
        for doc in &docs {
            let Ok(d) = sync_doc(store, doc.id) else {
                continue; // never shared: no other device holds it
            };
            let roster = roster_of(store, &d)?;
            let adviser = roster
                .member(me)
                .is_some_and(|m| m.role == MemberRole::Adviser);
            let creator = anchor_of(&d).map(|(a, _)| a.device_id);
            if adviser && roster.member(device).is_some() && creator != Some(device) {
                remove_member(store, doc.id, device)?;
                if !placements.contains(&doc.placement_id) {
                    placements.push(doc.placement_id);
                }
            }
        }
        if placements.is_empty() {
            return Err(SyncError::CannotRemove);
        }
        Ok(placements)
    })
}

/// Ends the employer's part in a placement (its candidate withdrew consent): removes every
/// employer device from the shared document as [`remove_member`] does, each with a new key, so
/// the relay refuses them from the next sync on and they purge what they hold. With none to
/// remove, the key still rotates: an employer that later claims an invitation made before (the
/// code cannot be taken back) then lacks the new key, and `top_up` removes it instead of sealing
/// the key to it. Returns how many were removed; a placement not shared yet has none.
pub fn end_employer_access(store: &mut Store, placement: Uuid) -> Result<usize, SyncError> {
    let doc_id = store.document_id(placement, folgesvenn_store::DocKind::Shared)?;
    let Ok(d) = sync_doc(store, doc_id) else {
        return Ok(0); // never shared: no device but this one holds it, no code can be claimed
    };
    let employers: Vec<Uuid> = roster_of(store, &d)?
        .members()
        .filter(|m| m.role == MemberRole::Employer)
        .map(|m| m.device_id)
        .collect();
    for device in &employers {
        remove_member(store, doc_id, *device)?;
    }
    if employers.is_empty() {
        rotate_key(store, doc_id)?;
    }
    Ok(employers.len())
}

/// A new document key (the next epoch) sealed to every current member, as a removal makes one,
/// with no one removed. Returns the new epoch.
fn rotate_key(store: &mut Store, doc_id: Uuid) -> Result<u32, SyncError> {
    let d = sync_doc(store, doc_id)?;
    let key = crate::client::device_key(store)?;
    let me = store.device_id();
    let members = roster_of(store, &d)?;
    match members.member(me) {
        Some(m) if m.role == MemberRole::Adviser => {}
        _ => return Err(SyncError::NotAnAdviser),
    }
    let held = Keys::of(store, doc_id)?;
    let epoch = held.all().iter().map(|(e, _)| *e).max().unwrap_or(d.epoch) + 1;
    let rekey = Rekey::new(
        doc_id,
        epoch,
        me,
        &DocKey::generate(),
        members.members().map(|m| (m.device_id, &m.box_key)),
    )
    .sign(&key);
    let statement = [rekey];
    keep(store, doc_id, &statement)?;
    queue(store, doc_id, d.epoch, &statement)?;
    Ok(epoch)
}

/// Records that the candidate withdrew a consent (the private document) and, if no consent then
/// lets the employer take part, ends the employer's access at once ([`end_employer_access`]).
/// Returns how many employer devices were removed.
pub fn withdraw_consent(
    store: &mut Store,
    placement: Uuid,
    consent: Uuid,
) -> Result<usize, SyncError> {
    store.write_private(placement, |d, st| d.withdraw_consent(consent, st))?;
    if store.employer_sharing_allowed(placement)? {
        return Ok(0);
    }
    end_employer_access(store, placement)
}

/// Finishes every withdrawal whose removal of the employer's devices did not complete: the
/// consent was written withdrawn and then the device stopped, or the removal failed, before
/// [`end_employer_access`] was done; or an adviser's other device recorded the withdrawal and this
/// one let an employer in meanwhile. Run before a sync seals anything, so nothing written from
/// then on goes under a key a removed employer holds. Returns how many devices were removed.
pub fn finish_withdrawals(store: &mut Store) -> Result<usize, SyncError> {
    let mut removed = 0;
    for placement in store.placements_with_consent_withdrawn()? {
        let Ok(doc_id) = store.document_id(placement, folgesvenn_store::DocKind::Shared) else {
            continue; // no shared document here: nothing to remove anyone from
        };
        let Ok(d) = sync_doc(store, doc_id) else {
            continue; // never shared: no employer can hold it
        };
        let roster = roster_of(store, &d)?;
        let me = store.device_id();
        let adviser_here = roster
            .member(me)
            .is_some_and(|m| m.role == MemberRole::Adviser);
        if adviser_here && roster.members().any(|m| m.role == MemberRole::Employer) {
            removed += end_employer_access(store, placement)?;
        }
    }
    Ok(removed)
}

/// This device becomes the anchor of a document it created.
pub(crate) fn anchor_here(
    store: &mut Store,
    doc_id: Uuid,
    key: &DeviceKey,
) -> Result<(), SyncError> {
    let anchor = Anchor {
        device_id: store.device_id(),
        device_key: key.public(),
        box_key: key.box_public(),
    };
    let name = store.user_name().to_owned();
    store_anchor(store, doc_id, &anchor, &name)
}

/// How the store asks who wrote a change: the member's role and person. A removed device's
/// changes keep the role it had (see `engine::sender_refused`).
pub(crate) fn authors(roster: &Roster) -> impl Fn(Uuid) -> Option<(Role, String)> + '_ {
    |d| {
        roster
            .member(d)
            .or_else(|| roster.ever(d))
            .map(|m| (domain_role(m.role), m.name.clone()))
    }
}

/// Who a device is in a log line: its person, or that it is unknown.
/// `notice` naming a device as the UI words it: its id, its member's name if the roster has
/// one, and whether it was removed (`member`: `current`, `removed` or `unknown`).
pub(crate) fn naming(roster: &Roster, device: Uuid, notice: Notice) -> Notice {
    let n = notice.with("device", device);
    match (roster.member(device), roster.ever(device)) {
        (Some(m), _) => n.with("name", &m.name).with("member", "current"),
        (None, Some(m)) => n.with("name", &m.name).with("member", "removed"),
        (None, None) => n.with("member", "unknown"),
    }
}

pub(crate) fn describe(roster: &Roster, device: Uuid) -> String {
    match (roster.member(device), roster.ever(device)) {
        (Some(m), _) => format!("{} ({device})", m.name),
        (None, Some(m)) => format!("{}, fjernet enhet ({device})", m.name),
        (None, None) => format!("ukjent enhet ({device})"),
    }
}

/// The joined documents on `relay` of which the roster makes this device an adviser member.
pub(crate) fn adviser_docs(
    s: &Store,
    device: Uuid,
    relay: &str,
) -> Result<Vec<(SyncDoc, Roster)>, SyncError> {
    let mut docs = Vec::new();
    for d in s
        .sync_docs()?
        .into_iter()
        .filter(|d| d.joined && d.relay == relay)
    {
        let roster = roster_of(s, &d)?;
        if roster
            .member(device)
            .is_some_and(|m| m.role == MemberRole::Adviser)
        {
            docs.push((d, roster));
        }
    }
    Ok(docs)
}
