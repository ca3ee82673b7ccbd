//! The output schema of a scan and the mapping of one file's fields onto it.
//!
//! The schema is fixed at bind time: every core catalogue field (so queries are portable across
//! eras of logs), the other known fields seen in the headers that were sampled, then unknown
//! fields as text. Each file (and each `#Fields:` line inside a file) gets a `FieldMap` from its
//! own field order to those columns, so files with 24 fields and files with 33 read together.

use std::collections::{HashMap, HashSet};

use std::sync::atomic::{AtomicU64, Ordering};

use super::fields::{lookup, normalize, Family, Kind, CATALOGUE, DATE, TIME, TIMESTAMP};

/// Most unknown (not catalogued) fields that become columns; further unknown names are not
/// output. Headers are attacker-controlled: a 16 MiB `#Fields:` line names ~3 million fields,
/// which would otherwise become as many DuckDB columns (and cost quadratic time to
/// deduplicate). Real logs have a handful of unknown fields at most (security review, fuzzing).
pub const MAX_UNKNOWN_COLUMNS: usize = 256;

/// One output column.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    pub name: String,
    pub kind: Kind,
}

/// The columns a scan produces, in order.
#[derive(Clone, Debug, Default)]
pub struct Schema {
    pub columns: Vec<Column>,
    /// For each catalogue entry, its column index (None when not in the schema).
    catalogue_column: Vec<Option<usize>>,
    /// Column index of each unknown field's name, so that mapping a header costs O(1) per
    /// field rather than a scan of every column (security review: a header may name millions).
    unknown_column: HashMap<String, usize>,
}

impl Schema {
    /// Core columns plus every known and unknown field named in `field_lists` (each a file's
    /// raw field names with its family).
    pub fn from_field_lists<'a>(field_lists: impl IntoIterator<Item = (&'a [String], Family)>) -> Schema {
        let mut known = vec![false; CATALOGUE.len()];
        let mut unknown: Vec<String> = vec![];
        // A set for deduplication (a Vec::contains here was quadratic in the header's length),
        // and at most MAX_UNKNOWN_COLUMNS unknown columns.
        let mut seen: HashSet<String> = HashSet::new();
        for (names, family) in field_lists {
            for raw in names {
                match lookup(raw, family) {
                    Some(i) => known[i] = true,
                    None if unknown.len() < MAX_UNKNOWN_COLUMNS => {
                        let n = normalize(raw);
                        if !n.is_empty() && seen.insert(n.clone()) {
                            unknown.push(n);
                        }
                    }
                    None => {}
                }
            }
        }
        let mut schema = Schema::default();
        for (i, f) in CATALOGUE.iter().enumerate() {
            if f.core || known[i] {
                schema.catalogue_column.push(Some(schema.columns.len()));
                schema.columns.push(Column { name: f.name.to_string(), kind: f.kind });
            } else {
                schema.catalogue_column.push(None);
            }
        }
        for name in unknown {
            schema.unknown_column.insert(name.clone(), schema.columns.len());
            schema.columns.push(Column { name, kind: Kind::Text });
        }
        schema
    }

    fn column_of_catalogue(&self, i: usize) -> Option<usize> {
        self.catalogue_column.get(i).copied().flatten()
    }

    /// Index of the column called `name`.
    pub fn column_named(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    /// Maps a file's fields (as named in its header or the `fields` option) to columns.
    pub fn field_map(&self, names: &[String], family: Family) -> FieldMap {
        let mut sources = vec![None; self.columns.len()];
        let mut epoch = None;
        let mut unread_unknown = 0;
        let unknown_full = self.unknown_column.len() >= MAX_UNKNOWN_COLUMNS;
        for (pos, raw) in names.iter().enumerate() {
            let column = match lookup(raw, family) {
                Some(TIMESTAMP) => {
                    // A `timestamp` field is the epoch instant: it feeds the fused column.
                    epoch = Some(pos);
                    continue;
                }
                Some(i) => self.column_of_catalogue(i),
                // O(1), not column_named's scan (a header may name millions of fields).
                None => {
                    let name = normalize(raw);
                    let column = self.unknown_column.get(&name).copied();
                    if column.is_none() && unknown_full && !name.is_empty() {
                        unread_unknown += 1;
                    }
                    column
                }
            };
            if let Some(c) = column {
                // The first occurrence wins when a header repeats a field.
                if sources[c].is_none() {
                    sources[c] = Some(pos);
                }
            }
        }
        let date = self.column_of_catalogue(DATE).and_then(|c| sources[c]);
        let time = self.column_of_catalogue(TIME).and_then(|c| sources[c]);
        let timestamp = TimestampSource { epoch, date_time: date.zip(time) };
        let stem = self.column_of_catalogue(lookup("cs-uri-stem", Family::Standard).expect("catalogued"));
        let query = self.column_of_catalogue(lookup("cs-uri-query", Family::Standard).expect("catalogued"));
        FieldMap {
            id: NEXT_MAP_ID.fetch_add(1, Ordering::Relaxed),
            sources,
            field_count: names.len(),
            unread_unknown,
            timestamp,
            timestamp_column: self.column_of_catalogue(TIMESTAMP),
            // Real-time logs put the query string inside cs-uri-stem.
            split_stem: (family == Family::RealTime).then_some((stem, query)),
        }
    }
}

