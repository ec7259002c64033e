//! Signed requests. Every request to the relay (but `/healthz`) carries four headers: the device
//! id, the time in Unix milliseconds, a random nonce, and an Ed25519 signature over a canonical
//! string of method, path, time, nonce and the SHA-256 of the body. The relay refuses a time more
//! than [`MAX_SKEW_MS`] away from its own clock and a (device, nonce) pair it has seen within that
//! window, so a captured request cannot be replayed.

use rand::RngCore;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::ProtocolError;
use crate::keys::{DeviceKey, PublicKey};

pub const HEADER_DEVICE: &str = "fs-device";
pub const HEADER_TIME: &str = "fs-time";
pub const HEADER_NONCE: &str = "fs-nonce";
pub const HEADER_SIGNATURE: &str = "fs-signature";

/// How far a request's time may be from the relay's clock.
pub const MAX_SKEW_MS: i64 = 5 * 60 * 1000;

/// The four authentication headers of one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedHeaders {
    pub device: Uuid,
    pub time_ms: i64,
    pub nonce: String,
    pub signature: String,
}

fn canonical(method: &str, path: &str, time_ms: i64, nonce: &str, body: &[u8]) -> Vec<u8> {
    format!(
        "folgesvenn/request/v1\n{}\n{}\n{}\n{}\n{}",
        method.to_ascii_uppercase(),
        path,
        time_ms,
        nonce,
        hex::encode(Sha256::digest(body))
    )
    .into_bytes()
}

pub fn sign(
    device: Uuid,
    key: &DeviceKey,
    method: &str,
    path: &str,
    body: &[u8],
    now_ms: i64,
) -> SignedHeaders {
    let mut n = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut n);
    let nonce = hex::encode(n);
    let signature = hex::encode(key.sign(&canonical(method, path, now_ms, &nonce, body)));
    SignedHeaders {
        device,
        time_ms: now_ms,
        nonce,
        signature,
    }
}

impl SignedHeaders {
    /// The four headers as (name, value) pairs, ready for any HTTP client.
    pub fn pairs(&self) -> [(&'static str, String); 4] {
        [
            (HEADER_DEVICE, self.device.to_string()),
            (HEADER_TIME, self.time_ms.to_string()),
            (HEADER_NONCE, self.nonce.clone()),
            (HEADER_SIGNATURE, self.signature.clone()),
        ]
    }

    /// Checks the signature and the time window. The caller checks the nonce has not been seen.
    pub fn verify(
        &self,
        key: &PublicKey,
        method: &str,
        path: &str,
        body: &[u8],
        now_ms: i64,
    ) -> Result<(), ProtocolError> {
        // abs_diff: a forged `fs-time` of i64::MIN must not overflow (found by reading the fuzz
        // target's inputs; fixture `crash-verify-time-overflow.req`).
        if self.time_ms.abs_diff(now_ms) > MAX_SKEW_MS as u64 {
            return Err(ProtocolError::BadSignature);
        }
        if self.nonce.len() != 32 || !self.nonce.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(ProtocolError::BadSignature);
        }
        let sig = hex::decode(&self.signature).map_err(|_| ProtocolError::BadSignature)?;
        key.verify(
            &canonical(method, path, self.time_ms, &self.nonce, body),
            &sig,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_bind_method_path_body_and_time() {
        let key = DeviceKey::generate();
        let id = Uuid::new_v4();
        let h = sign(id, &key, "POST", "/v2/sync", b"body", 1_000_000);
        let pk = key.public();
        assert!(
            h.verify(&pk, "POST", "/v2/sync", b"body", 1_000_000)
                .is_ok()
        );
        assert!(
            h.verify(&pk, "POST", "/v2/sync", b"bodx", 1_000_000)
                .is_err()
        );
        assert!(
            h.verify(&pk, "POST", "/v2/other", b"body", 1_000_000)
                .is_err()
        );
        assert!(
            h.verify(&pk, "GET", "/v2/sync", b"body", 1_000_000)
                .is_err()
        );
        assert!(
            h.verify(
                &pk,
                "POST",
                "/v2/sync",
                b"body",
                1_000_000 + MAX_SKEW_MS + 1
            )
            .is_err()
        );
        assert!(
            h.verify(
                &DeviceKey::generate().public(),
                "POST",
                "/v2/sync",
                b"body",
                1_000_000
            )
            .is_err()
        );
        let mut forged = h.clone();
        forged.time_ms += 1;
        assert!(
            forged
                .verify(&pk, "POST", "/v2/sync", b"body", 1_000_000)
                .is_err()
        );
        // Extreme times are refused, never overflowed into the window.
        for t in [i64::MIN, i64::MAX] {
            let mut extreme = sign(id, &key, "POST", "/v2/sync", b"body", t);
            assert!(
                extreme
                    .verify(&pk, "POST", "/v2/sync", b"body", 1_000_000)
                    .is_err()
            );
            extreme.time_ms = t;
            assert!(
                extreme
                    .verify(&pk, "POST", "/v2/sync", b"body", t.saturating_neg())
                    .is_err()
            );
        }
    }
}
