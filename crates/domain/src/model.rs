//! The records of a placement (oppfølgingsløp), as they are held in its two documents.
//!
//! Every collection is a map keyed by a UUID, never a list of records, so two devices that add
//! records at the same time both keep theirs. Free text that people write at length and may edit
//! together (notes, goals, adaptations, task descriptions) is automerge `Text`, so two people
//! editing the same note both keep their words. Text that is written once and never edited in
//! place (the daily log's fields, a request's message, an action's one line, names, a place, a
//! visit's summary) is a plain string: a `Text` costs one operation per character, which every
//! load of the document pays again (in the benchmark's three-year placement, its 150 visit
//! summaries were 14,000 of 49,000 operations), and a concurrent edit of such a field is still
//! never lost: it is a conflict, which `conflicts` reports for a person to settle.

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile, Text};
use serde::Serialize;
use uuid::Uuid;

use crate::choice::choice;
use crate::when::{Day, Moment};

/// The schema version written into every new document. Raise it with a migration when the shape
/// of a document changes in a way older readers would misread.
pub const SCHEMA_VERSION: u64 = 1;

pub(crate) type Records<T> = BTreeMap<Uuid, T>;

fn ser_text<S: serde::Serializer>(t: &Text, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(t.as_str())
}

/// Text written once and never edited in place, held as one string (a visit's summary: a
/// correction is a new visit). Documents written before it was a string hold it as automerge
/// `Text`; both read the same.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct WrittenText(String);

impl WrittenText {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for WrittenText {
    fn from(s: &str) -> Self {
        WrittenText(s.to_owned())
    }
}

impl From<String> for WrittenText {
    fn from(s: String) -> Self {
        WrittenText(s)
    }
}

impl Hydrate for WrittenText {
    fn hydrate_string(s: &str) -> Result<Self, autosurgeon::HydrateError> {
        Ok(WrittenText(s.to_owned()))
    }

    fn hydrate_text<D: autosurgeon::ReadDoc>(
        doc: &D,
        obj: &automerge::ObjId,
    ) -> Result<Self, autosurgeon::HydrateError> {
        Ok(WrittenText(doc.text(obj)?))
    }
}

impl Reconcile for WrittenText {
    type Key<'a> = autosurgeon::reconcile::NoKey;

    fn reconcile<R: autosurgeon::Reconciler>(&self, reconciler: R) -> Result<(), R::Error> {
        self.0.reconcile(reconciler)
    }
}

choice!(
    /// Which side a person writes from.
    Role, field = Role {
        Adviser = "adviser", "NAV-veileder";
        Employer = "employer", "Arbeidsgiver";
    }
);

choice!(
    /// NAV's measure (tiltak) the placement runs under.
    MeasureType, field = MeasureType {
        WorkTraining = "work_training", "Arbeidstrening";
        TemporaryWageSubsidy = "temporary_wage_subsidy", "Midlertidig lønnstilskudd";
        PermanentWageSubsidy = "permanent_wage_subsidy", "Varig lønnstilskudd";
        Mentor = "mentor", "Mentor";
        InclusionSubsidy = "inclusion_subsidy", "Inkluderingstilskudd";
        SupportedEmployment = "supported_employment", "IPS / arbeid med støtte";
        OrdinaryJob = "ordinary_job", "Ordinær jobb";
    }
);

choice!(
    PlacementStatus, field = Status {
        Planned = "planned", "Planlagt";
        Active = "active", "Aktiv";
        Ended = "ended", "Avsluttet";
        Cancelled = "cancelled", "Avbrutt";
    }
);

impl PlacementStatus {
    /// planned → active → ended, and either of the first two may be cancelled. An ended or
    /// cancelled placement is reopened only through [`crate::SharedDoc::reopen_placement`], and
    /// only before the employer's access has ended.
    pub fn may_become(self, next: PlacementStatus) -> bool {
        use PlacementStatus::*;
        matches!(
            (self, next),
            (Planned, Active) | (Planned, Cancelled) | (Active, Ended) | (Active, Cancelled)
        ) || self == next
    }

