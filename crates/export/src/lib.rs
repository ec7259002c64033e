//! Documents that leave the device, as a person reads them: tagged PDF/A-2a with the fonts
//! embedded (`pdf.rs`), in Norwegian bokmål (the language of NAV's case archive). Today: the
//! candidate's right of access (`access.rs`), from what the store's `access_export` gathers.
//!
//! Invariant: no IO and no database: it turns what the store hands over into bytes.

mod access;
mod error;
mod pdf;

pub use access::access_report;
pub use error::ExportError;
