//! Time windows over CloudFront log files (`since` / `until`): which files can hold requests
//! of the window, decided from their names alone, so that the others are never opened.
//!
//! What a name says, and how far it is trusted:
//! - **The file name's hour** (`<distribution ID>.YYYY-MM-DD-HH.<unique ID>.gz`, the legacy
//!   name, which v2 deliveries to S3 keep): AWS documents that delayed entries are written to
//!   the file *of the period in which the requests occurred*, not of delivery (Standard logging
//!   reference, "Timing of log file delivery"). So the file holds requests of `[HH:00, HH+1:00)`
//!   UTC and is opened only when that hour overlaps the window.
//! - **Partitions in the path** (v2 delivery: `{yyyy}/{MM}/{dd}/{HH}` or, Hive-compatible,
//!   `year=/month=/day=/hour=`; a day or a month when the hour is not in the path): AWS does not
//!   say whether these are the requests' time or the delivery time, and delivery may lag by up
//!   to 24 hours. So the period is widened by `DELIVERY_ALLOWANCE` before its start: a file is
//!   skipped only when neither reading is possible. Used only when the file name has no hour.
//! - **Nothing** (no hour anywhere, e.g. a renamed file): the file is read and its rows filtered.
//!
//! Rows are filtered on the fused `timestamp` (`Window::contains`) in every opened file, so the
//! result is the same as a `WHERE timestamp >= since AND timestamp < until` over all files.

use super::value::{days_from_civil, days_in_month, MICROS_PER_DAY};

pub const MICROS_PER_HOUR: i64 = 3_600_000_000;

/// How much earlier than a path partition's period a file may hold requests when the partition
/// is the delivery time: CloudFront delays some entries by up to 24 hours (Standard logging
/// reference, "Timing of log file delivery").
pub const DELIVERY_ALLOWANCE: i64 = 24 * MICROS_PER_HOUR;

/// `[since, until)` in microseconds since the Unix epoch (UTC); either bound may be absent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Window {
    pub since: Option<i64>,
    pub until: Option<i64>,
}

impl Window {
    /// A window, refusing an empty or inverted one (`since >= until`), which is almost always a
    /// mistake (swapped bounds) rather than a wish for no rows.
    pub fn new(since: Option<i64>, until: Option<i64>) -> Result<Window, String> {
        if let (Some(s), Some(u)) = (since, until) {
            if s >= u {
                return Err(format!("since ({}) must be earlier than until ({})", format_micros(s), format_micros(u)));
            }
        }
        Ok(Window { since, until })
    }

    /// Whether no bound was given (every file is read, every row kept).
    pub fn is_unbounded(&self) -> bool {
        self.since.is_none() && self.until.is_none()
    }

    /// Whether a request at `ts` is in the window (since inclusive, until exclusive).
    #[inline]
    pub fn contains(&self, ts: i64) -> bool {
        self.since.is_none_or(|s| ts >= s) && self.until.is_none_or(|u| ts < u)
    }

    /// Whether `[start, end)` and the window share an instant.
    pub fn overlaps(&self, start: i64, end: i64) -> bool {
        self.since.is_none_or(|s| end > s) && self.until.is_none_or(|u| start < u)
    }
}

/// Where a file's period was read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeriodSource {
    /// The hour in a legacy-style file name: the requests' own hour.
    FileName,
    /// Partition folders in the path: the requests' or the delivery's period (not documented).
    Path,
}

impl PeriodSource {
    pub fn as_str(self) -> &'static str {
        match self {
            PeriodSource::FileName => "file name",
            PeriodSource::Path => "path partition",
        }
    }
}

/// The period a file's name or path states: `[start, end)` in microseconds, UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    pub start: i64,
    pub end: i64,
    pub source: PeriodSource,
}

impl Period {
    /// The instants whose requests the file can hold (the path's period widened for delivery).
    pub fn may_hold(&self) -> (i64, i64) {
        match self.source {
            PeriodSource::FileName => (self.start, self.end),
            PeriodSource::Path => (self.start - DELIVERY_ALLOWANCE, self.end),
        }
    }
}

