//! Byte-level formatting helpers: CloudFront-style percent-encoding, integer and
//! decimal formatting without `format!`, request ids, IP addresses and civil dates.

use crate::rng::Rng;

/// True for bytes CloudFront percent-encodes in `cs(User-Agent)` and similar fields:
/// bytes 0-32, 127 and above, and ``<>"#%{}|\^~[]`'``.
#[inline]
pub fn needs_escape(b: u8) -> bool {
    b <= 32 || b >= 127 || b"<>\"#%{}|\\^~[]`'".contains(&b)
}

/// Percent-encodes a header value the way CloudFront logs it (e.g. space -> `%20`).
pub fn cf_encode(s: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len() + 16);
    for &b in s.as_bytes() {
        if needs_escape(b) {
            out.push('%');
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 15) as usize] as char);
        } else {
            out.push(b as char);
        }
    }
    out
}

/// Decodes `%XX` sequences (used by tests and by the truth file for readability).
pub fn pct_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let h = (b[i + 1] as char).to_digit(16);
            let l = (b[i + 2] as char).to_digit(16);
            if let (Some(h), Some(l)) = (h, l) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Appends the decimal representation of `n`.
#[inline]
pub fn push_u64(buf: &mut Vec<u8>, mut n: u64) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf.extend_from_slice(&tmp[i..]);
}

/// Appends `n` as exactly two digits.
#[inline]
pub fn push_2(buf: &mut Vec<u8>, n: u32) {
    buf.push(b'0' + (n / 10 % 10) as u8);
    buf.push(b'0' + (n % 10) as u8);
}

/// Appends milliseconds as seconds with three decimals (`82` -> `0.082`).
#[inline]
pub fn push_secs(buf: &mut Vec<u8>, ms: u32) {
    push_u64(buf, (ms / 1000) as u64);
    buf.push(b'.');
    let f = ms % 1000;
    buf.push(b'0' + (f / 100) as u8);
    buf.push(b'0' + (f / 10 % 10) as u8);
    buf.push(b'0' + (f % 10) as u8);
}

const B64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Appends a 56-character `x-edge-request-id`: URL-safe base64 of 40 random bytes.
#[inline]
pub fn push_request_id(buf: &mut Vec<u8>, rng: &mut Rng) {
    // 52 chars carry 39 bytes (312 bits), the last byte gives 2 chars and `==`.
    let mut word = rng.next_u64();
    let mut bits = 64u32;
    for _ in 0..52 {
        if bits < 6 {
            word = rng.next_u64();
            bits = 64;
        }
        buf.push(B64URL[(word & 63) as usize]);
        word >>= 6;
        bits -= 6;
    }
    let last = (rng.next_u64() & 0xFF) as usize;
    buf.push(B64URL[last >> 2]);
    buf.push(B64URL[(last & 3) << 4]);
    buf.extend_from_slice(b"==");
}

/// Formats an IPv4 address.
pub fn ipv4(a: u8, b: u8, c: u8, d: u8) -> String {
    format!("{a}.{b}.{c}.{d}")
}

/// Formats an IPv6 address from eight groups (lower-case hex, no zero compression
/// except a trailing run of zeros written as `::`).
pub fn ipv6(g: [u16; 8]) -> String {
    let mut end = 8;
    while end > 2 && g[end - 1] == 0 {
        end -= 1;
    }
    let mut s = String::with_capacity(40);
    for (i, v) in g[..end].iter().enumerate() {
        if i > 0 {
            s.push(':');
        }
        s.push_str(&format!("{v:x}"));
    }
    if end < 8 {
        s.push_str("::");
    }
    s
}

/// Days since 1970-01-01 for a proleptic Gregorian date.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Inverse of [`days_from_civil`].
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Parses `YYYY-MM-DD` into days since the epoch.
pub fn parse_date(s: &str) -> Option<i64> {
    let mut it = s.split('-');
    let y: i64 = it.next()?.parse().ok()?;
    let m: u32 = it.next()?.parse().ok()?;
    let d: u32 = it.next()?.parse().ok()?;
    if it.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let days = days_from_civil(y, m, d);
    if civil_from_days(days) != (y, m, d) {
        return None;
    }
    Some(days)
}

/// `YYYY-MM-DD` for a day number.
pub fn date_string(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// ISO-8601 UTC timestamp (`2026-11-20T10:00:00Z`) for `ms` after midnight of `day0`.
pub fn iso(day0: i64, ms: u64) -> String {
    let secs = ms / 1000;
    let day = day0 + (secs / 86_400) as i64;
    let sod = secs % 86_400;
    format!("{}T{:02}:{:02}:{:02}Z", date_string(day), sod / 3600, sod / 60 % 60, sod % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ua_encoding_matches_cloudfront() {
        let ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
        assert_eq!(
            cf_encode(ua),
            "Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko)%20Chrome/131.0.0.0%20Safari/537.36"
        );
        assert_eq!(cf_encode("sqlmap/1.8#stable"), "sqlmap/1.8%23stable");
        assert_eq!(cf_encode("a\"b'c[d]"), "a%22b%27c%5Bd%5D");
        assert_eq!(pct_decode(&cf_encode(ua)), ua);
    }

    #[test]
    fn numbers() {
        let mut b = Vec::new();
        push_u64(&mut b, 0);
        b.push(b' ');
        push_u64(&mut b, 18_446_744_073_709_551_615);
        b.push(b' ');
        push_secs(&mut b, 82);
        b.push(b' ');
        push_secs(&mut b, 30_001);
        assert_eq!(String::from_utf8(b).unwrap(), "0 18446744073709551615 0.082 30.001");
    }

    #[test]
    fn request_id_shape() {
        let mut r = Rng::new(3);
        let mut b = Vec::new();
        push_request_id(&mut b, &mut r);
        assert_eq!(b.len(), 56);
        assert!(b.ends_with(b"=="));
        assert!(b[..54].iter().all(|c| B64URL.contains(c)));
    }

    #[test]
    fn dates() {
        let d = parse_date("2026-11-20").unwrap();
        assert_eq!(date_string(d), "2026-11-20");
        assert_eq!(date_string(d + 11), "2026-12-01");
        assert_eq!(iso(d, 13 * 3_600_000 + 5 * 60_000 + 9_000), "2026-11-20T13:05:09Z");
        assert_eq!(iso(d, 86_400_000), "2026-11-21T00:00:00Z");
        assert!(parse_date("2026-02-30").is_none());
    }
}
