//! The checks behind the fuzz targets, as plain functions so that they run three ways:
//! under libFuzzer (`fuzz_targets/*.rs`, `RUSTC_BOOTSTRAP=1 cargo fuzz run <target>`), over the
//! committed regression seeds (`tests/seeds.rs`, plain `cargo test` on stable), and as a
//! bounded random-input loop (`tests/random.rs`), which needs no fuzzing toolchain at all.
//!
//! Every check feeds attacker-controlled bytes to a public entry point of the `format` or
//! `hunt` modules and asserts what must hold for any input: no panic, bounded output, valid
//! UTF-8 wherever a VARCHAR comes out, and agreement between functions that must agree.

use std::io::{self, Read};
use std::sync::Arc;

use cloudfront_core::format::cell::{convert, Cell, Scratch};
use cloudfront_core::format::fields::{lookup, normalize, Family, CATALOGUE, REALTIME_DEFAULT_FIELDS};
use cloudfront_core::format::row::{Check, Output, RowWriter, Sink};
use cloudfront_core::format::scan::{parse_fields_header, sample_fields, Event, FileScanner, Layout, LayoutChoice, ScanOptions};
use cloudfront_core::format::schema::Schema;
use cloudfront_core::format::{decode, source, split};
use cloudfront_core::hunt::{attack, edge, entropy, ip, scanner_path, url, user_agent, waf};

/// A reader that hands out at most `chunk` bytes per `read`, so that lines and gzip members
/// cross buffer boundaries at every possible offset (`chunk` = 0: no limit).
pub struct Trickle<'a> {
    data: &'a [u8],
    chunk: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut n = buf.len().min(self.data.len());
        if self.chunk > 0 {
            n = n.min(self.chunk);
        }
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// A slice as a `split::Source`, read in `chunk`-byte pieces.
struct TrickleSource<'a> {
    data: &'a [u8],
    chunk: usize,
}

impl<'a> split::Source for TrickleSource<'a> {
    type Reader = Trickle<'a>;
    fn read_from(&self, offset: u64) -> io::Result<Trickle<'a>> {
        Ok(Trickle { data: &self.data[(offset as usize).min(self.data.len())..], chunk: self.chunk })
    }
}

fn assert_unique_columns(schema: &Schema) {
    let mut seen = std::collections::HashSet::new();
    for c in &schema.columns {
        // DuckDB compares column names case-insensitively (ASCII).
        assert!(!c.name.is_empty(), "empty column name");
        assert!(seen.insert(c.name.to_ascii_lowercase()), "duplicate column {:?}", c.name);
    }
    assert!(schema.columns.len() >= 36, "core columns missing");
}

// ------------------------------------------------------------------------------------ header

