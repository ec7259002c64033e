//! Documents that leave the device, as a person reads them: tagged PDF/A-2a with the fonts
//! embedded (`pdf.rs`), in Norwegian bokmål (the language of NAV's case archive): the candidate's
//! right of access (`access.rs`, from what the store's `access_export` gathers), and for the case
//! file a visit report (`visit.rs`, from `visit_report`; the internal version alone holds the
//! adviser's own notes) and a placement summary over a period (`summary.rs`).
//!
//! Invariant: no IO and no database: it turns what the store hands over into bytes.

mod access;
mod error;
mod pdf;
mod summary;
mod text;
mod visit;

pub use access::access_report;
pub use error::ExportError;
pub use pdf::Progress;
pub use summary::summary_report;
pub use visit::visit_report;
