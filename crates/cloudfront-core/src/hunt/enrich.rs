//! Enrichment: the per-request values the hunts need, computed once when logs are read
//! (`read_cloudfront(..., enrich := true)`, the Parquet lake) instead of by every hunt on every
//! query, and available to engines that do not have our scalar functions (Spark, Trino).
//!
//! [`COLUMNS`] is the one list of enriched columns: name, type, meaning, and the DuckDB
//! expression over `read_cloudfront` columns that computes the same value through the scalar
//! functions. That expression is what the playbook's `cf_events(tbl)` uses when a relation lacks
//! the column (a raw `events` table), and what `scripts/playbook_sql.py` replaces by the column
//! name when it renders the hunts for Spark and Trino. [`compute`] gives a column's value for one
//! row from the row's fields, exactly as that expression would (the reader calls it per projected
//! enriched column; `test/sql/read_cloudfront/enrich.test` checks the two agree on every fixture).

use super::attack::{self, Families, Request};
use super::user_agent::UaCategory;
use super::{crawler, edge, entropy, ip, url, user_agent, waf};
use std::collections::HashMap;

/// SQL type of an enriched column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Type {
    Boolean,
    Integer,
    Double,
    Varchar,
    VarcharList,
}

impl Type {
    /// DuckDB's name of the type.
    pub fn sql(self) -> &'static str {
        match self {
            Type::Boolean => "BOOLEAN",
            Type::Integer => "INTEGER",
            Type::Double => "DOUBLE",
            Type::Varchar => "VARCHAR",
            Type::VarcharList => "VARCHAR[]",
        }
    }
}

/// Which enriched column (index into [`COLUMNS`] by `as usize`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    UaCategory,
    IsBot,
    CrawlerVerdict,
    AttackTypes,
    AttackTypesUrl,
    AttackTypesAgent,
    ScannerPath,
    WafBlock,
    RateLimited,
    OriginError,
    CacheMiss,
    EdgeCity,
    EdgeCountry,
    EdgeCountryCode,
    EdgeLatitude,
    EdgeLongitude,
    CIpNet,
    CIpSite,
    QueryEntropy,
    QueryRandom,
    EncodingDepth,
    RequestDecoded,
}

/// One enriched column.
#[derive(Debug)]
pub struct ColumnInfo {
    pub column: Column,
    pub name: &'static str,
    pub ty: Type,
    pub doc: &'static str,
    /// The DuckDB expression computing the value from `read_cloudfront` columns.
    pub sql: &'static str,
}

macro_rules! col {
    ($c:ident, $name:literal, $ty:ident, $doc:literal, $sql:expr) => {
        ColumnInfo { column: Column::$c, name: $name, ty: Type::$ty, doc: $doc, sql: $sql }
    };
}

