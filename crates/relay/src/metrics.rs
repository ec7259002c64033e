//! What the relay counts for its operators, served as `/metrics` in Prometheus's text format:
//! requests by route and status, their latencies, records stored and served, and storage
//! errors by kind. Labels are routes, status codes and error kinds only: never a device,
//! document or person, and never content.

use std::sync::atomic::AtomicU64;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::storage::Commits;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    /// The route's pattern (`/v2/sync`), or `other` for a path the relay does not serve.
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabel {
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ErrorLabel {
    /// The API error the storage work ended in: `unavailable` (the database is away) or
    /// `internal`.
    kind: &'static str,
}

fn latency() -> Histogram {
    // 0.5 ms to about 4 s.
    Histogram::new(exponential_buckets(0.0005, 2.0, 14))
}

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    seconds: Family<RouteLabel, Histogram, fn() -> Histogram>,
    stored: Counter<u64, AtomicU64>,
    served: Counter<u64, AtomicU64>,
    storage_errors: Family<ErrorLabel, Counter>,
    uploads: Counter<u64, AtomicU64>,
    commits: Counter<u64, AtomicU64>,
    /// Reads the storage's own counts of uploads and commits, at each scrape.
    read_commits: Box<dyn Fn() -> Commits + Send + Sync>,
    scrape: std::sync::Mutex<()>,
}

impl Metrics {
    pub fn new(read_commits: Box<dyn Fn() -> Commits + Send + Sync>) -> Self {
        let mut registry = Registry::with_prefix("folgesvenn_relay");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "requests",
            "HTTP requests answered, by route and status",
            requests.clone(),
        );
        let seconds =
            Family::<RouteLabel, Histogram, fn() -> Histogram>::new_with_constructor(latency);
        registry.register(
            "request_duration_seconds",
            "Time to answer a request, by route",
            seconds.clone(),
        );
        let stored = Counter::default();
        registry.register(
            "records_stored",
            "Records stored (repeats not counted)",
            stored.clone(),
        );
        let served = Counter::default();
        registry.register(
            "records_served",
            "Records handed to devices in sync answers",
            served.clone(),
        );
        let storage_errors = Family::<ErrorLabel, Counter>::default();
        registry.register(
            "storage_errors",
            "Storage calls that failed, by kind (unavailable: the database is away)",
            storage_errors.clone(),
        );
        let uploads = Counter::default();
        registry.register(
            "uploads_committed",
            "Uploads (one document's records in one request) written to the database",
            uploads.clone(),
        );
        let commits = Counter::default();
        registry.register(
            "upload_commits",
            "Transactions, and so flushes to disk, those uploads took (group commit)",
            commits.clone(),
        );
        Metrics {
            registry,
            requests,
            seconds,
            stored,
            served,
            storage_errors,
            uploads,
            commits,
            read_commits,
            scrape: std::sync::Mutex::new(()),
        }
    }
}

impl Metrics {
    pub fn records_stored(&self, n: u64) {
        self.stored.inc_by(n);
    }

    pub fn records_served(&self, n: u64) {
        self.served.inc_by(n);
    }

    pub fn storage_error(&self, kind: &'static str) {
        self.storage_errors
            .get_or_create(&ErrorLabel { kind })
            .inc();
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let _one_at_a_time = self.scrape.lock().unwrap_or_else(|p| p.into_inner());
        let now = (self.read_commits)();
        self.uploads
            .inc_by(now.uploads.saturating_sub(self.uploads.get()));
        self.commits
            .inc_by(now.commits.saturating_sub(self.commits.get()));
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

/// Middleware: counts and times every request, by the route it matched.
pub async fn observe(
    State(metrics): State<std::sync::Arc<Metrics>>,
    request: Request,
    next: Next,
) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "other".to_owned(), |m| m.as_str().to_owned());
    let started = Instant::now();
    let response = next.run(request).await;
    metrics
        .seconds
        .get_or_create(&RouteLabel {
            route: route.clone(),
        })
        .observe(started.elapsed().as_secs_f64());
    metrics
        .requests
        .get_or_create(&RequestLabels {
            route,
            status: response.status().as_u16(),
        })
        .inc();
    response
}

/// `GET /metrics`.
pub async fn serve(State(metrics): State<std::sync::Arc<Metrics>>) -> Response {
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        metrics.render(),
    )
        .into_response()
}
