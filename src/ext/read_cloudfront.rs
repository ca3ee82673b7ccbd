//! `read_cloudfront(paths, ...)` and `read_cloudfront_rejects(paths, ...)`: the table functions.
//!
//! Bind expands the paths and samples headers to fix the schema; each scanning thread claims
//! whole files (one thread per file at a time, up to DuckDB's `threads`), streams them through
//! `format::scan::FileScanner` and converts only the projected columns straight into DuckDB's
//! vectors. `read_cloudfront_rejects` runs the same scan and returns the lines a scan would
//! refuse (file, line, reason, text), validating every column.
//!
//! Interrupts. DuckDB checks for an interrupt between the chunks a table function returns, and
//! the C API gives a table function no way to observe one itself; returning an empty chunk
//! ends the scan. So every scan callback returns as soon as it has consumed `YIELD_BYTES` of
//! input with at least one row to hand back (rows, or rejected lines for the rejects listing),
//! instead of filling a whole vector first; the work between two returns is bounded by that
//! and by the input that yields nothing at all (bad lines skipped by `ignore_errors`, rows
//! outside `since`/`until`, good lines in the rejects listing, blank lines), which only finite inputs can reach: streams
//! that might never end (FIFOs, devices) are refused (`ext::files`), the index of a large split
//! file is learned one range at a time (`format::split`), and bind reads a bounded number of
//! header lines per file.

use std::ffi::c_void;
use std::io::{Read, Seek, SeekFrom};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use libduckdb_sys as ffi;

use super::capi::{cstring, drop_box, guard, register_table_function, LogicalType, OutVector, TableFunctionDef, Value};
use super::files::{expand, open_local, ClientContext, Input, PathSettings, RawFile, Recipe};
use crate::format::cell::{convert, valid_text, Cell, Scratch};
use crate::format::value::{is_null, parse_f64, parse_i32, parse_i64};
use crate::format::fields::{Family, Kind, DATE, TIME};
use crate::format::value::MICROS_PER_DAY;
use crate::format::scan::{detect, printable, sample_fields, BadLine, Event, FileScanner, Layout, LayoutChoice, Row, ScanError, ScanOptions};
use crate::format::split::{RangeIndex, Source as RangeSource};
use crate::format::schema::{Schema, MAX_UNKNOWN_COLUMNS};
use crate::format::source::{open_text, GZIP_MAGIC};
use crate::hunt::enrich;
use super::enriched::{self, Enricher};
use crate::format::window::{decide, Window};

/// Which of the two functions a registration serves.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Rows,
    Rejects,
}

struct BindData {
    mode: Mode,
    inputs: Vec<Input>,
    /// Each input's name for the `filename` column and messages (`Input::shown`).
    shown: Vec<String>,
    /// Inputs opened at bind to read their header, kept for the scan so that each is opened
    /// once (taken by the first scan of the file; a later scan opens it again).
    opened: Vec<Mutex<Option<RawFile>>>,
    schema: Arc<Schema>,
    opts: Arc<ScanOptions>,
    filename: bool,
    ignore_errors: bool,
    decode: bool,
    /// `enrich := true`: the columns of `crate::hunt::enrich` follow (after `filename`).
    enrich: bool,
    context: Option<ClientContext>,
    /// `since`/`until`: inputs outside it were dropped at bind; rows outside it are skipped.
    window: Window,
}

struct GlobalState {
    /// Work units in order: whole files, or byte ranges of large plain local files.
    units: Vec<Unit>,
    next_unit: AtomicUsize,
    /// Per file: the index of its ranges when it is split, learned as threads need it.
    ranges: Vec<Option<RangeIndex>>,
    /// Output column -> schema column (or FILENAME / OTHER), in output order.
    projection: Vec<Source>,
}

/// One unit of scanning work.
#[derive(Clone, Copy)]
struct Unit {
    file: usize,
    /// For a range of a split file: which range, and the file's layout.
    range: Option<(usize, Layout)>,
}

/// Splits large uncompressed local files into ranges (format::split); everything else is one
/// unit per file. Gzip cannot be entered mid-stream, and remote files are read once.
fn plan_units(bind: &BindData) -> (Vec<Unit>, Vec<Option<RangeIndex>>) {
    let mut units = Vec::with_capacity(bind.inputs.len());
    let mut ranges = Vec::with_capacity(bind.inputs.len());
    for (file, input) in bind.inputs.iter().enumerate() {
        let size = input.local_size().unwrap_or(0);
        let index = RangeIndex::new(size, bind.opts.max_line);
        let layout = match input {
            Input::Local(path) if index.len() > 1 => plain_layout(path, &bind.opts),
            _ => None,
        };
        match layout {
            Some(layout) => {
                units.extend((0..index.len()).map(|k| Unit { file, range: Some((k, layout)) }));
                ranges.push(Some(index));
            }
            None => {
                units.push(Unit { file, range: None });
                ranges.push(None);
            }
        }
    }
    (units, ranges)
}