/// `#Fields:` parsing, name normalisation and lookup, schema building and field maps.
pub fn header(data: &[u8]) {
    let mut line = data.to_vec();
    if !line.starts_with(b"#Fields:") {
        line.splice(0..0, b"#Fields: ".iter().copied());
    }
    let names = parse_fields_header(&line).expect("a line starting with #Fields: is a header");
    for name in &names {
        assert!(!name.is_empty() && !name.chars().any(|c| c.is_ascii_whitespace()), "{name:?}");
        let n = normalize(name);
        assert!(!n.contains(')') && !n.contains('-') && !n.contains('('), "{n:?}");
        assert!(!n.bytes().any(|b| b.is_ascii_uppercase()), "{n:?}");
        for family in [Family::Standard, Family::RealTime] {
            if let Some(i) = lookup(name, family) {
                let expected = match (family, n.as_str()) {
                    (Family::RealTime, "cs_host") => "x_host_header",
                    (Family::RealTime, "x_host_header") => "cs_host",
                    _ => n.as_str(),
                };
                assert_eq!(CATALOGUE[i].name, expected);
            }
        }
    }
    let std_schema = Schema::from_field_lists([(names.as_slice(), Family::Standard)]);
    let both = Schema::from_field_lists([(names.as_slice(), Family::Standard), (names.as_slice(), Family::RealTime)]);
    for schema in [&std_schema, &both] {
        assert_unique_columns(schema);
        for family in [Family::Standard, Family::RealTime] {
            let map = schema.field_map(&names, family);
            assert_eq!(map.sources.len(), schema.columns.len());
            assert_eq!(map.field_count, names.len());
            let mut used = std::collections::HashSet::new();
            for p in map.sources.iter().flatten() {
                assert!(*p < names.len());
                assert!(used.insert(*p), "field {p} feeds two columns");
            }
            if let Some(e) = map.timestamp.epoch {
                assert!(e < names.len());
            }
            if let Some((d, t)) = map.timestamp.date_time {
                assert!(d < names.len() && t < names.len() && d != t);
            }
        }
    }
    // A schema built from the names must give each (standard-family) unknown name a column.
    for name in &names {
        if lookup(name, Family::Standard).is_none() && !normalize(name).is_empty() {
            let n = normalize(name);
            // Up to the cap on unknown columns (see Schema::from_field_lists).
            let unknown_columns = std_schema.columns.len() - 36 - count_known_extras(&std_schema);
            if unknown_columns < cloudfront_core::format::schema::MAX_UNKNOWN_COLUMNS {
                assert!(std_schema.column_named(&n).is_some(), "unknown field {n:?} has no column");
            }
        }
    }
}

fn count_known_extras(schema: &Schema) -> usize {
    CATALOGUE[36..].iter().filter(|f| schema.column_named(f.name).is_some()).count()
}

// -------------------------------------------------------------------------------------- scan

const SOME_FIELDS: &[&str] =
    &["timestamp", "c-ip", "sc-status", "cs-uri-stem", "cs-uri-query", "date", "time", "cs-user-agent", "sc-bytes", "x-custom"];

/// Options taken from the first input byte.
fn scan_options(flags: u8, limit: u8) -> (ScanOptions, bool, bool) {
    let mut opts = ScanOptions {
        layout: match flags & 3 {
            0 => LayoutChoice::Auto,
            1 => LayoutChoice::Fixed(Layout::W3c),
            2 => LayoutChoice::Fixed(Layout::Json),
            _ => LayoutChoice::Fixed(Layout::Tsv),
        },
        ..Default::default()
    };
    if flags & 4 != 0 {
        opts.fields = Some(SOME_FIELDS.iter().map(|s| s.to_string()).collect());
    }
    if flags & 8 != 0 {
        opts.family = Family::RealTime;
    }
    if flags & 16 != 0 {
        // Small limits make the too-long-line paths reachable with small inputs.
        opts.max_line = 1 + limit as usize * 4;
    }
    let decode = flags & 32 == 0;
    let gzip_path = flags & 64 != 0;
    (opts, decode, gzip_path)
}

fn reader<'a>(data: &'a [u8], chunk: usize, through_source: bool) -> Option<Box<dyn Read + 'a>> {
    if through_source {
        // open_text needs 'static: copy (the fuzz inputs are small).
        source::open_text(io::Cursor::new(data.to_vec())).ok().map(|r| Box::new(r) as Box<dyn Read>)
    } else {
        Some(Box::new(Trickle { data, chunk }))
    }
}

/// What a scan produced, for comparing two ways of reading the same bytes.
#[derive(Debug, PartialEq)]
enum Seen {
    /// Line number, every column's raw bytes, the fused timestamp.
    Row(u64, Vec<Option<Vec<u8>>>, Result<Option<i64>, String>),
    Bad(u64, String),
}

/// A sink that keeps nothing and checks that numbers are finite.
struct Finite;

