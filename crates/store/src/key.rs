//! The database key: 256 random bits that never lie in plaintext on disk.
//!
//! Where the OS has a keystore (Secret Service on Linux, Keychain, Credential Manager; Android
//! Keystore and iOS Keychain are planned for the mobile builds), the key lives there under this
//! device's id. Where it has none, the key is wrapped: a key-encryption key is derived from the
//! user's passphrase with Argon2id and seals the database key with XChaCha20-Poly1305. Only the
//! wrapped form and the Argon2 parameters are written, to `store.json` beside the database.
//!
//! `store.json` also keeps a short check value of the key (a truncated SHA-256 of it under a fixed
//! label). It reveals nothing usable about a 256-bit random key, and lets the store tell "this is
//! not the key of this file" from "this file has been damaged", so each gets its own clear error.

use std::fmt;

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;
use zeroize::{Zeroize, Zeroizing};

use crate::StoreError;

/// The service name under which keys are kept in the OS keystore.
pub const KEYSTORE_SERVICE: &str = "no.nav.folgesvenn";

/// A 256-bit SQLCipher key. Wiped from memory when dropped; never printed.
#[derive(Clone)]
pub struct DbKey(Zeroizing<[u8; 32]>);

impl DbKey {
    pub fn generate() -> DbKey {
        let mut k = Zeroizing::new([0u8; 32]);
        rand::rngs::OsRng.fill_bytes(k.as_mut());
        DbKey(k)
    }

    pub fn from_bytes(bytes: &[u8]) -> Option<DbKey> {
        let arr: [u8; 32] = bytes.try_into().ok()?;
        Some(DbKey(Zeroizing::new(arr)))
    }

    /// Parses 64 hex digits (how a key is handed to a child process in tests, over a pipe).
    pub fn from_hex(hex_str: &str) -> Option<DbKey> {
        let mut bytes = Zeroizing::new(hex::decode(hex_str.trim()).ok()?);
        let key = DbKey::from_bytes(&bytes);
        bytes.zeroize();
        key
    }

    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(hex::encode(self.0.as_ref()))
    }

    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The check value stored beside the database; see the module docs.
    pub(crate) fn check_value(&self) -> String {
        let mut h = Sha256::new();
        h.update(b"folgesvenn/db-key-check/v1");
        h.update(self.0.as_ref());
        hex::encode(&h.finalize()[..16])
    }
}

impl fmt::Debug for DbKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DbKey(…)")
    }
}

/// How this store's key is kept, as recorded in `store.json`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum KeyLocation {
    /// In the OS keystore, under `KEYSTORE_SERVICE` and this account name.
    Keystore { account: String },
    /// Wrapped by a passphrase-derived key.
    Passphrase(WrappedKey),
    /// Handed in by the caller each time (tests and tools that keep the key elsewhere).
    External,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct WrappedKey {
    pub kdf: String,
    pub m_cost_kib: u32,
    pub t_cost: u32,
    pub p_cost: u32,
    pub salt: String,
    pub nonce: String,
    pub ciphertext: String,
}

/// What the user unlocks a store with.
pub enum Unlock {
    /// The key in the OS keystore.
    Keystore,
    /// A passphrase, where the OS has no keystore.
    Passphrase(Zeroizing<String>),
    /// A key the caller holds.
    Key(DbKey),
}

/// Argon2id cost: 64 MiB, 3 passes (above OWASP's minimum; ≈0.3 s here, once per unlock).
const M_COST_KIB: u32 = 64 * 1024;
const T_COST: u32 = 3;
const P_COST: u32 = 1;

/// The shortest passphrase accepted when one is set, in characters (not bytes: "æøå" count as
/// three). Argon2id makes each guess slow; length makes the number of guesses large. The one
/// source of the rule: the app core and the CLI read it from here. It applies when a passphrase
/// is set, never when one unlocks: a store wrapped under the earlier 8-character rule still opens.
pub const MIN_PASSPHRASE_CHARS: usize = 12;
/// The longest passphrase accepted when one is set, in characters.
pub const MAX_PASSPHRASE_CHARS: usize = 1024;

