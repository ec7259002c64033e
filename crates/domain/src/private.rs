//! The adviser-private document of a placement: adviser-only notes, consent, anything about health.
//!
//! It is a separate automerge document, not a hidden part of the shared one, so it can be kept off
//! employer devices entirely: there is no field to mask and nothing to leak by mistake.

use automerge::{ActorId, AutoCommit, ChangeHash};
use autosurgeon::Text;
use uuid::Uuid;

use crate::doc::{self, FieldConflict};
use crate::error::Inconsistency;
use crate::input::{NewAdviserNote, NewConsent, Stamp};
use crate::model::{AdviserNote, Consent, PrivatePlacement, Role};
use crate::touched::{PRIVATE_COLLECTIONS, Touched};
use crate::validate::{self, LONG_MAX, SHORT_MAX};
use crate::{ChangeKind, DocError, Field, HistoryEntry, ValidationError};

pub struct PrivateDoc {
    doc: AutoCommit,
}

fn private(mut found: Vec<FieldConflict>) -> Vec<FieldConflict> {
    for c in &mut found {
        c.private = true;
    }
    found
}

fn adviser_only(stamp: &Stamp) -> Result<(), ValidationError> {
    validate::required(Field::Name, &stamp.name, SHORT_MAX)?;
    if stamp.role != Role::Adviser {
        return Err(ValidationError::Inconsistent(
            Inconsistency::AdviserOnlyNotes,
        ));
    }
    Ok(())
}

impl PrivateDoc {
    pub fn create(
        placement_id: Uuid,
        stamp: &Stamp,
        actor: Option<ActorId>,
    ) -> Result<PrivateDoc, DocError> {
        adviser_only(stamp)?;
        let mut doc = AutoCommit::new();
        if let Some(a) = actor {
            doc.set_actor(a);
        }
        doc::create_root(&mut doc, placement_id, PRIVATE_COLLECTIONS)?;
        doc::commit(&mut doc, ChangeKind::PrivateCreate, stamp.at);
        Ok(PrivateDoc { doc })
    }

    pub fn load(bytes: &[u8]) -> Result<PrivateDoc, DocError> {
        Self::from_automerge(doc::load(bytes)?)
    }

    pub fn from_automerge(doc: AutoCommit) -> Result<PrivateDoc, DocError> {
        doc::check_schema(&doc)?;
        doc::placement_id(&doc)?;
        Ok(PrivateDoc { doc })
    }

    pub fn automerge(&self) -> &AutoCommit {
        &self.doc
    }

    pub fn automerge_mut(&mut self) -> &mut AutoCommit {
        &mut self.doc
    }

    pub fn into_automerge(self) -> AutoCommit {
        self.doc
    }

    pub fn placement_id(&self) -> Result<Uuid, DocError> {
        doc::placement_id(&self.doc)
    }

    pub fn heads(&mut self) -> Vec<ChangeHash> {
        self.doc.get_heads()
    }

    /// The changes that `heads` does not include, framed for another device
    /// (see [`crate::changes`]).
    pub fn changes_since(&mut self, heads: &[ChangeHash]) -> Vec<u8> {
        doc::changes_since(&mut self.doc, heads)
    }

    pub fn fork(&mut self) -> PrivateDoc {
        PrivateDoc {
            doc: self.doc.fork(),
        }
    }

    pub fn merge(&mut self, other: &mut PrivateDoc) -> Result<(), DocError> {
        let (a, b) = (self.placement_id()?, other.placement_id()?);
        if a != b {
            return Err(DocError::WrongPlacement {
                expected: a,
                found: b,
            });
        }
        doc::merge(&mut self.doc, &mut other.doc)
    }

    /// Applies changes from the adviser's other devices; see [`crate::SharedDoc::apply_changes`].
    /// The private document's notes are reported as `adviser_notes`.
    pub fn apply_changes(&mut self, bytes: &[u8]) -> Result<Touched, DocError> {
        let mut t = doc::apply_changes(&mut self.doc, bytes)?;
        for r in &mut t.records {
            if r.0 == "notes" {
                r.0 = "adviser_notes";
            }
        }
        t.placement = false;
        Ok(t)
    }

