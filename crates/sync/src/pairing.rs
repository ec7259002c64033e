//! Pairing on site. The adviser's device makes an invitation for a document; the other device
//! takes it either as the full code with the short code beside it (QR code or pasted text, opened
//! with the typed short code: carries the document itself, so it works offline and the employer
//! can log at once) or as the short code alone (16 letters: the device fetches the sealed
//! invitation from the relay and pulls the document from it, so it needs a connection).

use std::time::Duration;

use folgesvenn_domain::automerge::AutoCommit;
use folgesvenn_domain::{DocError, LogEvent, Notice, rights};
use folgesvenn_protocol::answer::check_answer;
use folgesvenn_protocol::bundle::ShortCode;
use folgesvenn_protocol::roster::{self, Claim, Grant, Roster, Statement};
use folgesvenn_protocol::wire::{self, *};
use folgesvenn_protocol::{DocKey, RecordKind};
use folgesvenn_store::{DocKind, Store};
use sha2::Digest;
use uuid::Uuid;

use crate::client::{StoreAccess, SyncClient, device_key, now_ms, refused};
use crate::engine::{as_changes, sync_with};
use crate::outgoing::ensure_registered;
use crate::{Invitation, SyncError};

/// What the adviser shows the other device: one invitation, two ways to carry it.
#[derive(Clone, Debug)]
pub struct Pairing {
    /// What the codes carry.
    pub invitation: Invitation,
    /// `FS2-…`, for the QR code and for pasting: the invitation sealed under the short code, so
    /// it is taken with the short code typed beside it; works offline.
    pub full_code: String,
    /// `ABCD-EFGH-JKLM-NPQR`: typed, alone (the receiving device needs the relay) or with the
    /// full code.
    pub short_code: String,
    /// The relay already holds the invitation. If not (no network), it waits in the store and
    /// goes with the next sync; the other device's acceptance is retried until then.
    pub registered: bool,
}

/// Creates an invitation for the placement's document. Works offline: the request to the relay is
/// kept in the store and sent now if the relay answers, else before the next sync's pushes. The
/// store is taken only for the steps before and after the relay's answer.
pub async fn invite(
    mut store: impl StoreAccess,
    client: &SyncClient,
    placement: Uuid,
    kind: DocKind,
    role: MemberRole,
    valid_for: Duration,
) -> Result<Pairing, SyncError> {
    let mut pairing = store.with(|s| make_invitation(s, placement, kind, role, valid_for))?;
    pairing.registered = offer(&mut store, client, &pairing).await?;
    Ok(pairing)
}

