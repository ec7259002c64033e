//! Writes the fuzz targets' starting points (README.md, "Seeds and fixtures"):
//!
//! - `seeds/base_shared_doc.automerge`: the document `apply_changes` applies input to. Kept when
//!   it exists (its change hashes are what the seeds build on); `--new-base` makes a new one.
//! - `seeds/<target>/`: valid messages, documents and change batches, rewritten every time.
//! - `fixtures/<target>/`: the hand-made regression inputs (truncated and damaged messages),
//!   written only when missing: a fixture, once checked in, never changes.
//!
//! Run: `cargo +nightly run --manifest-path fuzz/Cargo.toml --example make_seeds [-- --new-base]`.

use std::fs;
use std::path::{Path, PathBuf};

use folgesvenn_domain::automerge::ActorId;
use folgesvenn_domain::*;
use folgesvenn_fuzz::{DEVICE_ID, DOC_ID, NOW_MS, SYNC_PATH, device_key, doc_key, join_request};
use folgesvenn_protocol::auth;
use folgesvenn_protocol::record::{RecordHeader, RecordKind, SealedRecord};
use folgesvenn_protocol::wire::*;
use uuid::Uuid;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_owned()
}

fn write(rel: &str, bytes: &[u8]) {
    let p = dir().join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(&p, bytes).unwrap();
    println!("wrote {rel} ({} bytes)", bytes.len());
}

fn fixture(rel: &str, bytes: &[u8]) {
    if dir().join(rel).exists() {
        println!("kept {rel}");
    } else {
        write(rel, bytes);
    }
}

fn pack(framed: &[u8]) -> Vec<u8> {
    folgesvenn_domain::changes::compress(framed)
}

fn stamp(role: Role, at: &str) -> Stamp {
    let at = Moment::parse(folgesvenn_domain::Field::At, at).unwrap();
    Stamp {
        role,
        name: match role {
            Role::Adviser => "Kari Veileder".into(),
            Role::Employer => "Per Butikksjef".into(),
        },
        at,
        today: at.day(),
    }
}

fn day(s: &str) -> Day {
    Day::parse(folgesvenn_domain::Field::Date, s).unwrap()
}

/// A placement with a visit (and its agreed action), a goal, a day's log, a note and a contact
/// request: every kind of collection the received changes may touch.
fn new_base() -> SharedDoc {
    let adviser = stamp(Role::Adviser, "2026-11-27T09:00:00Z");
    let employer = stamp(Role::Employer, "2026-11-27T15:00:00Z");
    let placement = NewPlacement {
        candidate_name: "Ola Nordmann".into(),
        employer: Employer {
            org_number: "889640782".into(),
            name: "Rema 1000 Sentrum".into(),
            workplace_address: "Storgata 12, 8006 Bodø".into(),
        },
        adviser_name: "Kari Veileder".into(),
        measure: MeasureType::WorkTraining,
        start_date: day("2026-11-02"),
        end_date: Some(day("2027-05-02")),
        hours_per_week: 20.0,
    };
    let actor = ActorId::from([0xad; 16].as_slice());
    let mut doc =
        SharedDoc::create(Uuid::from_u128(0x91ace), &placement, &adviser, Some(actor)).unwrap();
    doc.record_visit(
        &NewVisit {
            at: adviser.at,
            place: "Lageret".into(),
            kind: VisitKind::OnSite,
            attendees: vec!["Ola".into(), "Per".into()],
            summary: "Ola har lært varemottak og trives.".into(),
            check_in: CheckIn {
                attendance_since_last: "Full".into(),
                task_progress: "Varemottak på egen hånd".into(),
                employer_rating: Some(4),
                candidate_rating: Some(5),
            },
            actions: vec![NewAction {
                what: "Prøve kassa en dag i uka".into(),
                owner: ActionOwner::Employer,
                due: Some(day("2026-12-15")),
            }],
            next_visit: Some(day("2026-12-11")),
        },
        &adviser,
    )
    .unwrap();
    doc.add_goal(
        &NewGoal {
            category: GoalCategory::JobAtEmployer,
            description: "Fast deltidsstilling i butikken".into(),
        },
        &adviser,
    )
    .unwrap();
    doc.log_observation(
        &NewObservation {
            date: day("2026-11-27"),
            attendance: Attendance::Present,
            hours: 6.0,
            tasks_done: "Fylte på meieri og frukt".into(),
            went_well: "Jobbet selvstendig hele formiddagen".into(),
            problem: String::new(),
            wants_contact: false,
            contact_message: String::new(),
        },
        &employer,
    )
    .unwrap();
    doc.add_note(
        &NewNote {
            body: "Husk vernesko til neste uke.".into(),
            reply_to: None,
        },
        &employer,
    )
    .unwrap();
    doc.raise_contact_request("Kan vi ta en prat om arbeidstiden?", &employer)
        .unwrap();
    doc
}

