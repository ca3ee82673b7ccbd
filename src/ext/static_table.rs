//! Table functions that return a small, fully known table (the playbook listing, the edge
//! location catalogue, the function listing, `read_cloudfront_files`): rows are
//! computed at bind and emitted in vectors.

use std::sync::Mutex;

use super::capi::{register_table, BindInfo, Connection, Error, InitInfo, OutputChunk, Signature, TableFunction, Type};
use super::catalog::Table;

/// One cell of a static table.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Text(String),
    Double(f64),
    Bool(bool),
    /// Microseconds since the epoch, UTC.
    TimestampTz(i64),
    Null,
}

/// The rows of one bind, computed from its parameters.
type Rows = Box<dyn Fn(&BindInfo<'_>) -> Result<Vec<Vec<Cell>>, Error> + Send + Sync>;

/// A table function whose rows are computed at each bind.
pub struct StaticTable {
    signature: Signature,
    columns: &'static [(&'static str, Type)],
    rows: Rows,
}

impl StaticTable {
    /// The table function `def` (without parameters; its columns VARCHAR, DOUBLE, BOOLEAN or
    /// TIMESTAMPTZ), with the rows `rows()` gives.
    pub fn new(def: &'static Table, rows: impl Fn() -> Vec<Vec<Cell>> + Send + Sync + 'static) -> Self {
        assert!(def.signature.parameters.is_empty() && def.signature.named.is_empty(), "{} has parameters", def.signature.name);
        Self::with_parameters(def, move |_: &BindInfo<'_>| Ok::<_, Error>(rows()))
    }

    /// The table function `def`, whose rows `rows` computes from the bind's parameters (its
    /// error is the query's).
    pub fn with_parameters<E: std::fmt::Display>(
        def: &'static Table,
        rows: impl Fn(&BindInfo<'_>) -> Result<Vec<Vec<Cell>>, E> + Send + Sync + 'static,
    ) -> Self {
        let columns = def.columns.expect("a static table's columns are fixed");
        let rows: Rows = Box::new(move |info: &BindInfo<'_>| rows(info).map_err(|e| Error::Function(e.to_string())));
        Self { signature: def.signature, columns, rows }
    }

    /// Registers the table function on `con`.
    pub fn register(self, con: &Connection) -> Result<(), Error> {
        register_table(con, self)
    }
}

/// Where the next scan call starts, and which columns the query reads.
pub struct Cursor {
    next: Mutex<usize>,
    projection: Vec<usize>,
}

impl TableFunction for StaticTable {
    type Bind = Vec<Vec<Cell>>;
    type Global = Cursor;
    type Local = ();
    type Error = Error;

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn bind(&self, info: &mut BindInfo<'_>) -> Result<Self::Bind, Error> {
        for (name, ty) in self.columns {
            info.add_column(name, ty);
        }
        let rows = (self.rows)(info)?;
        info.set_cardinality(rows.len() as u64, true);
        Ok(rows)
    }

    fn init(&self, info: &mut InitInfo<'_>, _bind: &Self::Bind) -> Result<Cursor, Error> {
        Ok(Cursor { next: Mutex::new(0), projection: info.projected_columns() })
    }

    fn local_init(&self, _info: &mut InitInfo<'_>, _bind: &Self::Bind) -> Result<(), Error> {
        Ok(())
    }

    fn scan(&self, rows: &Self::Bind, cursor: &Cursor, _local: &mut (), output: &mut OutputChunk<'_>) -> Result<usize, Error> {
        let mut next = cursor.next.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let start = *next;
        let end = (start + output.capacity()).min(rows.len());
        let mut columns = output.columns();
        for (r, row) in rows[start..end].iter().enumerate() {
            for (out, &col) in columns.iter_mut().zip(&cursor.projection) {
                match row.get(col) {
                    Some(Cell::Text(s)) => out.set_str(r, s),
                    Some(Cell::Double(d)) => out.set(r, *d),
                    Some(Cell::Bool(b)) => out.set(r, *b),
                    Some(Cell::TimestampTz(t)) => out.set(r, *t),
                    _ => out.set_null(r),
                }
            }
        }
        *next = end;
        Ok(end - start)
    }
}
