//! The per-file state machine: detects the layout, follows `#Fields:` headers, splits lines,
//! and hands out rows (field spans plus the field map that applies) or bad lines.
//!
//! It knows nothing of DuckDB: the table function drives one `FileScanner` per file per thread
//! and converts the columns a query asks for.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::sync::Arc;

use super::fields::{normalize, Family, DATE, REALTIME_DEFAULT_FIELDS, TIME};
use super::json::parse_object;
use super::lines::{split_fields_upto, LineError, LineReader};
pub use super::reject::{printable, BadLine, ErrorKind};
use super::schema::{FieldMap, Schema, MAX_UNKNOWN_COLUMNS};
use super::value::{parse_date, parse_epoch_seconds, parse_time, ValueError, MICROS_PER_DAY};

/// The log layout of a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// Standard logs (legacy, or v2 W3C): `#Version`/`#Fields` headers, tab-separated lines.
    W3c,
    /// Standard logging v2 JSON: one object per line.
    Json,
    /// Headerless tab-separated lines whose fields the user names: real-time logs (Kinesis
    /// Data Firehose to S3) or v2 plain output.
    Tsv,
}

/// What the user asked for with `format :=`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LayoutChoice {
    Auto,
    Fixed(Layout),
}

impl LayoutChoice {
    /// Parses the `format` option.
    pub fn parse(s: &str) -> Result<(LayoutChoice, Family), String> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "auto" => (LayoutChoice::Auto, Family::Standard),
            "w3c" | "standard" | "legacy" => (LayoutChoice::Fixed(Layout::W3c), Family::Standard),
            "json" => (LayoutChoice::Fixed(Layout::Json), Family::Standard),
            "realtime" | "real-time" | "real_time" => (LayoutChoice::Fixed(Layout::Tsv), Family::RealTime),
            "plain" | "tsv" => (LayoutChoice::Fixed(Layout::Tsv), Family::Standard),
            other => {
                return Err(format!(
                    "unknown format '{other}': expected 'auto', 'w3c' (standard logs), 'json' (v2 JSON), 'realtime' or 'plain'"
                ))
            }
        })
    }
}

/// Options that shape every file's scan.
#[derive(Clone, Debug)]
pub struct ScanOptions {
    pub layout: LayoutChoice,
    /// Field names for headerless lines (`fields :=`), and the family they are named in.
    pub fields: Option<Vec<String>>,
    pub family: Family,
    pub max_line: usize,
}

impl Default for ScanOptions {
    fn default() -> Self {
        Self { layout: LayoutChoice::Auto, fields: None, family: Family::Standard, max_line: super::lines::DEFAULT_MAX_LINE }
    }
}

impl ScanOptions {
    /// The `fields` a headerless file is read with: the user's list, or the documented
    /// real-time order when the format is real-time.
    pub fn headerless_fields(&self) -> Option<Vec<String>> {
        self.fields
            .clone()
            .or_else(|| (self.family == Family::RealTime).then(|| REALTIME_DEFAULT_FIELDS.iter().map(|s| s.to_string()).collect()))
    }
}

/// The UTF-8 byte order mark, tolerated before a file's first line.
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Detects the layout from a file's first bytes.
pub fn detect(head: &[u8], opts: &ScanOptions) -> Result<Layout, String> {
    if let LayoutChoice::Fixed(l) = opts.layout {
        return Ok(l);
    }
    let head = head.strip_prefix(UTF8_BOM).unwrap_or(head);
    let first = head.iter().copied().find(|b| !b.is_ascii_whitespace());
    match first {
        Some(b'#') => Ok(Layout::W3c),
        Some(b'{') => Ok(Layout::Json),
        Some(_) if opts.fields.is_some() => Ok(Layout::Tsv),
        Some(_) => Err("cannot detect the log layout: no '#Fields:' header (standard log) and not JSON lines; \
                        for headerless real-time logs pass format := 'realtime' and/or fields := [...]"
            .to_string()),
        None => Ok(Layout::W3c), // empty file: no rows whatever the layout
    }
}

/// Most distinct keys the JSON lines of one file may use; a line bringing more is a bad line.
/// Keys are attacker-controlled and each new one re-maps the file's fields, so without a bound a
/// file whose every line adds a key cost quadratic time (40,000 lines of 1.3 MB: 67 s). Real
/// v2 JSON logs have at most ~70 keys (security review, docs/security-review.md).
pub const MAX_JSON_KEYS: usize = 256;

/// The field names of a `#Fields:` line.
pub fn parse_fields_header(line: &[u8]) -> Option<Vec<String>> {
    let rest = line.strip_prefix(b"#Fields:")?;
    let text = String::from_utf8_lossy(rest);
    Some(text.split_ascii_whitespace().map(str::to_string).collect())
}

/// One data line, ready for conversion.
pub struct Row<'a> {
    /// 1-based line number in the (decompressed) file.
    pub line: u64,
    /// The whole line as read, for error reports.
    pub text: &'a [u8],
    buf: &'a [u8],
    spans: &'a [(u32, u32)],
    pub map: &'a FieldMap,
}

