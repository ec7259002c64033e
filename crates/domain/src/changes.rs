//! How a batch of changes travels between devices: a strict, length-framed list of automerge
//! changes.
//!
//! automerge's own `load_incremental` keeps whatever chunks of its input it can parse and silently
//! drops the rest. Between devices that is not good enough: a record that arrives damaged must be
//! refused whole (and quarantined), never half-applied. So each change is framed with its length
//! and parsed on its own with `Change::from_bytes`; any error refuses the batch before anything is
//! applied. (`from_bytes` in automerge 0.12 does not verify the checksum, and it panics on some
//! malformed changes: it runs inside the panic wall. Damage in transit is caught earlier anyway,
//! by the record's AEAD tag; what reaches this point came from a device holding the key.)
//!
//! Format: the magic `FSC1`, then for each change a big-endian `u32` length and the change's bytes.
//! Between devices they travel as `FSC2` ([`packed`]) inside DEFLATE ([`compress`]).

use automerge::Change;

use crate::DocError;

mod limits;
mod packed;

use limits::{FRAMED, MAX_CHANGE, MAX_INFLATED};

pub fn encode<'a>(changes: impl IntoIterator<Item = &'a Change>) -> Vec<u8> {
    let mut out = FRAMED.to_vec();
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
        .strip_prefix(FRAMED.as_slice())
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
        out.push(crate::load::contained(|| {
            Change::from_bytes(raw.to_vec()).map_err(|e| bad(&e.to_string()))
        })?);
        bytes = rest;
    }
    Ok(out)
}

/// Several framed lists as one (to apply many records in one go); each must be framed.
pub fn concat<'a>(lists: impl IntoIterator<Item = &'a [u8]>) -> Result<Vec<u8>, DocError> {
    let mut out = FRAMED.to_vec();
    for list in lists {
        let body = list.strip_prefix(FRAMED.as_slice()).ok_or_else(|| {
            DocError::Unreadable("endringene kan ikke leses: ukjent format".into())
        })?;
        out.extend_from_slice(body);
    }
    Ok(out)
}

/// Framed changes travel compressed with DEFLATE behind this magic: single automerge changes are
/// stored uncompressed and repeat actor ids and keys, so a day of them shrinks to about a third.
const DEFLATED: &[u8; 4] = b"FSZ1";

/// `FSC1…` framed changes in the form they travel in, `FSC2` ([`packed`]); anything else as it is.
pub fn pack(framed: &[u8]) -> Vec<u8> {
    packed::pack(framed).unwrap_or_else(|| framed.to_vec())
}

/// `FSC1…` framed changes → `FSZ1` + DEFLATE of their `FSC2` form ([`pack`]).
pub fn compress(framed: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc =
        flate2::write::DeflateEncoder::new(DEFLATED.to_vec(), flate2::Compression::best());
    enc.write_all(&pack(framed))
        .and_then(|()| enc.finish())
        .expect("compressing into memory does not fail")
}

/// The `FSC1` framed changes of a record's plaintext: inflated if it is compressed, rebuilt if it
/// is `FSC2`, else as it is (devices before `FSC2` sent DEFLATE of `FSC1`).
pub fn decompress(plaintext: &[u8]) -> Result<Vec<u8>, DocError> {
    use std::io::Read;
    let inflated = match plaintext.strip_prefix(DEFLATED.as_slice()) {
        None => plaintext.to_vec(),
        Some(deflated) => {
            let mut out = Vec::new();
            flate2::read::DeflateDecoder::new(deflated)
                .take(MAX_INFLATED + 1)
                .read_to_end(&mut out)
                .map_err(|e| DocError::Unreadable(format!("endringene kan ikke pakkes ut: {e}")))?;
            if out.len() as u64 > MAX_INFLATED {
                return Err(limits::too_large());
            }
            out
        }
    };
    if inflated.starts_with(packed::PACKED) {
        packed::unpack(&inflated)
    } else {
        Ok(inflated)
    }
}

