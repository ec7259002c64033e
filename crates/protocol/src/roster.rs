//! Who is a member of a document, and with which role: signed statements that every member
//! checks for itself, so neither the relay nor a member can make a device more than an adviser
//! made it.
//!
//! A document's **anchor** is the adviser device that created it; every member learns it from the
//! invitation it accepted, out of band. The anchor is an adviser member. An adviser member grants
//! a role to whoever holds an invitation: a [`Grant`] names the invitation's one-time public key
//! and the role, signed by the granting device. The invited device proves that it holds the
//! invitation with a [`Claim`] signed by the invitation's one-time key, naming its own device id and
//! key. A [`Revoke`] signed by an adviser member removes a device from then on (forward only: what
//! it already had, it keeps).
//!
//! [`Roster::evaluate`] is a pure function of the anchor and the set of statements, whatever
//! their order, so every member that holds the same statements sees the same roster. Statements
//! travel between devices as `Roster` records (postcard `Vec<Statement>`), sealed like any other.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use sha2::Digest;
use uuid::Uuid;

use crate::ProtocolError;
use crate::keys::{BoxKey, DeviceKey, DocKey, PublicKey};
use crate::wire::MemberRole;

/// The most statements one roster record may carry, and a document may hold.
pub const MAX_STATEMENTS_PER_RECORD: usize = 256;
pub const MAX_STATEMENTS_PER_DOC: usize = 4096;
/// The longest display name a claim may carry, in bytes.
pub const MAX_NAME: usize = 200;

/// The device that created the document: trusted because the invitation names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anchor {
    pub device_id: Uuid,
    pub device_key: PublicKey,
    pub box_key: BoxKey,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub doc_id: Uuid,
    pub role: MemberRole,
    /// The invitation's one-time public key; whoever can sign with it may claim the role.
    pub invitation_key: PublicKey,
    pub granted_by: Uuid,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    pub doc_id: Uuid,
    pub invitation_key: PublicKey,
    pub device_id: Uuid,
    pub device_key: PublicKey,
    /// Where later document keys are sealed to this device.
    pub box_key: BoxKey,
    /// The person's name, as they set it up on the device (shown in logs and history).
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revoke {
    pub doc_id: Uuid,
    pub device_id: Uuid,
    pub revoked_by: Uuid,
    pub at_ms: i64,
}

