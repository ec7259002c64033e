//! The short typeable invitation code. A full invitation (relay, document, secret, document key)
//! does not fit in something a person can type, so the adviser's device seals it under a key
//! derived from a short random code and leaves the sealed bundle with the relay, filed under a
//! lookup value derived from the same code. The employer types the code; the device derives the
//! lookup value, fetches the bundle and opens it. The relay holds neither the code nor the key, and
//! 80 random bits cannot be guessed against an expiring, rate-limited, single-use invitation.
//!
//! Offline, whoever copies the relay's database could try codes against every bundle in it at once
//! (the salt cannot differ per bundle: the code alone must find its bundle). So each guess is made
//! to cost: the code is stretched with Argon2id (19 MiB, 2 passes, OWASP's minimum) before HKDF
//! derives the lookup value and the sealing key, and the relay deletes a bundle when its
//! invitation is used, revoked or expires, so a copy holds at most two weeks of unused codes.
//!
//! The full code (QR code and paste, which carries the document and works offline) is sealed
//! under the same short code, shown beside it: a photo of the QR code or a clipboard history
//! alone holds nothing readable, and the device that takes it needs both.
//!
//! Code: 10 random bytes as 16 base32 letters (RFC 4648, `data-encoding`), shown `ABCD-EFGH-JKLM-NPQR`. Keys: Argon2id, then
//! HKDF-SHA256 with separate `info` strings for the lookup value and the sealing key. A bundle
//! and a full code are sealed with different associated data, so neither opens as the other.
//!
//! A device pairing (an adviser's new device taking every placement she follows) is one short
//! code for many bundles: bundle `i` is filed under its own lookup value and sealed under its own
//! key, both derived from the one stretched code with the index in HKDF's `info`, and with its
//! own associated data. The code is stretched once however many bundles it opens; the relay
//! sees unrelated lookup values; a bundle moved to another index, or a single invitation's
//! bundle offered as one of a set, does not open.

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use data_encoding::BASE32_NOPAD;
use hkdf::Hkdf;
use rand::RngCore;
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::ProtocolError;

/// The code's length in bytes (80 bits).
pub const CODE_BYTES: usize = 10;
/// The largest sealed bundle the relay keeps.
pub const MAX_BUNDLE: usize = 8 * 1024;
/// How long after its invitation is used a short code's bundle is still served, and only to the
/// device that used it. A join cut short between the relay's acceptance and the device keeping the
/// document (a crash, a lost connection) then goes on when the code is typed again, instead of
/// losing that document to the code. The relay deletes the bundle after this.
pub const RETAKE_AFTER_USE_MS: i64 = 60 * 60 * 1000;
/// XChaCha20-Poly1305's nonce, which a sealed bundle starts with.
const NONCE_BYTES: usize = 24;
/// What sealing adds to a bundle: the nonce before it, Poly1305's 16-byte tag after it. Anything
/// shorter was cut off, whatever the short code.
pub const SEALED_OVERHEAD: usize = NONCE_BYTES + 16;

const AAD: &[u8] = b"folgesvenn/bundle/v2";
const FULL_CODE_AAD: &[u8] = b"folgesvenn/full-code/v1";
const SET_AAD: &[u8] = b"folgesvenn/device-bundle/v1";
const SALT: &[u8] = b"folgesvenn/short-code/v2";
/// Argon2id cost per code: 19 MiB, 2 passes, one lane.
const M_COST_KIB: u32 = 19 * 1024;
const T_COST: u32 = 2;

/// A short invitation code. Never logged, never sent anywhere.
#[derive(Clone)]
pub struct ShortCode {
    code: Zeroizing<[u8; CODE_BYTES]>,
    /// The stretched code, computed once (Argon2id takes a noticeable moment).
    stretched: std::sync::OnceLock<Zeroizing<[u8; 32]>>,
}

impl PartialEq for ShortCode {
    fn eq(&self, other: &ShortCode) -> bool {
        self.code == other.code
    }
}

impl Eq for ShortCode {}

impl std::fmt::Debug for ShortCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ShortCode(…)")
    }
}

impl ShortCode {
    pub fn generate() -> ShortCode {
        let mut b = [0u8; CODE_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut b);
        ShortCode::from_bytes(b)
    }

    fn from_bytes(b: [u8; CODE_BYTES]) -> ShortCode {
        ShortCode {
            code: Zeroizing::new(b),
            stretched: std::sync::OnceLock::new(),
        }
    }