/// The layout of an uncompressed local file, None for gzip or undetectable files (those are
/// read whole, which reports their errors the usual way).
fn plain_layout(path: &std::path::Path, opts: &ScanOptions) -> Option<Layout> {
    let mut head = [0u8; 256];
    let mut f = open_local(path).ok()?;
    let n = f.read(&mut head).ok()?;
    if n >= 2 && head[..2] == GZIP_MAGIC {
        return None;
    }
    detect(&head[..n], opts).ok()
}

/// A split local file, opened (regular files only) at an offset for each range.
struct LocalRanges<'a>(&'a std::path::Path);

impl RangeSource for LocalRanges<'_> {
    type Reader = std::fs::File;
    fn read_from(&self, offset: u64) -> std::io::Result<std::fs::File> {
        let mut f = open_local(self.0).map_err(std::io::Error::other)?;
        f.seek(SeekFrom::Start(offset))?;
        Ok(f)
    }
}

/// Opens range `k` of a split file: seeks to its first line and stops at the next range's.
fn open_range(bind: &BindData, global: &GlobalState, file: usize, k: usize, layout: Layout) -> Result<FileScanner<Box<dyn Read + Send>>, String> {
    let shown = &bind.shown[file];
    let Input::Local(path) = &bind.inputs[file] else { return Err("internal error: a remote file in ranges".into()) };
    let index = global.ranges[file].as_ref().ok_or("internal error: no range index")?;
    let src = LocalRanges(path);
    let (start, end) = index.range(&src, k).map_err(|e| file_error(shown, &e))?;
    let f = src.read_from(start.offset).map_err(|e| file_error(shown, &e.to_string()))?;
    let reader: Box<dyn Read + Send> = Box::new(f.take(end.saturating_sub(start.offset)));
    Ok(FileScanner::for_range(reader, bind.schema.clone(), bind.opts.clone(), layout, start.fields, start.lines_before))
}

/// Opens a whole input: the file bind opened when it is still there, else anew.
fn open_whole(bind: &BindData, file: usize) -> Result<FileScanner<Box<dyn Read + Send>>, String> {
    let shown = &bind.shown[file];
    let parked = bind.opened[file].lock().map_err(|_| "internal error: poisoned lock")?.take();
    let raw = match parked {
        Some(mut raw) => {
            raw.rewind().map_err(|e| file_error(shown, &e.to_string()))?;
            raw
        }
        None => RawFile::open(&bind.inputs[file], bind.context.as_ref()).map_err(|e| file_error(shown, &e))?,
    };
    let text = open_text(raw).map_err(|e| file_error(shown, &e.to_string()))?;
    Ok(FileScanner::new(text, bind.schema.clone(), bind.opts.clone()))
}

