//! `FSC2`: framed changes without what the receiver can compute again, the form they travel in
//! (inside the compression).
//!
//! An automerge change chunk is its magic (`85 6f 4a 83`), a checksum (the first four bytes of
//! the change's hash), its type, the length of its data and the data, which starts with the
//! hashes of the changes it depends on: 32 bytes each that no compression can shrink. In a batch
//! nearly every change depends on the one before it, so those hashes are a third of a compressed
//! month of changes. Here each change is one of
//!
//! - `0`, the chunk's length and the chunk as it is (what does not fit the form below), or
//! - `1` for a change chunk: its number of dependencies; each dependency as `0` and its 32 bytes,
//!   or as `i + 1` for the hash of this batch's `i`-th change; then the length and the bytes of
//!   the rest of its data;
//!
//! every number unsigned LEB128. The receiver rebuilds each chunk byte for byte, hashing it for its
//! checksum and for the changes after it that name it, and hands on `FSC1` frames, which are then
//! parsed strictly as any other ([`super::decode`]). The sender keeps a change in the second form
//! only after rebuilding it from that form gave back the very same bytes.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use super::limits::{FRAMED, MAX_CHANGE, MAX_INFLATED};
use crate::DocError;

pub(super) const PACKED: &[u8; 4] = b"FSC2";
const CHUNK_MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
/// A change chunk's type; automerge's other types (a document, a compressed change) go as they are.
const CHANGE_CHUNK: u8 = 1;
const AS_IS: u64 = 0;
const REBUILT: u64 = 1;
const HASH: usize = 32;

fn bad(why: &str) -> DocError {
    DocError::Unreadable(format!("endringene kan ikke leses: {why}"))
}

fn uleb(out: &mut Vec<u8>, n: u64) {
    leb128::write::unsigned(out, n).expect("writing into memory does not fail");
}

fn read_uleb(input: &mut &[u8]) -> Result<u64, DocError> {
    leb128::read::unsigned(input).map_err(|_| bad("ugyldig tall"))
}

fn take<'a>(input: &mut &'a [u8], n: u64) -> Result<&'a [u8], DocError> {
    let n = usize::try_from(n).map_err(|_| bad("avkortet endring"))?;
    let (head, rest) = input
        .split_at_checked(n)
        .ok_or_else(|| bad("avkortet endring"))?;
    *input = rest;
    Ok(head)
}

/// `FSC1` frames → `FSC2`; `None` when the input is not `FSC1` frames (it then travels as it is).
pub(super) fn pack(framed: &[u8]) -> Option<Vec<u8>> {
    let mut input = framed.strip_prefix(FRAMED.as_slice())?;
    let mut out = PACKED.to_vec();
    // Each earlier change's hash where it was rebuilt (only those can be named), and the other
    // way round.
    let mut hashes: Vec<Option<[u8; HASH]>> = Vec::new();
    let mut index: HashMap<[u8; HASH], u64> = HashMap::new();
    while !input.is_empty() {
        let (len, rest) = input.split_at_checked(4)?;
        let len = u32::from_be_bytes(len.try_into().ok()?) as usize;
        let (chunk, rest) = rest.split_at_checked(len)?;
        input = rest;
        let rebuilt = as_rebuilt(chunk, &index).and_then(|entry| {
            let mut r = entry.as_slice();
            match read_entry(&mut r, &hashes) {
                Ok((c, hash)) if c == chunk && r.is_empty() => Some((entry, hash)),
                _ => None,
            }
        });
        match rebuilt {
            Some((entry, hash)) => {
                out.extend_from_slice(&entry);
                if let Some(hash) = hash {
                    index.entry(hash).or_insert(hashes.len() as u64);
                }
                hashes.push(hash);
            }
            None => {
                uleb(&mut out, AS_IS);
                uleb(&mut out, chunk.len() as u64);
                out.extend_from_slice(chunk);
                hashes.push(None);
            }
        }
    }
    Some(out)
}

/// A change chunk in the rebuilt form, or `None` if it is not one.
fn as_rebuilt(chunk: &[u8], earlier: &HashMap<[u8; HASH], u64>) -> Option<Vec<u8>> {
    let (magic, rest) = chunk.split_at_checked(4)?;
    let (_checksum, rest) = rest.split_at_checked(4)?;
    let (&kind, mut rest) = rest.split_first()?;
    if magic != CHUNK_MAGIC || kind != CHANGE_CHUNK {
        return None;
    }
    let _len = leb128::read::unsigned(&mut rest).ok()?;
    let mut data = rest;
    let deps = leb128::read::unsigned(&mut data).ok()?;
    let mut out = Vec::new();
    uleb(&mut out, REBUILT);
    uleb(&mut out, deps);
    for _ in 0..deps {
        let (dep, rest) = data.split_first_chunk::<HASH>()?;
        data = rest;
        match earlier.get(dep) {
            Some(i) => uleb(&mut out, i + 1),
            None => {
                uleb(&mut out, 0);
                out.extend_from_slice(dep);
            }
        }
    }
    uleb(&mut out, data.len() as u64);
    out.extend_from_slice(data);
    Some(out)
}

