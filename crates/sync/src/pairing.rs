//! Pairing on site. The adviser's device makes an invitation for a document; the other device
//! takes it either as the full code with the short code beside it (QR code or pasted text, opened
//! with the typed short code: carries the document itself, so it works offline and the employer
//! can log at once) or as the short code alone (16 letters: the device fetches the sealed
//! invitation from the relay and pulls the document from it, so it needs a connection).
//!
//! A device pairing ([`make_device_pairing`]) is the adviser's way to her own new laptop or
//! phone: one short code for an invitation to every document she follows, taken in one go with
//! [`join_with_code`].

use std::time::Duration;

use folgesvenn_domain::automerge::AutoCommit;
use folgesvenn_domain::{DocError, LogEvent, Notice, rights};
use folgesvenn_protocol::answer::check_answer;
use folgesvenn_protocol::bundle::ShortCode;
use folgesvenn_protocol::roster::{self, Claim, Grant, Roster, Statement};
use folgesvenn_protocol::wire::{self, *};
use folgesvenn_protocol::{DocKey, RecordKind};
use folgesvenn_store::{DocKind, Prepared, Store};
use sha2::Digest;
use uuid::Uuid;

use crate::client::{StoreAccess, SyncClient, device_key, now_ms, post_patiently, refused};
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
    let mut invitation = build_invitation(store, placement, kind, role, valid_for)?;
    let short = ShortCode::generate();
    queue_offer(
        store,
        &invitation,
        SealedBundle {
            lookup: short.lookup(),
            sealed: short.seal(&wire::encode(&invitation)),
        },
    )?;
    // Only the full code carries the document: the relay's bundle leaves it out, and the device
    // that takes the short code pulls it.
    invitation.snapshot = store.document_bytes(invitation.doc_id)?;
    Ok(Pairing {
        full_code: invitation.to_code(&short),
        invitation,
        short_code: short.display(),
        registered: false,
    })
}

/// An invitation to one document, without the document itself (`snapshot` is empty). Only an
/// adviser member invites, and an employer only with the candidate's consent; the grant is kept
/// in the store, from where it travels to every member.
fn build_invitation(
    store: &mut Store,
    placement: Uuid,
    kind: DocKind,
    role: MemberRole,
    valid_for: Duration,
) -> Result<Invitation, SyncError> {
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
    Ok(Invitation {
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
        snapshot: Vec::new(),
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
    })
}

/// Queues the relay's part of an invitation: its hashed secret and the sealed bundle a short
/// code finds. Sent with the next sync.
fn queue_offer(
    store: &mut Store,
    invitation: &Invitation,
    bundle: SealedBundle,
) -> Result<(), SyncError> {
    let msg = CreateInvitation {
        doc_id: invitation.doc_id,
        invitation_id: invitation.invitation_id,
        secret_hash: sha2::Sha256::digest(invitation.secret).into(),
        role: invitation.role,
        expires_at_ms: invitation.expires_at_ms,
        bundle: Some(bundle),
    };
    store.queue_invitation(
        invitation.invitation_id,
        invitation.doc_id,
        &wire::encode(&msg),
    )?;
    Ok(())
}

/// The most documents one device pairing carries: every document of 5,000 placements, twice.
pub const MAX_DEVICE_PAIRING: u32 = 20_000;

/// How long a device pairing's code can be taken: one code opens every placement the adviser
/// follows, and she holds both devices while she uses it.
pub const DEVICE_PAIRING_VALID: Duration = Duration::from_secs(3600);

/// One bundle of a device pairing, sealed under the pairing's short code at its index.
#[derive(serde::Serialize, serde::Deserialize)]
struct PairingEntry {
    index: u32,
    count: u32,
    invitation: Invitation,
}

/// What the adviser's device shows for a device pairing: one short code for every document.
#[derive(Clone, Debug)]
pub struct DevicePairing {
    /// `ABCD-EFGH-JKLM-NPQR`, typed on the new device (which needs the relay).
    pub short_code: String,
    /// The placements and the documents it brings.
    pub placements: usize,
    pub documents: usize,
    pub expires_at_ms: i64,
    /// The relay holds every invitation (set by the caller after [`offer`]).
    pub registered: bool,
    /// Its invitations, to see whether the relay holds them all.
    pub invitation_ids: Vec<Uuid>,
}

