//! The framing's magic and the limits every form of it keeps (`FSC1`, and `FSC2` when rebuilt).

pub(super) const FRAMED: &[u8; 4] = b"FSC1";
/// No single change a person makes comes near this; anything larger is refused unread.
pub(super) const MAX_CHANGE: usize = 16 * 1024 * 1024;
/// Compressed or packed changes never expand beyond this (a bomb is refused, not expanded).
pub(super) const MAX_INFLATED: u64 = 64 * 1024 * 1024;

/// The refusal of a batch that would expand beyond [`MAX_INFLATED`].
pub(super) fn too_large() -> crate::DocError {
    crate::DocError::Unreadable("endringene er for store når de pakkes ut".into())
}