fn base(new: bool) -> SharedDoc {
    let path = dir().join("seeds/base_shared_doc.automerge");
    match fs::read(&path) {
        Ok(bytes) if !new && !bytes.is_empty() => {
            println!("kept seeds/base_shared_doc.automerge");
            SharedDoc::load(&bytes).unwrap()
        }
        _ => {
            let mut doc = new_base();
            write(
                "seeds/base_shared_doc.automerge",
                &doc.automerge_mut().save(),
            );
            doc
        }
    }
}

fn apply_changes_inputs(base: &mut SharedDoc) -> Vec<u8> {
    let employer = stamp(Role::Employer, "2026-11-28T14:00:00Z");
    let adviser = stamp(Role::Adviser, "2026-11-28T09:00:00Z");
    let heads = base.heads();

    // Edits on another device: a note edited, an action done, a day logged with a contact request.
    let mut a = base.fork();
    let note = a.record_ids("notes").unwrap()[0];
    let action = a.record_ids("actions").unwrap()[0];
    a.edit_note(note, "Husk vernesko og hansker til neste uke.", &employer)
        .unwrap();
    a.set_action_status(action, ActionStatus::Done, &employer)
        .unwrap();
    a.log_observation(
        &NewObservation {
            date: day("2026-11-28"),
            attendance: Attendance::Late,
            hours: 4.5,
            tasks_done: "Kassa".into(),
            went_well: String::new(),
            problem: "Kom en time for sent".into(),
            wants_contact: true,
            contact_message: String::new(),
        },
        &employer,
    )
    .unwrap();
    let edits = a.changes_since(&heads);
    write("seeds/apply_changes/edits.fsc", &edits);
    let packed = pack(&edits);
    write("seeds/apply_changes/edits.fsz", &packed);
    // The form inside the compression, for the fuzzer to change directly.
    let packed_form = folgesvenn_domain::changes::pack(&edits);
    write("seeds/apply_changes/edits.fsc2", &packed_form);
    write(
        "seeds/apply_changes/fork_snapshot.automerge",
        &a.automerge_mut().save(),
    );

    // The same action changed at the same time on a third device: a conflict once both arrive.
    let mut b = base.fork();
    b.set_action_status(action, ActionStatus::Cancelled, &adviser)
        .unwrap();
    let mut both = edits.clone();
    both.extend_from_slice(&b.changes_since(&heads)[4..]);
    write("seeds/apply_changes/concurrent.fsc", &both);

    // Everything the base already has (applied again, nothing changes) and the base itself.
    write(
        "seeds/apply_changes/duplicate.fsc",
        &base.changes_since(&[]),
    );
    write(
        "seeds/apply_changes/base_snapshot.automerge",
        &base.automerge_mut().save(),
    );

    // Another placement's whole history: no missing dependencies, but a second root.
    let mut other = new_base();
    write("seeds/apply_changes/foreign.fsc", &other.changes_since(&[]));

    // Hand-made regressions: a batch cut short, a batch whose dependencies are missing, a
    // snapshot cut short (the strict load refuses it; the client's lenient one may not).
    fixture(
        "fixtures/apply_changes/truncated_changes.fsc",
        &edits[..edits.len() - 1],
    );
    fixture(
        "fixtures/apply_changes/truncated_packed.fsc2",
        &packed_form[..packed_form.len() / 2],
    );
    fixture(
        "fixtures/apply_changes/truncated_deflate.fsz",
        &packed[..packed.len() / 2],
    );
    let all = folgesvenn_domain::changes::decode(&edits).unwrap();
    fixture(
        "fixtures/apply_changes/missing_deps.fsc",
        &folgesvenn_domain::changes::encode(all.last()),
    );
    let snap = a.automerge_mut().save();
    fixture(
        "fixtures/apply_changes/truncated_snapshot.automerge",
        &snap[..snap.len() - 10],
    );
    edits
}

