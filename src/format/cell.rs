//! A converted field: what one output cell holds before the DuckDB layer writes it.

use super::decode::{needs_text_repair, push_lossy_utf8, push_text_escaping_controls, url_decode_levels};
use super::fields::Kind;
use super::value::{is_null, parse_date, parse_f64, parse_i32, parse_i64, parse_time, ValueError};

/// One typed value; `Str` borrows either the line or the scratch buffer.
#[derive(Debug, PartialEq)]
pub enum Cell<'a> {
    Null,
    I32(i32),
    I64(i64),
    F64(f64),
    /// Days since the epoch.
    Date(i32),
    /// Microseconds since midnight.
    Time(i64),
    /// Microseconds since the epoch, UTC.
    Timestamp(i64),
    /// Valid UTF-8.
    Str(&'a [u8]),
}

/// Reusable buffers for text that has to be rewritten (decoded or made valid UTF-8).
#[derive(Default)]
pub struct Scratch {
    pub text: Vec<u8>,
    pub tmp: Vec<u8>,
}

/// How many levels of `%XX` encoding `DecodedText` fields lose: user agents were encoded twice
/// until about the end of 2019 (`%2520`), once since.
pub const DECODE_LEVELS: u32 = 2;

/// Converts the raw bytes of a field of `kind`. `-` and empty are NULL in every column.
/// Invalid UTF-8 in text is replaced by U+FFFD (DuckDB requires valid UTF-8 in VARCHAR).
#[inline]
pub fn convert<'a>(kind: Kind, raw: &'a [u8], decode: bool, scratch: &'a mut Scratch) -> Result<Cell<'a>, ValueError> {
    if is_null(raw) {
        return Ok(Cell::Null);
    }
    Ok(match kind {
        Kind::Int32 => Cell::I32(parse_i32(raw)?),
        Kind::Int64 => Cell::I64(parse_i64(raw)?),
        Kind::Double => Cell::F64(parse_f64(raw)?),
        Kind::Date => Cell::Date(parse_date(raw)?),
        Kind::Time => Cell::Time(parse_time(raw)?),
        Kind::Timestamp => Cell::Timestamp(super::value::parse_epoch_seconds(raw)?),
        Kind::DecodedText if decode => {
            // Decoded text keeps control characters escaped (push_text_escaping_controls).
            let text: &[u8] = if memchr::memchr(b'%', raw).is_some() {
                url_decode_levels(raw, DECODE_LEVELS, &mut scratch.tmp);
                &scratch.tmp
            } else {
                raw
            };
            if needs_text_repair(text) {
                scratch.text.clear();
                push_text_escaping_controls(text, &mut scratch.text);
                Cell::Str(&scratch.text)
            } else {
                Cell::Str(text)
            }
        }
        Kind::Text | Kind::DecodedText => Cell::Str(valid_text(raw, &mut scratch.text)),
    })
}

/// `bytes` itself when it is valid UTF-8 (the common, ASCII case), else a repaired copy.
#[inline]
pub fn valid_text<'a>(bytes: &'a [u8], repaired: &'a mut Vec<u8>) -> &'a [u8] {
    if bytes.is_ascii() || std::str::from_utf8(bytes).is_ok() {
        bytes
    } else {
        repaired.clear();
        push_lossy_utf8(bytes, repaired);
        repaired
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dash_is_null_in_every_kind() {
        let mut s = Scratch::default();
        for kind in [Kind::Int32, Kind::Int64, Kind::Double, Kind::Date, Kind::Time, Kind::Timestamp, Kind::Text, Kind::DecodedText] {
            assert_eq!(convert(kind, b"-", true, &mut s), Ok(Cell::Null));
        }
    }

    #[test]
    fn decoding_only_where_asked() {
        let mut s = Scratch::default();
        assert_eq!(convert(Kind::DecodedText, b"Mozilla/5.0%2520(X11)", true, &mut s), Ok(Cell::Str(b"Mozilla/5.0 (X11)")));
        assert_eq!(convert(Kind::DecodedText, b"Mozilla/5.0%2520(X11)", false, &mut s), Ok(Cell::Str(b"Mozilla/5.0%2520(X11)")));
        assert_eq!(convert(Kind::Text, b"id=1%2527", true, &mut s), Ok(Cell::Str(b"id=1%2527")));
    }

    #[test]
    fn invalid_utf8_is_replaced() {
        let mut s = Scratch::default();
        assert_eq!(convert(Kind::Text, b"a\xFFb", true, &mut s), Ok(Cell::Str("a\u{FFFD}b".as_bytes())));
        assert_eq!(convert(Kind::DecodedText, b"a%FFb", true, &mut s), Ok(Cell::Str("a\u{FFFD}b".as_bytes())));
    }

    #[test]
    fn typed_values() {
        let mut s = Scratch::default();
        assert_eq!(convert(Kind::Int32, b"000", true, &mut s), Ok(Cell::I32(0)));
        assert_eq!(convert(Kind::Double, b"0.082", true, &mut s), Ok(Cell::F64(0.082)));
        assert_eq!(convert(Kind::Int64, b"18446744073709551616", true, &mut s), Err(ValueError::OutOfRange));
    }
}
