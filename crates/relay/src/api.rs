//! The relay's HTTP API, version 1. Bodies are postcard-encoded messages of
//! `folgesvenn_protocol::wire`; errors are `ErrorBody` with a stable `kind` and a sentence that
//! names no content.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use folgesvenn_protocol::auth::{self, SignedHeaders};
use folgesvenn_protocol::wire::{self, *};
use folgesvenn_protocol::{PublicKey, RecordKind};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use tower_http::timeout::TimeoutLayer;
use uuid::Uuid;

use crate::Config;
use crate::limit::RateLimiter;
use crate::live::{Hub, Stored};
use crate::metrics::{self, Metrics};
use crate::storage::{
    Accept, Appended, Created, Membership, Registered, RelayStorage, StorageError,
};

struct AppState {
    storage: Arc<dyn RelayStorage>,
    metrics: Arc<Metrics>,
    config: Config,
    limiter: RateLimiter<Uuid>,
    failures: RateLimiter<IpAddr>,
    registrations: RateLimiter<IpAddr>,
    in_flight: Arc<tokio::sync::Semaphore>,
    /// Devices waiting at `/v2/wait`, counted apart from `in_flight`.
    waiting: Arc<tokio::sync::Semaphore>,
    hub: Arc<Hub>,
}

/// The client's address as the relay judges it (see `Config::trusted_proxies`), put into each
/// request's extensions by `limit_failures`.
#[derive(Clone, Copy, Debug)]
struct ClientIp(Option<IpAddr>);

type St = State<Arc<AppState>>;

pub fn router(storage: Arc<dyn RelayStorage>, config: Config) -> Router {
    let storage: Arc<dyn RelayStorage> = Arc::new(crate::cache::Cached::new(storage));
    let limiter = RateLimiter::new(config.rate_per_sec, config.burst);
    let failures = RateLimiter::new(config.failed_auth_per_sec, config.failed_auth_burst);
    let registrations = RateLimiter::new(
        config.registrations_per_hour / 3600.0,
        config.registrations_burst,
    );
    let in_flight = Arc::new(tokio::sync::Semaphore::new(config.max_in_flight.max(1)));
    let timeout = config.request_timeout;
    let expose_metrics = config.metrics;
    let counted = storage.clone();
    let metrics = Arc::new(Metrics::new(Box::new(move || counted.commits())));
    let waiting = Arc::new(tokio::sync::Semaphore::new(config.max_waiting.max(1)));
    let hub = Arc::new(Hub::default());
    // Uploads through the other relay processes on the same database wake this one's waiters.
    let heard = hub.clone();
    if let Err(e) = storage.listen(Arc::new(move |doc, seq, sender| {
        heard.stored(doc, seq, sender)
    })) {
        tracing::warn!(error = %e, "no live updates from other relay processes");
    }
    let state = Arc::new(AppState {
        storage,
        metrics: metrics.clone(),
        config,
        limiter,
        failures,
        registrations,
        in_flight,
        waiting,
        hub,
    });
    let app = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .route("/v2/devices", post(register))
        .route("/v2/docs", post(create_doc))
        .route("/v2/docs/end-date", post(set_end_date))
        .route("/v2/invitations", post(create_invitation))
        .route("/v2/invitations/accept", post(accept_invitation))
        .route("/v2/invitations/fetch", post(fetch_bundle))
        .route("/v2/members/remove", post(remove_member))
        .route("/v2/sync", post(sync))
        .route("/v2/news", post(news))
        .route("/v2/wait", post(wait))
        // Refused from the Content-Length header, before the body is read into memory.
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            limit_failures,
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .with_state(state)
        // Outermost: every answer is counted, timeouts and refusals included.
        .route_layer(axum::middleware::from_fn_with_state(
            metrics.clone(),
            metrics::observe,
        ));
    if !expose_metrics {
        return app;
    }
    app.merge(
        Router::new()
            .route("/metrics", get(metrics::serve))
            .with_state(metrics),
    )
}

pub struct ApiError {
    status: StatusCode,
    kind: &'static str,
    message: &'static str,
}

impl ApiError {
    const fn new(status: StatusCode, kind: &'static str, message: &'static str) -> ApiError {
        ApiError {
            status,
            kind,
            message,
        }
    }
}

