//! Refused lines: what kind of problem a bad line has ([`ErrorKind`], the `error_type` column of
//! `read_cloudfront_rejects`), and the line as reported ([`BadLine`]).

use std::fmt;

use super::value::ValueError;

/// Why a line cannot be a row, as a stable name users can filter on.
///
/// Modelled on the `error_type` of DuckDB's CSV rejects table: DuckDB's `MISSING COLUMNS`,
/// `TOO MANY COLUMNS` and `LINE SIZE OVER MAXIMUM` are `missing_fields`, `extra_fields` and
/// `line_too_long` here, and its one `CAST` is split by the type that did not convert.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// Fewer tab-separated fields than the `#Fields:` header (or `fields :=`) names.
    MissingFields,
    /// More fields than the header names (one trailing empty field is tolerated).
    ExtraFields,
    /// Longer than `max_line_size`.
    LineTooLong,
    /// A data line before any `#Fields:` header of a standard log.
    NoHeader,
    /// Only TABs and spaces: field separators without values.
    BlankFields,
    /// A `#Fields:` header naming more unknown fields than become columns (the header still
    /// applies; the values of the fields beyond the cap are not read).
    UnreadFields,
    /// A JSON line that does not parse as one flat object.
    InvalidJson,
    /// A JSON line bringing more distinct keys than a file may use.
    TooManyJsonKeys,
    /// An integer field (status, port, byte count) that is not an integer.
    BadInteger,
    /// An integer out of its column's range.
    IntegerOutOfRange,
    /// A decimal field (time-taken, ...) that is not a number.
    BadNumber,
    /// A date that is not a valid `YYYY-MM-DD`.
    BadDate,
    /// A time that is not a valid `HH:MM:SS`.
    BadTime,
    /// An epoch timestamp that is not `seconds[.fraction]`.
    BadTimestamp,
}

impl ErrorKind {
    /// Every kind, in documentation order.
    pub const ALL: [ErrorKind; 14] = [
        ErrorKind::MissingFields,
        ErrorKind::ExtraFields,
        ErrorKind::LineTooLong,
        ErrorKind::NoHeader,
        ErrorKind::BlankFields,
        ErrorKind::UnreadFields,
        ErrorKind::InvalidJson,
        ErrorKind::TooManyJsonKeys,
        ErrorKind::BadInteger,
        ErrorKind::IntegerOutOfRange,
        ErrorKind::BadNumber,
        ErrorKind::BadDate,
        ErrorKind::BadTime,
        ErrorKind::BadTimestamp,
    ];

    /// The name shown in the `error_type` column.
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::MissingFields => "missing_fields",
            ErrorKind::ExtraFields => "extra_fields",
            ErrorKind::LineTooLong => "line_too_long",
            ErrorKind::NoHeader => "no_header",
            ErrorKind::BlankFields => "blank_fields",
            ErrorKind::UnreadFields => "unread_fields",
            ErrorKind::InvalidJson => "invalid_json",
            ErrorKind::TooManyJsonKeys => "too_many_json_keys",
            ErrorKind::BadInteger => "bad_integer",
            ErrorKind::IntegerOutOfRange => "integer_out_of_range",
            ErrorKind::BadNumber => "bad_number",
            ErrorKind::BadDate => "bad_date",
            ErrorKind::BadTime => "bad_time",
            ErrorKind::BadTimestamp => "bad_timestamp",
        }
    }

    /// The kind of a value that did not convert.
    pub fn of_value(e: ValueError) -> ErrorKind {
        match e {
            ValueError::Integer => ErrorKind::BadInteger,
            ValueError::OutOfRange => ErrorKind::IntegerOutOfRange,
            ValueError::Decimal => ErrorKind::BadNumber,
            ValueError::Date => ErrorKind::BadDate,
            ValueError::Time => ErrorKind::BadTime,
            ValueError::Epoch => ErrorKind::BadTimestamp,
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A line that cannot be a row, as reported: its number, kind, reason and text.
#[derive(Debug, Clone, PartialEq)]
pub struct BadLine {
    /// 1-based line number in the (decompressed) file.
    pub line: u64,
    pub kind: ErrorKind,
    /// What is wrong, for people (`expected 33 fields, found 20`).
    pub reason: String,
    /// The line as text (lossy, control characters escaped), cut to a readable length.
    pub text: String,
}

/// How much of a refused line its report shows.
pub const BAD_TEXT_LIMIT: usize = 512;

impl BadLine {
    /// A bad line with its text made printable and cut to [`BAD_TEXT_LIMIT`] bytes.
    pub fn new(line: u64, kind: ErrorKind, reason: String, text: &[u8]) -> BadLine {
        BadLine { line, kind, reason, text: printable(text, BAD_TEXT_LIMIT) }
    }
}

/// Log text made safe to show in an error message or terminal: at most `limit` bytes, invalid
/// UTF-8 replaced, and control characters (ESC of terminal escape sequences, NUL, ...) written
/// as `\xNN`, since logged user agents are attacker-controlled. Tabs stay tabs.
pub fn printable(text: &[u8], limit: usize) -> String {
    let cut = &text[..text.len().min(limit)];
    let lossy = String::from_utf8_lossy(cut);
    let mut out = String::with_capacity(lossy.len());
    for c in lossy.chars() {
        if (c.is_control() && c != '\t') || c == '\u{7f}' {
            for b in c.to_string().bytes() {
                out.push_str(&format!("\\x{b:02x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_snake_case() {
        let mut names: Vec<&str> = ErrorKind::ALL.iter().map(|k| k.name()).collect();
        assert!(names.iter().all(|n| n.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')));
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ErrorKind::ALL.len());
    }

    #[test]
    fn value_errors_have_their_kind() {
        assert_eq!(ErrorKind::of_value(ValueError::Date), ErrorKind::BadDate);
        assert_eq!(ErrorKind::of_value(ValueError::OutOfRange), ErrorKind::IntegerOutOfRange);
        assert_eq!(ErrorKind::of_value(ValueError::Decimal), ErrorKind::BadNumber);
    }

    #[test]
    fn printable_escapes_control_characters() {
        assert_eq!(printable(b"ok\x1b[31mred\x00\tx", 100), "ok\\x1b[31mred\\x00\tx");
        assert_eq!(printable(b"abcdef", 3), "abc");
        assert_eq!(printable(b"a\xffb", 10), "a\u{FFFD}b");
    }
}
