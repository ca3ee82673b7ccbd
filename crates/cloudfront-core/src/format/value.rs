//! Conversion of one raw field (bytes between tabs) to a typed value.
//!
//! Hand-written parsers for the exact shapes CloudFront writes (`2019-12-04`, `21:02:31`,
//! `0.082`, `1598574722.123`, `000`): they run for every field of every line, so they avoid
//! UTF-8 checks, allocation and locale-aware parsing, and reject anything else precisely.

use std::fmt;

/// Why a field did not convert.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueError {
    Integer,
    OutOfRange,
    Decimal,
    Date,
    Time,
    Epoch,
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ValueError::Integer => "not an integer",
            ValueError::OutOfRange => "integer out of range",
            ValueError::Decimal => "not a number",
            ValueError::Date => "not a valid date (YYYY-MM-DD)",
            ValueError::Time => "not a valid time (HH:MM:SS)",
            ValueError::Epoch => "not a valid epoch timestamp (seconds[.fraction])",
        })
    }
}

/// CloudFront's NULL: a lone `-` (and an empty field, which appears with trailing tabs).
#[inline]
pub fn is_null(raw: &[u8]) -> bool {
    raw.is_empty() || raw == b"-"
}

/// A signed decimal integer within `i64` (`000` is 0).
#[inline]
pub fn parse_i64(raw: &[u8]) -> Result<i64, ValueError> {
    let (neg, digits) = match raw.first() {
        Some(b'-') => (true, &raw[1..]),
        Some(b'+') => (false, &raw[1..]),
        _ => (false, raw),
    };
    if digits.is_empty() {
        return Err(ValueError::Integer);
    }
    // Up to 18 digits cannot overflow i64: no per-digit overflow checks (the common case).
    if digits.len() <= 18 {
        let mut v: i64 = 0;
        for &b in digits {
            let d = b.wrapping_sub(b'0');
            if d > 9 {
                return Err(ValueError::Integer);
            }
            v = v * 10 + d as i64;
        }
        return Ok(if neg { -v } else { v });
    }
    let mut v: i64 = 0;
    for &b in digits {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return Err(ValueError::Integer);
        }
        v = v
            .checked_mul(10)
            .and_then(|v| if neg { v.checked_sub(d as i64) } else { v.checked_add(d as i64) })
            .ok_or(ValueError::OutOfRange)?;
    }
    Ok(v)
}

/// A signed decimal integer within `i32`.
#[inline]
pub fn parse_i32(raw: &[u8]) -> Result<i32, ValueError> {
    let v = parse_i64(raw)?;
    i32::try_from(v).map_err(|_| ValueError::OutOfRange)
}

/// Powers of ten exactly representable as f64.
const POW10: [f64; 19] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18];

/// A decimal number such as `0.082` or `12`. The common shape (at most 18 significant digits,
/// no exponent) is computed as `mantissa / 10^k`, which is correctly rounded because both
/// operands are exact; anything else falls back to the standard library's parser.
#[inline]
pub fn parse_f64(raw: &[u8]) -> Result<f64, ValueError> {
    let (neg, body) = match raw.first() {
        Some(b'-') => (true, &raw[1..]),
        _ => (false, raw),
    };
    let mut mantissa: u64 = 0;
    let mut digits = 0usize;
    let mut frac_digits = 0usize;
    let mut seen_dot = false;
    let mut simple = !body.is_empty();
    for &b in body {
        match b {
            b'0'..=b'9' => {
                mantissa = mantissa.wrapping_mul(10).wrapping_add((b - b'0') as u64);
                digits += 1;
                if seen_dot {
                    frac_digits += 1;
                }
            }
            b'.' if !seen_dot => seen_dot = true,
            _ => {
                simple = false;
                break;
            }
        }
    }
    if simple && digits > 0 && digits <= 18 {
        let v = mantissa as f64 / POW10[frac_digits];
        return Ok(if neg { -v } else { v });
    }
    std::str::from_utf8(raw).ok().and_then(|s| s.parse::<f64>().ok()).filter(|v| v.is_finite()).ok_or(ValueError::Decimal)
}

