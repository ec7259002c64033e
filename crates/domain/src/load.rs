//! Reading automerge bytes without trusting them: a panic inside automerge becomes an error,
//! and a partial load is refused. Below every module that loads or merges bytes.

use automerge::AutoCommit;

use crate::DocError;

/// automerge 0.12 panics on some malformed input instead of returning an error (found by
/// fuzzing; the inputs are kept in `fuzz/fixtures/apply_changes/`). Every call that parses or
/// applies bytes from elsewhere runs inside this wall, which turns such a panic into
/// [`DocError::Unreadable`]. A document that was being changed when the panic came may be left
/// inconsistent: the caller drops it and reloads it from disk (the store does).
pub(crate) fn contained<T>(f: impl FnOnce() -> Result<T, DocError>) -> Result<T, DocError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Err(DocError::Unreadable(
            "automerge kunne ikke lese dataene".into(),
        ))
    })
}

/// Loads a whole saved document strictly: damaged input is an error, never a partial document.
pub(crate) fn load_strict(bytes: &[u8]) -> Result<AutoCommit, DocError> {
    contained(|| {
        Ok(AutoCommit::load_with_options(
            bytes,
            automerge::LoadOptions::new().on_partial_load(automerge::OnPartialLoad::Error),
        )?)
    })
}
