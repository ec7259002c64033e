//! The candidate's right of access (GDPR art. 15): everything this device holds about one
//! placement, in a form a person can read and another program can check (`docs/export.md`, its
//! JSON Schema `docs/export.schema.json`), with the automerge documents themselves beside it and
//! the audit entries that say who read, wrote or exported the records, when, on which device.

use std::path::{Path, PathBuf};

use folgesvenn_domain::{Moment, Role};
use serde_json::json;
use uuid::Uuid;

use crate::audit::{AuditAction, AuditEntry};
use crate::document::DocKind;
use crate::views::PlacementView;
use crate::{Store, StoreError};

/// The version of the JSON form; raise it with the schema when its shape changes.
pub const ACCESS_SCHEMA: &str = "folgesvenn-innsyn/1";

/// What the right of access hands over for one placement.
pub struct AccessExport {
    /// What the audit log names once it is written (`Store::log_export`).
    pub audit_record: String,
    pub exported_at: Moment,
    /// The device it was made on, and its user.
    pub device_id: Uuid,
    pub user_name: String,
    pub role: Role,
    /// The records of both documents this device holds (an employer's device, the shared one).
    pub view: PlacementView,
    /// The audit entries about the placement, oldest first, written before this export.
    pub audit: Vec<AuditEntry>,
    /// The placement's automerge documents, saved whole: the shared one, and on an adviser
    /// device the private one. Any automerge implementation opens them.
    pub documents: Vec<(DocKind, Vec<u8>)>,
}

impl AccessExport {
    /// The JSON form (`docs/export.md`).
    pub fn json(&self) -> serde_json::Value {
        json!({
            "schema": ACCESS_SCHEMA,
            "exported_at": self.exported_at.to_string(),
            "exported_by": {
                "device_id": self.device_id,
                "name": self.user_name,
                "role": self.role.code(),
            },
            "placement_id": self.view.id,
            "shared": self.view.shared,
            "private": self.view.private,
            "audit": self.audit,
        })
    }

    /// Writes the export as a folder in `into`, `folgesvenn-innsyn-<day>-<placement>`, holding
    /// `innsyn.json`, the documents (`delt.automerge`, `veileder.automerge`) and `extra` files
    /// (the readable PDF). It is written beside its final name and renamed into place, so a
    /// failure leaves no partial folder; an existing folder of that name is refused, never
    /// overwritten. `go_on` is asked before each file and before the rename: `false` removes
    /// what was written and fails with `ErrorKind::Interrupted`. Returns the folder.
    pub fn write_to(
        &self,
        into: &Path,
        extra: &[(&str, &[u8])],
        go_on: &dyn Fn() -> bool,
    ) -> std::io::Result<PathBuf> {
        let placement = self.view.id.simple().to_string();
        let name = format!(
            "folgesvenn-innsyn-{}-{}",
            self.exported_at.day(),
            &placement[..8]
        );
        let target = into.join(&name);
        if target.exists() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                format!("{} finnes allerede", target.display()),
            ));
        }
        let partial = into.join(format!(".{name}.partial"));
        if partial.exists() {
            std::fs::remove_dir_all(&partial)?;
        }
        let written = (|| -> std::io::Result<()> {
            let stop =
                || std::io::Error::new(std::io::ErrorKind::Interrupted, "eksporten ble avbrutt");
            let write = |file: &str, bytes: &[u8]| match go_on() {
                true => std::fs::write(partial.join(file), bytes),
                false => Err(stop()),
            };
            std::fs::create_dir_all(&partial)?;
            let json = serde_json::to_vec_pretty(&self.json()).map_err(std::io::Error::other)?;
            write("innsyn.json", &json)?;
            for (kind, bytes) in &self.documents {
                let file = match kind {
                    DocKind::Shared => "delt.automerge",
                    DocKind::Private => "veileder.automerge",
                };
                write(file, bytes)?;
            }
            for (file, bytes) in extra {
                write(file, bytes)?;
            }
            match go_on() {
                true => std::fs::rename(&partial, &target),
                false => Err(stop()),
            }
        })();
        if let Err(e) = written {
            let _ = std::fs::remove_dir_all(&partial);
            return Err(e);
        }
        Ok(target)
    }
}

impl Store {
    /// Everything this device holds about `placement`'s candidate. An employer device holds, and
    /// so exports, the shared document only. Not yet audit-logged: `log_export` once written.
    pub fn access_export(&mut self, placement: Uuid) -> Result<AccessExport, StoreError> {
        let view = self.placement(placement)?;
        let mut documents = Vec::new();
        for kind in [DocKind::Shared, DocKind::Private] {
            if let Ok(id) = self.doc_id(placement, kind) {
                documents.push((kind, self.document_bytes(id)?));
            }
        }
        let audit = self.audit_entries(Some(placement))?;
        let export = AccessExport {
            audit_record: "access".into(),
            exported_at: self.stamp().at,
            device_id: self.me.device,
            user_name: self.me.name.clone(),
            role: self.me.role,
            view,
            audit,
            documents,
        };
        Ok(export)
    }

    /// Records in the audit log that an export of `placement` left the device: call it once the
    /// file is in place (`record`: the export's `audit_record`), so an export that failed or was
    /// cancelled is not logged as handed over.
    pub fn log_export(&mut self, placement: Uuid, record: &str) -> Result<(), StoreError> {
        self.log_read(AuditAction::Export, Some(placement), record)
    }
}

