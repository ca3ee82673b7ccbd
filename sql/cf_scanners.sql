-- cf_scanners: vulnerability scanners and content-discovery probes.
-- Question: Which clients scan the site: scanner user agents, requests for well-known probe paths (.env, .git, wp-login.php, ...), or bursts of 4xx across many distinct URIs?
-- Parameters:
--   tbl                            name of a table or view of read_cloudfront() rows (VARCHAR)
--   bucket := INTERVAL 5 MINUTE    window for the error-burst test (tumbling, aligned to UTC;
--                                  5 minutes as AWS WAF's default rate-based window). (Named
--                                  bucket: WINDOW is reserved in DuckDB's grammar.)
--   min_errors := 50               4xx responses to one client within one bucket ...
--   min_distinct_uris := 20        ... spread over at least this many distinct stems.
--                                  AWS WAF Security Automations v3 blocks a client after 50 bad
--                                  requests per minute (ErrorThreshold, docs/format-facts.md
--                                  section 7); 50 per 5 minutes is 5x more sensitive, to catch
--                                  throttled scanners, and the distinct-URI floor keeps one
--                                  broken link retried by a client out. Benign cfgen clients
--                                  never exceeded 5 errors in a whole day.
--   min_probe_paths := 3           distinct is_scanner_path() stems a client must request (one
--                                  /wp-login.php hit is background noise on the Internet; three
--                                  different probe targets is a scan).
-- Signals: scanner_ua (ua_category = 'scanner'), probe_paths, error_burst.
-- Output: one row per client with at least one signal, most signals then most requests first:
--   c_ip, requests, scanner_ua_requests, probe_requests, distinct_probe_paths,
--   peak_errors (4xx in the client's worst bucket), peak_distinct_uris (distinct stems among
--   those errors), error_rate (4xx share over all its requests), signals INTEGER (0-3),
--   reasons VARCHAR (comma list of scanner_ua, probe_paths, error_burst), tool (the user agent
--   of its scanner-UA requests, else its most frequent one), sample_probe (one probe stem),
--   first_seen, last_seen, severity ('high' for 2+ signals, 'medium' for 1)
CREATE OR REPLACE MACRO cf_scanners(tbl, bucket := INTERVAL 5 MINUTE, min_errors := 50,
                                    min_distinct_uris := 20, min_probe_paths := 3) AS TABLE
WITH _cf_args AS (
    SELECT
        TRY_CAST(bucket::VARCHAR AS INTERVAL) AS bucket,
        TRY_CAST(min_errors::VARCHAR AS BIGINT) AS min_errors,
        TRY_CAST(min_distinct_uris::VARCHAR AS BIGINT) AS min_distinct_uris,
        TRY_CAST(min_probe_paths::VARCHAR AS BIGINT) AS min_probe_paths
),
-- NOT MATERIALIZED: each reference re-reads these rows (a projection of the table) instead of
-- holding every row in memory; cf_hunt runs all hunts in one query, where held row sets add up
-- with input (docs/scale.md).
_cf_t AS NOT MATERIALIZED (
    SELECT c_ip, timestamp, cs_uri_stem, sc_status, cs_user_agent,
           coalesce(ua_category = 'scanner', false) AS scanner, coalesce(scanner_path, false) AS probe,
           to_timestamp(floor(epoch(timestamp) / epoch(a.bucket)) * epoch(a.bucket)) AS b
    -- Parameters are checked here, where DuckDB evaluates them while binding the query: a
    -- mistake is an error naming the macro and the parameter, even on an empty table.
    FROM cf_events(CASE
        WHEN bucket IS NULL THEN error('cf_scanners: bucket must not be NULL')
        WHEN typeof(bucket) <> 'INTERVAL' THEN error('cf_scanners: bucket must be an INTERVAL such as INTERVAL 5 MINUTE, got ' || typeof(bucket))
        WHEN epoch(TRY_CAST(bucket::VARCHAR AS INTERVAL)) <= 0 THEN error('cf_scanners: bucket must be a positive interval, got ' || bucket::VARCHAR)
        WHEN min_errors IS NULL THEN error('cf_scanners: min_errors must not be NULL')
        WHEN NOT coalesce(TRY_CAST(min_errors::VARCHAR AS DOUBLE) = TRY_CAST(min_errors::VARCHAR AS BIGINT), false) THEN error('cf_scanners: min_errors must be a whole number, got ' || min_errors::VARCHAR)
        WHEN TRY_CAST(min_errors::VARCHAR AS BIGINT) < 1 THEN error('cf_scanners: min_errors must be >= 1, got ' || min_errors::VARCHAR)
        WHEN min_distinct_uris IS NULL THEN error('cf_scanners: min_distinct_uris must not be NULL')
        WHEN NOT coalesce(TRY_CAST(min_distinct_uris::VARCHAR AS DOUBLE) = TRY_CAST(min_distinct_uris::VARCHAR AS BIGINT), false) THEN error('cf_scanners: min_distinct_uris must be a whole number, got ' || min_distinct_uris::VARCHAR)
        WHEN TRY_CAST(min_distinct_uris::VARCHAR AS BIGINT) < 1 THEN error('cf_scanners: min_distinct_uris must be >= 1, got ' || min_distinct_uris::VARCHAR)
        WHEN min_probe_paths IS NULL THEN error('cf_scanners: min_probe_paths must not be NULL')
        WHEN NOT coalesce(TRY_CAST(min_probe_paths::VARCHAR AS DOUBLE) = TRY_CAST(min_probe_paths::VARCHAR AS BIGINT), false) THEN error('cf_scanners: min_probe_paths must be a whole number, got ' || min_probe_paths::VARCHAR)
        WHEN TRY_CAST(min_probe_paths::VARCHAR AS BIGINT) < 1 THEN error('cf_scanners: min_probe_paths must be >= 1, got ' || min_probe_paths::VARCHAR)
        ELSE tbl END) CROSS JOIN _cf_args a
),
-- The UA and path classifiers run once per distinct value.
_cf_e AS (
    SELECT * FROM _cf_t t
),
_cf_bursts AS (
    SELECT c_ip, b, count(*) AS errors, count(DISTINCT cs_uri_stem) AS distinct_uris
    FROM _cf_e e WHERE sc_status BETWEEN 400 AND 499
    GROUP BY c_ip, b
),
_cf_peak AS (
    SELECT c_ip, errors AS peak_errors, distinct_uris AS peak_distinct_uris
    FROM _cf_bursts bursts
    QUALIFY row_number() OVER (PARTITION BY c_ip ORDER BY errors DESC, distinct_uris DESC, b) = 1
),
_cf_per AS (
    SELECT c_ip, count(*) AS requests,
           count(*) FILTER (WHERE scanner) AS scanner_ua_requests,
           count(*) FILTER (WHERE probe) AS probe_requests,
           count(DISTINCT cs_uri_stem) FILTER (WHERE probe) AS distinct_probe_paths,
           count(*) FILTER (WHERE sc_status BETWEEN 400 AND 499) / count(*) AS error_rate,
           min(cs_user_agent) FILTER (WHERE scanner) AS scanner_ua,
           mode(cs_user_agent ORDER BY cs_user_agent) AS top_ua,
           min(cs_uri_stem) FILTER (WHERE probe) AS sample_probe,
           min(timestamp) AS first_seen, max(timestamp) AS last_seen
    FROM _cf_e e
    WHERE c_ip IN (SELECT c_ip FROM _cf_e e WHERE scanner OR probe)
       OR c_ip IN (SELECT bursts.c_ip FROM _cf_bursts bursts CROSS JOIN _cf_args a
                   WHERE bursts.errors >= a.min_errors AND bursts.distinct_uris >= a.min_distinct_uris)
    GROUP BY c_ip
),
_cf_sig AS (
    SELECT per.*, coalesce(pk.peak_errors, 0) AS peak_errors, coalesce(pk.peak_distinct_uris, 0) AS peak_distinct_uris,
           per.scanner_ua_requests > 0 AS s_ua,
           per.distinct_probe_paths >= a.min_probe_paths AS s_probe,
           coalesce(pk.peak_errors >= a.min_errors AND pk.peak_distinct_uris >= a.min_distinct_uris, false) AS s_burst
    FROM _cf_per per LEFT JOIN _cf_peak pk USING (c_ip) CROSS JOIN _cf_args a
)
SELECT c_ip, requests, scanner_ua_requests, probe_requests, distinct_probe_paths, peak_errors,
       peak_distinct_uris, error_rate,
       (s_ua::INTEGER + s_probe::INTEGER + s_burst::INTEGER) AS signals,
       concat_ws(',', CASE WHEN s_ua THEN 'scanner_ua' END, CASE WHEN s_probe THEN 'probe_paths' END,
                 CASE WHEN s_burst THEN 'error_burst' END) AS reasons,
       coalesce(scanner_ua, top_ua) AS tool, sample_probe, first_seen, last_seen,
       CASE WHEN s_ua::INTEGER + s_probe::INTEGER + s_burst::INTEGER >= 2 THEN 'high' ELSE 'medium' END AS severity
FROM _cf_sig sig
WHERE s_ua OR s_probe OR s_burst
ORDER BY signals DESC, requests DESC, c_ip;
