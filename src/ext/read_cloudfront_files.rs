//! `read_cloudfront_files(paths, since := ..., until := ...)`: the files `read_cloudfront` would
//! open for the same arguments, one row per file the paths name, with whether it is selected
//! and why (`format::window`). A dry run before a large read, and the place where pruning by
//! `since`/`until` is visible: `count(*) FILTER (WHERE NOT selected)` files are never opened.

use super::capi::{BindInfo, Connection, Error, Signature, Type};
use super::catalog::Table;
use super::files::{expand, Input, PathSettings, Recipe};
use super::read_cloudfront::options::{named_args_sql, string_list, window_of, PATH, WINDOW};
use super::read_cloudfront::ReadError;
use super::static_table::{Cell, StaticTable};
use crate::format::window::decide;

/// `read_cloudfront_files`' definition.
pub const FILES: Table = Table {
    signature: Signature { name: "read_cloudfront_files", parameters: &[PATH], named: WINDOW },
    columns: Some(&[
        ("filename", Type::Varchar),
        ("selected", Type::Boolean),
        ("period_start", Type::TimestampTz),
        ("period_end", Type::TimestampTz),
        ("period_source", Type::Varchar),
        ("reason", Type::Varchar),
    ]),
    description: "The files read_cloudfront would read for the same paths and window (a dry run): filename, selected, period_start, period_end, period_source (file name or path partition), reason.",
    example: "SELECT filename, selected, reason FROM read_cloudfront_files('test/data/eras/*', since := TIMESTAMPTZ '2016-01-01 00:00:00+00')",
};

fn rows(info: &BindInfo<'_>) -> Result<Vec<Vec<Cell>>, ReadError> {
    let paths = string_list(&info.parameter(0)).map_err(|in_list| ReadError::NullPath { in_list })?;
    let window = window_of(info)?;
    let settings = info.client_context().as_ref().map(PathSettings::from_context).unwrap_or_default();
    let recipe = Recipe { function: FILES.signature.name, named_args: named_args_sql(info, WINDOW) };
    let inputs = expand(&paths, &settings, &recipe)?;
    Ok(inputs
        .iter()
        .map(|input: &Input| {
            let shown = input.shown();
            let d = decide(&shown, &window);
            let (start, end, source) = match d.period {
                Some(p) => (Cell::TimestampTz(p.start), Cell::TimestampTz(p.end), Cell::Text(p.source.as_str().into())),
                None => (Cell::Null, Cell::Null, Cell::Null),
            };
            vec![Cell::Text(shown), Cell::Bool(d.selected), start, end, source, Cell::Text(d.reason)]
        })
        .collect())
}

/// Registers `read_cloudfront_files`.
pub fn register(con: &Connection) -> Result<(), Error> {
    StaticTable::with_parameters(&FILES, rows).register(con)
}