    pub fn is_closed(self) -> bool {
        matches!(self, PlacementStatus::Ended | PlacementStatus::Cancelled)
    }
}

/// How many days after a placement ends the employer keeps access: NAV's 12 weeks. The relay
/// refuses employer devices from then on (`folgesvenn_protocol::wire::EMPLOYER_ACCESS_DAYS`, a
/// checked copy: the relay does not know the domain), and an employer device deletes the placement.
pub const EMPLOYER_ACCESS_DAYS: i64 = 84;

choice!(
    /// Why a placement ended or was cancelled. The shared document holds only these neutral
    /// categories, which the employer sees; anything about health belongs in the adviser's
    /// private notes.
    CloseReason, field = CloseReason {
        Completed = "completed", "Gjennomført som planlagt";
        GotJob = "got_job", "Fikk jobb";
        OtherMeasure = "other_measure", "Over i et annet tiltak";
        CandidateEnded = "candidate_ended", "Kandidaten avsluttet";
        EmployerEnded = "employer_ended", "Arbeidsgiveren avsluttet";
        Other = "other", "Annen årsak";
    }
);

choice!(
    /// Mirrors the goal categories of NAV's own agreement model.
    GoalCategory, field = GoalCategory {
        JobAtEmployer = "job_at_employer", "Jobb hos denne arbeidsgiveren";
        WorkExperience = "work_experience", "Arbeidserfaring";
        TryOut = "try_out", "Utprøving";
        LanguageTraining = "language_training", "Språktrening";
        TradeCertificate = "trade_certificate", "Fagbrev";
        Other = "other", "Annet";
    }
);

choice!(
    TaskStatus, field = TaskStatus {
        NotStarted = "not_started", "Ikke startet";
        WithAdaptation = "with_adaptation", "Kan med tilrettelegging";
        CanDo = "can_do", "Kan";
    }
);

choice!(
    VisitKind, field = VisitKind {
        OnSite = "on_site", "På arbeidsplassen";
        Phone = "phone", "Telefon";
        Video = "video", "Video";
        ThreeParty = "three_party", "Trepartsmøte";
    }
);

choice!(
    Attendance, field = Attendance {
        Present = "present", "Til stede";
        Absent = "absent", "Borte";
        Late = "late", "Kom for sent";
        LeftEarly = "left_early", "Gikk tidlig";
    }
);

choice!(
    ActionOwner, field = Responsible {
        Adviser = "adviser", "NAV-veileder";
        Employer = "employer", "Arbeidsgiver";
        Candidate = "candidate", "Kandidaten";
    }
);

choice!(
    ActionStatus, field = ActionStatus {
        Open = "open", "Åpen";
        InProgress = "in_progress", "Pågår";
        Done = "done", "Utført";
        Cancelled = "cancelled", "Avlyst";
    }
);

choice!(
    /// What the candidate agreed may be shared with the employer. `FollowUp` is what lets the
    /// employer take part at all (the shared document); the others name what it may hold.
    ConsentScope, field = Consent {
        FollowUp = "follow_up", "Oppfølging sammen med arbeidsgiveren";
        Goals = "goals", "Mål for oppfølgingen";
        Adaptations = "adaptations", "Tilrettelegging";
        AttendanceFollowUp = "attendance_follow_up", "Oppfølging av fravær";
        HealthInformation = "health_information", "Helseopplysninger";
    }
);

#[derive(Clone, Debug, PartialEq, Reconcile, Hydrate, Serialize)]
pub struct Employer {
    /// Organisasjonsnummer, nine digits.
    pub org_number: String,
    pub name: String,
    pub workplace_address: String,
}

/// The placement's own facts. Lives in the shared document: both sides need them.
#[derive(Clone, Debug, PartialEq, Reconcile, Hydrate, Serialize)]
pub struct PlacementInfo {
    /// Display name only; a national id number never reaches a device.
    pub candidate_name: String,
    pub employer: Employer,
    pub adviser_name: String,
    pub measure: MeasureType,
    pub start_date: Day,
    pub end_date: Option<Day>,
    pub hours_per_week: f64,
    pub status: PlacementStatus,
    /// When the placement ended or was cancelled; the employer's access ends
    /// [`EMPLOYER_ACCESS_DAYS`] later.
    pub closed_on: Option<Day>,
    /// Why it ended or was cancelled (absent in documents written before reasons existed).
    pub closed_reason: Option<CloseReason>,
    /// The agreed time for NAV to answer the employer's contact request, in Norwegian working
    /// days; absent until the adviser sets one ([`crate::workdays::RESPONSE_WORKING_DAYS_DEFAULT`]).
    pub response_working_days: Option<u8>,
}

impl PlacementInfo {
    /// The response time that applies: the agreed one, else the default.
    pub fn response_working_days(&self) -> u8 {
        self.response_working_days
            .unwrap_or(crate::workdays::RESPONSE_WORKING_DAYS_DEFAULT)
    }