/// What `unwrap` accepts from `store.json`, checked before any work is done: the file is not
/// authenticated, so without bounds a crafted one could make unlocking take terabytes of memory or
/// billions of passes (the app hangs at start), or so little that the passphrase is cheap to guess
/// once the file is copied. The window lies around what `wrap` has always written (64 MiB, 3, 1),
/// from OWASP's minimum for Argon2id (19 MiB, 2 passes) to what a phone can still afford.
const M_COST_KIB_RANGE: std::ops::RangeInclusive<u32> = 19 * 1024..=1024 * 1024;
const T_COST_RANGE: std::ops::RangeInclusive<u32> = 2..=10;
const P_COST_RANGE: std::ops::RangeInclusive<u32> = 1..=4;
const SALT_LEN_RANGE: std::ops::RangeInclusive<usize> = 16..=64;

fn kek(
    passphrase: &str,
    salt: &[u8],
    m: u32,
    t: u32,
    p: u32,
) -> Result<Zeroizing<[u8; 32]>, StoreError> {
    let params = Params::new(m, t, p, Some(32)).map_err(|e| StoreError::BadMetadata {
        path: "store.json".into(),
        detail: e.to_string(),
    })?;
    let mut out = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase.as_bytes(), salt, out.as_mut())
        .map_err(|e| StoreError::BadMetadata {
            path: "store.json".into(),
            detail: e.to_string(),
        })?;
    Ok(out)
}

fn aad(device: Uuid) -> Vec<u8> {
    let mut a = b"folgesvenn/wrapped-db-key/v1/".to_vec();
    a.extend_from_slice(device.as_bytes());
    a
}

/// Wraps `key` under a new passphrase; refuses one outside the length rule.
pub(crate) fn wrap(key: &DbKey, passphrase: &str, device: Uuid) -> Result<WrappedKey, StoreError> {
    if !(MIN_PASSPHRASE_CHARS..=MAX_PASSPHRASE_CHARS).contains(&passphrase.chars().count()) {
        return Err(folgesvenn_domain::ValidationError::OutOfRange {
            field: folgesvenn_domain::Field::PassphraseLength,
            min: MIN_PASSPHRASE_CHARS.to_string(),
            max: MAX_PASSPHRASE_CHARS.to_string(),
        }
        .into());
    }
    seal(key, passphrase, device)
}

/// A key wrapped as an older version did, under a passphrase the length rule now refuses.
#[cfg(test)]
pub(crate) fn seal_for_tests(
    key: &DbKey,
    passphrase: &str,
    device: Uuid,
) -> Result<WrappedKey, StoreError> {
    seal(key, passphrase, device)
}

/// The wrapping itself, without the length rule.
fn seal(key: &DbKey, passphrase: &str, device: Uuid) -> Result<WrappedKey, StoreError> {
    let mut salt = [0u8; 16];
    let mut nonce = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let kek = kek(passphrase, &salt, M_COST_KIB, T_COST, P_COST)?;
    let cipher = XChaCha20Poly1305::new(kek.as_ref().into());
    let aad = aad(device);
    let ct = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: key.bytes(),
                aad: &aad,
            },
        )
        .map_err(|_| StoreError::BadMetadata {
            path: "store.json".into(),
            detail: "kunne ikke kryptere nøkkelen".into(),
        })?;
    Ok(WrappedKey {
        kdf: "argon2id".into(),
        m_cost_kib: M_COST_KIB,
        t_cost: T_COST,
        p_cost: P_COST,
        salt: hex::encode(salt),
        nonce: hex::encode(nonce),
        ciphertext: hex::encode(ct),
    })
}

