//! What a device tells the relay besides records: its registration, the end dates its own writes
//! set, the removals an adviser signed, and the invitations made while offline. Each is sent by
//! `sync_once` before the records, and each waits in the store until the relay has taken it.

use folgesvenn_domain::{Coded, LogEvent, Notice};
use folgesvenn_protocol::DeviceKey;
use folgesvenn_protocol::wire::{self, *};
use uuid::Uuid;

use crate::SyncError;
use crate::client::{StoreAccess, SyncClient, post_no_content, post_patiently, refused};
use crate::members::adviser_docs;

pub(crate) async fn ensure_registered(
    store: &mut impl StoreAccess,
    client: &SyncClient,
    relay: &str,
    device: Uuid,
    key: &DeviceKey,
) -> Result<usize, SyncError> {
    let flag = format!("relay_registered:{relay}");
    if store.with(|s| s.meta(&flag))?.is_some() {
        return Ok(0);
    }
    let msg = RegisterDevice {
        device_id: device,
        public_key: key.public(),
    };
    let (status, body) = client.post(relay, "/v2/devices", device, key, &msg).await?;
    if status != 204 {
        return Err(refused(status, &body));
    }
    store.with(|s| s.set_meta(&flag, "1"))?;
    Ok(1)
}

/// Tells the relay the end dates this (adviser) device's own writes set or cleared: employer
/// devices lose access 12 weeks after the end. Never from a merged value (see the store's
/// `end_day_notices`); a notice for a document not yet on the relay waits.
pub(crate) async fn send_end_days(
    store: &mut impl StoreAccess,
    client: &SyncClient,
    relay: &str,
    device: Uuid,
    key: &DeviceKey,
) -> Result<usize, SyncError> {
    let due = store.with(|s| -> Result<Vec<(Uuid, Option<i64>)>, SyncError> {
        let notices = s.end_day_notices()?;
        if notices.is_empty() {
            return Ok(notices);
        }
        let ours: Vec<Uuid> = adviser_docs(s, device, relay)?
            .into_iter()
            .map(|(d, _)| d.doc_id)
            .collect();
        Ok(notices
            .into_iter()
            .filter(|(doc, _)| ours.contains(doc))
            .collect())
    })?;
    let mut round_trips = 0;
    for (doc_id, end_day) in due {
        let msg = SetEndDate { doc_id, end_day };
        let sent = post_no_content(client, relay, "/v2/docs/end-date", device, key, &msg).await;
        round_trips += 1;
        if let Err(e @ SyncError::Relay { .. }) = &sent {
            // Refused for this document (this device may have been removed): the notice stays,
            // and the rest of the sync goes on, so the device learns why.
            let line = Notice::caused_by(LogEvent::EndDayRefused, &e.notice());
            store.with(|s| s.log_sync(Some(doc_id), &line))?;
            continue;
        }
        sent?;
        store.with(|s| -> Result<(), SyncError> {
            s.end_day_told(doc_id, end_day)?;
            s.log_sync(
                Some(doc_id),
                &Notice::event(match end_day {
                    Some(_) => LogEvent::EndDayTold,
                    None => LogEvent::ReopeningTold,
                }),
            )?;
            Ok(())
        })?;
    }
    Ok(round_trips)
}

/// Tells the relay of every removal an adviser signed that it has not heard of from this device,
/// so it refuses the removed device at once. Derived from the roster, so a removal made offline is
/// sent on the first sync that reaches the relay, by whichever adviser device syncs first.
pub(crate) async fn send_removals(
    store: &mut impl StoreAccess,
    client: &SyncClient,
    relay: &str,
    device: Uuid,
    key: &DeviceKey,
) -> Result<usize, SyncError> {
    let due = store.with(|s| -> Result<Vec<(Uuid, Uuid, String)>, SyncError> {
        let mut due = Vec::new();
        for (d, roster) in adviser_docs(s, device, relay)? {
            for gone in roster.gone() {
                let flag = format!("relay_removed:{}:{}", d.doc_id, gone.device_id);
                if s.meta(&flag)?.is_none() {
                    due.push((d.doc_id, gone.device_id, flag));
                }
            }
        }
        Ok(due)
    })?;
    let mut round_trips = 0;
    for (doc_id, gone, flag) in due {
        let msg = RemoveMember {
            doc_id,
            device_id: gone,
        };
        post_no_content(client, relay, "/v2/members/remove", device, key, &msg).await?;
        round_trips += 1;
        store.with(|s| -> Result<(), SyncError> {
            s.set_meta(&flag, "1")?;
            s.log_sync(
                Some(doc_id),
                &Notice::event(LogEvent::DeviceShutOut).with("device", gone),
            )?;
            Ok(())
        })?;
    }
    Ok(round_trips)
}

/// Sends the invitations made while offline. Called by [`sync_once`] after the documents are
/// joined (the relay only takes an invitation from a member). A refusal other than a network or
/// server failure is final: the invitation is dropped with the reason in the sync log.
pub(crate) async fn send_invitations(
    store: &mut impl StoreAccess,
    client: &SyncClient,
    relay: &str,
    device: Uuid,
    key: &DeviceKey,
) -> Result<usize, SyncError> {
    // Only the invitations for documents on this relay: another relay never hears of them.
    let pending = store.with(|s| -> Result<Vec<_>, SyncError> {
        let here: Vec<Uuid> = s
            .sync_docs()?
            .into_iter()
            .filter(|d| d.relay == relay)
            .map(|d| d.doc_id)
            .collect();
        let mut pending = s.pending_invitations()?;
        pending.retain(|(_, doc, _)| here.contains(doc));
        Ok(pending)
    })?;
    let mut round_trips = 0;
    for (id, doc_id, body) in pending {
        let msg: CreateInvitation = match wire::decode(&body) {
            Ok(m) => m,
            Err(e) => {
                let line = Notice::event(LogEvent::InvitationUnreadable).with("detail", e);
                store.with(|s| s.drop_invitation(id, doc_id, &line))?;
                continue;
            }
        };
        // A device pairing queues an invitation per document at once: wait out the rate limit
        // rather than leave half of them for the next sync.
        let (status, answer) =
            post_patiently(client, relay, "/v2/invitations", device, key, &msg).await?;
        round_trips += 1;
        match status {
            204 => store.with(|s| {
                s.drop_invitation(id, doc_id, &Notice::event(LogEvent::InvitationMade))
            })?,
            s if s >= 500 || s == 429 || s == 408 => return Err(refused(status, &answer)),
            _ => {
                let line = Notice::caused_by(
                    LogEvent::InvitationRefused,
                    &refused(status, &answer).notice(),
                );
                store.with(|s| s.drop_invitation(id, doc_id, &line))?
            }
        }
    }
    Ok(round_trips)
}
