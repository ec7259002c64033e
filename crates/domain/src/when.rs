//! Calendar days and instants as they are stored in documents.
//!
//! Both are kept as ISO 8601 strings inside automerge (`2026-11-27`, `2026-11-27T09:30:00Z`) so that
//! an exported document reads plainly and sorts as text. The domain does no IO, so "now" and "today"
//! always come in as arguments; the store and the app own the clock.

use std::fmt;

use crate::Field;

use autosurgeon::{Hydrate, HydrateError, Reconcile, Reconciler, reconcile::NoKey};
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, UtcOffset};

/// A calendar day without a time of day (start date, due date, the day of an observation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(pub Date);

/// A point in time, always kept in UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Moment(pub OffsetDateTime);

pub(crate) const DAY_FORMAT: &[time::format_description::FormatItem<'static>] =
    format_description!("[year]-[month]-[day]");

impl Day {
    pub fn from_ymd(year: i32, month: u8, day: u8) -> Option<Day> {
        let month = time::Month::try_from(month).ok()?;
        Date::from_calendar_date(year, month, day).ok().map(Day)
    }

    /// The number of days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(self, later: Day) -> i64 {
        (later.0 - self.0).whole_days()
    }

    pub fn plus_days(self, days: i64) -> Day {
        Day(self.0 + time::Duration::days(days))
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The format has no fallible parts for years 0..=9999, which are the only ones `Day::parse` accepts.
        match self.0.format(DAY_FORMAT) {
            Ok(s) => f.write_str(&s),
            Err(_) => Err(fmt::Error),
        }
    }
}

impl Moment {
    pub fn from_unix_millis(ms: i64) -> Option<Moment> {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
            .ok()
            .map(Moment)
    }

    pub fn day(self) -> Day {
        Day(self.0.date())
    }

    pub fn unix_millis(self) -> i64 {
        (self.0.unix_timestamp_nanos() / 1_000_000) as i64
    }
}

impl fmt::Display for Moment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.to_offset(UtcOffset::UTC).format(&Rfc3339) {
            Ok(s) => f.write_str(&s),
            Err(_) => Err(fmt::Error),
        }
    }
}

macro_rules! string_scalar {
    ($ty:ty, $what:literal, $parse:expr) => {
        impl Reconcile for $ty {
            type Key<'a> = NoKey;
            fn reconcile<R: Reconciler>(&self, mut reconciler: R) -> Result<(), R::Error> {
                reconciler.str(self.to_string())
            }
        }

        impl Hydrate for $ty {
            fn hydrate_string(s: &str) -> Result<Self, HydrateError> {
                $parse(s).map_err(|_| HydrateError::unexpected($what, s.to_owned()))
            }
        }

        impl Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                $parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

string_scalar!(Day, "a date (YYYY-MM-DD)", |s: &str| Day::parse(
    Field::Date,
    s
));
string_scalar!(Moment, "an RFC 3339 timestamp", |s: &str| Moment::parse(
    Field::At,
    s
));

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Field, ValidationError};

    #[test]
    fn days_round_trip_and_reject_nonsense() {
        let d = Day::parse(Field::Start, "2026-02-28").unwrap();
        assert_eq!(d.to_string(), "2026-02-28");
        assert_eq!(d.plus_days(1).to_string(), "2026-03-01");
        for bad in ["2026-02-30", "28.02.2026", "", "2026-13-01", "i morgen"] {
            let err = Day::parse(Field::Start, bad).unwrap_err();
            assert!(
                matches!(
                    err,
                    ValidationError::InvalidDate {
                        field: Field::Start,
                        ..
                    }
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn moments_are_normalised_to_utc() {
        let m = Moment::parse(Field::At, "2026-11-27T10:30:00+01:00").unwrap();
        assert_eq!(m.to_string(), "2026-11-27T09:30:00Z");
        assert_eq!(Moment::from_unix_millis(m.unix_millis()), Some(m));
    }
}
