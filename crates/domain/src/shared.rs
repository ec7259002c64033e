//! The shared document of a placement: what the adviser and the employer both see and write.
//!
//! Every method validates first and writes only when the input passes, so an error leaves the
//! document exactly as it was. Each successful call ends in one automerge change whose message
//! names the operation (`visit.record`), which the sync log and conflict view can show.

use automerge::{ActorId, AutoCommit, ChangeHash};
use autosurgeon::Text;
use uuid::Uuid;

use crate::doc::{self, FieldConflict};
use crate::error::Inconsistency;
use crate::input::*;
use crate::model::*;
use crate::prefetch::Prefetched;
use crate::touched::{SHARED_COLLECTIONS, Touched};
use crate::validate::{self, FIELD_MAX, LONG_MAX, SHORT_MAX};
use crate::when::Day;
use crate::{ChangeKind, DocError, Field, HistoryEntry, ValidationError};

pub struct SharedDoc {
    doc: AutoCommit,
}

fn check_placement(p: &NewPlacement) -> Result<(), ValidationError> {
    validate::required(Field::CandidateName, &p.candidate_name, SHORT_MAX)?;
    validate::required(Field::EmployerName, &p.employer.name, SHORT_MAX)?;
    validate::org_number(&p.employer.org_number)?;
    validate::max_len(Field::Workplace, &p.employer.workplace_address, SHORT_MAX)?;
    validate::required(Field::AdviserName, &p.adviser_name, SHORT_MAX)?;
    validate::range(Field::HoursPerWeek, p.hours_per_week, 0.5, 60.0)?;
    if let Some(end) = p.end_date
        && end < p.start_date
    {
        return Err(ValidationError::EndBeforeStart {
            start: p.start_date,
            end,
        });
    }
    Ok(())
}

fn check_action(a: &NewAction, today: Day) -> Result<(), ValidationError> {
    validate::required(Field::Action, &a.what, FIELD_MAX)?;
    if let Some(due) = a.due
        && due.days_until(today) > 366
    {
        return Err(ValidationError::Inconsistent(Inconsistency::DueTooOld));
    }
    Ok(())
}

/// A contact person as it is stored, once the input passes its rules.
fn contact_person(input: &NewContactPerson) -> Result<ContactPerson, ValidationError> {
    validate::required(Field::ContactName, &input.name, SHORT_MAX)?;
    validate::max_len(Field::Role, &input.role, SHORT_MAX)?;
    validate::max_len(Field::Phone, &input.phone, validate::PHONE_MAX)?;
    validate::max_len(Field::Email, &input.email, SHORT_MAX)?;
    if !input.email.trim().is_empty() && !input.email.contains('@') {
        return Err(ValidationError::Inconsistent(Inconsistency::EmailWithoutAt));
    }
    Ok(ContactPerson {
        name: input.name.trim().to_owned(),
        role: input.role.trim().to_owned(),
        phone: input.phone.trim().to_owned(),
        email: input.email.trim().to_owned(),
    })
}

fn transition(from: PlacementStatus, to: PlacementStatus) -> DocError {
    ValidationError::StatusTransition { from, to }.into()
}

fn check_stamp(s: &Stamp) -> Result<(), ValidationError> {
    validate::required(Field::Name, &s.name, SHORT_MAX)
}

impl SharedDoc {
    /// Starts the shared document of a new placement. Only the adviser does this.
    pub fn create(
        placement_id: Uuid,
        input: &NewPlacement,
        stamp: &Stamp,
        actor: Option<ActorId>,
    ) -> Result<SharedDoc, DocError> {
        check_stamp(stamp)?;
        if stamp.role != Role::Adviser {
            return Err(ValidationError::Inconsistent(Inconsistency::AdviserOnlyCreate).into());
        }
        check_placement(input)?;
        let mut doc = AutoCommit::new();
        if let Some(a) = actor {
            doc.set_actor(a);
        }
        doc::create_root(&mut doc, placement_id, SHARED_COLLECTIONS)?;
        let info = PlacementInfo {
            candidate_name: input.candidate_name.trim().to_owned(),
            employer: Employer {
                org_number: input.employer.org_number.replace(' ', ""),
                name: input.employer.name.trim().to_owned(),
                workplace_address: input.employer.workplace_address.trim().to_owned(),
            },
            adviser_name: input.adviser_name.trim().to_owned(),
            measure: input.measure,
            start_date: input.start_date,
            end_date: input.end_date,
            hours_per_week: input.hours_per_week,
            status: if input.start_date <= stamp.today {
                PlacementStatus::Active
            } else {
                PlacementStatus::Planned
            },
            closed_on: None,
            closed_reason: None,
            response_working_days: None,
        };
        doc::put_root(&mut doc, "placement", &info)?;
        doc::commit(&mut doc, ChangeKind::PlacementCreate, stamp.at);
        Ok(SharedDoc { doc })
    }

    /// Loads a saved document (a snapshot, optionally followed by incremental changes).
    pub fn load(bytes: &[u8]) -> Result<SharedDoc, DocError> {
        Self::from_automerge(doc::load(bytes)?)
    }

