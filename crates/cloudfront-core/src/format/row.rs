//! Converting scanned rows into typed output columns: the reader's one conversion path.
//!
//! A [`RowWriter`] knows which output column shows what ([`Output`]) and how much of each row to
//! check ([`Check`]); per field map (a file, or a `#Fields:` line within it) it plans the steps
//! once, then converts each [`Row`]'s fields straight into a [`Sink`]: the DuckDB layer's sink
//! writes into vectors, [`Discard`] only checks, and tests and the fuzz targets collect values.
//! Nothing is allocated per row.

use std::sync::Arc;

use super::cell::{convert_with, Receive, Scratch};
use super::fields::{Kind, DATE, TIME};
use super::reject::{printable, BadLine, ErrorKind};
use super::scan::Row;
use super::schema::Schema;
use super::value::{ValueError, MICROS_PER_DAY};

/// Where converted values go: output column `out`, row `row`. One method per SQL type.
pub trait Sink {
    fn null(&mut self, out: usize, row: usize);
    /// INTEGER.
    fn int32(&mut self, out: usize, row: usize, value: i32);
    /// BIGINT.
    fn int64(&mut self, out: usize, row: usize, value: i64);
    /// DOUBLE.
    fn float64(&mut self, out: usize, row: usize, value: f64);
    /// DATE: days since 1970-01-01.
    fn date(&mut self, out: usize, row: usize, days: i32);
    /// TIME: microseconds since midnight.
    fn time(&mut self, out: usize, row: usize, micros: i64);
    /// TIMESTAMP WITH TIME ZONE: microseconds since the epoch, UTC.
    fn timestamp(&mut self, out: usize, row: usize, micros: i64);
    /// VARCHAR.
    fn text(&mut self, out: usize, row: usize, value: &str);
}

/// A sink that keeps nothing: conversion only checks the values.
pub struct Discard;

impl Sink for Discard {
    fn null(&mut self, _: usize, _: usize) {}
    fn int32(&mut self, _: usize, _: usize, _: i32) {}
    fn int64(&mut self, _: usize, _: usize, _: i64) {}
    fn float64(&mut self, _: usize, _: usize, _: f64) {}
    fn date(&mut self, _: usize, _: usize, _: i32) {}
    fn time(&mut self, _: usize, _: usize, _: i64) {}
    fn timestamp(&mut self, _: usize, _: usize, _: i64) {}
    fn text(&mut self, _: usize, _: usize, _: &str) {}
}

/// What one output column shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    /// Schema column `i`.
    Column(usize),
    /// The name of the file the row comes from (`filename := true`).
    Filename,
    /// Nothing the reader produces (a column DuckDB adds, such as a row id): NULL.
    Null,
}

/// How much of each row is converted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    /// Only what the outputs show (the first value that does not convert, in output order,
    /// refuses the row).
    Shown,
    /// Every column of the schema, shown or not, the fused timestamp first and then in schema
    /// order: whether a row is refused does not depend on the columns a query reads
    /// (`ignore_errors`, `read_cloudfront_rejects`).
    Every,
}

/// A value that did not convert: its schema column (None: the fused timestamp) and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CellError {
    pub column: Option<usize>,
    pub error: ValueError,
}

impl CellError {
    /// The refused line as reported: `column sc_status: not an integer: '12x'`.
    pub fn to_bad_line(&self, row: &Row, schema: &Schema) -> BadLine {
        let (name, raw): (&str, &[u8]) = match self.column {
            Some(c) => (&schema.columns[c].name, row.raw(c).unwrap_or_default()),
            None => ("timestamp", b""),
        };
        let reason = if raw.is_empty() {
            format!("column {name}: {}", self.error)
        } else {
            format!("column {name}: {}: '{}'", self.error, printable(raw, 200))
        };
        BadLine::new(row.line, ErrorKind::of_value(self.error), reason, row.text)
    }
}

