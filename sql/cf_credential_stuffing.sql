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
WITH _cf_t AS (
    SELECT c_ip, timestamp, cs_uri_stem, sc_status,
           to_timestamp(floor(epoch(timestamp) / epoch(bucket)) * epoch(bucket)) AS b,
           sc_status IN (401, 403) AS failed
    FROM query_table(tbl)
    WHERE upper(cs_method) = 'POST'
),
_cf_logins AS (
    SELECT * FROM _cf_t t
    WHERE cs_uri_stem IN (SELECT s FROM (SELECT DISTINCT cs_uri_stem AS s FROM _cf_t t) WHERE regexp_matches(s, login_pattern))
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
SELECT cs_uri_stem, b AS bucket_start, b + bucket AS bucket_end, posts, failures,
       failures / posts AS failure_ratio, clients, failing_clients,
       failures / nullif(failing_clients, 0) AS failures_per_client, status_401, status_403,
       first_seen, last_seen,
       CASE WHEN failures / posts >= 0.8 AND failing_clients >= 5 * min_clients THEN 'high' ELSE 'medium' END AS severity
FROM _cf_per per
WHERE failures >= min_failures
  AND failures / posts >= min_failure_ratio
  AND failing_clients >= min_clients
ORDER BY b, cs_uri_stem;
