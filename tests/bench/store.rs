//! Store benchmarks: the figures BENCHMARKS.md records (`cargo xtask bench`). Medians of repeated
//! runs on a shared, noisy machine; nothing here is asserted.
//!
//! Workload: a three-year placement (750 observations, 150 visits, 500 notes, 100 actions) and an
//! adviser device with 500 placements, written through the same API the app uses, with seeded
//! Norwegian text.

use std::path::Path;
use std::time::{Duration, Instant};

use folgesvenn_domain::*;
use folgesvenn_store::{DbKey, DocKind, Store, Unlock};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

#[path = "perf.rs"]
mod perf;
#[path = "workload.rs"]
mod workload;
use workload::*;

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

/// The median time of `runs` calls of `f`, each until its result is in hand (dropping the result
/// is not timed).
fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    median(
        (0..runs)
            .map(|_| {
                let t = Instant::now();
                let result = f();
                let took = t.elapsed();
                drop(std::hint::black_box(result));
                took
            })
            .collect(),
    )
}

/// Opens placement `p` in full `runs` times, each from disk: the documents the last open left in
/// memory are dropped before the clock starts, and the time is until the view is in hand.
fn open_in_full(store: &mut Store, p: uuid::Uuid, runs: usize) -> Vec<Duration> {
    (0..runs)
        .map(|_| {
            store.forget_cache();
            let at = Instant::now();
            let view = store.placement(p).unwrap();
            let took = at.elapsed();
            drop(std::hint::black_box(view));
            took
        })
        .collect()
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.metadata().unwrap().len())
        .sum()
}

fn open_loop() -> Option<usize> {
    let args: Vec<String> = std::env::args().collect();
    let i = args.iter().position(|a| a == "--open-loop")?;
    args.get(i + 1).and_then(|n| n.parse().ok())
}

