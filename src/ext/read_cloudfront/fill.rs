//! The fill loop: each scanning thread claims units, pulls events from their scanners and
//! converts rows straight into the output vectors (through the core's `format::row::RowWriter`,
//! the one conversion path), or, for `read_cloudfront_rejects`, writes the lines a scan would
//! refuse.
//!
//! Interrupts. DuckDB checks for an interrupt between the chunks a table function returns, and
//! the C API gives a table function no way to observe one itself; returning an empty chunk ends
//! the scan. So every scan call returns as soon as it has consumed [`YIELD_BYTES`] of input with
//! at least one row to hand back (rows, or rejected lines for the rejects listing), instead of
//! filling a whole vector first; the work between two returns is bounded by that and by the
//! input that yields nothing at all (bad lines skipped by `ignore_errors`, rows outside
//! `since`/`until`, good lines in the rejects listing, blank lines), which only finite inputs can reach: streams that might never
//! end (FIFOs, devices) are refused (`ext::files`), the index of a large split file is learned
//! one range at a time (`format::split`), and bind reads a bounded number of header lines per
//! file.

use std::sync::Arc;

use crate::format::fields::DATE;

use crate::ext::capi::{LongStrings, OutVector, OutputChunk};
use crate::ext::enriched::{self, EnrichError, Enricher};
use crate::format::row::{CellError, Check, Discard, Output, RowWriter, Sink};
use crate::format::scan::{Event, Row};

use super::error::{FileError, ReadError};
use super::plan::{Scanner, Units};
use super::{rejects, Bind, Mode};

/// Input a scan call consumes before it returns the rows it has (see the module
/// documentation on interrupts): a few milliseconds of scanning.
pub const YIELD_BYTES: u64 = 4 << 20;

/// Most bytes of output vectors a scan call fills. The vectors are written row by row, a value
/// in each column, and DuckDB reads them right after: kept within a core's L2 cache (512 KiB
/// on the machines measured, half of it left for the text being split), they are not written
/// back to memory and fetched again. Every column of a standard log takes 436 bytes a row, so a
/// full-width scan fills 601 rows a call instead of 2,048 (about 900 KB); a narrow one still
/// fills whole chunks.
const CHUNK_BYTES: usize = 256 << 10;

/// Fewest rows a scan call fills when it can (below that DuckDB's own work per chunk grows).
const MIN_ROWS: usize = 256;

/// Rows a scan call fills: as many as fit in `CHUNK_BYTES` at `row_bytes` a row, at least
/// `MIN_ROWS`, at most the chunk's `room`.
fn rows_per_call(row_bytes: usize, room: usize) -> usize {
    (CHUNK_BYTES / row_bytes.max(1)).max(MIN_ROWS).min(room)
}

/// One scanning thread's state.
pub struct Local {
    /// Converts rows: into the projected columns (`read_cloudfront`), or only checks them
    /// (`read_cloudfront_rejects`, no outputs).
    writer: RowWriter,
    /// `read_cloudfront_rejects`: which of `rejects::COLUMNS` each output is.
    reject_columns: Vec<usize>,
    /// `enrich := true`: (output, enriched column) of each projected enriched column.
    enriched: Vec<(usize, usize)>,
    enricher: Enricher,
    /// The schema columns rows are read for, when not every column is checked: the scanners
    /// split only the fields those need (`FileScanner::read_only`).
    reads: Option<Arc<[usize]>>,
    /// Per output column, the long strings of the chunk being filled, copied into the vector's
    /// heap at once when the chunk is handed back (`OutVector::set_str_gathered`).
    long: Vec<LongStrings>,
    /// The unit being read: its input's index and scanner.
    current: Option<(usize, Scanner)>,
    /// `scanner.consumed()` when last looked at.
    consumed_mark: u64,
}

