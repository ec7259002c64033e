//! The store's clock: "now" and "today" on the user's wall clock, which the domain takes in
//! through `Stamp` (it has no clock of its own).

use folgesvenn_domain::{Day, Moment};

pub(crate) type Clock = Box<dyn Fn() -> (Moment, Day) + Send>;

pub(crate) fn system_clock() -> (Moment, Day) {
    let now = time::OffsetDateTime::now_utc();
    (Moment(now), today_in(now, &local_zone()))
}

/// The device's time zone, or Norway's where the OS does not say (the users are in Norway).
fn local_zone() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::try_system()
        .or_else(|_| jiff::tz::TimeZone::get("Europe/Oslo"))
        .unwrap_or(jiff::tz::TimeZone::UTC)
}

/// What "today" is for the user at `now`: the date on their wall clock, not in UTC (between
/// midnight and 01:00 or 02:00 in Norway the two differ, and a daily log dated today would be
/// refused as lying in the future).
fn today_in(now: time::OffsetDateTime, zone: &jiff::tz::TimeZone) -> Day {
    // jiff knows the zone's rules; `time` holds the stored formats. The one thing crossing
    // between them is the offset in seconds at this instant, never a date taken apart.
    jiff::Timestamp::from_second(now.unix_timestamp())
        .ok()
        .and_then(|ts| time::UtcOffset::from_whole_seconds(zone.to_offset(ts).seconds()).ok())
        .map_or(Day(now.date()), |offset| Day(now.to_offset(offset).date()))
}

/// The day on the user's wall clock at `moment` (when a request was raised, as they saw it).
pub(crate) fn local_day(moment: Moment) -> Day {
    today_in(moment.0, &local_zone())
}

/// Days since 1970-01-01, the relay's unit for an end date.
pub fn epoch_day(day: Day) -> i64 {
    Day::from_ymd(1970, 1, 1)
        .expect("a valid date")
        .days_until(day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_is_the_date_on_the_users_wall_clock() {
        let late = time::macros::datetime!(2026-11-27 23:30 UTC);
        let oslo = jiff::tz::TimeZone::get("Europe/Oslo").unwrap();
        assert_eq!(today_in(late, &oslo).to_string(), "2026-11-28");
        assert_eq!(
            today_in(late, &jiff::tz::TimeZone::UTC).to_string(),
            "2026-11-27"
        );
        // Summer time: UTC+2.
        let summer = time::macros::datetime!(2026-06-30 22:15 UTC);
        assert_eq!(today_in(summer, &oslo).to_string(), "2026-07-01");
    }
}