impl<'a> Row<'a> {
    /// Raw bytes of the field feeding output column `column`, None when the file lacks it.
    #[inline]
    pub fn raw(&self, column: usize) -> Option<&'a [u8]> {
        if let Some((stem, query)) = self.map.split_stem {
            if Some(column) == stem || Some(column) == query {
                return self.split_stem_raw(column, stem, query);
            }
        }
        let pos = (*self.map.sources.get(column)?)?;
        self.field(pos)
    }

    /// Real-time `cs-uri-stem` is `path?query`: the stem column gets the path, and the query
    /// column gets the query when the line has no (or an empty) `cs-uri-query` of its own.
    fn split_stem_raw(&self, column: usize, stem: Option<usize>, query: Option<usize>) -> Option<&'a [u8]> {
        let own = |c: Option<usize>| c.and_then(|c| self.map.sources.get(c).copied().flatten()).and_then(|p| self.field(p));
        let full = own(stem);
        let split = full.and_then(|f| memchr::memchr(b'?', f).map(|q| (&f[..q], &f[q + 1..])));
        if Some(column) == stem {
            return split.map(|(path, _)| path).or(full);
        }
        match own(query) {
            Some(q) if !super::value::is_null(q) => Some(q),
            other => split.map(|(_, q)| q).or(other),
        }
    }

    /// Raw bytes of the field at `pos` in the line (None past the end).
    #[inline]
    pub fn field(&self, pos: usize) -> Option<&'a [u8]> {
        let &(a, b) = self.spans.get(pos)?;
        Some(&self.buf[a as usize..b as usize])
    }

    /// The fused UTC instant in microseconds: `date`+`time`, or the epoch `timestamp`.
    /// NULL when the fields are absent or `-`.
    pub fn timestamp(&self) -> Result<Option<i64>, ValueError> {
        let present = |pos: usize| self.field(pos).filter(|r| !super::value::is_null(r));
        let source = self.map.timestamp;
        if let Some(epoch) = source.epoch.and_then(present) {
            return parse_epoch_seconds(epoch).map(Some);
        }
        match source.date_time.and_then(|(d, t)| present(d).zip(present(t))) {
            Some((d, t)) => Ok(Some(parse_date(d)? as i64 * MICROS_PER_DAY + parse_time(t)?)),
            None => Ok(None),
        }
    }

    /// Date (days) and time (microseconds) of an epoch `timestamp`, for files that have no
    /// `date`/`time` fields of their own. None when not applicable or invalid.
    pub fn derived_date_time(&self) -> Option<(i32, i64)> {
        self.map.timestamp.epoch?;
        let ts = self.timestamp().ok()??;
        Some((ts.div_euclid(MICROS_PER_DAY) as i32, ts.rem_euclid(MICROS_PER_DAY)))
    }
}

/// A line that cannot be a row, as the scanner found it. Nothing is formatted until
/// `to_bad_line`, so skipping millions of bad lines (`ignore_errors`) costs little more than
/// reading them: that work hands no row back to DuckDB, so it cannot be interrupted.
#[derive(Debug, Clone, Copy)]
pub struct Refused<'a> {
    pub line: u64,
    pub why: Why,
    /// The line as read (for an over-long line, its first bytes).
    pub text: &'a [u8],
}

/// Why a line was refused.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Why {
    FieldCount {
        expected: usize,
        found: usize,
    },
    BeforeHeader,
    OnlyTabs,
    TooLong {
        len: u64,
        limit: usize,
    },
    /// A `#Fields:` line naming this many fields beyond the unknown-column cap.
    UnreadUnknown(usize),
    Json(&'static str),
    TooManyJsonKeys,
}

impl Why {
    /// The kind of problem, as `read_cloudfront_rejects` names it.
    pub fn kind(&self) -> ErrorKind {
        match *self {
            Why::FieldCount { expected, found } if found < expected => ErrorKind::MissingFields,
            Why::FieldCount { .. } => ErrorKind::ExtraFields,
            Why::BeforeHeader => ErrorKind::NoHeader,
            Why::OnlyTabs => ErrorKind::BlankFields,
            Why::TooLong { .. } => ErrorKind::LineTooLong,
            Why::UnreadUnknown(_) => ErrorKind::UnreadFields,
            Why::Json(_) => ErrorKind::InvalidJson,
            Why::TooManyJsonKeys => ErrorKind::TooManyJsonKeys,
        }
    }

    /// What is wrong, for people.
    pub fn reason(&self) -> String {
        match *self {
            Why::FieldCount { expected, found } => format!("expected {expected} fields, found {found}"),
            Why::BeforeHeader => "data line before any '#Fields:' header".into(),
            Why::OnlyTabs => "line of only TABs and spaces: no values".into(),
            Why::TooLong { len, limit } => too_long_reason(len, limit),
            Why::UnreadUnknown(n) => format!(
                "this #Fields: header names {n} more unknown field(s) than the {MAX_UNKNOWN_COLUMNS} that become \
                 columns; their values are not read"
            ),
            Why::Json(e) => format!("invalid JSON: {e}"),
            Why::TooManyJsonKeys => format!("more than {MAX_JSON_KEYS} distinct JSON keys in this file"),
        }
    }
}

impl Refused<'_> {
    /// The refused line with its kind, its reason spelled out and its text made printable.
    pub fn to_bad_line(&self) -> BadLine {
        BadLine::new(self.line, self.why.kind(), self.why.reason(), self.text)
    }
}

/// What the scanner found next.
pub enum Event<'a> {
    Row(Row<'a>),
    Bad(Refused<'a>),
    End,
}

/// A fatal problem with a file (as opposed to one bad line).
#[derive(Debug)]
pub enum ScanError {
    Io(std::io::Error),
    Layout(String),
}

impl std::fmt::Display for ScanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScanError::Io(e) => write!(f, "{e}"),
            ScanError::Layout(e) => f.write_str(e),
        }
    }
}

