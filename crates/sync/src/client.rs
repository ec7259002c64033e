//! How the sync code reaches the store and the relay: `StoreAccess` (the store is taken only for
//! short steps, never across a network wait), `SyncClient` (a signed POST through a transport),
//! and the device's and a document's keys.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use folgesvenn_protocol::auth;
use folgesvenn_protocol::wire::{self, ErrorBody};
use folgesvenn_protocol::{DeviceKey, DocKey};
use folgesvenn_store::{Store, SyncDoc};
use uuid::Uuid;

use crate::SyncError;
use crate::transport::{Http, Request, Transport};

/// How the engine reaches the store. The engine never holds the store across a network wait: it
/// takes it for each short step (read the outbox, apply an answer), so the person typing is never
/// blocked by a slow network.
pub trait StoreAccess {
    fn with<R>(&mut self, f: impl FnOnce(&mut Store) -> R) -> R;

    /// The store as another thread can hold it, where it is shared (the app's, the CLI's): work
    /// that needs the store alone, such as keeping a device pairing's documents, then runs beside
    /// the network's. `None` for a store borrowed for the call.
    fn shared(&self) -> Option<Arc<Mutex<Store>>> {
        None
    }
}

impl StoreAccess for &mut Store {
    fn with<R>(&mut self, f: impl FnOnce(&mut Store) -> R) -> R {
        f(self)
    }
}

impl StoreAccess for &Mutex<Store> {
    fn with<R>(&mut self, f: impl FnOnce(&mut Store) -> R) -> R {
        // A panic inside the store rolls its transaction back; the store is still consistent.
        let mut guard = self.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }
}

impl StoreAccess for &Arc<Mutex<Store>> {
    fn with<R>(&mut self, f: impl FnOnce(&mut Store) -> R) -> R {
        let mut m: &Mutex<Store> = self;
        m.with(f)
    }

    fn shared(&self) -> Option<Arc<Mutex<Store>>> {
        Some(Arc::clone(self))
    }
}

/// One conversation with the relay at a time for a store: the background loop takes its turn
/// for each sync, and so do the commands that talk to the relay themselves (an invitation being
/// sent, a join with a short code). Separate from the store's mutex, which is taken only for short
/// steps: waiting for a turn never holds up a command that only reads or writes the store.
#[derive(Clone, Default)]
pub struct RelayTurn(Arc<tokio::sync::Mutex<()>>);

impl RelayTurn {
    pub fn new() -> RelayTurn {
        RelayTurn::default()
    }

    /// Waits for the turn; it is given back when the guard is dropped.
    pub async fn take(&self) -> tokio::sync::OwnedMutexGuard<()> {
        self.0.clone().lock_owned().await
    }
}

/// After this many records in or out of a document since its last snapshot, a device whose
/// outbox is empty and whose quarantine is empty uploads a snapshot, which lets the relay drop the
/// records it covers and a new device catch up from one record.
pub const SNAPSHOT_AFTER: u64 = 300;

/// Pushes at most this much per request, snapshots included (the relay refuses bodies over
/// `MAX_BODY`); the rest goes in the next round trip of the same sync. A request's first record
/// goes whatever its size, which `MAX_RECORD` bounds.
pub const PUSH_BUDGET: usize = 2 * 1024 * 1024;
const _: () = assert!(PUSH_BUDGET + wire::MAX_RECORD + 64 * 1024 <= wire::MAX_BODY);

pub struct SyncClient {
    transport: Arc<dyn Transport>,
    pub(crate) snapshot_after: u64,
    push_budget: usize,
}

impl Default for SyncClient {
    fn default() -> Self {
        SyncClient::new()
    }
}

pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

impl SyncClient {
    pub fn new() -> SyncClient {
        SyncClient::with_transport(Arc::new(Http::new(Duration::from_secs(30))))
    }