fn main() {
    // `--quick` (CI): a thinner workload, each measurement once; only checks the harness runs.
    let quick = std::env::args().any(|a| a == "--quick");
    let reps = |n: usize| if quick { 1 } else { n };
    let scale = |n: i64| if quick { n / 25 } else { n };
    let mut rng = StdRng::seed_from_u64(2026);
    let tmp = tempfile::tempdir().unwrap();
    let start = Day::parse(folgesvenn_domain::Field::Start, "2023-11-01").unwrap();
    let mut rows: Vec<[String; 3]> = Vec::new();
    let mut row =
        |what: &str, value: String, goal: &str| rows.push([what.into(), value, goal.into()]);

    // A three-year placement: load from disk + hydrate both documents (+ the audit entry).
    let dir = tmp.path().join("three-years");
    let mut store = Store::create(
        &dir,
        Role::Adviser,
        "Kari Veileder",
        Unlock::Key(DbKey::generate()),
    )
    .unwrap();
    let built = Instant::now();
    let p = if quick {
        history(&mut store, &mut rng, start, 3, 25)
    } else {
        three_years(&mut store, &mut rng, start)
    };
    let build_time = built.elapsed();
    if let Some(n) = open_loop() {
        // `--open-loop N` (`cargo xtask profile`): open the placement in full N times, under
        // `perf record` when FOLGESVENN_PERF_DIR names where its data goes, and stop.
        let perf = perf::dir().map(|d| perf::Perf::attach(std::process::id(), &d, "open-in-full"));
        let perf = perf.transpose().unwrap();
        let mut took = open_in_full(&mut store, p, n);
        if let Some(p) = perf {
            p.stop().unwrap();
        }
        took.sort();
        if let Some(median) = took.get(n / 2) {
            eprintln!("opened {n} times in full, median {}", ms(*median));
        }
        return;
    }
    let open = median(open_in_full(&mut store, p, reps(30)));
    row(
        "Open a three-year placement in full: load both documents from disk + hydrate + the recorded conflicts + audit entry (median of 30)",
        ms(open),
        "≤ 30 ms",
    );
    let overview = time(reps(30), || store.overview(p, 100).unwrap());
    row(
        "Open a three-year placement's overview from the projection: facts, plan, newest 100 timeline entries, conflicts + audit entry (median of 30)",
        ms(overview),
        "≤ 20 ms",
    );
    // The candidate's right of access for the whole placement, and the case file's summary over
    // its three years: gathered from the store, the PDF drawn, the files written. The access
    // copy's PDF is the largest document the app makes.
    let out = tmp.path().join("exports");
    std::fs::create_dir_all(&out).unwrap();
    let mut pages = 0;
    let mut n = 0;
    let access = time(reps(5), || {
        let export = store.access_export(p).unwrap();
        let pdf = folgesvenn_export::access_report(&export, &mut |_, total| {
            pages = total;
            true
        })
        .unwrap();
        n += 1;
        let into = out.join(format!("access-{n}"));
        std::fs::create_dir_all(&into).unwrap();
        export
            .write_to(&into, &[("innsyn.pdf", &pdf)], &|| true)
            .unwrap()
    });
    let copy = std::fs::read_dir(out.join(format!("access-{n}")))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    row(
        &format!(
            "Right of access for a three-year placement: gather + {pages}-page PDF/A + JSON + automerge files ({} KiB) written (median of 5)",
            dir_size(&copy) / 1024
        ),
        ms(access),
        "a few seconds",
    );
    let three_years_end = start.plus_days(3 * 365);
    let summary = time(reps(5), || {
        let report = store.placement_summary(p, start, three_years_end).unwrap();
        folgesvenn_export::summary_report(&report, &mut |_, _| true).unwrap()
    });
    row(
        "Placement summary over the three years as PDF/A: gather + draw (median of 5)",
        ms(summary),
        "a few seconds",
    );
    let shared = store.document_id(p, DocKind::Shared).unwrap();
    // Where the full open's time goes: automerge load, autosurgeon hydrate; and the conflict walk
    // that merges run per touched record (the full open reads the conflicts the projection keeps).
    let bytes = store.document_bytes(shared).unwrap();
    let load = time(reps(10), || SharedDoc::load(&bytes).unwrap());
    let doc = SharedDoc::load(&bytes).unwrap();
    let hydrate = time(reps(10), || doc.hydrate().unwrap());
    let walk = time(reps(10), || doc.conflicts());
    row(
        "— of which: automerge load of the shared document, with head verification (median of 10)",
        ms(load),
        "—",
    );
    row(
        "— of which: autosurgeon hydrate of the whole shared document, each map read in one pass, on two threads (median of 10)",
        ms(hydrate),
        "—",
    );
    row(
        "Walking the whole shared document for conflicts, which a full open no longer does (median of 10)",
        ms(walk),
        "—",
    );
    set_day(&mut store, start.plus_days(3 * 365));
    let write = time(reps(50), || {
        store
            .log_observation(p, &observation(&mut rng, start.plus_days(3 * 365)))
            .unwrap()
    });
    row(
        "Write a daily observation: one transaction, fsync included (median of 50)",
        ms(write),
        "—",
    );
    let doc_kib = store.document_bytes(shared).unwrap().len() / 1024;
    drop(store);
    row(
        &format!(
            "Store size with that placement (1,550 records; the shared document alone is {doc_kib} KiB compressed)"
        ),
        format!("{} KiB", dir_size(&dir) / 1024),
        "—",
    );

    // Size per observation: 750 observations added to an employer device, measured after close.
    let dir2 = tmp.path().join("per-observation");
    let key2 = DbKey::generate();
    let mut employer =
        Store::create(&dir2, Role::Employer, "Per", Unlock::Key(key2.clone())).unwrap();
    let mut adviser = Store::create(
        &tmp.path().join("a2"),
        Role::Adviser,
        "Kari",
        Unlock::Key(DbKey::generate()),
    )
    .unwrap();
    set_day(&mut adviser, start);
    let p2 = adviser
        .create_placement(&placement(&mut rng, start))
        .unwrap();
    let d2 = adviser.document_id(p2, DocKind::Shared).unwrap();
    employer
        .import_document(d2, DocKind::Shared, &adviser.document_bytes(d2).unwrap())
        .unwrap();
    drop(employer);
    let before = dir_size(&dir2);
    let mut employer = Store::open(&dir2, Unlock::Key(key2)).unwrap();
    for i in 0..scale(750) {
        let day = start.plus_days(i * 365 * 3 / scale(750));
        set_day(&mut employer, day);
        employer
            .log_observation(p2, &observation(&mut rng, day))
            .unwrap();
    }
    drop(employer);
    let per = (dir_size(&dir2) - before) as f64 / scale(750) as f64;
    row(
        "Store growth per daily observation (750 logged on an employer device, after close)",
        format!("{:.2} KiB", per / 1024.0),
        "—",
    );

    // An adviser device with 500 placements, and one with 5,000: cold start to the list, and
    // search.
    for placements in [500, 5000] {
        let dir3 = tmp.path().join(format!("adviser-{placements}"));
        let key3 = DbKey::generate();
        let mut store = Store::create(
            &dir3,
            Role::Adviser,
            "Kari Veileder",
            Unlock::Key(key3.clone()),
        )
        .unwrap();
        let built = Instant::now();
        // The quick run (CI) only checks the harness: a handful of placements.
        for i in 0..(if quick { placements / 100 } else { placements }) {
            let s = start.plus_days(i % 700);
            set_day(&mut store, s.plus_days(20));
            let p = store.create_placement(&placement(&mut rng, s)).unwrap();
            for _ in 0..4 {
                store
                    .log_observation(p, &observation(&mut rng, s.plus_days(10)))
                    .unwrap();
            }
            store
                .record_visit(
                    p,
                    &visit(
                        &mut rng,
                        Moment::parse(
                            folgesvenn_domain::Field::At,
                            &format!("{}T09:00:00Z", s.plus_days(12)),
                        )
                        .unwrap(),
                    ),
                    Some("Eget notat"),
                )
                .unwrap();
            let body = NOTES.choose(&mut rng).unwrap().to_string();
            store
                .write_shared(p, |d, st| {
                    d.add_note(
                        &NewNote {
                            body,
                            reply_to: None,
                        },
                        st,
                    )
                })
                .unwrap();
        }
        drop(store);
        eprintln!(
            "(built {placements} placements through the API in {:.1} s)",
            built.elapsed().as_secs_f64()
        );
        let cold = time(reps(10), || {
            let mut s = Store::open(&dir3, Unlock::Key(key3.clone())).unwrap();
            s.list_placements().unwrap().len()
        });
        row(
            &format!(
                "Cold start of an adviser device with {placements} placements to its placement list: open + key check + list (median of 10)"
            ),
            ms(cold),
            "≤ 150 ms",
        );
        let mut store = Store::open(&dir3, Unlock::Key(key3)).unwrap();
        for q in ["turnus", "vernesko", "lønnstilskudd", "kas"] {
            let hits = store.search(q, 50).unwrap().len();
            let t = time(reps(30), || store.search(q, 50).unwrap());
            row(
                &format!(
                    "Search «{q}» over {placements} placements ({hits} hits, top 50, audit entries included; median of 30)"
                ),
                ms(t),
                "≤ 10 ms",
            );
        }
    }

    println!("| measurement | figure | goal |");
    println!("|---|---|---|");
    for r in &rows {
        println!("| {} | {} | {} |", r[0], r[1], r[2]);
    }
    eprintln!(
        "(built the three-year placement through the API in {:.1} s)",
        build_time.as_secs_f64()
    );
}
