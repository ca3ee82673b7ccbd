//! The reader's parameters: declared once ([`PATH`], [`NAMED`]: registration and documentation
//! both come from them) and read once at bind into [`ReaderOptions`]. What the scan-shaping
//! values mean is decided by the core (`format::options`); this module only takes them out of
//! DuckDB's values.

use crate::ext::capi::{BindInfo, Param, Type, Value};
use crate::format::options::OptionError;
use crate::format::scan::ScanOptions;
use crate::format::window::{format_micros, Window};

use super::error::ReadError;

/// The positional parameter: a path or glob, or a list of them.
pub const PATH: Param = Param::new("path", Type::Any).accepting("VARCHAR | VARCHAR[]");

/// The named parameters of both readers, in registration order, with what leaving each out
/// means.
pub const NAMED: &[Param] = &[
    Param::optional("format", Type::Varchar, "'auto'"),
    // A list of field names, or the preset name 'realtime'.
    Param::optional("fields", Type::Any, "NULL").accepting("VARCHAR[] | 'realtime'"),
    Param::optional("filename", Type::Boolean, "false"),
    Param::optional("ignore_errors", Type::Boolean, "false"),
    Param::optional("decode", Type::Boolean, "true"),
    Param::optional("union_by_name", Type::Boolean, "false"),
    Param::optional("max_line_size", Type::BigInt, "16777216"),
    // The window: only files that can hold requests of it are opened (their names say so,
    // format::window), only its requests returned.
    Param::optional("since", Type::TimestampTz, "NULL"),
    Param::optional("until", Type::TimestampTz, "NULL"),
];

/// The named parameters of `read_cloudfront_files`: the window alone.
pub const WINDOW: &[Param] = &[Param::optional("since", Type::TimestampTz, "NULL"), Param::optional("until", Type::TimestampTz, "NULL")];

/// Everything a call asked for.
#[derive(Clone, Debug)]
pub struct ReaderOptions {
    /// The paths and globs as given.
    pub paths: Vec<String>,
    /// `format`, `fields`, `max_line_size`.
    pub scan: ScanOptions,
    /// `filename := true`: a `filename` column after the log's columns.
    pub filename: bool,
    /// Skip (rather than fail on) lines that are not rows; every column is then checked, so
    /// which rows are skipped does not depend on the columns a query reads.
    pub ignore_errors: bool,
    /// URL-decode the fields CloudFront encodes (user agent, referer, ...).
    pub decode: bool,
    /// The schema is the union of every file's fields (else the first file's).
    pub union_by_name: bool,
    /// `since`/`until`: inputs outside it are dropped at bind; rows outside it are skipped.
    pub window: Window,
}

impl ReaderOptions {
    /// Reads every parameter of a bind.
    pub fn from_bind(info: &BindInfo<'_>) -> Result<ReaderOptions, ReadError> {
        let paths = string_list(&info.parameter(0)).map_err(|in_list| ReadError::NullPath { in_list })?;
        let mut scan = ScanOptions::default();
        if let Some(v) = info.named("format") {
            scan.set_format(&v.to_text())?;
        }
        if let Some(v) = info.named("fields") {
            let list = string_list(&v).map_err(|_| OptionError::NullField)?;
            scan.set_fields(list)?;
        }
        if let Some(v) = info.named("max_line_size") {
            scan.set_max_line_size(v.to_i64())?;
        }
        let flag = |name: &str, default: bool| info.named(name).map(|v| v.to_bool()).unwrap_or(default);
        Ok(ReaderOptions {
            paths,
            scan,
            filename: flag("filename", false),
            ignore_errors: flag("ignore_errors", false),
            decode: flag("decode", true),
            union_by_name: flag("union_by_name", false),
            window: window_of(info)?,
        })
    }
}

/// `since` and `until` of a bind (NULL or absent: no bound).
pub fn window_of(info: &BindInfo<'_>) -> Result<Window, ReadError> {
    let bound = |name: &'static str| match info.named(name) {
        None => Ok(None),
        Some(v) => v.timestamptz_micros().map(Some).ok_or(ReadError::NotATimestamp(name)),
    };
    Window::new(bound("since")?, bound("until")?).map_err(ReadError::Window)
}

/// The named arguments a bind was given, as SQL (`, name := value`), to repeat them in a
/// message (the remote-glob recipe).
pub fn named_args_sql(info: &BindInfo<'_>, params: &[Param]) -> String {
    let quote = |s: &str| format!("'{}'", s.replace('\'', "''"));
    let mut out = String::new();
    for p in params {
        let Some(v) = info.named(p.name) else { continue };
        let text = match (v.timestamptz_micros(), v.list_items()) {
            (Some(ts), _) => format!("TIMESTAMPTZ {}", quote(&format_micros(ts).replace(" UTC", "+00"))),
            (None, Some(items)) => format!("[{}]", items.iter().map(|i| quote(&i.to_text())).collect::<Vec<_>>().join(", ")),
            (None, None) if v.is_text() => quote(&v.to_text()),
            (None, None) => v.to_text(),
        };
        out.push_str(&format!(", {} := {text}", p.name));
    }
    out
}

/// A VARCHAR or a LIST of VARCHAR as strings; `Err(in_list)` for a NULL (the value itself, or
/// an item of the list).
pub fn string_list(value: &Value) -> Result<Vec<String>, bool> {
    if value.is_null() {
        return Err(false);
    }
    match value.list_items() {
        Some(items) => items.iter().map(|v| if v.is_null() { Err(true) } else { Ok(v.to_text()) }).collect(),
        None => Ok(vec![value.to_text()]),
    }
}