impl From<std::io::Error> for ScanError {
    fn from(e: std::io::Error) -> Self {
        ScanError::Io(e)
    }
}

/// The reason given for a line longer than `max_line_size` (a bad line, not a fatal error).
pub fn too_long_reason(len: u64, limit: usize) -> String {
    format!("line of {len} bytes is longer than max_line_size ({limit} bytes)")
}

/// The next line of `lines`: Ok(Some(Ok(range))) for a line, Ok(Some(Err((line, why)))) for a
/// line too long to read (its head in `long_line_head`), Ok(None) at the end; Err only when the
/// stream cannot be read.
#[allow(clippy::type_complexity)]
fn next_line<R: Read>(lines: &mut LineReader<R>) -> Result<Option<Result<std::ops::Range<usize>, (u64, Why)>>, ScanError> {
    match lines.next_line() {
        Ok(line) => Ok(line.map(Ok)),
        Err(LineError::Io(e)) => Err(ScanError::Io(e)),
        Err(LineError::TooLong { line, len, limit }) => Ok(Some(Err((line, Why::TooLong { len, limit })))),
    }
}

/// What a line made only of whitespace is.
#[derive(PartialEq)]
enum Blank {
    /// Not blank: a data or header line.
    No,
    /// Empty or spaces: nothing to read, skipped.
    Skip,
    /// Only whitespace with a TAB, in a tab-separated layout: field separators without values,
    /// which CloudFront never writes (it writes `-` for an empty value). Refused, so that it is
    /// listed rather than skipped without a trace (or read as a row of NULLs).
    Refuse,
}

fn blank(line: &[u8], layout: Layout) -> Blank {
    if !line.iter().all(|b| b.is_ascii_whitespace()) {
        return Blank::No;
    }
    if layout != Layout::Json && line.contains(&b'\t') {
        return Blank::Refuse;
    }
    Blank::Skip
}

/// Reads one file.
pub struct FileScanner<R> {
    lines: LineReader<R>,
    schema: Arc<Schema>,
    opts: Arc<ScanOptions>,
    layout: Option<Layout>,
    map: Option<FieldMap>,
    spans: Vec<(u32, u32)>,
    /// The schema columns the consumer reads (None: all), and how many leading fields of each
    /// line they need under the map with id `keep_for` (the rest are only counted).
    reads: Option<Arc<[usize]>>,
    keep: usize,
    keep_for: u64,
    // JSON state: keys seen so far (their order defines field positions) and value text.
    json_keys: Vec<String>,
    /// Position of each key in `json_keys` (a linear search was quadratic in hostile lines).
    json_index: HashMap<Vec<u8>, usize>,
    /// Position of each normalised key name: keys that name the same column share it.
    json_by_name: HashMap<String, usize>,
    json_key_buf: Vec<u8>,
    json_values: Vec<u8>,
    json_pairs: Vec<(usize, u32, u32)>,
}

impl<R: Read> FileScanner<R> {
    pub fn new(reader: R, schema: Arc<Schema>, opts: Arc<ScanOptions>) -> Self {
        let max_line = opts.max_line;
        Self {
            lines: LineReader::new(reader, max_line),
            schema,
            opts,
            layout: None,
            map: None,
            spans: Vec::with_capacity(64),
            reads: None,
            keep: usize::MAX,
            keep_for: 0,
            json_keys: vec![],
            json_index: HashMap::new(),
            json_by_name: HashMap::new(),
            json_key_buf: vec![],
            json_values: vec![],
            json_pairs: vec![],
        }
    }

    /// Reads one range of a larger file (see `format::split`): the layout is the whole file's,
    /// `fields` the `#Fields:` header in force at the range's first line (None: the file's
    /// headerless fields, if any), and line numbers continue after `lines_before`.
    pub fn for_range(
        reader: R,
        schema: Arc<Schema>,
        opts: Arc<ScanOptions>,
        layout: Layout,
        fields: Option<Vec<String>>,
        lines_before: u64,
    ) -> Self {
        let mut s = Self::new(reader, schema, opts);
        s.lines = LineReader::new(s.lines.into_inner(), s.opts.max_line).starting_after(lines_before);
        s.map = match (layout, fields) {
            (Layout::Json, _) => None,
            (Layout::W3c, Some(f)) => Some(s.schema.field_map(&f, Family::Standard)),
            // Only W3C files follow `#Fields:` lines (`next_event` reads a '#' line of a headerless
            // layout as data), so a header the index saw does not apply here. Using it made a
            // large real-time file containing a "#Fields:" line read differently in ranges
            // than whole (found by the `scan` fuzz target's range comparison).
            _ => s.opts.headerless_fields().map(|f| s.schema.field_map(&f, s.opts.family)),
        };
        s.layout = Some(layout);
        s
    }

    /// Only the schema columns `columns` will be read from rows (None: any): the fields after
    /// the last one they need are counted, not split (cheaper for narrow queries). Rows then
    /// answer `field`/`raw` only for those columns (and the fused timestamp when it is one).
    pub fn read_only(&mut self, columns: Option<Arc<[usize]>>) {
        self.reads = columns;
        self.keep_for = 0;
    }

    /// Bytes of (decompressed) input consumed so far: how far the scan has got.
    pub fn consumed(&self) -> u64 {
        self.lines.consumed()
    }