/// Every enriched column, in output order (after `read_cloudfront`'s own columns).
pub const COLUMNS: [ColumnInfo; 22] = [
    col!(UaCategory, "ua_category", Varchar, "ua_category(cs_user_agent): browser, crawler, scanner, library, other or empty", "ua_category(cs_user_agent)"),
    col!(IsBot, "is_bot", Boolean, "is_bot(cs_user_agent): crawler, scanner, library or no user agent", "is_bot(cs_user_agent)"),
    col!(CrawlerVerdict, "crawler_verdict", Varchar, "crawler_verdict(c_ip, cs_user_agent): 'verified' or 'spoofed' when the user agent claims a crawler whose operator publishes its ranges, else NULL", "crawler_verdict(c_ip, cs_user_agent)"),
    col!(AttackTypes, "attack_types", VarcharList, "attack_types(cs_uri_stem, cs_uri_query, cs_referer, cs_user_agent): attack families of the request, [] when none", "attack_types(cs_uri_stem, cs_uri_query, cs_referer, cs_user_agent)"),
    col!(AttackTypesUrl, "attack_types_url", VarcharList, "attack_types(cs_uri_stem, cs_uri_query, NULL, NULL): the families found in the URL alone (what the hunts quote as the request line)", "attack_types(cs_uri_stem, cs_uri_query, NULL, NULL)"),
    col!(AttackTypesAgent, "attack_types_agent", VarcharList, "attack_types(NULL, NULL, NULL, cs_user_agent): the families found in the user agent alone", "attack_types(NULL, NULL, NULL, cs_user_agent)"),
    col!(ScannerPath, "scanner_path", Boolean, "is_scanner_path(cs_uri_stem): a well-known probe target or an attack on the path itself", "is_scanner_path(cs_uri_stem)"),
    col!(WafBlock, "waf_block", Boolean, "is_waf_block(x_edge_result_type, sc_status, x_edge_detailed_result_type): refused by AWS WAF or CloudFront policy", "is_waf_block(x_edge_result_type, sc_status, x_edge_detailed_result_type)"),
    col!(RateLimited, "rate_limited", Boolean, "is_rate_limited(...): refused by a rate limit", "is_rate_limited(x_edge_result_type, sc_status, x_edge_detailed_result_type)"),
    col!(OriginError, "origin_error", Boolean, "is_origin_error(...): the origin failed (Origin*Error, 502/504 from CloudFront)", "is_origin_error(x_edge_result_type, sc_status, x_edge_detailed_result_type)"),
    col!(CacheMiss, "cache_miss", Boolean, "is_cache_miss(x_edge_result_type): served from the origin", "is_cache_miss(x_edge_result_type)"),
    col!(EdgeCity, "edge_city", Varchar, "edge_location(x_edge_location).city", "edge_location(x_edge_location).city"),
    col!(EdgeCountry, "edge_country", Varchar, "edge_location(x_edge_location).country", "edge_location(x_edge_location).country"),
    col!(EdgeCountryCode, "edge_country_code", Varchar, "edge_location(x_edge_location).country_code (ISO 3166-1 alpha-2)", "edge_location(x_edge_location).country_code"),
    col!(EdgeLatitude, "edge_latitude", Double, "edge_location(x_edge_location).latitude", "edge_location(x_edge_location).latitude"),
    col!(EdgeLongitude, "edge_longitude", Double, "edge_location(x_edge_location).longitude", "edge_location(x_edge_location).longitude"),
    col!(CIpNet, "c_ip_net", Varchar, "the client's network: ip_prefix(c_ip, 24) for IPv4, ip_prefix(c_ip, 64) for IPv6 (one subscriber's allocation); NULL when c_ip is not an address", "ip_prefix(c_ip, CASE WHEN contains(c_ip, ':') THEN 64 ELSE 24 END)"),
    col!(CIpSite, "c_ip_site", Varchar, "the client's site network: ip_prefix(c_ip, 24) for IPv4, ip_prefix(c_ip, 48) for IPv6 (what cf_scrapers groups scrapers by)", "ip_prefix(c_ip, CASE WHEN contains(c_ip, ':') THEN 48 ELSE 24 END)"),
    col!(QueryEntropy, "query_entropy", Double, "query_max_entropy(cs_uri_query): the highest Shannon entropy of a parameter value, in bits per byte", "query_max_entropy(cs_uri_query)"),
    col!(QueryRandom, "query_random", Boolean, "some parameter value of cs_uri_query (split on & and ;, the text after the first =, decoded by url_decode_cf) looks_random(): a cache-busting token", QUERY_RANDOM_SQL),
    col!(EncodingDepth, "encoding_depth", Integer, "the client-side encoding depth of the URL: the larger encoding_depth() of the stem and of the query after undoing CloudFront's own escaping once (url_decode_cf(..., 1)); a space sent as %20 is 1", ENCODING_DEPTH_SQL),
    col!(RequestDecoded, "request_decoded", Varchar, "url_decode_cf(cs_uri_stem || '?' || cs_uri_query, 2), the request as the client meant it, kept only for requests with an attack payload or refused by the WAF (the hunts' examples); NULL otherwise", REQUEST_DECODED_SQL),
];