impl Sink for Finite {
    fn null(&mut self, _: usize, _: usize) {}
    fn int32(&mut self, _: usize, _: usize, _: i32) {}
    fn int64(&mut self, _: usize, _: usize, _: i64) {}
    fn float64(&mut self, _: usize, _: usize, value: f64) {
        assert!(value.is_finite(), "non-finite DOUBLE {value}");
    }
    fn date(&mut self, _: usize, _: usize, _: i32) {}
    fn time(&mut self, _: usize, _: usize, micros: i64) {
        assert!((0..86_400_000_000).contains(&micros), "TIME out of a day: {micros}");
    }
    fn timestamp(&mut self, _: usize, _: usize, _: i64) {}
    fn text(&mut self, _: usize, _: usize, _: &str) {}
}

/// Runs one scanner to its end, checking every event; Err on a fatal (file) error.
fn drain<R: Read>(
    scanner: &mut FileScanner<R>,
    schema: &Arc<Schema>,
    decode: bool,
    max_line: usize,
    bound: usize,
    first_line: u64,
) -> Result<Vec<Seen>, String> {
    let mut scratch = Scratch::default();
    // The reader's own conversion (format::row, as read_cloudfront with ignore_errors runs it):
    // every column shown, every column checked.
    let outputs = (0..schema.columns.len()).map(Output::Column).collect();
    let mut writer = RowWriter::new(schema.clone(), outputs, Check::Every, decode);
    let mut last_line = first_line;
    let mut seen = vec![];
    for _ in 0..bound {
        match scanner.next_event() {
            Err(e) => return Err(e.to_string()),
            Ok(Event::End) => {
                assert!(matches!(scanner.next_event(), Ok(Event::End)), "End is not final");
                return Ok(seen);
            }
            Ok(Event::Bad(b)) => {
                let b = b.to_bad_line();
                assert!(b.line > last_line, "line numbers go back: {} after {last_line}", b.line);
                last_line = b.line;
                assert!(b.text.len() <= 512 * 4, "bad-line text not cut"); // each byte at most "\\xNN"
                seen.push(Seen::Bad(b.line, b.reason));
            }
            Ok(Event::Row(row)) => {
                assert!(row.line > last_line, "line numbers go back: {} after {last_line}", row.line);
                last_line = row.line;
                let mut values = Vec::with_capacity(schema.columns.len());
                let mut refused = false;
                for (c, col) in schema.columns.iter().enumerate() {
                    let raw = row.raw(c);
                    // A JSON key missing from a line is an empty span when other lines of the
                    // scanner had it and None otherwise; both read as NULL, so compare them as
                    // one. (Not quite for date/time: None lets them be derived from an epoch
                    // timestamp; see docs/security-review.md.)
                    values.push(raw.filter(|r| !r.is_empty()).map(|r| r.to_vec()));
                    let Some(raw) = raw else { continue };
                    assert!(raw.len() <= max_line, "field of {} bytes on a line limited to {max_line}", raw.len());
                    match convert(col.kind, raw, decode, &mut scratch) {
                        Ok(Cell::Text(s)) => assert!(s.len() <= 4 * raw.len(), "text of {} grew more than escaping allows", col.name),
                        Ok(Cell::F64(f)) => assert!(f.is_finite()),
                        Ok(_) => {}
                        Err(_) => refused = true,
                    }
                }
                let ts = row.timestamp();
                refused |= ts.is_err();
                // The row writer refuses exactly the rows whose timestamp or some value does not
                // convert, and writes only finite numbers.
                let written = writer.write(&row, "", &mut Finite, 0);
                assert_eq!(written.is_err(), refused, "row writer and convert disagree on line {}", row.line);
                if let Ok(Some(ts)) = ts {
                    if let Some((d, t)) = row.derived_date_time() {
                        assert_eq!(d as i64 * 86_400_000_000 + t, ts);
                        assert!((0..86_400_000_000).contains(&t));
                    }
                }
                seen.push(Seen::Row(row.line, values, ts.map_err(|e| e.to_string())));
            }
        }
    }
    panic!("the scan did not end after {bound} events");
}