pub(crate) fn unwrap(w: &WrappedKey, passphrase: &str, device: Uuid) -> Result<DbKey, StoreError> {
    let bad = |detail: &str| StoreError::BadMetadata {
        path: "store.json".into(),
        detail: detail.into(),
    };
    if w.kdf != "argon2id" {
        return Err(bad("ukjent nøkkelutledning"));
    }
    let salt = hex::decode(&w.salt).map_err(|_| bad("ugyldig salt"))?;
    let nonce = hex::decode(&w.nonce).map_err(|_| bad("ugyldig nonce"))?;
    let ct = hex::decode(&w.ciphertext).map_err(|_| bad("ugyldig innpakket nøkkel"))?;
    if nonce.len() != 24 {
        return Err(bad("ugyldig nonce"));
    }
    if !M_COST_KIB_RANGE.contains(&w.m_cost_kib)
        || !T_COST_RANGE.contains(&w.t_cost)
        || !P_COST_RANGE.contains(&w.p_cost)
        || !SALT_LEN_RANGE.contains(&salt.len())
    {
        return Err(bad(&format!(
            "parametrene for nøkkelutledningen er utenfor det appen godtar \
             (minne {}–{} MiB, {}–{} runder, {}–{} tråder, salt {}–{} byte); \
             filen kan være endret utenfra",
            M_COST_KIB_RANGE.start() / 1024,
            M_COST_KIB_RANGE.end() / 1024,
            T_COST_RANGE.start(),
            T_COST_RANGE.end(),
            P_COST_RANGE.start(),
            P_COST_RANGE.end(),
            SALT_LEN_RANGE.start(),
            SALT_LEN_RANGE.end(),
        )));
    }
    let kek = kek(passphrase, &salt, w.m_cost_kib, w.t_cost, w.p_cost)?;
    let cipher = XChaCha20Poly1305::new(kek.as_ref().into());
    let aad = aad(device);
    let plain = Zeroizing::new(
        cipher
            .decrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: &ct,
                    aad: &aad,
                },
            )
            .map_err(|_| StoreError::WrongPassphrase)?,
    );
    DbKey::from_bytes(&plain).ok_or_else(|| bad("nøkkelen har feil lengde"))
}

/// The OS keystore, through the `keyring` crate.
pub mod keystore {
    use super::*;

    fn map(e: keyring::Error) -> StoreError {
        match e {
            keyring::Error::NoEntry => StoreError::KeyMissing,
            other => StoreError::KeystoreUnavailable(other.to_string()),
        }
    }

    fn entry(account: &str) -> Result<keyring::Entry, StoreError> {
        keyring::Entry::new(KEYSTORE_SERVICE, account).map_err(map)
    }

    /// Whether this machine has a keystore the app can use. Writes and removes a probe entry.
    pub fn available() -> bool {
        let probe = format!("probe-{}", Uuid::new_v4());
        let Ok(e) = entry(&probe) else { return false };
        let ok = e.set_secret(b"probe").is_ok() && e.get_secret().is_ok_and(|s| s == b"probe");
        let _ = e.delete_credential();
        ok
    }

    pub fn store(account: &str, key: &DbKey) -> Result<(), StoreError> {
        entry(account)?.set_secret(key.bytes()).map_err(map)
    }

    pub fn load(account: &str) -> Result<DbKey, StoreError> {
        let secret = Zeroizing::new(entry(account)?.get_secret().map_err(map)?);
        DbKey::from_bytes(&secret).ok_or_else(|| {
            StoreError::KeystoreUnavailable("nøkkelen i nøkkelringen har feil lengde".into())
        })
    }

