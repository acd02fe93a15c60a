//! Calendar dates as plans write them (`2026-03-31`): strict reading, day arithmetic for due
//! dates, and the bridge to the trend's ordering of results in time.
//!
//! Dates are proleptic Gregorian days without a time zone; nothing here reads the clock (the
//! command line passes today's date in).

use std::time::SystemTime;

use serde::Serialize;

use crate::compare::trend::{When, parse_date};
use crate::incident::time::{civil_from_days, days_from_civil};

/// A calendar day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    year: i32,
    month: u32,
    day: u32,
}

impl Date {
    /// Reads `YYYY-MM-DD` exactly (a real day of a real month: `2026-02-30` is refused).
    pub fn parse(text: &str) -> Option<Date> {
        let bytes = text.as_bytes();
        let shape = bytes.len() == 10
            && bytes[4] == b'-'
            && bytes[7] == b'-'
            && bytes
                .iter()
                .enumerate()
                .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
        if !shape {
            return None;
        }
        let date = Date {
            year: text[..4].parse().ok()?,
            month: text[5..7].parse().ok()?,
            day: text[8..].parse().ok()?,
        };
        ((1..=12).contains(&date.month)
            && (1..=days_in_month(date.year, date.month)).contains(&date.day))
        .then_some(date)
    }

    /// The UTC day of a moment (the command line's "today").
    pub fn of(moment: SystemTime) -> Date {
        let seconds = moment
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Date::from_days((seconds / 86_400) as i64)
    }

    /// The day `days` later (earlier when negative).
    pub fn add_days(self, days: i64) -> Date {
        Date::from_days(self.days() + days)
    }

    /// Days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(self, later: Date) -> i64 {
        later.days() - self.days()
    }

    /// The day as the trend orders results, to compare with a result's label or start.
    pub fn when(self) -> When {
        // A Date always prints as a date the trend reads.
        parse_date(&self.to_string()).unwrap_or_else(|| unreachable!("{self} reads as a date"))
    }

    /// Days since 1970-01-01.
    fn days(self) -> i64 {
        days_from_civil(
            i64::from(self.year),
            i64::from(self.month),
            i64::from(self.day),
        )
    }

    /// The inverse of [`Date::days`].
    fn from_days(days: i64) -> Date {
        let (year, month, day) = civil_from_days(days);
        Date {
            year: year as i32,
            month: month as u32,
            day: day as u32,
        }
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_strictly_and_count_days_across_months_and_leap_years() {
        let d = |t| Date::parse(t).unwrap();
        assert_eq!(d("2026-03-31").to_string(), "2026-03-31");
        for not in [
            "2026-02-29",
            "2026-13-01",
            "2026-3-31",
            "26-03-31",
            "2026-04-31",
            "",
        ] {
            assert_eq!(Date::parse(not), None, "{not}");
        }
        assert_eq!(d("2024-02-29").add_days(1), d("2024-03-01"));
        assert_eq!(d("2026-12-05").add_days(30), d("2027-01-04"));
        assert_eq!(d("1970-01-01").days(), 0);
        assert_eq!(d("2026-01-01").days_until(d("2027-01-01")), 365);
        assert_eq!(Date::of(SystemTime::UNIX_EPOCH), d("1970-01-01"));
        assert!(d("2026-07-15").when() > crate::compare::trend::parse_quarter("2026-Q3").unwrap());
    }
}
