//! The times of a timeline: RFC 3339 with a UTC offset (`2026-03-14T09:05:00+01:00`, `...Z`),
//! or without one when the user names the offset they were written in (`--timezone +01:00`).
//!
//! ttx carries no time-zone database, so a time zone is a fixed offset: the one in effect
//! during the incident. Nothing here reads files or knows what a timeline is.

/// A UTC offset in minutes east of Greenwich (`+01:00` is 60).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Offset(pub i32);

impl Offset {
    /// Reads `Z`, `UTC`, `+01:00`, `-0530` or `+02`; anything else (a named zone such as
    /// `Europe/Berlin`) is refused with what to write instead.
    pub fn parse(text: &str) -> Result<Offset, String> {
        let trimmed = text.trim();
        if trimmed.eq_ignore_ascii_case("z") || trimmed.eq_ignore_ascii_case("utc") {
            return Ok(Offset(0));
        }
        parse_offset(trimmed).ok_or_else(|| {
            format!(
                "`{text}` is not a UTC offset: give the offset in effect during the incident, e.g. \
                 +01:00, -05:00 or UTC (ttx carries no time-zone database, so named zones such \
                 as Europe/Berlin cannot be read)"
            )
        })
    }

    /// `+01:00`, `-05:30`, `Z` for zero.
    pub fn show(self) -> String {
        if self.0 == 0 {
            return "Z".to_string();
        }
        let sign = if self.0 < 0 { '-' } else { '+' };
        let m = self.0.unsigned_abs();
        format!("{sign}{:02}:{:02}", m / 60, m % 60)
    }
}

/// A moment read from a timeline: seconds since 1970-01-01 UTC and the offset it was written
/// in (to show it as written).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moment {
    /// Seconds since the Unix epoch, UTC (fractions of a second are dropped).
    pub utc_seconds: i64,
    /// The offset the time was written in (or `--timezone`'s).
    pub offset: Offset,
}

impl Moment {
    /// RFC 3339 in UTC, seconds precision: `2026-03-14T08:05:00Z`.
    pub fn utc(self) -> String {
        civil(self.utc_seconds, Offset(0))
    }

    /// RFC 3339 in the offset it was written in: `2026-03-14T09:05:00+01:00`.
    pub fn local(self) -> String {
        civil(self.utc_seconds, self.offset)
    }
}

/// Why a time could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimeError {
    /// Not a date and time at all.
    Malformed,
    /// A date and time without an offset, and no `--timezone` to read it in.
    NoOffset,
}

/// Reads `YYYY-MM-DD[T| ]HH:MM[:SS[.fraction]]` and an offset (`Z`, `+HH:MM`, `+HHMM`,
/// `+HH`); without an offset, `default` is used, if given.
pub fn parse(text: &str, default: Option<Offset>) -> Result<Moment, TimeError> {
    let text = text.trim();
    let bytes = text.as_bytes();
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = text.get(range)?;
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse().ok())
            .flatten()
    };
    let malformed = TimeError::Malformed;
    if bytes.len() < 16 || bytes[4] != b'-' || bytes[7] != b'-' || bytes[13] != b':' {
        return Err(malformed);
    }
    if !matches!(bytes[10], b'T' | b't' | b' ') {
        return Err(malformed);
    }
    let (year, month, day) = (
        number(0..4).ok_or(TimeError::Malformed)?,
        number(5..7).ok_or(TimeError::Malformed)?,
        number(8..10).ok_or(TimeError::Malformed)?,
    );
    let (hour, minute) = (
        number(11..13).ok_or(TimeError::Malformed)?,
        number(14..16).ok_or(TimeError::Malformed)?,
    );
    let mut rest = &text[16..];
    let mut second = 0;
    if let Some(after) = rest.strip_prefix(':') {
        second = after
            .get(..2)
            .filter(|s| s.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|s| s.parse().ok())
            .ok_or(TimeError::Malformed)?;
        rest = &after[2..];
        if let Some(fraction) = rest.strip_prefix(['.', ',']) {
            let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return Err(TimeError::Malformed);
            }
            rest = &fraction[digits..];
        }
    }
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => return Err(malformed),
    };
    if !(1..=days_in_month).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return Err(malformed);
    }
    let offset = match rest {
        "" => default.ok_or(TimeError::NoOffset)?,
        "Z" | "z" => Offset(0),
        _ => parse_offset(rest).ok_or(TimeError::Malformed)?,
    };
    let local = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
    Ok(Moment {
        utc_seconds: local - i64::from(offset.0) * 60,
        offset,
    })
}