/// One visit as NAV's case file takes it: the visit as it stands now, the versions it corrects,
/// the actions agreed at it, and, in the internal version only, the adviser's own notes from it.
pub struct VisitReport {
    /// What the audit log names once it is written (`Store::log_export`).
    pub audit_record: String,
    pub made_at: Moment,
    pub made_by: String,
    pub placement: folgesvenn_domain::PlacementInfo,
    /// The visit and the versions it corrects, newest first (the one asked for first).
    pub versions: Vec<(Uuid, folgesvenn_domain::Visit)>,
    /// The actions agreed at any of those versions.
    pub actions: Vec<folgesvenn_domain::Action>,
    /// `Some` only in the internal version: the adviser's notes written at the visit.
    pub adviser_notes: Option<Vec<folgesvenn_domain::AdviserNote>>,
}

impl Store {
    /// A visit report for the case file. `internal`: with the adviser's own notes from the visit
    /// (adviser devices only; the report says it is internal). Not yet audit-logged: `log_export`
    /// once written.
    pub fn visit_report(
        &mut self,
        placement: Uuid,
        visit: Uuid,
        internal: bool,
    ) -> Result<VisitReport, StoreError> {
        if internal && self.me.role != Role::Adviser {
            return Err(StoreError::NotForThisRole);
        }
        let view = self.placement(placement)?;
        let shared = view.shared;
        let versions: Vec<(Uuid, folgesvenn_domain::Visit)> = shared
            .visit_history(visit)
            .into_iter()
            .map(|(id, v)| (id, v.clone()))
            .collect();
        if versions.is_empty() {
            return Err(StoreError::Document(folgesvenn_domain::DocError::Invalid(
                folgesvenn_domain::ValidationError::UnknownRecord {
                    collection: "visits",
                    label: "besøk",
                    id: visit,
                },
            )));
        }
        let ids: Vec<Uuid> = versions.iter().map(|(id, _)| *id).collect();
        let mut actions: Vec<folgesvenn_domain::Action> = shared
            .actions
            .values()
            .filter(|a| a.visit.is_some_and(|v| ids.contains(&v)))
            .cloned()
            .collect();
        actions.sort_by_key(|a| a.created_at);
        let adviser_notes = internal.then(|| {
            let mut notes: Vec<folgesvenn_domain::AdviserNote> = view
                .private
                .iter()
                .flat_map(|p| p.notes.values())
                .filter(|n| n.visit.is_some_and(|v| ids.contains(&v)))
                .cloned()
                .collect();
            notes.sort_by_key(|n| n.written_at);
            notes
        });
        let report = VisitReport {
            audit_record: if internal {
                format!("visit_report_internal/{visit}")
            } else {
                format!("visit_report/{visit}")
            },
            made_at: self.stamp().at,
            made_by: self.me.name.clone(),
            placement: shared.placement,
            versions,
            actions,
            adviser_notes,
        };
        Ok(report)
    }
}

/// A placement over a period, as NAV's case file takes it: its facts, goals and training plan as
/// they stand, and what happened in the period (visits, contact requests with how long an answer
/// took, actions, the daily log counted).
pub struct PlacementSummaryReport {
    /// What the audit log names once it is written (`Store::log_export`).
    pub audit_record: String,
    pub made_at: Moment,
    pub made_by: String,
    pub from: folgesvenn_domain::Day,
    pub to: folgesvenn_domain::Day,
    pub shared: folgesvenn_domain::SharedPlacement,
    /// The contact requests raised in the period, each with the last day to answer within the
    /// placement's response time (Norwegian working days) and whether the answer came after it.
    pub requests: Vec<(
        folgesvenn_domain::ContactRequest,
        folgesvenn_domain::Day,
        bool,
    )>,
}

impl Store {
    /// The placement summary for `from..=to` (days on the user's wall clock). Audit-logged as an
    /// export once written (`log_export`). Holds nothing of the adviser's private document.
    pub fn placement_summary(
        &mut self,
        placement: Uuid,
        from: folgesvenn_domain::Day,
        to: folgesvenn_domain::Day,
    ) -> Result<PlacementSummaryReport, StoreError> {
        if to < from {
            return Err(StoreError::Document(folgesvenn_domain::DocError::Invalid(
                folgesvenn_domain::ValidationError::EndBeforeStart {
                    start: from,
                    end: to,
                },
            )));
        }
        let shared = self.placement(placement)?.shared;
        let days = shared.placement.response_working_days();
        let in_period = |m: Moment| {
            let d = crate::clock::local_day(m);
            d >= from && d <= to
        };
        let mut requests: Vec<_> = shared
            .contact_requests
            .values()
            .filter(|r| in_period(r.raised_at))
            .map(|r| {
                let by = folgesvenn_domain::workdays::plus_working_days(
                    crate::clock::local_day(r.raised_at),
                    days,
                );
                let answered = r.acknowledged_at.map(crate::clock::local_day);
                let late = match answered {
                    Some(d) => d > by,
                    None => self.stamp().today > by,
                };
                (r.clone(), by, late)
            })
            .collect();
        requests.sort_by_key(|(r, _, _)| r.raised_at);
        let report = PlacementSummaryReport {
            audit_record: format!("placement_summary/{from}..{to}"),
            made_at: self.stamp().at,
            made_by: self.me.name.clone(),
            from,
            to,
            shared,
            requests,
        };
        Ok(report)
    }
}
