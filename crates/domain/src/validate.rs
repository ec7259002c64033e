//! The rules input must follow before anything is written to a document.
//!
//! Each check names the field it guards (in Norwegian, as the form labels it) so the error can be
//! shown next to that field. Lengths are counted in characters, not bytes: "ø" is one.

use crate::{Field, ValidationError};

/// Names, titles, a place: one line.
pub const SHORT_MAX: usize = 200;
/// A field of the daily log: a few sentences.
pub const FIELD_MAX: usize = 2_000;
/// A visit summary or a note.
pub const LONG_MAX: usize = 20_000;
/// People at one visit.
pub const ATTENDEES_MAX: usize = 20;
/// A phone number as people write it (`+47 900 00 000`).
pub const PHONE_MAX: usize = 40;
/// The version name of a consent text (`2026-1`).
pub const CONSENT_VERSION_MAX: usize = 40;

pub(crate) fn required(field: Field, value: &str, max: usize) -> Result<(), ValidationError> {
    if value.trim().is_empty() {
        return Err(ValidationError::Required { field });
    }
    max_len(field, value, max)
}

pub(crate) fn max_len(field: Field, value: &str, max: usize) -> Result<(), ValidationError> {
    let len = value.chars().count();
    if len > max {
        return Err(ValidationError::TooLong { field, max, len });
    }
    Ok(())
}

pub(crate) fn range(field: Field, value: f64, min: f64, max: f64) -> Result<(), ValidationError> {
    if !value.is_finite() || value < min || value > max {
        return Err(ValidationError::OutOfRange {
            field,
            min: min.to_string(),
            max: max.to_string(),
        });
    }
    Ok(())
}

pub(crate) fn rating(field: Field, value: Option<u8>) -> Result<(), ValidationError> {
    match value {
        Some(v) if !(1..=5).contains(&v) => Err(ValidationError::OutOfRange {
            field,
            min: "1".into(),
            max: "5".into(),
        }),
        _ => Ok(()),
    }
}

/// The name a device's user is known by in what they write.
pub fn check_user_name(name: &str) -> Result<(), ValidationError> {
    required(Field::Name, name, SHORT_MAX)
}

/// A Norwegian organisation number: nine digits, the last a modulus-11 check digit.
pub fn org_number(value: &str) -> Result<(), ValidationError> {
    let digits: Vec<u32> = value.chars().filter_map(|c| c.to_digit(10)).collect();
    let only_digits_and_spaces = value.chars().all(|c| c.is_ascii_digit() || c == ' ');
    let invalid = || ValidationError::InvalidOrgNumber(value.to_owned());
    if digits.len() != 9 || !only_digits_and_spaces {
        return Err(invalid());
    }
    const WEIGHTS: [u32; 8] = [3, 2, 7, 6, 5, 4, 3, 2];
    let sum: u32 = digits.iter().zip(WEIGHTS).map(|(d, w)| d * w).sum();
    let check = match 11 - sum % 11 {
        11 => 0,
        10 => return Err(invalid()),
        c => c,
    };
    if check != digits[8] {
        return Err(invalid());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn org_numbers() {
        assert!(org_number("889640782").is_ok()); // NAV
        assert!(org_number("889 640 782").is_ok());
        for bad in ["889640781", "88964078", "8896407822", "88964078x", ""] {
            assert_eq!(
                org_number(bad),
                Err(ValidationError::InvalidOrgNumber(bad.into())),
                "{bad}"
            );
        }
    }

    #[test]
    fn lengths_count_characters() {
        assert!(max_len(Field::Name, &"ø".repeat(10), 10).is_ok());
        assert_eq!(
            max_len(Field::Name, &"ø".repeat(11), 10),
            Err(ValidationError::TooLong {
                field: Field::Name,
                max: 10,
                len: 11
            })
        );
        assert_eq!(
            required(Field::Name, "   ", 10),
            Err(ValidationError::Required { field: Field::Name })
        );
    }

    #[test]
    fn ranges_reject_nan() {
        assert!(range(Field::Hours, f64::NAN, 0.0, 24.0).is_err());
        assert!(range(Field::Hours, 24.5, 0.0, 24.0).is_err());
        assert!(range(Field::Hours, 7.5, 0.0, 24.0).is_ok());
        assert!(rating(Field::Rating, Some(0)).is_err());
        assert!(rating(Field::Rating, Some(5)).is_ok());
    }
}