/// What to do with one file for a window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub selected: bool,
    pub period: Option<Period>,
    /// Why, in a sentence for the listing.
    pub reason: String,
}

/// Decides whether the file at `path` (local or URL) can hold requests of `window`.
pub fn decide(path: &str, window: &Window) -> Decision {
    let period = period_of(path);
    if window.is_unbounded() {
        return Decision { selected: true, period, reason: "no since/until given: every file is read".into() };
    }
    let Some(p) = period else {
        return Decision { selected: true, period, reason: "no hour in the file name or path: read, rows filtered to the window".into() };
    };
    let (from, to) = p.may_hold();
    let stated = match p.source {
        PeriodSource::FileName => format!("the file name's hour {}", format_period(p.start, p.end)),
        PeriodSource::Path => {
            format!("the path's partition {} (or up to 24 h earlier, for delayed delivery)", format_period(p.start, p.end))
        }
    };
    if window.overlaps(from, to) {
        return Decision { selected: true, period, reason: format!("{stated} overlaps the window") };
    }
    let side = if window.since.is_some_and(|s| to <= s) { "ends at or before since" } else { "starts at or after until" };
    Decision { selected: false, period, reason: format!("skipped: {stated} {side}") }
}

/// The period a file's name states (the hour in a legacy-style name), else the one its
/// partition folders state, else None.
pub fn period_of(path: &str) -> Option<Period> {
    let (dirs, name) = match path.rfind('/') {
        Some(i) => (&path[..i], &path[i + 1..]),
        None => ("", path),
    };
    if let Some(start) = name_hour(name) {
        return Some(Period { start, end: start + MICROS_PER_HOUR, source: PeriodSource::FileName });
    }
    let segments: Vec<&str> = dirs.split('/').filter(|s| !s.is_empty()).collect();
    let hive = hive_period(&segments);
    let plain = plain_period(&segments);
    let (start, end) = match (hive, plain) {
        (Some(h), Some(p)) if h != p => return None, // two layouts that disagree: trust neither
        (Some(h), _) => h,
        (None, Some(p)) => p,
        (None, None) => return None,
    };
    Some(Period { start, end, source: PeriodSource::Path })
}

/// The hour of a legacy-style name: the first dot-separated part that is `YYYY-MM-DD-HH`.
fn name_hour(name: &str) -> Option<i64> {
    name.split('.').find_map(|part| {
        let b = part.as_bytes();
        if b.len() != 13 || b[4] != b'-' || b[7] != b'-' || b[10] != b'-' {
            return None;
        }
        let y = number(&part[0..4])?;
        let m = number(&part[5..7])?;
        let d = number(&part[8..10])?;
        let h = number(&part[11..13])?;
        Some(civil(y, m, Some(d), Some(h))?.0)
    })
}

