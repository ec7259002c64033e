//! The client side of sync: moves a device's outbox to the relay and the other devices' records
//! into its store, in one HTTP round trip per sync (`docs/protocol.md`).
//!
//! Everything it sends is sealed with the document's key and signed with the device's key before
//! it leaves; everything it receives is opened and checked before it is applied. A received record
//! that cannot be opened or applied is quarantined with its reason and the rest keeps syncing.
//! Applying a record and moving the cursor past it happen in one store transaction, and an outbox
//! entry is marked acknowledged only when the relay says it holds it, so a lost answer or a crash
//! at any point means a resend (which the relay recognises), never a loss or a double.
//!
//! Pairing: the adviser's device makes an [`Invitation`] for a document (the relay learns only a
//! hash of its one-time secret); the employer's device accepts it while offline: it imports the
//! snapshot the invitation carries and can log at once. Its first sync presents the secret to the
//! relay and joins the document's membership.

mod invitation;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use folgesvenn_domain::automerge::AutoCommit;
use folgesvenn_protocol::auth;
use folgesvenn_protocol::wire::{self, *};
use folgesvenn_protocol::{DeviceKey, DocKey, RecordHeader, RecordKind, SealedRecord};
use folgesvenn_store::{DocKind, Store, StoreError};
use uuid::Uuid;

pub use invitation::Invitation;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("Får ikke kontakt med relayet ({0}). Endringene venter trygt på enheten.")]
    Offline(String),
    #[error("Relayet avviste forespørselen ({status} {kind}).")]
    Relay { status: u16, kind: String },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("Svaret fra relayet kan ikke leses: {0}")]
    Protocol(String),
    #[error("Invitasjonskoden kan ikke leses. Sjekk at hele koden er med.")]
    BadInvitation,
}

impl SyncError {
    pub fn kind(&self) -> &'static str {
        match self {
            SyncError::Offline(_) => "offline",
            SyncError::Relay { .. } => "relay_refused",
            SyncError::Store(e) => e.kind(),
            SyncError::Protocol(_) => "protocol",
            SyncError::BadInvitation => "bad_invitation",
        }
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
}

pub struct SyncClient {
    http: reqwest::Client,
}