    pub fn from_automerge(doc: AutoCommit) -> Result<SharedDoc, DocError> {
        doc::check_schema(&doc)?;
        doc::placement_id(&doc)?;
        Ok(SharedDoc { doc })
    }

    pub fn automerge(&self) -> &AutoCommit {
        &self.doc
    }

    pub fn automerge_mut(&mut self) -> &mut AutoCommit {
        &mut self.doc
    }

    pub fn into_automerge(self) -> AutoCommit {
        self.doc
    }

    pub fn placement_id(&self) -> Result<Uuid, DocError> {
        doc::placement_id(&self.doc)
    }

    pub fn heads(&mut self) -> Vec<ChangeHash> {
        self.doc.get_heads()
    }

    /// The changes that `heads` does not include, framed for another device
    /// (see [`crate::changes`]).
    pub fn changes_since(&mut self, heads: &[ChangeHash]) -> Vec<u8> {
        doc::changes_since(&mut self.doc, heads)
    }

    pub fn fork(&mut self) -> SharedDoc {
        SharedDoc {
            doc: self.doc.fork(),
        }
    }

    /// Merges another copy of the same placement's document into this one.
    pub fn merge(&mut self, other: &mut SharedDoc) -> Result<(), DocError> {
        let (a, b) = (self.placement_id()?, other.placement_id()?);
        if a != b {
            return Err(DocError::WrongPlacement {
                expected: a,
                found: b,
            });
        }
        doc::merge(&mut self.doc, &mut other.doc)
    }

    /// Applies changes received from another device. Changes already here are skipped, so the
    /// same bytes can arrive twice. Reports which records changed, for the projection.
    pub fn apply_changes(&mut self, bytes: &[u8]) -> Result<Touched, DocError> {
        doc::apply_changes(&mut self.doc, bytes)
    }