    /// The last day an employer device has access, once the placement is closed.
    pub fn employer_access_ends(&self) -> Option<Day> {
        self.closed_on
            .filter(|_| self.status.is_closed())
            .map(|d| d.plus_days(EMPLOYER_ACCESS_DAYS))
    }
}

#[derive(Clone, Debug, Reconcile, Hydrate, Serialize)]
pub struct Goal {
    pub category: GoalCategory,
    #[serde(serialize_with = "ser_text")]
    pub description: Text,
    pub created_at: Moment,
}

#[derive(Clone, Debug, Reconcile, Hydrate, Serialize)]
pub struct TrainingTask {
    pub title: String,
    #[serde(serialize_with = "ser_text")]
    pub description: Text,
    pub responsible: String,
    pub target_date: Option<Day>,
    pub status: TaskStatus,
    /// Order within the plan. A fraction, so a task inserted between two others on one device and
    /// another inserted on a second device never fight over an index.
    pub position: f64,
    pub updated_at: Moment,
}

#[derive(Clone, Debug, Reconcile, Hydrate, Serialize)]
pub struct Adaptation {
    #[serde(serialize_with = "ser_text")]
    pub description: Text,
    pub agreed_on: Day,
    pub active: bool,
}

#[derive(Clone, Debug, PartialEq, Reconcile, Hydrate, Serialize)]
pub struct ContactPerson {
    pub name: String,
    pub role: String,
    pub phone: String,
    pub email: String,
}

/// Structured check-ins recorded at a visit.
#[derive(Clone, Debug, PartialEq, Reconcile, Hydrate, Serialize, Default)]
pub struct CheckIn {
    /// Attendance since the last visit, in the adviser's words ("full", "to fraværsdager").
    pub attendance_since_last: String,
    pub task_progress: String,
    /// 1–5.
    pub employer_rating: Option<u8>,
    /// 1–5.
    pub candidate_rating: Option<u8>,
}

/// A follow-up visit. Append-only: a correction is a new visit whose `corrects` names the one it
/// replaces, so the history of what was recorded stays.
#[derive(Clone, Debug, Reconcile, Hydrate, Serialize)]
pub struct Visit {
    pub at: Moment,
    pub place: String,
    pub kind: VisitKind,
    pub attendees: Vec<String>,
    pub summary: WrittenText,
    pub check_in: CheckIn,
    pub agreed_actions: Vec<Uuid>,
    pub next_visit: Option<Day>,
    pub corrects: Option<Uuid>,
    pub recorded_by: String,
    pub recorded_at: Moment,
}

/// The employer's short daily log.
#[derive(Clone, Debug, Reconcile, Hydrate, Serialize)]
pub struct Observation {
    pub date: Day,
    pub attendance: Attendance,
    pub hours: f64,
    pub tasks_done: String,
    pub went_well: String,
    pub problem: String,
    pub wants_contact: bool,
    pub contact_request: Option<Uuid>,
    pub logged_by: String,
    pub logged_at: Moment,
}

/// "I want NAV to contact me", tracked until the adviser has answered.
#[derive(Clone, Debug, Reconcile, Hydrate, Serialize)]
pub struct ContactRequest {
    pub raised_at: Moment,
    pub raised_by: Role,
    pub raised_by_name: String,
    pub observation: Option<Uuid>,
    pub message: String,
    pub acknowledged_at: Option<Moment>,
    pub acknowledged_by: Option<String>,
    pub resolved_at: Option<Moment>,
    pub resolved_by: Option<String>,
    pub resolution: String,
}

impl ContactRequest {
    pub fn is_open(&self) -> bool {
        self.resolved_at.is_none()
    }