/// `+HH:MM`, `+HHMM` or `+HH` (and `-`), at most 23:59.
fn parse_offset(text: &str) -> Option<Offset> {
    let (sign, digits) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    let digits: String = match digits.len() {
        5 if digits.as_bytes()[2] == b':' => digits.replacen(':', "", 1),
        4 | 2 => digits.to_string(),
        _ => return None,
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hours: i32 = digits[..2].parse().ok()?;
    let minutes: i32 = digits
        .get(2..)
        .filter(|m| !m.is_empty())
        .map_or(Some(0), |m| m.parse().ok())?;
    (hours <= 23 && minutes <= 59).then_some(Offset(sign * (hours * 60 + minutes)))
}

/// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (Howard Hinnant's
/// `days_from_civil`, <https://howardhinnant.github.io/date_algorithms.html>).
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count from 1970-01-01 (Hinnant's `civil_from_days`).
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// RFC 3339 of `utc_seconds` shown in `offset`.
fn civil(utc_seconds: i64, offset: Offset) -> String {
    let local = utc_seconds + i64::from(offset.0) * 60;
    let (year, month, day) = civil_from_days(local.div_euclid(86_400));
    let second = local.rem_euclid(86_400);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}{}",
        second / 3600,
        second % 3600 / 60,
        second % 60,
        offset.show()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_and_utc_name_the_same_moment() {
        let a = parse("2026-03-14T09:05:00+01:00", None).unwrap();
        let b = parse("2026-03-14T08:05:00Z", None).unwrap();
        assert_eq!(a.utc_seconds, b.utc_seconds);
        assert_eq!(a.utc(), "2026-03-14T08:05:00Z");
        assert_eq!(a.local(), "2026-03-14T09:05:00+01:00");
        // 2026-03-14 is day 20526 since the epoch (date -d 2026-03-14 +%s / 86400).
        assert_eq!(b.utc_seconds, 20_526 * 86_400 + 8 * 3600 + 5 * 60);
        let c = parse("2026-03-14 03:35-0430", None).unwrap();
        assert_eq!(c.utc_seconds, b.utc_seconds);
        assert_eq!(parse("2026-03-14T08:05:00.250Z", None).unwrap(), b);
    }

    #[test]
    fn a_time_without_offset_needs_a_timezone() {
        assert_eq!(parse("2026-03-14T09:05:00", None), Err(TimeError::NoOffset));
        let read = parse("2026-03-14T09:05", Some(Offset(60))).unwrap();
        assert_eq!(read.utc(), "2026-03-14T08:05:00Z");
    }

    #[test]
    fn malformed_times_are_refused() {
        for bad in [
            "",
            "09:05",
            "2026-02-30T09:05Z",
            "2026-13-01T09:05Z",
            "2026-03-14T25:05Z",
            "2026-03-14T09:05+1",
            "yesterday at nine",
            "2026-03-14T09:05:00.Z",
        ] {
            assert_eq!(
                parse(bad, Some(Offset(0))),
                Err(TimeError::Malformed),
                "{bad}"
            );
        }
    }

    #[test]
    fn timezone_options_are_offsets_only() {
        assert_eq!(Offset::parse("UTC"), Ok(Offset(0)));
        assert_eq!(Offset::parse("+05:30"), Ok(Offset(330)));
        assert_eq!(Offset::parse("-08"), Ok(Offset(-480)));
        assert!(
            Offset::parse("Europe/Berlin")
                .unwrap_err()
                .contains("time-zone database")
        );
        assert_eq!(Offset(-330).show(), "-05:30");
    }
}