fn seal(seq: u64, kind: RecordKind, plaintext: &[u8]) -> SealedRecord {
    SealedRecord::seal(
        RecordHeader {
            doc_id: DOC_ID,
            device_id: DEVICE_ID,
            device_seq: seq,
            kind,
            epoch: 1,
            covers_through: if kind == RecordKind::Snapshot { 2 } else { 0 },
        },
        plaintext,
        &doc_key(),
        &device_key(),
    )
}

fn protocol_inputs(changes: &[u8], snapshot: &[u8]) {
    let key = device_key();
    let rec = seal(1, RecordKind::Changes, &pack(changes));
    let snap = seal(2, RecordKind::Snapshot, snapshot);

    // What the relay receives.
    let sync = encode(&SyncRequest {
        docs: vec![
            DocSync {
                doc_id: DOC_ID,
                since: 0,
                records: vec![rec.clone(), snap.clone()],
            },
            DocSync {
                doc_id: Uuid::from_u128(2),
                since: 7,
                records: vec![],
            },
        ],
    });
    let register = encode(&RegisterDevice {
        device_id: DEVICE_ID,
        public_key: key.public(),
    });
    let bodies: [(&str, Vec<u8>); 8] = [
        ("register", register.clone()),
        ("create_doc", encode(&CreateDoc { doc_id: DOC_ID })),
        (
            "set_end_date",
            encode(&SetEndDate {
                doc_id: DOC_ID,
                end_day: Some(20_575),
            }),
        ),
        (
            "create_invitation",
            encode(&CreateInvitation {
                doc_id: DOC_ID,
                invitation_id: Uuid::from_u128(3),
                secret_hash: [0x33; 32],
                role: MemberRole::Employer,
                expires_at_ms: NOW_MS + 86_400_000,
                bundle: Some(SealedBundle {
                    lookup: [0x44; 32],
                    sealed: vec![0x55; 90],
                }),
            }),
        ),
        (
            "accept_invitation",
            encode(&AcceptInvitation {
                invitation_id: Uuid::from_u128(3),
                secret: [0x66; 16],
            }),
        ),
        ("fetch_bundle", encode(&FetchBundle { lookup: [0x44; 32] })),
        (
            "remove_member",
            encode(&RemoveMember {
                doc_id: DOC_ID,
                device_id: Uuid::from_u128(4),
            }),
        ),
        ("sync", sync.clone()),
    ];
    for (name, body) in &bodies {
        write(&format!("seeds/relay_request/{name}.bin"), body);
    }
    for (name, body) in [("signed_sync", &sync), ("signed_register", &register)] {
        let h = auth::sign(DEVICE_ID, &key, "POST", SYNC_PATH, body, NOW_MS);
        write(
            &format!("seeds/relay_request/{name}.req"),
            &join_request(&h, body),
        );
    }
    fixture(
        "fixtures/relay_request/truncated_sync.bin",
        &sync[..sync.len() - 1],
    );
    let h = auth::sign(DEVICE_ID, &key, "POST", SYNC_PATH, &sync, NOW_MS);
    let mut req = join_request(&h, &sync);
    req.truncate(req.len() - 1);
    fixture("fixtures/relay_request/truncated_signed_sync.req", &req);

    // What a device receives.
    write("seeds/record_open/changes_record.bin", &encode(&rec));
    write("seeds/record_open/snapshot_record.bin", &encode(&snap));
    write(
        "seeds/record_open/sync_response.bin",
        &encode(&SyncResponse {
            docs: vec![DocResult {
                doc_id: DOC_ID,
                status: DocStatus::Ok,
                acked: vec![1, 2],
                rejected: vec![(3, "the record's signature does not verify".into())],
                records: vec![
                    StoredRecord {
                        server_seq: 5,
                        sender_key: key.public(),
                        record: rec.clone(),
                    },
                    StoredRecord {
                        server_seq: 6,
                        sender_key: key.public(),
                        record: snap.clone(),
                    },
                ],
                cursor: 6,
                more: false,
            }],
        }),
    );
    write(
        "seeds/record_open/error_body.bin",
        &encode(&ErrorBody {
            kind: "not_member".into(),
            message: "this device may not do that for this document".into(),
        }),
    );
    write(
        "seeds/record_open/accepted.bin",
        &encode(&Accepted {
            doc_id: DOC_ID,
            role: MemberRole::Employer,
        }),
    );
    let rec_bytes = encode(&rec);
    fixture(
        "fixtures/record_open/truncated_record.bin",
        &rec_bytes[..rec_bytes.len() - 1],
    );
    let mut flipped = rec.clone();
    flipped.ciphertext[0] ^= 1;
    fixture(
        "fixtures/record_open/flipped_ciphertext.bin",
        &encode(&flipped),
    );
    let mut short = rec;
    short.ciphertext.truncate(3);
    fixture("fixtures/record_open/short_ciphertext.bin", &encode(&short));
}

