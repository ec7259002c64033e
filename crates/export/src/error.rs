//! What can go wrong when a document is made.

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("Skriften kunne ikke leses ({0})")]
    Font(&'static str),
    #[error("PDF-filen kunne ikke lages: {0}")]
    Pdf(String),
    /// The caller's progress callback said stop; nothing was made.
    #[error("Eksporten ble avbrutt")]
    Cancelled,
}