/// Where the fused timestamp comes from in one file: an epoch-seconds `timestamp` field
/// (real-time logs, v2) when present and non-NULL, else the `date` and `time` fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimestampSource {
    pub epoch: Option<usize>,
    pub date_time: Option<(usize, usize)>,
}

/// Source of `FieldMap::id`.
static NEXT_MAP_ID: AtomicU64 = AtomicU64::new(1);

/// One file's field positions for each output column.
#[derive(Clone, Debug)]
pub struct FieldMap {
    /// Unique per map built, so a consumer can cache work derived from a map (its address is
    /// not enough: a scanner reuses the same slot when a `#Fields:` line replaces its map).
    pub id: u64,
    /// For each output column, the field position in the line (None: the file lacks it).
    pub sources: Vec<Option<usize>>,
    /// Number of fields a line must have.
    pub field_count: usize,
    /// Fields whose values no column receives because the schema already has its
    /// `MAX_UNKNOWN_COLUMNS` unknown columns (reported, never dropped silently).
    pub unread_unknown: usize,
    pub timestamp: TimestampSource,
    pub timestamp_column: Option<usize>,
    /// Real-time logs: (cs_uri_stem column, cs_uri_query column) to split at the first `?`, so
    /// the canonical columns mean the same as in standard logs.
    pub split_stem: Option<(Option<usize>, Option<usize>)>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::fields::STANDARD_33_FIELDS;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn core_columns_always_present_extras_when_seen() {
        let rt = names(&["timestamp", "c-ip", "asn", "x-custom-thing"]);
        let s = Schema::from_field_lists([(rt.as_slice(), Family::RealTime)]);
        assert_eq!(s.columns[0].name, "timestamp");
        assert_eq!(s.columns[35].name, "connection_id");
        assert_eq!(s.columns[36].name, "asn");
        assert_eq!(s.columns[37].name, "x_custom_thing");
        assert_eq!(s.columns.len(), 38);
    }

    #[test]
    fn standard_map_fuses_date_and_time() {
        let fields = names(STANDARD_33_FIELDS);
        let s = Schema::from_field_lists([(fields.as_slice(), Family::Standard)]);
        let m = s.field_map(&fields, Family::Standard);
        assert_eq!(m.timestamp, TimestampSource { epoch: None, date_time: Some((0, 1)) });
        assert_eq!(m.sources[s.column_named("c_ip").unwrap()], Some(4));
        assert_eq!(m.sources[s.column_named("distribution_tenant_id").unwrap()], None);
        assert_eq!(m.field_count, 33);
    }

    #[test]
    fn a_reordered_subset_maps_by_name() {
        let s = Schema::from_field_lists(std::iter::empty());
        let subset = names(&["c-ip", "date", "sc-status", "time"]);
        let m = s.field_map(&subset, Family::Standard);
        assert_eq!(m.sources[s.column_named("sc_status").unwrap()], Some(2));
        assert_eq!(m.timestamp, TimestampSource { epoch: None, date_time: Some((1, 3)) });
    }

    /// Security review: a hostile header naming 200,000 unknown fields took seconds at bind
    /// (quadratic deduplication) and asked DuckDB for as many columns. Now capped, and linear.
    #[test]
    fn huge_header_is_capped() {
        let mut many: Vec<String> = (0..200_000).map(|i| format!("f{i}")).collect();
        many.push("c-ip".into());
        many.push("f7".into()); // a duplicate
        let s = Schema::from_field_lists([(many.as_slice(), Family::Standard)]);
        let m = s.field_map(&many, Family::Standard);
        assert_eq!(s.columns.len(), 36 + MAX_UNKNOWN_COLUMNS);
        assert_eq!(s.columns[36].name, "f0");
        assert_eq!(m.field_count, many.len());
        assert_eq!(m.sources[s.column_named("f0").unwrap()], Some(0));
        // A duplicate name feeds its column from its first occurrence.
        assert_eq!(m.sources[s.column_named("f7").unwrap()], Some(7));
        assert_eq!(m.sources[s.column_named("c_ip").unwrap()], Some(200_000));
        assert!(s.column_named("f300").is_none());
        // Every unknown name beyond the cap is counted as unread (issue 11: not silently).
        assert_eq!(m.unread_unknown, 200_000 - MAX_UNKNOWN_COLUMNS);
        let few = s.field_map(&names(&["c-ip", "f3", "date"]), Family::Standard);
        assert_eq!(few.unread_unknown, 0);
    }

    #[test]
    fn realtime_epoch_feeds_timestamp() {
        let rt = names(&["timestamp", "c-ip", "cs-host"]);
        let s = Schema::from_field_lists([(rt.as_slice(), Family::RealTime)]);
        let m = s.field_map(&rt, Family::RealTime);
        assert_eq!(m.timestamp, TimestampSource { epoch: Some(0), date_time: None });
        assert_eq!(m.sources[s.column_named("x_host_header").unwrap()], Some(2));
        assert_eq!(m.sources[s.column_named("cs_host").unwrap()], None);
    }
}