fn main() {
    let new = std::env::args().any(|a| a == "--new-base");
    // First, and from a document of its own: these seeds do not depend on the kept base.
    sync_answer_inputs(&new_base().automerge_mut().save());
    let mut base = base(new);
    let changes = apply_changes_inputs(&mut base);
    let snapshot = base.automerge_mut().save();
    protocol_inputs(&changes, &snapshot);
}

/// Answers to the `sync_answer` target's fixed request (one document, since 10, this device's
/// records 1 and 2): an honest one with another device's snapshot served first, and lies.
fn sync_answer_inputs(snapshot: &[u8]) {
    let other = Uuid::from_u128(0x0f01_6e5b_0000_4000_8000_0000_0000_0002);
    let key = device_key();
    let seal = |seq, kind, covers, plain: &[u8]| StoredRecord {
        server_seq: seq,
        sender_key: key.public(),
        record: SealedRecord::seal(
            RecordHeader {
                doc_id: DOC_ID,
                device_id: other,
                device_seq: seq,
                kind,
                epoch: 1,
                covers_through: covers,
            },
            plain,
            &doc_key(),
            &key,
        ),
    };
    let packed = folgesvenn_protocol::roster::pack_snapshot(&[], snapshot);
    let honest = SyncResponse {
        docs: vec![DocResult {
            doc_id: DOC_ID,
            status: DocStatus::Ok,
            acked: vec![1],
            rejected: vec![(2, "the record's signature does not verify".into())],
            records: vec![
                seal(30, RecordKind::Snapshot, 20, &packed),
                seal(21, RecordKind::Changes, 0, &folgesvenn_domain::changes::compress(b"")),
            ],
            cursor: 23,
            more: false,
        }],
    };
    write("seeds/sync_answer/honest.bin", &encode(&honest));
    let mut far = honest.clone();
    far.docs[0].cursor = 1 << 40;
    write("seeds/sync_answer/cursor_far_ahead.bin", &encode(&far));
    let mut more = honest;
    more.docs[0].records.clear();
    more.docs[0].more = true;
    write("seeds/sync_answer/more_forever.bin", &encode(&more));
}