/// A device pairing: an invitation for the adviser's own new device to every document this
/// device holds as an adviser member at `relay` (both documents of each placement, so the new
/// device has her own notes too), all behind one short code. Bundle `i` is sealed at index `i`
/// ([`ShortCode::seal_at`]) and names the count, so the new device knows how many to fetch;
/// bundle 0 is taken last, so a pairing cut short goes on when the code is typed again. Made and
/// queued in the store without the network, like [`make_invitation`].
pub fn make_device_pairing(
    store: &mut Store,
    relay: &str,
    valid_for: Duration,
) -> Result<DevicePairing, SyncError> {
    let relay = crate::relay_address(relay)?;
    let here: std::collections::HashSet<Uuid> = store
        .sync_docs()?
        .into_iter()
        .filter(|d| d.relay == relay)
        .map(|d| d.doc_id)
        .collect();
    let docs: Vec<_> = store
        .documents()?
        .into_iter()
        .filter(|d| here.contains(&d.id))
        .collect();
    let short = ShortCode::generate();
    // Every invitation and its grant, or none: a pairing that failed part-way leaves no grant
    // behind for a code nobody was shown.
    store.atomically(|store| {
        // A document this device holds but not as an adviser member is not hers to hand on.
        let mut invitations = Vec::with_capacity(docs.len());
        for d in &docs {
            match build_invitation(
                store,
                d.placement_id,
                d.kind,
                MemberRole::Adviser,
                valid_for,
            ) {
                Ok(invitation) => invitations.push((d.placement_id, invitation)),
                Err(SyncError::NotAnAdviser) => {}
                Err(e) => return Err(e),
            }
        }
        if invitations.is_empty() {
            return Err(SyncError::NothingToPair);
        }
        let count = u32::try_from(invitations.len())
            .ok()
            .filter(|n| *n <= MAX_DEVICE_PAIRING)
            .ok_or_else(|| SyncError::Protocol(format!("{} dokumenter", invitations.len())))?;
        let documents = invitations.len();
        let mut invitation_ids = Vec::with_capacity(documents);
        let mut placements = std::collections::HashSet::new();
        let mut expires_at_ms = 0;
        for (index, (placement, invitation)) in (0..count).zip(invitations) {
            let entry = PairingEntry {
                index,
                count,
                invitation,
            };
            let bundle = SealedBundle {
                lookup: short.lookup_at(index),
                sealed: short.seal_at(index, &wire::encode(&entry)),
            };
            queue_offer(store, &entry.invitation, bundle)?;
            invitation_ids.push(entry.invitation.invitation_id);
            placements.insert(placement);
            expires_at_ms = entry.invitation.expires_at_ms;
        }
        store.log_sync(
            None,
            &Notice::event(LogEvent::DevicePairingMade)
                .with("placements", placements.len())
                .with("documents", documents),
        )?;
        Ok(DevicePairing {
            short_code: short.display(),
            placements: placements.len(),
            documents,
            expires_at_ms,
            registered: false,
            invitation_ids,
        })
    })
}

/// Syncs, which sends the queued invitations first: whether the relay now holds every one of
/// `ids`. Offline, or refused for now, they stay queued.
pub async fn offer_all(
    store: &mut impl StoreAccess,
    client: &SyncClient,
    ids: &[Uuid],
) -> Result<bool, SyncError> {
    match sync_with(store, client).await {
        Ok(_) => Ok(store.with(|s| -> Result<bool, SyncError> {
            Ok(s.pending_invitations()?
                .iter()
                .all(|(id, _, _)| !ids.contains(id)))
        })?),
        Err(e @ SyncError::Store(_)) => Err(e),
        Err(_) => Ok(false),
    }
}

/// The meta key under which a device pairing's progress is kept: the indexes taken, so typing the
/// code again goes on from there. Named by the pairing's first lookup value, which only the code
/// gives.
fn progress_key(code: &ShortCode) -> String {
    format!(
        "device-pairing/{}",
        data_encoding::HEXLOWER.encode(&code.lookup_at(0)[..8])
    )
}

/// How far a device pairing has come: the bundles taken (kept in the store's meta under `key`,
/// so typing the code again goes on from there) and what they brought.
struct Progress {
    key: String,
    taken: std::collections::BTreeSet<u32>,
    joined: Joined,
}

