//! CloudFront's transport encoding: `%XX` escapes (user agents were encoded twice until about
//! the end of 2019, `%2520`), and valid UTF-8 for every text value handed to DuckDB.
//!
//! `+` is not a space here: CloudFront escapes bytes, it does not form-encode.

#[inline]
fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// The byte written by the two hex digits after an escape introducer at `s[at]` (`%` or the
/// `x` of `\x`), if both are present and valid.
#[inline]
pub fn hex_pair(s: &[u8], at: usize) -> Option<u8> {
    let hi = hex(*s.get(at + 1)?)?;
    let lo = hex(*s.get(at + 2)?)?;
    Some((hi << 4) | lo)
}

/// Whether `s` contains at least one well-formed `%XX` escape.
#[inline]
pub fn has_percent_escape(s: &[u8]) -> bool {
    memchr::memchr_iter(b'%', s).any(|p| hex_pair(s, p).is_some())
}

/// One level of `%XX` decoding (hex digits in either case) of `s` into `out` (cleared first).
/// Malformed escapes (`%zz`, a trailing `%2`, a lone `%`) are copied unchanged. Returns whether
/// any escape was decoded.
pub fn percent_decode_into(s: &[u8], out: &mut Vec<u8>) -> bool {
    out.clear();
    out.reserve(s.len());
    let mut changed = false;
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'%', &s[i..]) {
        let p = i + off;
        out.extend_from_slice(&s[i..p]);
        match hex_pair(s, p) {
            Some(byte) => {
                out.push(byte);
                changed = true;
                i = p + 3;
            }
            None => {
                out.push(b'%');
                i = p + 1;
            }
        }
    }
    out.extend_from_slice(&s[i..]);
    changed
}

/// Decodes, in place, every escape that starts with `introducer` and that `decode` accepts:
/// `decode(buf, at)` returns the byte and the escape's length. Other bytes are kept. The result
/// is never longer than the input; returns whether anything was decoded.
pub fn decode_escapes_in_place(buf: &mut Vec<u8>, introducer: u8, decode: impl Fn(&[u8], usize) -> Option<(u8, usize)>) -> bool {
    let Some(first) = memchr::memchr(introducer, buf) else {
        return false;
    };
    let len = buf.len();
    let (mut r, mut w) = (first, first);
    let mut changed = false;
    while r < len {
        let b = buf[r];
        if b == introducer {
            if let Some((byte, width)) = decode(buf, r) {
                buf[w] = byte;
                w += 1;
                r += width;
                changed = true;
                continue;
            }
        }
        buf[w] = b;
        w += 1;
        r += 1;
    }
    buf.truncate(w);
    changed
}

/// One level of `%XX` decoding in place (the result is never longer than the input). Returns
/// whether anything was decoded.
pub fn percent_decode_in_place(buf: &mut Vec<u8>) -> bool {
    decode_escapes_in_place(buf, b'%', |s, at| hex_pair(s, at).map(|b| (b, 3)))
}

/// Decodes up to `max_levels` levels of `%XX` escapes of `s` into `out` (cleared first),
/// stopping as soon as a level changes nothing: `%2520` -> `%20` -> ` ` with two levels.
/// `max_levels` = 0 copies `s`. The first level reads `s` directly, later ones work in place, so
/// nothing is allocated once `out` has the capacity.
pub fn url_decode_levels(s: &[u8], max_levels: u32, out: &mut Vec<u8>) {
    if max_levels == 0 {
        out.clear();
        out.extend_from_slice(s);
        return;
    }
    if !percent_decode_into(s, out) {
        return;
    }
    for _ in 1..max_levels {
        if !percent_decode_in_place(out) {
            break;
        }
    }
}

/// Appends `bytes` to `out` as valid UTF-8, replacing each invalid sequence with U+FFFD.
pub fn push_lossy_utf8(bytes: &[u8], out: &mut Vec<u8>) {
    for chunk in bytes.utf8_chunks() {
        out.extend_from_slice(chunk.valid().as_bytes());
        if !chunk.invalid().is_empty() {
            out.extend_from_slice("\u{FFFD}".as_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(s: &str, levels: u32) -> Vec<u8> {
        let mut out = vec![];
        url_decode_levels(s.as_bytes(), levels, &mut out);
        out
    }

    #[test]
    fn single_and_double_encoded_user_agents() {
        assert_eq!(decode("Mozilla/5.0%20(Windows%20NT%2010.0)", 2), b"Mozilla/5.0 (Windows NT 10.0)");
        assert_eq!(decode("Mozilla/5.0%2520(Windows%2520NT%252010.0)", 2), b"Mozilla/5.0 (Windows NT 10.0)");
        // One level leaves the second encoding in place.
        assert_eq!(decode("a%2520b", 1), b"a%20b");
        // Three encodings need three levels; two leave one.
        assert_eq!(decode("a%252520b", 2), b"a%20b");
    }

    #[test]
    fn zero_levels_copies() {
        assert_eq!(decode("a%2520b", 0), b"a%2520b");
    }

    #[test]
    fn malformed_escapes_are_kept() {
        assert_eq!(decode("100%", 2), b"100%");
        assert_eq!(decode("%zz%2", 2), b"%zz%2");
        assert_eq!(decode("a+b", 2), b"a+b");
        assert_eq!(decode("", 2), b"");
        assert_eq!(decode("%41%62", 2), b"Ab");
    }

    #[test]
    fn lossy_utf8_replaces_invalid_bytes() {
        let bytes = decode("caf%C3%A9%FF", 2);
        assert_eq!(bytes, b"caf\xC3\xA9\xFF");
        let mut out = vec![];
        push_lossy_utf8(&bytes, &mut out);
        assert_eq!(String::from_utf8(out).unwrap(), "café\u{FFFD}");
    }

    #[test]
    fn detects_escapes() {
        assert!(has_percent_escape(b"a%2Fb"));
        assert!(!has_percent_escape(b"100%"));
        assert!(!has_percent_escape(b"%g0"));
    }
}
