//! Durations written the way people write them: `"90s"`, `"15m"`, `"2h"`, `"1h30m"`, `"1d"`,
//! and times of the week: `"Mon 09:00"`, working hours `"09:00-18:00 Mon-Fri"`.
//!
//! Everything inside ttx measures time in minutes as `f64`; this module is the only place that
//! turns text into minutes and minutes back into text. It only reads and writes text: whether a
//! value makes sense where it is used is for the scenario compiler to say.

use super::WorkingHours;

/// Why a duration text could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    /// Nothing but white space.
    #[error("empty duration")]
    Empty,
    /// A leading minus sign.
    #[error("durations cannot be negative")]
    Negative,
    /// A number with no unit after it.
    #[error("`{0}` has no unit")]
    MissingUnit(String),
    /// A unit other than d, h, m, s.
    #[error("unknown unit `{0}`")]
    UnknownUnit(String),
    /// A number too large to represent.
    #[error("`{0}...` is too long to be a duration")]
    TooLong(String),
    /// Anything else that is not `<number><unit>...`.
    #[error("cannot read `{0}` as a duration")]
    Malformed(String),
}

impl DurationError {
    /// A hint on how to write a valid duration.
    pub fn hint(&self) -> &'static str {
        "write a number followed by a unit (d, h, m or s), e.g. \"90s\", \"15m\", \"2h\", \"1h30m\""
    }
}

/// Parses a duration text into minutes.
///
/// Accepts one or more `<number><unit>` parts (`"1h30m"`), units `d`, `h`, `m`, `s` (also the
/// long forms `min`, `sec`, `hr`), decimals (`"1.5h"`) and white space between parts.
pub fn parse_minutes(text: &str) -> Result<f64, DurationError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(DurationError::Empty);
    }
    if trimmed.starts_with('-') {
        return Err(DurationError::Negative);
    }
    let mut total = 0.0;
    let mut rest = trimmed;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if number_len == 0 {
            return Err(DurationError::Malformed(trimmed.to_string()));
        }
        let digits = &rest[..number_len];
        // Digits on both sides of a decimal point (".5h" and "5.h" are typos more often than not).
        if digits.starts_with('.') || digits.ends_with('.') {
            return Err(DurationError::Malformed(trimmed.to_string()));
        }
        let number: f64 = digits
            .parse()
            .map_err(|_| DurationError::Malformed(trimmed.to_string()))?;
        rest = rest[number_len..].trim_start();
        let unit_len = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        if unit_len == 0 {
            return Err(DurationError::MissingUnit(trimmed.to_string()));
        }
        let factor = match &rest[..unit_len] {
            "d" | "day" | "days" => 1440.0,
            "h" | "hr" | "hrs" | "hour" | "hours" => 60.0,
            "m" | "min" | "mins" | "minute" | "minutes" => 1.0,
            "s" | "sec" | "secs" | "second" | "seconds" => 1.0 / 60.0,
            other => return Err(DurationError::UnknownUnit(other.to_string())),
        };
        total += number * factor;
        rest = rest[unit_len..].trim_start();
    }
    if !total.is_finite() {
        return Err(DurationError::TooLong(trimmed.chars().take(24).collect()));
    }
    Ok(total)
}

/// Formats minutes compactly for tables: `"45s"`, `"12.5m"`, `"3h05m"`, `"2d04h"`.
pub fn format_minutes(minutes: f64) -> String {
    if !minutes.is_finite() {
        return "-".to_string();
    }
    if minutes < 1.0 {
        return format!("{:.0}s", minutes * 60.0);
    }
    if minutes < 60.0 {
        return format!("{minutes:.1}m");
    }
    let whole = minutes.round() as u64;
    if whole < 1440 {
        return format!("{}h{:02}m", whole / 60, whole % 60);
    }
    format!("{}d{:02}h", whole / 1440, (whole % 1440) / 60)
}

/// Scenario minutes as a drill clock reads them: `T+H:MM:SS`.
pub fn format_clock(t: f64) -> String {
    let seconds = (t * 60.0).round().max(0.0) as u64;
    format!(
        "T+{}:{:02}:{:02}",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    )
}

