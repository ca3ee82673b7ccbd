//! `read_cloudfront_files(paths, since := ..., until := ...)`: the files `read_cloudfront` would
//! open for the same arguments, one row per file the paths name, with whether it is selected
//! and why (`format::window`). A dry run before a large read, and the place where pruning by
//! `since`/`until` is visible: `count(*) FILTER (WHERE NOT selected)` files are never opened.

use libduckdb_sys as ffi;

use super::capi::{LogicalType, Value};
use super::files::{expand, ClientContext, Input, PathSettings, Recipe};
use super::read_cloudfront::{named_args_sql, string_list, window_of};
use super::static_table::{register_with_parameters, Cell, ColumnType};
use crate::format::window::decide;

fn rows(info: ffi::duckdb_bind_info) -> Result<Vec<Vec<Cell>>, String> {
    let paths = string_list(&Value(unsafe { ffi::duckdb_bind_get_parameter(info, 0) }), "the path")?;
    let window = window_of(info)?;
    let context = {
        let mut ctx: ffi::duckdb_client_context = std::ptr::null_mut();
        unsafe { ffi::duckdb_table_function_get_client_context(info, &mut ctx) };
        (!ctx.is_null()).then_some(ClientContext(ctx))
    };
    let settings = context.as_ref().map(PathSettings::from_context).unwrap_or_default();
    let recipe = Recipe { function: "read_cloudfront_files", named_args: named_args_sql(info, &["since", "until"]) };
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

pub fn register_read_cloudfront_files(con: ffi::duckdb_connection) -> Result<(), String> {
    register_with_parameters(
        con,
        "read_cloudfront_files",
        vec![LogicalType::new(ffi::DUCKDB_TYPE_DUCKDB_TYPE_ANY)],
        vec![
            ("since", LogicalType::new(ffi::DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP_TZ)),
            ("until", LogicalType::new(ffi::DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP_TZ)),
        ],
        vec![
            ("filename", ColumnType::Text),
            ("selected", ColumnType::Bool),
            ("period_start", ColumnType::TimestampTz),
            ("period_end", ColumnType::TimestampTz),
            ("period_source", ColumnType::Text),
            ("reason", ColumnType::Text),
        ],
        rows,
    )
}
