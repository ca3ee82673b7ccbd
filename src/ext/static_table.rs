//! Table functions that return a small, fully known table (the playbook listing, the edge
//! location catalogue, the function listing): rows are computed at bind and emitted in vectors.

use std::sync::Mutex;

use super::capi::{register_table, BindInfo, Connection, Error, InitInfo, OutputChunk, Signature, TableFunction, Type};
use super::catalog::Table;

/// One cell of a static table.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Text(String),
    Double(f64),
    Null,
}

/// A parameterless table function whose rows are computed by `rows` at each bind.
pub struct StaticTable {
    signature: Signature,
    columns: &'static [(&'static str, Type)],
    rows: Box<dyn Fn() -> Vec<Vec<Cell>> + Send + Sync>,
}

impl StaticTable {
    /// The table function `def` (without parameters; its columns VARCHAR or DOUBLE), with the
    /// rows `rows()` gives.
    pub fn new(def: &'static Table, rows: impl Fn() -> Vec<Vec<Cell>> + Send + Sync + 'static) -> Self {
        assert!(def.signature.parameters.is_empty() && def.signature.named.is_empty(), "a static table has no parameters");
        let columns = def.columns.expect("a static table's columns are fixed");
        Self { signature: def.signature, columns, rows: Box::new(rows) }
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
        let rows = (self.rows)();
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
                    _ => out.set_null(r),
                }
            }
        }
        *next = end;
        Ok(end - start)
    }
}