/// Parses `"Mon 09:00"` into a minute of the week.
pub fn parse_week_time(text: &str) -> Option<f64> {
    let mut parts = text.split_whitespace();
    let day = weekday(parts.next()?)?;
    let minute = parse_clock(parts.next()?)?;
    if parts.next().is_some() {
        return None;
    }
    Some(day as f64 * 1440.0 + minute)
}

/// Parses `"09:00-18:00 Mon-Fri"` (days optional, default every day).
pub fn parse_working_hours(text: &str) -> Option<WorkingHours> {
    let mut parts = text.split_whitespace();
    let (start, end) = parts.next()?.split_once('-')?;
    let (start, end) = (parse_clock(start)?, parse_clock(end)?);
    if end <= start {
        return None;
    }
    let mut days = [false; 7];
    match parts.next() {
        None => days = [true; 7],
        Some(spec) => {
            for piece in spec.split(',') {
                match piece.split_once('-') {
                    Some((a, b)) => {
                        let (a, b) = (weekday(a)?, weekday(b)?);
                        let mut d = a;
                        loop {
                            days[d] = true;
                            if d == b {
                                break;
                            }
                            d = (d + 1) % 7;
                        }
                    }
                    None => days[weekday(piece)?] = true,
                }
            }
        }
    }
    if parts.next().is_some() {
        return None;
    }
    Some(WorkingHours { start, end, days })
}

fn weekday(text: &str) -> Option<usize> {
    let lower = text.to_lowercase();
    ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .position(|d| lower.starts_with(d) && lower.len() >= 3)
}

fn parse_clock(text: &str) -> Option<f64> {
    let (h, m) = text.split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 24 && m < 60 && h * 60 + m <= 1440).then_some((h * 60 + m) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_common_forms() {
        assert_eq!(parse_minutes("90s"), Ok(1.5));
        assert_eq!(parse_minutes("15m"), Ok(15.0));
        assert_eq!(parse_minutes("2h"), Ok(120.0));
        assert_eq!(parse_minutes("1h30m"), Ok(90.0));
        assert_eq!(parse_minutes("1d 2h"), Ok(1560.0));
        assert_eq!(parse_minutes("1.5h"), Ok(90.0));
        assert_eq!(parse_minutes("0s"), Ok(0.0));
    }

    #[test]
    fn rejects_bad_forms() {
        assert_eq!(parse_minutes(""), Err(DurationError::Empty));
        assert_eq!(parse_minutes("-5m"), Err(DurationError::Negative));
        assert!(matches!(
            parse_minutes("15"),
            Err(DurationError::MissingUnit(_))
        ));
        assert!(matches!(
            parse_minutes("15y"),
            Err(DurationError::UnknownUnit(_))
        ));
        assert!(matches!(
            parse_minutes("abc"),
            Err(DurationError::Malformed(_))
        ));
        assert!(matches!(
            parse_minutes("1..5m"),
            Err(DurationError::Malformed(_))
        ));
    }

    #[test]
    fn formats_for_tables() {
        assert_eq!(format_minutes(0.5), "30s");
        assert_eq!(format_minutes(12.25), "12.2m");
        assert_eq!(format_minutes(185.0), "3h05m");
        assert_eq!(format_minutes(3000.0), "2d02h");
    }

    #[test]
    fn reads_week_times_and_working_hours() {
        assert_eq!(parse_week_time("Mon 09:00"), Some(540.0));
        assert_eq!(parse_week_time("sat 02:30"), Some(5.0 * 1440.0 + 150.0));
        assert_eq!(parse_week_time("Funday 02:30"), None);
        let hours = parse_working_hours("09:00-18:00 Mon-Fri").unwrap();
        assert!(hours.contains(540.0));
        assert!(!hours.contains(5.0 * 1440.0 + 600.0));
        let weekend = parse_working_hours("10:00-14:00 Sat,Sun").unwrap();
        assert_eq!(
            weekend.days,
            [false, false, false, false, false, true, true]
        );
        assert!(parse_working_hours("18:00-09:00").is_none());
    }
}