const QUERY_RANDOM_SQL: &str = "len([p FOR p IN string_split_regex(cs_uri_query, '[&;]') \
     IF p <> '' AND looks_random(url_decode_cf(regexp_replace(p, '^[^=]*=', '')))]) > 0";
const ENCODING_DEPTH_SQL: &str = "greatest(encoding_depth(url_decode_cf(cs_uri_stem, 1)), \
     coalesce(encoding_depth(url_decode_cf(cs_uri_query, 1)), 0))";
const REQUEST_DECODED_SQL: &str = "CASE WHEN len(attack_types(cs_uri_stem, cs_uri_query, cs_referer, cs_user_agent)) > 0 \
     OR coalesce(is_waf_block(x_edge_result_type, sc_status, x_edge_detailed_result_type), false) \
     THEN url_decode_cf(cs_uri_stem || coalesce('?' || cs_uri_query, ''), 2) END";

/// The `read_cloudfront` columns enrichment reads.
pub const INPUTS: [&str; 9] = [
    "c_ip",
    "cs_uri_stem",
    "cs_uri_query",
    "cs_referer",
    "cs_user_agent",
    "x_edge_result_type",
    "x_edge_detailed_result_type",
    "x_edge_location",
    "sc_status",
];

/// The column named `name`.
pub fn column_named(name: &str) -> Option<&'static ColumnInfo> {
    COLUMNS.iter().find(|c| c.name == name)
}

/// One request's fields, as `read_cloudfront` returns them (user agent and referer decoded,
/// stem and query as logged, valid UTF-8); `None` is SQL NULL.
#[derive(Clone, Copy, Debug, Default)]
pub struct Row<'a> {
    pub c_ip: Option<&'a [u8]>,
    pub cs_uri_stem: Option<&'a [u8]>,
    pub cs_uri_query: Option<&'a [u8]>,
    pub cs_referer: Option<&'a [u8]>,
    pub cs_user_agent: Option<&'a [u8]>,
    pub x_edge_result_type: Option<&'a [u8]>,
    pub x_edge_detailed_result_type: Option<&'a [u8]>,
    pub x_edge_location: Option<&'a [u8]>,
    pub sc_status: Option<i32>,
}

/// An enriched value; text borrows the scratch or static tables.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value<'s> {
    Null,
    Bool(bool),
    Int(i32),
    Double(f64),
    Text(&'s [u8]),
    Families(Families),
}

/// Reusable per-thread state: the attack rules' caches, text buffers, a memo of user-agent
/// categories (a few thousand distinct agents make most of a day) and what one row's columns
/// share (its families and category are computed once for the several columns using them).
#[derive(Default)]
pub struct Scratch {
    attack: attack::Scratch,
    a: Vec<u8>,
    b: Vec<u8>,
    agents: HashMap<Vec<u8>, UaCategory>,
    row: RowCache,
}

#[derive(Default)]
struct RowCache {
    category: Option<UaCategory>,
    all: Option<Families>,
    url: Option<Families>,
    agent: Option<Families>,
}

/// Distinct user agents remembered before the memo starts over.
const AGENT_MEMO: usize = 8192;

impl Scratch {
    /// Forgets the previous row's shared values; call before the first column of each row.
    pub fn new_row(&mut self) {
        self.row = RowCache::default();
    }

    fn category(&mut self, ua: Option<&[u8]>) -> UaCategory {
        if let Some(c) = self.row.category {
            return c;
        }
        let c = match ua {
            Some(ua) => match self.agents.get(ua) {
                Some(c) => *c,
                None => {
                    let c = user_agent::ua_category(Some(ua));
                    if self.agents.len() >= AGENT_MEMO {
                        self.agents.clear();
                    }
                    self.agents.insert(ua.to_vec(), c);
                    c
                }
            },
            None => user_agent::ua_category(None),
        };
        self.row.category = Some(c);
        c
    }