#[inline]
fn two_digits(b: &[u8]) -> Option<u32> {
    let (a, c) = (b[0].wrapping_sub(b'0'), b[1].wrapping_sub(b'0'));
    (a <= 9 && c <= 9).then_some(a as u32 * 10 + c as u32)
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// Days in `month` (1-12) of `year`.
pub fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian; Howard Hinnant's algorithm).
pub fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe as u32 * 365 + yoe as u32 / 4 - yoe as u32 / 100 + doy;
    era * 146097 + doe as i32 - 719468
}

/// `YYYY-MM-DD` to days since the epoch; rejects impossible dates such as `2026-02-30`.
#[inline]
pub fn parse_date(raw: &[u8]) -> Result<i32, ValueError> {
    if raw.len() != 10 || raw[4] != b'-' || raw[7] != b'-' {
        return Err(ValueError::Date);
    }
    let year = two_digits(&raw[0..2]).zip(two_digits(&raw[2..4])).map(|(h, l)| (h * 100 + l) as i32).ok_or(ValueError::Date)?;
    let month = two_digits(&raw[5..7]).ok_or(ValueError::Date)?;
    let day = two_digits(&raw[8..10]).ok_or(ValueError::Date)?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return Err(ValueError::Date);
    }
    Ok(days_from_civil(year, month, day))
}

/// `HH:MM:SS` to microseconds since midnight.
#[inline]
pub fn parse_time(raw: &[u8]) -> Result<i64, ValueError> {
    if raw.len() != 8 || raw[2] != b':' || raw[5] != b':' {
        return Err(ValueError::Time);
    }
    let h = two_digits(&raw[0..2]).ok_or(ValueError::Time)?;
    let m = two_digits(&raw[3..5]).ok_or(ValueError::Time)?;
    let s = two_digits(&raw[6..8]).ok_or(ValueError::Time)?;
    if h > 23 || m > 59 || s > 59 {
        return Err(ValueError::Time);
    }
    Ok(((h * 3600 + m * 60 + s) as i64) * 1_000_000)
}

/// Microseconds in a day.
pub const MICROS_PER_DAY: i64 = 86_400 * 1_000_000;

