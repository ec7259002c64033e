//! The Følgesvenn relay: a small HTTP service that stores and forwards sealed records for the
//! members of each document, and can read none of them.
//!
//! It authenticates every request by the device's Ed25519 signature (with a time window and a
//! nonce against replay), checks membership and its expiry, refuses oversize bodies before reading
//! them (413), floods per device and failed or new-device floods per client address (429, the
//! address taken from a trusted proxy's header), more requests in flight than it serves (503),
//! documents beyond a device's quota (403), closes connections that do not send their headers in
//! time, times out slow requests, and logs only ids, sizes and outcomes, never content. [`serve`] takes a bound listener and a shutdown future, so tests run it
//! in-process on port 0 and the binary runs it until SIGTERM; shutdown finishes the requests in
//! flight, so no record that was acknowledged is lost.

mod api;
pub mod cache;
pub mod cli;
mod group;
mod limit;
mod live;
mod metrics;
pub mod postgres;
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
    /// reverse proxy, name it in `trusted_proxies`.
    pub failed_auth_per_sec: f64,
    pub failed_auth_burst: f64,
    /// How long one request may take.
    pub request_timeout: Duration,
    /// The most bytes of records one sync answer carries, over all its documents (at most
    /// `wire::MAX_PULL`, so an answer always fits a device's limit).
    pub pull_budget: usize,
    /// Addresses of reverse proxies whose `X-Forwarded-For` header the relay believes: a request
    /// from one of them is charged to the address it names (the rightmost one that is not itself a
    /// trusted proxy). From any other peer the header is ignored, so it cannot be forged.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// New device registrations per hour from one client address, and in a burst: registration is
    /// open to anyone, so this bounds how fast one address can fill the device table.
    pub registrations_per_hour: f64,
    pub registrations_burst: f64,
    /// Documents one device may create at the relay (an adviser follows a few dozen placements a
    /// year, two documents each).
    pub max_docs_per_device: u64,
    /// Bytes of records the relay stores for one document. Beyond it a record is refused
    /// ([`folgesvenn_protocol::wire::REJECT_DOCUMENT_FULL`]) and stays queued on its device; an
    /// adviser's snapshot, which replaces the records it covers, is taken whatever the total.
    /// A year's follow-up is a few MiB, so one member cannot fill the disk through one document.
    pub max_doc_bytes: u64,
    /// Requests served at once; beyond it the relay answers 503 at once instead of queueing.
    pub max_in_flight: usize,
    /// How long a client may take to send a request's headers (slow-loris connections are
    /// closed; `request_timeout` starts only once the headers are in).
    pub header_timeout: Duration,
    /// Moves the relay's calendar, on which employers' access ends are judged, this many days
    /// ahead. Tests and drills only: request signatures keep the real clock.
    pub calendar_offset_days: i64,
    /// How long `/v2/wait` holds a device's request when nothing new comes (under
    /// `request_timeout`, and under the idle timeouts of proxies in front).
    pub wait_timeout: Duration,
    /// Devices waiting at `/v2/wait` at once; they do not count against `max_in_flight`, since
    /// each mostly sleeps.
    pub max_waiting: usize,
    /// Serves `GET /metrics` (Prometheus's text format; `metrics.rs`). Off unless asked for: the
    /// counts name no one, but they are for the operators' monitoring, not the internet.
    pub metrics: bool,
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
            trusted_proxies: Vec::new(),
            registrations_per_hour: 60.0,
            registrations_burst: 20.0,
            max_docs_per_device: 10_000,
            max_doc_bytes: 256 * 1024 * 1024,
            max_in_flight: 256,
            header_timeout: folgesvenn_protocol::wire::IDLE_CONNECTION,
            calendar_offset_days: 0,
            wait_timeout: Duration::from_secs(25),
            max_waiting: 20_000,
            metrics: false,
        }
    }
}

/// Serves the relay on `listener` until `shutdown` resolves, then finishes the requests in flight.
///
/// Its own accept loop (axum's `serve` sets no header-read timeout): each connection gets
/// `config.header_timeout` to send a request's headers, HTTP/1 or HTTP/2, and knows its peer's
/// address for the per-address limits.
pub async fn serve(
    listener: tokio::net::TcpListener,
    storage: Arc<dyn RelayStorage>,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    use tower::ServiceExt;

    let header_timeout = config.header_timeout;
    let app = router(storage, config);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors, say: wait a moment rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<_>| {
            req.extensions_mut()
                .insert(axum::extract::ConnectInfo(peer));
            app.clone().oneshot(req.map(axum::body::Body::new))
        });
        let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(header_timeout);
        builder.http2().timer(TokioTimer::new());
        let conn = builder
            .serve_connection(TokioIo::new(stream), service)
            .into_owned();
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, %peer, "connection closed");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}
