//! What can stop a read: typed where it arises, and formatted here, in one place, with the
//! `read_cloudfront: "{file}"` prefix (and line) that names where it happened.

use std::fmt;
use std::io;

use crate::ext::files::{ExpandError, OpenError};
use crate::format::options::OptionError;
use crate::format::reject::{printable, BadLine};
use crate::format::scan::ScanError;

/// Why a `read_cloudfront` (or `read_cloudfront_rejects`) call fails.
#[derive(Debug)]
pub enum ReadError {
    /// A parameter is not valid (its message says which and why).
    Option(OptionError),
    /// The path parameter is NULL or holds a NULL.
    NullPath { in_list: bool },
    /// The paths name no readable input.
    Paths(ExpandError),
    /// `since`/`until` given as something else than a TIMESTAMPTZ (which parameter).
    NotATimestamp(&'static str),
    /// `since`/`until` that make no window (the message says why).
    Window(String),
    /// `fields :=` names more unknown fields than become columns.
    UnreadFields(usize),
    /// `filename := true` with logs that have a field of that name.
    FilenameClash,
    /// A whole file cannot be read.
    File { path: String, cause: FileError },
    /// A line that is not a row, when errors are not ignored.
    Line { path: String, bad: BadLine },
}

/// Why a whole file cannot be read.
#[derive(Debug)]
pub enum FileError {
    Open(OpenError),
    /// Reading its start (compression detection) or returning to it failed.
    Io(io::Error),
    /// The scan failed: the stream (`Io`: corrupt or truncated gzip) or its layout.
    Scan(ScanError),
    /// A range of a split file could not be located.
    Range(String),
}

impl ReadError {
    /// An error about the file shown as `path`.
    pub fn file(path: &str, cause: FileError) -> ReadError {
        ReadError::File { path: path.to_string(), cause }
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileError::Open(e) => e.fmt(f),
            FileError::Io(e) => e.fmt(f),
            FileError::Scan(ScanError::Io(e)) => write!(f, "cannot read (corrupt or truncated gzip?): {e}"),
            FileError::Scan(e) => e.fmt(f),
            FileError::Range(e) => f.write_str(e),
        }
    }
}

/// The `read_cloudfront: "{path}"` prefix (control characters in the name escaped).
struct Prefix<'a>(&'a str);

impl fmt::Display for Prefix<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "read_cloudfront: \"{}\"", printable(self.0.as_bytes(), usize::MAX))
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Option(e) => e.fmt(f),
            ReadError::NullPath { in_list: false } => f.write_str(
                "the path must not be NULL (a getvariable() that is not set, or a list(file) of a glob() that matched nothing?)",
            ),
            ReadError::NullPath { in_list: true } => f.write_str("the path must not contain NULL"),
            ReadError::Paths(e) => e.fmt(f),
            ReadError::NotATimestamp(name) => write!(f, "{name} must be a TIMESTAMPTZ"),
            ReadError::Window(message) => f.write_str(message),
            ReadError::UnreadFields(n) => write!(
                f,
                "fields names {n} more unknown field(s) than the {} that become columns",
                crate::format::schema::MAX_UNKNOWN_COLUMNS
            ),
            ReadError::FilenameClash => f.write_str(
                "read_cloudfront: the logs have a field named \"filename\", so filename := true cannot add its own column of \
                 that name; read the field as is, or use read_cloudfront_rejects / glob() to get file names",
            ),
            ReadError::File { path, cause } => write!(f, "{}: {cause}", Prefix(path)),
            ReadError::Line { path, bad } => write!(
                f,
                "{} line {}: {}\n  line: {}\n(use ignore_errors := true to skip bad lines; read_cloudfront_rejects(...) lists them)",
                Prefix(path),
                bad.line,
                bad.reason,
                bad.text
            ),
        }
    }
}

impl std::error::Error for ReadError {}

impl From<OptionError> for ReadError {
    fn from(e: OptionError) -> Self {
        ReadError::Option(e)
    }
}

impl From<ExpandError> for ReadError {
    fn from(e: ExpandError) -> Self {
        ReadError::Paths(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::reject::ErrorKind;

    #[test]
    fn file_and_line_are_named_with_control_characters_escaped() {
        let bad = BadLine::new(7, ErrorKind::MissingFields, "expected 3 fields, found 2".into(), b"a\tb");
        let e = ReadError::Line { path: "logs/x\x1b.gz".into(), bad };
        assert_eq!(
            e.to_string(),
            "read_cloudfront: \"logs/x\\x1b.gz\" line 7: expected 3 fields, found 2\n  line: a\tb\n\
             (use ignore_errors := true to skip bad lines; read_cloudfront_rejects(...) lists them)"
        );
        let io = io::Error::new(io::ErrorKind::UnexpectedEof, "unexpected end of file");
        let e = ReadError::file("a.gz", FileError::Scan(ScanError::Io(io)));
        assert_eq!(e.to_string(), "read_cloudfront: \"a.gz\": cannot read (corrupt or truncated gzip?): unexpected end of file");
    }
}