/// A new document key (after a removal): the key of `epoch`, sealed to each remaining member's
/// box key, signed by the adviser device that made it. A device that cannot open any envelope
/// (a removed one) cannot read what is sealed under that epoch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rekey {
    pub doc_id: Uuid,
    pub epoch: u32,
    pub by: Uuid,
    pub envelopes: Vec<Envelope>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    pub device_id: Uuid,
    pub sealed: Vec<u8>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signed<T> {
    pub body: T,
    #[serde(with = "crate::record::sig")]
    pub signature: [u8; 64],
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Statement {
    Grant(Signed<Grant>),
    Claim(Signed<Claim>),
    Revoke(Signed<Revoke>),
    Rekey(Signed<Rekey>),
}

fn message<T: Serialize>(tag: &str, body: &T) -> Vec<u8> {
    let mut m = tag.as_bytes().to_vec();
    m.extend_from_slice(&crate::wire::encode(body));
    m
}

const GRANT_TAG: &str = "folgesvenn/grant/v1\n";
const CLAIM_TAG: &str = "folgesvenn/claim/v1\n";
const REVOKE_TAG: &str = "folgesvenn/revoke/v1\n";
const REKEY_TAG: &str = "folgesvenn/rekey/v1\n";

impl Grant {
    /// Signed by the granting adviser device.
    pub fn sign(self, granter: &DeviceKey) -> Statement {
        let signature = granter.sign(&message(GRANT_TAG, &self));
        Statement::Grant(Signed {
            body: self,
            signature,
        })
    }
}

impl Claim {
    /// Signed by the invitation's one-time key.
    pub fn sign(self, invitation: &DeviceKey) -> Statement {
        let signature = invitation.sign(&message(CLAIM_TAG, &self));
        Statement::Claim(Signed {
            body: self,
            signature,
        })
    }
}

impl Revoke {
    /// Signed by the removing adviser device.
    pub fn sign(self, remover: &DeviceKey) -> Statement {
        let signature = remover.sign(&message(REVOKE_TAG, &self));
        Statement::Revoke(Signed {
            body: self,
            signature,
        })
    }
}

impl Rekey {
    /// Seals `key` to each recipient's box key.
    pub fn new<'a>(
        doc_id: Uuid,
        epoch: u32,
        by: Uuid,
        key: &DocKey,
        recipients: impl IntoIterator<Item = (Uuid, &'a BoxKey)>,
    ) -> Rekey {
        Rekey {
            doc_id,
            epoch,
            by,
            envelopes: recipients
                .into_iter()
                .map(|(device_id, b)| Envelope {
                    device_id,
                    sealed: b.seal(key.as_bytes()),
                })
                .collect(),
        }
    }

    /// Signed by the adviser device that made the key.
    pub fn sign(self, by: &DeviceKey) -> Statement {
        let signature = by.sign(&message(REKEY_TAG, &self));
        Statement::Rekey(Signed {
            body: self,
            signature,
        })
    }
}

impl Statement {
    pub fn doc_id(&self) -> Uuid {
        match self {
            Statement::Grant(s) => s.body.doc_id,
            Statement::Claim(s) => s.body.doc_id,
            Statement::Revoke(s) => s.body.doc_id,
            Statement::Rekey(s) => s.body.doc_id,
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        crate::wire::encode(self)
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Statement, ProtocolError> {
        crate::wire::decode(bytes)
    }

    /// A stable identity for storing each statement once.
    pub fn hash(&self) -> [u8; 32] {
        sha2::Sha256::digest(self.to_bytes()).into()
    }
}

/// The plaintext of a `Roster` record.
pub fn encode_statements(statements: &[Statement]) -> Vec<u8> {
    crate::wire::encode(&statements)
}

pub fn decode_statements(bytes: &[u8]) -> Result<Vec<Statement>, ProtocolError> {
    let s: Vec<Statement> = crate::wire::decode(bytes)?;
    if s.len() > MAX_STATEMENTS_PER_RECORD {
        return Err(ProtocolError::Decode(format!(
            "more than {MAX_STATEMENTS_PER_RECORD} statements"
        )));
    }
    Ok(s)
}

/// A snapshot's plaintext: the membership statements its sender holds, then the saved document.
/// The relay drops the records a snapshot covers, roster records among them, so a snapshot
/// carries the statements that prove every author whose changes it holds.
const SNAPSHOT_MAGIC: &[u8; 4] = b"FSR1";

pub fn pack_snapshot(statements: &[Statement], document: &[u8]) -> Vec<u8> {
    let roster = encode_statements(statements);
    let mut out = Vec::with_capacity(8 + roster.len() + document.len());
    out.extend_from_slice(SNAPSHOT_MAGIC);
    out.extend_from_slice(&(roster.len() as u32).to_be_bytes());
    out.extend_from_slice(&roster);
    out.extend_from_slice(document);
    out
}

/// Splits a snapshot's plaintext into its statements and the saved document.
pub fn unpack_snapshot(bytes: &[u8]) -> Result<(Vec<Statement>, &[u8]), ProtocolError> {
    let bad = || ProtocolError::Decode("snapshot without its roster".into());
    let rest = bytes
        .strip_prefix(SNAPSHOT_MAGIC.as_slice())
        .ok_or_else(bad)?;
    let (len, rest) = rest.split_at_checked(4).ok_or_else(bad)?;
    let len = u32::from_be_bytes([len[0], len[1], len[2], len[3]]) as usize;
    let (roster, document) = rest.split_at_checked(len).ok_or_else(bad)?;
    let s: Vec<Statement> = crate::wire::decode(roster)?;
    if s.len() > MAX_STATEMENTS_PER_DOC {
        return Err(bad());
    }
    Ok((s, document))
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub device_id: Uuid,
    pub device_key: PublicKey,
    pub box_key: BoxKey,
    pub role: MemberRole,
    pub name: String,
    /// The adviser device that invited it; `None` for the anchor.
    pub invited_by: Option<Uuid>,
}

/// The members of one document, as its statements prove them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Roster {
    members: BTreeMap<Uuid, Member>,
    /// Everyone who was ever a member, removed devices included (for history and logs).
    ever: BTreeMap<Uuid, Member>,
    revoked: BTreeSet<Uuid>,
    /// Verified document keys: (epoch, device the envelope is for, sealed key).
    rekeys: Vec<(u32, Uuid, Vec<u8>)>,
}

impl Roster {
    /// Works out the roster from the anchor and every statement held, in any order. Statements
    /// for another document, with a bad signature, or signed by a device that is not (or no
    /// longer) an adviser member are ignored. A device that claims invitations for two roles gets
    /// the lesser one; a device id claimed with two keys is no member. A revocation removes a
    /// device and voids the grants it signed; the anchor cannot be revoked.
    pub fn evaluate(
        doc_id: Uuid,
        anchor: &Anchor,
        anchor_name: &str,
        statements: &[Statement],
    ) -> Roster {
        let ours: Vec<&Statement> = statements.iter().filter(|s| s.doc_id() == doc_id).collect();
        // Revocations are judged against the roster without them (grants only grow it), then
        // the roster is worked out again without the revoked devices and what they granted.
        let all = members_from(anchor, anchor_name, &ours, &BTreeSet::new());
        let revoked: BTreeSet<Uuid> = ours
            .iter()
            .filter_map(|s| match s {
                Statement::Revoke(r) => Some(r),
                _ => None,
            })
            .filter(|r| r.body.device_id != anchor.device_id)
            .filter(|r| {
                all.get(&r.body.revoked_by).is_some_and(|m| {
                    m.role == MemberRole::Adviser
                        && m.device_key
                            .verify(&message(REVOKE_TAG, &r.body), &r.signature)
                            .is_ok()
                })
            })
            .map(|r| r.body.device_id)
            .collect();
        let members = members_from(anchor, anchor_name, &ours, &revoked);
        // A new key counts only while its maker is an adviser member: a removed (perhaps stolen)
        // device must not hand out keys it knows. Keys a device opened before stay in its store.
        let rekeys = ours
            .iter()
            .filter_map(|s| match s {
                Statement::Rekey(r) => Some(r),
                _ => None,
            })
            .filter(|r| {
                members.get(&r.body.by).is_some_and(|m| {
                    m.role == MemberRole::Adviser
                        && m.device_key
                            .verify(&message(REKEY_TAG, &r.body), &r.signature)
                            .is_ok()
                })
            })
            .flat_map(|r| {
                r.body
                    .envelopes
                    .iter()
                    .map(|e| (r.body.epoch, e.device_id, e.sealed.clone()))
            })
            .collect();
        Roster {
            members,
            ever: all,
            revoked,
            rekeys,
        }
    }

    /// Who a device is or was, removed devices included.
    pub fn ever(&self, device: Uuid) -> Option<&Member> {
        self.ever.get(&device)
    }

    /// Devices that were members and are no longer: revoked, or admitted by a grant that a
    /// revoked device signed.
    pub fn gone(&self) -> impl Iterator<Item = &Member> {
        self.ever
            .values()
            .filter(|m| !self.members.contains_key(&m.device_id))
    }

    /// The newest epoch any verified new key names (1 when the key never rotated).
    pub fn epoch(&self) -> u32 {
        self.rekeys.iter().map(|r| r.0).max().unwrap_or(1)
    }

    /// The document keys sealed to `me`, opened: (epoch, key). A device finds every key made while
    /// it was a member, and none made after its removal.
    pub fn keys_for(&self, me: Uuid, key: &DeviceKey) -> Vec<(u32, DocKey)> {
        self.rekeys
            .iter()
            .filter(|(_, d, _)| *d == me)
            .filter_map(|(epoch, _, sealed)| {
                let plain = key.unseal(sealed).ok()?;
                Some((*epoch, DocKey::from_bytes(&plain).ok()?))
            })
            .collect()
    }

    /// Current members that have no key of `epoch` sealed to them.
    pub fn lacking(&self, epoch: u32) -> Vec<&Member> {
        self.members
            .values()
            .filter(|m| {
                !self
                    .rekeys
                    .iter()
                    .any(|r| r.0 == epoch && r.1 == m.device_id)
            })
            .collect()
    }

    /// A current member (never a revoked device).
    pub fn member(&self, device: Uuid) -> Option<&Member> {
        self.members.get(&device)
    }

    pub fn is_revoked(&self, device: Uuid) -> bool {
        self.revoked.contains(&device)
    }

    pub fn members(&self) -> impl Iterator<Item = &Member> {
        self.members.values()
    }

    pub fn revoked(&self) -> impl Iterator<Item = &Uuid> {
        self.revoked.iter()
    }
}

fn rank(role: MemberRole) -> u8 {
    match role {
        MemberRole::Employer => 0,
        MemberRole::Adviser => 1,
    }
}

fn members_from(
    anchor: &Anchor,
    anchor_name: &str,
    statements: &[&Statement],
    revoked: &BTreeSet<Uuid>,
) -> BTreeMap<Uuid, Member> {
    let mut members = BTreeMap::new();
    members.insert(
        anchor.device_id,
        Member {
            device_id: anchor.device_id,
            device_key: anchor.device_key,
            box_key: anchor.box_key,
            role: MemberRole::Adviser,
            name: anchor_name.to_owned(),
            invited_by: None,
        },
    );
    let claims: Vec<&Signed<Claim>> = statements
        .iter()
        .filter_map(|s| match s {
            Statement::Claim(c) => Some(c),
            _ => None,
        })
        .filter(|c| {
            c.body.name.len() <= MAX_NAME
                && c.body
                    .invitation_key
                    .verify(&message(CLAIM_TAG, &c.body), &c.signature)
                    .is_ok()
        })
        .collect();
    // Device ids claimed with more than one key are nobody's.
    let mut keys: BTreeMap<Uuid, BTreeSet<[u8; 32]>> = BTreeMap::new();
    for c in &claims {
        keys.entry(c.body.device_id)
            .or_default()
            .insert(c.body.device_key.0);
    }
    let grants: Vec<&Signed<Grant>> = statements
        .iter()
        .filter_map(|s| match s {
            Statement::Grant(g) => Some(g),
            _ => None,
        })
        .collect();
    // Grow the roster until no statement adds anyone: each pass admits the devices whose grant
    // was signed by an adviser admitted before. Bounded by the number of grants.
    let mut valid: BTreeMap<[u8; 32], (MemberRole, Uuid)> = BTreeMap::new();
    loop {
        let before = (valid.len(), members.len());
        for g in &grants {
            let Some(granter) = members.get(&g.body.granted_by) else {
                continue;
            };
            if granter.role != MemberRole::Adviser
                || revoked.contains(&granter.device_id)
                || granter
                    .device_key
                    .verify(&message(GRANT_TAG, &g.body), &g.signature)
                    .is_err()
            {
                continue;
            }
            let entry = valid
                .entry(g.body.invitation_key.0)
                .or_insert((g.body.role, g.body.granted_by));
            if rank(g.body.role) < rank(entry.0) {
                *entry = (g.body.role, g.body.granted_by);
            }
        }
        for c in &claims {
            let id = c.body.device_id;
            if id == anchor.device_id || revoked.contains(&id) || keys[&id].len() > 1 {
                continue;
            }
            let Some(&(role, by)) = valid.get(&c.body.invitation_key.0) else {
                continue;
            };
            match members.get_mut(&id) {
                Some(m) if rank(role) < rank(m.role) => {
                    m.role = role;
                    m.invited_by = Some(by);
                }
                Some(m) if rank(role) == rank(m.role) && c.body.name < m.name => {
                    m.name = c.body.name.clone(); // the same for every order of statements
                }
                Some(_) => {}
                None => {
                    members.insert(
                        id,
                        Member {
                            device_id: id,
                            device_key: c.body.device_key,
                            box_key: c.body.box_key,
                            role,
                            name: c.body.name.clone(),
                            invited_by: Some(by),
                        },
                    );
                }
            }
        }
        if (valid.len(), members.len()) == before {
            break;
        }
    }
    // A device demoted to employer after it granted: what it granted as an adviser no longer
    // counts. Evaluate once more with only adviser granters that remain advisers.
    let demoted: Vec<Uuid> = members
        .values()
        .filter(|m| m.role != MemberRole::Adviser)
        .map(|m| m.device_id)
        .collect();
    if grants.iter().any(|g| demoted.contains(&g.body.granted_by)) {
        // Each round drops at least one grant, so this ends.
        let kept: Vec<&Statement> = statements
            .iter()
            .copied()
            .filter(|s| !matches!(s, Statement::Grant(g) if demoted.contains(&g.body.granted_by)))
            .collect();
        return members_from(anchor, anchor_name, &kept, revoked);
    }
    members
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Device {
        id: Uuid,
        key: DeviceKey,
    }

    fn device() -> Device {
        Device {
            id: Uuid::new_v4(),
            key: DeviceKey::generate(),
        }
    }

    /// The inviter's grant and the invitee's claim, as an invitation produces them.
    fn invite(doc: Uuid, by: &Device, to: &Device, role: MemberRole) -> Vec<Statement> {
        let inv = DeviceKey::generate();
        vec![
            Grant {
                doc_id: doc,
                role,
                invitation_key: inv.public(),
                granted_by: by.id,
            }
            .sign(&by.key),
            Claim {
                doc_id: doc,
                invitation_key: inv.public(),
                device_id: to.id,
                device_key: to.key.public(),
                box_key: to.key.box_public(),
                name: "Kari".into(),
            }
            .sign(&inv),
        ]
    }

    fn anchor(d: &Device) -> Anchor {
        Anchor {
            device_id: d.id,
            device_key: d.key.public(),
            box_key: d.key.box_public(),
        }
    }

    #[test]
    fn the_invitation_fixes_the_role_and_order_does_not_matter() {
        let doc = Uuid::new_v4();
        let (root, laptop, employer) = (device(), device(), device());
        let mut s = invite(doc, &root, &laptop, MemberRole::Adviser);
        s.extend(invite(doc, &laptop, &employer, MemberRole::Employer));
        let r = Roster::evaluate(doc, &anchor(&root), "Nora", &s);
        assert_eq!(r.member(root.id).unwrap().role, MemberRole::Adviser);
        assert_eq!(r.member(laptop.id).unwrap().role, MemberRole::Adviser);
        assert_eq!(r.member(employer.id).unwrap().role, MemberRole::Employer);
        s.reverse();
        assert_eq!(Roster::evaluate(doc, &anchor(&root), "Nora", &s), r);
        // Another document's anchor admits nobody from these statements.
        let other = Roster::evaluate(Uuid::new_v4(), &anchor(&root), "Nora", &s);
        assert_eq!(other.members().count(), 1);
    }

    #[test]
    fn an_employer_cannot_grant_and_a_forged_claim_or_grant_is_ignored() {
        let doc = Uuid::new_v4();
        let (root, employer, friend) = (device(), device(), device());
        let mut s = invite(doc, &root, &employer, MemberRole::Employer);
        // The employer invites a friend as an adviser: not an adviser member, so void.
        s.extend(invite(doc, &employer, &friend, MemberRole::Adviser));
        // A claim signed with the wrong key, for the employer's own invitation.
        let Statement::Grant(g) = &s[0] else {
            unreachable!()
        };
        s.push(
            Claim {
                doc_id: doc,
                invitation_key: g.body.invitation_key,
                device_id: Uuid::new_v4(),
                device_key: friend.key.public(),
                box_key: friend.key.box_public(),
                name: "x".into(),
            }
            .sign(&friend.key),
        );
        // A grant that claims the root signed it.
        s.push(Statement::Grant(Signed {
            body: Grant {
                doc_id: doc,
                role: MemberRole::Adviser,
                invitation_key: friend.key.public(),
                granted_by: root.id,
            },
            signature: [7; 64],
        }));
        let r = Roster::evaluate(doc, &anchor(&root), "Nora", &s);
        assert_eq!(r.members().count(), 2);
        assert_eq!(r.member(employer.id).unwrap().role, MemberRole::Employer);
        assert!(r.member(friend.id).is_none());
    }

    #[test]
    fn two_roles_give_the_lesser_and_a_stolen_device_id_is_nobody() {
        let doc = Uuid::new_v4();
        let (root, d) = (device(), device());
        let mut s = invite(doc, &root, &d, MemberRole::Adviser);
        s.extend(invite(doc, &root, &d, MemberRole::Employer));
        let r = Roster::evaluate(doc, &anchor(&root), "Nora", &s);
        assert_eq!(r.member(d.id).unwrap().role, MemberRole::Employer);
        // Someone claims the same device id with another key.
        let imposter = Device {
            id: d.id,
            key: DeviceKey::generate(),
        };
        s.extend(invite(doc, &root, &imposter, MemberRole::Employer));
        let r = Roster::evaluate(doc, &anchor(&root), "Nora", &s);
        assert!(r.member(d.id).is_none());
    }

    #[test]
    fn revocation_removes_the_device_and_what_it_granted_but_never_the_anchor() {
        let doc = Uuid::new_v4();
        let (root, laptop, employer) = (device(), device(), device());
        let mut s = invite(doc, &root, &laptop, MemberRole::Adviser);
        s.extend(invite(doc, &laptop, &employer, MemberRole::Employer));
        s.push(
            Revoke {
                doc_id: doc,
                device_id: laptop.id,
                revoked_by: root.id,
                at_ms: 1,
            }
            .sign(&root.key),
        );
        // The laptop tries to remove the root.
        s.push(
            Revoke {
                doc_id: doc,
                device_id: root.id,
                revoked_by: laptop.id,
                at_ms: 2,
            }
            .sign(&laptop.key),
        );
        let r = Roster::evaluate(doc, &anchor(&root), "Nora", &s);
        assert!(r.member(laptop.id).is_none() && r.is_revoked(laptop.id));
        assert!(r.member(employer.id).is_none());
        assert!(r.member(root.id).is_some());
        // An employer's revocation counts for nothing.
        let (root2, e1, e2) = (device(), device(), device());
        let mut s = invite(doc, &root2, &e1, MemberRole::Employer);
        s.extend(invite(doc, &root2, &e2, MemberRole::Employer));
        s.push(
            Revoke {
                doc_id: doc,
                device_id: e2.id,
                revoked_by: e1.id,
                at_ms: 1,
            }
            .sign(&e1.key),
        );
        let r = Roster::evaluate(doc, &anchor(&root2), "Nora", &s);
        assert!(r.member(e2.id).is_some());
    }

    #[test]
    fn a_new_key_reaches_the_remaining_members_only() {
        let doc = Uuid::new_v4();
        let (root, e1, e2) = (device(), device(), device());
        let mut s = invite(doc, &root, &e1, MemberRole::Employer);
        s.extend(invite(doc, &root, &e2, MemberRole::Employer));
        s.push(
            Revoke {
                doc_id: doc,
                device_id: e2.id,
                revoked_by: root.id,
                at_ms: 1,
            }
            .sign(&root.key),
        );
        let r = Roster::evaluate(doc, &anchor(&root), "Nora", &s);
        let k2 = DocKey::generate();
        s.push(
            Rekey::new(
                doc,
                2,
                root.id,
                &k2,
                r.members().map(|m| (m.device_id, &m.box_key)),
            )
            .sign(&root.key),
        );
        // A forged key from the removed device counts for nothing.
        s.push(
            Rekey::new(
                doc,
                3,
                e2.id,
                &DocKey::generate(),
                [(e1.id, &e1.key.box_public())],
            )
            .sign(&e2.key),
        );
        let r = Roster::evaluate(doc, &anchor(&root), "Nora", &s);
        assert_eq!(r.epoch(), 2);
        assert_eq!(r.keys_for(e1.id, &e1.key)[0].1, k2);
        assert_eq!(r.keys_for(root.id, &root.key)[0].1, k2);
        assert!(r.keys_for(e2.id, &e2.key).is_empty());
        // Even given the envelope meant for another, the removed device cannot open it.
        let Statement::Rekey(rk) = &s[s.len() - 2] else {
            unreachable!()
        };
        assert!(
            rk.body
                .envelopes
                .iter()
                .all(|e| e2.key.unseal(&e.sealed).is_err())
        );
        assert!(r.lacking(2).is_empty());
        assert_eq!(r.ever(e2.id).unwrap().role, MemberRole::Employer);
    }

    #[test]
    fn statements_round_trip_and_garbage_is_refused() {
        let doc = Uuid::new_v4();
        let (root, d) = (device(), device());
        let s = invite(doc, &root, &d, MemberRole::Employer);
        let bytes = encode_statements(&s);
        assert_eq!(decode_statements(&bytes).unwrap(), s);
        assert!(decode_statements(&bytes[..bytes.len() - 3]).is_err());
        let many = vec![s[0].clone(); MAX_STATEMENTS_PER_RECORD + 1];
        assert!(decode_statements(&encode_statements(&many)).is_err());
        let packed = pack_snapshot(&s, b"document");
        assert_eq!(
            unpack_snapshot(&packed).unwrap(),
            (s.clone(), &b"document"[..])
        );
        assert!(unpack_snapshot(b"document").is_err());
        assert!(unpack_snapshot(&packed[..10]).is_err());
    }
}