const UNSIGNED: ApiError = ApiError::new(
    StatusCode::UNAUTHORIZED,
    "unsigned",
    "the request is not signed",
);
const BAD_SIGNATURE: ApiError = ApiError::new(
    StatusCode::UNAUTHORIZED,
    "bad_signature",
    "the signature does not verify",
);
const UNKNOWN_DEVICE: ApiError = ApiError::new(
    StatusCode::UNAUTHORIZED,
    "unknown_device",
    "this device is not registered",
);
const REPLAYED: ApiError = ApiError::new(
    StatusCode::UNAUTHORIZED,
    "replayed",
    "this request was seen before",
);
const TOO_MANY: ApiError = ApiError::new(
    StatusCode::TOO_MANY_REQUESTS,
    "rate_limited",
    "too many requests; try again shortly",
);
const BAD_REQUEST: ApiError = ApiError::new(
    StatusCode::BAD_REQUEST,
    "bad_request",
    "the body cannot be decoded",
);
const NOT_MEMBER: ApiError = ApiError::new(
    StatusCode::FORBIDDEN,
    "not_member",
    "this device may not do that for this document",
);
/// A 403 like `NOT_MEMBER`, with its own kind: an employer device that reads it deletes its copy.
const EXPIRED: ApiError = ApiError::new(
    StatusCode::FORBIDDEN,
    "membership_expired",
    "access to this document has ended",
);
const BUSY: ApiError = ApiError::new(
    StatusCode::SERVICE_UNAVAILABLE,
    "busy",
    "the relay is busy; try again shortly",
);
const QUOTA: ApiError = ApiError::new(
    StatusCode::FORBIDDEN,
    "quota",
    "this device has created as many documents as the relay allows",
);
const INTERNAL: ApiError = ApiError::new(
    StatusCode::INTERNAL_SERVER_ERROR,
    "internal",
    "the relay could not complete the request",
);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = wire::encode(&ErrorBody {
            kind: self.kind.into(),
            message: self.message.into(),
        });
        (self.status, body).into_response()
    }
}

const UNAVAILABLE: ApiError = ApiError::new(
    StatusCode::SERVICE_UNAVAILABLE,
    "unavailable",
    "the relay's database is away; try again shortly",
);

impl From<StorageError> for ApiError {
    fn from(e: StorageError) -> Self {
        tracing::error!(error = %e, "storage");
        match e {
            // Devices keep working offline and sync when it is back.
            StorageError::Unavailable(_) => UNAVAILABLE,
            StorageError::Db(_) | StorageError::Malformed(_) => INTERNAL,
        }
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Runs blocking storage work off the async threads.
async fn blocking<T: Send + 'static>(
    st: &Arc<AppState>,
    f: impl FnOnce(&dyn RelayStorage) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let st = st.clone();
    let metrics = st.metrics.clone();
    let result = tokio::task::spawn_blocking(move || f(st.storage.as_ref()))
        .await
        .map_err(|_| INTERNAL)?;
    if let Err(e) = &result
        && (e.kind == UNAVAILABLE.kind || e.kind == INTERNAL.kind)
    {
        metrics.storage_error(e.kind);
    }
    result
}

fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    wire::decode(body).map_err(|_| BAD_REQUEST)
}

fn ok<T: Serialize>(value: &T) -> Response {
    (StatusCode::OK, wire::encode(value)).into_response()
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Result<&'a str, ApiError> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .ok_or(UNSIGNED)
}

/// Refuses a client address whose requests keep failing authentication (429 before any work),
/// and charges each 401 to its address. Without a known address (the router served without
/// connection info) it does nothing.
async fn limit_failures(
    State(st): St,
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let ip = peer.map(|p| client_ip(p, request.headers(), &st.config.trusted_proxies));
    request.extensions_mut().insert(ClientIp(ip));
    // Refused at once when full: a queue would only hold the flood's connections open longer.
    // A device waiting for news mostly sleeps, so waits have a count of their own.
    let gate = if matches!(request.uri().path(), "/v2/wait" | "/v2/news") {
        &st.waiting
    } else {
        &st.in_flight
    };
    let Ok(_permit) = gate.clone().try_acquire_owned() else {
        tracing::warn!(?ip, "too many requests in flight");
        return BUSY.into_response();
    };
    if let Some(ip) = ip
        && !st.failures.has_token(&ip)
    {
        tracing::warn!(%ip, "failed-authentication flood refused");
        return TOO_MANY.into_response();
    }
    let response = next.run(request).await;
    if let Some(ip) = ip
        && response.status() == StatusCode::UNAUTHORIZED
    {
        st.failures.allow(ip);
    }
    response
}

