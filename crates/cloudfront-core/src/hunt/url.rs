//! Percent-decoding, `\xNN` decoding, encoding depth and lossy UTF-8 repair
//! for CloudFront log fields.
//!
//! Why: CloudFront writes URL-encoded field values (spaces as `%20`, `%` as
//! `%25`, ...), and user agents logged before ~2020 were encoded twice
//! (`Mozilla/5.0%2520(Windows...`). Attackers add their own layers
//! (`%252e%252e%252f`) to slip past filters, so "how many times was this
//! encoded" is itself a hunting signal. `+` is NOT decoded as a space:
//! CloudFront logs use RFC 3986 percent-encoding, not HTML form encoding,
//! so a literal `+` in a log field is a `+`.
//!
//! All outputs go into a caller-provided `Vec<u8>` which is cleared first;
//! decoded bytes may not be valid UTF-8 (see [`to_valid_utf8_lossy_into`]).

/// Maximum depth [`encoding_depth`] reports.
pub const MAX_ENCODING_DEPTH: u32 = 8;

// The percent-decoding primitives live with the log format (the reader decodes user agents
// with them); the hunting functions use the same ones.
pub use crate::format::decode::{has_percent_escape, percent_decode_in_place, percent_decode_into, url_decode_levels};
use crate::format::decode::{hex_pair, push_lossy_utf8};

/// Decode `\xNN` escapes (hex either case) of `s` into `out` (cleared
/// first); malformed ones are copied unchanged. CloudFront writes these in
/// some fields, e.g. `x-forwarded-for` as `192.0.2.1,\x20198.51.100.7`.
/// Percent-escapes are left alone: use [`percent_decode_into`] for those.
/// Returns whether anything was decoded.
pub fn decode_backslash_x_into(s: &[u8], out: &mut Vec<u8>) -> bool {
    out.clear();
    out.reserve(s.len());
    let mut changed = false;
    let mut rest = s;
    while let Some(p) = memchr::memchr(b'\\', rest) {
        out.extend_from_slice(&rest[..p]);
        let decoded = match rest.get(p + 1) {
            Some(b'x') | Some(b'X') => hex_pair(rest, p + 1),
            _ => None,
        };
        match decoded {
            Some(byte) => {
                out.push(byte);
                changed = true;
                rest = rest.get(p + 4..).unwrap_or(&[]);
            }
            None => {
                out.push(b'\\');
                rest = rest.get(p + 1..).unwrap_or(&[]);
            }
        }
    }
    out.extend_from_slice(rest);
    changed
}

/// How many times `s` has been percent-encoded.
///
/// Definition: starting from `s`, while the current string contains at
/// least one well-formed `%XX` escape (X a hex digit, either case), decode
/// one level and count it; stop at [`MAX_ENCODING_DEPTH`] (8). So a string
/// with no well-formed escape has depth 0 (`100%`, `%zz`), `%27` has 1
/// (-> `'`), `%2527` has 2 (-> `%27` -> `'`), `%252527` has 3, and
/// `abc%2Fdef` has 1. A decode that merely produces a new escape by
/// concatenation (`%%32%35` -> `%25` -> `%`) counts too: that is the
/// nested-encoding evasion trick this measures.
///
/// Strings without any `%` return immediately; others use a per-thread
/// scratch buffer (no allocation after the first call on a thread).
pub fn encoding_depth(s: &[u8]) -> u32 {
    if !has_percent_escape(s) {
        return 0;
    }
    super::with_scratch(|buf| encoding_depth_buf(s, buf))
}

/// [`encoding_depth`] with an explicit scratch buffer (contents replaced).
pub fn encoding_depth_buf(s: &[u8], scratch: &mut Vec<u8>) -> u32 {
    if !has_percent_escape(s) {
        return 0;
    }
    scratch.clear();
    scratch.extend_from_slice(s);
    let mut depth = 0;
    while depth < MAX_ENCODING_DEPTH && has_percent_escape(scratch) {
        percent_decode_in_place(scratch);
        depth += 1;
    }
    depth
}

/// IIS-style `%uXXXX` escapes of `buf`, in place: code points below 0x80 become that byte,
/// fullwidth forms U+FF01–U+FF5E their ASCII counterpart (NFKC), and the "best-fit" slashes
/// U+2215 (∕) and U+2216 (∖) `/` and `\`, as IIS decoded them (OWASP, Path Traversal); other
/// `%uXXXX` are left alone. Returns whether anything changed.
pub fn decode_percent_u_in_place(buf: &mut Vec<u8>) -> bool {
    crate::format::decode::decode_escapes_in_place(buf, b'%', |s, at| percent_u_ascii(s, at).map(|b| (b, 6)))
}