    fn families(&mut self, which: Column, row: &Row) -> Result<Families, String> {
        let (slot, req) = match which {
            Column::AttackTypesUrl => (&mut self.row.url, Request::new(row.cs_uri_stem, row.cs_uri_query, None, None)),
            Column::AttackTypesAgent => (&mut self.row.agent, Request::new(None, None, None, row.cs_user_agent)),
            _ => (&mut self.row.all, Request::new(row.cs_uri_stem, row.cs_uri_query, row.cs_referer, row.cs_user_agent)),
        };
        if let Some(f) = *slot {
            return Ok(f);
        }
        let f = attack::engine()?.classify(&req, &mut self.attack);
        *slot = Some(f);
        Ok(f)
    }
}

fn opt_bool(v: Option<bool>) -> Value<'static> {
    v.map_or(Value::Null, Value::Bool)
}

fn text<'s>(v: Option<&'s str>) -> Value<'s> {
    v.map_or(Value::Null, |s| Value::Text(s.as_bytes()))
}

/// `url_decode_cf(s, levels)`: decoded, then made valid UTF-8, into `out`.
fn url_decode_cf(s: &[u8], levels: u32, tmp: &mut Vec<u8>, out: &mut Vec<u8>) {
    url::url_decode_levels(s, levels, tmp);
    url::to_valid_utf8_lossy_into(tmp, out);
}

/// Whether a parameter value of `query` looks random (see [`COLUMNS`]' `query_random`).
fn query_random(query: &[u8], tmp: &mut Vec<u8>, out: &mut Vec<u8>) -> bool {
    query.split(|&b| b == b'&' || b == b';').filter(|p| !p.is_empty()).any(|p| {
        let value = match memchr::memchr(b'=', p) {
            Some(i) => &p[i + 1..],
            None => p,
        };
        url_decode_cf(value, 2, tmp, out);
        entropy::looks_random(out)
    })
}

/// Client-side encoding depth of one URL part (CloudFront's escaping undone once).
fn client_depth(part: &[u8], tmp: &mut Vec<u8>, out: &mut Vec<u8>) -> u32 {
    url_decode_cf(part, 1, tmp, out);
    url::encoding_depth_buf(out, tmp)
}

