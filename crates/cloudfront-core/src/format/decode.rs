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
///
/// `s` is copied whole and decoded from its first `%` on, 8 bytes at a time: each step copies
/// 8 bytes and moves to the first `%` among them (a SWAR test, no `unsafe`). Escapes are dense
/// in user agents (`%20` every few bytes), where a `memchr` and a copy per escape cost more.
pub fn percent_decode_into(s: &[u8], out: &mut Vec<u8>) -> bool {
    out.clear();
    out.extend_from_slice(s);
    let Some(first) = memchr::memchr(b'%', s) else {
        return false;
    };
    let (mut r, mut w) = (first, first);
    let mut changed = false;
    let n = s.len();
    loop {
        // Here s[r] is '%' or r == n (or fewer than 8 bytes remain, handled below).
        if r < n && s[r] == b'%' {
            if let Some(byte) = hex_pair(s, r) {
                out[w] = byte;
                w += 1;
                r += 3;
                changed = true;
            } else {
                out[w] = b'%';
                w += 1;
                r += 1;
            }
        }
        if r + 8 > n {
            break;
        }
        // Copy 8 bytes (w <= r, so they fit), then keep those before the first '%'.
        let chunk: [u8; 8] = s[r..r + 8].try_into().expect("8 bytes");
        out[w..w + 8].copy_from_slice(&chunk);
        let step = first_percent(u64::from_le_bytes(chunk));
        r += step;
        w += step;
    }
    while r < n {
        let b = s[r];
        if b == b'%' {
            if let Some(byte) = hex_pair(s, r) {
                out[w] = byte;
                w += 1;
                r += 3;
                changed = true;
                continue;
            }
        }
        out[w] = b;
        w += 1;
        r += 1;
    }
    out.truncate(w);
    changed
}

/// Index of the first `%` among the 8 bytes of `word` (little-endian order), 8 if none: the
/// classic "has zero byte" test on `word ^ '%'`, exact for the lowest such byte.
#[inline(always)]
fn first_percent(word: u64) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let x = word ^ (ONES * b'%' as u64);
    let zero = x.wrapping_sub(ONES) & !x & HIGHS;
    (zero.trailing_zeros() / 8) as usize
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

/// Whether `c` is a control character a terminal or a CSV/list printer may act on: C0
/// (U+0000-U+001F: NUL, TAB, LF, CR, ESC, ...), DEL and C1 (U+007F-U+009F).
#[inline]
fn is_control(c: char) -> bool {
    (c as u32) < 0x20 || (0x7f..=0x9f).contains(&(c as u32))
}

/// Whether `bytes` would be changed by `push_text_escaping_controls` (not ASCII-printable).
#[inline]
pub fn needs_text_repair(bytes: &[u8]) -> bool {
    // 16 bytes at a time without an early exit inside a block, so the check vectorises.
    let outside = |b: u8| b.wrapping_sub(0x20) >= 0x5f; // below 0x20 or 0x7f and above
    let mut blocks = bytes.chunks_exact(16);
    for block in &mut blocks {
        if block.iter().fold(false, |any, &b| any | outside(b)) {
            return true;
        }
    }
    blocks.remainder().iter().any(|&b| outside(b))
}

/// Whether every byte of `bytes` is ASCII, as `<[u8]>::is_ascii`, which takes about a third of
/// a nanosecond a byte on long values (measured with Rust 1.95: 34-47 ns for a 113-byte user
/// agent against 5 ns here), and most of a full-width row's text is in values of 13 bytes or
/// more. Long values: 16 bytes at a time, OR-ed, the last block overlapping; short ones: two
/// overlapping words.
#[inline]
pub fn is_ascii(bytes: &[u8]) -> bool {
    let n = bytes.len();
    #[cfg(target_arch = "x86_64")]
    if n >= 16 {
        use std::arch::x86_64::{__m128i, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128};
        // SAFETY: SSE2 is always available on x86_64; every load is of 16 bytes starting at
        // most at n - 16.
        #[allow(unsafe_code)]
        unsafe {
            let p = bytes.as_ptr();
            let mut any = _mm_loadu_si128(p.add(n - 16) as *const __m128i);
            let mut i = 0;
            while i + 16 <= n {
                any = _mm_or_si128(any, _mm_loadu_si128(p.add(i) as *const __m128i));
                i += 16;
            }
            return _mm_movemask_epi8(any) == 0;
        }
    }
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"));
    match n {
        8.. => {
            let mut any = word(n - 8);
            let mut i = 0;
            while i + 8 <= n {
                any |= word(i);
                i += 8;
            }
            any & HIGH == 0
        }
        4..=7 => {
            let half = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
            (half(0) | half(n - 4)) & 0x8080_8080 == 0
        }
        _ => bytes.iter().all(|&b| b < 0x80),
    }
}