/// What to do for one output (or checked) column, resolved once per field map.
#[derive(Clone, Copy, Debug)]
enum Step {
    /// Convert the line's field at `pos` (schema column `col`).
    Field {
        pos: usize,
        col: usize,
        kind: Kind,
        out: Option<usize>,
    },
    /// A column needing the general lookup (real-time logs' stem/query split).
    Lookup {
        col: usize,
        kind: Kind,
        out: Option<usize>,
    },
    /// The fused timestamp.
    Timestamp {
        out: Option<usize>,
    },
    /// Date or time of an epoch timestamp (files without `date`/`time` fields).
    DerivedDate {
        out: usize,
    },
    DerivedTime {
        out: usize,
    },
    Filename {
        out: usize,
    },
    Null {
        out: usize,
    },
}

/// Converts rows into a sink (see the module documentation).
pub struct RowWriter {
    schema: Arc<Schema>,
    outputs: Vec<Output>,
    check: Check,
    decode: bool,
    /// `FieldMap::id` the steps were planned for (0: none yet).
    planned_for: u64,
    steps: Vec<Step>,
    scratch: Scratch,
}

impl RowWriter {
    /// A writer of `outputs` (in the sink's column order) from rows of `schema`; `decode`
    /// URL-decodes the `DecodedText` columns.
    pub fn new(schema: Arc<Schema>, outputs: Vec<Output>, check: Check, decode: bool) -> Self {
        Self { schema, outputs, check, decode, planned_for: 0, steps: Vec::new(), scratch: Scratch::default() }
    }

    /// The outputs, in the sink's column order.
    pub fn outputs(&self) -> &[Output] {
        &self.outputs
    }

    /// Converts `row` (of the file called `file`) into row `at` of the sink. On error the sink
    /// may hold some of the row's values: the caller reuses the slot for the next row.
    #[inline]
    pub fn write<S: Sink>(&mut self, row: &Row, file: &str, sink: &mut S, at: usize) -> Result<(), CellError> {
        if self.planned_for != row.map.id {
            self.plan(row);
        }
        let from_date_time = row.map.timestamp.epoch.is_none();
        // The fused timestamp, once computed from `date` and `time`, gives them without parsing
        // them again.
        let mut fused: Option<i64> = None;
        let decode = self.decode;
        let scratch = &mut self.scratch;
        for step in &self.steps {
            match *step {
                Step::Field { pos, col, kind, out } => {
                    if let (Some(ts), true) = (fused, from_date_time) {
                        if col == DATE {
                            if let Some(o) = out {
                                sink.date(o, at, ts.div_euclid(MICROS_PER_DAY) as i32);
                            }
                            continue;
                        }
                        if col == TIME {
                            if let Some(o) = out {
                                sink.time(o, at, ts.rem_euclid(MICROS_PER_DAY));
                            }
                            continue;
                        }
                    }
                    let raw = row.field(pos);
                    write_value(sink, out, at, kind, raw, decode, scratch).map_err(|error| CellError { column: Some(col), error })?;
                }
                Step::Lookup { col, kind, out } => {
                    let raw = row.raw(col);
                    write_value(sink, out, at, kind, raw, decode, scratch).map_err(|error| CellError { column: Some(col), error })?;
                }
                Step::Timestamp { out } => {
                    let ts = row.timestamp().map_err(|error| CellError { column: None, error })?;
                    fused = ts;
                    if let Some(o) = out {
                        match ts {
                            Some(t) => sink.timestamp(o, at, t),
                            None => sink.null(o, at),
                        }
                    }
                }
                Step::DerivedDate { out } => match row.derived_date_time() {
                    Some((d, _)) => sink.date(out, at, d),
                    None => sink.null(out, at),
                },
                Step::DerivedTime { out } => match row.derived_date_time() {
                    Some((_, t)) => sink.time(out, at, t),
                    None => sink.null(out, at),
                },
                Step::Filename { out } => sink.text(out, at, file),
                Step::Null { out } => sink.null(out, at),
            }
        }
        Ok(())
    }