/// The invitation, made and queued in the store without the network (`registered` is false):
/// the first half of [`invite`], for a caller that sends it in its own turn with [`offer`].
pub fn make_invitation(
    store: &mut Store,
    placement: Uuid,
    kind: DocKind,
    role: MemberRole,
    valid_for: Duration,
) -> Result<Pairing, SyncError> {
    let doc_id = store.document_id(placement, kind)?;
    let d = crate::members::sync_doc(store, doc_id)?;
    let key = device_key(store)?;
    let roster = crate::members::roster_of(store, &d)?;
    let (Some((anchor, anchor_name)), Some(me)) = (
        crate::members::anchor_of(&d),
        roster.member(store.device_id()),
    ) else {
        return Err(SyncError::NotAnAdviser);
    };
    if me.role != MemberRole::Adviser {
        return Err(SyncError::NotAnAdviser);
    }
    // The candidate's consent is what lets an employer in: checked here, where every invitation
    // is made (the app, the CLI, the demo), against the adviser's private document.
    if role == MemberRole::Employer && !store.employer_sharing_allowed(placement)? {
        return Err(SyncError::NoConsent);
    }
    // The grant travels in the invitation and, from the invited device, to every member.
    let invitation_key = folgesvenn_protocol::DeviceKey::generate();
    let grant = Grant {
        doc_id,
        role,
        invitation_key: invitation_key.public(),
        granted_by: store.device_id(),
    }
    .sign(&key);
    crate::members::keep(store, doc_id, std::slice::from_ref(&grant))?;
    let statements = crate::members::statements(store, doc_id)?;
    let mut secret = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut secret);
    let invitation = Invitation {
        relay: d.relay.clone(),
        doc_id,
        private: kind == DocKind::Private,
        invitation_id: uuid::Uuid::new_v4(),
        secret,
        doc_key: d
            .doc_key
            .as_slice()
            .try_into()
            .map_err(|_| SyncError::Protocol("document key".into()))?,
        epoch: d.epoch,
        expires_at_ms: now_ms() + valid_for.as_millis() as i64,
        snapshot: store.document_bytes(doc_id)?,
        role,
        anchor,
        anchor_name,
        statements,
        invitation_key: *invitation_key.to_bytes(),
        doc_keys: store
            .doc_keys(doc_id)?
            .iter()
            .filter_map(|(e, k)| Some((*e, k.as_slice().try_into().ok()?)))
            .collect(),
    };
    let short = ShortCode::generate();
    let bundle = Invitation {
        snapshot: Vec::new(),
        ..invitation.clone()
    };
    let msg = CreateInvitation {
        doc_id,
        invitation_id: invitation.invitation_id,
        secret_hash: sha2::Sha256::digest(secret).into(),
        role,
        expires_at_ms: invitation.expires_at_ms,
        bundle: Some(SealedBundle {
            lookup: short.lookup(),
            sealed: short.seal(&wire::encode(&bundle)),
        }),
    };
    store.queue_invitation(invitation.invitation_id, doc_id, &wire::encode(&msg))?;
    Ok(Pairing {
        full_code: invitation.to_code(&short),
        invitation,
        short_code: short.display(),
        registered: false,
    })
}

/// Syncs, which sends the queued invitation first: whether the relay now holds it. Offline, or
/// refused for now, it stays queued and the code still works once it is sent.
pub async fn offer(
    store: &mut impl StoreAccess,
    client: &SyncClient,
    pairing: &Pairing,
) -> Result<bool, SyncError> {
    match sync_with(store, client).await {
        Ok(_) => Ok(store.with(|s| -> Result<bool, SyncError> {
            Ok(s.pending_invitations()?
                .iter()
                .all(|(id, _, _)| *id != pairing.invitation.invitation_id))
        })?),
        Err(e @ SyncError::Store(_)) => Err(e),
        Err(_) => Ok(false),
    }
}

fn kind_of(invitation: &Invitation) -> DocKind {
    if invitation.private {
        DocKind::Private
    } else {
        DocKind::Shared
    }
}

/// Reads a full code with the short code typed beside it: [`SyncError::ShortCodeMismatch`] when
/// they do not belong together.
pub fn open_full_code(full_code: &str, short_code: &str) -> Result<Invitation, SyncError> {
    let short = ShortCode::parse(short_code).map_err(|_| SyncError::ShortCodeMismatch)?;
    Invitation::from_code(full_code, &short)
}

/// The relay a full code's placement syncs through, when this device does not use it yet: not
/// `known` (the device's own relay setting, or an address the user typed) nor any document's
/// relay. A crafted code could otherwise point the device at a relay that acknowledges every note
/// and keeps none, so the app and the CLI ask the user to confirm the address first.
pub fn unfamiliar_relay(
    store: &Store,
    invitation: &Invitation,
    known: &[String],
) -> Result<Option<String>, SyncError> {
    let relay = crate::relay_address(&invitation.relay)?;
    let mut familiar: Vec<String> = known
        .iter()
        .filter_map(|k| crate::relay_address(k).ok())
        .collect();
    familiar.extend(store.sync_docs()?.into_iter().map(|d| d.relay));
    Ok((!familiar.contains(&relay)).then_some(relay))
}

