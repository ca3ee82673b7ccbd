//! `cloudfront_functions()`: name, kind, signature with parameter names, description and a
//! runnable example of every native function. DuckDB's C API (v1.5.6) can neither name scalar
//! parameters (`duckdb_functions()` shows `col0`) nor attach descriptions, so this listing is
//! where the shell, BI tools and users discover them.

use libduckdb_sys as ffi;

use super::static_table::{register, Cell, ColumnType};

/// (name, kind, signature, description, example)
const FUNCTIONS: &[(&str, &str, &str, &str, &str)] = &[
    ("read_cloudfront", "table", "read_cloudfront(path VARCHAR | VARCHAR[], format := 'auto', fields := NULL, filename := false, ignore_errors := false, decode := true, union_by_name := false, max_line_size := 16777216, since := NULL, until := NULL)",
     "Reads CloudFront standard (legacy, v2 W3C), v2 JSON and real-time logs, gzip or plain, into typed columns with a fused UTC timestamp. since (inclusive) / until (exclusive) TIMESTAMPTZ open only the files whose names can hold requests of that window and keep only its requests.",
     "SELECT c_ip, count(*) FROM read_cloudfront('test/data/standard/*') GROUP BY ALL"),
    ("read_cloudfront_rejects", "table", "read_cloudfront_rejects(path, ...same parameters as read_cloudfront)",
     "The lines a read_cloudfront scan refuses: filename, line, reason, text.",
     "SELECT * FROM read_cloudfront_rejects('test/data/bad/bad-lines.log')"),
    ("read_cloudfront_files", "table", "read_cloudfront_files(path VARCHAR | VARCHAR[], since := NULL, until := NULL)",
     "The files read_cloudfront would read for the same paths and window (a dry run): filename, selected, period_start, period_end, period_source (file name or path partition), reason.",
     "SELECT filename, selected, reason FROM read_cloudfront_files('test/data/eras/*', since := TIMESTAMPTZ '2016-01-01 00:00:00+00')"),
    ("cloudfront_version", "scalar", "cloudfront_version() -> VARCHAR", "The extension's version.", "SELECT cloudfront_version()"),
    ("cloudfront_playbook", "table", "cloudfront_playbook()",
     "Every hunting macro: name, question, parameters, sql, temp_sql, and where LOAD put it (installed_as, e.g. cloudfront.cf_hunt; note: whether also unqualified, and why not).",
     "FROM cloudfront_playbook()"),
    ("cloudfront_edge_locations", "table", "cloudfront_edge_locations()",
     "The embedded table of CloudFront edge-location airport codes with city, country, region and coordinates.",
     "FROM cloudfront_edge_locations() WHERE country_code = 'DE'"),
    ("cloudfront_functions", "table", "cloudfront_functions()", "This listing.", "FROM cloudfront_functions()"),
    ("uri_entropy", "scalar", "uri_entropy(s VARCHAR) -> DOUBLE",
     "Shannon entropy of s in bits per byte; 0 for '', NULL for NULL.", "SELECT uri_entropy('aab')  -- 0.918"),
    ("query_max_entropy", "scalar", "query_max_entropy(query VARCHAR) -> DOUBLE",
     "The highest entropy among a query string's parameter values (cache-buster detection).",
     "SELECT query_max_entropy('utm_source=newsletter&v=8f3kq9x2m1')"),
    ("looks_random", "scalar", "looks_random(s VARCHAR) -> BOOLEAN",
     "Heuristic: does s look machine-generated (random token, cache-buster, hash) rather than a word or slug?",
     "SELECT looks_random('8f3kq9x2m1z7'), looks_random('summer-sale-2024')"),
    ("is_waf_block", "scalar", "is_waf_block(x_edge_result_type VARCHAR [, sc_status INTEGER [, x_edge_detailed_result_type VARCHAR]]) -> BOOLEAN",
     "Does the response look like a WAF or CloudFront refusal (Error+403, LimitExceeded, InvalidRequestBlocked, ClientGeoBlocked)?",
     "SELECT is_waf_block('Error', 403, 'InvalidRequestBlocked')"),
    ("is_rate_limited", "scalar", "is_rate_limited(x_edge_result_type VARCHAR [, sc_status INTEGER [, x_edge_detailed_result_type VARCHAR]]) -> BOOLEAN",
     "LimitExceeded/CapacityExceeded, throttled functions, or status 429.", "SELECT is_rate_limited('LimitExceeded')"),
    ("is_origin_error", "scalar", "is_origin_error(x_edge_result_type VARCHAR [, sc_status INTEGER [, x_edge_detailed_result_type VARCHAR]]) -> BOOLEAN",
     "Did the origin fail (Origin*Error detailed types, Error with 502/504)?", "SELECT is_origin_error('Error', 502, 'OriginConnectError')"),
    ("is_cache_miss", "scalar", "is_cache_miss(x_edge_result_type VARCHAR) -> BOOLEAN",
     "Was the request a cache miss (Miss; RefreshHit counts as a hit)?", "SELECT is_cache_miss('Miss')"),
    ("url_decode_cf", "scalar", "url_decode_cf(s VARCHAR [, levels INTEGER = 2]) -> VARCHAR",
     "CloudFront-aware %XX decoding up to `levels` times; '+' stays '+'; invalid UTF-8 becomes U+FFFD.",
     "SELECT url_decode_cf('Mozilla/5.0%2520(X11)')"),
    ("encoding_depth", "scalar", "encoding_depth(s VARCHAR) -> INTEGER",
     "How many times s is percent-encoded (%2527 -> 2): a WAF-bypass signal.", "SELECT encoding_depth('%2527')"),
    ("ua_category", "scalar", "ua_category(user_agent VARCHAR) -> VARCHAR",
     "browser, crawler, scanner, library, empty (NULL, '' or '-') or other, from our own pattern list.",
     "SELECT ua_category('sqlmap/1.8')"),
    ("is_bot", "scalar", "is_bot(user_agent VARCHAR) -> BOOLEAN",
     "Is the user agent a crawler, scanner, library or empty?", "SELECT is_bot('curl/8.5.0')"),
    ("is_scanner_path", "scalar", "is_scanner_path(uri VARCHAR) -> BOOLEAN",
     "Is the URI a well-known probe target (/.env, /.git/config, /wp-login.php, ...) or a path traversal in any encoding?",
     "SELECT is_scanner_path('/.env')"),
    ("attack_types", "scalar", "attack_types(cs_uri_stem VARCHAR, cs_uri_query VARCHAR, cs_referer VARCHAR, cs_user_agent VARCHAR) -> VARCHAR[] | attack_types(logged_url VARCHAR) -> VARCHAR[]",
     "Attack families in a request as read_cloudfront returns it, sorted: cmd_injection, crlf_injection, jndi, known_exploit, path_traversal, rfi, sensitive_file, sqli, ssrf, ssti, webshell, xss; [] when none or all NULL. The one-argument form takes a logged path (optionally ?query) or a logged query.",
     "SELECT attack_types('/index.php', 'id=1%2527+or+%25271%2527%253D%25271', NULL, NULL)"),
    ("attack_explain", "scalar", "attack_explain(cs_uri_stem VARCHAR, cs_uri_query VARCHAR, cs_referer VARCHAR, cs_user_agent VARCHAR) -> VARCHAR[] | attack_explain(logged_url VARCHAR) -> VARCHAR[]",
     "Why attack_types gives its families: one line per matching rule, 'family: why [part, data/attack_rules/file.tsv:line]' (probe rules included). For looking at a few rows.",
     "SELECT unnest(attack_explain('/scripts/..%255c..%255cwinnt/system32/cmd.exe'))"),
    ("edge_location", "scalar", "edge_location(x_edge_location VARCHAR) -> STRUCT(code, airport, city, country, country_code, region, latitude, longitude)",
     "The edge location's airport, city, country and coordinates from its IATA-like code (IAD89-C1 -> IAD).",
     "SELECT edge_location('FRA56-P1').city"),
    ("crawler_verdict", "scalar", "crawler_verdict(c_ip VARCHAR, user_agent VARCHAR) -> VARCHAR",
     "'verified' when the user agent claims Googlebot, bingbot or Applebot and the address is in that operator's published ranges, 'spoofed' when it is not; NULL when nothing verifiable is claimed.",
     "SELECT crawler_verdict('66.249.66.1', 'Mozilla/5.0 (compatible; Googlebot/2.1)')"),
    ("cloudfront_crawler_ranges", "table", "cloudfront_crawler_ranges()",
     "The published crawler address ranges crawler_verdict checks: operator, claims (user-agent tokens), cidr, source (file and date).",
     "FROM cloudfront_crawler_ranges() WHERE operator = 'google'"),
    ("ip_prefix", "scalar", "ip_prefix(ip VARCHAR, bits INTEGER) -> VARCHAR",
     "The network of an IPv4 or IPv6 address in CIDR form; NULL for non-IPs or out-of-range bits.",
     "SELECT ip_prefix('203.0.113.77', 24)"),
];

fn rows() -> Vec<Vec<Cell>> {
    FUNCTIONS
        .iter()
        .map(|(n, k, s, d, e)| [n, k, s, d, e].iter().map(|v| Cell::Text(v.to_string())).collect())
        .collect()
}

pub fn register_function_docs(con: ffi::duckdb_connection) -> Result<(), String> {
    register(
        con,
        "cloudfront_functions",
        vec![
            ("name", ColumnType::Text),
            ("kind", ColumnType::Text),
            ("signature", ColumnType::Text),
            ("description", ColumnType::Text),
            ("example", ColumnType::Text),
        ],
        rows,
    )
}