/// An error about a whole file, naming it (control characters in the name escaped).
fn file_error(shown: &str, e: &str) -> String {
    format!("read_cloudfront: \"{}\": {e}", printable(shown.as_bytes(), usize::MAX))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Source {
    Column(usize),
    Filename,
    /// Enriched column `k` of `crate::hunt::enrich::COLUMNS`.
    Enriched(usize),
    /// A column we do not produce (e.g. a row id): NULL.
    Other,
}

struct LocalState {
    plan: Plan,
    file: Option<usize>,
    scanner: Option<FileScanner<Box<dyn Read + Send>>>,
    /// `scanner.consumed()` when last looked at.
    consumed_mark: u64,
    scratch: Scratch,
    enricher: Enricher,
}

// ------------------------------------------------------------------------------------ bind

pub(super) fn string_list(value: &Value, what: &str) -> Result<Vec<String>, String> {
    if value.is_null() {
        return Err(format!(
            "{what} must not be NULL (a getvariable() that is not set, or a list(file) of a glob() that matched nothing?)"
        ));
    }
    match value.list_items() {
        Some(items) => items
            .iter()
            .map(|v| if v.is_null() { Err(format!("{what} must not contain NULL")) } else { Ok(v.to_text()) })
            .collect(),
        None => Ok(vec![value.to_text()]),
    }
}

pub(super) fn named(info: ffi::duckdb_bind_info, name: &str) -> Option<Value> {
    let c = cstring(name);
    let v = Value(unsafe { ffi::duckdb_bind_get_named_parameter(info, c.as_ptr()) });
    (!v.is_null()).then_some(v)
}

/// Most inputs whose file bind keeps open for the scan (with `union_by_name` bind reads every
/// input's header; the rest are opened again by the scan rather than holding a descriptor each).
const KEEP_OPEN: usize = 16;

/// `since` and `until` of a bind (NULL or absent: no bound).
pub(super) fn window_of(info: ffi::duckdb_bind_info) -> Result<Window, String> {
    let bound = |name: &str| match named(info, name) {
        None => Ok(None),
        Some(v) => v.to_timestamptz_micros().map(Some).ok_or_else(|| format!("{name} must be a TIMESTAMPTZ")),
    };
    Window::new(bound("since")?, bound("until")?)
}

/// The named arguments of a bind as SQL (`, name := value`), to repeat them in a message.
pub(super) fn named_args_sql(info: ffi::duckdb_bind_info, names: &[&str]) -> String {
    let quote = |s: &str| format!("'{}'", s.replace('\'', "''"));
    let mut out = String::new();
    for name in names {
        let Some(v) = named(info, name) else { continue };
        let text = match (v.to_timestamptz_micros(), v.list_items()) {
            (Some(ts), _) => format!("TIMESTAMPTZ {}", quote(&crate::format::window::format_micros(ts).replace(" UTC", "+00"))),
            (None, Some(items)) => format!("[{}]", items.iter().map(|i| quote(&i.to_text())).collect::<Vec<_>>().join(", ")),
            (None, None) if v.type_id() == ffi::DUCKDB_TYPE_DUCKDB_TYPE_VARCHAR => quote(&v.to_text()),
            (None, None) => v.to_text(),
        };
        out.push_str(&format!(", {name} := {text}"));
    }
    out
}

/// The named parameters of both readers, in registration order.
const NAMED: [&str; 9] = ["format", "fields", "filename", "ignore_errors", "decode", "union_by_name", "max_line_size", "since", "until"];

fn bind_impl(info: ffi::duckdb_bind_info, mode: Mode) -> Result<(), String> {
    let paths = string_list(&Value(unsafe { ffi::duckdb_bind_get_parameter(info, 0) }), "the path")?;
    let window = window_of(info)?;
    let function = match mode {
        Mode::Rows => "read_cloudfront",
        Mode::Rejects => "read_cloudfront_rejects",
    };
    let recipe = Recipe { function, named_args: named_args_sql(info, &NAMED) };
    let context = {
        let mut ctx: ffi::duckdb_client_context = std::ptr::null_mut();
        unsafe { ffi::duckdb_table_function_get_client_context(info, &mut ctx) };
        (!ctx.is_null()).then_some(ClientContext(ctx))
    };
    let settings = context.as_ref().map(PathSettings::from_context).unwrap_or_default();
    let mut inputs = expand(&paths, &settings, &recipe)?;
    // Only the files whose names say they can hold requests of the window are opened
    // (`read_cloudfront_files` lists the decision for each).
    if !window.is_unbounded() {
        inputs.retain(|input| decide(&input.shown(), &window).selected);
    }
    let shown: Vec<String> = inputs.iter().map(Input::shown).collect();

    let mut opts = ScanOptions::default();
    if let Some(v) = named(info, "format") {
        let (layout, family) = LayoutChoice::parse(&v.to_text())?;
        opts.layout = layout;
        opts.family = family;
    }
    if let Some(v) = named(info, "fields") {
        let list = string_list(&v, "fields")?;
        if list.is_empty() {
            return Err("fields must name at least one field".into());
        }
        if list.len() == 1 && matches!(list[0].to_ascii_lowercase().as_str(), "realtime" | "real-time") {
            // The documented default order of real-time log fields.
            opts.family = Family::RealTime;
            opts.fields = None;
            opts.fields = opts.headerless_fields();
        } else {
            opts.fields = Some(list);
            // Headerless files with named fields are real-time logs unless format := 'plain'
            // (v2 plain output) says otherwise.
            if opts.layout == LayoutChoice::Auto {
                opts.family = Family::RealTime;
            }
        }
    }
    if let Some(v) = named(info, "max_line_size") {
        let n = v.to_i64();
        // Field offsets are 32-bit and a line is held whole in memory: cap at 1 GiB.
        if !(1..=MAX_LINE_SIZE_LIMIT).contains(&n) {
            return Err(format!("max_line_size must be between 1 and {MAX_LINE_SIZE_LIMIT} (1 GiB)"));
        }
        opts.max_line = n as usize;
    }
    let flag = |name: &str, default: bool| named(info, name).map(|v| v.to_bool()).unwrap_or(default);
    let filename = flag("filename", false);
    let ignore_errors = flag("ignore_errors", false);
    let decode = flag("decode", true);
    let union_by_name = flag("union_by_name", false);
    let enrich = flag("enrich", false);
    // Remote inputs are opened through the context; local ones need it no further.
    let context = if inputs.iter().any(Input::is_remote) { context } else { None };

    // The schema: core columns plus what the sampled headers name. Each sampled file stays
    // open for the scan (up to KEEP_OPEN of them).
    let sample_count = if union_by_name { inputs.len() } else { inputs.len().min(1) };
    let mut samples = Vec::new();
    let opened: Vec<Mutex<Option<RawFile>>> = (0..inputs.len()).map(|_| Mutex::new(None)).collect();
    for (i, input) in inputs[..sample_count].iter().enumerate() {
        let mut raw = RawFile::open(input, context.as_ref()).map_err(|e| file_error(&shown[i], &e))?;
        let text = open_text(ByRef(&mut raw)).map_err(|e| file_error(&shown[i], &e.to_string()))?;
        match sample_fields(text, &opts) {
            Ok(Some(s)) => samples.push(s),
            Ok(None) => {}
            Err(e) => return Err(scan_error(&shown[i], e)),
        }
        if i < KEEP_OPEN {
            *opened[i].lock().map_err(|_| "internal error: poisoned lock")? = Some(raw);
        }
    }
    let schema = Schema::from_field_lists(samples.iter().map(|(f, fam)| (f.as_slice(), *fam)));
    if let Some(fields) = &opts.fields {
        let unread = schema.field_map(fields, opts.family).unread_unknown;
        if unread > 0 {
            return Err(format!(
                "fields names {unread} more unknown field(s) than the {MAX_UNKNOWN_COLUMNS} that become columns"
            ));
        }
    }

    match mode {
        Mode::Rows => {
            for col in &schema.columns {
                add_column(info, &col.name, &logical_type(col.kind));
            }
            if filename {
                if schema.column_named("filename").is_some() {
                    return Err("read_cloudfront: the logs have a field named \"filename\", so filename := true cannot add \
                                its own column of that name; read the field as is, or use read_cloudfront_rejects / \
                                glob() to get file names"
                        .into());
                }
                add_column(info, "filename", &LogicalType::varchar());
            }
            if enrich {
                for c in &enrich::COLUMNS {
                    if schema.column_named(c.name).is_some() {
                        return Err(format!("read_cloudfront: the logs have a field named \"{}\", so enrich := true cannot add its own column of that name", c.name));
                    }
                    add_column(info, c.name, &enriched::logical_type(c.ty));
                }
            }
        }
        Mode::Rejects => {
            add_column(info, "filename", &LogicalType::varchar());
            add_column(info, "line", &LogicalType::bigint());
            add_column(info, "reason", &LogicalType::varchar());
            add_column(info, "text", &LogicalType::varchar());
        }
    }

    // Estimate: about 8x gzip ratio and 400 bytes a line; guides DuckDB's join planning only.
    let bytes: u64 = inputs.iter().filter_map(Input::local_size).sum();
    unsafe { ffi::duckdb_bind_set_cardinality(info, (bytes * 8 / 400).max(1), false) };

    let data = Box::new(BindData {
        mode,
        inputs,
        shown,
        opened,
        schema: Arc::new(schema),
        opts: Arc::new(opts),
        filename,
        ignore_errors,
        decode,
        enrich,
        context,
        window,
    });
    unsafe { ffi::duckdb_bind_set_bind_data(info, Box::into_raw(data) as *mut c_void, Some(drop_box::<BindData>)) };
    Ok(())
}

/// Reads through a borrowed file, so that bind can sample a header and keep the file.
struct ByRef<'a>(&'a mut RawFile);

