//! Where reports land: `reports/<scenario>-<YYYY-MM-DD>.<ext>`, with `-2`, `-3`, ... added
//! rather than replacing a report that is already there.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Today's date (UTC) as `YYYY-MM-DD`.
pub fn today() -> String {
    date_of(SystemTime::now())
}

/// The UTC date of a moment as `YYYY-MM-DD`: the date part of its RFC 3339 form, so the
/// calendar arithmetic is humantime's (the journal's timestamps use it too).
pub fn date_of(moment: SystemTime) -> String {
    let stamp = humantime::format_rfc3339_seconds(moment).to_string();
    stamp[..10].to_string()
}

/// A path in `dir` for a new report of `scenario` that no file has yet.
pub fn free_report_path(dir: &Path, scenario: &str, extension: &str) -> PathBuf {
    let stem = format!("{scenario}-{}", today());
    let mut candidate = dir.join(format!("{stem}.{extension}"));
    let mut n = 2;
    while candidate.exists() {
        candidate = dir.join(format!("{stem}-{n}.{extension}"));
        n += 1;
    }
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_right() {
        use std::time::{Duration, UNIX_EPOCH};
        let day = |days: u64| date_of(UNIX_EPOCH + Duration::from_secs(days * 86_400 + 3_600));
        assert_eq!(day(0), "1970-01-01");
        assert_eq!(day(20_780), "2026-11-23");
        assert_eq!(day(11_016), "2000-02-29");
    }

    #[test]
    fn an_existing_report_gets_a_sibling_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let first = free_report_path(dir.path(), "drill", "md");
        std::fs::write(&first, "keep").unwrap();
        let second = free_report_path(dir.path(), "drill", "md");
        assert_ne!(first, second);
        assert!(second.to_string_lossy().ends_with("-2.md"));
    }
}