/// A whole file scan: layout detection, header sampling, schema, every event, every column of
/// every row converted (as `read_cloudfront` with `ignore_errors` does), the fused timestamp.
/// For plain input, the same bytes are then read again in ranges the way a large file is read
/// by several threads (`format::split::index_ranges` + `FileScanner::for_range`, with range
/// starts taken from the input) and must give the same rows and bad lines.
pub fn scan(data: &[u8]) {
    let [flags, limit, chunk, rest @ ..] = data else { return };
    let (opts, decode, through_source) = scan_options(*flags, *limit);
    let chunk = *chunk as usize;
    let Some(r) = reader(rest, chunk, through_source) else { return };
    let sample = match sample_fields(r, &opts) {
        Ok(s) => s,
        Err(_) => None,
    };
    let mut lists: Vec<(Vec<String>, Family)> = sample.into_iter().collect();
    if flags & 128 != 0 {
        lists.push((REALTIME_DEFAULT_FIELDS.iter().map(|s| s.to_string()).collect(), Family::RealTime));
    }
    let schema = Arc::new(Schema::from_field_lists(lists.iter().map(|(f, fam)| (f.as_slice(), *fam))));
    assert_unique_columns(&schema);
    let max_line = opts.max_line;
    let opts = Arc::new(opts);
    let Some(r) = reader(rest, chunk, through_source) else { return };
    let mut scanner = FileScanner::new(r, schema.clone(), opts.clone());
    // Every event consumes at least one line, so a scan ends within len+1 events (len of the
    // decompressed text: deflate expands at most 1032:1).
    let bound = if through_source { rest.len() * 1032 + 64 } else { rest.len() + 2 };
    let whole = drain(&mut scanner, &schema, decode, max_line, bound, 0);
    let Some(layout) = scanner.layout() else { return };
    if through_source || rest.is_empty() {
        return;
    }

    // The same bytes in ranges.
    let mut starts: Vec<u64> = vec![0, (chunk * 7919 % rest.len()) as u64, (*limit as usize * 104_729 % rest.len()) as u64];
    starts.sort_unstable();
    starts.dedup();
    let index = split::index_ranges(&TrickleSource { data: rest, chunk }, rest.len() as u64, &starts, max_line).expect("reading a slice");
    assert_eq!(index.len(), starts.len() + 1);
    let mut ranged: Result<Vec<Seen>, String> = Ok(vec![]);
    for k in 0..starts.len() {
        let (a, b) = (&index[k], &index[k + 1]);
        assert!(a.offset <= b.offset && b.offset <= rest.len() as u64 && a.lines_before <= b.lines_before);
        let part = &rest[a.offset as usize..b.offset as usize];
        let r = Trickle { data: part, chunk };
        let mut s = FileScanner::for_range(r, schema.clone(), opts.clone(), layout, a.fields.clone(), a.lines_before);
        match drain(&mut s, &schema, decode, max_line, part.len() + 2, a.lines_before) {
            Ok(events) => {
                if let Ok(all) = ranged.as_mut() {
                    all.extend(events);
                }
            }
            Err(e) => ranged = Err(e),
        }
    }
    // Bounds that are per scanner rather than per file may differ between the two readings.
    let per_scanner = |v: &Vec<Seen>| v.iter().any(|e| matches!(e, Seen::Bad(_, r) if r.contains("distinct JSON keys")));
    match (&whole, &ranged) {
        (Ok(w), Ok(r)) if per_scanner(w) || per_scanner(r) => {}
        (Ok(w), Ok(r)) => {
            if w != r {
                let columns: Vec<&str> = schema.columns.iter().map(|c| c.name.as_str()).collect();
                let first = w.iter().zip(r.iter()).position(|(a, b)| a != b);
                let detail = match first.map(|i| (&w[i], &r[i])) {
                    Some((Seen::Row(l, a, ta), Seen::Row(_, b, tb))) => {
                        let cols: Vec<String> = (0..a.len())
                            .filter(|&c| a[c] != b[c])
                            .map(|c| {
                                let show = |v: &Option<Vec<u8>>| v.as_ref().map(|v| String::from_utf8_lossy(v).into_owned());
                                format!("{}: {:?} vs {:?}", columns[c], show(&a[c]), show(&b[c]))
                            })
                            .collect();
                        format!("line {l}: {cols:?}, timestamps {ta:?} vs {tb:?}")
                    }
                    Some((a, b)) => format!("{a:?} vs {b:?}"),
                    None => format!("{} vs {} events", w.len(), r.len()),
                };
                panic!("whole file and ranges disagree ({detail}); ranges {index:?}");
            }
        }
        (Err(_), Err(_)) => {}
        (w, r) => panic!("whole file and ranges disagree:\n whole: {w:?}\n ranges: {r:?}\n index: {index:?}"),
    }
}

