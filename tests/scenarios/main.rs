//! Cross-crate scenarios, compiled into one test binary (as ripgrep does) so they share helpers
//! and one build. Each module is a promise to users:
//!
//! - `crash`: a record the store confirmed survives the process being killed at any moment.
//! - `at_rest`: nothing a person wrote can be read from the files on disk without the key.
//! - `merge`: two devices that edited the same placement apart end with identical documents and
//!   identical projections, for any sequence of edits.
//! - `keystore`: the database key lives in a real Secret Service, never on disk.
//! - `slow`: a relay that takes 20 s to answer holds up no other command of the app.
//! - `sync`: an adviser and an employer pair on site, work offline, and converge through a real
//!   relay, which never holds a readable word; the employer never holds the adviser's own notes;
//!   a third device catches up from a snapshot.
//! - `device_pairing`: one code brings every placement to the adviser's new device, never to an
//!   employer's; cut short it goes on, and what someone else took with it is named missing.
//! - `faults`: seeded schedules of lost, duplicated, reordered and delayed messages and partitions
//!   over three devices all converge, with nothing lost and nothing applied twice.
//! - `trust`: a device writes only what the role its invitation fixed may write; every other
//!   member quarantines the rest, names the sender, and audit-logs the real author.
//! - `hostile`: a relay that lies in its answers delays a device but never makes it lose a queued
//!   change, apply what it cannot trust, or say "synced".
//! - `scale`: devices syncing through two relay processes on one PostgreSQL converge, hear each
//!   other live across the processes, and a removal through one holds at the other at once.
//! - `lifecycle`: ending a placement ends the employer's access 12 weeks later, at the relay and
//!   on the employer's devices, and nowhere else; reopening before then gives it back.

mod at_rest;
mod common;
mod crash;
mod device_pairing;
mod faults;
mod hostile;
mod keystore;
mod lifecycle;
mod merge;
mod scale;
mod slow;
mod sync;
mod trust;