impl Read for ByRef<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.read(buf)
    }
}

fn add_column(info: ffi::duckdb_bind_info, name: &str, ty: &LogicalType) {
    let c = cstring(name);
    unsafe { ffi::duckdb_bind_add_result_column(info, c.as_ptr(), ty.0) };
}

fn logical_type(kind: Kind) -> LogicalType {
    LogicalType::new(match kind {
        Kind::Timestamp => ffi::DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP_TZ,
        Kind::Date => ffi::DUCKDB_TYPE_DUCKDB_TYPE_DATE,
        Kind::Time => ffi::DUCKDB_TYPE_DUCKDB_TYPE_TIME,
        Kind::Int32 => ffi::DUCKDB_TYPE_DUCKDB_TYPE_INTEGER,
        Kind::Int64 => ffi::DUCKDB_TYPE_DUCKDB_TYPE_BIGINT,
        Kind::Double => ffi::DUCKDB_TYPE_DUCKDB_TYPE_DOUBLE,
        Kind::Text | Kind::DecodedText => ffi::DUCKDB_TYPE_DUCKDB_TYPE_VARCHAR,
    })
}

unsafe extern "C" fn bind_rows(info: ffi::duckdb_bind_info) {
    guard(|m| bind_error(info, m), || bind_impl(info, Mode::Rows));
}