impl Local {
    /// The state of a thread whose output columns are `projected` (indices of the declared
    /// columns, in output order).
    pub fn new(bind: &Bind, projected: &[usize]) -> Local {
        let enriched = match bind.mode {
            Mode::Rows => projected.iter().enumerate().filter_map(|(out, &id)| bind.enriched(id).map(|k| (out, k))).collect(),
            Mode::Rejects => Vec::new(),
        };
        let (outputs, reject_columns) = match bind.mode {
            Mode::Rows => (projected.iter().map(|&id| bind.output(id)).collect(), Vec::new()),
            Mode::Rejects => (Vec::new(), projected.to_vec()),
        };
        // With ignore_errors (and for the rejects listing) every column is checked, so whether a
        // row is refused does not depend on the columns the query reads.
        let check = if bind.options.ignore_errors || bind.mode == Mode::Rejects { Check::Every } else { Check::Shown };
        // since/until read every row's time (`in_window`) whatever the query shows: `date` brings
        // the fields the fused timestamp is made of (see `format::scan::fields_needed`).
        let window = (!bind.options.window.is_unbounded()).then_some(DATE);
        // Enriched columns are computed from the row's input fields (`enriched::input_columns`).
        let enrich_inputs = (!enriched.is_empty()).then(|| enriched::input_columns(&bind.schema)).into_iter().flatten();
        let reads = (check == Check::Shown).then(|| {
            outputs
                .iter()
                .filter_map(|o| if let Output::Column(c) = *o { Some(c) } else { None })
                .chain(window)
                .chain(enrich_inputs)
                .collect::<Arc<[usize]>>()
        });
        Local {
            reads,
            long: projected.iter().map(|_| LongStrings::default()).collect(),
            writer: RowWriter::new(bind.schema.clone(), outputs, check, bind.options.decode),
            reject_columns,
            enriched,
            enricher: Enricher::default(),
            current: None,
            consumed_mark: 0,
        }
    }
}

/// Fills up to one chunk of rows (fewer when the projection is wide: `CHUNK_BYTES`); 0 means
/// the scan is over for this thread. Returns early, with fewer rows, once `YIELD_BYTES` of input
/// were consumed (so DuckDB can check for an interrupt), provided there is at least one row: an
/// empty chunk would end the scan.
pub fn fill(bind: &Bind, units: &Units, local: &mut Local, output: &mut OutputChunk<'_>) -> Result<usize, ReadError> {
    let room = output.capacity();
    let mut columns = output.columns();
    let capacity = rows_per_call(columns.iter().map(OutVector::entry_bytes).sum(), room);
    for long in &mut local.long {
        long.clear();
    }
    let mut row = 0;
    let mut spent = 0u64;
    while row < capacity {
        if row > 0 && spent >= YIELD_BYTES {
            break;
        }
        if local.current.is_none() {
            let Some(unit) = units.claim() else { break };
            let mut scanner = units.open(bind, unit)?;
            scanner.read_only(local.reads.clone());
            local.current = Some((unit.file, scanner));
            local.consumed_mark = 0;
        }
        let Some((file, scanner)) = local.current.as_mut() else { break };
        let path = &bind.shown[*file];
        let consumed = scanner.consumed();
        spent += consumed - local.consumed_mark;
        local.consumed_mark = consumed;
        let event = scanner.next_event().map_err(|e| ReadError::file(path, FileError::Scan(e)))?;
        match (event, bind.mode) {
            (Event::End, _) => local.current = None,
            (Event::Bad(bad), Mode::Rejects) => {
                rejects::write(&mut columns, &local.reject_columns, row, path, &bad.to_bad_line());
                row += 1;
            }
            (Event::Bad(_), Mode::Rows) if bind.options.ignore_errors => {}
            (Event::Bad(bad), Mode::Rows) => return Err(ReadError::Line { path: path.clone(), bad: bad.to_bad_line() }),
            // since/until: a row outside the window (or without a time) is not read at all;
            // one whose time cannot be read is a bad line like any other.
            (Event::Row(r), mode)
                if !bind.options.window.is_unbounded()
                    && !in_window(bind, &r, mode, &mut columns, &local.reject_columns, &mut row, path)? => {}
            (Event::Row(r), Mode::Rows) => {
                let mut written = local.writer.write(&r, path, &mut Vectors(&mut columns, &mut local.long), row).map_err(EnrichError::Cell);
                if written.is_ok() && !local.enriched.is_empty() {
                    local.enricher.new_row();
                    for &(out, k) in &local.enriched {
                        written = local.enricher.write(k, &bind.schema, &r, bind.options.decode, &mut columns[out], row);
                        if written.is_err() {
                            break;
                        }
                    }
                }
                match written {
                    Ok(()) => row += 1,
                    Err(EnrichError::Cell(_)) if bind.options.ignore_errors => {
                        // The slot is written again by the next row.
                        for long in &mut local.long {
                            long.forget_row(row);
                        }
                    }
                    Err(EnrichError::Cell(e)) => return Err(ReadError::Line { path: path.clone(), bad: e.to_bad_line(&r, &bind.schema) }),
                    Err(EnrichError::Compute(m)) => return Err(ReadError::Enrich(m)),
                    Err(EnrichError::Vector(e)) => return Err(ReadError::Enrich(e.to_string())),
                }
            }
            (Event::Row(r), Mode::Rejects) => {
                if let Err(e) = local.writer.write(&r, path, &mut Discard, 0) {
                    rejects::write(&mut columns, &local.reject_columns, row, path, &e.to_bad_line(&r, &bind.schema));
                    row += 1;
                }
            }
        }
    }
    for (column, long) in columns.iter_mut().zip(&mut local.long) {
        column.flush_long(long);
    }
    Ok(row)
}

