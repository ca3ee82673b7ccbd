-- cf_protocol_anomalies: clients whose requests break the shape of normal web traffic.
-- Question: Which clients use legacy TLS (SSLv3, TLSv1, TLSv1.1), HTTP/1.0 or 0.9, unusual methods (TRACE, TRACK, CONNECT, PROPFIND, DEBUG, ...), no user agent, or privileged source ports?
-- Parameters:
--   tbl                name of a table or view of read_cloudfront() rows (VARCHAR)
--   min_requests := 3  anomalous requests a client needs to be reported; one odd request is
--                      common noise (a misconfigured health check), three is a pattern.
-- Anomalies (each a column counting the client's requests that show it):
--   legacy_tls         ssl-protocol SSLv2, SSLv3, TLSv1 or TLSv1.1 (deprecated by RFC 8996;
--                      current browsers cannot negotiate them)
--   old_http           cs-protocol-version HTTP/1.0 or HTTP/0.9 (browsers and mainstream
--                      libraries speak 1.1+; raw-socket tools and scanners default to 1.0)
--   unusual_method     any method other than GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS
--                      (TRACE/TRACK probe for cross-site tracing, PROPFIND for WebDAV, DEBUG for
--                      ASP.NET debugging, CONNECT for open proxies)
--   missing_ua         no User-Agent header (logged as -)
--   odd_port           c-port below 1024: client operating systems pick ephemeral source ports
--                      from 1024 up (Linux 32768-60999, Windows 49152-65535), so a privileged
--                      source port means a crafted packet or a raw-socket tool
-- Output: one row per client, most anomaly kinds first, then most anomalous requests:
--   c_ip, requests, anomalous_requests, legacy_tls, old_http, unusual_method, missing_ua,
--   odd_port BIGINT, kinds INTEGER (how many of the five anomalies the client shows),
--   methods, tls_versions, http_versions, ports VARCHAR (the distinct unusual methods, legacy
--   TLS versions, old HTTP versions and privileged ports seen; NULL when none),
--   first_seen, last_seen (of anomalous requests),
--   severity ('high' for 3+ kinds, 'medium' for 2, 'low' for 1)
CREATE OR REPLACE MACRO cf_protocol_anomalies(tbl, min_requests := 3) AS TABLE
WITH _cf_args AS (
    SELECT
        TRY_CAST(min_requests::VARCHAR AS BIGINT) AS min_requests
),
-- NOT MATERIALIZED: each reference re-reads these rows (a projection of the table) instead of
-- holding every row in memory; cf_hunt runs all hunts in one query, where held row sets add up
-- with input (docs/scale.md).
_cf_t AS NOT MATERIALIZED (
    SELECT c_ip, timestamp, cs_method, ssl_protocol, cs_protocol_version, c_port,
           ssl_protocol IN ('SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.1') AS legacy_tls,
           cs_protocol_version IN ('HTTP/1.0', 'HTTP/0.9') AS old_http,
           upper(cs_method) NOT IN ('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS') AS unusual_method,
           cs_user_agent IS NULL OR trim(cs_user_agent) IN ('', '-') AS missing_ua,
           c_port < 1024 AS odd_port
    -- Parameters are checked here, where DuckDB evaluates them while binding the query: a
    -- mistake is an error naming the macro and the parameter, even on an empty table.
    FROM query_table(CASE
        WHEN min_requests IS NULL THEN error('cf_protocol_anomalies: min_requests must not be NULL')
        WHEN NOT coalesce(TRY_CAST(min_requests::VARCHAR AS DOUBLE) = TRY_CAST(min_requests::VARCHAR AS BIGINT), false) THEN error('cf_protocol_anomalies: min_requests must be a whole number, got ' || min_requests::VARCHAR)
        WHEN TRY_CAST(min_requests::VARCHAR AS BIGINT) < 1 THEN error('cf_protocol_anomalies: min_requests must be >= 1, got ' || min_requests::VARCHAR)
        ELSE tbl END)
),
_cf_a AS (
    SELECT *, coalesce(legacy_tls, false) OR coalesce(old_http, false) OR coalesce(unusual_method, false)
              OR coalesce(missing_ua, false) OR coalesce(odd_port, false) AS anomalous
    FROM _cf_t t
),
_cf_per AS (
    SELECT c_ip, count(*) AS requests,
           count(*) FILTER (WHERE anomalous) AS anomalous_requests,
           count(*) FILTER (WHERE legacy_tls) AS legacy_tls,
           count(*) FILTER (WHERE old_http) AS old_http,
           count(*) FILTER (WHERE unusual_method) AS unusual_method,
           count(*) FILTER (WHERE missing_ua) AS missing_ua,
           count(*) FILTER (WHERE odd_port) AS odd_port,
           string_agg(DISTINCT cs_method, ',' ORDER BY cs_method) FILTER (WHERE unusual_method) AS methods,
           string_agg(DISTINCT ssl_protocol, ',' ORDER BY ssl_protocol) FILTER (WHERE legacy_tls) AS tls_versions,
           string_agg(DISTINCT cs_protocol_version, ',' ORDER BY cs_protocol_version) FILTER (WHERE old_http) AS http_versions,
           string_agg(DISTINCT c_port::VARCHAR, ',' ORDER BY c_port::VARCHAR) FILTER (WHERE odd_port) AS ports,
           min(timestamp) FILTER (WHERE anomalous) AS first_seen,
           max(timestamp) FILTER (WHERE anomalous) AS last_seen
    FROM _cf_a a
    GROUP BY c_ip
    HAVING count(*) FILTER (WHERE anomalous) >= (SELECT args.min_requests FROM _cf_args args)
),
_cf_k AS (
    SELECT *, ((legacy_tls > 0)::INTEGER + (old_http > 0)::INTEGER + (unusual_method > 0)::INTEGER
               + (missing_ua > 0)::INTEGER + (odd_port > 0)::INTEGER) AS kinds
    FROM _cf_per per
)
SELECT c_ip, requests, anomalous_requests, legacy_tls, old_http, unusual_method, missing_ua, odd_port,
       kinds, methods, tls_versions, http_versions, ports, first_seen, last_seen,
       CASE WHEN kinds >= 3 THEN 'high' WHEN kinds = 2 THEN 'medium' ELSE 'low' END AS severity
FROM _cf_k k
ORDER BY kinds DESC, anomalous_requests DESC, c_ip;
