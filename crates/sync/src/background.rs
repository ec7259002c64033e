//! Sync in the background: a task that syncs when there is something to do, now and then
//! otherwise, backs off exponentially while the relay cannot be reached, and publishes its status
//! for the UI (idle, syncing, offline, error with its reason, last success).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use folgesvenn_domain::{Coded, LogEvent, Notice};
use folgesvenn_store::Store;
use rand::Rng;
use serde::Serialize;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use crate::SyncError;
use crate::client::{RelayTurn, SyncClient, now_ms};
use crate::engine::sync_once;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum SyncState {
    /// Nothing syncs yet (no shared document).
    #[default]
    Idle,
    Syncing,
    /// The relay could not be reached; changes wait safely on the device.
    Offline {
        reason: String,
    },
    /// The relay or the store refused: a code and its parameters (the UI words them), and a
    /// Norwegian sentence for the CLI.
    Error {
        kind: String,
        params: std::collections::BTreeMap<String, String>,
        message: String,
    },
}

/// Where the background sync stands, as the app shows it (camelCase, like every view model).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncStatus {
    pub state: SyncState,
    /// Unix milliseconds of the last sync that completed.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub last_success_ms: Option<i64>,
    /// Local changes not yet acknowledged by the relay.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub pending: u64,
    /// Received records set aside because they could not be opened or applied.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub quarantined: u64,
    /// Failed attempts in a row.
    pub failures: u32,
    /// Milliseconds until the next attempt, unless woken sooner.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub next_attempt_in_ms: u64,
    /// Records from other devices applied since the loop started: when it grows, what the user
    /// sees may have changed (the UI reloads on that, not on every sync).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub applied: u64,
}

/// Exponential back-off with "equal jitter": after `n` failures in a row the wait is between half
/// and all of `base · 2ⁿ⁻¹`, capped at `max`, so many devices coming back online do not all knock
/// at once.
#[derive(Clone, Copy, Debug)]
pub struct Backoff {
    pub base: Duration,
    pub max: Duration,
}

impl Backoff {
    /// `jitter` in [0, 1].
    pub fn delay(&self, failures: u32, jitter: f64) -> Duration {
        let exp = self
            .base
            .saturating_mul(1u32 << failures.saturating_sub(1).min(20))
            .min(self.max);
        exp.mul_f64(0.5 + 0.5 * jitter.clamp(0.0, 1.0))
    }
}

#[derive(Clone, Copy, Debug)]
pub struct LoopConfig {
    /// How often to look for others' changes when nothing happens locally.
    pub interval: Duration,
    pub backoff: Backoff,
    /// Between syncs, wait at the relay for others' changes (`live.rs`) and sync as soon as one
    /// is stored, instead of only at the next interval.
    pub live: bool,
}

impl Default for LoopConfig {
    fn default() -> Self {
        LoopConfig {
            interval: Duration::from_secs(60),
            backoff: Backoff {
                base: Duration::from_secs(2),
                max: Duration::from_secs(5 * 60),
            },
            live: true,
        }
    }
}

/// The running background sync. Dropping it does not stop the task; call [`SyncHandle::stop`].
pub struct SyncHandle {
    wake: Arc<Notify>,
    status: watch::Receiver<SyncStatus>,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl SyncHandle {
    /// Sync as soon as possible (a local change was saved, the user asked, the network came back).
    pub fn sync_now(&self) {
        self.wake.notify_one();
    }

    pub fn status(&self) -> watch::Receiver<SyncStatus> {
        self.status.clone()
    }

    /// Stops after the current attempt, if any, has finished (an answer being applied is never
    /// cut off halfway; the store's transactions make that safe anyway).
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        self.wake.notify_one();
        let _ = self.task.await;
    }
}

fn log_purge_failure(store: &Mutex<Store>, error: &folgesvenn_store::StoreError) {
    let line = Notice::caused_by(LogEvent::PurgeFailed, &error.notice());
    let _ = store
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .log_sync(None, &line);
}

fn counts(store: &Mutex<Store>) -> (u64, u64) {
    let s = store.lock().unwrap_or_else(|p| p.into_inner());
    (
        s.pending_count().unwrap_or(0),
        s.quarantine_count().unwrap_or(0),
    )
}

