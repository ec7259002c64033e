//! What the relay's test files share: a PostgreSQL database of a test's own, and an HTTP client.

/// A new database on the test cluster (`FOLGESVENN_TEST_POSTGRES`, which `cargo xtask test` sets
/// to the cluster it starts), so tests run side by side; its URL.
pub fn fresh_postgres(admin: &str) -> String {
    let name = format!("relay_{}", uuid::Uuid::new_v4().simple());
    let mut client = postgres::Client::connect(admin, postgres::NoTls).unwrap();
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    let (base, _) = admin.rsplit_once('/').unwrap();
    format!("{base}/{name}")
}

/// The test cluster's URL; a test that needs it is `#[ignore]`d for plain `cargo test`.
#[allow(dead_code)] // each test file is its own crate, and `api.rs` reads the variable itself
pub fn test_postgres() -> String {
    std::env::var("FOLGESVENN_TEST_POSTGRES").expect(
        "FOLGESVENN_TEST_POSTGRES: a PostgreSQL URL (cargo xtask test starts a cluster and sets it)",
    )
}

/// A reqwest client. Built in one workspace with the sync engine, reqwest has rustls without a
/// crypto provider of its own, and building a client panics until one is installed: ring, as
/// the sync engine installs it (`folgesvenn_sync::transport::install_tls_provider`, which the
/// relay must not depend on).
#[allow(dead_code)] // each test file is its own crate, and not all of them talk HTTP
pub fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}