// ------------------------------------------------------------------------------------ decode

/// Percent, `\xNN` and multi-level decoding, UTF-8 repair: both implementations (the reader's
/// `format::decode` and the scalars' `hunt::url`) must agree.
pub fn decode_all(data: &[u8]) {
    let levels = data.first().map(|b| (b % 10) as u32).unwrap_or(0);
    let s = data.get(1..).unwrap_or(&[]);

    // One level, three ways (into a fresh buffer, into a stale one, in place).
    let mut a = b"stale".to_vec();
    let changed_a = url::percent_decode_into(s, &mut a);
    let mut b = Vec::new();
    let changed_b = decode::percent_decode_into(s, &mut b);
    let mut c = s.to_vec();
    let changed_c = url::percent_decode_in_place(&mut c);
    assert_eq!(a, b);
    assert_eq!(a, c);
    assert_eq!(changed_a, changed_b);
    assert_eq!(changed_a, changed_c);
    assert_eq!(changed_a, url::has_percent_escape(s));
    assert_eq!(url::has_percent_escape(s), decode::has_percent_escape(s));
    assert!(a.len() <= s.len());
    assert_eq!(changed_a, a.len() < s.len());

    // Several levels.
    let mut out = b"stale".to_vec();
    decode::url_decode_levels(s, levels, &mut out);
    let mut out2 = b"stale".to_vec();
    url::url_decode_levels(s, levels, &mut out2);
    assert_eq!(out, out2);
    assert!(out.len() <= s.len());
    // Decoding level by level gives the same.
    let mut step = s.to_vec();
    for _ in 0..levels {
        if !url::percent_decode_in_place(&mut step) {
            break;
        }
    }
    assert_eq!(step, out);

    // Depth is bounded and consistent with decoding.
    let depth = url::encoding_depth(s);
    let mut scratch = b"x".to_vec();
    assert_eq!(depth, url::encoding_depth_buf(s, &mut scratch));
    assert!(depth <= url::MAX_ENCODING_DEPTH);
    assert_eq!(depth == 0, !url::has_percent_escape(s));

    // \xNN
    let mut x = b"stale".to_vec();
    let changed_x = url::decode_backslash_x_into(s, &mut x);
    assert!(x.len() <= s.len());
    assert_eq!(changed_x, x.len() < s.len());

    // Decoded text for display: valid UTF-8 without control characters, and one level of
    // percent-decoding gives back what was escaped (issue 11).
    let mut shown = b"stale".to_vec();
    shown.clear();
    decode::push_text_escaping_controls(&out, &mut shown);
    let text = std::str::from_utf8(&shown).expect("valid UTF-8");
    assert!(!text.chars().any(|c| (c as u32) < 0x20 || (0x7f..=0x9f).contains(&(c as u32))), "{text:?}");
    if !decode::needs_text_repair(&out) {
        assert_eq!(shown, out);
    }
    if std::str::from_utf8(&out).is_ok() && !out.contains(&b'%') {
        let mut back = Vec::new();
        url::percent_decode_into(&shown, &mut back);
        assert_eq!(back, out, "escaping is not undone by decoding");
    }

    // UTF-8 repair, both implementations, against std.
    for bytes in [s, &out[..], &x[..]] {
        let want = String::from_utf8_lossy(bytes);
        let mut r1 = b"stale".to_vec();
        url::to_valid_utf8_lossy_into(bytes, &mut r1);
        let mut r2 = Vec::new();
        decode::push_lossy_utf8(bytes, &mut r2);
        assert_eq!(r1, want.as_bytes());
        assert_eq!(r2, want.as_bytes());
        assert_eq!(url::is_valid_utf8(bytes), std::str::from_utf8(bytes).is_ok());
    }
}

