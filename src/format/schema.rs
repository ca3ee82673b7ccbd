//! The output schema of a scan and the mapping of one file's fields onto it.
//!
//! The schema is fixed at bind time: every core catalogue field (so queries are portable across
//! eras of logs), the other known fields seen in the headers that were sampled, then unknown
//! fields as text. Each file (and each `#Fields:` line inside a file) gets a `FieldMap` from its
//! own field order to those columns, so files with 24 fields and files with 33 read together.

use super::fields::{lookup, normalize, Family, Kind, CATALOGUE, DATE, TIME, TIMESTAMP};

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
}

impl Schema {
    /// Core columns plus every known and unknown field named in `field_lists` (each a file's
    /// raw field names with its family).
    pub fn from_field_lists<'a>(field_lists: impl IntoIterator<Item = (&'a [String], Family)>) -> Schema {
        let mut known = vec![false; CATALOGUE.len()];
        let mut unknown: Vec<String> = vec![];
        for (names, family) in field_lists {
            for raw in names {
                match lookup(raw, family) {
                    Some(i) => known[i] = true,
                    None => {
                        let n = normalize(raw);
                        if !n.is_empty() && !unknown.contains(&n) {
                            unknown.push(n);
                        }
                    }
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
        for (pos, raw) in names.iter().enumerate() {
            let column = match lookup(raw, family) {
                Some(TIMESTAMP) => {
                    // A `timestamp` field is the epoch instant: it feeds the fused column.
                    epoch = Some(pos);
                    continue;
                }
                Some(i) => self.column_of_catalogue(i),
                None => self.column_named(&normalize(raw)),
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
            sources,
            field_count: names.len(),
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

/// One file's field positions for each output column.
#[derive(Clone, Debug)]
pub struct FieldMap {
    /// For each output column, the field position in the line (None: the file lacks it).
    pub sources: Vec<Option<usize>>,
    /// Number of fields a line must have.
    pub field_count: usize,
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
