//! The reader's side of `read_cloudfront(..., enrich := true)`: which schema columns feed the
//! enrichment, the row's input fields converted as the reader returns them (the core's one
//! conversion), and writing one enriched value into its output vector. What the columns mean
//! lives in `crate::hunt::enrich`.

use super::capi::{Connection, Error, OutVector, Signature, Type};
use super::catalog::Table;
use super::static_table::{Cell as StaticCell, StaticTable};
use crate::format::cell::{convert, Cell, Scratch as CellScratch};
use crate::format::row::CellError;
use crate::format::scan::Row;
use crate::format::schema::Schema;
use crate::hunt::attack::FAMILIES;
use crate::hunt::enrich::{self, Column, Value, INPUTS};

/// SQL type of an enriched column.
pub fn sql_type(ty: enrich::Type) -> Type {
    match ty {
        enrich::Type::Boolean => Type::Boolean,
        enrich::Type::Integer => Type::Integer,
        enrich::Type::Double => Type::Double,
        enrich::Type::Varchar => Type::Varchar,
        enrich::Type::VarcharList => Type::List(&Type::Varchar),
    }
}

/// Why an enriched value could not be written.
#[derive(Debug)]
pub enum EnrichError {
    /// An input field did not convert (a bad line).
    Cell(CellError),
    /// The enrichment itself failed (its message).
    Compute(String),
    /// DuckDB refused to grow a list result.
    Vector(Error),
}

/// Schema columns the enrichment reads from a row (a narrow scan must still split them).
pub fn input_columns(schema: &Schema) -> impl Iterator<Item = usize> + '_ {
    INPUTS.iter().filter_map(|name| schema.column_named(name))
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

    fn load(&mut self, schema: &Schema, r: &Row, decode: bool) -> Result<(), EnrichError> {
        let columns = *self.columns.get_or_insert_with(|| INPUTS.map(|name| schema.column_named(name)));
        for (i, col) in columns.iter().enumerate() {
            self.present[i] = false;
            if i == STATUS {
                self.status = None;
            }
            let Some(col) = *col else { continue };
            let Some(raw) = r.raw(col) else { continue };
            match convert(schema.columns[col].kind, raw, decode, &mut self.cells) {
                Ok(Cell::Text(s)) => {
                    self.texts[i].clear();
                    self.texts[i].extend_from_slice(s.as_bytes());
                    self.present[i] = true;
                }
                Ok(Cell::I32(x)) if i == STATUS => self.status = Some(x),
                Ok(_) => {}
                Err(error) => return Err(EnrichError::Cell(CellError { column: Some(col), error })),
            }
        }
        Ok(())
    }

    /// Writes enriched column `k` of row `r` into `row` of `out`.
    pub fn write(
        &mut self,
        k: usize,
        schema: &Schema,
        r: &Row,
        decode: bool,
        out: &mut OutVector<'_>,
        row: usize,
    ) -> Result<(), EnrichError> {
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
        let value = enrich::compute(column, &input, &mut self.scratch).map_err(EnrichError::Compute)?;
        match value {
            Value::Null => out.set_null(row),
            Value::Bool(b) => out.set(row, b),
            Value::Int(x) => out.set(row, x),
            Value::Double(x) => out.set(row, x),
            Value::Text(s) => out.set_str(row, std::str::from_utf8(s).map_err(|e| EnrichError::Compute(e.to_string()))?),
            Value::Families(f) => {
                let mut names: [&str; FAMILIES.len()] = [""; FAMILIES.len()];
                let mut n = 0;
                for name in f.names() {
                    names[n] = name;
                    n += 1;
                }
                out.text_lists().set_row(row, names[..n].iter().copied()).map_err(EnrichError::Vector)?;
            }
        }
        Ok(())
    }
}

/// `cloudfront_enriched_columns()`.
pub const LISTING: Table = Table {
    signature: Signature { name: "cloudfront_enriched_columns", parameters: &[], named: &[] },
    columns: Some(&[("name", Type::Varchar), ("type", Type::Varchar), ("description", Type::Varchar), ("expression", Type::Varchar)]),
    description: "Every column read_cloudfront(..., enrich := true) adds: name, type, description and the scalar expression over read_cloudfront's columns that computes the same value.",
    example: "SELECT name, type FROM cloudfront_enriched_columns()",
};

/// Registers `cloudfront_enriched_columns()`.
pub fn register_listing(con: &Connection) -> Result<(), Error> {
    fn rows() -> Vec<Vec<StaticCell>> {
        enrich::COLUMNS
            .iter()
            .map(|c| [c.name, c.ty.sql(), c.doc, c.sql].iter().map(|s| StaticCell::Text(s.to_string())).collect())
            .collect()
    }
    StaticTable::new(&LISTING, rows).register(con)
}