/// A run of digits as a number (None for anything else, signs included).
fn number(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `[start, end)` of a month, day or hour, checked (None for an impossible date).
fn civil(y: u32, m: u32, d: Option<u32>, h: Option<u32>) -> Option<(i64, i64)> {
    if !(1970..=9999).contains(&y) || !(1..=12).contains(&m) {
        return None;
    }
    let y = y as i32;
    let month_start = days_from_civil(y, m, 1) as i64 * MICROS_PER_DAY;
    let Some(d) = d else {
        return Some((month_start, month_start + days_in_month(y, m) as i64 * MICROS_PER_DAY));
    };
    if d < 1 || d > days_in_month(y, m) {
        return None;
    }
    let day_start = days_from_civil(y, m, d) as i64 * MICROS_PER_DAY;
    let Some(h) = h else {
        return Some((day_start, day_start + MICROS_PER_DAY));
    };
    if h > 23 {
        return None;
    }
    let start = day_start + h as i64 * MICROS_PER_HOUR;
    Some((start, start + MICROS_PER_HOUR))
}

/// Hive-compatible folders `year=YYYY/month=MM/day=DD/hour=HH` (keys in any case and order,
/// other folders between them allowed): a year's month at least, down to the finest level
/// present without a gap. None when a key repeats with another value or a value is not a number.
fn hive_period(segments: &[&str]) -> Option<(i64, i64)> {
    let mut parts: [Option<u32>; 4] = [None; 4];
    for seg in segments {
        let Some((key, value)) = seg.split_once('=') else { continue };
        let slot = match key.to_ascii_lowercase().as_str() {
            "year" => 0,
            "month" => 1,
            "day" => 2,
            "hour" => 3,
            _ => continue,
        };
        let v = number(value)?;
        if parts[slot].is_some_and(|old| old != v) {
            return None;
        }
        parts[slot] = Some(v);
    }
    let (y, m) = (parts[0]?, parts[1]?);
    let d = parts[2];
    let h = if d.is_some() { parts[3] } else { None };
    civil(y, m, d, h)
}

/// Plain folders `YYYY/MM/DD[/HH]` (CloudFront's `{yyyy}/{MM}/{dd}/{HH}` partition variables):
/// the last run of a 4-digit year, 2-digit month and 2-digit day (a valid date), with the hour
/// when the next folder is a 2-digit hour. A year and month alone are not taken: too easily
/// some other numbering.
fn plain_period(segments: &[&str]) -> Option<(i64, i64)> {
    let two = |s: &str| if s.len() == 2 { number(s) } else { None };
    let mut found = None;
    for i in 0..segments.len().saturating_sub(2) {
        if segments[i].len() != 4 {
            continue;
        }
        let (Some(y), Some(m), Some(d)) = (number(segments[i]), two(segments[i + 1]), two(segments[i + 2])) else {
            continue;
        };
        let h = segments.get(i + 3).and_then(|s| two(s)).filter(|h| *h <= 23);
        if let Some(p) = civil(y, m, Some(d), h) {
            found = Some(p);
        }
    }
    found
}

/// `YYYY-MM-DD HH:MM:SS[.ffffff] UTC`, for messages.
pub fn format_micros(ts: i64) -> String {
    let days = ts.div_euclid(MICROS_PER_DAY);
    let secs = ts.rem_euclid(MICROS_PER_DAY) / 1_000_000;
    let (y, m, d) = civil_from_days(days);
    let frac = ts.rem_euclid(1_000_000);
    let base = format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60);
    if frac == 0 {
        format!("{base} UTC")
    } else {
        format!("{base}.{frac:06} UTC")
    }
}

/// A period for messages: an hour as `2019-11-14 20:00-21:00 UTC`, else its two ends.
fn format_period(start: i64, end: i64) -> String {
    let s = format_micros(start);
    if end - start == MICROS_PER_HOUR {
        let e = format_micros(end);
        return format!("{}-{} UTC", &s[..16], &e[11..16]);
    }
    format!("[{s}, {})", format_micros(end))
}