impl Progress {
    /// Notes bundle `index` as taken, with the placement it brought, in memory.
    fn note(&mut self, index: u32, placement: Option<Uuid>) {
        if let Some(p) = placement
            && !self.joined.placements.contains(&p)
        {
            self.joined.placements.push(p);
        }
        self.taken.insert(index);
    }

    /// Writes the bundles taken to the store.
    fn save(&self, store: &mut Store) -> Result<(), SyncError> {
        let done = self
            .taken
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(",");
        Ok(store.set_meta(&self.key, &done)?)
    }

    /// Notes bundle `index` as taken, with the placement it brought, and writes it.
    fn done(
        &mut self,
        store: &mut impl StoreAccess,
        index: u32,
        placement: Option<Uuid>,
    ) -> Result<(), SyncError> {
        self.note(index, placement);
        store.with(|s| self.save(s))
    }

    /// Keeps checked documents and notes their bundles as taken, in one transaction.
    fn keep(
        &mut self,
        store: &mut impl StoreAccess,
        relay: &str,
        batch: Vec<(u32, Built)>,
    ) -> Result<(), SyncError> {
        store.with(|s| {
            s.atomically(|s| {
                for (index, built) in batch {
                    let placement = built.keep(s, relay)?;
                    self.note(index, Some(placement));
                }
                self.save(s)
            })
        })
    }

    fn apply(
        &mut self,
        store: &mut impl StoreAccess,
        relay: &str,
        keep: Keep,
    ) -> Result<(), SyncError> {
        match keep {
            Keep::Batch(batch) => self.keep(store, relay, batch),
            Keep::Held(index) => self.done(store, index, None),
        }
    }
}

/// What a device pairing hands to its [`Keeper`].
enum Keep {
    /// Documents checked, to be kept in one transaction.
    Batch(Vec<(u32, Built)>),
    /// A bundle whose document this device holds already: taken, bringing nothing.
    Held(u32),
}

/// Where a device pairing's checked documents are written: on the joining task, or, when the
/// store is shared ([`StoreAccess::shared`]), on a thread of its own, so that the relay's answers
/// and the checks go on while a batch is written (on the joining task, the writes stopped both
/// for about as long as they took themselves). The thread owns the [`Progress`] and takes the
/// store for one batch at a time; at most one batch waits for it. Either way the store keeps more
/// pages in memory meanwhile ([`Store::bulk_import`]).
enum Keeper {
    Here(Progress),
    Beside {
        send: tokio::sync::mpsc::Sender<Keep>,
        done: tokio::task::JoinHandle<Result<Progress, SyncError>>,
    },
}

impl Keeper {
    fn new(
        store: &mut impl StoreAccess,
        relay: &str,
        progress: Progress,
    ) -> Result<Keeper, SyncError> {
        let Some(shared) = store.shared() else {
            store.with(|s| s.bulk_import(true))?;
            return Ok(Keeper::Here(progress));
        };
        let (send, mut receive) = tokio::sync::mpsc::channel::<Keep>(1);
        let relay = relay.to_owned();
        // Ends, and lets the store's pages go, when the join ends, even one given up half-way.
        let done = tokio::task::spawn_blocking(move || {
            let (mut progress, mut store) = (progress, &*shared);
            store.with(|s| s.bulk_import(true))?;
            let mut kept = Ok(());
            while let Some(keep) = receive.blocking_recv() {
                kept = progress.apply(&mut store, &relay, keep);
                if kept.is_err() {
                    break;
                }
            }
            Keeper::ease(&mut store);
            kept.map(|()| progress)
        });
        Ok(Keeper::Beside { send, done })
    }

    /// Only memory: a store that cannot shrink its cache still holds everything written.
    fn ease(store: &mut impl StoreAccess) {
        let _ = store.with(|s| s.bulk_import(false));
    }

    async fn keep(
        &mut self,
        store: &mut impl StoreAccess,
        relay: &str,
        keep: Keep,
    ) -> Result<(), SyncError> {
        match self {
            Keeper::Here(progress) => progress.apply(store, relay, keep),
            // The thread stops only when a write failed: [`Keeper::finish`] tells how.
            Keeper::Beside { send, .. } => send
                .send(keep)
                .await
                .map_err(|_| SyncError::Protocol("lagringen stoppet".into())),
        }
    }