// -------------------------------------------------------------------------------------- glob

/// A straightforward recursive matcher of DuckDB's glob syntax, to check the backtracking one.
fn glob_reference(name: &[u8], pattern: &[u8]) -> Option<bool> {
    match pattern.first() {
        None => Some(name.is_empty()),
        Some(b'*') => {
            let rest = &pattern[1..];
            (0..=name.len()).try_fold(false, |found, i| Some(found || glob_reference(&name[i..], rest)?))
        }
        Some(_) if name.is_empty() => Some(false),
        Some(b'?') => glob_reference(&name[1..], &pattern[1..]),
        Some(b'\\') => match pattern.get(1) {
            None => Some(false),
            Some(&c) => Some(name[0] == c && glob_reference(&name[1..], &pattern[2..])?),
        },
        Some(b'[') => {
            let mut p = 1;
            let invert = pattern.get(p) == Some(&b'!');
            if invert {
                p += 1;
            }
            let start = p;
            let mut hit = false;
            loop {
                let &x = pattern.get(p)?;
                if x == b']' && p > start {
                    p += 1;
                    break;
                }
                if p + 1 == pattern.len() {
                    return None;
                }
                if pattern[p + 1] == b'-' && p + 2 < pattern.len() && pattern[p + 2] != b']' {
                    hit |= (x..=pattern[p + 2]).contains(&name[0]);
                    p += 3;
                } else {
                    hit |= x == name[0];
                    p += 1;
                }
            }
            Some(hit != invert && glob_reference(&name[1..], &pattern[p..])?)
        }
        Some(&c) => Some(name[0] == c && glob_reference(&name[1..], &pattern[1..])?),
    }
}

/// `cloudfront_core::glob::glob_match` (DuckDB's glob rules) against the reference, on short inputs: the
/// first byte splits the input into a pattern and a name.
pub fn glob(data: &[u8]) {
    let Some((&cut, rest)) = data.split_first() else { return };
    let cut = (cut as usize).min(rest.len());
    let (pattern, name) = rest.split_at(cut);
    if pattern.len() > 12 || name.len() > 24 {
        return; // the reference is exponential
    }
    let got = cloudfront_core::glob::glob_match(name, pattern);
    match glob_reference(name, pattern) {
        Some(want) => assert_eq!(got, want, "pattern {pattern:?} name {name:?}"),
        // An unclosed set: the pattern matches nothing that reaches it.
        None => {}
    }
}

// ----------------------------------------------------------------------------------- scalars