unsafe extern "C" fn bind_rejects(info: ffi::duckdb_bind_info) {
    guard(|m| bind_error(info, m), || bind_impl(info, Mode::Rejects));
}

fn bind_error(info: ffi::duckdb_bind_info, msg: &str) {
    let c = cstring(msg);
    unsafe { ffi::duckdb_bind_set_error(info, c.as_ptr()) };
}

// ------------------------------------------------------------------------------------ init

unsafe extern "C" fn init(info: ffi::duckdb_init_info) {
    guard(
        |m| {
            let c = cstring(m);
            ffi::duckdb_init_set_error(info, c.as_ptr());
        },
        || {
            let bind = &*(ffi::duckdb_init_get_bind_data(info) as *const BindData);
            let ncols = bind.schema.columns.len();
            let count = ffi::duckdb_init_get_column_count(info) as usize;
            let projection = (0..count)
                .map(|i| {
                    let id = ffi::duckdb_init_get_column_index(info, i as u64) as usize;
                    match bind.mode {
                        Mode::Rejects => Source::Column(id),
                        Mode::Rows if id < ncols => Source::Column(id),
                        Mode::Rows if id == ncols && bind.filename => Source::Filename,
                        Mode::Rows if bind.enrich && id - ncols - usize::from(bind.filename) < enrich::COLUMNS.len() => {
                            Source::Enriched(id - ncols - usize::from(bind.filename))
                        }
                        Mode::Rows => Source::Other,
                    }
                })
                .collect();
            let (units, ranges) = plan_units(bind);
            let threads = units.len().max(1) as u64;
            let state = Box::new(GlobalState { units, next_unit: AtomicUsize::new(0), ranges, projection });
            ffi::duckdb_init_set_init_data(info, Box::into_raw(state) as *mut c_void, Some(drop_box::<GlobalState>));
            ffi::duckdb_init_set_max_threads(info, threads);
            Ok(())
        },
    );
}

unsafe extern "C" fn local_init(info: ffi::duckdb_init_info) {
    let state = Box::new(LocalState { plan: Plan::default(), file: None, scanner: None, consumed_mark: 0, scratch: Scratch::default(), enricher: Enricher::default() });
    ffi::duckdb_init_set_init_data(info, Box::into_raw(state) as *mut c_void, Some(drop_box::<LocalState>));
}

// ------------------------------------------------------------------------------------ scan

const VECTOR_SIZE: usize = 2048;

/// Input a scan callback consumes before it returns the rows it has (see the module
/// documentation on interrupts): a few milliseconds of scanning.
pub const YIELD_BYTES: u64 = 4 << 20;

/// Largest accepted `max_line_size`.
const MAX_LINE_SIZE_LIMIT: i64 = 1 << 30;

unsafe extern "C" fn scan(info: ffi::duckdb_function_info, output: ffi::duckdb_data_chunk) {
    guard(
        |m| {
            ffi::duckdb_data_chunk_set_size(output, 0);
            let c = cstring(m);
            ffi::duckdb_function_set_error(info, c.as_ptr());
        },
        || {
            let bind = &*(ffi::duckdb_function_get_bind_data(info) as *const BindData);
            let global = &*(ffi::duckdb_function_get_init_data(info) as *const GlobalState);
            let local = &mut *(ffi::duckdb_function_get_local_init_data(info) as *mut LocalState);
            let mut out: Vec<OutVector> =
                (0..global.projection.len()).map(|i| OutVector::new(ffi::duckdb_data_chunk_get_vector(output, i as u64))).collect();
            let rows = fill(bind, global, local, &mut out)?;
            ffi::duckdb_data_chunk_set_size(output, rows as u64);
            Ok(())
        },
    );
}

