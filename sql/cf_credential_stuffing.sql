-- cf_credential_stuffing: failed logins spread over many clients.
-- Question: Which login-like paths receive POSTs that mostly fail (401/403) from many different clients, as in credential stuffing with rotating IPs?
-- Parameters:
--   tbl                            name of a table or view of read_cloudfront() rows (VARCHAR)
--   login_pattern := '(?i)(log-?in|log-?on|sign-?in|auth|token|session|passw(or)?d|oauth|sso|credential)'
--                                  regular expression (RE2, regexp_matches) on cs-uri-stem that
--                                  marks login-like endpoints
--   bucket := INTERVAL 1 HOUR      time bucket (aligned to UTC); stuffing runs last hours, and an
--                                  hour holds enough attempts for a ratio to mean something
--   min_failures := 50             failed POSTs (401 or 403) on the path in the bucket
--   min_failure_ratio := 0.5       failed / all POSTs on the path in the bucket. Real users fail
--                                  a login now and then (typos: about 1 in 10 attempts in cfgen
--                                  benign data, 3% of sessions); most attempts still succeed.
--   min_clients := 10              distinct clients with failed POSTs in the bucket: the
--                                  "across many clients" part, which sets stuffing (rotating
--                                  proxies, a few tries each) apart from one brute-forcer
--                                  (cf_top_talkers / cf_ddos find that one).
-- Output: one row per (path, bucket) over all thresholds, in time order:
--   cs_uri_stem, bucket_start, bucket_end TIMESTAMPTZ, posts, failures, failure_ratio,
--   clients (distinct clients POSTing), failing_clients, failures_per_client, status_401,
--   status_403, first_seen, last_seen (of failed POSTs),
--   severity ('high' when failure_ratio >= 0.8 and failing_clients >= 5 x min_clients, else 'medium')
CREATE OR REPLACE MACRO cf_credential_stuffing(tbl,
        login_pattern := '(?i)(log-?in|log-?on|sign-?in|auth|token|session|passw(or)?d|oauth|sso|credential)',
        bucket := INTERVAL 1 HOUR, min_failures := 50, min_failure_ratio := 0.5, min_clients := 10) AS TABLE