    pub fn delete(account: &str) -> Result<(), StoreError> {
        entry(account)?.delete_credential().map_err(map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_key_opens_only_with_its_passphrase_and_device() {
        let key = DbKey::generate();
        let device = Uuid::new_v4();
        let w = wrap(&key, "korrekt hest batteri", device).unwrap();
        assert!(!w.ciphertext.contains(&key.to_hex()[..16]));
        let back = unwrap(&w, "korrekt hest batteri", device).unwrap();
        assert_eq!(back.bytes(), key.bytes());
        assert!(matches!(
            unwrap(&w, "feil passord!", device),
            Err(StoreError::WrongPassphrase)
        ));
        assert!(matches!(
            unwrap(&w, "korrekt hest batteri", Uuid::new_v4()),
            Err(StoreError::WrongPassphrase)
        ));
        assert_eq!(
            wrap(&key, "kort", device).unwrap_err().kind(),
            "out_of_range"
        );
    }

    #[test]
    fn a_new_passphrase_needs_the_one_length_rule_an_old_one_still_unlocks() {
        let key = DbKey::generate();
        let device = Uuid::new_v4();
        // Eleven characters, three of them two bytes each: counted as characters.
        let eleven = "æøå12345678";
        assert_eq!(eleven.chars().count(), MIN_PASSPHRASE_CHARS - 1);
        assert_eq!(
            wrap(&key, eleven, device).unwrap_err().kind(),
            "out_of_range"
        );
        let twelve = "æøå123456789";
        wrap(&key, twelve, device).unwrap();
        let too_long = "a".repeat(MAX_PASSPHRASE_CHARS + 1);
        assert_eq!(
            wrap(&key, &too_long, device).unwrap_err().kind(),
            "out_of_range"
        );
        // A key wrapped under the old 8-character rule is unwrapped as before.
        let old = seal(&key, "åtte1234", device).unwrap();
        assert_eq!(
            unwrap(&old, "åtte1234", device).unwrap().bytes(),
            key.bytes()
        );
    }

    #[test]
    fn argon2_parameters_outside_the_window_are_refused_before_any_work() {
        let key = DbKey::generate();
        let device = Uuid::new_v4();
        let pass = "korrekt hest batteri";
        let good = wrap(&key, pass, device).unwrap();
        // What every store so far was written with is inside the window.
        assert_eq!((good.m_cost_kib, good.t_cost, good.p_cost), (65536, 3, 1));
        let cases: Vec<(&str, WrappedKey)> = vec![
            // 4 TiB of memory (in KiB: u32::MAX is 4 TiB): would exhaust the machine.
            (
                "memory huge",
                WrappedKey {
                    m_cost_kib: u32::MAX,
                    ..good.clone()
                },
            ),
            (
                "memory 1 GiB + 1 KiB",
                WrappedKey {
                    m_cost_kib: 1024 * 1024 + 1,
                    ..good.clone()
                },
            ),
            (
                "memory tiny",
                WrappedKey {
                    m_cost_kib: 8,
                    ..good.clone()
                },
            ),
            (
                "passes huge",
                WrappedKey {
                    t_cost: u32::MAX,
                    ..good.clone()
                },
            ),
            (
                "one pass",
                WrappedKey {
                    t_cost: 1,
                    ..good.clone()
                },
            ),
            (
                "lanes",
                WrappedKey {
                    p_cost: 64,
                    ..good.clone()
                },
            ),
            (
                "short salt",
                WrappedKey {
                    salt: hex::encode([1u8; 8]),
                    ..good.clone()
                },
            ),
            (
                "long salt",
                WrappedKey {
                    salt: hex::encode([1u8; 65]),
                    ..good.clone()
                },
            ),
        ];
        for (what, w) in cases {
            let err = unwrap(&w, pass, device).unwrap_err();
            assert_eq!(err.kind(), "bad_metadata", "{what}");
            assert!(
                err.to_string().contains("utenfor det appen godtar"),
                "{what}: {err}"
            );
        }
        // The edges of the window are accepted (and derive: wrong key, not refused parameters).
        for w in [
            WrappedKey {
                m_cost_kib: 19 * 1024,
                t_cost: 2,
                ..good.clone()
            },
            WrappedKey {
                p_cost: 4,
                salt: hex::encode([1u8; 64]),
                ..good.clone()
            },
        ] {
            assert_eq!(
                unwrap(&w, pass, device).unwrap_err().kind(),
                "wrong_passphrase"
            );
        }
        assert_eq!(unwrap(&good, pass, device).unwrap().bytes(), key.bytes());
    }

    #[test]
    fn keys_do_not_show_in_debug_output() {
        let key = DbKey::generate();
        assert_eq!(format!("{key:?}"), "DbKey(…)");
        assert_eq!(DbKey::from_hex(&key.to_hex()).unwrap().bytes(), key.bytes());
        assert!(DbKey::from_hex("abcd").is_none());
    }
}