    /// Plans the steps for the field map of `row`.
    fn plan(&mut self, row: &Row) {
        let map = row.map;
        let outputs = &self.outputs;
        let out_of = |col: usize| outputs.iter().position(|o| *o == Output::Column(col));
        let column_step = |col: usize, out: Option<usize>| -> Option<Step> {
            if Some(col) == map.timestamp_column {
                return Some(Step::Timestamp { out });
            }
            let kind = self.schema.columns[col].kind;
            if let Some((stem, query)) = map.split_stem {
                if Some(col) == stem || Some(col) == query {
                    return Some(Step::Lookup { col, kind, out });
                }
            }
            match (map.sources.get(col).copied().flatten(), out) {
                (Some(pos), _) => Some(Step::Field { pos, col, kind, out }),
                (None, Some(out)) if map.timestamp.epoch.is_some() && col == DATE => Some(Step::DerivedDate { out }),
                (None, Some(out)) if map.timestamp.epoch.is_some() && col == TIME => Some(Step::DerivedTime { out }),
                (None, Some(out)) => Some(Step::Null { out }),
                (None, None) => None,
            }
        };
        let other = |out: usize, o: &Output| match o {
            Output::Filename => Some(Step::Filename { out }),
            Output::Null => Some(Step::Null { out }),
            Output::Column(_) => None,
        };
        let mut steps = Vec::with_capacity(self.schema.columns.len() + 1);
        match self.check {
            Check::Shown => {
                for (out, o) in outputs.iter().enumerate() {
                    steps.extend(match *o {
                        Output::Column(col) => column_step(col, Some(out)),
                        _ => other(out, o),
                    });
                }
            }
            Check::Every => {
                steps.push(Step::Timestamp { out: map.timestamp_column.and_then(out_of) });
                for col in 0..self.schema.columns.len() {
                    if Some(col) != map.timestamp_column {
                        steps.extend(column_step(col, out_of(col)));
                    }
                }
                steps.extend(outputs.iter().enumerate().filter_map(|(out, o)| other(out, o)));
            }
        }
        self.steps = steps;
        self.planned_for = map.id;
    }
}

/// Converts `raw` (None: the file lacks the field) and writes it to output `out` when shown.
#[inline(always)]
fn write_value<S: Sink>(
    sink: &mut S,
    out: Option<usize>,
    at: usize,
    kind: Kind,
    raw: Option<&[u8]>,
    decode: bool,
    scratch: &mut Scratch,
) -> Result<(), ValueError> {
    match (raw, out) {
        (Some(raw), Some(out)) => convert_with(kind, raw, decode, scratch, IntoSink { sink, out, at }),
        // Not shown: only checked.
        (Some(raw), None) => convert_with(kind, raw, decode, scratch, Verify),
        (None, Some(out)) => {
            sink.null(out, at);
            Ok(())
        }
        (None, None) => Ok(()),
    }
}

/// The [`Receive`]r that writes a value into row `at` of output `out` of a sink.
struct IntoSink<'s, S> {
    sink: &'s mut S,
    out: usize,
    at: usize,
}

impl<S: Sink> Receive<'_> for IntoSink<'_, S> {
    type Out = ();
    #[inline(always)]
    fn null(self) {
        self.sink.null(self.out, self.at)
    }
    #[inline(always)]
    fn int32(self, value: i32) {
        self.sink.int32(self.out, self.at, value)
    }
    #[inline(always)]
    fn int64(self, value: i64) {
        self.sink.int64(self.out, self.at, value)
    }
    #[inline(always)]
    fn float64(self, value: f64) {
        self.sink.float64(self.out, self.at, value)
    }
    #[inline(always)]
    fn date(self, days: i32) {
        self.sink.date(self.out, self.at, days)
    }
    #[inline(always)]
    fn time(self, micros: i64) {
        self.sink.time(self.out, self.at, micros)
    }
    #[inline(always)]
    fn timestamp(self, micros: i64) {
        self.sink.timestamp(self.out, self.at, micros)
    }
    #[inline(always)]
    fn text(self, value: &str) {
        self.sink.text(self.out, self.at, value)
    }
}

/// The [`Receive`]r of values that are checked but not shown.
struct Verify;

impl Receive<'_> for Verify {
    type Out = ();
    fn null(self) {}
    fn int32(self, _: i32) {}
    fn int64(self, _: i64) {}
    fn float64(self, _: f64) {}
    fn date(self, _: i32) {}
    fn time(self, _: i64) {}
    fn timestamp(self, _: i64) {}
    fn text(self, _: &str) {}
}