WITH _cf_args AS (
    SELECT
        login_pattern::VARCHAR AS login_pattern,
        TRY_CAST(bucket::VARCHAR AS INTERVAL) AS bucket,
        TRY_CAST(min_failures::VARCHAR AS BIGINT) AS min_failures,
        TRY_CAST(min_failure_ratio::VARCHAR AS DOUBLE) AS min_failure_ratio,
        TRY_CAST(min_clients::VARCHAR AS BIGINT) AS min_clients
),
-- NOT MATERIALIZED: each reference re-reads these rows (a projection of the table) instead of
-- holding every row in memory; cf_hunt runs all hunts in one query, where held row sets add up
-- with input (docs/scale.md).
_cf_t AS NOT MATERIALIZED (
    SELECT c_ip, timestamp, cs_uri_stem, sc_status,
           to_timestamp(floor(epoch(timestamp) / epoch(a.bucket)) * epoch(a.bucket)) AS b,
           sc_status IN (401, 403) AS failed
    -- Parameters are checked here, where DuckDB evaluates them while binding the query: a
    -- mistake is an error naming the macro and the parameter, even on an empty table.
    FROM query_table(CASE
        WHEN login_pattern IS NULL THEN error('cf_credential_stuffing: login_pattern must not be NULL')
        WHEN trim(login_pattern::VARCHAR) = '' THEN error('cf_credential_stuffing: login_pattern must not be empty')
        WHEN bucket IS NULL THEN error('cf_credential_stuffing: bucket must not be NULL')
        WHEN typeof(bucket) <> 'INTERVAL' THEN error('cf_credential_stuffing: bucket must be an INTERVAL such as INTERVAL 5 MINUTE, got ' || typeof(bucket))
        WHEN epoch(TRY_CAST(bucket::VARCHAR AS INTERVAL)) <= 0 THEN error('cf_credential_stuffing: bucket must be a positive interval, got ' || bucket::VARCHAR)
        WHEN min_failures IS NULL THEN error('cf_credential_stuffing: min_failures must not be NULL')
        WHEN NOT coalesce(TRY_CAST(min_failures::VARCHAR AS DOUBLE) = TRY_CAST(min_failures::VARCHAR AS BIGINT), false) THEN error('cf_credential_stuffing: min_failures must be a whole number, got ' || min_failures::VARCHAR)
        WHEN TRY_CAST(min_failures::VARCHAR AS BIGINT) < 1 THEN error('cf_credential_stuffing: min_failures must be >= 1, got ' || min_failures::VARCHAR)
        WHEN min_failure_ratio IS NULL THEN error('cf_credential_stuffing: min_failure_ratio must not be NULL')
        WHEN NOT coalesce(isfinite(TRY_CAST(min_failure_ratio::VARCHAR AS DOUBLE)), false) THEN error('cf_credential_stuffing: min_failure_ratio must be a number, got ' || min_failure_ratio::VARCHAR)
        WHEN NOT (TRY_CAST(min_failure_ratio::VARCHAR AS DOUBLE) > 0 AND TRY_CAST(min_failure_ratio::VARCHAR AS DOUBLE) <= 1) THEN error('cf_credential_stuffing: min_failure_ratio must be in (0, 1], got ' || min_failure_ratio::VARCHAR)
        WHEN min_clients IS NULL THEN error('cf_credential_stuffing: min_clients must not be NULL')
        WHEN NOT coalesce(TRY_CAST(min_clients::VARCHAR AS DOUBLE) = TRY_CAST(min_clients::VARCHAR AS BIGINT), false) THEN error('cf_credential_stuffing: min_clients must be a whole number, got ' || min_clients::VARCHAR)
        WHEN TRY_CAST(min_clients::VARCHAR AS BIGINT) < 1 THEN error('cf_credential_stuffing: min_clients must be >= 1, got ' || min_clients::VARCHAR)
        ELSE tbl END) CROSS JOIN _cf_args a
    WHERE upper(cs_method) = 'POST'
),
_cf_logins AS (
    SELECT * FROM _cf_t t
    WHERE cs_uri_stem IN (SELECT s FROM (SELECT DISTINCT cs_uri_stem AS s FROM _cf_t t) CROSS JOIN _cf_args a
                          WHERE regexp_matches(s, a.login_pattern))
),
_cf_per AS (
    SELECT cs_uri_stem, b, count(*) AS posts,
           count(*) FILTER (WHERE failed) AS failures,
           count(DISTINCT c_ip) AS clients,
           count(DISTINCT c_ip) FILTER (WHERE failed) AS failing_clients,
           count(*) FILTER (WHERE sc_status = 401) AS status_401,
           count(*) FILTER (WHERE sc_status = 403) AS status_403,
           min(timestamp) FILTER (WHERE failed) AS first_seen,
           max(timestamp) FILTER (WHERE failed) AS last_seen
    FROM _cf_logins logins
    GROUP BY cs_uri_stem, b
)
SELECT per.cs_uri_stem, per.b AS bucket_start, per.b + a.bucket AS bucket_end, per.posts, per.failures,
       per.failures / per.posts AS failure_ratio, per.clients, per.failing_clients,
       per.failures / nullif(per.failing_clients, 0) AS failures_per_client, per.status_401, per.status_403,
       per.first_seen, per.last_seen,
       CASE WHEN per.failures / per.posts >= 0.8 AND per.failing_clients >= 5 * a.min_clients THEN 'high' ELSE 'medium' END AS severity
FROM _cf_per per CROSS JOIN _cf_args a
WHERE per.failures >= a.min_failures
  AND per.failures / per.posts >= a.min_failure_ratio
  AND per.failing_clients >= a.min_clients
ORDER BY per.b, per.cs_uri_stem;
