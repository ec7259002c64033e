//! Each document's members as this device can prove them: the anchor it trusts and the signed
//! statements it holds, worked out with `folgesvenn_protocol::roster`. Nothing here takes the
//! relay's word for who a device is or what it may write.

use folgesvenn_domain::Role;
use folgesvenn_protocol::roster::{self, Anchor, Roster, Statement};
use folgesvenn_protocol::wire::MemberRole;
use folgesvenn_protocol::{DeviceKey, PublicKey};
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
    Some((
        Anchor {
            device_id: a.device,
            device_key: PublicKey(key),
        },
        a.name.clone(),
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
    let d = store
        .sync_docs()?
        .into_iter()
        .find(|d| d.doc_id == doc_id)
        .ok_or(SyncError::Store(
            folgesvenn_store::StoreError::UnknownDocument(doc_id),
        ))?;
    roster_of(store, &d)
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
    Ok(store.add_statements(doc_id, &rows)? > 0)
}

/// This device becomes the anchor of a document it created.
pub(crate) fn anchor_here(
    store: &mut Store,
    doc_id: Uuid,
    key: &DeviceKey,
) -> Result<(), SyncError> {
    let anchor = folgesvenn_store::Anchor {
        device: store.device_id(),
        key: key.public().0.to_vec(),
        name: store.user_name().to_owned(),
    };
    store.set_anchor(doc_id, &anchor)?;
    Ok(())
}

/// How the store asks who wrote a change: the member's role and person.
pub(crate) fn authors(roster: &Roster) -> impl Fn(Uuid) -> Option<(Role, String)> + '_ {
    |d| {
        roster
            .member(d)
            .map(|m| (domain_role(m.role), m.name.clone()))
    }
}

/// Who a device is in a log line: its person, or that it is unknown.
pub(crate) fn describe(roster: &Roster, device: Uuid) -> String {
    match roster.member(device) {
        Some(m) => format!("{} ({device})", m.name),
        None if roster.is_revoked(device) => format!("fjernet enhet ({device})"),
        None => format!("ukjent enhet ({device})"),
    }
}