/// A value a [`Collect`] sink received.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Int32(i32),
    Int64(i64),
    Float64(f64),
    Date(i32),
    Time(i64),
    Timestamp(i64),
    Text(String),
}

/// A sink that keeps every value, by (row, output column): for tests and the fuzz targets.
#[derive(Default, Debug)]
pub struct Collect {
    pub rows: Vec<Vec<Option<Value>>>,
}

impl Collect {
    fn put(&mut self, out: usize, row: usize, v: Value) {
        if self.rows.len() <= row {
            self.rows.resize_with(row + 1, Vec::new);
        }
        let r = &mut self.rows[row];
        if r.len() <= out {
            r.resize(out + 1, None);
        }
        r[out] = Some(v);
    }
}

impl Sink for Collect {
    fn null(&mut self, out: usize, row: usize) {
        self.put(out, row, Value::Null)
    }
    fn int32(&mut self, out: usize, row: usize, value: i32) {
        self.put(out, row, Value::Int32(value))
    }
    fn int64(&mut self, out: usize, row: usize, value: i64) {
        self.put(out, row, Value::Int64(value))
    }
    fn float64(&mut self, out: usize, row: usize, value: f64) {
        self.put(out, row, Value::Float64(value))
    }
    fn date(&mut self, out: usize, row: usize, days: i32) {
        self.put(out, row, Value::Date(days))
    }
    fn time(&mut self, out: usize, row: usize, micros: i64) {
        self.put(out, row, Value::Time(micros))
    }
    fn timestamp(&mut self, out: usize, row: usize, micros: i64) {
        self.put(out, row, Value::Timestamp(micros))
    }
    fn text(&mut self, out: usize, row: usize, value: &str) {
        self.put(out, row, Value::Text(value.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::fields::Family;
    use crate::format::scan::{sample_fields, Event, FileScanner, ScanOptions};

    /// Every row of `data` through a writer of the columns named `shown`; refused rows give the
    /// bad line.
    fn run(data: &[u8], opts: ScanOptions, shown: &[&str], check: Check, decode: bool) -> (Collect, Vec<BadLine>, Arc<Schema>) {
        run_reading(data, opts, shown, check, decode, false)
    }

    /// `run`, with the scanner told to split only the fields the shown columns need when
    /// `only_shown` (as the DuckDB layer does for `Check::Shown`).
    fn run_reading(
        data: &[u8],
        opts: ScanOptions,
        shown: &[&str],
        check: Check,
        decode: bool,
        only_shown: bool,
    ) -> (Collect, Vec<BadLine>, Arc<Schema>) {
        let sample = sample_fields(data, &opts).unwrap();
        let schema = Arc::new(Schema::from_field_lists(sample.as_ref().map(|(f, fam)| (f.as_slice(), *fam))));
        let outputs = shown
            .iter()
            .map(|n| match *n {
                "filename" => Output::Filename,
                "rowid" => Output::Null,
                n => Output::Column(schema.column_named(n).unwrap_or_else(|| panic!("no column {n}"))),
            })
            .collect::<Vec<_>>();
        let mut scanner = FileScanner::new(data, schema.clone(), Arc::new(opts));
        if only_shown {
            scanner.read_only(Some(outputs.iter().filter_map(|o| if let Output::Column(c) = *o { Some(c) } else { None }).collect()));
        }
        let mut writer = RowWriter::new(schema.clone(), outputs, check, decode);
        let (mut sink, mut bad, mut at) = (Collect::default(), vec![], 0);
        loop {
            match scanner.next_event().unwrap() {
                Event::Row(r) => match writer.write(&r, "f.log", &mut sink, at) {
                    Ok(()) => at += 1,
                    Err(e) => bad.push(e.to_bad_line(&r, &schema)),
                },
                Event::Bad(b) => bad.push(b.to_bad_line()),
                Event::End => break,
            }
        }
        sink.rows.truncate(at);
        (sink, bad, schema)
    }

    const W3C: &[u8] = b"#Version: 1.0\n#Fields: date time c-ip sc-status cs(User-Agent) time-taken sc-bytes\n\
2019-12-04\t21:02:31\t192.0.2.1\t200\tMozilla/5.0%2520(X11)\t0.082\t2390282\n\
2019-12-04\t21:02:32\t192.0.2.2\t-\t-\t0.001\t12x\n";

    fn text(s: &str) -> Option<Value> {
        Some(Value::Text(s.to_string()))
    }

    #[test]
    fn shown_columns_are_converted_in_output_order() {
        let shown = ["sc_status", "timestamp", "c_ip", "date", "time", "cs_user_agent", "time_taken", "filename", "rowid"];
        let (got, bad, _) = run(W3C, ScanOptions::default(), &shown, Check::Shown, true);
        // 2019-12-04 is day 18234; 21:02:31 is 75,751 s after midnight.
        let ts = 18234 * MICROS_PER_DAY + 75_751_000_000;
        assert_eq!(
            got.rows[0],
            vec![
                Some(Value::Int32(200)),
                Some(Value::Timestamp(ts)),
                text("192.0.2.1"),
                Some(Value::Date(18234)),
                Some(Value::Time(75_751_000_000)),
                text("Mozilla/5.0 (X11)"),
                Some(Value::Float64(0.082)),
                text("f.log"),
                Some(Value::Null),
            ]
        );
        // The second line's bad sc_bytes is not shown, so it does not refuse the row.
        assert!(bad.is_empty(), "{bad:?}");
        assert_eq!(got.rows[1][0], Some(Value::Null));
        assert_eq!(got.rows[1][5], Some(Value::Null));
    }

    #[test]
    fn every_column_is_checked_when_asked_whatever_is_shown() {
        let (got, bad, _) = run(W3C, ScanOptions::default(), &["c_ip"], Check::Every, true);
        assert_eq!(got.rows, vec![vec![text("192.0.2.1")]]);
        assert_eq!(bad.len(), 1);
        assert_eq!((bad[0].line, bad[0].kind), (4, ErrorKind::BadInteger));
        assert_eq!(bad[0].reason, "column sc_bytes: not an integer: '12x'");
        // Shown, the same value refuses the row in the shown-only check too.
        let (_, bad, _) = run(W3C, ScanOptions::default(), &["sc_bytes"], Check::Shown, true);
        assert_eq!(bad[0].reason, "column sc_bytes: not an integer: '12x'");
    }

    #[test]
    fn the_timestamp_is_checked_first_and_named() {
        let data = b"#Fields: date time sc-status\n2019-12-04\t25:00:00\tx\n2026-02-30\t10:00:00\t200\n";
        let (_, bad, _) = run(data, ScanOptions::default(), &["sc_status"], Check::Every, true);
        let got: Vec<(&str, ErrorKind)> = bad.iter().map(|b| (b.reason.as_str(), b.kind)).collect();
        assert_eq!(
            got,
            vec![
                ("column timestamp: not a valid time (HH:MM:SS)", ErrorKind::BadTime),
                ("column timestamp: not a valid date (YYYY-MM-DD)", ErrorKind::BadDate),
            ]
        );
    }

    #[test]
    fn decode_false_keeps_the_logged_text() {
        let (got, _, _) = run(W3C, ScanOptions::default(), &["cs_user_agent"], Check::Shown, false);
        assert_eq!(got.rows[0], vec![text("Mozilla/5.0%2520(X11)")]);
    }

    #[test]
    fn realtime_epoch_gives_date_and_time_and_the_stem_is_split() {
        let fields = ["timestamp", "c-ip", "cs-uri-stem", "cs-uri-query"].map(String::from).to_vec();
        let opts = ScanOptions { fields: Some(fields), family: Family::RealTime, ..Default::default() };
        let data = b"1598574722.123\t192.0.2.1\t/a/b?x=1\t-\n";
        let (got, bad, _) = run(data, opts, &["date", "time", "cs_uri_stem", "cs_uri_query", "timestamp"], Check::Every, true);
        assert!(bad.is_empty(), "{bad:?}");
        // 1598574722 s = 18502 days + 1922 s (2020-08-28 00:32:02.123 UTC).
        assert_eq!(
            got.rows[0],
            vec![
                Some(Value::Date(18502)),
                Some(Value::Time(1_922_123_000)),
                text("/a/b"),
                text("x=1"),
                Some(Value::Timestamp(1_598_574_722_123_000)),
            ]
        );
    }

    #[test]
    fn a_header_change_replans() {
        let data = b"#Fields: c-ip sc-status\n192.0.2.1\t200\n#Fields: sc-status c-ip\n201\t192.0.2.2\n";
        let (got, _, _) = run(data, ScanOptions::default(), &["c_ip", "sc_status"], Check::Shown, true);
        assert_eq!(got.rows, vec![vec![text("192.0.2.1"), Some(Value::Int32(200))], vec![text("192.0.2.2"), Some(Value::Int32(201))]]);
    }

    /// Splitting only the fields the shown columns need gives the same values and the same
    /// refused lines as splitting every field, for every column alone and in pairs: standard
    /// logs (fused timestamp, a bad value, a line with a field too many, a header change that
    /// moves the fields) and real-time logs (epoch timestamp, stem/query split).
    #[test]
    fn reading_only_the_shown_fields_changes_nothing() {
        let standard = b"#Version: 1.0\n#Fields: date time c-ip sc-status cs(User-Agent) time-taken sc-bytes\n\
2019-12-04\t21:02:31\t192.0.2.1\t200\tMozilla/5.0%2520(X11)\t0.082\t2390282\n\
2019-12-04\t21:02:32\t192.0.2.2\t-\t-\t0.001\t12x\n\
2019-12-04\t21:02:33\t192.0.2.3\t200\tcurl\t0.001\t1\textra\n\
2019-12-04\t21:02:34\t192.0.2.4\t200\tcurl\t0.001\t1\t\n\
#Fields: sc-bytes time-taken cs(User-Agent) sc-status c-ip time date\n\
7\t0.5\twget\t404\t192.0.2.5\t23:59:59\t2019-12-05\n\
7\t0.5\twget\t404\n";
        let fields = ["timestamp", "c-ip", "cs-uri-stem", "cs-uri-query", "sc-status"].map(String::from).to_vec();
        let realtime = ScanOptions { fields: Some(fields), family: Family::RealTime, ..Default::default() };
        let realtime_data = b"1598574722.123\t192.0.2.1\t/a/b?x=1\t-\t200\n1598574723\t192.0.2.2\t/c\ty=2\t301\n";
        for (data, opts) in [(&standard[..], ScanOptions::default()), (&realtime_data[..], realtime)] {
            let sample = sample_fields(data, &opts).unwrap();
            let schema = Schema::from_field_lists(sample.as_ref().map(|(f, fam)| (f.as_slice(), *fam)));
            let names: Vec<&str> = schema.columns.iter().map(|c| c.name.as_str()).collect();
            let mut projections: Vec<Vec<&str>> = vec![vec![], vec!["filename"]];
            projections.extend(names.iter().map(|n| vec![*n]));
            for a in &names {
                for b in &names {
                    projections.push(vec![*a, *b]);
                }
            }
            for shown in projections {
                let all = run_reading(data, opts.clone(), &shown, Check::Shown, true, false);
                let some = run_reading(data, opts.clone(), &shown, Check::Shown, true, true);
                assert_eq!(format!("{:?}", all.0.rows), format!("{:?}", some.0.rows), "{shown:?}");
                assert_eq!(all.1, some.1, "{shown:?}");
            }
        }
    }

    #[test]
    fn discard_checks_without_keeping() {
        let sample = sample_fields(W3C, &ScanOptions::default()).unwrap();
        let schema = Arc::new(Schema::from_field_lists(sample.as_ref().map(|(f, fam)| (f.as_slice(), *fam))));
        let mut writer = RowWriter::new(schema.clone(), vec![], Check::Every, true);
        let mut scanner = FileScanner::new(W3C, schema.clone(), Arc::new(ScanOptions::default()));
        let mut outcomes = vec![];
        while let Event::Row(r) = scanner.next_event().unwrap() {
            outcomes.push(writer.write(&r, "", &mut Discard, 0).map_err(|e| e.column.map(|c| schema.columns[c].name.clone())));
        }
        assert_eq!(outcomes, vec![Ok(()), Err(Some("sc_bytes".to_string()))]);
    }
}