    /// Waits until everything handed over is written: the progress made, or the write that
    /// failed. Asked before any other failure is reported, since this one says more.
    async fn finish(self, store: &mut impl StoreAccess) -> Result<Progress, SyncError> {
        match self {
            Keeper::Here(progress) => {
                Keeper::ease(store);
                Ok(progress)
            }
            Keeper::Beside { send, done } => {
                drop(send);
                done.await
                    .map_err(|e| SyncError::Protocol(format!("lagringen stoppet: {e}")))?
            }
        }
    }
}

/// How many checked documents a device pairing keeps in one transaction. Each commit writes the
/// pages every document touches (indexes, the log, the sync tables) and syncs the disk; a batch
/// shares that. A batch a crash cuts short is not lost: the relay serves a used bundle again to
/// the device that used it ([`RETAKE_AFTER_USE_MS`]), so typing the code again takes it.
///
/// With the keeper thread, 16 and 64 were slower than 32 at 500 placements (16.7 and 13.1 s
/// against 11.8–11.9 s), and 64 held 234 MiB at its peak against 184–201.
///
/// [`RETAKE_AFTER_USE_MS`]: folgesvenn_protocol::bundle::RETAKE_AFTER_USE_MS
const KEEP_TOGETHER: usize = 32;

/// How many pulled documents a device pairing checks at once, each on a thread of its own, while
/// it pulls the next: checking (loading the snapshot, every record's rights, the projection rows)
/// takes longer than pulling, and the relay's answers wait on the network.
const CHECKS_AT_ONCE: usize = 2;

/// The documents of a device pairing between the relay and the store: those being checked, each
/// on a thread of its own, and those checked and waiting to be kept together.
#[derive(Default)]
struct Keeping {
    checking: std::collections::VecDeque<(u32, tokio::task::JoinHandle<Result<Built, SyncError>>)>,
    ready: Vec<(u32, Built)>,
}

impl Keeping {
    /// Starts checking a pulled document on a thread of its own.
    fn check(&mut self, index: u32, pulled: Pulled) {
        let handle = tokio::task::spawn_blocking(move || pulled.build());
        self.checking.push_back((index, handle));
    }

    /// Waits for the oldest checks until at most `in_flight` are left, then keeps the batch if
    /// it is full, or everything checked if `in_flight` is 0. A failed check still keeps the
    /// documents checked before it.
    async fn settle(
        &mut self,
        keeper: &mut Keeper,
        store: &mut impl StoreAccess,
        relay: &str,
        in_flight: usize,
    ) -> Result<(), SyncError> {
        while self.checking.len() > in_flight {
            let Some((index, handle)) = self.checking.pop_front() else {
                break;
            };
            let built = handle
                .await
                .map_err(|e| SyncError::Protocol(format!("kontrollen stoppet: {e}")))
                .and_then(|checked| checked);
            match built {
                Ok(built) => self.ready.push((index, built)),
                Err(e) => {
                    self.keep_ready(keeper, store, relay).await?;
                    return Err(e);
                }
            }
        }
        if in_flight == 0 || self.ready.len() >= KEEP_TOGETHER {
            self.keep_ready(keeper, store, relay).await?;
        }
        Ok(())
    }

    async fn keep_ready(
        &mut self,
        keeper: &mut Keeper,
        store: &mut impl StoreAccess,
        relay: &str,
    ) -> Result<(), SyncError> {
        if self.ready.is_empty() {
            return Ok(());
        }
        let batch = Keep::Batch(std::mem::take(&mut self.ready));
        keeper.keep(store, relay, batch).await
    }
}