    pub fn with_transport(transport: Arc<dyn Transport>) -> SyncClient {
        SyncClient {
            transport,
            snapshot_after: SNAPSHOT_AFTER,
            push_budget: PUSH_BUDGET,
        }
    }

    /// Pushes at most `bytes` a request instead of [`PUSH_BUDGET`] (tests use small numbers).
    pub fn push_budget(mut self, bytes: usize) -> SyncClient {
        self.push_budget = bytes.min(PUSH_BUDGET);
        self
    }

    /// When a snapshot is due, and how much one request pushes.
    pub(crate) fn limits(&self) -> (u64, usize) {
        (self.snapshot_after, self.push_budget)
    }

    /// Snapshot sooner or later than [`SNAPSHOT_AFTER`] (tests use small numbers).
    pub fn snapshot_after(mut self, records: u64) -> SyncClient {
        self.snapshot_after = records.max(1);
        self
    }

    pub(crate) async fn post<T: serde::Serialize>(
        &self,
        relay: &str,
        path: &'static str,
        device: Uuid,
        key: &DeviceKey,
        msg: &T,
    ) -> Result<(u16, Vec<u8>), SyncError> {
        let body = wire::encode(msg);
        let h = auth::sign(device, key, "POST", path, &body, now_ms());
        let resp = self
            .transport
            .post(Request {
                url: format!("{}{path}", relay.trim_end_matches('/')),
                path,
                headers: h.pairs().to_vec(),
                body,
            })
            .await
            .map_err(SyncError::Offline)?;
        Ok((resp.status, resp.body))
    }
}

/// How long a pairing waits when the relay answers that this device asks too often (429), and how
/// many times in a row before it gives up: a pairing makes a few requests per document at once,
/// and a device pairing of an adviser's 40 placements would otherwise stop part-way at the
/// relay's per-device burst.
pub(crate) const BUSY_WAIT: std::time::Duration = std::time::Duration::from_secs(1);
pub(crate) const BUSY_TRIES: u32 = 30;

/// [`SyncClient::post`] that waits out the relay's rate limit ([`BUSY_WAIT`], at most
/// [`BUSY_TRIES`] times in a row); the last 429 is returned as the answer.
pub(crate) async fn post_patiently<T: serde::Serialize>(
    client: &SyncClient,
    relay: &str,
    path: &'static str,
    device: Uuid,
    key: &DeviceKey,
    msg: &T,
) -> Result<(u16, Vec<u8>), SyncError> {
    let mut tries = 1;
    loop {
        let answer = client.post(relay, path, device, key, msg).await?;
        if answer.0 != 429 || tries >= BUSY_TRIES {
            return Ok(answer);
        }
        tries += 1;
        tokio::time::sleep(BUSY_WAIT).await;
    }
}

pub(crate) fn refused(status: u16, body: &[u8]) -> SyncError {
    let kind = wire::decode::<ErrorBody>(body)
        .map(|e| e.kind)
        .unwrap_or_else(|_| "unknown".into());
    SyncError::Relay { status, kind }
}

pub(crate) fn device_key(store: &mut Store) -> Result<DeviceKey, SyncError> {
    let bytes = store.device_signing_key()?;
    DeviceKey::from_bytes(&bytes).map_err(|e| SyncError::Protocol(e.to_string()))
}

pub(crate) fn doc_key(d: &SyncDoc) -> Result<DocKey, SyncError> {
    DocKey::from_bytes(&d.doc_key).map_err(|e| SyncError::Protocol(e.to_string()))
}

/// Posts a message the relay answers with 204 No Content; anything else is its refusal.
pub(crate) async fn post_no_content<T: serde::Serialize>(
    client: &SyncClient,
    relay: &str,
    path: &'static str,
    device: Uuid,
    key: &DeviceKey,
    msg: &T,
) -> Result<(), SyncError> {
    let (status, body) = client.post(relay, path, device, key, msg).await?;
    if status != 204 {
        return Err(refused(status, &body));
    }
    Ok(())
}
