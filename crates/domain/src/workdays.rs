//! Norwegian working days: Monday to Friday, except the public holidays (helligdager and 1 and
//! 17 May). What a placement's agreed response time is counted in ("svar innen to arbeidsdager").

use crate::when::Day;

/// What a new placement's response time is, in working days, until the adviser sets another.
pub const RESPONSE_WORKING_DAYS_DEFAULT: u8 = 2;
/// The response times an adviser may agree, in working days.
pub const RESPONSE_WORKING_DAYS: std::ops::RangeInclusive<u8> = 1..=10;

/// Easter Sunday of `year` (Gregorian), or `None` outside the years the computus knows.
fn easter(year: i32) -> Option<Day> {
    let e = computus::gregorian(year).ok()?;
    Day::from_ymd(
        e.year,
        u8::try_from(e.month).ok()?,
        u8::try_from(e.day).ok()?,
    )
}

/// Whether `day` is a Norwegian public holiday: New Year's Day, Maundy Thursday, Good Friday,
/// Easter Sunday and Monday, 1 May, 17 May, Ascension Day, Whit Sunday and Monday, Christmas Day
/// and Boxing Day.
pub fn is_public_holiday(day: Day) -> bool {
    let (month, date) = (u8::from(day.0.month()), day.0.day());
    if matches!(
        (month, date),
        (1, 1) | (5, 1) | (5, 17) | (12, 25) | (12, 26)
    ) {
        return true;
    }
    easter(day.0.year())
        .is_some_and(|e| matches!(e.days_until(day), -3 | -2 | 0 | 1 | 39 | 49 | 50))
}

/// Monday to Friday and not a public holiday.
pub fn is_working_day(day: Day) -> bool {
    let weekend = matches!(
        day.0.weekday(),
        time::Weekday::Saturday | time::Weekday::Sunday
    );
    !weekend && !is_public_holiday(day)
}

/// The day `n` working days after `day` (a request raised on Friday with two working days to
/// answer is due on Tuesday).
pub fn plus_working_days(day: Day, n: u8) -> Day {
    let mut d = day;
    let mut left = n;
    while left > 0 {
        d = d.plus_days(1);
        if is_working_day(d) {
            left -= 1;
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Day {
        Day::parse(crate::Field::Date, s).unwrap()
    }

    #[test]
    fn the_holidays_of_2027_are_not_working_days() {
        // Easter Sunday 2027 is 28 March.
        for h in [
            "2027-01-01",
            "2027-03-25",
            "2027-03-26",
            "2027-03-28",
            "2027-03-29",
            "2027-05-01",
            "2027-05-06",
            "2027-05-16",
            "2027-05-17",
            "2027-12-25",
            "2027-12-26",
        ] {
            assert!(is_public_holiday(day(h)), "{h}");
            assert!(!is_working_day(day(h)), "{h}");
        }
        for w in [
            "2027-03-24",
            "2027-03-30",
            "2027-05-18",
            "2027-12-27",
            "2027-12-24",
        ] {
            assert!(is_working_day(day(w)), "{w}");
        }
        assert!(!is_working_day(day("2026-12-05")), "a Saturday");
    }

    #[test]
    fn response_times_skip_weekends_and_easter() {
        // Friday → Tuesday.
        assert_eq!(plus_working_days(day("2026-12-04"), 2), day("2026-12-08"));
        // Wednesday before Easter 2027 → past the five days off → Wednesday after.
        assert_eq!(plus_working_days(day("2027-03-24"), 1), day("2027-03-30"));
        assert_eq!(plus_working_days(day("2027-03-24"), 2), day("2027-03-31"));
        // Before Christmas 2026: Wed 23 → Thu 24 → (25, 26, 27 off) → Mon 28.
        assert_eq!(plus_working_days(day("2026-12-23"), 2), day("2026-12-28"));
        assert_eq!(plus_working_days(day("2026-12-23"), 0), day("2026-12-23"));
    }
}
