//! A placement document as the store holds it, whichever of the two it is: `Doc` is the one
//! way to address "either document" (every match on shared/private lives here), `Loaded` a
//! document in memory with what of it is on disk, and the row functions that save documents
//! inside a write's transaction.

use folgesvenn_domain::automerge::{AutoCommit, ChangeHash};
use folgesvenn_domain::rights::{Authored, Document};
use folgesvenn_domain::{DocError, Moment, PrivateDoc, Role, SharedDoc, Touched};
use rusqlite::{Connection, params};
use serde::Serialize;
use uuid::Uuid;

use crate::{StoreError, projection, sync_rows};

/// After this many saved changes a document is rewritten as one compact snapshot.
pub const COMPACT_AFTER: usize = 256;

/// Which of a placement's two documents.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocKind {
    Shared,
    Private,
}

impl DocKind {
    /// The code in the `documents` table.
    pub(crate) fn code(self) -> &'static str {
        match self {
            DocKind::Shared => "shared",
            DocKind::Private => "private",
        }
    }

    /// Reads the code back; anything else is not a document this store wrote.
    pub(crate) fn from_code(code: &str) -> Option<DocKind> {
        match code {
            "shared" => Some(DocKind::Shared),
            "private" => Some(DocKind::Private),
            _ => None,
        }
    }
}

pub(crate) enum Doc {
    Shared(SharedDoc),
    Private(PrivateDoc),
}

/// Runs the same expression on whichever document `$doc` holds.
macro_rules! either {
    ($doc:expr, $d:ident => $e:expr) => {
        match $doc {
            Doc::Shared($d) => $e,
            Doc::Private($d) => $e,
        }
    };
}

impl Doc {
    /// Parses a document of `kind` strictly (`SharedDoc::load`, `PrivateDoc::load`).
    pub(crate) fn load(kind: DocKind, bytes: &[u8]) -> Result<Doc, DocError> {
        Ok(match kind {
            DocKind::Shared => Doc::Shared(SharedDoc::load(bytes)?),
            DocKind::Private => Doc::Private(PrivateDoc::load(bytes)?),
        })
    }

    pub(crate) fn from_automerge(kind: DocKind, am: AutoCommit) -> Result<Doc, DocError> {
        Ok(match kind {
            DocKind::Shared => Doc::Shared(SharedDoc::from_automerge(am)?),
            DocKind::Private => Doc::Private(PrivateDoc::from_automerge(am)?),
        })
    }

    pub(crate) fn kind(&self) -> DocKind {
        match self {
            Doc::Shared(_) => DocKind::Shared,
            Doc::Private(_) => DocKind::Private,
        }
    }

    /// The same document as the rights table names it.
    pub(crate) fn rights_document(&self) -> Document {
        match self {
            Doc::Shared(_) => Document::Shared,
            Doc::Private(_) => Document::Private,
        }
    }

    pub(crate) fn am(&mut self) -> &mut AutoCommit {
        either!(self, d => d.automerge_mut())
    }

    pub(crate) fn placement_id(&self) -> Result<Uuid, DocError> {
        either!(self, d => d.placement_id())
    }

    pub(crate) fn record_ids(&self, collection: &str) -> Result<Vec<Uuid>, DocError> {
        either!(self, d => d.record_ids(collection))
    }

    pub(crate) fn changes_since(&mut self, heads: &[ChangeHash]) -> Vec<u8> {
        either!(self, d => d.changes_since(heads))
    }

    /// Merges changes whose authors are trusted (store-to-store merges in tests and tools).
    pub(crate) fn apply_changes(&mut self, bytes: &[u8]) -> Result<Touched, DocError> {
        either!(self, d => d.apply_changes(bytes))
    }

