//! What the relay keeps in memory in front of its storage: device keys and memberships, the two
//! things every request reads.
//!
//! - **Device keys** never go stale: a device's key never changes (registering another key for its
//!   id is refused) and the relay deletes no device.
//! - **Memberships** do: a removal, a new end date or an accepted invitation changes them, and on
//!   PostgreSQL another relay process may make the change. Each change in this process drops the
//!   entries it touches. Each change in any process also raises the database's membership epoch,
//!   in the change's own transaction; every request's replay check reads the epoch in the same
//!   statement that stores its nonce ([`RelayStorage::check_nonce`]), and a higher epoch than the
//!   cache last saw empties it before the request reads a membership. So a removal through one
//!   process holds for the next request through any other, with no extra round trip and no
//!   reliance on a notification arriving in time.
//! - **How far a device was served** (`served_through`) is kept as a lower bound: raised when this
//!   process serves the device, read afresh when the device claims more (another process served
//!   it). A device is never believed beyond what the database says it was served.
//!
//! Both maps are bounded: full, a map starts again empty.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use folgesvenn_protocol::wire::CreateInvitation;
#[cfg(test)]
use folgesvenn_protocol::wire::MemberRole;
use folgesvenn_protocol::{PublicKey, SealedRecord};
use uuid::Uuid;

use crate::storage::*;

/// Device keys kept at most (about 80 bytes each).
const KEYS_MAX: usize = 200_000;
/// Memberships kept at most (about 100 bytes each).
const MEMBERS_MAX: usize = 200_000;

pub struct Cached {
    inner: Arc<dyn RelayStorage>,
    keys: Mutex<HashMap<Uuid, PublicKey>>,
    members: Mutex<Members>,
}

#[derive(Default)]
struct Members {
    map: HashMap<(Uuid, Uuid), Membership>,
    /// The highest membership epoch a replay check has read (PostgreSQL); `None` on a database
    /// only this process writes.
    epoch: Option<i64>,
    /// Raised whenever entries are dropped: a membership read from the database before a drop
    /// is not kept after it.
    generation: u64,
}