/// Every hunting primitive on arbitrary bytes; the first bytes choose the numeric arguments.
pub fn scalars(data: &[u8]) {
    let (head, s) = data.split_at(data.len().min(4));
    let bits = i64::from(*head.first().unwrap_or(&0) as i8) * if head.get(1).copied().unwrap_or(0) & 1 == 1 { 1 << 40 } else { 1 };
    let status = head.get(2..4).map(|b| i32::from(i16::from_le_bytes([b[0], b[1]])));

    let h = entropy::shannon_entropy(s);
    assert!((0.0..=8.0 + 1e-9).contains(&h), "entropy {h}");
    if let Some(q) = entropy::query_max_entropy(s) {
        assert!((0.0..=8.0 + 1e-9).contains(&q), "query entropy {q}");
    }
    let random = entropy::looks_random(s);
    if random {
        assert!(s.len() >= 8 && s.is_ascii());
    }

    let mut out = b"stale".to_vec();
    if ip::ip_prefix(s, bits, &mut out) {
        let text = std::str::from_utf8(&out).expect("ip_prefix writes ASCII");
        let (addr, len) = text.split_once('/').expect("CIDR");
        let addr: std::net::IpAddr = addr.parse().expect("a parsable address");
        assert_eq!(len.parse::<i64>().ok(), Some(bits));
        // The network is its own prefix.
        let mut again = Vec::new();
        assert!(ip::ip_prefix(addr.to_string().as_bytes(), bits, &mut again));
        assert_eq!(again, out);
    } else {
        assert!(out.is_empty());
    }

    let flagged = scanner_path::is_scanner_path(s);
    let mut scratch = attack::Scratch::default();
    assert_eq!(flagged, scanner_path::is_scanner_path_buf(s, &mut scratch));
    assert_eq!(flagged, scanner_path::scanner_path_reason(s).is_some());
    let mut norm = Vec::new();
    scanner_path::normalize_path_into(s, &mut norm);
    assert!(norm.len() <= s.len());

    // attack_types: every part, the one-value form, and agreement with a fresh scratch.
    let engine = attack::engine().expect("attack rules compile");
    let (a, b) = s.split_at(s.len() / 2);
    let req = attack::Request::new(Some(a), Some(b), Some(s), Some(s));
    let fam = engine.classify(&req, &mut scratch);
    assert_eq!(fam, engine.classify(&req, &mut attack::Scratch::default()));
    assert!(fam.names().count() == fam.len() && fam.len() <= attack::FAMILIES.len());
    let one = engine.classify(&attack::Request::from_logged_value(s), &mut scratch);
    if s.first() == Some(&b'/') {
        // A path value: the one-value form sees exactly what is_scanner_path sees.
        assert_eq!(one.is_scanner_path(), flagged);
    }
    for part in [attack::Part::LoggedPath, attack::Part::LoggedQuery, attack::Part::Referer, attack::Part::UserAgent] {
        attack::normalize_into(s, part, &mut norm);
        assert!(norm.len() <= s.len());
    }

    let cat = user_agent::ua_category(Some(s));
    assert_eq!(
        user_agent::is_bot(Some(s)),
        matches!(
            cat,
            user_agent::UaCategory::Crawler
                | user_agent::UaCategory::Scanner
                | user_agent::UaCategory::Library
                | user_agent::UaCategory::Empty
        )
    );
    if user_agent::ua_tool_name(Some(s)).is_some() {
        assert!(matches!(cat, user_agent::UaCategory::Crawler | user_agent::UaCategory::Scanner | user_agent::UaCategory::Library));
    }
    let _ = cat.as_str();

    // The classifiers, with the input split into result type and detailed type.
    let mid = s.len() / 2;
    let (rt, detailed) = (Some(&s[..mid]), Some(&s[mid..]));
    for st in [status, None, Some(403), Some(429), Some(502)] {
        let _ = waf::is_waf_block(rt, st, detailed);
        let _ = waf::is_rate_limited(rt, st, detailed);
        let _ = waf::is_origin_error(rt, st, detailed);
        let _ = waf::is_waf_block(Some(s), st, None);
    }
    let _ = waf::is_cache_miss(Some(s));
    let _ = waf::is_origin_detail(s);

    if let Some(e) = edge::edge_location(s) {
        assert!(s.len() >= e.code.len() && s[..e.code.len()].eq_ignore_ascii_case(e.code.as_bytes()));
    }
}
