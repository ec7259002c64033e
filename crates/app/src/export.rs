//! What leaves the device: the candidate's right of access and the case file's PDFs, each with
//! its progress told as it goes and a way to stop it. An export is written beside its final name
//! and renamed into place at the end, so one that fails or is cancelled leaves nothing behind; it
//! is audit-logged once it is in place, never before.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

use uuid::Uuid;

use crate::core::{AppCore, lock};
use crate::dto::{CommandError, ExportProgress, ExportStage};
use crate::edit::day as parse_day;

/// Who follows an export: the job name `cancel_export` stops it by (`None`: it cannot be
/// stopped, as from the CLI or a test), and where its progress goes.
pub struct ExportWatch<'a> {
    pub job: Option<&'a str>,
    pub report: &'a (dyn Fn(ExportProgress) + Sync),
}

fn unwatched(_: ExportProgress) {}

impl Default for ExportWatch<'_> {
    /// Not followed, not cancellable.
    fn default() -> Self {
        ExportWatch {
            job: None,
            report: &unwatched,
        }
    }
}

/// One export under way: listed under its job name until it ends (dropped).
struct Job<'a> {
    core: &'a AppCore,
    watch: &'a ExportWatch<'a>,
    cancelled: Arc<AtomicBool>,
    /// The percent last told, so each is told once.
    told: AtomicU8,
}

impl<'a> Job<'a> {
    fn start(core: &'a AppCore, watch: &'a ExportWatch<'a>) -> Result<Job<'a>, CommandError> {
        let cancelled = Arc::new(AtomicBool::new(false));
        if let Some(name) = watch.job {
            let mut running = lock(&core.exports);
            if running.contains_key(name) {
                return Err(CommandError::new(
                    "invalid_input",
                    format!("Eksporten {name} er allerede i gang."),
                ));
            }
            running.insert(name.to_owned(), cancelled.clone());
        }
        Ok(Job {
            core,
            watch,
            cancelled,
            told: AtomicU8::new(u8::MAX),
        })
    }

    fn go_on(&self) -> bool {
        !self.cancelled.load(Ordering::SeqCst)
    }

    /// Tells `percent` at `stage` (once per percent), or fails with `cancelled`.
    fn at(&self, stage: ExportStage, percent: u8) -> Result<(), CommandError> {
        if !self.go_on() {
            return Err(cancelled());
        }
        self.tell(stage, percent);
        Ok(())
    }

    fn tell(&self, stage: ExportStage, percent: u8) {
        if self.told.swap(percent, Ordering::SeqCst) != percent {
            (self.watch.report)(ExportProgress { stage, percent });
        }
    }

    /// Drawing the PDF's pages: 20–85 % (saving starts at 90).
    fn pages(&self) -> impl FnMut(usize, usize) -> bool + '_ {
        move |done, total| {
            let share = (65 * done / total.max(1)).min(65) as u8;
            self.at(ExportStage::Drawing, 20 + share).is_ok()
        }
    }

    /// A PDF made, or why not.
    fn pdf(
        &self,
        make: impl FnOnce(
            folgesvenn_export::Progress<'_>,
        ) -> Result<Vec<u8>, folgesvenn_export::ExportError>,
    ) -> Result<Vec<u8>, CommandError> {
        match make(&mut self.pages()) {
            Ok(pdf) => Ok(pdf),
            Err(folgesvenn_export::ExportError::Cancelled) => Err(cancelled()),
            Err(e) => Err(CommandError::new("export", e.to_string())),
        }
    }

    /// A write's error: `cancelled` when it stopped because the user asked.
    fn write_error(&self, e: std::io::Error, what: &str) -> CommandError {
        if e.kind() == std::io::ErrorKind::Interrupted && !self.go_on() {
            return cancelled();
        }
        CommandError::new("io", format!("Kunne ikke skrive {what}: {e}")).with("detail", e)
    }
}

impl Drop for Job<'_> {
    fn drop(&mut self) {
        if let Some(name) = self.watch.job {
            lock(&self.core.exports).remove(name);
        }
    }
}

fn cancelled() -> CommandError {
    CommandError::new("cancelled", "Eksporten ble avbrutt; ingenting ble lagret.")
}

/// Writes `bytes` as a new file at `target`: beside it first, then renamed into place, so a
/// failure or a cancel leaves no partial file; an existing file is refused, never overwritten.
fn write_new_file(
    target: &Path,
    bytes: &[u8],
    go_on: &dyn Fn() -> bool,
) -> std::io::Result<PathBuf> {
    if target.exists() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            format!("{} finnes allerede", target.display()),
        ));
    }
    let name = target.file_name().unwrap_or_default().to_string_lossy();
    let partial = target.with_file_name(format!(".{name}.partial"));
    let written = std::fs::write(&partial, bytes).and_then(|()| match go_on() {
        true => std::fs::rename(&partial, target),
        false => Err(std::io::Error::new(
            std::io::ErrorKind::Interrupted,
            "eksporten ble avbrutt",
        )),
    });
    if let Err(e) = written {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    Ok(target.to_owned())
}

