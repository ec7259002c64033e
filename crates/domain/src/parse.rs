//! Reading days and instants from what people and files write, with the validation error that
//! names the field. Apart from `when` so that the types stay below the errors that mention them.

use std::str::FromStr;

use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime, UtcOffset};

use crate::Field;
use crate::error::ValidationError;
use crate::when::{DAY_FORMAT, Day, Moment};

impl Day {
    /// Parses `YYYY-MM-DD`, naming `field` in the error so the form can point at it.
    pub fn parse(field: Field, text: &str) -> Result<Day, ValidationError> {
        Date::parse(text.trim(), DAY_FORMAT)
            .map(Day)
            .map_err(|_| ValidationError::InvalidDate {
                field,
                value: text.to_owned(),
            })
    }
}

impl FromStr for Day {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Day::parse(Field::Date, s)
    }
}

impl Moment {
    /// Parses an RFC 3339 timestamp and normalises it to UTC.
    pub fn parse(field: Field, text: &str) -> Result<Moment, ValidationError> {
        OffsetDateTime::parse(text.trim(), &Rfc3339)
            .map(|t| Moment(t.to_offset(UtcOffset::UTC)))
            .map_err(|_| ValidationError::InvalidDate {
                field,
                value: text.to_owned(),
            })
    }
}