/// Fills up to one vector of rows; 0 means the scan is over for this thread. Returns early,
/// with fewer rows, once `YIELD_BYTES` of input were consumed (so DuckDB can check for an
/// interrupt), provided there is at least one row: an empty chunk would end the scan.
fn fill(bind: &BindData, global: &GlobalState, local: &mut LocalState, out: &mut [OutVector]) -> Result<usize, String> {
    let mut row = 0;
    let mut spent = 0u64;
    while row < VECTOR_SIZE {
        if row > 0 && spent >= YIELD_BYTES {
            break;
        }
        if local.scanner.is_none() {
            let next = global.next_unit.fetch_add(1, Ordering::Relaxed);
            let Some(unit) = global.units.get(next).copied() else {
                break;
            };
            local.scanner = Some(match unit.range {
                Some((k, layout)) => open_range(bind, global, unit.file, k, layout)?,
                None => open_whole(bind, unit.file)?,
            });
            local.file = Some(unit.file);
            local.consumed_mark = 0;
        }
        let file_idx = local.file.unwrap_or(0);
        let path = &bind.shown[file_idx];
        let scanner = local.scanner.as_mut().expect("scanner set above");
        let consumed = scanner.consumed();
        spent += consumed - local.consumed_mark;
        local.consumed_mark = consumed;
        let event = scanner.next_event().map_err(|e| scan_error(path, e))?;
        match event {
            Event::End => {
                local.scanner = None;
                local.file = None;
            }
            Event::Bad(b) => match bind.mode {
                Mode::Rejects => {
                    write_reject(out, row, path, &b.to_bad_line(), &global.projection);
                    row += 1;
                }
                Mode::Rows if bind.ignore_errors => {}
                Mode::Rows => return Err(bad_line_error(path, &b.to_bad_line())),
            },
            Event::Row(r) => {
                // since/until: a row outside the window (or without a time) is not read at all;
                // one whose time cannot be read is a bad line like any other.
                if !bind.window.is_unbounded() {
                    match in_window(&bind.window, &r) {
                        Ok(true) => {}
                        Ok(false) => continue,
                        Err(b) => match bind.mode {
                            Mode::Rows if bind.ignore_errors => continue,
                            Mode::Rows => return Err(bad_line_error(path, &b)),
                            Mode::Rejects => {
                                write_reject(out, row, path, &b, &global.projection);
                                row += 1;
                                continue;
                            }
                        },
                    }
                }
                match bind.mode {
                    // With ignore_errors every field is checked, so a row is skipped (and counts
                    // stay the same) whatever columns the query reads.
                    Mode::Rows if bind.ignore_errors => {
                        if validate_row(bind, &r, &mut local.scratch).is_ok()
                            && write_row(bind, &mut local.plan, &global.projection, &r, path, out, row, &mut local.scratch, &mut local.enricher).is_ok()
                        {
                            row += 1;
                        }
                    }
                    Mode::Rows => match write_row(bind, &mut local.plan, &global.projection, &r, path, out, row, &mut local.scratch, &mut local.enricher) {
                        Ok(()) => row += 1,
                        Err(b) => return Err(bad_line_error(path, &b)),
                    },
                    Mode::Rejects => {
                        if let Err(b) = validate_row(bind, &r, &mut local.scratch) {
                            write_reject(out, row, path, &b, &global.projection);
                            row += 1;
                        }
                    }
                }
            }
        }
    }
    Ok(row)
}

/// Whether a row's time is in the window (a row without a time is not); a time that cannot be
/// read is a bad line.
fn in_window(window: &Window, r: &Row) -> Result<bool, BadLine> {
    match r.timestamp() {
        Ok(ts) => Ok(ts.is_some_and(|ts| window.contains(ts))),
        Err(e) => Err(conversion_bad(r, "timestamp", b"", e)),
    }
}

fn scan_error(path: &str, e: ScanError) -> String {
    match e {
        ScanError::Io(io) => file_error(path, &format!("cannot read (corrupt or truncated gzip?): {io}")),
        other => file_error(path, &other.to_string()),
    }
}

fn bad_line_error(path: &str, b: &BadLine) -> String {
    format!(
        "read_cloudfront: \"{}\" line {}: {}\n  line: {}\n(use ignore_errors := true to skip bad lines; read_cloudfront_rejects(...) lists them)",
        printable(path.as_bytes(), usize::MAX),
        b.line,
        b.reason,
        b.text
    )
}