impl Members {
    fn drop_all(&mut self) {
        self.map.clear();
        self.generation += 1;
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Cached {
    pub fn new(inner: Arc<dyn RelayStorage>) -> Cached {
        Cached {
            inner,
            keys: Mutex::default(),
            members: Mutex::default(),
        }
    }

    /// Reads a membership from the database and keeps it, unless entries were dropped meanwhile.
    fn read_membership(&self, doc: Uuid, device: Uuid) -> Result<Option<Membership>, StorageError> {
        let generation = lock(&self.members).generation;
        let read = self.inner.membership(doc, device)?;
        let mut members = lock(&self.members);
        if let Some(m) = read
            && members.generation == generation
        {
            if members.map.len() >= MEMBERS_MAX {
                members.drop_all();
            } else {
                members.map.insert((doc, device), m);
            }
        }
        Ok(read)
    }

    /// The database's membership epoch, as a request's replay check read it: higher than the
    /// cache last saw, a membership changed somewhere, and every entry goes.
    fn saw_epoch(&self, epoch: i64) {
        let mut members = lock(&self.members);
        if members.epoch.is_none_or(|seen| epoch > seen) {
            members.epoch = Some(epoch);
            members.drop_all();
        }
    }

    fn forget(&self, which: impl Fn(&(Uuid, Uuid)) -> bool) {
        let mut members = lock(&self.members);
        members.map.retain(|k, _| !which(k));
        members.generation += 1;
    }

    #[cfg(test)]
    fn cached_members(&self) -> usize {
        lock(&self.members).map.len()
    }
}

impl RelayStorage for Cached {
    fn register_device(
        &self,
        device: Uuid,
        key: &PublicKey,
        now_ms: i64,
    ) -> Result<Registered, StorageError> {
        self.inner.register_device(device, key, now_ms)
    }

    fn device_key(&self, device: Uuid) -> Result<Option<PublicKey>, StorageError> {
        if let Some(k) = lock(&self.keys).get(&device) {
            return Ok(Some(*k));
        }
        let read = self.inner.device_key(device)?;
        if let Some(k) = read {
            let mut keys = lock(&self.keys);
            if keys.len() >= KEYS_MAX {
                keys.clear();
            }
            keys.insert(device, k);
        }
        Ok(read)
    }

    fn check_nonce(
        &self,
        device: Uuid,
        nonce: &str,
        time_ms: i64,
        forget_before_ms: i64,
    ) -> Result<NonceCheck, StorageError> {
        let check = self
            .inner
            .check_nonce(device, nonce, time_ms, forget_before_ms)?;
        if let Some(epoch) = check.members_epoch {
            self.saw_epoch(epoch);
        }
        Ok(check)
    }

    fn create_doc(&self, doc: Uuid, creator: Uuid, now_ms: i64) -> Result<Created, StorageError> {
        let created = self.inner.create_doc(doc, creator, now_ms);
        self.forget(|k| *k == (doc, creator));
        created
    }

    fn membership(&self, doc: Uuid, device: Uuid) -> Result<Option<Membership>, StorageError> {
        if let Some(m) = lock(&self.members).map.get(&(doc, device)) {
            return Ok(Some(*m));
        }
        self.read_membership(doc, device)
    }

    fn membership_covering(
        &self,
        doc: Uuid,
        device: Uuid,
        claimed: u64,
    ) -> Result<Option<Membership>, StorageError> {
        if let Some(m) = lock(&self.members).map.get(&(doc, device))
            && m.served_through >= claimed
        {
            return Ok(Some(*m));
        }
        self.read_membership(doc, device)
    }

    fn docs_created_by(&self, device: Uuid) -> Result<u64, StorageError> {
        self.inner.docs_created_by(device)
    }

    fn memberships_of(&self, device: Uuid) -> Result<Vec<(Uuid, Membership, u64)>, StorageError> {
        self.inner.memberships_of(device)
    }

    fn set_end_day(&self, doc: Uuid, end_day: Option<i64>) -> Result<(), StorageError> {
        let done = self.inner.set_end_day(doc, end_day);
        self.forget(|(d, _)| *d == doc);
        done
    }

    fn create_invitation(
        &self,
        invitation: &CreateInvitation,
        created_by: Uuid,
    ) -> Result<bool, StorageError> {
        self.inner.create_invitation(invitation, created_by)
    }

    fn fetch_bundle(
        &self,
        lookup: &[u8; 32],
        device: Uuid,
        now_ms: i64,
    ) -> Result<Option<Vec<u8>>, StorageError> {
        self.inner.fetch_bundle(lookup, device, now_ms)
    }

    fn accept_invitation(
        &self,
        invitation: Uuid,
        secret_hash: &[u8; 32],
        device: Uuid,
        now_ms: i64,
    ) -> Result<Accept, StorageError> {
        let accepted = self
            .inner
            .accept_invitation(invitation, secret_hash, device, now_ms);
        if let Ok(Accept::Accepted { doc_id, .. }) = &accepted {
            let doc = *doc_id;
            self.forget(|k| *k == (doc, device));
        }
        accepted
    }

    fn remove_member(&self, doc: Uuid, device: Uuid) -> Result<bool, StorageError> {
        // Dropped also when the database answered with an error: the removal may have committed.
        let removed = self.inner.remove_member(doc, device);
        self.forget(|k| *k == (doc, device));
        removed
    }

    fn doc_bytes(&self, doc: Uuid) -> Result<u64, StorageError> {
        self.inner.doc_bytes(doc)
    }

    fn has_record(&self, doc: Uuid, device: Uuid, device_seq: u64) -> Result<bool, StorageError> {
        self.inner.has_record(doc, device, device_seq)
    }

    fn append(
        &self,
        doc: Uuid,
        records: &[SealedRecord],
        now_ms: i64,
    ) -> Result<Vec<Appended>, StorageError> {
        self.inner.append(doc, records, now_ms)
    }

    fn pull(
        &self,
        doc: Uuid,
        since: u64,
        reader: Uuid,
        max_bytes: usize,
        first: bool,
    ) -> Result<Pulled, StorageError> {
        self.inner.pull(doc, since, reader, max_bytes, first)
    }

    fn served(&self, doc: Uuid, device: Uuid, cursor: u64) -> Result<(), StorageError> {
        self.inner.served(doc, device, cursor)?;
        if let Some(m) = lock(&self.members).map.get_mut(&(doc, device)) {
            m.served_through = m.served_through.max(cursor);
        }
        Ok(())
    }

    fn latest(&self, doc: Uuid) -> Result<u64, StorageError> {
        self.inner.latest(doc)
    }

    fn listen(&self, appended: OnAppend) -> Result<(), StorageError> {
        self.inner.listen(appended)
    }

    fn commits(&self) -> Commits {
        self.inner.commits()
    }

    fn ready(&self) -> Result<(), StorageError> {
        self.inner.ready()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sqlite::SqliteStorage;

    fn setup() -> (tempfile::TempDir, Arc<SqliteStorage>, Cached, Uuid, Uuid) {
        let dir = tempfile::tempdir().unwrap();
        let db = Arc::new(SqliteStorage::open(&dir.path().join("relay.db")).unwrap());
        let cached = Cached::new(db.clone());
        let (doc, device) = (Uuid::new_v4(), Uuid::new_v4());
        cached
            .register_device(device, &PublicKey([1; 32]), 0)
            .unwrap();
        cached.create_doc(doc, device, 0).unwrap();
        (dir, db, cached, doc, device)
    }

    /// What this process changes is seen at once: an accepted invitation, a cursor, an end date
    /// and a removal each change what the cache answers.
    #[test]
    fn memberships_are_kept_and_each_change_here_is_seen_at_once() {
        let (_dir, _db, cached, doc, adviser) = setup();
        let employer = Uuid::new_v4();
        cached
            .register_device(employer, &PublicKey([2; 32]), 0)
            .unwrap();
        assert_eq!(cached.membership(doc, employer).unwrap(), None);
        let invitation = CreateInvitation {
            doc_id: doc,
            invitation_id: Uuid::new_v4(),
            secret_hash: [9; 32],
            role: MemberRole::Employer,
            expires_at_ms: i64::MAX,
            bundle: None,
        };
        assert!(cached.create_invitation(&invitation, adviser).unwrap());
        let accepted = cached
            .accept_invitation(invitation.invitation_id, &[9; 32], employer, 1)
            .unwrap();
        assert!(matches!(accepted, Accept::Accepted { .. }));
        let m = cached.membership(doc, employer).unwrap().unwrap();
        assert_eq!(
            (m.role, m.served_through, m.expires_at_ms),
            (MemberRole::Employer, 0, None)
        );
        assert_eq!(cached.cached_members(), 1);
        cached.served(doc, employer, 7).unwrap();
        assert_eq!(
            cached
                .membership(doc, employer)
                .unwrap()
                .unwrap()
                .served_through,
            7
        );
        cached.set_end_day(doc, Some(20_000)).unwrap();
        assert!(
            cached
                .membership(doc, employer)
                .unwrap()
                .unwrap()
                .expires_at_ms
                .is_some()
        );
        assert!(cached.remove_member(doc, employer).unwrap());
        assert_eq!(cached.membership(doc, employer).unwrap(), None);
        assert_eq!(cached.cached_members(), 0, "a non-member is not kept");
    }

    /// A cursor another process handed out is not in this process's entry: a device claiming
    /// more than the entry says is read afresh, and believed only as far as the database says.
    #[test]
    fn a_cursor_beyond_the_kept_one_is_read_afresh() {
        let (_dir, db, cached, doc, device) = setup();
        cached.membership(doc, device).unwrap();
        db.served(doc, device, 5).unwrap(); // "another process"
        assert_eq!(
            cached
                .membership(doc, device)
                .unwrap()
                .unwrap()
                .served_through,
            0,
            "the kept entry"
        );
        assert_eq!(
            cached
                .membership_covering(doc, device, 5)
                .unwrap()
                .unwrap()
                .served_through,
            5
        );
        assert_eq!(
            cached
                .membership_covering(doc, device, 9)
                .unwrap()
                .unwrap()
                .served_through,
            5,
            "never beyond the database"
        );
    }

    /// A change made elsewhere (straight in the database here) is seen once a replay check
    /// reports a higher epoch, and not before: what PostgreSQL's epoch is for (the PostgreSQL
    /// test with two processes is in `tests/storage.rs`).
    #[test]
    fn a_higher_epoch_empties_the_cache() {
        let (_dir, db, cached, doc, device) = setup();
        cached.saw_epoch(1);
        cached.membership(doc, device).unwrap();
        db.remove_member(doc, device).unwrap(); // "another process"
        assert!(cached.membership(doc, device).unwrap().is_some(), "kept");
        cached.saw_epoch(1);
        assert!(
            cached.membership(doc, device).unwrap().is_some(),
            "same epoch"
        );
        cached.saw_epoch(2);
        assert_eq!(cached.membership(doc, device).unwrap(), None);
    }
}
