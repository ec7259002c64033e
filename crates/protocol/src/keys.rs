//! Device signing keys and document keys.

use std::fmt;

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::ProtocolError;

/// A device's Ed25519 signing key. It never leaves the device's encrypted store.
pub struct DeviceKey(SigningKey);

/// A device's public key, as the relay and other members know it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PublicKey(pub [u8; 32]);

/// The random 256-bit key of one document, shared only among its members' devices.
#[derive(Clone, PartialEq, Eq)]
pub struct DocKey(Zeroizing<[u8; 32]>);

fn random32() -> Zeroizing<[u8; 32]> {
    let mut b = Zeroizing::new([0u8; 32]);
    rand::rngs::OsRng.fill_bytes(b.as_mut());
    b
}

impl DeviceKey {
    pub fn generate() -> DeviceKey {
        DeviceKey(SigningKey::from_bytes(&random32()))
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<DeviceKey, ProtocolError> {
        let arr: [u8; 32] = bytes.try_into().map_err(|_| ProtocolError::BadKey)?;
        let arr = Zeroizing::new(arr);
        Ok(DeviceKey(SigningKey::from_bytes(&arr)))
    }

    pub fn to_bytes(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.0.to_bytes())
    }

    pub fn public(&self) -> PublicKey {
        PublicKey(self.0.verifying_key().to_bytes())
    }

    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.0.sign(message).to_bytes()
    }
}

impl DeviceKey {
    /// The device's X25519 key for receiving document keys (sealed boxes), derived from its
    /// signing key with HKDF-SHA256, so the device keeps one secret and not two.
    fn box_secret(&self) -> crypto_box::SecretKey {
        let seed = Zeroizing::new(self.0.to_bytes());
        let hk = hkdf::Hkdf::<sha2::Sha256>::new(Some(b"folgesvenn/box-key/v1"), seed.as_slice());
        let mut okm = Zeroizing::new([0u8; 32]);
        hk.expand(b"x25519", okm.as_mut())
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        crypto_box::SecretKey::from_bytes(*okm)
    }

    pub fn box_public(&self) -> BoxKey {
        BoxKey(self.box_secret().public_key().to_bytes())
    }

    /// Opens what another device sealed to [`DeviceKey::box_public`].
    pub fn unseal(&self, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, ProtocolError> {
        self.box_secret()
            .unseal(sealed)
            .map(Zeroizing::new)
            .map_err(|_| ProtocolError::CannotOpen)
    }
}

/// A device's public X25519 key: others seal document keys to it (libsodium's sealed boxes,
/// `crypto_box`), so only that device can open them.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BoxKey(pub [u8; 32]);

impl BoxKey {
    pub fn seal(&self, message: &[u8]) -> Vec<u8> {
        crypto_box::PublicKey::from_bytes(self.0)
            .seal(&mut rand::rngs::OsRng, message)
            .expect("sealing in memory cannot fail")
    }
}

impl fmt::Debug for BoxKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BoxKey({})", hex::encode(self.0))
    }
}

impl fmt::Debug for DeviceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DeviceKey(public {})", self.public())
    }
}

impl PublicKey {
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), ProtocolError> {
        let key = VerifyingKey::from_bytes(&self.0).map_err(|_| ProtocolError::BadKey)?;
        let sig = Signature::from_slice(signature).map_err(|_| ProtocolError::BadSignature)?;
        key.verify_strict(message, &sig)
            .map_err(|_| ProtocolError::BadSignature)
    }

    pub fn from_hex(s: &str) -> Result<PublicKey, ProtocolError> {
        let v = hex::decode(s).map_err(|_| ProtocolError::BadKey)?;
        Ok(PublicKey(v.try_into().map_err(|_| ProtocolError::BadKey)?))
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({self})")
    }
}

impl DocKey {
    pub fn generate() -> DocKey {
        DocKey(random32())
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<DocKey, ProtocolError> {
        let arr: [u8; 32] = bytes.try_into().map_err(|_| ProtocolError::BadKey)?;
        Ok(DocKey(Zeroizing::new(arr)))
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for DocKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DocKey(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_device_opens_what_is_sealed_to_it() {
        let (a, b) = (DeviceKey::generate(), DeviceKey::generate());
        assert_eq!(
            a.box_public(),
            a.box_public(),
            "derived, the same every time"
        );
        let sealed = a.box_public().seal(b"document key");
        assert_eq!(a.unseal(&sealed).unwrap().as_slice(), b"document key");
        assert_eq!(b.unseal(&sealed).unwrap_err(), ProtocolError::CannotOpen);
        let mut tampered = sealed.clone();
        tampered[40] ^= 1;
        assert!(a.unseal(&tampered).is_err());
    }
}
