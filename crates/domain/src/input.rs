//! What a form hands in. Typed already (dates parsed, choices picked); the rules that need the
//! document (a placement's start date, an existing visit) are checked when it is applied.

use uuid::Uuid;

use crate::model::{
    ActionOwner, Attendance, CheckIn, ConsentScope, Employer, GoalCategory, MeasureType, Role,
    VisitKind,
};
use crate::when::{Day, Moment};

/// Who writes, and when. The domain has no clock: the caller's "now" and local "today" come in here.
#[derive(Clone, Debug)]
pub struct Stamp {
    pub role: Role,
    pub name: String,
    pub at: Moment,
    /// Today's date where the user is (Norwegian local time), for rules such as "not in the future".
    pub today: Day,
}

#[derive(Clone, Debug)]
pub struct NewPlacement {
    pub candidate_name: String,
    pub employer: Employer,
    pub adviser_name: String,
    pub measure: MeasureType,
    pub start_date: Day,
    pub end_date: Option<Day>,
    pub hours_per_week: f64,
}

#[derive(Clone, Debug)]
pub struct NewGoal {
    pub category: GoalCategory,
    pub description: String,
}

#[derive(Clone, Debug)]
pub struct NewTrainingTask {
    pub title: String,
    pub description: String,
    pub responsible: String,
    pub target_date: Option<Day>,
}

#[derive(Clone, Debug)]
pub struct NewAdaptation {
    pub description: String,
    pub agreed_on: Day,
}

#[derive(Clone, Debug)]
pub struct NewContactPerson {
    pub name: String,
    pub role: String,
    pub phone: String,
    pub email: String,
}

#[derive(Clone, Debug)]
pub struct NewAction {
    pub what: String,
    pub owner: ActionOwner,
    pub due: Option<Day>,
}

#[derive(Clone, Debug)]
pub struct NewVisit {
    pub at: Moment,
    pub place: String,
    pub kind: VisitKind,
    pub attendees: Vec<String>,
    pub summary: String,
    pub check_in: CheckIn,
    /// Actions agreed at the visit; each becomes an action record linked to the visit.
    pub actions: Vec<NewAction>,
    pub next_visit: Option<Day>,
}

#[derive(Clone, Debug)]
pub struct NewObservation {
    pub date: Day,
    pub attendance: Attendance,
    pub hours: f64,
    pub tasks_done: String,
    pub went_well: String,
    pub problem: String,
    /// "I want NAV to contact me": raises a contact request in the same change.
    pub wants_contact: bool,
    pub contact_message: String,
}

#[derive(Clone, Debug)]
pub struct NewNote {
    pub body: String,
    pub reply_to: Option<Uuid>,
}

#[derive(Clone, Debug)]
pub struct NewAdviserNote {
    pub body: String,
    pub health_related: bool,
    pub visit: Option<Uuid>,
}

#[derive(Clone, Debug)]
pub struct NewConsent {
    pub scopes: Vec<ConsentScope>,
    pub text_version: String,
}