    /// As [`crate::SharedDoc::apply_authored`]: only adviser devices may write here.
    pub fn apply_authored(
        &mut self,
        parts: &[crate::rights::Authored<'_>],
        role_of: &dyn Fn(Uuid) -> Option<Role>,
    ) -> Result<crate::rights::Merged, DocError> {
        let mut merged = crate::rights::apply_authored(
            &mut self.doc,
            parts,
            crate::rights::Document::Private,
            role_of,
        )?;
        let t = &mut merged.touched;
        for r in &mut t.records {
            if r.0 == "notes" {
                r.0 = "adviser_notes";
            }
        }
        t.placement = false;
        Ok(merged)
    }

    pub fn hydrate(&self) -> Result<PrivatePlacement, DocError> {
        Ok(autosurgeon::hydrate(&crate::prefetch::Prefetched::new(
            &self.doc,
        ))?)
    }

    pub fn record_ids(&self, collection: &str) -> Result<Vec<Uuid>, DocError> {
        doc::record_ids(&self.doc, collection)
    }

    pub fn note(&self, id: Uuid) -> Result<Option<AdviserNote>, DocError> {
        doc::get(&self.doc, "notes", id)
    }

    pub fn consent(&self, id: Uuid) -> Result<Option<Consent>, DocError> {
        doc::get(&self.doc, "consents", id)
    }

    /// Every consent recorded, given or withdrawn, oldest first.
    pub fn consents(&self) -> Result<Vec<(Uuid, Consent)>, DocError> {
        let mut all = Vec::new();
        for id in self.record_ids("consents")? {
            if let Some(c) = self.consent(id)? {
                all.push((id, c));
            }
        }
        all.sort_by_key(|(id, c)| (c.given_at, *id));
        Ok(all)
    }

    /// Whether a recorded consent lets an employer take part in the placement now.
    pub fn allows_employer(&self) -> Result<bool, DocError> {
        Ok(self.consents()?.iter().any(|(_, c)| c.allows_employer()))
    }

    pub fn conflicts(&self) -> Vec<FieldConflict> {
        private(doc::conflicts(&self.doc))
    }

    /// Conflicts within one record; `collection` as the document names it (`notes`, `consents`).
    pub fn record_conflicts(&self, collection: &str, id: Uuid) -> Vec<FieldConflict> {
        private(doc::record_conflicts(&self.doc, collection, Some(id)))
    }

    /// Every change that touched record `id`, oldest first, and the collection it is in.
    pub fn history(&mut self, id: Uuid) -> Option<(&'static str, Vec<HistoryEntry>)> {
        crate::history::find_history(&mut self.doc, PRIVATE_COLLECTIONS, id)
    }

    /// Writes `chosen`, one of the values a conflicting field at `path` holds, over all of them.
    pub fn settle_conflict(
        &mut self,
        path: &[String],
        chosen: &str,
        stamp: &Stamp,
    ) -> Result<Touched, DocError> {
        adviser_only(stamp)?;
        doc::settle(&mut self.doc, path, chosen, stamp.at)?;
        Ok(Touched::default())
    }

    pub fn add_note(
        &mut self,
        input: &NewAdviserNote,
        stamp: &Stamp,
    ) -> Result<(Uuid, Touched), DocError> {
        adviser_only(stamp)?;
        validate::required(Field::Note, &input.body, LONG_MAX)?;
        let id = Uuid::new_v4();
        let note = AdviserNote {
            written_at: stamp.at,
            body: Text::with_value(input.body.trim()),
            health_related: input.health_related,
            visit: input.visit,
        };
        doc::put(&mut self.doc, "notes", id, &note)?;
        doc::commit(&mut self.doc, ChangeKind::AdviserNoteAdd, stamp.at);
        Ok((
            id,
            Touched {
                placement: false,
                records: vec![("adviser_notes", id)],
            },
        ))
    }

    pub fn edit_note(&mut self, id: Uuid, body: &str, stamp: &Stamp) -> Result<Touched, DocError> {
        adviser_only(stamp)?;
        validate::required(Field::Note, body, LONG_MAX)?;
        let _: AdviserNote = doc::require(&self.doc, "notes", "notat", id)?;
        doc::update_text(&mut self.doc, "notes", id, "body", body)?;
        doc::commit(&mut self.doc, ChangeKind::AdviserNoteEdit, stamp.at);
        Ok(Touched {
            placement: false,
            records: vec![("adviser_notes", id)],
        })
    }

    pub fn give_consent(
        &mut self,
        input: &NewConsent,
        stamp: &Stamp,
    ) -> Result<(Uuid, Touched), DocError> {
        adviser_only(stamp)?;
        validate::required(
            Field::ConsentVersion,
            &input.text_version,
            validate::CONSENT_VERSION_MAX,
        )?;
        let mut scopes = input.scopes.clone();
        scopes.sort();
        scopes.dedup();
        if scopes.is_empty() {
            return Err(ValidationError::Required {
                field: Field::Consent,
            }
            .into());
        }
        let id = Uuid::new_v4();
        let consent = Consent {
            scopes,
            text_version: input.text_version.trim().to_owned(),
            given_at: stamp.at,
            recorded_by: stamp.name.clone(),
            withdrawn_at: None,
            withdrawn_by: None,
        };
        doc::put(&mut self.doc, "consents", id, &consent)?;
        doc::commit(&mut self.doc, ChangeKind::ConsentGive, stamp.at);
        Ok((
            id,
            Touched {
                placement: false,
                records: vec![("consents", id)],
            },
        ))
    }

    pub fn withdraw_consent(&mut self, id: Uuid, stamp: &Stamp) -> Result<Touched, DocError> {
        adviser_only(stamp)?;
        let mut consent: Consent = doc::require(&self.doc, "consents", "samtykke", id)?;
        if consent.withdrawn_at.is_some() {
            return Err(ValidationError::Inconsistent(Inconsistency::AlreadyWithdrawn).into());
        }
        consent.withdrawn_at = Some(stamp.at);
        consent.withdrawn_by = Some(stamp.name.clone());
        doc::put(&mut self.doc, "consents", id, &consent)?;
        doc::commit(&mut self.doc, ChangeKind::ConsentWithdraw, stamp.at);
        Ok(Touched {
            placement: false,
            records: vec![("consents", id)],
        })
    }
}