impl AppCore {
    /// Stops the export running as `job`: it removes what it wrote and fails with `cancelled`.
    /// `false` if no export runs under that name (it may have just finished).
    pub fn cancel_export(&self, job: &str) -> bool {
        match lock(&self.exports).get(job) {
            Some(flag) => {
                flag.store(true, Ordering::SeqCst);
                true
            }
            None => false,
        }
    }

    /// The candidate's right of access: everything this device holds about the placement, as a
    /// folder in `into` holding `innsyn.pdf` (readable, PDF/A-2a), `innsyn.json` (the records, the
    /// audit entries about them and who exported them; `docs/export.md`) and the automerge
    /// documents (`AccessExport::write_to`). Audit-logged once written. Returns the folder.
    pub fn export_access(
        &self,
        placement: Uuid,
        into: &Path,
        watch: &ExportWatch<'_>,
    ) -> Result<PathBuf, CommandError> {
        let job = Job::start(self, watch)?;
        job.at(ExportStage::Reading, 0)?;
        let export = self.with_store(|s| Ok(s.access_export(placement)?))?;
        job.at(ExportStage::Reading, 20)?;
        let pdf = job.pdf(|progress| folgesvenn_export::access_report(&export, progress))?;
        job.at(ExportStage::Saving, 90)?;
        let folder = export
            .write_to(into, &[("innsyn.pdf", &pdf)], &|| job.go_on())
            .map_err(|e| job.write_error(e, "innsynet"))?;
        // In place: a cancel that comes now comes too late, and the export is done.
        self.with_store(|s| Ok(s.log_export(placement, &export.audit_record)?))?;
        job.tell(ExportStage::Saving, 100);
        Ok(folder)
    }

    /// A visit report for NAV's case file, as a PDF/A-2a file in `into`
    /// (`besoksrapport-<day>-<visit>.pdf`, `-intern` for the internal version, which alone holds
    /// the adviser's own notes from the visit). Never over an existing file. Audit-logged once
    /// written. Returns the file.
    pub fn export_visit_report(
        &self,
        placement: Uuid,
        visit: Uuid,
        internal: bool,
        into: &Path,
        watch: &ExportWatch<'_>,
    ) -> Result<PathBuf, CommandError> {
        let job = Job::start(self, watch)?;
        job.at(ExportStage::Reading, 0)?;
        let report = self.with_store(|s| Ok(s.visit_report(placement, visit, internal)?))?;
        job.at(ExportStage::Reading, 20)?;
        let pdf = job.pdf(|progress| folgesvenn_export::visit_report(&report, progress))?;
        let at = report.versions.first().map(|(_, v)| v.at.day().to_string());
        let short: String = visit.simple().to_string().chars().take(8).collect();
        let name = format!(
            "besoksrapport-{}-{short}{}.pdf",
            at.unwrap_or_default(),
            if internal { "-intern" } else { "" }
        );
        self.save_pdf(
            &job,
            placement,
            &report.audit_record,
            &into.join(name),
            &pdf,
        )
    }

    /// The placement summary for NAV's case file over `from..=to` (`YYYY-MM-DD`), as a PDF/A-2a
    /// file in `into` (`oppsummering-<from>-<to>-<placement>.pdf`), never over an existing file.
    /// Audit-logged once written. Returns the file.
    pub fn export_placement_summary(
        &self,
        placement: Uuid,
        from: &str,
        to: &str,
        into: &Path,
        watch: &ExportWatch<'_>,
    ) -> Result<PathBuf, CommandError> {
        let from = parse_day(folgesvenn_domain::Field::StartDate, from)?;
        let to = parse_day(folgesvenn_domain::Field::EndDate, to)?;
        let job = Job::start(self, watch)?;
        job.at(ExportStage::Reading, 0)?;
        let report = self.with_store(|s| Ok(s.placement_summary(placement, from, to)?))?;
        job.at(ExportStage::Reading, 20)?;
        let pdf = job.pdf(|progress| folgesvenn_export::summary_report(&report, progress))?;
        let short: String = placement.simple().to_string().chars().take(8).collect();
        let target = into.join(format!("oppsummering-{from}-{to}-{short}.pdf"));
        self.save_pdf(&job, placement, &report.audit_record, &target, &pdf)
    }

    /// The last step of a case-file PDF: the file in place, then its audit entry.
    fn save_pdf(
        &self,
        job: &Job<'_>,
        placement: Uuid,
        audit_record: &str,
        target: &Path,
        pdf: &[u8],
    ) -> Result<PathBuf, CommandError> {
        job.at(ExportStage::Saving, 90)?;
        let file = write_new_file(target, pdf, &|| job.go_on())
            .map_err(|e| job.write_error(e, "rapporten"))?;
        // In place: a cancel that comes now comes too late, and the export is done.
        self.with_store(|s| Ok(s.log_export(placement, audit_record)?))?;
        job.tell(ExportStage::Saving, 100);
        Ok(file)
    }
}
