//! A store's documents in memory and for sync: finding a placement's documents, loading them
//! from snapshot plus changes, and handing their bytes, heads and changes to the sync engine.

use folgesvenn_domain::DocError;
use folgesvenn_domain::Role;
use folgesvenn_domain::automerge::{
    ActorId, AutoCommit, ChangeHash, LoadOptions, OnPartialLoad, VerificationMode,
};
use rusqlite::{OptionalExtension, params};
use uuid::Uuid;

use crate::audit::AuditAction;
use crate::document::{self, Doc, DocKind, Loaded};
use crate::store::audit;
use crate::views::DocInfo;
use crate::{Store, StoreError};
use crate::{projection, rows};

/// A load that finds at least this many changes after the snapshot compacts the document.
const COMPACT_ON_LOAD: usize = 32;

/// Documents kept in memory between reads. Beyond it the least recently used go, as long as
/// everything they hold is on disk: a device that syncs or joins hundreds of placements does not
/// keep every one of them (a new device of an adviser's with 500 placements held 1,000).
pub(crate) const MAX_LOADED: usize = 64;

impl Store {
    pub(crate) fn doc_id(&self, placement: Uuid, kind: DocKind) -> Result<Uuid, StoreError> {
        self.conn
            .query_row(
                "SELECT id FROM documents WHERE placement_id = ?1 AND kind = ?2",
                params![placement.to_string(), kind.code()],
                |r| rows::id(r, 0),
            )
            .optional()?
            .ok_or(StoreError::UnknownPlacement(placement))
    }

    pub(crate) fn placement_of(&self, doc_id: Uuid) -> Result<Uuid, StoreError> {
        self.conn
            .query_row(
                "SELECT placement_id FROM documents WHERE id = ?1",
                [doc_id.to_string()],
                |r| rows::id(r, 0),
            )
            .optional()?
            .ok_or(StoreError::UnknownDocument(doc_id))
    }

    /// Loads a document into memory from its snapshot and the changes after it.
    pub(crate) fn ensure_loaded(&mut self, doc_id: Uuid) -> Result<(), StoreError> {
        self.ensure_all_loaded(&[doc_id])
    }

    /// Loads the documents not in memory yet, each from its snapshot and the changes after it.
    /// Their bytes are read here, and automerge loads them side by side, each on a thread of its
    /// own (a placement's private document while its shared one loads).
    pub(crate) fn ensure_all_loaded(&mut self, doc_ids: &[Uuid]) -> Result<(), StoreError> {
        let mut saved = Vec::with_capacity(doc_ids.len());
        for &doc_id in doc_ids {
            if self.docs.contains_key(&doc_id) {
                self.touch(doc_id);
            } else {
                saved.push(self.read_saved(doc_id)?);
            }
        }
        let actor = self.actor();
        let loaded: Vec<Result<Doc, StoreError>> = match saved.as_slice() {
            [] => Vec::new(),
            [one] => vec![one.load(actor)],
            [first, rest @ ..] => std::thread::scope(|s| {
                let others: Vec<_> = rest
                    .iter()
                    .map(|saved| {
                        let actor = actor.clone();
                        s.spawn(move || saved.load(actor))
                    })
                    .collect();
                let mut all = vec![first.load(actor)];
                for other in others {
                    // A panic there (automerge on a malformed document) is one here.
                    all.push(
                        other
                            .join()
                            .unwrap_or_else(|p| std::panic::resume_unwind(p)),
                    );
                }
                all
            }),
        };
        for (saved, doc) in saved.into_iter().zip(loaded) {
            let mut loaded = Loaded::saved(doc?, saved.placement);
            loaded.changes_since_snapshot = saved.changes;
            self.keep_loaded(saved.doc_id, loaded);
            if saved.changes >= COMPACT_ON_LOAD {
                // Every load pays for applying the loose changes one by one (a fifth of opening
                // a three-year placement in full, whose private document is rarely written 256
                // times): the first load that finds many writes the snapshot once. The load has
                // succeeded either way; a snapshot not written now is written by a later write.
                let _ = self.compact(saved.doc_id);
            }
        }
        Ok(())
    }