impl Default for SyncClient {
    fn default() -> Self {
        SyncClient::new()
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

impl SyncClient {
    pub fn new() -> SyncClient {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("a client without custom TLS roots always builds");
        SyncClient { http }
    }

    async fn post<T: serde::Serialize>(
        &self,
        relay: &str,
        path: &str,
        device: Uuid,
        key: &DeviceKey,
        msg: &T,
    ) -> Result<(u16, Vec<u8>), SyncError> {
        let body = wire::encode(msg);
        let h = auth::sign(device, key, "POST", path, &body, now_ms());
        let resp = self
            .http
            .post(format!("{}{path}", relay.trim_end_matches('/')))
            .header(auth::HEADER_DEVICE, h.device.to_string())
            .header(auth::HEADER_TIME, h.time_ms.to_string())
            .header(auth::HEADER_NONCE, h.nonce)
            .header(auth::HEADER_SIGNATURE, h.signature)
            .body(body)
            .send()
            .await
            .map_err(|e| SyncError::Offline(e.to_string()))?;
        let status = resp.status().as_u16();
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| SyncError::Offline(e.to_string()))?;
        Ok((status, bytes.to_vec()))
    }
}

fn refused(status: u16, body: &[u8]) -> SyncError {
    let kind = wire::decode::<ErrorBody>(body)
        .map(|e| e.kind)
        .unwrap_or_else(|_| "unknown".into());
    SyncError::Relay { status, kind }
}

fn device_key(store: &mut Store) -> Result<DeviceKey, SyncError> {
    let bytes = store.device_signing_key()?;
    DeviceKey::from_bytes(&bytes).map_err(|e| SyncError::Protocol(e.to_string()))
}

/// Starts syncing a document this device created, with a fresh document key. The relay learns of
/// it on the next [`sync_once`]; until then it waits in the outbox.
pub fn share(store: &mut Store, doc_id: Uuid, relay: &str) -> Result<(), SyncError> {
    let key = DocKey::generate();
    store.enable_sync(doc_id, key.as_bytes(), 1, relay, true, None)?;
    Ok(())
}

async fn ensure_registered(
    store: &mut Store,
    client: &SyncClient,
    relay: &str,
    key: &DeviceKey,
) -> Result<usize, SyncError> {
    let flag = format!("relay_registered:{relay}");
    if store.meta(&flag)?.is_some() {
        return Ok(0);
    }
    let device = store.device_id();
    let msg = RegisterDevice {
        device_id: device,
        public_key: key.public(),
    };
    let (status, body) = client.post(relay, "/v1/devices", device, key, &msg).await?;
    if status != 204 {
        return Err(refused(status, &body));
    }
    store.set_meta(&flag, "1")?;
    Ok(1)
}

/// Turns an opened record into the framed changes the store applies.
fn as_changes(kind: RecordKind, plaintext: &[u8]) -> Result<Vec<u8>, String> {
    match kind {
        RecordKind::Changes => Ok(plaintext.to_vec()),
        RecordKind::Snapshot => {
            let mut doc = AutoCommit::load(plaintext).map_err(|e| e.to_string())?;
            Ok(folgesvenn_domain::changes::encode(
                doc.get_changes(&[]).iter(),
            ))
        }
    }
}

/// One sync: joins documents not yet joined, then pushes the outbox and pulls what others wrote,
/// for every syncing document at once (more round trips only while the relay says `more`).
pub async fn sync_once(store: &mut Store, client: &SyncClient) -> Result<Report, SyncError> {
    let mut report = Report::default();
    let docs = store.sync_docs()?;
    let Some(relay) = docs.first().map(|d| d.relay.clone()) else {
        return Ok(report);
    };
    let key = device_key(store)?;
    let device = store.device_id();
    report.round_trips += ensure_registered(store, client, &relay, &key).await?;

    for d in docs.iter().filter(|d| !d.joined) {
        let (path, status, body) = match &d.invitation {
            Some(inv) => {
                let (id, secret) =
                    invitation::parse_pending(inv).ok_or(SyncError::BadInvitation)?;
                let msg = AcceptInvitation {
                    invitation_id: id,
                    secret,
                };
                let (s, b) = client
                    .post(&relay, "/v1/invitations/accept", device, &key, &msg)
                    .await?;
                ("accept", s, b)
            }
            None => {
                let (s, b) = client
                    .post(
                        &relay,
                        "/v1/docs",
                        device,
                        &key,
                        &CreateDoc { doc_id: d.doc_id },
                    )
                    .await?;
                ("create", s, b)
            }
        };
        report.round_trips += 1;
        if status == 200 || status == 204 {
            store.set_joined(d.doc_id)?;
            store.log_sync(
                Some(d.doc_id),
                if path == "accept" {
                    "ble med i dokumentet på relayet"
                } else {
                    "dokumentet opprettet på relayet"
                },
            )?;
        } else {
            let e = refused(status, &body);
            store.log_sync(Some(d.doc_id), &format!("kunne ikke bli med ennå: {e}"))?;
        }
    }

    for _ in 0..16 {
        let docs: Vec<_> = store
            .sync_docs()?
            .into_iter()
            .filter(|d| d.joined)
            .collect();
        if docs.is_empty() {
            break;
        }
        let mut request = SyncRequest {
            docs: Vec::with_capacity(docs.len()),
        };
        for d in &docs {
            let doc_key =
                DocKey::from_bytes(&d.doc_key).map_err(|e| SyncError::Protocol(e.to_string()))?;
            let items = store.outbox(d.doc_id)?;
            let records: Vec<SealedRecord> = items
                .iter()
                .map(|i| {
                    let header = RecordHeader {
                        doc_id: d.doc_id,
                        device_id: device,
                        device_seq: i.device_seq,
                        kind: RecordKind::Changes,
                        epoch: d.epoch,
                        covers_through: 0,
                    };
                    SealedRecord::seal(header, &i.payload, &doc_key, &key)
                })
                .collect();
            store.mark_sent(
                d.doc_id,
                &items.iter().map(|i| i.device_seq).collect::<Vec<_>>(),
            )?;
            report.pushed += records.len();
            request.docs.push(DocSync {
                doc_id: d.doc_id,
                since: d.cursor,
                records,
            });
        }
        let (status, body) = client
            .post(&relay, "/v1/sync", device, &key, &request)
            .await?;
        report.round_trips += 1;
        if status != 200 {
            let e = refused(status, &body);
            for d in &docs {
                store.log_sync(Some(d.doc_id), &format!("synkronisering avvist: {e}"))?;
            }
            return Err(e);
        }
        let response: SyncResponse =
            wire::decode(&body).map_err(|e| SyncError::Protocol(e.to_string()))?;
        let mut more = false;
        for result in response.docs {
            let Some(d) = docs.iter().find(|d| d.doc_id == result.doc_id) else {
                continue;
            };
            if result.status != DocStatus::Ok {
                store.log_sync(
                    Some(d.doc_id),
                    &format!("relayet nekter tilgang: {:?}", result.status),
                )?;
                continue;
            }
            store.mark_acked(d.doc_id, &result.acked)?;
            for (seq, why) in &result.rejected {
                store.log_sync(
                    Some(d.doc_id),
                    &format!("relayet avviste egen post {seq}: {why}"),
                )?;
            }
            let doc_key =
                DocKey::from_bytes(&d.doc_key).map_err(|e| SyncError::Protocol(e.to_string()))?;
            for rec in &result.records {
                report.received += 1;
                let outcome = rec
                    .record
                    .open(&doc_key, &rec.sender_key)
                    .map_err(|e| e.to_string())
                    .and_then(|plain| as_changes(rec.record.header.kind, &plain))
                    .and_then(|framed| {
                        // Every automerge call sits behind this wall: a panic in a dependency on
                        // hostile bytes quarantines the record instead of taking the app down.
                        catch_unwind(AssertUnwindSafe(|| {
                            store.apply_received(d.doc_id, &framed, rec.server_seq)
                        }))
                        .map_err(|_| "automerge feilet på posten".to_owned())
                        .and_then(|r| r.map_err(|e| e.to_string()))
                    });
                match outcome {
                    Ok(_) => report.applied += 1,
                    Err(reason) => {
                        store.forget_cache();
                        store.quarantine(
                            d.doc_id,
                            rec.server_seq,
                            &rec.sender_key.to_string(),
                            &reason,
                            &wire::encode(&rec.record),
                        )?;
                        report.quarantined += 1;
                    }
                }
            }
            store.advance_cursor(d.doc_id, result.cursor)?;
            store.log_sync(
                Some(d.doc_id),
                &format!(
                    "sendte {}, mottok {} post(er)",
                    result.acked.len(),
                    result.records.len()
                ),
            )?;
            more |= result.more;
        }
        if !more {
            break;
        }
    }
    Ok(report)
}

/// Creates an invitation for `doc_id` at the relay and returns it, carrying the document as it is
/// now so the invited device can start at once, offline. Needs the relay.
pub async fn invite(
    store: &mut Store,
    client: &SyncClient,
    placement: Uuid,
    kind: DocKind,
    role: MemberRole,
    valid_for: Duration,
) -> Result<Invitation, SyncError> {
    let doc_id = store.document_id(placement, kind)?;
    let d = store
        .sync_docs()?
        .into_iter()
        .find(|d| d.doc_id == doc_id)
        .ok_or(SyncError::Store(StoreError::UnknownDocument(doc_id)))?;
    let key = device_key(store)?;
    let device = store.device_id();
    ensure_registered(store, client, &d.relay, &key).await?;
    if !d.joined {
        sync_once(store, client).await?;
    }
    let mut secret = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut secret);
    let invitation_id = Uuid::new_v4();
    let expires_at_ms = now_ms() + valid_for.as_millis() as i64;
    use sha2::Digest;
    let msg = CreateInvitation {
        doc_id,
        invitation_id,
        secret_hash: sha2::Sha256::digest(secret).into(),
        role,
        expires_at_ms,
    };
    let (status, body) = client
        .post(&d.relay, "/v1/invitations", device, &key, &msg)
        .await?;
    if status != 204 {
        return Err(refused(status, &body));
    }
    store.log_sync(Some(doc_id), "invitasjon laget")?;
    Ok(Invitation {
        relay: d.relay.clone(),
        doc_id,
        private: kind == DocKind::Private,
        invitation_id,
        secret,
        doc_key: d
            .doc_key
            .as_slice()
            .try_into()
            .map_err(|_| SyncError::Protocol("document key".into()))?,
        epoch: d.epoch,
        expires_at_ms,
        snapshot: store.document_bytes(doc_id)?,
    })
}

/// Accepts an invitation on this device, offline: the document is imported and can be written to
/// at once; the relay membership follows on the next [`sync_once`].
pub fn accept(store: &mut Store, invitation: &Invitation) -> Result<Uuid, SyncError> {
    let kind = if invitation.private {
        DocKind::Private
    } else {
        DocKind::Shared
    };
    let placement = store.import_document(invitation.doc_id, kind, &invitation.snapshot)?;
    let pending = invitation::pending(invitation.invitation_id, &invitation.secret);
    store.enable_sync(
        invitation.doc_id,
        &invitation.doc_key,
        invitation.epoch,
        &invitation.relay,
        false,
        Some(&pending),
    )?;
    Ok(placement)
}