    /// Merges received records after checking each change against its author's role.
    pub(crate) fn apply_authored(
        &mut self,
        parts: &[Authored<'_>],
        role_of: &dyn Fn(Uuid) -> Option<Role>,
    ) -> Result<folgesvenn_domain::rights::Merged, DocError> {
        either!(self, d => d.apply_authored(parts, role_of))
    }

    /// Upserts the projection rows of the records `touched` names.
    pub(crate) fn project(
        &self,
        tx: &Connection,
        placement: Uuid,
        touched: &Touched,
    ) -> Result<(), StoreError> {
        match self {
            Doc::Shared(d) => projection::shared(tx, placement, d, touched),
            Doc::Private(d) => projection::private(tx, placement, d, touched),
        }
    }

    /// Reads the projection rows of every record (a document about to be imported), without
    /// the database.
    pub(crate) fn rows_of_all(&self, placement: Uuid) -> Result<projection::Rows, StoreError> {
        match self {
            Doc::Shared(d) => projection::read_shared(placement, d, &projection::all_shared(d)?),
            Doc::Private(d) => projection::read_private(placement, d, &projection::all_private(d)?),
        }
    }

    /// Upserts the projection rows of every record (a rebuild).
    pub(crate) fn project_all(&self, tx: &Connection, placement: Uuid) -> Result<(), StoreError> {
        self.write_rows(tx, self.rows_of_all(placement)?)
    }

    /// Upserts rows read out of this document.
    pub(crate) fn write_rows(
        &self,
        tx: &Connection,
        rows: projection::Rows,
    ) -> Result<(), StoreError> {
        match self {
            Doc::Shared(d) => projection::write_shared(tx, d, rows),
            Doc::Private(_) => rows.write(tx).map(drop),
        }
    }
}

/// A document held in memory, with what of it is already on disk.
pub(crate) struct Loaded {
    pub(crate) doc: Doc,
    pub(crate) placement: Uuid,
    pub(crate) persisted: Vec<ChangeHash>,
    pub(crate) changes_since_snapshot: usize,
    /// When it was last asked for (the store's count of loads), for letting the least recently
    /// used go.
    pub(crate) used: u64,
}

impl Loaded {
    /// A document that is on disk exactly as it is in memory.
    pub(crate) fn saved(mut doc: Doc, placement: Uuid) -> Loaded {
        let persisted = doc.am().get_heads();
        Loaded {
            doc,
            placement,
            persisted,
            changes_since_snapshot: 0,
            used: 0,
        }
    }
}

pub(crate) fn insert_document(
    tx: &Connection,
    id: Uuid,
    placement: Uuid,
    kind: DocKind,
    snapshot: &[u8],
    at: Moment,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO documents (id, placement_id, kind, snapshot, created_at, compacted_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
        params![id.to_string(), placement.to_string(), kind.code(), snapshot, at.to_string()],
    )?;
    Ok(())
}

/// Where the changes `persist` writes came from.
pub(crate) enum Origin<'a> {
    /// This device's own write: also queued for the relay.
    Local,
    /// Merged from other devices; `Some` with the new changes as received (automerge's storage
    /// format), which spares rebuilding them from the document.
    Remote(Option<&'a [u8]>),
}

/// Appends what the document has that the disk does not, and compacts when enough has gathered.
/// The document on disk must be `loaded.persisted`, and for `Origin::Remote(Some(bytes))` the
/// bytes exactly the changes merged since (`Store::merge` holds both).
pub(crate) fn persist(
    tx: &Connection,
    doc_id: Uuid,
    loaded: &mut Loaded,
    origin: Origin<'_>,
    at: Moment,
    compact_after: usize,
) -> Result<(), StoreError> {
    let (bytes, queued) = match origin {
        Origin::Remote(Some(bytes)) => (bytes.to_vec(), None),
        Origin::Remote(None) => (loaded.doc.am().save_after(&loaded.persisted), None),
        Origin::Local => {
            let changes = loaded.doc.am().get_changes(&loaded.persisted);
            let raw: Vec<u8> = changes
                .iter()
                .flat_map(|c| c.raw_bytes())
                .copied()
                .collect();
            (
                raw,
                Some(folgesvenn_domain::changes::encode(changes.iter())),
            )
        }
    };
    if bytes.is_empty() {
        return Ok(());
    }
    tx.execute(
        "INSERT INTO doc_changes (doc_id, seq, bytes, origin, saved_at)
         VALUES (?1, (SELECT coalesce(max(seq), 0) + 1 FROM doc_changes WHERE doc_id = ?1), ?2, ?3, ?4)",
        params![
            doc_id.to_string(),
            bytes,
            if queued.is_some() { "local" } else { "remote" },
            at.to_string()
        ],
    )?;
    if let Some(framed) = queued {
        // If the document syncs, the same changes go into the outbox in this transaction: a
        // change is never on disk without being on its way to the relay.
        sync_rows::queue(tx, doc_id, &framed, at)?;
    }
    loaded.changes_since_snapshot += 1;
    if loaded.changes_since_snapshot >= compact_after {
        compact(tx, doc_id, loaded, at)?;
    }
    Ok(())
}

pub(crate) fn compact(
    tx: &Connection,
    doc_id: Uuid,
    loaded: &mut Loaded,
    at: Moment,
) -> Result<(), StoreError> {
    let snapshot = loaded.doc.am().save();
    tx.execute(
        "UPDATE documents SET snapshot = ?2, compacted_at = ?3 WHERE id = ?1",
        params![doc_id.to_string(), snapshot, at.to_string()],
    )?;
    tx.execute(
        "DELETE FROM doc_changes WHERE doc_id = ?1",
        [doc_id.to_string()],
    )?;
    loaded.changes_since_snapshot = 0;
    Ok(())
}
