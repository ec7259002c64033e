//! Group commit: uploads that arrive while one is being committed wait, and the next commit takes
//! all of them in one transaction and one flush to disk (the way LevelDB batches its writers).
//!
//! Each caller hands in its job and blocks. The first caller to find no commit under way becomes
//! the leader: it takes every job queued at that moment (up to [`MAX_JOBS`]), runs the backend's
//! batch, hands each caller its own result and leaves; the first of those still queued is woken
//! to lead the next batch. A caller returns only once the batch holding its job has committed, so an acknowledged
//! record is still on disk before the relay answers. Under no load a batch is one job and nothing
//! waits longer than before.

use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use crate::storage::Commits;

/// The most jobs one batch takes: bounds how long the callers of a large batch wait, and the
/// transaction's size.
pub(crate) const MAX_JOBS: usize = 128;

pub(crate) struct GroupCommit<J, R> {
    state: Mutex<State<J, R>>,
    jobs: AtomicU64,
    batches: AtomicU64,
}

struct State<J, R> {
    queue: VecDeque<(J, Arc<Slot<R>>)>,
    /// A caller is leading a batch, or has been told to lead the next one. While nobody leads,
    /// the queue is empty.
    leading: bool,
}

/// Where one caller waits. Each is woken once, for its own result or to lead: a batch does not
/// wake every waiting caller to look (a hundred threads would wake for each flush).
struct Slot<R> {
    state: Mutex<Turn<R>>,
    woken: Condvar,
}

enum Turn<R> {
    Waiting,
    Lead,
    Done(R),
    /// The batch panicked; each of its callers panics in turn (the API answers 500).
    Panicked,
}

impl<J, R> Default for GroupCommit<J, R> {
    fn default() -> Self {
        GroupCommit {
            state: Mutex::new(State {
                queue: VecDeque::new(),
                leading: false,
            }),
            jobs: AtomicU64::new(0),
            batches: AtomicU64::new(0),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl<R> Slot<R> {
    fn set(&self, turn: Turn<R>) {
        *lock(&self.state) = turn;
        self.woken.notify_one();
    }
}

impl<J, R> GroupCommit<J, R> {
    /// Runs `job` in a batch with whatever else is waiting and returns its own result. `commit`
    /// gets the batch's jobs in arrival order and must return one result per job, in that order.
    pub(crate) fn submit(&self, job: J, commit: impl FnOnce(Vec<J>) -> Vec<R>) -> R {
        let slot = Arc::new(Slot {
            state: Mutex::new(Turn::Waiting),
            woken: Condvar::new(),
        });
        let lead = {
            let mut state = lock(&self.state);
            state.queue.push_back((job, slot.clone()));
            !std::mem::replace(&mut state.leading, true)
        };
        if !lead {
            let mut turn = lock(&slot.state);
            while matches!(*turn, Turn::Waiting) {
                turn = slot.woken.wait(turn).unwrap_or_else(|p| p.into_inner());
            }
            match std::mem::replace(&mut *turn, Turn::Waiting) {
                Turn::Done(r) => return r,
                Turn::Panicked => panic!("a batch of uploads failed"),
                Turn::Lead => {}
                Turn::Waiting => unreachable!(),
            }
        }
        // Leading: this caller's job is at the front of the queue, so in this batch.
        let batch: Vec<(J, Arc<Slot<R>>)> = {
            let mut state = lock(&self.state);
            let take = state.queue.len().min(MAX_JOBS);
            state.queue.drain(..take).collect()
        };
        let (jobs, slots): (Vec<J>, Vec<Arc<Slot<R>>>) = batch.into_iter().unzip();
        self.jobs.fetch_add(jobs.len() as u64, Ordering::Relaxed);
        self.batches.fetch_add(1, Ordering::Relaxed);
        let outcome = catch_unwind(AssertUnwindSafe(|| commit(jobs)));
        // The next batch's leader: the first caller still waiting, if any.
        {
            let mut state = lock(&self.state);
            match state.queue.front() {
                Some((_, next)) => next.set(Turn::Lead),
                None => state.leading = false,
            }
        }
        match outcome {
            Ok(results) => {
                assert_eq!(results.len(), slots.len(), "one result per job");
                let mut own = None;
                for (s, r) in slots.into_iter().zip(results) {
                    if Arc::ptr_eq(&s, &slot) {
                        own = Some(r);
                    } else {
                        s.set(Turn::Done(r));
                    }
                }
                own.expect("the leader's job is in its batch")
            }
            Err(p) => {
                for s in slots.iter().filter(|s| !Arc::ptr_eq(s, &slot)) {
                    s.set(Turn::Panicked);
                }
                resume_unwind(p)
            }
        }
    }

    /// Jobs and batches run so far.
    pub(crate) fn counts(&self) -> Commits {
        Commits {
            uploads: self.jobs.load(Ordering::Relaxed),
            commits: self.batches.load(Ordering::Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::AtomicUsize;
    use std::time::Duration;

    /// Callers that arrive during a commit share the next one, each gets its own result, and
    /// none returns before the batch holding its job has run.
    #[test]
    fn jobs_waiting_during_a_commit_share_the_next_and_each_gets_its_own_result() {
        let group = Arc::new(GroupCommit::<u32, u32>::default());
        let batches = Arc::new(Mutex::new(Vec::<Vec<u32>>::new()));
        let running = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..16u32)
            .map(|n| {
                let (group, batches, running) = (group.clone(), batches.clone(), running.clone());
                std::thread::spawn(move || {
                    group.submit(n, |jobs| {
                        assert_eq!(
                            running.fetch_add(1, Ordering::SeqCst),
                            0,
                            "one batch at a time"
                        );
                        std::thread::sleep(Duration::from_millis(20));
                        batches.lock().unwrap().push(jobs.clone());
                        running.fetch_sub(1, Ordering::SeqCst);
                        jobs.iter().map(|j| j * 10).collect()
                    })
                })
            })
            .collect();
        let results: Vec<u32> = threads.into_iter().map(|t| t.join().unwrap()).collect();
        assert_eq!(results, (0..16).map(|n| n * 10).collect::<Vec<_>>());
        let batches = batches.lock().unwrap();
        let mut all: Vec<u32> = batches.iter().flatten().copied().collect();
        all.sort();
        assert_eq!(
            all,
            (0..16).collect::<Vec<_>>(),
            "every job ran exactly once"
        );
        assert!(
            batches.len() < 16,
            "jobs that waited were committed together: {batches:?}"
        );
        let counts = group.counts();
        assert_eq!((counts.uploads, counts.commits), (16, batches.len() as u64));
    }

    /// A batch that panics fails each of its callers instead of leaving them waiting, and the
    /// next batch runs.
    #[test]
    fn a_panicking_batch_fails_its_callers_and_the_next_one_runs() {
        let group = Arc::new(GroupCommit::<u32, u32>::default());
        let g = group.clone();
        let failed = std::thread::spawn(move || g.submit(1, |_| panic!("disk on fire"))).join();
        assert!(failed.is_err());
        assert_eq!(group.submit(2, |jobs| jobs), 2);
    }
}