fn percent_u_ascii(buf: &[u8], at: usize) -> Option<u8> {
    if !buf.get(at + 1)?.eq_ignore_ascii_case(&b'u') {
        return None;
    }
    let mut v: u32 = 0;
    for i in 2..6 {
        v = (v << 4) | (*buf.get(at + i)? as char).to_digit(16)?;
    }
    match v {
        0..=0x7f => Some(v as u8),
        0xff01..=0xff5e => Some((v - 0xff01 + 0x21) as u8),
        0x2215 => Some(b'/'),
        0x2216 => Some(b'\\'),
        _ => None,
    }
}

/// Replaces overlong UTF-8 encodings of ASCII (C0/C1 xx, E0 80-81 xx, F0 80 80-81 xx) with the
/// ASCII byte, in place. They are invalid UTF-8 that old decoders accepted, hence the
/// `%c0%ae%c0%ae%c0%af` (`../`) trick. Returns whether anything changed.
pub fn fold_overlong_in_place(buf: &mut Vec<u8>) -> bool {
    let cont = |b: Option<&u8>| b.copied().filter(|&x| x & 0xc0 == 0x80).map(|x| (x & 0x3f) as u32);
    let len = buf.len();
    let (mut r, mut w) = (0usize, 0usize);
    while r < len {
        let b = buf[r];
        let folded = match b {
            0xc0 | 0xc1 => cont(buf.get(r + 1)).map(|c1| ((((b & 0x1f) as u32) << 6) | c1, 2)),
            0xe0 => cont(buf.get(r + 1)).zip(cont(buf.get(r + 2))).map(|(c1, c2)| ((c1 << 6) | c2, 3)),
            0xf0 => cont(buf.get(r + 1))
                .zip(cont(buf.get(r + 2)))
                .zip(cont(buf.get(r + 3)))
                .map(|((c1, c2), c3)| ((c1 << 12) | (c2 << 6) | c3, 4)),
            _ => None,
        };
        match folded {
            Some((v, n)) if v < 0x80 => {
                buf[w] = v as u8;
                w += 1;
                r += n;
            }
            _ => {
                buf[w] = b;
                w += 1;
                r += 1;
            }
        }
    }
    let changed = w != len;
    buf.truncate(w);
    changed
}

/// `+` as a space, in place: HTML form encoding (`application/x-www-form-urlencoded`), which
/// browsers and HTTP libraries use for query strings. Apply it to the client's bytes before
/// their `%XX` layer, so that an encoded `%2B` stays a `+`.
pub fn plus_as_space_in_place(buf: &mut [u8]) {
    for b in buf.iter_mut().filter(|b| **b == b'+') {
        *b = b' ';
    }
}

/// HTML character references that decode to ASCII, in place: decimal `&#60;` and hex `&#x3c;`
/// (any number of leading zeros, `;` optional, as browsers accept them) and the named
/// references that spell markup or script punctuation (`&lt;`, `&gt;`, `&quot;`, `&apos;`,
/// `&amp;`, `&colon;`, `&lpar;`, `&rpar;`, `&sol;`, `&bsol;`, `&num;`, `&tab;`, `&newline;`,
/// `&period;`, `&comma;`, `&equals;`, `&grave;`; `;` required), ASCII case-insensitive. Others
/// are left alone. Returns whether anything changed. Why: a browser decodes them inside HTML
/// attributes, so `javascript&#58;` and `&lt;script&gt;` are the same attack as the plain text.
pub fn decode_html_entities_in_place(buf: &mut Vec<u8>) -> bool {
    crate::format::decode::decode_escapes_in_place(buf, b'&', html_entity)
}

const NAMED_ENTITIES: &[(&[u8], u8)] = &[
    (b"lt;", b'<'),
    (b"gt;", b'>'),
    (b"quot;", b'"'),
    (b"apos;", b'\''),
    (b"amp;", b'&'),
    (b"colon;", b':'),
    (b"lpar;", b'('),
    (b"rpar;", b')'),
    (b"sol;", b'/'),
    (b"bsol;", b'\\'),
    (b"num;", b'#'),
    (b"tab;", b'\t'),
    (b"newline;", b'\n'),
    (b"period;", b'.'),
    (b"comma;", b','),
    (b"equals;", b'='),
    (b"grave;", b'`'),
];

fn html_entity(s: &[u8], at: usize) -> Option<(u8, usize)> {
    let rest = s.get(at + 1..)?;
    if rest.first() == Some(&b'#') {
        let hex = matches!(rest.get(1), Some(b'x') | Some(b'X'));
        let start = if hex { 2 } else { 1 };
        let radix = if hex { 16 } else { 10 };
        let mut v: u32 = 0;
        let mut n = 0;
        while let Some(d) = rest.get(start + n).and_then(|c| (*c as char).to_digit(radix)) {
            v = v.saturating_mul(radix).saturating_add(d);
            n += 1;
        }
        if n == 0 || v >= 0x80 {
            return None;
        }
        let semi = usize::from(rest.get(start + n) == Some(&b';'));
        return Some((v as u8, 1 + start + n + semi));
    }
    NAMED_ENTITIES
        .iter()
        .find(|(name, _)| rest.len() >= name.len() && rest[..name.len()].eq_ignore_ascii_case(name))
        .map(|(name, b)| (*b, 1 + name.len()))
}