/// Whether the row `r` is in the window and goes on to conversion. A row whose time cannot be
/// read fails the scan, is skipped (`ignore_errors`) or is listed (rejects), as a bad line.
#[allow(clippy::too_many_arguments)]
fn in_window(
    bind: &Bind,
    r: &Row<'_>,
    mode: Mode,
    columns: &mut [OutVector<'_>],
    reject_columns: &[usize],
    row: &mut usize,
    path: &str,
) -> Result<bool, ReadError> {
    match r.timestamp() {
        Ok(ts) => Ok(ts.is_some_and(|ts| bind.options.window.contains(ts))),
        Err(error) => {
            let bad = CellError { column: None, error }.to_bad_line(r, &bind.schema);
            match mode {
                Mode::Rows if bind.options.ignore_errors => {}
                Mode::Rows => return Err(ReadError::Line { path: path.to_string(), bad }),
                Mode::Rejects => {
                    rejects::write(columns, reject_columns, *row, path, &bad);
                    *row += 1;
                }
            }
            Ok(false)
        }
    }
}

/// The output chunk's vectors as the core's conversion sink: each value goes straight into its
/// vector (checked writes: the vector's type and the row are verified by `OutVector`), long
/// strings by way of the column's `LongStrings`.
struct Vectors<'s, 'v>(&'s mut [OutVector<'v>], &'s mut [LongStrings]);

impl Sink for Vectors<'_, '_> {
    #[inline(always)]
    fn null(&mut self, out: usize, row: usize) {
        self.0[out].set_null(row)
    }
    #[inline(always)]
    fn int32(&mut self, out: usize, row: usize, value: i32) {
        self.0[out].set(row, value)
    }
    #[inline(always)]
    fn int64(&mut self, out: usize, row: usize, value: i64) {
        self.0[out].set(row, value)
    }
    #[inline(always)]
    fn float64(&mut self, out: usize, row: usize, value: f64) {
        self.0[out].set(row, value)
    }
    #[inline(always)]
    fn date(&mut self, out: usize, row: usize, days: i32) {
        self.0[out].set(row, days)
    }
    #[inline(always)]
    fn time(&mut self, out: usize, row: usize, micros: i64) {
        self.0[out].set(row, micros)
    }
    #[inline(always)]
    fn timestamp(&mut self, out: usize, row: usize, micros: i64) {
        self.0[out].set(row, micros)
    }
    #[inline(always)]
    fn text(&mut self, out: usize, row: usize, value: &str) {
        self.0[out].set_str_gathered(row, value, &mut self.1[out])
    }
}

/// What output `id` of `read_cloudfront` shows (for [`Local::new`]).
pub fn output_of(id: usize, schema_columns: usize, filename: bool) -> Output {
    match id {
        id if id < schema_columns => Output::Column(id),
        id if id == schema_columns && filename => Output::Filename,
        _ => Output::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_projections_fill_fewer_rows_a_call() {
        // The 33 standard columns and the fused timestamp: 22 VARCHAR (16 bytes), 5 BIGINT,
        // 2 DOUBLE, TIME and TIMESTAMP (8), 2 INTEGER and DATE (4): 436 bytes a row, 601 rows
        // in 256 KiB.
        let full = 22 * 16 + 9 * 8 + 3 * 4;
        assert_eq!(full, 436);
        assert_eq!(rows_per_call(full, 2048), 601);
        // One string column (a narrow scan): whole chunks.
        assert_eq!(rows_per_call(16, 2048), 2048);
        // Very wide rows still fill MIN_ROWS; never more than the chunk holds; no columns at all
        // (count(*)) fills whole chunks.
        assert_eq!(rows_per_call(100_000, 2048), 256);
        assert_eq!(rows_per_call(100_000, 100), 100);
        assert_eq!(rows_per_call(0, 2048), 2048);
    }

    #[test]
    fn outputs_after_the_schema_are_filename_then_nothing() {
        assert_eq!(output_of(0, 3, true), Output::Column(0));
        assert_eq!(output_of(3, 3, true), Output::Filename);
        assert_eq!(output_of(3, 3, false), Output::Null);
        // A row id DuckDB adds.
        assert_eq!(output_of(u64::MAX as usize, 3, true), Output::Null);
    }
}
