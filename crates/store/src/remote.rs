//! Applying what other devices wrote: merging their changes into a document, then saving the
//! change, the projection rows, the audit entries (naming each real author) and the sync cursor
//! in one transaction.

use folgesvenn_domain::rights::Authored;
use folgesvenn_domain::{DocError, Role, Touched};
use uuid::Uuid;

use crate::audit::AuditAction;
use crate::document::{self, Doc};
use crate::store::{Author, audit_each};
use crate::sync_rows;
use crate::views::Applied;
use crate::{Store, StoreError};

/// What merging into a document in memory did: the records touched, who wrote them, and the
/// new changes as received when the merge knows them.
struct Merge {
    touched: Touched,
    authors: Vec<Author>,
    changes: Option<Vec<u8>>,
}

impl Store {
    /// Applies changes received from another device to a document, and updates the projection,
    /// in one transaction. Bytes already applied change nothing. Trusts the bytes' authors: for
    /// store-to-store merges in tests and tools; what arrives through the relay goes through
    /// [`Store::apply_received`], which checks each author's rights.
    pub fn apply_remote(&mut self, doc_id: Uuid, bytes: &[u8]) -> Result<Applied, StoreError> {
        let me = self.me.clone();
        self.merge(doc_id, None, |doc| {
            Ok(Merge {
                touched: doc.apply_changes(bytes)?,
                authors: vec![me],
                changes: None,
            })
        })
    }

    /// Applies records received through the relay and records `cursor` as the document's sync
    /// position, in one transaction, so a crash can neither skip nor half-apply a received record.
    /// Every new change is checked against its author's role first (`folgesvenn_domain::rights`;
    /// `author` gives a device's role and person for this document, `None` for no member): a
    /// change its author may not write refuses the whole call with [`DocError::Forbidden`] and
    /// nothing is written. The audit log names the real author of each write.
    pub fn apply_received(
        &mut self,
        doc_id: Uuid,
        parts: &[Authored<'_>],
        cursor: u64,
        author: &dyn Fn(Uuid) -> Option<(Role, String)>,
    ) -> Result<Applied, StoreError> {
        let role_of = |d: Uuid| author(d).map(|(r, _)| r);
        self.merge(doc_id, Some(cursor), |doc| {
            let merged = doc.apply_authored(parts, &role_of)?;
            let authors = merged
                .authors
                .into_iter()
                .map(|device| {
                    // The rights check refused every change of a device that is no member.
                    let (role, name) =
                        author(device).unwrap_or((Role::Adviser, "ukjent".to_owned()));
                    Author { device, name, role }
                })
                .collect();
            Ok(Merge {
                touched: merged.touched,
                authors,
                changes: Some(merged.changes),
            })
        })
    }

    /// The one path both take: `apply` merges into the document in memory and names the authors;
    /// on any error nothing is written and the document is dropped, to be reloaded from disk.
    fn merge(
        &mut self,
        doc_id: Uuid,
        cursor: Option<u64>,
        apply: impl FnOnce(&mut Doc) -> Result<Merge, DocError>,
    ) -> Result<Applied, StoreError> {
        self.ensure_loaded(doc_id)?;
        let result = self.merge_loaded(doc_id, cursor, apply);
        if result.is_err() {
            self.docs.remove(&doc_id);
        }
        result
    }

    fn merge_loaded(
        &mut self,
        doc_id: Uuid,
        cursor: Option<u64>,
        apply: impl FnOnce(&mut Doc) -> Result<Merge, DocError>,
    ) -> Result<Applied, StoreError> {
        let at = self.stamp().at;
        let loaded = self
            .docs
            .get_mut(&doc_id)
            .ok_or(StoreError::UnknownDocument(doc_id))?;
        // The received bytes are what the disk lacks only if it had everything before.
        let in_step = loaded.doc.am().get_heads() == loaded.persisted;
        let Merge {
            touched,
            authors,
            changes,
        } = apply(&mut loaded.doc)?;
        let changes = changes.filter(|_| in_step);
        let changed = touched.records.len() + usize::from(touched.placement);
        let placement = loaded.placement;
        let tx = self.conn.savepoint()?;
        if let Some(c) = cursor {
            sync_rows::set_cursor(&tx, doc_id, c)?;
        }
        if loaded.doc.am().get_heads() == loaded.persisted {
            tx.commit()?;
            return Ok(Applied::default());
        }
        let origin = document::Origin::Remote(changes.as_deref());
        document::persist(&tx, doc_id, loaded, origin, at, self.compact_after)?;
        loaded.doc.project(&tx, placement, &touched)?;
        let record = format!("sync/{changed}");
        let entries = authors
            .iter()
            .map(|who| (who, Some(placement), record.as_str()));
        audit_each(&tx, AuditAction::Write, at, entries)?;
        tx.commit()?;
        loaded.persisted = loaded.doc.am().get_heads();
        Ok(Applied {
            records_changed: changed,
        })
    }
}