/// Takes a device pairing whose first bundle the relay had: every other bundle, then the first.
/// A bundle that does not open at its index, or names another count, is refused as a whole:
/// whoever made it does not hold the code.
async fn join_device_pairing(
    store: &mut impl StoreAccess,
    at: &Joiner<'_>,
    code: &ShortCode,
    first: Vec<u8>,
) -> Result<Joined, SyncError> {
    let open = |index: u32, sealed: &[u8], count: Option<u32>| -> Result<PairingEntry, SyncError> {
        let entry: PairingEntry = code
            .open_at(index, sealed)
            .ok()
            .and_then(|plain| wire::decode(&plain).ok())
            .ok_or(SyncError::BadInvitation)?;
        let fits = entry.index == index
            && (1..=MAX_DEVICE_PAIRING).contains(&entry.count)
            && count.is_none_or(|c| c == entry.count)
            && entry.invitation.role == MemberRole::Adviser;
        fits.then_some(entry).ok_or(SyncError::BadInvitation)
    };
    let first = open(0, &first, None)?;
    let count = first.count;
    // Only an adviser's device takes her notes: refused before any invitation is used up.
    if store.with(|s| s.role()) != folgesvenn_domain::Role::Adviser {
        return Err(SyncError::WrongRole);
    }
    let key = progress_key(code);
    let taken: std::collections::BTreeSet<u32> = store
        .with(|s| s.meta(&key))?
        .map(|v| v.split(',').filter_map(|i| i.parse().ok()).collect())
        .unwrap_or_default();
    // What every document's pull needs from the store, read once: the pulls below leave the
    // store to the keeper.
    let claimant = store.with(Claimant::of)?;
    let mut held: std::collections::HashSet<Uuid> = store
        .with(|s| s.sync_docs())?
        .into_iter()
        .map(|d| d.doc_id)
        .collect();
    let mut keeper = Keeper::new(
        store,
        at.relay,
        Progress {
            key,
            taken: taken.clone(),
            joined: Joined::default(),
        },
    )?;
    let mut missing = 0;
    // Each document is pulled while the ones before are checked on threads of their own, and the
    // checked ones are kept together while the next are checked and pulled: the relay, the checks
    // and the store's writes overlap. A failure still keeps what was accepted and checked before
    // it.
    let mut keeping = Keeping::default();
    for index in 1..count {
        if taken.contains(&index) {
            continue;
        }
        let pulled = async {
            let Some(sealed) = at.fetch(code.lookup_at(index)).await? else {
                return Ok(None);
            };
            let entry = open(index, &sealed, Some(count))?;
            // Taken before with another code: nothing to fetch, and not missing.
            if !held.insert(entry.invitation.doc_id) {
                return Ok(Some(None));
            }
            let claim = claimant.claim(&entry.invitation)?;
            Ok(Some(Some(at.pull_claimed(entry.invitation, claim).await?)))
        }
        .await;
        let went_on = match pulled {
            Ok(Some(Some(pulled))) => {
                keeping.check(index, pulled);
                keeping
                    .settle(&mut keeper, store, at.relay, CHECKS_AT_ONCE)
                    .await
            }
            Ok(Some(None)) => keeper.keep(store, at.relay, Keep::Held(index)).await,
            Ok(None) => {
                missing += 1;
                Ok(())
            }
            Err(e) => Err(e),
        };
        if let Err(e) = went_on {
            // What was checked before the failure is kept, and written before the answer.
            let kept = keeping.settle(&mut keeper, store, at.relay, 0).await;
            keeper.finish(store).await?;
            kept?;
            return Err(e);
        }
    }
    let kept = keeping.settle(&mut keeper, store, at.relay, 0).await;
    let mut progress = keeper.finish(store).await?;
    kept?;
    progress.joined.missing = missing;
    if progress.joined.missing == 0 {
        match at.join(store, first.invitation).await {
            Ok(placement) => progress.done(store, 0, Some(placement))?,
            Err(SyncError::AlreadyJoined) => {}
            Err(e) => return Err(e),
        }
        store.with(|s| s.delete_meta(&progress.key))?;
    }
    let joined = progress.joined;
    store.with(|s| {
        s.log_sync(
            None,
            &Notice::event(LogEvent::DevicePairingTaken)
                .with("placements", joined.placements.len())
                .with("missing", joined.missing),
        )
    })?;
    Ok(joined)
}

/// Syncs, which sends the queued invitation first: whether the relay now holds it. Offline, or
/// refused for now, it stays queued and the code still works once it is sent.
pub async fn offer(
    store: &mut impl StoreAccess,
    client: &SyncClient,
    pairing: &Pairing,
) -> Result<bool, SyncError> {
    offer_all(store, client, &[pairing.invitation.invitation_id]).await
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
    let claim = Claimant::of(store)?.claim(invitation)?;
    // One transaction: a crash part-way leaves no document that is imported but never syncs.
    store.atomically(|store| {
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
    })
}

/// What a claim says of this device, read from the store once for all of a join's documents.
struct Claimant {
    key: folgesvenn_protocol::DeviceKey,
    device_id: Uuid,
    name: String,
}

impl Claimant {
    fn of(store: &mut Store) -> Result<Claimant, SyncError> {
        Ok(Claimant {
            key: device_key(store)?,
            device_id: store.device_id(),
            name: store.user_name().to_owned(),
        })
    }