/// Real-time logs' `timestamp`: epoch seconds with up to microsecond fraction
/// (`1598574722.123`) to microseconds since the epoch. Exact (no floating point).
#[inline]
pub fn parse_epoch_seconds(raw: &[u8]) -> Result<i64, ValueError> {
    let (int_part, frac) = match memchr::memchr(b'.', raw) {
        Some(dot) => (&raw[..dot], &raw[dot + 1..]),
        None => (raw, &raw[raw.len()..]),
    };
    if int_part.is_empty() || int_part.len() > 12 || frac.len() > 6 || int_part[0] == b'-' {
        return Err(ValueError::Epoch);
    }
    let secs = parse_i64(int_part).map_err(|_| ValueError::Epoch)?;
    let mut micros: i64 = 0;
    for i in 0..6 {
        let d = match frac.get(i) {
            Some(b) if b.is_ascii_digit() => (b - b'0') as i64,
            Some(_) => return Err(ValueError::Epoch),
            None => 0,
        };
        micros = micros * 10 + d;
    }
    Ok(secs * 1_000_000 + micros)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers() {
        assert_eq!(parse_i64(b"000"), Ok(0)); // sc-status when the viewer hung up
        assert_eq!(parse_i64(b"2390282"), Ok(2_390_282));
        assert_eq!(parse_i64(b"-5"), Ok(-5));
        assert_eq!(parse_i64(b"9223372036854775807"), Ok(i64::MAX));
        assert_eq!(parse_i64(b"-9223372036854775808"), Ok(i64::MIN));
        assert_eq!(parse_i64(b"9223372036854775808"), Err(ValueError::OutOfRange));
        assert_eq!(parse_i64(b"999999999999999999"), Ok(999_999_999_999_999_999)); // 18 digits
        assert_eq!(parse_i64(b"-999999999999999999"), Ok(-999_999_999_999_999_999));
        assert_eq!(parse_i64(b"12345678901234567x"), Err(ValueError::Integer));
        assert_eq!(parse_i64(b"18446744073709551616"), Err(ValueError::OutOfRange)); // 2^64
        assert_eq!(parse_i64(b"12a"), Err(ValueError::Integer));
        assert_eq!(parse_i64(b""), Err(ValueError::Integer));
        assert_eq!(parse_i64(b"-"), Err(ValueError::Integer));
        assert_eq!(parse_i32(b"2147483648"), Err(ValueError::OutOfRange));
        assert_eq!(parse_i32(b"443"), Ok(443));
    }

    #[test]
    fn decimals() {
        assert_eq!(parse_f64(b"0.082"), Ok(0.082));
        assert_eq!(parse_f64(b"0.001"), Ok(0.001));
        assert_eq!(parse_f64(b"12"), Ok(12.0));
        assert_eq!(parse_f64(b"1e3"), Ok(1000.0));
        assert_eq!(parse_f64(b"-0.5"), Ok(-0.5));
        assert!(parse_f64(b"abc").is_err());
        assert!(parse_f64(b"").is_err());
        assert!(parse_f64(b"1.2.3").is_err());
        assert!(parse_f64(b"inf").is_err());
        // Agrees with the correctly rounded standard parser on many generated values.
        for i in 0..200_000u64 {
            let s = format!("{}.{:03}", i / 1000, i % 1000);
            assert_eq!(parse_f64(s.as_bytes()), Ok(s.parse::<f64>().unwrap()), "{s}");
        }
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date(b"1970-01-01"), Ok(0));
        assert_eq!(parse_date(b"1970-01-02"), Ok(1));
        // 2019-12-04: 49 years of 365 days plus 12 leap days (1972..2016) = 17897 days to
        // 2019-01-01, plus 337 days (Jan..Nov: 31+28+31+30+31+30+31+31+30+31+30) + 3.
        assert_eq!(parse_date(b"2019-12-04"), Ok(17897 + 334 + 3));
        assert_eq!(parse_date(b"2024-02-29"), Ok(days_from_civil(2024, 2, 29)));
        assert_eq!(parse_date(b"2026-02-29"), Err(ValueError::Date));
        assert_eq!(parse_date(b"2026-02-30"), Err(ValueError::Date));
        assert_eq!(parse_date(b"2026-13-01"), Err(ValueError::Date));
        assert_eq!(parse_date(b"2026-00-10"), Err(ValueError::Date));
        assert_eq!(parse_date(b"2026-1-01"), Err(ValueError::Date));
        assert_eq!(parse_date(b"20x6-01-01"), Err(ValueError::Date));
    }

    #[test]
    fn times() {
        assert_eq!(parse_time(b"00:00:00"), Ok(0));
        assert_eq!(parse_time(b"21:02:31"), Ok((21 * 3600 + 2 * 60 + 31) * 1_000_000));
        assert_eq!(parse_time(b"23:59:59"), Ok(86_399 * 1_000_000));
        assert_eq!(parse_time(b"24:00:00"), Err(ValueError::Time));
        assert_eq!(parse_time(b"12:60:00"), Err(ValueError::Time));
        assert_eq!(parse_time(b"12:00"), Err(ValueError::Time));
    }

    #[test]
    fn epochs() {
        assert_eq!(parse_epoch_seconds(b"1598574722.123"), Ok(1_598_574_722_123_000));
        assert_eq!(parse_epoch_seconds(b"1598574722"), Ok(1_598_574_722_000_000));
        assert_eq!(parse_epoch_seconds(b"0.5"), Ok(500_000));
        assert!(parse_epoch_seconds(b"1598574722.1234567").is_err());
        assert!(parse_epoch_seconds(b"abc").is_err());
        assert!(parse_epoch_seconds(b"-1.0").is_err());
    }
}