/// Accepts a full invitation on this device, offline: the document is imported and can be written
/// to at once; the relay membership follows on the next [`sync_once`].
pub fn accept(store: &mut Store, invitation: &Invitation) -> Result<Uuid, SyncError> {
    if invitation.snapshot.is_empty() {
        return Err(SyncError::BadInvitation);
    }
    // A code for the adviser's own device on an employer's device would bring her private notes
    // there; a document the device holds already is not taken twice. (An employer's code on an
    // adviser's device makes it an employer member: the others judge its writes by that.)
    if invitation.role == MemberRole::Adviser && store.role() != folgesvenn_domain::Role::Adviser {
        return Err(SyncError::WrongRole);
    }
    if store.documents()?.iter().any(|d| d.id == invitation.doc_id) {
        return Err(SyncError::AlreadyJoined);
    }
    // The relay would refuse the secret after expiry anyway; refusing here too means an old
    // code (a photo, a clipboard history) brings no document onto the device, not even offline.
    if invitation.expires_at_ms <= now_ms() {
        return Err(SyncError::InvitationExpired);
    }
    let relay = crate::relay_address(&invitation.relay)?;
    let claim = claim(store, invitation)?;
    let placement =
        store.import_document(invitation.doc_id, kind_of(invitation), &invitation.snapshot)?;
    let pending = crate::invitation::pending(invitation.invitation_id, &invitation.secret);
    store.enable_sync(
        invitation.doc_id,
        &invitation.doc_key,
        invitation.epoch,
        &relay,
        false,
        Some(&pending),
    )?;
    take_membership(store, invitation, claim)?;
    Ok(placement)
}

/// This device's claim of the invitation's grant, checked before anything is imported: the
/// invitation's statements must make this device a member with the role it names.
fn claim(store: &mut Store, invitation: &Invitation) -> Result<Statement, SyncError> {
    let device_key = device_key(store)?;
    let one_time = folgesvenn_protocol::DeviceKey::from_bytes(&invitation.invitation_key)
        .map_err(|_| SyncError::BadInvitation)?;
    let claim = Claim {
        doc_id: invitation.doc_id,
        invitation_key: one_time.public(),
        device_id: store.device_id(),
        device_key: device_key.public(),
        box_key: device_key.box_public(),
        name: store.user_name().to_owned(),
    }
    .sign(&one_time);
    let mut all = invitation.statements.clone();
    all.push(claim.clone());
    let roster = Roster::evaluate(
        invitation.doc_id,
        &invitation.anchor,
        &invitation.anchor_name,
        &all,
    );
    match roster.member(store.device_id()) {
        Some(m) if m.role == invitation.role => Ok(claim),
        _ => Err(SyncError::BadInvitation),
    }
}

/// Keeps the invitation's anchor and statements, and queues this device's claim with them as its
/// first record, so every member learns its role before any change of its.
fn take_membership(
    store: &mut Store,
    invitation: &Invitation,
    claim: Statement,
) -> Result<(), SyncError> {
    crate::members::store_anchor(
        store,
        invitation.doc_id,
        &invitation.anchor,
        &invitation.anchor_name,
    )?;
    for (epoch, key) in &invitation.doc_keys {
        store.add_doc_key(invitation.doc_id, *epoch, key)?;
    }
    let mut all = invitation.statements.clone();
    all.push(claim);
    crate::members::keep(store, invitation.doc_id, &all)?;
    crate::members::queue(store, invitation.doc_id, invitation.epoch, &all)?;
    store.set_member_role(
        invitation.doc_id,
        crate::members::domain_role(invitation.role),
    )?;
    Ok(())
}

