//! What one sync does, decided from what the store holds, without the store or the network:
//! which relays it talks to and which documents go to each, which documents it joins there first
//! and how, how many queued records go in a request, and whether a snapshot goes with them. The
//! engine carries the plan out; the tests here check the decisions alone.

use folgesvenn_store::SyncDoc;
use uuid::Uuid;

/// How a document this device does not yet sync at its relay joins it there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Join {
    /// Taking an invitation: its id and one-time secret.
    Accept {
        doc_id: Uuid,
        invitation_id: Uuid,
        secret: [u8; 16],
    },
    /// A document this device made (the adviser's): the relay opens it.
    Create { doc_id: Uuid },
    /// The invitation kept for it cannot be read: the sync of this relay stops there.
    Unreadable { doc_id: Uuid },
}

impl Join {
    pub(crate) fn doc_id(&self) -> Uuid {
        match self {
            Join::Accept { doc_id, .. } | Join::Create { doc_id } | Join::Unreadable { doc_id } => {
                *doc_id
            }
        }
    }
}

/// One relay's part of a sync.
#[derive(Debug)]
pub(crate) struct RelayPlan<'a> {
    pub relay: &'a str,
    /// The documents synced through it, in the store's order.
    pub docs: Vec<&'a SyncDoc>,
    /// Joined before anything is pushed or pulled, in this order.
    pub join: Vec<Join>,
}

/// The relays of a sync, in the order their first document comes. Each document goes only to
/// the relay it was shared on or invited through, so one relay failing or lying holds up only
/// its own documents.
pub(crate) fn relays(docs: &[SyncDoc]) -> Vec<RelayPlan<'_>> {
    let mut plans: Vec<RelayPlan<'_>> = Vec::new();
    for d in docs {
        let at = match plans.iter().position(|p| p.relay == d.relay) {
            Some(at) => at,
            None => {
                plans.push(RelayPlan {
                    relay: &d.relay,
                    docs: Vec::new(),
                    join: Vec::new(),
                });
                plans.len() - 1
            }
        };
        let plan = &mut plans[at];
        plan.docs.push(d);
        if !d.joined {
            plan.join.push(join(d));
        }
    }
    plans
}

fn join(d: &SyncDoc) -> Join {
    match &d.invitation {
        Some(pending) => match crate::invitation::parse_pending(pending) {
            Some((invitation_id, secret)) => Join::Accept {
                doc_id: d.doc_id,
                invitation_id,
                secret,
            },
            None => Join::Unreadable { doc_id: d.doc_id },
        },
        None => Join::Create { doc_id: d.doc_id },
    }
}

/// What sealing adds to a record's payload, and more: the header, nonce, tag and signature. Each
/// record is charged this beside its payload, so many small records cannot outgrow a request.
pub(crate) const RECORD_OVERHEAD: usize = 256;

/// What one request may still carry, over all its documents. A record is admitted while it
/// fits, and the first of a request always, so a record larger than the budget is never stuck
/// behind it; as no record is larger than `MAX_RECORD`, a request stays within the relay's limit
/// however many documents it names.
#[derive(Debug)]
pub(crate) struct Budget {
    left: usize,
    empty: bool,
}

impl Budget {
    pub(crate) fn new(bytes: usize) -> Budget {
        Budget {
            left: bytes,
            empty: true,
        }
    }

    /// Takes a record of `size` payload bytes if it fits, or if the request holds nothing yet.
    pub(crate) fn admit(&mut self, size: usize) -> bool {
        let size = size.saturating_add(RECORD_OVERHEAD);
        if !self.empty && size > self.left {
            return false;
        }
        self.left = self.left.saturating_sub(size);
        self.empty = false;
        true
    }

    /// Gives back what admitted records took that stayed queued after all.
    pub(crate) fn give_back(&mut self, sizes: impl IntoIterator<Item = usize>) {
        for size in sizes {
            self.left += size.saturating_add(RECORD_OVERHEAD);
        }
    }
}

/// How many of a document's queued records (their sizes, oldest first) go in this request: as
/// many as the request's `budget` admits. `true` when some had to wait for the next request.
pub(crate) fn push_count(
    sizes: impl IntoIterator<Item = usize>,
    budget: &mut Budget,
) -> (usize, bool) {
    let mut count = 0;
    for size in sizes {
        if !budget.admit(size) {
            return (count, true);
        }
        count += 1;
    }
    (count, false)
}