/// The value of `column` for `row`.
pub fn compute<'s>(column: Column, row: &Row, s: &'s mut Scratch) -> Result<Value<'s>, String> {
    let waf_args = (row.x_edge_result_type, row.sc_status, row.x_edge_detailed_result_type);
    let edge = || row.x_edge_location.and_then(edge::edge_location);
    Ok(match column {
        Column::UaCategory => Value::Text(s.category(row.cs_user_agent).as_str().as_bytes()),
        // is_bot() is these categories (user_agent::is_bot).
        Column::IsBot => Value::Bool(matches!(
            s.category(row.cs_user_agent),
            UaCategory::Crawler | UaCategory::Scanner | UaCategory::Library | UaCategory::Empty
        )),
        Column::CrawlerVerdict => match (row.c_ip, row.cs_user_agent) {
            (Some(addr), Some(ua)) => text(crawler::crawler_verdict(addr, ua).map(|v| v.as_str())),
            _ => Value::Null,
        },
        Column::AttackTypes | Column::AttackTypesUrl | Column::AttackTypesAgent => Value::Families(s.families(column, row)?),
        Column::ScannerPath => match row.cs_uri_stem {
            Some(stem) => {
                let req = Request::new(Some(stem), None, None, None);
                Value::Bool(attack::engine()?.classify(&req, &mut s.attack).is_scanner_path())
            }
            None => Value::Null,
        },
        Column::WafBlock => opt_bool(waf::is_waf_block(waf_args.0, waf_args.1, waf_args.2)),
        Column::RateLimited => opt_bool(waf::is_rate_limited(waf_args.0, waf_args.1, waf_args.2)),
        Column::OriginError => opt_bool(waf::is_origin_error(waf_args.0, waf_args.1, waf_args.2)),
        Column::CacheMiss => opt_bool(waf::is_cache_miss(row.x_edge_result_type)),
        Column::EdgeCity => text(edge().map(|e| e.city)),
        Column::EdgeCountry => text(edge().map(|e| e.country)),
        Column::EdgeCountryCode => text(edge().map(|e| e.country_code)),
        Column::EdgeLatitude => edge().map_or(Value::Null, |e| Value::Double(e.latitude)),
        Column::EdgeLongitude => edge().map_or(Value::Null, |e| Value::Double(e.longitude)),
        Column::CIpNet | Column::CIpSite => match row.c_ip {
            Some(addr) => {
                let v6 = memchr::memchr(b':', addr).is_some();
                let bits = match (column, v6) {
                    (_, false) => 24,
                    (Column::CIpNet, true) => 64,
                    _ => 48,
                };
                if ip::ip_prefix(addr, bits, &mut s.a) {
                    Value::Text(&s.a)
                } else {
                    Value::Null
                }
            }
            None => Value::Null,
        },
        Column::QueryEntropy => row.cs_uri_query.and_then(entropy::query_max_entropy).map_or(Value::Null, Value::Double),
        Column::QueryRandom => match row.cs_uri_query {
            Some(q) => Value::Bool(query_random(q, &mut s.a, &mut s.b)),
            None => Value::Null,
        },
        Column::EncodingDepth => {
            let stem = row.cs_uri_stem.map(|p| client_depth(p, &mut s.a, &mut s.b));
            let query = row.cs_uri_query.map(|p| client_depth(p, &mut s.a, &mut s.b)).unwrap_or(0);
            // greatest() skips NULL: no stem gives the query's depth.
            Value::Int(stem.map_or(query, |d| d.max(query)) as i32)
        }
        Column::RequestDecoded => {
            let payload = !s.families(Column::AttackTypes, row)?.is_empty();
            let refused = waf::is_waf_block(waf_args.0, waf_args.1, waf_args.2).unwrap_or(false);
            match row.cs_uri_stem {
                Some(stem) if payload || refused => {
                    s.b.clear();
                    s.b.extend_from_slice(stem);
                    if let Some(q) = row.cs_uri_query {
                        s.b.push(b'?');
                        s.b.extend_from_slice(q);
                    }
                    let raw = std::mem::take(&mut s.b);
                    url_decode_cf(&raw, 2, &mut s.a, &mut s.b);
                    Value::Text(&s.b)
                }
                _ => Value::Null,
            }
        }
    })
}

