//! Converting one raw field to a typed value: the one conversion of the reader, used by the
//! scan, by validation (`ignore_errors`, the rejects listing) and by the fuzz targets alike (see
//! `format::row`, which applies it to whole rows).

use super::decode::{is_ascii, needs_text_repair, push_lossy_utf8, push_text_escaping_controls, url_decode_levels};
use super::fields::Kind;
use super::value::{is_null, parse_date, parse_epoch_seconds, parse_f64, parse_i32, parse_i64, parse_time, ValueError};

/// One typed value; `Text` borrows either the line or the scratch buffer.
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
    Text(&'a str),
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

/// What receives a converted value: one method per SQL type, each consuming the receiver.
/// [`convert`] makes a [`Cell`]; `format::row` writes straight into its sink, so that the value
/// never exists as a `Cell` in the scan's hot loop (the kind's parser writes into the vector).
pub trait Receive<'a> {
    type Out;
    fn null(self) -> Self::Out;
    fn int32(self, value: i32) -> Self::Out;
    fn int64(self, value: i64) -> Self::Out;
    fn float64(self, value: f64) -> Self::Out;
    /// Days since the epoch.
    fn date(self, days: i32) -> Self::Out;
    /// Microseconds since midnight.
    fn time(self, micros: i64) -> Self::Out;
    /// Microseconds since the epoch, UTC.
    fn timestamp(self, micros: i64) -> Self::Out;
    fn text(self, value: &'a str) -> Self::Out;
}

/// Converts the raw bytes of a field of `kind` and hands the value to `to`: the reader's one
/// conversion. `-` and empty are NULL in every column. Invalid UTF-8 in text is replaced by
/// U+FFFD (DuckDB requires valid UTF-8 in VARCHAR).
#[inline(always)]
pub fn convert_with<'a, R: Receive<'a>>(
    kind: Kind,
    raw: &'a [u8],
    decode: bool,
    scratch: &'a mut Scratch,
    to: R,
) -> Result<R::Out, ValueError> {
    if is_null(raw) {
        return Ok(to.null());
    }
    Ok(match kind {
        Kind::Text => to.text(valid_text(raw, &mut scratch.text)),
        Kind::Int64 => to.int64(parse_i64(raw)?),
        Kind::Int32 => to.int32(parse_i32(raw)?),
        Kind::Double => to.float64(parse_f64(raw)?),
        Kind::Date => to.date(parse_date(raw)?),
        Kind::Time => to.time(parse_time(raw)?),
        Kind::Timestamp => to.timestamp(parse_epoch_seconds(raw)?),
        Kind::DecodedText if decode => to.text(decoded_text(raw, scratch)),
        Kind::DecodedText => to.text(valid_text(raw, &mut scratch.text)),
    })
}

/// Converts the raw bytes of a field of `kind` into a [`Cell`] (see [`convert_with`]).
#[inline]
pub fn convert<'a>(kind: Kind, raw: &'a [u8], decode: bool, scratch: &'a mut Scratch) -> Result<Cell<'a>, ValueError> {
    convert_with(kind, raw, decode, scratch, ToCell)
}

/// The [`Receive`]r that makes a [`Cell`].
struct ToCell;

impl<'a> Receive<'a> for ToCell {
    type Out = Cell<'a>;
    fn null(self) -> Cell<'a> {
        Cell::Null
    }
    fn int32(self, value: i32) -> Cell<'a> {
        Cell::I32(value)
    }
    fn int64(self, value: i64) -> Cell<'a> {
        Cell::I64(value)
    }
    fn float64(self, value: f64) -> Cell<'a> {
        Cell::F64(value)
    }
    fn date(self, days: i32) -> Cell<'a> {
        Cell::Date(days)
    }
    fn time(self, micros: i64) -> Cell<'a> {
        Cell::Time(micros)
    }
    fn timestamp(self, micros: i64) -> Cell<'a> {
        Cell::Timestamp(micros)
    }
    fn text(self, value: &'a str) -> Cell<'a> {
        Cell::Text(value)
    }
}

/// A `DecodedText` field decoded (up to [`DECODE_LEVELS`]), with control characters escaped
/// (`push_text_escaping_controls`) and invalid UTF-8 replaced.
#[inline(never)]
fn decoded_text<'a>(raw: &'a [u8], scratch: &'a mut Scratch) -> &'a str {
    let text: &[u8] = if memchr::memchr(b'%', raw).is_some() {
        url_decode_levels(raw, DECODE_LEVELS, &mut scratch.tmp);
        &scratch.tmp
    } else {
        raw
    };
    if needs_text_repair(text) {
        scratch.text.clear();
        push_text_escaping_controls(text, &mut scratch.text);
        std::str::from_utf8(&scratch.text).expect("push_text_escaping_controls writes UTF-8")
    } else {
        // Printable ASCII only (needs_text_repair said so).
        ascii(text)
    }
}

/// `bytes` as text, for bytes known to be ASCII.
#[inline(always)]
fn ascii(bytes: &[u8]) -> &str {
    debug_assert!(bytes.is_ascii());
    // SAFETY: callers pass ASCII only (checked just before), which is valid UTF-8. This is the
    // scan's hottest loop: validating the bytes a second time cost about a tenth of a
    // full-width scan.
    #[allow(unsafe_code)]
    unsafe {
        std::str::from_utf8_unchecked(bytes)
    }
}

/// `bytes` itself when it is valid UTF-8 (the common, ASCII case), else a repaired copy.
#[inline(always)]
pub fn valid_text<'a>(bytes: &'a [u8], repaired: &'a mut Vec<u8>) -> &'a str {
    if is_ascii(bytes) {
        return ascii(bytes);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(_) => {
            repaired.clear();
            push_lossy_utf8(bytes, repaired);
            std::str::from_utf8(repaired).expect("push_lossy_utf8 writes UTF-8")
        }
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
        assert_eq!(convert(Kind::DecodedText, b"Mozilla/5.0%2520(X11)", true, &mut s), Ok(Cell::Text("Mozilla/5.0 (X11)")));
        assert_eq!(convert(Kind::DecodedText, b"Mozilla/5.0%2520(X11)", false, &mut s), Ok(Cell::Text("Mozilla/5.0%2520(X11)")));
        assert_eq!(convert(Kind::Text, b"id=1%2527", true, &mut s), Ok(Cell::Text("id=1%2527")));
    }

    #[test]
    fn invalid_utf8_is_replaced() {
        let mut s = Scratch::default();
        assert_eq!(convert(Kind::Text, b"a\xFFb", true, &mut s), Ok(Cell::Text("a\u{FFFD}b")));
        assert_eq!(convert(Kind::DecodedText, b"a%FFb", true, &mut s), Ok(Cell::Text("a\u{FFFD}b")));
    }

    #[test]
    fn typed_values() {
        let mut s = Scratch::default();
        assert_eq!(convert(Kind::Int32, b"000", true, &mut s), Ok(Cell::I32(0)));
        assert_eq!(convert(Kind::Double, b"0.082", true, &mut s), Ok(Cell::F64(0.082)));
        assert_eq!(convert(Kind::Int64, b"18446744073709551616", true, &mut s), Err(ValueError::OutOfRange));
        assert_eq!(convert(Kind::Date, b"2019-12-04", true, &mut s), Ok(Cell::Date(18234)));
        assert_eq!(convert(Kind::Time, b"21:02:31", true, &mut s), Ok(Cell::Time(75_751_000_000)));
        assert_eq!(convert(Kind::Timestamp, b"1598574722.123", true, &mut s), Ok(Cell::Timestamp(1_598_574_722_123_000)));
    }
}
