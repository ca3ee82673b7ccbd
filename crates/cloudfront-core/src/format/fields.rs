//! The catalogue of CloudFront log fields: canonical SQL name, type, and which layouts carry it.
//!
//! Standard logs (legacy and v2) and real-time logs name the same facts differently
//! (`cs(User-Agent)` vs `cs-user-agent`); the catalogue gives each fact one SQL name so that a
//! query or playbook macro works on every layout. Facts from AWS's "Standard logging reference"
//! (log file fields) and "Real-time log configuration fields"; see docs/format-facts.md.

/// The SQL type a field converts to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The fused UTC instant (TIMESTAMP WITH TIME ZONE, microseconds since the epoch).
    Timestamp,
    /// `YYYY-MM-DD` (DATE, days since the epoch).
    Date,
    /// `HH:MM:SS` (TIME, microseconds since midnight).
    Time,
    /// Small integers: status, ports, header counts (INTEGER).
    Int32,
    /// Byte counts, lengths, ranges, ASN (BIGINT).
    Int64,
    /// Seconds with millisecond resolution (DOUBLE).
    Double,
    /// Text kept exactly as logged (VARCHAR).
    Text,
    /// Text that CloudFront percent-encoded for transport and that reads better decoded
    /// (`cs_user_agent`, `cs_referer`): decoded up to two levels unless `decode := false`.
    DecodedText,
}

/// One known field.
#[derive(Clone, Copy, Debug)]
pub struct Field {
    /// Canonical SQL column name.
    pub name: &'static str,
    pub kind: Kind,
    /// Core fields are always output columns (NULL when a file lacks them), so queries written
    /// against one era's logs run on every era's. Other known fields appear when present.
    pub core: bool,
}

const fn core(name: &'static str, kind: Kind) -> Field {
    Field { name, kind, core: true }
}
const fn extra(name: &'static str, kind: Kind) -> Field {
    Field { name, kind, core: false }
}

use Kind::*;

/// Canonical order: the fused timestamp, the 35 standard-log fields in the order of the current
/// standard-log reference, then fields only real-time logs and v2 deliveries carry.
pub static CATALOGUE: &[Field] = &[
    core("timestamp", Timestamp),
    core("date", Date),
    core("time", Time),
    core("x_edge_location", Text),
    core("sc_bytes", Int64),
    core("c_ip", Text),
    core("cs_method", Text),
    core("cs_host", Text),
    core("cs_uri_stem", Text),
    core("sc_status", Int32),
    core("cs_referer", DecodedText),
    core("cs_user_agent", DecodedText),
    core("cs_uri_query", Text),
    core("cs_cookie", Text),
    core("x_edge_result_type", Text),
    core("x_edge_request_id", Text),
    core("x_host_header", Text),
    core("cs_protocol", Text),
    core("cs_bytes", Int64),
    core("time_taken", Double),
    core("x_forwarded_for", Text),
    core("ssl_protocol", Text),
    core("ssl_cipher", Text),
    core("x_edge_response_result_type", Text),
    core("cs_protocol_version", Text),
    core("fle_status", Text),
    core("fle_encrypted_fields", Text),
    core("c_port", Int32),
    core("time_to_first_byte", Double),
    core("x_edge_detailed_result_type", Text),
    core("sc_content_type", Text),
    core("sc_content_len", Int64),
    core("sc_range_start", Int64),
    core("sc_range_end", Int64),
    core("distribution_tenant_id", Text),
    core("connection_id", Text),
    // Real-time and v2 fields.
    extra("timestamp_ms", Int64),
    extra("c_ip_version", Text),
    extra("c_country", Text),
    extra("cs_accept_encoding", Text),
    extra("cs_accept", Text),
    extra("cache_behavior_path_pattern", Text),
    extra("cs_headers", Text),
    extra("cs_header_names", Text),
    extra("cs_headers_count", Int32),
    extra("primary_distribution_id", Text),
    extra("primary_distribution_dns_name", Text),
    extra("origin_fbl", Double),
    extra("origin_lbl", Double),
    extra("asn", Int64),
    extra("cmcd_encoded_bitrate", Int64),
    extra("cmcd_buffer_length", Int64),
    extra("cmcd_buffer_starvation", Text),
    extra("cmcd_content_id", Text),
    extra("cmcd_object_duration", Int64),
    extra("cmcd_deadline", Int64),
    extra("cmcd_measured_throughput", Int64),
    extra("cmcd_next_object_request", Text),
    extra("cmcd_next_range_request", Text),
    extra("cmcd_object_type", Text),
    extra("cmcd_playback_rate", Double),
    extra("cmcd_requested_maximum_throughput", Int64),
    extra("cmcd_streaming_format", Text),
    extra("cmcd_session_id", Text),
    extra("cmcd_stream_type", Text),
    extra("cmcd_startup", Text),
    extra("cmcd_top_bitrate", Int64),
    extra("cmcd_version", Int64),
    extra("r_host", Text),
    extra("sr_reason", Text),
];

/// Index of the fused `timestamp` column in [`CATALOGUE`].
pub const TIMESTAMP: usize = 0;
/// Index of `date` in [`CATALOGUE`].
pub const DATE: usize = 1;
/// Index of `time` in [`CATALOGUE`].
pub const TIME: usize = 2;

/// Which family of logs a field name comes from: the two disagree on a few meanings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// Standard logs, legacy or v2 (W3C, JSON, Parquet).
    Standard,
    /// Real-time logs (Kinesis, tab-separated, no header).
    RealTime,
}

