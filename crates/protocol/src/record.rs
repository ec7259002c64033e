//! Sealed records: what devices upload and the relay stores without being able to read.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ProtocolError;
use crate::keys::{DeviceKey, DocKey, PublicKey};

/// What a record holds once opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RecordKind {
    /// A batch of changes (the framed list of `folgesvenn_domain::changes`).
    Changes = 1,
    /// A whole document, saved compactly. The relay may drop every record the snapshot covers.
    /// Only adviser members send them.
    Snapshot = 2,
    /// Membership statements (`roster.rs`): grants, claims and revocations, each signed.
    Roster = 3,
}

/// Where a record belongs. All of it is bound into the ciphertext as associated data and covered
/// by the signature, so none of it can be changed without the record failing to open.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordHeader {
    pub doc_id: Uuid,
    pub device_id: Uuid,
    /// 1, 2, 3… per (document, device); the relay stores each (device, sequence) once.
    pub device_seq: u64,
    pub kind: RecordKind,
    pub epoch: u32,
    /// For a snapshot: the server sequence number of the newest record it includes, so the relay
    /// knows which records it replaces. 0 for changes.
    pub covers_through: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedRecord {
    pub header: RecordHeader,
    pub nonce: [u8; 24],
    pub ciphertext: Vec<u8>,
    #[serde(with = "sig")]
    pub signature: [u8; 64],
}

pub(crate) mod sig {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[u8; 64], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(v)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 64], D::Error> {
        let v: &[u8] = <&[u8]>::deserialize(d)?;
        v.try_into()
            .map_err(|_| serde::de::Error::invalid_length(v.len(), &"64 bytes"))
    }
}

impl RecordHeader {
    fn associated_data(&self) -> Vec<u8> {
        let mut aad = b"folgesvenn/record/v1".to_vec();
        aad.extend_from_slice(self.doc_id.as_bytes());
        aad.extend_from_slice(self.device_id.as_bytes());
        aad.extend_from_slice(&self.device_seq.to_be_bytes());
        aad.push(self.kind as u8);
        aad.extend_from_slice(&self.epoch.to_be_bytes());
        aad.extend_from_slice(&self.covers_through.to_be_bytes());
        aad
    }
}

fn signed_bytes(aad: &[u8], nonce: &[u8; 24], ciphertext: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(aad.len() + 24 + ciphertext.len());
    m.extend_from_slice(aad);
    m.extend_from_slice(nonce);
    m.extend_from_slice(ciphertext);
    m
}

impl SealedRecord {
    /// Encrypts `plaintext` under the document key and signs the result with the device key.
    pub fn seal(
        header: RecordHeader,
        plaintext: &[u8],
        doc_key: &DocKey,
        device: &DeviceKey,
    ) -> SealedRecord {
        let mut nonce = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let aad = header.associated_data();
        let cipher = XChaCha20Poly1305::new(doc_key.as_bytes().into());
        let ciphertext = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: &aad,
                },
            )
            .expect("XChaCha20-Poly1305 encryption cannot fail for in-memory input");
        let signature = device.sign(&signed_bytes(&aad, &nonce, &ciphertext));
        SealedRecord {
            header,
            nonce,
            ciphertext,
            signature,
        }
    }

    /// Checks the sender's signature. The relay does this before storing; it needs no document key.
    pub fn verify(&self, sender: &PublicKey) -> Result<(), ProtocolError> {
        let aad = self.header.associated_data();
        sender.verify(
            &signed_bytes(&aad, &self.nonce, &self.ciphertext),
            &self.signature,
        )
    }

    /// Verifies the signature and decrypts. Any change to header, nonce or ciphertext fails.
    pub fn open(&self, doc_key: &DocKey, sender: &PublicKey) -> Result<Vec<u8>, ProtocolError> {
        self.verify(sender)?;
        let aad = self.header.associated_data();
        let cipher = XChaCha20Poly1305::new(doc_key.as_bytes().into());
        cipher
            .decrypt(
                XNonce::from_slice(&self.nonce),
                Payload {
                    msg: &self.ciphertext,
                    aad: &aad,
                },
            )
            .map_err(|_| ProtocolError::CannotOpen)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> RecordHeader {
        RecordHeader {
            doc_id: Uuid::new_v4(),
            device_id: Uuid::new_v4(),
            device_seq: 7,
            kind: RecordKind::Changes,
            epoch: 1,
            covers_through: 0,
        }
    }

    #[test]
    fn sealed_records_open_only_where_they_belong() {
        let device = DeviceKey::generate();
        let key = DocKey::generate();
        let rec = SealedRecord::seal(header(), b"Ola trives i bakeriet", &key, &device);
        assert!(!rec.ciphertext.windows(4).any(|w| w == b"Ola "));
        assert_eq!(
            rec.open(&key, &device.public()).unwrap(),
            b"Ola trives i bakeriet"
        );

        let moved: [fn(&mut SealedRecord); 6] = [
            |r| r.header.doc_id = Uuid::new_v4(),
            |r| r.header.device_id = Uuid::new_v4(),
            |r| r.header.device_seq += 1,
            |r| r.header.kind = RecordKind::Snapshot,
            |r| r.header.epoch += 1,
            |r| r.header.covers_through = 9,
        ];
        for change in moved {
            let mut r = rec.clone();
            change(&mut r);
            assert_eq!(
                r.open(&key, &device.public()),
                Err(ProtocolError::BadSignature)
            );
        }
        let mut flipped = rec.clone();
        flipped.ciphertext[0] ^= 1;
        assert_eq!(
            flipped.open(&key, &device.public()),
            Err(ProtocolError::BadSignature)
        );
        assert_eq!(
            rec.open(&DocKey::generate(), &device.public()),
            Err(ProtocolError::CannotOpen)
        );
        assert_eq!(
            rec.open(&key, &DeviceKey::generate().public()),
            Err(ProtocolError::BadSignature)
        );
    }

    #[test]
    fn a_member_who_re_signs_a_moved_record_still_cannot_open_it_elsewhere() {
        // Even with a valid signature over a changed header, the AEAD binds the original header.
        let device = DeviceKey::generate();
        let key = DocKey::generate();
        let mut rec = SealedRecord::seal(header(), b"x", &key, &device);
        rec.header.device_seq = 99;
        let aad = rec.header.associated_data();
        rec.signature = device.sign(&signed_bytes(&aad, &rec.nonce, &rec.ciphertext));
        assert_eq!(
            rec.open(&key, &device.public()),
            Err(ProtocolError::CannotOpen)
        );
    }
}
