//! The input fields a rule can name, and the macro for the other closed sets an error names by
//! code. An error carries the field's code (`candidate_name`): the UI words it in its own language
//! and points at the form field; the Norwegian label is for the CLI.

/// Defines an enum whose variants each have a stable code (what errors carry to the UI, which words
/// it in its own language) and a Norwegian label (how the CLI's messages word it). `Display`
/// writes the code.
macro_rules! labelled {
    (
        $(#[$meta:meta])*
        $name:ident { $( $variant:ident = $code:literal, $label:literal; )+ }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $( $variant ),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[ $( $name::$variant ),+ ];

            pub fn code(self) -> &'static str {
                match self { $( $name::$variant => $code ),+ }
            }

            pub fn label_nb(self) -> &'static str {
                match self { $( $name::$variant => $label ),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

pub(crate) use labelled;

labelled! {
    /// A field of some input, as errors name it.
    Field {
    Name = "name", "navn";
    At = "at", "tidspunkt";
    Start = "start", "start";
    End = "end", "slutt";
    Date = "date", "dato";
    StartDate = "start_date", "startdato";
    EndDate = "end_date", "sluttdato";
    Hours = "hours", "timer";
    HoursPerWeek = "hours_per_week", "timer per uke";
    Note = "note", "notat";
    VisitTime = "visit_time", "tidspunkt for besøket";
    Rating = "rating", "vurdering";
    CandidateRating = "candidate_rating", "kandidatens vurdering";
    EmployerRating = "employer_rating", "arbeidsgivers vurdering";
    Role = "role", "rolle";
    Responsible = "responsible", "ansvarlig";
    CloseReason = "close_reason", "årsak";
    ConsentVersion = "consent_version", "versjon av samtykketeksten";
    AdviserName = "adviser_name", "veileders navn";
    Draft = "draft", "utkast";
    VisitKind = "visit_kind", "type besøk";
    MeasureType = "measure_type", "tiltakstype";
    Action = "action", "tiltak";
    Adaptation = "adaptation", "tilrettelegging";
    Phone = "phone", "telefon";
    Email = "email", "e-post";
    Resolution = "resolution", "svar";
    Place = "place", "sted";
    Status = "status", "status";
    ActionStatus = "action_status", "status for tiltaket";
    TaskStatus = "task_status", "status for oppgaven";
    Consent = "consent", "samtykke";
    PracticalIssue = "practical_issue", "praktisk problem";
    PassphraseLength = "passphrase_length", "passordets lengde";
    InvitationCode = "invitation_code", "invitasjonskoden";
    Record = "record", "oppføringen";
    LockAfter = "lock_after", "tid før appen låses";
    ResponseTime = "response_time", "svarfrist";
    Summary = "summary", "oppsummering";
    Attendance = "attendance", "oppmøte";
    TasksToday = "tasks_today", "oppgaver i dag";
    Task = "task", "oppgave";
    NextVisit = "next_visit", "neste besøk";
    ContactName = "contact_name", "navn på kontaktperson";
    GoalCategory = "goal_category", "målkategori";
    GoalDescription = "goal_description", "beskrivelse av målet";
    TargetDate = "target_date", "måldato";
    Message = "message", "melding";
    MessageToNav = "message_to_nav", "melding til NAV";
    CandidateName = "candidate_name", "kandidatens navn";
    EmployerName = "employer_name", "arbeidsgiverens navn";
    Workplace = "workplace", "arbeidssted";
    Due = "due", "frist";
    WentWell = "went_well", "det som gikk bra";
    Attendees = "attendees", "deltakere";
    Attendee = "attendee", "deltaker";
    Description = "description", "beskrivelse";
        AttendanceSinceLast = "attendance_since_last", "tilstedeværelse siden sist";
        TaskProgress = "task_progress", "framgang på oppgavene";
    }
}

#[cfg(test)]
mod tests {
    use super::Field;

    #[test]
    fn codes_are_unique_snake_case() {
        let mut seen = std::collections::BTreeSet::new();
        for f in Field::ALL {
            assert!(seen.insert(f.code()), "{f:?}");
            assert!(
                f.code().chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{f:?}"
            );
        }
    }
}