/// Appends `bytes` to `out` as valid UTF-8 with control characters written as the `%XX`
/// escapes of their UTF-8 bytes (`%1B`, `%0D%0A`, `%C2%9B`), the log's own notation, and each
/// invalid sequence replaced with U+FFFD. For decoded user agents and referers: decoding
/// `%1B` must not put a raw ESC (a terminal escape sequence) or a newline (a broken CSV or
/// list row) into the output.
pub fn push_text_escaping_controls(bytes: &[u8], out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for chunk in bytes.utf8_chunks() {
        let valid = chunk.valid();
        if valid.bytes().all(|b| (0x20..0x7f).contains(&b) || b >= 0xc3 || (0x80..0xc2).contains(&b)) {
            // No C0, DEL or C1 (C1 characters start with 0xC2): copied as is.
            out.extend_from_slice(valid.as_bytes());
        } else {
            for c in valid.chars() {
                if is_control(c) {
                    let mut utf8 = [0u8; 4];
                    for &b in c.encode_utf8(&mut utf8).as_bytes() {
                        out.extend_from_slice(&[b'%', HEX[(b >> 4) as usize], HEX[(b & 15) as usize]]);
                    }
                } else {
                    let mut utf8 = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
                }
            }
        }
        if !chunk.invalid().is_empty() {
            out.extend_from_slice("\u{FFFD}".as_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Agrees with the standard library for every length around the word and block sizes, a
    /// non-ASCII byte in every position (and none), at every alignment.
    #[test]
    fn is_ascii_agrees_with_std_at_every_length_and_position() {
        let mut buf = [b'a'; 90];
        for start in 0..9 {
            for len in 0..=(buf.len() - start) {
                assert!(is_ascii(&buf[start..start + len]), "start {start} len {len}");
                for at in 0..len {
                    for high in [0x80u8, 0xC3, 0xFF] {
                        buf[start + at] = high;
                        let hay = &buf[start..start + len];
                        assert_eq!(is_ascii(hay), hay.is_ascii(), "start {start} len {len} at {at}");
                        assert!(!is_ascii(hay), "start {start} len {len} at {at}");
                        buf[start + at] = b'a';
                    }
                }
            }
        }
        assert!(is_ascii(b"\x00\x7f\t"));
    }

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

    /// Issue 11: decoded control characters are written back as escapes, other text is kept.
    #[test]
    fn control_characters_stay_escaped() {
        let escaped = |b: &[u8]| {
            let mut out = b"stale".to_vec();
            out.clear();
            push_text_escaping_controls(b, &mut out);
            String::from_utf8(out).unwrap()
        };
        assert_eq!(escaped(b"curl\x1b]0;owned\x07\r\nX\tY\x7f"), "curl%1B]0;owned%07%0D%0AX%09Y%7F");
        assert_eq!(escaped("a\u{9b}b\u{a0}c\u{e9}".as_bytes()), "a%C2%9Bb\u{a0}c\u{e9}");
        assert_eq!(escaped(b"ok \xff\x00"), "ok \u{FFFD}%00");
        assert_eq!(escaped("Mozilla/5.0 (X11) \u{1F600}".as_bytes()), "Mozilla/5.0 (X11) \u{1F600}");
        assert!(!needs_text_repair(b"Mozilla/5.0 (X11)"));
        assert!(needs_text_repair(b"a\nb") && needs_text_repair("\u{e9}".as_bytes()));
    }

    /// The decoder and the vectorised repair check agree with plain reference versions on every
    /// string of a small alphabet rich in escapes (all strings up to 5 symbols, then longer ones
    /// crossing the 16-byte blocks of `needs_text_repair`).
    #[test]
    fn decoder_and_repair_check_match_references() {
        fn reference_decode(s: &[u8]) -> (Vec<u8>, bool) {
            let (mut out, mut changed, mut i) = (vec![], false, 0);
            while i < s.len() {
                if s[i] == b'%' && i + 2 < s.len() && s[i + 1].is_ascii_hexdigit() && s[i + 2].is_ascii_hexdigit() {
                    out.push(u8::from_str_radix(std::str::from_utf8(&s[i + 1..i + 3]).unwrap(), 16).unwrap());
                    changed = true;
                    i += 3;
                } else {
                    out.push(s[i]);
                    i += 1;
                }
            }
            (out, changed)
        }
        let alphabet: [&[u8]; 8] = [b"%", b"2", b"5", b"0", b"a", b"F", b"g", b"\x7f"];
        let mut cases: Vec<Vec<u8>> = vec![vec![]];
        for _ in 0..5 {
            let next: Vec<Vec<u8>> = cases.iter().flat_map(|c| alphabet.iter().map(move |a| [c.as_slice(), a].concat())).collect();
            cases.extend(next);
        }
        // The same combinations inside longer text, at every offset of the 8-byte steps.
        let long: Vec<Vec<u8>> =
            cases.iter().enumerate().map(|(i, c)| [&b"Mozilla/5.0%20(X11)"[..i % 19], c, b"%2520%", c, b"abcdefghij%4"].concat()).collect();
        cases.extend(long);
        for pad in [15usize, 16, 17, 31, 32, 40] {
            for bad in [0x00u8, 0x1f, 0x7f, 0x80, 0xff] {
                let mut line = b"Mozilla/5.0%20(X11)".repeat(3)[..pad].to_vec();
                line.push(bad);
                cases.push(line.clone());
                cases.push(line[..pad].to_vec());
            }
        }
        let mut out = b"stale".to_vec();
        for case in &cases {
            let changed = percent_decode_into(case, &mut out);
            assert_eq!((out.clone(), changed), reference_decode(case), "{:?}", String::from_utf8_lossy(case));
            let reference = case.iter().any(|&b| !(0x20..0x7f).contains(&b));
            assert_eq!(needs_text_repair(case), reference, "{case:?}");
        }
    }

    #[test]
    fn detects_escapes() {
        assert!(has_percent_escape(b"a%2Fb"));
        assert!(!has_percent_escape(b"100%"));
        assert!(!has_percent_escape(b"%g0"));
    }
}
