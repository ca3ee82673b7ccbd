//! Table functions that return a small, fully known table (the playbook listing, the edge
//! location catalogue, the file listing of `read_cloudfront_files`): rows are computed at bind
//! and emitted in vectors of 2048.

use std::ffi::c_void;
use std::sync::Mutex;

use libduckdb_sys as ffi;

use super::capi::{cstring, drop_box, guard, register_table_function, LogicalType, OutVector, TableFunctionDef};

/// One cell of a static table.
#[derive(Clone, Debug)]
pub enum Cell {
    Text(String),
    Double(f64),
    Bool(bool),
    /// Microseconds since the epoch, UTC.
    TimestampTz(i64),
    Null,
}

/// Column types a static table may use.
#[derive(Clone, Copy)]
pub enum ColumnType {
    Text,
    Double,
    Bool,
    TimestampTz,
}

struct Bind {
    rows: Vec<Vec<Cell>>,
}

struct Init {
    next: Mutex<usize>,
    projection: Vec<usize>,
}

/// The rows of a bind, from its parameters (an error becomes the bind's error).
type Rows = Box<dyn Fn(ffi::duckdb_bind_info) -> Result<Vec<Vec<Cell>>, String> + Send + Sync>;

/// Registered definition, kept alive by DuckDB as the function's extra info.
struct Definition {
    columns: Vec<(&'static str, ColumnType)>,
    rows: Rows,
}

unsafe extern "C" fn bind(info: ffi::duckdb_bind_info) {
    guard(
        |m| {
            let c = cstring(m);
            ffi::duckdb_bind_set_error(info, c.as_ptr())
        },
        || {
            let def = &*(ffi::duckdb_bind_get_extra_info(info) as *const Definition);
            for (name, ty) in &def.columns {
                let t = match ty {
                    ColumnType::Text => LogicalType::varchar(),
                    ColumnType::Double => LogicalType::double(),
                    ColumnType::Bool => LogicalType::boolean(),
                    ColumnType::TimestampTz => LogicalType::new(ffi::DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP_TZ),
                };
                let c = cstring(name);
                ffi::duckdb_bind_add_result_column(info, c.as_ptr(), t.0);
            }
            let rows = (def.rows)(info)?;
            ffi::duckdb_bind_set_cardinality(info, rows.len() as u64, true);
            ffi::duckdb_bind_set_bind_data(info, Box::into_raw(Box::new(Bind { rows })) as *mut c_void, Some(drop_box::<Bind>));
            Ok(())
        },
    );
}

unsafe extern "C" fn init(info: ffi::duckdb_init_info) {
    let n = ffi::duckdb_init_get_column_count(info) as usize;
    let projection = (0..n).map(|i| ffi::duckdb_init_get_column_index(info, i as u64) as usize).collect();
    let state = Box::new(Init { next: Mutex::new(0), projection });
    ffi::duckdb_init_set_init_data(info, Box::into_raw(state) as *mut c_void, Some(drop_box::<Init>));
}

unsafe extern "C" fn scan(info: ffi::duckdb_function_info, output: ffi::duckdb_data_chunk) {
    guard(
        |m| {
            let c = cstring(m);
            ffi::duckdb_function_set_error(info, c.as_ptr())
        },
        || {
            let bind = &*(ffi::duckdb_function_get_bind_data(info) as *const Bind);
            let init = &*(ffi::duckdb_function_get_init_data(info) as *const Init);
            let mut next = init.next.lock().map_err(|_| "poisoned")?;
            let start = *next;
            let end = (start + 2048).min(bind.rows.len());
            let mut outs: Vec<OutVector> =
                (0..init.projection.len()).map(|i| OutVector::new(ffi::duckdb_data_chunk_get_vector(output, i as u64))).collect();
            for (r, row) in bind.rows[start..end].iter().enumerate() {
                for (out, &col) in outs.iter_mut().zip(&init.projection) {
                    match row.get(col) {
                        Some(Cell::Text(s)) => out.set_str(r, s.as_bytes()),
                        Some(Cell::Double(d)) => out.set(r, *d),
                        Some(Cell::Bool(b)) => out.set(r, *b),
                        Some(Cell::TimestampTz(t)) => out.set(r, *t),
                        _ => out.set_null(r),
                    }
                }
            }
            *next = end;
            ffi::duckdb_data_chunk_set_size(output, (end - start) as u64);
            Ok(())
        },
    );
}

/// Registers a parameterless table function `name` producing `rows()` with `columns`.
pub fn register(
    con: ffi::duckdb_connection,
    name: &str,
    columns: Vec<(&'static str, ColumnType)>,
    rows: impl Fn() -> Vec<Vec<Cell>> + Send + Sync + 'static,
) -> Result<(), String> {
    register_with_parameters(con, name, vec![], vec![], columns, move |_| Ok(rows()))
}

/// Registers a table function `name` with parameters, whose rows `rows` computes from the bind
/// (reading the parameters from the `duckdb_bind_info` it is given).
pub fn register_with_parameters(
    con: ffi::duckdb_connection,
    name: &str,
    parameters: Vec<LogicalType>,
    named_parameters: Vec<(&str, LogicalType)>,
    columns: Vec<(&'static str, ColumnType)>,
    rows: impl Fn(ffi::duckdb_bind_info) -> Result<Vec<Vec<Cell>>, String> + Send + Sync + 'static,
) -> Result<(), String> {
    let def = Box::into_raw(Box::new(Definition { columns, rows: Box::new(rows) })) as *mut c_void;
    register_table_function(
        con,
        TableFunctionDef {
            name,
            parameters,
            named_parameters,
            bind,
            init,
            local_init: None,
            scan,
            extra_info: Some((def, drop_box::<Definition>)),
        },
    )
}