/// Whether `bytes` is valid UTF-8.
#[inline]
pub fn is_valid_utf8(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes).is_ok()
}

/// Copy `bytes` into `out` (cleared first), replacing each maximal invalid
/// UTF-8 sequence with U+FFFD (EF BF BD), exactly as
/// `String::from_utf8_lossy` does. Valid input is copied with one memcpy;
/// decoded log fields (`%ff`) are often invalid, and DuckDB VARCHARs must
/// be valid UTF-8.
pub fn to_valid_utf8_lossy_into(bytes: &[u8], out: &mut Vec<u8>) {
    out.clear();
    if is_valid_utf8(bytes) {
        out.extend_from_slice(bytes);
        return;
    }
    push_lossy_utf8(bytes, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> (Vec<u8>, bool) {
        let mut out = Vec::new();
        let changed = percent_decode_into(s.as_bytes(), &mut out);
        (out, changed)
    }

    #[test]
    fn single_level() {
        assert_eq!(dec("a%20b"), (b"a b".to_vec(), true));
        // %2F and %2f are both '/', hex in either case.
        assert_eq!(dec("x%2Fy%2fz"), (b"x/y/z".to_vec(), true));
        // One level only: %2520 -> %20.
        assert_eq!(dec("%2520"), (b"%20".to_vec(), true));
        // '+' is not a space in CloudFront logs.
        assert_eq!(dec("a+b"), (b"a+b".to_vec(), false));
        assert_eq!(dec(""), (Vec::new(), false));
    }

    #[test]
    fn malformed_escapes_kept() {
        assert_eq!(dec("%zz"), (b"%zz".to_vec(), false));
        assert_eq!(dec("abc%2"), (b"abc%2".to_vec(), false));
        assert_eq!(dec("100%"), (b"100%".to_vec(), false));
        assert_eq!(dec("%"), (b"%".to_vec(), false));
        // A bad escape followed by a good one: "%%41" -> '%' kept, %41 -> 'A'.
        assert_eq!(dec("%%41"), (b"%A".to_vec(), true));
        assert_eq!(dec("%g1%41"), (b"%g1A".to_vec(), true));
    }

    #[test]
    fn out_buffer_is_replaced() {
        let mut out = b"stale".to_vec();
        percent_decode_into(b"ok", &mut out);
        assert_eq!(out, b"ok");
        let mut out = b"stale".to_vec();
        url_decode_levels(b"", 3, &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn in_place_matches_copying_decoder() {
        for s in ["a%20b", "%2520", "%zz", "abc%2", "%%41", "", "%41%42%43", "%c0%ae"] {
            let mut a = Vec::new();
            let ca = percent_decode_into(s.as_bytes(), &mut a);
            let mut b = s.as_bytes().to_vec();
            let cb = percent_decode_in_place(&mut b);
            assert_eq!((a, ca), (b, cb), "{s}");
        }
    }

    #[test]
    fn backslash_x() {
        let mut out = Vec::new();
        assert!(decode_backslash_x_into(b"192.0.2.1,\\x20198.51.100.7", &mut out));
        assert_eq!(out, b"192.0.2.1, 198.51.100.7");
        assert!(decode_backslash_x_into(b"\\X41\\x6a", &mut out));
        assert_eq!(out, b"Aj");
        // Malformed: kept.
        assert!(!decode_backslash_x_into(b"\\x2", &mut out));
        assert_eq!(out, b"\\x2");
        assert!(!decode_backslash_x_into(b"a\\b\\", &mut out));
        assert_eq!(out, b"a\\b\\");
        // Percent escapes untouched.
        assert!(!decode_backslash_x_into(b"%20", &mut out));
        assert_eq!(out, b"%20");
    }

    #[test]
    fn multi_level_user_agent() {
        // Level 1: %2520 -> %20 (x3); level 2: %20 -> ' ' (x3); level 3 changes nothing.
        let mut out = Vec::new();
        url_decode_levels(b"Mozilla/5.0%2520(Windows%2520NT%252010.0)", 8, &mut out);
        assert_eq!(out, b"Mozilla/5.0 (Windows NT 10.0)");
        // Capped at one level.
        url_decode_levels(b"Mozilla/5.0%2520(Windows%2520NT%252010.0)", 1, &mut out);
        assert_eq!(out, b"Mozilla/5.0%20(Windows%20NT%2010.0)");
        url_decode_levels(b"%2520", 0, &mut out);
        assert_eq!(out, b"%2520");
        // Traversal triple-encoded: %25252e -> %252e -> %2e -> '.'.
        url_decode_levels(b"%25252e%25252e%25252f", 3, &mut out);
        assert_eq!(out, b"../");
    }

    #[test]
    fn depth() {
        assert_eq!(encoding_depth(b"plain"), 0);
        assert_eq!(encoding_depth(b""), 0);
        assert_eq!(encoding_depth(b"%27"), 1);
        assert_eq!(encoding_depth(b"%2527"), 2);
        assert_eq!(encoding_depth(b"%252527"), 3);
        assert_eq!(encoding_depth(b"abc%2Fdef"), 1);
        assert_eq!(encoding_depth(b"100%"), 0);
        assert_eq!(encoding_depth(b"%zz"), 0);
        // '%%32%35': level 1 decodes %32 -> '2', %35 -> '5' giving "%25";
        // level 2 gives "%"; no escape left: depth 2.
        assert_eq!(encoding_depth(b"%%32%35"), 2);
        // 10 layers: "%" followed by "25" x 9 then "41" -> capped at 8.
        let s = format!("%{}41", "25".repeat(9));
        assert_eq!(encoding_depth(s.as_bytes()), MAX_ENCODING_DEPTH);
        let mut scratch = Vec::new();
        assert_eq!(encoding_depth_buf(b"%252527", &mut scratch), 3);
    }

    #[test]
    fn percent_u_overlong_plus_and_entities() {
        let run = |s: &str, f: fn(&mut Vec<u8>) -> bool| {
            let mut b = s.as_bytes().to_vec();
            let changed = f(&mut b);
            (String::from_utf8_lossy(&b).into_owned(), changed)
        };
        // %uXXXX: ASCII, fullwidth forms (U+FF0E is '.'), the best-fit slashes; others kept.
        assert_eq!(run("%u002e%U002E%uFF0E%u2215%u2216", decode_percent_u_in_place), (".../\\".to_string(), true));
        assert_eq!(run("%u20AC%u00e9%u12%uzzzz", decode_percent_u_in_place), ("%u20AC%u00e9%u12%uzzzz".to_string(), false));
        // Overlong forms of ASCII fold; a real character and a lone lead byte do not.
        let mut b = vec![0xc0, 0xae, 0xe0, 0x80, 0xaf, 0xf0, 0x80, 0x80, 0xae, 0xc3, 0xa9, 0xc0];
        assert!(fold_overlong_in_place(&mut b));
        assert_eq!(b, [b'.', b'/', b'.', 0xc3, 0xa9, 0xc0]);
        assert!(!fold_overlong_in_place(&mut b));
        // '+' as a space.
        let mut b = b"a+b++c".to_vec();
        plus_as_space_in_place(&mut b);
        assert_eq!(b, b"a b  c");
        // Character references: numeric with leading zeros and without ';', named ones, case.
        assert_eq!(
            run("&#60;&#x3C;&#X3e;&#0000060&LT;&quot;&colon;&Tab;", decode_html_entities_in_place),
            ("<<><<\":\t".to_string(), true)
        );
        // Non-ASCII values, unknown names and bare '&' stay.
        assert_eq!(
            run("&#233;&eacute;&amp &;&#;&#x;a&b", decode_html_entities_in_place),
            ("&#233;&eacute;&amp &;&#;&#x;a&b".to_string(), false)
        );
    }

    #[test]
    fn utf8_repair() {
        // %ff decodes to the byte 0xFF, never valid UTF-8.
        let mut raw = Vec::new();
        percent_decode_into(b"a%ffb", &mut raw);
        assert_eq!(raw, [b'a', 0xff, b'b']);
        assert!(!is_valid_utf8(&raw));
        let mut out = Vec::new();
        to_valid_utf8_lossy_into(&raw, &mut out);
        assert_eq!(out, "a\u{FFFD}b".as_bytes());
        // %C3%A9 is 'é', valid: copied as is.
        percent_decode_into(b"caf%C3%A9", &mut raw);
        assert!(is_valid_utf8(&raw));
        to_valid_utf8_lossy_into(&raw, &mut out);
        assert_eq!(out, "café".as_bytes());
        // Truncated sequence at the end: one replacement character.
        to_valid_utf8_lossy_into(&[b'x', 0xe2, 0x82], &mut out);
        assert_eq!(out, "x\u{FFFD}".as_bytes());
        // Same as std's lossy conversion on an overlong sequence.
        let bad = [0xc0, 0xae, b'/'];
        to_valid_utf8_lossy_into(&bad, &mut out);
        assert_eq!(out, String::from_utf8_lossy(&bad).as_bytes());
        to_valid_utf8_lossy_into(b"", &mut out);
        assert!(out.is_empty());
    }
}