/// Joins with a short typed code through `relay`: fetches and opens the sealed invitation, joins
/// the document's membership, pulls the document (a snapshot and the records after it) and only
/// then imports it, so a failure part-way leaves nothing behind but a retry.
///
/// The store is taken only for the short steps between the relay's answers.
pub async fn join_with_code(
    mut store: impl StoreAccess,
    client: &SyncClient,
    relay: &str,
    typed: &str,
) -> Result<Uuid, SyncError> {
    let code = ShortCode::parse(typed).map_err(|_| SyncError::BadInvitation)?;
    let relay = &crate::relay_address(relay)?;
    let (key, device) =
        store.with(|s| -> Result<_, SyncError> { Ok((device_key(s)?, s.device_id())) })?;
    ensure_registered(&mut store, client, relay, device, &key).await?;
    let (status, body) = client
        .post(
            relay,
            "/v2/invitations/fetch",
            device,
            &key,
            &FetchBundle {
                lookup: code.lookup(),
            },
        )
        .await?;
    if status != 200 {
        return Err(match refused(status, &body) {
            SyncError::Relay { status: 404, .. } => SyncError::UnknownCode,
            other => other,
        });
    }
    let bundle: SealedBundle =
        wire::decode(&body).map_err(|e| SyncError::Protocol(e.to_string()))?;
    let invitation: Invitation = code
        .open(&bundle.sealed)
        .ok()
        .and_then(|plain| wire::decode(&plain).ok())
        .ok_or(SyncError::BadInvitation)?;
    let (status, body) = client
        .post(
            relay,
            "/v2/invitations/accept",
            device,
            &key,
            &AcceptInvitation {
                invitation_id: invitation.invitation_id,
                secret: invitation.secret,
            },
        )
        .await?;
    if status != 200 {
        return Err(refused(status, &body));
    }

    let claim = store.with(|s| claim(s, &invitation))?;
    let doc_key =
        DocKey::from_bytes(&invitation.doc_key).map_err(|e| SyncError::Protocol(e.to_string()))?;
    let mut old_keys: Vec<(u32, DocKey)> = invitation
        .doc_keys
        .iter()
        .filter_map(|(e, k)| Some((*e, DocKey::from_bytes(k).ok()?)))
        .collect();
    old_keys.push((invitation.epoch, doc_key));
    let which = match kind_of(&invitation) {
        DocKind::Shared => rights::Document::Shared,
        DocKind::Private => rights::Document::Private,
    };
    // The document is built in memory from what the relay holds, and every record is checked
    // as sync checks it: its sender a member by the statements known so far, its changes within
    // that member's rights. What fails waits in quarantine once the document is imported.
    let mut statements = invitation.statements.clone();
    statements.push(claim.clone());
    let mut doc = AutoCommit::new();
    let mut set_aside: Vec<(StoredRecord, Notice)> = Vec::new();
    let mut since = 0;
    let (mut records, mut snapshots) = (0usize, 0usize);
    loop {
        let request = SyncRequest {
            docs: vec![DocSync {
                doc_id: invitation.doc_id,
                since,
                records: Vec::new(),
            }],
        };
        let (status, body) = client
            .post(relay, "/v2/sync", device, &key, &request)
            .await?;
        if status != 200 {
            return Err(refused(status, &body));
        }
        let response: SyncResponse =
            wire::decode(&body).map_err(|e| SyncError::Protocol(e.to_string()))?;
        check_answer(device, &request, |_| 0, &response)
            .map_err(|fault| SyncError::Untrusted(fault.to_string()))?;
        let result = response
            .docs
            .into_iter()
            .next()
            .ok_or_else(|| SyncError::Protocol("tomt svar".into()))?;
        for rec in result.records {
            records += 1;
            snapshots += usize::from(rec.record.header.kind == RecordKind::Snapshot);
            let known = (
                &invitation.anchor,
                invitation.anchor_name.as_str(),
                statements.as_slice(),
            );
            match take_record(&mut doc, &old_keys, known, which, &rec) {
                Ok(new) => statements.extend(new),
                Err(why) => set_aside.push((rec, why)),
            }
        }
        if result.more && result.cursor <= since {
            // Every answer that says "more" serves a record, which moves the cursor on.
            return Err(SyncError::Untrusted(
                "svaret sier at mer venter, men kommer ikke videre".into(),
            ));
        }
        since = result.cursor;
        if !result.more {
            break;
        }
    }
    if since == 0 || doc.get_heads().is_empty() {
        return Err(SyncError::Protocol("dokumentet er tomt på relayet".into()));
    }
    // Everything the join keeps, in one turn with the store: the background sync never sees
    // the document half taken.
    store.with(|store| -> Result<Uuid, SyncError> {
        let placement = store.import_automerge(invitation.doc_id, kind_of(&invitation), doc)?;
        store.enable_sync(
            invitation.doc_id,
            &invitation.doc_key,
            invitation.epoch,
            relay,
            false,
            None,
        )?;
        store.set_joined(invitation.doc_id)?;
        take_membership(store, &invitation, claim)?;
        crate::members::keep(store, invitation.doc_id, &statements)?;
        let roster = crate::members::roster(store, invitation.doc_id)?;
        for (rec, why) in &set_aside {
            store.quarantine(
                invitation.doc_id,
                rec.server_seq,
                &crate::members::describe(&roster, rec.record.header.device_id),
                why,
                &wire::encode(rec),
            )?;
        }
        store.advance_cursor(invitation.doc_id, since)?;
        store.log_sync(
            Some(invitation.doc_id),
            &Notice::event(LogEvent::JoinedWithCode)
                .with("records", records)
                .with("snapshots", snapshots),
        )?;
        Ok(placement)
    })
}

