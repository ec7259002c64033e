//! The Følgesvenn relay: a small HTTP service that stores and forwards sealed records for the
//! members of each document, and can read none of them.
//!
//! It authenticates every request by the device's Ed25519 signature (with a time window and a
//! nonce against replay), checks membership and its expiry, refuses oversize bodies before reading
//! them (413) and floods per device (429), times out slow requests, and logs only ids, sizes and
//! outcomes, never content. [`serve`] takes a bound listener and a shutdown future, so tests run it
//! in-process on port 0 and the binary runs it until SIGTERM; shutdown finishes the requests in
//! flight, so no record that was acknowledged is lost.

mod api;
pub mod cli;
mod limit;
pub mod sqlite;
pub mod storage;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

pub use api::router;
pub use storage::RelayStorage;

#[derive(Clone, Debug)]
pub struct Config {
    /// Requests per second each device may make, on average.
    pub rate_per_sec: f64,
    /// How many requests a device may make in a burst.
    pub burst: f64,
    /// Requests per second, on average, that may fail authentication from one IP address; beyond
    /// it (and `failed_auth_burst`) that address gets 429 before any work is done. Behind a
    /// reverse proxy every client shares the proxy's address: raise these or limit there.
    pub failed_auth_per_sec: f64,
    pub failed_auth_burst: f64,
    /// How long one request may take.
    pub request_timeout: Duration,
    /// The most bytes of records one sync answer carries, over all its documents (at most
    /// `wire::MAX_PULL`, so an answer always fits a device's limit).
    pub pull_budget: usize,
    /// Moves the relay's calendar, on which employers' access ends are judged, this many days
    /// ahead. Tests and drills only: request signatures keep the real clock.
    pub calendar_offset_days: i64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            rate_per_sec: 20.0,
            burst: 60.0,
            failed_auth_per_sec: 2.0,
            failed_auth_burst: 100.0,
            request_timeout: Duration::from_secs(30),
            pull_budget: folgesvenn_protocol::wire::MAX_PULL,
            calendar_offset_days: 0,
        }
    }
}

/// Serves the relay on `listener` until `shutdown` resolves, then finishes the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    storage: Arc<dyn RelayStorage>,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(storage, config).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