    /// The detected layout (after the first call to `next_event`).
    pub fn layout(&self) -> Option<Layout> {
        self.layout
    }

    fn start(&mut self) -> Result<Layout, ScanError> {
        let head = self.lines.peek(256)?;
        let layout = detect(head, &self.opts).map_err(ScanError::Layout)?;
        if layout != Layout::Json {
            if let Some(fields) = self.opts.headerless_fields() {
                self.map = Some(self.schema.field_map(&fields, self.opts.family));
            } else if layout == Layout::Tsv {
                return Err(ScanError::Layout("format 'plain' needs fields := [...]".into()));
            }
        }
        self.layout = Some(layout);
        Ok(layout)
    }

    /// The next row or bad line.
    pub fn next_event(&mut self) -> Result<Event<'_>, ScanError> {
        let layout = match self.layout {
            Some(l) => l,
            None => self.start()?,
        };
        loop {
            let mut range = match next_line(&mut self.lines)? {
                None => return Ok(Event::End),
                Some(Err((line, why))) => return Ok(Event::Bad(Refused { line, why, text: self.lines.long_line_head() })),
                Some(Ok(range)) => range,
            };
            let line_no = self.lines.line_no();
            // `detect` looks past a UTF-8 byte order mark (files re-saved by some editors), so
            // the first line must too: with it, "#Version"/"#Fields:"/"{" were not recognised
            // and the file's first line was a bad line (hostile-input review).
            if line_no == 1 && self.lines.buf()[range.clone()].starts_with(UTF8_BOM) {
                range.start += UTF8_BOM.len();
            }
            let line = &self.lines.buf()[range.clone()];
            match blank(line, layout) {
                Blank::No => {}
                Blank::Skip => continue,
                Blank::Refuse => {
                    let text = &self.lines.buf()[range];
                    return Ok(Event::Bad(Refused { line: line_no, why: Why::OnlyTabs, text }));
                }
            }
            match layout {
                Layout::W3c | Layout::Tsv => {
                    if line[0] == b'#' && layout == Layout::W3c {
                        if let Some(names) = parse_fields_header(line) {
                            let map = self.schema.field_map(&names, Family::Standard);
                            let dropped = map.unread_unknown;
                            self.map = Some(map);
                            if dropped > 0 {
                                // The header still applies; the line is reported so that the
                                // fields it cannot output are not dropped silently.
                                let text = &self.lines.buf()[range];
                                return Ok(Event::Bad(Refused { line: line_no, why: Why::UnreadUnknown(dropped), text }));
                            }
                        }
                        continue;
                    }
                    let Some(map) = self.map.as_ref() else {
                        let text = &self.lines.buf()[range];
                        return Ok(Event::Bad(Refused { line: line_no, why: Why::BeforeHeader, text }));
                    };
                    let expected = map.field_count;
                    if self.keep_for != map.id {
                        self.keep = self.reads.as_deref().map_or(usize::MAX, |cols| fields_needed(map, cols));
                        self.keep_for = map.id;
                    }
                    let n = split_fields_upto(line, range.start, b'\t', &mut self.spans, expected + 1, self.keep);
                    // The field after the last tab is empty: the line ends with a tab.
                    let trailing_tab = n == expected + 1 && line.last() == Some(&b'\t');
                    if n != expected && !trailing_tab {
                        let why = Why::FieldCount { expected, found: n };
                        let text = &self.lines.buf()[range];
                        return Ok(Event::Bad(Refused { line: line_no, why, text }));
                    }
                    let buf = self.lines.buf();
                    let text = &buf[range];
                    return Ok(Event::Row(Row { line: line_no, text, buf, spans: &self.spans, map }));
                }
                Layout::Json => {
                    self.json_pairs.clear();
                    let keys = &mut self.json_keys;
                    let index = &mut self.json_index;
                    let by_name = &mut self.json_by_name;
                    let pairs = &mut self.json_pairs;
                    let mut too_many_keys = false;
                    let parsed = parse_object(line, &mut self.json_key_buf, &mut self.json_values, |key, a, b| {
                        // Fast path: lines of one file usually list their keys in the same order.
                        let nth = pairs.len();
                        let pos = if keys.get(nth).is_some_and(|k| k.as_bytes() == key) {
                            nth
                        } else if let Some(&p) = index.get(key) {
                            p
                        } else if index.len() < MAX_JSON_KEYS {
                            // Spellings of one field (`time`, `TIME`) share a position: the column
                            // takes whichever the line has. With a position each, the first
                            // spelling seen fed the column and a line using another read NULL
                            // (found by the `scan` fuzz target comparing whole and range reads).
                            let text = String::from_utf8_lossy(key);
                            let pos = *by_name.entry(normalize(&text)).or_insert_with(|| {
                                keys.push(text.into_owned());
                                keys.len() - 1
                            });
                            index.insert(key.to_vec(), pos);
                            pos
                        } else {
                            too_many_keys = true;
                            return;
                        };
                        pairs.push((pos, a as u32, b as u32));
                    });
                    if let Err(e) = parsed {
                        let text = &self.lines.buf()[range];
                        return Ok(Event::Bad(Refused { line: line_no, why: Why::Json(e.0), text }));
                    }
                    if too_many_keys {
                        let text = &self.lines.buf()[range];
                        return Ok(Event::Bad(Refused { line: line_no, why: Why::TooManyJsonKeys, text }));
                    }
                    // Re-map whenever keys were added, by this line or by an earlier line that
                    // was then refused (invalid JSON, too many keys): the map used to be rebuilt
                    // only for this line's new keys, so after a refused line that introduced
                    // `c-ip`, later lines read c_ip as NULL (fuzzing, hostile-input review).
                    if self.map.as_ref().is_none_or(|m| m.field_count != self.json_keys.len()) {
                        self.map = Some(self.schema.field_map(&self.json_keys, Family::Standard));
                    }
                    // Missing keys are empty spans, which read as NULL.
                    self.spans.clear();
                    self.spans.resize(self.json_keys.len(), (0, 0));
                    for &(pos, a, b) in &self.json_pairs {
                        self.spans[pos] = (a, b);
                    }
                    let map = self.map.as_ref().expect("map set above");
                    let text = &self.lines.buf()[range];
                    return Ok(Event::Row(Row { line: line_no, text, buf: &self.json_values, spans: &self.spans, map }));
                }
            }
        }
    }
}

