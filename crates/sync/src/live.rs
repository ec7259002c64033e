//! Live updates: between syncs, a device that is online waits at its relay (`POST /v2/news` with
//! `wait`, a long poll over all its documents there; `POST /v2/wait` with every cursor where the
//! relay cannot vouch for them) and syncs as soon as the relay says another device stored
//! something for it. The
//! regular interval stays the fallback: for an older relay, a relay that is down, and documents
//! on a second relay.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use folgesvenn_protocol::wire::{self, DocCursor, MAX_DOCS_PER_REQUEST, WaitRequest, WaitResponse};
use folgesvenn_store::Store;

use crate::SyncError;
use crate::client::{SyncClient, device_key, refused};
use crate::news::News;

/// What a wait at the relay ended in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Heard {
    /// Another device stored something this one lacks: sync now.
    News,
    /// The relay's wait ran out with nothing new: ask again.
    Nothing,
    /// No document is joined at a relay yet: nothing to wait for.
    NothingToWaitFor,
}

/// Waits at the relay of this device's joined documents (the first relay, when they live on
/// several) until another device stores something in one of them, or the relay's wait runs out.
/// Holds the store only to read the cursors, and no relay turn: a pairing meanwhile goes ahead.
pub async fn wait_for_news(store: &Mutex<Store>, client: &SyncClient) -> Result<Heard, SyncError> {
    let (docs, key, device) = {
        let mut s = store.lock().unwrap_or_else(|p| p.into_inner());
        (s.sync_docs()?, device_key(&mut s)?, s.device_id())
    };
    let joined: Vec<_> = docs.iter().filter(|d| d.joined).collect();
    let Some(relay) = joined.first().map(|d| d.relay.clone()) else {
        return Ok(Heard::NothingToWaitFor);
    };
    // All of this relay's documents in one small request, however many there are.
    let here: Vec<_> = docs
        .iter()
        .filter(|d| d.joined && d.relay == relay)
        .map(|d| (d.doc_id, d.cursor))
        .collect();
    match crate::news::ask(client, &relay, device, &key, &here, true).await? {
        News::Changed(docs) if docs.is_empty() => return Ok(Heard::Nothing),
        News::Changed(_) => return Ok(Heard::News),
        // The relay's account differs from this device's (it is settled by the next sync; one
        // that stays, such as an ended membership whose notes are not yet delivered, must not
        // make the loop sync without pause), or the relay is older: wait with every cursor.
        News::Unknown => {}
    }
    let msg = WaitRequest {
        docs: joined
            .iter()
            .filter(|d| d.relay == relay)
            .take(MAX_DOCS_PER_REQUEST)
            .map(|d| DocCursor {
                doc_id: d.doc_id,
                since: d.cursor,
            })
            .collect(),
    };
    let (status, body) = client.post(&relay, "/v2/wait", device, &key, &msg).await?;
    if status != 200 {
        return Err(refused(status, &body));
    }
    let answer: WaitResponse =
        wire::decode(&body).map_err(|e| SyncError::Protocol(e.to_string()))?;
    Ok(if answer.changed.is_empty() {
        Heard::Nothing
    } else {
        Heard::News
    })
}

/// Returns once the relay says another device stored something for this one. While there is
/// nothing to wait for, or the relay cannot say (an older relay, a refusal, no network), it never
/// returns: the background loop's interval goes on meanwhile.
pub(crate) async fn until_news(store: &Mutex<Store>, client: &SyncClient) {
    loop {
        let asked = Instant::now();
        match wait_for_news(store, client).await {
            Ok(Heard::News) => return,
            // A relay that answers "nothing" at once (a misconfigured wait) is not asked in a
            // tight loop.
            Ok(Heard::Nothing) if asked.elapsed() < Duration::from_secs(1) => {
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            Ok(Heard::Nothing) => {}
            Ok(Heard::NothingToWaitFor) | Err(_) => std::future::pending::<()>().await,
        }
    }
}