/// A whole saved document (a snapshot record) as framed changes, loaded strictly and inside the
/// panic wall.
pub fn from_snapshot(bytes: &[u8]) -> Result<Vec<u8>, DocError> {
    let mut doc = crate::load::load_strict(bytes)?;
    crate::load::contained(|| Ok(encode(doc.get_changes(&[]).iter())))
}

/// A whole saved document (a snapshot record) as a document, loaded strictly and inside the panic
/// wall: what applying [`from_snapshot`]'s changes to an empty document builds, for half the work.
pub fn snapshot_document(bytes: &[u8]) -> Result<automerge::AutoCommit, DocError> {
    crate::load::load_strict(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::transaction::Transactable;

    /// Loading a snapshot builds the document its changes build when applied to nothing.
    #[test]
    fn a_snapshot_loads_as_its_changes_apply_to_an_empty_document() {
        let mut doc = automerge::AutoCommit::new();
        for i in 0..20 {
            doc.put(automerge::ROOT, format!("k{}", i % 7), i as i64)
                .unwrap();
            doc.commit();
        }
        let saved = doc.save();
        let mut loaded = snapshot_document(&saved).unwrap();
        let mut applied = automerge::AutoCommit::new();
        applied
            .apply_changes(decode(&from_snapshot(&saved).unwrap()).unwrap())
            .unwrap();
        assert_eq!(loaded.get_heads(), applied.get_heads());
        assert_eq!(loaded.save(), applied.save());
        assert!(snapshot_document(b"not a document").is_err());
    }

    #[test]
    fn framed_lists_concatenate_into_one() {
        let (a, b) = (b"FSC1\0\0\0\x01x".to_vec(), b"FSC1\0\0\0\x02yz".to_vec());
        let joined = concat([a.as_slice(), b.as_slice()]).unwrap();
        assert_eq!(joined, b"FSC1\0\0\0\x01x\0\0\0\x02yz");
        assert!(concat([a.as_slice(), b"not framed".as_slice()]).is_err());
    }

    #[test]
    fn compressed_changes_round_trip_and_bombs_are_refused() {
        let framed = b"FSC1\0\0\0\x03abc".repeat(50);
        let packed = compress(&framed);
        assert!(packed.starts_with(DEFLATED) && packed.len() < framed.len());
        assert_eq!(decompress(&packed).unwrap(), framed);
        assert_eq!(
            decompress(&framed).unwrap(),
            framed,
            "uncompressed still reads"
        );
        assert!(decompress(b"FSZ1 not deflate at all").is_err());
        let bomb = compress(&vec![0u8; (MAX_INFLATED + 10) as usize]);
        assert!(decompress(&bomb).is_err());
    }

    /// automerge 0.12 panics on these inputs (found by `cargo xtask fuzz`); through the domain's
    /// API each is an error, never a panic.
    #[test]
    fn inputs_that_make_automerge_panic_are_refused_as_errors() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fuzz/fixtures/apply_changes");
        let mut seen = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let mut doc = crate::tests::shared();
            let applied = decompress(&bytes).and_then(|framed| doc.apply_changes(&framed));
            let snapshot = from_snapshot(&bytes);
            let loaded = crate::SharedDoc::load(&bytes);
            if name.starts_with("crash-automerge") {
                seen += 1;
                assert!(
                    applied.is_err() && snapshot.is_err() && loaded.is_err(),
                    "{name}"
                );
            }
        }
        assert!(seen >= 6, "the automerge crashers are all there ({seen})");
    }

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
        assert_eq!(decode(FRAMED).unwrap().len(), 0);

        assert!(decode(b"garbage").is_err());
        assert!(decode(&bytes[..bytes.len() - 1]).is_err(), "truncated");
        let mut flipped = bytes.clone();
        let last = flipped.len() - 3;
        flipped[last] ^= 0xff;
        assert!(
            decode(&flipped).is_err(),
            "a flipped byte fails the change's checksum"
        );
        let mut huge = FRAMED.to_vec();
        huge.extend_from_slice(&u32::MAX.to_be_bytes());
        assert!(decode(&huge).is_err());
    }
}
