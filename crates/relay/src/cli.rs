//! The relay's command line, shared by the `folgesvenn-relay` binary and the scenario tests'
//! helper (which runs the very same relay as a child process it can kill).
//!
//! `folgesvenn-relay serve --listen 127.0.0.1:8787 --db ./relay.db`

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use crate::{Config, RelayStorage, postgres::PgStorage, serve, sqlite::SqliteStorage};
use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "folgesvenn-relay",
    version,
    about = "The Følgesvenn relay: stores sealed records it cannot read"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serves the relay until SIGTERM or Ctrl-C.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8787")]
        listen: SocketAddr,
        /// Where the relay keeps what it stores: a SQLite file (one relay process), or a
        /// PostgreSQL URL, `postgres://user:password@host:5432/database` (several processes on
        /// one cluster; docs/deploy.md).
        #[arg(long, env = "FOLGESVENN_RELAY_DB", default_value = "relay.db")]
        db: String,
        /// Serves `GET /metrics` for Prometheus (requests, latencies, records, errors; no ids of
        /// people). Keep it off the internet: let only the monitoring network reach it.
        #[arg(long, env = "FOLGESVENN_RELAY_METRICS")]
        metrics: bool,
        /// Connections each relay process keeps to PostgreSQL, at most.
        #[arg(long, env = "FOLGESVENN_RELAY_DB_POOL", default_value_t = 16)]
        db_pool: u32,
        /// Requests per second per device, on average.
        #[arg(long, default_value_t = Config::default().rate_per_sec)]
        rate: f64,
        /// Requests per device in a burst.
        #[arg(long, default_value_t = Config::default().burst)]
        burst: f64,
        /// Requests per second, on average, that may fail authentication from one IP address.
        #[arg(long, default_value_t = Config::default().failed_auth_per_sec)]
        failed_auth_rate: f64,
        /// Failed requests from one IP address allowed in a burst.
        #[arg(long, default_value_t = Config::default().failed_auth_burst)]
        failed_auth_burst: f64,
        /// New devices that may register per hour from one client address, and in a burst.
        #[arg(long, default_value_t = Config::default().registrations_per_hour)]
        registrations_per_hour: f64,
        #[arg(long, default_value_t = Config::default().registrations_burst)]
        registrations_burst: f64,
        /// Bytes of records stored for one document; beyond it records are refused (and stay
        /// queued on their devices) until an adviser's snapshot makes room.
        #[arg(long, default_value_t = Config::default().max_doc_bytes)]
        max_doc_bytes: u64,
        /// A reverse proxy whose X-Forwarded-For header names the client (repeat for several).
        /// Without it, every client behind a proxy shares the proxy's address in the limits.
        #[arg(long = "trusted-proxy")]
        trusted_proxies: Vec<std::net::IpAddr>,
        /// Judges employers' access ends this many days in the future (tests and drills only;
        /// request signatures keep the real clock).
        #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
        calendar_offset_days: i64,
    },
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing requests in flight");
}

/// Parses `args` (the program name first) and runs the command on a new tokio runtime.
pub fn main_with(args: impl IntoIterator<Item = std::ffi::OsString>) -> Result<()> {
    let cli = Cli::parse_from(args);
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run(cli))
}

async fn run(cli: Cli) -> Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let Cli {
        command:
            Command::Serve {
                listen,
                db,
                db_pool,
                metrics,
                rate,
                burst,
                failed_auth_rate,
                failed_auth_burst,
                registrations_per_hour,
                registrations_burst,
                max_doc_bytes,
                trusted_proxies,
                calendar_offset_days,
            },
    } = cli;
    let (storage, db): (Arc<dyn RelayStorage>, String) =
        if db.starts_with("postgres://") || db.starts_with("postgresql://") {
            // The client blocks (as every storage call does, on a blocking thread).
            let url = db.clone();
            let storage = tokio::task::spawn_blocking(move || PgStorage::connect(&url, db_pool))
                .await?
                .context("connecting to PostgreSQL")?;
            // The URL may hold a password: the log names the backend only.
            (Arc::new(storage), "PostgreSQL".into())
        } else {
            let path = PathBuf::from(&db);
            let storage = SqliteStorage::open(&path)
                .with_context(|| format!("opening {}", path.display()))?;
            (Arc::new(storage), path.display().to_string())
        };
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("binding {listen}"))?;
    let config = Config {
        rate_per_sec: rate,
        burst,
        failed_auth_per_sec: failed_auth_rate,
        failed_auth_burst,
        registrations_per_hour,
        registrations_burst,
        max_doc_bytes,
        trusted_proxies,
        calendar_offset_days,
        metrics,
        ..Config::default()
    };
    if calendar_offset_days != 0 {
        tracing::warn!(
            calendar_offset_days,
            "the relay's calendar is moved: tests only"
        );
    }
    tracing::info!(addr = %listener.local_addr()?, db = %db, "relay listening");
    // Tests and scripts read this line to learn the port when --listen asks for port 0.
    println!("listening on {}", listener.local_addr()?);
    serve(listener, storage, config, shutdown_signal()).await?;
    Ok(())
}