    /// Applies changes from other devices after checking each against its author's role
    /// ([`crate::rights`]): all of them, or none and [`DocError::Forbidden`]. Also returns the
    /// devices whose changes were new here.
    pub fn apply_authored(
        &mut self,
        parts: &[crate::rights::Authored<'_>],
        role_of: &dyn Fn(Uuid) -> Option<Role>,
    ) -> Result<crate::rights::Merged, DocError> {
        crate::rights::apply_authored(
            &mut self.doc,
            parts,
            crate::rights::Document::Shared,
            role_of,
        )
    }

    /// The whole placement, for exports (screens read the projection).
    ///
    /// Read on two threads: the visits and notes (half the work in a three-year placement: their
    /// lists and texts) on a second one, everything else on this one, each through its own
    /// [`Prefetched`] view. The same as autosurgeon's derived hydrate of [`SharedPlacement`],
    /// which a property test holds it to on random concurrent edits.
    pub fn hydrate(&self) -> Result<SharedPlacement, DocError> {
        use autosurgeon::map_with_parseable_keys::hydrate as records;
        use autosurgeon::{HydrateError, hydrate_prop};
        let (doc, root) = (&self.doc, &automerge::ROOT);
        std::thread::scope(|s| {
            let second = s.spawn(move || -> Result<_, HydrateError> {
                let d = Prefetched::new(doc);
                Ok((
                    records(&d, root, "visits".into())?,
                    records(&d, root, "notes".into())?,
                ))
            });
            let d = Prefetched::new(doc);
            let mut p = SharedPlacement {
                schema_version: hydrate_prop(&d, root, "schema_version")?,
                placement_id: hydrate_prop(&d, root, "placement_id")?,
                placement: hydrate_prop(&d, root, "placement")?,
                goals: records(&d, root, "goals".into())?,
                training_plan: records(&d, root, "training_plan".into())?,
                adaptations: records(&d, root, "adaptations".into())?,
                contact_persons: records(&d, root, "contact_persons".into())?,
                visits: Records::new(),
                observations: records(&d, root, "observations".into())?,
                contact_requests: records(&d, root, "contact_requests".into())?,
                actions: records(&d, root, "actions".into())?,
                notes: Records::new(),
            };
            // A panic there (automerge on a malformed document) is one here, as it was before
            // the read was split.
            let (visits, notes) = second
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
            p.visits = visits;
            p.notes = notes;
            Ok(p)
        })
    }

    pub fn placement(&self) -> Result<PlacementInfo, DocError> {
        Ok(autosurgeon::hydrate_prop(
            &Prefetched::new(&self.doc),
            automerge::ROOT,
            "placement",
        )?)
    }

    pub fn record_ids(&self, collection: &str) -> Result<Vec<Uuid>, DocError> {
        doc::record_ids(&self.doc, collection)
    }

    pub fn visit(&self, id: Uuid) -> Result<Option<Visit>, DocError> {
        doc::get(&self.doc, "visits", id)
    }
    pub fn observation(&self, id: Uuid) -> Result<Option<Observation>, DocError> {
        doc::get(&self.doc, "observations", id)
    }
    pub fn contact_request(&self, id: Uuid) -> Result<Option<ContactRequest>, DocError> {
        doc::get(&self.doc, "contact_requests", id)
    }
    pub fn action(&self, id: Uuid) -> Result<Option<Action>, DocError> {
        doc::get(&self.doc, "actions", id)
    }
    pub fn note(&self, id: Uuid) -> Result<Option<Note>, DocError> {
        doc::get(&self.doc, "notes", id)
    }
    pub fn goal(&self, id: Uuid) -> Result<Option<Goal>, DocError> {
        doc::get(&self.doc, "goals", id)
    }
    pub fn adaptation(&self, id: Uuid) -> Result<Option<Adaptation>, DocError> {
        doc::get(&self.doc, "adaptations", id)
    }
    pub fn contact_person(&self, id: Uuid) -> Result<Option<ContactPerson>, DocError> {
        doc::get(&self.doc, "contact_persons", id)
    }
    pub fn training_task(&self, id: Uuid) -> Result<Option<TrainingTask>, DocError> {
        doc::get(&self.doc, "training_plan", id)
    }

    /// Fields changed on two devices at once; see [`FieldConflict`]. Walks the whole document.
    pub fn conflicts(&self) -> Vec<FieldConflict> {
        doc::conflicts(&self.doc)
    }

    /// Conflicts within one record, or within the placement's facts when `id` is `None` (and
    /// `collection` is `"placement"`).
    pub fn record_conflicts(&self, collection: &str, id: Option<Uuid>) -> Vec<FieldConflict> {
        doc::record_conflicts(&self.doc, collection, id)
    }

    /// Every change that touched record `id`, oldest first, and the collection it is in; `None`
    /// if no collection of this document holds it.
    ///
    /// A visit is corrected by a new record that names the one it replaces, so a visit's history
    /// is the chain: every earlier version's changes (each with the summary it had) before its own.
    pub fn history(&mut self, id: Uuid) -> Option<(&'static str, Vec<HistoryEntry>)> {
        let (coll, mut entries) =
            crate::history::find_history(&mut self.doc, SHARED_COLLECTIONS, id)?;
        if coll == "visits" {
            let mut seen = vec![id];
            let mut next = self.visit(id).ok().flatten().and_then(|v| v.corrects);
            while let Some(earlier) = next.filter(|e| !seen.contains(e)) {
                // A cycle can only come from a forged document: stop at the first repeat.
                seen.push(earlier);
                if let Some((_, before)) =
                    crate::history::find_history(&mut self.doc, &["visits"], earlier)
                {
                    entries.splice(0..0, before);
                }
                next = self.visit(earlier).ok().flatten().and_then(|v| v.corrects);
            }
        }
        Some((coll, entries))
    }

    /// Writes `chosen`, one of the values a conflicting field at `path` holds, over all of them.
    /// The store checks the change against the writer's rights like any other.
    pub fn settle_conflict(
        &mut self,
        path: &[String],
        chosen: &str,
        stamp: &Stamp,
    ) -> Result<Touched, DocError> {
        check_stamp(stamp)?;
        doc::settle(&mut self.doc, path, chosen, stamp.at)?;
        // The store re-projects from what the change touched (`touched_since`).
        Ok(Touched::default())
    }

    // ---- the placement itself ----

    /// Agrees how many Norwegian working days NAV has to answer a contact request (the adviser).
    pub fn set_response_time(
        &mut self,
        working_days: u8,
        stamp: &Stamp,
    ) -> Result<Touched, DocError> {
        check_stamp(stamp)?;
        if stamp.role != Role::Adviser {
            return Err(ValidationError::Inconsistent(Inconsistency::AdviserOnlyFacts).into());
        }
        let allowed = crate::workdays::RESPONSE_WORKING_DAYS;
        if !allowed.contains(&working_days) {
            return Err(ValidationError::OutOfRange {
                field: Field::ResponseTime,
                min: allowed.start().to_string(),
                max: allowed.end().to_string(),
            }
            .into());
        }
        let mut info = self.placement()?;
        info.response_working_days = Some(working_days);
        self.put_placement(&info, ChangeKind::PlacementResponseTime, stamp)
    }

    /// Changes the placement's facts (the adviser): the candidate's and employer's names, the
    /// workplace, the measure, hours and dates. Its status, closing and response time stay as they
    /// are; only the fields that differ are written, so an edit of another field on another
    /// device merges with this one.
    pub fn update_placement(
        &mut self,
        input: &NewPlacement,
        stamp: &Stamp,
    ) -> Result<Touched, DocError> {
        check_stamp(stamp)?;
        check_placement(input)?;
        let mut info = self.placement()?;
        if info.status == PlacementStatus::Ended
            && let Some(closed_on) = info.closed_on
            && closed_on < input.start_date
        {
            return Err(ValidationError::EndBeforeStart {
                start: input.start_date,
                end: closed_on,
            }
            .into());
        }
        info.candidate_name = input.candidate_name.trim().to_owned();
        info.employer = Employer {
            org_number: input.employer.org_number.replace(' ', ""),
            name: input.employer.name.trim().to_owned(),
            workplace_address: input.employer.workplace_address.trim().to_owned(),
        };
        info.adviser_name = input.adviser_name.trim().to_owned();
        info.measure = input.measure;
        info.start_date = input.start_date;
        info.end_date = input.end_date;
        info.hours_per_week = input.hours_per_week;
        self.put_placement(&info, ChangeKind::PlacementUpdate, stamp)
    }

    /// Moves a placement on without closing it: planned → active. Closing takes a date and a
    /// reason ([`SharedDoc::close_placement`]).
    pub fn set_status(
        &mut self,
        next: PlacementStatus,
        stamp: &Stamp,
    ) -> Result<Touched, DocError> {
        check_stamp(stamp)?;
        let mut info = self.placement()?;
        if next.is_closed() || !info.status.may_become(next) {
            return Err(transition(info.status, next));
        }
        info.status = next;
        self.put_placement(&info, ChangeKind::PlacementStatus, stamp)
    }

    /// Ends (from active) or cancels (from planned or active) the placement as of `on`, which is
    /// no later than today. The employer's access runs until `on` + [`EMPLOYER_ACCESS_DAYS`]; the
    /// agreed end date stays as it was, so reopening gives it back.
    pub fn close_placement(
        &mut self,
        next: PlacementStatus,
        on: Day,
        reason: CloseReason,
        stamp: &Stamp,
    ) -> Result<Touched, DocError> {
        check_stamp(stamp)?;
        let mut info = self.placement()?;
        if !next.is_closed() || info.status.is_closed() || !info.status.may_become(next) {
            return Err(transition(info.status, next));
        }
        if on > stamp.today {
            return Err(ValidationError::InFuture {
                field: Field::EndDate,
            }
            .into());
        }
        // An end so far back that the employer's access would be over at once could not be
        // undone (a typo in the year would delete the employer's copy): every closing can be
        // reopened at least on the day it is made.
        let earliest = stamp.today.plus_days(-EMPLOYER_ACCESS_DAYS);
        if on < earliest {
            return Err(ValidationError::OutOfRange {
                field: Field::EndDate,
                min: earliest.to_string(),
                max: stamp.today.to_string(),
            }
            .into());
        }
        if next == PlacementStatus::Ended && on < info.start_date {
            return Err(ValidationError::BeforePlacementStart {
                field: Field::EndDate,
                start: info.start_date,
            }
            .into());
        }
        info.status = next;
        info.closed_on = Some(on);
        info.closed_reason = Some(reason);
        self.put_placement(&info, ChangeKind::PlacementClose, stamp)
    }

    /// Reopens an ended or cancelled placement while the employer still has access; after that
    /// the employer's copy is gone, and a new placement is the honest way on.
    pub fn reopen_placement(&mut self, stamp: &Stamp) -> Result<Touched, DocError> {
        check_stamp(stamp)?;
        let mut info = self.placement()?;
        let (Some(closed_on), Some(last)) = (info.closed_on, info.employer_access_ends()) else {
            return Err(transition(info.status, PlacementStatus::Active));
        };
        if stamp.today > last {
            return Err(ValidationError::ReopenTooLate { closed_on, last }.into());
        }
        info.status = if stamp.today < info.start_date {
            PlacementStatus::Planned
        } else {
            PlacementStatus::Active
        };
        info.closed_on = None;
        info.closed_reason = None;
        self.put_placement(&info, ChangeKind::PlacementReopen, stamp)
    }

    fn put_placement(
        &mut self,
        info: &PlacementInfo,
        message: ChangeKind,
        stamp: &Stamp,
    ) -> Result<Touched, DocError> {
        doc::put_root(&mut self.doc, "placement", info)?;
        doc::commit(&mut self.doc, message, stamp.at);
        Ok(Touched {
            placement: true,
            records: vec![],
        })
    }

    // ---- plan: goals, training tasks, adaptations, contact persons ----

    pub fn add_goal(
        &mut self,
        input: &NewGoal,
        stamp: &Stamp,
    ) -> Result<(Uuid, Touched), DocError> {
        check_stamp(stamp)?;
        validate::required(Field::GoalDescription, &input.description, FIELD_MAX)?;
        let id = Uuid::new_v4();
        let goal = Goal {
            category: input.category,
            description: Text::with_value(input.description.trim()),
            created_at: stamp.at,
        };
        doc::put(&mut self.doc, "goals", id, &goal)?;
        doc::commit(&mut self.doc, ChangeKind::GoalAdd, stamp.at);
        Ok((id, Touched::record("goals", id)))
    }

    pub fn add_training_task(
        &mut self,
        input: &NewTrainingTask,
        stamp: &Stamp,
    ) -> Result<(Uuid, Touched), DocError> {
        check_stamp(stamp)?;
        validate::required(Field::Task, &input.title, SHORT_MAX)?;
        validate::max_len(Field::Description, &input.description, FIELD_MAX)?;
        validate::max_len(Field::Responsible, &input.responsible, SHORT_MAX)?;
        let last = self
            .record_ids("training_plan")?
            .into_iter()
            .filter_map(|id| self.training_task(id).ok().flatten())
            .map(|t| t.position)
            .fold(0.0_f64, f64::max);
        let id = Uuid::new_v4();
        let task = TrainingTask {
            title: input.title.trim().to_owned(),
            description: Text::with_value(input.description.trim()),
            responsible: input.responsible.trim().to_owned(),
            target_date: input.target_date,
            status: TaskStatus::NotStarted,
            position: last + 1.0,
            updated_at: stamp.at,
        };
        doc::put(&mut self.doc, "training_plan", id, &task)?;
        doc::commit(&mut self.doc, ChangeKind::TrainingTaskAdd, stamp.at);
        Ok((id, Touched::record("training_plan", id)))
    }

    pub fn set_task_status(
        &mut self,
        id: Uuid,
        status: TaskStatus,
        stamp: &Stamp,
    ) -> Result<Touched, DocError> {
        check_stamp(stamp)?;
        let mut task: TrainingTask =
            doc::require(&self.doc, "training_plan", "oppgave i opplæringsplanen", id)?;
        task.status = status;
        task.updated_at = stamp.at;
        doc::put(&mut self.doc, "training_plan", id, &task)?;
        doc::commit(&mut self.doc, ChangeKind::TrainingTaskStatus, stamp.at);
        Ok(Touched::record("training_plan", id))
    }

    pub fn add_adaptation(
        &mut self,
        input: &NewAdaptation,
        stamp: &Stamp,
    ) -> Result<(Uuid, Touched), DocError> {
        check_stamp(stamp)?;
        validate::required(Field::Adaptation, &input.description, FIELD_MAX)?;
        let id = Uuid::new_v4();
        let a = Adaptation {
            description: Text::with_value(input.description.trim()),
            agreed_on: input.agreed_on,
            active: true,
        };
        doc::put(&mut self.doc, "adaptations", id, &a)?;
        doc::commit(&mut self.doc, ChangeKind::AdaptationAdd, stamp.at);
        Ok((id, Touched::record("adaptations", id)))
    }

    pub fn add_contact_person(
        &mut self,
        input: &NewContactPerson,
        stamp: &Stamp,
    ) -> Result<(Uuid, Touched), DocError> {
        check_stamp(stamp)?;
        let p = contact_person(input)?;
        let id = Uuid::new_v4();
        doc::put(&mut self.doc, "contact_persons", id, &p)?;
        doc::commit(&mut self.doc, ChangeKind::ContactPersonAdd, stamp.at);
        Ok((id, Touched::record("contact_persons", id)))
    }

    /// Changes a goal: its category, and its text as a character diff (an edit of the same text
    /// on another device merges with this one). Only what differs is written; an edit that
    /// changes nothing writes no change.
    pub fn edit_goal(
        &mut self,
        id: Uuid,
        input: &NewGoal,
        stamp: &Stamp,
    ) -> Result<Touched, DocError> {
        check_stamp(stamp)?;
        validate::required(Field::GoalDescription, &input.description, FIELD_MAX)?;
        let mut goal: Goal = doc::require(&self.doc, "goals", "mål", id)?;
        goal.category = input.category;
        doc::put(&mut self.doc, "goals", id, &goal)?;
        doc::update_text(
            &mut self.doc,
            "goals",
            id,
            "description",
            input.description.trim(),
        )?;
        doc::commit(&mut self.doc, ChangeKind::GoalEdit, stamp.at);
        Ok(Touched::record("goals", id))
    }

    /// Changes a task of the training plan: its title, text, who is responsible and by when. Its
    /// status and place in the plan stay as they are ([`SharedDoc::set_task_status`]).
    pub fn edit_training_task(
        &mut self,
        id: Uuid,
        input: &NewTrainingTask,
        stamp: &Stamp,
    ) -> Result<Touched, DocError> {
        check_stamp(stamp)?;
        validate::required(Field::Task, &input.title, SHORT_MAX)?;
        validate::max_len(Field::Description, &input.description, FIELD_MAX)?;
        validate::max_len(Field::Responsible, &input.responsible, SHORT_MAX)?;
        let mut task: TrainingTask =
            doc::require(&self.doc, "training_plan", "oppgave i opplæringsplanen", id)?;
        let before = (
            task.title.clone(),
            task.responsible.clone(),
            task.target_date,
        );
        task.title = input.title.trim().to_owned();
        task.responsible = input.responsible.trim().to_owned();
        task.target_date = input.target_date;
        if before
            != (
                task.title.clone(),
                task.responsible.clone(),
                task.target_date,
            )
        {
            task.updated_at = stamp.at;
        }
        doc::put(&mut self.doc, "training_plan", id, &task)?;
        doc::update_text(
            &mut self.doc,
            "training_plan",
            id,
            "description",
            input.description.trim(),
        )?;
        doc::commit(&mut self.doc, ChangeKind::TrainingTaskEdit, stamp.at);
        Ok(Touched::record("training_plan", id))
    }

    /// Changes an adaptation: its text, the day it was agreed, and whether it still applies (an
    /// adaptation that no longer applies stays in the plan, marked as ended).
    pub fn edit_adaptation(
        &mut self,
        id: Uuid,
        input: &NewAdaptation,
        active: bool,
        stamp: &Stamp,
    ) -> Result<Touched, DocError> {
        check_stamp(stamp)?;
        validate::required(Field::Adaptation, &input.description, FIELD_MAX)?;
        let mut a: Adaptation = doc::require(&self.doc, "adaptations", "tilrettelegging", id)?;
        a.agreed_on = input.agreed_on;
        a.active = active;
        doc::put(&mut self.doc, "adaptations", id, &a)?;
        doc::update_text(
            &mut self.doc,
            "adaptations",
            id,
            "description",
            input.description.trim(),
        )?;
        doc::commit(&mut self.doc, ChangeKind::AdaptationEdit, stamp.at);
        Ok(Touched::record("adaptations", id))
    }

    /// Changes a contact person's name, role, phone or e-mail.
    pub fn edit_contact_person(
        &mut self,
        id: Uuid,
        input: &NewContactPerson,
        stamp: &Stamp,
    ) -> Result<Touched, DocError> {
        check_stamp(stamp)?;
        let p = contact_person(input)?;
        let _: ContactPerson = doc::require(&self.doc, "contact_persons", "kontaktperson", id)?;
        doc::put(&mut self.doc, "contact_persons", id, &p)?;
        doc::commit(&mut self.doc, ChangeKind::ContactPersonEdit, stamp.at);
        Ok(Touched::record("contact_persons", id))
    }

    // ---- visits ----

    fn check_visit(&self, input: &NewVisit, stamp: &Stamp) -> Result<(), DocError> {
        check_stamp(stamp)?;
        if stamp.role != Role::Adviser {
            return Err(ValidationError::Inconsistent(Inconsistency::AdviserOnlyVisits).into());
        }
        validate::max_len(Field::Place, &input.place, SHORT_MAX)?;
        validate::max_len(Field::Summary, &input.summary, LONG_MAX)?;
        validate::max_len(
            Field::AttendanceSinceLast,
            &input.check_in.attendance_since_last,
            FIELD_MAX,
        )?;
        validate::max_len(
            Field::TaskProgress,
            &input.check_in.task_progress,
            FIELD_MAX,
        )?;
        validate::rating(Field::EmployerRating, input.check_in.employer_rating)?;
        validate::rating(Field::CandidateRating, input.check_in.candidate_rating)?;
        if input.attendees.len() > validate::ATTENDEES_MAX {
            return Err(ValidationError::OutOfRange {
                field: Field::Attendees,
                min: "0".into(),
                max: validate::ATTENDEES_MAX.to_string(),
            }
            .into());
        }
        for a in &input.attendees {
            validate::required(Field::Attendee, a, SHORT_MAX)?;
        }
        if input.at.day() > stamp.today.plus_days(1) {
            return Err(ValidationError::InFuture {
                field: Field::VisitTime,
            }
            .into());
        }
        let start = self.placement()?.start_date;
        if input.at.day() < start.plus_days(-60) {
            return Err(ValidationError::BeforePlacementStart {
                field: Field::VisitTime,
                start,
            }
            .into());
        }
        if let Some(next) = input.next_visit
            && next < input.at.day()
        {
            return Err(ValidationError::Inconsistent(Inconsistency::NextVisitBeforeVisit).into());
        }
        for a in &input.actions {
            check_action(a, stamp.today)?;
        }
        Ok(())
    }

    fn write_visit(
        &mut self,
        input: &NewVisit,
        corrects: Option<Uuid>,
        stamp: &Stamp,
        what: ChangeKind,
    ) -> Result<(Uuid, Touched), DocError> {
        let id = Uuid::new_v4();
        let mut touched = Touched::record("visits", id);
        let mut action_ids = Vec::with_capacity(input.actions.len());
        for a in &input.actions {
            let aid = Uuid::new_v4();
            let action = Action {
                what: a.what.trim().to_owned(),
                owner: a.owner,
                due: a.due,
                status: ActionStatus::Open,
                visit: Some(id),
                created_at: stamp.at,
                created_by: stamp.name.clone(),
            };
            doc::put(&mut self.doc, "actions", aid, &action)?;
            touched.records.push(("actions", aid));
            action_ids.push(aid);
        }
        let visit = Visit {
            at: input.at,
            place: input.place.trim().to_owned(),
            kind: input.kind,
            attendees: input
                .attendees
                .iter()
                .map(|a| a.trim().to_owned())
                .collect(),
            summary: input.summary.trim().into(),
            check_in: input.check_in.clone(),
            agreed_actions: action_ids,
            next_visit: input.next_visit,
            corrects,
            recorded_by: stamp.name.clone(),
            recorded_at: stamp.at,
        };
        doc::put(&mut self.doc, "visits", id, &visit)?;
        doc::commit(&mut self.doc, what, stamp.at);
        Ok((id, touched))
    }

    /// Records a visit and the actions agreed at it, in one change.
    pub fn record_visit(
        &mut self,
        input: &NewVisit,
        stamp: &Stamp,
    ) -> Result<(Uuid, Touched), DocError> {
        self.check_visit(input, stamp)?;
        self.write_visit(input, None, stamp, ChangeKind::VisitRecord)
    }

    /// Corrects a visit by recording a new version that names the one it replaces. The original
    /// stays in the document and in the visit's history. Only the newest version can be corrected,
    /// so the history stays one line rather than a tree.
    pub fn correct_visit(
        &mut self,
        original: Uuid,
        input: &NewVisit,
        stamp: &Stamp,
    ) -> Result<(Uuid, Touched), DocError> {
        let _: Visit = doc::require(&self.doc, "visits", "besøk", original)?;
        for id in self.record_ids("visits")? {
            if let Some(v) = self.visit(id)?
                && v.corrects == Some(original)
            {
                return Err(ValidationError::AlreadyCorrected { latest: id }.into());
            }
        }
        self.check_visit(input, stamp)?;
        let (id, mut touched) =
            self.write_visit(input, Some(original), stamp, ChangeKind::VisitCorrect)?;
        touched.records.push(("visits", original));
        Ok((id, touched))
    }

    // ---- the employer's daily log and contact requests ----

    /// Logs a day. With "I want NAV to contact me" it raises a contact request in the same change.
    pub fn log_observation(
        &mut self,
        input: &NewObservation,
        stamp: &Stamp,
    ) -> Result<(Uuid, Touched), DocError> {
        check_stamp(stamp)?;
        validate::range(Field::Hours, input.hours, 0.0, 24.0)?;
        if input.attendance == Attendance::Absent && input.hours > 0.0 {
            return Err(ValidationError::Inconsistent(Inconsistency::AbsentWithHours).into());
        }
        validate::max_len(Field::TasksToday, &input.tasks_done, FIELD_MAX)?;
        validate::max_len(Field::WentWell, &input.went_well, FIELD_MAX)?;
        validate::max_len(Field::PracticalIssue, &input.problem, FIELD_MAX)?;
        validate::max_len(Field::MessageToNav, &input.contact_message, FIELD_MAX)?;
        if input.date > stamp.today {
            return Err(ValidationError::InFuture { field: Field::Date }.into());
        }
        let start = self.placement()?.start_date;
        if input.date < start {
            return Err(ValidationError::BeforePlacementStart {
                field: Field::Date,
                start,
            }
            .into());
        }
        let id = Uuid::new_v4();
        let mut touched = Touched::record("observations", id);
        let request = if input.wants_contact {
            let rid = Uuid::new_v4();
            let message = if input.contact_message.trim().is_empty() {
                input.problem.trim()
            } else {
                input.contact_message.trim()
            };
            let req = ContactRequest {
                raised_at: stamp.at,
                raised_by: stamp.role,
                raised_by_name: stamp.name.clone(),
                observation: Some(id),
                message: message.to_owned(),
                acknowledged_at: None,
                acknowledged_by: None,
                resolved_at: None,
                resolved_by: None,
                resolution: String::new(),
            };
            doc::put(&mut self.doc, "contact_requests", rid, &req)?;
            touched.records.push(("contact_requests", rid));
            Some(rid)
        } else {
            None
        };
        let obs = Observation {
            date: input.date,
            attendance: input.attendance,
            hours: input.hours,
            tasks_done: input.tasks_done.trim().to_owned(),
            went_well: input.went_well.trim().to_owned(),
            problem: input.problem.trim().to_owned(),
            wants_contact: input.wants_contact,
            contact_request: request,
            logged_by: stamp.name.clone(),
            logged_at: stamp.at,
        };
        doc::put(&mut self.doc, "observations", id, &obs)?;
        doc::commit(&mut self.doc, ChangeKind::ObservationLog, stamp.at);
        Ok((id, touched))
    }

    /// A contact request raised on its own, not from a day's log.
    pub fn raise_contact_request(
        &mut self,
        message: &str,
        stamp: &Stamp,
    ) -> Result<(Uuid, Touched), DocError> {
        check_stamp(stamp)?;
        validate::required(Field::Message, message, FIELD_MAX)?;
        let id = Uuid::new_v4();
        let req = ContactRequest {
            raised_at: stamp.at,
            raised_by: stamp.role,
            raised_by_name: stamp.name.clone(),
            observation: None,
            message: message.trim().to_owned(),
            acknowledged_at: None,
            acknowledged_by: None,
            resolved_at: None,
            resolved_by: None,
            resolution: String::new(),
        };
        doc::put(&mut self.doc, "contact_requests", id, &req)?;
        doc::commit(&mut self.doc, ChangeKind::ContactRequestRaise, stamp.at);
        Ok((id, Touched::record("contact_requests", id)))
    }

    /// The adviser has seen the request. Acknowledging twice keeps the first time.
    pub fn acknowledge_request(&mut self, id: Uuid, stamp: &Stamp) -> Result<Touched, DocError> {
        check_stamp(stamp)?;
        if stamp.role != Role::Adviser {
            return Err(ValidationError::Inconsistent(Inconsistency::AdviserOnlyConfirm).into());
        }
        let mut req: ContactRequest =
            doc::require(&self.doc, "contact_requests", "kontaktforespørsel", id)?;
        if req.acknowledged_at.is_none() {
            req.acknowledged_at = Some(stamp.at);
            req.acknowledged_by = Some(stamp.name.clone());
            doc::put(&mut self.doc, "contact_requests", id, &req)?;
            doc::commit(
                &mut self.doc,
                ChangeKind::ContactRequestAcknowledge,
                stamp.at,
            );
        }
        Ok(Touched::record("contact_requests", id))
    }

    /// The adviser has answered. Resolving also acknowledges, if that was not done.
    pub fn resolve_request(
        &mut self,
        id: Uuid,
        resolution: &str,
        stamp: &Stamp,
    ) -> Result<Touched, DocError> {
        check_stamp(stamp)?;
        if stamp.role != Role::Adviser {
            return Err(ValidationError::Inconsistent(Inconsistency::AdviserOnlyClose).into());
        }
        validate::max_len(Field::Resolution, resolution, FIELD_MAX)?;
        let mut req: ContactRequest =
            doc::require(&self.doc, "contact_requests", "kontaktforespørsel", id)?;
        if req.resolved_at.is_some() {
            return Err(ValidationError::AlreadyResolved.into());
        }
        if req.acknowledged_at.is_none() {
            req.acknowledged_at = Some(stamp.at);
            req.acknowledged_by = Some(stamp.name.clone());
        }
        req.resolved_at = Some(stamp.at);
        req.resolved_by = Some(stamp.name.clone());
        req.resolution = resolution.trim().to_owned();
        doc::put(&mut self.doc, "contact_requests", id, &req)?;
        doc::commit(&mut self.doc, ChangeKind::ContactRequestResolve, stamp.at);
        Ok(Touched::record("contact_requests", id))
    }

    // ---- actions and notes ----

    pub fn add_action(
        &mut self,
        input: &NewAction,
        stamp: &Stamp,
    ) -> Result<(Uuid, Touched), DocError> {
        check_stamp(stamp)?;
        check_action(input, stamp.today)?;
        let id = Uuid::new_v4();
        let action = Action {
            what: input.what.trim().to_owned(),
            owner: input.owner,
            due: input.due,
            status: ActionStatus::Open,
            visit: None,
            created_at: stamp.at,
            created_by: stamp.name.clone(),
        };
        doc::put(&mut self.doc, "actions", id, &action)?;
        doc::commit(&mut self.doc, ChangeKind::ActionAdd, stamp.at);
        Ok((id, Touched::record("actions", id)))
    }

    pub fn set_action_status(
        &mut self,
        id: Uuid,
        status: ActionStatus,
        stamp: &Stamp,
    ) -> Result<Touched, DocError> {
        check_stamp(stamp)?;
        let mut action: Action = doc::require(&self.doc, "actions", "tiltak", id)?;
        action.status = status;
        doc::put(&mut self.doc, "actions", id, &action)?;
        doc::commit(&mut self.doc, ChangeKind::ActionStatus, stamp.at);
        Ok(Touched::record("actions", id))
    }

    /// Changes what an action is, who owns it and when it is due; its status stays
    /// ([`SharedDoc::set_action_status`]). A due day kept as it was is not judged again, so an
    /// old action can still be reworded.
    pub fn edit_action(
        &mut self,
        id: Uuid,
        input: &NewAction,
        stamp: &Stamp,
    ) -> Result<Touched, DocError> {
        check_stamp(stamp)?;
        let mut action: Action = doc::require(&self.doc, "actions", "tiltak", id)?;
        let rule = NewAction {
            due: input.due.filter(|d| Some(*d) != action.due),
            ..input.clone()
        };
        check_action(&rule, stamp.today)?;
        action.what = input.what.trim().to_owned();
        action.owner = input.owner;
        action.due = input.due;
        doc::put(&mut self.doc, "actions", id, &action)?;
        doc::commit(&mut self.doc, ChangeKind::ActionEdit, stamp.at);
        Ok(Touched::record("actions", id))
    }

    pub fn add_note(
        &mut self,
        input: &NewNote,
        stamp: &Stamp,
    ) -> Result<(Uuid, Touched), DocError> {
        check_stamp(stamp)?;
        validate::required(Field::Note, &input.body, LONG_MAX)?;
        if let Some(parent) = input.reply_to {
            let _: Note = doc::require(&self.doc, "notes", "notat", parent)?;
        }
        let id = Uuid::new_v4();
        let note = Note {
            author_role: stamp.role,
            author_name: stamp.name.clone(),
            written_at: stamp.at,
            body: Text::with_value(input.body.trim()),
            reply_to: input.reply_to,
        };
        doc::put(&mut self.doc, "notes", id, &note)?;
        doc::commit(&mut self.doc, ChangeKind::NoteAdd, stamp.at);
        Ok((id, Touched::record("notes", id)))
    }

    /// Replaces a note's text. The change is a minimal character diff, so an edit made at the same
    /// time on another device merges with this one instead of overwriting it.
    pub fn edit_note(&mut self, id: Uuid, body: &str, stamp: &Stamp) -> Result<Touched, DocError> {
        check_stamp(stamp)?;
        validate::required(Field::Note, body, LONG_MAX)?;
        let _: Note = doc::require(&self.doc, "notes", "notat", id)?;
        doc::update_text(&mut self.doc, "notes", id, "body", body)?;
        doc::commit(&mut self.doc, ChangeKind::NoteEdit, stamp.at);
        Ok(Touched::record("notes", id))
    }
}