/// CloudFront's field name normalised to SQL: lower case, `-` to `_`, parentheses dropped with
/// an opening one separating words (`cs(User-Agent)` -> `cs_user_agent`, `timestamp(ms)` ->
/// `timestamp_ms`). Other characters are kept.
pub fn normalize(raw: &str) -> String {
    raw.trim().chars().filter(|c| *c != ')').map(|c| if c == '-' || c == '(' { '_' } else { c.to_ascii_lowercase() }).collect()
}

/// Index in [`CATALOGUE`] of a field as named by a log of `family`, or None for an unknown field.
///
/// Real-time logs swap two meanings relative to standard logs: there, `cs-host` is the Host
/// header the viewer sent and `x-host-header` the distribution's domain name; the canonical
/// columns keep the standard meaning (`cs_host` = distribution domain, `x_host_header` =
/// viewer's Host header), so a real-time `cs-host` lands in `x_host_header` and vice versa.
/// A real-time `timestamp` is the epoch instant and feeds the fused `timestamp` column.
pub fn lookup(raw: &str, family: Family) -> Option<usize> {
    let name = normalize(raw);
    let name = match (family, name.as_str()) {
        (Family::RealTime, "cs_host") => "x_host_header",
        (Family::RealTime, "x_host_header") => "cs_host",
        _ => name.as_str(),
    };
    CATALOGUE.iter().position(|f| f.name == name)
}

/// The real-time log fields in the order AWS documents them, for `fields := 'realtime'`:
/// the list a configuration with every field selected delivers.
pub static REALTIME_DEFAULT_FIELDS: &[&str] = &[
    "timestamp",
    "c-ip",
    "time-to-first-byte",
    "sc-status",
    "sc-bytes",
    "cs-method",
    "cs-protocol",
    "cs-host",
    "cs-uri-stem",
    "cs-bytes",
    "x-edge-location",
    "x-edge-request-id",
    "x-host-header",
    "time-taken",
    "cs-protocol-version",
    "c-ip-version",
    "cs-user-agent",
    "cs-referer",
    "cs-cookie",
    "cs-uri-query",
    "x-edge-response-result-type",
    "x-forwarded-for",
    "ssl-protocol",
    "ssl-cipher",
    "x-edge-result-type",
    "fle-encrypted-fields",
    "fle-status",
    "sc-content-type",
    "sc-content-len",
    "sc-range-start",
    "sc-range-end",
    "c-port",
    "x-edge-detailed-result-type",
    "c-country",
    "cs-accept-encoding",
    "cs-accept",
    "cache-behavior-path-pattern",
    "cs-headers",
    "cs-header-names",
    "cs-headers-count",
    "primary-distribution-id",
    "primary-distribution-dns-name",
    "origin-fbl",
    "origin-lbl",
    "asn",
];

/// The 33 fields of a standard (legacy) log since 2019, in file order.
pub static STANDARD_33_FIELDS: &[&str] = &[
    "date",
    "time",
    "x-edge-location",
    "sc-bytes",
    "c-ip",
    "cs-method",
    "cs(Host)",
    "cs-uri-stem",
    "sc-status",
    "cs(Referer)",
    "cs(User-Agent)",
    "cs-uri-query",
    "cs(Cookie)",
    "x-edge-result-type",
    "x-edge-request-id",
    "x-host-header",
    "cs-protocol",
    "cs-bytes",
    "time-taken",
    "x-forwarded-for",
    "ssl-protocol",
    "ssl-cipher",
    "x-edge-response-result-type",
    "cs-protocol-version",
    "fle-status",
    "fle-encrypted-fields",
    "c-port",
    "time-to-first-byte",
    "x-edge-detailed-result-type",
    "sc-content-type",
    "sc-content-len",
    "sc-range-start",
    "sc-range-end",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_like_the_issue_says() {
        assert_eq!(normalize("cs(User-Agent)"), "cs_user_agent");
        assert_eq!(normalize("x-edge-location"), "x_edge_location");
        assert_eq!(normalize("timestamp(ms)"), "timestamp_ms");
        assert_eq!(normalize("cs(Host)"), "cs_host");
    }

    #[test]
    fn catalogue_names_are_unique_and_core_first() {
        let mut names: Vec<_> = CATALOGUE.iter().map(|f| f.name).collect();
        let n = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), n);
        let first_extra = CATALOGUE.iter().position(|f| !f.core).unwrap();
        assert!(CATALOGUE[first_extra..].iter().all(|f| !f.core));
        // 35 standard fields plus the fused timestamp.
        assert_eq!(first_extra, 36);
        assert_eq!(CATALOGUE[TIMESTAMP].name, "timestamp");
        assert_eq!(CATALOGUE[DATE].name, "date");
        assert_eq!(CATALOGUE[TIME].name, "time");
    }

    #[test]
    fn every_standard_field_is_known_in_its_position() {
        for (i, raw) in STANDARD_33_FIELDS.iter().enumerate() {
            assert_eq!(lookup(raw, Family::Standard), Some(i + 1), "{raw}");
        }
    }

    #[test]
    fn every_realtime_field_is_known() {
        for raw in REALTIME_DEFAULT_FIELDS {
            assert!(lookup(raw, Family::RealTime).is_some(), "{raw}");
        }
    }

    #[test]
    fn realtime_host_fields_swap_to_standard_meaning() {
        assert_eq!(CATALOGUE[lookup("cs-host", Family::RealTime).unwrap()].name, "x_host_header");
        assert_eq!(CATALOGUE[lookup("x-host-header", Family::RealTime).unwrap()].name, "cs_host");
        assert_eq!(CATALOGUE[lookup("cs(Host)", Family::Standard).unwrap()].name, "cs_host");
    }
}
