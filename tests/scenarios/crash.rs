//! Kill a writing process with SIGKILL at random moments; after every kill, every record it had
//! confirmed is there, the file passes SQLite's and SQLCipher's integrity checks, the audit chain
//! holds, and the documents load.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use folgesvenn_domain::Role;
use folgesvenn_store::{DocKind, Store, Unlock};
use rand::{Rng, SeedableRng};
use uuid::Uuid;

use crate::common::*;

#[test]
fn confirmed_records_survive_sigkill_at_random_points() {
    let kills = repeats(200, 1000);
    let seed: u64 = std::env::var("FOLGESVENN_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random);
    eprintln!("crash scenario: {kills} kills, FOLGESVENN_SEED={seed}");
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);

    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    let (mut store, key) = new_store(&dir, Role::Adviser, "Kari Veileder");
    let placements: Vec<Uuid> = (0..3)
        .map(|i| {
            store
                .create_placement(&placement_input(&format!("Kandidat {i}")))
                .unwrap()
        })
        .collect();
    drop(store);

    // Every record ever confirmed, by placement and kind.
    let mut confirmed: HashMap<(Uuid, String), Vec<Uuid>> = HashMap::new();
    let mut total = 0usize;
    let mut killed_during_open = 0usize;
    for round in 0..kills {
        let mut child = Command::new(helper_bin())
            .arg("crash-writer")
            .arg(&dir)
            .args(placements.iter().map(|p| p.to_string()))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{}\n", key.to_hex().as_str()).as_bytes())
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        if rng.gen_bool(0.1) {
            // Sometimes before the store is even open.
            std::thread::sleep(Duration::from_micros(rng.gen_range(0..8_000)));
            killed_during_open += 1;
        } else {
            let first = rx.recv_timeout(Duration::from_secs(20));
            assert!(
                matches!(first.as_deref(), Ok("ready")),
                "round {round}: child did not start: {first:?}"
            );
            std::thread::sleep(Duration::from_micros(rng.gen_range(0..80_000)));
        }
        child.kill().unwrap(); // SIGKILL
        let status = child.wait().unwrap();
        reader.join().unwrap();
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
        assert!(
            status.code().is_none() && stderr.is_empty(),
            "round {round}: child ended by itself: {status:?} {stderr}"
        );
        for line in rx.try_iter() {
            let parts: Vec<&str> = line.split(' ').collect();
            if let ["ok", kind, p, id] = parts.as_slice() {
                confirmed
                    .entry((p.parse().unwrap(), (*kind).to_owned()))
                    .or_default()
                    .push(id.parse().unwrap());
                total += 1;
            }
        }

        let mut store = Store::open(&dir, Unlock::Key(key.clone()))
            .unwrap_or_else(|e| panic!("round {round}: store does not open after SIGKILL: {e}"));
        store
            .verify_integrity()
            .unwrap_or_else(|e| panic!("round {round}: {e}"));
        store
            .verify_audit()
            .unwrap_or_else(|e| panic!("round {round}: {e}"));
        // After every kill: each confirmed record is in its document (read from disk, by key), and
        // every 20 rounds and at the end the documents also hydrate in full.
        for &p in &placements {
            for (kind, doc, coll) in [
                ("observation", DocKind::Shared, "observations"),
                ("note", DocKind::Shared, "notes"),
                ("visit", DocKind::Shared, "visits"),
                ("adviser_note", DocKind::Private, "notes"),
            ] {
                let ids = store
                    .record_ids(p, doc, coll)
                    .unwrap_or_else(|e| panic!("round {round}: documents do not load: {e}"));
                for want in confirmed
                    .get(&(p, kind.to_owned()))
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                {
                    assert!(
                        ids.contains(want),
                        "round {round}: confirmed {kind} {want} is lost"
                    );
                }
            }
            if round % 20 == 19 || round + 1 == kills {
                store
                    .placement(p)
                    .unwrap_or_else(|e| panic!("round {round}: documents do not hydrate: {e}"));
            }
        }
    }
    eprintln!(
        "crash scenario: {total} confirmed records over {kills} kills ({killed_during_open} during open), all present"
    );
    assert!(
        total > kills,
        "the writer confirmed too few records for the test to mean anything"
    );
}
