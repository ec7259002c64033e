//! Editing what a placement's shared document holds: a record's values as its edit form starts
//! from them, and the form's values turned back into the domain's inputs. The add commands use the
//! same conversions, so a form reads the same whether it adds a record or changes one.

use folgesvenn_domain::{
    DocError, Employer, Field, NewAction, NewAdaptation, NewContactPerson, NewGoal, NewPlacement,
    NewTrainingTask, SharedDoc, Stamp, Touched,
};
use uuid::Uuid;

use crate::dto::{
    ActionInput, AdaptationInput, CommandError, ContactPersonInput, GoalInput, NewPlacementInput,
    RecordValues, TrainingTaskInput,
};

pub(crate) fn day(field: Field, s: &str) -> Result<folgesvenn_domain::Day, CommandError> {
    Ok(folgesvenn_domain::Day::parse(field, s)?)
}

pub(crate) fn optional_day(
    field: Field,
    s: Option<String>,
) -> Result<Option<folgesvenn_domain::Day>, CommandError> {
    s.filter(|d| !d.trim().is_empty())
        .map(|d| day(field, &d))
        .transpose()
}

/// The placement's facts from the form; `adviser_name` is the document's or, for a new
/// placement, the user's own.
pub(crate) fn placement(
    input: NewPlacementInput,
    adviser_name: String,
) -> Result<NewPlacement, CommandError> {
    Ok(NewPlacement {
        candidate_name: input.candidate_name,
        employer: Employer {
            org_number: input.employer_org_number,
            name: input.employer_name,
            workplace_address: input.workplace_address,
        },
        adviser_name,
        measure: input.measure.parse()?,
        start_date: day(Field::StartDate, &input.start_date)?,
        end_date: optional_day(Field::EndDate, input.end_date)?,
        hours_per_week: input.hours_per_week,
    })
}

pub(crate) fn goal(input: GoalInput) -> Result<NewGoal, CommandError> {
    Ok(NewGoal {
        category: input.category.parse()?,
        description: input.description,
    })
}

pub(crate) fn training_task(input: TrainingTaskInput) -> Result<NewTrainingTask, CommandError> {
    Ok(NewTrainingTask {
        title: input.title,
        description: input.description,
        responsible: input.responsible,
        target_date: optional_day(Field::TargetDate, input.target_date)?,
    })
}

pub(crate) fn adaptation(input: &AdaptationInput) -> Result<NewAdaptation, CommandError> {
    Ok(NewAdaptation {
        description: input.description.clone(),
        agreed_on: day(Field::Date, &input.agreed_on)?,
    })
}

pub(crate) fn contact_person(input: ContactPersonInput) -> NewContactPerson {
    NewContactPerson {
        name: input.name,
        role: input.role,
        phone: input.phone,
        email: input.email,
    }
}

pub(crate) fn action(input: ActionInput) -> Result<NewAction, CommandError> {
    Ok(NewAction {
        what: input.what,
        owner: input.owner.parse()?,
        due: optional_day(Field::Due, input.due)?,
    })
}

/// The values of `record` (`None`: the placement's own facts) as they stand in the document;
/// `None` if the document holds no record of a kind the app edits by that id.
pub(crate) fn read(d: &SharedDoc, record: Option<Uuid>) -> Result<Option<RecordValues>, DocError> {
    let Some(id) = record else {
        let p = d.placement()?;
        return Ok(Some(RecordValues::Placement(NewPlacementInput {
            candidate_name: p.candidate_name,
            employer_name: p.employer.name,
            employer_org_number: p.employer.org_number,
            workplace_address: p.employer.workplace_address,
            measure: p.measure.code().to_owned(),
            start_date: p.start_date.to_string(),
            end_date: p.end_date.map(|d| d.to_string()),
            hours_per_week: p.hours_per_week,
        })));
    };
    if let Some(g) = d.goal(id)? {
        return Ok(Some(RecordValues::Goal(GoalInput {
            category: g.category.code().to_owned(),
            description: g.description.as_str().to_owned(),
        })));
    }
    if let Some(a) = d.adaptation(id)? {
        return Ok(Some(RecordValues::Adaptation(AdaptationInput {
            description: a.description.as_str().to_owned(),
            agreed_on: a.agreed_on.to_string(),
            active: Some(a.active),
        })));
    }
    if let Some(c) = d.contact_person(id)? {
        return Ok(Some(RecordValues::ContactPerson(ContactPersonInput {
            name: c.name,
            role: c.role,
            phone: c.phone,
            email: c.email,
        })));
    }
    if let Some(t) = d.training_task(id)? {
        return Ok(Some(RecordValues::TrainingTask(TrainingTaskInput {
            title: t.title,
            description: t.description.as_str().to_owned(),
            responsible: t.responsible,
            target_date: t.target_date.map(|d| d.to_string()),
        })));
    }
    if let Some(a) = d.action(id)? {
        return Ok(Some(RecordValues::Action(ActionInput {
            what: a.what,
            owner: a.owner.code().to_owned(),
            due: a.due.map(|d| d.to_string()),
        })));
    }
    Ok(None)
}

/// What an edit form sent, parsed into the domain's terms before the store is touched.
pub(crate) enum Edit {
    Placement(NewPlacement),
    Goal(Uuid, NewGoal),
    Adaptation(Uuid, NewAdaptation, bool),
    ContactPerson(Uuid, NewContactPerson),
    TrainingTask(Uuid, NewTrainingTask),
    Action(Uuid, NewAction),
}

impl Edit {
    /// `record` must name a record for every kind but the placement's facts, which have none.
    pub(crate) fn parse(record: Option<Uuid>, values: RecordValues) -> Result<Edit, CommandError> {
        let id = || {
            record.ok_or(folgesvenn_domain::ValidationError::Required {
                field: Field::Record,
            })
        };
        Ok(match values {
            RecordValues::Placement(p) => match record {
                // The placement's own facts are no record of a collection.
                Some(r) => {
                    return Err(
                        CommandError::new("unknown_record", "Fant ikke oppføringen.").with("id", r),
                    );
                }
                // The adviser named in the document stays; `apply` reads it.
                None => Edit::Placement(placement(p, String::new())?),
            },
            RecordValues::Goal(g) => Edit::Goal(id()?, goal(g)?),
            RecordValues::Adaptation(a) => {
                Edit::Adaptation(id()?, adaptation(&a)?, a.active.unwrap_or(true))
            }
            RecordValues::ContactPerson(c) => Edit::ContactPerson(id()?, contact_person(c)),
            RecordValues::TrainingTask(t) => Edit::TrainingTask(id()?, training_task(t)?),
            RecordValues::Action(a) => Edit::Action(id()?, action(a)?),
        })
    }

    /// Writes the edit as one change.
    pub(crate) fn apply(self, d: &mut SharedDoc, st: &Stamp) -> Result<Touched, DocError> {
        match self {
            Edit::Placement(mut p) => {
                p.adviser_name = d.placement()?.adviser_name;
                d.update_placement(&p, st)
            }
            Edit::Goal(id, g) => d.edit_goal(id, &g, st),
            Edit::Adaptation(id, a, active) => d.edit_adaptation(id, &a, active, st),
            Edit::ContactPerson(id, c) => d.edit_contact_person(id, &c, st),
            Edit::TrainingTask(id, t) => d.edit_training_task(id, &t, st),
            Edit::Action(id, a) => d.edit_action(id, &a, st),
        }
    }
}
