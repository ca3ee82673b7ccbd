//! `read_cloudfront(paths, ...)` and `read_cloudfront_rejects(paths, ...)`: one table function
//! type ([`ReadCloudfront`]) with two modes, split by concern:
//!
//! - [`options`]: the parameters, declared once and read once into [`ReaderOptions`];
//! - bind (here): paths expanded (`ext::files`), headers sampled, the schema fixed and declared;
//! - [`plan`]: the units the threads claim (whole files, or ranges of large plain files);
//! - [`fill`]: the scan loop, converting through the core's `format::row` into the vectors;
//! - [`rejects`]: the rejects listing's columns;
//! - [`error`]: every failure, typed, with the file (and line) named in one place.

pub mod error;
pub mod fill;
pub mod options;
pub mod plan;
pub mod rejects;

use std::io::Read;
use std::sync::{Arc, Mutex};

use crate::ext::capi::{register_table, BindInfo, ClientContext, Connection, Error, InitInfo, OutputChunk, Signature, TableFunction, Type};
use crate::ext::catalog::Table;
use crate::ext::files::{expand, Input, PathSettings, RawFile, Recipe};
use crate::format::fields::Kind;
use crate::format::row::Output;
use crate::format::scan::{sample_fields, ScanOptions};
use crate::format::schema::Schema;
use crate::format::source::open_text;
use crate::format::window::decide;

pub use error::{FileError, ReadError};
pub use fill::YIELD_BYTES;
pub use options::ReaderOptions;

use fill::Local;
use plan::{Parked, Units};

/// Which of the two functions a registration serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `read_cloudfront`: the rows.
    Rows,
    /// `read_cloudfront_rejects`: the lines a scan refuses, and why.
    Rejects,
}

/// `read_cloudfront`'s definition.
pub const ROWS: Table = Table {
    signature: Signature { name: "read_cloudfront", parameters: &[options::PATH], named: options::NAMED },
    columns: None,
    description: "Reads CloudFront standard (legacy, v2 W3C), v2 JSON and real-time logs, gzip or plain, into typed columns with a fused UTC timestamp. since (inclusive) / until (exclusive) TIMESTAMPTZ open only the files whose names can hold requests of that window and keep only its requests.",
    example: "SELECT c_ip, count(*) FROM read_cloudfront('test/data/standard/*') GROUP BY ALL",
};

/// `read_cloudfront_rejects`' definition.
pub const REJECTS: Table = Table {
    signature: Signature { name: "read_cloudfront_rejects", parameters: &[options::PATH], named: options::NAMED },
    columns: Some(rejects::COLUMNS),
    description: "The lines a read_cloudfront scan refuses: filename, line, error_type (missing_fields, bad_integer, ...), reason, text.",
    example: "SELECT * FROM read_cloudfront_rejects('test/data/bad/bad-lines.log')",
};

/// Registers both functions.
pub fn register(con: &Connection) -> Result<(), Error> {
    register_table(con, ReadCloudfront { mode: Mode::Rows })?;
    register_table(con, ReadCloudfront { mode: Mode::Rejects })
}

/// The table function, in one of its modes.
pub struct ReadCloudfront {
    mode: Mode,
}

/// What bind learns, shared by every thread of the scan.
pub struct Bind {
    pub mode: Mode,
    pub options: ReaderOptions,
    /// The scan options every scanner shares (`options.scan`).
    pub scan: Arc<ScanOptions>,
    pub inputs: Vec<Input>,
    /// Each input's name for the `filename` column and messages (`Input::shown`).
    pub shown: Vec<String>,
    /// Inputs opened at bind to read their header, kept for the scan.
    pub opened: Parked,
    pub schema: Arc<Schema>,
    /// The query's context, kept when an input is remote (opened through DuckDB's file system).
    pub context: Option<ClientContext>,
}

impl Bind {
    /// What output column `id` (in declaration order) of `read_cloudfront` shows.
    fn output(&self, id: usize) -> Output {
        fill::output_of(id, self.schema.columns.len(), self.options.filename)
    }
}

/// Most inputs whose file bind keeps open for the scan (with `union_by_name` bind reads every
/// input's header; the rest are opened again by the scan rather than holding a descriptor each).
const KEEP_OPEN: usize = 16;

/// The SQL type of a column of kind `kind`.
pub fn sql_type(kind: Kind) -> Type {
    match kind {
        Kind::Timestamp => Type::TimestampTz,
        Kind::Date => Type::Date,
        Kind::Time => Type::Time,
        Kind::Int32 => Type::Integer,
        Kind::Int64 => Type::BigInt,
        Kind::Double => Type::Double,
        Kind::Text | Kind::DecodedText => Type::Varchar,
    }
}

/// Reads through a borrowed file, so that bind can sample a header and keep the file.
struct ByRef<'a>(&'a mut RawFile);

impl Read for ByRef<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.read(buf)
    }
}