/// The address a request is charged to: the peer's, or, from a trusted proxy, the rightmost
/// `X-Forwarded-For` entry that is not itself a trusted proxy (entries to its left were written
/// by the client and prove nothing).
fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse::<IpAddr>().ok())
        .collect::<Vec<_>>();
    forwarded
        .into_iter()
        .rev()
        .find(|a| !trusted.contains(a))
        .unwrap_or(peer)
}

/// Authenticates a request: signature, time window, rate, replay. `self_key` is the key a
/// registration brings along; every other request is checked against the registered key. Gives
/// the device and its key. All the checks run in one trip to the blocking pool: handing work to
/// another thread costs more than the checks themselves.
async fn authenticate(
    st: &Arc<AppState>,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
    self_key: Option<PublicKey>,
) -> Result<(Uuid, PublicKey), ApiError> {
    let signed = SignedHeaders {
        device: header(headers, auth::HEADER_DEVICE)?
            .parse()
            .map_err(|_| UNSIGNED)?,
        time_ms: header(headers, auth::HEADER_TIME)?
            .parse()
            .map_err(|_| UNSIGNED)?,
        nonce: header(headers, auth::HEADER_NONCE)?.to_owned(),
        signature: header(headers, auth::HEADER_SIGNATURE)?.to_owned(),
    };
    let (st, method, path, body) = (
        st.clone(),
        method.as_str().to_owned(),
        uri.path().to_owned(),
        body.clone(),
    );
    tokio::task::spawn_blocking(move || {
        let device = signed.device;
        let key = match self_key {
            Some(k) => k,
            None => st.storage.device_key(device)?.ok_or(UNKNOWN_DEVICE)?,
        };
        let now = now_ms();
        signed
            .verify(&key, &method, &path, &body, now)
            .map_err(|_| BAD_SIGNATURE)?;
        if !st.limiter.allow(device) {
            return Err(TOO_MANY);
        }
        let forget_before = now - 2 * auth::MAX_SKEW_MS;
        // Before the request reads any membership: see `cache.rs`.
        if !st
            .storage
            .check_nonce(device, &signed.nonce, signed.time_ms, forget_before)?
            .fresh
        {
            return Err(REPLAYED);
        }
        Ok((device, key))
    })
    .await
    .map_err(|_| INTERNAL)?
}

async fn register(
    State(st): St,
    axum::Extension(ClientIp(ip)): axum::Extension<ClientIp>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let msg: RegisterDevice = decode(&body)?;
    let (device, _) =
        authenticate(&st, &method, &uri, &headers, &body, Some(msg.public_key)).await?;
    if device != msg.device_id {
        return Err(BAD_SIGNATURE);
    }
    // Anyone may register, so new devices are rationed per address; a known device's repeat
    // registration (a retry) costs nothing.
    let known = blocking(&st, move |s| Ok(s.device_key(device)?.is_some())).await?;
    if !known
        && let Some(ip) = ip
        && !st.registrations.allow(ip)
    {
        tracing::warn!(%ip, "registration flood refused");
        return Err(TOO_MANY);
    }
    let outcome = blocking(&st, move |s| {
        Ok(s.register_device(device, &msg.public_key, now_ms())?)
    })
    .await?;
    tracing::info!(%device, ?outcome, "register");
    match outcome {
        Registered::New | Registered::Known => Ok(StatusCode::NO_CONTENT.into_response()),
        Registered::Conflict => Err(ApiError::new(
            StatusCode::CONFLICT,
            "device_taken",
            "this device id belongs to another key",
        )),
    }
}