/// How many leading fields of a line under `map` the schema columns `columns` read: their own
/// fields, the fields the fused timestamp is made of (for the timestamp column, and for `date`
/// and `time`, which are taken from it or derived from an epoch timestamp), and both halves of a
/// real-time stem/query split.
pub fn fields_needed(map: &FieldMap, columns: &[usize]) -> usize {
    let mut keep = 0usize;
    let mut need = |pos: Option<usize>| {
        if let Some(p) = pos {
            keep = keep.max(p + 1);
        }
    };
    let source = |c: Option<usize>| c.and_then(|c| map.sources.get(c).copied().flatten());
    for &c in columns {
        need(source(Some(c)));
        if Some(c) == map.timestamp_column || c == DATE || c == TIME {
            need(map.timestamp.epoch);
            need(map.timestamp.date_time.map(|(d, _)| d));
            need(map.timestamp.date_time.map(|(_, t)| t));
        }
        if let Some((stem, query)) = map.split_stem {
            if Some(c) == stem || Some(c) == query {
                need(source(stem));
                need(source(query));
            }
        }
    }
    keep
}

/// The most bytes `sample_fields` reads of a file: two maximal lines, at least 64 MiB.
pub fn sample_bytes(opts: &ScanOptions) -> u64 {
    (2 * opts.max_line as u64).max(64 << 20)
}