/// Starts syncing `store` in the background on the current tokio runtime, each sync in its
/// `turn` (the commands that talk to the relay themselves take theirs from the same one).
pub fn spawn(
    store: Arc<Mutex<Store>>,
    turn: RelayTurn,
    client: SyncClient,
    config: LoopConfig,
) -> SyncHandle {
    let (pending, quarantined) = counts(&store);
    let (tx, rx) = watch::channel(SyncStatus {
        state: SyncState::Idle,
        last_success_ms: None,
        pending,
        quarantined,
        failures: 0,
        next_attempt_in_ms: 0,
        applied: 0,
    });
    let wake = Arc::new(Notify::new());
    let (stop_tx, mut stop_rx) = watch::channel(false);
    let w = wake.clone();
    let task = tokio::spawn(async move {
        let mut failures = 0u32;
        let mut last_success_ms = None;
        let mut applied = 0u64;
        loop {
            if *stop_rx.borrow() {
                break;
            }
            tx.send_modify(|s| s.state = SyncState::Syncing);
            let outcome = {
                let _turn = turn.take().await;
                sync_once(&store, &client).await
            };
            // Then an employer's device lets go of placements that ended 12 weeks ago, as the
            // relay does of its membership (a cheap query when there is nothing to delete). After
            // the sync, not before: a reopening made on the last day arrives first.
            match store
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .purge_ended_placements()
            {
                Ok(gone) => applied += gone.len() as u64,
                Err(e) => log_purge_failure(&store, &e),
            }
            let (pending, quarantined) = counts(&store);
            let state = match outcome {
                Ok(report) => {
                    failures = 0;
                    // A deleted placement changes what the screens show, like an applied record.
                    applied += (report.applied + report.purged) as u64;
                    last_success_ms = Some(now_ms());
                    SyncState::Idle
                }
                Err(SyncError::Offline(reason)) => {
                    failures += 1;
                    SyncState::Offline { reason }
                }
                Err(e) => {
                    failures += 1;
                    let notice = e.notice();
                    SyncState::Error {
                        kind: notice.code,
                        params: notice.params,
                        message: e.to_string(),
                    }
                }
            };
            let wait = if failures == 0 {
                config.interval
            } else {
                config
                    .backoff
                    .delay(failures, rand::thread_rng().gen_range(0.0..=1.0))
            };
            tx.send_replace(SyncStatus {
                state,
                last_success_ms,
                pending,
                quarantined,
                failures,
                next_attempt_in_ms: wait.as_millis() as u64,
                applied,
            });
            // Online and in good standing: also wait at the relay for others' changes.
            let live = config.live && failures == 0;
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = w.notified() => {}
                _ = stop_rx.changed() => {}
                () = crate::live::until_news(&store, &client), if live => {}
            }
        }
    });
    SyncHandle {
        wake,
        status: rx,
        stop: stop_tx,
        task,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An employer's device lets go of a placement 12 weeks after its end even when no sync ever
    /// succeeds (a device left offline, or a relay that refuses): the loop purges after every
    /// attempt, whatever its outcome.
    #[tokio::test]
    async fn the_purge_runs_while_every_sync_fails() {
        use folgesvenn_domain::*;
        use folgesvenn_store::{DbKey, DocKind, Unlock};

        struct Cleanup(std::path::PathBuf);
        impl Drop for Cleanup {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
        let root = std::env::temp_dir().join(format!("folgesvenn-purge-{}", uuid::Uuid::new_v4()));
        let _cleanup = Cleanup(root.clone());
        let clock = |at: &str| {
            let m = Moment::parse(folgesvenn_domain::Field::At, at).unwrap();
            move || (m, m.day())
        };
        let day = |s: &str| Day::parse(folgesvenn_domain::Field::Date, s).unwrap();

        let mut adviser = Store::create(
            &root.join("a"),
            Role::Adviser,
            "Kari Veileder",
            Unlock::Key(DbKey::generate()),
        )
        .unwrap();
        adviser.set_clock(clock("2026-11-27T10:00:00Z"));
        let p = adviser
            .create_placement(&NewPlacement {
                candidate_name: "Ola Nordmann".into(),
                employer: Employer {
                    org_number: "889640782".into(),
                    name: "Bodø Bakeri AS".into(),
                    workplace_address: "Storgata 3, 8006 Bodø".into(),
                },
                adviser_name: "Kari Veileder".into(),
                measure: MeasureType::WorkTraining,
                start_date: day("2026-10-01"),
                end_date: None,
                hours_per_week: 20.0,
            })
            .unwrap();
        adviser
            .write_shared(p, |d, s| {
                d.close_placement(
                    PlacementStatus::Ended,
                    day("2026-11-20"),
                    CloseReason::Completed,
                    s,
                )
            })
            .unwrap();
        let doc = adviser.document_id(p, DocKind::Shared).unwrap();
        let bytes = adviser.document_bytes(doc).unwrap();

        let mut employer = Store::create(
            &root.join("e"),
            Role::Employer,
            "Per",
            Unlock::Key(DbKey::generate()),
        )
        .unwrap();
        employer.set_clock(clock("2026-11-27T15:00:00Z"));
        employer
            .import_document(doc, DocKind::Shared, &bytes)
            .unwrap();
        // Nothing listens on port 9: every attempt fails.
        employer
            .enable_sync(doc, &[7; 32], 1, "http://127.0.0.1:9", false, None)
            .unwrap();
        employer.set_clock(clock("2027-02-13T10:00:00Z"));
        let store = Arc::new(Mutex::new(employer));
        let handle = spawn(
            store.clone(),
            RelayTurn::new(),
            SyncClient::new(),
            LoopConfig {
                interval: Duration::from_secs(60),
                backoff: Backoff {
                    base: Duration::from_millis(10),
                    max: Duration::from_millis(50),
                },
                live: false,
            },
        );
        let mut rx = handle.status();
        // Liveness with a generous bound, not a timing claim.
        let status = tokio::time::timeout(
            Duration::from_secs(60),
            rx.wait_for(|s| s.applied >= 1 && s.failures >= 1),
        )
        .await
        .expect("the purge never ran")
        .unwrap()
        .clone();
        handle.stop().await;
        assert!(status.last_success_ms.is_none(), "{status:?}");
        assert!(store.lock().unwrap().list_placements().unwrap().is_empty());
    }

    #[test]
    fn backoff_doubles_within_jitter_and_caps() {
        let b = Backoff {
            base: Duration::from_secs(2),
            max: Duration::from_secs(300),
        };
        assert_eq!(b.delay(1, 1.0), Duration::from_secs(2));
        assert_eq!(b.delay(1, 0.0), Duration::from_secs(1));
        assert_eq!(b.delay(2, 1.0), Duration::from_secs(4));
        assert_eq!(b.delay(5, 1.0), Duration::from_secs(32));
        assert_eq!(b.delay(9, 1.0), Duration::from_secs(300));
        assert_eq!(b.delay(200, 1.0), Duration::from_secs(300));
        for n in 1..12 {
            let (lo, hi) = (b.delay(n, 0.0), b.delay(n, 1.0));
            assert!(lo <= hi && hi <= b.max && lo * 2 >= hi.min(b.max) - Duration::from_millis(1));
        }
    }
}