pub(super) fn conversion_bad(r: &Row, column: &str, raw: &[u8], e: impl std::fmt::Display) -> BadLine {
    let reason = if raw.is_empty() {
        format!("column {column}: {e}")
    } else {
        format!("column {column}: {e}: '{}'", printable(raw, 200))
    };
    BadLine { line: r.line, reason, text: printable(r.text, 512) }
}

/// What to write into one output vector, resolved once per field map (a file, or a `#Fields:`
/// line) instead of once per cell.
#[derive(Clone, Copy)]
enum Step {
    /// Convert the line's field at `pos` into schema column `col`.
    Field { pos: usize, col: usize, kind: Kind },
    /// Column needing the general lookup (real-time stem/query split).
    Lookup { col: usize, kind: Kind },
    Timestamp,
    /// Date or time of an epoch timestamp (files without `date`/`time` fields).
    DerivedDate,
    DerivedTime,
    Filename,
    Enriched(usize),
    Null,
}

/// The steps for one field map, rebuilt when a row arrives with another map.
#[derive(Default)]
pub struct Plan {
    /// `FieldMap::id` the steps were built for (0: none).
    map: u64,
    steps: Vec<Step>,
}

impl Plan {
    fn for_row(&mut self, bind: &BindData, projection: &[Source], r: &Row) -> &[Step] {
        let id = r.map.id;
        if self.map != id || self.steps.len() != projection.len() {
            self.map = id;
            self.steps = projection.iter().map(|source| step(bind, *source, r)).collect();
        }
        &self.steps
    }
}

fn step(bind: &BindData, source: Source, r: &Row) -> Step {
    let col = match source {
        Source::Column(c) => c,
        Source::Filename => return Step::Filename,
        Source::Enriched(k) => return Step::Enriched(k),
        Source::Other => return Step::Null,
    };
    let map = r.map;
    if Some(col) == map.timestamp_column {
        return Step::Timestamp;
    }
    let kind = bind.schema.columns[col].kind;
    if let Some((stem, query)) = map.split_stem {
        if Some(col) == stem || Some(col) == query {
            return Step::Lookup { col, kind };
        }
    }
    match map.sources.get(col).copied().flatten() {
        Some(pos) => Step::Field { pos, col, kind },
        None if map.timestamp.epoch.is_some() && col == DATE => Step::DerivedDate,
        None if map.timestamp.epoch.is_some() && col == TIME => Step::DerivedTime,
        None => Step::Null,
    }
}

/// Converts the projected columns of one row into row `row` of the output vectors.
#[allow(clippy::too_many_arguments)]
fn write_row(
    bind: &BindData,
    plan: &mut Plan,
    projection: &[Source],
    r: &Row,
    path: &str,
    out: &mut [OutVector],
    row: usize,
    scratch: &mut Scratch,
    enricher: &mut Enricher,
) -> Result<(), BadLine> {
    enricher.new_row();
    // The fused timestamp, once computed, also gives date and time without parsing them again
    // (when it came from those fields).
    let mut fused: Option<i64> = None;
    let from_date_time = r.map.timestamp.epoch.is_none();
    for (v, step) in out.iter_mut().zip(plan.for_row(bind, projection, r)) {
        let (raw, col, kind) = match *step {
            Step::Field { pos, col, kind } => {
                if let (Some(ts), true, Kind::Date | Kind::Time) = (fused, from_date_time, kind) {
                    if col == DATE {
                        v.set(row, ts.div_euclid(MICROS_PER_DAY) as i32);
                        continue;
                    }
                    if col == TIME {
                        v.set(row, ts.rem_euclid(MICROS_PER_DAY));
                        continue;
                    }
                }
                (r.field(pos), col, kind)
            }
            Step::Lookup { col, kind } => (r.raw(col), col, kind),
            Step::Timestamp => {
                match r.timestamp() {
                    Ok(ts) => {
                        fused = ts;
                        v.set_opt(row, ts)
                    }
                    Err(e) => return Err(conversion_bad(r, "timestamp", b"", e)),
                }
                continue;
            }
            Step::DerivedDate => {
                v.set_opt(row, r.derived_date_time().map(|(d, _)| d));
                continue;
            }
            Step::DerivedTime => {
                v.set_opt(row, r.derived_date_time().map(|(_, t)| t));
                continue;
            }
            Step::Filename => {
                v.set_str(row, path.as_bytes());
                continue;
            }
            Step::Enriched(k) => {
                enricher.write(k, &bind.schema, r, bind.decode, v, row)?;
                continue;
            }
            Step::Null => {
                v.set_null(row);
                continue;
            }
        };
        let Some(raw) = raw else {
            v.set_null(row);
            continue;
        };
        // Fast paths for the commonest kinds, written straight into the vector (the general
        // `convert` returns its Cell through memory and is not inlined); same semantics.
        if is_null(raw) {
            v.set_null(row);
            continue;
        }
        let fast = match kind {
            Kind::Text => {
                v.set_str(row, valid_text(raw, &mut scratch.text));
                true
            }
            Kind::Double => match parse_f64(raw) {
                Ok(x) => {
                    v.set(row, x);
                    true
                }
                Err(_) => false,
            },
            Kind::Int64 => match parse_i64(raw) {
                Ok(x) => {
                    v.set(row, x);
                    true
                }
                Err(_) => false,
            },
            Kind::Int32 => match parse_i32(raw) {
                Ok(x) => {
                    v.set(row, x);
                    true
                }
                Err(_) => false,
            },
            _ => false,
        };
        if fast {
            continue;
        }
        match convert(kind, raw, bind.decode, scratch) {
            Ok(Cell::Null) => v.set_null(row),
            Ok(Cell::I32(x)) | Ok(Cell::Date(x)) => v.set(row, x),
            Ok(Cell::I64(x)) | Ok(Cell::Time(x)) | Ok(Cell::Timestamp(x)) => v.set(row, x),
            Ok(Cell::F64(x)) => v.set(row, x),
            Ok(Cell::Str(s)) => v.set_str(row, s),
            Err(e) => return Err(conversion_bad(r, &bind.schema.columns[col].name, raw, e)),
        }
    }
    Ok(())
}

