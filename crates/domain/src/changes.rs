//! How a batch of changes travels between devices: a strict, length-framed list of automerge
//! changes.
//!
//! automerge's own `load_incremental` keeps whatever chunks of its input it can parse and silently
//! drops the rest. Between devices that is not good enough: a record that arrives damaged must be
//! refused whole (and quarantined), never half-applied. So each change is framed with its length
//! and parsed on its own with `Change::from_bytes`, which checks its checksum; any error refuses
//! the batch before anything is applied.
//!
//! Format: the magic `FSC1`, then for each change a big-endian `u32` length and the change's bytes.

use automerge::Change;

use crate::DocError;

const MAGIC: &[u8; 4] = b"FSC1";
/// No single change a person makes comes near this; anything larger is refused unread.
const MAX_CHANGE: usize = 16 * 1024 * 1024;

pub fn encode<'a>(changes: impl IntoIterator<Item = &'a Change>) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    for c in changes {
        let raw = c.raw_bytes();
        out.extend_from_slice(&(raw.len() as u32).to_be_bytes());
        out.extend_from_slice(raw);
    }
    out
}

pub fn decode(mut bytes: &[u8]) -> Result<Vec<Change>, DocError> {
    let bad = |why: &str| DocError::Unreadable(format!("endringene kan ikke leses: {why}"));
    bytes = bytes
        .strip_prefix(MAGIC.as_slice())
        .ok_or_else(|| bad("ukjent format"))?;
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let (len, rest) = bytes
            .split_at_checked(4)
            .ok_or_else(|| bad("avkortet lengde"))?;
        let len = u32::from_be_bytes([len[0], len[1], len[2], len[3]]) as usize;
        if len > MAX_CHANGE {
            return Err(bad("for stor endring"));
        }
        let (raw, rest) = rest
            .split_at_checked(len)
            .ok_or_else(|| bad("avkortet endring"))?;
        out.push(Change::from_bytes(raw.to_vec()).map_err(|e| bad(&e.to_string()))?);
        bytes = rest;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::transaction::Transactable;

    #[test]
    fn round_trip_and_strict_refusal() {
        let mut doc = automerge::AutoCommit::new();
        doc.put(automerge::ROOT, "a", 1).unwrap();
        doc.commit();
        doc.put(automerge::ROOT, "b", 2).unwrap();
        doc.commit();
        let changes = doc.get_changes(&[]);
        let bytes = encode(changes.iter());
        assert_eq!(decode(&bytes).unwrap().len(), 2);
        assert_eq!(decode(MAGIC).unwrap().len(), 0);

        assert!(decode(b"garbage").is_err());
        assert!(decode(&bytes[..bytes.len() - 1]).is_err(), "truncated");
        let mut flipped = bytes.clone();
        let last = flipped.len() - 3;
        flipped[last] ^= 0xff;
        assert!(
            decode(&flipped).is_err(),
            "a flipped byte fails the change's checksum"
        );
        let mut huge = MAGIC.to_vec();
        huge.extend_from_slice(&u32::MAX.to_be_bytes());
        assert!(decode(&huge).is_err());
    }
}
