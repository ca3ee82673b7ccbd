-- cf_waf_blocks: requests refused at the edge (AWS WAF, geo restriction, CloudFront limits), by client and time window.
-- Question: Which clients are being refused by AWS WAF or CloudFront (is_waf_block), when, how often, and on what?
-- Parameters:
--   tbl                          name of a table or view of read_cloudfront() rows (VARCHAR)
--   bucket := INTERVAL 5 MINUTE  tumbling time window (aligned to the Unix epoch, so to UTC); 5
--                                minutes is AWS WAF's default rate-based evaluation window (300 s).
--                                (Named bucket, not window: WINDOW is reserved in DuckDB's grammar
--                                and would have to be quoted at every call.)
--   min_blocks := 10             refused requests a client needs in one window to be reported.
--                                Reasoning: a person tripping a rule by accident gets one or a
--                                few 403s; ten in five minutes is a client that keeps pushing.
--                                (For scale: AWS WAF Security Automations v3 flags 50 bad
--                                requests per minute per IP as a scanner, docs/format-facts.md.)
-- A request is refused when is_waf_block(x_edge_result_type, sc_status,
-- x_edge_detailed_result_type) is true: 403 Error with a generic or InvalidRequestBlocked /
-- ClientGeoBlocked detail, LimitExceeded, or a 403 from an edge function.
-- Output: one row per (client, window) at or above min_blocks, ordered by client then window:
--   c_ip, window_start, window_end TIMESTAMPTZ, requests (all requests of the client in the
--   window), blocked, block_ratio, distinct_paths (stems of blocked requests), top_path (most
--   blocked stem), detailed_types (distinct detailed result types of the blocks),
--   sample_query (one blocked query string, raw), user_agent (most frequent, decoded),
--   severity ('high' when blocked >= 5 x min_blocks in the window, else 'medium')
CREATE OR REPLACE MACRO cf_waf_blocks(tbl, bucket := INTERVAL 5 MINUTE, min_blocks := 10) AS TABLE
WITH _cf_args AS (
    SELECT
        TRY_CAST(bucket::VARCHAR AS INTERVAL) AS bucket,
        TRY_CAST(min_blocks::VARCHAR AS BIGINT) AS min_blocks
),
-- NOT MATERIALIZED: each reference re-reads these rows (a projection of the table) instead of
-- holding every row in memory; cf_hunt runs all hunts in one query, where held row sets add up
-- with input (docs/scale.md).
_cf_t AS NOT MATERIALIZED (
    SELECT c_ip, timestamp, cs_uri_stem, cs_uri_query, cs_user_agent,
           to_timestamp(floor(epoch(timestamp) / epoch(a.bucket)) * epoch(a.bucket)) AS w,
           coalesce(waf_block, false) AS blocked,
           x_edge_detailed_result_type AS detail
    -- Parameters are checked here, where DuckDB evaluates them while binding the query: a
    -- mistake is an error naming the macro and the parameter, even on an empty table.
    FROM cf_events(CASE
        WHEN bucket IS NULL THEN error('cf_waf_blocks: bucket must not be NULL')
        WHEN typeof(bucket) <> 'INTERVAL' THEN error('cf_waf_blocks: bucket must be an INTERVAL such as INTERVAL 5 MINUTE, got ' || typeof(bucket))
        WHEN epoch(TRY_CAST(bucket::VARCHAR AS INTERVAL)) <= 0 THEN error('cf_waf_blocks: bucket must be a positive interval, got ' || bucket::VARCHAR)
        WHEN min_blocks IS NULL THEN error('cf_waf_blocks: min_blocks must not be NULL')
        WHEN NOT coalesce(TRY_CAST(min_blocks::VARCHAR AS DOUBLE) = TRY_CAST(min_blocks::VARCHAR AS BIGINT), false) THEN error('cf_waf_blocks: min_blocks must be a whole number, got ' || min_blocks::VARCHAR)
        WHEN TRY_CAST(min_blocks::VARCHAR AS BIGINT) < 1 THEN error('cf_waf_blocks: min_blocks must be >= 1, got ' || min_blocks::VARCHAR)
        ELSE tbl END) CROSS JOIN _cf_args a
),
_cf_per AS (
    SELECT c_ip, w, count(*) AS requests, count(*) FILTER (WHERE blocked) AS blocked
    FROM _cf_t t
    GROUP BY c_ip, w
    HAVING count(*) FILTER (WHERE blocked) >= (SELECT args.min_blocks FROM _cf_args args)
),
_cf_b AS (
    SELECT t.* FROM _cf_t t JOIN _cf_per per USING (c_ip, w) WHERE t.blocked
),
_cf_agg AS (
    SELECT c_ip, w,
           count(DISTINCT cs_uri_stem) AS distinct_paths,
           mode(cs_uri_stem ORDER BY cs_uri_stem) AS top_path,
           string_agg(DISTINCT coalesce(detail, '-'), ',' ORDER BY coalesce(detail, '-')) AS detailed_types,
           min(cs_uri_query) AS sample_query,
           mode(cs_user_agent ORDER BY cs_user_agent) AS user_agent
    FROM _cf_b b
    GROUP BY c_ip, w
)
SELECT p.c_ip, p.w AS window_start, p.w + g.bucket AS window_end, p.requests, p.blocked,
       p.blocked / p.requests AS block_ratio,
       a.distinct_paths, a.top_path, a.detailed_types, a.sample_query, a.user_agent,
       CASE WHEN p.blocked >= 5 * g.min_blocks THEN 'high' ELSE 'medium' END AS severity
FROM _cf_per p JOIN _cf_agg a USING (c_ip, w) CROSS JOIN _cf_args g
ORDER BY p.c_ip, p.w;
