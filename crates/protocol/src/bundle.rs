//! The short typeable invitation code. A full invitation (relay, document, secret, document key)
//! does not fit in something a person can type, so the adviser's device seals it under a key
//! derived from a short random code and leaves the sealed bundle with the relay, filed under a
//! lookup value derived from the same code. The employer types the code; the device derives the
//! lookup value, fetches the bundle and opens it. The relay holds neither the code nor the key, and
//! 80 random bits cannot be guessed against an expiring, rate-limited, single-use invitation.
//!
//! Code: 10 random bytes as 16 base32 letters, shown `ABCD-EFGH-JKLM-NPQR`. Keys: HKDF-SHA256 with
//! separate `info` strings for the lookup value and the sealing key.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use rand::RngCore;
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::ProtocolError;

/// The code's length in bytes (80 bits).
pub const CODE_BYTES: usize = 10;
/// The largest sealed bundle the relay keeps.
pub const MAX_BUNDLE: usize = 8 * 1024;

const AAD: &[u8] = b"folgesvenn/bundle/v1";
const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// A short invitation code. Never logged, never sent anywhere.
#[derive(Clone, PartialEq, Eq)]
pub struct ShortCode(Zeroizing<[u8; CODE_BYTES]>);

impl std::fmt::Debug for ShortCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ShortCode(…)")
    }
}

impl ShortCode {
    pub fn generate() -> ShortCode {
        let mut b = [0u8; CODE_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut b);
        ShortCode(Zeroizing::new(b))
    }

    /// `ABCD-EFGH-JKLM-NPQR`.
    pub fn display(&self) -> String {
        let mut bits = 0u32;
        let mut n = 0;
        let mut letters = Vec::with_capacity(16);
        for byte in self.0.iter() {
            bits = (bits << 8) | u32::from(*byte);
            n += 8;
            while n >= 5 {
                n -= 5;
                letters.push(ALPHABET[((bits >> n) & 31) as usize] as char);
            }
        }
        letters
            .chunks(4)
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join("-")
    }

    /// Reads a typed code: case, spaces and dashes do not matter, and the look-alikes 0, 1 and 8
    /// are read as O, I and B.
    pub fn parse(typed: &str) -> Result<ShortCode, ProtocolError> {
        let letters: Vec<u8> = typed
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| match c.to_ascii_uppercase() {
                '0' => 'O',
                '1' => 'I',
                '8' => 'B',
                other => other,
            } as u8)
            .collect();
        if letters.len() != 16 {
            return Err(ProtocolError::Decode("koden skal ha 16 tegn".into()));
        }
        let mut out = [0u8; CODE_BYTES];
        let (mut bits, mut n, mut i) = (0u32, 0, 0);
        for l in letters {
            let v = ALPHABET
                .iter()
                .position(|a| *a == l)
                .ok_or_else(|| ProtocolError::Decode("ukjent tegn i koden".into()))?;
            bits = (bits << 5) | v as u32;
            n += 5;
            if n >= 8 {
                n -= 8;
                out[i] = (bits >> n) as u8;
                i += 1;
            }
        }
        Ok(ShortCode(Zeroizing::new(out)))
    }

    fn derive(&self, info: &[u8]) -> Zeroizing<[u8; 32]> {
        let hk = Hkdf::<Sha256>::new(Some(b"folgesvenn/short-code/v1"), self.0.as_slice());
        let mut out = Zeroizing::new([0u8; 32]);
        hk.expand(info, out.as_mut_slice())
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        out
    }

    /// What the relay files the bundle under.
    pub fn lookup(&self) -> [u8; 32] {
        *self.derive(b"lookup")
    }

    pub fn seal(&self, plaintext: &[u8]) -> Vec<u8> {
        let key = self.derive(b"seal");
        let cipher = XChaCha20Poly1305::new(key.as_slice().into());
        let mut nonce = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let mut out = nonce.to_vec();
        out.extend(
            cipher
                .encrypt(
                    XNonce::from_slice(&nonce),
                    Payload {
                        msg: plaintext,
                        aad: AAD,
                    },
                )
                .expect("XChaCha20-Poly1305 encryption of a bounded message does not fail"),
        );
        out
    }

    pub fn open(&self, sealed: &[u8]) -> Result<Vec<u8>, ProtocolError> {
        let (nonce, ct) = sealed
            .split_at_checked(24)
            .ok_or(ProtocolError::CannotOpen)?;
        let key = self.derive(b"seal");
        XChaCha20Poly1305::new(key.as_slice().into())
            .decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad: AAD })
            .map_err(|_| ProtocolError::CannotOpen)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_forgive_typing_and_seal() {
        let code = ShortCode::generate();
        let shown = code.display();
        assert_eq!(shown.len(), 19, "{shown}");
        assert_eq!(ShortCode::parse(&shown).unwrap(), code);
        let typed = shown.to_lowercase().replace('-', " ").replace('o', "0");
        assert_eq!(ShortCode::parse(&typed).unwrap(), code);
        assert!(ShortCode::parse("ABCD-EFGH").is_err());
        assert!(ShortCode::parse("ABCD-EFGH-JKLM-NPQ9").is_err());

        let sealed = code.seal(b"invitasjon");
        assert_eq!(code.open(&sealed).unwrap(), b"invitasjon");
        let other = ShortCode::generate();
        assert_ne!(other.lookup(), code.lookup());
        assert_eq!(other.open(&sealed), Err(ProtocolError::CannotOpen));
        let mut flipped = sealed.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert_eq!(code.open(&flipped), Err(ProtocolError::CannotOpen));
        assert_eq!(code.open(&[1, 2, 3]), Err(ProtocolError::CannotOpen));
    }
}
