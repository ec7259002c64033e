//! What a device does with the plaintext of a received record (crates/sync, crates/store): as a
//! `Changes` record, unpacked (inflated when it starts with `FSZ1`, rebuilt when it is `FSC2`,
//! else framed changes as they are) and applied to the placement's shared document (`SharedDoc::apply_changes`); as a
//! `Snapshot` record, loaded, re-framed as changes and applied (both the client's `as_changes`);
//! and as a whole saved document, loaded strictly (`SharedDoc::load`, as the store loads its
//! own). After a successful apply or load, the document is read as the store's projection and
//! overview read it.
//!
//! automerge's own panics unwind to the domain's wall, as in the app (`contain_automerge_panics`);
//! any panic that escapes it, or that starts in our code, is a finding.
#![no_main]

use folgesvenn_domain::{SharedDoc, Touched};
use folgesvenn_fuzz::{as_changes, base_doc, contain_automerge_panics};
use folgesvenn_protocol::RecordKind;
use libfuzzer_sys::fuzz_target;

thread_local! {
    /// A real document with a few edits; see `examples/make_seeds.rs`.
    static BASE: SharedDoc = base_doc();
}

fn fresh() -> SharedDoc {
    let copy = BASE.with(|b| b.automerge().clone());
    SharedDoc::from_automerge(copy).expect("the base document passes its own schema check")
}

/// Reads the document as the store does after an apply: the touched records' conflicts (the
/// projection) and history, the whole placement and every conflict (the overview), and a save.
fn read(doc: &mut SharedDoc, touched: &Touched) {
    for (coll, id) in &touched.records {
        let _ = doc.record_conflicts(coll, Some(*id));
        // A record's history (the overview's «Endringer») reads every change of the document.
        let _ = doc.history(*id);
    }
    if touched.placement {
        let _ = doc.placement();
        let _ = doc.record_conflicts("placement", None);
    }
    let _ = doc.hydrate();
    let _ = doc.conflicts();
    let _ = doc.automerge_mut().save();
}

fuzz_target!(|data: &[u8]| {
    contain_automerge_panics();
    for kind in [RecordKind::Changes, RecordKind::Snapshot] {
        if let Ok(framed) = as_changes(kind, data) {
            let mut doc = fresh();
            if let Ok(touched) = doc.apply_changes(&framed) {
                read(&mut doc, &touched);
            }
            // The same bytes through the rights check, as from an employer device: refused or
            // applied, never a panic.
            let mut doc = fresh();
            let part = folgesvenn_domain::rights::Authored {
                framed: &framed,
                sealed_by: Some(folgesvenn_domain::uuid::Uuid::from_u128(7)),
            };
            let employer = |_| Some(folgesvenn_domain::Role::Employer);
            if let Ok(merged) = doc.apply_authored(&[part], &employer) {
                read(&mut doc, &merged.touched);
            }
        }
    }

    if let Ok(mut doc) = SharedDoc::load(data) {
        let all = Touched {
            placement: true,
            records: vec![],
        };
        read(&mut doc, &all);
    }
});