async fn create_doc(
    State(st): St,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (device, _) = authenticate(&st, &method, &uri, &headers, &body, None).await?;
    let msg: CreateDoc = decode(&body)?;
    let quota = st.config.max_docs_per_device;
    let outcome = blocking(&st, move |s| {
        if s.docs_created_by(device)? >= quota && s.membership(msg.doc_id, device)?.is_none() {
            return Err(QUOTA);
        }
        Ok(s.create_doc(msg.doc_id, device, now_ms())?)
    })
    .await?;
    tracing::info!(%device, doc = %msg.doc_id, ?outcome, "create_doc");
    match outcome {
        Created::Created | Created::AlreadyMember => Ok(StatusCode::NO_CONTENT.into_response()),
        Created::Taken => Err(NOT_MEMBER),
    }
}

/// Adviser members only; everyone else gets the same 403 whether or not the document exists.
async fn require_adviser(st: &Arc<AppState>, doc: Uuid, device: Uuid) -> Result<(), ApiError> {
    let m = blocking(st, move |s| Ok(s.membership(doc, device)?)).await?;
    match m {
        Some(m) if m.role == MemberRole::Adviser => Ok(()),
        _ => Err(NOT_MEMBER),
    }
}

async fn set_end_date(
    State(st): St,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (device, _) = authenticate(&st, &method, &uri, &headers, &body, None).await?;
    let msg: SetEndDate = decode(&body)?;
    require_adviser(&st, msg.doc_id, device).await?;
    blocking(&st, move |s| Ok(s.set_end_day(msg.doc_id, msg.end_day)?)).await?;
    tracing::info!(%device, doc = %msg.doc_id, "set_end_date");
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Invitations live at most two weeks: long enough to meet on site, short enough to go stale.
const MAX_INVITATION_MS: i64 = 14 * 86_400_000;

async fn create_invitation(
    State(st): St,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (device, _) = authenticate(&st, &method, &uri, &headers, &body, None).await?;
    let msg: CreateInvitation = decode(&body)?;
    let now = now_ms();
    if msg.expires_at_ms <= now || msg.expires_at_ms > now + MAX_INVITATION_MS {
        return Err(BAD_REQUEST);
    }
    if msg
        .bundle
        .as_ref()
        .is_some_and(|b| b.sealed.len() > folgesvenn_protocol::bundle::MAX_BUNDLE)
    {
        return Err(BAD_REQUEST);
    }
    require_adviser(&st, msg.doc_id, device).await?;
    let doc = msg.doc_id;
    let created = blocking(&st, move |s| Ok(s.create_invitation(&msg, device)?)).await?;
    tracing::info!(%device, %doc, created, "create_invitation");
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn accept_invitation(
    State(st): St,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (device, _) = authenticate(&st, &method, &uri, &headers, &body, None).await?;
    let msg: AcceptInvitation = decode(&body)?;
    let hash: [u8; 32] = Sha256::digest(msg.secret).into();
    let outcome = blocking(&st, move |s| {
        Ok(s.accept_invitation(msg.invitation_id, &hash, device, now_ms())?)
    })
    .await?;
    tracing::info!(%device, invitation = %msg.invitation_id, ?outcome, "accept_invitation");
    match outcome {
        Accept::Accepted { doc_id, role } => Ok(ok(&Accepted { doc_id, role })),
        Accept::Unknown => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown_invitation",
            "no such invitation",
        )),
        Accept::Used => Err(ApiError::new(
            StatusCode::GONE,
            "invitation_used",
            "this invitation has been used",
        )),
        Accept::Expired => Err(ApiError::new(
            StatusCode::GONE,
            "invitation_expired",
            "this invitation has expired",
        )),
    }
}

/// Hands out the sealed bundle of a short invitation code. Unknown, used and expired look the
/// same (404), and the per-device rate limit bounds guessing.
async fn fetch_bundle(
    State(st): St,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (device, _) = authenticate(&st, &method, &uri, &headers, &body, None).await?;
    let msg: FetchBundle = decode(&body)?;
    let found = blocking(&st, move |s| {
        Ok(s.fetch_bundle(&msg.lookup, device, now_ms())?)
    })
    .await?;
    tracing::info!(%device, found = found.is_some(), "fetch_bundle");
    match found {
        Some(sealed) => Ok(ok(&SealedBundle {
            lookup: msg.lookup,
            sealed,
        })),
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown_invitation",
            "no such invitation",
        )),
    }
}

