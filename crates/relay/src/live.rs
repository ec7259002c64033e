//! Live updates: devices that are online wait at `POST /v2/wait` (a long poll) and are answered
//! as soon as another device's record for one of their documents is stored, through this
//! process or, on PostgreSQL, any other (`RelayStorage::listen`, `LISTEN`/`NOTIFY`).
//!
//! One broadcast channel per process: each stored upload is one small message (document,
//! sequence number, sender); each waiting device holds a receiver and looks only at its own
//! documents. A device that falls behind the channel (it lagged) looks at the store again.

use tokio::sync::broadcast;
use uuid::Uuid;

/// Messages a slow waiter may fall behind by before it must look at the store again.
const BACKLOG: usize = 4096;

#[derive(Clone, Copy, Debug)]
pub struct Stored {
    pub doc: Uuid,
    pub seq: u64,
    pub sender: Uuid,
}

pub struct Hub {
    tx: broadcast::Sender<Stored>,
}

impl Default for Hub {
    fn default() -> Self {
        Hub {
            tx: broadcast::channel(BACKLOG).0,
        }
    }
}

impl Hub {
    /// A record was stored (here or in another process).
    pub fn stored(&self, doc: Uuid, seq: u64, sender: Uuid) {
        // No receiver: nobody waits, nothing to do.
        let _ = self.tx.send(Stored { doc, seq, sender });
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Stored> {
        self.tx.subscribe()
    }
}