    /// A document's snapshot followed by the changes written after it: itself a valid automerge
    /// file, loaded in one pass.
    fn read_saved(&self, doc_id: Uuid) -> Result<Saved, StoreError> {
        let row: Option<(Uuid, String, Vec<u8>)> = self
            .conn
            .query_row(
                "SELECT placement_id, kind, snapshot FROM documents WHERE id = ?1",
                [doc_id.to_string()],
                |r| Ok((rows::id(r, 0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((placement, kind, mut bytes)) = row else {
            return Err(StoreError::UnknownDocument(doc_id));
        };
        let kind = DocKind::from_code(&kind).ok_or(StoreError::UnknownDocument(doc_id))?;
        let mut stmt = self
            .conn
            .prepare_cached("SELECT bytes FROM doc_changes WHERE doc_id = ?1 ORDER BY seq")?;
        let mut rows = stmt.query([doc_id.to_string()])?;
        let mut changes = 0;
        while let Some(r) = rows.next()? {
            bytes.extend_from_slice(r.get_ref(0)?.as_blob().map_err(rusqlite::Error::from)?);
            changes += 1;
        }
        Ok(Saved {
            doc_id,
            placement,
            kind,
            bytes,
            changes,
        })
    }

    /// The document in memory, loaded first if it is not.
    pub(crate) fn loaded(&mut self, doc_id: Uuid) -> Result<&mut Loaded, StoreError> {
        self.ensure_loaded(doc_id)?;
        self.docs
            .get_mut(&doc_id)
            .ok_or(StoreError::UnknownDocument(doc_id))
    }

    pub fn documents(&self) -> Result<Vec<DocInfo>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, placement_id, kind FROM documents ORDER BY placement_id, kind")?;
        let rows = stmt.query_map([], |r| {
            Ok((rows::id(r, 0)?, rows::id(r, 1)?, r.get::<_, String>(2)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, placement_id, kind) = row?;
            let kind = DocKind::from_code(&kind).ok_or(StoreError::UnknownDocument(id))?;
            out.push(DocInfo {
                id,
                placement_id,
                kind,
            });
        }
        Ok(out)
    }

    /// The ids of a collection's records as the document holds them (not the projection): for
    /// checking what survived a crash without hydrating every record.
    pub fn record_ids(
        &mut self,
        placement: Uuid,
        kind: DocKind,
        collection: &str,
    ) -> Result<Vec<Uuid>, StoreError> {
        let doc_id = self.doc_id(placement, kind)?;
        Ok(self.loaded(doc_id)?.doc.record_ids(collection)?)
    }

    pub fn document_id(&self, placement: Uuid, kind: DocKind) -> Result<Uuid, StoreError> {
        self.doc_id(placement, kind)
    }

    pub fn heads(&mut self, doc_id: Uuid) -> Result<Vec<ChangeHash>, StoreError> {
        Ok(self.loaded(doc_id)?.doc.am().get_heads())
    }

    /// The whole document, saved compactly.
    pub fn document_bytes(&mut self, doc_id: Uuid) -> Result<Vec<u8>, StoreError> {
        Ok(self.loaded(doc_id)?.doc.am().save())
    }

    /// The changes of a document that `heads` does not yet include, framed for another device.
    pub fn changes_since(
        &mut self,
        doc_id: Uuid,
        heads: &[ChangeHash],
    ) -> Result<Vec<u8>, StoreError> {
        Ok(self.loaded(doc_id)?.doc.changes_since(heads))
    }

    /// Takes in a document another device created (the employer joining a placement, the adviser's
    /// second device). An employer device refuses private documents.
    pub fn import_document(
        &mut self,
        doc_id: Uuid,
        kind: DocKind,
        bytes: &[u8],
    ) -> Result<Uuid, StoreError> {
        self.import_prepared(Prepared::of(doc_id, Doc::load(kind, bytes)?)?)
    }

    /// Takes in a document [`Prepared`] from one built in memory.
    pub fn import_prepared(&mut self, prepared: Prepared) -> Result<Uuid, StoreError> {
        let Prepared {
            doc_id,
            mut doc,
            placement,
            snapshot,
            rows,
        } = prepared;
        let kind = doc.kind();
        if kind == DocKind::Private && self.me.role != Role::Adviser {
            return Err(StoreError::NotForThisRole);
        }
        let stamp = self.stamp();
        doc.am().set_actor(self.actor());
        let tx = self.conn.savepoint()?;
        document::insert_document(&tx, doc_id, placement, kind, &snapshot, stamp.at)?;
        doc.write_rows(&tx, rows)?;
        audit(
            &tx,
            &self.me,
            AuditAction::Write,
            Some(placement),
            &format!("import/{}", kind.code()),
            stamp.at,
        )?;
        tx.commit()?;
        self.keep_loaded(doc_id, Loaded::saved(doc, placement));
        Ok(placement)
    }

    /// Marks a document in memory as just asked for.
    fn touch(&mut self, doc_id: Uuid) {
        self.asked += 1;
        if let Some(l) = self.docs.get_mut(&doc_id) {
            l.used = self.asked;
        }
    }

    /// Keeps a document that has just come into memory, and lets the least recently used go
    /// beyond [`MAX_LOADED`]. Only a document whose heads are on disk goes (one holding changes a
    /// failed write left in memory stays), and never the one just kept or the one asked for
    /// before it: a read of a placement asks for both its documents, then uses both.
    pub(crate) fn keep_loaded(&mut self, doc_id: Uuid, loaded: Loaded) {
        self.docs.insert(doc_id, loaded);
        self.touch(doc_id);
        let recent = self.asked.saturating_sub(1);
        while self.docs.len() > MAX_LOADED {
            let oldest = self
                .docs
                .iter_mut()
                .filter(|(_, l)| l.used < recent)
                .filter_map(|(id, l)| {
                    (l.doc.am().get_heads() == l.persisted).then_some((l.used, *id))
                })
                .min();
            let Some((_, id)) = oldest else {
                break;
            };
            self.docs.remove(&id);
        }
    }

    /// Rewrites a document as one snapshot and drops the changes it covers.
    pub fn compact(&mut self, doc_id: Uuid) -> Result<(), StoreError> {
        let at = self.stamp().at;
        self.ensure_loaded(doc_id)?;
        let loaded = self
            .docs
            .get_mut(&doc_id)
            .ok_or(StoreError::UnknownDocument(doc_id))?;
        let tx = self.conn.savepoint()?;
        document::compact(&tx, doc_id, loaded, at)?;
        tx.commit()?;
        Ok(())
    }

    /// Upserts every projection row of every document again, one transaction per document: after
    /// a migration that added a projected column, which a store written before it holds empty. A
    /// document that does not load keeps its rows as they were rather than keep the user out of
    /// the rest; the documents leave memory afterwards.
    pub(crate) fn reproject_all(&mut self) -> Result<(), StoreError> {
        for info in self.documents()? {
            if self.ensure_loaded(info.id).is_err() {
                continue;
            }
            let tx = self.conn.savepoint()?;
            self.docs[&info.id]
                .doc
                .project_all(&tx, info.placement_id)?;
            tx.commit()?;
        }
        self.docs.clear();
        Ok(())
    }

    /// Drops documents held in memory, so the next read loads them from disk (benchmarks, tests).
    pub fn forget_cache(&mut self) {
        self.docs.clear();
    }
}

/// A document as it is on disk, read and not yet loaded.
struct Saved {
    doc_id: Uuid,
    placement: Uuid,
    kind: DocKind,
    bytes: Vec<u8>,
    /// Changes after the snapshot.
    changes: usize,
}

impl Saved {
    fn load(&self, actor: ActorId) -> Result<Doc, StoreError> {
        // Our own file is authenticated page by page by SQLCipher's HMAC, so automerge need not
        // recompute every change hash to verify the heads; a damaged document still fails to parse.
        let mut am = AutoCommit::load_with_options(
            &self.bytes,
            LoadOptions::new()
                .on_partial_load(OnPartialLoad::Error)
                .verification_mode(VerificationMode::DontCheck),
        )
        .map_err(DocError::from)?;
        am.set_actor(actor);
        Ok(Doc::from_automerge(self.kind, am)?)
    }
}

/// A document received whole (a join), made ready to import without the store: checked as a
/// loaded one is, saved, and its projection rows read. That is most of an import's work and needs
/// no database, so a device taking in many documents does it on another thread than the store's;
/// [`Store::import_prepared`] then only writes.
pub struct Prepared {
    doc_id: Uuid,
    doc: Doc,
    placement: Uuid,
    snapshot: Vec<u8>,
    rows: projection::Rows,
}

impl Prepared {
    /// Prepares a document built in memory (a join that took the relay's records one by one),
    /// without saving and loading it again. Changes automerge holds back for missing
    /// dependencies are dropped, as a save and load would drop them.
    pub fn new(doc_id: Uuid, kind: DocKind, mut am: AutoCommit) -> Result<Prepared, StoreError> {
        let doc = if am.get_missing_deps(&[]).is_empty() {
            Doc::from_automerge(kind, am)?
        } else {
            Doc::load(kind, &am.save())?
        };
        Prepared::of(doc_id, doc)
    }

    fn of(doc_id: Uuid, mut doc: Doc) -> Result<Prepared, StoreError> {
        let placement = doc.placement_id()?;
        let snapshot = doc.am().save();
        let rows = doc.rows_of_all(placement)?;
        Ok(Prepared {
            doc_id,
            doc,
            placement,
            snapshot,
            rows,
        })
    }
}