impl ReadCloudfront {
    fn definition(&self) -> &'static Table {
        match self.mode {
            Mode::Rows => &ROWS,
            Mode::Rejects => &REJECTS,
        }
    }
}

impl TableFunction for ReadCloudfront {
    type Bind = Bind;
    type Global = Units;
    type Local = Local;
    type Error = ReadError;

    fn signature(&self) -> &Signature {
        &self.definition().signature
    }

    fn bind(&self, info: &mut BindInfo<'_>) -> Result<Bind, ReadError> {
        let options = ReaderOptions::from_bind(info)?;
        let context = info.client_context();
        let settings = context.as_ref().map(PathSettings::from_context).unwrap_or_default();
        let recipe = Recipe { function: self.definition().signature.name, named_args: options::named_args_sql(info, options::NAMED) };
        let mut inputs = expand(&options.paths, &settings, &recipe)?;
        // Only the files whose names say they can hold requests of the window are opened
        // (`read_cloudfront_files` lists the decision for each).
        if !options.window.is_unbounded() {
            inputs.retain(|input| decide(&input.shown(), &options.window).selected);
        }
        let shown: Vec<String> = inputs.iter().map(Input::shown).collect();
        // Remote inputs are opened through the context; local ones need it no further.
        let context = if inputs.iter().any(Input::is_remote) { context } else { None };

        // The schema: core columns plus what the sampled headers name. Each sampled file stays
        // open for the scan (up to KEEP_OPEN of them).
        let sample_count = if options.union_by_name { inputs.len() } else { inputs.len().min(1) };
        let mut samples = Vec::new();
        let opened: Parked = (0..inputs.len()).map(|_| Mutex::new(None)).collect();
        for (i, input) in inputs[..sample_count].iter().enumerate() {
            let fail = |cause| ReadError::file(&shown[i], cause);
            let mut raw = RawFile::open(input, context.as_ref()).map_err(|e| fail(FileError::Open(e)))?;
            let text = open_text(ByRef(&mut raw)).map_err(|e| fail(FileError::Io(e)))?;
            samples.extend(sample_fields(text, &options.scan).map_err(|e| fail(FileError::Scan(e)))?);
            if i < KEEP_OPEN {
                *opened[i].lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(raw);
            }
        }
        let schema = Schema::from_field_lists(samples.iter().map(|(f, fam)| (f.as_slice(), *fam)));
        if let Some(fields) = &options.scan.fields {
            let unread = schema.field_map(fields, options.scan.family).unread_unknown;
            if unread > 0 {
                return Err(ReadError::UnreadFields(unread));
            }
        }

        match self.mode {
            Mode::Rows => {
                for col in &schema.columns {
                    info.add_column(&col.name, &sql_type(col.kind));
                }
                if options.filename {
                    if schema.column_named("filename").is_some() {
                        return Err(ReadError::FilenameClash);
                    }
                    info.add_column("filename", &Type::Varchar);
                }
            }
            Mode::Rejects => {
                for (name, ty) in rejects::COLUMNS {
                    info.add_column(name, ty);
                }
            }
        }

        // Estimate: about 8x gzip ratio and 400 bytes a line; guides DuckDB's join planning only.
        let bytes: u64 = inputs.iter().filter_map(Input::local_size).sum();
        info.set_cardinality((bytes * 8 / 400).max(1), false);

        Ok(Bind {
            mode: self.mode,
            scan: Arc::new(options.scan.clone()),
            options,
            inputs,
            shown,
            opened,
            schema: Arc::new(schema),
            context,
        })
    }

    fn init(&self, info: &mut InitInfo<'_>, bind: &Bind) -> Result<Units, ReadError> {
        let units = Units::plan(&bind.inputs, &bind.scan);
        info.set_max_threads(units.len().max(1) as u64);
        Ok(units)
    }

    fn local_init(&self, info: &mut InitInfo<'_>, bind: &Bind) -> Result<Local, ReadError> {
        Ok(Local::new(bind, &info.projected_columns()))
    }

    fn scan(&self, bind: &Bind, units: &Units, local: &mut Local, output: &mut OutputChunk<'_>) -> Result<usize, ReadError> {
        fill::fill(bind, units, local, output)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_readers_take_the_same_parameters() {
        assert_eq!(ROWS.signature.named, REJECTS.signature.named);
        let text = ROWS.signature.text();
        assert!(text.starts_with("read_cloudfront(path VARCHAR | VARCHAR[], format := 'auto', fields := NULL"), "{text}");
        assert!(text.ends_with("max_line_size := 16777216, since := NULL, until := NULL)"), "{text}");
    }

    #[test]
    fn column_types_follow_the_field_kinds() {
        assert_eq!(sql_type(Kind::Timestamp).sql(), "TIMESTAMP WITH TIME ZONE");
        assert_eq!(sql_type(Kind::DecodedText), Type::Varchar);
        assert_eq!(sql_type(Kind::Int64), Type::BigInt);
    }
}