/// What decides whether a document's snapshot goes with a request.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SnapshotFacts {
    /// The relay said the document is full until a snapshot comes.
    pub relay_full: bool,
    /// Records in or out since the last snapshot, and after how many one is due.
    pub records_since: u64,
    pub snapshot_after: u64,
    /// Only an adviser's device sends snapshots: the others take none from anyone else.
    pub adviser: bool,
    /// This device's records still queued for the document.
    pub queued: usize,
    /// The document's cursor at the relay.
    pub cursor: u64,
    /// Received records set aside.
    pub quarantined: usize,
    /// Some queued records wait for the next request.
    pub held_back: bool,
}

/// A snapshot claims to hold everything up to the cursor: sent only when one is due (or the
/// relay asks for it) and that claim is true — nothing of this device's unacknowledged, nothing
/// received set aside, and something received at all.
pub(crate) fn snapshot_due(f: SnapshotFacts) -> bool {
    let due = f.relay_full || f.records_since >= f.snapshot_after;
    due && f.adviser
        && (f.queued == 0 || f.relay_full)
        && f.cursor > 0
        && f.quarantined == 0
        && !f.held_back
}

/// A device with more documents than this at a relay asks what is new there first (`/v2/news`);
/// with this many or fewer, one request naming every document's cursor is about as small as the
/// question, and the sync stays one round trip.
pub(crate) const ASK_NEWS_FROM: usize = 16;

/// What decides whether a document takes part in a sync, after the relay said what is new.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Turn {
    /// The relay names it as holding something new, or cannot say.
    pub news: bool,
    /// Records queued to send.
    pub queued: bool,
    pub relay_full: bool,
    pub records_since: u64,
    pub snapshot_after: u64,
    /// This device is an adviser's (only advisers snapshot).
    pub adviser: bool,
}

/// A document syncs if there is something to fetch, something to send, or a snapshot may be due;
/// an idle document stays out of the request.
pub(crate) fn needs_turn(t: Turn) -> bool {
    t.news || t.queued || t.relay_full || (t.adviser && t.records_since >= t.snapshot_after)
}

#[cfg(test)]
mod tests {
    use super::*;
    use folgesvenn_store::DocKind;
    use zeroize::Zeroizing;

    fn doc(n: u128, relay: &str, joined: bool, invitation: Option<&str>) -> SyncDoc {
        SyncDoc {
            doc_id: Uuid::from_u128(n),
            placement_id: Uuid::from_u128(100 + n),
            kind: DocKind::Shared,
            doc_key: Zeroizing::new(vec![7; 32]),
            epoch: 1,
            relay: relay.into(),
            cursor: 0,
            joined,
            invitation: invitation.map(Into::into),
            anchor: None,
        }
    }

    #[test]
    fn each_document_goes_only_to_its_own_relay_in_first_seen_order() {
        let docs = [
            doc(1, "https://b.example", true, None),
            doc(2, "https://a.example", true, None),
            doc(3, "https://b.example", true, None),
        ];
        let plans = relays(&docs);
        let seen: Vec<(&str, Vec<u128>)> = plans
            .iter()
            .map(|p| (p.relay, p.docs.iter().map(|d| d.doc_id.as_u128()).collect()))
            .collect();
        assert_eq!(
            seen,
            [
                ("https://b.example", vec![1, 3]),
                ("https://a.example", vec![2])
            ]
        );
        assert!(plans.iter().all(|p| p.join.is_empty()), "all joined");
        assert!(relays(&[]).is_empty(), "nothing to sync, no relay asked");
    }

    #[test]
    fn unjoined_documents_are_accepted_by_invitation_or_created() {
        let id = Uuid::from_u128(9);
        let pending = crate::invitation::pending(id, &[5; 16]);
        let docs = [
            doc(1, "r", false, Some(&pending)),
            doc(2, "r", false, None),
            doc(3, "r", true, None),
            doc(4, "r", false, Some("not a pending invitation")),
        ];
        let plans = relays(&docs);
        assert_eq!(
            plans[0].join,
            [
                Join::Accept {
                    doc_id: Uuid::from_u128(1),
                    invitation_id: id,
                    secret: [5; 16]
                },
                Join::Create {
                    doc_id: Uuid::from_u128(2)
                },
                Join::Unreadable {
                    doc_id: Uuid::from_u128(4)
                },
            ]
        );
        assert_eq!(plans[0].docs.len(), 4, "the joined one is synced too");
    }