/// One entry → its chunk and, for a rebuilt change, its hash.
fn read_entry(
    input: &mut &[u8],
    earlier: &[Option<[u8; HASH]>],
) -> Result<(Vec<u8>, Option<[u8; HASH]>), DocError> {
    match read_uleb(input)? {
        AS_IS => {
            let len = read_uleb(input)?;
            if len > MAX_CHANGE as u64 {
                return Err(bad("for stor endring"));
            }
            Ok((take(input, len)?.to_vec(), None))
        }
        REBUILT => {
            let deps = read_uleb(input)?;
            // Each dependency takes at least one byte here and 32 in the change.
            if deps > input.len() as u64 || deps > (MAX_CHANGE / HASH) as u64 {
                return Err(bad("avkortet endring"));
            }
            let mut data = Vec::new();
            uleb(&mut data, deps);
            for _ in 0..deps {
                match read_uleb(input)? {
                    0 => data.extend_from_slice(take(input, HASH as u64)?),
                    i => {
                        let hash = usize::try_from(i - 1)
                            .ok()
                            .and_then(|i| earlier.get(i).copied().flatten())
                            .ok_or_else(|| bad("ukjent avhengighet"))?;
                        data.extend_from_slice(&hash);
                    }
                }
            }
            let rest = read_uleb(input)?;
            if rest > MAX_CHANGE as u64 {
                return Err(bad("for stor endring"));
            }
            data.extend_from_slice(take(input, rest)?);
            let mut body = vec![CHANGE_CHUNK];
            uleb(&mut body, data.len() as u64);
            body.extend_from_slice(&data);
            let hash: [u8; HASH] = Sha256::digest(&body).into();
            let mut chunk = CHUNK_MAGIC.to_vec();
            chunk.extend_from_slice(&hash[..4]);
            chunk.extend_from_slice(&body);
            if chunk.len() > MAX_CHANGE {
                return Err(bad("for stor endring"));
            }
            Ok((chunk, Some(hash)))
        }
        _ => Err(bad("ukjent form")),
    }
}