/// Converts every column of a row, for the rejects listing.
fn validate_row(bind: &BindData, r: &Row, scratch: &mut Scratch) -> Result<(), BadLine> {
    if let Err(e) = r.timestamp() {
        return Err(conversion_bad(r, "timestamp", b"", e));
    }
    for (col, c) in bind.schema.columns.iter().enumerate() {
        if Some(col) == r.map.timestamp_column {
            continue;
        }
        if let Some(raw) = r.raw(col) {
            convert(c.kind, raw, bind.decode, scratch).map_err(|e| conversion_bad(r, &c.name, raw, e))?;
        }
    }
    Ok(())
}

fn write_reject(out: &mut [OutVector], row: usize, path: &str, b: &BadLine, projection: &[Source]) {
    for (v, source) in out.iter_mut().zip(projection) {
        match source {
            Source::Column(0) => v.set_str(row, path.as_bytes()),
            Source::Column(1) => v.set(row, b.line as i64),
            Source::Column(2) => v.set_str(row, b.reason.as_bytes()),
            Source::Column(3) => v.set_str(row, b.text.as_bytes()),
            _ => v.set_null(row),
        }
    }
}

// ------------------------------------------------------------------------------ registration

fn register_one(con: ffi::duckdb_connection, name: &str, bind: unsafe extern "C" fn(ffi::duckdb_bind_info)) -> Result<(), String> {
    register_table_function(
        con,
        TableFunctionDef {
            name,
            // A path or a list of paths.
            parameters: vec![LogicalType::new(ffi::DUCKDB_TYPE_DUCKDB_TYPE_ANY)],
            named_parameters: vec![
                ("format", LogicalType::varchar()),
                // A list of field names, or the preset name 'realtime'.
                ("fields", LogicalType::new(ffi::DUCKDB_TYPE_DUCKDB_TYPE_ANY)),
                ("filename", LogicalType::boolean()),
                ("ignore_errors", LogicalType::boolean()),
                ("decode", LogicalType::boolean()),
                ("union_by_name", LogicalType::boolean()),
                ("max_line_size", LogicalType::bigint()),
                ("enrich", LogicalType::boolean()),
                // The window: only files that can hold requests of it are opened (their names
                // say so, format::window), only its requests returned.
                ("since", LogicalType::new(ffi::DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP_TZ)),
                ("until", LogicalType::new(ffi::DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP_TZ)),
            ],
            bind,
            init,
            local_init: Some(local_init),
            scan,
            extra_info: None,
        },
    )
}

pub fn register_read_cloudfront(con: ffi::duckdb_connection) -> Result<(), String> {
    register_one(con, "read_cloudfront", bind_rows)?;
    register_one(con, "read_cloudfront_rejects", bind_rejects)
}
