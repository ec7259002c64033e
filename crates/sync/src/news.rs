//! What is new for this device at a relay, in one small request (`POST /v2/news`): the device
//! sends a digest of its cursors, and the relay names the documents holding more, if its own
//! account of what it served the device agrees. An idle sync of an adviser with thousands of
//! placements is one round trip of a few hundred bytes; anything the relay cannot vouch for
//! (a lost answer, a new or ended membership, an older relay) falls back to syncing every
//! document.

use folgesvenn_protocol::DeviceKey;
use folgesvenn_protocol::wire::{self, NewsRequest, NewsResponse, cursors_digest};
use uuid::Uuid;

use crate::SyncError;
use crate::client::{SyncClient, refused};

/// What the relay said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum News {
    /// These of the device's documents hold something new (none: nothing is).
    Changed(Vec<Uuid>),
    /// The relay cannot say: sync every document.
    Unknown,
}

/// Asks the relay what is new among `joined` (this relay's documents the device has joined, each
/// with its cursor). With `wait`, an answer with nothing new waits at the relay first (a long
/// poll).
pub(crate) async fn ask(
    client: &SyncClient,
    relay: &str,
    device: Uuid,
    key: &DeviceKey,
    joined: &[(Uuid, u64)],
    wait: bool,
) -> Result<News, SyncError> {
    let digest = cursors_digest(joined.to_vec());
    let (status, body) = client
        .post(
            relay,
            "/v2/news",
            device,
            key,
            &NewsRequest { digest, wait },
        )
        .await?;
    match status {
        200 => {}
        // A relay from before `/v2/news`.
        404 | 405 => return Ok(News::Unknown),
        _ => return Err(refused(status, &body)),
    }
    let answer: NewsResponse = wire::decode(&body)
        .map_err(|_| SyncError::Untrusted("svaret kan ikke leses".to_owned()))?;
    Ok(match answer {
        // A document the device has not joined here is none of its business: left out.
        NewsResponse::Changed(docs) => News::Changed(
            docs.into_iter()
                .filter(|doc| joined.iter().any(|(d, _)| d == doc))
                .collect(),
        ),
        NewsResponse::Unknown => News::Unknown,
    })
}