/// `FSC2` → `FSC1` frames, refused whole if any entry is damaged or the frames would exceed
/// [`MAX_INFLATED`].
pub(super) fn unpack(packed: &[u8]) -> Result<Vec<u8>, DocError> {
    let mut input = packed
        .strip_prefix(PACKED.as_slice())
        .ok_or_else(|| bad("ukjent format"))?;
    let mut out = FRAMED.to_vec();
    let mut hashes = Vec::new();
    while !input.is_empty() {
        let (chunk, hash) = read_entry(&mut input, &hashes)?;
        if (out.len() + 4 + chunk.len()) as u64 > MAX_INFLATED {
            return Err(super::limits::too_large());
        }
        out.extend_from_slice(&(chunk.len() as u32).to_be_bytes());
        out.extend_from_slice(&chunk);
        hashes.push(hash);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;
    use automerge::{ActorId, AutoCommit, ObjType, ROOT};
    use proptest::prelude::*;

    use super::*;
    use crate::changes::{compress, decode, decompress, encode};

    /// Three devices writing notes and fields, merging now and then, as `steps` says: each step
    /// is (device, what, merge from which device).
    fn history(steps: &[(usize, u8, Option<usize>)]) -> AutoCommit {
        let mut docs: Vec<AutoCommit> = (0..3u8)
            .map(|i| AutoCommit::new().with_actor(ActorId::from(vec![i + 1; 16])))
            .collect();
        let text = docs[0].put_object(ROOT, "note", ObjType::Text).unwrap();
        docs[0].commit();
        let first = docs[0].save();
        for d in &mut docs[1..] {
            d.load_incremental(&first).unwrap();
        }
        for (n, &(who, what, from)) in steps.iter().enumerate() {
            if let Some(from) = from.filter(|f| *f != who) {
                let mut other = docs[from].clone();
                docs[who].merge(&mut other).unwrap();
            }
            let d = &mut docs[who];
            match what % 3 {
                0 => d.put(ROOT, format!("felt{}", what % 5), n as i64).unwrap(),
                1 => d
                    .splice_text(&text, 0, 0, "Møtte presis, god dag på lageret.")
                    .unwrap(),
                _ => d.put(ROOT, "sist", format!("enhet {who}")).unwrap(),
            }
            d.commit();
        }
        let (first, rest) = docs.split_at_mut(1);
        for d in rest {
            first[0].merge(d).unwrap();
        }
        docs.swap_remove(0)
    }

    fn step() -> impl Strategy<Value = (usize, u8, Option<usize>)> {
        (
            0..3usize,
            any::<u8>(),
            proptest::option::weighted(0.3, 0..3usize),
        )
    }

    proptest! {
        /// Any batch of real changes (one device's run, several devices' merged, or what is new
        /// since some heads, whose first dependencies lie outside it) comes back byte for byte.
        #[test]
        fn packed_changes_rebuild_byte_for_byte(
            steps in proptest::collection::vec(step(), 1..40),
            cut in 0usize..40,
        ) {
            let mut doc = history(&steps);
            let all = doc.get_changes(&[]);
            let since: Vec<_> = all.iter().take(cut.min(all.len())).map(|c| c.hash()).collect();
            for batch in [all.clone(), doc.get_changes(&since)] {
                let framed = encode(batch.iter());
                let packed = pack(&framed).unwrap();
                prop_assert_eq!(unpack(&packed).unwrap(), framed.clone());
                prop_assert_eq!(decompress(&compress(&framed)).unwrap(), framed.clone());
                let hashes: Vec<_> = decode(&framed).unwrap().iter().map(|c| c.hash()).collect();
                prop_assert_eq!(hashes, batch.iter().map(|c| c.hash()).collect::<Vec<_>>());
            }
        }

        /// Whatever follows the magic, unpacking refuses it or returns frames; it never panics,
        /// and never gives more than it may.
        #[test]
        fn any_bytes_unpack_or_are_refused(body in proptest::collection::vec(any::<u8>(), 0..300)) {
            let mut input = PACKED.to_vec();
            input.extend_from_slice(&body);
            if let Ok(framed) = unpack(&input) {
                prop_assert!(framed.starts_with(FRAMED));
            }
        }
    }

    #[test]
    fn a_run_of_changes_loses_its_hashes_and_checksums() {
        let steps = [(0, 0, None); 50];
        let mut doc = history(&steps);
        let framed = encode(doc.get_changes(&[]).iter());
        let packed = pack(&framed).unwrap();
        // 51 changes, each after the first naming the one before: its hash (32 bytes) becomes one
        // byte, and its checksum, magic, type and length go (about 10 bytes).
        assert!(
            framed.len() - packed.len() >= 50 * 40,
            "{} → {}",
            framed.len(),
            packed.len()
        );
        assert_eq!(unpack(&packed).unwrap(), framed);
    }

    /// What is not a well-formed change chunk travels as it is, and still comes back byte for
    /// byte: other chunk types, a wrong checksum, a length written with more bytes than it needs.
    #[test]
    fn other_chunks_travel_as_they_are() {
        let mut doc = history(&[(0, 0, None), (0, 1, None)]);
        let real = doc.get_changes(&[]).last().unwrap().raw_bytes().to_vec();
        let mut wrong_checksum = real.clone();
        wrong_checksum[4] ^= 1;
        let mut long_length = real[..9].to_vec();
        let mut len_bytes = Vec::new();
        leb128::write::unsigned(&mut len_bytes, (real.len() - 9 - 1) as u64).unwrap();
        // The same number in one byte more than it needs.
        *len_bytes.last_mut().unwrap() |= 0x80;
        len_bytes.push(0);
        long_length.extend_from_slice(&len_bytes);
        long_length.extend_from_slice(&real[9 + 1..]);
        let mut compressed_kind = real.clone();
        compressed_kind[8] = 2;
        let chunks = [
            real.clone(),
            wrong_checksum,
            long_length,
            compressed_kind,
            b"not a chunk".to_vec(),
            Vec::new(),
        ];
        let mut framed = FRAMED.to_vec();
        for c in &chunks {
            framed.extend_from_slice(&(c.len() as u32).to_be_bytes());
            framed.extend_from_slice(c);
        }
        assert_eq!(unpack(&pack(&framed).unwrap()).unwrap(), framed);
        assert_eq!(pack(b"not framed"), None);
        assert_eq!(pack(b"FSC1\0\0\0\x09short"), None);
    }

    #[test]
    fn damaged_packed_changes_are_refused() {
        let mut doc = history(&[(0, 1, None), (0, 1, None), (0, 1, None)]);
        let packed = pack(&encode(doc.get_changes(&[]).iter())).unwrap();
        for cut in 5..packed.len() {
            // Cut between two changes it is a shorter batch; anywhere else, refused.
            let cut_short = unpack(&packed[..cut]);
            assert!(
                cut_short.is_err() || cut_short.is_ok_and(|f| decode(&f).is_ok()),
                "cut at {cut}"
            );
        }
        let refused = |body: &[u8]| {
            let mut input = PACKED.to_vec();
            input.extend_from_slice(body);
            unpack(&input).unwrap_err().to_string()
        };
        // A dependency on a change that is not (yet) in the batch.
        assert!(refused(&[1, 1, 1, 0]).contains("ukjent avhengighet"));
        assert!(refused(&[1, 1, 5, 0]).contains("ukjent avhengighet"));
        // More dependencies than bytes to hold them, or than a change may have.
        assert!(refused(&[1, 0xff, 0xff, 0xff, 0x7f]).contains("avkortet"));
        // An unknown form, a number that does not end, a length beyond the input.
        assert!(refused(&[7]).contains("ukjent form"));
        assert!(refused(&[0, 0xff, 0xff]).contains("ugyldig tall"));
        assert!(refused(&[0, 100, 1, 2]).contains("avkortet"));
        assert!(refused(&[0, 0xff, 0xff, 0xff, 0xff, 0x7f]).contains("for stor"));
    }
}
