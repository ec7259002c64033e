//! Which records one operation touched, and the collection names of both documents that a
//! `Touched` names. Below the documents, the rights check and the merge code, which all use it.

use uuid::Uuid;

/// The record collections of the adviser-private document.
pub(crate) const PRIVATE_COLLECTIONS: &[&str] = &["notes", "consents"];

/// The record collections of the shared document.
pub(crate) const SHARED_COLLECTIONS: &[&str] = &[
    "goals",
    "training_plan",
    "adaptations",
    "contact_persons",
    "visits",
    "observations",
    "contact_requests",
    "actions",
    "notes",
];

/// The collection names of both documents, as `&'static str` for `Touched`.
pub(crate) fn collection_name(name: &str) -> Option<&'static str> {
    SHARED_COLLECTIONS
        .iter()
        .chain(PRIVATE_COLLECTIONS)
        .find(|c| **c == name)
        .copied()
}

/// Which records one operation touched, so the store can update exactly those projection rows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Touched {
    pub placement: bool,
    pub records: Vec<(&'static str, Uuid)>,
}

impl Touched {
    /// Both sets of records, each once.
    pub fn union(mut self, other: Touched) -> Touched {
        self.placement |= other.placement;
        for r in other.records {
            if !self.records.contains(&r) {
                self.records.push(r);
            }
        }
        self
    }

    pub(crate) fn record(coll: &'static str, id: Uuid) -> Touched {
        Touched {
            placement: false,
            records: vec![(coll, id)],
        }
    }
}