    /// This device's claim of the invitation's grant, checked before anything is imported or
    /// accepted: the invitation's statements must make this device a member with the role it
    /// names.
    fn claim(&self, invitation: &Invitation) -> Result<Statement, SyncError> {
        let one_time = folgesvenn_protocol::DeviceKey::from_bytes(&invitation.invitation_key)
            .map_err(|_| SyncError::BadInvitation)?;
        let claim = Claim {
            doc_id: invitation.doc_id,
            invitation_key: one_time.public(),
            device_id: self.device_id,
            device_key: self.key.public(),
            box_key: self.key.box_public(),
            name: self.name.clone(),
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
        match roster.member(self.device_id) {
            Some(m) if m.role == invitation.role => Ok(claim),
            _ => Err(SyncError::BadInvitation),
        }
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

/// What joining with a short code brought onto this device.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Joined {
    /// The placements joined, in the order taken (each once, whichever of its documents came).
    pub placements: Vec<Uuid>,
    /// A device pairing's documents the relay did not have: taken by another device with the same
    /// code, or not yet sent by the adviser's device. The code may be typed again.
    pub missing: usize,
}

/// Joins with a short typed code through `relay`: an invitation to one document, or a device
/// pairing (an adviser's new device taking every document of hers at once, see
/// [`make_device_pairing`]). Each document's invitation is fetched and opened, its membership
/// joined, and the document pulled (a snapshot and the records after it) and only then imported,
/// so a failure part-way leaves nothing behind but a retry.
///
/// The store is taken only for the short steps between the relay's answers.
pub async fn join_with_code(
    mut store: impl StoreAccess,
    client: &SyncClient,
    relay: &str,
    typed: &str,
) -> Result<Joined, SyncError> {
    let code = ShortCode::parse(typed).map_err(|_| SyncError::BadInvitation)?;
    let relay = &crate::relay_address(relay)?;
    let (key, device) =
        store.with(|s| -> Result<_, SyncError> { Ok((device_key(s)?, s.device_id())) })?;
    ensure_registered(&mut store, client, relay, device, &key).await?;
    let at = Joiner {
        client,
        relay,
        device,
        key: &key,
    };
    if let Some(sealed) = at.fetch(code.lookup()).await? {
        let invitation: Invitation = code
            .open(&sealed)
            .ok()
            .and_then(|plain| wire::decode(&plain).ok())
            .ok_or(SyncError::BadInvitation)?;
        let placement = at.join(&mut store, invitation).await?;
        return Ok(Joined {
            placements: vec![placement],
            missing: 0,
        });
    }
    match at.fetch(code.lookup_at(0)).await? {
        Some(first) => join_device_pairing(&mut store, &at, &code, first).await,
        None => Err(SyncError::UnknownCode),
    }
}

/// The relay and this device's identity, for the requests of one join.
struct Joiner<'a> {
    client: &'a SyncClient,
    relay: &'a str,
    device: Uuid,
    key: &'a folgesvenn_protocol::DeviceKey,
}

impl Joiner<'_> {
    async fn post<T: serde::Serialize>(
        &self,
        path: &'static str,
        msg: &T,
    ) -> Result<Vec<u8>, SyncError> {
        let (status, body) =
            post_patiently(self.client, self.relay, path, self.device, self.key, msg).await?;
        if status != 200 {
            return Err(refused(status, &body));
        }
        Ok(body)
    }