    /// Minutes from the request to the adviser's first answer (acknowledgement), if any yet.
    pub fn response_minutes(&self) -> Option<i64> {
        self.acknowledged_at
            .map(|a| (a.0 - self.raised_at.0).whole_minutes())
    }
}

/// An agreed action (avtalt tiltak).
#[derive(Clone, Debug, Reconcile, Hydrate, Serialize)]
pub struct Action {
    pub what: String,
    pub owner: ActionOwner,
    pub due: Option<Day>,
    pub status: ActionStatus,
    pub visit: Option<Uuid>,
    pub created_at: Moment,
    pub created_by: String,
}

impl Action {
    pub fn is_overdue(&self, today: Day) -> bool {
        matches!(self.status, ActionStatus::Open | ActionStatus::InProgress)
            && self.due.is_some_and(|d| d < today)
    }
}

/// A note between adviser and employer, threaded by `reply_to`.
#[derive(Clone, Debug, Reconcile, Hydrate, Serialize)]
pub struct Note {
    pub author_role: Role,
    pub author_name: String,
    pub written_at: Moment,
    #[serde(serialize_with = "ser_text")]
    pub body: Text,
    pub reply_to: Option<Uuid>,
}

/// A note only the adviser's devices ever hold.
#[derive(Clone, Debug, Reconcile, Hydrate, Serialize)]
pub struct AdviserNote {
    pub written_at: Moment,
    #[serde(serialize_with = "ser_text")]
    pub body: Text,
    /// The note touches on health; kept apart so an export can leave it out.
    pub health_related: bool,
    /// The visit this note belongs to, if it was written at one.
    pub visit: Option<Uuid>,
}

/// What the candidate agreed to, as the adviser recorded it: one consent form, given once and
/// withdrawn at most once. A changed consent is a new record; the old one stays, withdrawn.
#[derive(Clone, Debug, PartialEq, Reconcile, Hydrate, Serialize)]
pub struct Consent {
    /// What may be shared with the employer; never empty, no scope twice.
    pub scopes: Vec<ConsentScope>,
    /// The version of the consent text the candidate was shown.
    pub text_version: String,
    pub given_at: Moment,
    pub recorded_by: String,
    pub withdrawn_at: Option<Moment>,
    pub withdrawn_by: Option<String>,
}

impl Consent {
    /// Whether this consent lets an employer take part in the placement now.
    pub fn allows_employer(&self) -> bool {
        self.withdrawn_at.is_none() && self.scopes.contains(&ConsentScope::FollowUp)
    }
}

/// Everything the adviser and the employer share about a placement.
#[derive(Clone, Debug, Reconcile, Hydrate, Serialize)]
pub struct SharedPlacement {
    pub schema_version: u64,
    pub placement_id: Uuid,
    pub placement: PlacementInfo,
    #[autosurgeon(with = "autosurgeon::map_with_parseable_keys")]
    pub goals: Records<Goal>,
    #[autosurgeon(with = "autosurgeon::map_with_parseable_keys")]
    pub training_plan: Records<TrainingTask>,
    #[autosurgeon(with = "autosurgeon::map_with_parseable_keys")]
    pub adaptations: Records<Adaptation>,
    #[autosurgeon(with = "autosurgeon::map_with_parseable_keys")]
    pub contact_persons: Records<ContactPerson>,
    #[autosurgeon(with = "autosurgeon::map_with_parseable_keys")]
    pub visits: Records<Visit>,
    #[autosurgeon(with = "autosurgeon::map_with_parseable_keys")]
    pub observations: Records<Observation>,
    #[autosurgeon(with = "autosurgeon::map_with_parseable_keys")]
    pub contact_requests: Records<ContactRequest>,
    #[autosurgeon(with = "autosurgeon::map_with_parseable_keys")]
    pub actions: Records<Action>,
    #[autosurgeon(with = "autosurgeon::map_with_parseable_keys")]
    pub notes: Records<Note>,
}

/// What only the adviser's devices hold: adviser-only notes, consent, anything health-related.
#[derive(Clone, Debug, Reconcile, Hydrate, Serialize)]
pub struct PrivatePlacement {
    pub schema_version: u64,
    pub placement_id: Uuid,
    #[autosurgeon(with = "autosurgeon::map_with_parseable_keys")]
    pub notes: Records<AdviserNote>,
    #[autosurgeon(with = "autosurgeon::map_with_parseable_keys")]
    pub consents: Records<Consent>,
}

impl SharedPlacement {
    /// Visits as they stand now: every visit that no later entry corrects, newest first.
    pub fn current_visits(&self) -> Vec<(Uuid, &Visit)> {
        let corrected: std::collections::HashSet<Uuid> =
            self.visits.values().filter_map(|v| v.corrects).collect();
        let mut out: Vec<_> = self
            .visits
            .iter()
            .filter(|(id, _)| !corrected.contains(id))
            .map(|(id, v)| (*id, v))
            .collect();
        out.sort_by(|a, b| b.1.at.cmp(&a.1.at).then(a.0.cmp(&b.0)));
        out
    }

    /// The chain of versions behind a visit, from the one given back to the first recording.
    pub fn visit_history(&self, id: Uuid) -> Vec<(Uuid, &Visit)> {
        let mut out = Vec::new();
        let mut next = Some(id);
        while let Some(cur) = next {
            let Some(v) = self.visits.get(&cur) else {
                break;
            };
            if out.iter().any(|(seen, _)| *seen == cur) {
                break; // a cycle can only come from a forged document; stop rather than loop
            }
            out.push((cur, v));
            next = v.corrects;
        }
        out
    }

    /// The day the next visit is planned, taken from the most recent current visit that set one.
    pub fn next_visit(&self) -> Option<Day> {
        self.current_visits()
            .into_iter()
            .find_map(|(_, v)| v.next_visit)
    }

    /// Training tasks in plan order.
    pub fn plan_in_order(&self) -> Vec<(Uuid, &TrainingTask)> {
        let mut out: Vec<_> = self.training_plan.iter().map(|(id, t)| (*id, t)).collect();
        out.sort_by(|a, b| a.1.position.total_cmp(&b.1.position).then(a.0.cmp(&b.0)));
        out
    }
}
