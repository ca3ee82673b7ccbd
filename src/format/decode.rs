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

/// Appends `s` with one level of `%XX` escapes decoded to `out`; a malformed `%` is copied as
/// is. Returns whether any escape was decoded.
pub fn percent_decode_into(s: &[u8], out: &mut Vec<u8>) -> bool {
    let mut changed = false;
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'%', &s[i..]) {
        let p = i + off;
        out.extend_from_slice(&s[i..p]);
        match (s.get(p + 1).copied().and_then(hex), s.get(p + 2).copied().and_then(hex)) {
            (Some(h), Some(l)) => {
                out.push(h << 4 | l);
                changed = true;
                i = p + 3;
            }
            _ => {
                out.push(b'%');
                i = p + 1;
            }
        }
    }
    out.extend_from_slice(&s[i..]);
    changed
}

/// Whether `s` contains at least one well-formed `%XX` escape.
#[inline]
pub fn has_percent_escape(s: &[u8]) -> bool {
    memchr::memchr_iter(b'%', s).any(|p| {
        s.get(p + 1).copied().and_then(hex).is_some() && s.get(p + 2).copied().and_then(hex).is_some()
    })
}

/// Decodes up to `max_levels` levels of `%XX` escapes: the result replaces `out`'s content.
/// `tmp` is scratch space reused across calls. Stops early once a level changes nothing.
pub fn url_decode_levels(s: &[u8], max_levels: u32, out: &mut Vec<u8>, tmp: &mut Vec<u8>) {
    out.clear();
    if max_levels == 0 {
        out.extend_from_slice(s);
        return;
    }
    // The first level reads `s` directly; when it decodes nothing, `out` is `s` unchanged.
    if !percent_decode_into(s, out) {
        return;
    }
    for _ in 1..max_levels {
        if memchr::memchr(b'%', out).is_none() {
            break;
        }
        tmp.clear();
        if !percent_decode_into(out, tmp) {
            break;
        }
        std::mem::swap(out, tmp);
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
        let (mut out, mut tmp) = (vec![], vec![]);
        url_decode_levels(s.as_bytes(), levels, &mut out, &mut tmp);
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