/// Takes one record into a document being built in memory, checked as sync checks it. Returns the
/// statements of a roster record; refuses with the reason what its sender may not write (the
/// document is then as it was).
fn take_record(
    doc: &mut AutoCommit,
    keys: &[(u32, DocKey)],
    (anchor, anchor_name, known): (&roster::Anchor, &str, &[Statement]),
    which: rights::Document,
    rec: &StoredRecord,
) -> Result<Vec<Statement>, Notice> {
    let unreadable =
        |detail: String| Notice::event(LogEvent::RecordUnreadable).with("detail", detail);
    let plain = keys
        .iter()
        .filter(|(e, _)| *e == rec.record.header.epoch)
        .find_map(|(_, k)| rec.record.open(k, &rec.sender_key).ok())
        .ok_or_else(|| {
            Notice::event(LogEvent::RecordUnopenable).with("epoch", rec.record.header.epoch)
        })?;
    let statements =
        crate::engine::statements_in(rec.record.header.kind, &plain).map_err(unreadable)?;
    if rec.record.header.kind == RecordKind::Roster {
        return Ok(statements);
    }
    // A snapshot's statements prove its sender and its authors.
    let mut known = known.to_vec();
    known.extend(statements.iter().cloned());
    let roster = &Roster::evaluate(rec.record.header.doc_id, anchor, anchor_name, &known);
    if let Some(why) = crate::engine::sender_refused(roster, rec) {
        return Err(why);
    }
    let not_applied = |e: DocError| {
        Notice::caused_by(
            LogEvent::RecordNotApplied,
            &folgesvenn_domain::Coded::notice(&e),
        )
    };
    if rec.record.header.kind == RecordKind::Snapshot && doc.get_heads().is_empty() {
        // A snapshot into the empty document is the document. An adviser's snapshot is taken
        // unchecked (her device checked what it holds), so applying its changes one by one to
        // nothing would build the same document for twice the work.
        let (_, document) =
            roster::unpack_snapshot(&plain).map_err(|e| unreadable(e.to_string()))?;
        *doc = folgesvenn_domain::changes::snapshot_document(document).map_err(not_applied)?;
        return Ok(statements);
    }
    let framed = as_changes(rec.record.header.kind, &plain).map_err(unreadable)?;
    let part = rights::Authored {
        framed: &framed,
        sealed_by: (rec.record.header.kind == RecordKind::Changes)
            .then_some(rec.record.header.device_id),
    };
    let authors = crate::members::authors(roster);
    let role_of = |d| authors(d).map(|(r, _)| r);
    rights::apply_checked(doc, &[part], which, &role_of)
        .map(|_| statements)
        .map_err(not_applied)
}