async fn remove_member(
    State(st): St,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (device, _) = authenticate(&st, &method, &uri, &headers, &body, None).await?;
    let msg: RemoveMember = decode(&body)?;
    require_adviser(&st, msg.doc_id, device).await?;
    let removed = blocking(
        &st,
        move |s| Ok(s.remove_member(msg.doc_id, msg.device_id)?),
    )
    .await?;
    tracing::info!(%device, doc = %msg.doc_id, removed, "remove_member");
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST /v2/wait`: answered at once if one of the documents already holds something beyond the
/// device's cursor, else when another device's record for one of them is stored, else after
/// `wait_timeout` with nothing. Documents the device is no member of (or whose access has ended)
/// are left out; if that is all of them, 403 as for a sync.
async fn wait(
    State(st): St,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (device, _) = authenticate(&st, &method, &uri, &headers, &body, None).await?;
    let req: WaitRequest = decode(&body)?;
    if req.docs.is_empty() || req.docs.len() > MAX_DOCS_PER_REQUEST {
        return Err(BAD_REQUEST);
    }
    // Listening before looking, so a record stored in between is not missed.
    let mut news = st.hub.subscribe();
    let today_ms = now_ms() + st.config.calendar_offset_days * 86_400_000;
    let look = |docs: Vec<DocCursor>| {
        blocking(&st, move |s| {
            let mut watched = Vec::with_capacity(docs.len());
            let mut changed = Vec::new();
            for d in docs {
                let Some(m) = s.membership_covering(d.doc_id, device, d.since)? else {
                    continue;
                };
                if m.expires_at_ms.is_some_and(|e| e <= today_ms) {
                    continue;
                }
                // Not beyond what it was handed: a cursor it claims past that is not believed.
                let since = d.since.min(m.served_through);
                if s.latest(d.doc_id)? > since {
                    changed.push(d.doc_id);
                }
                watched.push(DocCursor {
                    doc_id: d.doc_id,
                    since,
                });
            }
            Ok((watched, changed))
        })
    };
    let (watched, changed) = look(req.docs).await?;
    if watched.is_empty() {
        return Err(NOT_MEMBER);
    }
    if !changed.is_empty() {
        return Ok(ok(&WaitResponse { changed }));
    }
    let deadline = tokio::time::Instant::now() + st.config.wait_timeout;
    loop {
        let watching = |n: &Stored| watched.iter().any(|w| w.doc_id == n.doc && n.seq > w.since);
        match until_heard(&mut news, device, deadline, watching).await {
            Heard::Stored(doc) => return Ok(ok(&WaitResponse { changed: vec![doc] })),
            Heard::Nothing => return Ok(ok(&WaitResponse { changed: vec![] })),
            Heard::Lagged => {
                let (_, changed) = look(watched.clone()).await?;
                if !changed.is_empty() {
                    return Ok(ok(&WaitResponse { changed }));
                }
            }
        }
    }
}

/// What a waiting device heard.
enum Heard {
    /// Another device stored a record the waiter watches, in this document.
    Stored(Uuid),
    /// The wait ran out (or the relay is stopping).
    Nothing,
    /// The waiter fell behind the channel: the store must say what it missed.
    Lagged,
}

/// Waits for another device's record that `watching` cares about, until `deadline`.
async fn until_heard(
    news: &mut tokio::sync::broadcast::Receiver<Stored>,
    device: Uuid,
    deadline: tokio::time::Instant,
    watching: impl Fn(&Stored) -> bool,
) -> Heard {
    use tokio::sync::broadcast::error::RecvError;
    loop {
        let heard = tokio::select! {
            heard = news.recv() => heard,
            () = tokio::time::sleep_until(deadline) => return Heard::Nothing,
        };
        match heard {
            Ok(n) if n.sender != device && watching(&n) => return Heard::Stored(n.doc),
            Ok(_) => {} // its own upload, or another document's
            Err(RecvError::Lagged(_)) => return Heard::Lagged,
            Err(RecvError::Closed) => return Heard::Nothing,
        }
    }
}

/// See [`NewsRequest`]: the documents with something new for this device, if the relay's account
/// of what it served the device matches the device's cursors.
async fn news(
    State(st): St,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (device, _) = authenticate(&st, &method, &uri, &headers, &body, None).await?;
    let req: NewsRequest = decode(&body)?;
    // Listening before looking, so a record stored in between is not missed.
    let mut heard = st.hub.subscribe();
    let today_ms = now_ms() + st.config.calendar_offset_days * 86_400_000;
    let digest = req.digest;
    let look = || {
        blocking(&st, move |s| {
            let live: Vec<(Uuid, Membership, u64)> = s
                .memberships_of(device)?
                .into_iter()
                .filter(|(_, m, _)| m.expires_at_ms.is_none_or(|e| e > today_ms))
                .collect();
            let served = live.iter().map(|(doc, m, _)| (*doc, m.served_through));
            if cursors_digest(served.collect()) != digest {
                return Ok(None);
            }
            let changed = live
                .iter()
                .filter(|(_, m, latest)| *latest > m.served_through)
                .map(|(doc, _, _)| *doc)
                .collect::<Vec<_>>();
            Ok(Some((live, changed)))
        })
    };
    let Some((live, changed)) = look().await? else {
        return Ok(ok(&NewsResponse::Unknown));
    };
    if !changed.is_empty() || !req.wait {
        return Ok(ok(&NewsResponse::Changed(changed)));
    }
    let served: std::collections::HashMap<Uuid, u64> = live
        .iter()
        .map(|(doc, m, _)| (*doc, m.served_through))
        .collect();
    let deadline = tokio::time::Instant::now() + st.config.wait_timeout;
    loop {
        let watching = |n: &Stored| served.get(&n.doc).is_some_and(|s| n.seq > *s);
        match until_heard(&mut heard, device, deadline, watching).await {
            Heard::Stored(doc) => return Ok(ok(&NewsResponse::Changed(vec![doc]))),
            Heard::Nothing => return Ok(ok(&NewsResponse::Changed(vec![]))),
            Heard::Lagged => match look().await? {
                None => return Ok(ok(&NewsResponse::Unknown)),
                Some((_, changed)) if !changed.is_empty() => {
                    return Ok(ok(&NewsResponse::Changed(changed)));
                }
                Some(_) => {}
            },
        }
    }
}

/// The readiness check: `ready` while the database answers and takes writes, else 503 (the load
/// balancer sends devices to another process meanwhile). `/healthz` stays the liveness check.
async fn ready(State(st): St) -> Result<&'static str, ApiError> {
    blocking(&st, |s| Ok(s.ready()?)).await?;
    Ok("ready")
}

async fn sync(
    State(st): St,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (device, key) = authenticate(&st, &method, &uri, &headers, &body, None).await?;
    let req: SyncRequest = decode(&body)?;
    if req.docs.is_empty() || req.docs.len() > MAX_DOCS_PER_REQUEST {
        return Err(BAD_REQUEST);
    }
    // One budget for the whole answer, so that it fits a device's limit however many documents
    // the request names.
    let mut budget = st.config.pull_budget.min(MAX_PULL);
    let max_doc_bytes = st.config.max_doc_bytes;
    let bytes_in = body.len();
    let today_ms = now_ms() + st.config.calendar_offset_days * 86_400_000;
    let metrics = st.metrics.clone();
    let hub = st.hub.clone();
    let response = blocking(&st, move |s| {
        let now = now_ms();
        let mut docs = Vec::with_capacity(req.docs.len());
        let mut served_bytes = 0usize;
        for d in req.docs {
            let membership = s.membership_covering(d.doc_id, device, d.since)?;
            let status = match membership {
                None => DocStatus::NotMember,
                Some(m) if m.expires_at_ms.is_some_and(|e| e <= today_ms) => DocStatus::Expired,
                Some(_) => DocStatus::Ok,
            };
            let adviser = membership.is_some_and(|m| m.role == MemberRole::Adviser);
            let served_through = membership.map_or(0, |m| m.served_through);
            // A cursor beyond what the relay handed this device is not believed: it reads on from
            // what it was served (a repeat, which devices recognise), and its snapshots cover no
            // more than that.
            let since = d.since.min(served_through);
            if status != DocStatus::Ok {
                docs.push(DocResult {
                    doc_id: d.doc_id,
                    status,
                    acked: vec![],
                    rejected: vec![],
                    records: vec![],
                    cursor: since,
                    more: false,
                });
                continue;
            }
            let mut accepted = Vec::new();
            let mut rejected = Vec::new();
            // What the document holds, read once a record asks for room.
            let mut stored: Option<u64> = None;
            for rec in d.records {
                let h = &rec.header;
                let why = if h.doc_id != d.doc_id {
                    Some("the record belongs to another document")
                } else if h.device_id != device {
                    Some("the record is from another device")
                } else if h.device_seq == 0 {
                    Some("device sequence numbers start at 1")
                } else if rec.ciphertext.len() > MAX_RECORD {
                    Some("the record is larger than the relay stores")
                } else if rec.verify(&key).is_err() {
                    Some("the record's signature does not verify")
                } else if h.kind == RecordKind::Snapshot && h.covers_through > since {
                    Some("a snapshot cannot cover records the relay has not served its sender")
                } else if h.kind == RecordKind::Snapshot && !adviser {
                    // A snapshot lets the relay drop what it covers, and members take a snapshot
                    // only from an adviser's device: an employer's would lose records for them.
                    Some("only an adviser's devices send snapshots")
                } else if h.kind == RecordKind::Snapshot && h.covers_through > 0 {
                    None // it replaces what it covers: the way out of a full document
                } else {
                    let held = match stored {
                        Some(n) => n,
                        None => s.doc_bytes(d.doc_id)?,
                    };
                    let size = wire::encode(&rec).len() as u64;
                    if held + size > max_doc_bytes
                        && !s.has_record(d.doc_id, device, h.device_seq)?
                    {
                        stored = Some(held);
                        Some(REJECT_DOCUMENT_FULL)
                    } else {
                        stored = Some(held + size);
                        None
                    }
                };
                match why {
                    Some(w) => rejected.push((h.device_seq, w.to_owned())),
                    None => accepted.push(rec),
                }
            }
            let appended = if accepted.is_empty() {
                vec![] // a pull: no write transaction
            } else {
                s.append(d.doc_id, &accepted, now)?
            };
            let new = appended
                .iter()
                .filter(|a| matches!(a, Appended::Stored(_)))
                .count();
            metrics.records_stored(new as u64);
            if let Some(Appended::Stored(last)) = appended
                .iter()
                .rev()
                .find(|a| matches!(a, Appended::Stored(_)))
            {
                hub.stored(d.doc_id, *last, device);
            }
            let acked = accepted
                .iter()
                .zip(&appended)
                .map(|(r, a)| match a {
                    Appended::Stored(_) | Appended::Duplicate(_) => r.header.device_seq,
                })
                .collect();
            let first = served_bytes == 0;
            let pulled = s.pull(d.doc_id, since, device, budget, first)?;
            budget = budget.saturating_sub(pulled.bytes);
            served_bytes += pulled.bytes;
            if pulled.cursor > served_through {
                s.served(d.doc_id, device, pulled.cursor)?;
            }
            docs.push(DocResult {
                doc_id: d.doc_id,
                status: DocStatus::Ok,
                acked,
                rejected,
                records: pulled.records,
                cursor: pulled.cursor,
                more: pulled.more,
            });
        }
        // A request every one of whose documents is refused gets a 4xx, so a device that is no
        // member learns nothing from a 200; mixed requests report per document.
        if docs.iter().all(|d| d.status == DocStatus::NotMember) {
            return Err(NOT_MEMBER);
        }
        if docs.iter().all(|d| d.status == DocStatus::Expired) {
            return Err(EXPIRED);
        }
        Ok(SyncResponse { docs })
    })
    .await?;
    let pushed: usize = response.docs.iter().map(|d| d.acked.len()).sum();
    let pulled: usize = response.docs.iter().map(|d| d.records.len()).sum();
    st.metrics.records_served(pulled as u64);
    tracing::info!(%device, docs = response.docs.len(), bytes_in, pushed, pulled, "sync");
    Ok(ok(&response))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A database that is away is a 503 the devices retry later, not a 500: nothing is wrong
    /// with their request, and they keep working offline meanwhile.
    #[test]
    fn a_database_that_is_away_is_answered_503_and_a_database_error_500() {
        let away = ApiError::from(StorageError::Unavailable("restarting".into()));
        assert_eq!(
            (away.status, away.kind),
            (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
        );
        let broken = ApiError::from(StorageError::Db("syntax".into()));
        assert_eq!(broken.status, StatusCode::INTERNAL_SERVER_ERROR);
    }
}
