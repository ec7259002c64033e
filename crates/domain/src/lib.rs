//! The domain of Følgesvenn: what a placement (oppfølgingsløp) holds, the rules its records follow,
//! and the two automerge documents it lives in.
//!
//! A placement is two documents. The [`SharedDoc`] holds what the adviser and the employer both
//! see: the placement's facts, goals, training plan, adaptations, visits, daily observations,
//! contact requests, actions and notes. The [`PrivateDoc`] holds what only the adviser's devices
//! ever hold: adviser-only notes, consent, anything health-related.
//!
//! This crate does no IO and knows nothing of storage, networks or the UI. Every write validates
//! first and returns a [`ValidationError`] without touching the document when input breaks a rule;
//! no input makes it panic. Time comes in from the caller ([`Stamp`]).
//!
//! ```
//! use folgesvenn_domain::*;
//! let stamp = Stamp {
//!     role: Role::Adviser,
//!     name: "Kari Veileder".into(),
//!     at: Moment::parse(Field::At, "2026-11-27T09:00:00Z").unwrap(),
//!     today: Day::parse(Field::Date, "2026-11-27").unwrap(),
//! };
//! let placement = NewPlacement {
//!     candidate_name: "Ola".into(),
//!     employer: Employer {
//!         org_number: "889640782".into(),
//!         name: "Bakeriet AS".into(),
//!         workplace_address: "Storgata 1, Bodø".into(),
//!     },
//!     adviser_name: "Kari Veileder".into(),
//!     measure: MeasureType::WorkTraining,
//!     start_date: Day::parse(Field::Start, "2026-11-02").unwrap(),
//!     end_date: Day::parse(Field::End, "2026-10-01").ok(),
//!     hours_per_week: 20.0,
//! };
//! // An end date before the start date is refused, and nothing is created.
//! let err = SharedDoc::create(uuid::Uuid::new_v4(), &placement, &stamp, None).err().unwrap();
//! assert_eq!(err.kind(), "end_before_start");
//! ```

pub mod changes;
mod choice;
mod doc;
mod error;
mod field;
mod history;
mod input;
mod load;
mod model;
mod notice;
mod parse;
mod paths;
mod prefetch;
mod private;
pub mod rights;
mod shared;
mod touched;
mod validate;
mod when;
pub mod workdays;

pub use doc::{ConflictValue, FieldConflict, touched_since};
pub use error::{DocError, Inconsistency, ValidationError};
pub use field::Field;
pub use history::{ChangeKind, HistoryEntry};
pub use input::*;
pub use model::*;
pub use notice::{Coded, LogEvent, Notice};
pub use private::PrivateDoc;
pub use shared::SharedDoc;
pub use touched::Touched;
pub use validate::{
    ATTENDEES_MAX, CONSENT_VERSION_MAX, FIELD_MAX, LONG_MAX, PHONE_MAX, SHORT_MAX, check_user_name,
    org_number as check_org_number,
};
pub use when::{Day, Moment};

pub use automerge;
pub use uuid;

#[cfg(test)]
mod tests;