/// (year, month, day) of a day number since 1970-01-01 (proleptic Gregorian).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Microseconds of a UTC instant, worked out by hand from the day count: 2019-11-14 is day
    /// 18214 since 1970-01-01 (49 years with 12 leap days = 17897, plus 304 days to Nov 1 in a
    /// common year, plus 13), so 20:00 is 18214 * 86400 + 72000 seconds.
    const NOV14_2019_20H: i64 = (18214 * 86_400 + 72_000) * 1_000_000;

    fn at(y: i32, m: u32, d: u32, h: i64) -> i64 {
        days_from_civil(y, m, d) as i64 * MICROS_PER_DAY + h * MICROS_PER_HOUR
    }

    #[test]
    fn legacy_name_from_the_documentation() {
        // The example name of "Configure standard logging (legacy)".
        let p = period_of("example-prefix/EMLARXS9EXAMPLE.2019-11-14-20.RT4KCN4SGK9.gz").unwrap();
        assert_eq!(p, Period { start: NOV14_2019_20H, end: NOV14_2019_20H + MICROS_PER_HOUR, source: PeriodSource::FileName });
        assert_eq!(at(2019, 11, 14, 20), NOV14_2019_20H);
        // Without a prefix, uncompressed, remote.
        assert_eq!(period_of("EMLARXS9EXAMPLE.2019-11-14-20.RT4KCN4SGK9").unwrap().start, NOV14_2019_20H);
        assert_eq!(period_of("s3://bucket/AWSLogs/E2/EMLARXS9EXAMPLE.2019-11-14-20.RT4KCN4SGK9.gz").unwrap().start, NOV14_2019_20H);
    }

    #[test]
    fn names_that_carry_no_hour() {
        for p in [
            "logs/access.log.gz",
            "EMLARXS9EXAMPLE.2019-11-14.RT4KCN4SGK9.gz",    // a day, not an hour
            "EMLARXS9EXAMPLE.2019-11-14-24.RT4KCN4SGK9.gz", // hour 24
            "EMLARXS9EXAMPLE.2019-02-29-10.RT4KCN4SGK9.gz", // 2019 is not a leap year
            "EMLARXS9EXAMPLE.2019-13-01-10.RT4KCN4SGK9.gz",
            "EMLARXS9EXAMPLE.2019-1a-01-10.RT4KCN4SGK9.gz",
            // A Firehose object name: a delivery time with dashes, not the requests' hour.
            "stream-1-2024-11-14-22-30-25-0123abcd-4567.gz",
            "2019-11-14-20.log/../x.gz",
        ] {
            assert_eq!(period_of(p), None, "{p}");
        }
        // A leap day is an hour like any other.
        assert_eq!(period_of("E.2024-02-29-23.X.gz").unwrap().start, at(2024, 2, 29, 23));
    }

    #[test]
    fn v2_partitions_from_the_documentation() {
        // The partition example of "Configure standard logging (v2)":
        // /cloudfront/{DistributionId}/my_distribution_log_data/{yyyy}/{MM}/{dd}/{HH}/logs
        let p = period_of("s3://b/cloudfront/EDFDVBD6EXAMPLE/my_distribution_log_data/2024/11/14/22/logs.gz").unwrap();
        assert_eq!((p.start, p.end, p.source), (at(2024, 11, 14, 22), at(2024, 11, 14, 23), PeriodSource::Path));
        // Hive-compatible folders, keys as CloudFront writes them.
        let p = period_of("s3://b/DistributionId=EDFDVBD6EXAMPLE/year=2024/month=11/day=14/hour=22/x.gz").unwrap();
        assert_eq!((p.start, p.end, p.source), (at(2024, 11, 14, 22), at(2024, 11, 14, 23), PeriodSource::Path));
        // Coarser partitions give a day or a month.
        let day = period_of("logs/2024/11/14/x.gz").unwrap();
        assert_eq!((day.start, day.end), (at(2024, 11, 14, 0), at(2024, 11, 15, 0)));
        let month = period_of("year=2024/month=2/x.gz").unwrap();
        assert_eq!((month.start, month.end), (at(2024, 2, 1, 0), at(2024, 3, 1, 0)));
        // A file name's hour wins over its folders (the documented meaning of the name).
        let both = period_of("2024/11/14/22/E.2024-11-14-21.X.gz").unwrap();
        assert_eq!((both.start, both.source), (at(2024, 11, 14, 21), PeriodSource::FileName));
    }

    #[test]
    fn paths_that_carry_no_period() {
        for p in [
            "logs/2024/11/x.gz",     // year and month only: too easily another numbering
            "logs/2024/11/31/x.gz",  // no such day
            "year=2024/day=14/x.gz", // a day without its month
            "year=2024/month=xx/x.gz",
            "year=2024/month=11/year=2025/x.gz",  // contradicting keys
            "year=2024/month=11/2024/12/01/x.gz", // two layouts that disagree
            "2024/11/14",                         // the last segment is the file, not a folder
        ] {
            assert_eq!(period_of(p), None, "{p}");
        }
        // An hour folder that is not an hour is ignored, leaving the day.
        let p = period_of("2024/11/14/99/x.gz").unwrap();
        assert_eq!((p.start, p.end), (at(2024, 11, 14, 0), at(2024, 11, 15, 0)));
    }

    #[test]
    fn window_bounds() {
        let w = Window::new(Some(at(2024, 11, 14, 10)), Some(at(2024, 11, 14, 12))).unwrap();
        assert!(w.contains(at(2024, 11, 14, 10)), "since is inclusive");
        assert!(!w.contains(at(2024, 11, 14, 12)), "until is exclusive");
        assert!(w.contains(at(2024, 11, 14, 12) - 1) && !w.contains(at(2024, 11, 14, 10) - 1));
        assert!(Window::new(Some(5), Some(5)).unwrap_err().contains("earlier than until"));
        assert!(Window::new(Some(6), Some(5)).is_err());
        let open = Window::new(None, Some(at(2024, 1, 1, 0))).unwrap();
        assert!(open.contains(i64::MIN) && !open.contains(at(2024, 1, 1, 0)));
        assert!(Window::default().is_unbounded() && Window::default().contains(0));
    }

    #[test]
    fn decisions_by_the_hour() {
        let name = |h: u32| format!("s3://b/E2EXAMPLE.2024-11-14-{h:02}.abcd.gz");
        // since 10:30, until 12:00: hours 10 and 11 can hold requests; 9 and 12 cannot.
        let w = Window::new(Some(at(2024, 11, 14, 10) + 30 * 60 * 1_000_000), Some(at(2024, 11, 14, 12))).unwrap();
        let picked: Vec<u32> = (0..24).filter(|h| decide(&name(*h), &w).selected).collect();
        assert_eq!(picked, [10, 11]);
        let d = decide(&name(9), &w);
        assert_eq!(d.reason, "skipped: the file name's hour 2024-11-14 09:00-10:00 UTC ends at or before since");
        let d = decide(&name(12), &w);
        assert!(d.reason.ends_with("starts at or after until"), "{}", d.reason);
        // Only since: every later hour; only until: every earlier one.
        let since = Window::new(Some(at(2024, 11, 14, 22)), None).unwrap();
        assert_eq!((0..24).filter(|h| decide(&name(*h), &since).selected).count(), 2);
        let until = Window::new(None, Some(at(2024, 11, 14, 1))).unwrap();
        assert_eq!((0..24).filter(|h| decide(&name(*h), &until).selected).count(), 1);
        // A name without an hour is always read.
        let d = decide("s3://b/renamed.gz", &w);
        assert!(d.selected && d.period.is_none());
        // No window: everything is read, the period still reported.
        let d = decide(&name(3), &Window::default());
        assert!(d.selected && d.period.is_some());
    }

    #[test]
    fn path_partitions_allow_for_delayed_delivery() {
        // A file under hour 13 of Nov 15 may hold requests from 13:00 on Nov 14 (24 h earlier).
        let path = "s3://b/year=2024/month=11/day=15/hour=13/part.gz";
        let w = |h_from: i64, h_to: i64| {
            Window::new(Some(at(2024, 11, 14, 0) + h_from * MICROS_PER_HOUR), Some(at(2024, 11, 14, 0) + h_to * MICROS_PER_HOUR)).unwrap()
        };
        assert!(decide(path, &w(13, 14)).selected, "the earliest hour it may hold");
        assert!(!decide(path, &w(12, 13)).selected, "an hour before that");
        assert!(decide(path, &w(37, 38)).selected, "its own hour");
        assert!(!decide(path, &w(38, 39)).selected, "the hour after");
    }

    #[test]
    fn formatting() {
        assert_eq!(format_micros(NOV14_2019_20H), "2019-11-14 20:00:00 UTC");
        assert_eq!(format_micros(NOV14_2019_20H + 1_500_000), "2019-11-14 20:00:01.500000 UTC");
        assert_eq!(format_micros(-1_000_000), "1969-12-31 23:59:59 UTC");
        for days in [-800_000, -1, 0, 59, 11_016, 18_214, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y as i32, m, d) as i64, days);
        }
    }
}