    /// The sealed bundle filed under `lookup`; `None` if the relay has none (unknown, used,
    /// revoked or expired: it does not say which).
    async fn fetch(&self, lookup: [u8; 32]) -> Result<Option<Vec<u8>>, SyncError> {
        match self
            .post("/v2/invitations/fetch", &FetchBundle { lookup })
            .await
        {
            Ok(body) => {
                let bundle: SealedBundle =
                    wire::decode(&body).map_err(|e| SyncError::Protocol(e.to_string()))?;
                Ok(Some(bundle.sealed))
            }
            Err(SyncError::Relay { status: 404, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Accepts one invitation at the relay, pulls its document, checks it and imports it.
    async fn join(
        &self,
        store: &mut impl StoreAccess,
        invitation: Invitation,
    ) -> Result<Uuid, SyncError> {
        let pulled = self.pull(store, invitation).await?;
        let built = pulled.build()?;
        store.with(|s| built.keep(s, self.relay))
    }

    /// Accepts the invitation at the relay and pulls everything it holds of the document (a
    /// snapshot and the records after it), not yet checked.
    async fn pull(
        &self,
        store: &mut impl StoreAccess,
        invitation: Invitation,
    ) -> Result<Pulled, SyncError> {
        // Refused before the relay is asked: accepting uses the invitation up.
        if invitation.role == MemberRole::Adviser
            && store.with(|s| s.role()) != folgesvenn_domain::Role::Adviser
        {
            return Err(SyncError::WrongRole);
        }
        if store.with(|s| s.sync_doc(invitation.doc_id))?.is_some() {
            return Err(SyncError::AlreadyJoined);
        }
        let claim = store.with(Claimant::of)?.claim(&invitation)?;
        self.pull_claimed(invitation, claim).await
    }

    /// Accepts the invitation at the relay with this device's `claim` of it, and pulls its
    /// document; needs no store.
    async fn pull_claimed(
        &self,
        invitation: Invitation,
        claim: Statement,
    ) -> Result<Pulled, SyncError> {
        self.post(
            "/v2/invitations/accept",
            &AcceptInvitation {
                invitation_id: invitation.invitation_id,
                secret: invitation.secret,
            },
        )
        .await?;
        let mut records = Vec::new();
        let mut since = 0;
        loop {
            let request = SyncRequest {
                docs: vec![DocSync {
                    doc_id: invitation.doc_id,
                    since,
                    records: Vec::new(),
                }],
            };
            let body = self.post("/v2/sync", &request).await?;
            let response: SyncResponse =
                wire::decode(&body).map_err(|e| SyncError::Protocol(e.to_string()))?;
            check_answer(self.device, &request, |_| 0, &response)
                .map_err(|fault| SyncError::Untrusted(fault.to_string()))?;
            let result = response
                .docs
                .into_iter()
                .next()
                .ok_or_else(|| SyncError::Protocol("tomt svar".into()))?;
            records.extend(result.records);
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
        Ok(Pulled {
            invitation,
            claim,
            records,
            since,
        })
    }
}

/// A document as the relay gave it to a joining device, not yet checked.
struct Pulled {
    invitation: Invitation,
    claim: Statement,
    records: Vec<StoredRecord>,
    since: u64,
}

/// A document built from what the relay gave, every record checked, ready to keep.
struct Built {
    invitation: Invitation,
    claim: Statement,
    doc: Prepared,
    statements: Vec<Statement>,
    set_aside: Vec<(StoredRecord, Notice)>,
    since: u64,
    records: usize,
    snapshots: usize,
}

impl Pulled {
    /// Builds the document in memory, and checks every record as sync checks it: its sender a
    /// member by the statements known so far, its changes within that member's rights. What
    /// fails is set aside, to wait in quarantine once the document is kept. Then prepares it for
    /// the store ([`Prepared`]: saved, its projection rows read). Needs neither the store nor
    /// the network.
    fn build(self) -> Result<Built, SyncError> {
        let Pulled {
            invitation,
            claim,
            records,
            since,
        } = self;
        let doc_key = DocKey::from_bytes(&invitation.doc_key)
            .map_err(|e| SyncError::Protocol(e.to_string()))?;
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
        let mut statements = invitation.statements.clone();
        statements.push(claim.clone());
        let mut doc = AutoCommit::new();
        let mut set_aside: Vec<(StoredRecord, Notice)> = Vec::new();
        let (count, mut snapshots) = (records.len(), 0usize);
        for rec in records {
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
        if since == 0 || doc.get_heads().is_empty() {
            return Err(SyncError::Protocol("dokumentet er tomt på relayet".into()));
        }
        let doc = Prepared::new(invitation.doc_id, kind_of(&invitation), doc)?;
        Ok(Built {
            invitation,
            claim,
            doc,
            statements,
            set_aside,
            since,
            records: count,
            snapshots,
        })
    }
}

impl Built {
    /// Keeps the document, its membership and its cursor on `relay` in one transaction: the
    /// background sync never sees the document half taken, and a crash part-way leaves no
    /// document that is imported but never syncs.
    fn keep(self, store: &mut Store, relay: &str) -> Result<Uuid, SyncError> {
        let Built {
            invitation,
            claim,
            doc,
            statements,
            set_aside,
            since,
            records,
            snapshots,
        } = self;
        store.atomically(|store| {
            let placement = store.import_prepared(doc)?;
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