    /// `ABCD-EFGH-JKLM-NPQR`.
    pub fn display(&self) -> String {
        // Zeroized like the code: the letters are the code.
        let letters = Zeroizing::new(BASE32_NOPAD.encode(self.code.as_slice()));
        letters
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join("-")
    }

    /// Reads a typed code: case, spaces and dashes do not matter, and the look-alikes 0, 1 and 8
    /// are read as O, I and B.
    pub fn parse(typed: &str) -> Result<ShortCode, ProtocolError> {
        let letters: Zeroizing<Vec<u8>> = Zeroizing::new(
            typed
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .map(|c| match c.to_ascii_uppercase() {
                    '0' => 'O',
                    '1' => 'I',
                    '8' => 'B',
                    other => other,
                } as u8)
                .collect(),
        );
        if letters.len() != 16 {
            return Err(ProtocolError::Decode("koden skal ha 16 tegn".into()));
        }
        let bytes = Zeroizing::new(
            BASE32_NOPAD
                .decode(&letters)
                .map_err(|_| ProtocolError::Decode("ukjent tegn i koden".into()))?,
        );
        let out: [u8; CODE_BYTES] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| ProtocolError::Decode("koden skal ha 16 tegn".into()))?;
        Ok(ShortCode::from_bytes(out))
    }

    fn stretched(&self) -> &[u8; 32] {
        self.stretched.get_or_init(|| {
            let params = Params::new(M_COST_KIB, T_COST, 1, Some(32))
                .expect("constant Argon2id parameters are valid");
            let mut out = Zeroizing::new([0u8; 32]);
            Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
                .hash_password_into(self.code.as_slice(), SALT, out.as_mut())
                .expect("a 10-byte code and a 24-byte salt are valid Argon2id input");
            out
        })
    }

    fn derive(&self, info: &[u8]) -> Zeroizing<[u8; 32]> {
        let hk = Hkdf::<Sha256>::new(Some(SALT), self.stretched());
        let mut out = Zeroizing::new([0u8; 32]);
        hk.expand(info, out.as_mut_slice())
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        out
    }

    /// What the relay files the bundle under.
    pub fn lookup(&self) -> [u8; 32] {
        *self.derive(b"lookup")
    }

    /// Seals a bundle for the relay to keep.
    pub fn seal(&self, plaintext: &[u8]) -> Vec<u8> {
        self.seal_with(b"seal", AAD, plaintext)
    }

    /// What the relay files bundle `index` of a device pairing under.
    pub fn lookup_at(&self, index: u32) -> [u8; 32] {
        *self.derive(format!("device/{index}/lookup").as_bytes())
    }

    /// Seals bundle `index` of a device pairing.
    pub fn seal_at(&self, index: u32, plaintext: &[u8]) -> Vec<u8> {
        self.seal_with(
            format!("device/{index}/seal").as_bytes(),
            SET_AAD,
            plaintext,
        )
    }

    /// Opens bundle `index` of a device pairing: [`ProtocolError::CannotOpen`] for any other
    /// index's bundle, a single invitation's, or another code's.
    pub fn open_at(&self, index: u32, sealed: &[u8]) -> Result<Vec<u8>, ProtocolError> {
        self.open_with(format!("device/{index}/seal").as_bytes(), SET_AAD, sealed)
    }

    /// Opens a bundle fetched from the relay.
    pub fn open(&self, sealed: &[u8]) -> Result<Vec<u8>, ProtocolError> {
        self.open_with(b"seal", AAD, sealed)
    }

    /// Seals a full code's invitation.
    pub fn seal_full_code(&self, plaintext: &[u8]) -> Vec<u8> {
        self.seal_with(b"seal", FULL_CODE_AAD, plaintext)
    }

    /// Opens a full code's invitation: [`ProtocolError::CannotOpen`] if this is not its short code.
    pub fn open_full_code(&self, sealed: &[u8]) -> Result<Vec<u8>, ProtocolError> {
        self.open_with(b"seal", FULL_CODE_AAD, sealed)
    }

    fn seal_with(&self, key_info: &[u8], aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
        let key = self.derive(key_info);
        let cipher = XChaCha20Poly1305::new(key.as_slice().into());
        let mut nonce = [0u8; NONCE_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let mut out = nonce.to_vec();
        out.extend(
            cipher
                .encrypt(
                    XNonce::from_slice(&nonce),
                    Payload {
                        msg: plaintext,
                        aad,
                    },
                )
                .expect("XChaCha20-Poly1305 encryption of a bounded message does not fail"),
        );
        out
    }

    fn open_with(
        &self,
        key_info: &[u8],
        aad: &[u8],
        sealed: &[u8],
    ) -> Result<Vec<u8>, ProtocolError> {
        let (nonce, ct) = sealed
            .split_at_checked(NONCE_BYTES)
            .ok_or(ProtocolError::CannotOpen)?;
        let key = self.derive(key_info);
        XChaCha20Poly1305::new(key.as_slice().into())
            .decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad })
            .map_err(|_| ProtocolError::CannotOpen)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealing_adds_exactly_the_overhead_and_less_cannot_open() {
        let code = ShortCode::generate();
        for plain in [&b""[..], b"invitasjon", &[7u8; 300]] {
            let sealed = code.seal_full_code(plain);
            assert_eq!(sealed.len(), plain.len() + SEALED_OVERHEAD);
            assert_eq!(code.open_full_code(&sealed).unwrap(), plain);
            assert!(code.open_full_code(&sealed[..SEALED_OVERHEAD - 1]).is_err());
        }
    }

    #[test]
    fn codes_round_trip_forgive_typing_and_seal() {
        let code = ShortCode::generate();
        let shown = code.display();
        assert_eq!(shown.len(), 19, "{shown}");
        assert_eq!(ShortCode::parse(&shown).unwrap(), code);
        let typed = shown.to_lowercase().replace('-', " ").replace('o', "0");
        assert_eq!(ShortCode::parse(&typed).unwrap(), code);
        assert!(ShortCode::parse("ABCD-EFGH").is_err());
        // RFC 4648 base32, the same letters the hand-written encoder made.
        let known = ShortCode::from_bytes([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        assert_eq!(known.display(), "AAAQ-EAYE-AUDA-OCAJ");
        assert!(ShortCode::parse("aaaq eaye auda ocaj").unwrap() == known);
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

        // A bundle never opens as a full code, nor a full code as a bundle.
        let full = code.seal_full_code(b"invitasjon");
        assert_eq!(code.open_full_code(&full).unwrap(), b"invitasjon");
        assert_eq!(code.open(&full), Err(ProtocolError::CannotOpen));
        assert_eq!(code.open_full_code(&sealed), Err(ProtocolError::CannotOpen));
        assert_eq!(other.open_full_code(&full), Err(ProtocolError::CannotOpen));
    }

    /// A device pairing's bundles: each index has its own lookup value and key, so a relay that
    /// files one bundle under another index, or offers a single invitation's bundle as one of the
    /// set (or the other way round), gets nothing opened.
    #[test]
    fn a_device_pairings_bundles_open_only_at_their_own_index() {
        let code = ShortCode::generate();
        let lookups: Vec<[u8; 32]> = (0..3).map(|i| code.lookup_at(i)).collect();
        assert!(lookups[0] != lookups[1] && lookups[1] != lookups[2] && lookups[0] != lookups[2]);
        assert!(!lookups.contains(&code.lookup()));
        let second = code.seal_at(1, b"nummer to");
        assert_eq!(code.open_at(1, &second).unwrap(), b"nummer to");
        assert_eq!(code.open_at(0, &second), Err(ProtocolError::CannotOpen));
        assert_eq!(code.open_at(2, &second), Err(ProtocolError::CannotOpen));
        assert_eq!(code.open(&second), Err(ProtocolError::CannotOpen));
        assert_eq!(code.open_full_code(&second), Err(ProtocolError::CannotOpen));
        assert_eq!(
            code.open_at(0, &code.seal(b"en")),
            Err(ProtocolError::CannotOpen)
        );
        assert_eq!(
            ShortCode::generate().open_at(1, &second),
            Err(ProtocolError::CannotOpen)
        );
    }
}

#[cfg(test)]
mod stretched {
    use super::*;

    /// The lookup value of a fixed code, pinned: the relay files bundles under it, so a change of
    /// derivation is a protocol change. Before Argon2id stretched the code (issue 12, finding 5),
    /// it was one HKDF away from the code, and a copy of the relay's database could be searched
    /// for every code at HKDF speed.
    #[test]
    fn the_lookup_value_is_derived_from_the_stretched_code() {
        let code = ShortCode::parse("ABCD-EFGH-JKLM-NPQR").unwrap();
        let unstretched = {
            let hk = Hkdf::<Sha256>::new(Some(SALT), code.code.as_slice());
            let mut out = [0u8; 32];
            hk.expand(b"lookup", &mut out).unwrap();
            out
        };
        assert_ne!(code.lookup(), unstretched);
        assert_eq!(hex::encode(code.lookup()), PINNED);
    }

    const PINNED: &str = "a5881fd1730bb0704dfff504874f2ea02909718e0eaf59280f516a782dac2341";
}
