//! How requests reach the relay. The engine builds and signs a request, a [`Transport`] carries
//! it: over HTTP in the app and the CLI ([`Http`]), through a fault-injecting wrapper in the
//! scenario tests, through a byte counter in the benchmarks.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use folgesvenn_protocol::wire::MAX_BODY;

pub struct Request {
    /// Relay base address plus path.
    pub url: String,
    pub path: &'static str,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

pub struct Response {
    pub status: u16,
    pub body: Vec<u8>,
}

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

pub trait Transport: Send + Sync {
    /// Sends one POST. `Err` means no answer arrived (no network, timeout, connection lost): the
    /// request may or may not have reached the relay.
    fn post(&self, request: Request) -> BoxFuture<'_, Result<Response, String>>;
}

/// Makes ring the process's cryptography for rustls. reqwest is built without a provider of its
/// own (`rustls-no-provider`), so building any `reqwest::Client` in a process that never called
/// this panics: the sync engine calls it before its client, and a test that builds its own
/// client calls it first. Installing fails only when a provider is already installed, which then
/// serves.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// HTTP/1.1 or HTTP/2 through reqwest with rustls.
pub struct Http {
    client: reqwest::Client,
}

impl Http {
    pub fn new(timeout: Duration) -> Http {
        install_tls_provider();
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            // Judged when a connection is taken, so also after a pause in which nothing ran.
            .pool_idle_timeout(folgesvenn_protocol::wire::IDLE_CONNECTION / 2)
            .build()
            .expect("a client without custom TLS roots always builds");
        Http { client }
    }
}

impl Transport for Http {
    fn post(&self, request: Request) -> BoxFuture<'_, Result<Response, String>> {
        Box::pin(async move {
            let mut req = self.client.post(&request.url);
            for (name, value) in request.headers {
                req = req.header(name, value);
            }
            let mut resp = req
                .body(request.body)
                .send()
                .await
                .map_err(|e| describe(&e))?;
            let status = resp.status().as_u16();
            // Read no more than the protocol allows (one byte over, so the decoder names the
            // fault): a relay that sends without end cannot fill the device's memory.
            let mut body = Vec::new();
            while let Some(chunk) = resp.chunk().await.map_err(|e| describe(&e))? {
                let room = (MAX_BODY + 1).saturating_sub(body.len());
                body.extend_from_slice(&chunk[..chunk.len().min(room)]);
                if body.len() > MAX_BODY {
                    break;
                }
            }
            Ok(Response { status, body })
        })
    }
}

/// reqwest's errors name the URL and a chain of causes; the user needs the gist.
fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "tidsavbrudd".into()
    } else if e.is_connect() {
        "ingen forbindelse".into()
    } else {
        let mut s = e.to_string();
        let mut source = std::error::Error::source(e);
        while let Some(inner) = source {
            s = format!("{s}: {inner}");
            source = inner.source();
        }
        s
    }
}
