//! Paths of the objects that changes write into: from the root of the document, through the
//! objects the changes themselves create. Below the rights check (which judges each operation
//! by its path) and the merge code (which projects the records the operations touch).

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use automerge::legacy::{Key, ObjectId, OpType};
use automerge::{ActorId, AutoCommit, Change, ReadDoc};
use uuid::Uuid;

use crate::touched::Touched;

/// Which records `changes` touch, by the path of the object each operation writes into (objects
/// the changes create included): what the projection re-reads after they are applied. An
/// operation a concurrent one hides still counts, so this is never less than what a diff of
/// the document would report; re-projecting a record that did not change rewrites the same row.
/// Reading the changes costs what they hold, where a diff scans the whole document.
pub(crate) fn touched_by(doc: &AutoCommit, changes: &[&Change]) -> Touched {
    let expanded: Vec<automerge::ExpandedChange> = changes.iter().map(|c| c.decode()).collect();
    Paths::new(doc, &expanded).touched(&expanded)
}

/// One level of a path: the key, and the object it names (for records: who created it, if the
/// batch being checked did).
#[derive(Clone, Debug)]
pub(crate) struct Level {
    pub(crate) key: String,
    pub(crate) created_by: Option<ActorId>,
}

pub(crate) struct Paths<'a> {
    pub(crate) doc: &'a AutoCommit,
    /// Objects the checked changes create: their parent, key and creator.
    created: HashMap<(u64, ActorId), (ObjectId, String, ActorId)>,
    /// Each object's path, shared: a batch of text has one operation per character, all in the
    /// same object.
    cache: HashMap<(u64, ActorId), Option<Rc<[Level]>>>,
}

impl<'a> Paths<'a> {
    /// Paths in `doc` and in the objects `changes` create.
    pub(crate) fn new(doc: &'a AutoCommit, changes: &[automerge::ExpandedChange]) -> Self {
        let mut created = HashMap::new();
        for c in changes {
            for (i, op) in c.operations.iter().enumerate() {
                if let (OpType::Make(_), Key::Map(k)) = (&op.action, &op.key) {
                    created.insert(
                        (c.start_op.get() + i as u64, c.actor_id.clone()),
                        (op.obj.clone(), k.to_string(), c.actor_id.clone()),
                    );
                }
            }
        }
        Paths {
            doc,
            created,
            cache: HashMap::new(),
        }
    }

    /// The records (and the placement's facts) the operations of `changes` write into.
    pub(crate) fn touched(&mut self, changes: &[automerge::ExpandedChange]) -> Touched {
        let mut t = Touched::default();
        let mut seen = HashSet::new();
        // The first two levels of each object's path: a collection and a record, or "placement".
        let mut tops: HashMap<ObjectId, Option<Vec<String>>> = HashMap::new();
        for c in changes {
            // A run of operations in one list or text (a note's characters) touches what its
            // first one does.
            let mut run: Option<&ObjectId> = None;
            for op in &c.operations {
                let in_run = matches!(op.key, Key::Seq(_)) && run == Some(&op.obj);
                run = matches!(op.key, Key::Seq(_)).then_some(&op.obj);
                if in_run {
                    continue;
                }
                if !tops.contains_key(&op.obj) {
                    let top = self
                        .of(&op.obj)
                        .map(|levels| levels.iter().take(2).map(|l| l.key.clone()).collect());
                    tops.insert(op.obj.clone(), top);
                }
                let top = &tops[&op.obj];
                // An object neither the document nor the batch knows: the batch cannot apply.
                let Some(top) = top else { continue };
                let key = match &op.key {
                    Key::Map(k) => Some(k.as_str()),
                    Key::Seq(_) => None,
                };
                let mut steps = top.iter().map(String::as_str).chain(key);
                let (Some(first), second) = (steps.next(), steps.next()) else {
                    continue;
                };
                if first == "placement" {
                    t.placement = true;
                } else if let (Some(coll), Some(Ok(id))) = (
                    crate::touched::collection_name(first),
                    second.map(str::parse::<Uuid>),
                ) && seen.insert((coll, id))
                {
                    t.records.push((coll, id));
                }
            }
        }
        t
    }

    /// The path from the root to `obj`, or `None` for an object neither the document nor the
    /// batch knows, and for one the batch places inside itself (a hostile change can make an
    /// object in itself, or a ring of them) or deeper than any record ([`MAX_DEPTH`]). Walked
    /// up without recursion, so no input runs the stack out.
    pub(crate) fn of(&mut self, obj: &ObjectId) -> Option<Rc<[Level]>> {
        let ObjectId::Id(id) = obj else {
            return Some(Rc::from([]));
        };
        let mut at = (id.counter(), id.actor().clone());
        // The objects the batch creates between `obj` and a known one, innermost first.
        let mut chain: Vec<((u64, ActorId), Level)> = Vec::new();
        let known = loop {
            if let Some(p) = self.cache.get(&at) {
                break p.clone();
            }
            if chain.len() > MAX_DEPTH || chain.iter().any(|(k, _)| *k == at) {
                break None;
            }
            let Some((parent, key, by)) = self.created.get(&at).cloned() else {
                let p: Option<Rc<[Level]>> = existing_path(self.doc, &at).map(Rc::from);
                self.cache.insert(at.clone(), p.clone());
                break p;
            };
            let level = Level {
                key,
                created_by: Some(by),
            };
            chain.push((at, level));
            match parent {
                ObjectId::Root => break Some(Rc::from([])),
                ObjectId::Id(p) => at = (p.counter(), p.actor().clone()),
            }
        };
        let mut path = known.filter(|p| p.len() + chain.len() <= MAX_DEPTH);
        for (k, level) in chain.into_iter().rev() {
            path = path.map(|p| p.iter().cloned().chain([level]).collect());
            self.cache.insert(k, path.clone());
        }
        path
    }
}

/// Deeper than any object of a placement document (a collection, a record, a field's text or
/// list is three levels): a path longer than this is no path.
const MAX_DEPTH: usize = 16;

fn existing_path(doc: &AutoCommit, (counter, actor): &(u64, ActorId)) -> Option<Vec<Level>> {
    let exid = doc.import_obj(&format!("{counter}@{actor}")).ok()?;
    doc.object_type(&exid).ok()?;
    let mut levels: Vec<Level> = doc
        .parents(&exid)
        .ok()?
        .map(|p| Level {
            key: match p.prop {
                automerge::Prop::Map(k) => k,
                automerge::Prop::Seq(i) => i.to_string(),
            },
            created_by: None,
        })
        .collect();
    levels.reverse();
    Some(levels)
}
