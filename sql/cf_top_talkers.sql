-- cf_top_talkers: the clients that send the most requests.
-- Question: Which client IPs send the most requests, and what do they do (spread over URIs, bytes, errors, kind of user agent)?
-- Parameters:
--   tbl       name of a table or view of read_cloudfront() rows (VARCHAR, resolved with query_table)
--   n := 20   how many clients to return (a screenful, not a detection threshold)
-- Output: one row per client, most requests first (ties by c_ip):
--   c_ip VARCHAR, requests BIGINT,
--   share DOUBLE            requests / all requests in tbl (0..1)
--   distinct_uris BIGINT    distinct cs-uri-stem values
--   bytes_out BIGINT        sum of sc-bytes
--   error_rate DOUBLE       share of requests with sc-status >= 400 (000 = viewer left early is not an error)
--   ua_category VARCHAR     the client's most frequent ua_category() (browser, crawler, scanner,
--                           library, empty, other); ties broken alphabetically
--   user_agents BIGINT      distinct user agents the client sent
--   first_seen, last_seen TIMESTAMPTZ
CREATE OR REPLACE MACRO cf_top_talkers(tbl, n := 20) AS TABLE
WITH _cf_args AS (
    SELECT
        TRY_CAST(n::VARCHAR AS BIGINT) AS n
),
-- NOT MATERIALIZED: each reference re-reads these rows (a projection of the table) instead of
-- holding every row in memory; cf_hunt runs all hunts in one query, where held row sets add up
-- with input (docs/scale.md).
_cf_t AS NOT MATERIALIZED (
    SELECT c_ip, timestamp, cs_uri_stem, sc_bytes, sc_status, cs_user_agent, ua_category
    -- Parameters are checked here, where DuckDB evaluates them while binding the query: a
    -- mistake is an error naming the macro and the parameter, even on an empty table.
    FROM cf_events(CASE
        WHEN n IS NULL THEN error('cf_top_talkers: n must not be NULL')
        WHEN NOT coalesce(TRY_CAST(n::VARCHAR AS DOUBLE) = TRY_CAST(n::VARCHAR AS BIGINT), false) THEN error('cf_top_talkers: n must be a whole number, got ' || n::VARCHAR)
        WHEN TRY_CAST(n::VARCHAR AS BIGINT) < 1 THEN error('cf_top_talkers: n must be >= 1, got ' || n::VARCHAR)
        ELSE tbl END)
),
_cf_total AS (
    SELECT count(*) AS all_requests FROM _cf_t t
),
_cf_per AS (
    SELECT c_ip, count(*) AS requests, count(DISTINCT cs_uri_stem) AS distinct_uris,
           coalesce(sum(sc_bytes), 0)::BIGINT AS bytes_out,
           count(*) FILTER (WHERE sc_status >= 400) AS errors,
           count(DISTINCT cs_user_agent) AS user_agents,
           min(timestamp) AS first_seen, max(timestamp) AS last_seen
    FROM _cf_t t
    GROUP BY c_ip
    ORDER BY requests DESC, c_ip
    LIMIT (SELECT args.n FROM _cf_args args)
),
_cf_ua AS (
    -- The category of each (client, user agent) (the enriched ua_category).
    SELECT c_ip, max(ua_category) AS cat, count(*) AS k
    FROM _cf_t t
    -- IS NOT DISTINCT FROM: a client with no c-ip (NULL) is a talker too.
    WHERE EXISTS (SELECT 1 FROM _cf_per per WHERE per.c_ip IS NOT DISTINCT FROM t.c_ip)
    GROUP BY c_ip, cs_user_agent
),
_cf_dom AS (
    SELECT c_ip, cat
    FROM (SELECT c_ip, cat, sum(k) AS k FROM _cf_ua ua GROUP BY c_ip, cat)
    QUALIFY row_number() OVER (PARTITION BY c_ip ORDER BY k DESC, cat) = 1
)
SELECT p.c_ip, p.requests,
       p.requests / nullif(total.all_requests, 0) AS share,
       p.distinct_uris, p.bytes_out,
       p.errors / p.requests AS error_rate,
       d.cat AS ua_category, p.user_agents,
       p.first_seen, p.last_seen
FROM _cf_per p
CROSS JOIN _cf_total total
LEFT JOIN _cf_dom d ON d.c_ip IS NOT DISTINCT FROM p.c_ip
ORDER BY p.requests DESC, p.c_ip;