    /// What a request carries beside a record's payload (header, nonce, tag, signature, wire
    /// framing) fits the overhead each record is charged.
    #[test]
    fn the_charged_overhead_covers_a_sealed_record_on_the_wire() {
        use folgesvenn_protocol::record::{RecordHeader, SealedRecord};
        use folgesvenn_protocol::wire::{DocSync, SyncRequest, encode};
        use folgesvenn_protocol::{DeviceKey, DocKey, RecordKind};
        let header = RecordHeader {
            doc_id: Uuid::new_v4(),
            device_id: Uuid::new_v4(),
            device_seq: u64::MAX,
            kind: RecordKind::Snapshot,
            epoch: u32::MAX,
            covers_through: u64::MAX,
        };
        let request = |records: Vec<SealedRecord>| SyncRequest {
            docs: vec![DocSync {
                doc_id: header.doc_id,
                since: u64::MAX,
                records,
            }],
        };
        let payload = vec![7u8; 1000];
        let sealed = SealedRecord::seal(
            header.clone(),
            &payload,
            &DocKey::generate(),
            &DeviceKey::generate(),
        );
        let added = encode(&request(vec![sealed])).len() - encode(&request(vec![])).len();
        assert!(
            added <= payload.len() + RECORD_OVERHEAD,
            "{added} bytes for {} of payload",
            payload.len()
        );
    }

    #[test]
    fn pushes_fill_the_budget_and_always_take_the_first_record_of_a_request() {
        let o = RECORD_OVERHEAD;
        let mut budget = Budget::new(10 + 3 * o);
        assert_eq!(push_count([4, 4, 4], &mut budget), (2, true));
        // The next document of the same request gets what is left, and waits when its first
        // record does not fit: 256 documents' first records once made a request the relay
        // refused (413) on every sync.
        assert_eq!(push_count([50, 1], &mut budget), (0, true));
        assert_eq!(
            push_count([2], &mut budget),
            (1, false),
            "what still fits goes"
        );
        // A record larger than the whole budget goes first in a request of its own.
        let mut budget = Budget::new(10);
        assert_eq!(push_count([50, 1], &mut budget), (1, true));
        let mut budget = Budget::new(10 + 3 * o);
        assert_eq!(
            push_count([3, 3, 4], &mut budget),
            (3, false),
            "exactly fits"
        );
        assert_eq!(push_count(std::iter::empty(), &mut budget), (0, false));
        budget.give_back([4]);
        assert!(budget.admit(4), "given back, it fits again");
        assert!(!budget.admit(0), "and then nothing does");
    }

    fn facts() -> SnapshotFacts {
        SnapshotFacts {
            relay_full: false,
            records_since: 300,
            snapshot_after: 300,
            adviser: true,
            queued: 0,
            cursor: 12,
            quarantined: 0,
            held_back: false,
        }
    }

    #[test]
    fn a_snapshot_goes_only_when_due_and_its_claim_is_true() {
        assert!(snapshot_due(facts()));
        let not = |f: SnapshotFacts| assert!(!snapshot_due(f), "{f:?}");
        not(SnapshotFacts {
            records_since: 299,
            ..facts()
        });
        not(SnapshotFacts {
            adviser: false,
            ..facts()
        });
        not(SnapshotFacts {
            queued: 1,
            ..facts()
        });
        not(SnapshotFacts {
            cursor: 0,
            ..facts()
        });
        not(SnapshotFacts {
            quarantined: 1,
            ..facts()
        });
        not(SnapshotFacts {
            held_back: true,
            ..facts()
        });
        // The relay asks: due whatever the count, and sent with own records still queued.
        assert!(snapshot_due(SnapshotFacts {
            relay_full: true,
            records_since: 0,
            queued: 3,
            ..facts()
        }));
        not(SnapshotFacts {
            relay_full: true,
            adviser: false,
            ..facts()
        });
    }

    #[test]
    fn an_idle_document_stays_out_of_the_sync() {
        let idle = Turn {
            news: false,
            queued: false,
            relay_full: false,
            records_since: 3,
            snapshot_after: 200,
            adviser: true,
        };
        assert!(!needs_turn(idle));
        assert!(needs_turn(Turn { news: true, ..idle }));
        assert!(needs_turn(Turn {
            queued: true,
            ..idle
        }));
        assert!(needs_turn(Turn {
            relay_full: true,
            ..idle
        }));
        assert!(
            needs_turn(Turn {
                records_since: 200,
                ..idle
            }),
            "a snapshot may be due"
        );
        assert!(
            !needs_turn(Turn {
                records_since: 200,
                adviser: false,
                ..idle
            }),
            "an employer's device never snapshots"
        );
    }
}
