//! PostgreSQL restarted under a relay: while it is down the relay's storage reports itself
//! unavailable (which the API answers with 503) rather than failing for good, it recovers on its
//! own once the database is back, and nothing it acknowledged is lost. Its own test binary, since
//! it stops the test cluster: `cargo xtask test` runs it alone, with `FOLGESVENN_TEST_POSTGRES_CTL`
//! naming the cluster's `pg_ctl` (a command line, the data directory included).

use std::time::{Duration, Instant};

use folgesvenn_protocol::{PublicKey, RecordHeader, RecordKind, SealedRecord};
use folgesvenn_relay::RelayStorage;
use folgesvenn_relay::postgres::PgStorage;
use folgesvenn_relay::storage::{Appended, StorageError};
use uuid::Uuid;

mod common;

fn pg_ctl(action: &str) {
    let ctl = std::env::var("FOLGESVENN_TEST_POSTGRES_CTL").expect(
        "FOLGESVENN_TEST_POSTGRES_CTL: the test cluster's pg_ctl (cargo xtask test sets it)",
    );
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{ctl} -w {action}"))
        .status()
        .unwrap();
    assert!(status.success(), "pg_ctl {action}");
}

#[test]
#[ignore = "stops and starts the test cluster: cargo xtask test runs it alone"]
fn a_restarted_database_is_unavailable_meanwhile_and_the_relay_recovers_losing_nothing() {
    let url = common::fresh_postgres(&common::test_postgres());
    let s = PgStorage::connect(&url, 4).unwrap();
    let (device, doc) = (Uuid::new_v4(), Uuid::new_v4());
    s.register_device(device, &PublicKey([1; 32]), 0).unwrap();
    s.create_doc(doc, device, 0).unwrap();
    let record = |n: u64| SealedRecord {
        header: RecordHeader {
            doc_id: doc,
            device_id: device,
            device_seq: n,
            kind: RecordKind::Changes,
            epoch: 0,
            covers_through: 0,
        },
        nonce: [0; 24],
        ciphertext: vec![n as u8; 64],
        signature: [0; 64],
    };
    assert_eq!(
        s.append(doc, &[record(1)], 0).unwrap(),
        [Appended::Stored(1)]
    );

    assert!(s.ready().is_ok());
    pg_ctl("-m fast stop");
    // Not ready (`/readyz` answers 503), and every pooled connection is broken now: each call
    // says the database is away.
    assert!(matches!(s.ready(), Err(StorageError::Unavailable(_))));
    for _ in 0..6 {
        match s.append(doc, &[record(2)], 0) {
            Err(StorageError::Unavailable(_)) => {}
            other => panic!("with the database down: {other:?}"),
        }
    }
    pg_ctl("start");

    // Back on its own: new connections replace the broken ones within a few calls.
    let deadline = Instant::now() + Duration::from_secs(20);
    let stored = loop {
        match s.append(doc, &[record(2)], 0) {
            Ok(a) => break a,
            Err(StorageError::Unavailable(_)) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(200));
            }
            Err(e) => panic!("after the restart: {e}"),
        }
    };
    assert_eq!(stored, [Appended::Stored(2)]);
    assert!(s.ready().is_ok(), "ready again");
    let all = s.pull(doc, 0, Uuid::new_v4(), 1 << 20, true).unwrap();
    let seqs: Vec<u64> = all.records.iter().map(|r| r.server_seq).collect();
    assert_eq!(
        seqs,
        [1, 2],
        "the record acknowledged before the restart is kept"
    );
}
