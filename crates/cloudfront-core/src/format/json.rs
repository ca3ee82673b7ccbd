//! A flat JSON-object line parser for standard logging v2's JSON output (one object per request,
//! keys are CloudFront field names, values strings, numbers or null).
//!
//! It writes each value's text into one scratch buffer and reports (key, span) pairs, so a line
//! costs no allocation; nested objects or arrays are not part of the format and are an error.

/// Why a JSON line was rejected.
#[derive(Debug, PartialEq, Eq)]
pub struct JsonError(pub &'static str);

struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\r' | b'\n') = self.s.get(self.i) {
            self.i += 1;
        }
    }
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.i += 1;
            true
        } else {
            false
        }
    }
}

fn hex4(s: &[u8]) -> Option<u32> {
    if s.len() < 4 {
        return None;
    }
    let mut v = 0u32;
    for &b in &s[..4] {
        v = v * 16 + (b as char).to_digit(16)?;
    }
    Some(v)
}

/// Parses a JSON string starting at the opening quote; appends its decoded text to `out`.
fn string(c: &mut Cursor, out: &mut Vec<u8>) -> Result<(), JsonError> {
    if !c.eat(b'"') {
        return Err(JsonError("expected a string"));
    }
    loop {
        let rest = &c.s[c.i..];
        let stop = memchr::memchr2(b'"', b'\\', rest).ok_or(JsonError("unterminated string"))?;
        out.extend_from_slice(&rest[..stop]);
        c.i += stop;
        if c.eat(b'"') {
            return Ok(());
        }
        c.i += 1; // backslash
        let esc = c.peek().ok_or(JsonError("unterminated escape"))?;
        c.i += 1;
        match esc {
            b'"' => out.push(b'"'),
            b'\\' => out.push(b'\\'),
            b'/' => out.push(b'/'),
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'u' => {
                let mut cp = hex4(&c.s[c.i..]).ok_or(JsonError("bad \\u escape"))?;
                c.i += 4;
                if (0xD800..0xDC00).contains(&cp) && c.s[c.i..].starts_with(b"\\u") {
                    if let Some(lo) = hex4(&c.s[c.i + 2..]).filter(|lo| (0xDC00..0xE000).contains(lo)) {
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                        c.i += 6;
                    }
                }
                let ch = char::from_u32(cp).unwrap_or('\u{FFFD}');
                let mut b = [0u8; 4];
                out.extend_from_slice(ch.encode_utf8(&mut b).as_bytes());
            }
            _ => return Err(JsonError("bad escape")),
        }
    }
}

/// Parses one object line, calling `field(key, value_start, value_end)` for each member with
/// the value's text in `values[value_start..value_end]` (a JSON null gives an empty span, which
/// the reader treats as NULL). `keys` and `values` are cleared first.
pub fn parse_object(
    line: &[u8],
    keys: &mut Vec<u8>,
    values: &mut Vec<u8>,
    mut field: impl FnMut(&[u8], usize, usize),
) -> Result<(), JsonError> {
    values.clear();
    let mut c = Cursor { s: line, i: 0 };
    c.ws();
    if !c.eat(b'{') {
        return Err(JsonError("not a JSON object"));
    }
    c.ws();
    if c.eat(b'}') {
        return trailing(&mut c);
    }
    loop {
        c.ws();
        keys.clear();
        string(&mut c, keys)?;
        c.ws();
        if !c.eat(b':') {
            return Err(JsonError("expected ':'"));
        }
        c.ws();
        let start = values.len();
        match c.peek() {
            Some(b'"') => string(&mut c, values)?,
            Some(b'n') if c.s[c.i..].starts_with(b"null") => c.i += 4,
            Some(b't') if c.s[c.i..].starts_with(b"true") => {
                c.i += 4;
                values.extend_from_slice(b"true");
            }
            Some(b'f') if c.s[c.i..].starts_with(b"false") => {
                c.i += 5;
                values.extend_from_slice(b"false");
            }
            Some(b'-' | b'0'..=b'9') => {
                let n0 = c.i;
                while let Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') = c.peek() {
                    c.i += 1;
                }
                values.extend_from_slice(&c.s[n0..c.i]);
            }
            _ => return Err(JsonError("unsupported value (nested or malformed)")),
        }
        field(keys, start, values.len());
        c.ws();
        if c.eat(b',') {
            continue;
        }
        if c.eat(b'}') {
            return trailing(&mut c);
        }
        return Err(JsonError("expected ',' or '}'"));
    }
}

fn trailing(c: &mut Cursor) -> Result<(), JsonError> {
    c.ws();
    if c.i == c.s.len() {
        Ok(())
    } else {
        Err(JsonError("text after the object"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<Vec<(String, String)>, JsonError> {
        let (mut k, mut v) = (vec![], vec![]);
        let mut spans = vec![];
        parse_object(line.as_bytes(), &mut k, &mut v, |key, a, b| spans.push((String::from_utf8(key.to_vec()).unwrap(), a, b)))?;
        Ok(spans.into_iter().map(|(key, a, b)| (key, String::from_utf8(v[a..b].to_vec()).unwrap())).collect())
    }

    #[test]
    fn strings_numbers_nulls() {
        let got = parse(r#"{"date":"2024-11-20","sc-bytes":1234,"cs(Cookie)":null,"time-taken":0.05,"ok":true}"#).unwrap();
        assert_eq!(
            got,
            vec![
                ("date".into(), "2024-11-20".into()),
                ("sc-bytes".into(), "1234".into()),
                ("cs(Cookie)".into(), "".into()),
                ("time-taken".into(), "0.05".into()),
                ("ok".into(), "true".into())
            ]
        );
    }

    #[test]
    fn escapes() {
        let got = parse(r#"{"a":"x\"y\\z\/\u00e9\ud83d\ude00\t"}"#).unwrap();
        assert_eq!(got[0].1, "x\"y\\z/é😀\t");
    }

    #[test]
    fn rejects_malformed() {
        assert!(parse("").is_err());
        assert!(parse("[1]").is_err());
        assert!(parse(r#"{"a":"b""#).is_err());
        assert!(parse(r#"{"a":{"b":1}}"#).is_err());
        assert!(parse(r#"{"a":1} x"#).is_err());
        assert!(parse(r#"{"a" 1}"#).is_err());
        assert!(parse(r#"{"a":"\u12"}"#).is_err());
        assert_eq!(parse("{}").unwrap(), vec![]);
    }
}