/// The `cf_events(tbl)` macro: `tbl`'s rows with every enriched column, read from `tbl` where
/// it has them and computed through the scalar functions where it does not (a missing column is
/// added as NULL by an empty `UNION ALL BY NAME`, so the same macro reads both).
pub fn events_macro_sql() -> String {
    let mut s = String::from(
        "-- cf_events: a table's CloudFront rows with every enriched column (generated from src/hunt/enrich.rs).\n\
         -- Question: What are the rows of tbl with the enriched columns the hunts read, taken from tbl when it has them (a lake \
         written with read_cloudfront(..., enrich := true)) and computed through the scalar functions when it does not?\n\
         -- Parameters:\n--   tbl   name of a table or view of read_cloudfront() rows, enriched or not (VARCHAR)\n\
         -- Output: every column of tbl (the read_cloudfront columns enrichment reads added as NULL where tbl lacks them), then the enriched columns (FROM cloudfront_enriched_columns() documents them).\n\
         -- An enriched column that tbl has is used as it is wherever it is not NULL.\n\
         CREATE OR REPLACE MACRO cf_events(tbl) AS TABLE\nSELECT _cf_src.* EXCLUDE (",
    );
    s.push_str(&COLUMNS.iter().map(|c| c.name).collect::<Vec<_>>().join(", "));
    s.push_str("),\n");
    for (i, c) in COLUMNS.iter().enumerate() {
        s.push_str(&format!(
            "       coalesce(_cf_src.{name}, {sql})::{ty} AS {name}{sep}\n",
            name = c.name,
            sql = c.sql,
            ty = c.ty.sql(),
            sep = if i + 1 < COLUMNS.len() { "," } else { "" }
        ));
    }
    // The inputs too: a table holding only some read_cloudfront columns still reads (what it
    // lacks is NULL, as read_cloudfront gives for a field a log does not have).
    s.push_str("FROM (SELECT * FROM query_table(tbl)\n      UNION ALL BY NAME\n      SELECT ");
    let inputs = INPUTS.iter().map(|i| format!("NULL::{} AS {i}", if *i == "sc_status" { "INTEGER" } else { "VARCHAR" }));
    let enriched = COLUMNS.iter().map(|c| format!("NULL::{} AS {}", c.ty.sql(), c.name));
    s.push_str(&inputs.chain(enriched).collect::<Vec<_>>().join(", "));
    s.push_str(" WHERE false) _cf_src;\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row<'a>() -> Row<'a> {
        Row {
            c_ip: Some(b"203.0.113.77"),
            cs_uri_stem: Some(b"/search"),
            cs_uri_query: Some(b"q=%252527%2520OR%25201=1--&cb=8f3kq9x2m1z7w4"),
            cs_referer: None,
            cs_user_agent: Some(b"sqlmap/1.7.2#stable (https://sqlmap.org)"),
            x_edge_result_type: Some(b"Error"),
            x_edge_detailed_result_type: Some(b"Error"),
            x_edge_location: Some(b"IAD89-C1"),
            sc_status: Some(403),
        }
    }

    fn text_of(c: Column, r: &Row) -> Option<String> {
        let mut s = Scratch::default();
        match compute(c, r, &mut s).unwrap() {
            Value::Text(t) => Some(String::from_utf8(t.to_vec()).unwrap()),
            Value::Null => None,
            v => panic!("{c:?}: {v:?}"),
        }
    }

    fn value(c: Column, r: &Row) -> String {
        let mut s = Scratch::default();
        match compute(c, r, &mut s).unwrap() {
            Value::Families(f) => f.names().collect::<Vec<_>>().join(","),
            Value::Text(t) => String::from_utf8(t.to_vec()).unwrap(),
            v => format!("{v:?}"),
        }
    }

    #[test]
    fn the_table_is_in_column_order_with_unique_names() {
        for (i, c) in COLUMNS.iter().enumerate() {
            assert_eq!(c.column as usize, i, "{}", c.name);
            assert!(!c.doc.is_empty() && !c.sql.is_empty());
            assert!(INPUTS.iter().all(|input| *input != c.name), "{} shadows a read_cloudfront column", c.name);
        }
        let mut names: Vec<_> = COLUMNS.iter().map(|c| c.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), COLUMNS.len());
        assert_eq!(column_named("waf_block").unwrap().ty, Type::Boolean);
    }

    #[test]
    fn a_refused_sqlmap_request() {
        let r = row();
        assert_eq!(value(Column::UaCategory, &r), "scanner");
        assert_eq!(value(Column::IsBot, &r), "Bool(true)");
        // The query decodes (CloudFront's layer, then the client's two) to ' OR 1=1--.
        assert_eq!(value(Column::AttackTypes, &r), "sqli");
        assert_eq!(value(Column::AttackTypesUrl, &r), "sqli");
        assert_eq!(value(Column::AttackTypesAgent, &r), "");
        assert_eq!(value(Column::WafBlock, &r), "Bool(true)");
        assert_eq!(value(Column::OriginError, &r), "Bool(false)");
        assert_eq!(value(Column::EdgeCountryCode, &r), "US");
        assert_eq!(value(Column::CIpNet, &r), "203.0.113.0/24");
        assert_eq!(value(Column::CIpSite, &r), "203.0.113.0/24");
        // %252527 is the client's %2527 (its ' encoded twice): depth 2 once CloudFront's %25 is undone.
        assert_eq!(value(Column::EncodingDepth, &r), "Int(2)");
        assert_eq!(value(Column::QueryRandom, &r), "Bool(true)");
        // Decoded twice, as url_decode_cf(..., 2): CloudFront's layer and the client's first.
        assert_eq!(text_of(Column::RequestDecoded, &r).unwrap(), "/search?q=%27 OR 1=1--&cb=8f3kq9x2m1z7w4");
    }

    #[test]
    fn an_ordinary_request() {
        let r = Row {
            c_ip: Some(b"2001:db8:abcd:12::1"),
            cs_uri_stem: Some(b"/tags/summer%2520sale"),
            cs_uri_query: None,
            cs_user_agent: Some(b"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"),
            x_edge_result_type: Some(b"Hit"),
            x_edge_detailed_result_type: Some(b"Hit"),
            x_edge_location: Some(b"ZZZ1"),
            sc_status: Some(200),
            ..Row::default()
        };
        assert_eq!(value(Column::UaCategory, &r), "browser");
        assert_eq!(value(Column::IsBot, &r), "Bool(false)");
        assert_eq!(value(Column::CrawlerVerdict, &r), "Null");
        assert_eq!(value(Column::AttackTypes, &r), "");
        assert_eq!(value(Column::WafBlock, &r), "Bool(false)");
        assert_eq!(value(Column::CacheMiss, &r), "Bool(false)");
        // Unknown edge code: no geography.
        assert_eq!(value(Column::EdgeCity, &r), "Null");
        assert_eq!(value(Column::CIpNet, &r), "2001:db8:abcd:12::/64");
        assert_eq!(value(Column::CIpSite, &r), "2001:db8:abcd::/48");
        // A space the client sent as %20 (logged %2520) is depth 1.
        assert_eq!(value(Column::EncodingDepth, &r), "Int(1)");
        assert_eq!(value(Column::QueryRandom, &r), "Null");
        assert_eq!(value(Column::QueryEntropy, &r), "Null");
        assert_eq!(value(Column::RequestDecoded, &r), "Null");
    }

    #[test]
    fn missing_fields_give_null_where_the_scalars_do() {
        let r = Row::default();
        assert_eq!(value(Column::UaCategory, &r), "empty");
        assert_eq!(value(Column::IsBot, &r), "Bool(true)");
        assert_eq!(value(Column::ScannerPath, &r), "Null");
        assert_eq!(value(Column::CIpNet, &r), "Null");
        assert_eq!(value(Column::EncodingDepth, &r), "Int(0)");
        assert_eq!(value(Column::AttackTypes, &r), "");
        let bad = Row { c_ip: Some(b"unknown"), ..Row::default() };
        assert_eq!(value(Column::CIpNet, &bad), "Null");
    }

    #[test]
    fn shared_row_values_match_the_primitives() {
        let mut s = Scratch::default();
        for ua in
            [None, Some(&b"curl/8.0"[..]), Some(b"Mozilla/5.0 (Windows NT 10.0) Gecko/20100101 Firefox/120.0"), Some(b"Googlebot/2.1")]
        {
            let r = Row { cs_user_agent: ua, ..row() };
            // The same scratch across rows: the memo and the per-row cache must not leak.
            for _ in 0..2 {
                s.new_row();
                assert_eq!(compute(Column::IsBot, &r, &mut s).unwrap(), Value::Bool(user_agent::is_bot(ua)));
                let cat = user_agent::ua_category(ua).as_str().as_bytes();
                assert_eq!(compute(Column::UaCategory, &r, &mut s).unwrap(), Value::Text(cat));
            }
        }
    }

    #[test]
    fn query_random_reads_each_parameter_value_decoded() {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        assert!(query_random(b"page=2&_=8f3kq9x2m1z7w4", &mut a, &mut b));
        assert!(!query_random(b"page=2&sort=newest", &mut a, &mut b));
        // A value without '=' is the whole parameter; empty parameters are skipped.
        assert!(query_random(b"&&8f3kq9x2m1z7w4", &mut a, &mut b));
    }

    #[test]
    fn the_events_macro_names_every_column_once() {
        let sql = events_macro_sql();
        for c in &COLUMNS {
            assert!(sql.contains(&format!("coalesce(_cf_src.{0}, ", c.name)), "{}", c.name);
            assert!(sql.contains(&format!("NULL::{} AS {}", c.ty.sql(), c.name)), "{}", c.name);
        }
        assert!(sql.starts_with("-- cf_events:"));
    }
}