/// The field names a file declares: its first `#Fields:` line (W3C) or its first object's keys
/// (JSON); None for headerless files. Reads only the first lines.
///
/// Reads at most `sample_bytes(opts)` bytes: the first lines are up to `max_line_size` each and
/// an over-long line is skipped by reading to its end, which without this bound could mean the
/// whole file (a gzip of gigabytes without a newline) at bind, where nothing can interrupt it.
pub fn sample_fields<R: Read>(reader: R, opts: &ScanOptions) -> Result<Option<(Vec<String>, Family)>, ScanError> {
    let mut lines = LineReader::new(reader.take(sample_bytes(opts)), opts.max_line);
    let layout = detect(lines.peek(256)?, opts).map_err(ScanError::Layout)?;
    let mut json_names: Vec<String> = vec![];
    // Deduplication by set, and at most MAX_JSON_KEYS names (a Vec::contains here was
    // quadratic in the number of keys of a hostile first line).
    let mut json_seen: HashSet<Vec<u8>> = HashSet::new();
    for _ in 0..64 {
        let range = match next_line(&mut lines)? {
            None => break,
            Some(Err(_too_long)) => continue,
            Some(Ok(range)) => range,
        };
        let line = &lines.buf()[range];
        // As in FileScanner::next: a byte order mark before the first line is not part of it.
        let line = if lines.line_no() == 1 { line.strip_prefix(UTF8_BOM).unwrap_or(line) } else { line };
        match layout {
            Layout::W3c => {
                if let Some(names) = parse_fields_header(line) {
                    return Ok(Some((names, Family::Standard)));
                }
                if !line.starts_with(b"#") && !line.is_empty() {
                    break;
                }
            }
            Layout::Json => {
                // Keys may differ between objects: take the union over the first lines.
                let (mut k, mut v) = (vec![], vec![]);
                let before = json_names.len();
                let mut added: Vec<Vec<u8>> = vec![];
                let ok = parse_object(line, &mut k, &mut v, |key, _, _| {
                    if json_names.len() < MAX_JSON_KEYS && json_seen.insert(key.to_vec()) {
                        added.push(key.to_vec());
                        json_names.push(String::from_utf8_lossy(key).into_owned());
                    }
                })
                .is_ok();
                if !ok {
                    json_names.truncate(before);
                    for key in &added {
                        json_seen.remove(key);
                    }
                }
            }
            Layout::Tsv => break,
        }
    }
    if !json_names.is_empty() {
        return Ok(Some((json_names, Family::Standard)));
    }
    Ok(opts.headerless_fields().map(|f| (f, opts.family)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::fields::STANDARD_33_FIELDS;

    fn scan(data: &[u8], opts: ScanOptions) -> (Vec<Vec<Option<String>>>, Vec<BadLine>, Schema) {
        let sample = sample_fields(data, &opts).unwrap();
        let schema = Arc::new(Schema::from_field_lists(sample.as_ref().map(|(f, fam)| (f.as_slice(), *fam))));
        let mut s = FileScanner::new(data, schema.clone(), Arc::new(opts));
        let (mut rows, mut bads) = (vec![], vec![]);
        loop {
            match s.next_event().unwrap() {
                Event::Row(r) => {
                    rows.push((0..schema.columns.len()).map(|c| r.raw(c).map(|b| String::from_utf8_lossy(b).into_owned())).collect())
                }
                Event::Bad(b) => bads.push(b.to_bad_line()),
                Event::End => break,
            }
        }
        (rows, bads, (*schema).clone())
    }

    #[test]
    fn w3c_with_header_change_mid_file() {
        let data = b"#Version: 1.0\n#Fields: date time c-ip sc-status\n2019-12-04\t21:02:31\t192.0.2.1\t200\n\
#Version: 1.0\n#Fields: c-ip date\n198.51.100.2\t2019-12-05\n";
        let (rows, bads, schema) = scan(data, ScanOptions::default());
        assert!(bads.is_empty());
        let ip = schema.column_named("c_ip").unwrap();
        let status = schema.column_named("sc_status").unwrap();
        let date = schema.column_named("date").unwrap();
        assert_eq!(rows[0][ip].as_deref(), Some("192.0.2.1"));
        assert_eq!(rows[0][status].as_deref(), Some("200"));
        assert_eq!(rows[1][ip].as_deref(), Some("198.51.100.2"));
        assert_eq!(rows[1][date].as_deref(), Some("2019-12-05"));
        assert_eq!(rows[1][status], None);
    }

    #[test]
    fn wrong_field_count_is_a_bad_line_with_its_number_and_trailing_tab_is_fine() {
        let data = b"#Version: 1.0\n#Fields: date time c-ip\n2019-12-04\t21:02:31\t192.0.2.1\t\n2019-12-04\t21:02:31\n";
        let (rows, bads, _) = scan(data, ScanOptions::default());
        assert_eq!(rows.len(), 1);
        assert_eq!(bads.len(), 1);
        assert_eq!(bads[0].line, 4);
        assert_eq!(bads[0].reason, "expected 3 fields, found 2");
        assert_eq!(bads[0].kind, ErrorKind::MissingFields);
    }

    #[test]
    fn data_before_header_is_bad() {
        let data = b"#Version: 1.0\nx\ty\n";
        let (_, bads, _) = scan(data, ScanOptions { layout: LayoutChoice::Fixed(Layout::W3c), ..Default::default() });
        assert_eq!(bads[0].line, 2);
        assert_eq!(bads[0].kind, ErrorKind::NoHeader);
    }

    #[test]
    fn realtime_with_fields() {
        let fields: Vec<String> = ["timestamp", "c-ip", "sc-status"].iter().map(|s| s.to_string()).collect();
        let opts = ScanOptions { fields: Some(fields), family: Family::RealTime, ..Default::default() };
        let (rows, bads, schema) = scan(b"1598574722.123\t192.0.2.100\t200\n", opts);
        assert!(bads.is_empty());
        assert_eq!(rows[0][schema.column_named("sc_status").unwrap()].as_deref(), Some("200"));
    }

    #[test]
    fn json_lines_with_varying_keys() {
        let data = br#"{"date":"2024-11-20","time":"13:05:09","c-ip":"192.0.2.1"}
{"c-ip":"2001:db8::1","asn":"16509","date":"2024-11-20","time":"13:05:10"}
"#;
        let (rows, bads, schema) = scan(data, ScanOptions::default());
        assert!(bads.is_empty());
        let ip = schema.column_named("c_ip").unwrap();
        assert_eq!(rows[0][ip].as_deref(), Some("192.0.2.1"));
        assert_eq!(rows[1][ip].as_deref(), Some("2001:db8::1"));
    }

    /// Security review: a JSON file whose every line adds a key (or one line with tens of
    /// thousands of keys) cost quadratic time: 40,000 lines took 67 s. Keys are now indexed and
    /// bounded per file; a line going over the bound is a bad line, and scanning stays linear.
    #[test]
    fn json_keys_are_bounded_and_linear() {
        let mut data = String::new();
        for i in 0..20_000 {
            data.push_str(&format!("{{\"c-ip\":\"192.0.2.{}\",\"k{i}\":1}}\n", i % 250));
        }
        let wide: Vec<String> = (0..30_000).map(|i| format!("\"w{i}\":{i}")).collect();
        data.push_str(&format!("{{{}}}\n", wide.join(",")));
        data.push_str("{\"c-ip\":\"198.51.100.1\",\"k3\":1}\n");
        // The cost is not asserted here: a timed assertion fails on a busy machine rather than
        // on a regression.
        let (rows, bads, schema) = scan(data.as_bytes(), ScanOptions::default());
        // c-ip plus 255 k-keys fit; every later line that brings a new key is refused.
        assert_eq!(rows.len(), 255 + 1);
        assert_eq!(bads.len(), 20_000 - 255 + 1);
        assert_eq!(bads[0].line, 256);
        assert_eq!(bads[0].reason, format!("more than {MAX_JSON_KEYS} distinct JSON keys in this file"));
        assert_eq!(bads[0].kind, ErrorKind::TooManyJsonKeys);
        let ip = schema.column_named("c_ip").unwrap();
        assert_eq!(rows.last().unwrap()[ip].as_deref(), Some("198.51.100.1"));
        // The sample took the union of the first 64 lines' keys, deduplicated.
        assert_eq!(schema.columns.len(), 36 + 64);
    }

    /// Fuzzing: a refused line's new keys, and a second spelling of a field, made later lines
    /// read the field as NULL.
    #[test]
    fn json_refused_lines_and_respellings_do_not_hide_values() {
        let data = br#"{"sc-status":200}
{"c-ip":"192.0.2.1", oops
{"c-ip":"192.0.2.3","sc-status":201}
{"date":"2026-11-20","time":"10:00:00"}
{"date":"2026-11-20","TIME":"10:00:01","C-IP":"192.0.2.5"}
"#;
        let (rows, bads, schema) = scan(data, ScanOptions::default());
        assert_eq!(bads.len(), 1);
        let col = |n: &str| schema.column_named(n).unwrap();
        assert_eq!(rows[1][col("c_ip")].as_deref(), Some("192.0.2.3"));
        assert_eq!(rows[1][col("sc_status")].as_deref(), Some("201"));
        assert_eq!(rows[2][col("time")].as_deref(), Some("10:00:00"));
        assert_eq!(rows[3][col("time")].as_deref(), Some("10:00:01"));
        assert_eq!(rows[3][col("c_ip")].as_deref(), Some("192.0.2.5"));
    }

    #[test]
    fn json_sample_is_bounded_and_forgets_keys_of_bad_lines() {
        let wide: Vec<String> = (0..100_000).map(|i| format!("\"w{i}\":{i}")).collect();
        let data = format!("{{\"x-a\":1,\"x-b\":2 oops\n{{{}}}\n", wide.join(","));
        let (names, _) = sample_fields(data.as_bytes(), &ScanOptions::default()).unwrap().unwrap();
        assert_eq!(names.len(), MAX_JSON_KEYS);
        assert_eq!(names[0], "w0");
        let data = "{\"x-a\":1,\"x-b\":2 oops\n{\"x-b\":1,\"x-a\":1,\"x-b\":3}\n";
        let (names, _) = sample_fields(data.as_bytes(), &ScanOptions::default()).unwrap().unwrap();
        assert_eq!(names, vec!["x-b".to_string(), "x-a".to_string()]);
    }

    /// Fuzzing (range comparison): in a headerless layout a "#Fields:" line is data, and a
    /// range starting after one must not take its fields from it.
    #[test]
    fn ranges_of_headerless_files_ignore_fields_lines() {
        let fields = Some(vec!["timestamp".to_string(), "c-ip".to_string()]);
        let opts = Arc::new(ScanOptions { fields, family: Family::RealTime, ..Default::default() });
        let schema = Arc::new(Schema::from_field_lists(std::iter::empty()));
        let data: &[u8] = b"1598574722.123\t192.0.2.1\n#Fields: c-ip\n192.0.2.2\n";
        let collect = |mut s: FileScanner<&[u8]>| {
            let mut out = vec![];
            loop {
                match s.next_event().unwrap() {
                    Event::Row(r) => out.push(format!("row {}", r.line)),
                    Event::Bad(b) => out.push(format!("bad {}: {}", b.line, b.why.reason())),
                    Event::End => return out,
                }
            }
        };
        let whole = collect(FileScanner::new(data, schema.clone(), opts.clone()));
        assert_eq!(whole, vec!["row 1", "bad 2: expected 2 fields, found 1", "bad 3: expected 2 fields, found 1"]);
        // The index of a range starting at line 3 carries the "#Fields: c-ip" it passed.
        let third = FileScanner::for_range(&data[39..], schema, opts, Layout::Tsv, Some(vec!["c-ip".into()]), 2);
        assert_eq!(collect(third), whole[2..].to_vec());
    }

    /// Hostile-input review: detection skipped a byte order mark but the scanner did not, so
    /// a BOM-prefixed log failed on line 1 ("data line before any '#Fields:' header").
    #[test]
    fn byte_order_mark_before_the_first_line_is_skipped() {
        let w3c = b"\xEF\xBB\xBF#Fields: date time c-ip\n2019-12-04\t21:02:31\t192.0.2.1\n";
        let (rows, bads, schema) = scan(w3c, ScanOptions::default());
        assert!(bads.is_empty(), "{bads:?}");
        assert_eq!(rows[0][schema.column_named("c_ip").unwrap()].as_deref(), Some("192.0.2.1"));
        let json = "\u{FEFF}{\"c-ip\":\"192.0.2.1\",\"x-thing\":\"1\"}\n".as_bytes();
        let (rows, bads, schema) = scan(json, ScanOptions::default());
        assert!(bads.is_empty(), "{bads:?}");
        assert_eq!(rows[0][schema.column_named("x_thing").unwrap()].as_deref(), Some("1"));
        let fields = Some(vec!["timestamp".to_string(), "c-ip".to_string()]);
        let rt = ScanOptions { fields, family: Family::RealTime, ..Default::default() };
        let (rows, bads, _) = scan(b"\xEF\xBB\xBF1598574722.123\t192.0.2.100\n", rt);
        assert!(bads.is_empty(), "{bads:?}");
        assert_eq!(rows.len(), 1);
        // Only before the first line: later, it is data.
        let (rows, _, schema) = scan(b"#Fields: c-ip\n\xEF\xBB\xBF#Fields: c-ip\n", ScanOptions::default());
        assert_eq!(rows[0][schema.column_named("c_ip").unwrap()].as_deref(), Some("\u{FEFF}#Fields: c-ip"));
    }

    /// Issue 11: a line of only TABs (and spaces) vanished without a trace; it is a bad line
    /// now, whatever its number of TABs. A line of only spaces carries nothing and is skipped,
    /// as are empty lines.
    #[test]
    fn tab_only_lines_are_refused_space_only_lines_are_blank() {
        let data = b"#Fields: date time c-ip\n\t\t\n \t\t\t\t\t\n   \n\n2019-12-04\t21:02:31\t192.0.2.1\n";
        let (rows, bads, _) = scan(data, ScanOptions::default());
        assert_eq!(rows.len(), 1);
        let got: Vec<(u64, &str, &str)> = bads.iter().map(|b| (b.line, b.reason.as_str(), b.text.as_str())).collect();
        let reason = "line of only TABs and spaces: no values";
        assert_eq!(got, vec![(2, reason, "\t\t"), (3, reason, " \t\t\t\t\t")]);
        assert!(bads.iter().all(|b| b.kind == ErrorKind::BlankFields));
        // JSON lines: whitespace of any kind is blank.
        let (rows, bads, _) = scan(b"{\"c-ip\":\"192.0.2.1\"}\n\t \t\n", ScanOptions::default());
        assert_eq!((rows.len(), bads.len()), (1, 0));
    }

    /// Issue 11: a line longer than max_line_size is one bad line (number, length, its first
    /// bytes), and the lines after it are read.
    #[test]
    fn over_long_line_is_a_bad_line_and_scanning_goes_on() {
        let mut data = b"#Fields: date time c-ip\n2019-12-04\t21:02:31\t192.0.2.1\n".to_vec();
        data.extend(std::iter::repeat_n(b'q', 5000));
        data.extend_from_slice(b"\n2019-12-04\t21:02:32\t192.0.2.2\n");
        let opts = ScanOptions { max_line: 100, ..Default::default() };
        let (rows, bads, _) = scan(&data, opts);
        assert_eq!(rows.len(), 2);
        assert_eq!(bads.len(), 1);
        assert_eq!(bads[0].line, 3);
        assert_eq!(bads[0].reason, "line of 5000 bytes is longer than max_line_size (100 bytes)");
        assert_eq!(bads[0].kind, ErrorKind::LineTooLong);
        assert_eq!(bads[0].text, "q".repeat(512));
    }

    /// Issue 11: unknown fields beyond the cap are reported once, at their header line, and
    /// the header still applies to the lines after it.
    #[test]
    fn fields_beyond_the_unknown_column_cap_are_reported() {
        let names: Vec<String> = (0..MAX_UNKNOWN_COLUMNS + 3).map(|i| format!("x-f{i}")).chain(["c-ip".to_string()]).collect();
        let mut data = format!("#Version: 1.0\n#Fields: {}\n", names.join(" ")).into_bytes();
        let values: Vec<String> =
            (0..names.len()).map(|i| if i + 1 == names.len() { "192.0.2.9".into() } else { format!("v{i}") }).collect();
        data.extend_from_slice(values.join("\t").as_bytes());
        data.push(b'\n');
        let (rows, bads, schema) = scan(&data, ScanOptions::default());
        assert_eq!(bads.len(), 1);
        assert_eq!(bads[0].line, 2);
        assert_eq!(bads[0].reason, format!("this #Fields: header names 3 more unknown field(s) than the {MAX_UNKNOWN_COLUMNS} that become columns; their values are not read"));
        assert_eq!(bads[0].kind, ErrorKind::UnreadFields);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0][schema.column_named("c_ip").unwrap()].as_deref(), Some("192.0.2.9"));
        assert_eq!(rows[0][schema.column_named("x_f255").unwrap()].as_deref(), Some("v255"));
        assert!(schema.column_named("x_f256").is_none());
    }

    /// Issue 11: sampling the header stops after `sample_bytes`, even inside a line without
    /// an end (here an endless line of zeros after a JSON line).
    #[test]
    fn sampling_is_bounded() {
        struct Endless(u64);
        impl Read for Endless {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                self.0 += buf.len() as u64;
                buf.fill(b'0');
                Ok(buf.len())
            }
        }
        let opts = ScanOptions { max_line: 1 << 20, ..Default::default() };
        let head: &[u8] = b"{\"c-ip\":\"192.0.2.1\"}\n";
        let mut counter = Endless(0);
        let got = sample_fields(head.chain(&mut counter), &opts).unwrap();
        assert_eq!(got.map(|(f, _)| f), Some(vec!["c-ip".to_string()]));
        assert!(counter.0 <= sample_bytes(&opts) + (2 << 20), "{} bytes read", counter.0);
    }

    #[test]
    fn detection() {
        let o = ScanOptions::default();
        assert_eq!(detect(b"#Version: 1.0", &o), Ok(Layout::W3c));
        assert_eq!(detect(b"\xEF\xBB\xBF{\"a\":1}", &o), Ok(Layout::Json));
        assert!(detect(b"1598574722.123\t1.2.3.4", &o).is_err());
        let with_fields = ScanOptions { fields: Some(vec!["c-ip".into()]), ..Default::default() };
        assert_eq!(detect(b"1598574722.123", &with_fields), Ok(Layout::Tsv));
    }

    #[test]
    fn standard_33_header_is_sampled() {
        let header = format!("#Version: 1.0\n#Fields: {}\n", STANDARD_33_FIELDS.join(" "));
        let (names, fam) = sample_fields(header.as_bytes(), &ScanOptions::default()).unwrap().unwrap();
        assert_eq!(names.len(), 33);
        assert_eq!(fam, Family::Standard);
    }
}
