//! The reader's side of `read_cloudfront(..., enrich := true)`: which schema columns feed the
//! enrichment, the row's input fields converted as the reader returns them, and writing one
//! enriched value into its output vector. What the columns mean lives in `crate::hunt::enrich`.

use crate::format::cell::{convert, Cell, Scratch as CellScratch};
use crate::format::scan::{printable, BadLine, Row};
use crate::format::schema::Schema;
use crate::hunt::attack::FAMILIES;
use crate::hunt::enrich::{self, Column, Value, INPUTS};

use super::capi::{ListOut, LogicalType, OutVector};

/// DuckDB type of an enriched column.
pub fn logical_type(ty: enrich::Type) -> LogicalType {
    match ty {
        enrich::Type::Boolean => LogicalType::boolean(),
        enrich::Type::Integer => LogicalType::integer(),
        enrich::Type::Double => LogicalType::double(),
        enrich::Type::Varchar => LogicalType::varchar(),
        enrich::Type::VarcharList => LogicalType::list(&LogicalType::varchar()),
    }
}

/// Per-thread state: the row's converted inputs (filled once per row, on the first enriched
/// column) and the enrichment scratch.
#[derive(Default)]
pub struct Enricher {
    /// Schema column of each of [`INPUTS`] (None: the logs lack the field, so it is NULL).
    columns: Option<[Option<usize>; INPUTS.len()]>,
    texts: [Vec<u8>; INPUTS.len()],
    present: [bool; INPUTS.len()],
    status: Option<i32>,
    /// Whether the current row's inputs are loaded.
    loaded: bool,
    cells: CellScratch,
    scratch: enrich::Scratch,
}

const STATUS: usize = INPUTS.len() - 1;

impl Enricher {
    /// Forgets the loaded row (call when a new row starts).
    pub fn new_row(&mut self) {
        self.loaded = false;
        self.scratch.new_row();
    }

    fn load(&mut self, schema: &Schema, r: &Row, decode: bool) -> Result<(), BadLine> {
        let columns = *self.columns.get_or_insert_with(|| INPUTS.map(|name| schema.column_named(name)));
        for (i, col) in columns.iter().enumerate() {
            self.present[i] = false;
            if i == STATUS {
                self.status = None;
            }
            let Some(raw) = col.and_then(|c| r.raw(c)) else { continue };
            let col = col.expect("raw() found the column");
            let kind = schema.columns[col].kind;
            match convert(kind, raw, decode, &mut self.cells) {
                Ok(Cell::Str(s)) => {
                    self.texts[i].clear();
                    self.texts[i].extend_from_slice(s);
                    self.present[i] = true;
                }
                Ok(Cell::I32(x)) if i == STATUS => self.status = Some(x),
                Ok(_) => {}
                Err(e) => return Err(super::read_cloudfront::conversion_bad(r, INPUTS[i], raw, e)),
            }
        }
        Ok(())
    }

    /// Writes enriched column `k` of row `r` into `row` of `out`.
    pub fn write(&mut self, k: usize, schema: &Schema, r: &Row, decode: bool, out: &mut OutVector, row: usize) -> Result<(), BadLine> {
        if !self.loaded {
            self.load(schema, r, decode)?;
            self.loaded = true;
        }
        let t = |i: usize| self.present[i].then(|| self.texts[i].as_slice());
        let input = enrich::Row {
            c_ip: t(0),
            cs_uri_stem: t(1),
            cs_uri_query: t(2),
            cs_referer: t(3),
            cs_user_agent: t(4),
            x_edge_result_type: t(5),
            x_edge_detailed_result_type: t(6),
            x_edge_location: t(7),
            sc_status: self.status,
        };
        let column: Column = enrich::COLUMNS[k].column;
        let value = enrich::compute(column, &input, &mut self.scratch)
            .map_err(|e| BadLine { line: r.line, reason: e, text: printable(r.text, 512) })?;
        match value {
            Value::Null => out.set_null(row),
            Value::Bool(b) => out.set(row, b),
            Value::Int(x) => out.set(row, x),
            Value::Double(x) => out.set(row, x),
            Value::Text(s) => out.set_str(row, s),
            Value::Families(f) => {
                // SAFETY: the column was declared LIST(VARCHAR) at bind, and DuckDB hands the scan
                // a chunk with room for a full vector of rows.
                let mut list = unsafe { ListOut::new(out.vector) };
                let mut names: [&[u8]; FAMILIES.len()] = [b""; FAMILIES.len()];
                let mut n = 0;
                for name in f.names() {
                    names[n] = name.as_bytes();
                    n += 1;
                }
                list.set_row(row, names[..n].iter().copied()).map_err(|e| BadLine { line: r.line, reason: e, text: printable(r.text, 512) })?;
            }
        }
        Ok(())
    }
}

/// `cloudfront_enriched_columns()`: name, type, description and the scalar expression of every
/// column `enrich := true` adds (what the lake holds beyond `read_cloudfront`'s columns).
pub fn register_listing(con: libduckdb_sys::duckdb_connection) -> Result<(), String> {
    use super::static_table::{register, Cell, ColumnType};
    fn rows() -> Vec<Vec<Cell>> {
        enrich::COLUMNS
            .iter()
            .map(|c| [c.name, c.ty.sql(), c.doc, c.sql].iter().map(|s| Cell::Text(s.to_string())).collect())
            .collect()
    }
    register(
        con,
        "cloudfront_enriched_columns",
        vec![("name", ColumnType::Text), ("type", ColumnType::Text), ("description", ColumnType::Text), ("expression", ColumnType::Text)],
        rows,
    )
}
